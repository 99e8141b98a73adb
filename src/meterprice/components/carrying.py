"""Components whose terms span several invoices, and the state carried between them.

A yearly commitment invoiced monthly, a ceiling over the term, allowances that roll
over and prepaid balances all depend on earlier invoices. Such a
:class:`CarryingComponent` prices an invoice from the state the previous invoice
left (:attr:`PricingContext.carried <meterprice.PricingContext.carried>`) and
returns the state it leaves for the next one. :class:`Carried` is that state for a
whole contract, by component name; :meth:`Contract.bill <meterprice.Contract.bill>`
threads it through consecutive invoices and shows it after each.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence

import attrs

from meterprice.components.base import Charge, Component, PricingContext
from meterprice.errors import InvalidTypeError, PricingError

__all__ = ["Carried", "CarryingComponent"]


def _to_states(value: object) -> tuple[tuple[str, object], ...]:
    if isinstance(value, Carried):
        return value.states
    if isinstance(value, Mapping):
        items = tuple(value.items())
    elif isinstance(value, tuple):
        items = value
    else:
        raise InvalidTypeError(f"carried states must be a mapping by component name, not {value!r}")
    for name, _ in items:
        if not isinstance(name, str):
            raise InvalidTypeError(f"carried states are keyed by component name, not {name!r}")
    return tuple(sorted(items, key=lambda item: item[0]))


@attrs.frozen
class Carried(Mapping[str, object]):
    """The state one invoice leaves for the next, by component name (read-only).

    An empty ``Carried()`` opens a run: every carrying component starts afresh (no
    commitment consumed yet, no balance carried).
    """

    states: tuple[tuple[str, object], ...] = attrs.field(default=(), converter=_to_states)

    def __getitem__(self, name: str) -> object:
        for key, state in self.states:
            if key == name:
                return state
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.states)

    def __len__(self) -> int:
        return len(self.states)

    def updated(self, changes: Mapping[str, object]) -> Carried:
        """This state with the states of ``changes`` replacing those of their names."""
        merged = dict(self.states)
        merged.update(changes)
        return Carried(merged)


@attrs.frozen
class CarryingComponent(Component):
    """A component that prices from the state earlier invoices left and leaves one.

    Priced alone (no carried state), it refuses: an invoice of such a contract is
    one of a run (:meth:`Contract.bill <meterprice.Contract.bill>`,
    :meth:`Contract.invoices <meterprice.Contract.invoices>`), or is given the state
    the previous invoice left (``carried=``).
    """

    @abc.abstractmethod
    def price_carried(
        self, ctx: PricingContext, opening: object | None
    ) -> tuple[Sequence[Charge], object]:
        """The charges for ``ctx``'s period from the ``opening`` state (``None`` when
        nothing was carried yet), and the state left for the next invoice.
        """

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        return self.price_carried(ctx, self.opening(ctx))[0]

    def opening(self, ctx: PricingContext) -> object | None:
        """This component's state carried into ``ctx``'s invoice."""
        if ctx.carried is None:
            raise PricingError(
                f"{self.name!r} carries its state from invoice to invoice, so an invoice "
                "of this contract is one of a run: price the periods with "
                "contract.bill(usage, ...) or contract.invoices(usage, ...), or pass "
                "carried= (the state the previous invoice left)"
            )
        return ctx.carried.get(self.name)
