"""Itemized invoices whose every cent can be explained.

An :class:`Invoice` holds :class:`Line` values. Each line keeps the exact amount its
component computed and the amount rounded once to the currency's minor unit by the
contract's :class:`~meterprice.Rounding`; the invoice total is exactly the sum of the
rounded lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from meterprice import _decimal as d
from meterprice import _notebook
from meterprice.dimensions import Dimensions
from meterprice.errors import InvalidTypeError, InvalidValueError
from meterprice.frames import Tabular
from meterprice.ids import NONE, Duplicates
from meterprice.money import Currency, Money, Rounding
from meterprice.payment import Due, PaymentTerms
from meterprice.periods import Period
from meterprice.usage import display_quantity

__all__ = ["INCLUDED_TAX_TAG", "TAX_TAG", "Invoice", "Line"]

#: The tag of tax lines (VAT, GST): :attr:`Invoice.tax` sums them, :attr:`Invoice.net`
#: the other lines.
TAX_TAG = "tax"
#: The tag of the lines that take tax out of tax-inclusive prices (counted in the net).
INCLUDED_TAX_TAG = "tax-included"


#: Decimal places an explanation shows of an amount that does not terminate.
EXPLAIN_PLACES = 12


def _terminating(value: Fraction) -> Decimal | None:
    """``value`` as a decimal when it has a finite decimal expansion, else ``None``."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return None
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator  # exact: 10**places / den
    return Decimal(scaled).scaleb(-places, d.EXACT)


def exact_text(value: Fraction) -> str:
    """An exact amount as text: all its decimals when they terminate, else the
    fraction (``"1000/3"``), so that it never disagrees with the rounded amount.

    >>> exact_text(Fraction("0.0049999999999999")), exact_text(Fraction(1000, 3))
    ('0.0049999999999999', '1000/3')
    """
    shown = _terminating(value)
    return f"{value.numerator}/{value.denominator}" if shown is None else d.to_text(shown)


def _explained(value: Fraction) -> str:
    """An exact amount for an explanation: exact when it terminates, else cut (not
    rounded) to :data:`EXPLAIN_PLACES` decimals and marked ``...``.
    """
    shown = _terminating(value)
    if shown is not None:
        return f"{shown:f}"
    scale = 10**EXPLAIN_PLACES
    cut = abs(value.numerator) * scale // value.denominator  # toward zero
    sign = "-" if value < 0 else ""
    return f"{sign}{Decimal(cut).scaleb(-EXPLAIN_PLACES, d.EXACT):f}..."


def _to_tags(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _to_dimensions(value: Mapping[str, str]) -> Dimensions:
    return value if isinstance(value, Dimensions) else Dimensions(value)


def _to_version(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidTypeError(f"a contract version must be a string or None, not {value!r}")
    return value


@attrs.frozen
class Line:
    """One priced line of an invoice.

    ``amount`` is rounded to the currency's minor unit; ``exact`` is the unrounded
    amount the component computed; ``basis`` says how (``"1234.5 min x 0.95 EUR"``).
    A line converted to another invoice currency keeps its ``original`` amount.
    ``dimensions`` are the usage dimensions the line prices (``{"channel": "phone"}``
    for a price matrix), ``active`` the days its component priced, and ``version``
    the contract version that produced it (``None`` for a contract without versions).
    """

    component: str
    description: str
    amount: Money
    exact: Fraction
    basis: str
    quantity: Fraction | None = None
    unit: str | None = None
    unit_price: Money | None = None
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_to_tags)
    original: Money | None = None
    """The rounded amount in the contract currency, on a line converted to another
    invoice currency (``None`` otherwise)."""
    dimensions: Dimensions = attrs.field(
        default=Dimensions(), converter=_to_dimensions, kw_only=True
    )
    active: Period | None = attrs.field(default=None, kw_only=True)
    version: str | None = attrs.field(default=None, converter=_to_version, kw_only=True)

    @property
    def rounding_difference(self) -> Decimal:
        """``amount - exact``: what rounding added (negative when it took away)."""
        return display_quantity(Fraction(self.amount.amount) - self.exact, places=12)

    @property
    def shown_quantity(self) -> Decimal | None:
        """The quantity as a decimal for display (exact when it terminates)."""
        return None if self.quantity is None else display_quantity(self.quantity)

    def explain(self) -> str:
        """How this line's amount was computed, in one line of text."""
        text = f"{self.description}: {self.basis} = {_explained(self.exact)} "
        text += self.amount.currency.code
        if Fraction(self.amount.amount) != self.exact:
            text += f", rounded to {self.amount}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The line as it is written in an invoice document (see
        :mod:`meterprice.documents`): plain JSON-safe data, decimals as strings.
        """
        from meterprice.documents import line_to_dict  # noqa: PLC0415 - documents import us

        return line_to_dict(self)

    def __repr__(self) -> str:
        return _notebook.line_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.line_html(self)


def _to_lines(value: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(value)


@attrs.frozen
class Invoice(Tabular):
    """The priced lines of one contract for one period; ``total`` is their exact sum.

    ``reference`` is the invoice's number once it is issued (a credit note refers to
    it), ``issued`` its date (``None``: the day after the period) and
    ``payment_terms`` the contract's terms of payment, if any.
    """

    _table_builder: ClassVar[str] = "invoice_table"

    contract: str
    period: Period
    currency: Currency
    rounding: Rounding
    lines: tuple[Line, ...] = attrs.field(converter=_to_lines)
    reference: str | None = attrs.field(default=None, kw_only=True)
    issued: dt.date | None = attrs.field(default=None, kw_only=True)
    payment_terms: PaymentTerms | None = attrs.field(default=None, kw_only=True)
    #: The events left out as repeats of an earlier event with the same id.
    duplicates: Duplicates = attrs.field(
        default=NONE, kw_only=True, validator=attrs.validators.instance_of(Duplicates)
    )

    def __attrs_post_init__(self) -> None:
        for index, line in enumerate(self.lines):
            if line.amount.currency != self.currency:
                raise InvalidValueError(
                    f"lines[{index}] is in {line.amount.currency.code}, "
                    f"the invoice in {self.currency.code}"
                )
            if not line.amount.is_rounded:
                raise InvalidValueError(f"lines[{index}] amount {line.amount} is not rounded")
        if self.reference is not None and (
            not isinstance(self.reference, str) or not self.reference.strip()
        ):
            raise InvalidTypeError(
                f"reference must be a non-empty string or None, not {self.reference!r}"
            )
        if self.issued is not None and (
            isinstance(self.issued, dt.datetime) or not isinstance(self.issued, dt.date)
        ):
            raise InvalidTypeError(f"issued must be a date or None, not {self.issued!r}")
        if self.payment_terms is not None and not isinstance(self.payment_terms, PaymentTerms):
            raise InvalidTypeError(
                f"payment_terms must be PaymentTerms or None, not {self.payment_terms!r}"
            )

    @property
    def total(self) -> Money:
        """The exact sum of the rounded line amounts."""
        amount = d.total(line.amount.amount for line in self.lines)
        # the lines are rounded, so this only writes the total at the minor unit
        return Money(amount, self.currency).round(Rounding.DOWN)

    def subtotal(self, tags: Iterable[str] | None = None) -> Money:
        """The sum of the lines carrying any of ``tags`` (all lines when ``None``)."""
        wanted = None if tags is None else frozenset(tags)
        amount = d.total(
            line.amount.amount for line in self.lines if wanted is None or line.tags & wanted
        )
        return Money(amount, self.currency).round(Rounding.DOWN)

    @property
    def net(self) -> Money:
        """The sum of the lines that are not tax (every line when there is no tax)."""
        return self.total - self.tax

    @property
    def tax(self) -> Money:
        """The sum of the tax lines (zero when the contract has no tax clause)."""
        return self.subtotal({TAX_TAG})

    @property
    def gross(self) -> Money:
        """What the customer pays: net plus tax, which is the total."""
        return self.total

    def lines_of(self, component: str) -> tuple[Line, ...]:
        """The lines a named component produced."""
        return tuple(line for line in self.lines if line.component == component)

    def issue(self, reference: str, on: dt.date | None = None) -> Invoice:
        """This invoice numbered ``reference`` and dated ``on`` (default: unchanged)."""
        return attrs.evolve(self, reference=reference, issued=self.issued if on is None else on)

    @property
    def date(self) -> dt.date:
        """The invoice date payment terms count from: ``issued``, else the day after
        the period.
        """
        return self.period.end if self.issued is None else self.issued

    @property
    def due_date(self) -> dt.date | None:
        """When the total is due under the payment terms (``None`` without terms)."""
        return None if self.payment_terms is None else self.payment_terms.due_date(self.date)

    def payment_schedule(self) -> tuple[Due, ...]:
        """The amount due by each prompt-payment date, then the total by the due date
        (empty without payment terms).
        """
        if self.payment_terms is None:
            return ()
        return self.payment_terms.schedule(self.total, self.date, self.rounding)

    def to_dict(self) -> dict[str, Any]:
        """The invoice document (format ``meterprice.invoice/1``): plain JSON-safe
        data with a stable, documented shape; decimals are strings. See
        :mod:`meterprice.documents`.
        """
        from meterprice.documents import invoice_to_dict  # noqa: PLC0415 - documents import us

        return invoice_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Invoice:
        """The invoice an invoice document describes; a
        :class:`~meterprice.documents.DocumentError` names the path of every problem.
        """
        from meterprice.documents import invoice_from_dict  # noqa: PLC0415 - documents import us

        return invoice_from_dict(data, source=source)

    def explain(self) -> str:
        """Every line with how it was computed, then the total."""
        policy = self.rounding.name.lower().replace("_", "-")
        out = [f"{self.contract}, {self.period} ({self.currency.code}, {policy} rounding per line)"]
        versions = len({line.version for line in self.lines}) > 1  # an amendment inside
        out.extend(
            f"  {index + 1}. {line.explain()}"
            + (f" [contract version {line.version}]" if versions else "")
            for index, line in enumerate(self.lines)
        )
        terms = "".join(
            (" - " if line.amount.amount < 0 else " + ") + d.to_text(line.amount.amount.copy_abs())
            for line in self.lines
        ).removeprefix(" + ")
        if terms.startswith(" - "):
            terms = "-" + terms[3:]
        terms = terms or "0"
        out.append(f"  total = {terms} = {self.total}")
        taxes = [line for line in self.lines if TAX_TAG in line.tags]
        if taxes:
            shown = "".join(f", {line.description} {line.amount}" for line in taxes)
            out.append(f"  net {self.net}{shown}, gross {self.gross}")
        return "\n".join(out)

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for line in self.lines:
            quantity = "" if line.shown_quantity is None else f"{line.shown_quantity:f}"
            if quantity and line.unit:
                quantity = f"{quantity} {line.unit}"
            price = (
                ""
                if line.unit_price is None
                else line.unit_price.format(grouping=False, code=False)
            )
            rows.append((line.description, quantity, price, f"{line.amount.amount:,f}", ""))
        return rows

    def __str__(self) -> str:
        header = ("Description", "Quantity", "Unit price", "Amount")
        rows = [row[:4] for row in self._rows()]
        total_row = ("Total", "", "", f"{self.total.amount:,f}")
        widths = [
            max(len(header[i]), len(total_row[i]), *(len(row[i]) for row in rows)) for i in range(4)
        ]

        def fmt(row: tuple[str, ...]) -> str:
            return "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        title = f"{self.contract}: {self.period} ({self.currency.code})"
        out = [title, fmt(header), rule, *map(fmt, rows), rule, fmt(total_row)]
        if any(TAX_TAG in line.tags for line in self.lines):  # net + tax = gross (the total)
            out.append(
                f"Net {self.net.amount:,f}, tax {self.tax.amount:,f}, "
                f"gross {self.gross.amount:,f} {self.currency.code}"
            )
        if self.duplicates:  # repeated deliveries of an event id, left out
            out.append(f"Usage: {self.duplicates}")
        return "\n".join(out)

    def __repr__(self) -> str:
        return _notebook.invoice_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.invoice_html(self)
