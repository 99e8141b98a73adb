"""The document form of amendments: ``[[versions]]`` tables, each with its ``start``
date, the components it changes or adds (``[[versions.components]]``) and the names of
those it removes.
"""

from __future__ import annotations

from meterprice.amendments import Amendment
from meterprice.spec._registry import register_structure

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
