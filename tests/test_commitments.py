"""Commitments across invoices: a spend committed per year (quarter, term) and invoiced
monthly, the state carried from invoice to invoice, and the true-up.

Hand computations: amounts in EUR, each line rounded to the cent half-up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Billing,
    Carried,
    Commitment,
    Contract,
    ContractError,
    Event,
    Money,
    Period,
    PerUnit,
    PricingError,
    RecurringFee,
)
from meterprice.components.commitment import CommitmentState
from meterprice.spec import dumps_contract, loads_contract


def monthly(minutes_by_month: dict[int, int], year: int = 2026) -> list[Event]:
    return [
        Event("minutes", quantity, dt.datetime(year, month, 10, 12))
        for month, quantity in minutes_by_month.items()
    ]


def committed(amount: str = "45000.00 EUR", **options: object) -> Contract:
    return Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Commitment("Annual commitment", amount=amount, of={"usage"}, **options),  # type: ignore[arg-type]
        ],
    )


def test_a_yearly_commitment_over_twelve_monthly_invoices_trues_up_in_december() -> None:
    contract = committed()
    # 500 minutes in January, 1,000 in February, ... 6,000 in December
    events = monthly({month: 500 * month for month in range(1, 13)})
    billing = contract.bill(events, "2026")
    assert isinstance(billing, Billing)
    assert len(billing) == 12
    # consumed so far after month m: 500 x (1 + ... + m) = 250 m (m + 1)
    for month, invoice in enumerate(billing.invoices[:11], start=1):
        usage, progress = invoice.lines
        assert usage.amount == Money(Decimal(500 * month), "EUR")
        assert progress.description == "Annual commitment: consumed so far"
        assert progress.amount == Money("0.00", "EUR")
        assert progress.quantity == 250 * month * (month + 1)
        state = billing.carried[month - 1]["Annual commitment"]
        assert state == CommitmentState(Period.year(2026), Fraction(250 * month * (month + 1)))
    november = billing.invoices[10]
    assert november.lines[1].basis == (
        "33000 EUR consumed of 45000 EUR for 2026 (27500 EUR before this invoice "
        "+ 5500 EUR on lines tagged usage)"
    )
    december = billing.invoices[11]
    # 39,000 consumed in the year (250 x 12 x 13), committed 45,000: true-up 6,000.00
    assert [(line.description, str(line.amount.amount)) for line in december.lines] == [
        ("Minutes", "6000.00"),
        ("Annual commitment: true-up", "6000.00"),
    ]
    assert december.lines[1].basis.endswith(": 45000 EUR less 39000 EUR")
    assert sum(invoice.total.amount for invoice in billing) == Decimal("45000.00")
    assert billing.closing["Annual commitment"] == CommitmentState(
        Period.year(2026), Fraction(45000)
    )
    assert billing.after("2026-06") == billing.carried[5]
    # contract.invoices gives the same invoices
    assert contract.invoices(events, "2026") == billing.invoices


def test_a_commitment_met_before_december_needs_no_true_up() -> None:
    contract = committed("10000.00 EUR")
    billing = contract.bill(monthly(dict.fromkeys(range(1, 13), 1000)), "2026")
    assert billing.invoices[-1].lines[1].description == "Annual commitment: met"
    assert billing.invoices[-1].lines[1].amount == Money("0.00", "EUR")
    assert sum(invoice.total.amount for invoice in billing) == Decimal("12000.00")


def test_a_term_ended_in_month_seven_trues_up_pro_rata() -> None:
    contract = Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Commitment("Annual commitment", amount="36500.00 EUR", of={"usage"}),
        ],
        term={"start": "2026-01-01", "end": "2026-07-16"},
    )
    in_july = Event("minutes", 1000, dt.datetime(2026, 7, 10, 12))
    events = [*monthly(dict.fromkeys(range(1, 7), 2000)), in_july]
    billing = contract.bill(events, "2026")
    # seven invoices, January to July (priced on 1-15 July: the term ends on the 16th)
    assert [str(invoice.period) for invoice in billing] == [f"2026-{m:02}" for m in range(1, 8)]
    # in force 1 January - 15 July: 31 + 28 + 31 + 30 + 31 + 30 + 15 = 196 of 365 days;
    # 36,500.00 x 196/365 = 19,600.00 committed; 6 x 2,000 + 1,000 = 13,000 consumed
    july = billing.invoices[-1]
    assert [(line.description, str(line.amount.amount)) for line in july.lines] == [
        ("Minutes", "1000.00"),
        ("Annual commitment: true-up", "6600.00"),
    ]
    assert "19600 EUR for 2026 (36500.00 EUR x 196/365 days in force)" in july.lines[1].basis
    assert sum(invoice.total.amount for invoice in billing) == Decimal("19600.00")


def test_quarterly_and_term_commitments() -> None:
    quarterly = committed("3000.00 EUR", per="quarter")
    billing = quarterly.bill(
        monthly({1: 500, 2: 500, 3: 500, 4: 4000, 5: 0, 6: 0}), "2026-01-01", "2026-07-01"
    )
    # Q1: 1,500 consumed of 3,000: true-up 1,500.00 in March; Q2: 4,000: met in June
    assert [invoice.total for invoice in billing] == [
        Money("500.00", "EUR"),
        Money("500.00", "EUR"),
        Money("2000.00", "EUR"),
        Money("4000.00", "EUR"),
        Money("0.00", "EUR"),
        Money("0.00", "EUR"),
    ]
    term = attrs.evolve(
        committed("10000.00 EUR", per="term"), term={"start": "2026-11-01", "end": "2027-02-01"}
    )
    billing = term.bill(
        monthly({11: 1000, 12: 1000}) + monthly({1: 1000}, 2027), "2026-11-01", "2027-02-01"
    )
    # 3,000 consumed over the term of three months, committed 10,000: 7,000.00 in January
    assert billing.invoices[-1].lines[-1].amount == Money("7000.00", "EUR")
    with pytest.raises(PricingError, match="commits per term, but the term has no start"):
        committed("1.00 EUR", per="term").bill(monthly({1: 1}), "2026-01")


def test_a_run_can_resume_from_the_state_an_invoice_left() -> None:
    contract = committed()
    events = monthly({month: 500 * month for month in range(1, 13)})
    whole = contract.bill(events, "2026")
    first = contract.bill(events, "2026-01-01", "2026-07-01")
    rest = contract.bill(events, "2026-07-01", "2027-01-01", opening=first.closing)
    assert first.invoices + rest.invoices == whole.invoices
    assert rest.closing == whole.closing
    # one invoice priced alone, from the state the previous one left
    assert contract.invoice(events, "2026-12", carried=whole.carried[10]) == whole.invoices[11]
    assert (
        contract.invoice(
            events,
            "2026-12",
            carried=Carried({"Annual commitment": whole.carried[10]["Annual commitment"]}),
        )
        == whole.invoices[11]
    )


def test_an_invoice_alone_is_refused_without_the_carried_state() -> None:
    with pytest.raises(PricingError, match="carries its state from invoice to invoice"):
        committed().invoice(monthly({1: 100}), "2026-01")
    # and a new commitment period starts afresh whatever was carried
    stale = Carried({"Annual commitment": CommitmentState(Period.year(2025), Fraction(99))})
    invoice = committed().invoice(monthly({1: 100}), "2026-01", carried=stale)
    assert invoice.lines[1].quantity == 100


def test_commitment_periods_must_start_on_billing_periods() -> None:
    contract = committed(anchor="2026-01-16")
    with pytest.raises(PricingError, match="not inside one commitment period"):
        contract.bill(monthly({1: 100}), "2026-01")


def test_a_commitment_is_checked_when_built() -> None:
    with pytest.raises(ContractError, match="amount must be positive"):
        Commitment("C", amount="0.00 EUR")
    with pytest.raises(ValueError, match="per"):
        Commitment("C", amount="1.00 EUR", per="month")  # type: ignore[arg-type]
    with pytest.raises(ContractError, match="is in USD"):
        Contract(
            "C", "EUR", [RecurringFee("F", amount="1.00 EUR"), Commitment("C", amount="1.00 USD")]
        )


def test_a_commitment_in_a_toml_document() -> None:
    text = """
meterprice = 1
name = "Committed"
currency = "EUR"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "1.00"
tags = ["usage"]

[[components]]
type = "commitment"
name = "Annual commitment"
amount = "45000.00"
per = "year"
of = ["usage"]
"""
    contract = loads_contract(text)
    assert contract == committed()
    assert loads_contract(dumps_contract(contract)) == contract


def test_a_commitment_across_an_amendment_carries_through_both_versions() -> None:
    contract = committed().amended(
        "2026-12-16", [PerUnit("Minutes", metric="minutes", rate="2.00 EUR", tags={"usage"})]
    )
    events = [
        *monthly(dict.fromkeys(range(1, 12), 3000)),
        Event("minutes", 1000, dt.datetime(2026, 12, 5)),
        Event("minutes", 1000, dt.datetime(2026, 12, 20)),
    ]
    december = contract.bill(events, "2026").invoices[-1]
    # 11 x 3,000 = 33,000 by November; December version 1 adds 1,000.00 (not the last
    # invoice of the year: 34,000 so far), version 2 adds 2,000.00: 36,000 of 45,000,
    # true-up 9,000.00
    assert [
        (line.description, str(line.amount.amount), line.version) for line in december.lines
    ] == [
        ("Minutes", "1000.00", "1"),
        ("Annual commitment: consumed so far", "0.00", "1"),
        ("Minutes", "2000.00", "2"),
        ("Annual commitment: true-up", "9000.00", "2"),
    ]


@given(
    minutes=st.lists(st.integers(0, 5000), min_size=12, max_size=12),
    rate=st.decimals(min_value="0.01", max_value="3.00", places=2),
    amount=st.decimals(min_value="1.00", max_value="100000.00", places=2),
)
def test_a_years_invoices_under_a_commitment_are_never_below_it(
    minutes: list[int], rate: Decimal, amount: Decimal
) -> None:
    contract = Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate=Money(rate, "EUR")),
            Commitment("Commitment", amount=Money(amount, "EUR")),
        ],
    )
    events = monthly({month: q for month, q in enumerate(minutes, start=1) if q})
    billing = contract.bill(events, "2026")
    total = sum(invoice.total.amount for invoice in billing)
    spent = sum(Decimal(q) * rate for q in minutes)
    assert total >= amount
    assert total == max(amount, spent)  # exactly the commitment, or the spend above it
    true_ups = [line for invoice in billing for line in invoice.lines if line.amount.amount]
    assert all(line.component == "Minutes" for line in true_ups[:-1])
