"""Tables as Arrow: anything with ``__arrow_c_stream__``, or a pandas DataFrame."""

from __future__ import annotations

import datetime as dt
from typing import Any

from meterprice.errors import UsageError

#: pyarrow values (pyarrow is imported lazily and has no type information).
_Arrow = Any

__all__ = ["is_table", "to_arrow"]


def _is_pandas(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.split(".")[0] == "pandas"


def is_table(value: object) -> bool:
    """Whether ``value`` is a table the columnar path reads (without importing it)."""
    return hasattr(type(value), "__arrow_c_stream__") or _is_pandas(value)


def require_pyarrow() -> Any:
    """The pyarrow module, or an ImportError that says which extra to install."""
    try:
        import pyarrow  # noqa: PLC0415 - an optional dependency, imported when used
    except ImportError:  # pragma: no cover - the tests run with the extra installed
        raise ImportError(
            'metering tables needs pyarrow: pip install "meterprice[arrow]"'
        ) from None
    return pyarrow


def _check_one_kind(values: Any, name: object) -> None:
    """Refuse an object column mixing naive and aware datetimes (Arrow would silently
    read them all one way).
    """
    kinds = {value.tzinfo is None for value in values if isinstance(value, dt.datetime)}
    if len(kinds) > 1:
        raise UsageError(
            f"column {name!r} mixes time-zone aware and naive timestamps: do not mix naive "
            "and aware timestamps"
        )


def _from_pandas(frame: Any) -> _Arrow:
    pa = require_pyarrow()
    arrays = {}
    for name in frame.columns:
        if frame[name].dtype == object:
            _check_one_kind(frame[name], name)
        try:
            arrays[str(name)] = pa.array(frame[name], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise UsageError(
                f"column {name!r} cannot be read as one Arrow type ({error}); a column of "
                "timestamps must be all time-zone aware or all naive, and values of one kind"
            ) from None
    return pa.table(arrays)


def to_arrow(table: object) -> _Arrow:
    """``table`` as a :class:`pyarrow.Table` (a stream is read whole)."""
    return _plain_strings(_read(table))


def _plain_strings(table: _Arrow) -> _Arrow:
    """``table`` with string views (polars) as plain strings, which every kernel takes."""
    pa = require_pyarrow()
    for index, field in enumerate(table.schema):
        kind = field.type
        if pa.types.is_string_view(kind) or (
            pa.types.is_dictionary(kind) and pa.types.is_string_view(kind.value_type)
        ):
            table = table.set_column(index, field.name, table.column(index).cast(pa.string()))
    return table


def _read(table: object) -> _Arrow:
    pa = require_pyarrow()
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    if _is_pandas(table):
        return _from_pandas(table)
    if not hasattr(type(table), "__arrow_c_stream__"):
        raise TypeError(
            "a usage table must have the Arrow stream interface (__arrow_c_stream__: "
            f"pyarrow, polars, pandas, duckdb) or be a pandas DataFrame, not {table!r}"
        )
    try:
        reader = pa.RecordBatchReader.from_stream(table)
        return reader.read_all()
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise UsageError(f"the table cannot be read as Arrow: {error}") from None
