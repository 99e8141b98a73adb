"""Tables of usage rows and the states the columnar engine meters from them, shared
by the engine's mutation kill tests: a pyarrow table of metrics, quantities, UTC or
naive timestamps and text dimensions; the engine's day-resolved states of a window;
and the exact sums expected of a meter, by day and dimensions.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any

import pyarrow as pa

from meterprice import Contract, Dimensions, Meter
from meterprice.columnar import _engine
from meterprice.usage import _Sum

UTC = dt.timezone.utc
START = dt.datetime(2026, 11, 1, tzinfo=UTC)
END = dt.datetime(2026, 12, 1, tzinfo=UTC)


def day(number: int, month: int = 11, year: int = 2026) -> dt.date:
    return dt.date(year, month, number)


def at(number: int, hour: int = 9, month: int = 11, **more: int) -> dt.datetime:
    """``hour`` UTC on day ``number`` of ``month`` 2026."""
    return dt.datetime(2026, month, number, hour, tzinfo=UTC, **more)


def exactly(message: str) -> str:
    """A pattern matching ``message`` whole."""
    return "^" + re.escape(message) + "$"


def contract(*meters: Meter, timezone: str = "UTC") -> Contract:
    return Contract("c", "EUR", [], meters=list(meters), timezone=timezone, unpriced="ignore")


def table(metrics: list[str], quantities: Any, stamps: list[dt.datetime], **dims: Any) -> Any:
    """Rows of ``metrics``, ``quantities`` (a list of integers, or an Arrow array) at
    ``stamps`` (aware: a UTC column), with dimension columns ``dims``."""
    if isinstance(quantities, list):
        quantities = pa.array(quantities, pa.int64())
    zone = "UTC" if stamps and stamps[0].tzinfo is not None else None
    return pa.table(
        {
            "metric": pa.array(metrics, pa.string()),
            "quantity": quantities,
            "timestamp": pa.array(stamps, pa.timestamp("us", zone)),
            **{name: pa.array(values, pa.string()) for name, values in dims.items()},
        }
    )


def metered(
    meters: Contract | Meter,
    rows: Any,
    start: dt.datetime | None = START,
    end: dt.datetime | None = END,
    **options: Any,
) -> dict[Any, Any]:
    the_contract = contract(meters) if isinstance(meters, Meter) else meters
    return dict(_engine.meter_arrow(the_contract, rows, start, end, **options))


def key(name: str, date: dt.date, **dims: str) -> tuple[str, Dimensions, dt.date]:
    return (name, Dimensions(dims), date)


def sums(name: str, *entries: tuple[dt.date, dict[str, str], Any]) -> dict[Any, Any]:
    """The expected states of meter ``name``: (day, dimensions, exact sum) each."""
    return {key(name, date, **dims): _Sum(Fraction(value)) for date, dims, value in entries}
