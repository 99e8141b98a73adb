"""Scale-out on Dask: partitions metered on worker processes, merged in a tree,
priced to the same invoice as on one machine."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from meterprice import Contract, Event, Meter, MinimumVolume, Percentage, PerUnit, Usage
from meterprice.errors import UsageError
from meterprice.scaleout import invoice_dask, merge_usages, meter_dask, meter_partition

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

UTC = dt.timezone.utc


def contract() -> Contract:
    return Contract(
        "Pay per use",
        "EUR",
        [
            PerUnit(
                "phone",
                metric="minutes",
                rate="0.95 EUR",
                where={"channel": "phone"},
                unit="min",
                tags={"usage"},
            ),
            PerUnit(
                "chat",
                metric="minutes",
                rate="0.72 EUR",
                where={"channel": "chat"},
                unit="min",
                tags={"usage"},
            ),
            MinimumVolume(
                "Minimum chat",
                metric="minutes",
                where={"channel": "chat"},
                quantity=10,
                rate="0.50 EUR",
                tags={"usage"},
            ),
            Percentage("Project management", percent=5, of={"usage"}),
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


def frame(rows: int) -> Any:
    """Calls every 7 minutes from 30 October to 2 December (UTC), 61 s to 1,000 s."""
    start = dt.datetime(2026, 10, 30, tzinfo=UTC)
    return pd.DataFrame(
        {
            "metric": ["seconds"] * rows,
            "quantity": [61 + (i * 37) % 940 for i in range(rows)],
            "timestamp": pd.to_datetime(
                [start + dt.timedelta(minutes=7 * i) for i in range(rows)], utc=True
            ),
            "channel": ["phone" if i % 3 else "chat" for i in range(rows)],
        }
    )


def events(table: Any) -> list[Event]:
    return [
        Event(m, int(q), t.to_pydatetime(), {"channel": c})
        for m, q, t, c in zip(
            table["metric"], table["quantity"], table["timestamp"], table["channel"], strict=True
        )
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


def test_invoice_on_a_cluster_equals_the_single_machine_invoice(client: Any) -> None:
    table = frame(10_000)
    here = contract().invoice(events(table), "2026-11")
    ddf = dd.from_pandas(table, npartitions=12)
    there = invoice_dask(contract(), ddf, "2026-11", split_every=3)
    assert there == here
    assert there.total == here.total
    assert [line.amount for line in there.lines] == [line.amount for line in here.lines]
    # the work ran on the workers: both worker processes hold task results or logs
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_small_month_computed_by_hand(client: Any) -> None:
    # three calls in November (Berlin): 185 s -> 186 s, 31 s -> 36 s on the phone,
    # 60 s in chat; one call at 23:30 UTC on 30 November is 1 December in Berlin
    table = pd.DataFrame(
        {
            "metric": ["seconds"] * 4,
            "quantity": [185, 31, 60, 600],
            "timestamp": pd.to_datetime(
                [
                    "2026-11-02T09:00:00Z",
                    "2026-11-15T12:00:00Z",
                    "2026-11-20T08:00:00Z",
                    "2026-11-30T23:30:00Z",
                ],
                utc=True,
            ),
            "channel": ["phone", "phone", "chat", "chat"],
        }
    )
    invoice = invoice_dask(contract(), dd.from_pandas(table, npartitions=2), "2026-11")
    amounts = {line.component: line.amount.amount for line in invoice.lines}
    # phone 222 s = 3.7 min x 0.95 = 3.515 -> 3.52; chat 1 min x 0.72 = 0.72;
    # minimum chat (10 - 1) x 0.50 = 4.50; 5 % of 8.74 = 0.437 -> 0.44
    assert amounts == {
        "phone": Decimal("3.52"),
        "chat": Decimal("0.72"),
        "Minimum chat": Decimal("4.50"),
        "Project management": Decimal("0.44"),
    }
    assert invoice.total.amount == Decimal("9.18")


def test_usage_pickles_and_merges_in_any_grouping() -> None:
    table = frame(300)
    parts = [meter_partition(contract(), "2026-11", table.iloc[i : i + 100]) for i in (0, 100, 200)]
    whole = meter_partition(contract(), "2026-11", table)
    assert pickle.loads(pickle.dumps(whole)) == whole
    assert merge_usages(parts) == whole
    assert merge_usages([merge_usages(parts[:2]), parts[2]]) == whole
    assert merge_usages([]) == Usage.empty()


def test_an_empty_frame_meters_nothing(client: Any) -> None:
    ddf = dd.from_pandas(frame(10).iloc[:0], npartitions=1)
    assert meter_dask(contract(), ddf, "2026-11") == Usage.empty()


def test_bad_partitions_are_refused() -> None:
    table = frame(5)
    with pytest.raises(UsageError, match="timestamp"):
        meter_partition(contract(), "2026-11", table.drop(columns=["timestamp"]))
    floats = table.assign(quantity=table["quantity"] + 0.5)
    with pytest.raises(UsageError, match="quantity"):
        meter_partition(contract(), "2026-11", floats)
    with pytest.raises(ValueError, match="split_every"):
        meter_dask(contract(), dd.from_pandas(table, npartitions=1), "2026-11", split_every=1)


def test_an_arrow_partition_meters_like_its_pandas_frame() -> None:
    pa = pytest.importorskip("pyarrow")
    table = frame(200)
    assert meter_partition(contract(), "2026-11", pa.Table.from_pandas(table)) == (
        meter_partition(contract(), "2026-11", table)
    )
    text = table.assign(timestamp=["2026-11-02"] * 200)
    with pytest.raises(UsageError, match="timestamp"):
        meter_partition(contract(), "2026-11", text)


def test_the_row_fallback_meters_like_the_partition_function() -> None:
    # without the columnar engine meter_partition builds events from the rows
    from meterprice.scaleout import _events  # noqa: PLC0415

    table = frame(500).assign(channel=[None if i % 50 == 0 else "phone" for i in range(500)])
    built = _events(table)
    assert sum(1 for event in built if "channel" not in event.dimensions) == 10
    usage = contract().meter([e for e in built if "channel" in e.dimensions], "2026-11")
    kept = table[table["channel"].notna()]
    assert usage == meter_partition(contract(), "2026-11", kept)
    assert usage == meter_partition(contract(), "2026-11", kept, rows=True)
    pa = pytest.importorskip("pyarrow")
    assert usage == meter_partition(contract(), "2026-11", pa.Table.from_pandas(kept), rows=True)
    text = table.assign(timestamp=["2026-11-02"] * 500)
    with pytest.raises(UsageError, match="timestamp"):
        _events(text)
    with pytest.raises(UsageError, match="quantity"):
        _events(table.assign(quantity=table["quantity"] + 0.5))
    with pytest.raises(UsageError, match="timestamp"):
        _events(table.drop(columns=["timestamp"]))
