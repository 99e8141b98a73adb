"""Billing runs: the invoices of consecutive periods and the state carried between them.

:meth:`Contract.bill <meterprice.Contract.bill>` prices a range of billing periods
in order; each invoice starts from the state the one before left (a commitment
consumed so far, what remains under a ceiling, balances carried over) and
:class:`Billing` shows that state after every invoice, so that a run can be resumed
from any of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from meterprice.components.carrying import Carried
from meterprice.errors import InvalidValueError
from meterprice.invoice import Invoice
from meterprice.periods import Period

__all__ = ["Billing"]


@attrs.frozen
class Billing:
    """The invoices of a billing run, in period order, with ``carried[i]`` the state
    left after ``invoices[i]`` and ``opening`` the state before the first.
    """

    invoices: tuple[Invoice, ...]
    carried: tuple[Carried, ...]
    opening: Carried = attrs.field(factory=Carried)

    def __attrs_post_init__(self) -> None:
        if len(self.invoices) != len(self.carried):
            raise InvalidValueError(
                f"a billing run has one carried state per invoice "
                f"({len(self.invoices)} invoices, {len(self.carried)} states)"
            )

    @property
    def closing(self) -> Carried:
        """The state after the last invoice (the opening state when there is none)."""
        return self.carried[-1] if self.carried else self.opening

    def after(self, period: Period | str) -> Carried:
        """The state left after the invoice of ``period``."""
        wanted = Period.parse(period) if isinstance(period, str) else period
        for invoice, state in zip(self.invoices, self.carried, strict=True):
            if invoice.period == wanted:
                return state
        raise KeyError(f"no invoice of {wanted} in this run")

    def __iter__(self) -> Iterator[Invoice]:
        return iter(self.invoices)

    def __len__(self) -> int:
        return len(self.invoices)
