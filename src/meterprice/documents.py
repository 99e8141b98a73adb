"""Invoice and credit note documents: the stable, versioned plain-data form of an
:class:`~meterprice.Invoice` and a :class:`~meterprice.corrections.CreditNote`, read
back exactly, and their JSON Schemas.

A document names its format and version (``"format": "meterprice.invoice/1"``).
Decimals are strings; exact amounts and quantities are written without losing a
digit (``"1172.775"``, or ``"1000/3"`` when they do not terminate), so that reading a
document back gives an equal value. Within one version, fields are only ever added,
optional and ignored by older readers' schemas only where stated; a change of shape
or meaning is a new version.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from meterprice import _decimal as d
from meterprice.corrections import CorrectionLine, CreditNote
from meterprice.dimensions import Dimensions
from meterprice.errors import MeterpriceError
from meterprice.ids import MAX_IDS, Duplicates
from meterprice.invoice import Invoice, Line, exact_text
from meterprice.money import Currency, Money, Rounding
from meterprice.payment import PaymentTerms, PromptDiscount
from meterprice.periods import Period
from meterprice.spec._errors import Path, Problem, SpecError, show
from meterprice.spec._types import Context, closest, float_message, wrong_type

__all__ = [
    "CREDIT_NOTE_FORMAT",
    "INVOICE_FORMAT",
    "DocumentError",
    "credit_note_from_dict",
    "credit_note_schema",
    "credit_note_to_dict",
    "invoice_from_dict",
    "invoice_schema",
    "invoice_to_dict",
    "line_to_dict",
]

#: The format and version of invoice documents.
INVOICE_FORMAT = "meterprice.invoice/1"

#: The format and version of credit note documents.
CREDIT_NOTE_FORMAT = "meterprice.credit_note/1"

#: Longest exact number read from a document, in characters (a fraction of two
#: 100-digit integers fits several times over).
MAX_NUMBER_TEXT = 1000

_T = TypeVar("_T")


class DocumentError(SpecError):
    """An invoice or credit note document that cannot be read, with every problem
    found in it, each with its path (``lines[2].exact_amount``) and value.
    """


# -- writing -----------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    """A decimal as plain text, never in exponent notation (``"0.00000027"``)."""
    return f"{value:f}"


def _exact(value: Fraction) -> str:
    """An exact number as text: every decimal when it terminates (``"1172.775"``),
    else the fraction in lowest terms (``"1000/3"``).
    """
    shown = exact_text(value)
    return shown if "/" in shown else _plain(Decimal(shown))


def _text(value: Fraction | None) -> str | None:
    return None if value is None else _exact(value)


def _period(period: Period | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def line_to_dict(line: Line) -> dict[str, Any]:
    """One invoice line as plain data (see :func:`invoice_schema`)."""
    return {
        "component": line.component,
        "description": line.description,
        "version": line.version,
        "dimensions": dict(line.dimensions),
        "active": _period(line.active),
        "quantity": _text(line.quantity),
        "unit": line.unit,
        "unit_price": None if line.unit_price is None else _plain(line.unit_price.amount),
        "amount": _plain(line.amount.amount),
        "exact_amount": _exact(line.exact),
        "original": None
        if line.original is None
        else {"amount": _plain(line.original.amount), "currency": line.original.currency.code},
        "basis": line.basis,
        "tags": sorted(line.tags),
    }


def _payment(invoice: Invoice) -> dict[str, Any] | None:
    terms = invoice.payment_terms
    if terms is None:
        return None
    return {
        "net_days": terms.net_days,
        "discounts": [
            {"days": discount.days, "percent": _plain(discount.percent)}
            for discount in terms.discounts
        ],
        "due_date": terms.due_date(invoice.date).isoformat(),
        "schedule": [
            {
                "by": due.by.isoformat(),
                "discount_percent": None if due.percent is None else _plain(due.percent),
                "exact_amount_due": _exact(due.exact),
                "amount_due": _plain(due.amount.amount),
            }
            for due in invoice.payment_schedule()
        ],
    }


def invoice_to_dict(invoice: Invoice) -> dict[str, Any]:
    """The invoice document of ``invoice`` (format :data:`INVOICE_FORMAT`).

    >>> from meterprice import Contract, PerUnit
    >>> minutes = PerUnit("Minutes", metric="minutes", rate="0.95 EUR")
    >>> document = (
    ...     Contract("Support", "EUR", [minutes])
    ...     .invoice({"minutes": "1234.5"}, "2026-11")
    ...     .to_dict()
    ... )
    >>> document["format"], document["total"], document["lines"][0]["exact_amount"]
    ('meterprice.invoice/1', '1172.78', '1172.775')
    """
    return {
        "format": INVOICE_FORMAT,
        "reference": invoice.reference,
        "issued": None if invoice.issued is None else invoice.issued.isoformat(),
        "contract": invoice.contract,
        "currency": invoice.currency.code,
        "rounding": invoice.rounding.name.lower(),
        "period": _period(invoice.period),
        "lines": [line_to_dict(line) for line in invoice.lines],
        "total": _plain(invoice.total.amount),
        "payment": _payment(invoice),
        "duplicates": {
            "count": invoice.duplicates.count,
            "ids": list(invoice.duplicates.ids),
        },
    }


def _correction_to_dict(line: CorrectionLine) -> dict[str, Any]:
    return {
        "component": line.component,
        "description": line.description,
        "version": line.version,
        "dimensions": dict(line.dimensions),
        "quantity": _text(line.quantity),
        "unit": line.unit,
        "original_amount": None if line.original is None else _plain(line.original.amount),
        "revised_amount": None if line.revised is None else _plain(line.revised.amount),
        "amount": _plain(line.amount.amount),
        "exact_amount": _exact(line.exact),
        "tags": sorted(line.tags),
    }


def credit_note_to_dict(note: CreditNote) -> dict[str, Any]:
    """The credit note document of ``note`` (format :data:`CREDIT_NOTE_FORMAT`)."""
    return {
        "format": CREDIT_NOTE_FORMAT,
        "kind": note.kind,
        "reference": note.reference,
        "original": note.original,
        "reason": note.reason,
        "contract": note.contract,
        "currency": note.currency.code,
        "period": _period(note.period),
        "lines": [_correction_to_dict(line) for line in note.lines],
        "total": _plain(note.total.amount),
        "exact_total": _exact(note.exact_total),
    }


# -- reading -----------------------------------------------------------------------------------

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_FRACTION = re.compile(r"(-?[0-9]+)/([1-9][0-9]*)")


class _Reader:
    """Reads the fields of one document, reporting every problem with its path."""

    def __init__(self, document: object) -> None:
        self.ctx = Context(document)

    def report(self, path: Path, message: str, value: object) -> None:
        self.ctx.report(path, message, value)

    def table(
        self, value: object, path: Path, keys: tuple[str, ...], what: str
    ) -> Mapping[str, Any] | None:
        """``value`` as a table with exactly ``keys`` (each missing or unknown one reported)."""
        if not isinstance(value, Mapping):
            self.report(path, wrong_type(what, value), value)
            return None
        for key in keys:
            if key not in value:
                self.report((*path, key), "is required", None)
        for key in value:
            if key not in keys:
                hint = closest(str(key), keys)
                self.report((*path, str(key)), f"unknown field{hint}", value[key])
        return value

    def field(
        self,
        table: Mapping[str, Any],
        path: Path,
        key: str,
        read: Callable[[object, Path], _T | None],
        *,
        optional: bool = False,
    ) -> _T | None:
        """``table[key]`` read by ``read``; ``None`` when missing (already reported),
        null and ``optional``, or invalid (reported by ``read``).
        """
        if key not in table:
            return None
        value = table[key]
        if value is None:
            if not optional:
                self.report((*path, key), "must not be null", value)
            return None
        return read(value, (*path, key))

    def string(self, value: object, path: Path) -> str | None:
        if not isinstance(value, str):
            self.report(path, wrong_type("a non-empty string", value), value)
            return None
        if not value.strip():
            self.report(path, f"must not be empty (got {show(value)})", value)
            return None
        return value

    def any_string(self, value: object, path: Path) -> str | None:
        if not isinstance(value, str):
            self.report(path, wrong_type("a string", value), value)
            return None
        return value

    def date(self, value: object, path: Path) -> dt.date | None:
        if not isinstance(value, str):
            self.report(path, wrong_type('an ISO date such as "2026-11-01"', value), value)
            return None
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date()
        except ValueError:
            self.report(path, f"is not an ISO date (YYYY-MM-DD) (got {show(value)})", value)
            return None

    def period(self, value: object, path: Path) -> Period | None:
        table = self.table(value, path, ("start", "end"), "a table with start and end")
        if table is None:
            return None
        start = self.field(table, path, "start", self.date)
        end = self.field(table, path, "end", self.date)
        if start is None or end is None:
            return None
        try:
            return Period(start, end)
        except MeterpriceError as error:
            self.report(path, f"{error}", value)
            return None

    def currency(self, value: object, path: Path) -> Currency | None:
        if not isinstance(value, str):
            self.report(path, wrong_type('an ISO 4217 code such as "EUR"', value), value)
            return None
        try:
            return Currency.of(value)
        except MeterpriceError:
            hint = closest(value[:3], Currency.codes())
            self.report(path, f"unknown currency code {show(value)}{hint}", value)
            return None

    def rounding(self, value: object, path: Path) -> Rounding | None:
        names = tuple(mode.name.lower() for mode in Rounding)
        if not isinstance(value, str) or value not in names:
            hint = closest(value, names) if isinstance(value, str) else ""
            self.report(path, f"must be one of {', '.join(names)}{hint} (got {show(value)})", value)
            return None
        return Rounding[value.upper()]

    def exact(self, value: object, path: Path) -> Fraction | None:
        """An exact number: a decimal string (``"-12.5"``) or a fraction (``"1000/3"``)."""
        if isinstance(value, float):
            self.report(path, float_message(value), value)
            return None
        if not isinstance(value, str):
            self.report(
                path, wrong_type('an exact number such as "12.5" or "1000/3"', value), value
            )
            return None
        if len(value) > MAX_NUMBER_TEXT:
            self.report(
                path, f"is longer than {MAX_NUMBER_TEXT} characters (got {show(value)})", value
            )
            return None
        if _DECIMAL.fullmatch(value):
            return Fraction(value)
        match = _FRACTION.fullmatch(value)
        if match:
            return Fraction(int(match.group(1)), int(match.group(2)))
        self.report(
            path, f'is not an exact number such as "12.5" or "1000/3" (got {show(value)})', value
        )
        return None

    def decimal(self, value: object, path: Path) -> Any:
        if isinstance(value, float):
            self.report(path, float_message(value), value)
            return None
        if (
            not isinstance(value, str)
            or len(value) > MAX_NUMBER_TEXT
            or not _DECIMAL.fullmatch(value)
        ):
            self.report(path, wrong_type('a decimal string such as "12.50"', value), value)
            return None
        try:
            return d.to_decimal(value, what="the value")
        except MeterpriceError as error:
            self.report(path, f"{error}", value)
            return None

    def money(self, value: object, path: Path, currency: Currency | None) -> Money | None:
        amount = self.decimal(value, path)
        if amount is None or currency is None:
            return None
        money = Money(amount, currency)
        if not money.is_rounded:
            self.report(
                path,
                f"must be rounded to the {currency.minor_units} decimals of "
                f"{currency.code} (got {show(value)})",
                value,
            )
            return None
        return money

    def original(self, value: object, path: Path) -> Money | None:
        """The rounded amount in the contract currency of a converted line."""
        problems = len(self.ctx.problems)
        table = self.table(value, path, ("amount", "currency"), "a table with amount and currency")
        if table is None:
            return None
        currency = self.field(table, path, "currency", self.currency)
        amount = self.field(table, path, "amount", lambda v, p: self.money(v, p, currency))
        if len(self.ctx.problems) > problems:
            return None
        return amount

    def days(self, value: object, path: Path) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(path, wrong_type("a whole number of days", value), value)
            return None
        return value

    def dimensions(self, value: object, path: Path) -> Dimensions | None:
        if not isinstance(value, Mapping):
            self.report(path, wrong_type('a table such as {"channel": "phone"}', value), value)
            return None
        good = True
        for key, item in value.items():
            if not isinstance(item, str):
                self.report((*path, str(key)), wrong_type("a string", item), item)
                good = False
            if not isinstance(key, str) or not key:
                self.report((*path, str(key)), "a dimension name must be a non-empty string", key)
                good = False
        return Dimensions(value) if good else None

    def tags(self, value: object, path: Path) -> frozenset[str] | None:
        if not isinstance(value, list):
            self.report(path, wrong_type("a list of strings", value), value)
            return None
        good = True
        for index, tag in enumerate(value):
            if self.string(tag, (*path, index)) is None:
                good = False
        return frozenset(value) if good else None

    def format(self, table: Mapping[str, Any], expected: str) -> bool:
        if "format" not in table:
            return False  # reported as required
        value = table["format"]
        if value == expected:
            return True
        kind = expected.split("/", 1)[0]
        if isinstance(value, str) and value.split("/", 1)[0] == kind:
            message = f"unsupported version {show(value)}: this meterprice reads {show(expected)}"
        else:
            message = f"must be {show(expected)} (got {show(value)})"
        self.report(("format",), message, value)
        return False

    def fail(self, source: str | None, what: str) -> DocumentError:
        problems = self.ctx.problems or [Problem("", f"the document is not a valid {what}", None)]
        return DocumentError(problems, source=source)


def _bad_date() -> dt.date:
    raise ValueError("not ten characters")


_LINE_KEYS = (
    "component",
    "description",
    "version",
    "dimensions",
    "active",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "exact_amount",
    "original",
    "basis",
    "tags",
)

_INVOICE_KEYS = (
    "format",
    "reference",
    "issued",
    "contract",
    "currency",
    "rounding",
    "period",
    "lines",
    "total",
    "payment",
    "duplicates",
)

_DUPLICATES_KEYS = ("count", "ids")

_PAYMENT_KEYS = ("net_days", "discounts", "due_date", "schedule")
_DISCOUNT_KEYS = ("days", "percent")
_DUE_KEYS = ("by", "discount_percent", "exact_amount_due", "amount_due")


def _read_lines(
    reader: _Reader,
    table: Mapping[str, Any],
    read: Callable[[_Reader, object, Path, Currency | None], _T | None],
    currency: Currency | None,
) -> list[_T]:
    """The document's ``lines``, each read by ``read``; a problem is reported with its
    path and the line left out (the document is refused as a whole afterwards).
    """
    lines: list[_T] = []
    raw_lines = table.get("lines")
    if "lines" in table and not isinstance(raw_lines, list):
        reader.report(("lines",), wrong_type("a list of lines", raw_lines), raw_lines)
    for index, item in enumerate(raw_lines if isinstance(raw_lines, list) else []):
        line = read(reader, item, ("lines", index), currency)
        if line is not None:
            lines.append(line)
    return lines


def _read_line(
    reader: _Reader, value: object, path: Path, currency: Currency | None
) -> Line | None:
    problems = len(reader.ctx.problems)
    table = reader.table(value, path, _LINE_KEYS, "a table (an invoice line)")
    if table is None:
        return None
    component = reader.field(table, path, "component", reader.string)
    description = reader.field(table, path, "description", reader.any_string)
    version = reader.field(table, path, "version", reader.string, optional=True)
    dimensions = reader.field(table, path, "dimensions", reader.dimensions)
    active = reader.field(table, path, "active", reader.period, optional=True)
    quantity = reader.field(table, path, "quantity", reader.exact, optional=True)
    unit = reader.field(table, path, "unit", reader.any_string, optional=True)
    unit_price = reader.field(
        table, path, "unit_price", lambda v, p: _unit_price(reader, v, p, currency), optional=True
    )
    amount = reader.field(table, path, "amount", lambda v, p: reader.money(v, p, currency))
    exact = reader.field(table, path, "exact_amount", reader.exact)
    original = reader.field(table, path, "original", reader.original, optional=True)
    basis = reader.field(table, path, "basis", reader.any_string)
    tags = reader.field(table, path, "tags", reader.tags)
    if len(reader.ctx.problems) > problems or currency is None:
        return None
    assert component is not None
    assert description is not None
    assert amount is not None
    assert exact is not None
    assert basis is not None
    assert tags is not None
    assert dimensions is not None
    return Line(
        component=component,
        description=description,
        amount=amount,
        exact=exact,
        basis=basis,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        tags=tags,
        dimensions=dimensions,
        active=active,
        version=version,
        original=original,
    )


def _unit_price(
    reader: _Reader, value: object, path: Path, currency: Currency | None
) -> Money | None:
    amount = reader.decimal(value, path)
    return None if amount is None or currency is None else Money(amount, currency)


def _read_terms(reader: _Reader, value: object, path: Path) -> PaymentTerms | None:
    problems = len(reader.ctx.problems)
    table = reader.table(value, path, _PAYMENT_KEYS, "a table (payment terms) or null")
    if table is None:
        return None
    net_days = reader.field(table, path, "net_days", reader.days)
    discounts: list[PromptDiscount] = []
    raw = table.get("discounts")
    if "discounts" in table and not isinstance(raw, list):
        reader.report((*path, "discounts"), wrong_type("a list", raw), raw)
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        where = (*path, "discounts", index)
        entry = reader.table(item, where, _DISCOUNT_KEYS, "a table with days and percent")
        if entry is None:
            continue
        days = reader.field(entry, where, "days", reader.days)
        percent = reader.field(entry, where, "percent", reader.decimal)
        if days is None or percent is None:
            continue
        try:
            discounts.append(PromptDiscount(days, percent))
        except MeterpriceError as error:
            reader.report(where, f"{error}", item)
    if len(reader.ctx.problems) > problems or net_days is None:
        return None
    try:
        return PaymentTerms(net_days, discounts)
    except MeterpriceError as error:
        reader.report(path, f"{error}", value)
        return None


def _check_payment(reader: _Reader, raw: Mapping[str, Any], invoice: Invoice) -> None:
    """The due date and schedule written must be the ones the terms give."""
    path: Path = ("payment",)
    assert invoice.payment_terms is not None
    due = invoice.payment_terms.due_date(invoice.date).isoformat()
    if raw.get("due_date") != due:
        reader.report(
            (*path, "due_date"),
            f"is not the due date of the terms ({due}) (got {show(raw.get('due_date'))})",
            raw.get("due_date"),
        )
    written = raw.get("schedule")
    expected = _payment(invoice)
    assert expected is not None
    if not isinstance(written, list):
        reader.report((*path, "schedule"), wrong_type("a list", written), written)
        return
    if len(written) != len(expected["schedule"]):
        reader.report(
            (*path, "schedule"),
            f"has {len(written)} entries but the terms give {len(expected['schedule'])}",
            None,
        )
        return
    for index, (entry, want) in enumerate(zip(written, expected["schedule"], strict=True)):
        where = (*path, "schedule", index)
        table = reader.table(entry, where, _DUE_KEYS, "a table (an amount due)")
        if table is None:
            continue
        for key in _DUE_KEYS:
            if key in table and table[key] != want[key] and not _same_number(table[key], want[key]):
                reader.report(
                    (*where, key),
                    f"does not follow from the terms and the total: expected "
                    f"{show(want[key])} (got {show(table[key])})",
                    table[key],
                )


def _same_number(written: object, expected: object) -> bool:
    if not isinstance(written, str) or not isinstance(expected, str):
        return False
    reader = _Reader(None)
    one, two = reader.exact(written, ()), reader.exact(expected, ())
    return one is not None and one == two


def _check_total(reader: _Reader, table: Mapping[str, Any], key: str, total: Money) -> None:
    written = table.get(key)
    if key in table and not _same_number(written, _plain(total.amount)):
        reader.report(
            (key,),
            f"is not the sum of the lines ({_plain(total.amount)}) (got {show(written)})",
            written,
        )


def _root(reader: _Reader, data: object, keys: tuple[str, ...], fmt: str) -> Mapping[str, Any]:
    what = f'a JSON object (a document of format "{fmt}")'
    table = reader.table(data, (), keys, what)
    return {} if table is None else table


def _read_duplicates(reader: _Reader, value: object, path: Path) -> Duplicates | None:
    """The report of repeated event ids: ``{"count": 3, "ids": ["c1", "c2"]}``."""
    table = reader.table(value, path, _DUPLICATES_KEYS, "a table with count and ids")
    if table is None or "count" not in table or "ids" not in table:
        return None
    count, ids = table["count"], table["ids"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        reader.report((*path, "count"), wrong_type("a whole number >= 0", count), count)
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        reader.report((*path, "ids"), wrong_type("a list of non-empty strings", ids), ids)
        return None
    try:
        return Duplicates(count, tuple(ids))
    except MeterpriceError as error:
        reader.report(path, f"{error}", value)
        return None


def invoice_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Invoice:
    """The :class:`~meterprice.Invoice` an invoice document describes.

    Every problem is reported at once in one :class:`DocumentError`, each with its
    path; the total and the payment schedule must be those the lines and terms give.
    """
    reader = _Reader(data)
    table = _root(reader, data, _INVOICE_KEYS, INVOICE_FORMAT)
    if not reader.format(table, INVOICE_FORMAT):
        raise reader.fail(source, "invoice document")
    reference = reader.field(table, (), "reference", reader.string, optional=True)
    issued = reader.field(table, (), "issued", reader.date, optional=True)
    contract = reader.field(table, (), "contract", reader.string)
    currency = reader.field(table, (), "currency", reader.currency)
    rounding = reader.field(table, (), "rounding", reader.rounding)
    period = reader.field(table, (), "period", reader.period)
    lines = _read_lines(reader, table, _read_line, currency)
    terms = reader.field(
        table, (), "payment", lambda v, p: _read_terms(reader, v, p), optional=True
    )
    duplicates = reader.field(table, (), "duplicates", lambda v, p: _read_duplicates(reader, v, p))
    if reader.ctx.problems:
        raise reader.fail(source, "invoice document")
    assert contract is not None
    assert currency is not None
    assert rounding is not None
    assert period is not None
    invoice = Invoice(
        contract,
        period,
        currency,
        rounding,
        lines,
        reference=reference,
        issued=issued,
        payment_terms=terms,
        duplicates=duplicates if duplicates is not None else Duplicates(),
    )
    _check_total(reader, table, "total", invoice.total)
    if terms is not None:
        _check_payment(reader, table["payment"], invoice)
    if reader.ctx.problems:
        raise reader.fail(source, "invoice document")
    return invoice


_NOTE_KEYS = (
    "format",
    "kind",
    "reference",
    "original",
    "reason",
    "contract",
    "currency",
    "period",
    "lines",
    "total",
    "exact_total",
)

_CORRECTION_KEYS = (
    "component",
    "description",
    "version",
    "dimensions",
    "quantity",
    "unit",
    "original_amount",
    "revised_amount",
    "amount",
    "exact_amount",
    "tags",
)


def _read_correction(
    reader: _Reader, value: object, path: Path, currency: Currency | None
) -> CorrectionLine | None:
    problems = len(reader.ctx.problems)
    table = reader.table(value, path, _CORRECTION_KEYS, "a table (a correction line)")
    if table is None:
        return None

    def money(v: object, p: Path) -> Money | None:
        return reader.money(v, p, currency)

    component = reader.field(table, path, "component", reader.string)
    description = reader.field(table, path, "description", reader.any_string)
    version = reader.field(table, path, "version", reader.string, optional=True)
    dimensions = reader.field(table, path, "dimensions", reader.dimensions)
    quantity = reader.field(table, path, "quantity", reader.exact, optional=True)
    unit = reader.field(table, path, "unit", reader.any_string, optional=True)
    original = reader.field(table, path, "original_amount", money, optional=True)
    revised = reader.field(table, path, "revised_amount", money, optional=True)
    amount = reader.field(table, path, "amount", money)
    exact = reader.field(table, path, "exact_amount", reader.exact)
    tags = reader.field(table, path, "tags", reader.tags)
    if len(reader.ctx.problems) > problems or currency is None:
        return None
    assert component is not None
    assert description is not None
    assert amount is not None
    assert exact is not None
    assert tags is not None
    assert dimensions is not None
    try:
        return CorrectionLine(
            component=component,
            description=description,
            amount=amount,
            exact=exact,
            original=original,
            revised=revised,
            quantity=quantity,
            unit=unit,
            dimensions=dimensions,
            version=version,
            tags=tags,
        )
    except MeterpriceError as error:
        reader.report(path, f"{error}", value)
        return None


def credit_note_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> CreditNote:
    """The :class:`~meterprice.corrections.CreditNote` a credit note document describes.

    Every problem is reported at once in one :class:`DocumentError`, each with its
    path; the kind and totals must be those the lines give.
    """
    reader = _Reader(data)
    table = _root(reader, data, _NOTE_KEYS, CREDIT_NOTE_FORMAT)
    if not reader.format(table, CREDIT_NOTE_FORMAT):
        raise reader.fail(source, "credit note document")
    reference = reader.field(table, (), "reference", reader.string, optional=True)
    original = reader.field(table, (), "original", reader.string, optional=True)
    reason = reader.field(table, (), "reason", reader.string)
    contract = reader.field(table, (), "contract", reader.string)
    currency = reader.field(table, (), "currency", reader.currency)
    period = reader.field(table, (), "period", reader.period)
    lines = _read_lines(reader, table, _read_correction, currency)
    if reader.ctx.problems:
        raise reader.fail(source, "credit note document")
    assert contract is not None
    assert currency is not None
    assert period is not None
    assert reason is not None
    try:
        note = CreditNote(contract, period, currency, reason, original, lines, reference=reference)
    except MeterpriceError as error:
        reader.report(("lines",), f"{error}", None)
        raise reader.fail(source, "credit note document") from None
    _check_total(reader, table, "total", note.total)
    written = table.get("exact_total")
    if "exact_total" in table and not _same_number(written, _exact(note.exact_total)):
        reader.report(
            ("exact_total",),
            f"is not the sum of the lines ({_exact(note.exact_total)}) (got {show(written)})",
            written,
        )
    if "kind" in table and table["kind"] != note.kind:
        reader.report(
            ("kind",),
            f"must be {show(note.kind)} for a total of {note.total} (got {show(table['kind'])})",
            table["kind"],
        )
    if reader.ctx.problems:
        raise reader.fail(source, "credit note document")
    return note


# -- schemas -----------------------------------------------------------------------------------

_SCHEMA = "https://json-schema.org/draft/2020-12/schema"

_DEFS: dict[str, Any] = {
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "An ISO date."},
    "period": {
        "type": "object",
        "description": "Days from start (included) to end (excluded).",
        "additionalProperties": False,
        "required": ["start", "end"],
        "properties": {"start": {"$ref": "#/$defs/date"}, "end": {"$ref": "#/$defs/date"}},
    },
    "decimal": {
        "type": "string",
        "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
        "description": 'A decimal written as a string ("1172.78").',
    },
    "exact": {
        "type": "string",
        "pattern": r"^-?[0-9]+((\.[0-9]+)?|/[1-9][0-9]*)$",
        "maxLength": MAX_NUMBER_TEXT,
        "description": (
            'An exact number: every decimal when it terminates ("1172.775"), else the '
            'fraction in lowest terms ("1000/3").'
        ),
    },
    "dimensions": {
        "type": "object",
        "description": 'The usage dimensions a line prices ({"channel": "phone"}).',
        "additionalProperties": {"type": "string"},
    },
    "tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "name": {"type": "string", "minLength": 1},
    "optional_name": {"type": ["string", "null"], "minLength": 1},
}


def _nullable(ref: str) -> dict[str, Any]:
    return {"anyOf": [{"$ref": f"#/$defs/{ref}"}, {"type": "null"}]}


def _line_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One priced line of the invoice.",
        "additionalProperties": False,
        "required": list(_LINE_KEYS),
        "properties": {
            "component": {"$ref": "#/$defs/name", "description": "The component's name."},
            "description": {"type": "string"},
            "version": {
                **_nullable("name"),
                "description": "The contract version that produced the line (null: none).",
            },
            "dimensions": {"$ref": "#/$defs/dimensions"},
            "active": {**_nullable("period"), "description": "The days the component priced."},
            "quantity": _nullable("exact"),
            "unit": {"type": ["string", "null"]},
            "unit_price": _nullable("decimal"),
            "amount": {"$ref": "#/$defs/decimal", "description": "Rounded to the minor unit."},
            "exact_amount": {"$ref": "#/$defs/exact", "description": "Before rounding."},
            "original": {
                "description": (
                    "On a line converted to another invoice currency: its rounded amount "
                    "in the contract currency (null otherwise)."
                ),
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["amount", "currency"],
                        "properties": {
                            "amount": {"$ref": "#/$defs/decimal"},
                            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        },
                    },
                ],
            },
            "basis": {"type": "string", "description": "How the amount was computed."},
            "tags": {"$ref": "#/$defs/tags"},
        },
    }


def _payment_schema() -> dict[str, Any]:
    return {
        "description": "The payment terms and the amount due by each date (null: none).",
        "anyOf": [
            {"type": "null"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": list(_PAYMENT_KEYS),
                "properties": {
                    "net_days": {"type": "integer", "minimum": 0},
                    "discounts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": list(_DISCOUNT_KEYS),
                            "properties": {
                                "days": {"type": "integer", "minimum": 0},
                                "percent": {"$ref": "#/$defs/decimal"},
                            },
                        },
                    },
                    "due_date": {"$ref": "#/$defs/date"},
                    "schedule": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": list(_DUE_KEYS),
                            "properties": {
                                "by": {"$ref": "#/$defs/date"},
                                "discount_percent": _nullable("decimal"),
                                "exact_amount_due": {"$ref": "#/$defs/exact"},
                                "amount_due": {"$ref": "#/$defs/decimal"},
                            },
                        },
                    },
                },
            },
        ],
    }


def invoice_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of invoice documents, :data:`INVOICE_FORMAT`.

    >>> from meterprice.documents import invoice_schema
    >>> invoice_schema()["properties"]["format"]["const"]
    'meterprice.invoice/1'
    """
    return {
        "$schema": _SCHEMA,
        "title": f"meterprice invoice document, format {INVOICE_FORMAT}",
        "description": "The priced lines of one contract for one period, and its total.",
        "type": "object",
        "additionalProperties": False,
        "required": list(_INVOICE_KEYS),
        "properties": {
            "format": {"const": INVOICE_FORMAT},
            "reference": {**_nullable("name"), "description": "The invoice's number."},
            "issued": {**_nullable("date"), "description": "The invoice date (null: period end)."},
            "contract": {"$ref": "#/$defs/name"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "rounding": {"enum": [mode.name.lower() for mode in Rounding]},
            "period": {"$ref": "#/$defs/period"},
            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
            "total": {"$ref": "#/$defs/decimal", "description": "The sum of the line amounts."},
            "payment": _payment_schema(),
            "duplicates": {
                "description": (
                    "Events left out as repeats of an earlier event with the same id: "
                    f"their count and the first {MAX_IDS} ids repeated."
                ),
                "type": "object",
                "additionalProperties": False,
                "required": ["count", "ids"],
                "properties": {
                    "count": {"type": "integer", "minimum": 0},
                    "ids": {
                        "type": "array",
                        "maxItems": MAX_IDS,
                        "items": {"type": "string", "minLength": 1},
                    },
                },
            },
        },
        "$defs": {**_DEFS, "line": _line_schema()},
    }


def credit_note_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of credit note documents, :data:`CREDIT_NOTE_FORMAT`.

    >>> from meterprice.documents import credit_note_schema
    >>> credit_note_schema()["properties"]["kind"]["enum"]
    ['credit', 'debit', 'none']
    """
    line = {
        "type": "object",
        "description": "The difference of one line: re-rated less original.",
        "additionalProperties": False,
        "required": list(_CORRECTION_KEYS),
        "properties": {
            "component": {"$ref": "#/$defs/name"},
            "description": {"type": "string"},
            "version": _nullable("name"),
            "dimensions": {"$ref": "#/$defs/dimensions"},
            "quantity": _nullable("exact"),
            "unit": {"type": ["string", "null"]},
            "original_amount": {
                **_nullable("decimal"),
                "description": "The amount billed (null: the line was not on the invoice).",
            },
            "revised_amount": {
                **_nullable("decimal"),
                "description": "The amount re-rated (null: the line is no longer billed).",
            },
            "amount": {"$ref": "#/$defs/decimal", "description": "revised - original."},
            "exact_amount": {"$ref": "#/$defs/exact"},
            "tags": {"$ref": "#/$defs/tags"},
        },
    }
    return {
        "$schema": _SCHEMA,
        "title": f"meterprice credit note document, format {CREDIT_NOTE_FORMAT}",
        "description": "The per-line differences between an invoice and its re-rated version.",
        "type": "object",
        "additionalProperties": False,
        "required": list(_NOTE_KEYS),
        "properties": {
            "format": {"const": CREDIT_NOTE_FORMAT},
            "kind": {"enum": ["credit", "debit", "none"]},
            "reference": {**_nullable("name"), "description": "The note's own number."},
            "original": {**_nullable("name"), "description": "The invoice corrected."},
            "reason": {"$ref": "#/$defs/name"},
            "contract": {"$ref": "#/$defs/name"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "period": {"$ref": "#/$defs/period"},
            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
            "total": {"$ref": "#/$defs/decimal"},
            "exact_total": {"$ref": "#/$defs/exact"},
        },
        "$defs": {**_DEFS, "line": line},
    }
