"""Example tests for invoice lines and invoices: totals, subtotals, explanations, tables."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Currency, Invoice, Line, Money, Period, Rounding

NOV = Period.month(2026, 11)


def _phone() -> Line:
    # 1001 min x 0.333 EUR = 333.333 EUR, rounded half-up to 333.33
    return Line(
        component="Phone",
        description="Phone DE",
        amount=Money("333.33", "EUR"),
        exact=Fraction(333333, 1000),
        basis="1001 min x 0.333 EUR",
        quantity=Fraction(1001),
        unit="min",
        unit_price=Money("0.333", "EUR"),
        tags=["usage"],
    )


def _pm() -> Line:
    # 6 % of 333.33 = 19.9998, rounded to 20.00
    return Line(
        component="PM",
        description="PM",
        amount=Money("20.00", "EUR"),
        exact=Fraction(199998, 10000),
        basis="6% of 333.33 EUR (lines tagged usage)",
        quantity=Fraction(33333, 100),
        unit="EUR",
        unit_price=Money("0.06", "EUR"),
        tags=frozenset({"surcharge"}),
    )


def _setup() -> Line:
    return Line(
        component="Implementation",
        description="Implementation",
        amount=Money("4500.00", "EUR"),
        exact=Fraction(4500),
        basis="one-off 4500.00 EUR on 2026-11-02",
    )


def _invoice() -> Invoice:
    return Invoice("Acme", NOV, Currency.of("EUR"), Rounding.HALF_UP, [_phone(), _pm(), _setup()])


# -- Line -----------------------------------------------------------------------------------


def test_line_fields_and_derived_values() -> None:
    line = _phone()
    assert line.tags == frozenset({"usage"})
    assert line.shown_quantity == Decimal(1001)
    assert line.rounding_difference == Decimal("-0.003")  # 333.33 - 333.333
    assert _setup().shown_quantity is None
    assert _setup().rounding_difference == 0
    seventh = Line("c", "c", Money("0.14", "EUR"), Fraction(1, 7), "1/7", quantity=Fraction(1, 7))
    assert seventh.shown_quantity == Decimal("0.142857")
    # 0.14 - 1/7 = -0.002857142857... shown to 12 places
    assert seventh.rounding_difference == Decimal("-0.002857142857")


def test_line_explain() -> None:
    assert _phone().explain() == (
        "Phone DE: 1001 min x 0.333 EUR = 333.333 EUR, rounded to 333.33 EUR"
    )
    assert _setup().explain() == ("Implementation: one-off 4500.00 EUR on 2026-11-02 = 4500 EUR")


def test_line_to_dict() -> None:
    assert _phone().to_dict() == {
        "component": "Phone",
        "description": "Phone DE",
        "version": None,
        "dimensions": {},
        "active": None,
        "quantity": "1001",
        "unit": "min",
        "unit_price": "0.333",
        "amount": "333.33",
        "exact_amount": "333.333",
        "original": None,
        "tags": ["usage"],
        "basis": "1001 min x 0.333 EUR",
    }
    assert _setup().to_dict()["quantity"] is None
    assert _setup().to_dict()["unit_price"] is None


# -- Invoice --------------------------------------------------------------------------------


def test_total_is_the_exact_sum_of_rounded_lines() -> None:
    invoice = _invoice()
    # 333.33 + 20.00 + 4500.00
    assert invoice.total == Money("4853.33", "EUR")
    assert str(invoice.total) == "4853.33 EUR"
    empty = Invoice("Acme", NOV, Currency.of("EUR"), Rounding.HALF_UP, [])
    assert str(empty.total) == "0.00 EUR"
    assert str(Invoice("Acme", NOV, Currency.of("JPY"), Rounding.HALF_UP, ()).total) == "0 JPY"


def test_subtotal_and_lines_of() -> None:
    invoice = _invoice()
    assert invoice.subtotal({"usage"}) == Money("333.33", "EUR")
    assert invoice.subtotal(["usage", "surcharge"]) == Money("353.33", "EUR")
    assert str(invoice.subtotal(["nothing"])) == "0.00 EUR"
    assert invoice.subtotal() == invoice.total
    assert invoice.lines_of("PM") == (invoice.lines[1],)
    assert invoice.lines_of("Unknown") == ()


def test_invoice_refuses_foreign_or_unrounded_lines() -> None:
    usd = Line("c", "c", Money("1.00", "USD"), Fraction(1), "b")
    with pytest.raises(ValueError, match="lines\\[1\\] is in USD, the invoice in EUR"):
        Invoice("Acme", NOV, Currency.of("EUR"), Rounding.HALF_UP, [_setup(), usd])
    unrounded = Line("c", "c", Money("1.005", "EUR"), Fraction(1), "b")
    with pytest.raises(ValueError, match=r"lines\[0\] amount 1\.005 EUR is not rounded"):
        Invoice("Acme", NOV, Currency.of("EUR"), Rounding.HALF_UP, [unrounded])


def test_to_dict_shape_with_decimals_as_strings() -> None:
    data = _invoice().to_dict()
    assert data == {
        "format": "meterprice.invoice/1",
        "reference": None,
        "issued": None,
        "contract": "Acme",
        "currency": "EUR",
        "rounding": "half_up",
        "period": {"start": "2026-11-01", "end": "2026-12-01"},
        "lines": [_phone().to_dict(), _pm().to_dict(), _setup().to_dict()],
        "total": "4853.33",
        "payment": None,
        "duplicates": {"count": 0, "ids": []},
    }
    assert data["lines"][1]["exact_amount"] == "19.9998"
    assert data["lines"][1]["quantity"] == "333.33"


def test_explain() -> None:
    assert _invoice().explain() == "\n".join(
        [
            "Acme, 2026-11 (EUR, half-up rounding per line)",
            "  1. Phone DE: 1001 min x 0.333 EUR = 333.333 EUR, rounded to 333.33 EUR",
            "  2. PM: 6% of 333.33 EUR (lines tagged usage) = 19.9998 EUR, rounded to 20.00 EUR",
            "  3. Implementation: one-off 4500.00 EUR on 2026-11-02 = 4500 EUR",
            "  total = 333.33 + 20.00 + 4500.00 = 4853.33 EUR",
        ]
    )
    empty = Invoice("Acme", NOV, Currency.of("EUR"), Rounding.HALF_EVEN, [])
    assert empty.explain() == (
        "Acme, 2026-11 (EUR, half-even rounding per line)\n  total = 0 = 0.00 EUR"
    )


def test_str_is_an_aligned_table() -> None:
    # column widths: description 14 ("Implementation"), quantity 10 ("333.33 EUR"),
    # unit price 10 (the header), amount 8 ("4,500.00"); columns are two spaces apart
    assert str(_invoice()) == "\n".join(
        [
            "Acme: 2026-11 (EUR)",
            "Description       Quantity  Unit price    Amount",
            "--------------  ----------  ----------  --------",
            "Phone DE          1001 min       0.333    333.33",
            "PM              333.33 EUR        0.06     20.00",
            "Implementation                          4,500.00",
            "--------------  ----------  ----------  --------",
            "Total                                   4,853.33",
        ]
    )


def test_repr_html_escapes_text() -> None:
    line = Line("x", "<b>Calls & chats</b>", Money("1234.50", "EUR"), Fraction(123450, 100), "b")
    invoice = Invoice("A & B", NOV, Currency.of("EUR"), Rounding.HALF_UP, [line])
    html = invoice._repr_html_()
    assert html.startswith("<table><caption>A &amp; B: 2026-11 (EUR)</caption>")
    assert "<td>&lt;b&gt;Calls &amp; chats&lt;/b&gt;</td>" in html
    assert "<td style='text-align:right'>1,234.50</td>" in html
    assert html.endswith(
        "<tfoot><tr><th colspan='3'>Total</th><th style='text-align:right'>1,234.50</th>"
        "</tr></tfoot></table>"
    )
    assert "<b>" not in html
