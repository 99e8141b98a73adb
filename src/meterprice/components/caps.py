"""Components that lower the lines already priced: a maximum (cap) and a discount.

Both read the subtotal of earlier lines with any of the tags ``of`` (every earlier
line when ``of`` is ``None``) and add a negative credit line. Components after them
are not affected, so place them after the lines they constrain.
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
    describe_tags,
    to_reading_tags,
)
from meterprice.errors import ContractError
from meterprice.money import Money, to_money

__all__ = ["Discount", "Maximum"]


def _positive_money(what: str, value: object) -> Money:
    money = to_money(value, what=what)
    if money.amount <= 0:
        raise ContractError(f"{what} must be positive (got {money})")
    return money


def _cap_amount(value: object) -> Money:
    return _positive_money("amount", value)


def _optional_amount(value: object) -> Money | None:
    return None if value is None else _positive_money("amount", value)


def _optional_percent(value: object) -> Decimal | None:
    if value is None:
        return None
    percent = d.to_decimal(value, what="percent")
    if not 0 < percent <= 100:
        raise ContractError(f"percent must be more than 0 and at most 100 (got {value!r})")
    return percent


@attrs.frozen
class Maximum(Component):
    """A cap on the subtotal of earlier lines with any of the tags ``of``: when they add
    up to more than ``amount``, a negative credit line brings them down to it.

    With ``prorate`` the cap is scaled by the share of the period in which the
    component is active. The cap is rounded to the minor unit by the contract's
    policy, so the capped subtotal never exceeds it. Tag the Maximum like the lines
    it caps for later components (a percentage) to see the capped subtotal.

    >>> cap = Maximum("Usage cap", amount="20000.00 CNY", of={"usage"}, tags={"usage"})
    """

    amount: Money = attrs.field(kw_only=True, converter=_cap_amount)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    prorate: bool = attrs.field(default=False, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        return (("amount", self.amount),)

    def cap(self, ctx: PricingContext) -> Fraction:
        """The cap for ``ctx``'s period, rounded to the minor unit."""
        cap = Fraction(self.amount.amount)
        if self.prorate and ctx.is_partial:
            cap *= ctx.share
        return ctx.round(cap)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        cap = self.cap(ctx)
        base = ctx.subtotal(self.of)
        if base <= cap:
            return ()
        basis = f"{ctx.money(base)} ({describe_tags(self.of)}) capped at {ctx.money(cap)}"
        if self.prorate and ctx.is_partial:
            basis += f" ({self.amount} x {ctx.active.days}/{ctx.period.days} days)"
        return (
            Charge(
                description=self.description or self.name,
                amount=cap - base,
                basis=basis,
                tags=self.tags,
            ),
        )


@attrs.frozen
class Discount(Component):
    """A discount on the subtotal of earlier lines with any of the tags ``of``: either
    ``percent`` of it (more than 0, at most 100) or a fixed ``amount`` in the
    contract's currency, as a negative line.

    A discount never pushes the subtotal below zero: a fixed amount larger than the
    subtotal is limited to it, and nothing is discounted when the subtotal is zero or
    negative. With ``prorate`` a fixed amount is scaled by the share of the period in
    which the component is active.

    >>> launch = Discount("Launch discount", percent=10, of={"usage"})
    >>> loyalty = Discount("Loyalty", amount="500.00 CNY")
    """

    percent: Decimal | None = attrs.field(default=None, converter=_optional_percent, kw_only=True)
    amount: Money | None = attrs.field(default=None, converter=_optional_amount, kw_only=True)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    prorate: bool = attrs.field(default=False, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ContractError(
                f"component {self.name!r}: give exactly one of percent and amount "
                f"(got percent={self.percent}, amount={self.amount})"
            )
        if self.prorate and self.percent is not None:
            raise ContractError(
                f"component {self.name!r}: prorate applies to a fixed amount, "
                f"not to a percentage ({self.percent}%)"
            )

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        return () if self.amount is None else (("amount", self.amount),)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        base = ctx.subtotal(self.of)
        if base <= 0:
            return ()
        subtotal = f"{ctx.money(base)} ({describe_tags(self.of)})"
        if self.percent is not None:
            return (
                Charge(
                    description=self.description or self.name,
                    amount=-base * Fraction(self.percent) / 100,
                    basis=f"{self.percent:f}% off {subtotal}",
                    quantity=base,
                    unit=ctx.currency.code,
                    unit_price=d.neg(self.percent.scaleb(-2, d.EXACT)),
                    tags=self.tags,
                ),
            )
        assert self.amount is not None
        off = Fraction(self.amount.amount)
        basis = str(self.amount)
        if self.prorate and ctx.is_partial:
            off *= ctx.share
            basis += f" x {ctx.active.days}/{ctx.period.days} days = {ctx.money(off)}"
        if off > base:
            off = base
            basis += f" off, limited to the subtotal {subtotal}"
        else:
            basis += f" off {subtotal}"
        return (
            Charge(
                description=self.description or self.name,
                amount=-off,
                basis=basis,
                tags=self.tags,
            ),
        )
