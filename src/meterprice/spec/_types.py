"""Value handlers: how each kind of value is read from a document, written back to
plain data, and described in the JSON Schema.

A :class:`Handler` reads one value (``structure``), reporting every problem it finds
to the :class:`Context` with the value's path and returning :data:`INVALID` when the
value cannot be used; ``unstructure`` writes a value back as plain, JSON-safe data
(decimals as strings); ``schema`` describes the accepted document values.
"""

from __future__ import annotations

import abc
import datetime as dt
import difflib
import enum
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from meterprice import _decimal as d
from meterprice.dimensions import Where
from meterprice.errors import LimitError, UnknownCurrencyError
from meterprice.money import Currency, Money
from meterprice.periods import Cycle
from meterprice.spec._errors import Path, Problem, format_path, show

__all__ = [
    "INVALID",
    "BoolHandler",
    "Context",
    "CurrencyHandler",
    "CycleHandler",
    "DateHandler",
    "DecimalHandler",
    "EitherHandler",
    "EnumHandler",
    "FractionHandler",
    "Handler",
    "IntHandler",
    "ListHandler",
    "LiteralHandler",
    "MappingHandler",
    "MoneyHandler",
    "MonthDayHandler",
    "OptionalHandler",
    "Options",
    "PairsHandler",
    "StrHandler",
    "StrListHandler",
    "TagsHandler",
    "TimeHandler",
    "WhereHandler",
    "closest",
    "float_message",
]


class _Invalid:
    """The marker returned by a handler for a value it reported as unusable."""

    _instance: _Invalid | None = None

    def __new__(cls) -> _Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Final = _Invalid()
"""What a handler returns for a value it could not read (after reporting why)."""


class Context:
    """The state of one load: the problems found so far and the contract currency."""

    def __init__(self, root: object = None) -> None:
        self.problems: list[Problem] = []
        self.currency: Currency | None = None
        self.timezone: str | None = None
        self.root = root

    def report(self, path: Path, message: str, value: object) -> _Invalid:
        """Record a problem at ``path`` and return :data:`INVALID`."""
        self.problems.append(Problem(format_path(path), message, value))
        return INVALID

    def lookup(self, path: Path) -> object:
        """The raw document value at ``path`` (``None`` when there is none)."""
        node = self.root
        for segment in path:
            in_list = isinstance(node, list) and isinstance(segment, int)
            in_table = isinstance(node, Mapping) and isinstance(segment, str)
            if (in_list and 0 <= segment < len(node)) or (in_table and segment in node):  # type: ignore[arg-type, operator]
                node = node[segment]  # type: ignore[index]
            else:
                return None
        return node


class Options:
    """How values are written back: ``native_dates`` keeps dates as :class:`datetime.date`
    (for TOML) instead of ISO strings (for JSON).
    """

    def __init__(self, *, native_dates: bool = False) -> None:
        self.native_dates = native_dates


def _common_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):  # the shorter word ends the prefix
        if x != y:
            break
        length += 1
    return length


def closest(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean "x"?)`` when a choice is close to ``word``, else nothing."""
    lowered = {choice.lower(): choice for choice in choices}
    if word.lower() in lowered:
        return f' (did you mean "{lowered[word.lower()]}"?)'
    matches = difflib.get_close_matches(word, list(choices), n=5, cutoff=0.6)
    if not matches:
        return ""
    # the closest name; among equally close ones, the one that starts like the word
    # (EUX: EUR rather than UGX)
    best = max(
        matches,
        key=lambda match: (
            round(difflib.SequenceMatcher(None, word, match).ratio(), 6),
            _common_prefix(word, match),
        ),
    )
    return f' (did you mean "{best}"?)'


def _kind_of(value: object) -> str:
    """A word for the type of a document value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if value is None:
        return "null"
    return type(value).__name__


def wrong_type(expected: str, value: object) -> str:
    """``must be <expected>, not <kind> (got <value>)``."""
    return f"must be {expected}, not {_kind_of(value)} (got {show(value)})"


def float_message(value: float) -> str:
    """The message for a float where an exact decimal is needed."""
    text = repr(value)
    return (
        f'must be a decimal string, not a float: write "{text}" in quotes so that it '
        f"stays exact (got {text})"
    )


class Handler(abc.ABC):
    """Reads, writes and describes one kind of value."""

    #: Whether a missing value means ``None`` (optional values).
    optional: bool = False

    @abc.abstractmethod
    def structure(self, value: object, path: Path, ctx: Context) -> object:
        """``value`` read from a document, or :data:`INVALID` after reporting why."""

    @abc.abstractmethod
    def unstructure(self, value: Any, options: Options) -> object:
        """``value`` as plain data."""

    @abc.abstractmethod
    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        """The JSON Schema of accepted values (shared definitions go into ``defs``)."""

    def converter_input(self, raw: object, structured: object) -> object:
        """What to give a field's converter to check it (the raw value when the
        converter accepts it, so that its message quotes what the document says).
        """
        return structured


class StrHandler(Handler):
    """A string (``non_empty``: with something other than spaces in it)."""

    def __init__(self, *, non_empty: bool = False) -> None:
        self.non_empty = non_empty

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, str):
            return ctx.report(path, wrong_type("a string", value), value)
        if self.non_empty and not value.strip():
            return ctx.report(path, f"must not be empty (got {show(value)})", value)
        return value

    def unstructure(self, value: Any, options: Options) -> object:
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        if self.non_empty:
            return {"type": "string", "pattern": r"\S"}
        return {"type": "string"}


class BoolHandler(Handler):
    """``true`` or ``false``."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, bool):
            return ctx.report(path, wrong_type("true or false", value), value)
        return value

    def unstructure(self, value: Any, options: Options) -> object:
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "boolean"}


class IntHandler(Handler):
    """A whole number (not a boolean, not a float)."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            return ctx.report(path, wrong_type("a whole number", value), value)
        return value

    def unstructure(self, value: Any, options: Options) -> object:
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "integer"}


_DECIMAL_PATTERN = r"^\s*[+-]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?\s*$"


def _decimal_def(defs: dict[str, Any]) -> dict[str, Any]:
    defs.setdefault(
        "decimal",
        {
            "description": (
                'An exact decimal number written as a string ("0.95", "12000") or '
                "an integer; floats are refused because they are not exact."
            ),
            "anyOf": [
                {"type": "string", "pattern": _DECIMAL_PATTERN},
                {"type": "integer"},
            ],
        },
    )
    return {"$ref": "#/$defs/decimal"}


def read_decimal(value: object, path: Path, ctx: Context) -> Decimal | _Invalid:
    """A decimal from a string or an integer, reporting floats and malformed text."""
    if isinstance(value, float):
        return ctx.report(path, float_message(value), value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ctx.report(path, wrong_type('a decimal string such as "0.95"', value), value)
    try:
        return d.to_decimal(value)
    except LimitError as error:
        return ctx.report(path, _limit_message(error), value)
    except (ValueError, TypeError, ArithmeticError):
        return ctx.report(path, f"is not a decimal number (got {show(value)})", value)


def _limit_message(error: LimitError) -> str:
    """A limit error's message without the generic ``value`` subject it starts with."""
    return str(error).removeprefix("value ")


class DecimalHandler(Handler):
    """An exact decimal: a string such as ``"0.95"`` or an integer."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        return read_decimal(value, path, ctx)

    def unstructure(self, value: Any, options: Options) -> object:
        return str(value)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return _decimal_def(defs)

    def converter_input(self, raw: object, structured: object) -> object:
        return raw


_FRACTION = re.compile(r"^\s*([+-]?\d+)\s*/\s*(\d+)\s*$", re.ASCII)


class FractionHandler(Handler):
    """An exact rational: a decimal string, an integer, or ``"1/3"``."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, str) and (match := _FRACTION.match(value)):
            if max(len(match[1].lstrip("+-")), len(match[2])) > d.MAX_DIGITS:
                return ctx.report(
                    path,
                    f"has a numerator or denominator of more than {d.MAX_DIGITS} digits",
                    value,
                )
            denominator = int(match[2])
            if denominator == 0:
                return ctx.report(path, f"has a zero denominator (got {show(value)})", value)
            return Fraction(int(match[1]), denominator)
        number = read_decimal(value, path, ctx)
        return number if number is INVALID else Fraction(number)  # type: ignore[arg-type]

    def unstructure(self, value: Any, options: Options) -> object:
        exact = Fraction(value)
        shown = d.fraction_to_decimal(exact)
        if Fraction(shown) == exact:
            return str(shown)
        return f"{exact.numerator}/{exact.denominator}"

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {
            "anyOf": [
                _decimal_def(defs),
                {"type": "string", "pattern": r"^\s*[+-]?\d+\s*/\s*\d+\s*$"},
            ]
        }


class MoneyHandler(Handler):
    """An amount in the contract currency: ``"0.95"``, ``"0.95 EUR"`` or an integer.

    A currency code other than the contract's is reported; the amount is written
    back as a plain decimal string.
    """

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, float):
            return ctx.report(path, float_message(value), value)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return ctx.report(
                path, wrong_type('an amount such as "0.95" or "0.95 EUR"', value), value
            )
        amount_text: object = value
        code: str | None = None
        if isinstance(value, str):
            parts = value.split()
            if len(parts) == 2:
                first, second = parts
                if first[:1].isalpha():
                    first, second = second, first
                amount_text, code = first, second
            elif len(parts) != 1:
                return ctx.report(
                    path,
                    f'is not an amount such as "0.95" or "0.95 EUR" (got {show(value)})',
                    value,
                )
        try:
            amount = d.to_decimal(amount_text)
        except LimitError as error:
            return ctx.report(path, _limit_message(error), value)
        except (ValueError, TypeError, ArithmeticError):
            return ctx.report(
                path, f'is not an amount such as "0.95" or "0.95 EUR" (got {show(value)})', value
            )
        currency = ctx.currency
        if code is not None:
            try:
                named = Currency.of(code)
            except UnknownCurrencyError:
                return ctx.report(
                    path,
                    f"unknown currency code {show(code)}{closest(code.upper(), Currency.codes())} "
                    f"(got {show(value)})",
                    value,
                )
            if currency is not None and named != currency:
                return ctx.report(
                    path,
                    f"is in {named.code} but the contract is in {currency.code} "
                    f"(got {show(value)})",
                    value,
                )
            currency = named
        if currency is None:  # the contract currency is itself invalid: check the amount only
            currency = Currency.of("EUR")
        return Money(amount, currency)

    def unstructure(self, value: Any, options: Options) -> object:
        assert isinstance(value, Money)
        return str(value.amount)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        defs.setdefault(
            "money",
            {
                "description": (
                    'An amount in the contract currency: a decimal string ("0.95"), '
                    'optionally with the currency code ("0.95 EUR"), or an integer.'
                ),
                "anyOf": [
                    {
                        "type": "string",
                        "pattern": (
                            r"^\s*([A-Za-z]{3}\s+)?[+-]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)"
                            r"([eE][+-]?\d+)?(\s+[A-Za-z]{3})?\s*$"
                        ),
                    },
                    {"type": "integer"},
                ],
            },
        )
        return {"$ref": "#/$defs/money"}


class CurrencyHandler(Handler):
    """An ISO 4217 currency code such as ``"EUR"``."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, str):
            return ctx.report(
                path, wrong_type('an ISO 4217 currency code such as "EUR"', value), value
            )
        try:
            return Currency.of(value)
        except UnknownCurrencyError as error:
            if "no minor unit" in str(error):
                return ctx.report(
                    path, f"currency {show(value)} has no minor unit and cannot be invoiced", value
                )
            hint = closest(value.strip().upper(), Currency.codes())
            return ctx.report(path, f"unknown currency code {show(value)}{hint}", value)

    def unstructure(self, value: Any, options: Options) -> object:
        return value.code

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "string",
            "description": "An active ISO 4217 currency code.",
            "enum": list(Currency.codes()),
        }


class DateHandler(Handler):
    """A date: a TOML date (``2026-11-16``) or an ISO string (``"2026-11-16"``)."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, dt.datetime):
            return ctx.report(path, f"must be a date, not a date-time (got {show(value)})", value)
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                return ctx.report(
                    path, f"is not a date in the form YYYY-MM-DD (got {show(value)})", value
                )
        return ctx.report(path, wrong_type("a date (YYYY-MM-DD)", value), value)

    def unstructure(self, value: Any, options: Options) -> object:
        return value if options.native_dates else value.isoformat()

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$", re.ASCII)


class TimeHandler(Handler):
    """A wall-clock time of day: ``"22:00"``, ``"06:30:00"``, a TOML local time, or
    ``"24:00"`` for the midnight that ends a day.
    """

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, dt.time):
            if value.tzinfo is not None:
                return ctx.report(
                    path, f"must be a time without a UTC offset (got {show(value)})", value
                )
            return value
        if not isinstance(value, str):
            return ctx.report(path, wrong_type('a time of day such as "22:00"', value), value)
        match = _TIME.match(value)
        if match:
            hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
            if (hour, minute, second) == (24, 0, 0):
                return dt.time(0)
            if hour < 24 and minute < 60 and second < 60:
                return dt.time(hour, minute, second)
        return ctx.report(
            path, f"is not a time of day in the form HH:MM (got {show(value)})", value
        )

    def unstructure(self, value: Any, options: Options) -> object:
        if value.microsecond:
            return value.isoformat()
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$"}


class EnumHandler(Handler):
    """A member of an enumeration, by its lower-case name (``"half_up"``)."""

    def __init__(self, enum_type: type[enum.Enum]) -> None:
        self.enum_type = enum_type
        self.choices = [member.name.lower() for member in enum_type]

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        choices = ", ".join(self.choices)
        if not isinstance(value, str):
            return ctx.report(path, wrong_type(f"one of {choices}", value), value)
        key = value.strip().lower().replace("-", "_")
        for member in self.enum_type:
            if member.name.lower() == key:
                return member
        return ctx.report(
            path, f"must be one of {choices}{closest(key, self.choices)} (got {show(value)})", value
        )

    def unstructure(self, value: Any, options: Options) -> object:
        return value.name.lower()

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


class LiteralHandler(Handler):
    """One of a few fixed strings."""

    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = list(choices)

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        choices = ", ".join(self.choices)
        if not isinstance(value, str):
            return ctx.report(path, wrong_type(f"one of {choices}", value), value)
        if value not in self.choices:
            return ctx.report(
                path,
                f"must be one of {choices}{closest(value, self.choices)} (got {show(value)})",
                value,
            )
        return value

    def unstructure(self, value: Any, options: Options) -> object:
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


class OptionalHandler(Handler):
    """A value that may be left out (or be ``null`` in JSON), meaning ``None``."""

    optional = True

    def __init__(self, inner: Handler) -> None:
        self.inner = inner

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if value is None:
            return None
        return self.inner.structure(value, path, ctx)

    def unstructure(self, value: Any, options: Options) -> object:
        return None if value is None else self.inner.unstructure(value, options)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return self.inner.schema(defs)

    def converter_input(self, raw: object, structured: object) -> object:
        if raw is None:
            return None
        return self.inner.converter_input(raw, structured)


def _string_list(value: object, path: Path, ctx: Context, what: str) -> list[str] | _Invalid:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return ctx.report(path, wrong_type(what, value), value)
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            ctx.report((*path, index), wrong_type("a non-empty string", item), item)
            ok = False
    return value if ok else INVALID


class TagsHandler(Handler):
    """A set of strings: a list (``["usage", "phone"]``) or a single string."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        items = _string_list(value, path, ctx, "a list of strings")
        return items if items is INVALID else frozenset(items)  # type: ignore[arg-type]

    def unstructure(self, value: Any, options: Options) -> object:
        return sorted(value)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
            ]
        }


class StrListHandler(Handler):
    """An ordered list of strings (a single string is a list of one)."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        items = _string_list(value, path, ctx, "a list of strings")
        return items if items is INVALID else tuple(items)  # type: ignore[arg-type]

    def unstructure(self, value: Any, options: Options) -> object:
        return list(value)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string", "minLength": 1}},
            ]
        }


class ListHandler(Handler):
    """A list of values of one kind, read into a tuple."""

    def __init__(self, inner: Handler) -> None:
        self.inner = inner

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, list):
            return ctx.report(path, wrong_type("a list", value), value)
        items = [
            self.inner.structure(item, (*path, index), ctx) for index, item in enumerate(value)
        ]
        if any(item is INVALID for item in items):
            return INVALID
        return tuple(items)

    def unstructure(self, value: Any, options: Options) -> object:
        return [self.inner.unstructure(item, options) for item in value]

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "array", "items": self.inner.schema(defs)}


class MappingHandler(Handler):
    """A table of string keys to values of one kind, read into a dict."""

    def __init__(self, inner: Handler) -> None:
        self.inner = inner

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type("a table", value), value)
        result = {
            key: self.inner.structure(item, (*path, str(key)), ctx) for key, item in value.items()
        }
        if any(item is INVALID for item in result.values()):
            return INVALID
        return result

    def unstructure(self, value: Any, options: Options) -> object:
        return {key: self.inner.unstructure(item, options) for key, item in value.items()}

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.inner.schema(defs)}


class PairsHandler(Handler):
    """Named values kept in order as ``((name, value), ...)``, written as a table
    (``{presales = "2600", aftersales = "2300"}``).
    """

    def __init__(self, inner: Handler) -> None:
        self.inner = inner

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type("a table of names to values", value), value)
        pairs = [
            (str(key), self.inner.structure(item, (*path, str(key)), ctx))
            for key, item in value.items()
        ]
        if any(item is INVALID for _, item in pairs):
            return INVALID
        return tuple(pairs)

    def unstructure(self, value: Any, options: Options) -> object:
        return {key: self.inner.unstructure(item, options) for key, item in value}

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.inner.schema(defs)}


class EitherHandler(Handler):
    """A single value or a list of values (a flat percentage or a list of tiers)."""

    def __init__(self, single: Handler, many: Handler) -> None:
        self.single = single
        self.many = many

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        handler = self.many if isinstance(value, list) else self.single
        return handler.structure(value, path, ctx)

    def unstructure(self, value: Any, options: Options) -> object:
        handler = self.many if isinstance(value, tuple) else self.single
        return handler.unstructure(value, options)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [self.single.schema(defs), self.many.schema(defs)]}


_MONTH_DAY = re.compile(r"^\s*(\d{1,2})-(\d{1,2})\s*$", re.ASCII)


class MonthDayHandler(Handler):
    """A day of the year, ``"MM-DD"`` (``"11-11"``), read as ``(month, day)``."""

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        match = _MONTH_DAY.match(value) if isinstance(value, str) else None
        if match is None:
            if isinstance(value, str):
                return ctx.report(
                    path, f'must be written MM-DD, such as "11-11" (got {show(value)})', value
                )
            return ctx.report(path, wrong_type('a day of the year such as "11-11"', value), value)
        return (int(match[1]), int(match[2]))

    def unstructure(self, value: Any, options: Options) -> object:
        month, day = value
        return f"{month:02d}-{day:02d}"

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\s*\d{1,2}-\d{1,2}\s*$"}

    def converter_input(self, raw: object, structured: object) -> object:
        return raw


class WhereHandler(Handler):
    """A dimension filter: a table of dimension names to a value or a list of values
    (``{channel = "phone", language = ["de", "fr"]}``).
    """

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, Mapping):
            return ctx.report(
                path, wrong_type("a table of dimension names to values", value), value
            )
        ok = True
        conditions: dict[str, object] = {}
        for name, allowed in value.items():
            where = (*path, str(name))
            strings = isinstance(allowed, list) and all(isinstance(v, str) for v in allowed)
            if not str(name).strip():
                ctx.report(where, "is not a dimension name: it must not be empty", allowed)
                ok = False
            elif isinstance(allowed, str) or (strings and allowed):
                conditions[name] = allowed
            elif isinstance(allowed, list) and not allowed:
                ctx.report(where, "allows no value at all: give at least one (got [])", allowed)
                ok = False
            else:
                ctx.report(where, wrong_type("a string or a list of strings", allowed), allowed)
                ok = False
        if not ok:
            return INVALID
        return Where(conditions)

    def unstructure(self, value: Any, options: Options) -> object:
        assert isinstance(value, Where)
        return value.to_dict()

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        defs.setdefault(
            "where",
            {
                "description": (
                    "A filter on dimensions: each named dimension must take the given value "
                    "or one of the listed values."
                ),
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    ]
                },
            },
        )
        return {"$ref": "#/$defs/where"}


_CYCLE_UNITS = ("day", "week", "month", "quarter", "year", "semimonth")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_REFERENCE_MONDAY = dt.date(2000, 1, 3)


class CycleHandler(Handler):
    """A billing cycle: ``"month"`` or ``{unit = "month", anchor_day = 15}``.

    Keys: ``unit`` (day, week, month, quarter, year, semimonth), ``interval`` (a
    whole number of units, default 1) and one way to anchor the periods: ``anchor``
    (the first day of any period), ``anchor_day`` (day of the month, for months; for
    semi-monthly cycles the first day of the second half, default 16) or ``weekday``
    (``"monday"`` ..., for weeks).
    """

    _keys = ("unit", "interval", "anchor", "anchor_day", "weekday")

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, str):
            value = {"unit": value}
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type('a unit such as "month" or a table', value), value)
        ok = True
        for key in value:
            if key not in self._keys:
                ctx.report(
                    (*path, str(key)),
                    f"unknown field{closest(str(key), self._keys)}; a cycle takes "
                    + ", ".join(self._keys),
                    value[key],
                )
                ok = False
        if "unit" not in value:
            ctx.report((*path, "unit"), "is required: one of " + ", ".join(_CYCLE_UNITS), None)
            return INVALID
        unit = LiteralHandler(_CYCLE_UNITS).structure(value["unit"], (*path, "unit"), ctx)
        interval: object = 1
        if "interval" in value:
            # its range is checked by Cycle itself, below
            interval = IntHandler().structure(value["interval"], (*path, "interval"), ctx)
        anchors = [key for key in ("anchor", "anchor_day", "weekday") if key in value]
        if len(anchors) > 1:
            ctx.report(
                (*path, anchors[1]), f"give only one of {', '.join(anchors)}", value[anchors[1]]
            )
            return INVALID
        if unit is INVALID or interval is INVALID:
            return INVALID
        anchor = self._anchor(value, str(unit), path, ctx)
        if anchor is INVALID:
            return INVALID
        assert isinstance(anchor, dt.date)
        assert isinstance(interval, int)
        try:  # Cycle validates its fields: report what it refuses at the field's path
            cycle = Cycle(str(unit), anchor, interval)  # type: ignore[arg-type]
            return cycle if ok else INVALID
        except (ValueError, TypeError, ArithmeticError) as error:
            message = str(error)
            if unit == "semimonth" and "second half" in message:  # its anchor's day
                key = "anchor" if "anchor" in value else "anchor_day"
                return ctx.report((*path, key), message, value.get(key))
            # the unit and the anchor are read above: the interval is what Cycle refuses
            message = message.removeprefix("interval ")
            return ctx.report((*path, "interval"), message, value.get("interval"))

    def _anchor(self, value: Mapping[str, object], unit: str, path: Path, ctx: Context) -> object:
        if "anchor" in value:
            return DateHandler().structure(value["anchor"], (*path, "anchor"), ctx)
        if "anchor_day" in value:
            raw = value["anchor_day"]
            where = (*path, "anchor_day")
            if unit not in ("month", "semimonth"):
                return ctx.report(
                    where,
                    f"applies to monthly and semi-monthly cycles only, not to {unit!r}; use anchor",
                    raw,
                )
            day = IntHandler().structure(raw, where, ctx)
            if day is INVALID:
                return INVALID
            low, high = (1, 31) if unit == "month" else (2, 28)
            if not low <= day <= high:  # type: ignore[operator]
                what = "" if unit == "month" else " (the first day of the second half)"
                return ctx.report(where, f"must be {low} to {high}{what} (got {show(raw)})", raw)
            return dt.date(2000, 1, day)  # type: ignore[arg-type]
        if "weekday" in value:
            raw = value["weekday"]
            where = (*path, "weekday")
            if unit != "week":
                return ctx.report(
                    where, f"applies to weekly cycles only, not to {unit!r}; use anchor", raw
                )
            day = LiteralHandler(_WEEKDAYS).structure(raw, where, ctx)
            if day is INVALID:
                return INVALID
            return _REFERENCE_MONDAY + dt.timedelta(days=_WEEKDAYS.index(str(day)))
        if unit == "semimonth":
            return dt.date(2000, 1, 16)
        return dt.date(2000, 1, 1) if unit != "week" else _REFERENCE_MONDAY

    def unstructure(self, value: Any, options: Options) -> object:
        assert isinstance(value, Cycle)
        out: dict[str, object] = {"unit": value.unit}
        if value.interval != 1:
            out["interval"] = value.interval
        anchor = value.anchor
        if value.unit == "month" and anchor.year == 2000 and anchor.month == 1:
            if anchor.day != 1:
                out["anchor_day"] = anchor.day
        elif value.unit == "semimonth":
            if anchor.day != 16:
                out["anchor_day"] = anchor.day
        elif value.unit == "week" and 0 <= (anchor - _REFERENCE_MONDAY).days < 7:
            if anchor != _REFERENCE_MONDAY:
                out["weekday"] = _WEEKDAYS[(anchor - _REFERENCE_MONDAY).days]
        elif anchor != dt.date(2000, 1, 1):
            out["anchor"] = DateHandler().unstructure(anchor, options)
        return out

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {
            "description": "The billing cycle: consecutive periods of interval units.",
            "anyOf": [
                {"type": "string", "enum": list(_CYCLE_UNITS)},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["unit"],
                    "properties": {
                        "unit": {"type": "string", "enum": list(_CYCLE_UNITS)},
                        "interval": {"type": "integer", "minimum": 1},
                        "anchor": DateHandler().schema(defs),
                        "anchor_day": {"type": "integer", "minimum": 1, "maximum": 31},
                        "weekday": {"type": "string", "enum": list(_WEEKDAYS)},
                    },
                },
            ],
        }
