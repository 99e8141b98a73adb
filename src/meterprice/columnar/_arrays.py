"""Arrow columns as numpy for the columnar engine: numpy and pyarrow imported when
used, the integer units of time it counts in, a column looked up and checked for
missing values, and the bytes of text columns seen without copying.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from meterprice.errors import UsageError

#: numpy arrays and pyarrow values: both come untyped through lazy imports.
_Array = Any
_Arrow = Any

#: Instants are counted in microseconds (UTC or wall clock) from the epochs below.
_SECOND = 1_000_000
_HOUR = 3600 * _SECOND
_DAY = 86400 * _SECOND
_INT64_MAX = (1 << 63) - 1
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _np() -> Any:
    import numpy  # noqa: PLC0415 - comes with pyarrow, imported when used

    return numpy


def _pa() -> Any:
    import pyarrow  # noqa: PLC0415 - an optional dependency

    return pyarrow


def _pc() -> Any:
    import pyarrow.compute  # noqa: PLC0415 - an optional dependency

    return pyarrow.compute


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
