"""Usage files read in Arrow batches: CSV, Parquet and Arrow IPC, in bounded memory.

A CSV file is read by pyarrow as text and checked column by column; the common forms
(a decimal quantity, an ISO 8601 timestamp with its offset) are converted in bulk.
A file with anything else (a bad row, a quantity such as ``1e3``, a quoted line
break) raises :class:`Fallback`, and the caller reads the whole file with the row
reader instead, which gives exactly today's results and bad-row report.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from meterprice.columnar._columns import ColumnMapping
from meterprice.columnar._tables import require_pyarrow

if TYPE_CHECKING:
    from meterprice.usagefiles import UsageFile

__all__ = ["Fallback", "batches"]

#: Rows per batch: large enough for the kernels, small enough to bound memory.
BATCH_ROWS = 1 << 18

_QUANTITY = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_TIMESTAMP = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"([zZ]|[+-][0-9]{2}:[0-9]{2})$"
)


class Fallback(Exception):  # noqa: N818 - a signal, not an error the user sees
    """The file has rows the bulk reader does not convert exactly: read it row by row."""


def batches(file: UsageFile, *, rows: int = BATCH_ROWS) -> Iterator[Any]:
    """The rows of ``file`` as Arrow tables of at most ``rows`` rows."""
    if file.format == "parquet":
        yield from _parquet(file, rows)
    elif file.format == "arrow":
        yield from _ipc(file)
    elif file.format == "csv":
        yield from _csv(file, rows)
    else:
        raise Fallback(file.format)


def _parquet(file: UsageFile, rows: int) -> Iterator[Any]:
    require_pyarrow()
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    with pq.ParquetFile(file.path) as parquet:
        for batch in parquet.iter_batches(batch_size=rows):
            yield pa.Table.from_batches([batch])


def _ipc(file: UsageFile) -> Iterator[Any]:
    pa = require_pyarrow()
    with pa.memory_map(str(file.path)) as source:
        try:
            reader = pa.ipc.open_file(source)
        except pa.ArrowInvalid:  # the streaming format
            source.seek(0)
            stream = pa.ipc.open_stream(source)
            for batch in stream:
                yield pa.Table.from_batches([batch])
            return
        for index in range(reader.num_record_batches):
            yield pa.Table.from_batches([reader.get_batch(index)])


def _header(file: UsageFile) -> list[str] | None:
    """The names in the CSV header (None for an empty file)."""
    import csv  # noqa: PLC0415

    with _text(file) as text:
        first = text.readline()
    if not first.strip():
        return None
    return [name.strip() for name in next(csv.reader([first]))]


def _csv(file: UsageFile, rows: int) -> Iterator[Any]:
    pa = require_pyarrow()
    import pyarrow.compute as pc  # noqa: PLC0415
    import pyarrow.csv as pcsv  # noqa: PLC0415

    mapping = file.columns
    if mapping is None:
        # the row reader checks the header (and raises its errors) before any row
        with _text(file) as text:
            rows_of = file._csv(text)
            try:
                next(rows_of)
            except StopIteration:
                if file.bad_count:
                    raise Fallback("bad rows") from None
                return
        if file.bad_count:
            raise Fallback("bad rows")
    names = _header(file)
    if names is None:
        return
    compression = "gzip" if _is_gzip(file) else None
    source = pa.input_stream(str(file.path), compression=compression)
    try:
        reader = pcsv.open_csv(
            source,
            read_options=pcsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=1 << 22, use_threads=True
            ),
            parse_options=pcsv.ParseOptions(newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            table = pa.Table.from_batches([batch])
            if mapping is None:
                _check(table, pc)
            yield table
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        if mapping is not None:
            raise
        raise Fallback(str(error)) from None
    finally:
        source.close()


def _check(table: Any, pc: Any) -> None:
    """Raise Fallback unless every value is in a form converted exactly in bulk."""
    metric = pc.utf8_trim_whitespace(table.column("metric"))
    if not pc.all(pc.greater(pc.utf8_length(metric), 0)).as_py():
        raise Fallback("an empty metric")
    if not pc.all(pc.match_substring_regex(table.column("quantity"), _QUANTITY)).as_py():
        raise Fallback("a quantity in another form")
    if not pc.all(pc.match_substring_regex(table.column("timestamp"), _TIMESTAMP)).as_py():
        raise Fallback("a timestamp in another form")


def _is_gzip(file: UsageFile) -> bool:
    with file.path.open("rb") as raw:
        return file._gzipped(raw)


def _text(file: UsageFile) -> Any:
    binary: Any
    if _is_gzip(file):
        import gzip  # noqa: PLC0415

        binary = gzip.open(file.path, "rb")  # noqa: SIM115 - the caller closes it
    else:
        binary = file.path.open("rb")
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def with_mapping(mapping: ColumnMapping | None) -> ColumnMapping:
    """The mapping a batch is metered with."""
    return mapping if mapping is not None else ColumnMapping()
