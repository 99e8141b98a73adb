"""Maximum and Discount: what mutation testing found unpinned.

Every field of a cap's and a discount's credit line, not only its amount; a cap or a
fixed discount that is not prorated in a partial period, and a prorated one in a
whole period; a fixed discount equal to the subtotal; a percentage with more digits
than the ambient decimal context keeps; the tags of the charges themselves, as a
wrapping component sees them; the messages of a malformed percent. Figures computed
by hand.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from direct_pricing import context, fields

from meterprice import Contract, Discount, Maximum, Money, PerUnit
from meterprice.components.base import Charge, Component
from meterprice.errors import AmountError, InvalidTypeError
from meterprice.invoice import Invoice


def _minutes() -> PerUnit:
    return PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"})


def _invoice(component: Component, minutes: int) -> Invoice:
    contract = Contract("C", "EUR", [_minutes(), component], unpriced="ignore")
    return contract.invoice({"minutes": minutes}, "2026-11")


def _priced(component: Component, minutes: int) -> tuple[Charge, ...]:
    """The charges of ``component`` priced directly after the minutes' line, as a
    wrapping component sees them.
    """
    lines = Contract("C", "EUR", [_minutes()]).invoice({"minutes": minutes}, "2026-11").lines
    ctx = context({"minutes": minutes}, lines=lines)
    return tuple(component.price(ctx))


# -- Maximum -------------------------------------------------------------------------------


def test_a_cap_line_has_every_field() -> None:
    cap = Maximum(
        "Cap", amount="1000.00 EUR", of={"usage"}, description="Usage cap", tags={"capped"}
    )
    _, line = _invoice(cap, 1500).lines
    # 1500 min x 1.00 = 1500.00, 500.00 above the 1000.00 cap
    assert fields(line) == (
        "Usage cap",
        "-500.00 EUR",
        "1500 EUR (lines tagged usage) capped at 1000 EUR",
        None,
        None,
        None,
        frozenset({"capped"}),
    )


def test_a_cap_that_is_not_prorated_keeps_its_amount_in_a_partial_period() -> None:
    cap = Maximum("Cap", amount="1000.00 EUR", of={"usage"}, active={"start": "2026-11-16"})
    _, line = _invoice(cap, 1500).lines
    # active 15 of 30 days, but not prorated: the whole 1000.00 cap, so -500.00, and the
    # basis says nothing of days
    assert line.description == "Cap"
    assert line.amount == Money("-500.00", "EUR")
    assert line.basis == "1500 EUR (lines tagged usage) capped at 1000 EUR"


def test_a_cap_charge_carries_the_cap_tags() -> None:
    cap = Maximum("Cap", amount="1000.00 EUR", of={"usage"}, tags={"capped"})
    (charge,) = _priced(cap, 1500)
    # 1000.00 - 1500.00 = -500.00
    assert charge == Charge(
        "Cap",
        Fraction(-500),
        "1500 EUR (lines tagged usage) capped at 1000 EUR",
        tags={"capped"},
    )


# -- Discount: a percentage ----------------------------------------------------------------


def test_a_percentage_discount_line_has_every_field() -> None:
    discount = Discount(
        "Launch", percent=10, of={"usage"}, description="Launch offer", tags={"promo"}
    )
    _, line = _invoice(discount, 1500).lines
    # 10 % off 1500.00 = -150.00; quantity the subtotal, unit price -10 % = -0.10
    assert fields(line) == (
        "Launch offer",
        "-150.00 EUR",
        "10% off 1500 EUR (lines tagged usage)",
        Fraction(1500),
        "EUR",
        Money("-0.10", "EUR"),
        frozenset({"promo"}),
    )


def test_a_percentage_discount_without_a_description_is_named() -> None:
    _, line = _invoice(Discount("Launch", percent=10, of={"usage"}), 1500).lines
    assert line.description == "Launch"


def test_a_percentage_unit_price_keeps_every_digit() -> None:
    # 30 significant digits, two more than the ambient decimal context's 28
    percent = "12.3456789012345678901234567891"
    discount = Discount("Launch", percent=percent, of={"usage"})
    _, line = _invoice(discount, 100).lines
    # the unit price is -percent / 100 exactly, not rounded to 28 digits
    # (-0.1234567890123456789012345679)
    assert line.unit_price is not None
    assert line.unit_price.amount == Decimal("-0.123456789012345678901234567891")
    assert str(line.unit_price.amount) == "-0.123456789012345678901234567891"
    # 100.00 x 12.3456789...% = -12.3456789..., half-up to the cent -12.35
    assert line.exact == -Fraction(percent) * 100 / 100
    assert line.amount == Money("-12.35", "EUR")
    assert line.basis == f"{percent}% off 100 EUR (lines tagged usage)"


def test_a_percentage_discount_charge_carries_the_discount_tags() -> None:
    discount = Discount("Launch", percent=10, of={"usage"}, tags={"promo"})
    (charge,) = _priced(discount, 1500)
    # 10 % of 1500.00 = 150.00 off
    assert charge == Charge(
        "Launch",
        Fraction(-150),
        "10% off 1500 EUR (lines tagged usage)",
        quantity=Fraction(1500),
        unit="EUR",
        unit_price=Decimal("-0.10"),
        tags={"promo"},
    )


def test_a_malformed_percent_is_named_in_the_message() -> None:
    with pytest.raises(
        InvalidTypeError,
        match=r"^percent must be a Decimal, int or decimal string, not float \(10\.5\)",
    ):
        Discount("Launch", percent=10.5)
    with pytest.raises(AmountError, match=r"^percent is not a decimal number: 'ten'$"):
        Discount("Launch", percent="ten")


# -- Discount: a fixed amount --------------------------------------------------------------


def test_a_fixed_discount_line_has_every_field() -> None:
    discount = Discount(
        "Loyalty",
        amount="500.00 EUR",
        of={"usage"},
        description="Loyalty credit",
        tags={"promo"},
    )
    _, line = _invoice(discount, 1500).lines
    # 500.00 off the 1500.00 subtotal
    assert fields(line) == (
        "Loyalty credit",
        "-500.00 EUR",
        "500.00 EUR off 1500 EUR (lines tagged usage)",
        None,
        None,
        None,
        frozenset({"promo"}),
    )


def test_a_fixed_discount_without_a_description_is_named() -> None:
    _, line = _invoice(Discount("Loyalty", amount="500.00 EUR", of={"usage"}), 1500).lines
    assert line.description == "Loyalty"


def test_a_fixed_discount_equal_to_the_subtotal_is_not_limited() -> None:
    discount = Discount("Loyalty", amount="500.00 EUR", of={"usage"})
    minutes, line = _invoice(discount, 500).lines
    # 500 min x 1.00 = 500.00, exactly the discount: all of it off, nothing limited
    assert minutes.amount == Money("500.00", "EUR")
    assert line.amount == Money("-500.00", "EUR")
    assert line.basis == "500.00 EUR off 500 EUR (lines tagged usage)"


def test_a_fixed_discount_that_is_not_prorated_keeps_its_amount_in_a_partial_period() -> None:
    discount = Discount(
        "Loyalty", amount="500.00 EUR", of={"usage"}, active={"start": "2026-11-16"}
    )
    _, line = _invoice(discount, 1500).lines
    # active 15 of 30 days, but not prorated: the whole 500.00 (prorated: 250.00)
    assert line.amount == Money("-500.00", "EUR")
    assert line.basis == "500.00 EUR off 1500 EUR (lines tagged usage)"


def test_a_prorated_fixed_discount_in_a_whole_period_says_nothing_of_days() -> None:
    discount = Discount("Loyalty", amount="500.00 EUR", of={"usage"}, prorate=True)
    _, line = _invoice(discount, 1500).lines
    # active all 30 days: the whole 500.00, and no "x 30/30 days"
    assert line.amount == Money("-500.00", "EUR")
    assert line.basis == "500.00 EUR off 1500 EUR (lines tagged usage)"


def test_a_fixed_discount_charge_carries_the_discount_tags() -> None:
    discount = Discount("Loyalty", amount="500.00 EUR", of={"usage"}, tags={"promo"})
    (charge,) = _priced(discount, 1500)
    assert charge == Charge(
        "Loyalty",
        Fraction(-500),
        "500.00 EUR off 1500 EUR (lines tagged usage)",
        tags={"promo"},
    )
