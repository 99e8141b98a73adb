"""DayRate: a fee per calendar day (and per agent) for peak periods and trials, seed 004 §4.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimals

from meterprice import (
    Calendar,
    Contract,
    ContractError,
    Cycle,
    DateRange,
    DayRate,
    Dimensions,
    Event,
    Invoice,
    Meter,
    Money,
    Period,
    PricingError,
    RecurringFee,
    Rounding,
    RuleRange,
    Usage,
    Window,
    YearlyRange,
)

D = dt.date

PEAKS = Calendar(
    [YearlyRange("Double 11", "11-01", "11-11"), YearlyRange("Double 12", "12-01", "12-12")]
)


def amounts(invoice: Invoice) -> list[tuple[str, Decimal]]:
    return [(line.description, line.amount.amount) for line in invoice.lines]


def shop(**terms: object) -> Contract:
    """Two agents at a monthly fee, plus two more agents per Double 11/12 day."""
    return Contract(
        "Shop",
        "CNY",
        [
            RecurringFee("Agents", amount="3000.00 CNY", quantity=2, unit="agent"),
            DayRate("Peak support", calendar=PEAKS, rate="800.00 CNY", agents=2),
        ],
        **terms,  # type: ignore[arg-type]
    )


def test_monthly_fee_plus_double_11_and_double_12_day_rates() -> None:
    contract = shop()
    november = contract.invoice({}, "2026-11")
    # fee: 2 agents x 3000.00 = 6000.00; Double 11: 11 days x 2 agents x 800.00 = 17600.00
    assert amounts(november) == [
        ("Agents", Decimal("6000.00")),
        ("Peak support (Double 11)", Decimal("17600.00")),
    ]
    assert november.total == Money("23600.00", "CNY")
    peak = november.lines[1]
    assert peak.basis == "Double 11: 2026-11-01..2026-11-11 (11 days) x 2 agents x 800.00 CNY"
    assert (peak.quantity, peak.unit, peak.unit_price) == (
        Fraction(22),
        "agent-day",
        Money("800", "CNY"),
    )
    # December: 6000.00 + 12 days x 2 agents x 800.00 = 6000.00 + 19200.00 = 25200.00
    december = contract.invoice({}, "2026-12")
    assert amounts(december) == [
        ("Agents", Decimal("6000.00")),
        ("Peak support (Double 12)", Decimal("19200.00")),
    ]
    assert december.total == Money("25200.00", "CNY")
    # January: no peak day, only the fee
    assert amounts(contract.invoice({}, "2027-01")) == [("Agents", Decimal("6000.00"))]
    # the next year the same days come back: 11 x 2 x 800.00 = 17600.00
    assert contract.invoice({}, "2027-11").total == Money("23600.00", "CNY")


def test_a_partial_first_month_charges_only_the_days_in_effect() -> None:
    contract = shop(term=Window(start=D(2026, 11, 6)))
    november = contract.invoice({}, "2026-11")
    # fee prorated: 6000.00 x 25/30 days = 5000.00; Double 11 from the 6th: 6..11 = 6 days
    # x 2 agents x 800.00 = 9600.00; total 14600.00
    assert amounts(november) == [
        ("Agents", Decimal("5000.00")),
        ("Peak support (Double 11)", Decimal("9600.00")),
    ]
    assert november.lines[1].basis == (
        "Double 11: 2026-11-06..2026-11-11 (6 days) x 2 agents x 800.00 CNY"
    )
    assert november.total == Money("14600.00", "CNY")
    # the contract starts after Double 11 ends: no peak line at all
    late = shop(term=Window(start=D(2026, 11, 12))).invoice({}, "2026-11")
    assert [line.component for line in late.lines] == ["Agents"]


def test_a_trial_fortnight_then_a_monthly_fee() -> None:
    trial = Calendar(DateRange("Trial fortnight", "2026-03-02", "2026-03-15"))
    contract = Contract(
        "Trial",
        "CNY",
        [
            DayRate("Trial", calendar=trial, rate="600.00 CNY", agents=3),
            RecurringFee("Monthly", amount="8000.00 CNY", active={"start": "2026-03-16"}),
        ],
    )
    march = contract.invoice({}, "2026-03")
    # trial: 2..15 March = 14 days x 3 agents x 600.00 = 25200.00
    # monthly fee from the 16th: 8000.00 x 16/31 = 4129.0322... -> 4129.03
    assert amounts(march) == [
        ("Trial (Trial fortnight)", Decimal("25200.00")),
        ("Monthly", Decimal("4129.03")),
    ]
    assert march.total == Money("29329.03", "CNY")
    assert march.lines[0].basis == (
        "Trial fortnight: 2026-03-02..2026-03-15 (14 days) x 3 agents x 600.00 CNY"
    )
    # April: the full fee, no trial
    assert amounts(contract.invoice({}, "2026-04")) == [("Monthly", Decimal("8000.00"))]
    # February: nothing yet
    assert contract.invoice({}, "2026-02").lines == ()


def test_one_line_per_named_range_and_overlapping_days_count_once() -> None:
    calendar = Calendar(
        [
            YearlyRange("Double 11", "11-01", "11-11"),
            DateRange("Launch week", "2026-11-09", "2026-11-15"),
        ]
    )
    rate = DayRate("Cover", calendar=calendar, rate="500.00 CNY")
    invoice = Contract("Shop", "CNY", [rate]).invoice({}, "2026-11")
    # Double 11 keeps 1..11 (11 days x 500.00 = 5500.00); the launch week keeps the
    # days not already charged, 12..15 (4 days x 500.00 = 2000.00)
    assert [(line.basis, line.amount.amount) for line in invoice.lines] == [
        ("Double 11: 2026-11-01..2026-11-11 (11 days) x 500.00 CNY", Decimal("5500.00")),
        ("Launch week: 2026-11-12..2026-11-15 (4 days) x 500.00 CNY", Decimal("2000.00")),
    ]
    # without agents the quantity is days
    assert [(line.quantity, line.unit) for line in invoice.lines] == [
        (Fraction(11), "day"),
        (Fraction(4), "day"),
    ]


def test_the_components_own_window_limits_the_days() -> None:
    rate = DayRate(
        "Peak support",
        calendar=PEAKS,
        rate="800.00 CNY",
        agents=2,
        active=Window(D(2026, 11, 5), D(2026, 11, 8)),
    )
    invoice = Contract("Shop", "CNY", [rate]).invoice({}, "2026-11")
    # 5, 6 and 7 November: 3 days x 2 agents x 800.00 = 4800.00
    assert invoice.lines[0].basis == (
        "Double 11: 2026-11-05..2026-11-07 (3 days) x 2 agents x 800.00 CNY"
    )
    assert invoice.total == Money("4800.00", "CNY")


def test_fractional_agents_are_rounded_once_per_line() -> None:
    calendar = Calendar(DateRange("Peak", "2026-06-16", "2026-06-18"))
    rate = DayRate("Half cover", calendar=calendar, rate="333.33 CNY", agents="0.5")
    # 3 days x 0.5 agents x 333.33 = 499.995: half-up gives 500.00, truncation 499.99
    up = Contract("Shop", "CNY", [rate]).invoice({}, "2026-06")
    assert up.lines[0].exact == Fraction("499.995")
    assert up.lines[0].amount == Money("500.00", "CNY")
    assert up.lines[0].basis == "Peak: 2026-06-16..2026-06-18 (3 days) x 0.5 agents x 333.33 CNY"
    down = Contract("Shop", "CNY", [rate], rounding=Rounding.DOWN).invoice({}, "2026-06")
    assert down.lines[0].amount == Money("499.99", "CNY")


def test_one_day_one_agent_and_a_custom_unit() -> None:
    calendar = Calendar(DateRange("Launch day", "2026-06-18", "2026-06-18"))
    rate = DayRate("Launch", calendar=calendar, rate="900.00 CNY", agents=1, unit="seat-day")
    line = Contract("Shop", "CNY", [rate]).invoice({}, "2026-06").lines[0]
    # 1 day x 1 agent x 900.00 = 900.00
    assert line.basis == "Launch day: 2026-06-18 (1 day) x 1 agent x 900.00 CNY"
    assert (line.amount, line.quantity, line.unit) == (
        Money("900.00", "CNY"),
        Fraction(1),
        "seat-day",
    )


def test_weekly_rule_days() -> None:
    weekends = Calendar(RuleRange("Weekends", "FREQ=WEEKLY;BYDAY=SA", start="2026-01-03", days=2))
    rate = DayRate("Weekend cover", calendar=weekends, rate="400.00 CNY", description="Weekends")
    line = Contract("Shop", "CNY", [rate]).invoice({}, "2026-11").lines[0]
    # November 2026: Sunday 1st, then Saturday-Sunday pairs 7-8, 14-15, 21-22, 28-29:
    # 1 + 4 x 2 = 9 days x 400.00 = 3600.00
    assert line.description == "Weekends (Weekends)"
    assert line.basis == (
        "Weekends: 2026-11-01, 2026-11-07..2026-11-08, 2026-11-14..2026-11-15, "
        "2026-11-21..2026-11-22, 2026-11-28..2026-11-29 (9 days) x 400.00 CNY"
    )
    assert line.amount == Money("3600.00", "CNY")


# -- agents booked per day, from usage -----------------------------------------------------


def booked_contract(**rate_terms: object) -> Contract:
    return Contract(
        "Shop",
        "CNY",
        [
            RecurringFee("Agents", amount="3000.00 CNY", quantity=2),
            DayRate(
                "Peak support",
                calendar=PEAKS,
                rate="800.00 CNY",
                metric="agents_booked",
                **rate_terms,  # type: ignore[arg-type]
            ),
        ],
        meters=[Meter("agents_booked", group_by=["day", "site"])],
    )


def booking(day: dt.date, agents: int, site: str = "shanghai") -> Event:
    return Event(
        "agents_booked",
        agents,
        dt.datetime.combine(day, dt.time(8)),
        {"day": day.isoformat(), "site": site},
    )


def test_agents_booked_per_day_from_events() -> None:
    events = [
        booking(D(2026, 11, 1), 3),
        booking(D(2026, 11, 2), 4),
        booking(D(2026, 11, 11), 1),
        booking(D(2026, 11, 11), 1, site="hangzhou"),
        booking(D(2026, 11, 20), 5),  # not a peak day: not charged by the day rate
        booking(D(2026, 12, 1), 1),  # counts in December
    ]
    contract = booked_contract()
    november = contract.invoice(events, "2026-11")
    # 1 Nov: 3, 2 Nov: 4, 11 Nov: 1 + 1 = 2 -> 3 days, 9 agent-days x 800.00 = 7200.00
    assert amounts(november) == [
        ("Agents", Decimal("6000.00")),
        ("Peak support (Double 11)", Decimal("7200.00")),
    ]
    peak = november.lines[1]
    assert peak.basis == (
        "Double 11: 2026-11-01..2026-11-02, 2026-11-11 (3 days), 9 agent-days booked x 800.00 CNY"
    )
    assert (peak.quantity, peak.unit) == (Fraction(9), "agent-day")
    # December: 1 agent on 1 December: 1 x 800.00 = 800.00
    december = contract.invoice(events, "2026-12")
    assert december.lines[1].basis == (
        "Double 12: 2026-12-01 (1 day), 1 agent-day booked x 800.00 CNY"
    )
    assert december.total == Money("6800.00", "CNY")
    # January has no peak day, and November 2027 no booking: no peak line in either
    assert [line.component for line in contract.invoice(events, "2027-01").lines] == ["Agents"]
    assert [line.component for line in contract.invoice(events, "2027-11").lines] == ["Agents"]


def test_agents_booked_from_a_summary_with_a_filter() -> None:
    contract = booked_contract(where={"site": "shanghai"})
    usage = Usage.from_totals(
        {
            ("agents_booked", Dimensions({"day": "2026-11-03", "site": "shanghai"})): "2.5",
            ("agents_booked", Dimensions({"day": "2026-11-04", "site": "hangzhou"})): 6,
            ("agents_booked", Dimensions({"day": "2026-11-05", "site": "shanghai"})): 0,
        }
    )
    invoice = contract.invoice(usage, "2026-11")
    # only Shanghai counts: 2.5 agent-days on 3 November x 800.00 = 2000.00; a day
    # booked with 0 agents is not listed
    assert invoice.lines[1].basis == (
        "Double 11: 2026-11-03 (1 day), 2.5 agent-days booked x 800.00 CNY"
    )
    assert invoice.lines[1].amount == Money("2000.00", "CNY")


def test_booked_usage_that_cannot_be_read_is_an_error() -> None:
    contract = booked_contract()
    no_day = Usage.from_totals({("agents_booked", Dimensions({"site": "shanghai"})): 3})
    with pytest.raises(
        PricingError, match=r"'agents_booked' \(3 in all\) has no 'day' dimension to tell which day"
    ):
        contract.invoice(no_day, "2026-11")
    not_a_date = Usage.from_totals({("agents_booked", Dimensions({"day": "Nov 3"})): 3})
    with pytest.raises(PricingError, match="has day='Nov 3', which is not an ISO date"):
        contract.invoice(not_a_date, "2026-11")
    negative = Usage.from_totals({("agents_booked", Dimensions({"day": "2026-11-03"})): -1})
    with pytest.raises(PricingError, match="books -1 agents on 2026-11-03, a negative number"):
        contract.invoice(negative, "2026-11")


def test_a_custom_day_dimension() -> None:
    rate = DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", metric="booked", day_dimension="date")
    usage = Usage.from_totals({("booked", Dimensions({"date": "2026-12-12"})): 2})
    # 12 December: 2 agent-days x 800.00 = 1600.00
    invoice = Contract("Shop", "CNY", [rate]).invoice(usage, "2026-12")
    assert invoice.total == Money("1600.00", "CNY")
    assert rate.metrics == frozenset({"booked"})
    assert rate.filters == (rate.where,)


# -- validation ----------------------------------------------------------------------------


def test_validation_properties() -> None:
    fixed = DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", agents=2)
    assert fixed.metrics == frozenset()
    assert fixed.filters == ()
    assert fixed.money_values == (("rate", Money("800.00", "CNY")),)
    assert fixed.reads_tags == frozenset()
    assert not fixed.uses_previous_period


def test_the_contract_refuses_a_rate_in_another_currency() -> None:
    rate = DayRate("Peak", calendar=PEAKS, rate="800.00 EUR")
    with pytest.raises(ContractError, match=r"components\[0\]\.rate: 800\.00 EUR is in EUR"):
        Contract("Shop", "CNY", [rate])


def test_the_contract_refuses_a_filter_its_meter_drops() -> None:
    rate = DayRate(
        "Peak", calendar=PEAKS, rate="800.00 CNY", metric="agents_booked", where={"site": "sh"}
    )
    with pytest.raises(ContractError, match="filters 'agents_booked' on site but meter"):
        Contract("Shop", "CNY", [rate], meters=[Meter("agents_booked", group_by=["day"])])


def test_day_rate_errors() -> None:
    with pytest.raises(ContractError, match=r"either a fixed number of agents \(2\) or a metric"):
        DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", agents=2, metric="agents_booked")
    with pytest.raises(
        ContractError, match=r"where \(site=sh\) filters usage, so it needs a metric"
    ):
        DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", where={"site": "sh"})
    with pytest.raises(TypeError, match="calendar must be a Calendar, not"):
        DayRate("Peak", calendar=PEAKS.ranges, rate="800.00 CNY")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rate must be Money or a string"):
        DayRate("Peak", calendar=PEAKS, rate=800)
    with pytest.raises(TypeError, match="not float"):
        DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", agents=1.5)
    with pytest.raises(ValueError, match=r"agents must be positive \(got 0\)"):
        DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", agents=0)
    with pytest.raises(TypeError, match="metric must be a non-empty string, not ''"):
        DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", metric="")
    with pytest.raises(TypeError, match="day_dimension must be a non-empty dimension name"):
        DayRate("Peak", calendar=PEAKS, rate="800.00 CNY", metric="m", day_dimension=" ")


# -- properties ----------------------------------------------------------------------------


@st.composite
def calendar_ranges(draw: st.DrawFn) -> DateRange | YearlyRange:
    name = draw(st.sampled_from(["Peak", "Launch", "Trial"]))
    if draw(st.booleans()):
        first = draw(st.dates(D(2025, 10, 1), D(2026, 12, 31)))
        return DateRange(name, first, first + dt.timedelta(days=draw(st.integers(0, 45))))
    month = draw(st.integers(1, 12))
    return YearlyRange(
        name,
        (month, draw(st.integers(1, 28))),
        (draw(st.integers(1, 12)), draw(st.integers(1, 28))),
    )


@given(
    ranges=st.lists(calendar_ranges(), min_size=1, max_size=4),
    rate=decimals(min_value="0.01", max_value=2000, places=4),
    agents=st.none() | decimals(min_value="0.25", max_value=12, places=2),
    start=st.none() | st.dates(D(2026, 1, 1), D(2026, 12, 31)),
)
def test_day_rate_totals_over_a_year_equal_the_sum_over_its_months(
    ranges: list[DateRange | YearlyRange],
    rate: Decimal,
    agents: Decimal | None,
    start: dt.date | None,
) -> None:
    calendar = Calendar(ranges)
    component = DayRate(
        "Peak", calendar=calendar, rate=Money(rate, "CNY"), agents=agents, active=Window(start)
    )
    contract = Contract("Shop", "CNY", [component])
    yearly = Contract("Shop", "CNY", [component], cycle=Cycle.yearly())
    year = yearly.invoice({}, Period.year(2026))
    months = contract.invoices({}, "2026")
    assert [str(invoice.period) for invoice in months] == [f"2026-{m:02}" for m in range(1, 13)]
    yearly_exact = sum((line.exact for line in year.lines), Fraction(0))
    monthly_exact = sum((line.exact for inv in months for line in inv.lines), Fraction(0))
    # exactly equal before rounding: every charged day is in exactly one month
    assert yearly_exact == monthly_exact
    # and equal to days x agents x rate, counted straight from the calendar
    days = [day for day in calendar.days_in(Period.year(2026)) if start is None or day >= start]
    per_day = Fraction(rate) * (1 if agents is None else Fraction(agents))
    assert yearly_exact == len(days) * per_day
    whole_agents = agents is None or agents == int(agents)
    if whole_agents and Money(rate, "CNY").is_rounded:
        # whole agents at a rate in cents: nothing to round, the totals agree too
        assert year.total == sum((inv.total for inv in months), Money.zero("CNY"))
