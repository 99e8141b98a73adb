"""The ``meterprice`` command, run for real in subprocesses (and in-process where a
test needs to reach inside: a terminal for the progress bar, failing streams)."""

from __future__ import annotations

import atexit
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import pytest
from test_usagefiles import PPU_TOML, PPU_USAGE

from meterprice import Invoice, Period, cli, usagefiles
from meterprice.documents import invoice_schema
from meterprice.spec import load_contract

EXAMPLES = Path(usagefiles.__file__).parent / "examples"

# the pay-per-use contract and usage of the usage file tests, as files
_FILES = Path(tempfile.mkdtemp(prefix="meterprice-cli-"))
atexit.register(shutil.rmtree, _FILES, ignore_errors=True)
CONTRACT = str(_FILES / "pay_per_use.toml")
USAGE = str(_FILES / "pay_per_use.usage.csv")
Path(CONTRACT).write_text(PPU_TOML, encoding="utf-8")
Path(USAGE).write_text(PPU_USAGE, encoding="utf-8")

FLAT = """
meterprice = 1
name = "Flat fee"
currency = "EUR"

[[components]]
type = "recurring_fee"
name = "Team"
amount = "6000.00"
"""

BAD_TIERS = """
meterprice = 1
name = "Bad"
currency = "EUR"

[[components]]
type = "setup_fee"
name = "Setup"
amount = "100"
on = 2026-11-01

[[components]]
type = "per_unit"
name = "Minutes"
metric = "m"
rate = "0.95"

[[components]]
type = "tiered"
name = "Chats"
metric = "chats"
tiers = [{ up_to = "10000", rate = "0.90" }, { up_to = "5000", rate = "0.80" }, { rate = "0.70" }]
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m meterprice ARGS`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "meterprice", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``cli.main(ARGS)`` in this process: exit code, stdout, stderr."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


NOVEMBER_TABLE = """\
Pay-per-use support: 2026-11 (EUR)
Description              Quantity  Unit price    Amount
---------------------  ----------  ----------  --------
Implementation                                 4,500.00
Phone support (EFIGS)    13.7 min        0.95     13.02
Chat support (EFIGS)     21.6 min        0.80     17.28
Escalations              2.5 hour       42.00    105.00
Quality assurance        1.5 hour       38.00     57.00
Minimum volume          964.7 min        0.80    771.76
Project management     964.06 EUR        0.06     57.84
---------------------  ----------  ----------  --------
Total                                          5,521.90
"""


def test_quote_prints_the_itemized_invoice() -> None:
    result = run("quote", CONTRACT, USAGE, "--period", "2026-11")
    assert result.returncode == 0, result.stderr
    # 4500.00 + 13.02 + 17.28 + 105.00 + 57.00 + 771.76 + 57.84 = 5521.90
    assert result.stdout == NOVEMBER_TABLE
    assert result.stderr == ""


def test_quote_json_has_a_stable_shape() -> None:
    result = run("quote", CONTRACT, USAGE, "--period", "2026-11", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "meterprice",
        "command",
        "contract",
        "currency",
        "usage",
        "invoices",
        "total",
    ]
    assert data["meterprice"] == 1
    assert data["command"] == "quote"
    # the row of 1 December lies outside November and October (the period before)
    assert data["usage"] == {
        "file": USAGE,
        "events": 9,
        "skipped_rows": 0,
        "outside_period": 1,
        "duplicate_events": 0,
        "duplicate_ids": [],
    }
    (invoice,) = data["invoices"]
    assert list(invoice) == [
        "format",
        "reference",
        "issued",
        "contract",
        "currency",
        "rounding",
        "period",
        "lines",
        "total",
        "payment",
        "duplicates",
    ]
    assert invoice["format"] == "meterprice.invoice/1"
    assert invoice["duplicates"] == {"count": 0, "ids": []}  # the file has no ids
    contract = load_contract(CONTRACT)
    (priced,) = usagefiles.price_file(
        contract, usagefiles.UsageFile(USAGE), [Period.month(2026, 11)]
    )
    assert Invoice.from_dict(invoice) == priced  # exactly the invoice document
    jsonschema.validate(invoice, invoice_schema())
    assert invoice["period"] == {"start": "2026-11-01", "end": "2026-12-01"}
    assert invoice["rounding"] == "half_up"
    assert invoice["total"] == data["total"] == "5521.90"
    phone = invoice["lines"][1]
    assert phone == {
        "component": "Phone",
        "description": "Phone support (EFIGS)",
        "version": None,
        "dimensions": {},
        "active": {"start": "2026-11-16", "end": "2026-12-01"},  # pay-per-use from go-live
        "quantity": "13.7",
        "unit": "min",
        "unit_price": "0.95",
        "amount": "13.02",
        "exact_amount": "13.015",
        "original": None,
        "tags": ["usage"],
        "basis": "13.7 min x 0.95 EUR",
    }


def test_quote_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "quote", CONTRACT, USAGE, "--period", "2026-11", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "row,contract,period_start,period_end,component,description,quantity,unit,unit_price,"
        "amount,exact_amount,currency,tags,basis"
    )
    assert lines[2] == (
        "line,Pay-per-use support,2026-11-01,2026-12-01,Phone,Phone support (EFIGS),13.7,min,"
        "0.95,13.02,13.015,EUR,usage,13.7 min x 0.95 EUR"
    )
    assert lines[-1] == (
        "total,Pay-per-use support,2026-11-01,2026-12-01,,Total,,,,5521.90,5521.90,EUR,,"
    )


def test_quote_several_periods(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "quote", CONTRACT, USAGE, "--from", "2026-10", "--to", "2026-12")
    assert code == 0
    assert out.count("Pay-per-use support: 2026-") == 3
    # October 0.00 + November 5521.90 + December (5 min x 0.95 = 4.75, minimum 1995 min x
    # 0.80 = 1596.00, 6 % of 1600.75 = 96.05: 1696.80) = 7218.70
    assert out.endswith("\nTotal of 3 periods: 7,218.70 EUR\n")


def test_explain_shows_each_computation() -> None:
    result = run("explain", CONTRACT, USAGE, "--period", "2026-11")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Pay-per-use support, 2026-11 (EUR, half-up rounding per line)"
    assert (
        "  2. Phone support (EFIGS): 13.7 min x 0.95 EUR = 13.015 EUR, rounded to 13.02 EUR"
        in lines
    )
    assert (
        "  6. Minimum volume: minimum 1000 min (2000 min x 15/30 days) less 35.3 min used = "
        "964.7 min x 0.80 EUR = 771.76 EUR"
    ) in lines
    assert (
        "  total = 4500.00 + 13.02 + 17.28 + 105.00 + 57.00 + 771.76 + 57.84 = 5521.90 EUR" in lines
    )
    assert "Usage metered in 2026-11 (Europe/Amsterdam):" in lines
    # the whole month: 186 s before go-live + 186 s + 36 s after it = 408 s = 6.8 min
    assert "  handle_minutes [channel=phone, language=de]: 6.8" in lines
    assert "Meters:" in lines


def test_compare_on_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flat = write(tmp_path / "flat.toml", FLAT)
    code, out, _ = call(capsys, "compare", CONTRACT, flat, "--usage", USAGE, "--period", "2026-11")
    assert code == 0
    assert out == (
        "period   Pay-per-use support (EUR)  Flat fee (EUR)  cheapest\n"
        "-------  -------------------------  --------------  -------------------\n"
        "2026-11                   5,521.90        6,000.00  Pay-per-use support\n"
    )


def test_compare_what_if_volumes(tmp_path: Path) -> None:
    flat = write(tmp_path / "flat.toml", FLAT)
    volume = "handle_minutes[channel=phone,language=de]=0:2000:1000"
    result = run("compare", CONTRACT, flat, "--volume", volume, "--period", "2026-12")
    assert result.returncode == 0, result.stderr
    # December, a whole month: 0 min: minimum 2000 min x 0.80 = 1600.00 + 6 % = 96.00;
    # 1000 min: 950.00 + shortfall 1000 x 0.80 = 800.00 -> 1750.00 + 105.00 = 1855.00;
    # 2000 min: 1900.00 + 114.00 = 2014.00; the flat fee is 6000.00 throughout
    assert result.stdout == (
        "handle_minutes[channel=phone, language=de]  Pay-per-use support (EUR)  Flat fee (EUR)"
        "  cheapest\n"
        "------------------------------------------  -------------------------  --------------"
        "  -------------------\n"
        "0                                                            1,696.00        6,000.00"
        "  Pay-per-use support\n"
        "1000                                                         1,855.00        6,000.00"
        "  Pay-per-use support\n"
        "2000                                                         2,014.00        6,000.00"
        "  Pay-per-use support\n"
    )


def test_compare_what_if_volumes_in_a_partial_month(tmp_path: Path) -> None:
    flat = write(tmp_path / "flat.toml", FLAT)
    volume = "handle_minutes[channel=phone,language=de]=0:2000:1000"
    # pay-per-use starts on the 16th: a November total cannot say how much came after it
    refused = run("compare", CONTRACT, flat, "--volume", volume, "--period", "2026-11")
    assert refused.returncode == 1
    assert "('Phone') is active only in 2026-11-16..2026-12-01 of 2026-11" in refused.stderr
    assert "spread='days'" in refused.stderr
    # spread evenly over the days, the second half of the month sees half of each volume:
    # 0 min: 4500 setup + minimum 1000 (2000 x 15/30) x 0.80 = 800.00 + 6 % 48.00 = 5348.00;
    # 1000 min: 500 x 0.95 = 475.00 + shortfall 500 x 0.80 = 400.00, 6 % of 875.00 = 52.50
    # -> 5427.50; 2000 min: 950.00 + 57.00 -> 5507.00
    result = run(
        "compare", CONTRACT, flat, "--volume", volume, "--period", "2026-11", "--spread", "days"
    )
    assert result.returncode == 0, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines()[2:]] == [
        "5,348.00",
        "5,427.50",
        "5,507.00",
    ]


def test_compare_json_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flat = write(tmp_path / "flat.toml", FLAT)
    code, out, _ = call(
        capsys,
        "compare",
        CONTRACT,
        flat,
        "--volume",
        "task_hours[task=qa]=10",
        "--period",
        "2026-11",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["contracts"] == [
        {"name": "Pay-per-use support", "file": CONTRACT, "currency": "EUR"},
        {"name": "Flat fee", "file": flat, "currency": "EUR"},
    ]
    # 4500 + 10 h x 38.00 = 380.00 + minimum 1000 min x 0.80 = 800.00 + 6 % of 1180.00 = 70.80
    assert data["rows"] == [
        {
            "volume": {"task_hours[task=qa]": "10"},
            "totals": ["5750.80", "6000.00"],
            "cheapest": ["Pay-per-use support"],
        }
    ]
    code, out, _ = call(
        capsys,
        "compare",
        CONTRACT,
        flat,
        "--usage",
        USAGE,
        "--from",
        "2026-11",
        "--to",
        "2026-12",
        "--format",
        "csv",
    )
    assert code == 0
    assert out == (
        "period,Pay-per-use support,Flat fee\n2026-11,5521.90,6000.00\n2026-12,1696.80,6000.00\n"
    )
    code, out, _ = call(
        capsys, "compare", CONTRACT, "--usage", USAGE, "--period", "2026-11", "--format", "json"
    )
    assert json.loads(out)["rows"] == [
        {"period": "2026-11", "totals": ["5521.90"], "cheapest": ["Pay-per-use support"]}
    ]


def test_compare_other_currencies_has_no_cheapest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dollars = write(tmp_path / "usd.toml", FLAT.replace('"EUR"', '"USD"'))
    code, out, _ = call(
        capsys, "compare", CONTRACT, dollars, "--volume", "x=1", "--period", "2026-11"
    )
    assert code == 0
    assert "cheapest" not in out
    assert "Flat fee (USD)" in out


def test_validate(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", BAD_TIERS)
    result = run("validate", CONTRACT, bad)
    assert result.returncode == 1
    assert result.stdout == (
        f"{CONTRACT}: ok ('Pay-per-use support', EUR, 7 component(s), 2 meter(s))\n"
    )
    assert result.stderr == (
        f"meterprice: error: {bad}: components[2].tiers[1].up_to: must be greater than 10000 "
        "(got 5000)\n"
    )
    assert "Traceback" not in result.stderr
    assert run("validate", CONTRACT).returncode == 0


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(
        tmp_path / "bad.json",
        json.dumps(
            {"meterprice": 1, "name": "X", "currency": "EUX", "components": [{"type": "per_unti"}]}
        ),
    )
    code, out, err = call(capsys, "validate", bad)
    assert code == 1
    assert out == ""
    assert err == (
        f"meterprice: error: {bad}: 2 problems:\n"
        '  currency: unknown currency code "EUX" (did you mean "EUR"?)\n'
        '  components[0].type: unknown component type "per_unti" (did you mean "per_unit"?)\n'
    )


def test_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["meterprice"]["const"] == 1


def demo_headings(out: str) -> list[str]:
    return [line.split(":")[0] for line in out.splitlines() if line.startswith("== ")]


def test_demo_prices_the_bundled_examples() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # the bundled examples come in seed order: 000, then 004 section 1 to 7, then the
    # full outsourcing agreement
    names = [
        "pay_per_use",
        "fixed_per_agent",
        "base_plus_commission",
        "monthly_quota",
        "peak_day_rates",
        "per_consultation",
        "per_order",
        "project_billing",
        "full_outsourcing",
    ]
    assert sorted(f"{name}.toml" for name in names) == sorted(
        p.name for p in EXAMPLES.glob("*.toml")
    )
    assert demo_headings(result.stdout) == [f"== {name}.toml" for name in names]


def test_demo_conventions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "flat.toml", FLAT + '\n[demo]\nperiods = ["2026-11", "2026-12"]\n')
    code, out, _ = call(capsys, "demo", "--examples", str(tmp_path))
    assert code == 0
    assert out.startswith("== flat.toml: Flat fee\n\nFlat fee: 2026-11 (EUR)\n")
    assert len(re.findall(r"^Total +6,000\.00$", out, re.MULTILINE)) == 2  # two months
    write(tmp_path / "flat.toml", FLAT)
    code, _, err = call(capsys, "demo", "--examples", str(tmp_path))
    assert code == 1
    assert err == (
        "meterprice: error: flat.toml: give the period to price in a [demo] table "
        '(period = "2026-11")\n'
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = call(capsys, "demo", "--examples", str(empty))
    assert code == 2
    assert err == f"meterprice demo: error: no example contracts (*.toml) in {empty}\n"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run()
    assert result.returncode == 2
    assert "meterprice: error: the following arguments are required: COMMAND" in result.stderr
    result = run("quote", CONTRACT, USAGE, "--period", "November")
    assert result.returncode == 2
    assert "meterprice quote: error: argument --period: not a period: 'November'" in result.stderr
    assert "Traceback" not in result.stderr

    def error(*args: str) -> tuple[int, str]:
        code, _, err = call(capsys, *args)
        return code, err

    assert error("quote", CONTRACT, USAGE) == (
        2,
        "meterprice quote: error: give the period to price: --period 2026-11, or --from and --to\n",
    )
    assert error("quote", CONTRACT, USAGE, "--period", "2026-11", "--from", "2026-10") == (
        2,
        "meterprice quote: error: give either --period or --from/--to, not both\n",
    )
    assert error("quote", CONTRACT, USAGE, "--from", "2026-12", "--to", "2026-10") == (
        2,
        "meterprice quote: error: --to 2026-10 is before --from 2026-12\n",
    )
    assert error("quote", "nope.toml", USAGE, "--period", "2026-11") == (
        2,
        "meterprice quote: error: cannot read contract 'nope.toml': no such file\n",
    )
    assert error("explain", CONTRACT, "nope.csv", "--period", "2026-11") == (
        2,
        "meterprice explain: error: cannot read usage file 'nope.csv': no such file\n",
    )
    assert error("compare", CONTRACT, "--period", "2026-11") == (
        2,
        "meterprice compare: error: give the usage to compare on: --usage FILE or "
        "--volume metric=...\n",
    )
    assert error(
        "compare", CONTRACT, "--volume", "m=1", "--from", "2026-11", "--to", "2026-12"
    ) == (
        2,
        "meterprice compare: error: --volume prices one period: give --period (not --from/--to)\n",
    )
    code, err = error("compare", CONTRACT, "--volume", "m=1:2", "--period", "2026-11")
    assert code == 2
    assert err.endswith(
        "meterprice compare: error: argument --volume: 'm=1:2': write START:STOP:STEP or a "
        "single VALUE\n"
    )
    code, err = error("compare", CONTRACT, "--volume", "minutes", "--period", "2026-11")
    assert err.endswith(
        "error: argument --volume: not a volume: 'minutes' (write metric=START:STOP:STEP, "
        "metric=VALUE or metric[dimension=value,...]=START:STOP:STEP)\n"
    )
    code, err = error("compare", CONTRACT, "--volume", "m[channel]=1", "--period", "2026-11")
    assert err.endswith(
        "error: argument --volume: not a dimension=value pair: 'channel' in 'm[channel]=1'\n"
    )
    code, err = error("compare", CONTRACT, "--volume", "m=0:100000:1", "--period", "2026-11")
    assert err.endswith(
        "error: argument --volume: 'm=0:100000:1': the volumes 0:100000:1 give 100001 values; "
        "at most 10000\n"
    )
    code, err = error("compare", CONTRACT, "--volume", "m=0:1:0", "--period", "2026-11")
    assert err.endswith("error: argument --volume: 'm=0:1:0': step must be positive (got '0')\n")
    grid = ["--volume", "a=0:99:1", "--volume", "b=0:999:1"]
    assert error("compare", CONTRACT, *grid, "--period", "2026-11") == (
        2,
        "meterprice compare: error: the volumes give 100000 combinations; at most 10000\n",
    )
    assert error("quote", CONTRACT, USAGE, "--from", "2026-01", "--to", "2999-12") == (
        2,
        "meterprice quote: error: 2026-01-01..3000-01-01 spans more than 10000 billing periods\n",
    )


def test_bad_rows_refuse_pricing_unless_skipped(tmp_path: Path) -> None:
    usage = write(
        tmp_path / "usage.csv",
        Path(USAGE).read_text(encoding="utf-8")
        + "handle_seconds,ten,2026-11-20T10:00:00+01:00,chat,en,\n",
    )
    result = run("quote", CONTRACT, usage, "--period", "2026-11")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"meterprice: error: {usage}: 1 bad row(s); fix them, or skip them knowingly\n"
        f"  {usage}:11: quantity is not a decimal number: 'ten'\n"
        "meterprice: pass --skip-bad-rows to price the file without them\n"
    )
    result = run("quote", CONTRACT, usage, "--period", "2026-11", "--skip-bad-rows")
    assert result.returncode == 0
    assert result.stdout == NOVEMBER_TABLE
    assert result.stderr == (
        f"meterprice: warning: skipped 1 bad row(s) in {usage}\n"
        f"  {usage}:11: quantity is not a decimal number: 'ten'\n"
    )


def test_skipped_rows_beyond_five_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "".join(f"handle_seconds,x{i},2026-11-20T10:00:00+01:00,chat,en,\n" for i in range(7))
    usage = write(tmp_path / "usage.csv", Path(USAGE).read_text(encoding="utf-8") + rows)
    code, out, err = call(
        capsys,
        "quote",
        CONTRACT,
        usage,
        "--period",
        "2026-11",
        "--skip-bad-rows",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["usage"] == {
        "file": usage,
        "events": 9,
        "skipped_rows": 7,
        "outside_period": 1,
        "duplicate_events": 0,
        "duplicate_ids": [],
    }
    assert err.splitlines()[0] == f"meterprice: warning: skipped 7 bad row(s) in {usage}"
    assert err.splitlines()[-1] == "  ... and 2 more"


def test_pricing_errors_name_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flat = write(
        tmp_path / "flat.toml",
        FLAT.replace("[[components]]", '[[meters]]\nname = "calls"\n\n[[components]]'),
    )
    result = run("quote", flat, USAGE, "--period", "2026-11")
    assert result.returncode == 1
    # all 9 rows fall in October or November in UTC, the flat contract's time zone
    assert result.stderr == (
        f"meterprice: error: {USAGE} for {flat}: 9 event(s) have metrics that no meter reads: "
        "handle_seconds, task_hours (meters read: calls)\n"
    )
    matrix = write(
        tmp_path / "matrix.toml",
        'meterprice = 1\nname = "M"\ncurrency = "EUR"\n\n[[components]]\ntype = "matrix_rate"\n'
        'name = "Tasks"\nmetric = "task_hours"\nby = "task"\nprices = { qa = "1" }\n',
    )
    code, _, err = call(capsys, "quote", matrix, USAGE, "--period", "2026-11")
    assert code == 1
    assert err == (
        f"meterprice: error: {USAGE} for {matrix}: 7 event(s) have metrics that no meter "
        "reads: handle_seconds (meters read: task_hours)\n"
    )
    code, _, err = call(
        capsys, "compare", matrix, "--volume", "task_hours[task=x]=1", "--period", "2026-11"
    )
    assert code == 1
    assert err.startswith(f"meterprice: error: {matrix}: ")
    # compare leaves out the metrics a contract does not read, then fails to price
    code, _, err = call(capsys, "compare", matrix, "--usage", USAGE, "--period", "2026-11")
    assert code == 1
    assert err.startswith(f"meterprice: error: {matrix}: ")
    assert "no price for task=escalation (2.5) in 'task_hours'" in err


def test_jsonl_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = write(
        tmp_path / "usage.log",
        '{"metric": "handle_seconds", "quantity": 600, "timestamp": "2026-11-17T10:00:00+01:00", '
        '"channel": "phone", "language": "fr"}\n',
    )
    code, out, _ = call(
        capsys,
        "quote",
        CONTRACT,
        usage,
        "--period",
        "2026-11",
        "--usage-format",
        "jsonl",
        "--format",
        "json",
    )
    assert code == 0
    lines = json.loads(out)["invoices"][0]["lines"]
    assert lines[1]["basis"] == "10 min x 0.95 EUR"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 0)
    assert cli.main(["quote", CONTRACT, USAGE, "--period", "2026-11"]) == 0
    shown = terminal.getvalue()
    assert shown.startswith("\rreading pay_per_use.usage.csv [")
    assert "##############################] 100%" in shown
    assert shown.endswith("\r\x1b[K")  # the bar is cleared
    assert capsys.readouterr().out == NOVEMBER_TABLE

    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert cli.main(["quote", CONTRACT, USAGE, "--period", "2026-11", "--no-progress"]) == 0
    assert quiet.getvalue() == ""
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 1 << 40)
    assert cli.main(["quote", CONTRACT, USAGE, "--period", "2026-11"]) == 0
    assert quiet.getvalue() == ""


def test_progress_bar_drawing() -> None:
    stream = io.StringIO()
    bar = cli.Progress(stream, "reading x")
    bar.close()
    assert stream.getvalue() == ""  # nothing to clear
    bar(0, 0)
    bar(5, 10)
    assert stream.getvalue() == (
        "\rreading x [##############################] 100%"
        "\rreading x [###############---------------]  50%"
    )


def test_failures_of_the_system(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "contract_schema", disk_full)
    assert call(capsys, "schema")[0::2] == (
        2,
        "meterprice: error: [Errno 28] No space left on device\n",
    )

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "contract_schema", interrupted)
    assert call(capsys, "schema")[0::2] == (130, "meterprice: interrupted\n")

    class Closed(io.StringIO):
        def __init__(self, fd: int) -> None:
            super().__init__()
            self.fd = fd

        def write(self, text: str) -> int:
            raise BrokenPipeError

        def fileno(self) -> int:
            return self.fd

    with (tmp_path / "out").open("w") as target:
        monkeypatch.setattr(sys, "stdout", Closed(target.fileno()))
        monkeypatch.undo()
        monkeypatch.setattr(sys, "stdout", Closed(target.fileno()))
        assert cli.main(["schema"]) == 1


def test_version_and_help() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("meterprice ")
    assert cli.main(["--help"]) == 0


def test_missing_catalogue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "meterprice.examples", None)
    assert call(capsys, "demo")[0::2] == (
        2,
        "meterprice demo: error: the example catalogue (meterprice.examples) is not installed\n",
    )


def test_commands_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The paths the subprocess tests take, measured by coverage."""
    code, out, _ = call(capsys, "explain", CONTRACT, USAGE, "--period", "2026-11")
    assert code == 0
    assert (
        "  total = 4500.00 + 13.02 + 17.28 + 105.00 + 57.00 + 771.76 + 57.84 = 5521.90 EUR" in out
    )
    plain = write(tmp_path / "plain.toml", FLAT)
    empty_usage = write(tmp_path / "u.csv", "metric,quantity,timestamp\n")
    code, out, _ = call(capsys, "explain", plain, empty_usage, "--period", "2026-11")
    assert code == 0
    assert out.endswith("Usage metered in 2026-11 (UTC):\n  (none)\n")
    code, out, _ = call(capsys, "validate", CONTRACT)
    assert (code, out) == (
        0,
        f"{CONTRACT}: ok ('Pay-per-use support', EUR, 7 component(s), 2 meter(s))\n",
    )
    code, out, _ = call(capsys, "schema")
    assert json.loads(out)["title"] == "meterprice contract document, format version 1"
    code, out, _ = call(capsys, "demo")
    assert code == 0
    assert len(demo_headings(out)) == len(list(EXAMPLES.glob("*.toml")))
    code, out, _ = call(capsys, "demo", "--examples", str(_FILES))
    assert code == 0
    assert out.startswith(
        "== pay_per_use.toml: Pay-per-use support (usage: pay_per_use.usage.csv, 9 events)\n\n"
    )
    assert NOVEMBER_TABLE in out
    code, out, err = call(capsys, "quote", CONTRACT, USAGE, "--period", "Nov")
    assert code == 2
    assert err.endswith(
        "meterprice quote: error: argument --period: not a period: 'Nov' (expected "
        "YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)\n"
    )
    bad = write(
        tmp_path / "bad.csv", "metric,quantity,timestamp\nhandle_seconds,x,2026-11-02T10:00:00Z\n"
    )
    code, out, err = call(capsys, "quote", CONTRACT, bad, "--period", "2026-11")
    assert (code, out) == (1, "")
    assert err.endswith("meterprice: pass --skip-bad-rows to price the file without them\n")
    code, out, err = call(capsys, "quote", CONTRACT, bad, "--period", "2026-11", "--skip-bad-rows")
    assert code == 0
    assert err == (
        f"meterprice: warning: skipped 1 bad row(s) in {bad}\n"
        f"  {bad}:2: quantity is not a decimal number: 'x'\n"
    )
    broken = write(tmp_path / "broken.csv", "metric,quantity\n")
    code, out, err = call(capsys, "quote", CONTRACT, broken, "--period", "2026-11")
    assert code == 1
    assert err == (
        f"meterprice: error: {broken}: line 1: the header lacks the column(s) timestamp (it has: "
        "metric, quantity); a usage CSV has the columns metric, quantity, timestamp and any "
        "dimensions\n"
    )
