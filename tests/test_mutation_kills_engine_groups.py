"""The columnar engine's groups, text columns and windows: what mutation testing
found unpinned.

The group numbers of the rows that are folded (maximum, time bands) for days before
1970 and for dimension keys too many for int64, which are then found row by row;
a text dimension column in several chunks whose few values are looked up among its
first rows; the refusal of timestamps finer than a microsecond; the wall clock of a
row exactly at a change of the UTC offset (also when the change falls inside an
hour and is bisected); a window that ends one microsecond after midnight; and rows
far outside the window (beyond the year 9999) that are not metered. Figures
computed by hand.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from meterprice import Band, Meter, TimeBands
from meterprice.errors import UsageError
from meterprice.usage import _Max

pa = pytest.importorskip("pyarrow")

from engine_rows import END, START, UTC, at, contract, day, exactly, key, metered, sums, table  # noqa: E402


def rows_of(quantities: list[int], stamps: Any, **dims: Any) -> Any:
    """A table of "seconds" rows with the given Arrow timestamp and dimension arrays."""
    return pa.table(
        {
            "metric": pa.array(["seconds"] * len(quantities), pa.string()),
            "quantity": pa.array(quantities, pa.int64()),
            "timestamp": stamps,
            **dims,
        }
    )


# -- group numbers of the folded rows ---------------------------------------------------


def test_maxima_of_days_before_1970_are_grouped_by_day() -> None:
    # days -2 and -1 since 1970: each day its own group, the maximum of its rows
    rows = table(
        ["seconds"] * 3,
        [4, 9, 5],
        [
            dt.datetime(1969, 12, 30, 8, tzinfo=UTC),
            dt.datetime(1969, 12, 31, 8, tzinfo=UTC),
            dt.datetime(1969, 12, 30, 20, tzinfo=UTC),
        ],
    )
    meter = Meter("seconds", aggregation="max")
    assert metered(meter, rows, None, None) == {
        key("seconds", dt.date(1969, 12, 30)): _Max(Fraction(5)),
        key("seconds", dt.date(1969, 12, 31)): _Max(Fraction(9)),
    }


def test_maxima_by_dimension_keys_beyond_int64_are_grouped_row_by_row() -> None:
    # five dictionary columns of 10,000 values each, rows using the first and the last:
    # the key space (10,001 ** 5 values per dimension times the days) exceeds 2**63,
    # so the groups are found among the rows themselves; rows 0 and 2 share a group
    words = pa.array([f"v{number}" for number in range(10_000)], pa.string())
    indices = pa.array([0, 9_999, 0, 9_999], pa.int32())
    column = pa.DictionaryArray.from_arrays(indices, words)
    names = ["a", "b", "c", "d", "e"]
    stamps = pa.array([at(3), at(3, 10), at(3, 11), at(4)], pa.timestamp("us", "UTC"))
    rows = rows_of([4, 7, 6, 2], stamps, **dict.fromkeys(names, column))
    first = dict.fromkeys(names, "v0")
    last = dict.fromkeys(names, "v9999")
    meter = Meter("seconds", aggregation="max")
    assert metered(meter, rows) == {
        key("seconds", day(3), **first): _Max(Fraction(6)),  # max(4, 6)
        key("seconds", day(3), **last): _Max(Fraction(7)),
        key("seconds", day(4), **last): _Max(Fraction(2)),
    }


# -- text columns -------------------------------------------------------------------------


def test_a_chunked_dimension_of_few_values_is_read_across_its_chunks() -> None:
    regions = pa.chunked_array([["eu", "us"], ["eu", "us", "eu"]], pa.string())
    stamps = pa.array([at(3)] * 5, pa.timestamp("us", "UTC"))
    rows = rows_of([1, 2, 4, 8, 16], stamps, region=regions)
    # eu: 1 + 4 + 16; us: 2 + 8
    assert metered(Meter("seconds"), rows) == sums(
        "seconds", (day(3), {"region": "eu"}, 21), (day(3), {"region": "us"}, 10)
    )


# -- timestamps -------------------------------------------------------------------------


def test_nanosecond_timestamps_finer_than_a_microsecond_are_refused() -> None:
    base = (START - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
    stamps = pa.array([base * 1000, base * 1000 + 1], pa.timestamp("ns", "UTC"))
    rows = rows_of([1, 2], stamps)
    message = (
        "column 'timestamp' (timestamp) has timestamps finer than a microsecond, which "
        "events cannot hold: round them to microseconds"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), rows)


# -- the wall clock at a change of offset ----------------------------------------------

#: Tehran moved from +03:30 to +04:30 at 2021-03-21 20:30 UTC (midnight local).
TEHRAN_CHANGE = dt.datetime(2021, 3, 21, 20, 30, tzinfo=UTC)
EARLY = TimeBands([Band("early", "00:00", "00:30")], timezone="Asia/Tehran")


def banded_at_the_change(start: dt.datetime) -> dict[object, object]:
    # one microsecond before the change: 23:59:59.999999 on the 21st (+03:30), a day
    # row; at the change itself the new offset: 01:00 on the 22nd, a day row too (with
    # the old offset it would read 00:00, early)
    before = TEHRAN_CHANGE - dt.timedelta(microseconds=1)
    rows = table(["seconds"] * 2, [3, 5], [before, TEHRAN_CHANGE])
    meter = Meter("seconds", bands=EARLY)
    the_contract = contract(meter, timezone="Asia/Tehran")
    return metered(the_contract, rows, start, dt.datetime(2021, 3, 23, tzinfo=UTC))


def test_a_row_at_the_change_of_offset_has_the_new_offset() -> None:
    assert banded_at_the_change(dt.datetime(2021, 3, 21, tzinfo=UTC)) == sums(
        "seconds",
        (dt.date(2021, 3, 21), {"band": "day"}, 3),
        (dt.date(2021, 3, 22), {"band": "day"}, 5),
    )


def test_a_change_of_offset_bisected_from_an_odd_window_start_is_exact() -> None:
    # from 20:00:00.000001 UTC the change within that hour is bisected over an odd
    # number of microseconds: the instant found must be the change itself
    start = dt.datetime(2021, 3, 21, 20, 0, 0, 1, tzinfo=UTC)
    assert banded_at_the_change(start) == sums(
        "seconds",
        (dt.date(2021, 3, 21), {"band": "day"}, 3),
        (dt.date(2021, 3, 22), {"band": "day"}, 5),
    )


# -- the window -------------------------------------------------------------------------


def test_a_window_ending_a_microsecond_after_midnight_keeps_the_midnight_row() -> None:
    # the window's last day is the 30th: its row at 00:00 is within the window
    rows = table(["seconds"] * 2, [2, 7], [at(3), at(30, 0)])
    end = dt.datetime(2026, 11, 30, 0, 0, 0, 1, tzinfo=UTC)
    assert metered(Meter("seconds"), rows, START, end) == sums(
        "seconds", (day(3), {}, 2), (day(30), {}, 7)
    )


def test_rows_beyond_the_year_9999_outside_the_window_are_not_metered() -> None:
    # a row in the year 20000 (after the window) is left out, not looked up in the zone
    far = 18_000 * 365 * 86_400 * 1_000_000 + 1_700_000_000 * 1_000_000
    november = (at(3) - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
    stamps = pa.array([november, far], pa.timestamp("us", "UTC"))
    rows = rows_of([2, 9], stamps)
    assert metered(Meter("seconds"), rows, START, END) == sums("seconds", (day(3), {}, 2))
