"""MatrixRate: what mutation testing found unpinned.

Every field of its charges (tags and dimensions, a basis without a unit), the whole
messages of its refusals (several combinations joined, the names of ``by``), the
canonical price table taken as it is or refused when a pair is not a pair, and a
table of exactly ``MAX_PRICES`` prices. Figures computed by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest
from direct_pricing import context

from meterprice import Contract, Dimensions, MatrixRate, Money, Usage
from meterprice.components.base import Charge
from meterprice.components.matrix import MAX_PRICES
from meterprice.errors import ContractError, InvalidTypeError, PricingError

BY = ("language", "channel")


def _minutes(**options: object) -> MatrixRate:
    settings: dict[str, object] = {
        "metric": "minutes",
        "by": BY,
        "prices": {("de", "phone"): "1.10 EUR"},
    }
    settings.update(options)
    return MatrixRate("Minutes", **settings)  # type: ignore[arg-type]


def _used(**quantities: int) -> Usage:
    """Minutes by ``language_channel`` keyword, e.g. ``de_phone=100``."""
    totals: dict[object, object] = {}
    for name, quantity in quantities.items():
        language, channel = name.split("_")
        totals[("minutes", Dimensions({"language": language, "channel": channel}))] = quantity
    return Usage.from_totals(totals)


def _priced(component: MatrixRate, usage: Usage) -> Sequence[Charge]:
    """The charges of ``component`` priced directly over November (tags included)."""
    ctx = context(usage)
    return component.price(ctx)


def test_charges_carry_tags_and_dimensions_and_a_basis_without_a_unit() -> None:
    # no unit: the basis has none; de/phone 100 x 1.10 = 110.00, nl/chat at the
    # default 50 x 0.80 = 40.00, in the order of the combinations
    component = _minutes(default="0.80 EUR", tags={"usage"})
    charges = _priced(component, _used(nl_chat=50, de_phone=100))
    assert list(charges) == [
        Charge(
            description="Minutes (language=de, channel=phone)",
            amount=Fraction(110),
            basis="100 x 1.10 EUR",
            quantity=Fraction(100),
            unit=None,
            unit_price=Decimal("1.10"),
            tags=frozenset({"usage"}),
            dimensions={"language": "de", "channel": "phone"},
        ),
        Charge(
            description="Minutes (language=nl, channel=chat)",
            amount=Fraction(40),
            basis="50 x 0.80 EUR (default price)",
            quantity=Fraction(50),
            unit=None,
            unit_price=Decimal("0.80"),
            tags=frozenset({"usage"}),
            dimensions={"language": "nl", "channel": "chat"},
        ),
    ]
    assert charges[0].dimensions == Dimensions({"language": "de", "channel": "phone"})


def test_invoice_lines_keep_the_dimensions_they_price() -> None:
    contract = Contract("C", "EUR", [_minutes(default="0.80 EUR")])
    invoice = contract.invoice(_used(de_phone=100, nl_chat=50), "2026-11")
    assert [(line.basis, line.dimensions) for line in invoice.lines] == [
        ("100 x 1.10 EUR", Dimensions({"language": "de", "channel": "phone"})),
        ("50 x 0.80 EUR (default price)", Dimensions({"language": "nl", "channel": "chat"})),
    ]
    assert invoice.total == Money("150.00", "EUR")


# -- refusals and their messages ------------------------------------------------------------------


def test_combinations_without_a_price_are_all_named() -> None:
    # fr/chat and nl/phone have no price and there is no default
    message = (
        "component 'Minutes': no price for language=fr, channel=chat (20 min); "
        "language=nl, channel=phone (50 min) in 'minutes' and no default; add the "
        "combination to prices or give a default"
    )
    with pytest.raises(PricingError, match=f"^{re.escape(message)}$"):
        _priced(_minutes(unit="min"), _used(nl_phone=50, de_phone=1, fr_chat=20))


def test_a_combination_without_a_price_and_without_a_unit_shows_no_unit() -> None:
    message = (
        "component 'Minutes': no price for language=nl, channel=phone (50) in 'minutes' "
        "and no default; add the combination to prices or give a default"
    )
    with pytest.raises(PricingError, match=f"^{re.escape(message)}$"):
        _priced(_minutes(), _used(nl_phone=50))


def test_usage_lacking_a_dimension_is_refused_naming_every_group() -> None:
    # one group has only a language, one no dimensions at all
    usage = Usage.from_totals(
        {("minutes", Dimensions({"language": "de"})): 10, "minutes": 5}
    ) + _used(de_phone=1)
    message = (
        "component 'Minutes' prices 'minutes' by language, channel but some usage lacks "
        "one of those dimensions: no dimensions (5); language=de (10); keep them in the "
        "meter's group_by and on the events"
    )
    with pytest.raises(PricingError, match=f"^{re.escape(message)}$"):
        _priced(_minutes(), usage)


def test_an_empty_by_is_refused_with_the_whole_message() -> None:
    with pytest.raises(ContractError, match=r"^by must name at least one dimension$"):
        _minutes(by=())


def test_no_prices_and_no_default_is_refused_with_the_whole_message() -> None:
    message = (
        "component 'Minutes': prices is empty and there is no default, so no usage could be priced"
    )
    with pytest.raises(ContractError, match=f"^{re.escape(message)}$"):
        _minutes(prices={})


# -- the price table ------------------------------------------------------------------------------


def test_a_table_of_pairs_that_are_not_pairs_is_refused() -> None:
    price = Money("1.10", "EUR")
    # a tuple of three: not a (values, price) pair even in an otherwise canonical table
    with pytest.raises(InvalidTypeError, match=re.escape("prices entries must be (values, price)")):
        _minutes(by="language", prices=((("de",), price, "extra"),))
    # a list of two: converted (and refused), not taken as canonical
    with pytest.raises(InvalidTypeError, match=re.escape("prices entries must be (values, price)")):
        _minutes(by="language", prices=([("de",), price],))
    with pytest.raises(InvalidTypeError, match=re.escape("pairs, not ['de', '1.10 EUR']")):
        _minutes(by="language", prices=(["de", "1.10 EUR"],))


def test_a_table_of_exactly_max_prices_is_accepted() -> None:
    price = Money("1.00", "EUR")
    prices = tuple(((f"k{i:06d}",), price) for i in range(MAX_PRICES))
    component = MatrixRate("M", metric="minutes", by=("k",), prices=prices)
    assert len(component.prices) == 100_000
    assert component.price_for(("k099999",)) == price
