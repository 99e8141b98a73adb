"""PercentageCharge: what mutation testing found unpinned.

Every field of its lines (quantities, units, unit prices, tags, the basis with and
without allowances), the exact wording of its errors, the event order (days of
dated usage, signed and tied ``order`` values, the ``where`` filter) and its exact
helpers ``ledger``, ``amount`` and ``ordered``. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from direct_pricing import context

from meterprice import Contract, Dimensions, Money, PercentageCharge, Usage
from meterprice.components.base import Charge
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import Line


def _charge(**options: object) -> PercentageCharge:
    settings: dict[str, object] = {"percent": 2}
    settings.update(options)
    return PercentageCharge(
        "Payments",
        metric="amount",
        per_transaction="payment",
        **settings,  # type: ignore[arg-type]
    )


def _lines(component: PercentageCharge, usage: Usage) -> tuple[Line, ...]:
    contract = Contract("C", "EUR", [component], unpriced="ignore")
    return contract.invoice(usage, "2026-11").lines


def _amounts(component: PercentageCharge, usage: Usage) -> list[str]:
    return [str(line.amount) for line in _lines(component, usage)]


def _payments(amounts: dict[str, str], **extra: str) -> Usage:
    return Usage.from_totals(
        {("amount", Dimensions({"payment": key, **extra})): value for key, value in amounts.items()}
    )


# -- the lines, field by field -------------------------------------------------------------------
def test_every_field_of_the_percentage_fee_and_bound_lines() -> None:
    # 1.5 % of 100.00, 0.50 and 250.00 (the zero earns nothing): 1.50, 0.0075, 3.75;
    # percentage 1.5 % of 350.50 = 5.2575 -> 5.26; fees 3 x 0.25 = 0.75;
    # the minimum 1.00 lifts 0.0075 by 0.9925 -> 0.99; the maximum 3.00 cuts 3.75 by 0.75
    component = _charge(
        percent="1.5",
        fixed_fee="0.25 EUR",
        minimum="1.00 EUR",
        maximum="3.00 EUR",
        tags={"psp"},
    )
    used = _payments({"1": "100.00", "2": "0.50", "3": "0", "4": "250.00"})
    percentage, fee, minimum, maximum = _lines(component, used)
    assert percentage.description == "Payments"
    assert percentage.amount == Money("5.26", "EUR")
    assert percentage.exact == Fraction("5.2575")
    assert percentage.basis == (
        "1.5% of 350.5 EUR (3 paid of 3 transaction(s) of amount in 2026-11)"
    )
    assert percentage.quantity == Fraction("350.50")
    assert percentage.unit == "EUR"
    assert percentage.unit_price == Money("0.015", "EUR")
    assert percentage.tags == frozenset({"psp"})

    assert fee.description == "Payments: fixed fee per paid transaction"
    assert fee.amount == Money("0.75", "EUR")
    assert fee.basis == "3 paid transaction(s) x 0.25 EUR"
    assert fee.quantity == 3
    assert fee.unit == "transaction"
    assert fee.unit_price == Money("0.25", "EUR")
    assert fee.tags == frozenset({"psp"})

    assert minimum.description == "Payments: minimum per transaction"
    assert minimum.amount == Money("0.99", "EUR")
    assert minimum.exact == Fraction("0.9925")
    # without fee_in_bounds the basis says nothing about the fee
    assert minimum.basis == "1 paid transaction(s) brought to the minimum 1.00 EUR each"
    assert minimum.quantity == 1
    assert minimum.unit == "transaction"
    assert minimum.unit_price is None
    assert minimum.tags == frozenset({"psp"})

    assert maximum.description == "Payments: maximum per transaction"
    assert maximum.amount == Money("-0.75", "EUR")
    assert maximum.basis == "1 paid transaction(s) brought to the maximum 3.00 EUR each"
    assert maximum.quantity == 1
    assert maximum.unit == "transaction"
    assert maximum.unit_price is None
    assert maximum.tags == frozenset({"psp"})


def test_the_bound_lines_count_the_transactions_they_move() -> None:
    # 2 % of 10, 20, 500, 600: 0.20, 0.40, 10.00, 12.00; the minimum 1.00 lifts two
    # (0.80 + 0.60 = 1.40), the maximum 5.00 cuts two (5.00 + 7.00 = 12.00)
    component = _charge(minimum="1.00 EUR", maximum="5.00 EUR")
    used = _payments({"1": "10", "2": "20", "3": "500", "4": "600"})
    percentage, minimum, maximum = _lines(component, used)
    assert percentage.amount == Money("22.60", "EUR")
    assert (minimum.amount, minimum.quantity) == (Money("1.40", "EUR"), Fraction(2))
    assert minimum.basis == "2 paid transaction(s) brought to the minimum 1.00 EUR each"
    assert (maximum.amount, maximum.quantity) == (Money("-12.00", "EUR"), Fraction(2))
    assert maximum.basis == "2 paid transaction(s) brought to the maximum 5.00 EUR each"


def test_the_unit_price_is_the_exact_percent_over_a_hundred() -> None:
    # 1.333... % (41 significant digits) over 100 keeps every digit: 0.01333...
    percent = "1." + "3" * 40
    (line,) = _lines(_charge(percent=percent), _payments({"1": "100"}))
    assert line.unit_price == Money(Decimal("0.01" + "3" * 40), "EUR")
    # 1.333... % of 100 = 1.333... -> 1.33
    assert line.amount == Money("1.33", "EUR")


def test_the_basis_names_both_allowances() -> None:
    # 1 free transaction and 100.25 free: 1 (100.00) is wholly free; the count is used
    # up, so 2 (0.50) and 4 (250.00) pay: 1.5 % of 250.50 = 3.7575 -> 3.76
    component = _charge(percent="1.5", free_transactions=1, free_amount="100.25 EUR")
    used = _payments({"1": "100.00", "2": "0.50", "3": "0", "4": "250.00"})
    (line,) = _lines(component, used)
    assert line.amount == Money("3.76", "EUR")
    assert line.basis == (
        "1.5% of 250.5 EUR (2 paid of 3 transaction(s) of amount in 2026-11; free: first 1 "
        "transaction(s) and first 100.25 EUR, 1 transaction(s) wholly free, 100 EUR covered)"
    )


def test_the_basis_counts_small_and_zero_transactions_apart() -> None:
    # 1 (0.50) is the free one, 2 (0) earns nothing and is not counted, 3 (0.80) and
    # 4 (100) pay: 2 % of 100.80 = 2.016 -> 2.02; 3 positive transactions
    component = _charge(free_transactions=1)
    used = _payments({"1": "0.50", "2": "0", "3": "0.80", "4": "100"})
    (line,) = _lines(component, used)
    assert line.amount == Money("2.02", "EUR")
    assert line.basis == (
        "2% of 100.8 EUR (2 paid of 3 transaction(s) of amount in 2026-11; free: first 1 "
        "transaction(s), 1 transaction(s) wholly free, 0.5 EUR covered)"
    )


def test_small_transactions_are_priced() -> None:
    # 2 % of 0.50 + 0.80 = 0.026 -> 0.03, from 2 transactions
    (line,) = _lines(_charge(), _payments({"1": "0.50", "2": "0.80"}))
    assert line.amount == Money("0.03", "EUR")
    assert line.basis == "2% of 1.3 EUR (2 paid of 2 transaction(s) of amount in 2026-11)"


def test_without_allowances_the_basis_has_no_free_part() -> None:
    # 2 % of 100 = 2.00
    (line,) = _lines(_charge(), _payments({"1": "100"}))
    assert line.basis == "2% of 100 EUR (1 paid of 1 transaction(s) of amount in 2026-11)"


def test_only_a_free_amount_is_named_in_the_basis() -> None:
    # 50.00 free: 1 (100) pays on 50: 2 % of 50 = 1.00
    (line,) = _lines(_charge(free_amount="50.00 EUR"), _payments({"1": "100"}))
    assert line.amount == Money("1.00", "EUR")
    assert line.basis == (
        "2% of 50 EUR (1 paid of 1 transaction(s) of amount in 2026-11; free: first 50.00 "
        "EUR, 0 transaction(s) wholly free, 50 EUR covered)"
    )


def _priced(component: PercentageCharge, usage: Usage) -> list[Charge]:
    """The charges of ``component`` priced directly, as a wrapping component sees them."""
    ctx = context(usage)
    return list(component.price(ctx))


def test_the_charges_themselves_carry_the_component_tags() -> None:
    # the contract adds a component's tags to its lines; a caller of price() sees only
    # what each charge carries. 2 % of 10 and 600: 0.20 lifted to 1.00 (+0.80), 12.00
    # cut to 5.00 (-7.00); fees 2 x 0.30 = 0.60
    component = _charge(
        fixed_fee="0.30 EUR", minimum="1.00 EUR", maximum="5.00 EUR", tags={"psp", "card"}
    )
    charges = _priced(component, _payments({"1": "10", "2": "600"}))
    assert [(charge.description, charge.amount) for charge in charges] == [
        ("Payments", Fraction("12.20")),
        ("Payments: fixed fee per paid transaction", Fraction("0.60")),
        ("Payments: minimum per transaction", Fraction("0.80")),
        ("Payments: maximum per transaction", Fraction(-7)),
    ]
    assert [charge.tags for charge in charges] == [frozenset({"psp", "card"})] * 4


# -- accepted and refused options ----------------------------------------------------------------
def test_a_zero_or_small_percent_is_accepted() -> None:
    # 0 % of 100 = 0.00; 0.5 % of 100 = 0.50
    assert _amounts(_charge(percent=0), _payments({"1": "100"})) == ["0.00 EUR"]
    assert _amounts(_charge(percent="0.5"), _payments({"1": "100"})) == ["0.50 EUR"]


def test_a_minimum_equal_to_the_maximum_is_accepted() -> None:
    # every paid transaction costs 1.00: 2 % of 10 = 0.20 lifted by 0.80, 2 % of 100 =
    # 2.00 cut by 1.00
    component = _charge(minimum="1.00 EUR", maximum="1.00 EUR")
    assert _amounts(component, _payments({"1": "10", "2": "100"})) == [
        "2.20 EUR",
        "0.80 EUR",
        "-1.00 EUR",
    ]


def test_a_float_percent_is_refused_by_name() -> None:
    with pytest.raises(InvalidTypeError, match=r"^percent must be a Decimal, int or decimal"):
        _charge(percent=1.5)


@pytest.mark.parametrize("option", ["fixed_fee", "free_amount", "minimum", "maximum"])
def test_money_options_that_are_not_money_are_refused_by_name(option: str) -> None:
    words = f"{option} must be Money or a string like '0.95 EUR', not 5"
    with pytest.raises(InvalidTypeError, match="^" + re.escape(words) + "$"):
        _charge(**{option: 5})


def test_bounds_in_different_currencies_are_refused_in_full() -> None:
    words = "component 'Payments': minimum 1 EUR and maximum 1 USD are in different currencies"
    with pytest.raises(ContractError, match="^" + re.escape(words) + "$"):
        _charge(minimum="1 EUR", maximum="1 USD")


def test_the_fee_in_bounds_error_in_full() -> None:
    words = (
        "component 'Payments': fee_in_bounds counts the fixed fee inside the "
        "per-transaction minimum or maximum: give fixed_fee and a bound"
    )
    with pytest.raises(ContractError, match="^" + re.escape(words) + "$"):
        _charge(fee_in_bounds=True)


def test_usage_lacking_the_dimensions_is_refused_listing_five() -> None:
    component = _charge(order="at")
    entries: dict[object, str] = {"amount": "1"}
    entries.update({("amount", Dimensions({"payment": str(n)})): "5" for n in range(1, 8)})
    entries[("amount", Dimensions({"payment": "9", "at": "1"}))] = "5"
    used = Usage.from_totals(entries)
    # 8 groups lack a dimension (no dimensions, payment=1..7); the first 5 are listed
    words = (
        "component 'Payments' reads 'amount' by payment, at but some usage lacks one of "
        "those dimensions: no dimensions; payment=1; payment=2; payment=3; payment=4; "
        "keep them in the meter's group_by and on the events"
    )
    with pytest.raises(PricingError, match="^" + re.escape(words) + "$"):
        _lines(component, used)


def test_usage_lacking_the_dimensions_lists_all_of_few() -> None:
    component = _charge(order="at")
    entries: dict[object, str] = {
        ("amount", Dimensions({"payment": "1"})): "5",
        ("amount", Dimensions({"payment": "2"})): "5",
    }
    used = Usage.from_totals(entries)
    words = "lacks one of those dimensions: payment=1; payment=2; keep them in"
    with pytest.raises(PricingError, match=re.escape(words)):
        _lines(component, used)


# -- event order ---------------------------------------------------------------------------------
def test_signed_identifiers_still_order_as_numbers() -> None:
    # +1, 9, 10 as numbers: +1 (100) and 9 (200) free, 10 pays 2 % of 400 = 8.00
    # (as text +1, 10, 9 would leave 9 to pay 4.00)
    used = _payments({"+1": "100", "9": "200", "10": "400"})
    assert _amounts(_charge(free_transactions=2), used) == ["8.00 EUR"]


def test_identifiers_starting_with_x_order_as_text() -> None:
    # "2" < "X1" as text: 2 (250) is free, X1 pays 2 % of 100 = 2.00
    used = _payments({"X1": "100", "2": "250"})
    assert _amounts(_charge(free_transactions=1), used) == ["2.00 EUR"]


def test_equal_numeric_order_values_fall_back_to_the_identifiers() -> None:
    # order 1 (a) and 01 (b) are both the number 1: a comes first by identifier and is
    # free; b pays 2 % of 250 = 5.00 (as text 01 < 1 would free b and charge 2.00)
    used = Usage.from_totals(
        {
            ("amount", Dimensions({"payment": "a", "at": "1"})): "100",
            ("amount", Dimensions({"payment": "b", "at": "01"})): "250",
        }
    )
    assert _amounts(_charge(free_transactions=1, order="at"), used) == ["5.00 EUR"]


def test_other_metrics_do_not_date_the_transactions() -> None:
    # a "count" of a on the 1st is another metric; b (250) on the 2nd comes before
    # a (100) on the 3rd and is free: a pays 2 % of 100 = 2.00
    daily = Usage.from_daily(
        {
            "2026-11-01": {("count", (("payment", "a"),)): "1"},
            "2026-11-02": {("amount", (("payment", "b"),)): "250.00"},
            "2026-11-03": {("amount", (("payment", "a"),)): "100.00"},
        }
    )
    component = _charge(free_transactions=1)
    assert _amounts(component, daily) == ["2.00 EUR"]
    assert component.first_days(daily) == {"a": dt.date(2026, 11, 3), "b": dt.date(2026, 11, 2)}


def test_a_transaction_dates_from_its_first_day() -> None:
    # a on the 2nd and 5th (100 + 50), b (250) on the 3rd: a is first and free, b
    # pays 2 % of 250 = 5.00
    daily = Usage.from_daily(
        {
            "2026-11-02": {("amount", (("payment", "a"),)): "100.00"},
            "2026-11-03": {("amount", (("payment", "b"),)): "250.00"},
            "2026-11-05": {("amount", (("payment", "a"),)): "50.00"},
        }
    )
    component = _charge(free_transactions=1)
    assert _amounts(component, daily) == ["5.00 EUR"]
    assert component.first_days(daily) == {"a": dt.date(2026, 11, 2), "b": dt.date(2026, 11, 3)}


def test_the_where_filter_limits_the_amounts_and_the_days() -> None:
    # only PT counts: a (PT, 100) on the 5th, b (PT, 250) on the 3rd; a's ES payment
    # on the 1st neither dates a nor adds to it. b is first and free: a pays 2 % of
    # 100 = 2.00
    daily = Usage.from_daily(
        {
            "2026-11-01": {("amount", (("payment", "a"), ("country", "ES"))): "900.00"},
            "2026-11-03": {("amount", (("payment", "b"), ("country", "PT"))): "250.00"},
            "2026-11-05": {("amount", (("payment", "a"), ("country", "PT"))): "100.00"},
        }
    )
    component = _charge(free_transactions=1, where={"country": "PT"})
    (line,) = _lines(component, daily)
    assert line.amount == Money("2.00", "EUR")
    assert line.basis == (
        "2% of 100 EUR (1 paid of 2 transaction(s) of amount in 2026-11; free: first 1 "
        "transaction(s), 1 transaction(s) wholly free, 250 EUR covered)"
    )
    assert component.first_days(daily) == {"a": dt.date(2026, 11, 5), "b": dt.date(2026, 11, 3)}


def test_a_where_filter_on_undated_usage() -> None:
    # the ES payment is left out: 2 % of 100 = 2.00 from 1 transaction
    used = Usage.from_totals(
        {
            ("amount", Dimensions({"payment": "1", "country": "PT"})): "100",
            ("amount", Dimensions({"payment": "2", "country": "ES"})): "900",
        }
    )
    (line,) = _lines(_charge(where={"country": "PT"}), used)
    assert line.amount == Money("2.00", "EUR")
    assert line.basis == "2% of 100 EUR (1 paid of 1 transaction(s) of amount in 2026-11)"


def test_transactions_without_a_day_come_first() -> None:
    a = Dimensions({"payment": "a"})
    b = Dimensions({"payment": "b"})
    component = _charge()
    groups = {a: Fraction(1), b: Fraction(2)}
    # b has a day, a none: a sorts at date.min, before b
    assert component.ordered(groups, {"b": dt.date(2026, 11, 2)}) == [("a", [a]), ("b", [b])]
    # a on the 3rd, b on the 2nd: b first
    days = {"a": dt.date(2026, 11, 3), "b": dt.date(2026, 11, 2)}
    assert component.ordered(groups, days) == [("b", [b]), ("a", [a])]


# -- the exact helpers ---------------------------------------------------------------------------
def test_the_ledger_pays_nothing_on_refunds() -> None:
    # -50 earns nothing and is not free; 100 is the free one; 30 pays in full
    ledger = _charge(free_transactions=1).ledger([Fraction(-50), Fraction(100), Fraction(30)])
    assert ledger.amounts == (Fraction(-50), Fraction(100), Fraction(30))
    assert ledger.free == (Fraction(0), Fraction(100), Fraction(0))
    assert ledger.paid == (Fraction(0), Fraction(0), Fraction(30))
    assert ledger.eligible == (False, True, False)
    assert ledger.before == (Fraction(0), Fraction(0), Fraction(100))


def test_the_exact_amount_without_a_fixed_fee() -> None:
    # 2 % of 100 + 2 % of 50 = 3, no fee
    assert _charge().amount([Fraction(100), Fraction(50)]) == Fraction(3)
    # with a 0.30 fee: 3 + 2 x 0.30 = 3.60
    assert _charge(fixed_fee="0.30 EUR").amount([Fraction(100), Fraction(50)]) == Fraction("3.60")
