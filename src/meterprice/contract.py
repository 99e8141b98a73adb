"""Contracts: an ordered list of components, the meters that feed them, a billing
cycle, a currency and one rounding policy; :meth:`Contract.invoice` prices a period.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import attrs

from meterprice import _notebook
from meterprice._zones import find_zone
from meterprice.amendments import Amendment, check_versions, price_versions
from meterprice.batch import EventBatch
from meterprice.billing import Billing
from meterprice.components._lines import LinesSoFar, Subtotals
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    to_components,
    to_window,
)
from meterprice.components.carrying import Carried, CarryingComponent
from meterprice.dimensions import Dimensions
from meterprice.errors import (
    CalendarError,
    ContractError,
    InvalidTypeError,
    InvalidValueError,
    PeriodError,
    PricingError,
)
from meterprice.exchange import Conversion
from meterprice.invoice import Invoice, Line
from meterprice.metering import Meter, meter_events
from meterprice.money import Currency, Money, Rounding
from meterprice.payment import PaymentTerms
from meterprice.periods import Cycle, Period, Window
from meterprice.tax import Tax, line_tags
from meterprice.usage import Event, Usage, display_quantity

__all__ = ["Contract", "Spread", "UsageInput"]

UsageInput = Usage | Mapping[Any, object] | Iterable[Event] | Callable[[Period], Usage]
Spread = Literal["days"] | None
"""How an invoice places undated totals where only part of the period is priced:
``None`` refuses, ``"days"`` spreads them evenly over the period's days."""
"""What :meth:`Contract.invoice` prices: a :class:`~meterprice.Usage`, a mapping of
totals (``{"handle_minutes": 12000}``), raw :class:`~meterprice.Event` values, or a
function giving the usage metered in any window of days (what a streaming reader of a
large usage file provides: see :mod:`meterprice.usagefiles`)."""


def _to_currency(value: object) -> Currency:
    if isinstance(value, (Currency, str)):
        return Currency.of(value)
    raise InvalidTypeError(f"currency must be an ISO 4217 code, not {value!r}")


def _to_meters(value: object) -> tuple[Meter, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"meters must be a list of Meter, not {value!r}")
    meters = tuple(value)
    for index, meter in enumerate(meters):
        if not isinstance(meter, Meter):
            raise InvalidTypeError(f"meters[{index}] is not a Meter: {meter!r}")
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
    raise InvalidValueError(f"rounding must be one of {choices} (got {value!r})")


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(f"timezone must be an IANA time zone name, not {value!r}")
    if find_zone(value) is None:
        raise CalendarError(f"timezone: unknown IANA time zone {value!r}")


def _to_versions(value: object) -> tuple[Amendment, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"versions must be a list of Amendment, not {value!r}")
    versions = tuple(value)
    for index, amendment in enumerate(versions):
        if not isinstance(amendment, Amendment):
            raise InvalidTypeError(f"versions[{index}] is not an Amendment: {amendment!r}")
    return versions


def _to_period(value: object) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return Period.parse(value)
    raise InvalidTypeError(f"period must be a Period or a string like '2026-11', not {value!r}")


@attrs.frozen
class Contract:
    """The pricing terms of one service contract.

    Components are priced in order: a component that reads earlier lines (a
    percentage, a minimum spend) sees the lines of the components before it. Meters
    turn raw events into the metrics components read; a metric with no meter is the
    plain sum of its events' quantities. ``term`` is the contract's own window (a
    start on the 16th makes the first month partial); ``timezone`` decides which
    period an event's timestamp falls in. ``versions`` are the contract's
    :class:`~meterprice.Amendment` values in date order (see :meth:`amended`).
    """

    name: str
    currency: Currency = attrs.field(converter=_to_currency)
    components: tuple[Component, ...] = attrs.field(converter=to_components)
    meters: tuple[Meter, ...] = attrs.field(default=(), converter=_to_meters, kw_only=True)
    cycle: Cycle = attrs.field(default=Cycle.monthly(), kw_only=True)
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding, kw_only=True)
    timezone: str = attrs.field(default="UTC", validator=_check_timezone, kw_only=True)
    term: Window = attrs.field(default=Window(), converter=to_window, kw_only=True)
    unpriced: Literal["error", "ignore"] = attrs.field(
        default="error", validator=attrs.validators.in_(("error", "ignore")), kw_only=True
    )
    tax: Tax | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(Tax)),
        kw_only=True,
        metadata={
            "doc": (
                "The tax clause (VAT, GST): its rates by tags of lines, exclusive or "
                "inclusive prices, computed on each line or on the total; tax lines come "
                "after every component, so that no percentage or minimum reads them."
            )
        },
    )
    conversion: Conversion | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(Conversion)),
        kw_only=True,
        metadata={
            "doc": (
                "Invoice in another currency: the invoice currency, a table of exact "
                "exchange rates and the day whose rate applies (period_end, invoice_date "
                "or a fixed date); each rounded line is converted and rounded once more."
            )
        },
    )
    payment_terms: PaymentTerms | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(PaymentTerms)),
        kw_only=True,
    )
    versions: tuple[Amendment, ...] = attrs.field(default=(), converter=_to_versions, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidTypeError(f"a contract name must be a non-empty string, not {self.name!r}")
        if not isinstance(self.cycle, Cycle):
            raise InvalidTypeError(f"cycle must be a Cycle, not {self.cycle!r}")
        names: dict[str, int] = {}
        for index, component in enumerate(self.components):
            if component.name in names:
                raise ContractError(
                    f"components[{index}]: the name {component.name!r} is already used by "
                    f"components[{names[component.name]}]"
                )
            names[component.name] = index
            for path, day in component.one_off_dates:
                where = (
                    f"the contract's term {self.term}"
                    if day not in self.term
                    else f"its own window {component.active}"
                    if day not in component.active
                    else None
                )
                if where is not None:
                    raise ContractError(
                        f"components[{index}].{path}: {component.name!r} is due on {day}, "
                        f"outside {where}, so it would never be billed"
                    )
            for path, money in component.money_values:
                if money.currency != self.currency:
                    raise ContractError(
                        f"components[{index}].{path}: {money} is in {money.currency.code} "
                        f"but the contract is in {self.currency.code}"
                    )
        self._check_tags()
        self._check_meters()
        if self.conversion is not None and self.conversion.currency == self.currency:
            raise ContractError(
                f"conversion.currency: the contract is already in {self.currency.code}"
            )
        if self.tax is not None:
            self.tax.check([(c.name, c.tags, line_tags(c)) for c in self.components])
        if self.versions:
            check_versions(self)

    def amended(
        self,
        start: dt.date | str,
        components: Iterable[Component] = (),
        remove: Iterable[str] = (),
        *,
        description: str | None = None,
    ) -> Contract:
        """This contract with one more version from ``start``: ``components`` replace
        those of the same name or are added, ``remove`` ends components (see
        :class:`~meterprice.Amendment`).
        """
        amendment = Amendment(start, components, remove, description=description)
        return attrs.evolve(self, versions=(*self.versions, amendment))

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
        every = self.components + tuple(c for a in self.versions for c in a.components)
        implicit = sorted(
            {metric for component in every for metric in component.metrics} - produced
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
        """The day-resolved usage of ``events`` within ``period`` (any range of days, in
        the contract's time zone); naive timestamps are read as wall-clock time there.
        """
        if _is_table(events):  # a data frame or Arrow table, metered column by column
            from meterprice.columnar import meter_table  # noqa: PLC0415 - optional extra

            return meter_table(self, events, _to_period(period))
        return self._meter(_as_list(events), _to_period(period))

    def _meter(self, events: Sequence[Event], period: Period) -> Usage:
        if isinstance(events, EventBatch):  # columns: metered as a table where it can
            return events.meter(self, period)
        start, end = self.bounds(period)
        if events and events[0].at.tzinfo is None:
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        usage = meter_events(self.all_meters, events, start=start, end=end, timezone=self.timezone)
        return usage._with_span(period)

    # -- pricing ---------------------------------------------------------------------------
    def billing_period(self, period: Period | str) -> Period:
        """The billing period of the contract's cycle that contains ``period``.

        A period longer than one billing period, or straddling two, is a
        :class:`~meterprice.errors.PeriodError` that points to :meth:`invoices`.
        """
        period = _to_period(period)
        billing = self.cycle.period_of(period.start)
        if period.end > billing.end:
            covered = list(itertools.islice(self.cycle.periods(period.start, period.end), 3))
            how_many = "2" if len(covered) == 2 else "several"
            raise PeriodError(
                f"{period} is not within one billing period of contract {self.name!r}: it "
                f"covers {how_many} periods of its {self.cycle} cycle (from {covered[0]}); "
                f"price each with contract.invoices(usage, {str(period)!r})"
            )
        return billing

    def previous_period(self, period: Period) -> Period:
        """The billing period before the one that contains ``period``."""
        return self.cycle.previous(self.billing_period(period))

    def invoice(
        self,
        usage: UsageInput,
        period: Period | str,
        *,
        previous_usage: UsageInput | None = None,
        spread: Spread = None,
        outside_term: Literal["error", "empty"] = "error",
        invoice_date: dt.date | None = None,
        carried: Carried | None = None,
    ) -> Invoice:
        """Price ``usage`` for ``period`` into an itemized :class:`~meterprice.Invoice`.

        ``period`` is a billing period of the contract's cycle, or a part of one (a day,
        a range of days: priced as a partial period, with fixed fees and minimums
        prorated as for a term that starts mid-period); a longer period is refused (see
        :meth:`invoices`). A period wholly outside the contract's term is refused unless
        ``outside_term="empty"``.

        ``usage`` is raw events (metered here; only those inside the period count), a
        day-resolved :class:`~meterprice.Usage` (metered from events, files or frames:
        each component takes the usage of its own days), an undated summary (a
        :class:`~meterprice.Usage` of totals or a mapping such as
        ``{"handle_minutes": 12000}``: the usage of the whole ``period``) or a function
        that returns the usage metered in a given window of days. An undated summary
        cannot be cut: where a component or the term covers only part of the period it
        is refused, unless ``spread="days"`` spreads it evenly over the period's days
        (a documented choice that the lines concerned state).

        ``invoice_date`` is the day the invoice is issued, which a
        :class:`~meterprice.Conversion` with ``reference="invoice_date"`` needs; it is
        the invoice's ``issued`` date, from which payment terms count.

        A contract with terms spanning invoices (a yearly commitment, a ceiling, ...)
        prices an invoice from the state the previous one left: ``carried``, or run
        the periods with :meth:`bill`.
        """
        return self._priced(
            usage,
            _to_period(period),
            previous_usage=previous_usage,
            spread=spread,
            outside_term=outside_term,
            invoice_date=invoice_date,
            carried=None if carried is None else Carried(carried),
        )[0]

    def _priced(
        self,
        usage: UsageInput,
        requested: Period,
        *,
        previous_usage: UsageInput | None = None,
        spread: Spread = None,
        outside_term: Literal["error", "empty"] = "error",
        invoice_date: dt.date | None = None,
        carried: Carried | None = None,
    ) -> tuple[Invoice, Carried | None]:
        """The invoice of ``requested`` and the state it leaves (when given one)."""
        billing = self.billing_period(requested)
        term = self.term.within(requested)
        if self.versions and term is not None:  # priced version by version
            return price_versions(
                self,
                usage,
                requested,
                previous_usage=previous_usage,
                spread=spread,
                outside_term=outside_term,
                invoice_date=invoice_date,
                carried=carried,
            )
        if outside_term not in ("error", "empty"):
            raise InvalidValueError(
                f"outside_term must be 'error' or 'empty' (got {outside_term!r})"
            )
        if term is None and outside_term == "error":
            raise PricingError(
                f"{requested} is outside the term {self.term} of contract {self.name!r}: "
                "nothing is billed then (pass outside_term='empty' for an empty invoice)"
            )
        previous = self.cycle.previous(billing)
        needs_previous = any(component.uses_previous_period for component in self.components)
        source = _UsageSource(self, usage, requested, spread, previous if needs_previous else None)
        previous_summary = (
            self._previous_usage(source, previous, previous_usage, spread)
            if needs_previous
            else None
        )
        lines: list[Line] = []
        closing: dict[str, object] = {}
        subtotals = Subtotals(lines)  # running subtotals: pricing stays linear in lines
        for index, component in enumerate(self.components):
            active = None if term is None else component.active.within(term)
            if active is None:
                continue
            ctx = PricingContext(
                period=billing,
                active=active,
                usage=source.within(active, index, component),
                lines=LinesSoFar(subtotals, len(lines)),
                currency=self.currency,
                rounding=self.rounding,
                previous_period=previous,
                previous_usage=previous_summary,
                timezone=self.timezone,
                term=self.term,
                carried=carried,
            )
            if isinstance(component, CarryingComponent) and carried is not None:
                charges, closing[component.name] = component.price_carried(
                    ctx, carried.get(component.name)
                )
            else:
                charges = component.price(ctx)
            note = source.note(active, component)
            lines.extend(
                self._line(index, component, charge, note, active=active) for charge in charges
            )
        currency = self.currency
        if self.conversion is not None:  # the rounded lines, in the invoice currency
            rate = self.conversion.rate_for(billing, invoice_date)
            lines = list(self.conversion.convert(lines, rate, self.rounding))
            currency = self.conversion.currency
        if self.tax is not None:  # after every component: no component reads a tax line
            lines.extend(self.tax.lines(lines, currency, self.rounding))
        full = source.within(requested)  # every event is checked, even where no component ran
        if self.unpriced == "error":
            self._check_priced(full)
        invoice = Invoice(
            self.name,
            requested,
            currency,
            self.rounding,
            tuple(lines),
            issued=invoice_date,
            payment_terms=self.payment_terms,
            duplicates=full.duplicates,
        )
        return invoice, None if carried is None else carried.updated(closing)

    def _check_priced(self, usage: Usage) -> None:
        """Refuse usage of a billed metric that no billing component selects.

        Each component's filters select their groups through the usage's index, so
        the check costs one pass over the groups, not one per component.
        """
        covered: dict[str, set[Dimensions] | None] = {}  # None: every group is covered
        for component in self.components:
            if not component.bills_usage:
                continue
            for metric in component.metrics:
                groups = covered.setdefault(metric, set())
                if groups is None:
                    continue
                if not component.filters:
                    covered[metric] = None
                    continue
                for flt in component.filters:
                    groups.update(dims for dims, _ in usage._matching(metric, flt))
        missed = [
            (metric, dims, quantity)
            for metric, dims, quantity in usage.items()
            if metric in covered
            and quantity != 0
            and (groups := covered[metric]) is not None
            and dims not in groups
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
        self,
        source: _UsageSource,
        previous: Period,
        given: UsageInput | None,
        spread: Spread,
    ) -> Usage:
        """The previous period's usage, inside the contract's term only: sales made
        before the contract started are no one's performance, whatever form they come in.
        """
        window = self.term.within(previous)
        if window is None:
            return Usage()
        if given is not None:
            return _UsageSource(self, given, previous, spread).within(window)
        if source.covers(previous):
            return source.within(window)
        needing = ", ".join(repr(c.name) for c in self.components if c.uses_previous_period)
        raise PricingError(
            f"{needing} price(s) on the previous period's usage ({previous}): pass "
            "previous_usage=, raw events, or day-resolved usage that covers it"
        )

    def _previous_summary(self, period: Period, given: UsageInput, spread: Spread) -> Usage:
        """The previous period's usage for pricing ``period``, from ``given`` alone."""
        previous = self.previous_period(period)
        source = _UsageSource(self, Usage(), period, spread)
        return self._previous_usage(source, previous, given, spread)

    def _line(
        self,
        index: int,
        component: Component,
        charge: Charge,
        note: str = "",
        *,
        active: Period | None = None,
    ) -> Line:
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
            basis=charge.basis + note,
            quantity=charge.quantity,
            unit=charge.unit,
            unit_price=unit_price,
            tags=component.tags | charge.tags,
            dimensions=charge.dimensions,
            active=active,
        )

    def invoices(
        self,
        usage: UsageInput,
        start: Period | dt.date | str,
        end: dt.date | str | None = None,
        *,
        spread: Spread = None,
    ) -> tuple[Invoice, ...]:
        """One invoice per billing period overlapping a range and the contract's term.

        The range is a period (``"2026"``, ``"2026-Q4"``, ``"2026-11-16..2027-02-01"``)
        or ``start`` and ``end`` dates. Each invoice covers its billing period cut to
        the range and the term, so a range that does not start or end on a billing
        period gives partial first and last invoices; events are metered once. Terms
        that span invoices start afresh at the range's start (see :meth:`bill`).
        """
        return self.bill(usage, start, end, spread=spread).invoices

    def bill(
        self,
        usage: UsageInput,
        start: Period | dt.date | str,
        end: dt.date | str | None = None,
        *,
        spread: Spread = None,
        opening: Carried | None = None,
    ) -> Billing:
        """The invoices of :meth:`invoices` with the state carried between them: a
        commitment consumed so far, a ceiling's remainder, balances carried over.

        ``opening`` is the state the invoice before the range left (by default none:
        every such term starts afresh); the result holds the state after each invoice.
        """
        opening = Carried() if opening is None else opening
        if not isinstance(opening, Carried):
            raise InvalidTypeError(f"opening must be a Carried state, not {opening!r}")
        span = _to_period(start) if end is None else Period(_date(start), _date(end))  # type: ignore[arg-type]
        periods = [
            cut
            for billing in self.cycle.periods(span.start, span.end)
            if self.term.within(billing) is not None
            and (cut := billing.overlap(span)) is not None
            and self.term.within(cut) is not None
        ]
        if not periods:
            return Billing((), (), opening)
        if isinstance(usage, Mapping):
            usage = Usage.from_totals(usage)
        if isinstance(usage, Usage) and usage.undated_metrics() and len(periods) > 1:
            raise PricingError(
                f"the usage of {', '.join(sorted(usage.undated_metrics()))} has no days, so "
                f"it cannot be split between the {len(periods)} billing periods of {span}: "
                "give day-resolved usage (events, a usage file, Usage.from_daily)"
            )
        if isinstance(usage, Usage) or callable(usage):
            source: UsageInput = usage
        else:  # meter the events once, over every period and the one before the first
            first = self.cycle.previous(self.cycle.period_of(periods[0].start))
            source = self.meter(_as_list(usage), Period(first.start, periods[-1].end))
        invoices: list[Invoice] = []
        states: list[Carried] = []
        state = opening
        for period in periods:
            invoice, after = self._priced(source, period, spread=spread, carried=state)
            assert after is not None
            invoices.append(invoice)
            states.append(state := after)
        return Billing(tuple(invoices), tuple(states), opening)

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"contract {self.name!r} has no component {name!r}")

    def __repr__(self) -> str:
        return _notebook.contract_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.contract_html(self)


class _UsageSource:
    """The usage an invoice prices for ``requested``: a summary as given (day-resolved,
    or undated: the usage of the whole of ``requested``), a function of windows, or
    events metered once over ``requested`` and the previous period.
    """

    def __init__(
        self,
        contract: Contract,
        usage: UsageInput,
        requested: Period,
        spread: Spread,
        previous: Period | None = None,
    ) -> None:
        if spread not in (None, "days"):
            raise InvalidValueError(f"spread must be None or 'days' (got {spread!r})")
        self.contract = contract
        self.requested = requested
        self.summary: Usage | None = None
        self.metered: Callable[[Period], Usage] | None = None
        self.spread_metrics: frozenset[str] = frozenset()
        if isinstance(usage, Mapping):
            usage = Usage.from_totals(usage)
        if isinstance(usage, Usage):
            if spread == "days" and not usage.dated:
                self.spread_metrics = usage.undated_metrics()
                usage = usage.spread(requested)
            self.summary = usage
        elif _is_table(usage):  # a data frame or Arrow table, metered column by column
            from meterprice.columnar import meter_table  # noqa: PLC0415 - optional extra

            start = requested.start if previous is None else min(previous.start, requested.start)
            self.summary = meter_table(contract, usage, Period(start, requested.end))
        elif callable(usage):  # usage metered elsewhere, window by window
            self.metered = usage
        else:
            start = requested.start if previous is None else min(previous.start, requested.start)
            self.summary = contract._meter(_as_list(usage), Period(start, requested.end))
        self._cache: dict[Period, Usage] = {}

    def covers(self, window: Period) -> bool:
        """Whether the usage of ``window`` is known (not only that of ``requested``)."""
        if self.metered is not None:
            return True
        assert self.summary is not None
        if not self.summary.dated:
            return False
        span = self.summary.span
        return span is None or (span.start <= window.start and window.end <= span.end)

    def within(
        self,
        window: Period,
        index: int | None = None,
        component: Component | None = None,
    ) -> Usage:
        """The usage of ``window``, refusing to cut undated usage that ``component``
        (every metric when ``None``) reads.
        """
        if self.metered is not None:
            if window not in self._cache:
                self._cache[window] = self.metered(window)
            return self._cache[window]
        summary = self.summary
        assert summary is not None
        if summary.dated:
            if window not in self._cache:
                self._cache[window] = summary.within(window)
            return self._cache[window]
        if window == self.requested:
            return summary
        undated = summary.undated_metrics()
        read = undated if component is None else undated & component.metrics
        if read:
            what = ", ".join(sorted(read))
            if component is None:
                who = (
                    f"the contract's term covers only {window} of {self.requested}, but the "
                    f"usage of {what} there"
                )
            else:
                who = (
                    f"components[{index}] ({component.name!r}) is active only in {window} of "
                    f"{self.requested}, but its usage of {what}"
                )
            raise PricingError(
                f"{who} has no days, so the part of it in {window} is unknown. Give "
                "day-resolved usage (events, a usage file, Usage.from_daily) or pass "
                "spread='days' to spread the totals evenly over the days of the period"
            )
        return summary._cut(window)

    def note(self, active: Period, component: Component) -> str:
        """What a line says when its usage was spread evenly over the period's days."""
        if active == self.requested or not self.spread_metrics & component.metrics:
            return ""
        return (
            f" (totals spread evenly over days: {active.days} of the "
            f"{self.requested.days} days of {self.requested})"
        )


def _is_table(value: object) -> bool:
    """Whether ``value`` is a table (Arrow stream interface or a pandas DataFrame)."""
    kind = type(value)
    return hasattr(kind, "__arrow_c_stream__") or (
        kind.__name__ == "DataFrame" and kind.__module__.split(".")[0] == "pandas"
    )


def _date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _as_list(events: object) -> Sequence[Event]:
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidTypeError(
            f"usage must be a Usage, a mapping of totals or events, not {events!r}"
        )
    return events if isinstance(events, (list, EventBatch)) else list(events)
