"""The document forms of contracts over time: ``[[versions]]`` tables (amendments),
each with its ``start`` date, the components it changes or adds
(``[[versions.components]]``) and the names of those it removes; and the components
whose terms span invoices (commitments, ...).
"""

from __future__ import annotations

from meterprice.amendments import Amendment
from meterprice.components.balances import Prepaid, Rollover
from meterprice.components.ceiling import Ceiling
from meterprice.components.commitment import Commitment
from meterprice.spec._registry import register_component, register_structure

__all__: list[str] = []

register_structure(
    Amendment,
    docs={
        "start": "The first day of the new version (included); versions are in date order.",
        "components": (
            "Components that replace those of the same name (in their place) or are "
            "added after the others, from start on."
        ),
        "remove": "The names of the components that end the day before start.",
        "description": "What the amendment is (a note; not priced).",
    },
)

register_component(
    Commitment,
    docs={
        "amount": "The spend committed per commitment period.",
        "per": (
            "The commitment period: year (default), quarter or term; prorated by days "
            "where the term covers only part of one."
        ),
        "of": "Tags of the earlier lines that count toward it; left out, every earlier line.",
        "anchor": (
            "The first day of a commitment year or quarter (default: the term's start, "
            "else 1 January)."
        ),
    },
)

register_component(
    Ceiling,
    docs={
        "amount": "The most that may be billed per ceiling period.",
        "per": "The ceiling period: term (default) or year (a contract year).",
        "of": "Tags of the earlier lines that count toward it; left out, every earlier line.",
        "after": (
            "Once the ceiling is reached: nothing (bill nothing more, the default) or "
            "refuse (refuse an invoice that would bill more)."
        ),
        "anchor": ("The first day of a contract year (default: the term's start, else 1 January)."),
    },
)

register_component(
    Rollover,
    docs={
        "included": "Units included every period before the rate applies.",
        "rollover_percent": (
            "The share of the unused included units carried to the following periods (default 100)."
        ),
        "expires_after": (
            "How many months after the end of its period a carried unit stays usable (default 1)."
        ),
    },
)

register_component(
    Prepaid,
    docs={
        "amount": "The balance bought in advance.",
        "bonus": "Extra balance given with the purchase.",
        "on": "The day the balance becomes available (on a billing period's first day).",
        "expires": "The first day the balance can no longer be used (left out: never).",
        "of": "Tags of the earlier lines that draw the balance; left out, every earlier line.",
    },
)
