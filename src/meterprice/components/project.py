"""Billing by project: a monthly fee set by the project's scale, difficulty and urgency.

The seeds' "billing by project" model: generally 5,000-20,000 CNY per month,
depending on the scale, difficulty, timeliness and other factors of the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.base import Charge, Component, PricingContext, positive_decimal
from meterprice.errors import ContractError, CurrencyMismatchError, InvalidTypeError
from meterprice.money import Currency, Money, to_money
from meterprice.usage import display_quantity

__all__ = ["ProjectFee"]


def _pairs(value: object, what: str) -> list[tuple[object, object]]:
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"{what} must be a mapping of names to values, not {value!r}")
    pairs = []
    for item in value:
        if not isinstance(item, tuple) or len(item) != 2:
            raise InvalidTypeError(f"{what} must be a mapping or (name, value) pairs, not {item!r}")
        pairs.append((item[0], item[1]))
    return pairs


def _name(value: object, what: str, seen: set[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{what} names must be non-empty strings, not {value!r}")
    if value in seen:
        raise ContractError(f"{what}: the name {value!r} is given twice")
    seen.add(value)
    return value


def _to_tiers(value: object) -> tuple[tuple[str, Money], ...]:
    seen: set[str] = set()
    tiers = []
    for name, fee in _pairs(value, "tiers"):
        key = _name(name, "tiers", seen)
        money = to_money(fee, what=f"tiers[{key!r}]")
        if money.amount < 0:
            raise ContractError(f"tiers[{key!r}] must not be negative (got {money})")
        tiers.append((key, money))
    if not tiers:
        raise ContractError("tiers must name at least one scale tier")
    return tuple(tiers)


def _to_factors(value: object) -> tuple[tuple[str, Decimal], ...]:
    seen: set[str] = set()
    return tuple(
        (key := _name(name, "factors", seen), positive_decimal(f"factors[{key!r}]")(factor))
        for name, factor in _pairs(value, "factors")
    )


def _to_minimum(value: object) -> Money | None:
    return None if value is None else to_money(value, what="minimum")


def _to_maximum(value: object) -> Money | None:
    return None if value is None else to_money(value, what="maximum")


def _check_tier(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"tier must be the name of a scale tier, not {value!r}")


def _show(amount: Fraction, currency: Currency) -> str:
    """An exact amount as text with at least the currency's minor-unit places."""
    return Money(display_quantity(amount, places=12), currency).format(grouping=False)


@attrs.frozen
class ProjectFee(Component):
    """A fee per billing period chosen by project scale tier, multiplied by named
    factors and kept within ``[minimum, maximum]``.

    ``tiers`` maps scale tiers to base fees; ``tier`` picks one; ``factors`` (each
    positive) multiply it, in order; the result is raised to ``minimum`` or lowered
    to ``maximum`` when given. A period in which the component is active for only
    some days pays the bounded fee prorated by days, unless ``prorate`` is false. The
    line's basis shows the tier, each factor and whether a bound applied.

    >>> fee = ProjectFee(
    ...     "Project",
    ...     tiers={"small": "5000.00 CNY", "medium": "9000.00 CNY", "large": "14000.00 CNY"},
    ...     tier="large",
    ...     factors={"difficulty": "1.2", "timeliness": "1.25"},
    ...     minimum="5000.00 CNY",
    ...     maximum="20000.00 CNY",
    ... )
    >>> fee.bounded_fee()
    Fraction(20000, 1)
    """

    tiers: tuple[tuple[str, Money], ...] = attrs.field(kw_only=True, converter=_to_tiers)
    tier: str = attrs.field(kw_only=True, validator=_check_tier)
    factors: tuple[tuple[str, Decimal], ...] = attrs.field(
        default=(), kw_only=True, converter=_to_factors
    )
    minimum: Money | None = attrs.field(
        default=None,
        kw_only=True,
        converter=_to_minimum,
    )
    maximum: Money | None = attrs.field(
        default=None,
        kw_only=True,
        converter=_to_maximum,
    )
    prorate: bool = attrs.field(default=True, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        tiers = dict(self.tiers)
        if self.tier not in tiers:
            raise ContractError(
                f"component {self.name!r}: tier {self.tier!r} is not one of the scale tiers "
                f"{', '.join(map(repr, tiers))}"
            )
        currency = self.tiers[0][1].currency
        for path, money in self.money_values:
            if money.currency != currency:
                raise CurrencyMismatchError(
                    f"component {self.name!r}: {path} is {money} but {self.money_values[0][0]} "
                    f"is in {currency.code}"
                )
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ContractError(
                f"component {self.name!r}: minimum {self.minimum} is above maximum {self.maximum}"
            )

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        values = [(f"tiers[{name!r}]", fee) for name, fee in self.tiers]
        if self.minimum is not None:
            values.append(("minimum", self.minimum))
        if self.maximum is not None:
            values.append(("maximum", self.maximum))
        return tuple(values)

    @property
    def base(self) -> Money:
        """The base fee of the chosen tier."""
        return dict(self.tiers)[self.tier]

    def unbounded_fee(self) -> Fraction:
        """The tier's base fee times every factor, exactly."""
        fee = Fraction(self.base.amount)
        for _, factor in self.factors:
            fee *= Fraction(factor)
        return fee

    def bounded_fee(self) -> Fraction:
        """The fee for a whole period: :meth:`unbounded_fee` within the bounds."""
        fee = self.unbounded_fee()
        if self.minimum is not None:
            fee = max(fee, Fraction(self.minimum.amount))
        if self.maximum is not None:
            fee = min(fee, Fraction(self.maximum.amount))
        return fee

    def _bound_text(self, unbounded: Fraction, fee: Fraction) -> str:
        if fee > unbounded:
            return f"raised to the minimum {self.minimum}"
        if fee < unbounded:
            return f"lowered to the maximum {self.maximum}"
        if self.minimum is None and self.maximum is None:
            return "no bounds"
        low = "..." if self.minimum is None else d.to_text(self.minimum.amount)
        high = "..." if self.maximum is None else d.to_text(self.maximum.amount)
        return f"within the bounds {low}-{high} {self.base.currency.code}"

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        unbounded = self.unbounded_fee()
        fee = self.bounded_fee()
        basis = f"tier {self.tier} {self.base}"
        for name, factor in self.factors:
            basis += f" x {name} {factor}"
        if self.factors:
            basis += f" = {_show(unbounded, self.base.currency)}"
        basis += f", {self._bound_text(unbounded, fee)}"
        amount = fee
        if ctx.is_partial and self.prorate:
            amount *= ctx.share
            basis += f"; x {ctx.active.days}/{ctx.period.days} days (active {ctx.active})"
        return (
            Charge(
                description=self.description or self.name,
                amount=amount,
                basis=basis,
                tags=self.tags,
            ),
        )
