"""Fixed fees: a recurring fee per period and a one-off setup fee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    fmt_quantity,
    to_date,
    to_positive,
)
from meterprice.money import Money, to_money

__all__ = ["RecurringFee", "SetupFee"]


def _to_quantity(value: object) -> Decimal:
    return to_positive(value, "quantity", allow_zero=True)


def _amount(value: object) -> Money:
    return to_money(value, what="amount")


@attrs.frozen
class RecurringFee(Component):
    """A fee per billing period, times a ``quantity`` (seats, licences).

    When the component is active for only part of a period (a start or end inside
    it), the fee is prorated by days in effect unless ``prorate`` is false.

    >>> platform = RecurringFee("Platform", amount="1500.00 EUR")
    >>> seats = RecurringFee("Agents", amount="2300.00 CNY", quantity=4, unit="agent")
    """

    amount: Money = attrs.field(kw_only=True, converter=_amount)
    quantity: Decimal = attrs.field(default=d.ONE, converter=_to_quantity, kw_only=True)
    prorate: bool = attrs.field(default=True, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        if self.quantity == 0:
            return ()
        quantity = Fraction(self.quantity)
        amount = quantity * Fraction(self.amount.amount)
        if self.quantity == 1:
            basis = f"{self.amount} per period"
        else:
            basis = (
                f"{fmt_quantity(quantity)}{' ' + self.unit if self.unit else ''} x {self.amount}"
            )
        if ctx.is_partial and self.prorate:
            # the quantity is prorated too, so that quantity x unit price = amount
            amount *= ctx.share
            quantity *= ctx.share
            basis += f" x {ctx.active.days}/{ctx.period.days} days (active {ctx.active})"
        return (
            Charge(
                description=self.description or self.name,
                amount=amount,
                basis=basis,
                quantity=quantity,
                unit=self.unit,
                unit_price=self.amount.amount,
                tags=self.tags,
            ),
        )


@attrs.frozen
class SetupFee(Component):
    """A one-off fee, invoiced in the period that contains the date ``on``.

    >>> SetupFee("Implementation", amount="4500.00 EUR", on="2026-11-02").on
    datetime.date(2026, 11, 2)
    """

    amount: Money = attrs.field(kw_only=True, converter=_amount)
    on: dt.date = attrs.field(kw_only=True, converter=to_date)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def one_off_dates(self) -> tuple[tuple[str, dt.date], ...]:
        return (("on", self.on),)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        if self.on not in ctx.active:
            return ()
        return (
            Charge(
                description=self.description or self.name,
                amount=Fraction(self.amount.amount),
                basis=f"one-off {self.amount} on {self.on.isoformat()}",
                tags=self.tags,
            ),
        )
