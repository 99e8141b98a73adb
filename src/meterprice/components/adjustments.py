"""Components that read the lines already priced: a percentage surcharge and minimums."""

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
    describe_tags,
    fmt_quantity,
    rate_amount,
    to_positive,
    to_reading_tags,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError
from meterprice.money import Money, to_money

__all__ = ["MinimumSpend", "MinimumVolume", "Percentage"]


def _to_amount(value: object) -> Money:
    return to_money(value, what="amount")


def _to_rate(value: object) -> Money:
    return to_money(value, what="rate")


def _to_quantity(value: object) -> Decimal:
    return to_positive(value, "quantity")


def _percent(value: object) -> Decimal:
    number = d.to_decimal(value, what="percent")
    if number < 0:
        raise ContractError(f"percent must not be negative (got {value!r})")
    return number


@attrs.frozen
class Percentage(Component):
    """A percentage of the subtotal of earlier lines with any of the tags ``of``
    (``None``: every earlier line), such as project management at 6 % of usage.

    The subtotal is the sum of the rounded lines it names; the percentage line is
    rounded once.

    >>> pm = Percentage("Project management", percent=6, of={"usage"})
    """

    percent: Decimal = attrs.field(kw_only=True, converter=_percent)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        base = ctx.subtotal(self.of)
        if base == 0:
            return ()
        rate = Fraction(self.percent) / 100
        return (
            Charge(
                description=self.description or self.name,
                amount=base * rate,
                basis=(
                    f"{d.to_text(self.percent)}% of {ctx.money(base)} ({describe_tags(self.of)})"
                ),
                quantity=base,
                unit=ctx.currency.code,
                unit_price=self.percent.scaleb(-2, d.EXACT),
                tags=self.tags,
            ),
        )


@attrs.frozen
class MinimumSpend(Component):
    """A floor on the subtotal of earlier lines with any of the tags ``of``: when they
    add up to less than ``amount``, a true-up line lifts them to it.

    With ``prorate`` the floor is scaled by the share of the period in which the
    component is active (a partial first month). The floor is rounded to the minor
    unit by the contract's policy, so the constrained subtotal is never below it.

    >>> floor = MinimumSpend("Minimum monthly spend", amount="5000.00 EUR", of={"usage"})
    """

    amount: Money = attrs.field(kw_only=True, converter=_to_amount)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    prorate: bool = attrs.field(default=False, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    def floor(self, ctx: PricingContext) -> Fraction:
        """The floor for ``ctx``'s period, rounded to the minor unit."""
        floor = Fraction(self.amount.amount)
        if self.prorate and ctx.is_partial:
            floor *= ctx.share
        return ctx.round(floor)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        floor = self.floor(ctx)
        base = ctx.subtotal(self.of)
        if base >= floor:
            return ()
        basis = f"minimum {ctx.money(floor)}"
        if self.prorate and ctx.is_partial:
            basis += f" ({self.amount} x {ctx.active.days}/{ctx.period.days} days)"
        basis += f" less {ctx.money(base)} ({describe_tags(self.of)})"
        return (
            Charge(
                description=self.description or self.name,
                amount=floor - base,
                basis=basis,
                tags=self.tags,
            ),
        )


@attrs.frozen
class MinimumVolume(Component):
    """A minimum quantity of a metric per period; the shortfall is billed at ``rate``
    (the 5CA pay-per-use model's "minimum volume to guarantee quality of service").

    With ``prorate`` (the default) the minimum is scaled by the share of the period in
    which the component is active.

    >>> minimum = MinimumVolume(
    ...     "Minimum volume", metric="handle_minutes", quantity=2000, rate="0.90 EUR"
    ... )
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    quantity: Decimal = attrs.field(kw_only=True, converter=_to_quantity)
    rate: Money = attrs.field(kw_only=True, converter=_to_rate)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    prorate: bool = attrs.field(default=True, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    def required(self, ctx: PricingContext) -> Fraction:
        """The minimum quantity for ``ctx``'s period (prorated when partial)."""
        required = Fraction(self.quantity)
        if self.prorate and ctx.is_partial:
            required *= ctx.share
        return required

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        required = self.required(ctx)
        used = ctx.usage.exact(self.metric, self.where)
        shortfall = required - used
        if shortfall <= 0:
            return ()
        unit = f" {self.unit}" if self.unit else ""
        basis = f"minimum {fmt_quantity(required)}{unit}"
        if self.prorate and ctx.is_partial:
            days = f"{ctx.active.days}/{ctx.period.days} days"
            basis += f" ({d.to_text(self.quantity)}{unit} x {days})"
        basis += (
            f" less {fmt_quantity(used)}{unit} used = {fmt_quantity(shortfall)}{unit} x {self.rate}"
        )
        return (
            Charge(
                description=self.description or self.name,
                amount=rate_amount(shortfall, self.rate),
                basis=basis,
                quantity=shortfall,
                unit=self.unit,
                unit_price=self.rate.amount,
                tags=self.tags,
            ),
        )
