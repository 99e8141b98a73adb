"""Contract behaviour that mutation testing found unpinned: the messages of its
refusals, what every line and invoice carries, spread totals, billing runs and the
tables it recognises. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import attrs
import pytest

from meterprice import (
    Charge,
    Component,
    Contract,
    ContractError,
    Event,
    Meter,
    MinimumSpend,
    Percentage,
    Period,
    PerUnit,
    PricingContext,
    PricingError,
    RecurringFee,
    Usage,
)
from meterprice import contract as contract_module
from meterprice.components.carrying import Carried
from meterprice.dimensions import Dimensions
from meterprice.errors import InvalidTypeError, InvalidValueError, PeriodError
from meterprice.ids import Duplicates

D = dt.date
NOV = Period.month(2026, 11)


def _minutes(rate: str = "1.00 EUR", **kwargs: object) -> PerUnit:
    return PerUnit("Minutes", metric="minutes", rate=rate, **kwargs)  # type: ignore[arg-type]


def _contract(*components: Component, **kwargs: object) -> Contract:
    return Contract("C", "EUR", list(components) or [_minutes()], **kwargs)  # type: ignore[arg-type]


def _exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


# -- building ----------------------------------------------------------------------------------


def test_versions_must_be_amendments() -> None:
    with pytest.raises(
        InvalidTypeError, match=_exactly("versions must be a list of Amendment, not 'x'")
    ):
        _contract(versions="x")
    with pytest.raises(InvalidTypeError, match=_exactly("versions[0] is not an Amendment: 1")):
        _contract(versions=[1])


def test_an_amended_contract_prices_the_new_rate_from_its_start() -> None:
    amended = _contract().amended("2026-11-16", [_minutes(rate="2.00 EUR")], description="new rate")
    assert len(amended.versions) == 1
    assert amended.versions[0].description == "new rate"
    usage = Usage.from_daily({"2026-11-03": {"minutes": 10}, "2026-11-20": {"minutes": 10}})
    # 10 x 1.00 before the 16th, 10 x 2.00 from it
    assert str(amended.invoice(usage, "2026-11").total) == "30.00 EUR"


def test_a_tag_carried_before_the_last_component_is_still_seen() -> None:
    contract = _contract(
        _minutes(tags={"usage"}),
        RecurringFee("Base", amount="5.00 EUR", tags={"fees"}),
        Percentage("PM", percent=10, of={"usage"}),
    )
    # 10 % of the 20.00 of the usage line, not of the fee
    assert [str(line.amount) for line in contract.invoice({"minutes": 20}, "2026-11").lines] == [
        "20.00 EUR",
        "5.00 EUR",
        "2.00 EUR",
    ]


def test_a_meter_without_group_by_lets_components_filter_freely() -> None:
    meter = Meter("minutes", source="seconds", from_unit="second", unit="minute")
    contract = _contract(_minutes(where={"channel": "phone"}), meters=[meter], unpriced="ignore")
    events = [Event("seconds", 120, dt.datetime(2026, 11, 3, 9), {"channel": "phone"})]
    assert str(contract.invoice(events, "2026-11").total) == "2.00 EUR"  # 2 min x 1.00


def test_a_filter_on_dimensions_the_meter_drops_names_them_all() -> None:
    meter = Meter("minutes", source="seconds", group_by=["channel", "queue"])
    message = (
        "components[0] ('Minutes') filters 'minutes' on language, site but meter 'minutes' "
        "groups only by channel, queue"
    )
    with pytest.raises(ContractError, match=_exactly(message)):
        _contract(_minutes(where={"language": "de", "site": "a"}), meters=[meter])


# -- billing periods ---------------------------------------------------------------------------


def test_a_period_over_two_billing_periods() -> None:
    message = (
        "2026-11-15..2026-12-15 is not within one billing period of contract 'C': it covers "
        "2 periods of its monthly cycle (from 2026-11); price each with "
        "contract.invoices(usage, '2026-11-15..2026-12-15')"
    )
    with pytest.raises(PeriodError, match=_exactly(message)):
        _contract().billing_period("2026-11-15..2026-12-15")


@pytest.mark.parametrize("end", ["2027-02-01", "2027-06-01"])
def test_a_period_over_several_billing_periods(end: str) -> None:
    # three months (November to January) or seven: "several", from the first
    span = f"2026-11-01..{end}"
    message = (
        f"{span} is not within one billing period of contract 'C': it covers several "
        f"periods of its monthly cycle (from 2026-11); price each with "
        f"contract.invoices(usage, '{span}')"
    )
    with pytest.raises(PeriodError, match=_exactly(message)):
        _contract().billing_period(span)


def test_outside_term_is_checked_and_explained() -> None:
    contract = _contract(term={"start": "2026-12-01"})
    with pytest.raises(
        InvalidValueError, match=_exactly("outside_term must be 'error' or 'empty' (got 'skip')")
    ):
        contract.invoice({}, "2026-11", outside_term="skip")  # type: ignore[arg-type]
    message = (
        "2026-11 is outside the term [2026-12-01, ...) of contract 'C': nothing is billed "
        "then (pass outside_term='empty' for an empty invoice)"
    )
    with pytest.raises(PricingError, match=_exactly(message)):
        contract.invoice({}, "2026-11")


# -- the invoice -------------------------------------------------------------------------------


def test_the_invoice_date_is_the_issue_date() -> None:
    invoice = _contract().invoice({"minutes": 1}, "2026-11", invoice_date=D(2026, 12, 2))
    assert invoice.issued == D(2026, 12, 2)


def test_the_invoice_reports_the_duplicates_of_its_events() -> None:
    at = dt.datetime(2026, 11, 3, 9)
    events = [Event("minutes", 5, at, id="a"), Event("minutes", 5, at, id="a")]
    invoice = _contract().invoice(events, "2026-11")
    assert invoice.duplicates == Duplicates(1, ("a",))
    assert str(invoice.total) == "5.00 EUR"  # the repeat counted once


@attrs.frozen
class _Probe(Component):
    """A component whose one line says what its pricing context holds."""

    @property
    def bills_usage(self) -> bool:
        return False

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        seen = f"{len(ctx.lines)} lines, {ctx.rounding.name}, {ctx.timezone}, {ctx.term}"
        return (
            Charge(
                "Probe",
                1,
                seen,
                tags={"extra"},
                dimensions=Dimensions({"channel": "phone"}),
            ),
        )


def test_a_component_sees_the_lines_so_far_and_the_contract_terms() -> None:
    contract = Contract(
        "C",
        "EUR",
        [_minutes(), RecurringFee("Base", amount="5.00 EUR"), _Probe("Probe", tags={"usage"})],
        rounding="half_even",
        timezone="Europe/Berlin",
        term={"start": "2026-01-01"},
    )
    *_, probe = contract.invoice({"minutes": 2}, "2026-11").lines
    assert probe.basis == "2 lines, HALF_EVEN, Europe/Berlin, [2026-01-01, ...)"
    # the line carries the component's tags and the charge's own, and its dimensions
    assert probe.tags == frozenset({"usage", "extra"})
    assert probe.dimensions == Dimensions({"channel": "phone"})


def test_a_line_without_a_unit_price_has_none() -> None:
    contract = _contract(_minutes(), MinimumSpend("Floor", amount="10.00 EUR"))
    _, floor = contract.invoice({"minutes": 4}, "2026-11").lines
    assert (str(floor.amount), floor.unit_price) == ("6.00 EUR", None)  # 10.00 - 4.00


# -- spread totals -----------------------------------------------------------------------------


def test_totals_spread_over_the_days_for_a_component_active_part_of_the_period() -> None:
    contract = _contract(_minutes(active={"start": "2026-11-16"}))
    invoice = contract.invoice({"minutes": 3000}, "2026-11", spread="days")
    (line,) = invoice.lines
    # 15 of November's 30 days: 3000 x 15 / 30 = 1500 minutes x 1.00
    assert str(line.amount) == "1500.00 EUR"
    assert line.basis == (
        "1500 x 1.00 EUR (totals spread evenly over days: 15 of the 30 days of 2026-11)"
    )


def test_a_component_active_all_period_has_no_spread_note() -> None:
    contract = _contract(_minutes(), PerUnit("Calls", metric="calls", rate="0.10 EUR"))
    usage = Usage.from_totals({"minutes": 30}) + Usage.from_daily({"2026-11-03": {"calls": 10}})
    lines = contract.invoice(usage, "2026-11", spread="days").lines
    assert [line.basis for line in lines] == ["30 x 1.00 EUR", "10 x 0.10 EUR"]


def test_a_partial_component_on_dated_usage_has_no_spread_note() -> None:
    contract = _contract(
        _minutes(),
        PerUnit("Calls", metric="calls", rate="0.10 EUR", active={"start": "2026-11-16"}),
    )
    usage = Usage.from_totals({"minutes": 30}) + Usage.from_daily(
        {"2026-11-03": {"calls": 10}, "2026-11-20": {"calls": 20}}
    )
    lines = contract.invoice(usage, "2026-11", spread="days").lines
    # the calls are dated: the 20 of the 20th only, with no note of spreading
    assert [line.basis for line in lines] == ["30 x 1.00 EUR", "20 x 0.10 EUR"]


def test_spread_must_be_days_or_none() -> None:
    with pytest.raises(
        InvalidValueError, match=_exactly("spread must be None or 'days' (got 'evenly')")
    ):
        _contract().invoice({"minutes": 1}, "2026-11", spread="evenly")  # type: ignore[arg-type]


def test_undated_usage_of_another_metric_does_not_stop_a_partial_component() -> None:
    contract = _contract(
        _minutes(active={"start": "2026-11-16"}), PerUnit("Calls", metric="calls", rate="0.10 EUR")
    )
    usage = Usage.from_totals({"calls": 10}) + Usage.from_daily(
        {"2026-11-03": {"minutes": 1}, "2026-11-20": {"minutes": 7}}
    )
    # the minutes of the 20th only: 7 x 1.00; the calls of the whole month: 10 x 0.10
    assert [str(line.amount) for line in contract.invoice(usage, "2026-11").lines] == [
        "7.00 EUR",
        "1.00 EUR",
    ]


def test_undated_usage_of_a_partial_component_is_refused_naming_it() -> None:
    contract = _contract(
        PerUnit("Calls", metric="calls", rate="0.10 EUR"), _minutes(active={"start": "2026-11-16"})
    )
    message = (
        "components[1] ('Minutes') is active only in 2026-11-16..2026-12-01 of 2026-11, but "
        "its usage of minutes has no days, so the part of it in 2026-11-16..2026-12-01 is "
        "unknown. Give day-resolved usage (events, a usage file, Usage.from_daily) or pass "
        "spread='days' to spread the totals evenly over the days of the period"
    )
    with pytest.raises(PricingError, match=_exactly(message)):
        contract.invoice({"minutes": 30, "calls": 1}, "2026-11")


# -- unpriced usage ----------------------------------------------------------------------------


def test_unpriced_usage_is_found_after_a_component_that_bills_no_usage() -> None:
    contract = _contract(
        RecurringFee("Base", amount="5.00 EUR"), _minutes(where={"channel": "phone"})
    )
    usage = {("minutes", (("channel", "fax"),)): 3, "minutes": 2}
    message = (
        "contract 'C': usage that no component prices: minutes [no dimensions] = 2; "
        "minutes [channel=fax] = 3. Every billed metric's usage must match a component's "
        "filter (or build the contract with unpriced='ignore')"
    )
    with pytest.raises(PricingError, match=_exactly(message)):
        contract.invoice(usage, "2026-11")


@pytest.mark.parametrize(("groups", "more"), [(5, ""), (6, " and 1 more")])
def test_unpriced_usage_counts_what_it_does_not_list(groups: int, more: str) -> None:
    contract = _contract(_minutes(where={"channel": "phone"}))
    usage = {("minutes", (("channel", f"fax{index}"),)): 1 for index in range(groups)}
    with pytest.raises(PricingError, match=re.escape(f"[channel=fax4] = 1{more}. Every")):
        contract.invoice(usage, "2026-11")


# -- billing runs ------------------------------------------------------------------------------


def test_invoices_over_a_range_pass_the_spread_on() -> None:
    contract = _contract(_minutes(active={"start": "2026-11-20"}))
    (invoice,) = contract.invoices({"minutes": 1500}, "2026-11-16", "2026-12-01", spread="days")
    # the 15 days from the 16th; the minutes component from the 20th: 1500 x 11 / 15
    assert str(invoice.total) == "1100.00 EUR"


def test_a_billing_run_keeps_its_opening_state() -> None:
    contract = _contract(term={"start": "2026-12-01"})
    opening = Carried({"Minutes": 1})
    nothing = contract.bill({}, "2026-11", opening=opening)
    assert (nothing.invoices, nothing.carried, nothing.opening) == ((), (), opening)
    run = contract.bill(
        Usage.from_daily({"2026-12-03": {"minutes": 2}, "2027-01-03": {"minutes": 3}}),
        "2026-12-01",
        "2027-02-01",
        opening=opening,
    )
    assert run.opening is opening
    assert run.carried == (opening, opening)  # no carrying component: the state passes on
    assert [str(invoice.total) for invoice in run.invoices] == ["2.00 EUR", "3.00 EUR"]
    with pytest.raises(
        InvalidTypeError, match=_exactly("opening must be a Carried state, not {'Minutes': 1}")
    ):
        contract.bill({}, "2026-12", opening={"Minutes": 1})  # type: ignore[arg-type]


def test_a_billing_run_of_totals_or_of_a_function() -> None:
    contract = _contract()
    (invoice,) = contract.bill({"minutes": 4}, "2026-11").invoices
    assert str(invoice.total) == "4.00 EUR"
    windows: list[Period] = []

    def metered(window: Period) -> Usage:
        windows.append(window)
        return Usage.from_daily({"2026-11-03": {"minutes": 2}, "2026-12-03": {"minutes": 5}})._cut(
            window
        )

    run = contract.bill(metered, "2026-11-01", "2027-01-01")
    assert [str(invoice.total) for invoice in run.invoices] == ["2.00 EUR", "5.00 EUR"]
    assert windows


def test_undated_totals_cannot_be_split_between_billing_periods() -> None:
    contract = _contract(PerUnit("Calls", metric="calls", rate="0.10 EUR"), _minutes())
    message = (
        "the usage of calls, minutes has no days, so it cannot be split between the 2 "
        "billing periods of 2026-11-01..2027-01-01: give day-resolved usage (events, a usage "
        "file, Usage.from_daily)"
    )
    with pytest.raises(PricingError, match=_exactly(message)):
        contract.bill({"minutes": 3, "calls": 1}, "2026-11-01", "2027-01-01")
    # one billing period: the totals are its usage
    (invoice,) = contract.bill({"minutes": 3}, "2026-11-01", "2026-12-01").invoices
    assert str(invoice.total) == "3.00 EUR"


# -- tables and presentation -------------------------------------------------------------------


def test_tables_are_recognised() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {
            "metric": ["minutes", "minutes"],
            "quantity": [3, 4],
            "timestamp": pa.array(
                [dt.datetime(2026, 11, 3, 9), dt.datetime(2026, 11, 20, 9)],
                pa.timestamp("s", "UTC"),
            ),
        }
    )
    contract = _contract()
    assert contract.meter(table, "2026-11").exact("minutes") == 7
    assert str(contract.invoice(table, "2026-11").total) == "7.00 EUR"  # 7 x 1.00


def test_a_pandas_data_frame_without_the_arrow_interface_is_a_table() -> None:
    # what an older pandas DataFrame looks like: recognised by its name and package
    old = type("DataFrame", (), {"__module__": "pandas.core.frame"})
    assert contract_module._is_table(old())
    other = type("DataFrame", (), {"__module__": "polarsish.frame"})
    assert not contract_module._is_table(other())
    assert not contract_module._is_table(type("Frame", (), {"__module__": "pandas.core"})())
    assert not contract_module._is_table([1, 2])


def test_the_presentations_name_the_contract() -> None:
    contract = _contract()
    assert repr(contract) == "Contract('C', EUR, 1 component)"
    assert contract._repr_html_().startswith("<table><caption>C</caption>")
    assert "<td>Minutes</td><td>PerUnit</td>" in contract._repr_html_()


def test_metered_usage_knows_the_period_it_was_metered_over() -> None:
    events = [Event("minutes", 2, dt.datetime(2026, 11, 3, 9))]
    assert _contract().meter(events, "2026-11").span == NOV


def test_an_amended_contract_dates_its_invoice() -> None:
    amended = _contract().amended("2026-11-16", [_minutes(rate="2.00 EUR")])
    invoice = amended.invoice(
        Usage.from_daily({"2026-11-03": {"minutes": 1}}), "2026-11", invoice_date=D(2026, 12, 2)
    )
    assert (invoice.issued, str(invoice.total)) == (D(2026, 12, 2), "1.00 EUR")
