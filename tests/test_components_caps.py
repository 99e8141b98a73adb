"""Maximum (a cap as a credit line) and Discount (percentage or fixed, never below zero).

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import currencies, decimals, roundings

from meterprice import (
    Charge,
    Component,
    Contract,
    ContractError,
    Currency,
    Discount,
    Invoice,
    Maximum,
    Money,
    Percentage,
    Period,
    PerUnit,
    PricingContext,
    RecurringFee,
    Rounding,
    Usage,
    Window,
)

D = dt.date


def usage_lines() -> list[Component]:
    return [
        PerUnit("Minutes", metric="handle_minutes", rate="0.95 CNY", tags={"usage"}),
        PerUnit("Orders", metric="orders", rate="12.00 CNY", tags={"usage"}),
        RecurringFee("Platform", amount="1000.00 CNY"),
    ]


def amounts(invoice: Invoice) -> list[tuple[str, Decimal]]:
    return [(line.component, line.amount.amount) for line in invoice.lines]


# 18000 min x 0.95 = 17100.00 and 500 orders x 12.00 = 6000.00: usage 23100.00
BUSY = {"handle_minutes": 18000, "orders": 500}


def busy_in(period: str) -> Usage:
    """BUSY used on the last day of ``period``: inside any term or window of it."""
    return Usage.from_totals(BUSY, on=Period.parse(period).last_day)


# 10000 min x 0.95 = 9500.00 and 500 x 12.00 = 6000.00: usage 15500.00
QUIET = {"handle_minutes": 10000, "orders": 500}


@attrs.frozen
class Credit(Component):
    """A fixed credit note, to give a subtotal that is already negative."""

    amount: Fraction = attrs.field(kw_only=True)

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        return (Charge("Credit note", -self.amount, "goodwill", tags=self.tags),)


# -- Maximum -------------------------------------------------------------------------------


def test_a_cap_credits_the_excess_of_the_tagged_lines() -> None:
    cap = Maximum("Usage cap", amount="20000.00 CNY", of={"usage"})
    contract = Contract("Shop", "CNY", [*usage_lines(), cap])
    busy = contract.invoice(busy_in("2026-11"), "2026-11")
    # usage 23100.00 is 3100.00 above the 20000.00 cap; the platform fee is not capped
    assert amounts(busy) == [
        ("Minutes", Decimal("17100.00")),
        ("Orders", Decimal("6000.00")),
        ("Platform", Decimal("1000.00")),
        ("Usage cap", Decimal("-3100.00")),
    ]
    assert busy.lines[-1].basis == "23100 CNY (lines tagged usage) capped at 20000 CNY"
    # 17100.00 + 6000.00 + 1000.00 - 3100.00 = 21000.00
    assert busy.total == Money("21000.00", "CNY")
    # below the cap (15500.00) there is no line
    assert [line.component for line in contract.invoice(QUIET, "2026-11").lines] == [
        "Minutes",
        "Orders",
        "Platform",
    ]


def test_a_subtotal_right_on_the_cap_is_not_credited() -> None:
    rate = PerUnit("Minutes", metric="handle_minutes", rate="0.80 CNY", tags={"usage"})
    cap = Maximum("Cap", amount="20000.00 CNY", of="usage", description="Usage cap")
    # 25000 min x 0.80 = 20000.00, exactly the cap
    invoice = Contract("Shop", "CNY", [rate, cap]).invoice({"handle_minutes": 25000}, "2026-11")
    assert amounts(invoice) == [("Minutes", Decimal("20000.00"))]
    # one cent more: 25000.0125 min x 0.80 = 20000.01, credited 0.01
    above = Contract("Shop", "CNY", [rate, cap]).invoice(
        {"handle_minutes": "25000.0125"}, "2026-11"
    )
    assert amounts(above)[-1] == ("Cap", Decimal("-0.01"))
    assert above.lines[-1].description == "Usage cap"


def test_a_cap_on_every_line_above() -> None:
    cap = Maximum("Cap", amount="20000.00 CNY")
    invoice = Contract("Shop", "CNY", [*usage_lines(), cap]).invoice(busy_in("2026-11"), "2026-11")
    # 17100.00 + 6000.00 + 1000.00 = 24100.00, 4100.00 above the cap
    assert amounts(invoice)[-1] == ("Cap", Decimal("-4100.00"))
    assert invoice.lines[-1].basis == "24100 CNY (all lines above) capped at 20000 CNY"
    assert invoice.total == Money("20000.00", "CNY")


def test_a_prorated_cap_in_partial_months() -> None:
    cap = Maximum("Cap", amount="20000.00 CNY", of={"usage"}, prorate=True)
    november = Contract(
        "Shop", "CNY", [*usage_lines(), cap], term=Window(start=D(2026, 11, 16))
    ).invoice(busy_in("2026-11"), "2026-11")
    # cap 20000.00 x 15/30 = 10000.00; credit 10000.00 - 23100.00 = -13100.00
    assert amounts(november)[-1] == ("Cap", Decimal("-13100.00"))
    assert november.lines[-1].basis == (
        "23100 CNY (lines tagged usage) capped at 10000 CNY (20000.00 CNY x 15/30 days)"
    )
    december = Contract(
        "Shop", "CNY", [*usage_lines(), cap], term=Window(start=D(2026, 12, 22))
    ).invoice(busy_in("2026-12"), "2026-12")
    # cap 20000.00 x 10/31 = 6451.6129... rounded once to 6451.61; credit
    # 6451.61 - 23100.00 = -16648.39, so usage + credit is exactly 6451.61
    assert amounts(december)[-1] == ("Cap", Decimal("-16648.39"))
    # a whole month is not prorated: 23100.00 - 20000.00 = 3100.00
    whole = Contract("Shop", "CNY", [*usage_lines(), cap]).invoice(busy_in("2026-12"), "2026-12")
    assert amounts(whole)[-1] == ("Cap", Decimal("-3100.00"))


def test_a_tagged_cap_is_seen_by_later_components() -> None:
    cap = Maximum("Cap", amount="20000.00 CNY", of={"usage"}, tags={"usage"})
    pm = Percentage("Project management", percent=6, of={"usage"})
    invoice = Contract("Shop", "CNY", [*usage_lines(), cap, pm]).invoice(
        busy_in("2026-11"), "2026-11"
    )
    # the capped usage is 23100.00 - 3100.00 = 20000.00; 6 % of it is 1200.00
    assert amounts(invoice)[-1] == ("Project management", Decimal("1200.00"))


def test_maximum_validation() -> None:
    cap = Maximum("Cap", amount="20000.00 CNY", of={"usage"})
    assert cap.reads_tags == frozenset({"usage"})
    assert cap.money_values == (("amount", Money("20000.00", "CNY")),)
    assert (cap.metrics, cap.filters, cap.uses_previous_period) == (frozenset(), (), False)
    assert Maximum("Cap", amount="1.00 CNY").reads_tags is None
    with pytest.raises(ContractError, match=r"components\[3\]\.amount: 20000\.00 EUR is in EUR"):
        Contract("Shop", "CNY", [*usage_lines(), Maximum("Cap", amount="20000.00 EUR")])
    with pytest.raises(ContractError, match="reads lines tagged sales but no earlier component"):
        Contract("Shop", "CNY", [*usage_lines(), Maximum("Cap", amount="1.00 CNY", of="sales")])
    with pytest.raises(ContractError, match="reads every earlier line but it comes first"):
        Contract("Shop", "CNY", [Maximum("Cap", amount="1.00 CNY"), *usage_lines()])
    with pytest.raises(ValueError, match=r"amount must be positive \(got 0\.00 CNY\)"):
        Maximum("Cap", amount="0.00 CNY")
    with pytest.raises(TypeError, match="amount must be Money or a string"):
        Maximum("Cap", amount=20000)
    with pytest.raises(TypeError, match="tags must be non-empty strings"):
        Maximum("Cap", amount="1.00 CNY", of=[""])


# -- Discount ------------------------------------------------------------------------------


def test_a_percentage_discount_on_tagged_lines() -> None:
    discount = Discount("Launch discount", percent=10, of={"usage"})
    invoice = Contract("Shop", "CNY", [*usage_lines(), discount]).invoice(
        busy_in("2026-11"), "2026-11"
    )
    # 10 % off 23100.00 = -2310.00; the platform fee keeps its price
    line = invoice.lines[-1]
    assert (line.component, line.amount) == ("Launch discount", Money("-2310.00", "CNY"))
    assert line.basis == "10% off 23100 CNY (lines tagged usage)"
    assert (line.quantity, line.unit, line.unit_price) == (
        Fraction(23100),
        "CNY",
        Money("-0.10", "CNY"),
    )
    # 17100.00 + 6000.00 + 1000.00 - 2310.00 = 21790.00
    assert invoice.total == Money("21790.00", "CNY")
    assert discount.money_values == ()


def test_a_percentage_discount_is_rounded_once() -> None:
    rate = PerUnit("Chat", metric="chats", rate="0.99 CNY", tags={"usage"})
    discount = Discount("Discount", percent="12.5", of={"usage"})
    # 12.5 % of 0.99 = 0.12375: half-up -0.12 (subtotal 0.87), floor -0.13 (subtotal 0.86)
    up = Contract("Shop", "CNY", [rate, discount]).invoice({"chats": 1}, "2026-11")
    assert up.lines[-1].exact == Fraction("-0.12375")
    assert up.lines[-1].amount == Money("-0.12", "CNY")
    floor = Contract("Shop", "CNY", [rate, discount], rounding=Rounding.FLOOR)
    assert floor.invoice({"chats": 1}, "2026-11").total == Money("0.86", "CNY")


def test_a_full_discount_leaves_exactly_zero() -> None:
    discount = Discount("Free trial", percent=100, of={"usage"})
    invoice = Contract("Shop", "CNY", [*usage_lines(), discount]).invoice(
        busy_in("2026-11"), "2026-11"
    )
    # -100 % of 23100.00: the usage lines add up to 0.00, only the platform fee remains
    assert invoice.total == Money("1000.00", "CNY")


def test_a_fixed_discount_and_its_limit() -> None:
    discount = Discount("Loyalty", amount="500.00 CNY", of={"usage"})
    invoice = Contract("Shop", "CNY", [*usage_lines(), discount]).invoice(
        busy_in("2026-11"), "2026-11"
    )
    assert amounts(invoice)[-1] == ("Loyalty", Decimal("-500.00"))
    assert invoice.lines[-1].basis == "500.00 CNY off 23100 CNY (lines tagged usage)"
    assert discount.money_values == (("amount", Money("500.00", "CNY")),)
    # 20 orders x 12.00 = 240.00 and 80 min x 0.95 = 76.00: usage 316.00, less than 500.00
    small = Contract("Shop", "CNY", [*usage_lines(), discount]).invoice(
        {"handle_minutes": 80, "orders": 20}, "2026-11"
    )
    assert amounts(small)[-1] == ("Loyalty", Decimal("-316.00"))
    assert small.lines[-1].basis == (
        "500.00 CNY off, limited to the subtotal 316 CNY (lines tagged usage)"
    )
    # usage 0.00 + platform 1000.00 = 1000.00: the fee is not discounted
    assert small.total == Money("1000.00", "CNY")


def test_nothing_to_discount() -> None:
    discount = Discount("Loyalty", amount="500.00 CNY", of={"usage"})
    # no usage: no usage line, so a zero subtotal and no discount line
    invoice = Contract("Shop", "CNY", [*usage_lines(), discount]).invoice({}, "2026-11")
    assert [line.component for line in invoice.lines] == ["Platform"]
    # a subtotal that is already negative (a credit note of 50.00) is not discounted
    credit = Credit("Goodwill", amount=Fraction(50), tags={"usage"})
    percent = Discount("Launch", percent=10, of={"usage"})
    negative = Contract("Shop", "CNY", [credit, discount, percent]).invoice({}, "2026-11")
    assert amounts(negative) == [("Goodwill", Decimal("-50.00"))]


def test_a_prorated_fixed_discount() -> None:
    discount = Discount("Loyalty", amount="500.00 CNY", of={"usage"}, prorate=True)
    november = Contract(
        "Shop", "CNY", [*usage_lines(), discount], term=Window(start=D(2026, 11, 16))
    ).invoice(busy_in("2026-11"), "2026-11")
    # 500.00 x 15/30 = 250.00
    assert amounts(november)[-1] == ("Loyalty", Decimal("-250.00"))
    assert november.lines[-1].basis == (
        "500.00 CNY x 15/30 days = 250 CNY off 23100 CNY (lines tagged usage)"
    )
    december = Contract(
        "Shop", "CNY", [*usage_lines(), discount], term=Window(start=D(2026, 12, 22))
    ).invoice(busy_in("2026-12"), "2026-12")
    # 500.00 x 10/31 = 161.2903... -> -161.29
    assert amounts(december)[-1] == ("Loyalty", Decimal("-161.29"))
    # a whole month: the whole 500.00
    whole = Contract("Shop", "CNY", [*usage_lines(), discount]).invoice(
        busy_in("2026-12"), "2026-12"
    )
    assert amounts(whole)[-1] == ("Loyalty", Decimal("-500.00"))


def test_discount_validation() -> None:
    with pytest.raises(ContractError, match="give exactly one of percent and amount"):
        Discount("Discount")
    with pytest.raises(ContractError, match="give exactly one of percent and amount"):
        Discount("Discount", percent=10, amount="5.00 CNY")
    with pytest.raises(
        ContractError, match=r"prorate applies to a fixed amount, not to a percentage"
    ):
        Discount("Discount", percent=10, prorate=True)
    for percent in (0, -5, 101, "100.01"):
        with pytest.raises(ValueError, match="percent must be more than 0 and at most 100"):
            Discount("Discount", percent=percent)
    with pytest.raises(TypeError, match="not float"):
        Discount("Discount", percent=10.5)
    with pytest.raises(ValueError, match=r"amount must be positive \(got -5\.00 CNY\)"):
        Discount("Discount", amount="-5.00 CNY")
    with pytest.raises(ContractError, match=r"components\[3\]\.amount: 5\.00 EUR is in EUR"):
        Contract("Shop", "CNY", [*usage_lines(), Discount("Discount", amount="5.00 EUR")])
    discount = Discount("Discount", percent=5, of={"usage"})
    assert discount.reads_tags == frozenset({"usage"})


# -- properties ----------------------------------------------------------------------------


@st.composite
def priced_lines(draw: st.DrawFn, currency: Currency) -> tuple[list[Component], dict[str, Decimal]]:
    """A few usage lines tagged ``usage`` (one untagged), and usage for them."""
    places = currency.minor_units
    components: list[Component] = []
    usage: dict[str, Decimal] = {}
    for index in range(draw(st.integers(2, 5))):
        metric = f"m{index}"
        rate = draw(decimals(min_value=0, max_value=50, places=places + 3))
        tags = {"usage"} if index else set()
        components.append(
            PerUnit(f"Rate {index}", metric=metric, rate=Money(rate, currency), tags=tags)
        )
        usage[metric] = draw(decimals(min_value=0, max_value=5000, places=2))
    if draw(st.booleans()):
        components.append(Credit("Credit", amount=draw(st.fractions(0, 500)), tags={"usage"}))
    return components, usage


@given(data=st.data(), currency=currencies(), rounding=roundings())
def test_a_cap_holds(data: st.DataObject, currency: Currency, rounding: Rounding) -> None:
    lines, usage = data.draw(priced_lines(currency))
    limit = data.draw(decimals(min_value="0.001", max_value=200_000, places=currency.minor_units))
    prorate = data.draw(st.booleans())
    start = data.draw(st.none() | st.dates(D(2026, 11, 2), D(2026, 11, 30)))
    of = data.draw(st.sampled_from([None, {"usage"}]))
    cap = Maximum("Cap", amount=Money(limit, currency), of=of, prorate=prorate)
    contract = Contract("Shop", currency, [*lines, cap], rounding=rounding, term=Window(start))
    invoice = contract.invoice(Usage.from_totals(usage, on=D(2026, 11, 30)), "2026-11")
    capped = [line for line in invoice.lines if line.component != "Cap"]
    credit = [line.amount.amount for line in invoice.lines if line.component == "Cap"]
    before = sum(
        (Fraction(line.amount.amount) for line in capped if of is None or line.tags & of),
        Fraction(0),
    )
    share = (
        Fraction(1) if start is None or not prorate else Fraction((D(2026, 12, 1) - start).days, 30)
    )
    ceiling = Fraction(rounding.round(Fraction(limit) * share, currency.minor_units))
    after = before + sum((Fraction(amount) for amount in credit), Fraction(0))
    assert after <= ceiling
    if before > ceiling:
        assert after == ceiling  # brought exactly down to the cap
        assert len(credit) == 1
        assert credit[0] < 0
    else:
        assert credit == []  # nothing to take away
    assert invoice.total.amount == sum(
        (line.amount.amount for line in invoice.lines), Decimal(0).scaleb(-currency.minor_units)
    )


@given(data=st.data(), currency=currencies(), rounding=roundings())
def test_a_discount_never_makes_the_subtotal_negative(
    data: st.DataObject, currency: Currency, rounding: Rounding
) -> None:
    lines, usage = data.draw(priced_lines(currency))
    if data.draw(st.booleans()):
        percent = data.draw(decimals(min_value="0.001", max_value=100, places=3))
        discount = Discount("Discount", percent=percent, of={"usage"})
    else:
        amount = data.draw(
            decimals(min_value="0.001", max_value=50_000, places=currency.minor_units)
        )
        discount = Discount(
            "Discount",
            amount=Money(amount, currency),
            of={"usage"},
            prorate=data.draw(st.booleans()),
        )
    start = data.draw(st.none() | st.dates(D(2026, 11, 2), D(2026, 11, 30)))
    contract = Contract("Shop", currency, [*lines, discount], rounding=rounding, term=Window(start))
    invoice = contract.invoice(Usage.from_totals(usage, on=D(2026, 11, 30)), "2026-11")
    before = sum(
        (Fraction(line.amount.amount) for line in invoice.lines if "usage" in line.tags),
        Fraction(0),
    )
    taken = [line for line in invoice.lines if line.component == "Discount"]
    if before <= 0:
        assert taken == []
        return
    assert len(taken) == 1
    off = Fraction(taken[0].amount.amount)
    assert off <= 0  # a discount never adds
    assert before + off >= 0  # and never pushes the subtotal below zero
    if discount.percent is not None:
        # the line is the percentage of the subtotal it names, rounded once
        exact = -before * Fraction(discount.percent) / 100
        assert taken[0].exact == exact
        assert off == Fraction(rounding.round(exact, currency.minor_units))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Maximum("Cap", amount="10.00 EUR", of=[]),
        lambda: Discount("Off", percent=10, of=set()),
    ],
)
def test_an_empty_tag_set_is_refused(make: Callable[[], object]) -> None:
    # an empty set would silently read nothing: a cap or a discount that never applies
    with pytest.raises(ValueError, match="of must name at least one tag"):
        make()
