"""Plots drawn with the Agg backend: the artists, labels and formats, not images."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

from meterprice import Contract, PerUnit, RecurringFee, SetupFee  # noqa: E402
from meterprice.analysis import cost_curve, forecast, volumes  # noqa: E402
from meterprice.breakeven import break_even, cost_function  # noqa: E402
from meterprice.errors import InvalidValueError  # noqa: E402
from meterprice.plot import (  # noqa: E402
    plot_cost_curves,
    plot_cost_functions,
    plot_forecast,
    plot_staffing,
)
from meterprice.staffing import (  # noqa: E402
    DeferredChannel,
    LiveChannel,
    ServiceTarget,
    estimate_staffing,
)

NOV = "2026-11"
PPU = Contract("Pay per use", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.90 EUR")])
FIXED = Contract("Fixed", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])
# 3000 + 0.45 v: meets both others at 6,666 2/3 minutes (6,000 EUR)
HYBRID = Contract(
    "Hybrid",
    "EUR",
    [
        RecurringFee("Base", amount="3000.00 EUR"),
        PerUnit("Minutes", metric="minutes", rate="0.45 EUR"),
    ],
)
OFFERS = (PPU, FIXED, HYBRID)


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


def pairs() -> list[Any]:
    return [
        break_even(a, b, "minutes", NOV, upto=20000) for a, b in itertools.combinations(OFFERS, 2)
    ]


def test_break_evens_are_labelled_by_their_pair_and_never_overlap() -> None:
    functions = [cost_function(c, "minutes", NOV, upto=20000) for c in OFFERS]
    ax = plot_cost_functions(functions, break_evens=pairs())
    texts = [t.get_text() for t in ax.texts]
    assert texts == [
        "Pay per use = Fixed at 6,666.67",
        "Pay per use = Hybrid at 6,666.67",
        "Fixed = Hybrid at 6,666.67",
    ]
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert all(box.height > 0 for box in boxes)
    for first, second in itertools.combinations(boxes, 2):
        assert not first.overlaps(second)
    # the three markers sit on the meeting point
    markers = ax.get_lines()[3:]
    assert [(m.get_xdata()[0], m.get_ydata()[0]) for m in markers] == [
        pytest.approx((20000 / 3, 6000))
    ] * 3


def test_cost_axes_carry_units_and_thousands_separators() -> None:
    functions = [cost_function(c, "minutes", NOV, upto=20000) for c in OFFERS]
    ax = plot_cost_functions(functions)
    assert ax.get_xlabel() == "minutes (units per period)"
    assert ax.get_ylabel() == "cost (EUR)"
    assert ax.get_title() == "Cost by minutes"
    assert ax.yaxis.get_major_formatter()(12500, 0) == "12,500"
    assert ax.xaxis.get_major_formatter()(20000, 0) == "20,000"
    assert len(ax.texts) == 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Pay per use", "Fixed", "Hybrid"]


def test_cost_curves_draw_the_billed_totals() -> None:
    curves = [cost_curve(c, "minutes", volumes(0, 20000, 5000), NOV) for c in OFFERS]
    ax = plot_cost_curves(curves, break_evens=pairs()[:1], title="November")
    # 0.90 per minute: 0, 4,500, 9,000, 13,500, 18,000
    assert list(ax.get_lines()[0].get_ydata()) == [0.0, 4500.0, 9000.0, 13500.0, 18000.0]
    assert list(ax.get_lines()[2].get_ydata()) == [3000.0, 5250.0, 7500.0, 9750.0, 12000.0]
    assert [t.get_text() for t in ax.texts] == ["Pay per use = Fixed at 6,666.67"]
    assert ax.get_title() == "November"


def test_forecast_bars_by_period_and_component() -> None:
    contract = Contract(
        "X",
        "EUR",
        [
            SetupFee("Setup", amount="1000.00 EUR", on="2026-01-05"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
        ],
    )
    year = forecast(contract, {"2026-01": {"minutes": 100}, "2026-02": {"minutes": 200}})
    ax = plot_forecast(year)
    bars = [(p.get_x() + p.get_width() / 2, p.get_y(), p.get_height()) for p in ax.patches]
    # setup 1,000 in January only; minutes 100 on top of it, then 200 in February
    assert bars == [(0.0, 0.0, 1000.0), (1.0, 0.0, 0.0), (0.0, 1000.0, 100.0), (1.0, 0.0, 200.0)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-01", "2026-02"]
    assert ax.get_ylabel() == "amount (EUR)"
    assert ax.yaxis.get_major_formatter()(1000, 0) == "1,000"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Setup", "Minutes"]


def test_forecast_credits_stack_below_zero() -> None:
    contract = Contract(
        "C",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            PerUnit("Credit", metric="credit", rate="-1.00 EUR"),
        ],
    )
    ax = plot_forecast(forecast(contract, {"2026-01": {"minutes": 50, "credit": 20}}))
    assert [(p.get_y(), p.get_height()) for p in ax.patches] == [(0.0, 50.0), (0.0, -20.0)]


def staffing() -> Any:
    phone = LiveChannel(
        "phone",
        hours="Mon-Fri 08:00-20:00",
        daily_contacts={"Mon-Fri": 2400},
        aht_seconds=180,
        target=ServiceTarget("0.80", 20),
    )
    email = DeferredChannel(
        "email",
        hours="Mon-Fri 08:00-18:00",
        daily_contacts=[111, 111, 111, 111, 111, 0, 0],
        aht_seconds=280,
        response_window_seconds=7200,
        occupancy="0.85",
    )
    return estimate_staffing([phone, email], shrinkage="0.30")


def test_staffing_profile_of_a_live_channel() -> None:
    ax = plot_staffing(staffing(), weekday=0)
    # 24 half hours of 100 calls: 14 agents needed, 20 scheduled at 30 % shrinkage
    heights = [p.get_height() for p in ax.patches]
    assert heights == [20] * 24 + [14] * 24
    assert ax.patches[0].get_x() == 8.0
    assert ax.patches[0].get_width() == 0.5
    assert ax.get_xlabel() == "time of day (hours)"
    assert ax.xaxis.get_major_formatter()(8.5, 0) == "08:30"
    assert ax.get_ylabel() == "agents"
    levels = next(other for other in ax.figure.axes if other is not ax)
    assert levels.get_ylabel() == "service level (%)"
    line = levels.get_lines()[0]
    assert list(line.get_xdata())[:2] == [8.25, 8.75]
    assert line.get_ydata()[0] == pytest.approx(88.835, abs=0.001)
    assert levels.get_lines()[1].get_ydata()[0] == pytest.approx(80.0)  # the target
    assert levels.yaxis.get_major_formatter()(80, 0) == "80 %"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "scheduled agents",
        "agents needed",
        "service level",
    ]


def test_staffing_profile_of_deferred_work_and_bad_days() -> None:
    estimate = staffing()
    ax = plot_staffing(estimate, channel="email", weekday=4, title="E-mail")
    assert len(ax.figure.axes) == 1  # no service level for deferred work
    assert len(ax.patches) == 2 * 20
    assert ax.get_title() == "E-mail"
    with pytest.raises(InvalidValueError, match="closed on Sat"):
        plot_staffing(estimate, weekday=5)
    with pytest.raises(InvalidValueError, match="weekday must be 0"):
        plot_staffing(estimate, weekday=7)


def test_nothing_to_plot_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="at least one cost function"):
        plot_cost_functions([])
    with pytest.raises(InvalidValueError, match="at least one cost curve"):
        plot_cost_curves([])
    with pytest.raises(InvalidValueError, match="at least one period"):
        plot_forecast(forecast(PPU, {}))
