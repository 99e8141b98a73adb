"""The command line on hostile contracts: safe CSV cells, escaped terminal text,
bounded volume sweeps and a closed standard output.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from meterprice import cli
from meterprice.analysis import volumes
from meterprice.errors import LimitError, MeterpriceError

HOSTILE = """\
meterprice = 1
name = "=HYPERLINK(\\"http://x\\")"
currency = "EUR"

[[meters]]
name = "minutes"
source = "seconds"
from_unit = "second"
unit = "minute"

[[components]]
type = "per_unit"
name = "@SUM(A1)"
description = "+1 \\u001b]0;owned\\u0007 \\u001b[2J"
metric = "minutes"
rate = "-0.5"

[[components]]
type = "recurring_fee"
name = "-Fee"
description = "\\tTabbed"
amount = "10"
"""

USAGE = """\
metric,quantity,timestamp
seconds,600,2026-11-10T09:00:00+00:00
"""


def _files(tmp_path: Path) -> tuple[str, str]:
    contract = tmp_path / "hostile.toml"
    usage = tmp_path / "hostile.usage.csv"
    contract.write_text(HOSTILE, encoding="utf-8")
    usage.write_text(USAGE, encoding="utf-8")
    return str(contract), str(usage)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract, usage = _files(tmp_path)
    code = cli.main(["quote", contract, usage, "--period", "2026-11", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    lines = [row for row in rows if row[0] == "line"]
    assert [row[1] for row in lines] == ['\'=HYPERLINK("http://x")'] * 2
    assert [row[4] for row in lines] == ["'@SUM(A1)", "'-Fee"]
    assert lines[0][5].startswith("'+1 ")
    assert lines[1][5] == "'\tTabbed"
    # 10 minutes at -0.50: amounts stay numbers a spreadsheet adds up
    assert (lines[0][9], lines[0][10], lines[0][8]) == ("-5.00", "-5", "-0.5")
    assert [row[9] for row in rows if row[0] == "total"] == ["5.00"]


def test_control_characters_are_escaped_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract, usage = _files(tmp_path)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert cli.main(["quote", contract, usage, "--period", "2026-11"]) == 0
    shown = terminal.getvalue()
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "+1 \\x1b]0;owned\\x07 \\x1b[2J" in shown
    assert "\\tTabbed" in shown
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stdout", piped)
    assert cli.main(["quote", contract, usage, "--period", "2026-11", "--format", "json"]) == 0
    assert "\\u001b]0;owned\\u0007" in piped.getvalue()  # JSON escapes them itself


def test_unpaired_surrogates_are_written_escaped() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    output = cli._Output(stream)
    output.write("Fee \udcff\n")
    stream.flush()
    assert stream.buffer.getvalue() == b"Fee \\udcff\n"
    with pytest.raises(UnicodeEncodeError):
        "\udcff".encode()  # what writing it directly does


def test_schema_with_a_closed_standard_output_exits_cleanly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "meterprice", "schema"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
        # as the shell's >&-: file descriptor 1 closed in the child
        preexec_fn=lambda: __import__("os").close(1),
    )
    assert result.returncode == 2
    assert result.stderr == "meterprice: error: the standard output is closed\n"
    assert "Traceback" not in result.stderr


def test_a_volume_sweep_is_counted_before_it_is_built() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(LimitError, match="give 100000001 values; at most 10000"):
            volumes(0, 100_000_000, 1, most=10_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # building the range would take gigabytes
    assert volumes("0.5", "1.5", "0.25", most=5) == tuple(
        map(__import__("decimal").Decimal, ["0.5", "0.75", "1.00", "1.25", "1.50"])
    )
    assert issubclass(LimitError, MeterpriceError)


def test_compare_refuses_a_huge_volume_range_as_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract, _ = _files(tmp_path)
    tracemalloc.start()
    try:
        code = cli.main(["compare", contract, "--volume", "m=0:100000000:1", "--period", "2026-11"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 2
    assert "give 100000001 values; at most 10000" in capsys.readouterr().err
    assert peak < 5_000_000


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["schema", "x\x1b[2J"], "meterprice: error: unrecognized arguments: x\\x1b[2J\n"),
        (
            ["validate", "a.toml", "--\x1b]0;owned\x07"],
            "meterprice: error: unrecognized arguments: --\\x1b]0;owned\\x07\n",
        ),
    ],
)
def test_bad_usage_of_the_command_is_escaped_on_a_terminal(
    argv: list[str], shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(argv) == 2  # bad usage of the command
    written = terminal.getvalue()
    assert written.startswith("usage: meterprice ")
    assert written.endswith(shown)
    assert "\x1b" not in written
    assert "\x07" not in written


def test_bad_usage_of_the_command_is_written_as_given_when_piped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    assert cli.main(["schema", "x\x1b[2J", "\udcff"]) == 2
    # control characters reach a pipe or a file as they are; an unpaired surrogate
    # (an undecodable byte of the command line) is escaped rather than failing
    assert piped.getvalue().endswith(
        "meterprice: error: unrecognized arguments: x\x1b[2J \\udcff\n"
    )
