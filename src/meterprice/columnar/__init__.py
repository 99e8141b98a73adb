"""Usage from tables: meter Arrow tables, polars and pandas frames and usage files
column by column (``pip install "meterprice[arrow]"``).

:func:`meter_table` gives exactly the :class:`~meterprice.Usage` that metering the
same rows as :class:`~meterprice.Event` objects gives, so every invoice is the same;
:class:`ColumnMapping` reads tables whose columns are not named like a usage file.
"""

from __future__ import annotations

from meterprice.columnar._columns import ColumnMapping
from meterprice.columnar._ids import take_table
from meterprice.columnar._tables import is_table, to_arrow
from meterprice.contract import Contract
from meterprice.ids import SeenIds
from meterprice.periods import Period
from meterprice.usage import Usage

__all__ = ["ColumnMapping", "TableUsage", "is_table", "meter_table"]


def _period(value: Period | str) -> Period:
    return value if isinstance(value, Period) else Period.parse(value)


def meter_table(
    contract: Contract,
    table: object,
    period: Period | str,
    *,
    columns: ColumnMapping | None = None,
) -> Usage:
    """The usage of the rows of ``table`` within ``period``, metered by ``contract``.

    ``table`` is anything with the Arrow stream interface (a pyarrow Table or
    RecordBatchReader, a polars or pandas DataFrame, a duckdb result) or a pandas
    DataFrame, with the usage-file columns ``metric``, ``quantity``, ``timestamp`` and
    dimension columns, or the columns ``columns`` names. The result equals
    ``contract.meter(events, period)`` for the same rows as events.
    """
    return TableUsage(contract, table, columns=columns).usage(_period(period))


class TableUsage:
    """A table read once, metered for any window a contract asks for: what
    :meth:`~meterprice.Contract.invoice` uses when it is given a table.
    """

    def __init__(
        self, contract: Contract, table: object, *, columns: ColumnMapping | None = None
    ) -> None:
        self.contract = contract
        self.seen = SeenIds()  # rows repeating an id are dropped once, here
        self.table = take_table(to_arrow(table), columns, self.seen)
        self.columns = columns

    def usage(self, window: Period) -> Usage:
        """The usage of the rows within ``window``."""
        from meterprice.columnar._engine import meter_arrow  # noqa: PLC0415

        start, end = self.contract.bounds(window)
        entries = meter_arrow(self.contract, self.table, start, end, columns=self.columns)
        return Usage._from_entries(dict(entries), window, self.seen.report)

    __call__ = usage
