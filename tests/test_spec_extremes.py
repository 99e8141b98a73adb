"""Contract documents with extreme values of the right type: the loader gives a
contract or a :class:`~meterprice.spec.SpecError`, never another exception, and a
contract it gives prices (or refuses to price) with a meterprice error.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from meterprice import MeterpriceError
from meterprice.spec import SpecError, load_contract, loads_contract

_SIGN = st.sampled_from(["", "-", "+"])
_DIGITS = st.text("0123456789", min_size=1, max_size=300)
_EXPONENT = st.one_of(
    st.integers(-(10**12), 10**12), st.sampled_from([-101, -100, 99, 100, 101, 999_999_999])
)

decimals = st.one_of(
    st.builds(lambda s, m, e: f"{s}{m}e{e}", _SIGN, _DIGITS, _EXPONENT),
    st.builds(lambda s, m, f: f"{s}{m}.{f}", _SIGN, _DIGITS, _DIGITS),
    st.integers(-(10**400), 10**400),
    st.text(max_size=50),
    st.sampled_from(["\u0665", "1\u00a0000", "NaN", "-Infinity", "1_000", "٣/٤"]),
)
texts = st.one_of(st.text(max_size=20), st.just("=x\u001b" * 2_000))
counts = st.one_of(st.integers(-(10**30), 10**30), st.sampled_from([0, 1, 10**9, 2**63]))


def _nested(depth: int) -> object:
    value: object = "1"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    rate = draw(decimals)
    component: dict[str, Any] = {
        "type": draw(st.sampled_from(["per_unit", "tiered", "minimum_volume", "matrix_rate"])),
        "name": draw(texts),
        "metric": draw(st.sampled_from(["m", "", "a/" * 50])),
        "rate": rate,
        "quantity": draw(decimals),
        "tiers": [{"up_to": draw(decimals), "rate": rate}, {"rate": draw(decimals)}],
        "by": [draw(texts)],
        "prices": {draw(texts): draw(decimals)},
        "where": {draw(texts): draw(texts)},
    }
    keep = draw(st.sets(st.sampled_from(sorted(component)), min_size=2))
    document: dict[str, Any] = {
        "meterprice": 1,
        "name": draw(texts),
        "currency": draw(st.sampled_from(["EUR", "JPY", "BHD", "XXX"])),
        "timezone": draw(st.sampled_from(["UTC", "Europe/Amsterdam", "a/" * 300 + "b", ""])),
        "cycle": {
            "unit": draw(st.sampled_from(["day", "month", "year"])),
            "interval": draw(counts),
        },
        "components": [{key: component[key] for key in keep | {"type", "name"}}],
    }
    if draw(st.booleans()):
        document["extra"] = _nested(draw(st.integers(0, 3_000)))
    return document


@settings(max_examples=60, deadline=None)
@given(documents())
def test_extreme_documents_load_or_raise_spec_errors(document: dict[str, Any]) -> None:
    try:
        contract = load_contract(document)
    except SpecError as error:
        problems = error.problems
        assert problems
        return
    try:
        invoice = contract.invoice({"m": 1}, "2026-11")
    except MeterpriceError:
        return
    assert invoice.total.amount == sum(line.amount.amount for line in invoice.lines)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["toml", "json"]),
    st.integers(0, 2_000),
    st.sampled_from(["9" * 4301, "1" * 40, "-" + "9" * 5000, '"1e999999999"', '"x"']),
)
def test_extreme_texts_load_or_raise_spec_errors(fmt: str, depth: int, number: str) -> None:
    if fmt == "toml":
        text = f"meterprice = 1\nn = {number}\nx = {'[' * depth}{']' * depth}\n"
    else:
        text = f'{{"meterprice": 1, "n": {number}, "x": {"[" * depth}{"]" * depth}}}'
    try:
        loads_contract(text, format=fmt)
    except SpecError as error:
        problems = error.problems
        assert problems
