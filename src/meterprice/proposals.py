"""From a staffing estimate to a ready pay-per-use contract.

The 5CA pay-per-use model sets its rate per minute from the expected volume,
channels, opening hours and service levels, and charges a minimum volume to guarantee
the service. :func:`propose_contract` does that with a
:class:`~meterprice.staffing.PriceEstimate`: each staffed channel (optionally one per
language) gets its own rate per handled minute, from the paid hours it needs and the
minutes it handles, and the contract carries a minimum volume matching the forecast,
so that a proposal can be priced, analysed and compared like any other contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.adjustments import MinimumVolume
from meterprice.components.base import Component
from meterprice.components.rates import PerUnit
from meterprice.contract import Contract
from meterprice.errors import InvalidValueError
from meterprice.metering import Meter
from meterprice.money import Money, Rounding
from meterprice.staffing import ChannelStaffing, PriceEstimate
from meterprice.usage import display_quantity

__all__ = ["ChannelRate", "Proposal", "propose_contract"]


@attrs.frozen
class ChannelRate:
    """The rate of one staffed channel and how it was derived."""

    channel: str
    dimensions: tuple[tuple[str, str], ...]
    paid_hours: Fraction
    handled_minutes: Fraction
    price: Fraction
    rate: Fraction
    quoted_rate: Decimal

    def __str__(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.dimensions)
        return (
            f"{self.channel} [{where}]: {display_quantity(self.paid_hours, 2)} paid h -> "
            f"{display_quantity(self.price, 2)} / {display_quantity(self.handled_minutes, 2)} "
            f"min = {display_quantity(self.rate, 6)} per min, quoted {self.quoted_rate}"
        )


@attrs.frozen
class Proposal:
    """A contract proposed from a staffing estimate, with its working."""

    contract: Contract
    estimate: PriceEstimate
    rates: tuple[ChannelRate, ...]
    minimum_minutes: Decimal

    def __str__(self) -> str:
        lines = [
            f"Proposal {self.contract.name!r} for {self.estimate.month.label} "
            f"({self.contract.currency.code})"
        ]
        lines.extend(f"  {rate}" for rate in self.rates)
        lines.append(f"  minimum volume: {self.minimum_minutes} min per month")
        return "\n".join(lines)


def _month_of(
    channel: ChannelStaffing, weekday_counts: tuple[int, ...]
) -> tuple[Fraction, Fraction]:
    """Paid hours and handled minutes of one channel over a month's weekdays."""
    paid = Fraction(0)
    handled = Fraction(0)
    for weekday, count in enumerate(weekday_counts):
        paid += count * Fraction(channel.paid_minutes(weekday)) / 60
        handled += count * Fraction(channel.handled_seconds(weekday)) / 60
    return paid, handled


def propose_contract(
    estimate: PriceEstimate,
    *,
    name: str,
    dimensions: Mapping[str, Mapping[str, str]] | None = None,
    metric: str = "handle_minutes",
    source: str = "handle_seconds",
    minimum_share: object = 1,
    increment_seconds: object = 6,
    starts: dt.date | None = None,
) -> Proposal:
    """A pay-per-use contract from ``estimate``: one rate per handled minute for each
    staffed channel, and a minimum volume.

    Each channel's rate is the price of its own paid hours (cost, overhead and margin)
    over its own handled minutes in the estimate's month, rounded up to the cost
    inputs' ``rate_places``; ``dimensions`` maps a channel name to the usage it prices
    (default ``{"channel": <name>}``). The minimum volume is ``minimum_share`` of the
    month's forecast minutes, billed at the overall quoted rate. Handle time is metered
    from ``source`` events in seconds, with an ``increment_seconds`` billing increment.
    """
    share = d.to_decimal(minimum_share, what="minimum_share")
    if not 0 <= share <= 1:
        raise InvalidValueError(f"minimum_share must be between 0 and 1 (got {minimum_share!r})")
    currency = estimate.costs.currency
    places = estimate.costs.rate_places
    mapping = dict(dimensions or {})
    unknown = sorted(set(mapping) - {channel.name for channel in estimate.staffing.channels})
    if unknown:
        raise InvalidValueError(f"dimensions name channels the estimate does not staff: {unknown}")
    components: list[Component] = []
    rates: list[ChannelRate] = []
    for channel in estimate.staffing.channels:
        paid, handled = _month_of(channel, estimate.month.weekday_counts)
        if handled == 0:
            continue
        price = Fraction(estimate.costs.price_of_hours(display_quantity(paid, 40)))
        rate = price / handled
        quoted = Rounding.CEILING.round(rate, places)
        dims = tuple(sorted(mapping.get(channel.name, {"channel": channel.name}).items()))
        rates.append(ChannelRate(channel.name, dims, paid, handled, price, rate, quoted))
        components.append(
            PerUnit(
                f"{channel.name} minutes",
                metric=metric,
                rate=Money(quoted, currency),
                where=dict(dims),
                unit="min",
                tags={"usage"},
            )
        )
    forecast = Fraction(estimate.month.handled_minutes)
    minimum = Rounding.FLOOR.round(forecast * Fraction(share), 0)
    if minimum > 0:
        components.append(
            MinimumVolume(
                "Minimum volume",
                metric=metric,
                quantity=minimum,
                rate=Money(estimate.quoted_rate_per_minute, currency),
                unit="min",
                tags={"usage"},
            )
        )
    keep = sorted({name for rate in rates for name, _ in rate.dimensions})
    meter = Meter(
        metric,
        source=source,
        from_unit="second",
        unit="minute",
        increment=increment_seconds,
        group_by=keep,
    )
    contract = Contract(
        name,
        currency,
        components,
        meters=[meter],
        term={"start": starts} if starts is not None else None,
    )
    return Proposal(contract, estimate, tuple(rates), minimum)
