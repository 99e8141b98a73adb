"""The clauses of outsourcing agreements give the same invoice on every input path:
events, the day-resolved usage metered from them, Arrow tables, polars frames and
usage files; a path that cannot compute a figure refuses it clearly.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meterprice import Contract, CreditBand, Event, Kpi, Meter, PerUnit, ServiceCredits, Usage
from meterprice import UsageError as MeterUsageError
from meterprice.examples import example
from meterprice.usagefiles import UsageFile, price_file

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

AGREEMENT = example("full_outsourcing").contract
LANGUAGES = ("de", "fr", "en", "nl")
WINTER = dt.timezone(dt.timedelta(hours=1))


@st.composite
def agreement_events(draw: st.DrawFn) -> list[Event]:
    """Events of November and December 2026 for the full agreement (winter time)."""
    events = []
    for month in (11, 12):
        at = dt.datetime(2026, month, draw(st.integers(1, 28)), 12, 0, tzinfo=WINTER)
        offered = draw(st.integers(min_value=1, max_value=9000))
        answered = draw(st.integers(min_value=0, max_value=offered))
        abandoned = draw(st.integers(min_value=0, max_value=offered - answered))
        events += [
            Event("calls_offered", offered, at),
            Event("calls_answered_20s", answered, at),
            Event("calls_abandoned", abandoned, at),
        ]
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            day = draw(st.sampled_from([1, 24, 25, 26, 31] if month == 12 else [2, 16, 30]))
            events.append(
                Event(
                    "handle_minutes",
                    draw(st.integers(min_value=1, max_value=8000)),
                    dt.datetime(2026, month, day, draw(st.integers(0, 23)), 0, tzinfo=WINTER),
                    {"language": draw(st.sampled_from(LANGUAGES))},
                )
            )
    return events


def table(events: list[Event]) -> Any:
    return pa.table(
        {
            "metric": [event.metric for event in events],
            "quantity": [int(event.quantity) for event in events],
            "timestamp": pa.array([event.at for event in events], pa.timestamp("us", "UTC")),
            "language": [event.dimensions.get("language") for event in events],
        }
    )


def write_csv(events: list[Event], folder: Path) -> Path:
    path = folder / "usage.csv"
    lines = ["metric,quantity,timestamp,language"]
    lines += [
        f"{e.metric},{e.quantity},{e.at.isoformat()},{e.dimensions.get('language', '')}"
        for e in events
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@settings(max_examples=12)
@given(events=agreement_events())
def test_the_agreement_prices_the_same_on_every_path(events: list[Event]) -> None:
    periods = ("2026-11", "2026-12")
    expected = tuple(AGREEMENT.invoice(events, period) for period in periods)
    metered = AGREEMENT.meter(events, "2026-11-01..2027-01-01")
    assert tuple(AGREEMENT.invoice(metered, period) for period in periods) == expected
    arrow = table(events)
    assert tuple(AGREEMENT.invoice(arrow, period) for period in periods) == expected
    frame = pl.from_arrow(arrow)
    assert tuple(AGREEMENT.invoice(frame, period) for period in periods) == expected
    with tempfile.TemporaryDirectory() as folder:
        file = UsageFile(write_csv(events, Path(folder)))
        from_file = price_file(AGREEMENT, file, [AGREEMENT.billing_period(p) for p in periods])
    assert from_file == expected


SLA = Contract(
    "Support",
    "EUR",
    [
        PerUnit("Minutes", metric="handle_minutes", rate="0.80 EUR", tags={"usage"}),
        ServiceCredits(
            "SLA",
            of={"usage"},
            cap_percent=10,
            kpis=[
                Kpi(
                    "Service level",
                    metric="service_level",
                    percent=True,
                    better="higher",
                    bands=[
                        CreditBand("< 80", credit_percent=2),
                        CreditBand("< 60", credit="50 EUR"),
                    ],
                ),
                Kpi(
                    "ASA",
                    metric="asa",
                    better="lower",
                    unmeasured="no_credit",
                    bands=[CreditBand("> 30", credit_percent=1)],
                ),
            ],
        ),
    ],
    meters=[
        Meter("handle_minutes", group_by=[]),
        Meter("service_level", source="wait", aggregation="share", condition="<= 20", group_by=[]),
        Meter("asa", source="wait", aggregation="mean", group_by=[]),
    ],
)


@st.composite
def calls(draw: st.DrawFn) -> list[Event]:
    utc = dt.timezone.utc
    events = [
        Event("handle_minutes", draw(st.integers(1, 10**5)), dt.datetime(2026, 11, 2, tzinfo=utc))
    ]
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        events.append(
            Event(
                "wait",
                draw(st.integers(min_value=0, max_value=120)),
                dt.datetime(
                    2026, 11, draw(st.integers(1, 30)), draw(st.integers(0, 23)), tzinfo=utc
                ),
            )
        )
    return events


@settings(max_examples=30)
@given(events=calls(), cut=st.integers(min_value=2, max_value=29))
def test_shares_and_means_merge_exactly_over_days_and_files(events: list[Event], cut: int) -> None:
    expected = SLA.invoice(events, "2026-11")
    # metered in two windows and added: the same figures as metered at once
    first = SLA.meter(events, f"2026-11-01..2026-11-{cut:02d}")
    second = SLA.meter(events, f"2026-11-{cut:02d}..2026-12-01")
    assert SLA.invoice(first + second, "2026-11") == expected
    assert SLA.invoice(Usage() + SLA.meter(events, "2026-11"), "2026-11") == expected
    # a JSON Lines usage file is metered row by row
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "usage.jsonl"
        path.write_text(
            "".join(
                json.dumps(
                    {"metric": e.metric, "quantity": str(e.quantity), "timestamp": e.at.isoformat()}
                )
                + "\n"
                for e in events
            ),
            encoding="utf-8",
        )
        assert price_file(SLA, UsageFile(path), [SLA.billing_period("2026-11")]) == (expected,)
    # the columnar engine does not compute them yet, and says so
    with pytest.raises(MeterUsageError, match="is not metered from tables yet"):
        SLA.invoice(
            pa.table(
                {
                    "metric": [e.metric for e in events],
                    "quantity": [int(e.quantity) for e in events],
                    "timestamp": [e.at for e in events],
                }
            ),
            "2026-11",
        )


def test_a_csv_file_with_a_share_meter_is_read_row_by_row(tmp_path: Path) -> None:
    at = "2026-11-03T10:00:00+00:00"
    path = tmp_path / "usage.csv"
    path.write_text(
        "metric,quantity,timestamp\n"
        f"handle_minutes,1000,{at}\n"
        # 2 of 4 calls within 20 s: 50 %, below 60 %: 2 % of 800.00 = 16.00 and 50.00
        f"wait,10,{at}\nwait,20,{at}\nwait,25,{at}\nwait,90,{at}\n",
        encoding="utf-8",
    )
    (invoice,) = price_file(SLA, UsageFile(path), [SLA.billing_period("2026-11")])
    # ASA (10 + 20 + 25 + 90) / 4 = 36.25 s > 30: 1 % of 800.00 = 8.00
    assert [str(line.amount) for line in invoice.lines] == [
        "800.00 EUR",
        "-66.00 EUR",
        "-8.00 EUR",
    ]
