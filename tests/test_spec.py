"""Contracts as data: loading, dumping, validation messages and the JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

import meterprice
from meterprice import (
    Band,
    Calendar,
    Ceiling,
    Commission,
    CommissionTier,
    Commitment,
    Component,
    Contract,
    CreditBand,
    Cycle,
    DateRange,
    DayRate,
    Discount,
    Escalator,
    ForecastBand,
    HolidayPremium,
    IndexValue,
    Kpi,
    MatrixRate,
    Maximum,
    Meter,
    MeterpriceError,
    MinimumSpend,
    MinimumVolume,
    Money,
    Package,
    Percentage,
    PercentageCharge,
    PerUnit,
    Prepaid,
    ProjectFee,
    ProratedUnits,
    Quota,
    RecurringFee,
    Rollover,
    Rounding,
    RuleRange,
    SeatChange,
    Seats,
    ServiceCredits,
    SetupFee,
    Tier,
    Tiered,
    TimeBands,
    VolumeForecast,
    Window,
    YearlyRange,
)
from meterprice.components.base import Charge, PricingContext
from meterprice.spec import (
    Problem,
    SpecError,
    _registry,
    _types,
    component_types,
    contract_schema,
    demo_periods,
    dump_contract,
    dumps_contract,
    load_contract,
    loads_contract,
    read_document,
    register_component,
    register_type,
)
from meterprice.spec._errors import Path as Path_
from meterprice.spec._errors import format_path, show
from meterprice.spec._structure import structure
from meterprice.spec._toml import dumps_toml
from meterprice.spec._types import StrHandler

DOCS = Path(__file__).resolve().parent.parent / "docs"


def document(**fields: Any) -> dict[str, Any]:
    """A valid document with one per-unit component, overridden by ``fields``."""
    base: dict[str, Any] = {
        "meterprice": 1,
        "name": "Support",
        "currency": "EUR",
        "components": [
            {"type": "per_unit", "name": "Minutes", "metric": "handle_minutes", "rate": "0.95"}
        ],
    }
    base.update(fields)
    return base


def component(**fields: Any) -> dict[str, Any]:
    return document(components=[fields])


def problems(doc: object) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_contract(doc)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


# -- loading ---------------------------------------------------------------------------------


def test_minimal_document_prices() -> None:
    contract = load_contract(document())
    assert contract == Contract(
        "Support", "EUR", [PerUnit("Minutes", metric="handle_minutes", rate="0.95 EUR")]
    )
    # 1200 min x 0.95 EUR = 1140.00 EUR
    assert contract.invoice({"handle_minutes": 1200}, "2026-11").total == Money("1140.00", "EUR")


PAY_PER_USE = """
meterprice = 1
name = "Pay-per-use support"
currency = "EUR"
rounding = "half_even"
timezone = "Europe/Amsterdam"
cycle = { unit = "month", anchor_day = 16 }
term = { start = 2026-11-16, end = "2027-11-16" }

[[meters]]
name = "handle_minutes"
source = "handle_seconds"
from_unit = "second"
unit = "minute"
increment = 6
group_by = ["channel", "language"]

[[components]]
type = "setup_fee"
name = "Implementation"
amount = "4500.00 EUR"
on = 2026-11-16

[[components]]
type = "tiered"
name = "Phone"
metric = "handle_minutes"
where = { channel = "phone", language = ["de", "fr"] }
tiers = [{ up_to = "10000", rate = "0.95" }, { rate = "0.85", flat = "EUR 10" }]
mode = "graduated"
unit = "min"
tags = ["usage"]

[[components]]
type = "percentage"
name = "Project management"
percent = "6"
of = "usage"
"""


def test_toml_text_with_every_core_shape() -> None:
    contract = loads_contract(PAY_PER_USE)
    expected = Contract(
        "Pay-per-use support",
        "EUR",
        [
            SetupFee("Implementation", amount="4500.00 EUR", on=dt.date(2026, 11, 16)),
            Tiered(
                "Phone",
                metric="handle_minutes",
                where={"channel": "phone", "language": ["de", "fr"]},
                tiers=[Tier(10000, "0.95 EUR"), Tier(None, "0.85 EUR", flat="10 EUR")],
                unit="min",
                tags={"usage"},
            ),
            Percentage("Project management", percent=6, of={"usage"}),
        ],
        meters=[
            Meter(
                "handle_minutes",
                source="handle_seconds",
                from_unit="second",
                unit="minute",
                increment=6,
                group_by=["channel", "language"],
            )
        ],
        rounding=Rounding.HALF_EVEN,
        timezone="Europe/Amsterdam",
        cycle=Cycle.monthly(16),
        term=Window(dt.date(2026, 11, 16), dt.date(2027, 11, 16)),
    )
    assert contract == expected


def test_load_from_toml_and_json_files(tmp_path: Path) -> None:
    toml_file = tmp_path / "contract.toml"
    toml_file.write_text(PAY_PER_USE, encoding="utf-8")
    contract = load_contract(toml_file)
    json_file = tmp_path / "contract.json"
    json_file.write_text(json.dumps(dump_contract(contract)), encoding="utf-8")
    assert load_contract(str(json_file)) == contract
    assert load_contract(json_file, format="json") == contract
    assert read_document(toml_file)["name"] == "Pay-per-use support"


def test_a_file_names_itself_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('meterprice = 1\nname = "X"\ncurrency = "EUX"\ncomponents = []\n')
    with pytest.raises(SpecError) as caught:
        load_contract(path)
    assert (
        str(caught.value) == f'{path}: currency: unknown currency code "EUX" (did you mean "EUR"?)'
    )
    assert caught.value.source == str(path)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text("name: x")
    with pytest.raises(SpecError) as caught:
        load_contract(path)
    assert str(caught.value) == (
        f"{path}: cannot tell the format of 'contract.yaml': name it *.toml or *.json"
    )


def test_syntax_errors() -> None:
    with pytest.raises(SpecError) as caught:
        loads_contract('name = "x', source="c.toml")
    assert str(caught.value).startswith("c.toml: not valid TOML: ")
    with pytest.raises(SpecError) as caught:
        loads_contract('{"name": }', format="json")
    assert str(caught.value) == "not valid JSON: Expecting value: line 1 column 10 (char 9)"
    with pytest.raises(SpecError) as caught:
        loads_contract('{"name": "a", "name": "b"}', format="json")
    assert str(caught.value) == 'duplicate key "name"'
    with pytest.raises(SpecError) as caught:
        loads_contract("[1, 2]", format="json")
    assert str(caught.value) == (
        "must be a JSON object (a contract document), not a list (got [1, 2])"
    )
    with pytest.raises(SpecError) as caught:
        loads_contract("[" * 100_000 + "]" * 100_000, format="json")
    assert str(caught.value) == (
        "the document is nested too deeply (at most 32 levels of tables and arrays)"
    )


def test_bad_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(SpecError) as caught:
        load_contract(path)
    assert "not UTF-8 text" in str(caught.value)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="source must be a mapping or a file path, not 3"):
        load_contract(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="text must be a string, not bytes"):
        loads_contract(b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format must be 'toml' or 'json', not 'yaml'"):
        loads_contract("x", format="yaml")
    with pytest.raises(TypeError, match="dump_contract needs a Contract"):
        dump_contract("x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dumps_contract needs a Contract"):
        dumps_contract("x")  # type: ignore[arg-type]
    contract = load_contract(document())
    with pytest.raises(ValueError, match="format must be 'toml' or 'json', not 'xml'"):
        dumps_contract(contract, format="xml")


# -- the error type --------------------------------------------------------------------------


def test_spec_error_type_and_text() -> None:
    error = SpecError(
        [
            Problem("components[0].rate", "must be positive (got '-1')", "-1"),
            Problem("", "not valid TOML", None),
        ],
        source="c.toml",
    )
    assert isinstance(error, MeterpriceError)
    assert isinstance(error, ValueError)
    assert str(error) == (
        "c.toml: 2 problems:\n  components[0].rate: must be positive (got '-1')\n  not valid TOML"
    )
    assert error.paths == ["components[0].rate", ""]
    assert str(error.with_source("d.toml")).startswith("d.toml: 2 problems:")
    path, message, value = error.problems[0]  # a problem is a (path, message, value) tuple
    assert (path, message, value) == ("components[0].rate", "must be positive (got '-1')", "-1")


def test_format_path_and_show() -> None:
    assert format_path(("components", 2, "tiers", 1, "up_to")) == "components[2].tiers[1].up_to"
    assert format_path(("components", 0, "prices", "de-CH", "a b")) == (
        'components[0].prices.de-CH."a b"'
    )
    assert show(True) == "true"
    assert show(None) == "null"
    assert show(dt.date(2026, 1, 2)) == "2026-01-02"
    assert show("x" * 100) == '"' + "x" * 56 + "..."
    assert show(object()).startswith('"<object object')


def test_every_problem_at_once() -> None:
    doc = document(
        currency="EUR",
        components=[
            {
                "type": "tiered",
                "name": "T",
                "metric": "m",
                "tiers": [{"up_to": 10000, "rate": "0.90"}, {"up_to": 5000, "rate": "0.80"}],
            },
            {"type": "per_unti", "name": "a"},
            {"type": "per_unit", "name": "b", "metric": "m", "rate": 0.95, "rat": 3},
            {"type": "package", "name": "p", "metric": "m", "size": "-1", "price": "1 USD"},
        ],
    )
    with pytest.raises(SpecError) as caught:
        load_contract(doc)
    assert caught.value.problems == [
        Problem("components[0].tiers[1].up_to", "must be greater than 10000 (got 5000)", 5000),
        Problem(
            "components[0].tiers[1].up_to",
            "the last tier must be open-ended: leave out its up_to (got 5000)",
            5000,
        ),
        Problem(
            "components[1].type",
            'unknown component type "per_unti" (did you mean "per_unit"?)',
            "per_unti",
        ),
        Problem("components[2].rat", 'unknown field (did you mean "rate"?)', 3),
        Problem(
            "components[2].rate",
            'must be a decimal string, not a float: write "0.95" in quotes so that it stays '
            "exact (got 0.95)",
            0.95,
        ),
        Problem("components[3].size", "must be positive (got '-1')", "-1"),
        Problem(
            "components[3].price", 'is in USD but the contract is in EUR (got "1 USD")', "1 USD"
        ),
    ]


# -- each error path -------------------------------------------------------------------------


def test_the_issue_example() -> None:
    tiers = [
        {"up_to": "10000", "rate": "0.90"},
        {"up_to": "5000", "rate": "0.80"},
        {"rate": "0.70"},
    ]
    doc = document(
        components=[
            {"type": "setup_fee", "name": "Setup", "amount": "100", "on": "2026-11-01"},
            {"type": "per_unit", "name": "Minutes", "metric": "m", "rate": "0.95"},
            {"type": "tiered", "name": "Chats", "metric": "chats", "tiers": tiers},
        ]
    )
    assert problems(doc) == ["components[2].tiers[1].up_to: must be greater than 10000 (got 5000)"]


def test_tier_shapes() -> None:
    def tiered(tiers: list[Any]) -> list[str]:
        return problems(component(type="tiered", name="T", metric="m", tiers=tiers))

    assert tiered([]) == ["components[0].tiers: must list at least one tier (got [])"]
    assert tiered([{"rate": "1"}, {"up_to": "5", "rate": "1"}]) == [
        "components[0].tiers[0]: has no up_to, so it must be the last tier (only the last "
        "tier is open-ended)",
        "components[0].tiers[1].up_to: the last tier must be open-ended: leave out its up_to "
        "(got 5)",
    ]
    assert tiered([{"up_to": "0", "rate": "1"}, {"rate": "1"}]) == [
        "components[0].tiers[0].up_to: must be positive (got '0')"
    ]
    assert tiered([{"up_to": 10.5, "rate": "1"}, {"rate": "1", "flat": 2.5}]) == [
        'components[0].tiers[0].up_to: must be a decimal string, not a float: write "10.5" in '
        "quotes so that it stays exact (got 10.5)",
        'components[0].tiers[1].flat: must be a decimal string, not a float: write "2.5" in '
        "quotes so that it stays exact (got 2.5)",
    ]
    # a bad value in one tier does not hide the order of the others
    assert tiered(
        [{"up_to": "100", "rate": 0.5}, {"up_to": "x", "rate": "1"}, {"up_to": 50, "rate": "1"}]
    ) == [
        'components[0].tiers[0].rate: must be a decimal string, not a float: write "0.5" in '
        "quotes so that it stays exact (got 0.5)",
        'components[0].tiers[1].up_to: is not a decimal number (got "x")',
        "components[0].tiers[2].up_to: must be greater than 100 (got 50)",
        "components[0].tiers[2].up_to: the last tier must be open-ended: leave out its up_to "
        "(got 50)",
    ]
    # null (JSON) is an optional value left out
    contract = load_contract(
        component(
            type="tiered",
            name="T",
            metric="m",
            tiers=[{"up_to": "10", "rate": "1", "flat": None}, {"up_to": None, "rate": "1"}],
        )
    )
    assert contract.components[0] == Tiered(
        "T", metric="m", tiers=[Tier(10, "1 EUR"), Tier(None, "1 EUR")]
    )
    assert tiered(["x", {"rate": "1"}]) == [
        'components[0].tiers[0]: must be a table, not a string (got "x")'
    ]
    assert tiered([{"up_to": 10.5, "rate": "1"}, {"rate": "1"}]) == [
        'components[0].tiers[0].up_to: must be a decimal string, not a float: write "10.5" in '
        "quotes so that it stays exact (got 10.5)"
    ]
    assert tiered([{"up_to": True, "rate": "1"}, {"rate": "1"}]) == [
        'components[0].tiers[0].up_to: must be a decimal string such as "0.95", not a boolean '
        "(got true)"
    ]
    assert tiered([{"up_to": "10", "rate": "1", "extra": 1}, {"rate": "1"}]) == [
        "components[0].tiers[0].extra: unknown field; Tier takes: up_to, rate, flat"
    ]
    assert problems(component(type="tiered", name="T", metric="m", tiers="x")) == [
        'components[0].tiers: must be a list, not a string (got "x")'
    ]
    assert problems(
        component(type="tiered", name="T", metric="m", tiers=[{"rate": "1"}], mode="volum")
    ) == [
        'components[0].mode: must be one of graduated, volume (did you mean "volume"?) '
        '(got "volum")'
    ]


def test_required_and_unknown_fields() -> None:
    assert problems(component(type="per_unit", name="M")) == [
        "components[0].metric: is required",
        "components[0].rate: is required",
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate="1", colour="red")) == [
        "components[0].colour: unknown field; a per_unit takes: name, metric, rate, where, "
        "included, unit, description, tags, active"
    ]
    assert problems({"meterprice": 1, "name": "X", "currency": "EUR", "componets": []}) == [
        'componets: unknown field (did you mean "components"?)',
        "components: is required",
    ]


def test_component_type_errors() -> None:
    assert problems(document(components=[{"name": "x"}]))[0].startswith(
        "components[0].type: is required: one of ceiling, commission, commitment, day_rate, "
        "discount, "
    )
    assert problems(document(components=[{"type": 3}])) == [
        "components[0].type: must be a component type name, not an integer (got 3)"
    ]
    message = problems(document(components=[{"type": "zebra"}]))[0]
    assert message.startswith('components[0].type: unknown component type "zebra"; the types are: ')
    assert problems(document(components=["per_unit"])) == [
        'components[0]: must be a table with a type field, not a string (got "per_unit")'
    ]
    assert problems(document(components={"type": "per_unit"})) == [
        'components: must be a list, not a table (got {"type": "per_unit"})'
    ]


def test_wrong_types() -> None:
    assert problems(document(name=5)) == ["name: must be a string, not an integer (got 5)"]
    assert problems(document(name="  ")) == ['name: must not be empty (got "  ")']
    assert problems(component(type="recurring_fee", name="F", amount="1", prorate="yes")) == [
        'components[0].prorate: must be true or false, not a string (got "yes")'
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate=True)) == [
        'components[0].rate: must be an amount such as "0.95" or "0.95 EUR", not a boolean '
        "(got true)"
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate="abc")) == [
        'components[0].rate: is not an amount such as "0.95" or "0.95 EUR" (got "abc")'
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate="1 2 3")) == [
        'components[0].rate: is not an amount such as "0.95" or "0.95 EUR" (got "1 2 3")'
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate="0.95 EUX")) == [
        'components[0].rate: unknown currency code "EUX" (did you mean "EUR"?) (got "0.95 EUX")'
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate="1", included="x")) == [
        'components[0].included: is not a decimal number (got "x")'
    ]
    assert problems(component(type="per_unit", name="M", metric="m", rate="1", included=[1])) == [
        'components[0].included: must be a decimal string such as "0.95", not a list (got [1])'
    ]
    assert problems(component(type="cycle_less", name="M"))[0].startswith(
        'components[0].type: unknown component type "cycle_less"'
    )
    with pytest.raises(SpecError) as caught:
        structure("not a document")
    assert str(caught.value) == (
        'must be a table (a contract document), not a string (got "not a document")'
    )


def test_money_forms() -> None:
    def rate(value: object) -> Money:
        contract = load_contract(component(type="per_unit", name="M", metric="m", rate=value))
        per_unit = contract.components[0]
        assert isinstance(per_unit, PerUnit)
        return per_unit.rate

    assert rate("0.95") == Money("0.95", "EUR")
    assert rate("0.95 EUR") == Money("0.95", "EUR")
    assert rate("EUR 0.95") == Money("0.95", "EUR")
    assert rate(1) == Money(1, "EUR")


def test_currency_and_version() -> None:
    assert problems(document(currency="EUX")) == [
        'currency: unknown currency code "EUX" (did you mean "EUR"?)'
    ]
    assert problems(document(currency="ZZZ")) == ['currency: unknown currency code "ZZZ"']
    assert problems(document(currency="XAU")) == [
        'currency: currency "XAU" has no minor unit and cannot be invoiced'
    ]
    assert problems(document(currency=978)) == [
        'currency: must be an ISO 4217 currency code such as "EUR", not an integer (got 978)'
    ]
    # with an unusable currency, amounts are still checked, except against the currency
    assert problems(
        document(
            currency="EUX",
            components=[{"type": "setup_fee", "name": "S", "amount": "1 USD", "on": "x"}],
        )
    ) == [
        'currency: unknown currency code "EUX" (did you mean "EUR"?)',
        'components[0].on: is not a date in the form YYYY-MM-DD (got "x")',
    ]
    doc = document()
    del doc["meterprice"]
    assert problems(doc) == ["meterprice: is required: start the document with meterprice = 1"]
    assert problems(document(meterprice=2)) == [
        "meterprice: unsupported format version 2: this meterprice reads version 1 (got 2)"
    ]
    assert problems(document(meterprice="1")) == [
        'meterprice: must be the format version 1, not a string (got "1")'
    ]


def test_contract_options() -> None:
    assert problems(document(rounding="half_upp")) == [
        "rounding: must be one of half_up, half_even, half_down, up, down, ceiling, floor "
        '(did you mean "half_up"?) (got "half_upp")'
    ]
    assert load_contract(document(rounding="HALF-EVEN")).rounding is Rounding.HALF_EVEN
    assert problems(document(timezone="Europe/Amsterdm")) == [
        'timezone: unknown IANA time zone "Europe/Amsterdm" (did you mean "Europe/Amsterdam"?)'
    ]
    assert problems(document(timezone=1)) == [
        'timezone: must be an IANA time zone such as "Europe/Amsterdam", not an integer (got 1)'
    ]
    assert problems(document(term={"start": "2026-11-01", "end": "2026-10-01"})) == [
        "term: a window must end after it starts (got start=2026-11-01, end=2026-10-01)"
    ]
    assert problems(document(term={"start": dt.datetime(2026, 11, 1, 9)})) == [
        "term.start: must be a date, not a date-time (got 2026-11-01T09:00:00)"
    ]
    assert problems(document(term={"start": 20261101})) == [
        "term.start: must be a date (YYYY-MM-DD), not an integer (got 20261101)"
    ]


def test_cycles() -> None:
    def cycle(value: object) -> Cycle:
        return load_contract(document(cycle=value)).cycle

    assert cycle("month") == Cycle.monthly()
    assert cycle({"unit": "month", "anchor_day": 31}) == Cycle.monthly(31)
    assert cycle({"unit": "week", "weekday": "sunday"}) == Cycle.weekly(6)
    assert cycle({"unit": "week"}) == Cycle.weekly(0)
    assert cycle({"unit": "quarter", "anchor": "2026-02-01", "interval": 2}) == Cycle(
        "quarter", dt.date(2026, 2, 1), 2
    )
    assert problems(document(cycle={"unit": "mnth"})) == [
        "cycle.unit: must be one of day, week, month, quarter, year, semimonth "
        '(did you mean "month"?) '
        '(got "mnth")'
    ]
    assert problems(document(cycle={"anchor_day": 3})) == [
        "cycle.unit: is required: one of day, week, month, quarter, year, semimonth"
    ]
    assert problems(document(cycle={"unit": "month", "anchor_day": 32})) == [
        "cycle.anchor_day: must be 1 to 31 (got 32)"
    ]
    assert problems(document(cycle={"unit": "month", "anchor_day": "1"})) == [
        'cycle.anchor_day: must be a whole number, not a string (got "1")'
    ]
    assert problems(document(cycle={"unit": "week", "anchor_day": 3})) == [
        "cycle.anchor_day: applies to monthly and semi-monthly cycles only, not to 'week'; "
        "use anchor"
    ]
    assert problems(document(cycle={"unit": "month", "weekday": "monday"})) == [
        "cycle.weekday: applies to weekly cycles only, not to 'month'; use anchor"
    ]
    assert problems(document(cycle={"unit": "week", "weekday": "funday"})) == [
        "cycle.weekday: must be one of monday, tuesday, wednesday, thursday, friday, saturday, "
        'sunday (did you mean "sunday"?) (got "funday")'
    ]
    assert problems(document(cycle={"unit": "month", "anchor": "x"})) == [
        'cycle.anchor: is not a date in the form YYYY-MM-DD (got "x")'
    ]
    assert problems(document(cycle={"unit": "month", "interval": 0, "every": 1})) == [
        "cycle.every: unknown field; a cycle takes unit, interval, anchor, anchor_day, weekday",
        "cycle.interval: must be a whole number from 1 to 1000 (got 0)",
    ]
    assert problems(document(cycle={"unit": "month", "anchor": "2026-01-01", "anchor_day": 2})) == [
        "cycle.anchor_day: give only one of anchor, anchor_day"
    ]
    assert problems(document(cycle=[1])) == [
        'cycle: must be a unit such as "month" or a table, not a list (got [1])'
    ]


def test_where_and_tags() -> None:
    def per_unit(**fields: Any) -> list[str]:
        return problems(component(type="per_unit", name="M", metric="m", rate="1", **fields))

    assert per_unit(where={"channel": 3}) == [
        "components[0].where.channel: must be a string or a list of strings, not an integer (got 3)"
    ]
    assert per_unit(where={"channel": []}) == [
        "components[0].where.channel: allows no value at all: give at least one (got [])"
    ]
    assert per_unit(where="phone") == [
        "components[0].where: must be a table of dimension names to values, not a string "
        '(got "phone")'
    ]
    assert per_unit(tags=["ok", ""]) == [
        'components[0].tags[1]: must be a non-empty string, not a string (got "")'
    ]
    assert per_unit(tags=3) == [
        "components[0].tags: must be a list of strings, not an integer (got 3)"
    ]


def test_errors_of_the_classes_land_on_their_fields() -> None:
    meter = {"name": "minutes", "source": "seconds", "from_unit": "second"}
    assert problems(document(meters=[meter])) == ["meters[0].from_unit: needs a unit to convert to"]
    assert problems(document(meters=[{"name": "m", "increment": "-6"}])) == [
        "meters[0].increment: must be positive (got '-6')"
    ]
    window = {"start": "2026-11-10", "end": "2026-11-01"}
    assert problems(component(type="per_unit", name="M", metric="m", rate="1", active=window)) == [
        "components[0].active: a window must end after it starts (got start=2026-11-10, "
        "end=2026-11-01)"
    ]
    twice = document(
        components=[
            {"type": "per_unit", "name": "M", "metric": "m", "rate": "1"},
            {"type": "per_unit", "name": "M", "metric": "n", "rate": "1"},
        ]
    )
    assert problems(twice) == ["components[1]: the name 'M' is already used by components[0]"]
    orphan = document(
        components=[{"type": "percentage", "name": "PM", "percent": "6", "of": ["usage"]}]
    )
    assert problems(orphan) == [
        "components[0]: 'PM' reads lines tagged usage but no earlier component carries that tag"
    ]


def test_demo_table() -> None:
    assert demo_periods(document(demo={"period": "2026-11", "periods": ["2026-12"]})) == [
        meterprice.Period.month(2026, 11),
        meterprice.Period.month(2026, 12),
    ]
    assert demo_periods(document()) == []
    assert load_contract(document(demo={"period": "2026-11"})) == load_contract(document())
    assert problems(document(demo={"period": "Nov", "peroids": [], "periods": "2026-11"})) == [
        "demo.period: not a period: 'Nov' (expected YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD or "
        "YYYY-MM-DD..YYYY-MM-DD)",
        'demo.peroids: unknown field (did you mean "periods"?); [demo] takes period, periods',
        'demo.periods: must be a list of periods, not a string (got "2026-11")',
    ]
    assert problems(document(demo={"periods": [1]})) == [
        'demo.periods[0]: must be a period such as "2026-11", not an integer (got 1)'
    ]
    assert problems(document(demo="2026-11")) == [
        'demo: must be a table, not a string (got "2026-11")'
    ]


# -- dumping ---------------------------------------------------------------------------------


def test_dump_leaves_defaults_out() -> None:
    contract = Contract("Flat", "EUR", [RecurringFee("Platform", amount="1500.00 EUR")])
    assert dump_contract(contract) == {
        "meterprice": 1,
        "name": "Flat",
        "currency": "EUR",
        "rounding": "half_up",
        "timezone": "UTC",
        "cycle": {"unit": "month"},
        "components": [{"type": "recurring_fee", "name": "Platform", "amount": "1500.00"}],
    }


def test_dump_cycles() -> None:
    def cycle(value: Cycle) -> object:
        contract = Contract("C", "EUR", [], cycle=value)
        return dump_contract(contract)["cycle"]

    assert cycle(Cycle.monthly(15)) == {"unit": "month", "anchor_day": 15}
    assert cycle(Cycle.weekly(2)) == {"unit": "week", "weekday": "wednesday"}
    assert cycle(Cycle.weekly(0)) == {"unit": "week"}
    assert cycle(Cycle("week", dt.date(2026, 1, 1), 2)) == {
        "unit": "week",
        "interval": 2,
        "anchor": "2026-01-01",
    }
    assert cycle(Cycle.daily()) == {"unit": "day"}
    assert cycle(Cycle.quarterly(2)) == {"unit": "quarter", "anchor": "2000-02-01"}


def test_dumps_toml_and_json_round_trip() -> None:
    contract = loads_contract(PAY_PER_USE)
    text = dumps_contract(contract)
    assert "term = { start = 2026-11-16, end = 2027-11-16 }" in text
    assert "tiers = [\n" in text
    assert loads_contract(text) == contract
    assert loads_contract(dumps_contract(contract, format="json"), format="json") == contract


def test_toml_writer_details() -> None:
    text = dumps_toml(
        {
            "a b": 'quote " and \\ and \x7f and \n',
            "flag": False,
            "items": [],
            "empty": {},
            "d": dt.date(2026, 1, 1),
        }
    )
    assert text == (
        '"a b" = "quote \\" and \\\\ and \\u007F and \\n"\n'
        "flag = false\nitems = []\nempty = {}\nd = 2026-01-01\n"
    )
    with pytest.raises(ValueError, match="cannot write None"):
        dumps_toml({"x": None})


def test_unregistered_component_cannot_be_dumped() -> None:
    @attrs.frozen
    class Free(Component):
        def price(self, ctx: PricingContext) -> list[Charge]:
            return []

    contract = Contract("C", "EUR", [Free("free")])
    with pytest.raises(TypeError, match=r"Free, which is not registered with meterprice\.spec"):
        dump_contract(contract)


# -- every registered type round-trips ----------------------------------------------------------


def every_component() -> list[Component]:
    calendar = Calendar(
        [
            YearlyRange("Double 11", "11-01", "11-11"),
            DateRange("Launch", "2026-12-01", "2026-12-03"),
            RuleRange(
                "Black Friday", "FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR", start="2020-01-01", days=4
            ),
        ]
    )
    return [
        PerUnit("Per unit", metric="minutes", rate="0.95 CNY", included=100, unit="min"),
        Tiered(
            "Tiered",
            metric="chats",
            tiers=[Tier(1000, "0.5 CNY"), Tier(None, "0.4 CNY", flat="10 CNY")],
            mode="volume",
            tags={"usage"},
        ),
        Package("Package", metric="chats", size=1000, price="450 CNY"),
        RecurringFee("Recurring", amount="1500 CNY", quantity=3, prorate=False, unit="agent"),
        SetupFee("Setup", amount="4500 CNY", on="2026-11-02"),
        MatrixRate(
            "Matrix",
            metric="minutes",
            by=("language", "channel"),
            prices={("de", "phone"): "1.10 CNY", ("de", "chat"): "0.90 CNY"},
            default="0.80 CNY",
        ),
        Seats(
            "Seats",
            fees={"pre-sales": "2600.00 CNY", "after-sales": "2300.00 CNY"},
            schedule=[SeatChange("2026-11-01", "after-sales", 2)],
            unit="agent",
        ),
        Commission(
            "Commission",
            metric="sales",
            percent=2,
            category="category",
            rates={"custom": 5, "big": [CommissionTier("10000 CNY", 1), CommissionTier(None, 2)]},
            basis="previous",
        ),
        PercentageCharge(
            "Payments",
            metric="payments",
            per_transaction="payment",
            percent="1.5",
            fixed_fee="0.30 CNY",
            free_transactions=10,
            free_amount="500 CNY",
            minimum="0.50 CNY",
            maximum="5 CNY",
            fee_in_bounds=True,
            order="at",
        ),
        ProratedUnits(
            "Licences",
            metric="licences",
            tiers=[Tier(10, "30.00 CNY"), Tier(None, "25.00 CNY")],
            mode="volume",
            tier_by="peak",
            readings="change",
            unit="licence",
        ),
        DayRate("Days", calendar=calendar, rate="800.00 CNY", agents=2),
        ProjectFee(
            "Project",
            tiers={"small": "5000.00 CNY", "large": "14000.00 CNY"},
            tier="large",
            factors={"difficulty": "1.2"},
            maximum="20000 CNY",
        ),
        Quota("Quota", metric="orders", required=1000, fee="10000 CNY"),
        Percentage("Percentage", percent=6, of={"usage"}),
        MinimumSpend("Minimum spend", amount="5000 CNY", of={"usage"}, prorate=True),
        MinimumVolume("Minimum volume", metric="minutes", quantity=2000, rate="0.9 CNY"),
        Maximum("Maximum", amount="50000 CNY"),
        Discount("Discount", percent=5, active={"start": "2026-11-16"}),
        ServiceCredits(
            "Service credits",
            of={"usage"},
            cap_percent=10,
            bonus_cap="500 CNY",
            kpis=[
                Kpi(
                    "Service level",
                    metric="minutes",
                    percent=True,
                    better="higher",
                    bands=[CreditBand("< 80", credit_percent=2, credit="10 CNY")],
                ),
                Kpi(
                    "CSAT",
                    value="4.5",
                    better="higher",
                    bands=[CreditBand(">= 4.4", bonus="1 CNY")],
                ),
            ],
            earn_back_periods=2,
        ),
        Escalator(
            "Escalated fee",
            component=RecurringFee("Fee", amount="100 CNY"),
            anniversary="2026-01-01",
            index=[IndexValue("2026-01-01", "100"), IndexValue("2027-01-01", "103")],
            floor=0,
            cap=5,
            round_at="rate",
            places=2,
        ),
        HolidayPremium(
            "Holiday premium",
            metric="minutes",
            calendar=calendar,
            multiplier="1.5",
            rate="0.95 CNY",
            band_premiums={"night": "0.20 CNY"},
            on_holidays="max",
        ),
        HolidayPremium("Public holidays", metric="minutes", country="CN", premium="0.50 CNY"),
        ForecastBand(
            "Forecast",
            metric="minutes",
            forecasts=[VolumeForecast("2026-11", volume=10000, hours=600)],
            tolerance=15,
            above=20,
            minimum_rate="30 CNY",
            of={"usage"},
            missing="ignore",
        ),
        Commitment("Commitment", amount="120000 CNY", per="quarter", of={"usage"}),
        Ceiling("Ceiling", amount="500000 CNY", per="year", after="refuse"),
        Rollover("Rollover", metric="minutes", rate="0.9 CNY", included=500, rollover_percent=50),
        Prepaid("Prepaid", amount="1000 CNY", bonus="50 CNY", on="2026-01-01", of={"usage"}),
    ]


def test_every_library_component_is_registered() -> None:
    exported = {
        getattr(meterprice, name)
        for name in meterprice.__all__
        if isinstance(getattr(meterprice, name), type)
        and issubclass(getattr(meterprice, name), Component)
        and getattr(meterprice, name) is not Component
    }
    assert exported == set(component_types().values())
    assert {type(c) for c in every_component()} == exported


def test_every_component_round_trips() -> None:
    meters = [
        Meter(
            "minutes",
            bands=TimeBands(
                [Band("weekend", days="weekend"), Band("night", "22:00", "06:00", days=["fri", 5])],
                timezone="Asia/Shanghai",
            ),
        ),
        Meter("agents", aggregation="distinct", distinct="agent", where={"site": "a"}),
    ]
    contract = Contract(
        "Everything", "CNY", every_component(), meters=meters, timezone="Asia/Shanghai"
    )
    data = dump_contract(contract)
    assert load_contract(data) == contract
    assert loads_contract(dumps_contract(contract)) == contract
    assert loads_contract(dumps_contract(contract, format="json"), format="json") == contract
    jsonschema.validate(data, contract_schema())


MATRIX = """
meterprice = 1
name = "EFIGS"
currency = "EUR"

[[components]]
type = "matrix_rate"
name = "Minutes"
metric = "minutes"
by = ["language", "channel"]
default = "0.80 EUR"

[components.prices.de]
phone = "1.10"
chat = "0.90"

[components.prices.fr]
phone = "1.05"
"""


def test_matrix_prices_as_nested_tables() -> None:
    contract = loads_contract(MATRIX)
    matrix = contract.components[0]
    assert isinstance(matrix, MatrixRate)
    assert matrix.price_for(("de", "chat")) == Money("0.90", "EUR")
    assert matrix.price_for(("fr", "phone")) == Money("1.05", "EUR")
    assert dump_contract(contract)["components"][0]["prices"] == {
        "de": {"chat": "0.90", "phone": "1.10"},
        "fr": {"phone": "1.05"},
    }
    bad = component(
        type="matrix_rate",
        name="M",
        metric="m",
        by=["language", "channel"],
        prices={"de": {"phone": 1.1}, "fr": {}, "it": "0.9"},
    )
    assert problems(bad) == [
        'components[0].prices.de.phone: must be a decimal string, not a float: write "1.1" in '
        "quotes so that it stays exact (got 1.1)",
        "components[0].prices.fr: is an empty table: give prices in it",
    ]
    short = component(
        type="matrix_rate", name="M", metric="m", by=["language", "channel"], prices={"it": "0.9"}
    )
    assert problems(short) == [
        "components[0].prices: key ('it',) has 1 value(s) but by names 2 dimension(s) "
        "(language, channel)"
    ]
    assert problems(component(type="matrix_rate", name="M", metric="m", by=["a"], prices=[])) == [
        "components[0].prices: must be a table of prices, not a list (got [])"
    ]


def test_shapes_of_the_seed_components() -> None:
    calendar: dict[str, Any] = {"ranges": [{"name": "Peak", "start": "11-01", "end": "11-31"}]}
    assert problems(component(type="day_rate", name="D", calendar=calendar, rate="800")) == [
        "components[0].calendar.ranges[0].end: day must be 1 to 30 in month 11 (got '11-31')"
    ]
    calendar = {"ranges": [{"name": "Peak", "first": "2026-11-01"}]}
    assert problems(component(type="day_rate", name="D", calendar=calendar, rate="800")) == [
        "components[0].calendar.ranges[0].last: is required"
    ]
    calendar = {"ranges": [{"title": "Peak"}]}
    assert problems(component(type="day_rate", name="D", calendar=calendar, rate="800")) == [
        "components[0].calendar.ranges[0]: must have the fields of one of: DateRange (name, "
        "first, last); YearlyRange (name, start, end); RuleRange (name, rule, start, days) "
        '(got {"title": "Peak"})'
    ]
    calendar = {"ranges": ["11-11"]}
    assert problems(component(type="day_rate", name="D", calendar=calendar, rate="800"))[
        0
    ].startswith(
        "components[0].calendar.ranges[0]: must be a table: DateRange (name, first, last);"
    )
    calendar = {"ranges": [{"name": "Peak", "start": "Nov 1", "end": 11}]}
    assert problems(component(type="day_rate", name="D", calendar=calendar, rate="800")) == [
        'components[0].calendar.ranges[0].start: must be written MM-DD, such as "11-11" '
        '(got "Nov 1")',
        'components[0].calendar.ranges[0].end: must be a day of the year such as "11-11", not '
        "an integer (got 11)",
    ]
    rule = {"ranges": [{"name": "BF", "rule": "FREQ=HOURLY", "start": "2020-01-01"}]}
    assert problems(component(type="day_rate", name="D", calendar=rule, rate="800")) == [
        "components[0].calendar.ranges[0]: the rule's FREQ must be one of YEARLY, MONTHLY, "
        "WEEKLY, DAILY (got 'FREQ=HOURLY')"
    ]
    assert problems(
        component(
            type="commission",
            name="C",
            metric="sales",
            rates={"a": [{"percent": "1", "up_to": "5"}]},
        )
    ) == [
        "components[0].rates: the last tier of rates['a'] must be open-ended (up_to=None), got "
        "up_to=5 EUR"
    ]
    assert problems(component(type="seats", name="S", fees={"a": "x"}, metric="agents")) == [
        'components[0].fees.a: is not an amount such as "0.95" or "0.95 EUR" (got "x")'
    ]
    assert problems(component(type="seats", name="S", fees=["a"], metric="agents")) == [
        'components[0].fees: must be a table of names to values, not a list (got ["a"])'
    ]
    bands: dict[str, Any] = {
        "bands": [{"name": "night", "start": "25:00", "days": ["mon", "someday", 9]}]
    }
    assert problems(document(meters=[{"name": "m", "bands": bands}])) == [
        'meters[0].bands.bands[0].start: is not a time of day in the form HH:MM (got "25:00")',
        'meters[0].bands.bands[0].days[1]: must be a day of the week ("mon" ... "sun", "monday" '
        '..., or 0 = Monday to 6 = Sunday), or weekdays, weekend, all (got "someday")',
        'meters[0].bands.bands[0].days[2]: must be a day of the week ("mon" ... "sun", "monday" '
        "..., or 0 = Monday to 6 = Sunday), or weekdays, weekend, all (got 9)",
    ]
    bands = {"bands": [{"name": "night", "start": dt.time(22, tzinfo=dt.timezone.utc), "days": []}]}
    assert problems(document(meters=[{"name": "m", "bands": bands}])) == [
        "meters[0].bands.bands[0].start: must be a time without a UTC offset (got 22:00:00+00:00)",
        "meters[0].bands.bands[0].days: must name at least one day (got [])",
    ]
    bands = {"bands": [{"name": "n", "start": 22}]}
    assert problems(document(meters=[{"name": "m", "bands": bands}])) == [
        'meters[0].bands.bands[0].start: must be a time of day such as "22:00", not an integer '
        "(got 22)"
    ]


def test_time_bands_default_to_the_contract_time_zone() -> None:
    bands = {"bands": [{"name": "night", "start": "22:00", "end": "24:00", "days": "sat"}]}
    contract = load_contract(
        document(timezone="Asia/Shanghai", meters=[{"name": "m", "bands": bands}])
    )
    meter_bands = contract.meters[0].bands
    assert meter_bands is not None
    assert meter_bands.timezone == "Asia/Shanghai"
    assert meter_bands.bands[0] == Band("night", "22:00", "00:00", days={5})
    band = dump_contract(contract)["meters"][0]["bands"]["bands"][0]
    assert band == {"name": "night", "start": "22:00", "days": ["sat"]}  # end 00:00 is the default
    late = {"bands": [{"name": "late", "start": dt.time(23, 30, 15), "end": "23:59:59.5"}]}
    with pytest.raises(SpecError):  # the regex takes whole seconds only
        load_contract(document(meters=[{"name": "m", "bands": late}]))
    late = {
        "bands": [{"name": "late", "start": dt.time(23, 30, 15), "end": dt.time(23, 59, 59, 5)}]
    }
    dumped = dump_contract(load_contract(document(meters=[{"name": "m", "bands": late}])))
    assert dumped["meters"][0]["bands"]["bands"][0]["start"] == "23:30:15"
    assert dumped["meters"][0]["bands"]["bands"][0]["end"] == "23:59:59.000005"


# -- registration ------------------------------------------------------------------------------


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made in a test vanish after it."""
    monkeypatch.setattr(_registry, "_COMPONENTS", dict(_registry._COMPONENTS))
    monkeypatch.setattr(_registry, "_COMPONENT_CLASSES", dict(_registry._COMPONENT_CLASSES))
    monkeypatch.setattr(_registry, "_STRUCTURES", dict(_registry._STRUCTURES))


@attrs.frozen
class Bonus(Component):
    """A flat bonus per period (a component defined outside the library)."""

    amount: Money = attrs.field(kw_only=True)
    weekdays: tuple[int, ...] = attrs.field(default=(), kw_only=True)
    ratio: dt.time | None = attrs.field(default=None, kw_only=True)

    def price(self, ctx: PricingContext) -> list[Charge]:
        return [Charge(self.name, self.amount.amount, f"{self.amount} bonus")]


@pytest.mark.usefixtures("scratch_registry")
def test_register_a_new_component() -> None:
    handler = register_component(Bonus, docs={"amount": "The bonus."})
    assert handler.type_name == "bonus"
    assert component_types()["bonus"] is Bonus
    contract = load_contract(
        component(type="bonus", name="B", amount="100", weekdays=[1, 2], ratio="08:00")
    )
    assert contract.components[0] == Bonus(
        "B", amount=Money(100, "EUR"), weekdays=(1, 2), ratio=dt.time(8)
    )
    assert load_contract(dump_contract(contract)) == contract
    assert (
        contract_schema()["$defs"]["bonus"]["properties"]["amount"]["description"] == "The bonus."
    )
    register_component(Bonus)  # registering the same class again is harmless
    with pytest.raises(
        ValueError, match="the component type 'bonus' is already registered for Bonus"
    ):
        register_component(PerUnit, type_name="bonus")
    with pytest.raises(TypeError, match="is not a Component class"):
        register_component(int)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Bonus has no field"):
        register_component(Bonus, type_name="bonus2", fields={"colour": StrHandler()})


@pytest.mark.usefixtures("scratch_registry")
def test_a_field_without_a_handler_is_refused_at_registration() -> None:
    @attrs.frozen
    class Odd(Component):
        weights: set[int] = attrs.field(kw_only=True)

        def price(self, ctx: PricingContext) -> list[Charge]:
            return []

    with pytest.raises(TypeError, match=r"Odd.weights: no handler for values of type set\[int\]"):
        register_component(Odd)

    @attrs.frozen
    class Either(Component):
        value: int | str = attrs.field(kw_only=True)

        def price(self, ctx: PricingContext) -> list[Charge]:
            return []

    with pytest.raises(TypeError, match="no handler for the union"):
        register_component(Either)

    @attrs.frozen
    class Unresolved(Component):
        value: Missing = attrs.field(kw_only=True)  # type: ignore[name-defined]  # noqa: F821

        def price(self, ctx: PricingContext) -> list[Charge]:
            return []

    with pytest.raises(TypeError, match="cannot read the type annotations of Unresolved"):
        register_component(Unresolved)
    with pytest.raises(TypeError, match="int is not an attrs class"):
        _registry.ClassHandler(int)


def test_snake_case() -> None:
    assert _registry.snake_case("MinimumSpend") == "minimum_spend"
    assert _registry.snake_case("PerUnit") == "per_unit"
    assert _registry.snake_case("HTTPFee") == "http_fee"
    assert _registry.snake_case("Tiered") == "tiered"


# -- the schema ---------------------------------------------------------------------------------


def test_schema_is_valid_and_accepts_dumped_documents() -> None:
    schema = contract_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["meterprice"] == {
        "const": 1,
        "description": "The document format version: 1.",
    }
    assert set(component_types()) <= set(schema["$defs"])
    validator = jsonschema.Draft202012Validator(schema)
    contract = loads_contract(PAY_PER_USE)
    assert list(validator.iter_errors(dump_contract(contract))) == []
    bad = dump_contract(contract)
    bad["components"][0]["amount"] = 4500.5
    assert not validator.is_valid(bad)
    assert not validator.is_valid(document(components=[{"type": "nope", "name": "x"}]))


def test_schema_is_stable() -> None:
    assert json.dumps(contract_schema(), sort_keys=True) == json.dumps(
        contract_schema(), sort_keys=True
    )


# -- the documentation --------------------------------------------------------------------------


def test_docs_describe_every_component_and_field() -> None:
    text = (DOCS / "contracts-as-data.md").read_text(encoding="utf-8")
    for name, handler in sorted(_registry._COMPONENTS.items()):
        assert f"`{name}`" in text, f"docs/contracts-as-data.md does not describe {name}"
        for field in handler.fields:
            assert re.search(rf"`{field.key}`", text), f"{name}.{field.key} is not documented"


def test_docs_examples_load() -> None:
    loaded = 0
    for page in ("contracts-as-data.md", "cli.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        for block in re.findall(r"```toml\n(.*?)```", text, re.DOTALL):
            if re.search(r"^meterprice = 1$", block, re.MULTILINE):
                assert isinstance(loads_contract(block, source=page), Contract)
                loaded += 1
    assert loaded == 2  # the pay-per-use and flat-fee contracts of the command-line page


def test_decimal_strings_survive() -> None:
    contract = load_contract(
        component(type="per_unit", name="M", metric="m", rate="0.1234567890123456789012345")
    )
    per_unit = contract.components[0]
    assert isinstance(per_unit, PerUnit)
    assert per_unit.rate.amount == Decimal("0.1234567890123456789012345")
    assert dump_contract(contract)["components"][0]["rate"] == "0.1234567890123456789012345"


@attrs.frozen
class Extras(Component):
    # no docstring: the schema has no description for it
    share: Fraction = attrs.field(kw_only=True)
    limits: dict[str, Decimal] = attrs.field(factory=dict, kw_only=True)
    label: str | None = attrs.field(default="x", kw_only=True)
    checked: int = attrs.field(
        default=0,
        kw_only=True,
        converter=attrs.Converter(abs),  # type: ignore[misc]
    )
    derived: int = attrs.field(
        default=0,
        kw_only=True,
        converter=attrs.Converter(lambda value, me: value, takes_self=True),  # type: ignore[misc]
    )

    def price(self, ctx: PricingContext) -> list[Charge]:
        return []


@pytest.mark.usefixtures("scratch_registry")
def test_generic_value_kinds() -> None:
    register_component(Extras)
    doc = component(
        type="extras",
        name="E",
        share="1/3",
        limits={"a": "1.5"},
        label=None,
        checked=-2,
        derived=3,
    )
    contract = load_contract(doc)
    extras = contract.components[0]
    assert extras == Extras(
        "E", share=Fraction(1, 3), limits={"a": Decimal("1.5")}, label=None, checked=2, derived=3
    )
    data = dump_contract(contract)["components"][0]
    del data["derived"]
    # a None where the default is not None cannot be written in TOML: it is left out
    assert data == {
        "type": "extras",
        "name": "E",
        "share": "1/3",
        "limits": {"a": "1.5"},
        "checked": 2,
    }
    assert (
        dump_contract(load_contract(component(type="extras", name="E", share="0.25")))[
            "components"
        ][0]["share"]
        == "0.25"
    )
    assert problems(component(type="extras", name="E", share="1/0")) == [
        'components[0].share: has a zero denominator (got "1/0")'
    ]
    assert problems(component(type="extras", name="E", share=0.5)) == [
        'components[0].share: must be a decimal string, not a float: write "0.5" in quotes so '
        "that it stays exact (got 0.5)"
    ]
    assert problems(component(type="extras", name="E", share="1", limits=[1])) == [
        "components[0].limits: must be a table, not a list (got [1])"
    ]
    assert problems(component(type="extras", name="E", share="1", limits={"a": "x"})) == [
        'components[0].limits.a: is not a decimal number (got "x")'
    ]
    schema = contract_schema()["$defs"]["extras"]
    assert "description" not in schema
    assert schema["properties"]["limits"]["type"] == "object"


@attrs.frozen
class Code:
    text: str


@attrs.frozen
class Coded(Component):
    code: Code = attrs.field(kw_only=True)

    def price(self, ctx: PricingContext) -> list[Charge]:
        return []


@pytest.mark.usefixtures("scratch_registry")
def test_register_type() -> None:
    class CodeHandler(_types.Handler):
        def structure(self, value: object, path: Path_, ctx: _types.Context) -> object:
            if not isinstance(value, str):
                return ctx.report(path, "must be a code", value)
            return Code(value)

        def unstructure(self, value: Any, options: _types.Options) -> object:
            return value.text

        def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
            return {"type": "string"}

    register_type(Code, CodeHandler())
    register_component(Coded)
    contract = load_contract(component(type="coded", name="C", code="X1"))
    assert contract.components[0] == Coded("C", code=Code("X1"))
    assert dump_contract(contract)["components"][0]["code"] == "X1"
    assert problems(component(type="coded", name="C", code=1)) == [
        "components[0].code: must be a code"
    ]


def test_internals() -> None:
    assert repr(_types.INVALID) == "INVALID"
    assert not _types.INVALID
    assert _types._Invalid() is _types.INVALID
    looped: list[object] = []
    looped.append(looped)
    assert show(looped) == "[[...]]"
    ranges = _registry.handler_for(Calendar).fields[0].handler  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="is none of DateRange, YearlyRange, RuleRange"):
        ranges.inner.unstructure(object(), _types.Options())
    defs: dict[str, Any] = {}
    components = _registry.ComponentHandler()
    assert components.schema(defs) == components.schema(defs) == {"$ref": "#/$defs/component"}
    assert _registry.ClassHandler(Window).schema({})["properties"]["start"]["format"] == "date"
    assert _types.closest("RATE", ["rate", "where"]) == ' (did you mean "rate"?)'
    assert _types.closest("zebra", ["rate", "where"]) == ""
    ctx = _types.Context({"a": [1, {"b": 2}]})
    assert ctx.lookup(("a", 1, "b")) == 2
    assert ctx.lookup(("a", 5)) is None
    assert ctx.lookup(("a", "x")) is None
    assert _types.wrong_type("a string", dt.datetime(2026, 1, 1)).startswith(
        "must be a string, not a date-time"
    )
    assert (
        _types.wrong_type("a string", dt.time(8)) == "must be a string, not a time (got 08:00:00)"
    )
    assert _types.wrong_type("a string", b"x") == "must be a string, not bytes (got \"b'x'\")"


def test_days_by_number_from_a_document() -> None:
    bands = {"bands": [{"name": "weekend", "days": [5, "sunday"]}]}
    contract = load_contract(document(meters=[{"name": "m", "bands": bands}]))
    meter_bands = contract.meters[0].bands
    assert meter_bands is not None
    assert meter_bands.bands[0].days == frozenset({5, 6})
    assert dump_contract(contract)["meters"][0]["bands"]["bands"][0]["days"] == "weekend"


EXAMPLE_DOCUMENTS = sorted((Path(meterprice.__file__).parent / "examples").glob("*.toml"))


def _plain(value: object) -> object:
    """TOML dates and times as the ISO strings of the JSON form."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", EXAMPLE_DOCUMENTS, ids=lambda path: path.name)
def test_bundled_examples_load_round_trip_and_match_the_schema(path: Path) -> None:
    contract = load_contract(path)
    assert loads_contract(dumps_contract(contract)) == contract
    assert load_contract(dump_contract(contract)) == contract
    jsonschema.validate(_plain(read_document(path)), contract_schema())
