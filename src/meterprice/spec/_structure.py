"""Contract documents: reading (TOML, JSON, mappings) and writing them back."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import zoneinfo
from collections.abc import Mapping
from pathlib import Path as FilePath
from typing import Any, NamedTuple

from meterprice._zones import MAX_ZONE_NAME, find_zone
from meterprice.contract import Contract
from meterprice.errors import InvalidTypeError, InvalidValueError
from meterprice.periods import Period
from meterprice.spec._errors import Path, Problem, SpecError, format_path, show
from meterprice.spec._registry import ClassHandler, Field
from meterprice.spec._toml import dumps_toml
from meterprice.spec._types import (
    INVALID,
    Context,
    Handler,
    Options,
    closest,
    wrong_type,
)

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover - depends on the interpreter
    import tomli as tomllib

__all__ = [
    "FORMAT_VERSION",
    "dump_contract",
    "dumps_contract",
    "load_contract",
    "loads_contract",
    "read_document",
]

#: The version of the document format, written as ``meterprice = 1`` in every document.
FORMAT_VERSION = 1

_DOCUMENT_KEYS = ("meterprice", "demo")
_DEMO_KEYS = ("period", "periods")


@functools.lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


class TimezoneHandler(Handler):
    """An IANA time zone name such as ``"Europe/Amsterdam"``."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, str):
            return ctx.report(
                path, wrong_type('an IANA time zone such as "Europe/Amsterdam"', value), value
            )
        if find_zone(value) is None:
            hint = closest(value[:MAX_ZONE_NAME], _zones())
            return ctx.report(path, f"unknown IANA time zone {show(value)}{hint}", value)
        return value

    def unstructure(self, value: Any, options: Options) -> object:
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "description": "An IANA time zone name."}


class ContractHandler(ClassHandler):
    """The document as a whole: the contract's fields plus ``meterprice`` (the format
    version) and ``[demo]`` (read by ``meterprice demo`` only).
    """

    def structure_field(self, field: Field, raw: object, path: Path, ctx: Context) -> object:
        value = super().structure_field(field, raw, path, ctx)
        if field.key == "currency" and value is not INVALID:
            ctx.currency = value  # type: ignore[assignment]
        if field.key == "timezone" and value is not INVALID:
            ctx.timezone = value  # type: ignore[assignment]
        return value

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type("a table (a contract document)", value), value)
        if "meterprice" not in value:
            ctx.report(
                ("meterprice",),
                f"is required: start the document with meterprice = {FORMAT_VERSION}",
                None,
            )
        else:
            version = value["meterprice"]
            if isinstance(version, bool) or not isinstance(version, int):
                return ctx.report(
                    ("meterprice",), wrong_type("the format version 1", version), version
                )
            if version != FORMAT_VERSION:
                return ctx.report(
                    ("meterprice",),
                    f"unsupported format version {version}: this meterprice reads version "
                    f"{FORMAT_VERSION} (got {version})",
                    version,
                )
        if "demo" in value:
            _check_demo(value["demo"], ctx)
        return self.structure_table(value, path, ctx, extra_keys=_DOCUMENT_KEYS)

    def unstructure(self, value: Any, options: Options) -> object:
        body = super().unstructure(value, options)
        assert isinstance(body, dict)
        return {"meterprice": FORMAT_VERSION, **body}

    def body_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        body = super().body_schema(defs)
        body["properties"] = {
            "meterprice": {
                "const": FORMAT_VERSION,
                "description": f"The document format version: {FORMAT_VERSION}.",
            },
            **body["properties"],
            "demo": {
                "type": "object",
                "description": (
                    "Read by `meterprice demo` only: which period(s) to price the example's "
                    "usage file for."
                ),
                "additionalProperties": False,
                "properties": {
                    "period": {"type": "string"},
                    "periods": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
        body["required"] = ["meterprice", *body.get("required", [])]
        return body


def _check_demo(value: object, ctx: Context) -> None:
    if not isinstance(value, Mapping):
        ctx.report(("demo",), wrong_type("a table", value), value)
        return
    for key, item in value.items():
        path: Path = ("demo", str(key))
        if key not in _DEMO_KEYS:
            ctx.report(
                path,
                f"unknown field{closest(str(key), _DEMO_KEYS)}; [demo] takes period, periods",
                item,
            )
            continue
        items = item if key == "periods" and isinstance(item, list) else [item]
        if key == "periods" and not isinstance(item, list):
            ctx.report(path, wrong_type("a list of periods", item), item)
            continue
        for index, text in enumerate(items):
            where = (*path, index) if key == "periods" else path
            if not isinstance(text, str):
                ctx.report(where, wrong_type('a period such as "2026-11"', text), text)
                continue
            try:
                Period.parse(text)
            except ValueError as error:
                ctx.report(where, f"{error}", text)


def demo_periods(document: Mapping[str, Any]) -> list[Period]:
    """The periods a document's ``[demo]`` table names (none when it has none)."""
    demo = document.get("demo")
    if not isinstance(demo, Mapping):
        return []
    texts: list[Any] = []
    if "period" in demo:
        texts.append(demo["period"])
    texts.extend(demo.get("periods", []))
    return [Period.parse(text) for text in texts]


def _contract_handler() -> ContractHandler:
    return ContractHandler(
        Contract,
        fields={"timezone": TimezoneHandler()},
        docs={
            "name": "The contract's name, shown on its invoices.",
            "currency": 'The ISO 4217 code of every amount in the contract ("EUR").',
            "rounding": (
                "How each invoice line is rounded to the currency's minor unit (default half_up)."
            ),
            "timezone": (
                "The IANA time zone in which event timestamps fall into periods (default UTC)."
            ),
            "cycle": "The billing cycle (default: calendar months).",
            "term": "The dates the contract is in force: {start = ..., end = ...}, end excluded.",
            "unpriced": (
                "Usage of a billed metric that no component selects: error (refuse it, the "
                "default) or ignore."
            ),
            "meters": "How raw events become billable metrics ([[meters]] tables).",
            "components": "The pricing components, priced in order ([[components]] tables).",
            "payment_terms": (
                "When invoices are due and the prompt-payment discounts before that "
                "([payment_terms] with net_days and discounts)."
            ),
            "versions": (
                "Amendments in date order ([[versions]] tables): each starts the next "
                "version of the components on its start date."
            ),
        },
        order=[
            "name",
            "currency",
            "rounding",
            "timezone",
            "cycle",
            "term",
            "payment_terms",
            "meters",
            "components",
            "versions",
        ],
        always=("name", "currency", "rounding", "timezone", "cycle", "components"),
        title="contract",
    )


class _Lazy:
    handler: ContractHandler | None = None


def contract_handler() -> ContractHandler:
    """The handler of whole documents (built on first use, after every registration)."""
    if _Lazy.handler is None:
        _Lazy.handler = _contract_handler()
    return _Lazy.handler


# -- reading -----------------------------------------------------------------------------------


#: Deepest nesting of tables and arrays accepted in a document (a contract needs 5).
MAX_DEPTH = 32

#: Most digits of an integer in a document (Python's own limit for reading integers).
MAX_INT_DIGITS = 4300

_TOO_DEEP = f"the document is nested too deeply (at most {MAX_DEPTH} levels of tables and arrays)"


class _HugeInt(NamedTuple):
    """A JSON integer too long to read, kept to be reported with its path."""

    digits: int


def _json_int(text: str) -> int | _HugeInt:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _HugeInt(len(text.lstrip("-")))
    return int(text)


def _huge_int_at(text: str) -> str:
    match = re.search(f"[0-9_]{{{MAX_INT_DIGITS + 1},}}", text)
    line = f"line {text.count(chr(10), 0, match.start()) + 1}: " if match else ""
    return f"{line}an integer has more than {MAX_INT_DIGITS} digits"


def _check_shape(document: object, source: str | None) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` and over-long integers, with paths.

    Walks without recursion, so that no later step (validation, messages) recurses
    deeper than the limit.
    """
    problems: list[Problem] = []
    stack: list[tuple[object, Path]] = [(document, ())]
    while stack and len(problems) < 20:
        value, path = stack.pop()
        if isinstance(value, _HugeInt):
            problems.append(
                Problem(
                    format_path(path),
                    f"is an integer of {value.digits} digits (at most {MAX_INT_DIGITS} are read)",
                    None,
                )
            )
            continue
        children: list[tuple[object, Path]]
        if isinstance(value, dict):
            children = [(item, (*path, key)) for key, item in value.items()]
        elif isinstance(value, list):
            children = [(item, (*path, index)) for index, item in enumerate(value)]
        else:
            continue
        if len(path) >= MAX_DEPTH:
            problems.append(
                Problem(format_path(path), _TOO_DEEP.removeprefix("the document "), None)
            )
            continue
        stack.extend(reversed(children))
    if problems:
        raise SpecError(problems, source=source)


def _read_text(text: str, format: str, source: str | None) -> dict[str, Any]:
    if format == "toml":
        try:
            table: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise SpecError(
                [Problem("", f"not valid TOML: {error}", None)], source=source
            ) from None
        except RecursionError:
            raise SpecError([Problem("", _TOO_DEEP, None)], source=source) from None
        except ValueError:
            # int() refuses more than sys.get_int_max_str_digits() digits
            raise SpecError([Problem("", _huge_int_at(text), None)], source=source) from None
        _check_shape(table, source)
        return table
    if format == "json":
        duplicates: list[str] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for key, item in items:
                if key in result:
                    duplicates.append(key)
                result[key] = item
            return result

        try:
            document = json.loads(text, object_pairs_hook=pairs, parse_int=_json_int)
        except json.JSONDecodeError as error:
            raise SpecError(
                [Problem("", f"not valid JSON: {error}", None)], source=source
            ) from None
        except RecursionError:
            raise SpecError([Problem("", _TOO_DEEP, None)], source=source) from None
        _check_shape(document, source)
        if duplicates:
            problems = [Problem("", f"duplicate key {show(key)}", key) for key in duplicates]
            raise SpecError(problems, source=source)
        if not isinstance(document, dict):
            raise SpecError(
                [
                    Problem(
                        "", wrong_type("a JSON object (a contract document)", document), document
                    )
                ],
                source=source,
            )
        return document
    raise InvalidValueError(f"format must be 'toml' or 'json', not {format!r}")


def _format_of(path: FilePath, format: str | None) -> str:
    if format is not None:
        return format
    suffix = path.suffix.lower()
    if suffix in (".toml", ".json"):
        return suffix[1:]
    raise SpecError(
        [Problem("", f"cannot tell the format of {path.name!r}: name it *.toml or *.json", None)],
        source=str(path),
    )


def read_document(path: str | os.PathLike[str], *, format: str | None = None) -> dict[str, Any]:
    """The plain data of a TOML or JSON contract document, not yet validated.

    Raises :class:`OSError` when the file cannot be read and :class:`SpecError` when
    it is not valid TOML or JSON.
    """
    file = FilePath(path)
    kind = _format_of(file, format)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecError([Problem("", f"not UTF-8 text: {error}", None)], source=str(path)) from None
    return _read_text(text, kind, str(path))


def structure(document: object, *, source: str | None = None) -> Contract:
    """The contract a document describes, or :class:`SpecError` with every problem."""
    _check_shape(document, source)
    ctx = Context(document)
    result = contract_handler().structure(document, (), ctx)
    if ctx.problems or result is INVALID:
        problems = ctx.problems or [Problem("", "the document is not a valid contract", None)]
        raise SpecError(problems, source=source)
    assert isinstance(result, Contract)
    return result


def load_contract(
    source: Mapping[str, Any] | str | os.PathLike[str], *, format: str | None = None
) -> Contract:
    """A :class:`~meterprice.Contract` from a document: a mapping of plain data, or
    the path of a TOML (``*.toml``) or JSON (``*.json``) file.

    Every problem in the document is reported at once in one :class:`SpecError`,
    each with its path (``components[2].tiers[1].up_to``) and the offending value.

    >>> contract = load_contract(
    ...     {
    ...         "meterprice": 1,
    ...         "name": "Pay per use",
    ...         "currency": "EUR",
    ...         "components": [
    ...             {
    ...                 "type": "per_unit",
    ...                 "name": "Minutes",
    ...                 "metric": "handle_minutes",
    ...                 "rate": "0.95",
    ...             }
    ...         ],
    ...     }
    ... )
    >>> str(contract.invoice({"handle_minutes": 1000}, "2026-11").total)
    '950.00 EUR'
    """
    if isinstance(source, Mapping):
        return structure(source)
    if isinstance(source, (str, os.PathLike)):
        return structure(read_document(source, format=format), source=str(source))
    raise InvalidTypeError(f"source must be a mapping or a file path, not {source!r}")


def loads_contract(text: str, *, format: str = "toml", source: str | None = None) -> Contract:
    """A :class:`~meterprice.Contract` from the text of a TOML (or ``format="json"``)
    document; ``source`` names it in error messages.
    """
    if not isinstance(text, str):
        raise InvalidTypeError(f"text must be a string, not {type(text).__name__}")
    return structure(_read_text(text, format, source), source=source)


# -- writing -----------------------------------------------------------------------------------


def dump_contract(contract: Contract) -> dict[str, Any]:
    """``contract`` as plain, JSON-safe data that :func:`load_contract` reads back
    into an equal contract: decimals and dates are strings, defaults are left out.

    >>> contract = Contract("Flat", "EUR", [RecurringFee("Platform", amount="1500.00 EUR")])
    >>> dump_contract(contract)["components"]
    [{'type': 'recurring_fee', 'name': 'Platform', 'amount': '1500.00'}]
    >>> load_contract(dump_contract(contract)) == contract
    True
    """
    if not isinstance(contract, Contract):
        raise InvalidTypeError(f"dump_contract needs a Contract, not {contract!r}")
    data = contract_handler().unstructure(contract, Options())
    assert isinstance(data, dict)
    return data


def dumps_contract(contract: Contract, *, format: str = "toml") -> str:
    """``contract`` as the text of a TOML (or ``format="json"``) document."""
    if not isinstance(contract, Contract):
        raise InvalidTypeError(f"dumps_contract needs a Contract, not {contract!r}")
    if format == "json":
        return json.dumps(dump_contract(contract), indent=2, ensure_ascii=False) + "\n"
    if format == "toml":
        data = contract_handler().unstructure(contract, Options(native_dates=True))
        assert isinstance(data, dict)
        return dumps_toml(data)
    raise InvalidValueError(f"format must be 'toml' or 'json', not {format!r}")
