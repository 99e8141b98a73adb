"""Forecast bands: under-delivery bills the unused staffed hours (or a minimum of the
forecast's hours), over-delivery relieves the service-level credits.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Contract,
    ContractError,
    CreditBand,
    ForecastBand,
    Invoice,
    Kpi,
    Period,
    PerUnit,
    PricingError,
    ServiceCredits,
    SpecError,
    Usage,
    VolumeForecast,
    dumps_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function

NOVEMBER = VolumeForecast("2026-11", volume=10000, hours=600)


def contract(*extra: object, **band: object) -> Contract:
    fields: dict[str, object] = {
        "metric": "calls",
        "forecasts": [NOVEMBER],
        "tolerance": 15,
        "rate": "25.00 EUR",
        "unit": "calls",
    }
    fields.update(band)
    term = fields.pop("term", None)
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Calls", metric="calls", rate="2.00 EUR", tags={"usage"}),
            ForecastBand("Forecast", **fields),  # type: ignore[arg-type]
            *extra,
        ],
        term=term,
    )


def bill(priced: Contract, calls: int) -> Invoice:
    return priced.invoice({"calls": calls}, "2026-11")


def amounts(invoice: Invoice) -> list[str]:
    return [str(line.amount) for line in invoice.lines]


def test_within_the_band_nothing_changes() -> None:
    # the band is 10000 +- 15 %: 8500 to 11500 calls
    for calls in (8500, 9000, 11500):
        assert len(bill(contract(), calls).lines) == 1


def test_under_delivery_bills_the_unused_staffed_hours() -> None:
    invoice = bill(contract(), 8000)
    # 8000 x 2.00 = 16000.00; 500 calls below the edge 8500: 600 h x 500 / 10000 = 30 h
    # x 25.00 = 750.00
    assert amounts(invoice) == ["16000.00 EUR", "750.00 EUR"]
    assert invoice.lines[1].basis == (
        "8000 calls against a forecast of 10000 calls, below the band's edge 8500 calls by "
        "500 calls: 600 h x 500 / 10000 = 30 h x 25.00 EUR"
    )
    assert invoice.lines[1].quantity == 30


def test_under_delivery_as_a_minimum_of_the_forecasts_hours() -> None:
    priced = contract(rate=None, minimum_rate="30.00 EUR", of={"usage"})
    # the minimum is 600 h x 30.00 = 18000.00; 8000 calls bill 16000.00: +2000.00
    assert amounts(bill(priced, 8000)) == ["16000.00 EUR", "2000.00 EUR"]
    assert amounts(bill(priced, 8500)) == ["17000.00 EUR"]  # within the band: no minimum
    # fees above the minimum need no true-up: 600 h x 1.00 = 600.00 below 400 x 2.00
    rich = contract(rate=None, minimum_rate="1.00 EUR", of={"usage"})
    assert amounts(bill(rich, 400)) == ["800.00 EUR"]


def test_over_delivery_relieves_the_service_credits() -> None:
    sla = ServiceCredits(
        "SLA",
        of={"usage"},
        relieved_by={"forecast-exceeded"},
        kpis=[
            Kpi(
                "Service level",
                value=70,
                better="higher",
                bands=[CreditBand("< 80", credit_percent=5)],
            )
        ],
    )
    priced = contract(sla)
    invoice = bill(priced, 12000)
    # 12000 x 2.00 = 24000.00; above 11500: a zero line; the 5 % credit (1200.00) given back
    assert amounts(invoice) == ["24000.00 EUR", "0.00 EUR", "-1200.00 EUR", "1200.00 EUR"]
    assert invoice.lines[1].basis == (
        "12000 calls against a forecast of 10000 calls, more than 15% above (11500 calls): "
        "service-level credits relieved"
    )
    assert str(invoice.total) == "24000.00 EUR"
    # within the band the credit stands: 11000 x 2.00 = 22000.00 less 5 % = 1100.00
    assert str(bill(priced, 11000).total) == "20900.00 EUR"
    # a narrower band above: 10 %, so 11200 calls exceed it
    assert amounts(bill(contract(above=10), 11200))[1] == "0.00 EUR"


def test_a_partial_period_prorates_the_forecast() -> None:
    priced = contract(term={"start": "2026-11-16"})
    invoice = priced.invoice(Usage.from_totals({"calls": 4000}, on="2026-11-20"), "2026-11")
    # 15 of 30 days: forecast 5000 calls, 300 h; edge 4250; 250 below:
    # 300 h x 250 / 5000 = 15 h x 25.00 = 375.00
    assert amounts(invoice) == ["8000.00 EUR", "375.00 EUR"]
    assert "(15/30 days)" in invoice.lines[1].basis


def test_a_period_without_a_forecast() -> None:
    with pytest.raises(PricingError, match="no forecast for 2026-12"):
        contract().invoice({"calls": 10}, "2026-12")
    assert len(contract(missing="ignore").invoice({"calls": 10}, "2026-12").lines) == 1


def test_validation() -> None:
    with pytest.raises(ContractError, match=r"either at rate .* not both"):
        contract(minimum_rate="1 EUR", of={"usage"})
    with pytest.raises(ContractError, match=r"either at rate .* not neither"):
        contract(rate=None)
    with pytest.raises(ContractError, match="minimum_rate: name with of"):
        contract(rate=None, minimum_rate="1 EUR")
    with pytest.raises(ContractError, match="goes with minimum_rate"):
        contract(of={"usage"})
    with pytest.raises(ContractError, match=r"forecasts\[1\]: 2026-11 is forecast twice"):
        contract(forecasts=[NOVEMBER, VolumeForecast("2026-11", volume=1, hours=1)])
    with pytest.raises(ContractError, match="tolerance must be from 0"):
        contract(tolerance=100)
    with pytest.raises(ContractError, match="volume must be positive"):
        VolumeForecast("2026-11", volume=0, hours=1)
    with pytest.raises(ValueError, match="not a period"):
        VolumeForecast("November", volume=1, hours=1)


@given(
    a=st.integers(min_value=0, max_value=20000),
    b=st.integers(min_value=0, max_value=20000),
    minimum=st.booleans(),
)
def test_more_calls_never_cost_more_staffed_hours(a: int, b: int, minimum: bool) -> None:
    options: dict[str, object] = (
        {"rate": None, "minimum_rate": "30.00 EUR", "of": {"usage"}} if minimum else {}
    )
    priced = contract(**options)

    def extra(calls: int) -> Fraction:
        if calls == 0:
            return Fraction(0) if minimum else Fraction(600 * 25 * 8500, 10000)
        return sum((line.exact for line in bill(priced, calls).lines[1:]), Fraction(0))

    low, high = min(a, b), max(a, b)
    if low > 0:
        assert extra(high) <= extra(low)
    if high >= 8500:
        assert extra(high) == 0  # within or above the band: nothing billed


DOCUMENT = """
meterprice = 1
name = "Support"
currency = "EUR"

[[components]]
type = "per_unit"
name = "Calls"
metric = "calls"
rate = "2.00"
tags = ["usage"]

[[components]]
type = "forecast_band"
name = "Forecast"
metric = "calls"
tolerance = "15"
rate = "25.00"
unit = "calls"
forecasts = [{ period = "2026-11", volume = "10000", hours = "600" }]
"""


def test_a_document_prices_as_python() -> None:
    loaded = loads_contract(DOCUMENT)
    assert loaded == contract()
    assert loads_contract(dumps_contract(loaded)) == loaded
    with pytest.raises(SpecError, match=r"components\[1\]\.forecasts\[0\]\.period"):
        loads_contract(DOCUMENT.replace('"2026-11"', '"November"'))
    with pytest.raises(SpecError, match=r"components\[1\]\.tolerance"):
        loads_contract(DOCUMENT.replace('tolerance = "15"', 'tolerance = "150"'))


def test_cost_functions_follow_the_band() -> None:
    f = cost_function(contract(), "calls", "2026-11", start=1, upto=20000)
    # 2.00 v plus (8500 - v) x 600 / 10000 x 25.00 = 1.50 per call below 8500
    assert f(8000) == 16000 + 750
    assert f(8500) == 17000
    assert Fraction(8500) in f.breakpoints
    g = cost_function(
        contract(rate=None, minimum_rate="30.00 EUR", of={"usage"}),
        "calls",
        "2026-11",
        start=1,
        upto=20000,
    )
    # at least 18000.00 below the edge, the usage alone from it on: a jump at 8500
    assert g(8000) == 18000
    assert g(8499) == 18000
    assert g(8500) == 17000
    assert g(12000) == 24000


def test_malformed_values_are_refused() -> None:
    with pytest.raises(TypeError, match="period must be a period"):
        VolumeForecast(202611, volume=1, hours=1)
    assert VolumeForecast(Period.month(2026, 11), volume=1, hours=1).period == "2026-11"
    with pytest.raises(TypeError, match="forecasts must be a list"):
        contract(forecasts="2026-11")
    with pytest.raises(TypeError, match=r"forecasts\[0\] is not a VolumeForecast"):
        contract(forecasts=["2026-11"])
    with pytest.raises(ContractError, match="above must not be negative"):
        contract(above=-1)
    with pytest.raises(ContractError, match="a rate per hour must be positive"):
        contract(rate="0 EUR")
    with pytest.raises(TypeError, match="relief_tag must be a non-empty string"):
        contract(relief_tag="")


def test_cost_functions_at_the_edges_of_the_domain() -> None:
    minimum = {"rate": None, "minimum_rate": "30.00 EUR", "of": {"usage"}}
    # no forecast for December, ignored: the band costs nothing
    ignored = cost_function(
        contract(missing="ignore"),
        "chats",
        "2026-12",
        upto=10,
        base=Usage.from_totals({"calls": 10}),
    )
    assert ignored(5) == 20  # the 10 calls at 2.00
    # the volume analysed is not the band's metric: a constant step
    other = cost_function(
        contract(**minimum), "chats", "2026-11", upto=10, base=Usage.from_totals({"calls": 100})
    )
    assert other(5) == 18000  # lifted to the minimum whatever the chats
    # a domain wholly above or wholly below the edge
    above = cost_function(contract(**minimum), "calls", "2026-11", start=9000, upto=20000)
    assert above(10000) == 20000  # 10000 x 2.00, no minimum above the edge
    below = cost_function(contract(**minimum), "calls", "2026-11", start=1, upto=100)
    assert below(50) == 18000


def test_cost_function_of_a_period_without_a_forecast() -> None:
    f = cost_function(contract(missing="ignore"), "calls", "2026-12", upto=100)
    assert f(100) == 200  # the calls alone: no forecast, no band
