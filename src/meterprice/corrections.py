"""Re-rating and corrections: the difference between an invoice and its re-priced
version as a credit note (or a debit note).

A past period is re-priced when its contract was amended or its usage arrived late or
was corrected. :func:`rerate` prices the original invoice's period again and
:meth:`CreditNote.between` compares two invoices line by line: each
:class:`CorrectionLine` is the difference of the lines with the same component,
contract version, dimensions and description, exact and rounded, so that the
original plus the note is the re-rated invoice, line by line, and the note's total is
exactly the difference of the two totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, ClassVar, Literal

import attrs

from meterprice import _decimal as d
from meterprice import _notebook
from meterprice.contract import Contract, UsageInput
from meterprice.dimensions import Dimensions
from meterprice.errors import (
    ContractError,
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    PeriodError,
)
from meterprice.frames import Tabular
from meterprice.invoice import Invoice, Line
from meterprice.money import Currency, Money, Rounding
from meterprice.periods import Period

__all__ = ["CorrectionLine", "CreditNote", "LineKey", "line_key", "rerate"]

LineKey = tuple[str, str | None, Dimensions, str]
"""What matches a line of an invoice with a line of its re-rated version: component,
contract version, dimensions and description."""


def line_key(line: Line) -> LineKey:
    """The key that matches ``line`` with its counterpart in a re-rated invoice."""
    return (line.component, line.version, line.dimensions, line.description)


def _to_dimensions(value: Mapping[str, str]) -> Dimensions:
    return value if isinstance(value, Dimensions) else Dimensions(value)


def _to_tags(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class CorrectionLine:
    """The difference of one line between an invoice and its re-rated version.

    ``original`` and ``revised`` are the line's rounded amounts (``None`` where the
    line is absent); ``amount`` is ``revised - original`` (absent counts as zero),
    ``exact`` the difference of the exact amounts and ``quantity`` that of the
    quantities (``None`` when neither line has one).
    """

    component: str
    description: str
    amount: Money
    exact: Fraction
    original: Money | None
    revised: Money | None
    quantity: Fraction | None = None
    unit: str | None = None
    dimensions: Dimensions = attrs.field(default=Dimensions(), converter=_to_dimensions)
    version: str | None = None
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_to_tags)

    def __attrs_post_init__(self) -> None:
        before = Money.zero(self.amount.currency) if self.original is None else self.original
        after = Money.zero(self.amount.currency) if self.revised is None else self.revised
        if self.original is None and self.revised is None:
            raise InvalidValueError(f"{self.component!r}: a correction needs one of its lines")
        if after - before != self.amount:
            raise InvalidValueError(
                f"{self.component!r}: the difference {self.amount} is not {after} - {before}"
            )

    @property
    def key(self) -> LineKey:
        """The key of the lines this difference is between (see :func:`line_key`)."""
        return (self.component, self.version, self.dimensions, self.description)

    def explain(self) -> str:
        """The difference in one line of text: what was billed, what is due now."""
        was = "not billed" if self.original is None else str(self.original)
        now = "not billed" if self.revised is None else str(self.revised)
        sign = "+" if self.amount.amount >= 0 else ""
        return f"{self.description}: {was} -> {now}, {sign}{self.amount}"


def _to_lines(value: Iterable[CorrectionLine]) -> tuple[CorrectionLine, ...]:
    return tuple(value)


def _check_reason(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"reason must be a non-empty string, not {value!r}")


@attrs.frozen
class CreditNote(Tabular):
    """The correction of an invoice: the per-line differences between it and its
    re-rated version, the reason, and the reference of the invoice corrected.

    ``total`` is the exact sum of the lines, which is the re-rated total less the
    original total: negative for a credit note (the customer is owed money), positive
    for a debit note (the customer owes more). ``reference`` is the note's own number.
    ``to_arrow()``, ``to_pandas()`` and ``to_polars()`` give one row per line, with
    exact decimal amounts (see :func:`meterprice.frames.credit_note_table`).
    """

    _table_builder: ClassVar[str] = "credit_note_table"

    contract: str
    period: Period
    currency: Currency
    reason: str = attrs.field(validator=_check_reason)
    original: str | None
    lines: tuple[CorrectionLine, ...] = attrs.field(converter=_to_lines)
    reference: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        seen: dict[LineKey, int] = {}
        for index, line in enumerate(self.lines):
            if not isinstance(line, CorrectionLine):
                raise InvalidTypeError(f"lines[{index}] is not a CorrectionLine: {line!r}")
            if line.amount.currency != self.currency:
                raise CurrencyMismatchError(
                    f"lines[{index}] is in {line.amount.currency.code}, "
                    f"the note in {self.currency.code}"
                )
            if line.key in seen:
                raise InvalidValueError(
                    f"lines[{index}] corrects the same line as lines[{seen[line.key]}]"
                )
            seen[line.key] = index

    @classmethod
    def between(
        cls,
        original: Invoice,
        revised: Invoice,
        *,
        reason: str,
        reference: str | None = None,
    ) -> CreditNote:
        """The note that turns ``original`` into ``revised``, line by line.

        Lines are matched by :func:`line_key`; lines whose amounts, exact amounts and
        quantities agree are left out, so re-rating with the same usage gives an empty
        note. Both invoices must be of the same contract, currency and period.
        """
        for name, value in (("original", original), ("revised", revised)):
            if not isinstance(value, Invoice):
                raise InvalidTypeError(f"{name} must be an Invoice, not {value!r}")
        if original.currency != revised.currency:
            raise CurrencyMismatchError(
                f"the original invoice is in {original.currency.code}, "
                f"the re-rated one in {revised.currency.code}"
            )
        if original.period != revised.period:
            raise PeriodError(
                f"the original invoice covers {original.period}, the re-rated one "
                f"{revised.period}: a correction compares the same period"
            )
        if original.contract != revised.contract:
            raise ContractError(
                f"the original invoice is of contract {original.contract!r}, the re-rated "
                f"one of {revised.contract!r}"
            )
        before, after = _by_key(original.lines), _by_key(revised.lines)
        keys = list(after) + [key for key in before if key not in after]
        lines = []
        for key in keys:
            old, new = before.get(key), after.get(key)
            line = _difference(key, old, new, revised.currency)
            if line is not None:
                lines.append(line)
        return cls(
            original.contract,
            original.period,
            original.currency,
            reason,
            original.reference,
            lines,
            reference=reference,
        )

    @property
    def total(self) -> Money:
        """The exact sum of the line differences: re-rated total less original total."""
        amount = d.total(line.amount.amount for line in self.lines)
        return Money(amount, self.currency).round(Rounding.DOWN)

    @property
    def exact_total(self) -> Fraction:
        """The exact sum of the lines' exact differences."""
        return sum((line.exact for line in self.lines), Fraction(0))

    @property
    def kind(self) -> Literal["credit", "debit", "none"]:
        """``"credit"`` when the customer is owed money, ``"debit"`` when they owe
        more, ``"none"`` when nothing changes.
        """
        amount = self.total.amount
        return "credit" if amount < 0 else "debit" if amount > 0 else "none"

    def by_key(self) -> dict[LineKey, CorrectionLine]:
        """The lines by the key of the invoice lines they correct."""
        return {line.key: line for line in self.lines}

    def explain(self) -> str:
        """Every difference, then the total, with the reason and the invoice corrected."""
        title = {"credit": "Credit note", "debit": "Debit note", "none": "Correction"}[self.kind]
        of = f" to invoice {self.original}" if self.original else ""
        out = [f"{title}{of}: {self.contract}, {self.period} ({self.currency.code})"]
        out.append(f"  reason: {self.reason}")
        out.extend(f"  {index + 1}. {line.explain()}" for index, line in enumerate(self.lines))
        out.append(f"  total = {self.total}")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """The credit note document (format ``meterprice.credit_note/1``); see
        :mod:`meterprice.documents`.
        """
        from meterprice.documents import credit_note_to_dict  # noqa: PLC0415 - no cycle

        return credit_note_to_dict(self)

    def __repr__(self) -> str:
        return _notebook.credit_note_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.credit_note_html(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> CreditNote:
        """The credit note a credit note document describes; a
        :class:`~meterprice.documents.DocumentError` names the path of every problem.
        """
        from meterprice.documents import credit_note_from_dict  # noqa: PLC0415 - no cycle

        return credit_note_from_dict(data, source=source)


class _Sum:
    """The lines of one key of an invoice, added up (a key is normally one line)."""

    def __init__(self, line: Line) -> None:
        self.amount = line.amount
        self.exact = line.exact
        self.quantity = line.quantity
        self.unit = line.unit
        self.tags = line.tags

    def add(self, line: Line) -> None:
        self.amount = self.amount + line.amount
        self.exact += line.exact
        if self.quantity is not None and line.quantity is not None and self.unit == line.unit:
            self.quantity += line.quantity
        else:  # quantities in different units (or none) do not add up
            self.quantity = None
            self.unit = None if self.unit != line.unit else self.unit
        self.tags |= line.tags


def _by_key(lines: Iterable[Line]) -> dict[LineKey, _Sum]:
    out: dict[LineKey, _Sum] = {}
    for line in lines:
        key = line_key(line)
        if key in out:
            out[key].add(line)
        else:
            out[key] = _Sum(line)
    return out


def _difference(
    key: LineKey, old: _Sum | None, new: _Sum | None, currency: Currency
) -> CorrectionLine | None:
    zero = Money.zero(currency)
    before = zero if old is None else old.amount
    after = zero if new is None else new.amount
    exact = (Fraction(0) if new is None else new.exact) - (
        Fraction(0) if old is None else old.exact
    )
    present = [part for part in (old, new) if part is not None]
    units = {part.unit for part in present}
    quantity: Fraction | None = None
    if len(units) == 1 and all(part.quantity is not None for part in present):
        old_q = Fraction(0) if old is None or old.quantity is None else old.quantity
        new_q = Fraction(0) if new is None or new.quantity is None else new.quantity
        quantity = new_q - old_q
    if (
        old is not None
        and new is not None
        and before == after
        and exact == 0
        and (quantity is None or quantity == 0)
    ):
        return None
    component, version, dimensions, description = key
    unit = next(iter(units)) if len(units) == 1 else None
    tags = frozenset().union(*(part.tags for part in present))
    return CorrectionLine(
        component=component,
        description=description,
        amount=after - before,
        exact=exact,
        original=None if old is None else old.amount,
        revised=None if new is None else new.amount,
        quantity=quantity,
        unit=unit,
        dimensions=dimensions,
        version=version,
        tags=tags,
    )


def rerate(
    original: Invoice,
    contract: Contract,
    usage: UsageInput,
    *,
    reason: str,
    reference: str | None = None,
    **options: Any,
) -> CreditNote:
    """Price ``original``'s period again with ``contract`` and ``usage`` (an amended
    contract, late or corrected usage) and give the difference as a credit note.

    ``options`` are passed on to :meth:`~meterprice.Contract.invoice`
    (``previous_usage=``, ``spread=``; ``invoice_date=`` defaults to the original's
    ``issued`` date, so that a conversion at the invoice date's rate uses the same
    rate). The contract must be the original's (same name and invoice currency);
    ``original`` may be an invoice read back from its stored document with
    :meth:`~meterprice.Invoice.from_dict`.

    >>> from meterprice import Contract, PerUnit
    >>> minutes = PerUnit("Minutes", metric="minutes", rate="0.95 EUR")
    >>> contract = Contract("Support", "EUR", [minutes])
    >>> billed = contract.invoice({"minutes": 1000}, "2026-11").issue("INV-2026-11")
    >>> note = rerate(billed, contract, {"minutes": 1040}, reason="late usage")
    >>> note.kind, str(note.total), note.original
    ('debit', '38.00 EUR', 'INV-2026-11')
    """
    if not isinstance(original, Invoice):
        raise InvalidTypeError(f"original must be an Invoice, not {original!r}")
    if not isinstance(contract, Contract):
        raise InvalidTypeError(f"contract must be a Contract, not {contract!r}")
    invoiced = contract.currency if contract.conversion is None else contract.conversion.currency
    if invoiced != original.currency:
        raise CurrencyMismatchError(
            f"the original invoice is in {original.currency.code}, contract "
            f"{contract.name!r} invoices in {invoiced.code}"
        )
    if contract.name != original.contract:
        raise ContractError(
            f"the original invoice is of contract {original.contract!r}, not "
            f"{contract.name!r}: re-rate it with its own (amended) contract"
        )
    # the same invoice date: a conversion at the invoice date's rate uses the same rate
    options.setdefault("invoice_date", original.issued)
    revised = contract.invoice(usage, original.period, **options)
    return CreditNote.between(original, revised, reason=reason, reference=reference)
