"""Benchmark: the per-invoice cost of pricing usage summaries, against plain Decimal.

One contract (a rate per handled minute for 4 channels x 5 languages, plus project
management at 5 % of the usage lines) prices 12 monthly what-if summaries written
down with ``Usage.from_totals``: no events, so the figure is the overhead of one
invoice (pricing contexts, exact charges, explanations, rounding, lines). The same
run times a straightforward Decimal computation of the same amounts (no
explanations, no checks), checks that every total agrees to the cent, and prints
invoices per second for both.

Run ``python3 benchmarks/pricing.py`` (``--repeat 5`` for a quick run).
"""

from __future__ import annotations

import argparse
import decimal
import functools
import gc
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from meterprice import Contract, Dimensions, Invoice, Percentage, PerUnit, Usage

CHANNELS = ("phone", "chat", "email", "social")
LANGUAGES = ("en", "de", "fr", "es", "it")
PM_PERCENT = Decimal(5)
MONTHS = tuple(f"2026-{month:02d}" for month in range(1, 13))

_CTX = decimal.Context(prec=28, traps=[decimal.Inexact, decimal.InvalidOperation])
_ROUND = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)
_ZERO, _HUNDRED, _CENT = Decimal(0), Decimal(100), Decimal("0.01")

#: EUR per minute for each (channel, language), four decimals.
RATES: dict[tuple[str, str], Decimal] = {
    (channel, language): Decimal(f"0.{6000 + 97 * index:04d}")
    for index, (channel, language) in enumerate(
        (channel, language) for channel in CHANNELS for language in LANGUAGES
    )
}

#: Minutes per (channel, language) for one month: multiples of 0.1 (6-second billing).
Scenario = dict[tuple[str, str], Decimal]


def make_scenarios(seed: int = 2026) -> list[Scenario]:
    """Twelve deterministic months of minute totals."""
    rng = random.Random(seed)
    return [
        {key: Decimal(rng.randrange(1_000, 400_000)).scaleb(-1) for key in RATES} for _ in MONTHS
    ]


def make_contract() -> Contract:
    """Rates per minute by channel and language, and 5 % project management."""
    rates = [
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
    ]
    pm = Percentage("Project management", percent=PM_PERCENT, of={"usage"})
    return Contract("What-if pricing", "EUR", [*rates, pm])


def make_usages(scenarios: Sequence[Scenario]) -> list[Usage]:
    """The scenarios as meterprice usage summaries."""
    return [
        Usage.from_totals(
            {
                ("handle_minutes", Dimensions({"channel": channel, "language": language})): minutes
                for (channel, language), minutes in scenario.items()
            }
        )
        for scenario in scenarios
    ]


def meterprice_totals(contract: Contract, usages: Sequence[Usage]) -> list[Invoice]:
    """The system under test: one itemized invoice per month."""
    return [contract.invoice(usage, month) for usage, month in zip(usages, MONTHS, strict=True)]


def baseline_totals(scenarios: Sequence[Scenario]) -> list[Decimal]:
    """A straightforward Decimal computation of each month's total."""
    totals = []
    for scenario in scenarios:
        subtotal = _ZERO
        for key, minutes in scenario.items():
            line = _CTX.multiply(minutes, RATES[key]).quantize(_CENT, context=_ROUND)
            subtotal = _CTX.add(subtotal, line)
        share = _CTX.divide(_CTX.multiply(subtotal, PM_PERCENT), _HUNDRED)
        totals.append(_CTX.add(subtotal, share.quantize(_CENT, context=_ROUND)))
    return totals


def interleaved_best(repeat: int, *runs: Callable[[], object]) -> list[tuple[float, object]]:
    """Run each callable ``repeat`` times, alternating between them; the fastest time
    of each (seconds) and its last result."""
    best = [float("inf")] * len(runs)
    results: list[object] = [None] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            gc.collect()
            began = time.perf_counter()
            results[index] = run()
            best[index] = min(best[index], time.perf_counter() - began)
    return list(zip(best, results, strict=True))


def rate(count: int, seconds: float, what: str = "invoice", whats: str = "invoices") -> str:
    return f"{count / seconds:>10,.0f} {whats}/s  ({seconds * 1e3 / count:,.3f} ms per {what})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="best of N runs (20)")
    # `nox -s bench -- --events 100000` passes the same options to every script:
    # ignore those of the metering benchmark.
    args, _ = parser.parse_known_args(argv)
    repeat = max(1, args.repeat)

    print(f"meterprice pricing benchmark: {len(MONTHS)} monthly summaries, best of {repeat}")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}) "
          f"on {platform.machine()}, {platform.system()}")  # fmt: skip
    contract = make_contract()
    scenarios = make_scenarios()
    began = time.perf_counter()
    usages = make_usages(scenarios)
    built = time.perf_counter() - began
    (ours, invoices), (theirs, expected) = interleaved_best(
        repeat,
        lambda: meterprice_totals(contract, usages),
        lambda: baseline_totals(scenarios),
    )
    assert isinstance(invoices, list)
    assert isinstance(expected, list)
    got = [invoice.total.amount for invoice in invoices]
    if got != expected:
        raise AssertionError(f"meterprice totals {got} != baseline {expected}")
    count = len(MONTHS)
    print(
        f"build usage summaries   {rate(count, built, 'summary', 'summaries')}  (not in the ratio)"
    )
    print(f"meterprice invoice      {rate(count, ours)}")
    print(f"baseline Decimal        {rate(count, theirs)}")
    print(f"ratio                   {theirs / ours:.3f}x the baseline")
    print(f"check: {count} invoices of {len(invoices[0].lines)} lines, totals equal "
          f"(first {invoices[0].total}, last {invoices[-1].total})")  # fmt: skip
    return scaling(max(1, repeat // 4))


def square(size: int) -> tuple[Contract, Usage, Decimal]:
    """``size`` rate lines, each pricing one of ``size`` usage groups, and the total a
    plain Decimal loop computes for them."""
    contract = Contract(
        f"{size} rates",
        "EUR",
        [
            PerUnit(
                f"queue {i}",
                metric="minutes",
                rate=f"0.{5000 + i:04d} EUR",
                where={"queue": f"q{i}"},
                unit="min",
            )
            for i in range(size)
        ],
    )
    totals = {("minutes", (("queue", f"q{i}"),)): f"{1000 + 7 * i}.5" for i in range(size)}
    expected = _ZERO
    for i in range(size):
        amount = _CTX.multiply(Decimal(f"{1000 + 7 * i}.5"), Decimal(f"0.{5000 + i:04d}"))
        expected = _CTX.add(expected, amount.quantize(_CENT, context=_ROUND))
    return contract, Usage.from_totals(totals), expected


def scaling(repeat: int) -> int:
    """Pricing must grow with components + groups, not components x groups: time one
    invoice of 100 rates x 100 groups and one of 500 x 500 (target: at most 5x)."""
    times: dict[int, float] = {}
    for size in (100, 500):
        contract, usage, expected = square(size)
        run = functools.partial(contract.invoice, usage, "2026-11")
        ((best, invoice),) = interleaved_best(repeat, run)
        assert isinstance(invoice, Invoice)
        if invoice.total.amount != expected:
            raise AssertionError(f"{size}x{size}: {invoice.total.amount} != {expected}")
        times[size] = best
        print(f"{size} rates x {size} groups  {best * 1000:,.1f} ms per invoice, "
              f"total {invoice.total} == baseline {expected} EUR")  # fmt: skip
    ratio = times[500] / times[100]
    print(f"scaling                 500x500 takes {ratio:.2f}x the time of 100x100 "
          f"(target <= 5x: {'met' if ratio <= 5 else 'not met'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
