"""Usage behaviour that mutation testing found unpinned: spans and days (cutting,
spreading, merging), pooled figures, the merge of every aggregation, the order of the
items, pickling and the messages of the refusals. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from meterprice import Contract, Dimensions, Event, Meter, Period, PerUnit, Usage, UsageError
from meterprice import usage as usage_module
from meterprice.errors import InvalidTypeError
from meterprice.ids import Duplicates

D = dt.date
AT = dt.datetime(2026, 11, 3, 9, 0)
NOV = Period.month(2026, 11)
DE = Dimensions({"queue": "de"})
FR = Dimensions({"queue": "fr"})


def _metered(period: str, *events: Event) -> Usage:
    """The usage a contract meters from ``events`` over ``period`` (it knows its span)."""
    contract = Contract("C", "EUR", [PerUnit("M", metric="minutes", rate="1.00 EUR")])
    return contract.meter(list(events), period)


def _minutes(day: int, quantity: int = 1, *, id: str | None = None) -> Event:
    return Event("minutes", quantity, dt.datetime(2026, 11, day, 9, 0), id=id)


# -- events ------------------------------------------------------------------------------------


def test_event_many_passes_every_column_on() -> None:
    batch = Event.many("calls", [185, "31.5"], [AT, AT], {"language": ["de", None]}, ids=["a", 7])
    assert list(batch) == [
        Event("calls", 185, AT, {"language": "de"}, id="a"),
        Event("calls", "31.5", AT, id="7"),
    ]
    assert [event.id for event in batch] == ["a", "7"]


def test_equal_quantities_share_one_decimal() -> None:
    usage_module._QUANTITIES.clear()
    assert Event("m", "7.5", AT).quantity is Event("m", "7.5", AT).quantity
    assert Event("m", 185, AT).quantity is Event("m", 185, AT).quantity


def test_the_shared_quantities_never_exceed_their_bound() -> None:
    usage_module._QUANTITIES.clear()
    bound = usage_module._QUANTITIES_MAX
    for value in range(bound):
        Event("m", value, AT)
    assert len(usage_module._QUANTITIES) == bound
    # one more distinct value clears the full table first: it then holds that value only
    assert Event("m", bound, AT).quantity == Decimal(bound)
    assert len(usage_module._QUANTITIES) == 1


def test_a_bool_quantity_is_refused_even_after_the_int_one() -> None:
    assert Event("m", 1, AT).quantity == Decimal(1)
    with pytest.raises(
        InvalidTypeError,
        match=r"^quantity must be a Decimal, int or decimal string, not bool \(True\)$",
    ):
        Event("m", True, AT)


def test_a_numpy_integer_quantity() -> None:
    numpy = pytest.importorskip("numpy")
    quantity = Event("m", numpy.int64(42), AT).quantity
    assert (quantity, type(quantity)) == (Decimal(42), Decimal)


# -- merging states ----------------------------------------------------------------------------


def test_the_larger_maximum_wins_in_either_order() -> None:
    peak = Meter("peak", source="agents", aggregation="max")
    high = peak.meter([Event("agents", 12, AT)])
    low = peak.meter([Event("agents", 9, AT)])
    assert (high + low).exact("peak") == 12
    assert (low + high).exact("peak") == 12


def test_the_latest_value_wins_by_instant_across_a_dst_fall_back() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    latest = Meter("seats", source="reported", aggregation="latest")
    # 25 October 2026, 02:00-03:00 happens twice in Berlin: 02:45 CEST (00:45 UTC) comes
    # before 02:15 CET (01:15 UTC), although its wall time is later
    early = Event("reported", 20, dt.datetime(2026, 10, 25, 2, 45, tzinfo=berlin))
    late = Event("reported", 18, dt.datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=berlin))
    first = latest.meter([early], timezone="Europe/Berlin")
    second = latest.meter([late], timezone="Europe/Berlin")
    assert (first + second).exact("seats") == 18
    assert (second + first).exact("seats") == 18
    assert latest.meter([late, early], timezone="Europe/Berlin").exact("seats") == 18


@pytest.fixture
def berlin_machine() -> Iterator[None]:
    """The machine's own zone set to Europe/Berlin for the test, then restored."""
    if not hasattr(time, "tzset"):
        pytest.skip("the machine's zone cannot be changed here")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("berlin_machine")
def test_naive_timestamps_compare_as_wall_clock_times_whatever_the_machine_zone() -> None:
    latest = Meter("seats", source="reported", aggregation="latest")
    # 29 March 2026: Berlin's clocks jump from 02:00 to 03:00. Read in the machine's zone
    # 01:45 is 00:45 UTC and the skipped 02:15 is 00:15 UTC; as written, 02:15 is the later
    early = Event("reported", 20, dt.datetime(2026, 3, 29, 1, 45))
    late = Event("reported", 18, dt.datetime(2026, 3, 29, 2, 15))
    assert latest.meter([early, late]).exact("seats") == 18
    assert (latest.meter([late]) + latest.meter([early])).exact("seats") == 18
    assert (latest.meter([early]) + latest.meter([late])).exact("seats") == 18


def test_the_latest_value_wins_in_either_order() -> None:
    latest = Meter("seats", source="reported", aggregation="latest")
    morning = latest.meter([Event("reported", 20, AT)])
    evening = latest.meter([Event("reported", 18, AT.replace(hour=18))])
    assert (morning + evening).exact("seats") == 18
    assert (evening + morning).exact("seats") == 18


def test_distinct_values_merge_as_a_union() -> None:
    logins = Meter("seen", source="login", aggregation="distinct", distinct="agent", group_by=[])
    morning = logins.meter([Event("login", 1, AT, {"agent": "ana"})])
    evening = logins.meter([Event("login", 1, AT, {"agent": "ben"})])
    assert (morning + evening).exact("seen") == 2  # ana and ben


def test_means_merge_their_totals_and_counts() -> None:
    asa = Meter("asa", source="wait", aggregation="mean")
    first = asa.meter([Event("wait", 10, AT), Event("wait", 30, AT)])
    second = asa.meter([Event("wait", 5, AT)])
    # (10 + 30 + 5) / 3 = 15, not the mean of the means (20 + 5) / 2
    assert (first + second).figure("asa") == 15
    assert (second + first).exact("asa") == 15


@pytest.mark.parametrize(
    ("left", "right", "words"),
    [
        ("latest", "distinct", "aggregated as latest on one side and distinct on the other"),
        ("mean", "max", "aggregated as mean on one side and max on the other"),
        ("distinct", "latest", "aggregated as distinct on one side and latest on the other"),
    ],
)
def test_a_mismatched_merge_names_both_aggregations(left: str, right: str, words: str) -> None:
    def meter(aggregation: str) -> Usage:
        distinct = "agent" if aggregation == "distinct" else None
        return Meter("x", source="x", aggregation=aggregation, distinct=distinct).meter(
            [Event("x", 1, AT, {"agent": "ana"})]
        )

    with pytest.raises(UsageError, match=re.escape(words)):
        meter(left) + meter(right)


# -- spans and merging usages ------------------------------------------------------------------


def test_metered_usage_knows_its_span_and_its_duplicates() -> None:
    usage = _metered("2026-11", _minutes(3, 5, id="a"), _minutes(3, 5, id="a"), _minutes(20, 7))
    assert usage.span == NOV
    assert usage.duplicates == Duplicates(1, ("a",))
    assert usage.exact("minutes") == 12  # the repeated 5 counted once: 5 + 7


def test_no_usage_has_no_span_and_no_duplicates() -> None:
    assert Usage.empty().span is None
    assert Usage.empty().duplicates == Duplicates()
    assert Usage().span is None


def test_adding_no_usage_keeps_the_span() -> None:
    usage = _metered("2026-11", _minutes(3))
    assert (usage + Usage.empty()).span == NOV
    assert (Usage.empty() + usage).span == NOV


def test_no_usage_with_a_span_added_to_unspanned_usage() -> None:
    spanned_nothing = _metered("2026-11")
    daily = Usage.from_daily({"2026-11-03": {"minutes": 4}})
    assert (daily + spanned_nothing).span is None
    assert (spanned_nothing + daily).span is None
    assert (daily + spanned_nothing).exact("minutes") == 4


@pytest.mark.parametrize(
    ("first", "second", "span"),
    [
        # touching: 1-16 and 16-1 make the whole month, in either order
        ("2026-11-01..2026-11-16", "2026-11-16..2026-12-01", NOV),
        ("2026-11-16..2026-12-01", "2026-11-01..2026-11-16", NOV),
        # overlapping
        ("2026-11-01..2026-11-20", "2026-11-10..2026-12-01", NOV),
        ("2026-11-10..2026-12-01", "2026-11-01..2026-11-20", NOV),
        # one inside the other
        ("2026-11-01..2026-12-01", "2026-11-10..2026-11-12", NOV),
        # a gap between them: the days of the gap are unknown
        ("2026-11-01..2026-11-10", "2026-11-20..2026-12-01", None),
        ("2026-11-20..2026-12-01", "2026-11-01..2026-11-10", None),
    ],
)
def test_the_span_of_two_usages(first: str, second: str, span: Period | None) -> None:
    left = _metered(first, _minutes(Period.parse(first).start.day))
    right = _metered(second, _minutes(Period.parse(second).start.day))
    assert (left + right).span == span


def test_a_spanned_usage_added_to_an_unspanned_one_has_no_span() -> None:
    spanned = _metered("2026-11", _minutes(3))
    daily = Usage.from_daily({"2026-11-20": {"minutes": 2}})
    assert (spanned + daily).span is None
    assert (daily + spanned).span is None


def test_adding_usages_adds_their_duplicates() -> None:
    first = _metered("2026-11", _minutes(3, id="a"), _minutes(3, id="a"))
    second = _metered("2026-11", _minutes(4, id="b"), _minutes(4, id="b"))
    assert (first + second).duplicates == Duplicates(2, ("a", "b"))
    assert (first + second).span == NOV


def test_with_duplicates_keeps_the_quantities_and_the_span() -> None:
    usage = _metered("2026-11", _minutes(3, 5))
    reported = usage._with_duplicates(Duplicates(2, ("x",)))
    assert (reported, reported.span, reported.duplicates) == (usage, NOV, Duplicates(2, ("x",)))


# -- days --------------------------------------------------------------------------------------


def test_totals_on_a_day() -> None:
    usage = Usage.from_totals({"minutes": 5}, on="2026-11-03")
    assert (usage.days, usage.dated) == (frozenset({D(2026, 11, 3)}), True)
    assert Usage.from_totals({"minutes": 5}, on=D(2026, 11, 4)).days == {D(2026, 11, 4)}


def test_a_usage_day_must_be_a_date() -> None:
    with pytest.raises(
        InvalidTypeError,
        match=r"^a usage day must be a date or an ISO date string, not datetime\.datetime\(",
    ):
        Usage.from_totals({"minutes": 5}, on=AT)
    with pytest.raises(
        InvalidTypeError, match=r"^a usage day must be a date or an ISO date string, not 5$"
    ):
        Usage.from_totals({"minutes": 5}, on=5)  # type: ignore[arg-type]
    with pytest.raises(
        UsageError, match=r"^a usage day is not an ISO date \(YYYY-MM-DD\): '2026-13-01'$"
    ):
        Usage.from_totals({"minutes": 5}, on="2026-13-01")


def test_an_empty_metric_name_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^a usage metric name must not be empty$"):
        Usage.from_totals({"": 5})


def test_daily_totals() -> None:
    usage = Usage.from_daily({"2026-11-03": {"minutes": 100}, D(2026, 11, 20): {"minutes": 50}})
    assert list(usage.daily_items()) == [
        (D(2026, 11, 3), "minutes", Dimensions(), Fraction(100)),
        (D(2026, 11, 20), "minutes", Dimensions(), Fraction(50)),
    ]
    assert usage.dated
    assert Usage.from_daily({}) == Usage.empty()
    assert isinstance(Usage.from_daily({}), Usage)
    with pytest.raises(InvalidTypeError, match=r"^daily usage must map days to totals, not \[1\]$"):
        Usage.from_daily([1])  # type: ignore[arg-type]


def test_undated_metrics() -> None:
    mixed = Usage.from_daily({"2026-11-03": {"calls": 1}}) + Usage.from_totals({"minutes": 5})
    assert mixed.undated_metrics() == frozenset({"minutes"})
    assert Usage.from_daily({"2026-11-03": {"calls": 1}}).undated_metrics() == frozenset()


def test_within_refuses_undated_usage_naming_its_metrics() -> None:
    undated = Usage.from_totals({"minutes": 5, "calls": 2})
    window = Period.parse("2026-11-16..2026-12-01")
    message = (
        "usage of calls, minutes has no days, so the part of it used in "
        "2026-11-16..2026-12-01 is unknown: give day-resolved usage (events, a usage "
        "file, Usage.from_daily) or spread the totals evenly over the days"
    )
    with pytest.raises(UsageError, match="^" + re.escape(message) + "$"):
        undated.within(window)


def _daily() -> Usage:
    return Usage.from_daily(
        {
            "2026-11-03": {"minutes": 1},
            "2026-11-15": {"minutes": 10},
            "2026-11-16": {"minutes": 100},
            "2026-11-30": {"minutes": 1000},
            "2026-12-01": {"minutes": 10000},
        }
    )


def test_within_takes_the_days_of_the_window_only() -> None:
    second_half = _daily().within(Period.parse("2026-11-16..2026-12-01"))
    # the 16th is in, the 1st of December (the end) is out: 100 + 1000
    assert second_half.exact("minutes") == 1100
    assert second_half.days == {D(2026, 11, 16), D(2026, 11, 30)}
    assert second_half.span == Period.parse("2026-11-16..2026-12-01")


def test_within_the_span_and_outside_it() -> None:
    usage = _metered("2026-11", _minutes(3, 5), _minutes(30, 7))
    assert usage.within(NOV).exact("minutes") == 12  # the whole span is known
    assert usage.within(Period.parse("2026-11-03..2026-11-04")).exact("minutes") == 5
    for window in ("2026-10-31..2026-11-05", "2026-11-28..2026-12-02", "2026-10-01..2026-12-31"):
        message = f"the usage of {window} is unknown: this usage was metered over 2026-11 only"
        with pytest.raises(UsageError, match="^" + re.escape(message) + "$"):
            usage.within(Period.parse(window))


def test_within_unspanned_daily_usage_is_any_window() -> None:
    assert _daily().within(Period.parse("2026-01-01..2026-02-01")).exact("minutes") == 0


def test_within_keeps_the_duplicates() -> None:
    usage = _metered("2026-11", _minutes(3, id="a"), _minutes(3, id="a"))
    assert usage.within(Period.parse("2026-11-01..2026-11-10")).duplicates == Duplicates(1, ("a",))


def test_a_cut_keeps_the_undated_quantities_and_knows_no_span() -> None:
    mixed = _daily() + Usage.from_totals({"calls": 5})
    cut = mixed._cut(Period.parse("2026-11-16..2026-12-01"))
    assert (cut.exact("minutes"), cut.exact("calls")) == (Fraction(1100), Fraction(5))
    assert cut.span is None


# -- spreading ---------------------------------------------------------------------------------


def test_spreading_totals_over_the_days_of_a_period() -> None:
    usage = Usage.from_totals({"minutes": 3000, ("calls", DE): 300}).spread(NOV)
    items = list(usage.daily_items())
    assert len(items) == 60  # 30 days x 2 groups
    assert items[:2] == [
        (D(2026, 11, 1), "calls", DE, Fraction(10)),  # 300 / 30
        (D(2026, 11, 1), "minutes", Dimensions(), Fraction(100)),  # 3000 / 30
    ]
    assert usage.within(Period.parse("2026-11-16..2026-12-01")).exact("minutes") == 1500
    assert usage.dated


def test_spreading_keeps_dated_quantities_where_they_are() -> None:
    mixed = (
        _daily()
        + Usage.from_totals({"minutes": 300, "calls": 30})
        + Usage.from_daily({"2026-11-04": {"calls": 2}})
    )
    spread = mixed.spread(NOV)
    # the 3rd: its own 1 minute plus 300 / 30 = 10 spread
    assert spread.within(Period.parse("2026-11-03..2026-11-04")).exact("minutes") == 11
    # the 4th: its own 2 calls plus 30 / 30 = 1 spread
    assert spread.within(Period.parse("2026-11-04..2026-11-05")).exact("calls") == 3
    # 1 + 10 + 100 + 1000 + 10000 + 300
    assert spread.exact("minutes") == 11411


def test_spreading_dated_usage_changes_nothing() -> None:
    usage = _daily()
    assert usage.spread(NOV) is usage


@pytest.mark.parametrize(
    ("dimensions", "words"),
    [({}, "'peak' (no dimensions)"), ({"queue": "de"}, "'peak' (queue=de)")],
)
def test_only_sums_can_be_spread(dimensions: dict[str, str], words: str) -> None:
    peak = Meter("peak", source="agents", aggregation="max", group_by=list(dimensions))
    undated = peak.meter([Event("agents", 7, AT, dimensions)]).undated()
    message = f"usage of {words} is a max, which cannot be spread over days"
    with pytest.raises(UsageError, match="^" + re.escape(message) + "$"):
        undated.spread(NOV)


def test_undated_forgets_the_days() -> None:
    undated = _daily().undated()
    assert list(undated.daily_items()) == [(None, "minutes", Dimensions(), Fraction(11111))]
    assert not undated.dated


# -- reading -----------------------------------------------------------------------------------


def _calls() -> Usage:
    return Usage.from_totals(
        {
            ("min", Dimensions({"channel": "phone", "language": "de", "site": "a"})): 100,
            ("min", Dimensions({"channel": "phone", "language": "fr", "site": "a"})): 50,
            ("min", Dimensions({"channel": "phone", "language": "de", "site": "b"})): 20,
            ("min", Dimensions({"channel": "chat", "language": "de", "site": "a"})): 30,
        }
    )


def test_filters_on_two_and_three_dimensions() -> None:
    usage = _calls()
    assert usage.exact("min", {"channel": "phone", "language": "de"}) == 120  # 100 + 20
    assert usage.exact("min", {"channel": "phone", "language": "de", "site": "b"}) == 20
    assert usage.exact("min", {"channel": "phone"}) == 170  # 100 + 50 + 20
    # asked twice: the index of the first dimension's values gives the same groups
    assert usage.exact("min", {"channel": "phone", "site": "a"}) == 150
    assert usage.exact("min", {"channel": "phone", "site": "a"}) == 150


def test_an_exact_total_of_nothing_is_a_fraction() -> None:
    total = Usage.empty().exact("min")
    assert (total, type(total)) == (Fraction(0), Fraction)


def _waits() -> Usage:
    asa = Meter("asa", source="wait", aggregation="mean", group_by=["queue"])
    return asa.meter(
        [
            Event("wait", 10, AT, {"queue": "de"}),
            Event("wait", 30, AT, {"queue": "de"}),
            Event("wait", 5, AT, {"queue": "fr"}),
        ]
    )


def test_a_mean_of_two_groups_is_read_as_a_figure() -> None:
    waits = _waits()
    # pooled over the three events: (10 + 30 + 5) / 3 = 15
    assert waits.figure("asa") == 15
    assert waits.figure("asa", {"queue": "de"}) == 20  # (10 + 30) / 2
    assert waits.exact("asa", {"queue": "de"}) == 20  # one group: its mean
    assert waits.figure("nothing") is None
    message = (
        "usage of 'asa' is a mean or share of 2 groups, which do not add up: read it with "
        "Usage.figure (or meter it with group_by = [])"
    )
    with pytest.raises(UsageError, match="^" + re.escape(message) + "$"):
        waits.exact("asa")


def test_a_summed_group_next_to_a_mean_one() -> None:
    asa = Meter("asa", source="wait", aggregation="mean", group_by=["queue"])
    mean_fr = asa.meter([Event("wait", 5, AT, {"queue": "fr"}), Event("wait", 7, AT, FR)])
    mixed = Usage.from_totals({("asa", DE): 4}) + mean_fr
    # the first group is a sum: the groups add up, 4 + (5 + 7) / 2 = 10
    assert mixed.exact("asa") == 10
    assert mixed.figure("asa") == 10  # not all means: summed as well


def test_a_figure_of_summed_groups_is_their_sum() -> None:
    usage = _calls()
    assert usage.figure("min") == 200  # 100 + 50 + 20 + 30
    assert usage.figure("min", {"language": "fr"}) == 50


def test_items_are_sorted_by_metric_then_dimensions() -> None:
    usage = Usage.from_totals(
        {("m", Dimensions({"b": "2"})): 1, ("m", Dimensions({"a": "1"})): 2, "a": 3}
    )
    assert list(usage.items()) == [
        ("a", Dimensions(), Fraction(3)),
        ("m", Dimensions({"a": "1"}), Fraction(2)),
        ("m", Dimensions({"b": "2"}), Fraction(1)),
    ]


def test_daily_items_are_sorted_undated_first_then_by_day_metric_and_dimensions() -> None:
    x1, x2 = Dimensions({"x": "1"}), Dimensions({"x": "2"})
    usage = (
        Usage.from_totals({("a", x2): 2, ("a", x1): 3, "b": 4}, on="2026-11-03")
        + Usage.from_totals({"c": 5}, on="2026-11-02")
        + Usage.from_totals({"b": 1})
    )
    assert list(usage.daily_items()) == [
        (None, "b", Dimensions(), Fraction(1)),
        (D(2026, 11, 2), "c", Dimensions(), Fraction(5)),
        (D(2026, 11, 3), "a", x1, Fraction(3)),
        (D(2026, 11, 3), "a", x2, Fraction(2)),
        (D(2026, 11, 3), "b", Dimensions(), Fraction(4)),
    ]


def test_a_pickled_usage_reads_the_same() -> None:
    usage = _metered("2026-11", _minutes(3, 5, id="a"), _minutes(3, 5, id="a"))
    usage.exact("minutes")  # indexes built before pickling are not pickled
    copy = pickle.loads(pickle.dumps(usage))
    assert copy == usage
    assert (copy.span, copy.duplicates, len(copy)) == (NOV, Duplicates(1, ("a",)), 1)
    assert copy.exact("minutes") == 5
    calls = pickle.loads(pickle.dumps(_calls()))
    assert calls.exact("min", {"channel": "phone", "language": "fr"}) == 50


def test_the_html_of_a_usage_names_its_metrics() -> None:
    assert "minutes" in Usage.from_totals({"minutes": 5})._repr_html_()
