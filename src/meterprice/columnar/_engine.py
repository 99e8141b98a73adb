"""The columnar engine: meters an Arrow table for a contract with pyarrow and numpy.

Every step is exact: quantities are integers scaled by a power of ten (decimals keep
their digits), the per-event increment and minimum run on those integers, sums that
could leave int64 are done on Python integers, and the unit conversion is applied
once per group as an exact Fraction. Rows are split by day in the contract's time
zone, so the result is the same day-resolved usage that metering events gives.
"""

from __future__ import annotations

import datetime as dt
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


def _codes(column: _Arrow) -> tuple[_Array, list[str | None]]:
    """Dictionary codes (int64, -1 for null) and the distinct values."""
    np, pa = _np(), _pa()
    encoded = _as_strings(column).combine_chunks().dictionary_encode()
    values = encoded.dictionary.to_pylist()
    indices = encoded.indices
    if indices.null_count:
        codes = indices.fill_null(-1).to_numpy().astype(np.int64)
    else:
        codes = indices.to_numpy(zero_copy_only=False).astype(np.int64)
    del pa
    return codes, values


def _metrics(table: _Arrow, mapping: ColumnMapping) -> tuple[_Array, list[str]]:
    np = _np()
    if mapping.metric is not None:
        return np.zeros(table.num_rows, dtype=np.int64), [mapping.metric]
    name = mapping.metric_column
    column = _column(table, name, "metric")
    if not _is_string(column.type):
        raise UsageError(f"column {name!r} (metric) must hold strings, not {column.type}")
    _no_nulls(column, name, "metric")
    codes, values = _codes(column)
    for value in values:
        if value is None or not value.strip():
            raise UsageError(f"column {name!r} (metric) has an empty metric name")
    return codes, [value for value in values if value is not None]


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
    raw = pc.cast(column, pa.int64()).to_numpy().astype(np.int64)
    scale = _UNITS[kind.unit]
    if scale is None:  # nanoseconds: exact only on whole microseconds
        if (raw % 1000).any():
            raise UsageError(
                f"column {name!r} ({role}) has timestamps finer than a microsecond, which "
                "events cannot hold: round them to microseconds"
            )
        micros = raw // 1000
    else:
        micros = raw * scale
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
        codes, texts = _codes(column)
        numbers: list[Decimal] = []
        for text in texts:
            assert text is not None
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
        wanted = [code for code, value in enumerate(self.values) if value in values]
        return np.isin(self.codes, np.array(wanted, dtype=np.int64))


def _dimension(table: _Arrow, name: str, column_name: str) -> _Dimension:
    np, pa = _np(), _pa()
    column = table.column(column_name)
    if column.null_count == len(column) and not _is_string(column.type):
        return _Dimension(name, np.full(len(column), -1, dtype=np.int64), [])
    if not _is_string(column.type):
        raise UsageError(
            f"column {column_name!r} (dimension {name!r}) must hold text, not {column.type}: "
            "cast it to strings, or leave it out of the dimensions (ColumnMapping dimensions=)"
        )
    codes, values = _codes(column)
    # a missing value (null) and an empty text both mean the event lacks the dimension
    remap = np.array([-1 if not value else code for code, value in enumerate(values)] + [-1])
    codes = remap[codes]
    del pa
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


def _check_metrics(metric_codes: _Array, metric_names: list[str], sources: set[str]) -> None:
    """Refuse rows of metrics that no meter reads, as meter_events(strict=True) does."""
    np = _np()
    unknown = [code for code, name in enumerate(metric_names) if name not in sources]
    if not unknown:
        return
    hits = np.isin(metric_codes, np.array(unknown, dtype=np.int64))
    if hits.any():
        names = sorted({metric_names[code] for code in np.unique(metric_codes[hits])})
        raise UsageError(
            f"{int(hits.sum())} event(s) have metrics that no meter reads: "
            f"{', '.join(names)} (meters read: {', '.join(sorted(sources)) or 'nothing'})"
        )


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
    """
    np = _np()
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
    wall = _wall(micros, zone) if aware else micros
    low = None if start is None else _micros(start if aware else start.replace(tzinfo=None))
    high = None if end is None else _micros(end if aware else end.replace(tzinfo=None))
    inside = np.ones(len(micros), dtype=bool)
    if low is not None:
        inside &= micros >= low
    if high is not None:
        inside &= micros < high
    rows = None if inside.all() else np.flatnonzero(inside)
    if rows is not None:
        table = table.take(rows)
        metric_codes, micros, wall = metric_codes[rows], micros[rows], wall[rows]
        quantities = quantities[rows]
    dims = [_dimension(table, name, column_name) for name, column_name in pairs]
    meters = contract.all_meters
    sources = {meter.source for meter in meters}
    if strict:
        _check_metrics(metric_codes, metric_names, sources)
    days = wall // _DAY
    entries: dict[DayKey, _State] = {}
    for meter in meters:
        if meter.source not in metric_names:
            continue
        mine = np.flatnonzero(metric_codes == metric_names.index(meter.source))
        if not len(mine):
            continue
        run = _Run(
            meter,
            quantities=quantities[mine],
            scale=scale,
            micros=micros[mine],
            aware=aware,
            days=days[mine],
            wall=wall[mine],
        )
        entries.update(run.states([dim.take(mine) for dim in dims]))
    return entries


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
        value = Fraction(int(quantities[first]), 10**self.scale)
        raise UsageError(
            f"meter {meter.name!r}: {int((quantities < 0).sum())} event(s) of "
            f"{meter.source!r} have negative quantities (such as "
            f"{d.fraction_to_decimal(value)}); negative quantities are refused unless "
            "the meter allows them"
        )

    def _selected(self, dims: list[_Dimension]) -> tuple[list[_Dimension], _Array | None]:
        """The dimensions (with the band) of the rows the meter's filter keeps, and
        those rows (``None``: all of them).
        """
        np = _np()
        meter = self.meter
        if meter.bands is not None:
            dims = [dim for dim in dims if dim.name != meter.bands.dimension]
            dims.append(self._bands(dims))
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
        billable, scale = self._billable(quantities)
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

    def _billable(self, quantities: _Array) -> tuple[_Array, int]:
        """Each row's quantity after the increment and minimum (mirrored when
        negative), as integers scaled by ``10**scale``.
        """
        np = _np()
        meter = self.meter
        rules = [rule for rule in (meter.increment, meter.minimum) if rule is not None]
        if not rules:
            return quantities, self.scale
        scale = max(self.scale, *(_scale_of(rule) for rule in rules))
        values = _rescale(quantities, self.scale, scale)
        increment = minimum = None
        if meter.increment is not None:
            increment = int(Fraction(meter.increment) * 10**scale)
        if meter.minimum is not None:
            minimum = int(Fraction(meter.minimum) * 10**scale)
        if values.dtype != object and len(values):
            top = max(int(values.max()), -int(values.min()))
            if top + (increment or 0) + (minimum or 0) > _INT64_MAX:
                values = values.astype(object)
        negative = values < 0
        size = np.abs(values)
        if increment is not None:
            size = -((-size) // increment) * increment
        if minimum is not None:
            size = np.maximum(size, minimum)
        return np.where(negative, -size, size), scale


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
