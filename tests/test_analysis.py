"""What-if quotes, cost curves, comparisons, forecasts and plots."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from meterprice import (
    Contract,
    ContractError,
    Dimensions,
    MinimumSpend,
    PerUnit,
    RecurringFee,
    SetupFee,
    Usage,
)
from meterprice.analysis import Mix, compare, cost_curve, forecast, quote, volumes
from meterprice.breakeven import break_even, cost_function
from meterprice.plot import plot_cost_functions

NOV = "2026-11"


def pay_per_use() -> Contract:
    return Contract(
        "Pay per use",
        "EUR",
        [
            PerUnit("Minutes", metric="minutes", rate="0.90 EUR", tags={"usage"}),
            MinimumSpend("Minimum", amount="4500.00 EUR", of={"usage"}),
        ],
    )


def fixed() -> Contract:
    return Contract("Fixed", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])


def test_quote_prices_totals() -> None:
    invoice = quote(pay_per_use(), {"minutes": 12000}, NOV)
    assert str(invoice.total) == "10800.00 EUR"  # 12,000 x 0.90


def test_volumes_are_exact_and_inclusive() -> None:
    assert volumes("0.1", "0.3", "0.1") == (Decimal("0.1"), Decimal("0.2"), Decimal("0.3"))
    assert volumes(5, 5, 1) == (Decimal(5),)
    with pytest.raises(ValueError, match="step must be positive"):
        volumes(0, 10, 0)
    with pytest.raises(ValueError, match="stop must not be below start"):
        volumes(10, 0, 1)
    with pytest.raises(TypeError, match="float"):
        volumes(0, 1, 0.1)


def test_mix_shares_must_add_up_and_not_be_negative() -> None:
    with pytest.raises(ValueError, match="add up to 1"):
        Mix.of("m", [({"language": "de"}, "0.5")])
    with pytest.raises(ValueError, match="must not be negative"):
        Mix.of("m", [({"language": "de"}, "1.5"), ({"language": "en"}, "-0.5")])
    with pytest.raises(TypeError, match="a mix must map"):
        Mix("m", [("x", 1)])
    mix = Mix.of("m", [({"language": "de"}, "0.25"), ({"language": "en"}, "0.75")])
    usage = mix.usage(400)
    assert usage.quantity("m", {"language": "de"}) == 100
    assert usage.quantity("m", {"language": "en"}) == 300
    assert Mix.of("m").usage(7).quantity("m") == 7
    with pytest.raises(ValueError, match="volume must not be negative"):
        mix.usage(-1)


def test_cost_curve_totals_and_rates() -> None:
    curve = cost_curve(pay_per_use(), "minutes", volumes(0, 10000, 2500), NOV)
    # below 5,000 minutes the 4,500 floor applies; above, 0.90 per minute
    assert [str(t.amount) for t in curve.totals] == [
        "4500.00",
        "4500.00",
        "4500.00",
        "6750.00",
        "9000.00",
    ]
    assert curve.effective_rates() == (
        None,
        Decimal("1.8"),
        Decimal("0.9"),
        Decimal("0.9"),
        Decimal("0.9"),
    )
    assert curve.rows()[1] == {"volume": "2500", "total": "4500.00", "per_unit": "1.8"}
    text = str(curve)
    assert text.splitlines()[0] == "Pay per use: total by minutes (EUR)"
    assert "4500.00" in text
    assert "<table>" in curve._repr_html_()


def test_cost_curve_on_a_base_and_with_a_mix() -> None:
    contract = Contract(
        "Langs",
        "EUR",
        [
            PerUnit("DE", metric="m", rate="1.00 EUR", where={"language": "de"}),
            PerUnit("EN", metric="m", rate="0.50 EUR", where={"language": "en"}),
            PerUnit("QA", metric="qa", rate="40.00 EUR"),
        ],
    )
    mix = Mix.of("m", [({"language": "de"}, "0.5"), ({"language": "en"}, "0.5")])
    base = Usage.from_totals({"qa": 2})
    curve = cost_curve(contract, mix, [1000], NOV, base=base)
    # 500 x 1.00 + 500 x 0.50 + 2 x 40
    assert str(curve.totals[0]) == "830.00 EUR"
    with pytest.raises(TypeError, match="base usage"):
        cost_curve(contract, mix, [1], NOV, base=[1, 2])  # type: ignore[list-item]
    assert str(cost_curve(contract, mix, [0], NOV, base={"qa": 1}).totals[0]) == "40.00 EUR"


def test_compare_finds_the_cheapest_and_the_difference() -> None:
    table = compare(
        [pay_per_use(), fixed()],
        {"quiet": {"minutes": 3000}, "busy": {"minutes": 9000}, "even": {"minutes": 0}},
        NOV,
    )
    assert table.cheapest("quiet") == ("Pay per use",)
    assert table.cheapest("busy") == ("Fixed",)
    # busy: 9,000 x 0.90 = 8,100 against 6,000
    assert str(table.difference("busy", "Pay per use")) == "2100.00 EUR"
    assert str(table.difference("busy", "Fixed")) == "0.00 EUR"
    assert str(table.total("quiet", "Fixed")) == "6000.00 EUR"
    assert table.rows()[0] == {
        "scenario": "quiet",
        "Pay per use": "4500.00",
        "Fixed": "6000.00",
        "cheapest": "Pay per use",
    }
    text = str(table)
    assert text.startswith("Totals in EUR")
    assert "busy" in text
    assert "<table>" in table._repr_html_()


def test_compare_reports_ties() -> None:
    table = compare([fixed(), attrs_renamed(fixed(), "Also fixed")], {"any": {}}, NOV)
    assert table.cheapest("any") == ("Fixed", "Also fixed")
    assert table.rows()[0]["cheapest"] == "Fixed = Also fixed"


def attrs_renamed(contract: Contract, name: str) -> Contract:
    return attrs.evolve(contract, name=name)


def test_compare_errors() -> None:
    with pytest.raises(ValueError, match="at least one contract"):
        compare([], {}, NOV)
    with pytest.raises(ValueError, match="distinct names"):
        compare([fixed(), fixed()], {}, NOV)
    dollars = Contract("USD", "USD", [RecurringFee("Team", amount="1.00 USD")])
    with pytest.raises(ContractError, match="one currency"):
        compare([fixed(), dollars], {}, NOV)


def test_forecast_counts_setup_fees_and_minimums_where_they_fall() -> None:
    contract = Contract(
        "Year",
        "EUR",
        [
            SetupFee("Setup", amount="2000.00 EUR", on="2026-01-10"),
            PerUnit("Minutes", metric="minutes", rate="1.00 EUR", tags={"usage"}),
            MinimumSpend("Minimum", amount="1000.00 EUR", of={"usage"}),
        ],
    )
    result = forecast(
        contract,
        {"2026-02": {"minutes": 800}, "2026-01": {"minutes": 1500}, "2026-03": {"minutes": 0}},
    )
    # Jan: 2,000 + 1,500; Feb: 800 + 200 true-up; Mar: 1,000 true-up
    assert [(label, str(total)) for label, total in result.by_period()] == [
        ("2026-01", "3500.00 EUR"),
        ("2026-02", "1000.00 EUR"),
        ("2026-03", "1000.00 EUR"),
    ]
    assert str(result.total) == "5500.00 EUR"
    assert "5,500.00" in str(result)
    assert "<table>" in result._repr_html_()


def test_plot_draws_curves_and_break_even_points() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    a = cost_function(pay_per_use(), "minutes", NOV, upto=12000)
    b = cost_function(fixed(), "minutes", NOV, upto=12000)
    result = break_even(pay_per_use(), fixed(), "minutes", NOV, upto=12000)
    ax = plot_cost_functions([a, b], break_evens=[result], title="Offers")
    assert ax.get_title() == "Offers"
    assert [line.get_label() for line in ax.get_lines()][:2] == ["Pay per use", "Fixed"]
    # one marker at 6,666 2/3 minutes where both cost 6,000
    marker = ax.get_lines()[2]
    assert marker.get_xdata()[0] == pytest.approx(6666.6667)
    assert marker.get_ydata()[0] == pytest.approx(6000)
    assert ax.get_ylabel() == "cost (EUR)"
    with pytest.raises(ValueError, match="at least one"):
        plot_cost_functions([])
    assert plot_cost_functions([a], ax=ax) is ax


def test_dimensions_are_accepted_as_mix_keys() -> None:
    mix = Mix("m", {Dimensions({"language": "de"}): 1})
    assert mix.usage(3).quantity("m", {"language": "de"}) == 3
