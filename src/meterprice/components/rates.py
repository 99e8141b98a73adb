"""Usage-priced components: a rate per unit, tiered rates and packages of units."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    check_metric,
    fmt_quantity,
    rate_amount,
    to_positive,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError
from meterprice.money import Money, to_money

__all__ = ["Package", "PerUnit", "Tier", "TierMode", "Tiered"]


def _to_included(value: object) -> Decimal:
    return to_positive(value, "included", allow_zero=True)


def _to_size(value: object) -> Decimal:
    return to_positive(value, "size")


def _rate(value: object) -> Money:
    return to_money(value, what="rate")


def _price(value: object) -> Money:
    return to_money(value, what="price")


def _optional_flat(value: object) -> Money | None:
    return None if value is None else to_money(value, what="flat")


def _unit_suffix(unit: str | None) -> str:
    return f" {unit}" if unit else ""


@attrs.frozen
class PerUnit(Component):
    """A rate per unit of a metric: per handled minute, per contact, per order, per hour.

    ``where`` restricts it to usage with given dimension values; ``included`` units
    per period are free.

    >>> phone_de = PerUnit(
    ...     "Phone DE",
    ...     metric="handle_minutes",
    ...     rate="0.95 EUR",
    ...     where={"channel": "phone", "language": "de"},
    ...     unit="min",
    ... )
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    rate: Money = attrs.field(kw_only=True, converter=_rate)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    included: Decimal = attrs.field(default=d.ZERO, converter=_to_included, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def bills_usage(self) -> bool:
        return True

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        used = ctx.usage.exact(self.metric, self.where)
        billable = max(Fraction(0), used - Fraction(self.included))
        if billable == 0:
            return ()
        unit = _unit_suffix(self.unit)
        basis = f"{fmt_quantity(billable)}{unit} x {self.rate}"
        if self.included:
            included = d.to_text(self.included)
            basis += f" ({fmt_quantity(used)}{unit} used less {included}{unit} included)"
        return (
            Charge(
                description=self.description or self.name,
                amount=rate_amount(billable, self.rate),
                basis=basis,
                quantity=billable,
                unit=self.unit,
                unit_price=self.rate.amount,
                tags=self.tags,
            ),
        )


def _optional_bound(value: object) -> Decimal | None:
    if value is None:
        return None
    bound = d.to_decimal(value, what="up_to")
    if bound <= 0:
        raise ContractError(f"up_to must be positive (got {value!r})")
    return bound


@attrs.frozen
class Tier:
    """One tier: units up to and including ``up_to`` (``None``: no upper bound) at
    ``rate`` each, plus an optional ``flat`` fee once the tier is reached.
    """

    up_to: Decimal | None = attrs.field(converter=_optional_bound)
    rate: Money = attrs.field(converter=_rate)
    flat: Money | None = attrs.field(default=None, converter=_optional_flat)


class TierMode(enum.Enum):
    """How tiers price a quantity."""

    GRADUATED = "graduated"
    """Each unit at the rate of the tier it falls in."""
    VOLUME = "volume"
    """Every unit at the rate of the tier the total reaches (all-units)."""


def _to_tiers(value: object) -> tuple[Tier, ...]:
    if not isinstance(value, (list, tuple)):
        raise InvalidTypeError(f"tiers must be a list of Tier, not {value!r}")
    return tuple(value)


def _to_mode(value: object) -> TierMode:
    if isinstance(value, TierMode):
        return value
    try:
        return TierMode(value)
    except ValueError:
        raise ContractError(f"mode must be 'graduated' or 'volume' (got {value!r})") from None


@attrs.frozen
class Tiered(Component):
    """Tiered rates on a metric, graduated or volume (all-units).

    Tier *i* covers quantities above the previous tier's ``up_to`` and up to and
    including its own: a total exactly on a boundary belongs to the lower tier. The
    last tier must be open (``up_to=None``). Nothing used bills nothing, unless
    ``flat_at_zero`` charges the first tier's flat fee even then.

    >>> tiers = Tiered(
    ...     "Minutes",
    ...     metric="handle_minutes",
    ...     tiers=[Tier(10_000, "0.90 EUR"), Tier(None, "0.80 EUR")],
    ... )
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    tiers: tuple[Tier, ...] = attrs.field(kw_only=True, converter=_to_tiers)
    mode: TierMode = attrs.field(default=TierMode.GRADUATED, converter=_to_mode, kw_only=True)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)
    flat_at_zero: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise ContractError(f"component {self.name!r}: tiers must not be empty")
        if not isinstance(self.flat_at_zero, bool):
            raise InvalidTypeError(f"flat_at_zero must be true or false, not {self.flat_at_zero!r}")
        if self.flat_at_zero and (
            not isinstance(self.tiers[0], Tier) or self.tiers[0].flat is None
        ):
            raise ContractError(
                f"component {self.name!r}: flat_at_zero charges the flat fee of tiers[0], "
                "which has none"
            )
        for index, tier in enumerate(self.tiers):
            if not isinstance(tier, Tier):
                raise InvalidTypeError(f"tiers[{index}] must be a Tier, not {tier!r}")
        previous: Decimal | None = d.ZERO
        for index, tier in enumerate(self.tiers):
            if previous is None:
                raise ContractError(
                    f"component {self.name!r}: tiers[{index - 1}] is open-ended, "
                    "so it must be the last tier"
                )
            if tier.up_to is not None and tier.up_to <= previous:
                raise ContractError(
                    f"component {self.name!r}: tiers[{index}].up_to must be greater than "
                    f"{previous} (got {tier.up_to})"
                )
            previous = tier.up_to
        if previous is not None:
            raise ContractError(
                f"component {self.name!r}: the last tier must be open-ended (up_to=None), "
                f"got up_to={previous}"
            )

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
        values: list[tuple[str, Money]] = []
        for index, tier in enumerate(self.tiers):
            values.append((f"tiers[{index}].rate", tier.rate))
            if tier.flat is not None:
                values.append((f"tiers[{index}].flat", tier.flat))
        return tuple(values)

    def _bounds(self) -> list[tuple[Fraction, Fraction | None, Tier]]:
        result = []
        lower = Fraction(0)
        for tier in self.tiers:
            upper = None if tier.up_to is None else Fraction(tier.up_to)
            result.append((lower, upper, tier))
            if upper is not None:
                lower = upper
        return result

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        used = ctx.usage.exact(self.metric, self.where)
        unit = _unit_suffix(self.unit)
        label = self.description or self.name
        if used <= 0:
            return self._flat_at_zero(label, unit, used)
        charges = []
        if self.mode is TierMode.VOLUME:
            index, (lower, upper, tier) = next(
                (i, bound)
                for i, bound in enumerate(self._bounds())
                if bound[1] is None or used <= bound[1]
            )
            amount = rate_amount(used, tier.rate)
            basis = f"{fmt_quantity(used)}{unit} x {tier.rate} (all units at tier {index + 1})"
            if tier.flat is not None:
                amount += Fraction(tier.flat.amount)
                basis += f" + flat {tier.flat}"
            charges.append(
                Charge(
                    description=f"{label} (tier {index + 1}{_range(lower, upper, unit)})",
                    amount=amount,
                    basis=basis,
                    quantity=used,
                    unit=self.unit,
                    unit_price=tier.rate.amount,
                    tags=self.tags,
                )
            )
            return charges
        for index, (lower, upper, tier) in enumerate(self._bounds()):
            if used <= lower:
                break
            portion = (used if upper is None else min(used, upper)) - lower
            amount = rate_amount(portion, tier.rate)
            basis = f"{fmt_quantity(portion)}{unit} x {tier.rate}"
            if tier.flat is not None:
                amount += Fraction(tier.flat.amount)
                basis += f" + flat {tier.flat}"
            charges.append(
                Charge(
                    description=f"{label} (tier {index + 1}{_range(lower, upper, unit)})",
                    amount=amount,
                    basis=basis,
                    quantity=portion,
                    unit=self.unit,
                    unit_price=tier.rate.amount,
                    tags=self.tags,
                )
            )
        return charges

    def _flat_at_zero(self, label: str, unit: str, used: Fraction) -> tuple[Charge, ...]:
        """The first tier's flat fee when nothing was used and the contract says so."""
        first = self.tiers[0]
        if not self.flat_at_zero or first.flat is None:
            return ()
        upper = None if first.up_to is None else Fraction(first.up_to)
        return (
            Charge(
                description=f"{label} (tier 1{_range(Fraction(0), upper, unit)})",
                amount=Fraction(first.flat.amount),
                basis=f"no usage ({fmt_quantity(used)}{unit}): flat {first.flat} of tier 1",
                quantity=Fraction(0),
                unit=self.unit,
                unit_price=first.rate.amount,
                tags=self.tags,
            ),
        )


def _range(lower: Fraction, upper: Fraction | None, unit: str) -> str:
    if upper is None:
        return f": over {fmt_quantity(lower)}{unit}"
    return f": {fmt_quantity(lower)}-{fmt_quantity(upper)}{unit}"


@attrs.frozen
class Package(Component):
    """Blocks of ``size`` units sold at ``price`` each; a started block is a whole block.

    >>> blocks = Package("Chat bundles", metric="chats", size=1000, price="450.00 EUR")
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    size: Decimal = attrs.field(kw_only=True, converter=_to_size)
    price_per_package: Money = attrs.field(kw_only=True, converter=_price, alias="price")
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    included: Decimal = attrs.field(default=d.ZERO, converter=_to_included, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def bills_usage(self) -> bool:
        return True

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        used = ctx.usage.exact(self.metric, self.where)
        billable = max(Fraction(0), used - Fraction(self.included))
        if billable == 0:
            return ()
        size = Fraction(self.size)
        blocks = -(-billable // size)  # ceiling
        unit = _unit_suffix(self.unit)
        basis = (
            f"{blocks} package(s) of {d.to_text(self.size)}{unit} "
            f"for {fmt_quantity(billable)}{unit} "
            f"x {self.price_per_package}"
        )
        return (
            Charge(
                description=self.description or self.name,
                amount=rate_amount(Fraction(blocks), self.price_per_package),
                basis=basis,
                quantity=Fraction(blocks),
                unit="package",
                unit_price=self.price_per_package.amount,
                tags=self.tags,
            ),
        )
