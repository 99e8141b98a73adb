"""A batch of events held as columns: what :meth:`Event.many` returns.

A batch validates its columns once per distinct value (or, with pyarrow, column by
column) and behaves as an immutable sequence of :class:`~meterprice.Event`, built
only when one is asked for. A contract meters a batch as a table through the columnar
engine when pyarrow is installed (``pip install "meterprice[arrow]"``), else as its
events; either way the usage is the one its events give.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

from meterprice import _decimal as d
from meterprice.dimensions import Dimensions, to_dimensions
from meterprice.errors import InvalidTypeError, InvalidValueError
from meterprice.ids import to_id
from meterprice.usage import Aggregation, Event, _to_quantity

if TYPE_CHECKING:
    from meterprice.contract import Contract
    from meterprice.periods import Period
    from meterprice.usage import Usage

__all__ = ["EventBatch"]

_TZINFO = operator.attrgetter("tzinfo")


class EventBatch(Sequence[Event]):
    """Events of one metric as columns: quantities, timestamps and dimensions.

    Build one with :meth:`Event.many`; it is an immutable sequence of events (equal
    to the list of the same events) whose :class:`~meterprice.Event` objects are made
    only when read.
    """

    __slots__ = (
        "_columns",
        "_events",
        "_ids",
        "_metric",
        "_names",
        "_parsed",
        "_quantities",
        "_stamps",
        "_tabular",
    )

    def __init__(
        self,
        metric: str,
        quantities: list[Any],
        stamps: list[dt.datetime],
        names: tuple[str, ...],
        columns: tuple[list[str | None], ...],
        *,
        parsed: tuple[Any, int] | None,
        ids: list[str | None] | None = None,
    ) -> None:
        """A batch of columns already checked (see :meth:`Event.many`)."""
        self._metric = metric
        self._ids = ids
        self._quantities = quantities
        self._stamps = stamps
        self._names = names
        self._columns = columns
        # plain decimal texts, parsed column-wide: integers scaled by 10**scale
        self._parsed = parsed
        self._events: list[Event] | None = None
        # every timestamp a datetime (not a subclass), no empty dimension value
        self._tabular = False

    @classmethod
    def of(
        cls,
        metric: str,
        quantities: Iterable[object],
        timestamps: Iterable[dt.datetime],
        dimensions: Mapping[str, Iterable[str | None]] | None = None,
        ids: Iterable[object] | None = None,
    ) -> EventBatch:
        """Check the columns as :class:`Event` checks each value: once per distinct
        value, or column-wide.
        """
        if not isinstance(metric, str) or not metric.strip():
            raise InvalidTypeError(f"metric must be a non-empty string, not {metric!r}")
        values = _quantity_list(quantities)
        stamps = timestamps if isinstance(timestamps, list) else list(timestamps)
        if len(stamps) != len(values):
            raise InvalidValueError(f"{len(stamps)} timestamps for {len(values)} quantities")
        names = tuple(dimensions or ())
        columns: list[list[str | None]] = []
        empty = False
        for name in names:
            assert dimensions is not None
            column = dimensions[name]
            column = column if isinstance(column, list) else list(column)
            if len(column) != len(values):
                raise InvalidValueError(
                    f"dimension {name!r} has {len(column)} values for {len(values)} quantities"
                )
            empty |= _check_dimension(name, column)
            columns.append(column)
        id_column: list[str | None] | None = None
        if ids is not None:
            raw = _quantity_list(ids)  # numpy integer ids: Python integers at C speed
            if len(raw) != len(values):
                raise InvalidValueError(f"{len(raw)} ids for {len(values)} quantities")
            id_column = list(map(to_id, raw))
        values, parsed = _checked_quantities(values)
        plain = _check_stamps(stamps)
        batch = cls(metric, values, stamps, names, tuple(columns), parsed=parsed, ids=id_column)
        batch._tabular = plain and not empty
        return batch

    # -- the sequence ---------------------------------------------------------------------
    def _list(self) -> list[Event]:
        if self._events is None:
            self._events = _build(
                self._metric,
                self._quantities,
                self._stamps,
                self._names,
                self._columns,
                ids=self._ids,
            )
        return self._events

    def __len__(self) -> int:
        return len(self._quantities)

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        return self._list()[index]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._list())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (EventBatch, list, tuple)):
            return len(self) == len(other) and self._list() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EventBatch({self._metric!r}, {len(self)} events)"

    # -- metering -------------------------------------------------------------------------
    def meter(self, contract: Contract, period: Period) -> Usage:
        """The usage of the batch within ``period``: column by column with pyarrow,
        else event by event (the same usage either way).
        """
        rows_only = (Aggregation.MEAN, Aggregation.SHARE)  # not metered from tables yet
        if any(meter.aggregation in rows_only for meter in contract.all_meters):
            return contract._meter(self._list(), period)
        table = self._table()
        if table is None:
            return contract._meter(self._list(), period)
        from meterprice.columnar import ColumnMapping, TableUsage  # noqa: PLC0415

        mapping = ColumnMapping(
            metric=self._metric,
            quantity_column="quantity",
            timestamp_column="timestamp",
            dimensions={name: f"dimension {index}" for index, name in enumerate(self._names)},
        )
        return TableUsage(contract, table, columns=mapping).usage(period)

    def _table(self) -> Any | None:
        """The columns as a pyarrow table, or ``None`` where a table would not meter
        as the events do (no pyarrow, mixed time zones, empty dimension values).
        """
        try:
            import pyarrow as pa  # noqa: PLC0415 - an optional dependency
        except ImportError:  # pragma: no cover - the tests run with the extra installed
            return None
        stamps = self._stamps
        if not stamps or not self._tabular:
            # datetime subclasses (pandas Timestamps) and empty dimension values (a
            # dimension of an event, a missing value in a table) are metered as events
            return None
        try:
            zones = set(map(_TZINFO, stamps))
        except TypeError:  # an unhashable tzinfo
            return None
        if None in zones and len(zones) > 1:
            return None  # naive and aware: the events' metering names the first
        aware = None not in zones
        try:
            scaled = _scaled(pa, self._parsed)
            columns = {
                "quantity": scaled if scaled is not None else pa.array(self._quantities),
                "timestamp": pa.array(stamps, pa.timestamp("us", "UTC" if aware else None)),
            }
            for index, column in enumerate(self._columns):
                columns[f"dimension {index}"] = pa.array(column, pa.string())
            if self._ids is not None:
                columns["id"] = pa.array(self._ids, pa.string())
            return pa.table(columns)
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            return None  # values a table cannot hold exactly: meter the events


def _quantity_list(quantities: Iterable[object]) -> list[Any]:
    kind = getattr(getattr(quantities, "dtype", None), "kind", None)
    if kind in ("i", "u"):  # a numpy integer array: Python integers at C speed
        return quantities.tolist()  # type: ignore[attr-defined,no-any-return]
    return quantities if isinstance(quantities, list) else list(quantities)


def _checked_quantities(values: list[Any]) -> tuple[list[Any], tuple[Any, int] | None]:
    """The quantities, checked, as ints, texts or Decimals, and plain decimal texts
    parsed column-wide (scaled integers and their scale).
    """
    kinds = set(map(type, values))
    if kinds <= {int}:
        if values:
            whole = _int64(values)  # within int64: within the bound of to_decimal
            if whole is not None:
                return values, (whole, 0)
        if not values or (min(values) > -d._INT_BOUND and max(values) < d._INT_BOUND):
            return values, None
    elif kinds == {str}:
        parsed = _plain_texts(values)
        if parsed is not None:
            return values, parsed
    shared: dict[tuple[type, object], Decimal] = {}
    converted: list[Decimal] = []
    append = converted.append
    for index, value in enumerate(values):
        key = (type(value), value)
        quantity = shared.get(key)
        if quantity is None:
            try:
                quantity = shared[key] = _to_quantity(value)
            except (TypeError, ValueError) as error:
                raise type(error)(f"quantities[{index}]: {error}") from None
        append(quantity)
    return converted, None


def _plain_texts(values: list[str]) -> tuple[Any, int] | None:
    """Plain decimal texts (``-12.500``, which to_decimal reads as the same number)
    parsed by the columnar engine column-wide; ``None`` for other forms or without
    pyarrow.
    """
    try:
        import pyarrow as pa  # noqa: PLC0415 - an optional dependency

        from meterprice.columnar._quantities import _plain_decimals  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the tests run with the extra installed
        return None
    return _plain_decimals(pa.chunked_array([pa.array(values, pa.string())]))


def _int64(values: list[int]) -> Any | None:
    """Python integers as a numpy int64 array, or ``None`` (no pyarrow, or too large)."""
    try:
        import pyarrow as pa  # noqa: PLC0415 - an optional dependency
    except ImportError:  # pragma: no cover - the tests run with the extra installed
        return None
    try:
        return pa.array(values, pa.int64()).to_numpy()
    except (OverflowError, pa.ArrowException):
        return None


def _scaled(pa: Any, parsed: tuple[Any, int] | None) -> Any | None:
    """Scaled int64 integers as an int64 column (scale 0) or a decimal128 column of
    their scale, built from the 128-bit two's complement words.
    """
    if parsed is None:
        return None
    import numpy as np  # noqa: PLC0415 - comes with pyarrow

    ints, scale = parsed
    if not scale:
        return pa.array(ints, pa.int64())
    words = np.empty((len(ints), 2), dtype=np.int64)
    words[:, 0] = ints
    words[:, 1] = ints >> 63
    kind = pa.decimal128(38, scale)
    return pa.Array.from_buffers(kind, len(ints), [None, pa.py_buffer(words)])


def _check_dimension(name: str, column: list[str | None]) -> bool:
    """Check a dimension's name and values; whether some value is empty."""
    to_dimensions({name: "x"})  # the name, as an event checks it
    values: Iterable[object]
    try:
        values = set(column)
    except TypeError:  # an unhashable value: look at each
        values = column
    for value in values:
        if value is not None and not isinstance(value, str):
            raise InvalidTypeError(f"dimension {name!r} must have a string value, not {value!r}")
    return "" in values


def _check_stamps(stamps: list[dt.datetime]) -> bool:
    """Check that every timestamp is a datetime; whether none is a subclass."""
    if set(map(type, stamps)) <= {dt.datetime}:
        return True
    for index, at in enumerate(stamps):
        if not isinstance(at, dt.datetime):
            raise InvalidTypeError(f"timestamps[{index}] must be a datetime, not {at!r}")
    return False


def _build(
    metric: str,
    quantities: list[Any],
    stamps: list[dt.datetime],
    names: tuple[str, ...],
    columns: tuple[list[str | None], ...],
    *,
    ids: list[str | None] | None = None,
) -> list[Event]:
    """The events of checked columns, sharing equal quantities and dimensions."""
    shared_quantities: dict[tuple[type, object], Decimal] = {}
    shared_dims: dict[tuple[str | None, ...], Dimensions] = {}
    rows: Iterable[tuple[str | None, ...]] = (
        zip(*columns, strict=True) if columns else (((),) * len(quantities))
    )
    new, set_field = object.__new__, object.__setattr__
    events: list[Event] = []
    append = events.append
    id_of: Iterable[str | None] = ids if ids is not None else itertools.repeat(None)
    for value, at, row, event_id in zip(quantities, stamps, rows, id_of, strict=False):
        key = (type(value), value)
        quantity = shared_quantities.get(key)
        if quantity is None:
            quantity = shared_quantities[key] = _to_quantity(value)
        dims = shared_dims.get(row)
        if dims is None:
            dims = shared_dims[row] = to_dimensions(
                {name: v for name, v in zip(names, row, strict=True) if v is not None}
            )
        event = new(Event)
        set_field(event, "metric", metric)
        set_field(event, "quantity", quantity)
        set_field(event, "at", at)
        set_field(event, "dimensions", dims)
        set_field(event, "id", event_id)
        append(event)
    return events
