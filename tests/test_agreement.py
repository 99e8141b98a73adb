"""The full outsourcing agreement of the catalogue: a year of invoices, the figures
worked out by hand in the comments (never by calling the library).

Conventions: "16/31" is the share of days in the partial January; "->" is the
rounding of a line to the cent, half up; a total is the sum of the rounded lines.
Rates before July: de 1.10, fr 1.05, en 0.95; from July (x 1.03, rounded to 4
decimals): de 1.1330, fr 1.0815, en 0.9785.
"""

from __future__ import annotations

from decimal import Decimal

from meterprice import Invoice
from meterprice.examples import example

Row = tuple[str, str]


def rows(invoice: Invoice) -> list[Row]:
    """The lines before tax (the VAT line is tested on its own below)."""
    return [
        (line.description, str(line.amount.amount))
        for line in invoice.lines
        if "tax" not in line.tags
    ]


def year() -> dict[str, Invoice]:
    item = example("full_outsourcing")
    return {str(invoice.period): invoice for invoice in item.invoices()}


DE, EN, FR = (
    "Handled minutes (language=de)",
    "Handled minutes (language=en)",
    "Handled minutes (language=fr)",
)


def test_january_is_partial_and_lifted_to_the_prorated_minimum() -> None:
    invoice = year()["2026-01"]
    # 1500 x 1.10 = 1650.00; 1500 x 0.95 = 1425.00; 1000 x 1.05 = 1050.00: 4125.00
    # the minimum 10000 x 16/31 = 5161.2903... -> 5161.29; less 4125.00 = 1036.29
    # the forecast 6200 x 16/31 = 3200 calls, band 2720 to 3680: 3000 calls within
    # service level 2550 / 3000 = 85 %, abandonment 90 / 3000 = 3 %: no credit
    assert rows(invoice) == [
        (DE, "1650.00"),
        (EN, "1425.00"),
        (FR, "1050.00"),
        ("Minimum monthly fee", "1036.29"),
    ]
    assert str(invoice.net) == "5161.29 EUR"


def test_march_credits_are_capped_at_ten_percent() -> None:
    invoice = year()["2026-03"]
    # 4000 x 1.10 = 4400.00; 5000 x 0.95 = 4750.00; 3000 x 1.05 = 3150.00: 12300.00
    # service level 4080 / 6000 = 68 % (< 80 and < 70): 6 % x 12300 = 738.00
    # abandonment 540 / 6000 = 9 % (> 5 and > 8): 5 % x 12300 = 615.00
    # 1353.00 above the cap 10 % x 12300 = 1230.00: 123.00 given back
    assert rows(invoice)[3:] == [
        ("Service levels: Service level 80/20 credit", "-738.00"),
        ("Service levels: Abandonment credit", "-615.00"),
        ("Service levels: credit cap", "123.00"),
    ]
    assert str(invoice.net) == "11070.00 EUR"  # 12300 - 1230


def test_april_has_a_holiday() -> None:
    invoice = year()["2026-04"]
    # de 4000 + 200 on Easter Monday = 4200 x 1.10 = 4620.00; en 4750.00; fr 3150.00
    # holiday premium 200 x 0.50 = 100.00
    assert rows(invoice) == [
        (DE, "4620.00"),
        (EN, "4750.00"),
        (FR, "3150.00"),
        ("Holiday premium: holidays", "100.00"),
    ]
    assert str(invoice.net) == "12620.00 EUR"


def test_june_misses_the_service_level() -> None:
    # 4620 / 6000 = 77 % (< 80): 3 % x 12300 = 369.00
    assert rows(year()["2026-06"])[3:] == [
        ("Service levels: Service level 80/20 credit", "-369.00")
    ]


def test_july_escalates_the_rates() -> None:
    invoice = year()["2026-07"]
    # 4000 x 1.1330 = 4532.00; 5000 x 0.9785 = 4892.50; 3000 x 1.0815 = 3244.50
    assert rows(invoice) == [(DE, "4532.00"), (EN, "4892.50"), (FR, "3244.50")]
    assert str(invoice.net) == "12669.00 EUR"
    assert invoice.lines[0].basis.startswith("4000 min x 1.1330 EUR (base rate 1.10 EUR, ")


def test_august_under_delivers_against_the_forecast() -> None:
    invoice = year()["2026-08"]
    # 3000 x 1.1330 = 3399.00; 3750 x 0.9785 = 3669.375 -> 3669.38;
    # 2250 x 1.0815 = 2433.375 -> 2433.38: 9501.76, lifted to 10000.00: 498.24
    # 4500 calls below the edge 6000 x 0.85 = 5100 by 600: 900 h x 600 / 6000 = 90 h
    # x 28.00 = 2520.00; service level 3825 / 4500 = 85 %, abandonment 3 %
    assert rows(invoice) == [
        (DE, "3399.00"),
        (EN, "3669.38"),
        (FR, "2433.38"),
        ("Minimum monthly fee", "498.24"),
        ("Forecast band: staffed hours below the forecast band", "2520.00"),
    ]
    assert str(invoice.net) == "12520.00 EUR"


def test_october_earns_a_bonus() -> None:
    # 5460 / 6000 = 91 % (>= 90): 1 % x 12669.00 = 126.69
    invoice = year()["2026-10"]
    assert rows(invoice)[3:] == [("Service levels: Service level 80/20 bonus", "126.69")]
    assert str(invoice.net) == "12795.69 EUR"


def test_november_over_delivers_and_the_credit_is_relieved() -> None:
    invoice = year()["2026-11"]
    # 4800 x 1.1330 = 5438.40; 6000 x 0.9785 = 5871.00; 3600 x 1.0815 = 3893.40:
    # 15202.80; 7200 calls above 6000 x 1.15 = 6900: relief
    # service level 5184 / 7200 = 72 % (< 80): 3 % x 15202.80 = 456.084 -> 456.08,
    # given back
    assert rows(invoice)[3:] == [
        ("Forecast band: above the forecast band", "0.00"),
        ("Service levels: Service level 80/20 credit", "-456.08"),
        ("Service levels: credits relieved", "456.08"),
    ]
    assert str(invoice.net) == "15202.80 EUR"


def test_december_has_christmas() -> None:
    invoice = year()["2026-12"]
    # de 4532.00; en 5000 + 300 = 5300 x 0.9785 = 5186.05; fr 3000 + 100 = 3100 x
    # 1.0815 = 3352.65; holidays 400 x 0.50 = 200.00
    assert rows(invoice) == [
        (DE, "4532.00"),
        (EN, "5186.05"),
        (FR, "3352.65"),
        ("Holiday premium: holidays", "200.00"),
    ]
    assert str(invoice.net) == "13270.70 EUR"


def test_the_year() -> None:
    totals = {period: invoice.net.amount for period, invoice in year().items()}
    # February, May: 12300.00; September: 12669.00 (no clause fires)
    assert totals["2026-02"] == totals["2026-05"] == Decimal("12300.00")
    assert totals["2026-09"] == Decimal("12669.00")
    # 5161.29 + 12300 + 11070 + 12620 + 12300 + 11931 + 12669 + 12520 + 12669
    # + 12795.69 + 15202.80 + 13270.70 = 144509.48
    assert sum(totals.values()) == Decimal("144509.48")


def test_vat_is_21_percent_of_each_net_total_rounded_once() -> None:
    invoices = year()
    # 5161.29 x 0.21 = 1083.8709 -> 1083.87; 11070.00 x 0.21 = 2324.70;
    # 12795.69 x 0.21 = 2687.0949 -> 2687.09; 15202.80 x 0.21 = 3192.588 -> 3192.59
    expected = {
        "2026-01": ("1083.87", "6245.16"),
        "2026-03": ("2324.70", "13394.70"),
        "2026-10": ("2687.09", "15482.78"),
        "2026-11": ("3192.59", "18395.39"),
    }
    for period, (tax, gross) in expected.items():
        invoice = invoices[period]
        assert str(invoice.tax.amount) == tax
        assert str(invoice.gross.amount) == gross == str(invoice.total.amount)
        assert invoice.lines[-1].description == "VAT 21%"
    # the year: 1083.87 + 2583.00 + 2324.70 + 2650.20 + 2583.00 + 2505.51 + 2660.49
    # + 2629.20 + 2660.49 + 2687.09 + 3192.59 + 2786.85 = 30346.99; gross 174856.47
    assert sum((i.tax.amount for i in invoices.values()), Decimal(0)) == Decimal("30346.99")
    assert sum((i.total.amount for i in invoices.values()), Decimal(0)) == Decimal("174856.47")
