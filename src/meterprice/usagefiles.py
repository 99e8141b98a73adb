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
import decimal
import gzip
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

from meterprice.columnar._columns import ColumnMapping
from meterprice.contract import Contract
from meterprice.dimensions import Dimensions
from meterprice.errors import InvalidValueError, MeterpriceError, PeriodError, UsageError
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
_SURROGATE = re.compile("[\udc80-\udcff]")
_PROGRESS_EVERY = 1 << 14  # rows between two progress reports
_DIMENSIONS_KEPT = 100_000  # distinct dimension rows whose Dimensions are reused


class BadRow(NamedTuple):
    """A row of a usage file that could not be read."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


#: Quantities already read, by their text: a file repeats a few thousand durations a
#: million times, and sharing one Decimal per text makes metering count them fast.
#: Cleared when full, so that unique amounts cannot grow it without bound.
_QUANTITIES: dict[str, Decimal] = {}
_QUANTITIES_MAX = 65536


class UsageFileError(MeterpriceError, ValueError):
    """A usage file that cannot be read: a missing column, or bad rows (listed in
    ``bad_rows``, the first :data:`MAX_REPORTED` of ``bad_count``).
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


#: One tzinfo object per UTC offset, shared by every timestamp with that offset, so
#: that comparing two of them (or one with a bound in that zone) reads the wall-clock
#: fields instead of calling utcoffset() on both sides.
_OFFSETS: dict[dt.timedelta | None, dt.tzinfo] = {}


def _parse_timestamp(text: str) -> dt.datetime:
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    at = dt.datetime.fromisoformat(value)
    zone = at.tzinfo
    if zone is not None:
        shared = _OFFSETS.setdefault(zone.utcoffset(at), zone)
        if shared is not zone:
            at = at.replace(tzinfo=shared)
    return at


def _instant(value: object) -> dt.datetime:
    """A timestamp of a row read as a table: a datetime, or ISO 8601 text."""
    if isinstance(value, str):
        try:
            return _parse_timestamp(value)
        except ValueError:
            raise _BadRowError(f"timestamp is not an ISO 8601 date and time: {value!r}") from None
    if not isinstance(value, dt.datetime):
        raise _BadRowError(f"timestamp must be a date and time, not {value!r}")
    return value


class _BadRowError(Exception):
    """A bad row (internal: carries the reason to the reader loop)."""


class UsageFile:
    r"""A CSV or JSON Lines usage file, read one event at a time.

    Iterating yields every good event in file order. Bad rows are counted in
    ``bad_count`` and the first :data:`MAX_REPORTED` kept in ``bad_rows``; at the end
    of the file, unless ``skip_bad_rows`` is true, a :class:`UsageFileError` lists
    them, so nothing is priced from a file with bad rows by accident. ``progress``,
    when given, is called now and then with the bytes read so far and the file size.

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
        #: How to read a file whose columns are not named like a usage file (read by
        #: the columnar path, which needs the arrow extra).
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
        self._dimensions: dict[tuple[str, ...], Dimensions] = {}
        self._metrics: set[str] = set()

    # -- reading ----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Event]:
        self.bad_rows, self.bad_count, self.events_read = [], 0, 0
        if self.format in ("parquet", "arrow") or self.columns is not None:
            yield from self._table_events()
            return
        size = self.path.stat().st_size
        with self.path.open("rb") as raw:
            binary: IO[bytes] = raw
            if self._gzipped(raw):
                binary = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
            text = io.TextIOWrapper(
                binary, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            rows = self._csv(text) if self.format == "csv" else self._jsonl(text)
            for count, event in enumerate(rows, 1):
                self.events_read += 1
                yield event
                if self.progress is not None and count % _PROGRESS_EVERY == 0:
                    self.progress(raw.tell(), size)
            if self.progress is not None:
                self.progress(size, size)
        if self.bad_count and not self.skip_bad_rows:
            raise UsageFileError(
                self.name,
                f"{self.bad_count} bad row(s); fix them, or skip them knowingly",
                bad_rows=self.bad_rows,
                bad_count=self.bad_count,
            )

    def tables(self) -> Iterator[Any]:
        """The rows as Arrow tables, in batches (the arrow extra): what the columnar
        path meters. A CSV file with rows that the bulk reader does not convert
        exactly raises :class:`meterprice.columnar.Fallback`; read it with
        :meth:`chunks` then, which reports its bad rows.
        """
        from meterprice.columnar._files import batches  # noqa: PLC0415 - optional extra

        self.bad_rows, self.bad_count, self.events_read = [], 0, 0
        size = self.path.stat().st_size
        for table in batches(self):
            self.events_read += table.num_rows
            yield table
        if self.progress is not None:
            self.progress(size, size)

    def _table_events(self) -> Iterator[Event]:
        """The events of a file read as tables (Parquet, Arrow IPC, a mapped CSV)."""
        mapping = self.columns if self.columns is not None else ColumnMapping()
        for table in self.tables():
            names = mapping.dimension_columns(table.column_names)
            for number, row in enumerate(table.to_pylist(), self.events_read - table.num_rows + 1):
                try:
                    metric = mapping.metric or self._metric(row.get(mapping.metric_column))
                    if mapping.quantity is None:
                        start = _instant(row.get(mapping.start_column))
                        end = _instant(row.get(mapping.end_column))
                        quantity = Decimal((end - start) // dt.timedelta(microseconds=1)).scaleb(-6)
                    else:
                        quantity = self._quantity(row.get(mapping.quantity))
                    at = _instant(row.get(mapping.timestamp))
                    values = {dim: row.get(column) for dim, column in names}
                    for dim, value in values.items():
                        if value is not None and not isinstance(value, str):
                            raise _BadRowError(f"dimension {dim!r} must be text, not {value!r}")
                    event = Event(metric, quantity, at, {k: v for k, v in values.items() if v})
                except _BadRowError as error:
                    self._bad(number, str(error))
                    continue
                yield event
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

    @staticmethod
    def _gzipped(raw: IO[bytes]) -> bool:
        magic = raw.read(2)
        raw.seek(0)
        return magic == b"\x1f\x8b"

    def _bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < MAX_REPORTED:
            self.bad_rows.append(BadRow(self.name, line, reason))

    def _metric(self, value: object) -> str:
        if not isinstance(value, str):
            raise _BadRowError(f"metric must be a string, not {value!r}")
        if value not in self._metrics:
            if not value.strip():
                raise _BadRowError("metric is empty")
            if _SURROGATE.search(value):
                raise _BadRowError("metric is not valid UTF-8")
            self._metrics.add(value)
        return value

    @staticmethod
    def _quantity(value: object) -> Decimal:
        if type(value) is str:
            shared = _QUANTITIES.get(value)
            if shared is not None:
                return shared
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except decimal.InvalidOperation:
                raise _BadRowError(f"quantity is not a decimal number: {value!r}") from None
        else:
            raise _BadRowError(f"quantity must be a number or a decimal string, not {value!r}")
        if not number.is_finite():
            raise _BadRowError(f"quantity must be a finite number, not {value!r}")
        if type(value) is str:
            if len(_QUANTITIES) >= _QUANTITIES_MAX:
                _QUANTITIES.clear()
            _QUANTITIES[value] = number
        return number

    @staticmethod
    def _timestamp(value: object) -> dt.datetime:
        if not isinstance(value, str):
            raise _BadRowError(f"timestamp must be an ISO 8601 string, not {value!r}")
        try:
            at = _parse_timestamp(value)
        except ValueError:
            raise _BadRowError(
                f"timestamp is not an ISO 8601 date and time: {value!r} "
                "(write e.g. 2026-11-03T02:13:00+01:00)"
            ) from None
        if at.tzinfo is None:
            raise _BadRowError(
                f"timestamp has no UTC offset: {value!r} (write e.g. {value.strip()}+01:00 "
                f"or {value.strip()}Z)"
            )
        return at

    def _dims(self, names: Sequence[str], values: tuple[str, ...]) -> Dimensions:
        dims = self._dimensions.get(values)
        if dims is None:
            for name, value in zip(names, values, strict=True):
                if _SURROGATE.search(value):
                    raise _BadRowError(f"dimension {name!r} is not valid UTF-8")
            dims = Dimensions({n: v for n, v in zip(names, values, strict=True) if v != ""})
            if len(self._dimensions) < _DIMENSIONS_KEPT:
                self._dimensions[values] = dims
        return dims

    def _csv(self, text: IO[str]) -> Iterator[Event]:
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise UsageFileError(self.name, "is empty: expected a header row") from None
        except csv.Error as error:  # pragma: no cover - csv rarely fails on a first line
            raise UsageFileError(self.name, f"line 1: {error}") from None
        columns = [name.strip() for name in header]
        missing = [name for name in _REQUIRED if name not in columns]
        if missing:
            raise UsageFileError(
                self.name,
                f"line 1: the header lacks the column(s) {', '.join(missing)} "
                f"(it has: {', '.join(columns) or 'nothing'}); "
                "a usage CSV has the columns metric, quantity, timestamp and any dimensions",
            )
        seen: set[str] = set()
        for name in columns:
            if name in seen or not name:
                what = f"the column {name!r} twice" if name else "a column without a name"
                raise UsageFileError(self.name, f"line 1: the header has {what}")
            seen.add(name)
        i_metric, i_quantity, i_time = (columns.index(name) for name in _REQUIRED)
        dim_index = [i for i, name in enumerate(columns) if name not in _REQUIRED]
        dim_names = [columns[i] for i in dim_index]
        width = len(columns)
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                line = reader.line_num
                self._bad(start, f"not valid CSV: {error}")
                continue
            line = reader.line_num
            if not row:
                continue
            if len(row) != width:
                self._bad(start, f"expected {width} fields, got {len(row)}")
                continue
            try:
                event = Event(
                    self._metric(row[i_metric]),
                    self._quantity(row[i_quantity]),
                    self._timestamp(row[i_time]),
                    self._dims(dim_names, tuple(row[i] for i in dim_index)),
                )
            except _BadRowError as error:
                self._bad(start, str(error))
                continue
            yield event

    def _jsonl(self, text: IO[str]) -> Iterator[Event]:
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line, parse_float=Decimal, parse_constant=_no_constant)
            except ValueError as error:
                self._bad(number, f"not valid JSON: {error}")
                continue
            if not isinstance(record, dict):
                self._bad(number, f"must be a JSON object, not {type(record).__name__}")
                continue
            try:
                missing = [name for name in _REQUIRED if name not in record]
                if missing:
                    raise _BadRowError(f"lacks {', '.join(missing)}")
                names = sorted(key for key in record if key not in _REQUIRED)
                for name in names:
                    if not isinstance(record[name], str):
                        raise _BadRowError(
                            f"dimension {name!r} must be a string, not {record[name]!r}"
                        )
                event = Event(
                    self._metric(record["metric"]),
                    self._quantity(record["quantity"]),
                    self._timestamp(record["timestamp"]),
                    self._dims(names, tuple(record[name] for name in names)),
                )
            except _BadRowError as error:
                self._bad(number, str(error))
                continue
            yield event


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number meterprice accepts")


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

    @property
    def total(self) -> Usage:
        """The day-resolved usage of every event added so far (spanning ``[start, end)``)."""
        return self._total

    def add(self, events: Iterable[Event]) -> None:
        """Meter ``events`` (any number, in any order) into the days they fall on."""
        batch = events if isinstance(events, list) else list(events)
        if not batch:
            return
        self._check_kind(batch[0])
        start, end = self._bounds
        if self._naive_events:
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        inside = events_between(batch, start, end)
        self.ignored += len(batch) - len(inside)
        metered = meter_events(
            self._meters, inside, strict=self.strict, timezone=self.contract.timezone
        )
        self._total = self._total + metered

    def add_table(self, table: object, *, columns: ColumnMapping | None = None) -> None:
        """Meter the rows of a table (an Arrow batch, a data frame) into the days they
        fall on, with the columnar engine (the arrow extra).
        """
        from meterprice.columnar._engine import meter_arrow  # noqa: PLC0415 - optional extra
        from meterprice.columnar._tables import to_arrow  # noqa: PLC0415

        arrow = to_arrow(table)
        start, end = self._bounds
        entries = meter_arrow(self.contract, arrow, start, end, columns=columns, strict=self.strict)
        self._total = self._total + Usage._from_entries(dict(entries))._with_span(self.window)

    def _check_kind(self, event: Event) -> None:
        """Refuse a mix of naive and aware timestamps across adds, as metering does."""
        naive = event.at.tzinfo is None
        if self._naive_events is None:
            self._naive_events = naive
        elif self._naive_events != naive:
            raise UsageError(
                f"event {event.metric} at {event.at.isoformat()} is "
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
) -> tuple[Invoice, ...]:
    """Price ``periods`` from ``file`` in one streaming pass, in bounded memory.

    Raises the file's :class:`UsageFileError` when it has bad rows (unless it skips
    them) before anything is priced.
    """
    if not periods:
        raise InvalidValueError("price_file needs at least one period")
    (daily,) = meter_file([contract], file, periods, chunk_size=chunk_size)
    return tuple(contract.invoice(daily.total, period) for period in periods)


def meter_file(
    contracts: Sequence[Contract],
    file: UsageFile,
    periods: Sequence[Period],
    *,
    strict: bool = True,
    chunk_size: int = 50_000,
) -> list[DailyUsage]:
    """Meter ``file`` for every contract over the days ``periods`` need, in one pass.

    With the arrow extra the file is read in Arrow batches and metered column by
    column; a CSV file with rows that the bulk reader does not take exactly (bad
    rows among them), a JSON Lines file, or no extra: row by row, as always. Both
    give the same usage, and the same bad-row report.
    """

    def fresh() -> list[DailyUsage]:
        return [
            DailyUsage(contract, *span(contract, periods), strict=strict) for contract in contracts
        ]

    dailies = fresh()
    if _columnar_available() and file.format != "jsonl" and not _rows_needed(contracts, file):
        from meterprice.columnar._files import Fallback  # noqa: PLC0415 - optional extra

        try:
            for table in file.tables():
                for daily in dailies:
                    daily.add_table(table, columns=file.columns)
        except Fallback:
            dailies = fresh()
        else:
            return dailies
    for chunk in file.chunks(chunk_size):
        for daily in dailies:
            daily.add(chunk)
    return dailies


def _rows_needed(contracts: Sequence[Contract], file: UsageFile) -> bool:
    """Whether a CSV file must be read row by row: a mean or share meter, which the
    columnar engine does not compute yet.
    """
    rows_only = (Aggregation.MEAN, Aggregation.SHARE)
    return (
        file.format == "csv"
        and file.columns is None
        and any(m.aggregation in rows_only for c in contracts for m in c.all_meters)
    )


def _columnar_available() -> bool:
    try:
        import pyarrow  # noqa: F401, PLC0415 - only whether it is installed
    except ImportError:  # pragma: no cover - the tests run with the extra installed
        return False
    return True
