"""Commission behaviour that mutation testing found unpinned: every field of the flat,
tiered, bound and fixed-fee lines (units, unit prices, tags), the ``where`` filter on
the priced and the counted metric, the boundaries of "positive" amounts and of the
maximum, the order of the category lines, and the exact words of the refusals.
Figures computed by hand.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from direct_pricing import context, fields

from meterprice import (
    Commission,
    CommissionTier,
    Contract,
    ContractError,
    Dimensions,
    Invoice,
    Money,
    PricingContext,
    PricingError,
    Usage,
)
from meterprice.components.commission import _optional_name
from meterprice.errors import InvalidTypeError


def _invoice(commission: Commission, usage: object) -> Invoice:
    contract = Contract("Shop", "CNY", [commission], unpriced="ignore")
    return contract.invoice(usage, "2026-11")  # type: ignore[arg-type]


def _orders(*pairs: tuple[str, str]) -> Usage:
    """Sales by order: (order, amount) pairs."""
    return Usage.from_totals(
        {("sales", Dimensions({"order": order})): amount for order, amount in pairs}
    )


def _context(usage: Usage, previous: Usage | None = None) -> PricingContext:
    return context(usage, currency="CNY", previous_usage=previous)


# -- every field of the lines -----------------------------------------------------------------


def test_a_flat_line_has_every_field() -> None:
    commission = Commission("Sales", metric="sales", percent="2.5", tags={"commission"})
    (line,) = _invoice(commission, {"sales": "400.00"}).lines
    # 2.5 % of 400.00 = 10.00; the unit price is the percentage as a share: 0.025
    assert fields(line) == (
        "Sales",
        "10.00 CNY",
        "2.5% of 400 CNY (sales in 2026-11)",
        Fraction(400),
        "CNY",
        Money("0.025", "CNY"),
        frozenset({"commission"}),
    )


def test_graduated_lines_have_every_field() -> None:
    commission = Commission(
        "Bonus",
        metric="sales",
        tiers=[CommissionTier("100.00 CNY", 1), CommissionTier(None, "1.5")],
        tags={"bonus"},
    )
    first, second = _invoice(commission, {"sales": "300.00"}).lines
    # 1 % of the first 100.00 = 1.00; 1.5 % of the 200.00 above = 3.00
    assert fields(first) == (
        "Bonus (tier 1: up to 100.00 CNY)",
        "1.00 CNY",
        "1% of 100 CNY (of 300 CNY, sales in 2026-11)",
        Fraction(100),
        "CNY",
        Money("0.01", "CNY"),
        frozenset({"bonus"}),
    )
    assert fields(second) == (
        "Bonus (tier 2: over 100.00 CNY)",
        "3.00 CNY",
        "1.5% of 200 CNY (of 300 CNY, sales in 2026-11)",
        Fraction(200),
        "CNY",
        Money("0.015", "CNY"),
        frozenset({"bonus"}),
    )


def test_the_minimum_and_maximum_lines_have_every_field() -> None:
    commission = Commission(
        "C",
        metric="sales",
        percent=2,
        per_transaction="order",
        minimum="3.00 CNY",
        maximum="5.00 CNY",
        tags={"pay"},
    )
    usage = _orders(("a", "100.00"), ("b", "1000.00"))
    base, minimum, maximum = _invoice(commission, usage).lines
    # 2 % of 1100.00 = 22.00; order a earned 2.00, lifted to 3.00: +1.00;
    # order b earned 20.00, cut to 5.00: 1 x 5.00 - 20.00 = -15.00
    assert str(base.amount) == "22.00 CNY"
    assert fields(minimum) == (
        "C: minimum per transaction",
        "1.00 CNY",
        "1 transaction(s) earned 2 CNY, below the minimum 3.00 CNY each: 1 x 3.00 CNY - 2 CNY",
        Fraction(1),
        "transaction",
        None,
        frozenset({"pay"}),
    )
    assert fields(maximum) == (
        "C: maximum per transaction",
        "-15.00 CNY",
        "1 transaction(s) earned 20 CNY, above the maximum 5.00 CNY each: 1 x 5.00 CNY - 20 CNY",
        Fraction(1),
        "transaction",
        None,
        frozenset({"pay"}),
    )


def test_the_fixed_fee_line_has_every_field_even_for_a_single_transaction() -> None:
    commission = Commission(
        "C",
        metric="sales",
        percent=2,
        per_transaction="order",
        fixed_fee="0.40 CNY",
        tags={"fee"},
    )
    base, fixed = _invoice(commission, _orders(("a", "50.00"))).lines
    # 2 % of 50.00 = 1.00; one transaction x 0.40 = 0.40
    assert str(base.amount) == "1.00 CNY"
    assert fields(fixed) == (
        "C: fixed fee per transaction",
        "0.40 CNY",
        "1 transaction(s) x 0.40 CNY",
        Fraction(1),
        "transaction",
        Money("0.40", "CNY"),
        frozenset({"fee"}),
    )


def test_the_unit_price_ignores_the_ambient_decimal_context() -> None:
    commission = Commission("C", metric="sales", percent="1.234")
    # 1.234 % as a share is 0.01234: a two-digit ambient precision would make it 0.012
    with decimal.localcontext(decimal.Context(prec=2, rounding=decimal.ROUND_DOWN)):
        (charge,) = commission.price(_context(Usage.from_totals({"sales": "1000.00"})))
    assert charge.unit_price == Decimal("0.01234")
    assert charge.amount == Fraction("12.34")  # 1.234 % of 1000.00


def test_the_charges_themselves_carry_the_component_tags() -> None:
    # the contract adds a component's tags to its lines; a caller of price() (a wrapping
    # component) sees only what each charge carries
    bounded = Commission(
        "C",
        metric="sales",
        percent=2,
        per_transaction="order",
        minimum="3.00 CNY",
        maximum="5.00 CNY",
        fixed_fee="0.10 CNY",
        tags={"pay"},
    )
    charges = bounded.price(_context(_orders(("a", "100.00"), ("b", "1000.00"))))
    # 2 % of 1100.00 = 22; a: 3 - 2 = 1; b: 5 - 20 = -15; 2 x 0.10 = 0.20
    assert [(c.description, c.amount, c.tags) for c in charges] == [
        ("C", Fraction(22), frozenset({"pay"})),
        ("C: minimum per transaction", Fraction(1), frozenset({"pay"})),
        ("C: maximum per transaction", Fraction(-15), frozenset({"pay"})),
        ("C: fixed fee per transaction", Fraction(1, 5), frozenset({"pay"})),
    ]
    graduated = Commission(
        "G",
        metric="sales",
        tiers=[CommissionTier("100.00 CNY", 1), CommissionTier(None, 2)],
        tags={"bonus"},
    )
    tiers = graduated.price(_context(Usage.from_totals({"sales": "300.00"})))
    # 1 % of 100.00 = 1; 2 % of 200.00 = 4
    assert [(c.amount, c.tags) for c in tiers] == [
        (Fraction(1), frozenset({"bonus"})),
        (Fraction(4), frozenset({"bonus"})),
    ]


# -- boundaries -------------------------------------------------------------------------------


def test_a_transaction_earning_exactly_the_maximum_is_not_cut() -> None:
    commission = Commission(
        "C", metric="sales", percent=2, per_transaction="order", maximum="4.00 CNY"
    )
    # order a: 2 % of 200.00 = 4.00, exactly the maximum; order b: 2 % of 150.00 = 3.00
    invoice = _invoice(commission, _orders(("a", "200.00"), ("b", "150.00")))
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("C", "7.00 CNY")  # 2 % of 350.00, no maximum line
    ]


def test_a_maximum_applies_when_no_transaction_is_below_the_minimum() -> None:
    commission = Commission(
        "C",
        metric="sales",
        percent=2,
        per_transaction="order",
        minimum="1.00 CNY",
        maximum="4.00 CNY",
    )
    # order a: 2 % of 100.00 = 2.00 (within the bounds); order b: 2 % of 300.00 = 6.00
    invoice = _invoice(commission, _orders(("a", "100.00"), ("b", "300.00")))
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("C", "8.00 CNY"),  # 2 % of 400.00
        ("C: maximum per transaction", "-2.00 CNY"),  # 1 x 4.00 - 6.00
    ]


def test_a_transaction_of_one_unit_or_less_still_counts() -> None:
    commission = Commission(
        "C", metric="sales", percent=10, per_transaction="order", fixed_fee="0.10 CNY"
    )
    # orders of 1.00 and 0.50: 10 % of 1.50 = 0.15; two transactions x 0.10 = 0.20
    invoice = _invoice(commission, _orders(("a", "1.00"), ("b", "0.50")))
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("C", "0.15 CNY"),
        ("C: fixed fee per transaction", "0.20 CNY"),
    ]
    assert invoice.lines[0].quantity == Fraction(3, 2)
    assert invoice.lines[1].quantity == Fraction(2)


def test_a_total_of_one_unit_earns_its_commission() -> None:
    commission = Commission("C", metric="sales", percent=50)
    (line,) = _invoice(commission, {"sales": "1.00"}).lines
    assert str(line.amount) == "0.50 CNY"  # 50 % of 1.00
    (half,) = _invoice(commission, {"sales": "0.50"}).lines
    assert str(half.amount) == "0.25 CNY"  # 50 % of 0.50


# -- filters ----------------------------------------------------------------------------------


def test_where_selects_the_sales_priced() -> None:
    commission = Commission("C", metric="sales", percent=2, where={"channel": "web"})
    usage = Usage.from_totals(
        {
            ("sales", Dimensions({"channel": "web"})): "100.00",
            ("sales", Dimensions({"channel": "shop"})): "900.00",
        }
    )
    (line,) = _invoice(commission, usage).lines
    assert str(line.amount) == "2.00 CNY"  # 2 % of the web 100.00 only
    assert line.quantity == Fraction(100)


def test_where_selects_the_transactions_counted_for_the_fixed_fee() -> None:
    commission = Commission(
        "C",
        metric="sales",
        percent=2,
        fixed_fee="1.00 CNY",
        transactions="orders",
        where={"channel": "web"},
    )
    usage = Usage.from_totals(
        {
            ("sales", Dimensions({"channel": "web"})): "100.00",
            ("sales", Dimensions({"channel": "shop"})): "900.00",
            ("orders", Dimensions({"channel": "web"})): 3,
            ("orders", Dimensions({"channel": "shop"})): 7,
        }
    )
    base, fixed = _invoice(commission, usage).lines
    assert str(base.amount) == "2.00 CNY"  # 2 % of 100.00
    assert str(fixed.amount) == "3.00 CNY"  # the 3 web orders x 1.00, not 10
    assert fixed.quantity == Fraction(3)
    assert fixed.basis == "3 transaction(s) x 1.00 CNY"


# -- the order of the category lines ----------------------------------------------------------


def test_category_lines_are_sorted_by_category_whatever_the_usage_order() -> None:
    # the groups sort by (order, type): o1 (type z) before o2 (type a); lines sort by type
    commission = Commission(
        "C", metric="sales", percent=2, category="type", per_transaction="order"
    )
    usage = Usage.from_totals(
        {
            ("sales", Dimensions({"order": "o1", "type": "z"})): "100.00",
            ("sales", Dimensions({"order": "o2", "type": "a"})): "200.00",
        }
    )
    invoice = _invoice(commission, usage)
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("C (type=a)", "4.00 CNY"),  # 2 % of 200.00
        ("C (type=z)", "2.00 CNY"),  # 2 % of 100.00
    ]


def test_an_empty_category_value_sorts_first() -> None:
    commission = Commission("C", metric="sales", percent=2, category="type")
    usage = Usage.from_totals(
        {
            ("sales", Dimensions({"type": "A"})): "100.00",
            ("sales", Dimensions({"type": ""})): "50.00",
        }
    )
    invoice = _invoice(commission, usage)
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("C (type=)", "1.00 CNY"),  # 2 % of 50.00
        ("C (type=A)", "2.00 CNY"),  # 2 % of 100.00
    ]


# -- pricing errors ---------------------------------------------------------------------------


def test_usage_lacking_dimensions_is_reported_group_by_group() -> None:
    commission = Commission(
        "C", metric="sales", percent=2, category="kind", per_transaction="order"
    )
    usage = Usage.from_totals(
        {
            ("sales", Dimensions({"kind": "std"})): "100.00",
            ("sales", Dimensions({"order": "o9"})): "50.00",
            ("sales", Dimensions({"kind": "std", "order": "o1"})): "10.00",
        }
    )
    with pytest.raises(PricingError) as caught:
        _invoice(commission, usage)
    assert str(caught.value) == (
        "component 'C' reads 'sales' by kind, order but some usage lacks one of those "
        "dimensions: kind=std (100); order=o9 (50); keep them in the meter's group_by and "
        "on the events"
    )


def test_a_previous_basis_without_previous_usage_says_so() -> None:
    commission = Commission("C", metric="sales", percent=3, basis="previous")
    with pytest.raises(PricingError) as caught:
        commission.price(_context(Usage.from_totals({"sales": 1})))
    assert str(caught.value) == (
        "component 'C' prices the previous period's 'sales' but no previous usage was given"
    )


# -- refusals when built ----------------------------------------------------------------------


def test_an_open_tier_in_the_middle_is_refused_as_open_ended() -> None:
    tiers = [
        CommissionTier("100.00 CNY", 1),
        CommissionTier(None, 2),
        CommissionTier("200.00 CNY", 3),
    ]
    with pytest.raises(ContractError, match=r"^tiers\[1\] is open-ended, so it must be the last"):
        Commission("C", metric="sales", tiers=tiers)


@pytest.mark.parametrize("field", ["minimum", "maximum", "fixed_fee"])
def test_a_money_field_names_itself_when_it_is_not_money(field: str) -> None:
    fields: dict[str, object] = {"percent": 2, "per_transaction": "order", field: 5}
    message = f"{field} must be Money or a string like '0.95 EUR', not 5"
    with pytest.raises(InvalidTypeError, match=f"^{re.escape(message)}$"):
        Commission("C", metric="sales", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["minimum", "maximum", "fixed_fee"])
def test_a_money_field_names_itself_when_it_cannot_be_parsed(field: str) -> None:
    fields: dict[str, object] = {"percent": 2, "per_transaction": "order", field: "lots"}
    with pytest.raises(ValueError, match=f"^{field}: "):
        Commission("C", metric="sales", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["maximum", "fixed_fee"])
def test_a_negative_money_field_names_itself(field: str) -> None:
    fields: dict[str, object] = {"percent": 2, "per_transaction": "order", field: "-1 CNY"}
    message = f"{field} must not be negative (got '-1 CNY')"
    with pytest.raises(ContractError, match=f"^{re.escape(message)}$"):
        Commission("C", metric="sales", **fields)  # type: ignore[arg-type]


def test_an_optional_name_must_be_a_non_blank_string() -> None:
    check = _optional_name("metric name")
    attribute = attrs.fields(Commission).transactions
    check(None, attribute, None)
    check(None, attribute, "orders")
    for value, shown in ((3, "3"), ("", "''"), ("  ", "'  '")):
        message = f"transactions must be a non-empty metric name or None, not {shown}"
        with pytest.raises(InvalidTypeError, match=f"^{re.escape(message)}$"):
            check(None, attribute, value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"percent": 2, "minimum": "1.00 CNY"},
            "component 'C': a per-transaction minimum or maximum needs each transaction's "
            "amount: name the dimension that identifies a transaction (per_transaction=...) "
            "and keep it in the meter",
        ),
        (
            {"percent": 2, "per_transaction": "o", "minimum": "1 CNY", "maximum": "4 EUR"},
            "component 'C': minimum 1 CNY and maximum 4 EUR are in different currencies",
        ),
        (
            {"percent": 2, "transactions": "orders"},
            "component 'C': transactions counts transactions for a fixed fee when there is "
            "no per_transaction dimension; it is unused here",
        ),
        (
            {"percent": 2, "fixed_fee": "1 CNY"},
            "component 'C': a fixed fee per transaction needs the number of transactions: "
            "give per_transaction (a dimension) or transactions (a metric)",
        ),
    ],
)
def test_inconsistent_terms_are_refused_in_full_words(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(ContractError) as caught:
        Commission("C", metric="sales", **fields)  # type: ignore[arg-type]
    assert str(caught.value) == message
