"""Evaluating contract terms: what-if quotes, cost curves, offer comparisons and
multi-period forecasts.

Everything here prices real invoices (exact, rounded per line as the contract says),
so a figure in a comparison is the figure the provider would bill. For exact
break-even volumes see :mod:`meterprice.breakeven`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from meterprice import _decimal as d
from meterprice import _notebook
from meterprice.contract import Contract, Spread, UsageInput
from meterprice.dimensions import to_dimensions
from meterprice.errors import (
    ContractError,
    InvalidTypeError,
    InvalidValueError,
    LimitError,
    PeriodError,
)
from meterprice.frames import Tabular
from meterprice.invoice import Invoice
from meterprice.money import Currency, Money
from meterprice.periods import Period
from meterprice.usage import Usage, _Sum, display_quantity

__all__ = [
    "Comparison",
    "CostCurve",
    "Forecast",
    "Mix",
    "compare",
    "cost_curve",
    "forecast",
    "quote",
    "volumes",
]


def _period(value: Period | str) -> Period:
    if isinstance(value, Period):
        return value
    if _is_pandas_period(value):
        return _from_pandas_period(value)
    return Period.parse(value)


def _is_pandas_period(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "Period" and kind.__module__.split(".")[0] == "pandas"


def _from_pandas_period(value: Any) -> Period:
    """A ``pandas.Period`` of whole days (a day, week, month, quarter, year) as the
    :class:`Period` of the same days; one that starts or ends within a day is refused.
    """
    start, end = value.start_time, (value + 1).start_time
    if start != start.normalize() or end != end.normalize():
        raise PeriodError(
            f"the pandas period {value} does not cover whole days; forecast whole days, "
            "weeks, months, quarters or years"
        )
    return Period(start.date(), end.date())


def quote(
    contract: Contract,
    usage: UsageInput,
    period: Period | str,
    *,
    previous_usage: UsageInput | None = None,
    spread: Spread = None,
) -> Invoice:
    """Price what-if ``usage`` (totals such as ``{"handle_minutes": 15000}``, a
    :class:`~meterprice.Usage` or events) for ``period``; ``spread`` as for
    :meth:`~meterprice.Contract.invoice`.

    >>> from meterprice import Contract, PerUnit
    >>> ppu = Contract("PPU", "EUR", [PerUnit("Minutes", metric="handle_minutes", rate="0.95 EUR")])
    >>> str(quote(ppu, {"handle_minutes": 15000}, "2026-11").total)
    '14250.00 EUR'
    """
    return contract.invoice(usage, _period(period), previous_usage=previous_usage, spread=spread)


def volumes(
    start: object, stop: object, step: object, *, most: int = 100_000
) -> tuple[Decimal, ...]:
    """``start, start + step, ...`` up to and including ``stop``, exactly.

    More than ``most`` values are refused with :class:`~meterprice.errors.LimitError`
    before any is built.

    >>> volumes(0, 10000, 2500)
    (Decimal('0'), Decimal('2500'), Decimal('5000'), Decimal('7500'), Decimal('10000'))
    """
    first = d.to_decimal(start, what="start")
    last = d.to_decimal(stop, what="stop")
    increment = d.to_decimal(step, what="step")
    if increment <= 0:
        raise InvalidValueError(f"step must be positive (got {step!r})")
    if last < first:
        raise InvalidValueError(f"stop must not be below start (got {start!r}..{stop!r})")
    # exact: the bounded decimals above keep the quotient within 201 digits
    count = int(d.EXACT.divide_int(d.sub(last, first), increment)) + 1
    if count > most:
        raise LimitError(f"the volumes {start}:{stop}:{step} give {count} values; at most {most}")
    return tuple(d.add(first, d.mul(Decimal(index), increment)) for index in range(count))


def _to_shares(value: object) -> tuple[tuple[Any, Fraction], ...]:
    if value is None or value == ():
        return ()
    if not isinstance(value, Mapping):
        raise InvalidTypeError(f"a mix must map dimension values to shares, not {value!r}")
    shares = []
    for dims, share in value.items():
        exact = Fraction(d.to_decimal(share, what=f"share of {dims!r}"))
        if exact < 0:
            raise InvalidValueError(f"share of {dims!r} must not be negative (got {share!r})")
        shares.append((to_dimensions(dims), exact))
    return tuple(shares)


@attrs.frozen
class Mix:
    """How a volume of one metric splits across dimension values.

    Shares are exact and must add up to 1; without shares the whole volume carries no
    dimensions. Build one from ``(dimensions, share)`` pairs with :meth:`of`:

    >>> mix = Mix.of("handle_minutes", [({"language": "de"}, "0.4"), ({"language": "en"}, "0.6")])
    >>> mix.usage(1000).quantity("handle_minutes", {"language": "de"})
    Decimal('400')
    """

    metric: str
    shares: tuple[tuple[Any, Fraction], ...] = attrs.field(default=(), converter=_to_shares)

    def __attrs_post_init__(self) -> None:
        if self.shares:
            whole = sum((share for _, share in self.shares), Fraction(0))
            if whole != 1:
                raise InvalidValueError(
                    f"the shares of the {self.metric!r} mix must add up to 1 "
                    f"(got {display_quantity(whole)})"
                )

    @classmethod
    def of(cls, metric: str, shares: Iterable[tuple[object, object]] | None = None) -> Mix:
        """A mix from ``(dimensions mapping, share)`` pairs."""
        if shares is None:
            return cls(metric)
        return cls(metric, {to_dimensions(dims): share for dims, share in shares})

    def usage(self, volume: object) -> Usage:
        """The usage of ``volume`` units split by the shares."""
        amount = (
            volume
            if isinstance(volume, Fraction)
            else Fraction(d.to_decimal(volume, what="volume"))
        )
        if amount < 0:
            raise InvalidValueError(f"volume must not be negative (got {volume!r})")
        if not self.shares:
            return Usage._from_entries({(self.metric, to_dimensions(None), None): _Sum(amount)})
        return Usage._from_entries(
            {(self.metric, dims, None): _Sum(amount * share) for dims, share in self.shares}
        )


def _mix(metric: str | Mix) -> Mix:
    return metric if isinstance(metric, Mix) else Mix(metric)


def _base(usage: UsageInput | None) -> Usage:
    if usage is None:
        return Usage()
    if isinstance(usage, Usage):
        return usage
    if isinstance(usage, Mapping):
        return Usage.from_totals(usage)
    raise InvalidTypeError(
        "the base usage of a what-if analysis must be a Usage or a mapping of totals"
    )


@attrs.frozen
class CostCurve(Tabular):
    """The invoice total of one contract at each volume of one metric."""

    _table_builder: ClassVar[str] = "cost_curve_table"

    contract: str
    metric: str
    currency: Currency
    volumes: tuple[Decimal, ...]
    invoices: tuple[Invoice, ...]

    @property
    def totals(self) -> tuple[Money, ...]:
        """The invoice total at each volume."""
        return tuple(invoice.total for invoice in self.invoices)

    def effective_rates(self, places: int = 4) -> tuple[Decimal | None, ...]:
        """Total / volume at each volume (``None`` at zero volume), for display."""
        rates: list[Decimal | None] = []
        for volume, total in zip(self.volumes, self.totals, strict=True):
            if volume == 0:
                rates.append(None)
            else:
                rates.append(display_quantity(Fraction(total.amount) / Fraction(volume), places))
        return tuple(rates)

    def rows(self) -> list[dict[str, str | None]]:
        """One plain row per volume: volume, total, effective rate (strings)."""
        return [
            {
                "volume": str(volume),
                "total": str(total.amount),
                "per_unit": None if rate is None else str(rate),
            }
            for volume, total, rate in zip(
                self.volumes, self.totals, self.effective_rates(), strict=True
            )
        ]

    def __str__(self) -> str:
        head = f"{self.contract}: total by {self.metric} ({self.currency.code})"
        body = [f"{'volume':>14}  {'total':>16}  {'per unit':>10}"]
        for row in self.rows():
            body.append(f"{row['volume']:>14}  {row['total']:>16}  {row['per_unit'] or '':>10}")
        return "\n".join([head, *body])

    def __repr__(self) -> str:
        return _notebook.cost_curve_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.cost_curve_html(self)


def cost_curve(
    contract: Contract,
    metric: str | Mix,
    at: Iterable[object],
    period: Period | str,
    *,
    base: UsageInput | None = None,
    previous_usage: UsageInput | None = None,
    spread: Spread = None,
) -> CostCurve:
    """Price ``contract`` at each volume in ``at`` of ``metric`` (a name or a
    :class:`Mix`), on top of a fixed ``base`` usage. The volumes are totals of the
    period: ``spread`` says how to place them where only part of it is priced, as for
    :meth:`~meterprice.Contract.invoice`.

    >>> from meterprice import Contract, PerUnit, MinimumSpend
    >>> offer = Contract(
    ...     "Offer",
    ...     "EUR",
    ...     [
    ...         PerUnit("Minutes", metric="handle_minutes", rate="0.90 EUR", tags={"usage"}),
    ...         MinimumSpend("Minimum", amount="4500.00 EUR", of={"usage"}),
    ...     ],
    ... )
    >>> curve = cost_curve(offer, "handle_minutes", volumes(0, 10000, 5000), "2026-11")
    >>> [str(total) for total in curve.totals]
    ['4500.00 EUR', '4500.00 EUR', '9000.00 EUR']
    """
    mix = _mix(metric)
    fixed = _base(base)
    chosen = _period(period)
    points = tuple(d.to_decimal(v, what="volume") for v in at)
    invoices = tuple(
        contract.invoice(fixed + mix.usage(v), chosen, previous_usage=previous_usage, spread=spread)
        for v in points
    )
    return CostCurve(contract.name, mix.metric, contract.currency, points, invoices)


@attrs.frozen
class Comparison(Tabular):
    """Totals of several contracts on the same scenarios, with the cheapest of each."""

    _table_builder: ClassVar[str] = "comparison_table"

    contracts: tuple[str, ...]
    scenarios: tuple[str, ...]
    currency: Currency
    invoices: tuple[tuple[Invoice, ...], ...]
    """``invoices[s][c]``: scenario ``s`` priced by contract ``c``."""

    def total(self, scenario: str, contract: str) -> Money:
        """The total of ``contract`` on ``scenario``."""
        return self.invoices[self.scenarios.index(scenario)][self.contracts.index(contract)].total

    def cheapest(self, scenario: str) -> tuple[str, ...]:
        """The contract(s) with the lowest total on ``scenario`` (all of them on a tie)."""
        row = self.invoices[self.scenarios.index(scenario)]
        low = min(invoice.total for invoice in row)
        return tuple(
            name for name, invoice in zip(self.contracts, row, strict=True) if invoice.total == low
        )

    def difference(self, scenario: str, contract: str) -> Money:
        """How much more ``contract`` costs than the cheapest on ``scenario``."""
        row = self.invoices[self.scenarios.index(scenario)]
        low = min(invoice.total for invoice in row)
        return self.total(scenario, contract) - low

    def rows(self) -> list[dict[str, str]]:
        """One plain row per scenario: each contract's total and the cheapest."""
        rows = []
        for scenario in self.scenarios:
            row = {"scenario": scenario}
            for name in self.contracts:
                row[name] = str(self.total(scenario, name).amount)
            row["cheapest"] = " = ".join(self.cheapest(scenario))
            rows.append(row)
        return rows

    def __str__(self) -> str:
        headers = ["scenario", *self.contracts, "cheapest"]
        rows = [[row[h] for h in headers] for row in self.rows()]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        lines = [
            "  ".join(
                h.ljust(w) if i in (0, len(headers) - 1) else h.rjust(w)
                for i, (h, w) in enumerate(zip(headers, widths, strict=True))
            ).rstrip()
        ]
        lines.append("  ".join("-" * w for w in widths))
        for r in rows:
            lines.append(
                "  ".join(
                    c.ljust(w) if i in (0, len(r) - 1) else c.rjust(w)
                    for i, (c, w) in enumerate(zip(r, widths, strict=True))
                ).rstrip()
            )
        return f"Totals in {self.currency.code}\n" + "\n".join(lines)

    def __repr__(self) -> str:
        return _notebook.comparison_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.comparison_html(self)


def compare(
    contracts: Sequence[Contract],
    scenarios: Mapping[str, UsageInput],
    period: Period | str,
    *,
    spread: Spread = None,
) -> Comparison:
    """Price every contract on every named scenario (usage) for ``period``; ``spread``
    as for :meth:`~meterprice.Contract.invoice`.

    >>> from meterprice import Contract, PerUnit, RecurringFee
    >>> ppu = Contract(
    ...     "Pay per use", "EUR", [PerUnit("Minutes", metric="minutes", rate="0.90 EUR")]
    ... )
    >>> fte = Contract("Fixed", "EUR", [RecurringFee("Team", amount="6000.00 EUR")])
    >>> table = compare(
    ...     [ppu, fte], {"low": {"minutes": 5000}, "high": {"minutes": 9000}}, "2026-11"
    ... )
    >>> table.cheapest("low"), table.cheapest("high"), str(table.difference("high", "Pay per use"))
    (('Pay per use',), ('Fixed',), '2100.00 EUR')
    """
    if not contracts:
        raise InvalidValueError("compare needs at least one contract")
    names = [contract.name for contract in contracts]
    if len(set(names)) != len(names):
        raise InvalidValueError(f"contracts to compare need distinct names (got {names})")
    currencies = {contract.currency for contract in contracts}
    if len(currencies) != 1:
        codes = ", ".join(sorted(c.code for c in currencies))
        raise ContractError(f"contracts to compare must share one currency (got {codes})")
    chosen = _period(period)
    invoices = tuple(
        tuple(contract.invoice(usage, chosen, spread=spread) for contract in contracts)
        for usage in scenarios.values()
    )
    return Comparison(tuple(names), tuple(scenarios), contracts[0].currency, invoices)


@attrs.frozen
class Forecast(Tabular):
    """One contract priced over several periods of forecast usage."""

    _table_builder: ClassVar[str] = "forecast_table"

    contract: str
    currency: Currency
    invoices: tuple[Invoice, ...]

    @property
    def total(self) -> Money:
        """The sum of every period's invoice."""
        return sum((invoice.total for invoice in self.invoices), Money.zero(self.currency))

    def by_period(self) -> list[tuple[str, Money]]:
        """``(period label, total)`` per period."""
        return [(str(invoice.period), invoice.total) for invoice in self.invoices]

    def __str__(self) -> str:
        lines = [f"{self.contract} ({self.currency.code})"]
        lines.extend(f"  {label:<24} {total.amount:>14,f}" for label, total in self.by_period())
        lines.append(f"  {'total':<24} {self.total.amount:>14,f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return _notebook.forecast_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.forecast_html(self)


def forecast(
    contract: Contract,
    usage_by_period: Mapping[Period | str, UsageInput],
    *,
    spread: Spread = None,
) -> Forecast:
    """Price ``contract`` over consecutive periods of forecast usage (seasonality, peak
    promotions): setup fees, minimums and day rates count where they fall, and a
    previous-period basis reads the forecast of the period before.

    >>> from meterprice import Contract, PerUnit, SetupFee
    >>> c = Contract(
    ...     "PPU",
    ...     "EUR",
    ...     [
    ...         SetupFee("Setup", amount="1000.00 EUR", on="2026-01-05"),
    ...         PerUnit("Minutes", metric="minutes", rate="1.00 EUR"),
    ...     ],
    ... )
    >>> year = forecast(c, {"2026-01": {"minutes": 100}, "2026-02": {"minutes": 200}})
    >>> str(year.total)
    '1300.00 EUR'
    """
    items = [(_period(key), usage) for key, usage in usage_by_period.items()]
    items.sort(key=lambda item: item[0].start)
    invoices = []
    previous: UsageInput | None = None
    previous_end = None
    needs_previous = any(c.uses_previous_period for c in contract.components)
    for period, usage in items:
        known = previous if previous_end == period.start else None
        if needs_previous and known is None:
            known = Usage()  # nothing forecast before the first period
        invoices.append(contract.invoice(usage, period, previous_usage=known, spread=spread))
        previous, previous_end = usage, period.end
    return Forecast(contract.name, contract.currency, tuple(invoices))
