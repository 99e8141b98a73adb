"""Credit notes as data frames and in notebooks, and the invoice HTML with its tax."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from meterprice import Contract, MatrixRate, PerUnit, RecurringFee, Tax, TaxRate, Usage
from meterprice.corrections import CreditNote, rerate

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")


def cells(html: str) -> list[str]:
    return re.findall(r"<t[dh](?: [^>]*)?>(.*?)</t[dh]>", html)


def minutes(**by_language: str | int) -> Usage:
    return Usage.from_totals(
        {("minutes", (("language", language),)): q for language, q in by_language.items()}
    )


CONTRACT = Contract(
    "Support & Co",
    "EUR",
    [
        MatrixRate(
            "Minutes",
            metric="minutes",
            by="language",
            prices={"de": "0.95 EUR", "en": "0.3333 EUR", "<fr>": "0.80 EUR"},
        ),
        RecurringFee("Base", amount="1000.00 EUR"),
    ],
)


def note() -> CreditNote:
    """Billed: de 1234.5 min x 0.95 = 1172.775 -> 1172.78, en 7 x 0.3333 = 2.3331 ->
    2.33, base 1000.00: 2175.11. Re-rated: de 1300 x 0.95 = 1235.00, <fr> 10 x 0.80 =
    8.00, base 1000.00: 2243.00.
    """
    billed = CONTRACT.invoice(minutes(de="1234.5", en=7), "2026-11").issue("INV-7")
    return rerate(billed, CONTRACT, minutes(de=1300, **{"<fr>": 10}), reason="late <usage> & fix")


def test_the_rows_are_the_differences_and_sum_exactly_to_the_note_total() -> None:
    correction = note()
    # 62.22 + 8.00 - 2.33 = 67.89 = 2243.00 - 2175.11; the base fee is unchanged
    assert str(correction.total) == "67.89 EUR"
    table = correction.to_arrow()
    assert table.schema.field("amount").type == pa.decimal128(38, 2)
    assert table.schema.field("original").type == pa.decimal128(38, 2)
    rows = {row["language"]: row for row in table.to_pylist()}
    assert set(rows) == {"de", "en", "<fr>"}
    assert rows["de"]["original"] == Decimal("1172.78")
    assert rows["de"]["revised"] == Decimal("1235.00")
    assert rows["de"]["amount"] == Decimal("62.22")
    assert rows["de"]["exact_amount"] == Decimal("62.225")  # 1235 - 1172.775
    assert rows["de"]["quantity"] == Decimal("65.5")  # 1300 - 1234.5
    assert (rows["en"]["original"], rows["en"]["revised"]) == (Decimal("2.33"), None)
    assert rows["en"]["amount"] == Decimal("-2.33")
    assert rows["en"]["exact_amount"] == Decimal("-2.3331")
    assert rows["en"]["quantity"] == Decimal(-7)
    assert (rows["<fr>"]["original"], rows["<fr>"]["amount"]) == (None, Decimal("8.00"))
    for row in rows.values():
        assert row["contract"] == "Support & Co"
        assert row["original_invoice"] == "INV-7"
        assert row["currency"] == "EUR"
        assert str(row["period_start"]) == "2026-11-01"
        assert row["component"] == "Minutes"
    assert pc.sum(table["amount"]).as_py() == Decimal("67.89") == correction.total.amount
    assert table.schema.metadata == {
        b"total": b"67.89",
        b"kind": b"debit",
        b"reason": b"late <usage> & fix",
    }


def test_pandas_and_polars_keep_the_exact_decimals() -> None:
    pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    correction = note()
    frame = correction.to_pandas()
    assert str(frame["amount"].dtype) == "decimal128(38, 2)[pyarrow]"
    assert frame["amount"].sum() == Decimal("67.89")
    assert frame["exact_amount"].sum() == Decimal("67.8919")  # 62.225 + 8 - 2.3331
    polars = correction.to_polars()
    assert polars.schema["amount"] == pl.Decimal(38, 2)
    assert polars["amount"].sum() == Decimal("67.89")
    floats = correction.to_arrow(exact=False)
    assert floats.schema.field("amount").type == pa.float64()
    assert sorted(floats["amount"].to_pylist()) == [-2.33, 8.0, 62.22]


def test_an_empty_note_is_an_empty_table() -> None:
    billed = CONTRACT.invoice(minutes(de=10), "2026-11")
    empty = rerate(billed, CONTRACT, minutes(de=10), reason="checked")
    table = empty.to_arrow()
    assert table.num_rows == 0
    assert table.schema.metadata[b"kind"] == b"none"
    assert repr(empty) == "CreditNote('Support & Co', 2026-11, none, 0 lines, total 0.00 EUR)"


def test_the_note_html_shows_each_line_escaped_and_the_total() -> None:
    correction = note()
    html = correction._repr_html_()
    assert html.startswith(
        "<table><caption>Debit note to invoice INV-7: Support &amp; Co, 2026-11 (EUR)</caption>"
    )
    body = cells(html)
    assert body[:5] == ["Description", "Quantity", "Billed", "Due", "Difference"]
    rows = [body[i : i + 5] for i in range(5, len(body) - 2, 5)]
    assert sorted(rows) == [
        ["Minutes (language=&lt;fr&gt;)", "10", "not billed", "8.00", "8.00"],
        ["Minutes (language=de)", "65.5", "1,172.78", "1,235.00", "62.22"],
        ["Minutes (language=en)", "-7", "2.33", "not billed", "-2.33"],
    ]
    assert body[-2:] == ["Total", "67.89"]
    assert html.endswith("<p>Reason: late &lt;usage&gt; &amp; fix</p>")
    assert repr(correction) == (
        "CreditNote('Support & Co', 2026-11, debit, 3 lines, total 67.89 EUR)"
    )


def test_the_invoice_html_shows_net_tax_and_gross_when_taxed() -> None:
    lines = [
        PerUnit("Minutes", metric="minutes", rate="0.333 EUR", tags={"usage"}),
        RecurringFee("Training", amount="100.00 EUR", tags={"training"}),
    ]
    vat = Tax([TaxRate("reduced", percent="5.5", tags={"training"}), TaxRate("std", percent=20)])
    taxed = Contract("Support", "EUR", lines, tax=vat).invoice({"minutes": 1001}, "2026-11")
    # 1001 x 0.333 = 333.333 -> 333.33; 5.5 % of 100.00 = 5.50; 20 % of 333.33 = 66.666 -> 66.67
    html = taxed._repr_html_()
    assert cells(html)[-2:] == ["Total", "505.50"]
    assert html.endswith("<p>Net 433.33, tax 72.17, gross 505.50 EUR</p>")
    untaxed = Contract("Support", "EUR", lines).invoice({"minutes": 10001}, "2026-11")
    # 10001 x 0.333 = 3330.333 -> 3,330.33; no tax line, so no net/tax/gross
    plain = untaxed._repr_html_()
    assert "Net" not in plain
    assert plain.endswith("<th style='text-align:right'>3,430.33</th></tr></tfoot></table>")
