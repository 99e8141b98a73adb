"""Itemized invoices whose every cent can be explained.

An :class:`Invoice` holds :class:`Line` values. Each line keeps the exact amount its
component computed and the amount rounded once to the currency's minor unit by the
contract's :class:`~meterprice.Rounding`; the invoice total is exactly the sum of the
rounded lines.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from meterprice import _decimal as d
from meterprice.errors import InvalidValueError
from meterprice.money import Currency, Money, Rounding
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


@attrs.frozen
class Line:
    """One priced line of an invoice.

    ``amount`` is rounded to the currency's minor unit; ``exact`` is the unrounded
    amount the component computed; ``basis`` says how (``"1234.5 min x 0.95 EUR"``).
    A line converted to another invoice currency keeps its ``original`` amount.
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
        """Plain JSON-safe data (decimals as strings)."""
        return {
            "component": self.component,
            "description": self.description,
            "quantity": None if self.shown_quantity is None else d.to_text(self.shown_quantity),
            "unit": self.unit,
            "unit_price": None if self.unit_price is None else d.to_text(self.unit_price.amount),
            "amount": d.to_text(self.amount.amount),
            "exact_amount": exact_text(self.exact),
            "tags": sorted(self.tags),
            "basis": self.basis,
        } | (
            {}
            if self.original is None
            else {
                "original": {
                    "amount": d.to_text(self.original.amount),
                    "currency": self.original.currency.code,
                }
            }
        )


def _to_lines(value: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(value)


@attrs.frozen
class Invoice:
    """The priced lines of one contract for one period; ``total`` is their exact sum."""

    contract: str
    period: Period
    currency: Currency
    rounding: Rounding
    lines: tuple[Line, ...] = attrs.field(converter=_to_lines)

    def __attrs_post_init__(self) -> None:
        for index, line in enumerate(self.lines):
            if line.amount.currency != self.currency:
                raise InvalidValueError(
                    f"lines[{index}] is in {line.amount.currency.code}, "
                    f"the invoice in {self.currency.code}"
                )
            if not line.amount.is_rounded:
                raise InvalidValueError(f"lines[{index}] amount {line.amount} is not rounded")

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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data with a stable shape; decimals are strings."""
        return {
            "contract": self.contract,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "currency": self.currency.code,
            "rounding": self.rounding.name.lower(),
            "lines": [line.to_dict() for line in self.lines],
            "total": d.to_text(self.total.amount),
        }

    def explain(self) -> str:
        """Every line with how it was computed, then the total."""
        policy = self.rounding.name.lower().replace("_", "-")
        out = [f"{self.contract}, {self.period} ({self.currency.code}, {policy} rounding per line)"]
        out.extend(f"  {index + 1}. {line.explain()}" for index, line in enumerate(self.lines))
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
            out.append(f"Net {self.net.amount:,f}, tax {self.tax.amount:,f}, gross {self.gross}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        esc = html.escape
        body = "".join(
            f"<tr><td>{esc(desc)}</td><td style='text-align:right'>{esc(qty)}</td>"
            f"<td style='text-align:right'>{esc(price)}</td>"
            f"<td style='text-align:right'>{esc(amount)}</td></tr>"
            for desc, qty, price, amount, _ in self._rows()
        )
        return (
            f"<table><caption>{esc(self.contract)}: {esc(str(self.period))} "
            f"({esc(self.currency.code)})</caption>"
            "<thead><tr><th>Description</th><th>Quantity</th><th>Unit price</th>"
            f"<th>Amount</th></tr></thead><tbody>{body}</tbody>"
            f"<tfoot><tr><th colspan='3'>Total</th><th style='text-align:right'>"
            f"{esc(f'{self.total.amount:,f}')}</th></tr></tfoot></table>"
        )
