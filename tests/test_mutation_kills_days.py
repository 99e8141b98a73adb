"""Day rates: what mutation testing found unpinned.

Bookings of one day written two ways, a named range without bookings before one with
them, and the tags of the lines. Figures computed by hand.
"""

from __future__ import annotations

from fractions import Fraction

from direct_pricing import context

from meterprice import Calendar, Contract, DateRange, Money, Usage
from meterprice.components import DayRate
from meterprice.dimensions import Dimensions

CALENDAR = Calendar(
    [
        DateRange("Early", "2026-11-02", "2026-11-03"),
        DateRange("Late", "2026-11-20", "2026-11-21"),
    ]
)


def _booked(**terms: object) -> Contract:
    rate = DayRate(
        "Peak",
        calendar=CALENDAR,
        rate="800.00 CNY",
        metric="agents_booked",
        tags={"peak"},
        **terms,  # type: ignore[arg-type]
    )
    return Contract("Shop", "CNY", [rate], unpriced="ignore")


def test_a_range_without_bookings_is_skipped_and_the_next_still_billed() -> None:
    usage = Usage.from_totals({("agents_booked", Dimensions({"day": "2026-11-20"})): 3})
    (line,) = _booked().invoice(usage, "2026-11").lines
    # nothing booked in Early; 3 agent-days on 20 November x 800.00 = 2400.00
    assert line.description == "Peak (Late)"
    assert line.basis == "Late: 2026-11-20 (1 day), 3 agent-days booked x 800.00 CNY"
    assert line.amount == Money("2400.00", "CNY")
    assert line.tags == frozenset({"peak"})


def test_one_day_booked_under_two_spellings_adds_up() -> None:
    # "2026-11-02" and "20261102" are the same ISO date: 2 + 1 = 3 agent-days
    usage = Usage.from_totals(
        {
            ("agents_booked", Dimensions({"day": "2026-11-02"})): 2,
            ("agents_booked", Dimensions({"day": "20261102"})): 1,
            ("agents_booked", Dimensions({"day": "2026-11-03"})): 1,
        }
    )
    (line,) = _booked().invoice(usage, "2026-11").lines
    # 3 + 1 = 4 agent-days x 800.00 = 3200.00
    assert line.quantity == Fraction(4)
    assert line.basis == "Early: 2026-11-02..2026-11-03 (2 days), 4 agent-days booked x 800.00 CNY"
    assert line.amount == Money("3200.00", "CNY")


def test_fixed_agents_lines_carry_the_tags() -> None:
    rate = DayRate("Peak", calendar=CALENDAR, rate="100.00 CNY", agents=2, tags={"peak"})
    early, late = Contract("Shop", "CNY", [rate]).invoice({}, "2026-11").lines
    # 2 days x 2 agents x 100.00 = 400.00 each
    assert (early.tags, late.tags) == (frozenset({"peak"}), frozenset({"peak"}))
    assert (early.amount, late.amount) == (Money("400.00", "CNY"), Money("400.00", "CNY"))
    assert early.unit == "agent-day"


def test_the_charges_carry_the_tags_as_a_wrapping_component_sees_them() -> None:
    # the contract adds a component's tags to its lines anyway; price() alone must too
    rate = DayRate("Peak", calendar=CALENDAR, rate="100.00 CNY", agents=1, tags={"peak"})
    assert [charge.tags for charge in rate.price(context(currency="CNY"))] == [
        frozenset({"peak"})
    ] * 2
