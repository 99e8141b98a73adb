"""Text columns as integer codes: each row's index among the column's distinct
values (dictionary columns as they are, a few values looked up among the first rows',
long columns encoded on two threads), for the metric of each row and each dimension.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from meterprice.columnar._arrays import (
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
from meterprice.columnar._columns import ColumnMapping
from meterprice.errors import UsageError


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


def _dimensions(
    table: _Arrow, columns: Mapping[str, str], names: Sequence[str]
) -> dict[str, _Dimension]:
    """The dimensions ``names`` from their ``columns``, several text columns encoded at
    once in threads.
    """
    plain = [
        name
        for name in names
        if _is_string(table.column(columns[name]).type)
        and not _pa().types.is_dictionary(table.column(columns[name]).type)
    ]
    found: dict[str, _Dimension] = {}
    if len(plain) > 1 and _workers() > 1:
        done = _pool().map(lambda name: _dimension(table, name, columns[name], split=False), plain)
        found.update(zip(plain, done, strict=True))
    for name in names:
        if name not in found:
            found[name] = _dimension(table, name, columns[name])
    return found
