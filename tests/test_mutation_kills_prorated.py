"""ProratedUnits: what mutation testing found unpinned.

Every field of the charges of a rate, of graduated tiers and of a volume tier (their
descriptions, bases with flat fees, quantities, units, unit prices and tags), a
quantity exactly on a tier's bound, the units held on the last day choosing a volume
tier, undated zero readings beside dated ones, and the messages of the refusals.
November 2026 has 30 days. Figures computed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import attrs
import pytest
from direct_pricing import context

from meterprice import Contract, Money, ProratedUnits, Tier, TierMode, Usage
from meterprice.components.base import Charge
from meterprice.components.prorated import _one_of
from meterprice.errors import ContractError, InvalidTypeError, PricingError

TAGS = frozenset({"staff"})


def _seats(**options: object) -> ProratedUnits:
    settings: dict[str, object] = {"rate": "30.00 EUR", "unit": "seat", "tags": TAGS}
    settings.update(options)
    return ProratedUnits("Seats", metric="seats", **settings)  # type: ignore[arg-type]


def _priced(component: ProratedUnits, usage: Usage) -> Sequence[Charge]:
    """The charges of ``component`` priced directly over November (tags included)."""
    ctx = context(usage)
    return component.price(ctx)


def _daily(days: Mapping[Any, Mapping[Any, object]]) -> Usage:
    return Usage.from_daily(days)


# 10 seats from 1 November, 12 from the 16th: 10 x 15 + 12 x 15 = 330 seat-days,
# / 30 days = 11 seats
ELEVEN = {"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}}
HELD_ELEVEN = "330 seat-days in 2026-11 / 30 days = 11 seats"
# 10 seats all month: 300 seat-days / 30 = 10 seats, exactly on a bound of 10
TEN = {"2026-11-01": {"seats": 10}}
HELD_TEN = "300 seat-days in 2026-11 / 30 days = 10 seats"


# -- a rate -------------------------------------------------------------------------------------


def test_a_rate_charge_carries_every_field() -> None:
    # 11 seats x 30.00 = 330.00
    charges = _priced(_seats(description="Desk seats"), _daily(ELEVEN))
    assert list(charges) == [
        Charge(
            description="Desk seats",
            amount=Fraction(330),
            basis=f"{HELD_ELEVEN} x 30.00 EUR",
            quantity=Fraction(11),
            unit="seat",
            unit_price=Decimal("30.00"),
            tags=TAGS,
        )
    ]


def test_a_rate_line_on_the_invoice_keeps_unit_and_unit_price() -> None:
    contract = Contract("C", "EUR", [_seats()], unpriced="ignore")
    (line,) = contract.invoice(_daily(ELEVEN), "2026-11").lines
    assert line.description == "Seats"
    assert line.amount == Money("330.00", "EUR")
    assert line.basis == f"{HELD_ELEVEN} x 30.00 EUR"
    assert line.quantity == Fraction(11)
    assert line.unit == "seat"
    assert line.unit_price == Money("30.00", "EUR")
    assert line.tags == TAGS


# -- graduated tiers ----------------------------------------------------------------------------

FLAT_TIERS = [Tier(10, "30.00 EUR", flat="100.00 EUR"), Tier(None, "25.00 EUR", flat="5.00 EUR")]


def test_graduated_charges_carry_every_field_and_their_flat_fees() -> None:
    # 11 seats: tier 1 holds 10 x 30.00 + flat 100.00 = 400.00; tier 2 the other
    # 1 x 25.00 + flat 5.00 = 30.00
    charges = _priced(_seats(rate=None, tiers=FLAT_TIERS), _daily(ELEVEN))
    assert list(charges) == [
        Charge(
            description="Seats (tier 1)",
            amount=Fraction(400),
            basis=f"10 of {HELD_ELEVEN} x 30.00 EUR + flat 100.00 EUR",
            quantity=Fraction(10),
            unit="seat",
            unit_price=Decimal("30.00"),
            tags=TAGS,
        ),
        Charge(
            description="Seats (tier 2)",
            amount=Fraction(30),
            basis=f"1 of {HELD_ELEVEN} x 25.00 EUR + flat 5.00 EUR",
            quantity=Fraction(1),
            unit="seat",
            unit_price=Decimal("25.00"),
            tags=TAGS,
        ),
    ]


def test_graduated_tiers_are_described_by_the_description() -> None:
    charges = _priced(_seats(rate=None, tiers=FLAT_TIERS, description="Desk"), _daily(ELEVEN))
    assert [charge.description for charge in charges] == ["Desk (tier 1)", "Desk (tier 2)"]


def test_a_graduated_quantity_on_a_bound_stops_at_that_tier() -> None:
    # 10 seats fill tier 1 exactly (10 x 30.00 + 100.00 = 400.00); tier 2 is not
    # reached, so neither its units nor its flat fee are charged
    charges = _priced(_seats(rate=None, tiers=FLAT_TIERS), _daily(TEN))
    assert list(charges) == [
        Charge(
            description="Seats (tier 1)",
            amount=Fraction(400),
            basis=f"10 of {HELD_TEN} x 30.00 EUR + flat 100.00 EUR",
            quantity=Fraction(10),
            unit="seat",
            unit_price=Decimal("30.00"),
            tags=TAGS,
        )
    ]


def test_graduated_tiers_not_reached_are_left_out_of_the_invoice() -> None:
    # 3 seats all month: 90 seat-days / 30 = 3 seats, 3 x 30.00 + 100.00 = 190.00
    tiers = [*FLAT_TIERS[:1], Tier(20, "25.00 EUR"), Tier(None, "20.00 EUR")]
    contract = Contract("C", "EUR", [_seats(rate=None, tiers=tiers)])
    invoice = contract.invoice(_daily({"2026-11-01": {"seats": 3}}), "2026-11")
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("Seats (tier 1)", "190.00 EUR")
    ]


# -- volume tiers -------------------------------------------------------------------------------

VOLUME_TIERS = [Tier(10, "30.00 EUR"), Tier(None, "25.00 EUR", flat="50.00 EUR")]


def test_a_volume_charge_carries_every_field_and_its_flat_fee() -> None:
    # 11 seats choose tier 2 by the prorated quantity: 11 x 25.00 + flat 50.00 = 325.00;
    # the basis says nothing of how the tier was chosen
    component = _seats(rate=None, tiers=VOLUME_TIERS, mode=TierMode.VOLUME)
    assert list(_priced(component, _daily(ELEVEN))) == [
        Charge(
            description="Seats (tier 2)",
            amount=Fraction(325),
            basis=f"{HELD_ELEVEN} x 25.00 EUR + flat 50.00 EUR",
            quantity=Fraction(11),
            unit="seat",
            unit_price=Decimal("25.00"),
            tags=TAGS,
        )
    ]


def test_a_prorated_quantity_on_a_bound_keeps_the_lower_volume_tier() -> None:
    # 10 seats: up to and including 10 is tier 1, 10 x 30.00 = 300.00 (tier 2 would be
    # 10 x 25.00 + 50.00 = 300.00 as well, so the description and rate tell)
    component = _seats(rate=None, tiers=VOLUME_TIERS, mode=TierMode.VOLUME)
    assert list(_priced(component, _daily(TEN))) == [
        Charge(
            description="Seats (tier 1)",
            amount=Fraction(300),
            basis=f"{HELD_TEN} x 30.00 EUR",
            quantity=Fraction(10),
            unit="seat",
            unit_price=Decimal("30.00"),
            tags=TAGS,
        )
    ]


def test_the_units_held_at_the_end_on_a_bound_keep_the_lower_volume_tier() -> None:
    # 12 seats to the 21st, 10 from the 21st: 12 x 20 + 10 x 10 = 340 seat-days,
    # / 30 = 34/3 seats; the 10 held at the end choose tier 1: 34/3 x 30.00 = 340.00
    component = _seats(rate=None, tiers=VOLUME_TIERS, mode="volume", tier_by="end")
    usage = _daily({"2026-11-01": {"seats": 12}, "2026-11-21": {"seats": 10}})
    (charge,) = _priced(component, usage)
    assert charge.description == "Seats (tier 1)"
    assert charge.amount == Fraction(340)
    assert charge.unit_price == Decimal("30.00")
    assert charge.basis == (
        "340 seat-days in 2026-11 / 30 days = 11.333333 seats x 30.00 EUR, tier 1 by the "
        "10 seats held at the end"
    )


def test_the_units_held_on_the_last_day_choose_the_volume_tier_by_the_end() -> None:
    # 8 seats from the 1st, 14 on the 30th alone: 8 x 29 + 14 = 246 seat-days, / 30 =
    # 8.2 seats; the 14 held at the end (not the 8 of the day before) choose tier 2:
    # 8.2 x 25.00 + flat 50.00 = 255.00
    component = _seats(rate=None, tiers=VOLUME_TIERS, mode="volume", tier_by="end")
    usage = _daily({"2026-11-01": {"seats": 8}, "2026-11-30": {"seats": 14}})
    assert list(_priced(component, usage)) == [
        Charge(
            description="Seats (tier 2)",
            amount=Fraction(255),
            basis=(
                "246 seat-days in 2026-11 / 30 days = 8.2 seats x 25.00 EUR, tier 2 by the "
                "14 seats held at the end + flat 50.00 EUR"
            ),
            quantity=Fraction(41, 5),
            unit="seat",
            unit_price=Decimal("25.00"),
            tags=TAGS,
        )
    ]


# -- readings -----------------------------------------------------------------------------------


def test_an_undated_zero_beside_dated_readings_is_skipped_not_the_end() -> None:
    # the undated zero comes first and places nothing; the 10 seats of the 1st still
    # count: 300 seat-days / 30 = 10 seats x 30.00 = 300.00
    usage = Usage.from_totals({"seats": 0}) + _daily(TEN)
    (charge,) = _priced(_seats(), usage)
    assert charge.amount == Fraction(300)
    assert charge.basis == f"{HELD_TEN} x 30.00 EUR"


def test_usage_without_days_is_refused_with_the_whole_message() -> None:
    message = (
        "component 'Seats' measures 'seats' in seat-days, but its usage has no days: give "
        "day-resolved usage (events, a usage file, Usage.from_daily)"
    )
    with pytest.raises(PricingError, match=f"^{re.escape(message)}$"):
        _priced(_seats(), Usage.from_totals({"seats": 10}))


# -- refusals -----------------------------------------------------------------------------------


def test_tier_by_without_volume_tiers_is_refused_with_the_whole_message() -> None:
    message = "component 'Seats': tier_by chooses a volume tier; it needs tiers with mode volume"
    with pytest.raises(ContractError, match=f"^{re.escape(message)}$"):
        _seats(tier_by="peak")


def test_a_rate_that_is_not_money_is_named_rate() -> None:
    with pytest.raises(ValueError, match=r"^rate: "):
        _seats(rate="thirty")
    with pytest.raises(
        InvalidTypeError, match=re.escape("rate must be Money or a string like '0.95 EUR', not 30")
    ):
        _seats(rate=30)


def test_a_choice_outside_the_list_is_refused_naming_the_choices() -> None:
    check = _one_of("level", "change")
    attribute = cast("attrs.Attribute[str]", attrs.fields(ProratedUnits).readings)
    check(None, attribute, "change")  # one of the choices: accepted
    message = "readings must be one of level, change (got 'delta')"
    with pytest.raises(ContractError, match=f"^{re.escape(message)}$"):
        check(None, attribute, "delta")
