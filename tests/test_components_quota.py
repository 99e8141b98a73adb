"""Quota: a monthly fee that requires a volume of business (seed 004 §3, 18,000 CNY per
month for 6,000 consultations), with a pro rata shortfall credit.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import decimals

from meterprice import (
    Aggregation,
    Contract,
    ContractError,
    Event,
    Invoice,
    Meter,
    Money,
    Period,
    Quota,
    Usage,
    Window,
)
from meterprice import _decimal as d


def package(**overrides: object) -> Quota:
    fields: dict[str, object] = {
        "metric": "consultations",
        "required": 6000,
        "fee": "18000.00 CNY",
        "unit": "consultations",
    }
    fields.update(overrides)
    return Quota("Monthly package", **fields)  # type: ignore[arg-type]


def bill(quota: Quota, used: object, period: str = "2026-11", **contract: object) -> Invoice:
    priced = Contract("Shop", "CNY", [quota], **contract)  # type: ignore[arg-type]
    # the consultations are used on the first day the quota is active
    active = quota.active.within(priced.term.within(Period.parse(period)) or Period.parse(period))
    on = Period.parse(period).start if active is None else active.start
    return priced.invoice(Usage.from_totals({"consultations": used}, on=on), period)


def amounts(invoice: Invoice) -> list[str]:
    return [str(line.amount) for line in invoice.lines]


# -- whole months -----------------------------------------------------------------------------


def test_a_shortfall_is_credited_per_missing_unit_on_its_own_line() -> None:
    invoice = bill(package(), 5500)
    # 500 consultations missing x 18000.00 / 6000 = 500 x 3.00 = 1500.00 credited
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("Monthly package", "18000.00 CNY"),
        ("Monthly package: shortfall credit", "-1500.00 CNY"),
    ]
    assert invoice.total == Money("16500.00", "CNY")
    fee, credit = invoice.lines
    assert fee.basis == "18000.00 CNY per period for 6000 consultations"
    assert fee.quantity == 1
    assert fee.unit_price == Money("18000.00", "CNY")
    assert credit.quantity == 500
    assert credit.unit == "consultations"
    assert credit.unit_price == Money("-3", "CNY")
    assert credit.basis == (
        "6000 consultations required less 5500 consultations used = 500 consultations "
        "missing x 18000.00 CNY / 6000 consultations"
    )


def test_meeting_or_exceeding_the_quota_earns_no_bonus_unless_configured() -> None:
    assert amounts(bill(package(), 6000)) == ["18000.00 CNY"]
    assert amounts(bill(package(), 6300)) == ["18000.00 CNY"]
    with_bonus = bill(package(bonus_rate="2.00 CNY"), 6300)
    # 300 above the quota x 2.00 = 600.00
    assert [(line.description, str(line.amount)) for line in with_bonus.lines] == [
        ("Monthly package", "18000.00 CNY"),
        ("Monthly package: bonus above the quota", "600.00 CNY"),
    ]
    assert with_bonus.lines[1].basis == (
        "6300 consultations used less 6000 consultations required = 300 consultations x 2.00 CNY"
    )
    assert amounts(bill(package(bonus_rate="2.00 CNY"), 5999)) == ["18000.00 CNY", "-3.00 CNY"]


def test_no_business_at_all_credits_the_whole_fee() -> None:
    invoice = bill(package(), 0)
    # 6000 missing x 3.00 = 18000.00: the fee is credited in full, the invoice is zero
    assert amounts(invoice) == ["18000.00 CNY", "-18000.00 CNY"]
    assert invoice.total == Money("0.00", "CNY")


def test_the_credit_never_exceeds_the_fee_even_with_net_negative_usage() -> None:
    invoice = bill(package(), -600)  # corrections exceeding the month's business
    # 6600 missing x 3.00 = 19800.00, but a credit is at most the fee: 18000.00
    assert amounts(invoice) == ["18000.00 CNY", "-18000.00 CNY"]
    assert invoice.lines[1].unit_price is None
    assert invoice.lines[1].basis.endswith("= 19800 CNY, capped at 18000 CNY (the fee)")


def test_a_credit_per_unit_that_does_not_terminate_is_exact_until_rounded() -> None:
    quota = package(required=3, fee="1000.00 CNY")
    invoice = bill(quota, 1)
    # 2 missing x 1000.00 / 3 = 2000/3 = 666.666... -> 666.67 credited
    assert invoice.lines[1].exact == Fraction(-2000, 3)
    assert invoice.lines[1].amount == Money("-666.67", "CNY")
    assert invoice.lines[1].unit_price is None  # 333.333... has no exact decimal
    assert invoice.total == Money("333.33", "CNY")


# -- caps -------------------------------------------------------------------------------------


def test_an_amount_cap_limits_the_credit() -> None:
    invoice = bill(package(max_credit="1000.00 CNY"), 5000)
    # 1000 missing x 3.00 = 3000.00, capped at 1000.00
    assert amounts(invoice) == ["18000.00 CNY", "-1000.00 CNY"]
    assert invoice.lines[1].basis.endswith("= 3000 CNY, capped at 1000 CNY")
    assert invoice.lines[1].quantity == 1000
    # below the cap the cap changes nothing: 100 missing x 3.00 = 300.00
    assert amounts(bill(package(max_credit="1000.00 CNY"), 5900)) == [
        "18000.00 CNY",
        "-300.00 CNY",
    ]


def test_a_percentage_cap_limits_the_credit_to_a_share_of_the_fee() -> None:
    invoice = bill(package(max_credit_percent=10), 0)
    # 6000 missing x 3.00 = 18000.00, capped at 10 % of 18000.00 = 1800.00
    assert amounts(invoice) == ["18000.00 CNY", "-1800.00 CNY"]
    assert invoice.lines[1].basis.endswith("capped at 1800 CNY (10% of the fee)")


def test_an_amount_cap_above_the_fee_still_stops_at_the_fee() -> None:
    invoice = bill(package(max_credit="50000.00 CNY"), 0)
    assert amounts(invoice) == ["18000.00 CNY", "-18000.00 CNY"]


# -- partial periods --------------------------------------------------------------------------


def test_a_partial_month_prorates_the_fee_the_quota_and_an_amount_cap() -> None:
    start = Window(start=dt.date(2026, 11, 16))
    invoice = bill(package(), 2000, term=start)
    # 15/30 of November: fee 18000.00 x 15/30 = 9000.00, quota 6000 x 15/30 = 3000;
    # 1000 missing x 3.00 = 3000.00 credited
    assert amounts(invoice) == ["9000.00 CNY", "-3000.00 CNY"]
    fee, credit = invoice.lines
    assert fee.basis == (
        "18000.00 CNY per period for 6000 consultations x 15/30 days "
        "(active 2026-11-16..2026-12-01)"
    )
    assert credit.basis.startswith(
        "3000 consultations (6000 consultations x 15/30 days) required less 2000"
    )
    # the amount cap is prorated too: 1000.00 x 15/30 = 500.00
    capped = bill(package(max_credit="1000.00 CNY"), 2000, term=start)
    assert amounts(capped) == ["9000.00 CNY", "-500.00 CNY"]
    # and December, the first whole month, is billed in full: 6000 - 5910 = 90 x 3.00 = 270.00
    assert amounts(bill(package(), 5910, "2026-12", term=start)) == [
        "18000.00 CNY",
        "-270.00 CNY",
    ]


def test_without_proration_a_partial_month_keeps_the_whole_fee_and_quota() -> None:
    start = Window(start=dt.date(2026, 11, 16))
    invoice = bill(package(prorate=False), 2000, term=start)
    # 4000 missing of 6000 x 3.00 = 12000.00
    assert amounts(invoice) == ["18000.00 CNY", "-12000.00 CNY"]


def test_a_31_day_month_with_a_partial_quota() -> None:
    quota = package(active=Window(end=dt.date(2026, 12, 11)))
    invoice = bill(quota, 1500, "2026-12")
    # active 10 of 31 days: fee 18000.00 x 10/31 = 180000/31 = 5806.4516... -> 5806.45;
    # quota 6000 x 10/31 = 60000/31 = 1935.48...; missing 60000/31 - 1500 = 13500/31
    # credit 13500/31 x 3.00 = 40500/31 = 1306.4516... -> 1306.45
    assert invoice.lines[0].exact == Fraction(180000, 31)
    assert invoice.lines[1].exact == Fraction(-40500, 31)
    assert amounts(invoice) == ["5806.45 CNY", "-1306.45 CNY"]
    assert invoice.total == Money("4500.00", "CNY")  # 1500 delivered x 3.00


# -- from events ------------------------------------------------------------------------------


def test_consultations_counted_from_events_with_a_filter() -> None:
    quota = Quota(
        "Chat package",
        metric="consultations",
        required=10,
        fee="300.00 CNY",
        where={"channel": "chat"},
    )
    contract = Contract(
        "Shop",
        "CNY",
        [quota],
        meters=[
            Meter(
                "consultations",
                source="consultation",
                aggregation=Aggregation.COUNT,
                group_by=["channel"],
            )
        ],
    )
    november = [(2, "chat"), (3, "chat"), (4, "phone"), (5, "chat"), (6, "chat")]
    events = [
        Event("consultation", 1, dt.datetime(2026, 11, day, 10), {"channel": channel})
        for day, channel in november
    ]
    events += [
        Event("consultation", 1, dt.datetime(2026, 12, day, 10), {"channel": "chat"})
        for day in range(1, 13)
    ]
    # November: 4 chats of 10 required: 6 missing x 300.00 / 10 = 180.00 credited
    assert amounts(contract.invoice(events, "2026-11")) == ["300.00 CNY", "-180.00 CNY"]
    # December: 12 chats: quota met, no credit and no bonus
    assert amounts(contract.invoice(events, "2026-12")) == ["300.00 CNY"]
    assert quota.metrics == frozenset({"consultations"})
    assert quota.filters == (quota.where,)


# -- validation -------------------------------------------------------------------------------


def test_only_one_kind_of_cap_at_a_time() -> None:
    with pytest.raises(ContractError, match=r"'Monthly package': give max_credit or max_credit_"):
        package(max_credit="1.00 CNY", max_credit_percent=5)


@pytest.mark.parametrize(
    ("overrides", "error", "pattern"),
    [
        ({"required": 0}, ValueError, r"required must be positive"),
        ({"required": 6000.0}, TypeError, r"required must be .* not float"),
        ({"fee": "-1.00 CNY"}, ValueError, r"fee must not be negative"),
        ({"fee": 18000}, TypeError, r"fee must be Money"),
        ({"max_credit": "-5 CNY"}, ValueError, r"max_credit must not be negative"),
        ({"bonus_rate": "-1 CNY"}, ValueError, r"bonus_rate must not be negative"),
        ({"max_credit_percent": 101}, ValueError, r"max_credit_percent must be 0 to 100"),
        ({"max_credit_percent": "-1"}, ValueError, r"max_credit_percent must be 0 to 100"),
        ({"max_credit_percent": 0.5}, TypeError, r"max_credit_percent must be .* not float"),
        ({"metric": ""}, TypeError, r"metric must be a non-empty metric name"),
    ],
)
def test_quota_values_are_checked(
    overrides: dict[str, object], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        package(**overrides)


def test_money_in_another_currency_is_refused_when_the_contract_is_built() -> None:
    quota = package(max_credit="100.00 CNY", bonus_rate="2.00 USD")
    assert quota.money_values == (
        ("fee", Money("18000.00", "CNY")),
        ("max_credit", Money("100.00", "CNY")),
        ("bonus_rate", Money("2.00", "USD")),
    )
    with pytest.raises(ContractError, match=r"components\[0\]\.bonus_rate: 2.00 USD"):
        Contract("Shop", "CNY", [quota])
    with pytest.raises(ContractError, match=r"components\[0\]\.fee"):
        Contract("Shop", "EUR", [package()])
    assert attrs.evolve(quota) == quota


# -- determinism ----------------------------------------------------------------------------


def _hostile() -> decimal.Context:
    """A decimal context that would change any amount or text computed through it."""
    return decimal.Context(prec=2, rounding=decimal.ROUND_DOWN, capitals=0, Emax=3, Emin=-3)


def test_pricing_ignores_the_ambient_decimal_context() -> None:
    contract = Contract("Shop", "CNY", [package(required="6000.5", max_credit_percent="12.5")])
    expected = contract.invoice({"consultations": 17}, "2026-11")
    with decimal.localcontext(_hostile()):
        assert contract.invoice({"consultations": 17}, "2026-11") == expected


# -- properties -------------------------------------------------------------------------------


@st.composite
def quotas(draw: st.DrawFn) -> Quota:
    cap = draw(st.sampled_from(["none", "amount", "percent"]))
    return package(
        required=draw(decimals(min_value="0.01", max_value=10_000, places=2)),
        fee=Money(draw(decimals(min_value=0, max_value=50_000, places=2)), "CNY"),
        max_credit=(
            Money(draw(decimals(max_value=60_000, places=2)), "CNY") if cap == "amount" else None
        ),
        max_credit_percent=(draw(decimals(max_value=100, places=3)) if cap == "percent" else None),
        active=Window(start=dt.date(2026, 11, draw(st.integers(1, 30)))),
    )


usages = decimals(min_value=-2_000, max_value=15_000, places=3)


def _credit_and_fee(quota: Quota, used: Decimal) -> tuple[Fraction, Fraction]:
    invoice = Contract("Shop", "CNY", [quota]).invoice(
        Usage.from_totals({"consultations": used}, on="2026-11-30"), "2026-11"
    )
    fee = invoice.lines_of("Monthly package")[0].exact
    credits = [line.exact for line in invoice.lines if "shortfall" in line.description]
    return sum(credits, Fraction(0)), fee


@given(quotas(), usages)
def test_the_quota_credit_never_exceeds_the_fee(quota: Quota, used: Decimal) -> None:
    credit, fee = _credit_and_fee(quota, used)
    assert credit <= 0
    assert -credit <= fee
    if quota.max_credit_percent is not None:
        assert -credit <= fee * Fraction(quota.max_credit_percent) / 100


@given(quotas(), usages, decimals(max_value=5_000, places=3))
def test_more_business_never_earns_a_larger_credit(
    quota: Quota, used: Decimal, extra: Decimal
) -> None:
    less, _ = _credit_and_fee(quota, used)
    more, _ = _credit_and_fee(quota, d.add(used, extra))
    assert -more <= -less
