"""Fixed fees and the lines-so-far view: what mutation testing found unpinned.

Every field of a prorated recurring fee and of a setup fee, not only its amount; the
read-only view of the lines priced so far. Figures computed by hand.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from direct_pricing import context

from meterprice import Contract, Money
from meterprice.components import RecurringFee, SetupFee
from meterprice.components._lines import LinesSoFar, Subtotals


def test_a_prorated_recurring_fee_prorates_its_quantity_and_keeps_unit_and_tags() -> None:
    # 4 agents x 100.00 active from 16 November: 15 of 30 days = 1/2, so 2 agents'
    # worth at 100.00 = 200.00, and quantity x unit price = amount
    fee = RecurringFee(
        "Agents",
        amount="100.00 EUR",
        quantity=4,
        unit="agent",
        tags={"staff"},
        active={"start": "2026-11-16"},
    )
    (line,) = Contract("C", "EUR", [fee]).invoice({}, "2026-11").lines
    assert line.amount == Money("200.00", "EUR")
    assert line.quantity == Fraction(2)
    assert line.unit == "agent"
    assert line.unit_price == Money("100.00", "EUR")
    assert line.tags == frozenset({"staff"})
    assert line.description == "Agents"
    assert line.basis == "4 agent x 100.00 EUR x 15/30 days (active 2026-11-16..2026-12-01)"


def test_a_recurring_fee_over_a_whole_period_keeps_its_quantity() -> None:
    fee = RecurringFee("Agents", amount="100.00 EUR", quantity=3, unit="agent", tags={"staff"})
    (line,) = Contract("C", "EUR", [fee]).invoice({}, "2026-11").lines
    assert (line.quantity, line.unit, line.tags) == (Fraction(3), "agent", frozenset({"staff"}))
    assert line.amount == Money("300.00", "EUR")


def test_a_prorated_quantity_is_an_exact_fraction_of_the_period() -> None:
    # 3 seats active for 10 of the 30 days of November: 1 seat's worth
    fee = RecurringFee(
        "Seats",
        amount="90.00 EUR",
        quantity=3,
        active={"start": "2026-11-21"},
    )
    (line,) = Contract("C", "EUR", [fee]).invoice({}, "2026-11").lines
    assert line.exact == Fraction(90)
    assert line.quantity == Fraction(1)


def test_a_setup_fee_is_described_by_its_name_unless_given_a_description() -> None:
    named = SetupFee("Implementation", amount="4500.00 EUR", on="2026-11-02", tags={"one-off"})
    described = SetupFee(
        "Site",
        amount="4500.00 EUR",
        on="2026-11-02",
        description="Set-up of the Lisbon site",
    )
    invoice = Contract("C", "EUR", [named, described]).invoice({}, "2026-11")
    first, second = invoice.lines
    assert first.description == "Implementation"
    assert first.tags == frozenset({"one-off"})
    assert first.basis == "one-off 4500.00 EUR on 2026-11-02"
    assert second.description == "Set-up of the Lisbon site"
    assert second.tags == frozenset()
    assert invoice.total == Money("9000.00", "EUR")


def test_the_lines_so_far_refuse_an_index_past_their_end() -> None:
    view = LinesSoFar(Subtotals([]), 0)
    assert len(view) == 0
    with pytest.raises(IndexError, match=r"^line index out of range$"):
        view[0]
    with pytest.raises(IndexError, match=r"^line index out of range$"):
        view[-1]


def test_the_charges_carry_the_tags_as_a_wrapping_component_sees_them() -> None:
    # the contract adds a component's tags to its lines anyway; price() alone must too
    fee = RecurringFee("Platform", amount="10.00 EUR", tags={"fixed"})
    setup = SetupFee("Implementation", amount="5.00 EUR", on="2026-11-02", tags={"one-off"})
    (charge,) = fee.price(context())
    assert charge.tags == frozenset({"fixed"})
    (one_off,) = setup.price(context())
    assert one_off.tags == frozenset({"one-off"})
