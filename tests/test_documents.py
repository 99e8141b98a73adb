"""Invoice documents: their shape, round trip, schema and the errors of bad documents."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from strategies import Case, cases, whole_contracts
from test_exchange import RATES
from test_exchange import support as exchange_support
from test_tax import STANDARD

from meterprice import (
    Contract,
    Conversion,
    Currency,
    Dimensions,
    Invoice,
    Line,
    MatrixRate,
    Money,
    Period,
    PerUnit,
    Rounding,
    SpecError,
    Tax,
    Usage,
)
from meterprice.documents import (
    INVOICE_FORMAT,
    MAX_NUMBER_TEXT,
    DocumentError,
    invoice_schema,
)
from meterprice.errors import InvalidValueError
from meterprice.payment import PaymentTerms, PromptDiscount

NOV = Period.month(2026, 11)


def matrix_invoice() -> Invoice:
    contract = Contract(
        "EFIGS",
        "EUR",
        [
            MatrixRate(
                "Minutes",
                metric="minutes",
                by=("language", "channel"),
                prices={("de", "phone"): "1.10 EUR", ("de", "chat"): "0.90 EUR"},
                unit="min",
                active={"start": "2026-11-23"},
            )
        ],
    )
    usage = Usage.from_totals(
        {
            ("minutes", Dimensions({"language": "de", "channel": "phone"})): 101,
            ("minutes", Dimensions({"language": "de", "channel": "chat"})): 100,
        }
    )
    return contract.invoice(usage, NOV, spread="days")


def test_the_document_of_a_matrix_invoice_by_hand() -> None:
    data = matrix_invoice().to_dict()
    assert data["format"] == INVOICE_FORMAT
    chat, phone = data["lines"]
    # totals spread over the 8 of 30 days the matrix is active:
    # 100 x 8/30 = 80/3 chat minutes x 0.90 = 24 EUR exactly
    assert chat == {
        "component": "Minutes",
        "description": "Minutes (language=de, channel=chat)",
        "version": None,
        "dimensions": {"channel": "chat", "language": "de"},
        "active": {"start": "2026-11-23", "end": "2026-12-01"},
        "quantity": "80/3",
        "unit": "min",
        "unit_price": "0.90",
        "amount": "24.00",
        "exact_amount": "24",
        "original": None,
        "basis": chat["basis"],
        "tags": [],
    }
    # 101 x 8/30 = 404/15 phone minutes x 1.10 = 2222/75 = 29.6266... -> 29.63
    assert (phone["quantity"], phone["exact_amount"], phone["amount"]) == (
        "404/15",
        "2222/75",
        "29.63",
    )
    assert data["total"] == "53.63"
    jsonschema.validate(data, invoice_schema())


def test_an_invoice_reads_back_equal_through_json() -> None:
    invoice = matrix_invoice().issue("INV-7", dt.date(2026, 12, 2))
    text = json.dumps(invoice.to_dict())
    back = Invoice.from_dict(json.loads(text))
    assert back == invoice
    assert back.lines[0].quantity == Fraction(80, 3)
    assert back.lines[0].dimensions == Dimensions({"language": "de", "channel": "chat"})
    assert (back.reference, back.issued) == ("INV-7", dt.date(2026, 12, 2))


def test_exact_amounts_never_lose_a_digit() -> None:
    tiny = Line(
        "c",
        "c",
        Money("0.00", "EUR"),
        Fraction(27, 10**8),
        "b",
        quantity=Fraction(1, 7),
        unit_price=Money("0.00000027", "EUR"),
    )
    invoice = Invoice("X", NOV, Currency.of("EUR"), Rounding.HALF_UP, [tiny])
    line = invoice.to_dict()["lines"][0]
    # plain decimals, never exponent notation; a fraction when it does not terminate
    assert (line["exact_amount"], line["unit_price"], line["quantity"]) == (
        "0.00000027",
        "0.00000027",
        "1/7",
    )
    assert Invoice.from_dict(invoice.to_dict()) == invoice
    jsonschema.validate(invoice.to_dict(), invoice_schema())


def _document() -> dict[str, Any]:
    return copy.deepcopy(matrix_invoice().to_dict())


def _problems(data: object) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        Invoice.from_dict(data)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_bad_documents_name_every_path() -> None:
    data = _document()
    data["currency"] = "EUX"
    data["lines"][0]["amount"] = 15.0
    data["lines"][1]["exact_amount"] = "55,275"
    data["lines"][1]["dimensions"] = {"channel": 1}
    data["lines"][1]["colour"] = "red"
    del data["period"]
    assert _problems(data) == [
        "period: is required",
        'currency: unknown currency code "EUX" (did you mean "EUR"?)',
        'lines[0].amount: must be a decimal string, not a float: write "15.0" in quotes so '
        "that it stays exact (got 15.0)",
        "lines[1].colour: unknown field",
        "lines[1].dimensions.channel: must be a string, not an integer (got 1)",
        'lines[1].exact_amount: is not an exact number such as "12.5" or "1000/3" (got "55,275")',
    ]


def test_the_error_is_a_meterprice_value_error_naming_the_file() -> None:
    data = _document()
    data["rounding"] = "half-up"
    with pytest.raises(DocumentError) as caught:
        Invoice.from_dict(data, source="INV-7.json")
    error = caught.value
    assert isinstance(error, SpecError)
    assert isinstance(error, ValueError)
    assert str(error) == (
        "INV-7.json: rounding: must be one of half_up, half_even, half_down, up, down, "
        'ceiling, floor (did you mean "half_up"?) (got "half-up")'
    )


def test_a_total_or_an_amount_that_does_not_add_up_is_refused() -> None:
    data = _document()
    data["total"] = "53.64"
    assert _problems(data) == ['total: is not the sum of the lines (53.63) (got "53.64")']
    data = _document()
    data["lines"][0]["amount"] = "24.001"
    assert _problems(data) == [
        'lines[0].amount: must be rounded to the 2 decimals of EUR (got "24.001")'
    ]


def test_format_versions() -> None:
    data = _document()
    data["format"] = "meterprice.invoice/2"
    assert _problems(data) == [
        'format: unsupported version "meterprice.invoice/2": this meterprice reads '
        '"meterprice.invoice/1"'
    ]
    data["format"] = "meterprice.credit_note/1"
    assert _problems(data) == [
        'format: must be "meterprice.invoice/1" (got "meterprice.credit_note/1")'
    ]
    del data["format"]
    assert _problems(data)[0] == "format: is required"
    assert _problems([]) == [
        'must be a JSON object (a document of format "meterprice.invoice/1"), not a list (got [])'
    ]


def test_values_of_the_wrong_kind() -> None:
    data = _document()
    data["lines"][0]["active"] = {"start": "2026-11-31", "end": "2026-12-01"}
    data["lines"][0]["tags"] = ["", "ok"]
    data["lines"][1]["quantity"] = "1" * (MAX_NUMBER_TEXT + 1)
    data["lines"][1]["version"] = ""
    data["issued"] = "2026-12-1"
    data["lines"].append("a line")
    problems = _problems(data)
    assert problems[0] == 'issued: is not an ISO date (YYYY-MM-DD) (got "2026-12-1")'
    assert (
        problems[1] == 'lines[0].active.start: is not an ISO date (YYYY-MM-DD) (got "2026-11-31")'
    )
    assert problems[2] == 'lines[0].tags[0]: must not be empty (got "")'
    assert problems[3] == 'lines[1].version: must not be empty (got "")'
    assert problems[4].startswith(f"lines[1].quantity: is longer than {MAX_NUMBER_TEXT} characters")
    assert problems[5] == (
        'lines[2]: must be a table (an invoice line), not a string (got "a line")'
    )
    data = _document()
    data["lines"] = {}
    data["period"] = {"start": "2026-12-01", "end": "2026-11-01"}
    data["contract"] = None
    problems = _problems(data)
    assert problems[0] == "contract: must not be null"
    assert problems[1] == (
        "period: a period must end after it starts (got start=2026-12-01, end=2026-11-01)"
    )
    assert problems[2] == "lines: must be a list of lines, not a table (got {})"


def test_the_schema_is_valid_and_refuses_what_the_reader_refuses() -> None:
    schema = invoice_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = _document()
    assert not list(validator.iter_errors(good))
    changes: list[Callable[[dict[str, Any]], object]] = [
        lambda d: d.update(format="meterprice.invoice/2"),
        lambda d: d["lines"][0].update(exact_amount="1.5e3"),
        lambda d: d["lines"][0].update(dimensions={"channel": 1}),
        lambda d: d["lines"][0].pop("basis"),
        lambda d: d.update(extra=1),
    ]
    for change in changes:
        bad = copy.deepcopy(good)
        change(bad)
        assert list(validator.iter_errors(bad))
        with pytest.raises(DocumentError):
            Invoice.from_dict(bad)


def test_invoice_fields_are_checked() -> None:
    with pytest.raises(TypeError, match="reference must be a non-empty string or None"):
        Invoice("X", NOV, Currency.of("EUR"), Rounding.HALF_UP, [], reference="")
    with pytest.raises(TypeError, match="issued must be a date or None"):
        Invoice("X", NOV, Currency.of("EUR"), Rounding.HALF_UP, [], issued=dt.datetime(2026, 12, 1))
    with pytest.raises(TypeError, match="payment_terms must be PaymentTerms or None"):
        Invoice("X", NOV, Currency.of("EUR"), Rounding.HALF_UP, [], payment_terms=45)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a contract version must be a string or None"):
        Line("c", "c", Money("1.00", "EUR"), Fraction(1), "b", version=2)
    with pytest.raises(InvalidValueError):
        Invoice(
            "X",
            NOV,
            Currency.of("EUR"),
            Rounding.HALF_UP,
            [Line("c", "c", Money("1.005", "EUR"), Fraction(1), "b")],
        )


def test_payment_block_must_follow_from_the_terms() -> None:
    contract = Contract(
        "Net",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="0.95 EUR")],
        payment_terms=PaymentTerms(30, [PromptDiscount(10, "2")]),
    )
    data = contract.invoice({"minutes": 100}, NOV).to_dict()
    assert Invoice.from_dict(data).payment_terms == PaymentTerms(30, [PromptDiscount(10, "2")])
    jsonschema.validate(data, invoice_schema())
    bad = copy.deepcopy(data)
    bad["payment"]["due_date"] = "2026-12-30"
    bad["payment"]["schedule"][0]["amount_due"] = "93.00"
    assert _problems(bad) == [
        'payment.due_date: is not the due date of the terms (2026-12-31) (got "2026-12-30")',
        "payment.schedule[0].amount_due: does not follow from the terms and the total: "
        'expected "93.10" (got "93.00")',
    ]
    bad = copy.deepcopy(data)
    bad["payment"]["discounts"][0]["percent"] = "100"
    bad["payment"]["net_days"] = "30"
    assert _problems(bad) == [
        'payment.net_days: must be a whole number of days, not a string (got "30")',
        "payment.discounts[0]: percent must be more than 0 and less than 100 (got Decimal('100'))",
    ]
    bad = copy.deepcopy(data)
    bad["payment"]["schedule"].pop()
    assert _problems(bad) == ["payment.schedule: has 1 entries but the terms give 2"]


# -- the round trip, over random contracts and usage ---------------------------------------


@whole_contracts()
@given(case=cases())
def test_from_dict_of_to_dict_is_the_invoice(case: Case) -> None:
    invoice = case.contract.invoice(case.usage, case.period, outside_term="empty")
    data = json.loads(json.dumps(invoice.to_dict()))
    assert Invoice.from_dict(data) == invoice
    assert Invoice.from_dict(data).to_dict() == data
    jsonschema.validate(data, invoice_schema())


def test_more_values_of_the_wrong_kind() -> None:
    data = _document()
    data["currency"] = 978
    data["rounding"] = 1
    data["issued"] = 20261201
    data["period"] = "2026-11"
    data["lines"][0]["dimensions"] = ["channel"]
    data["lines"][0]["tags"] = "usage"
    data["lines"][1]["dimensions"] = {"": "x"}
    data["lines"][1]["unit_price"] = "1e3"
    assert _problems(data) == [
        'issued: must be an ISO date such as "2026-11-01", not an integer (got 20261201)',
        'currency: must be an ISO 4217 code such as "EUR", not an integer (got 978)',
        "rounding: must be one of half_up, half_even, half_down, up, down, ceiling, floor (got 1)",
        'period: must be a table with start and end, not a string (got "2026-11")',
        'lines[0].dimensions: must be a table such as {"channel": "phone"}, not a list '
        '(got ["channel"])',
        'lines[0].tags: must be a list of strings, not a string (got "usage")',
        'lines[1].dimensions."": a dimension name must be a non-empty string',
        'lines[1].unit_price: must be a decimal string such as "12.50", not a string (got "1e3")',
    ]


def test_bad_payment_blocks() -> None:
    contract = Contract(
        "Net",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="0.95 EUR")],
        payment_terms=PaymentTerms(30, [PromptDiscount(10, "2")]),
    )
    data = contract.invoice({"minutes": 100}, NOV).to_dict()
    bad = copy.deepcopy(data)
    bad["payment"]["discounts"] = {"days": 10}
    bad["payment"]["schedule"] = "soon"
    assert _problems(bad) == ['payment.discounts: must be a list, not a table (got {"days": 10})']
    bad["payment"]["discounts"] = [[10, "2"]]
    assert _problems(bad) == [
        'payment.discounts[0]: must be a table with days and percent, not a list (got [10, "2"])'
    ]
    bad["payment"]["discounts"] = [{"days": 30, "percent": "2"}]
    assert _problems(bad) == [
        "payment: discounts[0].days: a prompt-payment discount within 30 days must come "
        "before the net term of 30 days"
    ]
    bad = copy.deepcopy(data)
    bad["payment"]["schedule"] = "soon"
    assert _problems(bad) == ['payment.schedule: must be a list, not a string (got "soon")']
    bad["payment"]["schedule"] = [1, 2]
    assert _problems(bad) == [
        "payment.schedule[0]: must be a table (an amount due), not an integer (got 1)",
        "payment.schedule[1]: must be a table (an amount due), not an integer (got 2)",
    ]
    bad["payment"] = 30
    assert _problems(bad) == [
        "payment: must be a table (payment terms) or null, not an integer (got 30)"
    ]


def test_values_that_are_not_strings_or_too_long() -> None:
    data = _document()
    data["total"] = 53.63
    data["lines"][0]["component"] = 5
    data["lines"][0]["description"] = 5
    data["lines"][0]["exact_amount"] = 24
    data["lines"][1]["unit_price"] = "1" * 101
    assert _problems(data) == [
        "lines[0].component: must be a non-empty string, not an integer (got 5)",
        "lines[0].description: must be a string, not an integer (got 5)",
        'lines[0].exact_amount: must be an exact number such as "12.5" or "1000/3", not an '
        "integer (got 24)",
        "lines[1].unit_price: the value has 101 significant digits: at most 100 are accepted",
    ]
    data = _document()
    data["total"] = 53.63
    assert _problems(data) == ["total: is not the sum of the lines (53.63) (got 53.63)"]


def test_converted_and_taxed_invoices_read_back() -> None:
    contract = exchange_support(Conversion("USD", RATES), tax=Tax([STANDARD]))
    invoice = contract.invoice({"minutes": 1001}, "2026-11", invoice_date=dt.date(2026, 12, 3))
    assert invoice.issued == dt.date(2026, 12, 3)  # the invoice date is the issue date
    data = json.loads(json.dumps(invoice.to_dict()))
    # 333.33 EUR x 1.0832 = 361.06 USD, the EUR amount kept on the line
    assert data["lines"][0]["original"] == {"amount": "333.33", "currency": "EUR"}
    assert data["lines"][-1]["tags"] == ["tax", "tax:standard"]
    jsonschema.validate(data, invoice_schema())
    assert Invoice.from_dict(data) == invoice
    data["lines"][0]["original"] = {"amount": "333.333", "currency": "EUX"}
    assert _problems(data) == [
        'lines[0].original.currency: unknown currency code "EUX" (did you mean "EUR"?)'
    ]
    data["lines"][0]["original"] = {"amount": "333.333", "currency": "EUR"}
    assert _problems(data) == [
        'lines[0].original.amount: must be rounded to the 2 decimals of EUR (got "333.333")'
    ]
