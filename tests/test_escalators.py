"""Escalators: yearly percentage and index-linked uplifts of a component's rates, the
rounding point declared, the base rate and the factor on every line.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Charge,
    Component,
    Contract,
    ContractError,
    Escalator,
    IndexValue,
    Invoice,
    MinimumSpend,
    Money,
    PerUnit,
    PricingContext,
    PricingError,
    RecurringFee,
    SetupFee,
    SpecError,
    Tier,
    Tiered,
    dumps_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function
from meterprice.components.escalators import _map_money

MINUTES = PerUnit("Minutes", metric="handle_minutes", rate="0.95 EUR", unit="min")


def escalated(**fields: object) -> Contract:
    options: dict[str, object] = {"component": MINUTES, "anniversary": "2026-01-01"}
    options.update(fields)
    return Contract(
        "Support",
        "EUR",
        [Escalator("Minutes", tags={"usage"}, **options)],  # type: ignore[arg-type]
    )


def bill(contract: Contract, period: str, minutes: int = 1000) -> Invoice:
    return contract.invoice({"handle_minutes": minutes}, period)


def amount(contract: Contract, period: str, minutes: int = 1000) -> str:
    return str(bill(contract, period, minutes).total)


# -- yearly percentages ----------------------------------------------------------------------
def test_a_yearly_percentage_compounds_from_the_anniversary() -> None:
    contract = escalated(percent=3)
    assert amount(contract, "2026-06") == "950.00 EUR"  # 1000 x 0.95, no anniversary yet
    assert bill(contract, "2026-06").lines[0].basis == "1000 min x 0.95 EUR"  # the base rate
    assert amount(contract, "2027-01") == "978.50 EUR"  # x 1.03 = 0.9785
    # x 1.03^2 = 1.0609: 1007.855, the line rounded once (half up)
    invoice = bill(contract, "2028-03")
    assert str(invoice.total) == "1007.86 EUR"
    assert invoice.lines[0].explain() == (
        "Minutes: 1000 min x 0.95 EUR, escalated x factor 1.0609 (3% a year compounded, "
        "2 step(s) from 2026-01-01) = 1007.855 EUR, rounded to 1007.86 EUR"
    )
    assert str(invoice.lines[0].unit_price) == "1.007855 EUR"  # the escalated rate
    assert "usage" in invoice.lines[0].tags


def test_not_compounded() -> None:
    # 2028: 1 + 2 x 3 % = 1.06 -> 1000 x 0.95 x 1.06 = 1007.00
    assert amount(escalated(percent=3, compound=False), "2028-03") == "1007.00 EUR"


def test_a_step_takes_effect_from_the_first_period_starting_on_its_anniversary() -> None:
    contract = escalated(percent=3, anniversary="2026-01-15")
    assert amount(contract, "2027-01") == "950.00 EUR"  # 2027-01-15 is after 1 January
    assert amount(contract, "2027-02") == "978.50 EUR"


def test_the_rounding_point_is_declared() -> None:
    # rates rounded to 4 decimals: 0.95 x 1.0609 = 1.007855 -> 1.0079; x 1000 = 1007.90
    by_rate = bill(escalated(percent=3, round_at="rate", places=4), "2028-03")
    assert str(by_rate.total) == "1007.90 EUR"
    assert str(by_rate.lines[0].unit_price) == "1.0079 EUR"
    assert by_rate.lines[0].basis == (
        "1000 min x 1.0079 EUR (base rate 0.95 EUR, escalated x factor 1.0609 (3% a year "
        "compounded, 2 step(s) from 2026-01-01), rounded to 4 decimals)"
    )
    # the factor rounded to 3 decimals: 1.061; 0.95 x 1.061 = 1.00795; x 1000 = 1007.95
    by_factor = bill(escalated(percent=3, round_at="factor", places=3), "2028-03")
    assert str(by_factor.total) == "1007.95 EUR"
    assert "rounded to 1.061" in by_factor.lines[0].basis


def test_every_amount_of_the_component_is_escalated() -> None:
    tiers = Tiered(
        "Chats",
        metric="chats",
        tiers=[Tier(1000, "0.50 EUR"), Tier(None, "0.40 EUR", flat="10.00 EUR")],
    )
    contract = Contract(
        "Chats",
        "EUR",
        [
            Escalator(
                "Chats",
                component=tiers,
                anniversary="2026-01-01",
                percent=10,
                round_at="rate",
                places=2,
                tags={"usage"},
            ),
            MinimumSpend("Floor", amount="100.00 EUR", of={"usage"}),
        ],
    )
    invoice = contract.invoice({"chats": 1500}, "2027-05")
    # 0.50 x 1.1 = 0.55, 0.40 x 1.1 = 0.44, flat 10 x 1.1 = 11.00:
    # 1000 x 0.55 = 550.00, 500 x 0.44 = 220.00 + flat 11.00 = 231.00 (one line per tier)
    assert [str(line.amount) for line in invoice.lines] == ["550.00 EUR", "231.00 EUR"]
    # the minimum after the escalator is not escalated: 100.00 is below 781.00, no line
    fee = Contract(
        "Fee",
        "EUR",
        [
            Escalator(
                "Fee",
                component=RecurringFee("Fee", amount="1000.00 EUR"),
                anniversary="2026-03-01",
                percent="2.5",
            )
        ],
    )
    assert str(fee.invoice({}, "2027-03").total) == "1025.00 EUR"


# -- index-linked ----------------------------------------------------------------------------
CPI = [
    IndexValue("2026-01-01", "100"),
    IndexValue("2027-01-01", "104.5"),
    IndexValue("2028-01-01", "104.0"),
    IndexValue("2029-01-01", "112.32"),
]


def test_an_index_with_floor_and_cap() -> None:
    contract = escalated(index=CPI, floor=0, cap=5)
    # 2027: 104.5 / 100 = +4.5 % -> 1.045; 950 x 1.045 = 992.75
    assert amount(contract, "2027-06") == "992.75 EUR"
    # 2028: 104 / 104.5 = -0.48 % -> the floor 0 %: still 1.045
    assert amount(contract, "2028-06") == "992.75 EUR"
    # 2029: 112.32 / 104 = +8 % -> the cap 5 %: 1.045 x 1.05 = 1.09725; 950 x 1.09725 =
    # 1042.3875 -> 1042.39
    invoice = bill(contract, "2029-06")
    assert str(invoice.total) == "1042.39 EUR"
    assert "factor 1.09725 (index change within 0% and 5%, 3 step(s)" in invoice.lines[0].basis
    assert contract.components[0].steps(dt.date(2029, 6, 1)) == [  # type: ignore[attr-defined]
        (dt.date(2027, 1, 1), Fraction(209, 200)),
        (dt.date(2028, 1, 1), Fraction(1)),
        (dt.date(2029, 1, 1), Fraction(21, 20)),
    ]


def test_an_index_ratio_that_does_not_terminate_stays_exact() -> None:
    contract = escalated(index=[IndexValue("2026-01-01", "300"), IndexValue("2027-01-01", "301")])
    invoice = bill(contract, "2027-02", minutes=3000)
    # 3000 x 0.95 x 301/300 = 2859.50 exactly
    assert str(invoice.total) == "2859.50 EUR"
    assert invoice.lines[0].unit_price is None  # 0.95 x 301/300 does not terminate
    assert "factor 301/300" in invoice.lines[0].basis


def test_the_latest_index_value_on_or_before_the_anniversary_counts() -> None:
    contract = escalated(index=[IndexValue("2025-12-01", "100"), IndexValue("2026-12-01", "102")])
    assert amount(contract, "2027-01") == "969.00 EUR"  # 950 x 1.02


def test_a_missing_index_value_is_refused() -> None:
    contract = escalated(index=[IndexValue("2026-06-01", "100")])
    with pytest.raises(PricingError, match="no index value on or before 2026-01-01"):
        bill(contract, "2027-01")


def test_validation() -> None:
    with pytest.raises(ContractError, match=r"either percent .* or index .*, not neither"):
        escalated()
    with pytest.raises(ContractError, match="not both"):
        escalated(percent=3, index=CPI)
    with pytest.raises(ContractError, match="floor and cap bound an index"):
        escalated(percent=3, cap=5)
    with pytest.raises(ContractError, match="must not be above cap"):
        escalated(index=CPI, floor=5, cap=2)
    with pytest.raises(ContractError, match="places: give it with round_at"):
        escalated(percent=3, round_at="rate")
    with pytest.raises(ContractError, match="places: give it with round_at"):
        escalated(percent=3, places=2)
    with pytest.raises(ContractError, match="always compounds"):
        escalated(index=CPI, compound=False)
    with pytest.raises(ContractError, match=r"index\[1\]: the dates must increase"):
        escalated(index=[CPI[1], CPI[0]])
    with pytest.raises(ContractError, match="put the tags on the escalator"):
        escalated(percent=3, component=PerUnit("M", metric="m", rate="1 EUR", tags={"x"}))
    with pytest.raises(ContractError, match="put the active window on the escalator"):
        escalated(
            percent=3,
            component=PerUnit("M", metric="m", rate="1 EUR", active={"start": "2026-01-01"}),
        )
    with pytest.raises(ContractError, match="escalate the component once"):
        escalated(
            percent=3,
            component=Escalator("E", component=MINUTES, anniversary="2026-01-01", percent=1),
        )
    with pytest.raises(ContractError, match=r"components\[0\]\.component\.rate: .* USD"):
        escalated(percent=3, component=PerUnit("M", metric="m", rate="1 USD"))
    with pytest.raises(ContractError, match="an index value must be positive"):
        IndexValue("2026-01-01", 0)


@given(
    percent=st.integers(min_value=0, max_value=20),
    years=st.integers(min_value=0, max_value=6),
    minutes=st.integers(min_value=1, max_value=10**6),
)
def test_line_rounding_is_the_exact_factor_rounded_once(
    percent: int, years: int, minutes: int
) -> None:
    contract = escalated(percent=percent)
    period = f"{2026 + years}-02"
    exact = Fraction(minutes) * Fraction(95, 100) * (1 + Fraction(percent, 100)) ** years
    total = bill(contract, period, minutes).total.amount
    assert abs(Fraction(total) - exact) <= Fraction(1, 200)
    # the rounded rate never differs from the exact rate by more than half its last place
    by_rate = escalated(percent=percent, round_at="rate", places=4)
    line = bill(by_rate, period, minutes).lines[0]
    assert line.unit_price is not None
    rate = Fraction(95, 100) * (1 + Fraction(percent, 100)) ** years
    assert abs(Fraction(line.unit_price.amount) - rate) <= Fraction(1, 20000)


# -- documents and break-even ----------------------------------------------------------------
DOCUMENT = """
meterprice = 1
name = "Support"
currency = "EUR"

[[components]]
type = "escalator"
name = "Minutes"
anniversary = 2026-01-01
floor = "0"
cap = "5"
tags = ["usage"]
index = [
  { on = 2026-01-01, value = "100" },
  { on = 2027-01-01, value = "104.5" },
  { on = 2028-01-01, value = "104.0" },
  { on = 2029-01-01, value = "112.32" },
]

[components.component]
type = "per_unit"
name = "Minutes"
metric = "handle_minutes"
rate = "0.95"
unit = "min"
"""


def test_a_document_prices_as_python() -> None:
    loaded = loads_contract(DOCUMENT)
    assert loaded == escalated(index=CPI, floor=0, cap=5)
    assert loads_contract(dumps_contract(loaded)) == loaded
    assert amount(loaded, "2029-06") == "1042.39 EUR"


def test_document_errors_name_their_path() -> None:
    with pytest.raises(SpecError, match=r"components\[0\]\.component\.rate"):
        loads_contract(DOCUMENT.replace('rate = "0.95"', 'rate = "cheap"'))
    with pytest.raises(SpecError, match=r"components\[0\]\.index\[1\]\.value"):
        loads_contract(DOCUMENT.replace('"104.5"', '"-1"'))
    with pytest.raises(SpecError, match=r"components\[0\]\.component"):
        loads_contract(DOCUMENT.replace('unit = "min"', 'unit = "min"\ntags = ["x"]'))


def test_cost_functions_follow_the_factor() -> None:
    f = cost_function(escalated(percent=3), "handle_minutes", "2027-05", upto=1000)
    assert f(1000) == Fraction(9785, 10)  # 1000 x 0.95 x 1.03
    g = cost_function(
        escalated(percent=3, round_at="rate", places=2), "handle_minutes", "2028-05", upto=1000
    )
    # 0.95 x 1.0609 = 1.007855 -> 1.01
    assert g(1000) == Decimal("1010")


def test_malformed_values_are_refused() -> None:
    with pytest.raises(TypeError, match="component must be a Component"):
        escalated(percent=3, component="Minutes")
    with pytest.raises(TypeError, match="index must be a list of IndexValue"):
        escalated(index="CPI")
    with pytest.raises(TypeError, match=r"index\[0\] is not an IndexValue"):
        escalated(index=[("2026-01-01", "100")])
    with pytest.raises(ContractError, match="places must be a whole number from 0 to 12"):
        escalated(percent=3, round_at="rate", places=13)


def test_a_minimum_is_escalated_by_its_amount() -> None:
    floor = MinimumSpend("Floor", amount="100.00 EUR")
    with pytest.raises(ContractError, match="round_at: 'line' multiplies the component's"):
        Escalator("Fee", component=floor, anniversary="2026-01-01", percent=10)
    escalated_floor = Escalator(
        "Fee", component=floor, anniversary="2026-01-01", percent=10, round_at="factor", places=4
    )
    invoice = Contract(
        "Fee", "EUR", [PerUnit("Minutes", metric="m", rate="0.01 EUR"), escalated_floor]
    ).invoice({"m": 1}, "2027-02")
    # the floor 100.00 x 1.1 = 110.00, less the 0.01 above it: 109.99, a line without a
    # unit price
    assert [str(line.amount) for line in invoice.lines] == ["0.01 EUR", "109.99 EUR"]
    assert invoice.lines[1].unit_price is None
    assert "escalated x factor 1.1" in invoice.lines[1].basis


@attrs.frozen
class _Priced:
    price: Money
    table: Mapping[str, Money]
    label: str = "x"
    derived: int = attrs.field(init=False, default=0)


def test_every_money_inside_nested_values_is_mapped() -> None:
    value = _Priced(Money("1.00", "EUR"), {"a": Money("2.00", "EUR")})
    doubled = _map_money(value, lambda money: Money(money.amount * 2, money.currency))
    assert doubled.price == Money("2.00", "EUR")
    assert doubled.table == {"a": Money("4.00", "EUR")}
    unchanged = _map_money(_Priced(Money("1.00", "EUR"), {}), lambda money: money)
    assert unchanged.table == {}


def test_a_one_off_fee_is_escalated_in_its_month() -> None:
    setup = Escalator(
        "Setup",
        component=SetupFee("Setup", amount="1000.00 EUR", on="2027-03-01"),
        anniversary="2026-01-01",
        percent=5,
    )
    assert setup.one_off_dates == (("component.on", dt.date(2027, 3, 1)),)
    invoice = Contract("Setup", "EUR", [setup]).invoice({}, "2027-03")
    assert [str(line.amount) for line in invoice.lines] == ["1050.00 EUR"]  # 1000 x 1.05
    with pytest.raises(ContractError, match=r"components\[0\]\.component\.on: .* outside"):
        Contract("Setup", "EUR", [setup], term={"end": "2027-01-01"})


@attrs.frozen
class _Unruled(Component):
    """A component with no exact cost rule."""

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({"handle_minutes"})

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        return ()


def test_cost_function_names_an_escalated_component_without_a_rule() -> None:
    contract = escalated(percent=3, component=_Unruled("Custom"))
    with pytest.raises(ContractError, match=r"'Custom' .* no exact cost rule is registered"):
        cost_function(contract, "handle_minutes", "2027-05", upto=10)
