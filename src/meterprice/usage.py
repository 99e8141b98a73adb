"""Raw usage events and the metered :class:`Usage` summary that components price.

An :class:`Event` is one raw record: a call of 185 seconds in German on the phone
channel, an hour of QA, an order, a sale of 240.00 CNY. Metering (see
:mod:`meterprice.metering`) turns events into a :class:`Usage`: billable quantities by
metric and dimension values. A Usage is order independent and mergeable: metering
any partition of the events and adding the parts gives the same summary. It can also
be written down directly from totals for what-if pricing.

Quantities inside a Usage are exact rationals (:class:`fractions.Fraction`), so that a
conversion such as seconds to minutes never loses a digit before an amount is rounded.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from meterprice import _decimal as d
from meterprice.dimensions import Dimensions, Where, to_dimensions, to_where
from meterprice.errors import UsageError

__all__ = ["Aggregation", "Event", "Usage", "display_quantity"]


def _check_metric(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


def _check_datetime(
    instance: object, attribute: attrs.Attribute[dt.datetime], value: object
) -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{attribute.name} must be a datetime, not {value!r}")


#: Decimals already made from ints and strings. Quantities repeat (a call lasts one of
#: a few thousand whole seconds): one shared Decimal per value saves about 100 bytes
#: per event, computes its hash once and lets metering compare it by identity.
#: Cleared when full, so that distinct amounts cannot grow it without bound.
_QUANTITIES: dict[int | str, Decimal] = {}
_QUANTITIES_MAX = 16384


def _to_quantity(value: object) -> Decimal:
    if type(value) is int or type(value) is str:
        shared = _QUANTITIES.get(value)
        if shared is None:
            shared = d.to_decimal(value, what="quantity")
            if len(_QUANTITIES) >= _QUANTITIES_MAX:
                _QUANTITIES.clear()
            _QUANTITIES[value] = shared
        return shared
    return d.to_decimal(value, what="quantity")


@attrs.frozen(slots=True)
class Event:
    """One raw usage record.

    ``quantity`` is exact (a :class:`~decimal.Decimal`, int or decimal string);
    ``at`` is when it happened (all events of one metering run must be either naive or
    time-zone aware); ``dimensions`` describe it (channel, language, ...).

    >>> call = Event(
    ...     "call_seconds",
    ...     185,
    ...     dt.datetime(2026, 11, 3, 2, 13),
    ...     {"channel": "phone", "language": "de"},
    ... )
    >>> call.quantity, call.dimensions["language"]
    (Decimal('185'), 'de')
    """

    metric: str = attrs.field(validator=_check_metric)
    quantity: Decimal = attrs.field(converter=_to_quantity)
    at: dt.datetime = attrs.field(validator=_check_datetime)
    dimensions: Dimensions = attrs.field(default=Dimensions(), converter=to_dimensions)


class Aggregation(enum.Enum):
    """How a meter folds the events of one group into a quantity."""

    SUM = "sum"
    """Add the (billable) quantities: minutes handled, sales amount."""
    COUNT = "count"
    """Count the events: calls, consultations, orders."""
    MAX = "max"
    """The largest quantity: peak concurrent agents."""
    LATEST = "latest"
    """The quantity of the latest event: seats at the end of the period."""
    DISTINCT = "distinct"
    """The number of distinct values of a dimension: agents who logged in."""


@attrs.frozen(slots=True)
class _Sum:
    value: Fraction

    def merge(self, other: _Sum) -> _Sum:
        return _Sum(self.value + other.value)

    @property
    def quantity(self) -> Fraction:
        return self.value


@attrs.frozen(slots=True)
class _Max:
    value: Fraction

    def merge(self, other: _Max) -> _Max:
        return self if self.value >= other.value else other

    @property
    def quantity(self) -> Fraction:
        return self.value


@attrs.frozen(slots=True)
class _Latest:
    at: dt.datetime
    value: Fraction

    def merge(self, other: _Latest) -> _Latest:
        # later wins; on a tie the larger value, so the result never depends on order
        return self if (self.at, self.value) >= (other.at, other.value) else other

    @property
    def quantity(self) -> Fraction:
        return self.value


@attrs.frozen(slots=True)
class _Distinct:
    values: frozenset[str]

    def merge(self, other: _Distinct) -> _Distinct:
        return _Distinct(self.values | other.values)

    @property
    def quantity(self) -> Fraction:
        return Fraction(len(self.values))


_State = _Sum | _Max | _Latest | _Distinct
_Key = tuple[str, Dimensions]


def _merge_state(key: _Key, left: _State, right: _State) -> _State:
    if type(left) is not type(right):
        raise UsageError(
            f"cannot merge usage of metric {key[0]!r} ({key[1]}): aggregated as "
            f"{_kind(left)} on one side and {_kind(right)} on the other"
        )
    return left.merge(right)  # type: ignore[arg-type]


def _kind(state: _State) -> str:
    return {_Sum: "sum", _Max: "max", _Latest: "latest", _Distinct: "distinct"}[type(state)]


def display_quantity(value: Fraction, places: int = 6) -> Decimal:
    """An exact quantity as a decimal: exact when it terminates within ``places``
    decimals, otherwise rounded half-even to ``places`` (for display only).
    """
    exact = Fraction(value)
    shown = d.DIVISION.divide(Decimal(exact.numerator), Decimal(exact.denominator))
    if Fraction(shown) == exact and -shown.as_tuple().exponent <= places:  # type: ignore[operator]
        return shown
    # round the exact value itself (half-even): a context quantize would need more than
    # DIVISION_DIGITS digits for a quantity >= 1 shown to DIVISION_DIGITS places
    return Decimal(round(exact * 10**places)).scaleb(-places, d.EXACT)


class Usage:
    """Billable quantities by metric and dimension values, for one period.

    Built by metering events (:meth:`meterprice.Contract.meter`) or directly from
    totals (:meth:`from_totals`). Adding two usages merges them.

    >>> usage = Usage.from_totals(
    ...     {"handle_minutes": 12000, ("tasks_hours", (("task", "qa"),)): "7.5"}
    ... )
    >>> usage.quantity("handle_minutes")
    Decimal('12000')
    >>> usage.quantity("tasks_hours", {"task": "qa"})
    Decimal('7.5')
    >>> (usage + usage).quantity("handle_minutes")
    Decimal('24000')
    """

    __slots__ = ("_entries",)

    _entries: dict[_Key, _State]

    def __init__(self, entries: Mapping[_Key, _State] | None = None) -> None:
        self._entries = dict(entries or {})

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_totals(cls, totals: Mapping[Any, object] | Usage) -> Usage:
        """A usage of summed totals: keys are metric names or ``(metric, dimensions)``.

        Dimensions in a key are :class:`~meterprice.Dimensions` or, since a dict cannot
        be part of a dict key, a tuple of ``(name, value)`` pairs. Values are exact
        numbers (Decimal, int or decimal strings); floats are refused.
        """
        if isinstance(totals, Usage):
            return totals
        if not isinstance(totals, Mapping):
            raise TypeError(f"usage totals must be a mapping, not {totals!r}")
        entries: dict[_Key, _State] = {}
        for raw_key, raw_value in totals.items():
            if isinstance(raw_key, str):
                metric, dims = raw_key, Dimensions()
            elif isinstance(raw_key, tuple) and len(raw_key) == 2 and isinstance(raw_key[0], str):
                raw_dims = raw_key[1]
                metric = raw_key[0]
                dims = (
                    Dimensions(raw_dims) if isinstance(raw_dims, tuple) else to_dimensions(raw_dims)
                )
            else:
                raise TypeError(
                    f"a usage key must be a metric name or (metric, dimensions), not {raw_key!r}"
                )
            if not metric:
                raise UsageError("a usage metric name must not be empty")
            value = d.to_decimal(raw_value, what=f"usage of {metric!r}")
            key = (metric, dims)
            state = _Sum(Fraction(value))
            entries[key] = _merge_state(key, entries[key], state) if key in entries else state
        return cls(entries)

    @classmethod
    def empty(cls) -> Usage:
        """No usage at all."""
        return cls()

    # -- merging ----------------------------------------------------------------------------
    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        merged = dict(self._entries)
        for key, state in other._entries.items():
            merged[key] = _merge_state(key, merged[key], state) if key in merged else state
        return Usage(merged)

    def __radd__(self, other: object) -> Usage:
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    # -- reading ----------------------------------------------------------------------------
    @property
    def metrics(self) -> frozenset[str]:
        """The metric names present."""
        return frozenset(metric for metric, _ in self._entries)

    def exact(self, metric: str, where: Where | Mapping[str, Any] | None = None) -> Fraction:
        """The exact total quantity of ``metric`` over the groups that ``where`` selects."""
        flt = to_where(where)
        result = Fraction(0)
        for (name, dims), state in self._entries.items():
            if name == metric and flt.matches(dims):
                result += state.quantity
        return result

    def quantity(self, metric: str, where: Where | Mapping[str, Any] | None = None) -> Decimal:
        """:meth:`exact` as a decimal (exact when it terminates)."""
        return display_quantity(self.exact(metric, where), places=d.DIVISION_DIGITS)

    def groups(
        self,
        metric: str,
        by: Iterable[str],
        where: Where | Mapping[str, Any] | None = None,
    ) -> dict[Dimensions, Fraction]:
        """Exact quantities of ``metric`` summed by the dimensions ``by``.

        Groups that lack one of the ``by`` dimensions are reported under the
        dimensions they have, so that nothing is silently dropped.
        """
        names = tuple(by)
        flt = to_where(where)
        result: dict[Dimensions, Fraction] = {}
        for (name, dims), state in self._entries.items():
            if name == metric and flt.matches(dims):
                key = dims.project(names)
                result[key] = result.get(key, Fraction(0)) + state.quantity
        return result

    def items(self) -> Iterator[tuple[str, Dimensions, Fraction]]:
        """Every ``(metric, dimensions, exact quantity)``, sorted."""
        for metric, dims in sorted(self._entries, key=lambda key: (key[0], key[1].items_tuple)):
            yield metric, dims, self._entries[(metric, dims)].quantity

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Usage):
            return NotImplemented
        return self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> list[dict[str, Any]]:
        """Plain JSON-safe data: one entry per metric and dimension values."""
        return [
            {
                "metric": metric,
                "dimensions": dict(dims),
                "quantity": d.to_text(display_quantity(quantity, places=d.DIVISION_DIGITS)),
            }
            for metric, dims, quantity in self.items()
        ]

    def __repr__(self) -> str:
        inside = ", ".join(
            f"{metric}{'[' + str(dims) + ']' if dims else ''}"
            f"={d.to_text(display_quantity(quantity))}"
            for metric, dims, quantity in self.items()
        )
        return f"Usage({inside})"
