"""ProjectFee: billing by project, 5,000-20,000 CNY a month by scale, difficulty and
timeliness (seed 004 §7).

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimals

from meterprice import (
    Contract,
    ContractError,
    CurrencyMismatchError,
    Money,
    Period,
    ProjectFee,
    Window,
)
from meterprice._decimal import add

D = dt.date
TIERS = {"small": "5000.00 CNY", "medium": "9000.00 CNY", "large": "14000.00 CNY"}


def project(**terms: object) -> ProjectFee:
    values: dict[str, object] = {
        "tiers": TIERS,
        "tier": "large",
        "factors": {"difficulty": "1.2", "timeliness": "1.25"},
        "minimum": "5000.00 CNY",
        "maximum": "20000.00 CNY",
    }
    values.update(terms)
    return ProjectFee("Project", **values)  # type: ignore[arg-type]


def test_a_large_difficult_urgent_project_is_capped_at_the_maximum() -> None:
    fee = project()
    # 14000.00 x 1.2 x 1.25 = 14000.00 x 1.5 = 21000.00, above 20000.00
    assert fee.base == Money("14000.00", "CNY")
    assert fee.unbounded_fee() == 21000
    assert fee.bounded_fee() == 20000
    invoice = Contract("Shop", "CNY", [fee]).invoice({}, "2026-11")
    assert invoice.total == Money("20000.00", "CNY")
    assert invoice.lines[0].basis == (
        "tier large 14000.00 CNY x difficulty 1.2 x timeliness 1.25 = 21000.00 CNY, "
        "lowered to the maximum 20000.00 CNY"
    )
    # December is the same whole month
    assert Contract("Shop", "CNY", [fee]).invoice({}, "2026-12").total == Money("20000.00", "CNY")


def test_a_partial_month_is_prorated_after_the_bound() -> None:
    contract = Contract("Shop", "CNY", [project()], term=Window(start=D(2026, 11, 16)))
    november = contract.invoice({}, "2026-11")
    # bounded first (20000.00), then 15/30 days: 10000.00
    assert november.total == Money("10000.00", "CNY")
    assert november.lines[0].basis.endswith(
        "lowered to the maximum 20000.00 CNY; x 15/30 days (active 2026-11-16..2026-12-01)"
    )
    # the next month is whole
    assert contract.invoice({}, "2026-12").total == Money("20000.00", "CNY")


def test_within_the_bounds_and_an_uneven_proration() -> None:
    fee = project(tier="medium", factors={"timeliness": "1.25"})
    # 9000.00 x 1.25 = 11250.00, between 5000.00 and 20000.00
    line = Contract("Shop", "CNY", [fee]).invoice({}, "2026-11").lines[0]
    assert line.amount == Money("11250.00", "CNY")
    assert line.basis == (
        "tier medium 9000.00 CNY x timeliness 1.25 = 11250.00 CNY, "
        "within the bounds 5000.00-20000.00 CNY"
    )
    # from 22 December: 11250.00 x 10/31 = 3629.0322... -> 3629.03
    late = Contract("Shop", "CNY", [fee], term=Window(start=D(2026, 12, 22)))
    line = late.invoice({}, "2026-12").lines[0]
    assert line.exact == Fraction(112500, 31)
    assert line.amount == Money("3629.03", "CNY")


def test_a_small_simple_project_is_raised_to_the_minimum() -> None:
    fee = project(tier="small", factors={"difficulty": "0.8"})
    # 5000.00 x 0.8 = 4000.00, below 5000.00
    line = Contract("Shop", "CNY", [fee]).invoice({}, "2026-11").lines[0]
    assert line.amount == Money("5000.00", "CNY")
    assert line.basis == (
        "tier small 5000.00 CNY x difficulty 0.8 = 4000.00 CNY, raised to the minimum 5000.00 CNY"
    )


def test_bounds_are_optional() -> None:
    unbounded = ProjectFee("Project", tiers=TIERS, tier="small")
    # no factor, no bound: the tier's fee, 5000.00
    line = Contract("Shop", "CNY", [unbounded]).invoice({}, "2026-11").lines[0]
    assert (line.amount, line.basis) == (
        Money("5000.00", "CNY"),
        "tier small 5000.00 CNY, no bounds",
    )
    capped = ProjectFee("Project", tiers=TIERS, tier="medium", maximum="20000.00 CNY")
    assert Contract("Shop", "CNY", [capped]).invoice({}, "2026-11").lines[0].basis == (
        "tier medium 9000.00 CNY, within the bounds ...-20000.00 CNY"
    )
    floored = ProjectFee("Project", tiers=TIERS, tier="medium", minimum="5000.00 CNY")
    assert Contract("Shop", "CNY", [floored]).invoice({}, "2026-11").lines[0].basis == (
        "tier medium 9000.00 CNY, within the bounds 5000.00-... CNY"
    )


def test_no_proration_when_asked() -> None:
    fee = project(prorate=False, description="Project billing")
    contract = Contract("Shop", "CNY", [fee], term=Window(start=D(2026, 11, 16)))
    line = contract.invoice({}, "2026-11").lines[0]
    # the whole bounded fee even for half a month: 20000.00
    assert line.amount == Money("20000.00", "CNY")
    assert line.description == "Project billing"
    assert "days" not in line.basis


def test_factors_keep_their_order_and_multiply_exactly() -> None:
    fee = project(factors=[("difficulty", "1.15"), ("urgency", Decimal("1.1"))])
    # 14000.00 x 1.15 x 1.1 = 16100 x 1.1 = 17710.00
    assert fee.factors == (("difficulty", Decimal("1.15")), ("urgency", Decimal("1.1")))
    line = Contract("Shop", "CNY", [fee]).invoice({}, "2026-11").lines[0]
    assert line.amount == Money("17710.00", "CNY")
    assert line.basis.startswith("tier large 14000.00 CNY x difficulty 1.15 x urgency 1.1 = ")


def test_money_values_name_each_nested_amount() -> None:
    assert project().money_values == (
        ("tiers['small']", Money("5000.00", "CNY")),
        ("tiers['medium']", Money("9000.00", "CNY")),
        ("tiers['large']", Money("14000.00", "CNY")),
        ("minimum", Money("5000.00", "CNY")),
        ("maximum", Money("20000.00", "CNY")),
    )
    fee = project()
    assert (fee.metrics, fee.filters, fee.reads_tags, fee.uses_previous_period) == (
        frozenset(),
        (),
        frozenset(),
        False,
    )


def test_the_contract_refuses_a_fee_in_another_currency() -> None:
    fee = ProjectFee("Project", tiers={"small": "5000.00 EUR"}, tier="small")
    with pytest.raises(ContractError, match=r"components\[0\]\.tiers\['small'\]: 5000\.00 EUR"):
        Contract("Shop", "CNY", [fee])


def test_project_fee_errors() -> None:
    with pytest.raises(
        ContractError, match="tier 'huge' is not one of the scale tiers 'small', 'medium', 'large'"
    ):
        project(tier="huge")
    with pytest.raises(TypeError, match="tier must be the name of a scale tier, not 3"):
        project(tier=3)
    with pytest.raises(ValueError, match="tiers must name at least one scale tier"):
        project(tiers={})
    with pytest.raises(TypeError, match="tiers must be a mapping of names to values, not 'large'"):
        project(tiers="large")
    with pytest.raises(TypeError, match="tiers must be a mapping of names to values, not 5"):
        project(tiers=5)
    with pytest.raises(TypeError, match=r"tiers must be a mapping or \(name, value\) pairs"):
        project(tiers=[("large", "14000.00 CNY", "extra")])
    with pytest.raises(ValueError, match="tiers: the name 'large' is given twice"):
        project(tiers=[("large", "14000.00 CNY"), ("large", "15000.00 CNY")])
    with pytest.raises(TypeError, match="tiers names must be non-empty strings, not 1"):
        project(tiers={1: "5000.00 CNY"})
    with pytest.raises(ValueError, match=r"tiers\['large'\] must not be negative"):
        project(tiers={"large": "-1.00 CNY"})
    with pytest.raises(TypeError, match=r"tiers\['large'\] must be Money or a string"):
        project(tiers={"large": 14000})
    with pytest.raises(ValueError, match=r"factors\['difficulty'\] must be positive \(got 0\)"):
        project(factors={"difficulty": 0})
    with pytest.raises(TypeError, match="not float"):
        project(factors={"difficulty": 1.2})
    with pytest.raises(ValueError, match="factors: the name 'difficulty' is given twice"):
        project(factors=[("difficulty", "1.2"), ("difficulty", "1.3")])
    with pytest.raises(ContractError, match=r"minimum 20000\.00 CNY is above maximum 5000\.00 CNY"):
        project(minimum="20000.00 CNY", maximum="5000.00 CNY")
    with pytest.raises(
        CurrencyMismatchError, match=r"maximum is 20000\.00 EUR but tiers\['small'\] is in CNY"
    ):
        project(maximum="20000.00 EUR")
    with pytest.raises(TypeError, match="minimum must be Money or a string"):
        project(minimum=5000)
    with pytest.raises(TypeError, match="maximum must be Money or a string"):
        project(maximum=20000)


# -- properties ----------------------------------------------------------------------------


@given(
    base=decimals(min_value=0, max_value=30000, places=2),
    factors=st.lists(decimals(min_value="0.1", max_value=3, places=3), max_size=3),
    low=decimals(min_value=0, max_value=10000, places=2),
    width=decimals(min_value=0, max_value=20000, places=2),
    start=st.dates(D(2026, 11, 1), D(2026, 11, 30)),
)
def test_the_fee_stays_within_its_bounds_and_prorates_by_days(
    base: Decimal, factors: list[Decimal], low: Decimal, width: Decimal, start: dt.date
) -> None:
    high = add(low, width)
    fee = ProjectFee(
        "Project",
        tiers={"only": Money(base, "CNY")},
        tier="only",
        factors=[(f"f{index}", factor) for index, factor in enumerate(factors)],
        minimum=Money(low, "CNY"),
        maximum=Money(high, "CNY"),
    )
    bounded = fee.bounded_fee()
    assert Fraction(low) <= bounded <= Fraction(high)
    unbounded = Fraction(base)
    for factor in factors:
        unbounded *= Fraction(factor)
    assert fee.unbounded_fee() == unbounded
    if Fraction(low) <= unbounded <= Fraction(high):
        assert bounded == unbounded
    contract = Contract("Shop", "CNY", [fee], term=Window(start=start))
    line = contract.invoice({}, Period.month(2026, 11)).lines[0]
    # the days from the start to the end of November, out of 30
    assert line.exact == bounded * Fraction((D(2026, 12, 1) - start).days, 30)
