"""The columnar engine's fast paths: dictionary columns, long columns, exact sums and
offsets across a change of summer time, each against events or figures by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_columnar import DIMENSION_NAMES, FAST, cases, columnar_usage, object_usage, table_of

from meterprice import Contract, Event, Meter, Period
from meterprice.components import PerUnit
from meterprice.errors import UsageError

pa = pytest.importorskip("pyarrow")

from meterprice.columnar import meter_table  # noqa: E402
from meterprice.columnar._encoding import _FEW, _SAMPLE, _SPLIT  # noqa: E402

AT = dt.datetime(2026, 11, 3, 9, tzinfo=dt.timezone.utc)


def as_dictionary(column: Any, order: list[int], extra: list[str]) -> Any:
    """``column`` as a dictionary column whose dictionary is shuffled, holds unused
    values (``extra``) and repeats its first value (rows then use both copies)."""
    values = [value for value in dict.fromkeys(column.to_pylist()) if value is not None]
    values = [values[i] for i in sorted(range(len(values)), key=lambda i: order[i % len(order)])]
    dictionary = values + extra + values[:1]
    copies = {value: [dictionary.index(value)] for value in values}
    if values:
        copies[values[0]].append(len(dictionary) - 1)
    indices = [
        None if value is None else copies[value][row % len(copies[value])]
        for row, value in enumerate(column.to_pylist())
    ]
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, pa.int32()), pa.array(dictionary, pa.string())
    )


@FAST
@given(cases(), st.lists(st.integers(0, 9), min_size=1, max_size=5), st.booleans())
def test_dictionary_columns_meter_as_events(
    case: tuple[Contract, list[Event]], order: list[int], unused: bool
) -> None:
    contract, events = case
    table = table_of(events)
    extra = ["never used", ""] if unused else []
    for name in ("metric", *DIMENSION_NAMES):
        index = table.column_names.index(name)
        column = as_dictionary(table.column(name).combine_chunks(), order, extra)
        table = table.set_column(index, name, column)
    assert columnar_usage(contract, table) == object_usage(contract, events)


def counting(timezone: str = "UTC", **meter: Any) -> Contract:
    return Contract(
        "c",
        "EUR",
        [PerUnit("S", metric="seconds", rate="1 EUR")],
        meters=[Meter("seconds", **meter)],
        timezone=timezone,
        unpriced="ignore",
    )


def test_a_long_column_is_encoded_in_halves() -> None:
    # rows cycle through 100 languages, more than the few looked up: the column is
    # encoded, in two halves; one second per row
    names = [f"l{i:02d}" for i in range(100)]
    rows = 100 * (_SPLIT // 100 + 1)
    assert len(names) > _FEW
    languages = pa.array(names * (rows // 100), pa.string())
    table = pa.table(
        {
            "metric": pa.array(["seconds"] * rows),
            "quantity": pa.array([1] * rows, pa.int64()),
            "timestamp": pa.array([AT] * rows, pa.timestamp("us", "UTC")),
            "language": languages,
        }
    )
    usage = meter_table(counting(), table, "2026-11")
    for language in ("l00", "l57", "l99"):
        assert usage.quantity("seconds", {"language": language}) == rows // 100


def test_a_value_first_seen_after_the_first_rows_is_counted() -> None:
    # the first rows are en; rows from 5,000 on alternate de and a missing language,
    # values the lookup among the first rows' values does not find
    head, tail = _SAMPLE + 904, 1000
    languages = ["en"] * head + ["de", None] * (tail // 2)
    rows = head + tail
    table = pa.table(
        {
            "metric": pa.array(["seconds"] * rows),
            "quantity": pa.array([2] * rows, pa.int64()),
            "timestamp": pa.array([AT] * rows, pa.timestamp("us", "UTC")),
            "language": pa.array(languages, pa.string()),
        }
    )
    usage = meter_table(counting(), table, "2026-11")
    assert usage.quantity("seconds", {"language": "en"}) == 2 * 5000
    assert usage.quantity("seconds", {"language": "de"}) == 2 * 500
    assert usage.quantity("seconds") == 2 * 6000  # the 500 rows without a language too


def test_missing_values_among_few_values_are_counted_apart() -> None:
    # en, a missing value, de, repeated: the few values are looked up, the missing
    # ones kept apart, as events without the dimension
    rows = 3 * 2000
    table = pa.table(
        {
            "metric": pa.array(["seconds"] * rows),
            "quantity": pa.array([1] * rows, pa.int64()),
            "timestamp": pa.array([AT] * rows, pa.timestamp("us", "UTC")),
            "language": pa.array(["en", None, "de"] * 2000, pa.string()),
        }
    )
    usage = meter_table(counting(), table, "2026-11")
    events = [
        Event("seconds", 1, AT, {} if language is None else {"language": language})
        for language in ["en", None, "de"] * 2000
    ]
    assert usage == counting().meter(events, Period.parse("2026-11"))
    assert usage.quantity("seconds", {"language": "en"}) == 2000


def test_sums_beyond_float_precision_stay_exact() -> None:
    # 16 x (2**50 + 1) = 2**54 + 16: float64 would lose the 16, the engine must not
    table = pa.table(
        {
            "metric": ["seconds"] * 16,
            "quantity": pa.array([2**50 + 1] * 16, pa.int64()),
            "timestamp": [AT] * 16,
        }
    )
    assert meter_table(counting(), table, "2026-11").exact("seconds") == 2**54 + 16
    # in 6-second increments each is 2**50 + 2 (2**50 + 1 = 6k + 5 since 2**50 = 6k + 4)
    stepped = counting(increment=6)
    assert meter_table(stepped, table, "2026-11").exact("seconds") == 16 * (2**50 + 2)


def test_days_across_the_end_of_summer_time() -> None:
    # Berlin leaves summer time at 01:00 UTC on 25 October 2026 (03:00 CEST -> 02:00 CET)
    stamps = [
        dt.datetime(2026, 10, 24, 21, 59, tzinfo=dt.timezone.utc),  # 23:59 CEST, 24 Oct
        dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.timezone.utc),  # 00:00 CEST, 25 Oct
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.timezone.utc),  # 02:30 CEST, 25 Oct
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.timezone.utc),  # 02:30 CET, 25 Oct
        dt.datetime(2026, 10, 25, 22, 59, tzinfo=dt.timezone.utc),  # 23:59 CET, 25 Oct
        dt.datetime(2026, 10, 25, 23, 0, tzinfo=dt.timezone.utc),  # 00:00 CET, 26 Oct
    ]
    table = pa.table(
        {
            "metric": ["seconds"] * 6,
            "quantity": [1, 10, 100, 1000, 10000, 100000],
            "timestamp": pa.array(stamps, pa.timestamp("us", "UTC")),
        }
    )
    contract = counting("Europe/Berlin")
    usage = meter_table(contract, table, Period.parse("2026-10"))
    by_day = {day and day.day: quantity for day, _, _, quantity in usage.daily_items()}
    assert by_day == {24: 1, 25: 11110, 26: 100000}
    quantities = [1, 10, 100, 1000, 10000, 100000]
    events = [Event("seconds", q, at) for q, at in zip(quantities, stamps, strict=True)]
    assert usage == contract.meter(events, "2026-10")


def test_several_metrics_in_one_table() -> None:
    # calls are counted, seconds added: two meters over the rows of their own metric
    contract = Contract(
        "c",
        "EUR",
        [PerUnit("S", metric="seconds", rate="1 EUR"), PerUnit("C", metric="calls", rate="1 EUR")],
        meters=[Meter("seconds"), Meter("calls", source="call", aggregation="count")],
    )
    table = pa.table(
        {
            "metric": ["seconds", "call", "seconds", "call", "call"],
            "quantity": [30, 1, 12, 1, 1],
            "timestamp": [AT] * 5,
        }
    )
    usage = meter_table(contract, table, "2026-11")
    assert (usage.quantity("seconds"), usage.quantity("calls")) == (Decimal(42), Decimal(3))


def test_a_forked_process_encodes_with_its_own_threads() -> None:
    # the parent's pool has threads only in the parent: a child must not wait on it
    import multiprocessing  # noqa: PLC0415

    rows = 3 * (_SPLIT // 3 + 1)
    table = pa.table(
        {
            "metric": pa.array(["seconds"] * rows),
            "quantity": pa.array([1] * rows, pa.int64()),
            "timestamp": pa.array([AT] * rows, pa.timestamp("us", "UTC")),
            "language": pa.array(["en", "de", "fr"] * (rows // 3), pa.string()),
            "channel": pa.array(["phone"] * rows, pa.string()),
        }
    )
    assert meter_table(counting(), table, "2026-11").quantity("seconds") == rows
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child = pool.apply_async(_metered_seconds, (table,)).get(timeout=60)
    assert child == rows


def _metered_seconds(table: Any) -> int:
    return int(meter_table(counting(), table, "2026-11").quantity("seconds"))


@pytest.mark.parametrize(
    ("texts", "total"),
    [
        (["1.5", "0.25", "3", ".5", "5."], Decimal("10.25")),  # parsed column-wide
        (["12", "007", "0"], Decimal(19)),
        (["1_000", " 7 ", "1e2"], Decimal(1107)),  # other forms: parsed one by one
        (["123456789012345678", "0.5"], Decimal("123456789012345678.5")),  # beyond int64
    ],
)
def test_decimal_texts_read_as_the_object_path_reads_them(texts: list[str], total: Decimal) -> None:
    table = pa.table(
        {"metric": ["seconds"] * len(texts), "quantity": texts, "timestamp": [AT] * len(texts)}
    )
    assert meter_table(counting(), table, "2026-11").quantity("seconds") == total
    events = Event.many("seconds", texts, [AT] * len(texts))
    assert counting().meter(events, "2026-11").quantity("seconds") == total


def test_hexadecimal_text_is_not_a_quantity() -> None:
    table = pa.table({"metric": ["seconds"], "quantity": ["0x10"], "timestamp": [AT]})
    with pytest.raises(UsageError, match=r"'quantity'.*not a decimal"):
        meter_table(counting(), table, "2026-11")
    with pytest.raises(ValueError, match="not a decimal"):
        Event.many("seconds", ["0x10"], [AT])


def test_quantity_texts_are_read_within_their_slice_of_the_buffers() -> None:
    # slices share their parent's text bytes: the hexadecimal text outside the slice
    # must not matter, the one inside must be refused; 7 + 0.25 + 3 seconds
    texts = pa.array(["0x10", "7", "0.25", "3", "0X1F"], pa.string())
    inside = texts.slice(1, 3)
    table = pa.table({"metric": ["seconds"] * 3, "quantity": inside, "timestamp": [AT] * 3})
    assert meter_table(counting(), table, "2026-11").quantity("seconds") == Decimal("10.25")
    whole = pa.table({"metric": ["seconds"] * 4, "quantity": texts.slice(1), "timestamp": [AT] * 4})
    with pytest.raises(UsageError, match=r"'quantity'.*not a decimal"):
        meter_table(counting(), whole, "2026-11")
    # whole numbers only, without a point: 7 + 3 seconds
    table = pa.table({"metric": ["seconds"] * 2, "quantity": ["7", "3"], "timestamp": [AT] * 2})
    assert meter_table(counting(), table, "2026-11").quantity("seconds") == 10


def events_table(events: list[Event], **dimensions: list[str]) -> Any:
    return pa.table(
        {
            "metric": [event.metric for event in events],
            "quantity": pa.array([event.quantity for event in events], pa.decimal128(18, 2)),
            "timestamp": pa.array(
                [event.at.astimezone(dt.timezone.utc) for event in events],
                pa.timestamp("us", "UTC"),
            ),
            **dimensions,
        }
    )


def test_negative_quantities_are_refused_on_every_path() -> None:
    # a sum (counted by key) and a maximum (folded by sorting) refuse -5 alike
    table = pa.table({"metric": ["seconds"] * 3, "quantity": [10, -5, 7], "timestamp": [AT] * 3})
    for aggregation in ("sum", "max"):
        with pytest.raises(UsageError, match=r"1 event\(s\) of 'seconds' have negative"):
            meter_table(counting(aggregation=aggregation), table, "2026-11")
    allowed = counting(allow_negative=True, increment=6, minimum=30)
    # 10 -> 30 (the minimum), -5 -> -30, 7 -> 30: 30 seconds
    assert meter_table(allowed, table, "2026-11").exact("seconds") == 30
    peak = counting(allow_negative=True, aggregation="max", increment=6, minimum=30)
    assert meter_table(peak, table, "2026-11").exact("seconds") == 30


def test_spans_of_many_years_and_many_offset_changes() -> None:
    # fourteen years of summer times in Berlin: the offsets are looked up hour by hour
    stamps = [
        dt.datetime(2012, 3, 25, 0, 59, tzinfo=dt.timezone.utc),  # 01:59 CET, 25 March
        dt.datetime(2012, 3, 25, 1, 0, tzinfo=dt.timezone.utc),  # 03:00 CEST, 25 March
        dt.datetime(2019, 10, 26, 22, 30, tzinfo=dt.timezone.utc),  # 00:30 CEST, 27 Oct
        dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.timezone.utc),  # 00:30 CET, 1 January
    ]
    events = [Event("seconds", 60, at) for at in stamps]
    contract = counting("Europe/Berlin")
    for years in (
        Period(dt.date(2012, 1, 1), dt.date(2026, 1, 1)),
        Period(dt.date(2018, 1, 1), dt.date(2026, 1, 1)),
    ):
        usage = meter_table(contract, events_table(events), years)
        assert usage == contract.meter(events, years)
    days = {
        day for day, _, _, _ in meter_table(contract, events_table(events), years).daily_items()
    }
    assert days == {dt.date(2019, 10, 27)}  # the call at the end is on 1 January 2026


def test_very_many_groups_are_counted_by_sorting() -> None:
    # 1,200 agents x 1,200 queues x 27 days (3 to 29 November) is too many keys to
    # count densely
    rows = 1200
    names = [f"a{i}" for i in range(rows)]
    table = pa.table(
        {
            "metric": ["seconds"] * rows,
            "quantity": [1] * rows,
            "timestamp": [AT + dt.timedelta(days=i % 27) for i in range(rows)],
            "agent": names,
            "queue": names[::-1],
        }
    )
    usage = meter_table(counting(aggregation="count"), table, "2026-11")
    assert usage.quantity("seconds") == rows
    assert usage.quantity("seconds", {"agent": "a7", "queue": f"a{rows - 8}"}) == 1


def test_nanosecond_timestamps_on_whole_microseconds() -> None:
    at = 1_793_600_000_000_001_000  # ns since the epoch: 2 November 2026, 06:13:20 UTC
    table = pa.table(
        {
            "metric": ["seconds"],
            "quantity": [5],
            "timestamp": pa.array([at], pa.timestamp("ns", "UTC")),
        }
    )
    assert meter_table(counting(), table, "2026-11").quantity("seconds") == 5
