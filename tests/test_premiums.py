"""Holiday and out-of-hours premiums: public holidays by country and region or the
contract's own calendar, combined with the time bands without double counting.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Band,
    Calendar,
    Contract,
    ContractError,
    DateRange,
    Event,
    HolidayPremium,
    Invoice,
    Meter,
    PerUnit,
    PricingError,
    SpecError,
    TimeBands,
    Usage,
    dumps_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function

ZONE = "Europe/Berlin"
BANDS = TimeBands([Band("night", "22:00", "06:00"), Band("weekend", days="weekend")], timezone=ZONE)


def contract(**premium: object) -> Contract:
    fields: dict[str, object] = {
        "metric": "handle_minutes",
        "country": "DE",
        "subdivision": "BY",
        "premium": "0.40 EUR",
        "band_premiums": {"night": "0.20 EUR", "weekend": "0.30 EUR"},
        "unit": "min",
    }
    fields.update(premium)
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", unit="min"),
            HolidayPremium("Premiums", **fields),  # type: ignore[arg-type]
        ],
        meters=[Meter("handle_minutes", bands=BANDS, group_by=["band"])],
        timezone=ZONE,
    )


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, 0)


# December 2026 in Bavaria: the 25th (Friday) and 26th (Saturday) are holidays, the
# 24th is not; the 19th is a Saturday
EVENTS = [
    Event("handle_minutes", 10, at(25, 10)),  # Christmas Day, day time
    Event("handle_minutes", 20, at(25, 23)),  # Christmas Day, night
    Event("handle_minutes", 5, at(26, 12)),  # St Stephen's Day, a Saturday
    Event("handle_minutes", 30, at(23, 23)),  # a Wednesday night
    Event("handle_minutes", 40, at(19, 12)),  # a Saturday
    Event("handle_minutes", 50, at(22, 12)),  # a Tuesday, day time
]


def amounts(invoice: Invoice) -> list[str]:
    return [str(line.amount) for line in invoice.lines]


def test_a_holiday_premium_replaces_the_band_premium() -> None:
    invoice = contract().invoice(EVENTS, "2026-12")
    # 155 min x 0.80 = 124.00
    # holidays: 10 + 20 + 5 = 35 min x 0.40 = 14.00 (no night or weekend premium on them)
    # night, holidays excepted: 30 min x 0.20 = 6.00; weekend: 40 min x 0.30 = 12.00
    assert amounts(invoice) == ["124.00 EUR", "14.00 EUR", "6.00 EUR", "12.00 EUR"]
    assert invoice.lines[1].explain() == (
        "Premiums: holidays: 35 min on 2026-12-25..2026-12-26 (Christmas Day, "
        "Second Day of Christmas) x 0.40 EUR = 14 EUR"
    )
    assert invoice.lines[2].basis == "30 min in band night, holidays excepted x 0.20 EUR"


def test_the_larger_premium_or_both() -> None:
    larger = contract(premium="0.25 EUR", on_holidays="max").invoice(EVENTS, "2026-12")
    # holidays: 10 min day x 0.25 + 20 min night x max(0.25, 0.20) + 5 min Saturday x
    # max(0.25, 0.30) = 2.50 + 5.00 + 1.50 = 9.00
    assert amounts(larger)[1] == "9.00 EUR"
    assert larger.lines[1].unit_price is None  # no single price
    both = contract(on_holidays="add").invoice(EVENTS, "2026-12")
    # holidays 35 x 0.40 = 14.00; night 30 + 20 = 50 x 0.20 = 10.00; weekend 40 + 5 =
    # 45 x 0.30 = 13.50
    assert amounts(both) == ["124.00 EUR", "14.00 EUR", "10.00 EUR", "13.50 EUR"]


def test_a_multiplier_of_the_base_rate() -> None:
    invoice = contract(premium=None, multiplier="1.5", rate="0.80 EUR").invoice(EVENTS, "2026-12")
    # 35 min x 0.80 x (1.5 - 1) = 14.00
    assert amounts(invoice)[1] == "14.00 EUR"
    assert "x 0.80 EUR x (1.5 - 1)" in invoice.lines[1].basis


def test_the_contracts_own_calendar() -> None:
    own = Calendar([DateRange("Company day", "2026-12-22", "2026-12-22")])
    invoice = contract(country=None, subdivision=None, calendar=own).invoice(EVENTS, "2026-12")
    # the 22nd only: 50 min x 0.40 = 20.00; the 25th and 26th are ordinary days now:
    # night 30 + 20 = 50 x 0.20 = 10.00; weekend 40 + 5 = 45 x 0.30 = 13.50
    assert amounts(invoice) == ["124.00 EUR", "20.00 EUR", "10.00 EUR", "13.50 EUR"]


def test_a_region_has_its_own_holidays() -> None:
    epiphany = [Event("handle_minutes", 60, dt.datetime(2026, 1, 6, 10, 0))]
    bavaria = contract().invoice(epiphany, "2026-01")
    assert amounts(bavaria)[1:] == ["24.00 EUR"]  # Epiphany in Bavaria: 60 x 0.40
    berlin = contract(subdivision="BE").invoice(epiphany, "2026-01")
    assert amounts(berlin)[1:] == []  # an ordinary Tuesday in Berlin


def test_every_input_path_with_days_gives_the_same_invoice() -> None:
    priced = contract()
    expected = priced.invoice(EVENTS, "2026-12")
    metered = priced.meter(EVENTS, "2026-12")
    assert priced.invoice(metered, "2026-12") == expected
    daily: dict[dt.date, dict[object, object]] = {}
    for day, metric, dims, quantity in metered.daily_items():
        assert day is not None
        daily.setdefault(day, {})[(metric, dims)] = str(quantity)
    assert priced.invoice(Usage.from_daily(daily), "2026-12") == expected  # type: ignore[arg-type]


def test_an_undated_total_is_refused() -> None:
    with pytest.raises(PricingError, match="has no days, so the part of it used on holidays"):
        contract().invoice({"handle_minutes": 100}, "2026-12")


def test_validation() -> None:
    with pytest.raises(ContractError, match=r"either by country .* or as a calendar, not neither"):
        contract(country=None, subdivision=None)
    with pytest.raises(ContractError, match="subdivision: a region needs its country"):
        contract(country=None, calendar=Calendar([DateRange("X", "2026-01-01", "2026-01-01")]))
    with pytest.raises(ContractError, match="country: Country XX not available"):
        contract(country="XX", subdivision=None)
    with pytest.raises(ContractError, match=r"subdivision: .* does not have subdivision ZZ"):
        contract(subdivision="ZZ")
    with pytest.raises(ContractError, match=r"premium .* or as multiplier .*, not both"):
        contract(multiplier="1.5", rate="0.80 EUR")
    with pytest.raises(ContractError, match="multiplier and rate go together"):
        contract(premium=None, multiplier="1.5")
    with pytest.raises(ContractError, match="multiplier must be more than 1"):
        contract(premium=None, multiplier="1", rate="0.80 EUR")
    with pytest.raises(ContractError, match=r"band_premiums\.night: .* USD"):
        contract(band_premiums={"night": "0.20 USD"})


@st.composite
def december_events(draw: st.DrawFn) -> list[Event]:
    return [
        Event(
            "handle_minutes",
            draw(st.integers(min_value=1, max_value=600)),
            dt.datetime(2026, 12, draw(st.integers(1, 31)), draw(st.integers(0, 23)), 0),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=25)))
    ]


@given(events=december_events())
def test_each_minute_gets_one_premium_and_paths_agree(events: list[Event]) -> None:
    priced = contract()
    invoice = priced.invoice(events, "2026-12")
    assert priced.invoice(priced.meter(events, "2026-12"), "2026-12") == invoice
    # by hand: every minute on the 25th or 26th at 0.40, else at its band's premium
    expected = Fraction(0)
    for event in events:
        minutes = Fraction(event.quantity)
        if event.at.day in (25, 26):
            expected += minutes * Fraction(40, 100)
        elif event.at.hour >= 22 or event.at.hour < 6:
            expected += minutes * Fraction(20, 100)
        elif event.at.weekday() >= 5:
            expected += minutes * Fraction(30, 100)
    premiums = sum((line.exact for line in invoice.lines[1:]), Fraction(0))
    assert premiums == expected
    covered = sum((line.quantity or Fraction(0) for line in invoice.lines[1:]), Fraction(0))
    assert covered <= sum((Fraction(e.quantity) for e in events), Fraction(0))


DOCUMENT = """
meterprice = 1
name = "Support"
currency = "EUR"
timezone = "Europe/Berlin"

[[meters]]
name = "handle_minutes"
group_by = ["band"]
bands = { bands = [
  { name = "night", start = "22:00", end = "06:00" },
  { name = "weekend", days = "weekend" },
] }

[[components]]
type = "per_unit"
name = "Minutes"
metric = "handle_minutes"
rate = "0.80"
unit = "min"

[[components]]
type = "holiday_premium"
name = "Premiums"
metric = "handle_minutes"
country = "DE"
subdivision = "BY"
premium = "0.40"
band_premiums = { night = "0.20", weekend = "0.30" }
unit = "min"
"""


def test_a_document_prices_as_python() -> None:
    loaded = loads_contract(DOCUMENT)
    assert loaded == contract()
    assert loads_contract(dumps_contract(loaded)) == loaded
    with pytest.raises(SpecError, match=r"components\[1\]\.subdivision"):
        loads_contract(DOCUMENT.replace('subdivision = "BY"', 'subdivision = "ZZ"'))
    with pytest.raises(
        SpecError, match=r"components\[1\]\.band_premiums.*night.* must be positive"
    ):
        loads_contract(DOCUMENT.replace('night = "0.20"', 'night = "-0.20"'))


def test_cost_function_says_why_it_cannot() -> None:
    with pytest.raises(ContractError, match="depend on the days the usage falls on"):
        cost_function(
            contract(
                country=None,
                subdivision=None,
                calendar=Calendar([DateRange("X", "2026-01-01", "2026-01-01")]),
            ),
            "handle_minutes",
            "2026-12",
            upto=100,
            base=Usage.from_daily({"2026-12-01": {}}),
        )


def test_malformed_values_are_refused() -> None:
    with pytest.raises(TypeError, match="a country or subdivision code must be a string"):
        contract(country=49)
    with pytest.raises(ContractError, match="an amount must be positive"):
        contract(premium="0 EUR")
    with pytest.raises(TypeError, match="band_premiums must map band names to amounts"):
        contract(band_premiums="night")
    with pytest.raises(TypeError, match=r"band_premiums entries must be \(band, amount\) pairs"):
        contract(band_premiums=["night"])
    with pytest.raises(TypeError, match="a band name must be a string"):
        contract(band_premiums={1: "0.20 EUR"})
    with pytest.raises(TypeError, match="calendar must be a Calendar"):
        contract(country=None, subdivision=None, calendar="holidays")
    assert contract(band_premiums=None).components[1].band_premiums == ()  # type: ignore[attr-defined]
    assert contract(band_premiums=[("night", "0.20 EUR")]) == contract(
        band_premiums={"night": "0.20 EUR"}
    )
