"""Quota: a fee that buys a required volume of business, with a shortfall credit.

The seeds' monthly model charges "a fixed fee every month" for which the provider
must "complete a fixed amount of business" (18,000 CNY per month for 6,000
consultations). :class:`Quota` charges the fee and, when less than the required
volume was delivered, credits the shortfall pro rata on its own negative line, so the
invoice shows both the promise and what was missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    check_metric,
    fmt_quantity,
    to_positive,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError
from meterprice.money import Money, to_money

__all__ = ["Quota"]


def _to_required(value: object) -> Decimal:
    return to_positive(value, "required")


def _to_fee(value: object) -> Money:
    fee = to_money(value, what="fee")
    if fee.amount < 0:
        raise ContractError(f"fee must not be negative (got {value!r})")
    return fee


def _optional_money(value: object, what: str) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what=what)
    if money.amount < 0:
        raise ContractError(f"{what} must not be negative (got {value!r})")
    return money


def _to_max_credit(value: object) -> Money | None:
    return _optional_money(value, "max_credit")


def _to_bonus_rate(value: object) -> Money | None:
    return _optional_money(value, "bonus_rate")


def _to_max_credit_percent(value: object) -> Decimal | None:
    if value is None:
        return None
    percent = d.to_decimal(value, what="max_credit_percent")
    if not 0 <= percent <= 100:
        raise ContractError(f"max_credit_percent must be 0 to 100 (got {value!r})")
    return percent


def _exact_decimal(value: Fraction) -> Decimal | None:
    """``value`` as a Decimal when it has a finite decimal expansion, else ``None``."""
    shown = d.fraction_to_decimal(value)
    return shown if Fraction(shown) == value else None


@attrs.frozen
class Quota(Component):
    """A ``fee`` per period that requires ``required`` units of ``metric``.

    When less was delivered, each missing unit is credited at ``fee / required``
    on a negative line of its own; ``max_credit`` (an amount) or
    ``max_credit_percent`` (a percentage of the fee) caps that credit, and the
    credit never exceeds the fee. Exceeding the quota earns nothing unless a
    ``bonus_rate`` per unit above it is given. With ``prorate`` (the default) a
    period in which the component is active for only some days scales the fee, the
    required volume and an amount cap by the share of days.

    >>> quota = Quota(
    ...     "Monthly package",
    ...     metric="consultations",
    ...     required=6000,
    ...     fee="18000.00 CNY",
    ...     unit="consultation",
    ... )
    >>> invoice = Contract("Shop", "CNY", [quota]).invoice({"consultations": 5500}, "2026-11")
    >>> [str(line.amount) for line in invoice.lines]  # 500 missing x 18000.00 / 6000 = 1500
    ['18000.00 CNY', '-1500.00 CNY']
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    required: Decimal = attrs.field(kw_only=True, converter=_to_required)
    fee: Money = attrs.field(kw_only=True, converter=_to_fee)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    max_credit: Money | None = attrs.field(default=None, kw_only=True, converter=_to_max_credit)
    max_credit_percent: Decimal | None = attrs.field(
        default=None, kw_only=True, converter=_to_max_credit_percent
    )
    bonus_rate: Money | None = attrs.field(default=None, kw_only=True, converter=_to_bonus_rate)
    prorate: bool = attrs.field(default=True, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.max_credit is not None and self.max_credit_percent is not None:
            raise ContractError(
                f"component {self.name!r}: give max_credit or max_credit_percent, not both"
            )

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        values = [("fee", self.fee)]
        if self.max_credit is not None:
            values.append(("max_credit", self.max_credit))
        if self.bonus_rate is not None:
            values.append(("bonus_rate", self.bonus_rate))
        return tuple(values)

    def share(self, ctx: PricingContext) -> Fraction:
        """The share of the period that scales the fee and the quota (1 when whole)."""
        return ctx.share if self.prorate and ctx.is_partial else Fraction(1)

    def credit_cap(self, ctx: PricingContext) -> Fraction:
        """The largest credit for ``ctx``'s period: the (prorated) fee, or less when capped."""
        fee = Fraction(self.fee.amount) * self.share(ctx)
        if self.max_credit is not None:
            return min(fee, Fraction(self.max_credit.amount) * self.share(ctx))
        if self.max_credit_percent is not None:
            return fee * Fraction(self.max_credit_percent) / 100
        return fee

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        share = self.share(ctx)
        prorated = share != 1
        unit = f" {self.unit}" if self.unit else ""
        label = self.description or self.name
        fee = Fraction(self.fee.amount) * share
        required = Fraction(self.required) * share
        scaled = f" x {ctx.active.days}/{ctx.period.days} days (active {ctx.active})"
        basis = f"{self.fee} per period for {self.required:f}{unit}"
        charges = [
            Charge(
                description=label,
                amount=fee,
                basis=basis + (scaled if prorated else ""),
                quantity=Fraction(1),
                unit_price=self.fee.amount,
                tags=self.tags,
            )
        ]
        used = ctx.usage.exact(self.metric, self.where)
        quota = f"{fmt_quantity(required)}{unit}"
        if prorated:
            quota += f" ({self.required:f}{unit} x {ctx.active.days}/{ctx.period.days} days)"
        if used < required:
            charges.append(
                self._credit(ctx, label=label, unit=unit, quota=quota, required=required, used=used)
            )
        elif used > required and self.bonus_rate is not None:
            excess = used - required
            charges.append(
                Charge(
                    description=f"{label}: bonus above the quota",
                    amount=excess * Fraction(self.bonus_rate.amount),
                    basis=(
                        f"{fmt_quantity(used)}{unit} used less {quota} required = "
                        f"{fmt_quantity(excess)}{unit} x {self.bonus_rate}"
                    ),
                    quantity=excess,
                    unit=self.unit,
                    unit_price=self.bonus_rate.amount,
                    tags=self.tags,
                )
            )
        return charges

    def _credit(
        self,
        ctx: PricingContext,
        *,
        label: str,
        unit: str,
        quota: str,
        required: Fraction,
        used: Fraction,
    ) -> Charge:
        missing = required - used
        per_unit = Fraction(self.fee.amount) / Fraction(self.required)
        credit = missing * per_unit
        basis = (
            f"{quota} required less {fmt_quantity(used)}{unit} used = "
            f"{fmt_quantity(missing)}{unit} missing x {self.fee} / {self.required:f}{unit}"
        )
        cap = self.credit_cap(ctx)
        unit_price = _exact_decimal(-per_unit)
        if credit > cap:
            credit = cap
            unit_price = None
            basis += f" = {ctx.money(missing * per_unit)}, capped at {ctx.money(cap)}"
            if self.max_credit_percent is not None:
                basis += f" ({self.max_credit_percent:f}% of the fee)"
            elif self.max_credit is None:
                basis += " (the fee)"
        return Charge(
            description=f"{label}: shortfall credit",
            amount=-credit,
            basis=basis,
            quantity=missing,
            unit=self.unit,
            unit_price=unit_price,
            tags=self.tags,
        )
