"""Reading requests exactly: JSON numbers from their text, events with their paths.

A JSON number with a fraction or an exponent is read as the :class:`~decimal.Decimal`
it writes (never a float); an integer of more than :data:`MAX_INT_DIGITS` digits is
reported, not read. Every problem is collected with its path (``events[3].quantity``)
so that one response lists them all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from meterprice import _decimal as d
from meterprice.contract import Contract
from meterprice.errors import MeterpriceError
from meterprice.ids import to_id
from meterprice.spec import SpecError, load_contract, loads_contract
from meterprice.usage import Event

__all__ = [
    "MAX_INT_DIGITS",
    "InvalidRequestError",
    "contract_at",
    "events_at",
    "read_json",
    "text_at",
]

#: The most digits a JSON integer in a request may have.
MAX_INT_DIGITS = d.MAX_DIGITS

#: The most problems one response lists.
MAX_PROBLEMS = 100


class InvalidRequestError(Exception):
    """A request with problems: each ``{"path": ..., "message": ...}``."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(f"{p['path']}: {p['message']}" for p in self.problems))


def invalid(path: str, message: str) -> InvalidRequestError:
    """A request with one problem."""
    return InvalidRequestError([{"path": path, "message": message}])


class _LongInt(NamedTuple):
    digits: int


def _int(text: str) -> int | _LongInt:
    digits = len(text.lstrip("-"))
    return _LongInt(digits) if digits > MAX_INT_DIGITS else int(text)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _long_ints(value: object, path: str, problems: list[dict[str, Any]]) -> None:
    """Report every over-long integer with its path (without recursion)."""
    stack: list[tuple[object, str]] = [(value, path)]
    while stack and len(problems) < MAX_PROBLEMS:
        item, where = stack.pop()
        if isinstance(item, _LongInt):
            problems.append(
                {
                    "path": where,
                    "message": f"is an integer of {item.digits} digits "
                    f"(at most {MAX_INT_DIGITS} are read)",
                }
            )
        elif isinstance(item, dict):
            stack.extend((child, _path(where, key)) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, _path(where, index)) for index, child in enumerate(item))


def read_json(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body, numbers read exactly."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise invalid("", f"the body is not UTF-8: {error}") from None
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=_int, parse_constant=_constant)
    except RecursionError:
        raise invalid("", "the JSON is nested too deeply") from None
    except ValueError as error:
        raise invalid("", f"not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise invalid("", "the body must be a JSON object")
    problems: list[dict[str, Any]] = []
    _long_ints(value, "", problems)
    if problems:
        raise InvalidRequestError(problems)
    return value


def _as_document(value: object) -> object:
    """A contract document as the spec reads it: JSON numbers with a fraction become
    the decimal text they write (``0.95`` is ``"0.95"``), exactly.
    """
    if isinstance(value, Decimal):
        return d.to_text(value)
    if isinstance(value, dict):
        return {key: _as_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_document(item) for item in value]
    return value


def text_at(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    """The string at ``key``, or a problem at its path."""
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        got = "nothing" if value is None else type(value).__name__
        raise invalid(key, f"must be a string (got {got})")
    return value


def contract_at(value: object, path: str) -> Contract:
    """The contract of a request: a document object, or the text of a TOML document."""
    try:
        if isinstance(value, str):
            return loads_contract(value, format="toml")
        if isinstance(value, dict):
            return load_contract(_as_document(value))  # type: ignore[arg-type]
    except SpecError as error:
        raise InvalidRequestError(
            [
                {
                    "path": f"{path}.{problem.path}" if problem.path else path,
                    "message": problem.message,
                }
                for problem in error.problems
            ]
        ) from None
    got = "nothing" if value is None else type(value).__name__
    raise invalid(path, f"must be a contract document or its TOML text (got {got})")


def _timestamp(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 string (got {type(value).__name__})")
    try:
        at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"is not an ISO 8601 date and time: {value!r} (write e.g. 2026-11-03T02:13:00+01:00)"
        ) from None
    if at.tzinfo is None:
        raise ValueError(f"has no UTC offset: {value!r} (write e.g. {value.strip()}Z)")
    return at


def _event(record: object, path: str, problems: list[dict[str, Any]]) -> Event | None:
    if not isinstance(record, dict):
        problems.append({"path": path, "message": "must be an object"})
        return None
    found = len(problems)
    for key in ("metric", "quantity", "timestamp"):
        if key not in record:
            problems.append({"path": _path(path, key), "message": "is missing"})
    dims = record.get("dimensions", {})
    if not isinstance(dims, dict) or not all(isinstance(v, str) for v in dims.values()):
        problems.append({"path": _path(path, "dimensions"), "message": "must map names to strings"})
    unknown = sorted(set(record) - {"metric", "quantity", "timestamp", "dimensions", "id"})
    problems.extend(
        {"path": _path(path, key), "message": "is not a field of an event"} for key in unknown
    )
    if len(problems) > found:
        return None
    try:
        at = _timestamp(record["timestamp"])
    except ValueError as error:
        problems.append({"path": _path(path, "timestamp"), "message": str(error)})
        return None
    metric, quantity = record["metric"], record["quantity"]
    if not isinstance(metric, str) or not metric:
        problems.append({"path": _path(path, "metric"), "message": "must be a non-empty string"})
        return None
    try:
        event_id = to_id(record.get("id"))
    except MeterpriceError as error:
        problems.append({"path": _path(path, "id"), "message": str(error)})
        return None
    try:
        return Event(metric, d.to_decimal(quantity, what="quantity"), at, dims, id=event_id)
    except MeterpriceError as error:
        problems.append({"path": _path(path, "quantity"), "message": str(error)})
        return None


def events_at(body: Mapping[str, Any], key: str, most: int) -> list[Event]:
    """The events at ``key`` (a list of ``{"metric", "quantity", "timestamp",
    "dimensions"}``), every bad one reported with its path.
    """
    records = body.get(key)
    if not isinstance(records, list):
        got = "nothing" if records is None else type(records).__name__
        raise invalid(key, f"must be a list of events (got {got})")
    if len(records) > most:
        raise TooManyEventsError(key, len(records), most)
    problems: list[dict[str, Any]] = []
    events = []
    for index, record in enumerate(records):
        event = _event(record, _path(key, index), problems)
        if event is not None:
            events.append(event)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InvalidRequestError(problems)
    return events


class TooManyEventsError(Exception):
    """More events than the service takes in one request."""

    def __init__(self, what: str, count: int, most: int) -> None:
        self.what = what
        super().__init__(f"{what}: {count:,} events; at most {most:,} are taken per request")
