"""The columnar engine's rows: what mutation testing found unpinned.

The refusal of metrics no meter reads (counted within the window, named, with the
meters that are read); the window's bounds for aware and naive timestamps, open
bounds and windows before 1970; the rows of each metric; the counting and adding
by one key per row (the days, the dimensions decoded in order, filters, groups, the
rows outside the window); the billable quantities with increments, minimums, unit
conversions, decimals and negative corrections, exact near and beyond 2**53; the
refusal of negative quantities; which dimension columns are read; and the paths
that take the rows themselves (maximum, latest, distinct, time bands). Figures
computed by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any
from unittest import mock

import pytest

from meterprice import Band, Dimensions, Meter, Period, TimeBands
from meterprice.errors import UsageError
from meterprice.usage import _Distinct, _Latest, _Max, _Sum

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

from engine_rows import END, START, UTC, at, contract, day, exactly, key, metered, sums, table  # noqa: E402

from meterprice.columnar import ColumnMapping, _encoding, _engine, meter_table  # noqa: E402

NOVEMBER = Period.parse("2026-11")
NO_DIMS = Dimensions()


# -- metrics that no meter reads -------------------------------------------------------


def test_rows_of_a_metric_no_meter_reads_are_refused_by_count_and_name() -> None:
    rows = table(["calls"] * 2, [1, 2], [at(3), at(4)])
    message = "2 event(s) have metrics that no meter reads: calls (meters read: seconds)"
    with pytest.raises(UsageError, match=exactly(message)):
        meter_table(contract(Meter("seconds")), rows, NOVEMBER)


def test_unread_rows_outside_the_window_are_not_counted() -> None:
    rows = table(["calls"] * 3, [1, 2, 3], [at(3), at(31, month=10), at(4)])
    message = "2 event(s) have metrics that no meter reads: calls (meters read: seconds)"
    with pytest.raises(UsageError, match=exactly(message)):
        meter_table(contract(Meter("seconds")), rows, NOVEMBER)


def test_unread_rows_all_outside_the_window_are_no_error() -> None:
    rows = table(["calls"] * 2, [1, 2], [at(30, month=10), at(1, month=12)])
    assert metered(Meter("seconds"), rows) == {}


def test_unread_metrics_among_several_are_counted_within_the_window() -> None:
    # seconds is read; calls (2 rows in November) and chats (1 in, 1 out) are not
    rows = table(
        ["seconds", "calls", "chats", "calls", "chats", "seconds", "seconds"],
        [1, 2, 3, 4, 5, 6, 7],
        [at(3), at(3), at(4), at(5), at(31, month=10), at(30, month=10), at(6)],
    )
    message = "3 event(s) have metrics that no meter reads: calls, chats (meters read: seconds)"
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), rows)


def test_unread_metrics_among_several_with_every_row_in_the_window() -> None:
    rows = table(["seconds", "calls", "seconds"], [1, 2, 3], [at(3), at(4), at(5)])
    message = "1 event(s) have metrics that no meter reads: calls (meters read: seconds)"
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), rows)


def test_an_unread_metric_only_outside_the_window_is_no_error() -> None:
    rows = table(["seconds", "calls", "seconds"], [1, 2, 3], [at(3), at(1, month=12), at(5)])
    assert metered(Meter("seconds"), rows) == sums("seconds", (day(3), {}, 1), (day(5), {}, 3))


def test_the_message_names_the_unread_metrics_and_the_meters_read() -> None:
    message = "3 event(s) have metrics that no meter reads: calls (meters read: nothing)"
    with pytest.raises(UsageError, match=exactly(message)):
        _engine._check_metrics(None, ["calls"], set(), None, 3)
    codes = np.array([0, 1, 2, 1], dtype=np.int64)
    message = "2 event(s) have metrics that no meter reads: chats, texts (meters read: a, b)"
    with pytest.raises(UsageError, match=exactly(message)):
        _engine._check_metrics(codes, ["texts", "a", "chats"], {"b", "a"}, None, 4)


def test_a_lenient_run_meters_the_read_metrics_only() -> None:
    rows = table(["calls", "seconds"], [1, 2], [at(3), at(3)])
    assert metered(Meter("seconds"), rows, strict=False) == sums("seconds", (day(3), {}, 2))


# -- the window ------------------------------------------------------------------------


def test_the_window_runs_from_its_start_to_just_before_its_end() -> None:
    tick = dt.timedelta(microseconds=1)
    stamps = [START - tick, START, END - tick, END]
    rows = table(["seconds"] * 4, [1, 10, 100, 1000], stamps)
    expected = {(day(1), 10), (day(30), 100)}
    assert metered(Meter("seconds"), rows) == sums("seconds", *((d, {}, n) for d, n in expected))
    peak = Meter("seconds", aggregation="max")
    assert metered(peak, rows) == {
        key("seconds", day(1)): _Max(Fraction(10)),
        key("seconds", day(30)): _Max(Fraction(100)),
    }


def test_a_window_open_at_either_end() -> None:
    stamps = [at(3, month=10), START, at(30), END, at(2, month=12)]
    rows = table(["seconds"] * 5, [1, 2, 3, 4, 5], stamps)
    meter = Meter("seconds")
    everything = sums(
        "seconds",
        (day(3, 10), {}, 1),
        (day(1), {}, 2),
        (day(30), {}, 3),
        (day(1, 12), {}, 4),
        (day(2, 12), {}, 5),
    )
    assert metered(meter, rows, None, None) == everything
    assert metered(meter, rows, None, END) == sums(
        "seconds", (day(3, 10), {}, 1), (day(1), {}, 2), (day(30), {}, 3)
    )
    assert metered(meter, rows, START, None) == sums(
        "seconds", (day(1), {}, 2), (day(30), {}, 3), (day(1, 12), {}, 4), (day(2, 12), {}, 5)
    )


def test_the_window_of_aware_rows_is_in_the_contract_time_zone() -> None:
    berlin = contract(Meter("seconds"), timezone="Europe/Berlin")
    start, end = berlin.bounds(NOVEMBER)  # 31 October 23:00 to 30 November 23:00 UTC
    stamps = [at(31, 22, month=10), at(31, 23, month=10), at(30, 22), at(30, 23)]
    rows = table(["seconds"] * 4, [1, 10, 100, 1000], stamps)
    assert metered(berlin, rows, start, end) == sums(
        "seconds", (day(1), {}, 10), (day(30), {}, 100)
    )


def test_the_window_of_naive_rows_is_on_the_wall_clock() -> None:
    berlin = contract(Meter("seconds"), timezone="Europe/Berlin")
    start, end = berlin.bounds(NOVEMBER)
    stamps = [
        dt.datetime(2026, 10, 31, 23, 30),
        dt.datetime(2026, 11, 1, 0, 30),
        dt.datetime(2026, 11, 30, 23, 30),
        dt.datetime(2026, 12, 1, 0, 30),
    ]
    rows = table(["seconds"] * 4, [1, 10, 100, 1000], stamps)
    assert metered(berlin, rows, start, end) == sums(
        "seconds", (day(1), {}, 10), (day(30), {}, 100)
    )


def test_a_window_before_1970_counts_its_rows_only() -> None:
    december = Period.parse("1969-12")
    start, end = contract(Meter("seconds")).bounds(december)
    stamps = [
        dt.datetime(1969, 12, 5, 8, tzinfo=UTC),
        dt.datetime(1970, 1, 2, 8, tzinfo=UTC),
        dt.datetime(1969, 11, 30, 8, tzinfo=UTC),
    ]
    rows = table(["seconds"] * 3, [2, 3, 4], stamps, queue=["a", "b", "a"])
    assert metered(Meter("seconds"), rows, start, end) == sums(
        "seconds", (dt.date(1969, 12, 5), {"queue": "a"}, 2)
    )


def test_rows_all_outside_the_window_are_not_read() -> None:
    # not even the dimension columns: a column of numbers is no error there
    rows = table(["seconds"] * 2, [1, 2], [at(3, month=10), at(2, month=12)])
    rows = rows.append_column("agent_id", pa.array([7, 8], pa.int64()))
    assert metered(Meter("seconds"), rows) == {}


# -- the columns read ------------------------------------------------------------------


def test_an_empty_table_meters_nothing_but_needs_its_columns() -> None:
    empty = table([], [], [])
    assert metered(Meter("seconds"), empty) == {}
    message = (
        "the table has no usage column 'quantity' (it has: metric, timestamp); name the "
        "column with a ColumnMapping (--column on the command line)"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), empty.drop_columns(["quantity"]))


def test_a_missing_timestamp_column_is_named_as_the_timestamp() -> None:
    rows = table(["seconds"], [1], [at(3)]).drop_columns(["timestamp"])
    message = (
        "the table has no timestamp column 'timestamp' (it has: metric, quantity); name "
        "the column with a ColumnMapping (--column on the command line)"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), rows)


def test_a_missing_dimension_column_is_named_as_a_dimension() -> None:
    rows = table(["seconds"], [1], [at(3)])
    mapping = ColumnMapping(dimensions={"queue": "queue_name"})
    message = (
        "the table has no dimension column 'queue_name' (it has: metric, quantity, "
        "timestamp); name the column with a ColumnMapping (--column on the command line)"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), rows, columns=mapping)


def test_a_column_mapping_names_the_columns_read() -> None:
    rows = pa.table(
        {
            "secs": pa.array([5, 7], pa.int64()),
            "when": pa.array([at(3), at(4)], pa.timestamp("us", "UTC")),
            "queue_name": pa.array(["a", "b"]),
        }
    )
    mapping = ColumnMapping(
        metric="seconds",
        quantity_column="secs",
        timestamp_column="when",
        dimensions={"queue": "queue_name"},
    )
    assert metered(Meter("seconds"), rows, columns=mapping) == sums(
        "seconds", (day(3), {"queue": "a"}, 5), (day(4), {"queue": "b"}, 7)
    )


def test_dimension_columns_a_meter_does_not_read_are_not_checked() -> None:
    # agent_id holds numbers, which no dimension may; the meter groups by queue only
    rows = table(["seconds"] * 2, [1, 2], [at(3), at(3)], queue=["a", "a"])
    rows = rows.append_column("agent_id", pa.array([7, 8], pa.int64()))
    by_queue = Meter("seconds", group_by=("queue",))
    assert metered(by_queue, rows) == sums("seconds", (day(3), {"queue": "a"}, 3))
    peak = Meter("seconds", aggregation="max", group_by=("queue",))
    assert metered(peak, rows) == {key("seconds", day(3), queue="a"): _Max(Fraction(2))}


def test_the_first_dimension_column_that_is_not_text_is_named() -> None:
    # a: a dictionary of numbers, b: numbers, c: text; a comes first by name
    rows = table(["seconds"] * 2, [1, 2], [at(3), at(3)], c=["x", "y"])
    numbers = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), pa.array([4, 5]))
    rows = rows.append_column("a", numbers).append_column("b", pa.array([7, 8], pa.int64()))
    message = r"^column 'a' \(dimension 'a'\) must hold text"
    with (
        mock.patch.object(_encoding, "_workers", return_value=2),
        pytest.raises(UsageError, match=message),
    ):
        metered(Meter("seconds"), rows)


def test_text_columns_encoded_on_threads_keep_their_names_and_values() -> None:
    rows = table(
        ["seconds"] * 3,
        [1, 2, 4],
        [at(3), at(3), at(3)],
        agent=["x", "y", "x"],
        queue=["a", "a", "b"],
        site=["s", "s", "s"],
    )
    with mock.patch.object(_encoding, "_workers", return_value=2):
        result = metered(Meter("seconds", group_by=("agent", "queue")), rows)
    assert result == sums(
        "seconds",
        (day(3), {"agent": "x", "queue": "a"}, 1),
        (day(3), {"agent": "y", "queue": "a"}, 2),
        (day(3), {"agent": "x", "queue": "b"}, 4),
    )


def test_two_long_text_columns_are_encoded_at_once() -> None:
    # more rows than are encoded in halves and many values: each column is encoded
    # whole on its own thread
    rows = _encoding._SPLIT + 100
    names = [f"v{i:02d}" for i in range(100)]
    first = pa.array(names * (rows // 100), pa.string())
    second = pa.array(names[::-1] * (rows // 100), pa.string())
    rows_table = pa.table(
        {
            "metric": pa.array(["seconds"] * rows),
            "quantity": pa.array(np.ones(rows, dtype=np.int64)),
            "timestamp": pa.array([at(3)] * rows, pa.timestamp("us", "UTC")),
            "a": first,
            "b": second,
        }
    )
    with mock.patch.object(_encoding, "_workers", return_value=2):
        result = metered(Meter("seconds"), rows_table)
    assert len(result) == 100
    assert result[key("seconds", day(3), a="v00", b="v99")] == _Sum(Fraction(rows // 100))


# -- counting and adding by one key per row --------------------------------------------


def two_dimension_rows() -> Any:
    """Rows over the 3rd and the last day of November with two dimensions, of which
    some rows lack one (a missing value or an empty text)."""
    return table(
        ["seconds"] * 8,
        [1, 2, 4, 8, 16, 32, 64, 128],
        [at(3), at(3), at(3), at(30), at(30), at(3), at(30), at(3)],
        agent=["a1", "a2", "a1", "a3", "a1", None, "", "a3"],
        queue=["q1", "q1", "q2", "q2", "q1", "q2", "q1", None],
    )


def test_two_dimensions_are_decoded_in_order_for_every_day() -> None:
    expected = sums(
        "seconds",
        (day(3), {"agent": "a1", "queue": "q1"}, 1),
        (day(3), {"agent": "a2", "queue": "q1"}, 2),
        (day(3), {"agent": "a1", "queue": "q2"}, 4),
        (day(30), {"agent": "a3", "queue": "q2"}, 8),
        (day(30), {"agent": "a1", "queue": "q1"}, 16),
        (day(3), {"queue": "q2"}, 32),
        (day(30), {"queue": "q1"}, 64),
        (day(3), {"agent": "a3"}, 128),
    )
    result = metered(Meter("seconds"), two_dimension_rows())
    assert result == expected
    for (_, dims, _), state in result.items():
        assert dims.items_tuple == tuple(sorted(dims.items()))
        assert type(state.value) is Fraction
    counted = metered(Meter("seconds", aggregation="count"), two_dimension_rows())
    assert counted == {name: _Sum(Fraction(1)) for name in expected}


def test_a_group_by_keeps_only_its_dimensions() -> None:
    result = metered(Meter("seconds", group_by=("queue",)), two_dimension_rows())
    assert result == sums(
        "seconds",
        (day(3), {"queue": "q1"}, 1 + 2),
        (day(3), {"queue": "q2"}, 4 + 32),
        (day(30), {"queue": "q2"}, 8),
        (day(30), {"queue": "q1"}, 16 + 64),
        (day(3), {}, 128),
    )
    assert metered(Meter("seconds", group_by=()), two_dimension_rows()) == sums(
        "seconds", (day(3), {}, 1 + 2 + 4 + 32 + 128), (day(30), {}, 8 + 16 + 64)
    )


def test_a_filter_keeps_only_the_matching_rows_of_its_metric() -> None:
    rows = table(
        ["seconds", "seconds", "calls", "seconds", "calls", "seconds"],
        [1, 2, 4, 8, 16, 32],
        [at(3), at(3), at(3), at(30), at(30), at(29)],
        queue=["q1", "q2", "q1", "q1", "q2", "q2"],
    )
    meters = contract(
        Meter("q1_seconds", source="seconds", where={"queue": "q1"}, group_by=()),
        Meter("calls", aggregation="count"),
    )
    assert metered(meters, rows) == {
        **sums("q1_seconds", (day(3), {}, 1), (day(30), {}, 8)),
        **sums("calls", (day(3), {"queue": "q1"}, 1), (day(30), {"queue": "q2"}, 1)),
    }
    # a filter on a dimension the table does not have keeps no row
    lacking = Meter("seconds", where={"channel": "phone"})
    assert metered(lacking, rows, strict=False) == {}


def test_rows_outside_the_window_count_on_no_day() -> None:
    rows = table(
        ["seconds"] * 5,
        [1, 2, 4, 8, 16],
        [at(30), at(31, month=10), at(1, month=12), at(1), at(2, month=12)],
        queue=["q1", "q1", "q2", "q2", "q1"],
    )
    assert metered(Meter("seconds"), rows) == sums(
        "seconds", (day(30), {"queue": "q1"}, 1), (day(1), {"queue": "q2"}, 8)
    )
    assert metered(Meter("seconds", aggregation="count", group_by=()), rows) == sums(
        "seconds", (day(30), {}, 1), (day(1), {}, 1)
    )


def test_each_meter_counts_the_rows_of_its_own_metric() -> None:
    rows = table(
        ["seconds", "calls", "seconds", "calls", "calls"],
        [5, 1, 7, 1, 1],
        [at(3), at(3), at(4), at(4), at(31, month=10)],
    )
    meters = contract(Meter("seconds"), Meter("calls", aggregation="count"))
    assert metered(meters, rows) == {
        **sums("seconds", (day(3), {}, 5), (day(4), {}, 7)),
        **sums("calls", (day(3), {}, 1), (day(4), {}, 1)),
    }


def test_decimal_quantities_and_unit_conversions_are_exact() -> None:
    rows = table(["seconds"] * 3, pa.array(["1.5", "0.25", "90"]), [at(3), at(3), at(4)])
    assert metered(Meter("seconds"), rows) == sums(
        "seconds", (day(3), {}, Fraction(7, 4)), (day(4), {}, 90)
    )
    minutes = Meter("minutes", source="seconds", from_unit="second", unit="minute")
    assert metered(minutes, rows) == sums(
        "minutes", (day(3), {}, Fraction(7, 240)), (day(4), {}, Fraction(3, 2))
    )


# -- increments and minimums -----------------------------------------------------------


def test_an_increment_rounds_each_row_up_and_leaves_zero() -> None:
    rows = table(["seconds"] * 4, [0, 7, 12, 13], [at(3), at(4), at(5), at(5)])
    assert metered(Meter("seconds", increment=6), rows) == sums(
        "seconds", (day(3), {}, 0), (day(4), {}, 12), (day(5), {}, 12 + 18)
    )


def test_an_increment_with_more_decimals_than_the_quantities() -> None:
    rows = table(["seconds"] * 2, [2, 1], [at(3), at(4)])
    assert metered(Meter("seconds", increment="0.3"), rows) == sums(
        "seconds", (day(3), {}, Fraction(21, 10)), (day(4), {}, Fraction(12, 10))
    )
    assert metered(Meter("seconds", increment="1.5"), rows) == sums(
        "seconds", (day(3), {}, 3), (day(4), {}, Fraction(3, 2))
    )


def test_an_increment_on_decimal_quantities() -> None:
    rows = table(["seconds"] * 2, pa.array(["0.25", "1.5"]), [at(3), at(4)])
    assert metered(Meter("seconds", increment=1), rows) == sums(
        "seconds", (day(3), {}, 1), (day(4), {}, 2)
    )


def test_a_minimum_lifts_each_row() -> None:
    rows = table(["seconds"] * 2, [7, 45], [at(3), at(4)])
    assert metered(Meter("seconds", minimum=30), rows) == sums(
        "seconds", (day(3), {}, 30), (day(4), {}, 45)
    )
    assert metered(Meter("seconds", minimum="2.5"), table(["seconds"], [1], [at(3)])) == sums(
        "seconds", (day(3), {}, Fraction(5, 2))
    )
    assert metered(Meter("seconds", minimum="0.35"), table(["seconds"], [1], [at(3)])) == sums(
        "seconds", (day(3), {}, 1)
    )


def test_negative_corrections_mirror_the_increment_and_minimum() -> None:
    rows = table(["seconds"] * 3, [-7, 7, 0], [at(3), at(4), at(5)])
    assert metered(Meter("seconds", increment=6, allow_negative=True), rows) == sums(
        "seconds", (day(3), {}, -12), (day(4), {}, 12), (day(5), {}, 0)
    )
    assert metered(Meter("seconds", minimum=30, allow_negative=True), rows) == sums(
        "seconds", (day(3), {}, -30), (day(4), {}, 30), (day(5), {}, 30)
    )
    assert metered(Meter("seconds", allow_negative=True), rows) == sums(
        "seconds", (day(3), {}, -7), (day(4), {}, 7), (day(5), {}, 0)
    )


# -- exact near and beyond 2**53 -------------------------------------------------------


def test_sums_beyond_2_to_the_53_stay_exact() -> None:
    big = 2**52 + 1
    rows = table(["seconds"] * 3, [big] * 3, [at(3)] * 3)
    assert metered(Meter("seconds"), rows) == sums("seconds", (day(3), {}, 3 * big))


def test_an_increment_near_2_to_the_53_stays_exact() -> None:
    rows = table(["seconds"], [2**53 - 1], [at(3)])
    # 2**53 - 1 rounded up to a multiple of 3: 3 * 3002399751580331
    assert metered(Meter("seconds", increment=3), rows) == sums(
        "seconds", (day(3), {}, 9007199254740993)
    )
    rows = table(["seconds"], [2**50 + 1], [at(3)])
    # 10 * (2**50 + 1) tenths rounded up to a multiple of 3 tenths
    tenths = -(-(10 * (2**50 + 1)) // 3) * 3
    assert metered(Meter("seconds", increment="0.3"), rows) == sums(
        "seconds", (day(3), {}, Fraction(tenths, 10))
    )


def test_a_large_negative_correction_stays_exact() -> None:
    rows = table(["seconds"] * 2, [1, -(2**53 + 1)], [at(3), at(4)])
    assert metered(Meter("seconds", allow_negative=True), rows) == sums(
        "seconds", (day(3), {}, 1), (day(4), {}, -(2**53 + 1))
    )


def test_quantities_beyond_int64_are_added_exactly() -> None:
    rows = table(["seconds"] * 2, pa.array([2**64 - 1, 3], pa.uint64()), [at(3), at(3)])
    assert metered(Meter("seconds"), rows) == sums("seconds", (day(3), {}, 2**64 + 2))
    decimals = pa.array([Decimal("1.5"), Decimal("2.25")], pa.decimal256(40, 2))
    rows = table(["seconds"] * 2, decimals, [at(3), at(3)])
    assert metered(Meter("seconds", increment=1), rows) == sums("seconds", (day(3), {}, 5))


# -- negative quantities ---------------------------------------------------------------


NEGATIVE = (
    "meter 'seconds': {} event(s) of 'seconds' have negative quantities (such as {}); "
    "negative quantities are refused unless the meter allows them"
)


def test_negative_quantities_are_refused_by_count_and_first_value() -> None:
    rows = table(["seconds"] * 5, pa.array(["0", "-1.5", "2", "-0.5", "0"]), [at(3)] * 5)
    for meter in (Meter("seconds"), Meter("seconds", aggregation="count")):
        with pytest.raises(UsageError, match=exactly(NEGATIVE.format(2, "-1.5"))):
            metered(meter, rows)


def test_only_negative_rows_of_the_meter_within_the_window_are_refused() -> None:
    rows = table(
        ["seconds", "credits", "seconds", "seconds", "credits", "seconds"],
        [3, -5, -2, -4, -6, -9],
        [at(3), at(3), at(31, month=10), at(4), at(1, month=12), at(5)],
    )
    meters = contract(Meter("seconds"), Meter("credits", allow_negative=True))
    with pytest.raises(UsageError, match=exactly(NEGATIVE.format(2, "-4"))):
        metered(meters, rows)
    fine = table(
        ["seconds", "credits", "seconds", "credits"],
        [3, -5, -2, -6],
        [at(3), at(3), at(31, month=10), at(1, month=12)],
    )
    assert metered(meters, fine) == {
        **sums("seconds", (day(3), {}, 3)),
        **sums("credits", (day(3), {}, -5)),
    }
    # every row in the window: the other metric's corrections still do not count
    inside = table(["seconds", "credits"], [3, -5], [at(3), at(4)])
    assert metered(meters, inside) == {
        **sums("seconds", (day(3), {}, 3)),
        **sums("credits", (day(4), {}, -5)),
    }


# -- the paths that take the rows themselves -------------------------------------------


def test_a_maximum_reads_only_its_rows_within_the_window() -> None:
    peak = Meter("peak", aggregation="max")
    one_metric = table(
        ["peak"] * 4,
        [3, 9, 5, 7],
        [at(3), at(31, month=10), at(3), at(4)],
        queue=["a", "a", "a", "b"],
    )
    expected = {
        key("peak", day(3), queue="a"): _Max(Fraction(5)),
        key("peak", day(4), queue="b"): _Max(Fraction(7)),
    }
    assert metered(peak, one_metric) == expected
    assert metered(peak, one_metric.slice(2)) == {
        key("peak", day(3), queue="a"): _Max(Fraction(5)),
        key("peak", day(4), queue="b"): _Max(Fraction(7)),
    }
    both = contract(peak, Meter("seconds"))
    several = table(
        ["peak", "seconds", "peak", "seconds", "peak"],
        [3, 50, 5, 60, 7],
        [at(3), at(3), at(3), at(31, month=10), at(4)],
        queue=["a", "a", "a", "b", "b"],
    )
    assert metered(both, several) == {
        **expected,
        **sums("seconds", (day(3), {"queue": "a"}, 50)),
    }
    inside = several.slice(0, 3)
    assert metered(both, inside) == {
        key("peak", day(3), queue="a"): _Max(Fraction(5)),
        **sums("seconds", (day(3), {"queue": "a"}, 50)),
    }


def test_a_latest_value_carries_its_aware_instant() -> None:
    latest = Meter("seats", aggregation="latest")
    rows = table(["seats"] * 3, [4, 6, 5], [at(3, 9), at(3, 11), at(3, 10)])
    assert metered(latest, rows) == {key("seats", day(3)): _Latest(at(3, 11), Fraction(6))}
    state = metered(latest, rows)[key("seats", day(3))]
    assert state.at.utcoffset() == dt.timedelta(0)


def test_distinct_values_are_read_even_when_not_grouped_by() -> None:
    agents = Meter("agents", source="logins", aggregation="distinct", distinct="agent")
    grouped = Meter(
        "agents", source="logins", aggregation="distinct", distinct="agent", group_by=("queue",)
    )
    rows = table(
        ["logins"] * 3, [1, 1, 1], [at(3)] * 3, agent=["x", "y", "x"], queue=["a", "a", "a"]
    )
    expected = {key("agents", day(3), queue="a"): _Distinct(frozenset({"x", "y"}))}
    assert metered(grouped, rows) == expected
    assert metered(agents, rows) == {
        key("agents", day(3), agent="x", queue="a"): _Distinct(frozenset({"x"})),
        key("agents", day(3), agent="y", queue="a"): _Distinct(frozenset({"y"})),
    }


NIGHT = TimeBands([Band("night", "22:00", "06:00")])


def test_time_bands_sum_by_band() -> None:
    rows = table(["seconds"] * 3, [1, 2, 4], [at(3, 9), at(3, 23), at(4, 2)])
    banded = Meter("seconds", bands=NIGHT)
    assert metered(banded, rows) == sums(
        "seconds",
        (day(3), {"band": "day"}, 1),
        (day(3), {"band": "night"}, 2),
        (day(4), {"band": "night"}, 4),
    )
    counted = Meter("seconds", aggregation="count", bands=NIGHT, group_by=("band",))
    assert metered(counted, rows) == sums(
        "seconds",
        (day(3), {"band": "day"}, 1),
        (day(3), {"band": "night"}, 1),
        (day(4), {"band": "night"}, 1),
    )


def test_a_band_column_of_the_table_is_read_even_when_not_grouped_by() -> None:
    # the meter's band dimension is read from the table when it has such a column: one
    # of numbers is refused
    rows = table(["seconds"] * 2, [1, 2], [at(3), at(3)], queue=["a", "a"])
    rows = rows.append_column("band", pa.array([7, 8], pa.int64()))
    meter = Meter("seconds", bands=NIGHT, group_by=("queue",))
    with pytest.raises(UsageError, match=r"^column 'band' \(dimension 'band'\) must hold text"):
        metered(meter, rows)
