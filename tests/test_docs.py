"""The README's examples run, and every public name is in the API reference."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import meterprice

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples_run() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    source = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
    assert ">>>" in source
    test = doctest.DocTestParser().get_doctest(source, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
    assert runner.tries >= 5


def test_readme_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"```console\n(.*?)```", section, re.S)[0].strip().splitlines()
    # each makes its own virtual environment: a system Python may refuse pip install
    assert commands == [
        "python3 -m venv .venv && .venv/bin/python -m pip install . "
        "&& .venv/bin/python -m meterprice demo",
        "python3 -m venv .venv && .venv/bin/python -m pip install nox "
        "&& .venv/bin/python -m nox -s tests",
    ]
    # and CI runs the second exactly as written
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"readonly TEST_COMMAND='{commands[1]}'" in ci


def test_every_public_name_is_in_the_api_reference() -> None:
    documented = "\n".join(
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").rglob("*.md"))
    )
    missing = [
        name
        for name in meterprice.__all__
        if name != "__version__" and f"meterprice.{name}\n" not in documented
    ]
    assert missing == []


def test_public_names_are_sorted_and_unique() -> None:
    assert list(meterprice.__all__) == sorted(set(meterprice.__all__))
