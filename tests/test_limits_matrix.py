"""Untrusted matrix price tables: bounded in size, read in one linear pass."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from meterprice import Contract, Usage
from meterprice.components import MatrixRate
from meterprice.components.matrix import MAX_PRICES
from meterprice.dimensions import Dimensions
from meterprice.errors import LimitError, MeterpriceError
from meterprice.money import Money
from meterprice.spec import SpecError, load_contract


def _document(rows: int, columns: int, *, distinct: bool = False) -> dict[str, Any]:
    prices = {
        f"a{i}": {f"b{j}": f"{i}.{j:04d}" if distinct else "1.00" for j in range(columns)}
        for i in range(rows)
    }
    component = {
        "type": "matrix_rate",
        "name": "Minutes",
        "metric": "minutes",
        "by": ["a", "b"],
        "prices": prices,
    }
    return {"meterprice": 1, "name": "M", "currency": "EUR", "components": [component]}


def _peak(document: dict[str, Any]) -> tuple[int, Contract | SpecError]:
    """The tracemalloc peak (bytes) of loading ``document``, and what loading gave."""
    tracemalloc.start()
    try:
        result: Contract | SpecError = load_contract(document)
    except SpecError as error:
        result = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, result


def test_a_table_of_more_than_max_prices_is_refused_with_its_path_in_bounded_memory() -> None:
    # 400 x 400 = 160,000 prices: the reading stops at the 100,001st
    peak, result = _peak(_document(400, 400))
    assert isinstance(result, SpecError)
    assert isinstance(result, ValueError)
    assert str(result) == (
        "components[0].prices: has more than 100,000 prices: at most 100,000 are read"
    )
    # the prices read before stopping: 100,000 pairs of small tuples sharing one Money
    assert peak < 40_000_000


def test_matrix_rate_refuses_more_than_max_prices_in_python() -> None:
    prices = {(f"k{i}",): "1.00 EUR" for i in range(MAX_PRICES + 1)}
    with pytest.raises(LimitError, match=r"prices has 100,001 entries: at most 100,000") as caught:
        MatrixRate("M", metric="minutes", by=("k",), prices=prices)
    assert isinstance(caught.value, MeterpriceError)
    assert isinstance(caught.value, ValueError)


def test_loading_memory_is_linear_in_the_number_of_prices() -> None:
    small, first = _peak(_document(50, 50, distinct=True))  # 2,500 prices
    large, second = _peak(_document(100, 100, distinct=True))  # 10,000 prices
    assert isinstance(first, Contract)
    assert isinstance(second, Contract)
    # four times the prices take about four times the memory (quadratic would be 16)
    assert large / small < 5
    # and a bounded amount per price (a Money, its key and the pair)
    assert large / 10_000 < 1_000


def test_a_loaded_table_is_not_converted_again() -> None:
    contract = load_contract(_document(3, 2))
    matrix = contract.components[0]
    assert isinstance(matrix, MatrixRate)
    # canonical form: sorted keys, one Money object shared by the equal price texts
    assert [key for key, _ in matrix.prices] == [
        ("a0", "b0"),
        ("a0", "b1"),
        ("a1", "b0"),
        ("a1", "b1"),
        ("a2", "b0"),
        ("a2", "b1"),
    ]
    assert len({id(price) for _, price in matrix.prices}) == 1
    # the converter keeps a canonical table as it is, without a copy
    again = MatrixRate("M", metric="minutes", by=("a", "b"), prices=matrix.prices)
    assert again.prices is matrix.prices


@pytest.mark.parametrize(
    "prices",
    [
        ((("b",), Money("2", "EUR")), (("a",), Money("1", "EUR"))),  # not sorted
        ((("a",), "1 EUR"),),  # a price not yet Money
        [(("a",), Money("1", "EUR"))],  # a list
    ],
)
def test_a_table_not_in_canonical_form_is_still_converted(prices: object) -> None:
    matrix = MatrixRate("M", metric="minutes", by=("a",), prices=prices)
    assert matrix.prices is not prices
    assert [key for key, _ in matrix.prices] == sorted(key for key, _ in matrix.prices)
    assert all(isinstance(price, Money) for _, price in matrix.prices)


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (((("a",), Money("1", "EUR")), (("a",), Money("2", "EUR"))), "has the key"),
        ((((1,), Money("1", "EUR")),), "dimension values \\(strings\\)"),
    ],
)
def test_a_table_not_in_canonical_form_is_still_checked(prices: object, message: str) -> None:
    with pytest.raises(MeterpriceError, match=message) as caught:
        MatrixRate("M", metric="minutes", by=("a",), prices=prices)
    assert isinstance(caught.value, (ValueError, TypeError))


def test_price_for_finds_every_key_and_falls_back_to_the_default() -> None:
    matrix = MatrixRate(
        "M",
        metric="minutes",
        by=("a", "b"),
        prices={
            ("de", "chat"): "0.90 EUR",
            ("de", "phone"): "1.10 EUR",
            ("fr", "phone"): "1.00 EUR",
        },
        default="0.50 EUR",
    )
    assert matrix.price_for(("de", "chat")) == Money("0.90", "EUR")
    assert matrix.price_for(["de", "phone"]) == Money("1.10", "EUR")
    assert matrix.price_for(("fr", "phone")) == Money("1.00", "EUR")
    assert matrix.price_for(("de",)) == Money("0.50", "EUR")  # a prefix is not a key
    assert matrix.price_for(("zz", "phone")) == Money("0.50", "EUR")  # after the last
    assert matrix.price_for(("aa", "phone")) == Money("0.50", "EUR")  # before the first
    without = MatrixRate("M", metric="minutes", by="a", prices={"de": "1.10 EUR"})
    assert without.price_for(("nl",)) is None


def test_a_loaded_matrix_prices_as_before() -> None:
    contract = load_contract(_document(2, 2, distinct=True))
    usage = Usage.from_totals(
        {
            ("minutes", Dimensions({"a": "a1", "b": "b1"})): 100,  # 100 x 1.0001
            ("minutes", Dimensions({"a": "a0", "b": "b0"})): 3,  # 3 x 0.0000
        }
    )
    invoice = contract.invoice(usage, "2026-11")
    assert [str(line.amount) for line in invoice.lines] == ["0.00 EUR", "100.01 EUR"]
    assert str(invoice.total) == "100.01 EUR"
