"""Invoicing in another currency: exact rates from a table, the reference day (end of
period, invoice date, fixed date), each rounded line converted and rounded once in the
invoice currency's minor unit, both amounts on every line, the spec form and the cost
rule.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import roundings

from meterprice import (
    Contract,
    ContractError,
    Conversion,
    ExchangeRate,
    MeterpriceError,
    Money,
    Percentage,
    PerUnit,
    PricingError,
    RecurringFee,
    Rounding,
    SpecError,
    Tax,
    TaxRate,
    contract_schema,
    dumps_contract,
    load_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function

RATES = [
    ExchangeRate("2026-11-01", "1.05"),
    ExchangeRate("2026-11-30", "1.0832"),
    ExchangeRate("2026-12-01", "1.10"),
]


def support(conversion: Conversion, *, tax: Tax | None = None) -> Contract:
    """Minutes at 0.333 EUR and a training fee of 100.00 EUR, invoiced in another currency."""
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.333 EUR", tags={"usage"}),
            RecurringFee("Training", amount="100.00 EUR", tags={"training"}),
        ],
        conversion=conversion,
        tax=tax,
    )


def amounts(invoice: object) -> list[str]:
    return [str(line.amount) for line in invoice.lines]  # type: ignore[attr-defined]


def test_the_rate_of_the_last_day_of_the_period_converts_each_rounded_line() -> None:
    invoice = support(Conversion("USD", RATES)).invoice({"minutes": 1001}, "2026-11")
    # 1001 x 0.333 = 333.333 -> 333.33 EUR; x 1.0832 (rate of 2026-11-30) = 361.063056
    # -> 361.06 USD; 100.00 EUR x 1.0832 = 108.32 USD
    assert amounts(invoice) == ["361.06 USD", "108.32 USD"]
    assert invoice.currency.code == "USD"
    assert invoice.total == Money("469.38", "USD")
    minutes = invoice.lines[0]
    assert minutes.original == Money("333.33", "EUR")
    assert minutes.exact == Fraction("361.063056")
    assert minutes.unit_price == Money("0.3607056", "USD")  # 0.333 x 1.0832, exact
    assert minutes.explain() == (
        "Minutes: 1001 x 0.333 EUR = 333.333 EUR, rounded to 333.33 EUR; x 1.0832 USD/EUR "
        "(rate of 2026-11-30) = 361.063056 USD, rounded to 361.06 USD"
    )
    assert minutes.to_dict()["original"] == {"amount": "333.33", "currency": "EUR"}


def test_the_latest_rate_on_or_before_the_day_applies() -> None:
    conversion = Conversion("USD", RATES)
    december = support(conversion).invoice({"minutes": 0}, "2026-12")
    # 2026-12-31: the latest rate is that of 2026-12-01, 1.10; 100.00 x 1.10 = 110.00
    assert amounts(december) == ["110.00 USD"]
    gap = Conversion("USD", [ExchangeRate("2026-11-15", "1.2")])
    # 2026-11-30 falls after 2026-11-15: 100.00 x 1.2 = 120.00
    assert amounts(support(gap).invoice({"minutes": 0}, "2026-11")) == ["120.00 USD"]


def test_a_day_before_the_table_is_refused() -> None:
    with pytest.raises(PricingError, match=re.escape("no exchange rate to USD on or before")):
        support(Conversion("USD", RATES)).invoice({"minutes": 0}, "2026-10")


def test_the_rate_of_the_invoice_date() -> None:
    contract = support(Conversion("USD", RATES, reference="invoice_date"))
    invoice = contract.invoice({"minutes": 0}, "2026-11", invoice_date=dt.date(2026, 12, 5))
    # 2026-12-05: the rate of 2026-12-01, 1.10
    assert amounts(invoice) == ["110.00 USD"]
    with pytest.raises(PricingError, match=re.escape("pass invoice_date= to Contract.invoice")):
        contract.invoice({"minutes": 0}, "2026-11")
    with pytest.raises(PricingError, match="2026-10-05, the invoice date of 2026-11"):
        contract.invoice({"minutes": 0}, "2026-11", invoice_date=dt.date(2026, 10, 5))


def test_a_fixed_date() -> None:
    contract = support(Conversion("USD", RATES, reference="fixed", date="2026-11-10"))
    # every period at the rate of 2026-11-01, 1.05: 100.00 x 1.05 = 105.00
    for period in ("2026-11", "2026-12", "2027-06"):
        assert amounts(contract.invoice({"minutes": 0}, period)) == ["105.00 USD"]


def test_the_minor_unit_of_the_invoice_currency() -> None:
    jpy = support(Conversion("JPY", [ExchangeRate("2026-01-01", "162.47")]))
    # 333.33 EUR x 162.47 = 54156.1251 -> 54156 JPY; 100.00 x 162.47 = 16247 JPY
    assert amounts(jpy.invoice({"minutes": 1001}, "2026-11")) == ["54156 JPY", "16247 JPY"]
    kwd = support(Conversion("KWD", [ExchangeRate("2026-01-01", "0.33781")]))
    # 333.33 x 0.33781 = 112.6022073 -> 112.602 KWD; 100.00 x 0.33781 = 33.781 KWD
    assert amounts(kwd.invoice({"minutes": 1001}, "2026-11")) == ["112.602 KWD", "33.781 KWD"]


def test_converting_each_line_may_differ_from_converting_the_total() -> None:
    contract = Contract(
        "Cents",
        "EUR",
        [RecurringFee(f"Fee {i}", amount="0.01 EUR") for i in range(3)],
        conversion=Conversion("USD", [ExchangeRate("2026-01-01", "1.5")]),
    )
    invoice = contract.invoice({}, "2026-11")
    # each 0.01 x 1.5 = 0.015 -> 0.02 (half up): 0.06 USD; the EUR total 0.03 x 1.5 would be
    # 0.045 -> 0.05: the documented rule converts the lines, and the total is their sum
    assert invoice.total == Money("0.06", "USD")


def test_the_clause_may_round_its_own_way() -> None:
    contract = support(Conversion("USD", RATES, rounding="down"))
    # 361.063056 -> 361.06 either way; 333.33 is rounded half up in EUR first
    invoice = contract.invoice({"minutes": 1002}, "2026-11")
    # 1002 x 0.333 = 333.666 -> 333.67 EUR; x 1.0832 = 361.431344 -> 361.43 (down)
    assert amounts(invoice)[0] == "361.43 USD"
    up = support(Conversion("USD", RATES, rounding="up")).invoice({"minutes": 1002}, "2026-11")
    assert amounts(up)[0] == "361.44 USD"


def test_a_percentage_keeps_its_rate_and_tax_comes_after_conversion() -> None:
    contract = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.333 EUR", tags={"usage"}),
            Percentage("Management", percent=6, of={"usage"}),
        ],
        conversion=Conversion("USD", RATES),
        tax=Tax([TaxRate("standard", percent=20)]),
    )
    invoice = contract.invoice({"minutes": 1001}, "2026-11")
    # management: 6 % of 333.33 EUR = 19.9998 -> 20.00 EUR; x 1.0832 = 21.664 -> 21.66 USD
    # VAT: 20 % of (361.06 + 21.66 = 382.72) USD = 76.544 -> 76.54 USD
    assert amounts(invoice) == ["361.06 USD", "21.66 USD", "76.54 USD"]
    assert invoice.lines[1].unit_price == Money("0.06", "USD")  # a ratio, not converted
    assert invoice.lines[1].original == Money("20.00", "EUR")
    assert invoice.lines[2].original is None
    assert invoice.gross == Money("459.26", "USD")


# -- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: Conversion("USD", []), "rates must give at least one exchange rate"),
        (
            lambda: Conversion("USD", [RATES[0], ExchangeRate("2026-11-01", "2")]),
            "rates[1].on: 2026-11-01 already has a rate (rates[0])",
        ),
        (lambda: Conversion("USD", RATES, reference="fixed"), "date is required with reference"),
        (lambda: Conversion("USD", RATES, date="2026-11-01"), "date is read only with reference"),
        (
            lambda: Conversion("USD", RATES, reference="fixed", date="2026-10-01"),
            "date: no exchange rate on or before 2026-10-01 (the table starts on 2026-11-01)",
        ),
        (
            lambda: Conversion("USD", RATES, reference="today"),  # type: ignore[arg-type]
            "reference must be one of",
        ),
        (lambda: Conversion("USD", RATES, rounding="nearest"), "rounding must be one of"),
        (lambda: Conversion("USD", "1.08"), "rates must be a list"),
        (lambda: Conversion("USD", ["1.08"]), "rates[0] is not an ExchangeRate"),
        (lambda: Conversion(840, RATES), "currency must be an ISO 4217 code"),
        (lambda: Conversion("USX", RATES), "USX"),
        (lambda: ExchangeRate("2026-11-01", "0"), "rate must be positive"),
        (lambda: ExchangeRate("2026-11-01", "-1.2"), "rate must be positive"),
        (lambda: ExchangeRate("2026-11-01", 1.08), "float"),
        (lambda: ExchangeRate("2026-11-31", "1"), "on is not an ISO date"),
        (lambda: ExchangeRate(dt.datetime(2026, 11, 1), "1"), "on must be a date"),
        (lambda: Conversion("USD", RATES, reference="fixed", date=5), "date must be a date"),
    ],
)
def test_a_bad_conversion_is_refused(build: object, words: str) -> None:
    with pytest.raises(MeterpriceError, match=re.escape(words)):
        build()  # type: ignore[operator]


def test_a_float_rate_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        ExchangeRate("2026-11-01", 1.08)


def test_converting_to_the_contract_currency_is_refused() -> None:
    with pytest.raises(
        ContractError, match=re.escape("conversion.currency: the contract is already in EUR")
    ):
        support(Conversion("EUR", RATES))


# -- contracts as data -------------------------------------------------------------------------
DOCUMENT = """
meterprice = 1
name = "Support"
currency = "EUR"

[[components]]
type = "per_unit"
name = "Minutes"
metric = "minutes"
rate = "0.333"
tags = ["usage"]

[[components]]
type = "recurring_fee"
name = "Training"
amount = "100.00"
tags = ["training"]

[conversion]
currency = "USD"
reference = "period_end"

[[conversion.rates]]
on = 2026-11-01
rate = "1.05"

[[conversion.rates]]
on = 2026-11-30
rate = "1.0832"

[[conversion.rates]]
on = 2026-12-01
rate = "1.10"
"""


def test_the_conversion_reads_from_toml_and_writes_back() -> None:
    contract = loads_contract(DOCUMENT)
    assert contract == support(Conversion("USD", RATES))
    assert loads_contract(dumps_contract(contract)) == contract
    assert load_contract(json.loads(dumps_contract(contract, format="json"))) == contract
    assert str(contract.invoice({"minutes": 1001}, "2026-11").total) == "469.38 USD"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('rate = "1.05"', 'rate = "0"', "conversion.rates[0].rate: must be positive"),
        ('rate = "1.05"', "rate = 1.05", "conversion.rates[0].rate"),
        ("on = 2026-11-01", 'on = "2026-11-31"', "conversion.rates[0].on: is not a date"),
        ('reference = "period_end"', 'reference = "end"', "conversion.reference: must be one"),
        ('reference = "period_end"', 'reference = "fixed"', "conversion.date: is required"),
        ('currency = "USD"', 'currency = "USX"', "conversion.currency"),
        ("on = 2026-11-30", "on = 2026-11-01", "conversion.rates[1].on: 2026-11-01 already"),
    ],
)
def test_a_bad_conversion_in_a_document_names_its_path(old: str, new: str, problem: str) -> None:
    assert old in DOCUMENT
    with pytest.raises(SpecError) as caught:
        loads_contract(DOCUMENT.replace(old, new, 1))
    assert problem in str(caught.value)


def test_the_schema_describes_the_conversion() -> None:
    schema = contract_schema()
    assert "conversion" in schema["properties"]
    rate = schema["$defs"]["exchange_rate"]
    assert rate["required"] == ["on", "rate"]
    assert rate["properties"]["rate"]["$ref"] == "#/$defs/positive_decimal"
    reference = schema["$defs"]["conversion"]["properties"]["reference"]
    assert reference["enum"] == ["period_end", "invoice_date", "fixed"]


# -- cost rule ---------------------------------------------------------------------------------
def test_the_cost_function_is_in_the_invoice_currency() -> None:
    contract = Contract(
        "Minutes",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.90 EUR"),
            RecurringFee("Platform", amount="100.00 EUR", tags={"fees"}),
            Percentage("Management", percent=6, of={"fees"}),
        ],
        conversion=Conversion("USD", RATES),
        tax=Tax([TaxRate("standard", percent=20)]),
    )
    f = cost_function(contract, "minutes", "2026-11", upto=10000)
    # 1000 min: (900.00 + 100.00 + 6 % of 100.00) EUR = 1006 EUR (the percentage reads EUR)
    # x 1.0832 = 1089.6992 USD, plus 20 % VAT: 1307.63904 USD
    assert f(1000) == Fraction("1307.63904")
    assert f.currency.code == "USD"
    assert [name for name, _ in f.parts] == ["Minutes", "Platform", "Management", "VAT"]
    invoice = contract.invoice({"minutes": 1000}, "2026-11")
    # lines: 974.88 + 108.32 + 6.00 EUR x 1.0832 = 6.4992 -> 6.50; VAT 20 % of 1089.70
    # = 217.94; total 1307.64, the exact cost within the rounding of its lines
    assert invoice.total == Money("1307.64", "USD")


def test_the_cost_function_cannot_know_the_invoice_date() -> None:
    contract = support(Conversion("USD", RATES, reference="invoice_date"))
    with pytest.raises(ContractError, match="the exchange rate is that of the invoice date"):
        cost_function(contract, "minutes", "2026-11", upto=100)


# -- properties --------------------------------------------------------------------------------
cents = st.integers(min_value=-(10**6), max_value=10**8).map(lambda n: Decimal(n).scaleb(-2))
rates = st.integers(min_value=1, max_value=10**7).map(lambda n: Decimal(n).scaleb(-5))
HALF = {Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.HALF_DOWN}


@given(
    fees=st.lists(cents, min_size=1, max_size=6),
    rate=rates,
    code=st.sampled_from(["USD", "JPY", "KWD"]),
    rounding=roundings(),
)
def test_lines_convert_then_sum_within_the_rounding_of_each(
    fees: list[Decimal], rate: Decimal, code: str, rounding: Rounding
) -> None:
    contract = Contract(
        "Fees",
        "EUR",
        [RecurringFee(f"Fee {i}", amount=Money(fee, "EUR")) for i, fee in enumerate(fees)],
        rounding=rounding,
        conversion=Conversion(code, [ExchangeRate("2026-01-01", rate)]),
    )
    invoice = contract.invoice({}, "2026-11")
    places = invoice.currency.minor_units
    # the documented rule: each rounded line times the rate, rounded once; total = their sum
    converted = [rounding.round(Fraction(fee) * Fraction(rate), places) for fee in fees]
    assert [line.amount.amount for line in invoice.lines] == converted
    assert invoice.total.amount == sum(converted, Decimal(0))
    assert [line.original for line in invoice.lines] == [Money(fee, "EUR") for fee in fees]
    # against converting the EUR total once: at most half a minor unit per rounding with a
    # half-* rounding, less than one per rounding otherwise
    once = rounding.round(Fraction(sum(fees, Decimal(0))) * Fraction(rate), places)
    unit = Fraction(1, 10**places)
    bound = Fraction(len(fees) + 1, 2) if rounding in HALF else Fraction(len(fees) + 1)
    assert abs(Fraction(invoice.total.amount) - Fraction(once)) <= bound * unit
