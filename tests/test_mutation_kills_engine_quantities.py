"""The columnar engine's quantities: what mutation testing found unpinned.

Decimal columns read from their 128-bit words: sliced arrays (a nonzero offset),
values at and beyond 2**63 that the low word alone would misread, and values beyond
int64 beside small ones in chunked decimal128 and decimal256 columns, which must
stay exact Python integers; decimal text (plain and dictionary-encoded) with mixed
numbers of places, and digits that fit int64 but whose rescaled integers would not;
text with two points or a hexadecimal prefix, refused; and the rescaling of the
folded rows (maximum, time bands) to an increment or minimum finer than the
quantities (a factor of 10 per place, from the quantities' scale), exact near and
beyond int64 for positive and all-negative values and for a factor beyond int64.
Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from meterprice import Band, Meter, TimeBands
from meterprice.errors import UsageError
from meterprice.usage import _Max

pa = pytest.importorskip("pyarrow")

from engine_rows import UTC, at, day, exactly, key, metered, sums, table  # noqa: E402

TWO_63 = 2**63
NIGHT = TimeBands([Band("night", "22:00", "06:00")])


def daily(name: str, *values: Any) -> dict[Any, Any]:
    """The expected sums of a meter without dimensions: one value a day from the 3rd."""
    return sums(name, *((day(3 + index), {}, value) for index, value in enumerate(values)))


def rows(quantities: Any) -> Any:
    """One row of ``seconds`` a day from the 3rd, holding ``quantities`` in order."""
    return table(
        ["seconds"] * len(quantities), quantities, [at(3 + i) for i in range(len(quantities))]
    )


# -- decimal columns: the 128-bit words -------------------------------------------------


def test_a_sliced_decimal128_column_reads_the_values_of_its_slice() -> None:
    whole = pa.array(
        [Decimal(text) for text in ("1.25", "2.50", "3.75", "4.00", "5.05")], pa.decimal128(10, 2)
    )
    # offset 1: the 2nd and 3rd values; offset 2: the 3rd to the 5th
    assert metered(Meter("seconds"), rows(whole.slice(1, 2))) == daily("seconds", "2.5", "3.75")
    assert metered(Meter("seconds"), rows(whole.slice(2, 3))) == daily(
        "seconds", "3.75", "4", "5.05"
    )


def test_a_sliced_chunk_of_a_chunked_decimal128_column_is_read_at_its_offset() -> None:
    first = pa.array([Decimal("9.99"), Decimal("0.01")], pa.decimal128(10, 2))
    second = pa.array([Decimal("7.00"), Decimal("0.50"), Decimal("0.25")], pa.decimal128(10, 2))
    column = pa.chunked_array([first.slice(1), second.slice(1)])  # 0.01 | 0.50, 0.25
    assert metered(Meter("seconds"), rows(column)) == daily("seconds", "0.01", "0.5", "0.25")


def test_decimal128_values_from_2_63_are_read_from_both_words() -> None:
    # 2**63 has the low word 0x8000... (-2**63 as a signed word) and the high word 0:
    # read whole it is positive, not -2**63; 2**64 + 1 has both words 1: it is not 1
    column = pa.array([TWO_63, 2], pa.decimal128(20, 0))
    assert metered(Meter("seconds"), rows(column)) == daily("seconds", TWO_63, 2)
    assert metered(Meter("seconds"), rows(pa.array([2**64 + 1], pa.decimal128(20, 0)))) == (
        daily("seconds", 2**64 + 1)
    )


def test_decimal128_values_beyond_int64_beside_small_ones_stay_exact() -> None:
    # chunks [3] and [2**63 + 1, 1]: the second cannot be int64 words; all on one day
    column = pa.chunked_array(
        [pa.array([3], pa.decimal128(20, 0)), pa.array([TWO_63 + 1, 1], pa.decimal128(20, 0))]
    )
    rows_one_day = table(["seconds"] * 3, column, [at(3)] * 3)
    # 3 + (2**63 + 1) + 1, exactly (a float64 would round 2**63 + 1 to 2**63)
    assert metered(Meter("seconds"), rows_one_day) == daily("seconds", TWO_63 + 5)
    # at scale 2: 0.03 + (2**63 + 1) / 100 + 0.01
    scaled = pa.chunked_array(
        [
            pa.array([Decimal("0.03")], pa.decimal128(22, 2)),
            pa.array([Decimal(TWO_63 + 1).scaleb(-2), Decimal("0.01")], pa.decimal128(22, 2)),
        ]
    )
    total = Decimal(TWO_63 + 5).scaleb(-2)
    assert metered(Meter("seconds"), table(["seconds"] * 3, scaled, [at(3)] * 3)) == daily(
        "seconds", total
    )


def test_decimal256_values_beyond_int64_beside_small_ones_stay_exact() -> None:
    chunked = pa.chunked_array(
        [pa.array([1], pa.decimal256(40, 0)), pa.array([TWO_63 + 1], pa.decimal256(40, 0))]
    )
    # 1 + 2**63 + 1 on one day
    assert metered(Meter("seconds"), table(["seconds"] * 2, chunked, [at(3)] * 2)) == daily(
        "seconds", TWO_63 + 2
    )
    # 2**63 + 1 and a correction of -1 in one chunk: 2**63 exactly on one day
    mixed = pa.array([TWO_63 + 1, -1], pa.decimal256(40, 0))
    corrected = Meter("seconds", allow_negative=True)
    assert metered(corrected, table(["seconds"] * 2, mixed, [at(3)] * 2)) == daily(
        "seconds", TWO_63
    )
    # the largest of them, not a rounded one
    highest = Meter("seconds", aggregation="max", allow_negative=True)
    three = pa.array([TWO_63 + 3, -1, 5], pa.decimal256(40, 0))
    assert metered(highest, table(["seconds"] * 3, three, [at(3)] * 3)) == {
        key("seconds", day(3)): _Max(Fraction(TWO_63 + 3))
    }


def test_small_decimal256_values_are_read_exactly() -> None:
    column = pa.chunked_array(
        [
            pa.array([Decimal("1.5"), Decimal("-0.25")], pa.decimal256(40, 2)),
            pa.array([Decimal("2.00")], pa.decimal256(40, 2)),
        ]
    )
    corrected = Meter("seconds", allow_negative=True)
    assert metered(corrected, rows(column)) == daily("seconds", "1.5", "-0.25", "2")


# -- decimal text -------------------------------------------------------------------------


def test_text_whose_rescaled_digits_would_leave_int64_is_read_exactly() -> None:
    # 17 digits before the point and 2 places in the column: the digits 99..9 (18 of
    # them) fit int64, but times 10 for the second place they would not
    column = pa.array(["99999999999999999.9", "0.01"])
    one_day = table(["seconds"] * 2, column, [at(3)] * 2)
    assert metered(Meter("seconds"), one_day) == daily("seconds", "99999999999999999.91")
    # 18 digits before the point: the digits 10**18 + 1 fit int64, times 10 they do not
    wider = pa.array(["100000000000000000.1", "0.01"])
    assert metered(Meter("seconds"), rows(wider)) == daily(
        "seconds", "100000000000000000.1", "0.01"
    )


def test_text_with_mixed_places_and_points_is_read_at_the_finest_scale() -> None:
    column = pa.array(["1.5", "2.25", "3", "-0.5", ".125", "7."])
    corrected = Meter("seconds", allow_negative=True)
    assert metered(corrected, rows(column)) == daily(
        "seconds", "1.5", "2.25", "3", "-0.5", "0.125", "7"
    )


def test_text_of_eighteen_digits_and_of_int64_bounds_is_read_exactly() -> None:
    column = pa.array(["1234567890123456.78", "12345678901234567.89", "-9223372036854775808"])
    corrected = Meter("seconds", allow_negative=True)
    assert metered(corrected, rows(column)) == daily(
        "seconds", "1234567890123456.78", "12345678901234567.89", -TWO_63
    )


def test_dictionary_text_is_read_once_per_value_at_the_finest_scale() -> None:
    column = pa.array(["1.5", "2.25", "1.5", "3"]).dictionary_encode()
    # all on one day: 1.5 + 2.25 + 1.5 + 3 = 8.25
    assert metered(Meter("seconds"), table(["seconds"] * 4, column, [at(3)] * 4)) == daily(
        "seconds", "8.25"
    )


def test_text_with_two_points_is_refused() -> None:
    message = "column 'quantity' (quantity) is not a decimal number: '1.2.3'"
    with pytest.raises(UsageError, match=exactly(message)):
        metered(Meter("seconds"), rows(pa.array(["1.5", "1.2.3"])))


def test_hexadecimal_text_is_refused_not_read_as_sixteen() -> None:
    for text in ("0x10", "0X10"):
        message = f"column 'quantity' (quantity) is not a decimal number: {text!r}"
        with pytest.raises(UsageError, match=exactly(message)):
            metered(Meter("seconds"), rows(pa.array(["2", text])))


# -- rescaling to an increment finer than the quantities --------------------------------


def test_an_increment_two_places_finer_rescales_by_a_hundred() -> None:
    # 1.3 at scale 1 is 1300 thousandths; 1300 / 6 = 216.67, up to 217 steps: 1.302
    column = pa.array([Decimal("1.3"), Decimal("0.2")], pa.decimal128(10, 1))
    stepped = Meter("seconds", aggregation="max", increment="0.006")
    # 0.2: 200 / 6 = 33.3, up to 34 steps: 0.204
    assert metered(stepped, rows(column)) == {
        key("seconds", day(3)): _Max(Fraction("1.302")),
        key("seconds", day(4)): _Max(Fraction("0.204")),
    }


def test_an_increment_one_place_finer_than_decimals_rescales_by_ten() -> None:
    # 1.25 at scale 2 is 1250 thousandths, 0.07 is 70; a minimum of 0.125 raises 0.07
    column = pa.array([Decimal("1.25"), Decimal("0.07")], pa.decimal128(10, 2))
    floor = Meter("seconds", aggregation="max", minimum="0.125")
    assert metered(floor, rows(column)) == {
        key("seconds", day(3)): _Max(Fraction("1.25")),
        key("seconds", day(4)): _Max(Fraction("0.125")),
    }
    # 1.25 / 0.003 = 416.67, up to 417 steps: 1.251; 0.07 / 0.003 = 23.3, to 24: 0.072
    stepped = Meter("seconds", aggregation="max", increment="0.003")
    assert metered(stepped, rows(column)) == {
        key("seconds", day(3)): _Max(Fraction("1.251")),
        key("seconds", day(4)): _Max(Fraction("0.072")),
    }


def test_rescaling_near_int64_leaves_int64_for_exact_integers() -> None:
    # 922337203685477581 in tenths is 9223372036854775810, beyond 2**63 - 1
    big = 922337203685477581
    stepped = Meter("seconds", aggregation="max", increment="0.1")
    assert metered(stepped, rows([big])) == {key("seconds", day(3)): _Max(Fraction(big))}
    # 0.3 steps: 9223372036854775810 / 3 = 3074457345618258603.33, up to
    # 3074457345618258604 steps of 3 tenths: 9223372036854775812 tenths
    odd = Meter("seconds", aggregation="max", increment="0.3")
    assert metered(odd, rows([big])) == {
        key("seconds", day(3)): _Max(Fraction("922337203685477581.2"))
    }


def test_rescaling_all_negative_values_near_int64_leaves_int64() -> None:
    # -922337203685477581 in tenths is -9223372036854775810, below -2**63
    low = -922337203685477581
    stepped = Meter("seconds", aggregation="max", increment="0.1", allow_negative=True)
    assert metered(stepped, rows([low])) == {key("seconds", day(3)): _Max(Fraction(low))}
    # with -922337203685477582 on the same day: the larger is -922337203685477581
    pair = table(["seconds"] * 2, [low, low - 1], [at(3), at(3)])
    assert metered(stepped, pair) == {key("seconds", day(3)): _Max(Fraction(low))}


def test_rescaling_small_negative_values_mirrors_the_finer_increment() -> None:
    # -7 is -7000 thousandths: 7000 / 3 = 2333.3, away from zero to 2334 steps: -7.002;
    # -1 is -1000: 1000 / 3 = 333.3, to 334 steps: -1.002
    stepped = Meter("seconds", aggregation="max", increment="0.003", allow_negative=True)
    assert metered(stepped, rows([-7, -1])) == {
        key("seconds", day(3)): _Max(Fraction("-7.002")),
        key("seconds", day(4)): _Max(Fraction("-1.002")),
    }


def test_a_finer_increment_on_decimals_in_time_bands_rescales_by_ten() -> None:
    # 23:00 UTC is in the night band; 0.25 is 250 thousandths: 250 / 3 = 83.3, up to
    # 84 steps: 0.252; 1.10 is 1100: 1100 / 3 = 366.7, up to 367 steps: 1.101
    column = pa.array([Decimal("0.25"), Decimal("1.10")], pa.decimal128(10, 2))
    late = dt.datetime(2026, 11, 3, 23, tzinfo=UTC)
    stepped = Meter("seconds", bands=NIGHT, increment="0.003")
    # on one day: 0.252 + 1.101 = 1.353
    assert metered(stepped, table(["seconds"] * 2, column, [late, late])) == sums(
        "seconds", (day(3), {"band": "night"}, "1.353")
    )


def test_an_increment_nineteen_places_finer_rescales_by_a_factor_beyond_int64() -> None:
    # the factor 10**19 is itself beyond int64: 1 is 10**19 steps of 10**-19, and
    # 10**19 / 3 = 3333333333333333333.33, up to 3333333333333333334 steps of
    # 3 * 10**-19: 1.0000000000000000002; 3 is 10**19 steps exactly
    stepped = Meter("seconds", aggregation="max", increment="0.0000000000000000003")
    assert metered(stepped, rows([1, 3])) == {
        key("seconds", day(3)): _Max(Fraction("1.0000000000000000002")),
        key("seconds", day(4)): _Max(Fraction(3)),
    }


# -- a sign after the point, and a factor beyond int64 on zeros --------------------------


def test_a_sign_after_a_leading_point_is_refused_as_the_text_path_refuses_it() -> None:
    # ".-5" without its point is "-5": read column-wide it would be -0.05
    for texts in ([".-5"], [".5", ".-5"], ["1.25", ".+5"]):
        message = f"column 'quantity' (quantity) is not a decimal number: {texts[-1]!r}"
        with pytest.raises(UsageError, match=exactly(message)):
            metered(Meter("seconds", allow_negative=True), rows(pa.array(texts)))
    # a sign before the point is a number: -0.5, 0.5 and 1.25
    signed = pa.array(["-.5", "+.5", "1.25"])
    assert metered(Meter("seconds", allow_negative=True), rows(signed)) == daily(
        "seconds", "-0.5", "0.5", "1.25"
    )


def test_a_factor_beyond_int64_on_zero_quantities_stays_exact() -> None:
    # zeros in steps of 10**-19: the factor 10**19 is beyond int64 even though every
    # value is 0; a minimum of 10**-19 raises each 0 to it
    tiny = "0.0000000000000000001"
    for zeros in ([0, 0], pa.array(["0", "0"]), pa.array(["0", "0"]).dictionary_encode()):
        assert metered(Meter("seconds", increment=tiny), rows(zeros)) == daily("seconds", 0, 0)
        highest = Meter("seconds", aggregation="max", increment=tiny)
        assert metered(highest, rows(zeros)) == {
            key("seconds", day(3)): _Max(Fraction(0)),
            key("seconds", day(4)): _Max(Fraction(0)),
        }
        assert metered(Meter("seconds", minimum=tiny), rows(zeros)) == daily(
            "seconds", Fraction(1, 10**19), Fraction(1, 10**19)
        )
