"""Payment terms: due dates and prompt-payment discounts, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimals, money, roundings

from meterprice import Contract, ContractError, Money, RecurringFee, Rounding
from meterprice.payment import Due, PaymentTerms, PromptDiscount
from meterprice.spec import SpecError, dump_contract, load_contract, loads_contract

TERMS = PaymentTerms(45, [PromptDiscount(5, "0.3"), PromptDiscount(10, "0.1")])

TOML = """
meterprice = 1
name = "Public helpdesk"
currency = "EUR"
rounding = "{rounding}"

[payment_terms]
net_days = 45
discounts = [{{days = 5, percent = "0.3"}}, {{days = 10, percent = "0.1"}}]

[[components]]
type = "recurring_fee"
name = "Service"
amount = "12345.67"
"""


def test_a_prompt_payment_discount_by_hand() -> None:
    contract = loads_contract(TOML.format(rounding="half_up"))
    assert contract.payment_terms == TERMS
    invoice = contract.invoice({}, "2026-11").issue("2026-0042", dt.date(2026, 12, 1))
    assert str(invoice.total) == "12345.67 EUR"
    # within 5 days: 12345.67 - 0.3 % (37.03701) = 12308.63299 -> 12308.63
    # within 10 days: 12345.67 - 0.1 % (12.34567) = 12333.32433 -> 12333.32
    # otherwise net 45: 12345.67 by 2026-12-01 + 45 days = 2027-01-15
    assert invoice.payment_schedule() == (
        Due(
            dt.date(2026, 12, 6), Decimal("0.3"), Fraction("12308.63299"), Money("12308.63", "EUR")
        ),
        Due(
            dt.date(2026, 12, 11), Decimal("0.1"), Fraction("12333.32433"), Money("12333.32", "EUR")
        ),
        Due(dt.date(2027, 1, 15), None, Fraction("12345.67"), Money("12345.67", "EUR")),
    )
    assert invoice.due_date == dt.date(2027, 1, 15)
    payment = invoice.to_dict()["payment"]
    assert payment == {
        "net_days": 45,
        "discounts": [{"days": 5, "percent": "0.3"}, {"days": 10, "percent": "0.1"}],
        "due_date": "2027-01-15",
        "schedule": [
            {
                "by": "2026-12-06",
                "discount_percent": "0.3",
                "exact_amount_due": "12308.63299",
                "amount_due": "12308.63",
            },
            {
                "by": "2026-12-11",
                "discount_percent": "0.1",
                "exact_amount_due": "12333.32433",
                "amount_due": "12333.32",
            },
            {
                "by": "2027-01-15",
                "discount_percent": None,
                "exact_amount_due": "12345.67",
                "amount_due": "12345.67",
            },
        ],
    }


def test_amounts_due_follow_the_contract_rounding() -> None:
    contract = loads_contract(TOML.format(rounding="up"))
    schedule = contract.invoice({}, "2026-11").payment_schedule()
    # 12308.63299 and 12333.32433 rounded up
    assert [str(due.amount) for due in schedule] == [
        "12308.64 EUR",
        "12333.33 EUR",
        "12345.67 EUR",
    ]


def test_without_an_issue_date_terms_count_from_the_day_after_the_period() -> None:
    contract = Contract(
        "C", "EUR", [RecurringFee("Fee", amount="100.00 EUR")], payment_terms=PaymentTerms(30)
    )
    invoice = contract.invoice({}, "2026-11")
    assert invoice.date == dt.date(2026, 12, 1)
    assert invoice.due_date == dt.date(2026, 12, 31)
    assert [(due.by, str(due.amount)) for due in invoice.payment_schedule()] == [
        (dt.date(2026, 12, 31), "100.00 EUR")
    ]
    plain = Contract("C", "EUR", [RecurringFee("Fee", amount="100.00 EUR")]).invoice({}, "2026-11")
    assert plain.payment_schedule() == ()
    assert plain.due_date is None
    assert plain.to_dict()["payment"] is None


def test_a_yen_total_rounds_to_whole_yen() -> None:
    schedule = PaymentTerms(30, [PromptDiscount(10, "2")]).schedule(
        Money(123457, "JPY"), dt.date(2026, 12, 1), Rounding.HALF_EVEN
    )
    # 123457 x 0.98 = 120987.86 -> 120988
    assert [str(due.amount) for due in schedule] == ["120988 JPY", "123457 JPY"]


def test_terms_round_trip_through_the_contract_document() -> None:
    contract = loads_contract(TOML.format(rounding="half_up"))
    data = dump_contract(contract)
    assert data["payment_terms"] == {
        "net_days": 45,
        "discounts": [{"days": 5, "percent": "0.3"}, {"days": 10, "percent": "0.1"}],
    }
    assert load_contract(data) == contract
    assert "payment_terms" not in dump_contract(Contract("C", "EUR", []))


def test_bad_terms_are_refused_with_their_paths() -> None:
    with pytest.raises(ContractError, match=r"discounts\[0\]\.days: .* before the net term"):
        PaymentTerms(10, [PromptDiscount(10, "1")])
    with pytest.raises(ContractError, match=r"discounts\[1\]\.days: .*\(5 days after 10\)"):
        PaymentTerms(45, [PromptDiscount(10, "1"), PromptDiscount(5, "0.5")])
    with pytest.raises(ContractError, match=r"discounts\[1\]\.percent: .*\(2 % after 1 %\)"):
        PaymentTerms(45, [PromptDiscount(5, "1"), PromptDiscount(10, "2")])
    with pytest.raises(TypeError, match="percent must be a Decimal, int or decimal string"):
        PromptDiscount(5, 0.3)
    with pytest.raises(TypeError, match="net_days must be a whole number of days"):
        PaymentTerms(True)
    with pytest.raises(ContractError, match="days must be between 0 and 3660"):
        PromptDiscount(-1, "1")
    with pytest.raises(ContractError, match="percent must be more than 0 and less than 100"):
        PromptDiscount(1, "0")
    with pytest.raises(TypeError, match="discounts must be a list of PromptDiscount"):
        PaymentTerms(45, "5 days 0.3 %")
    with pytest.raises(TypeError, match=r"discounts\[0\] is not a PromptDiscount"):
        PaymentTerms(45, [(5, "0.3")])
    with pytest.raises(TypeError, match="total must be Money"):
        TERMS.schedule(Decimal(1), dt.date(2026, 12, 1), Rounding.HALF_UP)  # type: ignore[arg-type]
    late = TOML.format(rounding="half_up").replace("net_days = 45", "net_days = 8")
    with pytest.raises(SpecError) as caught:
        loads_contract(late)
    assert str(caught.value) == (
        "payment_terms.discounts[1].days: a prompt-payment discount within 10 days must "
        "come before the net term of 8 days"
    )
    with pytest.raises(SpecError) as caught:
        loads_contract(late.replace('percent = "0.1"', "percent = 0.1"))
    assert caught.value.paths == ["payment_terms.discounts[1].percent"]


@given(
    total=money(),
    rounding=roundings(),
    percents=st.lists(
        decimals(min_value="0.01", max_value="99.99"), min_size=0, max_size=4, unique=True
    ),
    data=st.data(),
)
def test_paying_later_never_costs_less_and_never_more_than_the_total(
    total: Money, rounding: Rounding, percents: list[Decimal], data: st.DataObject
) -> None:
    ordered = sorted(percents, reverse=True)  # larger discounts come first
    days = sorted(
        data.draw(
            st.lists(st.integers(0, 60), min_size=len(ordered), max_size=len(ordered), unique=True)
        )
    )
    terms = PaymentTerms(61, [PromptDiscount(d, p) for d, p in zip(days, ordered, strict=True)])
    schedule = terms.schedule(total, dt.date(2026, 12, 1), rounding)
    amounts = [due.amount for due in schedule]
    assert amounts == sorted(amounts)  # each later date: at least as much is due
    assert schedule[-1].amount == total
    quantum = Fraction(1, 10**total.currency.minor_units)
    for due, discount in zip(schedule, terms.discounts, strict=False):
        assert due.exact == Fraction(total.amount) * (1 - Fraction(discount.percent) / 100)
        assert abs(Fraction(due.amount.amount) - due.exact) < quantum  # rounded once
        assert due.amount.is_rounded
        assert due.by == dt.date(2026, 12, 1) + dt.timedelta(days=discount.days)
