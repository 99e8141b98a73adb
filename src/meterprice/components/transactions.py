"""A percentage charge per transaction with free allowances (Lago's percentage model).

:class:`PercentageCharge` takes ``percent`` of each transaction's amount (a
money-valued metric, one group per transaction: the meter keeps the dimension
``per_transaction`` that identifies it), plus an optional ``fixed_fee`` per paid
transaction, within optional per-transaction ``minimum`` and ``maximum``.

Free allowances are used up in event order: the first ``free_transactions``
transactions, and the first ``free_amount`` of the amounts (a transaction the
allowance only partly covers pays on the rest). With both, the allowance ends with
whichever runs out first. A free transaction pays neither the percentage nor the
fixed fee. Event order is the day of each transaction (in day-resolved usage), then
the order of the values of the dimension ``order`` (an ISO 8601 timestamp, or a
sequence number), or of the transaction identifiers when no ``order`` is named;
values that are all integers compare as numbers, others as text. Transactions whose
amount is zero or less earn nothing and use no allowance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.base import Charge, Component, PricingContext, check_metric
from meterprice.dimensions import Dimensions, Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.money import Money, to_money
from meterprice.usage import Usage

__all__ = ["PercentageCharge", "TransactionLedger"]


def _percent(value: object) -> Decimal:
    number = d.to_decimal(value, what="percent")
    if number < 0:
        raise ContractError(f"percent must not be negative (got {value!r})")
    return number


def _optional_money(value: object, what: str) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what=what)
    if money.amount < 0:
        raise ContractError(f"{what} must not be negative (got {value!r})")
    return money


def _to_fixed_fee(value: object) -> Money | None:
    return _optional_money(value, "fixed_fee")


def _to_free_amount(value: object) -> Money | None:
    return _optional_money(value, "free_amount")


def _to_minimum(value: object) -> Money | None:
    return _optional_money(value, "minimum")


def _to_maximum(value: object) -> Money | None:
    return _optional_money(value, "maximum")


def _to_free_transactions(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"free_transactions must be a whole number, not {value!r}")
    if value < 0:
        raise ContractError(f"free_transactions must not be negative (got {value!r})")
    return value


def _check_order(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        _check_dimension(instance, attribute, value)  # type: ignore[arg-type]


def _check_dimension(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(
            f"{attribute.name} must be a non-empty dimension name, not {value!r}"
        )


def _check_bool(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidTypeError(f"{attribute.name} must be true or false, not {value!r}")


@attrs.frozen
class TransactionLedger:
    """How a period's transactions, in event order, were charged.

    ``amounts[i]`` is the amount of the *i*-th transaction, ``free[i]`` the part the
    allowance covered, ``paid[i]`` the rest; ``eligible[i]`` says whether it fell
    within the free transactions' count, and ``before[i]`` is the sum of the positive
    amounts of the eligible transactions before it (what the free amount met first).
    """

    amounts: tuple[Fraction, ...]
    free: tuple[Fraction, ...]
    paid: tuple[Fraction, ...]
    eligible: tuple[bool, ...]
    before: tuple[Fraction, ...]


def _sort_key(values: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Event-order keys: integers as numbers when every value is one, else text."""
    numeric = all(value.strip().lstrip("+-").isdigit() for value in values)
    return {value: (int(value) if numeric else 0, "" if numeric else value) for value in values}


@attrs.frozen
class PercentageCharge(Component):
    """``percent`` of each transaction's amount, a fixed fee per paid transaction,
    per-transaction bounds and free allowances used up in event order.

    ``minimum`` and ``maximum`` bound each paid transaction's percentage (with
    ``fee_in_bounds``, its percentage plus the fixed fee). The percentage, the fixed
    fees and the bounds show as their own lines, each stating the transactions it
    covers and the allowance used.

    >>> charge = PercentageCharge(
    ...     "Payments",
    ...     metric="amount",
    ...     per_transaction="payment",
    ...     percent="1.5",
    ...     fixed_fee="0.25 EUR",
    ...     free_transactions=2,
    ... )
    >>> usage = Usage.from_totals(
    ...     {("amount", Dimensions({"payment": str(n)})): "100.00" for n in range(1, 5)}
    ... )
    >>> for line in Contract("Shop", "EUR", [charge]).invoice(usage, "2026-11").lines:
    ...     print(line.description, line.amount)
    Payments 3.00 EUR
    Payments: fixed fee per paid transaction 0.50 EUR
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    per_transaction: str = attrs.field(kw_only=True, validator=_check_dimension)
    percent: Decimal = attrs.field(kw_only=True, converter=_percent)
    fixed_fee: Money | None = attrs.field(default=None, kw_only=True, converter=_to_fixed_fee)
    free_transactions: int | None = attrs.field(
        default=None, kw_only=True, converter=_to_free_transactions
    )
    free_amount: Money | None = attrs.field(default=None, kw_only=True, converter=_to_free_amount)
    minimum: Money | None = attrs.field(default=None, kw_only=True, converter=_to_minimum)
    maximum: Money | None = attrs.field(default=None, kw_only=True, converter=_to_maximum)
    fee_in_bounds: bool = attrs.field(default=False, kw_only=True, validator=_check_bool)
    order: str | None = attrs.field(default=None, kw_only=True, validator=_check_order)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        name = self.name
        if self.order is not None and self.order == self.per_transaction:
            raise ContractError(
                f"component {name!r}: order is a second dimension that orders the "
                f"transactions; leave it out to order them by {self.per_transaction!r}"
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
        if self.fee_in_bounds and (
            self.fixed_fee is None or (self.minimum is None and self.maximum is None)
        ):
            raise ContractError(
                f"component {name!r}: fee_in_bounds counts the fixed fee inside the "
                "per-transaction minimum or maximum: give fixed_fee and a bound"
            )

    # -- what the contract checks -------------------------------------------------------------
    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def bills_usage(self) -> bool:
        return True

    # -- event order ----------------------------------------------------------------------------
    def first_days(self, usage: Usage) -> dict[str, dt.date]:
        """The first day of each transaction in ``usage`` (``date.min`` when undated)."""
        days: dict[str, dt.date] = {}
        for day, metric, dims, _ in usage.daily_items():
            found = dims.get(self.per_transaction)
            if metric != self.metric or found is None or not self.where.matches(dims):
                continue
            first = day or dt.date.min
            days[found] = min(days.get(found, first), first)
        return days

    def ordered(
        self,
        groups: dict[Dimensions, tuple[Fraction, Fraction]] | dict[Dimensions, Fraction],
        days: dict[str, dt.date] | None = None,
    ) -> list[tuple[str, list[Dimensions]]]:
        """The transaction identifiers in event order, each with its groups: by the first
        day of each (from ``days``), then by the ``order`` values or the identifiers.
        """
        names = self._names
        by_id: dict[str, list[Dimensions]] = {}
        lacking = []
        for dims in groups:
            if len(dims) != len(names):
                lacking.append(str(dims) if dims else "no dimensions")
                continue
            by_id.setdefault(dims[self.per_transaction], []).append(dims)
        if lacking:
            raise PricingError(
                f"component {self.name!r} reads {self.metric!r} by {', '.join(names)} but some "
                f"usage lacks one of those dimensions: {'; '.join(lacking[:5])}; keep them in "
                "the meter's group_by and on the events"
            )
        field = self.order or self.per_transaction
        keys = _sort_key(sorted({dims[field] for found in by_id.values() for dims in found}))
        ids = _sort_key(sorted(by_id))

        on = days or {}

        def position(item: tuple[str, list[Dimensions]]) -> tuple[object, ...]:
            first = min(keys[dims[field]] for dims in item[1])
            return (on.get(item[0], dt.date.min), first, ids[item[0]])

        return sorted(by_id.items(), key=position)

    @property
    def _names(self) -> tuple[str, ...]:
        return (self.per_transaction,) if self.order is None else (self.per_transaction, self.order)

    # -- the allowance ----------------------------------------------------------------------
    def ledger(self, amounts: Sequence[Fraction]) -> TransactionLedger:
        """The free and paid part of each transaction's amount, in event order."""
        count = self.free_transactions
        left = None if self.free_amount is None else Fraction(self.free_amount.amount)
        allowance = count is not None or left is not None
        seen = 0
        consumed = Fraction(0)
        free: list[Fraction] = []
        eligible: list[bool] = []
        before: list[Fraction] = []
        for amount in amounts:
            within = allowance and amount > 0 and (count is None or seen < count)
            before.append(consumed)
            eligible.append(within)
            if not within:
                free.append(Fraction(0))
                continue
            seen += 1
            remaining = None if left is None else max(left - consumed, Fraction(0))
            free.append(amount if remaining is None else min(amount, remaining))
            consumed += amount
        paid = [
            amount - part if amount > 0 else Fraction(0)
            for amount, part in zip(amounts, free, strict=True)
        ]
        return TransactionLedger(
            tuple(amounts), tuple(free), tuple(paid), tuple(eligible), tuple(before)
        )

    def bounded(self, paid: Fraction) -> tuple[Fraction, Fraction, Fraction]:
        """A paid transaction's ``(percentage, top-up to the minimum, cut to the maximum)``."""
        earned = paid * Fraction(self.percent) / 100
        counted = earned + (
            Fraction(self.fixed_fee.amount) if self.fee_in_bounds and self.fixed_fee else 0
        )
        up = Fraction(0)
        cut = Fraction(0)
        if self.minimum is not None and counted < self.minimum.amount:
            up = Fraction(self.minimum.amount) - counted
        if self.maximum is not None and counted > self.maximum.amount:
            cut = Fraction(self.maximum.amount) - counted
        return earned, up, cut

    def amount(self, amounts: Sequence[Fraction]) -> Fraction:
        """The exact charge of transactions of ``amounts`` (in event order)."""
        ledger = self.ledger(amounts)
        fee = Fraction(0) if self.fixed_fee is None else Fraction(self.fixed_fee.amount)
        total = Fraction(0)
        for paid in ledger.paid:
            if paid > 0:
                total += sum(self.bounded(paid), Fraction(0)) + fee
        return total

    # -- pricing ------------------------------------------------------------------------------
    def _amounts(self, usage: Usage) -> list[Fraction]:
        groups = usage.groups(self.metric, self._names, self.where)
        days = self.first_days(usage)
        return [
            sum((groups[dims] for dims in found), Fraction(0))
            for _, found in self.ordered(groups, days)
        ]

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        amounts = self._amounts(ctx.usage)
        ledger = self.ledger(amounts)
        positive = [amount for amount in amounts if amount > 0]
        if not positive:
            return ()
        label = self.description or self.name
        paid = [part for part in ledger.paid if part > 0]
        free_count = sum(
            1 for part, amount in zip(ledger.paid, amounts, strict=True) if amount > 0 and part == 0
        )
        covered = sum(ledger.free, Fraction(0))
        parts = [self.bounded(part) for part in paid]
        earned = sum((part[0] for part in parts), Fraction(0))
        base = sum(paid, Fraction(0))
        allowance = ""
        if self.free_transactions is not None or self.free_amount is not None:
            limits = []
            if self.free_transactions is not None:
                limits.append(f"first {self.free_transactions} transaction(s)")
            if self.free_amount is not None:
                limits.append(f"first {self.free_amount}")
            allowance = (
                f"; free: {' and '.join(limits)}, {free_count} transaction(s) wholly free, "
                f"{ctx.money(covered)} covered"
            )
        charges = [
            Charge(
                description=label,
                amount=earned,
                basis=(
                    f"{d.to_text(self.percent)}% of {ctx.money(base)} ({len(paid)} paid of "
                    f"{len(positive)} transaction(s) of {self.metric} in {ctx.active}{allowance})"
                ),
                quantity=base,
                unit=ctx.currency.code,
                unit_price=self.percent.scaleb(-2, d.EXACT),
                tags=self.tags,
            )
        ]
        if self.fixed_fee is not None and paid:
            charges.append(
                Charge(
                    description=f"{label}: fixed fee per paid transaction",
                    amount=len(paid) * Fraction(self.fixed_fee.amount),
                    basis=f"{len(paid)} paid transaction(s) x {self.fixed_fee}",
                    quantity=Fraction(len(paid)),
                    unit="transaction",
                    unit_price=self.fixed_fee.amount,
                    tags=self.tags,
                )
            )
        inside = " (fixed fee included)" if self.fee_in_bounds else ""
        for index, word, bound in ((1, "minimum", self.minimum), (2, "maximum", self.maximum)):
            moved = [part[index] for part in parts if part[index] != 0]
            if bound is None or not moved:
                continue
            charges.append(
                Charge(
                    description=f"{label}: {word} per transaction",
                    amount=sum(moved, Fraction(0)),
                    basis=(
                        f"{len(moved)} paid transaction(s) brought to the {word} {bound} "
                        f"each{inside}"
                    ),
                    quantity=Fraction(len(moved)),
                    unit="transaction",
                    tags=self.tags,
                )
            )
        return charges
