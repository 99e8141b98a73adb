"""Usage files: CSV and JSON Lines events, bad rows, and streaming metering."""

from __future__ import annotations

import datetime as dt
import gzip
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Case, cases

from meterprice import (
    Contract,
    Dimensions,
    Event,
    Invoice,
    MeterpriceError,
    Money,
    Period,
    PerUnit,
    Usage,
    UsageError,
    _lines,
    usagefiles,
)
from meterprice.spec import load_contract
from meterprice.usagefiles import (
    MAX_REPORTED,
    BadRow,
    DailyUsage,
    UsageFile,
    UsageFileError,
    price_file,
    span,
)

#: A pay-per-use contract (go-live on 16 November, a minimum volume, project
#: management) and its usage, shared with the command-line tests.
PPU_TOML = """\
# Pay-per-use customer support: billed per handled minute, only when agents work for
# the client, with a one-off implementation fee, hourly fees for escalations and
# quality assurance, a minimum volume and project management as a percentage.
meterprice = 1
name = "Pay-per-use support"
currency = "EUR"
rounding = "half_up"
timezone = "Europe/Amsterdam"
cycle = { unit = "month" }

[demo]
period = "2026-11"

# Handle time is billed in 6-second increments and priced in minutes.
[[meters]]
name = "handle_minutes"
source = "handle_seconds"
from_unit = "second"
unit = "minute"
increment = "6"
group_by = ["channel", "language"]

[[meters]]
name = "task_hours"
group_by = ["task"]

[[components]]
type = "setup_fee"
name = "Implementation"
amount = "4500.00"
on = 2026-11-02

# Pay-per-use starts at go-live on 16 November.
[[components]]
type = "per_unit"
name = "Phone"
description = "Phone support (EFIGS)"
metric = "handle_minutes"
where = { channel = "phone", language = ["en", "fr", "it", "de", "es"] }
rate = "0.95"
unit = "min"
tags = ["usage"]
active = { start = 2026-11-16 }

[[components]]
type = "per_unit"
name = "Chat"
description = "Chat support (EFIGS)"
metric = "handle_minutes"
where = { channel = "chat", language = ["en", "fr", "it", "de", "es"] }
rate = "0.80"
unit = "min"
tags = ["usage"]
active = { start = 2026-11-16 }

[[components]]
type = "per_unit"
name = "Escalations"
metric = "task_hours"
where = { task = "escalation" }
rate = "42.00"
unit = "hour"
tags = ["usage"]

[[components]]
type = "per_unit"
name = "Quality assurance"
metric = "task_hours"
where = { task = "qa" }
rate = "38.00"
unit = "hour"
tags = ["usage"]

# At least 2000 minutes a month (prorated in a partial month); the shortfall is billed.
[[components]]
type = "minimum_volume"
name = "Minimum volume"
metric = "handle_minutes"
quantity = "2000"
rate = "0.80"
unit = "min"
tags = ["usage"]
active = { start = 2026-11-16 }

[[components]]
type = "percentage"
name = "Project management"
percent = "6"
of = ["usage"]
"""

PPU_USAGE = """\
metric,quantity,timestamp,channel,language,task
handle_seconds,185,2026-11-10T09:00:00+01:00,phone,de,
handle_seconds,185,2026-11-16T09:00:00+01:00,phone,de,
handle_seconds,31,2026-11-16T09:05:00+01:00,phone,de,
handle_seconds,600,2026-11-17T10:00:00+01:00,phone,fr,
handle_seconds,1200,2026-11-18T11:00:00+01:00,chat,en,
handle_seconds,95,2026-11-20T23:59:59+01:00,chat,en,
task_hours,2.5,2026-11-19T14:00:00+01:00,,,escalation
task_hours,1.5,2026-11-25T14:00:00+01:00,,,qa
handle_seconds,300,2026-12-01T00:00:00+01:00,phone,de,
"""
UTC = dt.timezone.utc
CET = dt.timezone(dt.timedelta(hours=1))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, **options: object) -> tuple[list[Event], UsageFile]:
    file = UsageFile(path, **options)  # type: ignore[arg-type]
    return list(file), file


# -- reading ---------------------------------------------------------------------------------


def test_csv_rows_become_events(tmp_path: Path) -> None:
    path = write(
        tmp_path / "usage.csv",
        "metric, quantity ,timestamp,channel,language\n"
        "handle_seconds,185,2026-11-03T02:13:00+01:00,phone,de\n"
        "\n"
        "handle_seconds, 31.5 ,2026-11-03T01:14:00Z,chat,\n",
    )
    events, file = read(path)
    assert events == [
        Event(
            "handle_seconds",
            185,
            dt.datetime(2026, 11, 3, 2, 13, tzinfo=CET),
            {"channel": "phone", "language": "de"},
        ),
        Event(
            "handle_seconds",
            Decimal("31.5"),
            dt.datetime(2026, 11, 3, 1, 14, tzinfo=UTC),
            {"channel": "chat"},
        ),
    ]
    assert file.events_read == 2
    assert file.bad_count == 0
    assert file.format == "csv"


def test_jsonl_records_become_events(tmp_path: Path) -> None:
    path = write(
        tmp_path / "usage.jsonl",
        '{"metric": "sales", "quantity": 240.10, "timestamp": "2026-11-03T10:00:00+08:00", '
        '"category": "custom"}\n'
        "\n"
        '{"metric": "orders", "quantity": 2, "timestamp": "2026-11-03T10:00:00Z", "shop": ""}\n'
        '{"metric": "orders", "quantity": "1.5", "timestamp": "2026-11-03T11:00:00Z"}\n',
    )
    events, file = read(path)
    eight = dt.timezone(dt.timedelta(hours=8))
    assert events == [
        # 240.10 is read from its text, exactly, never through a float
        Event(
            "sales",
            Decimal("240.10"),
            dt.datetime(2026, 11, 3, 10, tzinfo=eight),
            {"category": "custom"},
        ),
        Event("orders", 2, dt.datetime(2026, 11, 3, 10, tzinfo=UTC)),
        Event("orders", Decimal("1.5"), dt.datetime(2026, 11, 3, 11, tzinfo=UTC)),
    ]
    assert str(events[0].quantity) == "240.10"
    assert file.format == "jsonl"


def test_gzip_and_explicit_formats(tmp_path: Path) -> None:
    text = "metric,quantity,timestamp\ncalls,1,2026-11-03T10:00:00Z\n"
    packed = tmp_path / "usage.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    events, _ = read(packed)
    assert events == [Event("calls", 1, dt.datetime(2026, 11, 3, 10, tzinfo=UTC))]
    other = write(tmp_path / "usage.txt", text)
    assert read(other, format="csv")[0] == events
    ndjson = write(
        tmp_path / "usage.ndjson",
        '{"metric": "calls", "quantity": 1, "timestamp": "2026-11-03T10:00:00Z"}\n',
    )
    assert read(ndjson)[0] == events
    with pytest.raises(UsageFileError) as caught:
        UsageFile(other)
    assert str(caught.value) == (
        f"{other}: cannot tell the format: name the file *.csv, *.jsonl, *.parquet or *.arrow "
        "(or give the format)"
    )
    with pytest.raises(
        ValueError, match="format must be one of csv, jsonl, parquet, arrow \\(got 'xml'\\)"
    ):
        UsageFile(other, format="xml")


def test_csv_bad_rows_are_reported_with_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_bytes(
        b"metric,quantity,timestamp,channel\n"
        b"calls,1,2026-11-03T10:00:00Z,phone\n"  # line 2: good
        b"calls,1,2026-11-03T10:00:00Z\n"  # 3
        b",1,2026-11-03T10:00:00Z,phone\n"  # 4
        b"calls,abc,2026-11-03T10:00:00Z,phone\n"  # 5
        b"calls,NaN,2026-11-03T10:00:00Z,phone\n"  # 6
        b"calls,1,3 Nov 2026,phone\n"  # 7
        b"calls,1,2026-11-03T10:00:00,phone\n"  # 8
        b"calls,1,2026-11-03T10:00:00Z,ph\xffne\n"  # 9
        b"ca\xffls,1,2026-11-03T10:00:00Z,phone\n"  # 10
        b'calls,1,2026-11-03T10:00:00Z,"ph"one\n'  # 11
        b"calls,2,2026-11-03T11:00:00Z,chat\n"  # 12: good
    )
    events, file = read(path, skip_bad_rows=True)
    assert [event.quantity for event in events] == [1, 2]
    assert [str(row) for row in file.bad_rows] == [
        "usage.csv:3: expected 4 fields, got 3",
        "usage.csv:4: metric is empty",
        "usage.csv:5: quantity is not a decimal number: 'abc'",
        "usage.csv:6: quantity must be a finite number, not 'NaN'",
        "usage.csv:7: timestamp is not an ISO 8601 date and time: '3 Nov 2026' "
        "(write e.g. 2026-11-03T02:13:00+01:00)",
        "usage.csv:8: timestamp has no UTC offset: '2026-11-03T10:00:00' "
        "(write e.g. 2026-11-03T10:00:00+01:00 or 2026-11-03T10:00:00Z)",
        "usage.csv:9: dimension 'channel' is not valid UTF-8",
        "usage.csv:10: metric is not valid UTF-8",
        "usage.csv:11: not valid CSV: ',' expected after '\"'",
    ]
    assert file.bad_count == 9
    assert file.bad_rows[0] == BadRow("usage.csv", 3, "expected 4 fields, got 3")


def test_jsonl_bad_rows(tmp_path: Path) -> None:
    good = '"timestamp": "2026-11-03T10:00:00Z"'
    path = write(
        tmp_path / "usage.jsonl",
        "{not json}\n"
        "[1, 2]\n"
        '{"metric": "calls", "quantity": 1}\n'
        f'{{"metric": "calls", "quantity": 1, {good}, "channel": 3}}\n'
        f'{{"metric": "calls", "quantity": true, {good}}}\n'
        f'{{"metric": "calls", "quantity": NaN, {good}}}\n'
        f'{{"metric": 7, "quantity": 1, {good}}}\n'
        '{"metric": "calls", "quantity": 1, "timestamp": 1700000000}\n',
    )
    events, file = read(path, skip_bad_rows=True)
    assert events == []
    assert [str(row) for row in file.bad_rows] == [
        "usage.jsonl:1: not valid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
        "usage.jsonl:2: must be a JSON object, not list",
        "usage.jsonl:3: lacks timestamp",
        "usage.jsonl:4: dimension 'channel' must be a string, not 3",
        "usage.jsonl:5: quantity must be a number or a decimal string, not True",
        "usage.jsonl:6: not valid JSON: NaN is not a number meterprice accepts",
        "usage.jsonl:7: metric must be a string, not 7",
        "usage.jsonl:8: timestamp must be an ISO 8601 string, not 1700000000",
    ]


def test_bad_rows_refuse_the_file_unless_skipped(tmp_path: Path) -> None:
    rows = "".join(f"calls,x{i},2026-11-03T10:00:00Z\n" for i in range(MAX_REPORTED + 5))
    path = write(tmp_path / "usage.csv", "metric,quantity,timestamp\n" + rows)
    file = UsageFile(path)
    with pytest.raises(UsageFileError) as caught:
        list(file)
    error = caught.value
    assert error.bad_count == MAX_REPORTED + 5
    assert len(error.bad_rows) == MAX_REPORTED
    lines = str(error).splitlines()
    assert lines[0] == "usage.csv: 25 bad row(s); fix them, or skip them knowingly"
    assert lines[1] == "  usage.csv:2: quantity is not a decimal number: 'x0'"
    assert lines[-1] == "  ... and 5 more"
    assert isinstance(error, MeterpriceError)
    assert isinstance(error, ValueError)


def test_header_problems(tmp_path: Path) -> None:
    def error(text: str) -> str:
        with pytest.raises(UsageFileError) as caught:
            list(UsageFile(write(tmp_path / "u.csv", text)))
        return str(caught.value)

    assert error("") == "u.csv: is empty: expected a header row"
    assert error("metric,qty,when\n") == (
        "u.csv: line 1: the header lacks the column(s) quantity, timestamp (it has: metric, "
        "qty, when); a usage CSV has the columns metric, quantity, timestamp and any dimensions"
    )
    assert error("metric,quantity,timestamp,channel,channel\n") == (
        "u.csv: line 1: the header has the column 'channel' twice"
    )
    assert (
        error("metric,quantity,timestamp,\n")
        == "u.csv: line 1: the header has a column without a name"
    )


def test_progress_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lines, "BLOCK", 64)  # bytes read at a time
    rows = "".join(f"calls,1,2026-11-03T10:0{i}:00Z\n" for i in range(5))
    path = write(tmp_path / "usage.csv", "metric,quantity,timestamp\n" + rows)
    seen: list[tuple[int, int]] = []
    list(UsageFile(path, progress=lambda done, size: seen.append((done, size))))
    size = path.stat().st_size
    assert size == 26 + 5 * 29  # 171 bytes: three reads of 64 bytes, one empty read, the end
    assert [done for done, _ in seen] == [64, 128, 171, 171, 171]
    assert all(total == size for _, total in seen)


def test_chunks(tmp_path: Path) -> None:
    rows = "".join(f"calls,{i},2026-11-03T10:00:00Z\n" for i in range(5))
    path = write(tmp_path / "usage.csv", "metric,quantity,timestamp\n" + rows)
    sizes = [len(chunk) for chunk in UsageFile(path).chunks(2)]
    assert sizes == [2, 2, 1]


# -- streaming metering ------------------------------------------------------------------------


def test_daily_usage_prices_like_the_events() -> None:
    contract = Contract(
        "PPU",
        "EUR",
        [
            PerUnit("Before", metric="minutes", rate="1.00 EUR", active={"end": "2026-11-16"}),
            PerUnit("After", metric="minutes", rate="0.50 EUR", active={"start": "2026-11-16"}),
        ],
        timezone="Europe/Amsterdam",
    )
    events = [
        # 15 Nov 23:30 in Amsterdam: before go-live
        Event("minutes", 10, dt.datetime(2026, 11, 15, 22, 30, tzinfo=UTC)),
        # 16 Nov 00:30 in Amsterdam: after
        Event("minutes", 20, dt.datetime(2026, 11, 15, 23, 30, tzinfo=UTC)),
        # 1 Dec 00:00 in Amsterdam: next period
        Event("minutes", 40, dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),
    ]
    daily = DailyUsage(contract, dt.date(2026, 10, 1), dt.date(2026, 12, 1))
    daily.add(events[1:])
    daily.add(events[:1])
    invoice = contract.invoice(daily.usage, "2026-11")
    # 10 min x 1.00 + 20 min x 0.50 = 20.00 EUR
    assert [str(line.amount) for line in invoice.lines] == ["10.00 EUR", "10.00 EUR"]
    assert invoice == contract.invoice(events, "2026-11")
    assert daily.ignored == 1
    assert daily.usage(Period.month(2026, 10)) == Usage()


def test_daily_usage_refusals() -> None:
    contract = Contract("PPU", "EUR", [PerUnit("M", metric="minutes", rate="1 EUR")])
    with pytest.raises(ValueError, match="end must be after start"):
        DailyUsage(contract, dt.date(2026, 11, 2), dt.date(2026, 11, 1))
    daily = DailyUsage(contract, dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    with pytest.raises(UsageError, match="the usage of 2026-12 is unknown: this usage was metered"):
        daily.usage(Period.month(2026, 12))
    naive = Event("minutes", 1, dt.datetime(2026, 11, 3))
    aware = Event("minutes", 1, dt.datetime(2026, 11, 4, tzinfo=UTC))
    daily.add([naive])
    # even on another day and in another batch, as metering the events at once would
    with pytest.raises(UsageError) as caught:
        daily.add([aware])
    assert str(caught.value) == (
        "event minutes at 2026-11-04T00:00:00+00:00 is time-zone aware while earlier events "
        "are naive: do not mix naive and aware timestamps"
    )
    assert daily.usage(Period.month(2026, 11)).quantity("minutes") == 1
    other = DailyUsage(contract, dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    with pytest.raises(UsageError, match="is naive but the billing period is time-zone aware"):
        other.add([aware, naive])


def outcome(contract: Contract, usage: object, period: Period) -> Invoice | None:
    try:
        return contract.invoice(usage, period)  # type: ignore[arg-type]
    except MeterpriceError:
        return None


@settings(max_examples=60)
@given(cases(max_events=30), st.randoms(use_true_random=False))
def test_streaming_in_any_chunks_prices_like_the_events(case: Case, rng: random.Random) -> None:
    contract, period, events = case.contract, case.period, case.events
    expected = outcome(contract, events, period)
    daily = DailyUsage(contract, *span(contract, [period]))
    shuffled = list(events)
    rng.shuffle(shuffled)
    try:
        while shuffled:
            size = rng.randint(1, 7)
            daily.add(shuffled[:size])
            shuffled = shuffled[size:]
    except MeterpriceError:
        assert expected is None
        return
    assert outcome(contract, daily.usage, period) == expected
    assert outcome(contract, daily.total, period) == expected


def test_price_file_on_the_example(tmp_path: Path) -> None:
    contract = load_contract(write(tmp_path / "ppu.toml", PPU_TOML))
    file = UsageFile(write(tmp_path / "ppu.usage.csv", PPU_USAGE))
    (invoice,) = price_file(contract, file, [Period.month(2026, 11)])
    # 4500.00 setup + 13.7 min x 0.95 (13.015 -> 13.02) + 21.6 min x 0.80 (17.28)
    # + 2.5 h x 42.00 (105.00) + 1.5 h x 38.00 (57.00)
    # + minimum 2000 x 15/30 = 1000 min less 35.3 used = 964.7 x 0.80 (771.76)
    # + 6 % of (13.02 + 17.28 + 105.00 + 57.00 + 771.76 = 964.06) = 57.8436 -> 57.84
    assert invoice.total == Money("5521.90", "EUR")
    assert file.events_read == 9
    with pytest.raises(ValueError, match="price_file needs at least one period"):
        price_file(contract, file, [])


def test_price_file_refuses_bad_rows_before_pricing(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", "metric,quantity,timestamp\nminutes,x,2026-11-03T10:00:00Z\n")
    contract = Contract("PPU", "EUR", [PerUnit("M", metric="minutes", rate="1 EUR")])
    with pytest.raises(UsageFileError, match="1 bad row"):
        price_file(contract, UsageFile(path), [Period.month(2026, 11)])
    (invoice,) = price_file(contract, UsageFile(path, skip_bad_rows=True), [Period.month(2026, 11)])
    assert invoice.lines == ()


def test_dimensions_are_shared(tmp_path: Path) -> None:
    rows = "calls,1,2026-11-03T10:00:00Z,phone\n" * 3
    path = write(tmp_path / "usage.csv", "metric,quantity,timestamp,channel\n" + rows)
    events, _ = read(path)
    assert events[0].dimensions is events[2].dimensions
    assert events[0].dimensions == Dimensions({"channel": "phone"})


def test_dimensions_beyond_the_cache_are_built_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(usagefiles, "_DIMENSIONS_KEPT", 0)
    rows = "calls,1,2026-11-03T10:00:00Z,phone\n" * 2
    path = write(tmp_path / "usage.csv", "metric,quantity,timestamp,channel\n" + rows)
    events, _ = read(path)
    assert events[0].dimensions is not events[1].dimensions
    assert events[0].dimensions == events[1].dimensions
