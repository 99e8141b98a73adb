"""Usage files read in Arrow batches: CSV, Parquet and Arrow IPC, in bounded memory.

A CSV file is read a block of whole lines at a time (:func:`meterprice._lines.blocks`)
and each block parsed by pyarrow as text, then checked column by column: when every
value is in a form converted exactly in bulk (a plain decimal quantity, an ISO 8601
timestamp with its offset, no quote, values within their bounds), the block goes to
the columnar engine as one table. A block with anything else (a bad row, a quoted
value, a quantity such as ``1e3``) is read by the row reader, so its line numbers,
bad-row reasons and events are exactly the row reader's; the other blocks stay fast.
Parquet and Arrow batches are checked the same way, and a batch with a missing or
unreadable value is read row by row (the row number standing for the line).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from meterprice import _lines
from meterprice.columnar._arrays import text_bytes
from meterprice.columnar._columns import USAGE_FILE, ColumnMapping
from meterprice.columnar._tables import require_pyarrow
from meterprice.errors import UsageError

if TYPE_CHECKING:
    import datetime as dt

    from meterprice.usage import Event
    from meterprice.usagefiles import UsageFile

__all__ = ["BATCH_ROWS", "outside", "pieces", "table_events"]

#: Rows per Parquet or Arrow batch: large enough for the kernels, small enough to
#: bound memory.
BATCH_ROWS = 1 << 18

#: Bytes of Arrow data metered at once: consecutive blocks and batches are joined up
#: to this size (memory stays bounded by it and one block more).
COALESCE_BYTES = 1 << 25

_QUANTITY = r"^[+-]?([0-9]{1,40}(\.[0-9]{0,40})?|\.[0-9]{1,40})$"
_INTEGER = r"^-?[0-9]{1,18}$"
_CLOCK = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
    r":[0-5][0-9](\.[0-9]{1,6})?"
)
_AWARE = _CLOCK + r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
_NAIVE = _CLOCK + r"$"

# microseconds since 1970 of 0001-01-02 and 9999-12-30 (UTC or wall clock)
_FIRST = -62135510400 * 10**6
_LAST = 253402128000 * 10**6

#: A usage batch: an Arrow table for the engine, or the events the row reader read.
Piece = Any


def pieces(file: UsageFile) -> Iterator[Piece]:
    """The rows of ``file`` as Arrow tables (checked, for the engine) and lists of
    events (the row reader's, for blocks or batches the engine cannot take exactly);
    bad rows are reported on ``file`` as the row reader reports them.
    """
    require_pyarrow()
    file._reset()
    yield from _coalesced(_pieces(file))
    file.finish()


def _coalesced(pieces: Iterator[Piece]) -> Iterator[Piece]:
    """Consecutive tables joined (without copying) up to :data:`COALESCE_BYTES`, so
    that the engine's fixed costs and the merging of day states are paid once per
    few blocks; lists of events pass in order between them.
    """
    pa = require_pyarrow()
    held: list[Any] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, list):
            if held:
                yield pa.concat_tables(held)
                held, size = [], 0
            yield piece
            continue
        held.append(piece)
        size += piece.nbytes
        if size >= COALESCE_BYTES:
            yield pa.concat_tables(held)
            held, size = [], 0
    if held:
        yield pa.concat_tables(held)


def _pieces(file: UsageFile) -> Iterator[Piece]:
    if file.format in ("parquet", "arrow"):
        number = 1
        for batch in _batches(file):
            table = _prepared(batch, file.columns or USAGE_FILE)
            if table is None:
                events = list(_rows(file, batch, number))
                file.events_read += len(events)
                yield events
            else:
                file.events_read += table.num_rows
                yield table
            number += batch.num_rows
    else:
        yield from _csv(file)


def table_events(file: UsageFile) -> Iterator[Event]:
    """The events of a Parquet or Arrow file, row by row."""
    number = 1
    for batch in _batches(file):
        for event in _rows(file, batch, number):
            file.events_read += 1
            yield event
        number += batch.num_rows


def _rows(file: UsageFile, table: Any, number: int) -> Iterator[Event]:
    from meterprice.usagefiles import _BadRowError  # noqa: PLC0415 - a cycle otherwise

    for offset, row in enumerate(table.to_pylist()):
        try:
            event = file.row_event(row)
        except _BadRowError as error:
            file._bad(number + offset, str(error))
            continue
        yield event


# -- Parquet and Arrow IPC ----------------------------------------------------------------
def _batches(file: UsageFile) -> Iterator[Any]:
    pa = require_pyarrow()
    from meterprice.usagefiles import UsageFileError  # noqa: PLC0415 - a cycle otherwise

    what = "Parquet" if file.format == "parquet" else "Arrow IPC"
    try:
        if file.format == "parquet":
            yield from _parquet(file)
        else:
            yield from _ipc(file)
    except (pa.ArrowException, OSError) as error:
        raise UsageFileError(file.name, f"is not a readable {what} file: {error}") from None


def _parquet(file: UsageFile) -> Iterator[Any]:
    pa = require_pyarrow()
    import pyarrow.parquet as pq  # noqa: PLC0415

    schema = pq.read_schema(file.path)
    mapping = file.columns or USAGE_FILE
    text = {
        field.name
        for field in schema
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
    }
    # metric and dimensions decoded as dictionaries: their few values once, not per row
    timed = {mapping.timestamp, mapping.start_column, mapping.end_column, mapping.quantity}
    dictionary = sorted(text - timed)
    with pq.ParquetFile(file.path, read_dictionary=dictionary) as parquet:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield pa.Table.from_batches([batch])


def _ipc(file: UsageFile) -> Iterator[Any]:
    pa = require_pyarrow()
    with pa.memory_map(str(file.path)) as source:
        try:
            reader = pa.ipc.open_file(source)
        except pa.ArrowInvalid:  # the streaming format
            source.seek(0)
            for batch in pa.ipc.open_stream(source):
                yield pa.Table.from_batches([batch])
            return
        for index in range(reader.num_record_batches):
            yield pa.Table.from_batches([reader.get_batch(index)])


# -- CSV ----------------------------------------------------------------------------------
def _csv(file: UsageFile) -> Iterator[Piece]:
    for header, first, block in file.csv_blocks():
        table = _csv_table(block, header.names, file.columns or USAGE_FILE)
        if table is None:
            events = list(file.csv_rows(header, first, block))
            file.events_read += len(events)
            if events:
                yield events
        elif table.num_rows:
            file.events_read += table.num_rows
            yield table


def _csv_table(block: bytes, names: list[str], mapping: ColumnMapping) -> Any:
    """The lines of ``block`` as a checked table, or None when the row reader must
    read them (anything the bulk reader does not take exactly as the row reader does).
    """
    pa = require_pyarrow()
    import pyarrow.csv as pcsv  # noqa: PLC0415

    if b'"' in block or b"\x00" in block:
        return None
    if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):  # a lone CR
        return None
    if block.startswith(b"\xef\xbb\xbf"):  # pyarrow would drop it; the row reader keeps it
        return None
    lines, longest = _line_stats(block)
    if not lines:  # blank lines only
        return pa.table({name: pa.array([], pa.string()) for name in names})
    if longest > _lines.MAX_LINE:
        return None
    try:
        # one thread: pyarrow's worker threads releasing the block (a Python object)
        # crashed the interpreter now and then, at exit and under tracemalloc
        table = pcsv.read_csv(
            pa.py_buffer(block),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pcsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != lines:  # a line pyarrow read otherwise (a line of spaces)
        return None
    return _prepared(table, mapping, aware=mapping is USAGE_FILE)


def _line_stats(block: bytes) -> tuple[int, int]:
    """How many lines of ``block`` are not blank, and the length of the longest."""
    if not block:
        return 0, 0
    np = _np()
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    if len(block) and block[-1:] != b"\n":
        ends = np.r_[ends, len(block)]
    starts = np.r_[0, ends[:-1] + 1]
    lengths = ends - starts
    blank = (lengths == 0) | ((lengths == 1) & (data[np.minimum(starts, len(block) - 1)] == 13))
    return int(len(lengths) - blank.sum()), int(lengths.max())


# -- checks -------------------------------------------------------------------------------
def _dt() -> Any:
    import datetime  # noqa: PLC0415 - only for the bounds

    return datetime


def _np() -> Any:
    import numpy  # noqa: PLC0415 - comes with pyarrow

    return numpy


def _is_text(kind: Any) -> bool:
    pa = require_pyarrow()
    if pa.types.is_dictionary(kind):
        return _is_text(kind.value_type)
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _texts(column: Any) -> Any:
    """The distinct texts of a string column (a dictionary's values, or the column)."""
    pa = require_pyarrow()
    if pa.types.is_dictionary(column.type):
        return pa.chunked_array(
            [chunk.dictionary for chunk in column.chunks], column.type.value_type
        )
    return column


def _prepared(table: Any, mapping: ColumnMapping, *, aware: bool | None = None) -> Any:
    """``table`` with its text timestamps converted, when every row is one the engine
    meters exactly as the row reader does; else None (read it row by row). Problems
    of a whole column (a wrong type) are left to the engine, which names the column.
    """
    pa = require_pyarrow()
    names = set(table.column_names)
    if any(table.column(name).null_count for name in mapping.used() if name in names):
        return None
    quantity = mapping.quantity
    whole = quantity is not None and quantity in names and _whole(table.column(quantity))
    if not _texts_fit(table, mapping, names, whole=whole):
        return None
    for name in {mapping.timestamp, mapping.start_column, mapping.end_column}:
        if name is None or name not in names:
            continue
        column = table.column(name)
        if not _is_text(column.type) or pa.types.is_dictionary(column.type):
            continue
        converted = _timestamps(column, aware)
        if converted is None:
            return None
        table = table.set_column(table.column_names.index(name), name, converted)
    if whole:
        # whole numbers (seconds, counts) go to the engine as integers: the same
        # values as their text, without decoding each distinct text
        assert quantity is not None
        index = table.column_names.index(quantity)
        table = table.set_column(index, quantity, table.column(quantity).cast(pa.int64()))
    return table


def _all_match(texts: Any, pattern: str) -> bool:
    """Whether every text matches ``pattern``."""
    import pyarrow.compute as pc  # noqa: PLC0415

    return bool(pc.all(pc.match_substring_regex(texts, pattern)).as_py())


def _whole(column: Any) -> bool:
    """Whether a quantity column is text of whole numbers within int64 (seconds,
    counts), which go to the engine as integers.
    """
    pa = require_pyarrow()
    return bool(pa.types.is_string(column.type)) and _all_match(column, _INTEGER)


def _texts_fit(table: Any, mapping: ColumnMapping, names: set[str], *, whole: bool) -> bool:
    """Whether the metric, quantity and dimension texts are in the forms and within
    the bounds that the row reader accepts.
    """
    import pyarrow.compute as pc  # noqa: PLC0415

    def longest(texts: Any) -> int:
        return int(pc.max(pc.utf8_length(texts)).as_py() or 0) if len(texts) else 0

    metric = mapping.metric_column if mapping.metric is None else None
    if metric is not None and metric in names and _is_text(table.column(metric).type):
        texts = _texts(table.column(metric))
        if len(texts) and (
            pc.min(pc.utf8_length(pc.utf8_trim_whitespace(texts))).as_py() == 0
            or longest(texts) > _lines.MAX_VALUE
        ):
            return False
    quantity = mapping.quantity
    if (
        not whole  # whole numbers (checked already) are plain decimals too
        and quantity is not None
        and quantity in names
        and _is_text(table.column(quantity).type)
        and not _all_match(_texts(table.column(quantity)), _QUANTITY)
    ):
        return False
    dimensions = [
        table.column(column)
        for _, column in mapping.dimension_columns(table.column_names)
        if column in names
    ]
    return all(
        longest(_texts(column)) <= _lines.MAX_VALUE
        for column in dimensions
        if _is_text(column.type)
    )


def _timestamps(column: Any, aware: bool | None) -> Any:
    """Text timestamps as Arrow timestamps (UTC when they have offsets), or None."""
    pa = require_pyarrow()
    import pyarrow.compute as pc  # noqa: PLC0415

    if not len(column):
        return column.cast(pa.timestamp("us", "UTC"))
    if aware is None:  # a mapped file may have naive timestamps, all of them or none
        aware = _all_match(column, _AWARE)
    pattern, kind = (_AWARE, pa.timestamp("us", "UTC")) if aware else (_NAIVE, pa.timestamp("us"))
    if not _fixed_clocks(column, aware=aware) and not _all_match(column, pattern):
        return None
    try:
        converted = pc.cast(column, kind)
    except (pa.ArrowInvalid, OverflowError):  # 30 February
        return None
    # instants a day within the years 1 .. 9999: the row reader judges the others
    low, high = pc.min_max(converted.cast(pa.int64())).values()
    if low.as_py() < _FIRST or high.as_py() > _LAST:
        return None
    return converted


def _fixed_clocks(column: Any, *, aware: bool) -> bool:
    """Whether every text of a string column is a time of one width and layout that
    the clock pattern (``_AWARE`` or ``_NAIVE``) accepts, tested on the bytes at once:
    a quick test that implies the pattern. False when it cannot tell (texts of
    several widths or layouts); the pattern then decides.
    """
    pa = require_pyarrow()
    if not pa.types.is_string(column.type):
        return False
    return all(_fixed_chunk(chunk, aware=aware) for chunk in column.chunks)


#: The clock's fixed characters and two-digit fields (position, lowest, highest).
_SIGNS = ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"))
_FIELDS = ((0, 0, 99), (2, 0, 99), (5, 1, 12), (8, 1, 31), (11, 0, 23), (14, 0, 59), (17, 0, 59))


@functools.cache
def _pairs(low: int, high: int) -> Any:
    """A table of the 65,536 big-endian byte pairs: True for "low" .. "high"."""
    np = _np()
    table = np.zeros(1 << 16, dtype=bool)
    for value in range(low, high + 1):
        table[(48 + value // 10) << 8 | (48 + value % 10)] = True
    return table


def _layout(
    last: int, width: int, *, aware: bool
) -> tuple[list[tuple[int, str]], list[tuple[int, int, int]]] | None:
    """The fixed characters and fields of a clock ``width`` long whose last byte is
    ``last``; None for a width no clock has.
    """
    signs, fields, tail = list(_SIGNS), list(_FIELDS), 0
    if aware and last == ord("Z"):
        signs.append((width - 1, "Z"))
        tail = 1
    elif aware:  # +01:00
        signs += [(width - 6, "sign"), (width - 3, ":")]
        fields += [(width - 5, 0, 23), (width - 2, 0, 59)]
        tail = 6
    fraction = width - 19 - tail  # ".123456": at most six digits
    if fraction == 1 or not 0 <= fraction <= 7:
        return None
    if fraction:
        signs.append((19, "."))
        fields += [(at, 0, 99) for at in range(20, 18 + fraction, 2)]
        if fraction % 2 == 0:  # an odd count of digits: the last alone
            signs.append((18 + fraction, "digit"))
    return signs, fields


def _fixed_chunk(chunk: Any, *, aware: bool) -> bool:
    np = _np()
    rows = len(chunk)
    if not rows:
        return True
    if chunk.null_count:
        return False
    offsets, data = text_bytes(chunk)
    width = int(offsets[1])
    if width < 19 or not (np.diff(offsets) == width).all():  # shorter than a clock
        return False
    layout = _layout(int(data[width - 1]), width, aware=aware)
    if layout is None:
        return False
    signs, fields = layout

    def column(at: int, kind: str) -> Any:
        # byte ``at`` of every text (or the pair from it), without copying
        return np.ndarray((rows,), dtype=kind, buffer=data, offset=at, strides=(width,))

    for at, char in signs:
        byte = column(at, "u1")
        if char == "digit":
            right = (byte >= ord("0")) & (byte <= ord("9"))
        elif char == "sign":
            right = (byte == ord("+")) | (byte == ord("-"))
        else:
            right = byte == ord(char)
        if not right.all():
            return False
    return all(_pairs(low, high)[column(at, ">u2")].all() for at, low, high in fields)


# -- DailyUsage.add_table ----------------------------------------------------------------
def outside(
    table: Any, columns: ColumnMapping | None, start: dt.datetime, end: dt.datetime
) -> tuple[bool, int] | None:
    """Whether the table's timestamps are naive, and how many rows lie outside
    ``[start, end)`` (None for a table without rows).
    """
    pa = require_pyarrow()
    import pyarrow.compute as pc  # noqa: PLC0415

    if not table.num_rows:
        return None
    name = (columns or USAGE_FILE).timestamp
    column = table.column(name)
    if _is_text(column.type):
        aware = bool(pc.all(pc.match_substring_regex(column, r"([zZ]|[+-]\d\d(:?\d\d)?)$")).as_py())
        column = pc.cast(column, pa.timestamp("us", "UTC") if aware else pa.timestamp("us"))
    if not pa.types.is_timestamp(column.type):  # pragma: no cover - the engine refused it
        raise UsageError(f"column {name!r} (timestamp) must hold timestamps")
    naive = column.type.tz is None
    if naive:  # wall clocks, as the engine compares them
        low, high = start.replace(tzinfo=None), end.replace(tzinfo=None)
    else:  # instants, given to Arrow as naive UTC
        utc = _dt().timezone.utc
        low = start.astimezone(utc).replace(tzinfo=None)
        high = end.astimezone(utc).replace(tzinfo=None)
    kind = column.type
    inside = pc.and_(
        pc.greater_equal(column, pa.scalar(low, kind)), pc.less(column, pa.scalar(high, kind))
    )
    return naive, table.num_rows - int(pc.sum(inside).as_py() or 0)
