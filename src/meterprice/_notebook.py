"""How results show in a notebook: the HTML of ``_repr_html_`` and the short text of
``repr`` for each result kind, in the one number format of :mod:`meterprice._html`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from meterprice import _html as h

if TYPE_CHECKING:
    from meterprice.analysis import Comparison, CostCurve, Forecast
    from meterprice.breakeven import BreakEven, CostFunction
    from meterprice.contract import Contract
    from meterprice.corrections import CreditNote
    from meterprice.invoice import Invoice, Line
    from meterprice.staffing import ChannelStaffing, MonthFigures, StaffingEstimate
    from meterprice.usage import Usage

#: Rows a usage table shows before it says how many more there are.
USAGE_ROWS = 50

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _count(number: int, word: str) -> str:
    """``1 line``, ``3 lines``."""
    return f"{number:,} {word}{'s' * (number != 1)}"


def _quantity_cell(line: Line) -> str:
    if line.quantity is None:
        return ""
    text = h.quantity(line.quantity)
    return f"{text} {line.unit}" if line.unit else text


def invoice_html(invoice: Invoice) -> str:
    """The lines of an invoice with their quantity, unit price and amount, and the total."""
    currency = invoice.currency
    rows = [
        (
            line.description,
            _quantity_cell(line),
            "" if line.unit_price is None else h.amount(line.unit_price.amount, currency),
            h.amount(line.amount.amount, currency),
        )
        for line in invoice.lines
    ]
    table = h.table(
        ("Description", "Quantity", "Unit price", "Amount"),
        rows,
        caption=f"{invoice.contract}: {invoice.period} ({currency.code})",
        right=(1, 2, 3),
        footer=("Total", h.amount(invoice.total.amount, currency)),
    )
    from meterprice.invoice import TAX_TAG  # noqa: PLC0415 - invoice imports this module

    if not any(TAX_TAG in line.tags for line in invoice.lines):
        return table
    # net + tax = gross (the total), as the text of the invoice says
    return h.Markup(
        table
        + h.paragraph(
            f"Net {h.amount(invoice.net.amount, currency)}, "
            f"tax {h.amount(invoice.tax.amount, currency)}, "
            f"gross {h.amount(invoice.gross.amount, currency)} {currency.code}"
        )
    )


def invoice_repr(invoice: Invoice) -> str:
    """``Invoice('Support', 2026-11, 3 lines, total 1,275.11 EUR)``."""
    return (
        f"Invoice({invoice.contract!r}, {invoice.period}, {_count(len(invoice.lines), 'line')}, "
        f"total {h.amount(invoice.total.amount, invoice.currency)} {invoice.currency.code})"
    )


def credit_note_html(note: CreditNote) -> str:
    """Each corrected line: what was billed, what is due now and the difference; the
    total, and the reason.
    """
    currency = note.currency
    rows = [
        (
            line.description,
            ""
            if line.quantity is None
            else h.quantity(line.quantity) + (f" {line.unit}" if line.unit else ""),
            "not billed" if line.original is None else h.amount(line.original.amount, currency),
            "not billed" if line.revised is None else h.amount(line.revised.amount, currency),
            h.amount(line.amount.amount, currency),
        )
        for line in note.lines
    ]
    title = {"credit": "Credit note", "debit": "Debit note", "none": "Correction"}[note.kind]
    of = f" to invoice {note.original}" if note.original else ""
    return h.Markup(
        h.table(
            ("Description", "Quantity", "Billed", "Due", "Difference"),
            rows,
            caption=f"{title}{of}: {note.contract}, {note.period} ({currency.code})",
            right=(1, 2, 3, 4),
            footer=("Total", h.amount(note.total.amount, currency)),
        )
        + h.paragraph(f"Reason: {note.reason}")
    )


def credit_note_repr(note: CreditNote) -> str:
    """``CreditNote('Support', 2026-11, debit, 1 line, total 38.00 EUR)``."""
    return (
        f"CreditNote({note.contract!r}, {note.period}, {note.kind}, "
        f"{_count(len(note.lines), 'line')}, "
        f"total {h.amount(note.total.amount, note.currency)} {note.currency.code})"
    )


def line_html(line: Line) -> str:
    """One line: what it prices, how, and its amount (the exact one too when rounded)."""
    currency = line.amount.currency
    rows = [("Component", line.component), ("Basis", line.basis)]
    if line.dimensions:
        rows.append(("Dimensions", str(line.dimensions)))
    if line.quantity is not None:
        rows.append(("Quantity", _quantity_cell(line)))
    if line.unit_price is not None:
        rows.append(("Unit price", h.amount(line.unit_price.amount, currency)))
    rows.append(("Amount", f"{h.amount(line.amount.amount, currency)} {currency.code}"))
    if line.exact != line.amount.amount:
        rows.append(("Exact amount", f"{h.amount(line.exact, currency)} {currency.code}"))
    if line.tags:
        rows.append(("Tags", ", ".join(sorted(line.tags))))
    return h.table(("", ""), rows, caption=line.description)


def line_repr(line: Line) -> str:
    """``Line('Minutes', 1,172.78 EUR)``."""
    currency = line.amount.currency
    return f"Line({line.description!r}, {h.amount(line.amount.amount, currency)} {currency.code})"


def comparison_html(comparison: Comparison) -> str:
    """Each scenario's total under each contract, and the cheapest."""
    currency = comparison.currency
    rows = [
        (
            scenario,
            *(
                h.amount(comparison.total(scenario, c).amount, currency)
                for c in comparison.contracts
            ),
            " = ".join(comparison.cheapest(scenario)),
        )
        for scenario in comparison.scenarios
    ]
    count = len(comparison.contracts)
    return h.table(
        ("scenario", *comparison.contracts, "cheapest"),
        rows,
        caption=f"Totals in {currency.code}",
        right=range(1, count + 1),
    )


def comparison_repr(comparison: Comparison) -> str:
    """``Comparison(3 contracts x 2 scenarios, EUR)``."""
    return (
        f"Comparison({_count(len(comparison.contracts), 'contract')} x "
        f"{_count(len(comparison.scenarios), 'scenario')}, {comparison.currency.code})"
    )


def cost_curve_html(curve: CostCurve) -> str:
    """The total at each volume and the effective rate per unit."""
    currency = curve.currency
    rows = [
        (
            h.quantity(volume),
            h.amount(total.amount, currency),
            "" if volume == 0 else h.amount(Fraction(total.amount) / Fraction(volume), currency),
        )
        for volume, total in zip(curve.volumes, curve.totals, strict=True)
    ]
    return h.table(
        (curve.metric, f"total ({currency.code})", f"per unit ({currency.code})"),
        rows,
        caption=f"{curve.contract}: total by {curve.metric} ({currency.code})",
        right=(0, 1, 2),
    )


def cost_curve_repr(curve: CostCurve) -> str:
    """``CostCurve('Support' by minutes, 5 volumes)``."""
    return (
        f"CostCurve({curve.contract!r} by {curve.metric}, {_count(len(curve.volumes), 'volume')})"
    )


def cost_function_html(function: CostFunction) -> str:
    """Each segment: from, to, the marginal rate per unit and the fixed part."""
    currency = function.currency
    rows = [
        (h.quantity(s), h.quantity(e), h.amount(m, currency), h.amount(c, currency))
        for s, e, m, c in function.segments
    ]
    return h.table(
        ("from", "to", f"per unit ({currency.code})", f"+ fixed ({currency.code})"),
        rows,
        caption=f"{function.contract}: cost by {function.metric} ({currency.code})",
        right=(0, 1, 2, 3),
    )


def cost_function_repr(function: CostFunction) -> str:
    """``CostFunction('Support' by minutes, 3 segments)``."""
    count = _count(len(function.segments), "segment")
    return f"CostFunction({function.contract!r} by {function.metric}, {count})"


def break_even_html(result: BreakEven) -> str:
    """Which contract is cheaper on each interval, and the break-even volumes."""
    first, second = result.first.contract, result.second.contract
    rows = [
        (h.quantity(start), h.quantity(end), "same cost" if name is None else name)
        for start, end, name in result.intervals
    ]
    volumes = ", ".join(h.quantity(v) for v in result.volumes) or "none in the range"
    return h.Markup(
        h.table(
            (f"{result.first.metric} from", "to", "cheaper"),
            rows,
            caption=f"{first} vs {second} by {result.first.metric}",
            right=(0, 1),
        )
        + h.paragraph(f"Break-even at {volumes}")
    )


def break_even_repr(result: BreakEven) -> str:
    """``BreakEven('A' vs 'B' by minutes at 6,666.666667)``."""
    volumes = ", ".join(h.quantity(v) for v in result.volumes) or "none"
    return (
        f"BreakEven({result.first.contract!r} vs {result.second.contract!r} "
        f"by {result.first.metric} at {volumes})"
    )


def forecast_html(forecast: Forecast) -> str:
    """The total of each period and of the whole forecast."""
    currency = forecast.currency
    rows = [(label, h.amount(total.amount, currency)) for label, total in forecast.by_period()]
    return h.table(
        ("period", f"total ({currency.code})"),
        rows,
        caption=f"{forecast.contract} ({currency.code})",
        right=(1,),
        footer=("total", h.amount(forecast.total.amount, currency)),
    )


def forecast_repr(forecast: Forecast) -> str:
    """``Forecast('Support', 12 periods, total 123,456.00 EUR)``."""
    return (
        f"Forecast({forecast.contract!r}, {_count(len(forecast.invoices), 'period')}, "
        f"total {h.amount(forecast.total.amount, forecast.currency)} {forecast.currency.code})"
    )


def _prices(money: tuple[tuple[str, object], ...]) -> str:
    shown = [str(value) for _, value in money[:3]]
    return ", ".join(shown) + (", ..." if len(money) > 3 else "")


def contract_html(contract: Contract) -> str:
    """The contract's terms and its components in pricing order."""
    rows = [
        (
            component.name,
            type(component).__name__,
            ", ".join(component.metrics),
            _prices(component.money_values),
            ", ".join(sorted(component.tags)),
        )
        for component in contract.components
    ]
    terms = (
        f"{contract.currency.code}, {contract.cycle} cycle, "
        f"{contract.rounding.name.lower().replace('_', '-')} rounding per line, "
        f"time zone {contract.timezone}"
    )
    if contract.term.start is not None or contract.term.end is not None:
        terms += f", term {contract.term}"
    if contract.unpriced == "ignore":
        terms += ", usage no component prices is ignored"
    return h.Markup(
        h.table(
            ("component", "kind", "metrics", "prices", "tags"),
            rows,
            caption=contract.name,
        )
        + h.paragraph(terms)
    )


def contract_repr(contract: Contract) -> str:
    """``Contract('Support', EUR, 3 components)``."""
    count = _count(len(contract.components), "component")
    return f"Contract({contract.name!r}, {contract.currency.code}, {count})"


def usage_html(usage: Usage) -> str:
    """Each metric and dimension values with its quantity over all days (the first
    :data:`USAGE_ROWS`), and the days it was used on.
    """
    items = list(usage.items())
    rows = [
        (metric, str(dims) if dims else "", h.quantity(quantity))
        for metric, dims, quantity in items[:USAGE_ROWS]
    ]
    out = h.table(("metric", "dimensions", "quantity"), rows, caption="Usage", right=(2,))
    notes = []
    if len(items) > USAGE_ROWS:
        notes.append(f"and {len(items) - USAGE_ROWS:,} more")
    days = usage.days
    if days:
        notes.append(f"used on {len(days):,} days, {min(days)} to {max(days)}")
    elif items:
        notes.append("undated (the usage of a whole period)")
    return h.Markup(out + "".join(h.paragraph(note) for note in notes))


def _channel_rows(channel: ChannelStaffing) -> list[tuple[str, ...]]:
    live = bool(channel.intervals) and channel.intervals[0].metrics is not None
    rows = []
    for row in channel.intervals:
        cells = [
            row.label,
            h.fixed(row.contacts, 2),
            f"{row.agents:,}",
            f"{row.scheduled_agents:,}",
        ]
        if live:
            metrics = row.metrics
            assert metrics is not None  # a live channel has queue figures everywhere
            wait = metrics.asa_seconds
            cells += [
                h.percent(metrics.service_level),
                h.percent(metrics.occupancy),
                "infinite" if wait is None else f"{h.fixed(wait, 1)} s",
            ]
        rows.append(tuple(cells))
    return rows


def channel_html(channel: ChannelStaffing) -> str:
    """Every interval of one channel's week: contacts, agents and, for live work,
    service level, occupancy and average speed of answer.
    """
    rows = _channel_rows(channel)
    headers = ["interval", "contacts", "agents", "scheduled"]
    if rows and len(rows[0]) > 4:
        headers += ["service level", "occupancy", "ASA"]
    return h.table(headers, rows, caption=channel.name, right=range(1, len(headers)))


def staffing_html(estimate: StaffingEstimate) -> str:
    """The week of every channel in one table, each channel's intervals folded."""
    rows = [
        (
            channel.name,
            h.fixed(channel.contacts(), 1),
            f"{channel.peak_agents():,}",
            h.fixed(channel.agent_hours(), 1),
            h.fixed(channel.paid_hours(), 1),
            h.percent(channel.occupancy()),
        )
        for channel in estimate.channels
    ]
    summary = h.table(
        ("channel", "contacts", "peak agents", "agent hours", "paid hours", "occupancy"),
        rows,
        caption=f"Staffing, typical week (shrinkage {h.percent(estimate.shrinkage)})",
        right=(1, 2, 3, 4, 5),
        footer=(
            "week",
            h.fixed(estimate.agent_hours, 1),
            h.fixed(estimate.paid_hours, 1),
            h.percent(estimate.occupancy),
        ),
    )
    folded = "".join(
        h.details(
            f"{channel.name}: {_count(len(channel.intervals), 'interval')}", channel_html(channel)
        )
        for channel in estimate.channels
    )
    return h.Markup(summary + folded)


def staffing_repr(estimate: StaffingEstimate) -> str:
    """``StaffingEstimate(phone, email; 1,234.5 paid hours a week)``."""
    names = ", ".join(channel.name for channel in estimate.channels)
    return f"StaffingEstimate({names}; {h.fixed(estimate.paid_hours, 1)} paid hours a week)"


def month_html(month: MonthFigures) -> str:
    """A month's hours and minutes, at one decimal."""
    days = ", ".join(f"{count} {WEEKDAYS[day]}" for day, count in enumerate(month.weekday_counts))
    return h.table(
        ("month", "agent hours", "paid hours", "handled minutes"),
        [
            (
                month.label,
                h.fixed(month.agent_hours, 1),
                h.fixed(month.paid_hours, 1),
                h.fixed(month.handled_minutes, 1),
            )
        ],
        caption=f"{month.label} ({days})",
        right=(1, 2, 3),
    )


def month_repr(month: MonthFigures) -> str:
    """``MonthFigures(2024-02: 1,234.5 agent h, 1,600.0 paid h, 45,000.0 handled min)``."""
    return (
        f"MonthFigures({month.label}: {h.fixed(month.agent_hours, 1)} agent h, "
        f"{h.fixed(month.paid_hours, 1)} paid h, "
        f"{h.fixed(month.handled_minutes, 1)} handled min)"
    )
