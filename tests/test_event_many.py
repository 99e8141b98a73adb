"""Event.many: events from columns, equal to events built one by one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice import Contract, Event, Meter, PerUnit

AT = dt.datetime(2026, 11, 3, 2, 13, tzinfo=dt.timezone.utc)


def test_columns_become_events_with_shared_values() -> None:
    events = Event.many(
        "call_seconds",
        [185, "31.5", 185, Decimal("2.250")],
        [AT] * 4,
        {"language": ["de", None, "de", "fr"], "channel": ["phone", "chat", "phone", None]},
    )
    assert [e.quantity for e in events] == [
        Decimal(185),
        Decimal("31.5"),
        Decimal(185),
        Decimal("2.250"),
    ]
    assert [dict(e.dimensions) for e in events] == [
        {"language": "de", "channel": "phone"},
        {"channel": "chat"},
        {"language": "de", "channel": "phone"},
        {"language": "fr"},
    ]
    assert events[0] == Event("call_seconds", 185, AT, {"language": "de", "channel": "phone"})
    assert events[0].quantity is events[2].quantity
    assert events[0].dimensions is events[2].dimensions


def test_a_month_priced_from_columns_by_hand() -> None:
    contract = Contract(
        "Per minute",
        "EUR",
        [PerUnit("Minutes", metric="minutes", rate="0.95 EUR", unit="min")],
        meters=[Meter("minutes", source="seconds", from_unit="second", unit="minute", increment=6)],
    )
    # 185 s -> 186 s, 31 s -> 36 s, 60 s: 282 s = 4.7 min x 0.95 = 4.465 -> 4.47
    events = Event.many("seconds", [185, 31, 60], [AT, AT, AT])
    assert contract.invoice(events, "2026-11").total.amount == Decimal("4.47")


def test_numpy_integer_scalars_are_quantities_and_numpy_floats_are_not() -> None:
    np = pytest.importorskip("numpy")
    assert Event("s", np.int64(185), AT).quantity == Decimal(185)
    assert Event("s", np.uint16(7), AT).quantity == Decimal(7)
    assert Event.many("s", np.array([3, 4], dtype=np.int32), [AT, AT])[1].quantity == 4
    with pytest.raises(TypeError, match="float"):
        Event("s", np.float64(1.0), AT)
    with pytest.raises(TypeError, match=r"quantities\[1\].*float"):
        Event.many("s", [1, np.float32(2.0)], [AT, AT])
    with pytest.raises(TypeError, match="bool"):
        Event("s", np.bool_(True), AT)
    with pytest.raises(TypeError, match="bool"):
        Event("s", True, AT)


def test_bad_columns_are_named() -> None:
    with pytest.raises(TypeError, match="metric"):
        Event.many("", [1], [AT])
    with pytest.raises(ValueError, match="2 timestamps for 1 quantities"):
        Event.many("s", [1], [AT, AT])
    with pytest.raises(ValueError, match="dimension 'channel' has 2 values for 1"):
        Event.many("s", [1], [AT], {"channel": ["a", "b"]})
    with pytest.raises(TypeError, match=r"timestamps\[1\] must be a datetime"):
        Event.many("s", [1, 2], [AT, "2026-11-03"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"quantities\[0\].*not a decimal"):
        Event.many("s", ["abc"], [AT])
    with pytest.raises(TypeError, match="float"):
        Event.many("s", iter([1.5]), iter([AT]))


@pytest.mark.parametrize("text", [".-5", ".+5", "1.2.3", "0x10", "1,5", "--1", "."])
def test_texts_an_event_refuses_are_refused_in_columns(text: str) -> None:
    # ".-5" without its point would read as -5 hundredths: each is refused as a text
    with pytest.raises(ValueError, match=r"^quantity is not a decimal number"):
        Event("s", text, AT)
    message = rf"^quantities\[1\]: quantity is not a decimal number: '{re.escape(text)}'"
    with pytest.raises(ValueError, match=message):
        Event.many("s", ["1.5", text, "2"], [AT] * 3)


@given(st.lists(st.text("0123456789.-+xe_ ", min_size=1, max_size=6), min_size=1, max_size=5))
def test_texts_in_columns_read_as_events_read_them(texts: list[str]) -> None:
    try:
        one_by_one: list[Event] | None = [Event("s", text, AT) for text in texts]
    except ValueError:
        one_by_one = None
    if one_by_one is None:
        with pytest.raises(ValueError, match=r"not a decimal number|negative|finite"):
            Event.many("s", texts, [AT] * len(texts))
    else:
        assert Event.many("s", texts, [AT] * len(texts)) == one_by_one


quantity = st.one_of(
    st.integers(0, 10_000),
    st.decimals(0, 10_000, places=3, allow_nan=False).map(str),
    st.decimals(0, 10_000, places=2, allow_nan=False),
)
row = st.tuples(
    quantity,
    st.integers(0, 86_400 * 3).map(lambda s: AT + dt.timedelta(seconds=s)),
    st.sampled_from([None, "de", "fr"]),
    st.sampled_from([None, "phone"]),
)


@given(st.lists(row, max_size=40))
def test_many_equals_events_one_by_one(
    rows: list[tuple[object, dt.datetime, str | None, str | None]],
) -> None:
    one_by_one = [
        Event("s", q, at, {k: v for k, v in (("language", lang), ("channel", ch)) if v is not None})
        for q, at, lang, ch in rows
    ]
    columns = Event.many(
        "s",
        [r[0] for r in rows],
        [r[1] for r in rows],
        {"language": [r[2] for r in rows], "channel": [r[3] for r in rows]},
    )
    assert columns == one_by_one
    meter = Meter("m", source="s", increment=6, group_by=["language"])
    assert meter.meter(columns) == meter.meter(one_by_one)
