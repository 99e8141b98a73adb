"""Service credits: the messages, bounds, caps and earn-back that the mutation run
found untested, each against a figure or a text worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import pytest
from test_service_credits import METERS, amounts, calls, contract, kpis, month_events, usage_events

from meterprice import (
    Contract,
    ContractError,
    CreditBand,
    Event,
    Invoice,
    Kpi,
    Meter,
    PerUnit,
    PricingError,
    ServiceCredits,
    Usage,
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
