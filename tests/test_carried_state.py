"""The state carried between invoices (Carried), billing runs (Billing) and the edges
of the components that carry it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import (
    Amendment,
    Billing,
    Carried,
    Ceiling,
    Commitment,
    Contract,
    Discount,
    Event,
    InvalidTypeError,
    InvalidValueError,
    Money,
    Period,
    PerUnit,
    Prepaid,
    PricingContext,
    PricingError,
    Rollover,
    Usage,
    Window,
)
from meterprice.components.balances import PrepaidState
from meterprice.components.commitment import CommitmentState, meet


def monthly(minutes: dict[int, int], year: int = 2026) -> list[Event]:
    return [Event("minutes", q, dt.datetime(year, m, 10, 12)) for m, q in minutes.items()]


def test_carried_is_a_read_only_mapping_by_component_name() -> None:
    state = Carried({"b": 2, "a": 1})
    assert dict(state) == {"a": 1, "b": 2}
    assert list(state) == ["a", "b"]
    assert len(state) == 2
    assert state["a"] == 1
    assert state.get("c") is None
    with pytest.raises(KeyError):
        state["c"]
    assert Carried((("a", 1), ("b", 2))) == state
    assert Carried(state) == state
    assert state.updated({"a": 3}) == Carried({"a": 3, "b": 2})
    with pytest.raises(InvalidTypeError, match="mapping by component name"):
        Carried(["a"])
    with pytest.raises(InvalidTypeError, match="keyed by component name"):
        Carried({1: "a"})


def test_a_billing_run_holds_one_state_per_invoice() -> None:
    with pytest.raises(InvalidValueError, match="one carried state per invoice"):
        Billing((), (Carried(),))
    empty = Billing((), ())
    assert empty.closing == Carried()
    assert len(empty) == 0
    contract = Contract("C", "EUR", [PerUnit("M", metric="minutes", rate="1.00 EUR")])
    billing = contract.bill(monthly({1: 1}), "2026-01")
    assert billing.after("2026-01") == Carried()
    with pytest.raises(KeyError, match="no invoice of 2026-02"):
        billing.after("2026-02")
    with pytest.raises(InvalidTypeError, match="opening must be a Carried state"):
        contract.bill(monthly({1: 1}), "2026-01", opening={"M": 1})  # type: ignore[arg-type]
    outside = Contract(
        "C", "EUR", [PerUnit("M", metric="minutes", rate="1.00 EUR")], term={"start": "2027-01-01"}
    )
    assert outside.bill(monthly({1: 1}), "2026-01", opening=Carried({"x": 1})).closing == Carried(
        {"x": 1}
    )


def test_every_input_path_gives_the_same_run() -> None:
    contract = Contract(
        "Committed",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Commitment("Commitment", amount="5000.00 EUR", per="quarter", of={"usage"}),
            Ceiling("Ceiling", amount="9000.00 EUR", of={"usage"}),
        ],
    )
    events = monthly({1: 1000, 2: 4000, 3: 500, 4: 3000, 5: 3000, 6: 3000})
    by_events = contract.bill(events, "2026-01-01", "2026-07-01")
    metered = contract.meter(events, Period("2025-12-01", "2026-07-01"))
    daily = Usage.from_daily({e.at.date(): {"minutes": e.quantity} for e in events})
    assert contract.bill(metered, "2026-01-01", "2026-07-01") == by_events
    assert contract.bill(daily, "2026-01-01", "2026-07-01") == by_events
    # Q1: 5,500 >= 5,000; the ceiling: 5,500 in Q1, then 3,000 in April, 500 in May
    assert [str(invoice.total.amount) for invoice in by_events] == [
        "1000.00",
        "4000.00",
        "500.00",
        "3000.00",
        "500.00",
        "0.00",
    ]


def test_a_carrying_component_priced_by_hand_reads_the_context() -> None:
    commitment = Commitment("Commitment", amount="100.00 EUR", per="quarter")
    ctx = PricingContext(
        period=Period.month(2026, 3),
        active=Period.month(2026, 3),
        usage=Usage(),
        lines=(),
        currency=Money("1", "EUR").currency,
        rounding=Contract("C", "EUR", []).rounding,
        carried=Carried({"Commitment": CommitmentState(Period.quarter(2026, 1), Fraction(40))}),
    )
    (true_up,) = commitment.price(ctx)
    assert true_up.amount == 60  # 100.00 committed for Q1, 40.00 consumed before March


def test_windows_that_do_not_meet() -> None:
    assert meet(Window("2026-01-01", "2026-02-01"), Window("2026-03-01", None)) is None
    assert meet(Window(), Window("2026-03-01", None)) == Window("2026-03-01", None)


def test_a_percentage_discount_is_left_as_it_is_between_versions() -> None:
    base = Contract(
        "Discounted",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Discount("Discount", percent=10, of={"usage"}),
        ],
    )
    contract = base.amended(
        "2026-01-16", [PerUnit("Minutes", metric="minutes", rate="2.00 EUR", tags={"usage"})]
    )
    invoice = contract.invoice(
        [
            Event("minutes", 100, dt.datetime(2026, 1, 5)),
            Event("minutes", 100, dt.datetime(2026, 1, 20)),
        ],
        "2026-01",
    )
    # 100.00 less 10 % = 90.00; 200.00 less 10 % = 180.00
    assert [str(line.amount.amount) for line in invoice.lines] == [
        "100.00",
        "-10.00",
        "200.00",
        "-20.00",
    ]
    assert isinstance(contract.versions[0], Amendment)


def test_a_prepaid_balance_without_a_bonus_that_expires_spent() -> None:
    contract = Contract(
        "Prepaid",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            Prepaid("Credit", amount="100.00 EUR", on="2026-01-01", expires="2026-03-01"),
        ],
    )
    billing = contract.bill(monthly({1: 150, 3: 10}), "2026-01-01", "2026-04-01")
    # January draws the whole 100.00; nothing left to expire in March
    assert [str(invoice.total.amount) for invoice in billing] == ["50.00", "0.00", "10.00"]
    assert [line.description for line in billing.invoices[2].lines] == ["Minutes"]
    assert billing.closing["Credit"] == PrepaidState(Fraction(0))
    assert "bonus" not in billing.invoices[0].lines[1].basis
    assert contract.components[1].money_values == (("amount", Money("100.00", "EUR")),)


def test_a_ceiling_per_year_needs_years_on_billing_periods() -> None:
    contract = Contract(
        "Capped",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            Ceiling("Ceiling", amount="100.00 EUR", per="year", anchor="2026-01-10"),
        ],
    )
    with pytest.raises(PricingError, match="not inside one contract year"):
        contract.bill(monthly({1: 1}), "2026-01")


def test_a_rollover_prorates_its_allowance_on_a_partial_period() -> None:
    contract = Contract(
        "Rolling",
        "EUR",
        [Rollover("Minutes", metric="minutes", rate="1.00 EUR", included=310)],
        term={"start": "2026-01-17"},
    )
    billing = contract.bill([Event("minutes", 200, dt.datetime(2026, 1, 20))], "2026-01")
    # 17-31 January: 15/31 of 310 = 150 included; 200 used: 50 x 1.00 = 50.00
    assert billing.invoices[0].total == Money(Decimal("50.00"), "EUR")
