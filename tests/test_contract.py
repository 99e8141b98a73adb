"""Example tests for contracts: validation, usage forms, periods, go-live windows, terms,
previous-period pricing and the invoices they produce.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import zoneinfo
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from meterprice import (
    Charge,
    Component,
    Contract,
    ContractError,
    Currency,
    Cycle,
    Event,
    Meter,
    MinimumVolume,
    Money,
    Package,
    Percentage,
    Period,
    PerUnit,
    PricingContext,
    PricingError,
    RecurringFee,
    Rounding,
    SetupFee,
    Tier,
    Tiered,
    UnknownCurrencyError,
    Usage,
    UsageError,
    Window,
)

D = dt.date
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def seconds(day: int, quantity: int, channel: str, month: int = 11) -> Event:
    return Event(
        "handle_seconds",
        quantity,
        dt.datetime(2026, month, day, 10, 0),
        {"channel": channel, "language": "de"},
    )


MINUTES = Meter(
    "handle_minutes",
    source="handle_seconds",
    from_unit="second",
    unit="minute",
    increment=6,
    group_by=["channel"],
)


def support(**kwargs: object) -> Contract:
    return Contract(
        "Acme support",
        "EUR",
        [
            PerUnit(
                "Phone",
                metric="handle_minutes",
                rate="0.95 EUR",
                where={"channel": "phone"},
                unit="min",
                tags="usage",
            ),
            PerUnit(
                "Chat",
                metric="handle_minutes",
                rate="0.60 EUR",
                where={"channel": "chat"},
                unit="min",
                tags="usage",
            ),
            Percentage("Project management", percent=6, of="usage"),
        ],
        meters=[MINUTES],
        **kwargs,  # type: ignore[arg-type]
    )


# November: phone 185 s -> 186 s and 31 s -> 36 s: 222 s = 3.7 min
#           chat 600 s and 7 s -> 12 s: 612 s = 10.2 min
EVENTS = [
    seconds(3, 185, "phone"),
    seconds(12, 31, "phone"),
    seconds(20, 600, "chat"),
    seconds(30, 7, "chat"),
    seconds(31, 6000, "phone", month=10),  # October: not billed in November
    seconds(1, 6000, "chat", month=12),  # December: not billed in November
]


def amounts(invoice: object) -> list[str]:
    return [str(line.amount.amount) for line in invoice.lines]  # type: ignore[attr-defined]


# -- pricing a period -----------------------------------------------------------------------


def test_invoice_from_events() -> None:
    invoice = support().invoice(EVENTS, "2026-11")
    # phone 3.7 min x 0.95 = 3.515 -> 3.52 (half-up); chat 10.2 x 0.60 = 6.12
    # project management 6 % of (3.52 + 6.12 = 9.64) = 0.5784 -> 0.58
    assert amounts(invoice) == ["3.52", "6.12", "0.58"]
    assert [line.exact for line in invoice.lines] == [
        Fraction(3515, 1000),
        Fraction(612, 100),
        Fraction(5784, 10000),
    ]
    assert invoice.total == Money("10.22", "EUR")
    assert invoice.period == Period.month(2026, 11)
    assert invoice.contract == "Acme support"
    assert invoice.rounding is Rounding.HALF_UP


def test_events_usage_and_mapping_price_the_same() -> None:
    contract = support()
    from_events = contract.invoice(EVENTS, Period.month(2026, 11))
    metered = contract.meter(EVENTS, "2026-11")
    assert metered.exact("handle_minutes", {"channel": "phone"}) == Fraction(37, 10)
    assert contract.invoice(metered, "2026-11") == from_events
    totals = {
        ("handle_minutes", (("channel", "phone"),)): "3.7",
        ("handle_minutes", (("channel", "chat"),)): "10.2",
    }
    assert contract.invoice(totals, "2026-11") == from_events
    assert contract.invoice(iter(EVENTS), "2026-11") == from_events  # any iterable of events
    assert contract.invoice(tuple(EVENTS), "2026-11") == from_events


def test_rounding_policy_applies_to_each_line() -> None:
    invoice = support(rounding="half-down").invoice(EVENTS, "2026-11")
    # phone 3.515 -> 3.51 (tie towards zero); chat 6.12; PM 6 % of 9.63 = 0.5778 -> 0.58
    assert amounts(invoice) == ["3.51", "6.12", "0.58"]
    assert invoice.total == Money("10.21", "EUR")
    assert support(rounding=Rounding.DOWN).invoice(EVENTS, "2026-11").total == Money("10.20", "EUR")


def test_events_outside_the_period_are_not_billed() -> None:
    contract = support()
    # October: 6000 s phone = 100 min x 0.95 = 95.00; PM 6 % = 5.70
    assert amounts(contract.invoice(EVENTS, "2026-10")) == ["95.00", "5.70"]
    # December: 6000 s chat = 100 min x 0.60 = 60.00; PM 3.60
    assert amounts(contract.invoice(EVENTS, "2026-12")) == ["60.00", "3.60"]
    assert contract.invoice(EVENTS, "2027-01").lines == ()
    assert contract.invoice([], "2026-11").lines == ()
    assert contract.invoice({}, "2026-11").total == Money("0.00", "EUR")


def test_unknown_metrics_in_the_period_are_refused() -> None:
    stray = Event("emails", 1, dt.datetime(2026, 11, 5))
    with pytest.raises(UsageError, match=r"1 event\(s\) have metrics that no meter reads: emails"):
        support().invoice([*EVENTS, stray], "2026-11")
    # the same event in another period is not this invoice's business
    assert support().invoice([*EVENTS, stray], "2026-12").total == Money("63.60", "EUR")


def test_invoices_over_several_periods() -> None:
    invoices = support().invoices(EVENTS, "2026-10-01", "2027-01-01")
    assert [str(invoice.period) for invoice in invoices] == ["2026-10", "2026-11", "2026-12"]
    # 95.00 + 5.70; 10.22 as above; 60.00 + 3.60
    assert [str(invoice.total) for invoice in invoices] == ["100.70 EUR", "10.22 EUR", "63.60 EUR"]
    # a range that is not a billing period gives the part of each billing period in it
    (one_day,) = support().invoices(EVENTS, D(2026, 11, 15), D(2026, 11, 16))
    assert one_day.period == Period.day(D(2026, 11, 15))
    # a period spelled as text: a quarter is its three months
    assert [str(i.period) for i in support().invoices(EVENTS, "2026-Q4")] == [
        "2026-10",
        "2026-11",
        "2026-12",
    ]


def test_invoice_for_a_custom_period() -> None:
    # the second half of November: only the chat events of the 20th and 30th
    invoice = support().invoice(EVENTS, "2026-11-16..2026-12-01")
    # chat 10.2 min x 0.60 = 6.12; PM 6 % = 0.3672 -> 0.37
    assert amounts(invoice) == ["6.12", "0.37"]


def test_period_argument_forms() -> None:
    contract = support()
    with pytest.raises(
        TypeError, match="period must be a Period or a string like '2026-11', not 202611"
    ):
        contract.invoice(EVENTS, 202611)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a period: 'November'"):
        contract.invoice(EVENTS, "November")
    with pytest.raises(
        TypeError, match="usage must be a Usage, a mapping of totals or events, not 'events'"
    ):
        contract.invoice("events", "2026-11")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match="usage must be a Usage, a mapping of totals or events, not 5"
    ):
        contract.invoice(5, "2026-11")  # type: ignore[arg-type]


# -- time zones -----------------------------------------------------------------------------


def test_period_bounds_are_in_the_contract_time_zone() -> None:
    # 23:30 on 30 November in New York is 04:30 on 1 December in UTC
    late = Event("calls", 1, dt.datetime(2026, 11, 30, 23, 30, tzinfo=NEW_YORK))
    rate = [PerUnit("Calls", metric="calls", rate="1.00 EUR")]
    in_utc = Contract("UTC", "EUR", rate)
    in_new_york = Contract("NY", "EUR", rate, timezone="America/New_York")
    assert in_utc.invoice([late], "2026-11").lines == ()
    assert in_utc.invoice([late], "2026-12").total == Money("1.00", "EUR")
    assert in_new_york.invoice([late], "2026-11").total == Money("1.00", "EUR")
    assert in_new_york.invoice([late], "2026-12").lines == ()


def test_naive_and_aware_events_do_not_mix_in_a_contract() -> None:
    mixed = [
        Event("calls", 1, dt.datetime(2026, 11, 3)),
        Event("calls", 1, dt.datetime(2026, 11, 4, tzinfo=dt.timezone.utc)),
    ]
    contract = Contract("C", "EUR", [PerUnit("Calls", metric="calls", rate="1.00 EUR")])
    with pytest.raises(UsageError, match="do not mix naive and aware timestamps"):
        contract.invoice(mixed, "2026-11")


# -- go-live, phases and terms --------------------------------------------------------------


def test_go_live_mid_month_bills_only_events_after_it() -> None:
    contract = Contract(
        "Go-live",
        "EUR",
        [
            SetupFee(
                "Implementation",
                amount="4500.00 EUR",
                on="2026-11-02",
                active={"end": "2026-11-16"},
            ),
            PerUnit(
                "Phone",
                metric="handle_minutes",
                rate="0.95 EUR",
                active={"start": "2026-11-16"},
                tags="usage",
            ),
            RecurringFee("Reporting", amount="300.00 EUR", active=Window(start=D(2026, 11, 16))),
        ],
        meters=[MINUTES],
    )
    # the calls of the 3rd and 12th (222 s) come before go-live; only the chat calls of the
    # 20th and 30th (612 s = 10.2 min) are billed: 10.2 x 0.95 = 9.69
    # reporting: 15 of 30 days = 150.00
    invoice = contract.invoice(EVENTS, "2026-11")
    assert [(line.component, str(line.amount.amount)) for line in invoice.lines] == [
        ("Implementation", "4500.00"),
        ("Phone", "9.69"),
        ("Reporting", "150.00"),
    ]
    assert invoice.total == Money("4659.69", "EUR")
    # December: 100 min x 0.95 = 95.00 and the whole reporting fee
    assert amounts(contract.invoice(EVENTS, "2026-12")) == ["95.00", "300.00"]
    # an unknown metric before go-live is still refused
    with pytest.raises(UsageError, match="no meter reads: emails"):
        contract.invoice([Event("emails", 1, dt.datetime(2026, 11, 5))], "2026-11")


def test_term_starting_mid_month_makes_the_first_month_partial() -> None:
    contract = Contract(
        "Term",
        "EUR",
        [
            RecurringFee("Platform", amount="1500.00 EUR"),
            PerUnit("Minutes", metric="handle_minutes", rate="1.00 EUR"),
        ],
        meters=[MINUTES],
        term={"start": "2026-11-16"},
    )
    assert contract.term == Window(start=D(2026, 11, 16))
    # November: 1500 x 15/30 = 750.00; only the 10.2 chat minutes after the 16th: 10.20
    assert amounts(contract.invoice(EVENTS, "2026-11")) == ["750.00", "10.20"]
    with pytest.raises(PricingError, match=r"2026-10 is outside the term \[2026-11-16, \.\.\.\)"):
        contract.invoice(EVENTS, "2026-10")  # before the term: refused ...
    assert contract.invoice(EVENTS, "2026-10", outside_term="empty").lines == ()  # ... or empty
    assert amounts(contract.invoice(EVENTS, "2026-12")) == ["1500.00", "100.00"]
    ended = Contract(
        "Ended",
        "EUR",
        [RecurringFee("Platform", amount="1500.00 EUR")],
        term=("2026-01-01", "2026-11-11"),
    )
    # 10 of 30 days: 500.00
    assert amounts(ended.invoice({}, "2026-11")) == ["500.00"]
    with pytest.raises(UsageError, match="no meter reads: emails"):
        contract.invoice(
            [Event("emails", 1, dt.datetime(2026, 10, 5))], "2026-10", outside_term="empty"
        )


# -- previous-period pricing ----------------------------------------------------------------


@attrs.frozen
class LastMonthCommission(Component):
    """1.00 EUR per unit of ``metric`` sold in the previous period (a test component)."""

    metric: str = attrs.field(kw_only=True)

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def uses_previous_period(self) -> bool:
        return True

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        assert ctx.previous_usage is not None
        sold = ctx.previous_usage.exact(self.metric)
        return (Charge(self.name, sold, f"{sold} in {ctx.previous_period}"),) if sold else ()


SALES = [
    Event("sales", 8, dt.datetime(2026, 10, 20)),
    Event("sales", 3, dt.datetime(2026, 11, 2)),
]


def test_previous_period_from_events() -> None:
    contract = Contract("Commission", "EUR", [LastMonthCommission("Commission", metric="sales")])
    november = contract.invoice(SALES, "2026-11")
    (line,) = november.lines
    assert line.amount == Money("8.00", "EUR")  # October's 8 sales
    assert line.basis == "8 in 2026-10"
    assert contract.invoice(SALES, "2026-12").total == Money("3.00", "EUR")


def test_previous_period_from_previous_usage() -> None:
    contract = Contract("Commission", "EUR", [LastMonthCommission("Commission", metric="sales")])
    this_month = {"sales": 3}
    assert contract.invoice(this_month, "2026-11", previous_usage={"sales": 5}).total == Money(
        "5.00", "EUR"
    )
    previous = Usage.from_totals({"sales": 7})
    assert contract.invoice(this_month, "2026-11", previous_usage=previous).total == Money(
        "7.00", "EUR"
    )
    assert contract.invoice(this_month, "2026-11", previous_usage=SALES).total == Money(
        "8.00", "EUR"
    )
    # a function of windows (what a streaming reader gives) is asked for October
    asked: list[Period] = []

    def metered(window: Period) -> Usage:
        asked.append(window)
        return Usage.from_totals({"sales": 4})

    assert contract.invoice(this_month, "2026-11", previous_usage=metered).total == Money(
        "4.00", "EUR"
    )
    assert asked == [Period.month(2026, 10)]


def test_previous_period_is_required_with_a_summary() -> None:
    contract = Contract("Commission", "EUR", [LastMonthCommission("Commission", metric="sales")])
    with pytest.raises(
        PricingError,
        match=r"'Commission' price\(s\) on the previous period's usage \(2026-10\): pass "
        "previous_usage=",
    ):
        contract.invoice({"sales": 3}, "2026-11")
    with pytest.raises(PricingError, match="previous_usage"):
        contract.invoice(Usage.from_totals({"sales": 3}), "2026-11")


def test_previous_period() -> None:
    contract = support()
    assert contract.previous_period(Period.month(2026, 11)) == Period.month(2026, 10)
    assert contract.previous_period(Period.month(2027, 1)) == Period.month(2026, 12)
    # part of a billing period: the billing period before the one that contains it
    half = Period(D(2026, 11, 16), D(2026, 12, 1))
    assert contract.previous_period(half) == Period.month(2026, 10)
    weekly = support(cycle=Cycle.weekly())
    week = Period(D(2026, 11, 16), D(2026, 11, 23))
    assert weekly.previous_period(week) == Period(D(2026, 11, 9), D(2026, 11, 16))


# -- validation -----------------------------------------------------------------------------


def test_duplicate_component_names() -> None:
    with pytest.raises(
        ContractError, match=r"components\[2\]: the name 'Phone' is already used by components\[0\]"
    ):
        Contract(
            "C",
            "EUR",
            [
                PerUnit("Phone", metric="m", rate="1 EUR"),
                PerUnit("Chat", metric="m", rate="1 EUR"),
                PerUnit("Phone", metric="m", rate="2 EUR"),
            ],
        )


def test_currency_mismatch_names_the_field() -> None:
    with pytest.raises(
        ContractError, match=r"components\[2\].rate: 1.20 USD is in USD but the contract is in EUR"
    ):
        Contract(
            "C",
            "EUR",
            [
                PerUnit("A", metric="m", rate="1 EUR"),
                RecurringFee("B", amount="10 EUR"),
                PerUnit("C", metric="m", rate="1.20 USD"),
            ],
        )
    with pytest.raises(ContractError, match=r"components\[0\].tiers\[1\].flat: 5 GBP"):
        Contract(
            "C",
            "EUR",
            [Tiered("T", metric="m", tiers=[Tier(10, "1 EUR"), Tier(None, "1 EUR", flat="5 GBP")])],
        )
    with pytest.raises(ContractError, match=r"components\[0\].amount: 10 USD"):
        Contract("C", "EUR", [RecurringFee("Fee", amount="10 USD")])


def test_reading_tags_no_earlier_component_carries() -> None:
    with pytest.raises(
        ContractError,
        match=r"components\[1\] \('PM'\) reads lines tagged usage "
        r"but no earlier component carries that tag",
    ):
        Contract(
            "C",
            "EUR",
            [
                PerUnit("A", metric="m", rate="1 EUR", tags="fees"),
                Percentage("PM", percent=6, of="usage"),
            ],
        )
    with pytest.raises(
        ContractError,
        match="reads lines tagged a, b but no earlier component carries any of those tags",
    ):
        Contract(
            "C",
            "EUR",
            [
                Percentage("PM", percent=6, of=["a", "b"]),
                PerUnit("A", metric="m", rate="1 EUR", tags="a"),
            ],
        )
    with pytest.raises(
        ContractError, match=r"components\[0\] \('PM'\) reads every earlier line but it comes first"
    ):
        Contract("C", "EUR", [Percentage("PM", percent=6)])
    # reading every earlier line after something is fine
    Contract("C", "EUR", [PerUnit("A", metric="m", rate="1 EUR"), Percentage("PM", percent=6)])


def test_filter_on_a_dimension_the_meter_drops() -> None:
    with pytest.raises(
        ContractError,
        match=r"components\[1\] \('German'\) filters 'handle_minutes' on language "
        r"but meter 'handle_minutes' groups only by channel",
    ):
        Contract(
            "C",
            "EUR",
            [
                PerUnit("Phone", metric="handle_minutes", rate="1 EUR", where={"channel": "phone"}),
                PerUnit("German", metric="handle_minutes", rate="1 EUR", where={"language": "de"}),
            ],
            meters=[MINUTES],
        )
    with pytest.raises(ContractError, match="groups only by nothing"):
        Contract(
            "C",
            "EUR",
            [PerUnit("German", metric="m", rate="1 EUR", where={"language": "de"})],
            meters=[Meter("m", group_by=[])],
        )


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "America", "", "../etc/passwd", "utc+1"])
def test_bad_timezone(zone: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"timezone: unknown IANA time zone {zone!r}")):
        Contract("C", "EUR", [], timezone=zone)


def test_bad_rounding_name() -> None:
    with pytest.raises(
        ValueError,
        match=r"rounding must be one of half_up, half_even, half_down, up, down, ceiling, "
        r"floor \(got 'bankers'\)",
    ):
        Contract("C", "EUR", [], rounding="bankers")
    with pytest.raises(ValueError, match=r"\(got 2\)"):
        Contract("C", "EUR", [], rounding=2)
    assert Contract("C", "EUR", [], rounding="half-even").rounding is Rounding.HALF_EVEN
    assert Contract("C", "EUR", [], rounding="CEILING").rounding is Rounding.CEILING


def test_other_validation_errors() -> None:
    with pytest.raises(UnknownCurrencyError):
        Contract("C", "EUX", [])
    with pytest.raises(TypeError, match="currency must be an ISO 4217 code, not 978"):
        Contract("C", 978, [])
    with pytest.raises(TypeError, match="a contract name must be a non-empty string, not ''"):
        Contract("", "EUR", [])
    with pytest.raises(TypeError, match="components must be a list of components, not 'Phone'"):
        Contract("C", "EUR", "Phone")
    with pytest.raises(TypeError, match=r"components\[0\] is not a Component: 'Phone'"):
        Contract("C", "EUR", ["Phone"])
    with pytest.raises(TypeError, match="meters must be a list of Meter, not"):
        Contract("C", "EUR", [], meters=MINUTES)
    with pytest.raises(TypeError, match=r"meters\[0\] is not a Meter: 'm'"):
        Contract("C", "EUR", [], meters=["m"])
    with pytest.raises(
        ContractError, match=r"meters\[1\]: the name 'handle_minutes' is used twice"
    ):
        Contract("C", "EUR", [], meters=[MINUTES, MINUTES])
    with pytest.raises(TypeError, match="cycle must be a Cycle, not 'monthly'"):
        Contract("C", "EUR", [], cycle="monthly")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timezone must be an IANA time zone name, not 1"):
        Contract("C", "EUR", [], timezone=1)  # type: ignore[arg-type]


def test_components_returning_something_else_are_a_pricing_error() -> None:
    @attrs.frozen
    class Broken(Component):
        def price(self, ctx: PricingContext) -> Sequence[Charge]:
            return ("12.00",)  # type: ignore[return-value]

    with pytest.raises(
        PricingError, match=r"components\[0\] \('Broken'\) returned '12.00', not a Charge"
    ):
        Contract("C", "EUR", [Broken("Broken")]).invoice({}, "2026-11")


# -- helpers --------------------------------------------------------------------------------


def test_component_lookup_and_all_meters() -> None:
    contract = Contract(
        "C",
        "EUR",
        [
            PerUnit("Orders", metric="orders", rate="1 EUR"),
            PerUnit("Calls", metric="calls", rate="1 EUR"),
            PerUnit("Phone", metric="handle_minutes", rate="1 EUR"),
        ],
        meters=[MINUTES],
    )
    assert contract.component("Calls").name == "Calls"
    with pytest.raises(KeyError, match="contract 'C' has no component 'Email'"):
        contract.component("Email")
    # the contract's meters, then a summing meter per metric no meter produces, sorted
    assert contract.all_meters == (MINUTES, Meter("calls"), Meter("orders"))


def test_invoice_presentation_from_a_contract() -> None:
    invoice = support().invoice(EVENTS, "2026-11")
    assert invoice.subtotal({"usage"}) == Money("9.64", "EUR")
    assert invoice.lines_of("Chat")[0].quantity == Fraction(51, 5)  # 10.2 min
    assert invoice.lines[0].tags == frozenset({"usage"})
    data = invoice.to_dict()
    assert data["total"] == "10.22"
    assert data["lines"][0] == {
        "component": "Phone",
        "description": "Phone",
        "version": None,
        "dimensions": {},
        "active": {"start": "2026-11-01", "end": "2026-12-01"},
        "quantity": "3.7",
        "unit": "min",
        "unit_price": "0.95",
        "amount": "3.52",
        "exact_amount": "3.515",
        "original": None,
        "tags": ["usage"],
        "basis": "3.7 min x 0.95 EUR",
    }
    assert invoice.explain().splitlines() == [
        "Acme support, 2026-11 (EUR, half-up rounding per line)",
        "  1. Phone: 3.7 min x 0.95 EUR = 3.515 EUR, rounded to 3.52 EUR",
        "  2. Chat: 10.2 min x 0.60 EUR = 6.12 EUR",
        "  3. Project management: 6% of 9.64 EUR (lines tagged usage) = 0.5784 EUR, "
        "rounded to 0.58 EUR",
        "  total = 3.52 + 6.12 + 0.58 = 10.22 EUR",
    ]
    assert str(invoice).splitlines()[0] == "Acme support: 2026-11 (EUR)"
    assert str(invoice).splitlines()[-1].endswith("10.22")
    assert "<caption>Acme support: 2026-11 (EUR)</caption>" in invoice._repr_html_()


def test_jpy_contract_rounds_to_whole_yen() -> None:
    contract = Contract(
        "Yen", "JPY", [PerUnit("Calls", metric="calls", rate="12.5 JPY")], rounding="half-even"
    )
    # 3 calls x 12.5 = 37.5 -> 38 (even); 5 x 12.5 = 62.5 -> 62 (even)
    assert str(contract.invoice({"calls": 3}, "2026-11").total) == "38 JPY"
    assert str(contract.invoice({"calls": 5}, "2026-11").total) == "62 JPY"
    assert contract.currency == Currency.of("JPY")


def test_pricing_does_not_depend_on_the_decimal_context() -> None:
    contract = support()
    expected = contract.invoice(EVENTS, "2026-11")
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        ctx.traps[decimal.FloatOperation] = True
        assert contract.invoice(EVENTS, "2026-11") == expected
        assert str(contract.invoice(EVENTS, "2026-11")) == str(expected)
        assert contract.invoice(EVENTS, "2026-11").to_dict() == expected.to_dict()
    assert expected.total.amount == Decimal("10.22")


# -- usage no component prices ----------------------------------------------------------------


def _priced_by_channel(**kwargs: object) -> Contract:
    return Contract(
        "Channels",
        "EUR",
        [
            PerUnit("Phone", metric="handle_minutes", rate="1 EUR", where={"channel": "phone"}),
            Tiered(
                "Chat",
                metric="handle_minutes",
                where={"channel": "chat"},
                tiers=[Tier(None, "1 EUR")],
            ),
            Package(
                "Email", metric="handle_minutes", where={"channel": "email"}, size=10, price="5 EUR"
            ),
            MinimumVolume("Minimum", metric="handle_minutes", quantity=1, rate="1 EUR"),
        ],
        meters=[MINUTES],
        **kwargs,  # type: ignore[arg-type]
    )


def test_usage_that_no_component_prices_is_refused() -> None:
    # the minimum only measures usage: it does not price the fax minutes
    fax = {
        ("handle_minutes", (("channel", "fax"),)): 3,
        ("handle_minutes", (("channel", "phone"),)): 2,
    }
    with pytest.raises(
        PricingError,
        match=r"contract 'Channels': usage that no component prices: "
        r"handle_minutes \[channel=fax\] = 3\. ",
    ):
        _priced_by_channel().invoice(fax, "2026-11")
    # a zero quantity is no usage; phone, chat and e-mail are priced
    quiet = {
        ("handle_minutes", (("channel", "fax"),)): 0,
        ("handle_minutes", (("channel", "phone"),)): 2,
        ("handle_minutes", (("channel", "chat"),)): 3,
        ("handle_minutes", (("channel", "email"),)): 11,
    }
    # phone 2 x 1 = 2.00; chat 3 x 1 = 3.00; e-mail 11 min = 2 packages x 5 = 10.00
    assert amounts(_priced_by_channel().invoice(quiet, "2026-11")) == ["2.00", "3.00", "10.00"]
    assert amounts(_priced_by_channel(unpriced="ignore").invoice(fax, "2026-11")) == ["2.00"]
    with pytest.raises(ValueError, match="unpriced"):
        _priced_by_channel(unpriced="warn")


def test_unpriced_usage_lists_five_groups_and_counts_the_rest() -> None:
    many = {("handle_minutes", (("channel", f"fax{index}"),)): 1 for index in range(7)}
    with pytest.raises(PricingError, match=r"\[channel=fax4\] = 1 and 2 more\. "):
        _priced_by_channel().invoice(many, "2026-11")


def test_usage_metered_elsewhere_window_by_window() -> None:
    contract = support()
    windows: list[Period] = []

    def metered(window: Period) -> Usage:
        windows.append(window)
        return contract.meter(EVENTS, window)

    assert contract.invoice(metered, "2026-11") == contract.invoice(EVENTS, "2026-11")
    assert windows == [Period.month(2026, 11)]  # metered once, shared by every component
    commission = Contract("Commission", "EUR", [LastMonthCommission("Commission", metric="sales")])
    invoice = commission.invoice(lambda window: commission.meter(SALES, window), "2026-11")
    assert invoice.total == Money("8.00", "EUR")


def test_previous_period_events_count_only_inside_the_term() -> None:
    # The contract starts on 16 November: October and 1-15 November lie before its term,
    # so their sales are no one's performance under it (found pricing the seed catalogue).
    contract = Contract(
        "Commission",
        "EUR",
        [LastMonthCommission("Commission", metric="sales")],
        term={"start": "2026-11-16"},
    )
    sales = [
        Event("sales", 8, dt.datetime(2026, 10, 20)),
        Event("sales", 5, dt.datetime(2026, 11, 10)),
        Event("sales", 3, dt.datetime(2026, 11, 20)),
    ]
    assert contract.invoice(sales, "2026-11").lines == ()  # October: before the term
    assert contract.invoice(sales, "2026-12").total == Money("3.00", "EUR")  # 3, not 5 + 3
    assert contract.invoice({}, "2026-11", previous_usage=sales).lines == ()
    assert contract.invoice({}, "2026-12", previous_usage=sales).total == Money("3.00", "EUR")
    # a summary of November cannot say which sales came after the 16th: refused ...
    with pytest.raises(
        PricingError, match=r"the contract's term covers only 2026-11-16\.\.2026-12-01 of 2026-11"
    ):
        contract.invoice({}, "2026-12", previous_usage={"sales": 13})
    # ... unless spread evenly over November's days: 13 x 15/30 = 6.50
    assert contract.invoice(
        {}, "2026-12", previous_usage={"sales": 13}, spread="days"
    ).total == Money("6.50", "EUR")
    # totals given per day are cut exactly: only the 3 of the 20th
    daily = Usage.from_daily({"2026-11-10": {"sales": 5}, "2026-11-20": {"sales": 3}})
    assert contract.invoice({}, "2026-12", previous_usage=daily).total == Money("3.00", "EUR")
