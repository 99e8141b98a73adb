"""Example tests for the core components, priced directly through a PricingContext and
through small contracts; every figure is worked out by hand next to its assertion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from meterprice import (
    Charge,
    Component,
    Contract,
    ContractError,
    Currency,
    Dimensions,
    Event,
    Line,
    Meter,
    MinimumSpend,
    MinimumVolume,
    Money,
    Package,
    Percentage,
    Period,
    PerUnit,
    PricingContext,
    RecurringFee,
    Rounding,
    SetupFee,
    Tier,
    Tiered,
    TierMode,
    Usage,
    Where,
    Window,
)
from meterprice.components.base import (
    fmt_quantity,
    positive_decimal,
    rate_amount,
    to_tags,
    to_window,
)

D = dt.date
NOV = Period.month(2026, 11)
NOV_FROM_16 = Period(D(2026, 11, 16), D(2026, 12, 1))  # 15 of 30 days
NOV_FROM_15 = Period(D(2026, 11, 15), D(2026, 12, 1))  # 16 of 30 days


def ctx(
    usage: Usage | dict[object, object] | None = None,
    *,
    period: Period = NOV,
    active: Period | None = None,
    lines: Iterable[Line] = (),
    rounding: Rounding = Rounding.HALF_UP,
    currency: str = "EUR",
) -> PricingContext:
    if usage is None:
        summary = Usage.empty()
    elif isinstance(usage, Usage):
        summary = usage
    else:
        summary = Usage.from_totals(usage)
    return PricingContext(
        period=period,
        active=period if active is None else active,
        usage=summary,
        lines=tuple(lines),
        currency=Currency.of(currency),
        rounding=rounding,
    )


def line(amount: str, *tags: str, name: str = "x") -> Line:
    return Line(name, name, Money(amount, "EUR"), Fraction(Decimal(amount)), "given", tags=tags)


def amounts(charges: Sequence[Charge]) -> list[Fraction]:
    return [charge.amount for charge in charges]


def calls() -> Usage:
    return Usage.from_totals(
        {
            ("min", Dimensions({"channel": "phone", "language": "de"})): 100,
            ("min", Dimensions({"channel": "phone", "language": "fr"})): 50,
            ("min", Dimensions({"channel": "chat", "language": "de"})): 30,
        }
    )


# -- base helpers ---------------------------------------------------------------------------


def test_to_tags() -> None:
    assert to_tags(None) == frozenset()
    assert to_tags("usage") == frozenset({"usage"})
    assert to_tags(["usage", "fees", "usage"]) == frozenset({"usage", "fees"})
    with pytest.raises(TypeError, match="tags must be a collection of strings, not 5"):
        to_tags(5)
    with pytest.raises(TypeError, match="tags must be non-empty strings, not ''"):
        to_tags(["usage", ""])
    with pytest.raises(TypeError, match="tags must be non-empty strings, not 1"):
        to_tags([1])


def test_to_window() -> None:
    window = Window(start=D(2026, 11, 16))
    assert to_window(window) is window
    assert to_window(None) == Window()
    assert to_window(NOV) == Window(D(2026, 11, 1), D(2026, 12, 1))
    assert to_window({"start": "2026-11-16"}) == window
    assert to_window({"end": "2026-12-01"}) == Window(end=D(2026, 12, 1))
    assert to_window(("2026-11-16", None)) == window
    with pytest.raises(ValueError, match=r"an active window takes start and end, not \['from'\]"):
        to_window({"from": "2026-11-16"})
    with pytest.raises(TypeError, match="active must be a Window, a \\(start, end\\) pair or None"):
        to_window("2026-11-16")


def test_small_helpers() -> None:
    assert fmt_quantity(Fraction(7, 60)) == "0.116667"
    assert fmt_quantity(Decimal("1E+3")) == "1000"
    assert fmt_quantity(5) == "5"
    assert rate_amount(Fraction(7, 60), Money("0.60", "EUR")) == Fraction(7, 100)
    convert = positive_decimal("size")
    assert convert("2.5") == Decimal("2.5")
    with pytest.raises(ValueError, match=r"size must be positive \(got 0\)"):
        convert(0)
    with pytest.raises(ValueError, match=r"size must be zero or more \(got -1\)"):
        positive_decimal("size", allow_zero=True)(-1)


def test_charge_is_exact_and_refuses_floats() -> None:
    charge = Charge("c", Decimal("0.1"), "b", quantity=3)
    assert charge.amount == Fraction(1, 10)
    assert charge.quantity == 3
    assert Charge("c", "1.25", "b").amount == Fraction(5, 4)
    assert Charge("c", Fraction(1, 3), "b").amount == Fraction(1, 3)
    assert Charge("c", 1, "b", tags="usage").tags == frozenset({"usage"})
    with pytest.raises(TypeError, match=r"charge amount must be .* not float \(0\.1\)"):
        Charge("c", 0.1, "b")
    with pytest.raises(TypeError, match=r"charge quantity must be .* not float \(2\.5\)"):
        Charge("c", 1, "b", quantity=2.5)


def test_pricing_context() -> None:
    partial = ctx(active=NOV_FROM_15, lines=[line("100.00", "usage"), line("4500.00", "fees")])
    assert partial.share == Fraction(8, 15)  # 16 of 30 days
    assert partial.is_partial
    assert not ctx().is_partial
    assert ctx().share == 1
    assert partial.subtotal(frozenset({"usage"})) == 100
    assert partial.subtotal(frozenset({"usage", "fees"})) == 4600
    assert partial.subtotal(None) == 4600
    assert partial.subtotal(frozenset({"other"})) == 0
    assert partial.round(Fraction(2, 3)) == Fraction(67, 100)
    assert ctx(rounding=Rounding.DOWN).round(Fraction(2, 3)) == Fraction(66, 100)
    assert ctx(currency="JPY").round(Fraction(5, 2)) == 3
    assert partial.money(Fraction(1, 8)) == "0.125 EUR"


@attrs.frozen
class _Flat(Component):
    """A test component that uses the base class hooks."""

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        return (Charge(self.name, 1, "flat", tags=self._line_tags(["extra"])),)


def test_component_base_class() -> None:
    flat = _Flat("Flat", tags="usage", active={"start": "2026-11-16"})
    assert flat.metrics == frozenset()
    assert flat.filters == ()
    assert flat.reads_tags == frozenset()
    assert flat.money_values == ()
    assert not flat.uses_previous_period
    assert flat.is_active_on(D(2026, 11, 16))
    assert not flat.is_active_on(D(2026, 11, 15))
    assert flat.price(ctx())[0].tags == frozenset({"usage", "extra"})
    with pytest.raises(TypeError, match="a component name must be a non-empty string, not ' '"):
        _Flat(" ")
    with pytest.raises(TypeError):
        Component("abstract")  # type: ignore[abstract]


# -- PerUnit --------------------------------------------------------------------------------


def test_per_unit_with_filters() -> None:
    phone_de = PerUnit(
        "Phone DE",
        metric="min",
        rate="0.95 EUR",
        where={"channel": "phone", "language": "de"},
        unit="min",
        tags="usage",
    )
    (charge,) = phone_de.price(ctx(calls()))
    assert charge.amount == 95  # 100 min x 0.95
    assert charge.quantity == 100
    assert charge.unit == "min"
    assert charge.unit_price == Decimal("0.95")
    assert charge.tags == frozenset({"usage"})
    assert charge.description == "Phone DE"
    assert charge.basis == "100 min x 0.95 EUR"
    phone = PerUnit(
        "Phone",
        metric="min",
        rate="0.95 EUR",
        where={"channel": "phone"},
        description="Phone minutes",
    )
    (charge,) = phone.price(ctx(calls()))
    assert charge.amount == Fraction(285, 2)  # 150 min x 0.95 = 142.50
    assert charge.description == "Phone minutes"
    assert charge.basis == "150 x 0.95 EUR"
    every = PerUnit("All", metric="min", rate="1 EUR")
    assert amounts(every.price(ctx(calls()))) == [180]  # 100 + 50 + 30
    assert every.metrics == frozenset({"min"})
    assert every.filters == (Where(),)


def test_per_unit_included_units() -> None:
    phone = PerUnit(
        "Phone", metric="min", rate="0.95 EUR", where={"channel": "phone"}, included=100, unit="min"
    )
    (charge,) = phone.price(ctx(calls()))
    # 150 min used - 100 included = 50 min x 0.95 = 47.50
    assert charge.amount == Fraction(95, 2)
    assert charge.quantity == 50
    assert charge.basis == "50 min x 0.95 EUR (150 min used less 100 min included)"
    generous = PerUnit("Phone", metric="min", rate="0.95 EUR", included=1000)
    assert generous.price(ctx(calls())) == ()


def test_per_unit_zero_usage_gives_no_line() -> None:
    rate = PerUnit(
        "Chat FR", metric="min", rate="0.95 EUR", where={"channel": "chat", "language": "fr"}
    )
    assert rate.price(ctx(calls())) == ()
    assert rate.price(ctx()) == ()
    assert PerUnit("x", metric="min", rate="1 EUR").price(ctx({"min": 0})) == ()


def test_per_unit_fractional_quantities_stay_exact() -> None:
    meter = Meter("min", source="s", from_unit="second", unit="minute")
    seven_seconds = meter.meter([Event("s", 7, dt.datetime(2026, 11, 3))])
    # 7 s = 7/60 min x 0.60 EUR = 0.07 EUR exactly
    (charge,) = PerUnit("x", metric="min", rate="0.60 EUR").price(ctx(seven_seconds))
    assert charge.amount == Fraction(7, 100)
    assert charge.quantity == Fraction(7, 60)


def test_per_unit_validation() -> None:
    with pytest.raises(TypeError, match="metric must be a non-empty metric name, not 5"):
        PerUnit("x", metric=5, rate="1 EUR")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"rate must be Money or a string like '0.95 EUR', not 0.95"
    ):
        PerUnit("x", metric="m", rate=0.95)
    with pytest.raises(ValueError, match=r"^rate: money must be written as"):
        PerUnit("x", metric="m", rate="0.95")
    with pytest.raises(ValueError, match=r"included must be zero or more \(got -1\)"):
        PerUnit("x", metric="m", rate="1 EUR", included=-1)
    with pytest.raises(TypeError):
        PerUnit("x", "m", "1 EUR")  # type: ignore[call-arg]  # keyword-only fields


# -- Tiered ---------------------------------------------------------------------------------


def three_tiers(mode: str = "graduated") -> Tiered:
    return Tiered(
        "Minutes",
        metric="min",
        mode=mode,
        unit="min",
        tiers=[Tier(1000, "1.00 EUR"), Tier(5000, "0.90 EUR"), Tier(None, "0.80 EUR")],
    )


def test_graduated_tiers() -> None:
    charges = three_tiers().price(ctx({"min": 6000}))
    # 1000 x 1.00 = 1000; 4000 x 0.90 = 3600; 1000 x 0.80 = 800; together 5400
    assert amounts(charges) == [1000, 3600, 800]
    assert [c.quantity for c in charges] == [1000, 4000, 1000]
    assert [c.description for c in charges] == [
        "Minutes (tier 1: 0-1000 min)",
        "Minutes (tier 2: 1000-5000 min)",
        "Minutes (tier 3: over 5000 min)",
    ]
    assert [c.basis for c in charges] == [
        "1000 min x 1.00 EUR",
        "4000 min x 0.90 EUR",
        "1000 min x 0.80 EUR",
    ]
    assert [c.unit_price for c in charges] == [Decimal("1.00"), Decimal("0.90"), Decimal("0.80")]


def test_graduated_total_on_a_boundary_belongs_to_the_lower_tier() -> None:
    assert amounts(three_tiers().price(ctx({"min": 1000}))) == [1000]  # no empty tier 2 line
    # 1000 x 1.00 + 4000 x 0.90 = 4600
    assert amounts(three_tiers().price(ctx({"min": 5000}))) == [1000, 3600]


def test_graduated_fractional_quantities() -> None:
    # 1000.5: 1000 x 1.00 + 0.5 x 0.90 = 1000.45
    assert amounts(three_tiers().price(ctx({"min": "1000.5"}))) == [1000, Fraction(9, 20)]
    assert amounts(three_tiers().price(ctx({"min": "0.25"}))) == [Fraction(1, 4)]


def test_volume_tiers_price_every_unit_at_the_reached_tier() -> None:
    volume = three_tiers("volume")
    (charge,) = volume.price(ctx({"min": 6000}))
    assert charge.amount == 4800  # 6000 x 0.80
    assert charge.description == "Minutes (tier 3: over 5000 min)"
    assert charge.basis == "6000 min x 0.80 EUR (all units at tier 3)"
    # on a boundary: the lower tier
    assert amounts(volume.price(ctx({"min": 5000}))) == [4500]  # 5000 x 0.90
    assert amounts(volume.price(ctx({"min": 1000}))) == [1000]  # 1000 x 1.00
    # just past it: every unit at tier 2, 1001 x 0.90 = 900.90
    assert amounts(volume.price(ctx({"min": 1001}))) == [Fraction(90090, 100)]
    assert amounts(volume.price(ctx({"min": "999.5"}))) == [Fraction(19990, 20)]


def test_flat_fees_per_tier() -> None:
    tiers = [Tier(100, "0 EUR", flat="50.00 EUR"), Tier(None, "0.50 EUR", flat="10.00 EUR")]
    graduated = Tiered("Chats", metric="chats", tiers=tiers)
    # 150 chats: tier 1 flat 50 + 100 x 0; tier 2 flat 10 + 50 x 0.50 = 35; together 85
    charges = graduated.price(ctx({"chats": 150}))
    assert amounts(charges) == [50, 35]
    assert charges[1].basis == "50 x 0.50 EUR + flat 10.00 EUR"
    assert amounts(graduated.price(ctx({"chats": 80}))) == [50]  # tier 2 not reached
    volume = Tiered("Chats", metric="chats", tiers=tiers, mode=TierMode.VOLUME)
    # 150 chats: 150 x 0.50 + flat 10 = 85; 80 chats: 80 x 0 + flat 50 = 50
    (charge,) = volume.price(ctx({"chats": 150}))
    assert charge.amount == 85
    assert charge.basis == "150 x 0.50 EUR (all units at tier 2) + flat 10.00 EUR"
    assert amounts(volume.price(ctx({"chats": 80}))) == [50]
    assert graduated.money_values == (
        ("tiers[0].rate", Money(0, "EUR")),
        ("tiers[0].flat", Money(50, "EUR")),
        ("tiers[1].rate", Money("0.5", "EUR")),
        ("tiers[1].flat", Money(10, "EUR")),
    )


def test_tiered_with_filter_and_no_usage() -> None:
    tiered = Tiered(
        "Phone",
        metric="min",
        where={"channel": "phone"},
        tiers=[Tier(100, "1 EUR"), Tier(None, "0.5 EUR")],
    )
    # phone: 150 min -> 100 x 1 + 50 x 0.5 = 125
    assert amounts(tiered.price(ctx(calls()))) == [100, 25]
    assert tiered.price(ctx()) == ()
    assert tiered.metrics == frozenset({"min"})
    assert tiered.filters == (Where({"channel": "phone"}),)


def test_tiered_validation() -> None:
    with pytest.raises(ContractError, match="component 'T': tiers must not be empty"):
        Tiered("T", metric="m", tiers=[])
    with pytest.raises(TypeError, match="tiers must be a list of Tier"):
        Tiered("T", metric="m", tiers=Tier(None, "1 EUR"))
    with pytest.raises(TypeError, match=r"tiers\[1\] must be a Tier, not \(None, '1 EUR'\)"):
        Tiered("T", metric="m", tiers=[Tier(10, "1 EUR"), (None, "1 EUR")])
    with pytest.raises(
        ContractError, match=r"tiers\[1\].up_to must be greater than 1000 \(got 1000\)"
    ):
        Tiered(
            "T", metric="m", tiers=[Tier(1000, "1 EUR"), Tier(1000, "1 EUR"), Tier(None, "1 EUR")]
        )
    with pytest.raises(
        ContractError, match=r"tiers\[1\].up_to must be greater than 1000 \(got 500\)"
    ):
        Tiered(
            "T", metric="m", tiers=[Tier(1000, "1 EUR"), Tier(500, "1 EUR"), Tier(None, "1 EUR")]
        )
    with pytest.raises(
        ContractError, match=r"tiers\[0\] is open-ended, so it must be the last tier"
    ):
        Tiered("T", metric="m", tiers=[Tier(None, "1 EUR"), Tier(100, "1 EUR")])
    with pytest.raises(
        ContractError, match=r"the last tier must be open-ended \(up_to=None\), got up_to=5000"
    ):
        Tiered("T", metric="m", tiers=[Tier(1000, "1 EUR"), Tier(5000, "1 EUR")])
    with pytest.raises(ValueError, match=r"mode must be 'graduated' or 'volume' \(got 'stepped'\)"):
        Tiered("T", metric="m", tiers=[Tier(None, "1 EUR")], mode="stepped")
    with pytest.raises(ValueError, match=r"up_to must be positive \(got 0\)"):
        Tier(0, "1 EUR")
    with pytest.raises(TypeError, match=r"up_to must be .* not float \(100\.0\)"):
        Tier(100.0, "1 EUR")
    with pytest.raises(ValueError, match=r"^flat: money must be written"):
        Tier(None, "1 EUR", flat="5")


# -- Package --------------------------------------------------------------------------------


def test_package_rounds_blocks_up() -> None:
    bundles = Package("Chat bundles", metric="chats", size=1000, price="450.00 EUR", unit="chats")
    (charge,) = bundles.price(ctx({"chats": 1001}))
    # 1001 chats need 2 blocks of 1000: 2 x 450 = 900
    assert charge.amount == 900
    assert charge.quantity == 2
    assert charge.unit == "package"
    assert charge.unit_price == Decimal("450.00")
    assert charge.basis == "2 package(s) of 1000 chats for 1001 chats x 450.00 EUR"
    assert amounts(bundles.price(ctx({"chats": 1000}))) == [450]
    assert amounts(bundles.price(ctx({"chats": 1}))) == [450]
    assert bundles.price(ctx()) == ()
    assert bundles.money_values == (("price_per_package", Money(450, "EUR")),)


def test_package_with_included_units_and_a_filter() -> None:
    bundles = Package(
        "Phone", metric="min", size=40, price="30 EUR", where={"channel": "phone"}, included=100
    )
    # 150 phone min - 100 included = 50 -> 2 blocks of 40 = 60 EUR
    assert amounts(bundles.price(ctx(calls()))) == [60]
    assert bundles.metrics == frozenset({"min"})
    assert bundles.filters == (Where({"channel": "phone"}),)
    with pytest.raises(ValueError, match=r"size must be positive \(got 0\)"):
        Package("P", metric="m", size=0, price="1 EUR")


# -- RecurringFee ---------------------------------------------------------------------------


def test_recurring_fee_full_period() -> None:
    platform = RecurringFee("Platform", amount="1500.00 EUR")
    (charge,) = platform.price(ctx())
    assert charge.amount == 1500
    assert charge.basis == "1500.00 EUR per period"
    assert charge.quantity == 1
    assert charge.unit_price == Decimal("1500.00")


def test_recurring_fee_quantity() -> None:
    seats = RecurringFee(
        "Agents", amount="2300.00 CNY", quantity=4, unit="agent", description="Pre-sales agents"
    )
    (charge,) = seats.price(ctx(currency="CNY"))
    assert charge.amount == 9200  # 4 x 2300
    assert charge.basis == "4 agent x 2300.00 CNY"
    assert charge.description == "Pre-sales agents"
    unitless = RecurringFee("Licences", amount="10 EUR", quantity="2.5")
    assert unitless.price(ctx())[0].basis == "2.5 x 10 EUR"
    assert RecurringFee("Nobody", amount="10 EUR", quantity=0).price(ctx()) == ()
    with pytest.raises(ValueError, match=r"quantity must be zero or more \(got -1\)"):
        RecurringFee("X", amount="10 EUR", quantity=-1)


def test_recurring_fee_prorated_for_a_partial_period() -> None:
    platform = RecurringFee("Platform", amount="1500.00 EUR")
    (charge,) = platform.price(ctx(active=NOV_FROM_16))
    # 15 of 30 days: 1500 x 1/2 = 750
    assert charge.amount == 750
    assert charge.basis == "1500.00 EUR per period x 15/30 days (active 2026-11-16..2026-12-01)"
    # 16 of 30 days: 1500 x 8/15 = 800
    assert amounts(platform.price(ctx(active=NOV_FROM_15))) == [800]
    # 3 seats x 100 = 300 x 16/30 = 160
    seats = RecurringFee("Seats", amount="100 EUR", quantity=3, unit="seat")
    assert amounts(seats.price(ctx(active=NOV_FROM_15))) == [160]
    # 14 of the 28 days of February 2026 = 1/2
    feb = Period.month(2026, 2)
    assert amounts(
        platform.price(ctx(period=feb, active=Period(D(2026, 2, 15), D(2026, 3, 1))))
    ) == [750]


def test_recurring_fee_without_proration() -> None:
    platform = RecurringFee("Platform", amount="1500.00 EUR", prorate=False)
    (charge,) = platform.price(ctx(active=NOV_FROM_16))
    assert charge.amount == 1500
    assert charge.basis == "1500.00 EUR per period"


def test_recurring_fee_mid_period_window_in_a_contract() -> None:
    # active from 16 December: 16 of 31 days; 1000 x 16/31 = 516.129... -> 516.13
    contract = Contract(
        "C", "EUR", [RecurringFee("Fee", amount="1000.00 EUR", active={"start": "2026-12-16"})]
    )
    assert contract.invoice({}, "2026-11").lines == ()
    (dec,) = contract.invoice({}, "2026-12").lines
    assert dec.exact == Fraction(16000, 31)
    assert dec.amount == Money("516.13", "EUR")
    assert contract.invoice({}, "2027-01").total == Money("1000.00", "EUR")
    # ending mid-month too: active 16 Dec to 26 Dec = 10 of 31 days = 322.580... -> 322.58
    short = Contract(
        "C", "EUR", [RecurringFee("Fee", amount="1000.00 EUR", active=("2026-12-16", "2026-12-26"))]
    )
    assert short.invoice({}, "2026-12").total == Money("322.58", "EUR")


# -- SetupFee -------------------------------------------------------------------------------


def test_setup_fee_only_in_the_period_containing_its_date() -> None:
    setup = SetupFee("Implementation", amount="4500.00 EUR", on="2026-11-02")
    assert setup.on == D(2026, 11, 2)
    (charge,) = setup.price(ctx())
    assert charge.amount == 4500
    assert charge.basis == "one-off 4500.00 EUR on 2026-11-02"
    assert charge.quantity is None
    assert setup.price(ctx(period=Period.month(2026, 12))) == ()
    assert setup.price(ctx(period=Period.month(2026, 10))) == ()


def test_setup_fee_outside_the_active_window_is_not_billed() -> None:
    setup = SetupFee(
        "Implementation", amount="4500.00 EUR", on=D(2026, 11, 2), active={"start": "2026-11-16"}
    )
    # it would never be billed: refused when the contract is built, with its path
    with pytest.raises(
        ContractError,
        match=r"components\[0\]\.on: 'Implementation' is due on 2026-11-02, outside its own "
        r"window \[2026-11-16, \.\.\.\)",
    ):
        Contract("C", "EUR", [setup])
    # likewise outside the contract's term (go-live on the 16th, the fee dated earlier)
    with pytest.raises(ContractError, match="outside the contract's term"):
        Contract("C", "EUR", [SetupFee("S", amount="1 EUR", on="2026-11-02")], term=NOV_FROM_16)
    assert SetupFee("S", amount="1 EUR", on="2026-11-02").price(ctx(active=NOV_FROM_16)) == ()


def test_setup_fee_validation() -> None:
    with pytest.raises(TypeError, match="on must be a date, not datetime"):
        SetupFee("S", amount="1 EUR", on=dt.datetime(2026, 11, 2))
    with pytest.raises(TypeError, match="on must be a date, not 20261102"):
        SetupFee("S", amount="1 EUR", on=20261102)
    with pytest.raises(ValueError, match=r"on is not an ISO date \(YYYY-MM-DD\): '2 Nov 2026'"):
        SetupFee("S", amount="1 EUR", on="2 Nov 2026")
    with pytest.raises(ValueError, match=r"^amount: money must be written"):
        SetupFee("S", amount="4500", on="2026-11-02")


# -- Percentage -----------------------------------------------------------------------------


def _lines() -> list[Line]:
    return [line("333.33", "usage"), line("100.00", "usage", "hourly"), line("4500.00", "fees")]


def test_percentage_of_tagged_lines() -> None:
    pm = Percentage("Project management", percent=6, of={"usage"})
    (charge,) = pm.price(ctx(lines=_lines()))
    # 6 % of (333.33 + 100.00) = 6 % of 433.33 = 25.9998
    assert charge.amount == Fraction(259998, 10000)
    assert charge.quantity == Fraction(43333, 100)
    assert charge.unit == "EUR"
    assert charge.unit_price == Decimal("0.06")
    assert charge.basis == "6% of 433.33 EUR (lines tagged usage)"
    assert pm.reads_tags == frozenset({"usage"})


def test_percentage_of_every_earlier_line() -> None:
    surcharge = Percentage("Surcharge", percent="2.5")
    (charge,) = surcharge.price(ctx(lines=_lines()))
    # 2.5 % of 4933.33 = 123.33325
    assert charge.amount == Fraction(12333325, 100000)
    assert charge.basis == "2.5% of 4933.33 EUR (all lines above)"
    assert surcharge.reads_tags is None


def test_percentage_with_nothing_to_apply_to() -> None:
    pm = Percentage("PM", percent=6, of="usage")
    assert pm.price(ctx(lines=[line("10.00", "fees")])) == ()
    assert pm.price(ctx()) == ()


def test_percentage_validation() -> None:
    with pytest.raises(ValueError, match=r"percent must not be negative \(got -6\)"):
        Percentage("PM", percent=-6)
    with pytest.raises(TypeError, match=r"percent must be .* not float \(6\.5\)"):
        Percentage("PM", percent=6.5)
    with pytest.raises(ValueError, match="of must name at least one tag, or be None"):
        Percentage("PM", percent=6, of=[])


# -- MinimumSpend ---------------------------------------------------------------------------


def test_minimum_spend_true_up() -> None:
    floor = MinimumSpend("Minimum", amount="5000.00 EUR", of={"usage"})
    (charge,) = floor.price(ctx(lines=_lines()))
    # usage lines: 333.33 + 100.00 = 433.33; 5000.00 - 433.33 = 4566.67
    assert charge.amount == Fraction(456667, 100)
    assert charge.basis == "minimum 5000 EUR less 433.33 EUR (lines tagged usage)"
    assert charge.quantity is None
    # reached exactly, or above: no line
    assert MinimumSpend("Min", amount="433.33 EUR", of="usage").price(ctx(lines=_lines())) == ()
    assert MinimumSpend("Min", amount="100 EUR").price(ctx(lines=_lines())) == ()
    assert floor.reads_tags == frozenset({"usage"})


def test_minimum_spend_prorated_and_rounded_by_the_contract_policy() -> None:
    floor = MinimumSpend("Minimum", amount="1000.00 EUR", of="usage", prorate=True)
    usage = [line("100.00", "usage")]
    # 16 of 30 days: 1000 x 8/15 = 533.333... -> half-up 533.33; less 100.00 = 433.33
    (charge,) = floor.price(ctx(active=NOV_FROM_15, lines=usage))
    assert charge.amount == Fraction(43333, 100)
    assert charge.basis == (
        "minimum 533.33 EUR (1000.00 EUR x 16/30 days) less 100 EUR (lines tagged usage)"
    )
    # the floor is rounded by the contract's policy: ceiling gives 533.34 -> 433.34
    ceiling = ctx(active=NOV_FROM_15, lines=usage, rounding=Rounding.CEILING)
    assert amounts(floor.price(ceiling)) == [Fraction(43334, 100)]
    assert floor.floor(ceiling) == Fraction(53334, 100)
    assert floor.floor(ctx(active=NOV_FROM_15, rounding=Rounding.FLOOR)) == Fraction(53333, 100)
    # without proration the whole floor applies in a partial period
    whole = MinimumSpend("Minimum", amount="1000.00 EUR", of="usage")
    assert amounts(whole.price(ctx(active=NOV_FROM_15, lines=usage))) == [900]


def test_minimum_spend_in_a_contract_is_never_below_the_floor() -> None:
    contract = Contract(
        "C",
        "EUR",
        [
            PerUnit("Minutes", metric="min", rate="0.333 EUR", tags="usage"),
            MinimumSpend("Minimum", amount="100.00 EUR", of="usage"),
        ],
    )
    # 10 min x 0.333 = 3.33; true-up 100.00 - 3.33 = 96.67
    invoice = contract.invoice({"min": 10}, "2026-11")
    assert [str(line.amount) for line in invoice.lines] == ["3.33 EUR", "96.67 EUR"]
    assert invoice.total == Money("100.00", "EUR")
    # 400 min x 0.333 = 133.20: above the floor, no true-up
    assert [line.component for line in contract.invoice({"min": 400}, "2026-11").lines] == [
        "Minutes"
    ]


def test_minimum_spend_validation() -> None:
    with pytest.raises(ValueError, match="of must name at least one tag"):
        MinimumSpend("Min", amount="1 EUR", of=set())
    with pytest.raises(ValueError, match=r"^amount: money must be written"):
        MinimumSpend("Min", amount="1")
    assert MinimumSpend("Min", amount="1 EUR").money_values == (("amount", Money(1, "EUR")),)


# -- MinimumVolume --------------------------------------------------------------------------


def test_minimum_volume_shortfall_at_a_rate() -> None:
    minimum = MinimumVolume(
        "Minimum volume", metric="min", quantity=2000, rate="0.90 EUR", unit="min"
    )
    (charge,) = minimum.price(ctx({"min": 1500}))
    # 2000 - 1500 = 500 min short x 0.90 = 450
    assert charge.amount == 450
    assert charge.quantity == 500
    assert charge.unit_price == Decimal("0.90")
    assert charge.basis == "minimum 2000 min less 1500 min used = 500 min x 0.90 EUR"
    assert minimum.price(ctx({"min": 2000})) == ()
    assert minimum.price(ctx({"min": 2500})) == ()
    (nothing_used,) = minimum.price(ctx())
    assert nothing_used.amount == 1800  # 2000 x 0.90


def test_minimum_volume_prorated() -> None:
    minimum = MinimumVolume(
        "Minimum volume", metric="min", quantity=2000, rate="0.90 EUR", unit="min"
    )
    (charge,) = minimum.price(ctx({"min": 1000}, active=NOV_FROM_15))
    # 16 of 30 days: 2000 x 8/15 = 3200/3 = 1066.67 min; short 3200/3 - 1000 = 200/3 min
    # 200/3 x 0.90 = 60 exactly
    assert charge.amount == 60
    assert charge.quantity == Fraction(200, 3)
    assert minimum.required(ctx(active=NOV_FROM_15)) == Fraction(3200, 3)
    assert charge.basis == (
        "minimum 1066.666667 min (2000 min x 16/30 days) less 1000 min used "
        "= 66.666667 min x 0.90 EUR"
    )
    fixed = MinimumVolume(
        "Minimum volume", metric="min", quantity=2000, rate="0.90 EUR", prorate=False
    )
    assert amounts(fixed.price(ctx({"min": 1000}, active=NOV_FROM_15))) == [900]  # 1000 x 0.90


def test_minimum_volume_with_a_filter() -> None:
    minimum = MinimumVolume(
        "Phone minimum", metric="min", quantity=200, rate="1 EUR", where={"channel": "phone"}
    )
    # phone: 150 min used; 50 short x 1 = 50
    assert amounts(minimum.price(ctx(calls()))) == [50]
    assert minimum.metrics == frozenset({"min"})
    assert minimum.filters == (Where({"channel": "phone"}),)
    assert minimum.money_values == (("rate", Money(1, "EUR")),)


def test_minimum_volume_validation() -> None:
    with pytest.raises(ValueError, match=r"quantity must be positive \(got 0\)"):
        MinimumVolume("M", metric="min", quantity=0, rate="1 EUR")
    with pytest.raises(TypeError, match="metric must be a non-empty metric name, not ''"):
        MinimumVolume("M", metric="", quantity=1, rate="1 EUR")
    with pytest.raises(ValueError, match=r"^rate: money must be written"):
        MinimumVolume("M", metric="min", quantity=1, rate="1")
