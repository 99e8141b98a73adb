"""Event ids: an event delivered twice is counted once, and the invoice reports it.

A hand-computed month first, then each input path (events, tables, usage files,
chunks of a stream, Dask partitions), the refusals (a conflicting repeat, ids that
are not ids), and properties over random events with repeated ids: every path gives
the same invoice and the same duplicate count, and repeating events changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meterprice import (
    Contract,
    Event,
    Invoice,
    Meter,
    Period,
    PerUnit,
    UsageFile,
    cli,
    price_file,
)
from meterprice.columnar import ColumnMapping, meter_table
from meterprice.columnar._ids import _instant, _quantity
from meterprice.documents import invoice_schema
from meterprice.errors import MeterpriceError, UsageError
from meterprice.ids import MAX_IDS, DuplicateIdError, Duplicates, SeenIds, dedupe, to_id
from meterprice.scaleout import invoice_dask, merge_usages, meter_partition
from meterprice.usagefiles import DailyUsage

pa = pytest.importorskip("pyarrow")

UTC = dt.timezone.utc
NOV = "2026-11"


def contract() -> Contract:
    """Phone minutes at 1.00 EUR, chat minutes at 0.50 EUR, from seconds (6 s steps)."""
    return Contract(
        "Ids",
        "EUR",
        [
            PerUnit("phone", metric="minutes", rate="1.00 EUR", where={"channel": "phone"}),
            PerUnit("chat", metric="minutes", rate="0.50 EUR", where={"channel": "chat"}),
        ],
        meters=[
            Meter(
                "minutes",
                source="seconds",
                from_unit="second",
                unit="minute",
                increment=6,
                group_by=["channel"],
            )
        ],
        timezone="Europe/Berlin",
    )


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


def call(seconds: int, channel: str, day: int, event_id: str | None) -> Event:
    return Event("seconds", seconds, at(day), {"channel": channel}, id=event_id)


def month() -> list[Event]:
    """c1 delivered twice, c2 three times, two calls without an id (both count)."""
    return [
        call(60, "phone", 2, "c1"),
        call(120, "chat", 3, "c2"),
        call(60, "phone", 2, "c1"),
        call(30, "phone", 4, "c3"),
        call(90, "phone", 5, None),
        call(120, "chat", 3, "c2"),
        call(90, "phone", 5, None),
        call(120, "chat", 3, "c2"),
    ]


# -- by hand --------------------------------------------------------------------------------
def test_a_month_with_repeated_deliveries_by_hand() -> None:
    invoice = contract().invoice(month(), NOV)
    # phone: 60 + 30 + 90 + 90 = 270 s = 4.5 min at 1.00; chat: 120 s = 2 min at 0.50
    assert [(line.component, str(line.amount)) for line in invoice.lines] == [
        ("phone", "4.50 EUR"),
        ("chat", "1.00 EUR"),
    ]
    assert str(invoice.total) == "5.50 EUR"
    assert invoice.duplicates == Duplicates(3, ("c1", "c2"))  # c1 once more, c2 twice more
    # without ids the repeats are billed: 330 s phone (5.50) and 360 s chat (3.00)
    plain = [attrs_without_id(event) for event in month()]
    assert str(contract().invoice(plain, NOV).total) == "8.50 EUR"
    assert not contract().invoice(plain, NOV).duplicates


def test_the_invoice_document_carries_the_report_and_reads_it_back() -> None:
    invoice = contract().invoice(month(), NOV)
    document = invoice.to_dict()
    assert document["duplicates"] == {"count": 3, "ids": ["c1", "c2"]}
    jsonschema.validate(document, invoice_schema())
    assert Invoice.from_dict(json.loads(json.dumps(document))) == invoice
    document["duplicates"] = {"count": 1, "ids": ["c1", "c2"]}  # more ids than repeats
    with pytest.raises(MeterpriceError, match="duplicates"):
        Invoice.from_dict(document)


def test_event_many_takes_a_column_of_ids() -> None:
    events = month()
    batch = Event.many(
        "seconds",
        [event.quantity for event in events],
        [event.at for event in events],
        {"channel": [event.dimensions["channel"] for event in events]},
        ids=[event.id for event in events],
    )
    assert list(batch) == events  # the events keep their ids
    invoice = contract().invoice(batch, NOV)
    assert str(invoice.total) == "5.50 EUR"  # as the events: 4.50 phone + 1.00 chat
    assert invoice.duplicates == Duplicates(3, ("c1", "c2"))
    with pytest.raises(MeterpriceError, match="2 ids for 1 quantities"):
        Event.many("seconds", [1], [at(2)], ids=["a", "b"])
    with pytest.raises(MeterpriceError, match="must not be empty"):
        Event.many("seconds", [1], [at(2)], ids=[" "])


def attrs_without_id(event: Event) -> Event:
    return Event(event.metric, event.quantity, event.at, event.dimensions)


def test_the_first_occurrence_is_kept_and_repeats_outside_the_period_count_too() -> None:
    events = [call(60, "phone", 2, "c1"), Event("seconds", 60, at(2), {"channel": "phone"})]
    kept, report = dedupe([*events, events[0]])
    assert list(kept) == events
    assert report == Duplicates(1, ("c1",))
    december = Event("seconds", 60, dt.datetime(2026, 12, 2, tzinfo=UTC), id="d1")
    invoice = contract().invoice([*events, december, december], NOV)
    assert str(invoice.total) == "2.00 EUR"
    assert invoice.duplicates.count == 1  # the input had one repeat, outside November


def test_a_conflicting_repeat_is_an_error_naming_the_id() -> None:
    events = [*month(), call(61, "phone", 2, "c1")]
    with pytest.raises(DuplicateIdError, match="event id 'c1' is used by two different events"):
        contract().invoice(events, NOV)
    with pytest.raises(UsageError) as caught:
        contract().invoice([*month(), call(60, "chat", 2, "c1")], NOV)
    assert isinstance(caught.value, MeterpriceError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.id == "c1"  # type: ignore[attr-defined]


def test_ids_are_text_or_integers() -> None:
    assert Event("seconds", 1, at(2), id=42).id == "42"
    assert to_id(None) is None
    assert to_id("a-1") == "a-1"
    for bad in (True, 4.0, b"x"):
        with pytest.raises(TypeError, match="event id must be a string or an integer"):
            Event("seconds", 1, at(2), id=bad)
    with pytest.raises(ValueError, match="must not be empty"):
        Event("seconds", 1, at(2), id=" ")


def test_a_duplicates_report_adds_lists_the_first_ids_and_checks_itself() -> None:
    report = Duplicates(2, ("a", "b")) + Duplicates(1, ("b",)) + Duplicates()
    assert report == Duplicates(3, ("a", "b"))
    assert Duplicates() + report == report
    many = Duplicates(MAX_IDS, tuple(str(i) for i in range(MAX_IDS))) + Duplicates(5, ("x",))
    assert many.count == MAX_IDS + 5
    assert len(many.ids) == MAX_IDS
    assert str(many).endswith(", 9, ...")
    assert str(Duplicates()) == "no duplicate events"
    assert Duplicates().__add__(3) is NotImplemented
    with pytest.raises(ValueError, match="2 ids for 1 duplicate"):
        Duplicates(1, ("a", "b"))
    with pytest.raises(ValueError, match="whole number"):
        Duplicates(-1)


def test_the_usage_carries_the_report_through_merges_cuts_and_pickles() -> None:
    usage = contract().meter(month(), NOV)
    assert usage.duplicates == Duplicates(3, ("c1", "c2"))
    assert pickle.loads(pickle.dumps(usage)).duplicates == usage.duplicates
    later = contract().meter([call(30, "phone", 20, "c9"), call(30, "phone", 20, "c9")], NOV)
    merged = usage + later
    assert merged.duplicates == Duplicates(4, ("c1", "c2", "c9"))
    cut = merged.within(_days(2, 3))
    assert cut.duplicates == merged.duplicates
    assert contract().invoice(merged, NOV).duplicates.count == 4


def _days(first: int, end: int) -> Period:
    return Period(dt.date(2026, 11, first), dt.date(2026, 11, end))


# -- tables and files -------------------------------------------------------------------------
def rows(events: Sequence[Event]) -> dict[str, list[Any]]:
    return {
        "metric": [event.metric for event in events],
        "quantity": [str(event.quantity) for event in events],
        "timestamp": [event.at.isoformat() for event in events],
        "channel": [event.dimensions["channel"] for event in events],
        "id": [event.id for event in events],
    }


def test_a_table_drops_repeated_ids_keeping_the_first() -> None:
    table = pa.table(rows(month()))
    invoice = contract().invoice(table, NOV)
    assert str(invoice.total) == "5.50 EUR"
    assert invoice.duplicates == Duplicates(3, ("c1", "c2"))
    assert meter_table(contract(), table, NOV).duplicates.count == 3


def test_a_table_with_integer_ids_a_renamed_column_and_a_conflict() -> None:
    data = rows(month())
    numbers = {"c1": 1, "c2": 2, "c3": 3, None: None}
    data["call_id"] = [numbers[value] for value in data.pop("id")]
    mapping = ColumnMapping.parse(["id=call_id"])
    assert mapping.roles() == {"id": "call_id"}
    invoice = contract().invoice(
        lambda w: meter_table(contract(), pa.table(data), w, columns=mapping), NOV
    )
    assert invoice.duplicates == Duplicates(3, ("1", "2"))
    data["quantity"][2] = "61"  # the second delivery of call 1 now says 61 s
    with pytest.raises(DuplicateIdError, match="event id '1'"):
        meter_table(contract(), pa.table(data), NOV, columns=mapping)


def test_a_table_compares_values_not_their_text() -> None:
    data = rows(month())
    data["quantity"][2] = "60.0"
    data["timestamp"][2] = "2026-11-02T11:00:00+01:00"  # the same instant as 10:00Z
    assert meter_table(contract(), pa.table(data), NOV).duplicates.count == 3


def test_an_id_column_of_another_type_is_refused() -> None:
    data: dict[str, Any] = rows(month())
    data["id"] = [1.5] * len(month())
    with pytest.raises(UsageError, match="column 'id' \\(event id\\) must hold text or integers"):
        meter_table(contract(), pa.table(data), NOV)
    data["id"] = pa.nulls(len(month()))
    assert meter_table(contract(), pa.table(data), NOV).duplicates.count == 0
    del data["id"]  # without ids every delivery counts: 330 s phone, 360 s chat
    assert str(contract().invoice(pa.table(data), NOV).total) == "8.50 EUR"


def write_csv(path: Path, events: Sequence[Event]) -> Path:
    data = rows(events)
    lines = ["metric,quantity,timestamp,channel,id"]
    lines += [
        ",".join(value or "" for value in row)
        for row in zip(
            *(data[name] for name in ("metric", "quantity", "timestamp", "channel", "id")),
            strict=True,
        )
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_jsonl(path: Path, events: Sequence[Event]) -> Path:
    records = []
    for event in events:
        record = {
            "metric": event.metric,
            "quantity": str(event.quantity),
            "timestamp": event.at.isoformat(),
            "channel": event.dimensions["channel"],
        }
        if event.id is not None:
            record["id"] = event.id
        records.append(json.dumps(record))
    path.write_text("\n".join(records) + "\n")
    return path


def test_usage_files_of_every_format_count_each_id_once(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")

    files = [
        write_csv(tmp_path / "usage.csv", month()),
        write_jsonl(tmp_path / "usage.jsonl", month()),
    ]
    pq.write_table(pa.table(rows(month())), tmp_path / "usage.parquet")
    files.append(tmp_path / "usage.parquet")
    for path in files:
        for chunk_size in (2, 50_000):  # repeats across chunks of the stream are found too
            (invoice,) = price_file(contract(), UsageFile(path), [_nov()], chunk_size=chunk_size)
            assert str(invoice.total) == "5.50 EUR", path
            assert invoice.duplicates == Duplicates(3, ("c1", "c2")), path
        assert [event.id for event in UsageFile(path)][:3] == ["c1", "c2", "c1"]
        assert "id" not in next(iter(UsageFile(path))).dimensions


def _nov() -> Period:
    return Period.parse(NOV)


def test_a_bad_id_in_a_jsonl_file_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    path.write_text(
        '{"metric": "seconds", "quantity": 60, "timestamp": "2026-11-02T10:00:00Z", "id": 1.5}\n'
        '{"metric": "seconds", "quantity": 60, "timestamp": "2026-11-02T10:00:00Z", "id": 7}\n'
    )
    file = UsageFile(path, skip_bad_rows=True)
    assert [event.id for event in file] == ["7"]
    assert [str(row) for row in file.bad_rows] == [
        "usage.jsonl:1: an event id must be a string or an integer, not 1.5"
    ]


def test_a_stream_in_chunks_finds_a_conflict_across_chunks() -> None:
    daily = DailyUsage(contract(), dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    daily.add(month()[:4])
    daily.add(month()[4:])
    assert daily.total.duplicates == Duplicates(3, ("c1", "c2"))
    with pytest.raises(DuplicateIdError, match="'c3'"):
        daily.add([call(31, "phone", 4, "c3")])
    daily.add_table(pa.table(rows([call(30, "phone", 4, "c3")])))  # a repeat in a table
    assert daily.total.duplicates.count == 4


# -- every path, on random events ---------------------------------------------------------------
@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Event], list[Event]]:
    """Distinct calls (some without an id) and a delivery of them: every call at least
    once, some more than once, in a random order.
    """
    count = draw(st.integers(1, 12))
    calls = [
        Event(
            "seconds",
            draw(st.integers(1, 400)),
            at(draw(st.integers(1, 30)), draw(st.integers(0, 23))),
            {"channel": draw(st.sampled_from(["phone", "chat"]))},
            id=None if draw(st.booleans()) and index % 3 == 0 else f"call-{index}",
        )
        for index in range(count)
    ]
    repeats = draw(st.lists(st.integers(0, count - 1), max_size=15))
    delivered = calls + [calls[index] for index in repeats]
    random.Random(draw(st.integers(0, 2**16))).shuffle(delivered)
    return calls, delivered


def expected(calls: Sequence[Event], delivered: Sequence[Event]) -> tuple[Any, int]:
    with_id = [event for event in delivered if event.id is not None]
    no_id = [event for event in delivered if event.id is None]
    distinct = {event.id for event in with_id}
    unique = [event for event in calls if event.id is not None] + no_id
    return contract().invoice(unique, NOV).lines, len(with_id) - len(distinct)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=deliveries())
def test_every_path_gives_the_same_invoice_and_duplicate_count(
    case: tuple[list[Event], list[Event]], tmp_path: Path
) -> None:
    calls, delivered = case
    lines, count = expected(calls, delivered)
    table = pa.table(rows(delivered))
    batch = Event.many(
        "seconds",
        [event.quantity for event in delivered],
        [event.at for event in delivered],
        {"channel": [event.dimensions["channel"] for event in delivered]},
        ids=[event.id for event in delivered],
    )
    invoices = {
        "events": contract().invoice(delivered, NOV),
        "Event.many": contract().invoice(batch, NOV),
        "arrow": contract().invoice(table, NOV),
        "pandas": contract().invoice(table.to_pandas(), NOV),
    }
    polars = pytest.importorskip("polars")
    invoices["polars"] = contract().invoice(polars.from_arrow(table), NOV)
    name = f"u{random.getrandbits(32)}"
    for path in (
        write_csv(tmp_path / f"{name}.csv", delivered),
        write_jsonl(tmp_path / f"{name}.jsonl", delivered),
    ):
        (invoices[path.suffix],) = price_file(contract(), UsageFile(path), [_nov()], chunk_size=3)
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(table, tmp_path / f"{name}.parquet")
    (invoices["parquet"],) = price_file(
        contract(), UsageFile(tmp_path / f"{name}.parquet"), [_nov()]
    )
    # what meter_dask does after its shuffle: rows split by id, partitions metered alone
    frame = table.to_pandas()
    frame["timestamp"] = pd_to_datetime(frame["timestamp"])
    frame["quantity"] = frame["quantity"].astype(int)
    parts = frame.groupby(frame["id"].fillna("").map(lambda i: hash(i) % 3), dropna=False)
    merged = merge_usages([meter_partition(contract(), NOV, part) for _, part in parts])
    invoices["partitions"] = contract().invoice(merged, NOV)
    for where, invoice in invoices.items():
        assert invoice.lines == lines, where
        assert invoice.duplicates.count == count, where


def pd_to_datetime(column: Any) -> Any:
    pd = pytest.importorskip("pandas")
    return pd.to_datetime(column, utc=True, format="ISO8601")


@settings(max_examples=40, deadline=None)
@given(case=deliveries())
def test_deduplication_is_idempotent(case: tuple[list[Event], list[Event]]) -> None:
    _, delivered = case
    with_ids = [event for event in delivered if event.id is not None]
    once = contract().invoice(with_ids, NOV)
    twice = contract().invoice(with_ids + with_ids, NOV)
    assert twice.lines == once.lines
    assert twice.total == once.total
    assert twice.duplicates.count == once.duplicates.count + len(with_ids)
    kept, _ = dedupe(with_ids)
    again, report = dedupe(list(kept))
    assert list(again) == list(kept)
    assert not report


def test_seen_ids_take_returns_the_same_events_without_ids() -> None:
    events = [call(60, "phone", 2, None)]
    assert SeenIds().take(events) is events


# -- Dask ----------------------------------------------------------------------------------------
def test_dask_partitions_find_repeats_across_partitions() -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")

    frame = pd.DataFrame(rows(month()))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["quantity"] = frame["quantity"].astype(int)
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    try:
        with distributed.Client(cluster):
            # 8 partitions of one row: every repeat is in another partition than its first
            invoice = invoice_dask(contract(), dd.from_pandas(frame, npartitions=8), NOV)
    finally:
        cluster.close()
    assert str(invoice.total) == "5.50 EUR"
    assert invoice.duplicates.count == 3
    assert set(invoice.duplicates.ids) == {"c1", "c2"}
    by_rows = meter_partition(contract(), NOV, frame, rows=True)
    assert by_rows.duplicates == Duplicates(3, ("c1", "c2"))
    assert by_rows == meter_partition(contract(), NOV, frame)


# -- the command line ------------------------------------------------------------------------------
CALLS_TOML = """
meterprice = 1
name = "Calls"
currency = "EUR"

[[components]]
type = "per_unit"
name = "Calls"
metric = "calls"
rate = "1.00"
"""


def test_the_command_line_reads_ids_from_a_named_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract_file = tmp_path / "calls.toml"
    contract_file.write_text(CALLS_TOML)
    usage = tmp_path / "calls.csv"
    usage.write_text(
        "metric,quantity,timestamp,call_id\n"
        "calls,2,2026-11-03T09:00:00Z,a\n"
        "calls,2,2026-11-03T09:00:00Z,a\n"
        "calls,5,2026-11-04T09:00:00Z,b\n"
    )
    args = ["quote", str(contract_file), str(usage), "--period", NOV, "--column", "id=call_id"]
    assert cli.main(args) == 0
    shown = capsys.readouterr().out
    assert "Total                                7.00" in shown  # 2 + 5, the repeat of a left out
    assert shown.rstrip().endswith("Usage: 1 duplicate event(s) counted once, ids a")
    assert cli.main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["usage"]["duplicate_events"] == 1
    assert data["usage"]["duplicate_ids"] == ["a"]
    assert data["total"] == "7.00"


def test_a_table_of_durations_with_dictionary_ids() -> None:
    ids = pa.array(["x", "x", None, "y"]).dictionary_encode()
    table = pa.table(
        {
            "answered": [
                "2026-11-03T09:00:00Z",
                "2026-11-03T10:00:00+01:00",
                "2026-11-03T09:00:00Z",
                "2026-11-04T09:00:00Z",
            ],
            "ended": [
                "2026-11-03T09:01:00Z",
                "2026-11-03T09:01:00Z",
                "2026-11-03T09:00:30Z",
                "2026-11-04T09:00:06Z",
            ],
            "channel": ["phone", "phone", "chat", "chat"],
            "call": ids,
        }
    )
    mapping = ColumnMapping(
        metric="seconds", start_column="answered", end_column="ended", id_column="call"
    )
    usage = meter_table(contract(), table, NOV, columns=mapping)
    assert usage.duplicates == Duplicates(1, ("x",))
    # phone: one call of 60 s = 1 min at 1.00; chat: 30 s + 6 s = 36 s = 0.6 min at 0.50
    assert str(contract().invoice(usage, NOV).total) == "1.30 EUR"


def test_text_that_is_no_number_or_instant_is_compared_as_written() -> None:

    assert _quantity("1e") == "1e"
    assert _quantity(" 185.0 ") == Decimal("185")
    assert _instant("yesterday") == "yesterday"
    assert _instant("2026-11-03T09:00:00z") == at(3, 9)


def test_an_amended_contract_reports_the_duplicates_once() -> None:
    dearer = PerUnit("phone", metric="minutes", rate="2.00 EUR", where={"channel": "phone"})
    amended = contract().amended("2026-11-16", [dearer])
    events = [*month(), call(60, "phone", 20, "c4"), call(60, "phone", 20, "c4")]
    invoice = amended.invoice(events, NOV)
    # before the 16th as by hand (5.50 EUR); from the 16th one minute at 2.00
    assert str(invoice.total) == "7.50 EUR"
    assert invoice.duplicates == Duplicates(4, ("c1", "c2", "c4"))
