"""The cost rules of components whose modules :mod:`meterprice.breakeven` does not
import itself.

:class:`~meterprice.components.transactions.PercentageCharge`: each transaction's
amount is linear in the analysed volume (``a * v + b``), and the
charge is piecewise linear in the amounts: it changes form only where an amount
crosses zero, where the free amount runs out inside a transaction, and where a
transaction's percentage meets a bound. Those volumes are found stage by stage, each
stage on the intervals of the one before, on which the quantities it solves for are
linear; the function is then the charge itself at the breakpoints and the line
through two of its values inside each interval.

:class:`~meterprice.components.prorated.ProratedUnits` has no rule of a volume: it is
priced from the day of every reading, which a volume without days does not have.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from fractions import Fraction

from meterprice.breakeven import CostModel, register_cost_rule
from meterprice.components.prorated import ProratedUnits
from meterprice.components.transactions import PercentageCharge
from meterprice.errors import ContractError, LimitError
from meterprice.piecewise import Piecewise

__all__: list[str] = []

#: The most transactions the exact cost function follows one by one.
MAX_TRANSACTIONS = 2_000


def _roots(
    xs: list[Fraction],
    quantities: Callable[[Fraction], Iterable[Fraction]],
    targets: list[Fraction],
) -> set[Fraction]:
    """Where each quantity (linear inside each interval of ``xs``) meets a target."""
    found: set[Fraction] = set()
    for lo, hi in itertools.pairwise(xs):
        x1, x2 = lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3
        for y1, y2 in zip(quantities(x1), quantities(x2), strict=True):
            slope = (y2 - y1) / (x2 - x1)
            if slope == 0:
                continue
            for target in targets:
                root = x1 + (target - y1) / slope
                if lo < root < hi:
                    found.add(root)
    return found


@register_cost_rule(PercentageCharge)
def _percentage_charge(component: PercentageCharge, model: CostModel) -> Piecewise:
    groups = model.groups(component.metric, component._names, component.where)
    moving = []
    days = component.first_days(model.base + model.mix.usage(model.lo))
    for _, found in component.ordered(groups, days):
        a = sum((groups[dims][0] for dims in found), Fraction(0))
        b = sum((groups[dims][1] for dims in found), Fraction(0))
        moving.append((a, b))
    if len(moving) > MAX_TRANSACTIONS:
        raise LimitError(
            f"component {component.name!r}: {len(moving)} transactions, more than the "
            f"{MAX_TRANSACTIONS} an exact cost function follows one by one"
        )

    def amounts(v: Fraction) -> list[Fraction]:
        return [a * v + b for a, b in moving]

    lo, hi = model.lo, model.hi
    xs = sorted({lo, hi} | {-b / a for a, b in moving if a and lo < -b / a < hi})
    if component.free_amount is not None:  # where the free amount runs out
        free = Fraction(component.free_amount.amount)

        def met(v: Fraction) -> list[Fraction]:
            ledger = component.ledger(amounts(v))
            return [
                before + amount if eligible else Fraction(-1)
                for before, amount, eligible in zip(
                    ledger.before, ledger.amounts, ledger.eligible, strict=True
                )
            ]

        xs = sorted(set(xs) | _roots(xs, met, [free]))
    bounds = [
        Fraction(bound.amount)
        for bound in (component.minimum, component.maximum)
        if bound is not None
    ]
    if bounds:  # where a paid transaction's percentage meets a bound
        fee = Fraction(component.fixed_fee.amount) if component.fixed_fee else Fraction(0)
        inside = fee if component.fee_in_bounds else Fraction(0)
        rate = component.percent / 100

        def counted(v: Fraction) -> list[Fraction]:
            return [paid * Fraction(rate) + inside for paid in component.ledger(amounts(v)).paid]

        xs = sorted(set(xs) | _roots(xs, counted, bounds))
    lines = []
    for left, right in itertools.pairwise(xs):
        x1, x2 = left + (right - left) / 3, left + 2 * (right - left) / 3
        y1, y2 = component.amount(amounts(x1)), component.amount(amounts(x2))
        slope = (y2 - y1) / (x2 - x1)
        lines.append((slope, y1 - slope * x1))
    values = tuple(component.amount(amounts(x)) for x in xs)
    return Piecewise(tuple(xs), tuple(lines), values)


@register_cost_rule(ProratedUnits)
def _prorated_units(component: ProratedUnits, model: CostModel) -> Piecewise:
    raise ContractError(
        f"component {component.name!r} prices {component.metric!r} in {component.unit}-days, "
        "from the day of every reading; a cost function varies a volume without days, so "
        "it cannot say how many days each unit is held (price day-resolved usage with "
        "Contract.invoice instead)"
    )
