"""Exact cost functions and break-even volumes.

Every component is piecewise linear in its quantities, so the cost of a contract as a
function of one metric's volume (everything else fixed) is piecewise linear. This
module builds that function exactly from the components themselves (tier bounds,
included units, package sizes, minimums and caps become breakpoints; rates become
slopes; volume tiers and packages become jumps), not by sampling, and derives:
the volumes where two contracts cost the same, which one is cheaper on each
interval, effective and marginal rates, and the regions where more usage costs less.

The functions give the exact amounts before each line is rounded to the minor unit,
and a percentage or minimum reads the exact subtotal; an invoice's total differs from
them by at most the rounding of its lines.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, TypeVar

import attrs

from meterprice import _decimal as d
from meterprice import _notebook
from meterprice.analysis import Mix, _base, _mix, _period
from meterprice.components.adjustments import MinimumSpend, MinimumVolume, Percentage
from meterprice.components.base import Component, PricingContext
from meterprice.components.caps import Discount, Maximum
from meterprice.components.commission import Commission, PercentSchedule
from meterprice.components.days import DayRate
from meterprice.components.matrix import MatrixRate
from meterprice.components.quota import Quota
from meterprice.components.rates import Package, PerUnit, Tiered, TierMode
from meterprice.components.seats import Seats
from meterprice.contract import Contract, Spread, UsageInput, _UsageSource
from meterprice.dimensions import Dimensions, Where
from meterprice.errors import ContractError, InvalidValueError, PricingError
from meterprice.frames import Tabular
from meterprice.money import Currency
from meterprice.periods import Period
from meterprice.piecewise import Piecewise
from meterprice.tax import line_tags
from meterprice.usage import Usage, display_quantity

__all__ = [
    "BreakEven",
    "CostFunction",
    "CostModel",
    "break_even",
    "cost_function",
    "register_cost_rule",
]

#: The most breakpoints a single component may contribute (a package of 1 unit over
#: a range of millions would otherwise build millions of steps).
MAX_STEPS = 100_000

C = TypeVar("C", bound=Component)
CostRule = Callable[[Any, "CostModel"], Piecewise]
_RULES: dict[type[Component], CostRule] = {}


def register_cost_rule(
    kind: type[C],
) -> Callable[[Callable[[C, CostModel], Piecewise]], Callable[[C, CostModel], Piecewise]]:
    """Register the exact cost function of a component type (a decorator).

    The rule receives the component and a :class:`CostModel` and returns the
    component's exact amount as a :class:`~meterprice.piecewise.Piecewise` function of
    the analysed volume.
    """

    def decorate(rule: Callable[[C, CostModel], Piecewise]) -> Callable[[C, CostModel], Piecewise]:
        _RULES[kind] = rule
        return rule

    return decorate


@attrs.frozen
class CostModel:
    """What a cost rule sees: the volume domain, how each filtered quantity depends
    on the volume, the functions of the lines before it and a pricing context at the
    start of the domain (for the parts that do not depend on the volume).
    """

    lo: Fraction
    hi: Fraction
    mix: Mix
    base: Usage
    ctx: PricingContext
    earlier: tuple[tuple[frozenset[str], Piecewise], ...]
    #: The share of the period's usage the component sees (its days of the period, when
    #: undated what-if totals are spread evenly over the days; 1 otherwise).
    share: Fraction = Fraction(1)

    def quantity(self, metric: str, where: Where | None = None) -> tuple[Fraction, Fraction]:
        """``(a, b)`` such that the quantity of ``metric`` selected by ``where`` is
        ``a * volume + b``.
        """
        flt = where if where is not None else Where()
        b = self.base.exact(metric, flt) * self.share
        if metric != self.mix.metric:
            return Fraction(0), b
        a = self.mix.usage(1).exact(metric, flt) * self.share
        return a, b

    def groups(
        self, metric: str, by: Sequence[str], where: Where | None = None
    ) -> dict[Dimensions, tuple[Fraction, Fraction]]:
        """``(a, b)`` per group of ``metric`` by the dimensions ``by``: the group's
        quantity is ``a * volume + b``.
        """
        flt = where if where is not None else Where()
        fixed = self.base.groups(metric, by, flt)
        moving = self.mix.usage(1).groups(metric, by, flt) if metric == self.mix.metric else {}
        share = self.share
        return {
            dims: (moving.get(dims, Fraction(0)) * share, fixed.get(dims, Fraction(0)) * share)
            for dims in sorted(set(fixed) | set(moving))
        }

    def in_q(
        self, a: Fraction, b: Fraction, rule: Callable[[Fraction, Fraction], Piecewise]
    ) -> Piecewise:
        """Compose a function of the quantity, built on ``[q_lo, q_hi]`` by ``rule``,
        with ``q = a * volume + b``.
        """
        q_lo, q_hi = a * self.lo + b, a * self.hi + b
        if q_lo == q_hi:
            inner = rule(q_lo, q_lo + 1)
            return Piecewise.constant(self.lo, self.hi, inner(q_lo))
        return rule(q_lo, q_hi).compose(a, b, self.lo, self.hi)

    def linear(self, slope: Fraction, intercept: Fraction) -> Piecewise:
        """``slope * volume + intercept`` on the domain."""
        return Piecewise.linear(self.lo, self.hi, slope, intercept)

    def constant(self, value: Fraction) -> Piecewise:
        """A constant on the domain."""
        return Piecewise.constant(self.lo, self.hi, value)

    def subtotal(self, tags: frozenset[str] | None) -> Piecewise:
        """The exact subtotal of earlier lines with any of ``tags`` (all when ``None``)."""
        return Piecewise.sum(
            (f for line_tags, f in self.earlier if tags is None or line_tags & tags),
            self.lo,
            self.hi,
        )


def _volume(value: object) -> Fraction:
    """A volume as an exact Fraction (Fractions pass through; floats are refused)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(d.to_decimal(value, what="volume"))


def _cuts(lo: Fraction, hi: Fraction, bounds: Sequence[Fraction]) -> list[Fraction]:
    return [lo, *sorted({b for b in bounds if lo < b < hi}), hi]


def _by_intervals(
    lo: Fraction,
    hi: Fraction,
    bounds: Sequence[Fraction],
    line: Callable[[Fraction], tuple[Fraction, Fraction]],
    value: Callable[[Fraction], Fraction],
) -> Piecewise:
    """A function of q with breakpoints ``bounds``: ``line(mid)`` on each interval
    (chosen by its midpoint) and ``value(q)`` at each breakpoint.
    """
    xs = _cuts(lo, hi, bounds)
    lines = [line((a + b) / 2) for a, b in itertools.pairwise(xs)]
    return Piecewise(tuple(xs), tuple(lines), tuple(value(x) for x in xs))


# -- rules of the core components ------------------------------------------------------------
@register_cost_rule(PerUnit)
def _per_unit(component: PerUnit, model: CostModel) -> Piecewise:
    a, b = model.quantity(component.metric, component.where)
    rate = Fraction(component.rate.amount)
    included = Fraction(component.included)
    return model.linear(rate * a, rate * (b - included)).clamp_below(0)


def _tier_bounds(component: Tiered) -> list[tuple[Fraction, Fraction | None, Fraction, Fraction]]:
    result = []
    lower = Fraction(0)
    for tier in component.tiers:
        upper = None if tier.up_to is None else Fraction(tier.up_to)
        flat = Fraction(0) if tier.flat is None else Fraction(tier.flat.amount)
        result.append((lower, upper, Fraction(tier.rate.amount), flat))
        if upper is not None:
            lower = upper
    return result


def tiered_amount(
    tiers: Sequence[tuple[Fraction, Fraction | None, Fraction, Fraction]],
    mode: TierMode,
    q: Fraction,
) -> Fraction:
    """The exact amount of ``(lower, upper, rate, flat)`` tiers at quantity ``q``."""
    if q <= 0:
        return Fraction(0)
    if mode is TierMode.VOLUME:
        for _, upper, rate, flat in tiers:
            if upper is None or q <= upper:
                return rate * q + flat
    total = Fraction(0)
    for lower, upper, rate, flat in tiers:
        if q <= lower:
            break
        top = q if upper is None else min(q, upper)
        total += rate * (top - lower) + flat
    return total


def tiered_line(
    tiers: Sequence[tuple[Fraction, Fraction | None, Fraction, Fraction]],
    mode: TierMode,
    q: Fraction,
) -> tuple[Fraction, Fraction]:
    """The line ``(slope, intercept)`` of the tiers' amount around a non-boundary ``q``."""
    if q <= 0:
        return Fraction(0), Fraction(0)
    if mode is TierMode.VOLUME:
        for _, upper, rate, flat in tiers:
            if upper is None or q <= upper:
                return rate, flat
    intercept = Fraction(0)
    for lower, upper, rate, flat in tiers:
        if upper is None or q <= upper:
            return rate, intercept - rate * lower + flat
        intercept += rate * (upper - lower) + flat
    raise AssertionError("the last tier is open")  # pragma: no cover


@register_cost_rule(Tiered)
def _tiered(component: Tiered, model: CostModel) -> Piecewise:
    a, b = model.quantity(component.metric, component.where)
    tiers = _tier_bounds(component)
    bounds = [Fraction(0)] + [upper for _, upper, _, _ in tiers if upper is not None]

    # flat_at_zero: the first tier's flat fee when nothing is used
    idle = tiers[0][3] if component.flat_at_zero else Fraction(0)

    def rule(q_lo: Fraction, q_hi: Fraction) -> Piecewise:
        return _by_intervals(
            q_lo,
            q_hi,
            bounds,
            lambda q: tiered_line(tiers, component.mode, q) if q > 0 else (Fraction(0), idle),
            lambda q: tiered_amount(tiers, component.mode, q) if q > 0 else idle,
        )

    return model.in_q(a, b, rule)


@register_cost_rule(Package)
def _package(component: Package, model: CostModel) -> Piecewise:
    a, b = model.quantity(component.metric, component.where)
    price = Fraction(component.price_per_package.amount)
    size = Fraction(component.size)
    included = Fraction(component.included)

    def amount(q: Fraction) -> Fraction:
        billable = max(Fraction(0), q - included)
        return price * -(-billable // size)

    def rule(q_lo: Fraction, q_hi: Fraction) -> Piecewise:
        first = max(0, (q_lo - included) // size)
        last = max(0, (q_hi - included) // size + 1)
        if last - first > MAX_STEPS:
            raise PricingError(
                f"component {component.name!r}: {last - first} package steps in the range; "
                f"analyse a narrower range (at most {MAX_STEPS} steps)"
            )
        bounds = [included + k * size for k in range(first, last + 1)]
        return _by_intervals(q_lo, q_hi, bounds, lambda q: (Fraction(0), amount(q)), amount)

    return model.in_q(a, b, rule)


@register_cost_rule(MinimumVolume)
def _minimum_volume(component: MinimumVolume, model: CostModel) -> Piecewise:
    a, b = model.quantity(component.metric, component.where)
    rate = Fraction(component.rate.amount)
    required = component.required(model.ctx)
    return model.linear(-rate * a, rate * (required - b)).clamp_below(0)


@register_cost_rule(Percentage)
def _percentage(component: Percentage, model: CostModel) -> Piecewise:
    return model.subtotal(component.of).scale(Fraction(component.percent) / 100)


@register_cost_rule(MinimumSpend)
def _minimum_spend(component: MinimumSpend, model: CostModel) -> Piecewise:
    floor = component.floor(model.ctx)
    return model.subtotal(component.of).scale(-1).shift(floor).clamp_below(0)


# -- rules of the seed components -------------------------------------------------------------
def _linear_groups(
    model: CostModel,
    groups: dict[Dimensions, tuple[Fraction, Fraction]],
    rate: Callable[[Dimensions], Fraction],
) -> Piecewise:
    slope = sum((a * rate(dims) for dims, (a, _) in groups.items()), Fraction(0))
    intercept = sum((b * rate(dims) for dims, (_, b) in groups.items()), Fraction(0))
    return model.linear(slope, intercept)


@register_cost_rule(MatrixRate)
def _matrix(component: MatrixRate, model: CostModel) -> Piecewise:
    groups = model.groups(component.metric, component.by, component.where)

    def rate(dims: Dimensions) -> Fraction:
        values = tuple(dims.get(name, "") for name in component.by)
        price = component.price_for(values) if len(dims) == len(component.by) else None
        if price is None:
            raise PricingError(
                f"component {component.name!r}: no price for {dims or 'no dimensions'} in "
                f"{component.metric!r} and no default"
            )
        return Fraction(price.amount)

    return _linear_groups(model, groups, rate)


@register_cost_rule(Seats)
def _seats(component: Seats, model: CostModel) -> Piecewise:
    assert component.metric is not None  # a schedule does not depend on the volume
    groups = model.groups(component.metric, (component.by,), component.where)
    fees = dict(component.fees)
    share = model.ctx.share if component.prorate and model.ctx.is_partial else Fraction(1)

    def rate(dims: Dimensions) -> Fraction:
        role = dims.get(component.by)
        if role is None or role not in fees:
            raise PricingError(
                f"component {component.name!r}: seats of {dims or 'no role'} have no fee"
            )
        return Fraction(fees[role].amount) * share

    return _linear_groups(model, groups, rate)


def _schedule_tiers(
    rate: PercentSchedule,
) -> list[tuple[Fraction, Fraction | None, Fraction, Fraction]]:
    if isinstance(rate, Decimal):
        return [(Fraction(0), None, Fraction(rate) / 100, Fraction(0))]
    tiers = []
    lower = Fraction(0)
    for tier in rate:
        upper = None if tier.up_to is None else Fraction(tier.up_to.amount)
        tiers.append((lower, upper, Fraction(tier.percent) / 100, Fraction(0)))
        if upper is not None:
            lower = upper
    return tiers


@register_cost_rule(Commission)
def _commission(component: Commission, model: CostModel) -> Piecewise:
    if component.basis == "previous":
        return _constant(component, model)
    names = tuple(n for n in (component.category, component.per_transaction) if n is not None)
    groups = model.groups(component.metric, names, component.where)
    parts = []
    for dims, (a, b) in groups.items():
        category = None if component.category is None else dims.get(component.category)
        rate = component.rate_for(category)
        if rate is None or len(dims) != len(names):
            raise PricingError(
                f"component {component.name!r}: no commission rate for {dims or 'no dimensions'}"
            )
        tiers = _schedule_tiers(rate)
        if component.per_transaction is None:
            bounds = [Fraction(0)] + [upper for _, upper, _, _ in tiers if upper is not None]

            def rule(
                q_lo: Fraction,
                q_hi: Fraction,
                tiers: list[Any] = tiers,
                bounds: list[Fraction] = bounds,
            ) -> Piecewise:
                return _by_intervals(
                    q_lo,
                    q_hi,
                    bounds,
                    lambda q: tiered_line(tiers, TierMode.GRADUATED, q),
                    lambda q: tiered_amount(tiers, TierMode.GRADUATED, q),
                )
        else:
            parts.append(model.in_q(a, b, _per_transaction_rule(component, tiers[0][2])))
            continue
        parts.append(model.in_q(a, b, rule))
    if component.fixed_fee is not None and component.per_transaction is None:
        assert component.transactions is not None  # a fixed fee needs a count of transactions
        a, b = model.quantity(component.transactions, component.where)
        fee = Fraction(component.fixed_fee.amount)
        parts.append(model.linear(a * fee, b * fee).clamp_below(0))
    return Piecewise.sum(parts, model.lo, model.hi)


def _per_transaction_rule(
    component: Commission, percent: Fraction
) -> Callable[[Fraction, Fraction], Piecewise]:
    low = None if component.minimum is None else Fraction(component.minimum.amount)
    high = None if component.maximum is None else Fraction(component.maximum.amount)
    fee = Fraction(0) if component.fixed_fee is None else Fraction(component.fixed_fee.amount)

    def value(q: Fraction) -> Fraction:
        if q <= 0:
            return Fraction(0)
        earned = percent * q
        if low is not None:
            earned = max(earned, low)
        if high is not None:
            earned = min(earned, high)
        return earned + fee

    def line(q: Fraction) -> tuple[Fraction, Fraction]:
        if q <= 0:
            return Fraction(0), Fraction(0)
        earned = percent * q
        if low is not None and earned < low:
            return Fraction(0), low + fee
        if high is not None and earned > high:
            return Fraction(0), high + fee
        return percent, fee

    bounds = [Fraction(0)]
    if percent:
        bounds += [bound / percent for bound in (low, high) if bound is not None]

    def rule(q_lo: Fraction, q_hi: Fraction) -> Piecewise:
        return _by_intervals(q_lo, q_hi, bounds, line, value)

    return rule


@register_cost_rule(Quota)
def _quota(component: Quota, model: CostModel) -> Piecewise:
    a, b = model.quantity(component.metric, component.where)
    share = component.share(model.ctx)
    fee = Fraction(component.fee.amount) * share
    required = Fraction(component.required) * share
    per_unit = Fraction(component.fee.amount) / Fraction(component.required)
    cap = component.credit_cap(model.ctx)
    missing = model.linear(-a, required - b).clamp_below(0)
    credit = missing.scale(per_unit).minimum(model.constant(cap))
    total = credit.scale(-1).shift(fee)
    if component.bonus_rate is not None:
        excess = model.linear(a, b - required).clamp_below(0)
        total = total + excess.scale(Fraction(component.bonus_rate.amount))
    return total


@register_cost_rule(DayRate)
def _day_rate(component: DayRate, model: CostModel) -> Piecewise:
    assert component.metric is not None  # fixed agents do not depend on the volume
    billed_days = set(component.calendar.days_in(model.ctx.active))
    groups = model.groups(component.metric, (component.day_dimension,), component.where)
    rate = Fraction(component.rate.amount)

    def day_rate(dims: Dimensions) -> Fraction:
        text = dims.get(component.day_dimension)
        if text is None:
            raise PricingError(
                f"component {component.name!r}: usage of {component.metric!r} has no "
                f"{component.day_dimension!r} dimension"
            )
        return rate if dt.date.fromisoformat(text) in billed_days else Fraction(0)

    return _linear_groups(model, groups, day_rate)


@register_cost_rule(Maximum)
def _maximum(component: Maximum, model: CostModel) -> Piecewise:
    excess = model.subtotal(component.of).shift(-component.cap(model.ctx)).clamp_below(0)
    return excess.scale(-1)


@register_cost_rule(Discount)
def _discount(component: Discount, model: CostModel) -> Piecewise:
    base = model.subtotal(component.of).clamp_below(0)
    if component.percent is not None:
        return base.scale(-Fraction(component.percent) / 100)
    assert component.amount is not None
    off = Fraction(component.amount.amount)
    if component.prorate and model.ctx.is_partial:
        off *= model.ctx.share
    return base.minimum(model.constant(off)).scale(-1)


# -- the cost function of a contract ---------------------------------------------------------
def _constant(component: Component, model: CostModel) -> Piecewise:
    total = sum((Fraction(c.amount) for c in component.price(model.ctx)), Fraction(0))
    return model.constant(total)


def _depends_on_volume(component: Component, model: CostModel) -> bool:
    if component.reads_tags is None or component.reads_tags:
        return True
    if model.mix.metric not in component.metrics:
        return False
    return (
        any(model.quantity(model.mix.metric, flt)[0] != 0 for flt in component.filters)
        or not component.filters
    )


def _rule_for(component: Component) -> CostRule | None:
    for kind in type(component).__mro__:
        if kind in _RULES:
            return _RULES[kind]
    return None


@attrs.frozen
class CostFunction(Tabular):
    """The exact cost of a contract as a piecewise-linear function of one volume."""

    _table_builder: ClassVar[str] = "cost_function_table"

    contract: str
    metric: str
    currency: Currency
    function: Piecewise
    parts: tuple[tuple[str, Piecewise], ...]
    """Each component's own function, in contract order."""

    def __call__(self, volume: object) -> Fraction:
        """The exact cost at ``volume``."""
        return self.function(_volume(volume))

    def total(self, volume: object, places: int | None = None) -> Decimal:
        """The exact cost at ``volume`` as a decimal (rounded to ``places`` if given)."""
        value = self(volume)
        return display_quantity(value, places if places is not None else d.DIVISION_DIGITS)

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        """Volumes where the slope or the value changes (the domain's ends included)."""
        return self.function.breakpoints

    @property
    def segments(self) -> tuple[tuple[Fraction, Fraction, Fraction, Fraction], ...]:
        """``(start, end, slope, intercept)`` per open interval: the slope is the
        marginal rate per unit there.
        """
        return tuple(
            (seg.start, seg.end, seg.slope, seg.intercept)
            for seg in self.function.simplify().segments
        )

    def marginal_rate(self, volume: object) -> Fraction:
        """The cost of one more unit just above ``volume`` (the slope on its right)."""
        v = _volume(volume)
        for start, end, slope, _ in self.segments:
            if start <= v < end:
                return slope
        return self.segments[-1][2]

    def effective_rate(self, volume: object) -> Fraction:
        """Total cost / volume at ``volume`` (> 0)."""
        v = _volume(volume)
        if v <= 0:
            raise InvalidValueError(f"the effective rate needs a positive volume (got {volume!r})")
        return self.function(v) / v

    def decreasing_regions(self) -> tuple[tuple[Fraction, Fraction, tuple[str, ...]], ...]:
        """Where paying more for more usage is violated: ``(start, end, components)``,
        ``start == end`` for a downward jump (a volume-tier cliff).
        """
        regions = []
        for start, end in self.function.decreasing_regions():
            culprits = tuple(
                name
                for name, part in self.parts
                if any(s <= start and end <= e for s, e in part.decreasing_regions())
            )
            regions.append((start, end, culprits))
        return tuple(regions)

    def __str__(self) -> str:
        rows = [
            f"{self.contract}: cost by {self.metric} ({self.currency.code}), exact before rounding"
        ]
        for start, end, slope, intercept in self.segments:
            rows.append(
                f"  ({display_quantity(start)}, {display_quantity(end)}): "
                f"{display_quantity(slope)} per unit + {display_quantity(intercept)}"
            )
        return "\n".join(rows)

    def __repr__(self) -> str:
        return _notebook.cost_function_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.cost_function_html(self)


def cost_function(
    contract: Contract,
    metric: str | Mix,
    period: Period | str,
    *,
    upto: object,
    start: object = 0,
    base: UsageInput | None = None,
    previous_usage: UsageInput | None = None,
    spread: Spread = None,
) -> CostFunction:
    """The exact cost of ``contract`` for ``period`` as a function of the volume of
    ``metric`` (a name or a :class:`~meterprice.analysis.Mix`) on ``[start, upto]``,
    with ``base`` usage held fixed.

    The volume is a total for the whole period, with no days: where a component or the
    term covers only part of the period it is refused, as an invoice refuses such
    totals, unless ``spread="days"`` spreads it evenly over the period's days (a
    component active on 15 of 30 days then sees half of it).

    >>> from meterprice import Contract, PerUnit, MinimumSpend
    >>> offer = Contract(
    ...     "Offer",
    ...     "EUR",
    ...     [
    ...         PerUnit("Minutes", metric="handle_minutes", rate="0.90 EUR", tags={"usage"}),
    ...         MinimumSpend("Minimum", amount="4500.00 EUR", of={"usage"}),
    ...     ],
    ... )
    >>> f = cost_function(offer, "handle_minutes", "2026-11", upto=20000)
    >>> [str(x) for x in f.breakpoints]
    ['0', '5000', '20000']
    >>> f(3000), f(8000)
    (Fraction(4500, 1), Fraction(7200, 1))
    """
    mix = _mix(metric)
    lo = Fraction(d.to_decimal(start, what="start"))
    hi = Fraction(d.to_decimal(upto, what="upto"))
    if not 0 <= lo < hi:
        raise InvalidValueError(
            f"the volume range must satisfy 0 <= start < upto (got {start!r}..{upto!r})"
        )
    chosen = _period(period)
    billing = contract.billing_period(chosen)
    fixed = _base(base)
    if previous_usage is None and any(c.uses_previous_period for c in contract.components):
        raise PricingError("pass previous_usage= for components priced on the previous period")
    at_start = fixed + mix.usage(lo)
    factor = None if contract.conversion is None else contract.conversion.factor(billing)
    # the invoice at the start of the range checks the usage, the term and the period; its
    # lines before conversion and tax are those the components read
    plain = contract
    if contract.conversion is not None or contract.tax is not None:
        plain = attrs.evolve(contract, conversion=None, tax=None)
    invoice_lines = plain.invoice(
        at_start, chosen, previous_usage=previous_usage, spread=spread
    ).lines
    previous = (
        None
        if previous_usage is None
        else contract._previous_summary(chosen, previous_usage, spread)
    )
    source = _UsageSource(contract, at_start, chosen, spread)
    term = contract.term.within(chosen)
    earlier: list[tuple[frozenset[str], Piecewise]] = []
    taxed: list[tuple[frozenset[str], Piecewise]] = []  # by the tags a component's lines carry
    parts: list[tuple[str, Piecewise]] = []
    for index, component in enumerate(contract.components):
        active = None if term is None else component.active.within(term)
        if active is None:
            continue
        ctx = PricingContext(
            period=billing,
            active=active,
            usage=source.within(active, index, component),
            lines=tuple(
                line for line in invoice_lines if _before(contract, line.component, component)
            ),
            currency=contract.currency,
            rounding=contract.rounding,
            previous_period=contract.previous_period(chosen),
            previous_usage=previous,
            timezone=contract.timezone,
        )
        share = Fraction(1) if spread is None else Fraction(active.days, chosen.days)
        model = CostModel(lo, hi, mix, fixed, ctx, tuple(earlier), share)
        if not _depends_on_volume(component, model):
            function = _constant(component, model)
        else:
            rule = _rule_for(component)
            if rule is None:
                raise ContractError(
                    f"component {component.name!r} ({type(component).__name__}) has no exact "
                    "cost rule: register one with meterprice.breakeven.register_cost_rule"
                )
            function = rule(component, model)
        earlier.append((component.tags, function))
        taxed.append((line_tags(component), function))
        parts.append((component.name, function))
    currency = contract.currency
    if contract.conversion is not None and factor is not None:  # in the invoice currency
        parts = [(name, f.scale(factor)) for name, f in parts]
        taxed = [(tags, f.scale(factor)) for tags, f in taxed]
        currency = contract.conversion.currency
    if contract.tax is not None:  # exclusive tax: each rate's share of its lines
        parts.append((contract.tax.name, contract.tax.cost(taxed, lo, hi)))
    total = Piecewise.sum((f for _, f in parts), lo, hi)
    return CostFunction(contract.name, mix.metric, currency, total.simplify(), tuple(parts))


def _before(contract: Contract, line_component: str, component: Component) -> bool:
    names = [c.name for c in contract.components]
    if line_component not in names:  # a tax line: after every component
        return False
    return names.index(line_component) < names.index(component.name)


@attrs.frozen
class BreakEven(Tabular):
    """Where two contracts cost the same, and which is cheaper in between."""

    _table_builder: ClassVar[str] = "break_even_table"

    first: CostFunction
    second: CostFunction
    volumes: tuple[Fraction, ...]
    """Volumes at which both cost exactly the same (or where the cheaper one flips at a jump)."""
    intervals: tuple[tuple[Fraction, Fraction, str | None], ...]
    """``(start, end, cheaper contract name or None when equal)`` for each open interval."""

    def cheaper_at(self, volume: object) -> str | None:
        """The cheaper contract at ``volume`` (``None`` when they cost the same)."""
        v = _volume(volume)
        a, b = self.first(v), self.second(v)
        if a == b:
            return None
        return self.first.contract if a < b else self.second.contract

    def __str__(self) -> str:
        rows = [f"{self.first.contract} vs {self.second.contract} by {self.first.metric}"]
        for start, end, name in self.intervals:
            who = name if name is not None else "same cost"
            rows.append(f"  ({display_quantity(start)}, {display_quantity(end)}): {who}")
        if self.volumes:
            rows.append(
                "  break-even at " + ", ".join(str(display_quantity(v)) for v in self.volumes)
            )
        else:
            rows.append("  no break-even volume in the range")
        return "\n".join(rows)

    def __repr__(self) -> str:
        return _notebook.break_even_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.break_even_html(self)


def break_even(
    first: Contract,
    second: Contract,
    metric: str | Mix,
    period: Period | str,
    *,
    upto: object,
    start: object = 0,
    base: UsageInput | None = None,
    previous_usage: UsageInput | None = None,
    spread: Spread = None,
) -> BreakEven:
    """The exact volumes of ``metric`` where ``first`` and ``second`` cost the same.

    >>> from meterprice import Contract, PerUnit, RecurringFee
    >>> ppu = Contract(
    ...     "Pay per use", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.90 EUR")]
    ... )
    >>> fte = Contract("Fixed", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])
    >>> result = break_even(ppu, fte, "minutes", "2026-11", upto=20000)
    >>> [str(v) for v in result.volumes]
    ['20000/3']
    >>> result.cheaper_at(5000), result.cheaper_at(9000)
    ('Pay per use', 'Fixed')
    """
    if first.currency != second.currency:
        raise ContractError(
            f"break-even needs one currency (got {first.currency.code} and {second.currency.code})"
        )
    kwargs: dict[str, Any] = {
        "upto": upto,
        "start": start,
        "base": base,
        "previous_usage": previous_usage,
        "spread": spread,
    }
    f = cost_function(first, metric, period, **kwargs)
    g = cost_function(second, metric, period, **kwargs)
    diff = (f.function - g.function).simplify()
    volumes = diff.zeros()
    intervals: list[tuple[Fraction, Fraction, str | None]] = []
    for seg in diff.segments:
        cuts = [v for v in volumes if seg.start < v < seg.end]
        points = [seg.start, *cuts, seg.end]
        for a, b in itertools.pairwise(points):
            value = seg.at((a + b) / 2)
            name = None if value == 0 else (f.contract if value < 0 else g.contract)
            if intervals and intervals[-1][2] == name and intervals[-1][1] == a:
                intervals[-1] = (intervals[-1][0], b, name)
            else:
                intervals.append((a, b, name))
    return BreakEven(f, g, volumes, tuple(intervals))


# the cost rules that live in their own modules register themselves on import
from meterprice import _cost_rules, breakeven_clauses  # noqa: E402, F401
