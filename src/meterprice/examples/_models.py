"""The contracts and sample usage of the seed catalogue, one builder per model.

Every figure comes from the seed articles (000: pay-per-use at 5CA; 004: seven
charging models of Chinese customer-service outsourcers) or is a realistic value in
the range they give. Each builder returns the keyword arguments of an
:class:`~meterprice.examples.Example`; the invoices they lead to are worked out by
hand in ``tests/test_examples.py`` and on the pages of ``docs/models/``.

Timestamps carry the UTC offset of the contract's time zone (+01:00 for
Europe/Amsterdam in November and December, +08:00 for Asia/Shanghai), exactly as the
usage files next to the TOML documents write them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from meterprice.calendars import Calendar, DateRange, YearlyRange
from meterprice.components import (
    Commission,
    CommissionTier,
    DayRate,
    MatrixRate,
    Maximum,
    MinimumSpend,
    MinimumVolume,
    Percentage,
    PerUnit,
    ProjectFee,
    Quota,
    RecurringFee,
    SeatChange,
    Seats,
    SetupFee,
    Tier,
    Tiered,
)
from meterprice.contract import Contract
from meterprice.examples._agreement import full_outsourcing
from meterprice.metering import Meter
from meterprice.periods import Period
from meterprice.usage import Event

__all__ = ["BUILDERS"]

AMSTERDAM = dt.timezone(dt.timedelta(hours=1))  # Europe/Amsterdam in winter (CET)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai (CST, no daylight saving)

Model = dict[str, Any]


def _at(text: str, zone: dt.timezone) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def _months(year: int, *months: int) -> tuple[Period, ...]:
    return tuple(Period.month(year + (month - 1) // 12, (month - 1) % 12 + 1) for month in months)


# -- 000: pay-per-use at 5CA -------------------------------------------------------------------

EFIGS = ("en", "fr", "it", "de", "es")
GO_LIVE = dt.date(2026, 11, 16)


def _call(when: str, seconds: int, channel: str, language: str) -> Event:
    return Event(
        "handle_seconds",
        seconds,
        _at(when, AMSTERDAM),
        {"channel": channel, "language": language},
    )


def _task(when: str, minutes: int, task: str) -> Event:
    return Event("task_minutes", minutes, _at(when, AMSTERDAM), {"task": task})


def _hourly(name: str, task: str, rate: str) -> PerUnit:
    return PerUnit(
        name,
        metric="task_hours",
        rate=rate,
        where={"task": task},
        unit="h",
        tags={"hourly"},
        active={"start": GO_LIVE},
    )


def pay_per_use() -> Model:
    """000: per handled minute by language and channel, from go-live on 16 November."""
    live = {"start": GO_LIVE}
    contract = Contract(
        "5CA pay-per-use",
        "EUR",
        [
            SetupFee("Implementation", amount="6000.00 EUR", on="2026-11-02"),
            MatrixRate(
                "Phone",
                metric="handle_minutes",
                by=("language",),
                where={"channel": "phone"},
                prices=dict.fromkeys(EFIGS, "0.95 EUR"),
                default="1.25 EUR",
                unit="min",
                tags={"usage"},
                active=live,
            ),
            MatrixRate(
                "Written",
                description="Chat and e-mail",
                metric="handle_minutes",
                by=("language",),
                where={"channel": ["chat", "email"]},
                prices=dict.fromkeys(EFIGS, "0.80 EUR"),
                default="1.05 EUR",
                unit="min",
                tags={"usage"},
                active=live,
            ),
            MinimumVolume(
                "Minimum volume",
                metric="handle_minutes",
                quantity=200,
                rate="0.95 EUR",
                unit="min",
                tags={"usage"},
                active=live,
            ),
            _hourly("Escalation handling", "escalation", "45.00 EUR"),
            _hourly("Quality assurance", "qa", "40.00 EUR"),
            _hourly("Training", "training", "35.00 EUR"),
            _hourly("Content creation", "content", "50.00 EUR"),
            Percentage("Project management", percent=6, of={"usage"}, active=live),
        ],
        meters=[
            Meter(
                "handle_minutes",
                source="handle_seconds",
                from_unit="second",
                unit="minute",
                increment=6,
                group_by=["channel", "language"],
            ),
            Meter(
                "task_hours",
                source="task_minutes",
                from_unit="minute",
                unit="hour",
                increment=15,
                group_by=["task"],
            ),
        ],
        timezone="Europe/Amsterdam",
        term={"start": "2026-11-02"},
    ).amended(
        "2027-03-01",
        [
            MatrixRate(
                "Phone",
                metric="handle_minutes",
                by=("language",),
                where={"channel": "phone"},
                prices=dict.fromkeys(EFIGS, "0.98 EUR"),
                default="1.29 EUR",
                unit="min",
                tags={"usage"},
                active=live,
            )
        ],
        description="Phone rates from March 2027",
    )
    events = (
        # during implementation: a test call and the team's training, not billed per use
        _call("2026-11-10T14:00", 300, "phone", "de"),
        _task("2026-11-12T09:00", 120, "training"),
        # November from go-live
        _call("2026-11-16T09:05", 185, "phone", "de"),
        _call("2026-11-16T11:20", 1290, "chat", "en"),
        _call("2026-11-17T10:00", 421, "phone", "nl"),
        _call("2026-11-18T15:30", 900, "email", "fr"),
        _call("2026-11-20T09:45", 359, "phone", "it"),
        _call("2026-11-23T13:10", 1000, "chat", "pt"),
        _call("2026-11-25T16:00", 1, "phone", "en"),
        _call("2026-11-30T23:59", 240, "phone", "es"),
        _task("2026-11-18T16:00", 50, "escalation"),
        _task("2026-11-24T10:00", 90, "qa"),
        _task("2026-11-26T14:00", 100, "content"),
        # December
        _call("2026-12-01T00:30", 600, "phone", "en"),
        _call("2026-12-02T10:00", 2400, "chat", "de"),
        _call("2026-12-03T14:00", 1803, "email", "it"),
        _call("2026-12-04T09:00", 1195, "phone", "nl"),
        _call("2026-12-07T11:00", 1800, "chat", "fr"),
        _call("2026-12-09T15:00", 899, "phone", "de"),
        _call("2026-12-11T10:30", 1205, "email", "es"),
        _call("2026-12-14T16:00", 1500, "chat", "sv"),
        _call("2026-12-17T09:15", 455, "phone", "fr"),
        _call("2026-12-22T13:00", 2100, "chat", "en"),
        _call("2026-12-31T23:58", 305, "phone", "pt"),
        _task("2026-12-03T11:00", 20, "escalation"),
        _task("2026-12-08T09:00", 45, "training"),
        _task("2026-12-10T11:00", 35, "escalation"),
        _task("2026-12-15T09:00", 120, "qa"),
        _task("2026-12-21T14:00", 61, "content"),
        # January: in neither invoice
        _call("2027-01-01T00:10", 300, "phone", "de"),
    )
    return {
        "name": "pay_per_use",
        "title": "Pay-per-use support",
        "seed": "000",
        "summary": (
            "Per handled minute, only when agents work for the client: EFIGS languages "
            "cheaper than the others, phone dearer than chat and e-mail, each contact "
            "billed per started 6 seconds. A minimum of 200 minutes a month (prorated in "
            "the go-live month), the shortfall at 0.95 EUR a minute. Hourly fees for "
            "escalations, quality assurance, training and content creation (per started "
            "quarter hour). Project management at 6 % of the usage. A one-off "
            "implementation fee of 6,000 EUR; pay-per-use starts at go-live on "
            "16 November 2026."
        ),
        "contract": contract,
        "events": events,
        "periods": _months(2026, 11, 12),
    }


# -- 004 §1: a fixed fee per agent by nature ------------------------------------------------


def fixed_per_agent() -> Model:
    """004 §1: a monthly fee per agent by nature of the work, prorated by seat-days."""
    contract = Contract(
        "Fixed fee per agent",
        "CNY",
        [
            Seats(
                "Agents",
                fees={
                    "pre-sales": "2600.00 CNY",
                    "after-sales": "2300.00 CNY",
                    "early-morning": "3000.00 CNY",
                },
                schedule=[
                    SeatChange("2026-11-16", "pre-sales", 2),
                    SeatChange("2026-11-16", "after-sales", 1),
                    SeatChange("2026-12-01", "early-morning", 1),
                    SeatChange("2026-12-16", "pre-sales", 3),
                ],
                unit="agent",
            )
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-11-16"},
    )
    return {
        "name": "fixed_per_agent",
        "title": "Fixed monthly fee per agent",
        "seed": "004 §1",
        "summary": (
            "A fixed monthly fee per agent that depends on the nature of the work: "
            "pre-sales 2,600, after-sales 2,300 and early-morning 3,000 CNY per "
            "agent-month. Two pre-sales and one after-sales agent from 16 November "
            "2026, an early-morning agent from 1 December and a third pre-sales agent "
            "from 16 December; every change is prorated by days. The fee does not "
            "depend on usage, so there are no events."
        ),
        "contract": contract,
        "events": (),
        "periods": _months(2026, 11, 12),
    }


# -- 004 §2: base salary + commission on last month's sales -----------------------------------


def _sale(when: str, amount: str, category: str) -> Event:
    return Event("sales", amount, _at(when, SHANGHAI), {"category": category})


def base_plus_commission() -> Model:
    """004 §2: a base fee per agent plus a commission on the previous month's sales."""
    contract = Contract(
        "Base salary + commission",
        "CNY",
        [
            RecurringFee("Base salary", amount="1500.00 CNY", quantity=2, unit="agents"),
            Commission(
                "Sales commission",
                metric="sales",
                category="category",
                tiers=[CommissionTier("20000.00 CNY", 1), CommissionTier(None, "1.5")],
                rates={"custom": 3},
                basis="previous",
            ),
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-11-16"},
    )
    events = (
        # before the contract: the store's own sales, not the agents' performance
        _sale("2026-11-10T15:00", "5000.00", "ordinary"),
        # November from the start on the 16th: paid in December
        _sale("2026-11-16T10:00", "3200.00", "ordinary"),
        _sale("2026-11-18T14:30", "4500.00", "custom"),
        _sale("2026-11-21T20:15", "6800.00", "ordinary"),
        _sale("2026-11-25T11:00", "4000.00", "ordinary"),
        _sale("2026-11-28T16:45", "2500.00", "custom"),
        _sale("2026-11-30T22:10", "1500.00", "ordinary"),
        # December: paid in January
        _sale("2026-12-02T09:30", "9000.00", "ordinary"),
        _sale("2026-12-05T13:00", "6000.00", "custom"),
        _sale("2026-12-09T19:20", "7500.00", "ordinary"),
        _sale("2026-12-12T00:05", "12000.00", "ordinary"),
        _sale("2026-12-18T10:40", "3800.00", "custom"),
        _sale("2026-12-23T15:00", "2300.00", "ordinary"),
        _sale("2026-12-30T21:00", "1950.00", "ordinary"),
        # January: paid in February, on no invoice here
        _sale("2027-01-03T12:00", "4200.00", "ordinary"),
    )
    return {
        "name": "base_plus_commission",
        "title": "Base salary + commission",
        "seed": "004 §2",
        "summary": (
            "A base fee of 1,500 CNY per agent and month for two agents, plus a "
            "commission on the store's sales settled on the previous month's "
            "performance: 1 % of ordinary categories' sales up to 20,000 CNY and 1.5 % "
            "above, 3 % of customised categories' sales. The contract starts on "
            "16 November 2026: sales before it earn nothing."
        ),
        "contract": contract,
        "events": events,
        "periods": _months(2026, 11, 12, 13),
    }


# -- 004 §3: a monthly fee for a fixed amount of business ------------------------------------


def _count(metric: str, when: str, quantity: int, **dimensions: str) -> Event:
    return Event(metric, quantity, _at(when, SHANGHAI), dimensions)


def monthly_quota() -> Model:
    """004 §3: a fixed monthly fee that requires a volume of consultations."""
    contract = Contract(
        "Monthly fee with quota",
        "CNY",
        [
            Quota(
                "Monthly service",
                metric="consultations",
                required=6000,
                fee="18000.00 CNY",
                unit="consultations",
            )
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-11-16"},
    )
    events = tuple(
        _count("consultations", when, quantity)
        for when, quantity in (
            # the help desk's weekly counts, cut at the end of the month
            ("2026-11-22T23:00", 1380),
            ("2026-11-29T23:00", 1410),
            ("2026-11-30T23:00", 150),
            ("2026-12-06T23:00", 1150),
            ("2026-12-13T23:00", 1420),
            ("2026-12-20T23:00", 1460),
            ("2026-12-27T23:00", 1390),
            ("2026-12-31T23:00", 880),
        )
    )
    return {
        "name": "monthly_quota",
        "title": "Monthly fee with a quota",
        "seed": "004 §3",
        "summary": (
            "A fixed fee of 18,000 CNY a month for which the provider must handle "
            "6,000 consultations; each missing consultation is credited at "
            "18,000 / 6,000 = 3 CNY on its own line. The contract starts on "
            "16 November 2026, so November's fee and quota are prorated to 15/30."
        ),
        "contract": contract,
        "events": events,
        "periods": _months(2026, 11, 12),
    }


# -- 004 §4: day rates for peak periods with a monthly fee ------------------------------------


def peak_day_rates() -> Model:
    """004 §4: a monthly fee plus agents booked by the day for Double 11, Double 12
    and a product launch.
    """
    contract = Contract(
        "Monthly fee + peak day rates",
        "CNY",
        [
            RecurringFee("Monthly service", amount="2300.00 CNY", quantity=2, unit="agents"),
            DayRate(
                "Peak support",
                calendar=Calendar(
                    [
                        YearlyRange("Double 11", "11-01", "11-11"),
                        YearlyRange("Double 12", "12-01", "12-12"),
                        DateRange("New product launch", "2026-12-18", "2026-12-20"),
                    ]
                ),
                rate="280.00 CNY",
                metric="peak_agents",
            ),
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-10-20"},
    )
    bookings = [
        *((f"2026-11-{day:02d}", 3) for day in range(1, 11)),
        ("2026-11-11", 6),
        *((f"2026-12-{day:02d}", 2) for day in range(1, 12)),
        ("2026-12-12", 4),
        *((f"2026-12-{day}", 2) for day in (18, 19, 20)),
    ]
    events = tuple(
        _count("peak_agents", f"{day}T08:00", agents, day=day) for day, agents in bookings
    )
    return {
        "name": "peak_day_rates",
        "title": "Monthly fee + day rates for peak periods",
        "seed": "004 §4",
        "summary": (
            "Two after-sales agents at 2,300 CNY each a month from 20 October 2026 "
            "(prorated in October), plus extra agents booked by the day at 280 CNY per "
            "agent-day for the Double 11 (1-11 November) and Double 12 (1-12 December) "
            "promotions, every year, and for a new product launch on 18-20 December "
            "2026."
        ),
        "contract": contract,
        "events": events,
        "periods": _months(2026, 10, 11, 12),
    }


# -- 004 §5: per consultation ------------------------------------------------------------------


def per_consultation() -> Model:
    """004 §5: graduated rates per consultation handled, with a minimum monthly spend."""
    contract = Contract(
        "Per consultation",
        "CNY",
        [
            Tiered(
                "Consultations",
                metric="consultations",
                tiers=[
                    Tier(500, "3.50 CNY"),
                    Tier(2000, "3.00 CNY"),
                    Tier(None, "2.50 CNY"),
                ],
                unit="consultations",
                tags={"usage"},
            ),
            MinimumSpend("Minimum monthly spend", amount="1000.00 CNY", of={"usage"}, prorate=True),
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-11-16"},
    )
    events = tuple(
        _count("consultations", when, quantity)
        for when, quantity in (
            ("2026-11-22T23:00", 58),
            ("2026-11-29T23:00", 54),
            ("2026-11-30T23:00", 8),
            ("2026-12-06T23:00", 390),
            ("2026-12-13T23:00", 520),
            ("2026-12-20T23:00", 560),
            ("2026-12-27T23:00", 470),
            ("2026-12-31T23:00", 240),
        )
    )
    return {
        "name": "per_consultation",
        "title": "Per consultation",
        "seed": "004 §5",
        "summary": (
            "Paid by reception capacity: every consultation handled is paid, at "
            "graduated rates of 3.50 CNY for the first 500 a month, 3.00 CNY up to "
            "2,000 and 2.50 CNY above. A minimum monthly spend of 1,000 CNY "
            "(prorated in the first, partial month from 16 November 2026) keeps a "
            "small client worth serving."
        ),
        "contract": contract,
        "events": events,
        "periods": _months(2026, 11, 12),
    }


# -- 004 §6: per converted order ---------------------------------------------------------------


def per_order() -> Model:
    """004 §6: a fee per converted order by industry, capped per month."""
    contract = Contract(
        "Per converted order",
        "CNY",
        [
            MatrixRate(
                "Converted orders",
                metric="orders",
                by="industry",
                prices={
                    "apparel": "4.00 CNY",
                    "electronics": "8.00 CNY",
                    "food": "2.50 CNY",
                },
                unit="orders",
                tags={"usage"},
            ),
            Maximum("Monthly cap", amount="12000.00 CNY", of={"usage"}, prorate=True),
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-11-16"},
    )
    events = tuple(
        _count("orders", when, quantity, industry=industry)
        for when, industry, quantity in (
            ("2026-11-22T23:00", "apparel", 310),
            ("2026-11-22T23:00", "electronics", 120),
            ("2026-11-22T23:00", "food", 200),
            ("2026-11-29T23:00", "apparel", 295),
            ("2026-11-29T23:00", "electronics", 135),
            ("2026-11-29T23:00", "food", 230),
            ("2026-11-30T23:00", "apparel", 40),
            ("2026-12-06T23:00", "apparel", 350),
            ("2026-12-06T23:00", "electronics", 180),
            ("2026-12-13T23:00", "apparel", 410),
            ("2026-12-13T23:00", "electronics", 240),
            ("2026-12-13T23:00", "food", 260),
            ("2026-12-20T23:00", "apparel", 520),
            ("2026-12-20T23:00", "electronics", 300),
            ("2026-12-27T23:00", "apparel", 380),
            ("2026-12-27T23:00", "electronics", 210),
            ("2026-12-27T23:00", "food", 250),
        )
    )
    return {
        "name": "per_order",
        "title": "Per converted order",
        "seed": "004 §6",
        "summary": (
            "Only orders the agents convert are paid, at a rate set by the industry "
            "(and its usual conversion rate): apparel 4.00, consumer electronics 8.00, "
            "food 2.50 CNY per order. To protect the client the fees are capped at "
            "12,000 CNY a month (prorated in the first month from 16 November 2026)."
        ),
        "contract": contract,
        "events": events,
        "periods": _months(2026, 11, 12),
    }


# -- 004 §7: billing by project ----------------------------------------------------------------

PROJECT_TIERS = {"small": "5000.00 CNY", "medium": "9000.00 CNY", "large": "14000.00 CNY"}


def project_billing() -> Model:
    """004 §7: a monthly project fee by scale x difficulty x timeliness, within
    5,000-20,000 CNY, for an urgent launch phase and then steady operation.
    """
    contract = Contract(
        "Project billing",
        "CNY",
        [
            ProjectFee(
                "Launch phase",
                tiers=PROJECT_TIERS,
                tier="large",
                factors={"difficulty": "1.2", "timeliness": "1.5"},
                minimum="5000.00 CNY",
                maximum="20000.00 CNY",
                active={"end": "2026-12-16"},
            ),
            ProjectFee(
                "Steady operation",
                tiers=PROJECT_TIERS,
                tier="medium",
                factors={"difficulty": "1.2", "timeliness": "1"},
                minimum="5000.00 CNY",
                maximum="20000.00 CNY",
                active={"start": "2026-12-16"},
            ),
        ],
        timezone="Asia/Shanghai",
        term={"start": "2026-11-16"},
    )
    return {
        "name": "project_billing",
        "title": "Billing by project",
        "seed": "004 §7",
        "summary": (
            "A monthly fee of 5,000-20,000 CNY set by the project's scale (small 5,000, "
            "medium 9,000, large 14,000 CNY) times its difficulty and timeliness. A "
            "large, difficult and urgent launch from 16 November 2026 to 15 December "
            "(14,000 x 1.2 x 1.5 = 25,200, capped at 20,000), then steady operation as "
            "a medium project (9,000 x 1.2 x 1 = 10,800); each phase is prorated by "
            "days. The fee does not depend on usage, so there are no events."
        ),
        "contract": contract,
        "events": (),
        "periods": _months(2026, 11, 12),
    }


#: The builders in seed order: 000, then 004 §1 to §7, then the full agreement.
BUILDERS = (
    pay_per_use,
    fixed_per_agent,
    base_plus_commission,
    monthly_quota,
    peak_day_rates,
    per_consultation,
    per_order,
    project_billing,
    full_outsourcing,
)
