"""The seed catalogue (``meterprice.examples``): every invoice of every example,
priced from its sample events through its contract, against figures worked out by
hand in the comments (never by calling the library); then the catalogue itself, its
TOML documents and usage files, and determinism.

Conventions of the hand computations: "15/30" is the share of days a component is
active in a 30-day month; "->" is the rounding of a line to the cent, half-up (every
contract rounds half-up); a total is the sum of the rounded lines.
"""

from __future__ import annotations

import decimal
import io
import random
from contextlib import redirect_stdout
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import Contract, Invoice, Money, Period, RecurringFee
from meterprice.cli import main
from meterprice.examples import Example, catalogue, example
from meterprice.spec import demo_periods, load_contract, read_document
from meterprice.usagefiles import UsageFile, price_file

NAMES = [
    "pay_per_use",
    "fixed_per_agent",
    "base_plus_commission",
    "monthly_quota",
    "peak_day_rates",
    "per_consultation",
    "per_order",
    "project_billing",
    "full_outsourcing",
]

Row = tuple[str, str | None, str]


def rows(invoice: Invoice) -> list[Row]:
    """(description, quantity shown, amount) of every line, in order."""
    return [
        (
            line.description,
            None if line.shown_quantity is None else f"{line.shown_quantity:f}",
            str(line.amount.amount),
        )
        for line in invoice.lines
    ]


def invoices(name: str) -> tuple[Invoice, ...]:
    """The example's invoices, priced from its events (checked to be what it says)."""
    item = example(name)
    priced = item.invoices()
    events = list(item.events)
    assert priced == tuple(item.contract.invoice(events, period) for period in item.periods)
    return priced


# -- 000: pay-per-use at 5CA -------------------------------------------------------------------


def test_pay_per_use_go_live_month() -> None:
    november, _ = invoices("pay_per_use")
    assert str(november.period) == "2026-11"
    # Go-live on 16 November: the pay-per-use components see 16-30 November, 15/30 days.
    # The test call of the 10th and the training of the 12th precede it: not billed.
    # Seconds per contact rounded up to 6 s, then minutes:
    #   phone de  185 -> 186 s = 3.1 min x 0.95 = 2.945 -> 2.95
    #   phone en    1 ->   6 s = 0.1 min x 0.95 = 0.095 -> 0.10
    #   phone es  240 s        = 4 min   x 0.95 = 3.80
    #   phone it  359 -> 360 s = 6 min   x 0.95 = 5.70
    #   phone nl  421 -> 426 s = 7.1 min x 1.25 (not EFIGS: the default) = 8.875 -> 8.88
    #   chat en  1290 s        = 21.5 min x 0.80 = 17.20
    #   email fr  900 s        = 15 min   x 0.80 = 12.00
    #   chat pt  1000 -> 1002 s = 16.7 min x 1.05 (default) = 17.535 -> 17.54
    #   handled: 3.1 + 0.1 + 4 + 6 + 7.1 + 21.5 + 15 + 16.7 = 73.5 min
    # Minimum volume: 200 x 15/30 = 100 min; 100 - 73.5 = 26.5 min x 0.95 = 25.175 -> 25.18
    # Hourly, per started quarter hour: escalation 50 -> 60 min = 1 h x 45 = 45.00;
    #   QA 90 min = 1.5 h x 40 = 60.00; content 100 -> 105 min = 1.75 h x 50 = 87.50
    # Usage: 2.95 + 0.10 + 3.80 + 5.70 + 8.88 + 17.20 + 12.00 + 17.54 + 25.18 = 93.35
    # Project management: 6 % x 93.35 = 5.601 -> 5.60
    assert rows(november) == [
        ("Implementation", None, "6000.00"),
        ("Phone (language=de)", "3.1", "2.95"),
        ("Phone (language=en)", "0.1", "0.10"),
        ("Phone (language=es)", "4", "3.80"),
        ("Phone (language=it)", "6", "5.70"),
        ("Phone (language=nl)", "7.1", "8.88"),
        ("Chat and e-mail (language=en)", "21.5", "17.20"),
        ("Chat and e-mail (language=fr)", "15", "12.00"),
        ("Chat and e-mail (language=pt)", "16.7", "17.54"),
        ("Minimum volume", "26.5", "25.18"),
        ("Escalation handling", "1", "45.00"),
        ("Quality assurance", "1.5", "60.00"),
        ("Content creation", "1.75", "87.50"),
        ("Project management", "93.35", "5.60"),
    ]
    assert november.lines_of("Minimum volume")[0].exact == Fraction("25.175")
    assert november.subtotal({"usage"}) == Money("93.35", "EUR")
    # 6000.00 + 93.35 + 45.00 + 60.00 + 87.50 + 5.60
    assert november.total == Money("6291.45", "EUR")


def test_pay_per_use_full_month() -> None:
    _, december = invoices("pay_per_use")
    #   phone de   899 ->  900 s = 15 min  x 0.95 = 14.25
    #   phone en   600 s         = 10 min  x 0.95 = 9.50
    #   phone fr   455 ->  456 s = 7.6 min x 0.95 = 7.22
    #   phone nl  1195 -> 1200 s = 20 min  x 1.25 = 25.00
    #   phone pt   305 ->  306 s = 5.1 min x 1.25 = 6.375 -> 6.38
    #   chat de   2400 s         = 40 min  x 0.80 = 32.00
    #   chat en   2100 s         = 35 min  x 0.80 = 28.00
    #   email es  1205 -> 1206 s = 20.1 min x 0.80 = 16.08
    #   chat fr   1800 s         = 30 min  x 0.80 = 24.00
    #   email it  1803 -> 1806 s = 30.1 min x 0.80 = 24.08
    #   chat sv   1500 s         = 25 min  x 1.05 = 26.25
    #   handled: 15 + 10 + 7.6 + 20 + 5.1 + 40 + 35 + 20.1 + 30 + 30.1 + 25 = 237.9 min
    #   >= 200: no minimum volume line. The call of 1 January 00:10 is January's.
    # Hourly: escalation 20 -> 30 and 35 -> 45 min = 75 min = 1.25 h x 45 = 56.25;
    #   QA 120 min = 2 h x 40 = 80.00; training 45 min = 0.75 h x 35 = 26.25;
    #   content 61 -> 75 min = 1.25 h x 50 = 62.50
    # Usage: 14.25 + 9.50 + 7.22 + 25.00 + 6.38 + 32.00 + 28.00 + 16.08 + 24.00 + 24.08
    #   + 26.25 = 212.76; project management 6 % x 212.76 = 12.7656 -> 12.77
    assert rows(december) == [
        ("Phone (language=de)", "15", "14.25"),
        ("Phone (language=en)", "10", "9.50"),
        ("Phone (language=fr)", "7.6", "7.22"),
        ("Phone (language=nl)", "20", "25.00"),
        ("Phone (language=pt)", "5.1", "6.38"),
        ("Chat and e-mail (language=de)", "40", "32.00"),
        ("Chat and e-mail (language=en)", "35", "28.00"),
        ("Chat and e-mail (language=es)", "20.1", "16.08"),
        ("Chat and e-mail (language=fr)", "30", "24.00"),
        ("Chat and e-mail (language=it)", "30.1", "24.08"),
        ("Chat and e-mail (language=sv)", "25", "26.25"),
        ("Escalation handling", "1.25", "56.25"),
        ("Quality assurance", "2", "80.00"),
        ("Training", "0.75", "26.25"),
        ("Content creation", "1.25", "62.50"),
        ("Project management", "212.76", "12.77"),
    ]
    item = example("pay_per_use")
    assert item.contract.meter(item.events, "2026-12").exact("handle_minutes") == Fraction("237.9")
    # 212.76 + 56.25 + 80.00 + 26.25 + 62.50 + 12.77
    assert december.total == Money("450.53", "EUR")


# -- 004 §1: a fixed fee per agent by nature ---------------------------------------------------


def test_fixed_per_agent() -> None:
    november, december = invoices("fixed_per_agent")
    # November from the 16th (15 of 30 days), fee x seat-days / 30:
    #   after-sales: 1 agent x 15 days = 15 agent-days / 30 x 2,300 = 1,150.00
    #   pre-sales:   2 agents x 15 days = 30 agent-days / 30 x 2,600 = 2,600.00
    #   early-morning: no agent yet
    assert rows(november) == [
        ("Agents (after-sales)", "15", "1150.00"),
        ("Agents (pre-sales)", "30", "2600.00"),
    ]
    assert november.total == Money("3750.00", "CNY")  # 1,150.00 + 2,600.00
    # December (31 days):
    #   after-sales:   1 x 31 = 31 agent-days / 31 x 2,300 = 2,300.00
    #   early-morning: 1 x 31 = 31 agent-days / 31 x 3,000 = 3,000.00
    #   pre-sales: 2 x 15 days (1-15) + 3 x 16 days (16-31) = 30 + 48 = 78 agent-days
    #              / 31 x 2,600 = 202,800 / 31 = 6,541.935... -> 6,541.94
    assert rows(december) == [
        ("Agents (after-sales)", "31", "2300.00"),
        ("Agents (early-morning)", "31", "3000.00"),
        ("Agents (pre-sales)", "78", "6541.94"),
    ]
    assert december.lines[2].exact == Fraction(202_800, 31)
    assert december.total == Money("11841.94", "CNY")  # 2,300 + 3,000 + 6,541.94


# -- 004 §2: base salary + commission on last month's sales ------------------------------------


def test_base_plus_commission_first_month_pays_no_commission() -> None:
    november, _, _ = invoices("base_plus_commission")
    # Base: 2 agents x 1,500 x 15/30 = 1,500.00, shown as 1 agent-month (2 x 15/30) so
    # that quantity x unit price = amount. The commission settles on October, before
    # the contract started on 16 November: nothing.
    assert rows(november) == [("Base salary", "1", "1500.00")]
    assert november.total == Money("1500.00", "CNY")


def test_base_plus_commission_settles_on_last_months_sales() -> None:
    _, december, _ = invoices("base_plus_commission")
    # Base: 2 x 1,500 = 3,000.00. Commission on 16-30 November (the 5,000.00 sale of
    # 10 November precedes the contract and earns nothing):
    #   custom:   4,500 + 2,500 = 7,000 x 3 % = 210.00
    #   ordinary: 3,200 + 6,800 + 4,000 + 1,500 = 15,500 <= 20,000: tier 1 only,
    #             x 1 % = 155.00
    assert rows(december) == [
        ("Base salary", "2", "3000.00"),
        ("Sales commission (category=custom)", "7000", "210.00"),
        ("Sales commission (category=ordinary) (tier 1: up to 20000.00 CNY)", "15500", "155.00"),
    ]
    assert "sales in 2026-11, previous period" in december.lines[1].basis
    assert december.total == Money("3365.00", "CNY")  # 3,000 + 210 + 155


def test_base_plus_commission_graduated_tiers() -> None:
    _, _, january = invoices("base_plus_commission")
    # Base 3,000.00. Commission on December (the sale of 3 January is February's):
    #   custom:   6,000 + 3,800 = 9,800 x 3 % = 294.00
    #   ordinary: 9,000 + 7,500 + 12,000 + 2,300 + 1,950 = 32,750:
    #             tier 1: 20,000 x 1 % = 200.00; tier 2: 12,750 x 1.5 % = 191.25
    assert rows(january) == [
        ("Base salary", "2", "3000.00"),
        ("Sales commission (category=custom)", "9800", "294.00"),
        ("Sales commission (category=ordinary) (tier 1: up to 20000.00 CNY)", "20000", "200.00"),
        ("Sales commission (category=ordinary) (tier 2: over 20000.00 CNY)", "12750", "191.25"),
    ]
    assert january.total == Money("3685.25", "CNY")  # 3,000 + 294 + 200 + 191.25


# -- 004 §3: a monthly fee for a fixed amount of business -------------------------------------


def test_monthly_quota() -> None:
    november, december = invoices("monthly_quota")
    # November from the 16th (15/30): fee 18,000 x 15/30 = 9,000.00 for
    # 6,000 x 15/30 = 3,000 consultations; handled 1,380 + 1,410 + 150 = 2,940;
    # 60 missing x 18,000 / 6,000 = 60 x 3 = 180.00 credited.
    assert rows(november) == [
        ("Monthly service", "1", "9000.00"),
        ("Monthly service: shortfall credit", "60", "-180.00"),
    ]
    assert november.total == Money("8820.00", "CNY")  # 9,000 - 180
    # December: 1,150 + 1,420 + 1,460 + 1,390 + 880 = 6,300 >= 6,000: no credit, no bonus.
    assert rows(december) == [("Monthly service", "1", "18000.00")]
    assert december.total == Money("18000.00", "CNY")


# -- 004 §4: day rates for peak periods with a monthly fee -------------------------------------


def test_peak_day_rates_partial_first_month() -> None:
    october, _, _ = invoices("peak_day_rates")
    # From 20 October: 12 of 31 days; 2 x 2,300 x 12/31 = 55,200 / 31 = 1,780.645... ->
    # 1,780.65, shown as 2 x 12/31 = 24/31 = 0.774194 agent-months. No peak day in October.
    assert rows(october) == [("Monthly service", "0.774194", "1780.65")]
    assert october.lines[0].exact == Fraction(55_200, 31)
    assert october.total == Money("1780.65", "CNY")


def test_peak_day_rates_double_11() -> None:
    _, november, _ = invoices("peak_day_rates")
    # Monthly: 2 x 2,300 = 4,600.00.
    # Double 11: 3 agents on each of 1-10 November = 30, and 6 on the 11th: 36 agent-days
    #   x 280 = 10,080.00
    assert rows(november) == [
        ("Monthly service", "2", "4600.00"),
        ("Peak support (Double 11)", "36", "10080.00"),
    ]
    assert november.total == Money("14680.00", "CNY")  # 4,600 + 10,080


def test_peak_day_rates_double_12_and_a_launch() -> None:
    _, _, december = invoices("peak_day_rates")
    # Monthly 4,600.00.
    # Double 12: 2 agents on each of 1-11 December = 22, 4 on the 12th: 26 x 280 = 7,280.00
    # Launch: 2 agents on each of 18-20 December = 6 x 280 = 1,680.00
    assert rows(december) == [
        ("Monthly service", "2", "4600.00"),
        ("Peak support (Double 12)", "26", "7280.00"),
        ("Peak support (New product launch)", "6", "1680.00"),
    ]
    assert december.total == Money("13560.00", "CNY")  # 4,600 + 7,280 + 1,680


# -- 004 §5: per consultation ------------------------------------------------------------------


def test_per_consultation() -> None:
    november, december = invoices("per_consultation")
    # November from the 16th: 58 + 54 + 8 = 120 consultations, all in tier 1:
    #   120 x 3.50 = 420.00; minimum 1,000 x 15/30 = 500.00: true-up 500 - 420 = 80.00
    assert rows(november) == [
        ("Consultations (tier 1: 0-500 consultations)", "120", "420.00"),
        ("Minimum monthly spend", None, "80.00"),
    ]
    assert november.total == Money("500.00", "CNY")  # 420 + 80
    # December: 390 + 520 + 560 + 470 + 240 = 2,180 consultations, graduated:
    #   500 x 3.50 = 1,750.00; 1,500 x 3.00 = 4,500.00; 180 x 2.50 = 450.00
    #   6,700.00 >= 1,000: no true-up
    assert rows(december) == [
        ("Consultations (tier 1: 0-500 consultations)", "500", "1750.00"),
        ("Consultations (tier 2: 500-2000 consultations)", "1500", "4500.00"),
        ("Consultations (tier 3: over 2000 consultations)", "180", "450.00"),
    ]
    assert december.total == Money("6700.00", "CNY")  # 1,750 + 4,500 + 450


# -- 004 §6: per converted order ---------------------------------------------------------------


def test_per_order() -> None:
    november, december = invoices("per_order")
    # November from the 16th:
    #   apparel:     310 + 295 + 40 = 645 x 4.00 = 2,580.00
    #   electronics: 120 + 135 = 255 x 8.00 = 2,040.00
    #   food:        200 + 230 = 430 x 2.50 = 1,075.00
    #   5,695.00 <= cap 12,000 x 15/30 = 6,000.00: no cap line
    assert rows(november) == [
        ("Converted orders (industry=apparel)", "645", "2580.00"),
        ("Converted orders (industry=electronics)", "255", "2040.00"),
        ("Converted orders (industry=food)", "430", "1075.00"),
    ]
    assert november.total == Money("5695.00", "CNY")
    # December:
    #   apparel:     350 + 410 + 520 + 380 = 1,660 x 4.00 = 6,640.00
    #   electronics: 180 + 240 + 300 + 210 = 930 x 8.00 = 7,440.00
    #   food:        260 + 250 = 510 x 2.50 = 1,275.00
    #   15,355.00 > cap 12,000.00: 12,000 - 15,355 = -3,355.00
    assert rows(december) == [
        ("Converted orders (industry=apparel)", "1660", "6640.00"),
        ("Converted orders (industry=electronics)", "930", "7440.00"),
        ("Converted orders (industry=food)", "510", "1275.00"),
        ("Monthly cap", None, "-3355.00"),
    ]
    assert december.total == Money("12000.00", "CNY")


# -- 004 §7: billing by project ----------------------------------------------------------------


def test_project_billing() -> None:
    november, december = invoices("project_billing")
    # Launch phase: large 14,000 x difficulty 1.2 x timeliness 1.5 = 25,200 > 20,000:
    # lowered to the maximum; November from the 16th: 20,000 x 15/30 = 10,000.00
    assert rows(november) == [("Launch phase", None, "10000.00")]
    assert november.total == Money("10000.00", "CNY")
    # December: launch 1-15 December: 20,000 x 15/31 = 300,000 / 31 = 9,677.419... ->
    #   9,677.42; steady operation 16-31 December: medium 9,000 x 1.2 x 1 = 10,800
    #   (within 5,000-20,000) x 16/31 = 172,800 / 31 = 5,574.193... -> 5,574.19
    assert rows(december) == [
        ("Launch phase", None, "9677.42"),
        ("Steady operation", None, "5574.19"),
    ]
    assert [line.exact for line in december.lines] == [
        Fraction(300_000, 31),
        Fraction(172_800, 31),
    ]
    assert december.total == Money("15251.61", "CNY")  # 9,677.42 + 5,574.19


# -- the catalogue -----------------------------------------------------------------------------


def test_catalogue_order_names_and_seeds() -> None:
    items = catalogue()
    assert [item.name for item in items] == NAMES
    assert [item.seed for item in items] == [
        "000",
        *(f"004 §{n}" for n in range(1, 8)),
        "ours",
    ]
    assert [item.contract.currency.code for item in items] == ["EUR"] + ["CNY"] * 7 + ["EUR"]
    assert catalogue() is items  # built once: the examples are immutable values


def test_every_example_is_found_by_name() -> None:
    for name in NAMES:
        assert example(name).name == name


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(KeyError, match="no example called 'pay_per_minute'; the catalogue has: "):
        example("pay_per_minute")
    with pytest.raises(KeyError) as raised:
        example("")
    assert ", ".join(NAMES) in str(raised.value)


@pytest.mark.parametrize("item", catalogue(), ids=NAMES)
def test_the_first_period_is_partial(item: Example) -> None:
    first, *later = item.periods
    assert later, "at least two periods"
    start = item.contract.term.start
    assert start is not None
    assert first.start < start < first.end  # the contract starts inside the first period
    # consecutive periods of the contract's cycle
    assert list(item.contract.cycle.periods(first.start, item.periods[-1].end)) == list(
        item.periods
    )


@pytest.mark.parametrize("item", catalogue(), ids=NAMES)
def test_examples_are_described(item: Example) -> None:
    assert item.title
    assert item.summary.endswith(".")
    # small enough to check by hand (the full agreement: a year of monthly totals)
    assert len(item.events) <= (80 if item.name == "full_outsourcing" else 50)
    assert all(invoice.lines for invoice in item.invoices())


@pytest.mark.parametrize(
    ("fields", "error", "pattern"),
    [
        ({"name": ""}, TypeError, "name must be a non-empty string"),
        ({"title": None}, TypeError, "title must be a non-empty string, not None"),
        ({"contract": "Flat"}, TypeError, "contract must be a Contract, not 'Flat'"),
        ({"events": ["call"]}, TypeError, r"events\[0\] must be an Event, not 'call'"),
        ({"periods": ["2026-11"]}, TypeError, r"periods\[0\] must be a Period"),
        ({"periods": []}, ValueError, "periods must name at least one period"),
    ],
)
def test_an_example_checks_its_fields(
    fields: dict[str, object], error: type[Exception], pattern: str
) -> None:
    flat = Contract("Flat", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])
    good: dict[str, object] = {
        "name": "flat",
        "title": "Flat fee",
        "seed": "none",
        "summary": "A flat fee.",
        "contract": flat,
        "events": [],
        "periods": [Period.month(2026, 11)],
    }
    assert Example(**good).invoices()[0].total == Money("6000.00", "EUR")  # type: ignore[arg-type]
    with pytest.raises(error, match=pattern):
        Example(**{**good, **fields})  # type: ignore[arg-type]


# -- the TOML documents and usage files never drift from the Python examples ------------------


@pytest.mark.parametrize("item", catalogue(), ids=NAMES)
def test_the_toml_document_is_the_python_contract(item: Example) -> None:
    assert item.toml_path.name == f"{item.name}.toml"
    assert load_contract(item.toml_path) == item.contract
    assert demo_periods(read_document(item.toml_path)) == list(item.periods)
    assert read_document(item.toml_path)["name"] == item.contract.name


@pytest.mark.parametrize("item", catalogue(), ids=NAMES)
def test_the_usage_file_holds_the_sample_events(item: Example) -> None:
    assert item.usage_path.name == f"{item.name}.usage.csv"
    assert tuple(UsageFile(item.usage_path)) == item.events


@pytest.mark.parametrize("item", catalogue(), ids=NAMES)
def test_the_files_price_the_same_invoices(item: Example) -> None:
    contract = load_contract(item.toml_path)
    from_files = price_file(contract, UsageFile(item.usage_path), item.periods)
    assert from_files == item.invoices()


def test_the_demo_prints_every_invoice() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["demo"]) == 0
    printed = out.getvalue()
    for item in catalogue():
        assert f"== {item.name}.toml: {item.contract.name}" in printed
        for invoice in item.invoices():
            assert str(invoice) in printed


# -- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("item", catalogue(), ids=NAMES)
def test_pricing_is_deterministic(item: Example) -> None:
    first = item.invoices()
    assert item.invoices() == first
    with decimal.localcontext() as ctx:  # a hostile ambient context changes nothing
        ctx.prec, ctx.rounding, ctx.capitals = 3, decimal.ROUND_FLOOR, 0
        assert item.invoices() == first
    for invoice in first:  # invariant 1: the rounded lines add up to the total
        assert sum((line.amount for line in invoice.lines), Money.zero(invoice.currency)) == (
            invoice.total
        )
        assert all(line.amount.is_rounded for line in invoice.lines)
    rebuilt = Example(**{f.name: getattr(item, f.name) for f in attrs.fields(Example)})
    assert rebuilt == item
    assert [invoice.to_dict() for invoice in rebuilt.invoices()] == [
        invoice.to_dict() for invoice in first
    ]


@given(index=st.integers(0, len(NAMES) - 1), seed=st.integers(0, 2**32 - 1))
def test_the_order_of_the_events_does_not_matter(index: int, seed: int) -> None:
    item = catalogue()[index]
    shuffled = list(item.events)
    random.Random(seed).shuffle(shuffled)
    assert attrs.evolve(item, events=shuffled).invoices() == item.invoices()
