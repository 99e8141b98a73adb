"""Contracts: an ordered list of components, the meters that feed them, a billing
cycle, a currency and one rounding policy; :meth:`Contract.invoice` prices a period.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any, Literal

import attrs

from meterprice.components.base import Charge, Component, PricingContext, to_window
from meterprice.errors import ContractError, PricingError
from meterprice.invoice import Invoice, Line
from meterprice.metering import Meter, meter_events
from meterprice.money import Currency, Money, Rounding
from meterprice.periods import Cycle, Period, Window
from meterprice.usage import Event, Usage, display_quantity

__all__ = ["Contract", "UsageInput"]

UsageInput = Usage | Mapping[Any, object] | Iterable[Event] | Callable[[Period], Usage]
"""What :meth:`Contract.invoice` prices: a :class:`~meterprice.Usage`, a mapping of
totals (``{"handle_minutes": 12000}``), raw :class:`~meterprice.Event` values, or a
function giving the usage metered in any window of days (what a streaming reader of a
large usage file provides: see :mod:`meterprice.usagefiles`)."""


def _to_currency(value: object) -> Currency:
    if isinstance(value, (Currency, str)):
        return Currency.of(value)
    raise TypeError(f"currency must be an ISO 4217 code, not {value!r}")


def _to_components(value: object) -> tuple[Component, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"components must be a list of components, not {value!r}")
    components = tuple(value)
    for index, component in enumerate(components):
        if not isinstance(component, Component):
            raise TypeError(f"components[{index}] is not a Component: {component!r}")
    return components


def _to_meters(value: object) -> tuple[Meter, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"meters must be a list of Meter, not {value!r}")
    meters = tuple(value)
    for index, meter in enumerate(meters):
        if not isinstance(meter, Meter):
            raise TypeError(f"meters[{index}] is not a Meter: {meter!r}")
    return meters


def _to_rounding(value: object) -> Rounding:
    if isinstance(value, Rounding):
        return value
    if isinstance(value, str):
        try:
            return Rounding[value.upper().replace("-", "_")]
        except KeyError:
            pass
    choices = ", ".join(mode.name.lower() for mode in Rounding)
    raise ValueError(f"rounding must be one of {choices} (got {value!r})")


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"timezone must be an IANA time zone name, not {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # a folder of zones: OSError
        raise ValueError(f"timezone: unknown IANA time zone {value!r}") from None


def _to_period(value: object) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return Period.parse(value)
    raise TypeError(f"period must be a Period or a string like '2026-11', not {value!r}")


@attrs.frozen
class Contract:
    """The pricing terms of one service contract.

    Components are priced in order: a component that reads earlier lines (a
    percentage, a minimum spend) sees the lines of the components before it. Meters
    turn raw events into the metrics components read; a metric with no meter is the
    plain sum of its events' quantities. ``term`` is the contract's own window (a
    start on the 16th makes the first month partial); ``timezone`` decides which
    period an event's timestamp falls in.
    """

    name: str
    currency: Currency = attrs.field(converter=_to_currency)
    components: tuple[Component, ...] = attrs.field(converter=_to_components)
    meters: tuple[Meter, ...] = attrs.field(default=(), converter=_to_meters, kw_only=True)
    cycle: Cycle = attrs.field(default=Cycle.monthly(), kw_only=True)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding, kw_only=True)
    timezone: str = attrs.field(default="UTC", validator=_check_timezone, kw_only=True)
    term: Window = attrs.field(default=Window(), converter=to_window, kw_only=True)
    unpriced: Literal["error", "ignore"] = attrs.field(
        default="error", validator=attrs.validators.in_(("error", "ignore")), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise TypeError(f"a contract name must be a non-empty string, not {self.name!r}")
        if not isinstance(self.cycle, Cycle):
            raise TypeError(f"cycle must be a Cycle, not {self.cycle!r}")
        names: dict[str, int] = {}
        for index, component in enumerate(self.components):
            if component.name in names:
                raise ContractError(
                    f"components[{index}]: the name {component.name!r} is already used by "
                    f"components[{names[component.name]}]"
                )
            names[component.name] = index
            for path, money in component.money_values:
                if money.currency != self.currency:
                    raise ContractError(
                        f"components[{index}].{path}: {money} is in {money.currency.code} "
                        f"but the contract is in {self.currency.code}"
                    )
        self._check_tags()
        self._check_meters()

    def _check_tags(self) -> None:
        seen: set[str] = set()
        for index, component in enumerate(self.components):
            wanted = component.reads_tags
            if wanted is not None and wanted and not wanted & seen:
                raise ContractError(
                    f"components[{index}] ({component.name!r}) reads lines tagged "
                    f"{', '.join(sorted(wanted))} but no earlier component carries "
                    f"{'that tag' if len(wanted) == 1 else 'any of those tags'}"
                )
            if wanted is None and index == 0:
                raise ContractError(
                    f"components[0] ({component.name!r}) reads every earlier line "
                    "but it comes first"
                )
            seen |= component.tags

    def _check_meters(self) -> None:
        by_name: dict[str, Meter] = {}
        for index, meter in enumerate(self.meters):
            if meter.name in by_name:
                raise ContractError(f"meters[{index}]: the name {meter.name!r} is used twice")
            by_name[meter.name] = meter
            if meter.bands is not None and meter.bands.timezone != self.timezone:
                raise ContractError(
                    f"meters[{index}] ({meter.name!r}) reads time bands in "
                    f"{meter.bands.timezone} but the contract's time zone is {self.timezone}"
                )
        for index, component in enumerate(self.components):
            for metric in component.metrics:
                producer = by_name.get(metric)
                kept = None if producer is None else producer.group_by
                if producer is None or kept is None:
                    continue
                for flt in component.filters:
                    missing = flt.names - set(kept)
                    if missing:
                        raise ContractError(
                            f"components[{index}] ({component.name!r}) filters {metric!r} on "
                            f"{', '.join(sorted(missing))} but meter {producer.name!r} groups only "
                            f"by {', '.join(kept) or 'nothing'}"
                        )

    # -- metering ---------------------------------------------------------------------------
    @property
    def all_meters(self) -> tuple[Meter, ...]:
        """The contract's meters plus a summing meter for every metric a component
        reads that no meter produces.
        """
        produced = {meter.name for meter in self.meters}
        implicit = sorted(
            {metric for component in self.components for metric in component.metrics} - produced
        )
        return self.meters + tuple(Meter(metric) for metric in implicit)

    def bounds(self, period: Period) -> tuple[dt.datetime, dt.datetime]:
        """The instants ``[start, end)`` of ``period`` in the contract's time zone."""
        zone = zoneinfo.ZoneInfo(self.timezone)
        return (
            dt.datetime.combine(period.start, dt.time(), zone),
            dt.datetime.combine(period.end, dt.time(), zone),
        )

    def meter(self, events: Iterable[Event], period: Period | str) -> Usage:
        """The usage of ``events`` within ``period`` (the contract's time zone); naive
        timestamps are read as wall-clock time in that zone.
        """
        return self._meter(_as_list(events), _to_period(period))

    def _meter(self, events: list[Event], period: Period) -> Usage:
        start, end = self.bounds(period)
        if events and events[0].at.tzinfo is None:
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        return meter_events(self.all_meters, events, start=start, end=end)

    # -- pricing ----------------------------------------------------------------------------
    def previous_period(self, period: Period) -> Period:
        """The period before ``period``: the previous cycle period when ``period`` is
        one of the cycle's, else the same number of days just before it.
        """
        if self.cycle.period_of(period.start) == period:
            return self.cycle.previous(period)
        return Period(period.start - dt.timedelta(days=period.days), period.start)

    def invoice(
        self,
        usage: UsageInput,
        period: Period | str,
        *,
        previous_usage: UsageInput | None = None,
    ) -> Invoice:
        """Price ``usage`` for ``period`` into an itemized :class:`~meterprice.Invoice`.

        ``usage`` is raw events (metered here, only those inside the period count), a
        :class:`~meterprice.Usage` or a mapping of totals. Components active in only
        part of the period see only the events of that part; a summary is taken as
        the usage of the part in which each component is active. ``usage`` may also be
        a function that returns the usage metered in a given window of days (see
        :class:`meterprice.usagefiles.DailyUsage`), which gives the same invoice as the
        events it was metered from.
        """
        period = _to_period(period)
        source = _UsageSource(self, usage)
        previous = self.previous_period(period)
        previous_summary = self._previous_usage(source, previous, previous_usage)
        lines: list[Line] = []
        term = self.term.within(period)
        for index, component in enumerate(self.components):
            active = None if term is None else component.active.within(term)
            if active is None:
                continue
            ctx = PricingContext(
                period=period,
                active=active,
                usage=source.within(active),
                lines=tuple(lines),
                currency=self.currency,
                rounding=self.rounding,
                previous_period=previous,
                previous_usage=previous_summary,
                timezone=self.timezone,
            )
            lines.extend(self._line(index, component, charge) for charge in component.price(ctx))
        full = source.within(period)  # every event is checked, even where no component ran
        if self.unpriced == "error":
            self._check_priced(full)
        return Invoice(self.name, period, self.currency, self.rounding, tuple(lines))

    def _check_priced(self, usage: Usage) -> None:
        """Refuse usage of a billed metric that no billing component selects."""
        billing = [c for c in self.components if c.bills_usage]
        billed = {metric for component in billing for metric in component.metrics}
        missed = [
            (metric, dims, quantity)
            for metric, dims, quantity in usage.items()
            if metric in billed
            and quantity != 0
            and not any(c.covers(metric, dims) for c in billing)
        ]
        if missed:
            shown = "; ".join(
                f"{metric} [{dims or 'no dimensions'}] = {display_quantity(quantity)}"
                for metric, dims, quantity in missed[:5]
            )
            more = f" and {len(missed) - 5} more" if len(missed) > 5 else ""
            raise PricingError(
                f"contract {self.name!r}: usage that no component prices: {shown}{more}. "
                "Every billed metric's usage must match a component's filter "
                "(or build the contract with unpriced='ignore')"
            )

    def _previous_usage(
        self, source: _UsageSource, previous: Period, given: UsageInput | None
    ) -> Usage | None:
        if not any(component.uses_previous_period for component in self.components):
            return None
        # events count only inside the contract's term, in the previous period as in the
        # invoiced one: sales made before the contract started are no one's performance
        window = self.term.within(previous)
        if given is not None:
            if isinstance(given, (Usage, Mapping)):
                return self._summary(given, previous)
            return Usage() if window is None else self._summary(given, window)
        if source.events is not None or source.metered is not None:
            return Usage() if window is None else source.within(window)
        needing = ", ".join(repr(c.name) for c in self.components if c.uses_previous_period)
        raise PricingError(
            f"{needing} price(s) on the previous period's usage: "
            "pass previous_usage= or raw events that cover the previous period"
        )

    def _summary(self, usage: UsageInput, period: Period) -> Usage:
        """``usage`` as a summary of ``period``: as given, from totals, from a function
        of windows, or metered from events.
        """
        return _UsageSource(self, usage).within(period)

    def _line(self, index: int, component: Component, charge: Charge) -> Line:
        if not isinstance(charge, Charge):
            raise PricingError(
                f"components[{index}] ({component.name!r}) returned {charge!r}, not a Charge"
            )
        amount = self.rounding.round(charge.amount, self.currency.minor_units)
        unit_price = None
        if charge.unit_price is not None:
            unit_price = Money(charge.unit_price, self.currency)
        return Line(
            component=component.name,
            description=charge.description,
            amount=Money(amount, self.currency),
            exact=Fraction(charge.amount),
            basis=charge.basis,
            quantity=charge.quantity,
            unit=charge.unit,
            unit_price=unit_price,
            tags=component.tags | charge.tags,
        )

    def invoices(
        self, events: Iterable[Event], start: dt.date | str, end: dt.date | str
    ) -> tuple[Invoice, ...]:
        """One invoice per cycle period overlapping ``[start, end)`` and the contract's
        term, from raw events.
        """
        batch = _as_list(events)
        return tuple(
            self.invoice(batch, period)
            for period in self.cycle.periods(_date(start), _date(end))
            if self.term.within(period) is not None
        )

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"contract {self.name!r} has no component {name!r}")


class _UsageSource:
    """The usage an invoice prices: a summary as given, or events metered per window."""

    def __init__(self, contract: Contract, usage: UsageInput) -> None:
        self.contract = contract
        self.events: list[Event] | None = None
        self.summary: Usage | None = None
        self.metered: Callable[[Period], Usage] | None = None
        if isinstance(usage, Usage):
            self.summary = usage
        elif isinstance(usage, Mapping):
            self.summary = Usage.from_totals(usage)
        elif callable(usage):  # usage metered elsewhere, window by window
            self.metered = usage
        else:
            self.events = _as_list(usage)
        self._metered: dict[Period, Usage] = {}

    def within(self, window: Period) -> Usage:
        """The usage of ``window``: the summary, or the events metered inside it."""
        if self.summary is not None:
            return self.summary
        if window not in self._metered:
            if self.metered is not None:
                self._metered[window] = self.metered(window)
            else:
                assert self.events is not None
                self._metered[window] = self.contract._meter(self.events, window)
        return self._metered[window]


def _date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _as_list(events: object) -> list[Event]:
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise TypeError(f"usage must be a Usage, a mapping of totals or events, not {events!r}")
    return events if isinstance(events, list) else list(events)
