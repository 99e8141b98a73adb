"""Commission: a percentage of store sales (seed 004 §2, "basic salary + commission"),
by category, graduated, per transaction, on the current or the previous period.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimals

from meterprice import (
    Aggregation,
    Commission,
    CommissionTier,
    Contract,
    ContractError,
    Currency,
    Dimensions,
    Event,
    Invoice,
    Meter,
    Money,
    Period,
    PricingContext,
    PricingError,
    RecurringFee,
    Rounding,
    Usage,
    Window,
)
from meterprice import _decimal as d


def sale(at: dt.datetime, amount: str, category: str, order: str = "") -> Event:
    dims = {"category": category}
    if order:
        dims["order"] = order
    return Event("sales", amount, at, dims)


def lines(invoice: Invoice) -> list[tuple[str, str]]:
    return [(line.description, str(line.amount)) for line in invoice.lines]


def by_category(**amounts: str) -> Usage:
    return Usage.from_totals(
        {("sales", Dimensions({"category": name})): amount for name, amount in amounts.items()}
    )


# -- seed 004 §2: base salary + commission on last month's sales, end to end --------------------

STORE_SALES = [
    sale(dt.datetime(2026, 10, 3, 10), "240.00", "ordinary"),
    sale(dt.datetime(2026, 10, 15, 11), "1200.00", "custom"),
    sale(dt.datetime(2026, 10, 20, 15), "800.00", "custom"),
    sale(dt.datetime(2026, 10, 31, 23, 30), "9560.00", "ordinary"),
    sale(dt.datetime(2026, 11, 5, 9), "50000.00", "ordinary"),
    sale(dt.datetime(2026, 11, 10, 9), "7000.00", "custom"),
]


def salary_and_commission() -> Contract:
    return Contract(
        "Store customer service",
        "CNY",
        [
            RecurringFee("Base salary", amount="1500.00 CNY", quantity=2, unit="agent"),
            Commission(
                "Sales commission",
                metric="sales",
                category="category",
                percent=3,
                rates={"custom": 5},  # customised categories pay more
                basis="previous",
            ),
        ],
        meters=[Meter("sales", group_by=["category"])],
    )


def test_the_november_invoice_pays_commission_on_october_sales() -> None:
    invoice = salary_and_commission().invoice(STORE_SALES, "2026-11")
    # October: custom 1200 + 800 = 2000.00, ordinary 240 + 9560 = 9800.00
    # base salary 2 x 1500.00 = 3000.00; custom 5 % of 2000 = 100.00; ordinary 3 % of 9800 = 294.00
    assert lines(invoice) == [
        ("Base salary", "3000.00 CNY"),
        ("Sales commission (category=custom)", "100.00 CNY"),
        ("Sales commission (category=ordinary)", "294.00 CNY"),
    ]
    assert invoice.total == Money("3394.00", "CNY")
    custom = invoice.lines[1]
    assert custom.basis == "5% of 2000 CNY (sales in 2026-10, previous period)"
    assert custom.quantity == 2000
    assert custom.unit == "CNY"
    assert custom.unit_price == Money("0.05", "CNY")


def test_the_december_invoice_pays_commission_on_november_sales() -> None:
    invoice = salary_and_commission().invoice(STORE_SALES, "2026-12")
    # November: custom 7000.00 x 5 % = 350.00; ordinary 50000.00 x 3 % = 1500.00
    assert lines(invoice) == [
        ("Base salary", "3000.00 CNY"),
        ("Sales commission (category=custom)", "350.00 CNY"),
        ("Sales commission (category=ordinary)", "1500.00 CNY"),
    ]
    assert invoice.total == Money("4850.00", "CNY")  # 3000 + 350 + 1500


def test_previous_usage_can_be_given_as_totals() -> None:
    invoice = salary_and_commission().invoice(
        {}, "2026-11", previous_usage=by_category(custom="2000.00", ordinary="9800.00")
    )
    assert invoice.total == Money("3394.00", "CNY")  # as from the October events


def test_without_previous_usage_a_summary_cannot_be_priced() -> None:
    with pytest.raises(PricingError, match=r"'Sales commission' price\(s\) on the previous"):
        salary_and_commission().invoice(by_category(custom="1.00"), "2026-11")


def test_a_commission_in_another_currency_is_refused_when_the_contract_is_built() -> None:
    commission = Commission(
        "C", metric="sales", percent=2, per_transaction="order", minimum="1 USD"
    )
    with pytest.raises(ContractError, match=r"components\[1\]\.minimum: 1 USD is in USD"):
        Contract("Store", "CNY", [RecurringFee("Base", amount="1500.00 CNY"), commission])


# -- the current period, partial and whole ----------------------------------------------------


def test_a_current_basis_in_a_partial_month_counts_only_the_active_days() -> None:
    commission = Commission(
        "Commission",
        metric="sales",
        percent=3,
        category="category",
        active=Window(start=dt.date(2026, 11, 8)),
    )
    contract = Contract("Store", "CNY", [commission], meters=[Meter("sales")])
    november = contract.invoice(STORE_SALES, "2026-11")
    # from the 8th only the custom sale of the 10th counts: 3 % of 7000.00 = 210.00
    assert lines(november) == [("Commission (category=custom)", "210.00 CNY")]
    assert november.lines[0].basis == "3% of 7000 CNY (sales in 2026-11-08..2026-12-01)"
    # October is before the window: nothing
    assert contract.invoice(STORE_SALES, "2026-10").lines == ()


def test_without_a_category_one_line_covers_everything_and_rounds_once() -> None:
    commission = Commission("Commission", metric="sales", percent="1.5")
    invoice = Contract("Store", "CNY", [commission]).invoice({"sales": "1234.50"}, "2026-11")
    # 1.5 % of 1234.50 = 18.5175 -> 18.52
    assert lines(invoice) == [("Commission", "18.52 CNY")]
    assert invoice.lines[0].exact == Fraction("18.5175")


def test_categories_with_no_net_sales_earn_nothing() -> None:
    commission = Commission("Commission", metric="sales", percent=3, category="category")
    invoice = Contract("Store", "CNY", [commission]).invoice(
        by_category(custom="-500.00", ordinary="0", premium="100.00"), "2026-11"
    )
    assert lines(invoice) == [("Commission (category=premium)", "3.00 CNY")]  # 3 % of 100


# -- graduated percentages --------------------------------------------------------------------

TWO_TIERS = [CommissionTier("100000.00 CNY", 1), CommissionTier(None, "1.5")]


def tiered(total: str, tiers: list[CommissionTier] = TWO_TIERS) -> Invoice:
    commission = Commission("Commission", metric="sales", tiers=tiers, description="Bonus")
    return Contract("Store", "CNY", [commission]).invoice({"sales": total}, "2026-11")


def test_graduated_tiers_price_each_part_at_its_own_percentage() -> None:
    invoice = tiered("120000.00")
    # 1 % of the first 100,000 = 1000.00; 1.5 % of the 20,000 above = 300.00
    assert lines(invoice) == [
        ("Bonus (tier 1: up to 100000.00 CNY)", "1000.00 CNY"),
        ("Bonus (tier 2: over 100000.00 CNY)", "300.00 CNY"),
    ]
    assert invoice.lines[1].basis == "1.5% of 20000 CNY (of 120000 CNY, sales in 2026-11)"
    assert invoice.lines[1].quantity == 20000


def test_an_amount_on_a_boundary_stays_in_the_lower_tier() -> None:
    assert lines(tiered("100000.00")) == [("Bonus (tier 1: up to 100000.00 CNY)", "1000.00 CNY")]
    # 1 % of 80000.50 = 800.005 -> 800.01 (half up)
    assert lines(tiered("80000.50")) == [("Bonus (tier 1: up to 100000.00 CNY)", "800.01 CNY")]


def test_three_tiers_and_a_single_open_tier() -> None:
    three = [
        CommissionTier("50000.00 CNY", 1),
        CommissionTier("100000.00 CNY", "1.5"),
        CommissionTier(None, 2),
    ]
    # 1 % of 50,000 = 500.00; 1.5 % of 50,000 = 750.00; 2 % of 20,000 = 400.00
    assert lines(tiered("120000.00", three)) == [
        ("Bonus (tier 1: up to 50000.00 CNY)", "500.00 CNY"),
        ("Bonus (tier 2: 50000.00-100000.00 CNY)", "750.00 CNY"),
        ("Bonus (tier 3: over 100000.00 CNY)", "400.00 CNY"),
    ]
    assert lines(tiered("500.00", [CommissionTier(None, 2)])) == [
        ("Bonus (tier 1: all)", "10.00 CNY")  # 2 % of 500
    ]


def test_a_category_can_have_its_own_tiers() -> None:
    commission = Commission(
        "Commission",
        metric="sales",
        category="category",
        percent=3,
        rates={"custom": [CommissionTier("10000.00 CNY", 5), CommissionTier(None, 8)]},
    )
    invoice = Contract("Store", "CNY", [commission]).invoice(
        by_category(custom="15000.00", ordinary="10000.00"), "2026-11"
    )
    # custom: 5 % of 10,000 = 500.00 and 8 % of 5,000 = 400.00; ordinary: 3 % of 10,000 = 300.00
    assert lines(invoice) == [
        ("Commission (category=custom) (tier 1: up to 10000.00 CNY)", "500.00 CNY"),
        ("Commission (category=custom) (tier 2: over 10000.00 CNY)", "400.00 CNY"),
        ("Commission (category=ordinary)", "300.00 CNY"),
    ]
    assert commission.rate_for("ordinary") == Decimal(3)
    assert commission.rate_for(None) == Decimal(3)
    assert commission.money_values == (("rates['custom'][0].up_to", Money("10000.00", "CNY")),)


def test_tier_thresholds_in_another_currency_are_refused() -> None:
    eur_tiers = [CommissionTier("100000.00 EUR", 1), CommissionTier(None, 2)]
    with pytest.raises(ContractError, match=r"components\[0\]\.tiers\[0\]\.up_to"):
        Contract("Store", "CNY", [Commission("C", metric="sales", tiers=eur_tiers)])
    by_cat = Commission("C", metric="sales", category="category", rates={"custom": eur_tiers})
    with pytest.raises(ContractError, match=r"components\[0\]\.rates\['custom'\]\[0\]\.up_to"):
        Contract("Store", "CNY", [by_cat])


# -- per-transaction minimum, maximum and fixed fee -------------------------------------------

ORDERS = [
    sale(dt.datetime(2026, 11, 2), "100.00", "ordinary", "A"),  # 2 % = 2.00 -> minimum 5.00
    sale(dt.datetime(2026, 11, 3), "1000.00", "ordinary", "B"),  # 20.00
    sale(dt.datetime(2026, 11, 4), "5000.00", "ordinary", "C"),  # 100.00 -> maximum 50.00
    sale(dt.datetime(2026, 11, 5), "150.00", "ordinary", "D"),  # order D: 150 + 100 = 250
    sale(dt.datetime(2026, 11, 6), "100.00", "ordinary", "D"),  # 2 % of 250 = 5.00 exactly
]


def test_per_transaction_bounds_and_fixed_fee_are_their_own_lines() -> None:
    commission = Commission(
        "Commission",
        metric="sales",
        percent=2,
        per_transaction="order",
        minimum="5.00 CNY",
        maximum="50.00 CNY",
        fixed_fee="1.00 CNY",
    )
    contract = Contract("Store", "CNY", [commission], meters=[Meter("sales", group_by=["order"])])
    invoice = contract.invoice(ORDERS, "2026-11")
    # 2 % of 100 + 1000 + 5000 + 250 = 6350.00 -> 127.00
    # minimum: order A earned 2.00, lifted to 5.00: +3.00
    # maximum: order C earned 100.00, cut to 50.00: -50.00
    # fixed fee: 4 orders x 1.00 = 4.00
    assert lines(invoice) == [
        ("Commission", "127.00 CNY"),
        ("Commission: minimum per transaction", "3.00 CNY"),
        ("Commission: maximum per transaction", "-50.00 CNY"),
        ("Commission: fixed fee per transaction", "4.00 CNY"),
    ]
    # order by order: 5.00 + 20.00 + 50.00 + 5.00 + 4 x 1.00 = 84.00
    assert invoice.total == Money("84.00", "CNY")
    minimum, maximum, fixed = invoice.lines[1:]
    assert minimum.basis == (
        "1 transaction(s) earned 2 CNY, below the minimum 5.00 CNY each: 1 x 5.00 CNY - 2 CNY"
    )
    assert maximum.quantity == 1
    assert maximum.unit == "transaction"
    assert fixed.basis == "4 transaction(s) x 1.00 CNY"
    assert fixed.unit_price == Money("1.00", "CNY")
    # December has no sales: no line at all
    assert contract.invoice(ORDERS, "2026-12").lines == ()


def test_per_transaction_rules_by_category_skip_transactions_without_net_sales() -> None:
    commission = Commission(
        "Commission",
        metric="sales",
        percent=2,
        category="category",
        rates={"custom": 4},
        per_transaction="order",
        minimum="5.00 CNY",
        fixed_fee="0.50 CNY",
    )

    def order(category: str, name: str) -> Dimensions:
        return Dimensions({"category": category, "order": name})

    usage = Usage.from_totals(
        {
            ("sales", order("custom", "o1")): "400.00",  # 4 % = 16.00
            ("sales", order("ordinary", "o2")): "100.00",  # 2 % = 2.00 -> minimum 5.00
            ("sales", order("ordinary", "o3")): "0",  # nothing earned, not counted
            ("sales", order("ordinary", "o4")): "-20.00",  # a refund: nothing earned
        }
    )
    invoice = Contract("Store", "CNY", [commission]).invoice(usage, "2026-11")
    # custom 16.00; ordinary 2 % of 100 = 2.00; minimum +3.00; fixed fee 2 x 0.50 = 1.00
    assert lines(invoice) == [
        ("Commission (category=custom)", "16.00 CNY"),
        ("Commission (category=ordinary)", "2.00 CNY"),
        ("Commission: minimum per transaction", "3.00 CNY"),
        ("Commission: fixed fee per transaction", "1.00 CNY"),
    ]
    assert invoice.total == Money("22.00", "CNY")


def test_bounds_that_no_transaction_reaches_add_no_line() -> None:
    commission = Commission(
        "Commission", metric="sales", percent=2, per_transaction="order", minimum="1.00 CNY"
    )
    usage = Usage.from_totals({("sales", Dimensions({"order": "A"})): "1000.00"})
    invoice = Contract("Store", "CNY", [commission]).invoice(usage, "2026-11")
    assert lines(invoice) == [("Commission", "20.00 CNY")]  # 2 % of 1000, above the minimum


def test_the_fixed_fee_can_read_a_count_of_transactions() -> None:
    commission = Commission(
        "Commission", metric="sales", percent=2, fixed_fee="0.30 CNY", transactions="orders"
    )
    contract = Contract(
        "Store",
        "CNY",
        [commission],
        meters=[Meter("sales"), Meter("orders", source="sales", aggregation=Aggregation.COUNT)],
    )
    events = [
        sale(dt.datetime(2026, 11, 1), "100.00", "ordinary"),
        sale(dt.datetime(2026, 11, 2), "200.00", "ordinary"),
        sale(dt.datetime(2026, 11, 3), "300.00", "ordinary"),
    ]
    invoice = contract.invoice(events, "2026-11")
    # 2 % of 600.00 = 12.00; 3 orders x 0.30 = 0.90
    assert lines(invoice) == [
        ("Commission", "12.00 CNY"),
        ("Commission: fixed fee per transaction", "0.90 CNY"),
    ]
    assert commission.metrics == frozenset({"sales", "orders"})
    assert contract.invoice(events, "2026-12").lines == ()


def test_usage_without_the_transaction_dimension_is_an_error() -> None:
    commission = Commission(
        "Commission", metric="sales", percent=2, per_transaction="order", maximum="9.00 CNY"
    )
    with pytest.raises(PricingError, match=r"by order but some usage lacks") as caught:
        Contract("Store", "CNY", [commission]).invoice({"sales": 100}, "2026-11")
    assert "'Commission'" in str(caught.value)
    assert "no dimensions (100)" in str(caught.value)


# -- pricing errors ---------------------------------------------------------------------------


def test_a_category_without_a_rate_or_default_is_an_error() -> None:
    commission = Commission("Commission", metric="sales", category="category", rates={"vip": 9})
    with pytest.raises(PricingError) as caught:
        Contract("Store", "CNY", [commission]).invoice(
            by_category(vip="1.00", ordinary="2.00", bulk="3.00"), "2026-11"
        )
    assert str(caught.value) == (
        "component 'Commission': no commission rate for category=bulk, ordinary "
        "and no default percent or tiers"
    )


def test_usage_without_the_category_is_an_error() -> None:
    commission = Commission("Commission", metric="sales", category="category", percent=3)
    with pytest.raises(PricingError, match=r"reads 'sales' by category but some usage lacks"):
        Contract("Store", "CNY", [commission]).invoice({"sales": 100}, "2026-11")


def _context(previous: Usage | None, previous_period: Period | None) -> PricingContext:
    november = Period.month(2026, 11)
    return PricingContext(
        period=november,
        active=november,
        usage=Usage.from_totals({"sales": 999}),
        lines=(),
        currency=Currency.of("CNY"),
        rounding=Rounding.HALF_UP,
        previous_period=previous_period,
        previous_usage=previous,
    )


def test_a_previous_basis_needs_the_previous_usage_in_its_context() -> None:
    commission = Commission("Commission", metric="sales", percent=3, basis="previous")
    assert commission.uses_previous_period
    with pytest.raises(PricingError, match=r"'Commission' prices the previous period's 'sales'"):
        commission.price(_context(None, Period.month(2026, 10)))
    (charge,) = commission.price(_context(Usage.from_totals({"sales": 100}), None))
    assert charge.amount == 3  # 3 % of 100, not of the current 999
    assert charge.basis == "3% of 100 CNY (sales in the previous period, previous period)"


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [
        ({"percent": 2, "tiers": TWO_TIERS}, r"give percent or tiers, not both"),
        ({"rates": {"custom": 5}}, r"rates by category need the category dimension"),
        ({}, r"give percent, tiers or rates by category"),
        (
            {"percent": 2, "category": "order", "per_transaction": "order"},
            r"per_transaction and category must be different dimensions",
        ),
        ({"percent": 2, "minimum": "1.00 CNY"}, r"per-transaction minimum or maximum needs"),
        ({"percent": 2, "maximum": "1.00 CNY"}, r"name the dimension that identifies"),
        (
            {"tiers": TWO_TIERS, "per_transaction": "order", "minimum": "1.00 CNY"},
            r"apply to flat percentages, not to graduated tiers",
        ),
        (
            {
                "percent": 2,
                "category": "category",
                "rates": {"custom": TWO_TIERS},
                "per_transaction": "order",
                "maximum": "1.00 CNY",
            },
            r"not to graduated tiers",
        ),
        (
            {"percent": 2, "per_transaction": "order", "minimum": "5 CNY", "maximum": "4 CNY"},
            r"minimum 5 CNY is above maximum 4 CNY",
        ),
        (
            {"percent": 2, "per_transaction": "order", "minimum": "1 CNY", "maximum": "4 EUR"},
            r"are in different currencies",
        ),
        ({"percent": 2, "transactions": "orders"}, r"transactions counts transactions"),
        (
            {
                "percent": 2,
                "per_transaction": "order",
                "fixed_fee": "1 CNY",
                "transactions": "orders",
            },
            r"it is unused here",
        ),
        ({"percent": 2, "fixed_fee": "1 CNY"}, r"fixed fee per transaction needs the number"),
    ],
)
def test_inconsistent_commission_terms_are_refused(fields: dict[str, object], pattern: str) -> None:
    with pytest.raises(ContractError, match=pattern) as caught:
        Commission("Commission", metric="sales", **fields)  # type: ignore[arg-type]
    assert "'Commission'" in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "error", "pattern"),
    [
        ({"percent": -1}, ValueError, r"percent must not be negative"),
        ({"percent": 2.5}, TypeError, r"percent must be .* not float"),
        ({"tiers": "1%"}, TypeError, r"tiers must be a list of CommissionTier"),
        ({"tiers": []}, ValueError, r"tiers must not be empty"),
        ({"tiers": [(None, 2)]}, TypeError, r"tiers\[0\] must be a CommissionTier"),
        (
            {"tiers": [CommissionTier(None, 1), CommissionTier(None, 2)]},
            ValueError,
            r"tiers\[0\] is open-ended, so it must be the last tier",
        ),
        (
            {"tiers": [CommissionTier("100 CNY", 1), CommissionTier("100 CNY", 2)]},
            ValueError,
            r"tiers\[1\]\.up_to must be greater than 100 CNY",
        ),
        (
            {"tiers": [CommissionTier("100 CNY", 1), CommissionTier("200 EUR", 2)]},
            ValueError,
            r"tiers\[1\]\.up_to is in EUR but tiers\[0\]\.up_to in CNY",
        ),
        (
            {"tiers": [CommissionTier("100 CNY", 1)]},
            ValueError,
            r"the last tier of tiers must be open-ended",
        ),
        ({"category": "c", "rates": "5"}, TypeError, r"rates must be a mapping"),
        ({"category": "c", "rates": [("a",)]}, TypeError, r"\(category, percent\) pairs"),
        ({"category": "c", "rates": {"": 5}}, TypeError, r"non-empty category values"),
        (
            {"category": "c", "rates": [("a", 1), ("a", 2)]},
            ValueError,
            r"the category 'a' twice",
        ),
        ({"category": "c", "rates": {"a": -2}}, ValueError, r"rates\['a'\] must not be negative"),
        ({"category": "c", "rates": {"a": []}}, ValueError, r"rates\['a'\] must not be empty"),
        ({"percent": 1, "basis": "last"}, ValueError, r"basis must be 'current' or 'previous'"),
        ({"percent": 1, "category": ""}, TypeError, r"category must be a non-empty dimension"),
        ({"percent": 1, "transactions": 3}, TypeError, r"transactions must be a non-empty metric"),
        (
            {"percent": 1, "per_transaction": "o", "minimum": "-1 CNY"},
            ValueError,
            r"minimum must not be negative",
        ),
        ({"percent": 1, "metric": ""}, TypeError, r"metric must be a non-empty metric name"),
    ],
)
def test_commission_values_are_checked(
    fields: dict[str, object], error: type[Exception], pattern: str
) -> None:
    arguments: dict[str, object] = {"metric": "sales", **fields}
    with pytest.raises(error, match=pattern):
        Commission("Commission", **arguments)  # type: ignore[arg-type]


def test_a_commission_tier_checks_its_bound() -> None:
    with pytest.raises(ValueError, match=r"up_to must be positive"):
        CommissionTier("0 CNY", 1)
    with pytest.raises(TypeError, match=r"up_to must be Money"):
        CommissionTier(100, 1)


def test_a_commission_is_canonical_and_survives_evolve() -> None:
    one = Commission("C", metric="sales", category="c", rates={"a": 1, "b": [*TWO_TIERS]})
    other = Commission("C", metric="sales", category="c", rates=[("b", TWO_TIERS), ("a", "1")])
    assert one == other
    assert hash(one) == hash(other)
    assert attrs.evolve(one) == one
    assert one.rate_for("zzz") is None
    assert not one.uses_previous_period
    assert one.filters == (one.where,)
    full = Commission(
        "C",
        metric="sales",
        tiers=TWO_TIERS,
        per_transaction="order",
        fixed_fee="0.10 CNY",
    )
    assert full.money_values == (
        ("tiers[0].up_to", Money("100000.00", "CNY")),
        ("fixed_fee", Money("0.10", "CNY")),
    )


# -- determinism ----------------------------------------------------------------------------


def _hostile() -> decimal.Context:
    """A decimal context that would change any amount or text computed through it."""
    return decimal.Context(prec=2, rounding=decimal.ROUND_DOWN, capitals=0, Emax=3, Emin=-3)


def test_pricing_ignores_the_ambient_decimal_context() -> None:
    three = [
        CommissionTier("50000.00 CNY", "1.25"),
        CommissionTier("100000.00 CNY", "0E-7"),
        CommissionTier(None, 2),
    ]
    contract = Contract("Store", "CNY", [Commission("Commission", metric="sales", tiers=three)])
    expected = contract.invoice({"sales": "123456.78"}, "2026-11")
    assert "0.0000000% of 50000 CNY" in expected.lines[1].basis
    with decimal.localcontext(_hostile()):
        assert contract.invoice({"sales": "123456.78"}, "2026-11") == expected
        assert salary_and_commission().invoice(STORE_SALES, "2026-11").total == Money(
            "3394.00", "CNY"
        )


# -- properties -------------------------------------------------------------------------------

CATEGORIES = ("custom", "ordinary", "bulk")
ORDER_IDS = ("o1", "o2", "o3", "o4")


@st.composite
def commissions(draw: st.DrawFn) -> Commission:
    """A flat or graduated commission, by category or not, with or without
    per-transaction bounds and fixed fee."""
    pct = decimals(min_value=0, max_value=20, places=2)
    per_transaction = draw(st.booleans())
    tiered = not per_transaction and draw(st.booleans())
    fields: dict[str, object] = {"category": "category"}
    if tiered:
        bounds = sorted(draw(st.sets(st.integers(1, 5000), min_size=1, max_size=3)))
        fields["tiers"] = [CommissionTier(Money(b, "CNY"), draw(pct)) for b in bounds] + [
            CommissionTier(None, draw(pct))
        ]
    else:
        fields["percent"] = draw(pct)
        fields["rates"] = {"custom": draw(pct)}
    if per_transaction:
        low = draw(decimals(min_value=0, max_value=20, places=2))
        fields["per_transaction"] = "order"
        fields["minimum"] = draw(st.none() | st.just(Money(low, "CNY")))
        fields["maximum"] = draw(
            st.none()
            | decimals(min_value=low, max_value=200, places=2).map(lambda v: Money(v, "CNY"))
        )
        fields["fixed_fee"] = draw(st.none() | st.just(Money("0.25", "CNY")))
    return Commission("Commission", metric="sales", **fields)  # type: ignore[arg-type]


def _usage(amounts: dict[tuple[str, str], Decimal]) -> Usage:
    return Usage.from_totals(
        {
            ("sales", Dimensions({"category": category, "order": order})): amount
            for (category, order), amount in amounts.items()
        }
    )


group_amounts = st.dictionaries(
    st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(ORDER_IDS)),
    decimals(min_value=0, max_value=20_000, places=2),
    max_size=8,
)


def _exact(commission: Commission, usage: Usage) -> Fraction:
    invoice = Contract("Store", "CNY", [commission]).invoice(usage, "2026-11")
    return sum((line.exact for line in invoice.lines), Fraction(0))


@given(
    commissions(),
    group_amounts,
    st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(ORDER_IDS)),
    decimals(min_value=0, max_value=20_000, places=2),
)
def test_commission_is_monotone_in_sales(
    commission: Commission,
    amounts: dict[tuple[str, str], Decimal],
    key: tuple[str, str],
    extra: Decimal,
) -> None:
    more = dict(amounts)
    more[key] = d.add(more.get(key, d.ZERO), extra)
    assert _exact(commission, _usage(more)) >= _exact(commission, _usage(amounts))


@given(commissions(), group_amounts, group_amounts, group_amounts)
def test_the_previous_period_basis_ignores_the_current_periods_usage(
    commission: Commission,
    previous: dict[tuple[str, str], Decimal],
    current: dict[tuple[str, str], Decimal],
    other: dict[tuple[str, str], Decimal],
) -> None:
    on_previous = attrs.evolve(commission, basis="previous")
    contract = Contract("Store", "CNY", [on_previous])
    one = contract.invoice(_usage(current), "2026-11", previous_usage=_usage(previous))
    two = contract.invoice(_usage(other), "2026-11", previous_usage=_usage(previous))
    assert one == two
    # and it prices exactly what the current basis prices on those sales
    assert sum((line.exact for line in one.lines), Fraction(0)) == _exact(
        commission, _usage(previous)
    )
