"""Escalators: the messages, the descriptions and the mapping of amounts that the
mutation run found unpinned, each asserted whole (a text written out, a figure worked
out by hand in a comment)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pytest
from test_escalators import CPI, MINUTES, bill, escalated

from meterprice import (
    Commission,
    ContractError,
    Escalator,
    IndexValue,
    Money,
    PerUnit,
    PricingError,
)
from meterprice.components.escalators import _map_money


def message(error: type[Exception], **fields: object) -> str:
    with pytest.raises(error) as caught:
        escalated(**fields)
    return str(caught.value)


def test_what_the_component_must_be_is_said_whole() -> None:
    assert message(TypeError, percent=3, component="Minutes") == (
        "component must be a Component, not 'Minutes'"
    )
    tagged = PerUnit("M", metric="m", rate="1 EUR", tags={"b", "a"})
    assert message(ContractError, percent=3, component=tagged) == (
        "component: put the tags on the escalator, not on the component it escalates (got a, b)"
    )
    dated = PerUnit("M", metric="m", rate="1 EUR", active={"start": "2026-01-01"})
    assert message(ContractError, percent=3, component=dated) == (
        "component: put the active window on the escalator, not on the component it escalates"
    )
    twice = Escalator("E", component=MINUTES, anniversary="2026-01-01", percent=1)
    assert message(ContractError, percent=3, component=twice) == (
        "component: a Escalator cannot be escalated: escalate the component once"
    )
    sales = Commission("C", metric="sales", percent=5)
    assert message(ContractError, percent=3, component=sales, round_at="rate", places=2) == (
        "component: a Commission cannot be escalated: its amounts are bounds on sales, not prices"
    )


def test_what_the_index_must_be_is_said_whole() -> None:
    assert message(TypeError, index="CPI") == "index must be a list of IndexValue, not 'CPI'"
    assert message(TypeError, index=b"CPI") == "index must be a list of IndexValue, not b'CPI'"
    assert message(TypeError, index={"a": 1}) == (
        "index must be a list of IndexValue, not {'a': 1}"
    )
    assert message(TypeError, index=[CPI[0], "x"]) == "index[1] is not an IndexValue: 'x'"
    assert message(ContractError, index=[CPI[1], CPI[0]]) == (
        "index[1]: the dates must increase (2026-01-01 after 2027-01-01)"
    )
    # the same date twice does not increase either
    assert message(ContractError, index=[CPI[0], IndexValue("2026-01-01", "101")]) == (
        "index[1]: the dates must increase (2026-01-01 after 2026-01-01)"
    )
    with pytest.raises(ContractError) as caught:
        IndexValue("2026-01-01", "-1")
    assert str(caught.value) == "an index value must be positive (got '-1')"
    assert IndexValue("2026-01-01", "0.001").value > 0  # the smallest values are positive


@pytest.mark.parametrize("places", [-1, 13, True, 2.0, "2"])
def test_places_outside_0_to_12_or_not_whole_are_refused(places: object) -> None:
    assert message(ContractError, percent=3, round_at="rate", places=places) == (
        f"places must be a whole number from 0 to 12 (got {places!r})"
    )


@pytest.mark.parametrize("places", [0, 12])
def test_places_0_and_12_are_taken(places: int) -> None:
    contract = escalated(percent=3, round_at="rate", places=places)
    # 2027: 0.95 x 1.03 = 0.9785, rounded to 0 decimals: 1 EUR a minute, 1000 x 1 = 1000;
    # to 12 decimals it stays 0.9785: 978.50
    assert str(bill(contract, "2027-02").total) == ("1000.00 EUR" if not places else "978.50 EUR")


def test_the_rules_of_the_fields_are_said_whole() -> None:
    assert message(ContractError) == (
        "give either percent (a yearly uplift) or index (index values), not neither"
    )
    assert message(ContractError, percent=3, index=CPI) == (
        "give either percent (a yearly uplift) or index (index values), not both"
    )
    for bound in ({"floor": 0}, {"cap": 5}):
        assert message(ContractError, percent=3, **bound) == (
            "floor and cap bound an index's yearly change, not a percent"
        )
    assert message(ContractError, index=CPI, compound=False) == (
        "compound: an index escalator always compounds its steps"
    )
    assert message(ContractError, index=CPI, floor=5, cap=2) == (
        "floor (5) must not be above cap (2)"
    )
    escalated(index=CPI, floor=3, cap=3)  # equal bounds: a fixed 3 %
    assert message(ContractError, percent=3, places=2) == (
        "places: give it with round_at 'rate' or 'factor' (the decimals rates or the "
        "factor are rounded to), and not with round_at 'line'"
    )


def test_a_missing_index_value_is_said_whole() -> None:
    contract = escalated(index=[IndexValue("2026-06-01", "100")])
    with pytest.raises(PricingError) as caught:
        bill(contract, "2027-01")
    assert str(caught.value) == (
        "component 'Minutes': no index value on or before 2026-01-01 "
        "(the index starts on 2026-06-01)"
    )


def describe(**fields: object) -> str:
    return bill(escalated(**fields), "2029-06").lines[0].basis


def test_where_the_factor_comes_from_is_described_whole() -> None:
    # 3 steps of 3 %, not compounded: 1 + 3 x 0.03 = 1.09; 1000 x 0.95 x 1.09 = 1035.50
    assert describe(percent=3, compound=False) == (
        "1000 min x 0.95 EUR, escalated x factor 1.09 (3% a year not compounded, "
        "3 step(s) from 2026-01-01)"
    )
    # the index steps 1.045, 104/104.5 and 1.08: floor 0 % only, so 1.045 x 1 x 1.08 =
    # 1.1286
    assert describe(index=CPI, floor=0) == (
        "1000 min x 0.95 EUR, escalated x factor 1.1286 (index change within 0%, "
        "3 step(s) from 2026-01-01)"
    )
    # cap 5 % only: 1.045 x 104/104.5 x 1.05 = 1.092 (104 x 1.05 / 100)
    assert describe(index=CPI, cap=5) == (
        "1000 min x 0.95 EUR, escalated x factor 1.092 (index change within 5%, "
        "3 step(s) from 2026-01-01)"
    )
    # no bounds: 112.32 / 100 = 1.1232
    assert describe(index=CPI) == (
        "1000 min x 0.95 EUR, escalated x factor 1.1232 (index, 3 step(s) from 2026-01-01)"
    )
    # 1.03 ** 3 = 1.092727, rounded to 2 decimals: 1.09
    assert describe(percent=3, round_at="factor", places=2) == (
        "1000 min x 1.0355 EUR (base rate 0.95 EUR, escalated x factor 1.092727 (3% a year "
        "compounded, 3 step(s) from 2026-01-01), rounded to 1.09)"
    )


@attrs.frozen
class _Named:
    price: Money = attrs.field(alias="cost")
    table: Mapping[str, Money] = attrs.field(factory=dict)
    pair: tuple[Money, ...] = ()
    fixed: Money = attrs.field(init=False, default=Money("9.00", "EUR"))


def test_mapping_money_keeps_what_does_not_change_and_follows_aliases() -> None:
    same = _Named(Money("1.00", "EUR"), {"a": Money("2.00", "EUR")}, (Money("3.00", "EUR"),))
    assert _map_money(same, lambda money: money) is same  # nothing changed: the same value
    pair = (Money("3.00", "EUR"), "x")
    assert _map_money(pair, lambda money: money) is pair
    table = {"a": Money("2.00", "EUR"), "b": 1}
    assert _map_money(table, lambda money: money) is table
    doubled = _map_money(same, lambda money: Money(money.amount * 2, money.currency))
    # the aliased field is set by its alias; a field that init does not take is left alone
    assert doubled.price == Money("2.00", "EUR")
    assert doubled.table == {"a": Money("4.00", "EUR")}
    assert doubled.pair == (Money("6.00", "EUR"),)
    assert doubled.fixed == Money("9.00", "EUR")
    assert _map_money(7, lambda money: money) == 7
