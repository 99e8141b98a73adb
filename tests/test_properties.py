"""Property tests for the billing invariants of the guide (section 2).

Each section names the invariant it checks. The strategies live in
``tests/strategies.py``; how many examples run comes from the settings profile
(``HYPOTHESIS_PROFILE``, see ``tests/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import locale
import operator
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from strategies import (
    HALF_MODES,
    MONOTONE_KINDS,
    RATE_DRIVEN_KINDS,
    Case,
    _billable,
    any_currencies,
    cases,
    component_kind,
    components,
    contract_meters,
    contracts,
    currencies,
    decimals,
    event_lists,
    map_money,
    minimum_volumes,
    money,
    percentages,
    periods,
    recurring_fees,
    roundings,
    scale_factors,
    split_period,
    tiereds,
    usages,
    windows,
)

from meterprice import (
    Contract,
    Currency,
    CurrencyMismatchError,
    Event,
    Invoice,
    Line,
    Meter,
    MeterpriceError,
    MinimumSpend,
    MinimumVolume,
    Money,
    Package,
    Percentage,
    Period,
    PerUnit,
    RecurringFee,
    Rounding,
    SetupFee,
    Tier,
    Tiered,
    TierMode,
    Usage,
    Where,
    Window,
    meter_events,
    proration,
)
from meterprice import _decimal as d

# -- helpers --------------------------------------------------------------------------------


def amount_of(lines: Iterable[Line]) -> Fraction:
    """The exact sum of the rounded amounts of ``lines``."""
    return sum((Fraction(line.amount.amount) for line in lines), Fraction(0))


def exact_of(lines: Iterable[Line]) -> Fraction:
    """The exact sum of the unrounded amounts of ``lines``."""
    return sum((line.exact for line in lines), Fraction(0))


def quantum(currency: Currency) -> Fraction:
    """The currency's minor unit as an exact fraction (1/100 for EUR, 1 for JPY)."""
    return Fraction(1, 10**currency.minor_units)


def assert_same_invoice(first: Invoice, second: Invoice) -> None:
    """Equal as values and in every character of their plain-data form."""
    assert first == second
    assert first.to_dict() == second.to_dict()


def bill(contract: Contract, usage: Any, period: Period | str, **options: Any) -> Invoice:
    """``contract.invoice``, with an empty invoice (not an error) outside the term:
    random terms often miss the random period.
    """
    return contract.invoice(usage, period, outside_term="empty", **options)


def usage_input(case: Case, use_events: bool) -> list[Event] | Usage:
    return case.events if use_events else case.usage


def active_part(contract: Contract, index: int, period: Period) -> Period | None:
    """The part of ``period`` in which component ``index`` applies (term and window)."""
    term = contract.term.within(period)
    return None if term is None else contract.components[index].active.within(term)


def earlier_lines(contract: Contract, invoice: Invoice, index: int) -> list[Line]:
    """The lines of the components before ``index``: what component ``index`` sees."""
    position = {component.name: i for i, component in enumerate(contract.components)}
    return [line for line in invoice.lines if position[line.component] < index]


def usage_seen(case: Case, use_events: bool, active: Period) -> Usage:
    """The usage a component active in ``active`` prices."""
    if use_events:
        return case.contract.meter(case.events, active)
    return case.usage.within(active)


def rounding_bound(rounding: Rounding, currency: Currency, parts: int = 1) -> Fraction:
    """How far ``parts`` amounts rounded by ``rounding`` can be from their exact sum:
    half a minor unit each for half-* modes, (strictly) less than one otherwise."""
    each = quantum(currency) / 2 if rounding in HALF_MODES else quantum(currency)
    return each * parts


def one_contract(component: Any, currency: Currency, rounding: Rounding) -> Contract:
    return Contract("c", currency, [component], rounding=rounding, unpriced="ignore")


# ===========================================================================================
# 1. Lines sum exactly to the total; every amount at the currency's minor unit.
# ===========================================================================================


@given(case=cases(), use_events=st.booleans())
def test_lines_add_up_to_the_total_at_minor_unit_precision(case: Case, use_events: bool) -> None:
    contract = case.contract
    invoice = bill(contract, usage_input(case, use_events), case.period)
    currency, rounding = contract.currency, contract.rounding
    minor = currency.minor_units

    total = invoice.total
    assert total.currency == currency
    assert Fraction(total.amount) == amount_of(invoice.lines)
    assert total.amount.as_tuple().exponent == -minor
    assert invoice.to_dict()["total"] == str(total.amount)
    assert invoice.subtotal() == total
    for line in invoice.lines:
        amount = Fraction(line.amount.amount)
        assert line.amount.currency == currency
        # 0 places for JPY, 2 for EUR and CNY, 3 for BHD
        assert line.amount.amount.as_tuple().exponent == -minor
        # rounded once from the exact amount, in the policy's direction
        error = amount - line.exact
        if rounding in HALF_MODES:
            assert abs(error) <= quantum(currency) / 2
        else:
            assert abs(error) < quantum(currency)
        if rounding is Rounding.UP:
            assert abs(amount) >= abs(line.exact)
        elif rounding is Rounding.DOWN:
            assert abs(amount) <= abs(line.exact)
        elif rounding is Rounding.CEILING:
            assert amount >= line.exact
        elif rounding is Rounding.FLOOR:
            assert amount <= line.exact


@given(value=money(any_currencies(), min_value=-100_000, extra_places=4), rounding=roundings())
def test_rounding_gives_the_minor_unit_and_agrees_for_decimals_and_fractions(
    value: Money, rounding: Rounding
) -> None:
    minor = value.currency.minor_units
    rounded = value.round(rounding)
    assert rounded.amount.as_tuple().exponent == -minor
    assert rounded.is_rounded
    assert rounded.round(rounding) == rounded  # rounding twice changes nothing
    error = abs(Fraction(rounded.amount) - Fraction(value.amount))
    assert error <= rounding_bound(rounding, value.currency)
    # the exact-fraction path (line amounts) and the decimal path (Money.round) agree
    from_fraction = rounding.round(Fraction(value.amount), minor)
    assert from_fraction.as_tuple() == rounded.amount.as_tuple()


# ===========================================================================================
# 2. Money never mixes currencies; floats, NaN and infinities are refused.
# ===========================================================================================


@given(pair=st.lists(any_currencies(), min_size=2, max_size=2, unique=True), data=st.data())
def test_money_never_mixes_currencies(pair: list[Currency], data: st.DataObject) -> None:
    first = data.draw(money(pair[0], min_value=-1000, max_value=1000, extra_places=2))
    second = data.draw(money(pair[1], min_value=-1000, max_value=1000, extra_places=2))
    operations: list[Callable[[Money, Money], object]] = [
        operator.add,
        operator.sub,
        operator.lt,
        operator.le,
        operator.gt,
        operator.ge,
        operator.truediv,
    ]
    for operation in operations:
        with pytest.raises(CurrencyMismatchError) as info:
            operation(first, second)
        assert isinstance(info.value, MeterpriceError)
        assert isinstance(info.value, ValueError)
        assert first.currency.code in str(info.value)
        assert second.currency.code in str(info.value)
    with pytest.raises(CurrencyMismatchError):
        sum([first, second])
    assert first != second


@given(data=st.data(), other=any_currencies())
def test_a_contract_refuses_a_component_in_another_currency(
    data: st.DataObject, other: Currency
) -> None:
    contract = data.draw(contracts(currency=Currency.of("EUR"), max_components=3))
    if other == contract.currency:
        other = Currency.of("JPY")
    kinds = ("per_unit", "graduated", "volume", "package", "recurring", "setup", "minimum_volume")
    intruder = _billable(
        attrs.evolve(data.draw(components(other, kinds=kinds)), name="intruder"), contract.term
    )
    position = data.draw(st.integers(0, len(contract.components)))
    parts = list(contract.components)
    parts.insert(position, intruder)
    with pytest.raises(MeterpriceError) as info:
        attrs.evolve(contract, components=parts)
    assert isinstance(info.value, ValueError)
    assert f"components[{position}]" in str(info.value)
    assert other.code in str(info.value)


_EUR = Money("1.00", "EUR")
_AT = dt.datetime(2026, 11, 2, 9, 0)

#: Public entries that take a number, each with a builder that passes it ``x``.
NUMBER_ENTRIES: list[tuple[str, Callable[[Any], object]]] = [
    ("Money amount", lambda x: Money(x, "EUR")),
    ("Money * number", lambda x: _EUR * x),
    ("Money / number", lambda x: _EUR / x),
    ("Money.allocate weights", lambda x: _EUR.allocate([1, x])),
    ("Rounding.round", lambda x: Rounding.HALF_UP.round(x, 2)),
    ("Event quantity", lambda x: Event("calls", x, _AT)),
    ("Usage.from_totals", lambda x: Usage.from_totals({"calls": x})),
    ("PerUnit included", lambda x: PerUnit("p", metric="m", rate=_EUR, included=x)),
    ("Tier up_to", lambda x: Tier(x, _EUR)),
    ("Package size", lambda x: Package("p", metric="m", size=x, price=_EUR)),
    ("RecurringFee quantity", lambda x: RecurringFee("r", amount=_EUR, quantity=x)),
    ("Percentage percent", lambda x: Percentage("p", percent=x, of={"t"})),
    ("MinimumVolume quantity", lambda x: MinimumVolume("m", metric="m", quantity=x, rate=_EUR)),
    ("Meter increment", lambda x: Meter("m", increment=x)),
]
_ENTRY_IDS = [name for name, _ in NUMBER_ENTRIES]


@pytest.mark.parametrize(("entry", "build"), NUMBER_ENTRIES, ids=_ENTRY_IDS)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused_at_every_entry(
    entry: str, build: Callable[[Any], object], value: float
) -> None:
    with pytest.raises(TypeError) as info:
        build(value)
    # the message names the offending value
    assert repr(value) in str(info.value), entry


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_floats_never_combine_with_money(value: float) -> None:
    for operation in (operator.add, operator.sub, operator.lt, operator.ge):
        with pytest.raises(TypeError):
            operation(_EUR, value)
        with pytest.raises(TypeError):
            operation(value, _EUR)
    with pytest.raises(TypeError):
        _ = value * _EUR


NON_FINITE: list[object] = [
    Decimal("NaN"),
    Decimal("-NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "sNaN",
]


@pytest.mark.parametrize(("entry", "build"), NUMBER_ENTRIES, ids=_ENTRY_IDS)
@pytest.mark.parametrize("value", NON_FINITE, ids=[repr(v) for v in NON_FINITE])
def test_nan_and_infinities_are_refused_at_every_entry(
    entry: str, build: Callable[[Any], object], value: object
) -> None:
    # a finite exact number refused for its type (a string where only Decimal and int
    # are typed) would be a TypeError; a non-finite one is a ValueError naming it
    with pytest.raises(ValueError, match=r"(?i)nan|inf") as info:
        build(value)
    assert not isinstance(info.value, decimal.DecimalException), entry


# ===========================================================================================
# 3. Usage is order independent; metering is a mergeable summary.
# ===========================================================================================


def _partition(events: Sequence[Event], labels: Sequence[int], parts: int) -> list[list[Event]]:
    pairs = list(zip(events, labels, strict=True))
    return [[event for event, label in pairs if label == index] for index in range(parts)]


def _labels(data: st.DataObject, count: int, parts: int) -> list[int]:
    return data.draw(
        st.lists(st.integers(0, parts - 1), min_size=count, max_size=count), label="parts"
    )


@given(case=cases(partial=False), data=st.data())
def test_metering_parts_and_merging_equals_metering_all(case: Case, data: st.DataObject) -> None:
    contract, period, events = case.contract, case.period, case.events
    parts = data.draw(st.integers(1, 4))
    pieces = _partition(events, _labels(data, len(events), parts), parts)
    whole = contract.meter(events, period)
    merged = sum((contract.meter(piece, period) for piece in pieces), Usage())
    assert merged == whole
    assert merged.to_dict() == whole.to_dict()
    assert_same_invoice(bill(contract, merged, period), bill(contract, whole, period))
    # every component is active all period long: pricing the events is pricing their summary
    assert_same_invoice(bill(contract, events, period), bill(contract, whole, period))


@given(period=periods(), data=st.data())
def test_meter_events_is_mergeable_with_corrections(period: Period, data: st.DataObject) -> None:
    meters = data.draw(contract_meters(allow_negative=True))
    events = data.draw(event_lists(period, negative=True))
    parts = data.draw(st.integers(2, 4))
    pieces = [
        meter_events(meters, p)
        for p in _partition(events, _labels(data, len(events), parts), parts)
    ]
    whole = meter_events(meters, events)
    assert sum(pieces, Usage()) == whole
    assert sum(reversed(pieces), Usage()) == whole  # merging is commutative


@given(case=cases(), data=st.data())
def test_splitting_the_period_splits_the_usage(case: Case, data: st.DataObject) -> None:
    contract, period = case.contract, case.period
    # cut on random days, and often on the day of an event (one at midnight sits
    # exactly on the boundary of two sub-periods and must count in one only)
    days = sorted({e.at.date() for e in case.events if period.start < e.at.date() < period.end})
    cuts = set(data.draw(st.lists(st.sampled_from(days), max_size=2))) if days else set()
    cuts |= {piece.start for piece in data.draw(split_period(period))[1:]}
    bounds = [period.start, *sorted(cuts), period.end]
    pieces = [Period(start, end) for start, end in itertools.pairwise(bounds)]
    whole = contract.meter(case.events, period)
    assert sum((contract.meter(case.events, piece) for piece in pieces), Usage()) == whole


@given(case=cases(), data=st.data())
def test_event_order_does_not_change_the_invoice(case: Case, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(case.events))
    assert_same_invoice(
        bill(case.contract, case.events, case.period),
        bill(case.contract, shuffled, case.period),
    )


@given(case=cases())
def test_events_outside_the_period_do_not_count(case: Case) -> None:
    contract, period = case.contract, case.period
    start, end = contract.bounds(period)
    if case.events and case.events[0].at.tzinfo is None:
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    inside = [event for event in case.events if start <= event.at < end]
    note(f"{len(inside)} of {len(case.events)} events inside the period")
    assert_same_invoice(bill(contract, case.events, period), bill(contract, inside, period))


# ===========================================================================================
# 4. Monotone components never charge less for more usage; graduated tiers are continuous.
# ===========================================================================================


@given(data=st.data())
def test_more_usage_never_costs_less(data: st.DataObject) -> None:
    period = data.draw(periods())
    usage, more = data.draw(usages(within=period)), data.draw(usages(within=period))
    contract = data.draw(contracts(period=period, kinds=MONOTONE_KINDS))
    small = bill(contract, usage, period)
    large = bill(contract, usage + more, period)
    for component in contract.components:
        few, many = small.lines_of(component.name), large.lines_of(component.name)
        assert exact_of(few) <= exact_of(many), component.name
        assert amount_of(few) <= amount_of(many), component.name
    assert small.total <= large.total


@given(fee=recurring_fees(), extra=decimals(max_value=50, places=3), data=st.data())
def test_more_seats_never_cost_less(fee: RecurringFee, extra: Decimal, data: st.DataObject) -> None:
    period = data.draw(periods())
    fee = attrs.evolve(fee, active=data.draw(windows(period)))
    more = attrs.evolve(fee, quantity=d.add(fee.quantity, extra))
    currency, rounding = fee.amount.currency, data.draw(roundings())
    few = bill(one_contract(fee, currency, rounding), Usage(), period)
    many = bill(one_contract(more, currency, rounding), Usage(), period)
    assert exact_of(few.lines) <= exact_of(many.lines)
    assert few.total <= many.total


def _graduated(data: st.DataObject) -> Tiered:
    """A graduated tiered rate without flat fees, on all usage of ``minutes``."""
    tiered = data.draw(
        tiereds(mode=TierMode.GRADUATED, flats=False, metrics=("minutes",)), label="tiered"
    )
    return attrs.evolve(tiered, where=Where(), active=Window())


def _cost(tiered: Tiered, quantity: Decimal) -> Fraction:
    """The exact amount ``tiered`` charges for ``quantity`` minutes."""
    currency = tiered.tiers[0].rate.currency
    contract = one_contract(tiered, currency, Rounding.HALF_EVEN)
    invoice = bill(contract, {"minutes": quantity}, Period.month(2026, 11))
    return exact_of(invoice.lines)


@given(data=st.data(), tiny=decimals(min_value="0.000001", max_value="0.005", places=6))
def test_graduated_tiers_are_continuous_at_their_boundaries(
    data: st.DataObject, tiny: Decimal
) -> None:
    tiered = _graduated(data)
    bounds = [tier.up_to for tier in tiered.tiers if tier.up_to is not None]
    if not bounds:
        return  # a single open tier has no boundary (the Lipschitz test covers it)
    index = data.draw(st.integers(0, len(bounds) - 1), label="boundary")
    boundary = bounds[index]
    below, above = tiered.tiers[index].rate.amount, tiered.tiers[index + 1].rate.amount
    top = max(Fraction(tier.rate.amount) for tier in tiered.tiers)
    at = _cost(tiered, boundary)
    after = _cost(tiered, d.add(boundary, tiny))
    before = _cost(tiered, d.sub(boundary, tiny))
    # no jump: the step over a boundary costs at most tiny x the highest rate ...
    assert Fraction(0) <= after - at <= Fraction(tiny) * top
    assert Fraction(0) <= at - before <= Fraction(tiny) * top
    # ... and exactly tiny x the rate of the tier on each side (the tiers are at least
    # 0.01 wide and tiny at most 0.005, so b - tiny and b + tiny are in those tiers):
    # f(b) is the limit from below and from above
    assert after - Fraction(tiny) * Fraction(above) == at
    assert before + Fraction(tiny) * Fraction(below) == at


@given(
    data=st.data(),
    low=decimals(max_value=25_000, places=3),
    step=decimals(max_value=10_000, places=3),
)
def test_graduated_cost_grows_between_the_lowest_and_highest_rate(
    data: st.DataObject, low: Decimal, step: Decimal
) -> None:
    tiered = _graduated(data)
    rates = [Fraction(tier.rate.amount) for tier in tiered.tiers]
    growth = _cost(tiered, d.add(low, step)) - _cost(tiered, low)
    assert min(rates) * Fraction(step) <= growth <= max(rates) * Fraction(step)


# ===========================================================================================
# 5. A minimum holds; without usage only fixed and minimum charges remain.
# ===========================================================================================


@given(case=cases(require=("minimum_spend",)), use_events=st.booleans())
def test_a_minimum_spend_lifts_its_subtotal_to_the_rounded_floor(
    case: Case, use_events: bool
) -> None:
    contract, period = case.contract, case.period
    invoice = bill(contract, usage_input(case, use_events), period)
    for index, component in enumerate(contract.components):
        if not isinstance(component, MinimumSpend):
            continue
        own = invoice.lines_of(component.name)
        active = active_part(contract, index, period)
        if active is None:
            assert not own
            continue
        read = component.of
        base = amount_of(
            line
            for line in earlier_lines(contract, invoice, index)
            if read is None or line.tags & read
        )
        floor = Fraction(component.amount.amount)
        if component.prorate and active != period:
            floor *= proration(active, period)
        floor_rounded = Fraction(contract.rounding.round(floor, contract.currency.minor_units))
        constrained = base + amount_of(own)
        assert constrained >= floor_rounded
        assert constrained == max(base, floor_rounded)
        assert len(own) == (1 if base < floor_rounded else 0)


@given(case=cases(require=("minimum_volume",)), use_events=st.booleans())
def test_a_minimum_volume_charges_exactly_the_shortfall(case: Case, use_events: bool) -> None:
    contract, period = case.contract, case.period
    invoice = bill(contract, usage_input(case, use_events), period)
    for index, component in enumerate(contract.components):
        if not isinstance(component, MinimumVolume):
            continue
        own = invoice.lines_of(component.name)
        active = active_part(contract, index, period)
        if active is None:
            assert not own
            continue
        used = usage_seen(case, use_events, active).exact(component.metric, component.where)
        required = Fraction(component.quantity)
        if component.prorate and active != period:
            required *= proration(active, period)
        shortfall = required - used
        if shortfall <= 0:
            assert not own
        else:
            (line,) = own
            assert line.quantity == shortfall
            assert line.exact == shortfall * Fraction(component.rate.amount)


FIXED = (RecurringFee, SetupFee)


@given(case=cases(), use_events=st.booleans())
def test_without_usage_only_fixed_and_minimum_charges_remain(case: Case, use_events: bool) -> None:
    contract, period = case.contract, case.period
    empty = bill(contract, Usage(), period)
    assert_same_invoice(empty, bill(contract, [], period))
    for line in empty.lines:
        component = contract.component(line.component)
        assert component_kind(component) not in ("per_unit", "graduated", "volume", "package")
    for index, component in enumerate(contract.components):
        active = active_part(contract, index, period)
        if isinstance(component, MinimumVolume) and active is not None:
            # nothing used: the whole (prorated) minimum is the shortfall
            required = Fraction(component.quantity)
            if component.prorate and active != period:
                required *= proration(active, period)
            assert [line.quantity for line in empty.lines_of(component.name)] == [required]
    # fixed charges do not depend on usage at all
    priced = bill(contract, usage_input(case, use_events), period)
    for component in contract.components:
        if isinstance(component, FIXED):
            assert priced.lines_of(component.name) == empty.lines_of(component.name)


# ===========================================================================================
# 6. Proration is additive; allocation adds back exactly.
# ===========================================================================================


def _pieces_windows(pieces: list[Period], data: st.DataObject) -> list[Window]:
    """Windows for consecutive ``pieces``; the first may be open at the start and the
    last at the end (they are clipped to the period all the same)."""
    result = [Window(piece.start, piece.end) for piece in pieces]
    if data.draw(st.booleans(), label="open start"):
        result[0] = Window(None, pieces[0].end)
    if data.draw(st.booleans(), label="open end"):
        result[-1] = Window(result[-1].start, None)
    return result


@given(
    data=st.data(),
    currency=currencies(),
    rounding=roundings(),
    kind=st.sampled_from(["recurring", "minimum_volume", "minimum_spend"]),
)
def test_prorating_the_parts_of_a_period_adds_up_to_the_whole(
    data: st.DataObject, currency: Currency, rounding: Rounding, kind: str
) -> None:
    period = data.draw(periods(), label="period")
    pieces = data.draw(split_period(period), label="pieces")
    parts = len(pieces)
    anchor = RecurringFee("anchor", amount=Money.zero(currency), quantity=0, tags={"base"})
    whole: RecurringFee | MinimumVolume | MinimumSpend
    if kind == "recurring":
        whole = attrs.evolve(data.draw(recurring_fees(currency)), prorate=True)
    elif kind == "minimum_volume":
        whole = data.draw(minimum_volumes(currency, prorate=True))
    else:
        amount = data.draw(money(currency, max_value=50_000, extra_places=2))
        whole = MinimumSpend("floor", amount=amount, of={"base"}, prorate=True)
    split = [
        attrs.evolve(whole, name=f"part {number}", active=window)
        for number, window in enumerate(_pieces_windows(pieces, data))
    ]
    whole = attrs.evolve(whole, active=Window())
    single = Contract("whole", currency, [anchor, whole], rounding=rounding, unpriced="ignore")
    cut = Contract("parts", currency, [anchor, *split], rounding=rounding, unpriced="ignore")
    exact = exact_of(bill(single, Usage(), period).lines)
    lines = bill(cut, Usage(), period).lines
    note(f"{parts} parts: {[str(line.amount) for line in lines]}, whole {exact}")
    if kind != "minimum_spend":
        # the exact amounts add up exactly (a minimum spend rounds its floor first)
        assert exact_of(lines) == exact
    # and the rounded parts are within the rounding of each part
    assert abs(amount_of(lines) - exact) <= rounding_bound(rounding, currency, parts)


@given(period=periods(), data=st.data())
def test_proration_shares_of_a_split_period_add_up_to_one(
    period: Period, data: st.DataObject
) -> None:
    pieces = data.draw(split_period(period))
    assert sum((proration(piece, period) for piece in pieces), Fraction(0)) == 1
    assert proration(None, period) == 0
    assert proration(Period(period.end, period.end + dt.timedelta(days=3)), period) == 0


@given(
    value=money(any_currencies(), min_value=-1_000_000, max_value=1_000_000),
    weights=st.lists(decimals(max_value=1000, places=3), min_size=1, max_size=8).filter(any),
)
def test_allocated_parts_always_add_back_exactly(value: Money, weights: list[Decimal]) -> None:
    parts = value.allocate(weights)
    assert len(parts) == len(weights)
    assert sum(parts, Money.zero(value.currency)) == value
    whole = sum((Fraction(w) for w in weights), Fraction(0))
    for part, weight in zip(parts, weights, strict=True):
        assert part.currency == value.currency
        assert part.is_rounded
        share = Fraction(value.amount) * Fraction(weight) / whole
        assert abs(Fraction(part.amount) - share) < quantum(value.currency)
        if weight == 0:
            assert part.amount == 0
        assert part.amount * value.amount >= 0  # never the opposite sign


@given(
    fee=money(currencies(), max_value=20_000),
    period=periods(),
    rounding=roundings(),
    data=st.data(),
)
def test_allocating_a_rounded_fee_by_days_adds_back_exactly(
    fee: Money, period: Period, rounding: Rounding, data: st.DataObject
) -> None:
    pieces = data.draw(split_period(period))
    parts = fee.allocate([piece.days for piece in pieces])
    assert sum(parts, Money.zero(fee.currency)) == fee
    for part, piece in zip(parts, pieces, strict=True):
        exact = Fraction(fee.amount) * proration(piece, period)
        assert abs(Fraction(part.amount) - exact) < quantum(fee.currency)


# ===========================================================================================
# 7. A percentage line equals the percentage of the subtotal it names, rounded once.
# ===========================================================================================


@given(case=cases(require=("percentage",)), use_events=st.booleans())
def test_a_percentage_line_is_its_percent_of_the_rounded_subtotal(
    case: Case, use_events: bool
) -> None:
    contract, period = case.contract, case.period
    invoice = bill(contract, usage_input(case, use_events), period)
    for index, component in enumerate(contract.components):
        if not isinstance(component, Percentage):
            continue
        own = invoice.lines_of(component.name)
        if active_part(contract, index, period) is None:
            assert not own
            continue
        read = component.of
        base = amount_of(
            line
            for line in earlier_lines(contract, invoice, index)
            if read is None or line.tags & read
        )
        if base == 0:
            assert not own
            continue
        (line,) = own
        assert line.quantity == base
        assert line.exact == base * Fraction(component.percent) / 100
        expected = contract.rounding.round(line.exact, contract.currency.minor_units)
        assert line.amount == Money(expected, contract.currency)


# ===========================================================================================
# 9. Pricing is deterministic and pure: any process, locale or decimal context.
# ===========================================================================================

_SIGNALS = [
    decimal.Inexact,
    decimal.Rounded,
    decimal.FloatOperation,
    decimal.Subnormal,
    decimal.Underflow,
    decimal.Clamped,
    decimal.Overflow,
    decimal.DivisionByZero,
    decimal.InvalidOperation,
]
_ROUNDINGS = [
    decimal.ROUND_DOWN,
    decimal.ROUND_UP,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
    decimal.ROUND_05UP,
]


@st.composite
def hostile_contexts(draw: st.DrawFn) -> decimal.Context:
    """A decimal context nobody would price with: 1 to 4 digits, odd rounding,
    lower-case exponents, tiny exponent range, traps on inexact results."""
    return decimal.Context(
        prec=draw(st.integers(1, 4)),
        rounding=draw(st.sampled_from(_ROUNDINGS)),
        Emin=draw(st.integers(-8, 0)),
        Emax=draw(st.integers(1, 8)),
        capitals=draw(st.integers(0, 1)),
        clamp=draw(st.integers(0, 1)),
        traps=draw(st.lists(st.sampled_from(_SIGNALS), unique=True)),
    )


@given(case=cases(), context=hostile_contexts(), use_events=st.booleans())
def test_pricing_ignores_the_ambient_decimal_context(
    case: Case, context: decimal.Context, use_events: bool
) -> None:
    contract, period = case.contract, case.period
    usage = usage_input(case, use_events)
    reference = bill(contract, usage, period)
    expected = (reference.to_dict(), reference.explain(), str(reference))
    with decimal.localcontext(context):
        # every component and the contract are built again: converters and checks run too
        rebuilt = map_money(contract, lambda price: Money(price.amount, price.currency))
        again = bill(rebuilt, usage, period)
        assert (again.to_dict(), again.explain(), str(again)) == expected
    assert again == reference


@given(case=cases(), use_events=st.booleans())
def test_pricing_is_deterministic_and_pure(case: Case, use_events: bool) -> None:
    contract, period = case.contract, case.period
    usage = usage_input(case, use_events)
    before = (case.usage.to_dict(), list(case.events))
    first = bill(contract, usage, period)
    bill(contract, usage, contract.cycle.next(period))  # no state carried over
    second = bill(contract, usage, period)
    assert_same_invoice(first, second)
    assert (case.usage.to_dict(), list(case.events)) == before  # inputs left untouched


_EXAMPLE = """
import datetime as dt
import json
from meterprice import *

def example_invoice():
    de_fr = Where({"language": ["de", "fr"], "channel": ["phone", "chat", "email"]})
    contract = Contract(
        "5CA-like pay per use",
        "EUR",
        [
            SetupFee("Implementation", amount="4500.00 EUR", on="2026-11-02",
                     tags={"one-off", "fees"}),
            Tiered("Handled minutes", metric="handle_minutes", where=de_fr,
                   tiers=[Tier(100, "0.95 EUR"), Tier(None, "0.8125 EUR", flat="0.5 EUR")],
                   tags={"usage", "minutes", "pay-per-use"}, active={"start": "2026-11-16"}),
            PerUnit("QA hours", metric="qa_hours", rate="38.00 EUR",
                    tags={"usage", "hours", "tasks"}),
            Package("Chats", metric="chats", size="0.5", price="0.0000007 EUR",
                    tags={"usage"}),
            MinimumVolume("Minimum volume", metric="handle_minutes", quantity=2000,
                          rate="0.90 EUR", tags={"usage", "minimum"}),
            Percentage("Project management", percent="6.5", of={"usage", "tasks"},
                       tags={"pm", "fees"}),
            RecurringFee("Agents", amount="2300.00 EUR", quantity=3, unit="agent",
                         active={"end": "2026-11-20"}, tags={"fees", "seats"}),
            MinimumSpend("Minimum spend", amount="9000.005 EUR", of={"usage", "pm"},
                         prorate=True, active={"start": "2026-11-03"}),
        ],
        meters=[
            Meter("handle_minutes", source="handle_seconds", from_unit="second",
                  unit="minute", increment=6, group_by=["language", "channel"]),
            Meter("chats", aggregation="count"),
            Meter("qa_hours", increment="0.25"),
        ],
        rounding="half_even",
        timezone="Europe/Berlin",
    )
    events = []
    for day in range(1, 31):
        at = dt.datetime(2026, 11, day, (day * 7) % 24, day % 60)
        events.append(Event("handle_seconds", 185 + day, at,
                            {"language": "de" if day % 2 else "fr", "channel": "phone"}))
        events.append(Event("chats", 1, at, {"language": "it"}))
        if day % 5 == 0:
            events.append(Event("qa_hours", "1.3", at))
    return contract.invoice(events, "2026-11")

def example_json():
    return json.dumps(example_invoice().to_dict(), sort_keys=True)
"""


def _example_json() -> str:
    namespace: dict[str, Any] = {}
    exec(_EXAMPLE, namespace)  # the very source the child process runs
    return str(namespace["example_json"]())


def _available_locales() -> list[str]:
    """Locales this machine has besides C (a comma decimal mark first, when present)."""
    wanted = ["de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", "en_US.UTF-8", "C.UTF-8", "C.utf8"]
    found = []
    saved = locale.setlocale(locale.LC_ALL)
    try:
        for name in wanted:
            try:
                locale.setlocale(locale.LC_ALL, name)
            except locale.Error:
                continue
            found.append(name)
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    return found


@contextmanager
def _locale(name: str) -> Iterator[None]:
    saved = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, name)
        yield
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def _child(code: str, *, hash_seed: str, lc_all: str, payload: bytes = b"") -> str:
    """Run ``code`` in a fresh interpreter with its own hash seed and locale."""
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, LC_ALL=lc_all, LANG=lc_all)
    preamble = "import locale; locale.setlocale(locale.LC_ALL, '')\n"
    result = subprocess.run(
        [sys.executable, "-c", preamble + code],
        input=payload,
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


@pytest.mark.parametrize("lc_all", ["C", *_available_locales()[:1]])
@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_the_same_invoice_in_a_fresh_process(lc_all: str, hash_seed: str) -> None:
    here = _example_json()
    there = _child(_EXAMPLE + "\nprint(example_json())", hash_seed=hash_seed, lc_all=lc_all)
    assert there.strip() == here
    data = json.loads(here)
    assert len(data["lines"]) >= 6  # the example exercises most components


@pytest.mark.parametrize("name", _available_locales()[:1])
def test_the_same_invoice_under_another_locale(name: str) -> None:
    here = _example_json()
    with _locale(name):
        assert _example_json() == here


_PRICE_PICKLED = """
import json, pickle, sys
jobs = pickle.load(sys.stdin.buffer)
print(json.dumps(
    [c.invoice(u, p, outside_term="empty").to_dict() for c, u, p in jobs], sort_keys=True
))
"""


@settings(deadline=None, max_examples=3)
@given(batch=st.lists(cases(), min_size=4, max_size=4), use_events=st.booleans())
def test_random_contracts_price_the_same_in_another_process(
    batch: list[Case], use_events: bool
) -> None:
    jobs = [(case.contract, usage_input(case, use_events), case.period) for case in batch]
    here = json.dumps([bill(c, u, p).to_dict() for c, u, p in jobs], sort_keys=True)
    there = _child(_PRICE_PICKLED, hash_seed="random", lc_all="C", payload=pickle.dumps(jobs))
    assert there.strip() == here


# ===========================================================================================
# 10. Scaling every rate by k scales every rate-driven line by k (before rounding).
# ===========================================================================================


def _scaled(contract: Contract, factor: Decimal) -> Contract:
    """``contract`` with every price (rates, tier flats, package prices, fees, floors)
    multiplied by ``factor``."""
    return map_money(contract, lambda price: price * factor)


def _by_key(invoice: Invoice) -> dict[tuple[str, str], Line]:
    return {(line.component, line.description): line for line in invoice.lines}


@given(case=cases(), factor=scale_factors(), use_events=st.booleans())
def test_scaling_every_rate_scales_every_rate_driven_line(
    case: Case, factor: Decimal, use_events: bool
) -> None:
    contract, period = case.contract, case.period
    usage = usage_input(case, use_events)
    plain = bill(contract, usage, period)
    scaled = bill(_scaled(contract, factor), usage, period)
    before, after = _by_key(plain), _by_key(scaled)
    k = Fraction(factor)
    for index, component in enumerate(contract.components):
        mine = {key for key in before if key[0] == component.name}
        theirs = {key for key in after if key[0] == component.name}
        if component_kind(component) in RATE_DRIVEN_KINDS:
            assert mine == theirs
            for key in mine:
                assert after[key].exact == k * before[key].exact, key
                assert after[key].quantity == before[key].quantity, key
        elif isinstance(component, Percentage):
            # the base is a sum of rounded lines: when it scaled exactly, so does the line
            read = component.of
            base = amount_of(
                line
                for line in earlier_lines(contract, plain, index)
                if read is None or line.tags & read
            )
            base_scaled = amount_of(
                line
                for line in earlier_lines(contract, scaled, index)
                if read is None or line.tags & read
            )
            if base_scaled == k * base:
                assert mine == theirs
                for key in mine:
                    assert after[key].exact == k * before[key].exact, key


@given(
    data=st.data(),
    currency=currencies(),
    factor=st.integers(2, 12),
    usage=usages(integral=True),
)
def test_a_percentage_of_scaled_lines_scales_with_them(
    data: st.DataObject, currency: Currency, factor: int, usage: Usage
) -> None:
    # Whole-number usage and rates at the minor unit give rate-driven lines that are
    # already rounded; an integer factor keeps them so. Their rounded subtotal then
    # scales exactly by k, and the percentage line with it.
    rated = data.draw(
        st.lists(
            components(
                currency,
                kinds=("per_unit", "graduated", "volume", "package", "recurring", "minimum_volume"),
                tags=frozenset({"usage"}),
                cents=True,
            ),
            min_size=1,
            max_size=4,
        )
    )
    rated = [attrs.evolve(c, name=f"rate {i}") for i, c in enumerate(rated)]
    surcharges = data.draw(
        st.lists(percentages(frozenset({"usage"}), tags=frozenset({"pm"})), min_size=1, max_size=2)
    )
    surcharges = [attrs.evolve(p, name=f"surcharge {i}") for i, p in enumerate(surcharges)]
    contract = Contract(
        "c", currency, [*rated, *surcharges], rounding=data.draw(roundings()), unpriced="ignore"
    )
    period = Period.month(2026, 11)
    plain = bill(contract, usage, period)
    scaled = _scaled(contract, Decimal(factor)).invoice(usage, period)
    for line in plain.lines:
        if line.component.startswith("rate"):
            assert Fraction(line.amount.amount) == line.exact  # the premise holds
    before, after = _by_key(plain), _by_key(scaled)
    assert before.keys() == after.keys()
    for key, line in before.items():
        assert after[key].exact == factor * line.exact, key
