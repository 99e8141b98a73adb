"""Commitments: what mutation testing found unpinned.

Every field of the progress, met and true-up lines (quantity, unit, tags, the basis
of a met commitment), the state a met commitment carries, the spend counted only on
the lines tagged ``of``, the messages of a term without a start or an end and of a
commitment period that does not start on a billing period, the field names in the
messages of a bad amount or anchor, and the days two windows share when they only
touch. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import (
    Commitment,
    Contract,
    ContractError,
    Event,
    Money,
    Period,
    PerUnit,
    PricingError,
    RecurringFee,
    Window,
)
from meterprice.components.commitment import CommitmentState, meet

TERM = {"start": "2026-11-01", "end": "2027-01-01"}
# the term as a commitment period: 1 November 2026 to 1 January 2027 (61 days)
TERM_PERIOD = Period(dt.date(2026, 11, 1), dt.date(2027, 1, 1))


def term_commitment() -> Contract:
    """A platform fee (untagged), minutes at 1.00 EUR (tagged usage) and a commitment
    of 3,000.00 EUR over a two-month term counted on the minutes only.
    """
    return Contract(
        "Committed",
        "EUR",
        [
            RecurringFee("Platform", amount="500.00 EUR"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Commitment(
                "Commit",
                amount="3000.00 EUR",
                per="term",
                of={"usage"},
                tags={"commit"},
            ),
        ],
        term=TERM,
    )


def minutes(november: int, december: int) -> list[Event]:
    return [
        Event("minutes", november, dt.datetime(2026, 11, 10, 12)),
        Event("minutes", december, dt.datetime(2026, 12, 10, 12)),
    ]


def test_the_progress_line_counts_only_the_lines_tagged_of_in_the_currency() -> None:
    # November: 2,000 minutes = 2,000.00 on usage; the 500.00 platform fee is not
    # tagged usage, so 0 before + 2,000 = 2,000 consumed (not 2,500)
    billing = term_commitment().bill(minutes(2000, 1500), "2026-11-01", "2027-01-01")
    november = billing.invoices[0]
    fee, usage, progress = november.lines
    assert fee.amount == Money("500.00", "EUR")
    assert usage.amount == Money("2000.00", "EUR")
    assert progress.description == "Commit: consumed so far"
    assert progress.amount == Money("0.00", "EUR")
    assert progress.quantity == Decimal(2000)
    assert progress.unit == "EUR"
    assert progress.unit_price is None
    assert progress.tags == frozenset({"commit"})  # every line has the component's tags
    assert progress.basis == (
        "2000 EUR consumed of 3000 EUR for 2026-11-01..2027-01-01 (0 EUR before this "
        "invoice + 2000 EUR on lines tagged usage)"
    )
    assert billing.carried[0]["Commit"] == CommitmentState(TERM_PERIOD, Fraction(2000))


def test_a_met_commitment_shows_the_spend_in_the_currency_and_carries_it() -> None:
    # December: 2,000 before + 1,500 = 3,500 consumed of 3,000: met, no true-up
    billing = term_commitment().bill(minutes(2000, 1500), "2026-11-01", "2027-01-01")
    december = billing.invoices[1]
    _fee, usage, met = december.lines
    assert usage.amount == Money("1500.00", "EUR")
    assert met.description == "Commit: met"
    assert met.amount == Money("0.00", "EUR")
    assert met.quantity == Decimal(3500)
    assert met.unit == "EUR"
    assert met.unit_price is None
    assert met.tags == frozenset({"commit"})
    assert met.basis == (
        "3500 EUR consumed of 3000 EUR for 2026-11-01..2027-01-01 (2000 EUR before this "
        "invoice + 1500 EUR on lines tagged usage): no true-up"
    )
    # the state left is the commitment period and the 3,500 consumed in it
    assert billing.carried[1]["Commit"] == CommitmentState(TERM_PERIOD, Fraction(3500))
    assert billing.closing["Commit"] == CommitmentState(TERM_PERIOD, Fraction(3500))
    # 2 x 500.00 + 2,000.00 + 1,500.00 = 4,500.00
    assert sum(invoice.total.amount for invoice in billing) == Decimal("4500.00")


def test_a_true_up_line_has_no_quantity_and_carries_the_commitments_tags() -> None:
    # December: 2,000 before + 500 = 2,500 consumed of 3,000: true-up 500.00
    billing = term_commitment().bill(minutes(2000, 500), "2026-11-01", "2027-01-01")
    _fee, usage, true_up = billing.invoices[1].lines
    assert usage.amount == Money("500.00", "EUR")
    assert true_up.description == "Commit: true-up"
    assert true_up.amount == Money("500.00", "EUR")
    assert true_up.quantity is None
    assert true_up.unit is None
    assert true_up.unit_price is None
    assert true_up.tags == frozenset({"commit"})
    assert true_up.basis == (
        "2500 EUR consumed of 3000 EUR for 2026-11-01..2027-01-01 (2000 EUR before this "
        "invoice + 500 EUR on lines tagged usage): 3000 EUR less 2500 EUR"
    )
    # the true-up counts toward the commitment: 2,500 + 500 = 3,000
    assert billing.closing["Commit"] == CommitmentState(TERM_PERIOD, Fraction(3000))


def yearly(**term: str) -> Contract:
    return Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Commitment("Annual", amount="36500.00 EUR", of={"usage"}),
        ],
        term=term,
    )


def test_a_yearly_commitment_under_a_term_with_a_start_and_no_end() -> None:
    # term from 1 December 2026, open-ended: the commitment years start on
    # 1 December; the December invoice is not the last of 2026-12-01..2027-12-01
    contract = yearly(start="2026-12-01")
    events = [Event("minutes", 100, dt.datetime(2026, 12, 10, 12))]
    billing = contract.bill(events, "2026-12")
    (_usage, progress) = billing.invoices[0].lines
    assert progress.description == "Annual: consumed so far"
    assert progress.quantity == Decimal(100)
    assert progress.basis == (
        "100 EUR consumed of 36500 EUR for 2026-12-01..2027-12-01 (0 EUR before this "
        "invoice + 100 EUR on lines tagged usage)"
    )


def test_a_yearly_commitment_under_a_term_with_an_end_and_no_start() -> None:
    # term until 2 February 2026, no start: the commitment year is 2026 (anchored on
    # 1 January), in force 1 January - 1 February inclusive: 31 + 1 = 32 of 365 days;
    # 36,500.00 x 32/365 = 3,200.00 committed; the term ends on 2 February, so the
    # January invoice is not the last of the commitment
    contract = yearly(end="2026-02-02")
    events = [Event("minutes", 100, dt.datetime(2026, 1, 10, 12))]
    billing = contract.bill(events, "2026-01")
    (_usage, progress) = billing.invoices[0].lines
    assert progress.description == "Annual: consumed so far"
    assert progress.quantity == Decimal(100)
    assert progress.basis == (
        "100 EUR consumed of 3200 EUR for 2026 (36500.00 EUR x 32/365 days in force) "
        "(0 EUR before this invoice + 100 EUR on lines tagged usage)"
    )


def per_term(**term: str) -> Contract:
    return Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Commitment("Term commitment", amount="100.00 EUR", per="term", of={"usage"}),
        ],
        term=term,
    )


def test_a_term_commitment_needs_a_term_with_an_end() -> None:
    events = [Event("minutes", 1, dt.datetime(2026, 1, 10, 12))]
    message = (
        "'Term commitment' commits per term, but the term has no end: give the contract "
        "a term with a start and an end"
    )
    with pytest.raises(PricingError, match="^" + re.escape(message) + "$"):
        per_term(start="2026-01-01").bill(events, "2026-01")


def test_a_term_commitment_needs_a_term_with_a_start() -> None:
    events = [Event("minutes", 1, dt.datetime(2026, 1, 10, 12))]
    message = (
        "'Term commitment' commits per term, but the term has no start: give the contract "
        "a term with a start and an end"
    )
    with pytest.raises(PricingError, match="^" + re.escape(message) + "$"):
        per_term(end="2026-03-01").bill(events, "2026-01")
    with pytest.raises(PricingError, match="^" + re.escape(message) + "$"):
        per_term().bill(events, "2026-01")


def test_a_commitment_period_across_billing_periods_is_refused_with_the_fix() -> None:
    # anchored on 16 January: the commitment year containing 1 January 2026 is
    # 16 January 2025 - 16 January 2026, which January 2026 overruns
    contract = Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            Commitment("Annual", amount="1.00 EUR", anchor="2026-01-16"),
        ],
    )
    message = (
        "'Annual': the billing period 2026-01 is not inside one commitment period "
        "(2025-01-16..2026-01-16 contains its first day): commitment periods must start "
        "on billing periods (set anchor)"
    )
    with pytest.raises(PricingError, match="^" + re.escape(message) + "$"):
        contract.bill([Event("minutes", 1, dt.datetime(2026, 1, 10, 12))], "2026-01")


def test_a_bad_amount_is_named_amount() -> None:
    with pytest.raises(ValueError, match=r"^amount: "):
        Commitment("C", amount="lots")
    message = "amount must be Money or a string like '0.95 EUR', not 100"
    with pytest.raises(TypeError, match="^" + re.escape(message) + "$"):
        Commitment("C", amount=100)


def test_a_bad_anchor_is_named_anchor() -> None:
    with pytest.raises(
        ContractError, match=re.escape("anchor is not an ISO date (YYYY-MM-DD): '1 July'")
    ):
        Commitment("C", amount="1.00 EUR", anchor="1 July")
    with pytest.raises(TypeError, match=r"^anchor must be a date, not 7 "):
        Commitment("C", amount="1.00 EUR", anchor=7)
    assert Commitment("C", amount="1.00 EUR", anchor="2026-07-01").anchor == dt.date(2026, 7, 1)


def test_windows_that_only_touch_do_not_meet() -> None:
    november = Window(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    december = Window(dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    # [1 Nov, 1 Dec) and [1 Dec, 1 Jan) share no day: the start equals the end
    assert meet(november, december) is None
    assert meet(december, november) is None
    # one day apart they share [30 Nov, 1 Dec)
    late_november = Window(dt.date(2026, 11, 30), dt.date(2027, 1, 1))
    assert meet(november, late_november) == Window(dt.date(2026, 11, 30), dt.date(2026, 12, 1))
    # open ends stay open
    assert meet(Window(start=dt.date(2026, 11, 1)), Window()) == Window(start=dt.date(2026, 11, 1))
    assert meet(Window(end=dt.date(2026, 12, 1)), Window()) == Window(end=dt.date(2026, 12, 1))
    assert meet(Window(), Window()) == Window()
