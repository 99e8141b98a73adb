"""Results as data frames: Arrow tables, pandas and polars frames of exact figures.

Every result kind has one function here that builds a pyarrow table; pandas and polars
frames are made from that table, so the three always agree. The result classes have
thin ``to_arrow()``, ``to_pandas()`` and ``to_polars()`` methods that call these.

Money and quantities stay exact. A money column is ``decimal128(38, m)`` with ``m``
the currency's minor units, so the amounts of an invoice's lines sum exactly to its
total. Any other exact column (quantities, unit prices, volumes, slopes) is
``decimal128(38, s)`` with ``s`` the fewest decimal places that hold every value of
the column exactly. A column that no ``decimal128`` holds exactly (a value that does
not terminate, such as 20000/3, or one of more than 38 digits) is written as text
instead: the exact value (``"20000/3"``, ``"1234.5"``), never a rounded one. Figures
the library itself computes by division (service levels, occupancy, waiting times)
are carried to :data:`RATIO_PLACES` decimal places. pandas frames use
``pd.ArrowDtype`` columns (the Arrow types unchanged), polars frames ``pl.Decimal``.
With ``exact=False`` every number becomes a ``float64`` instead (for plotting or
statistics), and pandas gets its default numpy columns.

pyarrow is the ``arrow`` extra; pandas and polars are the caller's choice (the
``pandas`` and ``polars`` extras). Each is imported only when a frame is built.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from meterprice import _decimal as d
from meterprice.money import Rounding

if TYPE_CHECKING:
    from meterprice.analysis import Comparison, CostCurve, Forecast
    from meterprice.breakeven import BreakEven, CostFunction
    from meterprice.corrections import CreditNote
    from meterprice.invoice import Invoice
    from meterprice.staffing import StaffingEstimate
    from meterprice.usage import Usage

__all__ = [
    "ARROW_DIGITS",
    "RATIO_PLACES",
    "Tabular",
    "break_even_table",
    "comparison_table",
    "cost_curve_table",
    "cost_function_table",
    "credit_note_table",
    "forecast_table",
    "invoice_table",
    "staffing_table",
    "to_pandas",
    "to_polars",
    "usage_table",
]

#: The most digits a ``decimal128`` column holds.
ARROW_DIGITS = 38

#: Decimal places of the figures computed by division (service level, occupancy, ...).
RATIO_PLACES = 20

#: pyarrow values (pyarrow ships no type information and is imported lazily).
_Arrow = Any

_EXTRAS = {"pyarrow": "arrow", "pandas": "pandas", "polars": "polars"}


def _require(module: str) -> Any:
    """The optional ``module``, or an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f'data frames of results need {module}: pip install "meterprice[{_EXTRAS[module]}]"'
        ) from None


Number = Fraction | Decimal | int


def _scaled(value: Fraction, places: int) -> Decimal | None:
    """``value`` with exactly ``places`` decimals, or ``None`` when it has more."""
    numerator = value.numerator * 10**places
    if numerator % value.denominator:
        return None
    return Decimal(numerator // value.denominator).scaleb(-places, d.EXACT)


def _places(value: Fraction) -> int | None:
    """The fewest decimal places that write ``value`` exactly (``None``: it never ends)."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def _text(value: Fraction) -> str:
    """The exact value as text: its decimals when they end, else ``"20000/3"``."""
    places = _places(value)
    if places is None:
        return f"{value.numerator}/{value.denominator}"
    shown = _scaled(value, places)
    assert shown is not None  # places is enough by construction
    return d.to_text(shown)


def _digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


def _exact_column(
    pa: Any, values: Sequence[Number | None], *, exact: bool, places: int | None = None
) -> _Arrow:
    """An Arrow array of exact numbers: ``decimal128(38, places)`` (the fewest places
    that hold them all when ``places`` is ``None``), text when no decimal128 holds
    them all, ``float64`` when not ``exact``.
    """
    fractions = [None if v is None else Fraction(v) for v in values]
    if not exact:
        return pa.array([None if v is None else float(v) for v in fractions], pa.float64())
    scale = places
    if scale is None:
        needed = [_places(v) for v in fractions if v is not None]
        scale = None if None in needed else max((n for n in needed if n is not None), default=0)
    if scale is not None and scale <= ARROW_DIGITS:
        scaled = [None if v is None else _scaled(v, scale) for v in fractions]
        if all(
            s is not None and _digits(s) <= ARROW_DIGITS
            for s, v in zip(scaled, fractions, strict=True)
            if v is not None
        ):
            return pa.array(scaled, pa.decimal128(ARROW_DIGITS, scale))
    return pa.array([None if v is None else _text(v) for v in fractions], pa.string())


def _ratio_column(pa: Any, values: Sequence[Decimal | None], *, exact: bool) -> _Arrow:
    """Figures computed by division, at :data:`RATIO_PLACES` places (half even)."""
    if not exact:
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    rounded = [None if v is None else Rounding.HALF_EVEN.round(v, RATIO_PLACES) for v in values]
    return pa.array(rounded, pa.decimal128(ARROW_DIGITS, RATIO_PLACES))


def _dimension_names(dimensions: Iterable[Any], taken: Iterable[str]) -> dict[str, str]:
    """Column name per dimension name: the name itself, ``dimension.NAME`` when a
    column of the table already has that name.
    """
    fixed = set(taken)
    names = sorted({name for dims in dimensions for name in dims})
    return {name: f"dimension.{name}" if name in fixed else name for name in names}


def _table(pa: Any, columns: dict[str, Any], metadata: dict[str, str] | None = None) -> _Arrow:
    table = pa.table(columns)
    if metadata:
        table = table.replace_schema_metadata(metadata)
    return table


# ---------------------------------------------------------------------------
# One table per result kind
# ---------------------------------------------------------------------------


def invoice_table(invoice: Invoice, *, exact: bool = True) -> _Arrow:
    """One row per invoice line; each dimension the lines price is a column.

    Columns: ``contract``, ``period_start``, ``period_end``, ``currency``,
    ``component``, ``description``, the dimension columns, ``quantity``, ``unit``,
    ``unit_price``, ``amount`` (at the currency's minor units), ``exact_amount`` (the
    unrounded amount), ``tags`` and ``basis``.
    """
    pa = _require("pyarrow")
    lines = invoice.lines
    count = len(lines)
    fixed = [
        "contract",
        "period_start",
        "period_end",
        "currency",
        "component",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "amount",
        "exact_amount",
        "tags",
        "basis",
    ]
    dims = _dimension_names((line.dimensions for line in lines), fixed)
    columns: dict[str, Any] = {
        "contract": pa.array([invoice.contract] * count, pa.string()),
        "period_start": pa.array([invoice.period.start] * count, pa.date32()),
        "period_end": pa.array([invoice.period.end] * count, pa.date32()),
        "currency": pa.array([invoice.currency.code] * count, pa.string()),
        "component": pa.array([line.component for line in lines], pa.string()),
        "description": pa.array([line.description for line in lines], pa.string()),
    }
    for name, column in dims.items():
        columns[column] = pa.array([line.dimensions.get(name) for line in lines], pa.string())
    columns["quantity"] = _exact_column(pa, [line.quantity for line in lines], exact=exact)
    columns["unit"] = pa.array([line.unit for line in lines], pa.string())
    columns["unit_price"] = _exact_column(
        pa,
        [None if line.unit_price is None else line.unit_price.amount for line in lines],
        exact=exact,
    )
    columns["amount"] = _exact_column(
        pa,
        [line.amount.amount for line in lines],
        exact=exact,
        places=invoice.currency.minor_units,
    )
    columns["exact_amount"] = _exact_column(pa, [line.exact for line in lines], exact=exact)
    columns["tags"] = pa.array([sorted(line.tags) for line in lines], pa.list_(pa.string()))
    columns["basis"] = pa.array([line.basis for line in lines], pa.string())
    return _table(pa, columns, {"total": d.to_text(invoice.total.amount)})


def credit_note_table(note: CreditNote, *, exact: bool = True) -> _Arrow:
    """One row per corrected line; each dimension the lines price is a column.

    Columns: ``contract``, ``period_start``, ``period_end``, ``currency``,
    ``original_invoice`` (the reference of the invoice corrected), ``component``,
    ``version``, ``description``, the dimension columns, ``quantity`` (the difference
    of the quantities), ``unit``, ``original`` and ``revised`` (the rounded amounts
    billed and due, null where the line is absent), ``amount`` (``revised -
    original``, at the currency's minor units), ``exact_amount`` (the difference of
    the exact amounts) and ``tags``. The note's ``total``, ``kind`` and ``reason`` are
    in the schema metadata.
    """
    pa = _require("pyarrow")
    lines = note.lines
    count = len(lines)
    fixed = [
        "contract",
        "period_start",
        "period_end",
        "currency",
        "original_invoice",
        "component",
        "version",
        "description",
        "quantity",
        "unit",
        "original",
        "revised",
        "amount",
        "exact_amount",
        "tags",
    ]
    places = note.currency.minor_units
    dims = _dimension_names((line.dimensions for line in lines), fixed)
    columns: dict[str, Any] = {
        "contract": pa.array([note.contract] * count, pa.string()),
        "period_start": pa.array([note.period.start] * count, pa.date32()),
        "period_end": pa.array([note.period.end] * count, pa.date32()),
        "currency": pa.array([note.currency.code] * count, pa.string()),
        "original_invoice": pa.array([note.original] * count, pa.string()),
        "component": pa.array([line.component for line in lines], pa.string()),
        "version": pa.array([line.version for line in lines], pa.string()),
        "description": pa.array([line.description for line in lines], pa.string()),
    }
    for name, column in dims.items():
        columns[column] = pa.array([line.dimensions.get(name) for line in lines], pa.string())
    columns["quantity"] = _exact_column(pa, [line.quantity for line in lines], exact=exact)
    columns["unit"] = pa.array([line.unit for line in lines], pa.string())
    for name in ("original", "revised"):
        columns[name] = _exact_column(
            pa,
            [None if getattr(line, name) is None else getattr(line, name).amount for line in lines],
            exact=exact,
            places=places,
        )
    columns["amount"] = _exact_column(
        pa, [line.amount.amount for line in lines], exact=exact, places=places
    )
    columns["exact_amount"] = _exact_column(pa, [line.exact for line in lines], exact=exact)
    columns["tags"] = pa.array([sorted(line.tags) for line in lines], pa.list_(pa.string()))
    metadata = {"total": d.to_text(note.total.amount), "kind": note.kind, "reason": note.reason}
    return _table(pa, columns, metadata)


def comparison_table(comparison: Comparison, *, exact: bool = True) -> _Arrow:
    """One row per scenario and contract: ``scenario``, ``contract``, ``total``,
    ``difference`` (above the cheapest of the scenario) and ``cheapest``.
    """
    pa = _require("pyarrow")
    scenarios, contracts, totals, differences, cheapest = [], [], [], [], []
    for scenario in comparison.scenarios:
        best = comparison.cheapest(scenario)
        for contract in comparison.contracts:
            scenarios.append(scenario)
            contracts.append(contract)
            totals.append(comparison.total(scenario, contract).amount)
            differences.append(comparison.difference(scenario, contract).amount)
            cheapest.append(contract in best)
    places = comparison.currency.minor_units
    return _table(
        pa,
        {
            "scenario": pa.array(scenarios, pa.string()),
            "contract": pa.array(contracts, pa.string()),
            "currency": pa.array([comparison.currency.code] * len(totals), pa.string()),
            "total": _exact_column(pa, totals, exact=exact, places=places),
            "difference": _exact_column(pa, differences, exact=exact, places=places),
            "cheapest": pa.array(cheapest, pa.bool_()),
        },
    )


def cost_curve_table(curve: CostCurve, *, exact: bool = True) -> _Arrow:
    """One row per volume: ``contract``, ``metric``, ``volume`` and the invoice
    ``total`` there.
    """
    pa = _require("pyarrow")
    count = len(curve.volumes)
    return _table(
        pa,
        {
            "contract": pa.array([curve.contract] * count, pa.string()),
            "metric": pa.array([curve.metric] * count, pa.string()),
            "volume": _exact_column(pa, list(curve.volumes), exact=exact),
            "currency": pa.array([curve.currency.code] * count, pa.string()),
            "total": _exact_column(
                pa,
                [total.amount for total in curve.totals],
                exact=exact,
                places=curve.currency.minor_units,
            ),
        },
    )


def cost_function_table(function: CostFunction, *, exact: bool = True) -> _Arrow:
    """One row per segment of the exact (unrounded) cost: ``start``, ``end``,
    ``slope`` (the marginal rate per unit) and ``intercept``; the cost on the segment
    is ``slope * volume + intercept``.
    """
    pa = _require("pyarrow")
    segments = function.segments
    count = len(segments)
    return _table(
        pa,
        {
            "contract": pa.array([function.contract] * count, pa.string()),
            "metric": pa.array([function.metric] * count, pa.string()),
            "currency": pa.array([function.currency.code] * count, pa.string()),
            "start": _exact_column(pa, [s[0] for s in segments], exact=exact),
            "end": _exact_column(pa, [s[1] for s in segments], exact=exact),
            "slope": _exact_column(pa, [s[2] for s in segments], exact=exact),
            "intercept": _exact_column(pa, [s[3] for s in segments], exact=exact),
        },
    )


def break_even_table(result: BreakEven, *, exact: bool = True) -> _Arrow:
    """One row per interval of volume: ``start``, ``end``, ``cheaper`` (the cheaper
    contract, null where both cost the same) and ``break_even`` (whether both cost
    the same at ``end``, or the cheaper one flips there).
    """
    pa = _require("pyarrow")
    intervals = result.intervals
    volumes = set(result.volumes)
    count = len(intervals)
    return _table(
        pa,
        {
            "first": pa.array([result.first.contract] * count, pa.string()),
            "second": pa.array([result.second.contract] * count, pa.string()),
            "metric": pa.array([result.first.metric] * count, pa.string()),
            "start": _exact_column(pa, [i[0] for i in intervals], exact=exact),
            "end": _exact_column(pa, [i[1] for i in intervals], exact=exact),
            "cheaper": pa.array([i[2] for i in intervals], pa.string()),
            "break_even": pa.array([i[1] in volumes for i in intervals], pa.bool_()),
        },
    )


def forecast_table(forecast: Forecast, *, exact: bool = True) -> _Arrow:
    """One row per period and component (the sum of its lines): ``period``,
    ``period_start``, ``period_end``, ``component`` and ``amount``.
    """
    pa = _require("pyarrow")
    labels, starts, ends, components, amounts = [], [], [], [], []
    for invoice in forecast.invoices:
        sums: dict[str, Decimal] = {}
        for line in invoice.lines:
            sums[line.component] = d.add(sums.get(line.component, d.ZERO), line.amount.amount)
        for component, amount in sums.items():
            labels.append(str(invoice.period))
            starts.append(invoice.period.start)
            ends.append(invoice.period.end)
            components.append(component)
            amounts.append(amount)
    return _table(
        pa,
        {
            "contract": pa.array([forecast.contract] * len(amounts), pa.string()),
            "period": pa.array(labels, pa.string()),
            "period_start": pa.array(starts, pa.date32()),
            "period_end": pa.array(ends, pa.date32()),
            "component": pa.array(components, pa.string()),
            "currency": pa.array([forecast.currency.code] * len(amounts), pa.string()),
            "amount": _exact_column(pa, amounts, exact=exact, places=forecast.currency.minor_units),
        },
        {"total": d.to_text(forecast.total.amount)},
    )


def staffing_table(estimate: StaffingEstimate, *, exact: bool = True) -> _Arrow:
    """One row per channel and planning interval of the typical week.

    Columns: ``channel``, ``weekday`` (0 is Monday), ``start`` (time of day),
    ``minutes``, ``contacts``, ``agents``, ``scheduled_agents``, ``busy_seconds``,
    ``handled_seconds``, and for live channels ``service_level``, ``occupancy`` and
    ``asa_seconds`` (null for deferred work, and ASA for a queue without steady state).
    """
    pa = _require("pyarrow")
    rows = [(c.name, i) for c in estimate.channels for i in c.intervals]
    metrics = [i.metrics for _, i in rows]
    return _table(
        pa,
        {
            "channel": pa.array([name for name, _ in rows], pa.string()),
            "weekday": pa.array([i.weekday for _, i in rows], pa.int8()),
            "start": pa.array(
                [dt.time(i.start_minute // 60, i.start_minute % 60) for _, i in rows],
                pa.time32("s"),
            ),
            "minutes": pa.array([i.minutes for _, i in rows], pa.int32()),
            "contacts": _exact_column(pa, [i.contacts for _, i in rows], exact=exact),
            "agents": pa.array([i.agents for _, i in rows], pa.int32()),
            "scheduled_agents": pa.array([i.scheduled_agents for _, i in rows], pa.int32()),
            "busy_seconds": _exact_column(pa, [i.busy_seconds for _, i in rows], exact=exact),
            "handled_seconds": _exact_column(pa, [i.handled_seconds for _, i in rows], exact=exact),
            "service_level": _ratio_column(
                pa, [None if m is None else m.service_level for m in metrics], exact=exact
            ),
            "occupancy": _ratio_column(
                pa, [None if m is None else m.occupancy for m in metrics], exact=exact
            ),
            "asa_seconds": _ratio_column(
                pa, [None if m is None else m.asa_seconds for m in metrics], exact=exact
            ),
        },
    )


def usage_table(usage: Usage, *, exact: bool = True) -> _Arrow:
    """One row per metric, dimension values and day: ``metric``, the dimension
    columns, ``day`` (null for undated usage) and ``quantity``.
    """
    pa = _require("pyarrow")
    items = list(usage.daily_items())
    dims = _dimension_names((item[2] for item in items), ("metric", "day", "quantity"))
    columns: dict[str, Any] = {"metric": pa.array([item[1] for item in items], pa.string())}
    for name, column in dims.items():
        columns[column] = pa.array([item[2].get(name) for item in items], pa.string())
    columns["day"] = pa.array([item[0] for item in items], pa.date32())
    columns["quantity"] = _exact_column(pa, [item[3] for item in items], exact=exact)
    return _table(pa, columns)


# ---------------------------------------------------------------------------
# pandas and polars from the Arrow table
# ---------------------------------------------------------------------------


def to_pandas(table: _Arrow, *, exact: bool = True) -> Any:
    """A pandas DataFrame of ``table``: ``pd.ArrowDtype`` columns when ``exact`` (the
    decimals unchanged), pandas' default numpy columns otherwise.
    """
    pd = _require("pandas")
    if exact:
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    return table.to_pandas()


def to_polars(table: _Arrow) -> Any:
    """A polars DataFrame of ``table`` (decimal128 columns become ``pl.Decimal``)."""
    pl = _require("polars")
    return pl.from_arrow(table)


class Tabular:
    """``to_arrow()``, ``to_pandas()`` and ``to_polars()`` for a result class, built by
    the function of this module that ``_table_builder`` names.
    """

    __slots__ = ()
    _table_builder: ClassVar[str]

    def to_arrow(self, *, exact: bool = True) -> Any:
        """This result as a pyarrow Table: exact decimals, floats only if ``exact=False``."""
        build: Callable[..., Any] = globals()[self._table_builder]
        return build(self, exact=exact)

    def to_pandas(self, *, exact: bool = True) -> Any:
        """This result as a pandas DataFrame of ``pd.ArrowDtype`` columns (numpy floats
        if ``exact=False``).
        """
        return to_pandas(self.to_arrow(exact=exact), exact=exact)

    def to_polars(self, *, exact: bool = True) -> Any:
        """This result as a polars DataFrame: ``pl.Decimal`` columns, floats if
        ``exact=False``.
        """
        return to_polars(self.to_arrow(exact=exact))
