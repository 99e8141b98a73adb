"""Exact piecewise-linear functions: construction, algebra, zeros and monotonicity."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meterprice.piecewise import Piecewise

F = Fraction


def fr(*values: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(v) for v in values)


def test_linear_and_constant_values() -> None:
    f = Piecewise.linear(0, 10, slope=2, intercept=1)
    assert f(0) == 1
    assert f(Decimal("2.5")) == 6
    assert f(10) == 21
    assert Piecewise.constant(0, 10, 7)(F(13, 3)) == 7


def test_floats_and_out_of_domain_are_refused() -> None:
    f = Piecewise.linear(0, 10, slope=1)
    with pytest.raises(TypeError, match=r"not 0\.5"):
        f(0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outside the domain"):
        f(11)


def test_invalid_construction() -> None:
    with pytest.raises(ValueError, match="two distinct ends"):
        Piecewise((F(0),), (), (F(0),))
    with pytest.raises(ValueError, match="increase strictly"):
        Piecewise((F(0), F(0)), ((F(0), F(0)),), (F(0), F(0)))
    with pytest.raises(ValueError, match="one line per interval"):
        Piecewise((F(0), F(1)), (), (F(0), F(0)))


def test_from_lines_left_and_right_closed() -> None:
    # 0-10 at 1 per unit, above 10 at 2 per unit plus a jump of 5
    left = Piecewise.from_lines([0, 10, 20], [(1, 0), (2, -5)])
    assert left(10) == 10  # the boundary belongs to the lower piece
    assert left.limit_right(10) == 15
    right = Piecewise.from_lines([0, 10, 20], [(1, 0), (2, -5)], left_closed=False)
    assert right(10) == 15
    explicit = Piecewise.from_lines([0, 10, 20], [(1, 0), (2, -5)], values=[0, 12, 35])
    assert explicit(10) == 12


def test_limits_at_the_ends_are_errors() -> None:
    f = Piecewise.linear(0, 10, slope=1)
    with pytest.raises(ValueError, match="no left limit"):
        f.limit_left(0)
    with pytest.raises(ValueError, match="no right limit"):
        f.limit_right(10)
    assert f.limit_left(10) == 10
    assert f.limit_right(0) == 0


def test_sum_difference_scale_shift_negate() -> None:
    f = Piecewise.from_lines([0, 5, 10], [(1, 0), (0, 5)])  # min(x, 5)
    g = Piecewise.linear(0, 10, slope=F(1, 2))
    total = f + g
    assert total(4) == 6  # 4 + 2
    assert total(8) == 9  # 5 + 4
    assert (f - g)(8) == 1
    assert f.scale(3)(8) == 15
    assert f.shift(-5)(8) == 0
    assert (-f)(2) == -2
    assert Piecewise.sum([f, g, g], 0, 10)(10) == 15
    assert Piecewise.sum([], 0, 10)(3) == 0


def test_combining_different_domains_is_an_error() -> None:
    with pytest.raises(ValueError, match="different domains"):
        Piecewise.linear(0, 10) + Piecewise.linear(0, 20)


def test_non_function_operands_are_not_implemented() -> None:
    f = Piecewise.linear(0, 10)
    with pytest.raises(TypeError):
        f + 1
    with pytest.raises(TypeError):
        f - 1


def test_maximum_and_minimum_find_crossings() -> None:
    rising = Piecewise.linear(0, 100, slope=2)
    floor = Piecewise.constant(0, 100, 50)
    top = rising.maximum(floor)
    assert top.breakpoints == fr(0, 25, 100)
    assert top(10) == 50
    assert top(40) == 80
    low = rising.minimum(floor)
    assert low(10) == 20
    assert low(40) == 50
    assert rising.clamp_below(30)(5) == 30


def test_compose_with_affine_map() -> None:
    f = Piecewise.from_lines([0, 10, 100], [(1, 0), (3, -20)])  # kink at 10
    # g(x) = f(x / 2 + 4): the kink moves to x = 12
    g = f.compose(F(1, 2), 4, 0, 100)
    assert g.breakpoints == fr(0, 12, 100)
    assert g(0) == 4
    assert g(12) == 10
    assert g(20) == f(14)
    flat = f.compose(0, 50, 0, 10)
    assert flat(7) == f(50)


def test_compose_errors() -> None:
    f = Piecewise.linear(0, 10, slope=1)
    with pytest.raises(ValueError, match="non-decreasing"):
        f.compose(-1, 0, 0, 1)
    with pytest.raises(ValueError, match="outside the domain"):
        f.compose(1, 5, 0, 10)


def test_refine_keeps_the_function_and_simplify_removes_redundant_points() -> None:
    f = Piecewise.from_lines([0, 10, 20], [(1, 0), (2, -10)])
    fine = f.refine([F(5), F(15), F(10), F(30)])
    assert fine.xs == fr(0, 5, 10, 15, 20)
    assert all(fine(x) == f(x) for x in range(21))
    assert fine.simplify().xs == fr(0, 10, 20)
    assert f.refine([]) is f
    straight = Piecewise.from_lines([0, 10, 20], [(1, 0), (1, 0)])
    assert straight.simplify().xs == fr(0, 20)


def test_zeros_roots_jumps_and_flat_zero_intervals() -> None:
    assert Piecewise.linear(0, 10, slope=2, intercept=-6).zeros() == fr(3)
    # jumps from -1 to +1 at 5 without touching zero
    jump = Piecewise.from_lines([0, 5, 10], [(0, -1), (0, 1)])
    assert jump.zeros() == fr(5)
    # identically zero on (2, 4)
    flat = Piecewise.from_lines([0, 2, 4, 6], [(1, -2), (0, 0), (1, -4)])
    assert flat.zeros() == fr(2, 4)
    assert Piecewise.constant(0, 1, 3).zeros() == ()


def test_decreasing_regions_slopes_and_downward_jumps() -> None:
    cliff = Piecewise.from_lines([0, 10, 20], [(1, 0), (1, -5)])  # drops by 5 after 10
    assert cliff.decreasing_regions() == (fr(10, 10),)
    assert not cliff.is_monotone()
    falling = Piecewise.linear(0, 10, slope=-1)
    assert falling.decreasing_regions() == (fr(0, 10),)
    assert Piecewise.linear(0, 10, slope=1).is_monotone()
    # a value below its left neighbour at a point (own value lower than the limit)
    dip = Piecewise.from_lines([0, 5, 10], [(0, 1), (0, 1)], values=[1, 0, 1])
    assert fr(5, 5) in dip.decreasing_regions()


def test_segments_and_repr() -> None:
    f = Piecewise.from_lines([0, 10, 20], [(1, 0), (2, -10)])
    segments = f.segments
    assert [(s.start, s.end, s.slope, s.intercept) for s in segments] == [
        fr(0, 10, 1, 0),
        fr(10, 20, 2, -10),
    ]
    assert segments[1].at(F(15)) == 20
    assert repr(f) == "Piecewise((0, 10): 1*x + 0, (10, 20): 2*x + -10)"


lines = st.tuples(
    st.fractions(min_value=-5, max_value=5, max_denominator=7),
    st.fractions(min_value=-50, max_value=50, max_denominator=7),
)


@st.composite
def functions(draw: st.DrawFn) -> Piecewise:
    cuts = sorted(draw(st.sets(st.integers(1, 99), max_size=5)))
    xs = [0, *cuts, 100]
    segs = draw(st.lists(lines, min_size=len(xs) - 1, max_size=len(xs) - 1))
    return Piecewise.from_lines(xs, segs, left_closed=draw(st.booleans()))


points = st.fractions(min_value=0, max_value=100, max_denominator=13)


@given(functions(), functions(), points)
def test_algebra_is_pointwise(f: Piecewise, g: Piecewise, x: Fraction) -> None:
    assert (f + g)(x) == f(x) + g(x)
    assert (f - g)(x) == f(x) - g(x)
    assert f.maximum(g)(x) == max(f(x), g(x))
    assert f.minimum(g)(x) == min(f(x), g(x))
    assert f.simplify()(x) == f(x)


@given(functions(), st.fractions(0, 3, max_denominator=5), st.integers(0, 10), points)
def test_compose_is_pointwise(f: Piecewise, a: Fraction, b: int, x: Fraction) -> None:
    hi = (100 - b) / a if a else Fraction(100)
    if hi <= 0:
        return
    g = f.compose(a, b, 0, hi)
    y = x * hi / 100
    assert g(y) == f(a * y + b)


@given(functions())
def test_zeros_are_zero_or_sign_changes(f: Piecewise) -> None:
    for x in f.zeros():
        left = f.limit_left(x) if x > f.lo else f(x)
        right = f.limit_right(x) if x < f.hi else f(x)
        assert f(x) == 0 or (left < 0 < right) or (right < 0 < left) or left == 0 or right == 0
