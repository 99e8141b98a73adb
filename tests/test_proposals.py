"""A staffing estimate becomes a priced pay-per-use contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Event, MinimumVolume, PerUnit
from meterprice.breakeven import cost_function
from meterprice.proposals import propose_contract
from meterprice.staffing import (
    CostInputs,
    DeferredChannel,
    LiveChannel,
    PriceEstimate,
    ServiceTarget,
    WeeklySchedule,
    estimate_staffing,
    price_from_staffing,
)


def estimate() -> PriceEstimate:
    phone = LiveChannel(
        "phone",
        hours=WeeklySchedule("Mon-Fri 08:00-20:00; Sat-Sun 10:00-16:00"),
        daily_contacts={"Mon-Fri": 2400, "Sat-Sun": 1200},
        aht_seconds=180,
        target=ServiceTarget("0.80", 20),
    )
    email = DeferredChannel(
        "email",
        hours="Mon-Fri 08:00-18:00",
        daily_contacts={"Mon-Fri": 400},
        aht_seconds=300,
        response_window_seconds=4 * 3600,
        occupancy="0.85",
    )
    staffing = estimate_staffing([phone, email], shrinkage="0.30")
    costs = CostInputs("24.00", "EUR", overhead="0.15", margin="0.20")
    return price_from_staffing(staffing, costs, dt.date(2026, 11, 1))


def test_each_channel_gets_the_rate_of_its_own_hours() -> None:
    proposal = propose_contract(estimate(), name="Proposal", minimum_share="0.8")
    phone, email = proposal.rates
    # November 2026: 21 weekdays, 9 weekend days (4 Saturdays, 5 Sundays).
    # Phone: 14 agents all day, 30 % shrinkage -> 20 paid agents: 12 h x 20 = 240 paid h a
    # weekday, 6 h x 20 = 120 a weekend day: 21 x 240 + 9 x 120 = 6,120 h.
    assert phone.paid_hours == 6120
    # handled: 2,400 calls x 3 min x 21 + 1,200 x 3 x 9 = 151,200 + 32,400 = 183,600 min
    assert phone.handled_minutes == 183600
    # price: 6,120 h x 24.00 x 1.15 / (1 - 0.20) = 211,140.00; rate 211,140 / 183,600 = 1.15
    assert phone.price == 211140
    assert phone.rate == Fraction(115, 100)
    assert phone.quoted_rate == Decimal("1.1500")
    # Email: 4 agents x 10 h x 1.5 (shrinkage, rounded up) = 60 paid h a weekday x 21 = 1,260
    # h; 43,470.00 for 400 x 5 min x 21 = 42,000 min: 1.035 per minute
    assert email.paid_hours == 1260
    assert email.rate == Fraction(1035, 1000)
    # minimum: 80 % of the 225,600 forecast minutes
    assert proposal.minimum_minutes == Decimal("180480")
    text = str(proposal)
    assert "phone [channel=phone]" in text
    assert "minimum volume: 180480 min per month" in text


def test_the_proposed_contract_prices_events_and_has_a_minimum() -> None:
    proposal = propose_contract(estimate(), name="Proposal", minimum_share="0.8")
    contract = proposal.contract
    kinds = [type(c) for c in contract.components]
    assert kinds == [PerUnit, PerUnit, MinimumVolume]
    at = dt.datetime(2026, 11, 3, 9, 0)
    events = [
        Event("handle_seconds", 185, at, {"channel": "phone"}),  # 186 s = 3.1 min
        Event("handle_seconds", 600, at, {"channel": "email"}),  # 10 min
    ]
    invoice = contract.invoice(events, "2026-11")
    amounts = [str(line.amount) for line in invoice.lines]
    # 3.1 x 1.15 = 3.565 -> 3.57; 10 x 1.035 = 10.35;
    # shortfall (180,480 - 13.1) = 180,466.9 min x 1.1286
    #   = 180,466.9 + 180,466.9 x 0.1286 (23,208.04334) = 203,674.94334 -> 203,674.94
    assert amounts == ["3.57 EUR", "10.35 EUR", "203674.94 EUR"]


def test_dimensions_map_channels_to_usage_and_no_minimum() -> None:
    proposal = propose_contract(
        estimate(),
        name="By language",
        dimensions={"phone": {"channel": "phone", "language": "de"}},
        minimum_share=0,
        starts=dt.date(2026, 11, 16),
    )
    assert [type(c) for c in proposal.contract.components] == [PerUnit, PerUnit]
    phone = proposal.contract.components[0]
    assert isinstance(phone, PerUnit)
    assert phone.where.to_dict() == {"channel": "phone", "language": "de"}
    assert proposal.contract.term.start == dt.date(2026, 11, 16)
    assert proposal.contract.meters[0].group_by == ("channel", "language")
    f = cost_function(proposal.contract, "handle_minutes", "2026-12", upto=10)
    assert f(10) == 0  # usage without dimensions matches no channel filter


def test_errors_name_the_argument() -> None:
    with pytest.raises(ValueError, match="minimum_share must be between 0 and 1"):
        propose_contract(estimate(), name="x", minimum_share="1.5")
    with pytest.raises(ValueError, match="does not staff: \\['chat'\\]"):
        propose_contract(estimate(), name="x", dimensions={"chat": {"channel": "chat"}})
