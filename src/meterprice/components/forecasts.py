"""Forecast bands: the client's volume forecast for each period against the volume it
sent, with a band of tolerance around it (meterprice's own clause).

An outsourcer staffs for the volume the client forecasts. A :class:`ForecastBand`
holds the client to its forecasts beyond a band (``tolerance``, say 15 %, and
optionally a different ``above`` for over-delivery):

* **Under-delivery** (actual below ``forecast x (1 - tolerance)``): the client pays for
  the staffed hours the forecast required and it did not use. With ``rate``, the
  hours of the units missing below the band's edge are billed at ``rate`` per hour
  (``hours x (edge - actual) / forecast``); with ``minimum_rate``, the fees of the
  lines tagged ``of`` are lifted to at least the forecast's staffed ``hours`` at that
  rate (a minimum that the forecast sets).
* **Over-delivery** (actual above ``forecast x (1 + above)``): the provider could not
  staff for it, so the period's service-level credits are relieved: the component
  writes a line of zero tagged ``relief_tag``, which a
  :class:`~meterprice.ServiceCredits` after it names in ``relieved_by``.

Within the band nothing changes. A partial period (a contract starting mid-month)
prorates the forecast's volume and hours by its share of days.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    check_metric,
    describe_tags,
    fmt_quantity,
    to_reading_tags,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import exact_text
from meterprice.money import Money, to_money
from meterprice.periods import Period

__all__ = ["ForecastBand", "VolumeForecast"]


def _to_period_text(value: object) -> str:
    if isinstance(value, Period):
        return str(value)
    if not isinstance(value, str):
        raise InvalidTypeError(f"period must be a period such as '2026-11', not {value!r}")
    return str(Period.parse(value))


def _positive(what: str, value: object) -> Decimal:
    number = d.to_decimal(value, what=what)
    if number <= 0:
        raise ContractError(f"{what} must be positive (got {value!r})")
    return number


def _volume(value: object) -> Decimal:
    return _positive("volume", value)


def _hours(value: object) -> Decimal:
    return _positive("hours", value)


@attrs.frozen
class VolumeForecast:
    """The client's forecast for one billing period: its ``volume`` of the metric and
    the staffed ``hours`` that volume requires.

    >>> VolumeForecast("2026-11", volume=12000, hours=610).span
    Period(start=datetime.date(2026, 11, 1), end=datetime.date(2026, 12, 1))
    """

    period: str = attrs.field(converter=_to_period_text)
    volume: Decimal = attrs.field(kw_only=True, converter=_volume)
    hours: Decimal = attrs.field(kw_only=True, converter=_hours)

    @property
    def span(self) -> Period:
        """The period forecast."""
        return Period.parse(self.period)


def _to_forecasts(value: object) -> tuple[VolumeForecast, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidTypeError(f"forecasts must be a list of VolumeForecast, not {value!r}")
    forecasts = tuple(value)
    seen: dict[str, int] = {}
    for index, item in enumerate(forecasts):
        if not isinstance(item, VolumeForecast):
            raise InvalidTypeError(f"forecasts[{index}] is not a VolumeForecast: {item!r}")
        if item.period in seen:
            raise ContractError(
                f"forecasts[{index}]: {item.period} is forecast twice "
                f"(forecasts[{seen[item.period]}])"
            )
        seen[item.period] = index
    return forecasts


def _tolerance(value: object) -> Decimal:
    number = d.to_decimal(value, what="tolerance")
    if not 0 <= number < 100:
        raise ContractError(f"tolerance must be from 0 to less than 100 percent (got {value!r})")
    return number


def _above(value: object) -> Decimal | None:
    if value is None:
        return None
    number = d.to_decimal(value, what="above")
    if number < 0:
        raise ContractError(f"above must not be negative (got {value!r})")
    return number


def _money_or_none(value: object) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what="rate")
    if money.amount <= 0:
        raise ContractError(f"a rate per hour must be positive (got {money})")
    return money


def _check_tag(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidTypeError(f"relief_tag must be a non-empty string, not {value!r}")


@attrs.frozen
class ForecastBand(Component):
    """The forecast of each period in ``forecasts`` against the usage of ``metric``:
    beyond ``tolerance`` percent below, the unused staffed hours are billed at
    ``rate`` (or the fees of ``of`` lifted to the forecast's hours at
    ``minimum_rate``); beyond ``above`` (default ``tolerance``) percent above, a line
    tagged ``relief_tag`` relieves the period's service-level credits.

    >>> band = ForecastBand(
    ...     "Forecast",
    ...     metric="calls",
    ...     tolerance=15,
    ...     rate="25.00 EUR",
    ...     forecasts=[VolumeForecast("2026-11", volume=10000, hours=600)],
    ... )
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    forecasts: tuple[VolumeForecast, ...] = attrs.field(kw_only=True, converter=_to_forecasts)
    tolerance: Decimal = attrs.field(kw_only=True, converter=_tolerance)
    above: Decimal | None = attrs.field(default=None, kw_only=True, converter=_above)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    rate: Money | None = attrs.field(default=None, kw_only=True, converter=_money_or_none)
    minimum_rate: Money | None = attrs.field(default=None, kw_only=True, converter=_money_or_none)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    relief_tag: str = attrs.field(default="forecast-exceeded", kw_only=True, validator=_check_tag)
    missing: Literal["error", "ignore"] = attrs.field(
        default="error", kw_only=True, validator=attrs.validators.in_(("error", "ignore"))
    )
    unit: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.rate is None) == (self.minimum_rate is None):
            raise ContractError(
                "bill under-delivery either at rate (per unused staffed hour) or with "
                "minimum_rate (a minimum of the forecast's hours), not "
                + ("both" if self.rate is not None else "neither")
            )
        if self.minimum_rate is not None and self.of is None:
            raise ContractError("minimum_rate: name with of the lines whose fees it lifts")
        if self.rate is not None and self.of is not None:
            raise ContractError("of: the lines a minimum lifts, so it goes with minimum_rate")

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        return frozenset() if self.minimum_rate is None else self.of

    def forecast(self, ctx: PricingContext) -> tuple[Fraction, Fraction] | None:
        """The forecast volume and hours of ``ctx``'s period (prorated when partial),
        or ``None`` when it has none and ``missing = "ignore"``.
        """
        for item in self.forecasts:
            if item.span == ctx.period:
                share = ctx.share
                return Fraction(item.volume) * share, Fraction(item.hours) * share
        if self.missing == "ignore":
            return None
        raise PricingError(
            f"component {self.name!r}: no forecast for {ctx.period} (add one to forecasts, "
            "or declare missing = 'ignore' to leave such periods alone)"
        )

    def edges(self, volume: Fraction) -> tuple[Fraction, Fraction]:
        """The band's lower and upper edges around a forecast ``volume``."""
        above = self.tolerance if self.above is None else self.above
        return (
            volume * (1 - Fraction(self.tolerance) / 100),
            volume * (1 + Fraction(above) / 100),
        )

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        forecast = self.forecast(ctx)
        if forecast is None:
            return ()
        volume, hours = forecast
        low, high = self.edges(volume)
        actual = ctx.usage.exact(self.metric, self.where)
        unit = f" {self.unit}" if self.unit else ""
        shown = f"{fmt_quantity(actual)}{unit} against a forecast of {fmt_quantity(volume)}{unit}"
        if ctx.is_partial:
            shown += f" ({ctx.active.days}/{ctx.period.days} days)"
        if actual > high:
            above = self.tolerance if self.above is None else self.above
            return (
                Charge(
                    description=f"{self.name}: above the forecast band",
                    amount=0,
                    basis=(
                        f"{shown}, more than {d.to_text(above)}% above "
                        f"({fmt_quantity(high)}{unit}): service-level credits relieved"
                    ),
                    tags=self.tags | {self.relief_tag},
                ),
            )
        if actual >= low:
            return ()
        if self.rate is not None:
            idle = hours * (low - actual) / volume
            return (
                Charge(
                    description=f"{self.name}: staffed hours below the forecast band",
                    amount=idle * Fraction(self.rate.amount),
                    basis=(
                        f"{shown}, below the band's edge {fmt_quantity(low)}{unit} by "
                        f"{fmt_quantity(low - actual)}{unit}: {fmt_quantity(hours)} h x "
                        f"{fmt_quantity(low - actual)} / {fmt_quantity(volume)} = "
                        f"{exact_text(idle)} h x {self.rate}"
                    ),
                    quantity=idle,
                    unit="h",
                    unit_price=self.rate.amount,
                    tags=self.tags,
                ),
            )
        assert self.minimum_rate is not None
        floor = ctx.round(hours * Fraction(self.minimum_rate.amount))
        fees = ctx.subtotal(self.of)
        if fees >= floor:
            return ()
        return (
            Charge(
                description=f"{self.name}: minimum of the forecast's staffed hours",
                amount=floor - fees,
                basis=(
                    f"{shown}, below the band's edge {fmt_quantity(low)}{unit}: minimum "
                    f"{fmt_quantity(hours)} h x {self.minimum_rate} = {ctx.money(floor)} less "
                    f"{ctx.money(fees)} ({describe_tags(self.of)})"
                ),
                tags=self.tags,
            ),
        )
