"""Invoicing in another currency: a contract priced in one currency, its invoices in
another, by a table of exact exchange rates and a declared reference date.

The contract prices its lines in its own currency and rounds them as usual; a
:class:`Conversion` then turns each rounded line into the invoice currency at the
rate in force on the reference date (the end of the billing period, the invoice
date, or a fixed date): the line amount times the rate, rounded once to the ISO 4217
minor unit of the invoice currency. Each converted line keeps its original amount
(:attr:`~meterprice.Line.original`), and the invoice total is the exact sum of the
converted lines, so it may differ from the converted contract-currency total by the
rounding of each line (at most half a minor unit per line with a ``half_*``
rounding). A tax clause is computed afterwards, on the converted lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from meterprice import _decimal as d
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import Line, exact_text
from meterprice.money import Currency, Money, Rounding
from meterprice.periods import Period

__all__ = ["Conversion", "ExchangeRate", "Reference"]

Reference = Literal["period_end", "invoice_date", "fixed"]
"""Which day's rate converts an invoice: the last day of the billing period, the day
the invoice is issued (``Contract.invoice(..., invoice_date=...)``), or ``date``."""

_REFERENCES = ("period_end", "invoice_date", "fixed")


def _to_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise InvalidTypeError(f"on must be a date, not {value!r} (or an ISO date string)")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ContractError(f"on is not an ISO date (YYYY-MM-DD): {value!r}") from None
    return value


def _to_optional_date(value: object) -> dt.date | None:
    if value is None:
        return None
    try:
        return _to_date(value)
    except (ContractError, InvalidTypeError) as error:
        raise type(error)(str(error).replace("on ", "date ", 1)) from None


def _to_rate(value: object) -> Decimal:
    number = d.to_decimal(value, what="rate")
    if number <= 0:
        raise ContractError(f"rate must be positive (got {value!r})")
    return number


@attrs.frozen
class ExchangeRate:
    """The rate from ``on``: one unit of the contract currency is ``rate`` units of the
    invoice currency (an exact decimal, as published).

    >>> ExchangeRate("2026-11-30", "1.0832").rate
    Decimal('1.0832')
    """

    on: dt.date = attrs.field(converter=_to_date)
    rate: Decimal = attrs.field(converter=_to_rate)


def _to_rates(value: object) -> tuple[ExchangeRate, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"rates must be a list of ExchangeRate, not {value!r}")
    rates = tuple(value)
    for index, rate in enumerate(rates):
        if not isinstance(rate, ExchangeRate):
            raise InvalidTypeError(f"rates[{index}] is not an ExchangeRate: {rate!r}")
    return rates


def _to_currency(value: object) -> Currency:
    if isinstance(value, (Currency, str)):
        return Currency.of(value)
    raise InvalidTypeError(f"currency must be an ISO 4217 code, not {value!r}")


def _to_rounding(value: object) -> Rounding | None:
    if value is None or isinstance(value, Rounding):
        return value
    if isinstance(value, str):
        try:
            return Rounding[value.upper().replace("-", "_")]
        except KeyError:
            pass
    choices = ", ".join(mode.name.lower() for mode in Rounding)
    raise ContractError(f"rounding must be one of {choices} (got {value!r})")


def _check_reference(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _REFERENCES:
        raise ContractError(f"reference must be one of {', '.join(_REFERENCES)} (got {value!r})")


@attrs.frozen
class Conversion:
    """The invoice currency of a contract priced in another, with its table of rates
    and the day whose rate applies.

    The rate of a day is the latest one in the table on or before it.

    >>> usd = Conversion("USD", [ExchangeRate("2026-11-30", "1.0832")])
    >>> usd.rate_for(Period.parse("2026-11")).rate
    Decimal('1.0832')
    """

    currency: Currency = attrs.field(converter=_to_currency)
    rates: tuple[ExchangeRate, ...] = attrs.field(converter=_to_rates)
    reference: Reference = attrs.field(
        default="period_end", validator=_check_reference, kw_only=True
    )
    date: dt.date | None = attrs.field(default=None, converter=_to_optional_date, kw_only=True)
    rounding: Rounding | None = attrs.field(default=None, converter=_to_rounding, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.rates:
            raise ContractError("rates must give at least one exchange rate")
        seen: dict[dt.date, int] = {}
        for index, rate in enumerate(self.rates):
            if rate.on in seen:
                raise ContractError(
                    f"rates[{index}].on: {rate.on} already has a rate (rates[{seen[rate.on]}])"
                )
            seen[rate.on] = index
        if self.reference == "fixed":
            if self.date is None:
                raise ContractError('date is required with reference = "fixed"')
            if self.rate_on(self.date) is None:
                raise ContractError(
                    f"date: no exchange rate on or before {self.date} (the table starts on "
                    f"{min(rate.on for rate in self.rates)})"
                )
        elif self.date is not None:
            raise ContractError(
                f'date is read only with reference = "fixed" (the reference is {self.reference})'
            )

    def rate_on(self, day: dt.date) -> ExchangeRate | None:
        """The latest rate of the table on or before ``day`` (``None`` before the first)."""
        known = [rate for rate in self.rates if rate.on <= day]
        return max(known, key=lambda rate: rate.on) if known else None

    def reference_day(self, period: Period, invoice_date: dt.date | None = None) -> dt.date:
        """The day whose rate converts the invoice of the billing period ``period``."""
        if self.reference == "fixed":
            assert self.date is not None
            return self.date
        if self.reference == "invoice_date":
            if invoice_date is None:
                raise PricingError(
                    "the exchange rate is that of the invoice date: pass invoice_date= to "
                    "Contract.invoice"
                )
            return invoice_date
        return period.last_day

    def rate_for(self, period: Period, invoice_date: dt.date | None = None) -> ExchangeRate:
        """The rate that converts the invoice of the billing period ``period``."""
        day = self.reference_day(period, invoice_date)
        rate = self.rate_on(day)
        if rate is None:
            what = "the last day of" if self.reference == "period_end" else "the invoice date of"
            raise PricingError(
                f"no exchange rate to {self.currency.code} on or before {day}, {what} "
                f"{period} (the table starts on {min(r.on for r in self.rates)})"
            )
        return rate

    def convert(
        self,
        lines: Sequence[Line],
        rate: ExchangeRate,
        rounding: Rounding,
    ) -> tuple[Line, ...]:
        """``lines`` (rounded, in the contract currency) in the invoice currency at
        ``rate``, each rounded once by the clause's rounding (else ``rounding``).
        """
        policy = self.rounding or rounding
        factor = Fraction(rate.rate)
        to = self.currency
        return tuple(self._line(line, rate, factor, to, policy) for line in lines)

    def _line(
        self, line: Line, rate: ExchangeRate, factor: Fraction, to: Currency, policy: Rounding
    ) -> Line:
        source = line.amount.currency
        exact = Fraction(line.amount.amount) * factor
        shown = exact_text(line.exact)
        rounded = (
            "" if Fraction(line.amount.amount) == line.exact else f", rounded to {line.amount}"
        )
        basis = (
            f"{line.basis} = {shown} {source.code}{rounded}; x {d.to_text(rate.rate)} "
            f"{to.code}/{source.code} (rate of {rate.on})"
        )
        unit_price = line.unit_price
        if unit_price is not None:
            # a percentage's unit price is a ratio of amounts: it does not convert
            ratio = line.unit == source.code
            value = unit_price.amount if ratio else d.mul(unit_price.amount, rate.rate)
            unit_price = Money(value, to)
        return attrs.evolve(
            line,
            amount=Money(policy.round(exact, to.minor_units), to),
            exact=exact,
            basis=basis,
            unit_price=unit_price,
            original=line.amount,
        )

    def factor(self, period: Period) -> Fraction:
        """The exact rate of ``period``'s invoice, for cost functions; refused when it
        depends on the invoice date, which is not known before an invoice is issued.
        """
        if self.reference == "invoice_date":
            raise ContractError(
                "the exchange rate is that of the invoice date, which a cost function does "
                "not know: it cannot give the cost in the invoice currency (convert with "
                'reference = "period_end" or "fixed" for a break-even analysis)'
            )
        return Fraction(self.rate_for(period).rate)
