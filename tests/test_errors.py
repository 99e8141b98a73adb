# mypy: disable-error-code="arg-type"
"""Every public entry point refuses bad input with a MeterpriceError that is also the
built-in exception a caller expects, and the message names the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import meterprice as mp
from meterprice import staffing
from meterprice.bands import Band, TimeBands
from meterprice.calendars import Calendar, DateRange, RuleRange, YearlyRange
from meterprice.piecewise import Piecewise

BAD: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("Money amount", lambda: mp.Money("abc", "EUR"), ValueError, "amount"),
    ("Money float", lambda: mp.Money(0.1, "EUR"), TypeError, "float"),
    ("Money NaN", lambda: mp.Money("NaN", "EUR"), ValueError, "finite"),
    ("Money.parse", lambda: mp.Money.parse("12"), ValueError, "<amount> <currency>"),
    ("Currency type", lambda: mp.Currency.of(978), TypeError, "currency"),
    ("Currency code", lambda: mp.Currency.of("EUX"), ValueError, "EUX"),
    ("Period.parse", lambda: mp.Period.parse("Nov 2026"), ValueError, "Nov 2026"),
    ("Period.parse type", lambda: mp.Period.parse(2026), TypeError, "period"),
    ("Period order", lambda: mp.Period("2026-12-01", "2026-11-01"), ValueError, "end after"),
    ("Period date", lambda: mp.Period("2026-13-01", "2026-12-01"), ValueError, "ISO date"),
    ("Period.month", lambda: mp.Period.month(2026, 13), ValueError, "month"),
    ("Period.quarter", lambda: mp.Period.quarter(2026, 5), ValueError, "quarter"),
    ("Window", lambda: mp.Window("2026-12-01", "2026-11-01"), ValueError, "window"),
    ("Cycle.monthly", lambda: mp.Cycle.monthly(anchor_day=32), ValueError, "anchor_day"),
    ("Cycle.weekly", lambda: mp.Cycle.weekly(weekday=7), ValueError, "weekday"),
    ("Dimensions", lambda: mp.Dimensions({"channel": 3}), TypeError, "channel"),
    ("Where", lambda: mp.Where({"channel": []}), ValueError, "channel"),
    ("PerUnit rate", lambda: mp.PerUnit("M", metric="m", rate="x EUR"), ValueError, "rate"),
    ("PerUnit float", lambda: mp.PerUnit("M", metric="m", rate=0.5), TypeError, "rate"),
    ("PerUnit metric", lambda: mp.PerUnit("M", metric="", rate="1 EUR"), TypeError, "metric"),
    ("PerUnit name", lambda: mp.PerUnit("", metric="m", rate="1 EUR"), TypeError, "name"),
    (
        "PerUnit active",
        lambda: mp.PerUnit("M", metric="m", rate="1 EUR", active=3),
        TypeError,
        "active",
    ),
    (
        "PerUnit active keys",
        lambda: mp.PerUnit("M", metric="m", rate="1 EUR", active={"from": "2026-01-01"}),
        ValueError,
        "start and end",
    ),
    ("Tier", lambda: mp.Tier(up_to=0, rate="1 EUR"), ValueError, "up_to"),
    ("Tiered tiers", lambda: mp.Tiered("T", metric="m", tiers="x"), TypeError, "tiers"),
    ("Percentage", lambda: mp.Percentage("P", percent="-1"), ValueError, "percent"),
    (
        "Commission basis",
        lambda: mp.Commission("C", metric="sales", percent="5", basis="later"),
        ValueError,
        "basis",
    ),
    (
        "Commission percent",
        lambda: mp.Commission("C", metric="sales", percent="-5"),
        ValueError,
        "percent",
    ),
    ("Seats fees", lambda: mp.Seats("S", fees=3), TypeError, "fees"),
    ("Seats no role", lambda: mp.Seats("S", fees={}), ValueError, "fees"),
    ("DateRange", lambda: DateRange("x", "2026-12-02", "2026-12-01"), ValueError, "last"),
    ("YearlyRange", lambda: YearlyRange("x", "13-01", "12-31"), ValueError, "month"),
    ("RuleRange", lambda: RuleRange("x", "FREQ=HOURLY", start="2026-01-01"), ValueError, "FREQ"),
    ("Calendar", lambda: Calendar([]), ValueError, "range"),
    (
        "Band days",
        lambda: Band("night", days=["someday"], start="22:00", end="06:00"),
        ValueError,
        "days",
    ),
    (
        "Band time",
        lambda: Band("night", days=["mon"], start="25:00", end="06:00"),
        ValueError,
        "start",
    ),
    (
        "TimeBands zone",
        lambda: TimeBands(
            [Band("n", days=["mon"], start="22:00", end="23:00")], timezone="Mars/Base"
        ),
        ValueError,
        "timezone",
    ),
    ("Piecewise float", lambda: Piecewise.linear(0.5, 1, slope=1), TypeError, "exact"),
    (
        "load_contract",
        lambda: mp.load_contract(
            {"meterprice": 1, "name": "X", "currency": "EUX", "components": []}
        ),
        ValueError,
        "currency",
    ),
    ("loads_contract format", lambda: mp.loads_contract("{}", format="yaml"), ValueError, "format"),
    ("dumps_contract", lambda: mp.dumps_contract(3), TypeError, "Contract"),
]


@pytest.mark.parametrize(
    ("call", "builtin", "field"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_raises_a_meterprice_error_of_the_expected_builtin(
    call: Callable[[], object], builtin: type[Exception], field: str
) -> None:
    with pytest.raises(mp.MeterpriceError) as caught:
        call()
    assert isinstance(caught.value, builtin)
    assert field.lower() in str(caught.value).lower()


def test_every_new_error_class_keeps_the_builtin_a_caller_expects() -> None:
    assert issubclass(mp.InvalidTypeError, TypeError)
    for cls in (mp.AmountError, mp.PeriodError, mp.CalendarError, mp.InvalidValueError):
        assert issubclass(cls, ValueError)
        assert issubclass(cls, mp.MeterpriceError)
    assert not issubclass(mp.InvalidTypeError, ValueError)


def test_staffing_refuses_a_wrong_type() -> None:

    with pytest.raises(mp.InvalidTypeError, match="workload"):
        staffing.required_agents("not a workload", None)


def test_a_datetime_is_not_a_period_bound() -> None:
    with pytest.raises(mp.InvalidTypeError, match="datetime"):
        mp.Period(dt.datetime(2026, 1, 1), "2026-02-01")
