"""Time bands: night and weekend premiums by the time of day and day of week of each
event, in the contract's time zone ("early morning customer service", seed 004 §1).

Wall-clock times and daylight-saving shifts are worked out by hand in the comments.
Europe/Berlin is UTC+1 in winter and UTC+2 in summer; in 2026 summer time starts on
Sunday 29 March at 01:00 UTC (02:00 -> 03:00 local) and ends on Sunday 25 October at
01:00 UTC (03:00 -> 02:00 local). Asia/Shanghai is UTC+8 all year.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Aggregation,
    Band,
    Contract,
    ContractError,
    Dimensions,
    Event,
    Meter,
    Money,
    PerUnit,
    TimeBands,
    UsageError,
    meter_events,
)

UTC = dt.timezone.utc
BERLIN = "Europe/Berlin"
SHANGHAI = "Asia/Shanghai"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def shifts(timezone: str = SHANGHAI) -> TimeBands:
    """Weekend first (it wins over night), then night 22:00-06:00, else day."""
    return TimeBands(
        [Band("weekend", days="weekend"), Band("night", "22:00", "06:00")], timezone=timezone
    )


NIGHTS = TimeBands(Band("night", "22:00", "06:00"), timezone=BERLIN)


# -- Band ----------------------------------------------------------------------------------


def test_a_band_within_one_day() -> None:
    early = Band("early", "06:00", "09:00", days="weekdays")
    assert not early.crosses_midnight
    # 2 November 2026 is a Monday, 7 November a Saturday
    assert early.covers(dt.datetime(2026, 11, 2, 6, 0))  # start included
    assert early.covers(dt.datetime(2026, 11, 2, 8, 59, 59))
    assert not early.covers(dt.datetime(2026, 11, 2, 9, 0))  # end excluded
    assert not early.covers(dt.datetime(2026, 11, 2, 5, 59))
    assert not early.covers(dt.datetime(2026, 11, 7, 7, 0))  # not on a Saturday
    assert str(early) == "early 06:00-09:00 mon, tue, wed, thu, fri"


def test_a_band_past_midnight_belongs_to_the_day_it_starts() -> None:
    friday_night = Band("friday night", "22:00", "06:00", days="fri")
    assert friday_night.crosses_midnight
    # Friday 6 November 22:00 to Saturday 7 November 06:00
    assert friday_night.covers(dt.datetime(2026, 11, 6, 22, 0))
    assert friday_night.covers(dt.datetime(2026, 11, 7, 3, 0))
    assert not friday_night.covers(dt.datetime(2026, 11, 7, 6, 0))
    assert not friday_night.covers(dt.datetime(2026, 11, 7, 23, 0))  # Saturday's night
    assert not friday_night.covers(dt.datetime(2026, 11, 6, 3, 0))  # Thursday's night
    assert not friday_night.covers(dt.datetime(2026, 11, 5, 23, 0))
    assert str(friday_night) == "friday night 22:00-06:00 fri"


def test_whole_days_and_24_hour_bands() -> None:
    weekend = Band("weekend", days="weekend")
    assert (weekend.start, weekend.end) == (dt.time(0), dt.time(0))
    assert weekend.covers(dt.datetime(2026, 11, 7, 0, 0))  # Saturday 00:00
    assert weekend.covers(dt.datetime(2026, 11, 8, 23, 59, 59))  # Sunday 23:59:59
    assert not weekend.covers(dt.datetime(2026, 11, 9, 0, 0))  # Monday 00:00
    assert not weekend.covers(dt.datetime(2026, 11, 6, 23, 59))  # Friday 23:59
    assert str(weekend) == "weekend all day sat, sun"
    # 24 hours from Saturday 08:00 to Sunday 08:00
    saturday = Band("saturday shift", "08:00", "08:00", days="saturday")
    assert saturday.covers(dt.datetime(2026, 11, 7, 8, 0))
    assert saturday.covers(dt.datetime(2026, 11, 8, 7, 59))
    assert not saturday.covers(dt.datetime(2026, 11, 8, 8, 0))
    assert not saturday.covers(dt.datetime(2026, 11, 7, 7, 59))
    # "24:00" closes a band at midnight without running into the next day
    evening = Band("evening", "18:00", "24:00")
    assert evening.end == dt.time(0)
    assert evening.covers(dt.datetime(2026, 11, 2, 23, 59))
    assert not evening.covers(dt.datetime(2026, 11, 3, 0, 0))
    assert not evening.covers(dt.datetime(2026, 11, 2, 17, 59))
    assert str(evening) == "evening 18:00-00:00 every day"


def test_week_spans() -> None:
    hour = 3_600_000_000  # microseconds
    day = 24 * hour
    # Monday 06:00-09:00
    assert Band("early", "06:00", "09:00", days="mon").week_spans() == ((6 * hour, 9 * hour),)
    # Sunday 22:00 runs past the end of the week into Monday 06:00
    assert Band("night", "22:00", "06:00", days="sun").week_spans() == (
        (6 * day + 22 * hour, 7 * day),
        (0, 6 * hour),
    )
    # a whole Saturday, and 24 hours from Friday 08:00
    assert Band("sat", days="sat").week_spans() == ((5 * day, 6 * day),)
    assert Band("shift", "08:00", "08:00", days="fri").week_spans() == (
        (4 * day + 8 * hour, 5 * day + 8 * hour),
    )


@pytest.mark.parametrize(
    ("days", "numbers"),
    [
        ("all", frozenset(range(7))),
        ("weekdays", frozenset({0, 1, 2, 3, 4})),
        (" Weekend ", frozenset({5, 6})),
        ("sat", frozenset({5})),
        ("Saturday", frozenset({5})),
        ("SUN", frozenset({6})),
        (6, frozenset({6})),
        (["mon", 2, "Friday"], frozenset({0, 2, 4})),
        (frozenset({1, 3}), frozenset({1, 3})),
    ],
)
def test_band_days(days: object, numbers: frozenset[int]) -> None:
    assert Band("b", days=days).days == numbers


@pytest.mark.parametrize("days", [7, -1, True, "funday", "sa", ["mon", None], [1.0]])
def test_band_refuses_unknown_days(days: object) -> None:
    with pytest.raises(ValueError, match=r"is not a day of the week \(0 = Monday to 6 = Sunday"):
        Band("b", days=days)


def test_band_errors() -> None:
    with pytest.raises(ValueError, match="days must name at least one day of the week"):
        Band("b", days=[])
    with pytest.raises(TypeError, match=r"days must be day names or numbers, not 3\.5"):
        Band("b", days=3.5)
    with pytest.raises(ValueError, match=r"start is not a time of day \(HH:MM\): '25:00'"):
        Band("b", "25:00", "06:00")
    with pytest.raises(TypeError, match="end must be a time or a string such as '22:00', not 600"):
        Band("b", "22:00", 600)
    with pytest.raises(TypeError, match="start must be a time"):
        Band("b", dt.datetime(2026, 1, 1, 22), "06:00")
    with pytest.raises(ValueError, match="end must be a wall-clock time without a time zone"):
        Band("b", "22:00", dt.time(6, tzinfo=UTC))
    with pytest.raises(TypeError, match="name must be a non-empty string, not ''"):
        Band("", "22:00", "06:00")
    # times with seconds and time objects are fine
    assert Band("b", dt.time(22), "06:00:30").end == dt.time(6, 0, 30)


# -- TimeBands -----------------------------------------------------------------------------


def test_the_first_band_that_covers_a_time_wins() -> None:
    bands = shifts(SHANGHAI)
    # naive timestamps are wall-clock time in the zone
    assert bands.band_of(dt.datetime(2026, 11, 4, 23, 15)) == "night"  # Wednesday
    assert bands.band_of(dt.datetime(2026, 11, 4, 12, 0)) == "day"
    assert bands.band_of(dt.datetime(2026, 11, 7, 23, 15)) == "weekend"  # Saturday night
    assert bands.band_of(dt.datetime(2026, 11, 7, 12, 0)) == "weekend"
    # Friday 23:00 is night (the weekend starts on Saturday at 00:00)
    assert bands.band_of(dt.datetime(2026, 11, 6, 23, 0)) == "night"
    # Monday 00:30 is night again
    assert bands.band_of(dt.datetime(2026, 11, 9, 0, 30)) == "night"
    assert bands.names == ("weekend", "night", "day")
    assert str(bands) == (
        "band: weekend all day sat, sun; night 22:00-06:00 every day; otherwise day (Asia/Shanghai)"
    )


def test_aware_timestamps_are_converted_to_the_zone() -> None:
    bands = shifts(SHANGHAI)
    # 01:00 UTC is 09:00 in Shanghai: day, although 01:00 is night in UTC
    assert bands.band_of(utc(2026, 11, 4, 1, 0)) == "day"
    # Friday 6 November 16:30 UTC is Saturday 00:30 in Shanghai: weekend
    assert bands.band_of(utc(2026, 11, 6, 16, 30)) == "weekend"
    # Sunday 8 November 15:59 UTC is Sunday 23:59 local; 16:00 UTC is Monday 00:00
    assert bands.band_of(utc(2026, 11, 8, 15, 59)) == "weekend"
    assert bands.band_of(utc(2026, 11, 8, 16, 0)) == "night"
    # 04:00 at UTC+05:30 is 22:30 UTC the day before, 06:30 in Shanghai: day
    india = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert bands.band_of(dt.datetime(2026, 11, 4, 4, 0, tzinfo=india)) == "day"
    assert bands.wall_time(utc(2026, 11, 4, 1, 0)) == dt.datetime(2026, 11, 4, 9, 0)
    naive = dt.datetime(2026, 11, 4, 1, 0)
    assert bands.wall_time(naive) is naive


def test_spring_forward_in_berlin() -> None:
    # Saturday 28 March: 04:30 UTC is 05:30 CET (night), 05:30 UTC is 06:30 CET (day)
    assert NIGHTS.band_of(utc(2026, 3, 28, 4, 30)) == "night"
    assert NIGHTS.band_of(utc(2026, 3, 28, 5, 30)) == "day"
    # Sunday 29 March, summer time: the same 04:30 UTC is now 06:30 CEST (day) and
    # 03:30 UTC is 05:30 CEST (night)
    assert NIGHTS.band_of(utc(2026, 3, 29, 4, 30)) == "day"
    assert NIGHTS.band_of(utc(2026, 3, 29, 3, 30)) == "night"
    # around the jump: 00:59 UTC is 01:59 CET, 01:00 UTC is 03:00 CEST, both night
    assert NIGHTS.wall_time(utc(2026, 3, 29, 0, 59)) == dt.datetime(2026, 3, 29, 1, 59)
    assert NIGHTS.wall_time(utc(2026, 3, 29, 1, 0)) == dt.datetime(2026, 3, 29, 3, 0)
    # a naive 02:30 does not exist that night; it is read as the wall clock shows it
    assert NIGHTS.band_of(dt.datetime(2026, 3, 29, 2, 30)) == "night"


def test_fall_back_in_berlin() -> None:
    # 02:30 happens twice on Sunday 25 October: 00:30 UTC (CEST) and 01:30 UTC (CET)
    first = NIGHTS.wall_time(utc(2026, 10, 25, 0, 30))
    second = NIGHTS.wall_time(utc(2026, 10, 25, 1, 30))
    assert first == second == dt.datetime(2026, 10, 25, 2, 30)
    assert NIGHTS.band_of(utc(2026, 10, 25, 0, 30)) == "night"
    assert NIGHTS.band_of(utc(2026, 10, 25, 1, 30)) == "night"
    # Saturday 24 October 04:30 UTC is 06:30 CEST (day); on Sunday 04:30 UTC is 05:30
    # CET (night) and 05:00 UTC is 06:00 CET (day)
    assert NIGHTS.band_of(utc(2026, 10, 24, 4, 30)) == "day"
    assert NIGHTS.band_of(utc(2026, 10, 25, 4, 30)) == "night"
    assert NIGHTS.band_of(utc(2026, 10, 25, 5, 0)) == "day"
    # evenings: 20:00 UTC is 22:00 CEST on the 24th (night) but 21:00 CET on the 25th
    assert NIGHTS.band_of(utc(2026, 10, 24, 20, 0)) == "night"
    assert NIGHTS.band_of(utc(2026, 10, 25, 20, 0)) == "day"
    assert NIGHTS.band_of(utc(2026, 10, 25, 21, 0)) == "night"


def minute_events(start: dt.datetime, hours: int) -> list[Event]:
    """One 60-second call starting every real minute for ``hours`` hours."""
    return [Event("call_seconds", 60, start + dt.timedelta(minutes=n)) for n in range(hours * 60)]


@pytest.mark.parametrize(
    ("evening", "night_minutes"),
    [
        # 22:00 to 06:00 local is 8 hours on an ordinary night: 480 minutes
        (utc(2026, 3, 21, 12, 0), 480),
        # spring forward: 22:00 CET (21:00 UTC) to 06:00 CEST (04:00 UTC) = 7 h = 420 min
        (utc(2026, 3, 28, 12, 0), 420),
        # fall back: 22:00 CEST (20:00 UTC) to 06:00 CET (05:00 UTC) = 9 h = 540 min
        (utc(2026, 10, 24, 12, 0), 540),
    ],
)
def test_a_night_lasts_as_long_as_the_clock_says(evening: dt.datetime, night_minutes: int) -> None:
    meter = Meter("calls", source="call_seconds", aggregation="count", bands=NIGHTS)
    usage = meter.meter(minute_events(evening, 24))
    assert usage.quantity("calls", {"band": "night"}) == night_minutes
    assert usage.quantity("calls") == 24 * 60


def test_label_adds_the_band_as_a_dimension() -> None:
    bands = shifts(SHANGHAI)
    events = [
        Event("chats", 1, dt.datetime(2026, 11, 4, 23, 0), {"channel": "chat"}),
        Event("chats", 1, dt.datetime(2026, 11, 4, 23, 30), {"channel": "chat"}),
        Event("chats", 1, dt.datetime(2026, 11, 4, 12, 0), {"channel": "chat"}),
    ]
    labelled = bands.label(events)
    assert [event.dimensions for event in labelled] == [
        Dimensions({"channel": "chat", "band": "night"}),
        Dimensions({"channel": "chat", "band": "night"}),
        Dimensions({"channel": "chat", "band": "day"}),
    ]
    assert [(e.metric, e.quantity, e.at) for e in labelled] == [
        (e.metric, e.quantity, e.at) for e in events
    ]
    # an event that already has a band is refused rather than overwritten
    with pytest.raises(UsageError, match=r"event 1 .* already has the dimension 'band'"):
        bands.label([events[0], Event("chats", 1, events[0].at, {"band": "vip"})])
    # another dimension name avoids the clash
    named = TimeBands(Band("night", "22:00", "06:00"), dimension="shift", default="regular")
    assert named.label([Event("chats", 1, events[2].at, {"band": "vip"})])[0].dimensions == (
        Dimensions({"band": "vip", "shift": "regular"})
    )


def test_time_bands_errors() -> None:
    with pytest.raises(ValueError, match="bands must not be empty"):
        TimeBands([])
    with pytest.raises(TypeError, match=r"bands\[1\] must be a Band, not 'night'"):
        TimeBands([Band("weekend", days="weekend"), "night"])
    with pytest.raises(TypeError, match="bands must be a list of Band, not 'night'"):
        TimeBands("night")
    with pytest.raises(TypeError, match="bands must be a list of Band, not 5"):
        TimeBands(5)
    with pytest.raises(ValueError, match="timezone: unknown IANA time zone 'Mars/Base'"):
        TimeBands(Band("night", "22:00", "06:00"), timezone="Mars/Base")
    with pytest.raises(TypeError, match="timezone must be an IANA time zone name, not 8"):
        TimeBands(Band("night", "22:00", "06:00"), timezone=8)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="default must be a non-empty string"):
        TimeBands(Band("night", "22:00", "06:00"), default="")
    with pytest.raises(TypeError, match="dimension must be a non-empty string"):
        TimeBands(Band("night", "22:00", "06:00"), dimension=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a timestamp must be a datetime, not '2026-11-04'"):
        shifts().band_of("2026-11-04")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a timestamp must be a datetime"):
        shifts().band_of(dt.date(2026, 11, 4))  # type: ignore[arg-type]


def test_time_bands_are_values() -> None:
    assert shifts(SHANGHAI) == shifts(SHANGHAI)
    assert hash(shifts(SHANGHAI)) == hash(shifts(SHANGHAI))
    assert shifts(SHANGHAI) != shifts(BERLIN)
    night = TimeBands([Band("night", "22:00", "06:00"), Band("night", "00:00", "07:00")])
    assert night.names == ("night", "day")


# -- metering ------------------------------------------------------------------------------

CALLS = [
    # Wednesday 4 November, Shanghai wall time
    Event("handle_seconds", 185, dt.datetime(2026, 11, 4, 23, 30), {"channel": "phone"}),
    Event("handle_seconds", 600, dt.datetime(2026, 11, 4, 10, 0), {"channel": "phone"}),
    Event("handle_seconds", 90, dt.datetime(2026, 11, 7, 0, 30), {"channel": "chat"}),  # Sat
    Event("handle_seconds", 60, dt.datetime(2026, 11, 6, 5, 59), {"channel": "chat"}),  # Fri
]


def test_a_meter_with_bands_groups_and_filters_by_band() -> None:
    minutes = Meter(
        "handle_minutes",
        source="handle_seconds",
        from_unit="second",
        unit="minute",
        increment=60,
        bands=shifts(),
    )
    usage = minutes.meter(CALLS)
    # per started minute: 185 s -> 4 min (night), 600 s -> 10 min (day),
    # 90 s -> 2 min (weekend), 60 s -> 1 min (night)
    assert usage.quantity("handle_minutes", {"band": "night"}) == 5
    assert usage.quantity("handle_minutes", {"band": "day"}) == 10
    assert usage.quantity("handle_minutes", {"band": "weekend"}) == 2
    assert usage.quantity("handle_minutes", {"band": "night", "channel": "phone"}) == 4
    assert minutes.describe() == (
        "handle_minutes: sum of handle_seconds, rounded up per event to multiples of 60, "
        "converted from seconds to minutes, with time bands band: weekend all day sat, sun; "
        "night 22:00-06:00 every day; otherwise day (Asia/Shanghai)"
    )
    # only night minutes, grouped by channel: 4 phone + 1 chat
    night = Meter(
        "night_minutes",
        source="handle_seconds",
        from_unit="second",
        unit="minute",
        increment=60,
        bands=shifts(),
        where={"band": "night"},
        group_by=["channel"],
    )
    assert night.meter(CALLS).groups("night_minutes", ["channel"]) == {
        Dimensions({"channel": "phone"}): 4,
        Dimensions({"channel": "chat"}): 1,
    }


def test_meters_with_and_without_bands_run_side_by_side() -> None:
    banded = Meter("banded_calls", source="handle_seconds", aggregation="count", bands=shifts())
    plain = Meter("calls", source="handle_seconds", aggregation="count")
    usage = meter_events([banded, plain], CALLS)
    # the plain meter keeps the events' own dimensions: 2 phone and 2 chat calls
    assert usage.groups("calls", ["channel", "band"]) == {
        Dimensions({"channel": "phone"}): 2,
        Dimensions({"channel": "chat"}): 2,
    }
    assert usage.groups("banded_calls", ["band"]) == {
        Dimensions({"band": "night"}): 2,
        Dimensions({"band": "day"}): 1,
        Dimensions({"band": "weekend"}): 1,
    }


def test_latest_and_distinct_see_the_band() -> None:
    seats = [
        Event("seats", 3, dt.datetime(2026, 11, 4, 23, 0)),
        Event("seats", 5, dt.datetime(2026, 11, 5, 1, 0)),
        Event("seats", 8, dt.datetime(2026, 11, 5, 12, 0)),
    ]
    latest = Meter("seats", aggregation=Aggregation.LATEST, bands=shifts())
    usage = latest.meter(seats)
    # the latest night reading is 5 (01:00), the latest day reading 8
    assert usage.quantity("seats", {"band": "night"}) == 5
    assert usage.quantity("seats", {"band": "day"}) == 8
    logins = [
        Event("logins", 1, dt.datetime(2026, 11, 4, 23, 0), {"agent": "a1"}),
        Event("logins", 1, dt.datetime(2026, 11, 5, 1, 0), {"agent": "a2"}),
        Event("logins", 1, dt.datetime(2026, 11, 5, 2, 0), {"agent": "a1"}),
    ]
    agents = Meter(
        "night_agents",
        source="logins",
        aggregation="distinct",
        distinct="agent",
        bands=shifts(),
        group_by=["band"],
    )
    # a1 and a2 worked at night: 2 distinct agents
    assert agents.meter(logins).quantity("night_agents", {"band": "night"}) == 2


def test_banded_metering_keeps_the_usual_checks() -> None:
    minutes = Meter("handle_minutes", source="handle_seconds", bands=shifts())
    negative = [Event("handle_seconds", -5, dt.datetime(2026, 11, 4, 23, 0))]
    with pytest.raises(UsageError, match="negative quantity"):
        meter_events([minutes], negative)
    unknown = [Event("orders", 1, dt.datetime(2026, 11, 4, 23, 0))]
    with pytest.raises(UsageError, match="metrics that no meter reads: orders"):
        meter_events([minutes], unknown)
    with pytest.raises(TypeError, match="'bands' must be"):
        Meter("handle_minutes", bands="night")  # type: ignore[arg-type]


# -- contracts -----------------------------------------------------------------------------


def early_morning_contract(bands: TimeBands | None = None) -> Contract:
    """Every handled minute at 1.20 CNY, plus 0.60 CNY at night and 0.30 at weekends."""
    bands = shifts(SHANGHAI) if bands is None else bands
    return Contract(
        "Early morning service",
        "CNY",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="1.20 CNY", unit="min"),
            PerUnit(
                "Night premium",
                metric="handle_minutes",
                rate="0.60 CNY",
                where={"band": "night"},
                unit="min",
            ),
            PerUnit(
                "Weekend premium",
                metric="handle_minutes",
                rate="0.30 CNY",
                where={"band": "weekend"},
                unit="min",
            ),
        ],
        meters=[
            Meter(
                "handle_minutes",
                source="handle_seconds",
                from_unit="second",
                unit="minute",
                increment=60,
                bands=bands,
            )
        ],
        timezone=bands.timezone,
    )


def test_a_night_and_weekend_premium_on_top_of_the_base_rate() -> None:
    events = [
        # Tuesday 3 November 15:30 UTC = 23:30 Shanghai: night, 185 s -> 4 min
        Event("handle_seconds", 185, utc(2026, 11, 3, 15, 30)),
        # Wednesday 4 November 02:00 UTC = 10:00: day, 600 s -> 10 min
        Event("handle_seconds", 600, utc(2026, 11, 4, 2, 0)),
        # Friday 6 November 16:30 UTC = Saturday 00:30: weekend, 90 s -> 2 min
        Event("handle_seconds", 90, utc(2026, 11, 6, 16, 30)),
        # Thursday 5 November 21:59 UTC = Friday 05:59: night, 60 s -> 1 min
        Event("handle_seconds", 60, utc(2026, 11, 5, 21, 59)),
        # Saturday 31 October 16:30 UTC = Sunday 1 November 00:30: November, weekend, 1 min
        Event("handle_seconds", 45, utc(2026, 10, 31, 16, 30)),
        # Monday 30 November 16:30 UTC = Tuesday 1 December 00:30: not November
        Event("handle_seconds", 300, utc(2026, 11, 30, 16, 30)),
    ]
    invoice = early_morning_contract().invoice(events, "2026-11")
    # all minutes: 4 + 10 + 2 + 1 + 1 = 18 x 1.20 = 21.60
    # night: 4 + 1 = 5 x 0.60 = 3.00; weekend: 2 + 1 = 3 x 0.30 = 0.90
    assert [(line.component, line.amount.amount) for line in invoice.lines] == [
        ("Minutes", Decimal("21.60")),
        ("Night premium", Decimal("3.00")),
        ("Weekend premium", Decimal("0.90")),
    ]
    assert invoice.total == Money("25.50", "CNY")
    assert invoice.lines[1].basis == "5 min x 0.60 CNY"


def test_a_night_premium_across_the_fall_back_night_in_berlin() -> None:
    contract = early_morning_contract(NIGHTS)
    # one 60-second call every real minute for 24 hours from Saturday 24 October
    # 12:00 UTC: 1440 minutes, 540 of them at night (22:00 CEST = 20:00 UTC to 06:00
    # CET = 05:00 UTC is 9 hours)
    events = [Event("handle_seconds", 60, e.at) for e in minute_events(utc(2026, 10, 24, 12), 24)]
    invoice = contract.invoice(events, "2026-10")
    # 1440 min x 1.20 = 1728.00; night 540 min x 0.60 = 324.00 (no weekend band here)
    assert [(line.component, line.amount.amount) for line in invoice.lines] == [
        ("Minutes", Decimal("1728.00")),
        ("Night premium", Decimal("324.00")),
    ]
    # an ordinary night, Tuesday 27 to Wednesday 28 October (winter time): 22:00 to
    # 06:00 CET = 8 hours = 480 night minutes x 0.60 = 288.00
    weekday = [Event("handle_seconds", 60, e.at) for e in minute_events(utc(2026, 10, 27, 12), 24)]
    lines = contract.invoice(weekday, "2026-10").lines
    assert [(line.component, line.amount.amount) for line in lines] == [
        ("Minutes", Decimal("1728.00")),
        ("Night premium", Decimal("288.00")),
    ]
    # with the weekend band first, the whole fall-back weekend is weekend: 1440 x 0.30
    weekend = early_morning_contract(shifts(BERLIN)).invoice(events, "2026-10")
    assert [(line.component, line.amount.amount) for line in weekend.lines] == [
        ("Minutes", Decimal("1728.00")),
        ("Weekend premium", Decimal("432.00")),
    ]


def test_the_contract_refuses_bands_in_another_time_zone() -> None:
    meter = Meter("handle_minutes", source="handle_seconds", bands=shifts(BERLIN))
    with pytest.raises(
        ContractError,
        match=r"meters\[0\] \('handle_minutes'\) reads time bands in Europe/Berlin but the "
        "contract's time zone is Asia/Shanghai",
    ):
        Contract(
            "Early",
            "CNY",
            [PerUnit("Minutes", metric="handle_minutes", rate="1.20 CNY")],
            meters=[meter],
            timezone=SHANGHAI,
        )


# -- properties ----------------------------------------------------------------------------

ZONES = ["UTC", BERLIN, SHANGHAI, "America/New_York", "Australia/Lord_Howe"]


def oracle(local: dt.datetime) -> str:
    """The weekend/night/day rule written out by hand for a local wall-clock time."""
    if local.weekday() >= 5:
        return "weekend"
    if local.hour >= 22 or local.hour < 6:
        return "night"
    return "day"


@given(
    zone=st.sampled_from(ZONES),
    instant=st.datetimes(
        dt.datetime(2025, 1, 1), dt.datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)
def test_an_instant_gets_the_band_of_its_local_wall_clock(zone: str, instant: dt.datetime) -> None:
    bands = shifts(zone)
    local = instant.astimezone(zoneinfo.ZoneInfo(zone))
    assert bands.band_of(instant) == oracle(local)
    # the same wall-clock time written naive gets the same band
    assert bands.band_of(local.replace(tzinfo=None)) == oracle(local)


@given(
    zone=st.sampled_from(ZONES),
    minutes=st.lists(st.integers(0, 60 * 24 * 30), min_size=1, max_size=30),
    cut=st.integers(0, 30),
)
def test_banded_metering_is_a_mergeable_summary(zone: str, minutes: list[int], cut: int) -> None:
    start = utc(2026, 10, 10)
    events = [Event("call_seconds", 61, start + dt.timedelta(minutes=m)) for m in minutes]
    meter = Meter(
        "minutes",
        source="call_seconds",
        from_unit="second",
        unit="minute",
        increment=60,
        bands=shifts(zone),
    )
    whole = meter.meter(events)
    parts = meter.meter(events[:cut]) + meter.meter(events[cut:])
    assert whole == parts
    # 61 s is 2 started minutes per call, all of them in some band
    assert whole.quantity("minutes") == 2 * len(events)
    assert sum(
        (whole.exact("minutes", {"band": band}) for band in ("weekend", "night", "day")),
        Fraction(0),
    ) == 2 * len(events)


@st.composite
def random_bands(draw: st.DrawFn) -> Band:
    def time() -> dt.time:
        return dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 59])))

    days = draw(st.sets(st.integers(0, 6), min_size=1))
    return Band(draw(st.sampled_from(["a", "b", "c"])), time(), time(), days=days)


@given(
    bands=st.lists(random_bands(), min_size=1, max_size=4),
    wall=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31)),
)
def test_the_first_band_that_covers_a_wall_clock_time_names_it(
    bands: list[Band], wall: dt.datetime
) -> None:
    classifier = TimeBands(bands, default="rest")
    expected = next((band.name for band in bands if band.covers(wall)), "rest")
    assert classifier.band_of(wall) == expected
    # the band edges themselves: a band's start is inside it, its end outside
    for band in bands:
        start = dt.datetime.combine(wall.date(), band.start)
        first = next((b.name for b in bands if b.covers(start)), "rest")
        assert classifier.band_of(start) == first
