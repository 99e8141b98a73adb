"""The command line prices contracts whose terms span invoices: each invoice of a
range starts from the state the one before it left.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meterprice import cli

CONTRACT = """
meterprice = 1
name = "Committed"
currency = "EUR"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "1.00"
tags = ["usage"]

[[components]]
type = "commitment"
name = "Quarterly commitment"
amount = "3000.00"
per = "quarter"
of = ["usage"]
"""

USAGE = """metric,quantity,timestamp
minutes,500,2026-01-10T10:00:00Z
minutes,700,2026-02-10T10:00:00Z
minutes,300,2026-03-10T10:00:00Z
"""


def test_quote_carries_a_commitment_through_the_quarter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = tmp_path / "committed.toml"
    contract.write_text(CONTRACT, encoding="utf-8")
    usage = tmp_path / "usage.csv"
    usage.write_text(USAGE, encoding="utf-8")
    argv = ["quote", str(contract), str(usage), "--period", "2026-Q1", "--format", "json"]
    assert cli.main([*argv, "--no-progress"]) == 0
    document = json.loads(capsys.readouterr().out)
    # 500 + 700 + 300 = 1,500 of the 3,000 committed: the March invoice trues up 1,500.00
    assert [invoice["total"] for invoice in document["invoices"]] == [
        "500.00",
        "700.00",
        "1800.00",
    ]
    assert document["total"] == "3000.00"
    march = document["invoices"][2]["lines"]
    assert [line["description"] for line in march] == [
        "Minutes",
        "Quarterly commitment: true-up",
    ]
    # a single month is priced from a fresh state: February alone is no quarter's end
    argv = ["quote", str(contract), str(usage), "--period", "2026-02", "--format", "json"]
    assert cli.main([*argv, "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == "700.00"
