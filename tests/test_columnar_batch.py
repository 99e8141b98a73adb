"""Event.many batches meter column by column exactly as their events do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_columnar import DIMENSION_NAMES, FAST, PERIOD, cases, in_utc

from meterprice import Contract, Event, Meter, PerUnit
from meterprice.batch import EventBatch
from meterprice.errors import UsageError

pytest.importorskip("pyarrow")

AT = dt.datetime(2026, 11, 3, 2, 13, tzinfo=dt.timezone.utc)


def batch_of(events: list[Event], form: str) -> EventBatch:
    """The events (all of one metric) as columns, quantities as Decimals, texts or ints."""
    values = [event.quantity for event in events]
    quantities: list[object] = list(values)
    if form == "text":
        quantities = [f"{q:f}" for q in values]
    elif form == "int" and all(q == q.to_integral_value() for q in values):
        quantities = [int(q) for q in values]
    return Event.many(
        events[0].metric if events else "handle_seconds",
        quantities,
        [event.at for event in events],
        {name: [event.dimensions.get(name) for event in events] for name in DIMENSION_NAMES},
    )


def metered(contract: Contract, events: object) -> object:
    try:
        return contract.meter(events, PERIOD)  # type: ignore[arg-type]
    except UsageError:
        return UsageError


@FAST
@given(cases(), st.sampled_from(["decimal", "text", "int"]))
def test_batches_meter_and_invoice_as_their_events(
    case: tuple[Contract, list[Event]], form: str
) -> None:
    contract, events = case
    events = in_utc(events)
    if events:  # a batch holds one metric
        events = [event for event in events if event.metric == events[0].metric]
    batch = batch_of(events, form)
    assert batch == events
    assert metered(contract, batch) == metered(contract, events)
    if metered(contract, events) is not UsageError:
        assert contract.invoice(batch, PERIOD) == contract.invoice(events, PERIOD)


def per_minute() -> Contract:
    return Contract(
        "Per minute",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="0.95 EUR", unit="min")],
        meters=[Meter("minutes", source="seconds", from_unit="second", unit="minute", increment=6)],
    )


def test_a_batch_of_text_quantities_by_hand() -> None:
    # 185.5 s -> 186 s, 30.25 s -> 36 s, 60 s: 282 s = 4.7 min x 0.95 = 4.465 -> 4.47
    batch = Event.many("seconds", ["185.5", "30.25", "60"], [AT] * 3)
    assert batch._table() is not None  # metered as a table
    assert per_minute().invoice(batch, "2026-11").total.amount == Decimal("4.47")


def test_batches_a_table_cannot_hold_are_metered_as_events() -> None:
    # an empty dimension value, naive and aware timestamps, quantities beyond int64
    naive = AT.replace(tzinfo=None)
    empty = Event.many("seconds", [60], [AT], {"channel": [""]})
    mixed = Event.many("seconds", [60, 60], [AT, naive])
    huge = Event.many("seconds", [2**70, 6], [AT, AT])
    assert (empty._table(), mixed._table(), huge._table()) == (None, None, None)
    assert per_minute().meter(empty, "2026-11").quantity("minutes", {"channel": ""}) == 1
    with pytest.raises(UsageError, match="naive"):
        per_minute().meter(mixed, "2026-11")
    # 2**70 = 6k + 4 bills 2**70 + 2 seconds; with 6 s: (2**70 + 8) / 60 minutes
    assert per_minute().meter(huge, "2026-11").exact("minutes") == Fraction(2**70 + 8, 60)


def test_a_batch_is_an_immutable_sequence_of_its_events() -> None:
    batch = Event.many("seconds", [1, 2], [AT, AT], {"channel": ["phone", None]})
    assert len(batch) == 2
    assert batch[1] == Event("seconds", 2, AT)
    assert batch[:1] == [Event("seconds", 1, AT, {"channel": "phone"})]
    assert list(batch) == [batch[0], batch[1]]
    assert batch != Event.many("seconds", [1, 3], [AT, AT], {"channel": ["phone", None]})
    assert batch != "two events"
    assert repr(batch) == "EventBatch('seconds', 2 events)"
    with pytest.raises(TypeError):
        hash(batch)
    with pytest.raises(TypeError, match="dimension 'channel' must have a string value"):
        Event.many("seconds", [1], [AT], {"channel": [5]})  # type: ignore[list-item]
    with pytest.raises(TypeError, match="dimension 'channel' must have a string value"):
        Event.many("seconds", [1], [AT], {"channel": [["phone"]]})  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"quantities\[1\].*digits"):
        Event.many("seconds", [1, 10**120], [AT, AT])


def test_a_batch_for_a_mean_meter_is_metered_as_events() -> None:
    # the engine does not meter means yet: (20 + 40 + 90) / 3 = 50 seconds
    contract = Contract(
        "c",
        "EUR",
        [PerUnit("S", metric="answer", rate="1 EUR")],
        meters=[Meter("answer", source="seconds", aggregation="mean")],
        unpriced="ignore",
    )
    batch = Event.many("seconds", [20, 40, 90], [AT] * 3)
    assert contract.meter(batch, "2026-11").exact("answer") == 50
