"""``--format json`` on every command, errors included; ``explain --line``; ``quote``
with ``unpriced = "ignore"``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from meterprice import cli

CONTRACT = """\
meterprice = 1
name = "PPU"
currency = "EUR"
unpriced = "ignore"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "0.95"

[[components]]
type = "recurring_fee"
name = "Base"
amount = "100.00"
"""

USAGE = """\
metric,quantity,timestamp
minutes,10,2026-11-03T10:00:00Z
minutes,2.5,2026-11-04T10:00:00Z
chats,3,2026-11-03T10:00:00Z
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "contract": tmp_path / "c.toml",
        "strict": tmp_path / "strict.toml",
        "bad": tmp_path / "bad.toml",
        "usage": tmp_path / "u.csv",
        "bad_usage": tmp_path / "bad.csv",
    }
    paths["contract"].write_text(CONTRACT)
    paths["strict"].write_text(CONTRACT.replace('unpriced = "ignore"\n', ""))
    paths["bad"].write_text(
        'meterprice = 1\nname = "X"\ncurrency = "EUX"\n'
        '[[components]]\ntype = "per_unit"\nname = "M"\nmetric = "m"\nrate = "abc"\n'
    )
    paths["usage"].write_text(USAGE)
    paths["bad_usage"].write_text(
        "metric,quantity,timestamp\nminutes,x,2026-11-03T10:00:00Z\nminutes,1,soon\n"
    )
    return {key: str(path) for key, path in paths.items()}


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code, out, err = call(capsys, *args, "--format", "json")
    assert err == ""
    return code, json.loads(out)


def test_quote_honours_unpriced_ignore(capsys: Any, files: dict[str, str]) -> None:
    code, document = json_call(
        capsys, "quote", files["contract"], files["usage"], "--period", "2026-11"
    )
    assert code == 0
    # the chats nobody prices are left out: 12.5 x 0.95 = 11.875 -> 11.88, + 100.00
    assert document["total"] == "111.88"
    code, _, err = call(capsys, "quote", files["strict"], files["usage"], "--period", "2026-11")
    assert code == 1
    assert "chats" in err


def test_explain_one_line(capsys: Any, files: dict[str, str]) -> None:
    code, out, _ = call(
        capsys,
        "explain",
        files["contract"],
        files["usage"],
        "--period",
        "2026-11",
        "--line",
        "Minutes",
    )
    assert code == 0
    assert out == "PPU, 2026-11:\n  Minutes: 12.5 x 0.95 EUR = 11.875 EUR, rounded to 11.88 EUR\n"
    code, document = json_call(
        capsys,
        "explain",
        files["contract"],
        files["usage"],
        "--period",
        "2026-11",
        "--line",
        "Base",
    )
    assert code == 0
    (period,) = document["periods"]
    assert period["period"] == "2026-11"
    assert [line["explanation"] for line in period["lines"]] == [
        "Base: 100.00 EUR per period = 100 EUR"
    ]
    code, document = json_call(
        capsys,
        "explain",
        files["contract"],
        files["usage"],
        "--period",
        "2026-11",
        "--line",
        "Nope",
    )
    assert code == 2
    assert document["error"]["message"] == (
        "no line of 'PPU' is called 'Nope' (its components with lines: 'Base', 'Minutes')"
    )


def test_explain_as_json(capsys: Any, files: dict[str, str]) -> None:
    code, document = json_call(
        capsys, "explain", files["contract"], files["usage"], "--period", "2026-11"
    )
    assert code == 0
    assert document["command"] == "explain"
    assert document["total"] == "111.88"
    assert document["explanations"][0].endswith("total = 11.88 + 100.00 = 111.88 EUR")


def test_validate_lists_every_problem_of_every_document(capsys: Any, files: dict[str, str]) -> None:
    code, document = json_call(capsys, "validate", files["contract"])
    assert code == 0
    assert document["contracts"] == [
        {"file": files["contract"], "name": "PPU", "currency": "EUR", "components": 2, "meters": 0}
    ]
    code, document = json_call(capsys, "validate", files["contract"], files["bad"])
    assert code == 1
    error = document["error"]
    assert error["message"] == "1 of 2 contract documents are not valid"
    assert [(p["file"], p["path"]) for p in error["problems"]] == [
        (files["bad"], "currency"),
        (files["bad"], "components[0].rate"),
    ]
    assert [c["name"] for c in document["contracts"]] == ["PPU"]


def test_errors_of_every_kind_as_json(capsys: Any, files: dict[str, str]) -> None:
    # a contract error: exit 1, every problem with its path
    code, document = json_call(capsys, "quote", files["bad"], files["usage"], "--period", "2026-11")
    assert code == 1
    assert [p["path"] for p in document["error"]["problems"]] == ["currency", "components[0].rate"]
    # bad rows of a usage file: exit 1, each with its line
    code, document = json_call(
        capsys, "quote", files["contract"], files["bad_usage"], "--period", "2026-11"
    )
    assert code == 1
    assert [(p["line"], p["message"][:8]) for p in document["error"]["problems"]] == [
        (2, "quantity"),
        (3, "timestam"),
    ]
    # a usage error: exit 2
    code, document = json_call(
        capsys, "quote", files["contract"], "missing.csv", "--period", "2026-11"
    )
    assert code == 2
    assert document["error"]["problems"] == [
        {"path": "", "message": "cannot read usage file 'missing.csv': no such file"}
    ]
    # a command line that cannot be read: exit 2, as JSON too
    code, document = json_call(capsys, "quote", files["contract"])
    assert code == 2
    assert document["command"] == "quote"
    assert document["error"]["message"] == "the following arguments are required: usage"
    code, out, _ = call(capsys, "quote", files["contract"], "--format=json")
    assert code == 2
    assert json.loads(out)["error"]["message"] == "the following arguments are required: usage"
    # a pricing error: exit 1
    code, document = json_call(
        capsys, "quote", files["strict"], files["usage"], "--period", "2026-11"
    )
    assert code == 1
    assert "chats" in document["error"]["message"]


def test_text_errors_stay_on_stderr(capsys: Any, files: dict[str, str]) -> None:
    code, out, err = call(capsys, "quote", files["contract"])
    assert code == 2
    assert out == ""
    assert "the following arguments are required: usage" in err


def test_schema_and_demo_as_json(capsys: Any) -> None:
    code, out, _ = call(capsys, "schema", "--format", "json")
    assert code == 0
    assert json.loads(out)["$schema"].startswith("https://json-schema.org/")
    code, document = json_call(capsys, "demo")
    assert code == 0
    assert document["command"] == "demo"
    first = document["examples"][0]
    assert first["file"] == "pay_per_use.toml"
    assert Decimal(first["total"]) == sum(Decimal(i["total"]) for i in first["invoices"])


def test_failures_of_the_system_as_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "contract_schema", disk_full)
    code, document = json_call(capsys, "schema")
    assert code == 2
    assert document["error"]["message"] == "[Errno 28] No space left on device"

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "contract_schema", interrupted)
    code, document = json_call(capsys, "schema")
    assert code == 130
    assert document["error"]["message"] == "interrupted"
