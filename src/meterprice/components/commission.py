"""Commission: a percentage of a money-valued metric such as store sales.

The seeds' "basic salary + commission" model pays a share of the store's sales, more
for customised categories than for ordinary ones, "settled on last month's
performance". :class:`Commission` prices a metric whose quantity is an amount in the
contract's currency (a sale of 240.00 CNY is an event of quantity 240.00), with a
percentage per category, optional graduated percentage tiers, optional
per-transaction minimum, maximum and fixed fee, and a ``basis`` that prices either
the current period's or the previous period's usage.

Per-transaction rules need each transaction's amount, which a summed metric no
longer has. meterprice keeps metering a mergeable summary: the commission names the
dimension that identifies a transaction (``per_transaction="order"``) and the meter
keeps it (``group_by`` including it, or no ``group_by``), so the usage holds one
group per transaction. The fixed fee counts those groups, or reads a metric that
counts transactions (a ``"count"`` meter) when no transaction dimension is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs

from meterprice import _decimal as d
from meterprice.components.base import Charge, Component, PricingContext, check_metric, fmt_quantity
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.money import Money, to_money
from meterprice.usage import Usage

__all__ = ["Commission", "CommissionBasis", "CommissionTier", "PercentSchedule"]

CommissionBasis = Literal["current", "previous"]
"""Which period's usage a :class:`Commission` prices."""


def _percent(value: object, what: str = "percent") -> Decimal:
    number = d.to_decimal(value, what=what)
    if number < 0:
        raise ContractError(f"{what} must not be negative (got {value!r})")
    return number


def _optional_up_to(value: object) -> Money | None:
    if value is None:
        return None
    bound = to_money(value, what="up_to")
    if bound.amount <= 0:
        raise ContractError(f"up_to must be positive (got {value!r})")
    return bound


@attrs.frozen
class CommissionTier:
    """A graduated commission tier: ``percent`` of the amount above the previous
    tier's ``up_to`` and up to this one's (``None``: no upper bound).

    >>> CommissionTier("100000.00 CNY", 1).up_to
    Money('100000.00', 'CNY')
    """

    up_to: Money | None = attrs.field(converter=_optional_up_to)
    percent: Decimal = attrs.field(converter=_percent)


PercentSchedule = Decimal | tuple[CommissionTier, ...]
"""A flat percentage or graduated :class:`CommissionTier` values."""


def _to_tiers(value: list[object] | tuple[object, ...], what: str) -> tuple[CommissionTier, ...]:
    if not value:
        raise ContractError(f"{what} must not be empty")
    tiers: list[CommissionTier] = []
    for index, tier in enumerate(value):
        if not isinstance(tier, CommissionTier):
            raise InvalidTypeError(f"{what}[{index}] must be a CommissionTier, not {tier!r}")
        tiers.append(tier)
    for index, tier in enumerate(tiers[:-1]):
        if tier.up_to is None:
            raise ContractError(f"{what}[{index}] is open-ended, so it must be the last tier")
        following = tiers[index + 1].up_to
        if following is None:
            continue
        if following.currency != tier.up_to.currency:
            raise ContractError(
                f"{what}[{index + 1}].up_to is in {following.currency.code} but "
                f"{what}[{index}].up_to in {tier.up_to.currency.code}"
            )
        if following.amount <= tier.up_to.amount:
            raise ContractError(
                f"{what}[{index + 1}].up_to must be greater than {tier.up_to} (got {following})"
            )
    if tiers[-1].up_to is not None:
        raise ContractError(
            f"the last tier of {what} must be open-ended (up_to=None), got up_to={tiers[-1].up_to}"
        )
    return tuple(tiers)


def _to_schedule(value: object, what: str) -> PercentSchedule:
    if isinstance(value, (list, tuple)):
        return _to_tiers(value, what)
    return _percent(value, what)


def _optional_percent(value: object) -> Decimal | None:
    return None if value is None else _percent(value)


def _optional_tiers(value: object) -> tuple[CommissionTier, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise InvalidTypeError(f"tiers must be a list of CommissionTier, not {value!r}")
    return _to_tiers(value, "tiers")


def _to_rates(value: object) -> tuple[tuple[str, PercentSchedule], ...]:
    if isinstance(value, Mapping):
        pairs: list[object] = list(value.items())
    elif isinstance(value, (list, tuple)):
        pairs = list(value)
    else:
        raise InvalidTypeError(
            f"rates must be a mapping of categories to percentages, not {value!r}"
        )
    table: dict[str, PercentSchedule] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidTypeError(f"rates entries must be (category, percent) pairs, not {pair!r}")
        category, rate = pair
        if not isinstance(category, str) or not category:
            raise InvalidTypeError(
                f"rates must be keyed by non-empty category values, not {category!r}"
            )
        if category in table:
            raise ContractError(f"rates has the category {category!r} twice")
        table[category] = _to_schedule(rate, f"rates[{category!r}]")
    return tuple(sorted(table.items()))


def _optional_money(value: object, what: str) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what=what)
    if money.amount < 0:
        raise ContractError(f"{what} must not be negative (got {value!r})")
    return money


def _to_minimum(value: object) -> Money | None:
    return _optional_money(value, "minimum")


def _to_maximum(value: object) -> Money | None:
    return _optional_money(value, "maximum")


def _to_fixed_fee(value: object) -> Money | None:
    return _optional_money(value, "fixed_fee")


def _optional_name(what: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidTypeError(
                f"{attribute.name} must be a non-empty {what} or None, not {value!r}"
            )

    return check


def _check_basis(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in ("current", "previous"):
        raise ContractError(f"basis must be 'current' or 'previous' (got {value!r})")


@attrs.frozen
class Commission(Component):
    """A percentage of a money-valued ``metric`` (store sales, ...).

    The metric's quantities are amounts in the contract's currency. ``percent`` is
    the percentage for every category; ``rates`` overrides it per value of the
    dimension ``category`` (customised categories paying more). A rate is a number
    (``"1.5"`` is 1.5 %) or graduated :class:`CommissionTier` values, and ``tiers``
    gives graduated tiers for every category instead of ``percent``. Each category
    gets its own line (one per tier reached when tiered), stating the amount and the
    period it is computed on. A category with neither a rate nor a default is a
    :class:`~meterprice.errors.PricingError`, and so is usage that lacks the
    ``category`` dimension. Categories whose net amount is zero or less earn nothing.

    Per transaction, ``minimum`` and ``maximum`` bound the commission of each
    transaction (flat percentages only) and ``fixed_fee`` is added once per
    transaction. Bounds need the dimension ``per_transaction`` that identifies a
    transaction, kept by the meter, so that the usage holds one group per
    transaction; the fixed fee counts those groups or reads ``transactions``, a
    metric counting transactions. Transactions whose net amount is zero or less earn
    nothing. The bounds show as their own lines: a top-up to the minimum and a
    negative line for the amounts above the maximum. Graduated tiers with
    ``per_transaction`` apply to each category's total of its positive transactions.

    With ``basis="previous"`` the commission prices the previous period's usage
    ("settled on last month's performance"): the November invoice pays on
    October's sales, whatever November's are.

    >>> commission = Commission(
    ...     "Commission", metric="sales", percent=2, category="category", rates={"custom": 5}
    ... )
    >>> usage = Usage.from_totals(
    ...     {
    ...         ("sales", Dimensions({"category": "custom"})): "10000.00",
    ...         ("sales", Dimensions({"category": "standard"})): "30000.00",
    ...     }
    ... )
    >>> invoice = Contract("Shop", "CNY", [commission]).invoice(usage, "2026-11")
    >>> for line in invoice.lines:  # 5 % of 10,000 and the default 2 % of 30,000
    ...     print(line.description, line.amount)
    Commission (category=custom) 500.00 CNY
    Commission (category=standard) 600.00 CNY
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    percent: Decimal | None = attrs.field(default=None, kw_only=True, converter=_optional_percent)
    tiers: tuple[CommissionTier, ...] | None = attrs.field(
        default=None, kw_only=True, converter=_optional_tiers
    )
    category: str | None = attrs.field(
        default=None, kw_only=True, validator=_optional_name("dimension name")
    )
    rates: tuple[tuple[str, PercentSchedule], ...] = attrs.field(
        default=(), kw_only=True, converter=_to_rates
    )
    basis: CommissionBasis = attrs.field(default="current", kw_only=True, validator=_check_basis)
    per_transaction: str | None = attrs.field(
        default=None, kw_only=True, validator=_optional_name("dimension name")
    )
    minimum: Money | None = attrs.field(default=None, kw_only=True, converter=_to_minimum)
    maximum: Money | None = attrs.field(default=None, kw_only=True, converter=_to_maximum)
    fixed_fee: Money | None = attrs.field(default=None, kw_only=True, converter=_to_fixed_fee)
    transactions: str | None = attrs.field(
        default=None, kw_only=True, validator=_optional_name("metric name")
    )
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        name = self.name
        if self.percent is not None and self.tiers is not None:
            raise ContractError(f"component {name!r}: give percent or tiers, not both")
        if self.rates and self.category is None:
            raise ContractError(
                f"component {name!r}: rates by category need the category dimension (category=...)"
            )
        if not self.rates and self.percent is None and self.tiers is None:
            raise ContractError(
                f"component {name!r}: give percent, tiers or rates by category (none given)"
            )
        if self.per_transaction is not None and self.per_transaction == self.category:
            raise ContractError(
                f"component {name!r}: per_transaction and category must be different "
                f"dimensions (both are {self.category!r})"
            )
        bounded = self.minimum is not None or self.maximum is not None
        if bounded and self.per_transaction is None:
            raise ContractError(
                f"component {name!r}: a per-transaction minimum or maximum needs each "
                "transaction's amount: name the dimension that identifies a transaction "
                "(per_transaction=...) and keep it in the meter"
            )
        tiered = self.tiers is not None or any(isinstance(r, tuple) for _, r in self.rates)
        if bounded and tiered:
            raise ContractError(
                f"component {name!r}: per-transaction minimum and maximum apply to flat "
                "percentages, not to graduated tiers"
            )
        if self.minimum is not None and self.maximum is not None:
            if self.minimum.currency != self.maximum.currency:
                raise ContractError(
                    f"component {name!r}: minimum {self.minimum} and maximum {self.maximum} "
                    "are in different currencies"
                )
            if self.minimum.amount > self.maximum.amount:
                raise ContractError(
                    f"component {name!r}: minimum {self.minimum} is above maximum {self.maximum}"
                )
        if self.transactions is not None and (
            self.fixed_fee is None or self.per_transaction is not None
        ):
            raise ContractError(
                f"component {name!r}: transactions counts transactions for a fixed fee "
                "when there is no per_transaction dimension; it is unused here"
            )
        counted = self.per_transaction is not None or self.transactions is not None
        if self.fixed_fee is not None and not counted:
            raise ContractError(
                f"component {name!r}: a fixed fee per transaction needs the number of "
                "transactions: give per_transaction (a dimension) or transactions (a metric)"
            )

    # -- what the contract checks -------------------------------------------------------------
    @property
    def metrics(self) -> frozenset[str]:
        if self.transactions is None:
            return frozenset({self.metric})
        return frozenset({self.metric, self.transactions})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        values: list[tuple[str, Money]] = []
        for index, tier in enumerate(self.tiers or ()):
            if tier.up_to is not None:
                values.append((f"tiers[{index}].up_to", tier.up_to))
        for category, rate in self.rates:
            if isinstance(rate, tuple):
                for index, tier in enumerate(rate):
                    if tier.up_to is not None:
                        values.append((f"rates[{category!r}][{index}].up_to", tier.up_to))
        for field in ("minimum", "maximum", "fixed_fee"):
            money = getattr(self, field)
            if money is not None:
                values.append((field, money))
        return tuple(values)

    @property
    def uses_previous_period(self) -> bool:
        return self.basis == "previous"

    # -- pricing ------------------------------------------------------------------------------
    def rate_for(self, category: str | None) -> PercentSchedule | None:
        """The percentage (or tiers) for ``category``: its own rate, else the default."""
        own = dict(self.rates).get(category) if category is not None else None
        if own is not None:
            return own
        return self.percent if self.percent is not None else self.tiers

    def _source(self, ctx: PricingContext) -> tuple[Usage, str]:
        """The usage priced and the words that say which period it is."""
        if self.basis == "current":
            return ctx.usage, f"{self.metric} in {ctx.active}"
        if ctx.previous_usage is None:
            raise PricingError(
                f"component {self.name!r} prices the previous period's {self.metric!r} but "
                "no previous usage was given"
            )
        period = "the previous period" if ctx.previous_period is None else ctx.previous_period
        return ctx.previous_usage, f"{self.metric} in {period}, previous period"

    def _amounts(self, usage: Usage) -> dict[str | None, list[Fraction]]:
        """The amounts by category: one per transaction, or the category's total."""
        names = tuple(n for n in (self.category, self.per_transaction) if n is not None)
        groups = usage.groups(self.metric, names, self.where)
        result: dict[str | None, list[Fraction]] = {}
        lacking = []
        for dims, amount in sorted(groups.items()):
            if len(dims) != len(names):
                lacking.append(f"{dims or 'no dimensions'} ({fmt_quantity(amount)})")
                continue
            category = None if self.category is None else dims[self.category]
            result.setdefault(category, []).append(amount)
        if lacking:
            raise PricingError(
                f"component {self.name!r} reads {self.metric!r} by {', '.join(names)} but some "
                f"usage lacks one of those dimensions: {'; '.join(lacking)}; keep them in the "
                "meter's group_by and on the events"
            )
        return result

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        usage, source = self._source(ctx)
        amounts = self._amounts(usage)
        missing = sorted(
            category
            for category in amounts
            if category is not None and self.rate_for(category) is None
        )
        if missing:
            raise PricingError(
                f"component {self.name!r}: no commission rate for {self.category}="
                f"{', '.join(missing)} and no default percent or tiers"
            )
        label = self.description or self.name
        charges: list[Charge] = []
        earned: list[Fraction] = []  # the commission of each flat-rate transaction
        transactions = 0  # the transactions with a positive net amount
        for category in sorted(amounts, key=lambda c: c or ""):
            rate = self.rate_for(category)
            assert rate is not None  # every category without a rate was reported
            if self.per_transaction is None:
                total = sum(amounts[category], Fraction(0))
            else:
                # Graduated tiers apply to the category's total of positive transactions;
                # bounds need flat percentages and are refused with tiers when built.
                positive = [amount for amount in amounts[category] if amount > 0]
                total = sum(positive, Fraction(0))
                transactions += len(positive)
                if isinstance(rate, Decimal):
                    earned.extend(amount * Fraction(rate) / 100 for amount in positive)
            if total <= 0:
                continue
            title = label if category is None else f"{label} ({self.category}={category})"
            charges.extend(self._charges(title, total, rate, source, ctx))
        charges.extend(self._bounds(label, earned, ctx))
        charges.extend(self._fixed(label, usage, transactions))
        return charges

    def _charges(
        self, title: str, total: Fraction, rate: PercentSchedule, source: str, ctx: PricingContext
    ) -> list[Charge]:
        currency = ctx.currency.code
        if isinstance(rate, Decimal):
            return [
                Charge(
                    description=title,
                    amount=total * Fraction(rate) / 100,
                    basis=f"{rate:f}% of {ctx.money(total)} ({source})",
                    quantity=total,
                    unit=currency,
                    unit_price=rate.scaleb(-2, d.EXACT),
                    tags=self.tags,
                )
            ]
        charges = []
        lower: Money | None = None
        for index, tier in enumerate(rate):
            start = Fraction(0) if lower is None else Fraction(lower.amount)
            if total <= start:
                break  # an amount on a boundary stays in the lower tier
            if tier.up_to is None:
                span = "all" if lower is None else f"over {lower}"
                portion = total - start
            else:
                span = f"up to {tier.up_to}" if lower is None else f"{lower.amount:f}-{tier.up_to}"
                portion = min(total, Fraction(tier.up_to.amount)) - start
            charges.append(
                Charge(
                    description=f"{title} (tier {index + 1}: {span})",
                    amount=portion * Fraction(tier.percent) / 100,
                    basis=(
                        f"{tier.percent:f}% of {ctx.money(portion)} "
                        f"(of {ctx.money(total)}, {source})"
                    ),
                    quantity=portion,
                    unit=currency,
                    unit_price=tier.percent.scaleb(-2, d.EXACT),
                    tags=self.tags,
                )
            )
            lower = tier.up_to
        return charges

    def _bounds(self, label: str, earned: list[Fraction], ctx: PricingContext) -> list[Charge]:
        """The per-transaction minimum top-up and maximum cut, as their own lines."""
        charges = []
        bounds = (("minimum", self.minimum, "below"), ("maximum", self.maximum, "above"))
        for word, bound, side in bounds:
            if bound is None:
                continue
            limit = Fraction(bound.amount)
            outside = [c for c in earned if (c < limit if side == "below" else c > limit)]
            if not outside:
                continue
            got = sum(outside, Fraction(0))
            count = len(outside)
            charges.append(
                Charge(
                    description=f"{label}: {word} per transaction",
                    amount=limit * count - got,
                    basis=(
                        f"{count} transaction(s) earned {ctx.money(got)}, {side} the {word} "
                        f"{bound} each: {count} x {bound} - {ctx.money(got)}"
                    ),
                    quantity=Fraction(count),
                    unit="transaction",
                    tags=self.tags,
                )
            )
        return charges

    def _fixed(self, label: str, usage: Usage, transactions: int) -> list[Charge]:
        if self.fixed_fee is None:
            return []
        count = Fraction(transactions)
        if self.transactions is not None:
            count = usage.exact(self.transactions, self.where)
        if count <= 0:
            return []
        return [
            Charge(
                description=f"{label}: fixed fee per transaction",
                amount=count * Fraction(self.fixed_fee.amount),
                basis=f"{fmt_quantity(count)} transaction(s) x {self.fixed_fee}",
                quantity=count,
                unit="transaction",
                unit_price=self.fixed_fee.amount,
                tags=self.tags,
            )
        ]
