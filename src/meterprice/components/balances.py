"""Balances carried across invoices: included units that roll over, and prepaid credit.

:class:`Rollover` is a per-unit rate with units included every period, a share of
which, when unused, is carried to the following periods until it expires.
:class:`Prepaid` is a balance bought in advance (with a bonus, perhaps) that the
lines it covers draw down, invoice after invoice, until it is spent or expires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
from dateutil.relativedelta import relativedelta

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    PricingContext,
    check_metric,
    describe_tags,
    fmt_quantity,
    rate_amount,
    to_date,
    to_positive,
    to_reading_tags,
)
from meterprice.components.carrying import CarryingComponent
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, PricingError
from meterprice.money import Money, to_money

__all__ = ["Lot", "Prepaid", "PrepaidState", "Rollover"]


def _to_rate(value: object) -> Money:
    return to_money(value, what="rate")


def _to_included(value: object) -> Decimal:
    return to_positive(value, "included")


def _to_percent(value: object) -> Decimal:
    percent = d.to_decimal(value, what="rollover_percent")
    if not 0 <= percent <= 100:
        raise ContractError(f"rollover_percent must be 0 to 100 (got {value!r})")
    return percent


def _to_months(value: object) -> int:
    if type(value) is not int or not 1 <= value <= 120:
        raise ContractError(f"expires_after must be 1 to 120 months (got {value!r})")
    return value


@attrs.frozen
class Lot:
    """Units carried over: how many remain, and the first day they can no longer be used."""

    units: Fraction
    expires: dt.date


@attrs.frozen
class Rollover(CarryingComponent):
    """``metric`` at ``rate`` with ``included`` units every period, of which
    ``rollover_percent`` of the unused part is carried to the following periods for
    ``expires_after`` months (after the end of the period that left them).

    Carried units are used first, the oldest first, then the period's own included
    units. A period in which the component is active for only some days includes
    the share of ``included`` of those days. Each invoice shows the units carried in,
    used, expired and carried on.

    >>> allowance = Rollover(
    ...     "Minutes",
    ...     metric="minutes",
    ...     rate="1.00 EUR",
    ...     included=1000,
    ...     rollover_percent=50,
    ...     expires_after=2,
    ... )
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    rate: Money = attrs.field(kw_only=True, converter=_to_rate)
    included: Decimal = attrs.field(kw_only=True, converter=_to_included)
    rollover_percent: Decimal = attrs.field(
        default=d.to_decimal(100), converter=_to_percent, kw_only=True
    )
    expires_after: int = attrs.field(default=1, converter=_to_months, kw_only=True)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def bills_usage(self) -> bool:
        return True

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    def price_carried(
        self, ctx: PricingContext, opening: object | None
    ) -> tuple[Sequence[Charge], object]:
        lots = opening if isinstance(opening, tuple) else ()
        live = [lot for lot in lots if isinstance(lot, Lot) and ctx.active.start < lot.expires]
        expired = sum((lot.units for lot in lots if lot not in live), Fraction(0))
        used = ctx.usage.exact(self.metric, self.where)
        included = Fraction(self.included) * (ctx.share if ctx.is_partial else 1)
        unit = f" {self.unit}" if self.unit else ""
        need = used
        kept: list[Lot] = []
        from_lots = Fraction(0)
        for lot in sorted(live, key=lambda lot: lot.expires):
            take = min(need, lot.units)
            need -= take
            from_lots += take
            if lot.units > take:
                kept.append(Lot(lot.units - take, lot.expires))
        from_included = min(need, included)
        billable = need - from_included
        unused = included - from_included
        carried = unused * Fraction(self.rollover_percent) / 100
        expires = ctx.period.end + relativedelta(months=self.expires_after)
        if carried:
            kept.append(Lot(carried, expires))
        carried_in = sum((lot.units for lot in live), Fraction(0))
        label = self.description or self.name
        basis = (
            f"{fmt_quantity(billable)}{unit} x {self.rate} ({fmt_quantity(used)}{unit} used "
            f"less {fmt_quantity(from_lots)}{unit} carried over and "
            f"{fmt_quantity(from_included)}{unit} of {fmt_quantity(included)}{unit} included)"
        )
        charges = []
        if billable:
            charges.append(
                Charge(
                    description=label,
                    amount=rate_amount(billable, self.rate),
                    basis=basis,
                    quantity=billable,
                    unit=self.unit,
                    unit_price=self.rate.amount,
                    tags=self.tags,
                )
            )
        balance = sum((lot.units for lot in kept), Fraction(0))
        summary = (
            f"{fmt_quantity(carried_in)}{unit} carried in, {fmt_quantity(from_lots)}{unit} "
            f"of them used"
            + (f", {fmt_quantity(expired)}{unit} expired" if expired else "")
            + f"; {fmt_quantity(unused)}{unit} of this period's allowance unused, "
            f"{d.to_text(self.rollover_percent)}% of it carried on = {fmt_quantity(carried)}{unit}"
            + (f" (usable until {expires - dt.timedelta(days=1)})" if carried else "")
            + f"; {fmt_quantity(balance)}{unit} carried to the next period"
        )
        charges.append(
            Charge(
                description=f"{label}: allowance carried over",
                amount=0,
                basis=summary,
                quantity=balance,
                unit=self.unit,
            )
        )
        return charges, tuple(kept)


def _to_amount(value: object) -> Money:
    money = to_money(value, what="amount")
    if money.amount <= 0:
        raise ContractError(f"amount must be positive (got {money})")
    return money


def _to_bonus(value: object) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what="bonus")
    if money.amount < 0:
        raise ContractError(f"bonus must not be negative (got {money})")
    return money


def _to_on(value: object) -> dt.date:
    return to_date(value, "on")


def _to_expires(value: object) -> dt.date | None:
    return None if value is None else to_date(value, "expires")


@attrs.frozen
class PrepaidState:
    """What a prepaid balance carries: the amount left to draw."""

    balance: Fraction


@attrs.frozen
class Prepaid(CarryingComponent):
    """A balance of ``amount`` (plus a ``bonus``) bought in advance, available from
    ``on`` until ``expires`` (excluded), that the earlier lines with any of the tags
    ``of`` draw down invoice after invoice.

    Each invoice draws what its lines cost, up to the balance left, on a negative
    line that shows the drawdown and the balance remaining; what the balance no
    longer covers is billed. An invoice whose days straddle ``on`` or ``expires`` is
    refused (date them on billing periods), since its lines cannot tell which days
    the balance covers. The purchase itself is invoiced apart (a setup fee, say).

    >>> credit = Prepaid(
    ...     "Prepaid credit",
    ...     amount="1000.00 EUR",
    ...     bonus="100.00 EUR",
    ...     on="2026-01-01",
    ...     of={"usage"},
    ... )
    """

    amount: Money = attrs.field(kw_only=True, converter=_to_amount)
    on: dt.date = attrs.field(kw_only=True, converter=_to_on)
    bonus: Money | None = attrs.field(default=None, kw_only=True, converter=_to_bonus)
    expires: dt.date | None = attrs.field(default=None, kw_only=True, converter=_to_expires)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.expires is not None and self.expires <= self.on:
            raise ContractError(f"expires: {self.expires} is not after on ({self.on})")

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        values = [("amount", self.amount)]
        if self.bonus is not None:
            values.append(("bonus", self.bonus))
        return tuple(values)

    @property
    def bought(self) -> Fraction:
        """The balance bought: the amount and the bonus."""
        bonus = Fraction(0) if self.bonus is None else Fraction(self.bonus.amount)
        return Fraction(self.amount.amount) + bonus

    def price_carried(
        self, ctx: PricingContext, opening: object | None
    ) -> tuple[Sequence[Charge], object]:
        active = ctx.active
        for name, day in (("on", self.on), ("expires", self.expires)):
            if day is not None and active.start < day < active.end:
                raise PricingError(
                    f"{self.name!r}: {name} = {day} falls inside {active}, so the invoice's "
                    "lines cannot tell the days the balance covers: date it on a billing "
                    "period's first day"
                )
        label = self.description or self.name
        state = opening if isinstance(opening, PrepaidState) else PrepaidState(self.bought)
        if active.end <= self.on:
            return (), state
        if self.expires is not None and active.start >= self.expires:
            if state.balance == 0:
                return (), state
            lapsed = Charge(
                description=f"{label}: balance expired",
                amount=0,
                basis=f"{ctx.money(state.balance)} left unused expired on {self.expires}",
            )
            return (lapsed,), PrepaidState(Fraction(0))
        if state.balance == 0:  # used up: nothing more to draw or show
            return (), state
        cost = ctx.subtotal(self.of)
        drawn = max(Fraction(0), min(cost, state.balance))
        left = state.balance - drawn
        bought = f"{self.amount}" + (f" + {self.bonus} bonus" if self.bonus is not None else "")
        basis = (
            f"{ctx.money(drawn)} drawn from the prepaid balance of {ctx.money(state.balance)} "
            f"for {ctx.money(cost)} on {describe_tags(self.of)} (bought {bought} on {self.on}); "
            f"{ctx.money(left)} remaining"
        )
        if self.expires is not None:
            basis += f" until {self.expires - dt.timedelta(days=1)}"
        if left == 0 and drawn:
            basis += ": the balance is used up"
        credit = Charge(
            description=f"{label}: drawdown",
            amount=-drawn,
            basis=basis,
            quantity=left,
            unit=ctx.currency.code,
            tags=self.tags,
        )
        return (credit,), PrepaidState(left)
