"""Calendars of named date ranges: dated, yearly recurring and rule-based ranges.

Expected days are counted by hand in the comments next to them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import Calendar, DateRange, Period, RuleRange, YearlyRange
from meterprice.calendars import CalendarRange, format_days

D = dt.date


def iso(days: tuple[dt.date, ...]) -> list[str]:
    return [day.isoformat() for day in days]


# -- format_days ---------------------------------------------------------------------------


def test_format_days_writes_runs_inclusively() -> None:
    assert format_days([]) == ""
    assert format_days([D(2026, 11, 11)]) == "2026-11-11"
    # 1..11 November is one run of 11 days; 12 December stands alone; duplicates and
    # order do not matter
    days = [D(2026, 12, 12), *(D(2026, 11, n) for n in range(11, 0, -1)), D(2026, 11, 5)]
    assert format_days(days) == "2026-11-01..2026-11-11, 2026-12-12"
    # a run across a month end
    assert format_days([D(2026, 11, 30), D(2026, 12, 1)]) == "2026-11-30..2026-12-01"


# -- DateRange -----------------------------------------------------------------------------


def test_date_range_days_inside_a_period() -> None:
    trial = DateRange("Trial fortnight", "2026-03-02", "2026-03-15")
    assert trial.first == D(2026, 3, 2)
    assert trial.last == D(2026, 3, 15)
    # 2..15 March inclusive: 15 - 2 + 1 = 14 days
    assert len(trial.days_in(Period.month(2026, 3))) == 14
    # a partial period 10..20 March keeps 10..15 March: 6 days
    assert iso(trial.days_in(Period(D(2026, 3, 10), D(2026, 3, 21)))) == [
        "2026-03-10",
        "2026-03-11",
        "2026-03-12",
        "2026-03-13",
        "2026-03-14",
        "2026-03-15",
    ]
    assert trial.days_in(Period.month(2026, 4)) == ()
    assert trial.days_in(Period.month(2026, 2)) == ()
    assert str(trial) == "Trial fortnight: 2026-03-02..2026-03-15"
    # a single day is a range of its own
    assert DateRange("Launch", D(2026, 6, 18), D(2026, 6, 18)).days_in(Period.year(2026)) == (
        D(2026, 6, 18),
    )


def test_date_range_across_months_and_years() -> None:
    span = DateRange("Winter", "2026-12-28", "2027-01-03")
    # 28..31 December (4 days) and 1..3 January (3 days)
    assert len(span.days_in(Period.month(2026, 12))) == 4
    assert len(span.days_in(Period.month(2027, 1))) == 3
    assert len(span.days_in(Period(D(2026, 1, 1), D(2028, 1, 1)))) == 7


def test_date_range_errors() -> None:
    with pytest.raises(ValueError, match=r"last \(2026-03-01\) must not be before first"):
        DateRange("Trial", "2026-03-02", "2026-03-01")
    with pytest.raises(TypeError, match=r"first must be a date .*, not datetime\.datetime\(2026"):
        DateRange("Trial", dt.datetime(2026, 3, 2), "2026-03-15")
    with pytest.raises(TypeError, match="last must be a date or an ISO date string, not 20260315"):
        DateRange("Trial", "2026-03-02", 20260315)
    with pytest.raises(ValueError, match=r"first is not an ISO date \(YYYY-MM-DD\): '2 March'"):
        DateRange("Trial", "2 March", "2026-03-15")
    with pytest.raises(TypeError, match="a range name must be a non-empty string, not ''"):
        DateRange("", "2026-03-02", "2026-03-15")
    with pytest.raises(TypeError, match="a range name must be a non-empty string, not None"):
        DateRange(None, "2026-03-02", "2026-03-15")  # type: ignore[arg-type]


# -- YearlyRange ---------------------------------------------------------------------------


def test_yearly_range_comes_back_every_year() -> None:
    double_11 = YearlyRange("Double 11", "11-01", "11-11")
    assert double_11.start == (11, 1)
    assert double_11.end == (11, 11)
    assert not double_11.crosses_year_end
    assert str(double_11) == "Double 11: 11-01..11-11 every year"
    for year in (2026, 2027, 2028):
        days = double_11.days_in(Period.year(year))
        # 1..11 November: 11 days, every year
        assert len(days) == 11
        assert (days[0], days[-1]) == (D(year, 11, 1), D(year, 11, 11))
    # a period holding two occurrences: November 2026 to November 2027 inclusive
    assert len(double_11.days_in(Period(D(2026, 11, 5), D(2027, 11, 4)))) == 7 + 3
    assert double_11.days_in(Period.month(2026, 10)) == ()
    # the tuple form is the same range
    assert YearlyRange("Double 11", (11, 1), (11, 11)) == double_11


def test_yearly_range_crossing_the_year_end() -> None:
    holidays = YearlyRange("Holidays", "12-20", "01-05")
    assert holidays.crosses_year_end
    # January 2027 holds the end of the 2026 occurrence: 1..5 January = 5 days
    assert iso(holidays.days_in(Period.month(2027, 1)))[-1] == "2027-01-05"
    assert len(holidays.days_in(Period.month(2027, 1))) == 5
    # December 2026 holds the start of it: 20..31 December = 12 days
    assert len(holidays.days_in(Period.month(2026, 12))) == 12
    # the calendar year 2026 holds 1..5 January (from the 2025 occurrence) and
    # 20..31 December: 5 + 12 = 17 days
    assert len(holidays.days_in(Period.year(2026))) == 17
    # a period spanning the year end: 15 December 2026 to 10 January 2027 holds the
    # whole occurrence, 12 + 5 = 17 days
    days = holidays.days_in(Period(D(2026, 12, 15), D(2027, 1, 11)))
    assert len(days) == 17
    assert (days[0], days[-1]) == (D(2026, 12, 20), D(2027, 1, 5))


def test_yearly_range_and_february_29() -> None:
    february = YearlyRange("February", "02-01", "02-29")
    # the whole of February: 29 days in a leap year, 28 otherwise
    assert len(february.days_in(Period.year(2024))) == 29
    assert len(february.days_in(Period.year(2026))) == 28
    leap_day = YearlyRange("Leap week", (2, 29), (3, 2))
    # 2024: 29 February, 1 and 2 March; 2026 has no 29 February, so the range starts
    # on the last day of February, 28 February, and still lasts 3 days
    assert iso(leap_day.days_in(Period.year(2024))) == ["2024-02-29", "2024-03-01", "2024-03-02"]
    assert iso(leap_day.days_in(Period.year(2026))) == ["2026-02-28", "2026-03-01", "2026-03-02"]
    # a range ending on 29 February that crosses the year end: 1 December 2023 to
    # 29 February 2024 is 31 + 31 + 29 = 91 days; 1 December 2024 to 28 February 2025
    # is 31 + 31 + 28 = 90 days
    winter = YearlyRange("Winter", "12-01", "02-29")
    assert len(winter.days_in(Period(D(2023, 12, 1), D(2024, 3, 1)))) == 91
    assert len(winter.days_in(Period(D(2024, 12, 1), D(2025, 3, 1)))) == 90
    # a single day each year
    assert YearlyRange("Singles' Day", "11-11", "11-11").days_in(Period.year(2026)) == (
        D(2026, 11, 11),
    )


def test_yearly_range_near_the_first_year() -> None:
    # the occurrence search starts a year early, but never before year 1
    new_year = YearlyRange("New year", "01-01", "01-03")
    assert len(new_year.days_in(Period(D(1, 1, 1), D(1, 2, 1)))) == 3


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("11/01", "start must be written MM-DD, not '11/01'"),
        ("2026-11-01", "start must be written MM-DD, not '2026-11-01'"),
        ("11-1a", "start must be written MM-DD, not '11-1a'"),
        ("13-01", r"start: month must be 1 to 12 \(got '13-01'\)"),
        ((0, 1), r"start: month must be 1 to 12 \(got \(0, 1\)\)"),
        ("02-30", r"start: day must be 1 to 29 in month 2 \(got '02-30'\)"),
        ((4, 31), r"start: day must be 1 to 30 in month 4 \(got \(4, 31\)\)"),
        ((11, 0), r"start: day must be 1 to 30 in month 11 \(got \(11, 0\)\)"),
    ],
)
def test_yearly_range_refuses_impossible_days(start: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        YearlyRange("Peak", start, "12-01")


@pytest.mark.parametrize("end", [(11,), (11, 1, 1), (True, 1), 1101, (11, "1"), None])
def test_yearly_range_refuses_other_types(end: object) -> None:
    with pytest.raises(TypeError, match=r"end must be a \(month, day\) pair of ints or 'MM-DD'"):
        YearlyRange("Peak", "11-01", end)


# -- RuleRange -----------------------------------------------------------------------------


def test_rule_range_black_friday_to_cyber_monday() -> None:
    weekend = RuleRange(
        "Black Friday", "FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR", start="2020-01-01", days=4
    )
    # the last Friday of November 2026 is the 27th: 27..30 November
    assert format_days(weekend.days_in(Period.month(2026, 11))) == "2026-11-27..2026-11-30"
    # in 2027 it is the 26th: 26..29 November
    assert format_days(weekend.days_in(Period.year(2027))) == "2027-11-26..2027-11-29"
    assert weekend.days_in(Period.month(2026, 12)) == ()
    assert str(weekend) == (
        "Black Friday: 4 day(s) from each FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR since 2020-01-01"
    )


def test_rule_range_occurrence_running_into_the_period() -> None:
    # 3 days from the last day of each month: 30 November runs to 2 December, and
    # 31 December to 2 January; December 2026 keeps 1, 2 and 31 December
    month_end = RuleRange(
        "Month end", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", start="2026-01-01", days=3
    )
    assert iso(month_end.days_in(Period.month(2026, 12))) == [
        "2026-12-01",
        "2026-12-02",
        "2026-12-31",
    ]


def test_rule_range_counts_from_its_start() -> None:
    # COUNT=2 from 18 June 2026: 18 June 2026 and 18 June 2027, never 2028
    anniversary = RuleRange("Anniversary", "FREQ=YEARLY;COUNT=2", start=D(2026, 6, 18))
    assert anniversary.days_in(Period.year(2026)) == (D(2026, 6, 18),)
    assert anniversary.days_in(Period.year(2027)) == (D(2027, 6, 18),)
    assert anniversary.days_in(Period.year(2028)) == ()
    # nothing before the start
    assert anniversary.days_in(Period.year(2025)) == ()
    # every other Saturday from Saturday 7 November 2026: 7 and 21 November
    fortnightly = RuleRange("Sale", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", start="2026-11-07")
    assert iso(fortnightly.days_in(Period.month(2026, 11))) == ["2026-11-07", "2026-11-21"]


def test_rule_ranges_are_equal_by_value() -> None:
    one = RuleRange("Sale", "FREQ=WEEKLY;BYDAY=SA", start="2026-01-01", days=2)
    two = RuleRange("Sale", "FREQ=WEEKLY;BYDAY=SA", start=D(2026, 1, 1), days=2)
    assert one == two
    assert hash(one) == hash(two)
    assert one != RuleRange("Sale", "FREQ=WEEKLY;BYDAY=SU", start="2026-01-01", days=2)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "FREQ must be one of YEARLY, MONTHLY, WEEKLY, DAILY"),
        ("BYMONTH=11", "FREQ must be one of"),
        ("DTSTART=20200101;FREQ=DAILY", "a single RRULE without DTSTART"),
        ("DTSTART:20200101T000000\nRRULE:FREQ=DAILY", "a single RRULE without DTSTART"),
        ("FREQ=DAILY;FOO=1", "not a valid RRULE 'FREQ=DAILY;FOO=1'"),
        ("FREQ=DAILY;INTERVAL=x", "INTERVAL must be a whole number from 1 to 1000"),
        ("FREQ=YEARLY;BYMONTH=13", "rule 'FREQ=YEARLY;BYMONTH=13' never occurs"),
        ("FREQ=DAILY;UNTIL=20190101", "never occurs"),
    ],
)
def test_rule_range_refuses_bad_rules(rule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RuleRange("Peak", rule, start="2020-01-01")


def test_rule_range_refuses_bad_values() -> None:
    with pytest.raises(TypeError, match="rule must be an iCalendar RRULE string, not 5"):
        RuleRange("Peak", 5, start="2020-01-01")  # type: ignore[arg-type]
    for days in (0, -1, "2", True):
        with pytest.raises(ValueError, match=r"days must be a whole number from 1 to 3653 \(got"):
            RuleRange("Peak", "FREQ=DAILY", start="2020-01-01", days=days)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start is not an ISO date"):
        RuleRange("Peak", "FREQ=DAILY", start="soon")


# -- Calendar ------------------------------------------------------------------------------


def peak_calendar() -> Calendar:
    return Calendar(
        [
            YearlyRange("Double 11", "11-01", "11-11"),
            YearlyRange("Double 12", "12-01", "12-12"),
            DateRange("Launch week", "2026-11-09", "2026-11-15"),
        ]
    )


def test_calendar_is_a_union_of_its_ranges() -> None:
    peaks = peak_calendar()
    # November 2026: Double 11 is 1..11 and the launch week 9..15; 9, 10 and 11 are in
    # both and count once: 1..15 November = 15 days
    assert format_days(peaks.days_in(Period.month(2026, 11))) == "2026-11-01..2026-11-15"
    assert len(peaks.days_in(Period.month(2026, 11))) == 15
    # 2026: 15 in November + 12 in December = 27 days; 2027 has no launch week: 11 + 12
    assert len(peaks.days_in(Period.year(2026))) == 27
    assert len(peaks.days_in(Period.year(2027))) == 23
    assert peaks.names == ("Double 11", "Double 12", "Launch week")


def test_calendar_membership_and_names_on_a_day() -> None:
    peaks = peak_calendar()
    assert peaks.names_on(D(2026, 11, 10)) == ("Double 11", "Launch week")
    assert peaks.names_on(D(2026, 11, 14)) == ("Launch week",)
    assert peaks.names_on(D(2026, 11, 20)) == ()
    assert peaks.contains(D(2027, 12, 12))
    assert not peaks.contains(D(2027, 12, 13))
    assert D(2026, 11, 1) in peaks
    assert dt.datetime(2026, 11, 1, 23, 59) in peaks
    assert D(2026, 10, 31) not in peaks
    assert "2026-11-01" not in peaks
    with pytest.raises(TypeError, match="day must be a date, not '2026-11-01'"):
        peaks.names_on("2026-11-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="day must be a date, not datetime"):
        peaks.contains(dt.datetime(2026, 11, 1))


def test_days_by_name_gives_each_day_to_the_first_range() -> None:
    peaks = peak_calendar()
    grouped = dict(peaks.days_by_name(Period.month(2026, 11)))
    # Double 11 comes first and keeps 1..11; the launch week keeps 12..15
    assert format_days(grouped["Double 11"]) == "2026-11-01..2026-11-11"
    assert format_days(grouped["Launch week"]) == "2026-11-12..2026-11-15"
    # Double 12 has no day in November and is left out
    assert list(grouped) == ["Double 11", "Launch week"]
    # listing the launch week first gives it 9..15, and Double 11 keeps 1..8
    reordered = Calendar([peaks.ranges[2], peaks.ranges[0]])
    assert [
        (name, format_days(days)) for name, days in reordered.days_by_name(Period.month(2026, 11))
    ] == [("Launch week", "2026-11-09..2026-11-15"), ("Double 11", "2026-11-01..2026-11-08")]


def test_ranges_sharing_a_name_form_one_named_range() -> None:
    trial = Calendar(
        [
            DateRange("Trial", "2026-03-02", "2026-03-08"),
            DateRange("Launch", "2026-03-12", "2026-03-12"),
            DateRange("Trial", "2026-03-16", "2026-03-22"),
        ]
    )
    assert trial.names == ("Trial", "Launch")
    grouped = trial.days_by_name(Period.month(2026, 3))
    # 7 + 7 trial days under one name, in order of the name's first range
    assert [(name, len(days)) for name, days in grouped] == [("Trial", 14), ("Launch", 1)]
    assert format_days(grouped[0][1]) == "2026-03-02..2026-03-08, 2026-03-16..2026-03-22"
    assert str(trial) == (
        "Trial: 2026-03-02..2026-03-08; Launch: 2026-03-12..2026-03-12; "
        "Trial: 2026-03-16..2026-03-22"
    )


def test_a_calendar_of_one_range() -> None:
    single = Calendar(YearlyRange("Double 11", "11-01", "11-11"))
    assert len(single.ranges) == 1
    assert single == Calendar([YearlyRange("Double 11", "11-01", "11-11")])
    assert Calendar((RuleRange("Sat", "FREQ=WEEKLY;BYDAY=SA", start="2026-01-01"),)).contains(
        D(2026, 11, 7)
    )


def test_calendar_errors() -> None:
    with pytest.raises(ValueError, match="a calendar needs at least one range"):
        Calendar([])
    with pytest.raises(
        TypeError, match=r"ranges\[1\] must be a DateRange, YearlyRange or RuleRange"
    ):
        Calendar([YearlyRange("Double 11", "11-01", "11-11"), ("Double 12", "12-01", "12-12")])
    with pytest.raises(TypeError, match="a calendar takes a list of ranges, not 'Double 11'"):
        Calendar("Double 11")
    with pytest.raises(TypeError, match="a calendar takes a list of ranges, not 11"):
        Calendar(11)


# -- properties ----------------------------------------------------------------------------

YEARS = st.integers(2023, 2029)


@st.composite
def month_days(draw: st.DrawFn) -> tuple[int, int]:
    month = draw(st.integers(1, 12))
    longest = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(month, 31)
    return month, draw(st.integers(1, longest))


@st.composite
def calendar_ranges(draw: st.DrawFn) -> CalendarRange:
    name = draw(st.sampled_from(["A", "B", "C"]))
    kind = draw(st.sampled_from(["dated", "yearly", "rule"]))
    if kind == "dated":
        first = draw(st.dates(D(2024, 1, 1), D(2028, 12, 31)))
        return DateRange(name, first, first + dt.timedelta(days=draw(st.integers(0, 60))))
    if kind == "yearly":
        return YearlyRange(name, draw(month_days()), draw(month_days()))
    rule = draw(
        st.sampled_from(
            [
                "FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
                "FREQ=WEEKLY;BYDAY=SA,SU",
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            ]
        )
    )
    return RuleRange(name, rule, start=D(2022, 1, 1), days=draw(st.integers(1, 9)))


calendars = st.lists(calendar_ranges(), min_size=1, max_size=4).map(Calendar)


@given(calendars, YEARS)
def test_a_year_is_the_sum_of_its_months(calendar: Calendar, year: int) -> None:
    months = [day for month in range(1, 13) for day in calendar.days_in(Period.month(year, month))]
    assert calendar.days_in(Period.year(year)) == tuple(months)


@given(calendars, YEARS)
def test_days_in_is_the_union_and_days_by_name_a_partition(calendar: Calendar, year: int) -> None:
    period = Period.year(year)
    union = set().union(*(item.days_in(period) for item in calendar.ranges))
    days = calendar.days_in(period)
    assert days == tuple(sorted(union))
    grouped = calendar.days_by_name(period)
    flat = [day for _, named in grouped for day in named]
    assert len(flat) == len(set(flat))  # each day once
    assert sorted(flat) == list(days)
    for name, named in grouped:
        assert named == tuple(sorted(named))
        assert all(name in calendar.names_on(day) for day in named)


@given(calendars, st.dates(D(2023, 1, 1), D(2029, 12, 31)))
def test_contains_agrees_with_days_in(calendar: Calendar, day: dt.date) -> None:
    year = calendar.days_in(Period.year(day.year))
    assert calendar.contains(day) == (day in year)
    assert bool(calendar.names_on(day)) == (day in year)


@given(month_days(), month_days(), YEARS)
def test_a_yearly_range_lasts_from_start_to_end(
    start: tuple[int, int], end: tuple[int, int], year: int
) -> None:
    yearly = YearlyRange("R", start, end)

    def on(year: int, month_day: tuple[int, int]) -> dt.date:
        month, day = month_day
        while True:
            try:
                return D(year, month, day)
            except ValueError:
                day -= 1  # 29 February in a common year

    first = on(year, start)
    last = on(year + 1 if end < start else year, end)
    occurrence = yearly.days_in(Period(first, last + dt.timedelta(days=1)))
    # the whole occurrence, first to last inclusive (a neighbouring occurrence can
    # share a day only when a 29 February start is moved to the 28th)
    assert occurrence[0] == first
    assert occurrence[-1] == last
    assert len(occurrence) == (last - first).days + 1
