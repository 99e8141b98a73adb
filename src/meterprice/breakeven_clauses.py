"""The exact cost rules of the clauses of outsourcing agreements (service credits,
escalators, holiday premiums, forecast bands), or the reason a clause has none.

:mod:`meterprice.breakeven` imports this module, so the rules are registered with it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from meterprice.breakeven import (
    CostModel,
    _rule_for,
    register_cost_rule,
)
from meterprice.components.base import Component
from meterprice.components.escalators import Escalator
from meterprice.components.forecasts import ForecastBand
from meterprice.components.premiums import HolidayPremium
from meterprice.components.service_credits import ServiceCredits
from meterprice.errors import ContractError
from meterprice.piecewise import Piecewise

__all__: list[str] = []


def _cannot(component: object, why: str) -> ContractError:
    name = getattr(component, "name", "?")
    return ContractError(
        f"component {name!r} ({type(component).__name__}) has no exact cost function: {why}"
    )


@register_cost_rule(ServiceCredits)
def _service_credits(component: ServiceCredits, model: CostModel) -> Piecewise:
    """Credits and bonuses of figures that do not move with the analysed volume: a
    percentage of the fees (piecewise linear) plus fixed amounts, each total capped.
    """
    if component.relieved_by:
        raise _cannot(
            component,
            "its credits are waived when a line tagged "
            f"{', '.join(sorted(component.relieved_by))} appears, and whether one does is "
            "decided by another clause at each volume, not by a linear rule",
        )
    moving = sorted(kpi.name for kpi in component.kpis if model.mix.metric in kpi.metrics)
    if moving:
        raise _cannot(
            component,
            f"the figure(s) {', '.join(map(repr, moving))} are measured from "
            f"{model.mix.metric!r}, the volume analysed; a share, mean or ratio of it is "
            "not piecewise linear in it",
        )
    fees = model.subtotal(component.of)
    sums = [Fraction(0)] * 4
    for kpi, figure in component.figures(model.ctx):
        for index, value in enumerate(kpi.result(figure)):
            sums[index] += value
    credit = _capped(component, model, fees, "credit", fees.scale(sums[0] / 100).shift(sums[1]))
    bonus = _capped(component, model, fees, "bonus", fees.scale(sums[2] / 100).shift(sums[3]))
    return bonus - credit


def _capped(
    component: ServiceCredits,
    model: CostModel,
    fees: Piecewise,
    kind: Literal["credit", "bonus"],
    total: Piecewise,
) -> Piecewise:
    percent, money = component._limits(kind)
    if percent is not None:
        total = total.minimum(fees.scale(Fraction(percent) / 100))
    if money is not None:
        total = total.minimum(model.constant(Fraction(money.amount)))
    return total


def _function(component: Component, model: CostModel) -> Piecewise:
    """The exact cost of a component that another one wraps (it reads what its
    wrapper reads, so it depends on the volume as the wrapper does).
    """
    rule = _rule_for(component)
    if rule is None:
        raise _cannot(component, "no exact cost rule is registered for its type")
    return rule(component, model)


@register_cost_rule(Escalator)
def _escalator(component: Escalator, model: CostModel) -> Piecewise:
    """The escalated component's cost: its function times the factor (lines rounded
    once), or the function of its escalated copy (rates or factor rounded first).
    """
    if component.round_at == "line":
        return _function(component.component, model).scale(component.applied(model.ctx))
    return _function(component.escalated(model.ctx), model)


@register_cost_rule(HolidayPremium)
def _holiday_premium(component: HolidayPremium, model: CostModel) -> Piecewise:
    raise _cannot(
        component,
        "its premiums depend on the days the usage falls on (holidays, time bands), and "
        "a volume analysed as a total for the period has no days",
    )


@register_cost_rule(ForecastBand)
def _forecast_band(component: ForecastBand, model: CostModel) -> Piecewise:
    """Below the band's lower edge: the unused hours at the rate (linear, clamped at
    zero), or the minimum of the forecast's hours less the fees (a step at the edge).
    Above the band the line is zero.
    """
    forecast = component.forecast(model.ctx)
    if forecast is None:
        return model.constant(Fraction(0))
    volume, hours = forecast
    low, _ = component.edges(volume)
    a, b = model.quantity(component.metric, component.where)
    if component.rate is not None:
        per_unit = hours / volume * Fraction(component.rate.amount)
        return model.linear(-a * per_unit, (low - b) * per_unit).clamp_below(0)
    assert component.minimum_rate is not None
    floor = model.ctx.round(hours * Fraction(component.minimum_rate.amount))
    lift = model.subtotal(component.of).scale(-1).shift(floor).clamp_below(0)
    # 1 while the volume is below the edge (a * v + b < low), 0 from the edge on
    if a == 0:
        below = Fraction(1) if b < low else Fraction(0)
        return lift.scale(below)
    edge = (low - b) / a
    if edge <= model.lo:
        return model.constant(Fraction(0))
    if edge >= model.hi:
        return lift
    step = Piecewise(
        (model.lo, edge, model.hi),
        ((Fraction(0), floor), (Fraction(0), Fraction(0))),
        (floor, Fraction(0), Fraction(0)),
    )
    return lift.minimum(step)
