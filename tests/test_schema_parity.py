"""The JSON Schema and the loader agree: a corpus of bad contract documents, each
refused by the loader, and by the schema whenever JSON Schema can state the defect;
the documentation lists exactly the defects only the loader finds."""

from __future__ import annotations

import copy
import pathlib
import re
from collections.abc import Callable
from typing import Any

import attrs
import jsonschema
import pytest

from meterprice import (
    CommissionTier,
    Meter,
    SeatChange,
    SpecError,
    Tier,
    contract_schema,
    load_contract,
)
from meterprice.exchange import ExchangeRate
from meterprice.spec import component_types
from meterprice.spec._schema import SIGNED_FIELDS
from meterprice.tax import TaxRate

DOCS = pathlib.Path(__file__).parent.parent / "docs" / "contracts-as-data.md"


def good() -> dict[str, Any]:
    """A document both the schema and the loader accept."""
    return {
        "meterprice": 1,
        "name": "Support",
        "currency": "EUR",
        "timezone": "Europe/Amsterdam",
        "cycle": {"unit": "month", "interval": 1},
        "meters": [{"name": "minutes", "source": "call", "group_by": ["channel"]}],
        "components": [
            {
                "type": "per_unit",
                "name": "Minutes",
                "metric": "minutes",
                "rate": "1.00",
                "where": {"channel": "phone"},
                "tags": ["usage"],
                "active": {"start": "2026-01-01", "end": "2027-01-01"},
            },
            {
                "type": "tiered",
                "name": "Chats",
                "metric": "chats",
                "tiers": [{"up_to": "1000", "rate": "0.50"}, {"rate": "0.40 EUR"}],
            },
            {"type": "percentage", "name": "Management", "percent": "6", "of": ["usage"]},
            {"type": "discount", "name": "Loyalty", "percent": "5"},
        ],
    }


def _set(*path: str | int, value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _duplicate_name(document: dict[str, Any]) -> None:
    document["components"][1]["name"] = "Minutes"


# (id, change, expressible in JSON Schema, label in the docs when it is not)
CORPUS: list[tuple[str, Callable[[dict[str, Any]], None], str | None]] = [
    ("unknown currency", _set("currency", value="EUX"), None),
    ("unknown time zone", _set("timezone", value="Europe/Amstredam"), None),
    ("negative percent", _set("components", 2, "percent", value="-6"), None),
    ("negative included", _set("components", 0, "included", value="-10"), None),
    ("zero tier bound", _set("components", 1, "tiers", 0, "up_to", value="0"), None),
    ("float amount", _set("components", 0, "rate", value=0.95), None),
    ("unknown field", _set("components", 0, "rates", value="1.00"), None),
    ("interval below one", _set("cycle", "interval", value=0), None),
    ("negative integer percent", _set("components", 3, "percent", value=-5), None),
    ("rate in another currency", _set("components", 0, "rate", value="1.00 USD"), "currency"),
    ("duplicate component names", _duplicate_name, "unique names"),
    ("unknown tag in of", _set("components", 2, "of", value=["usgae"]), "tags in of"),
    (
        "tiers out of order",
        _set(
            "components",
            1,
            "tiers",
            value=[{"up_to": "1000", "rate": "0.50"}, {"up_to": "500", "rate": "0.45"}],
        ),
        "tier order",
    ),
    (
        "filter on a dropped dimension",
        _set("components", 0, "where", value={"language": "de"}),
        "filters",
    ),
    (
        "window ending before it starts",
        _set("components", 0, "active", value={"start": "2026-06-01", "end": "2026-05-01"}),
        "windows",
    ),
    (
        "a date that does not exist",
        _set("components", 0, "active", "end", value="2026-02-30"),
        "dates",
    ),
    ("40.0 as an integer", _set("cycle", "interval", value=40.0), "integers"),
    ("percent above 100", _set("components", 3, "percent", value="150"), "upper bounds"),
    (
        "a time of day that does not exist",
        _set("meters", 0, "bands", value={"bands": [{"name": "night", "start": "25:00"}]}),
        "times of day",
    ),
    (
        "an unknown day of the week",
        _set("meters", 0, "bands", value={"bands": [{"name": "night", "days": "someday"}]}),
        "days of the week",
    ),
    (
        "commission options that do not go together",
        _set(
            "components",
            3,
            value={
                "type": "commission",
                "name": "Sales",
                "metric": "sales",
                "percent": "2",
                "minimum": "1.00",
            },
        ),
        "option combinations",
    ),
    (
        "a share condition that is not a comparison",
        _set(
            "meters",
            0,
            value={
                "name": "minutes",
                "source": "call",
                "aggregation": "share",
                "condition": "soon",
            },
        ),
        "comparisons",
    ),
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = contract_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_good_document_passes_both(validator: jsonschema.Draft202012Validator) -> None:
    assert list(validator.iter_errors(good())) == []
    assert load_contract(good()).name == "Support"


@pytest.mark.parametrize(("change", "label"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_the_loader_refuses_and_the_schema_refuses_what_it_can_state(
    validator: jsonschema.Draft202012Validator,
    change: Callable[[dict[str, Any]], None],
    label: str | None,
) -> None:
    document = copy.deepcopy(good())
    change(document)
    with pytest.raises(SpecError):
        load_contract(document)
    schema_refuses = any(True for _ in validator.iter_errors(document))
    assert schema_refuses == (label is None)


def _loader_only_labels() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### What only the loader checks", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^- \*\*([^*]+)\*\*", section, re.M)


def test_the_docs_list_exactly_what_only_the_loader_checks() -> None:
    labels = _loader_only_labels()
    assert sorted(labels) == sorted(label for _, _, label in CORPUS if label is not None)


def _field_converter(definition: str, key: str) -> Callable[[object], object]:
    classes: dict[str, type] = {**component_types(), "commission_tier": CommissionTier}
    classes.update({"tier": Tier, "seat_change": SeatChange, "meter": Meter, "tax_rate": TaxRate})
    classes["exchange_rate"] = ExchangeRate
    field = next(f for f in attrs.fields(classes[definition]) if f.alias == key)
    converter: Callable[[object], object] = field.converter
    assert callable(converter)
    return converter


@pytest.mark.parametrize(("definition", "key", "sign"), [(*k, v) for k, v in SIGNED_FIELDS.items()])
def test_the_schema_refuses_a_sign_only_where_the_component_does(
    definition: str, key: str, sign: str
) -> None:
    schema = contract_schema()
    money = schema["$defs"][definition]["properties"][key]["$ref"].endswith("money")
    convert = _field_converter(definition, key)
    with pytest.raises(ValueError, match=key):
        convert("-1 EUR" if money else "-1")
    if sign == "positive":
        with pytest.raises(ValueError, match=key):
            convert("0 EUR" if money else "0")
    else:
        convert("0 EUR" if money else "0")
