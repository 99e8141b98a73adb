"""Tiered rates that charge the first tier's flat fee even when nothing is used (the
option a Lago-style graduated or volume charge has), with its spec form and cost rule.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from meterprice import (
    Contract,
    ContractError,
    Money,
    SpecError,
    Tier,
    Tiered,
    TierMode,
    dumps_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function

TIERS = [Tier(1000, "0.10 EUR", flat="50.00 EUR"), Tier(None, "0.08 EUR")]


def contract(mode: TierMode = TierMode.GRADUATED, *, flat_at_zero: bool = True) -> Contract:
    return Contract(
        "Tickets",
        "EUR",
        [Tiered("Tickets", metric="tickets", tiers=TIERS, mode=mode, flat_at_zero=flat_at_zero)],
    )


@pytest.mark.parametrize("mode", list(TierMode))
def test_nothing_used_still_pays_the_first_flat_fee(mode: TierMode) -> None:
    for usage in ({"tickets": 0}, {}):
        invoice = contract(mode).invoice(usage, "2026-11")
        assert [str(line.amount) for line in invoice.lines] == ["50.00 EUR"]
        line = invoice.lines[0]
        assert line.description == "Tickets (tier 1: 0-1000)"
        assert line.quantity == 0
        assert line.basis == "no usage (0): flat 50.00 EUR of tier 1"


def test_without_the_option_nothing_used_bills_nothing() -> None:
    assert contract(flat_at_zero=False).invoice({"tickets": 0}, "2026-11").lines == ()


def test_usage_prices_as_before() -> None:
    # graduated 2000: 1000 x 0.10 + 50.00 flat + 1000 x 0.08 = 100 + 50 + 80 = 230.00
    assert contract().invoice({"tickets": 2000}, "2026-11").total == Money("230.00", "EUR")
    # volume 500: 500 x 0.10 + 50.00 = 100.00
    volume = contract(TierMode.VOLUME).invoice({"tickets": 500}, "2026-11")
    assert volume.total == Money("100.00", "EUR")


def test_the_option_needs_a_flat_fee_on_the_first_tier() -> None:
    with pytest.raises(ContractError, match="flat_at_zero charges the flat fee of tiers\\[0\\]"):
        Tiered("T", metric="t", tiers=[Tier(None, "0.10 EUR")], flat_at_zero=True)
    with pytest.raises(TypeError, match="flat_at_zero must be true or false"):
        Tiered("T", metric="t", tiers=TIERS, flat_at_zero="yes")  # type: ignore[arg-type]


def test_the_cost_function_starts_at_the_flat_fee() -> None:
    f = cost_function(contract(), "tickets", "2026-11", upto=3000)
    # 0: 50; 500: 50 + 50 = 100; 2000: 230
    assert (f(0), f(500), f(2000)) == (Fraction(50), Fraction(100), Fraction(230))
    g = cost_function(contract(flat_at_zero=False), "tickets", "2026-11", upto=3000)
    assert g(0) == 0
    assert g(Fraction(1, 2)) == Fraction(1001, 20)  # 0.5 x 0.10 + 50 = 50.05


DOCUMENT = """
meterprice = 1
name = "Tickets"
currency = "EUR"

[[components]]
type = "tiered"
name = "Tickets"
metric = "tickets"
flat_at_zero = true
tiers = [{ up_to = "1000", rate = "0.10", flat = "50.00" }, { rate = "0.08" }]
"""


def test_the_option_reads_from_toml_and_writes_back() -> None:
    loaded = loads_contract(DOCUMENT)
    assert loaded == contract()
    assert "flat_at_zero = true" in dumps_contract(loaded)
    with pytest.raises(SpecError, match=re.escape("components[0].flat_at_zero")):
        loads_contract(DOCUMENT.replace("flat_at_zero = true", 'flat_at_zero = "yes"'))
    with pytest.raises(SpecError, match=re.escape("components[0].flat_at_zero: charges the flat")):
        loads_contract(DOCUMENT.replace(', flat = "50.00"', ""))
