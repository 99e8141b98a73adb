"""Untrusted contracts: bounded decimals, documents, calendars, periods and output."""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import _decimal as d
from meterprice.errors import LimitError, MeterpriceError
from meterprice.spec import SpecError, load_contract, loads_contract
from meterprice.spec._types import Context, FractionHandler

_DOC = """\
meterprice = 1
name = "Limits"
currency = "EUR"
cycle = { unit = "month" }

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = RATE
"""


def _load(rate: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        loads_contract(_DOC.replace("RATE", rate), source="limits.toml")
    return caught.value


# -- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1e999999999", "magnitude"),
        ("1e-10000000", "magnitude"),
        ("0e-10000000", "exponent of -10000000"),
        ("1" * 101, "101 significant digits"),
        ("0." + "0" * 120 + "1", "magnitude"),
    ],
)
def test_to_decimal_refuses_numbers_beyond_the_limits(text: str, words: str) -> None:
    with pytest.raises(LimitError, match=words) as caught:
        d.to_decimal(text, what="rate")
    assert str(caught.value).startswith("rate ")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, MeterpriceError)


def test_to_decimal_bounds_decimals_and_ints_too() -> None:
    with pytest.raises(LimitError, match="quantity"):
        d.to_decimal(Decimal("1e999999999"), what="quantity")
    with pytest.raises(LimitError, match="more than 100 digits"):
        d.to_decimal(10**100)
    assert d.to_decimal(10**100 - 1) == Decimal(10**100 - 1)


def test_to_decimal_keeps_the_largest_and_smallest_accepted_values() -> None:
    assert d.to_decimal("1e100") == Decimal(10) ** 100
    assert d.to_decimal("1e-100") == Decimal("1e-100")
    assert d.to_decimal("9" * 100) == Decimal("9" * 100)
    assert d.to_decimal("-0.95") == Decimal("-0.95")


def test_to_decimal_accepts_ascii_digits_only() -> None:
    assert Decimal("\u0665") == 5  # what the standard library does
    with pytest.raises(ValueError, match="ASCII digits only"):
        d.to_decimal("\u0665")
    with pytest.raises(ValueError, match="ASCII"):
        d.to_decimal("1\uff10")  # a fullwidth zero


def test_to_decimal_is_bounded_in_any_context() -> None:
    largest = Decimal("1e100")
    with decimal.localcontext(decimal.Context(prec=3, Emax=10)):
        assert d.to_decimal("1e100") is not None
        with pytest.raises(LimitError):
            d.to_decimal("1e101")
    assert d.to_decimal("1e100") == largest


@pytest.mark.parametrize(
    ("rate", "words"),
    [
        ('"1e999999999"', "components[0].rate: is out of range"),
        ('"1e-10000000"', "components[0].rate: is out of range"),
        ('"' + "1" * 150 + '"', "components[0].rate: has 150 significant digits"),
        ("1" + "0" * 120, "components[0].rate: has more than 100 digits"),
        ('"\u0665"', "components[0].rate: is not an amount"),
    ],
)
def test_documents_name_the_path_of_a_decimal_beyond_the_limits(rate: str, words: str) -> None:
    error = _load(rate)
    assert words in str(error)
    assert str(error).startswith("limits.toml: ")


def test_fractions_are_bounded_and_ascii() -> None:
    ctx = Context()
    assert FractionHandler().structure("1/3", ("share",), ctx) == Fraction(1, 3)
    FractionHandler().structure("1/" + "3" * 101, ("share",), ctx)
    FractionHandler().structure("1/\u0663", ("share",), ctx)
    assert [str(problem) for problem in ctx.problems] == [
        "share: has a numerator or denominator of more than 100 digits",
        'share: is not a decimal number (got "1/\u0663")',
    ]


# -- documents --------------------------------------------------------------------------------


def test_a_toml_integer_of_more_than_4300_digits_is_a_spec_error_with_its_line() -> None:
    text = _DOC.replace("RATE", '"0.95"') + "quantity = " + "9" * 5000 + "\n"
    with pytest.raises(SpecError, match="line 11: an integer has more than 4300 digits"):
        loads_contract(text)


def test_a_json_integer_of_more_than_4300_digits_is_a_spec_error_with_its_path() -> None:
    text = '{"meterprice": 1, "components": [{"rate": ' + "9" * 5000 + "}]}"
    with pytest.raises(SpecError, match=r"components\[0\]\.rate: is an integer of 5000 digits"):
        loads_contract(text, format="json")


@pytest.mark.parametrize("depth", [33, 500, 100_000])
def test_deep_nesting_is_a_spec_error(depth: int) -> None:
    toml = "meterprice = 1\nx = " + "[" * depth + "]" * depth + "\n"
    json = '{"x": ' + "[" * depth + "]" * depth + "}"
    for text, fmt in [(toml, "toml"), (json, "json")]:
        if fmt == "toml" and depth > 1000:
            continue  # the TOML reader takes quadratic time on such input
        with pytest.raises(SpecError, match="nested too deeply"):
            loads_contract(text, format=fmt)


def test_deep_nesting_within_the_parser_reports_the_path() -> None:
    json = '{"meterprice": 1, "x": ' + "[" * 40 + "]" * 40 + "}"
    with pytest.raises(SpecError) as caught:
        loads_contract(json, format="json")
    assert caught.value.paths == ["x" + "[0]" * 31]


def test_deep_nesting_in_a_mapping_is_a_spec_error() -> None:
    value: object = []
    for _ in range(2000):
        value = [value]
    with pytest.raises(SpecError, match="nested too deeply"):
        load_contract({"meterprice": 1, "x": value})
