"""Service credits, holiday premiums and forecast bands: the messages, bounds, caps, earn-back and
lines that the mutation run found untested, each against a figure or a text worked out
by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from test_forecasts import NOVEMBER
from test_forecasts import contract as forecast_contract
from test_premiums import BANDS as PREMIUM_BANDS
from test_premiums import EVENTS as PREMIUM_EVENTS
from test_premiums import at as holiday_at
from test_premiums import contract as premiums_contract
from test_service_credits import METERS, amounts, calls, contract, kpis, month_events, usage_events

from meterprice import (
    Calendar,
    Contract,
    ContractError,
    CreditBand,
    DateRange,
    Event,
    ForecastBand,
    HolidayPremium,
    Invoice,
    Kpi,
    Meter,
    PerUnit,
    PricingError,
    ServiceCredits,
    Usage,
    VolumeForecast,
    earn_back,
)
from meterprice.components.service_credits import (
    BONUS_TAG,
    CREDIT_TAG,
    EARN_BACK_TAG,
    _cut,
)

AT = dt.datetime(2026, 11, 3, 10, 0)
BAND = CreditBand("< 80", credit_percent=1)


def given(value: str = "1") -> Kpi:
    return Kpi("SL", value=value, better="higher", bands=[BAND])


def test_cut_keeps_the_sign_and_every_digit() -> None:
    assert given().show(Fraction(-1, 3)) == "-0.3333..."
    assert _cut(Fraction(0)) == "0.0000"
    # 10**40 / 3 = 40 threes, then .3333 cut: 44 digits, more than a default context's 28
    assert _cut(Fraction(10**40, 3)) == "3" * 40 + ".3333"


def test_a_figure_over_twos_and_fives_terminates() -> None:
    kpi = given()
    assert kpi.show(Fraction(1, 5)) == "0.2"
    assert kpi.show(Fraction(1, 2)) == "0.5"
    assert kpi.show(Fraction(3, 40)) == "0.075"  # 40 = 2**3 x 5
    # 2**1100 is beyond a float: the test of termination stays on integers
    assert kpi.show(Fraction(1, 2**1100)).startswith("0.000")


def test_bad_values_are_refused_naming_their_field() -> None:
    with pytest.raises(ValueError, match=r"^amount: money must be written"):
        CreditBand("< 80", credit="abc")
    with pytest.raises(ContractError, match="an amount must be positive"):
        CreditBand("< 80", credit="0 EUR")
    with pytest.raises(ValueError, match=r"^percent is not a decimal number"):
        CreditBand("< 80", credit_percent="abc")
    with pytest.raises(ValueError, match=r"^value is not a decimal number"):
        given("abc")
    with pytest.raises(ValueError, match=r"^earn_back_percent is not a decimal number"):
        ServiceCredits("SLA", of={"usage"}, kpis=[given()], earn_back_percent="abc")
    with pytest.raises(ContractError, match="earn_back_percent must be more than 0"):
        ServiceCredits("SLA", of={"usage"}, kpis=[given()], earn_back_percent="101")
    # 1 % and 100 % are within (0, 100]
    assert ServiceCredits("SLA", kpis=[given()], earn_back_percent="1").earn_back_percent == 1
    assert ServiceCredits("SLA", kpis=[given()], earn_back_percent="100").earn_back_percent == 100


def test_refusals_say_exactly_what_is_wrong() -> None:
    with pytest.raises(ContractError, match=r"^bands must list at least one band$"):
        Kpi("SL", value=1, better="higher", bands=[])
    with pytest.raises(ContractError, match=r"^kpis must list at least one figure$"):
        ServiceCredits("SLA", kpis=[])
    band = "the band when '< 80' must give either a credit (credit_percent, credit) or a bonus"
    with pytest.raises(ContractError, match=re.escape(band) + r" \(bonus_percent, bonus\)$"):
        CreditBand("< 80")
    with pytest.raises(ContractError, match=re.escape(band) + r" .*bonus\), not both$"):
        CreditBand("< 80", credit_percent=1, bonus="5 EUR")
    figure = "figure 'SL': give either metric (measured from usage) or value (given), not "
    with pytest.raises(ContractError, match=re.escape(figure) + "neither$"):
        Kpi("SL", better="higher", bands=[BAND])
    with pytest.raises(ContractError, match=re.escape(figure) + "both$"):
        Kpi("SL", value=1, metric="m", better="higher", bands=[BAND])
    end = "there is no usage of it (declare unmeasured = 'no_credit' to give no credit then)"
    with pytest.raises(PricingError, match=re.escape(end) + "$"):
        contract().invoice([Event("handle_minutes", 100, AT)], "2026-11")


def test_a_figure_reads_only_the_usage_its_filter_selects() -> None:
    usage = Usage.from_totals(
        {
            ("abandoned", (("q", "de"),)): 1,
            ("abandoned", (("q", "fr"),)): 3,
            ("offered", (("q", "de"),)): 10,
            ("offered", (("q", "fr"),)): 10,
        }
    )
    bands = [CreditBand("> 5", credit_percent=1)]
    ratio = Kpi(
        "A", metric="abandoned", ratio_of="offered", where={"q": "de"}, better="lower", bands=bands
    )
    assert ratio.figure(usage) == Fraction(1, 10)  # 1 / 10, not (1 + 3) / 20
    summed = Kpi("A", metric="abandoned", where={"q": "fr"}, better="lower", bands=bands)
    assert summed.figure(usage) == 3


def test_a_figure_in_a_bonus_and_a_credit_band_keeps_each_amount() -> None:
    kpi = Kpi(
        "SL",
        value=80,
        better="higher",
        bands=[CreditBand(">= 80", bonus="100 EUR"), CreditBand("<= 80", credit="50 EUR")],
    )
    # 80 is in both: a credit of 50 and a bonus of 100, no percentage
    zero = Fraction(0)
    assert kpi.result(Fraction(80)) == (zero, Fraction(50), zero, Fraction(100))


def sla_contract(**sla: object) -> Contract:
    """Minutes tagged usage (10000 x 0.80 = 8000.00) and setup not tagged (500.00)."""
    fields: dict[str, object] = {"of": {"usage"}, "kpis": [kpis()[0]]}
    fields.update(sla)
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
            PerUnit("Setup", metric="setup", rate="500.00 EUR"),
            ServiceCredits("SLA", **fields),  # type: ignore[arg-type]
        ],
        meters=[*METERS, Meter("setup", group_by=[])],
    )


def setup_events() -> list[Event]:
    return [*usage_events(), Event("setup", 1, AT)]


def test_a_credit_exactly_at_its_cap_is_not_capped() -> None:
    # service level 50 %: 5 % x 8000 = 400.00, the cap 5 % x 8000 = 400.00: no cap line
    invoice = sla_contract(cap_percent=5).invoice(setup_events(), "2026-11")
    assert amounts(invoice) == ["8000.00 EUR", "500.00 EUR", "-400.00 EUR"]


def test_the_cap_lines_name_their_kind_and_the_fees_of_their_tags() -> None:
    invoice = sla_contract(cap_percent=4, cap="350.00 EUR").invoice(setup_events(), "2026-11")
    # 5 % of 8000 (the usage lines only, not the 500 setup) = 400.00; cap the smaller of
    # 4 % x 8000 = 320.00 and 350.00: 320.00, so +80.00
    assert amounts(invoice) == ["8000.00 EUR", "500.00 EUR", "-400.00 EUR", "80.00 EUR"]
    cap = invoice.lines[-1]
    assert cap.description == "SLA: credit cap"
    assert cap.basis == (
        "credits of 400 EUR capped at 320 EUR (4% of 8000 EUR or 350.00 EUR, the smaller)"
    )
    assert CREDIT_TAG in cap.tags
    assert BONUS_TAG not in cap.tags
    assert "5% of 8000 EUR (lines tagged usage)" in invoice.lines[2].basis


def test_a_bonus_cap_is_the_bonus_cap_not_the_credit_cap() -> None:
    good = Kpi(
        "CSAT",
        value="4.8",
        better="higher",
        bands=[CreditBand(">= 4.6", bonus_percent=2, bonus="50 EUR")],
    )
    invoice = sla_contract(kpis=[good], cap_percent=10, bonus_cap="100.00 EUR").invoice(
        setup_events(), "2026-11"
    )
    # 2 % x 8000 = 160.00 + 50.00 = 210.00, capped at 100.00: -110.00
    assert amounts(invoice)[2:] == ["210.00 EUR", "-110.00 EUR"]
    bonus, cap = invoice.lines[2:]
    assert bonus.description == "SLA: CSAT bonus"
    assert bonus.basis == "CSAT 4.8 (>= 4.6): 2% of 8000 EUR (lines tagged usage) + 50 EUR"
    assert cap.description == "SLA: bonus cap"
    assert cap.basis == "bonuss of 210 EUR capped at 100 EUR (100.00 EUR)"
    assert BONUS_TAG in cap.tags
    assert CREDIT_TAG not in cap.tags


def test_the_basis_lists_only_the_bands_a_figure_falls_in() -> None:
    # 3 of 4 within 20 s = 75 %: < 80 (2 %), not < 70; 2 % x 8000 = 160.00
    events = [Event("handle_minutes", 10000, AT), *calls(AT, [5, 10, 15, 30])]
    invoice = sla_contract().invoice(events, "2026-11")
    assert amounts(invoice) == ["8000.00 EUR", "-160.00 EUR"]
    assert invoice.lines[1].basis == (
        "Service level 75 % (< 80): 2% of 8000 EUR (lines tagged usage)"
    )


def test_relief_names_every_relieving_line() -> None:
    priced = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
            PerUnit("Relief", metric="relief", rate="0 EUR", tags={"relief"}),
            PerUnit("Outage", metric="outage", rate="0 EUR", tags={"relief"}),
            ServiceCredits("SLA", of={"usage"}, kpis=[kpis()[0]], relieved_by={"relief"}),
        ],
        meters=[*METERS, Meter("relief", group_by=[]), Meter("outage", group_by=[])],
    )
    events = [*usage_events(), Event("relief", 1, AT), Event("outage", 1, AT)]
    invoice = priced.invoice(events, "2026-11")
    # the credit 5 % x 8000 = 400.00 given back
    relief = invoice.lines[-1]
    assert str(relief.amount) == "400.00 EUR"
    assert relief.description == "SLA: credits relieved"
    assert relief.basis == "credits of 400 EUR waived: relieved by 'Relief', 'Outage'"


def monthly(**sla: object) -> tuple[ServiceCredits, Contract]:
    """The service-level figure only, on 1000 minutes a month at ``rate``."""
    rate = sla.pop("rate", "0.80 EUR")
    component = ServiceCredits(
        "SLA",
        of={"usage"},
        kpis=[kpis()[0]],
        tags={"sla"},
        earn_back_periods=1,
        **sla,  # type: ignore[arg-type]
    )
    priced = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate=rate, tags={"usage"}),
            PerUnit("Relief", metric="relief", rate="0 EUR", tags={"relief"}),
            component,
        ],
        meters=[*METERS, Meter("relief", group_by=[])],
    )
    return component, priced


MISS, MEET = [5, 30], [5]  # 50 % within 20 s (5 % credit), 100 %


def totals(invoices: tuple[Invoice, ...]) -> list[str]:
    return [str(invoice.total) for invoice in invoices]


def test_earn_back_goes_on_past_a_period_that_met_its_targets() -> None:
    sla, priced = monthly()
    # 1000 x 0.80 = 800.00 a month; February misses: 5 % x 800 = 40.00, back in March
    events = [*month_events(1, MEET), *month_events(2, MISS), *month_events(3, MEET)]
    invoices = priced.invoices(events, "2026-01-01", "2026-04-01")
    earned = earn_back(invoices, sla)
    assert totals(earned) == ["800.00 EUR", "760.00 EUR", "840.00 EUR"]
    assert earned[0] is invoices[0]  # nothing to add: the invoice as it was
    line = earned[2].lines[-1]
    assert line.component == "SLA"
    assert line.description == "SLA: earn-back"
    assert line.exact == 40
    assert line.tags == frozenset({"sla", EARN_BACK_TAG})


def test_earn_back_goes_on_past_a_credit_not_earned_back() -> None:
    sla, priced = monthly()
    # January and February miss, March meets: only February's 40.00 comes back, in March
    events = [*month_events(1, MISS), *month_events(2, MISS), *month_events(3, MEET)]
    invoices = priced.invoices(events, "2026-01-01", "2026-04-01")
    assert totals(earn_back(invoices, sla)) == ["760.00 EUR", "760.00 EUR", "840.00 EUR"]


def test_earn_back_goes_on_past_a_relieved_credit() -> None:
    sla, priced = monthly(relieved_by={"relief"})
    # January misses but is relieved (net 0), February meets, March misses (40.00),
    # April meets and gets it back
    events = [
        *month_events(1, MISS),
        Event("relief", 1, dt.datetime(2026, 1, 12, 9, 0)),
        *month_events(2, MEET),
        *month_events(3, MISS),
        *month_events(4, MEET),
    ]
    invoices = priced.invoices(events, "2026-01-01", "2026-05-01")
    assert totals(earn_back(invoices, sla))[2:] == ["760.00 EUR", "840.00 EUR"]


def test_a_credit_below_one_unit_is_earned_back() -> None:
    sla, priced = monthly(rate="0.01 EUR")
    # 1000 x 0.01 = 10.00; January's credit 5 % x 10 = 0.50, back in February
    events = [*month_events(1, MISS), *month_events(2, MEET)]
    invoices = priced.invoices(events, "2026-01-01", "2026-03-01")
    assert totals(earn_back(invoices, sla)) == ["9.50 EUR", "10.50 EUR"]


def test_a_gap_names_the_invoice_that_does_not_follow() -> None:
    sla, priced = monthly()
    events = [*month_events(1, MISS), *month_events(2, MEET), *month_events(3, MEET)]
    invoices = priced.invoices(events, "2026-01-01", "2026-04-01")
    with pytest.raises(PricingError, match=r"^invoices\[1\] \(Support, 2026-03\) does not follow "):
        earn_back([invoices[0], invoices[2]], sla)


# -- holiday premiums ------------------------------------------------------------------------
def test_holiday_and_band_lines_carry_their_quantity_unit_price_and_tags() -> None:
    invoice = premiums_contract(tags={"premium"}).invoice(PREMIUM_EVENTS, "2026-12")
    # holidays: 10 + 20 + 5 = 35 min x 0.40 = 14.00; night: 30 min x 0.20 = 6.00
    holiday, night, weekend = invoice.lines[1:]
    assert (holiday.quantity, holiday.unit, str(holiday.unit_price)) == (
        Fraction(35),
        "min",
        "0.4 EUR",
    )
    assert "premium" in holiday.tags
    assert night.description == "Premiums: night"
    assert (night.quantity, night.unit, str(night.unit_price)) == (Fraction(30), "min", "0.20 EUR")
    assert "premium" in night.tags
    assert str(weekend.amount) == "12.00 EUR"  # 40 min x 0.30


def test_without_a_unit_the_basis_shows_the_bare_quantity() -> None:
    invoice = premiums_contract(unit=None).invoice(PREMIUM_EVENTS, "2026-12")
    assert invoice.lines[1].basis.startswith("35 on 2026-12-25..2026-12-26 (")
    assert invoice.lines[2].basis == "30 in band night, holidays excepted x 0.20 EUR"


def test_stacked_premiums_say_so_and_count_a_band_first_seen_on_a_holiday() -> None:
    both = premiums_contract(on_holidays="add").invoice(PREMIUM_EVENTS, "2026-12")
    # night: 30 + 20 = 50 min x 0.20 = 10.00, holidays included
    assert both.lines[2].basis == "50 min in band night x 0.20 EUR"
    # only a Christmas night: 20 min x 0.40 = 8.00 and 20 min x 0.20 = 4.00
    night = premiums_contract(on_holidays="add").invoice(
        [Event("handle_minutes", 20, holiday_at(25, 23))], "2026-12"
    )
    assert amounts(night)[1:] == ["8.00 EUR", "4.00 EUR"]


def test_the_larger_premium_says_so_in_the_basis() -> None:
    larger = premiums_contract(premium="0.25 EUR", on_holidays="max").invoice(
        PREMIUM_EVENTS, "2026-12"
    )
    # 10 x 0.25 + 20 x 0.25 + 5 x 0.30 = 2.50 + 5.00 + 1.50 = 9.00
    assert str(larger.lines[1].amount) == "9.00 EUR"
    assert larger.lines[1].basis == (
        "35 min on 2026-12-25..2026-12-26 (Christmas Day, Second Day of Christmas) "
        "x 0.25 EUR or the band's premium where larger"
    )


def test_holiday_usage_is_that_of_the_metric_and_filter_each_group_counted() -> None:
    priced = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR"),
            PerUnit("Chats", metric="chats", rate="0.10 EUR"),
            HolidayPremium("Premiums", metric="handle_minutes", country="DE", premium="0.40 EUR"),
            HolidayPremium(
                "German queue",
                metric="handle_minutes",
                where={"queue": "de"},
                country="DE",
                premium="1.00 EUR",
            ),
        ],
        meters=[
            Meter("chats", group_by=[]),
            Meter("handle_minutes", bands=PREMIUM_BANDS, group_by=["band", "queue"]),
        ],
        timezone="Europe/Berlin",
    )
    events = [
        Event("chats", 1000, holiday_at(25, 22)),
        Event("handle_minutes", 20, holiday_at(25, 23), {"queue": "de"}),
        Event("handle_minutes", 7, holiday_at(25, 23), {"queue": "fr"}),
        Event("chats", 1000, holiday_at(26, 22)),
    ]
    invoice = priced.invoice(events, "2026-12")
    lines = {line.description: str(line.amount) for line in invoice.lines}
    # every queue: 20 + 7 = 27 min x 0.40 = 10.80; the German queue: 20 min x 1.00
    assert lines["Premiums: holidays"] == "10.80 EUR"
    assert lines["German queue: holidays"] == "20.00 EUR"


def test_holiday_premium_refusals_say_exactly_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = Calendar([DateRange("Company day", "2026-12-22", "2026-12-22")])
    by = "give the holidays either by country (the holidays package) or as a calendar, not "
    with pytest.raises(ContractError, match=re.escape(by) + "neither$"):
        premiums_contract(country=None, subdivision=None)
    with pytest.raises(ContractError, match=re.escape(by) + "both$"):
        premiums_contract(calendar=own)
    with pytest.raises(ContractError, match=r"^subdivision: a region needs its country$"):
        premiums_contract(country=None, calendar=own)
    how = "give the holiday premium either as premium (per unit) or as multiplier (of rate), not "
    with pytest.raises(ContractError, match=re.escape(how) + "neither$"):
        premiums_contract(premium=None)
    together = "multiplier and rate go together: the premium is rate x (m - 1)"
    with pytest.raises(ContractError, match="^" + re.escape(together) + "$"):
        premiums_contract(premium=None, multiplier="1.5")
    with pytest.raises(ValueError, match=r"^amount: money must be written"):
        premiums_contract(premium="abc")
    with pytest.raises(ValueError, match=r"^multiplier is not a decimal number"):
        premiums_contract(premium=None, multiplier="abc", rate="0.80 EUR")
    with pytest.raises(TypeError, match=r"band_premiums entries must be \(band, amount\) pairs"):
        premiums_contract(band_premiums=[["night", "0.20 EUR"]])
    with pytest.raises(ValueError, match=r"^band_premiums\['night'\]: money must be written"):
        premiums_contract(band_premiums={"night": "abc"})
    with pytest.raises(ContractError, match=r"band_premiums\['night'\] must be positive"):
        premiums_contract(band_premiums={"night": "0 EUR"})
    undated = "give day-resolved usage (events, a usage file, Usage.from_daily)"
    with pytest.raises(PricingError, match=re.escape(undated) + "$"):
        premiums_contract().invoice({"handle_minutes": 100}, "2026-12")
    monkeypatch.setitem(sys.modules, "holidays", None)  # the extra not installed
    missing = (
        "country: public holidays by country need the holidays package: "
        'pip install "meterprice[holidays]" (or give the contract\'s own calendar)'
    )
    with pytest.raises(ContractError, match="^" + re.escape(missing) + "$"):
        premiums_contract()


# -- forecast bands --------------------------------------------------------------------------
def test_forecast_refusals_name_their_field() -> None:
    with pytest.raises(ValueError, match=r"^volume is not a decimal number"):
        VolumeForecast("2026-11", volume="abc", hours=600)
    with pytest.raises(ValueError, match=r"^hours is not a decimal number"):
        VolumeForecast("2026-11", volume=10000, hours="abc")
    with pytest.raises(ContractError, match=r"^hours must be positive"):
        VolumeForecast("2026-11", volume=10000, hours=0)
    with pytest.raises(
        ContractError, match=re.escape("forecasts[1]: 2026-11 is forecast twice (forecasts[0])")
    ):
        forecast_contract(forecasts=[NOVEMBER, NOVEMBER])
    with pytest.raises(ValueError, match=r"^tolerance is not a decimal number"):
        forecast_contract(tolerance="abc")
    with pytest.raises(ValueError, match=r"^above is not a decimal number"):
        forecast_contract(above="abc")
    with pytest.raises(ValueError, match=r"^rate: money must be written"):
        forecast_contract(rate="abc")
    # a band of 0 % and of half a percent, either side, are bands
    assert forecast_contract(tolerance=0, above=0).components[1].tolerance == 0  # type: ignore[attr-defined]
    half = forecast_contract(tolerance="0.5", above="0.5").components[1]
    assert (half.tolerance, half.above) == (Decimal("0.5"), Decimal("0.5"))  # type: ignore[attr-defined]
    either = (
        "bill under-delivery either at rate (per unused staffed hour) or with minimum_rate "
        "(a minimum of the forecast's hours), not neither"
    )
    with pytest.raises(ContractError, match="^" + re.escape(either) + "$"):
        forecast_contract(rate=None)
    lifts = "minimum_rate: name with of the lines whose fees it lifts"
    with pytest.raises(ContractError, match="^" + re.escape(lifts) + "$"):
        forecast_contract(rate=None, minimum_rate="30.00 EUR")
    goes = "of: the lines a minimum lifts, so it goes with minimum_rate"
    with pytest.raises(ContractError, match="^" + re.escape(goes) + "$"):
        forecast_contract(of={"usage"})
    alone = "or declare missing = 'ignore' to leave such periods alone)"
    with pytest.raises(PricingError, match=re.escape(alone) + "$"):
        forecast_contract().invoice({"calls": 10}, "2026-12")


def test_the_forecast_reads_only_the_usage_its_filter_selects() -> None:
    usage = Usage.from_totals(
        {("calls", (("queue", "de"),)): 8000, ("calls", (("queue", "fr"),)): 5000}
    )
    invoice = forecast_contract(where={"queue": "de"}).invoice(usage, "2026-11")
    # 13000 x 2.00 = 26000.00; the German queue's 8000 calls are 500 below the edge
    # 8500: 600 h x 500 / 10000 = 30 h x 25.00 = 750.00 (13000 would be above the band)
    assert amounts(invoice) == ["26000.00 EUR", "750.00 EUR"]


def test_the_lines_below_and_above_the_band_in_full() -> None:
    below = forecast_contract(unit=None).invoice({"calls": 8000}, "2026-11").lines[1]
    assert below.description == "Forecast: staffed hours below the forecast band"
    assert below.basis == (
        "8000 against a forecast of 10000, below the band's edge 8500 by 500: "
        "600 h x 500 / 10000 = 30 h x 25.00 EUR"
    )
    assert (below.unit, str(below.unit_price)) == ("h", "25.00 EUR")
    above = forecast_contract(above=10).invoice({"calls": 11200}, "2026-11").lines[1]
    # 10000 x 1.10 = 11000, exceeded by 11200
    assert above.description == "Forecast: above the forecast band"
    assert above.basis == (
        "11200 calls against a forecast of 10000 calls, more than 10% above (11000 calls): "
        "service-level credits relieved"
    )


def test_a_partial_period_shows_its_days_after_the_figures() -> None:
    priced = forecast_contract(term={"start": "2026-11-16"})
    invoice = priced.invoice(Usage.from_totals({"calls": 4000}, on="2026-11-20"), "2026-11")
    # 15 of 30 days: forecast 5000, 300 h, edge 4250; 250 below: 300 x 250 / 5000 = 15 h
    assert invoice.lines[1].basis == (
        "4000 calls against a forecast of 5000 calls (15/30 days), below the band's edge "
        "4250 calls by 250 calls: 300 h x 250 / 5000 = 15 h x 25.00 EUR"
    )


def minimum_contract(minimum_rate: str) -> Contract:
    """Calls tagged usage at 2.00, a licence not tagged (500.00), then the band."""
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Calls", metric="calls", rate="2.00 EUR", tags={"usage"}),
            PerUnit("Licence", metric="seats", rate="500.00 EUR"),
            ForecastBand(
                "Forecast",
                metric="calls",
                forecasts=[NOVEMBER],
                tolerance=15,
                minimum_rate=minimum_rate,
                of={"usage"},
                unit="calls",
            ),
        ],
    )


def test_the_minimum_lifts_only_the_fees_of_its_tags() -> None:
    invoice = minimum_contract("30.00 EUR").invoice({"calls": 8000, "seats": 1}, "2026-11")
    # 600 h x 30.00 = 18000.00 less the calls' 8000 x 2.00 = 16000.00 (not the licence)
    assert amounts(invoice) == ["16000.00 EUR", "500.00 EUR", "2000.00 EUR"]
    line = invoice.lines[2]
    assert line.description == "Forecast: minimum of the forecast's staffed hours"
    assert line.basis == (
        "8000 calls against a forecast of 10000 calls, below the band's edge 8500 calls: "
        "minimum 600 h x 30.00 EUR = 18000 EUR less 16000 EUR (lines tagged usage)"
    )
    # fees exactly at the minimum: 6000 x 2.00 = 12000.00 = 600 h x 20.00, no line
    exact = minimum_contract("20.00 EUR").invoice({"calls": 6000, "seats": 1}, "2026-11")
    assert amounts(exact) == ["12000.00 EUR", "500.00 EUR"]
