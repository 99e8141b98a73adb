"""Example tests for meters: billing increments, minimums, unit conversion, aggregation."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from meterprice import (
    Aggregation,
    Contract,
    Dimensions,
    Event,
    Meter,
    Period,
    PerUnit,
    Usage,
    UsageError,
    meter_events,
)
from meterprice.metering import TIME_UNITS

UTC = dt.timezone.utc
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(day: int, hour: int = 9, minute: int = 0, tz: dt.tzinfo | None = None) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=tz)


def secs(*quantities: int | str, dims: dict[str, str] | None = None) -> list[Event]:
    return [Event("handle_seconds", q, at(3), dims) for q in quantities]


def minutes_meter(**kwargs: Any) -> Meter:
    return Meter(
        "handle_minutes", source="handle_seconds", from_unit="second", unit="minute", **kwargs
    )


# -- validation -----------------------------------------------------------------------------


def test_meter_defaults() -> None:
    meter = Meter("orders")
    assert meter.source == "orders"
    assert meter.aggregation is Aggregation.SUM
    assert meter.factor == 1
    assert meter.group_by is None
    assert not meter.where
    assert Meter("m", aggregation="count").aggregation is Aggregation.COUNT


def test_meter_validation_errors() -> None:
    with pytest.raises(TypeError, match="name must be a non-empty string, not ''"):
        Meter("")
    with pytest.raises(TypeError, match="source must be a non-empty string, not 5"):
        Meter("m", source=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="from_unit needs a unit to convert to"):
        Meter("m", from_unit="second")
    with pytest.raises(ValueError, match="cannot convert unit 'fortnight'; known units are second"):
        Meter("m", from_unit="fortnight", unit="day")
    with pytest.raises(ValueError, match="cannot convert unit 'min'"):
        Meter("m", from_unit="second", unit="min")
    with pytest.raises(
        ValueError,
        match=(
            r"aggregation must be one of sum, count, max, latest, distinct, mean, share "
            r"\(got 'avg'\)"
        ),
    ):
        Meter("m", aggregation="avg")
    with pytest.raises(
        ValueError, match="aggregation 'distinct' and the distinct dimension go together"
    ):
        Meter("m", aggregation="distinct")
    with pytest.raises(ValueError, match=r"got aggregation='sum', distinct='agent'"):
        Meter("m", distinct="agent")
    with pytest.raises(ValueError, match="not to aggregation 'count'"):
        Meter("m", aggregation="count", increment=6)
    with pytest.raises(ValueError, match="not to aggregation 'distinct'"):
        Meter("m", aggregation="distinct", distinct="agent", minimum=1)
    with pytest.raises(ValueError, match="not to aggregation 'count'"):
        Meter("m", aggregation="count", from_unit="second", unit="minute")
    with pytest.raises(ValueError, match=r"increment must be positive \(got 0\)"):
        Meter("m", increment=0)
    with pytest.raises(ValueError, match=r"minimum must be positive \(got '-30'\)"):
        Meter("m", minimum="-30")
    with pytest.raises(TypeError, match=r"increment must be .* not float \(6\.0\)"):
        Meter("m", increment=6.0)
    with pytest.raises(
        TypeError, match="group_by must be a list of dimension names, not 'channel'"
    ):
        Meter("m", group_by="channel")
    with pytest.raises(TypeError, match="group_by must be a list of dimension names, not 3"):
        Meter("m", group_by=3)
    with pytest.raises(TypeError, match="group_by must name dimensions with strings, not 1"):
        Meter("m", group_by=["channel", 1])


def test_meter_normalises_fields() -> None:
    meter = Meter("m", group_by=["language", "channel", "language"], where={"channel": "phone"})
    assert meter.group_by == ("channel", "language")
    assert meter.where.matches({"channel": "phone"})
    assert Meter("m", increment="6").increment == Decimal(6)
    assert Meter("m", unit="contact").factor == 1  # a unit alone is a label


def test_time_units_and_factors() -> None:
    assert TIME_UNITS == {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
    assert minutes_meter().factor == Fraction(1, 60)
    assert Meter("h", from_unit="second", unit="hour").factor == Fraction(1, 3600)
    assert Meter("h", from_unit="hour", unit="minute").factor == 60
    assert Meter("d", from_unit="hour", unit="day").factor == Fraction(1, 24)


# -- per-event increments and minimums ------------------------------------------------------


def test_per_second_billing_keeps_the_quantity() -> None:
    meter = Meter("s")
    assert [meter.billable(Decimal(q)) for q in (1, 185, 3600)] == [1, 185, 3600]


def test_six_second_increment() -> None:
    meter = Meter("s", increment=6)
    # 185 s = 30 x 6 + 5 -> 31 increments = 186 s; 186 s is exact; 1 s -> one increment
    assert meter.billable(Decimal(185)) == 186
    assert meter.billable(Decimal(186)) == 186
    assert meter.billable(Decimal(1)) == 6
    assert meter.billable(Decimal("6.5")) == 12


def test_per_started_minute() -> None:
    meter = Meter("s", increment=60)
    assert meter.billable(Decimal(61)) == 120  # a started second minute is a whole minute
    assert meter.billable(Decimal(60)) == 60
    assert meter.billable(Decimal(1)) == 60


def test_minimum_per_event() -> None:
    meter = Meter("s", minimum=30)
    assert meter.billable(Decimal(12)) == 30
    assert meter.billable(Decimal(30)) == 30
    assert meter.billable(Decimal(31)) == 31


def test_minimum_and_increment_combined() -> None:
    # "30/6" billing: 30 s minimum, then 6-second increments
    meter = Meter("s", minimum=30, increment=6)
    assert meter.billable(Decimal(5)) == 30  # 6, lifted to 30
    assert meter.billable(Decimal(31)) == 36  # 6 x 6
    assert meter.billable(Decimal(185)) == 186


def test_fractional_increment() -> None:
    half_hours = Meter("h", increment="0.5")
    assert half_hours.billable(Decimal("1.2")) == Decimal("1.5")
    assert half_hours.billable(Decimal("1.5")) == Decimal("1.5")


def test_six_second_increment_summed_in_minutes() -> None:
    # 185 -> 186, 31 -> 36, 61 -> 66: 288 s = 4.8 min
    usage = minutes_meter(increment=6).meter(secs(185, 31, 61))
    assert usage.exact("handle_minutes") == Fraction(24, 5)
    assert usage.quantity("handle_minutes") == Decimal("4.8")


def test_seconds_to_minutes_is_kept_exact() -> None:
    usage = minutes_meter().meter(secs(7))
    assert usage.exact("handle_minutes") == Fraction(7, 60)  # not 0.1166666...
    # three 7 s calls are 21/60 = 7/20 = 0.35 min exactly
    assert minutes_meter().meter(secs(7, 7, 7)).quantity("handle_minutes") == Decimal("0.35")


def test_seconds_to_hours_is_kept_exact() -> None:
    hours = Meter("handle_hours", source="handle_seconds", from_unit="second", unit="hour")
    assert hours.meter(secs(7)).exact("handle_hours") == Fraction(7, 3600)
    # 1800 s + 5400 s = 7200 s = 2 h
    assert hours.meter(secs(1800, 5400)).quantity("handle_hours") == 2


def test_per_started_minute_in_minutes() -> None:
    usage = minutes_meter(increment=60).meter(secs(61, 59, 120))
    assert usage.exact("handle_minutes") == 2 + 1 + 2


# -- aggregations ---------------------------------------------------------------------------


def test_count_counts_events_by_group() -> None:
    calls = Meter("calls", source="handle_seconds", aggregation="count", group_by=["channel"])
    events = [
        *secs(185, 185, dims={"channel": "phone", "language": "de"}),
        *secs(20, dims={"channel": "phone", "language": "fr"}),
        *secs(600, dims={"channel": "chat", "language": "de"}),
    ]
    usage = calls.meter(events)
    assert usage.groups("calls", ["channel"]) == {
        Dimensions({"channel": "phone"}): 3,
        Dimensions({"channel": "chat"}): 1,
    }


def test_max_takes_the_largest_billable_quantity() -> None:
    peak = Meter("peak", source="agents", aggregation="max", group_by=["site"])
    events = [
        Event("agents", 12, at(3, 9), {"site": "lisbon"}),
        Event("agents", 17, at(3, 14), {"site": "lisbon"}),
        Event("agents", 15, at(4, 9), {"site": "lisbon"}),
        Event("agents", 4, at(3, 9), {"site": "cairo"}),
    ]
    usage = peak.meter(events)
    assert usage.exact("peak", {"site": "lisbon"}) == 17
    assert usage.exact("peak", {"site": "cairo"}) == 4
    assert peak.meter(list(reversed(events))) == usage


def test_max_applies_increment_and_conversion() -> None:
    longest = Meter(
        "longest",
        source="handle_seconds",
        aggregation="max",
        increment=60,
        from_unit="second",
        unit="minute",
    )
    assert longest.meter(secs(61, 30, 119)).exact("longest") == 2  # 119 s -> 120 s = 2 min


def test_latest_takes_the_last_event_and_breaks_ties_by_value() -> None:
    seats = Meter("seats", source="seats_reported", aggregation="latest")
    events = [
        Event("seats_reported", 20, at(1)),
        Event("seats_reported", 18, at(30, 17)),
        Event("seats_reported", 25, at(15)),
    ]
    assert seats.meter(events).exact("seats") == 18  # 30 Nov is the latest report
    # two reports at the same instant: the larger value wins, in either order
    tied = [Event("seats_reported", 18, at(30, 17)), Event("seats_reported", 19, at(30, 17))]
    assert seats.meter(tied).exact("seats") == 19
    assert seats.meter(list(reversed(tied))).exact("seats") == 19
    # merging metered parts resolves the tie the same way
    merged = seats.meter(tied[:1]) + seats.meter(tied[1:])
    assert merged == seats.meter(tied)
    assert seats.meter(tied[1:]) + seats.meter(tied[:1]) == merged


def test_latest_by_group_with_where_and_conversion() -> None:
    meter = Meter(
        "last_call_min",
        source="handle_seconds",
        aggregation="latest",
        group_by=["channel"],
        where={"language": "de"},
        from_unit="second",
        unit="minute",
        increment=6,
    )
    events = [
        Event("handle_seconds", 185, at(3, 9), {"channel": "phone", "language": "de"}),
        Event("handle_seconds", 31, at(3, 10), {"channel": "phone", "language": "de"}),
        Event("handle_seconds", 600, at(3, 11), {"channel": "phone", "language": "fr"}),
    ]
    # the 10:00 German call: 31 s -> 36 s = 0.6 min; the later French call is filtered out
    assert meter.meter(events).groups("last_call_min", ["channel"]) == {
        Dimensions({"channel": "phone"}): Fraction(3, 5)
    }


def test_distinct_counts_dimension_values() -> None:
    agents = Meter(
        "agents_seen", source="login", aggregation="distinct", distinct="agent", group_by=["site"]
    )
    events = [
        Event("login", 1, at(3), {"agent": "ana", "site": "lisbon"}),
        Event("login", 1, at(4), {"agent": "ana", "site": "lisbon"}),
        Event("login", 1, at(4), {"agent": "ben", "site": "lisbon"}),
        Event("login", 1, at(4), {"agent": "cho", "site": "cairo"}),
    ]
    usage = agents.meter(events)
    assert usage.exact("agents_seen", {"site": "lisbon"}) == 2  # ana twice counts once
    assert usage.exact("agents_seen", {"site": "cairo"}) == 1


def test_distinct_needs_the_dimension() -> None:
    agents = Meter("agents_seen", source="login", aggregation="distinct", distinct="agent")
    events = [Event("login", 1, at(3), {"site": "lisbon"})] * 2
    with pytest.raises(
        UsageError, match="counts distinct 'agent' but 2 event\\(s\\) of 'login' lack"
    ):
        agents.meter(events)


# -- grouping and filtering -----------------------------------------------------------------


def test_group_by_projects_dimensions() -> None:
    events = [
        *secs(60, dims={"channel": "phone", "language": "de", "agent": "ana"}),
        *secs(120, dims={"channel": "phone", "language": "fr", "agent": "ben"}),
        *secs(30, dims={"channel": "chat", "language": "de", "agent": "ana"}),
    ]
    by_channel = minutes_meter(group_by=["channel"]).meter(events)
    assert {dims: q for _, dims, q in by_channel.items()} == {
        Dimensions({"channel": "phone"}): 3,  # 60 + 120 s
        Dimensions({"channel": "chat"}): Fraction(1, 2),
    }
    everything = minutes_meter(group_by=[]).meter(events)
    assert [(str(dims), q) for _, dims, q in everything.items()] == [("", Fraction(7, 2))]
    ungrouped = minutes_meter().meter(events)
    assert len(ungrouped) == 3  # every event's own dimensions


def test_where_filters_events() -> None:
    events = [
        *secs(60, dims={"channel": "phone", "language": "de"}),
        *secs(120, dims={"channel": "phone", "language": "nl"}),
        *secs(30, dims={"channel": "chat"}),
    ]
    efigs = minutes_meter(where={"language": ["en", "fr", "it", "de", "es"]})
    assert efigs.meter(events).exact("handle_minutes") == 1  # only the 60 s German call


# -- negative quantities --------------------------------------------------------------------


def test_negative_quantities_are_refused_by_default() -> None:
    with pytest.raises(
        UsageError,
        match=r"meter 'handle_minutes': 2 event\(s\) of 'handle_seconds' have the negative "
        r"quantity -60",
    ):
        minutes_meter().meter(secs(60, -60, -60))


def test_negative_quantities_when_allowed_cancel_what_they_correct() -> None:
    meter = minutes_meter(increment=6, minimum=30, allow_negative=True)
    # +7 s bills 30 s (6 s, lifted to the 30 s minimum); its correction -7 s takes 30 s away
    assert meter.billable(Decimal(-7)) == -30
    assert meter.meter(secs(7, -7)).exact("handle_minutes") == 0
    # 185 s -> 186 s; -61 s -> -66 s: 120 s = 2 min
    assert meter.meter(secs(185, -61)).exact("handle_minutes") == 2
    plain = Meter("balance", allow_negative=True)
    assert (
        plain.meter([Event("balance", -5, at(3)), Event("balance", 2, at(4))]).exact("balance")
        == -3
    )


# -- meter_events ---------------------------------------------------------------------------


def test_unknown_metrics_are_a_usage_error_with_their_count() -> None:
    events = [*secs(60), Event("x", 1, at(3)), Event("x", 1, at(3)), Event("y", 2, at(4))]
    with pytest.raises(
        UsageError,
        match=r"3 event\(s\) have metrics that no meter reads: x, y "
        r"\(meters read: handle_seconds\)",
    ):
        meter_events([minutes_meter()], events)
    with pytest.raises(UsageError, match=r"\(meters read: nothing\)"):
        meter_events([], events)
    lenient = meter_events([minutes_meter()], events, strict=False)
    assert lenient.metrics == frozenset({"handle_minutes"})
    assert lenient.exact("handle_minutes") == 1


def test_several_meters_read_one_source_in_one_pass() -> None:
    meters = [
        minutes_meter(increment=6),
        Meter("calls", source="handle_seconds", aggregation="count"),
        Meter("orders"),
    ]
    usage = meter_events(meters, [*secs(185, 31), Event("orders", 2, at(5))])
    assert usage.exact("handle_minutes") == Fraction(222, 60)  # 186 + 36 s
    assert usage.exact("calls") == 2
    assert usage.exact("orders") == 2


def test_meter_alone_ignores_other_metrics() -> None:
    usage = minutes_meter().meter([*secs(60), Event("orders", 2, at(5))])
    assert usage.metrics == frozenset({"handle_minutes"})


def test_meter_events_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="meters must have distinct names"):
        meter_events([Meter("m"), Meter("m", source="other")], [])
    with pytest.raises(TypeError, match="event 0 is not an Event: 'call'"):
        meter_events([Meter("m")], ["call"])  # type: ignore[list-item]
    assert meter_events([Meter("m")], iter([])) == Usage.empty()


def test_time_window_is_half_open() -> None:
    events = [
        Event("calls", 1, at(1, 0, 0)),  # at the start: in
        Event("calls", 2, at(15)),
        Event("calls", 4, dt.datetime(2026, 12, 1, 0, 0)),  # at the end: out
        Event("calls", 8, dt.datetime(2026, 10, 31, 23, 59)),  # before: out
    ]
    start, end = dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1)
    meter = Meter("calls")
    assert meter.meter(events, start=start, end=end).exact("calls") == 3
    assert meter.meter(events, start=start).exact("calls") == 7
    assert meter.meter(events, end=end).exact("calls") == 11
    assert meter.meter(events).exact("calls") == 15


def test_naive_and_aware_timestamps_do_not_mix() -> None:
    mixed = [Event("calls", 1, at(3)), Event("calls", 1, at(4, tz=UTC))]
    with pytest.raises(
        UsageError,
        match=r"event 1 \(calls at 2026-11-04T09:00:00\+00:00\) is time-zone aware "
        r"while event 0 is naive",
    ):
        Meter("calls").meter(mixed)
    with pytest.raises(UsageError, match=r"event 1 .* is naive while event 0 is time-zone aware"):
        Meter("calls").meter(list(reversed(mixed)))
    aware_bounds = {
        "start": dt.datetime(2026, 11, 1, tzinfo=UTC),
        "end": dt.datetime(2026, 12, 1, tzinfo=UTC),
    }
    with pytest.raises(
        UsageError, match=r"event 0 .* is naive but the billing period is time-zone aware"
    ):
        Meter("calls").meter(mixed, start=aware_bounds["start"], end=aware_bounds["end"])
    with pytest.raises(UsageError, match="is time-zone aware but the billing period is naive"):
        Meter("calls").meter(list(reversed(mixed)), end=dt.datetime(2026, 12, 1))
    with pytest.raises(UsageError, match="is naive but the billing period is time-zone aware"):
        Meter("calls").meter(mixed, start=dt.datetime(2026, 11, 1, tzinfo=UTC))


def test_period_bounds_follow_the_contract_time_zone() -> None:
    # 23:30 in New York on 30 November is 04:30 UTC on 1 December
    late_call = Event("calls", 1, dt.datetime(2026, 11, 30, 23, 30, tzinfo=NEW_YORK))
    rate = [PerUnit("Calls", metric="calls", rate="1.00 EUR")]
    utc = Contract("UTC", "EUR", rate)
    new_york = Contract("NY", "EUR", rate, timezone="America/New_York")
    assert utc.meter([late_call], "2026-11").exact("calls") == 0
    assert utc.meter([late_call], "2026-12").exact("calls") == 1
    assert new_york.meter([late_call], "2026-11").exact("calls") == 1
    assert new_york.meter([late_call], Period.month(2026, 12)).exact("calls") == 0
    assert new_york.bounds(Period.month(2026, 11)) == (
        dt.datetime(2026, 11, 1, tzinfo=NEW_YORK),
        dt.datetime(2026, 12, 1, tzinfo=NEW_YORK),
    )
    # naive timestamps are wall-clock time in the contract's zone
    naive = Event("calls", 1, dt.datetime(2026, 11, 30, 23, 30))
    assert new_york.meter([naive], "2026-11").exact("calls") == 1
    assert utc.meter([naive], "2026-11").exact("calls") == 1


def test_metering_partitions_merge_to_the_whole() -> None:
    meter = minutes_meter(increment=6, group_by=["channel"])
    events = [
        *secs(185, 7, dims={"channel": "phone", "language": "de"}),
        *secs(61, 61, 300, dims={"channel": "chat", "language": "fr"}),
    ]
    whole = meter.meter(events)
    assert meter.meter(events[:2]) + meter.meter(events[2:]) == whole
    assert meter.meter(events[::2]) + meter.meter(events[1::2]) == whole
    # phone: 186 + 12 = 198 s = 3.3 min; chat: 66 + 66 + 300 = 432 s = 7.2 min
    assert whole.exact("handle_minutes", {"channel": "phone"}) == Fraction(33, 10)
    assert whole.exact("handle_minutes", {"channel": "chat"}) == Fraction(36, 5)


def test_describe() -> None:
    meter = minutes_meter(increment=6, minimum=30, group_by=["channel"], where={"language": "de"})
    assert meter.describe() == (
        "handle_minutes: sum of handle_seconds, rounded up per event to multiples of 6, "
        "at least 30 per event, converted from seconds to minutes, grouped by channel, "
        "where language=de"
    )
    assert Meter(
        "agents", source="login", aggregation="distinct", distinct="agent", group_by=[]
    ).describe() == ("agents: distinct of login, counting distinct agent, grouped by nothing")
    assert Meter("orders").describe() == "orders: sum of orders"
