"""Untrusted contracts: bounded decimals, documents, calendars, periods and output."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Contract
from meterprice import _decimal as d
from meterprice._zones import find_zone
from meterprice.calendars import RuleRange, YearlyRange
from meterprice.errors import LimitError, MeterpriceError
from meterprice.invoice import Line, exact_text
from meterprice.money import Money
from meterprice.periods import Cycle, Period
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


# -- time zones, filters, cycles ---------------------------------------------------------------


def test_a_time_zone_with_hundreds_of_parts_is_an_unknown_zone() -> None:
    name = "a/" * 300 + "b"
    with pytest.raises(SpecError) as caught:
        loads_contract(
            _DOC.replace("RATE", '"1"').replace("cycle =", f'timezone = "{name}"\ncycle =')
        )
    assert caught.value.paths == ["timezone"]
    assert "unknown IANA time zone" in str(caught.value)
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        Contract("X", "EUR", [], timezone=name)
    assert find_zone("America/Argentina/Buenos_Aires") is not None
    assert find_zone("Europe/Amsterdam/") is None
    assert find_zone("x" * 65) is None


def test_a_filter_on_an_empty_dimension_name_is_a_spec_error() -> None:
    text = _DOC.replace("RATE", '"1"') + 'where = { "" = "x" }\n'
    with pytest.raises(SpecError) as caught:
        loads_contract(text)
    assert caught.value.paths == ['components[0].where.""']
    assert "must not be empty" in str(caught.value)


def test_a_cycle_interval_of_a_billion_is_refused_when_loaded() -> None:
    text = _DOC.replace("RATE", '"1"').replace(
        'cycle = { unit = "month" }', 'cycle = { unit = "day", interval = 1000000000 }'
    )
    with pytest.raises(
        SpecError,
        match=r"cycle\.interval: must be a whole number from 1 to 1000 \(got 1000000000\)",
    ):
        loads_contract(text)
    with pytest.raises(ValueError, match="from 1 to 1000"):
        Cycle("day", interval=10**9)


def test_the_largest_cycle_interval_prices_or_refuses_clearly() -> None:
    cycle = Cycle("year", interval=1000)
    assert cycle.period_of(dt.date(2026, 1, 1)) == Period(dt.date(2000, 1, 1), dt.date(3000, 1, 1))
    with pytest.raises(ValueError, match="outside the calendar"):
        cycle.period_of(dt.date(9999, 1, 1))


# -- periods at the edges of the calendar ----------------------------------------------------


def test_the_first_month_reads_and_has_no_previous_period() -> None:
    first = Period.parse("0001-01")
    assert (first.start, first.days, str(first)) == (dt.date(1, 1, 1), 31, "0001-01")
    with pytest.raises(ValueError, match="0001-01-01 moved by 0 months and -1 days is outside"):
        Cycle.monthly().previous(first)
    assert Cycle.monthly().next(first) == Period.month(1, 2)


@pytest.mark.parametrize("text", ["9999-12", "9999-12-31", "9999", "9999-Q4"])
def test_a_period_ending_after_9999_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="outside the calendar"):
        Period.parse(text)


def test_the_period_after_the_last_month_is_a_clear_error() -> None:
    last = Period.parse("9999-11")
    assert last.last_day == dt.date(9999, 11, 30)
    with pytest.raises(ValueError, match="outside the calendar"):
        Cycle.monthly().next(last)
    with pytest.raises(ValueError, match="year must be 1 to 9999"):
        Period.year(10_000)


# -- calendar rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 1000"),
        ("FREQ=DAILY;INTERVAL=1001", "INTERVAL must be a whole number from 1 to 1000"),
        ("FREQ=DAILY;INTERVAL=\u0665", "INTERVAL must be a whole number"),
        ("FREQ=DAILY;COUNT=100001", "COUNT must be a whole number from 1 to 100000"),
        ("FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))), "must not divide days (BYHOUR)"),
        ("FREQ=DAILY;BYMINUTE=1;BYSECOND=2", "(BYMINUTE, BYSECOND)"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never occurs (within 100 years of 2020-01-01)"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never occurs (within 8 years of 2020-01-01)"),
    ],
)
def test_calendar_rules_are_validated_structurally(rule: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        RuleRange("Peak", rule, start="2020-01-01")


def test_a_range_of_a_billion_days_is_refused() -> None:
    with pytest.raises(ValueError, match="days must be a whole number from 1 to 3653"):
        RuleRange("Peak", "FREQ=YEARLY", start="2020-01-01", days=10**9)
    longest = RuleRange("Peak", "FREQ=YEARLY", start="9990-12-31", days=3653)
    assert len(longest.days_in(Period.month(9999, 11))) == 30


def _produced(rule: RuleRange, since: dt.date, until: dt.date) -> int:
    """How many occurrences iterating the rule for ``since .. until`` goes through."""
    iterated = rule._rule_from(since)
    first: dt.datetime = iterated._dtstart  # type: ignore[attr-defined]
    return len(iterated.between(first, dt.datetime.combine(until, dt.time()), inc=True))


def test_a_daily_rule_from_year_1_is_iterated_from_the_priced_window() -> None:
    rule = RuleRange("Every day", "FREQ=DAILY", start="0001-01-01")
    november = Period.month(2026, 11)
    assert len(rule.days_in(november)) == 30
    # from 2001-01-01 (a whole number of 400-year repetitions after the start), not from
    # year 1: 9,466 occurrences (to 2026-12-01 included) instead of 739,556
    assert _produced(rule, november.start, november.end) == 9_466
    weekly = RuleRange("Mondays", "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", start="0001-01-01")
    assert len(weekly.days_in(november)) in (1, 2)
    assert _produced(weekly, november.start, november.end) < 500


def test_a_rule_with_a_count_is_iterated_from_its_start() -> None:
    rule = RuleRange("Five days", "FREQ=DAILY;COUNT=5", start="0001-01-01")
    assert rule.days_in(Period.month(2026, 11)) == ()
    assert len(rule.days_in(Period.month(1, 1))) == 5


def test_rule_ranges_reach_the_last_day_of_the_calendar() -> None:
    rule = RuleRange(
        "New Year's Eve", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", start="9999-01-01", days=3
    )
    last = Period(dt.date(9999, 12, 1), dt.date(9999, 12, 31))
    assert rule.days_in(last) == ()
    yearly = YearlyRange("Winter", "12-20", "01-05")
    assert yearly.days_in(Period.month(9999, 11)) == ()


# -- explanations ----------------------------------------------------------------------------


def test_explain_shows_the_exact_amount_that_was_rounded() -> None:
    contract = loads_contract(_DOC.replace("RATE", '"0.0049999999999999"'))
    invoice = contract.invoice({"minutes": 1}, "2026-11")
    (line,) = invoice.lines
    assert line.explain().endswith("= 0.0049999999999999 EUR, rounded to 0.00 EUR")
    assert line.to_dict()["exact_amount"] == "0.0049999999999999"


def test_a_repeating_amount_is_marked_cut_and_given_as_a_fraction() -> None:
    line = Line("Share", "Share", Money("333.33", "EUR"), Fraction(1000, 3), "1000 / 3")
    assert line.explain() == "Share: 1000 / 3 = 333.333333333333... EUR, rounded to 333.33 EUR"
    assert line.to_dict()["exact_amount"] == "1000/3"
    negative = Line("Credit", "Credit", Money("-0.67", "EUR"), Fraction(-2, 3), "-2/3")
    assert negative.explain() == "Credit: -2/3 = -0.666666666666... EUR, rounded to -0.67 EUR"
    assert exact_text(Fraction(-1, 8)) == "-0.125"
