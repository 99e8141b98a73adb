"""Semi-monthly billing: two periods in every calendar month (the 1st-15th and the
16th to the month's end), pinned to the calendar; in Python and in documents.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Contract,
    Cycle,
    Event,
    Money,
    Period,
    PeriodError,
    PerUnit,
    RecurringFee,
)
from meterprice.spec import SpecError, dump_contract, dumps_contract, loads_contract


def contract(**options: object) -> Contract:
    return Contract(
        "Twice a month",
        "EUR",
        [
            RecurringFee("Service", amount="1500.00 EUR"),
            PerUnit("Minutes", metric="minutes", rate="0.50 EUR", included=100),
        ],
        cycle=Cycle.semimonthly(),
        **options,  # type: ignore[arg-type]
    )


def test_a_semi_monthly_contract_over_a_month() -> None:
    events = [
        Event("minutes", 300, dt.datetime(2026, 11, 3, 10)),
        Event("minutes", 80, dt.datetime(2026, 11, 20, 10)),
    ]
    first, second = contract().invoices(events, "2026-11")
    assert str(first.period) == "2026-11-01..2026-11-16"
    assert str(second.period) == "2026-11-16..2026-12-01"
    # 1-15 November: the fee 1,500.00; 300 minutes less 100 included = 200 x 0.50 = 100.00
    assert [str(line.amount.amount) for line in first.lines] == ["1500.00", "100.00"]
    assert first.total == Money("1600.00", "EUR")
    # 16-30 November: the fee 1,500.00; 80 minutes, all included: no line
    assert [str(line.amount.amount) for line in second.lines] == ["1500.00"]
    assert second.total == Money("1500.00", "EUR")


def test_the_second_half_follows_the_months_length() -> None:
    cycle = Cycle.semimonthly()
    february = [str(p) for p in cycle.periods(dt.date(2028, 2, 1), dt.date(2028, 3, 1))]
    assert february == ["2028-02-01..2028-02-16", "2028-02-16..2028-03-01"]  # 15 and 14 days
    assert cycle.period_of(dt.date(2026, 12, 31)) == Period("2026-12-16", "2027-01-01")
    assert cycle.next(Period("2026-12-16", "2027-01-01")) == Period("2027-01-01", "2027-01-16")
    assert cycle.previous(Period("2027-01-01", "2027-01-16")) == Period("2026-12-16", "2027-01-01")
    assert str(cycle) == "semi-monthly (days 1-15 and 16-end)"
    assert str(Cycle.semimonthly(11)) == "semi-monthly (days 1-10 and 11-end)"
    # the anchor's month does not matter: one cycle
    assert Cycle("semimonth", dt.date(2026, 5, 16)) == cycle


def test_a_term_starting_mid_period_prorates_the_half_month() -> None:
    invoice = contract(term={"start": "2026-11-20"}).invoice({}, "2026-11-16..2026-12-01")
    # 20-30 November: 11 of the 15 days of the second half: 1,500.00 x 11/15 = 1,100.00
    assert [str(line.amount.amount) for line in invoice.lines] == ["1100.00"]
    with pytest.raises(PeriodError, match="not within one billing period"):
        contract().invoice({}, "2026-11")


def test_bad_semi_monthly_cycles_are_refused() -> None:
    with pytest.raises(PeriodError, match="second_half must be a day from 2 to 28"):
        Cycle.semimonthly(29)
    with pytest.raises(PeriodError, match="interval must be 1"):
        Cycle("semimonth", dt.date(2000, 1, 16), 2)
    with pytest.raises(PeriodError, match="starts on day 2 to 28"):
        Cycle("semimonth", dt.date(2000, 1, 1))


DOCUMENT = """
meterprice = 1
name = "Twice a month"
currency = "EUR"
cycle = {cycle}

[[components]]
type = "recurring_fee"
name = "Service"
amount = "1500.00"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "0.50"
included = "100"
"""


def test_a_semi_monthly_cycle_in_a_document() -> None:
    assert loads_contract(DOCUMENT.format(cycle='"semimonth"')) == contract()
    assert loads_contract(DOCUMENT.format(cycle='{ unit = "semimonth" }')) == contract()
    eleventh = loads_contract(DOCUMENT.format(cycle='{ unit = "semimonth", anchor_day = 11 }'))
    assert eleventh.cycle == Cycle.semimonthly(11)
    assert dump_contract(contract())["cycle"] == {"unit": "semimonth"}
    assert dump_contract(eleventh)["cycle"] == {"unit": "semimonth", "anchor_day": 11}
    assert loads_contract(dumps_contract(eleventh)) == eleventh


@pytest.mark.parametrize(
    ("cycle", "message"),
    [
        (
            '{ unit = "semimonth", anchor_day = 1 }',
            "cycle.anchor_day: must be 2 to 28 (the first day of the second half) (got 1)",
        ),
        (
            '{ unit = "semimonth", interval = 2 }',
            "cycle.interval: a semi-monthly cycle has two periods",
        ),
        (
            '{ unit = "semimonth", anchor = 2026-01-01 }',
            "cycle.anchor: the second half of a semi-monthly",
        ),
        (
            '{ unit = "quarter", anchor_day = 16 }',
            "cycle.anchor_day: applies to monthly and semi-monthly cycles only",
        ),
    ],
)
def test_bad_semi_monthly_cycles_in_a_document_name_the_field(cycle: str, message: str) -> None:
    with pytest.raises(SpecError) as raised:
        loads_contract(DOCUMENT.format(cycle=cycle), source="twice.toml")
    assert f"twice.toml: {message}" in str(raised.value)


@given(day=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), second=st.integers(2, 28))
def test_semi_monthly_periods_are_the_halves_of_their_month(day: dt.date, second: int) -> None:
    cycle = Cycle.semimonthly(second)
    period = cycle.period_of(day)
    assert day in period
    first_of_month = day.replace(day=1)
    month = Period.month(day.year, day.month)
    halves = [Period(first_of_month, first_of_month.replace(day=second)), None]
    halves[1] = Period(first_of_month.replace(day=second), month.end)
    assert period in halves
    assert cycle.next(period).start == period.end
    assert cycle.previous(cycle.next(period)) == period
    assert list(cycle.periods(month.start, month.end)) == halves
