"""The columnar path meters tables exactly as the object path meters events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import strategies as s
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meterprice import Band, Contract, Event, Meter, Period, TimeBands, Usage
from meterprice.components import PerUnit
from meterprice.errors import UsageError

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

from meterprice.columnar import ColumnMapping, meter_table  # noqa: E402

PERIOD = Period.parse("2026-11")
DIMENSION_NAMES = ("agent", "channel", "language", "shift")


def table_of(events: list[Event], *, empty_as: str | None = None) -> Any:
    """The events as a pyarrow table with the usage-file columns (missing dimensions
    as nulls, or as ``empty_as``)."""
    aware = bool(events) and events[0].at.tzinfo is not None
    stamps = [event.at.astimezone(dt.timezone.utc) if aware else event.at for event in events]
    columns: dict[str, Any] = {
        "metric": pa.array([event.metric for event in events], pa.string()),
        "quantity": pa.array([event.quantity for event in events], pa.decimal128(18, 2)),
        "timestamp": pa.array(stamps, pa.timestamp("us", "UTC" if aware else None)),
    }
    for name in DIMENSION_NAMES:
        values = [event.dimensions.get(name, empty_as) for event in events]
        columns[name] = pa.array(values, pa.string())
    return pa.table(columns)


def bands(timezone: str) -> TimeBands:
    return TimeBands(
        [Band("weekend", days="weekend"), Band("night", "22:00", "06:00")], timezone=timezone
    )


@st.composite
def contracts(draw: st.DrawFn, timezone: str) -> Contract:
    meters = list(draw(s.contract_meters(allow_negative=draw(st.booleans()))))
    if draw(st.booleans()):
        meters.append(
            Meter(
                "banded_minutes",
                source="handle_seconds",
                from_unit="second",
                unit="minute",
                increment=draw(st.sampled_from([None, 6, 60])),
                bands=bands(timezone),
                group_by=draw(st.sampled_from([None, ("band",), ("band", "channel")])),
                where=draw(st.sampled_from([{}, {"band": "night"}, {"channel": "phone"}])),
            )
        )
    return Contract(
        "c",
        "EUR",
        [PerUnit("Minutes", metric="handle_minutes", rate="0.90 EUR")],
        meters=meters,
        timezone=timezone,
        unpriced="ignore",
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Contract, list[Event]]:
    timezone = draw(st.sampled_from(s.TIMEZONES))
    contract = draw(contracts(timezone))
    negative = all(meter.allow_negative for meter in contract.meters)
    aware = draw(st.booleans())
    events = draw(s.event_lists(PERIOD, timezone=timezone if aware else None, negative=negative))
    return contract, events


def in_utc(events: list[Event]) -> list[Event]:
    """The same events stamped in UTC: a table holds instants, and Python never finds
    two aware datetimes in a repeated (DST) hour equal across zones."""
    return [
        Event(e.metric, e.quantity, e.at.astimezone(dt.timezone.utc), e.dimensions)
        if e.at.tzinfo is not None
        else e
        for e in events
    ]


def object_usage(contract: Contract, events: list[Event]) -> Usage | type[UsageError]:
    try:
        return contract.meter(in_utc(events), PERIOD)
    except UsageError:
        return UsageError


def columnar_usage(contract: Contract, table: Any) -> Usage | type[UsageError]:
    try:
        return meter_table(contract, table, PERIOD)
    except UsageError:
        return UsageError


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases(), st.sampled_from([None, ""]))
def test_pyarrow_tables_meter_as_events(case: tuple[Contract, list[Event]], empty: Any) -> None:
    contract, events = case
    assert columnar_usage(contract, table_of(events, empty_as=empty)) == object_usage(
        contract, events
    )


@FAST
@given(cases())
def test_polars_frames_meter_as_events(case: tuple[Contract, list[Event]]) -> None:
    contract, events = case
    frame = pl.from_arrow(table_of(events))
    assert columnar_usage(contract, frame) == object_usage(contract, events)


@FAST
@given(cases())
def test_pandas_frames_meter_as_events(case: tuple[Contract, list[Event]]) -> None:
    contract, events = case
    frame = table_of(events).to_pandas()
    assert columnar_usage(contract, frame) == object_usage(contract, events)


def test_a_call_in_berlin_by_hand() -> None:
    # 185 s and 7 s in 6-second steps with a 30 s minimum: 186 s + 30 s = 3.6 min; the
    # call at 23:30 UTC on 30 November is on 1 December in Berlin and does not count
    contract = Contract(
        "c",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="1.00 EUR")],
        meters=[
            Meter(
                "minutes",
                source="seconds",
                from_unit="second",
                unit="minute",
                increment=6,
                minimum=30,
            )
        ],
        timezone="Europe/Berlin",
    )
    table = pa.table(
        {
            "metric": ["seconds"] * 3,
            "quantity": [185, 7, 600],
            "timestamp": pa.array(
                [
                    dt.datetime(2026, 11, 3, 2, 13),
                    dt.datetime(2026, 11, 30, 22, 59),
                    dt.datetime(2026, 11, 30, 23, 30),
                ],
                pa.timestamp("s", "UTC"),
            ),
        }
    )
    assert meter_table(contract, table, "2026-11").quantity("minutes") == Decimal("3.6")
    assert str(contract.invoice(table, "2026-11").total) == "3.60 EUR"


def _contract() -> Contract:
    return Contract("c", "EUR", [PerUnit("Minutes", metric="seconds", rate="1.00 EUR")])


AT = dt.datetime(2026, 11, 3, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"metric": ["seconds"], "timestamp": [AT]}, "no quantity column 'quantity'"),
        ({"metric": ["seconds"], "quantity": [1.5], "timestamp": [AT]}, "'quantity'.*floating"),
        ({"metric": ["seconds"], "quantity": [True], "timestamp": [AT]}, "'quantity'.*type bool"),
        ({"metric": ["seconds"], "quantity": [1], "timestamp": [None]}, "'timestamp'.*missing"),
        ({"metric": ["seconds"], "quantity": [None], "timestamp": [AT]}, "'quantity'.*missing"),
        ({"metric": ["seconds"], "quantity": [1], "timestamp": [5]}, "'timestamp'.*timestamps"),
        ({"metric": [1], "quantity": [1], "timestamp": [AT]}, "'metric'.*strings"),
        ({"metric": ["calls"], "quantity": [1], "timestamp": [AT]}, "no meter reads: calls"),
        (
            {"metric": ["seconds"], "quantity": [1], "timestamp": [AT], "queue": [3]},
            "'queue'.*text",
        ),
        (
            {"metric": ["seconds"], "quantity": [1], "timestamp": ["2026-11-03", "x"][:1]},
            "ISO 8601",
        ),
    ],
)
def test_bad_tables_name_the_column(columns: dict[str, list[Any]], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        meter_table(_contract(), pa.table(columns), "2026-11")


def test_mixed_aware_and_naive_timestamps_are_refused() -> None:
    frame = pd.DataFrame(
        {
            "metric": ["seconds", "seconds"],
            "quantity": [1, 2],
            "timestamp": pd.Series([AT, dt.datetime(2026, 11, 3)], dtype=object),
        }
    )
    with pytest.raises(UsageError, match="'timestamp'"):
        meter_table(_contract(), frame, "2026-11")
    text = pa.table(
        {
            "metric": ["seconds", "seconds"],
            "quantity": [1, 2],
            "timestamp": ["2026-11-03T00:00:00Z", "2026-11-03T00:00:00"],
        }
    )
    with pytest.raises(UsageError, match=r"'timestamp'.*mixes"):
        meter_table(_contract(), text, "2026-11")


def test_huge_values_are_summed_exactly() -> None:
    # three times 2**62 overflows int64; the sum is exact all the same
    table = pa.table(
        {
            "metric": ["seconds"] * 3,
            "quantity": pa.array([2**62] * 3, pa.int64()),
            "timestamp": [AT] * 3,
        }
    )
    assert meter_table(_contract(), table, "2026-11").exact("seconds") == 3 * 2**62
    big = pa.table(
        {
            "metric": ["seconds"],
            "quantity": pa.array([Decimal("12345678901234567890123.45")], pa.decimal128(38, 2)),
            "timestamp": [AT],
        }
    )
    assert meter_table(_contract(), big, "2026-11").quantity("seconds") == Decimal(
        "12345678901234567890123.45"
    )


def test_whole_floats_are_read_as_integers() -> None:
    table = pa.table({"metric": ["seconds"] * 2, "quantity": [60.0, 2.0], "timestamp": [AT] * 2})
    assert meter_table(_contract(), table, "2026-11").quantity("seconds") == 62


def test_a_column_mapping_reads_a_telephony_export() -> None:
    # calls of 95.5 s and 30 s from answer and end times; queue renamed to channel
    start = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.timezone.utc)
    export = pl.DataFrame(
        {
            "answered": [start, start],
            "ended": [
                start + dt.timedelta(seconds=95, milliseconds=500),
                start + dt.timedelta(seconds=30),
            ],
            "queue_name": ["phone", "chat"],
            "call_id": [1, 2],
        }
    )
    mapping = ColumnMapping(
        metric="seconds",
        start_column="answered",
        end_column="ended",
        dimensions={"channel": "queue_name"},
    )
    usage = meter_table(_contract(), export, "2026-11", columns=mapping)
    assert usage.quantity("seconds", {"channel": "phone"}) == Decimal("95.5")
    assert usage.quantity("seconds") == Decimal("125.5")


def test_invoices_from_tables_equal_invoices_from_events() -> None:
    contract = Contract(
        "c",
        "EUR",
        [PerUnit("Minutes", metric="seconds", rate="0.10 EUR", active={"start": "2026-11-16"})],
    )
    events = [
        Event("seconds", 100, dt.datetime(2026, 11, 3, tzinfo=dt.timezone.utc)),
        Event("seconds", 50, dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)),
    ]
    table = table_of(events)
    assert contract.invoice(table, "2026-11") == contract.invoice(events, "2026-11")
    assert str(contract.invoice(pl.from_arrow(table), "2026-11").total) == "5.00 EUR"
