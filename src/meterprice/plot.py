"""Cost-curve plots with break-even points marked (needs the ``plot`` extra: matplotlib).

The core library has no plotting dependency; this module imports matplotlib only
when a plot is drawn, and says how to install it when it is missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from meterprice.breakeven import BreakEven, CostFunction
from meterprice.errors import InvalidValueError

__all__ = ["plot_cost_functions"]


def _pyplot() -> Any:
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'meterprice[plot]'") from None


def _points(function: CostFunction) -> tuple[list[float], list[float]]:
    """Vertices of the exact function, with both sides of each jump (for drawing only)."""
    xs: list[float] = []
    ys: list[float] = []
    pw = function.function
    for index, x in enumerate(pw.xs):
        if index > 0:
            xs.append(float(x))
            ys.append(float(pw.limit_left(x)))
        xs.append(float(x))
        ys.append(float(pw.values[index]))
        if index < len(pw.lines):
            xs.append(float(x))
            ys.append(float(pw.limit_right(x)))
    return xs, ys


def plot_cost_functions(
    functions: Sequence[CostFunction],
    *,
    break_evens: Sequence[BreakEven] = (),
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw exact cost functions on one axis and mark break-even volumes.

    Floats appear here only as drawing coordinates; every figure comes from the exact
    functions. Returns the matplotlib ``Axes``.
    """
    if not functions:
        raise InvalidValueError("plot_cost_functions needs at least one cost function")
    if ax is None:
        plt = _pyplot()
        _, ax = plt.subplots(figsize=(7, 4))
    for function in functions:
        xs, ys = _points(function)
        ax.plot(xs, ys, label=function.contract)
    for result in break_evens:
        for volume in result.volumes:
            cost = result.first(volume)
            ax.plot([float(volume)], [float(cost)], "o", color="black")
            ax.annotate(
                f"{_short(volume)}",
                (float(volume), float(cost)),
                textcoords="offset points",
                xytext=(4, -12),
                fontsize=8,
            )
    ax.set_xlabel(functions[0].metric)
    ax.set_ylabel(f"cost ({functions[0].currency.code})")
    ax.set_title(title or f"Cost by {functions[0].metric}")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return ax


def _short(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.1f}"
