"""Mutation testing of the core, one module at a time, against the tests that exercise it.

Run it through ``python3 -m nox -s mutation`` (or directly with mutmut installed):

    python mutation/run.py                      # every module of MODULES, in order
    python mutation/run.py money periods        # the modules whose name contains a word
    python mutation/run.py --list               # the modules and their test files

For each module it copies ``src/``, ``tests/`` and ``pyproject.toml`` into
``.mutation/<module>/`` and configures mutmut to mutate that module only, running
the module's own test files (only those tests that reach the mutated function).

Two passes, because a forked test process can hide a mutant behind state that the
unmutated code left (mutmut's plain fork mode reported false survivors: a
``Currency`` cached while the tests were collected was never rebuilt by a mutant):

1. every mutant, forked from a server that collected the tests once, with the
   library's caches (``Currency._cache``, the ISO 4217 table, the zone list) cleared
   before each test: fast, and a kill there is a test failing with the mutant on;
2. every survivor of pass 1 again, each in a fresh interpreter that imports
   meterprice and the tests itself with the mutant active (the fork server imports
   pytest and the third-party packages only). Only what survives pass 2 is reported.

It then writes ``.mutation/report.md``: per module the killed, survived, timed-out
and equivalent mutants, the score ``killed / (killed + survived)`` with the
equivalent mutants of ``mutation/equivalent.toml`` excluded, and every survivor
with its file, line and mutation.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
EQUIVALENT = ROOT / "mutation" / "equivalent.toml"

#: The columnar engine's modules, each against every test of the engine.
_COLUMNAR = (
    "test_columnar.py",
    "test_columnar_edges.py",
    "test_columnar_engine.py",
    "test_columnar_batch.py",
    "test_columnar_clocks.py",
    "test_columnar_files.py",
    "test_mutation_kills_engine_columns.py",
    "test_mutation_kills_engine_rows.py",
    "test_mutation_kills_engine_zones.py",
    "test_mutation_kills_engine_runs.py",
    "test_mutation_kills_engine_quantities.py",
    "test_mutation_kills_engine_groups.py",
    "test_event_many.py",
)

#: Each module mutated, with the test files that exercise it (its own first).
MODULES: dict[str, tuple[str, ...]] = {
    "money.py": ("test_money.py", "test_mutation_kills_money.py", "test_iso4217_data.py"),
    "components/rates.py": ("test_components_core.py", "test_mutation_kills_components.py"),
    "components/adjustments.py": (
        "test_components_core.py",
        "test_mutation_kills_components.py",
    ),
    "periods.py": ("test_periods.py", "test_mutation_kills_periods.py"),
    "usage.py": ("test_usage.py", "test_mutation_kills_usage.py"),
    "metering.py": (
        "test_metering.py",
        "test_metering_fast_paths.py",
        "test_mutation_kills_metering.py",
        "test_mutation_kills_aggregation.py",
    ),
    "components/base.py": ("test_components_core.py", "test_limits_pricing.py"),
    "components/caps.py": ("test_components_caps.py", "test_mutation_kills_caps.py"),
    "components/commission.py": (
        "test_components_commission.py",
        "test_commission_options.py",
        "test_mutation_kills_commission.py",
    ),
    "components/days.py": ("test_components_days.py", "test_mutation_kills_days.py"),
    "components/fees.py": ("test_components_core.py", "test_mutation_kills_fees.py"),
    "components/matrix.py": (
        "test_components_matrix.py",
        "test_limits_matrix.py",
        "test_mutation_kills_matrix.py",
    ),
    "components/project.py": ("test_components_project.py",),
    "components/quota.py": ("test_components_quota.py",),
    "components/seats.py": ("test_components_seats.py",),
    "components/_lines.py": ("test_limits_pricing.py", "test_mutation_kills_fees.py"),
    "components/escalators.py": ("test_escalators.py", "test_mutation_kills_escalators.py"),
    "components/forecasts.py": ("test_forecasts.py", "test_mutation_kills_clauses.py"),
    "components/premiums.py": ("test_premiums.py", "test_mutation_kills_clauses.py"),
    "components/service_credits.py": (
        "test_service_credits.py",
        "test_mutation_kills_clauses.py",
    ),
    "components/transactions.py": (
        "test_percentage_charge.py",
        "test_mutation_kills_transactions.py",
    ),
    "components/ceiling.py": ("test_ceilings.py", "test_mutation_kills_ceiling.py"),
    "components/commitment.py": ("test_commitments.py", "test_mutation_kills_commitment.py"),
    "components/carrying.py": ("test_carried_state.py", "test_mutation_kills_carrying.py"),
    "components/balances.py": ("test_balances.py", "test_mutation_kills_balances.py"),
    "components/prorated.py": ("test_prorated_units.py", "test_mutation_kills_prorated.py"),
    "contract.py": (
        "test_contract.py",
        "test_mutation_kills_contract.py",
        "test_amendments.py",
        "test_exchange.py",
        "test_tax.py",
        "test_carried_state.py",
        "test_event_many.py",
        "test_components_core.py",
        "test_bands.py",
        "test_payment.py",
    ),
    "invoice.py": (
        "test_invoice.py",
        "test_mutation_kills_invoice.py",
        "test_payment.py",
        "test_tax.py",
    ),
    **{
        f"columnar/{name}.py": _COLUMNAR
        for name in ("_arrays", "_encoding", "_clocks", "_quantities", "_engine")
    },
}

# Imported once by the fork server, before any mutant: third-party and standard
# modules only (importing meterprice there would share its caches between mutants).
PRELOAD = """\
pytest
_pytest.python
_pytest.fixtures
hypothesis
hypothesis.strategies
attrs
dateutil.relativedelta
dateutil.rrule
dateutil.tz
decimal
fractions
zoneinfo
json
csv
gzip
"""

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", None: "not run"}
TIMEOUTS = {36, -24, 24, 152}
# mutmut's worker ends with 255 when pytest cannot run the selected tests at all: the
# mutant broke the import of the test modules (a module-level Money(...) raising), so
# every test failed; counted as killed, and shown apart in the report
BROKE_IMPORT = 255


@dataclass
class Survivor:
    """A mutant that no test noticed."""

    name: str
    file: str
    line: int
    function: str
    original: list[str]
    mutated: list[str]

    def describe(self) -> str:
        """``file:line (function): `original` -> `mutated```."""
        before = " / ".join(self.original) or "(nothing)"
        after = " / ".join(self.mutated) or "(nothing)"
        return f"{self.file}:{self.line} ({self.function}): `{before}` -> `{after}`"


@dataclass
class Result:
    """The outcome of one module's run."""

    module: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[Survivor] = field(default_factory=list)
    equivalent: list[Survivor] = field(default_factory=list)
    #: survivors of the forked pass that a fresh interpreter killed
    false_survivors: int = 0

    @property
    def score(self) -> float | None:
        """Killed / (killed + survived), equivalent mutants excluded."""
        killed = sum(self.counts.get(key, 0) for key in ("killed", "killed at import", "timeout"))
        total = killed + len(self.survivors)
        return None if total == 0 else killed / total


# Appended to the copied tests/conftest.py for pass 1 (never to the project's own).
CLEAR_CACHES = """

import pytest as _mutation_pytest


@_mutation_pytest.fixture(autouse=True)
def _mutation_fresh_caches():
    \"\"\"Clear the library's caches so that every test rebuilds what a mutant changes.\"\"\"
    from meterprice.money import Currency, _iso4217
    from meterprice.spec import _structure

    Currency._cache.clear()
    _iso4217.cache_clear()
    _structure._zones.cache_clear()
    yield
"""


def _config(module: str, tests: tuple[str, ...], *, fresh: bool) -> str:
    selection = ", ".join(f'"tests/{name}"' for name in tests)
    warmup = "import" if fresh else "collect"
    return f"""
[tool.mutmut]
source_paths = ["src/meterprice"]
only_mutate = ["src/meterprice/{module}"]
pytest_add_cli_args_test_selection = [{selection}]
# the fork server imported hypothesis before pytest could rewrite its asserts
pytest_add_cli_args = ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
process_isolation = "forkserver"
forkserver_warmup = "{warmup}"
preload_modules_file = "preload.txt"
use_git_change_detection = false
track_dependencies = false
# a shared machine is slow at times: a mutant is a timeout only when clearly stuck
timeout_multiplier = 10.0
timeout_constant = 10.0
"""


def _prepare(module: str, tests: tuple[str, ...]) -> Path:
    work = WORK / module.replace("/", "-").removesuffix(".py")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(ROOT / "src", work / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__", ".hypothesis")
    )
    _configure(work, module, tests, fresh=False)
    (work / "preload.txt").write_text(PRELOAD, "utf-8")
    return work


def _configure(work: Path, module: str, tests: tuple[str, ...], *, fresh: bool) -> None:
    """Write the mutmut configuration of a pass (and its conftest) into ``work``."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    text = re.sub(r"\n\[tool\.mutmut\].*?(?=\n\[|\Z)", "", text, flags=re.S)
    (work / "pyproject.toml").write_text(text + _config(module, tests, fresh=fresh), "utf-8")
    conftest = (ROOT / "tests" / "conftest.py").read_text("utf-8")
    for where in (work / "tests", work / "mutants" / "tests"):
        if where.exists():
            (where / "conftest.py").write_text(
                conftest if fresh else conftest + CLEAR_CACHES, "utf-8"
            )


def _function_starts(source: str) -> dict[str, int]:
    """The first line (decorators included) of every function, by mutmut's key."""
    starts: dict[str, int] = {}

    def visit(node: ast.AST, cls: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, child.name)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno] + [dec.lineno for dec in child.decorator_list])
                key = f"x\u01c1{cls}\u01c1{child.name}" if cls else f"x_{child.name}"
                starts[key] = first

    visit(ast.parse(source), None)
    return starts


def _survivor(name: str, diff: str, module: str, starts: dict[str, int]) -> Survivor:
    key = name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    function = key.removeprefix("x_").replace("x\u01c1", "", 1).replace("\u01c1", ".")
    original: list[str] = []
    mutated: list[str] = []
    offset = None
    line_in_function = 0
    for text in diff.splitlines():
        if text.startswith(("---", "+++")):
            continue
        hunk = re.match(r"@@ -(\d+)", text)
        if hunk:
            line_in_function = int(hunk[1])
            continue
        if text.startswith("-"):
            offset = line_in_function if offset is None else offset
            original.append(text[1:].strip())
            line_in_function += 1
        elif text.startswith("+"):
            offset = line_in_function if offset is None else offset
            mutated.append(text[1:].strip())
        else:
            line_in_function += 1
    line = starts.get(key, 1) + (offset or 1) - 1
    return Survivor(name, f"src/meterprice/{module}", line, function, original, mutated)


def _equivalents() -> list[dict[str, str]]:
    if not EQUIVALENT.exists():
        return []
    return list(tomllib.loads(EQUIVALENT.read_text("utf-8")).get("mutant", []))


def _is_equivalent(survivor: Survivor, known: list[dict[str, str]]) -> bool:
    return any(
        entry.get("file") == survivor.file
        and entry.get("function") == survivor.function
        and entry.get("original", "") == " / ".join(survivor.original)
        and entry.get("mutated", "") == " / ".join(survivor.mutated)
        for entry in known
    )


def _work(module: str) -> Path:
    return WORK / module.replace("/", "-").removesuffix(".py")


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["HYPOTHESIS_PROFILE"] = "default"
    return env


def _codes(work: Path, module: str) -> dict[str, int | None]:
    meta = work / "mutants" / "src" / "meterprice" / f"{module}.meta"
    if not meta.exists():
        return {}
    return dict(json.loads(meta.read_text("utf-8"))["exit_code_by_key"])


def keep_verdicts(work: Path, module: str, before: dict[str, int | None]) -> None:
    """Give back the verdicts of the mutants that a run of some of them left "not run".

    mutmut resets every mutant it does not run (and all of them when the test files in
    its configuration change), so a run of the survivors alone would report only
    those; the mutants killed before stay killed, the tests having only grown.
    """
    meta = work / "mutants" / "src" / "meterprice" / f"{module}.meta"
    if not meta.exists():
        return
    data = json.loads(meta.read_text("utf-8"))
    codes = data["exit_code_by_key"]
    for name, code in before.items():
        if codes.get(name) is None and code is not None:
            codes[name] = code
    meta.write_text(json.dumps(data), "utf-8")


def _mutmut(work: Path, names: list[str], log_name: str, children: int) -> None:
    with (work / log_name).open("w", encoding="utf-8") as log:
        subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *names],
            cwd=work,
            env=_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )


def _alive(codes: dict[str, int | None]) -> list[str]:
    return [name for name, code in codes.items() if code in (0, 5, 33)]


def run_module(module: str, tests: tuple[str, ...], children: int, *, again: bool) -> None:
    """Run the mutants of ``module`` against ``tests`` (both passes), or with ``again``
    only the survivors of the last run, in fresh interpreters, against the current tests.
    """
    start = time.monotonic()
    work = _work(module)
    if again:
        for where in (work / "tests", work / "mutants" / "tests"):
            shutil.rmtree(where, ignore_errors=True)
            shutil.copytree(ROOT / "tests", where, ignore=shutil.ignore_patterns("__pycache__"))
        alive = _alive(_codes(work, module))
        before = len(alive)
    else:
        work = _prepare(module, tests)
        _mutmut(work, [], "mutmut.log", children)
        alive = _alive(_codes(work, module))
        before = len(alive)
    if alive:  # pass 2: each survivor in a fresh interpreter
        verdicts = _codes(work, module)
        _configure(work, module, tests, fresh=True)
        _mutmut(work, alive, "mutmut-fresh.log", children)
        keep_verdicts(work, module, verdicts)
    timing = work / "timing.json"
    spent = json.loads(timing.read_text("utf-8")) if again and timing.exists() else {}
    spent["seconds"] = spent.get("seconds", 0.0) + time.monotonic() - start
    spent["false_survivors" if not again else "killed_again"] = before - len(
        _alive(_codes(work, module))
    )
    timing.write_text(json.dumps(spent), "utf-8")


def collect(module: str) -> Result:
    """The outcome of the last run of ``module``, equivalent mutants set apart."""
    work = _work(module)
    codes = _codes(work, module)
    timing = work / "timing.json"
    spent = json.loads(timing.read_text("utf-8")) if timing.exists() else {}
    result = Result(module, float(spent.get("seconds", 0.0)))
    if not codes:
        result.counts["not run (see mutmut.log)"] = 1
        return result
    result.false_survivors = int(spent.get("false_survivors", 0))
    starts = _function_starts((ROOT / "src" / "meterprice" / module).read_text("utf-8"))
    known = _equivalents()
    for name, code in sorted(codes.items()):
        if code == BROKE_IMPORT:
            status = "killed at import"
        elif code in TIMEOUTS:
            status = "timeout"
        else:
            status = STATUS.get(code, "suspicious")
        if status in ("survived", "no tests"):
            shown = subprocess.run(
                [sys.executable, "-m", "mutmut", "show", name],
                cwd=work,
                env=_env(),
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            survivor = _survivor(name, shown, module, starts)
            if _is_equivalent(survivor, known):
                result.equivalent.append(survivor)
                continue
            result.survivors.append(survivor)
        result.counts[status] = result.counts.get(status, 0) + 1
    return result


def _report(results: list[Result]) -> str:
    lines = ["# Mutation testing report", ""]
    lines.append(
        "| Module | Mutants | Killed | Killed at import | Timeout | Survived | Equivalent "
        "| Score | Time |"
    )
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        counts = result.counts
        total = sum(counts.values()) + len(result.equivalent)
        score = "n/a" if result.score is None else f"{result.score:.1%}"
        lines.append(
            f"| {result.module} | {total} | {counts.get('killed', 0)} | "
            f"{counts.get('killed at import', 0)} | {counts.get('timeout', 0)} | "
            f"{len(result.survivors)} | {len(result.equivalent)} | "
            f"{score} | {result.seconds / 60:.1f} min |"
        )
    lines.append("")
    for result in results:
        other = {
            key: value
            for key, value in result.counts.items()
            if key
            not in (
                "killed",
                "killed at import",
                "timeout",
                "survived",
                "no tests",
            )
        }
        if other:
            lines.append(f"{result.module}: also {other}")
        if result.false_survivors:
            lines.append(
                f"{result.module}: {result.false_survivors} survivor(s) of the forked pass "
                "killed in a fresh interpreter"
            )
        if result.survivors:
            lines.append(f"## Survivors in {result.module}")
            lines.append("")
            lines.extend(
                f"- {survivor.describe()}  [{survivor.name}]" for survivor in result.survivors
            )
            lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the chosen modules, print and write the report; 0 unless it cannot run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("words", nargs="*", help="run the modules whose path contains a word")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--children", type=int, default=1, help="mutants run at once (1)")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run only the survivors of the last run again, against the current tests",
    )
    parser.add_argument(
        "--report", action="store_true", help="only write the report of the last runs"
    )
    args = parser.parse_args(argv)
    chosen = {
        module: tests
        for module, tests in MODULES.items()
        if not args.words or any(word in module for word in args.words)
    }
    if args.list:
        for module, tests in chosen.items():
            print(f"{module}: {', '.join(tests)}")
        return 0
    WORK.mkdir(exist_ok=True)
    for module, tests in chosen.items():
        if args.report:
            continue
        print(f"mutating {module} against {', '.join(tests)} ...", flush=True)
        run_module(module, tests, args.children, again=args.again)
    ran = [module for module in MODULES if _work(module).exists()]
    report = _report([collect(module) for module in ran])
    print(report)
    (WORK / "report.md").write_text(report, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
