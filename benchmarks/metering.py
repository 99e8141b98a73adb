"""Benchmark: meter and price one month of call events, against a plain Decimal loop.

One million synthetic call events (4 channels x 5 languages, handle time in whole
seconds, timestamps over November 2026 plus a few just outside it) are metered with
a per-call 6-second increment into minutes per channel and language, then priced at
a rate per minute for each combination. The same run times a straightforward
per-event ``Decimal`` loop doing the same job on the same records, checks that both
give the same amounts to the cent, and prints events per second and the ratio.

Run ``python3 benchmarks/metering.py`` (``--events 100000 --repeat 1`` for a quick
run, ``--memory`` to also measure peak memory with :mod:`tracemalloc`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import gc
import platform
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from decimal import Decimal

from meterprice import Contract, Event, Invoice, Meter, PerUnit

CHANNELS = ("phone", "chat", "email", "social")
CHANNEL_WEIGHTS = (50, 30, 15, 5)
LANGUAGES = ("en", "de", "fr", "es", "it")  # EFIGS
LANGUAGE_WEIGHTS = (40, 25, 15, 12, 8)

# EUR per handled minute: a channel base rate times a language factor, written out
# to four decimals so that most line amounts need rounding to the cent.
_BASE = {"phone": Decimal("0.9500"), "chat": Decimal("0.7200"),
         "email": Decimal("0.6100"), "social": Decimal("0.6800")}  # fmt: skip
_FACTOR = {"en": Decimal("1.000"), "de": Decimal("1.125"), "fr": Decimal("1.085"),
           "es": Decimal("1.040"), "it": Decimal("1.065")}  # fmt: skip
_RATES_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)
RATES: dict[tuple[str, str], Decimal] = {
    (channel, language): _RATES_CONTEXT.multiply(_BASE[channel], _FACTOR[language]).quantize(
        Decimal("0.0001"), context=_RATES_CONTEXT
    )
    for channel in CHANNELS
    for language in LANGUAGES
}

PERIOD = "2026-11"
START = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
END = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
OUTSIDE_SHARE = 0.005  # events on 31 October or 1 December (not billed in November)

#: (timestamp, handle seconds, channel, language): what a reader of a call log holds.
Record = tuple[dt.datetime, int, str, str]


def make_records(count: int, seed: int = 2026) -> list[Record]:
    """Deterministic call records: lognormal handle times from 5 s to 1 h."""
    rng = random.Random(seed)
    channels = rng.choices(CHANNELS, CHANNEL_WEIGHTS, k=count)
    languages = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS, k=count)
    month = int((END - START).total_seconds())
    day = 86_400
    records: list[Record] = []
    for channel, language in zip(channels, languages, strict=True):
        seconds = min(3600, max(5, int(rng.lognormvariate(5.0, 0.9))))  # median ~148 s
        if rng.random() < OUTSIDE_SHARE:
            offset = rng.randrange(-day, 0) if rng.random() < 0.5 else month + rng.randrange(day)
        else:
            offset = rng.randrange(month)
        records.append((START + dt.timedelta(seconds=offset), seconds, channel, language))
    return records


def make_events(records: Sequence[Record]) -> list[Event]:
    """meterprice events, built through the validating constructor as a reader would."""
    return [
        Event("handle_seconds", seconds, at, {"channel": channel, "language": language})
        for at, seconds, channel, language in records
    ]


def make_contract() -> Contract:
    """Pay per handled minute, 6-second billing, a rate per channel and language."""
    return Contract(
        "Pay per use, EFIGS",
        "EUR",
        [
            PerUnit(
                f"{channel}/{language}",
                metric="handle_minutes",
                rate=f"{RATES[channel, language]} EUR",
                where={"channel": channel, "language": language},
                unit="min",
            )
            for channel in CHANNELS
            for language in LANGUAGES
        ],
        meters=[
            Meter(
                "handle_minutes",
                source="handle_seconds",
                from_unit="second",
                unit="minute",
                increment=6,
                group_by=["channel", "language"],
            )
        ],
    )


def meterprice_amounts(contract: Contract, events: list[Event]) -> Invoice:
    """The system under test: meter and price the raw events end to end."""
    return contract.invoice(events, PERIOD)


# The baseline does all its arithmetic through an explicit context (never the
# ambient one); 28 digits hold any sum of seconds here exactly (Inexact traps), and
# each amount is rounded once, half up, to the cent.
_CTX = decimal.Context(prec=28, traps=[decimal.Inexact, decimal.InvalidOperation])
_ROUND = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)
_ZERO, _ONE, _SIX, _SIXTY, _CENT = (Decimal(v) for v in ("0", "1", "6", "60", "0.01"))


def baseline_amounts(records: Sequence[Record]) -> dict[tuple[str, str], Decimal]:
    """A straightforward per-event Decimal loop doing the same job as the contract."""
    seconds: dict[tuple[str, str], Decimal] = {}
    for at, duration, channel, language in records:
        if START <= at < END:
            blocks, rest = _CTX.divmod(Decimal(duration), _SIX)
            if rest:
                blocks = _CTX.add(blocks, _ONE)
            key = (channel, language)
            seconds[key] = _CTX.add(seconds.get(key, _ZERO), _CTX.multiply(blocks, _SIX))
    return {
        key: _CTX.multiply(_CTX.divide(total, _SIXTY), RATES[key]).quantize(_CENT, context=_ROUND)
        for key, total in seconds.items()
    }


def interleaved_best(repeat: int, *runs: Callable[[], object]) -> list[tuple[float, object]]:
    """Run each callable ``repeat`` times, alternating between them so that a busy
    machine slows them alike; the fastest time of each (seconds) and its last result."""
    best = [float("inf")] * len(runs)
    results: list[object] = [None] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            gc.collect()
            began = time.perf_counter()
            results[index] = run()
            best[index] = min(best[index], time.perf_counter() - began)
    return list(zip(best, results, strict=True))


def check_same(invoice: Invoice, expected: dict[tuple[str, str], Decimal]) -> Decimal:
    """Fail unless every line and the total agree to the cent (also under ``-O``);
    return the baseline's total."""
    got = {tuple(line.component.split("/")): line.amount.amount for line in invoice.lines}
    if got != expected:
        raise AssertionError(f"meterprice lines {got} != baseline {expected}")
    baseline_total = _ZERO
    for amount in expected.values():
        baseline_total = _CTX.add(baseline_total, amount)
    if invoice.total.amount != baseline_total:
        raise AssertionError(f"meterprice total {invoice.total} != baseline {baseline_total}")
    return baseline_total


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>12,.0f} events/s  ({seconds * 1000:,.1f} ms)"


def measure_memory(count: int, contract: Contract) -> None:
    """Peak memory (tracemalloc) of the records, of the events built from them, and
    of one invoice run on top of both."""
    gc.collect()
    tracemalloc.start()
    records = make_records(count)
    held_records, _ = tracemalloc.get_traced_memory()
    events = make_events(records)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    contract.invoice(events, PERIOD)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mib = 1024 * 1024
    held_events = held - held_records
    print(f"memory: records {held_records / mib:,.1f} MiB; Event objects "
          f"{held_events / mib:,.1f} MiB on top ({held_events / count:,.0f} B/event, "
          "timestamps shared with the records)")  # fmt: skip
    print(f"memory: invoice peak {(peak - held) / mib:,.1f} MiB above records and events")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events (1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (3)")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    args = parser.parse_args(argv)
    count, repeat = args.events, max(1, args.repeat)

    print(f"meterprice metering benchmark: {count:,} call events, best of {repeat}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}) "
          f"on {platform.machine()}, {platform.system()}")  # fmt: skip

    began = time.perf_counter()
    records = make_records(count)
    generated = time.perf_counter() - began
    began = time.perf_counter()
    events = make_events(records)
    built = time.perf_counter() - began
    print(f"generate records        {rate(count, generated)}  (not in the ratio)")
    print(f"build Event objects     {rate(count, built)}  (not in the ratio)")

    contract = make_contract()
    (ours, invoice), (theirs, expected) = interleaved_best(
        repeat,
        lambda: meterprice_amounts(contract, events),
        lambda: baseline_amounts(records),
    )
    assert isinstance(invoice, Invoice)
    assert isinstance(expected, dict)
    total = check_same(invoice, expected)
    billed = sum(1 for at, *_ in records if START <= at < END)

    print(f"meterprice invoice      {rate(count, ours)}")
    print(f"baseline Decimal loop   {rate(count, theirs)}")
    print(f"ratio                   {theirs / ours:.2f}x the baseline")
    print(f"check: {len(invoice.lines)} lines, {billed:,} events in {PERIOD}, "
          f"total {invoice.total} == baseline {total} EUR")  # fmt: skip
    if args.memory:
        del events, records, invoice
        measure_memory(count, contract)
    return 0


if __name__ == "__main__":
    sys.exit(main())
