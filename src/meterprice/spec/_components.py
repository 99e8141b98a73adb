"""The library's own document types: meters, windows, tiers and every component.

Each component class is registered under its snake_case ``type`` tag; a field whose
document shape differs from what its type annotation implies gets a small handler
here (a matrix price table keyed by tuples of dimension values, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from meterprice import _decimal as d
from meterprice.bands import WEEKDAYS, Band, TimeBands
from meterprice.calendars import Calendar, DateRange, RuleRange, YearlyRange
from meterprice.components import (
    Commission,
    CommissionTier,
    DayRate,
    Discount,
    MatrixRate,
    Maximum,
    MinimumSpend,
    MinimumVolume,
    Package,
    Percentage,
    PercentageCharge,
    PerUnit,
    ProjectFee,
    ProratedUnits,
    Quota,
    RecurringFee,
    SeatChange,
    Seats,
    SetupFee,
    Tier,
    Tiered,
)
from meterprice.components.matrix import MAX_PRICES
from meterprice.exchange import Conversion, ExchangeRate
from meterprice.metering import Meter
from meterprice.payment import PaymentTerms, PromptDiscount
from meterprice.periods import Window
from meterprice.spec._errors import Path, show
from meterprice.spec._registry import register_component, register_structure
from meterprice.spec._types import (
    INVALID,
    Context,
    Handler,
    MoneyHandler,
    MonthDayHandler,
    Options,
    wrong_type,
)
from meterprice.tax import Tax, TaxRate

__all__: list[str] = []

register_structure(
    Window,
    docs={"start": "The first day (included).", "end": "The day after the last (excluded)."},
)

register_structure(
    PromptDiscount,
    docs={
        "days": "Paid within this many days of the invoice date (included).",
        "percent": 'The discount on the total, as a percentage ("0.3" for 0.3 %).',
    },
)

register_structure(
    PaymentTerms,
    docs={
        "net_days": "The total is due this many days after the invoice date (net 45).",
        "discounts": (
            "Prompt-payment discounts, earliest first, each smaller than the one before: "
            '[{days = 5, percent = "0.3"}, {days = 10, percent = "0.1"}].'
        ),
    },
)

_DAY_GROUPS = {
    "all": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
}
_DAY_NAMES = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    **{
        name: number
        for number, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}


class DaysHandler(Handler):
    """Days of the week: ``"weekend"``, ``"weekdays"``, ``"all"``, a day (``"sat"``,
    ``"saturday"``, ``5``) or a list of days.
    """

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if isinstance(value, str) and value.strip().lower() in _DAY_GROUPS:
            return _DAY_GROUPS[value.strip().lower()]
        items = value if isinstance(value, list) else [value]
        if not items:
            return ctx.report(path, "must name at least one day (got [])", value)
        days: set[int] = set()
        ok = True
        for index, item in enumerate(items):
            where = (*path, index) if isinstance(value, list) else path
            if isinstance(item, str) and item.strip().lower() in _DAY_NAMES:
                days.add(_DAY_NAMES[item.strip().lower()])
            elif type(item) is int and 0 <= item <= 6:
                days.add(item)
            else:
                ctx.report(
                    where,
                    'must be a day of the week ("mon" ... "sun", "monday" ..., or 0 = '
                    f"Monday to 6 = Sunday), or weekdays, weekend, all (got {show(item)})",
                    item,
                )
                ok = False
        return frozenset(days) if ok else INVALID

    def unstructure(self, value: Any, options: Options) -> object:
        for name, group in _DAY_GROUPS.items():
            if value == group:
                return name
        return [WEEKDAYS[day] for day in sorted(value)]

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        day = {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0, "maximum": 6}]}
        return {"anyOf": [day, {"type": "array", "items": day, "minItems": 1}]}


register_structure(
    Band,
    fields={"days": DaysHandler()},
    docs={
        "name": "The band's name, the value of the dimension it sets.",
        "start": 'When the band starts ("22:00"), included; default 00:00.',
        "end": (
            'When it ends ("06:00"), excluded; not after start means it runs past '
            'midnight; "24:00" is the midnight that ends the day.'
        ),
        "days": (
            'The days on which the band starts: "weekdays", "weekend", "all" (the '
            'default), a day ("sat") or a list of days.'
        ),
    },
)


def _bands_in_contract_zone(table: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    """Time bands read timestamps in the contract's time zone unless they say otherwise."""
    if "timezone" not in table and ctx.timezone is not None:
        return {**table, "timezone": ctx.timezone}
    return table


register_structure(
    TimeBands,
    docs={
        "bands": "The bands, first match wins ([[meters.bands.bands]] or a list of tables).",
        "timezone": "The time zone of the wall-clock times (default: the contract's).",
        "default": 'The band of every time no band covers (default "day").',
        "dimension": 'The dimension the band is written to (default "band").',
    },
    prepare=_bands_in_contract_zone,
)

register_structure(
    Meter,
    docs={
        "name": "The billable metric this meter produces, which components price.",
        "source": "The metric of the raw events it reads (default: its own name).",
        "aggregation": (
            "How the events of a group fold into a quantity: sum, count, max, latest, "
            "distinct, mean or share (default sum)."
        ),
        "condition": 'With share: the events whose quantity meets this count ("<= 20").',
        "matching": (
            'With share: the events whose dimensions match count ({ outcome = "abandoned" }).'
        ),
        "unit": "The unit the quantity is converted to (second, minute, hour, day).",
        "from_unit": "The unit of the events' quantities, converted to unit.",
        "increment": (
            "Each event's quantity is rounded up to a multiple of this, in the source "
            "unit (6 for 6-second billing, 60 for per started minute)."
        ),
        "minimum": "Each event counts at least this much, in the source unit.",
        "group_by": ("The dimensions the usage keeps (default: all of each event's dimensions)."),
        "where": "Only events whose dimensions match count.",
        "distinct": "With aggregation distinct: the dimension whose distinct values are counted.",
        "allow_negative": "Whether negative quantities (credits) are accepted.",
        "bands": (
            'Time bands that add a dimension (band = "night", "weekend", ...) to each '
            "event from its timestamp."
        ),
    },
)

register_structure(
    Tier,
    docs={
        "up_to": (
            "The tier covers quantities up to and including this; left out in the last, "
            "open-ended tier."
        ),
        "rate": "The price per unit in this tier.",
        "flat": "A fixed amount added once the tier is reached.",
    },
)


def _bound(tier: object) -> object:
    """A raw tier's ``up_to`` as a positive decimal, ``None`` when left out, or
    INVALID when it is unusable (which the tier's own fields report).
    """
    if not isinstance(tier, Mapping):
        return INVALID
    raw = tier.get("up_to")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return INVALID
    try:
        bound = d.to_decimal(raw)
    except (ValueError, TypeError, ArithmeticError):
        return INVALID
    return bound if bound > 0 else INVALID


def _check_tiers(kwargs: dict[str, Any], raw: Mapping[str, Any], path: Path, ctx: Context) -> None:
    """Every tier problem at once, from the document itself so that a bad value in one
    tier does not hide the order of the others: bounds that do not increase, an open
    tier that is not the last, a last tier that is not open.
    """
    tiers = raw.get("tiers")
    if not isinstance(tiers, list):
        return  # reported as the wrong type
    if not tiers:
        ctx.report((*path, "tiers"), "must list at least one tier (got [])", [])
        return
    bounds = [_bound(tier) for tier in tiers]
    previous: Any = 0
    for index, bound in enumerate(bounds):
        where: Path = (*path, "tiers", index)
        if bound is INVALID:
            continue
        if bound is None:
            if index != len(bounds) - 1:
                ctx.report(
                    where,
                    "has no up_to, so it must be the last tier (only the last tier is open-ended)",
                    ctx.lookup(where),
                )
            continue
        if bound <= previous:
            ctx.report(
                (*where, "up_to"),
                f"must be greater than {previous} (got {bound})",
                ctx.lookup((*where, "up_to")),
            )
        previous = bound
    last = bounds[-1]
    if last is not None and last is not INVALID:
        where = (*path, "tiers", len(bounds) - 1, "up_to")
        ctx.report(
            where,
            f"the last tier must be open-ended: leave out its up_to (got {last})",
            ctx.lookup(where),
        )


register_component(
    PerUnit,
    docs={"rate": "The price of one unit of the metric, in the contract currency."},
)
register_component(
    Tiered,
    docs={
        "tiers": (
            "The tiers in increasing order of up_to; the last has no up_to. A quantity "
            "exactly on a bound belongs to the lower tier."
        ),
        "mode": (
            "graduated: each unit at the rate of the tier it falls in; volume: every unit "
            "at the rate of the tier the total reaches (default graduated)."
        ),
        "flat_at_zero": "Whether the first tier's flat fee is charged even when nothing is used.",
    },
    check=_check_tiers,
)
register_component(
    Package,
    docs={
        "size": "Units per package; a started package counts as a whole one.",
        "price": "The price of one package.",
    },
)
register_component(
    RecurringFee,
    docs={
        "amount": "The fee per billing period (per unit of quantity).",
        "quantity": "How many (seats, licences); default 1.",
        "prorate": "Whether a partial period pays the share of days in effect (default true).",
    },
)
register_component(
    SetupFee,
    docs={
        "amount": "The one-off fee.",
        "on": "The date of the fee; it is invoiced in the period containing it.",
    },
)
register_component(
    Percentage,
    docs={
        "percent": 'The percentage, such as "6" for 6 %.',
        "of": "Tags of the earlier lines whose subtotal it takes; left out, every earlier line.",
    },
)
register_component(
    MinimumSpend,
    docs={
        "amount": "The floor on the subtotal per period.",
        "of": "Tags of the earlier lines the floor applies to; left out, every earlier line.",
        "prorate": (
            "Whether a partial period scales the floor by its share of days (default false)."
        ),
    },
)
register_component(
    MinimumVolume,
    docs={
        "quantity": "The minimum quantity of the metric per period.",
        "rate": "The price per unit of the shortfall.",
        "prorate": (
            "Whether a partial period scales the minimum by its share of days (default true)."
        ),
    },
)


# -- the components of the seed models -----------------------------------------------------


def _first(pair: tuple[tuple[str, ...], object]) -> tuple[str, ...]:
    return pair[0]


class PriceTableHandler(Handler):
    """Prices keyed by tuples of dimension values, written as tables nested in the
    order of ``by``: ``prices = { de = { phone = "1.10", chat = "0.90" } }`` (one level
    per dimension; with one dimension, ``prices = { de = "1.10", fr = "1.00" }``).
    """

    def structure(self, value: object, path: Path, ctx: Context) -> object:
        if not isinstance(value, Mapping):
            return ctx.report(path, wrong_type("a table of prices", value), value)
        pairs: list[tuple[tuple[str, ...], object]] = []
        if not self._walk(value, (), path, ctx, pairs=pairs, read={}):
            return ctx.report(
                path,
                f"has more than {MAX_PRICES:,} prices: at most {MAX_PRICES:,} are read",
                None,
            )
        if any(price is INVALID for _, price in pairs):
            return INVALID
        # canonical already (sorted, Money prices): the field's converter keeps it as is
        return tuple(sorted(pairs, key=_first))

    def _walk(
        self,
        node: Mapping[str, Any],
        keys: tuple[str, ...],
        path: Path,
        ctx: Context,
        *,
        pairs: list[tuple[tuple[str, ...], object]],
        read: dict[tuple[type, object], object],
    ) -> bool:
        """Collect the (values, price) pairs; False as soon as there are too many.

        Equal price texts are read once (``read``): a table repeats a few prices.
        """
        if not node:
            pairs.append((keys, ctx.report(path, "is an empty table: give prices in it", {})))
        for key, item in node.items():
            where = (*path, str(key))
            if isinstance(item, Mapping):
                if not self._walk(item, (*keys, str(key)), where, ctx, pairs=pairs, read=read):
                    return False
                continue
            if len(pairs) >= MAX_PRICES:
                return False
            seen = (type(item), item) if isinstance(item, (str, int)) else None
            price = read.get(seen, INVALID) if seen is not None else INVALID
            if price is INVALID:
                price = MoneyHandler().structure(item, where, ctx)
                if seen is not None and price is not INVALID:
                    read[seen] = price
            pairs.append(((*keys, str(key)), price))
        return True

    def unstructure(self, value: Any, options: Options) -> object:
        table: dict[str, Any] = {}
        for key, price in value:
            node = table
            for part in key[:-1]:
                node = node.setdefault(part, {})
            node[key[-1]] = str(price.amount)
        return table

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        money = MoneyHandler().schema(defs)
        defs.setdefault(
            "price_table",
            {
                "description": (
                    "Prices keyed by dimension values, one table level per dimension of by."
                ),
                "type": "object",
                "additionalProperties": {"anyOf": [money, {"$ref": "#/$defs/price_table"}]},
            },
        )
        return {"$ref": "#/$defs/price_table"}


register_component(
    MatrixRate,
    fields={"prices": PriceTableHandler()},
    docs={
        "by": "The dimensions whose values select a price, outermost table level first.",
        "prices": (
            "The price of one unit per combination of values: tables nested in the order "
            'of by, { de = { phone = "1.10" } }.'
        ),
        "default": "The price of a combination the table lacks (without it, an error).",
    },
)

register_structure(
    SeatChange,
    docs={
        "on": "The date from which the role has count seats.",
        "role": "The role (or shift) whose level changes.",
        "count": "The number of seats of the role from that date (0 ends them).",
    },
)
register_component(
    Seats,
    docs={
        "fees": 'The fee of one seat per period, by role: { presales = "2600.00" }.',
        "metric": "Read seat counts from this metric, grouped by the dimension by.",
        "by": 'The dimension naming the role in the usage (default "role").',
        "schedule": 'Dated seat changes: [{ on = 2026-11-16, role = "presales", count = 4 }].',
        "unit": 'The word for one seat on invoice lines (default "seat").',
    },
)

register_structure(
    CommissionTier,
    docs={
        "up_to": "The tier covers amounts up to this; left out in the last tier.",
        "percent": "The percentage in this tier.",
    },
)
register_component(
    Commission,
    docs={
        "metric": "The money-valued metric (sales), in the contract currency.",
        "percent": "The percentage for every category without a rate of its own.",
        "tiers": "Graduated percentage tiers for every category, instead of percent.",
        "category": "The dimension whose values select a rate.",
        "rates": (
            "Percentages by category value: a number, or a list of tiers "
            '({ custom = "5", standard = [{ up_to = "10000", percent = "1" }, ...] }).'
        ),
        "basis": "current: price this period's usage; previous: the previous period's.",
        "per_transaction": "The dimension identifying a transaction, for per-transaction rules.",
        "minimum": "The least commission per transaction.",
        "maximum": "The most commission per transaction.",
        "fixed_fee": "An amount added per transaction.",
        "transactions": "A metric counting transactions, for the fixed fee.",
    },
)

register_component(
    Quota,
    docs={
        "required": "The volume of the metric promised per period.",
        "fee": "The fee per period that requires that volume.",
        "max_credit": "The largest shortfall credit per period.",
        "max_credit_percent": "The largest shortfall credit as a percentage of the fee.",
        "bonus_rate": "A price per unit above the required volume.",
    },
)

register_structure(
    DateRange,
    docs={
        "name": "The range's name, shown on invoice lines.",
        "first": "The first day (included).",
        "last": "The last day (included).",
    },
)
register_structure(
    YearlyRange,
    fields={"start": MonthDayHandler(), "end": MonthDayHandler()},
    docs={
        "name": "The range's name, shown on invoice lines.",
        "start": 'The first day every year, MM-DD ("11-01"), included.',
        "end": 'The last day every year, MM-DD ("11-11"), included; may be in the next year.',
    },
)
register_structure(
    RuleRange,
    docs={
        "name": "The range's name, shown on invoice lines.",
        "rule": 'An iCalendar RRULE ("FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR").',
        "start": "The date the recurrence counts from.",
        "days": "Days per occurrence (default 1).",
    },
)
register_structure(
    Calendar,
    docs={
        "ranges": (
            "Named ranges of days: dated { name, first, last }, yearly { name, start, end } "
            "or by rule { name, rule, start, days }."
        )
    },
)
register_component(
    DayRate,
    docs={
        "calendar": "The days charged: { ranges = [...] }.",
        "rate": "The fee per day (per agent).",
        "agents": "How many agents per day (default 1).",
        "metric": "Read agents per day from this metric instead, by the dimension day_dimension.",
        "day_dimension": 'The dimension holding each booking\'s ISO date (default "day").',
    },
)

register_component(
    ProjectFee,
    docs={
        "tiers": 'The base fee per period by scale tier: { small = "5000.00", ... }.',
        "tier": "The scale tier of the project.",
        "factors": 'Multipliers applied in order: { difficulty = "1.2" }.',
        "minimum": "The fee is raised to at least this.",
        "maximum": "The fee is lowered to at most this.",
    },
)

register_component(
    Maximum,
    docs={
        "amount": "The cap on the subtotal per period.",
        "of": "Tags of the earlier lines the cap applies to; left out, every earlier line.",
        "prorate": "Whether a partial period scales the cap by its share of days.",
    },
)
register_component(
    Discount,
    docs={
        "percent": "A percentage off the subtotal.",
        "amount": "A fixed amount off the subtotal (never below zero).",
        "of": "Tags of the earlier lines discounted; left out, every earlier line.",
        "prorate": "Whether a partial period scales a fixed amount by its share of days.",
    },
)

# -- the tax clause (meterprice.tax) -----------------------------------------------------------
register_structure(
    TaxRate,
    docs={
        "name": 'The rate\'s name ("standard", "reduced"), unique in the clause.',
        "percent": 'The rate, such as "20" for 20 %.',
        "tags": (
            "The lines this rate taxes: those carrying any of these tags; left out, every "
            "line no earlier rate took (such a rate comes last)."
        ),
        "reverse_charge": (
            "No tax is charged: the line notes the base (the customer accounts for it)."
        ),
        "description": 'The text of the rate\'s tax line (default "VAT 20%").',
    },
)
register_structure(
    Tax,
    docs={
        "rates": "The rates, first match wins ([[tax.rates]] tables).",
        "name": 'The tax\'s name on its lines (default "VAT").',
        "prices": (
            "exclusive (the lines are net, the default) or inclusive (the lines include the tax)."
        ),
        "on": (
            "total (the rate times the sum of the rounded lines of each rate, rounded once; "
            "the default) or lines (each rounded line taxed and rounded, then summed)."
        ),
        "rounding": "How tax amounts are rounded (default: the contract's rounding).",
    },
)

# -- invoicing in another currency (meterprice.exchange) ---------------------------------------
register_structure(
    ExchangeRate,
    docs={
        "on": "The day from which the rate applies (until the next one in the table).",
        "rate": (
            "How many units of the invoice currency one unit of the contract currency "
            'is ("1.0832").'
        ),
    },
)
register_structure(
    Conversion,
    docs={
        "currency": 'The ISO 4217 code of the invoice currency ("USD").',
        "rates": "The table of exchange rates ([[conversion.rates]] tables).",
        "reference": (
            "Whose day's rate applies: period_end (the last day of the billing period, the "
            "default), invoice_date (the day the invoice is issued) or fixed (date)."
        ),
        "date": 'The day whose rate applies, with reference = "fixed".',
        "rounding": "How converted lines are rounded (default: the contract's rounding).",
    },
)

register_component(
    PercentageCharge,
    docs={
        "metric": "The money-valued metric whose amount each transaction has.",
        "per_transaction": "The dimension that identifies a transaction (kept by the meter).",
        "percent": 'The percentage of each paid amount, such as "1.5" for 1.5 %.',
        "fixed_fee": "A fee per paid transaction (free transactions pay none).",
        "free_transactions": "The first transactions of the period that are free.",
        "free_amount": "The first amount of the period that is free, used up in event order.",
        "minimum": "The least a paid transaction's percentage comes to.",
        "maximum": "The most a paid transaction's percentage comes to.",
        "fee_in_bounds": "Whether the fixed fee counts inside the minimum and maximum.",
        "order": (
            "A dimension whose values order the transactions (a timestamp or a sequence "
            "number); left out, the transaction identifiers order them."
        ),
    },
)

register_component(
    ProratedUnits,
    docs={
        "metric": "The metric of day-resolved readings (seats, licences) measured in unit-days.",
        "rate": "The price of one unit held for a whole period (or give tiers).",
        "tiers": "Tiers on the prorated quantity, as for tiered (or give rate).",
        "mode": "graduated or volume tiers (default graduated).",
        "tier_by": (
            "Which quantity chooses a volume tier: prorated (the default), end (the units "
            "held at the end) or peak (the most held on one day)."
        ),
        "readings": (
            "What a day's quantity is: level (the units held from that day, the default) "
            "or change (units added or removed from that day)."
        ),
        "unit": 'The unit shown on invoice lines ("seat", "licence"; default "unit").',
    },
    check=_check_tiers,
)
