"""The columnar engine: meters an Arrow table for a contract with pyarrow and numpy.

Every step is exact: quantities are integers scaled by a power of ten (decimals keep
their digits), the per-event increment and minimum run on those integers, sums that
could leave int64 are done on Python integers, and the unit conversion is applied
once per group as an exact Fraction. Rows are split by day in the contract's time
zone, so the result is the same day-resolved usage that metering events gives.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import zoneinfo
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from meterprice import _decimal as d
from meterprice.columnar._columns import ColumnMapping
from meterprice.dimensions import Dimensions
from meterprice.errors import UsageError
from meterprice.metering import Meter
from meterprice.usage import Aggregation, _Distinct, _Latest, _Max, _State, _Sum

if TYPE_CHECKING:
    from meterprice.contract import Contract

#: numpy arrays and pyarrow values: both come untyped through lazy imports.
_Array = Any
_Arrow = Any

__all__ = ["DayKey", "meter_arrow"]

DayKey = tuple[str, Dimensions, dt.date | None]

_SECOND = 1_000_000
_HOUR = 3600 * _SECOND
_DAY = 86400 * _SECOND
_INT64_MAX = (1 << 63) - 1
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_UNITS = {"s": _SECOND, "ms": 1000, "us": 1, "ns": None}


def _np() -> Any:
    import numpy  # noqa: PLC0415 - comes with pyarrow, imported when used

    return numpy


def _pa() -> Any:
    import pyarrow  # noqa: PLC0415 - an optional dependency

    return pyarrow


def _pc() -> Any:
    import pyarrow.compute  # noqa: PLC0415 - an optional dependency

    return pyarrow.compute


# -- columns ------------------------------------------------------------------------------
def _column(table: _Arrow, name: str, role: str) -> _Arrow:
    if name not in table.column_names:
        raise UsageError(
            f"the table has no {role} column {name!r} (it has: "
            f"{', '.join(table.column_names) or 'no columns'}); name the column with a "
            "ColumnMapping (--column on the command line)"
        )
    return table.column(name)


def _no_nulls(column: _Arrow, name: str, role: str) -> None:
    if column.null_count:
        pc = _pc()
        first = pc.index(pc.is_null(column), True).as_py()
        raise UsageError(
            f"column {name!r} ({role}) has {column.null_count} missing value(s), the first "
            f"in row {first}: every event needs a {role}"
        )


def _is_string(kind: _Arrow) -> bool:
    pa = _pa()
    types = pa.types
    if types.is_dictionary(kind):
        return _is_string(kind.value_type)
    return bool(types.is_string(kind) or types.is_large_string(kind) or types.is_string_view(kind))


def _as_strings(column: _Arrow) -> _Arrow:
    pa = _pa()
    if column.type != pa.string():
        column = column.cast(pa.string())
    return column


def _codes(column: _Arrow, *, split: bool = True) -> tuple[_Array, list[str | None]]:
    """Dictionary codes (-1 for null) and the distinct values; a dictionary column
    (Parquet read with ``read_dictionary``, a polars Categorical) is used as it is.
    """
    np, pa = _np(), _pa()
    if pa.types.is_dictionary(column.type):
        codes, values = _dictionary_codes(column)
        if len(values):  # a dictionary may hold values no row uses: they are not there
            used = np.bincount(codes[codes >= 0], minlength=len(values))
            counts = used.tolist()
            values = [value if n else None for value, n in zip(values, counts, strict=True)]
        return codes, values
    known = _known_codes(column)
    if known is not None:
        return known
    if split and len(column) >= _SPLIT and column.num_chunks == 1 and _workers() > 1:
        # a long column: encode its halves in two threads (pyarrow releases the GIL)
        # and unify their dictionaries
        chunk = _as_strings(column).chunk(0)
        half = len(chunk) // 2
        parts = list(_pool().map(_encode, [chunk.slice(0, half), chunk.slice(half)]))
        return _dictionary_codes(pa.chunked_array(parts))
    encoded = _as_strings(column).combine_chunks().dictionary_encode()
    return _dictionary_codes(pa.chunked_array([encoded]))


def _known_codes(column: _Arrow) -> tuple[_Array, list[str | None]] | None:
    """The codes of a text column with few distinct values, all of them among its
    first rows (a language, a channel): each row looked up among those values, which
    takes about two thirds of the time of encoding the column; None when some row
    has another value, or the first rows have too many, and the column is encoded.
    """
    np, pc = _np(), _pc()
    column = _as_strings(column)
    values = pc.drop_null(pc.unique(column.slice(0, _SAMPLE).combine_chunks()))
    if len(values) > _FEW:
        return None
    found = pc.index_in(column, value_set=values)
    if found.null_count != column.null_count:  # a value the first rows do not have
        return None
    if found.null_count:
        found = found.fill_null(-1)
    parts = [chunk.to_numpy() for chunk in found.chunks] or [np.zeros(0, dtype=np.int32)]
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return codes.astype(np.int64), values.to_pylist()


#: The first rows whose values are looked for in a whole column, and at most how
#: many distinct values they may have.
_SAMPLE = 4096
_FEW = 64


def _encode(chunk: _Arrow) -> _Arrow:
    return chunk.dictionary_encode()


def _dictionary_codes(column: _Arrow) -> tuple[_Array, list[str | None]]:
    """The codes and values of a dictionary column: its indices into one dictionary
    (duplicate dictionary values share the code of the first).
    """
    np, pa = _np(), _pa()
    if not column.num_chunks:
        return np.zeros(0, dtype=np.int64), []
    column = column.unify_dictionaries()
    dictionary = column.chunk(0).dictionary
    if not pa.types.is_string(dictionary.type):
        dictionary = dictionary.cast(pa.string())
    values: list[str | None] = dictionary.to_pylist()
    parts = []
    for chunk in column.chunks:
        indices = chunk.indices
        if indices.null_count:
            indices = indices.fill_null(-1)
        parts.append(indices.to_numpy(zero_copy_only=False))
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    codes = codes.astype(np.int64)
    first: dict[str | None, int] = {}
    canonical = [first.setdefault(value, code) for code, value in enumerate(values)]
    if canonical != list(range(len(values))):  # duplicates: map them to the first
        remap = np.array([*canonical, -1], dtype=np.int64)
        codes = remap[codes]
    return codes, values


#: Columns at least this long are encoded in two halves on two threads.
_SPLIT = 200_000
_POOL: list[tuple[int, Any]] = []


def _workers() -> int:
    return min(2, os.cpu_count() or 1)


def _pool() -> Any:
    """One shared thread pool per process (pyarrow kernels run without the GIL); a
    forked child, whose copy of the pool has no threads, makes its own.
    """
    if not _POOL or _POOL[0][0] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        _POOL[:] = [(os.getpid(), ThreadPoolExecutor(max_workers=_workers()))]
    return _POOL[0][1]


def _metrics(table: _Arrow, mapping: ColumnMapping) -> tuple[_Array | None, list[str]]:
    """Each row's metric code (``None``: every row has the one metric) and the names."""
    pc = _pc()
    if mapping.metric is not None:
        return None, [mapping.metric]
    name = mapping.metric_column
    column = _column(table, name, "metric")
    if not _is_string(column.type):
        raise UsageError(f"column {name!r} (metric) must hold strings, not {column.type}")
    _no_nulls(column, name, "metric")
    codes: _Array | None
    if not _pa().types.is_dictionary(column.type):
        first = column[0].as_py()
        if first and first.strip() and pc.all(pc.equal(column, first)).as_py():
            return None, [first]  # one metric (the usual export): nothing to encode
    codes, values = _codes(column)
    for value in values:
        if value is not None and not value.strip():
            raise UsageError(f"column {name!r} (metric) has an empty metric name")
    return codes, [value if value is not None else "" for value in values]


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


def _scale_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _decimals(column: _Arrow, name: str) -> tuple[_Array, int]:
    """The unscaled integers of a decimal column, and its scale."""
    np, pa = _np(), _pa()
    kind = column.type
    parts: list[_Array] = []
    if pa.types.is_decimal128(kind):
        for chunk in column.chunks:
            words = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
            words = words[2 * chunk.offset : 2 * (chunk.offset + len(chunk))].reshape(-1, 2)
            low, high = words[:, 0], words[:, 1]
            if not (high == (low >> 63)).all():
                parts.append(_python_decimals(chunk, kind.scale))
            else:
                parts.append(low.copy())
    else:
        parts = [_python_decimals(chunk, kind.scale) for chunk in column.chunks]
    if not parts:
        return np.zeros(0, dtype=np.int64), kind.scale
    if any(part.dtype == object for part in parts):
        parts = [part.astype(object) for part in parts]
    return np.concatenate(parts), kind.scale


def _python_decimals(chunk: _Arrow, scale: int) -> _Array:
    np = _np()
    values = [int(Fraction(value) * 10**scale) for value in chunk.to_pylist()]
    return np.array(values, dtype=object)


def _quantities(table: _Arrow, name: str) -> tuple[_Array, int]:
    """The quantity column as integers scaled by ``10**scale``, and the scale."""
    np, pa, pc = _np(), _pa(), _pc()
    column = _column(table, name, "quantity")
    _no_nulls(column, name, "quantity")
    kind, types = column.type, pa.types
    if types.is_integer(kind):
        if types.is_uint64(kind) and len(column) and pc.max(column).as_py() > _INT64_MAX:
            return np.array(column.to_pylist(), dtype=object), 0
        return column.to_numpy().astype(np.int64), 0
    if types.is_decimal(kind):
        return _decimals(column, name)
    if types.is_floating(kind):
        values = column.to_numpy().astype(np.float64)
        bad = ~np.isfinite(values) | (values != np.floor(values)) | (np.abs(values) > 2.0**53)
        if bad.any():
            example = values[np.flatnonzero(bad)[0]]
            raise UsageError(
                f"column {name!r} (quantity) holds floating-point numbers such as {example!r}, "
                "which are not exact: cast it to a decimal type "
                "(pyarrow.compute.cast(col, pyarrow.decimal128(18, 6)), "
                "polars pl.col(name).cast(pl.Decimal(18, 6)), or read the file with "
                "the quantity as text) or to integers"
            )
        return values.astype(np.int64), 0
    if _is_string(kind):
        plain = _plain_decimals(column)
        if plain is not None:
            return plain
        codes, texts = _codes(column)
        numbers: list[Decimal] = []
        for text in texts:
            if text is None:  # a dictionary value no row uses
                numbers.append(Decimal(0))
                continue
            try:
                numbers.append(d.to_decimal(text.strip(), what=f"column {name!r} (quantity)"))
            except (ValueError, TypeError, ArithmeticError) as error:
                raise UsageError(f"column {name!r} (quantity): {error}") from None
            if not numbers[-1].is_finite():
                raise UsageError(f"column {name!r} (quantity) has {text!r}, not a finite number")
        scale = max((_scale_of(number) for number in numbers), default=0)
        ints = [int(Fraction(number) * 10**scale) for number in numbers]
        if all(abs(value) <= _INT64_MAX for value in ints):
            return np.array(ints, dtype=np.int64)[codes], scale
        return np.array(ints, dtype=object)[codes], scale
    raise UsageError(
        f"column {name!r} (quantity) has the type {kind}: quantities must be integers or "
        "decimals (or decimal text)"
    )


def _plain_decimals(column: _Arrow) -> tuple[_Array, int] | None:
    """Decimal text such as ``-185.125`` as integers scaled by ``10**scale``, parsed
    column-wide: the digits without the point cast to int64 (Arrow reads ``-?[0-9]+``
    and hexadecimal ``0x..``, refused here); ``None`` when some text is another form
    (``1e3``, ``1_000``, spaces) or the digits could leave int64.
    """
    np, pa, pc = _np(), _pa(), _pc()
    if pa.types.is_dictionary(column.type):
        return None  # few distinct texts: parsed once each
    column = _as_strings(column)
    if _bytes_in(column, b"xX"):
        return None
    dots = (pc.max(pc.count_substring(column, ".")).as_py() or 0) if _bytes_in(column, b".") else 0
    if dots > 1:
        return None
    digits = pc.replace_substring(column, ".", "", max_replacements=1) if dots else column
    try:
        ints = pc.cast(digits, pa.int64()).to_numpy().astype(np.int64, copy=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not dots:
        return ints, 0
    lengths = pc.binary_length(column).to_numpy().astype(np.int64)
    point = pc.find_substring(column, ".").to_numpy().astype(np.int64)
    places = np.where(point >= 0, lengths - point - 1, 0)
    scale = int(places.max())
    whole = np.where(point >= 0, point, lengths)  # digits before the point (and a sign)
    if int(whole.max()) + scale > 18:
        return None
    if (places != scale).any():
        ints = ints * np.power(np.int64(10), (scale - places).astype(np.int64))
    return ints, scale


def _bytes_in(column: _Arrow, chars: bytes) -> bool:
    """Whether some text of a string column holds one of the bytes ``chars``, looked
    for in the texts' bytes at once.
    """
    for chunk in column.chunks:
        _, data = text_bytes(chunk)
        if any(bool((data == char).any()) for char in chars):
            return True
    return False


def text_bytes(chunk: _Arrow) -> tuple[_Array, _Array]:
    """The offsets of a string chunk's texts (from 0) and their bytes, as numpy views
    of its buffers: a slice sees only its own texts.
    """
    np = _np()
    buffers = chunk.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    if buffers[2] is None:  # only empty texts
        return offsets - offsets[0], np.zeros(0, dtype=np.uint8)
    data = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def _rescale(values: _Array, scale: int, target: int) -> _Array:
    if target == scale:
        return values
    np = _np()
    factor = 10 ** (target - scale)
    if values.dtype != object and len(values):
        top = max(int(values.max()), -int(values.min()))
        if top * factor > _INT64_MAX:
            values = values.astype(object)
    return values * factor if values.dtype == object else values * np.int64(factor)


# -- time zones ---------------------------------------------------------------------------
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


# -- metering -----------------------------------------------------------------------------
class _Dimension:
    """One dimension's codes per row (-1 where the row lacks it) and its values."""

    def __init__(self, name: str, codes: _Array, values: Sequence[str]) -> None:
        self.name = name
        self.codes = codes
        self.values = values

    def take(self, rows: _Array) -> _Dimension:
        return _Dimension(self.name, self.codes[rows], self.values)

    def allowed(self, values: frozenset[str]) -> _Array:
        np = _np()
        lookup = np.array([value in values for value in self.values] + [False], dtype=bool)
        return lookup[self.codes]  # code -1 (lacking the dimension) reads the last


def _dimension(table: _Arrow, name: str, column_name: str, *, split: bool = True) -> _Dimension:
    np = _np()
    column = table.column(column_name)
    if column.null_count == len(column) and not _is_string(column.type):
        return _Dimension(name, np.full(len(column), -1, dtype=np.int64), [])
    if not _is_string(column.type):
        raise UsageError(
            f"column {column_name!r} (dimension {name!r}) must hold text, not {column.type}: "
            "cast it to strings, or leave it out of the dimensions (ColumnMapping dimensions=)"
        )
    codes, values = _codes(column, split=split)
    # a missing value (null) and an empty text both mean the event lacks the dimension
    if not all(values):
        remap = np.array([-1 if not value else code for code, value in enumerate(values)] + [-1])
        codes = remap[codes]
    return _Dimension(name, codes, [value or "" for value in values])


def _amounts(table: _Arrow, mapping: ColumnMapping) -> tuple[_Array, int]:
    """The quantities as scaled integers: a column, or the duration end - start."""
    if mapping.start_column is None:
        assert mapping.quantity is not None
        return _quantities(table, mapping.quantity)
    assert mapping.end_column is not None
    begin, begin_aware = _timestamps(table, mapping.start_column, "start")
    finish, finish_aware = _timestamps(table, mapping.end_column, "end")
    if begin_aware != finish_aware:
        raise UsageError(
            f"columns {mapping.start_column!r} and {mapping.end_column!r} must both be "
            "time-zone aware or both naive"
        )
    duration = finish - begin
    if not (duration % _SECOND).any():
        return duration // _SECOND, 0
    return duration, 6


def _check_metrics(
    metric_codes: _Array | None,
    metric_names: list[str],
    sources: set[str],
    inside: _Array | None,
    rows: int,
) -> None:
    """Refuse rows (within the window) of metrics that no meter reads, as
    meter_events(strict=True) does.
    """
    np = _np()
    unknown = [code for code, name in enumerate(metric_names) if name not in sources]
    if not unknown:
        return
    if metric_codes is None:  # one metric for every row
        count = rows if inside is None else int(inside.sum())
        names = metric_names
    else:
        hits = np.isin(metric_codes, np.array(unknown, dtype=np.int64))
        if inside is not None:
            hits &= inside
        count = int(hits.sum())
        names = sorted({metric_names[code] for code in np.unique(metric_codes[hits]).tolist()})
    if count:
        raise UsageError(
            f"{count} event(s) have metrics that no meter reads: "
            f"{', '.join(names)} (meters read: {', '.join(sorted(sources)) or 'nothing'})"
        )


# -- time zones by their transitions ------------------------------------------------------
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


def meter_arrow(
    contract: Contract,
    table: _Arrow,
    start: dt.datetime | None,
    end: dt.datetime | None,
    *,
    columns: ColumnMapping | None = None,
    strict: bool = True,
) -> dict[DayKey, _State]:
    """Meter the rows of ``table`` with ``start <= timestamp < end`` (aware bounds in
    the contract's time zone) into day-resolved states.

    No row is moved: every meter's rows, filters and groups become one integer key
    per row (rows it does not count go to a discarded key), which ``numpy.bincount``
    counts and adds; meters that need the rows themselves (maximum, latest, distinct,
    time bands, very many groups) take their rows and fold them by sorting.
    """
    mapping = columns if columns is not None else ColumnMapping()
    if not table.num_rows:  # no rows: nothing to meter, but the columns must be there
        for name in mapping.used():
            _column(table, name, "usage")
        return {}
    metric_codes, metric_names = _metrics(table, mapping)
    micros, aware = _timestamps(table, mapping.timestamp, "timestamp")
    quantities, scale = _amounts(table, mapping)
    pairs = mapping.dimension_columns(table.column_names)
    for _, column_name in pairs:
        _column(table, column_name, "dimension")
    zone = zoneinfo.ZoneInfo(contract.timezone)
    low = None if start is None else _micros(start if aware else start.replace(tzinfo=None))
    high = None if end is None else _micros(end if aware else end.replace(tzinfo=None))
    inside: _Array | None = None
    if low is not None:
        inside = micros >= low
    if high is not None:
        inside = micros < high if inside is None else inside & (micros < high)
    if inside is not None and inside.all():
        inside = None
    meters = contract.all_meters
    sources = {meter.source for meter in meters}
    if strict:
        _check_metrics(metric_codes, metric_names, sources, inside, len(micros))
    active = [meter for meter in meters if meter.source in metric_names]
    if not active or (inside is not None and not inside.any()):
        return {}
    rows = _Rows(
        table=table,
        pairs=pairs,
        micros=micros,
        aware=aware,
        zone=zone,
        low=low,
        high=high,
        quantities=quantities,
        scale=scale,
        inside=inside,
    )
    rows.encode(active)
    entries: dict[DayKey, _State] = {}
    for meter in active:
        mine = None
        if metric_codes is not None:
            mine = metric_codes == metric_names.index(meter.source)
        entries.update(rows.meter(meter, mine))
    return entries


class _Rows:
    """The columns of one table that every meter reads, computed once."""

    def __init__(
        self,
        *,
        table: _Arrow,
        pairs: Sequence[tuple[str, str]],
        micros: _Array,
        aware: bool,
        zone: zoneinfo.ZoneInfo,
        low: int | None,
        high: int | None,
        quantities: _Array,
        scale: int,
        inside: _Array | None,
    ) -> None:
        self.table = table
        self.inside = inside
        self.pairs = dict(pairs)
        self.micros = micros
        self.aware = aware
        self.quantities = quantities
        self.scale = scale
        self.dims: dict[str, _Dimension] = {}
        if aware:
            first = low if low is not None else int(micros.min())
            last = high - 1 if high is not None else int(micros.max())
            self.wall = _local(micros, zone, first, max(first, last))
            self.days = _days_by_instant(self.wall, micros, zone)
        else:
            self.wall = micros
            self.days = self.wall // _DAY

        def local_day(at: int) -> int:
            return (at + (_offset(at, zone) if aware else 0)) // _DAY

        self.first_day = int(self.days.min()) if low is None else local_day(low)
        self.last_day = int(self.days.max()) if high is None else local_day(high - 1)
        self._index: _Array | None = None
        self._negative: bool | None = None
        self._largest: int | None = None

    def needed(self, meter: Meter) -> list[str]:
        """The dimensions a meter reads: its groups, filters, distinct and band."""
        names = set(self.pairs) if meter.group_by is None else set(meter.group_by)
        names.update(name for name, _ in meter.where.conditions)
        if meter.distinct is not None:
            names.add(meter.distinct)
        if meter.bands is not None:
            names.add(meter.bands.dimension)
        return sorted(name for name in names if name in self.pairs)

    def encode(self, meters: Sequence[Meter]) -> None:
        """Encode the dimension columns the meters read, several at once in threads."""
        names = sorted({name for meter in meters for name in self.needed(meter)})
        plain = [
            name
            for name in names
            if _is_string(self.table.column(self.pairs[name]).type)
            and not _pa().types.is_dictionary(self.table.column(self.pairs[name]).type)
        ]
        if len(plain) > 1 and _workers() > 1:
            done = _pool().map(
                lambda name: _dimension(self.table, name, self.pairs[name], split=False), plain
            )
            self.dims.update(zip(plain, done, strict=True))
        for name in names:
            if name not in self.dims:
                self.dims[name] = _dimension(self.table, name, self.pairs[name])

    def meter(self, meter: Meter, mine: _Array | None) -> dict[DayKey, _State]:
        """The states of one meter over the rows of its metric ``mine`` (``None``: every
        row) within the window.
        """
        np = _np()
        dims = [self.dims[name] for name in self.needed(meter)]
        if meter.bands is None and meter.aggregation in (Aggregation.SUM, Aggregation.COUNT):
            dense = self._dense(meter, mine, dims)
            if dense is not None:
                return dense
        keep = mine if self.inside is None else self.inside if mine is None else self.inside & mine
        rows = None if keep is None else np.flatnonzero(keep)
        if rows is not None and not len(rows):
            return {}

        def pick(values: _Array) -> _Array:
            return values if rows is None else values[rows]

        run = _Run(
            meter,
            quantities=pick(self.quantities),
            scale=self.scale,
            micros=pick(self.micros),
            aware=self.aware,
            days=pick(self.days),
            wall=pick(self.wall),
        )
        return run.states(dims if rows is None else [dim.take(rows) for dim in dims])

    def _check_negative(self, meter: Meter, keep: _Array | None) -> None:
        np = _np()
        if meter.allow_negative:
            return
        if self._negative is None:
            self._negative = bool(len(self.quantities)) and bool(self.quantities.min() < 0)
        if not self._negative:
            return
        negative = self.quantities < 0
        if keep is not None:
            negative &= keep
        if negative.any():
            first = np.flatnonzero(negative)[0]
            raise _negative(meter, int(self.quantities[first]), self.scale, int(negative.sum()))

    def _dense(
        self, meter: Meter, keep: _Array | None, dims: list[_Dimension]
    ) -> dict[DayKey, _State] | None:
        """Count or add a meter's rows by one integer key per row, without moving a
        row; ``None`` when the keys would be too many or the sum could be inexact.
        """
        np = _np()
        self._check_negative(meter, keep if self.inside is None else self._and(keep))
        by_name = {dim.name: dim for dim in dims}
        for name, allowed in meter.where.conditions:
            dim = by_name.get(name)
            if dim is None:
                return {}
            wanted = dim.allowed(allowed)
            keep = wanted if keep is None else keep & wanted
        grouped = [dim for dim in dims if meter.group_by is None or dim.name in meter.group_by]
        widths = [len(dim.values) + 1 for dim in grouped]
        days = self.last_day - self.first_day + 1
        groups = 1
        for width in widths:
            groups *= width
        total = (days + 1) * groups  # a day more: the rows outside the window
        rows = len(self.micros)
        if total > max(1 << 20, 4 * rows):
            return None
        key = self._day_index()
        for dim, width in zip(grouped, widths, strict=True):
            key = key * width
            key += dim.codes
            key += 1
        if keep is not None:
            key = np.where(keep, key, total)  # the rows not counted: a discarded key
        counts = np.bincount(key, minlength=total + 1)[: days * groups]
        present = np.flatnonzero(counts)
        if not len(present):
            return {}
        if meter.aggregation is Aggregation.COUNT:
            values = [Fraction(int(n)) for n in counts[present].tolist()]
        else:
            weights = self._weights(meter)
            if weights is None:
                return None
            billable, scale = weights
            # exact: every billable quantity and every partial sum is an integer
            # below 2**53 (see _weights), which float64 holds and adds exactly
            sums = np.bincount(key, weights=billable, minlength=total + 1)
            factor = meter.factor / 10**scale
            values = [Fraction(int(v)) * factor for v in sums[present].astype(np.int64).tolist()]
        keys = self._keys(meter, present, grouped, widths)
        return {key: _Sum(value) for key, value in zip(keys, values, strict=True)}

    def _top(self) -> int:
        """The largest magnitude of a quantity (scaled), 0 without rows."""
        if self._largest is None:
            quantities = self.quantities
            if quantities.dtype == object or not len(quantities):
                self._largest = -1 if len(quantities) else 0
            else:
                self._largest = max(int(quantities.max()), -int(quantities.min()))
        return self._largest

    def _weights(self, meter: Meter) -> tuple[_Array, int] | None:
        """Each row's billable quantity (after the increment and minimum, mirrored when
        negative) as float64 integers scaled by ``10**scale``, and the scale; ``None``
        when a sum of them could reach 2**53, where float64 stops being exact.

        For integers ``0 <= a < 2**53`` and ``n >= 1``, ``ceil(a / n)`` in float64 is
        exact: a quotient that is not an integer lies at least ``1/n`` from one, more
        than its rounding error ``a / n * 2**-53``.
        """
        np = _np()
        top = self._top()
        if top < 0:
            return None
        rules = [rule for rule in (meter.increment, meter.minimum) if rule is not None]
        scale = max(self.scale, *(_scale_of(rule) for rule in rules)) if rules else self.scale
        factor = 10 ** (scale - self.scale)
        increment = minimum = 0
        if meter.increment is not None:
            increment = int(Fraction(meter.increment) * 10**scale)
        if meter.minimum is not None:
            minimum = int(Fraction(meter.minimum) * 10**scale)
        largest = max(top * factor + increment, minimum)
        if largest * max(1, len(self.quantities)) >= 1 << 53:
            return None
        values = self.quantities.astype(np.float64)
        if factor != 1:
            values *= factor
        if not rules:
            return values, scale
        signed = bool(self.quantities.min() < 0) if self._negative is None else self._negative
        size = np.abs(values) if signed else values
        if increment:
            size = np.ceil(size / increment)
            size *= increment
        if minimum:
            size = np.maximum(size, minimum)
        return (np.copysign(size, values) if signed else size), scale

    def _and(self, keep: _Array | None) -> _Array:
        assert self.inside is not None
        return self.inside if keep is None else self.inside & keep

    def _day_index(self) -> _Array:
        """Each row's day from the window's first; the rows outside it on the day
        after the last (a discarded key).
        """
        np = _np()
        if self._index is None:
            index = self.days - self.first_day
            if self.inside is not None:
                np.putmask(index, ~self.inside, self.last_day - self.first_day + 1)
            self._index = index
        return self._index

    def _keys(
        self, meter: Meter, present: _Array, grouped: list[_Dimension], widths: list[int]
    ) -> list[DayKey]:
        keys: list[DayKey] = []
        order = list(zip(grouped, widths, strict=True))[::-1]
        dates: dict[int, dt.date] = {}
        for key in present.tolist():
            items: list[tuple[str, str]] = []
            number = key
            for dim, width in order:
                number, code = divmod(number, width)
                if code:
                    items.append((dim.name, dim.values[code - 1]))
            day = dates.get(number)
            if day is None:
                day = dates[number] = dt.date.fromordinal(_EPOCH_ORDINAL + self.first_day + number)
            keys.append((meter.name, Dimensions._trusted(tuple(items[::-1])), day))
        return keys


class _Run:
    """One meter over the rows of its source metric."""

    def __init__(
        self,
        meter: Meter,
        *,
        quantities: _Array,
        scale: int,
        micros: _Array,
        aware: bool,
        days: _Array,
        wall: _Array,
    ) -> None:
        self.meter = meter
        self.quantities = quantities
        self.scale = scale
        self.micros = micros
        self.aware = aware
        self.days = days
        self.wall = wall

    def _bands(self, dims: list[_Dimension]) -> _Dimension:
        np = _np()
        bands = self.meter.bands
        assert bands is not None
        for dim in dims:
            if dim.name == bands.dimension and (dim.codes >= 0).any():
                raise UsageError(
                    f"meter {self.meter.name!r}: {int((dim.codes >= 0).sum())} event(s) already "
                    f"have the dimension {bands.dimension!r} that time bands would set"
                )
        names = list(dict.fromkeys(bands._names))
        starts = np.array(bands._starts, dtype=np.int64)
        labels = np.array([names.index(name) for name in bands._names], dtype=np.int64)
        week = ((self.days + 3) % 7) * _DAY + self.wall % _DAY  # 1970-01-01 was a Thursday
        codes = labels[np.searchsorted(starts, week, side="right") - 1]
        return _Dimension(bands.dimension, codes, names)

    def _check_negative(self) -> None:
        np = _np()
        meter, quantities = self.meter, self.quantities
        if meter.allow_negative or not (quantities < 0).any():
            return
        first = np.flatnonzero(quantities < 0)[0]
        raise _negative(meter, int(quantities[first]), self.scale, int((quantities < 0).sum()))

    def _selected(self, dims: list[_Dimension]) -> tuple[list[_Dimension], _Array | None]:
        """The dimensions (with the band) of the rows the meter's filter keeps, and
        those rows (``None``: all of them).
        """
        np = _np()
        meter = self.meter
        if meter.bands is not None:
            band = self._bands(dims)  # refuses rows that already have the band's dimension
            dims = [dim for dim in dims if dim.name != meter.bands.dimension]
            dims.append(band)
        by_name = {dim.name: dim for dim in dims}
        keep = np.ones(len(self.quantities), dtype=bool)
        for name, allowed in meter.where.conditions:
            dim = by_name.get(name)
            keep &= False if dim is None else dim.allowed(allowed)
        if keep.all():
            return dims, None
        rows = np.flatnonzero(keep)
        return [dim.take(rows) for dim in dims], rows

    def states(self, dims: list[_Dimension]) -> dict[DayKey, _State]:
        """The meter's states by metric, group and day."""
        meter = self.meter
        if meter.aggregation in (Aggregation.MEAN, Aggregation.SHARE):  # not columnar yet
            raise UsageError(
                f"meter {meter.name!r}: aggregation {meter.aggregation.value!r} is not metered "
                "from tables yet: meter the events (Event.many) or a JSON Lines usage file"
            )
        self._check_negative()
        dims, rows = self._selected(dims)
        quantities, micros, days = self.quantities, self.micros, self.days
        if rows is not None:
            quantities, micros, days = quantities[rows], micros[rows], days[rows]
        if not len(quantities):
            return {}
        distinct = None
        if meter.aggregation is Aggregation.DISTINCT:
            distinct = next((dim for dim in dims if dim.name == meter.distinct), None)
            lacking = len(quantities) if distinct is None else int((distinct.codes < 0).sum())
            if lacking:
                raise UsageError(
                    f"meter {meter.name!r} counts distinct {meter.distinct!r} but {lacking} "
                    f"event(s) of {meter.source!r} lack that dimension"
                )
        grouped = sorted(
            (dim for dim in dims if meter.group_by is None or dim.name in meter.group_by),
            key=lambda dim: dim.name,
        )
        group, first = _group([dim.codes for dim in grouped], days)
        keys: list[DayKey] = []
        for row in first.tolist():
            items = tuple(
                (dim.name, dim.values[dim.codes[row]]) for dim in grouped if dim.codes[row] >= 0
            )
            day = dt.date.fromordinal(_EPOCH_ORDINAL + int(days[row]))
            keys.append((meter.name, Dimensions._trusted(items), day))
        if distinct is not None:
            return self._distinct(keys, group, distinct)
        return self._fold(keys, group, quantities, micros)

    def _fold(
        self, keys: list[DayKey], group: _Array, quantities: _Array, micros: _Array
    ) -> dict[DayKey, _State]:
        """Count, sum, take the maximum or the latest of each group's rows."""
        np = _np()
        aggregation = self.meter.aggregation
        if aggregation is Aggregation.COUNT:
            counts = np.bincount(group, minlength=len(keys))
            return {
                key: _Sum(Fraction(int(n))) for key, n in zip(keys, counts.tolist(), strict=True)
            }
        billable, scale = _billable(self.meter, quantities, self.scale)
        factor = self.meter.factor / 10**scale
        if aggregation is Aggregation.LATEST:
            order = np.lexsort((billable, micros, group))
            last = order[np.r_[np.flatnonzero(np.diff(group[order])), len(order) - 1]]
            return {
                key: _Latest(self._at(int(micros[row])), Fraction(int(billable[row])) * factor)
                for key, row in zip(keys, last.tolist(), strict=True)
            }
        if billable.dtype != object:
            top = max(int(billable.max()), -int(billable.min()))
            if top * len(billable) <= _INT64_MAX:  # int64 cannot overflow: add in place
                folded = np.zeros(len(keys), dtype=np.int64)
                if aggregation is Aggregation.MAX:
                    folded[:] = np.iinfo(np.int64).min
                    np.maximum.at(folded, group, billable)
                    kind: type[_Max] | type[_Sum] = _Max
                else:
                    np.add.at(folded, group, billable)
                    kind = _Sum
                return {
                    key: kind(Fraction(int(value)) * factor)
                    for key, value in zip(keys, folded.tolist(), strict=True)
                }
        order = np.argsort(group, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(group[order])) + 1]
        values = billable[order]
        if aggregation is Aggregation.MAX:
            tops = np.maximum.reduceat(values, starts)
            return {
                key: _Max(Fraction(int(top)) * factor)
                for key, top in zip(keys, tops.tolist(), strict=True)
            }
        if values.dtype != object and len(values):
            top = max(int(values.max()), -int(values.min()))
            if top * len(values) > _INT64_MAX:
                values = values.astype(object)
        sums = np.add.reduceat(values, starts)
        return {
            key: _Sum(Fraction(int(total)) * factor)
            for key, total in zip(keys, sums.tolist(), strict=True)
        }

    def _at(self, micros: int) -> dt.datetime:
        if self.aware:
            return _EPOCH_UTC + dt.timedelta(microseconds=micros)
        return _EPOCH + dt.timedelta(microseconds=micros)

    def _distinct(
        self, keys: list[DayKey], group: _Array, distinct: _Dimension
    ) -> dict[DayKey, _State]:
        np = _np()
        width = len(distinct.values) + 1
        pairs = np.unique(group * width + distinct.codes)
        found: dict[int, set[str]] = {}
        for pair in pairs.tolist():
            found.setdefault(pair // width, set()).add(distinct.values[pair % width])
        return {key: _Distinct(frozenset(found[index])) for index, key in enumerate(keys)}


def _billable(meter: Meter, quantities: _Array, scale: int) -> tuple[_Array, int]:
    """Each row's quantity after the increment and minimum (mirrored when
    negative), as integers scaled by ``10**scale``.
    """
    np = _np()
    rules = [rule for rule in (meter.increment, meter.minimum) if rule is not None]
    if not rules:
        return quantities, scale
    source, scale = scale, max(scale, *(_scale_of(rule) for rule in rules))
    values = _rescale(quantities, source, scale)
    increment = minimum = None
    if meter.increment is not None:
        increment = int(Fraction(meter.increment) * 10**scale)
    if meter.minimum is not None:
        minimum = int(Fraction(meter.minimum) * 10**scale)
    signed = True
    if values.dtype != object and len(values):
        lowest = int(values.min())
        top = max(int(values.max()), -lowest)
        if top + (increment or 0) + (minimum or 0) > _INT64_MAX:
            values = values.astype(object)
        signed = lowest < 0
    size = np.abs(values) if signed else values
    if increment is not None:
        size = -((-size) // increment) * increment
    if minimum is not None:
        size = np.maximum(size, minimum)
    return (np.where(values < 0, -size, size) if signed else size), scale


def _negative(meter: Meter, value: int, scale: int, count: int) -> UsageError:
    """The error for ``count`` negative quantities, such as ``value / 10**scale``."""
    example = d.fraction_to_decimal(Fraction(value, 10**scale))
    return UsageError(
        f"meter {meter.name!r}: {count} event(s) of {meter.source!r} have negative "
        f"quantities (such as {example}); negative quantities are refused unless "
        "the meter allows them"
    )


def _group(codes: list[_Array], days: _Array) -> tuple[_Array, _Array]:
    """A group number per row (groups ordered by their key) and each group's first row."""
    np = _np()
    first_day = int(days.min())
    columns = [*(code + 1 for code in codes), days - first_day]
    widths = [int(column.max()) + 1 for column in columns]
    total = 1
    for width in widths:
        total *= width
    if total < _INT64_MAX:
        key = np.zeros(len(days), dtype=np.int64)
        for column, width in zip(columns, widths, strict=True):
            key = key * width + column
        if total <= max(1 << 20, 4 * len(days)):  # dense keys: no sort needed
            present = np.flatnonzero(np.bincount(key, minlength=total))
            number = np.empty(total, dtype=np.int64)
            number[present] = np.arange(len(present))
            some = np.empty(total, dtype=np.int64)
            some[key] = np.arange(len(key))  # any row of each key (they share it)
            return number[key], some[present]
        _, first, group = np.unique(key, return_index=True, return_inverse=True)
    else:
        stacked = np.stack(columns, axis=1)
        _, first, group = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    return group.reshape(-1), first
