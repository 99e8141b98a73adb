"""Meters, their conditions and the events they read: what mutation testing found unpinned.

Share meters (a condition on the quantity, matching dimensions, both), how a
condition is read and normalised and its error messages, the validation of a meter's
options and its description; the day of each event in the metering time zone (for
sums, latest values and time bands), the billing period bounds in a repeated hour,
the messages about naive and aware timestamps, unknown metrics and negative
quantities, and the report of duplicate events. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Dimensions, Event, Meter, UsageError, meter_events
from meterprice.bands import Band, TimeBands
from meterprice.errors import ContractError, InvalidTypeError, InvalidValueError
from meterprice.ids import Duplicates
from meterprice.metering import parse_condition

UTC = dt.timezone.utc
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DAY_2 = dt.date(2026, 11, 2)
DAY_3 = dt.date(2026, 11, 3)
NO_DIMS = Dimensions()


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


NAIVE = dt.datetime(2026, 11, 3, 9, 0)


# -- conditions --------------------------------------------------------------------------


def test_a_condition_is_read_as_its_comparison_and_exact_bound() -> None:
    assert parse_condition("<= 20") == ("<=", Decimal("20"))
    assert parse_condition("  >=2.50 ") == (">=", Decimal("2.50"))
    assert parse_condition("!= 0") == ("!=", Decimal("0"))


def test_a_condition_that_compares_nothing_is_refused_with_the_comparisons_listed() -> None:
    message = (
        r"^condition must compare the quantity with a number, such as '<= 20' "
        r"\(one of <=, <, >=, >, ==, !=\), not 'about 20'$"
    )
    with pytest.raises(InvalidValueError, match=message):
        parse_condition("about 20")


def test_a_condition_that_is_not_text_is_refused_as_a_value() -> None:
    message = (
        r"^condition must compare the quantity with a number, such as '<= 20' "
        r"\(one of <=, <, >=, >, ==, !=\), not 20$"
    )
    with pytest.raises(InvalidValueError, match=message):
        parse_condition(20)  # type: ignore[arg-type]


def test_a_condition_bound_that_is_not_a_number_is_named_condition() -> None:
    with pytest.raises(InvalidValueError, match=r"^condition is not a decimal number: 'abc'$"):
        parse_condition("<= abc")


def test_a_meter_keeps_its_condition_normalised() -> None:
    # spaces around the comparison are normalised, the bound keeps its written form
    meter = Meter("fast", source="answer_seconds", aggregation="share", condition=" <=20.0 ")
    assert meter.condition == "<= 20.0"
    assert Meter("fast", aggregation="share", condition=">1").condition == "> 1"


def test_a_meter_refuses_a_condition_that_is_not_a_string() -> None:
    message = r"^condition must be a string such as '<= 20', not 20$"
    with pytest.raises(InvalidTypeError, match=message):
        Meter("fast", aggregation="share", condition=20)


def test_a_meter_refuses_a_condition_it_cannot_read() -> None:
    with pytest.raises(InvalidValueError, match=r"not 'within 20'$"):
        Meter("fast", aggregation="share", condition="within 20")


# -- meeting a share's condition ---------------------------------------------------------


def test_meets_compares_the_quantity_with_the_bound_including_it() -> None:
    meter = Meter("fast", source="answer_seconds", aggregation="share", condition="<= 20")
    assert meter.meets(Decimal("20"), NO_DIMS)  # the bound itself: 20 <= 20
    assert meter.meets(Decimal("3"), NO_DIMS)
    assert not meter.meets(Decimal("20.5"), NO_DIMS)
    strict = Meter("slow", aggregation="share", condition="> 20")
    assert not strict.meets(Decimal("20"), NO_DIMS)
    assert strict.meets(Decimal("21"), NO_DIMS)


def test_meets_reads_the_dimensions_of_the_event() -> None:
    meter = Meter("abandoned", source="calls", aggregation="share", matching={"outcome": "lost"})
    assert meter.meets(Decimal("1"), Dimensions({"outcome": "lost"}))
    assert not meter.meets(Decimal("1"), Dimensions({"outcome": "answered"}))
    both = Meter(
        "fast_answered",
        aggregation="share",
        condition="< 20",
        matching={"outcome": "answered"},
    )
    assert both.meets(Decimal("19"), Dimensions({"outcome": "answered"}))
    assert not both.meets(Decimal("19"), Dimensions({"outcome": "lost"}))
    assert not both.meets(Decimal("20"), Dimensions({"outcome": "answered"}))


def test_a_share_meter_counts_the_events_within_the_condition() -> None:
    # answers after 20 s (on the bound: counts), 21 s (does not) and 5 s: 2 of 3
    meter = Meter("fast", source="answer_seconds", aggregation="share", condition="<= 20")
    events = [Event("answer_seconds", q, NAIVE) for q in (20, 21, 5)]
    usage = meter_events([meter], events)
    assert list(usage.daily_items()) == [(DAY_3, "fast", NO_DIMS, Fraction(2, 3))]


def test_a_share_meter_counts_the_events_with_matching_dimensions() -> None:
    # 1 lost call of 4, in one group (group_by nothing): 1/4
    meter = Meter(
        "abandon_rate",
        source="calls",
        aggregation="share",
        matching={"outcome": "lost"},
        group_by=[],
    )
    outcomes = ("answered", "lost", "answered", "answered")
    events = [Event("calls", 1, NAIVE, {"outcome": outcome}) for outcome in outcomes]
    usage = meter_events([meter], events)
    assert list(usage.daily_items()) == [(DAY_3, "abandon_rate", NO_DIMS, Fraction(1, 4))]


def test_a_share_meter_with_a_condition_and_matching_needs_both() -> None:
    # (10 s, answered) counts; (10 s, lost) and (30 s, answered) do not: 1 of 3
    meter = Meter(
        "fast_answered",
        source="answer_seconds",
        aggregation="share",
        condition="<= 20",
        matching={"outcome": "answered"},
        group_by=[],
    )
    events = [
        Event("answer_seconds", 10, NAIVE, {"outcome": "answered"}),
        Event("answer_seconds", 10, NAIVE, {"outcome": "lost"}),
        Event("answer_seconds", 30, NAIVE, {"outcome": "answered"}),
    ]
    usage = meter_events([meter], events)
    assert usage.exact("fast_answered") == Fraction(1, 3)


# -- validating a meter ------------------------------------------------------------------


def test_an_unknown_unit_lists_the_known_ones() -> None:
    message = (
        r"^meter 'm': cannot convert unit 'fortnight'; known units are second, minute, hour, day$"
    )
    with pytest.raises(ContractError, match=message):
        Meter("m", from_unit="second", unit="fortnight")


def test_a_share_meter_needs_a_condition_or_matching_dimensions() -> None:
    message = (
        r"^meter 'm': aggregation 'share' needs a condition \('<= 20'\) or matching "
        r"dimensions that say which events count$"
    )
    with pytest.raises(ContractError, match=message):
        Meter("m", aggregation="share")


def test_a_share_meter_with_only_a_condition_or_only_matching_is_valid() -> None:
    by_condition = Meter("m", aggregation="share", condition="<= 20")
    assert (by_condition.condition, bool(by_condition.matching)) == ("<= 20", False)
    by_matching = Meter("m", aggregation="share", matching={"outcome": "lost"})
    assert (by_matching.condition, str(by_matching.matching)) == (None, "outcome=lost")


def test_a_condition_or_matching_belongs_to_a_share_meter() -> None:
    message = r"^meter 'm': condition and matching apply to aggregation 'share', not to 'sum'$"
    with pytest.raises(ContractError, match=message):
        Meter("m", condition="<= 20")
    with pytest.raises(ContractError, match=message):
        Meter("m", matching={"outcome": "lost"})
    count = r"^meter 'm': condition and matching apply to aggregation 'share', not to 'count'$"
    with pytest.raises(ContractError, match=count):
        Meter("m", aggregation="count", condition="<= 20", matching={"outcome": "lost"})


# -- billable quantities and descriptions ------------------------------------------------


def test_a_quantity_at_the_minimum_is_kept_as_written() -> None:
    # 30 meets the 30.00 minimum: it is not replaced by the minimum's written form
    meter = Meter("m", minimum="30.00")
    assert str(meter.billable(Decimal("30"))) == "30"
    assert str(meter.billable(Decimal("29"))) == "30.00"
    assert str(meter.billable(Decimal("30.5"))) == "30.5"


def test_a_share_meter_describes_its_condition_and_matching() -> None:
    by_condition = Meter("fast", source="answer_seconds", aggregation="share", condition="<= 20")
    described = by_condition.describe()
    assert described == "fast: share of answer_seconds, the events with quantity <= 20"
    by_matching = Meter(
        "abandon_rate",
        source="calls",
        aggregation="share",
        matching={"outcome": "lost"},
        group_by=["queue", "language"],
    )
    assert by_matching.describe() == (
        "abandon_rate: share of calls, the events matching outcome=lost, grouped by language, queue"
    )


def test_a_meter_with_time_bands_describes_them() -> None:
    bands = TimeBands([Band("night", "22:00", "06:00")], timezone="America/New_York")
    meter = Meter("seconds", bands=bands)
    assert meter.describe() == (
        "seconds: sum of seconds, with time bands band: night 22:00-06:00 every day; "
        "otherwise day (America/New_York)"
    )


# -- days in the metering time zone ------------------------------------------------------


def test_events_are_dated_by_their_day_in_the_metering_time_zone() -> None:
    # 02:00 UTC on 3 November is 21:00 on 2 November in New York (EST, UTC-5);
    # 15:00 UTC is 10:00 on the 3rd
    events = [Event("calls", 1, utc(3, 2)), Event("calls", 1, utc(3, 15))]
    usage = meter_events([Meter("calls", aggregation="count")], events, timezone="America/New_York")
    assert list(usage.daily_items()) == [
        (DAY_2, "calls", NO_DIMS, Fraction(1)),
        (DAY_3, "calls", NO_DIMS, Fraction(1)),
    ]


def test_meter_alone_dates_events_in_its_time_zone() -> None:
    events = [Event("calls", 1, utc(3, 2)), Event("calls", 1, utc(3, 15))]
    usage = Meter("calls", aggregation="count").meter(events, timezone="America/New_York")
    assert [day for day, *_ in usage.daily_items()] == [DAY_2, DAY_3]


def test_a_latest_meter_keeps_the_latest_value_of_each_local_day() -> None:
    # 5 agents at 02:00 UTC (2 November in New York), 7 at 15:00 UTC (3 November):
    # each is the latest of its own day
    events = [Event("agents", 5, utc(3, 2)), Event("agents", 7, utc(3, 15))]
    meter = Meter("agents", aggregation="latest")
    usage = meter_events([meter], events, timezone="America/New_York")
    assert list(usage.daily_items()) == [
        (DAY_2, "agents", NO_DIMS, Fraction(5)),
        (DAY_3, "agents", NO_DIMS, Fraction(7)),
    ]


# -- time bands --------------------------------------------------------------------------


NIGHT = TimeBands([Band("night", "22:00", "06:00")], timezone="America/New_York")


def test_a_banded_meter_labels_its_own_events_by_band_and_local_day() -> None:
    # 02:00 UTC = 21:00 on the 2nd in New York (day band), 03:30 UTC = 22:30 on the
    # 2nd (night), 15:00 UTC = 10:00 on the 3rd (day); the calls of the other meter
    # are not banded
    banded = Meter("seconds", bands=NIGHT)
    events = [
        Event("seconds", 60, utc(3, 2)),
        Event("seconds", 45, utc(3, 3, 30)),
        Event("seconds", 30, utc(3, 15)),
        Event("calls", 1, utc(3, 15)),
    ]
    usage = meter_events(
        [banded, Meter("calls", aggregation="count")], events, timezone="America/New_York"
    )
    day, night = Dimensions({"band": "day"}), Dimensions({"band": "night"})
    assert list(usage.daily_items()) == [
        (DAY_2, "seconds", day, Fraction(60)),
        (DAY_2, "seconds", night, Fraction(45)),
        (DAY_3, "calls", NO_DIMS, Fraction(1)),
        (DAY_3, "seconds", day, Fraction(30)),
    ]


def test_a_banded_latest_meter_keeps_the_latest_value_of_each_band_and_local_day() -> None:
    # 4 agents at 21:00 on the 2nd (day), 6 at 22:30 on the 2nd (night), 3 at 23:00
    # on the 2nd (night, the latest of the night), 8 at 10:00 on the 3rd (day)
    events = [
        Event("agents", 4, utc(3, 2)),
        Event("agents", 6, utc(3, 3, 30)),
        Event("agents", 3, utc(3, 4)),
        Event("agents", 8, utc(3, 15)),
    ]
    meter = Meter("agents", aggregation="latest", bands=NIGHT)
    usage = meter_events([meter], events, timezone="America/New_York")
    day, night = Dimensions({"band": "day"}), Dimensions({"band": "night"})
    assert list(usage.daily_items()) == [
        (DAY_2, "agents", day, Fraction(4)),
        (DAY_2, "agents", night, Fraction(3)),
        (DAY_3, "agents", day, Fraction(8)),
    ]


# -- the billing period in a repeated hour -----------------------------------------------


# 1 November 2026 01:30 in New York happens twice: first in EDT (05:30 UTC), then,
# with fold=1, in EST (06:30 UTC)
FIRST = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
SECOND = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)


def test_a_period_end_in_a_repeated_hour_compares_instants() -> None:
    # end at the second 01:30 (06:30 UTC): the first 01:30 (05:30 UTC) is before it
    events = [Event("calls", 1, FIRST), Event("calls", 1, SECOND)]
    usage = meter_events([Meter("calls", aggregation="count")], events, end=SECOND)
    assert usage.quantity("calls") == 1


def test_a_period_start_in_a_repeated_hour_compares_instants() -> None:
    # start at the second 01:30 (06:30 UTC): the first 01:30 (05:30 UTC) is before it,
    # the second is on it
    events = [Event("calls", 1, FIRST), Event("calls", 10, SECOND)]
    usage = meter_events([Meter("calls")], events, start=SECOND)
    assert usage.quantity("calls") == 10


# -- messages about the events -----------------------------------------------------------


def test_mixed_naive_and_aware_events_are_refused() -> None:
    events = [Event("calls", 1, NAIVE), Event("calls", 1, utc(3, 9))]
    message = (
        r"^event 1 \(calls at 2026-11-03T09:00:00\+00:00\) is time-zone aware while "
        r"event 0 is naive: do not mix naive and aware timestamps$"
    )
    with pytest.raises(UsageError, match=message):
        meter_events([Meter("calls")], events)


def test_aware_events_in_different_zones_are_not_a_mix() -> None:
    plus_one = dt.timezone(dt.timedelta(hours=1))
    events = [Event("calls", 2, utc(3, 9)), Event("calls", 3, utc(3, 9).astimezone(plus_one))]
    assert meter_events([Meter("calls")], events).quantity("calls") == 5


def test_naive_events_in_an_aware_period_are_refused() -> None:
    message = (
        r"^event 0 \(calls at 2026-11-03T09:00:00\) is naive but the billing period is "
        r"time-zone aware: do not mix naive and aware timestamps$"
    )
    with pytest.raises(UsageError, match=message):
        meter_events([Meter("calls")], [Event("calls", 1, NAIVE)], start=utc(1, 0))


def test_unknown_metrics_are_counted_and_the_meters_sources_listed() -> None:
    meters = [Meter("calls"), Meter("minutes", source="seconds")]
    events = [Event("chats", 1, NAIVE), Event("emails", 2, NAIVE), Event("chats", 1, NAIVE)]
    message = (
        r"^3 event\(s\) have metrics that no meter reads: chats, emails "
        r"\(meters read: calls, seconds\)$"
    )
    with pytest.raises(UsageError, match=message):
        meter_events(meters, events)


def test_a_negative_quantity_is_named_even_after_a_zero() -> None:
    # the zero comes first but is not negative: the message names -5
    events = [Event("seconds", 0, NAIVE), Event("seconds", -5, NAIVE), Event("seconds", -5, NAIVE)]
    message = (
        r"^meter 'seconds': 2 event\(s\) of 'seconds' have the negative quantity -5 "
        r"\(no dimensions\); negative quantities are refused unless the meter allows them$"
    )
    with pytest.raises(UsageError, match=message):
        meter_events([Meter("seconds")], events)


def test_a_negative_quantity_is_named_with_its_dimensions() -> None:
    events = [
        Event("seconds", "0.5", NAIVE, {"queue": "vip"}),
        Event("seconds", -5, NAIVE, {"queue": "vip"}),
    ]
    message = (
        r"^meter 'seconds': 1 event\(s\) of 'seconds' have the negative quantity -5 "
        r"\(queue=vip\); negative quantities are refused unless the meter allows them$"
    )
    with pytest.raises(UsageError, match=message):
        meter_events([Meter("seconds")], events)


def test_the_usage_reports_the_duplicate_events_counted_once() -> None:
    # c-1 three times and c-2 once: 2 repeats left out, 1 + 1 = 2 calls counted
    events = [
        Event("calls", 1, NAIVE, id="c-1"),
        Event("calls", 1, NAIVE, id="c-1"),
        Event("calls", 1, NAIVE, id="c-2"),
        Event("calls", 1, NAIVE, id="c-1"),
    ]
    usage = meter_events([Meter("calls", aggregation="count")], events)
    assert usage.quantity("calls") == 2
    assert usage.duplicates == Duplicates(2, ("c-1",))
