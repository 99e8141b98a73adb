"""Every combination of Commission options either prices, to figures worked out by hand
below, or is refused when the component is built with a ContractError naming the options."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import (
    Commission,
    CommissionTier,
    Contract,
    ContractError,
    Dimensions,
    Usage,
)

# Sales by category and order: std has orders a (100.00) and b (300.00), vip has c (50.00).
SALES = {("std", "a"): Fraction(100), ("std", "b"): Fraction(300), ("vip", "c"): Fraction(50)}
USAGE = Usage.from_totals(
    {
        **{
            ("sales", Dimensions({"category": cat, "order": order})): f"{amount}.00"
            for (cat, order), amount in SALES.items()
        },
        ("orders", Dimensions({"category": "std", "order": "-"})): 3,
    }
)
TIERS = [CommissionTier("200.00 CNY", 1), CommissionTier(None, 3)]  # 1 % to 200, 3 % above

RATE_KINDS = ("percent", "tiers", "rates", "tiered rates")
OPTIONS: tuple[str, ...] = (
    "category",
    "previous",
    "per_transaction",
    "minimum",
    "maximum",
    "fixed_fee",
    "transactions",
)


def _graduated(total: Fraction) -> Fraction:
    return min(total, Fraction(200)) / 100 + max(total - 200, Fraction(0)) * 3 / 100


def _percent(kind: str, category: str) -> Fraction | None:
    """The flat percentage of a category, or None when it is graduated."""
    if kind == "percent":
        return Fraction(2)
    if kind == "rates":
        return Fraction(2) if category == "std" else Fraction(4)
    return None


def _refusal(kind: str, on: set[str]) -> str | None:
    """The words the refusal must contain, or None when the combination prices."""
    bounded = "minimum" in on or "maximum" in on
    if kind in ("rates", "tiered rates") and "category" not in on:
        return "category"
    if bounded and "per_transaction" not in on:
        return "per_transaction"
    if bounded and kind in ("tiers", "tiered rates"):
        return "graduated tiers"
    if "transactions" in on and ("fixed_fee" not in on or "per_transaction" in on):
        return "transactions"
    if "fixed_fee" in on and "per_transaction" not in on and "transactions" not in on:
        return "per_transaction"
    return None


def _expected(kind: str, on: set[str]) -> Fraction:
    """The invoice total, worked out from SALES with the rules stated in the docstring."""
    by_category: dict[str, list[Fraction]] = {}
    for (category, _), amount in SALES.items():
        key = category if "category" in on or kind in ("rates", "tiered rates") else ""
        by_category.setdefault(key, []).append(amount)
    total = Fraction(0)
    for category, amounts in by_category.items():
        percent = _percent(kind, category or "std")
        base = sum(amounts, Fraction(0))
        total += _graduated(base) if percent is None else base * percent / 100
        if percent is not None and "per_transaction" in on:
            for amount in amounts:
                earned = amount * percent / 100
                if "minimum" in on and earned < 3:
                    total += 3 - earned
                if "maximum" in on and earned > 5:
                    total -= earned - 5
    if "fixed_fee" in on:
        total += Fraction(1, 2) * 3  # three transactions, counted or read from "orders"
    return total


def _build(kind: str, on: set[str]) -> Commission:
    fields: dict[str, object] = {}
    if kind == "percent":
        fields["percent"] = 2
    elif kind == "tiers":
        fields["tiers"] = TIERS
    elif kind == "rates":
        fields["rates"] = {"std": 2, "vip": 4}
    else:
        fields["rates"] = {"std": TIERS, "vip": TIERS}
    if "category" in on:
        fields["category"] = "category"
    if "previous" in on:
        fields["basis"] = "previous"
    if "per_transaction" in on:
        fields["per_transaction"] = "order"
    if "minimum" in on:
        fields["minimum"] = "3.00 CNY"
    if "maximum" in on:
        fields["maximum"] = "5.00 CNY"
    if "fixed_fee" in on:
        fields["fixed_fee"] = "0.50 CNY"
    if "transactions" in on:
        fields["transactions"] = "orders"
    return Commission("C", metric="sales", **fields)  # type: ignore[arg-type]


COMBINATIONS = [
    (kind, frozenset(name for name, flag in zip(OPTIONS, flags, strict=True) if flag))
    for kind in RATE_KINDS
    for flags in itertools.product((False, True), repeat=len(OPTIONS))
]


@pytest.mark.parametrize(
    ("kind", "on"), COMBINATIONS, ids=[f"{k}:{'+'.join(sorted(o)) or '-'}" for k, o in COMBINATIONS]
)
def test_every_combination_prices_or_is_refused_when_built(kind: str, on: frozenset[str]) -> None:
    refusal = _refusal(kind, set(on))
    if refusal is not None:
        with pytest.raises(ContractError, match=refusal):
            _build(kind, set(on))
        return
    contract = Contract("Shop", "CNY", [_build(kind, set(on))])
    previous = USAGE if "previous" in on else None
    invoice = contract.invoice(USAGE, "2026-11", previous_usage=previous)
    assert invoice.total.amount == Decimal(_expected(kind, set(on)).numerator) / Decimal(
        _expected(kind, set(on)).denominator
    )


def test_the_enumeration_covers_both_outcomes() -> None:
    outcomes = {_refusal(kind, set(on)) is None for kind, on in COMBINATIONS}
    assert outcomes == {True, False}
    assert len(COMBINATIONS) == 4 * 2**7


def test_graduated_commission_per_transaction_with_a_fixed_fee_prices() -> None:
    """Defect: tiers with per_transaction and fixed_fee used to fail with AssertionError."""
    commission = Commission(
        "C", metric="sales", tiers=TIERS, per_transaction="order", fixed_fee="0.50 CNY"
    )
    invoice = Contract("Shop", "CNY", [commission]).invoice(USAGE, "2026-11")
    # 450.00 of sales: 1 % of 200.00 = 2.00, 3 % of 250.00 = 7.50; 3 orders x 0.50 = 1.50
    assert [line.amount.amount for line in invoice.lines] == [
        Decimal("2.00"),
        Decimal("7.50"),
        Decimal("1.50"),
    ]
    assert invoice.total.amount == Decimal("11.00")
