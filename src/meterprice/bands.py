"""Time bands: classify events by time of day and day of week (night, weekend, day).

Usage summaries carry no timestamps, so rates that differ by time of day ("early
morning customer service", a night or weekend premium) are decided when events are
metered: a :class:`TimeBands` given to a :class:`~meterprice.Meter` adds a dimension
(``band=night``, ``band=weekend``, ``band=day``) to every event from its timestamp,
read as wall-clock time in a time zone. Components then price the bands like any
other dimension:

* a premium on top of a base rate: ``PerUnit(metric="handle_minutes", rate=...)``
  for every minute plus ``PerUnit(metric="handle_minutes", rate=<premium>,
  where={"band": "night"})`` for the night minutes;
* or one rate per band: ``PerUnit(..., where={"band": "day"})``,
  ``PerUnit(..., where={"band": "night"})``, ...
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections.abc import Iterable

import attrs

from meterprice.dimensions import Dimensions
from meterprice.errors import CalendarError, InvalidTypeError, UsageError
from meterprice.usage import Event

__all__ = ["WEEKDAYS", "Band", "TimeBands"]

#: Day names as :class:`Band` reads them, Monday (0) first, as :meth:`datetime.date.weekday`.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAY_GROUPS = {
    "all": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
}


_DAY = 86_400_000_000  # microseconds
_WEEK = 7 * _DAY


def _micros(time: dt.time | dt.datetime) -> int:
    """Microseconds since midnight of a wall-clock time."""
    return ((time.hour * 60 + time.minute) * 60 + time.second) * 1_000_000 + time.microsecond


_DAY_NAMES = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    **{
        name: number
        for number, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}


def _day_number(value: object) -> int:
    if type(value) is int and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower() in _DAY_NAMES:
        return _DAY_NAMES[value.strip().lower()]
    raise CalendarError(
        f"days: {value!r} is not a day of the week (0 = Monday to 6 = Sunday, "
        "or a name such as 'sat' or 'saturday')"
    )


def _to_days(value: object) -> frozenset[int]:
    if isinstance(value, str):
        group = _DAY_GROUPS.get(value.strip().lower())
        if group is not None:
            return group
        return frozenset({_day_number(value)})
    if isinstance(value, int):
        return frozenset({_day_number(value)})
    if not isinstance(value, Iterable):
        raise InvalidTypeError(f"days must be day names or numbers, not {value!r}")
    days = frozenset(_day_number(item) for item in value)
    if not days:
        raise CalendarError("days must name at least one day of the week")
    return days


def _to_time(value: object, what: str) -> dt.time:
    if isinstance(value, str):
        text = value.strip()
        if text in ("24:00", "24:00:00"):
            return dt.time(0)
        try:
            value = dt.time.fromisoformat(text)
        except ValueError:
            raise CalendarError(f"{what} is not a time of day (HH:MM): {value!r}") from None
    if not isinstance(value, dt.time):
        raise InvalidTypeError(f"{what} must be a time or a string such as '22:00', not {value!r}")
    if value.tzinfo is not None:
        raise CalendarError(
            f"{what} must be a wall-clock time without a time zone (got {value!r}); "
            "the time zone belongs to the TimeBands"
        )
    return value


def _to_start(value: object) -> dt.time:
    return _to_time(value, "start")


def _to_end(value: object) -> dt.time:
    return _to_time(value, "end")


def _check_label(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


@attrs.frozen
class Band:
    """A weekly time band: from ``start`` to ``end`` on each of ``days``.

    ``start`` is included and ``end`` excluded. When ``end`` is not after ``start``
    the band runs past midnight into the next day (``"22:00"`` to ``"06:00"``), and
    ``days`` are the days on which it starts: a Friday night band covers Saturday
    03:00. ``start == end`` is 24 hours (the default, with ``00:00``, is the whole
    day). ``"24:00"`` may be written for midnight at the end. ``days`` takes numbers
    (0 = Monday) or names (``"sat"``, ``"saturday"``), or ``"weekdays"``,
    ``"weekend"``, ``"all"`` (the default).

    >>> night = Band("night", "22:00", "06:00")
    >>> night.covers(dt.datetime(2026, 11, 7, 3, 30)), night.covers(dt.datetime(2026, 11, 7, 6, 0))
    (True, False)
    """

    name: str = attrs.field(validator=_check_label)
    start: dt.time = attrs.field(default=dt.time(0), converter=_to_start)
    end: dt.time = attrs.field(default=dt.time(0), converter=_to_end)
    days: frozenset[int] = attrs.field(default=_DAY_GROUPS["all"], converter=_to_days, kw_only=True)

    @property
    def crosses_midnight(self) -> bool:
        """Whether the band runs into the next day."""
        return self.end <= self.start

    def week_spans(self) -> tuple[tuple[int, int], ...]:
        """The band as ``[start, end)`` offsets in microseconds from Monday 00:00,
        within one week (a Sunday night band wraps round to Monday morning).
        """
        start = _micros(self.start)
        length = (_micros(self.end) - start) % _DAY or _DAY
        spans: list[tuple[int, int]] = []
        for day in sorted(self.days):
            low = day * _DAY + start
            high = low + length
            if high > _WEEK:
                spans.extend(((low, _WEEK), (0, high - _WEEK)))
            else:
                spans.append((low, high))
        return tuple(spans)

    def covers(self, wall: dt.datetime) -> bool:
        """Whether the wall-clock time ``wall`` (naive, local) falls in this band."""
        weekday, time = wall.weekday(), wall.time()
        if not self.crosses_midnight:
            return weekday in self.days and self.start <= time < self.end
        if time >= self.start:
            return weekday in self.days
        return time < self.end and (weekday - 1) % 7 in self.days

    def __str__(self) -> str:
        if self.days == _DAY_GROUPS["all"]:
            days = "every day"
        else:
            days = ", ".join(WEEKDAYS[day] for day in sorted(self.days))
        if self.start == self.end == dt.time(0):
            return f"{self.name} all day {days}"
        return f"{self.name} {self.start:%H:%M}-{self.end:%H:%M} {days}"


def _to_bands(value: object) -> tuple[Band, ...]:
    if isinstance(value, Band):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"bands must be a list of Band, not {value!r}")
    bands = tuple(value)
    for index, band in enumerate(bands):
        if not isinstance(band, Band):
            raise InvalidTypeError(f"bands[{index}] must be a Band, not {band!r}")
    if not bands:
        raise CalendarError("bands must not be empty")
    return bands


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(f"timezone must be an IANA time zone name, not {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # a folder of zones: OSError
        raise CalendarError(f"timezone: unknown IANA time zone {value!r}") from None


@attrs.frozen
class TimeBands:
    """Classifies timestamps into named time bands; the first band that covers a
    timestamp wins, and ``default`` names the rest.

    Naive timestamps are wall-clock time in ``timezone`` (as a contract reads them);
    aware ones are converted to it with :mod:`zoneinfo`, so daylight saving time is
    respected. Give the contract's own time zone (a :class:`~meterprice.Contract`
    refuses a meter whose bands use another). Given to a
    :class:`~meterprice.Meter` as ``bands=``, the band becomes the dimension
    ``dimension`` of every event the meter reads (keep it in the meter's
    ``group_by``, if it has one). A night premium is then a second rate on the
    night's usage: ``PerUnit("Minutes", metric="handle_minutes", rate=...)`` for
    every minute and ``PerUnit("Night premium", metric="handle_minutes",
    rate=<premium>, where={"band": "night"})``.

    >>> shifts = TimeBands(
    ...     [Band("weekend", days="weekend"), Band("night", "22:00", "06:00")],
    ...     timezone="Asia/Shanghai",
    ... )
    >>> shifts.band_of(dt.datetime(2026, 11, 4, 23, 15))  # a Wednesday
    'night'
    >>> shifts.band_of(dt.datetime(2026, 11, 7, 23, 15))  # a Saturday
    'weekend'
    >>> shifts.band_of(dt.datetime(2026, 11, 4, 1, 0, tzinfo=dt.timezone.utc))  # 09:00 local
    'day'
    """

    bands: tuple[Band, ...] = attrs.field(converter=_to_bands)
    timezone: str = attrs.field(default="UTC", validator=_check_timezone, kw_only=True)
    default: str = attrs.field(default="day", validator=_check_label, kw_only=True)
    dimension: str = attrs.field(default="band", validator=_check_label, kw_only=True)
    _zone: zoneinfo.ZoneInfo = attrs.field(init=False, eq=False, repr=False)
    _starts: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _names: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_zone", zoneinfo.ZoneInfo(self.timezone))
        # The week cut into segments at every band edge, each labelled with the first
        # band covering it, so that classifying a timestamp is one binary search.
        spans = [band.week_spans() for band in self.bands]
        edges = sorted({0, *(edge for band in spans for span in band for edge in span)} - {_WEEK})
        starts: list[int] = []
        names: list[str] = []
        for edge in edges:
            name = next(
                (
                    band.name
                    for band, band_spans in zip(self.bands, spans, strict=True)
                    if any(low <= edge < high for low, high in band_spans)
                ),
                self.default,
            )
            if not names or names[-1] != name:
                starts.append(edge)
                names.append(name)
        object.__setattr__(self, "_starts", tuple(starts))
        object.__setattr__(self, "_names", tuple(names))

    @property
    def names(self) -> tuple[str, ...]:
        """Every band name an event can get, ``default`` last, each once."""
        return tuple(dict.fromkeys((*(band.name for band in self.bands), self.default)))

    def wall_time(self, at: dt.datetime) -> dt.datetime:
        """``at`` as naive wall-clock time in ``timezone``."""
        if at.tzinfo is None:
            return at
        return at.astimezone(self._zone).replace(tzinfo=None)

    def band_of(self, at: dt.datetime) -> str:
        """The name of the band ``at`` falls in."""
        if not isinstance(at, dt.datetime):
            raise InvalidTypeError(f"a timestamp must be a datetime, not {at!r}")
        wall = at if at.tzinfo is None else at.astimezone(self._zone)
        offset = wall.weekday() * _DAY + _micros(wall)
        return self._names[bisect.bisect_right(self._starts, offset) - 1]

    def label(self, events: Iterable[Event]) -> list[Event]:
        """``events`` with their band added as the dimension ``dimension``.

        An event that already has that dimension is a
        :class:`~meterprice.errors.UsageError`: nothing is silently overwritten.
        """
        labelled: list[Event] = []
        cache: dict[tuple[Dimensions, str], Dimensions] = {}
        for index, event in enumerate(events):
            band = self.band_of(event.at)
            key = (event.dimensions, band)
            dims = cache.get(key)
            if dims is None:
                if self.dimension in event.dimensions:
                    raise UsageError(
                        f"event {index} ({event.metric} at {event.at.isoformat()}) already has "
                        f"the dimension {self.dimension!r} that time bands would set"
                    )
                dims = cache[key] = Dimensions({**event.dimensions, self.dimension: band})
            labelled.append(Event(event.metric, event.quantity, event.at, dims))
        return labelled

    def __str__(self) -> str:
        bands = "; ".join(str(band) for band in self.bands)
        return f"{self.dimension}: {bands}; otherwise {self.default} ({self.timezone})"
