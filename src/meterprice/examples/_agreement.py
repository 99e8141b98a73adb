"""The full outsourcing agreement of the catalogue: the clauses real agreements add to
pay-per-use, over a year of sample usage.

Pay-per-use by language, escalated 3 % on each 1 July; a holiday premium on the
contract's own holidays; a minimum monthly fee; a forecast band on the calls
offered; service-level credits capped at 10 % of the monthly fee, with a bonus, and
relieved when the client sends more calls than its forecast band. The figures are
realistic and round, so that every invoice can be checked by hand (see
``tests/test_agreement.py`` and ``docs/models/full-outsourcing.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from meterprice.calendars import Calendar, DateRange, YearlyRange
from meterprice.components import (
    CreditBand,
    Escalator,
    ForecastBand,
    HolidayPremium,
    Kpi,
    MatrixRate,
    MinimumSpend,
    ServiceCredits,
    VolumeForecast,
)
from meterprice.contract import Contract
from meterprice.metering import Meter
from meterprice.periods import Period
from meterprice.tax import Tax, TaxRate
from meterprice.usage import Event

__all__ = ["full_outsourcing"]

WINTER = dt.timezone(dt.timedelta(hours=1))  # Europe/Amsterdam, CET
SUMMER = dt.timezone(dt.timedelta(hours=2))  # Europe/Amsterdam, CEST (29 March - 25 October)

#: Per month: the day its usage is logged, handled minutes in de, fr and en, calls
#: offered, answered within 20 s and abandoned, and the client's forecast of calls
#: offered with the staffed hours it needs.
MONTHS: tuple[tuple[int, ...], ...] = (
    # month, day, de, fr, en, offered, answered_20s, abandoned, forecast, hours
    (1, 20, 1500, 1000, 1500, 3000, 2550, 90, 6200, 930),
    (2, 15, 4000, 3000, 5000, 6000, 5100, 180, 6000, 900),
    (3, 15, 4000, 3000, 5000, 6000, 4080, 540, 6000, 900),
    (4, 15, 4000, 3000, 5000, 6000, 5100, 180, 6000, 900),
    (5, 15, 4000, 3000, 5000, 6000, 5100, 180, 6000, 900),
    (6, 15, 4000, 3000, 5000, 6000, 4620, 180, 6000, 900),
    (7, 15, 4000, 3000, 5000, 6000, 5100, 180, 6000, 900),
    (8, 15, 3000, 2250, 3750, 4500, 3825, 135, 6000, 900),
    (9, 15, 4000, 3000, 5000, 6000, 5100, 180, 6000, 900),
    (10, 15, 4000, 3000, 5000, 6000, 5460, 180, 6000, 900),
    (11, 15, 4800, 3600, 6000, 7200, 5184, 216, 6000, 900),
    (12, 15, 4000, 3000, 5000, 6000, 5100, 180, 6000, 900),
)

#: Minutes handled on the contract's holidays, on top of the monthly totals.
HOLIDAY_MINUTES = (
    ("2026-04-06T12:00", "de", 200),  # Easter Monday
    ("2026-12-25T12:00", "en", 300),  # Christmas Day
    ("2026-12-26T12:00", "fr", 100),  # Boxing Day
)


def _zone(month: int) -> dt.timezone:
    return SUMMER if 4 <= month <= 10 else WINTER


def _at(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=_zone(moment.month))


def _events() -> tuple[Event, ...]:
    events: list[Event] = []
    for month, day, de, fr, en, offered, answered, abandoned, _, _ in MONTHS:
        at = _at(f"2026-{month:02d}-{day:02d}T12:00")
        events.extend(
            Event("handle_minutes", minutes, at, {"language": language})
            for language, minutes in (("de", de), ("fr", fr), ("en", en))
        )
        events.append(Event("calls_offered", offered, at))
        events.append(Event("calls_answered_20s", answered, at))
        events.append(Event("calls_abandoned", abandoned, at))
    events.extend(
        Event("handle_minutes", minutes, _at(when), {"language": language})
        for when, language, minutes in HOLIDAY_MINUTES
    )
    return tuple(sorted(events, key=lambda event: event.at))


HOLIDAYS = Calendar(
    [
        YearlyRange("New Year's Day", "01-01", "01-01"),
        DateRange("Easter Monday", "2026-04-06", "2026-04-06"),
        DateRange("King's Day", "2026-04-27", "2026-04-27"),
        YearlyRange("Christmas", "12-25", "12-26"),
    ]
)


def full_outsourcing() -> dict[str, Any]:
    """The full outsourcing agreement: a year of invoices from 16 January 2026."""
    usage = {"usage"}
    contract = Contract(
        "Full outsourcing agreement",
        "EUR",
        [
            Escalator(
                "Handled minutes",
                component=MatrixRate(
                    "Handled minutes",
                    metric="handle_minutes",
                    by=("language",),
                    prices={"de": "1.10 EUR", "fr": "1.05 EUR", "en": "0.95 EUR"},
                    default="1.25 EUR",
                    unit="min",
                ),
                anniversary="2025-07-01",
                percent="3",
                round_at="rate",
                places=4,
                tags=usage,
            ),
            HolidayPremium(
                "Holiday premium",
                metric="handle_minutes",
                calendar=HOLIDAYS,
                premium="0.50 EUR",
                unit="min",
                tags=usage,
            ),
            MinimumSpend(
                "Minimum monthly fee",
                amount="10000.00 EUR",
                of=usage,
                prorate=True,
                tags=usage,
            ),
            ForecastBand(
                "Forecast band",
                metric="calls_offered",
                tolerance="15",
                rate="28.00 EUR",
                unit="calls",
                forecasts=[
                    VolumeForecast(str(Period.month(2026, month)), volume=forecast, hours=hours)
                    for month, *_, forecast, hours in MONTHS
                ],
                tags={"forecast"},
            ),
            ServiceCredits(
                "Service levels",
                of=usage,
                cap_percent="10",
                relieved_by={"forecast-exceeded"},
                kpis=[
                    Kpi(
                        "Service level 80/20",
                        metric="calls_answered_20s",
                        ratio_of="calls_offered",
                        percent=True,
                        better="higher",
                        bands=[
                            CreditBand("< 80", credit_percent="3"),
                            CreditBand("< 70", credit_percent="6"),
                            CreditBand(">= 90", bonus_percent="1"),
                        ],
                    ),
                    Kpi(
                        "Abandonment",
                        metric="calls_abandoned",
                        ratio_of="calls_offered",
                        percent=True,
                        better="lower",
                        bands=[
                            CreditBand("> 5", credit_percent="2"),
                            CreditBand("> 8", credit_percent="5"),
                        ],
                    ),
                ],
            ),
        ],
        meters=[
            Meter("handle_minutes", group_by=["language"]),
            Meter("calls_offered", group_by=[]),
            Meter("calls_answered_20s", group_by=[]),
            Meter("calls_abandoned", group_by=[]),
        ],
        timezone="Europe/Amsterdam",
        term={"start": "2026-01-16"},
        tax=Tax([TaxRate("standard", percent="21")], name="VAT"),
    )
    return {
        "name": "full_outsourcing",
        "title": "Full outsourcing agreement",
        "seed": "ours",
        "summary": (
            "Pay-per-use by language (de 1.10, fr 1.05, en 0.95, others 1.25 EUR a "
            "minute), escalated 3 % on each 1 July; a 0.50 EUR premium a minute on the "
            "contract's holidays; a minimum of 10,000 EUR a month; a forecast band of "
            "+-15 % on the calls offered (unused staffed hours at 28.00 EUR); "
            "service-level credits capped at 10 % of the month's fees, a bonus above a "
            "90 % service level, and no credits in a month above the forecast band; "
            "VAT at 21 % on the net. "
            "From 16 January 2026, a year of usage."
        ),
        "contract": contract,
        "events": _events(),
        "periods": tuple(Period.month(2026, month) for month in range(1, 13)),
    }
