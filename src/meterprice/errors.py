"""The error hierarchy: every error meterprice raises on purpose derives from
:class:`MeterpriceError` and from the built-in exception a caller would expect.

A service can catch :class:`MeterpriceError` for everything the library refuses, while
code written against the built-ins keeps working: a wrong type is still a
:class:`TypeError` (:class:`InvalidTypeError`), a bad value still a :class:`ValueError`
(:class:`InvalidValueError` and its kinds, and the domain errors below).
"""

from __future__ import annotations

__all__ = [
    "AmountError",
    "CalendarError",
    "ContractError",
    "CurrencyMismatchError",
    "InvalidTypeError",
    "InvalidValueError",
    "LimitError",
    "MeterpriceError",
    "PeriodError",
    "PricingError",
    "UnknownCurrencyError",
    "UsageError",
]


class MeterpriceError(Exception):
    """Base class of every error raised by meterprice."""


class InvalidTypeError(MeterpriceError, TypeError):
    """A value of the wrong type: a float where an exact number is needed, a list for a date."""


class InvalidValueError(MeterpriceError, ValueError):
    """A value of the right type that is out of range or unreadable."""


class AmountError(InvalidValueError):
    """A number or an amount of money that cannot be read or is out of range ("abc", NaN)."""


class PeriodError(InvalidValueError):
    """A date, period, billing cycle or window that cannot be read or is inconsistent, or
    a period that cannot be priced as asked (not within one billing period).
    """


class CalendarError(InvalidValueError):
    """A calendar, time band, day of the week, time of day or time zone that is not valid."""


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


class LimitError(InvalidValueError):
    """An input beyond a documented limit (digits of a decimal, occurrences of a rule,
    nesting of a document, ...): refused rather than computed without bound.
    """
