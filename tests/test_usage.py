"""Example tests for raw events and the metered Usage summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Aggregation, Dimensions, Event, Meter, Usage, UsageError, Where
from meterprice.usage import display_quantity

AT = dt.datetime(2026, 11, 3, 9, 0)
QA = Dimensions({"task": "qa"})
TRAINING = Dimensions({"task": "training"})


# -- Event ----------------------------------------------------------------------------------


def test_event() -> None:
    call = Event("handle_seconds", 185, AT, {"channel": "phone", "language": "de"})
    assert call.quantity == Decimal(185)
    assert isinstance(call.quantity, Decimal)
    assert call.dimensions == {"channel": "phone", "language": "de"}
    assert isinstance(call.dimensions, Dimensions)
    assert Event("orders", "2.5", AT).quantity == Decimal("2.5")
    assert Event("orders", 1, AT).dimensions == Dimensions()
    assert Event("orders", 1, AT) == Event("orders", Decimal("1.0"), AT, {})


def test_event_refuses_bad_values() -> None:
    with pytest.raises(TypeError, match=r"quantity must be .* not float \(185\.5\)"):
        Event("handle_seconds", 185.5, AT)
    with pytest.raises(ValueError, match="quantity must be a finite number"):
        Event("handle_seconds", "NaN", AT)
    with pytest.raises(TypeError, match=r"at must be a datetime, not datetime.date\(2026, 11, 3\)"):
        Event("handle_seconds", 1, dt.date(2026, 11, 3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="metric must be a non-empty string, not ' '"):
        Event(" ", 1, AT)
    with pytest.raises(TypeError, match="metric must be a non-empty string, not None"):
        Event(None, 1, AT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must have a string value"):
        Event("calls", 1, AT, {"agents": 3})
    with pytest.raises(TypeError, match="dimensions must be a mapping"):
        Event("calls", 1, AT, ["phone"])


# -- from_totals ----------------------------------------------------------------------------


def test_from_totals_with_metric_names() -> None:
    usage = Usage.from_totals({"handle_minutes": 12000, "orders": "35.5", "x": Decimal("0.1")})
    assert usage.quantity("handle_minutes") == Decimal(12000)
    assert usage.exact("orders") == Fraction(71, 2)
    assert usage.exact("x") == Fraction(1, 10)  # exact, not the float 0.1
    assert usage.metrics == frozenset({"handle_minutes", "orders", "x"})


def test_from_totals_with_dimensions() -> None:
    usage = Usage.from_totals(
        {
            ("task_hours", QA): "7.5",
            ("task_hours", (("task", "training"),)): 3,  # pairs: a dict cannot be in a key
            ("task_hours", None): 1,
        }
    )
    assert usage.quantity("task_hours", {"task": "qa"}) == Decimal("7.5")
    assert usage.quantity("task_hours", {"task": "training"}) == 3
    assert usage.quantity("task_hours") == Decimal("11.5")  # 7.5 + 3 + 1
    assert usage.groups("task_hours", ["task"]) == {
        QA: Fraction(15, 2),
        TRAINING: 3,
        Dimensions(): 1,
    }


def test_from_totals_merges_equal_keys() -> None:
    # Dimensions and a tuple of pairs are different dict keys but the same dimensions
    usage = Usage.from_totals({("task_hours", QA): 2, ("task_hours", (("task", "qa"),)): "0.5"})
    assert len(usage) == 1
    assert usage.exact("task_hours") == Fraction(5, 2)


def test_from_totals_passes_a_usage_through() -> None:
    usage = Usage.from_totals({"m": 1})
    assert Usage.from_totals(usage) is usage


def test_from_totals_refuses_bad_input() -> None:
    with pytest.raises(TypeError, match=r"usage of 'handle_minutes' must be .* not float \(1\.5\)"):
        Usage.from_totals({"handle_minutes": 1.5})
    with pytest.raises(TypeError, match="usage totals must be a mapping, not"):
        Usage.from_totals([("m", 1)])  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"a usage key must be a metric name or \(metric, dimensions\)"
    ):
        Usage.from_totals({3: 1})
    with pytest.raises(TypeError, match="a usage key must be"):
        Usage.from_totals({("m", QA, "x"): 1})
    with pytest.raises(UsageError, match="a usage metric name must not be empty"):
        Usage.from_totals({"": 1})
    with pytest.raises(TypeError, match="must have a string value"):
        Usage.from_totals({("m", (("agents", 3),)): 1})


# -- merging --------------------------------------------------------------------------------


def test_adding_usages_sums_quantities() -> None:
    a = Usage.from_totals({"m": 1, ("h", QA): 2})
    b = Usage.from_totals({"m": "0.5", ("h", TRAINING): 4})
    both = a + b
    assert both.exact("m") == Fraction(3, 2)
    assert both.exact("h") == 6
    assert both == b + a  # order independent
    assert sum([a, b]) == both  # sum() starts from 0
    assert a + Usage.empty() == a
    with pytest.raises(TypeError):
        a + 1
    with pytest.raises(TypeError):
        1 + a


def _at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, 3, hour, 0)


def test_merging_max_latest_and_distinct_states() -> None:
    peak = Meter("peak_agents", source="agents", aggregation="max")
    latest = Meter("seats", source="seats_reported", aggregation="latest")
    logins = Meter("agents_seen", source="login", aggregation="distinct", distinct="agent")
    morning = [
        Event("agents", 12, _at(9)),
        Event("seats_reported", 20, _at(9)),
        Event("login", 1, _at(9), {"agent": "ana"}),
        Event("login", 1, _at(9), {"agent": "ben"}),
    ]
    evening = [
        Event("agents", 9, _at(18)),
        Event("seats_reported", 18, _at(18)),
        Event("login", 1, _at(18), {"agent": "ben"}),
        Event("login", 1, _at(18), {"agent": "cho"}),
    ]

    def run(events: list[Event]) -> Usage:
        return peak.meter(events) + latest.meter(events) + logins.meter(events)

    merged = run(evening) + run(morning)
    assert merged == run(morning + evening)
    assert merged.exact("peak_agents") == 12  # max(12, 9)
    assert merged.exact("seats") == 18  # the 18:00 report is the latest
    assert merged.exact("agents_seen") == 3  # ana, ben, cho


def test_merging_mismatched_aggregations_is_a_usage_error() -> None:
    summed = Usage.from_totals({"agents": 5})
    peak = Meter("agents", aggregation=Aggregation.MAX).meter([Event("agents", 7, AT)])
    with pytest.raises(
        UsageError, match=r"metric 'agents' \(\): aggregated as sum on one side and max"
    ):
        summed + peak


# -- reading --------------------------------------------------------------------------------


def _calls() -> Usage:
    return Usage.from_totals(
        {
            ("min", Dimensions({"channel": "phone", "language": "de"})): 100,
            ("min", Dimensions({"channel": "phone", "language": "fr"})): 50,
            ("min", Dimensions({"channel": "chat", "language": "de"})): 30,
            ("min", Dimensions({"channel": "email"})): 7,
            "orders": 3,
        }
    )


def test_exact_and_quantity_with_filters() -> None:
    usage = _calls()
    assert usage.exact("min") == 187  # 100 + 50 + 30 + 7
    assert usage.exact("min", {"channel": "phone"}) == 150
    assert usage.exact("min", Where({"language": ["de", "fr"]})) == 180
    assert usage.exact("min", {"language": "es"}) == 0
    assert usage.exact("unknown") == 0
    assert usage.quantity("min", {"channel": "chat"}) == Decimal(30)


def test_groups_projects_and_keeps_groups_missing_a_dimension() -> None:
    usage = _calls()
    assert usage.groups("min", ["language"]) == {
        Dimensions({"language": "de"}): 130,  # 100 phone + 30 chat
        Dimensions({"language": "fr"}): 50,
        Dimensions(): 7,  # email has no language: reported, not dropped
    }
    assert usage.groups("min", ["channel"], where={"language": "de"}) == {
        Dimensions({"channel": "phone"}): 100,
        Dimensions({"channel": "chat"}): 30,
    }


def test_items_are_sorted() -> None:
    items = list(_calls().items())
    assert [(metric, str(dims), quantity) for metric, dims, quantity in items] == [
        ("min", "channel=chat, language=de", Fraction(30)),
        ("min", "channel=email", Fraction(7)),
        ("min", "channel=phone, language=de", Fraction(100)),
        ("min", "channel=phone, language=fr", Fraction(50)),
        ("orders", "", Fraction(3)),
    ]


def test_len_bool_and_equality() -> None:
    assert len(_calls()) == 5
    assert _calls()
    assert not Usage.empty()
    assert Usage.empty() == Usage()
    assert _calls() == _calls()
    assert Usage.from_totals({"m": 1}) != Usage.from_totals({"m": 2})
    assert Usage.from_totals({"m": 0}) != Usage.empty()  # an explicit zero is kept
    assert Usage.from_totals({"m": 1}) != {"m": 1}
    with pytest.raises(TypeError):
        hash(Usage.empty())


def test_to_dict_and_repr() -> None:
    usage = Usage.from_totals({("task_hours", QA): "7.5", "handle_minutes": 12000})
    assert usage.to_dict() == [
        {"metric": "handle_minutes", "dimensions": {}, "quantity": "12000"},
        {"metric": "task_hours", "dimensions": {"task": "qa"}, "quantity": "7.5"},
    ]
    assert repr(usage) == "Usage(handle_minutes=12000, task_hours[task=qa]=7.5)"
    assert repr(Usage.empty()) == "Usage()"


def test_non_terminating_quantities_are_shown_rounded_but_kept_exact() -> None:
    # 67 s per second, in minutes: 67/60 = 1.11666...
    usage = Meter("min", source="s", from_unit="second", unit="minute").meter([Event("s", 67, AT)])
    assert usage.exact("min") == Fraction(67, 60)
    assert repr(usage) == "Usage(min=1.116667)"
    # quantity() and to_dict() carry 50 decimal places (half-even on the last one)
    assert usage.quantity("min") == Decimal("1.11" + "6" * 47 + "7")
    assert usage.to_dict()[0]["quantity"] == "1.11" + "6" * 47 + "7"


def test_display_quantity() -> None:
    assert display_quantity(Fraction(37, 10)) == Decimal("3.7")
    assert str(display_quantity(Fraction(12000))) == "12000"
    assert display_quantity(Fraction(7, 60)) == Decimal("0.116667")
    assert display_quantity(Fraction(1, 8), places=2) == Decimal("0.12")  # half-even tie
    assert display_quantity(Fraction(3, 8), places=2) == Decimal("0.38")
    assert display_quantity(Fraction(-2, 3), places=3) == Decimal("-0.667")
    assert display_quantity(Fraction(1234567, 3), places=2) == Decimal("411522.33")


def test_event_quantities_stay_right_however_many_distinct_values() -> None:
    # more distinct quantities than any cache keeps, as ints and as strings
    events = [Event("s", q, AT) for q in range(20000)] + [
        Event("s", f"{q}.5", AT) for q in range(3)
    ]
    assert [e.quantity for e in events[:3]] == [0, 1, 2]
    assert events[19999].quantity == Decimal(19999)
    assert [e.quantity for e in events[-3:]] == [Decimal("0.5"), Decimal("1.5"), Decimal("2.5")]
    assert Event("s", 7, AT).quantity == 7
    with pytest.raises(ValueError, match="quantity is not a decimal number: 'seven'"):
        Event("s", "seven", AT)
