"""The JSON Schema of contract documents, generated from the registry."""

from __future__ import annotations

import zoneinfo
from typing import Any

from meterprice.spec._structure import FORMAT_VERSION, contract_handler

__all__ = ["contract_schema"]


def contract_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of contract documents, format version 1.

    Every registered component type has a definition under ``$defs`` named by its
    ``type`` tag. The schema describes documents as JSON: in TOML, dates may also be
    written as TOML dates.

    >>> schema = contract_schema()
    >>> schema["properties"]["meterprice"]["const"]
    1
    >>> "per_unit" in schema["$defs"]
    True
    """
    defs: dict[str, Any] = {}
    body = contract_handler().body_schema(defs)
    _state_signs(defs)
    _state_zones(body, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"meterprice contract document, format version {FORMAT_VERSION}",
        **{key: value for key, value in body.items() if key != "description"},
        "description": (
            "A service contract priced by meterprice: its currency, billing cycle, "
            "meters and pricing components."
        ),
        "$defs": dict(sorted(defs.items())),
    }


_NUMBER = r"(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?"
_ZERO = r"(0[0_]*(\.[0_]*)?|\.0[0_]*)([eE][+-]?\d+)?"
_CODE_BEFORE = r"([A-Za-z]{3}\s+)?"
_CODE_AFTER = r"(\s+[A-Za-z]{3})?"
_NON_NEGATIVE = rf"(\+?{_NUMBER}|-{_ZERO})"  # "-0" is zero, not negative

#: The decimal and money fields the components refuse when negative ("non_negative")
#: or when zero or negative ("positive"), by definition and property.
SIGNED_FIELDS: dict[tuple[str, str], str] = {
    ("commission", "percent"): "non_negative",
    ("commission", "minimum"): "non_negative",
    ("commission", "maximum"): "non_negative",
    ("commission", "fixed_fee"): "non_negative",
    ("commission_tier", "up_to"): "positive",
    ("commission_tier", "percent"): "non_negative",
    ("day_rate", "agents"): "positive",
    ("discount", "percent"): "positive",
    ("discount", "amount"): "positive",
    ("maximum", "amount"): "positive",
    ("meter", "increment"): "positive",
    ("meter", "minimum"): "positive",
    ("exchange_rate", "rate"): "positive",
    ("minimum_volume", "quantity"): "positive",
    ("package", "size"): "positive",
    ("package", "included"): "non_negative",
    ("per_unit", "included"): "non_negative",
    ("percentage", "percent"): "non_negative",
    ("percentage_charge", "percent"): "non_negative",
    ("percentage_charge", "fixed_fee"): "non_negative",
    ("percentage_charge", "free_amount"): "non_negative",
    ("percentage_charge", "minimum"): "non_negative",
    ("percentage_charge", "maximum"): "non_negative",
    ("quota", "required"): "positive",
    ("quota", "fee"): "non_negative",
    ("quota", "max_credit"): "non_negative",
    ("quota", "max_credit_percent"): "non_negative",
    ("quota", "bonus_rate"): "non_negative",
    ("recurring_fee", "quantity"): "non_negative",
    ("seat_change", "count"): "non_negative",
    ("tax_rate", "percent"): "non_negative",
    ("tier", "up_to"): "positive",
}


def _signed_defs(defs: dict[str, Any]) -> None:
    decimal_nn = rf"^\s*{_NON_NEGATIVE}\s*$"
    money_nn = rf"^\s*{_CODE_BEFORE}{_NON_NEGATIVE}{_CODE_AFTER}\s*$"
    decimal_zero = rf"^\s*[+-]?{_ZERO}\s*$"
    money_zero = rf"^\s*{_CODE_BEFORE}[+-]?{_ZERO}{_CODE_AFTER}\s*$"
    for kind, base, pattern, zero in (
        ("decimal", "decimal", decimal_nn, decimal_zero),
        ("money", "money", money_nn, money_zero),
    ):
        text = defs[base]["description"] if base in defs else ""
        defs[f"non_negative_{kind}"] = {
            "description": f"{text} Zero or more.".strip(),
            "anyOf": [
                {"type": "string", "pattern": pattern},
                {"type": "integer", "minimum": 0},
            ],
        }
        defs[f"positive_{kind}"] = {
            "description": f"{text} More than zero.".strip(),
            "anyOf": [
                {"type": "string", "pattern": pattern, "not": {"pattern": zero}},
                {"type": "integer", "exclusiveMinimum": 0},
            ],
        }


def _state_signs(defs: dict[str, Any]) -> None:
    """Point the fields in :data:`SIGNED_FIELDS` at the non-negative or positive numbers."""
    _signed_defs(defs)
    for (name, key), sign in SIGNED_FIELDS.items():
        prop = defs[name]["properties"][key]
        kind = prop["$ref"].rsplit("/", 1)[1]
        prop["$ref"] = f"#/$defs/{sign}_{kind}"


def _state_zones(body: dict[str, Any], defs: dict[str, Any]) -> None:
    """Every ``timezone`` field takes one of the IANA time zone names."""
    defs["timezone"] = {
        "type": "string",
        "description": 'An IANA time zone name such as "Europe/Amsterdam".',
        "enum": sorted(zoneinfo.available_timezones()),
    }
    for table in (body, *defs.values()):
        prop = table.get("properties", {}).get("timezone")
        if prop is not None:
            described = {"description": prop["description"]} if "description" in prop else {}
            table["properties"]["timezone"] = {"$ref": "#/$defs/timezone", **described}
