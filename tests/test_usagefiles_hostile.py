"""Hostile usage files: each gives a clear error naming the file and line, or an exact
invoice, in bounded memory, the same from the row reader and the columnar path."""

from __future__ import annotations

import datetime as dt
import gzip
import tracemalloc
import zoneinfo
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meterprice import Contract, Dimensions, Event, Meter, Period, PerUnit, cli
from meterprice.columnar import meter_table
from meterprice.errors import MeterpriceError, UsageError
from meterprice.usagefiles import DailyUsage, UsageFile, UsageFileError, meter_file, price_file

pa = pytest.importorskip("pyarrow")

NOV = Period.month(2026, 11)
HEADER = "metric,quantity,timestamp,channel\n"


def contract(**options: object) -> Contract:
    return Contract("c", "EUR", [PerUnit("Calls", metric="calls", rate="1.00 EUR")], **options)  # type: ignore[arg-type]


READERS = pytest.mark.parametrize("rows", [True, False], ids=["row reader", "columnar"])


def priced(
    path: Path, rows: bool, *, skip: bool = True, of: Contract | None = None
) -> tuple[str, UsageFile]:
    file = UsageFile(path, skip_bad_rows=skip)
    (invoice,) = price_file(of or contract(), file, [NOV], rows=rows)
    return str(invoice.total), file


# -- wrong numbers and silent drops -------------------------------------------------------


def test_jsonl_dimensions_are_cached_by_name_and_value(tmp_path: Path) -> None:
    chosen = Contract(
        "c",
        "EUR",
        [
            PerUnit("Channel", metric="calls", rate="1.00 EUR", where={"channel": "x"}),
            PerUnit("Language", metric="calls", rate="100.00 EUR", where={"language": "x"}),
        ],
    )
    at = '"timestamp": "2026-11-03T10:00:00Z"'
    for order in ("channel", "language"), ("language", "channel"):
        path = tmp_path / f"{order[0]}.jsonl"
        path.write_text(
            "".join(
                f'{{"metric": "calls", "quantity": 1, {at}, "{name}": "x"}}\n' for name in order
            ),
            encoding="utf-8",
        )
        for rows in (True, False):
            # 1 x 1.00 + 1 x 100.00, in either order
            assert priced(path, rows, of=chosen)[0] == "101.00 EUR"


def test_a_stray_quote_spoils_only_its_own_row(tmp_path: Path) -> None:
    good = "".join(f"calls,1,2026-11-03T10:{i:02d}:00Z,phone\n" for i in range(50))
    path = tmp_path / "u.csv"
    path.write_text(HEADER + 'calls,1,2026-11-03T09:00:00Z,"phone\n' + good, encoding="utf-8")
    for rows in (True, False):
        total, file = priced(path, rows)
        assert total == "50.00 EUR"  # every row after the stray quote is billed
        assert file.bad_count == 1
        assert str(file.bad_rows[0]) == (
            "u.csv:2: not valid CSV: a quoted value is not closed on its line (a row is one line)"
        )
        with pytest.raises(UsageFileError, match=r"u\.csv:2: not valid CSV"):
            priced(path, rows, skip=False)


@READERS
def test_rows_outside_the_period_are_counted(tmp_path: Path, rows: bool) -> None:
    path = tmp_path / "u.csv"
    path.write_text(
        HEADER
        + "calls,1,2026-11-03T10:00:00Z,phone\n"
        + "calls,2,2026-10-03T10:00:00Z,phone\n"  # the period before: metered, not billed
        + "calls,4,2026-09-30T10:00:00Z,phone\n"  # before both: outside
        + "calls,8,2026-12-01T00:00:00Z,phone\n",  # after: outside
        encoding="utf-8",
    )
    file = UsageFile(path)
    (daily,) = meter_file([contract()], file, [NOV], rows=rows)
    assert daily.ignored == 2
    assert file.events_read == 4
    assert str(contract().invoice(daily.total, NOV).total) == "1.00 EUR"


def test_the_cli_reports_rows_outside_the_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terms = tmp_path / "c.toml"
    terms.write_text(
        'meterprice = 1\nname = "C"\ncurrency = "EUR"\n\n[[components]]\ntype = "per_unit"\n'
        'name = "Calls"\nmetric = "calls"\nrate = "1.00"\n',
        encoding="utf-8",
    )
    usage = tmp_path / "u.csv"
    usage.write_text(
        HEADER + "calls,1,2026-11-03T10:00:00Z,phone\ncalls,8,2026-12-01T00:00:00Z,phone\n",
        encoding="utf-8",
    )
    code = cli.main(
        [
            "quote",
            str(terms),
            str(usage),
            "--period",
            "2026-11",
            "--format",
            "json",
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert '"outside_period": 1' in captured.out


def test_jsonl_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text(
        '{"metric": "calls", "quantity": 1, "quantity": 100, "timestamp": "2026-11-03T10:00:00Z"}\n'
        '{"metric": "calls", "quantity": 2, "timestamp": "2026-11-03T10:00:00Z"}\n'
        # a quote and a colon inside a value look like one more key, but are not
        '{"metric": "calls", "quantity": 4, "timestamp": "2026-11-03T10:00:00Z", '
        '"note": "a\\" : b"}\n',
        encoding="utf-8",
    )
    for rows in (True, False):
        total, file = priced(path, rows)
        assert total == "6.00 EUR"
        assert [str(row) for row in file.bad_rows] == ["u.jsonl:1: has the key 'quantity' twice"]


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_only_ascii_decimals_and_bounded_exponents(tmp_path: Path, suffix: str) -> None:
    quantities = ["\u0665", "1e999999999", "1e-10000000", "1" * 101, "7"]
    path = tmp_path / f"u.{suffix}"
    if suffix == "csv":
        text = HEADER + "".join(f"calls,{q},2026-11-03T10:00:00Z,phone\n" for q in quantities)
    else:
        text = "".join(
            f'{{"metric": "calls", "quantity": "{q}", "timestamp": "2026-11-03T10:00:00Z"}}\n'
            for q in quantities
        )
    path.write_text(text, encoding="utf-8")
    first = 2 if suffix == "csv" else 1
    for rows in (True, False):
        tracemalloc.start()
        total, file = priced(path, rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert total == "7.00 EUR"
        reasons = [(row.line, row.reason.split(":")[0].split(" (")[0]) for row in file.bad_rows]
        assert reasons == [
            (first, "quantity is not a decimal number"),
            (first + 1, "quantity is out of range"),
            (first + 2, "quantity is out of range"),
            (first + 3, "quantity has 101 significant digits"),
        ]
        assert peak < 64 << 20  # no 1e999999999-digit integer was ever built


def test_json_numbers_with_huge_exponents_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text(
        '{"metric": "calls", "quantity": 1e999999999, "timestamp": "2026-11-03T10:00:00Z"}\n'
        f'{{"metric": "calls", "quantity": {"9" * 5000}, "timestamp": "2026-11-03T10:00:00Z"}}\n',
        encoding="utf-8",
    )
    _, file = priced(path, True)
    assert file.bad_rows[0].line == 1
    assert file.bad_rows[0].reason.startswith("quantity is out of range")
    assert file.bad_rows[1].line == 2
    assert file.bad_rows[1].reason.startswith("not valid JSON: Exceeds the limit (4300")


def test_many_utc_offsets_keep_no_cache_per_offset(tmp_path: Path) -> None:
    # 20,000 distinct offsets (seconds east of UTC): each read in bounded memory
    path = tmp_path / "u.csv"
    lines = []
    for i in range(20_000):
        hours, rest = divmod(i, 3600)
        lines.append(
            f"calls,1,2026-11-15T10:00:00+{hours:02d}:{rest // 60:02d}:{rest % 60:02d},phone\n"
        )
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    for rows in (True, False):
        tracemalloc.start()
        file = UsageFile(path)
        total, _ = priced(path, rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert total == "20000.00 EUR"
        assert len(file._zones) <= 1024
        assert peak < 96 << 20


def test_a_gzip_bomb_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    # 64 MiB of one line, compressed to about 64 KiB, between two good rows
    path = tmp_path / "u.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write((HEADER + "calls,1,2026-11-03T10:00:00Z,phone\n").encode())
        block = b"x" * (1 << 20)
        for _ in range(64):
            out.write(block)
        out.write(b"\ncalls,2,2026-11-03T11:00:00Z,phone\n")
    assert path.stat().st_size < 1 << 20
    for rows in (True, False):
        tracemalloc.start()
        total, file = priced(path, rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert total == "3.00 EUR"
        assert [str(row) for row in file.bad_rows] == [
            "u.csv.gz:3: the line is longer than 1048576 bytes"
        ]
        assert peak < 48 << 20  # a few blocks of 8 MiB, never the 64 MiB line


def test_long_dimension_values_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    long = "x" * 5000
    at = '"timestamp": "2026-11-03T10:00:00Z"'
    path.write_text(
        f'{{"metric": "calls", "quantity": 1, {at}, "agent": "{long}"}}\n'
        '{"metric": "calls", "quantity": 2, "timestamp": "2026-11-03T10:00:00Z", "agent": "a"}\n',
        encoding="utf-8",
    )
    total, file = priced(path, True)
    assert total == "2.00 EUR"
    assert str(file.bad_rows[0]) == "u.jsonl:1: dimension 'agent' is longer than 1024 characters"
    csv_path = tmp_path / "u.csv"
    csv_path.write_text(
        HEADER + f"calls,1,2026-11-03T10:00:00Z,{long}\ncalls,2,2026-11-03T10:00:00Z,a\n",
        encoding="utf-8",
    )
    for rows in (True, False):
        total, file = priced(csv_path, rows)
        assert total == "2.00 EUR"
        assert (
            str(file.bad_rows[0]) == "u.csv:2: dimension 'channel' is longer than 1024 characters"
        )


@pytest.mark.parametrize("damage", ["truncated", "crc"])
def test_damaged_gzip_is_an_error_naming_the_file(
    tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = gzip.compress((HEADER + "calls,1,2026-11-03T10:00:00Z,phone\n" * 1000).encode())
    path = tmp_path / "u.csv.gz"
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
        expected = "u.csv.gz: the gzip stream is truncated (it ends before its end marker)"
    else:  # the CRC-32 of the trailer, flipped
        path.write_bytes(data[:-8] + bytes(b ^ 0xFF for b in data[-8:-4]) + data[-4:])
        expected = "u.csv.gz: cannot be read: CRC check failed"
    for rows in (True, False):
        with pytest.raises(UsageFileError) as caught:
            priced(path, rows)
        assert str(caught.value).startswith(expected)
    terms = tmp_path / "c.toml"
    terms.write_text(
        'meterprice = 1\nname = "C"\ncurrency = "EUR"\n\n[[components]]\ntype = "per_unit"\n'
        'name = "Calls"\nmetric = "calls"\nrate = "1.00"\n',
        encoding="utf-8",
    )
    code = cli.main(["quote", str(terms), str(path), "--period", "2026-11", "--no-progress"])
    assert code == 1
    assert f"meterprice: error: {path}" in capsys.readouterr().err


def test_invalid_utf8_in_the_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(b"metric,quantity,timestamp,ch\xffannel\ncalls,1,2026-11-03T10:00:00Z,x\n")
    for rows in (True, False):
        with pytest.raises(UsageFileError) as caught:
            priced(path, rows)
        assert str(caught.value) == (
            "u.csv: line 1: the header is not valid UTF-8 (invalid start byte at byte 28)"
        )


# -- DailyUsage ---------------------------------------------------------------------------


def test_daily_usage_compares_instants_at_a_dst_fall_back() -> None:
    # St. John's turned its clocks back from 00:01 to 23:01 on 1 November 2009: the
    # minute before midnight came twice, the second time after November began
    zone = zoneinfo.ZoneInfo("America/St_Johns")
    terms = contract(timezone="America/St_Johns")
    late = dt.datetime(2009, 10, 31, 23, 30, tzinfo=zone, fold=1)  # 03:00 UTC on 1 Nov
    early = dt.datetime(2009, 10, 31, 23, 30, tzinfo=zone)  # 02:00 UTC, October
    assert late.astimezone(dt.timezone.utc) > dt.datetime(2009, 11, 1, tzinfo=zone)
    daily = DailyUsage(terms, dt.date(2009, 11, 1), dt.date(2009, 12, 1))
    daily.add([Event("calls", 1, late), Event("calls", 10, early)])
    assert daily.ignored == 1  # the October event, by its instant
    table = pa.table(
        {
            "metric": ["calls", "calls"],
            "quantity": [1, 10],
            "timestamp": pa.array(
                [late.astimezone(dt.timezone.utc), early.astimezone(dt.timezone.utc)],
                pa.timestamp("us", "UTC"),
            ),
        }
    )
    columnar = DailyUsage(terms, dt.date(2009, 11, 1), dt.date(2009, 12, 1))
    columnar.add_table(table)
    assert columnar.ignored == 1
    assert daily.total.quantity("calls") == columnar.total.quantity("calls") == 1


def test_events_in_the_contract_zone_are_filtered_by_instant() -> None:
    # the same fall-back: the second 23:30 on 31 October is 03:00 UTC on 1 November,
    # after November began; an invoice of events must agree with DailyUsage and the
    # engine (a comparison in the events' own zone would order by the wall clock)
    zone = zoneinfo.ZoneInfo("America/St_Johns")
    terms = contract(timezone="America/St_Johns")
    late = dt.datetime(2009, 10, 31, 23, 30, tzinfo=zone, fold=1)
    early = dt.datetime(2009, 10, 31, 23, 30, tzinfo=zone)
    events = [Event("calls", 1, late), Event("calls", 10, early)]
    november = terms.invoice(events, "2009-11")
    october = terms.invoice(events, "2009-10")
    assert str(november.total) == "1.00 EUR"
    assert str(october.total) == "10.00 EUR"
    # dated 1 November by every path: events, and a table through the columnar engine
    table = pa.table(
        {
            "metric": ["calls", "calls"],
            "quantity": [1, 10],
            "timestamp": pa.array(
                [at.astimezone(dt.timezone.utc) for at in (late, early)],
                pa.timestamp("us", "UTC"),
            ),
        }
    )
    for usage in (terms.meter(events, "2009-11"), meter_table(terms, table, "2009-11")):
        assert list(usage.daily_items()) == [
            (dt.date(2009, 11, 1), "calls", Dimensions(), Fraction(1))
        ]
    for usage in (terms.meter(events, "2009-10"), meter_table(terms, table, "2009-10")):
        assert list(usage.daily_items()) == [
            (dt.date(2009, 10, 31), "calls", Dimensions(), Fraction(10))
        ]


def test_latest_in_the_repeated_hour_is_the_later_instant() -> None:
    zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    terms = Contract(
        "c",
        "EUR",
        [PerUnit("Agents", metric="agents", rate="1.00 EUR")],
        meters=[Meter("agents", aggregation="latest")],
        timezone="Europe/Amsterdam",
    )
    first = dt.datetime(2026, 10, 25, 2, 45, tzinfo=zone)  # 00:45 UTC
    second = dt.datetime(2026, 10, 25, 2, 15, tzinfo=zone, fold=1)  # 01:15 UTC, later
    daily = DailyUsage(terms, dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    daily.add([Event("agents", 5, second)])
    daily.add([Event("agents", 9, first)])
    assert daily.total.quantity("agents") == 5


def test_add_table_refuses_a_mix_and_counts_what_it_ignores() -> None:
    terms = contract()
    daily = DailyUsage(terms, dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    aware = pa.table(
        {
            "metric": ["calls", "calls"],
            "quantity": [1, 2],
            "timestamp": pa.array(
                [dt.datetime(2026, 11, 3), dt.datetime(2026, 12, 3)], pa.timestamp("us", "UTC")
            ),
        }
    )
    daily.add_table(aware)
    assert daily.ignored == 1
    naive = aware.set_column(
        2, "timestamp", pa.array([dt.datetime(2026, 11, 4)] * 2, pa.timestamp("us"))
    )
    with pytest.raises(UsageError) as caught:
        daily.add_table(naive)
    assert str(caught.value) == (
        "the timestamps of the table are naive while earlier events are time-zone aware: "
        "do not mix naive and aware timestamps"
    )
    with pytest.raises(UsageError, match="is naive while earlier events are time-zone aware"):
        daily.add([Event("calls", 1, dt.datetime(2026, 11, 4))])
    assert daily.total.quantity("calls") == 1


# -- fuzzing ------------------------------------------------------------------------------

GOOD = "calls,{q},2026-11-{d:02d}T10:00:00Z,{c}\n"
NOISE = st.one_of(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from(
        [
            b'calls,1,2026-11-03T10:00:00Z,"ph',
            b'"',
            b'calls,"1",2026-11-03T10:00:00Z,a',
            b"calls,1e3,2026-11-03T10:00:00Z,a",
            b"calls,1,2026-11-03T10:00:00z,a",
            b"\xef\xbb\xbfcalls,1,2026-11-03T10:00:00Z,a",
            "calls,\u0665,2026-11-03T10:00:00Z,a".encode(),
            "calls,1,2026-11-03T10:00:00Z,\u00e9".encode("latin-1"),
            b"calls,1,2026-11-03T10:00:00Z,a\r",
            b"calls,1,2026-11-03T10:00:00Z\x00,a",
            b"",
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(
            st.tuples(st.integers(0, 99), st.integers(1, 30), st.sampled_from(["", "a", "b"])),
            NOISE,
        ),
        max_size=30,
    )
)
def test_every_line_is_billed_reported_or_refused(
    tmp_path_factory: pytest.TempPathFactory, lines: list[object]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    body = b""
    good = 0
    for line in lines:
        if isinstance(line, tuple):
            q, day, channel = line
            body += GOOD.format(q=q, d=day, c=channel).encode()
            good += q
        else:
            assert isinstance(line, bytes)
            body += line + b"\n"
    path = folder / "u.csv"
    path.write_bytes(HEADER.encode() + body)
    outcomes: list[tuple[object, ...]] = []
    for rows in (True, False):
        file = UsageFile(path, skip_bad_rows=True)
        try:
            (daily,) = meter_file([contract()], file, [NOV], rows=rows)
        except MeterpriceError as error:  # a clear error, never a traceback
            outcomes.append(("refused", type(error).__name__))
            continue
        billed = daily.total.within(NOV).quantity("calls") if daily.total.within(NOV) else 0
        # each line alone: the same events and reasons as in the whole file
        alone_events = alone_bad = 0
        for number, line in enumerate(body.split(b"\n")[:-1], 2):
            one = folder / "one.csv"
            one.write_bytes(HEADER.encode() + line + b"\n")
            single = UsageFile(one, skip_bad_rows=True)
            try:
                events = list(single)
            except MeterpriceError:
                continue
            alone_events += len(events)
            alone_bad += single.bad_count
            if single.bad_count:
                assert any(row.line == number for row in file.bad_rows) or file.bad_count > 20
        assert file.events_read == alone_events
        assert file.bad_count == alone_bad
        assert billed >= good  # every good row is billed (noise may be good rows too)
        outcomes.append(("read", billed, file.bad_count, [tuple(r) for r in file.bad_rows]))
    assert outcomes[0] == outcomes[1]  # both readers agree on everything
