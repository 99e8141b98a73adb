"""Erlang B, Erlang C and Erlang A queue formulas, in decimals that ignore the ambient context.

Private to :mod:`meterprice.staffing`, which validates the inputs and wraps the results.

Everything is computed with the explicit context :data:`MATH` (50 significant digits) and
each figure is rounded once, at the end, to :data:`RESULT_DIGITS` significant digits, so a
caller's ``decimal.localcontext(prec=5)`` changes nothing.

Erlang B uses the stable recursion ``B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1))``: no
factorials, no powers, every intermediate value in ``[0, 1]``; thousands of agents cost
thousands of steps. Erlang C follows from it as ``C = N B / (N - A (1 - B))``.

Erlang A (the M/M/N+M queue: exponential patience) follows Garnett, Mandelbaum and Reiman,
"Designing a call center with impatient customers", *Manufacturing & Service Operations
Management* 4(3), 2002, pp. 208-227, and Mandelbaum and Zeltyn, "The Palm/Erlang-A queue,
with applications to call centers" (Technion, 2005). With ``x = N mu / theta`` and
``y = lambda / theta`` their function

    A(x, y) = x e^y y^-x gamma(x, y) = 1 + sum_{j>=1} y^j / ((x+1)(x+2)...(x+j))

is the sum of the stationary probabilities of the states "all N agents busy, k waiting"
divided by that of "all busy, none waiting". We evaluate it as ``1 + y U(x, y)`` with the
series of positive terms ``U(x, y) = sum_{k>=0} y^k / ((x+1)...(x+k+1))``, summed in
:data:`MATH` (whose exponent range is unbounded in practice, so nothing overflows) until
a geometric bound on the tail is below ``1e-45`` of the sum. From it:

* ``pi_N = E / (1 + y U E)`` with ``E`` the Erlang B value: P(all busy, none waiting);
* P(wait) ``= pi_N (1 + y U)``; P(abandon) ``= pi_N (1 + (y - x) U)``;
* the offered wait ``V`` of a contact finding ``k`` waiting satisfies
  ``exp(-theta V) ~ Beta(x, k + 1)``, which gives P(answered after t)
  ``= pi_N x U(x, y e^{-theta t}) exp(y - y e^{-theta t} - (x + 1) theta t)``, hence the
  service level P(answered within t) = P(no wait) + P(answered from the queue) -
  P(answered after t), with P(no wait) ``= pi_N (1 - E) / E`` and P(answered from the
  queue) ``= pi_N x U``;
* the mean wait of answered contacts, from ``E[V e^{-theta V}]``:
  ``pi_N (x / theta) sum_k u_k H_k / P(answered)``, ``u_k`` the terms of ``U`` and
  ``H_k = sum_{i=1}^{k+1} 1 / (x + i)``.

The series needs about ``max(0, y - x)`` terms plus a few hundred; past
:data:`MAX_SERIES_TERMS` (a heavily overloaded queue with very long patience) it gives up
with :class:`OverflowError`, which :mod:`meterprice.staffing` reports as a staffing error.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import NamedTuple

__all__ = [
    "MATH",
    "MAX_SERIES_TERMS",
    "PROBABILITY_PLACES",
    "RESULT_DIGITS",
    "QueueFigures",
    "erlang_a",
    "erlang_b",
    "erlang_b_next",
    "erlang_c",
    "erlang_c_figures",
    "probability",
]

#: Significant digits of the working context.
MATH_DIGITS = 50

#: Significant digits kept in every published figure (the default of :mod:`decimal`).
RESULT_DIGITS = 28

MATH = decimal.Context(
    prec=MATH_DIGITS,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

_RESULT = decimal.Context(
    prec=RESULT_DIGITS,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: Decimals kept in a probability: differences of numbers near 1 computed with
#: :data:`MATH_DIGITS` digits are exact to about ``1e-48``.
PROBABILITY_PLACES = 40
_PROBABILITY_QUANTUM = Decimal(1).scaleb(-PROBABILITY_PLACES)

#: Relative size of the neglected tail of a series.
_TAIL = Decimal("1e-45")

#: Most terms the Erlang A series may take before giving up.
MAX_SERIES_TERMS = 1_000_000

_ZERO = Decimal(0)
_ONE = Decimal(1)


class QueueFigures(NamedTuple):
    """The figures of one queue with one number of agents (``None``: infinite)."""

    probability_of_waiting: Decimal
    probability_of_abandonment: Decimal
    service_level: Decimal
    asa_seconds: Decimal | None
    average_wait_seconds: Decimal | None
    occupancy: Decimal


def _result(value: Decimal) -> Decimal:
    return _RESULT.plus(value)


def probability(value: Decimal) -> Decimal:
    """A probability as published, clamped to ``[0, 1]``.

    Rounded to :data:`PROBABILITY_PLACES` decimals (below that lies the rounding noise
    of the working precision), then to :data:`RESULT_DIGITS` significant digits.
    """
    return min(_ONE, max(_ZERO, _result(MATH.quantize(value, _PROBABILITY_QUANTUM))))


def erlang_b_next(traffic: Decimal, previous: Decimal, agents: int) -> Decimal:
    """``B(agents)`` from ``B(agents - 1)``: one step of the stable recursion."""
    carried = MATH.multiply(traffic, previous)
    return MATH.divide(carried, MATH.add(Decimal(agents), carried))


def erlang_b(traffic: Decimal, agents: int) -> Decimal:
    """The Erlang B blocking probability of ``agents`` servers offered ``traffic`` Erlangs."""
    blocking = _ONE
    for n in range(1, agents + 1):
        blocking = erlang_b_next(traffic, blocking, n)
    return blocking


def _erlang_c_from_b(traffic: Decimal, agents: int, blocking: Decimal) -> Decimal:
    """Erlang C from Erlang B, for a stable queue (``agents > traffic``)."""
    n = Decimal(agents)
    denominator = MATH.subtract(n, MATH.multiply(traffic, MATH.subtract(_ONE, blocking)))
    return MATH.divide(MATH.multiply(n, blocking), denominator)


def erlang_c(traffic: Decimal, agents: int) -> Decimal:
    """The Erlang C probability of waiting (1 when ``agents <= traffic``: no steady state)."""
    if agents <= traffic:
        return _ONE
    return probability(_erlang_c_from_b(traffic, agents, erlang_b(traffic, agents)))


def erlang_c_figures(
    traffic: Decimal,
    agents: int,
    aht_seconds: Decimal,
    answer_seconds: Decimal,
    blocking: Decimal | None = None,
) -> QueueFigures:
    """The M/M/N (Erlang C) figures; ``blocking`` is ``B(agents)`` when already known.

    With ``agents <= traffic`` the queue grows without bound: every contact waits,
    none within any time, the average wait is infinite (``None``) and agents are
    always busy.
    """
    if agents <= traffic:
        return QueueFigures(_ONE, _ZERO, _ZERO, None, None, _ONE)
    if blocking is None:
        blocking = erlang_b(traffic, agents)
    waiting = _erlang_c_from_b(traffic, agents, blocking)
    gap = MATH.subtract(Decimal(agents), traffic)
    decay = MATH.exp(MATH.minus(MATH.divide(MATH.multiply(gap, answer_seconds), aht_seconds)))
    service_level = MATH.subtract(_ONE, MATH.multiply(waiting, decay))
    asa = _result(MATH.divide(MATH.multiply(waiting, aht_seconds), gap))
    return QueueFigures(
        probability_of_waiting=probability(waiting),
        probability_of_abandonment=_ZERO,
        service_level=probability(service_level),
        asa_seconds=asa,
        average_wait_seconds=asa,
        occupancy=probability(MATH.divide(traffic, Decimal(agents))),
    )


def _series(x: Decimal, y: Decimal) -> tuple[Decimal, Decimal]:
    """``(U, sum_k u_k H_k)`` for the Erlang A formulas (see the module docstring)."""
    denominator = MATH.add(x, _ONE)
    term = MATH.divide(_ONE, denominator)
    harmonic = term
    total = term
    weighted = MATH.multiply(term, harmonic)
    for _ in range(MAX_SERIES_TERMS):
        denominator = MATH.add(denominator, _ONE)
        term = MATH.divide(MATH.multiply(term, y), denominator)
        harmonic = MATH.add(harmonic, MATH.divide(_ONE, denominator))
        total = MATH.add(total, term)
        weighted = MATH.add(weighted, MATH.multiply(term, harmonic))
        # Every later term shrinks by at least ``ratio``, and H grows by at most
        # 1 / (denominator + 1) a term, which bounds both tails geometrically.
        following = MATH.add(denominator, _ONE)
        ratio = MATH.divide(y, following)
        if ratio < _ONE:
            rest = MATH.subtract(_ONE, ratio)
            share = MATH.divide(ratio, rest)
            tail = MATH.multiply(term, share)
            weighted_tail = MATH.multiply(
                term,
                MATH.add(
                    MATH.multiply(harmonic, share),
                    MATH.divide(share, MATH.multiply(rest, following)),
                ),
            )
            if tail <= MATH.multiply(_TAIL, total) and weighted_tail <= MATH.multiply(
                _TAIL, weighted
            ):
                return total, weighted
    raise OverflowError(
        f"the Erlang A series did not converge within {MAX_SERIES_TERMS} terms "
        f"(x = {_result(x)}, y = {_result(y)})"
    )


def erlang_a(
    traffic: Decimal,
    agents: int,
    aht_seconds: Decimal,
    patience_seconds: Decimal,
    answer_seconds: Decimal,
) -> QueueFigures:
    """The M/M/N+M (Erlang A) figures, for ``agents >= 1`` and a finite mean patience.

    The service level counts abandoned contacts as not answered in time: it is the
    share of all offered contacts answered within ``answer_seconds``. The ASA is the
    mean wait of the answered contacts; the average wait covers all offered contacts
    (answered or abandoned) and equals P(abandon) x mean patience (Little's law).
    """
    if traffic == 0:
        return QueueFigures(_ZERO, _ZERO, _ONE, _ZERO, _ZERO, _ZERO)
    n = Decimal(agents)
    x = MATH.divide(MATH.multiply(n, patience_seconds), aht_seconds)
    y = MATH.divide(MATH.multiply(traffic, patience_seconds), aht_seconds)
    blocking = erlang_b(traffic, agents)
    total, weighted = _series(x, y)
    all_busy = MATH.divide(
        blocking, MATH.add(_ONE, MATH.multiply(MATH.multiply(y, total), blocking))
    )
    waiting = MATH.multiply(all_busy, MATH.add(_ONE, MATH.multiply(y, total)))
    abandoned = max(
        _ZERO,
        MATH.multiply(all_busy, MATH.add(_ONE, MATH.multiply(MATH.subtract(y, x), total))),
    )
    answered = MATH.subtract(_ONE, abandoned)
    # P(no wait) = sum_{j<N} pi_j = pi_N (1 - E) / E, without the cancellation of 1 - P(wait).
    service_level = MATH.divide(
        MATH.subtract(_ONE, blocking),
        MATH.add(_ONE, MATH.multiply(MATH.multiply(y, total), blocking)),
    )
    if answer_seconds > 0:
        elapsed = MATH.divide(answer_seconds, patience_seconds)  # theta t
        y_later = MATH.multiply(y, MATH.exp(MATH.minus(elapsed)))
        total_later, _ = _series(x, y_later)
        exponent = MATH.subtract(
            MATH.subtract(y, y_later), MATH.multiply(MATH.add(x, _ONE), elapsed)
        )
        # Answered from the queue within t: all answered from the queue, less those later.
        in_time = MATH.subtract(total, MATH.multiply(total_later, MATH.exp(exponent)))
        service_level = MATH.add(service_level, MATH.multiply(MATH.multiply(all_busy, x), in_time))
    answered_wait = MATH.multiply(MATH.multiply(all_busy, x), weighted)
    asa = MATH.divide(MATH.multiply(answered_wait, patience_seconds), answered)
    return QueueFigures(
        probability_of_waiting=probability(waiting),
        probability_of_abandonment=probability(abandoned),
        service_level=probability(service_level),
        asa_seconds=_result(asa),
        average_wait_seconds=_result(MATH.multiply(abandoned, patience_seconds)),
        occupancy=probability(MATH.divide(MATH.multiply(traffic, answered), n)),
    )
