"""Development sessions: ``python3 -m nox -s tests lint typecheck docs bench``.

Every session runs on the interpreter that runs nox. To try another one, pass it on
the command line, e.g. ``python3 -m nox -s tests --force-python 3.10`` (a version
found on PATH) or ``--force-python /path/to/python3.10``.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.error_on_external_run = True
# Use uv to create virtualenvs and install packages when it is installed (much
# faster); fall back to virtualenv + pip otherwise.
nox.options.default_venv_backend = "uv|virtualenv"

ROOT = Path(__file__).resolve().parent

# Linters and the type checker are pinned so that a new release cannot turn a green
# tree red; bump them deliberately.
RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"
# tomli: mypy checks the Python 3.10 branch that reads TOML with it.
MYPY_STUBS = ["types-python-dateutil", "types-jsonschema", "tomli"]
MUTMUT = "mutmut==3.8.1"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with branch coverage (fails under 95 %)."""
    # the columnar tests compare pyarrow, polars and pandas inputs with events; the
    # scale-out tests run a Dask cluster (the test extra brings the server and its client)
    session.install(".[test,arrow,dask,pandas,polars]")
    session.run(
        "pytest",
        # one worker per core: the suite is CPU bound (hypothesis, coverage tracing)
        "--numprocesses=auto",
        "--cov",
        "--cov-branch",
        "--cov-report=term-missing",
        "--cov-fail-under=95",
        *session.posargs,
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """Run the test suite with 400 hypothesis examples a property (slow: not in CI).

    The tests session draws 25 to stay quick; every run draws new examples, and this
    one looks much deeper: run it before a release and after changing a property.
    """
    session.install(".[test,arrow,dask,pandas,polars]")
    session.run("pytest", "--numprocesses=auto", *session.posargs, env={"HYPOTHESIS_PROFILE": "ci"})


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff (no files are changed)."""
    session.install(RUFF)
    session.run("ruff", "check", ".", *session.posargs)
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check src/ and tests/ with mypy --strict."""
    # the optional engines too, so that the modules using them are checked against them
    session.install(".[test,arrow,dask,pandas,polars]", MYPY, *MYPY_STUBS)
    session.run("mypy", "--strict", *(session.posargs or ["src", "tests"]))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML documentation (warnings are errors) and run its doctests."""
    session.install(".[docs]")
    for builder, outdir in (("html", "docs/_build/html"), ("doctest", "docs/_build/doctest")):
        session.run(
            "sphinx-build",
            "-W",
            "--keep-going",
            "-b",
            builder,
            "docs",
            outdir,
            *session.posargs,
        )


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmarks/*.py script and print its figures."""
    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    if not scripts:
        session.skip("no scripts in benchmarks/")
    session.install(".")
    for script in scripts:
        session.run("python", str(script.relative_to(ROOT)), *session.posargs)


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing of the core modules, one at a time (slow: not part of CI).

    ``python3 -m nox -s mutation -- money periods`` runs the modules whose path
    contains a word; see CONTRIBUTING.md ("Mutation testing") and mutation/run.py.
    """
    # the columnar engine's tests compare pyarrow, polars and pandas inputs
    session.install(".[test,arrow]", "polars", "pandas", MUTMUT, "tomli; python_version < '3.11'")
    session.run("python", "mutation/run.py", *session.posargs)
