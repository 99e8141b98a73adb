"""The pay-per-use contract of seed 000 (5CA), priced line by line against figures
worked out by hand in the comments (never by calling the library).

The contract, as the article describes it:

* a rate per handled minute, "only when we're working for you", by language (EFIGS:
  English, French, Italian, German, Spanish, versus other languages) and by channel
  (phone versus written: chat and e-mail), with a 6-second billing increment per contact;
* a minimum volume "to guarantee quality of service": 200 handled minutes a month, the
  shortfall billed at the EFIGS phone rate, prorated in a partial month;
* hourly fees for escalation handling, quality assurance, training and content
  creation (task time logged in minutes, billed per started quarter hour);
* project management at 8 % of the monthly usage (the minute lines and the minimum);
* a one-off implementation fee for training and technical set-up; "after the project
  implementation is completed, the pay-per-use model kicks in": the contract starts
  on 2 November 2026 and goes live on 17 November, so November is a partial month for
  every pay-per-use component (14 of its 30 days: the 17th to the 30th).

Timestamps are naive wall-clock times in the contract's time zone (Europe/Amsterdam).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from meterprice import (
    Contract,
    Event,
    Invoice,
    Meter,
    MinimumVolume,
    Money,
    Percentage,
    Period,
    PerUnit,
    PricingError,
    SetupFee,
    Window,
)

EFIGS = ["en", "fr", "it", "de", "es"]
OTHER_LANGUAGES = ["nl", "pt", "pl", "sv", "da", "no"]
WRITTEN = ["chat", "email"]
GO_LIVE = dt.date(2026, 11, 17)
PAY_PER_USE = Window(start=GO_LIVE)

HANDLE_MINUTES = Meter(
    "handle_minutes",
    source="handle_seconds",
    from_unit="second",
    unit="minute",
    increment=6,
    group_by=["channel", "language"],
)
TASK_HOURS = Meter(
    "task_hours",
    source="task_minutes",
    from_unit="minute",
    unit="hour",
    increment=15,
    group_by=["task"],
)


def _hourly(name: str, task: str, rate: str) -> PerUnit:
    return PerUnit(
        name,
        metric="task_hours",
        rate=rate,
        where={"task": task},
        unit="h",
        tags="hourly",
        active=PAY_PER_USE,
    )


def _minutes(name: str, rate: str, channel: str | list[str], languages: list[str]) -> PerUnit:
    return PerUnit(
        name,
        metric="handle_minutes",
        rate=rate,
        where={"channel": channel, "language": languages},
        unit="min",
        tags="usage",
        active=PAY_PER_USE,
    )


CONTRACT = Contract(
    "5CA pay-per-use",
    "EUR",
    [
        SetupFee("Implementation", amount="6000.00 EUR", on="2026-11-02"),
        _minutes("EFIGS phone", "0.95 EUR", "phone", EFIGS),
        _minutes("EFIGS written", "0.80 EUR", WRITTEN, EFIGS),
        _minutes("Other languages phone", "1.25 EUR", "phone", OTHER_LANGUAGES),
        _minutes("Other languages written", "1.05 EUR", WRITTEN, OTHER_LANGUAGES),
        MinimumVolume(
            "Minimum volume",
            metric="handle_minutes",
            quantity=200,
            rate="0.95 EUR",
            unit="min",
            tags="usage",
            active=PAY_PER_USE,
        ),
        _hourly("Escalation handling", "escalation", "45.00 EUR"),
        _hourly("Quality assurance", "qa", "40.00 EUR"),
        _hourly("Training", "training", "35.00 EUR"),
        _hourly("Content creation", "content", "50.00 EUR"),
        Percentage("Project management", percent=8, of="usage", active=PAY_PER_USE),
    ],
    meters=[HANDLE_MINUTES, TASK_HOURS],
    timezone="Europe/Amsterdam",
    term={"start": "2026-11-02"},
)


def call(when: str, seconds: int, channel: str, language: str) -> Event:
    return Event(
        "handle_seconds",
        seconds,
        dt.datetime.fromisoformat(when),
        {"channel": channel, "language": language, "agent": "a1"},
    )


def task(when: str, minutes: int, kind: str) -> Event:
    return Event("task_minutes", minutes, dt.datetime.fromisoformat(when), {"task": kind})


EVENTS = [
    # -- before go-live: test contacts during implementation, never billed per minute
    call("2026-11-10T14:00", 300, "phone", "de"),
    call("2026-11-16T23:59", 120, "chat", "en"),
    # -- November after go-live; billable seconds with the 6-second increment
    call("2026-11-17T09:05", 185, "phone", "de"),  # 185 -> 186
    call("2026-11-17T09:40", 240, "phone", "en"),  # 240
    call("2026-11-17T11:10", 412, "chat", "fr"),  # 412 -> 414
    call("2026-11-18T10:00", 95, "phone", "nl"),  # 95 -> 96
    call("2026-11-18T14:20", 300, "email", "es"),  # 300
    call("2026-11-19T08:30", 61, "phone", "it"),  # 61 -> 66
    call("2026-11-20T16:45", 530, "chat", "pt"),  # 530 -> 534
    call("2026-11-23T10:15", 1, "phone", "de"),  # 1 -> 6
    call("2026-11-24T13:00", 358, "chat", "en"),  # 358 -> 360
    call("2026-11-25T09:00", 200, "phone", "sv"),  # 200 -> 204
    call("2026-11-26T15:30", 600, "email", "de"),  # 600
    call("2026-11-27T11:11", 127, "phone", "fr"),  # 127 -> 132
    call("2026-11-30T23:58", 90, "phone", "en"),  # 90 (still November)
    task("2026-11-18T16:00", 50, "escalation"),  # 50 -> 60 min = 1 h
    task("2026-11-20T10:00", 90, "qa"),  # 90 min = 1.5 h
    task("2026-11-24T09:00", 100, "training"),  # 100 -> 105 min = 1.75 h
    task("2026-11-27T14:00", 30, "content"),  # 30 min = 0.5 h
    # -- December
    call("2026-12-01T00:02", 90, "phone", "en"),  # 90
    call("2026-12-01T09:00", 1805, "phone", "de"),  # 1805 -> 1806
    call("2026-12-02T10:30", 2400, "chat", "fr"),  # 2400
    call("2026-12-03T11:00", 905, "email", "it"),  # 905 -> 906
    call("2026-12-04T14:00", 1201, "phone", "nl"),  # 1201 -> 1206
    call("2026-12-07T09:15", 1795, "chat", "pt"),  # 1795 -> 1800
    call("2026-12-08T16:00", 2999, "phone", "es"),  # 2999 -> 3000
    call("2026-12-10T12:00", 1500, "chat", "de"),  # 1500
    call("2026-12-14T08:45", 597, "phone", "sv"),  # 597 -> 600
    call("2026-12-15T13:30", 1203, "email", "en"),  # 1203 -> 1206
    call("2026-12-21T10:00", 2, "phone", "fr"),  # 2 -> 6
    call("2026-12-31T23:59", 359, "chat", "en"),  # 359 -> 360
    task("2026-12-02T11:00", 20, "escalation"),  # 20 -> 30 min
    task("2026-12-09T11:00", 35, "escalation"),  # 35 -> 45 min; 75 min = 1.25 h
    task("2026-12-11T09:00", 120, "qa"),  # 120 min = 2 h
    task("2026-12-16T09:00", 200, "content"),  # 200 -> 210 min = 3.5 h
    # -- January: not in either invoice
    call("2027-01-01T00:00:30", 600, "phone", "de"),
]


def _rows(invoice: Invoice) -> list[tuple[str, str | None, str]]:
    return [
        (
            line.component,
            None if line.shown_quantity is None else f"{line.shown_quantity:f}",
            str(line.amount.amount),
        )
        for line in invoice.lines
    ]


def test_partial_first_month() -> None:
    invoice = CONTRACT.invoice(EVENTS, "2026-11")
    # Minutes from go-live (17-30 November); the calls of the 10th and 16th are not billed.
    #   EFIGS phone:    186 + 240 + 66 + 6 + 132 + 90 = 720 s = 12 min x 0.95 = 11.40
    #   EFIGS written:  414 + 300 + 360 + 600 = 1674 s = 27.9 min x 0.80 = 22.32
    #   Other phone:    96 + 204 = 300 s = 5 min x 1.25 = 6.25
    #   Other written:  534 s = 8.9 min x 1.05 = 9.345 -> 9.35 (half-up)
    #   handled in all: 12 + 27.9 + 5 + 8.9 = 53.8 min
    # Minimum volume, prorated to 14 of 30 days: 200 x 14/30 = 280/3 = 93.333... min
    #   shortfall 280/3 - 269/5 = (1400 - 807)/15 = 593/15 = 39.5333... min
    #   x 0.95 = 563.35/15 = 37.55666... -> 37.56
    # Hourly: escalation 1 h x 45 = 45.00; QA 1.5 h x 40 = 60.00;
    #         training 1.75 h x 35 = 61.25; content 0.5 h x 50 = 25.00
    # Project management: 8 % of (11.40 + 22.32 + 6.25 + 9.35 + 37.56 = 86.88)
    #   = 6.9504 -> 6.95
    # Implementation on 2 November: 6000.00
    assert _rows(invoice) == [
        ("Implementation", None, "6000.00"),
        ("EFIGS phone", "12", "11.40"),
        ("EFIGS written", "27.9", "22.32"),
        ("Other languages phone", "5", "6.25"),
        ("Other languages written", "8.9", "9.35"),
        ("Minimum volume", "39.533333", "37.56"),
        ("Escalation handling", "1", "45.00"),
        ("Quality assurance", "1.5", "60.00"),
        ("Training", "1.75", "61.25"),
        ("Content creation", "0.5", "25.00"),
        ("Project management", "86.88", "6.95"),
    ]
    minimum = invoice.lines_of("Minimum volume")[0]
    assert minimum.quantity == Fraction(593, 15)
    assert minimum.exact == Fraction(56335, 1500)
    assert minimum.basis == (
        "minimum 93.333333 min (200 min x 14/30 days) less 53.8 min used = 39.533333 min x 0.95 EUR"
    )
    assert invoice.lines_of("Project management")[0].exact == Fraction(69504, 10000)
    assert invoice.subtotal({"usage"}) == Money("86.88", "EUR")
    assert invoice.subtotal({"hourly"}) == Money("191.25", "EUR")  # 45 + 60 + 61.25 + 25
    # 6000.00 + 86.88 + 191.25 + 6.95
    assert invoice.total == Money("6285.08", "EUR")


def test_full_month() -> None:
    invoice = CONTRACT.invoice(EVENTS, "2026-12")
    #   EFIGS phone:    90 + 1806 + 3000 + 6 = 4902 s = 81.7 min x 0.95 = 77.615 -> 77.62
    #   EFIGS written:  2400 + 906 + 1500 + 1206 + 360 = 6372 s = 106.2 min x 0.80 = 84.96
    #   Other phone:    1206 + 600 = 1806 s = 30.1 min x 1.25 = 37.625 -> 37.63
    #   Other written:  1800 s = 30 min x 1.05 = 31.50
    #   handled in all: 81.7 + 106.2 + 30.1 + 30 = 248 min >= 200: no minimum line
    # Hourly: escalation 30 + 45 = 75 min = 1.25 h x 45 = 56.25; QA 2 h x 40 = 80.00;
    #         content 3.5 h x 50 = 175.00; no training
    # Project management: 8 % of (77.62 + 84.96 + 37.63 + 31.50 = 231.71) = 18.5368 -> 18.54
    assert _rows(invoice) == [
        ("EFIGS phone", "81.7", "77.62"),
        ("EFIGS written", "106.2", "84.96"),
        ("Other languages phone", "30.1", "37.63"),
        ("Other languages written", "30", "31.50"),
        ("Escalation handling", "1.25", "56.25"),
        ("Quality assurance", "2", "80.00"),
        ("Content creation", "3.5", "175.00"),
        ("Project management", "231.71", "18.54"),
    ]
    assert CONTRACT.meter(EVENTS, "2026-12").exact("handle_minutes") == 248
    # 231.71 + 56.25 + 80.00 + 175.00 + 18.54
    assert invoice.total == Money("561.50", "EUR")


def test_invoices_over_the_first_months() -> None:
    # October lies before the contract's term: no invoice for it
    november, december = CONTRACT.invoices(EVENTS, "2026-10-01", "2027-01-01")
    assert november == CONTRACT.invoice(EVENTS, Period.month(2026, 11))
    assert december.total == Money("561.50", "EUR")


def test_usage_before_go_live_is_not_billed_but_is_metered() -> None:
    # the two test contacts of the 10th and 16th: 300 s + 120 s = 7 min in the month
    whole_month = CONTRACT.meter(EVENTS, "2026-11")
    from_go_live = CONTRACT.meter(EVENTS, Period(GO_LIVE, dt.date(2026, 12, 1)))
    assert whole_month.exact("handle_minutes") - from_go_live.exact("handle_minutes") == 7
    assert from_go_live.exact("handle_minutes") == Fraction(269, 5)  # 53.8 min


def test_a_language_the_contract_does_not_price_is_refused() -> None:
    japanese = call("2026-12-05T10:00", 60, "phone", "ja")
    with pytest.raises(
        PricingError,
        match=r"usage that no component prices: handle_minutes \[channel=phone, language=ja\] = 1",
    ):
        CONTRACT.invoice([*EVENTS, japanese], "2026-12")
