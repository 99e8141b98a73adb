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
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from meterprice import _decimal as d
from meterprice.bands import TimeBands
from meterprice.dimensions import Dimensions, Where, to_where
from meterprice.errors import UsageError
from meterprice.usage import Aggregation, Event, Usage, _Distinct, _Latest, _Max, _State, _Sum

__all__ = ["TIME_UNITS", "Meter", "meter_events"]

#: Time units a meter can convert between, in seconds.
TIME_UNITS: dict[str, int] = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _optional_positive(what: str) -> Any:
    def convert(value: object) -> Decimal | None:
        if value is None:
            return None
        number = d.to_decimal(value, what=what)
        if number <= 0:
            raise ValueError(f"{what} must be positive (got {value!r})")
        return number

    return convert


def _to_group_by(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"group_by must be a list of dimension names, not {value!r}")
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"group_by must name dimensions with strings, not {name!r}")
    return tuple(sorted(set(names)))


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


def _default_source(meter: Meter) -> str:
    return meter.name


def _to_aggregation(value: object) -> Aggregation:
    if isinstance(value, Aggregation):
        return value
    try:
        return Aggregation(value)
    except ValueError:
        choices = ", ".join(a.value for a in Aggregation)
        raise ValueError(f"aggregation must be one of {choices} (got {value!r})") from None


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
    increment: Decimal | None = attrs.field(
        default=None, converter=_optional_positive("increment"), kw_only=True
    )
    minimum: Decimal | None = attrs.field(
        default=None, converter=_optional_positive("minimum"), kw_only=True
    )
    group_by: tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_group_by, kw_only=True
    )
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    distinct: str | None = attrs.field(default=None, kw_only=True)
    allow_negative: bool = attrs.field(default=False, kw_only=True)
    #: Time bands (night, weekend, ...) added to each event as a dimension before the
    #: meter's ``where`` and ``group_by`` apply; see :class:`~meterprice.TimeBands`.
    bands: TimeBands | None = attrs.field(
        default=None,
        kw_only=True,
        validator=attrs.validators.optional(attrs.validators.instance_of(TimeBands)),
    )

    def __attrs_post_init__(self) -> None:
        if (self.from_unit is None) != (self.unit is None) and self.from_unit is not None:
            raise ValueError(f"meter {self.name!r}: from_unit needs a unit to convert to")
        if self.from_unit is not None:
            for unit in (self.from_unit, self.unit):
                if unit not in TIME_UNITS:
                    raise ValueError(
                        f"meter {self.name!r}: cannot convert unit {unit!r}; "
                        f"known units are {', '.join(TIME_UNITS)}"
                    )
        if (self.aggregation is Aggregation.DISTINCT) != (self.distinct is not None):
            raise ValueError(
                f"meter {self.name!r}: aggregation 'distinct' and the distinct dimension "
                "go together (got aggregation="
                f"{self.aggregation.value!r}, distinct={self.distinct!r})"
            )
        if self.aggregation in (Aggregation.COUNT, Aggregation.DISTINCT) and (
            self.increment is not None or self.minimum is not None or self.from_unit is not None
        ):
            raise ValueError(
                f"meter {self.name!r}: increment, minimum and unit conversion apply to "
                f"quantities, not to aggregation {self.aggregation.value!r}"
            )

    @property
    def factor(self) -> Fraction:
        """The exact unit conversion applied to source quantities (1/60 for s -> min)."""
        if self.from_unit is None or self.unit is None:
            return Fraction(1)
        return Fraction(TIME_UNITS[self.from_unit], TIME_UNITS[self.unit])

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
    ) -> Usage:
        """Meter ``events`` with this meter alone (events of other metrics are ignored)."""
        own = [event for event in events if event.metric == self.source]
        return meter_events([self], own, start=start, end=end)

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
        if self.group_by is not None:
            parts.append(f"grouped by {', '.join(self.group_by) or 'nothing'}")
        if self.where:
            parts.append(f"where {self.where}")
        if self.bands is not None:
            parts.append(f"with time bands {self.bands}")
        return f"{self.name}: " + ", ".join(parts)


_KEY = operator.attrgetter("metric", "quantity", "dimensions")


def _in_window(
    events: Sequence[Event], start: dt.datetime | None, end: dt.datetime | None
) -> list[Event]:
    """The events with ``start <= at < end``; a naive/aware mix is a UsageError."""
    try:
        if start is not None and end is not None:
            return [event for event in events if start <= event.at < end]
        if start is not None:
            return [event for event in events if start <= event.at]
        if end is not None:
            return [event for event in events if event.at < end]
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
    return list(events)


def _check_timestamps(events: Sequence[Event]) -> None:
    if not events:
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
) -> Usage:
    """Meter ``events`` with ``meters`` into one :class:`~meterprice.Usage`.

    Only events with ``start <= at < end`` count. With ``strict`` (the default) an
    event whose metric no meter reads is a :class:`~meterprice.errors.UsageError`:
    nothing is silently dropped.
    """
    names = [meter.name for meter in meters]
    if len(set(names)) != len(names):
        raise ValueError(f"meters must have distinct names (got {names})")
    batch = events if isinstance(events, list) else list(events)
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise TypeError(f"event {index} is not an Event: {event!r}")
        break
    if start is None and end is None:
        _check_timestamps(batch)
    else:
        batch = _in_window(batch, start, end)
    counts: Counter[tuple[str, Decimal, Dimensions]] = Counter(map(_KEY, batch))

    by_source: dict[str, list[Meter]] = {}
    for meter in meters:
        by_source.setdefault(meter.source, []).append(meter)
    if strict:
        unknown = sorted({metric for metric, _, _ in counts if metric not in by_source})
        if unknown:
            total = sum(n for (metric, _, _), n in counts.items() if metric not in by_source)
            raise UsageError(
                f"{total} event(s) have metrics that no meter reads: {', '.join(unknown)} "
                f"(meters read: {', '.join(sorted(by_source)) or 'nothing'})"
            )
    entries: dict[tuple[str, Dimensions], _State] = {}
    for meter in meters:
        if meter.bands is None:
            entries.update(_run(meter, counts, batch))
        else:  # timestamps decide a dimension: count this meter's events with their band
            banded = meter.bands.label(event for event in batch if event.metric == meter.source)
            entries.update(_run(meter, Counter(map(_KEY, banded)), banded))
    return Usage(entries)


def _run(
    meter: Meter,
    counts: Counter[tuple[str, Decimal, Dimensions]],
    events: Sequence[Event],
) -> dict[tuple[str, Dimensions], _State]:
    projected: dict[Dimensions, Dimensions | None] = {}

    def group_of(dims: Dimensions) -> Dimensions | None:
        """The group key of ``dims``, or None when the meter's filter rejects them."""
        if dims in projected:
            return projected[dims]
        key: Dimensions | None
        if not meter.where.matches(dims):
            key = None
        elif meter.group_by is None:
            key = dims
        else:
            key = dims.project(meter.group_by)
        projected[dims] = key
        return key

    aggregation = meter.aggregation
    billable: dict[Decimal, Decimal] = {}
    sums: dict[Dimensions, Decimal] = {}
    maxima: dict[Dimensions, Decimal] = {}
    distinct: dict[Dimensions, set[str]] = {}
    for (metric, quantity, dims), count in counts.items():
        if metric != meter.source:
            continue
        if quantity < 0 and not meter.allow_negative:
            raise UsageError(
                f"meter {meter.name!r}: {count} event(s) of {metric!r} have the negative "
                f"quantity {quantity} ({dims or 'no dimensions'}); negative quantities "
                "are refused unless the meter allows them"
            )
        group = group_of(dims)
        if group is None:
            continue
        if aggregation is Aggregation.COUNT:
            sums[group] = d.add(sums.get(group, d.ZERO), Decimal(count))
            continue
        if aggregation is Aggregation.DISTINCT:
            assert meter.distinct is not None
            value = dims.get(meter.distinct)
            if value is None:
                raise UsageError(
                    f"meter {meter.name!r} counts distinct {meter.distinct!r} but {count} "
                    f"event(s) of {metric!r} lack that dimension ({dims or 'no dimensions'})"
                )
            distinct.setdefault(group, set()).add(value)
            continue
        amount = billable.get(quantity)
        if amount is None:
            amount = billable[quantity] = meter.billable(quantity)
        if aggregation is Aggregation.SUM:
            sums[group] = d.add(sums.get(group, d.ZERO), d.mul(amount, Decimal(count)))
        elif aggregation is Aggregation.MAX:
            if group not in maxima or amount > maxima[group]:
                maxima[group] = amount

    factor = meter.factor
    result: dict[tuple[str, Dimensions], _State] = {}
    for group, total in sums.items():
        result[(meter.name, group)] = _Sum(Fraction(total) * factor)
    for group, top in maxima.items():
        result[(meter.name, group)] = _Max(Fraction(top) * factor)
    for group, values in distinct.items():
        result[(meter.name, group)] = _Distinct(frozenset(values))
    if aggregation is Aggregation.LATEST:
        latest: dict[Dimensions, tuple[dt.datetime, Decimal]] = {}
        for event in events:
            if event.metric != meter.source:
                continue
            group = group_of(event.dimensions)
            if group is None:
                continue
            candidate = (event.at, meter.billable(event.quantity))
            if group not in latest or candidate > latest[group]:
                latest[group] = candidate
        for group, (at, value) in latest.items():
            result[(meter.name, group)] = _Latest(at, Fraction(value) * factor)
    return result
