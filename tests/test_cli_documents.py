"""The command line's documents: invoice and credit note schemas, and ``rerate``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from test_cli import CONTRACT, USAGE, call, write

from meterprice import Invoice
from meterprice.corrections import CreditNote
from meterprice.documents import credit_note_schema, invoice_schema

# an escalation of 3 hours reported after November was invoiced
LATE_ROW = "task_hours,3,2026-11-28T10:00:00+01:00,,,escalation\n"


def test_schema_of_invoices_and_credit_notes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "schema", "--invoice")
    assert code == 0
    assert json.loads(out) == invoice_schema()
    code, out, _ = call(capsys, "schema", "--credit-note")
    assert code == 0
    assert json.loads(out) == credit_note_schema()
    code, out, _ = call(capsys, "schema")
    assert json.loads(out)["properties"]["meterprice"]["const"] == 1  # contracts, as before
    code, _, err = call(capsys, "schema", "--invoice", "--credit-note")
    assert code == 2
    assert "not allowed with argument" in err


def _original(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[str, dict[str, object]]:
    code, out, _ = call(capsys, "quote", CONTRACT, USAGE, "--period", "2026-11", "--format", "json")
    assert code == 0
    (invoice,) = json.loads(out)["invoices"]
    invoice["reference"] = "INV-2026-11"
    return write(tmp_path / "INV-2026-11.json", json.dumps(invoice)), invoice


def test_rerate_prints_the_debit_note_of_late_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    original, invoice = _original(capsys, tmp_path)
    late = write(tmp_path / "late.csv", Path(USAGE).read_text(encoding="utf-8") + LATE_ROW)
    code, out, err = call(
        capsys, "rerate", original, CONTRACT, late, "--reason", "late escalations",
        "--reference", "DN-1", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, credit_note_schema())
    # 3 h x 42.00 = 126.00; project management 6 % of it = 7.56
    assert [(line["component"], line["quantity"], line["amount"]) for line in data["lines"]] == [
        ("Escalations", "3", "126.00"),
        ("Project management", "126", "7.56"),
    ]
    assert (data["kind"], data["total"], data["original"], data["reference"]) == (
        "debit",
        "133.56",
        "INV-2026-11",
        "DN-1",
    )
    note = CreditNote.from_dict(data)
    code, out, _ = call(capsys, "quote", CONTRACT, late, "--period", "2026-11", "--format", "json")
    (revised,) = json.loads(out)["invoices"]
    assert note.total == Invoice.from_dict(revised).total - Invoice.from_dict(invoice).total
    code, out, _ = call(capsys, "rerate", original, CONTRACT, late, "--reason", "late escalations")
    assert out.splitlines()[0] == (
        "Debit note to invoice INV-2026-11: Pay-per-use support, 2026-11 (EUR)"
    )
    assert out.splitlines()[-1] == "  total = 133.56 EUR"


def test_rerate_with_the_same_usage_prints_an_empty_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    original, _ = _original(capsys, tmp_path)
    code, out, _ = call(
        capsys, "rerate", original, CONTRACT, USAGE, "--reason", "check", "--format", "json"
    )
    assert code == 0
    assert (json.loads(out)["kind"], json.loads(out)["lines"]) == ("none", [])


def test_rerate_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    original, invoice = _original(capsys, tmp_path)
    code, _, err = call(
        capsys, "rerate", str(tmp_path / "none.json"), CONTRACT, USAGE, "--reason", "r"
    )
    assert (code, err) == (
        2,
        f"meterprice rerate: error: cannot read invoice {str(tmp_path / 'none.json')!r}: "
        "no such file\n",
    )
    invoice["total"] = "1.00"
    bad = write(tmp_path / "bad.json", json.dumps(invoice))
    code, _, err = call(capsys, "rerate", bad, CONTRACT, USAGE, "--reason", "r")
    assert code == 1
    assert err == (
        f'meterprice: error: {bad}: total: is not the sum of the lines (5521.90) (got "1.00")\n'
    )
    code, _, err = call(capsys, "rerate", original, CONTRACT, USAGE)
    assert code == 2
    assert "the following arguments are required: --reason" in err
    other = write(
        tmp_path / "other.toml",
        Path(CONTRACT)
        .read_text(encoding="utf-8")
        .replace('name = "Pay-per-use support"', 'name = "Other"'),
    )
    code, _, err = call(capsys, "rerate", original, other, USAGE, "--reason", "r")
    assert code == 1
    assert "of contract 'Pay-per-use support', not 'Other'" in err
