"""Benchmark: the whole job, from the data a user has to an invoice, against baselines.

One month of calls (November 2026 in Europe/Berlin, with a day on either side that
must not be billed) is priced under a pay-per-use contract: handle seconds billed in
6-second increments, converted to minutes, a rate per language and channel, a
minimum volume for the social channel and a 5 % project-management line on usage.

Each measurement runs in its own subprocess (so that peak RSS, read with
``resource.getrusage``, belongs to it alone) and covers the whole job from one input:

* ``records``: raw records in memory, tuples ``(metric, quantity, datetime, language,
  channel)``; meterprice builds its ``Event`` objects and invoices them; the naive
  baseline is a per-record ``Decimal`` loop.
* ``csv``: a CSV usage file; ``parquet``: a Parquet file; ``arrow``: a pyarrow table in
  memory. Baselines: polars and duckdb by hand (read, filter the period, ceil to
  6-second increments, group by language and channel, then rates in ``Decimal``).

Two data sets: ``few`` distinct quantities (whole seconds up to one hour) and ``many``
(millisecond durations). Every result is checked to the cent against the others.
Columnar rows print ``n/a`` when ``meterprice.columnar`` is not installed: the script
never prints a figure it did not measure.

Run ``python3 benchmarks/metering.py`` (1,000,000 rows), ``--rows 10000000`` for ten
million, ``--paths csv`` or ``--cases few`` to run a part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import gc
import json
import operator
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

CHANNELS = ("phone", "chat", "email", "social")
CHANNEL_WEIGHTS = (0.50, 0.30, 0.15, 0.05)
LANGUAGES = ("en", "de", "fr", "es", "it")
LANGUAGE_WEIGHTS = (0.40, 0.25, 0.15, 0.12, 0.08)
_BASE = {"phone": Decimal("0.9500"), "chat": Decimal("0.7200"),
         "email": Decimal("0.6100"), "social": Decimal("0.6800")}  # fmt: skip
_FACTOR = {"en": Decimal("1.000"), "de": Decimal("1.125"), "fr": Decimal("1.085"),
           "es": Decimal("1.040"), "it": Decimal("1.065")}  # fmt: skip
_CTX = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)
RATES: dict[tuple[str, str], Decimal] = {
    (channel, language): _CTX.multiply(_BASE[channel], _FACTOR[language]).quantize(
        Decimal("0.0001"), context=_CTX
    )
    for channel in CHANNELS
    for language in LANGUAGES
}
METRIC = "handle_seconds"
PERIOD = "2026-11"
ZONE = "Europe/Berlin"
# November 2026 in Europe/Berlin (CET, +01:00 all month), in UTC
START = dt.datetime(2026, 10, 31, 23, tzinfo=dt.timezone.utc)
END = dt.datetime(2026, 11, 30, 23, tzinfo=dt.timezone.utc)
MINIMUM_RATE = Decimal("0.70")
PERCENT = 5
SEED = 2026

PATHS = {
    "records": (
        "naive Decimal loop",
        "meterprice Event + invoice",
        "meterprice Event.many + invoice",
    ),
    "csv": ("polars read_csv", "duckdb read_csv", "meterprice price_file", "meterprice columnar"),
    "parquet": (
        "polars scan_parquet",
        "duckdb read_parquet",
        "meterprice price_file",
        "meterprice columnar",
    ),
    "arrow": ("polars from_arrow", "duckdb arrow", "meterprice columnar"),
}
BASELINES = ("naive Decimal loop", "polars", "duckdb")


def minimum_minutes(rows: int) -> int:
    """The social channel's minimum volume: above its usage, so that it bills."""
    return rows // 5


# -- data -----------------------------------------------------------------------------------
def make_columns(rows: int, case: str) -> dict[str, Any]:
    """Deterministic columns as numpy arrays: quantity in ms, UTC epoch seconds."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    channel = rng.choice(len(CHANNELS), size=rows, p=CHANNEL_WEIGHTS).astype(np.int8)
    language = rng.choice(len(LANGUAGES), size=rows, p=LANGUAGE_WEIGHTS).astype(np.int8)
    first = int(START.timestamp()) - 86_400
    last = int(END.timestamp()) + 86_400
    at = rng.integers(first, last, size=rows, dtype=np.int64)
    if case == "few":
        seconds = np.clip(rng.lognormal(5.0, 0.9, size=rows).astype(np.int64), 5, 3600)
        millis = seconds * 1000
    else:
        millis = np.clip(
            rng.lognormal(5.0 + 6.907755, 0.9, size=rows).astype(np.int64), 5000, 3_600_000
        )
    return {"channel": channel, "language": language, "at": at, "millis": millis}


def quantity_texts(millis: Any, case: str) -> list[str] | list[int]:
    if case == "few":
        return (millis // 1000).tolist()  # type: ignore[no-any-return]
    return [f"{m // 1000}.{m % 1000:03d}" for m in millis.tolist()]


def make_records(rows: int, case: str) -> list[tuple[str, Any, dt.datetime, str, str]]:
    """What a reader of a call log holds: tuples with a datetime and str or int quantity."""
    cols = make_columns(rows, case)
    utc = dt.timezone.utc
    epoch = dt.datetime(1970, 1, 1, tzinfo=utc)
    stamps = [epoch + dt.timedelta(seconds=s) for s in cols["at"].tolist()]
    return [
        (METRIC, q, at, LANGUAGES[lang], CHANNELS[ch])
        for q, at, lang, ch in zip(
            quantity_texts(cols["millis"], case),
            stamps,
            cols["language"].tolist(),
            cols["channel"].tolist(),
            strict=True,
        )
    ]


def make_table(rows: int, case: str) -> Any:
    """The usage-file columns as a pyarrow table (decimal128 quantities for ``many``)."""
    import pyarrow as pa

    cols = make_columns(rows, case)
    if case == "few":
        quantity = pa.array(cols["millis"] // 1000, pa.int64())
    else:
        texts = quantity_texts(cols["millis"], case)
        quantity = pa.array(texts, pa.string()).cast(pa.decimal128(18, 3))
    return pa.table(
        {
            "metric": pa.array([METRIC] * rows, pa.string()),
            "quantity": quantity,
            "timestamp": pa.array(cols["at"], pa.int64()).cast(pa.timestamp("s", tz="UTC")),
            "language": pa.array(LANGUAGES, pa.string()).take(pa.array(cols["language"])),
            "channel": pa.array(CHANNELS, pa.string()).take(pa.array(cols["channel"])),
        }
    )


def write_files(rows: int, case: str, folder: Path) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = make_table(rows, case)
    pq.write_table(table, folder / f"{case}-{rows}.parquet")
    cols = make_columns(rows, case)
    stamps = np.char.add(np.datetime_as_string(cols["at"].astype("datetime64[s]"), unit="s"), "Z")
    text = pa.table(
        {
            "metric": table["metric"],
            "quantity": pa.array([str(q) for q in quantity_texts(cols["millis"], case)]),
            "timestamp": pa.array(stamps.tolist(), pa.string()),
            "language": table["language"],
            "channel": table["channel"],
        }
    )
    options = pacsv.WriteOptions(quoting_style="none")
    pacsv.write_csv(text, folder / f"{case}-{rows}.csv", write_options=options)


# -- the contract and the expected invoice --------------------------------------------------
def make_contract(rows: int) -> Any:
    from meterprice import Contract, Meter, MinimumVolume, Percentage, PerUnit

    return Contract(
        "Pay per use, EFIGS",
        "EUR",
        [
            *(
                PerUnit(
                    f"{channel}/{language}",
                    metric="handle_minutes",
                    rate=f"{RATES[channel, language]} EUR",
                    where={"channel": channel, "language": language},
                    unit="min",
                    tags={"usage"},
                )
                for channel in CHANNELS
                for language in LANGUAGES
            ),
            MinimumVolume(
                "Minimum volume, social",
                metric="handle_minutes",
                where={"channel": "social"},
                quantity=minimum_minutes(rows),
                rate=f"{MINIMUM_RATE} EUR",
                tags={"usage"},
            ),
            Percentage("Project management", percent=PERCENT, of={"usage"}),
        ],
        meters=[
            Meter(
                "handle_minutes",
                source=METRIC,
                from_unit="second",
                unit="minute",
                increment=6,
                group_by=["channel", "language"],
            )
        ],
        timezone=ZONE,
    )


def _cents(value: Fraction) -> Decimal:
    """Round half up to the cent, exactly."""
    cents, rest = divmod(value * 100, 1)
    if rest >= Fraction(1, 2):
        cents += 1
    return Decimal(int(cents)).scaleb(-2)


def finish(seconds: dict[tuple[str, str], Fraction], rows: int) -> dict[str, Decimal]:
    """The invoice lines from billed seconds per (channel, language), in exact arithmetic."""
    lines: dict[str, Decimal] = {}
    for (channel, language), total in sorted(seconds.items()):
        if total:
            lines[f"{channel}/{language}"] = _cents(total / 60 * Fraction(RATES[channel, language]))
    social = sum((t for (ch, _), t in seconds.items() if ch == "social"), Fraction(0)) / 60
    shortfall = minimum_minutes(rows) - social
    if shortfall > 0:
        lines["Minimum volume, social"] = _cents(shortfall * Fraction(MINIMUM_RATE))
    usage = sum(lines.values(), Decimal(0))
    lines["Project management"] = _cents(Fraction(usage) * PERCENT / 100)
    return lines


def invoice_lines(invoice: Any) -> dict[str, Decimal]:
    return {line.component: line.amount.amount for line in invoice.lines if line.amount.amount}


# -- the jobs -------------------------------------------------------------------------------
_SIX = Decimal(6)
_DEC = decimal.Context(prec=28, traps=[decimal.Inexact, decimal.InvalidOperation])


def naive(
    records: Sequence[tuple[str, Any, dt.datetime, str, str]], rows: int
) -> dict[str, Decimal]:
    seconds: dict[tuple[str, str], Decimal] = {}
    zero, one = Decimal(0), Decimal(1)
    for metric, quantity, at, language, channel in records:
        if metric == METRIC and START <= at < END:
            blocks, rest = _DEC.divmod(Decimal(quantity), _SIX)
            if rest:
                blocks = _DEC.add(blocks, one)
            key = (channel, language)
            seconds[key] = _DEC.add(seconds.get(key, zero), _DEC.multiply(blocks, _SIX))
    return finish({key: Fraction(value) for key, value in seconds.items()}, rows)


def _from_groups(
    frame_rows: Sequence[tuple[str, str, int]], case: str, rows: int
) -> dict[str, Decimal]:
    scale = 1 if case == "few" else 1000
    return finish({(ch, lang): Fraction(int(total), scale) for ch, lang, total in frame_rows}, rows)


def polars_job(source: Any, kind: str, case: str, rows: int) -> dict[str, Decimal]:
    import polars as pl

    if kind == "csv":
        frame = pl.read_csv(source, schema_overrides={"quantity": pl.Utf8}).lazy()
        frame = frame.with_columns(
            pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_zone="UTC")
        )
    elif kind == "parquet":
        frame = pl.scan_parquet(source)
    else:
        frame = pl.from_arrow(source).lazy()  # type: ignore[union-attr]
    if case == "few":
        quantity = pl.col("quantity").cast(pl.Int64)
        step = 6
    elif kind == "csv":
        quantity = pl.col("quantity").str.replace(".", "", literal=True).cast(pl.Int64)
        step = 6000
    else:
        quantity = (pl.col("quantity") * 1000).cast(pl.Int64)
        step = 6000
    result = (
        frame.filter(
            (pl.col("metric") == METRIC)
            & (pl.col("timestamp") >= START)
            & (pl.col("timestamp") < END)
        )
        .group_by("channel", "language")
        .agg((((quantity + (step - 1)) // step) * step).sum().alias("billed"))
        .collect()
    )
    return _from_groups(result.rows(), case, rows)


def duckdb_job(source: Any, kind: str, case: str, rows: int) -> dict[str, Decimal]:
    import duckdb

    con = duckdb.connect()
    if kind == "csv":
        qtype = "BIGINT" if case == "few" else "DECIMAL(18,3)"
        relation = (
            f"read_csv('{source}', header=true, columns={{'metric': 'VARCHAR', "
            f"'quantity': '{qtype}', 'timestamp': 'TIMESTAMPTZ', 'language': 'VARCHAR', "
            "'channel': 'VARCHAR'})"
        )
    elif kind == "parquet":
        relation = f"read_parquet('{source}')"
    else:
        con.register("calls", source)
        relation = "calls"
    quantity, step = ("quantity", 6) if case == "few" else ("CAST(quantity * 1000 AS BIGINT)", 6000)
    sql = (
        f"SELECT channel, language, SUM((({quantity} + {step - 1}) // {step}) * {step}) "
        f"FROM {relation} WHERE metric = '{METRIC}' "
        f"AND timestamp >= TIMESTAMPTZ '{START.isoformat()}' "
        f"AND timestamp < TIMESTAMPTZ '{END.isoformat()}' GROUP BY ALL"
    )
    return _from_groups(con.sql(sql).fetchall(), case, rows)


def columnar() -> Any | None:
    """``meterprice.columnar.meter_table`` when installed, else None."""
    try:
        import meterprice.columnar._engine  # noqa: F401 - imported before timing, as polars is
        from meterprice.columnar import meter_table
    except ImportError:
        return None
    return meter_table


def prepare(
    kind: str, job: str, case: str, rows: int, folder: Path
) -> Callable[[], dict[str, Decimal]] | None:
    """The timed callable of one measurement (its input made ready, not timed), or None
    when that path is not available in this installation."""
    contract = make_contract(rows)
    csv_file = folder / f"{case}-{rows}.csv"
    parquet_file = folder / f"{case}-{rows}.parquet"
    if kind == "records":
        from meterprice import Event

        records = make_records(rows, case)
        if job == "naive Decimal loop":
            return lambda: naive(records, rows)
        if job == "meterprice Event + invoice":

            def objects() -> dict[str, Decimal]:
                events = [
                    Event(m, q, at, {"language": lang, "channel": ch})
                    for m, q, at, lang, ch in records
                ]
                return invoice_lines(contract.invoice(events, PERIOD))

            return objects
        many = getattr(Event, "many", None)
        if many is None:
            return None

        def columns() -> dict[str, Decimal]:
            # the columns of the records (zip(*records) would build a million iterators)
            quantities, stamps, languages, channels = (
                list(map(operator.itemgetter(index), records)) for index in range(1, 5)
            )
            dims = {"language": languages, "channel": channels}
            return invoice_lines(contract.invoice(many(METRIC, quantities, stamps, dims), PERIOD))

        return columns
    source: Any = {"csv": csv_file, "parquet": parquet_file}.get(kind)
    if kind == "arrow":
        import pyarrow.parquet as pq

        source = pq.read_table(parquet_file)
    # every library is imported before timing (meterprice is too), so that no job
    # pays for an import inside its measurement
    if job.startswith("polars"):
        import polars  # noqa: F401

        return lambda: polars_job(source, kind, case, rows)
    if job.startswith("duckdb"):
        import duckdb  # noqa: F401

        return lambda: duckdb_job(source, kind, case, rows)
    if job == "meterprice price_file":
        from meterprice.periods import Period
        from meterprice.usagefiles import UsageFile, price_file

        period = Period.parse(PERIOD)
        return lambda: invoice_lines(price_file(contract, UsageFile(source), [period])[0])
    meter_table = columnar()
    if meter_table is None:
        return None
    if kind == "csv":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        # quantities are read as text: inferred, millisecond durations become floats,
        # which the engine refuses (they are not exact)
        text = pacsv.ConvertOptions(column_types={"quantity": pa.string()})

        def from_csv() -> dict[str, Decimal]:
            table = pacsv.read_csv(source, convert_options=text)
            return invoice_lines(contract.invoice(meter_table(contract, table, PERIOD), PERIOD))

        return from_csv
    if kind == "parquet":
        import pyarrow.parquet as pq

        # the text columns read as dictionaries (as Parquet stores them), which the
        # engine uses as they are
        words = ["metric", "language", "channel"]
        return lambda: invoice_lines(
            contract.invoice(
                meter_table(contract, pq.read_table(source, read_dictionary=words), PERIOD),
                PERIOD,
            )
        )
    return lambda: invoice_lines(contract.invoice(meter_table(contract, source, PERIOD), PERIOD))


def measure(kind: str, job: str, case: str, rows: int, folder: Path, repeat: int) -> dict[str, Any]:
    run = prepare(kind, job, case, rows, folder)
    if run is None:
        return {"seconds": None}
    best, lines = float("inf"), {}
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        lines = run()
        best = min(best, time.perf_counter() - began)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"seconds": best, "lines": {k: str(v) for k, v in lines.items()}, "rss_kib": peak}


def primitives(rows: int) -> None:
    """The costs of the steps no columnar engine on pyarrow can skip, on the ``few``
    Arrow table, next to polars doing the whole job: what bounds the arrow ratio."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import polars  # noqa: F401 - imported before timing
    import pyarrow as pa
    import pyarrow.compute as pc

    from meterprice.columnar._encoding import _codes

    table = make_table(rows, "few")
    language, channel = (table.column(name).combine_chunks() for name in ("language", "channel"))
    columns = [pa.chunked_array([language]), pa.chunked_array([channel])]
    pool = ThreadPoolExecutor(max_workers=2)
    stamps = pc.cast(table.column("timestamp"), "int64").to_numpy()
    seconds = table.column("quantity").to_numpy()
    key = (stamps % 31) * 20 + seconds % 20

    def best(job: Callable[[], object]) -> float:
        times = []
        for _ in range(5):
            began = time.perf_counter()
            job()
            times.append(time.perf_counter() - began)
        return min(times) * 1000

    steps: list[tuple[str, Callable[[], object]]] = [
        ("polars: the whole arrow job", lambda: polars_job(table, "arrow", "few", rows)),
        ("dictionary_encode, one string column", language.dictionary_encode),
        (
            "dictionary_encode, two columns in two threads",
            lambda: list(pool.map(lambda column: column.dictionary_encode(), [language, channel])),
        ),
        (
            "the engine's codes of one string column",
            lambda: _codes(columns[0], split=False),
        ),
        (
            "the engine's codes of two columns in two threads",
            lambda: list(pool.map(lambda column: _codes(column, split=False), columns)),
        ),
        ("pyarrow.compute.equal on the metric column", lambda: pc.equal(table["metric"], METRIC)),
        ("(timestamp + offset) // day on int64", lambda: (stamps + 3600) // 86400),
        ("ceil to 6-second increments", lambda: -((-seconds) // 6) * 6),
        ("numpy.bincount with weights", lambda: np.bincount(key, weights=seconds)),
    ]
    print(f"primitive costs, {rows:,} rows (best of 5, one process):")
    for name, job in steps:
        print(f"  {name:<48} {best(job):8.1f} ms")


# -- the report -----------------------------------------------------------------------------
def _baseline_of(job: str) -> str | None:
    for name in BASELINES:
        if job.startswith(name.split()[0]):
            return name
    return None


def _one_step(args: argparse.Namespace) -> int:
    """Write the files, print the primitive costs or take one measurement."""
    if args.write:
        write_files(int(args.write[0]), args.write[1], Path(args.write[2]))
    elif args.primitives:
        primitives(args.rows)
    else:
        kind, job, case, rows, folder = args.measure
        print(json.dumps(measure(kind, job, case, int(rows), Path(folder), args.repeat)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per measurement (3)")
    parser.add_argument("--paths", nargs="*", default=list(PATHS), choices=list(PATHS))
    parser.add_argument("--cases", nargs="*", default=["few", "many"], choices=["few", "many"])
    parser.add_argument(
        "--primitives", action="store_true", help="the costs of the engine's steps, then exit"
    )
    parser.add_argument("--measure", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write or args.primitives or args.measure:
        return _one_step(args)

    rows = args.rows
    print(f"meterprice metering benchmark: {rows:,} rows, best of {args.repeat}, one process each")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          f"columnar engine: {'installed' if columnar() else 'not installed'}")  # fmt: skip
    header = f"{'case':<5} {'path':<8} {'job':<32} {'rows':>11} {'seconds':>8} {'rows/s':>11} " \
             f"{'vs naive':>8} {'vs polars':>9} {'vs duckdb':>9} {'peak RSS':>9}"  # fmt: skip
    failures = 0
    with tempfile.TemporaryDirectory(prefix="meterprice-bench-") as tmp:
        folder = Path(tmp)
        for case in args.cases:
            if {"csv", "parquet", "arrow"} & set(args.paths):
                # in a subprocess too: a child inherits its parent's peak RSS
                command = [sys.executable, __file__, "--write", str(rows), case, str(folder)]
                subprocess.run(command, check=True)
            print()
            print(header)
            expected: dict[str, str] | None = None
            for kind in args.paths:
                times: dict[str, float] = {}
                for job in PATHS[kind]:
                    command = [sys.executable, __file__, "--repeat", str(args.repeat),
                               "--measure", kind, job, case, str(rows), str(folder)]  # fmt: skip
                    out = subprocess.run(command, capture_output=True, text=True, check=False)
                    if out.returncode != 0:
                        print(f"{case:<5} {kind:<8} {job:<32} FAILED\n{out.stderr[-2000:]}")
                        failures += 1
                        continue
                    result = json.loads(out.stdout.strip().splitlines()[-1])
                    seconds = result["seconds"]
                    if seconds is None:
                        print(f"{case:<5} {kind:<8} {job:<32} {rows:>11,} {'n/a':>8}")
                        continue
                    if expected is None:
                        expected = result["lines"]
                    elif result["lines"] != expected:
                        print(f"MISMATCH {case} {kind} {job}: {result['lines']} != {expected}")
                        failures += 1
                    baseline = _baseline_of(job)
                    if baseline is not None:
                        times[baseline] = seconds
                    ratios = [
                        f"{times[b] / seconds:.2f}x" if b in times and baseline is None else "-"
                        for b in BASELINES
                    ]
                    print(f"{case:<5} {kind:<8} {job:<32} {rows:>11,} {seconds:>8.3f} "
                          f"{rows / seconds:>11,.0f} {ratios[0]:>8} {ratios[1]:>9} {ratios[2]:>9} "
                          f"{result['rss_kib'] / 1024:>7,.0f} MiB")  # fmt: skip
            if expected is not None:
                total = sum((Decimal(v) for v in expected.values()), Decimal(0))
                print(f"check ({case}): every job gave the same {len(expected)} lines, "
                      f"total {total} EUR")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
