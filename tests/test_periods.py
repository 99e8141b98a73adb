"""Example tests for periods, windows, proration and billing cycles."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from fractions import Fraction

import pytest

from meterprice import Cycle, Period, Window, proration

D = dt.date


def _strs(periods: object) -> list[str]:
    assert not isinstance(periods, str)
    return [str(p) for p in periods]  # type: ignore[attr-defined]


# -- Period ---------------------------------------------------------------------------------


def test_month() -> None:
    nov = Period.month(2026, 11)
    assert (nov.start, nov.end) == (D(2026, 11, 1), D(2026, 12, 1))
    assert nov.days == 30
    assert str(nov) == "2026-11"
    assert nov.is_month()
    assert Period.month(2026, 12).end == D(2027, 1, 1)
    assert Period.month(2026, 2).days == 28
    assert Period.month(2028, 2).days == 29  # leap year
    assert Period.month(2026, 1).days == 31


@pytest.mark.parametrize("month", [0, 13])
def test_month_out_of_range(month: int) -> None:
    with pytest.raises(ValueError, match=f"month must be 1 to 12 \\(got {month}\\)"):
        Period.month(2026, month)


def test_quarter() -> None:
    q4 = Period.quarter(2026, 4)
    assert (q4.start, q4.end) == (D(2026, 10, 1), D(2027, 1, 1))
    assert q4.days == 31 + 30 + 31
    assert Period.quarter(2026, 1).days == 31 + 28 + 31
    assert str(q4) == "2026-Q4"
    assert not q4.is_month()
    with pytest.raises(ValueError, match=r"quarter must be 1 to 4 \(got 5\)"):
        Period.quarter(2026, 5)


def test_year_and_day() -> None:
    assert Period.year(2026).days == 365
    assert Period.year(2028).days == 366
    assert str(Period.year(2026)) == "2026"
    day = Period.day(D(2026, 11, 5))
    assert (day.start, day.end, day.days) == (D(2026, 11, 5), D(2026, 11, 6), 1)
    assert str(day) == "2026-11-05"
    assert day.last_day == D(2026, 11, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", Period.month(2026, 11)),
        (" 2026-02 ", Period.month(2026, 2)),
        ("2026-Q4", Period.quarter(2026, 4)),
        ("2026-q1", Period.quarter(2026, 1)),
        ("2026", Period.year(2026)),
        ("2026-11-05", Period.day(D(2026, 11, 5))),
        ("2026-11-01..2026-11-16", Period(D(2026, 11, 1), D(2026, 11, 16))),
        ("2026-11-16 .. 2026-12-01", Period(D(2026, 11, 16), D(2026, 12, 1))),
    ],
)
def test_parse(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


def test_parse_round_trips_through_str() -> None:
    for text in ["2026-11", "2026-11-05", "2026-11-16..2026-12-01", "2026-01-31..2026-02-28"]:
        assert str(Period.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nov 2026", r"not a period: 'Nov 2026' \(expected YYYY-MM, YYYY-Qn"),
        ("2026-Q5", "not a period: '2026-Q5'"),
        ("", "not a period: ''"),
        ("2026-13", r"month must be 1 to 12 \(got 13\)"),
        ("2026-02-30", r"not an ISO date \(YYYY-MM-DD\): '2026-02-30'"),
        ("2026-11-16..2026-11-01", "must end after it starts"),
        ("2026-11-16..2026-11-16", "must end after it starts"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Period.parse(text)


def test_parse_needs_a_string() -> None:
    with pytest.raises(TypeError, match="a period must be written as a string, not 202611"):
        Period.parse(202611)  # type: ignore[arg-type]


def test_period_construction_and_validation() -> None:
    assert Period("2026-11-01", "2026-12-01") == Period.month(2026, 11)
    with pytest.raises(
        ValueError, match=r"end after it starts \(got start=2026-11-02, end=2026-11-01\)"
    ):
        Period(D(2026, 11, 2), D(2026, 11, 1))
    with pytest.raises(TypeError, match="must be a date, not a datetime"):
        Period(dt.datetime(2026, 11, 1), D(2026, 12, 1))
    with pytest.raises(TypeError, match="a date or an ISO date string, not 5"):
        Period(5, D(2026, 12, 1))
    with pytest.raises(ValueError, match=r"not an ISO date \(YYYY-MM-DD\): '2026/11/01'"):
        Period("2026/11/01", "2026-12-01")


def test_period_is_frozen_hashable_and_ordered() -> None:
    nov = Period.month(2026, 11)
    with pytest.raises(AttributeError):
        nov.start = D(2026, 11, 2)  # type: ignore[misc]
    assert len({nov, Period.parse("2026-11")}) == 1
    assert sorted([Period.month(2026, 12), nov, Period.day(D(2026, 11, 5))]) == [
        nov,
        Period.day(D(2026, 11, 5)),
        Period.month(2026, 12),
    ]


def test_days_last_day_and_dates() -> None:
    half = Period(D(2026, 11, 16), D(2026, 12, 1))
    assert half.days == 15
    assert half.last_day == D(2026, 11, 30)
    days = list(half.dates())
    assert len(days) == 15
    assert (days[0], days[-1]) == (D(2026, 11, 16), D(2026, 11, 30))


def test_contains_dates_and_datetimes() -> None:
    nov = Period.month(2026, 11)
    assert D(2026, 11, 1) in nov
    assert D(2026, 11, 30) in nov
    assert D(2026, 12, 1) not in nov  # the end is excluded
    assert D(2026, 10, 31) not in nov
    assert dt.datetime(2026, 11, 30, 23, 59, 59) in nov
    assert dt.datetime(2026, 12, 1, 0, 0) not in nov
    # an aware datetime counts by its own wall-clock date
    ny = zoneinfo.ZoneInfo("America/New_York")
    assert dt.datetime(2026, 11, 30, 23, 30, tzinfo=ny) in nov
    assert "2026-11-05" not in nov
    assert None not in nov


def test_is_month() -> None:
    assert not Period(D(2026, 11, 1), D(2026, 11, 30)).is_month()
    assert not Period(D(2026, 11, 2), D(2026, 12, 2)).is_month()
    assert not Period(D(2026, 11, 1), D(2027, 1, 1)).is_month()


def test_overlap() -> None:
    nov = Period.month(2026, 11)
    second_half = Period(D(2026, 11, 16), D(2026, 12, 16))
    assert nov.overlap(second_half) == Period(D(2026, 11, 16), D(2026, 12, 1))
    assert second_half.overlap(nov) == Period(D(2026, 11, 16), D(2026, 12, 1))
    assert nov.overlap(Period.month(2026, 12)) is None  # adjacent: no common day
    assert nov.overlap(Period.month(2027, 1)) is None
    assert nov.overlap(Window()) == nov
    assert nov.overlap(Window(start=D(2026, 11, 16))) == Period(D(2026, 11, 16), D(2026, 12, 1))
    assert nov.overlap(Window(end=D(2026, 11, 3))) == Period(D(2026, 11, 1), D(2026, 11, 3))
    assert nov.overlap(Window(start=D(2026, 12, 1))) is None


# -- Window ---------------------------------------------------------------------------------


def test_window_contains() -> None:
    always = Window()
    assert D(1900, 1, 1) in always
    assert D(2999, 1, 1) in always
    golive = Window(start=D(2026, 11, 16))
    assert D(2026, 11, 15) not in golive
    assert D(2026, 11, 16) in golive
    assert dt.datetime(2026, 11, 16, 0, 0) in golive
    assert dt.datetime(2026, 11, 15, 23, 59) not in golive
    phase = Window("2026-11-01", "2026-11-16")
    assert D(2026, 11, 15) in phase
    assert D(2026, 11, 16) not in phase
    assert "2026-11-05" not in phase


def test_window_within_and_covers() -> None:
    nov = Period.month(2026, 11)
    golive = Window(start=D(2026, 11, 16))
    assert golive.within(nov) == Period(D(2026, 11, 16), D(2026, 12, 1))
    assert not golive.covers(nov)
    assert golive.covers(Period.month(2026, 12))
    assert golive.within(Period.month(2026, 10)) is None
    assert not golive.covers(Period.month(2026, 10))
    assert Window().covers(nov)
    ended = Window(end=D(2026, 11, 1))
    assert ended.within(nov) is None


def test_window_validation_and_str() -> None:
    with pytest.raises(
        ValueError, match=r"a window must end after it starts \(got start=2026-11-16"
    ):
        Window(D(2026, 11, 16), D(2026, 11, 16))
    assert str(Window()) == "[..., ...)"
    assert str(Window(start=D(2026, 11, 16))) == "[2026-11-16, ...)"
    assert str(Window(end="2026-12-01")) == "[..., 2026-12-01)"
    assert str(Window("2026-11-01", "2026-11-16")) == "[2026-11-01, 2026-11-16)"
    with pytest.raises(TypeError, match="not a datetime"):
        Window(start=dt.datetime(2026, 11, 16))


# -- proration ------------------------------------------------------------------------------


def test_proration_by_days() -> None:
    nov = Period.month(2026, 11)
    # 15 Nov to 30 Nov inclusive is 16 of 30 days: 16/30 = 8/15
    assert proration(Period(D(2026, 11, 15), D(2026, 12, 1)), nov) == Fraction(8, 15)
    # go-live on the 16th: 15 of 30 days = 1/2
    assert proration(Period(D(2026, 11, 16), D(2026, 12, 1)), nov) == Fraction(1, 2)
    # one day of a 31-day month
    assert proration(Period.day(D(2026, 12, 31)), Period.month(2026, 12)) == Fraction(1, 31)
    # 15 of the 29 days of February 2028
    feb = Period.month(2028, 2)
    assert proration(Period(D(2028, 2, 15), D(2028, 3, 1)), feb) == Fraction(15, 29)
    assert proration(nov, nov) == 1
    assert proration(None, nov) == 0
    assert proration(Period.month(2026, 12), nov) == 0  # no common day
    # a part larger than the whole is clipped to it
    assert proration(Period(D(2026, 10, 1), D(2027, 1, 1)), nov) == 1


# -- Cycle ----------------------------------------------------------------------------------


def test_monthly_anchor_1_is_calendar_months() -> None:
    cycle = Cycle.monthly()
    assert cycle.period_of(D(2026, 11, 17)) == Period.month(2026, 11)
    assert cycle.period_of(D(2026, 11, 1)) == Period.month(2026, 11)
    assert cycle.period_of(D(2026, 11, 30)) == Period.month(2026, 11)
    assert cycle.period_of(D(1999, 3, 4)) == Period.month(1999, 3)  # before the anchor
    assert _strs(cycle.periods(D(2026, 11, 16), D(2027, 2, 1))) == ["2026-11", "2026-12", "2027-01"]


def test_monthly_anchor_31_clamps_and_never_skips_a_month() -> None:
    cycle = Cycle.monthly(anchor_day=31)
    periods = list(cycle.periods(D(2026, 1, 31), D(2026, 5, 1)))
    assert _strs(periods) == [
        "2026-01-31..2026-02-28",  # February has no 31st: its period starts on the 28th
        "2026-02-28..2026-03-31",  # and March goes back to the 31st
        "2026-03-31..2026-04-30",
        "2026-04-30..2026-05-31",
    ]
    for before, after in itertools.pairwise(periods):
        assert before.end == after.start  # contiguous
    assert [p.days for p in periods] == [28, 31, 30, 31]


def test_monthly_anchor_31_in_a_leap_year() -> None:
    cycle = Cycle.monthly(31)
    assert _strs(cycle.periods(D(2028, 1, 31), D(2028, 4, 1))) == [
        "2028-01-31..2028-02-29",
        "2028-02-29..2028-03-31",
        "2028-03-31..2028-04-30",
    ]
    assert cycle.period_of(D(2028, 2, 28)) == Period(D(2028, 1, 31), D(2028, 2, 29))
    assert cycle.period_of(D(2028, 2, 29)) == Period(D(2028, 2, 29), D(2028, 3, 31))
    assert cycle.period_of(D(2026, 2, 27)) == Period(D(2026, 1, 31), D(2026, 2, 28))


def test_monthly_anchor_15() -> None:
    cycle = Cycle.monthly(15)
    assert cycle.period_of(D(2026, 11, 14)) == Period(D(2026, 10, 15), D(2026, 11, 15))
    assert cycle.period_of(D(2026, 11, 15)) == Period(D(2026, 11, 15), D(2026, 12, 15))


@pytest.mark.parametrize("day", [0, 32])
def test_monthly_anchor_day_range(day: int) -> None:
    with pytest.raises(ValueError, match=f"anchor_day must be 1 to 31 \\(got {day}\\)"):
        Cycle.monthly(day)


def test_weekly_on_a_weekday() -> None:
    wednesday = Cycle.weekly(2)
    # 5 Nov 2026 is a Thursday; its week started on Wednesday 4 Nov
    assert wednesday.period_of(D(2026, 11, 5)) == Period(D(2026, 11, 4), D(2026, 11, 11))
    assert wednesday.period_of(D(2026, 11, 4)) == Period(D(2026, 11, 4), D(2026, 11, 11))
    assert wednesday.period_of(D(2026, 11, 3)) == Period(D(2026, 10, 28), D(2026, 11, 4))
    monday = Cycle.weekly()
    assert monday.period_of(D(2026, 11, 16)).start == D(2026, 11, 16)  # a Monday
    assert monday.period_of(D(2026, 11, 22)).start == D(2026, 11, 16)  # the Sunday after
    with pytest.raises(ValueError, match=r"weekday must be 0 \(Monday\) to 6 \(Sunday\) \(got 7\)"):
        Cycle.weekly(7)


def test_daily() -> None:
    daily = Cycle.daily()
    assert daily.period_of(D(2026, 11, 5)) == Period.day(D(2026, 11, 5))
    assert _strs(daily.periods(D(2026, 11, 29), D(2026, 12, 2))) == [
        "2026-11-29",
        "2026-11-30",
        "2026-12-01",
    ]


def test_quarterly_with_a_start_month() -> None:
    # quarters starting in February: Feb-Apr, May-Jul, Aug-Oct, Nov-Jan
    cycle = Cycle.quarterly(start_month=2)
    assert cycle.period_of(D(2026, 1, 15)) == Period(D(2025, 11, 1), D(2026, 2, 1))
    assert cycle.period_of(D(2026, 2, 1)) == Period(D(2026, 2, 1), D(2026, 5, 1))
    assert Cycle.quarterly().period_of(D(2026, 11, 5)) == Period.quarter(2026, 4)
    with pytest.raises(ValueError, match=r"start_month must be 1 to 12 \(got 13\)"):
        Cycle.quarterly(13)


def test_yearly() -> None:
    fiscal = Cycle.yearly(4, 1)
    assert fiscal.period_of(D(2026, 3, 31)) == Period(D(2025, 4, 1), D(2026, 4, 1))
    assert fiscal.period_of(D(2026, 4, 1)) == Period(D(2026, 4, 1), D(2027, 4, 1))
    assert Cycle.yearly().period_of(D(2026, 7, 1)) == Period.year(2026)
    # a year starting on 29 February starts on the 28th in common years
    assert _strs(Cycle.yearly(2, 29).periods(D(2027, 3, 1), D(2028, 3, 1))) == [
        "2027-02-28..2028-02-29",
        "2028-02-29..2029-02-28",
    ]
    with pytest.raises(ValueError, match="not a day of the year: month=2, day=30"):
        Cycle.yearly(2, 30)
    with pytest.raises(ValueError, match="not a day of the year: month=13, day=1"):
        Cycle.yearly(13)


def test_interval_greater_than_one() -> None:
    bimonthly = Cycle("month", anchor=D(2026, 1, 15), interval=2)
    assert _strs(bimonthly.periods(D(2025, 12, 1), D(2026, 6, 1))) == [
        "2025-11-15..2026-01-15",
        "2026-01-15..2026-03-15",
        "2026-03-15..2026-05-15",
        "2026-05-15..2026-07-15",
    ]
    fortnight = Cycle("week", anchor=D(2026, 11, 2), interval=2)
    assert fortnight.period_of(D(2026, 11, 20)) == Period(D(2026, 11, 16), D(2026, 11, 30))
    assert fortnight.period_of(D(2026, 11, 1)) == Period(D(2026, 10, 19), D(2026, 11, 2))
    # every 3 days from 10 January: the 8th lies in [7 Jan, 10 Jan)
    three_days = Cycle("day", anchor=D(2026, 1, 10), interval=3)
    assert three_days.period_of(D(2026, 1, 8)) == Period(D(2026, 1, 7), D(2026, 1, 10))
    biennial = Cycle("year", anchor=D(2026, 1, 1), interval=2)
    assert biennial.period_of(D(2029, 6, 1)) == Period(D(2028, 1, 1), D(2030, 1, 1))


@pytest.mark.parametrize("interval", [0, -1, True, "2"])
def test_interval_must_be_a_whole_number(interval: object) -> None:
    with pytest.raises(ValueError, match="interval must be a whole number from 1 to 1000"):
        Cycle("month", interval=interval)  # type: ignore[arg-type]


def test_unknown_unit() -> None:
    with pytest.raises(ValueError, match="unit"):
        Cycle("fortnight")  # type: ignore[arg-type]


def test_next_and_previous() -> None:
    monthly = Cycle.monthly()
    assert monthly.next(Period.month(2026, 12)) == Period.month(2027, 1)
    assert monthly.previous(Period.month(2026, 1)) == Period.month(2025, 12)
    end_of_month = Cycle.monthly(31)
    jan = Period(D(2026, 1, 31), D(2026, 2, 28))
    assert end_of_month.next(jan) == Period(D(2026, 2, 28), D(2026, 3, 31))
    assert end_of_month.previous(Period(D(2026, 3, 31), D(2026, 4, 30))) == Period(
        D(2026, 2, 28), D(2026, 3, 31)
    )
    weekly = Cycle.weekly()
    week = weekly.period_of(D(2026, 11, 18))
    assert weekly.previous(weekly.next(week)) == week


def test_periods_range() -> None:
    monthly = Cycle.monthly()
    assert _strs(monthly.periods("2026-11-30", "2026-12-01")) == ["2026-11"]  # type: ignore[arg-type]
    assert list(monthly.periods(D(2026, 12, 1), D(2026, 12, 1))) == []
    assert list(monthly.periods(D(2026, 12, 1), D(2026, 11, 1))) == []
    assert len(list(monthly.periods(D(2026, 1, 1), D(2027, 1, 1)))) == 12
