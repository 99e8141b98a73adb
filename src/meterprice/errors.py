"""The error hierarchy: every error meterprice raises on purpose derives from
:class:`MeterpriceError` and from the built-in exception a caller would expect.
"""

from __future__ import annotations

__all__ = [
    "ContractError",
    "CurrencyMismatchError",
    "LimitError",
    "MeterpriceError",
    "PeriodError",
    "PricingError",
    "UnknownCurrencyError",
    "UsageError",
]


class MeterpriceError(Exception):
    """Base class of every error raised by meterprice."""


class UnknownCurrencyError(MeterpriceError, ValueError):
    """A currency code that is not an active ISO 4217 code."""


class CurrencyMismatchError(MeterpriceError, ValueError):
    """An operation that would mix two currencies."""


class UsageError(MeterpriceError, ValueError):
    """Usage that cannot be metered: unknown metric, negative quantity, mixed time zones."""


class ContractError(MeterpriceError, ValueError):
    """A contract or component whose terms are inconsistent."""


class PricingError(MeterpriceError, ValueError):
    """A contract that cannot price the usage it was given (a missing matrix price, ...)."""


class PeriodError(MeterpriceError, ValueError):
    """A period that cannot be read or priced as asked (not within one billing period)."""


class LimitError(MeterpriceError, ValueError):
    """An input beyond a documented limit (digits of a decimal, occurrences of a rule,
    nesting of a document, ...): refused rather than computed without bound.
    """
