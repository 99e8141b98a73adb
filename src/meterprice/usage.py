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
import numbers
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from meterprice import _decimal as d
from meterprice import _notebook
from meterprice.dimensions import Dimensions, Where, to_dimensions, to_where
from meterprice.errors import InvalidTypeError, UsageError
from meterprice.frames import Tabular
from meterprice.ids import NONE, Duplicates, to_id
from meterprice.periods import Period

if TYPE_CHECKING:
    from meterprice.batch import EventBatch

__all__ = ["Aggregation", "Event", "Usage", "display_quantity"]


def _check_metric(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


def _check_datetime(
    instance: object, attribute: attrs.Attribute[dt.datetime], value: object
) -> None:
    if not isinstance(value, dt.datetime):
        raise InvalidTypeError(f"{attribute.name} must be a datetime, not {value!r}")


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
    if isinstance(value, bool):
        return d.to_decimal(value, what="quantity")  # refused, with the reason
    if isinstance(value, numbers.Integral):
        # numpy integer scalars (registered as Integral); numpy floats and bools are not
        return _to_quantity(int(value))
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
    #: The event's id in the system that recorded it (a string; an int is read as its
    #: text): events with the same id are counted once, see :mod:`meterprice.ids`.
    id: str | None = attrs.field(default=None, converter=to_id, kw_only=True)

    @classmethod
    def many(
        cls,
        metric: str,
        quantities: Iterable[object],
        timestamps: Iterable[dt.datetime],
        dimensions: Mapping[str, Iterable[str | None]] | None = None,
        ids: Iterable[object] | None = None,
    ) -> EventBatch:
        """Events of one ``metric`` from columns: the same validation as the
        constructor, done once per distinct value (or column-wide) instead of once
        per event. The result is an immutable sequence of the events, held as
        columns (an :class:`~meterprice.batch.EventBatch`): a contract meters it
        column by column when pyarrow is installed.

        ``dimensions`` maps each dimension name to its column of values (``None``:
        the event lacks that dimension). Every column must be as long as
        ``quantities``. ``ids`` is the column of event ids (``None``: no id), if any:
        events repeating an id are counted once, as for :class:`Event`.

        >>> at = dt.datetime(2026, 11, 3, 2, 13)
        >>> calls = Event.many("call_seconds", [185, "31.5"], [at, at], {"language": ["de", None]})
        >>> [(e.quantity, dict(e.dimensions)) for e in calls]
        [(Decimal('185'), {'language': 'de'}), (Decimal('31.5'), {})]
        """
        from meterprice.batch import EventBatch  # noqa: PLC0415 - batch imports Event

        return EventBatch.of(metric, quantities, timestamps, dimensions, ids)


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
    MEAN = "mean"
    """The exact mean of the (billable) quantities: the average speed of answer."""
    SHARE = "share"
    """The exact share (0 to 1) of the events that meet a condition: calls answered
    within 20 seconds, calls abandoned."""


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
        # later wins (by instant: the repeated hour of a DST fall-back compares right);
        # on a tie the larger value, so the result never depends on order
        mine, theirs = instant(self.at), instant(other.at)
        return self if (mine, self.value) >= (theirs, other.value) else other

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


@attrs.frozen(slots=True)
class _Mean:
    """A mean kept as its exact total and count, so that it merges exactly (the mean
    of two days is not the mean of their means).
    """

    total: Fraction
    count: int

    def merge(self, other: _Mean) -> _Mean:
        return _Mean(self.total + other.total, self.count + other.count)

    @property
    def quantity(self) -> Fraction:
        return self.total / self.count


_State = _Sum | _Max | _Latest | _Distinct | _Mean
#: A group of usage: a metric and dimension values.
_Key = tuple[str, Dimensions]
#: A group on one day (the contract's calendar day), or undated (``None``).
_DayKey = tuple[str, Dimensions, dt.date | None]


def instant(at: dt.datetime) -> dt.datetime:
    """``at`` as a comparable instant: aware timestamps in UTC, naive ones as they are."""
    return at if at.tzinfo is None else at.astimezone(dt.timezone.utc)


def _merge_state(key: _Key, left: _State, right: _State) -> _State:
    if type(left) is not type(right):
        raise UsageError(
            f"cannot merge usage of metric {key[0]!r} ({key[1]}): aggregated as "
            f"{_kind(left)} on one side and {_kind(right)} on the other"
        )
    return left.merge(right)  # type: ignore[arg-type]


def _kind(state: _State) -> str:
    kinds = {_Sum: "sum", _Max: "max", _Latest: "latest", _Distinct: "distinct", _Mean: "mean"}
    return kinds[type(state)]


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


def _merge_into(entries: dict[Any, _State], key: Any, state: _State) -> None:
    known = entries.get(key)
    entries[key] = state if known is None else _merge_state(key[:2], known, state)


def _joined(left: Period | None, right: Period | None) -> Period | None:
    """The span of two merged usages: one range when they overlap or touch, else unknown."""
    if left is None or right is None or left.end < right.start or right.end < left.start:
        return None
    return Period(min(left.start, right.start), max(left.end, right.end))


def _to_day(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise InvalidTypeError(f"a usage day must be a date or an ISO date string, not {value!r}")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"a usage day is not an ISO date (YYYY-MM-DD): {value!r}") from None
    return value


class Usage(Tabular):
    """Billable quantities by metric, dimension values and day.

    Usage metered from events (:meth:`meterprice.Contract.meter`, usage files, data
    frames) is *day-resolved*: every quantity knows the calendar day (in the
    contract's time zone) on which it was used, so that a component active from the
    16th, a contract term or a partial period takes exactly the usage of its days
    (:meth:`within`). Usage written down from totals (:meth:`from_totals`) is
    *undated* unless given a day: it is the usage of a whole period, and a contract
    refuses to cut it where only part of the period is priced (or spreads it evenly
    over the days when told to, see :meth:`spread`). Adding two usages merges them.

    >>> usage = Usage.from_totals(
    ...     {"handle_minutes": 12000, ("tasks_hours", (("task", "qa"),)): "7.5"}
    ... )
    >>> usage.quantity("handle_minutes")
    Decimal('12000')
    >>> usage.quantity("tasks_hours", {"task": "qa"})
    Decimal('7.5')
    >>> (usage + usage).quantity("handle_minutes")
    Decimal('24000')
    >>> usage.dated
    False
    """

    _table_builder: ClassVar[str] = "usage_table"

    __slots__ = ("_by_value", "_duplicates", "_entries", "_index", "_span", "_totals")

    _entries: dict[_DayKey, _State]
    _span: Period | None
    _duplicates: Duplicates
    _totals: dict[_Key, _State] | None
    _index: dict[str, list[tuple[Dimensions, Fraction]]] | None
    _by_value: dict[tuple[str, str], dict[str | None, list[tuple[Dimensions, Fraction]]]]

    def __init__(self) -> None:
        self._entries = {}
        self._span = None
        self._duplicates = NONE
        self._totals = None
        self._index = None
        self._by_value = {}

    @classmethod
    def _from_entries(
        cls,
        entries: Mapping[_DayKey, _State],
        span: Period | None = None,
        duplicates: Duplicates = NONE,
    ) -> Usage:
        """A usage of ``entries`` keyed ``(metric, dimensions, day or None)`` (trusted),
        metered over ``span`` when known, with the report of the duplicates left out.
        """
        usage = cls()
        usage._entries = dict(entries)
        usage._span = span
        usage._duplicates = duplicates
        return usage

    def _with_span(self, span: Period) -> Usage:
        """The same usage, known to be everything used in ``span``."""
        return Usage._from_entries(self._entries, span, self._duplicates)

    def _with_duplicates(self, duplicates: Duplicates) -> Usage:
        """The same usage, with ``duplicates`` as its report of repeated events."""
        return Usage._from_entries(self._entries, self._span, duplicates)

    @property
    def duplicates(self) -> Duplicates:
        """The events left out of this usage as repeats of an earlier event with the
        same id (see :mod:`meterprice.ids`); not part of equality, which compares
        quantities.
        """
        return self._duplicates

    @property
    def span(self) -> Period | None:
        """The days this usage was metered over, when known (usage metered from events,
        files or frames knows it: a window outside it is not "no usage" but unknown).
        """
        return self._span

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_totals(
        cls, totals: Mapping[Any, object] | Usage, *, on: dt.date | str | None = None
    ) -> Usage:
        """A usage of summed totals: keys are metric names or ``(metric, dimensions)``.

        Dimensions in a key are :class:`~meterprice.Dimensions` or, since a dict cannot
        be part of a dict key, a tuple of ``(name, value)`` pairs. Values are exact
        numbers (Decimal, int or decimal strings); floats are refused. ``on`` dates the
        totals on one day; without it they are undated (the usage of a whole period).
        """
        if isinstance(totals, Usage):
            return totals
        if not isinstance(totals, Mapping):
            raise InvalidTypeError(f"usage totals must be a mapping, not {totals!r}")
        day = None if on is None else _to_day(on)
        entries: dict[_DayKey, _State] = {}
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
                raise InvalidTypeError(
                    f"a usage key must be a metric name or (metric, dimensions), not {raw_key!r}"
                )
            if not metric:
                raise UsageError("a usage metric name must not be empty")
            value = d.to_decimal(raw_value, what=f"usage of {metric!r}")
            _merge_into(entries, (metric, dims, day), _Sum(Fraction(value)))
        return cls._from_entries(entries)

    @classmethod
    def from_daily(cls, days: Mapping[dt.date | str, Mapping[Any, object]]) -> Usage:
        """A day-resolved usage from totals per day (keys as in :meth:`from_totals`).

        >>> usage = Usage.from_daily(
        ...     {"2026-11-03": {"minutes": 100}, "2026-11-20": {"minutes": 50}}
        ... )
        >>> usage.quantity("minutes"), sorted(str(day) for day in usage.days)
        (Decimal('150'), ['2026-11-03', '2026-11-20'])
        """
        if not isinstance(days, Mapping):
            raise InvalidTypeError(f"daily usage must map days to totals, not {days!r}")
        return sum((cls.from_totals(totals, on=day) for day, totals in days.items()), cls())

    @classmethod
    def empty(cls) -> Usage:
        """No usage at all."""
        return cls()

    # -- merging ----------------------------------------------------------------------------
    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        if not other._entries and other._span is None and not other._duplicates:
            return self
        if not self._entries and self._span is None and not self._duplicates:
            return other
        merged = dict(self._entries)
        for key, state in other._entries.items():
            _merge_into(merged, key, state)
        duplicates = self._duplicates + other._duplicates
        result = Usage._from_entries(merged, _joined(self._span, other._span), duplicates)
        result._merged()  # a group aggregated two ways on different days is refused now
        return result

    def __radd__(self, other: object) -> Usage:
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    # -- days -------------------------------------------------------------------------------
    @property
    def dated(self) -> bool:
        """Whether every quantity knows its day (true of metered usage, and of no usage)."""
        return all(day is not None for _, _, day in self._entries)

    @property
    def days(self) -> frozenset[dt.date]:
        """The days on which there is usage."""
        return frozenset(day for _, _, day in self._entries if day is not None)

    def undated_metrics(self) -> frozenset[str]:
        """The metrics with undated quantities (written down as totals of a period)."""
        return frozenset(metric for metric, _, day in self._entries if day is None)

    def within(self, window: Period) -> Usage:
        """The usage of the days of ``window``.

        Undated quantities cannot be cut, and a window outside the :attr:`span` the
        usage was metered over is unknown: both are a
        :class:`~meterprice.errors.UsageError` (see :meth:`spread`).

        >>> usage = Usage.from_daily(
        ...     {"2026-11-03": {"minutes": 100}, "2026-11-20": {"minutes": 50}}
        ... )
        >>> usage.within(Period.parse("2026-11-16..2026-12-01")).quantity("minutes")
        Decimal('50')
        """
        undated = self.undated_metrics()
        if undated:
            raise UsageError(
                f"usage of {', '.join(sorted(undated))} has no days, so the part of it "
                f"used in {window} is unknown: give day-resolved usage (events, a usage "
                "file, Usage.from_daily) or spread the totals evenly over the days"
            )
        span = self._span
        if span is not None and (window.start < span.start or window.end > span.end):
            raise UsageError(
                f"the usage of {window} is unknown: this usage was metered over {span} only"
            )
        return self._cut(window)

    def _cut(self, window: Period) -> Usage:
        """The dated usage of ``window``'s days, with every undated quantity kept."""
        start, end = window.start, window.end
        return Usage._from_entries(
            {
                key: state
                for key, state in self._entries.items()
                if key[2] is None or start <= key[2] < end
            },
            window if self.dated else None,
            self._duplicates,
        )

    def spread(self, period: Period) -> Usage:
        """This usage with its undated totals spread evenly over the days of ``period``.

        Each day of the period gets an exact ``1/days`` share, so the part of the usage
        that falls in a window of ``k`` days is ``k/days`` of the total: the explicit,
        documented choice for pricing totals where only part of the period is priced.
        Only summed quantities can be spread (a maximum or a latest value cannot).

        >>> usage = Usage.from_totals({"minutes": 3000}).spread(Period.parse("2026-11"))
        >>> usage.within(Period.parse("2026-11-16..2026-12-01")).quantity("minutes")
        Decimal('1500')
        """
        if self.dated:
            return self
        days = list(period.dates())
        share = Fraction(1, len(days))
        entries: dict[_DayKey, _State] = {}
        for (metric, dims, day), state in self._entries.items():
            if day is not None:
                _merge_into(entries, (metric, dims, day), state)
                continue
            if not isinstance(state, _Sum):
                raise UsageError(
                    f"usage of {metric!r} ({dims or 'no dimensions'}) is a {_kind(state)}, "
                    "which cannot be spread over days"
                )
            part = _Sum(state.value * share)
            for each in days:
                _merge_into(entries, (metric, dims, each), part)
        return Usage._from_entries(entries)

    def undated(self) -> Usage:
        """The same quantities with their days forgotten (the totals of the usage)."""
        return Usage._from_entries(
            {(metric, dims, None): state for (metric, dims), state in self._merged().items()}
        )

    # -- reading ----------------------------------------------------------------------------
    def _merged(self) -> dict[_Key, _State]:
        """The states merged over days, by metric and dimensions (computed once)."""
        totals = self._totals
        if totals is None:
            totals = {}
            for (metric, dims, _), state in self._entries.items():
                _merge_into(totals, (metric, dims), state)
            self._totals = totals
        return totals

    def _groups_of(self, metric: str) -> list[tuple[Dimensions, Fraction]]:
        """The groups of ``metric`` with their exact quantities (indexed once)."""
        index = self._index
        if index is None:
            index = {}
            for (name, dims), state in self._merged().items():
                index.setdefault(name, []).append((dims, state.quantity))
            self._index = index
        return index.get(metric, [])

    def _matching(self, metric: str, where: Where) -> list[tuple[Dimensions, Fraction]]:
        """The groups of ``metric`` that ``where`` selects, found through an index of
        the values of its first dimension (built once per metric and dimension), so
        that many filtered components cost one pass over the groups, not one each.
        """
        if not where.conditions:
            return self._groups_of(metric)
        (name, allowed), rest = where.conditions[0], where.conditions[1:]
        index = self._by_value.get((metric, name))
        if index is None:
            index = {}
            for dims, quantity in self._groups_of(metric):
                index.setdefault(dims.get(name), []).append((dims, quantity))
            self._by_value[(metric, name)] = index
        found = [group for value in allowed for group in index.get(value, ())]
        if not rest:
            return found
        return [g for g in found if all(g[0].get(n) in values for n, values in rest)]

    @property
    def metrics(self) -> frozenset[str]:
        """The metric names present."""
        return frozenset(metric for metric, _, _ in self._entries)

    def exact(self, metric: str, where: Where | Mapping[str, Any] | None = None) -> Fraction:
        """The exact total quantity of ``metric`` over the groups that ``where`` selects.

        A mean or share of several groups is not their sum: it is refused here and
        read with :meth:`figure`.
        """
        groups = self._matching(metric, to_where(where))
        if len(groups) > 1 and type(self._merged()[(metric, groups[0][0])]) is _Mean:
            raise UsageError(
                f"usage of {metric!r} is a mean or share of {len(groups)} groups, which do "
                "not add up: read it with Usage.figure (or meter it with group_by = [])"
            )
        return sum((quantity for _, quantity in groups), Fraction(0))

    def figure(
        self, metric: str, where: Where | Mapping[str, Any] | None = None
    ) -> Fraction | None:
        """The figure of ``metric`` over the groups that ``where`` selects: a mean or
        share pooled exactly over their events, any other quantity summed; ``None``
        when no group has usage (a mean of no events is unknown, not zero).

        >>> at = dt.datetime(2026, 11, 2, 9, 0)
        >>> waits = [
        ...     Event("wait", s, at, {"queue": q}) for s, q in ((10, "de"), (30, "de"), (5, "fr"))
        ... ]
        >>> from meterprice.metering import Meter
        >>> usage = Meter("asa", source="wait", aggregation="mean").meter(waits)
        >>> usage.figure("asa"), usage.figure("asa", {"queue": "de"}), usage.figure("nothing")
        (Fraction(15, 1), Fraction(20, 1), None)
        """
        groups = self._matching(metric, to_where(where))
        if not groups:
            return None
        merged = self._merged()
        states = [merged[(metric, dims)] for dims, _ in groups]
        if all(type(state) is _Mean for state in states):
            means = [state for state in states if isinstance(state, _Mean)]
            return sum((m.total for m in means), Fraction(0)) / sum(m.count for m in means)
        return sum((quantity for _, quantity in groups), Fraction(0))

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
        result: dict[Dimensions, Fraction] = {}
        for dims, quantity in self._matching(metric, to_where(where)):
            key = dims.project(names)
            result[key] = result.get(key, Fraction(0)) + quantity
        return result

    def items(self) -> Iterator[tuple[str, Dimensions, Fraction]]:
        """Every ``(metric, dimensions, exact quantity)`` over all days, sorted."""
        merged = self._merged()
        for metric, dims in sorted(merged, key=lambda key: (key[0], key[1].items_tuple)):
            yield metric, dims, merged[(metric, dims)].quantity

    def daily_items(self) -> Iterator[tuple[dt.date | None, str, Dimensions, Fraction]]:
        """Every ``(day, metric, dimensions, exact quantity)``, undated ones first, sorted."""
        for metric, dims, day in sorted(
            self._entries,
            key=lambda key: (key[2] is not None, key[2] or dt.date.min, key[0], key[1].items_tuple),
        ):
            yield day, metric, dims, self._entries[(metric, dims, day)].quantity

    def __len__(self) -> int:
        return len(self._merged())

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Usage):
            return NotImplemented
        return self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[dict[_DayKey, _State], Period | None, Duplicates]:
        return self._entries, self._span, self._duplicates

    def __setstate__(self, state: tuple[dict[_DayKey, _State], Period | None, Duplicates]) -> None:
        self._entries, self._span, self._duplicates = state
        self._totals = None
        self._index = None
        self._by_value = {}

    def to_dict(self) -> list[dict[str, Any]]:
        """Plain JSON-safe data: one entry per metric and dimension values (over all days)."""
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

    def _repr_html_(self) -> str:
        return _notebook.usage_html(self)
