"""The columnar engine's wall clock: what mutation testing found unpinned.

The engine turns UTC instants into wall-clock time by hour when the rows span more
than about eleven years or more offset changes than it bisects: that path is pinned
here against ``datetime.astimezone`` row by row, in zones whose changes fall on the
UTC hour and in zones whose changes fall within it (half-hour offsets, local mean
time), for rows before 1970 and rows spread over more than 478 years (where the
hours are looked up by sorting instead of a dense table), and through the public
metering of a table, with the days computed by hand.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from meterprice import Meter

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

from engine_rows import UTC, contract, metered, sums, table  # noqa: E402

from meterprice.columnar import _clocks  # noqa: E402

EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MICRO = dt.timedelta(microseconds=1)


def micros(at: dt.datetime) -> int:
    return (at - EPOCH) // MICRO


def expected_wall(values: list[int], zone: zoneinfo.ZoneInfo) -> list[int]:
    """Each instant's wall clock, one ``astimezone`` per row."""
    out = []
    for value in values:
        offset = (EPOCH + dt.timedelta(microseconds=value)).astimezone(zone).utcoffset()
        assert offset is not None
        out.append(value + offset // MICRO)
    return out


def wall(values: list[int], zone: str) -> list[int]:
    result = _clocks._wall(np.array(values, dtype=np.int64), zoneinfo.ZoneInfo(zone))
    assert result.dtype == np.int64
    return [int(value) for value in result.tolist()]


def around(at: dt.datetime, *steps: dt.timedelta) -> list[int]:
    """The instant ``at`` (UTC) and the instants ``steps`` before and after it."""
    base = micros(at)
    out = [base]
    for step in steps:
        out += [base - step // MICRO, base + step // MICRO]
    return out


SECOND = dt.timedelta(seconds=1)
HOUR = dt.timedelta(hours=1)
STEPS = (MICRO, SECOND, dt.timedelta(minutes=29), dt.timedelta(minutes=31), HOUR)

# changes on the UTC hour: Paris goes to summer time at 01:00 UTC on 29 March 2026 and
# back at 01:00 UTC on 25 October; Adelaide (+10:30 / +9:30) changes at 16:30 UTC, in
# the middle of a UTC hour; St John's (-2:30 / -3:30) at 05:30 and 04:30 UTC
CHANGES = {
    "Europe/Paris": [
        dt.datetime(2026, 3, 29, 1, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 1, tzinfo=UTC),
    ],
    "Australia/Adelaide": [
        dt.datetime(2026, 4, 4, 16, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 3, 16, 30, tzinfo=UTC),
    ],
    "America/St_Johns": [
        dt.datetime(2026, 3, 8, 5, 30, tzinfo=UTC),
        dt.datetime(2026, 11, 1, 4, 30, tzinfo=UTC),
    ],
}


@pytest.mark.parametrize("zone", sorted(CHANGES))
def test_the_wall_clock_of_every_row_around_the_offset_changes(zone: str) -> None:
    values = [value for change in CHANGES[zone] for value in around(change, *STEPS)]
    values.reverse()  # unsorted, as rows come
    values += values[:3]  # and repeated
    assert wall(values, zone) == expected_wall(values, zoneinfo.ZoneInfo(zone))


def test_a_change_within_a_utc_hour_moves_only_the_rows_after_it() -> None:
    # Adelaide leaves summer time at 16:30 UTC: 03:00 ACDT becomes 02:00 ACST
    change = micros(dt.datetime(2026, 4, 4, 16, 30, tzinfo=UTC))
    before, after = change - 1, change
    summer, winter = 37_800_000_000, 34_200_000_000  # 10:30 and 9:30 in microseconds
    assert wall([before, after], "Australia/Adelaide") == [before + summer, after + winter]
    # and a row of the same hour before the change keeps the summer offset
    early = micros(dt.datetime(2026, 4, 4, 16, 1, tzinfo=UTC))
    assert wall([early, after], "Australia/Adelaide") == [early + summer, after + winter]


def test_the_wall_clock_in_a_zone_east_and_west_of_utc() -> None:
    noon = micros(dt.datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert wall([noon], "Europe/Paris") == [noon + 2 * 3_600_000_000]
    assert wall([noon], "America/New_York") == [noon - 4 * 3_600_000_000]


def test_no_rows_have_no_wall_clock() -> None:
    empty = _clocks._wall(np.array([], dtype=np.int64), zoneinfo.ZoneInfo("Europe/Paris"))
    assert empty.dtype == np.int64
    assert len(empty) == 0


def test_rows_before_1970_over_decades() -> None:
    # Paris left local mean time (+0:09:21) for Paris mean time in 1891, at midnight
    # local time, within a UTC hour; and kept summer time through 1945
    zone = zoneinfo.ZoneInfo("Europe/Paris")
    values = around(dt.datetime(1891, 3, 15, 23, 50, 39, tzinfo=UTC), *STEPS)
    values += around(dt.datetime(1945, 9, 16, 1, tzinfo=UTC), *STEPS)
    values += [micros(dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC))]
    assert wall(values, "Europe/Paris") == expected_wall(values, zone)


def test_rows_over_more_than_478_years_are_looked_up_by_sorting() -> None:
    # 2**22 hours is about 478.5 years: beyond that the engine sorts the rows' hours
    zone = zoneinfo.ZoneInfo("Europe/Paris")
    values = [micros(dt.datetime(1400, 6, 1, 12, tzinfo=UTC))]
    values += around(dt.datetime(1891, 3, 15, 23, 50, 39, tzinfo=UTC), MICRO, SECOND)
    values += around(dt.datetime(2026, 10, 25, 1, tzinfo=UTC), MICRO, HOUR)
    values += [micros(dt.datetime(2100, 1, 1, tzinfo=UTC))]
    assert wall(values, "Europe/Paris") == expected_wall(values, zone)
    adelaide = zoneinfo.ZoneInfo("Australia/Adelaide")
    far = [micros(dt.datetime(1500, 1, 1, tzinfo=UTC))]
    far += around(dt.datetime(2026, 4, 4, 16, 30, tzinfo=UTC), MICRO, dt.timedelta(minutes=20))
    assert wall(far, "Australia/Adelaide") == expected_wall(far, adelaide)


def test_the_sorted_lookup_keeps_each_row_at_its_own_hour() -> None:
    # rows out of order, over 600 years: each one's offset is that of its own hour
    low = micros(dt.datetime(1426, 1, 1, tzinfo=UTC))
    summer = micros(dt.datetime(2026, 7, 1, 12, tzinfo=UTC))
    winter = micros(dt.datetime(2026, 1, 1, 12, tzinfo=UTC))
    paris_lmt = 561_000_000  # 0:09:21
    values = [summer, low, winter, summer]
    assert wall(values, "Europe/Paris") == [
        summer + 7_200_000_000,
        low + paris_lmt,
        winter + 3_600_000_000,
        summer + 7_200_000_000,
    ]


# -- through the metering of a table ---------------------------------------------------


def test_a_table_over_twelve_years_is_metered_on_the_wall_clock() -> None:
    # more than 100,000 hours between the first and the last row: the wall clock by hour
    stamps = [
        dt.datetime(2014, 6, 30, 22, 30, tzinfo=UTC),  # 00:30 CEST on 1 July 2014
        dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 00:30 CET on 29 March
        dt.datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # 00:30 CEST on 25 October
        dt.datetime(2026, 12, 31, 22, 59, tzinfo=UTC),  # 23:59 CET on 31 December
        dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # 00:00 CET on 1 January 2027
    ]
    rows = table(["seconds"] * 5, [1, 2, 3, 4, 5], stamps)
    paris = contract(Meter("seconds"), timezone="Europe/Paris")
    assert metered(paris, rows, None, None) == sums(
        "seconds",
        (dt.date(2014, 7, 1), {}, 1),
        (dt.date(2026, 3, 29), {}, 2),
        (dt.date(2026, 10, 25), {}, 3),
        (dt.date(2026, 12, 31), {}, 4),
        (dt.date(2027, 1, 1), {}, 5),
    )


def test_a_table_over_twelve_years_across_a_change_within_the_hour() -> None:
    # Adelaide: 16:29 UTC on 4 April 2026 is 02:59 ACDT on the 5th, and 13:29 UTC on
    # the 4th is 23:59 ACDT on the 4th; 14:31 UTC on 31 March 2014 is 01:01 ACDT on
    # 1 April
    stamps = [
        dt.datetime(2014, 3, 31, 14, 31, tzinfo=UTC),
        dt.datetime(2026, 4, 4, 13, 29, tzinfo=UTC),
        dt.datetime(2026, 4, 4, 16, 29, tzinfo=UTC),
        dt.datetime(2026, 4, 4, 16, 31, tzinfo=UTC),
    ]
    rows = table(["seconds"] * 4, [1, 2, 3, 4], stamps)
    adelaide = contract(Meter("seconds"), timezone="Australia/Adelaide")
    assert metered(adelaide, rows, None, None) == sums(
        "seconds",
        (dt.date(2014, 4, 1), {}, 1),
        (dt.date(2026, 4, 4), {}, 2),
        (dt.date(2026, 4, 5), {}, 7),
    )
