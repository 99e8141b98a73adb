"""The fast file path: CSV blocks, Parquet and Arrow batches metered by the columnar
engine, bad blocks and batches read by the row reader, in bounded memory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from meterprice import Contract, Period, PerUnit, _lines
from meterprice.columnar import ColumnMapping
from meterprice.usagefiles import UsageFile, UsageFileError, meter_file, price_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
from meterprice.columnar import _files  # noqa: E402 - needs pyarrow
from meterprice.columnar._files import pieces  # noqa: E402 - needs pyarrow

NOV = Period.month(2026, 11)
CONTRACT = Contract("c", "EUR", [PerUnit("Calls", metric="calls", rate="0.01 EUR")])


def rows_of(count: int, *, bad: dict[int, str] | None = None) -> str:
    """``count`` rows of ``i`` calls (line ``i + 2``), some replaced by bad lines."""
    bad = bad or {}
    lines = ["metric,quantity,timestamp,channel\n"]
    for i in range(count):
        lines.append(bad.get(i + 2, f"calls,{i},2026-11-{1 + i % 30:02d}T10:00:00Z,phone\n"))
    return "".join(lines)


def test_only_the_block_with_a_bad_row_is_read_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lines, "BLOCK", 4096)  # about 110 lines a block
    path = tmp_path / "u.csv"
    path.write_text(rows_of(2000, bad={1502: "calls,ten,2026-11-03T10:00:00Z,phone\n"}), "utf-8")
    file = UsageFile(path, skip_bad_rows=True)
    kinds = [type(piece).__name__ for piece in pieces(file)]
    # the blocks before and after the bad one are joined: 2,000 rows of about 40 bytes
    # are far less than the bytes metered at once
    assert kinds == ["Table", "list", "Table"]
    monkeypatch.setattr(_files, "COALESCE_BYTES", 0)  # every block alone
    file = UsageFile(path, skip_bad_rows=True)
    kinds = [type(piece).__name__ for piece in pieces(file)]
    assert kinds.count("list") == 1  # one block of events, every other block a table
    assert kinds.count("Table") == len(kinds) - 1 > 15
    assert [str(row) for row in file.bad_rows] == [
        "u.csv:1502: quantity is not a decimal number: 'ten'"
    ]
    assert file.events_read == 1999
    # 0 + 1 + ... + 1999 calls, less the 1500 of line 1502, at 0.01 EUR
    assert sum(range(2000)) - 1500 == 1_997_500
    for rows in (True, False):
        (invoice,) = price_file(CONTRACT, UsageFile(path, skip_bad_rows=True), [NOV], rows=rows)
        assert str(invoice.total) == "19975.00 EUR"


def test_batches_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lines, "BLOCK", 1 << 16)
    monkeypatch.setattr(_files, "COALESCE_BYTES", 0)
    path = tmp_path / "u.csv"
    path.write_text(rows_of(20_000), "utf-8")
    sizes = [piece.num_rows for piece in pieces(UsageFile(path))]
    assert sum(sizes) == 20_000
    # a row is at least 35 bytes: a block of 64 KiB holds fewer than 1,900 of them
    assert max(sizes) < (1 << 16) // 35 + 1


def test_blocks_are_joined_up_to_a_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lines, "BLOCK", 1 << 16)
    monkeypatch.setattr(_files, "COALESCE_BYTES", 1 << 18)
    path = tmp_path / "u.csv"
    path.write_text(rows_of(20_000), "utf-8")
    blocks = [table.nbytes for table in _files._pieces(UsageFile(path))]
    joined = list(pieces(UsageFile(path)))
    assert sum(table.num_rows for table in joined) == 20_000
    assert 1 < len(joined) < len(blocks)
    # each join stops at the first block that reaches 256 KiB: at most one block more
    assert max(table.nbytes for table in joined) < (1 << 18) + max(blocks)
    for rows in (True, False):
        (invoice,) = price_file(CONTRACT, UsageFile(path), [NOV], rows=rows)
        # 0 + 1 + ... + 19,999 calls at 0.01 EUR
        assert str(invoice.total) == "1999900.00 EUR"


def test_quoted_values_and_other_forms_are_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text(
        "metric,quantity,timestamp,channel\n"
        'calls,1,2026-11-03T10:00:00Z,"phone, fr"\n'
        "calls,1e2,2026-11-03 10:00:00+01:00,chat\n"
        "calls, 2.50 ,2026-11-03T10:00:00z,chat\n",
        "utf-8",
    )
    for rows in (True, False):
        file = UsageFile(path)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.quantity("calls") == 103 + 0.5
        assert file.bad_count == 0


def test_a_parquet_batch_with_missing_values_is_read_row_by_row(tmp_path: Path) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=dt.timezone.utc)
    table = pa.table(
        {
            "metric": ["calls", "calls", None, "calls"],
            "quantity": pa.array([1, None, 4, 8], pa.int64()),
            "timestamp": pa.array([at, at, at, None], pa.timestamp("us", "UTC")),
            "channel": ["a", None, "b", "c"],
        }
    )
    path = tmp_path / "u.parquet"
    pq.write_table(table, path)
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.quantity("calls") == 1
        assert [str(row) for row in file.bad_rows] == [
            "u.parquet:2: quantity must be a number or a decimal string, not None",
            "u.parquet:3: metric must be a string, not None",
            "u.parquet:4: timestamp must be a date and time, not None",
        ]
        with pytest.raises(UsageFileError, match="3 bad row"):
            meter_file([CONTRACT], UsageFile(path), [NOV], rows=rows)


def test_a_damaged_parquet_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "u.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(UsageFileError) as caught:
        meter_file([CONTRACT], UsageFile(path), [NOV])
    assert str(caught.value).startswith("u.parquet: is not a readable Parquet file: ")


def test_a_mapped_csv_with_bad_rows_reports_them(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "answered,ended,queue\n"
        "2026-11-03T09:00:00Z,2026-11-03T09:01:30Z,phone\n"
        "yesterday,2026-11-03T10:00:10Z,chat\n"
        "2026-11-03T10:00:00Z,2026-11-03T10:00:10Z,chat\n",
        "utf-8",
    )
    mapping = ColumnMapping(metric="calls", start_column="answered", end_column="ended")
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True, columns=mapping)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.quantity("calls") == 100  # 90 s + 10 s
        assert [str(row) for row in file.bad_rows] == [
            "calls.csv:3: timestamp is not an ISO 8601 date and time: 'yesterday'"
        ]
    with pytest.raises(UsageFileError) as caught:
        list(UsageFile(path, columns=ColumnMapping(metric="calls", quantity_column="seconds")))
    assert str(caught.value).startswith(
        "calls.csv: line 1: the header lacks the column(s) seconds, timestamp"
    )


# -- edges, each on both readers -----------------------------------------------------------

AT = "2026-11-03T10:00:00Z"
CSV_EDGES = [
    # (lines after the header, quantity billed, bad rows as "line: reason")
    (["calls,1," + AT + ",x"], 1, []),  # the last line without its line break
    (["", "  ", "calls,2," + AT + ",x"], 2, ["3: expected 4 fields, got 1"]),
    (["calls,1,\uff12026-11-03T10:00:00Z,x"], 0, ["2: timestamp is not an ISO 8601"]),
    (["calls,1,0001-01-01T00:00:00+01:00,x"], 0, ["2: timestamp is not an ISO 8601"]),
    (["calls,1,2026-02-30T10:00:00Z,x", "calls,4," + AT + ",x"], 4, ["2: timestamp is not"]),
    (["m" * 1025 + ",1," + AT + ",x"], 0, ["2: metric is longer than 1024 characters"]),
    (["calls,1," + AT + ",x" + "y" * 1200, "calls,8," + AT + ",x"], 8, ["2: the line is longer"]),
]


@pytest.mark.parametrize(("lines", "billed", "bad"), CSV_EDGES)
def test_csv_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], billed: int, bad: list[str]
) -> None:
    monkeypatch.setattr(_lines, "MAX_LINE", 1100)
    path = tmp_path / "u.csv"
    path.write_text("\ufeffmetric,quantity,timestamp,channel\n" + "\n".join(lines), "utf-8")
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.within(NOV).quantity("calls") == billed
        reasons = [f"{row.line}: {row.reason}" for row in file.bad_rows]
        assert len(reasons) == len(bad)
        assert all(reason.startswith(want) for reason, want in zip(reasons, bad, strict=True))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('metric,"quantity\n', "line 1: the header is not valid CSV: unexpected end of data"),
        ("metric,quantity,timestamp," + "c" * 1025 + "\n", "line 1: a column name is longer"),
        ("metric,quantity,timestamp," + "c" * 300 + "\n", "line 1: the header is longer than"),
    ],
)
def test_bad_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: str, message: str
) -> None:
    if "c" * 1025 not in header:
        monkeypatch.setattr(_lines, "MAX_LINE", 256)
    path = tmp_path / "u.csv"
    path.write_text(header, "utf-8")
    for rows in (True, False):
        with pytest.raises(UsageFileError) as caught:
            meter_file([CONTRACT], UsageFile(path), [NOV], rows=rows)
        assert str(caught.value).startswith(f"u.csv: {message}")


def test_small_blocks_and_long_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lines, "BLOCK", 16)  # lines longer than a read
    monkeypatch.setattr(_lines, "MAX_LINE", 64)
    path = tmp_path / "u.csv"
    path.write_text(
        "metric,quantity,timestamp\n"
        f"calls,1,{AT}\n"
        + "x" * 100  # longer than a line may be, ending exactly at a read
        + "\n"
        + f"calls,2,{AT}\n",
        "utf-8",
    )
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.quantity("calls") == 3
        assert [str(row) for row in file.bad_rows] == ["u.csv:3: the line is longer than 64 bytes"]


def test_jsonl_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lines, "MAX_LINE", 2000)
    at = f'"timestamp": "{AT}"'
    path = tmp_path / "u.jsonl"
    path.write_text(
        f'{{"metric": "calls", "quantity": 1, {at}, "": "x"}}\n'
        f'{{"metric": "calls", "quantity": 1, {at}, "{"n" * 1025}": "x"}}\n'
        f'{{"metric": "calls", "quantity": 1, {at}, "channel": 3.5}}\n'
        f'{{"metric": "calls", "quantity": {"1" * 101}, {at}}}\n'
        f'{{"metric": "calls", "quantity": 1.50, {at}, "x": "{"y" * 2000}"}}\n'
        f'{{"metric": "calls", "quantity": 2.50, {at}}}\n',
        "utf-8",
    )
    file = UsageFile(path, skip_bad_rows=True)
    (daily,) = meter_file([CONTRACT], file, [NOV])
    assert daily.total.quantity("calls") == 2.5
    assert [str(row) for row in file.bad_rows] == [
        "u.jsonl:1: has a dimension without a name",
        f"u.jsonl:2: dimension name '{'n' * 59}... (1027 characters) is too long or not "
        "valid UTF-8",
        "u.jsonl:3: dimension 'channel' must be a string, not 3.5",
        "u.jsonl:4: quantity has more than 100 digits: at most 100 are accepted",
        "u.jsonl:5: the line is longer than 2000 bytes",
    ]


def test_quantity_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from meterprice import usagefiles  # noqa: PLC0415

    monkeypatch.setattr(usagefiles, "_KEPT", 2)
    path = tmp_path / "u.csv"
    path.write_text(rows_of(10), "utf-8")
    file = UsageFile(path)
    assert sum(event.quantity for event in file) == 45
    assert len(file._quantities) <= 2


def test_table_rows_edges(tmp_path: Path) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=dt.timezone.utc)
    table = pa.table(
        {
            "metric": ["calls"] * 5,
            "quantity": pa.array([1, 2, 4, 8, None], pa.int64()),
            "timestamp": pa.array([at] * 5, pa.timestamp("us", "UTC")),
            "agent": [
                "a",
                "",
                "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
                "b" * 1025,
                "c",
            ],
        }
    )
    path = tmp_path / "u.arrows"
    with pa.ipc.new_stream(path, table.schema) as writer:  # the streaming format
        writer.write_table(table)
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.quantity("calls") == 1 + 2 + 4
        assert [str(row) for row in file.bad_rows] == [
            "u.arrows:4: dimension 'agent' is longer than 1024 characters",
            "u.arrows:5: quantity must be a number or a decimal string, not None",
        ]


def test_mapped_rows_edges(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "answered,ended,queue\n"
        "2026-11-03T09:00:00,2026-11-03T09:01:30Z,phone\n"
        "2026-11-03T09:00:00Z,2026-11-03T09:00:30Z\n"
        f"2026-11-03T09:00:00Z,2026-11-03T09:00:30Z,{'q' * 1025}\n"
        "2026-11-03T09:00:00Z,2026-11-03T09:00:10Z,\n",
        "utf-8",
    )
    mapping = ColumnMapping(metric="calls", start_column="answered", end_column="ended")
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True, columns=mapping)
        (daily,) = meter_file([CONTRACT], file, [NOV], rows=rows)
        assert daily.total.quantity("calls") == 10
        assert [str(row) for row in file.bad_rows] == [
            "calls.csv:2: start and end must both have a UTC offset or neither",
            "calls.csv:3: expected 3 fields, got 2",
            "calls.csv:4: dimension 'queue' is longer than 1024 characters",
        ]


def test_add_table_with_text_timestamps_and_no_rows() -> None:
    from meterprice.usagefiles import DailyUsage  # noqa: PLC0415

    daily = DailyUsage(CONTRACT, dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    empty = pa.table(
        {
            "metric": pa.array([], pa.string()),
            "quantity": pa.array([], pa.int64()),
            "timestamp": pa.array([], pa.string()),
        }
    )
    daily.add_table(empty)
    text = pa.table(
        {
            "metric": ["calls"] * 2,
            "quantity": [1, 2],
            "timestamp": [AT, "2026-12-03T10:00:00+01:00"],
        }
    )
    daily.add_table(text)
    assert daily.ignored == 1
    assert daily.total.quantity("calls") == 1
