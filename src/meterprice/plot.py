"""Plots of results (needs the ``plot`` extra: matplotlib): cost functions and cost
curves with their break-even points, forecasts by month and component, and the
intraday staffing profile.

The core library has no plotting dependency; this module imports matplotlib only
when a plot is drawn, and says how to install it when it is missing. Floats appear
here only as drawing coordinates; every figure comes from the exact results. Axes
carry their units and thousands separators.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from meterprice import _html as h
from meterprice.analysis import CostCurve, Forecast
from meterprice.breakeven import BreakEven, CostFunction
from meterprice.errors import InvalidValueError
from meterprice.staffing import WEEKDAYS, LiveChannel, StaffingEstimate

__all__ = [
    "plot_cost_curves",
    "plot_cost_functions",
    "plot_forecast",
    "plot_staffing",
]

#: Points between two break-even labels that would otherwise touch.
_LABEL_GAP = 2.0


def _pyplot() -> Any:
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'meterprice[plot]'") from None


def _axes(ax: Any, size: tuple[float, float] = (7, 4)) -> Any:
    if ax is not None:
        return ax
    _, created = _pyplot().subplots(figsize=size)
    return created


def _thousands(ax_axis: Any, places: int = 0) -> None:
    """Tick labels with thousands separators (``12,000``)."""
    ticker = importlib.import_module("matplotlib.ticker")
    ax_axis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:,.{places}f}"))


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


def _label_break_evens(ax: Any, break_evens: Sequence[BreakEven]) -> list[Any]:
    """A marker at each break-even volume, labelled by the pair of offers
    (``"A = B at 6,666.67"``); returns the labels (to be moved apart once the axes
    are laid out).
    """
    labels = []
    for result in break_evens:
        pair = f"{result.first.contract} = {result.second.contract}"
        for volume in result.volumes:
            x, y = float(volume), float(result.first(volume))
            ax.plot([x], [y], "o", color="black")
            text = f"{pair} at {h.quantity(volume, 2)}"
            labels.append(
                ax.annotate(
                    text,
                    (x, y),
                    textcoords="offset points",
                    xytext=(6, -14),
                    fontsize=8,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.8},
                )
            )
    return labels


def _separate(ax: Any, labels: list[Any]) -> None:
    """Move each label down until its box overlaps none placed before it (the boxes
    are measured once and moved by the same amount as their labels).
    """
    if len(labels) < 2:
        return
    figure = ax.figure
    figure.canvas.draw()  # lays the labels out, so that their boxes can be measured
    renderer = figure.canvas.get_renderer()
    points_per_pixel = 72.0 / figure.dpi
    placed: list[Any] = []
    for label in labels:
        box = label.get_window_extent(renderer)
        shift = 0.0
        # each move puts the box below the bottom of the box it clashed with, and
        # boxes only move down: each placed box is met at most once, so this ends
        clash = next((other for other in placed if box.overlaps(other)), None)
        while clash is not None:
            move = box.y1 - clash.y0 + _LABEL_GAP / points_per_pixel
            box = box.translated(0, -move)
            shift += move
            clash = next((other for other in placed if box.overlaps(other)), None)
        dx, dy = label.xyann
        label.xyann = (dx, dy - shift * points_per_pixel)
        placed.append(box)


def _cost_axes(ax: Any, metric: str, code: str, title: str | None) -> None:
    ax.set_xlabel(f"{metric} (units per period)")
    ax.set_ylabel(f"cost ({code})")
    ax.set_title(title or f"Cost by {metric}")
    _thousands(ax.xaxis)
    _thousands(ax.yaxis)
    ax.legend()
    ax.grid(True, alpha=0.3)


def plot_cost_functions(
    functions: Sequence[CostFunction],
    *,
    break_evens: Sequence[BreakEven] = (),
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw exact cost functions on one axis and mark each break-even volume with the
    pair of offers that cost the same there. Returns the matplotlib ``Axes``.
    """
    if not functions:
        raise InvalidValueError("plot_cost_functions needs at least one cost function")
    ax = _axes(ax)
    for function in functions:
        xs, ys = _points(function)
        ax.plot(xs, ys, label=function.contract)
    labels = _label_break_evens(ax, break_evens)
    _cost_axes(ax, functions[0].metric, functions[0].currency.code, title)
    _separate(ax, labels)
    return ax


def plot_cost_curves(
    curves: Sequence[CostCurve],
    *,
    break_evens: Sequence[BreakEven] = (),
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw the invoice totals of cost curves (rounded as billed, at their volumes),
    with each break-even volume labelled by its pair of offers. Returns the ``Axes``.
    """
    if not curves:
        raise InvalidValueError("plot_cost_curves needs at least one cost curve")
    ax = _axes(ax)
    for curve in curves:
        xs = [float(volume) for volume in curve.volumes]
        ys = [float(total.amount) for total in curve.totals]
        ax.plot(xs, ys, marker=".", label=curve.contract)
    labels = _label_break_evens(ax, break_evens)
    _cost_axes(ax, curves[0].metric, curves[0].currency.code, title)
    _separate(ax, labels)
    return ax


def plot_forecast(forecast: Forecast, *, ax: Any = None, title: str | None = None) -> Any:
    """Stacked bars of a forecast: one bar per period, one colour per component (the
    sum of its lines). Returns the ``Axes``.
    """
    if not forecast.invoices:
        raise InvalidValueError("plot_forecast needs a forecast of at least one period")
    ax = _axes(ax)
    labels = [str(invoice.period) for invoice in forecast.invoices]
    components: list[str] = []
    for invoice in forecast.invoices:
        components.extend(
            line.component for line in invoice.lines if line.component not in components
        )
    positions = list(range(len(labels)))
    bottoms = [0.0] * len(labels)
    below = [0.0] * len(labels)
    for component in components:
        heights = []
        for invoice in forecast.invoices:
            amount = sum(
                (Fraction(line.amount.amount) for line in invoice.lines_of(component)),
                Fraction(0),
            )
            heights.append(float(amount))
        base = [
            b if height >= 0 else n for b, n, height in zip(bottoms, below, heights, strict=True)
        ]
        ax.bar(positions, heights, bottom=base, label=component)
        for index, height in enumerate(heights):
            if height >= 0:
                bottoms[index] += height
            else:
                below[index] += height
    ax.set_xticks(positions, labels)
    ax.set_xlabel("period")
    ax.set_ylabel(f"amount ({forecast.currency.code})")
    ax.set_title(title or f"{forecast.contract}: forecast by component")
    _thousands(ax.yaxis)
    ax.legend()
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def plot_staffing(
    estimate: StaffingEstimate,
    *,
    channel: str | None = None,
    weekday: int = 0,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The intraday profile of one channel on one weekday (0 is Monday): agents
    needed and scheduled per interval as bars, and for a live channel its service
    level per interval on a second axis in percent. Returns the agents' ``Axes``.
    """
    staffing = estimate.channels[0] if channel is None else estimate.channel(channel)
    if not 0 <= weekday <= 6:
        raise InvalidValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}")
    rows = [row for row in staffing.intervals if row.weekday == weekday]
    if not rows:
        raise InvalidValueError(f"{staffing.name} is closed on {WEEKDAYS[weekday]}")
    ax = _axes(ax, (8, 4))
    starts = [row.start_minute / 60 for row in rows]
    width = rows[0].minutes / 60
    ax.bar(
        starts,
        [row.scheduled_agents for row in rows],
        width=width,
        align="edge",
        alpha=0.35,
        label="scheduled agents",
    )
    ax.bar(
        starts,
        [row.agents for row in rows],
        width=width * 0.6,
        align="edge",
        label="agents needed",
    )
    ax.set_xlabel("time of day (hours)")
    ax.set_ylabel("agents")
    ax.set_title(title or f"{staffing.name}, {WEEKDAYS[weekday]}: agents per interval")
    ticker = importlib.import_module("matplotlib.ticker")
    ax.xaxis.set_major_formatter(
        ticker.FuncFormatter(lambda x, _: f"{int(x) % 24:02d}:{round(x % 1 * 60):02d}")
    )
    _thousands(ax.yaxis)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # whole agents
    handles, names = ax.get_legend_handles_labels()
    if isinstance(staffing.channel, LiveChannel):
        levels = ax.twinx()
        middles = [start + width / 2 for start in starts]
        shares = [float(row.metrics.service_level) * 100 for row in rows if row.metrics is not None]
        (line,) = levels.plot(middles, shares, color="black", marker=".", label="service level")
        target = float(staffing.channel.target.service_level) * 100
        levels.axhline(target, color="black", linestyle=":", linewidth=1)
        levels.set_ylabel("service level (%)")
        levels.set_ylim(0, 105)
        levels.yaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:.0f} %"))
        handles.append(line)
        names.append("service level")
    # below the axes: the bars fill the plot
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8)
    ax.figure.subplots_adjust(bottom=0.28)
    return ax
