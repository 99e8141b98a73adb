"""The ``meterprice`` command: quote, explain and compare contracts on usage files,
validate contract documents, print their JSON Schema, and run the demo.

Exit codes: 0 success; 1 a contract, usage file or pricing error (the message on
stderr names the file and the path of the problem); 2 a usage error (unknown option,
missing file, ...). User errors never print a traceback.
"""

from __future__ import annotations

import argparse
import contextvars
import csv
import importlib
import io
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NoReturn

from meterprice import __version__
from meterprice import _decimal as d
from meterprice._documents import (
    OUTPUT_VERSION,
    compare_document,
    error_document,
    quote_document,
    validate_document,
)
from meterprice.analysis import volumes
from meterprice.columnar import ColumnMapping
from meterprice.components.carrying import Carried, CarryingComponent
from meterprice.contract import Contract
from meterprice.corrections import rerate
from meterprice.dimensions import Dimensions
from meterprice.documents import credit_note_schema, invoice_schema
from meterprice.errors import MeterpriceError
from meterprice.examples._models import BUILDERS
from meterprice.invoice import Invoice
from meterprice.money import Money
from meterprice.periods import Period
from meterprice.spec import SpecError, contract_schema, demo_periods, load_contract, read_document
from meterprice.usage import Usage, display_quantity
from meterprice.usagefiles import FORMATS, DailyUsage, UsageFile, UsageFileError, meter_file

__all__ = ["PROGRESS_MIN_BYTES", "main"]

#: Usage files at least this large show a progress bar when stderr is a terminal.
PROGRESS_MIN_BYTES = 8 << 20

_MAX_ROWS = 10_000


class _UsageError(Exception):
    """A command line that cannot be run (exit code 2)."""


class _CommandError(Exception):
    """A contract, usage or pricing error already described (exit code 1)."""


#: Whether errors are written as a JSON document (``--format json`` on the command line).
_JSON_ERRORS = contextvars.ContextVar("json_errors", default=False)


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for ``--format json`` (read before parsing it, so
    that an error in the command line itself is written as JSON too).
    """
    words = list(argv)
    return "--format=json" in words or any(
        a == "--format" and b == "json" for a, b in itertools.pairwise(words)
    )


def _json_error(
    out: IO[str], command: str, message: str, problems: Sequence[dict[str, Any]] = ()
) -> None:
    """The error document of ``--format json``: the message and every problem."""
    found = list(problems) or [{"path": "", "message": message}]
    document = error_document(command, message, found)
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if _JSON_ERRORS.get():
            command = self.prog.removeprefix("meterprice").strip() or "meterprice"
            _json_error(_Output(sys.stdout), command, message)  # type: ignore[arg-type]
            self.exit(2)
        # the message quotes the command line as given: escape it as any output
        self.print_usage(sys.stderr)
        _Output(sys.stderr).write(f"{self.prog}: error: {message}\n")
        self.exit(2)


# -- output ---------------------------------------------------------------------------------


# C0 and C1 control characters but the line feed: a contract's strings and a usage
# file's dimension values must not move the cursor or retitle a terminal
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _safe(text: str, *, terminal: bool) -> str:
    """``text`` with unpaired surrogates and, for a terminal, control characters escaped."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if terminal:
        safe = _CONTROL.sub(lambda match: ascii(match[0])[1:-1], safe)
    return safe


class _Output(io.TextIOBase):
    r"""A text stream writing what it is given safely.

    Unpaired surrogates (from a usage file's undecodable bytes or a contract built
    in Python) are written as ``\udcxx`` instead of failing to encode; on a terminal,
    control characters are written as ``\x1b`` and the like.
    """

    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self._stream = stream
        try:
            self._terminal = stream.isatty()
        except (OSError, ValueError):
            self._terminal = False

    @property
    def raw(self) -> IO[str]:
        """The stream written to, for the command's own control sequences."""
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(_safe(text, terminal=self._terminal))
        return len(text)

    def isatty(self) -> bool:
        return self._terminal

    def flush(self) -> None:
        self._stream.flush()


# -- progress -------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on ``stream`` for reading a file of ``size`` bytes."""

    def __init__(self, stream: IO[str], label: str) -> None:
        self.stream = stream.raw if isinstance(stream, _Output) else stream
        self.label = _safe(label, terminal=True)
        self.shown = False

    def __call__(self, done: int, size: int) -> None:
        share = 1.0 if size <= 0 else min(done / size, 1.0)
        width = 30
        filled = round(share * width)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the bar's line."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _progress_for(path: Path, args: argparse.Namespace, err: IO[str]) -> Progress | None:
    if args.no_progress or not err.isatty():
        return None
    return (
        Progress(err, f"reading {path.name}") if path.stat().st_size >= PROGRESS_MIN_BYTES else None
    )


# -- inputs ---------------------------------------------------------------------------------


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _load(path: str) -> Contract:
    file = Path(path)
    if not file.is_file():
        raise _UsageError(f"cannot read contract {path!r}: no such file")
    return load_contract(file)


def _periods(args: argparse.Namespace, contract: Contract) -> list[Period]:
    """The invoices to price: each billing period of the contract that ``--period`` (or
    ``--from``/``--to``, whole billing periods) covers, cut to it and to the term.
    """
    if args.period is not None:
        if args.start is not None or args.stop is not None:
            raise _UsageError("give either --period or --from/--to, not both")
        span = args.period
    elif args.start is None or args.stop is None:
        raise _UsageError("give the period to price: --period 2026-11, or --from and --to")
    elif args.stop.end <= args.start.start:
        raise _UsageError(f"--to {args.stop} is before --from {args.start}")
    else:
        span = Period(
            contract.cycle.period_of(args.start.start).start,
            contract.cycle.period_of(args.stop.last_day).end,
        )
    periods = []
    for billing in contract.cycle.periods(span.start, span.end):
        cut = billing.overlap(span)
        if cut is not None and contract.term.within(cut) is not None:
            periods.append(cut)
        if len(periods) > _MAX_ROWS:
            raise _UsageError(f"{span} spans more than {_MAX_ROWS} billing periods")
    if not periods:
        raise _CommandError(
            f"{span} is outside the term {contract.term} of contract {contract.name!r}"
        )
    return periods


def _usage_file(path: str, args: argparse.Namespace, err: IO[str]) -> UsageFile:
    file = Path(path)
    if not file.is_file():
        raise _UsageError(f"cannot read usage file {path!r}: no such file")
    columns = None
    if args.column or args.metric or args.dimension:
        try:
            columns = ColumnMapping.parse(
                args.column, metric=args.metric, dimensions=args.dimension
            )
        except MeterpriceError as error:
            raise _UsageError(str(error)) from None
    return UsageFile(
        file,
        format=args.usage_format,
        skip_bad_rows=args.skip_bad_rows,
        progress=_progress_for(file, args, err),
        name=path,
        columns=columns,
    )


def _meter(
    contracts: Sequence[Contract],
    file: UsageFile,
    periods: Sequence[Period],
    *,
    strict: bool = True,
) -> list[DailyUsage]:
    """Meter ``file`` for every contract in one pass over it."""
    try:
        return meter_file(contracts, file, periods, strict=strict)
    finally:
        if isinstance(file.progress, Progress):
            file.progress.close()


def _report_skipped(file: UsageFile, err: IO[str]) -> None:
    if file.bad_count:
        err.write(f"meterprice: warning: skipped {file.bad_count} bad row(s) in {file.name}\n")
        for row in file.bad_rows[:5]:
            err.write(f"  {row}\n")
        if file.bad_count > 5:
            err.write(f"  ... and {file.bad_count - 5} more\n")


# -- output helpers -------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int]) -> str:
    """A plain text table; the columns ``right`` (numbers) are right-aligned."""
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([fmt(headers), rule, *map(fmt, rows)])


def _total(invoices: Sequence[Invoice]) -> Money:
    currency = invoices[0].currency
    return Money(d.total(invoice.total.amount for invoice in invoices), currency)


_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$", re.ASCII)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: prefix ``'``);
    numbers such as ``-12.50`` stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def _csv_text(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


_QUOTE_COLUMNS = (
    "row",
    "contract",
    "period_start",
    "period_end",
    "component",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "exact_amount",
    "currency",
    "tags",
    "basis",
)


def _quote_csv(invoices: Sequence[Invoice]) -> str:
    rows: list[list[object]] = [list(_QUOTE_COLUMNS)]
    for invoice in invoices:
        start, end = invoice.period.start.isoformat(), invoice.period.end.isoformat()
        for line in invoice.lines:
            data = line.to_dict()
            rows.append(
                [
                    "line",
                    invoice.contract,
                    start,
                    end,
                    data["component"],
                    data["description"],
                    "" if line.shown_quantity is None else d.to_text(line.shown_quantity),
                    data["unit"] or "",
                    data["unit_price"] or "",
                    data["amount"],
                    data["exact_amount"],
                    invoice.currency.code,
                    ";".join(data["tags"]),
                    data["basis"],
                ]
            )
        total = str(invoice.total.amount)
        rows.append(
            [
                "total",
                invoice.contract,
                start,
                end,
                "",
                "Total",
                "",
                "",
                "",
                total,
                total,
                invoice.currency.code,
                "",
                "",
            ]
        )
    return _csv_text(rows)


def _usage_info(file: UsageFile, daily: DailyUsage) -> dict[str, Any]:
    return {
        "file": file.name,
        "events": file.events_read,
        "skipped_rows": file.bad_count,
        "outside_period": daily.ignored,
        "duplicate_events": daily.total.duplicates.count,  # repeats of an id, counted once
        "duplicate_ids": list(daily.total.duplicates.ids),
    }


# -- commands -------------------------------------------------------------------------------


def _priced(path: str, contract: Contract, daily: DailyUsage, period: Period) -> Invoice:
    """The invoice of ``period``; a pricing error names the contract's file."""
    try:
        return contract.invoice(daily.total, period)
    except MeterpriceError as error:
        raise _CommandError(f"{path}: {error}") from None


def _priced_all(
    path: str, contract: Contract, daily: DailyUsage, periods: Sequence[Period]
) -> list[Invoice]:
    """The invoices of ``periods`` (in order); a contract with terms spanning invoices
    (a commitment, a ceiling, balances) prices each from the state the one before left.
    """
    every = contract.components + tuple(c for a in contract.versions for c in a.components)
    if not any(isinstance(component, CarryingComponent) for component in every):
        return [_priced(path, contract, daily, period) for period in periods]
    state = Carried()
    invoices: list[Invoice] = []
    for period in periods:
        try:
            run = contract.bill(daily.total, period, opening=state)
        except MeterpriceError as error:
            raise _CommandError(f"{path}: {error}") from None
        invoices.extend(run.invoices)
        state = run.closing
    return invoices


def _metered(
    paths: Sequence[str],
    contracts: Sequence[Contract],
    file: UsageFile,
    periods: Sequence[Period],
    *,
    strict: bool = True,
) -> list[DailyUsage]:
    """:func:`_meter`, with a metering error naming the usage file and the contract."""
    try:
        return _meter(contracts, file, periods, strict=strict)
    except UsageFileError:
        raise
    except MeterpriceError as error:
        which = f" for {paths[0]}" if len(paths) == 1 else ""
        raise _CommandError(f"{file.name}{which}: {error}") from None


def _cmd_quote(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    contract = _load(args.contract)
    periods = _periods(args, contract)
    file = _usage_file(args.usage, args, err)
    # unpriced = "ignore": usage of metrics no component prices is left out, not refused
    strict = contract.unpriced != "ignore"
    (daily,) = _metered([args.contract], [contract], file, periods, strict=strict)
    invoices = _priced_all(args.contract, contract, daily, periods)
    _report_skipped(file, err)
    if args.format == "json":
        document = quote_document(contract, invoices, _usage_info(file, daily))
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        out.write(_quote_csv(invoices))
    else:
        out.write("\n\n".join(str(invoice) for invoice in invoices) + "\n")
        if len(invoices) > 1:
            total = _total(invoices)
            out.write(f"\nTotal of {len(invoices)} periods: {total.amount:,f} {total.currency}\n")
    return 0


def _usage_lines(contract: Contract, usage: Usage) -> list[str]:
    lines = []
    for metric, dims, quantity in usage.items():
        where = f" [{dims}]" if dims else ""
        lines.append(f"  {metric}{where}: {display_quantity(quantity):f}")
    return lines or ["  (none)"]


def _cmd_explain(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    contract = _load(args.contract)
    periods = _periods(args, contract)
    file = _usage_file(args.usage, args, err)
    strict = contract.unpriced != "ignore"
    (daily,) = _metered([args.contract], [contract], file, periods, strict=strict)
    invoices = _priced_all(args.contract, contract, daily, periods)
    _report_skipped(file, err)
    if args.line is not None:
        return _explain_line(args.line, contract, invoices, out, json_format=args.format == "json")
    if args.format == "json":
        document = {
            **quote_document(contract, invoices, _usage_info(file, daily)),
            "command": "explain",
            "explanations": [invoice.explain() for invoice in invoices],
        }
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return 0
    blocks = []
    for period, invoice in zip(periods, invoices, strict=True):
        text = [invoice.explain(), "", f"Usage metered in {period} ({contract.timezone}):"]
        text.extend(_usage_lines(contract, daily.total.within(period)))
        if contract.meters:
            text.append("Meters:")
            text.extend(f"  {meter.describe()}" for meter in contract.meters)
        blocks.append("\n".join(text))
    out.write("\n\n".join(blocks) + "\n")
    return 0


def _explain_line(
    name: str, contract: Contract, invoices: Sequence[Invoice], out: IO[str], *, json_format: bool
) -> int:
    """How the lines of component or description ``name`` were computed, per period."""
    found = [
        (invoice, [line for line in invoice.lines if name in (line.component, line.description)])
        for invoice in invoices
    ]
    if not any(lines for _, lines in found):
        names = sorted({line.component for invoice in invoices for line in invoice.lines})
        raise _UsageError(
            f"no line of {contract.name!r} is called {name!r} "
            f"(its components with lines: {', '.join(map(repr, names)) or 'none'})"
        )
    if json_format:
        document = {
            "meterprice": OUTPUT_VERSION,
            "command": "explain",
            "contract": contract.name,
            "line": name,
            "periods": [
                {
                    "period": str(invoice.period),
                    "lines": [{**line.to_dict(), "explanation": line.explain()} for line in lines],
                }
                for invoice, lines in found
            ],
        }
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return 0
    blocks = [
        "\n".join(
            [f"{contract.name}, {invoice.period}:", *(f"  {line.explain()}" for line in lines)]
        )
        for invoice, lines in found
        if lines
    ]
    out.write("\n\n".join(blocks) + "\n")
    return 0


_VOLUME = re.compile(r"^(?P<metric>[^\[\]=\s]+)(?:\[(?P<dims>[^\]]*)\])?=(?P<values>.+)$")


def _volume(text: str) -> tuple[str, Dimensions, tuple[Decimal, ...]]:
    match = _VOLUME.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            f"not a volume: {text!r} (write metric=START:STOP:STEP, metric=VALUE or "
            "metric[dimension=value,...]=START:STOP:STEP)"
        )
    pairs = {}
    for item in filter(None, (match["dims"] or "").split(",")):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"not a dimension=value pair: {item!r} in {text!r}")
        pairs[name.strip()] = value.strip()
    parts = match["values"].split(":")
    try:
        if len(parts) == 1:
            values: tuple[Decimal, ...] = (d.to_decimal(parts[0], what="volume"),)
        elif len(parts) == 3:
            values = volumes(*parts, most=_MAX_ROWS)
        else:
            raise ValueError("write START:STOP:STEP or a single VALUE")
    except (ValueError, TypeError) as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None
    return match["metric"], Dimensions(pairs), values


def _volume_label(metric: str, dims: Dimensions) -> str:
    return f"{metric}[{dims}]" if dims else metric


def _cmd_compare(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    contracts = [_load(path) for path in args.contracts]
    if (args.usage is None) == (not args.volume):
        raise _UsageError("give the usage to compare on: --usage FILE or --volume metric=...")
    labels: list[str]
    keys: list[dict[str, str]]
    totals: list[list[Money]]
    if args.usage is not None:
        periods = _periods(args, contracts[0])
        file = _usage_file(args.usage, args, err)
        # each contract reads the metrics it meters and leaves the others out
        dailies = _metered(args.contracts, contracts, file, periods, strict=False)
        _report_skipped(file, err)
        labels = ["period"]
        keys = [{"period": str(period)} for period in periods]
        totals = [
            [
                _priced(path, contract, daily, period).total
                for path, contract, daily in zip(args.contracts, contracts, dailies, strict=True)
            ]
            for period in periods
        ]
    else:
        if args.period is None or args.start is not None or args.stop is not None:
            raise _UsageError("--volume prices one period: give --period (not --from/--to)")
        sweeps = args.volume
        grid = list(itertools.product(*(values for _, _, values in sweeps)))
        if len(grid) > _MAX_ROWS:
            raise _UsageError(f"the volumes give {len(grid)} combinations; at most {_MAX_ROWS}")
        labels = [_volume_label(metric, dims) for metric, dims, _ in sweeps]
        keys, totals = [], []
        for combination in grid:
            usage = Usage.from_totals(
                {
                    (metric, dims): value
                    for (metric, dims, _), value in zip(sweeps, combination, strict=True)
                }
            )
            keys.append(
                {label: str(value) for label, value in zip(labels, combination, strict=True)}
            )
            row = []
            for path, contract in zip(args.contracts, contracts, strict=True):
                try:
                    row.append(contract.invoice(usage, args.period, spread=args.spread).total)
                except MeterpriceError as error:
                    raise _CommandError(f"{path}: {error}") from None
            totals.append(row)
    names = [contract.name for contract in contracts]
    same_currency = len({contract.currency for contract in contracts}) == 1
    cheapest = [
        [names[i] for i, total in enumerate(row) if total == min(row)] if same_currency else []
        for row in totals
    ]
    if args.format == "json":
        document = compare_document(
            list(zip(contracts, args.contracts, strict=True)),
            list(zip(keys, totals, cheapest, strict=True)),
        )
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return 0
    headers = [*labels, *(f"{c.name} ({c.currency.code})" for c in contracts)]
    rows: list[list[str]] = [
        [*key.values(), *(f"{total.amount:,f}" for total in row)]
        for key, row in zip(keys, totals, strict=True)
    ]
    if args.format == "csv":
        plain = [
            [*key.values(), *(str(total.amount) for total in row)]
            for key, row in zip(keys, totals, strict=True)
        ]
        out.write(_csv_text([[*labels, *names], *plain]))
        return 0
    if same_currency:
        headers.append("cheapest")
        for cells, best in zip(rows, cheapest, strict=True):
            cells.append(", ".join(best))
    numbers = range(len(labels), len(labels) + len(contracts))
    out.write(_table(headers, rows, right=numbers) + "\n")
    return 0


def _cmd_validate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if args.format == "json":
        return _validate_json(args.contracts, out)
    failed = 0
    for path in args.contracts:
        try:
            contract = _load(path)
        except SpecError as error:
            err.write(f"meterprice: error: {error}\n")
            failed += 1
            continue
        out.write(
            f"{path}: ok ({contract.name!r}, {contract.currency.code}, "
            f"{len(contract.components)} component(s), {len(contract.meters)} meter(s))\n"
        )
    return 1 if failed else 0


def _validate_json(paths: Sequence[str], out: IO[str]) -> int:
    """Every document checked: the valid ones, or every problem of the others."""
    valid: list[tuple[str, Contract]] = []
    problems: list[dict[str, Any]] = []
    for path in paths:
        try:
            valid.append((path, _load(path)))
        except SpecError as error:
            problems.extend(
                {"file": path, "path": problem.path, "message": problem.message}
                for problem in error.problems
            )
    if problems:
        failed = len({p["file"] for p in problems})
        message = f"{failed} of {len(paths)} contract documents are not valid"
        document = error_document("validate", message, problems)
        document["contracts"] = validate_document(valid)["contracts"]
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return 1
    out.write(json.dumps(validate_document(valid), indent=2, ensure_ascii=False) + "\n")
    return 0


def _cmd_schema(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    schema = (
        invoice_schema()
        if args.document == "invoice"
        else credit_note_schema()
        if args.document == "credit_note"
        else contract_schema()
    )
    out.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    return 0


def _cmd_rerate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    if not Path(args.original).is_file():
        raise _UsageError(f"cannot read invoice {args.original!r}: no such file")
    original = Invoice.from_dict(read_document(args.original, format="json"), source=args.original)
    contract = _load(args.contract)
    file = _usage_file(args.usage, args, err)
    (daily,) = _metered([args.contract], [contract], file, [original.period])
    try:
        note = rerate(original, contract, daily.total, reason=args.reason, reference=args.reference)
    except MeterpriceError as error:
        raise _CommandError(f"{args.contract}: {error}") from None
    _report_skipped(file, err)
    if args.format == "json":
        out.write(json.dumps(note.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(note.explain() + "\n")
    return 0


def _cmd_serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    try:
        server = importlib.import_module("meterprice.server")
    except ImportError as error:
        raise _UsageError(str(error)) from None
    settings = server.Settings(max_request_bytes=args.max_request_bytes, max_events=args.max_events)
    server.serve(settings, host=args.host, port=args.port)
    return 0


def _examples_dir() -> Path:
    try:
        examples = importlib.import_module("meterprice.examples")
    except ImportError:
        raise _UsageError("the example catalogue (meterprice.examples) is not installed") from None
    assert examples.__file__ is not None  # a regular package, not a namespace
    return Path(examples.__file__).parent


def _seed_order(path: Path) -> tuple[int, str]:
    """The bundled examples in seed order (000, then 004 section 1 to 7), others after."""
    names = [build.__name__ for build in BUILDERS]
    stem = path.name.removesuffix(".toml")
    return (names.index(stem) if stem in names else len(names), path.name)


def _cmd_demo(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    folder = args.examples or _examples_dir()
    documents = sorted(Path(folder).glob("*.toml"), key=_seed_order)
    if not documents:
        raise _UsageError(f"no example contracts (*.toml) in {folder}")
    blocks = []
    examples: list[dict[str, Any]] = []
    for path in documents:
        contract = load_contract(path)
        periods = demo_periods(read_document(path))
        usage_path = next(
            (
                p
                for p in (path.with_suffix(".usage.csv"), path.with_suffix(".usage.jsonl"))
                if p.is_file()
            ),
            None,
        )
        if not periods:
            raise _CommandError(
                f'{path.name}: give the period to price in a [demo] table (period = "2026-11")'
            )
        heading = f"== {path.name}: {contract.name}"
        usage: dict[str, Any] = {}
        if usage_path is None:
            invoices = [contract.invoice(Usage(), period) for period in periods]  # fixed fees
        else:
            file = UsageFile(usage_path)
            (daily,) = _metered([path.name], [contract], file, periods)
            invoices = _priced_all(path.name, contract, daily, periods)
            heading += f" (usage: {usage_path.name}, {file.events_read} events)"
            usage = _usage_info(file, daily)
        blocks.append("\n\n".join([heading, *(str(invoice) for invoice in invoices)]))
        examples.append({"file": path.name, **quote_document(contract, invoices, usage)})
    if args.format == "json":
        document = {"meterprice": OUTPUT_VERSION, "command": "demo", "examples": examples}
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return 0
    out.write("\n\n".join(blocks) + "\n")
    return 0


# -- parser ---------------------------------------------------------------------------------


def _add_periods(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("periods")
    group.add_argument(
        "--period",
        type=_period,
        metavar="PERIOD",
        help="the period to price: 2026-11, 2026-Q4, 2026, 2026-11-05 or 2026-11-01..2026-11-16",
    )
    group.add_argument(
        "--from",
        dest="start",
        type=_period,
        metavar="PERIOD",
        help="price every billing period from the one containing this period's start ...",
    )
    group.add_argument(
        "--to",
        dest="stop",
        type=_period,
        metavar="PERIOD",
        help="... to the one containing this period's end (inclusive)",
    )


def _add_usage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="price the usage file without the rows that cannot be read (they are counted)",
    )
    parser.add_argument(
        "--usage-format",
        choices=FORMATS,
        help="the usage file's format (default: from its name, *.csv, *.jsonl, *.parquet, *.arrow)",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="read a role from another column: metric, quantity, timestamp, id (event ids: "
        "repeats count once), or start and end (the quantity is then the duration in "
        "seconds); e.g. timestamp=start_time",
    )
    parser.add_argument(
        "--metric", help="one metric for every row of the usage file (e.g. handle_seconds)"
    )
    parser.add_argument(
        "--dimension",
        action="append",
        metavar="NAME[=COLUMN]",
        help="a dimension column (renamed with NAME=COLUMN); default: every other column",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )


def _add_explain(commands: Any) -> None:
    """The ``explain`` command."""
    explain = commands.add_parser("explain", help="show how each invoice line was computed")
    explain.add_argument("contract", help="the contract document (*.toml or *.json)")
    explain.add_argument("usage", help="the usage file (*.csv or *.jsonl, optionally .gz)")
    _add_periods(explain)
    explain.add_argument(
        "--line", metavar="NAME", help="explain only the lines of this component (or description)"
    )
    explain.add_argument("--format", choices=("text", "json"), default="text")
    _add_usage_options(explain)
    explain.set_defaults(func=_cmd_explain)


def _add_serve(commands: Any) -> None:
    """The ``serve`` command (the HTTP service)."""
    serve = commands.add_parser("serve", help="run the HTTP service (the server extra)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on")
    serve.add_argument(
        "--max-request-bytes", type=int, default=64 << 20, help="the largest request body taken"
    )
    serve.add_argument(
        "--max-events", type=int, default=1_000_000, help="the most events one request prices"
    )
    serve.add_argument(
        "--format", choices=("text", "json"), default="text", help="how errors are written"
    )
    serve.set_defaults(func=_cmd_serve)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="meterprice",
        description="Exact, explainable invoices for service contracts.",
        epilog="Run 'meterprice COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"meterprice {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    quote = commands.add_parser("quote", help="price a usage file into itemized invoices")
    quote.add_argument("contract", help="the contract document (*.toml or *.json)")
    quote.add_argument("usage", help="the usage file (*.csv or *.jsonl, optionally .gz)")
    _add_periods(quote)
    quote.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _add_usage_options(quote)
    quote.set_defaults(func=_cmd_quote)

    _add_explain(commands)

    compare = commands.add_parser(
        "compare", help="price several contracts on the same usage, side by side"
    )
    compare.add_argument("contracts", nargs="+", metavar="CONTRACT", help="contract documents")
    compare.add_argument("--usage", help="the usage file to price")
    compare.add_argument(
        "--volume",
        action="append",
        type=_volume,
        default=[],
        metavar="METRIC=START:STOP:STEP",
        help=(
            "price what-if totals of a billable metric instead (STOP included; repeat for "
            "a grid; METRIC[dimension=value,...] selects dimensions)"
        ),
    )
    compare.add_argument(
        "--spread",
        choices=("days",),
        default=None,
        help=(
            "spread what-if totals evenly over the period's days where a term or a "
            "component covers only part of it (otherwise such totals are refused)"
        ),
    )
    _add_periods(compare)
    compare.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _add_usage_options(compare)
    compare.set_defaults(func=_cmd_compare)

    validate = commands.add_parser("validate", help="check contract documents")
    validate.add_argument("contracts", nargs="+", metavar="CONTRACT", help="contract documents")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(func=_cmd_validate)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of contract (or invoice, credit note) documents"
    )
    which = schema.add_mutually_exclusive_group()
    which.add_argument(
        "--invoice",
        dest="document",
        action="store_const",
        const="invoice",
        help="the schema of invoice documents (quote --format json)",
    )
    which.add_argument(
        "--credit-note",
        dest="document",
        action="store_const",
        const="credit_note",
        help="the schema of credit note documents (rerate --format json)",
    )
    schema.add_argument("--format", choices=("json",), default="json", help="always JSON")
    schema.set_defaults(func=_cmd_schema, document="contract")

    rerating = commands.add_parser(
        "rerate", help="re-price an invoice's period and print the credit (or debit) note"
    )
    rerating.add_argument("original", help="the original invoice document (*.json)")
    rerating.add_argument("contract", help="the contract document (*.toml or *.json)")
    rerating.add_argument("usage", help="the usage file of the period, late rows included")
    rerating.add_argument("--reason", required=True, help="why the invoice is corrected")
    rerating.add_argument("--reference", help="the credit note's own number")
    rerating.add_argument("--format", choices=("table", "json"), default="table")
    _add_usage_options(rerating)
    rerating.set_defaults(func=_cmd_rerate)

    _add_serve(commands)

    demo = commands.add_parser("demo", help="price the bundled example contracts")
    demo.add_argument("--examples", type=Path, help=argparse.SUPPRESS)
    demo.add_argument("--format", choices=("text", "json"), default="text")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``meterprice`` command with ``argv`` (default: ``sys.argv[1:]``) and
    return its exit code.
    """
    if sys.stdout is None or sys.stderr is None:  # started with >&- or 2>&-
        if sys.stderr is not None:
            sys.stderr.write("meterprice: error: the standard output is closed\n")
        return 2
    out: IO[str] = _Output(sys.stdout)  # type: ignore[assignment]
    err: IO[str] = _Output(sys.stderr)  # type: ignore[assignment]
    parser = _parser()
    words = sys.argv[1:] if argv is None else list(argv)
    token = _JSON_ERRORS.set(_wants_json(words))
    try:
        try:
            args = parser.parse_args(words)
        except SystemExit as exit:
            return exit.code if isinstance(exit.code, int) else 2
        if _JSON_ERRORS.get():  # asked for on the command line, not a default
            return _run_json(args, out, err)
        return _run(args, out, err)
    finally:
        _JSON_ERRORS.reset(token)


def _problems_of(error: Exception) -> list[dict[str, Any]]:
    """Every problem an error knows, each with its file, path or line."""
    if isinstance(error, SpecError):
        return [
            {"file": error.source, "path": problem.path, "message": problem.message}
            for problem in error.problems
        ]
    if isinstance(error, UsageFileError):
        return [
            {"file": row.file, "line": row.line, "path": "", "message": row.reason}
            for row in error.bad_rows
        ]
    return []


def _run_json(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """A command whose errors are written as a JSON document on stdout (same exit codes)."""
    command: Callable[[argparse.Namespace, IO[str], IO[str]], int] = args.func
    code = 1
    problems: list[dict[str, Any]] = []
    try:
        return command(args, out, err)
    except BrokenPipeError:  # pragma: no cover - the reader of our output went away
        return 1
    except (_UsageError, OSError) as error:
        message, code = str(error), 2
    except (MeterpriceError, _CommandError) as error:
        message, problems = str(error).splitlines()[0], _problems_of(error)
    except KeyboardInterrupt:
        message, code = "interrupted", 130
    _json_error(out, args.command, message, problems)
    return code


def _run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """A command whose errors are written as text on stderr."""
    command: Callable[[argparse.Namespace, IO[str], IO[str]], int] = args.func
    try:
        return command(args, out, err)
    except _UsageError as error:
        err.write(f"meterprice {args.command}: error: {error}\n")
        return 2
    except UsageFileError as error:
        err.write(f"meterprice: error: {error}\n")
        if error.bad_count:
            err.write("meterprice: pass --skip-bad-rows to price the file without them\n")
        return 1
    except (MeterpriceError, _CommandError) as error:
        err.write(f"meterprice: error: {error}\n")
        return 1
    except BrokenPipeError:
        # the reader of our output went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as error:
        err.write(f"meterprice: error: {error}\n")
        return 2
    except KeyboardInterrupt:
        err.write("meterprice: interrupted\n")
        return 130
