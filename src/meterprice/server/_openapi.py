"""The OpenAPI description of the service (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from meterprice import __version__

__all__ = ["openapi"]

_EVENT = {
    "type": "object",
    "required": ["metric", "quantity", "timestamp"],
    "properties": {
        "metric": {"type": "string"},
        "quantity": {
            "description": "exact: a JSON number (read from its text) or a decimal string",
            "oneOf": [{"type": "number"}, {"type": "string"}],
        },
        "timestamp": {"type": "string", "format": "date-time"},
        "dimensions": {"type": "object", "additionalProperties": {"type": "string"}},
        "id": {
            "description": "the event's id: events repeating an id are counted once",
            "oneOf": [{"type": "string", "minLength": 1}, {"type": "integer"}],
        },
    },
    "additionalProperties": False,
}

_CONTRACT = {
    "description": "a contract document (see GET /schema) or the text of a TOML document",
    "oneOf": [{"$ref": "/schema"}, {"type": "string"}],
}

_ERROR = {
    "description": "every problem of the request, each with its path",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "meterprice": {"const": 1},
                    "command": {"type": "string"},
                    "error": {
                        "type": "object",
                        "properties": {
                            "message": {"type": "string"},
                            "problems": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "path": {"type": "string"},
                                        "message": {"type": "string"},
                                        "line": {"type": "integer"},
                                    },
                                },
                            },
                        },
                    },
                },
            }
        }
    },
}


def _usage_request(contract: dict[str, Any], required: list[str]) -> dict[str, Any]:
    json_body = {
        "type": "object",
        "required": [*required, "period", "events"],
        "properties": {
            **contract,
            "period": {"type": "string", "examples": ["2026-11", "2026-Q4"]},
            "events": {"type": "array", "items": _EVENT},
        },
    }
    form = {
        "type": "object",
        "required": [*required, "period", "usage"],
        "properties": {
            **{key: {"type": "string"} for key in contract},
            "period": {"type": "string"},
            "usage": {
                "type": "string",
                "format": "binary",
                "description": "a usage file: *.csv, *.jsonl, *.parquet or *.arrow",
            },
        },
    }
    return {
        "required": True,
        "content": {
            "application/json": {"schema": json_body},
            "multipart/form-data": {"schema": form},
        },
    }


def _post(summary: str, body: dict[str, Any], command: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "requestBody": body,
            "responses": {
                "200": {
                    "description": f"the document `meterprice {command} --format json` writes",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "413": {"description": "the request is larger than the service takes"},
                "422": _ERROR,
            },
        }
    }


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service."""
    one = {"contract": _CONTRACT}
    many = {"contracts": {"type": "array", "items": _CONTRACT}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "meterprice", "version": __version__},
        "paths": {
            "/validate": _post(
                "Check a contract document",
                {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["contract"],
                                "properties": one,
                            }
                        }
                    },
                },
                "validate",
            ),
            "/quote": _post(
                "Price usage into invoices", _usage_request(one, ["contract"]), "quote"
            ),
            "/compare": _post(
                "Price usage under several contracts",
                _usage_request(many, ["contracts"]),
                "compare",
            ),
            "/break-even": _post(
                "The exact volumes where two contracts cost the same",
                {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["contracts", "metric", "period", "upto"],
                                "properties": {
                                    **many,
                                    "metric": {"type": "string"},
                                    "period": {"type": "string"},
                                    "upto": {"oneOf": [{"type": "number"}, {"type": "string"}]},
                                    "start": {"oneOf": [{"type": "number"}, {"type": "string"}]},
                                },
                            }
                        }
                    },
                },
                "break-even",
            ),
            "/schema": {
                "get": {
                    "summary": "The JSON Schema of contract documents",
                    "responses": {"200": {"description": "the schema"}},
                }
            },
        },
    }
