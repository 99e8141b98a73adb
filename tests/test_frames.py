"""Results as data frames: exact decimals in Arrow, pandas and polars."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

from meterprice import (  # noqa: E402
    Contract,
    Event,
    MatrixRate,
    Money,
    Period,
    PerUnit,
    RecurringFee,
    Rounding,
    Seats,
    Usage,
    frames,
)
from meterprice.analysis import compare, cost_curve, forecast, volumes  # noqa: E402
from meterprice.breakeven import break_even, cost_function  # noqa: E402
from meterprice.errors import InvalidTypeError, PeriodError  # noqa: E402
from meterprice.frames import ARROW_DIGITS, RATIO_PLACES  # noqa: E402
from meterprice.invoice import Invoice, Line  # noqa: E402
from meterprice.staffing import (  # noqa: E402
    DeferredChannel,
    LiveChannel,
    ServiceTarget,
    erlang_c,
    estimate_staffing,
)


def matrix_contract() -> Contract:
    return Contract(
        "Matrix",
        "EUR",
        [
            MatrixRate(
                "Minutes",
                metric="handle_minutes",
                by=("language", "channel"),
                prices={("de", "phone"): "0.95 EUR", ("en", "chat"): "0.3333 EUR"},
            ),
            RecurringFee("Base", amount="100.00 EUR"),
        ],
    )


def matrix_usage() -> Usage:
    return Usage.from_totals(
        {
            ("handle_minutes", (("language", "de"), ("channel", "phone"))): "1234.5",
            ("handle_minutes", (("language", "en"), ("channel", "chat"))): 7,
        }
    )


PPU = Contract("PPU", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.90 EUR")])
FIXED = Contract("Fixed", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])


# -- invoices ---------------------------------------------------------------------------


def test_invoice_lines_with_their_dimensions_as_columns() -> None:
    invoice = matrix_contract().invoice(matrix_usage(), "2026-11")
    table = invoice.to_arrow()
    assert table.column_names == [
        "contract",
        "period_start",
        "period_end",
        "currency",
        "component",
        "description",
        "channel",
        "language",
        "quantity",
        "unit",
        "unit_price",
        "amount",
        "exact_amount",
        "tags",
        "basis",
    ]
    assert table.schema.field("amount").type == pa.decimal128(38, 2)
    assert table.schema.field("quantity").type == pa.decimal128(38, 1)  # 1234.5
    assert table.schema.field("unit_price").type == pa.decimal128(38, 4)  # 0.3333
    rows = table.to_pylist()
    # 1234.5 x 0.95 = 1172.775 -> 1172.78 (half up); 7 x 0.3333 = 2.3331 -> 2.33
    assert [(r["language"], r["channel"], r["amount"]) for r in rows] == [
        ("de", "phone", Decimal("1172.78")),
        ("en", "chat", Decimal("2.33")),
        (None, None, Decimal("100.00")),
    ]
    assert [r["exact_amount"] for r in rows] == [
        Decimal("1172.775"),
        Decimal("2.3331"),
        Decimal("100"),
    ]
    assert rows[0]["period_start"] == dt.date(2026, 11, 1)
    assert rows[0]["period_end"] == dt.date(2026, 12, 1)
    # 1172.78 + 2.33 + 100.00
    assert pc.sum(table["amount"]).as_py() == Decimal("1275.11") == invoice.total.amount
    assert table.schema.metadata == {b"total": b"1275.11"}


def test_seat_lines_carry_their_role() -> None:
    seats = Contract(
        "Seats",
        "EUR",
        [Seats("Seats", metric="seats", by="role", fees={"agent": "3000.00 EUR"})],
    )
    usage = Usage.from_totals({("seats", (("role", "agent"),)): 4})
    rows = seats.invoice(usage, "2026-11").to_arrow().to_pylist()
    assert [(r["role"], r["quantity"], r["amount"]) for r in rows] == [
        ("agent", Decimal("4"), Decimal("12000.00"))
    ]


def test_pandas_keeps_arrow_decimals_and_polars_has_decimal_columns() -> None:
    invoice = matrix_contract().invoice(matrix_usage(), "2026-11")
    frame = invoice.to_pandas()
    assert frame["amount"].dtype == pd.ArrowDtype(pa.decimal128(38, 2))
    assert frame["amount"].sum() == Decimal("1275.11")
    assert list(frame["language"]) == ["de", "en", pd.NA]
    polars = invoice.to_polars()
    assert polars.schema["amount"] == pl.Decimal(38, 2)
    assert polars["amount"].sum() == Decimal("1275.11")
    assert polars["exact_amount"].to_list() == [
        Decimal("1172.7750"),
        Decimal("2.3331"),
        Decimal("100.0000"),
    ]


def test_floats_only_when_asked() -> None:
    invoice = matrix_contract().invoice(matrix_usage(), "2026-11")
    table = invoice.to_arrow(exact=False)
    assert table.schema.field("amount").type == pa.float64()
    assert table["amount"].to_pylist() == [1172.78, 2.33, 100.0]
    assert invoice.to_pandas(exact=False)["amount"].dtype == np.float64
    assert invoice.to_polars(exact=False).schema["quantity"] == pl.Float64


def test_a_dimension_named_like_a_column_is_prefixed() -> None:
    contract = Contract(
        "Clash",
        "EUR",
        [MatrixRate("M", metric="m", by="amount", prices={"big": "1.00 EUR"})],
    )
    usage = Usage.from_totals({("m", (("amount", "big"),)): 3})
    table = contract.invoice(usage, "2026-11").to_arrow()
    assert table["dimension.amount"].to_pylist() == ["big"]
    assert table["amount"].to_pylist() == [Decimal("3.00")]


def test_values_no_decimal128_holds_are_written_exactly_as_text() -> None:
    # 40 digits: more than a decimal128 holds
    big = Decimal("1" * 38 + ".25")
    line = Line("Big", "Big", Money(big, "EUR"), Fraction(big), "given", quantity=Fraction(1, 3))
    invoice = Invoice(
        "Big", Period.parse("2026-11"), Money.zero("EUR").currency, Rounding.HALF_UP, [line]
    )
    table = invoice.to_arrow()
    assert table.schema.field("amount").type == pa.string()
    assert table["amount"].to_pylist() == ["1" * 38 + ".25"]
    assert table["quantity"].to_pylist() == ["1/3"]
    assert len("1" * 38 + "25") > ARROW_DIGITS


def test_a_column_of_fixed_places_with_more_digits_is_written_as_text() -> None:
    # a money column (2 places) given 0.125 cannot hold it: the exact text instead
    column = frames._exact_column(pa, [Fraction(1, 8), None], exact=True, places=2)
    assert column.type == pa.string()
    assert column.to_pylist() == ["0.125", None]


amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(amounts, st.sampled_from(["de", "en", "fr"])), max_size=8))
def test_frame_amounts_sum_exactly_to_the_total_and_survive_ipc(
    rows: list[tuple[Decimal, str]],
) -> None:
    contract = Contract(
        "Rates",
        "EUR",
        [
            MatrixRate(
                "M",
                metric="m",
                by="language",
                prices={"de": "0.3333 EUR", "en": "1.07 EUR", "fr": "0.0049 EUR"},
            )
        ],
    )
    usage = Usage.from_totals({("m", (("language", lang),)): abs(q) for q, lang in rows})
    invoice = contract.invoice(usage, "2026-11")
    table = invoice.to_arrow()
    assert sum(table["amount"].to_pylist(), Decimal(0)) == invoice.total.amount
    if table.num_rows:
        assert pc.sum(table["amount"]).as_py() == invoice.total.amount
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    back = pa.ipc.open_stream(sink.getvalue()).read_all()
    assert back.equals(table)
    for line, row in zip(invoice.lines, back.to_pylist(), strict=True):
        assert row["amount"] == line.amount.amount
        assert Fraction(row["exact_amount"]) == line.exact
        assert Fraction(row["quantity"]) == line.quantity
        assert row["language"] == line.dimensions["language"]


# -- analysis results ---------------------------------------------------------------------


def test_comparison_one_row_per_scenario_and_contract() -> None:
    table = compare(
        [PPU, FIXED], {"low": {"minutes": 5000}, "high": {"minutes": 9000}}, "2026-11"
    ).to_arrow()
    # low: 5000 x 0.90 = 4500 < 6000; high: 8100 > 6000, by 2100
    assert table.to_pylist() == [
        {
            "scenario": "low",
            "contract": "PPU",
            "currency": "EUR",
            "total": Decimal("4500.00"),
            "difference": Decimal("0.00"),
            "cheapest": True,
        },
        {
            "scenario": "low",
            "contract": "Fixed",
            "currency": "EUR",
            "total": Decimal("6000.00"),
            "difference": Decimal("1500.00"),
            "cheapest": False,
        },
        {
            "scenario": "high",
            "contract": "PPU",
            "currency": "EUR",
            "total": Decimal("8100.00"),
            "difference": Decimal("2100.00"),
            "cheapest": False,
        },
        {
            "scenario": "high",
            "contract": "Fixed",
            "currency": "EUR",
            "total": Decimal("6000.00"),
            "difference": Decimal("0.00"),
            "cheapest": True,
        },
    ]


def test_cost_curve_volumes_and_totals() -> None:
    curve = cost_curve(PPU, "minutes", volumes(0, "1000.5", "500.25"), "2026-11")
    table = curve.to_polars()
    assert table.schema["volume"] == pl.Decimal(38, 2)
    # 500.25 x 0.90 = 450.225 -> 450.23; 1000.5 x 0.90 = 900.45
    assert table["total"].to_list() == [Decimal("0.00"), Decimal("450.23"), Decimal("900.45")]
    assert table["volume"].to_list() == [Decimal("0.00"), Decimal("500.25"), Decimal("1000.50")]


def test_cost_function_segments_and_break_even_intervals() -> None:
    tiered = Contract(
        "Min",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.90 EUR", tags={"usage"}),
            RecurringFee("Base", amount="300.00 EUR"),
        ],
    )
    function = cost_function(tiered, "minutes", "2026-11", upto=10000)
    assert function.to_arrow().select(["start", "end", "slope", "intercept"]).to_pylist() == [
        {
            "start": Decimal("0"),
            "end": Decimal("10000"),
            "slope": Decimal("0.9"),
            "intercept": Decimal("300"),
        }
    ]
    result = break_even(PPU, FIXED, "minutes", "2026-11", upto=20000)
    table = result.to_arrow()
    # 0.90 v = 6000 at v = 20000/3, which no decimal writes: the volumes are exact text
    assert table.schema.field("start").type == pa.string()
    assert table.select(["start", "end", "cheaper", "break_even"]).to_pylist() == [
        {"start": "0", "end": "20000/3", "cheaper": "PPU", "break_even": True},
        {"start": "20000/3", "end": "20000", "cheaper": "Fixed", "break_even": False},
    ]
    assert result.to_arrow(exact=False)["end"].to_pylist() == [20000 / 3, 20000.0]
    assert Fraction(table["end"][0].as_py()) == result.volumes[0]


def test_forecast_rows_by_period_and_component_with_pandas_period_keys() -> None:
    contract = Contract(
        "PPU",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            RecurringFee("Base", amount="10.00 EUR"),
        ],
    )
    usage = {
        pd.Period("2026-02", "M"): {"minutes": np.int64(200)},
        pd.Period("2026-01", "M"): {"minutes": 100},
    }
    result = forecast(contract, usage)
    frame = result.to_pandas()
    assert list(frame["period"]) == ["2026-01", "2026-01", "2026-02", "2026-02"]
    assert list(frame["component"]) == ["Minutes", "Base", "Minutes", "Base"]
    # 100 + 10 + 200 + 10
    assert frame["amount"].sum() == Decimal("320.00") == result.total.amount
    assert list(frame["period_end"]) == [dt.date(2026, 2, 1)] * 2 + [dt.date(2026, 3, 1)] * 2


def test_pandas_periods_of_whole_days_only() -> None:
    contract = Contract("PPU", "EUR", [PerUnit("M", metric="minutes", rate="1.00 EUR")])
    week = forecast(contract, {pd.Period("2026-03-02", "W"): {"minutes": 7}})
    # the pandas week of 2026-03-02 (a Monday) ends on Sunday 2026-03-08
    assert week.invoices[0].period == Period(dt.date(2026, 3, 2), dt.date(2026, 3, 9))
    with pytest.raises(PeriodError, match="does not cover whole days"):
        forecast(contract, {pd.Period("2026-01-01 10:00", "h"): {"minutes": 1}})


def test_numpy_integer_scalars_are_numbers_and_numpy_floats_are_refused() -> None:
    assert volumes(np.int64(0), np.int32(10), np.uint8(5)) == (
        Decimal(0),
        Decimal(5),
        Decimal(10),
    )
    curve = cost_curve(PPU, "minutes", [np.int64(1000)], "2026-11")
    assert curve.totals[0].amount == Decimal("900.00")
    result = break_even(PPU, FIXED, "minutes", "2026-11", upto=np.int64(20000))
    assert result.volumes == (Fraction(20000, 3),)
    with pytest.raises(InvalidTypeError, match="not float"):
        volumes(np.float64(0), 10, 1)
    with pytest.raises(InvalidTypeError, match="not float32"):
        volumes(np.float32(0), 10, 1)
    with pytest.raises(InvalidTypeError, match="not bool"):
        volumes(np.bool_(True), 10, 1)
    # agents counted by numpy: 10 Erlangs on 14 agents as on the int 14
    assert erlang_c(10, np.int64(14)) == erlang_c(10, 14)
    with pytest.raises(InvalidTypeError, match="agents must be an int"):
        erlang_c(10, np.float64(14))


# -- staffing and usage -------------------------------------------------------------------


def test_staffing_one_row_per_channel_and_interval() -> None:
    phone = LiveChannel(
        "phone",
        hours="Mon-Fri 08:00-20:00; Sat-Sun 10:00-16:00",
        daily_contacts={"Mon-Fri": 2400, "Sat-Sun": 1200},
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
    estimate = estimate_staffing([phone, email], shrinkage="0.30")
    table = estimate.to_arrow()
    # phone: 5 x 24 + 2 x 12 half hours; email: 5 x 20
    assert table.num_rows == 144 + 100
    first = table.slice(0, 1).to_pylist()[0]
    # 100 calls of 180 s in 30 min = 10 Erlangs; 14 agents, 20 scheduled at 30 % shrinkage
    assert (first["channel"], first["weekday"], first["start"]) == ("phone", 0, dt.time(8))
    assert (first["contacts"], first["agents"], first["scheduled_agents"]) == (
        Decimal("100"),
        14,
        20,
    )
    assert first["handled_seconds"] == Decimal(18000)
    # occupancy 10 / 14 = 0.714285..., carried at 20 places
    assert first["occupancy"] == Decimal("0.71428571428571428571")
    assert table.schema.field("occupancy").type == pa.decimal128(38, RATIO_PLACES)
    mail = table.filter(pc.equal(table["channel"], "email")).slice(0, 1).to_pylist()[0]
    # 111 a day over 20 half hours: 5.55 each; deferred work has no queue figures
    assert mail["contacts"] == Decimal("5.55")
    assert (mail["service_level"], mail["occupancy"], mail["asa_seconds"]) == (None, None, None)
    assert estimate.to_arrow(exact=False)["occupancy"][0].as_py() == 10 / 14
    assert sum(table["agents"].to_pylist()) * 30 == sum(
        c.agent_minutes() for c in estimate.channels
    )


UTC = dt.timezone.utc


def test_usage_by_metric_dimensions_and_day() -> None:
    contract = Contract("PPU", "EUR", [PerUnit("M", metric="minutes", rate="1.00 EUR")])
    events = [
        Event("minutes", "1.5", dt.datetime(2026, 11, 2, 9, tzinfo=UTC), {"lang": "de"}),
        Event("minutes", "2", dt.datetime(2026, 11, 2, 10, tzinfo=UTC), {"lang": "de"}),
        Event("minutes", 4, dt.datetime(2026, 11, 3, 9, tzinfo=UTC), {"lang": "en"}),
    ]
    usage = contract.meter(events, "2026-11")
    assert usage.to_arrow().to_pylist() == [
        {
            "metric": "minutes",
            "lang": "de",
            "day": dt.date(2026, 11, 2),
            "quantity": Decimal("3.5"),
        },
        {
            "metric": "minutes",
            "lang": "en",
            "day": dt.date(2026, 11, 3),
            "quantity": Decimal("4.0"),
        },
    ]
    undated = Usage.from_totals({"minutes": 12})
    assert undated.to_polars().to_dicts() == [
        {"metric": "minutes", "day": None, "quantity": Decimal("12")}
    ]


def test_a_missing_engine_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r'pip install "meterprice\[polars\]"'):
        PPU.invoice({"minutes": 1}, "2026-11").to_polars()
