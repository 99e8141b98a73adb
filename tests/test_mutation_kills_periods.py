"""Period and cycle behaviour that mutation testing found unpinned. Dates by hand."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from meterprice.errors import PeriodError
from meterprice.periods import Cycle, Period, Window, proration

D = dt.date


@pytest.mark.parametrize(
    ("quarter", "start", "end", "days"),
    [
        (2, D(2026, 4, 1), D(2026, 7, 1), 91),  # April 30 + May 31 + June 30
        (3, D(2026, 7, 1), D(2026, 10, 1), 92),  # July 31 + August 31 + September 30
    ],
)
def test_quarters_two_and_three(quarter: int, start: dt.date, end: dt.date, days: int) -> None:
    period = Period.quarter(2026, quarter)
    assert (period.start, period.end, period.days) == (start, end, days)
    assert str(period) == f"2026-Q{quarter}"
    assert Period.parse(f"2026-Q{quarter}") == period


@pytest.mark.parametrize("quarter", [0, 5])
def test_a_quarter_outside_one_to_four_is_refused(quarter: int) -> None:
    with pytest.raises(PeriodError, match=f"quarter must be 1 to 4 \\(got {quarter}\\)"):
        Period.quarter(2026, quarter)


def test_weekly_from_sunday() -> None:
    cycle = Cycle.weekly(6)
    assert cycle.anchor == D(2000, 1, 9)  # the Sunday after Monday 2000-01-03
    assert str(cycle) == "weekly from Sundays"
    # Wednesday 18 November 2026 lies in the week from Sunday the 15th
    assert cycle.period_of(D(2026, 11, 18)) == Period(D(2026, 11, 15), D(2026, 11, 22))
    for weekday in (-1, 7):
        with pytest.raises(PeriodError, match=f"\\(got {weekday}\\)"):
            Cycle.weekly(weekday)


def test_quarterly_from_december() -> None:
    cycle = Cycle.quarterly(12)
    assert cycle.anchor == D(2000, 12, 1)
    assert str(cycle) == "quarterly from December"
    # quarters December-February, March-May, June-August, September-November
    assert cycle.period_of(D(2026, 1, 15)) == Period(D(2025, 12, 1), D(2026, 3, 1))
    assert cycle.period_of(D(2026, 11, 30)) == Period(D(2026, 9, 1), D(2026, 12, 1))
    for month in (0, 13):
        with pytest.raises(PeriodError, match=f"start_month must be 1 to 12 \\(got {month}\\)"):
            Cycle.quarterly(month)


def test_monthly_anchor_day_bounds() -> None:
    assert Cycle.monthly(31).anchor == D(2000, 1, 31)
    assert Cycle.monthly(1).anchor == D(2000, 1, 1)
    for day in (0, 32):
        with pytest.raises(PeriodError, match=f"anchor_day must be 1 to 31 \\(got {day}\\)"):
            Cycle.monthly(day)


def test_the_day_before_a_daily_period() -> None:
    cycle = Cycle.daily()
    assert cycle.previous(Period.day(D(2026, 11, 1))) == Period.day(D(2026, 10, 31))
    assert cycle.next(Period.day(D(2026, 10, 31))) == Period.day(D(2026, 11, 1))
    assert str(Period.day(D(2026, 10, 31))) == "2026-10-31"


def test_an_empty_range_of_periods() -> None:
    cycle = Cycle.monthly()
    assert list(cycle.periods(D(2026, 11, 5), D(2026, 11, 5))) == []
    assert list(cycle.periods(D(2026, 11, 5), D(2026, 11, 4))) == []
    # one day of range: the one period that contains it
    assert list(cycle.periods(D(2026, 11, 5), D(2026, 11, 6))) == [Period.month(2026, 11)]


def test_period_of_days_before_the_anchor() -> None:
    monthly = Cycle.monthly(15)  # anchored on 2000-01-15
    assert monthly.period_of(D(1999, 12, 20)) == Period(D(1999, 12, 15), D(2000, 1, 15))
    assert monthly.period_of(D(1999, 12, 10)) == Period(D(1999, 11, 15), D(1999, 12, 15))
    weekly = Cycle.weekly()  # Mondays from 2000-01-03
    assert weekly.period_of(D(1999, 12, 29)) == Period(D(1999, 12, 27), D(2000, 1, 3))
    daily = Cycle.daily()
    assert daily.period_of(D(1999, 12, 31)) == Period.day(D(1999, 12, 31))


def test_period_of_days_far_in_the_future() -> None:
    # 9000 is not a leap year (divisible by 100, not by 400): February has 28 days
    assert Cycle.monthly(31).period_of(D(9000, 2, 15)) == Period(D(9000, 1, 31), D(9000, 2, 28))
    assert Cycle.yearly().period_of(D(9998, 6, 1)) == Period(D(9998, 1, 1), D(9999, 1, 1))
    every_ten = Cycle("year", interval=10)
    assert every_ten.period_of(D(9005, 1, 1)) == Period(D(9000, 1, 1), D(9010, 1, 1))


def test_cycles_described_in_words() -> None:
    assert str(Cycle("week", D(2000, 1, 5), 2)) == "every 2 weeks from Wednesdays"
    assert str(Cycle.monthly(15)) == "monthly from day 15"
    assert str(Cycle.yearly(4, 1)) == "yearly from 1 April"
    assert str(Cycle.daily()) == "daily"
    assert str(Cycle("month", interval=3)) == "every 3 months"


def test_windows_and_proration_at_their_edges() -> None:
    window = Window(D(2026, 11, 16), D(2026, 12, 1))
    assert D(2026, 11, 16) in window
    assert D(2026, 12, 1) not in window
    assert D(2026, 11, 15) not in window
    assert str(window) == "[2026-11-16, 2026-12-01)"
    assert str(Window()) == "[..., ...)"
    november = Period.month(2026, 11)
    assert proration(window.within(november), november) == Fraction(15, 30)
    assert proration(None, november) == 0
    assert window.covers(Period(D(2026, 11, 20), D(2026, 11, 21)))
    assert not window.covers(november)


# -- found by the mutation session --------------------------------------------------------------


def test_the_first_and_last_years_of_the_calendar() -> None:
    assert Period.month(1, 1) == Period(D(1, 1, 1), D(1, 2, 1))
    assert Period.month(9999, 11) == Period(D(9999, 11, 1), D(9999, 12, 1))
    with pytest.raises(PeriodError) as caught:
        Period.month(10000, 1)
    assert str(caught.value) == "year must be 1 to 9999 (got 10000)"


@pytest.mark.parametrize("year", ["2026", True, 2026.0])
def test_a_year_that_is_not_an_int_is_refused(year: object) -> None:
    with pytest.raises(PeriodError) as caught:
        Period.year(year)  # type: ignore[arg-type]
    assert str(caught.value) == f"year must be 1 to 9999 (got {year!r})"


def test_an_unreadable_period_says_what_it_expects() -> None:
    with pytest.raises(PeriodError) as caught:
        Period.parse("November")
    assert str(caught.value) == (
        "not a period: 'November' (expected YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD "
        "or YYYY-MM-DD..YYYY-MM-DD)"
    )


def test_a_period_from_the_first_of_january_that_is_not_a_year() -> None:
    assert str(Period(D(2026, 1, 1), D(2026, 1, 15))) == "2026-01-01..2026-01-15"
    assert str(Period(D(2026, 1, 1), D(2027, 1, 1))) == "2026"


def test_quarterly_and_yearly_cycles_in_words() -> None:
    assert str(Cycle.quarterly()) == "quarterly"
    assert str(Cycle.quarterly(2)) == "quarterly from February"
    assert str(Cycle.yearly()) == "yearly"
    assert str(Cycle.yearly(2, 1)) == "yearly from 1 February"
    assert str(Cycle.yearly(1, 2)) == "yearly from 2 January"


def test_moving_past_the_calendar_says_where_it_went() -> None:
    with pytest.raises(PeriodError) as caught:
        Period.month(9999, 12)  # would end on 10000-01-01
    assert str(caught.value) == (
        "9999-12-01 moved by 1 months and 0 days is outside the calendar (a period lies "
        "within 0001-01-01 .. 9999-12-31, its end excluded)"
    )
