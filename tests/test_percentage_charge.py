"""PercentageCharge: a percentage per transaction with free allowances used up in event
order, a fixed fee on paid transactions only, per-transaction bounds (optionally with
the fee inside them), its spec form and its exact cost rule.

Transactions 1..5 of 100, 250, 40, 300 and 10 EUR at 2 % and 0.30 EUR each, unless a
test says otherwise; every expected figure is worked out by hand next to it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Contract,
    ContractError,
    Dimensions,
    Event,
    Meter,
    Money,
    PercentageCharge,
    PricingError,
    SpecError,
    Usage,
    dumps_contract,
    loads_contract,
)
from meterprice.analysis import Mix
from meterprice.breakeven import cost_function
from meterprice.errors import LimitError

AMOUNTS = ["100.00", "250.00", "40.00", "300.00", "10.00"]


def usage(amounts: list[str] = AMOUNTS, **extra: str) -> Usage:
    return Usage.from_totals(
        {
            ("amount", Dimensions({"payment": str(n), **extra})): amount
            for n, amount in enumerate(amounts, 1)
        }
    )


def charge(**options: object) -> PercentageCharge:
    settings: dict[str, object] = {"percent": 2, "fixed_fee": "0.30 EUR"}
    settings.update(options)
    return PercentageCharge(
        "Payments",
        metric="amount",
        per_transaction="payment",
        **settings,  # type: ignore[arg-type]
    )


def priced(component: PercentageCharge, used: Usage | None = None) -> list[tuple[str, str]]:
    invoice = Contract("Shop", "EUR", [component]).invoice(used or usage(), "2026-11")
    return [(line.description, str(line.amount.amount)) for line in invoice.lines]


def test_without_allowances_every_transaction_pays() -> None:
    # 2 % of 700.00 = 14.00; 5 x 0.30 = 1.50
    assert priced(charge()) == [
        ("Payments", "14.00"),
        ("Payments: fixed fee per paid transaction", "1.50"),
    ]


def test_the_first_transactions_are_free() -> None:
    # 1 and 2 free; 2 % of (40 + 300 + 10 = 350.00) = 7.00; 3 x 0.30 = 0.90
    component = charge(free_transactions=2)
    assert priced(component) == [
        ("Payments", "7.00"),
        ("Payments: fixed fee per paid transaction", "0.90"),
    ]
    line = Contract("Shop", "EUR", [component]).invoice(usage(), "2026-11").lines[0]
    assert line.basis == (
        "2% of 350 EUR (3 paid of 5 transaction(s) of amount in 2026-11; free: first 2 "
        "transaction(s), 2 transaction(s) wholly free, 350 EUR covered)"
    )


def test_the_free_amount_is_used_up_in_event_order() -> None:
    # 1 (100) free, leaving 200; 2 pays on 250 - 200 = 50; then 40, 300, 10 pay
    # 2 % of 400.00 = 8.00; 4 paid x 0.30 = 1.20 (2 is partly free: it pays the fee)
    assert priced(charge(free_amount="300.00 EUR")) == [
        ("Payments", "8.00"),
        ("Payments: fixed fee per paid transaction", "1.20"),
    ]


def test_with_both_the_allowance_ends_with_whichever_runs_out_first() -> None:
    # one free transaction: 1 (100) free; 2 onwards pay all: 2 % of 600 = 12.00, 4 x 0.30
    assert priced(charge(free_transactions=1, free_amount="300.00 EUR")) == [
        ("Payments", "12.00"),
        ("Payments: fixed fee per paid transaction", "1.20"),
    ]
    # 120.00 free over at most 3: 1 free (20 left), 2 pays 230; 3 pays (the amount ran out)
    # 2 % of (230 + 40 + 300 + 10 = 580) = 11.60; 4 x 0.30 = 1.20
    assert priced(charge(free_transactions=3, free_amount="120.00 EUR")) == [
        ("Payments", "11.60"),
        ("Payments: fixed fee per paid transaction", "1.20"),
    ]


def test_per_transaction_bounds() -> None:
    # 2 %: 2.00, 5.00, 0.80, 6.00, 0.20; min 0.50 lifts 0.20 by 0.30; max 5.00 cuts 1.00
    assert priced(charge(minimum="0.50 EUR", maximum="5.00 EUR")) == [
        ("Payments", "14.00"),
        ("Payments: fixed fee per paid transaction", "1.50"),
        ("Payments: minimum per transaction", "0.30"),
        ("Payments: maximum per transaction", "-1.00"),
    ]


def test_the_fixed_fee_may_count_inside_the_bounds() -> None:
    # with the fee: 2.30, 5.30, 1.10, 6.30, 0.50; none below 0.50; cut 0.30 + 1.30 = 1.60
    component = charge(minimum="0.50 EUR", maximum="5.00 EUR", fee_in_bounds=True)
    assert priced(component) == [
        ("Payments", "14.00"),
        ("Payments: fixed fee per paid transaction", "1.50"),
        ("Payments: maximum per transaction", "-1.60"),
    ]
    invoice = Contract("Shop", "EUR", [component]).invoice(usage(), "2026-11")
    assert invoice.lines[-1].basis == (
        "2 paid transaction(s) brought to the maximum 5.00 EUR each (fixed fee included)"
    )


def test_free_transactions_have_no_minimum() -> None:
    # 1 and 2 free; 3: 0.80, 4: 6.00, 5: 0.20; min 1.00 lifts 3 by 0.20 and 5 by 0.80
    assert priced(charge(free_transactions=2, minimum="1.00 EUR")) == [
        ("Payments", "7.00"),
        ("Payments: fixed fee per paid transaction", "0.90"),
        ("Payments: minimum per transaction", "1.00"),
    ]


def test_an_order_dimension_orders_the_transactions() -> None:
    used = Usage.from_totals(
        {
            ("amount", Dimensions({"payment": "a", "at": "2026-11-03T10:00"})): "100.00",
            ("amount", Dimensions({"payment": "b", "at": "2026-11-02T09:00"})): "250.00",
            ("amount", Dimensions({"payment": "c", "at": "2026-11-04T08:00"})): "40.00",
        }
    )
    # b came first and is free: 2 % of 140.00 = 2.80; 2 x 0.30 = 0.60
    assert priced(charge(free_transactions=1, order="at"), used) == [
        ("Payments", "2.80"),
        ("Payments: fixed fee per paid transaction", "0.60"),
    ]
    # by identifier, a is first: 2 % of 290.00 = 5.80
    with pytest.raises(PricingError, match="lacks one of those dimensions"):
        priced(charge(free_transactions=1, order="at"), usage())
    assert priced(charge(free_transactions=1), used)[0] == ("Payments", "5.80")


def test_numeric_identifiers_order_as_numbers() -> None:
    used = Usage.from_totals(
        {
            ("amount", Dimensions({"payment": "10"})): "100.00",
            ("amount", Dimensions({"payment": "9"})): "50.00",
        }
    )
    # 9 before 10: 9 (50.00) free; 2 % of 100.00 = 2.00
    assert priced(charge(free_transactions=1), used)[0] == ("Payments", "2.00")


def test_refunds_earn_nothing_and_use_no_allowance() -> None:
    # 1 is a refund (-50): skipped; 2 (250) is the free one; 2 % of 350 = 7.00; 3 x 0.30
    used = usage(["-50.00", "250.00", "40.00", "300.00", "10.00"])
    assert priced(charge(free_transactions=1), used) == [
        ("Payments", "7.00"),
        ("Payments: fixed fee per paid transaction", "0.90"),
    ]
    assert priced(charge(), usage(["-50.00", "0"])) == []


def test_when_all_is_free_the_line_says_so() -> None:
    assert priced(charge(free_transactions=9)) == [("Payments", "0.00")]


def test_usage_without_the_transaction_dimension_is_refused() -> None:
    with pytest.raises(PricingError, match=re.escape("reads 'amount' by payment")):
        priced(charge(), Usage.from_totals({"amount": "100.00"}))


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"percent": -1}, "percent must not be negative"),
        ({"fixed_fee": "-0.30 EUR"}, "fixed_fee must not be negative"),
        ({"free_amount": "-1 EUR"}, "free_amount must not be negative"),
        ({"free_transactions": -1}, "free_transactions must not be negative"),
        ({"free_transactions": "2"}, "free_transactions must be a whole number"),
        ({"free_transactions": True}, "free_transactions must be a whole number"),
        ({"minimum": "5 EUR", "maximum": "1 EUR"}, "minimum 5 EUR is above maximum 1 EUR"),
        ({"minimum": "1 EUR", "maximum": "5 USD"}, "are in different currencies"),
        ({"fee_in_bounds": True}, "fee_in_bounds counts the fixed fee"),
        ({"fee_in_bounds": True, "fixed_fee": None, "minimum": "1 EUR"}, "give fixed_fee"),
        ({"fee_in_bounds": "yes"}, "fee_in_bounds must be true or false"),
        ({"order": "payment"}, "order is a second dimension"),
        ({"order": ""}, "order must be a non-empty dimension name"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], words: str) -> None:
    with pytest.raises((ContractError, TypeError), match=re.escape(words)):
        charge(**options)


def test_money_in_another_currency_is_refused_by_the_contract() -> None:
    with pytest.raises(ContractError, match=re.escape("fixed_fee: 0.30 USD is in USD")):
        Contract("Shop", "EUR", [charge(fixed_fee="0.30 USD")])


# -- contracts as data -------------------------------------------------------------------------
DOCUMENT = """
meterprice = 1
name = "Shop"
currency = "EUR"

[[components]]
type = "percentage_charge"
name = "Payments"
metric = "amount"
per_transaction = "payment"
percent = "2"
fixed_fee = "0.30"
free_transactions = 1
free_amount = "300.00"
minimum = "0.50"
maximum = "5.00"
fee_in_bounds = true
"""


def test_the_component_reads_from_toml_and_writes_back() -> None:
    loaded = loads_contract(DOCUMENT)
    expected = charge(
        free_transactions=1,
        free_amount="300.00 EUR",
        minimum="0.50 EUR",
        maximum="5.00 EUR",
        fee_in_bounds=True,
    )
    assert loaded == Contract("Shop", "EUR", [expected])
    assert loads_contract(dumps_contract(loaded)) == loaded


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("free_transactions = 1", "free_transactions = -1", "components[0].free_transactions"),
        ('free_amount = "300.00"', 'free_amount = "-3"', "components[0].free_amount"),
        ("fee_in_bounds = true", 'fee_in_bounds = "no"', "components[0].fee_in_bounds"),
        ('per_transaction = "payment"', "", "components[0].per_transaction: is required"),
        (
            'minimum = "0.50"',
            'minimum = "9.00"',
            "components[0].minimum: 9.00 EUR is above maximum 5.00 EUR",
        ),
    ],
)
def test_bad_documents_name_the_path(old: str, new: str, problem: str) -> None:
    with pytest.raises(SpecError) as caught:
        loads_contract(DOCUMENT.replace(old, new, 1))
    assert problem in str(caught.value)


# -- the exact cost rule -----------------------------------------------------------------------
def test_the_cost_function_follows_the_allowance_and_the_bounds() -> None:
    contract = Contract("Shop", "EUR", [charge(free_amount="300.00 EUR", maximum="5.00 EUR")])
    mix = Mix.of("amount", [({"payment": "6"}, 1)])  # a sixth transaction of the volume
    f = cost_function(contract, mix, "2026-11", upto=1000, base=usage())
    # base: 8.00 + 1.20 (4 paid, 300 of max 5.00 -> cut 1.00) = 8.20; the sixth
    # transaction pays 2 % + 0.30 from its first cent, up to 5.00 at 250
    assert f(0) == Fraction("8.20")
    assert f(100) == Fraction("8.20") + 2 + Fraction("0.30")
    assert f(250) == f(1000) == Fraction("8.20") + 5 + Fraction("0.30")
    assert Fraction(250) in f.breakpoints


def test_too_many_transactions_for_an_exact_cost_function() -> None:
    contract = Contract("Shop", "EUR", [charge()])
    many = usage(["1.00"] * 2001)
    with pytest.raises(LimitError, match="2001 transactions"):
        cost_function(
            contract, Mix.of("amount", [({"payment": "1"}, 1)]), "2026-11", upto=10, base=many
        )


cents = st.integers(min_value=-2000, max_value=50000).map(lambda n: Decimal(n).scaleb(-2))


SHARES = [("1",), ("0.5", "0.5"), ("0.25", "0.75"), ("0.2", "0.3", "0.5")]
OPTIONS = st.fixed_dictionaries(
    {
        "free_transactions": st.none() | st.integers(min_value=0, max_value=4),
        "free_amount": st.none() | st.integers(min_value=0, max_value=400),
        "minimum": st.none() | st.integers(min_value=0, max_value=3),
        "maximum": st.none() | st.integers(min_value=3, max_value=8),
        "fee_in_bounds": st.booleans(),
    }
)


@given(
    base=st.lists(cents, min_size=0, max_size=5),
    shares=st.sampled_from(SHARES),
    options=OPTIONS,
    volume=st.integers(min_value=0, max_value=7000).map(lambda n: Fraction(n, 7)),
)
def test_the_cost_function_is_the_charge_at_every_volume(
    base: list[Decimal], shares: tuple[str, ...], options: dict[str, int | None], volume: Fraction
) -> None:
    money = {
        key: None if value is None else Money(value, "EUR")
        for key, value in options.items()
        if key in ("free_amount", "minimum", "maximum")
    }
    bounded = money["minimum"] is not None or money["maximum"] is not None
    component = charge(
        free_transactions=options["free_transactions"],
        fee_in_bounds=bool(options["fee_in_bounds"]) and bounded,
        **money,
    )
    contract = Contract("Shop", "EUR", [component])
    # the volume goes to transactions 2, 4, 6 (some of them in the base too)
    mix = Mix.of("amount", [({"payment": str(2 * i + 2)}, w) for i, w in enumerate(shares)])
    fixed = usage([str(amount) for amount in base]) if base else Usage()
    f = cost_function(contract, mix, "2026-11", upto=1000, base=fixed)
    at = fixed + mix.usage(volume)
    exact = sum((line.exact for line in contract.invoice(at, "2026-11").lines), Fraction(0))
    assert f(volume) == exact


def test_days_order_transactions_before_their_identifiers() -> None:
    meter = Meter("amount", group_by=("payment",))
    contract = Contract("Shop", "EUR", [charge(free_transactions=1)], meters=[meter])
    events = [
        Event("amount", "100.00", dt.datetime(2026, 11, 3, 10), {"payment": "a"}),
        Event("amount", "250.00", dt.datetime(2026, 11, 2, 9), {"payment": "b"}),
        Event("amount", "40.00", dt.datetime(2026, 11, 4, 8), {"payment": "c"}),
    ]
    invoice = contract.invoice(events, "2026-11")
    # b, on the 2nd, is the first and free: 2 % of (100 + 40) = 2.80; 2 x 0.30 = 0.60
    assert [str(line.amount.amount) for line in invoice.lines] == ["2.80", "0.60"]
    daily = Usage.from_daily(
        {
            "2026-11-03": {("amount", (("payment", "a"),)): "100.00"},
            "2026-11-02": {("amount", (("payment", "b"),)): "250.00"},
            "2026-11-04": {("amount", (("payment", "c"),)): "40.00"},
        }
    )
    assert contract.invoice(daily, "2026-11") == invoice
    # undated totals have no days: the identifiers order them, a first
    undated = usage(["100.00", "250.00", "40.00"])
    assert priced(charge(free_transactions=1), undated)[0] == ("Payments", "5.80")
    # the cost function orders them as the invoice does; an undated volume (a new payment
    # d) has no day and comes first: at 0 it earns nothing and b stays free (2.80 + 0.60);
    # above 0, d is free and b pays: 2 % of (250 + 100 + 40) = 7.80, 3 x 0.30 = 0.90
    mix = Mix.of("amount", [({"payment": "d"}, 1)])
    f = cost_function(contract, mix, "2026-11", upto=100, base=daily)
    assert f(0) == Fraction("3.40")
    assert f(50) == Fraction("8.70")
    exact = contract.invoice(daily + mix.usage(50), "2026-11").lines
    assert sum((line.exact for line in exact), Fraction(0)) == f(50)
