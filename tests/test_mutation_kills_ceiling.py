"""Ceilings: what mutation testing found unpinned.

Every field of the progress line and of the credit line, not only the amount; the
contract year a ceiling per year counts in (from its anchor, else the term's start,
else 1 January) and the refusal of a billing period across two of them; the state
left by the invoice that reaches a yearly ceiling; a remainder of less than one unit
under ``after = "refuse"``; the messages of a malformed amount or anchor; the tags of
the credit itself, as a wrapping component sees them. Figures computed by hand, in
EUR at 1.00 a minute.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import pytest
from direct_pricing import context, fields

from meterprice import Ceiling, Contract, Event, Money, Period, PerUnit, PricingError
from meterprice.components.base import Charge
from meterprice.components.ceiling import CeilingState
from meterprice.errors import AmountError, ContractError, InvalidTypeError


def _events(minutes: dict[tuple[int, int], int]) -> list[Event]:
    """``minutes`` used on the 10th of each (year, month)."""
    return [Event("minutes", q, dt.datetime(y, m, 10, 12)) for (y, m), q in minutes.items()]


def _contract(ceiling: Ceiling, term_start: str | None = "2026-01-01") -> Contract:
    minutes = PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"})
    term = None if term_start is None else {"start": term_start}
    return Contract("Public sector", "EUR", [minutes, ceiling], term=term)


def _yearly(**kwargs: object) -> Ceiling:
    return Ceiling(
        "Not to exceed",
        amount="25000.00 EUR",
        per="year",
        of={"usage"},
        **kwargs,  # type: ignore[arg-type]
    )


# -- building ------------------------------------------------------------------------------


def test_a_malformed_amount_is_named_in_the_message() -> None:
    with pytest.raises(
        InvalidTypeError, match=r"^amount must be Money or a string like '0\.95 EUR', not 5$"
    ):
        Ceiling("C", amount=5)
    with pytest.raises(AmountError, match=r"^amount: money must be written as"):
        Ceiling("C", amount="5")


def test_a_zero_amount_is_refused() -> None:
    with pytest.raises(ContractError, match=r"^amount must be positive \(got 0\.00 EUR\)$"):
        Ceiling("C", amount="0.00 EUR")
    # the smallest positive amount is accepted
    assert Ceiling("C", amount="0.01 EUR").amount == Money("0.01", "EUR")


def test_a_malformed_anchor_is_named_in_the_message() -> None:
    with pytest.raises(
        ContractError, match=r"^anchor is not an ISO date \(YYYY-MM-DD\): '2026-13-01'$"
    ):
        Ceiling("C", amount="1.00 EUR", anchor="2026-13-01")
    with pytest.raises(InvalidTypeError, match=r"^anchor must be a date, not datetime\.datetime"):
        Ceiling("C", amount="1.00 EUR", anchor=dt.datetime(2026, 7, 1))


def test_an_anchor_is_read_as_a_date() -> None:
    assert Ceiling("C", amount="1.00 EUR", anchor="2026-07-01").anchor == dt.date(2026, 7, 1)
    assert Ceiling("C", amount="1.00 EUR", anchor=dt.date(2026, 7, 1)).anchor == dt.date(2026, 7, 1)
    assert Ceiling("C", amount="1.00 EUR").anchor is None


# -- the contract year ---------------------------------------------------------------------


def test_an_anchor_starts_the_contract_years() -> None:
    contract = _contract(_yearly(anchor="2026-07-01"))
    billing = contract.bill(
        _events({(2026, 6): 20_000, (2026, 7): 20_000}), "2026-06-01", "2026-08-01"
    )
    june, july = billing.invoices
    # June is in the year 2025-07-01..2026-07-01 and July starts the next: 20,000.00
    # each, neither capped (the term's start, 1 January, would cap July at 5,000.00)
    assert [invoice.total for invoice in billing] == [
        Money("20000.00", "EUR"),
        Money("20000.00", "EUR"),
    ]
    assert fields(june.lines[1]) == (
        "Not to exceed: consumed so far",
        "0.00 EUR",
        "20000 EUR billed of the 25000.00 EUR ceiling over 2025-07-01..2026-07-01 "
        "(0 EUR before this invoice + 20000 EUR on lines tagged usage); 5000 EUR remaining",
        Fraction(20_000),
        "EUR",
        None,
        frozenset(),
    )
    assert july.lines[1].basis == (
        "20000 EUR billed of the 25000.00 EUR ceiling over 2026-07-01..2027-07-01 "
        "(0 EUR before this invoice + 20000 EUR on lines tagged usage); 5000 EUR remaining"
    )
    year = Period(dt.date(2026, 7, 1), dt.date(2027, 7, 1))
    assert billing.closing["Not to exceed"] == CeilingState(year, Fraction(20_000))


def test_without_an_anchor_the_contract_years_start_with_the_term() -> None:
    contract = _contract(_yearly(description="NTE"), term_start="2026-07-01")
    billing = contract.bill(
        _events({(2026, 12): 20_000, (2027, 1): 20_000}), "2026-12-01", "2027-02-01"
    )
    december, january = billing.invoices
    # December and January are both in the year 2026-07-01..2027-07-01: January's
    # 20,000.00 is capped at the 25,000.00 - 20,000.00 = 5,000.00 remaining
    assert [invoice.total for invoice in billing] == [
        Money("20000.00", "EUR"),
        Money("5000.00", "EUR"),
    ]
    assert fields(december.lines[1]) == (
        "NTE: consumed so far",
        "0.00 EUR",
        "20000 EUR billed of the 25000.00 EUR ceiling over 2026-07-01..2027-07-01 "
        "(0 EUR before this invoice + 20000 EUR on lines tagged usage); 5000 EUR remaining",
        Fraction(20_000),
        "EUR",
        None,
        frozenset(),
    )
    # 5,000.00 - 20,000.00 = -15,000.00
    assert fields(january.lines[1]) == (
        "NTE: ceiling reached",
        "-15000.00 EUR",
        "20000 EUR on lines tagged usage capped at the 5000 EUR remaining under the "
        "25000.00 EUR ceiling over 2026-07-01..2027-07-01 (20000 EUR billed before): "
        "ceiling reached",
        None,
        None,
        None,
        frozenset(),
    )


def test_without_an_anchor_or_a_term_start_the_contract_years_are_calendar_years() -> None:
    contract = _contract(_yearly(), term_start=None)
    billing = contract.bill(
        _events({(2026, 12): 20_000, (2027, 1): 20_000}), "2026-12-01", "2027-02-01"
    )
    december, january = billing.invoices
    # years from 1 January: January 2027 starts again, 20,000.00 of 25,000.00 each
    assert [invoice.total for invoice in billing] == [
        Money("20000.00", "EUR"),
        Money("20000.00", "EUR"),
    ]
    assert december.lines[1].basis == (
        "20000 EUR billed of the 25000.00 EUR ceiling over 2026 "
        "(0 EUR before this invoice + 20000 EUR on lines tagged usage); 5000 EUR remaining"
    )
    assert january.lines[1].basis == (
        "20000 EUR billed of the 25000.00 EUR ceiling over 2027 "
        "(0 EUR before this invoice + 20000 EUR on lines tagged usage); 5000 EUR remaining"
    )
    assert billing.closing["Not to exceed"] == CeilingState(Period.year(2027), Fraction(20_000))


def test_a_billing_period_across_two_contract_years_is_refused() -> None:
    # years from 16 November; November 2026 starts in 2025-11-16..2026-11-16 and ends
    # after it
    contract = _contract(_yearly(anchor="2026-11-16"), term_start="2026-11-01")
    message = (
        "'Not to exceed': the billing period 2026-11 is not inside one contract year "
        "(2025-11-16..2026-11-16 contains its first day): contract years must start on "
        "billing periods (set anchor)"
    )
    with pytest.raises(PricingError, match="^" + re.escape(message) + "$"):
        contract.bill(_events({(2026, 11): 100}), "2026-11-01", "2026-12-01")


def test_the_invoice_that_reaches_a_yearly_ceiling_leaves_the_year_it_counts_in() -> None:
    contract = _contract(_yearly())
    events = _events({(2026, 10): 20_000, (2026, 11): 20_000, (2026, 12): 20_000})
    billing = contract.bill(events, "2026-10-01", "2027-01-01")
    # October 20,000.00; November capped at the 5,000.00 remaining; December, in the
    # same year 2026, nothing
    assert [invoice.total for invoice in billing] == [
        Money("20000.00", "EUR"),
        Money("5000.00", "EUR"),
        Money("0.00", "EUR"),
    ]
    assert fields(billing.invoices[2].lines[1]) == (
        "Not to exceed: nothing billed after the ceiling",
        "-20000.00 EUR",
        "the 25000.00 EUR ceiling over 2026 was reached before: 20000 EUR on lines tagged "
        "usage not billed",
        None,
        None,
        None,
        frozenset(),
    )
    assert billing.closing["Not to exceed"] == CeilingState(Period.year(2026), Fraction(25_000))


# -- after = "refuse" ----------------------------------------------------------------------


def test_a_remainder_below_one_unit_is_still_billed_before_refusing() -> None:
    ceiling = Ceiling("Not to exceed", amount="100.50 EUR", of={"usage"}, after="refuse")
    contract = _contract(ceiling)
    events = _events({(2026, 1): 100, (2026, 2): 10, (2026, 3): 10})
    billing = contract.bill(events, "2026-01-01", "2026-03-01")
    # January 100.00 of 100.50; February's 10.00 capped at the 0.50 remaining: -9.50
    assert [invoice.total for invoice in billing] == [
        Money("100.00", "EUR"),
        Money("0.50", "EUR"),
    ]
    assert fields(billing.invoices[1].lines[1]) == (
        "Not to exceed: ceiling reached",
        "-9.50 EUR",
        "10 EUR on lines tagged usage capped at the 0.5 EUR remaining under the "
        "100.50 EUR ceiling over the term (100 EUR billed before): ceiling reached",
        None,
        None,
        None,
        frozenset(),
    )
    # March: nothing remains, and more is refused
    message = (
        "'Not to exceed': the 100.50 EUR ceiling over the term was reached before "
        "2026-03, and the contract refuses billing after it (10 EUR on lines tagged "
        "usage in this invoice)"
    )
    with pytest.raises(PricingError, match="^" + re.escape(message) + "$"):
        contract.bill(events, "2026-01-01", "2026-04-01")


# -- the charges themselves ----------------------------------------------------------------


def test_a_ceiling_credit_carries_the_ceiling_tags() -> None:
    ceiling = Ceiling("NTE", amount="1000.00 EUR", of={"usage"}, tags={"capped"})
    minutes = PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"})
    lines = Contract("C", "EUR", [minutes]).invoice({"minutes": 1500}, "2026-11-01").lines
    ctx = context({"minutes": 1500}, lines=lines)
    charges, state = ceiling.price_carried(ctx, None)
    # 1500.00 billed, 1000.00 allowed: 1000.00 - 1500.00 = -500.00
    assert tuple(charges) == (
        Charge(
            "NTE: ceiling reached",
            Fraction(-500),
            "1500 EUR on lines tagged usage capped at the 1000 EUR remaining under the "
            "1000.00 EUR ceiling over the term (0 EUR billed before): ceiling reached",
            tags={"capped"},
        ),
    )
    assert state == CeilingState(None, Fraction(1000))
