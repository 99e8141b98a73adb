"""Money behaviour that mutation testing found unpinned: each test fails on a mutant
that the rest of the suite let survive. Figures computed by hand in the comments.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice.errors import CurrencyMismatchError
from meterprice.money import Currency, Money, Rounding

# -- the ambient decimal context is never read --------------------------------------------------


def test_rounding_a_fraction_of_many_digits_ignores_a_three_digit_context() -> None:
    with decimal.localcontext(decimal.Context(prec=3)):
        # 123456789 / 100 = 1234567.89 exactly: nine significant digits kept
        assert Rounding.HALF_EVEN.round(Fraction(123456789, 100), 2) == Decimal("1234567.89")
        # 1/3 of 1,000,000.00 = 333333.333... -> 333333.33
        result = Rounding.HALF_UP.round(Fraction(1_000_000, 3), 2)
    assert str(result) == "333333.33"


def test_rounding_a_decimal_of_many_digits_ignores_a_three_digit_context() -> None:
    with decimal.localcontext(decimal.Context(prec=3)):
        assert str(Rounding.HALF_UP.round(Decimal("1234567.895"), 2)) == "1234567.90"
        assert str(Rounding.DOWN.round(Decimal("-98765.4321"), 2)) == "-98765.43"


def test_allocate_ignores_a_three_digit_context() -> None:
    with decimal.localcontext(decimal.Context(prec=3)):
        # 1,234.56 in two: 123456 cents / 2 = 61728 each (not 615.00 twice)
        halves = Money("1234.56", "EUR").allocate([1, 1])
        # 123456789.01 by 1:2 = 12345678901 cents: 4115226300.33 and 8230452600.67;
        # floors 4115226300 + 8230452600 leave 1 cent, to the larger remainder (.67)
        thirds = Money("123456789.01", "EUR").allocate([1, 2])
    assert [str(part) for part in halves] == ["617.28 EUR", "617.28 EUR"]
    assert [str(part) for part in thirds] == ["41152263.00 EUR", "82304526.01 EUR"]


def test_money_round_and_zero_ignore_a_three_digit_context() -> None:
    with decimal.localcontext(decimal.Context(prec=3)):
        rounded = Money("98765.4349", "EUR").round(Rounding.HALF_UP)
        zero = Money.zero("BHD")
        quantum = Currency.of("BHD").quantum
    assert str(rounded) == "98765.43 EUR"
    assert str(zero) == "0.000 BHD"
    assert str(quantum) == "0.001"


# -- rounding to negative places ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "value", "places", "expected"),
    [
        # 1,250 to hundreds: 12.5 hundreds
        (Rounding.HALF_UP, Fraction(1250), -2, "1.3E+3"),
        (Rounding.HALF_EVEN, Fraction(1250), -2, "1.2E+3"),
        (Rounding.HALF_DOWN, Fraction(1250), -2, "1.2E+3"),
        (Rounding.HALF_UP, Fraction(-1250), -2, "-1.3E+3"),
        (Rounding.CEILING, Fraction(1201), -2, "1.3E+3"),
        (Rounding.FLOOR, Fraction(1299), -2, "1.2E+3"),
        # 1/3 of a million to thousands: 333.33... thousands
        (Rounding.HALF_UP, Fraction(1_000_000, 3), -3, "3.33E+5"),
    ],
)
def test_rounding_a_fraction_to_negative_places(
    rounding: Rounding, value: Fraction, places: int, expected: str
) -> None:
    result = rounding.round(value, places)
    assert str(result) == expected
    assert result == Decimal(expected)


def test_rounding_a_decimal_to_negative_places_matches_the_fraction_path() -> None:
    assert Rounding.HALF_UP.round(Decimal(1250), -2) == Decimal(1300)
    assert Rounding.HALF_UP.round(Fraction(1250), -2) == Decimal(1300)


# -- comparisons --------------------------------------------------------------------------------


def test_comparisons_between_equal_amounts() -> None:
    one = Money("1.00", "EUR")
    same = Money("1", "EUR")  # equal amount, other exponent
    assert not one < same
    assert not one > same
    assert one <= same
    assert one >= same
    assert not same < one
    assert not same > one


def test_comparisons_between_different_amounts() -> None:
    low, high = Money("0.99", "EUR"), Money("1.00", "EUR")
    assert low < high
    assert not high < low
    assert high > low
    assert not low > high
    assert high >= low
    assert not low >= high
    assert low <= high
    assert not high <= low


@pytest.mark.parametrize(
    "compare",
    [
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_every_comparison_refuses_two_currencies_with_a_clear_message(compare: object) -> None:
    euro, dollar = Money("1.00", "EUR"), Money("2.00", "USD")
    with pytest.raises(CurrencyMismatchError) as caught:
        compare(euro, dollar)  # type: ignore[operator]
    assert str(caught.value) == (
        "cannot compare EUR and USD: Money('1.00', 'EUR'), Money('2.00', 'USD')"
    )
    assert isinstance(caught.value, ValueError)
