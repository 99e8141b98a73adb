"""Pricing one component directly, as a wrapping component sees it, and the fields of
a line: shared by the tests that pin what a line or a charge carries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from meterprice.components.base import PricingContext
from meterprice.invoice import Line
from meterprice.money import Currency, Rounding
from meterprice.periods import Period
from meterprice.usage import Usage


def context(
    usage: Usage | Mapping[Any, object] | None = None,
    *,
    period: Period | None = None,
    lines: Sequence[Line] = (),
    currency: str = "EUR",
    **extra: Any,
) -> PricingContext:
    """A context over a whole ``period`` (November 2026 unless given), rounded half up;
    ``usage`` is a summary, totals for :meth:`Usage.from_totals`, or none at all."""
    period = Period.month(2026, 11) if period is None else period
    if usage is None:
        usage = Usage.empty()
    elif not isinstance(usage, Usage):
        usage = Usage.from_totals(usage)
    return PricingContext(
        period=period,
        active=period,
        usage=usage,
        lines=tuple(lines),
        currency=Currency.of(currency),
        rounding=Rounding.HALF_UP,
        **extra,
    )


def fields(line: Line) -> tuple[object, ...]:
    """Every field of ``line`` that a reader of the invoice sees, the amount as text."""
    return (
        line.description,
        str(line.amount),
        line.basis,
        line.quantity,
        line.unit,
        line.unit_price,
        line.tags,
    )
