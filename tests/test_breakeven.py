"""Exact cost functions and break-even volumes, checked by hand and against invoices."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meterprice import (
    Calendar,
    Commission,
    CommissionTier,
    Component,
    Contract,
    ContractError,
    DateRange,
    DayRate,
    Discount,
    MatrixRate,
    Maximum,
    MinimumSpend,
    MinimumVolume,
    Package,
    Percentage,
    PerUnit,
    PricingError,
    ProjectFee,
    Quota,
    RecurringFee,
    Seats,
    SetupFee,
    Tier,
    Tiered,
    TierMode,
    Usage,
)
from meterprice.analysis import Mix
from meterprice.breakeven import break_even, cost_function, register_cost_rule
from meterprice.piecewise import Piecewise

NOV = "2026-11"
F = Fraction


def ppu(rate: str = "0.90") -> Contract:
    return Contract(
        "Pay per use", "EUR", [PerUnit("Minutes", metric="minutes", rate=f"{rate} EUR")]
    )


def fixed(amount: str = "6000.00") -> Contract:
    return Contract("Fixed", "EUR", [RecurringFee("Team", amount=f"{amount} EUR")])


def test_pay_per_use_against_a_fixed_fee() -> None:
    # 0.90 x v = 6000 at v = 6666 2/3 minutes
    result = break_even(ppu(), fixed(), "minutes", NOV, upto=20000)
    assert result.volumes == (Fraction(20000, 3),)
    assert result.intervals == (
        (F(0), F(20000, 3), "Pay per use"),
        (F(20000, 3), F(20000), "Fixed"),
    )
    assert result.cheaper_at(6000) == "Pay per use"
    assert result.cheaper_at(Fraction(20000, 3)) is None
    assert result.cheaper_at(7000) == "Fixed"
    assert "break-even at 6666.666667" in str(result)


def test_no_break_even_in_range() -> None:
    result = break_even(ppu(), fixed(), "minutes", NOV, upto=5000)
    assert result.volumes == ()
    assert result.intervals == ((F(0), F(5000), "Pay per use"),)
    assert "no break-even volume in the range" in str(result)


def test_identical_contracts_cost_the_same_everywhere() -> None:
    result = break_even(ppu(), ppu(), "minutes", NOV, upto=100)
    assert result.intervals == ((F(0), F(100), None),)
    assert result.volumes == (F(0), F(100))


def test_minimum_spend_makes_a_kink() -> None:
    # 0.90/min with a 4,500 floor: flat until 5,000 minutes, then 0.90 per minute
    offer = Contract(
        "Offer",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.90 EUR", tags={"usage"}),
            MinimumSpend("Minimum", amount="4500.00 EUR", of={"usage"}),
        ],
    )
    f = cost_function(offer, "minutes", NOV, upto=20000)
    assert f.breakpoints == (F(0), F(5000), F(20000))
    assert f(0) == 4500
    assert f(3000) == 4500
    assert f(8000) == 7200
    assert f.marginal_rate(3000) == 0
    assert f.marginal_rate(5000) == Fraction(9, 10)
    assert f.marginal_rate(20000) == Fraction(9, 10)
    assert f.effective_rate(9000) == Fraction(9, 10)
    assert f.effective_rate(3000) == Fraction(3, 2)
    assert f.segments == ((F(0), F(5000), F(0), F(4500)), (F(5000), F(20000), F(9, 10), F(0)))
    assert f.total(3000) == Decimal(4500)
    assert f.total(Decimal("0.5"), places=2) == Decimal("4500")
    assert "0.9 per unit" in str(f)
    assert "<table>" in f._repr_html_()
    with pytest.raises(ValueError, match="positive volume"):
        f.effective_rate(0)


def test_graduated_tiers_are_continuous_and_volume_tiers_have_cliffs() -> None:
    tiers = [Tier(5000, "1.00 EUR"), Tier(None, "0.70 EUR")]
    graduated = Contract("G", "EUR", [Tiered("T", metric="m", tiers=tiers)])
    volume = Contract("V", "EUR", [Tiered("T", metric="m", tiers=tiers, mode=TierMode.VOLUME)])
    g = cost_function(graduated, "m", NOV, upto=10000)
    v = cost_function(volume, "m", NOV, upto=10000)
    # graduated: 5,000 x 1.00 + 1,000 x 0.70 at 6,000
    assert g(6000) == 5700
    assert g.decreasing_regions() == ()
    # volume: 5,000 at 1.00 = 5,000 (the boundary belongs to the lower tier);
    # just above, every unit at 0.70: a cliff of 1,500
    assert v(5000) == 5000
    assert v.function.limit_right(5000) == 3500
    assert v.decreasing_regions() == ((F(5000), F(5000), ("T",)),)


def test_flat_fees_per_tier_jump_after_the_boundary() -> None:
    tiers = [Tier(100, "1.00 EUR", flat="10.00 EUR"), Tier(None, "0.50 EUR", flat="20.00 EUR")]
    contract = Contract("F", "EUR", [Tiered("T", metric="m", tiers=tiers)])
    f = cost_function(contract, "m", NOV, upto=200)
    assert f(0) == 0
    assert f(100) == 110  # 100 x 1.00 + 10 (second tier not reached)
    assert f.function.limit_right(100) == 130
    assert f(150) == 155  # 110 + 50 x 0.50 + 20


def test_packages_step_up_after_each_block() -> None:
    contract = Contract("P", "EUR", [Package("Blocks", metric="m", size=1000, price="450.00 EUR")])
    f = cost_function(contract, "m", NOV, upto=2500)
    assert f(0) == 0
    assert f(1) == 450
    assert f(1000) == 450
    assert f(1001) == 900
    assert f(2500) == 1350
    assert f.breakpoints == (F(0), F(1000), F(2000), F(2500))


def test_package_with_too_many_steps_is_refused() -> None:
    contract = Contract("P", "EUR", [Package("Blocks", metric="m", size=1, price="1.00 EUR")])
    with pytest.raises(PricingError, match="narrower range"):
        cost_function(contract, "m", NOV, upto=1_000_000)


def test_minimum_volume_is_a_falling_shortfall() -> None:
    contract = Contract(
        "MV",
        "EUR",
        [
            PerUnit("Minutes", metric="m", rate="1.00 EUR"),
            MinimumVolume("Minimum", metric="m", quantity=2000, rate="1.00 EUR"),
        ],
    )
    f = cost_function(contract, "m", NOV, upto=4000)
    assert f(0) == 2000
    assert f(1500) == 2000
    assert f(3000) == 3000
    minimum_part = dict(f.parts)["Minimum"]
    assert minimum_part(500) == 1500
    assert minimum_part.decreasing_regions() == ((F(0), F(2000)),)


def test_percentage_of_tagged_lines_and_constant_parts() -> None:
    contract = Contract(
        "PM",
        "EUR",
        [
            SetupFee("Setup", amount="1000.00 EUR", on="2026-11-05", tags={"setup"}),
            PerUnit("Minutes", metric="m", rate="1.00 EUR", tags={"usage"}),
            Percentage("PM", percent=6, of={"usage"}),
        ],
    )
    f = cost_function(contract, "m", NOV, upto=1000)
    assert f(0) == 1000
    assert f(500) == 1000 + 500 + 30


def test_mix_spreads_the_volume_over_filtered_components() -> None:
    contract = Contract(
        "Langs",
        "EUR",
        [
            PerUnit("DE", metric="m", rate="1.00 EUR", where={"language": "de"}),
            PerUnit("EN", metric="m", rate="0.50 EUR", where={"language": "en"}),
        ],
    )
    mix = Mix.of("m", [({"language": "de"}, "0.4"), ({"language": "en"}, "0.6")])
    f = cost_function(contract, mix, NOV, upto=1000)
    # 0.4 x 1.00 + 0.6 x 0.50 = 0.70 per unit
    assert f(1000) == 700
    assert f.metric == "m"


def test_base_usage_is_held_fixed_and_other_metrics_are_constant() -> None:
    contract = Contract(
        "Two metrics",
        "EUR",
        [
            PerUnit("Minutes", metric="m", rate="1.00 EUR", included=100),
            PerUnit("Hours", metric="h", rate="40.00 EUR"),
        ],
    )
    f = cost_function(contract, "m", NOV, upto=1000, base={"h": 3, "m": 50})
    # hours: 3 x 40 = 120 whatever the volume; minutes: (v + 50 - 100) x 1 above 50
    assert f(0) == 120
    assert f(50) == 120
    assert f(150) == 220


def test_range_and_currency_errors() -> None:
    with pytest.raises(ValueError, match="0 <= start < upto"):
        cost_function(ppu(), "minutes", NOV, upto=0)
    dollars = Contract("USD", "USD", [PerUnit("M", metric="minutes", rate="1.00 USD")])
    with pytest.raises(ContractError, match="one currency"):
        break_even(ppu(), dollars, "minutes", NOV, upto=10)


def test_component_without_a_rule_is_reported() -> None:
    @attrs.frozen
    class Odd(Component):
        metric: str = attrs.field(kw_only=True)

        @property
        def metrics(self) -> frozenset[str]:
            return frozenset({self.metric})

        def price(self, ctx: object) -> tuple[()]:
            return ()

    contract = Contract("Odd", "EUR", [Odd("odd", metric="m")])
    with pytest.raises(ContractError, match="no exact cost rule"):
        cost_function(contract, "m", NOV, upto=10)

    @register_cost_rule(Odd)
    def _odd(component: Odd, model: object) -> Piecewise:
        return Piecewise.constant(0, 10, 7)

    assert cost_function(contract, "m", NOV, upto=10)(3) == 7


# -- the cost function equals the invoice at random volumes ------------------------------------
cents = st.integers(1, 500).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def core_contracts(draw: st.DrawFn) -> Contract:
    components: list[Component] = []
    kinds = draw(
        st.lists(
            st.sampled_from(["unit", "tiers", "package", "minvol", "fee"]), min_size=1, max_size=4
        )
    )
    for i, kind in enumerate(kinds):
        name = f"c{i}"
        if kind == "unit":
            components.append(
                PerUnit(
                    name,
                    metric="m",
                    rate=f"{draw(cents)} EUR",
                    included=draw(st.integers(0, 50)),
                    tags={"usage"},
                )
            )
        elif kind == "tiers":
            bounds = sorted(draw(st.sets(st.integers(1, 900), min_size=1, max_size=3)))
            tiers = [Tier(b, f"{draw(cents)} EUR") for b in bounds] + [
                Tier(None, f"{draw(cents)} EUR")
            ]
            mode = draw(st.sampled_from(list(TierMode)))
            components.append(Tiered(name, metric="m", tiers=tiers, mode=mode, tags={"usage"}))
        elif kind == "package":
            components.append(
                Package(
                    name,
                    metric="m",
                    size=draw(st.integers(10, 300)),
                    price=f"{draw(cents)} EUR",
                    tags={"usage"},
                )
            )
        elif kind == "minvol":
            components.append(
                MinimumVolume(
                    name,
                    metric="m",
                    quantity=draw(st.integers(1, 800)),
                    rate=f"{draw(cents)} EUR",
                    tags={"usage"},
                )
            )
        else:
            components.append(RecurringFee(name, amount=f"{draw(cents)} EUR", tags={"usage"}))
    if draw(st.booleans()):
        components.append(Percentage("pm", percent=draw(st.integers(1, 20)), of={"usage"}))
    if draw(st.booleans()):
        components.append(
            MinimumSpend("floor", amount=f"{draw(st.integers(1, 900))}.00 EUR", of={"usage"})
        )
    return Contract("generated", "EUR", components)


@settings(max_examples=150, deadline=None)
@given(core_contracts(), st.integers(0, 1000))
def test_cost_function_equals_the_invoice_within_line_rounding(
    contract: Contract, volume: int
) -> None:
    f = cost_function(contract, "m", NOV, upto=1000)
    invoice = contract.invoice({"m": volume}, NOV)
    # integer volumes and whole-cent rates: only percentages round; a percentage of the
    # rounded subtotal differs from the exact one by at most half a cent, and a
    # minimum spend absorbs earlier rounding.
    tolerance = Fraction(1, 100) * len(invoice.lines)
    assert abs(f(volume) - Fraction(invoice.total.amount)) <= tolerance


@settings(max_examples=100, deadline=None)
@given(core_contracts(), st.integers(0, 1000))
def test_cost_function_is_exact_without_percentages(contract: Contract, volume: int) -> None:
    plain = Contract(
        "plain", "EUR", [c for c in contract.components if not isinstance(c, Percentage)]
    )
    f = cost_function(plain, "m", NOV, upto=1000)
    assert f(volume) == Fraction(plain.invoice({"m": volume}, NOV).total.amount)


# -- the seed components ------------------------------------------------------------------------
def _agree(contract: Contract, metric: str | Mix, volumes: list[int], **kwargs: object) -> None:
    """The cost function equals the invoice total at each volume (whole-cent figures)."""
    upto = max(volumes) + 1
    f = cost_function(contract, metric, NOV, upto=upto, **kwargs)  # type: ignore[arg-type]
    mix = metric if isinstance(metric, Mix) else Mix(metric)
    base = kwargs.get("base")
    for volume in volumes:
        usage = mix.usage(volume) + (Usage.from_totals(base) if base else Usage())  # type: ignore[arg-type]
        invoice = contract.invoice(usage, NOV, previous_usage=kwargs.get("previous_usage"))  # type: ignore[arg-type]
        assert f(volume) == Fraction(invoice.total.amount), volume


def test_matrix_rates_are_linear_in_the_mix() -> None:
    matrix = MatrixRate(
        "Minutes",
        metric="m",
        by=("language",),
        prices={("de",): "1.10 CNY", ("en",): "0.80 CNY"},
    )
    contract = Contract("Matrix", "CNY", [matrix])
    mix = Mix.of("m", [({"language": "de"}, "0.5"), ({"language": "en"}, "0.5")])
    f = cost_function(contract, mix, NOV, upto=1000)
    assert f(1000) == 950  # 500 x 1.10 + 500 x 0.80
    _agree(contract, mix, [0, 10, 999])
    missing = Mix.of("m", [({"language": "nl"}, 1)])
    with pytest.raises(PricingError, match="no price"):
        cost_function(contract, missing, NOV, upto=10)


def test_seats_from_usage_are_linear_per_role() -> None:
    seats = Seats(
        "Agents", fees={"pre-sales": "2600.00 CNY", "after-sales": "2300.00 CNY"}, metric="agents"
    )
    contract = Contract("Seats", "CNY", [seats])
    mix = Mix.of("agents", [({"role": "pre-sales"}, "0.5"), ({"role": "after-sales"}, "0.5")])
    f = cost_function(contract, mix, NOV, upto=10)
    assert f(4) == 2 * 2600 + 2 * 2300
    _agree(contract, mix, [0, 2, 6])
    with pytest.raises(PricingError, match="have no fee"):
        cost_function(contract, Mix.of("agents", [({"role": "qa"}, 1)]), NOV, upto=10)


def test_commission_tiers_categories_and_previous_basis() -> None:
    commission = Commission(
        "Commission",
        metric="sales",
        tiers=[CommissionTier("100000.00 CNY", 1), CommissionTier(None, "1.5")],
        category="category",
        rates={"custom": 3},
    )
    contract = Contract(
        "Commission", "CNY", [RecurringFee("Base", amount="1500.00 CNY"), commission]
    )
    mix = Mix.of("sales", [({"category": "general"}, "0.8"), ({"category": "custom"}, "0.2")])
    f = cost_function(contract, mix, NOV, upto=500000)
    # at 200,000: general 160,000 -> 1,000 + 900; custom 40,000 x 3 % = 1,200; base 1,500
    assert f(200000) == 1500 + 1000 + 900 + 1200
    assert f.breakpoints == (F(0), F(125000), F(500000))
    _agree(contract, mix, [0, 1000, 125000, 300000])
    previous = attrs.evolve(commission, basis="previous")
    later = Contract("Later", "CNY", [previous])
    g = cost_function(
        later, mix, NOV, upto=10, previous_usage={("sales", (("category", "custom"),)): 1000}
    )
    assert g(0) == g(10) == 30
    with pytest.raises(PricingError, match="previous_usage"):
        cost_function(later, mix, NOV, upto=10)


def test_commission_per_transaction_bounds_and_fixed_fee() -> None:
    commission = Commission(
        "Per order",
        metric="sales",
        percent=2,
        per_transaction="order",
        minimum="1.00 CNY",
        maximum="10.00 CNY",
        fixed_fee="0.50 CNY",
    )
    contract = Contract("Orders", "CNY", [commission])
    mix = Mix.of("sales", [({"order": "a"}, "0.5"), ({"order": "b"}, "0.5")])
    f = cost_function(contract, mix, NOV, upto=2000)
    # each order: 2 % of its half, at least 1.00 and at most 10.00, plus 0.50
    assert f(0) == 0
    assert f(20) == 2 * (1 + F(1, 2))
    assert f(200) == 2 * (2 + F(1, 2))
    assert f(2000) == 2 * (10 + F(1, 2))
    _agree(contract, mix, [0, 1, 50, 100, 150, 1000, 1999])


def test_commission_fixed_fee_on_a_count_metric() -> None:
    commission = Commission(
        "Commission", metric="sales", percent=1, fixed_fee="2.00 CNY", transactions="orders"
    )
    contract = Contract("Orders", "CNY", [commission])
    f = cost_function(contract, "orders", NOV, upto=100, base={"sales": 10000})
    assert f(0) == 100
    assert f(30) == 160


def test_quota_credit_cap_and_bonus() -> None:
    quota = Quota(
        "Monthly",
        metric="consultations",
        required=6000,
        fee="18000.00 CNY",
        max_credit="6000.00 CNY",
        bonus_rate="2.00 CNY",
    )
    contract = Contract("Quota", "CNY", [quota])
    f = cost_function(contract, "consultations", NOV, upto=8000)
    # 3 CNY per missing consultation, at most 6,000 of credit (2,000 missing)
    assert f(0) == 12000
    assert f(4000) == 12000
    assert f(5000) == 15000
    assert f(6000) == 18000
    assert f(7000) == 20000
    assert f.breakpoints == (F(0), F(4000), F(6000), F(8000))
    _agree(contract, "consultations", [0, 3999, 4500, 6000, 7999])


def test_day_rates_from_bookings_count_calendar_days_only() -> None:
    calendar = Calendar([DateRange("Double 11", "2026-11-01", "2026-11-11")])
    rate = DayRate(
        "Peak", calendar=calendar, rate="800.00 CNY", metric="agents_booked", tags={"usage"}
    )
    contract = Contract("Peak", "CNY", [RecurringFee("Monthly", amount="5000.00 CNY"), rate])
    mix = Mix.of("agents_booked", [({"day": "2026-11-05"}, "0.5"), ({"day": "2026-11-20"}, "0.5")])
    f = cost_function(contract, mix, NOV, upto=10)
    # only 5 November is a Double 11 day: half the bookings at 800 each
    assert f(4) == 5000 + 2 * 800
    _agree(contract, mix, [0, 2, 8])
    with pytest.raises(PricingError, match="no 'day' dimension"):
        cost_function(contract, "agents_booked", NOV, upto=10)


def test_maximum_and_discounts() -> None:
    usage_rate = PerUnit("Minutes", metric="m", rate="1.00 EUR", tags={"usage"})
    capped = Contract("Cap", "EUR", [usage_rate, Maximum("Cap", amount="500.00 EUR", of={"usage"})])
    f = cost_function(capped, "m", NOV, upto=1000)
    assert (f(300), f(500), f(800)) == (F(300), F(500), F(500))
    _agree(capped, "m", [0, 499, 501, 999])
    percent = Contract("Pct", "EUR", [usage_rate, Discount("Off", percent=10, of={"usage"})])
    assert cost_function(percent, "m", NOV, upto=1000)(500) == 450
    _agree(percent, "m", [0, 10, 990])
    fixed_off = Contract("Fix", "EUR", [usage_rate, Discount("Off", amount="100.00 EUR")])
    g = cost_function(fixed_off, "m", NOV, upto=1000)
    # 100 off, never below zero
    assert (g(50), g(100), g(400)) == (F(0), F(0), F(300))
    assert g.decreasing_regions() == ()
    _agree(fixed_off, "m", [0, 50, 150, 999])


def test_project_fee_is_constant_in_any_volume() -> None:
    project = ProjectFee(
        "Project",
        tiers={"small": "5000.00 CNY", "large": "14000.00 CNY"},
        tier="large",
        factors={"difficulty": "1.2"},
        minimum="5000.00 CNY",
        maximum="20000.00 CNY",
    )
    contract = Contract("Project", "CNY", [project])
    f = cost_function(contract, "anything", NOV, upto=10)
    assert f(0) == f(10) == 16800
