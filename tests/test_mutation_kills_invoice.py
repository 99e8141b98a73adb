"""Invoice behaviour that mutation testing found unpinned: exact and cut amounts in
explanations, the refusals' messages, tax and negative lines in the explanation and
the table, issuing and dates. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Currency, Dimensions, Invoice, Line, Money, Period, Rounding
from meterprice.documents import DocumentError
from meterprice.errors import InvalidTypeError, InvalidValueError
from meterprice.ids import Duplicates
from meterprice.invoice import TAX_TAG, _explained, exact_text
from meterprice.payment import PaymentTerms

NOV = Period.month(2026, 11)
EUR = Currency.of("EUR")


def _exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


def _line(amount: str, exact: Fraction | None = None, **kwargs: object) -> Line:
    money = Money(amount, "EUR")
    return Line(
        kwargs.pop("component", "C"),  # type: ignore[arg-type]
        kwargs.pop("description", "Line"),  # type: ignore[arg-type]
        money,
        Fraction(money.amount) if exact is None else exact,
        kwargs.pop("basis", "given"),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def _invoice(*lines: Line, **kwargs: object) -> Invoice:
    return Invoice("Acme", NOV, EUR, Rounding.HALF_UP, list(lines), **kwargs)  # type: ignore[arg-type]


# -- exact amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1000, 3), "1000/3"),
        (Fraction(-1, 4), "-0.25"),
        (Fraction(1, 40), "0.025"),  # 2^3 x 5: three decimals
        (Fraction(3, 16), "0.1875"),  # 2^4: four decimals
        (Fraction(7, 125), "0.056"),  # 5^3: three decimals
        (Fraction(5), "5"),
        (Fraction(1, 6), "1/6"),
    ],
)
def test_exact_text(value: Fraction, text: str) -> None:
    assert exact_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 8), "0.125"),
        (Fraction(1000, 3), "333.333333333333..."),  # cut to 12 decimals, not rounded
        (Fraction(-2, 3), "-0.666666666666..."),  # cut toward zero: not ...667
        (Fraction(2, 3), "0.666666666666..."),
        (Fraction(-1, 8), "-0.125"),
    ],
)
def test_explained_amounts(value: Fraction, text: str) -> None:
    assert _explained(value) == text


def test_a_line_explains_its_rounding_only_when_there_is_some() -> None:
    line = _line("0.67", Fraction(2, 3), description="Third", basis="2 x 1/3 EUR")
    assert line.explain() == "Third: 2 x 1/3 EUR = 0.666666666666... EUR, rounded to 0.67 EUR"
    assert line.rounding_difference == Decimal("0.003333333333")  # 0.67 - 2/3, 12 places
    exact = _line("4.50", description="Fee", basis="flat")
    assert exact.explain() == "Fee: flat = 4.5 EUR"  # the exact 9/2, as it terminates
    assert exact.rounding_difference == 0


def test_a_line_shows_its_quantity() -> None:
    assert _line("1.00", quantity=Fraction(1, 3)).shown_quantity == Decimal("0.333333")
    assert _line("1.00").shown_quantity is None


def test_a_line_version_must_be_text() -> None:
    with pytest.raises(
        InvalidTypeError, match=_exactly("a contract version must be a string or None, not 3")
    ):
        _line("1.00", version=3)
    assert _line("1.00", version="2").version == "2"


# -- the invoice -------------------------------------------------------------------------------


def test_an_invoice_refuses_wrong_lines_and_fields() -> None:
    dollars = Line("C", "L", Money("1.00", "USD"), Fraction(1), "b")
    with pytest.raises(InvalidValueError, match=_exactly("lines[1] is in USD, the invoice in EUR")):
        _invoice(_line("1.00"), dollars)
    unrounded = Line("C", "L", Money("1.005", "EUR"), Fraction(1005, 1000), "b")
    with pytest.raises(
        InvalidValueError, match=_exactly("lines[0] amount 1.005 EUR is not rounded")
    ):
        _invoice(unrounded)
    for reference in ("", "  ", 7):
        with pytest.raises(
            InvalidTypeError,
            match=_exactly(f"reference must be a non-empty string or None, not {reference!r}"),
        ):
            _invoice(reference=reference)
    at = dt.datetime(2026, 12, 1, 9)
    for issued in (at, "2026-12-01"):
        with pytest.raises(
            InvalidTypeError, match=_exactly(f"issued must be a date or None, not {issued!r}")
        ):
            _invoice(issued=issued)
    with pytest.raises(
        InvalidTypeError, match=_exactly("payment_terms must be PaymentTerms or None, not 30")
    ):
        _invoice(payment_terms=30)
    assert _invoice(reference="INV-1", issued=dt.date(2026, 12, 1)).reference == "INV-1"


def test_totals_of_tax_and_negative_lines() -> None:
    invoice = _invoice(
        _line("-5.00", description="Credit", tags={"credit"}),
        _line("20.00", description="Fee", tags={"fees"}),
        _line("2.85", description="VAT 19 %", tags={TAX_TAG}),
    )
    # -5.00 + 20.00 = 15.00 net; 19 % of 15.00 = 2.85 tax; gross 17.85
    assert (str(invoice.net), str(invoice.tax), str(invoice.gross)) == (
        "15.00 EUR",
        "2.85 EUR",
        "17.85 EUR",
    )
    assert str(invoice.subtotal({"fees", "credit"})) == "15.00 EUR"
    assert str(invoice.subtotal()) == "17.85 EUR"
    assert invoice.explain().splitlines()[-2:] == [
        "  total = -5.00 + 20.00 + 2.85 = 17.85 EUR",
        "  net 15.00 EUR, VAT 19 % 2.85 EUR, gross 17.85 EUR",
    ]
    assert str(invoice).splitlines()[-1] == "Net 15.00, tax 2.85, gross 17.85 EUR"


def test_a_negative_line_after_the_first_is_subtracted_in_the_explanation() -> None:
    invoice = _invoice(_line("20.00"), _line("-5.00"))
    assert invoice.explain().splitlines()[-1] == "  total = 20.00 - 5.00 = 15.00 EUR"
    assert "net" not in invoice.explain()
    assert "Net" not in str(invoice)


def test_lines_of_two_contract_versions_say_their_version() -> None:
    invoice = _invoice(_line("1.00", version="1"), _line("2.00", version="2"))
    assert invoice.explain().splitlines()[1:3] == [
        "  1. Line: given = 1 EUR [contract version 1]",
        "  2. Line: given = 2 EUR [contract version 2]",
    ]
    one = _invoice(_line("1.00", version="1"), _line("2.00", version="1"))
    assert "[contract version" not in one.explain()


def test_the_table_says_the_duplicates_left_out() -> None:
    invoice = _invoice(_line("1.00"), duplicates=Duplicates(1, ("a",)))
    assert str(invoice).splitlines()[-1] == "Usage: 1 duplicate event(s) counted once, ids a"
    assert "Usage:" not in str(_invoice(_line("1.00")))


def test_a_quantity_without_a_unit_in_the_table() -> None:
    invoice = _invoice(_line("3.00", quantity=Fraction(3), unit_price=Money("1.00", "EUR")))
    # widths 11 (the "Description" header), 8, 10 and 6 ("Amount"), two spaces apart
    assert str(invoice).splitlines()[3] == "Line" + " " * 16 + "3" + " " * 8 + "1.00    3.00"


def test_issuing_numbers_and_dates_the_invoice() -> None:
    invoice = _invoice(_line("1.00"))
    assert invoice.date == dt.date(2026, 12, 1)  # the day after the period
    issued = invoice.issue("INV-7")
    assert (issued.reference, issued.issued) == ("INV-7", None)
    dated = invoice.issue("INV-8", on=dt.date(2026, 12, 3))
    assert (dated.reference, dated.issued, dated.date) == (
        "INV-8",
        dt.date(2026, 12, 3),
        dt.date(2026, 12, 3),
    )
    assert dated.issue("INV-9").issued == dt.date(2026, 12, 3)


def test_due_dates_and_schedules_need_payment_terms() -> None:
    invoice = _invoice(_line("100.00"))
    assert (invoice.due_date, invoice.payment_schedule()) == (None, ())
    termed = _invoice(_line("100.00"), payment_terms=PaymentTerms(30), issued=dt.date(2026, 12, 2))
    assert termed.due_date == dt.date(2027, 1, 1)  # 2 December + 30 days
    (due,) = termed.payment_schedule()
    assert str(due.amount) == "100.00 EUR"


def test_the_presentations_of_a_line_and_an_invoice() -> None:
    line = _line("1.00")
    invoice = _invoice(line)
    assert repr(line) == "Line('Line', 1.00 EUR)"
    assert repr(invoice) == "Invoice('Acme', 2026-11, 1 line, total 1.00 EUR)"
    assert line._repr_html_().startswith("<table><caption>Line</caption>")
    assert line.to_dict()["amount"] == "1.00"


def test_large_exact_amounts_keep_every_digit() -> None:
    # 33 and 32 significant digits: more than a default decimal context keeps (28)
    assert exact_text(Fraction(10**30 + 1, 8)) == "125000000000000000000000000000.125"
    assert _explained(Fraction(10**20, 3)) == "33333333333333333333.333333333333..."


def test_exact_amounts_with_large_powers_of_two_and_five() -> None:
    # 1 / 5^30 = 2^30 / 10^30 and 1 / 2^1100 = 5^1100 / 10^1100: both terminate
    assert Fraction(Decimal(exact_text(Fraction(1, 5**30)))) == Fraction(1, 5**30)
    assert Fraction(Decimal(exact_text(Fraction(1, 2**1100)))) == Fraction(1, 2**1100)


def test_line_dimensions_are_dimensions() -> None:
    line = _line("1.00", dimensions={"channel": "phone"})
    assert isinstance(line.dimensions, Dimensions)
    assert line.dimensions == Dimensions({"channel": "phone"})


def test_the_table_is_as_wide_as_its_total() -> None:
    invoice = _invoice(_line("600.00", description="A"), _line("500.00", description="B"))
    # the amount column is as wide as "1,100.00" (8), wider than "Amount" and the lines
    assert str(invoice).splitlines()[1:] == [
        "Description  Quantity  Unit price    Amount",
        "-----------  --------  ----------  --------",
        "A                                    600.00",
        "B                                    500.00",
        "-----------  --------  ----------  --------",
        "Total                              1,100.00",
    ]


def test_a_line_without_a_description_keeps_its_columns() -> None:
    row = str(_invoice(_line("1.00", description=""))).splitlines()[3]
    assert row == " " * 11 + "  " + " " * 8 + "  " + " " * 10 + "    1.00"


def test_unit_prices_in_the_table_have_no_thousands_separator() -> None:
    line = _line("1234.50", quantity=Fraction(1), unit_price=Money("1234.50", "EUR"))
    assert str(_invoice(line)).splitlines()[3].split() == ["Line", "1", "1234.50", "1,234.50"]


def test_zero_and_small_lines_are_added_in_the_explanation() -> None:
    invoice = _invoice(_line("5.00"), _line("0.00"), _line("0.50"))
    assert invoice.explain().splitlines()[-1] == "  total = 5.00 + 0.00 + 0.50 = 5.50 EUR"


def test_an_invoice_reads_back_from_its_document() -> None:
    invoice = _invoice(_line("1.00"), issued=dt.date(2026, 12, 1))
    assert Invoice.from_dict(invoice.to_dict()) == invoice
    with pytest.raises(DocumentError, match=r"^nov\.json: "):
        Invoice.from_dict({"format": "x"}, source="nov.json")
