"""ProratedUnits: units priced by the days they were held (unit-days / the period's
days), from level or change readings, at a rate or by tiers, a volume tier chosen by
the prorated quantity or by the unprorated one (end, peak); its spec form, and a cost
function that says why it cannot vary such a metric.

November 2026 has 30 days; every expected figure is worked out by hand next to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Contract,
    ContractError,
    Event,
    Meter,
    Money,
    PerUnit,
    PricingError,
    ProratedUnits,
    SpecError,
    Tier,
    TierMode,
    Usage,
    dumps_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function

TIERS = [Tier(10, "30.00 EUR"), Tier(None, "25.00 EUR")]


def seats(**options: object) -> ProratedUnits:
    settings: dict[str, object] = {"rate": "30.00 EUR", "unit": "seat"}
    settings.update(options)
    return ProratedUnits("Seats", metric="seats", **settings)  # type: ignore[arg-type]


def lines(
    component: ProratedUnits, daily: Mapping[Any, Mapping[Any, object]], **kw: object
) -> list[str]:
    contract = Contract("Desk", "EUR", [component], **kw)  # type: ignore[arg-type]
    invoice = contract.invoice(Usage.from_daily(daily), "2026-11")
    return [str(line.amount.amount) for line in invoice.lines]


def test_levels_are_held_until_the_next_reading() -> None:
    daily: dict[Any, dict[str, int]] = {"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}}
    # 10 x 15 + 12 x 15 = 330 seat-days / 30 = 11 seats x 30.00 = 330.00
    assert lines(seats(), daily) == ["330.00"]
    invoice = Contract("Desk", "EUR", [seats()]).invoice(Usage.from_daily(daily), "2026-11")
    line = invoice.lines[0]
    assert line.quantity == 11
    assert line.basis == "330 seat-days in 2026-11 / 30 days = 11 seats x 30.00 EUR"


def test_no_units_before_the_first_reading() -> None:
    # 6 seats from 11-11: 6 x 20 = 120 seat-days / 30 = 4 seats x 30.00 = 120.00
    assert lines(seats(), {"2026-11-11": {"seats": 6}}) == ["120.00"]


def test_change_readings_add_and_remove_units() -> None:
    daily = {
        "2026-11-01": {"seats": 5},
        "2026-11-11": {"seats": 3},
        "2026-11-21": {"seats": -2},
    }
    # 5 x 10 + 8 x 10 + 6 x 10 = 190 seat-days / 30 = 19/3 seats x 30.00 = 190.00
    assert lines(seats(readings="change"), daily) == ["190.00"]


def test_each_group_carries_its_own_level() -> None:
    daily: dict[str, dict[Any, object]] = {
        "2026-11-01": {("seats", (("role", "a"),)): 4},
        "2026-11-16": {("seats", (("role", "b"),)): 2},
    }
    # a: 4 x 30 = 120; b: 2 x 15 = 30; 150 / 30 = 5 seats x 30.00 = 150.00
    assert lines(seats(), daily) == ["150.00"]
    # only role a: 120 / 30 = 4 seats
    assert lines(seats(where={"role": "a"}), daily, unpriced="ignore") == ["120.00"]


def test_volume_tiers_by_the_prorated_or_the_unprorated_quantity() -> None:
    rising = {"2026-11-01": {"seats": 8}, "2026-11-26": {"seats": 14}}
    # 8 x 25 + 14 x 5 = 270 seat-days / 30 = 9 seats
    volume = {"tiers": TIERS, "mode": TierMode.VOLUME, "rate": None}
    assert lines(seats(**volume), rising) == ["270.00"]  # 9 <= 10: tier 1, 9 x 30.00
    assert lines(seats(**volume, tier_by="end"), rising) == ["225.00"]  # 14: 9 x 25.00
    assert lines(seats(**volume, tier_by="peak"), rising) == ["225.00"]
    falling: dict[Any, dict[str, int]] = {"2026-11-01": {"seats": 14}, "2026-11-21": {"seats": 5}}
    # 14 x 20 + 5 x 10 = 330 / 30 = 11 seats: tier 2 by the prorated and the peak, 1 by the end
    assert lines(seats(**volume), falling) == ["275.00"]  # 11 x 25.00
    assert lines(seats(**volume, tier_by="end"), falling) == ["330.00"]  # 11 x 30.00
    assert lines(seats(**volume, tier_by="peak"), falling) == ["275.00"]
    contract = Contract("Desk", "EUR", [seats(**volume, tier_by="end")])
    line = contract.invoice(Usage.from_daily(falling), "2026-11").lines[0]
    assert line.description == "Seats (tier 1)"
    assert line.basis.endswith("x 30.00 EUR, tier 1 by the 5 seats held at the end")


def test_graduated_tiers_and_flat_fees() -> None:
    daily = {"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}}
    # 11 seats: 10 x 30.00 + 1 x 25.00
    assert lines(seats(tiers=TIERS, rate=None), daily) == ["300.00", "25.00"]
    flat = [Tier(10, "30.00 EUR", flat="100.00 EUR"), Tier(None, "25.00 EUR")]
    # volume: 11 x 25.00 = 275.00 (tier 2 has no flat); graduated: 300 + 100 flat, 25
    assert lines(seats(tiers=flat, rate=None, mode="volume"), daily) == ["275.00"]
    assert lines(seats(tiers=flat, rate=None), daily) == ["400.00", "25.00"]
    low = {"2026-11-01": {"seats": 3}}  # 3 seats, volume tier 1 with its flat: 90 + 100
    assert lines(seats(tiers=flat, rate=None, mode="volume"), low) == ["190.00"]


def test_a_partial_term_holds_units_only_from_its_start() -> None:
    daily = {"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}}
    # active 11-16..: 12 x 15 = 180 seat-days / 30 = 6 seats x 30.00 = 180.00
    assert lines(seats(), daily, term={"start": "2026-11-16"}) == ["180.00"]


def test_events_meter_into_the_same_invoice() -> None:
    contract = Contract("Desk", "EUR", [seats()], meters=[Meter("seats", aggregation="latest")])
    events = [
        Event("seats", 9, dt.datetime(2026, 11, 1, 8)),
        Event("seats", 10, dt.datetime(2026, 11, 1, 17)),  # the day's latest reading
        Event("seats", 12, dt.datetime(2026, 11, 16, 9)),
    ]
    daily = Usage.from_daily({"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}})
    assert contract.invoice(events, "2026-11") == contract.invoice(daily, "2026-11")
    assert contract.invoice(events, "2026-11").total == Money("330.00", "EUR")


def test_usage_without_days_is_refused() -> None:
    with pytest.raises(PricingError, match="measures 'seats' in seat-days, but its usage has no"):
        Contract("Desk", "EUR", [seats()]).invoice({"seats": 10}, "2026-11")


def test_fewer_than_no_units_are_refused() -> None:
    with pytest.raises(PricingError, match=re.escape("-3 seats held on 2026-11-01")):
        lines(seats(readings="change"), {"2026-11-01": {"seats": -3}})


def test_nothing_held_bills_nothing() -> None:
    assert lines(seats(), {"2026-11-05": {"seats": 0}}) == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"tiers": TIERS}, "give either rate or tiers, exactly one"),
        ({"rate": None}, "give either rate or tiers, exactly one"),
        ({"tier_by": "end"}, "tier_by chooses a volume tier"),
        ({"rate": None, "tiers": TIERS, "tier_by": "peak"}, "tier_by chooses a volume tier"),
        ({"tier_by": "max"}, "tier_by must be one of prorated, end, peak"),
        ({"readings": "delta"}, "readings must be one of level, change"),
        ({"rate": None, "tiers": [Tier(None, "1 EUR"), Tier(5, "2 EUR")]}, "open-ended"),
        ({"rate": None, "tiers": "cheap"}, "tiers must be a list of Tier"),
        ({"unit": ""}, "unit must be a non-empty string"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], words: str) -> None:
    with pytest.raises((ContractError, TypeError), match=re.escape(words)):
        seats(**options)


def test_money_in_another_currency_is_refused() -> None:
    with pytest.raises(ContractError, match=re.escape("tiers[1].rate: 25.00 USD is in USD")):
        Contract("Desk", "EUR", [seats(rate=None, tiers=[TIERS[0], Tier(None, "25.00 USD")])])


DOCUMENT = """
meterprice = 1
name = "Desk"
currency = "EUR"

[[components]]
type = "prorated_units"
name = "Seats"
metric = "seats"
mode = "volume"
tier_by = "end"
readings = "change"
unit = "seat"
tiers = [{ up_to = "10", rate = "30.00" }, { rate = "25.00" }]
"""


def test_the_component_reads_from_toml_and_writes_back() -> None:
    loaded = loads_contract(DOCUMENT)
    expected = seats(rate=None, tiers=TIERS, mode="volume", tier_by="end", readings="change")
    assert loaded == Contract("Desk", "EUR", [expected])
    assert loads_contract(dumps_contract(loaded)) == loaded


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('tier_by = "end"', 'tier_by = "last"', "components[0].tier_by: must be one of"),
        ('readings = "change"', 'readings = "delta"', "components[0].readings: must be one of"),
        ('{ up_to = "10", rate', '{ up_to = "-1", rate', "components[0].tiers[0].up_to"),
        ('mode = "volume"', 'mode = "graduated"', "components[0].tier_by: chooses a volume tier"),
    ],
)
def test_bad_documents_name_the_path(old: str, new: str, problem: str) -> None:
    with pytest.raises(SpecError) as caught:
        loads_contract(DOCUMENT.replace(old, new, 1))
    assert problem in str(caught.value)


def test_the_cost_function_says_why_it_cannot_vary_unit_days() -> None:
    contract = Contract(
        "Desk", "EUR", [seats(), PerUnit("Minutes", metric="minutes", rate="0.90 EUR")]
    )
    with pytest.raises(ContractError, match="cannot say how many days each unit is held"):
        cost_function(contract, "seats", "2026-11", upto=100)
    # varying another metric, the seats are a constant: 330.00 + 0.90 per minute
    held = Usage.from_daily({"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}})
    f = cost_function(contract, "minutes", "2026-11", upto=1000, base=held)
    assert f(100) == Fraction(330) + 90


@given(changes=st.dictionaries(st.integers(1, 30), st.integers(0, 20), max_size=10))
def test_unit_days_are_the_sum_of_the_daily_levels(changes: dict[int, int]) -> None:
    daily = {f"2026-11-{day:02d}": {"seats": count} for day, count in changes.items()}
    level, unit_days = 0, 0
    for day in range(1, 31):
        level = changes.get(day, level)
        unit_days += level
    # the rate 30.00 per seat and 30-day month: one euro per seat-day
    expected = [f"{unit_days}.00"] if unit_days else []
    assert lines(seats(), daily) == expected
