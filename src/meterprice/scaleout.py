"""Scale-out: meter a partitioned data frame partition by partition, then merge.

Usage is mergeable: metering any partition of the events and adding the parts gives
the same summary as metering them all at once. :func:`meter_partition` turns one
partition (a pandas frame or any Arrow table) into a :class:`~meterprice.Usage`;
:func:`meter_dask` runs it on every partition of a ``dask.dataframe`` and adds the
summaries in a tree reduction, so no machine ever holds more than a few summaries.
The invoice priced from the merged summary equals the single-machine invoice exactly.

The partition function uses the columnar engine (``meterprice.columnar``) when it is
installed and otherwise builds events from the partition's rows. It needs no Dask:
the same function serves Spark's ``mapInArrow`` (see the "Billing a billion calls"
page of the documentation).

Install with ``pip install "meterprice[dask]"``; Dask is imported only when used.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from meterprice.contract import Contract
from meterprice.errors import InvalidValueError, UsageError
from meterprice.invoice import Invoice
from meterprice.periods import Period
from meterprice.usage import Event, Usage

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd

__all__ = ["invoice_dask", "merge_usages", "meter_dask", "meter_partition"]

_REQUIRED = ("metric", "quantity", "timestamp")


def _period(value: Period | str) -> Period:
    return value if isinstance(value, Period) else Period.parse(value)


def _columnar() -> Any | None:
    try:
        module = importlib.import_module("meterprice.columnar")
    except ImportError:
        return None
    return getattr(module, "meter_table", None)


def _missing(value: object) -> bool:
    """Whether a pandas cell is empty (None, or NaN in a column of strings)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _events(frame: Any) -> list[Event]:
    """Events from the usage-file columns of a pandas frame (object path)."""
    missing = [name for name in _REQUIRED if name not in frame.columns]
    if missing:
        raise UsageError(f"the partition lacks the column(s) {', '.join(missing)}")
    dims = [name for name in frame.columns if name not in (*_REQUIRED, "id")]
    ids = frame["id"].tolist() if "id" in frame.columns else [None] * len(frame)
    stamps = frame["timestamp"]
    if getattr(stamps.dtype, "kind", "O") == "M":
        times: list[Any] = list(stamps.dt.to_pydatetime())
    else:
        times = stamps.tolist()
    events = []
    columns = [frame[name].tolist() for name in dims]
    for index, (metric, quantity, at) in enumerate(
        zip(frame["metric"].tolist(), frame["quantity"].tolist(), times, strict=True)
    ):
        if isinstance(quantity, float):
            raise UsageError(
                f"column 'quantity' holds a float ({quantity!r}); cast it to an integer "
                "or decimal column"
            )
        if not isinstance(at, dt.datetime):
            raise UsageError(f"column 'timestamp' holds {at!r}, not a timestamp")
        values = {name: col[index] for name, col in zip(dims, columns, strict=True)}
        kept = {name: value for name, value in values.items() if not _missing(value)}
        event_id = None if _missing(ids[index]) or ids[index] == "" else ids[index]
        events.append(Event(metric, quantity, at, kept, id=event_id))
    return events


def meter_partition(
    contract: Contract, period: Period | str, frame: Any, *, rows: bool = False
) -> Usage:
    """The usage of one partition within ``period``: a pandas frame or an Arrow table
    with the usage-file columns (``metric``, ``quantity``, ``timestamp``, dimensions).

    Metered by the columnar engine when it is installed, else (or with ``rows``)
    by building one event per row.
    """
    window = _period(period)
    meter_table = None if rows else _columnar()
    if meter_table is not None:
        usage: Usage = meter_table(contract, frame, window)
        return usage
    if not hasattr(frame, "columns") or not hasattr(frame, "iloc"):
        frame = frame.to_pandas()
    return contract.meter(_events(frame), window)


def by_id(frame: dd.DataFrame) -> dd.DataFrame:
    """``frame`` shuffled so that all rows of one event id share a partition (when it
    has an ``id`` column): each partition then drops the repeats of its own ids, and
    the partitions' duplicate reports add up to the whole frame's.
    """
    if "id" not in frame.columns:
        return frame
    shuffled: dd.DataFrame = frame.shuffle("id")
    return shuffled


def merge_usages(usages: Sequence[Usage]) -> Usage:
    """The sum of ``usages`` (one step of the tree reduction)."""
    return sum(usages, Usage.empty())


def meter_dask(
    contract: Contract,
    frame: dd.DataFrame,
    period: Period | str,
    *,
    split_every: int = 8,
) -> Usage:
    """The usage of a ``dask.dataframe`` within ``period``: each partition metered
    where it lives, the summaries added ``split_every`` at a time.
    """
    from dask.delayed import delayed  # noqa: PLC0415 (optional extra)

    if split_every < 2:
        raise InvalidValueError(f"split_every must be at least 2 (got {split_every!r})")
    window = _period(period)
    frame = by_id(frame)  # every row of an id in one partition, so repeats are found
    parts = frame.to_delayed()  # type: ignore[no-untyped-call]
    level = [delayed(meter_partition)(contract, window, part) for part in parts]
    while len(level) > 1:
        level = [
            delayed(merge_usages)(level[start : start + split_every])
            for start in range(0, len(level), split_every)
        ]
    usage: Usage = level[0].compute()
    return usage


def invoice_dask(
    contract: Contract,
    frame: dd.DataFrame,
    period: Period | str,
    *,
    split_every: int = 8,
) -> Invoice:
    """The invoice for ``period`` from a ``dask.dataframe`` of usage rows."""
    window = _period(period)
    return contract.invoice(meter_dask(contract, frame, window, split_every=split_every), window)
