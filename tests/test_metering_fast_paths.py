"""Tests for the fast paths of metering: they must give what the plain rules give.

``meter_events`` counts identical events and applies the per-event rules once per
distinct quantity; the validating ``Event`` constructor shares Decimal quantities and
Dimensions; the period filter compares timestamps in the events' own fixed-offset
zone. Each shortcut is checked here against the rule it stands for.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import Aggregation, Dimensions, Event, Meter, UsageError, meter_events
from meterprice import dimensions as dimensions_module
from meterprice import usage as usage_module

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc
PLUS_1 = dt.timezone(dt.timedelta(hours=1))
PLUS_5 = dt.timezone(dt.timedelta(hours=5))
AT = dt.datetime(2026, 11, 3, 9, 0)


# -- shared values in events ------------------------------------------------------------------


def test_events_share_quantities_and_dimensions() -> None:
    first = Event("secs", 185, AT, {"channel": "phone", "language": "de"})
    second = Event("secs", 185, AT, {"channel": "phone", "language": "de"})
    assert first.quantity is second.quantity
    assert first.dimensions is second.dimensions
    assert Event("secs", "7.5", AT).quantity is Event("secs", "7.5", AT).quantity


def test_shared_quantities_keep_their_written_form() -> None:
    # 6, "6.0" and Decimal("6.00") are equal but written differently: each keeps its form
    assert str(Event("secs", 6, AT).quantity) == "6"
    assert str(Event("secs", "6.0", AT).quantity) == "6.0"
    assert str(Event("secs", Decimal("6.00"), AT).quantity) == "6.00"
    assert str(Event("secs", " 1_000 ", AT).quantity) == "1000"


def test_shared_dimensions_are_still_validated() -> None:
    with pytest.raises(TypeError, match="dimension 'channel' must have a string value, not 1"):
        Event("secs", 1, AT, {"channel": 1})
    with pytest.raises(TypeError, match=r"dimension 'channel' must have a string value, not \["):
        Event("secs", 1, AT, {"channel": ["phone"]})  # unhashable: never cached
    with pytest.raises(TypeError, match="quantity must be a Decimal, int or decimal string"):
        Event("secs", 1.5, AT)
    with pytest.raises(ValueError, match="quantity is not a decimal number: 'x'"):
        Event("secs", "x", AT)
    # a failure leaves nothing behind: the same value is refused again
    with pytest.raises(ValueError, match="quantity is not a decimal number: 'x'"):
        Event("secs", "x", AT)


def test_the_shared_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage_module, "_QUANTITIES", {})
    monkeypatch.setattr(usage_module, "_QUANTITIES_MAX", 3)
    monkeypatch.setattr(dimensions_module, "_SHARED", {})
    monkeypatch.setattr(dimensions_module, "_SHARED_MAX", 3)
    events = [Event("secs", n, AT, {"agent": f"a{n}"}) for n in range(10)]
    assert len(usage_module._QUANTITIES) <= 3
    assert len(dimensions_module._SHARED) <= 3
    assert [event.quantity for event in events] == [Decimal(n) for n in range(10)]
    assert [event.dimensions["agent"] for event in events] == [f"a{n}" for n in range(10)]


# -- the period filter ------------------------------------------------------------------------


def test_period_filter_with_fixed_offset_events_and_a_zoned_period() -> None:
    # November in Berlin (UTC+1 then) is [31 Oct 23:00 UTC, 30 Nov 23:00 UTC), that is
    # [1 Nov 00:00, 1 Dec 00:00) at +01:00 and [1 Nov 04:00, 1 Dec 04:00) at +05:00.
    # Quantities are powers of two, so the total says which events counted.
    stamps = [
        (1, dt.datetime(2026, 11, 1, 0, 0, tzinfo=PLUS_1)),  # the start: in
        (2, dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=PLUS_1)),  # a second before: out
        (4, dt.datetime(2026, 12, 1, 0, 0, tzinfo=PLUS_1)),  # the end: out
        (8, dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=PLUS_1)),  # just before the end: in
        (16, dt.datetime(2026, 10, 31, 23, 0, tzinfo=UTC)),  # the start, in UTC: in
        (32, dt.datetime(2026, 10, 31, 22, 59, 59, tzinfo=UTC)),  # out
        (64, dt.datetime(2026, 12, 1, 3, 59, 59, tzinfo=PLUS_5)),  # just before the end: in
        (128, dt.datetime(2026, 12, 1, 4, 0, tzinfo=PLUS_5)),  # the end: out
    ]
    start = dt.datetime(2026, 11, 1, tzinfo=BERLIN)
    end = dt.datetime(2026, 12, 1, tzinfo=BERLIN)
    for first in range(len(stamps)):  # each zone in turn is the first event's
        events = [Event("secs", q, stamp) for q, stamp in stamps[first:] + stamps[:first]]
        usage = meter_events([Meter("secs")], events, start=start, end=end)
        assert usage.exact("secs") == 1 + 8 + 16 + 64  # 89
        assert meter_events([Meter("secs")], events, start=start).exact("secs") == 89 + 4 + 128
        assert meter_events([Meter("secs")], events, end=end).exact("secs") == 89 + 2 + 32


def test_period_filter_across_a_daylight_saving_fold() -> None:
    # New York repeats 01:00-02:00 on 1 November 2026: 01:30 EDT (fold 0) is 05:30 UTC,
    # 01:30 EST (fold 1) is 06:30 UTC. From 06:00 UTC on, only the second counts;
    # comparing wall-clock times in New York would take both.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=new_york)
    events = [Event("secs", 1, first), Event("secs", 2, first.replace(fold=1))]
    start = dt.datetime(2026, 11, 1, 6, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert meter_events([Meter("secs")], events, start=start).exact("secs") == 2


def test_timestamps_with_an_unhashable_time_zone() -> None:
    class Odd(dt.tzinfo):
        """A fixed UTC offset that defines equality but no hash."""

        def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
            return dt.timedelta(0)

        def dst(self, when: dt.datetime | None) -> dt.timedelta:
            return dt.timedelta(0)

        def tzname(self, when: dt.datetime | None) -> str:
            return "ODD"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Odd)

        __hash__ = None  # type: ignore[assignment]

    aware = [Event("secs", 5, AT.replace(tzinfo=Odd())), Event("secs", 7, AT.replace(tzinfo=Odd()))]
    assert meter_events([Meter("secs")], aware).exact("secs") == 12
    with pytest.raises(UsageError, match=r"event 1 .* is naive while event 0 is time-zone aware"):
        meter_events([Meter("secs")], [*aware[:1], Event("secs", 7, AT)])


# -- what comes out ---------------------------------------------------------------------------


def test_groups_come_out_sorted_whatever_the_order_of_events() -> None:
    events = [Event("calls", 1, AT, {"channel": channel}) for channel in ("phone", "chat", "email")]
    meter = Meter("calls", aggregation="count", group_by=["channel"])
    forward = meter.meter(events).groups("calls", ["channel"])
    backward = meter.meter(list(reversed(events))).groups("calls", ["channel"])
    assert (
        list(forward)
        == list(backward)
        == [
            Dimensions({"channel": "chat"}),
            Dimensions({"channel": "email"}),
            Dimensions({"channel": "phone"}),
        ]
    )


def test_distinct_error_counts_every_event_lacking_the_dimension() -> None:
    # three events of site a lack the agent dimension, with two different quantities
    events = [Event("logins", q, AT, {"site": "a"}) for q in (1, 2, 1)]
    meter = Meter("agents", source="logins", aggregation="distinct", distinct="agent")
    with pytest.raises(UsageError, match=r"but 3 event\(s\) of 'logins' lack that dimension"):
        meter.meter(events)


def test_several_metrics_in_one_batch() -> None:
    events = [
        Event("secs", 185, AT, {"channel": "phone"}),
        Event("chats", 1, AT, {"channel": "chat"}),
        Event("secs", 31, AT, {"channel": "phone"}),
        Event("chats", 1, AT, {"channel": "chat"}),
    ]
    minutes = Meter("minutes", source="secs", from_unit="second", unit="minute", increment=6)
    usage = meter_events([minutes, Meter("chats", aggregation="count")], events)
    assert usage.exact("minutes") == Fraction(186 + 36, 60)  # 3.7 min
    assert usage.exact("chats") == 2


# -- the shortcuts against the plain rules ----------------------------------------------------

START = dt.datetime(2026, 11, 1)
END = dt.datetime(2026, 12, 1)

quantities = st.one_of(
    st.integers(0, 400),
    st.integers(0, 4000).map(lambda n: Decimal(n).scaleb(-1)),
    st.integers(0, 4000).map(lambda n: str(Decimal(n).scaleb(-1))),
)
dimension_dicts = st.fixed_dictionaries(
    {},
    optional={
        "channel": st.sampled_from(["phone", "chat", "email"]),
        "language": st.sampled_from(["de", "fr"]),
    },
)
events_strategy = st.lists(
    st.builds(
        Event,
        st.sampled_from(["secs", "secs", "other"]),
        quantities,
        st.integers(-2 * 86_400, 32 * 86_400).map(lambda s: START + dt.timedelta(seconds=s)),
        dimension_dicts,
    ),
    max_size=60,
)


@st.composite
def meters(draw: st.DrawFn) -> Meter:
    aggregation = draw(st.sampled_from([Aggregation.SUM, Aggregation.COUNT, Aggregation.MAX]))
    kwargs: dict[str, object] = {
        "group_by": draw(st.sampled_from([None, [], ["channel"], ["channel", "language"]])),
        "where": draw(st.sampled_from([None, {"channel": "phone"}, {"language": ["de", "fr"]}])),
    }
    if aggregation is not Aggregation.COUNT:
        kwargs["increment"] = draw(st.sampled_from([None, 6, 60, "0.5"]))
        kwargs["minimum"] = draw(st.sampled_from([None, 30]))
        if draw(st.booleans()):
            kwargs.update(from_unit="second", unit="minute")
    return Meter("m", source="secs", aggregation=aggregation, **kwargs)  # type: ignore[arg-type]


def plain_rules(meter: Meter, events: list[Event]) -> dict[Dimensions, Fraction]:
    """What the meter means, event by event."""
    values: dict[Dimensions, list[Fraction]] = {}
    for event in events:
        if event.metric != meter.source or not START <= event.at < END:
            continue
        if not meter.where.matches(event.dimensions):
            continue
        group = event.dimensions
        if meter.group_by is not None:
            group = group.project(meter.group_by)
        values.setdefault(group, []).append(Fraction(meter.billable(event.quantity)))
    if meter.aggregation is Aggregation.COUNT:
        return {group: Fraction(len(found)) for group, found in values.items()}
    if meter.aggregation is Aggregation.MAX:
        return {group: max(found) * meter.factor for group, found in values.items()}
    return {group: sum(found, Fraction(0)) * meter.factor for group, found in values.items()}


@given(meters(), events_strategy)
def test_metering_equals_the_plain_rules(meter: Meter, events: list[Event]) -> None:
    usage = meter_events([meter], events, start=START, end=END, strict=False)
    assert {dims: quantity for _, dims, quantity in usage.items()} == plain_rules(meter, events)
    reordered = meter_events([meter], events[::-1], start=START, end=END, strict=False)
    assert list(reordered.items()) == list(usage.items())
