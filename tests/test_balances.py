"""Balances carried across invoices: included minutes that roll over (with expiry) and
prepaid credit drawn down invoice after invoice.

Hand computations: amounts in EUR, each line rounded to the cent half-up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Contract,
    ContractError,
    Event,
    Money,
    PerUnit,
    Prepaid,
    PricingError,
    Rollover,
)
from meterprice.components.balances import Lot, PrepaidState
from meterprice.spec import dumps_contract, loads_contract


def monthly(minutes: dict[int, int], year: int = 2026) -> list[Event]:
    return [Event("minutes", q, dt.datetime(year, m, 10, 12)) for m, q in minutes.items()]


def rolling(percent: int = 50, months: int = 1) -> Contract:
    return Contract(
        "Rolling",
        "EUR",
        [
            Rollover(
                "Minutes",
                metric="minutes",
                rate="1.00 EUR",
                included=1000,
                rollover_percent=percent,
                expires_after=months,
                unit="min",
            )
        ],
    )


def test_rollover_with_expiry() -> None:
    billing = rolling().bill(monthly({1: 600, 2: 1100, 3: 0, 4: 1800}), "2026-01-01", "2026-05-01")
    january, february, _, april = billing.invoices
    # January: 600 of 1,000 included used; 400 unused, 50 % carried = 200 min, usable in
    # February only (expires_after = 1 month after January's end: until 28 February)
    assert [str(line.amount.amount) for line in january.lines] == ["0.00"]
    assert billing.carried[0]["Minutes"] == (Lot(Fraction(200), dt.date(2026, 3, 1)),)
    assert "carried on = 200 min (usable until 2026-02-28)" in january.lines[0].basis
    # February: 1,100 used = 200 carried + 900 of the 1,000 included; 100 unused, 50 min on
    assert [str(line.amount.amount) for line in february.lines] == ["0.00"]
    assert billing.carried[1]["Minutes"] == (Lot(Fraction(50), dt.date(2026, 4, 1)),)
    # March: nothing used; February's 50 stay (until 31 March) and 500 more are carried
    assert billing.carried[2]["Minutes"] == (
        Lot(Fraction(50), dt.date(2026, 4, 1)),
        Lot(Fraction(500), dt.date(2026, 5, 1)),
    )
    # April: February's 50 have expired; 1,800 used = 500 carried + 1,000 included + 300
    # billed x 1.00 = 300.00
    assert [(line.description, str(line.amount.amount)) for line in april.lines] == [
        ("Minutes", "300.00"),
        ("Minutes: allowance carried over", "0.00"),
    ]
    assert april.lines[0].basis == (
        "300 min x 1.00 EUR (1800 min used less 500 min carried over and 1000 min of "
        "1000 min included)"
    )
    assert "50 min expired" in april.lines[1].basis
    assert billing.closing["Minutes"] == ()


def test_rollover_is_refused_outside_a_run() -> None:
    with pytest.raises(PricingError, match="carries its state"):
        rolling().invoice(monthly({1: 10}), "2026-01")
    with pytest.raises(ContractError, match="rollover_percent must be 0 to 100"):
        Rollover("M", metric="m", rate="1.00 EUR", included=1, rollover_percent=101)
    with pytest.raises(ContractError, match="expires_after must be 1 to 120"):
        Rollover("M", metric="m", rate="1.00 EUR", included=1, expires_after=0)


def prepaid(**options: object) -> Contract:
    return Contract(
        "Prepaid",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Prepaid(
                "Prepaid credit",
                amount="1000.00 EUR",
                bonus="100.00 EUR",
                on="2026-01-01",
                of={"usage"},
                **options,  # type: ignore[arg-type]
            ),
        ],
    )


def test_a_prepaid_balance_used_up_mid_month() -> None:
    events = [
        *monthly({1: 800}),
        Event("minutes", 250, dt.datetime(2026, 2, 5)),
        Event("minutes", 250, dt.datetime(2026, 2, 20)),  # the balance ran out before
        *monthly({3: 100}),
    ]
    billing = prepaid().bill(events, "2026-01-01", "2026-04-01")
    january, february, march = billing.invoices
    # bought 1,000.00 + 100.00 bonus = 1,100.00; January draws 800.00: 300.00 remaining
    assert [(line.description, str(line.amount.amount)) for line in january.lines] == [
        ("Minutes", "800.00"),
        ("Prepaid credit: drawdown", "-800.00"),
    ]
    assert january.lines[1].basis == (
        "800 EUR drawn from the prepaid balance of 1100 EUR for 800 EUR on lines tagged "
        "usage (bought 1000.00 EUR + 100.00 EUR bonus on 2026-01-01); 300 EUR remaining"
    )
    assert january.lines[1].quantity == 300
    # February: 500.00 of usage, 300.00 drawn (used up), 200.00 billed
    assert [str(line.amount.amount) for line in february.lines] == ["500.00", "-300.00"]
    assert february.lines[1].basis.endswith("0 EUR remaining: the balance is used up")
    assert february.total == Money("200.00", "EUR")
    # March: nothing left to draw
    assert [str(line.amount.amount) for line in march.lines] == ["100.00"]
    assert billing.closing["Prepaid credit"] == PrepaidState(Fraction(0))


def test_a_prepaid_balance_expires() -> None:
    billing = prepaid(expires="2026-03-01").bill(
        monthly({1: 100, 2: 100, 3: 100}), "2026-01-01", "2026-04-01"
    )
    # 1,100.00 - 100 - 100 = 900.00 left when it expires on 1 March
    assert [invoice.total for invoice in billing] == [
        Money("0.00", "EUR"),
        Money("0.00", "EUR"),
        Money("100.00", "EUR"),
    ]
    assert billing.invoices[1].lines[1].basis.endswith("900 EUR remaining until 2026-02-28")
    assert billing.invoices[2].lines[1].description == "Prepaid credit: balance expired"
    assert billing.invoices[2].lines[1].basis == "900 EUR left unused expired on 2026-03-01"
    assert billing.closing["Prepaid credit"] == PrepaidState(Fraction(0))


def test_a_prepaid_balance_is_dated_on_billing_periods() -> None:
    with pytest.raises(PricingError, match="expires = 2026-02-15 falls inside 2026-02"):
        prepaid(expires="2026-02-15").bill(monthly({2: 1}), "2026-02")
    with pytest.raises(ContractError, match="expires: 2026-01-01 is not after on"):
        Prepaid("P", amount="1.00 EUR", on="2026-01-01", expires="2026-01-01")
    with pytest.raises(ContractError, match="amount must be positive"):
        Prepaid("P", amount="0.00 EUR", on="2026-01-01")
    with pytest.raises(ContractError, match="bonus must not be negative"):
        Prepaid("P", amount="1.00 EUR", bonus="-1.00 EUR", on="2026-01-01")
    before = prepaid().bill(monthly({12: 50}, 2025), "2025-12")
    assert [str(line.amount.amount) for line in before.invoices[0].lines] == ["50.00"]


def test_balances_in_a_toml_document() -> None:
    text = """
meterprice = 1
name = "Prepaid"
currency = "EUR"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "1.00"
tags = ["usage"]

[[components]]
type = "prepaid"
name = "Prepaid credit"
amount = "1000.00"
bonus = "100.00"
on = 2026-01-01
of = ["usage"]
"""
    assert loads_contract(text) == prepaid()
    assert loads_contract(dumps_contract(rolling(25, 3))) == rolling(25, 3)


@given(minutes=st.lists(st.integers(0, 3000), min_size=6, max_size=6))
def test_a_prepaid_balance_is_drawn_exactly_once(minutes: list[int]) -> None:
    billing = prepaid().bill(monthly(dict(enumerate(minutes, start=1))), "2026-01-01", "2026-07-01")
    billed = sum(invoice.total.amount for invoice in billing)
    assert billed == max(Decimal(0), Decimal(sum(minutes)) - Decimal("1100.00"))


@given(minutes=st.lists(st.integers(0, 3000), min_size=6, max_size=6))
def test_carried_units_never_bill_more_than_without_them(minutes: list[int]) -> None:
    events = monthly(dict(enumerate(minutes, start=1)))
    carried = sum(i.total.amount for i in rolling(100, 12).bill(events, "2026-01-01", "2026-07-01"))
    plain = sum(max(0, q - 1000) for q in minutes)
    assert carried <= plain
    # everything included over the six months (6 x 1,000) covers as much as it can
    assert carried >= max(0, sum(minutes) - 6000)
