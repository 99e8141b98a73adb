"""The promise that nothing reads the ambient decimal context, with large values.

Small amounts fit in any context, so a three-digit ``decimal.localcontext`` would not
notice an operation that dropped its explicit context; amounts of twenty and more
significant digits do. Every public operation that produces money or quantities is
computed twice, in the default context and in a hostile one, and must give the same
text (digits and exponent) both times.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st

from meterprice import Contract, Usage
from meterprice.components import (
    MatrixRate,
    MinimumSpend,
    MinimumVolume,
    Package,
    Percentage,
    PerUnit,
    Tier,
    Tiered,
)
from meterprice.dimensions import Dimensions
from meterprice.money import Money, Rounding

T = TypeVar("T")

_ROUNDINGS = [
    decimal.ROUND_DOWN,
    decimal.ROUND_UP,
    decimal.ROUND_FLOOR,
    decimal.ROUND_CEILING,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_05UP,
]


def _decimal(digits: int, places: int, *, positive: bool = False) -> st.SearchStrategy[Decimal]:
    """Decimals of up to ``digits`` digits, ``places`` of them after the point (read
    from text: exact whatever the context)."""
    low = 1 if positive else -(10**digits) + 1
    return st.integers(low, 10**digits - 1).map(lambda n: Decimal(f"{n}E-{places}"))


_amounts = _decimal(30, 2)
_factors = _decimal(25, 7)
_quantities = _decimal(24, 6, positive=True)
_hostile = st.builds(
    lambda prec, rounding: decimal.Context(prec=prec, rounding=rounding),
    st.integers(1, 6),
    st.sampled_from(_ROUNDINGS),
)


def _both(operation: Callable[[], T], context: decimal.Context) -> tuple[T, T]:
    expected = operation()
    with decimal.localcontext(context):
        shown = operation()
    return expected, shown


def _text(values: object) -> str:
    return repr(values)


@given(_amounts, _amounts, _factors, _hostile)
def test_money_arithmetic_and_rounding_ignore_the_context(
    a: Decimal, b: Decimal, factor: Decimal, context: decimal.Context
) -> None:
    x, y = Money(a, "EUR"), Money(b, "EUR")

    def operations() -> str:
        results: list[object] = [x + y, x - y, -x, abs(x), x * factor, factor * x, x * 7]
        if factor:
            results.append(x / factor)
        if b:
            results.append(x / y)
        results.append(Money(factor, "BHD").format())
        results.append(x.format(grouping=False))
        results += [Money(factor, "EUR").round(mode) for mode in Rounding]
        results += [mode.round(factor, 2) for mode in Rounding]
        results += [mode.round(Fraction(factor) / 3, 3) for mode in Rounding]
        results += [mode.round(Fraction(a), -3) for mode in Rounding]
        results.append(sum([x, y, x]))
        results.append(Money.zero("JPY"))
        results.append(x.allocate([1, 2, 3]))
        results.append(x.allocate([factor.copy_abs(), 1]))  # copy_abs: no context
        return _text(results)

    expected, shown = _both(operations, context)
    assert shown == expected


def _contract(percent: Decimal, rate: Decimal) -> Contract:
    big = Money(rate, "EUR")
    return Contract(
        "Large",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate=big, tags={"usage"}),
            Tiered(
                "Tickets",
                metric="tickets",
                tiers=[Tier("1000000000000.5", big), Tier(None, "0.0000001 EUR", flat=big)],
                tags={"usage"},
            ),
            Tiered(
                "Volume",
                metric="tickets",
                tiers=[Tier("10", big), Tier(None, "1.2345678901 EUR")],
                mode="volume",
            ),
            Package("Chats", metric="chats", size="12345.678", price=big),
            MatrixRate(
                "Matrix",
                metric="calls",
                by=("language",),
                prices={"de": big, "fr": "0.000000123456789 EUR"},
            ),
            Percentage("Management", percent=percent, of={"usage"}),
            MinimumVolume("Minimum", metric="minutes", quantity="1e20", rate=big),
            MinimumSpend("Floor", amount="1e25 EUR"),
        ],
    )


@given(
    _quantities,
    _quantities,
    _quantities,
    st.integers(1, 10**12).map(lambda n: Decimal(f"{n}E-9")),
    _decimal(15, 9, positive=True),
    _hostile,
)
def test_invoices_of_every_component_ignore_the_context(  # noqa: PLR0917 (drawn values)
    minutes: Decimal,
    tickets: Decimal,
    chats: Decimal,
    percent: Decimal,
    rate: Decimal,
    context: decimal.Context,
) -> None:
    contract = _contract(percent, rate)
    usage = Usage.from_totals(
        {
            ("minutes", Dimensions()): minutes,
            ("tickets", Dimensions()): tickets,
            ("chats", Dimensions()): chats,
            ("calls", Dimensions({"language": "de"})): minutes,
            ("calls", Dimensions({"language": "fr"})): tickets,
        }
    )

    def price() -> str:
        invoice = contract.invoice(usage, "2026-11")
        return _text(
            (
                [
                    (
                        line.description,
                        line.amount,
                        line.exact,
                        line.basis,
                        line.quantity,
                        line.unit_price,
                        line.explain(),
                    )
                    for line in invoice.lines
                ],
                invoice.total,
                usage.exact("minutes"),
            )
        )

    expected, shown = _both(price, context)
    assert shown == expected
