"""The versioned JSON documents the command line and the HTTP service write.

Both write exactly these, so that a script reading ``meterprice quote --format json``
reads a ``POST /quote`` response too. Every document carries ``"meterprice": 1`` (its
version) and the ``"command"`` that wrote it; decimals are strings, exact amounts
that do not terminate are fractions (``"20000/3"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from meterprice import _decimal as d
from meterprice.invoice import exact_text

if TYPE_CHECKING:
    from meterprice.breakeven import BreakEven
    from meterprice.contract import Contract
    from meterprice.invoice import Invoice
    from meterprice.money import Money

__all__ = [
    "OUTPUT_VERSION",
    "break_even_document",
    "compare_document",
    "error_document",
    "quote_document",
    "validate_document",
]

#: The version of the JSON documents (``"meterprice": 1``).
OUTPUT_VERSION = 1


def _total(invoices: Sequence[Invoice]) -> str:
    return d.to_text(d.total(invoice.total.amount for invoice in invoices))


def quote_document(
    contract: Contract, invoices: Sequence[Invoice], usage: Mapping[str, Any]
) -> dict[str, Any]:
    """The invoices of one contract; ``usage`` says what was read (file, events, skipped)."""
    return {
        "meterprice": OUTPUT_VERSION,
        "command": "quote",
        "contract": contract.name,
        "currency": contract.currency.code,
        "usage": dict(usage),
        "invoices": [invoice.to_dict() for invoice in invoices],
        "total": _total(invoices),
    }


def compare_document(
    contracts: Sequence[tuple[Contract, str | None]],
    rows: Sequence[tuple[Mapping[str, Any], Sequence[Money], Sequence[str]]],
) -> dict[str, Any]:
    """Totals of several contracts: one row per period (``{"period": ...}``) or
    volume (``{"volume": {...}}``), with the cheapest contract(s).
    """
    return {
        "meterprice": OUTPUT_VERSION,
        "command": "compare",
        "contracts": [
            {
                "name": contract.name,
                **({} if file is None else {"file": file}),
                "currency": contract.currency.code,
            }
            for contract, file in contracts
        ],
        "rows": [
            {
                **(dict(key) if "period" in key else {"volume": dict(key)}),
                "totals": [str(total.amount) for total in totals],
                "cheapest": list(cheapest),
            }
            for key, totals, cheapest in rows
        ],
    }


def break_even_document(result: BreakEven, period: str) -> dict[str, Any]:
    """The exact volumes where two contracts cost the same, and the cheaper one on
    each interval between them.
    """
    return {
        "meterprice": OUTPUT_VERSION,
        "command": "break-even",
        "contracts": [result.first.contract, result.second.contract],
        "currency": result.first.currency.code,
        "metric": result.first.metric,
        "period": period,
        "volumes": [exact_text(volume) for volume in result.volumes],
        "intervals": [
            {"start": exact_text(start), "end": exact_text(end), "cheaper": name}
            for start, end, name in result.intervals
        ],
    }


def validate_document(contracts: Sequence[tuple[str, Contract]]) -> dict[str, Any]:
    """The contracts found valid, by the name of their document."""
    return {
        "meterprice": OUTPUT_VERSION,
        "command": "validate",
        "contracts": [
            {
                "file": file,
                "name": contract.name,
                "currency": contract.currency.code,
                "components": len(contract.components),
                "meters": len(contract.meters),
            }
            for file, contract in contracts
        ],
    }


def error_document(
    command: str, message: str, problems: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """What went wrong: a summary ``message`` and every problem with its path."""
    return {
        "meterprice": OUTPUT_VERSION,
        "command": command,
        "error": {"message": message, "problems": [dict(p) for p in problems]},
    }
