"""Seats: a monthly fee per agent by role (seed 004 §1, "fixed mode"), from a dated
schedule prorated by days or from a capacity metric.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import split_period

from meterprice import (
    Aggregation,
    Contract,
    ContractError,
    Dimensions,
    Event,
    Line,
    Meter,
    Money,
    Period,
    PricingContext,
    PricingError,
    Rounding,
    SeatChange,
    Seats,
    Usage,
    Window,
)

FEES = {"pre-sales": "2600.00 CNY", "after-sales": "2300.00 CNY", "early-morning": "3000.00 CNY"}

SCHEDULE = [
    SeatChange("2026-11-01", "pre-sales", 3),
    SeatChange("2026-11-01", "after-sales", 2),
    SeatChange("2026-11-16", "after-sales", 3),  # an agent joins on the 16th
    SeatChange("2026-11-16", "early-morning", 1),
    SeatChange("2026-12-10", "after-sales", 2),  # one leaves on the 10th
    SeatChange("2026-12-21", "early-morning", 0),  # the early shift ends on the 21st
]


def scheduled(**overrides: object) -> Seats:
    fields: dict[str, object] = {"fees": FEES, "schedule": SCHEDULE, "unit": "agent"}
    fields.update(overrides)
    return Seats("Agents", **fields)  # type: ignore[arg-type]


def amounts(contract: Contract, period: str, usage: object = None) -> list[tuple[str, str]]:
    invoice = contract.invoice({} if usage is None else usage, period)  # type: ignore[arg-type]
    return [(line.description, str(line.amount)) for line in invoice.lines]


# -- a dated schedule -------------------------------------------------------------------------


def test_a_schedule_is_prorated_by_seat_days_in_a_30_day_month() -> None:
    invoice = Contract("Shop", "CNY", [scheduled()]).invoice({}, "2026-11")
    # one line per role, in role order:
    # after-sales   2 x 15 days + 3 x 15 days = 75 agent-days / 30 x 2300.00 = 5750.00
    # early-morning 1 x 15 days (from the 16th)  = 15 agent-days / 30 x 3000.00 = 1500.00
    # pre-sales     3 x 30 days                 = 90 agent-days / 30 x 2600.00 = 7800.00
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("Agents (after-sales)", "5750.00 CNY"),
        ("Agents (early-morning)", "1500.00 CNY"),
        ("Agents (pre-sales)", "7800.00 CNY"),
    ]
    assert invoice.total == Money("15050.00", "CNY")
    after, early, pre = invoice.lines
    assert after.quantity == 75
    assert after.unit == "agent-day"
    assert after.unit_price is None
    assert after.basis == (
        "2 agents x 15 days (2026-11-01..2026-11-16) + 3 agents x 15 days "
        "(2026-11-16..2026-12-01) = 75 agent-days / 30 days x 2300.00 CNY"
    )
    # the agent joining on the 16th pays 15/30 of the fee
    assert early.basis == "1 agent x 15 days (2026-11-16..2026-12-01) / 30 days x 3000.00 CNY"
    assert early.exact == Fraction(3000) * Fraction(15, 30)
    assert pre.basis == "3 agents x 30 days (2026-11) = 90 agent-days / 30 days x 2600.00 CNY"


def test_a_schedule_in_a_31_day_month_with_departures() -> None:
    invoice = Contract("Shop", "CNY", [scheduled()]).invoice({}, "2026-12")
    # after-sales   3 x 9 days + 2 x 22 days = 71 agent-days / 31 x 2300.00
    #               = 163300/31 = 5267.7419... -> 5267.74
    # early-morning 1 x 20 days (until the 21st) / 31 x 3000.00 = 60000/31 = 1935.4838... -> 1935.48
    # pre-sales     3 x 31 days = 93 / 31 x 2600.00 = 7800.00
    assert [(line.quantity, line.exact, str(line.amount)) for line in invoice.lines] == [
        (Fraction(71), Fraction(163300, 31), "5267.74 CNY"),
        (Fraction(20), Fraction(60000, 31), "1935.48 CNY"),
        (Fraction(93), Fraction(7800), "7800.00 CNY"),
    ]
    assert invoice.total == Money("15003.22", "CNY")  # 5267.74 + 1935.48 + 7800.00


def test_a_partial_first_month_counts_only_the_days_in_the_term() -> None:
    contract = Contract("Shop", "CNY", [scheduled()], term=Window(start=dt.date(2026, 11, 16)))
    # from the 16th: after-sales 3 x 15 = 45 / 30 x 2300.00 = 3450.00;
    # early-morning 1 x 15 / 30 x 3000.00 = 1500.00; pre-sales 3 x 15 / 30 x 2600.00 = 3900.00
    assert amounts(contract, "2026-11") == [
        ("Agents (after-sales)", "3450.00 CNY"),
        ("Agents (early-morning)", "1500.00 CNY"),
        ("Agents (pre-sales)", "3900.00 CNY"),
    ]
    # January 2027: after-sales 2 x 31 / 31 x 2300.00 = 4600.00; pre-sales 3 x 2600.00 = 7800.00;
    # the early shift has no seats any more, so no line
    assert amounts(contract, "2027-01") == [
        ("Agents (after-sales)", "4600.00 CNY"),
        ("Agents (pre-sales)", "7800.00 CNY"),
    ]


def test_before_the_first_change_a_role_has_no_seats() -> None:
    contract = Contract("Shop", "CNY", [scheduled()])
    assert contract.invoice({}, "2026-10").lines == ()


def test_repeating_a_level_and_fractional_seats() -> None:
    seats = Seats(
        "QA",
        fees={"qa": "900.00 EUR"},
        schedule=[
            ("2026-11-01", "qa", "0.5"),  # a half-time agent
            ("2026-11-11", "qa", "0.5"),  # the same level again: one piece
            ("2026-11-21", "qa", 2),
        ],
    )
    nov = Period.month(2026, 11)
    assert seats.segments("qa", nov) == (
        (Period("2026-11-01", "2026-11-21"), Decimal("0.5")),
        (Period("2026-11-21", "2026-12-01"), Decimal(2)),
    )
    # 0.5 x 20 + 2 x 10 = 30 seat-days / 30 x 900.00 = 900.00
    assert seats.seat_days("qa", nov) == 30
    line = Contract("QA", "EUR", [seats]).invoice({}, nov).lines[0]
    assert line.amount == Money("900.00", "EUR")
    assert line.basis.startswith("0.5 seats x 20 days (2026-11-01..2026-11-21) + 2 seats x 10")
    assert seats.seat_days("nobody", nov) == 0


def test_a_change_after_the_period_does_not_count() -> None:
    seats = Seats("QA", fees={"qa": "900.00 EUR"}, schedule=[SeatChange("2026-12-05", "qa", 1)])
    assert seats.segments("qa", Period.month(2026, 11)) == ()
    assert seats.segments("qa", Period("2026-11-20", "2026-12-05")) == ()


def test_one_agent_for_a_whole_month_has_no_seat_day_total_in_the_basis() -> None:
    seats = Seats("QA", fees={"qa": "900.00 EUR"}, schedule=[SeatChange("2026-01-01", "qa", 1)])
    line = Contract("QA", "EUR", [seats]).invoice({}, "2026-11").lines[0]
    assert line.basis == "1 seat x 30 days (2026-11) / 30 days x 900.00 EUR"
    assert line.amount == Money("900.00", "EUR")


# -- seat counts from usage -------------------------------------------------------------------


def _count(at: dt.datetime, role: str, count: int) -> Event:
    return Event("agent_count", count, at, {"role": role, "site": "hz"})


COUNTS = [
    _count(dt.datetime(2026, 11, 2), "pre-sales", 3),
    _count(dt.datetime(2026, 11, 20), "pre-sales", 4),
    _count(dt.datetime(2026, 11, 18), "after-sales", 2),
    _count(dt.datetime(2026, 11, 25), "after-sales", 1),
    _count(dt.datetime(2026, 12, 2), "pre-sales", 4),
    _count(dt.datetime(2026, 12, 3), "early-morning", 2),
]


def usage_contract(aggregation: Aggregation, **overrides: object) -> Contract:
    fields: dict[str, object] = {"fees": FEES, "metric": "agents", "unit": "agent"}
    fields.update(overrides)
    return Contract(
        "Shop",
        "CNY",
        [Seats("Agents", **fields)],  # type: ignore[arg-type]
        meters=[Meter("agents", source="agent_count", aggregation=aggregation, group_by=["role"])],
    )


def test_seat_counts_from_the_latest_reading_per_role() -> None:
    contract = usage_contract(Aggregation.LATEST)
    # latest in November: after-sales 1 (on the 25th), pre-sales 4 (on the 20th)
    # 1 x 2300.00 = 2300.00; 4 x 2600.00 = 10400.00
    invoice = contract.invoice(COUNTS, "2026-11")
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("Agents (after-sales)", "2300.00 CNY"),
        ("Agents (pre-sales)", "10400.00 CNY"),
    ]
    assert invoice.lines[1].basis == "4 agents x 2600.00 CNY"
    assert invoice.lines[1].quantity == 4
    assert invoice.lines[1].unit_price == Money("2600.00", "CNY")
    assert invoice.lines[0].basis == "1 agent x 2300.00 CNY"
    # December: early-morning 2 x 3000.00 = 6000.00; pre-sales 4 x 2600.00 = 10400.00
    assert amounts(contract, "2026-12", COUNTS) == [
        ("Agents (early-morning)", "6000.00 CNY"),
        ("Agents (pre-sales)", "10400.00 CNY"),
    ]


def test_seat_counts_from_the_peak_per_role_prorated_in_a_partial_window() -> None:
    contract = usage_contract(Aggregation.MAX, active=Window(start=dt.date(2026, 11, 16)))
    # only the readings from the 16th count: after-sales max(2, 1) = 2, pre-sales 4;
    # prorated 15/30: 2 x 2300.00 x 15/30 = 2300.00; 4 x 2600.00 x 15/30 = 5200.00
    invoice = contract.invoice(COUNTS, "2026-11")
    assert [str(line.amount) for line in invoice.lines] == ["2300.00 CNY", "5200.00 CNY"]
    assert invoice.lines[1].basis == (
        "4 agents x 2600.00 CNY x 15/30 days (active 2026-11-16..2026-12-01)"
    )


def test_without_proration_a_partial_window_pays_the_whole_fee() -> None:
    contract = usage_contract(
        Aggregation.MAX, active=Window(start=dt.date(2026, 11, 16)), prorate=False
    )
    # 2 x 2300.00 = 4600.00; 4 x 2600.00 = 10400.00
    assert [line.amount for line in contract.invoice(COUNTS, "2026-11").lines] == [
        Money("4600.00", "CNY"),
        Money("10400.00", "CNY"),
    ]


def test_usage_roles_can_use_another_dimension_and_a_filter() -> None:
    seats = Seats("Agents", fees=FEES, metric="agents", by="shift", where={"site": "hz"})
    usage = Usage.from_totals(
        {
            ("agents", Dimensions({"shift": "pre-sales", "site": "hz"})): 2,
            ("agents", Dimensions({"shift": "pre-sales", "site": "sh"})): 5,
            ("agents", Dimensions({"shift": "after-sales", "site": "hz"})): 0,
        }
    )
    # only site hz: 2 x 2600.00 = 5200.00; a zero count gives no line
    assert amounts(Contract("Shop", "CNY", [seats]), "2026-11", usage) == [
        ("Agents (pre-sales)", "5200.00 CNY")
    ]
    assert seats.metrics == frozenset({"agents"})
    assert seats.filters == (seats.where,)


def test_usage_errors_name_every_problem_and_the_component() -> None:
    seats = Seats("Agents", fees=FEES, metric="agents")
    usage = Usage.from_totals(
        {
            ("agents", Dimensions({"role": "night"})): 2,
            ("agents", Dimensions({"role": "pre-sales"})): -1,
            "agents": 3,
        }
    )
    with pytest.raises(PricingError) as caught:
        Contract("Shop", "CNY", [seats]).invoice(usage, "2026-11")
    message = str(caught.value)
    assert "'Agents'" in message
    assert "3 seat(s) without a 'role'" in message
    assert "a negative count for 'pre-sales' (-1)" in message
    assert "2 seat(s) of 'night', which has no fee" in message


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        ({"metric": "agents"}, r"either metric .* or schedule"),
        ({"schedule": None}, r"either metric .* or schedule"),
        ({"where": {"site": "hz"}}, r"where filters usage"),
        ({"prorate": False}, r"always prorated by days"),
        (
            {"fees": {"pre-sales": "2600.00 CNY"}},
            r"seats of after-sales, early-morning but fees prices only pre-sales",
        ),
        (
            {"schedule": [SeatChange("2026-11-01", "pre-sales", 1)] * 2},
            r"changes 'pre-sales' twice on 2026-11-01",
        ),
    ],
)
def test_inconsistent_seat_terms_are_refused(overrides: dict[str, object], pattern: str) -> None:
    with pytest.raises(ContractError, match=pattern) as caught:
        scheduled(**overrides)
    assert "'Agents'" in str(caught.value)


@pytest.mark.parametrize(
    ("fees", "error", "pattern"),
    [
        ("2600.00 CNY", TypeError, r"fees must be a mapping"),
        ({}, ValueError, r"at least one role"),
        ([("pre-sales",)], TypeError, r"\(role, fee\) pairs"),
        ({"": "1.00 CNY"}, TypeError, r"non-empty role names"),
        ([("a", "1.00 CNY"), ("a", "2.00 CNY")], ValueError, r"the role 'a' twice"),
        ({"a": 2600.0}, TypeError, r"fees\['a'\] must be Money"),
    ],
)
def test_fees_must_map_roles_to_money(fees: object, error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        Seats("Agents", fees=fees, metric="agents")


@pytest.mark.parametrize(
    ("schedule", "error", "pattern"),
    [
        ("2026-11-01", TypeError, r"schedule must be a list of SeatChange"),
        (5, TypeError, r"schedule must be a list of SeatChange"),
        ([("2026-11-01", "pre-sales")], TypeError, r"schedule\[0\] must be a SeatChange"),
    ],
)
def test_the_schedule_must_be_seat_changes(
    schedule: object, error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        Seats("Agents", fees=FEES, schedule=schedule)


@pytest.mark.parametrize(
    ("args", "error", "pattern"),
    [
        (("2026-11-01", "qa", -1), ValueError, r"count must be zero or more"),
        (("2026-11-01", "qa", 1.5), TypeError, r"count must be .* not float"),
        ((dt.datetime(2026, 11, 1), "qa", 1), TypeError, r"on must be a date"),
        ((20261101, "qa", 1), TypeError, r"on must be a date"),
        (("1 Nov 2026", "qa", 1), ValueError, r"on is not an ISO date"),
        (("2026-11-01", "", 1), TypeError, r"role must be a non-empty string"),
    ],
)
def test_a_seat_change_checks_its_values(
    args: tuple[object, object, object], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        SeatChange(*args)  # type: ignore[arg-type]


def test_names_and_units_are_checked() -> None:
    with pytest.raises(TypeError, match=r"metric must be a non-empty metric name or None"):
        Seats("Agents", fees=FEES, metric="")
    with pytest.raises(TypeError, match=r"by must be a non-empty string"):
        Seats("Agents", fees=FEES, metric="agents", by="")
    with pytest.raises(TypeError, match=r"unit must be a non-empty string"):
        Seats("Agents", fees=FEES, metric="agents", unit=None)  # type: ignore[arg-type]


def test_the_schedule_is_canonical_and_survives_evolve() -> None:
    one = scheduled()
    other = scheduled(schedule=list(reversed(SCHEDULE)))
    assert one == other
    assert hash(one) == hash(other)
    assert attrs.evolve(one) == one
    assert one.metrics == frozenset()
    assert one.filters == ()


def test_a_fee_in_another_currency_is_refused_when_the_contract_is_built() -> None:
    seats = scheduled(fees={**FEES, "early-morning": "3000.00 HKD"})
    assert ("fees['early-morning']", Money("3000.00", "HKD")) in seats.money_values
    with pytest.raises(ContractError, match=r"components\[0\]\.fees\['early-morning'\]"):
        Contract("Shop", "CNY", [seats])


# -- determinism ----------------------------------------------------------------------------


def _hostile() -> decimal.Context:
    """A decimal context that would change any amount or text computed through it."""
    return decimal.Context(prec=2, rounding=decimal.ROUND_DOWN, capitals=0, Emax=3, Emin=-3)


def test_pricing_ignores_the_ambient_decimal_context() -> None:
    contract = Contract("Shop", "CNY", [scheduled()])
    expected = contract.invoice({}, "2026-12")
    with decimal.localcontext(_hostile()):
        assert contract.invoice({}, "2026-12") == expected


# -- properties -------------------------------------------------------------------------------

ROLES = ("pre-sales", "after-sales", "early-morning")
NOVEMBER = Period.month(2026, 11)


@st.composite
def schedules(draw: st.DrawFn) -> list[SeatChange]:
    """Changes from mid-October to mid-December, at most one per role and day."""
    keys = draw(
        st.lists(
            st.tuples(st.integers(-20, 45), st.sampled_from(ROLES)),
            unique=True,
            max_size=12,
        )
    )
    return [
        SeatChange(NOVEMBER.start + dt.timedelta(days=offset), role, draw(st.integers(0, 6)))
        for offset, role in keys
    ]


def _naive_seat_days(changes: list[SeatChange], role: str, span: Period) -> Fraction:
    """Seats of ``role`` counted day by day: the latest change on or before each day."""
    result = Fraction(0)
    for day in span.dates():
        known = [c for c in changes if c.role == role and c.on <= day]
        if known:
            result += Fraction(max(known, key=lambda c: c.on).count)
    return result


def _exact_total(seats: Seats, period: Period) -> Fraction:
    invoice = Contract("Shop", "CNY", [seats]).invoice({}, period)
    return sum((line.exact for line in invoice.lines), Fraction(0))


@given(schedules(), st.data())
def test_seat_proration_is_additive_across_a_split_period(
    changes: list[SeatChange], data: st.DataObject
) -> None:
    whole = scheduled(schedule=changes)
    parts = data.draw(split_period(NOVEMBER))
    pieces = [attrs.evolve(whole, active=Window(part.start, part.end)) for part in parts]
    # the exact amounts of the parts add up to the whole month's, exactly
    assert sum((_exact_total(piece, NOVEMBER) for piece in pieces), Fraction(0)) == _exact_total(
        whole, NOVEMBER
    )
    # and each rounded part is within half a fen per line of its exact amount
    rounded = sum(
        (line.amount.amount for piece in pieces for line in _invoice_lines(piece)), Decimal(0)
    )
    lines = sum(len(_invoice_lines(piece)) for piece in pieces)
    assert abs(Fraction(rounded) - _exact_total(whole, NOVEMBER)) <= Fraction(lines, 200)


def _invoice_lines(seats: Seats) -> tuple[Line, ...]:
    return Contract("Shop", "CNY", [seats], rounding=Rounding.HALF_EVEN).invoice({}, NOVEMBER).lines


@given(schedules(), st.sampled_from(ROLES), st.integers(0, 29), st.integers(1, 30))
def test_seat_days_match_a_day_by_day_count(
    changes: list[SeatChange], role: str, offset: int, length: int
) -> None:
    start = NOVEMBER.start + dt.timedelta(days=offset)
    span = Period(start, start + dt.timedelta(days=length))
    seats = scheduled(schedule=changes)
    assert seats.seat_days(role, span) == _naive_seat_days(changes, role, span)
    ctx = PricingContext(
        period=NOVEMBER,
        active=span,
        usage=Usage(),
        lines=(),
        currency=Money.zero("CNY").currency,
        rounding=Rounding.HALF_UP,
    )
    fee = Fraction(Money.parse(FEES[role]).amount)
    charged = [c for c in seats.price(ctx) if c.description == f"Agents ({role})"]
    expected = _naive_seat_days(changes, role, span) * fee / 30
    assert sum((c.amount for c in charged), Fraction(0)) == expected
