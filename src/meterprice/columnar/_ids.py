"""Event ids in tables: rows that repeat an earlier row's id are left out and counted.

The columnar counterpart of :mod:`meterprice.ids`: the ``id`` column (or the column
a :class:`~meterprice.columnar.ColumnMapping` names with ``id_column``) holds each
row's event id, text or integers; a missing value or an empty text means the row has
no id. The first row of each id (in table order, and across the batches of a file) is
kept, the later ones are dropped and counted; a row that repeats an id with another
metric, quantity, timestamp or dimensions is a
:class:`~meterprice.ids.DuplicateIdError`. Rows are compared by the values they
stand for (the text ``"185.0"`` and the number 185 are the same quantity, two
timestamps the same instant), as the events built from them would be.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

from meterprice.columnar._columns import ColumnMapping
from meterprice.errors import UsageError
from meterprice.ids import DuplicateIdError, SeenIds, fingerprint

__all__ = ["take_table"]


def _quantity(value: object) -> object:
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except decimal.InvalidOperation:
            return value
    return value


def _instant(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return value
    return value


def _ids(column: Any, name: str) -> list[str | None]:
    """The ids of a column of text or integers (``None`` where a row has none)."""
    import pyarrow as pa  # noqa: PLC0415 - an optional dependency

    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_integer(kind):
        return [None if value is None else str(value) for value in column.to_pylist()]
    if pa.types.is_null(kind):
        return [None] * len(column)
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise UsageError(f"column {name!r} (event id) must hold text or integers, not {kind}")
    return [value or None for value in column.to_pylist()]


def take_table(table: Any, mapping: ColumnMapping | None, seen: SeenIds) -> Any:
    """``table`` without the rows whose id ``seen`` already knows (recording the
    others); the table itself when it has no id column.
    """
    mapping = mapping if mapping is not None else ColumnMapping()
    name = mapping.id_column
    if name not in table.column_names:
        return table
    ids = _ids(table.column(name), name)
    if not any(ids):
        return table
    rows = table.num_rows
    metrics = (
        [mapping.metric] * rows
        if mapping.metric is not None
        else table.column(mapping.metric_column).to_pylist()
    )
    if mapping.quantity is not None:
        quantities = [_quantity(value) for value in table.column(mapping.quantity).to_pylist()]
    else:
        assert mapping.start_column is not None
        assert mapping.end_column is not None
        begin = [_instant(value) for value in table.column(mapping.start_column).to_pylist()]
        finish = [_instant(value) for value in table.column(mapping.end_column).to_pylist()]
        quantities = list(zip(begin, finish, strict=True))
    stamps = [_instant(value) for value in table.column(mapping.timestamp).to_pylist()]
    pairs = mapping.dimension_columns(table.column_names)
    columns = [(dim, table.column(column).to_pylist()) for dim, column in pairs]
    keep: list[bool] = []
    first = seen.first
    row = 0
    try:
        for row, event_id in enumerate(ids):
            if event_id is None:
                keep.append(True)
                continue
            items = tuple((dim, values[row]) for dim, values in columns if values[row])
            keep.append(
                first(event_id, fingerprint(metrics[row], quantities[row], stamps[row], items))
            )
    except DuplicateIdError as error:
        raise DuplicateIdError(error.id, f"row {row + 1} of the table") from None
    if all(keep):
        return table
    import pyarrow as pa  # noqa: PLC0415 - an optional dependency

    return table.filter(pa.array(keep))
