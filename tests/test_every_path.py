"""Every way of handing usage to a contract gives the same invoice, or a clear refusal.

Regression tests for the wrong numbers found pricing summaries against dated terms and
periods that are not billing periods, each figure computed by hand; then differential
properties over random contracts and events: events, their day-resolved summary, a
usage file of them and any partition merged price identically, and a summary without
days is either priced identically or refused, never different.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Case, cases

from meterprice import (
    Commission,
    Contract,
    Cycle,
    Event,
    Invoice,
    MeterpriceError,
    Money,
    Period,
    PeriodError,
    PerUnit,
    PricingError,
    RecurringFee,
    SetupFee,
    Usage,
    UsageFile,
    price_file,
)
from meterprice.analysis import compare, cost_curve, forecast, quote
from meterprice.breakeven import break_even, cost_function

D = dt.date
NOV = Period.month(2026, 11)


def minutes_on(day: int, quantity: int, month: int = 11) -> Event:
    return Event("minutes", quantity, dt.datetime(2026, month, day, 10, 0))


def from_16th() -> Contract:
    return Contract(
        "w",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="1.00 EUR", active={"start": "2026-11-16"})],
    )


def two_windows() -> Contract:
    return Contract(
        "two",
        "EUR",
        [
            PerUnit("Until 15th", metric="minutes", rate="1.00 EUR", active={"end": "2026-11-16"}),
            PerUnit("From 16th", metric="minutes", rate="0.90 EUR", active={"start": "2026-11-16"}),
        ],
    )


def monthly_fee(**options: object) -> Contract:
    return Contract("fee", "EUR", [RecurringFee("Fee", amount="6000.00 EUR")], **options)  # type: ignore[arg-type]


# -- 1. a summary against a component active for part of the period ------------------------


def test_a_metered_summary_bills_only_the_days_of_the_window() -> None:
    events = [minutes_on(3, 100), minutes_on(20, 50)]
    contract = from_16th()
    # only the 50 minutes of the 20th fall after go-live: 50 x 1.00
    assert contract.invoice(events, "2026-11").total == Money("50.00", "EUR")
    summary = contract.meter(events, "2026-11")
    assert summary.dated
    assert summary.span == NOV
    assert contract.invoice(summary, "2026-11").total == Money("50.00", "EUR")  # was 150.00
    by_day = Usage.from_daily({"2026-11-03": {"minutes": 100}, "2026-11-20": {"minutes": 50}})
    assert contract.invoice(by_day, "2026-11").total == Money("50.00", "EUR")


def test_daily_items_list_undated_quantities_first_then_each_day() -> None:
    usage = Usage.from_daily({"2026-11-20": {"minutes": 50}, "2026-11-03": {"minutes": 100}})
    usage += Usage.from_totals({"chats": 7})
    assert [(str(day), metric, quantity) for day, metric, _, quantity in usage.daily_items()] == [
        ("None", "chats", Fraction(7)),
        ("2026-11-03", "minutes", Fraction(100)),
        ("2026-11-20", "minutes", Fraction(50)),
    ]
    assert not usage.dated
    assert usage.undated_metrics() == {"chats"}


def test_totals_without_days_are_refused_where_a_window_cuts_the_period() -> None:
    with pytest.raises(PricingError) as caught:
        two_windows().invoice({"minutes": 1000}, "2026-11")  # was 1,900.00
    message = str(caught.value)
    assert "components[0] ('Until 15th') is active only in 2026-11-01..2026-11-16" in message
    assert "usage of minutes has no days" in message
    assert "spread='days'" in message


def test_spread_days_is_an_explicit_choice_that_the_lines_state() -> None:
    invoice = two_windows().invoice({"minutes": 1000}, "2026-11", spread="days")
    # 1000 min spread over 30 days: 500 in each half; 500 x 1.00 + 500 x 0.90 = 950.00
    assert [str(line.amount) for line in invoice.lines] == ["500.00 EUR", "450.00 EUR"]
    assert invoice.lines[1].basis == (
        "500 x 0.90 EUR (totals spread evenly over days: 15 of the 30 days of 2026-11)"
    )
    # a component active over the whole period says nothing about spreading
    whole = Contract("p", "EUR", [PerUnit("M", metric="minutes", rate="1.00 EUR")])
    assert whole.invoice({"minutes": 10}, "2026-11", spread="days").lines[0].basis == (
        "10 x 1.00 EUR"
    )


def test_the_analysis_functions_follow_the_same_rule() -> None:
    contract = two_windows()
    with pytest.raises(PricingError, match="has no days"):
        cost_function(contract, "minutes", "2026-11", upto=1000)
    with pytest.raises(PricingError, match="has no days"):
        quote(contract, {"minutes": 1000}, "2026-11")
    with pytest.raises(PricingError, match="has no days"):
        cost_curve(contract, "minutes", [0, 1000], "2026-11")
    with pytest.raises(PricingError, match="has no days"):
        compare([contract], {"all": {"minutes": 1000}}, "2026-11")
    with pytest.raises(PricingError, match="has no days"):
        forecast(contract, {"2026-11": {"minutes": 1000}})
    # spread over days: 15/30 x 1.00 + 15/30 x 0.90 = 0.95 per minute (was 1.9)
    f = cost_function(contract, "minutes", "2026-11", upto=1000, spread="days")
    assert f.marginal_rate(500) == Decimal("0.95")
    assert f(1000) == 950
    curve = cost_curve(contract, "minutes", [0, 1000], "2026-11", spread="days")
    assert [str(total) for total in curve.totals] == ["0.00 EUR", "950.00 EUR"]
    fee = monthly_fee()
    result = break_even(contract, fee, "minutes", "2026-11", upto=10_000, spread="days")
    assert [str(volume) for volume in result.volumes] == ["120000/19"]  # 6000 / 0.95


# -- 2. periods that are not billing periods -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [("2026", "2026"), ("2026-Q4", "2026-Q4"), ("2026-11-16..2026-12-16", "2026-11-16..")],
)
def test_a_period_longer_than_one_billing_period_is_refused(text: str, shown: str) -> None:
    with pytest.raises(PeriodError) as caught:
        monthly_fee().invoice({}, text)  # was 6,000.00 each time
    assert str(caught.value).startswith(shown)
    assert "not within one billing period" in str(caught.value)
    assert f"contract.invoices(usage, '{text}')" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_part_of_a_billing_period_is_priced_as_a_partial_period() -> None:
    fee = monthly_fee()
    # one day of November: 6000 x 1/30 = 200.00
    assert fee.invoice({}, "2026-11-05").total == Money("200.00", "EUR")
    # 1-15 December: 6000 x 15/31 = 2903.2258... -> 2903.23
    assert fee.invoice({}, "2026-12-01..2026-12-16").total == Money("2903.23", "EUR")
    assert fee.invoice({}, "2026-12-01..2026-12-16").period == Period(
        D(2026, 12, 1), D(2026, 12, 16)
    )


def test_invoices_cover_a_year_quarter_or_range_with_one_invoice_per_billing_period() -> None:
    fee = monthly_fee()
    year = fee.invoices({}, "2026")
    assert len(year) == 12
    assert {str(i.total) for i in year} == {"6000.00 EUR"}
    # 16 Nov to 16 Jan: 6000 x 15/30 = 3000.00, 6000.00, 6000 x 15/31 = 2903.23
    ranged = fee.invoices({}, "2026-11-16..2027-01-16")
    assert [str(i.period) for i in ranged] == [
        "2026-11-16..2026-12-01",
        "2026-12",
        "2027-01-01..2027-01-16",
    ]
    assert [str(i.total) for i in ranged] == ["3000.00 EUR", "6000.00 EUR", "2903.23 EUR"]


def test_period_shapes_against_quarterly_and_weekly_cycles() -> None:
    quarterly = monthly_fee(cycle=Cycle.quarterly())
    # the quarter is the billing period: the whole fee; a month of it is 30/92 of the fee
    assert quarterly.invoice({}, "2026-Q4").total == Money("6000.00", "EUR")
    # 6000 x 30/92 = 1956.5217... -> 1956.52
    assert quarterly.invoice({}, "2026-11").total == Money("1956.52", "EUR")
    with pytest.raises(PeriodError, match="quarterly cycle"):
        quarterly.invoice({}, "2026")
    assert [str(i.total) for i in quarterly.invoices({}, "2026")] == ["6000.00 EUR"] * 4
    weekly = monthly_fee(cycle=Cycle.weekly())
    # Monday 16 November 2026 starts a week: one day of it is 6000 / 7 = 857.142... -> 857.14
    assert weekly.invoice({}, "2026-11-16..2026-11-23").total == Money("6000.00", "EUR")
    assert weekly.invoice({}, "2026-11-18").total == Money("857.14", "EUR")
    with pytest.raises(PeriodError, match="weekly from Mondays cycle"):
        weekly.invoice({}, "2026-11")
    # November: 2 days of the week of 26 Oct, 4 whole weeks, 2 days of the week of 30 Nov
    november = weekly.invoices({}, "2026-11")
    assert [i.period.days for i in november] == [1, 7, 7, 7, 7, 1]
    # 857.14 + 4 x 6000.00 + 857.14
    assert sum((i.total for i in november), Money.zero("EUR")) == Money("25714.28", "EUR")


def test_the_invoices_of_a_range_add_up_to_the_days_they_cover() -> None:
    contract = Contract(
        "ppu",
        "EUR",
        [
            RecurringFee("Fee", amount="3100.00 EUR"),
            PerUnit("M", metric="minutes", rate="0.50 EUR"),
        ],
    )
    events = [minutes_on(day, 10 * day, month) for month in (11, 12) for day in (1, 10, 20, 28)]
    whole = contract.invoices(events, "2026-11-01", "2027-01-01")
    halves = [
        *contract.invoices(events, "2026-11-01..2026-11-16"),
        *contract.invoices(events, "2026-11-16..2027-01-01"),
    ]

    def exact(invoices: Sequence[Invoice]) -> Fraction:
        return sum((line.exact for i in invoices for line in i.lines), Fraction(0))

    # November fee 3100 (15/30 + 15/30), December 3100; minutes 10 x (1+10+20+28) = 590
    # a month, 1180 in all, x 0.50 = 590.00
    assert exact(whole) == exact(halves) == 3100 + 3100 + 590
    assert sum((i.total for i in whole), Money.zero("EUR")) == Money("6790.00", "EUR")


# -- 3. previous-period usage before the term ------------------------------------------------


def last_month_commission() -> Contract:
    return Contract(
        "Shop",
        "CNY",
        [Commission("Commission", metric="sales", percent=10, basis="previous")],
        term={"start": "2026-11-16"},
    )


def test_previous_usage_before_the_term_is_never_billed_whatever_its_form() -> None:
    contract = last_month_commission()
    october = {"sales": "5000.00"}
    sale = Event("sales", "5000.00", dt.datetime(2026, 10, 20, 12, 0))
    # November is the first month: October is before the term, so no commission ...
    assert contract.invoice([sale], "2026-11").lines == ()
    assert contract.invoice({}, "2026-11", previous_usage=[sale]).lines == ()
    assert contract.invoice({}, "2026-11", previous_usage=october).lines == ()  # was 500.00
    dated = Usage.from_totals(october, on="2026-10-20")
    assert contract.invoice({}, "2026-11", previous_usage=dated).lines == ()


def test_a_previous_summary_covering_part_of_the_term_needs_days() -> None:
    contract = last_month_commission()
    with pytest.raises(PricingError, match=r"term covers only 2026-11-16\.\.2026-12-01 of 2026-11"):
        contract.invoice({}, "2026-12", previous_usage={"sales": "3000.00"})
    # sales on the 10th (before the term) and the 20th: 10 % of 2000.00 = 200.00
    daily = Usage.from_daily(
        {"2026-11-10": {"sales": "1000.00"}, "2026-11-20": {"sales": "2000.00"}}
    )
    assert contract.invoice({}, "2026-12", previous_usage=daily).total == Money("200.00", "CNY")


# -- 4. a setup fee outside the term ---------------------------------------------------------


def test_a_setup_fee_dated_before_go_live_is_refused_when_the_contract_is_built() -> None:
    fee = SetupFee("Implementation", amount="4500.00 EUR", on="2026-11-02")
    with pytest.raises(MeterpriceError) as caught:
        Contract("Go-live", "EUR", [fee], term={"start": "2026-11-16"})
    assert str(caught.value).startswith("components[0].on: 'Implementation' is due on 2026-11-02")
    assert isinstance(caught.value, ValueError)
    # dated on go-live, it is billed in full in the partial first month
    live = Contract(
        "Go-live",
        "EUR",
        [SetupFee("Implementation", amount="4500.00 EUR", on="2026-11-16")],
        term={"start": "2026-11-16"},
    )
    assert live.invoice({}, "2026-11").total == Money("4500.00", "EUR")


# -- 7. a period wholly outside the term -----------------------------------------------------


def test_a_period_outside_the_term_is_an_error_unless_asked_for() -> None:
    contract = monthly_fee(term={"start": "2026-11-16"})
    with pytest.raises(PricingError, match=r"2026-10 is outside the term \[2026-11-16, \.\.\.\)"):
        contract.invoice({}, "2026-10")
    empty = contract.invoice({}, "2026-10", outside_term="empty")
    assert empty.lines == ()
    assert empty.total == Money("0.00", "EUR")
    # a range that reaches into the term gives only the invoices inside it
    assert [str(i.period) for i in contract.invoices({}, "2026-10-01..2026-12-01")] == ["2026-11"]


# -- differential properties ------------------------------------------------------------------


def outcome(contract: Contract, usage: object, period: Period) -> Invoice | str:
    """The invoice, or the kind of error (every refusal is a MeterpriceError)."""
    try:
        return contract.invoice(usage, period, outside_term="empty")  # type: ignore[arg-type]
    except MeterpriceError as error:
        return type(error).__name__


def span_of(contract: Contract, period: Period) -> Period:
    """The period and the billing period before it: what an invoice may read."""
    return Period(contract.previous_period(period).start, period.end)


@settings(max_examples=60, deadline=None)
@given(case=cases(max_events=30), seed=st.integers(0, 2**32 - 1))
def test_events_summaries_and_merged_partitions_price_the_same(case: Case, seed: int) -> None:
    contract, period, events = case.contract, case.period, case.events
    expected = outcome(contract, events, period)
    try:
        summary = contract.meter(events, span_of(contract, period))
    except MeterpriceError as error:
        refused = type(error).__name__
        assert expected == refused
        return
    assert outcome(contract, summary, period) == expected
    # any partition of the events, metered apart and merged, is the same summary
    rng = random.Random(seed)
    parts: list[list[Event]] = [[] for _ in range(rng.randint(1, 4))]
    for event in events:
        rng.choice(parts).append(event)
    merged = sum((contract.meter(part, span_of(contract, period)) for part in parts), Usage())
    assert merged == summary
    assert outcome(contract, merged, period) == expected
    # without its days the summary prices the same, or is refused: never a different bill
    undated = outcome(contract, summary.within(period).undated(), period)
    assert undated in (expected, "PricingError")


def write_csv(path: Path, events: list[Event]) -> Path:
    names = sorted({name for event in events for name in event.dimensions})
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["metric", "quantity", "timestamp", *names])
        for event in events:
            dims = event.dimensions
            writer.writerow(
                [event.metric, str(event.quantity), event.at.isoformat()]
                + [dims.get(name) or "" for name in names]
            )
    return path


@settings(max_examples=60, deadline=None)
@given(case=cases(max_events=25, aware=True))
def test_a_usage_file_prices_like_its_events(case: Case) -> None:
    contract, period, events = case.contract, case.period, case.events
    with tempfile.TemporaryDirectory() as folder:
        file = UsageFile(write_csv(Path(folder) / "usage.csv", events))
        try:
            expected: Invoice | str = contract.invoice(events, period)
        except MeterpriceError as error:
            expected = type(error).__name__
        try:
            (invoice,) = price_file(contract, file, [period])
        except MeterpriceError as error:
            refused = type(error).__name__
            assert expected == refused
            return
    assert invoice == expected
