"""The columnar engine: meters an Arrow table for a contract with pyarrow and numpy.

Every step is exact: quantities are integers scaled by a power of ten (decimals keep
their digits), the per-event increment and minimum run on those integers, sums that
could leave int64 are done on Python integers, and the unit conversion is applied
once per group as an exact Fraction. Rows are split by day in the contract's time
zone, so the result is the same day-resolved usage that metering events gives.

The modules beside this one read the columns (``_encoding`` the text codes,
``_quantities`` the exact quantities, ``_clocks`` the instants and days); this one
turns each meter's rows, filters, groups and days into its states.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from meterprice.columnar._arrays import (
    _DAY,
    _EPOCH,
    _EPOCH_ORDINAL,
    _EPOCH_UTC,
    _INT64_MAX,
    _Array,
    _Arrow,
    _column,
    _np,
)
from meterprice.columnar._clocks import _days_by_instant, _local, _micros, _offset, _timestamps
from meterprice.columnar._columns import ColumnMapping
from meterprice.columnar._encoding import _Dimension, _dimensions, _metrics
from meterprice.columnar._quantities import _amounts, _billable, _negative, _scale_of
from meterprice.dimensions import Dimensions
from meterprice.errors import UsageError
from meterprice.metering import Meter
from meterprice.usage import Aggregation, _Distinct, _Latest, _Max, _State, _Sum

if TYPE_CHECKING:
    from meterprice.contract import Contract

__all__ = ["DayKey", "meter_arrow"]

#: A meter's group on one day of the contract's calendar (None: undated).
DayKey = tuple[str, Dimensions, dt.date | None]


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
        """Encode the dimension columns the meters read."""
        names = sorted({name for meter in meters for name in self.needed(meter)})
        self.dims.update(_dimensions(self.table, self.pairs, names))

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
