"""The state carried between invoices: what mutation testing found unpinned.

A carried state is ordered by component name only (the states themselves need not
be comparable), a missing name is named by the KeyError, and a carrying component
priced outside a run says how to price it. Figures computed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import pytest

from meterprice import Carried, Contract, Event, PricingError, Rollover
from meterprice.components.balances import PrepaidState


def test_carried_states_are_sorted_by_name_only() -> None:
    # PrepaidState is not orderable: sorting on the whole (name, state) pair would
    # compare the two states of "a"; by name, the order given is kept
    first, second = PrepaidState(Fraction(2)), PrepaidState(Fraction(1))
    state = Carried((("b", first), ("a", first), ("a", second)))
    assert state.states == (("a", first), ("a", second), ("b", first))
    assert state["a"] == first


def test_a_missing_component_name_is_named_by_the_key_error() -> None:
    with pytest.raises(KeyError, match=r"^'Minutes'$"):
        Carried({"Credit": PrepaidState(Fraction(0))})["Minutes"]


def test_a_carrying_component_priced_alone_says_how_to_price_it() -> None:
    contract = Contract(
        "Rolling",
        "EUR",
        [Rollover("Minutes", metric="minutes", rate="1.00 EUR", included=10)],
    )
    message = (
        "'Minutes' carries its state from invoice to invoice, so an invoice of this "
        "contract is one of a run: price the periods with contract.bill(usage, ...) or "
        "contract.invoices(usage, ...), or pass carried= (the state the previous "
        "invoice left)"
    )
    with pytest.raises(PricingError, match=f"^{re.escape(message)}$"):
        contract.invoice([Event("minutes", 1, dt.datetime(2026, 1, 10, 12))], "2026-01")
