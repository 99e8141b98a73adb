"""Edges of the columnar path: every column type, mapping and file form, by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from meterprice import Band, Contract, Dimensions, Event, Meter, Period, TimeBands
from meterprice.components import PerUnit
from meterprice.errors import UsageError
from meterprice.usagefiles import UsageFile, UsageFileError, meter_file

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from meterprice.columnar import ColumnMapping, TableUsage, meter_table  # noqa: E402

AT = dt.datetime(2026, 11, 3, 9, tzinfo=dt.timezone.utc)
NOVEMBER = Period.parse("2026-11")


def contract(**meter: object) -> Contract:
    meters = [Meter("seconds", **meter)] if meter else []  # type: ignore[arg-type]
    return Contract("c", "EUR", [PerUnit("S", metric="seconds", rate="1 EUR")], meters=meters)


def usage_of(quantity: object, **columns: object) -> Decimal:
    table = pa.table({"metric": ["seconds"], "quantity": quantity, "timestamp": [AT], **columns})
    return meter_table(contract(), table, NOVEMBER).quantity("seconds")


def test_quantities_of_every_exact_type() -> None:
    assert usage_of(pa.array(["12.50"])) == Decimal("12.5")
    assert usage_of(pa.array([2**64 - 1], pa.uint64())) == 2**64 - 1
    assert usage_of(pa.array([Decimal("1.25")], pa.decimal256(40, 2))) == Decimal("1.25")
    assert usage_of(pa.array([7], pa.int8())) == 7
    for bad, message in ((["abc"], "quantity"), (["NaN"], "finite")):
        with pytest.raises(UsageError, match=message):
            usage_of(pa.array(bad))


def test_timestamps_as_text_naive_and_in_nanoseconds() -> None:
    naive = pa.table({"metric": ["seconds"], "quantity": [5], "timestamp": ["2026-11-30T23:30:00"]})
    # naive: wall-clock time in the contract's zone (UTC), so 30 November counts
    assert meter_table(contract(), naive, NOVEMBER).quantity("seconds") == 5
    bad = pa.table({"metric": ["seconds"], "quantity": [5], "timestamp": ["tomorrow"]})
    with pytest.raises(UsageError, match="ISO 8601"):
        meter_table(contract(), bad, NOVEMBER)
    nanos = pa.table(
        {
            "metric": ["seconds"],
            "quantity": [5],
            "timestamp": pa.array([1_793_000_000_000_000_001], pa.timestamp("ns", "UTC")),
        }
    )
    with pytest.raises(UsageError, match="finer than a microsecond"):
        meter_table(contract(), nanos, NOVEMBER)


def test_dimensions_of_nulls_and_metrics_that_are_empty() -> None:
    table = pa.table(
        {
            "metric": ["seconds"],
            "quantity": [5],
            "timestamp": [AT],
            "nothing": pa.nulls(1),
        }
    )
    (group,) = meter_table(contract(), table, NOVEMBER).items()
    assert group[1] == {}  # an all-null column is a missing dimension
    empty = pa.table({"metric": [" "], "quantity": [5], "timestamp": [AT]})
    with pytest.raises(UsageError, match="empty metric"):
        meter_table(contract(), empty, NOVEMBER)
    with pytest.raises(UsageError, match="no dimension column 'queue'"):
        meter_table(
            contract(), table, NOVEMBER, columns=ColumnMapping(dimensions={"channel": "queue"})
        )


def test_sparse_groups_and_large_sums_of_increments() -> None:
    # 3000 distinct agents x 2 queues x 2 days is sparse for the dense key path
    rows = 3000
    table = pa.table(
        {
            "metric": ["seconds"] * rows,
            "quantity": [7] * rows,
            "timestamp": [AT + dt.timedelta(days=i % 2) for i in range(rows)],
            "agent": [f"a{i}" for i in range(rows)],
            "queue": [f"q{i % 1500}" for i in range(rows)],
        }
    )
    usage = meter_table(contract(increment=6), table, NOVEMBER)
    assert usage.quantity("seconds") == 12 * rows  # 7 s is 12 s in 6-second steps
    assert len(usage.groups("seconds", ["agent"])) == rows
    huge = pa.table(
        {
            "metric": ["seconds"] * 2,
            "quantity": pa.array([2**62, 2**62], pa.int64()),
            "timestamp": [AT] * 2,
        }
    )
    # 2**62 rounded up to a multiple of 10**6 no longer fits int64 twice over
    usage = meter_table(contract(increment="0.5", aggregation="max"), huge, NOVEMBER)
    assert usage.exact("seconds") == 2**62


def test_a_band_column_is_refused_where_time_bands_would_overwrite_it() -> None:
    banded = contract(bands=TimeBands([Band("night", "22:00", "06:00")]))
    table = pa.table(
        {
            "metric": ["seconds", "seconds"],
            "quantity": [5, 7],
            "timestamp": [AT, AT.replace(hour=23)],
            "band": [None, "day"],
        }
    )
    events = [
        Event("seconds", 5, AT),
        Event("seconds", 7, AT.replace(hour=23), {"band": "day"}),
    ]
    with pytest.raises(UsageError, match="already have the dimension 'band'"):
        meter_table(banded, table, NOVEMBER)
    with pytest.raises(UsageError, match="already has the dimension 'band'"):
        banded.meter(events, NOVEMBER)
    # a band column of nulls is a missing dimension: 9:00 is the day, 23:00 the night
    nulls = table.set_column(3, "band", pa.nulls(2, pa.string()))
    usage = meter_table(banded, nulls, NOVEMBER)
    plain = [Event("seconds", 5, AT), Event("seconds", 7, events[1].at)]
    assert usage == banded.meter(plain, NOVEMBER)
    assert usage.groups("seconds", ["band"]) == {
        Dimensions({"band": "day"}): 5,
        Dimensions({"band": "night"}): 7,
    }


def test_column_mappings_are_checked_and_parsed() -> None:
    with pytest.raises(UsageError, match="both start_column and end_column"):
        ColumnMapping(start_column="a")
    with pytest.raises(UsageError, match="not both"):
        ColumnMapping(quantity_column="q", start_column="a", end_column="b")
    with pytest.raises(TypeError, match="metric"):
        ColumnMapping(metric="")
    with pytest.raises(TypeError, match="dimensions"):
        ColumnMapping(dimensions="channel")
    with pytest.raises(TypeError, match="non-empty"):
        ColumnMapping(dimensions={"": "x"})
    with pytest.raises(UsageError, match="ROLE=COLUMN"):
        ColumnMapping.parse(["when=start"])
    mapping = ColumnMapping.parse(
        ["metric=kind", "quantity=amount", "timestamp=at"], dimensions=["lang=language"]
    )
    assert mapping.roles() == {"metric": "kind", "quantity": "amount", "timestamp": "at"}
    assert mapping.dimensions == (("lang", "language"),)
    assert ColumnMapping(dimensions=["b", "a"]).dimension_columns(["x"]) == (
        ("a", "a"),
        ("b", "b"),
    )
    table = pa.table({"kind": ["seconds"], "amount": [3], "at": [AT], "language": ["de"]})
    usage = meter_table(contract(), table, NOVEMBER, columns=mapping)
    assert usage.quantity("seconds", {"lang": "de"}) == 3
    durations = ColumnMapping(metric="seconds", start_column="s", end_column="e")
    mixed = pa.table({"s": [AT], "e": [dt.datetime(2026, 11, 3, 10)]})
    with pytest.raises(UsageError, match="both be"):
        meter_table(contract(), mixed, NOVEMBER, columns=durations)


def test_inputs_that_are_not_tables() -> None:
    batch = pa.record_batch({"metric": ["seconds"], "quantity": [4], "timestamp": [AT]})
    assert meter_table(contract(), batch, NOVEMBER).quantity("seconds") == 4
    reader = pa.RecordBatchReader.from_batches(batch.schema, [batch])
    assert TableUsage(contract(), reader).usage(NOVEMBER).quantity("seconds") == 4
    with pytest.raises(TypeError, match="Arrow stream interface"):
        meter_table(contract(), [1, 2], NOVEMBER)


def test_parquet_and_arrow_streams_read_as_events(tmp_path: Path) -> None:
    table = pa.table(
        {
            "metric": ["seconds", "seconds", "seconds"],
            "quantity": pa.array([Decimal("1.5"), Decimal(2), Decimal(3)], pa.decimal128(5, 1)),
            "timestamp": [AT, AT, None],
            "channel": ["phone", None, "chat"],
        }
    )
    pq.write_table(table, tmp_path / "u.parquet")
    file = UsageFile(tmp_path / "u.parquet", skip_bad_rows=True)
    assert list(file) == [
        Event("seconds", Decimal("1.5"), AT, {"channel": "phone"}),
        Event("seconds", 2, AT),
    ]
    assert [str(row) for row in file.bad_rows] == [
        "u.parquet:3: timestamp must be a date and time, not None"
    ]
    with pytest.raises(UsageFileError, match="1 bad row"):
        list(UsageFile(tmp_path / "u.parquet"))
    good = table.slice(0, 2)
    with pa.ipc.new_stream(tmp_path / "u.arrows", good.schema) as writer:
        writer.write_table(good)
    (daily,) = meter_file([contract()], UsageFile(tmp_path / "u.arrows"), [NOVEMBER])
    assert daily.total.within(NOVEMBER).quantity("seconds") == Decimal("3.5")


def test_a_mapped_csv_reads_durations_as_events(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("answered,ended\n2026-11-03T09:00:00Z,2026-11-03T09:00:01.5Z\n")
    mapping = ColumnMapping(metric="seconds", start_column="answered", end_column="ended")
    file = UsageFile(path, columns=mapping)
    assert list(file) == [Event("seconds", Decimal("1.5"), AT)]
    (daily,) = meter_file([contract()], file, [NOVEMBER])
    assert daily.total.within(NOVEMBER).quantity("seconds") == Decimal("1.5")


def test_an_empty_csv_and_a_quantity_in_another_form_fall_back(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("metric,quantity,timestamp\n")
    (daily,) = meter_file([contract()], UsageFile(empty), [NOVEMBER])
    assert not daily.total
    other = tmp_path / "other.csv"
    other.write_text("metric,quantity,timestamp\nseconds,1e3,2026-11-03T09:00:00Z\n")
    (daily,) = meter_file([contract()], UsageFile(other), [NOVEMBER])
    assert daily.total.within(NOVEMBER).quantity("seconds") == 1000
