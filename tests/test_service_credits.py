"""Service-level credits and bonuses: figures measured from events (a share, a mean,
a share of matching dimensions, the ratio of two counts) or given, bands, caps, relief
and earn-back.

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import (
    Contract,
    ContractError,
    CreditBand,
    Event,
    Invoice,
    Kpi,
    Meter,
    Period,
    PerUnit,
    PricingError,
    ServiceCredits,
    SpecError,
    Usage,
    UsageError,
    dumps_contract,
    earn_back,
    loads_contract,
    meter_events,
)
from meterprice.breakeven import cost_function
from meterprice.components.service_credits import BONUS_TAG, CREDIT_TAG

AT = dt.datetime(2026, 11, 3, 10, 0)
# ten calls: their waits in seconds and outcomes
WAITS = [5, 10, 15, 20, 25, 30, 40, 60, 90, 5]
OUTCOMES = ["answered"] * 8 + ["abandoned", "answered"]

METERS = [
    Meter("handle_minutes", group_by=[]),
    # the share of calls answered within 20 s: 5, 10, 15, 20, 5 -> 5 of 10
    Meter("service_level", source="wait", aggregation="share", condition="<= 20", group_by=[]),
    # the average speed of answer: (5+10+15+20+25+30+40+60+90+5) / 10 = 300 / 10 = 30 s
    Meter("asa", source="wait", aggregation="mean", group_by=[]),
    # the abandonment rate, a share of matching dimensions: 1 of 10
    Meter(
        "abandonment",
        source="wait",
        aggregation="share",
        matching={"outcome": "abandoned"},
        group_by=[],
    ),
    # the same as the ratio of two counts
    Meter("abandoned", source="wait", aggregation="count", where={"outcome": "abandoned"}),
    Meter("offered", source="wait", aggregation="count", group_by=[]),
]


def calls(at: dt.datetime = AT, waits: list[int] = WAITS) -> list[Event]:
    outcomes = OUTCOMES if waits is WAITS else ["answered"] * len(waits)
    return [
        Event("wait", wait, at, {"outcome": outcome})
        for wait, outcome in zip(waits, outcomes, strict=True)
    ]


def kpis() -> list[Kpi]:
    return [
        Kpi(
            "Service level",
            metric="service_level",
            percent=True,
            better="higher",
            bands=[CreditBand("< 80", credit_percent=2), CreditBand("< 70", credit_percent=5)],
        ),
        Kpi(
            "Average speed of answer",
            metric="asa",
            unit="s",
            better="lower",
            bands=[
                CreditBand("> 30", credit_percent=1),
                CreditBand("> 60", credit_percent=3),
                CreditBand("<= 10", bonus="100.00 EUR"),
            ],
        ),
        Kpi(
            "Abandonment",
            metric="abandoned",
            ratio_of="offered",
            percent=True,
            better="lower",
            bands=[CreditBand("> 5", credit="150.00 EUR")],
        ),
        Kpi(
            "Customer satisfaction",
            value="4.1",
            better="higher",
            bands=[CreditBand("< 4.2", credit_percent=1), CreditBand(">= 4.6", bonus_percent=2)],
        ),
    ]


def contract(**sla: object) -> Contract:
    fields: dict[str, object] = {"of": {"usage"}, "cap_percent": 10, "kpis": kpis()}
    fields.update(sla)
    return Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
            ServiceCredits("SLA", **fields),  # type: ignore[arg-type]
        ],
        meters=METERS,
    )


def usage_events(minutes: int = 10000) -> list[Event]:
    return [Event("handle_minutes", minutes, AT), *calls()]


def amounts(invoice: Invoice) -> list[str]:
    return [str(line.amount) for line in invoice.lines]


# -- the aggregations ------------------------------------------------------------------------
def test_share_mean_and_matching_share_are_exact() -> None:
    usage = meter_events(METERS, usage_events())
    assert usage.figure("service_level") == Fraction(1, 2)  # 5 of 10 within 20 s
    assert usage.figure("asa") == 30  # 300 s / 10 calls
    assert usage.figure("abandonment") == Fraction(1, 10)  # 1 of 10 abandoned
    assert usage.exact("abandoned") / usage.exact("offered") == Fraction(1, 10)


def test_a_mean_merges_over_days_by_its_events_not_by_its_daily_means() -> None:
    meter = Meter("asa", source="wait", aggregation="mean", group_by=[])
    # day one: 10 s and 20 s (mean 15); day two: 60 s (mean 60)
    usage = meter.meter([*calls(AT, [10, 20]), *calls(AT + dt.timedelta(days=1), [60])])
    # (10 + 20 + 60) / 3 = 30, not (15 + 60) / 2 = 37.5
    assert usage.figure("asa") == 30
    split = meter.meter(calls(AT, [10, 20])) + meter.meter(calls(AT + dt.timedelta(days=1), [60]))
    assert split == usage


def test_a_mean_of_several_groups_is_pooled_by_figure_and_refused_by_exact() -> None:
    meter = Meter("asa", source="wait", aggregation="mean")
    usage = meter.meter(
        [
            Event("wait", 10, AT, {"q": "de"}),
            Event("wait", 30, AT, {"q": "de"}),
            Event("wait", 5, AT, {"q": "fr"}),
        ]
    )
    assert usage.figure("asa") == 15  # (10 + 30 + 5) / 3
    assert usage.figure("asa", {"q": "de"}) == 20  # (10 + 30) / 2
    assert usage.exact("asa", {"q": "fr"}) == 5
    with pytest.raises(UsageError, match="mean or share of 2 groups"):
        usage.exact("asa")
    assert usage.figure("none") is None


def test_a_mean_applies_increments_and_units() -> None:
    meter = Meter(
        "asa",
        source="wait",
        aggregation="mean",
        from_unit="second",
        unit="minute",
        increment=60,
        group_by=[],
    )
    # 30 s -> 60 s, 90 s -> 120 s; mean 90 s = 1.5 min
    assert meter.meter(calls(AT, [30, 90])).figure("asa") == Fraction(3, 2)


def test_share_meter_validation() -> None:
    with pytest.raises(ContractError, match="needs a condition"):
        Meter("sl", aggregation="share")
    with pytest.raises(ContractError, match="apply to aggregation 'share', not to 'sum'"):
        Meter("sl", condition="<= 20")
    with pytest.raises(ContractError, match="apply to aggregation 'share', not to 'mean'"):
        Meter("sl", aggregation="mean", matching={"outcome": "abandoned"})
    with pytest.raises(ValueError, match="condition must compare"):
        Meter("sl", aggregation="share", condition="within 20")
    with pytest.raises(TypeError, match="condition must be a string"):
        Meter("sl", aggregation="share", condition=20)
    with pytest.raises(ContractError, match="not to aggregation 'share'"):
        Meter("sl", aggregation="share", condition="< 20", increment=6)
    assert Meter("sl", aggregation="share", condition="<=20").condition == "<= 20"
    assert (
        "the events with quantity < 20"
        in Meter("sl", aggregation="share", condition="< 20").describe()
    )


def test_a_share_or_mean_cannot_be_spread() -> None:
    usage = Meter("asa", source="wait", aggregation="mean", group_by=[]).meter(calls()).undated()
    with pytest.raises(UsageError, match="is a mean, which cannot be spread"):
        usage.spread(Period.parse("2026-11"))


def test_the_columnar_engine_refuses_a_share_clearly() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table(
        {
            "metric": ["wait", "handle_minutes"],
            "quantity": [12, 100],
            "timestamp": [AT, AT],
            "outcome": ["answered", None],
        }
    )
    with pytest.raises(UsageError, match="aggregation 'share' is not metered from tables"):
        contract().invoice(table, "2026-11")


# -- pricing ---------------------------------------------------------------------------------
def test_credits_by_figure_with_the_largest_band() -> None:
    invoice = contract().invoice(usage_events(), "2026-11")
    # minutes: 10000 x 0.80 = 8000.00
    # service level 50 % is < 80 (2 %) and < 70 (5 %): the larger, 5 % x 8000 = 400.00
    # ASA 30 s is not > 30: nothing; abandonment 1/10 = 10 % > 5: 150.00
    # satisfaction 4.1 < 4.2: 1 % x 8000 = 80.00; total 630.00 <= cap 10 % = 800.00
    assert amounts(invoice) == ["8000.00 EUR", "-400.00 EUR", "-150.00 EUR", "-80.00 EUR"]
    assert str(invoice.total) == "7370.00 EUR"
    assert invoice.lines[1].explain() == (
        "SLA: Service level credit: Service level 50 % (< 80 and < 70): 5% of 8000 EUR "
        "(lines tagged usage) = -400 EUR"
    )
    assert invoice.lines[2].basis == "Abandonment 10 % (> 5): 150 EUR"
    assert all(CREDIT_TAG in line.tags for line in invoice.lines[1:])


def test_the_cap_gives_back_the_excess_to_the_cent() -> None:
    invoice = contract(cap_percent=5).invoice(usage_events(), "2026-11")
    # credits 400 + 150 + 80 = 630.00 above the cap 5 % x 8000 = 400.00: +230.00
    assert amounts(invoice)[1:] == ["-400.00 EUR", "-150.00 EUR", "-80.00 EUR", "230.00 EUR"]
    assert invoice.lines[-1].basis == ("credits of 630 EUR capped at 400 EUR (5% of 8000 EUR)")
    # a fixed cap and a percentage: the smaller, 300.00
    both = contract(cap_percent=5, cap="300.00 EUR").invoice(usage_events(), "2026-11")
    assert amounts(both)[-1] == "330.00 EUR"  # 630 - 300
    assert "the smaller" in both.lines[-1].basis


def test_bonuses_and_their_cap() -> None:
    good = [
        Kpi(
            "CSAT",
            value="4.8",
            better="higher",
            bands=[CreditBand(">= 4.6", bonus_percent=2), CreditBand(">= 4.5", bonus="50 EUR")],
        )
    ]
    invoice = contract(kpis=good).invoice(usage_events(), "2026-11")
    # 4.8 is in both bonus bands: 2 % x 8000 = 160.00 (the largest percentage) + 50.00
    assert amounts(invoice)[1:] == ["210.00 EUR"]
    assert BONUS_TAG in invoice.lines[1].tags
    capped = contract(kpis=good, bonus_cap="100.00 EUR").invoice(usage_events(), "2026-11")
    assert amounts(capped)[1:] == ["210.00 EUR", "-110.00 EUR"]


def test_a_bonus_band_for_a_fast_answer() -> None:
    fast = [Event("handle_minutes", 100, AT), *calls(AT, [4, 6, 8])]
    invoice = contract().invoice(fast, "2026-11")
    # minutes 100 x 0.80 = 80.00; service level 100 %; ASA 6 s <= 10: bonus 100.00;
    # abandonment 0 %; satisfaction 4.1 < 4.2: 1 % x 80 = 0.80
    assert amounts(invoice) == ["80.00 EUR", "-0.80 EUR", "100.00 EUR"]


def test_relief_waives_the_credits() -> None:
    priced = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
            PerUnit("Relief", metric="relief", rate="0 EUR", tags={"relief"}),
            ServiceCredits("SLA", of={"usage"}, kpis=kpis(), relieved_by={"relief"}),
        ],
        meters=[*METERS, Meter("relief", group_by=[])],
    )
    invoice = priced.invoice([*usage_events(), Event("relief", 1, AT)], "2026-11")
    # credits -400, -150, -80 given back on one line: +630.00
    assert amounts(invoice)[2:] == ["-400.00 EUR", "-150.00 EUR", "-80.00 EUR", "630.00 EUR"]
    assert invoice.lines[-1].basis == "credits of 630 EUR waived: relieved by 'Relief'"
    assert str(invoice.total) == "8000.00 EUR"
    # without the relieving line the credits stand
    assert str(priced.invoice(usage_events(), "2026-11").total) == "7370.00 EUR"


def test_an_unmeasured_figure_is_refused_or_gives_no_credit() -> None:
    no_calls = [Event("handle_minutes", 100, AT)]
    with pytest.raises(PricingError, match=r"'Service level' .* cannot be measured"):
        contract().invoice(no_calls, "2026-11")
    lenient = [
        Kpi(
            k.name,
            metric=k.metric,
            ratio_of=k.ratio_of,
            value=k.value,
            percent=k.percent,
            better=k.better,
            bands=k.bands,
            unmeasured="no_credit",
        )
        for k in kpis()
    ]
    invoice = contract(kpis=lenient).invoice(no_calls, "2026-11")
    assert amounts(invoice) == ["80.00 EUR", "-0.80 EUR"]  # only the given satisfaction


def test_kpi_and_band_validation() -> None:
    with pytest.raises(ContractError, match=r"either a credit .* or a bonus"):
        CreditBand("< 80")
    with pytest.raises(ContractError, match="not both"):
        CreditBand("< 80", credit_percent=1, bonus_percent=1)
    with pytest.raises(ContractError, match="compare with <, <=, > or >="):
        CreditBand("== 80", credit_percent=1)
    with pytest.raises(ContractError, match="must be positive"):
        CreditBand("< 80", credit_percent=0)
    with pytest.raises(ContractError, match=r"bands\[0\]: a credit band must be on the worse side"):
        Kpi("SL", value=1, better="higher", bands=[CreditBand("> 80", credit_percent=1)])
    with pytest.raises(ContractError, match=r"bands\[0\]: a bonus band must be on the better side"):
        Kpi("ASA", value=1, better="lower", bands=[CreditBand("> 80", bonus_percent=1)])
    with pytest.raises(ContractError, match=r"metric .* or value .*, not neither"):
        Kpi("SL", better="higher", bands=[CreditBand("< 80", credit_percent=1)])
    with pytest.raises(ContractError, match="ratio_of needs a metric"):
        Kpi(
            "SL",
            value=1,
            ratio_of="x",
            better="higher",
            bands=[CreditBand("< 8", credit=None, credit_percent=1)],
        )
    with pytest.raises(ContractError, match="used twice"):
        contract(kpis=[kpis()[0], kpis()[0]])
    with pytest.raises(ContractError, match="in USD but the contract is in EUR"):
        contract(cap="10 USD")
    bad = kpis()
    bad[1] = Kpi(
        "ASA",
        metric="asa",
        better="lower",
        bands=[CreditBand("> 30", credit="1 EUR"), CreditBand("<= 10", bonus="5 USD")],
    )
    with pytest.raises(ContractError, match=r"kpis\[1\]\.bands\[1\]\.bonus"):
        contract(kpis=bad)


# -- properties ------------------------------------------------------------------------------
_BOUNDS = st.integers(min_value=0, max_value=100)
_PERCENTS = st.integers(min_value=1, max_value=30)


@st.composite
def credit_kpis(draw: st.DrawFn) -> Kpi:
    better: Literal["higher", "lower"] = draw(st.sampled_from(["higher", "lower"]))
    worse = (
        draw(st.sampled_from(["<", "<="]))
        if better == "higher"
        else draw(st.sampled_from([">", ">="]))
    )
    good = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[worse]
    bands = [
        CreditBand(f"{worse} {draw(_BOUNDS)}", credit_percent=draw(_PERCENTS))
        for _ in range(draw(st.integers(min_value=1, max_value=4)))
    ]
    if draw(st.booleans()):
        bands.append(CreditBand(f"{good} {draw(_BOUNDS)}", bonus_percent=draw(_PERCENTS)))
    return Kpi("Figure", value=0, better=better, bands=bands)


@given(
    kpi=credit_kpis(),
    figures=st.lists(st.integers(min_value=-10, max_value=110), min_size=1, max_size=3),
    minutes=st.integers(min_value=1, max_value=10**6),
    cap=st.integers(min_value=1, max_value=20),
)
def test_the_credit_never_exceeds_the_cap(
    kpi: Kpi, figures: list[int], minutes: int, cap: int
) -> None:
    given_kpis = [
        Kpi(f"Figure {i}", value=figure, better=kpi.better, bands=kpi.bands)
        for i, figure in enumerate(figures)
    ]
    invoice = contract(kpis=given_kpis, cap_percent=cap).invoice(
        Usage.from_totals({"handle_minutes": minutes}), "2026-11"
    )
    fees = Fraction(invoice.lines[0].amount.amount)
    credit = -sum(
        (Fraction(line.amount.amount) for line in invoice.lines if CREDIT_TAG in line.tags),
        Fraction(0),
    )
    limit = Fraction(round(fees * cap / 100 * 100), 100)  # the cap, rounded half up, >= 0
    assert 0 <= credit <= limit + Fraction(1, 100)
    assert credit <= Fraction(invoice.lines[0].amount.amount) * cap / 100 + Fraction(
        1, 200
    )  # to the cent of the exact cap


@given(kpi=credit_kpis(), a=st.integers(-10, 110), b=st.integers(-10, 110))
def test_a_better_figure_never_gives_a_larger_credit(kpi: Kpi, a: int, b: int) -> None:
    worse, better = (min(a, b), max(a, b)) if kpi.better == "higher" else (max(a, b), min(a, b))
    credit_w, amount_w, bonus_w, bonus_amount_w = kpi.result(Fraction(worse))
    credit_b, amount_b, bonus_b, bonus_amount_b = kpi.result(Fraction(better))
    assert credit_b <= credit_w
    assert amount_b <= amount_w
    assert bonus_b >= bonus_w
    assert bonus_amount_b >= bonus_amount_w

    def total(figure: int) -> Decimal:
        kpis_ = [Kpi("F", value=figure, better=kpi.better, bands=kpi.bands)]
        invoice = contract(kpis=kpis_, cap_percent=None).invoice(
            Usage.from_totals({"handle_minutes": 12345}), "2026-11"
        )
        return invoice.total.amount

    assert total(better) >= total(worse)


# -- earn-back -------------------------------------------------------------------------------
def month_events(month: int, waits: list[int]) -> list[Event]:
    at = dt.datetime(2026, month, 10, 9, 0)
    return [Event("handle_minutes", 1000, at), *calls(at, waits)]


def test_earn_back_over_a_sequence_of_periods() -> None:
    sla = ServiceCredits(
        "SLA",
        of={"usage"},
        kpis=[kpis()[0]],
        earn_back_periods=2,
        earn_back_percent=50,
    )
    priced = Contract(
        "Support",
        "EUR",
        [PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}), sla],
        meters=METERS,
    )
    # January misses (1 of 2 within 20 s = 50 %: 5 % x 800 = 40.00); February and March
    # meet (100 %); April misses again, May meets
    events = [
        *month_events(1, [5, 30]),
        *month_events(2, [5]),
        *month_events(3, [5]),
        *month_events(4, [5, 30]),
        *month_events(5, [5]),
    ]
    invoices = priced.invoices(events, "2026-01-01", "2026-06-01")
    assert [str(i.total) for i in invoices] == [
        "760.00 EUR",
        "800.00 EUR",
        "800.00 EUR",
        "760.00 EUR",
        "800.00 EUR",
    ]
    earned = earn_back(invoices, sla)
    # March gets back 50 % of January's 40.00 = 20.00; April's credit waits for June
    assert [str(i.total) for i in earned] == [
        "760.00 EUR",
        "800.00 EUR",
        "820.00 EUR",
        "760.00 EUR",
        "800.00 EUR",
    ]
    line = earned[2].lines[-1]
    assert line.basis == (
        "50% of the credit of 40 EUR in 2026-01, every target met in the 2 period(s) after it"
    )
    with pytest.raises(PricingError, match="does not follow"):
        earn_back([invoices[0], invoices[2]], sla)
    with pytest.raises(ContractError, match="declares no earn_back_periods"):
        earn_back(invoices, ServiceCredits("SLA", of={"usage"}, kpis=[kpis()[0]]))
    with pytest.raises(ContractError, match="earn_back_periods must be a whole number"):
        ServiceCredits("SLA", of={"usage"}, kpis=[kpis()[0]], earn_back_periods=0)


# -- documents -------------------------------------------------------------------------------
DOCUMENT = """
meterprice = 1
name = "Support"
currency = "EUR"

[[meters]]
name = "handle_minutes"
group_by = []

[[meters]]
name = "service_level"
source = "wait"
aggregation = "share"
condition = "<= 20"
group_by = []

[[components]]
type = "per_unit"
name = "Minutes"
metric = "handle_minutes"
rate = "0.80"
tags = ["usage"]

[[components]]
type = "service_credits"
name = "SLA"
of = ["usage"]
cap_percent = "10"

[[components.kpis]]
name = "Service level"
metric = "service_level"
percent = true
better = "higher"
bands = [
  { when = "< 80", credit_percent = "2" },
  { when = "< 70", credit_percent = "5" },
]
"""


def test_a_document_prices_as_python() -> None:
    loaded = loads_contract(DOCUMENT)
    expected = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
            ServiceCredits("SLA", of={"usage"}, cap_percent=10, kpis=[kpis()[0]]),
        ],
        meters=METERS[:2],
    )
    assert loaded == expected
    assert loads_contract(dumps_contract(loaded)) == loaded
    assert amounts(loaded.invoice(usage_events(), "2026-11")) == ["8000.00 EUR", "-400.00 EUR"]


def test_document_errors_name_their_path() -> None:
    wrong_side = DOCUMENT.replace('{ when = "< 70"', '{ when = "> 70"')
    with pytest.raises(SpecError) as caught:
        loads_contract(wrong_side)
    assert "components[1].kpis[0].bands[1]" in str(caught.value)
    assert "a credit band must be on the worse side" in str(caught.value)
    bad_when = DOCUMENT.replace('"< 80"', '"below 80"')
    with pytest.raises(SpecError, match=r"components\[1\]\.kpis\[0\]\.bands\[0\]\.when"):
        loads_contract(bad_when)
    bad_condition = DOCUMENT.replace('condition = "<= 20"', 'condition = "soon"')
    with pytest.raises(SpecError, match=r"meters\[1\]\.condition"):
        loads_contract(bad_condition)


# -- break-even ------------------------------------------------------------------------------
def test_cost_function_with_given_figures_is_exact() -> None:
    given_kpis = [kpis()[3]]  # satisfaction 4.1: 1 % of the usage fees
    f = cost_function(
        contract(kpis=given_kpis, cap="50.00 EUR"), "handle_minutes", "2026-11", upto=10000
    )
    # 0.80 x v less 1 % of it, the credit capped at 50.00 from 0.008 v = 50 -> v = 6250
    assert f(1000) == Fraction(800) - 8  # 800 - 8.00
    assert f(10000) == 8000 - 50
    assert Fraction(6250) in f.breakpoints


def test_cost_function_refuses_a_figure_of_the_analysed_volume() -> None:
    with pytest.raises(ContractError, match="not piecewise linear"):
        cost_function(
            contract(kpis=[kpis()[2]]),
            "offered",
            "2026-11",
            start=10,
            upto=100,
            base=Usage.from_totals({"handle_minutes": 100, "abandoned": 1}),
        )


def test_malformed_values_are_refused_with_their_field() -> None:
    band = CreditBand("< 80", credit_percent=1)
    with pytest.raises(ContractError, match="an amount must be positive"):
        CreditBand("< 80", credit="-5 EUR")
    with pytest.raises(TypeError, match="when must be a comparison"):
        CreditBand(80)
    with pytest.raises(TypeError, match="bands must be a list of CreditBand"):
        Kpi("SL", value=1, better="higher", bands="< 80")
    with pytest.raises(ContractError, match="bands must list at least one band"):
        Kpi("SL", value=1, better="higher", bands=[])
    with pytest.raises(TypeError, match=r"bands\[0\] is not a CreditBand"):
        Kpi("SL", value=1, better="higher", bands=["< 80"])
    with pytest.raises(TypeError, match="a metric must be a non-empty string"):
        Kpi("SL", metric="", better="higher", bands=[band])
    with pytest.raises(TypeError, match="a figure's name must be a non-empty string"):
        Kpi(" ", value=1, better="higher", bands=[band])
    with pytest.raises(TypeError, match="kpis must be a list of Kpi"):
        ServiceCredits("SLA", of={"usage"}, kpis="SL")
    with pytest.raises(ContractError, match="kpis must list at least one figure"):
        ServiceCredits("SLA", of={"usage"}, kpis=[])
    with pytest.raises(TypeError, match=r"kpis\[0\] is not a Kpi"):
        ServiceCredits("SLA", of={"usage"}, kpis=[band])
    with pytest.raises(ContractError, match="earn_back_percent must be more than 0"):
        ServiceCredits("SLA", of={"usage"}, kpis=[kpis()[3]], earn_back_percent=0)


def test_where_a_figure_comes_from_and_how_it_is_shown() -> None:
    given_ = kpis()[3]
    assert given_.source == "given"
    ratio = Kpi(
        "Abandonment",
        metric="abandoned",
        ratio_of="offered",
        where={"q": "de"},
        percent=True,
        better="lower",
        bands=[CreditBand("> 5", credit_percent=1)],
    )
    assert ratio.source == "abandoned [q=de] / offered [q=de] x 100"
    assert ratio.figure(Usage.from_totals({"abandoned": 1})) is None  # nothing offered
    # a figure that does not terminate is shown cut to 4 decimals, marked "..."
    assert given_.show(Fraction(1, 3)) == "0.3333..."
    assert (
        Kpi(
            "ASA", value=1, unit="s", better="lower", bands=[CreditBand("> 5", credit_percent=1)]
        ).show(Fraction(5))
        == "5 s"
    )


def test_earn_back_skips_credits_that_were_relieved_or_come_too_late() -> None:
    sla = ServiceCredits(
        "SLA", of={"usage"}, kpis=[kpis()[0]], earn_back_periods=1, relieved_by={"relief"}
    )
    priced = Contract(
        "Support",
        "EUR",
        [
            PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
            PerUnit("Relief", metric="relief", rate="0 EUR", tags={"relief"}),
            sla,
        ],
        meters=[*METERS, Meter("relief", group_by=[])],
    )
    # January misses but is relieved (net credit 0): nothing to earn back in February;
    # March misses, and no period after it is given
    events = [
        *month_events(1, [5, 30]),
        Event("relief", 1, dt.datetime(2026, 1, 12, 9, 0)),
        *month_events(2, [5]),
        *month_events(3, [5, 30]),
    ]
    invoices = priced.invoices(events, "2026-01-01", "2026-04-01")
    assert earn_back(invoices, sla) == invoices


def test_cost_function_refuses_a_relief_decided_by_another_clause() -> None:
    relieved = contract(kpis=[kpis()[3]], relieved_by={"usage"})
    with pytest.raises(ContractError, match="waived when a line tagged usage appears"):
        cost_function(relieved, "handle_minutes", "2026-11", upto=100)
