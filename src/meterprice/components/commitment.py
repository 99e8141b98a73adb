"""Minimum commitments across invoices: a spend committed per year, quarter or term,
invoiced per billing period, with the true-up on the last invoice of the commitment.
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
from meterprice.errors import ContractError, PricingError
from meterprice.money import Money, to_money
from meterprice.periods import Cycle, Period, Window

__all__ = ["Commitment", "CommitmentState"]


def _to_amount(value: object) -> Money:
    money = to_money(value, what="amount")
    if money.amount <= 0:
        raise ContractError(f"amount must be positive (got {money})")
    return money


def _to_anchor(value: object) -> dt.date | None:
    return None if value is None else to_date(value, "anchor")


@attrs.frozen
class CommitmentState:
    """What a commitment carries: its current commitment period and the spend
    counted toward it so far (true-up included).
    """

    period: Period
    consumed: Fraction


def meet(one: Window, other: Window) -> Window | None:
    """The days both windows share, or ``None`` when they do not meet."""
    starts = [w.start for w in (one, other) if w.start is not None]
    ends = [w.end for w in (one, other) if w.end is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and start >= end:
        return None
    return Window(start, end)


@attrs.frozen
class Commitment(CarryingComponent):
    """A minimum spend of ``amount`` per commitment period (``per`` a ``"year"``, a
    ``"quarter"`` or the ``"term"``), counted on the earlier lines with any of the
    tags ``of`` (every earlier line when ``None``) of every invoice in it.

    Each invoice shows the commitment consumed so far on a line of zero amount; the
    last invoice of the commitment period adds a true-up line that lifts the spend to
    the commitment. When the term (or the component's window) covers only part of a
    commitment period, the commitment is prorated by days: a term that ends in July
    commits to the days until then and trues up on its last invoice. Commitment
    years and quarters start on ``anchor`` (by default the term's start, else
    1 January) and must start on billing periods.

    >>> commitment = Commitment("Annual commitment", amount="120000.00 EUR", per="year")
    """

    amount: Money = attrs.field(kw_only=True, converter=_to_amount)
    per: Literal["year", "quarter", "term"] = attrs.field(
        default="year",
        kw_only=True,
        validator=attrs.validators.in_(("year", "quarter", "term")),
    )
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    anchor: dt.date | None = attrs.field(default=None, converter=_to_anchor, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.of

    def commitment_period(self, day: dt.date, window: Window) -> Period:
        """The commitment period containing ``day`` (inside ``window``, the days the
        commitment is in force).
        """
        if self.per == "term":
            if window.start is None or window.end is None:
                raise PricingError(
                    f"{self.name!r} commits per term, but the term has no "
                    f"{'start' if window.start is None else 'end'}: give the contract a "
                    "term with a start and an end"
                )
            return Period(window.start, window.end)
        anchor = self.anchor or window.start or dt.date(2000, 1, 1)
        return Cycle(self.per, anchor).period_of(day)

    def price_carried(
        self, ctx: PricingContext, opening: object | None
    ) -> tuple[Sequence[Charge], object]:
        window = meet(ctx.term, self.active)
        assert window is not None  # the component is active in ctx.active
        committed = self.commitment_period(ctx.active.start, window)
        if not (committed.start <= ctx.period.start and ctx.period.end <= committed.end):
            raise PricingError(
                f"{self.name!r}: the billing period {ctx.period} is not inside one "
                f"commitment period ({committed} contains its first day): commitment "
                "periods must start on billing periods (set anchor)"
            )
        before = Fraction(0)
        if isinstance(opening, CommitmentState) and opening.period == committed:
            before = opening.consumed
        spent = ctx.subtotal(self.of)
        consumed = before + spent
        in_force = committed.overlap(window)
        assert in_force is not None
        required = ctx.round(Fraction(self.amount.amount) * in_force.days / committed.days)
        label = self.description or self.name
        what = f"{ctx.money(required)} for {committed}"
        if in_force != committed:
            what += f" ({self.amount} x {in_force.days}/{committed.days} days in force)"
        so_far = (
            f"{ctx.money(consumed)} consumed of {what} ({ctx.money(before)} before this "
            f"invoice + {ctx.money(spent)} on {describe_tags(self.of)})"
        )
        if ctx.active.end < in_force.end:  # not the last invoice of the commitment
            progress = Charge(
                description=f"{label}: consumed so far",
                amount=0,
                basis=so_far,
                quantity=consumed,
                unit=ctx.currency.code,
            )
            return (progress,), CommitmentState(committed, consumed)
        shortfall = max(Fraction(0), required - consumed)
        if shortfall == 0:
            met = Charge(
                description=f"{label}: met",
                amount=0,
                basis=so_far + ": no true-up",
                quantity=consumed,
                unit=ctx.currency.code,
            )
            return (met,), CommitmentState(committed, consumed)
        true_up = Charge(
            description=f"{label}: true-up",
            amount=shortfall,
            basis=f"{so_far}: {ctx.money(required)} less {ctx.money(consumed)}",
            tags=self.tags,
        )
        return (true_up,), CommitmentState(committed, consumed + shortfall)
