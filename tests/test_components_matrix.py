"""MatrixRate: a price per unit by language x channel (seed 000's EFIGS premium).

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
    Contract,
    ContractError,
    Dimensions,
    Event,
    MatrixRate,
    Meter,
    Money,
    PricingError,
    Usage,
    Window,
)

EFIGS_PRICES = {
    ("de", "phone"): "1.10 EUR",
    ("fr", "phone"): "1.10 EUR",
    ("en", "phone"): "0.95 EUR",
    ("de", "chat"): "0.90 EUR",
    ("fr", "chat"): "0.90 EUR",
}


def efigs(**overrides: object) -> MatrixRate:
    fields: dict[str, object] = {
        "metric": "handle_minutes",
        "by": ("language", "channel"),
        "prices": EFIGS_PRICES,
        "unit": "min",
    }
    fields.update(overrides)
    return MatrixRate("Handled minutes", **fields)  # type: ignore[arg-type]


def minutes(language: str, channel: str) -> tuple[str, Dimensions]:
    return ("handle_minutes", Dimensions({"language": language, "channel": channel}))


# -- pricing from totals ----------------------------------------------------------------------


def test_each_used_combination_gets_its_own_line_with_quantity_and_unit_price() -> None:
    contract = Contract("EFIGS", "EUR", [efigs(default="0.80 EUR")])
    usage = Usage.from_totals(
        {
            minutes("de", "phone"): 1200,
            minutes("fr", "chat"): 300,
            minutes("nl", "phone"): 50,
        }
    )
    invoice = contract.invoice(usage, "2026-11")
    # lines in the order of the combinations (language, channel):
    # de/phone 1200 min x 1.10 = 1320.00; fr/chat 300 min x 0.90 = 270.00;
    # nl/phone is not in the table: 50 min x default 0.80 = 40.00
    assert [(line.description, str(line.amount)) for line in invoice.lines] == [
        ("Handled minutes (language=de, channel=phone)", "1320.00 EUR"),
        ("Handled minutes (language=fr, channel=chat)", "270.00 EUR"),
        ("Handled minutes (language=nl, channel=phone)", "40.00 EUR"),
    ]
    first, _, last = invoice.lines
    assert first.quantity == 1200
    assert first.unit == "min"
    assert first.unit_price == Money("1.10", "EUR")
    assert first.basis == "1200 min x 1.10 EUR"
    assert last.basis == "50 min x 0.80 EUR (default price)"
    assert last.unit_price == Money("0.80", "EUR")
    assert invoice.total == Money("1630.00", "EUR")  # 1320 + 270 + 40


def test_fractional_quantities_are_priced_exactly_and_rounded_once_per_line() -> None:
    contract = Contract("EFIGS", "EUR", [efigs()])
    usage = Usage.from_totals({minutes("en", "phone"): "10.5", minutes("de", "chat"): "0.35"})
    invoice = contract.invoice(usage, "2026-11")
    # de/chat 0.35 x 0.90 = 0.315 -> 0.32 (half up); en/phone 10.5 x 0.95 = 9.975 -> 9.98
    assert [line.exact for line in invoice.lines] == [Fraction("0.315"), Fraction("9.975")]
    assert [str(line.amount) for line in invoice.lines] == ["0.32 EUR", "9.98 EUR"]
    assert invoice.total == Money("10.30", "EUR")


def test_a_single_dimension_matrix_takes_plain_string_keys() -> None:
    shifts = MatrixRate(
        "Shifts",
        metric="hours",
        by="shift",
        prices={"pre-sales": "26.00 CNY", "early-morning": "30.00 CNY"},
    )
    assert shifts.by == ("shift",)
    assert shifts.price_for(("early-morning",)) == Money("30.00", "CNY")
    assert shifts.price_for(("after-sales",)) is None
    usage = Usage.from_totals(
        {
            ("hours", Dimensions({"shift": "early-morning"})): 40,
            ("hours", Dimensions({"shift": "pre-sales"})): "12.5",
        }
    )
    invoice = Contract("Shifts", "CNY", [shifts]).invoice(usage, "2026-11")
    # early-morning 40 h x 30.00 = 1200.00; pre-sales 12.5 h x 26.00 = 325.00
    assert [str(line.amount) for line in invoice.lines] == ["1200.00 CNY", "325.00 CNY"]
    assert invoice.lines[0].description == "Shifts (shift=early-morning)"


def test_where_restricts_the_matrix_and_zero_or_negative_groups_need_no_price() -> None:
    matrix = efigs(where={"channel": "phone"})
    usage = Usage.from_totals(
        {
            minutes("de", "phone"): 10,
            minutes("de", "chat"): 999,  # filtered out by where
            minutes("ja", "phone"): 0,  # no price, but nothing used
            minutes("nl", "phone"): -3,  # no price; a net correction below zero bills nothing
        }
    )
    # chat minutes are priced by no component: an error, unless the contract says to
    # ignore unpriced usage
    with pytest.raises(PricingError, match=r"handle_minutes \[channel=chat, language=de\] = 999"):
        Contract("EFIGS", "EUR", [matrix]).invoice(usage, "2026-11")
    lenient = Contract("EFIGS", "EUR", [matrix], unpriced="ignore")
    invoice = lenient.invoice(usage, "2026-11")
    assert [str(line.amount) for line in invoice.lines] == ["11.00 EUR"]  # 10 x 1.10
    assert matrix.bills_usage
    assert matrix.filters == (matrix.where,)
    assert matrix.metrics == frozenset({"handle_minutes"})


def test_the_description_replaces_the_name_in_lines() -> None:
    matrix = efigs(description="Support minutes")
    invoice = Contract("EFIGS", "EUR", [matrix]).invoice({minutes("de", "chat"): 1}, "2026-11")
    assert invoice.lines[0].description == "Support minutes (language=de, channel=chat)"
    assert invoice.lines[0].component == "Handled minutes"


# -- pricing from events over two periods, one partial -----------------------------------------


def _call(day: dt.datetime, seconds: int, language: str, channel: str) -> Event:
    return Event("handle_seconds", seconds, day, {"language": language, "channel": channel})


CALLS = [
    _call(dt.datetime(2026, 11, 10, 9), 600, "de", "phone"),  # before go-live: not billed
    _call(dt.datetime(2026, 11, 16, 9), 185, "de", "phone"),  # 240 s = 4 min
    _call(dt.datetime(2026, 11, 20, 14), 59, "de", "phone"),  # 60 s = 1 min
    _call(dt.datetime(2026, 11, 25, 10), 121, "fr", "chat"),  # 180 s = 3 min
    _call(dt.datetime(2026, 11, 30, 23, 59), 60, "en", "phone"),  # 1 min
    _call(dt.datetime(2026, 12, 1), 3600, "de", "chat"),  # 60 min
    _call(dt.datetime(2026, 12, 15, 8), 1, "fr", "phone"),  # 1 min
    _call(dt.datetime(2026, 12, 31, 23), 90, "de", "phone"),  # 120 s = 2 min
    _call(dt.datetime(2027, 1, 1), 600, "en", "phone"),  # January: not in December
]


def efigs_contract() -> Contract:
    return Contract(
        "EFIGS",
        "EUR",
        [efigs()],
        meters=[
            Meter(
                "handle_minutes",
                source="handle_seconds",
                from_unit="second",
                unit="minute",
                increment=60,  # per started minute
                group_by=("channel", "language"),
            )
        ],
        term=Window(start=dt.date(2026, 11, 16)),
    )


def test_events_priced_per_started_minute_in_a_partial_first_month() -> None:
    november = efigs_contract().invoice(CALLS, "2026-11")
    # the term starts on the 16th, so the call of the 10th is not billed:
    # de/phone 4 + 1 = 5 min x 1.10 = 5.50; en/phone 1 min x 0.95 = 0.95;
    # fr/chat 3 min x 0.90 = 2.70
    assert [(line.quantity, str(line.amount)) for line in november.lines] == [
        (Fraction(5), "5.50 EUR"),
        (Fraction(1), "0.95 EUR"),
        (Fraction(3), "2.70 EUR"),
    ]
    assert november.total == Money("9.15", "EUR")  # 5.50 + 0.95 + 2.70


def test_events_priced_in_the_following_whole_month() -> None:
    december = efigs_contract().invoice(CALLS, "2026-12")
    # de/chat 60 min x 0.90 = 54.00; de/phone 2 min x 1.10 = 2.20; fr/phone 1 x 1.10 = 1.10
    assert [(line.description, str(line.amount)) for line in december.lines] == [
        ("Handled minutes (language=de, channel=chat)", "54.00 EUR"),
        ("Handled minutes (language=de, channel=phone)", "2.20 EUR"),
        ("Handled minutes (language=fr, channel=phone)", "1.10 EUR"),
    ]
    assert december.total == Money("57.30", "EUR")


# -- pricing errors ---------------------------------------------------------------------------


def test_a_used_combination_without_price_or_default_names_every_one_and_the_component() -> None:
    usage = Usage.from_totals(
        {
            minutes("de", "phone"): 10,
            minutes("ja", "phone"): 120,
            minutes("nl", "chat"): "7.5",
        }
    )
    with pytest.raises(PricingError) as caught:
        Contract("EFIGS", "EUR", [efigs()]).invoice(usage, "2026-11")
    message = str(caught.value)
    assert "'Handled minutes'" in message
    assert "language=ja, channel=phone (120 min)" in message
    assert "language=nl, channel=chat (7.5 min)" in message
    assert "no default" in message
    assert "language=de" not in message  # de/phone has a price


def test_usage_lacking_a_by_dimension_is_an_error_even_with_a_default() -> None:
    usage = Usage.from_totals(
        {
            ("handle_minutes", Dimensions({"channel": "phone"})): 10,
            "handle_minutes": 5,
        }
    )
    with pytest.raises(PricingError, match=r"lacks one of those dimensions") as caught:
        Contract("EFIGS", "EUR", [efigs(default="0.80 EUR")]).invoice(usage, "2026-11")
    assert "channel=phone (10)" in str(caught.value)
    assert "no dimensions (5)" in str(caught.value)


def test_a_meter_that_drops_a_by_dimension_fails_when_pricing() -> None:
    contract = Contract(
        "EFIGS",
        "EUR",
        [efigs()],
        meters=[Meter("handle_minutes", source="handle_seconds", group_by=("channel",))],
    )
    events = [_call(dt.datetime(2026, 11, 3), 60, "de", "phone")]
    with pytest.raises(PricingError, match=r"group_by"):
        contract.invoice(events, "2026-11")


# -- validation -------------------------------------------------------------------------------


def test_a_table_key_with_the_wrong_number_of_values_is_refused() -> None:
    with pytest.raises(ContractError) as caught:
        efigs(prices={("de", "phone"): "1.10 EUR", ("fr",): "0.90 EUR"})
    message = str(caught.value)
    assert "'Handled minutes'" in message
    assert "('fr',) has 1 value(s)" in message
    assert "by names 2 dimension(s) (language, channel)" in message


def test_an_empty_table_needs_a_default() -> None:
    with pytest.raises(ContractError, match=r"prices is empty and there is no default"):
        efigs(prices={})
    only_default = efigs(prices={}, default="0.75 EUR")
    invoice = Contract("EFIGS", "EUR", [only_default]).invoice(
        {minutes("de", "phone"): 4}, "2026-11"
    )
    assert invoice.total == Money("3.00", "EUR")  # 4 x 0.75


@pytest.mark.parametrize(
    ("by", "error", "pattern"),
    [
        ((), ValueError, r"at least one dimension"),
        (("language", "language"), ValueError, r"names a dimension twice"),
        (("language", ""), TypeError, r"non-empty strings, not ''"),
        (("language", 3), TypeError, r"non-empty strings, not 3"),
        (5, TypeError, r"by must be a list of dimension names, not 5"),
    ],
)
def test_by_must_name_distinct_dimensions(by: object, error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        efigs(by=by)


@pytest.mark.parametrize(
    ("prices", "error", "pattern"),
    [
        ("1.10 EUR", TypeError, r"prices must be a mapping"),
        ([("de", "phone", "1.10 EUR")], TypeError, r"\(values, price\) pairs"),
        ({("de", 1): "1.10 EUR"}, TypeError, r"tuple of dimension values"),
        ({1: "1.10 EUR"}, TypeError, r"tuple of dimension values"),
        (
            [(("de", "phone"), "1.10 EUR"), (("de", "phone"), "1.20 EUR")],
            ValueError,
            r"the key \('de', 'phone'\) twice",
        ),
        ({("de", "phone"): 1.1}, TypeError, r"prices\[\('de', 'phone'\)\] must be Money.*not 1.1"),
        ({("de", "phone"): "1.10"}, ValueError, r"prices\[\('de', 'phone'\)\]"),
    ],
)
def test_prices_must_be_a_table_of_value_tuples_to_money(
    prices: object, error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        efigs(prices=prices)


def test_the_default_and_the_metric_are_checked() -> None:
    with pytest.raises(TypeError, match=r"default must be Money .* not 0.8"):
        efigs(default=0.8)
    with pytest.raises(TypeError, match=r"metric must be a non-empty metric name"):
        efigs(metric=" ")


def test_the_table_is_canonical_hashable_and_survives_evolve() -> None:
    one = efigs()
    other = efigs(prices=dict(reversed(list(EFIGS_PRICES.items()))))
    assert one == other
    assert hash(one) == hash(other)
    assert attrs.evolve(one) == one
    assert one.prices[0] == (("de", "chat"), Money("0.90", "EUR"))  # sorted by values


def test_a_price_in_another_currency_is_refused_when_the_contract_is_built() -> None:
    matrix = efigs(prices={("de", "phone"): "1.10 EUR", ("fr", "phone"): "1.10 CHF"})
    assert matrix.money_values == (
        ("prices[('de', 'phone')]", Money("1.10", "EUR")),
        ("prices[('fr', 'phone')]", Money("1.10", "CHF")),
    )
    with pytest.raises(ContractError, match=r"components\[0\]\.prices\[\('fr', 'phone'\)\]"):
        Contract("EFIGS", "EUR", [matrix])
    with pytest.raises(ContractError, match=r"components\[0\]\.default: 0.80 USD"):
        Contract("EFIGS", "EUR", [efigs(default="0.80 USD")])


# -- determinism ----------------------------------------------------------------------------


def _hostile() -> decimal.Context:
    """A decimal context that would change any amount or text computed through it."""
    return decimal.Context(prec=2, rounding=decimal.ROUND_DOWN, capitals=0, Emax=3, Emin=-3)


def test_pricing_ignores_the_ambient_decimal_context() -> None:
    contract = Contract("EFIGS", "EUR", [efigs(default="0.80 EUR")])
    usage = Usage.from_totals({minutes("en", "phone"): "10.5", minutes("nl", "chat"): "1234.567"})
    expected = contract.invoice(usage, "2026-11")
    with decimal.localcontext(_hostile()):
        assert contract.invoice(usage, "2026-11") == expected


# -- properties -------------------------------------------------------------------------------

LANGS = ("de", "en", "fr", "it", "es", "nl")
CHANNELS = ("phone", "chat")
COMBINATIONS = [(language, channel) for language in LANGS for channel in CHANNELS]

tables = st.dictionaries(
    st.sampled_from(COMBINATIONS),
    decimals(min_value=0, max_value=5, places=4).map(lambda amount: Money(amount, "EUR")),
    max_size=len(COMBINATIONS),
)
quantities = st.dictionaries(
    st.sampled_from(COMBINATIONS), decimals(min_value=0, max_value=10_000, places=3)
)


@given(tables, quantities, decimals(min_value=0, max_value=5, places=4))
def test_every_line_is_its_quantity_times_its_price_and_nothing_is_left_out(
    table: dict[tuple[str, str], Money], used: dict[tuple[str, str], Decimal], default: Decimal
) -> None:
    matrix = efigs(prices=table, default=Money(default, "EUR"))
    usage = Usage.from_totals({minutes(*key): quantity for key, quantity in used.items()})
    invoice = Contract("EFIGS", "EUR", [matrix]).invoice(usage, "2026-11")
    expected = {
        key: Fraction(quantity) * Fraction(table.get(key, Money(default, "EUR")).amount)
        for key, quantity in used.items()
        if quantity > 0
    }
    assert len(invoice.lines) == len(expected)
    assert sum((line.exact for line in invoice.lines), Fraction(0)) == sum(
        expected.values(), Fraction(0)
    )


@given(tables, quantities, st.sampled_from(COMBINATIONS), decimals(max_value=500, places=2))
def test_more_usage_never_costs_less(
    table: dict[tuple[str, str], Money],
    used: dict[tuple[str, str], Decimal],
    key: tuple[str, str],
    extra: Decimal,
) -> None:
    contract = Contract("EFIGS", "EUR", [efigs(prices=table, default="0.80 EUR")])
    before = Usage.from_totals({minutes(*k): q for k, q in used.items()})
    after = before + Usage.from_totals({minutes(*key): extra})
    assert contract.invoice(after, "2026-11").total >= contract.invoice(before, "2026-11").total
