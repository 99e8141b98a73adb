"""Reusable hypothesis strategies for meterprice's property tests.

Every number is drawn as an exact :class:`~decimal.Decimal` (an integer scaled by a
power of ten through an explicit context), never as a float. The building blocks go
from small to large: currencies and exact amounts, money, periods and cycles,
dimension values and filters, raw events and usage summaries, meters, one strategy
per core component type, and whole :class:`~meterprice.Contract` values whose
components read only tags that an earlier component carries and whose money is all
in the contract's currency.

Strategies that need context take it as arguments (the currency of a rate, the
billing period that events and activity windows are drawn around), so a property
can pin one part and let hypothesis vary the rest.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal, TypeVar, cast

import attrs
from hypothesis import settings
from hypothesis import strategies as st

from meterprice import (
    Aggregation,
    Component,
    Contract,
    Currency,
    Cycle,
    Dimensions,
    Event,
    Meter,
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
)
from meterprice._decimal import EXACT

__all__ = [
    "AGENTS",
    "BILLABLE_METRICS",
    "CHANNELS",
    "CURRENCY_CODES",
    "FILTER_DIMENSIONS",
    "HALF_MODES",
    "KINDS",
    "LANGUAGES",
    "MONOTONE_KINDS",
    "RATE_DRIVEN_KINDS",
    "SHIFTS",
    "SOURCE_METRICS",
    "TAGS",
    "TIMEZONES",
    "Case",
    "any_currencies",
    "cases",
    "component_kind",
    "components",
    "contract_meters",
    "contracts",
    "currencies",
    "cut_dates",
    "cycle_periods",
    "cycles",
    "dates",
    "decimals",
    "dimension_values",
    "dimensions",
    "event_lists",
    "events",
    "map_money",
    "minimum_spends",
    "minimum_volumes",
    "money",
    "packages",
    "per_units",
    "percentages",
    "percents",
    "periods",
    "rates",
    "recurring_fees",
    "roundings",
    "scale_factors",
    "setup_fees",
    "split_period",
    "tiereds",
    "tiers",
    "timestamps",
    "usages",
    "wheres",
    "windows",
]

T = TypeVar("T")

# ---------------------------------------------------------------------------------------
# Currencies, exact numbers, money
# ---------------------------------------------------------------------------------------

#: The currencies most properties run in: 0 (JPY), 2 (EUR, CNY) and 3 (BHD) minor units.
CURRENCY_CODES = ("JPY", "EUR", "CNY", "BHD")

#: Rounding modes that move an amount by at most half a minor unit.
HALF_MODES = frozenset({Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.HALF_DOWN})


def currencies(codes: Sequence[str] = CURRENCY_CODES) -> st.SearchStrategy[Currency]:
    """One of ``codes`` (by default JPY, EUR, CNY and BHD)."""
    return st.sampled_from([Currency.of(code) for code in codes])


def any_currencies() -> st.SearchStrategy[Currency]:
    """Any invoiceable ISO 4217 currency (0, 2, 3 or 4 minor units)."""
    return st.sampled_from(Currency.codes()).map(Currency.of)


def roundings() -> st.SearchStrategy[Rounding]:
    """Any rounding policy."""
    return st.sampled_from(list(Rounding))


def _scaled(units: int, places: int) -> Decimal:
    """``units * 10**-places`` exactly, without the ambient decimal context."""
    return Decimal(units).scaleb(-places, EXACT)


def decimals(
    *,
    min_value: Decimal | int | str = 0,
    max_value: Decimal | int | str = 1_000_000,
    places: int = 2,
) -> st.SearchStrategy[Decimal]:
    """Exact decimals in ``[min_value, max_value]`` with up to ``places`` digits after
    the point; the exponent varies too (``Decimal("1.5")`` and ``Decimal("1.50")``)."""
    low, high = Fraction(Decimal(min_value)), Fraction(Decimal(max_value))

    def at(digits: int) -> st.SearchStrategy[Decimal]:
        scale = 10**digits
        return st.integers(math.ceil(low * scale), math.floor(high * scale)).map(
            lambda units: _scaled(units, digits)
        )

    usable = [
        digits
        for digits in range(places + 1)
        if math.ceil(low * 10**digits) <= math.floor(high * 10**digits)
    ]
    if not usable:
        raise ValueError(f"no decimal with {places} places in [{min_value}, {max_value}]")
    return st.sampled_from(usable).flatmap(at)


def money(
    currency: Currency | st.SearchStrategy[Currency] | None = None,
    *,
    min_value: Decimal | int | str = 0,
    max_value: Decimal | int | str = 100_000,
    extra_places: int = 0,
) -> st.SearchStrategy[Money]:
    """Money in ``currency`` (drawn when not given) with up to ``extra_places`` digits
    below its minor unit (0: a rounded amount)."""
    chosen: st.SearchStrategy[Currency]
    if isinstance(currency, Currency):
        chosen = st.just(currency)
    elif currency is None:
        chosen = currencies()
    else:
        chosen = currency
    return chosen.flatmap(
        lambda cur: decimals(
            min_value=min_value,
            max_value=max_value,
            places=cur.minor_units + extra_places,
        ).map(lambda amount: Money(amount, cur))
    )


def rates(
    currency: Currency, *, max_value: int = 50, cents: bool = False
) -> st.SearchStrategy[Money]:
    """A unit rate, sometimes zero: up to 5 digits below the minor unit (``0.0125 EUR``
    per second), a small rate below 0.01, or a tiny one (``0.0000007 EUR`` per byte,
    which ``str()`` writes in exponent notation). ``cents``: at the minor unit only."""
    if cents:
        return money(currency, max_value=max_value)
    return st.one_of(
        money(currency, max_value=max_value, extra_places=5),
        money(currency, max_value="0.01", extra_places=8),
        money(currency, max_value="0.000005", extra_places=10),
    )


def percents() -> st.SearchStrategy[Decimal]:
    """A percentage from 0 to 150 with up to 5 decimals (6, 12.5, 0.00001)."""
    return decimals(min_value=0, max_value=150, places=5)


def scale_factors() -> st.SearchStrategy[Decimal]:
    """An exact positive factor such as 3, 1.5 or 0.25."""
    return st.one_of(
        st.sampled_from([Decimal(2), Decimal(3), Decimal("1.5"), Decimal("0.5"), Decimal("0.25")]),
        decimals(min_value="0.01", max_value=20, places=2),
    )


# ---------------------------------------------------------------------------------------
# Dates, periods, cycles, windows
# ---------------------------------------------------------------------------------------

_FIRST = dt.date(2020, 1, 1)
_LAST = dt.date(2032, 12, 31)


def dates(min_value: dt.date = _FIRST, max_value: dt.date = _LAST) -> st.SearchStrategy[dt.date]:
    """A date between 2020 and 2032 (leap days and month ends included)."""
    return st.dates(min_value, max_value)


def cycles() -> st.SearchStrategy[Cycle]:
    """Monthly (any anchor day, 1 or 2 months), weekly, daily, quarterly, yearly or
    semi-monthly cycles."""
    return st.one_of(
        st.builds(Cycle.monthly, st.integers(1, 31)),
        st.builds(
            Cycle, st.just("month"), dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)), st.just(2)
        ),
        st.builds(Cycle.weekly, st.integers(0, 6)),
        st.just(Cycle.daily()),
        st.builds(Cycle.quarterly, st.integers(1, 12)),
        st.builds(Cycle.yearly, st.integers(1, 12), st.integers(1, 28)),
        st.builds(Cycle.semimonthly, st.integers(2, 28)),
    )


def cycle_periods(cycle: Cycle | None = None) -> st.SearchStrategy[Period]:
    """A period of ``cycle`` (drawn when not given): the one containing a random date."""
    chosen = st.just(cycle) if cycle is not None else cycles()
    return st.tuples(chosen, dates()).map(lambda pair: pair[0].period_of(pair[1]))


@st.composite
def periods(draw: st.DrawFn) -> Period:
    """A calendar month, or any range of days inside one: what a monthly contract
    prices as one invoice (a whole or a partial billing period).
    """
    start = draw(dates())
    month = Period.month(start.year, start.month)
    if draw(st.booleans()):
        return month
    return Period(start, start + dt.timedelta(days=draw(st.integers(1, (month.end - start).days))))


@st.composite
def cut_dates(draw: st.DrawFn, period: Period, *, max_cuts: int = 4) -> list[dt.date]:
    """Sorted distinct dates strictly inside ``period``, where it can be split."""
    if period.days < 2:
        return []
    offsets = draw(st.sets(st.integers(1, period.days - 1), max_size=max_cuts))
    return [period.start + dt.timedelta(days=offset) for offset in sorted(offsets)]


@st.composite
def split_period(draw: st.DrawFn, period: Period, *, max_cuts: int = 4) -> list[Period]:
    """``period`` cut into consecutive sub-periods that cover it exactly."""
    bounds = [period.start, *draw(cut_dates(period, max_cuts=max_cuts)), period.end]
    return [Period(a, b) for a, b in itertools.pairwise(bounds)]


@st.composite
def windows(draw: st.DrawFn, period: Period) -> Window:
    """An activity window around ``period``: open, starting or ending inside it (a
    go-live on the 16th), or starting or ending just outside it."""

    def bound() -> dt.date | None:
        choice = draw(st.sampled_from(["none", "inside", "near"]))
        if choice == "none":
            return None
        if choice == "inside":
            return period.start + dt.timedelta(days=draw(st.integers(0, period.days)))
        return period.start + dt.timedelta(days=draw(st.integers(-40, period.days + 40)))

    start, end = bound(), bound()
    if start is not None and end is not None and end <= start:
        start, end = end, start
        if end == start:
            end = None
    return Window(start, end)


# ---------------------------------------------------------------------------------------
# Dimensions and filters
# ---------------------------------------------------------------------------------------

CHANNELS = ("phone", "chat", "email")
LANGUAGES = ("de", "en", "fr", "it", "es")
SHIFTS = ("day", "night", "early")
AGENTS = ("a1", "a2", "a3", "a4", "a5")

#: The dimensions that filters and meters group by; every event also names an agent.
FILTER_DIMENSIONS: Mapping[str, tuple[str, ...]] = {
    "channel": CHANNELS,
    "language": LANGUAGES,
    "shift": SHIFTS,
}


def dimension_values(name: str) -> st.SearchStrategy[str]:
    """A value of dimension ``name`` (``agent`` or one of :data:`FILTER_DIMENSIONS`)."""
    if name == "agent":
        return st.sampled_from(AGENTS)
    return st.sampled_from(FILTER_DIMENSIONS[name])


@st.composite
def dimensions(
    draw: st.DrawFn,
    *,
    required: Sequence[str] = (),
    optional: Sequence[str] = tuple(FILTER_DIMENSIONS),
) -> Dimensions:
    """Dimensions with every ``required`` name and any of the ``optional`` ones."""
    chosen = list(required) + [name for name in optional if draw(st.booleans())]
    return Dimensions({name: draw(dimension_values(name)) for name in chosen})


@st.composite
def wheres(draw: st.DrawFn, names: Sequence[str] = tuple(FILTER_DIMENSIONS)) -> Where:
    """A filter on up to two of ``names``: one allowed value, or a set of them."""
    if not names:
        return Where()
    picked = draw(st.lists(st.sampled_from(sorted(names)), max_size=2, unique=True))
    conditions: dict[str, str | list[str]] = {}
    for name in picked:
        values = draw(st.lists(dimension_values(name), min_size=1, max_size=3, unique=True))
        conditions[name] = values[0] if len(values) == 1 else values
    return Where(conditions)


# ---------------------------------------------------------------------------------------
# Events and usage
# ---------------------------------------------------------------------------------------

#: Raw event metrics and how their quantities look.
SOURCE_METRICS: Mapping[str, st.SearchStrategy[Decimal]] = {
    # call handle time in seconds, sometimes with tenths
    "handle_seconds": decimals(min_value=0, max_value=3600, places=1),
    "orders": st.integers(1, 5).map(Decimal),
    # store sales, a money-valued metric
    "sales": decimals(min_value=0, max_value=5000, places=2),
    "qa_hours": decimals(min_value=0, max_value=8, places=2),
    "seats": st.integers(0, 40).map(Decimal),
}

#: The metrics the meters of :func:`contract_meters` produce (what components read).
BILLABLE_METRICS = (
    "handle_minutes",
    "calls",
    "agents",
    "longest_call",
    "orders",
    "sales",
    "qa_hours",
    "seats",
)

TIMEZONES = ("UTC", "Europe/Berlin", "Asia/Shanghai", "America/New_York")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


@st.composite
def timestamps(
    draw: st.DrawFn,
    period: Period,
    *,
    timezone: str | None = None,
    outside: bool = True,
) -> dt.datetime:
    """A wall-clock instant inside ``period`` (often right on its first or last
    microsecond, or at midnight), or with ``outside`` sometimes before it or at or
    after its end.

    Naive unless ``timezone`` is given; aware instants are written in that zone or in
    UTC (the same instant).
    """
    start, end = _midnight(period.start), _midnight(period.end)
    micro = dt.timedelta(microseconds=1)
    span = int((end - start) / micro)
    places = ["inside"] * 3 + ["midnight", "edge"] + (["before", "after"] if outside else [])
    where = draw(st.sampled_from(places))
    if where == "inside":
        at = start + micro * draw(st.integers(0, span - 1))
    elif where == "midnight":  # where a sub-period or an activity window may begin
        at = start + dt.timedelta(days=draw(st.integers(0, period.days - 1)))
    elif where == "edge":
        edges = [start, start + micro, end - micro]
        at = draw(st.sampled_from(edges + ([start - micro, end] if outside else [])))
    elif where == "before":
        at = start - micro * draw(st.integers(1, 40 * 86_400 * 10**6))
    else:
        at = end + micro * draw(st.integers(0, 40 * 86_400 * 10**6))
    if timezone is None:
        return at
    aware = at.replace(tzinfo=zoneinfo.ZoneInfo(timezone))
    if draw(st.booleans()):
        return aware.astimezone(dt.timezone.utc)
    return aware


@st.composite
def events(
    draw: st.DrawFn,
    period: Period,
    *,
    metrics: Sequence[str] = tuple(SOURCE_METRICS),
    timezone: str | None = None,
    outside: bool = True,
    negative: bool = False,
) -> Event:
    """One raw event of one of ``metrics`` at a time around ``period``; it always
    names an agent and a channel, and sometimes a language and a shift. With
    ``negative``, some quantities are corrections below zero."""
    metric = draw(st.sampled_from(list(metrics)))
    quantity = draw(SOURCE_METRICS[metric])
    if negative and draw(st.booleans()):
        quantity = quantity.copy_negate()
    return Event(
        metric,
        quantity,
        draw(timestamps(period, timezone=timezone, outside=outside)),
        draw(dimensions(required=("agent", "channel"), optional=("language", "shift"))),
    )


def event_lists(
    period: Period,
    *,
    metrics: Sequence[str] = tuple(SOURCE_METRICS),
    timezone: str | None = None,
    outside: bool = True,
    negative: bool = False,
    min_size: int = 0,
    max_size: int = 25,
) -> st.SearchStrategy[list[Event]]:
    """A list of :func:`events` (possibly with exact duplicates, which must count)."""
    one = events(period, metrics=metrics, timezone=timezone, outside=outside, negative=negative)
    sizes = st.integers(min_size, max_size)
    batches = sizes.flatmap(lambda size: st.lists(one, min_size=size, max_size=size))
    return batches.flatmap(
        lambda batch: (
            st.lists(st.sampled_from(batch), max_size=3).map(lambda extra: batch + extra)
            if batch
            else st.just(batch)
        )
    )


@st.composite
def usages(
    draw: st.DrawFn,
    metrics: Sequence[str] = BILLABLE_METRICS,
    *,
    min_groups: int = 0,
    max_groups: int = 12,
    integral: bool = False,
    within: Period | None = None,
) -> Usage:
    """A usage summary written from totals: exact quantities by metric and dimensions
    (``integral``: whole numbers only); with ``within``, each group is used on a random
    day of that period (day-resolved), else undated."""
    quantity = (
        st.integers(0, 20_000).map(Decimal)
        if integral
        else decimals(min_value=0, max_value=20_000, places=3)
    )
    totals: dict[tuple[str, Dimensions], Decimal] = {}
    for _ in range(draw(st.integers(min_groups, max_groups))):
        key = (draw(st.sampled_from(list(metrics))), draw(dimensions()))
        totals[key] = draw(quantity)
    if within is None:
        return Usage.from_totals(totals)
    days = st.integers(0, within.days - 1).map(lambda n: within.start + dt.timedelta(days=n))
    return sum(
        (Usage.from_totals({key: value}, on=draw(days)) for key, value in totals.items()),
        Usage(),
    )


# ---------------------------------------------------------------------------------------
# Meters
# ---------------------------------------------------------------------------------------


@st.composite
def _group_by(draw: st.DrawFn) -> tuple[str, ...] | None:
    if draw(st.booleans()):
        return None
    return tuple(draw(st.lists(st.sampled_from(list(FILTER_DIMENSIONS)), unique=True)))


@st.composite
def contract_meters(draw: st.DrawFn, *, allow_negative: bool = False) -> tuple[Meter, ...]:
    """Meters for every source metric, one per billable metric of
    :data:`BILLABLE_METRICS`, with random increments, minimums, groupings and filters:
    sums with unit conversion, counts, distinct agents, maxima and latest values.
    ``allow_negative``: every meter accepts corrections below zero."""
    seconds = "handle_seconds"
    meters = (
        Meter(
            "handle_minutes",
            source=seconds,
            from_unit="second",
            unit="minute",
            increment=draw(st.sampled_from([None, 1, 6, 30, 60])),
            minimum=draw(st.sampled_from([None, 10, 30])),
            group_by=draw(_group_by()),
            where=draw(st.one_of(st.just(Where()), wheres())),
        ),
        Meter("calls", source=seconds, aggregation=Aggregation.COUNT, group_by=draw(_group_by())),
        Meter(
            "agents",
            source=seconds,
            aggregation=Aggregation.DISTINCT,
            distinct="agent",
            group_by=draw(_group_by()),
        ),
        Meter(
            "longest_call",
            source=seconds,
            aggregation=Aggregation.MAX,
            from_unit="second",
            unit="minute",
            group_by=draw(_group_by()),
        ),
        Meter(
            "orders",
            aggregation=draw(st.sampled_from([Aggregation.SUM, Aggregation.COUNT])),
            group_by=draw(_group_by()),
        ),
        Meter("sales", group_by=draw(_group_by())),
        Meter(
            "qa_hours",
            increment=draw(st.sampled_from([None, Decimal("0.25"), Decimal("0.5"), 1])),
            group_by=draw(_group_by()),
        ),
        Meter("seats", aggregation=Aggregation.LATEST, group_by=draw(_group_by())),
    )
    if allow_negative:
        return tuple(attrs.evolve(meter, allow_negative=True) for meter in meters)
    return meters


# ---------------------------------------------------------------------------------------
# Components
# ---------------------------------------------------------------------------------------

#: Every core component kind :func:`components` can draw.
KINDS = (
    "per_unit",
    "graduated",
    "volume",
    "package",
    "recurring",
    "setup",
    "percentage",
    "minimum_spend",
    "minimum_volume",
)
#: Kinds that never charge less for more usage.
MONOTONE_KINDS = ("per_unit", "graduated", "package", "recurring", "setup", "percentage")
#: Kinds whose lines are a rate (or a fee) times a quantity, which scale with the rate.
RATE_DRIVEN_KINDS = (
    "per_unit",
    "graduated",
    "volume",
    "package",
    "recurring",
    "setup",
    "minimum_volume",
)
#: Kinds that read earlier lines by tag.
_READERS = ("percentage", "minimum_spend")

TAGS = ("usage", "hours", "fees", "pm", "minimum")


def component_kind(component: Component) -> str:
    """The :data:`KINDS` name of a core component."""
    if isinstance(component, Tiered):
        return "graduated" if component.mode is TierMode.GRADUATED else "volume"
    kinds: dict[type[Component], str] = {
        PerUnit: "per_unit",
        Package: "package",
        RecurringFee: "recurring",
        SetupFee: "setup",
        Percentage: "percentage",
        MinimumSpend: "minimum_spend",
        MinimumVolume: "minimum_volume",
    }
    return kinds[type(component)]


def _filter_names(meters: Sequence[Meter] | None, metric: str) -> tuple[str, ...]:
    """The dimensions a component may filter ``metric`` on (what its meter keeps)."""
    for meter in meters or ():
        if meter.name == metric and meter.group_by is not None:
            return meter.group_by
    return tuple(FILTER_DIMENSIONS)


@attrs.frozen
class _Common:
    """What every component strategy shares."""

    currency: Currency
    name: str
    tags: frozenset[str]
    active: Window
    metrics: tuple[str, ...]
    meters: tuple[Meter, ...] | None
    cents: bool


def _common(
    draw: st.DrawFn,
    *,
    currency: Currency | None,
    name: str,
    tags: frozenset[str] | None,
    active: Window | None,
    metrics: Sequence[str],
    meters: Sequence[Meter] | None,
    cents: bool,
) -> _Common:
    return _Common(
        currency=draw(currencies()) if currency is None else currency,
        name=name,
        tags=draw(st.frozensets(st.sampled_from(TAGS), max_size=2)) if tags is None else tags,
        active=Window() if active is None else active,
        metrics=tuple(metrics),
        meters=None if meters is None else tuple(meters),
        cents=cents,
    )


def _metric_and_where(draw: st.DrawFn, common: _Common) -> tuple[str, Where]:
    metric = draw(st.sampled_from(list(common.metrics)))
    if draw(st.integers(0, 2)) > 0:  # most rates read all usage of their metric
        return metric, Where()
    where = draw(wheres(_filter_names(common.meters, metric)))
    return metric, where


def _quantity(draw: st.DrawFn, cents: bool, *, max_value: int, min_value: int = 0) -> Decimal:
    if cents:
        return Decimal(draw(st.integers(min_value, max_value)))
    return draw(decimals(min_value=min_value, max_value=max_value, places=2))


def _positive_quantity(draw: st.DrawFn, cents: bool, *, max_value: int) -> Decimal:
    if cents:
        return Decimal(draw(st.integers(1, max_value)))
    return draw(decimals(min_value="0.01", max_value=max_value, places=2))


@st.composite
def per_units(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    name: str = "per unit",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
    metrics: Sequence[str] = BILLABLE_METRICS,
    meters: Sequence[Meter] | None = None,
    cents: bool = False,
) -> PerUnit:
    """A :class:`~meterprice.PerUnit` rate, maybe filtered, maybe with free units."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=metrics,
        meters=meters,
        cents=cents,
    )
    metric, where = _metric_and_where(draw, common)
    return PerUnit(
        common.name,
        metric=metric,
        rate=draw(rates(common.currency, cents=cents)),
        where=where,
        included=_quantity(draw, cents, max_value=500) if draw(st.booleans()) else Decimal(0),
        unit=draw(st.sampled_from([None, "min", "unit"])),
        tags=common.tags,
        active=common.active,
    )


@st.composite
def tiers(
    draw: st.DrawFn,
    currency: Currency,
    *,
    flats: bool = True,
    cents: bool = False,
    max_tiers: int = 4,
) -> list[Tier]:
    """Tiers with increasing bounds, the last one open, random rates (rising or
    falling) and, with ``flats``, optional flat fees."""
    count = draw(st.integers(1, max_tiers))
    steps = [_positive_quantity(draw, cents, max_value=5000) for _ in range(count - 1)]
    bounds: list[Decimal | None] = []
    upper = Decimal(0)
    for step in steps:
        upper = EXACT.add(upper, step)
        bounds.append(upper)
    bounds.append(None)
    result = []
    for bound in bounds:
        flat = None
        if flats and draw(st.booleans()):
            flat = draw(money(currency, max_value=1000))
        result.append(Tier(bound, draw(rates(currency, cents=cents)), flat))
    return result


@st.composite
def tiereds(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    mode: TierMode | None = None,
    flats: bool = True,
    name: str = "tiered",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
    metrics: Sequence[str] = BILLABLE_METRICS,
    meters: Sequence[Meter] | None = None,
    cents: bool = False,
) -> Tiered:
    """A :class:`~meterprice.Tiered` component, graduated or volume (``mode``)."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=metrics,
        meters=meters,
        cents=cents,
    )
    metric, where = _metric_and_where(draw, common)
    return Tiered(
        common.name,
        metric=metric,
        tiers=draw(tiers(common.currency, flats=flats, cents=cents)),
        mode=draw(st.sampled_from(list(TierMode))) if mode is None else mode,
        where=where,
        unit=draw(st.sampled_from([None, "min"])),
        tags=common.tags,
        active=common.active,
    )


@st.composite
def packages(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    name: str = "package",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
    metrics: Sequence[str] = BILLABLE_METRICS,
    meters: Sequence[Meter] | None = None,
    cents: bool = False,
) -> Package:
    """A :class:`~meterprice.Package` of blocks, maybe with free units first."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=metrics,
        meters=meters,
        cents=cents,
    )
    metric, where = _metric_and_where(draw, common)
    return Package(
        common.name,
        metric=metric,
        size=_positive_quantity(draw, cents, max_value=2000),
        price=draw(money(common.currency, max_value=5000, extra_places=0 if cents else 2)),
        where=where,
        included=_quantity(draw, cents, max_value=500) if draw(st.booleans()) else Decimal(0),
        tags=common.tags,
        active=common.active,
    )


@st.composite
def recurring_fees(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    name: str = "recurring",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
    cents: bool = False,
    prorate: bool | None = None,
) -> RecurringFee:
    """A :class:`~meterprice.RecurringFee` for some seats, prorated or not."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=(),
        meters=None,
        cents=cents,
    )
    return RecurringFee(
        common.name,
        amount=draw(money(common.currency, max_value=20_000, extra_places=0 if cents else 2)),
        quantity=draw(st.sampled_from([Decimal(1), _quantity(draw, cents, max_value=30)])),
        prorate=draw(st.booleans()) if prorate is None else prorate,
        unit=draw(st.sampled_from([None, "agent"])),
        tags=common.tags,
        active=common.active,
    )


@st.composite
def setup_fees(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    period: Period | None = None,
    name: str = "setup",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
) -> SetupFee:
    """A :class:`~meterprice.SetupFee` on a date in or near ``period``."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=(),
        meters=None,
        cents=False,
    )
    around = draw(periods()) if period is None else period
    on = around.start + dt.timedelta(days=draw(st.integers(-10, around.days + 10)))
    return SetupFee(
        common.name,
        amount=draw(money(common.currency, max_value=20_000)),
        on=on,
        tags=common.tags,
        active=common.active,
    )


@st.composite
def percentages(
    draw: st.DrawFn,
    of: frozenset[str] | None,
    *,
    name: str = "percentage",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
) -> Percentage:
    """A :class:`~meterprice.Percentage` of the lines tagged ``of`` (None: all lines)."""
    return Percentage(
        name,
        percent=draw(percents()),
        of=of,
        tags=draw(st.frozensets(st.sampled_from(TAGS), max_size=2)) if tags is None else tags,
        active=Window() if active is None else active,
    )


@st.composite
def minimum_spends(
    draw: st.DrawFn,
    currency: Currency | None,
    of: frozenset[str] | None,
    *,
    name: str = "minimum spend",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
) -> MinimumSpend:
    """A :class:`~meterprice.MinimumSpend` floor on the lines tagged ``of``; the floor
    may have digits below the minor unit, which the contract rounds."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=(),
        meters=None,
        cents=False,
    )
    return MinimumSpend(
        common.name,
        amount=draw(money(common.currency, max_value=50_000, extra_places=draw(st.integers(0, 2)))),
        of=of,
        prorate=draw(st.booleans()),
        tags=common.tags,
        active=common.active,
    )


@st.composite
def minimum_volumes(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    name: str = "minimum volume",
    tags: frozenset[str] | None = None,
    active: Window | None = None,
    metrics: Sequence[str] = BILLABLE_METRICS,
    meters: Sequence[Meter] | None = None,
    cents: bool = False,
    prorate: bool | None = None,
) -> MinimumVolume:
    """A :class:`~meterprice.MinimumVolume` with a shortfall rate."""
    common = _common(
        draw,
        currency=currency,
        name=name,
        tags=tags,
        active=active,
        metrics=metrics,
        meters=meters,
        cents=cents,
    )
    metric, where = _metric_and_where(draw, common)
    return MinimumVolume(
        common.name,
        metric=metric,
        quantity=_positive_quantity(draw, cents, max_value=20_000),
        rate=draw(rates(common.currency, cents=cents)),
        where=where,
        prorate=draw(st.booleans()) if prorate is None else prorate,
        unit=draw(st.sampled_from([None, "min"])),
        tags=common.tags,
        active=common.active,
    )


@st.composite
def components(
    draw: st.DrawFn,
    currency: Currency | None = None,
    *,
    kinds: Sequence[str] = tuple(k for k in KINDS if k not in _READERS),
    name: str | None = None,
    period: Period | None = None,
    of: frozenset[str] | None = None,
    tags: frozenset[str] | None = None,
    active: Window | None = None,
    metrics: Sequence[str] = BILLABLE_METRICS,
    meters: Sequence[Meter] | None = None,
    cents: bool = False,
) -> Component:
    """One core component of one of ``kinds`` with valid random parameters. Readers
    (percentage, minimum spend) read the lines tagged ``of``."""
    cur = draw(currencies()) if currency is None else currency
    kind = draw(st.sampled_from(list(kinds)))
    label = name or kind.replace("_", " ")
    strategy: st.SearchStrategy[Component]
    if kind == "per_unit":
        strategy = per_units(
            cur, name=label, tags=tags, active=active, metrics=metrics, meters=meters, cents=cents
        )
    elif kind in ("graduated", "volume"):
        strategy = tiereds(
            cur,
            mode=TierMode.GRADUATED if kind == "graduated" else TierMode.VOLUME,
            name=label,
            tags=tags,
            active=active,
            metrics=metrics,
            meters=meters,
            cents=cents,
        )
    elif kind == "package":
        strategy = packages(
            cur, name=label, tags=tags, active=active, metrics=metrics, meters=meters, cents=cents
        )
    elif kind == "recurring":
        strategy = recurring_fees(cur, name=label, tags=tags, active=active, cents=cents)
    elif kind == "setup":
        strategy = setup_fees(cur, period=period, name=label, tags=tags, active=active)
    elif kind == "percentage":
        strategy = percentages(of, name=label, tags=tags, active=active)
    elif kind == "minimum_spend":
        strategy = minimum_spends(cur, of, name=label, tags=tags, active=active)
    elif kind == "minimum_volume":
        strategy = minimum_volumes(
            cur, name=label, tags=tags, active=active, metrics=metrics, meters=meters, cents=cents
        )
    else:  # pragma: no cover - a kind this module does not know
        raise ValueError(f"unknown component kind {kind!r}")
    return draw(strategy)


# ---------------------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------------------


@st.composite
def _reads(draw: st.DrawFn, seen: frozenset[str], index: int) -> frozenset[str] | None:
    """What a reader at ``index`` reads: tags at least one earlier component carries
    (plus maybe unused ones), or every earlier line."""
    if not seen or draw(st.integers(0, 3)) == 0:
        return None
    first = draw(st.sampled_from(sorted(seen)))
    extra = draw(st.frozensets(st.sampled_from(TAGS), max_size=1))
    return frozenset({first}) | extra


@st.composite
def contracts(
    draw: st.DrawFn,
    *,
    period: Period | None = None,
    currency: Currency | None = None,
    kinds: Sequence[str] = KINDS,
    min_components: int = 1,
    max_components: int = 6,
    partial: bool = True,
    cycle: Cycle | None = None,
    cents: bool = False,
    unpriced: Literal["error", "ignore"] = "ignore",
    require: Sequence[str] = (),
) -> Contract:
    """A whole :class:`~meterprice.Contract`: meters for every source metric, a
    random ordered list of components of ``kinds`` with unique names, readers that
    only read tags of earlier components, every amount in one currency, a random
    rounding policy and time zone.

    With ``partial``, components (and the contract's term) may start or end inside
    ``period`` (drawn when not given), so some are prorated or see part of the usage.
    ``unpriced`` is the contract's policy for usage no rate selects: random usage
    often falls outside random filters, so the default ignores it rather than refuse
    most examples. With ``require``, one component (never the first) is of one of
    those kinds, so that a property about it always has one to check.
    """
    cur = draw(currencies()) if currency is None else currency
    around = draw(periods()) if period is None else period
    meters = draw(contract_meters())
    count = draw(st.integers(max(min_components, 2 if require else 1), max_components))
    required_at = draw(st.integers(1, count - 1)) if require else -1
    chosen: list[Component] = []
    seen: frozenset[str] = frozenset()
    for index in range(count):
        allowed = [k for k in kinds if index > 0 or k not in _READERS]
        if index == required_at:
            allowed = list(require)
        if not allowed:
            break
        kind = draw(st.sampled_from(allowed))
        reads = draw(_reads(seen, index)) if kind in _READERS else None
        # one in three components has its own window (the required one, one in two)
        odds = 1 if index == required_at else 2
        active = draw(windows(around)) if partial and draw(st.integers(0, odds)) == 0 else None
        component = draw(
            components(
                cur,
                kinds=(kind,),
                name=f"{index + 1}. {kind.replace('_', ' ')}",
                period=around,
                of=reads,
                active=active,
                meters=meters,
                cents=cents,
            )
        )
        chosen.append(component)
        seen |= component.tags
    term = draw(windows(around)) if partial and draw(st.integers(0, 4)) == 0 else Window()
    return Contract(
        "property contract",
        cur,
        [_billable(component, term) for component in chosen],
        meters=meters,
        cycle=Cycle.monthly() if cycle is None else cycle,
        rounding=draw(roundings()),
        timezone=draw(st.sampled_from(TIMEZONES)),
        term=term,
        unpriced=unpriced,
    )


def _billable(component: Component, term: Window) -> Component:
    """``component``, with a setup fee moved into the term and its window if it lies
    outside them (a contract refuses a one-off fee that would never be billed).
    """
    if not isinstance(component, SetupFee):
        return component
    if component.on in term and component.on in component.active:
        return component
    allowed = _meet(term, component.active)
    active = component.active
    if allowed is None:  # the windows do not meet: the fee applies whenever the term does
        allowed, active = term, Window()
    if component.on in allowed:
        return attrs.evolve(component, active=active)
    assert allowed.start is not None or allowed.end is not None
    on = allowed.start if allowed.start is not None else allowed.end - dt.timedelta(days=1)  # type: ignore[operator]
    return attrs.evolve(component, on=on, active=active)


def _meet(one: Window, other: Window) -> Window | None:
    """The days both windows share, or ``None``."""
    starts = [w.start for w in (one, other) if w.start is not None]
    ends = [w.end for w in (one, other) if w.end is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and start >= end:
        return None
    return Window(start, end)


@attrs.frozen
class Case:
    """A contract, a period to invoice, raw events around it and a usage summary."""

    contract: Contract
    period: Period
    events: list[Event]
    usage: Usage


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    kinds: Sequence[str] = KINDS,
    partial: bool = True,
    outside: bool = True,
    aware: bool | None = None,
    currency: Currency | None = None,
    max_components: int = 6,
    max_events: int = 25,
    require: Sequence[str] = (),
) -> Case:
    """A contract on a random cycle, one of its periods, events around that period
    (naive, or aware when ``aware``; drawn when ``None``) and a usage summary.
    The other arguments go to :func:`contracts`."""
    cycle = draw(cycles())
    period = draw(cycle_periods(cycle))
    contract = draw(
        contracts(
            period=period,
            currency=currency,
            kinds=kinds,
            partial=partial,
            cycle=cycle,
            max_components=max_components,
            require=require,
        )
    )
    is_aware = draw(st.booleans()) if aware is None else aware
    batch = draw(
        event_lists(
            period,
            timezone=contract.timezone if is_aware else None,
            outside=outside,
            max_size=max_events,
        )
    )
    return Case(contract, period, batch, draw(usages(within=period)))


def map_money(value: T, function: Callable[[Money], Money]) -> T:
    """``value`` with ``function`` applied to every :class:`~meterprice.Money` in it
    (through components, tiers, contracts, tuples and lists), e.g. to scale every
    price of a contract."""
    mapped: object = value
    if isinstance(value, Money):
        mapped = function(value)
    elif isinstance(value, (tuple, list)):
        items = [map_money(item, function) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            mapped = type(value)(items)
    elif isinstance(value, (Component, Contract, Tier)):
        changes = {}
        for field in attrs.fields(type(value)):
            current = getattr(value, field.name)
            new = map_money(current, function)
            if new is not current:
                changes[field.alias] = new
        if changes:
            mapped = attrs.evolve(value, **changes)
    return cast(T, mapped)


def whole_contracts() -> settings:
    """Settings for properties that price a whole random contract several times per
    example (amendments, re-rating, documents): a third of the profile's examples
    (10 by default, 133 under ``HYPOTHESIS_PROFILE=ci``), so that the suite stays
    within its time while the ci profile still fuzzes them hard.
    """
    return settings(max_examples=max(10, settings().max_examples // 3), deadline=None)
