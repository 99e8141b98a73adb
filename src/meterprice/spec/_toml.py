"""A small TOML writer for contract documents (the standard library reads TOML only).

It writes what :func:`~meterprice.dump_contract` produces: top-level keys, then each
list of tables (``[[meters]]``, ``[[components]]``) as an array of tables; nested
tables become inline tables and a list of tables inside a table is written one inline
table per line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from meterprice.errors import InvalidValueError

__all__ = ["dumps_toml"]

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else _string(key)


def _string(text: str) -> str:
    # JSON escapes quotes, backslashes and control characters the way TOML does;
    # TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _is_table_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _value(value: object, *, multiline: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, list):
        if multiline and _is_table_list(value):
            rows = "".join(f"    {_value(item)},\n" for item in value)
            return "[\n" + rows + "]"
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise InvalidValueError(f"cannot write {value!r} ({type(value).__name__}) as TOML")


_WIDTH = 88


def _nested(value: object) -> bool:
    """Whether an inline rendering of ``value`` would hold a list of tables."""
    if isinstance(value, Mapping):
        return any(_is_table_list(v) or _nested(v) for v in value.values())
    if isinstance(value, list):
        return any(_nested(v) for v in value)
    return False


def _section(key: str, value: object) -> bool:
    """Whether ``key = value`` inside a table reads better as a table section."""
    if isinstance(value, Mapping) and value:
        return _nested(value) or len(f"{key} = {_value(value)}") > _WIDTH
    if _is_table_list(value):
        assert isinstance(value, list)
        return any(_nested(item) or len(_value(item)) > _WIDTH - 6 for item in value)
    return False


def _write_table(prefix: str, table: Mapping[str, Any], lines: list[str]) -> None:
    later: list[tuple[str, object]] = []
    for key, value in table.items():
        if _section(key, value):
            later.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value, multiline=bool(prefix))}")
    for key, value in later:
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        if isinstance(value, Mapping):
            if not all(_section(k, v) for k, v in value.items()):
                lines.extend(["", f"[{name}]"])  # else the sections below imply it
            _write_table(name, value, lines)
        else:
            assert isinstance(value, list)
            for item in value:
                lines.extend(["", f"[[{name}]]"])
                _write_table(name, item, lines)


def dumps_toml(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML document.

    >>> print(
    ...     dumps_toml(
    ...         {
    ...             "meterprice": 1,
    ...             "cycle": {"unit": "month"},
    ...             "components": [{"type": "per_unit", "rate": "0.95"}],
    ...         }
    ...     ),
    ...     end="",
    ... )
    meterprice = 1
    cycle = { unit = "month" }
    <BLANKLINE>
    [[components]]
    type = "per_unit"
    rate = "0.95"
    """
    lines: list[str] = []
    top = {key: value for key, value in data.items() if not _is_table_list(value)}
    _write_table("", top, lines)
    for key, tables in data.items():
        if _is_table_list(tables):
            for table in tables:
                lines.extend(["", f"[[{_key(key)}]]"])
                _write_table(_key(key), table, lines)
    return "\n".join(lines) + "\n"
