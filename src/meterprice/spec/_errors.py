"""The error of contract documents: every problem found, each with its path and value."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from meterprice.errors import MeterpriceError

__all__ = ["Path", "Problem", "SpecError", "format_path", "show"]

Path = tuple[str | int, ...]
"""A location in a document: keys and list indexes from the root."""

_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(path: Path) -> str:
    """``("components", 2, "tiers", 1, "up_to")`` as ``components[2].tiers[1].up_to``.

    Keys that are not plain identifiers are quoted: ``prices."de-CH"``.
    """
    out = ""
    for segment in path:
        if isinstance(segment, int):
            out += f"[{segment}]"
            continue
        key = segment if _BARE_KEY.match(segment) else json.dumps(segment, ensure_ascii=False)
        out += f".{key}" if out else key
    return out


def show(value: object, limit: int = 60) -> str:
    """A value as it is written in a TOML or JSON document, shortened to ``limit``."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, (int, float)):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


class Problem(NamedTuple):
    """One problem in a contract document: where, what and the value found there.

    >>> from meterprice.spec import Problem
    >>> str(Problem("components[0].rate", "must be a decimal string (got 0.95)", 0.95))
    'components[0].rate: must be a decimal string (got 0.95)'
    """

    path: str
    """Where the problem is: ``components[2].tiers[1].up_to`` (empty for the whole document)."""
    message: str
    """What is wrong, ending with the offending value: ``must be greater than 10000 (got 5000)``."""
    value: object
    """The offending value as read from the document (``None`` when it is missing)."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(MeterpriceError, ValueError):
    """A contract document that cannot be loaded, with every problem found in it.

    ``problems`` lists them all, in document order, as :class:`Problem` values
    (``(path, message, value)`` tuples); ``source`` names the file when there is one.

    >>> try:
    ...     load_contract({"meterprice": 1, "name": "X", "currency": "EUX", "components": []})
    ... except SpecError as error:
    ...     print(error)
    currency: unknown currency code "EUX" (did you mean "EUR"?)
    """

    problems: list[Problem]
    source: str | None

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return f"{prefix}{self.problems[0]}"
        lines = [f"{prefix}{len(self.problems)} problems:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()

    def with_source(self, source: str) -> SpecError:
        """The same problems, naming the file they were found in."""
        return SpecError(self.problems, source=source)

    @property
    def paths(self) -> Sequence[str]:
        """The path of each problem, in order."""
        return [problem.path for problem in self.problems]
