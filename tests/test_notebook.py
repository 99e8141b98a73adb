"""Notebook display: one number format in every HTML table, escaped text, short reprs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import (
    Contract,
    Currency,
    Invoice,
    Line,
    MatrixRate,
    Money,
    Period,
    PerUnit,
    RecurringFee,
    Rounding,
    Usage,
)
from meterprice import _html as h
from meterprice.analysis import compare, cost_curve, forecast, volumes
from meterprice.breakeven import break_even
from meterprice.staffing import DeferredChannel, LiveChannel, ServiceTarget, estimate_staffing

EUR = Currency.of("EUR")
PPU = Contract("Pay per use", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.90 EUR")])
FIXED = Contract("Fixed", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])


def cells(html: str) -> list[str]:
    return re.findall(r"<t[dh](?: [^>]*)?>(.*?)</t[dh]>", html)


# -- the number format ---------------------------------------------------------------------


def test_amounts_show_the_minor_units_with_thousands_separators() -> None:
    assert h.amount(Decimal("1234567.5"), EUR) == "1,234,567.50"
    assert h.amount(Decimal("1234567"), Currency.of("JPY")) == "1,234,567"
    assert h.amount(Decimal("1.2345"), Currency.of("BHD")) == "1.2345"  # digits kept
    # an exact amount: the minor units when it has no more, else up to 6 decimals
    assert h.amount(Fraction(1172775, 1000), EUR) == "1,172.775"
    assert h.amount(Fraction(3, 1), EUR) == "3.00"
    assert h.amount(Fraction(20000, 3), EUR) == "6,666.666667"
    assert h.amount(Decimal("-0.00"), EUR) == "0.00"


def test_quantities_fixed_figures_and_percentages() -> None:
    assert h.quantity(Fraction(20000, 3)) == "6,666.666667"
    assert h.quantity(Decimal("1234.500")) == "1,234.5"
    assert h.quantity(12000) == "12,000"
    assert h.quantity(Fraction(7, 2), 0) == "4"  # half even
    assert h.fixed(Decimal("1199.96"), 1) == "1,200.0"
    # 10 / 14 = 0.714285...
    assert h.percent(Fraction(10, 14)) == "71.4 %"
    assert h.percent(Decimal("0.3")) == "30.0 %"


def test_tables_escape_every_text() -> None:
    table = h.table(
        ["<a>", "n"], [["x & y", "1"]], caption="<script>", right=[1], footer=["T", "<b>"]
    )
    assert table == (
        "<table><caption>&lt;script&gt;</caption><thead><tr><th>&lt;a&gt;</th><th>n</th>"
        "</tr></thead><tbody><tr><td>x &amp; y</td><td style='text-align:right'>1</td></tr>"
        "</tbody><tfoot><tr><th>T</th><th style='text-align:right'>&lt;b&gt;</th></tr>"
        "</tfoot></table>"
    )
    assert h.details("<s>", table).startswith("<details><summary>&lt;s&gt;</summary><table>")


# -- the results ---------------------------------------------------------------------------


def matrix_invoice() -> tuple[Contract, Invoice]:
    contract = Contract(
        "Support & Co",
        "EUR",
        [
            MatrixRate(
                "Minutes",
                metric="minutes",
                by="language",
                prices={"de": "0.95 EUR", "<en>": "0.3333 EUR"},
            ),
            RecurringFee("Base", amount="1000.00 EUR", tags={"fixed"}),
        ],
    )
    usage = Usage.from_totals(
        {("minutes", (("language", "de"),)): "1234.5", ("minutes", (("language", "<en>"),)): 7}
    )
    return contract, contract.invoice(usage, "2026-11")


def test_invoice_html_and_repr() -> None:
    _, invoice = matrix_invoice()
    html = invoice._repr_html_()
    assert html.startswith("<table><caption>Support &amp; Co: 2026-11 (EUR)</caption>")
    # 7 x 0.3333 = 2.3331 -> 2.33; 1234.5 x 0.95 = 1172.775 -> 1172.78
    assert cells(html)[4:] == [
        "Minutes (language=&lt;en&gt;)",
        "7",
        "0.3333",
        "2.33",
        "Minutes (language=de)",
        "1,234.5",
        "0.95",
        "1,172.78",
        "Base",
        "1",
        "1,000.00",
        "1,000.00",
        "Total",
        "2,175.11",
    ]
    assert repr(invoice) == "Invoice('Support & Co', 2026-11, 3 lines, total 2,175.11 EUR)"


def test_line_html_shows_the_exact_amount_when_rounded() -> None:
    _, invoice = matrix_invoice()
    line = invoice.lines[1]
    assert repr(line) == "Line('Minutes (language=de)', 1,172.78 EUR)"
    assert cells(line._repr_html_()) == [
        "",
        "",
        "Component",
        "Minutes",
        "Basis",
        "1234.5 x 0.95 EUR",
        "Dimensions",
        "language=de",
        "Quantity",
        "1,234.5",
        "Unit price",
        "0.95",
        "Amount",
        "1,172.78 EUR",
        "Exact amount",
        "1,172.775 EUR",
    ]
    fee = cells(invoice.lines[2]._repr_html_())
    assert "Exact amount" not in fee
    assert fee[-2:] == ["Tags", "fixed"]


def test_contract_html_lists_components_and_terms() -> None:
    contract, _ = matrix_invoice()
    html = contract._repr_html_()
    assert cells(html)[5:] == [
        "Minutes",
        "MatrixRate",
        "minutes",
        "0.3333 EUR, 0.95 EUR",
        "",
        "Base",
        "RecurringFee",
        "",
        "1000.00 EUR",
        "fixed",
    ]
    assert "<p>EUR, monthly cycle, half-up rounding per line, time zone UTC</p>" in html
    assert repr(contract) == "Contract('Support & Co', EUR, 2 components)"
    ignoring = Contract("I", "EUR", [RecurringFee("F", amount="1 EUR")], unpriced="ignore")
    assert "usage no component prices is ignored" in ignoring._repr_html_()


def test_comparison_curve_and_forecast() -> None:
    table = compare([PPU, FIXED], {"low": {"minutes": 5000}, "high": {"minutes": 9000}}, "2026-11")
    # 5000 x 0.90 = 4,500.00; 9000 x 0.90 = 8,100.00
    assert cells(table._repr_html_()) == [
        "scenario",
        "Pay per use",
        "Fixed",
        "cheapest",
        "low",
        "4,500.00",
        "6,000.00",
        "Pay per use",
        "high",
        "8,100.00",
        "6,000.00",
        "Fixed",
    ]
    assert repr(table) == "Comparison(2 contracts x 2 scenarios, EUR)"
    curve = cost_curve(PPU, "minutes", volumes(0, 20000, 10000), "2026-11")
    assert cells(curve._repr_html_())[3:] == [
        "0",
        "0.00",
        "",
        "10,000",
        "9,000.00",
        "0.90",
        "20,000",
        "18,000.00",
        "0.90",
    ]
    assert repr(curve) == "CostCurve('Pay per use' by minutes, 3 volumes)"
    year = forecast(PPU, {"2026-01": {"minutes": 1000}})
    shown = ["period", "total (EUR)", "2026-01", "900.00", "total", "900.00"]
    assert cells(year._repr_html_()) == shown
    assert repr(year) == "Forecast('Pay per use', 1 period, total 900.00 EUR)"


def test_break_even_html_and_repr() -> None:
    result = break_even(PPU, FIXED, "minutes", "2026-11", upto=20000)
    html = result._repr_html_()
    # 6000 / 0.90 = 20000/3 = 6,666.666667 to six places
    assert cells(html)[3:] == [
        "0",
        "6,666.666667",
        "Pay per use",
        "6,666.666667",
        "20,000",
        "Fixed",
    ]
    assert html.endswith("<p>Break-even at 6,666.666667</p>")
    assert repr(result) == "BreakEven('Pay per use' vs 'Fixed' by minutes at 6,666.666667)"
    assert repr(result.first) == "CostFunction('Pay per use' by minutes, 1 segment)"
    assert cells(result.first._repr_html_())[4:] == ["0", "20,000", "0.90", "0.00"]
    none = break_even(PPU, FIXED, "minutes", "2026-11", upto=1000)
    assert none._repr_html_().endswith("<p>Break-even at none in the range</p>")


def test_usage_html_counts_rows_and_days() -> None:
    usage = Usage.from_daily({"2026-11-02": {"minutes": "1.5"}, "2026-11-05": {"minutes": 2}})
    html = usage._repr_html_()
    assert cells(html)[3:] == ["minutes", "", "3.5"]
    assert "<p>used on 2 days, 2026-11-02 to 2026-11-05</p>" in html
    many = Usage.from_totals({f"m{i:03d}": i for i in range(60)})
    html = many._repr_html_()
    assert html.count("<tr>") == 1 + 50
    assert "<p>and 10 more</p>" in html


@pytest.fixture(scope="module")
def estimate() -> object:
    phone = LiveChannel(
        "phone",
        hours="Mon-Fri 08:00-20:00",
        daily_contacts={"Mon-Fri": 2400},
        aht_seconds=180,
        target=ServiceTarget("0.80", 20),
    )
    email = DeferredChannel(
        "email",
        hours="Mon-Fri 08:00-18:00",
        daily_contacts=[111, 111, 111, 111, 111, 0, 0],
        aht_seconds=280,
        response_window_seconds=7200,
        occupancy="0.85",
    )
    return estimate_staffing([phone, email], shrinkage="0.30")


def test_staffing_summary_with_the_intervals_folded(estimate: object) -> None:
    html = estimate._repr_html_()  # type: ignore[attr-defined]
    summary, *folded = html.split("<details>")
    # phone: 24 half hours x 5 days of 14 agents = 840 agent hours, 20 scheduled = 1,200
    assert cells(summary)[6:12] == ["phone", "12,000.0", "14", "840.0", "1,200.0", "71.4 %"]
    assert len(folded) == 2
    assert folded[0].startswith("<summary>phone: 120 intervals</summary>")
    assert cells(folded[0])[7:14] == [
        "Mon 08:00-08:30",
        "100.00",
        "14",
        "20",
        "88.8 %",
        "71.4 %",
        "7.8 s",
    ]
    # deferred work has no queue figures: four columns
    assert cells(folded[1])[:4] == ["interval", "contacts", "agents", "scheduled"]
    assert cells(folded[1])[4] == "Mon 08:00-08:30"
    assert repr(estimate).startswith("StaffingEstimate(phone, email; ")


def test_month_figures_without_long_decimals(estimate: object) -> None:
    month = estimate.month(dt.date(2024, 2, 1))  # type: ignore[attr-defined]
    text = repr(month)
    assert re.search(r"\d{5,}\.\d{3,}", text) is None
    # February 2024: 4 Mondays, Tuesdays, Wednesdays and Fridays, 5 Thursdays = 21 days;
    # phone 168 agent hours a weekday x 21 = 3,528.0
    html = month._repr_html_()
    assert "<caption>2024-02 (4 Mon, 4 Tue, 4 Wed, 5 Thu, 4 Fri, 4 Sat, 4 Sun)</caption>" in html
    assert text.startswith("MonthFigures(2024-02: ")
    assert month.agent_hours > Decimal(3528)  # email hours come on top


def test_an_invoice_of_no_lines() -> None:
    empty = Invoice("Empty", Period.parse("2026-11"), EUR, Rounding.HALF_UP, [])
    assert repr(empty) == "Invoice('Empty', 2026-11, 0 lines, total 0.00 EUR)"
    line = Line("c", "d", Money("1.00", "EUR"), Fraction(1), "b")
    assert repr(line) == "Line('d', 1.00 EUR)"


def test_edges_of_the_tables() -> None:
    # a line without quantity or unit price, one with a unit
    bare = Line("c", "Credit", Money("-5.00", "EUR"), Fraction(-5), "given")
    timed = Line(
        "m",
        "Minutes",
        Money("1.50", "EUR"),
        Fraction(3, 2),
        "b",
        quantity=Fraction(2),
        unit="min",
        unit_price=Money("0.75", "EUR"),
    )
    invoice = Invoice("X", Period.parse("2026-11"), EUR, Rounding.HALF_UP, [bare, timed])
    assert cells(invoice._repr_html_())[4:12] == [
        "Credit",
        "",
        "",
        "-5.00",
        "Minutes",
        "2 min",
        "0.75",
        "1.50",
    ]
    assert cells(bare._repr_html_())[2:] == [
        "Component",
        "c",
        "Basis",
        "given",
        "Amount",
        "-5.00 EUR",
    ]
    termed = Contract(
        "T", "EUR", [RecurringFee("F", amount="1.00 EUR")], term={"start": "2026-11-16"}
    )
    assert ", term [2026-11-16, ...)</p>" in termed._repr_html_()
    assert Usage()._repr_html_() == (
        "<table><caption>Usage</caption><thead><tr><th>metric</th><th>dimensions</th>"
        "<th>quantity</th></tr></thead><tbody></tbody></table>"
    )
    assert h.table(["a"], [["1"]]) == (
        "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    )
