"""Re-rating and credit notes: hand-computed corrections, documents and properties."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, cases, whole_contracts
from test_exchange import RATES
from test_exchange import support as exchange_support

from meterprice import (
    Contract,
    ContractError,
    Conversion,
    Currency,
    CurrencyMismatchError,
    Dimensions,
    Event,
    InvalidValueError,
    Invoice,
    Line,
    MatrixRate,
    MeterpriceError,
    Money,
    Percentage,
    Period,
    PeriodError,
    RecurringFee,
    Rounding,
)
from meterprice.corrections import CorrectionLine, CreditNote, line_key, rerate
from meterprice.documents import DocumentError, credit_note_schema

PHONE = Dimensions({"channel": "phone"})
CHAT = Dimensions({"channel": "chat"})


def support(name: str = "Support", currency: str = "EUR") -> Contract:
    return Contract(
        name,
        currency,
        [
            MatrixRate(
                "Handling",
                metric="minutes",
                by=("channel",),
                prices={("phone",): f"0.95 {currency}", ("chat",): f"0.60 {currency}"},
                unit="min",
                tags={"usage"},
            ),
            Percentage("PM", percent=6, of={"usage"}),
            RecurringFee("Platform", amount=f"1500.00 {currency}"),
        ],
    )


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.timezone.utc)


# the events known when November was invoiced: 1000 phone and 250.5 chat minutes
BILLED = [
    Event("minutes", 600, at(3), PHONE),
    Event("minutes", 400, at(20), PHONE),
    Event("minutes", "250.5", at(12), CHAT),
]
# what arrived after the invoice was sent: 40 phone and 12.3 chat minutes
LATE = [Event("minutes", 40, at(30, 22), PHONE), Event("minutes", "12.3", at(29), CHAT)]


def original() -> Invoice:
    return support().invoice(BILLED, "2026-11").issue("INV-2026-11-007", dt.date(2026, 12, 1))


def test_the_original_invoice_by_hand() -> None:
    invoice = original()
    # phone 1000 x 0.95 = 950.00; chat 250.5 x 0.60 = 150.30;
    # PM 6 % of 1100.30 = 66.018 -> 66.02; platform 1500.00
    assert [str(line.amount) for line in invoice.lines] == [
        "150.30 EUR",
        "950.00 EUR",
        "66.02 EUR",
        "1500.00 EUR",
    ]
    assert [dict(line.dimensions) for line in invoice.lines] == [
        {"channel": "chat"},
        {"channel": "phone"},
        {},
        {},
    ]
    assert str(invoice.total) == "2666.32 EUR"


def test_late_usage_gives_a_debit_note_computed_by_hand() -> None:
    note = rerate(original(), support(), BILLED + LATE, reason="late usage from the ACD export")
    # revised: phone 1040 x 0.95 = 988.00; chat 262.8 x 0.60 = 157.68;
    # PM 6 % of 1145.68 = 68.7408 -> 68.74; platform unchanged (left out)
    # total 2714.42 - 2666.32 = +48.10
    assert note.kind == "debit"
    assert note.original == "INV-2026-11-007"
    assert note.reason == "late usage from the ACD export"
    assert [
        (line.component, dict(line.dimensions), str(line.amount), line.exact, line.quantity)
        for line in note.lines
    ] == [
        ("Handling", {"channel": "chat"}, "7.38 EUR", Fraction("7.38"), Fraction("12.3")),
        ("Handling", {"channel": "phone"}, "38.00 EUR", Fraction(38), Fraction(40)),
        ("PM", {}, "2.72 EUR", Fraction("2.7228"), Fraction("45.38")),
    ]
    assert [(str(line.original), str(line.revised)) for line in note.lines] == [
        ("150.30 EUR", "157.68 EUR"),
        ("950.00 EUR", "988.00 EUR"),
        ("66.02 EUR", "68.74 EUR"),
    ]
    assert str(note.total) == "48.10 EUR"
    assert note.exact_total == Fraction("48.1028")  # 7.38 + 38 + 2.7228
    assert note.explain().splitlines() == [
        "Debit note to invoice INV-2026-11-007: Support, 2026-11 (EUR)",
        "  reason: late usage from the ACD export",
        "  1. Handling (channel=chat): 150.30 EUR -> 157.68 EUR, +7.38 EUR",
        "  2. Handling (channel=phone): 950.00 EUR -> 988.00 EUR, +38.00 EUR",
        "  3. PM: 66.02 EUR -> 68.74 EUR, +2.72 EUR",
        "  total = 48.10 EUR",
    ]


def test_corrected_usage_gives_a_credit_note() -> None:
    # 20 duplicated phone minutes removed: 980 x 0.95 = 931.00 (-19.00);
    # PM 6 % of 1081.30 = 64.878 -> 64.88 (-1.14); total -20.14
    corrected = [Event("minutes", 580, at(3), PHONE), *BILLED[1:]]
    note = rerate(original(), support(), corrected, reason="duplicate rows", reference="CN-1")
    assert note.kind == "credit"
    assert note.reference == "CN-1"
    assert [str(line.amount) for line in note.lines] == ["-19.00 EUR", "-1.14 EUR"]
    assert str(note.total) == "-20.14 EUR"


def test_a_line_that_appears_or_disappears() -> None:
    # chat usage that turns out to be phone: the chat line goes, phone grows
    moved = [*BILLED[:2], Event("minutes", "250.5", at(12), PHONE)]
    note = rerate(original(), support(), moved, reason="channel corrected")
    phone, pm, chat = note.lines  # the re-rated invoice's lines, then those it dropped
    assert (chat.original, chat.revised, str(chat.amount)) == (
        Money("150.30", "EUR"),
        None,
        "-150.30 EUR",
    )
    assert chat.quantity == Fraction("-250.5")
    # 1250.5 x 0.95 = 1187.975 -> 1187.98 (+237.98); PM 6 % of 1187.98 = 71.2788 -> 71.28
    assert str(phone.amount) == "237.98 EUR"
    assert str(pm.amount) == "5.26 EUR"
    assert str(note.total) == "92.94 EUR"
    back = support().invoice(BILLED, "2026-11")
    added = CreditNote.between(support().invoice(moved, "2026-11"), back, reason="undo").by_key()[
        line_key(back.lines[0])
    ]
    assert (added.original, added.revised) == (None, Money("150.30", "EUR"))
    assert added.explain() == "Handling (channel=chat): not billed -> 150.30 EUR, +150.30 EUR"


def test_the_same_usage_gives_an_empty_note() -> None:
    note = rerate(original(), support(), BILLED, reason="check")
    assert note.lines == ()
    assert note.kind == "none"
    assert str(note.total) == "0.00 EUR"
    assert note.explain().splitlines()[0] == (
        "Correction to invoice INV-2026-11-007: Support, 2026-11 (EUR)"
    )


def test_rerating_an_invoice_read_back_from_its_stored_json() -> None:
    stored = json.dumps(original().to_dict())
    loaded = Invoice.from_dict(json.loads(stored))
    note = rerate(loaded, support(), BILLED + LATE, reason="late usage")
    assert note == rerate(original(), support(), BILLED + LATE, reason="late usage")
    assert str(note.total) == "48.10 EUR"


def test_the_credit_note_document_round_trips_and_meets_its_schema() -> None:
    note = rerate(original(), support(), BILLED + LATE, reason="late usage", reference="DN-3")
    data = note.to_dict()
    jsonschema.Draft202012Validator.check_schema(credit_note_schema())
    jsonschema.validate(data, credit_note_schema())
    assert data["format"] == "meterprice.credit_note/1"
    assert (data["kind"], data["original"], data["reference"]) == (
        "debit",
        "INV-2026-11-007",
        "DN-3",
    )
    assert data["lines"][2] == {
        "component": "PM",
        "description": "PM",
        "version": None,
        "dimensions": {},
        "quantity": "45.38",
        "unit": "EUR",
        "original_amount": "66.02",
        "revised_amount": "68.74",
        "amount": "2.72",
        "exact_amount": "2.7228",
        "tags": [],
    }
    assert (data["total"], data["exact_total"]) == ("48.10", "48.1028")
    assert CreditNote.from_dict(json.loads(json.dumps(data))) == note


def test_a_bad_credit_note_document_names_every_path() -> None:
    data = rerate(original(), support(), BILLED + LATE, reason="late").to_dict()
    data["kind"] = "credit"
    data["lines"][0]["amount"] = "7.39"
    data["lines"][1]["exact_amount"] = 38.0  # a float
    del data["reason"]
    with pytest.raises(DocumentError) as caught:
        CreditNote.from_dict(data, source="DN-3.json")
    assert caught.value.paths == ["reason", "lines[0]", "lines[1].exact_amount"]
    assert "lines[0]: 'Handling': the difference 7.39 EUR is not 157.68 EUR - 150.30 EUR" in str(
        caught.value
    )
    assert str(caught.value).startswith("DN-3.json: 3 problems:")
    data = rerate(original(), support(), BILLED + LATE, reason="late").to_dict()
    data["kind"], data["total"] = "credit", "48.11"
    with pytest.raises(DocumentError) as caught:
        CreditNote.from_dict(data)
    assert caught.value.paths == ["total", "kind"]
    assert str(caught.value.problems[1]) == (
        'kind: must be "debit" for a total of 48.10 EUR (got "credit")'
    )
    data["format"] = "meterprice.credit_note/2"
    with pytest.raises(DocumentError, match=r'unsupported version "meterprice\.credit_note/2"'):
        CreditNote.from_dict(data)
    with pytest.raises(DocumentError, match=r'must be "meterprice\.credit_note/1"'):
        CreditNote.from_dict(original().to_dict())


def test_rerate_refuses_another_contract_currency_or_period() -> None:
    with pytest.raises(ContractError, match="of contract 'Support', not 'Other'"):
        rerate(original(), support("Other"), BILLED, reason="r")
    with pytest.raises(CurrencyMismatchError, match="in EUR, contract 'Support' invoices in CHF"):
        rerate(original(), support(currency="CHF"), BILLED, reason="r")
    december = support().invoice(BILLED, "2026-12")
    with pytest.raises(PeriodError, match="covers 2026-11, the re-rated one 2026-12"):
        CreditNote.between(original(), december, reason="r")
    with pytest.raises(TypeError, match="reason must be a non-empty string"):
        rerate(original(), support(), BILLED, reason=" ")
    with pytest.raises(TypeError, match="original must be an Invoice"):
        rerate(original().to_dict(), support(), BILLED, reason="r")  # type: ignore[arg-type]
    with pytest.raises(MeterpriceError):
        CorrectionLine("c", "c", Money("1.00", "EUR"), Fraction(1), None, None)


# -- properties ------------------------------------------------------------------------------


def _by_key(invoice: Invoice) -> dict[object, tuple[Decimal, Fraction]]:
    out: dict[object, tuple[Decimal, Fraction]] = {}
    for line in invoice.lines:
        amount, exact = out.get(line_key(line), (Decimal(0), Fraction(0)))
        out[line_key(line)] = (amount + line.amount.amount, exact + line.exact)
    return out


@whole_contracts()
@given(case=cases(), data=st.data())
def test_original_plus_credit_note_is_the_rerated_invoice_line_by_line(
    case: Case, data: st.DataObject
) -> None:
    contract, period = case.contract, case.period
    kept = data.draw(st.lists(st.booleans(), min_size=len(case.events), max_size=len(case.events)))
    billed = [event for event, keep in zip(case.events, kept, strict=True) if keep]
    first = contract.invoice(billed, period, outside_term="empty")
    revised = contract.invoice(case.events, period, outside_term="empty")
    note = CreditNote.between(first, revised, reason="late usage")
    before, after, diff = _by_key(first), _by_key(revised), note.by_key()
    for key in set(before) | set(after):
        old = before.get(key, (Decimal(0), Fraction(0)))
        new = after.get(key, (Decimal(0), Fraction(0)))
        if key in diff:
            assert old[0] + diff[key].amount.amount == new[0]
            assert old[1] + diff[key].exact == new[1]
        else:
            assert old == new
    assert note.total == revised.total - first.total
    assert CreditNote.from_dict(note.to_dict()) == note
    jsonschema.validate(note.to_dict(), credit_note_schema())


@whole_contracts()
@given(case=cases())
def test_rerating_with_the_same_usage_gives_an_empty_note(case: Case) -> None:
    invoice = case.contract.invoice(case.usage, case.period, outside_term="empty")
    stored = Invoice.from_dict(json.loads(json.dumps(invoice.to_dict())))
    note = rerate(stored, case.contract, case.usage, reason="again", outside_term="empty")
    assert note.lines == ()
    assert note.kind == "none"


def _line(component: str, amount: str, exact: str, **fields: object) -> Line:
    return Line(component, component, Money(amount, "EUR"), Fraction(exact), "b", **fields)  # type: ignore[arg-type]


def _invoice(*lines: Line) -> Invoice:
    return Invoice("C", Period.month(2026, 11), Currency.of("EUR"), Rounding.HALF_UP, lines)


def test_lines_with_the_same_key_are_added_up() -> None:
    # two "Seats" lines of one key: 2 + 3 agents at 100.00; re-rated: 6 agents
    agents = {"unit": "agent"}
    first = _invoice(
        _line("Seats", "200.00", "200", quantity=Fraction(2), **agents),
        _line("Seats", "300.00", "300", quantity=Fraction(3), **agents),
    )
    revised = _invoice(_line("Seats", "600.00", "600", quantity=Fraction(6), **agents))
    (line,) = CreditNote.between(first, revised, reason="seat count").lines
    assert (str(line.original), str(line.revised), str(line.amount)) == (
        "500.00 EUR",
        "600.00 EUR",
        "100.00 EUR",
    )
    assert (line.quantity, line.unit) == (Fraction(1), "agent")
    # a quantity in another unit, or one line without a quantity, has no difference
    mixed = _invoice(
        _line("Seats", "200.00", "200", quantity=Fraction(2), unit="agent"),
        _line("Seats", "300.00", "300", quantity=Fraction(3), unit="hour"),
    )
    (line,) = CreditNote.between(mixed, revised, reason="r").lines
    assert (line.quantity, line.unit) == (None, None)
    # an exact amount that changes while the rounded one does not is still a difference
    (line,) = CreditNote.between(
        _invoice(_line("Fee", "1.00", "1.001")), _invoice(_line("Fee", "1.00", "0.999")), reason="r"
    ).lines
    assert (str(line.amount), line.exact) == ("0.00 EUR", Fraction("-0.002"))


def test_a_credit_note_refuses_inconsistent_lines() -> None:
    line = CorrectionLine("c", "c", Money("1.00", "EUR"), Fraction(1), None, Money("1.00", "EUR"))
    nov = Period.month(2026, 11)
    with pytest.raises(InvalidValueError, match=r"lines\[1\] corrects the same line as lines\[0\]"):
        CreditNote("C", nov, Currency.of("EUR"), "r", None, [line, line])
    chf = CorrectionLine("c", "d", Money("1.00", "CHF"), Fraction(1), None, Money("1.00", "CHF"))
    with pytest.raises(CurrencyMismatchError, match=r"lines\[0\] is in CHF, the note in EUR"):
        CreditNote("C", nov, Currency.of("EUR"), "r", None, [chf])
    with pytest.raises(TypeError, match=r"lines\[0\] is not a CorrectionLine"):
        CreditNote("C", nov, Currency.of("EUR"), "r", None, ["x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="revised must be an Invoice"):
        CreditNote.between(original(), None, reason="r")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatchError, match="in EUR, the re-rated one in CHF"):
        CreditNote.between(
            original(), support(currency="CHF").invoice(BILLED, "2026-11"), reason="r"
        )
    with pytest.raises(ContractError, match="of contract 'Support', the re-rated one of 'Other'"):
        CreditNote.between(original(), support("Other").invoice(BILLED, "2026-11"), reason="r")
    with pytest.raises(TypeError, match="contract must be a Contract"):
        rerate(original(), "Support", BILLED, reason="r")  # type: ignore[arg-type]


def test_more_bad_credit_note_documents() -> None:
    data = rerate(original(), support(), BILLED + LATE, reason="late").to_dict()
    data["exact_total"] = "48.1"
    data["lines"].append(copy.deepcopy(data["lines"][0]))
    with pytest.raises(DocumentError) as caught:
        CreditNote.from_dict(data)
    assert [str(problem) for problem in caught.value.problems] == [
        "lines: lines[3] corrects the same line as lines[0]"
    ]
    data["lines"].pop()
    with pytest.raises(DocumentError) as caught:
        CreditNote.from_dict(data)
    assert str(caught.value) == 'exact_total: is not the sum of the lines (48.1028) (got "48.1")'
    data["lines"] = {}
    data["currency"] = 978
    with pytest.raises(DocumentError) as caught:
        CreditNote.from_dict(data)
    assert caught.value.paths == ["currency", "lines"]
    data = rerate(original(), support(), BILLED + LATE, reason="late").to_dict()
    data["lines"][0] = []
    with pytest.raises(DocumentError, match=r"lines\[0\]: must be a table \(a correction line\)"):
        CreditNote.from_dict(data)


def test_rerating_a_converted_invoice_uses_its_invoice_date() -> None:
    contract = exchange_support(Conversion("USD", RATES, reference="invoice_date"))
    first = contract.invoice({"minutes": 1000}, "2026-11", invoice_date=dt.date(2026, 11, 30))
    note = rerate(Invoice.from_dict(first.to_dict()), contract, {"minutes": 1001}, reason="late")
    # the rate of 2026-11-30, 1.0832: 1000 x 0.333 = 333.00 EUR -> 360.7056 -> 360.71 USD;
    # 1001 x 0.333 = 333.333 -> 333.33 EUR -> 361.063056 -> 361.06 USD; +0.35 USD
    assert [str(line.amount) for line in note.lines] == ["0.35 USD"]
    assert note.currency.code == "USD"
