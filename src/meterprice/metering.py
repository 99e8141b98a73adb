"""Meters: from raw events to billable quantities.

A :class:`Meter` reads the events of one source metric and produces one billable
metric: it applies a per-event billing increment and minimum (per second, 6-second,
per started minute; a 30 s minimum), converts units (seconds to minutes), aggregates
(sum, count, max, latest, distinct) and groups by dimensions.

:func:`meter_events` runs several meters over one stream of events in a single pass,
fast enough for millions of records: identical events are counted first, and the
per-event rules then run once per distinct quantity and dimensions.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import zoneinfo
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.bands import TimeBands
from meterprice.dimensions import Dimensions, Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, InvalidValueError, UsageError
from meterprice.ids import dedupe
from meterprice.usage import (
    Aggregation,
    Event,
    Usage,
    _DayKey,
    _Distinct,
    _Latest,
    _Max,
    _Mean,
    _State,
    _Sum,
    instant,
)

__all__ = ["TIME_UNITS", "Meter", "meter_events"]

#: Time units a meter can convert between, in seconds.
TIME_UNITS: dict[str, int] = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _optional_positive(value: object, what: str) -> Decimal | None:
    if value is None:
        return None
    number = d.to_decimal(value, what=what)
    if number <= 0:
        raise InvalidValueError(f"{what} must be positive (got {value!r})")
    return number


def _to_increment(value: object) -> Decimal | None:
    return _optional_positive(value, "increment")


def _to_minimum(value: object) -> Decimal | None:
    return _optional_positive(value, "minimum")


def _to_group_by(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"group_by must be a list of dimension names, not {value!r}")
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise InvalidTypeError(f"group_by must name dimensions with strings, not {name!r}")
    return tuple(sorted(set(names)))


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


def _default_source(meter: Meter) -> str:
    return meter.name


#: The comparisons a share meter's condition may make, and what they mean.
_COMPARISONS = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
_CONDITION = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")


def parse_condition(text: str) -> tuple[str, Decimal]:
    """A condition on a quantity, ``"<= 20"``, as its comparison and exact bound."""
    found = _CONDITION.match(text) if isinstance(text, str) else None
    if found is None:
        raise InvalidValueError(
            f"condition must compare the quantity with a number, such as '<= 20' "
            f"(one of {', '.join(_COMPARISONS)}), not {text!r}"
        )
    return found[1], d.to_decimal(found[2], what="condition")


def _to_condition(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidTypeError(f"condition must be a string such as '<= 20', not {value!r}")
    op, bound = parse_condition(value)
    return f"{op} {d.to_text(bound)}"


def _to_aggregation(value: object) -> Aggregation:
    if isinstance(value, Aggregation):
        return value
    try:
        return Aggregation(value)
    except ValueError:
        choices = ", ".join(a.value for a in Aggregation)
        raise InvalidValueError(f"aggregation must be one of {choices} (got {value!r})") from None


@attrs.frozen
class Meter:
    """Turns events of metric ``source`` into billable metric ``name``.

    Per event, ``increment`` rounds the quantity up to a multiple (6 for 6-second
    billing, 60 for per started minute) and ``minimum`` lifts it to a floor (a 30 s
    minimum), both in the source's unit. ``from_unit`` -> ``unit`` converts time units
    (``"second"`` -> ``"minute"``). Events are grouped by the dimensions ``group_by``
    (all of an event's dimensions when ``None``) and only those matching ``where`` count.

    >>> minutes = Meter(
    ...     "handle_minutes",
    ...     source="handle_seconds",
    ...     from_unit="second",
    ...     unit="minute",
    ...     increment=6,
    ... )
    >>> at = dt.datetime(2026, 11, 2, 9, 0)
    >>> usage = minutes.meter([Event("handle_seconds", 185, at), Event("handle_seconds", 31, at)])
    >>> usage.quantity("handle_minutes")  # 186 s + 36 s = 222 s
    Decimal('3.7')
    """

    name: str = attrs.field(validator=_check_name)
    source: str = attrs.field(
        default=attrs.Factory(_default_source, takes_self=True), validator=_check_name
    )
    aggregation: Aggregation = attrs.field(default=Aggregation.SUM, converter=_to_aggregation)
    unit: str | None = attrs.field(default=None, kw_only=True)
    from_unit: str | None = attrs.field(default=None, kw_only=True)
    increment: Decimal | None = attrs.field(default=None, converter=_to_increment, kw_only=True)
    minimum: Decimal | None = attrs.field(default=None, converter=_to_minimum, kw_only=True)
    group_by: tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_group_by, kw_only=True
    )
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    distinct: str | None = attrs.field(default=None, kw_only=True)
    allow_negative: bool = attrs.field(default=False, kw_only=True)
    #: With aggregation share: the comparison an event's quantity (as the event gives
    #: it) must meet to count, such as ``"<= 20"`` for calls answered within 20 s.
    condition: str | None = attrs.field(default=None, converter=_to_condition, kw_only=True)
    #: With aggregation share: the dimensions an event must have to count, such as
    #: ``{"outcome": "abandoned"}`` for the abandonment rate.
    matching: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    #: Time bands (night, weekend, ...) added to each event as a dimension before the
    #: meter's ``where`` and ``group_by`` apply; see :class:`~meterprice.TimeBands`.
    bands: TimeBands | None = attrs.field(
        default=None,
        kw_only=True,
        validator=attrs.validators.optional(attrs.validators.instance_of(TimeBands)),
    )

    def __attrs_post_init__(self) -> None:
        if (self.from_unit is None) != (self.unit is None) and self.from_unit is not None:
            raise ContractError(f"meter {self.name!r}: from_unit needs a unit to convert to")
        if self.from_unit is not None:
            for unit in (self.from_unit, self.unit):
                if unit not in TIME_UNITS:
                    raise ContractError(
                        f"meter {self.name!r}: cannot convert unit {unit!r}; "
                        f"known units are {', '.join(TIME_UNITS)}"
                    )
        if (self.aggregation is Aggregation.DISTINCT) != (self.distinct is not None):
            raise ContractError(
                f"meter {self.name!r}: aggregation 'distinct' and the distinct dimension "
                "go together (got aggregation="
                f"{self.aggregation.value!r}, distinct={self.distinct!r})"
            )
        share = self.aggregation is Aggregation.SHARE
        if share and self.condition is None and not self.matching:
            raise ContractError(
                f"meter {self.name!r}: aggregation 'share' needs a condition ('<= 20') or "
                "matching dimensions that say which events count"
            )
        if not share and (self.condition is not None or self.matching):
            raise ContractError(
                f"meter {self.name!r}: condition and matching apply to aggregation 'share', "
                f"not to {self.aggregation.value!r}"
            )
        kinds = (Aggregation.COUNT, Aggregation.DISTINCT, Aggregation.SHARE)
        if self.aggregation in kinds and (
            self.increment is not None or self.minimum is not None or self.from_unit is not None
        ):
            raise ContractError(
                f"meter {self.name!r}: increment, minimum and unit conversion apply to "
                f"quantities, not to aggregation {self.aggregation.value!r}"
            )

    @property
    def factor(self) -> Fraction:
        """The exact unit conversion applied to source quantities (1/60 for s -> min)."""
        if self.from_unit is None or self.unit is None:
            return Fraction(1)
        return Fraction(TIME_UNITS[self.from_unit], TIME_UNITS[self.unit])

    def meets(self, quantity: Decimal, dims: Dimensions) -> bool:
        """Whether an event counts towards a share: its quantity meets the condition
        and its dimensions match.
        """
        if self.condition is not None:
            op, bound = parse_condition(self.condition)
            if not _COMPARISONS[op](quantity, bound):
                return False
        return self.matching.matches(dims)

    def billable(self, quantity: Decimal) -> Decimal:
        """One event's quantity after the increment and minimum, in the source unit.

        A negative quantity (a correction, with ``allow_negative``) mirrors the positive
        one, so that it cancels it exactly: -7 s with 6-second billing is -12 s, and a
        minimum never turns a correction into a charge.
        """
        if quantity < 0:
            return d.neg(self.billable(d.neg(quantity)))
        if self.increment is not None:
            quantity = d.mul(d.ceil_div(quantity, self.increment), self.increment)
        if self.minimum is not None and quantity < self.minimum:
            quantity = self.minimum
        return quantity

    def meter(
        self,
        events: Iterable[Event],
        *,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        timezone: str | dt.tzinfo = "UTC",
    ) -> Usage:
        """Meter ``events`` with this meter alone (events of other metrics are ignored);
        the usage is dated by the day of each event in ``timezone``.
        """
        own = [event for event in events if event.metric == self.source]
        return meter_events([self], own, start=start, end=end, timezone=timezone)

    def describe(self) -> str:
        """A one-line human description of what this meter does."""
        parts = [f"{self.aggregation.value} of {self.source}"]
        if self.increment is not None:
            parts.append(f"rounded up per event to multiples of {self.increment}")
        if self.minimum is not None:
            parts.append(f"at least {self.minimum} per event")
        if self.from_unit is not None:
            parts.append(f"converted from {self.from_unit}s to {self.unit}s")
        if self.distinct is not None:
            parts.append(f"counting distinct {self.distinct}")
        if self.condition is not None:
            parts.append(f"the events with quantity {self.condition}")
        if self.matching:
            parts.append(f"the events matching {self.matching}")
        if self.group_by is not None:
            parts.append(f"grouped by {', '.join(self.group_by) or 'nothing'}")
        if self.where:
            parts.append(f"where {self.where}")
        if self.bands is not None:
            parts.append(f"with time bands {self.bands}")
        return f"{self.name}: " + ", ".join(parts)


_Items = tuple[tuple[str, str], ...]
_Part = tuple[str, _Items]
#: Events counted by metric and dimension pairs and day, then by quantity.
_Tally = dict[tuple[_Part, dt.date], Counter[Decimal]]

# What events are split by: the metric and the sorted ``(name, value)`` pairs of the
# Dimensions, not the Dimensions object, so that hashing and comparing stays in C
# (Dimensions.__hash__ and __eq__ are Python methods, and counting by the object ran
# __eq__ once per event).
_PART = operator.attrgetter("metric", "dimensions._items")
_ITEMS = operator.attrgetter("dimensions._items")
_METRIC = operator.attrgetter("metric")
_QUANTITY = operator.attrgetter("quantity")
_AT = operator.attrgetter("at")
_DATE = operator.methodcaller("date")
_FOLD = operator.attrgetter("fold")


def _zone(timezone: str | dt.tzinfo) -> dt.tzinfo:
    if isinstance(timezone, dt.tzinfo):
        return timezone
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UsageError(f"timezone: unknown IANA time zone {timezone!r}") from None


def _days(events: Sequence[Event], zone: dt.tzinfo) -> list[dt.date]:
    """The calendar day of each event in ``zone`` (naive timestamps: their own date)."""
    if not events:
        return []
    stamps = map(_AT, events)
    if events[0].at.tzinfo is None:
        return list(map(_DATE, stamps))
    local = list(map(operator.methodcaller("astimezone", zone), stamps))
    days = list(map(_DATE, local))
    if any(map(_FOLD, local)):  # a repeated hour: it may run past midnight
        for index, at in enumerate(local):
            if at.fold:
                days[index] = _day_of_instant(at, days[index], zone)
    return days


def _day_of_instant(at: dt.datetime, wall: dt.date, zone: dt.tzinfo) -> dt.date:
    """The day whose instants hold ``at``: a day runs from its midnight (the first,
    when midnight comes twice) to the next one, so the second pass through a repeated
    hour that crosses midnight belongs to the new day, as the period bounds say.
    """
    try:
        following = dt.datetime.combine(wall + dt.timedelta(days=1), dt.time(), zone)
    except OverflowError:  # pragma: no cover - the last day of the calendar
        return wall
    utc = dt.timezone.utc
    return following.date() if at.astimezone(utc) >= following.astimezone(utc) else wall


def _tally(events: Sequence[Event], days: Sequence[dt.date]) -> _Tally:
    """Count ``events`` by metric, dimensions and day, then by quantity.

    The quantities are first split by metric, dimensions and day (a few thousand
    parts) in C-level iteration, then counted part by part: small dictionaries that
    stay in the processor cache, where one keyed by (metric, dimensions, quantity) had
    tens of thousands of keys and did not. Events built by the validating constructor
    share their Dimensions and Decimal objects, so most comparisons are identity checks.
    """
    append = list.append
    metrics = set(map(_METRIC, events))
    if len(metrics) == 1:  # the usual batch: split by dimensions and day, no metric
        (metric,) = metrics
        by_items: defaultdict[tuple[_Items, dt.date], list[Decimal]] = defaultdict(list)
        split = map(by_items.__getitem__, zip(map(_ITEMS, events), days, strict=True))
        deque(map(append, split, map(_QUANTITY, events)), 0)
        return {
            ((metric, items), day): Counter(quantities)
            for (items, day), quantities in by_items.items()
        }
    by_part: defaultdict[tuple[_Part, dt.date], list[Decimal]] = defaultdict(list)
    split = map(by_part.__getitem__, zip(map(_PART, events), days, strict=True))
    deque(map(append, split, map(_QUANTITY, events)), 0)
    return {part: Counter(quantities) for part, quantities in by_part.items()}


_AT_ZONE = operator.attrgetter("at.tzinfo")


def _in_zone_of(bound: dt.datetime | None, events: Sequence[Event]) -> dt.datetime | None:
    """``bound``, the same instant, in the fixed-offset zone of the first event.

    Comparing aware datetimes whose tzinfo objects differ calls ``utcoffset()`` on
    both for every comparison: a bound in a ZoneInfo zone against events stamped
    with :class:`datetime.timezone` (what ``fromisoformat`` gives for ``Z`` or
    ``+02:00``) made the period filter ten times slower. With the same tzinfo
    object Python compares the wall-clock fields, which for a fixed offset orders
    instants exactly as the UTC comparison does. Events in other zones still
    compare by instant, so the result never changes.
    """
    if bound is None or bound.tzinfo is None or not events:
        return bound
    zone = events[0].at.tzinfo
    if bound.tzinfo is zone and not isinstance(zone, dt.timezone):
        # the same zone with DST: Python would compare wall clocks and ignore ``fold``,
        # misplacing events of a repeated hour; in UTC every comparison is by instant
        return bound.astimezone(dt.timezone.utc)
    if not isinstance(zone, dt.timezone) or bound.tzinfo is zone:
        return bound
    try:
        return bound.astimezone(zone)
    except OverflowError:  # pragma: no cover - a bound within a day of datetime.min/max
        return bound


def events_between(
    events: Sequence[Event], start: dt.datetime | None, end: dt.datetime | None
) -> Sequence[Event]:
    """The events with ``start <= at < end``; a naive/aware mix is a UsageError."""
    if start is None and end is None:
        _check_timestamps(events)
        return events
    start, end = _in_zone_of(start, events), _in_zone_of(end, events)
    try:
        if start is not None and end is not None:
            inside = [event for event in events if start <= event.at < end]
        elif start is not None:
            inside = [event for event in events if start <= event.at]
        else:
            assert end is not None
            inside = [event for event in events if event.at < end]
    except TypeError:
        bound = start if start is not None else end
        assert bound is not None
        aware = bound.tzinfo is not None
        for index, event in enumerate(events):
            if (event.at.tzinfo is not None) != aware:
                raise UsageError(
                    f"event {index} ({event.metric} at {event.at.isoformat()}) is "
                    f"{'naive' if aware else 'time-zone aware'} but the billing period is "
                    f"{'time-zone aware' if aware else 'naive'}: do not mix naive and aware "
                    "timestamps"
                ) from None
        raise  # pragma: no cover - a TypeError that is not about time zones
    return inside


def _check_timestamps(events: Sequence[Event]) -> None:
    if not events:
        return
    try:
        zones = set(map(_AT_ZONE, events))  # in C; a mix has None and something else
    except TypeError:  # an unhashable tzinfo: look at each event below
        pass
    else:
        if None not in zones or len(zones) == 1:
            return
    aware = events[0].at.tzinfo is not None
    for index, event in enumerate(events):
        if (event.at.tzinfo is not None) != aware:
            raise UsageError(
                f"event {index} ({event.metric} at {event.at.isoformat()}) is "
                f"{'naive' if aware else 'time-zone aware'} while event 0 is "
                f"{'time-zone aware' if aware else 'naive'}: do not mix naive and aware "
                "timestamps"
            )


def meter_events(
    meters: Sequence[Meter],
    events: Iterable[Event],
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    strict: bool = True,
    timezone: str | dt.tzinfo = "UTC",
) -> Usage:
    """Meter ``events`` with ``meters`` into one day-resolved :class:`~meterprice.Usage`.

    Only events with ``start <= at < end`` count; each quantity is dated by the
    calendar day of its events in ``timezone`` (naive timestamps: their own date).
    With ``strict`` (the default) an event whose metric no meter reads is a
    :class:`~meterprice.errors.UsageError`: nothing is silently dropped.
    """
    names = [meter.name for meter in meters]
    if len(set(names)) != len(names):
        raise InvalidValueError(f"meters must have distinct names (got {names})")
    batch = events if isinstance(events, list) else list(events)
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidTypeError(f"event {index} is not an Event: {event!r}")
        break
    kept, duplicates = dedupe(batch)  # events with a repeated id are counted once
    zone = _zone(timezone)
    counted = events_between(kept, start, end)
    tally = _tally(counted, _days(counted, zone))

    by_source: dict[str, list[Meter]] = {}
    for meter in meters:
        by_source.setdefault(meter.source, []).append(meter)
    if strict:
        unknown = sorted({metric for (metric, _), _ in tally if metric not in by_source})
        if unknown:
            total = sum(
                sum(counter.values())
                for ((metric, _), _), counter in tally.items()
                if metric not in by_source
            )
            raise UsageError(
                f"{total} event(s) have metrics that no meter reads: {', '.join(unknown)} "
                f"(meters read: {', '.join(sorted(by_source)) or 'nothing'})"
            )
    entries: dict[_DayKey, _State] = {}
    for meter in meters:
        if meter.bands is None:
            entries.update(_run(meter, tally, counted, zone))
        else:  # timestamps decide a dimension: count this meter's events with their band
            banded = meter.bands.label(event for event in counted if event.metric == meter.source)
            entries.update(_run(meter, _tally(banded, _days(banded, zone)), banded, zone))
    return Usage._from_entries(entries, duplicates=duplicates)


class _Groups(dict[_Items, tuple[Dimensions, "Dimensions | None"]]):
    """For dimension pairs: their Dimensions and the meter's group for them (None when
    the meter's filter rejects them); filled on first look-up.
    """

    def __init__(self, meter: Meter) -> None:
        super().__init__()
        self.meter = meter

    def __missing__(self, items: _Items) -> tuple[Dimensions, Dimensions | None]:
        meter = self.meter
        dims = Dimensions._trusted(items)
        group = None
        if meter.where.matches(dims):
            group = dims if meter.group_by is None else dims.project(meter.group_by)
        self[items] = found = (dims, group)
        return found


_Group = tuple[Dimensions, dt.date]


def _run(
    meter: Meter, tally: _Tally, events: Sequence[Event], zone: dt.tzinfo
) -> dict[_DayKey, _State]:
    """Apply ``meter`` to the tallied events (and to the events themselves for LATEST);
    groups come out sorted by dimensions and day, whatever the order of the events.
    """
    groups = _Groups(meter)
    states = _fold(meter, tally, groups)
    if meter.aggregation is Aggregation.LATEST:
        states = _latest(meter, events, groups, zone)
    return {
        (meter.name, group, day): states[(group, day)]
        for group, day in sorted(states, key=lambda key: (key[0].items_tuple, key[1]))
    }


def _fold(meter: Meter, tally: _Tally, groups: _Groups) -> dict[_Group, _State]:
    """Aggregate the tallied events by group: the per-event rules run once per distinct
    quantity, the filter and grouping once per distinct dimensions, and a sum adds
    each quantity's billable amount times its count.
    """
    source, aggregation = meter.source, meter.aggregation
    amounts: dict[Decimal, Decimal] = {}  # billable amount of each distinct quantity
    totals: dict[_Group, Decimal] = {}
    distinct: dict[_Group, set[str]] = {}
    means: dict[_Group, tuple[Decimal, int]] = {}
    add, zero = d.EXACT.add, d.ZERO
    for ((metric, items), day), counter in tally.items():
        if metric != source:
            continue
        dims, dims_group = groups[items]
        if not meter.allow_negative and min(counter) < 0:
            raise _negative(meter, metric, counter, dims)
        if dims_group is None:
            continue
        group = (dims_group, day)
        if aggregation is Aggregation.COUNT:
            totals[group] = add(totals.get(group, zero), sum(counter.values()))
        elif aggregation is Aggregation.DISTINCT:
            label = _distinct_value(meter, metric, sum(counter.values()), dims)
            distinct.setdefault(group, set()).add(label)
        elif aggregation is Aggregation.SUM:
            totals[group] = _billed_sum(meter, counter, amounts, totals.get(group, zero))
        elif aggregation is Aggregation.MAX:
            top = max(meter.billable(quantity) for quantity in counter)
            if group not in totals or top > totals[group]:
                totals[group] = top
        else:  # a mean or a share: an exact total and a count of events
            means[group] = _mean_part(meter, counter, amounts, dims, means.get(group))
    factor = meter.factor
    states: dict[_Group, _State] = {}
    for group, total in totals.items():
        value = Fraction(total) * factor
        states[group] = _Max(value) if aggregation is Aggregation.MAX else _Sum(value)
    for group, values in distinct.items():
        states[group] = _Distinct(frozenset(values))
    share_factor = Fraction(1) if aggregation is Aggregation.SHARE else factor
    states.update(
        {group: _Mean(Fraction(total) * share_factor, n) for group, (total, n) in means.items()}
    )
    return states


def _mean_part(
    meter: Meter,
    counter: Counter[Decimal],
    amounts: dict[Decimal, Decimal],
    dims: Dimensions,
    known: tuple[Decimal, int] | None,
) -> tuple[Decimal, int]:
    """A mean's (or share's) exact total and count of events with ``counter`` added:
    a mean adds the billable quantities, a share the events that meet its condition.
    """
    total, count = known or (d.ZERO, 0)
    if meter.aggregation is Aggregation.MEAN:
        total = _billed_sum(meter, counter, amounts, total)
    else:
        hits = sum(n for quantity, n in counter.items() if meter.meets(quantity, dims))
        total = d.EXACT.add(total, hits)
    return total, count + sum(counter.values())


def _billed_sum(
    meter: Meter, counter: Counter[Decimal], amounts: dict[Decimal, Decimal], total: Decimal
) -> Decimal:
    """``total`` plus the billable amount of each quantity times its count, exactly;
    ``amounts`` caches the billable amount of each distinct quantity.
    """
    fma = d.EXACT.fma
    for quantity, count in counter.items():
        amount = amounts.get(quantity)
        if amount is None:
            amount = amounts[quantity] = meter.billable(quantity)
        total = fma(amount, count, total)  # amount x count + total
    return total


def _negative(meter: Meter, metric: str, counter: Counter[Decimal], dims: Dimensions) -> UsageError:
    quantity = next(quantity for quantity in counter if quantity < 0)
    return UsageError(
        f"meter {meter.name!r}: {counter[quantity]} event(s) of {metric!r} have the "
        f"negative quantity {quantity} ({dims or 'no dimensions'}); negative "
        "quantities are refused unless the meter allows them"
    )


def _distinct_value(meter: Meter, metric: str, count: int, dims: Dimensions) -> str:
    assert meter.distinct is not None
    value = dims.get(meter.distinct)
    if value is None:
        raise UsageError(
            f"meter {meter.name!r} counts distinct {meter.distinct!r} but {count} "
            f"event(s) of {metric!r} lack that dimension ({dims or 'no dimensions'})"
        )
    return value


def _latest(
    meter: Meter, events: Sequence[Event], groups: _Groups, zone: dt.tzinfo
) -> dict[_Group, _State]:
    """The billable quantity of the latest event of each group and day (by instant;
    the larger on a tie).
    """
    own = [event for event in events if event.metric == meter.source]
    latest: dict[_Group, tuple[dt.datetime, Decimal, dt.datetime]] = {}
    for event, day in zip(own, _days(own, zone), strict=True):
        dims_group = groups[event.dimensions.items_tuple][1]
        if dims_group is None:
            continue
        group = (dims_group, day)
        candidate = (instant(event.at), meter.billable(event.quantity), event.at)
        if group not in latest or candidate[:2] > latest[group][:2]:
            latest[group] = candidate
    factor = meter.factor
    return {group: _Latest(at, Fraction(last) * factor) for group, (_, last, at) in latest.items()}
