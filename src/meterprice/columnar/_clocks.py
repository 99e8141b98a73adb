"""Timestamps as microseconds, and each row's wall clock and calendar day in the
contract's time zone: offsets looked up once per transition or per hour, exact
across daylight saving time and midnights that come twice.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from meterprice.columnar._arrays import (
    _DAY,
    _EPOCH,
    _EPOCH_ORDINAL,
    _EPOCH_UTC,
    _HOUR,
    _SECOND,
    _Array,
    _Arrow,
    _as_strings,
    _column,
    _is_string,
    _no_nulls,
    _np,
    _pa,
    _pc,
)
from meterprice.errors import UsageError

#: Microseconds in a unit of an Arrow timestamp (nanoseconds: divided, when exact).
_UNITS = {"s": _SECOND, "ms": 1000, "us": 1, "ns": None}
#: The end of ISO 8601 text with a UTC offset.
_ISO_OFFSET = r"([zZ]|[+-]\d\d(:?\d\d)?)$"


def _timestamps(table: _Arrow, name: str, role: str) -> tuple[_Array, bool]:
    """Microseconds since the epoch (UTC for aware columns, wall clock for naive
    ones) and whether the column is time-zone aware.
    """
    np, pa, pc = _np(), _pa(), _pc()
    column = _column(table, name, role)
    _no_nulls(column, name, role)
    kind = column.type
    if _is_string(kind):
        column = _as_strings(column)
        zoned = pc.match_substring_regex(column, _ISO_OFFSET)
        aware = bool(pc.all(zoned).as_py()) if len(column) else True
        if not aware and pc.any(zoned).as_py():
            raise UsageError(
                f"column {name!r} ({role}) mixes timestamps with and without a UTC offset: "
                "do not mix naive and aware timestamps"
            )
        target = pa.timestamp("us", "UTC") if aware else pa.timestamp("us")
        try:
            column = pc.cast(column, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise UsageError(
                f"column {name!r} ({role}) holds text that is not an ISO 8601 date and "
                f"time ({error})"
            ) from None
        kind = column.type
    if not pa.types.is_timestamp(kind):
        raise UsageError(
            f"column {name!r} ({role}) must hold timestamps, not {kind}: cast it to a "
            "timestamp type (pyarrow.timestamp('us', 'UTC'), polars pl.Datetime)"
        )
    raw = pc.cast(column, pa.int64()).to_numpy().astype(np.int64, copy=False)
    scale = _UNITS[kind.unit]
    if scale is None:  # nanoseconds: exact only on whole microseconds
        if (raw % 1000).any():
            raise UsageError(
                f"column {name!r} ({role}) has timestamps finer than a microsecond, which "
                "events cannot hold: round them to microseconds"
            )
        micros = raw // 1000
    else:
        micros = raw if scale == 1 else raw * scale
    return micros, kind.tz is not None


def _wall(utc: _Array, zone: zoneinfo.ZoneInfo) -> _Array:
    """Wall-clock microseconds in ``zone`` of UTC microseconds: the offset is looked up
    once per distinct hour, and per row only in an hour where the offset changes.
    """
    np = _np()
    if not len(utc):
        return utc
    hour = utc // _HOUR
    low = int(hour.min())
    if int(hour.max()) - low < 1 << 22:  # a dense table of hours (a month: 744)
        hours = np.flatnonzero(np.bincount(hour - low)) + low
        dense = np.full(int(hour.max()) - low + 1, -1, dtype=np.int64)
        dense[hours - low] = np.arange(len(hours))
        where = dense[hour - low]
    else:
        hours, where = np.unique(hour, return_inverse=True)
    offsets = np.empty(len(hours), dtype=np.int64)
    changing: list[int] = []
    for index, hour in enumerate(hours.tolist()):
        first = _offset(hour * _HOUR, zone)
        if _offset(hour * _HOUR + _HOUR - 1, zone) != first:
            changing.append(index)
        offsets[index] = first
    wall = utc + offsets[where]
    if changing:
        rows = np.flatnonzero(np.isin(where, np.array(changing)))
        wall[rows] = [value + _offset(value, zone) for value in utc[rows].tolist()]
    return wall


def _offset(micros: int, zone: zoneinfo.ZoneInfo) -> int:
    try:  # offsets change on whole seconds: the offset of the second is that of the instant
        at = dt.datetime.fromtimestamp(micros // _SECOND, zone)
    except (OverflowError, OSError, ValueError):  # pragma: no cover - beyond the platform's range
        at = (_EPOCH_UTC + dt.timedelta(microseconds=micros)).astimezone(zone)
    offset = at.utcoffset()
    assert offset is not None
    return offset // dt.timedelta(microseconds=1)


def _micros(at: dt.datetime) -> int:
    if at.tzinfo is None:
        return (at - _EPOCH) // dt.timedelta(microseconds=1)
    return (at - _EPOCH_UTC) // dt.timedelta(microseconds=1)


#: Beyond this many hours (about eleven years) the offsets are looked up per hour.
_SEGMENT_HOURS = 100_000
#: Beyond this many offset changes within the rows' span, too.
_SEGMENT_CHANGES = 8


def _segments(low: int, high: int, zone: zoneinfo.ZoneInfo) -> list[tuple[int, int]] | None:
    """The zone's UTC offsets over ``[low, high]`` (UTC microseconds) as (from, offset)
    pairs, the first from ``low``; ``None`` when the span is too long or changes too
    often for that to pay. An offset change is found hour by hour, then bisected to
    the microsecond.
    """
    first, last = low // _HOUR, high // _HOUR
    if last - first > _SEGMENT_HOURS:
        return None
    segments = [(low, _offset(low, zone))]
    previous = low
    for hour in range(first + 1, last + 1):
        at = hour * _HOUR
        offset = _offset(at, zone)
        if offset != segments[-1][1]:
            lo, hi = previous, at  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > 1:
                middle = (lo + hi) // 2
                if _offset(middle, zone) == offset:
                    hi = middle
                else:
                    lo = middle
            segments.append((hi, offset))
            if len(segments) > _SEGMENT_CHANGES:
                return None
        previous = at
    if high > previous and _offset(high, zone) != segments[-1][1]:
        return None  # a change within the last hour after another: the slow path is exact
    return segments


def _local(micros: _Array, zone: zoneinfo.ZoneInfo, low: int, high: int) -> _Array:
    """Wall-clock microseconds in ``zone`` of the UTC microseconds ``micros``, exact for
    the rows within ``[low, high]`` (the others are not metered).
    """
    np = _np()
    segments = _segments(low, high, zone)
    if segments is None:
        return _wall(micros, zone)
    wall = micros + np.int64(segments[0][1])
    for (_, before), (since, after) in itertools.pairwise(segments):
        wall += (micros >= since) * np.int64(after - before)
    return wall


def _days_by_instant(wall: _Array, micros: _Array, zone: zoneinfo.ZoneInfo) -> _Array:
    """Each row's day: a day runs from its midnight (the first, when midnight comes
    twice) to the next, so a row in the second pass through a repeated hour that
    crosses midnight belongs to the new day, as in the object path and the period
    bounds. A row moves only when the next midnight's offset exceeds its own by more
    than the time left to midnight; with one offset throughout, none can.
    """
    np = _np()
    days = wall // _DAY
    if not len(wall):
        return days
    low, high = int(days.min()), int(days.max()) + 1
    offsets = wall - micros
    if high - low < 1 << 16:  # a table of the midnights' offsets (a month: 32)
        span = np.arange(low, high + 1)
        table = np.array([_midnight_offset(day, zone) for day in span.tolist()], np.int64)
        row_low, row_high = int(offsets.min()), int(offsets.max())
        if row_low == row_high == int(table.min()) == int(table.max()):
            return days
        following = table[days - low + 1]
    else:  # pragma: no cover - rows spread over more than 179 years
        unique, where = np.unique(days + 1, return_inverse=True)
        table = np.array([_midnight_offset(day, zone) for day in unique.tolist()], np.int64)
        following = table[where]
    left = (days + 1) * _DAY - wall  # time to the next midnight, on the wall clock
    days += following - offsets >= left
    return days


def _midnight_offset(day: int, zone: zoneinfo.ZoneInfo) -> int:
    """The UTC offset (microseconds) of the first midnight of a day (days since 1970)."""
    try:
        midnight = dt.datetime.combine(dt.date.fromordinal(_EPOCH_ORDINAL + day), dt.time(), zone)
    except (OverflowError, ValueError):  # pragma: no cover - beyond the calendar
        return 0
    offset = midnight.utcoffset()
    assert offset is not None
    return offset // dt.timedelta(microseconds=1)
