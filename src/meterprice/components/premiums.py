"""Holiday and out-of-hours premiums, one premium per unit of usage, never two.

A :class:`HolidayPremium` adds premiums on top of the rates that price a metric: on
the public holidays of a country or region (from the ``holidays`` package, the
``holidays`` extra) or of the contract's own dated :class:`~meterprice.Calendar`, a
``premium`` per unit or a ``multiplier`` of the base ``rate``; on other days, the
out-of-hours premiums of the time bands (``band_premiums = {night = ..., weekend =
...}``) read from the band dimension that a meter's :class:`~meterprice.TimeBands`
writes.

Precedence (``on_holidays``): a unit used on a holiday gets the holiday premium
*instead of* its band's premium (``"replace"``, the default), the larger of the two
(``"max"``), or both (``"add"``, when the contract says the premiums stack). Holidays
are days, so the premiums need day-resolved usage (events, usage files, frames or
:meth:`~meterprice.Usage.from_daily`); an undated total is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs

from meterprice import _decimal as d
from meterprice.calendars import Calendar, format_days
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    check_metric,
    fmt_quantity,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.money import Money, to_money

__all__ = ["HolidayPremium"]


def _holidays_module() -> Any:
    try:
        import holidays  # noqa: PLC0415 - an optional extra, imported when used
    except ImportError:  # pragma: no cover - the test environment has the extra
        raise ContractError(
            "country: public holidays by country need the holidays package: "
            'pip install "meterprice[holidays]" (or give the contract\'s own calendar)'
        ) from None
    return holidays


def _optional_code(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidTypeError(f"a country or subdivision code must be a string, not {value!r}")
    return value


def _money_or_none(value: object) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what="amount")
    if money.amount <= 0:
        raise ContractError(f"an amount must be positive (got {money})")
    return money


def _multiplier(value: object) -> Decimal | None:
    if value is None:
        return None
    number = d.to_decimal(value, what="multiplier")
    if number <= 1:
        raise ContractError(f"multiplier must be more than 1 (got {value!r})")
    return number


def _band_premiums(value: object) -> tuple[tuple[str, Money], ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, (tuple, list)):
        pairs = list(value)
    else:
        raise InvalidTypeError(f"band_premiums must map band names to amounts, not {value!r}")
    premiums: dict[str, Money] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidTypeError(f"band_premiums entries must be (band, amount) pairs ({pair!r})")
        name, amount = pair
        if not isinstance(name, str) or not name:
            raise InvalidTypeError(f"band_premiums: a band name must be a string, not {name!r}")
        money = to_money(amount, what=f"band_premiums[{name!r}]")
        if money.amount <= 0:
            raise ContractError(f"band_premiums[{name!r}] must be positive (got {money})")
        premiums[name] = money
    return tuple(sorted(premiums.items()))


def _calendar(value: object) -> Calendar | None:
    if value is not None and not isinstance(value, Calendar):
        raise InvalidTypeError(f"calendar must be a Calendar, not {value!r}")
    return value


@attrs.frozen
class HolidayPremium(Component):
    """Premiums on the usage of ``metric``: on holidays (``country``/``subdivision`` of
    the ``holidays`` package, or the contract's ``calendar``) a ``premium`` per unit or
    a ``multiplier`` of ``rate``; on other days ``band_premiums`` by the band the usage
    is in (the dimension ``band_dimension``). ``on_holidays`` says how a holiday's
    premium and a band's premium combine: ``"replace"``, ``"max"`` or ``"add"``.

    >>> HolidayPremium(
    ...     "Holidays", metric="handle_minutes", country="DE", premium="0.50 EUR"
    ... ).holiday_rate
    Fraction(1, 2)
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    country: str | None = attrs.field(default=None, kw_only=True, converter=_optional_code)
    subdivision: str | None = attrs.field(default=None, kw_only=True, converter=_optional_code)
    calendar: Calendar | None = attrs.field(default=None, kw_only=True, converter=_calendar)
    premium: Money | None = attrs.field(default=None, kw_only=True, converter=_money_or_none)
    multiplier: Decimal | None = attrs.field(default=None, kw_only=True, converter=_multiplier)
    rate: Money | None = attrs.field(default=None, kw_only=True, converter=_money_or_none)
    band_premiums: tuple[tuple[str, Money], ...] = attrs.field(
        default=(), kw_only=True, converter=_band_premiums
    )
    band_dimension: str = attrs.field(default="band", kw_only=True)
    on_holidays: Literal["replace", "max", "add"] = attrs.field(
        default="replace", kw_only=True, validator=attrs.validators.in_(("replace", "max", "add"))
    )
    unit: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.country is None) == (self.calendar is None):
            raise ContractError(
                "give the holidays either by country (the holidays package) or as a "
                "calendar, not " + ("both" if self.country is not None else "neither")
            )
        if self.subdivision is not None and self.country is None:
            raise ContractError("subdivision: a region needs its country")
        if (self.premium is None) == (self.multiplier is None):
            raise ContractError(
                "give the holiday premium either as premium (per unit) or as multiplier "
                "(of rate), not " + ("both" if self.premium is not None else "neither")
            )
        if (self.multiplier is None) != (self.rate is None):
            raise ContractError("multiplier and rate go together: the premium is rate x (m - 1)")
        if self.country is not None:
            try:
                _holidays_module().country_holidays(self.country, subdiv=self.subdivision)
            except NotImplementedError as error:
                field = "subdivision" if "subdivision" in str(error) else "country"
                raise ContractError(f"{field}: {error} (in the holidays package)") from None

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        found = [
            (name, money)
            for name in ("premium", "rate")
            if (money := getattr(self, name)) is not None
        ]
        found.extend((f"band_premiums.{band}", money) for band, money in self.band_premiums)
        return tuple(found)

    @property
    def holiday_rate(self) -> Fraction:
        """The holiday premium per unit: ``premium``, or ``rate x (multiplier - 1)``."""
        if self.premium is not None:
            return Fraction(self.premium.amount)
        assert self.rate is not None
        assert self.multiplier is not None
        return Fraction(self.rate.amount) * (Fraction(self.multiplier) - 1)

    def holiday_names(self, day: dt.date) -> tuple[str, ...]:
        """The names of the holidays on ``day`` (none when it is not one)."""
        if self.calendar is not None:
            return self.calendar.names_on(day)
        found = (
            _holidays_module()
            .country_holidays(self.country, subdiv=self.subdivision, years=day.year)
            .get_list(day)
        )
        return tuple(found)

    def _usage_by_day(self, ctx: PricingContext) -> dict[dt.date, dict[str | None, Fraction]]:
        by_day: dict[dt.date, dict[str | None, Fraction]] = {}
        for day, metric, dims, quantity in ctx.usage.daily_items():
            if metric != self.metric or not self.where.matches(dims) or quantity == 0:
                continue
            if day is None:
                raise PricingError(
                    f"component {self.name!r}: the usage of {metric!r} has no days, so the "
                    "part of it used on holidays is unknown: give day-resolved usage "
                    "(events, a usage file, Usage.from_daily)"
                )
            band = dims.get(self.band_dimension)
            into = by_day.setdefault(day, {})
            into[band] = into.get(band, Fraction(0)) + quantity
        return by_day

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        unit = f" {self.unit}" if self.unit else ""
        holiday_rate = self.holiday_rate
        holiday_quantity = Fraction(0)
        holiday_days: list[dt.date] = []
        names: dict[str, None] = {}
        holiday_amount = Fraction(0)
        bands: dict[str, Fraction] = {}
        premiums = dict(self.band_premiums)
        for day, quantities in sorted(self._usage_by_day(ctx).items()):
            on = self.holiday_names(day)
            for band, quantity in quantities.items():
                band_rate = Fraction(premiums[band].amount) if band in premiums else None
                if not on:
                    if band_rate is not None:
                        assert band is not None
                        bands[band] = bands.get(band, Fraction(0)) + quantity
                    continue
                rate = holiday_rate
                if band_rate is not None and self.on_holidays == "max":
                    rate = max(rate, band_rate)
                if band_rate is not None and self.on_holidays == "add":
                    assert band is not None
                    bands[band] = bands.get(band, Fraction(0)) + quantity
                holiday_quantity += quantity
                holiday_amount += quantity * rate
            if on:
                holiday_days.append(day)
                names.update(dict.fromkeys(on))
        charges = []
        if holiday_quantity:
            how = (
                str(self.premium)
                if self.premium is not None
                else f"{self.rate} x ({d.to_text(self.multiplier or Decimal(0))} - 1)"
            )
            basis = (
                f"{fmt_quantity(holiday_quantity)}{unit} on {format_days(holiday_days)} "
                f"({', '.join(names)}) x {how}"
            )
            if holiday_amount != holiday_quantity * holiday_rate:
                basis += " or the band's premium where larger"
            charges.append(
                Charge(
                    description=f"{self.name}: holidays",
                    amount=holiday_amount,
                    basis=basis,
                    quantity=holiday_quantity,
                    unit=self.unit,
                    unit_price=(
                        d.fraction_to_decimal(holiday_rate)
                        if holiday_amount == holiday_quantity * holiday_rate
                        else None
                    ),
                    tags=self.tags,
                )
            )
        for band, quantity in sorted(bands.items()):
            premium = premiums[band]
            where = "" if self.on_holidays == "add" else ", holidays excepted"
            charges.append(
                Charge(
                    description=f"{self.name}: {band}",
                    amount=quantity * Fraction(premium.amount),
                    basis=f"{fmt_quantity(quantity)}{unit} in band {band}{where} x {premium}",
                    quantity=quantity,
                    unit=self.unit,
                    unit_price=premium.amount,
                    tags=self.tags,
                )
            )
        return charges
