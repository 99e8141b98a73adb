"""Escalators: the rates of a component uplifted every contract year, by a fixed
percentage or by a price index (CPI) given as data, with a floor and a cap.

An :class:`Escalator` wraps the component it escalates. On each anniversary of
``anniversary`` the factor in force steps: by ``1 + percent/100`` (compounded, or
added up with ``compound=False``), or by the ratio of the index values on that
anniversary and on the one before, its change kept within ``floor`` and ``cap``
(percent). A step takes effect from the first billing period that starts on or
after its anniversary, so one period never has two rates.

Where the rounding happens is declared (``round_at``): ``"line"`` applies the exact
factor to each line of the component, rounded once as every line is; ``"rate"``
escalates every amount of the component (rates, fees, minimums) and rounds each to
``places`` decimals before pricing; ``"factor"`` rounds the factor to ``places``
decimals and escalates the amounts exactly by it. Each line says the base rate, the
factor and where it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs
from dateutil.relativedelta import relativedelta

from meterprice import _decimal as d
from meterprice.components.base import Charge, Component, PricingContext, to_date
from meterprice.dimensions import Where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import exact_text
from meterprice.money import Money
from meterprice.periods import Window

__all__ = ["Escalator", "IndexValue"]


def _to_index_value(value: object) -> Decimal:
    number = d.to_decimal(value, what="index value")
    if number <= 0:
        raise ContractError(f"an index value must be positive (got {value!r})")
    return number


def _on(value: object) -> dt.date:
    return to_date(value, "on")


@attrs.frozen
class IndexValue:
    """The value of a price index published for a date (the first of its month, say).

    >>> IndexValue("2026-01-01", "118.4").value
    Decimal('118.4')
    """

    on: dt.date = attrs.field(converter=_on)
    value: Decimal = attrs.field(converter=_to_index_value)


def _to_component(value: object) -> Component:
    if not isinstance(value, Component):
        raise InvalidTypeError(f"component must be a Component, not {value!r}")
    if value.tags:
        raise ContractError(
            "component: put the tags on the escalator, not on the component it escalates "
            f"(got {', '.join(sorted(value.tags))})"
        )
    if value.active != Window():
        raise ContractError(
            "component: put the active window on the escalator, not on the component it escalates"
        )
    if type(value).__name__ in ("Commission", "Escalator"):
        raise ContractError(
            f"component: a {type(value).__name__} cannot be escalated: "
            + (
                "its amounts are bounds on sales, not prices"
                if type(value).__name__ == "Commission"
                else "escalate the component once"
            )
        )
    return value


def _to_index(value: object) -> tuple[IndexValue, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidTypeError(f"index must be a list of IndexValue, not {value!r}")
    index = tuple(value)
    for position, item in enumerate(index):
        if not isinstance(item, IndexValue):
            raise InvalidTypeError(f"index[{position}] is not an IndexValue: {item!r}")
        if position and item.on <= index[position - 1].on:
            raise ContractError(
                f"index[{position}]: the dates must increase ({item.on} after "
                f"{index[position - 1].on})"
            )
    return index


def _optional_percent(value: object) -> Decimal | None:
    return None if value is None else d.to_decimal(value, what="percent")


def _anniversary(value: object) -> dt.date:
    return to_date(value, "anniversary")


def _places(value: object) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 <= value <= 12:
        raise ContractError(f"places must be a whole number from 0 to 12 (got {value!r})")
    return value


@attrs.frozen
class Escalator(Component):
    """The component ``component`` with its rates escalated every contract year from
    ``anniversary``: by ``percent`` a year, or by the price ``index`` with its yearly
    change kept within ``floor`` and ``cap`` percent. ``round_at`` declares where the
    rounding happens (``"line"``, ``"rate"`` or ``"factor"``, with ``places``).

    >>> minutes = PerUnit("Minutes", metric="handle_minutes", rate="0.95 EUR")
    >>> uplift = Escalator("Minutes", component=minutes, anniversary="2026-01-01", percent=3)
    >>> uplift.factor(dt.date(2028, 1, 1))
    Fraction(10609, 10000)
    """

    component: Component = attrs.field(kw_only=True, converter=_to_component)
    anniversary: dt.date = attrs.field(kw_only=True, converter=_anniversary)
    percent: Decimal | None = attrs.field(default=None, kw_only=True, converter=_optional_percent)
    index: tuple[IndexValue, ...] = attrs.field(default=(), kw_only=True, converter=_to_index)
    floor: Decimal | None = attrs.field(default=None, kw_only=True, converter=_optional_percent)
    cap: Decimal | None = attrs.field(default=None, kw_only=True, converter=_optional_percent)
    compound: bool = attrs.field(default=True, kw_only=True)
    round_at: Literal["line", "rate", "factor"] = attrs.field(
        default="line", kw_only=True, validator=attrs.validators.in_(("line", "rate", "factor"))
    )
    places: int | None = attrs.field(default=None, kw_only=True, converter=_places)

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (not self.index):
            raise ContractError(
                "give either percent (a yearly uplift) or index (index values), not "
                + ("both" if self.percent is not None else "neither")
            )
        if self.percent is not None and (self.floor is not None or self.cap is not None):
            raise ContractError("floor and cap bound an index's yearly change, not a percent")
        if self.index and not self.compound:
            raise ContractError("compound: an index escalator always compounds its steps")
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ContractError(f"floor ({self.floor}) must not be above cap ({self.cap})")
        if self.round_at == "line" and self.component.reads_tags != frozenset():
            raise ContractError(
                "round_at: 'line' multiplies the component's lines, and the lines of a "
                "component that reads earlier lines (a minimum, a percentage) are not its "
                "amounts: escalate them with round_at 'rate' or 'factor'"
            )
        if (self.round_at == "line") != (self.places is None):
            raise ContractError(
                "places: give it with round_at 'rate' or 'factor' (the decimals rates or the "
                "factor are rounded to), and not with round_at 'line'"
            )

    # -- what the contract asks of a component ----------------------------------------------
    @property
    def metrics(self) -> frozenset[str]:
        return self.component.metrics

    @property
    def filters(self) -> tuple[Where, ...]:
        return self.component.filters

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return self.component.reads_tags

    @property
    def bills_usage(self) -> bool:
        return self.component.bills_usage

    @property
    def uses_previous_period(self) -> bool:
        return self.component.uses_previous_period

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        return tuple((f"component.{path}", money) for path, money in self.component.money_values)

    @property
    def one_off_dates(self) -> tuple[tuple[str, dt.date], ...]:
        return tuple((f"component.{path}", day) for path, day in self.component.one_off_dates)

    # -- the factor -------------------------------------------------------------------------
    def anniversaries(self, day: dt.date) -> list[dt.date]:
        """The anniversaries after :attr:`anniversary` on or before ``day``."""
        found = []
        year = 1
        while (when := self.anniversary + relativedelta(years=year)) <= day:
            found.append(when)
            year += 1
        return found

    def index_on(self, day: dt.date) -> Fraction:
        """The latest index value published on or before ``day``."""
        known = [item for item in self.index if item.on <= day]
        if not known:
            raise PricingError(
                f"component {self.name!r}: no index value on or before {day} "
                f"(the index starts on {self.index[0].on})"
            )
        return Fraction(known[-1].value)

    def steps(self, day: dt.date) -> list[tuple[dt.date, Fraction]]:
        """Each anniversary on or before ``day`` with its step (1.03 for 3 %)."""
        found = []
        previous = self.anniversary
        for when in self.anniversaries(day):
            if self.percent is not None:
                step = 1 + Fraction(self.percent) / 100
            else:
                change = (self.index_on(when) / self.index_on(previous) - 1) * 100
                if self.floor is not None:
                    change = max(change, Fraction(self.floor))
                if self.cap is not None:
                    change = min(change, Fraction(self.cap))
                step = 1 + change / 100
            found.append((when, step))
            previous = when
        return found

    def factor(self, day: dt.date) -> Fraction:
        """The exact factor in force in a billing period starting on ``day`` (before
        any rounding that ``round_at = "factor"`` declares).
        """
        steps = self.steps(day)
        if self.percent is not None and not self.compound:
            return 1 + len(steps) * Fraction(self.percent) / 100
        factor = Fraction(1)
        for _, step in steps:
            factor *= step
        return factor

    def applied(self, ctx: PricingContext) -> Fraction:
        """The factor applied in ``ctx``'s period, rounded where ``round_at`` says."""
        factor = self.factor(ctx.period.start)
        if self.round_at == "factor":
            assert self.places is not None
            return Fraction(ctx.rounding.round(factor, self.places))
        return factor

    def escalated(self, ctx: PricingContext) -> Component:
        """The component with every amount escalated (``round_at`` rate or factor)."""
        factor = self.applied(ctx)
        places = self.places if self.round_at == "rate" else None

        def uplift(money: Money) -> Money:
            exact = Fraction(money.amount) * factor
            if places is None:
                return Money(d.fraction_to_decimal(exact), money.currency)
            return Money(ctx.rounding.round(exact, places), money.currency)

        escalated = _map_money(self.component, uplift)
        assert isinstance(escalated, Component)
        return escalated

    def describe(self, ctx: PricingContext) -> str:
        """Where the factor comes from, for the lines."""
        steps = self.steps(ctx.period.start)
        if self.percent is not None:
            how = f"{d.to_text(self.percent)}% a year"
            how += " compounded" if self.compound else " not compounded"
        else:
            how = "index"
            if self.floor is not None or self.cap is not None:
                how += " change within " + " and ".join(
                    part
                    for part in (
                        None if self.floor is None else f"{d.to_text(self.floor)}%",
                        None if self.cap is None else f"{d.to_text(self.cap)}%",
                    )
                    if part is not None
                )
        shown = exact_text(self.factor(ctx.period.start))
        text = f"factor {shown} ({how}, {len(steps)} step(s) from {self.anniversary})"
        if self.round_at == "factor":
            text += f", rounded to {exact_text(self.applied(ctx))}"
        return text

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        how = self.describe(ctx)
        if self.round_at == "line" and self.steps(ctx.period.start):
            factor = self.applied(ctx)
            charges = []
            for charge in self.component.price(ctx):
                price = charge.unit_price
                escalated = None
                if price is not None:
                    exact = Fraction(price) * factor
                    text = exact_text(exact)
                    escalated = None if "/" in text else Decimal(text)
                charges.append(
                    attrs.evolve(
                        charge,
                        amount=Fraction(charge.amount) * factor,
                        basis=f"{charge.basis}, escalated x {how}",
                        unit_price=escalated,
                        tags=charge.tags | self.tags,
                    )
                )
            return charges
        if not self.steps(ctx.period.start):
            return self.component.price(ctx)  # nothing escalated yet: the base rates
        base = list(self.component.price(ctx))
        uplifted = list(self.escalated(ctx).price(ctx))
        paired = len(base) == len(uplifted)
        rounded = f", rounded to {self.places} decimals" if self.round_at == "rate" else ""
        charges = []
        for index, charge in enumerate(uplifted):
            was = base[index].unit_price if paired else None
            start = f"base rate {d.to_text(was)} {ctx.currency.code}, " if was is not None else ""
            charges.append(
                attrs.evolve(
                    charge,
                    basis=f"{charge.basis} ({start}escalated x {how}{rounded})",
                    tags=charge.tags | self.tags,
                )
            )
        return charges


def _map_money(value: Any, function: Any) -> Any:
    """``value`` with every Money inside it (attrs fields, tuples, mappings) mapped."""
    if isinstance(value, Money):
        return function(value)
    if isinstance(value, tuple):
        mapped = tuple(_map_money(item, function) for item in value)
        return value if all(a is b for a, b in zip(mapped, value, strict=True)) else mapped
    if isinstance(value, Mapping):
        items = {key: _map_money(item, function) for key, item in value.items()}
        return value if all(items[key] is value[key] for key in value) else items
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            if not field.init:
                continue
            current = getattr(value, field.name)
            mapped = _map_money(current, function)
            if mapped is not current:
                changes[field.alias or field.name] = mapped
        return attrs.evolve(value, **changes) if changes else value
    return value
