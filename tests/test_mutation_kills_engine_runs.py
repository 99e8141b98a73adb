"""The columnar engine's row-folding path: what mutation testing found unpinned.

Meters that take the rows themselves (maximum, latest, distinct, time bands) fold
them by group: their billable quantities with increments and minimums mirrored for
negative corrections, near and beyond int64, from decimals and from values Python
holds as objects; the sums and maxima that leave int64 for exact integers, over
several groups; the refusals of negative quantities, of aggregations not yet metered
from tables, of a distinct dimension the rows lack and of a band column the table
already has; and filters on two dimensions or on one the table lacks. Figures
computed by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Band, Meter, TimeBands
from meterprice.errors import UsageError
from meterprice.usage import _Max

pa = pytest.importorskip("pyarrow")

from engine_rows import UTC, day, exactly, key, metered, sums, table  # noqa: E402

NIGHT = TimeBands([Band("night", "22:00", "06:00")])
INT64_MAX = 2**63 - 1


def night(number: int, minute: int = 0) -> dt.datetime:
    """23:00 UTC (and ``minute``) on 2026-11-``number``: in the night band."""
    return dt.datetime(2026, 11, number, 23, minute, tzinfo=UTC)


def nights(name: str, *entries: tuple[int, object]) -> dict[object, object]:
    """The expected sums of a night-band meter: (day, exact sum) each."""
    return sums(name, *((day(number), {"band": "night"}, value) for number, value in entries))


# -- billable quantities of the folded rows --------------------------------------------


def test_negative_corrections_mirror_the_increment_and_minimum_in_bands() -> None:
    rows = table(["seconds"] * 3, [-7, 7, 0], [night(3), night(4), night(5)])
    # -7 and 7 up to a multiple of 6 away from zero: -12 and 12; zero stays zero
    stepped = Meter("seconds", bands=NIGHT, increment=6, allow_negative=True)
    assert metered(stepped, rows) == nights("seconds", (3, -12), (4, 12), (5, 0))
    # a minimum of 30 mirrored: -30, 30, and the zero raised to 30
    floored = Meter("seconds", bands=NIGHT, minimum=30, allow_negative=True)
    assert metered(floored, rows) == nights("seconds", (3, -30), (4, 30), (5, 30))


def test_a_minimum_at_a_finer_scale_than_the_quantities_scales_both() -> None:
    quantities = pa.array([Decimal("0.25"), Decimal("2.50")], pa.decimal128(10, 2))
    rows = table(["seconds"] * 2, quantities, [night(3), night(4)])
    # in hundredths: 25 raised to 200, 250 kept
    floored = Meter("seconds", bands=NIGHT, minimum=2)
    assert metered(floored, rows) == nights("seconds", (3, 2), (4, Decimal("2.5")))
    # a minimum of 1.5 against hundredths: 25 raised to 150
    finer = Meter("seconds", aggregation="max", minimum="1.5")
    assert metered(finer, rows) == {
        key("seconds", day(3)): _Max(Fraction(3, 2)),
        key("seconds", day(4)): _Max(Fraction(5, 2)),
    }


def test_an_increment_beyond_int64_stays_exact() -> None:
    rows = table(["seconds"], [INT64_MAX], [night(3)])
    # 9,223,372,036,854,775,807 up to a multiple of 100
    stepped = Meter("seconds", bands=NIGHT, increment=100)
    assert metered(stepped, rows) == nights("seconds", (3, 9_223_372_036_854_775_900))
    rows = table(["seconds"], [-INT64_MAX], [night(3)])
    corrected = Meter("seconds", bands=NIGHT, increment=100, allow_negative=True)
    assert metered(corrected, rows) == nights("seconds", (3, -9_223_372_036_854_775_900))


def test_a_minimum_beyond_int64_stays_exact() -> None:
    rows = table(["seconds"] * 2, [1, 5], [night(3), night(4)])
    floored = Meter("seconds", bands=NIGHT, minimum=2**63)
    assert metered(floored, rows) == nights("seconds", (3, 2**63), (4, 2**63))


def test_quantities_held_as_objects_mirror_negative_corrections() -> None:
    # 10**20 does not fit int64: the quantities are exact Python integers
    quantities = pa.array([10**20, -7], pa.decimal128(38, 0))
    rows = table(["seconds"] * 2, quantities, [night(3), night(4)])
    stepped = Meter("seconds", bands=NIGHT, increment=6, allow_negative=True)
    # 10**20 = 6 * 16,666,666,666,666,666,666 + 4: up to ...002; -7 away from zero: -12
    assert metered(stepped, rows) == nights("seconds", (3, 100_000_000_000_000_000_002), (4, -12))


# -- sums and maxima beyond int64, over several groups ---------------------------------


def test_sums_of_large_corrections_leave_int64_for_exact_integers() -> None:
    big = 2**62 + 1  # not a float: a float sum would lose the + 1
    rows = table(["seconds"] * 5, [-big] * 3 + [-big, 4], [night(3)] * 3 + [night(4)] * 2)
    corrected = Meter("seconds", bands=NIGHT, allow_negative=True)
    assert metered(corrected, rows) == nights("seconds", (3, -3 * big), (4, 4 - big))


def test_sums_and_maxima_beyond_int64_keep_their_groups_apart() -> None:
    big = 2**62 + 1
    rows = table(
        ["seconds"] * 7,
        [big, big, 1, 2, big, 3, 5],
        [night(3), night(3), night(4), night(5), night(5), night(6), night(6)],
    )
    banded = Meter("seconds", bands=NIGHT)
    assert metered(banded, rows) == nights("seconds", (3, 2 * big), (4, 1), (5, big + 2), (6, 8))
    # the same rows held as objects (decimal128 of 38 digits): the maxima of each day
    wide = table(
        ["seconds"] * 7,
        pa.array([10**20, 10**20 + 1, 1, 2, 10**19, 3, 5], pa.decimal128(38, 0)),
        [night(3), night(3), night(4), night(5), night(5), night(6), night(6)],
    )
    highest = Meter("seconds", aggregation="max")
    assert metered(highest, wide) == {
        key("seconds", day(3)): _Max(Fraction(10**20 + 1)),
        key("seconds", day(4)): _Max(Fraction(1)),
        key("seconds", day(5)): _Max(Fraction(10**19)),
        key("seconds", day(6)): _Max(Fraction(5)),
    }
    assert metered(banded, wide) == nights(
        "seconds", (3, 2 * 10**20 + 1), (4, 1), (5, 10**19 + 2), (6, 8)
    )


def test_maxima_of_negative_corrections_within_int64() -> None:
    rows = table(["seconds"] * 4, [-9, -4, -7, -(2**40)], [night(3)] * 2 + [night(4)] * 2)
    highest = Meter("seconds", aggregation="max", allow_negative=True)
    assert metered(highest, rows) == {
        key("seconds", day(3)): _Max(Fraction(-4)),
        key("seconds", day(4)): _Max(Fraction(-7)),
    }


# -- refusals --------------------------------------------------------------------------

NEGATIVE = (
    "meter 'seconds': {} event(s) of 'seconds' have negative quantities (such as {}); "
    "negative quantities are refused unless the meter allows them"
)


def test_negative_quantities_of_folded_meters_are_refused_by_count_and_first_value() -> None:
    rows = table(["seconds"] * 5, [0, -5, 0, -3, 2], [night(3)] * 5)
    for meter in (Meter("seconds", aggregation="max"), Meter("seconds", bands=NIGHT)):
        with pytest.raises(UsageError, match=exactly(NEGATIVE.format(2, "-5"))):
            metered(meter, rows)


@pytest.mark.parametrize("aggregation", ["mean", "share"])
def test_aggregations_not_metered_from_tables_are_refused_by_name(aggregation: str) -> None:
    rows = table(["seconds"], [1], [night(3)], queue=["a"])
    condition = "<= 20" if aggregation == "share" else None
    meter = Meter("seconds", aggregation=aggregation, condition=condition)
    message = (
        f"meter 'seconds': aggregation {aggregation!r} is not metered from tables yet: "
        "meter the events (Event.many) or a JSON Lines usage file"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(meter, rows)


def test_a_distinct_dimension_the_table_lacks_is_refused_with_the_count() -> None:
    rows = table(["logins"] * 3, [1, 1, 1], [night(3)] * 3, queue=["a", "b", "a"])
    agents = Meter("agents", source="logins", aggregation="distinct", distinct="agent")
    message = (
        "meter 'agents' counts distinct 'agent' but 3 event(s) of 'logins' lack that dimension"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(agents, rows)
    some = table(["logins"] * 3, [1, 1, 1], [night(3)] * 3, agent=["x", None, None])
    with pytest.raises(UsageError, match=exactly(message.replace("3 event", "2 event"))):
        metered(agents, some)


def test_a_band_column_the_table_already_has_is_refused_with_the_count() -> None:
    # the same band on every row: each row's code is 0, and all three count
    rows = table(["seconds"] * 4, [1, 2, 3, 4], [night(3)] * 4, band=["x", "x", None, "x"])
    message = (
        "meter 'seconds': 3 event(s) already have the dimension 'band' that time bands would set"
    )
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds", bands=NIGHT), rows)


# -- filters ---------------------------------------------------------------------------


def test_a_filter_on_two_dimensions_keeps_the_rows_matching_both() -> None:
    rows = table(
        ["seconds"] * 4,
        [1, 2, 4, 8],
        [night(3)] * 4,
        queue=["a", "a", "b", "b"],
        channel=["phone", "chat", "phone", "chat"],
    )
    # the first condition keeps rows 1 and 2, the second rows 1 and 3: only row 1
    meter = Meter(
        "seconds", bands=NIGHT, where={"queue": "a", "channel": "phone"}, group_by=("band",)
    )
    assert metered(meter, rows) == nights("seconds", (3, 1))
    flipped = Meter(
        "seconds", bands=NIGHT, where={"channel": "phone", "queue": "b"}, group_by=("band",)
    )
    assert metered(flipped, rows) == nights("seconds", (3, 4))


def test_a_filter_on_a_dimension_the_table_lacks_keeps_no_rows() -> None:
    rows = table(["seconds"] * 2, [1, 2], [night(3), night(4)], queue=["a", "a"])
    lacking = Meter("seconds", bands=NIGHT, where={"channel": "phone"})
    assert metered(lacking, rows) == {}
    highest = Meter("seconds", aggregation="max", where={"channel": "phone"})
    assert metered(highest, rows) == {}
