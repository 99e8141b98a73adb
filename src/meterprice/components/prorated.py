"""Prorated (time-weighted) usage: units held for part of a period pay for the days
they were held, as Lago's prorated charges do.

:class:`ProratedUnits` reads a metric of day-resolved readings (licences, seats,
mailboxes) and measures it in unit-days: each day of the active part of the period
counts the units held that day. With ``readings="level"`` (a ``latest`` or ``max``
meter) a day's quantity is the number of units held from that day until the next
reading of its group; with ``readings="change"`` (a ``sum`` meter) it adds or removes
units from that day on. A period starts with no units until its first reading, so a
daily snapshot, or a reading on the first day, carries units over. The prorated
quantity is unit-days / the days of the billing period, priced at a ``rate`` per unit
and period or by tiers; a volume tier may be chosen by the unprorated quantity (the
units held at the end, or at the peak) while its rate applies to the prorated one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Literal

import attrs

from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    check_metric,
    fmt_quantity,
)
from meterprice.components.rates import Tier, Tiered, TierMode, _to_mode
from meterprice.dimensions import Dimensions, Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.money import Money, to_money
from meterprice.usage import Usage

__all__ = ["ProratedUnits", "Readings", "TierBy"]

Readings = Literal["level", "change"]
"""What a day's quantity of a prorated metric is: the units held, or a change in them."""
TierBy = Literal["prorated", "end", "peak"]
"""Which quantity chooses a volume tier: the prorated one, or the units held at the end
of the active part of the period, or the most held on any day."""


def _optional_rate(value: object) -> Money | None:
    return None if value is None else to_money(value, what="rate")


def _optional_tiers(value: object) -> tuple[Tier, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise InvalidTypeError(f"tiers must be a list of Tier, not {value!r}")
    return tuple(value)


def _one_of(*choices: str) -> Callable[[object, attrs.Attribute[str], object], None]:
    def check(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in choices:
            raise ContractError(
                f"{attribute.name} must be one of {', '.join(choices)} (got {value!r})"
            )

    return check


def _check_unit(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


@attrs.frozen
class ProratedUnits(Component):
    """Units priced by the days they were held: unit-days / the period's days, at
    ``rate`` per unit and period, or by ``tiers`` (graduated or volume).

    ``tier_by`` chooses a volume tier by the ``"prorated"`` quantity (the default),
    by the units held at the ``"end"`` of the active part of the period, or by the
    ``"peak"``; the tier's rate always applies to the prorated quantity, and a
    tier's flat fee is charged whole. Usage without days is refused: unit-days need
    the day of every reading.

    >>> licences = ProratedUnits("Licences", metric="seats", rate="30.00 EUR")
    >>> usage = Usage.from_daily({"2026-11-01": {"seats": 10}, "2026-11-16": {"seats": 12}})
    >>> (line,) = Contract("Desk", "EUR", [licences]).invoice(usage, "2026-11").lines
    >>> line.amount  # (10 x 15 + 12 x 15) / 30 = 11 units x 30.00
    Money('330.00', 'EUR')
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    rate: Money | None = attrs.field(default=None, kw_only=True, converter=_optional_rate)
    tiers: tuple[Tier, ...] | None = attrs.field(
        default=None, kw_only=True, converter=_optional_tiers
    )
    mode: TierMode = attrs.field(default=TierMode.GRADUATED, converter=_to_mode, kw_only=True)
    tier_by: TierBy = attrs.field(
        default="prorated", validator=_one_of("prorated", "end", "peak"), kw_only=True
    )
    readings: Readings = attrs.field(
        default="level", validator=_one_of("level", "change"), kw_only=True
    )
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    unit: str = attrs.field(default="unit", validator=_check_unit, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        name = self.name
        if (self.rate is None) == (self.tiers is None):
            raise ContractError(f"component {name!r}: give either rate or tiers, exactly one")
        if self.tiers is not None:
            self._tiered  # noqa: B018 - the tiers' own checks
        if self.tier_by != "prorated" and (self.tiers is None or self.mode is not TierMode.VOLUME):
            raise ContractError(
                f"component {name!r}: tier_by chooses a volume tier; it needs tiers with "
                "mode volume"
            )

    @property
    def _tiered(self) -> Tiered:
        assert self.tiers is not None
        return Tiered(self.name, metric=self.metric, tiers=self.tiers, mode=self.mode)

    @property
    def bills_usage(self) -> bool:
        return True

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        if self.rate is not None:
            return (("rate", self.rate),)
        return self._tiered.money_values

    # -- unit-days ------------------------------------------------------------------------------
    def levels(self, usage: Usage, days: Sequence[dt.date]) -> list[Fraction]:
        """The units held on each of ``days`` (in order), from the metric's readings."""
        readings: dict[Dimensions, dict[dt.date, Fraction]] = {}
        for day, metric, dims, quantity in usage.daily_items():
            if metric != self.metric or not self.where.matches(dims):
                continue
            if day is None and quantity == 0:
                continue  # nothing undated to place
            if day is None:
                raise PricingError(
                    f"component {self.name!r} measures {self.metric!r} in {self.unit}-days, "
                    "but its usage has no days: give day-resolved usage (events, a usage "
                    "file, Usage.from_daily)"
                )
            readings.setdefault(dims, {})[day] = quantity
        totals = [Fraction(0)] * len(days)
        for by_day in readings.values():
            level = Fraction(0)
            for index, day in enumerate(days):
                if day in by_day:
                    level = level + by_day[day] if self.readings == "change" else by_day[day]
                totals[index] += level
        for day, level in zip(days, totals, strict=True):
            if level < 0:
                raise PricingError(
                    f"component {self.name!r}: {fmt_quantity(level)} {self.unit}s held on "
                    f"{day}, fewer than none"
                )
        return totals

    # -- pricing ------------------------------------------------------------------------------
    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        days = list(ctx.active.dates())
        levels = self.levels(ctx.usage, days)
        unit_days = sum(levels, Fraction(0))
        if unit_days == 0:
            return ()
        prorated = unit_days / ctx.period.days
        label = self.description or self.name
        held = (
            f"{fmt_quantity(unit_days)} {self.unit}-days in {ctx.active} / "
            f"{ctx.period.days} days = {fmt_quantity(prorated)} {self.unit}s"
        )
        if self.rate is not None:
            return (
                Charge(
                    description=label,
                    amount=prorated * Fraction(self.rate.amount),
                    basis=f"{held} x {self.rate}",
                    quantity=prorated,
                    unit=self.unit,
                    unit_price=self.rate.amount,
                    tags=self.tags,
                ),
            )
        if self.mode is TierMode.GRADUATED:
            return self._graduated(label, held, prorated)
        chooser = {"prorated": prorated, "end": levels[-1], "peak": max(levels)}[self.tier_by]
        bounds = self._tiered._bounds()
        index, (_, _, tier) = next(
            (i, bound) for i, bound in enumerate(bounds) if bound[1] is None or chooser <= bound[1]
        )
        chosen = (
            ""
            if self.tier_by == "prorated"
            else f", tier {index + 1} by the {fmt_quantity(chooser)} {self.unit}s held at the "
            f"{self.tier_by}"
        )
        amount = prorated * Fraction(tier.rate.amount)
        basis = f"{held} x {tier.rate}{chosen}"
        if tier.flat is not None:
            amount += Fraction(tier.flat.amount)
            basis += f" + flat {tier.flat}"
        return (
            Charge(
                description=f"{label} (tier {index + 1})",
                amount=amount,
                basis=basis,
                quantity=prorated,
                unit=self.unit,
                unit_price=tier.rate.amount,
                tags=self.tags,
            ),
        )

    def _graduated(self, label: str, held: str, prorated: Fraction) -> list[Charge]:
        charges = []
        for index, (lower, upper, tier) in enumerate(self._tiered._bounds()):
            if prorated <= lower:
                break
            portion = (prorated if upper is None else min(prorated, upper)) - lower
            amount = portion * Fraction(tier.rate.amount)
            basis = f"{fmt_quantity(portion)} of {held} x {tier.rate}"
            if tier.flat is not None:
                amount += Fraction(tier.flat.amount)
                basis += f" + flat {tier.flat}"
            charges.append(
                Charge(
                    description=f"{label} (tier {index + 1})",
                    amount=amount,
                    basis=basis,
                    quantity=portion,
                    unit=self.unit,
                    unit_price=tier.rate.amount,
                    tags=self.tags,
                )
            )
        return charges
