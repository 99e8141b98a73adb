"""Example tests for exact money: currencies, Money, rounding, allocation, formatting.

Every expected figure is worked out by hand in the test or in a comment next to it.
"""

from __future__ import annotations

import copy
import decimal
import pickle
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import (
    ContractError,
    Currency,
    CurrencyMismatchError,
    MeterpriceError,
    Money,
    PricingError,
    Rounding,
    UnknownCurrencyError,
    UsageError,
)
from meterprice import _decimal as d
from meterprice.money import to_money

# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [UnknownCurrencyError, CurrencyMismatchError, UsageError, ContractError, PricingError],
)
def test_every_error_is_a_meterprice_error_and_a_value_error(error: type[Exception]) -> None:
    assert issubclass(error, MeterpriceError)
    assert issubclass(error, ValueError)


# -- construction ---------------------------------------------------------------------------


def test_money_from_decimal_int_and_string_keeps_every_digit() -> None:
    assert Money(Decimal("1.50"), "EUR").amount == Decimal("1.50")
    assert str(Money(Decimal("1.50"), "EUR").amount) == "1.50"  # the exponent is kept
    assert Money(3, "EUR").amount == Decimal(3)
    assert str(Money("0.955", "EUR").amount) == "0.955"  # not rounded on construction
    assert Money(" 1_000.5 ", "EUR").amount == Decimal("1000.5")
    assert Money("-12", "USD").amount == Decimal(-12)


def test_money_currency_from_code_any_case_or_currency() -> None:
    assert Money(1, "eur").currency == Currency.of("EUR")
    assert Money(1, Currency.of("JPY")).currency.code == "JPY"


def test_float_amount_is_refused_with_a_type_error_naming_the_value() -> None:
    with pytest.raises(TypeError, match=r"not float \(0\.1\).*Decimal\('0\.1'\)"):
        Money(0.1, "EUR")


def test_bool_amount_is_refused() -> None:
    with pytest.raises(TypeError, match=r"not bool \(True\)"):
        Money(True, "EUR")


@pytest.mark.parametrize(
    "value", ["NaN", "sNaN", "Infinity", "-inf", Decimal("NaN"), Decimal("-Infinity")]
)
def test_nan_and_infinities_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="must be a finite number"):
        Money(value, "EUR")


def test_malformed_strings_and_other_types_are_refused() -> None:
    with pytest.raises(ValueError, match=r"amount is not a decimal number: '1,50'"):
        Money("1,50", "EUR")
    with pytest.raises(TypeError, match=r"not list \(\[1\]\)"):
        Money([1], "EUR")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrencyError, match="unknown currency code 'EUX'"):
        Money(1, "EUX")
    with pytest.raises(ValueError, match="not an active ISO 4217 code"):
        Currency.of("ZZZ")


@pytest.mark.parametrize("code", ["XAU", "XDR", "XXX"])
def test_currencies_without_a_minor_unit_cannot_be_invoiced(code: str) -> None:
    with pytest.raises(UnknownCurrencyError, match=f"{code}.*has no minor unit"):
        Currency.of(code)


def test_currency_must_be_a_code_or_a_currency() -> None:
    with pytest.raises(TypeError, match="ISO 4217 code string, not 978"):
        Currency.of(978)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="currency must be an ISO 4217 code or a Currency, not 978"):
        Money(1, 978)


def test_currency_minor_units_and_quantum() -> None:
    eur, jpy, bhd = Currency.of("EUR"), Currency.of("JPY"), Currency.of("BHD")
    assert (eur.minor_units, jpy.minor_units, bhd.minor_units) == (2, 0, 3)
    assert (eur.quantum, jpy.quantum, bhd.quantum) == (
        Decimal("0.01"),
        Decimal(1),
        Decimal("0.001"),
    )
    assert str(bhd.quantum) == "0.001"
    assert eur.numeric == "978"
    assert eur.name == "Euro"


def test_currency_is_cached_equal_by_code_and_printable() -> None:
    assert Currency.of(" eur ") is Currency.of("EUR")
    eur = Currency.of("EUR")
    assert Currency.of(eur) is eur
    assert hash(eur) == hash(Currency.of("eur"))
    assert eur != Currency.of("USD")
    assert repr(eur) == "Currency('EUR')"
    assert str(eur) == "EUR"


def test_currency_codes_are_sorted_and_invoiceable() -> None:
    codes = Currency.codes()
    assert list(codes) == sorted(codes)
    assert {"EUR", "USD", "JPY", "BHD", "CNY"} <= set(codes)
    assert "XAU" not in codes


def test_zero() -> None:
    assert str(Money.zero("EUR")) == "0.00 EUR"
    assert str(Money.zero("JPY")) == "0 JPY"
    assert str(Money.zero(Currency.of("BHD"))) == "0.000 BHD"
    assert Money.zero("EUR") == Money(0, "EUR")


# -- arithmetic -----------------------------------------------------------------------------


def test_addition_subtraction_negation() -> None:
    a, b = Money("10.25", "EUR"), Money("0.755", "EUR")
    assert a + b == Money("11.005", "EUR")
    assert a - b == Money("9.495", "EUR")
    assert b - a == Money("-9.495", "EUR")
    assert -a == Money("-10.25", "EUR")
    assert +a is a
    assert abs(Money("-3.10", "EUR")) == Money("3.10", "EUR")


def test_multiplication_by_exact_numbers_only() -> None:
    price = Money("0.95", "EUR")
    assert price * 3 == Money("2.85", "EUR")
    assert 3 * price == Money("2.85", "EUR")
    assert price * Decimal("1.5") == Money("1.425", "EUR")  # exact, not rounded
    assert price * "0.1" == Money("0.095", "EUR")
    with pytest.raises(TypeError, match=r"factor must be .* not float \(1\.5\)"):
        price * 1.5
    with pytest.raises(TypeError, match="cannot multiply money by money"):
        price * price
    with pytest.raises(TypeError):
        price * Fraction(1, 3)
    with pytest.raises(TypeError):
        price * True


def test_division() -> None:
    assert Money("10.00", "EUR") / Money("2.50", "EUR") == Decimal(4)
    assert isinstance(Money("10.00", "EUR") / Money("2.50", "EUR"), Decimal)
    assert Money("10.00", "EUR") / 4 == Money("2.5", "EUR")
    assert Money("10.00", "EUR") / "0.5" == Money(20, "EUR")
    # 10 / 3 is carried to 50 significant digits and left unrounded
    third = Money("10.00", "EUR") / 3
    assert third.amount == Decimal("3." + "3" * 49)
    assert not third.is_rounded
    assert third.round(Rounding.HALF_UP) == Money("3.33", "EUR")
    with pytest.raises(TypeError, match=r"divisor must be .* not float"):
        Money(1, "EUR") / 2.0
    with pytest.raises(TypeError):
        Money(1, "EUR") / True
    with pytest.raises(ZeroDivisionError):
        Money(1, "EUR") / 0


def test_mixing_currencies_is_a_currency_mismatch_error() -> None:
    eur, usd = Money(1, "EUR"), Money(1, "USD")
    with pytest.raises(CurrencyMismatchError, match="cannot add EUR and USD"):
        eur + usd
    with pytest.raises(CurrencyMismatchError, match="cannot subtract EUR and USD"):
        eur - usd
    with pytest.raises(CurrencyMismatchError, match="cannot divide EUR and USD"):
        eur / usd
    with pytest.raises(ValueError, match="cannot compare EUR and USD"):
        eur < usd  # noqa: B015


def test_money_does_not_add_plain_numbers() -> None:
    with pytest.raises(TypeError):
        Money(1, "EUR") + 1
    with pytest.raises(TypeError):
        Money(1, "EUR") - 1
    with pytest.raises(TypeError):
        1 + Money(1, "EUR")
    with pytest.raises(TypeError):
        False + Money(1, "EUR")


def test_builtin_sum() -> None:
    total = sum([Money(1, "EUR"), Money("0.50", "EUR"), Money("0.05", "EUR")])
    assert total == Money("1.55", "EUR")
    assert sum([], Money.zero("EUR")) == Money.zero("EUR")
    with pytest.raises(CurrencyMismatchError):
        sum([Money(1, "EUR"), Money(1, "USD")])


def test_comparisons() -> None:
    small, large = Money("0.99", "EUR"), Money("1.00", "EUR")
    assert small < large
    assert small <= large
    assert large <= Money("1", "EUR")
    assert large > small
    assert large >= small
    assert not small > large
    assert max([small, large]) is large
    with pytest.raises(TypeError):
        small < 1  # noqa: B015
    with pytest.raises(TypeError):
        small <= 1  # noqa: B015
    with pytest.raises(TypeError):
        small > 1  # noqa: B015
    with pytest.raises(TypeError):
        small >= 1  # noqa: B015


def test_equality_and_hash_ignore_trailing_zeros() -> None:
    assert Money("1.0", "EUR") == Money("1.00", "EUR")
    assert hash(Money("1.0", "EUR")) == hash(Money("1.00", "EUR"))
    assert len({Money("1.0", "EUR"), Money("1.00", "EUR"), Money(1, "EUR")}) == 1
    assert Money(1, "EUR") != Money(1, "USD")
    assert Money(1, "EUR") != "1 EUR"  # type: ignore[comparison-overlap]
    assert Money(1, "EUR") != Decimal(1)


def test_money_is_immutable_and_copyable() -> None:
    price = Money("0.95", "EUR")
    with pytest.raises(AttributeError):
        price.amount = Decimal(1)  # type: ignore[misc]
    assert copy.deepcopy(price) == price
    assert pickle.loads(pickle.dumps(price)) == price


# -- rounding -------------------------------------------------------------------------------

MODES = [
    Rounding.HALF_UP,
    Rounding.HALF_EVEN,
    Rounding.HALF_DOWN,
    Rounding.UP,
    Rounding.DOWN,
    Rounding.CEILING,
    Rounding.FLOOR,
]

# value -> results to 2 places, in the order of MODES, worked out by hand:
# ties (the third decimal is exactly 5) go away from zero (HALF_UP), to the even
# cent (HALF_EVEN: 2.345 -> 2.34 because 4 is even; 2.355 -> 2.36 because 6 is),
# towards zero (HALF_DOWN); UP/DOWN ignore the sign's direction (away from / towards
# zero), CEILING/FLOOR follow it (towards +inf / -inf).
ROUNDING_TABLE: dict[str, tuple[str, ...]] = {
    #          HALF_UP  HALF_EVEN HALF_DOWN  UP      DOWN    CEILING FLOOR
    "2.345": ("2.35", "2.34", "2.34", "2.35", "2.34", "2.35", "2.34"),
    "-2.345": ("-2.35", "-2.34", "-2.34", "-2.35", "-2.34", "-2.34", "-2.35"),
    "2.355": ("2.36", "2.36", "2.35", "2.36", "2.35", "2.36", "2.35"),
    "-2.355": ("-2.36", "-2.36", "-2.35", "-2.36", "-2.35", "-2.35", "-2.36"),
    "2.341": ("2.34", "2.34", "2.34", "2.35", "2.34", "2.35", "2.34"),
    "-2.341": ("-2.34", "-2.34", "-2.34", "-2.35", "-2.34", "-2.34", "-2.35"),
    "2.349": ("2.35", "2.35", "2.35", "2.35", "2.34", "2.35", "2.34"),
    "-2.349": ("-2.35", "-2.35", "-2.35", "-2.35", "-2.34", "-2.34", "-2.35"),
    "0.005": ("0.01", "0.00", "0.00", "0.01", "0.00", "0.01", "0.00"),
    "-0.005": ("-0.01", "0.00", "0.00", "-0.01", "0.00", "0.00", "-0.01"),
    "-0.004": ("0.00", "0.00", "0.00", "-0.01", "0.00", "0.00", "-0.01"),
    "7": ("7.00", "7.00", "7.00", "7.00", "7.00", "7.00", "7.00"),
    "-1.10": ("-1.10", "-1.10", "-1.10", "-1.10", "-1.10", "-1.10", "-1.10"),
}


@pytest.mark.parametrize(("value", "expected"), ROUNDING_TABLE.items())
def test_rounding_table_on_decimals(value: str, expected: tuple[str, ...]) -> None:
    for mode, want in zip(MODES, expected, strict=True):
        got = mode.round(Decimal(value), 2)
        # compare the text: the exponent is the cent and 0.00 is never written -0.00
        assert str(got) == want, (value, mode)


@pytest.mark.parametrize(("value", "expected"), ROUNDING_TABLE.items())
def test_rounding_table_on_fractions_agrees(value: str, expected: tuple[str, ...]) -> None:
    for mode, want in zip(MODES, expected, strict=True):
        got = mode.round(Fraction(Decimal(value)), 2)
        assert str(got) == want, (value, mode)


@pytest.mark.parametrize(("value", "expected"), ROUNDING_TABLE.items())
def test_money_round_uses_the_currency_minor_unit(value: str, expected: tuple[str, ...]) -> None:
    for mode, want in zip(MODES, expected, strict=True):
        rounded = Money(value, "EUR").round(mode)
        assert str(rounded) == f"{want} EUR", (value, mode)
        assert rounded.is_rounded


def test_rounding_fractions_that_do_not_terminate() -> None:
    # 1/3 = 0.333..., 2/3 = 0.666..., -2/3 = -0.666...; 1/8 = 0.125 is a tie at 2 places
    assert Rounding.HALF_UP.round(Fraction(1, 3), 2) == Decimal("0.33")
    assert Rounding.UP.round(Fraction(1, 3), 2) == Decimal("0.34")
    assert Rounding.DOWN.round(Fraction(2, 3), 2) == Decimal("0.66")
    assert Rounding.HALF_DOWN.round(Fraction(2, 3), 2) == Decimal("0.67")
    assert Rounding.CEILING.round(Fraction(-2, 3), 2) == Decimal("-0.66")
    assert Rounding.FLOOR.round(Fraction(-2, 3), 2) == Decimal("-0.67")
    assert Rounding.HALF_EVEN.round(Fraction(1, 8), 2) == Decimal("0.12")
    assert Rounding.HALF_UP.round(Fraction(1, 8), 2) == Decimal("0.13")
    assert Rounding.HALF_EVEN.round(Fraction(3, 8), 2) == Decimal("0.38")  # 0.375 -> even 8


def test_rounding_ints_and_zero_places() -> None:
    assert str(Rounding.HALF_UP.round(3, 2)) == "3.00"
    assert str(Rounding.HALF_EVEN.round(Decimal("2.5"), 0)) == "2"
    assert str(Rounding.HALF_EVEN.round(Decimal("3.5"), 0)) == "4"
    assert str(Rounding.HALF_UP.round(Fraction(5, 2), 0)) == "3"
    assert str(Rounding.HALF_EVEN.round(Fraction(-5, 2), 0)) == "-2"


def test_jpy_has_no_minor_unit() -> None:
    # 1234.5 JPY is a tie between 1234 and 1235
    assert str(Money("1234.5", "JPY").round(Rounding.HALF_UP)) == "1235 JPY"
    assert str(Money("1234.5", "JPY").round(Rounding.HALF_EVEN)) == "1234 JPY"
    assert str(Money("0.4", "JPY").round(Rounding.UP)) == "1 JPY"
    assert Money(1234, "JPY").is_rounded
    assert not Money("1234.5", "JPY").is_rounded


def test_bhd_has_three_places() -> None:
    assert str(Money("1.2345", "BHD").round(Rounding.HALF_UP)) == "1.235 BHD"
    assert str(Money("1.2345", "BHD").round(Rounding.HALF_EVEN)) == "1.234 BHD"
    assert str(Money("1.2", "BHD").round(Rounding.DOWN)) == "1.200 BHD"
    assert Money("1.234", "BHD").is_rounded
    assert not Money("1.2341", "BHD").is_rounded


def test_rounding_docstring_values() -> None:
    assert Rounding.HALF_UP.round(Decimal("2.345"), 2) == Decimal("2.35")
    assert Rounding.HALF_EVEN.round(Decimal("2.345"), 2) == Decimal("2.34")


# -- allocation -----------------------------------------------------------------------------


def _strs(parts: tuple[Money, ...]) -> list[str]:
    return [str(part) for part in parts]


def test_allocate_equal_thirds() -> None:
    # 10000 cents / 3 = 3333.33...: floors 3333 x 3 = 9999, the one cent left goes to
    # the first part (all remainders tie)
    parts = Money("100.00", "EUR").allocate([1, 1, 1])
    assert _strs(parts) == ["33.34 EUR", "33.33 EUR", "33.33 EUR"]
    assert sum(parts) == Money("100.00", "EUR")


def test_allocate_negative_amount_mirrors() -> None:
    parts = Money("-100.00", "EUR").allocate([1, 1, 1])
    assert _strs(parts) == ["-33.34 EUR", "-33.33 EUR", "-33.33 EUR"]
    assert sum(parts) == Money("-100.00", "EUR")


def test_allocate_largest_remainder_wins() -> None:
    # 5 cents by 1:2 -> shares 5/3 = 1.67 and 10/3 = 3.33; floors 1 + 3 = 4; the cent left
    # goes to the larger remainder (0.67, the first part): 2 and 3 cents
    assert _strs(Money("0.05", "EUR").allocate([1, 2])) == ["0.02 EUR", "0.03 EUR"]
    # 1001 cents by 0.5/0.25/0.25 -> 500.5, 250.25, 250.25; floors 1000; remainders
    # 0.5, 0.25, 0.25: the cent goes to the first -> 5.01, 2.50, 2.50
    parts = Money("10.01", "EUR").allocate(["0.5", Decimal("0.25"), "0.25"])
    assert _strs(parts) == ["5.01 EUR", "2.50 EUR", "2.50 EUR"]


def test_allocate_never_gives_to_a_zero_weight() -> None:
    # 1 cent by 0:1:1 -> shares 0, 0.5, 0.5; the tie goes to the earlier non-zero part
    assert _strs(Money("0.01", "EUR").allocate([0, 1, 1])) == ["0.00 EUR", "0.01 EUR", "0.00 EUR"]


def test_allocate_in_jpy_and_bhd() -> None:
    assert _strs(Money(100, "JPY").allocate([1, 1, 1])) == ["34 JPY", "33 JPY", "33 JPY"]
    # 1000 fils by 1:1:1 -> 333.33 each; one fils left for the first
    assert _strs(Money("1.000", "BHD").allocate((1, 1, 1))) == [
        "0.334 BHD",
        "0.333 BHD",
        "0.333 BHD",
    ]


def test_allocate_errors() -> None:
    with pytest.raises(ValueError, match="at least one weight"):
        Money("1.00", "EUR").allocate([])
    with pytest.raises(ValueError, match="must not all be zero"):
        Money("1.00", "EUR").allocate([0, 0])
    with pytest.raises(ValueError, match="must not be negative"):
        Money("1.00", "EUR").allocate([-1, 2])
    with pytest.raises(ValueError, match=r"allocate a rounded amount, not Money\('1.005', 'EUR'\)"):
        Money("1.005", "EUR").allocate([1, 1])
    with pytest.raises(TypeError, match=r"weights\[1\] must be .* not float \(0\.5\)"):
        Money("1.00", "EUR").allocate([1, 0.5])  # type: ignore[list-item]


# -- presentation and parsing ---------------------------------------------------------------


def test_repr_and_str() -> None:
    assert repr(Money("0.95", "EUR")) == "Money('0.95', 'EUR')"
    assert str(Money("0.95", "EUR")) == "0.95 EUR"
    assert str(Money(5, "EUR")) == "5 EUR"


def test_format() -> None:
    assert Money("1234567.5", "EUR").format() == "1,234,567.50 EUR"
    assert Money("1234567.5", "EUR").format(grouping=False) == "1234567.50 EUR"
    assert Money("-1234.5", "EUR").format() == "-1,234.50 EUR"
    assert Money("0.125", "EUR").format() == "0.125 EUR"  # sub-cent digits are shown
    assert Money(1234, "JPY").format() == "1,234 JPY"
    assert Money("1E+3", "EUR").format() == "1,000.00 EUR"
    assert Money("2.5", "BHD").format() == "2.500 BHD"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.95 EUR", Money("0.95", "EUR")),
        ("EUR 0.95", Money("0.95", "EUR")),
        ("  -12.5   usd ", Money("-12.5", "USD")),
        ("1000 JPY", Money(1000, "JPY")),
    ],
)
def test_parse(text: str, expected: Money) -> None:
    assert Money.parse(text) == expected
    assert Money.parse(text).currency == expected.currency


def test_parse_errors() -> None:
    with pytest.raises(ValueError, match=r"'<amount> <currency>', got '0\.95'"):
        Money.parse("0.95")
    with pytest.raises(ValueError, match=r"got '0\.95 EUR extra'"):
        Money.parse("0.95 EUR extra")
    with pytest.raises(ValueError, match="not a decimal number: 'EUR'"):
        Money.parse("EUR EUR")
    with pytest.raises(UnknownCurrencyError):
        Money.parse("0.95 XYZ")


def test_to_money_names_the_field() -> None:
    price = Money("0.95", "EUR")
    assert to_money(price) is price
    assert to_money("0.95 EUR", what="rate") == price
    with pytest.raises(ValueError, match=r"^rate: money must be written as"):
        to_money("0.95", what="rate")
    with pytest.raises(UnknownCurrencyError, match=r"^rate: unknown currency code 'XYZ'"):
        to_money("0.95 XYZ", what="rate")
    with pytest.raises(
        TypeError, match=r"^rate must be Money or a string like '0.95 EUR', not 0.95"
    ):
        to_money(0.95, what="rate")


# -- the ambient decimal context never changes a result -------------------------------------


def _computations() -> list[object]:
    a, b = Money("1234.5678", "EUR"), Money("0.0001", "EUR")
    return [
        a + b,
        a - b,
        a * 3,
        a * "1.0000001",
        a / Money("0.03", "EUR"),
        a / 7,
        a.round(Rounding.HALF_UP),
        Money("2.345", "EUR").round(Rounding.HALF_EVEN),
        Money("100.00", "EUR").allocate([1, 1, 1]),
        Money("1234567.891", "EUR").format(),
        Money.parse("EUR 1234.5678"),
        sum([a, b, b]),
        Rounding.HALF_UP.round(Fraction(2, 3), 2),
        d.to_decimal("3.14159265358979323846264338327950288419716939937510"),
        d.ceil_div(Decimal(185), Decimal(6)),
    ]


def test_results_do_not_depend_on_the_decimal_context_precision_or_rounding() -> None:
    expected = _computations()
    # sanity: the figures themselves, by hand
    assert expected[0] == Money("1234.5679", "EUR")
    assert expected[2] == Money("3703.7034", "EUR")
    assert expected[6] == Money("1234.57", "EUR")
    assert expected[14] == Decimal(31)  # 185 / 6 = 30.83 -> 31
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert _computations() == expected


def test_results_do_not_depend_on_the_decimal_traps() -> None:
    expected = _computations()
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_CEILING
        ctx.traps[decimal.Inexact] = True
        ctx.traps[decimal.Rounded] = True
        ctx.traps[decimal.FloatOperation] = True
        ctx.traps[decimal.InvalidOperation] = False
        ctx.traps[decimal.DivisionByZero] = False
        assert _computations() == expected
        # with InvalidOperation not trapped, Decimal("abc") would be NaN: still refused
        with pytest.raises(ValueError, match="not a decimal number: 'abc'"):
            Money("abc", "EUR")


# -- the exact decimal helpers ----------------------------------------------------------------


def test_decimal_helpers_are_exact() -> None:
    big = Decimal("12345678901234567890.123456789")
    assert d.add(big, Decimal("0.000000001")) == Decimal("12345678901234567890.123456790")
    assert d.sub(Decimal("0.3"), Decimal("0.1")) == Decimal("0.2")
    assert d.mul(big, Decimal(10)) == Decimal("123456789012345678901.23456789")
    assert d.neg(Decimal("1.50")) == Decimal("-1.50")
    assert d.div(Decimal(1), Decimal(8)) == Decimal("0.125")
    assert d.div(Decimal(2), Decimal(3)) == Decimal("0." + "6" * 49 + "7")  # 50 digits
    assert d.total([]) == 0
    assert d.total([Decimal("0.1")] * 10) == Decimal("1.0")


def test_ceil_div() -> None:
    assert d.ceil_div(Decimal(185), Decimal(6)) == 31  # 30.83 -> 31
    assert d.ceil_div(Decimal(186), Decimal(6)) == 31  # exact
    assert d.ceil_div(Decimal(0), Decimal(6)) == 0
    assert d.ceil_div(Decimal(-7), Decimal(6)) == -1  # ceiling of -1.17
    assert d.ceil_div(Decimal("1.5"), Decimal("0.5")) == 3


def test_fraction_to_decimal() -> None:
    assert d.fraction_to_decimal(Fraction(1, 8)) == Decimal("0.125")
    assert d.fraction_to_decimal(Fraction(-7, 60)) == Decimal("-0.11" + "6" * 47 + "7")


def test_to_decimal_names_what() -> None:
    assert d.to_decimal(5) == Decimal(5)
    assert d.to_decimal(" 1_000 ") == Decimal(1000)
    with pytest.raises(TypeError, match=r"^rate must be .* not float \(0\.5\)"):
        d.to_decimal(0.5, what="rate")
    with pytest.raises(TypeError, match=r"^rate must be .* not bool \(False\)"):
        d.to_decimal(False, what="rate")
    with pytest.raises(TypeError, match=r"^rate must be .* not NoneType \(None\)"):
        d.to_decimal(None, what="rate")
    with pytest.raises(ValueError, match=r"^rate is not a decimal number: 'x'"):
        d.to_decimal("x", what="rate")
    with pytest.raises(ValueError, match=r"^rate must be a finite number, not 'inf'"):
        d.to_decimal("inf", what="rate")
