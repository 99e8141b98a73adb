"""Exact money: ISO 4217 currencies, :class:`Money`, rounding policies and allocation.

Money never mixes currencies, never passes through a float and never reads the
ambient :mod:`decimal` context. Amounts may carry more digits than the currency's
minor unit (an exact intermediate value); :meth:`Money.round` brings them to it.
"""

from __future__ import annotations

import csv
import decimal
import enum
import functools
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Any, ClassVar

import attrs

from meterprice import _decimal as d
from meterprice.errors import (
    AmountError,
    CurrencyMismatchError,
    InvalidTypeError,
    UnknownCurrencyError,
)

__all__ = ["Currency", "Money", "MoneyLike", "Rounding", "to_money"]


@functools.lru_cache(maxsize=1)
def _iso4217() -> dict[str, tuple[str, int | None, str]]:
    """The ISO 4217 table shipped in ``data/iso4217.csv``: code -> (numeric, minor units, name)."""
    text = (resources.files("meterprice") / "data" / "iso4217.csv").read_text("utf-8")
    table: dict[str, tuple[str, int | None, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        minor = row["minor_units"].strip()
        table[row["code"]] = (row["numeric"], int(minor) if minor else None, row["name"])
    return table


@attrs.frozen(repr=False, order=False)
class Currency:
    """An active ISO 4217 currency with its minor unit (2 for EUR, 0 for JPY, 3 for BHD).

    Build one with :meth:`Currency.of`; two currencies are equal when their codes are.

    >>> Currency.of("JPY").minor_units
    0
    >>> Currency.of("bhd")
    Currency('BHD')
    """

    code: str
    numeric: str = attrs.field(eq=False)
    minor_units: int = attrs.field(eq=False)
    name: str = attrs.field(eq=False)

    _cache: ClassVar[dict[str, Currency]] = {}

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """The currency with ISO 4217 ``code`` (case-insensitive); refuses unknown codes."""
        if isinstance(code, Currency):
            return code
        if not isinstance(code, str):
            raise InvalidTypeError(f"currency must be an ISO 4217 code string, not {code!r}")
        key = code.strip().upper()
        cached = cls._cache.get(key)
        if cached is not None:
            return cached
        entry = _iso4217().get(key)
        if entry is None:
            raise UnknownCurrencyError(
                f"unknown currency code {code!r}: not an active ISO 4217 code"
            )
        numeric, minor, name = entry
        if minor is None:
            raise UnknownCurrencyError(
                f"currency {key!r} ({name}) has no minor unit in ISO 4217 and cannot be invoiced"
            )
        currency = cls(key, numeric, minor, name)
        cls._cache[key] = currency
        return currency

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """Every active ISO 4217 code that can be invoiced, sorted."""
        return tuple(sorted(code for code, entry in _iso4217().items() if entry[1] is not None))

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of the currency: ``Decimal('0.01')`` for EUR."""
        return Decimal(1).scaleb(-self.minor_units, d.EXACT)

    def __repr__(self) -> str:
        return f"Currency({self.code!r})"

    def __str__(self) -> str:
        return self.code


class Rounding(enum.Enum):
    """How an exact amount is brought to the currency's minor unit.

    Declared once per contract; applied to every invoice line.

    >>> Rounding.HALF_UP.round(Decimal("2.345"), 2)
    Decimal('2.35')
    >>> Rounding.HALF_EVEN.round(Decimal("2.345"), 2)
    Decimal('2.34')
    """

    HALF_UP = decimal.ROUND_HALF_UP
    """Ties away from zero: 2.345 -> 2.35 (the commercial convention)."""
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    """Ties to the even digit: 2.345 -> 2.34 (banker's rounding)."""
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    """Ties towards zero: 2.345 -> 2.34."""
    UP = decimal.ROUND_UP
    """Away from zero: 2.341 -> 2.35."""
    DOWN = decimal.ROUND_DOWN
    """Towards zero (truncation): 2.349 -> 2.34."""
    CEILING = decimal.ROUND_CEILING
    """Towards positive infinity."""
    FLOOR = decimal.ROUND_FLOOR
    """Towards negative infinity."""

    def round(self, value: Decimal | Fraction | int, places: int) -> Decimal:
        """``value`` rounded to ``places`` decimal places by this policy, exactly once."""
        if isinstance(value, Fraction):
            return self._round_fraction(value, places)
        # refuses floats (TypeError) and NaN or infinities (ValueError) like every entry
        exact = d.to_decimal(value, what="value to round")
        result = exact.quantize(Decimal(1).scaleb(-places, d.EXACT), context=self._context)
        # -0.001 rounds to 0.00, not -0.00 (as the Fraction path does)
        return result.copy_abs() if result.is_zero() else result

    @property
    def _context(self) -> decimal.Context:
        return _ROUNDING_CONTEXTS[self]

    def _round_fraction(self, value: Fraction, places: int) -> Decimal:
        scaled = value * 10**places if places >= 0 else value / 10**-places
        quotient, remainder = divmod(scaled.numerator, scaled.denominator)  # floor
        if remainder:
            quotient += self._round_up_from_floor(quotient, Fraction(remainder, scaled.denominator))
        return Decimal(quotient).scaleb(-places, d.EXACT)

    def _round_up_from_floor(self, floor: int, rest: Fraction) -> int:
        """1 when the exact value ``floor + rest`` (0 < rest < 1) rounds to ``floor + 1``."""
        negative = floor < 0  # the value itself is negative (rest > 0)
        half = Fraction(1, 2)
        if self is Rounding.CEILING:
            return 1
        if self is Rounding.FLOOR:
            return 0
        if self is Rounding.UP:
            return 0 if negative else 1
        if self is Rounding.DOWN:
            return 1 if negative else 0
        if rest != half:
            return 1 if rest > half else 0
        if self is Rounding.HALF_UP:
            return 0 if negative else 1
        if self is Rounding.HALF_DOWN:
            return 1 if negative else 0
        return floor % 2  # HALF_EVEN: move to the even neighbour


_ROUNDING_CONTEXTS = {
    mode: decimal.Context(
        prec=decimal.MAX_PREC,
        rounding=mode.value,
        Emax=decimal.MAX_EMAX,
        Emin=decimal.MIN_EMIN,
        traps=[decimal.InvalidOperation],
    )
    for mode in Rounding
}


def _to_currency(value: object) -> Currency:
    if isinstance(value, (Currency, str)):
        return Currency.of(value)
    raise InvalidTypeError(f"currency must be an ISO 4217 code or a Currency, not {value!r}")


def _to_amount(value: object) -> Decimal:
    return d.to_decimal(value, what="amount")


@attrs.frozen(repr=False, order=False)
class Money:
    """An exact amount of one currency.

    Accepts a :class:`~decimal.Decimal`, :class:`int` or decimal string (never a float)
    and an ISO 4217 code. Amounts keep every digit until :meth:`round` is called.

    >>> price = Money("0.95", "EUR")
    >>> price * 3
    Money('2.85', 'EUR')
    >>> Money("10.00", "EUR") / Money("2.50", "EUR")
    Decimal('4')
    >>> sum([Money(1, "EUR"), Money("0.50", "EUR")])
    Money('1.50', 'EUR')
    """

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: Currency = attrs.field(converter=_to_currency)

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """No money of ``currency``, at its minor-unit precision."""
        cur = Currency.of(currency)
        return cls(Decimal(0).scaleb(-cur.minor_units, d.EXACT), cur)

    @classmethod
    def parse(cls, text: str) -> Money:
        """``Money.parse("0.95 EUR")`` or ``Money.parse("EUR 0.95")``."""
        parts = text.split()
        if len(parts) != 2:
            raise AmountError(f"money must be written as '<amount> <currency>', got {text!r}")
        first, second = parts
        if first[:1].isalpha():
            first, second = second, first
        return cls(first, second)

    # -- arithmetic -------------------------------------------------------------------------
    def _same(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {self.currency.code} and {other.currency.code}: "
                f"{self!r}, {other!r}"
            )

    def __add__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other, "add")
            return Money(d.add(self.amount, other.amount), self.currency)
        return NotImplemented

    def __radd__(self, other: object) -> Money:
        # lets the builtin sum() start from 0
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other, "subtract")
            return Money(d.sub(self.amount, other.amount), self.currency)
        return NotImplemented

    def __neg__(self) -> Money:
        return Money(d.neg(self.amount), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(self.amount.copy_abs(), self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, Money):
            raise InvalidTypeError(f"cannot multiply money by money: {self!r} * {factor!r}")
        if isinstance(factor, (Decimal, int, float, str)) and not isinstance(factor, bool):
            return Money(d.mul(self.amount, d.to_decimal(factor, what="factor")), self.currency)
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Any:
        """``Money / Money`` is a Decimal ratio; ``Money / number`` is Money."""
        if isinstance(other, Money):
            self._same(other, "divide")
            return d.div(self.amount, other.amount)
        if isinstance(other, (Decimal, int, float, str)) and not isinstance(other, bool):
            divisor = d.to_decimal(other, what="divisor")
            return Money(d.div(self.amount, divisor), self.currency)
        return NotImplemented

    # -- comparison -------------------------------------------------------------------------
    def _compare(self, other: object, operation: str) -> Decimal | None:
        if not isinstance(other, Money):
            return None
        self._same(other, operation)
        return other.amount

    def __lt__(self, other: object) -> bool:
        amount = self._compare(other, "compare")
        return NotImplemented if amount is None else self.amount < amount

    def __le__(self, other: object) -> bool:
        amount = self._compare(other, "compare")
        return NotImplemented if amount is None else self.amount <= amount

    def __gt__(self, other: object) -> bool:
        amount = self._compare(other, "compare")
        return NotImplemented if amount is None else self.amount > amount

    def __ge__(self, other: object) -> bool:
        amount = self._compare(other, "compare")
        return NotImplemented if amount is None else self.amount >= amount

    # -- rounding and splitting -------------------------------------------------------------
    def round(self, rounding: Rounding) -> Money:
        """This amount at the currency's minor unit, rounded by ``rounding``."""
        return Money(rounding.round(self.amount, self.currency.minor_units), self.currency)

    @property
    def is_rounded(self) -> bool:
        """Whether the amount has no digits below the currency's minor unit."""
        return self.amount == self.round(Rounding.DOWN).amount

    def allocate(self, weights: Sequence[Decimal | int | str]) -> tuple[Money, ...]:
        """Split this (rounded) amount by ``weights`` into parts that add back exactly.

        Each part gets its share rounded down to the minor unit; the minor units left
        over go one each to the parts with the largest remainders (earlier parts first
        on ties).

        >>> [str(part) for part in Money("100.00", "EUR").allocate([1, 1, 1])]
        ['33.34 EUR', '33.33 EUR', '33.33 EUR']
        """
        if not weights:
            raise AmountError("allocate needs at least one weight")
        exact = [Fraction(d.to_decimal(w, what=f"weights[{i}]")) for i, w in enumerate(weights)]
        if any(w < 0 for w in exact):
            raise AmountError(f"weights must not be negative (got {list(weights)!r})")
        whole = sum(exact, Fraction(0))
        if whole == 0:
            raise AmountError(f"weights must not all be zero (got {list(weights)!r})")
        if not self.is_rounded:
            raise AmountError(f"allocate a rounded amount, not {self!r}: call .round() first")
        minor = self.currency.minor_units
        units = int(self.amount.scaleb(minor, d.EXACT))
        sign = -1 if units < 0 else 1
        units = abs(units)
        shares = [units * w / whole for w in exact]
        parts = [int(share) for share in shares]  # floor: shares are non-negative
        left = units - sum(parts)
        order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
        for i in order[:left]:
            parts[i] += 1
        return tuple(
            Money(Decimal(sign * part).scaleb(-minor, d.EXACT), self.currency) for part in parts
        )

    # -- presentation -----------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Money({d.to_text(self.amount)!r}, {self.currency.code!r})"

    def __str__(self) -> str:
        return f"{d.to_text(self.amount)} {self.currency.code}"

    def format(self, *, grouping: bool = True, code: bool = True) -> str:
        """The amount at the currency's minor unit with thousands separators: ``1,234.50 EUR``.

        Digits below the minor unit are kept if there are any (nothing is hidden).
        """
        places = max(self.currency.minor_units, -self.amount.as_tuple().exponent)  # type: ignore[operator]
        shown = self.amount.quantize(Decimal(1).scaleb(-places, d.EXACT), context=d.EXACT)
        text = f"{shown:,f}" if grouping else f"{shown:f}"
        return f"{text} {self.currency.code}" if code else text


MoneyLike = Money | str
"""A :class:`Money` or its text form ``"0.95 EUR"``."""


def to_money(value: object, *, what: str = "amount") -> Money:
    """``value`` as :class:`Money`: a Money, or a string such as ``"0.95 EUR"``."""
    if isinstance(value, Money):
        return value
    if isinstance(value, str):
        try:
            return Money.parse(value)
        except (ValueError, TypeError) as error:
            raise type(error)(f"{what}: {error}") from None
    raise InvalidTypeError(f"{what} must be Money or a string like '0.95 EUR', not {value!r}")
