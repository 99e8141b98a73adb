"""Amendments: contract versions from effective dates, priced version by version on the
days each is in effect, in Python and in contract documents.

Hand computations: "15/31" is the share of a 31-day month a version is in effect;
"->" is the rounding of a line to the cent (half-up); a total is the sum of the
rounded lines.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import Case, cases, map_money, whole_contracts

from meterprice import (
    Amendment,
    Contract,
    ContractError,
    Conversion,
    Event,
    ExchangeRate,
    InvalidTypeError,
    Invoice,
    MinimumSpend,
    MinimumVolume,
    Money,
    Percentage,
    Period,
    PerUnit,
    PricingError,
    RecurringFee,
    Tax,
    TaxRate,
    Usage,
)
from meterprice.amendments import versions
from meterprice.examples import example
from meterprice.spec import (
    SpecError,
    contract_schema,
    dump_contract,
    dumps_contract,
    load_contract,
    loads_contract,
)

DEC = Period.parse("2026-12")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


def minutes(day: str, quantity: int | str) -> Event:
    return Event("minutes", quantity, at(day))


def rows(invoice: Invoice) -> list[tuple[str, str, str | None]]:
    """(component, amount, version) of every line, in order."""
    return [(line.component, str(line.amount.amount), line.version) for line in invoice.lines]


def rate_change() -> Contract:
    """A platform fee, minutes at 1.00 EUR and a monthly minimum spend of 620.00 EUR
    (not prorated on partial periods); from 16 December 2026 the minutes cost 1.20.
    """
    base = Contract(
        "Support",
        "EUR",
        [
            RecurringFee("Platform", amount="310.00 EUR"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            MinimumSpend("Minimum", amount="620.00 EUR", of={"usage"}),
        ],
    )
    return base.amended(
        "2026-12-16",
        [PerUnit("Minutes", metric="minutes", rate="1.20 EUR", tags={"usage"})],
        description="new minute rate",
    )


# -- hand-computed examples --------------------------------------------------------------------


def test_a_rate_change_on_the_16th() -> None:
    contract = rate_change()
    events = [minutes("2026-12-03", 100), minutes("2026-12-20", 400)]
    invoice = contract.invoice(events, "2026-12")
    # Version 1, 1-15 December (15/31):
    #   platform 310.00 x 15/31 = 150.00; minutes 100 x 1.00 = 100.00;
    #   minimum 620.00 x 15/31 = 300.00 less 100.00 = 200.00
    # Version 2, 16-31 December (16/31):
    #   platform 310.00 x 16/31 = 160.00; minutes 400 x 1.20 = 480.00;
    #   minimum 620.00 x 16/31 = 320.00 <= 480.00: no line
    assert rows(invoice) == [
        ("Platform", "150.00", "1"),
        ("Minutes", "100.00", "1"),
        ("Minimum", "200.00", "1"),
        ("Platform", "160.00", "2"),
        ("Minutes", "480.00", "2"),
    ]
    assert invoice.total == Money("1090.00", "EUR")  # 150 + 100 + 200 + 160 + 480
    assert invoice.period == DEC
    assert "620.00 EUR x 15/31 days" in invoice.lines[2].basis
    document = invoice.to_dict()
    assert [line["version"] for line in document["lines"]] == ["1", "1", "1", "2", "2"]
    assert Invoice.from_dict(document) == invoice
    explained = invoice.explain()
    assert "[contract version 1]" in explained
    assert "[contract version 2]" in explained


def test_a_month_inside_one_version_is_priced_by_it_alone() -> None:
    contract = rate_change()
    november = contract.invoice([minutes("2026-11-10", 700)], "2026-11")
    # all of November is version 1: 310.00 + 700 x 1.00 = 700.00 >= 620.00 minimum
    assert rows(november) == [("Platform", "310.00", "1"), ("Minutes", "700.00", "1")]
    january = contract.invoice([minutes("2027-01-10", 100)], "2027-01")
    # all of January is version 2: 310.00 + 100 x 1.20 = 120.00; minimum 620 - 120 = 500.00
    assert rows(january) == [
        ("Platform", "310.00", "2"),
        ("Minutes", "120.00", "2"),
        ("Minimum", "500.00", "2"),
    ]
    assert "[contract version" not in january.explain()  # one version: nothing to tell apart


def test_a_component_added_and_another_ended_mid_month() -> None:
    base = Contract(
        "Support",
        "EUR",
        [
            RecurringFee("Licence", amount="300.00 EUR"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
        ],
    )
    contract = base.amended(
        dt.date(2026, 11, 11),
        [
            RecurringFee("Reporting", amount="90.00 EUR"),
            PerUnit("Tasks", metric="task_hours", rate="40.00 EUR"),
        ],
        remove=["Licence"],
    )
    events = [
        minutes("2026-11-05", 50),
        minutes("2026-11-25", 70),
        Event("task_hours", 2, at("2026-11-08")),  # before the task rate exists: unbilled
        Event("task_hours", 3, at("2026-11-20")),
    ]
    invoice = contract.invoice(events, "2026-11")
    # Version 1, 1-10 November (10/30): licence 300.00 x 10/30 = 100.00; 50 x 1.00 = 50.00
    # Version 2, 11-30 November (20/30): 70 x 1.00 = 70.00; reporting 90.00 x 20/30 = 60.00;
    #   tasks 3 h x 40.00 = 120.00 (the 2 hours of the 8th fall in version 1: no rate)
    assert rows(invoice) == [
        ("Licence", "100.00", "1"),
        ("Minutes", "50.00", "1"),
        ("Minutes", "70.00", "2"),
        ("Reporting", "60.00", "2"),
        ("Tasks", "120.00", "2"),
    ]
    assert invoice.total == Money("400.00", "EUR")  # 100 + 50 + 70 + 60 + 120
    # the metric only the amendment reads is metered too
    assert contract.meter(events, "2026-11").exact("task_hours") == 5
    december = contract.invoice([minutes("2026-12-01", 10)], "2026-12")
    assert rows(december) == [("Minutes", "10.00", "2"), ("Reporting", "90.00", "2")]


def test_components_read_the_lines_of_their_own_version() -> None:
    base = Contract(
        "PM",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Percentage("Project management", percent=5, of={"usage"}),
        ],
    )
    contract = base.amended(
        "2026-12-16", [Percentage("Project management", percent=10, of={"usage"})]
    )
    invoice = contract.invoice([minutes("2026-12-10", 200), minutes("2026-12-28", 300)], DEC)
    # version 1: 200.00, 5 % of 200.00 = 10.00; version 2: 300.00, 10 % of 300.00 = 30.00
    assert rows(invoice) == [
        ("Minutes", "200.00", "1"),
        ("Project management", "10.00", "1"),
        ("Minutes", "300.00", "2"),
        ("Project management", "30.00", "2"),
    ]


def test_a_minimum_volume_is_prorated_between_versions() -> None:
    base = Contract(
        "Volume",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            MinimumVolume("Minimum", metric="minutes", quantity=310, rate="0.50 EUR"),
        ],
    )
    contract = base.amended("2026-12-16", [PerUnit("Minutes", metric="minutes", rate="2.00 EUR")])
    invoice = contract.invoice([minutes("2026-12-20", 200)], DEC)
    # version 1: no minutes; minimum 310 x 15/31 = 150 min short x 0.50 = 75.00
    # version 2: 200 x 2.00 = 400.00; minimum 310 x 16/31 = 160 <= 200: no line
    assert rows(invoice) == [("Minimum", "75.00", "1"), ("Minutes", "400.00", "2")]


def test_every_input_path_gives_the_same_invoice() -> None:
    contract = rate_change()
    events = [minutes("2026-12-03", 100), minutes("2026-12-20", 400)]
    expected = contract.invoice(events, DEC)
    metered = contract.meter(events, DEC)
    daily = Usage.from_daily({"2026-12-03": {"minutes": 100}, "2026-12-20": {"minutes": 400}})
    assert contract.invoice(metered, DEC) == expected
    assert contract.invoice(daily, DEC) == expected
    assert contract.invoice(metered.within, DEC) == expected
    assert contract.invoices(events, "2026-12") == (expected,)


def test_undated_totals_across_an_amendment_are_refused_unless_spread() -> None:
    contract = rate_change()
    with pytest.raises(PricingError, match=r"minutes has no days.*2 versions.*2026-12-16"):
        contract.invoice({"minutes": 620}, DEC)
    invoice = contract.invoice({"minutes": 620}, DEC, spread="days")
    # 620 spread over 31 days: 20 a day; version 1 has 15 days = 300 x 1.00 = 300.00,
    # version 2 has 16 days = 320 x 1.20 = 384.00; both reach their minimum
    assert rows(invoice) == [
        ("Platform", "150.00", "1"),
        ("Minutes", "300.00", "1"),
        ("Platform", "160.00", "2"),
        ("Minutes", "384.00", "2"),
    ]
    assert invoice.lines[1].basis.endswith(
        "(totals spread evenly over days: 15 of the 31 days of 2026-12)"
    )
    assert "spread" not in invoice.lines[0].basis  # a fee reads no usage
    # a month inside one version takes the totals as they are
    assert rows(contract.invoice({"minutes": 700}, "2026-11"))[1] == ("Minutes", "700.00", "1")


def test_a_period_outside_the_term_follows_the_contracts_rule() -> None:
    contract = attrs.evolve(rate_change(), term={"start": "2026-11-16"})
    with pytest.raises(PricingError, match="outside the term"):
        contract.invoice({}, "2026-10")
    assert contract.invoice({}, "2026-10", outside_term="empty").lines == ()
    # a term starting mid-month: version 1 from the 16th
    assert rows(contract.invoice([minutes("2026-11-20", 400)], "2026-11"))[0] == (
        "Platform",
        "155.00",  # 310.00 x 15/30
        "1",
    )


def test_the_seed_pay_per_use_contract_raises_its_phone_rates_in_march_2027() -> None:
    item = example("pay_per_use")
    contract = item.contract
    assert [v.number for v in versions(contract)] == [1, 2]
    assert contract.versions[0].start == dt.date(2027, 3, 1)
    zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    calls = [
        Event(
            "handle_seconds",
            300,
            dt.datetime(2027, month, 1, 0, 10, tzinfo=zone),
            {"channel": "phone", "language": "de"},
        )
        for month in (2, 3)
    ]
    february, march = (contract.invoice(calls, period) for period in ("2027-02", "2027-03"))
    # one call of 300 s = 5 min on the phone in German each month:
    # February (version 1): 5 x 0.95 = 4.75; minimum 195 x 0.95 = 185.25;
    #   project management 6 % of 190.00 = 11.40
    # March (version 2): 5 x 0.98 = 4.90; minimum 185.25;
    #   project management 6 % of (4.90 + 185.25 = 190.15) = 11.409 -> 11.41
    assert [str(line.amount.amount) for line in february.lines] == ["4.75", "185.25", "11.40"]
    assert [(line.description, str(line.amount.amount)) for line in march.lines] == [
        ("Phone (language=de)", "4.90"),
        ("Minimum volume", "185.25"),
        ("Project management", "11.41"),
    ]
    assert {line.version for line in february.lines} == {"1"}
    assert {line.version for line in march.lines} == {"2"}
    assert march.total == Money("201.56", "EUR")  # 4.90 + 185.25 + 11.41
    # the demo's months are version 1 (their figures are checked in test_examples)
    assert {line.version for invoice in item.invoices() for line in invoice.lines} == {"1"}


# -- validation --------------------------------------------------------------------------------


def test_amendments_must_be_in_date_order_one_per_day() -> None:
    contract = rate_change()
    later = Amendment("2026-12-20")
    with pytest.raises(ContractError, match=r"versions\[1\]\.start: 2026-12-16 is not after"):
        attrs.evolve(contract, versions=(later, contract.versions[0]))
    with pytest.raises(ContractError, match=r"versions\[1\]\.start: 2026-12-16 is not after"):
        contract.amended("2026-12-16")


def test_an_amendment_must_start_inside_the_term_after_its_first_day() -> None:
    base = Contract(
        "T",
        "EUR",
        [RecurringFee("Fee", amount="1.00 EUR")],
        term={
            "start": "2026-11-02",
            "end": "2027-11-02",
        },
    )
    for start in ("2026-11-02", "2026-10-01", "2027-11-02"):
        with pytest.raises(ContractError, match=r"versions\[0\]\.start: .* not inside the term"):
            base.amended(start)
    assert base.amended("2026-11-03").versions[0].start == dt.date(2026, 11, 3)


def test_an_amendment_is_checked_on_its_own_and_against_the_version_before() -> None:
    fee = RecurringFee("Fee", amount="1.00 EUR")
    with pytest.raises(ContractError, match=r"components\[1\]: the name 'Fee' is already used"):
        Amendment("2026-12-01", [fee, fee])
    with pytest.raises(ContractError, match=r"remove\[0\]: 'Fee' is both changed"):
        Amendment("2026-12-01", [fee], remove=["Fee"])
    with pytest.raises(ContractError, match=r"remove\[1\]: 'Fee' is removed twice"):
        Amendment("2026-12-01", remove=["Fee", "Fee"])
    with pytest.raises(InvalidTypeError, match=r"components\[0\] is not a Component"):
        Amendment("2026-12-01", ["Fee"])
    with pytest.raises(InvalidTypeError, match="components must be a list"):
        Amendment("2026-12-01", fee)
    with pytest.raises(InvalidTypeError, match=r"remove\[0\] must be a component name"):
        Amendment("2026-12-01", remove=[" "])
    with pytest.raises(InvalidTypeError, match="remove must be a list"):
        Amendment("2026-12-01", remove="Fee")
    base = Contract("T", "EUR", [fee])
    with pytest.raises(ContractError, match=r"versions\[0\]\.remove\[0\]: there is no .*'Other'"):
        base.amended("2026-12-01", remove=["Other"])
    with pytest.raises(ContractError, match=r"versions\[0\]: version 2 \(from 2026-12-01\): .*USD"):
        base.amended("2026-12-01", [RecurringFee("Fee", amount="1.00 USD")])
    with pytest.raises(InvalidTypeError, match=r"versions\[0\] is not an Amendment"):
        attrs.evolve(base, versions=["2026-12-01"])
    with pytest.raises(InvalidTypeError, match="versions must be a list"):
        attrs.evolve(base, versions="2026-12-01")


# -- documents ---------------------------------------------------------------------------------

DOCUMENT = """
meterprice = 1
name = "Support"
currency = "EUR"

[[components]]
type = "recurring_fee"
name = "Platform"
amount = "310.00"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "1.00"
tags = ["usage"]

[[components]]
type = "minimum_spend"
name = "Minimum"
amount = "620.00"
of = ["usage"]

[[versions]]
start = 2026-12-16
description = "new minute rate"

[[versions.components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "1.20"
tags = ["usage"]
"""


def test_versions_in_a_toml_document() -> None:
    contract = loads_contract(DOCUMENT)
    assert contract == rate_change()
    assert loads_contract(dumps_contract(contract)) == contract
    assert load_contract(json.loads(dumps_contract(contract, format="json"))) == contract
    assert dump_contract(contract)["versions"] == [
        {
            "start": "2026-12-16",
            "components": [
                {
                    "type": "per_unit",
                    "name": "Minutes",
                    "metric": "minutes",
                    "rate": "1.20",
                    "tags": ["usage"],
                }
            ],
            "description": "new minute rate",
        }
    ]
    schema = contract_schema()
    assert "versions" in schema["properties"]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            'start = 2026-12-16\ndescription = "new minute rate"',
            "versions[0].start",
            "not inside the term",
        ),
        ('description = "new minute rate"', "versions[0].start", "is required"),
        ('start = 2026-12-16\nremove = ["Setup"]', "versions[0].remove[0]", "no component 'Setup'"),
        ("start = 2026-12-16\nuntil = 2027-01-01", "versions[0].until", "unknown field"),
    ],
)
def test_a_bad_version_is_reported_with_its_path(change: str, path: str, message: str) -> None:
    text = DOCUMENT.replace('start = 2026-12-16\ndescription = "new minute rate"', change)
    if path == "versions[0].start" and message == "not inside the term":
        text = text.replace('currency = "EUR"', 'currency = "EUR"\nterm = { start = 2026-12-16 }')
    with pytest.raises(SpecError) as raised:
        loads_contract(text, source="support.toml")
    assert f"support.toml: {path}: " in str(raised.value)
    assert message in str(raised.value)


def test_out_of_order_versions_in_a_document_name_the_later_one() -> None:
    text = DOCUMENT + "\n[[versions]]\nstart = 2026-12-01\n"
    with pytest.raises(SpecError, match=r"versions\[1\]\.start: 2026-12-01 is not after "):
        loads_contract(text)


# -- properties --------------------------------------------------------------------------------


def _no_version(invoice: Invoice) -> list[Any]:
    return [attrs.evolve(line, version=None) for line in invoice.lines]


def _day_inside(data: st.DataObject, case: Case) -> dt.date:
    period = case.period
    assume(period.days >= 2)
    offset = data.draw(st.integers(1, period.days - 1))
    day = period.start + dt.timedelta(days=offset)
    term = case.contract.term
    assume((term.start is None or term.start < day) and (term.end is None or day < term.end))
    return day


@whole_contracts()
@given(case=cases(), data=st.data())
def test_an_amendment_that_changes_nothing_changes_no_invoice(
    case: Case, data: st.DataObject
) -> None:
    """Amending a contract with components equal to its own (or none) gives every
    invoice the same lines and total; the lines name version 1.
    """
    day = _day_inside(data, case)
    same = data.draw(st.lists(st.sampled_from(case.contract.components), unique=True))
    amended = case.contract.amended(day, same)
    for usage in (case.events, case.contract.meter(case.events, case.period)):
        try:
            expected = case.contract.invoice(usage, case.period)
        except PricingError:
            with pytest.raises(PricingError):
                amended.invoice(usage, case.period)
            continue
        invoice = amended.invoice(usage, case.period)
        assert _no_version(invoice) == list(expected.lines)
        assert invoice.total == expected.total
        assert {line.version for line in invoice.lines} <= {"1"}


def _prorated(contract: Contract) -> Contract:
    """``contract`` with every fee and minimum prorated on partial periods."""
    prorate: dict[str, Any] = {"prorate": True}
    return attrs.evolve(
        contract,
        components=[
            attrs.evolve(c, **prorate) if getattr(c, "prorate", True) is False else c
            for c in contract.components
        ],
    )


@whole_contracts()
@given(case=cases(), data=st.data())
def test_splitting_a_straddling_period_at_the_amendment_prices_the_same(
    case: Case, data: st.DataObject
) -> None:
    """Pricing the days before and from an amendment as two partial invoices gives the
    whole period's lines, line by line, when every fee and minimum prorates (one that
    does not is charged whole on each partial invoice, but split by days between the
    versions of one invoice).
    """
    contract = _prorated(case.contract)
    day = _day_inside(data, case)
    index = data.draw(st.integers(0, len(contract.components) - 1))
    changed = map_money(contract.components[index], lambda m: Money(m.amount * 2, m.currency))
    assume(changed != contract.components[index])  # equal versions are one: nothing splits
    amended = contract.amended(day, [changed])
    before, after = Period(case.period.start, day), Period(day, case.period.end)
    try:
        whole = amended.invoice(case.events, case.period)
    except PricingError:
        return  # usage no component prices: refused whole and in parts alike
    parts = [
        line
        for part in (before, after)
        for line in amended.invoice(case.events, part, outside_term="empty").lines
    ]
    assert list(whole.lines) == parts
    assert sum(line.exact for line in whole.lines) == sum(line.exact for line in parts)


def test_tax_and_conversion_apply_once_to_the_lines_of_every_version() -> None:
    contract = attrs.evolve(
        rate_change(),
        tax=Tax([TaxRate("standard", percent=20)]),
        conversion=Conversion("USD", [ExchangeRate("2026-12-01", "1.5")]),
    )
    invoice = contract.invoice([minutes("2026-12-03", 100), minutes("2026-12-20", 400)], DEC)
    # the lines of the rate-change example (1,090.00 EUR) x 1.5 = 1,635.00 USD, then one
    # VAT line on their total: 20 % of 1,635.00 = 327.00
    assert [str(line.amount.amount) for line in invoice.lines] == [
        "225.00",
        "150.00",
        "300.00",
        "240.00",
        "720.00",
        "327.00",
    ]
    assert [line.version for line in invoice.lines] == ["1", "1", "1", "2", "2", None]
    assert invoice.total == Money("1962.00", "USD")


@whole_contracts()
@given(case=cases(), data=st.data())
def test_an_amended_contract_round_trips_through_its_document(
    case: Case, data: st.DataObject
) -> None:
    day = _day_inside(data, case)
    index = data.draw(st.integers(0, len(case.contract.components) - 1))
    changed = map_money(case.contract.components[index], lambda m: Money(m.amount * 3, m.currency))
    removed = data.draw(st.sampled_from([None, *(c.name for c in case.contract.components)]))
    remove = [] if removed is None or removed == changed.name else [removed]
    try:
        amended = case.contract.amended(day, [changed], remove)
    except ContractError:
        return  # removing a component that a later one reads
    assert loads_contract(dumps_contract(amended)) == amended
    assert load_contract(json.loads(dumps_contract(amended, format="json"))) == amended
