"""Amendments: a contract whose components change on effective dates.

A contract as signed is *version 1*. Each :class:`Amendment` starts the next version
on its ``start`` date: it replaces components by name (keeping their place), adds new
ones (after the others) and ends those it removes. A billing period that
straddles an amendment is priced version by version, each on the usage of its own
days, and every line says which version produced it (:attr:`Line.version
<meterprice.Line.version>`). Inside such a period each version's fixed fees,
minimums, caps and fixed discounts are prorated by the days it is in effect (also
those declared ``prorate = false``, which would otherwise be charged once per
version).

Two versions with equal components are one: an amendment that changes nothing
starts no new stretch of days and changes no invoice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

from meterprice.components.base import Component, to_components, to_date
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import Invoice, Line
from meterprice.periods import Period, Window
from meterprice.usage import Usage

if TYPE_CHECKING:  # pragma: no cover - typing only
    from meterprice.components.carrying import Carried
    from meterprice.contract import Contract, Spread, UsageInput

__all__ = ["Amendment", "Version", "versions"]


def _to_start(value: object) -> dt.date:
    return to_date(value, "start")


def _to_names(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"remove must be a list of component names, not {value!r}")
    names = tuple(value)
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise InvalidTypeError(f"remove[{index}] must be a component name, not {name!r}")
    return names


@attrs.frozen
class Amendment:
    """A change to a contract's components from ``start`` (included) on.

    ``components`` replace the components of the same name (in their place) or are
    added after the others; ``remove`` names the components that end the day before
    ``start``.

    >>> rate_change = Amendment(
    ...     "2026-12-16", components=[PerUnit("Minutes", metric="minutes", rate="1.00 EUR")]
    ... )
    >>> rate_change.start
    datetime.date(2026, 12, 16)
    """

    start: dt.date = attrs.field(converter=_to_start)
    components: tuple[Component, ...] = attrs.field(default=(), converter=to_components)
    remove: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        seen: dict[str, int] = {}
        for index, component in enumerate(self.components):
            if component.name in seen:
                raise ContractError(
                    f"components[{index}]: the name {component.name!r} is already used by "
                    f"components[{seen[component.name]}]"
                )
            seen[component.name] = index
        for index, name in enumerate(self.remove):
            if name in seen:
                raise ContractError(
                    f"remove[{index}]: {name!r} is both changed (components[{seen[name]}]) "
                    "and removed"
                )
            if name in self.remove[:index]:
                raise ContractError(f"remove[{index}]: {name!r} is removed twice")

    def apply(self, components: tuple[Component, ...]) -> tuple[Component, ...]:
        """The components of the version this amendment starts, from the previous one's."""
        known = {component.name for component in components}
        for index, name in enumerate(self.remove):
            if name not in known:
                raise ContractError(
                    f"remove[{index}]: there is no component {name!r} to remove "
                    f"(the version before has {', '.join(sorted(known)) or 'none'})"
                )
        changed = {component.name: component for component in self.components}
        kept = tuple(
            changed.get(component.name, component)
            for component in components
            if component.name not in self.remove
        )
        return kept + tuple(c for c in self.components if c.name not in known)


@attrs.frozen
class Version:
    """One version of a contract: its number (1 as signed), the days it is in effect
    (``window``) and the contract with its components then.
    """

    number: int
    window: Window
    contract: Contract


def check_versions(contract: Contract) -> None:
    """Refuse amendments out of date order, on the same day, outside the term, or that
    make an invalid contract, naming ``versions[i]``.
    """
    versions(contract)


def versions(contract: Contract) -> tuple[Version, ...]:
    """Every version of ``contract`` in date order, each valid as a contract of its own.

    >>> base = Contract("Support", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.95 EUR")])
    >>> amended = base.amended(
    ...     "2026-12-16", components=[PerUnit("Minutes", metric="minutes", rate="1.00 EUR")]
    ... )
    >>> [(v.number, str(v.window)) for v in meterprice.amendments.versions(amended)]
    [(1, '[..., 2026-12-16)'), (2, '[2026-12-16, ...)')]
    """
    term = contract.term
    # every version meters what any version reads: usage of a metric that only a later
    # version prices is still metered (and so never refused as unknown) before it
    base = attrs.evolve(contract, versions=(), meters=contract.all_meters)
    found = [Version(1, Window(None, None), base)]
    components = contract.components
    for index, amendment in enumerate(contract.versions):
        start = amendment.start
        previous = contract.versions[index - 1].start if index else None
        if previous is not None and start <= previous:
            raise ContractError(
                f"versions[{index}].start: {start} is not after versions[{index - 1}].start "
                f"({previous}): amendments must be in date order, one per day at most, so "
                "that no two versions overlap"
            )
        if (term.start is not None and start <= term.start) or (
            term.end is not None and start >= term.end
        ):
            raise ContractError(
                f"versions[{index}].start: {start} is not inside the term {term} after its "
                "first day, so the amendment would never apply"
            )
        try:
            components = amendment.apply(components)
        except ContractError as error:
            raise ContractError(f"versions[{index}].{error}") from None
        try:
            version = attrs.evolve(base, components=components)
        except ContractError as error:
            raise ContractError(
                f"versions[{index}]: version {index + 2} (from {start}): {error}"
            ) from None
        last = found[-1]
        found[-1] = attrs.evolve(last, window=Window(last.window.start, start))
        found.append(Version(index + 2, Window(start, None), version))
    return tuple(found)


def _stretches(contract: Contract) -> list[Version]:
    """The versions, with each one whose components equal the previous one's merged
    into it (an amendment that changes nothing cuts no period).
    """
    merged: list[Version] = []
    for version in versions(contract):
        if merged and merged[-1].contract.components == version.contract.components:
            last = merged[-1]
            merged[-1] = attrs.evolve(last, window=Window(last.window.start, version.window.end))
        else:
            merged.append(version)
    return merged


def _prorating(contract: Contract) -> Contract:
    """``contract`` with every component that can prorate prorating by days."""
    return attrs.evolve(contract, components=[_prorated(c) for c in contract.components])


def _prorated(component: Component) -> Component:
    if getattr(component, "prorate", True) is not False:
        return component
    changes: dict[str, Any] = {"prorate": True}
    try:
        return attrs.evolve(component, **changes)
    except ContractError:  # a percentage discount: nothing to prorate
        return component


def price_versions(
    contract: Contract,
    usage: UsageInput,
    requested: Period,
    *,
    previous_usage: UsageInput | None,
    spread: Spread,
    outside_term: Literal["error", "empty"],
    invoice_date: dt.date | None = None,
    carried: Carried | None = None,
) -> tuple[Invoice, Carried | None]:
    """The invoice of ``requested`` for an amended contract: each version's lines on
    the days it is in effect, in date order, each line naming its version.
    """
    contract.billing_period(requested)  # refuses a period longer than one billing period
    parts = [
        (version, cut)
        for version in _stretches(contract)
        if (cut := version.window.within(requested)) is not None
        and contract.term.within(cut) is not None
    ]
    if len(parts) <= 1:
        version = parts[0][0] if parts else _stretches(contract)[0]
        invoice, after = version.contract._priced(
            usage,
            requested,
            previous_usage=previous_usage,
            spread=spread,
            outside_term=outside_term,
            invoice_date=invoice_date,
            carried=carried,
        )
        return _numbered(invoice, version.number), after
    notes: dict[str, str] = {}
    if isinstance(usage, Mapping):
        usage = Usage.from_totals(usage)
    if isinstance(usage, Usage) and not usage.dated:
        undated = usage.undated_metrics()
        if spread != "days":
            raise PricingError(
                f"the usage of {', '.join(sorted(undated))} has no days, so it cannot be "
                f"shared between the {len(parts)} versions of contract {contract.name!r} in "
                f"{requested} (amended on {', '.join(str(v.window.start) for v, _ in parts[1:])}): "
                "give day-resolved usage (events, a usage file, Usage.from_daily) or pass "
                "spread='days' to spread the totals evenly over the days of the period"
            )
        usage, notes = usage.spread(requested), dict.fromkeys(undated, "")
    elif not isinstance(usage, Usage) and not callable(usage):  # events or a table: meter once
        previous = contract.cycle.previous(contract.billing_period(requested))
        usage = contract.meter(usage, Period(previous.start, requested.end))
    lines: list[Line] = []
    for version, cut in parts:
        plain = attrs.evolve(_prorating(version.contract), tax=None, conversion=None)
        priced, carried = plain._priced(
            usage, cut, previous_usage=previous_usage, spread=spread, carried=carried
        )
        note = _spread_note(cut, requested) if notes else ""
        lines.extend(
            attrs.evolve(
                line,
                version=str(version.number),
                basis=line.basis + note
                if notes and version.contract.component(line.component).metrics & notes.keys()
                else line.basis,
            )
            for line in priced.lines
        )
    currency = contract.currency
    if contract.conversion is not None:  # once, on the lines of every version
        rate = contract.conversion.rate_for(contract.billing_period(requested), invoice_date)
        lines = list(contract.conversion.convert(lines, rate, contract.rounding))
        currency = contract.conversion.currency
    if contract.tax is not None:  # once, after the lines of every version
        lines.extend(contract.tax.lines(lines, currency, contract.rounding))
    invoice = Invoice(
        contract.name,
        requested,
        currency,
        contract.rounding,
        tuple(lines),
        issued=invoice_date,
        payment_terms=contract.payment_terms,
        duplicates=priced.duplicates,  # every version priced the same usage: one report
    )
    return invoice, carried


def _spread_note(cut: Period, requested: Period) -> str:
    return (
        f" (totals spread evenly over days: {cut.days} of the {requested.days} days of {requested})"
    )


def _numbered(invoice: Invoice, number: int) -> Invoice:
    return attrs.evolve(
        invoice, lines=tuple(attrs.evolve(line, version=str(number)) for line in invoice.lines)
    )
