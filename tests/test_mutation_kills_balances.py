"""Rollover allowances and prepaid balances: what mutation testing found unpinned.

Every field of the lines a rollover and a prepaid balance produce (the billed line,
the allowance carried over, the drawdown), the state each invoice leaves, the
boundaries of their options and the messages that name a wrong option. Figures
computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from direct_pricing import context, fields

from meterprice import (
    Contract,
    ContractError,
    Event,
    InvalidTypeError,
    Money,
    PerUnit,
    Prepaid,
    PricingError,
    RecurringFee,
    Rollover,
)
from meterprice.components.balances import Lot, PrepaidState
from meterprice.components.base import Charge
from meterprice.components.carrying import Carried, CarryingComponent
from meterprice.errors import AmountError
from meterprice.invoice import Line
from meterprice.periods import Period


def _phone(minutes: int, day: dt.date) -> Event:
    return Event(
        "minutes", minutes, dt.datetime(day.year, day.month, day.day, 12), {"channel": "phone"}
    )


# -- rollover ----------------------------------------------------------------------------------


def _rolling() -> Contract:
    return Contract(
        "Rolling",
        "EUR",
        [
            Rollover(
                "Minutes",
                metric="minutes",
                rate="0.10 EUR",
                included=100,
                rollover_percent=50,
                expires_after=3,
                where={"channel": "phone"},
                unit="min",
                tags={"calls"},
            )
        ],
        unpriced="ignore",
    )


def test_a_rollover_uses_two_carried_lots_and_shows_every_field() -> None:
    events = [
        _phone(20, dt.date(2026, 1, 5)),
        # chat minutes are not the rollover's: its filter is channel = phone
        Event("minutes", 500, dt.datetime(2026, 1, 6, 12), {"channel": "chat"}),
        _phone(200, dt.date(2026, 3, 5)),
    ]
    billing = _rolling().bill(events, "2026-01-01", "2026-04-01")
    january, february, march = billing.invoices
    # January: 20 of the 100 included used, 80 unused, 50 % = 40 carried, usable for 3
    # months after January's end: until 1 May (excluded). Every line of the component
    # carries its tags
    assert [fields(line) for line in january.lines] == [
        (
            "Minutes: allowance carried over",
            "0.00 EUR",
            "0 min carried in, 0 min of them used; 80 min of this period's allowance unused, "
            "50% of it carried on = 40 min (usable until 2026-04-30); "
            "40 min carried to the next period",
            Fraction(40),
            "min",
            None,
            frozenset({"calls"}),
        )
    ]
    assert billing.carried[0]["Minutes"] == (Lot(Fraction(40), dt.date(2026, 5, 1)),)
    # February: nothing used, 100 unused, 50 carried until 1 June; 40 + 50 = 90 carried on
    assert [fields(line) for line in february.lines] == [
        (
            "Minutes: allowance carried over",
            "0.00 EUR",
            "40 min carried in, 0 min of them used; 100 min of this period's allowance "
            "unused, 50% of it carried on = 50 min (usable until 2026-05-31); "
            "90 min carried to the next period",
            Fraction(90),
            "min",
            None,
            frozenset({"calls"}),
        )
    ]
    assert billing.carried[1]["Minutes"] == (
        Lot(Fraction(40), dt.date(2026, 5, 1)),
        Lot(Fraction(50), dt.date(2026, 6, 1)),
    )
    # March: 200 used = 40 + 50 from the two lots (90 carried over) + the 100 included
    # + 10 billed x 0.10 = 1.00; nothing unused, nothing expired, nothing carried on
    assert [fields(line) for line in march.lines] == [
        (
            "Minutes",
            "1.00 EUR",
            "10 min x 0.10 EUR (200 min used less 90 min carried over and 100 min of "
            "100 min included)",
            Fraction(10),
            "min",
            Money("0.10", "EUR"),
            frozenset({"calls"}),
        ),
        (
            "Minutes: allowance carried over",
            "0.00 EUR",
            "90 min carried in, 90 min of them used; 0 min of this period's allowance "
            "unused, 50% of it carried on = 0 min; 0 min carried to the next period",
            Fraction(0),
            "min",
            None,
            frozenset({"calls"}),
        ),
    ]
    assert billing.closing["Minutes"] == ()


def test_a_rollover_prorates_its_allowance_on_a_partial_period() -> None:
    contract = Contract(
        "Rolling",
        "EUR",
        [
            Rollover(
                "Minutes",
                metric="minutes",
                rate="0.10 EUR",
                included=100,
                active={"start": "2026-11-16"},
            )
        ],
    )
    usage = [Event("minutes", 80, dt.datetime(2026, 11, 20, 12))]
    (invoice,) = contract.bill(usage, "2026-11").invoices
    # active 16-30 November: 15 of 30 days = 1/2 of the 100 included = 50; 80 used:
    # 30 billed x 0.10 = 3.00. No unit: quantities are shown bare
    assert [fields(line) for line in invoice.lines] == [
        (
            "Minutes",
            "3.00 EUR",
            "30 x 0.10 EUR (80 used less 0 carried over and 50 of 50 included)",
            Fraction(30),
            None,
            Money("0.10", "EUR"),
            frozenset(),
        ),
        (
            "Minutes: allowance carried over",
            "0.00 EUR",
            "0 carried in, 0 of them used; 0 of this period's allowance unused, "
            "100% of it carried on = 0; 0 carried to the next period",
            Fraction(0),
            None,
            None,
            frozenset(),
        ),
    ]


def test_a_rollover_takes_any_share_from_0_to_100_percent_and_1_to_120_months() -> None:
    rollover = Rollover(
        "M", metric="m", rate="1.00 EUR", included=1, rollover_percent=0, expires_after=120
    )
    assert (rollover.rollover_percent, rollover.expires_after) == (Decimal(0), 120)
    half = Rollover("M", metric="m", rate="1.00 EUR", included=1, rollover_percent="0.5")
    assert half.rollover_percent == Decimal("0.5")
    with pytest.raises(ContractError, match=r"^expires_after must be 1 to 120 months \(got 121\)$"):
        Rollover("M", metric="m", rate="1.00 EUR", included=1, expires_after=121)


def test_a_rollover_names_its_wrong_options() -> None:
    with pytest.raises(
        InvalidTypeError, match=r"^rate must be Money or a string like '0\.95 EUR', not 5$"
    ):
        Rollover("M", metric="m", rate=5, included=1)
    with pytest.raises(ContractError, match=r"^included must be positive \(got -1\)$"):
        Rollover("M", metric="m", rate="1.00 EUR", included=-1)
    with pytest.raises(AmountError, match=r"^rollover_percent is not a decimal number: 'abc'$"):
        Rollover("M", metric="m", rate="1.00 EUR", included=1, rollover_percent="abc")


def _priced(
    component: CarryingComponent, usage: dict[object, object], lines: tuple[Line, ...] = ()
) -> tuple[Charge, ...]:
    """The charges of ``component`` priced directly, as a wrapping component sees them."""
    jan = Period.month(2026, 1)
    ctx = context(usage, period=jan, lines=lines, carried=Carried())
    return tuple(component.price(ctx))


def test_a_rollover_tags_its_billed_charge_only() -> None:
    rollover = Rollover(
        "Minutes", metric="minutes", rate="1.00 EUR", included=100, unit="min", tags={"calls"}
    )
    billed, carried = _priced(rollover, {"minutes": 150})
    # 150 used, 100 included: 50 x 1.00 = 50; nothing unused is carried on
    assert billed == Charge(
        description="Minutes",
        amount=50,
        basis="50 min x 1.00 EUR (150 min used less 0 min carried over and 100 min of "
        "100 min included)",
        quantity=50,
        unit="min",
        unit_price=Money("1.00", "EUR").amount,
        tags={"calls"},
    )
    assert carried.tags == frozenset()
    assert (carried.amount, carried.quantity, carried.unit) == (Fraction(0), Fraction(0), "min")


# -- prepaid -----------------------------------------------------------------------------------


def test_a_prepaid_drawdown_draws_only_its_tagged_lines_and_shows_every_field() -> None:
    contract = Contract(
        "Prepaid",
        "EUR",
        [
            RecurringFee("Platform", amount="50.00 EUR"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            Prepaid(
                "Credit",
                amount="100.00 EUR",
                on="2026-01-01",
                of={"usage"},
                tags={"credit"},
            ),
        ],
    )
    usage = [Event("minutes", 30, dt.datetime(2026, 1, 10, 12))]
    billing = contract.bill(usage, "2026-01")
    # the platform fee is not tagged usage: 30.00 drawn of the 100.00 bought (no bonus),
    # 70.00 left; the drawdown's quantity is that balance, in EUR
    drawdown = billing.invoices[0].lines[2]
    assert fields(drawdown) == (
        "Credit: drawdown",
        "-30.00 EUR",
        "30 EUR drawn from the prepaid balance of 100 EUR for 30 EUR on lines tagged usage "
        "(bought 100.00 EUR on 2026-01-01); 70 EUR remaining",
        Fraction(70),
        "EUR",
        None,
        frozenset({"credit"}),
    )
    assert billing.invoices[0].total == Money("50.00", "EUR")
    assert billing.closing["Credit"] == PrepaidState(Fraction(70))


def test_a_prepaid_drawdown_charge_carries_the_component_tags() -> None:
    prepaid = Prepaid("Credit", amount="100.00 EUR", on="2026-01-01", tags={"credit"})
    minutes = Line("Minutes", "Minutes", Money("40.00", "EUR"), Fraction(40), "40 x 1.00 EUR")
    (drawdown,) = _priced(prepaid, {}, (minutes,))
    # of = None: every line above; 40.00 drawn, 60.00 left
    assert drawdown == Charge(
        description="Credit: drawdown",
        amount=-40,
        basis="40 EUR drawn from the prepaid balance of 100 EUR for 40 EUR on all lines "
        "above (bought 100.00 EUR on 2026-01-01); 60 EUR remaining",
        quantity=60,
        unit="EUR",
        tags={"credit"},
    )


def _expiring(amount: str) -> Contract:
    return Contract(
        "Prepaid",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            Prepaid("Credit", amount=amount, on="2026-01-01", expires="2026-02-01"),
        ],
    )


def test_a_prepaid_balance_spent_when_it_expires_shows_nothing() -> None:
    usage = [Event("minutes", 100, dt.datetime(2026, 1, 10, 12))]
    billing = _expiring("100.00 EUR").bill(usage, "2026-01-01", "2026-03-01")
    # January draws the whole 100.00; February: nothing left to expire, no line
    assert billing.invoices[1].lines == ()
    assert billing.closing["Credit"] == PrepaidState(Fraction(0))


def test_a_prepaid_balance_of_one_euro_expires_on_a_line() -> None:
    usage = [Event("minutes", 100, dt.datetime(2026, 1, 10, 12))]
    billing = _expiring("101.00 EUR").bill(usage, "2026-01-01", "2026-03-01")
    # January draws 100.00 of 101.00; 1.00 left lapses on 1 February
    (lapsed,) = billing.invoices[1].lines
    assert fields(lapsed) == (
        "Credit: balance expired",
        "0.00 EUR",
        "1 EUR left unused expired on 2026-02-01",
        None,
        None,
        None,
        frozenset(),
    )
    assert billing.carried[0]["Credit"] == PrepaidState(Fraction(1))
    assert billing.closing["Credit"] == PrepaidState(Fraction(0))


def test_a_prepaid_balance_bought_inside_an_invoice_is_refused() -> None:
    contract = Contract(
        "Prepaid",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
            Prepaid("Credit", amount="100.00 EUR", on="2026-01-15"),
        ],
    )
    message = (
        "'Credit': on = 2026-01-15 falls inside 2026-01, so the invoice's lines cannot "
        "tell the days the balance covers: date it on a billing period's first day"
    )
    with pytest.raises(PricingError, match=f"^{re.escape(message)}$"):
        contract.bill([Event("minutes", 1, dt.datetime(2026, 1, 10, 12))], "2026-01")


def test_a_prepaid_bonus_may_be_zero_or_less_than_one() -> None:
    assert Prepaid("P", amount="1.00 EUR", bonus="0.00 EUR", on="2026-01-01").bought == 1
    # 1.00 + 0.50 = 1.50
    assert Prepaid("P", amount="1.00 EUR", bonus="0.50 EUR", on="2026-01-01").bought == Fraction(
        3, 2
    )


def test_a_prepaid_balance_names_its_wrong_options() -> None:
    with pytest.raises(
        InvalidTypeError, match=r"^amount must be Money or a string like '0\.95 EUR', not 5$"
    ):
        Prepaid("P", amount=5, on="2026-01-01")
    with pytest.raises(
        InvalidTypeError, match=r"^bonus must be Money or a string like '0\.95 EUR', not 5$"
    ):
        Prepaid("P", amount="1.00 EUR", bonus=5, on="2026-01-01")
    with pytest.raises(
        InvalidTypeError, match=r"^on must be a date, not 5 \(or an ISO date string\)$"
    ):
        Prepaid("P", amount="1.00 EUR", on=5)
    with pytest.raises(
        InvalidTypeError, match=r"^expires must be a date, not 5 \(or an ISO date string\)$"
    ):
        Prepaid("P", amount="1.00 EUR", on="2026-01-01", expires=5)
