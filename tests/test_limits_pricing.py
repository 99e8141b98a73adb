"""Untrusted contracts with many components: pricing stays linear in the lines."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from types import FrameType

import attrs
import pytest

from meterprice import Contract
from meterprice.components import MinimumSpend, Percentage, PerUnit
from meterprice.components._lines import LinesSoFar, Subtotals
from meterprice.components.base import Charge, Component, PricingContext
from meterprice.invoice import Line
from meterprice.money import Money


def _chain(count: int) -> Contract:
    components: list[Component] = [PerUnit("Minutes", metric="minutes", rate="1.00 EUR")]
    components += [Percentage(f"P{i}", percent="0.01") for i in range(count)]
    return Contract("Chain", "EUR", components)


def _calls(contract: Contract) -> int:
    """The Python function calls made while pricing ``contract`` (an operation count)."""
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        contract.invoice({"minutes": 1000}, "2026-11")
    finally:
        sys.setprofile(None)
    return calls


def test_chained_percentages_cost_linear_work() -> None:
    small = _calls(_chain(200))
    large = _calls(_chain(400))
    # twice the components, about twice the calls; copying and summing every earlier
    # line for each component made it four times (4,000 took 45 s)
    assert large / small < 2.3


def test_chained_percentages_price_each_earlier_line() -> None:
    # 1000.00, then 0.01 % of each running total, rounded half-even each time:
    # 0.1 % of 1000.00 = 1.00; 0.1 % of 1001.00 = 1.001 -> 1.00; of 1002.00 -> 1.00
    contract = Contract(
        "Chain",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="1.00 EUR")]
        + [Percentage(f"P{i}", percent="0.1") for i in range(3)],
    )
    invoice = contract.invoice({"minutes": 1000}, "2026-11")
    assert [str(line.amount) for line in invoice.lines] == [
        "1000.00 EUR",
        "1.00 EUR",
        "1.00 EUR",
        "1.00 EUR",
    ]
    assert str(invoice.total) == "1003.00 EUR"


def test_subtotals_by_tags_stay_exact_when_tag_sets_interleave() -> None:
    usage = PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"})
    fees = PerUnit("Tickets", metric="tickets", rate="2.00 EUR", tags={"fees"})
    contract = Contract(
        "Tags",
        "EUR",
        [
            usage,
            Percentage("PM", percent="10", of={"usage"}),  # 10 % of 100.00
            fees,
            Percentage("All", percent="10"),  # 10 % of 100 + 10 + 40 = 15.00
            Percentage("Usage again", percent="10", of={"usage"}),  # still 10.00
            Percentage("Both", percent="10", of={"usage", "fees"}),  # of 140.00
            MinimumSpend("Floor", amount="200.00 EUR"),  # 200 - 189.00 = 11.00
        ],
    )
    invoice = contract.invoice({"minutes": 100, "tickets": 20}, "2026-11")
    assert [str(line.amount) for line in invoice.lines] == [
        "100.00 EUR",
        "10.00 EUR",
        "40.00 EUR",
        "15.00 EUR",
        "10.00 EUR",
        "14.00 EUR",
        "11.00 EUR",
    ]
    assert str(invoice.total) == "200.00 EUR"


@attrs.frozen
class _Seen(Component):
    """Records the lines it sees (a component that reads ``ctx.lines`` directly)."""

    seen: list[Sequence[Line]] = attrs.field(factory=list, kw_only=True, eq=False)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        self.seen.append(ctx.lines)
        return ()


def test_a_component_sees_exactly_the_earlier_lines() -> None:
    seen = _Seen("Seen")
    contract = Contract(
        "Seen",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            seen,
            PerUnit("Tickets", metric="tickets", rate="2.00 EUR"),
        ],
    )
    invoice = contract.invoice({"minutes": 3, "tickets": 1}, "2026-11")
    (lines,) = seen.seen
    assert len(lines) == 1  # the tickets line priced later is not in its view
    assert list(lines) == [invoice.lines[0]]
    assert lines[0] == lines[-1] == invoice.lines[0]
    assert lines[0:5] == (invoice.lines[0],)
    assert lines == (invoice.lines[0],)
    assert hash(lines) == hash((invoice.lines[0],))
    assert repr(lines) == repr((invoice.lines[0],))


def _line(amount: str, *tags: str) -> Line:
    return Line("x", "x", Money(amount, "EUR"), Fraction(Decimal(amount)), "", tags=frozenset(tags))


def test_lines_so_far_is_a_read_only_view_that_an_older_view_still_reads() -> None:
    lines = [_line("1.00", "a"), _line("2.00", "b")]
    subtotals = Subtotals(lines)
    early = LinesSoFar(subtotals, 1)
    late = LinesSoFar(subtotals, 2)
    assert late.subtotal(None) == Fraction(3)
    assert late.subtotal(frozenset({"b"})) == Fraction(2)
    # an older view, asked after a newer one: its own line only
    assert early.subtotal(None) == Fraction(1)
    assert early.subtotal(frozenset({"b"})) == Fraction(0)
    lines.append(_line("4.00", "a", "b"))
    newest = LinesSoFar(subtotals, 3)
    assert newest.subtotal(frozenset({"a", "b"})) == Fraction(7)  # 1 + 2 + 4, once each
    assert newest.subtotal(None) == Fraction(7)
    assert late.subtotal(None) == Fraction(3)
    assert len(early) == 1
    assert early != late
    assert early == LinesSoFar(subtotals, 1)
    assert (early == [lines[0]]) is False  # a list is not a tuple of lines
    with pytest.raises(IndexError, match="line index out of range"):
        early[1]
