"""Sanity checks for the bundled ISO 4217 table (src/meterprice/data/iso4217.csv).

The table is the SIX-maintained ISO 4217 "List One" (current currency, fund
and precious-metal codes), one row per alphabetic code.  ``minor_units`` is
empty where the list says "N.A." (XAU, XDR, XTS, XXX, ...).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from importlib.resources import files
from pathlib import Path

import pytest

HEADER = ["code", "numeric", "minor_units", "name"]

_CODE_RE = re.compile(r"[A-Z]{3}")
_NUMERIC_RE = re.compile(r"[0-9]{3}")

_REPO_ROOT = Path(__file__).resolve().parents[1]

Table = dict[str, tuple[str, str, str]]
"""code -> (numeric, minor_units, name)"""


def _read_table_text() -> str:
    """Return the CSV text, via package resources when meterprice is importable."""
    if importlib.util.find_spec("meterprice") is not None:
        resource = files("meterprice") / "data" / "iso4217.csv"
        return resource.read_text(encoding="utf-8")
    return (_REPO_ROOT / "src/meterprice/data/iso4217.csv").read_text(encoding="utf-8")


def _read_rows() -> list[list[str]]:
    return list(csv.reader(_read_table_text().splitlines()))


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    return _read_rows()


@pytest.fixture(scope="module")
def table(rows: list[list[str]]) -> Table:
    return {r[0]: (r[1], r[2], r[3]) for r in rows[1:]}


def test_header(rows: list[list[str]]) -> None:
    assert rows[0] == HEADER


def test_every_row_has_four_fields(rows: list[list[str]]) -> None:
    bad = [r for r in rows[1:] if len(r) != len(HEADER)]
    assert bad == []


def test_table_is_not_trivially_small(rows: list[list[str]]) -> None:
    # List One has about 180 codes; guard against a truncated file.
    assert len(rows) - 1 >= 150


def test_codes_are_three_uppercase_letters_and_unique(rows: list[list[str]]) -> None:
    codes = [r[0] for r in rows[1:]]
    assert [c for c in codes if not _CODE_RE.fullmatch(c)] == []
    assert len(codes) == len(set(codes))


def test_numerics_are_three_digits_and_unique(rows: list[list[str]]) -> None:
    numerics = [r[1] for r in rows[1:]]
    assert [n for n in numerics if not _NUMERIC_RE.fullmatch(n)] == []
    assert len(numerics) == len(set(numerics))


def test_minor_units_are_empty_or_known(rows: list[list[str]]) -> None:
    bad = [r for r in rows[1:] if r[2] not in {"", "0", "2", "3", "4"}]
    assert bad == []


def test_names_are_present(rows: list[list[str]]) -> None:
    assert [r for r in rows[1:] if not r[3].strip()] == []


@pytest.mark.parametrize(
    ("code", "numeric", "minor_units"),
    [
        ("EUR", "978", "2"),
        ("USD", "840", "2"),
        ("CNY", "156", "2"),
        ("JPY", "392", "0"),
        ("KRW", "410", "0"),
        ("BHD", "048", "3"),
        ("KWD", "414", "3"),
        ("CLF", "990", "4"),
        ("GBP", "826", "2"),
        ("CHF", "756", "2"),
        ("SEK", "752", "2"),
        ("INR", "356", "2"),
    ],
)
def test_spot_checks(table: Table, code: str, numeric: str, minor_units: str) -> None:
    assert code in table
    assert table[code][:2] == (numeric, minor_units)


@pytest.mark.parametrize("code", ["XAU", "XAG", "XPT", "XPD", "XDR", "XTS", "XXX"])
def test_not_applicable_minor_units_are_empty(table: Table, code: str) -> None:
    assert table[code][1] == ""


@pytest.mark.parametrize(
    "code",
    ["SLL", "HRK", "ZWL", "ANG", "MRO", "STD", "VEF", "CUC", "BGN", "LTL", "BYR"],
)
def test_withdrawn_codes_are_absent(table: Table, code: str) -> None:
    assert code not in table


@pytest.mark.parametrize(
    ("code", "numeric", "minor_units"),
    [
        ("SLE", "925", "2"),
        ("VES", "928", "2"),
        ("VED", "926", "2"),
        ("ZWG", "924", "2"),
        ("XCG", "532", "2"),
        ("MRU", "929", "2"),
        ("STN", "930", "2"),
        ("UYW", "927", "4"),
        ("ISK", "352", "0"),
        ("UGX", "800", "0"),
        ("VND", "704", "0"),
        ("IQD", "368", "3"),
        ("LYD", "434", "3"),
    ],
)
def test_recent_changes(table: Table, code: str, numeric: str, minor_units: str) -> None:
    assert table[code][:2] == (numeric, minor_units)
