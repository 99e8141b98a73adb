"""The tax clause: VAT by rate and category of line, exclusive and inclusive prices,
computed on each rounded line or on the total of each rate, reverse charge, its spec
form and its cost rule.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import roundings

from meterprice import (
    Charge,
    Component,
    Contract,
    ContractError,
    Currency,
    Line,
    MeterpriceError,
    MinimumSpend,
    Money,
    Percentage,
    PerUnit,
    PricingContext,
    PricingError,
    RecurringFee,
    Rounding,
    SpecError,
    Tax,
    TaxRate,
    dumps_contract,
    load_contract,
    loads_contract,
)
from meterprice.breakeven import cost_function

STANDARD = TaxRate("standard", percent=20)
REDUCED = TaxRate("reduced", percent="5.5", tags={"training"})


def support(tax: Tax | None, *extra: Component) -> Contract:
    """Minutes at 0.333 EUR (usage) and a training fee of 100.00 EUR (training)."""
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.333 EUR", tags={"usage"}),
            RecurringFee("Training", amount="100.00 EUR", tags={"training"}),
            *extra,
        ],
        tax=tax,
    )


def amounts(invoice: object) -> list[str]:
    return [str(line.amount.amount) for line in invoice.lines]  # type: ignore[attr-defined]


# -- exclusive prices --------------------------------------------------------------------------
def test_exclusive_on_the_total_of_each_rate() -> None:
    invoice = support(Tax([REDUCED, STANDARD])).invoice({"minutes": 1001}, "2026-11")
    # 1001 x 0.333 = 333.333 -> 333.33; training 100.00
    # reduced: 5.5 % of 100.00 = 5.50; standard: 20 % of 333.33 = 66.666 -> 66.67
    assert amounts(invoice) == ["333.33", "100.00", "5.50", "66.67"]
    assert [line.description for line in invoice.lines[2:]] == ["VAT 5.5%", "VAT 20%"]
    assert invoice.net == Money("433.33", "EUR")  # 333.33 + 100.00
    assert invoice.tax == Money("72.17", "EUR")  # 5.50 + 66.67
    assert invoice.gross == invoice.total == Money("505.50", "EUR")
    vat = invoice.lines[3]
    assert vat.component == "VAT"
    assert vat.tags == {"tax", "tax:standard"}
    assert vat.quantity == Fraction("333.33")
    assert vat.exact == Fraction("66.666")
    assert vat.unit_price == Money("0.20", "EUR")
    assert vat.basis == "20% of 333.33 EUR (1 line at this rate), rounded once"
    assert str(invoice).splitlines()[-1] == "Net 433.33, tax 72.17, gross 505.50 EUR"
    assert invoice.explain().splitlines()[-1] == (
        "  net 433.33 EUR, VAT 5.5% 5.50 EUR, VAT 20% 66.67 EUR, gross 505.50 EUR"
    )


def three_channels(on: str, prices: str = "exclusive") -> Contract:
    """Three channels of 67 contacts at 0.15 EUR: three lines of 10.05 EUR."""
    return Contract(
        "Channels",
        "EUR",
        [
            PerUnit(name, metric=name.lower(), rate="0.15 EUR", tags={"usage"})
            for name in ("Phone", "Chat", "Mail")
        ],
        tax=Tax([TaxRate("reduced", percent="5.5")], on=on, prices=prices),  # type: ignore[arg-type]
    )


USAGE = {"phone": 67, "chat": 67, "mail": 67}


def test_on_lines_and_on_total_differ_by_the_rounding_of_each_line() -> None:
    by_total = three_channels("total").invoice(USAGE, "2026-11")
    by_lines = three_channels("lines").invoice(USAGE, "2026-11")
    # total: 5.5 % of 30.15 = 1.65825 -> 1.66
    assert by_total.tax == Money("1.66", "EUR")
    # lines: 5.5 % of 10.05 = 0.55275 -> 0.55, three times: 1.65
    assert by_lines.tax == Money("1.65", "EUR")
    assert by_lines.lines[-1].basis == (
        "5.5% of each of 3 lines (30.15 EUR), each rounded: 0.55 + 0.55 + 0.55"
    )
    assert by_lines.lines[-1].exact == Fraction("1.65")  # the sum it states
    assert by_total.net == by_lines.net == Money("30.15", "EUR")


def test_a_basis_lists_at_most_eight_lines() -> None:
    contract = Contract(
        "Many",
        "EUR",
        [PerUnit(f"L{i}", metric=f"m{i}", rate="1.00 EUR") for i in range(10)],
        tax=Tax([STANDARD], on="lines"),
    )
    invoice = contract.invoice({f"m{i}": 1 for i in range(10)}, "2026-11")
    # ten lines of 1.00: 0.20 each, 2.00 in all
    assert invoice.tax == Money("2.00", "EUR")
    assert invoice.lines[-1].basis.endswith("0.20 + 0.20 + ... (2 more)")


def test_the_clause_may_round_its_own_way() -> None:
    invoice = support(Tax([REDUCED, STANDARD], rounding="down")).invoice(
        {"minutes": 1001}, "2026-11"
    )
    # 20 % of 333.33 = 66.666, rounded down: 66.66 (the lines keep half-up)
    assert amounts(invoice) == ["333.33", "100.00", "5.50", "66.66"]


# -- inclusive prices --------------------------------------------------------------------------
def test_inclusive_prices_take_the_tax_out_and_put_it_back() -> None:
    contract = Contract(
        "Gross",
        "EUR",
        [RecurringFee("Platform", amount="100.00 EUR")],
        tax=Tax([STANDARD], prices="inclusive"),
    )
    invoice = contract.invoice({}, "2026-11")
    # 20/120 of 100.00 = 16.666... -> 16.67; net 100.00 - 16.67 = 83.33
    assert amounts(invoice) == ["100.00", "-16.67", "16.67"]
    assert invoice.lines[1].tags == {"tax-included", "tax:standard"}
    assert invoice.lines[1].description == "VAT 20% included in the prices above"
    assert invoice.lines[2].exact == Fraction(50, 3)
    assert invoice.lines[2].unit_price is None
    assert invoice.lines[2].basis.startswith("20/120 (prices include 20%) of 100.00 EUR")
    assert invoice.net == Money("83.33", "EUR")
    assert invoice.tax == Money("16.67", "EUR")
    assert invoice.gross == invoice.total == Money("100.00", "EUR")


def test_inclusive_on_lines() -> None:
    contract = Contract(
        "Gross",
        "EUR",
        [
            RecurringFee("Platform", amount="100.00 EUR"),
            RecurringFee("Reporting", amount="100.00 EUR"),
        ],
        tax=Tax([STANDARD], prices="inclusive", on="lines"),
    )
    invoice = contract.invoice({}, "2026-11")
    # each: 100.00 / 6 = 16.666... -> 16.67; 33.34 (on the total: 200 / 6 -> 33.33)
    assert invoice.tax == Money("33.34", "EUR")
    assert invoice.net == Money("166.66", "EUR")
    assert invoice.gross == Money("200.00", "EUR")
    assert invoice.lines[2].exact == Fraction("-33.34")


# -- reverse charge and zero rates -------------------------------------------------------------
def test_reverse_charge_notes_the_base_without_tax() -> None:
    tax = Tax([TaxRate("eu-b2b", percent=21, reverse_charge=True)])
    invoice = support(tax).invoice({"minutes": 1001}, "2026-11")
    assert amounts(invoice) == ["333.33", "100.00", "0.00"]
    line = invoice.lines[-1]
    assert line.description == "VAT 21%, reverse charge"
    assert line.tags == {"tax", "tax:eu-b2b", "reverse-charge"}
    assert line.basis == (
        "no VAT on 433.33 EUR (2 lines): reverse charge, the customer accounts for VAT at 21%"
    )
    assert invoice.tax == Money("0.00", "EUR")
    assert invoice.net == invoice.gross == Money("433.33", "EUR")


def test_a_zero_rate_shows_its_base() -> None:
    tax = Tax([TaxRate("exempt", percent=0, tags={"training"}, description="Exempt"), STANDARD])
    invoice = support(tax).invoice({"minutes": 0}, "2026-11")
    # no minutes, no line (and no standard-rate line); training 100.00 at 0 %: 0.00
    assert amounts(invoice) == ["100.00", "0.00"]
    assert invoice.lines[1].description == "Exempt"
    assert invoice.lines[1].quantity == 100


def test_a_rate_with_no_lines_adds_no_line() -> None:
    contract = Contract(
        "Fees",
        "EUR",
        [
            RecurringFee(
                "Platform", amount="10.00 EUR", tags={"fees"}, active=(None, "2026-11-01")
            ),
            RecurringFee("Training", amount="10.00 EUR", tags={"training"}),
        ],
        tax=Tax([REDUCED, STANDARD]),
    )
    invoice = contract.invoice({}, "2026-11")
    # the platform fee ended before November: only the reduced rate has a line (0.55)
    assert amounts(invoice) == ["10.00", "0.55"]


# -- tax lines never feed a percentage or a minimum ---------------------------------------------
def test_percentages_and_minimums_never_read_tax() -> None:
    contract = support(
        Tax([REDUCED, STANDARD]),
        Percentage("Management", percent=10),
        MinimumSpend("Minimum", amount="1000.00 EUR"),
    )
    invoice = contract.invoice({"minutes": 1001}, "2026-11")
    # management: 10 % of 433.33 = 43.333 -> 43.33 (no tax in its base)
    # minimum: 1000.00 - (433.33 + 43.33) = 523.34; net 1000.00
    # tax: minimum and management fall into the standard rate with the minutes:
    #   reduced 5.5 % of 100.00 = 5.50; standard 20 % of 900.00 = 180.00
    assert amounts(invoice) == ["333.33", "100.00", "43.33", "523.34", "5.50", "180.00"]
    assert invoice.net == Money("1000.00", "EUR")
    assert invoice.gross == Money("1185.50", "EUR")


# -- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: Tax([]), "rates must name at least one tax rate"),
        (lambda: Tax([STANDARD, REDUCED]), "rates[0]: a rate without tags takes every line"),
        (lambda: Tax([REDUCED, TaxRate("reduced", percent=1)]), "rates[1].name: 'reduced'"),
        (lambda: Tax([STANDARD], prices="gross"), "prices must be one of exclusive, inclusive"),  # type: ignore[arg-type]
        (lambda: Tax([STANDARD], on="invoice"), "on must be one of total, lines (got 'invoice')"),  # type: ignore[arg-type]
        (lambda: Tax([STANDARD], rounding="nearest"), "rounding must be one of"),
        (lambda: TaxRate("standard", percent=-1), "percent must not be negative"),
        (lambda: TaxRate(" ", percent=1), "name must be a non-empty string"),
        (lambda: Tax([STANDARD], name=""), "name must be a non-empty string"),
        (lambda: TaxRate("a", percent=1, reverse_charge="yes"), "reverse_charge must be"),  # type: ignore[arg-type]
        (lambda: TaxRate("a", percent=1, tags=[""]), "tags must be non-empty strings"),
        (lambda: TaxRate("a", percent=1, tags=5), "tags must be a collection"),
        (lambda: Tax("standard"), "rates must be a list"),
        (lambda: Tax(["standard"]), "rates[0] is not a TaxRate"),
        (lambda: TaxRate("a", percent=0.2), "float"),
    ],
)
def test_a_bad_clause_is_refused(build: object, words: str) -> None:
    with pytest.raises(MeterpriceError, match=_escape(words)):
        build()  # type: ignore[operator]


def _escape(words: str) -> str:
    import re  # noqa: PLC0415

    return re.escape(words)


def test_a_float_percent_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        TaxRate("a", percent=0.2)


FEE_TAGGED_TAX = RecurringFee("Fee", amount="1.00 EUR", tags={"tax"})
FEE_NAMED_VAT = RecurringFee("VAT", amount="1.00 EUR")


@pytest.mark.parametrize(
    ("tax", "extra", "words"),
    [
        (
            Tax([TaxRate("r", percent=5, tags={"trainng"}), STANDARD]),
            (),
            "tax.rates[0].tags: no component carries trainng",
        ),
        (
            Tax([REDUCED]),
            (),
            "tax.rates: no rate of VAT takes the lines of components[0] ('Minutes', tags usage)",
        ),
        (Tax([STANDARD]), (FEE_TAGGED_TAX,), "components[2] ('Fee') carries tax"),
        (Tax([STANDARD]), (FEE_NAMED_VAT,), "components[2]: the name 'VAT' is that of the tax"),
    ],
)
def test_a_clause_that_does_not_fit_the_components_is_refused(
    tax: Tax, extra: tuple[Component, ...], words: str
) -> None:
    with pytest.raises(ContractError, match=_escape(words)):
        support(tax, *extra)


def test_a_contract_refuses_a_tax_that_is_not_a_clause() -> None:
    with pytest.raises(TypeError):
        support("VAT 20")  # type: ignore[arg-type]


def test_tax_lines_refuse_a_line_no_rate_takes() -> None:
    line = Line("Fee", "Fee", Money("1.00", "EUR"), Fraction(1), "1.00 EUR", tags={"fees"})
    with pytest.raises(PricingError, match="'Fee' of 'Fee' \\(tags fees\\) falls into no rate"):
        Tax([REDUCED]).lines([line], Currency.of("EUR"), Rounding.HALF_UP)


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

[tax]
name = "VAT"
prices = "exclusive"
on = "total"

[[tax.rates]]
name = "reduced"
percent = "5.5"
tags = ["training"]

[[tax.rates]]
name = "standard"
percent = "20"
"""


def test_the_clause_reads_from_toml_and_writes_back() -> None:
    contract = loads_contract(DOCUMENT)
    assert contract == support(Tax([REDUCED, STANDARD]))
    assert loads_contract(dumps_contract(contract)) == contract
    assert load_contract(
        __import__("json").loads(dumps_contract(contract, format="json"))
    ) == contract  # fmt: skip
    assert str(contract.invoice({"minutes": 1001}, "2026-11").total) == "505.50 EUR"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('percent = "5.5"', 'percent = "-5.5"', "tax.rates[0].percent: must not be negative"),
        ('on = "total"', 'on = "line"', "tax.on: must be one of total, lines (did you mean"),
        ('prices = "exclusive"', 'prices = "net"', "tax.prices: must be one of exclusive"),
        ('name = "reduced"', 'name = "standard"', "tax.rates[1].name: 'standard' is already"),
        ('tags = ["training"]\n\n[[', 'tags = ["trainig"]\n\n[[', "tax.rates[0].tags: no comp"),
        ('on = "total"', 'on = "total"\nrate = "20"', "tax.rate: unknown field"),
        ('percent = "20"', 'percent = "20"\nreverse_charge = "yes"', "tax.rates[1].reverse_charge"),
    ],
)
def test_a_bad_clause_in_a_document_names_its_path(old: str, new: str, problem: str) -> None:
    assert old in DOCUMENT
    with pytest.raises(SpecError) as caught:
        loads_contract(DOCUMENT.replace(old, new, 1))
    assert problem in str(caught.value)


def test_the_schema_describes_the_clause() -> None:
    from meterprice import contract_schema  # noqa: PLC0415

    schema = contract_schema()
    assert "tax" in schema["properties"]
    rate = schema["$defs"]["tax_rate"]
    assert rate["required"] == ["name", "percent"]
    assert rate["properties"]["percent"]["$ref"] == "#/$defs/non_negative_decimal"
    assert schema["$defs"]["tax"]["properties"]["on"]["enum"] == ["total", "lines"]


# -- cost rule ---------------------------------------------------------------------------------
def minutes_at(tax: Tax) -> Contract:
    return Contract(
        "Minutes",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.90 EUR", tags={"usage"}),
            RecurringFee("Training", amount="100.00 EUR", tags={"training"}),
        ],
        tax=tax,
    )


def test_the_cost_function_adds_exclusive_tax_by_rate() -> None:
    f = cost_function(minutes_at(Tax([REDUCED, STANDARD])), "minutes", "2026-11", upto=10000)
    # 1000 min: 900.00 x 1.2 + 100.00 x 1.055 = 1080 + 105.5 = 1185.5
    assert f(1000) == Fraction("1185.5")
    assert f.marginal_rate(5000) == Fraction("1.08")  # 0.90 x 1.2
    assert [name for name, _ in f.parts] == ["Minutes", "Training", "VAT"]
    invoice = minutes_at(Tax([REDUCED, STANDARD])).invoice({"minutes": 1000}, "2026-11")
    assert Fraction(invoice.total.amount) == f(1000)


def test_the_cost_function_adds_nothing_for_inclusive_or_reverse_charge() -> None:
    inclusive = minutes_at(Tax([REDUCED, STANDARD], prices="inclusive"))
    reverse = minutes_at(Tax([TaxRate("b2b", percent=20, reverse_charge=True)]))
    for contract in (inclusive, reverse):
        f = cost_function(contract, "minutes", "2026-11", upto=10000)
        assert f(1000) == 1000  # 900.00 + 100.00: the tax is inside or not charged


# -- properties --------------------------------------------------------------------------------
cents = st.integers(min_value=-(10**6), max_value=10**8).map(lambda n: Decimal(n).scaleb(-2))
percent = st.integers(min_value=0, max_value=3000).map(lambda n: Decimal(n).scaleb(-2))


@given(
    fees=st.lists(cents, min_size=1, max_size=6),
    rate=percent,
    on=st.sampled_from(["total", "lines"]),
    prices=st.sampled_from(["exclusive", "inclusive"]),
    rounding=roundings(),
)
def test_net_plus_tax_is_gross_and_lines_sum_to_the_total(
    fees: list[Decimal], rate: Decimal, on: str, prices: str, rounding: Rounding
) -> None:
    contract = Contract(
        "Fees",
        "EUR",
        [RecurringFee(f"Fee {i}", amount=Money(fee, "EUR")) for i, fee in enumerate(fees)],
        rounding=rounding,
        tax=Tax([TaxRate("only", percent=rate)], on=on, prices=prices),  # type: ignore[arg-type]
    )
    invoice = contract.invoice({}, "2026-11")
    fee_total = sum(fees, Decimal(0))
    assert sum(line.amount.amount for line in invoice.lines) == invoice.total.amount
    assert invoice.net.amount + invoice.tax.amount == invoice.gross.amount
    share = (
        Fraction(rate) / 100 if prices == "exclusive" else Fraction(rate) / (100 + Fraction(rate))
    )
    exact = Fraction(fee_total) * share
    # each rounding moves the tax by less than a cent: once on the total, once per line
    assert abs(Fraction(invoice.tax.amount) - exact) < Fraction(
        len(fees) if on == "lines" else 1, 100
    )
    if prices == "exclusive":
        assert invoice.net.amount == fee_total
    else:
        assert invoice.gross.amount == fee_total


@given(fees=st.lists(cents, min_size=1, max_size=6), rate=percent)
def test_on_total_taxes_exactly_the_rounded_net(fees: list[Decimal], rate: Decimal) -> None:
    contract = Contract(
        "Fees",
        "EUR",
        [RecurringFee(f"Fee {i}", amount=Money(fee, "EUR")) for i, fee in enumerate(fees)],
        tax=Tax([TaxRate("only", percent=rate)]),
    )
    invoice = contract.invoice({}, "2026-11")
    expected = Rounding.HALF_UP.round(Fraction(sum(fees, Decimal(0))) * Fraction(rate) / 100, 2)
    assert invoice.tax.amount == expected


def test_an_invoice_without_a_clause_has_no_tax() -> None:
    invoice = support(None).invoice({"minutes": 1001}, "2026-11")
    assert invoice.tax == Money("0.00", "EUR")
    assert invoice.net == invoice.gross == Money("433.33", "EUR")
    assert "gross" not in invoice.explain()
    assert str(invoice).splitlines()[-1].startswith("Total")


def test_tax_lines_are_in_the_invoice_document() -> None:
    data = support(Tax([REDUCED, STANDARD])).invoice({"minutes": 1001}, "2026-11").to_dict()
    assert data["lines"][-1]["tags"] == ["tax", "tax:standard"]
    assert data["lines"][-1]["amount"] == "66.67"
    assert data["total"] == "505.50"


def test_evolving_a_contract_checks_the_clause_again() -> None:
    with pytest.raises(ContractError, match="no rate of VAT"):
        attrs.evolve(support(None), tax=Tax([REDUCED]))


def test_a_rate_says_its_tag() -> None:
    assert STANDARD.tag == "tax:standard"
    assert REDUCED.matches(frozenset({"training", "usage"}))
    assert not REDUCED.matches(frozenset({"usage"}))
    assert STANDARD.matches(frozenset())


# -- lines whose tags come from the components they wrap or from their kind ---------------------
#: The tag the credit lines of :class:`Credit` carry (a module constant, as in
#: meterprice.components.service_credits).
GOODWILL_TAG = "goodwill"


@attrs.frozen
class Credit(Component):
    """A credit of 50.00 whose line carries GOODWILL_TAG besides the component's tags."""

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        return (Charge("Goodwill", "-50.00", "agreed", tags=self.tags | {GOODWILL_TAG}),)


def test_a_rate_takes_the_lines_tagged_by_their_kind() -> None:
    contract = support(
        Tax([TaxRate("exempt", percent=0, tags={GOODWILL_TAG}), REDUCED, STANDARD]),
        Credit("Goodwill"),
    )
    invoice = contract.invoice({"minutes": 1001}, "2026-11")
    # the credit is exempt: 0 % of -50.00; reduced 5.50; standard 20 % of 333.33 = 66.67
    assert [str(line.amount.amount) for line in invoice.lines] == [
        "333.33", "100.00", "-50.00", "0.00", "5.50", "66.67",
    ]  # fmt: skip
    f = cost_function(contract, "minutes", "2026-11", upto=10000)
    # 1000 min: 333 x 1.2 + 100 x 1.055 - 50 = 455.1
    assert f(1000) == Fraction("455.1")


def test_tags_a_component_adds_to_its_lines_count_as_carried() -> None:
    from meterprice.tax import line_tags  # noqa: PLC0415

    relief = attrs.make_class("Relief", {"relief_tag": attrs.field(default="relief")})()
    assert "relief" in line_tags(relief)
    assert line_tags(object()) == frozenset()
    from meterprice.components.escalators import Escalator  # noqa: PLC0415

    minutes = PerUnit("Minutes", metric="minutes", rate="0.95 EUR")
    wrapped = Escalator("Minutes", component=minutes, anniversary="2026-01-01", percent=3)
    assert line_tags(attrs.evolve(wrapped, tags={"usage"})) == {"usage"}
