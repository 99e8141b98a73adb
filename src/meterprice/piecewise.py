"""Exact piecewise-linear functions on a closed interval, for contract analysis.

The cost of a contract as a function of one metric's volume (everything else fixed)
is piecewise linear: rates are slopes, tier bounds and minimums are breakpoints,
volume tiers and packages are jumps. :class:`Piecewise` holds such a function
exactly (:class:`fractions.Fraction` breakpoints, slopes and values) and supports
what analysis needs: sums, scaling, composition with an affine map, pointwise
maximum and minimum, evaluation, zeros and monotonicity checks.

A function is given by breakpoints ``x0 < x1 < ... < xn`` (``x0`` and ``xn`` are the
domain's ends), a line ``slope * x + intercept`` on each open interval
``(x[i], x[i+1])`` and an explicit value at every breakpoint, so jumps are exact and
either side of a boundary can own it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice.errors import InvalidTypeError, InvalidValueError

__all__ = ["Piecewise", "Segment"]

Number = Fraction | Decimal | int

_Line = tuple[Fraction, Fraction]


def _frac(value: object) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Fraction(value)
    raise InvalidTypeError(
        f"piecewise functions are exact: use Fraction, Decimal or int, not {value!r}"
    )


def _at(line: _Line, x: Fraction) -> Fraction:
    return line[0] * x + line[1]


@attrs.frozen
class Segment:
    """One open interval ``(start, end)`` on which the function is ``slope * x + intercept``."""

    start: Fraction
    end: Fraction
    slope: Fraction
    intercept: Fraction

    def at(self, x: Fraction) -> Fraction:
        """The line's value at ``x``."""
        return self.slope * x + self.intercept


@attrs.frozen(repr=False)
class Piecewise:
    """An exact piecewise-linear function on ``[xs[0], xs[-1]]``.

    >>> f = Piecewise.linear(0, 100, slope=2).maximum(Piecewise.constant(0, 100, 50))
    >>> f(10), f(25), f(40)
    (Fraction(50, 1), Fraction(50, 1), Fraction(80, 1))
    >>> f.breakpoints
    (Fraction(0, 1), Fraction(25, 1), Fraction(100, 1))
    """

    xs: tuple[Fraction, ...]
    lines: tuple[_Line, ...]
    values: tuple[Fraction, ...]

    def __attrs_post_init__(self) -> None:
        if len(self.xs) < 2:
            raise InvalidValueError("a piecewise function needs a domain with two distinct ends")
        if any(b <= a for a, b in itertools.pairwise(self.xs)):
            raise InvalidValueError(f"breakpoints must increase strictly (got {self.xs})")
        if len(self.lines) != len(self.xs) - 1 or len(self.values) != len(self.xs):
            raise InvalidValueError(
                "a piecewise function needs one line per interval and one value per breakpoint"
            )

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def linear(cls, lo: Number, hi: Number, slope: Number = 0, intercept: Number = 0) -> Piecewise:
        """``slope * x + intercept`` on ``[lo, hi]``."""
        line = (_frac(slope), _frac(intercept))
        xs = (_frac(lo), _frac(hi))
        return cls(xs, (line,), tuple(_at(line, x) for x in xs))

    @classmethod
    def constant(cls, lo: Number, hi: Number, value: Number) -> Piecewise:
        """The constant ``value`` on ``[lo, hi]``."""
        return cls.linear(lo, hi, 0, value)

    @classmethod
    def from_lines(
        cls,
        xs: Sequence[Number],
        lines: Sequence[tuple[Number, Number]],
        *,
        values: Sequence[Number] | None = None,
        left_closed: bool = True,
    ) -> Piecewise:
        """A function from breakpoints and lines; interior breakpoints take the value of
        the line on their left (``left_closed``, the "boundary belongs to the lower
        tier" convention) or on their right, unless ``values`` are given.
        """
        points = tuple(_frac(x) for x in xs)
        segs = tuple((_frac(s), _frac(c)) for s, c in lines)
        if values is not None:
            vals = tuple(_frac(v) for v in values)
        else:
            vals_list = [_at(segs[0], points[0])]
            for i in range(1, len(points) - 1):
                vals_list.append(_at(segs[i - 1] if left_closed else segs[i], points[i]))
            vals_list.append(_at(segs[-1], points[-1]))
            vals = tuple(vals_list)
        return cls(points, segs, vals)

    @classmethod
    def sum(cls, functions: Iterable[Piecewise], lo: Number, hi: Number) -> Piecewise:
        """The sum of ``functions`` (zero on ``[lo, hi]`` when there are none)."""
        total = cls.constant(lo, hi, 0)
        for function in functions:
            total = total + function
        return total

    # -- reading ----------------------------------------------------------------------------
    @property
    def lo(self) -> Fraction:
        """The domain's lower end."""
        return self.xs[0]

    @property
    def hi(self) -> Fraction:
        """The domain's upper end."""
        return self.xs[-1]

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        """The breakpoints where slope or value change (the ends included)."""
        return self.simplify().xs

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The open intervals with their lines."""
        return tuple(
            Segment(self.xs[i], self.xs[i + 1], line[0], line[1])
            for i, line in enumerate(self.lines)
        )

    def __call__(self, x: Number) -> Fraction:
        """The value at ``x`` (inside the domain)."""
        value = _frac(x)
        if not self.lo <= value <= self.hi:
            raise InvalidValueError(f"{value} is outside the domain [{self.lo}, {self.hi}]")
        index = self._find(value)
        if self.xs[index] == value:
            return self.values[index]
        return _at(self.lines[index], value)

    def _find(self, x: Fraction) -> int:
        """The breakpoint index equal to ``x``, else the interval index containing it."""
        lo, hi = 0, len(self.xs) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.xs[mid] <= x:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def limit_left(self, x: Number) -> Fraction:
        """The limit of the function as it approaches ``x`` from the left."""
        value = _frac(x)
        index = self._find(value)
        if self.xs[index] == value:
            index -= 1
        if index < 0:
            raise InvalidValueError(f"no left limit at the domain's start {value}")
        return _at(self.lines[index], value)

    def limit_right(self, x: Number) -> Fraction:
        """The limit of the function as it approaches ``x`` from the right."""
        value = _frac(x)
        index = self._find(value)
        if index >= len(self.lines):
            raise InvalidValueError(f"no right limit at the domain's end {value}")
        return _at(self.lines[index], value)

    # -- algebra ----------------------------------------------------------------------------
    def refine(self, points: Iterable[Fraction]) -> Piecewise:
        """The same function with extra breakpoints (inside the domain)."""
        extra = {p for p in points if self.lo < p < self.hi} - set(self.xs)
        if not extra:
            return self
        xs = tuple(sorted(set(self.xs) | extra))
        lines = []
        values = []
        for x in xs:
            index = self._find(x)
            values.append(self.values[index] if self.xs[index] == x else _at(self.lines[index], x))
        for a in xs[:-1]:
            lines.append(self.lines[min(self._find(a), len(self.lines) - 1)])
        return Piecewise(xs, tuple(lines), tuple(values))

    def _aligned(self, other: Piecewise) -> tuple[Piecewise, Piecewise]:
        if (self.lo, self.hi) != (other.lo, other.hi):
            raise InvalidValueError(
                f"functions on different domains [{self.lo}, {self.hi}] and "
                f"[{other.lo}, {other.hi}]"
            )
        return self.refine(other.xs), other.refine(self.xs)

    def _combine(self, other: Piecewise, op: Callable[[Fraction, Fraction], Fraction]) -> Piecewise:
        a, b = self._aligned(other)
        lines = tuple(
            (op(la[0], lb[0]), op(la[1], lb[1])) for la, lb in zip(a.lines, b.lines, strict=True)
        )
        values = tuple(op(va, vb) for va, vb in zip(a.values, b.values, strict=True))
        return Piecewise(a.xs, lines, values)

    def __add__(self, other: object) -> Piecewise:
        if isinstance(other, Piecewise):
            return self._combine(other, lambda u, v: u + v)
        return NotImplemented

    def __sub__(self, other: object) -> Piecewise:
        if isinstance(other, Piecewise):
            return self._combine(other, lambda u, v: u - v)
        return NotImplemented

    def __neg__(self) -> Piecewise:
        return self.scale(-1)

    def scale(self, factor: Number) -> Piecewise:
        """``factor * f``."""
        k = _frac(factor)
        return Piecewise(
            self.xs,
            tuple((k * s, k * c) for s, c in self.lines),
            tuple(k * v for v in self.values),
        )

    def shift(self, amount: Number) -> Piecewise:
        """``f + amount``."""
        c = _frac(amount)
        return Piecewise(
            self.xs, tuple((s, i + c) for s, i in self.lines), tuple(v + c for v in self.values)
        )

    def _extreme(self, other: Piecewise, pick_max: bool) -> Piecewise:
        a, b = self._aligned(other)
        crossings = []
        for i, (la, lb) in enumerate(zip(a.lines, b.lines, strict=True)):
            if la[0] != lb[0]:
                x = (lb[1] - la[1]) / (la[0] - lb[0])
                if a.xs[i] < x < a.xs[i + 1]:
                    crossings.append(x)
        a, b = a.refine(crossings), b.refine(crossings)
        lines = []
        for i, (la, lb) in enumerate(zip(a.lines, b.lines, strict=True)):
            mid = (a.xs[i] + a.xs[i + 1]) / 2
            first = _at(la, mid) >= _at(lb, mid)
            lines.append(la if first == pick_max else lb)
        pick = max if pick_max else min
        values = tuple(pick(va, vb) for va, vb in zip(a.values, b.values, strict=True))
        return Piecewise(a.xs, tuple(lines), values)

    def maximum(self, other: Piecewise) -> Piecewise:
        """The pointwise maximum of two functions on the same domain."""
        return self._extreme(other, True)

    def minimum(self, other: Piecewise) -> Piecewise:
        """The pointwise minimum of two functions on the same domain."""
        return self._extreme(other, False)

    def clamp_below(self, floor: Number = 0) -> Piecewise:
        """``max(f, floor)``."""
        return self.maximum(Piecewise.constant(self.lo, self.hi, floor))

    def compose(self, slope: Number, intercept: Number, lo: Number, hi: Number) -> Piecewise:
        """``x -> f(slope * x + intercept)`` on ``[lo, hi]`` (``slope >= 0``)."""
        a, b = _frac(slope), _frac(intercept)
        x_lo, x_hi = _frac(lo), _frac(hi)
        if a < 0:
            raise InvalidValueError("compose needs a non-decreasing affine map")
        if a == 0:
            return Piecewise.constant(x_lo, x_hi, self(b))
        t_lo, t_hi = a * x_lo + b, a * x_hi + b
        if t_lo < self.lo or t_hi > self.hi:
            raise InvalidValueError(
                f"the map sends [{x_lo}, {x_hi}] to [{t_lo}, {t_hi}], outside the domain "
                f"[{self.lo}, {self.hi}]"
            )
        inner = [t for t in self.xs if t_lo < t < t_hi]
        ts = [t_lo, *inner, t_hi]
        xs = tuple((t - b) / a for t in ts)
        lines = []
        for t_start in ts[:-1]:
            index = min(self._find(t_start), len(self.lines) - 1)
            s, c = self.lines[index]
            lines.append((s * a, s * b + c))
        values = tuple(self(t) for t in ts)
        return Piecewise(xs, tuple(lines), values)

    def simplify(self) -> Piecewise:
        """The same function with redundant breakpoints removed."""
        xs = [self.xs[0]]
        lines: list[_Line] = []
        values = [self.values[0]]
        for i, line in enumerate(self.lines):
            x_end = self.xs[i + 1]
            if lines and lines[-1] == line and values[-1] == _at(line, xs[-1]):
                xs[-1] = x_end
                values[-1] = self.values[i + 1]
            else:
                lines.append(line)
                xs.append(x_end)
                values.append(self.values[i + 1])
        return Piecewise(tuple(xs), tuple(lines), tuple(values))

    # -- analysis ---------------------------------------------------------------------------
    def _sides(self, index: int) -> tuple[Fraction | None, Fraction, Fraction | None]:
        """Left limit, value and right limit at breakpoint ``index``."""
        x = self.xs[index]
        left = _at(self.lines[index - 1], x) if index > 0 else None
        right = _at(self.lines[index], x) if index < len(self.lines) else None
        return left, self.values[index], right

    def zeros(self) -> tuple[Fraction, ...]:
        """Every ``x`` where the function is 0 or changes sign across a jump.

        An interval on which the function is identically zero contributes its two ends.
        """
        found: set[Fraction] = set()
        for index, x in enumerate(self.xs):
            signs = {(v > 0) - (v < 0) for v in self._sides(index) if v is not None}
            if self.values[index] == 0 or {1, -1} <= signs:
                found.add(x)
        for i, (slope, intercept) in enumerate(self.lines):
            start, end = self.xs[i], self.xs[i + 1]
            if slope != 0:
                root = -intercept / slope
                if start < root < end:
                    found.add(root)
            elif intercept == 0:
                found.update((start, end))
        return tuple(sorted(found))

    def decreasing_regions(self) -> tuple[tuple[Fraction, Fraction], ...]:
        """Where more volume costs less: intervals with a negative slope, and points
        where the function jumps down (as ``(x, x)``).
        """
        regions: list[tuple[Fraction, Fraction]] = []
        for index, x in enumerate(self.xs):
            left, value, right = self._sides(index)
            if (left is not None and left > value) or (right is not None and value > right):
                regions.append((x, x))
            if index < len(self.lines) and self.lines[index][0] < 0:
                regions.append((x, self.xs[index + 1]))
        return tuple(regions)

    def is_monotone(self) -> bool:
        """Whether more volume never costs less."""
        return not self.decreasing_regions()

    def __repr__(self) -> str:
        pieces = ", ".join(
            f"({seg.start}, {seg.end}): {seg.slope}*x + {seg.intercept}"
            for seg in self.simplify().segments
        )
        return f"Piecewise({pieces})"
