"""Exact decimal arithmetic that never reads the ambient :mod:`decimal` context.

Every operator on :class:`~decimal.Decimal` (``+``, ``*``, unary ``-``, ``quantize``
without a context ...) silently uses the thread's current context, so a caller's
``decimal.localcontext(prec=3)`` could change an invoice. meterprice therefore does
all arithmetic through the explicit contexts below:

* :data:`EXACT` has the maximum precision and traps :class:`~decimal.Inexact`:
  additions, subtractions and multiplications are exact or fail loudly.
* :data:`DIVISION` carries quotients to :data:`DIVISION_DIGITS` significant digits;
  quotients (proration factors, ratios) are rounded once more at a named point
  later on (a line amount, a displayed rate).
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from meterprice.errors import AmountError, InvalidTypeError, LimitError

__all__ = [
    "DIVISION",
    "DIVISION_DIGITS",
    "EXACT",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "ONE",
    "ZERO",
    "DecimalLike",
    "add",
    "ceil_div",
    "check_bounds",
    "div",
    "fraction_to_decimal",
    "mul",
    "neg",
    "sub",
    "to_decimal",
    "to_text",
    "total",
]

#: Significant digits kept by :func:`div`.
DIVISION_DIGITS = 50

#: Most significant digits of a decimal read from data (far beyond any real price or
#: quantity: a 100-digit figure is more than a googol of cents).
MAX_DIGITS = 100

#: Largest absolute power of ten of a decimal read from data: its exponent and that of
#: its leading digit lie within ``-MAX_EXPONENT .. MAX_EXPONENT``.
MAX_EXPONENT = 100

# a plain string this short cannot exceed the bounds above
_SHORT = 90
_INT_BOUND = 10**MAX_DIGITS

EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)

DIVISION = decimal.Context(
    prec=DIVISION_DIGITS,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
ONE = Decimal(1)

DecimalLike = Decimal | int | str
"""What meterprice accepts where an exact number is expected (never ``float``)."""


def to_decimal(value: object, *, what: str = "value") -> Decimal:
    """Convert ``value`` to a finite :class:`~decimal.Decimal`, exactly.

    Accepts :class:`~decimal.Decimal`, :class:`int` (numpy integer scalars too) and
    decimal strings. Refuses :class:`float` (and :class:`bool`) with
    :class:`TypeError` and NaN, infinities and malformed strings with
    :class:`ValueError`; ``what`` names the value in the message.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise InvalidTypeError(
            f"{what} must be a Decimal, int or decimal string, not bool ({value!r})"
        )
    elif isinstance(value, int) or isinstance(value, numbers.Integral):  # noqa: SIM101
        # an int, or a numpy integer scalar (a cell of a data frame)
        value = int(value)
        if not -_INT_BOUND < value < _INT_BOUND:
            raise LimitError(
                f"{what} has more than {MAX_DIGITS} digits: at most {MAX_DIGITS} are accepted"
            )
        return Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text.isascii():
            # Decimal() reads any Unicode digit ("\u0665" as 5): data must use ASCII
            raise AmountError(f"{what} is not a decimal number (ASCII digits only): {value!r}")
        try:
            # through EXACT (which traps InvalidOperation), not the ambient context: a
            # caller's context with that trap off would turn "abc" into NaN
            result = EXACT.create_decimal(text)
        except decimal.InvalidOperation:
            raise AmountError(f"{what} is not a decimal number: {value!r}") from None
        if not result.is_finite():
            raise AmountError(f"{what} must be a finite number, not {value!r}")
        if len(text) <= _SHORT and "e" not in text and "E" not in text:
            return result
        return check_bounds(result, what=what)
    elif isinstance(value, float):
        raise InvalidTypeError(
            f"{what} must be a Decimal, int or decimal string, not float ({value!r}): "
            "floats cannot represent most decimal amounts exactly; "
            f"write Decimal({str(value)!r}) or {str(value)!r}"
        )
    else:
        kind = type(value).__name__
        raise InvalidTypeError(
            f"{what} must be a Decimal, int or decimal string, not {kind} ({value!r})"
        )
    if not result.is_finite():
        raise AmountError(f"{what} must be a finite number, not {value!r}")
    return check_bounds(result, what=what)


def check_bounds(value: Decimal, *, what: str = "value") -> Decimal:
    """``value`` if it has at most :data:`MAX_DIGITS` significant digits and powers of
    ten within :data:`MAX_EXPONENT`, else :class:`~meterprice.errors.LimitError`.

    Exact arithmetic on ``1e999999999`` or ``1e-10000000`` would take gigabytes or
    minutes; no price, quantity or bound comes near these limits.
    """
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if len(digits) > MAX_DIGITS:
        raise LimitError(
            f"{what} has {len(digits)} significant digits: at most {MAX_DIGITS} are accepted"
        )
    if value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT:
        raise LimitError(
            f"{what} is out of range ({to_text(value)[:40]}): its magnitude must lie "
            f"within 1e-{MAX_EXPONENT} .. 1e{MAX_EXPONENT}"
        )
    if not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
        raise LimitError(
            f"{what} is written with an exponent of {exponent}: "
            f"at most {MAX_EXPONENT} in either direction is accepted"
        )
    return value


def to_text(value: Decimal) -> str:
    """``str(value)`` without the ambient context.

    ``str()``, ``repr()`` and f-strings of a :class:`~decimal.Decimal` read the
    context's ``capitals`` flag (``1E-7`` or ``1e-7``), so text meant to be identical
    everywhere (invoices, explanations) goes through this fixed context.
    """
    return EXACT.to_sci_string(value)


def add(a: Decimal, b: Decimal) -> Decimal:
    """``a + b``, exactly."""
    return EXACT.add(a, b)


def sub(a: Decimal, b: Decimal) -> Decimal:
    """``a - b``, exactly."""
    return EXACT.subtract(a, b)


def mul(a: Decimal, b: Decimal) -> Decimal:
    """``a * b``, exactly."""
    return EXACT.multiply(a, b)


def neg(a: Decimal) -> Decimal:
    """``-a``, exactly."""
    return a.copy_negate()


def div(a: Decimal, b: Decimal) -> Decimal:
    """``a / b`` to :data:`DIVISION_DIGITS` significant digits (exact when it fits)."""
    return DIVISION.divide(a, b)


def total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``values`` (``0`` when empty)."""
    result = ZERO
    for value in values:
        result = EXACT.add(result, value)
    return result


def ceil_div(a: Decimal, b: Decimal) -> Decimal:
    """The smallest integer ``n`` with ``n * b >= a``, for ``b > 0``."""
    quotient, remainder = EXACT.divmod(a, b)
    if remainder > 0:
        quotient = EXACT.add(quotient, ONE)
    return quotient


def fraction_to_decimal(value: Fraction) -> Decimal:
    """A fraction as a decimal, exact when it terminates, else to DIVISION_DIGITS."""
    return DIVISION.divide(Decimal(value.numerator), Decimal(value.denominator))
