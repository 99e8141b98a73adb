"""Component behaviour that mutation testing found unpinned (rates and adjustments):
every field of the lines, not only their amounts. Figures computed by hand.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from direct_pricing import context, fields

from meterprice import Contract, Usage
from meterprice.components import (
    MinimumSpend,
    MinimumVolume,
    Package,
    Percentage,
    PerUnit,
    Tier,
    Tiered,
)
from meterprice.components.base import Charge, Component
from meterprice.dimensions import Dimensions
from meterprice.errors import ContractError, InvalidTypeError
from meterprice.invoice import Invoice
from meterprice.money import Money


def _invoice(components: list[Component], usage: object) -> Invoice:
    contract = Contract("C", "EUR", components, unpriced="ignore")
    return contract.invoice(usage, "2026-11")  # type: ignore[arg-type]


# -- tiers -------------------------------------------------------------------------------------


def _volume() -> Tiered:
    return Tiered(
        "Minutes",
        metric="minutes",
        tiers=[Tier(100, "1.00 EUR"), Tier(None, "0.50 EUR", flat="10.00 EUR")],
        mode="volume",
        unit="min",
        tags={"usage"},
    )


def test_a_volume_tier_line_has_every_field() -> None:
    (line,) = _invoice([_volume()], {"minutes": 150}).lines
    # all 150 minutes at the second tier's 0.50, plus its flat 10.00: 75.00 + 10.00
    assert fields(line) == (
        "Minutes (tier 2: over 100 min)",
        "85.00 EUR",
        "150 min x 0.50 EUR (all units at tier 2) + flat 10.00 EUR",
        Fraction(150),
        "min",
        Money("0.50", "EUR"),
        frozenset({"usage"}),
    )


def test_a_volume_total_on_a_boundary_stays_in_the_lower_tier() -> None:
    (line,) = _invoice([_volume()], {"minutes": 100}).lines
    assert fields(line) == (
        "Minutes (tier 1: 0-100 min)",
        "100.00 EUR",
        "100 min x 1.00 EUR (all units at tier 1)",
        Fraction(100),
        "min",
        Money("1.00", "EUR"),
        frozenset({"usage"}),
    )


def test_no_usage_gives_no_volume_line() -> None:
    assert _invoice([_volume()], {"minutes": 0}).lines == ()


def test_a_tier_up_to_one_unit() -> None:
    assert Tier(1, "1.00 EUR").up_to == Decimal(1)
    tiered = Tiered("Calls", metric="calls", tiers=[Tier(1, "1.00 EUR"), Tier(None, "0.50 EUR")])
    lines = _invoice([tiered], {"calls": 3}).lines
    # graduated: 1 call at 1.00, the other 2 at 0.50
    assert [(line.description, str(line.amount), line.quantity) for line in lines] == [
        ("Calls (tier 1: 0-1)", "1.00 EUR", Fraction(1)),
        ("Calls (tier 2: over 1)", "1.00 EUR", Fraction(2)),
    ]
    with pytest.raises(ContractError, match=r"up_to must be positive \(got 0\)"):
        Tier(0, "1.00 EUR")


# -- packages ----------------------------------------------------------------------------------


def test_a_package_line_with_a_filter_counts_only_the_selected_usage() -> None:
    package = Package(
        "Chat bundles",
        metric="chats",
        size=1000,
        price="450.00 EUR",
        where={"channel": "chat"},
        unit="chats",
        tags={"usage"},
    )
    usage = Usage.from_totals(
        {
            ("chats", Dimensions({"channel": "chat"})): 1500,
            ("chats", Dimensions({"channel": "mail"})): 5000,  # not selected
        }
    )
    (line,) = _invoice([package], usage).lines
    # 1,500 chats need 2 packages of 1,000: 2 x 450.00
    assert fields(line) == (
        "Chat bundles",
        "900.00 EUR",
        "2 package(s) of 1000 chats for 1500 chats x 450.00 EUR",
        Fraction(2),
        "package",
        Money("450.00", "EUR"),
        frozenset({"usage"}),
    )


# -- percentages -------------------------------------------------------------------------------


def _usage_line() -> PerUnit:
    return PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"})


def test_a_percentage_line_has_every_field() -> None:
    percentage = Percentage(
        "PM", percent=6, of={"usage"}, tags={"fees"}, description="Project management"
    )
    usage_line, line = _invoice([_usage_line(), percentage], {"minutes": 1000}).lines
    # 6 % of 1,000.00 = 60.00
    assert fields(line) == (
        "Project management",
        "60.00 EUR",
        "6% of 1000 EUR (lines tagged usage)",
        Fraction(1000),
        "EUR",
        Money("0.06", "EUR"),
        frozenset({"fees"}),
    )
    assert usage_line.tags == frozenset({"usage"})


def test_a_percentage_of_every_line_names_them_all() -> None:
    (_, line) = _invoice([_usage_line(), Percentage("Fee", percent=10)], {"minutes": 50}).lines
    assert (line.description, str(line.amount), line.basis) == (
        "Fee",
        "5.00 EUR",
        "10% of 50 EUR (all lines above)",
    )


def test_a_percentage_unit_price_ignores_a_three_digit_context() -> None:
    percentage = Percentage("Fee", percent="12.3456")
    with decimal.localcontext(decimal.Context(prec=3)):
        (_, line) = _invoice([_usage_line(), percentage], {"minutes": 1000}).lines
    # 12.3456 % of 1,000.00 = 123.456 -> 123.46; the unit price keeps all six digits
    assert line.unit_price == Money("0.123456", "EUR")
    assert str(line.amount) == "123.46 EUR"


def test_a_percentage_of_zero_is_allowed_and_a_negative_one_refused() -> None:
    lines = _invoice([_usage_line(), Percentage("Free", percent=0)], {"minutes": 10}).lines
    assert [str(line.amount) for line in lines] == ["10.00 EUR", "0.00 EUR"]
    with pytest.raises(ContractError, match=r"percent must not be negative \(got -1\)"):
        Percentage("Refund", percent=-1)


# -- minimums ----------------------------------------------------------------------------------


def test_a_minimum_spend_line_has_its_description_tags_and_basis() -> None:
    floor = MinimumSpend(
        "Floor",
        amount="100.00 EUR",
        of={"usage"},
        tags={"true-up"},
        description="Minimum monthly spend",
    )
    (_, line) = _invoice([_usage_line(), floor], {"minutes": 40}).lines
    # 100.00 - 40.00 = 60.00
    assert fields(line) == (
        "Minimum monthly spend",
        "60.00 EUR",
        "minimum 100 EUR less 40 EUR (lines tagged usage)",
        None,
        None,
        None,
        frozenset({"true-up"}),
    )


def test_a_subtotal_exactly_at_the_minimum_spend_needs_no_line() -> None:
    floor = MinimumSpend("Floor", amount="100.00 EUR")
    lines = _invoice([_usage_line(), floor], {"minutes": 100}).lines
    assert [line.description for line in lines] == ["Minutes"]
    (_, short) = _invoice([_usage_line(), floor], {"minutes": "99.99"}).lines
    assert str(short.amount) == "0.01 EUR"
    assert short.basis == "minimum 100 EUR less 99.99 EUR (all lines above)"


def _minimum() -> MinimumVolume:
    return MinimumVolume(
        "Minimum",
        metric="minutes",
        quantity=100,
        rate="0.90 EUR",
        unit="min",
        tags={"minimum"},
        description="Minimum volume",
    )


def test_a_minimum_volume_line_has_every_field() -> None:
    (line,) = _invoice([_minimum()], {"minutes": 60}).lines
    # 100 - 60 = 40 minutes short, x 0.90 = 36.00
    assert fields(line) == (
        "Minimum volume",
        "36.00 EUR",
        "minimum 100 min less 60 min used = 40 min x 0.90 EUR",
        Fraction(40),
        "min",
        Money("0.90", "EUR"),
        frozenset({"minimum"}),
    )


@pytest.mark.parametrize(
    ("used", "shortfall", "amount"),
    [
        ("99", Fraction(1), "0.90 EUR"),  # one unit short: 1 x 0.90
        ("99.5", Fraction(1, 2), "0.45 EUR"),  # half a unit: 0.5 x 0.90
    ],
)
def test_a_shortfall_of_one_unit_or_less_is_billed(
    used: str, shortfall: Fraction, amount: str
) -> None:
    (line,) = _invoice([_minimum()], {"minutes": used}).lines
    assert line.quantity == shortfall
    assert str(line.amount) == amount


def test_no_shortfall_no_minimum_volume_line() -> None:
    assert _invoice([_minimum()], {"minutes": 100}).lines == ()
    assert _invoice([_minimum()], {"minutes": 101}).lines == ()


def test_money_of_the_components_is_their_money() -> None:
    assert _minimum().rate == Money("0.90", "EUR")
    assert MinimumSpend("F", amount="5.00 EUR").amount == Money("5.00", "EUR")


# -- found by the mutation session --------------------------------------------------------------


def test_a_minimum_spend_without_proration_in_a_partial_period_keeps_the_whole_floor() -> None:
    floor = MinimumSpend("Floor", amount="100.00 EUR", active={"start": "2026-11-16"})
    (_, line) = _invoice([_usage_line(), floor], {"minutes": 40}).lines
    # not prorated: the whole 100.00 less 40.00, and the basis says nothing of days
    assert str(line.amount) == "60.00 EUR"
    assert line.basis == "minimum 100 EUR less 40 EUR (all lines above)"


def test_a_minimum_volume_without_a_unit() -> None:
    minimum = MinimumVolume("Minimum", metric="minutes", quantity=100, rate="0.90 EUR")
    (line,) = _invoice([minimum], {"minutes": 60}).lines
    assert line.basis == "minimum 100 less 60 used = 40 x 0.90 EUR"
    assert line.unit is None


# -- found by the second mutation round: rates -------------------------------------------------


def test_a_package_price_error_names_the_price() -> None:
    with pytest.raises(InvalidTypeError, match=r"^price must be Money or a string"):
        Package("Chat bundles", metric="chats", size=1000, price=450)
    with pytest.raises(ValueError, match=r"^price: "):
        Package("Chat bundles", metric="chats", size=1000, price="450")


def _graduated() -> Tiered:
    return Tiered(
        "Minutes",
        metric="minutes",
        tiers=[Tier(100, "1.00 EUR"), Tier(None, "0.50 EUR", flat="10.00 EUR")],
        unit="min",
        tags={"usage"},
    )


def test_graduated_tier_lines_have_every_field() -> None:
    first, second = _invoice([_graduated()], {"minutes": 150}).lines
    # the first 100 minutes at 1.00 = 100.00; the other 50 at 0.50 = 25.00, plus the flat 10.00
    assert fields(first) == (
        "Minutes (tier 1: 0-100 min)",
        "100.00 EUR",
        "100 min x 1.00 EUR",
        Fraction(100),
        "min",
        Money("1.00", "EUR"),
        frozenset({"usage"}),
    )
    assert fields(second) == (
        "Minutes (tier 2: over 100 min)",
        "35.00 EUR",
        "50 min x 0.50 EUR + flat 10.00 EUR",
        Fraction(50),
        "min",
        Money("0.50", "EUR"),
        frozenset({"usage"}),
    )


def _flat_at_zero(tiers: list[Tier], *, flat_at_zero: bool = True) -> Tiered:
    return Tiered(
        "Tickets",
        metric="tickets",
        tiers=tiers,
        unit="tk",
        tags={"usage"},
        description="Ticket desk",
        flat_at_zero=flat_at_zero,
    )


TWO_FLATS = [Tier(1000, "0.10 EUR", flat="50.00 EUR"), Tier(None, "0.08 EUR", flat="5.00 EUR")]


@pytest.mark.parametrize("usage", [{"tickets": 0}, {}])
def test_the_flat_fee_at_zero_line_has_every_field(usage: dict[str, int]) -> None:
    (line,) = _invoice([_flat_at_zero(TWO_FLATS)], usage).lines
    # nothing used: the first tier's flat 50.00 alone, not the second tier's 5.00
    assert fields(line) == (
        "Ticket desk (tier 1: 0-1000 tk)",
        "50.00 EUR",
        "no usage (0 tk): flat 50.00 EUR of tier 1",
        Fraction(0),
        "tk",
        Money("0.10", "EUR"),
        frozenset({"usage"}),
    )


def test_the_flat_fee_at_zero_of_an_open_first_tier() -> None:
    tiered = _flat_at_zero([Tier(None, "0.10 EUR", flat="50.00 EUR")])
    (line,) = _invoice([tiered], {"tickets": 0}).lines
    assert (line.description, str(line.amount)) == ("Ticket desk (tier 1: over 0 tk)", "50.00 EUR")


def test_a_flat_first_tier_without_the_option_bills_nothing_at_zero() -> None:
    assert _invoice([_flat_at_zero(TWO_FLATS, flat_at_zero=False)], {"tickets": 0}).lines == ()


def test_the_option_needs_the_flat_fee_on_the_first_tier_only() -> None:
    # a flat fee on the first tier and none on the second is enough
    only_first = [Tier(1000, "0.10 EUR", flat="50.00 EUR"), Tier(None, "0.08 EUR")]
    assert _flat_at_zero(only_first).tiers == tuple(only_first)
    message = "component 'Tickets': flat_at_zero charges the flat fee of tiers[0], which has none"
    only_second = [Tier(1000, "0.10 EUR"), Tier(None, "0.08 EUR", flat="5.00 EUR")]
    with pytest.raises(ContractError, match="^" + re.escape(message) + "$"):
        _flat_at_zero(only_second)
    not_a_tier: list[Tier] = ["tier", Tier(None, "0.08 EUR")]  # type: ignore[list-item]
    with pytest.raises(ContractError, match="^" + re.escape(message) + "$"):
        _flat_at_zero(not_a_tier)
    with pytest.raises(InvalidTypeError, match=r"^flat_at_zero must be true or false, not 'yes'$"):
        Tiered("T", metric="t", tiers=only_first, flat_at_zero="yes")  # type: ignore[arg-type]


def _priced(component: Component, usage: dict[object, object]) -> tuple[Charge, ...]:
    """The charges of ``component`` priced directly, as a wrapping component sees them."""
    ctx = context(usage)
    return tuple(component.price(ctx))


def test_the_charges_themselves_carry_the_component_tags() -> None:
    # the contract adds a component's tags to its lines; a caller of price() sees only
    # what each charge carries
    package = Package("Bundles", metric="chats", size=10, price="4.00 EUR", tags={"usage"})
    assert [c.tags for c in _priced(package, {"chats": 15})] == [frozenset({"usage"})]
    volume = _volume()
    assert [c.tags for c in _priced(volume, {"minutes": 150})] == [frozenset({"usage"})]
    graduated = _graduated()
    assert [c.tags for c in _priced(graduated, {"minutes": 150})] == [frozenset({"usage"})] * 2
    at_zero = _flat_at_zero(TWO_FLATS)
    assert [c.tags for c in _priced(at_zero, {"tickets": 0})] == [frozenset({"usage"})]
