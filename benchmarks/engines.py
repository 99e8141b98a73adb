"""Choosing the columnar engine: the same metering job on pyarrow compute + numpy and on
polars, from one Arrow table in memory, each checked against the other exactly.

The job is what a contract's meter does: the calls of one month, 6-second billing
with a 30-second minimum, summed in exact integers by channel, language and calendar
day in the contract's time zone (Europe/Berlin, so a UTC timestamp's day needs the
zone's offset). Run: ``python benchmarks/engines.py [ROWS]``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from fractions import Fraction

import numpy as np
import polars as pl
import pyarrow as pa

from meterprice import Contract, Meter, Period
from meterprice.columnar import meter_table
from meterprice.components import PerUnit

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def table(rows: int) -> pa.Table:
    rng = np.random.default_rng(5)
    start = int(dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc).timestamp() * 1e6)
    return pa.table(
        {
            "metric": pa.array(["handle_seconds"] * rows).dictionary_encode(),
            "quantity": rng.integers(1, 3600, rows),
            "timestamp": pa.array(
                start + rng.integers(0, 29 * 86400 * 10**6, rows), pa.timestamp("us", "UTC")
            ),
            "channel": pa.array(rng.choice(["phone", "chat", "email"], rows)),
            "language": pa.array(rng.choice(["de", "en", "fr", "it", "es"], rows)),
        }
    )


def with_polars(data: pa.Table) -> dict[tuple[str, str, dt.date], int]:
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    billed = (
        frame.with_columns(
            day=pl.col("timestamp").dt.convert_time_zone("Europe/Berlin").dt.date(),
            billed=pl.max_horizontal((-(-pl.col("quantity") // 6)) * 6, pl.lit(30)),
        )
        .group_by("channel", "language", "day")
        .agg(pl.col("billed").sum())
    )
    return {
        (row["channel"], row["language"], row["day"]): row["billed"]
        for row in billed.iter_rows(named=True)
    }


def main() -> None:
    data = table(ROWS)
    meter = Meter("m", source="handle_seconds", increment=6, minimum=30)
    contract = Contract(
        "c",
        "EUR",
        [PerUnit("M", metric="m", rate="0.01 EUR")],
        meters=[meter],
        timezone="Europe/Berlin",
    )
    period = Period.parse("2026-11")
    timings: dict[str, float] = {}
    t = time.perf_counter()
    usage = meter_table(contract, data, period)
    timings["pyarrow + numpy (meter_table)"] = time.perf_counter() - t
    t = time.perf_counter()
    by_polars = with_polars(data)
    timings["polars (group_by, no exactness checks)"] = time.perf_counter() - t
    total = sum(by_polars.values())
    assert usage.exact("m") == Fraction(total), (usage.exact("m"), total)
    print(f"{ROWS:,} rows, one month, 6 s increments, 30 s minimum, by channel x language x day")
    for name, seconds in timings.items():
        print(f"  {name:42s} {seconds * 1000:8.1f} ms  {ROWS / seconds / 1e6:6.2f} M rows/s")
    print(f"  totals equal: {total:,} billed seconds")


if __name__ == "__main__":
    main()
