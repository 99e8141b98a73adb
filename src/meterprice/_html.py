"""HTML for notebooks: one number format and one table shape for every result.

Amounts show the currency's minor units with thousands separators (``1,234.50``),
more digits only when the amount has them (nothing is hidden); quantities and
volumes show up to :data:`PLACES` decimals; shares show as percentages
(``71.4 %``). Every text is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from meterprice import _decimal as d
from meterprice.money import Currency, Rounding

__all__ = [
    "PLACES",
    "Markup",
    "amount",
    "details",
    "escape",
    "fixed",
    "paragraph",
    "percent",
    "quantity",
    "table",
]

#: Decimal places a quantity or volume shows at most (rounded half-even beyond).
PLACES = 6


class Markup(str):
    """Text that is already HTML (not escaped again)."""

    __slots__ = ()


def escape(text: object) -> str:
    """``text`` made safe inside HTML (``Markup`` passes through)."""
    if isinstance(text, Markup):
        return str(text)
    return html.escape(str(text), quote=True)


def _grouped(value: Decimal) -> str:
    text = f"{value:,f}"
    return "0" + text[2:] if text.startswith("-0") and value.is_zero() else text


def amount(value: Decimal | Fraction | int, currency: Currency) -> str:
    """An amount at the currency's minor units, with thousands separators
    (``1,234.50``); an exact amount with more digits shows them (up to
    :data:`PLACES`, then rounded half-even).
    """
    places = currency.minor_units
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # finite amounts only
        shown = min(max(places, -exponent), max(places, PLACES))
        return _grouped(Rounding.HALF_EVEN.round(value, shown))
    exact = Fraction(value)
    rounded = Rounding.HALF_EVEN.round(exact, places)
    if Fraction(rounded) == exact:
        return _grouped(rounded)
    return _grouped(_trim(Rounding.HALF_EVEN.round(exact, max(places, PLACES)), places))


def _trim(value: Decimal, places: int) -> Decimal:
    """``value`` without trailing zeros below ``places`` decimals."""
    text = f"{value:f}"
    if "." not in text:
        return value
    whole, fraction = text.split(".")
    fraction = fraction.rstrip("0").ljust(places, "0")
    return d.to_decimal(f"{whole}.{fraction}" if fraction else whole)


def quantity(value: Decimal | Fraction | int, places: int = PLACES) -> str:
    """A quantity or volume with thousands separators and at most ``places``
    decimals (``1,234.5``, ``6,666.666667``).
    """
    rounded = Rounding.HALF_EVEN.round(Fraction(value), places)
    return _grouped(_trim(rounded, 0))


def fixed(value: Decimal | Fraction | int, places: int = 1) -> str:
    """A figure at exactly ``places`` decimals (rounded half-even), with thousands
    separators: hours and contacts (``1,600.0``).
    """
    return _grouped(Rounding.HALF_EVEN.round(Fraction(value), places))


def percent(value: Decimal | Fraction, places: int = 1) -> str:
    """A share as a percentage: ``Decimal("0.714")`` is ``71.4 %``."""
    return f"{_grouped(Rounding.HALF_EVEN.round(Fraction(value) * 100, places))} %"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    right: Sequence[int] = (),
    footer: Sequence[str] | None = None,
) -> Markup:
    """An HTML table; columns whose index is in ``right`` (numbers) align right.

    ``footer`` is a last row whose first cell spans the columns up to its other
    cells (a total under the last column: ``["Total", "1,234.50"]``).
    """
    aligned = set(right)

    def cell(tag: str, index: int, text: str) -> str:
        style = " style='text-align:right'" if index in aligned else ""
        return f"<{tag}{style}>{escape(text)}</{tag}>"

    out = ["<table>"]
    if caption is not None:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead>")
    out.append("<tbody>")
    out.extend(
        "<tr>" + "".join(cell("td", i, text) for i, text in enumerate(row)) + "</tr>"
        for row in rows
    )
    out.append("</tbody>")
    if footer is not None:
        span = len(headers) - len(footer) + 1
        first = f"<th colspan='{span}'>" if span > 1 else "<th>"
        first += f"{escape(footer[0])}</th>"
        rest = "".join(cell("th", span + i, text) for i, text in enumerate(footer[1:]))
        out.append(f"<tfoot><tr>{first}{rest}</tr></tfoot>")
    out.append("</table>")
    return Markup("".join(out))


def details(summary: str, inner: str) -> Markup:
    """``inner`` HTML folded under a ``summary`` line (``<details>``)."""
    return Markup(f"<details><summary>{escape(summary)}</summary>{escape(inner)}</details>")


def paragraph(text: str) -> Markup:
    """One escaped line of text."""
    return Markup(f"<p>{escape(text)}</p>")
