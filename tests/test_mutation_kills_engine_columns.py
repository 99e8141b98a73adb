"""The columnar engine's columns: what mutation testing found unpinned.

The messages about a missing, mistyped or incomplete column; which column types are
text; the codes and values of text and dictionary columns (unused dictionary values,
duplicate ones, missing values, several chunks, long columns encoded in halves); the
metric names of a table; a dimension's codes for empty texts and missing values; and
the number of threads the engine encodes with. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from typing import Any

import pytest

from meterprice import Contract, Meter, Period
from meterprice.components import PerUnit
from meterprice.errors import UsageError

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

from meterprice.columnar import ColumnMapping, _arrays, _encoding, meter_table  # noqa: E402

AT = dt.datetime(2026, 11, 3, 9, tzinfo=dt.timezone.utc)
NOVEMBER = Period.parse("2026-11")


def counting(*metrics: str, **meter: Any) -> Contract:
    """A contract pricing each metric (``seconds`` unless given) one euro a unit."""
    names = metrics or ("seconds",)
    return Contract(
        "c",
        "EUR",
        [PerUnit(f"P{i}", metric=name, rate="1 EUR") for i, name in enumerate(names)],
        meters=[Meter(name, **meter) for name in names],
        unpriced="ignore",
    )


def table_of(metric: Any, quantity: Any = None, **columns: Any) -> Any:
    """A table of ``metric`` rows on 3 November, one unit each unless ``quantity``."""
    rows = len(metric)
    return pa.table(
        {
            "metric": metric,
            "quantity": pa.array([1] * rows, pa.int64()) if quantity is None else quantity,
            "timestamp": pa.array([AT] * rows, pa.timestamp("us", "UTC")),
            **columns,
        }
    )


def dictionary(indices: list[int | None], values: Any) -> Any:
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), values)


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


# -- missing, mistyped and incomplete columns --------------------------------------------


def test_a_missing_metric_column_is_named_with_the_columns_the_table_has() -> None:
    table = pa.table({"quantity": [1], "timestamp": [AT]})
    message = (
        "the table has no metric column 'metric' (it has: quantity, timestamp); name the "
        "column with a ColumnMapping (--column on the command line)"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        meter_table(counting(), table, NOVEMBER)


def test_a_table_without_columns_says_it_has_none() -> None:
    # the first of the columns it needs that the table lacks: metric, quantity or timestamp
    message = (
        r"^the table has no usage column '(metric|quantity|timestamp)' \(it has: no "
        r"columns\); name the column with a ColumnMapping \(--column on the command line\)$"
    )
    with pytest.raises(UsageError, match=message):
        meter_table(counting(), pa.table({}), NOVEMBER)


def test_missing_metrics_are_counted_and_the_first_row_lacking_one_is_named() -> None:
    table = table_of(pa.array(["seconds", None, "seconds", None], pa.string()))
    message = (
        "column 'metric' (metric) has 2 missing value(s), the first in row 1: every event "
        "needs a metric"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        meter_table(counting(), table, NOVEMBER)


def test_a_metric_column_of_numbers_is_refused_with_its_type() -> None:
    table = table_of(pa.array([1, 2], pa.int64()))
    message = "column 'metric' (metric) must hold strings, not int64"
    with pytest.raises(UsageError, match=exactly(message)):
        meter_table(counting(), table, NOVEMBER)


def test_a_dimension_column_of_numbers_is_refused_with_its_type() -> None:
    table = table_of(pa.array(["seconds"]), queue=pa.array([7], pa.int64()))
    message = (
        "column 'queue' (dimension 'queue') must hold text, not int64: cast it to strings, "
        "or leave it out of the dimensions (ColumnMapping dimensions=)"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        meter_table(counting(), table, NOVEMBER)


def test_a_blank_metric_name_is_refused_alone_and_among_others() -> None:
    message = "column 'metric' (metric) has an empty metric name"
    for metrics in ([" ", " "], ["seconds", " "], ["", "seconds"]):
        with pytest.raises(UsageError, match=exactly(message)):
            meter_table(counting(), table_of(pa.array(metrics, pa.string())), NOVEMBER)


# -- which columns are text --------------------------------------------------------------


def test_every_kind_of_text_column_is_text_and_numbers_are_not() -> None:
    for kind in (
        pa.string(),
        pa.large_string(),
        pa.string_view(),
        pa.dictionary(pa.int32(), pa.string()),
        pa.dictionary(pa.int8(), pa.large_string()),
    ):
        assert _arrays._is_string(kind) is True
    for kind in (pa.int64(), pa.binary(), pa.null(), pa.dictionary(pa.int32(), pa.int64())):
        assert _arrays._is_string(kind) is False


def test_metrics_and_dimensions_of_large_strings_and_dictionaries_are_metered() -> None:
    table = table_of(
        pa.array(["seconds", "seconds", "calls"], pa.large_string()),
        queue=dictionary([0, 1, 0], pa.array(["sales", "support"], pa.large_string())),
        team=pa.array(["a", "b", "b"], pa.large_string()),
    )
    usage = meter_table(counting("seconds", "calls"), table, NOVEMBER)
    assert usage.quantity("seconds") == 2
    assert usage.quantity("seconds", {"queue": "support", "team": "b"}) == 1
    assert usage.quantity("calls", {"queue": "sales", "team": "b"}) == 1


def test_a_metric_column_of_dictionary_text_is_metered() -> None:
    metrics = dictionary([1, 0, 1], pa.array(["calls", "seconds"]))
    usage = meter_table(counting("seconds", "calls"), table_of(metrics), NOVEMBER)
    assert usage.quantity("seconds") == 2
    assert usage.quantity("calls") == 1


def test_text_columns_are_read_as_plain_strings() -> None:
    large = pa.chunked_array([["a", "bc"], ["d"]], pa.large_string())
    plain = _arrays._as_strings(large)
    assert plain.type == pa.string()
    assert plain.to_pylist() == ["a", "bc", "d"]
    already = pa.chunked_array([["x", None]], pa.string())
    assert _arrays._as_strings(already).to_pylist() == ["x", None]


def test_decimal_texts_as_large_strings_are_read_exactly() -> None:
    quantity = pa.array(["1.5", "2.25", "10"], pa.large_string())
    table = table_of(pa.array(["seconds"] * 3), quantity)
    assert meter_table(counting(), table, NOVEMBER).quantity("seconds") == Decimal("13.75")


# -- codes of text columns ---------------------------------------------------------------


def test_a_dictionary_column_keeps_its_codes_and_unused_values_read_none() -> None:
    # a, b (never used), c, d (never used): rows a, c, a and a missing value
    column = pa.chunked_array([dictionary([0, 2, 0, None], pa.array(["a", "b", "c", "d"]))])
    codes, values = _encoding._codes(column)
    assert codes.tolist() == [0, 2, 0, -1]
    assert values == ["a", None, "c", None]


def test_a_dictionary_whose_first_value_alone_is_used() -> None:
    column = pa.chunked_array([dictionary([0, 0], pa.array(["a", "b"]))])
    codes, values = _encoding._codes(column)
    assert codes.tolist() == [0, 0]
    assert values == ["a", None]


def test_an_unused_dictionary_text_that_is_no_number_is_not_read_as_a_quantity() -> None:
    quantity = dictionary([0, 2], pa.array(["1.5", "n/a", "2"]))
    table = table_of(pa.array(["seconds", "seconds"]), quantity)
    assert meter_table(counting(), table, NOVEMBER).quantity("seconds") == Decimal("3.5")


def test_an_unused_blank_dictionary_metric_is_no_empty_metric_name() -> None:
    metrics = dictionary([0, 2, 0], pa.array(["seconds", " ", "calls"]))
    usage = meter_table(counting("seconds", "calls"), table_of(metrics), NOVEMBER)
    assert usage.quantity("seconds") == 2
    assert usage.quantity("calls") == 1


def test_the_few_values_of_a_column_of_several_chunks_are_looked_up_in_every_chunk() -> None:
    column = pa.chunked_array([["en", "de"], ["de", None, "en"]], pa.string())
    found = _encoding._known_codes(column)
    assert found is not None
    codes, values = found
    assert codes.dtype == np.int64
    assert codes.tolist() == [0, 1, 1, -1, 0]
    assert values == ["en", "de"]


def test_a_column_without_chunks_has_no_codes() -> None:
    found = _encoding._known_codes(pa.chunked_array([], pa.string()))
    assert found is not None
    codes, values = found
    assert codes.dtype == np.int64
    assert codes.shape == (0,)
    assert values == []
    codes, values = _encoding._dictionary_codes(
        pa.chunked_array([], pa.dictionary(pa.int32(), pa.string()))
    )
    assert codes.dtype == np.int64
    assert codes.shape == (0,)
    assert values == []


def test_dictionary_values_are_read_as_text() -> None:
    numbers = pa.chunked_array([dictionary([1, 0, 1], pa.array([7, 8], pa.int64()))])
    codes, values = _encoding._dictionary_codes(numbers)
    assert codes.tolist() == [1, 0, 1]
    assert values == ["7", "8"]
    large = pa.chunked_array([dictionary([1, None], pa.array(["x", "y"], pa.large_string()))])
    codes, values = _encoding._dictionary_codes(large)
    assert codes.tolist() == [1, -1]
    assert values == ["x", "y"]


def test_duplicate_dictionary_values_share_the_first_code_and_missing_values_stay_apart() -> None:
    column = pa.chunked_array([dictionary([0, 1, 2, None], pa.array(["a", "a", "b"]))])
    codes, values = _encoding._dictionary_codes(column)
    assert codes.dtype == np.int64
    assert codes.tolist() == [0, 0, 2, -1]
    assert values == ["a", "a", "b"]


def test_a_missing_value_in_a_dictionary_with_duplicates_lacks_the_dimension() -> None:
    # the dictionary repeats a; its last value b is used once; the fourth row has none
    queue = dictionary([0, 1, 2, None], pa.array(["a", "a", "b"]))
    table = table_of(pa.array(["seconds"] * 4), queue=queue)
    usage = meter_table(counting(group_by=["queue"]), table, NOVEMBER)
    assert usage.quantity("seconds", {"queue": "a"}) == 2
    assert usage.quantity("seconds", {"queue": "b"}) == 1
    assert usage.quantity("seconds") == 4
    assert sorted((sorted(dims.items()), int(total)) for _, dims, total in usage.items()) == [
        ([], 1),
        ([("queue", "a")], 2),
        ([("queue", "b")], 1),
    ]


def many(count: int) -> list[str]:
    return [f"v{i:03d}" for i in range(count)]


def test_a_column_of_many_values_in_several_chunks_is_encoded_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # more values than are looked up, in two chunks, on two threads: every chunk counts
    monkeypatch.setattr(_encoding, "_workers", lambda: 2)
    names = many(_encoding._FEW + 36)
    column = pa.chunked_array([names[:70], names[70:]], pa.string())
    codes, values = _encoding._codes(column)
    assert codes.tolist() == list(range(len(names)))
    assert values == names


def test_a_long_column_is_encoded_in_two_halves_that_cover_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # z, then a, then from row 150,000 on b and c alternating (values the first rows
    # lack): the first row and the row in the middle are each encoded once
    monkeypatch.setattr(_encoding, "_workers", lambda: 2)
    head, pairs = 150_000, 25_000
    assert head + 2 * pairs == _encoding._SPLIT
    column = pa.chunked_array([["z"] + ["a"] * (head - 1) + ["b", "c"] * pairs], pa.string())
    codes, values = _encoding._codes(column)
    assert values == ["z", "a", "b", "c"]
    assert len(codes) == _encoding._SPLIT
    assert codes.dtype == np.int64
    assert int(codes[0]) == 0
    assert int((codes[1:head] == 1).sum()) == head - 1
    assert codes[head:].tolist() == [2, 3] * pairs


def test_a_long_column_of_an_odd_number_of_rows_is_encoded_in_halves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_encoding, "_workers", lambda: 2)
    rows = _encoding._SPLIT + 1
    column = pa.chunked_array([["x"] * (rows - 1) + ["y"]], pa.string())
    codes, values = _encoding._codes(column)
    assert values == ["x", "y"]
    assert len(codes) == rows
    assert int(codes.sum()) == 1
    assert int(codes[-1]) == 1


def test_a_long_column_in_two_chunks_is_encoded_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_encoding, "_workers", lambda: 2)
    half = _encoding._SPLIT // 2
    column = pa.chunked_array([["a"] * half, ["b"] * half], pa.string())
    codes, values = _encoding._codes(column)
    assert values == ["a", "b"]
    assert len(codes) == 2 * half
    assert int(codes[:half].sum()) == 0
    assert int(codes[half:].sum()) == half


def test_a_long_metric_column_in_two_chunks_is_metered() -> None:
    half = _encoding._SPLIT // 2
    metrics = pa.chunked_array([["seconds"] * half, ["calls"] * half], pa.string())
    table = table_of(metrics, pa.array([1] * (2 * half), pa.int64()))
    usage = meter_table(counting("seconds", "calls"), table, NOVEMBER)
    assert usage.quantity("seconds") == half
    assert usage.quantity("calls") == half


# -- metric names ------------------------------------------------------------------------


def test_a_table_of_one_metric_has_no_metric_codes() -> None:
    mapping = ColumnMapping()
    assert _encoding._metrics(table_of(pa.array(["seconds"])), mapping) == (None, ["seconds"])
    same = table_of(pa.array(["seconds"] * 3))
    assert _encoding._metrics(same, mapping) == (None, ["seconds"])
    constant = ColumnMapping(metric="calls")
    assert _encoding._metrics(pa.table({"x": [1]}), constant) == (None, ["calls"])


def test_the_metrics_of_a_table_are_coded_in_the_order_they_come() -> None:
    codes, names = _encoding._metrics(
        table_of(pa.array(["seconds", "calls", "seconds"])), ColumnMapping()
    )
    assert codes is not None
    assert codes.tolist() == [0, 1, 0]
    assert names == ["seconds", "calls"]


def test_a_dictionary_of_metrics_keeps_its_codes_and_unused_names_are_empty() -> None:
    metrics = dictionary([0, 0], pa.array(["seconds", "calls", "  "]))
    codes, names = _encoding._metrics(table_of(metrics), ColumnMapping())
    assert codes is not None
    assert codes.tolist() == [0, 0]
    assert names == ["seconds", "", ""]
    several = dictionary([2, 0], pa.array(["seconds", "unused", "calls"]))
    codes, names = _encoding._metrics(table_of(several), ColumnMapping())
    assert codes is not None
    assert codes.tolist() == [2, 0]
    assert names == ["seconds", "", "calls"]


def test_a_single_row_of_one_metric_is_metered() -> None:
    table = table_of(pa.array(["seconds"]), pa.array([4], pa.int64()))
    assert meter_table(counting(), table, NOVEMBER).quantity("seconds") == 4


def test_two_metrics_are_metered_apart() -> None:
    table = table_of(pa.array(["seconds", "calls", "calls"]), pa.array([5, 1, 2], pa.int64()))
    usage = meter_table(counting("seconds", "calls"), table, NOVEMBER)
    assert usage.quantity("seconds") == 5
    assert usage.quantity("calls") == 3


# -- dimensions --------------------------------------------------------------------------


def test_empty_texts_and_missing_values_lack_the_dimension() -> None:
    table = pa.table({"queue": pa.array(["a", "", None, "b", "", "a"], pa.string())})
    dimension = _encoding._dimension(table, "q", "queue")
    assert dimension.name == "q"
    assert dimension.codes.tolist() == [0, -1, -1, 2, -1, 0]
    assert dimension.values == ["a", "", "b"]


def test_a_column_without_values_lacks_the_dimension_in_every_row() -> None:
    table = pa.table({"queue": pa.nulls(3)})
    dimension = _encoding._dimension(table, "q", "queue")
    assert dimension.name == "q"
    assert dimension.codes.dtype == np.int64
    assert dimension.codes.tolist() == [-1, -1, -1]
    assert dimension.values == []


def test_rows_with_empty_or_missing_dimensions_are_counted_without_it() -> None:
    queue = pa.array(["a", "", None, "b", "", "a"], pa.string())
    table = table_of(pa.array(["seconds"] * 6), pa.array([1, 2, 4, 8, 16, 32]), queue=queue)
    usage = meter_table(counting(group_by=["queue"]), table, NOVEMBER)
    assert sorted((sorted(dims.items()), int(total)) for _, dims, total in usage.items()) == [
        ([], 22),
        ([("queue", "a")], 33),
        ([("queue", "b")], 8),
    ]


def test_a_condition_on_a_dimension_skips_rows_that_lack_it() -> None:
    queue = pa.array(["a", None, "b", "a"], pa.string())
    table = table_of(pa.array(["seconds"] * 4), pa.array([1, 2, 4, 8]), queue=queue)
    usage = meter_table(counting(where={"queue": "a"}), table, NOVEMBER)
    assert usage.quantity("seconds") == 9
    other = meter_table(counting(where={"queue": "b"}), table, NOVEMBER)
    assert other.quantity("seconds") == 4


def test_the_rows_a_dimension_allows() -> None:
    dimension = _encoding._Dimension("q", np.array([0, -1, 1, 2, 0]), ["a", "b", "c"])
    assert dimension.allowed(frozenset({"a", "c"})).tolist() == [True, False, False, True, True]
    assert dimension.allowed(frozenset()).tolist() == [False] * 5
    taken = dimension.take(np.array([2, 1]))
    assert (taken.name, taken.codes.tolist(), taken.values) == ("q", [1, -1], ["a", "b", "c"])


# -- threads -----------------------------------------------------------------------------


def test_the_engine_encodes_on_at_most_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    for cpus, workers in ((None, 1), (1, 1), (2, 2), (8, 2)):
        monkeypatch.setattr(os, "cpu_count", lambda cpus=cpus: cpus)
        assert _encoding._workers() == workers


def test_the_shared_pool_has_as_many_threads_as_the_engine_uses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_encoding, "_POOL", [])
    monkeypatch.setattr(_encoding, "_workers", lambda: 1)
    pool = _encoding._pool()
    try:
        assert pool._max_workers == 1
        assert _encoding._pool() is pool  # one pool per process
    finally:
        pool.shutdown()
