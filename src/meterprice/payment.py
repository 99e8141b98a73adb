"""Payment terms: when an invoice is due and what a prompt payment saves.

:class:`PaymentTerms` says how many days after the invoice date the total is due
(net 45) and which prompt-payment discounts apply before that (0.3 % when paid within
5 days, 0.1 % within 10). :meth:`PaymentTerms.schedule` turns an invoice total into
the amount due by each date, exact and rounded by the contract's rounding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.errors import ContractError, InvalidTypeError
from meterprice.money import Money, Rounding

__all__ = ["Due", "PaymentTerms", "PromptDiscount"]

#: The longest payment term accepted, in days (ten years).
MAX_DAYS = 3660


def _to_days(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"{what} must be a whole number of days, not {value!r}")
    if not 0 <= value <= MAX_DAYS:
        raise ContractError(f"{what} must be between 0 and {MAX_DAYS} days (got {value})")
    return value


def _to_discount_days(value: object) -> int:
    return _to_days(value, "days")


def _to_net_days(value: object) -> int:
    return _to_days(value, "net_days")


def _to_percent(value: object) -> Decimal:
    number = d.to_decimal(value, what="percent")  # refuses floats, NaN, infinities
    if not 0 < number < 100:
        raise ContractError(f"percent must be more than 0 and less than 100 (got {value!r})")
    return number


@attrs.frozen
class PromptDiscount:
    """``percent`` off the total when the invoice is paid within ``days`` of its date.

    >>> PromptDiscount(5, "0.3")
    PromptDiscount(days=5, percent=Decimal('0.3'))
    """

    days: int = attrs.field(converter=_to_discount_days)
    percent: Decimal = attrs.field(converter=_to_percent)


def _to_discounts(value: object) -> tuple[PromptDiscount, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"discounts must be a list of PromptDiscount, not {value!r}")
    discounts = tuple(value)
    for index, discount in enumerate(discounts):
        if not isinstance(discount, PromptDiscount):
            raise InvalidTypeError(f"discounts[{index}] is not a PromptDiscount: {discount!r}")
    return discounts


@attrs.frozen
class Due:
    """The amount due if the invoice is paid by ``by`` (included).

    ``exact`` is the total less the discount, unrounded; ``amount`` is it rounded to
    the currency's minor unit by the contract's rounding. ``percent`` is the discount
    (``None`` for the net amount).
    """

    by: dt.date
    percent: Decimal | None
    exact: Fraction
    amount: Money


@attrs.frozen
class PaymentTerms:
    """When an invoice is due: ``net_days`` after its date, with prompt-payment
    ``discounts`` before that (each within fewer days and larger than the next).

    >>> terms = PaymentTerms(45, [PromptDiscount(5, "0.3"), PromptDiscount(10, "0.1")])
    >>> [
    ...     (due.by.isoformat(), str(due.amount))
    ...     for due in terms.schedule(
    ...         Money("1000.00", "EUR"), dt.date(2026, 12, 1), Rounding.HALF_UP
    ...     )
    ... ]
    [('2026-12-06', '997.00 EUR'), ('2026-12-11', '999.00 EUR'), ('2027-01-15', '1000.00 EUR')]
    """

    net_days: int = attrs.field(converter=_to_net_days)
    discounts: tuple[PromptDiscount, ...] = attrs.field(default=(), converter=_to_discounts)

    def __attrs_post_init__(self) -> None:
        for index, discount in enumerate(self.discounts):
            if discount.days >= self.net_days:
                raise ContractError(
                    f"discounts[{index}].days: a prompt-payment discount within "
                    f"{discount.days} days must come before the net term of "
                    f"{self.net_days} days"
                )
            if index == 0:
                continue
            before = self.discounts[index - 1]
            if discount.days <= before.days:
                raise ContractError(
                    f"discounts[{index}].days: discounts go from the earliest date to the "
                    f"latest ({discount.days} days after {before.days})"
                )
            if discount.percent >= before.percent:
                raise ContractError(
                    f"discounts[{index}].percent: a later discount must be smaller than an "
                    f"earlier one ({discount.percent} % after {before.percent} %)"
                )

    def due_date(self, issued: dt.date) -> dt.date:
        """The date by which the net amount is due."""
        return issued + dt.timedelta(days=self.net_days)

    def schedule(self, total: Money, issued: dt.date, rounding: Rounding) -> tuple[Due, ...]:
        """The amount due by each discount date, then the net amount by the due date.

        Each discount is taken off the exact total and the result rounded once by
        ``rounding``; the net amount is the total itself.
        """
        if not isinstance(total, Money):
            raise InvalidTypeError(f"total must be Money, not {total!r}")
        places = total.currency.minor_units
        out = []
        for discount in self.discounts:
            exact = Fraction(total.amount) * (100 - Fraction(discount.percent)) / 100
            out.append(
                Due(
                    by=issued + dt.timedelta(days=discount.days),
                    percent=discount.percent,
                    exact=exact,
                    amount=Money(rounding.round(exact, places), total.currency),
                )
            )
        out.append(Due(self.due_date(issued), None, Fraction(total.amount), total))
        return tuple(out)
