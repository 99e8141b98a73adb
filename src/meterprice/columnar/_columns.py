"""Which columns of a table hold the metric, quantity, timestamp and dimensions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from meterprice.errors import InvalidTypeError, UsageError

__all__ = ["ColumnMapping"]

#: The roles a column can play, as ``--column ROLE=COLUMN`` names them.
ROLES = ("metric", "quantity", "timestamp", "start", "end", "id")


def _optional_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidTypeError(
            f"{attribute.name} must be a non-empty string or None, not {value!r}"
        )


def _to_dimensions(value: object) -> tuple[tuple[str, str], ...] | None:
    """``None`` (every other column), column names, or dimension name -> column."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"dimensions must be column names or a mapping, not {value!r}")
    else:
        pairs = [(name, name) for name in value]
    for name, column in pairs:
        if not isinstance(name, str) or not name or not isinstance(column, str) or not column:
            raise InvalidTypeError(
                f"a dimension and its column must be non-empty strings: {name!r}"
            )
    return tuple(sorted(pairs))


@attrs.frozen
class ColumnMapping:
    """How to read usage from a table whose columns are not named like a usage file.

    ``metric`` is a constant metric for every row (a telephony export of calls holds
    one metric); otherwise ``metric_column`` names it. The quantity is
    ``quantity_column``, or, with ``start_column`` and ``end_column``, the duration
    ``end - start`` in seconds (exact to the microsecond); the timestamp is
    ``timestamp_column``, or the start. ``dimensions`` lists the dimension columns
    (a mapping renames them: dimension name -> column); by default every other column
    is a dimension.

    >>> calls = ColumnMapping(
    ...     metric="handle_seconds",
    ...     start_column="answered",
    ...     end_column="ended",
    ...     dimensions={"queue": "queue_name"},
    ... )
    >>> calls.roles()
    {'start': 'answered', 'end': 'ended'}
    """

    metric: str | None = attrs.field(default=None, validator=_optional_name, kw_only=True)
    metric_column: str = attrs.field(default="metric", validator=_optional_name, kw_only=True)
    quantity_column: str | None = attrs.field(default=None, validator=_optional_name, kw_only=True)
    timestamp_column: str | None = attrs.field(default=None, validator=_optional_name, kw_only=True)
    start_column: str | None = attrs.field(default=None, validator=_optional_name, kw_only=True)
    end_column: str | None = attrs.field(default=None, validator=_optional_name, kw_only=True)
    dimensions: tuple[tuple[str, str], ...] | None = attrs.field(
        default=None, converter=_to_dimensions, kw_only=True
    )
    #: The column of event ids (rows with the same id count once, see meterprice.ids).
    id_column: str = attrs.field(default="id", validator=_optional_name, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.start_column is None) != (self.end_column is None):
            raise UsageError("a duration needs both start_column and end_column")
        if self.start_column is not None and self.quantity_column is not None:
            raise UsageError("give either quantity_column or start_column and end_column, not both")

    @classmethod
    def parse(
        cls,
        columns: Iterable[str] = (),
        *,
        metric: str | None = None,
        dimensions: Iterable[str] | None = None,
    ) -> ColumnMapping:
        """A mapping from ``ROLE=COLUMN`` texts (``timestamp=start_time``), as the
        command line's ``--column`` gives them; dimensions may be ``NAME=COLUMN``.
        """
        roles: dict[str, str] = {}
        for text in columns:
            role, sep, column = text.partition("=")
            role, column = role.strip(), column.strip()
            if not sep or not column or role not in ROLES:
                raise UsageError(
                    f"a column mapping is ROLE=COLUMN with ROLE one of {', '.join(ROLES)} "
                    f"(got {text!r})"
                )
            roles[role] = column
        dims: dict[str, str] | None = None
        if dimensions is not None:
            dims = {}
            for text in dimensions:
                name, sep, column = text.partition("=")
                dims[name.strip()] = column.strip() if sep else name.strip()
        return cls(
            metric=metric,
            metric_column=roles.get("metric", "metric"),
            quantity_column=roles.get("quantity"),
            timestamp_column=roles.get("timestamp"),
            start_column=roles.get("start"),
            end_column=roles.get("end"),
            dimensions=dims,
            id_column=roles.get("id", "id"),
        )

    def roles(self) -> dict[str, str]:
        """The columns given a role explicitly, by role."""
        named = {
            "metric": None if self.metric_column == "metric" else self.metric_column,
            "quantity": self.quantity_column,
            "timestamp": self.timestamp_column,
            "start": self.start_column,
            "end": self.end_column,
            "id": None if self.id_column == "id" else self.id_column,
        }
        return {role: column for role, column in named.items() if column is not None}

    @property
    def quantity(self) -> str | None:
        """The quantity column (``None`` when the quantity is a duration)."""
        if self.start_column is not None:
            return None
        return self.quantity_column or "quantity"

    @property
    def timestamp(self) -> str:
        """The timestamp column."""
        return self.timestamp_column or self.start_column or "timestamp"

    def used(self) -> frozenset[str]:
        """The columns read as something other than a dimension."""
        named = {self.quantity, self.timestamp, self.start_column, self.end_column}
        if self.metric is None:
            named.add(self.metric_column)
        return frozenset(name for name in named if name is not None)

    def dimension_columns(self, names: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """(dimension, column) pairs read from a table with the columns ``names``."""
        if self.dimensions is not None:
            return self.dimensions
        used = self.used() | {self.id_column}  # the event ids are no dimension
        return tuple(sorted((name, name) for name in names if name not in used))


#: The usage-file columns: metric, quantity, timestamp, every other column a dimension.
USAGE_FILE = ColumnMapping()
