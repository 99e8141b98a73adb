"""What every pricing component shares: its context, its output and its base class.

A component is a frozen value with a name and tags. The contract calls
:meth:`Component.price` with a :class:`PricingContext` (the period, the part of it in
which the component is active, the usage metered there, and the lines already
priced) and gets back exact, unrounded :class:`Charge` values; the contract then
rounds each charge once into an invoice line.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from meterprice import _decimal as d
from meterprice.components._lines import LinesSoFar
from meterprice.dimensions import Dimensions, Where, to_dimensions
from meterprice.errors import ContractError, InvalidTypeError
from meterprice.invoice import Line
from meterprice.money import Currency, Money, Rounding
from meterprice.periods import Period, Window, proration
from meterprice.usage import Usage, display_quantity

__all__ = [
    "Charge",
    "Component",
    "PricingContext",
    "check_metric",
    "describe_tags",
    "fmt_quantity",
    "to_date",
    "to_reading_tags",
    "to_tags",
    "to_window",
]


def check_metric(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """An attrs validator: the field names a metric (a non-empty string)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{attribute.name} must be a non-empty metric name, not {value!r}")


def to_date(value: object, what: str = "on") -> dt.date:
    """A date from a :class:`datetime.date` or an ISO string (never a datetime)."""
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise InvalidTypeError(f"{what} must be a date, not {value!r} (or an ISO date string)")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ContractError(f"{what} is not an ISO date (YYYY-MM-DD): {value!r}") from None
    return value


def to_tags(value: object) -> frozenset[str]:
    """Tags as a frozenset of non-empty strings (a single string is one tag)."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidTypeError(f"tags must be a collection of strings, not {value!r}")
    tags = frozenset(value)
    for tag in tags:
        if not isinstance(tag, str) or not tag:
            raise InvalidTypeError(f"tags must be non-empty strings, not {tag!r}")
    return tags


def to_reading_tags(value: object) -> frozenset[str] | None:
    """The tags of earlier lines a component reads: ``None`` for every earlier line, or
    at least one tag (an empty set would silently read nothing).
    """
    if value is None:
        return None
    tags = to_tags(value)
    if not tags:
        raise ContractError("of must name at least one tag, or be None for every earlier line")
    return tags


def describe_tags(tags: frozenset[str] | None) -> str:
    """Words for the lines that :func:`to_reading_tags` selects, for explanations."""
    if tags is None:
        return "all lines above"
    return "lines tagged " + ", ".join(sorted(tags))


def to_window(value: object) -> Window:
    """An activity window from a :class:`Window`, ``None`` (always), a :class:`Period`,
    a ``(start, end)`` pair or a mapping with ``start``/``end``.
    """
    if isinstance(value, Window):
        return value
    if value is None:
        return Window()
    if isinstance(value, Period):
        return Window(value.start, value.end)
    if isinstance(value, Mapping):
        unknown = set(value) - {"start", "end"}
        if unknown:
            raise ContractError(f"an active window takes start and end, not {sorted(unknown)}")
        return Window(value.get("start"), value.get("end"))
    if isinstance(value, tuple) and len(value) == 2:
        return Window(value[0], value[1])
    raise InvalidTypeError(f"active must be a Window, a (start, end) pair or None, not {value!r}")


def fmt_quantity(value: Fraction | Decimal | int) -> str:
    """A quantity as short text for explanations (exact when it terminates)."""
    shown = display_quantity(Fraction(value))
    return f"{shown:f}"


def _to_fraction(value: object, what: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return Fraction(d.to_decimal(value, what=what))  # refuses floats, NaN, infinities


def _to_amount(value: object) -> Fraction:
    return _to_fraction(value, "charge amount")


def _to_optional_quantity(value: object) -> Fraction | None:
    return None if value is None else _to_fraction(value, "charge quantity")


@attrs.frozen
class Charge:
    """An exact, unrounded charge produced by a component (a line before rounding).

    ``amount`` is exact (a Fraction, Decimal, int or decimal string, never a float);
    ``basis`` explains it (``"1200 min x 0.95 EUR"``); ``dimensions`` are the usage
    dimensions it prices, when it prices one combination of them (a price matrix).
    """

    description: str
    amount: Fraction = attrs.field(converter=_to_amount)
    basis: str
    quantity: Fraction | None = attrs.field(default=None, converter=_to_optional_quantity)
    unit: str | None = None
    unit_price: Decimal | None = None
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=to_tags)
    dimensions: Dimensions = attrs.field(
        default=Dimensions(), converter=to_dimensions, kw_only=True
    )


@attrs.frozen
class PricingContext:
    """What a component sees when it prices one period.

    ``period`` is the invoiced period and ``active`` the part of it in which the
    component applies (within the contract's term and the component's own window).
    ``usage`` is the usage metered in ``active`` when the contract was given events,
    or the summary it was given. ``lines`` are the rounded lines priced so far, in
    contract order. ``previous_usage`` is the previous period's usage when known.
    ``term`` is the contract's term; ``carried`` the state earlier invoices left,
    by component name (``None`` for an invoice priced on its own, see
    :class:`~meterprice.components.carrying.CarryingComponent`).
    """

    period: Period
    active: Period
    usage: Usage
    lines: Sequence[Line]
    currency: Currency
    rounding: Rounding
    previous_period: Period | None = None
    previous_usage: Usage | None = None
    timezone: str = "UTC"
    term: Window = attrs.field(factory=Window)
    carried: Mapping[str, object] | None = None

    @property
    def share(self) -> Fraction:
        """The exact share of the period's days in which the component is active."""
        return proration(self.active, self.period)

    @property
    def is_partial(self) -> bool:
        """Whether the component is active for only part of the period."""
        return self.active != self.period

    def subtotal(self, tags: frozenset[str] | None) -> Fraction:
        """The exact sum of the rounded lines so far that carry any of ``tags``
        (every line so far when ``tags`` is ``None``).
        """
        if isinstance(self.lines, LinesSoFar):  # running sums: each line added once
            return self.lines.subtotal(tags)
        total = Fraction(0)
        for line in self.lines:
            if tags is None or line.tags & tags:
                total += Fraction(line.amount.amount)
        return total

    def round(self, amount: Fraction) -> Fraction:
        """``amount`` rounded to the currency's minor unit by the contract's policy."""
        return Fraction(self.rounding.round(amount, self.currency.minor_units))

    def money(self, amount: Fraction) -> str:
        """An exact amount as text with the currency code, for explanations."""
        return f"{fmt_quantity(amount)} {self.currency.code}"


@attrs.frozen
class Component(abc.ABC):
    """Base class of pricing components.

    Subclasses are ``@attrs.frozen`` classes that implement :meth:`price`. ``tags``
    label the lines a component produces so that later components (a percentage, a
    minimum, a cap) can refer to them; ``active`` limits the component to a window
    of dates (an implementation phase, pay-per-use from go-live).
    """

    name: str = attrs.field()
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=to_tags, kw_only=True)
    active: Window = attrs.field(default=Window(), converter=to_window, kw_only=True)

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidTypeError(f"a component name must be a non-empty string, not {value!r}")

    @abc.abstractmethod
    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        """The exact charges of this component for ``ctx``'s period."""

    @property
    def metrics(self) -> frozenset[str]:
        """The usage metrics this component reads."""
        return frozenset()

    @property
    def filters(self) -> tuple[Where, ...]:
        """The dimension filters this component applies to usage."""
        return ()

    @property
    def reads_tags(self) -> frozenset[str] | None:
        """Tags of earlier lines this component reads (``None``: every earlier line;
        an empty set: none).
        """
        return frozenset()

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        """Every ``(field path, Money)`` in the component, to check its currency."""
        return tuple(
            (field.name, value)
            for field in attrs.fields(type(self))
            if isinstance(value := getattr(self, field.name), Money)
        )

    @property
    def uses_previous_period(self) -> bool:
        """Whether pricing needs the previous period's usage."""
        return False

    @property
    def one_off_dates(self) -> tuple[tuple[str, dt.date], ...]:
        """Every ``(field path, date)`` on which the component charges once; the
        contract refuses one outside its term or the component's window, which would
        never be billed.
        """
        return ()

    @property
    def bills_usage(self) -> bool:
        """Whether this component puts a price on the usage it selects (a rate, tiers,
        packages), as opposed to only measuring it (a minimum, a quota).

        The contract refuses usage of a billed metric that no billing component
        selects, so that a missing dimension never turns into a silent zero.
        """
        return False

    def covers(self, metric: str, dims: Mapping[str, str]) -> bool:
        """Whether this component reads usage of ``metric`` with dimensions ``dims``."""
        if metric not in self.metrics:
            return False
        return not self.filters or any(flt.matches(dims) for flt in self.filters)

    def is_active_on(self, day: dt.date) -> bool:
        """Whether the component applies on ``day``."""
        return day in self.active

    def _line_tags(self, extra: Iterable[str] = ()) -> frozenset[str]:
        return self.tags | frozenset(extra)


def rate_amount(quantity: Fraction, rate: Money) -> Fraction:
    """``quantity x rate`` exactly."""
    return quantity * Fraction(rate.amount)


def to_positive(value: object, what: str, *, allow_zero: bool = False) -> Decimal:
    """``value`` as a positive (or, with ``allow_zero``, non-negative) Decimal; errors
    name ``what``. Call it from a named attrs converter of each field.
    """
    number = d.to_decimal(value, what=what)
    if number < 0 or (number == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "positive"
        raise ContractError(f"{what} must be {bound} (got {value!r})")
    return number


def positive_decimal(what: str, *, allow_zero: bool = False) -> Any:
    """An attrs converter to a positive (or non-negative) Decimal naming ``what``.

    Prefer a named converter calling :func:`to_positive`: mypy's attrs plugin only
    understands named functions as converters.
    """

    def convert(value: object) -> Decimal:
        return to_positive(value, what, allow_zero=allow_zero)

    return convert


def to_components(value: object) -> tuple[Component, ...]:
    """A list of components as a tuple, each checked to be a :class:`Component`
    (the converter of a contract's and an amendment's ``components``).
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"components must be a list of components, not {value!r}")
    components = tuple(value)
    for index, component in enumerate(components):
        if not isinstance(component, Component):
            raise InvalidTypeError(f"components[{index}] is not a Component: {component!r}")
    return components
