"""Charging by the day: a fee per calendar day (and per agent) in peak periods.

The seeds' "charge by day" model (Double 11, Double 12, a product launch, a trial
cooperation), usually combined with a monthly fee in the same contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice.calendars import Calendar, format_days
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    fmt_quantity,
    positive_decimal,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.money import Money, to_money

__all__ = ["DayRate"]


def _rate(value: object) -> Money:
    return to_money(value, what="rate")


def _check_calendar(instance: object, attribute: attrs.Attribute[Calendar], value: object) -> None:
    if not isinstance(value, Calendar):
        raise InvalidTypeError(f"calendar must be a Calendar, not {value!r}")


_to_agents = positive_decimal("agents")


def _optional_agents(value: object) -> Decimal | None:
    return None if value is None else _to_agents(value)


def _optional_metric(
    instance: object, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


def _check_dimension(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(
            f"{attribute.name} must be a non-empty dimension name, not {value!r}"
        )


def _plural(count: Fraction | int, word: str) -> str:
    return f"{fmt_quantity(count)} {word}{'' if count == 1 else 's'}"


@attrs.frozen
class DayRate(Component):
    """A fee per day for the days of a :class:`~meterprice.Calendar`, per agent.

    Only days inside the calendar, the component's active window and the billing
    period count, so a partial period needs no proration. Each named range of the
    calendar gets its own line, listing its days compactly
    (``Double 11: 2026-11-01..2026-11-11 (11 days) x 2 agents x 800.00 CNY``); a day
    in two ranges is charged once, on the line of the first range.

    The number of agents is ``agents`` (one when not given), or, with ``metric``,
    read from usage per day: the usage of ``metric`` (agents booked) grouped by the
    dimension ``day_dimension`` whose values are ISO dates (``"2026-11-03"``); only
    booked days inside the calendar are charged. Raw booking events count in the
    period their timestamp falls in, so timestamp them on the day they book.

    >>> peaks = Calendar([YearlyRange("Double 11", "11-01", "11-11")])
    >>> peak = DayRate("Peak support", calendar=peaks, rate="800.00 CNY", agents=2)
    >>> contract = Contract("Shop", "CNY", [peak])
    >>> contract.invoice({}, "2026-11").lines[0].basis
    'Double 11: 2026-11-01..2026-11-11 (11 days) x 2 agents x 800.00 CNY'
    """

    calendar: Calendar = attrs.field(kw_only=True, validator=_check_calendar)
    rate: Money = attrs.field(kw_only=True, converter=_rate)
    agents: Decimal | None = attrs.field(default=None, converter=_optional_agents, kw_only=True)
    metric: str | None = attrs.field(default=None, validator=_optional_metric, kw_only=True)
    day_dimension: str = attrs.field(default="day", validator=_check_dimension, kw_only=True)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.metric is not None and self.agents is not None:
            raise ContractError(
                f"component {self.name!r}: give either a fixed number of agents "
                f"({self.agents}) or a metric of agents per day ({self.metric!r}), not both"
            )
        if self.metric is None and self.where:
            raise ContractError(
                f"component {self.name!r}: where ({self.where}) filters usage, so it needs a metric"
            )

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset() if self.metric is None else frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return () if self.metric is None else (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        return (("rate", self.rate),)

    def _booked(self, ctx: PricingContext) -> dict[dt.date, Fraction]:
        """Agents booked per day, from the usage of ``metric`` grouped by day."""
        assert self.metric is not None
        booked: dict[dt.date, Fraction] = {}
        for dims, quantity in ctx.usage.groups(
            self.metric, [self.day_dimension], self.where
        ).items():
            text = dims.get(self.day_dimension)
            if text is None:
                raise PricingError(
                    f"component {self.name!r}: usage of {self.metric!r} "
                    f"({fmt_quantity(quantity)} in all) has no {self.day_dimension!r} "
                    "dimension to tell which day it was booked for"
                )
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise PricingError(
                    f"component {self.name!r}: usage of {self.metric!r} has "
                    f"{self.day_dimension}={text!r}, which is not an ISO date (YYYY-MM-DD)"
                ) from None
            booked[day] = booked.get(day, Fraction(0)) + quantity
        for day, quantity in booked.items():
            if quantity < 0:
                raise PricingError(
                    f"component {self.name!r}: usage of {self.metric!r} books "
                    f"{fmt_quantity(quantity)} agents on {day}, a negative number"
                )
        return booked

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        label = self.description or self.name
        booked = None if self.metric is None else self._booked(ctx)
        charges = []
        for name, days in self.calendar.days_by_name(ctx.active):
            if booked is None:
                agents = Fraction(1 if self.agents is None else self.agents)
                quantity = len(days) * agents
                basis = f"{name}: {format_days(days)} ({_plural(len(days), 'day')})"
                if self.agents is not None:
                    basis += f" x {_plural(agents, 'agent')}"
                unit = "day" if self.agents is None else "agent-day"
            else:
                billed = tuple(day for day in days if booked.get(day, 0) > 0)
                if not billed:
                    continue
                quantity = sum((booked[day] for day in billed), Fraction(0))
                basis = (
                    f"{name}: {format_days(billed)} ({_plural(len(billed), 'day')}), "
                    f"{_plural(quantity, 'agent-day')} booked"
                )
                unit = "agent-day"
            charges.append(
                Charge(
                    description=f"{label} ({name})",
                    amount=quantity * Fraction(self.rate.amount),
                    basis=f"{basis} x {self.rate}",
                    quantity=quantity,
                    unit=self.unit or unit,
                    unit_price=self.rate.amount,
                    tags=self.tags,
                )
            )
        return charges
