"""Ceilings across invoices: a not-to-exceed amount over the term or per contract year,
what each invoice shows of it, the invoice that reaches it and what comes after.

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
    Ceiling,
    Contract,
    ContractError,
    Event,
    Money,
    Period,
    PerUnit,
    PricingError,
    RecurringFee,
)
from meterprice.components.ceiling import CeilingState
from meterprice.spec import dumps_contract, loads_contract


def monthly(minutes: dict[int, int], year: int = 2026) -> list[Event]:
    return [Event("minutes", q, dt.datetime(year, m, 10, 12)) for m, q in minutes.items()]


def capped(after: str = "nothing", per: str = "term", amount: str = "85000.00 EUR") -> Contract:
    return Contract(
        "Public sector",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Ceiling("Not to exceed", amount=amount, per=per, after=after, of={"usage"}),  # type: ignore[arg-type]
        ],
        term={"start": "2026-01-01"},
    )


def test_a_ceiling_reached_in_the_ninth_month() -> None:
    billing = capped().bill(monthly(dict.fromkeys(range(1, 13), 10_000)), "2026")
    # months 1-8: 10,000.00 each, 80,000.00 billed, 5,000.00 remaining
    for month, invoice in enumerate(billing.invoices[:8], start=1):
        usage, progress = invoice.lines
        assert usage.amount == Money("10000.00", "EUR")
        assert progress.amount == Money("0.00", "EUR")
        assert progress.quantity == 10_000 * month
    assert billing.invoices[7].lines[1].basis == (
        "80000 EUR billed of the 85000.00 EUR ceiling over the term (70000 EUR before this "
        "invoice + 10000 EUR on lines tagged usage); 5000 EUR remaining"
    )
    # September: 10,000.00 of usage, 5,000.00 remaining: capped by -5,000.00
    september = billing.invoices[8]
    assert [(line.description, str(line.amount.amount)) for line in september.lines] == [
        ("Minutes", "10000.00"),
        ("Not to exceed: ceiling reached", "-5000.00"),
    ]
    assert "capped at the 5000 EUR remaining" in september.lines[1].basis
    assert september.total == Money("5000.00", "EUR")
    # October to December: nothing billed after the ceiling
    for invoice in billing.invoices[9:]:
        assert [(line.description, str(line.amount.amount)) for line in invoice.lines] == [
            ("Minutes", "10000.00"),
            ("Not to exceed: nothing billed after the ceiling", "-10000.00"),
        ]
        assert invoice.total == Money("0.00", "EUR")
    assert sum(invoice.total.amount for invoice in billing) == Decimal("85000.00")
    assert billing.closing["Not to exceed"] == CeilingState(None, Fraction(85_000))


def test_a_ceiling_can_refuse_billing_after_it() -> None:
    contract = capped(after="refuse")
    events = monthly(dict.fromkeys(range(1, 13), 10_000))
    nine = contract.bill(events, "2026-01-01", "2026-10-01")
    assert nine.invoices[-1].total == Money("5000.00", "EUR")  # the ninth is still capped
    with pytest.raises(PricingError, match=r"ceiling over the term was reached before"):
        contract.bill(events, "2026")
    # an invoice with nothing to bill after the ceiling is not refused
    quiet = contract.bill(monthly(dict.fromkeys(range(1, 10), 10_000)), "2026")
    assert quiet.invoices[-1].total == Money("0.00", "EUR")


def test_a_ceiling_per_contract_year_starts_again() -> None:
    contract = capped(per="year", amount="25000.00 EUR")
    events = monthly({11: 20_000, 12: 20_000}) + monthly({1: 20_000}, 2027)
    billing = contract.bill(events, "2026-11-01", "2027-02-01")
    # 2026: 20,000 in November; December capped at the 5,000 remaining; 2027 starts again
    assert [invoice.total for invoice in billing] == [
        Money("20000.00", "EUR"),
        Money("5000.00", "EUR"),
        Money("20000.00", "EUR"),
    ]
    assert billing.closing["Not to exceed"] == CeilingState(Period.year(2027), Fraction(20_000))


def test_a_ceiling_reads_only_the_lines_it_names() -> None:
    contract = Contract(
        "Fee and usage",
        "EUR",
        [
            RecurringFee("Platform", amount="100.00 EUR"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Ceiling("Usage ceiling", amount="150.00 EUR", of={"usage"}),
        ],
    )
    billing = contract.bill(monthly({1: 100, 2: 100}), "2026-01-01", "2026-03-01")
    # the platform fee does not count: January 100 of 150; February capped at 50
    assert [invoice.total for invoice in billing] == [
        Money("200.00", "EUR"),
        Money("150.00", "EUR"),
    ]


def test_a_ceiling_is_checked_when_built_and_loaded() -> None:
    with pytest.raises(ContractError, match="amount must be positive"):
        Ceiling("C", amount="-1.00 EUR")
    with pytest.raises(ValueError, match="after"):
        Ceiling("C", amount="1.00 EUR", after="stop")  # type: ignore[arg-type]
    text = """
meterprice = 1
name = "Public sector"
currency = "EUR"
term = { start = 2026-01-01 }

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "1.00"
tags = ["usage"]

[[components]]
type = "ceiling"
name = "Not to exceed"
amount = "85000.00"
after = "nothing"
of = ["usage"]
"""
    assert loads_contract(text) == capped()
    assert loads_contract(dumps_contract(capped(after="refuse"))) == capped(after="refuse")


@given(
    minutes=st.lists(st.integers(0, 30_000), min_size=12, max_size=12),
    ceiling=st.integers(1, 200_000),
)
def test_no_run_bills_more_than_its_ceiling(minutes: list[int], ceiling: int) -> None:
    contract = capped(amount=f"{ceiling}.00 EUR")
    events = monthly({month: q for month, q in enumerate(minutes, start=1) if q})
    totals = [invoice.total.amount for invoice in contract.bill(events, "2026")]
    assert sum(totals) == min(Decimal(ceiling), Decimal(sum(minutes)))
    assert all(total >= 0 for total in totals)
