"""The quick test of text timestamps in usage files agrees with the clock patterns."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from meterprice.columnar import _files  # noqa: E402

VALID = [
    ("2026-11-01T00:00:00Z", True),
    ("2026-12-31T23:59:59Z", True),
    ("2026-11-01T10:00:00.5Z", True),
    ("2026-11-01T10:00:00.123456Z", True),
    ("2026-11-01T10:00:00+01:00", True),
    ("2026-11-01T10:00:00-23:59", True),
    ("2026-11-01T10:00:00.12+05:30", True),
    ("2026-11-01T10:00:00", False),
    ("0001-01-01T00:00:00.1234", False),
]


def _column(texts: list[str], *, sliced: bool = False) -> object:
    if sliced:  # a chunk that starts inside its buffers
        return pa.chunked_array([pa.array(["x", *texts], pa.string()).slice(1)])
    return pa.chunked_array([pa.array(texts, pa.string())])


def _pattern(aware: bool) -> str:
    return _files._AWARE if aware else _files._NAIVE


@pytest.mark.parametrize(("text", "aware"), VALID)
@pytest.mark.parametrize("sliced", [False, True])
def test_every_layout_of_a_clock_passes_the_quick_test(
    text: str, aware: bool, sliced: bool
) -> None:
    column = _column([text, text], sliced=sliced)
    assert _files._fixed_clocks(column, aware=aware)
    assert re.match(_pattern(aware), text)


@pytest.mark.parametrize(
    ("text", "aware"),
    [
        ("2026-13-01T00:00:00Z", True),  # month 13
        ("2026-00-01T00:00:00Z", True),  # month 0
        ("2026-11-32T00:00:00Z", True),  # day 32
        ("2026-11-01T24:00:00Z", True),  # hour 24
        ("2026-11-01T10:60:00Z", True),  # minute 60
        ("2026-11-01T10:00:60Z", True),  # second 60
        ("2026-11-01 10:00:00Z", True),  # a space for the T
        ("2026/11/01T10:00:00Z", True),
        ("2026-11-01T10:00:00.Z", True),  # a point without digits
        ("2026-11-01T10:00:00.1234567Z", True),  # seven digits
        ("2026-11-01T10:00:00*01:00", True),  # no sign
        ("2026-11-01T10:00:00+24:00", True),  # offset hour 24
        ("2026-11-01T10:00:00+01:60", True),
        ("2026-11-01T10:00:00+0100", True),  # no colon
        ("2026-11-01T10:00:00Z", False),  # an offset where none is expected
        ("2026-11-01T10:00:0a", False),
        ("20x6-11-01T10:00:00", False),
    ],
)
def test_what_the_pattern_refuses_the_quick_test_refuses(text: str, aware: bool) -> None:
    assert not _files._fixed_clocks(_column([text]), aware=aware)
    assert not re.match(_pattern(aware), text)


def test_texts_of_several_widths_or_layouts_are_left_to_the_pattern() -> None:
    widths = ["2026-11-01T10:00:00Z", "2026-11-01T10:00:00.5Z"]
    layouts = ["2026-11-01T10:00:00+01:00", "2026-11-01T10:00:00.1234Z"]  # both 25 long
    assert not _files._fixed_clocks(_column(widths), aware=True)
    assert not _files._fixed_clocks(_column(layouts), aware=True)
    # the pattern accepts both columns: the usage file reads them in bulk all the same
    assert all(re.match(_files._AWARE, text) for text in widths + layouts)


def test_other_columns_are_left_to_the_pattern() -> None:
    text = "2026-11-01T10:00:00Z"
    assert _files._fixed_clocks(pa.chunked_array([], pa.string()), aware=True)
    assert not _files._fixed_clocks(pa.chunked_array([[text, None]], pa.string()), aware=True)
    large = pa.chunked_array([pa.array([text], pa.large_string())])
    assert not _files._fixed_clocks(large, aware=True)
    assert not _files._fixed_clocks(_column(["2026-11-01T10:00:0"]), aware=False)  # 18 long


_CLOCKISH = st.text(alphabet="0123456789-T:Z+.x ", min_size=17, max_size=33)


def _near(text: str, where: int, char: str) -> str:
    where %= len(text) + 1
    return text[:where] + char + text[where + 1 :]


_BASES = st.sampled_from([text for text, _ in VALID])


@given(
    base=_BASES,
    edits=st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from("0123456789-T:Z+.x ")), max_size=3
    ),
    aware=st.booleans(),
    rows=st.integers(1, 3),
)
@example(base="2026-11-01T10:00:00Z", edits=[(5, "2")], aware=True, rows=1)  # month 21
def test_the_quick_test_implies_the_pattern_near_valid_clocks(
    base: str, edits: list[tuple[int, str]], aware: bool, rows: int
) -> None:
    text = base
    for where, char in edits:
        text = _near(text, where, char)
    texts = [text] * rows
    if _files._fixed_clocks(_column(texts), aware=aware):
        assert re.match(_pattern(aware), text), text
    elif len({len(t) for t in texts}) == 1 and re.match(_pattern(aware), text):
        # one text, of one width: the quick test must not miss a clock of its layout
        pytest.fail(f"the quick test missed {text!r}")


@given(texts=st.lists(_CLOCKISH, min_size=1, max_size=4), aware=st.booleans())
def test_the_quick_test_implies_the_pattern_on_any_texts(texts: list[str], aware: bool) -> None:
    if _files._fixed_clocks(_column(texts), aware=aware):
        assert all(re.match(_pattern(aware), text) for text in texts)
