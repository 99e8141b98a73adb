"""Benchmark: one month of calls metered on a Dask cluster, against one process.

The calls and contract of ``metering.py`` (``few`` distinct quantities) as a pandas
frame split into partitions; ``invoice_dask`` meters each partition on a
``distributed.LocalCluster`` of worker processes and merges the summaries in a tree;
the same run prices the whole frame in this process with ``meter_partition``. Both
invoices must be equal (every line, to the cent).

Run ``python3 benchmarks/scaleout.py`` (``--rows 200000 --partitions 8 --workers 2``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).parent))

import metering  # the data and contract of the metering benchmark

if TYPE_CHECKING:
    from meterprice import Invoice


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of each job (3)")
    args, _ = parser.parse_known_args(argv)

    import dask.dataframe as dd
    import distributed

    from meterprice.scaleout import invoice_dask, meter_partition

    rows = args.rows
    frame = metering.make_table(rows, "few").to_pandas()
    contract = metering.make_contract(rows)
    print(f"meterprice scale-out benchmark: {rows:,} rows, {args.partitions} partitions, "
          f"{args.workers} worker processes, {os.cpu_count()} CPUs, "
          f"best of {args.repeat}")  # fmt: skip

    def best(job: Callable[[], Invoice]) -> tuple[Invoice, float]:
        # the best of N runs; the first also loads what the job imports (in the
        # workers too), as the single process has loaded it before
        times, result = [], None
        for _ in range(args.repeat):
            began = time.perf_counter()
            result = job()
            times.append(time.perf_counter() - began)
        assert result is not None
        return result, min(times)

    here, single = best(
        lambda: contract.invoice(meter_partition(contract, metering.PERIOD, frame), metering.PERIOD)
    )
    cluster = distributed.LocalCluster(
        n_workers=args.workers, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with distributed.Client(cluster):
        ddf = dd.from_pandas(frame, npartitions=args.partitions).persist()
        distributed.wait(ddf)
        there, spread = best(lambda: invoice_dask(contract, ddf, metering.PERIOD, split_every=4))
    cluster.close()
    if there != here:
        raise AssertionError(f"cluster invoice {there.total} != single process {here.total}")
    print(f"one process             {single:8.3f} s  {rows / single:>11,.0f} rows/s")
    print(f"dask, {args.workers} workers         {spread:8.3f} s  {rows / spread:>11,.0f} rows/s"
          f"  ({single / spread:.2f}x one process)")  # fmt: skip
    print(f"check: invoices equal, {len(here.lines)} lines, total {here.total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
