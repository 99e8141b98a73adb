"""Money behaviour that mutation testing found unpinned: each test fails on a mutant
that the rest of the suite let survive. Figures computed by hand in the comments.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice.errors import AmountError, CurrencyMismatchError
from meterprice.money import Currency, Money, Rounding, to_money

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


# -- found by the mutation session --------------------------------------------------------------


def test_an_ambient_context_with_a_narrow_exponent_range_changes_nothing() -> None:
    # exponents limited to 0 .. 0: any scaling done in this context would fail
    with decimal.localcontext(decimal.Context(prec=1, Emin=0, Emax=0)):
        rounded = Rounding.HALF_UP.round(Decimal("1.23456"), 4)
        zero = Money.zero("EUR")
        shown = Money("1.5", "EUR").format()
    assert str(rounded) == "1.2346"
    assert str(zero) == "0.00 EUR"
    assert shown == "1.50 EUR"


def test_rounding_names_the_value_it_refuses() -> None:
    with pytest.raises(TypeError) as caught:
        Rounding.HALF_UP.round(1.5, 2)  # type: ignore[arg-type]
    assert str(caught.value).startswith(
        "value to round must be a Decimal, int or decimal string, not float (1.5)"
    )


@pytest.mark.parametrize(
    ("compare", "symbol"),
    [
        (lambda a, b: a < b, "<"),
        (lambda a, b: a <= b, "<="),
        (lambda a, b: a > b, ">"),
        (lambda a, b: a >= b, ">="),
    ],
)
def test_money_does_not_compare_with_plain_numbers(compare: object, symbol: str) -> None:
    with pytest.raises(TypeError) as caught:
        compare(Money("1.00", "EUR"), 5)  # type: ignore[operator]
    assert str(caught.value) == (f"'{symbol}' not supported between instances of 'Money' and 'int'")


def test_money_does_not_multiply_or_divide_by_other_objects() -> None:
    price = Money("1.00", "EUR")
    with pytest.raises(
        TypeError, match=r"unsupported operand type\(s\) for \*: 'Money' and 'object'"
    ):
        price * object()
    with pytest.raises(
        TypeError, match=r"unsupported operand type\(s\) for \*: 'Money' and 'bool'"
    ):
        price * True
    with pytest.raises(
        TypeError, match=r"unsupported operand type\(s\) for /: 'Money' and 'object'"
    ):
        price / object()
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for /: 'Money' and 'bool'"):
        price / True


def test_allocate_without_weights_says_so() -> None:
    with pytest.raises(AmountError) as caught:
        Money("1.00", "EUR").allocate([])
    assert str(caught.value) == "allocate needs at least one weight"


def test_format_without_the_code() -> None:
    assert Money("1234.5", "EUR").format(code=False) == "1,234.50"
    assert Money("1234.5", "EUR").format(grouping=False, code=False) == "1234.50"


def test_to_money_names_the_amount_by_default() -> None:
    with pytest.raises(TypeError) as caught:
        to_money(1)
    assert str(caught.value) == "amount must be Money or a string like '0.95 EUR', not 1"
    with pytest.raises(AmountError) as parsed:
        to_money("12")
    assert str(parsed.value) == ("amount: money must be written as '<amount> <currency>', got '12'")
    price = Money("1.00", "EUR")
    assert to_money(price) is price
