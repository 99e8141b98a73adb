"""Ceilings across invoices: a not-to-exceed amount over the term or per contract
year, as public-sector support contracts carry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

import attrs

from meterprice.components.base import (
    Charge,
    PricingContext,
    describe_tags,
    to_date,
    to_reading_tags,
)
from meterprice.components.carrying import CarryingComponent
from meterprice.components.commitment import meet
from meterprice.errors import ContractError, PricingError
from meterprice.money import Money, to_money
from meterprice.periods import Cycle, Period

__all__ = ["Ceiling", "CeilingState"]


def _to_amount(value: object) -> Money:
    money = to_money(value, what="amount")
    if money.amount <= 0:
        raise ContractError(f"amount must be positive (got {money})")
    return money


def _to_anchor(value: object) -> dt.date | None:
    return None if value is None else to_date(value, "anchor")


@attrs.frozen
class CeilingState:
    """What a ceiling carries: its current ceiling period (``None``: the whole term)
    and the amount billed toward it so far.
    """

    period: Period | None
    consumed: Fraction


@attrs.frozen
class Ceiling(CarryingComponent):
    """A not-to-exceed ``amount`` on the earlier lines with any of the tags ``of``
    (every earlier line when ``None``), over the whole term (``per = "term"``) or per
    contract ``"year"`` (from ``anchor``: by default the term's start, else 1 January).

    Each invoice shows what was billed toward the ceiling and what remains, on a line
    of zero amount. The invoice that reaches the ceiling is capped by a credit line
    that says so. After it, ``after = "nothing"`` bills nothing (every later invoice's
    lines are credited in full) and ``after = "refuse"`` refuses any invoice that
    would bill more.

    >>> ceiling = Ceiling("Not to exceed", amount="85000.00 EUR", per="term")
    """

    amount: Money = attrs.field(kw_only=True, converter=_to_amount)
    per: Literal["term", "year"] = attrs.field(
        default="term", kw_only=True, validator=attrs.validators.in_(("term", "year"))
    )
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    after: Literal["nothing", "refuse"] = attrs.field(
        default="nothing", kw_only=True, validator=attrs.validators.in_(("nothing", "refuse"))
    )
    anchor: dt.date | None = attrs.field(default=None, converter=_to_anchor, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    def ceiling_period(self, ctx: PricingContext) -> Period | None:
        """The contract year of ``ctx``'s invoice (``None`` for a ceiling over the term)."""
        if self.per == "term":
            return None
        window = meet(ctx.term, self.active)
        assert window is not None  # the component is active in ctx.active
        anchor = self.anchor or window.start or dt.date(2000, 1, 1)
        year = Cycle("year", anchor).period_of(ctx.active.start)
        if not (year.start <= ctx.period.start and ctx.period.end <= year.end):
            raise PricingError(
                f"{self.name!r}: the billing period {ctx.period} is not inside one contract "
                f"year ({year} contains its first day): contract years must start on "
                "billing periods (set anchor)"
            )
        return year

    def price_carried(
        self, ctx: PricingContext, opening: object | None
    ) -> tuple[Sequence[Charge], object]:
        period = self.ceiling_period(ctx)
        before = Fraction(0)
        if isinstance(opening, CeilingState) and opening.period == period:
            before = opening.consumed
        ceiling = Fraction(self.amount.amount)
        remaining = ceiling - before
        billed = ctx.subtotal(self.of)
        label = self.description or self.name
        over = "the term" if period is None else str(period)
        lines = describe_tags(self.of)
        if billed <= remaining:
            consumed = before + billed
            progress = Charge(
                description=f"{label}: consumed so far",
                amount=0,
                basis=(
                    f"{ctx.money(consumed)} billed of the {self.amount} ceiling over {over} "
                    f"({ctx.money(before)} before this invoice + {ctx.money(billed)} on "
                    f"{lines}); {ctx.money(ceiling - consumed)} remaining"
                ),
                quantity=consumed,
                unit=ctx.currency.code,
            )
            return (progress,), CeilingState(period, consumed)
        if remaining <= 0 and self.after == "refuse":
            raise PricingError(
                f"{label!r}: the {self.amount} ceiling over {over} was reached before "
                f"{ctx.active}, and the contract refuses billing after it "
                f"({ctx.money(billed)} on {lines} in this invoice)"
            )
        allowed = max(Fraction(0), remaining)
        if allowed:
            basis = (
                f"{ctx.money(billed)} on {lines} capped at the {ctx.money(allowed)} "
                f"remaining under the {self.amount} ceiling over {over} "
                f"({ctx.money(before)} billed before): ceiling reached"
            )
            description = f"{label}: ceiling reached"
        else:
            basis = (
                f"the {self.amount} ceiling over {over} was reached before: "
                f"{ctx.money(billed)} on {lines} not billed"
            )
            description = f"{label}: nothing billed after the ceiling"
        credit = Charge(
            description=description, amount=allowed - billed, basis=basis, tags=self.tags
        )
        return (credit,), CeilingState(period, before + allowed)
