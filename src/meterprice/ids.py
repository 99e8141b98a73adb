"""Event ids: an event delivered twice is counted once, and the invoice says so.

Usage pipelines deliver at least once: a retried upload or a replayed queue repeats
events. An event may carry an ``id`` (its id in the system that recorded it, such as
a call id); within one metering run, events with the same id are counted once, the
first occurrence (in input order) kept, and every later one counted as a duplicate in
a :class:`Duplicates` report that the :class:`~meterprice.Usage` and the invoice
carry. Events without an id are never deduplicated.

A repeated id must repeat the same event: the same id with another metric, quantity,
instant or dimensions is not a retry but a conflict, and metering refuses it with a
:class:`DuplicateIdError` that names the id (a billing system must not guess which
of the two is right). Since duplicates are then identical, which occurrence is kept
never changes the usage: deduplication is independent of the order of the events.

To recognise a conflict without keeping every event, a :class:`SeenIds` keeps, per
id, a hash of the event (metric, quantity, instant, dimensions); two different events
with the same id whose hashes collide (a chance of about one in 2**64) would be taken
for a retry. It costs about 75 bytes per distinct id besides the id's own text
(about 140 bytes in all for ids of 14 characters), for as long as the run lasts.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from meterprice.errors import InvalidTypeError, InvalidValueError, UsageError

if TYPE_CHECKING:  # pragma: no cover - usage imports this module
    from meterprice.usage import Event

_ID = operator.attrgetter("id")

__all__ = ["MAX_IDS", "DuplicateIdError", "Duplicates", "SeenIds", "dedupe", "to_id"]

#: How many duplicated ids a report lists (all duplicates are counted).
MAX_IDS = 10


def to_id(value: object) -> str | None:
    """An event id: ``None``, a non-empty string, or an integer (as its decimal text,
    so that ``42`` in a Parquet file and ``"42"`` in a CSV file are the same id).
    """
    if value is None or type(value) is str:
        if value is not None and not value.strip():
            raise InvalidValueError("an event id must not be empty (leave it out: None)")
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(f"an event id must be a string or an integer, not {value!r}")
    return str(value)


class DuplicateIdError(UsageError):
    """Two different events with the same id: a conflict, not a repeated delivery."""

    def __init__(self, event_id: str, where: str = "") -> None:
        self.id = event_id
        self.where = where
        super().__init__(
            f"event id {event_id!r} is used by two different events"
            + (f" ({where})" if where else "")
            + ": a repeated id must repeat the same metric, quantity, timestamp and dimensions"
        )


def _to_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class Duplicates:
    """How many events were left out as repeats of an earlier event with the same id,
    and the first :data:`MAX_IDS` of the ids repeated (in the order first repeated).

    >>> from meterprice.ids import Duplicates
    >>> report = Duplicates(3, ("c-7", "c-9"))
    >>> str(report)
    '3 duplicate event(s) counted once, ids c-7, c-9'
    >>> str(report + Duplicates(1, ("c-12",)))
    '4 duplicate event(s) counted once, ids c-7, c-9, c-12'
    """

    count: int = 0
    ids: tuple[str, ...] = attrs.field(default=(), converter=_to_ids)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise InvalidValueError(f"count must be a whole number >= 0, not {self.count!r}")
        if len(self.ids) > min(self.count, MAX_IDS):
            raise InvalidValueError(
                f"{len(self.ids)} ids for {self.count} duplicate(s) (at most {MAX_IDS} listed)"
            )

    def __bool__(self) -> bool:
        return self.count > 0

    def __add__(self, other: object) -> Duplicates:
        """Both reports: partitions that share no id (see :func:`meterprice.meter_dask`)."""
        if not isinstance(other, Duplicates):
            return NotImplemented
        if not other:
            return self
        if not self:
            return other
        ids = list(self.ids)
        ids.extend(i for i in other.ids if i not in self.ids)
        return Duplicates(self.count + other.count, tuple(ids[:MAX_IDS]))

    def __str__(self) -> str:
        if not self:
            return "no duplicate events"
        more = ", ..." if len(self.ids) < self.count and len(self.ids) == MAX_IDS else ""
        return f"{self.count} duplicate event(s) counted once, ids {', '.join(self.ids)}{more}"


#: No duplicates: what usage without ids (or without repeats) carries.
NONE = Duplicates()


def fingerprint(metric: str, quantity: object, at: object, items: object) -> int:
    """The hash that tells a repeated event from a different one with the same id."""
    return hash((metric, quantity, at, items))


class SeenIds:
    """The ids seen so far in one metering run, with the hash of each id's event, and
    the report of the duplicates left out; kept across the chunks of a stream.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self._count = 0
        self._ids: list[str] = []

    @property
    def report(self) -> Duplicates:
        """The duplicates left out so far."""
        return Duplicates(self._count, tuple(self._ids)) if self._count else NONE

    def first(self, event_id: str, print_: int) -> bool:
        """Whether ``event_id`` is new (record it); a repeat is counted, a conflict
        (another event under a known id) is a :class:`DuplicateIdError`.
        """
        known = self._seen.get(event_id)
        if known is None:
            self._seen[event_id] = print_
            return True
        if known != print_:
            raise DuplicateIdError(event_id)
        self._count += 1
        if len(self._ids) < MAX_IDS and event_id not in self._ids:
            self._ids.append(event_id)
        return False

    def take(self, events: Sequence[Event]) -> Sequence[Event]:
        """``events`` without the repeats of an id already seen (the same list when no
        event has an id).
        """
        ids = list(map(_ID, events))
        if not any(ids):
            return events
        kept: list[Event] = []
        append, first = kept.append, self.first
        index = 0
        try:
            for index, (event, event_id) in enumerate(zip(events, ids, strict=True)):  # noqa: B007
                if event_id is None or first(
                    event_id,
                    hash((event.metric, event.quantity, event.at, event.dimensions._items)),
                ):
                    append(event)
        except DuplicateIdError as error:
            raise DuplicateIdError(error.id, f"event {index}: {events[index]}") from None
        return kept


def dedupe(events: Sequence[Event]) -> tuple[Sequence[Event], Duplicates]:
    """``events`` with every repeat of an id left out, and the report of them.

    >>> import datetime as dt
    >>> from meterprice import Event
    >>> at = dt.datetime(2026, 11, 3, 9, 0)
    >>> call = Event("calls", 1, at, id="c-1")
    >>> kept, report = dedupe([call, call, Event("calls", 1, at)])
    >>> len(kept), report.count, report.ids
    (2, 1, ('c-1',))
    """
    seen = SeenIds()
    kept = seen.take(events)
    return kept, seen.report
