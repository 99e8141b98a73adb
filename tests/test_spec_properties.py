"""Properties of contract documents: round trips over generated contracts, and a
fuzzed loader that yields a contract or a SpecError, never any other exception."""

from __future__ import annotations

import contextlib
import datetime as dt
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import KINDS, contracts, usages

from meterprice import Contract, Invoice, MeterpriceError, Usage
from meterprice.periods import Period
from meterprice.spec import (
    SpecError,
    component_types,
    dump_contract,
    dumps_contract,
    load_contract,
    loads_contract,
)

NOVEMBER = Period.month(2026, 11)


def outcome(contract: Contract, usage: Usage, period: Period) -> Invoice | str:
    """The invoice, or the error that pricing raised (both sides must agree)."""
    try:
        return contract.invoice(usage, period)
    except MeterpriceError as error:
        return f"{type(error).__name__}: {error}"


@given(contracts(period=NOVEMBER, kinds=KINDS, max_components=6), usages())
def test_load_of_dump_is_equal_and_prices_identically(contract: Contract, usage: Usage) -> None:
    data = dump_contract(contract)
    again = load_contract(data)
    assert again == contract
    assert dump_contract(again) == data
    assert outcome(again, usage, NOVEMBER) == outcome(contract, usage, NOVEMBER)


@given(contracts(period=NOVEMBER, kinds=KINDS, max_components=4))
def test_toml_and_json_texts_round_trip(contract: Contract) -> None:
    assert loads_contract(dumps_contract(contract)) == contract
    assert loads_contract(dumps_contract(contract, format="json"), format="json") == contract


# -- fuzzing ------------------------------------------------------------------------------------

KEYS = sorted(
    {
        "meterprice",
        "name",
        "currency",
        "rounding",
        "timezone",
        "cycle",
        "term",
        "meters",
        "components",
        "demo",
        "type",
        "metric",
        "rate",
        "where",
        "tiers",
        "up_to",
        "flat",
        "mode",
        "amount",
        "on",
        "percent",
        "of",
        "start",
        "end",
        "unit",
        "anchor_day",
        "interval",
        "source",
        "from_unit",
        "increment",
        "group_by",
        "prices",
        "by",
        "active",
        "tags",
        "quantity",
        "size",
        "price",
        "included",
        "calendar",
        "ranges",
        "bands",
        "fees",
        "schedule",
        "period",
        "periods",
        "weekday",
        "anchor",
        "days",
        "rates",
        "factors",
    }
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "EUR",
            "0.95",
            "0.95 EUR",
            "1e999999",
            "NaN",
            "-1",
            "2026-11-01",
            "month",
            "22:00",
            "11-11",
            "per_unit",
            "tiered",
            "volume",
            "half_up",
            "Europe/Amsterdam",
            "",
        ]
    )
    | st.sampled_from(sorted(component_types()))
    | st.dates().map(lambda day: day)
    | st.times()
)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=15,
)


def load_or_refuse(document: object) -> None:
    result: Contract | SpecError
    try:
        result = load_contract(document)  # type: ignore[arg-type]
    except SpecError as error:
        result = error
    if isinstance(result, SpecError):
        assert result.problems
        assert all(isinstance(p.path, str) and p.message for p in result.problems)
    else:
        assert isinstance(result, Contract)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), JSON_LIKE, max_size=8))
def test_arbitrary_documents_load_or_raise_spec_error(document: dict[str, Any]) -> None:
    load_or_refuse(document)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with one value somewhere replaced, added or removed."""
    data: Any = dump_contract(draw(contracts(period=NOVEMBER, kinds=KINDS, max_components=4)))
    for _ in range(draw(st.integers(1, 3))):
        node = data
        while True:
            children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            if not children:
                break
            key, child = draw(st.sampled_from(children))
            if isinstance(child, (dict, list)) and child and draw(st.booleans()):
                node = child
                continue
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                node[key] = draw(JSON_LIKE)
            elif action == "delete" and isinstance(node, dict):
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.sampled_from(KEYS))] = draw(JSON_LIKE)
            break
    assert isinstance(data, dict)
    return data


@settings(max_examples=150)
@given(mutated())
def test_mutated_documents_load_or_raise_spec_error(document: dict[str, Any]) -> None:
    load_or_refuse(document)


@settings(max_examples=200)
@given(st.text(alphabet=string.printable, max_size=200))
def test_arbitrary_text_loads_or_raises_spec_error(text: str) -> None:
    for format in ("toml", "json"):
        with contextlib.suppress(SpecError):
            loads_contract("meterprice = 1\n" + text if format == "toml" else text, format=format)


def test_dates_and_times_from_toml_are_accepted() -> None:
    contract = load_contract(
        {
            "meterprice": 1,
            "name": "X",
            "currency": "EUR",
            "term": {"start": dt.date(2026, 11, 1)},
            "components": [],
        }
    )
    assert contract.term.start == dt.date(2026, 11, 1)
