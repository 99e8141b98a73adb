"""The JSON Schema of contract documents, generated from the registry."""

from __future__ import annotations

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
