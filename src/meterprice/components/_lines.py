"""The lines priced so far, shared by the components of one invoice without copies.

A contract prices its components in order, and each sees the lines before it (a
percentage or a minimum spend reads their subtotal). Copying those lines for every
component and summing them again made pricing quadratic in the number of components
(4,000 chained percentages took 45 s). :class:`LinesSoFar` is a read-only view of
the first ``count`` lines of the invoice's growing list, and the subtotals of the tag
sets read so far are kept as running sums, so that each line is added once per tag set.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from meterprice.invoice import Line

__all__ = ["LinesSoFar", "Subtotals"]


class Subtotals:
    """Running subtotals over one growing list of lines, by the tag set read.

    ``sums[tags]`` is ``(count, total)``: the exact sum of the first ``count`` lines
    that carry any of ``tags`` (every line for ``None``).
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.sums: dict[frozenset[str] | None, tuple[int, Fraction]] = {}

    def subtotal(self, count: int, tags: frozenset[str] | None) -> Fraction:
        """The exact sum of the first ``count`` lines that carry any of ``tags``."""
        stored = self.sums.get(tags)
        # an older view (fewer lines than summed already) sums its lines afresh
        done, total = stored if stored is not None and stored[0] <= count else (0, Fraction(0))
        for line in self.lines[done:count]:
            if tags is None or line.tags & tags:
                total += Fraction(line.amount.amount)
        if stored is None or stored[0] <= count:
            self.sums[tags] = (count, total)
        return total


class LinesSoFar(Sequence["Line"]):
    """The first ``count`` lines of ``subtotals.lines``, read-only (the list only grows)."""

    __slots__ = ("_count", "_subtotals")

    def __init__(self, subtotals: Subtotals, count: int) -> None:
        self._subtotals = subtotals
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Line]: ...

    def __getitem__(self, index: int | slice) -> Line | Sequence[Line]:
        if isinstance(index, slice):
            return tuple(self._subtotals.lines[: self._count][index])
        if not -self._count <= index < self._count:
            raise IndexError("line index out of range")
        return self._subtotals.lines[index % self._count]

    def __iter__(self) -> Iterator[Line]:
        lines = self._subtotals.lines
        for index in range(self._count):
            yield lines[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LinesSoFar):
            return tuple(self) == tuple(other)
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def subtotal(self, tags: frozenset[str] | None) -> Fraction:
        """The exact sum of these lines that carry any of ``tags`` (every one for None)."""
        return self._subtotals.subtotal(self._count, tags)
