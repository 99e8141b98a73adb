"""The document types of the clauses outsourced-support contracts carry: service-level
credits and bonuses (and the escalators, holiday premiums and forecast bands beside them).
"""

from __future__ import annotations

from meterprice.components.escalators import Escalator, IndexValue
from meterprice.components.forecasts import ForecastBand, VolumeForecast
from meterprice.components.premiums import HolidayPremium
from meterprice.components.service_credits import CreditBand, Kpi, ServiceCredits
from meterprice.spec import _components  # noqa: F401  (the library's types come first)
from meterprice.spec._registry import register_component, register_structure

__all__: list[str] = []

register_structure(
    CreditBand,
    docs={
        "when": 'The comparison the figure meets to fall in the band: "< 80", ">= 95".',
        "credit_percent": "The credit, a percentage of the fees of the lines of.",
        "credit": "A fixed credit.",
        "bonus_percent": "The bonus, a percentage of the fees of the lines of.",
        "bonus": "A fixed bonus.",
    },
)
register_structure(
    Kpi,
    docs={
        "name": "The figure's name, shown on its lines.",
        "better": "higher (a service level) or lower (an average speed of answer).",
        "bands": 'The bands, [{ when = "< 80", credit_percent = "5" }, ...].',
        "metric": "Measure the figure from this metric's usage (a mean, a share, a total).",
        "where": "Only the usage whose dimensions match.",
        "ratio_of": "Divide by this metric's usage: the ratio of two counts.",
        "value": "The figure as given (a survey's score), instead of a metric.",
        "percent": "Show and compare the figure, a share, as a percentage (0.8 is 80).",
        "unit": 'The unit shown after the figure ("s").',
        "unmeasured": (
            "error (the default) or no_credit: what a period without usage of the metric gives."
        ),
    },
)
register_component(
    ServiceCredits,
    docs={
        "kpis": "The figures: [[components.kpis]] tables with name, better, bands, ...",
        "of": "Tags of the earlier lines whose fees the percentages and caps take.",
        "cap_percent": "The most credit per period, a percentage of those fees.",
        "cap": "The most credit per period, an amount (with cap_percent: the smaller).",
        "bonus_cap_percent": "The most bonus per period, a percentage of those fees.",
        "bonus_cap": "The most bonus per period, an amount.",
        "relieved_by": "Tags of earlier lines that, when present, waive the period's credits.",
        "earn_back_periods": "A credit is earned back when this many periods after it meet target.",
        "earn_back_percent": "The share of a credit earned back (default 100).",
    },
)

register_structure(
    IndexValue,
    docs={"on": "The date the value is published for.", "value": "The index value (positive)."},
)
register_component(
    Escalator,
    docs={
        "component": "The escalated component, a table with its own type (no tags or active).",
        "anniversary": "The date the contract years count from; each anniversary steps.",
        "percent": "The yearly uplift in percent.",
        "index": 'Index values instead: [{ on = 2026-01-01, value = "118.4" }, ...].',
        "floor": "The least yearly change of the index, in percent.",
        "cap": "The most yearly change of the index, in percent.",
        "compound": "Whether yearly percentages compound (default true).",
        "round_at": "Where rounding happens: line (default), rate or factor.",
        "places": "With round_at rate or factor: the decimals they are rounded to.",
    },
)
register_component(
    HolidayPremium,
    docs={
        "country": 'Public holidays of this country (the holidays package): "DE".',
        "subdivision": 'And of this region of it: "BY".',
        "calendar": "The contract's own holidays instead: { ranges = [...] }.",
        "premium": "The holiday premium per unit.",
        "multiplier": "Or the holiday rate as a multiple of rate (1.5: 50 % more).",
        "rate": "The base rate the multiplier multiplies.",
        "band_premiums": 'Out-of-hours premiums per unit by band: { night = "0.20" }.',
        "band_dimension": 'The dimension naming the time band (default "band").',
        "on_holidays": (
            "replace (default: the holiday premium instead of the band's), max (the larger) "
            "or add (both)."
        ),
    },
)
register_structure(
    VolumeForecast,
    docs={
        "period": 'The billing period forecast: "2026-11".',
        "volume": "The volume of the metric forecast.",
        "hours": "The staffed hours that volume requires.",
    },
)
register_component(
    ForecastBand,
    docs={
        "forecasts": 'The forecasts: [{ period = "2026-11", volume = "12000", hours = "610" }].',
        "tolerance": "The band around the forecast, in percent (15 for +-15 %).",
        "above": "A different band above the forecast, in percent (default tolerance).",
        "rate": "Under-delivery: each unused staffed hour below the band's edge at this rate.",
        "minimum_rate": "Or the fees of of lifted to the forecast's hours at this rate.",
        "of": "With minimum_rate: tags of the earlier lines the minimum lifts.",
        "relief_tag": 'The tag of the over-delivery line (default "forecast-exceeded").',
        "missing": "error (default) or ignore: a period without a forecast.",
    },
)
