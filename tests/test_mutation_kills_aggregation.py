"""Aggregations, day buckets and time zones of meters: what mutation testing found unpinned.

The mean and the share of events (their exact totals and counts across several
dimension values, with a unit conversion), the latest event of a day in the contract's
zone and behind a filter, the calendar day of each event in a zone (a repeated hour
that runs past midnight), the period bounds compared by instant when they share the
events' zone, and the messages of the errors that name dimensions or a zone.
Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from fractions import Fraction

import pytest

from meterprice import Dimensions, Event, Meter, UsageError, meter_events

UTC = dt.timezone.utc
TOKYO = "Asia/Tokyo"  # UTC+9 all year
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NONE = Dimensions({})


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- the time zone --------------------------------------------------------------------------


def test_an_unknown_time_zone_is_named_in_the_error() -> None:
    with pytest.raises(
        UsageError, match=re.escape("timezone: unknown IANA time zone 'Mars/Olympus'")
    ):
        meter_events([Meter("calls")], [], timezone="Mars/Olympus")


# -- the day of each event ------------------------------------------------------------------


def test_aware_events_are_dated_by_their_day_in_the_zone() -> None:
    # Tokyo is 9 hours ahead: 14:00 UTC on 2 November is 23:00 there, still the 2nd;
    # 16:00 UTC is 01:00 on the 3rd
    events = [Event("calls", 1, utc(11, 2, 14)), Event("calls", 2, utc(11, 2, 16))]
    usage = meter_events([Meter("calls")], events, timezone=TOKYO)
    assert list(usage.daily_items()) == [
        (dt.date(2026, 11, 2), "calls", NONE, Fraction(1)),
        (dt.date(2026, 11, 3), "calls", NONE, Fraction(2)),
    ]


def test_naive_events_keep_their_own_date_whatever_the_zone() -> None:
    # a naive 20:00 on 2 November is the 2nd, even though 20:00 UTC would be the 3rd
    # in Tokyo
    events = [Event("calls", 3, dt.datetime(2026, 11, 2, 20))]
    usage = meter_events([Meter("calls")], events, timezone=TOKYO)
    assert list(usage.daily_items()) == [(dt.date(2026, 11, 2), "calls", NONE, Fraction(3))]


def test_a_repeated_hour_past_midnight_belongs_to_the_new_day() -> None:
    # Casey station turned its clocks back from 02:00 (UTC+11) to 23:00 (UTC+8) on
    # 5 March 2010: 23:00 on the 4th to 02:00 on the 5th came twice. The 5th began at
    # its first midnight, 13:00 UTC on the 4th.
    # 12:30 UTC = 23:30 on the 4th (+11), the first pass: the 4th;
    # 15:30 UTC = 23:30 on the 4th again (+8, fold 1), after the 5th began: the 5th;
    # 16:30 UTC = 00:30 on the 5th (+8, fold 1), before the 6th: the 5th.
    events = [
        Event("calls", 1, utc(3, 4, 12, 30, year=2010)),
        Event("calls", 10, utc(3, 4, 15, 30, year=2010)),
        Event("calls", 100, utc(3, 4, 16, 30, year=2010)),
    ]
    usage = meter_events([Meter("calls")], events, timezone="Antarctica/Casey")
    assert list(usage.daily_items()) == [
        (dt.date(2010, 3, 4), "calls", NONE, Fraction(1)),
        (dt.date(2010, 3, 5), "calls", NONE, Fraction(110)),  # 10 + 100
    ]


# -- latest ---------------------------------------------------------------------------------


def test_latest_is_taken_per_day_of_the_zone() -> None:
    # in Tokyo 14:00 UTC is 23:00 on the 2nd and 16:00 UTC 01:00 on the 3rd: each day
    # keeps its own latest report
    seats = Meter("seats", aggregation="latest")
    events = [Event("seats", 5, utc(11, 2, 14)), Event("seats", 7, utc(11, 2, 16))]
    usage = seats.meter(events, timezone=TOKYO)
    assert list(usage.daily_items()) == [
        (dt.date(2026, 11, 2), "seats", NONE, Fraction(5)),
        (dt.date(2026, 11, 3), "seats", NONE, Fraction(7)),
    ]
    assert usage.exact("seats") == 7  # over the period: the report of the 3rd


def test_latest_skips_filtered_events_and_reads_on() -> None:
    # the French report comes first and is filtered out; the two German ones still count
    seats = Meter("seats", aggregation="latest", where={"language": "de"}, group_by=[])
    events = [
        Event("seats", 50, utc(11, 2, 8), {"language": "fr"}),
        Event("seats", 4, utc(11, 2, 9), {"language": "de"}),
        Event("seats", 6, utc(11, 2, 10), {"language": "de"}),
    ]
    usage = seats.meter(events)
    assert list(usage.daily_items()) == [(dt.date(2026, 11, 2), "seats", NONE, Fraction(6))]


# -- mean -----------------------------------------------------------------------------------


def test_a_mean_adds_every_dimension_value_of_its_group_and_converts_units() -> None:
    # 6-second billing: 185 s -> 186 s, 31 s -> 36 s (twice, one on each channel);
    # all in one group: (186 + 36 + 36) / 3 = 258 / 3 = 86 s = 86/60 = 43/30 min
    mean = Meter(
        "mean_minutes",
        source="handle_seconds",
        aggregation="mean",
        from_unit="second",
        unit="minute",
        increment=6,
        group_by=[],
    )
    events = [
        Event("handle_seconds", 185, utc(11, 2, 9), {"channel": "phone"}),
        Event("handle_seconds", 31, utc(11, 2, 10), {"channel": "phone"}),
        Event("handle_seconds", 31, utc(11, 2, 11), {"channel": "chat"}),
    ]
    usage = mean.meter(events)
    assert list(usage.daily_items()) == [
        (dt.date(2026, 11, 2), "mean_minutes", NONE, Fraction(43, 30))
    ]


def test_a_mean_without_conversion_is_the_plain_average() -> None:
    # (10 + 20 + 60) / 3 = 30, the 20 and 60 on another dimension value
    mean = Meter("wait", aggregation="mean", group_by=[])
    events = [
        Event("wait", 10, utc(11, 2, 9), {"queue": "sales"}),
        Event("wait", 20, utc(11, 2, 10), {"queue": "support"}),
        Event("wait", 60, utc(11, 2, 11), {"queue": "support"}),
    ]
    assert mean.meter(events).exact("wait") == 30


# -- share ----------------------------------------------------------------------------------


def test_a_share_counts_the_events_meeting_its_condition_and_dimensions() -> None:
    # sales calls answered within 20 s, among all calls of the group: 12 s and 20 s
    # (the bound itself counts) do; 25 s is too slow and the 5 s support call does not
    # match: 2 of 4 = 1/2
    share = Meter(
        "answered_in_20",
        source="wait_seconds",
        aggregation="share",
        condition="<= 20",
        matching={"queue": "sales"},
        group_by=[],
    )
    events = [
        Event("wait_seconds", 12, utc(11, 2, 9), {"queue": "sales"}),
        Event("wait_seconds", 20, utc(11, 2, 10), {"queue": "sales"}),
        Event("wait_seconds", 25, utc(11, 2, 11), {"queue": "sales"}),
        Event("wait_seconds", 5, utc(11, 2, 12), {"queue": "support"}),
    ]
    usage = share.meter(events)
    assert list(usage.daily_items()) == [
        (dt.date(2026, 11, 2), "answered_in_20", NONE, Fraction(1, 2))
    ]


def test_a_share_of_every_event_is_one() -> None:
    # both calls were answered within 30 s: 2 of 2, not scaled by anything
    share = Meter("fast", source="wait", aggregation="share", condition="< 30")
    events = [Event("wait", 3, utc(11, 2, 9)), Event("wait", 29, utc(11, 2, 10))]
    assert share.meter(events).exact("fast") == 1


# -- errors naming dimensions ---------------------------------------------------------------


def test_a_negative_quantity_error_names_the_event_dimensions() -> None:
    events = [Event("secs", -5, utc(11, 2, 9), {"channel": "phone", "site": "x"})]
    with pytest.raises(
        UsageError,
        match=re.escape(
            "meter 'secs': 1 event(s) of 'secs' have the negative quantity -5 "
            "(channel=phone, site=x); negative quantities are refused unless the meter "
            "allows them"
        ),
    ):
        Meter("secs").meter(events)


def test_a_missing_distinct_dimension_names_the_dimensions_the_events_have() -> None:
    agents = Meter("agents", source="login", aggregation="distinct", distinct="agent")
    with pytest.raises(
        UsageError,
        match=re.escape(
            "meter 'agents' counts distinct 'agent' but 1 event(s) of 'login' lack that "
            "dimension (site=lisbon)"
        ),
    ):
        agents.meter([Event("login", 1, utc(11, 2, 9), {"site": "lisbon"})])
    with pytest.raises(
        UsageError,
        match=re.escape(
            "meter 'agents' counts distinct 'agent' but 2 event(s) of 'login' lack that "
            "dimension (no dimensions)"
        ),
    ):
        agents.meter([Event("login", 1, utc(11, 2, 9))] * 2)


# -- period bounds in the events' zone ------------------------------------------------------


def fall_back_events() -> list[Event]:
    # New York repeats 01:00-02:00 on 1 November 2026: 01:30 EDT (fold 0) is 05:30 UTC,
    # 01:30 EST (fold 1) is 06:30 UTC
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    return [Event("secs", 1, first), Event("secs", 2, first.replace(fold=1))]


def test_bounds_in_the_events_own_zone_compare_by_instant() -> None:
    # the bound is the second 01:30, in the same zone object as the events: only the
    # second event is at or after it, only the first before it
    bound = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    secs = Meter("secs")
    assert secs.meter(fall_back_events(), start=bound).exact("secs") == 2
    assert secs.meter(fall_back_events(), end=bound).exact("secs") == 1


def test_a_bound_in_a_zone_of_later_events_compares_by_instant() -> None:
    # the first event is stamped with a fixed offset (12:00+01:00 = 11:00 UTC, after the
    # bound), the others in New York like the bound: 05:30 UTC is before 06:30 UTC, so
    # 100 + 2 = 102 count from the bound on
    fixed = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    events = [Event("secs", 100, fixed), *fall_back_events()]
    bound = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    assert Meter("secs").meter(events, start=bound).exact("secs") == 102


def test_no_events_within_aware_bounds_is_empty_usage() -> None:
    usage = meter_events([Meter("secs")], [], start=utc(11, 1, 0), end=utc(12, 1, 0))
    assert not usage
    assert list(usage.daily_items()) == []
