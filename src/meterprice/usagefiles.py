"""Usage files: events read from CSV or JSON Lines, streaming, with bad rows reported.

One event per row: ``metric``, ``quantity`` (an exact decimal), ``timestamp`` (ISO 8601
with a UTC offset, ``2026-11-03T02:13:00+01:00`` or ``...Z``), and any number of
dimension columns (``channel``, ``language``, ...; an empty cell means the event lacks
that dimension). In JSON Lines every key other than the three is a dimension, and
quantities may be JSON numbers (read exactly from their text, never through a float).

A :class:`UsageFile` yields events one at a time, so a file of millions of rows is
read in bounded memory; rows that cannot be read are noted as :class:`BadRow` values
(file, line number, reason). :class:`DailyUsage` meters such a stream for a contract
in chunks, day by day, and merges the summaries, which is exact because usage is
mergeable; :func:`price_file` prices one or more periods from a file in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from meterprice import _decimal as d
from meterprice import _lines
from meterprice.columnar._columns import USAGE_FILE as _USAGE_FILE
from meterprice.columnar._columns import ColumnMapping
from meterprice.contract import Contract
from meterprice.dimensions import Dimensions
from meterprice.errors import InvalidValueError, MeterpriceError, PeriodError, UsageError
from meterprice.ids import SeenIds, to_id
from meterprice.invoice import Invoice
from meterprice.metering import events_between, meter_events
from meterprice.periods import Period
from meterprice.usage import Aggregation, Event, Usage

__all__ = [
    "FORMATS",
    "BadRow",
    "DailyUsage",
    "UsageFile",
    "UsageFileError",
    "meter_file",
    "price_file",
]

#: The file formats read, by name; the suffix of a file (``.csv``, ``.jsonl``,
#: ``.ndjson``, each optionally ``.gz``) picks one.
FORMATS = ("csv", "jsonl", "parquet", "arrow")

#: How many bad rows are kept with their reasons (all of them are counted).
MAX_REPORTED = 20

_REQUIRED = ("metric", "quantity", "timestamp")
_ID = "id"  # the optional column of event ids
# lone surrogates: undecodable bytes (surrogateescape) or JSON escapes such as "\\ud800"
_SURROGATE = re.compile("[\ud800-\udfff]")
_DIMENSIONS_KEPT = 100_000  # distinct dimension rows whose Dimensions are reused
_KEPT = 65_536  # distinct quantities and metrics whose objects are reused
_ZONES_KEPT = 1024  # distinct UTC offsets whose tzinfo objects are shared


class BadRow(NamedTuple):
    """A row of a usage file that could not be read."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class UsageFileError(MeterpriceError, ValueError):
    """A usage file that cannot be read: a missing column, a damaged file, or bad rows
    (listed in ``bad_rows``, the first :data:`MAX_REPORTED` of ``bad_count``).
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        bad_rows: Sequence[BadRow] = (),
        bad_count: int = 0,
    ) -> None:
        self.file = file
        self.bad_rows = list(bad_rows)
        self.bad_count = bad_count
        lines = [f"{file}: {message}"]
        lines.extend(f"  {row}" for row in self.bad_rows)
        if bad_count > len(self.bad_rows):
            lines.append(f"  ... and {bad_count - len(self.bad_rows)} more")
        super().__init__("\n".join(lines))


def _format_of(path: Path) -> str:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    last = suffixes[-1] if suffixes else ""
    if last == ".csv":
        return "csv"
    if last in (".jsonl", ".ndjson"):
        return "jsonl"
    if last in (".parquet", ".pq"):
        return "parquet"
    if last in (".arrow", ".feather", ".ipc", ".arrows"):
        return "arrow"
    raise UsageFileError(
        str(path),
        "cannot tell the format: name the file *.csv, *.jsonl, *.parquet or *.arrow "
        "(or give the format)",
    )


def _parse_timestamp(text: str) -> dt.datetime:
    value = text.strip()
    if not value.isascii():
        raise ValueError(value)
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    at = dt.datetime.fromisoformat(value)
    if at.tzinfo is not None and at.year in (1, 9999):
        at.astimezone(dt.timezone.utc)  # OverflowError: not an instant datetime can hold
    return at


def _instant(value: object) -> dt.datetime:
    """A timestamp of a row read as a table: a datetime, or ISO 8601 text."""
    if isinstance(value, str):
        try:
            return _parse_timestamp(value)
        except (ValueError, OverflowError):
            raise _BadRowError(f"timestamp is not an ISO 8601 date and time: {value!r}") from None
    if not isinstance(value, dt.datetime):
        raise _BadRowError(f"timestamp must be a date and time, not {value!r}")
    return value


class _BadRowError(Exception):
    """A bad row (internal: carries the reason to the reader loop)."""


class _Number(str):
    """The text of a JSON number with a fraction or an exponent (never a float)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


# every key of an object ends in '"' then ':' (a '"' inside a text is escaped, and
# counted too): as many matches as keys read means no key was given twice
_KEYS = re.compile(rb'"\s*:')


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        keys = [key for key, _ in pairs]
        twice = next(key for key in keys if keys.count(key) > 1)
        raise _BadRowError(f"has the key {_short(twice)} twice")
    return record


class _OneLine:
    """Hands the CSV reader one line at a time, and no second line to the same row:
    a quoted value left open at the end of its line is then that row's error
    instead of swallowing the rows after it.
    """

    __slots__ = ("line", "ready")

    def __init__(self) -> None:
        self.line = ""
        self.ready = False

    def __iter__(self) -> _OneLine:
        return self

    def __next__(self) -> str:
        if not self.ready:
            raise StopIteration
        self.ready = False
        return self.line


class _Header(NamedTuple):
    """The columns of a CSV usage file, as its header names them."""

    names: list[str]
    metric: int
    quantity: int
    timestamp: int
    dimensions: list[int]
    dimension_names: list[str]


class UsageFile:
    r"""A usage file (CSV, JSON Lines, Parquet, Arrow IPC), read one event at a time.

    Iterating yields every good event in file order. Bad rows are counted in
    ``bad_count`` and the first :data:`MAX_REPORTED` kept in ``bad_rows``; at the end
    of the file, unless ``skip_bad_rows`` is true, a :class:`UsageFileError` lists
    them, so nothing is priced from a file with bad rows by accident. ``progress``,
    when given, is called now and then with the bytes read so far and the file size.

    A row is one line: a quoted CSV value cannot span lines (a stray ``"`` makes its
    own row bad, never the rows after it). Lines, values and quantities have the
    bounds of :doc:`/limits`.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "usage.csv"
    >>> _ = path.write_text(
    ...     "metric,quantity,timestamp,channel\n"
    ...     "handle_seconds,185,2026-11-03T02:13:00+01:00,phone\n"
    ...     "handle_seconds,abc,2026-11-03T02:15:00+01:00,phone\n"
    ... )
    >>> file = UsageFile(path, skip_bad_rows=True)
    >>> [(e.metric, e.quantity, e.dimensions["channel"]) for e in file]
    [('handle_seconds', Decimal('185'), 'phone')]
    >>> print(*file.bad_rows)
    usage.csv:3: quantity is not a decimal number: 'abc'
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        skip_bad_rows: bool = False,
        progress: Callable[[int, int], None] | None = None,
        name: str | None = None,
        columns: ColumnMapping | None = None,
    ) -> None:
        self.path = Path(path)
        #: How to read a file whose columns are not named like a usage file.
        self.columns = columns
        self.name = name if name is not None else self.path.name
        if format is not None and format not in FORMATS:
            raise InvalidValueError(f"format must be one of {', '.join(FORMATS)} (got {format!r})")
        self.format = format or _format_of(self.path)
        self.skip_bad_rows = skip_bad_rows
        self.progress = progress
        self.bad_rows: list[BadRow] = []
        self.bad_count = 0
        self.events_read = 0
        self._reset()

    def _reset(self) -> None:
        self.bad_rows, self.bad_count, self.events_read = [], 0, 0
        # caches of this reading, each bounded: values repeat, and sharing one object
        # per value makes metering compare identities
        self._dimensions: dict[tuple[str, ...], Dimensions] = {}
        self._quantities: set[str] = set()
        self._zones: dict[dt.timedelta | None, dt.tzinfo] = {}
        self._metrics: set[str] = set()
        self._reader = _OneLine()
        self._csv_reader = csv.reader(self._reader, strict=True)

    # -- reading ----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Event]:
        self._reset()
        if self.format in ("parquet", "arrow"):
            from meterprice.columnar._files import table_events  # noqa: PLC0415 - the extra

            yield from table_events(self)
        elif self.format == "jsonl":
            for first, block in self.blocks():
                for event in self._jsonl_rows(first, block):
                    self.events_read += 1
                    yield event
        else:
            for header, first, block in self.csv_blocks():
                for event in self.csv_rows(header, first, block):
                    self.events_read += 1
                    yield event
        self.finish()

    def blocks(self) -> Iterator[tuple[int, bytes]]:
        """``(first line number, whole lines)`` of a CSV or JSON Lines file, a few
        megabytes at a time; too long lines are reported as bad and left out.
        """
        size = self.path.stat().st_size
        progress = self.progress
        try:
            for first, block in _lines.blocks(
                self.path, progress=None if progress is None else lambda done: progress(done, size)
            ):
                if block is None:
                    if first == 1 and self.format == "csv":
                        raise UsageFileError(
                            self.name, f"line 1: the header is longer than {_lines.MAX_LINE} bytes"
                        )
                    self._bad(first, f"the line is longer than {_lines.MAX_LINE} bytes")
                    continue
                yield first, block
        except _lines.Unreadable as error:
            raise UsageFileError(self.name, str(error)) from None
        if progress is not None:
            progress(size, size)

    def csv_blocks(self) -> Iterator[tuple[_Header, int, bytes]]:
        """The header of a CSV file, with each block of lines after it."""
        header: _Header | None = None
        for first, block in self.blocks():
            if header is None:
                header, start, rest = self._csv_header(block)
                yield header, start, rest
            else:
                yield header, first, block
        if header is None:
            raise UsageFileError(self.name, "is empty: expected a header row")

    def finish(self) -> None:
        """Refuse the file if it had bad rows (unless they are skipped)."""
        if self.bad_count and not self.skip_bad_rows:
            raise UsageFileError(
                self.name,
                f"{self.bad_count} bad row(s); fix them, or skip them knowingly",
                bad_rows=self.bad_rows,
                bad_count=self.bad_count,
            )

    def chunks(self, size: int = 50_000) -> Iterator[list[Event]]:
        """The events in lists of at most ``size``."""
        chunk: list[Event] = []
        for event in self:
            chunk.append(event)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append(BadRow(self.name, line, reason))

    # -- values -----------------------------------------------------------------------------
    def _metric(self, value: object) -> str:
        if type(value) is not str:
            raise _BadRowError(f"metric must be a string, not {_short(value)}")
        if value not in self._metrics:
            if not value.strip():
                raise _BadRowError("metric is empty")
            if _SURROGATE.search(value):
                raise _BadRowError("metric is not valid UTF-8")
            if len(value) > _lines.MAX_VALUE:
                raise _BadRowError(f"metric is longer than {_lines.MAX_VALUE} characters")
            if len(self._metrics) < _KEPT:
                self._metrics.add(value)
        return value

    def _quantity(self, value: object) -> Decimal | int | str:
        """A checked quantity: a text as it is (the event shares one Decimal per text),
        or a number.
        """
        if type(value) is _Number:
            value = str(value)
        if type(value) is str:
            if value not in self._quantities:
                try:
                    d.to_decimal(value, what="quantity")
                except (ValueError, TypeError) as error:
                    raise _BadRowError(str(error)) from None
                if len(self._quantities) >= _KEPT:
                    self._quantities.clear()
                self._quantities.add(value)
            return value
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            try:
                d.to_decimal(value, what="quantity")
            except (ValueError, TypeError) as error:
                raise _BadRowError(str(error)) from None
            return value  # the event shares one Decimal per integer
        raise _BadRowError(f"quantity must be a number or a decimal string, not {_short(value)}")

    def _timestamp(self, value: object) -> dt.datetime:
        if type(value) is not str:
            raise _BadRowError(f"timestamp must be an ISO 8601 string, not {_short(value)}")
        try:
            at = _parse_timestamp(value)
        except (ValueError, OverflowError):
            raise _BadRowError(
                f"timestamp is not an ISO 8601 date and time: {_short(value)} "
                "(write e.g. 2026-11-03T02:13:00+01:00)"
            ) from None
        zone = at.tzinfo
        if zone is None:
            raise _BadRowError(
                f"timestamp has no UTC offset: {value!r} (write e.g. {value.strip()}+01:00 "
                f"or {value.strip()}Z)"
            )
        # one tzinfo object per UTC offset (bounded): comparing timestamps that share
        # it reads their fields instead of calling utcoffset() on both sides
        offset = zone.utcoffset(at)
        shared = self._zones.get(offset)
        if shared is None:
            if len(self._zones) >= _ZONES_KEPT:
                self._zones.clear()
            shared = self._zones[offset] = zone
        return at if shared is zone else at.replace(tzinfo=shared)

    def _dims(
        self, key: tuple[str, ...], names: Sequence[str], values: Sequence[str]
    ) -> Dimensions:
        dims = self._dimensions.get(key)
        if dims is None:
            for name, value in zip(names, values, strict=True):
                if len(value) > _lines.MAX_VALUE:
                    raise _BadRowError(
                        f"dimension {_short(name)} is longer than {_lines.MAX_VALUE} characters"
                    )
                if _SURROGATE.search(value):
                    raise _BadRowError(f"dimension {name!r} is not valid UTF-8")
            dims = Dimensions({n: v for n, v in zip(names, values, strict=True) if v != ""})
            if len(self._dimensions) < _DIMENSIONS_KEPT and sum(map(len, key)) <= 256:
                self._dimensions[key] = dims
        return dims

    # -- CSV --------------------------------------------------------------------------------
    def _csv_header(self, block: bytes) -> tuple[_Header, int, bytes]:
        """The header of a CSV file from its first block, and the rest of the block."""
        end = block.find(b"\n") + 1 or len(block)
        first, rest = block[:end], block[end:]
        if len(first) > _lines.MAX_LINE:
            raise UsageFileError(
                self.name, f"line 1: the header is longer than {_lines.MAX_LINE} bytes"
            )
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        try:
            text = first.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UsageFileError(
                self.name,
                f"line 1: the header is not valid UTF-8 ({error.reason} at byte {error.start})",
            ) from None
        self._reader.line, self._reader.ready = text, True
        try:
            header = next(self._csv_reader, [])
        except csv.Error as error:
            raise UsageFileError(
                self.name, f"line 1: the header is not valid CSV: {error}"
            ) from None
        return self._header([name.strip() for name in header]), 2, rest

    def _header(self, columns: list[str]) -> _Header:
        required = _REQUIRED if self.columns is None else sorted(self.columns.used())
        missing = [name for name in required if name not in columns]
        if missing:
            raise UsageFileError(
                self.name,
                f"line 1: the header lacks the column(s) {', '.join(missing)} "
                f"(it has: {', '.join(map(_printable, columns)) or 'nothing'}); "
                + (
                    "a usage CSV has the columns metric, quantity, timestamp and any dimensions"
                    if self.columns is None
                    else "the column mapping names them"
                ),
            )
        seen: set[str] = set()
        for name in columns:
            if name in seen or not name:
                what = f"the column {name!r} twice" if name else "a column without a name"
                raise UsageFileError(self.name, f"line 1: the header has {what}")
            if len(name) > _lines.MAX_VALUE:
                raise UsageFileError(
                    self.name, f"line 1: a column name is longer than {_lines.MAX_VALUE} characters"
                )
            seen.add(name)
        if self.columns is not None:  # read by name (csv_rows): the roles are not used
            return _Header(columns, -1, -1, -1, [], [])
        dims = [i for i, name in enumerate(columns) if name not in (*_REQUIRED, _ID)]
        i_metric, i_quantity, i_time = (columns.index(name) for name in _REQUIRED)
        return _Header(
            columns,
            i_metric,
            i_quantity,
            i_time,
            dims,
            [columns[i] for i in dims],
        )

    def _csv_lines(self, first: int, block: bytes) -> Iterator[tuple[int, list[str]]]:
        """The fields of each non-blank line of ``block``; bad lines are reported."""
        feed, reader = self._reader, self._csv_reader
        for number, raw in enumerate(block.split(b"\n"), first):
            if not raw or raw == b"\r":
                continue
            if len(raw) > _lines.MAX_LINE:
                self._bad(number, f"the line is longer than {_lines.MAX_LINE} bytes")
                continue
            feed.line, feed.ready = raw.decode("utf-8", "surrogateescape"), True
            try:
                row = next(reader)
            except csv.Error as error:
                reason = str(error)
                if reason == "unexpected end of data":
                    reason = "a quoted value is not closed on its line (a row is one line)"
                self._bad(number, f"not valid CSV: {reason}")
                continue
            yield number, row

    def csv_rows(self, header: _Header, first: int, block: bytes) -> Iterator[Event]:
        """The events of the lines of ``block`` (the row reader); bad rows are reported."""
        width = len(header.names)
        if self.columns is not None:
            for number, row in self._csv_lines(first, block):
                if len(row) != width:
                    self._bad(number, f"expected {width} fields, got {len(row)}")
                    continue
                try:
                    event = self.row_event(dict(zip(header.names, row, strict=True)))
                except _BadRowError as error:
                    self._bad(number, str(error))
                    continue
                yield event
            return
        i_metric, i_quantity, i_time = header.metric, header.quantity, header.timestamp
        dim_index, dim_names = header.dimensions, header.dimension_names
        i_id = header.names.index(_ID) if _ID in header.names else None  # event ids, if any
        for number, row in self._csv_lines(first, block):
            if len(row) != width:
                self._bad(number, f"expected {width} fields, got {len(row)}")
                continue
            try:
                values = tuple([row[i] for i in dim_index])
                event = Event(
                    self._metric(row[i_metric]),
                    self._quantity(row[i_quantity]),
                    self._timestamp(row[i_time]),
                    self._dims(values, dim_names, values),
                    id=None if i_id is None else _event_id(row[i_id] or None),
                )
            except _BadRowError as error:
                self._bad(number, str(error))
                continue
            yield event

    def row_event(self, row: dict[str, Any]) -> Event:
        """The event of one row of a table (or of a mapped CSV file), read by name."""
        mapping = self.columns if self.columns is not None else _USAGE_FILE
        metric = mapping.metric or self._metric(row.get(mapping.metric_column))
        if mapping.quantity is None:
            assert mapping.start_column is not None
            assert mapping.end_column is not None
            start = _instant(row.get(mapping.start_column))
            end = _instant(row.get(mapping.end_column))
            try:
                micros = (end - start) // dt.timedelta(microseconds=1)
            except TypeError:
                raise _BadRowError("start and end must both have a UTC offset or neither") from None
            quantity: Decimal | int | str = Decimal(micros).scaleb(-6, d.EXACT)
        else:
            quantity = self._quantity(row.get(mapping.quantity))
        at = _instant(row.get(mapping.timestamp))
        dims: dict[str, str] = {}
        for dim, column in mapping.dimension_columns(row):
            value = row.get(column)
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                raise _BadRowError(f"dimension {dim!r} must be text, not {_short(value)}")
            if len(value) > _lines.MAX_VALUE:
                raise _BadRowError(
                    f"dimension {dim!r} is longer than {_lines.MAX_VALUE} characters"
                )
            if _SURROGATE.search(value):
                raise _BadRowError(f"dimension {dim!r} is not valid UTF-8")
            dims[dim] = value
        return Event(metric, quantity, at, dims, id=_event_id(row.get(mapping.id_column) or None))

    # -- JSON Lines -------------------------------------------------------------------------
    def _jsonl_rows(self, first: int, block: bytes) -> Iterator[Event]:
        for number, raw in enumerate(block.split(b"\n"), first):
            if not raw.strip():
                continue
            if len(raw) > _lines.MAX_LINE:
                self._bad(number, f"the line is longer than {_lines.MAX_LINE} bytes")
                continue
            text = raw.decode("utf-8", "surrogateescape")
            try:
                record = _JSON.decode(text)
                if isinstance(record, dict) and len(_KEYS.findall(raw)) != len(record):
                    # a key given twice (or a nested object, or '":' in a value): look
                    # at the pairs themselves
                    record = _JSON_PAIRS.decode(text)
            except _BadRowError as error:
                self._bad(number, str(error))
                continue
            except ValueError as error:
                self._bad(number, f"not valid JSON: {error}")
                continue
            if not isinstance(record, dict):
                self._bad(number, f"must be a JSON object, not {type(record).__name__}")
                continue
            try:
                event = self._record(record)
            except _BadRowError as error:
                self._bad(number, str(error))
                continue
            yield event

    def _record(self, record: dict[str, Any]) -> Event:
        missing = [name for name in _REQUIRED if name not in record]
        if missing:
            raise _BadRowError(f"lacks {', '.join(missing)}")
        names = sorted(key for key in record if key not in (*_REQUIRED, _ID))
        for name in names:
            if not name:
                raise _BadRowError("has a dimension without a name")
            if len(name) > _lines.MAX_VALUE or _SURROGATE.search(name):
                raise _BadRowError(f"dimension name {_short(name)} is too long or not valid UTF-8")
            if type(record[name]) is not str:
                raise _BadRowError(
                    f"dimension {name!r} must be a string, not {_short(record[name])}"
                )
        values = [record[name] for name in names]
        # keyed by names and values: {"channel": "x"} and {"language": "x"} differ
        key = (*names, "", *values)
        return Event(
            self._metric(record["metric"]),
            self._quantity(record["quantity"]),
            self._timestamp(record["timestamp"]),
            self._dims(key, names, values),
            id=_event_id(record.get(_ID)),
        )


def _short(value: object) -> str:
    """``repr(value)``, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + f"... ({len(text)} characters)"


def _printable(name: str) -> str:
    return name if name.isprintable() else repr(name)


def _event_id(value: object) -> str | None:
    """The event id of a row (``None``: no id), a bad row when it is not one."""
    try:
        return to_id(value)
    except (TypeError, ValueError) as error:
        raise _BadRowError(str(error)) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number meterprice accepts")


# numbers with a fraction or an exponent as their text (read exactly by the event)
_JSON = json.JSONDecoder(parse_float=_Number, parse_constant=_no_constant)
_JSON_PAIRS = json.JSONDecoder(
    parse_float=_Number, parse_constant=_no_constant, object_pairs_hook=_no_duplicates
)


class DailyUsage:
    """A contract's day-resolved usage of ``[start, end)``, metered from a stream of
    events added in chunks.

    Only the days of ``[start, end)`` (contract time zone) are kept; events outside
    them are counted in ``ignored``. With ``strict`` (the default) events of a metric
    that no meter reads are refused, as :meth:`~meterprice.Contract.invoice` refuses
    them; without it they are left out (to compare contracts that read different
    metrics). :attr:`total` is the merged :class:`~meterprice.Usage`, which gives
    exactly what metering all the events at once would give (usage is mergeable), so
    ``contract.invoice(daily.total, period)`` prices the same invoice as the events.

    >>> contract = Contract("PPU", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.90 EUR")])
    >>> daily = DailyUsage(contract, dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    >>> at = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.timezone.utc)
    >>> daily.add([Event("minutes", 100, at), Event("minutes", 20, at)])
    >>> str(contract.invoice(daily.total, "2026-11").total)
    '108.00 EUR'
    """

    def __init__(
        self, contract: Contract, start: dt.date, end: dt.date, *, strict: bool = True
    ) -> None:
        if end <= start:
            raise PeriodError(f"end must be after start (got {start}..{end})")
        self.contract = contract
        self.start = start
        self.end = end
        self.window = Period(start, end)
        self._bounds = contract.bounds(self.window)
        self._naive_events: bool | None = None
        self._meters = contract.all_meters
        self._total = Usage()._with_span(self.window)
        self.strict = strict
        self.ignored = 0
        self._ids = SeenIds()  # the ids of every event added, to count repeats once

    @property
    def total(self) -> Usage:
        """The day-resolved usage of every event added so far (spanning ``[start, end)``)."""
        return self._total

    def add(self, events: Iterable[Event]) -> None:
        """Meter ``events`` (any number, in any order) into the days they fall on."""
        batch = events if isinstance(events, list) else list(events)
        if not batch:
            return
        self._check_kind(
            batch[0].at.tzinfo is None, f"event {batch[0].metric} at {batch[0].at.isoformat()}"
        )
        batch = list(self._ids.take(batch))
        start, end = self._bounds
        if self._naive_events:
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        else:
            # bounds in UTC compare instants: in the contract's own zone Python would
            # compare wall clocks, and misplace the repeated hour of a DST fall-back
            start, end = start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
        inside = events_between(batch, start, end)
        self.ignored += len(batch) - len(inside)
        metered = meter_events(
            self._meters, inside, strict=self.strict, timezone=self.contract.timezone
        )
        self._total = (self._total + metered)._with_duplicates(self._ids.report)

    def add_table(self, table: object, *, columns: ColumnMapping | None = None) -> None:
        """Meter the rows of a table (an Arrow batch, a data frame) into the days they
        fall on, with the columnar engine (the arrow extra); rows outside
        ``[start, end)`` are counted in ``ignored``, as :meth:`add` counts events.
        """
        from meterprice.columnar._engine import meter_arrow  # noqa: PLC0415 - optional extra
        from meterprice.columnar._files import outside  # noqa: PLC0415
        from meterprice.columnar._ids import take_table  # noqa: PLC0415
        from meterprice.columnar._tables import to_arrow  # noqa: PLC0415

        arrow = take_table(to_arrow(table), columns, self._ids)
        start, end = self._bounds
        entries = meter_arrow(self.contract, arrow, start, end, columns=columns, strict=self.strict)
        found = outside(arrow, columns, start, end)
        if found is not None:
            naive, ignored = found
            self._check_kind(naive, "the timestamps of the table")
            self.ignored += ignored
        self._total = self._total + Usage._from_entries(dict(entries), self.window)
        self._total = self._total._with_duplicates(self._ids.report)

    def _check_kind(self, naive: bool, what: str) -> None:
        """Refuse a mix of naive and aware timestamps across adds, as metering does."""
        if self._naive_events is None:
            self._naive_events = naive
        elif self._naive_events != naive:
            raise UsageError(
                f"{what} {'are' if what.startswith('the') else 'is'} "
                f"{'naive' if naive else 'time-zone aware'} while earlier events are "
                f"{'time-zone aware' if naive else 'naive'}: do not mix naive and aware "
                "timestamps"
            )

    def usage(self, window: Period) -> Usage:
        """The usage metered in ``window`` (which must lie within ``[start, end)``)."""
        return self._total.within(window)


def span(contract: Contract, periods: Sequence[Period]) -> tuple[dt.date, dt.date]:
    """The days needed to price ``periods``: each period and the one before it."""
    start = min(contract.previous_period(period).start for period in periods)
    end = max(period.end for period in periods)
    return start, end


def price_file(
    contract: Contract,
    file: UsageFile,
    periods: Sequence[Period],
    *,
    chunk_size: int = 50_000,
    rows: bool = False,
) -> tuple[Invoice, ...]:
    """Price ``periods`` from ``file`` in one streaming pass, in bounded memory.

    Raises the file's :class:`UsageFileError` when it has bad rows (unless it skips
    them) before anything is priced. ``rows`` reads the file row by row, as without
    the arrow extra (the same invoices, slower).
    """
    if not periods:
        raise InvalidValueError("price_file needs at least one period")
    (daily,) = meter_file([contract], file, periods, chunk_size=chunk_size, rows=rows)
    return tuple(contract.invoice(daily.total, period) for period in periods)


def meter_file(
    contracts: Sequence[Contract],
    file: UsageFile,
    periods: Sequence[Period],
    *,
    strict: bool = True,
    chunk_size: int = 50_000,
    rows: bool = False,
) -> list[DailyUsage]:
    """Meter ``file`` for every contract over the days ``periods`` need, in one pass.

    With the arrow extra a CSV, Parquet or Arrow file is read in Arrow batches and
    metered column by column; a batch with a row that the bulk reader does not take
    exactly (a bad row, a quoted value, a quantity written ``1e3``) is read by the row
    reader, which keeps the line numbers exact. JSON Lines, a mean or share meter,
    ``rows=True`` or no extra: row by row. Both give the same usage and the same report of bad rows;
    each :class:`DailyUsage` counts the rows outside its days in ``ignored``.
    """
    dailies = [
        DailyUsage(contract, *span(contract, periods), strict=strict) for contract in contracts
    ]
    if rows or not _columnar_available() or file.format == "jsonl" or _rows_needed(contracts):
        pieces: Iterable[object] = file.chunks(chunk_size)
    else:
        from meterprice.columnar._files import pieces as batches  # noqa: PLC0415 - the extra

        pieces = batches(file)
    for piece in pieces:
        for daily in dailies:
            if isinstance(piece, list):
                daily.add(piece)
            else:
                daily.add_table(piece, columns=file.columns)
    return dailies


def _rows_needed(contracts: Sequence[Contract]) -> bool:
    """Whether a file must be read row by row: a mean or share meter, which the
    columnar engine does not compute yet.
    """
    rows_only = (Aggregation.MEAN, Aggregation.SHARE)
    return any(m.aggregation in rows_only for c in contracts for m in c.all_meters)


def _columnar_available() -> bool:
    try:
        import pyarrow  # noqa: F401, PLC0415 - only whether it is installed
    except ImportError:  # pragma: no cover - the tests run with the extra installed
        return False
    return True
