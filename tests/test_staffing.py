"""Tests of the staffing model: Erlang B/C/A, schedules, and the rate derived from them.

Published figures are checked at the precision they were published with; everything else
is checked against oracles written independently of the library: exact fractions with
integer factorials for Erlang B and C, and a truncated birth-death chain with
hypoexponential waiting times for Erlang A.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meterprice import _erlang
from meterprice.errors import MeterpriceError
from meterprice.staffing import (
    WEEKDAYS,
    CostInputs,
    DeferredChannel,
    IntradayProfile,
    LiveChannel,
    OpeningHours,
    QueueMetrics,
    ServiceTarget,
    StaffingError,
    StaffingEstimate,
    WeeklySchedule,
    Workload,
    deferred_agents,
    erlang_b,
    erlang_c,
    estimate_staffing,
    price_from_staffing,
    queue_metrics,
    required_agents,
    scheduled_agents,
)

# ---------------------------------------------------------------------------
# Oracles, independent of the library's algorithms
# ---------------------------------------------------------------------------

ORACLE = decimal.Context(prec=100)


def to_dec(value: Fraction) -> Decimal:
    return ORACLE.divide(Decimal(value.numerator), Decimal(value.denominator))


def oracle_erlang_b(traffic: Fraction, agents: int) -> Fraction:
    """(A^N / N!) / sum_{k<=N} A^k / k!, exactly."""
    terms = [traffic**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms)


def oracle_erlang_c(traffic: Fraction, agents: int) -> Fraction:
    """The textbook Erlang C formula with factorials and powers, exactly (N > A)."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    return top / (sum(traffic**k / math.factorial(k) for k in range(agents)) + top)


def oracle_service_level(traffic: Fraction, agents: int, aht: Fraction, t: Fraction) -> Decimal:
    waiting = to_dec(oracle_erlang_c(traffic, agents))
    decay = ORACLE.exp(to_dec(-(agents - traffic) * t / aht))
    return ORACLE.subtract(1, ORACLE.multiply(waiting, decay))


def oracle_erlang_a(
    traffic: Fraction,
    agents: int,
    aht: Fraction,
    patience: Fraction,
    t: Fraction,
    *,
    depth: int = 60,
    waits: bool = True,
) -> dict[str, Decimal]:
    """Erlang A from its birth-death chain truncated at ``depth`` waiting contacts.

    A contact finding k waiting must pass k + 1 stages (one per position in the queue)
    whose lengths are exponential with rates r_i = N mu + i theta (i = k..0), racing
    its exponential patience: it is answered with probability prod_i r_i / (r_i + theta).
    Its offered wait V_k has the hypoexponential density sum_i c_i r_i e^(-r_i v) with
    c_i = prod_{j != i} r_j / (r_j - r_i), exact fractions; from it the share answered
    within t and the mean wait of the answered (``waits``; cubic in ``depth``).
    """
    mu, theta = 1 / aht, 1 / patience
    rate = traffic * mu
    weights = [Fraction(1)]
    for j in range(1, agents + 1):
        weights.append(weights[-1] * rate / (j * mu))
    for k in range(1, depth):
        weights.append(weights[-1] * rate / (agents * mu + k * theta))
    norm = sum(weights, Fraction(0))
    pi = [w / norm for w in weights]
    no_wait = sum(pi[:agents], Fraction(0))
    answered = no_wait
    passes = Fraction(1)
    for k in range(depth):
        stage = agents * mu + k * theta
        passes *= stage / (stage + theta)
        answered += pi[agents + k] * passes
    figures = {
        "waiting": to_dec(1 - no_wait),
        "abandonment": to_dec(1 - answered),
        "average_wait": to_dec((1 - answered) * patience),
    }
    if not waits:
        return figures
    answered_wait = Fraction(0)
    within = to_dec(no_wait)
    for k in range(depth):
        rates = [agents * mu + i * theta for i in range(k + 1)]
        coefficients = [
            math.prod(
                (rates[j] / (rates[j] - rates[i]) for j in range(k + 1) if j != i),
                start=Fraction(1),
            )
            for i in range(k + 1)
        ]
        pairs = list(zip(coefficients, rates, strict=True))
        answered_wait += pi[agents + k] * sum(
            (c * r / (r + theta) ** 2 for c, r in pairs), Fraction(0)
        )
        for c, r in pairs:
            part = to_dec(c * r / (r + theta))
            kept = ORACLE.subtract(1, ORACLE.exp(to_dec(-(r + theta) * t)))
            within = ORACLE.add(
                within, ORACLE.multiply(to_dec(pi[agents + k]), ORACLE.multiply(part, kept))
            )
    figures["service_level"] = within
    figures["asa"] = to_dec(answered_wait / answered)
    return figures


def untyped(value: object) -> Any:
    """``value`` hidden from the type checker, to test what callers without one can pass."""
    return value


def close(actual: Decimal | None, expected: Decimal | float | str, tolerance: str) -> bool:
    assert actual is not None
    return abs(ORACLE.subtract(actual, Decimal(str(expected)))) <= Decimal(tolerance)


# ---------------------------------------------------------------------------
# Published figures
# ---------------------------------------------------------------------------


def test_call_centre_helper_worked_example() -> None:
    # Call Centre Helper, "Erlang C formula - made simple with an Erlang C calculator":
    # 100 calls in 30 minutes, AHT 180 s, target 80 % answered within 20 s. Published:
    # 10 Erlangs, 14 agents, service level 88.8 %, ASA 7.8 s, occupancy 71.4 %, and
    # 20 agents to schedule after 30 % shrinkage.
    workload = Workload(100, 1800, 180)
    assert workload.traffic == 10
    metrics = required_agents(workload, ServiceTarget("0.80", 20))
    assert metrics.agents == 14
    assert close(metrics.service_level, "0.888", "0.0005")
    assert close(metrics.asa_seconds, "7.8", "0.05")
    assert close(metrics.occupancy, "0.714", "0.0005")
    assert scheduled_agents(metrics.agents, "0.30") == 20
    # 13 agents fall just short: 79.6 %.
    assert close(queue_metrics(workload, 13, 20).service_level, "0.7956", "0.00005")
    # The figures against the exact oracle, to the last of the 28 digits.
    expected = oracle_service_level(Fraction(10), 14, Fraction(180), Fraction(20))
    assert close(metrics.service_level, expected, "1e-27")


@pytest.mark.parametrize(
    ("agents", "published"),
    [(11, "0.6821"), (12, "0.4494"), (13, "0.2853"), (14, "0.1741"), (15, "0.1020")],
)
def test_erlang_c_table_for_ten_erlangs(agents: int, published: str) -> None:
    # Classical Erlang C (probability of delay) table, A = 10 Erlangs, N = 11..15,
    # printed to 4 decimals; each is also recomputed exactly with factorials here.
    value = erlang_c(10, agents)
    assert value.quantize(Decimal("0.0001"), context=ORACLE) == Decimal(published)
    assert close(value, to_dec(oracle_erlang_c(Fraction(10), agents)), "1e-27")


def test_erlang_b_table() -> None:
    # Classical Erlang B tables: B(A=10, N=10) = 0.2146; and the largest traffic that
    # N lines carry at a grade of service (tables print it to 2 decimals): N = 10 at
    # 1 % -> 4.46 E, at 2 % -> 5.08 E, at 5 % -> 6.22 E; N = 20 at 1 % -> 12.03 E;
    # N = 5 at 1 % -> 1.36 E.
    assert erlang_b(10, 10).quantize(Decimal("0.0001"), context=ORACLE) == Decimal("0.2146")
    for agents, grade, capacity in [
        (10, "0.01", "4.46"),
        (10, "0.02", "5.08"),
        (10, "0.05", "6.22"),
        (20, "0.01", "12.03"),
        (5, "0.01", "1.36"),
    ]:
        # Tables round the capacity to the nearest hundredth: a traffic 0.005 Erlangs
        # below meets the grade, one 0.005 above misses it.
        below = ORACLE.subtract(Decimal(capacity), Decimal("0.005"))
        above = ORACLE.add(Decimal(capacity), Decimal("0.005"))
        assert erlang_b(below, agents) <= Decimal(grade) < erlang_b(above, agents)


def test_mm1_and_mm2_closed_forms() -> None:
    # Kleinrock, Queueing Systems vol. 1 (1975), M/M/1: P(wait) = rho,
    # W_q = rho / (mu - lambda), P(W_q > t) = rho e^{-(mu - lambda) t}.
    # One call a minute, AHT 45 s: rho = 0.75, W_q = 0.75 / (1/45 - 1/60) = 135 s.
    metrics = queue_metrics(Workload(1, 60, 45), 1, 30)
    assert close(metrics.probability_of_waiting, "0.75", "1e-27")
    assert close(metrics.asa_seconds, "135", "1e-25")
    decay = ORACLE.exp(Decimal(-30) / Decimal(180))
    assert close(
        metrics.service_level, ORACLE.subtract(1, ORACLE.multiply(Decimal("0.75"), decay)), "1e-27"
    )
    # M/M/2: P(wait) = 2 rho^2 / (1 + rho); with A = 1.5 Erlangs, rho = 0.75: 0.642857...
    assert close(erlang_c("1.5", 2), to_dec(Fraction(9, 14)), "1e-27")


def test_garnett_mandelbaum_reiman_example() -> None:
    # Garnett, Mandelbaum & Reiman (2002), "Designing a call center with impatient
    # customers", MSOM 4(3), and Mandelbaum & Zeltyn, "The Palm/Erlang-A queue" (2005),
    # introduction: 50 agents, 48 calls a minute, 1 minute of service, 2 minutes of mean
    # patience. Erlang C: average wait 20.8 s, occupancy 96 %. Erlang A: 3.1 % abandon,
    # average wait 3.7 s, occupancy 93 %. (Figures as recalled from those papers; every
    # digit is re-derived below from the birth-death oracle.)
    erlang_c_queue = queue_metrics(Workload(48, 60, 60), 50)
    assert close(erlang_c_queue.asa_seconds, "20.8", "0.05")
    assert erlang_c_queue.occupancy == Decimal("0.96")
    erlang_a_queue = queue_metrics(Workload(48, 60, 60, patience_seconds=120), 50)
    assert close(erlang_a_queue.probability_of_abandonment, "0.031", "0.0005")
    assert close(erlang_a_queue.average_wait_seconds, "3.7", "0.05")
    assert close(erlang_a_queue.occupancy, "0.93", "0.005")
    oracle = oracle_erlang_a(
        Fraction(48), 50, Fraction(60), Fraction(120), Fraction(0), depth=400, waits=False
    )
    assert close(erlang_a_queue.probability_of_waiting, oracle["waiting"], "1e-20")
    assert close(erlang_a_queue.probability_of_abandonment, oracle["abandonment"], "1e-20")


def test_erlang_a_with_patience_equal_to_handle_time_is_an_infinite_server_queue() -> None:
    # Mandelbaum & Zeltyn (2005): with theta = mu the number in system is Poisson(A), so
    # P(wait) = P(Poisson(A) >= N) and P(abandon) = E[(X - N)^+] / A.
    traffic, agents = 10, 12
    poisson = [
        ORACLE.divide(ORACLE.power(Decimal(traffic), k), Decimal(math.factorial(k)))
        for k in range(400)
    ]
    poisson = [ORACLE.multiply(p, ORACLE.exp(Decimal(-traffic))) for p in poisson]
    at_least_n = ORACLE.subtract(1, sum(poisson[:agents], Decimal(0)))
    excess = sum(
        (ORACLE.multiply(Decimal(k - agents), p) for k, p in enumerate(poisson) if k > agents),
        Decimal(0),
    )
    metrics = queue_metrics(Workload(100, 1800, 180, patience_seconds=180), agents)
    assert close(metrics.probability_of_waiting, at_least_n, "1e-25")
    assert close(
        metrics.probability_of_abandonment, ORACLE.divide(excess, Decimal(traffic)), "1e-25"
    )


def test_erlang_a_tends_to_erlang_b_as_patience_vanishes() -> None:
    # GMR (2002): Erlang A lies between Erlang B (theta -> infinity: whoever waits, leaves)
    # and Erlang C (theta -> 0).
    metrics = queue_metrics(Workload(100, 1800, 180, patience_seconds="0.000001"), 12)
    assert close(metrics.probability_of_abandonment, erlang_b(10, 12), "1e-8")


@pytest.mark.parametrize("patience", ["1e6", "1e8", "1e10", "1e12"])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(patience: str) -> None:
    # The gap closes like 1 / patience (about 3,100 s^2 / patience for the ASA here).
    tolerance = ORACLE.divide(Decimal(10_000), Decimal(patience))
    c = queue_metrics(Workload(100, 1800, 180), 14, 20)
    a = queue_metrics(Workload(100, 1800, 180, patience_seconds=patience), 14, 20)
    for name in ("probability_of_waiting", "service_level", "asa_seconds", "occupancy"):
        assert close(getattr(a, name), getattr(c, name), str(tolerance)), name
    assert a.probability_of_abandonment < tolerance
    assert a.probability_of_waiting < c.probability_of_waiting
    assert a.service_level > c.service_level


def test_erlang_a_gap_to_erlang_c_shrinks_linearly() -> None:
    c = queue_metrics(Workload(100, 1800, 180), 14, 20)
    gaps = []
    for patience in ("1e8", "1e10"):
        a = queue_metrics(Workload(100, 1800, 180, patience_seconds=patience), 14, 20)
        assert a.asa_seconds is not None
        assert c.asa_seconds is not None
        gaps.append(ORACLE.subtract(c.asa_seconds, a.asa_seconds))
    assert close(ORACLE.divide(gaps[0], gaps[1]), 100, "0.01")


# ---------------------------------------------------------------------------
# Erlang A against the birth-death oracle
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traffic", "agents", "aht", "patience", "answer"),
    [
        ("3", 2, "60", "30", "10"),  # overloaded: more traffic than agents
        ("2.5", 3, "180", "90", "20"),
        ("4", 6, "100", "250", "15"),
        ("1", 1, "60", "60", "0"),
        ("0.8", 2, "300", "45", "30"),
    ],
)
def test_erlang_a_matches_the_birth_death_oracle(
    traffic: str, agents: int, aht: str, patience: str, answer: str
) -> None:
    oracle = oracle_erlang_a(
        Fraction(traffic), agents, Fraction(aht), Fraction(patience), Fraction(answer)
    )
    # ``traffic`` Erlangs in an interval of one AHT: ``traffic`` contacts of ``aht`` seconds.
    workload = Workload(traffic, aht, aht, patience_seconds=patience)
    metrics = queue_metrics(workload, agents, answer)
    assert close(metrics.probability_of_waiting, oracle["waiting"], "1e-20")
    assert close(metrics.probability_of_abandonment, oracle["abandonment"], "1e-20")
    assert close(metrics.service_level, oracle["service_level"], "1e-20")
    assert close(metrics.asa_seconds, oracle["asa"], "1e-18")
    assert close(metrics.average_wait_seconds, oracle["average_wait"], "1e-18")


def test_erlang_a_always_has_a_steady_state() -> None:
    metrics = queue_metrics(Workload(500, 1800, 180, patience_seconds=60), 20, 20)
    assert metrics.stable
    assert Decimal("0.6") < metrics.probability_of_abandonment < 1
    assert metrics.occupancy <= 1


def test_erlang_a_series_gives_up_on_absurd_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_erlang, "MAX_SERIES_TERMS", 50)
    with pytest.raises(StaffingError, match="heavily overloaded"):
        queue_metrics(Workload(100, 1800, 180, patience_seconds=100_000), 2)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

traffics = st.decimals(min_value="0.01", max_value="40", places=2)
aht_values = st.integers(min_value=10, max_value=900)
answers = st.integers(min_value=0, max_value=120)
patiences = st.integers(min_value=5, max_value=900)


@settings(deadline=None)
@given(traffic=traffics, agents=st.integers(min_value=1, max_value=60))
def test_stable_recursion_matches_the_factorial_oracle(traffic: Decimal, agents: int) -> None:
    exact = Fraction(traffic)
    assert close(erlang_b(traffic, agents), to_dec(oracle_erlang_b(exact, agents)), "1e-27")
    if agents > exact:
        assert close(erlang_c(traffic, agents), to_dec(oracle_erlang_c(exact, agents)), "1e-27")
    else:
        assert erlang_c(traffic, agents) == 1


@settings(deadline=None)
@given(traffic=traffics, aht=aht_values, answer=answers)
def test_erlang_c_improves_with_every_agent(traffic: Decimal, aht: int, answer: int) -> None:
    workload = Workload(traffic, aht, aht)
    previous = queue_metrics(workload, 1, answer)
    for agents in range(2, int(traffic) + 12):
        metrics = queue_metrics(workload, agents, answer)
        assert 0 <= metrics.probability_of_waiting <= previous.probability_of_waiting <= 1
        assert previous.service_level <= metrics.service_level <= 1
        assert metrics.occupancy <= previous.occupancy
        if previous.asa_seconds is not None:
            assert metrics.asa_seconds is not None
            assert 0 <= metrics.asa_seconds <= previous.asa_seconds
        previous = metrics


@settings(deadline=None, max_examples=60)
@given(traffic=traffics, aht=aht_values, answer=answers, patience=patiences)
def test_erlang_a_improves_with_every_agent(
    traffic: Decimal, aht: int, answer: int, patience: int
) -> None:
    workload = Workload(traffic, aht, aht, patience_seconds=patience)
    previous = queue_metrics(workload, 1, answer)
    for agents in range(2, int(traffic) + 8):
        metrics = queue_metrics(workload, agents, answer)
        assert 0 <= metrics.probability_of_abandonment <= previous.probability_of_abandonment <= 1
        assert 0 <= metrics.probability_of_waiting <= previous.probability_of_waiting <= 1
        assert previous.service_level <= metrics.service_level
        # Answered in time <= answered, up to the rounding of each to 28 digits.
        answered = ORACLE.subtract(1, metrics.probability_of_abandonment)
        assert metrics.service_level <= ORACLE.add(answered, Decimal("1e-27"))
        assert metrics.asa_seconds is not None
        assert previous.asa_seconds is not None
        assert metrics.asa_seconds <= previous.asa_seconds
        assert metrics.occupancy <= previous.occupancy <= 1
        previous = metrics


targets = st.builds(
    ServiceTarget,
    st.decimals(min_value="0.05", max_value="0.99", places=2),
    answers,
    max_occupancy=st.none() | st.decimals(min_value="0.50", max_value="1", places=2),
    max_asa_seconds=st.none() | st.integers(min_value=1, max_value=300),
    max_abandonment=st.none() | st.decimals(min_value="0.01", max_value="0.5", places=2),
)


@settings(deadline=None, max_examples=80)
@given(traffic=traffics, aht=aht_values, target=targets, patience=st.none() | patiences)
def test_required_agents_is_the_minimum(
    traffic: Decimal, aht: int, target: ServiceTarget, patience: int | None
) -> None:
    workload = Workload(traffic, 1800, aht, patience_seconds=patience)
    metrics = required_agents(workload, target)
    assert target.is_met_by(metrics)
    assert metrics == queue_metrics(workload, metrics.agents, target.answer_seconds)
    if metrics.agents > 1:
        assert not target.is_met_by(
            queue_metrics(workload, metrics.agents - 1, target.answer_seconds)
        )


@settings(deadline=None, max_examples=40)
@given(traffic=traffics, aht=aht_values, answer=answers, patience=patiences)
def test_erlang_a_answers_more_within_the_target_than_erlang_c_without_impatience(
    traffic: Decimal, aht: int, answer: int, patience: int
) -> None:
    # Abandonment shortens the queue: the offered wait only drops, so P(wait) and the
    # wait of the answered contacts are below Erlang C's for a stable queue.
    agents = int(traffic) + 1
    c = queue_metrics(Workload(traffic, aht, aht), agents, answer)
    a = queue_metrics(Workload(traffic, aht, aht, patience_seconds=patience), agents, answer)
    assert a.probability_of_waiting <= c.probability_of_waiting
    assert a.asa_seconds is not None
    assert c.asa_seconds is not None
    assert a.asa_seconds <= c.asa_seconds


def test_hundreds_and_thousands_of_agents() -> None:
    # 500 Erlangs: 1,000 calls of 15 minutes per half hour. Square-root staffing puts the
    # answer a little above 500 + sqrt(500).
    workload = Workload(1000, 1800, 900)
    metrics = required_agents(workload, ServiceTarget("0.80", 20))
    assert 500 < metrics.agents < 540
    assert Decimal("0.80") <= metrics.service_level < 1
    assert 0 < metrics.probability_of_waiting < 1
    assert metrics.asa_seconds is not None
    assert 0 < metrics.asa_seconds < 60
    assert not ServiceTarget("0.80", 20).is_met_by(queue_metrics(workload, metrics.agents - 1, 20))
    # Jagerman's asymptotic B(N, N) ~ sqrt(2 / (pi N)).
    asymptotic = Decimal(str(math.sqrt(2 / (math.pi * 2000))))
    assert close(erlang_b(2000, 2000), asymptotic, "0.0003")
    # Halfin & Whitt (1981): with N = A + beta sqrt(A), Erlang C tends to
    # 1 / (1 + beta Phi(beta) / phi(beta)); beta = 100 / sqrt(2000) gives about 0.0146.
    beta = 100 / math.sqrt(2000)
    density = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    limit = 1 / (1 + beta * (1 + math.erf(beta / math.sqrt(2))) / 2 / density)
    assert close(erlang_c(2000, 2100), limit, "0.0015")
    impatient = required_agents(
        Workload(1000, 1800, 900, patience_seconds=300), ServiceTarget("0.80", 20)
    )
    assert 400 < impatient.agents <= metrics.agents


def test_results_ignore_the_ambient_decimal_context() -> None:
    def compute() -> tuple[object, ...]:
        phone = LiveChannel(
            "phone",
            hours="Mon-Fri 08:00-20:00",
            daily_contacts={"Mon-Fri": "1234.5"},
            aht_seconds="187.5",
            target=ServiceTarget("0.8", 20, max_occupancy="0.85"),
        )
        chat = LiveChannel(
            "chat",
            hours="Mon-Fri 09:00-17:00",
            daily_contacts={"Mon-Fri": 333},
            aht_seconds=420,
            concurrency="2.5",
            patience_seconds=90,
            target=ServiceTarget("0.9", 30),
        )
        email = DeferredChannel(
            "email",
            hours="Mon-Fri 08:00-18:00",
            daily_contacts=[111, 111, 111, 111, 111, 0, 0],
            aht_seconds=280,
            response_window_seconds=7200,
            occupancy="0.85",
        )
        estimate = estimate_staffing([phone, chat, email], shrinkage="0.33")
        costs = CostInputs("23.17", "EUR", overhead="0.13", margin="0.17")
        price = price_from_staffing(estimate, costs, dt.date(2024, 2, 1))
        return (
            price,
            str(price),
            erlang_b("123.45", 130),
            erlang_c("123.45", 130),
            queue_metrics(Workload(77, 900, 333, patience_seconds=111), 30, 15),
        )

    reference = compute()
    with decimal.localcontext(decimal.Context(prec=5, rounding=decimal.ROUND_DOWN)):
        assert compute() == reference
    # No operator may touch the ambient context at all: with one digit of precision and
    # every rounding trapped, any stray ``a * b`` on a Decimal would raise.
    strict = decimal.Context(
        prec=1, traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation]
    )
    with decimal.localcontext(strict):
        assert compute() == reference


# ---------------------------------------------------------------------------
# Queue API details
# ---------------------------------------------------------------------------


def test_unstable_erlang_c_queue_is_explicit() -> None:
    metrics = queue_metrics(Workload(100, 1800, 180), 10, 20)
    assert not metrics.stable
    assert metrics.probability_of_waiting == 1
    assert metrics.service_level == 0
    assert metrics.asa_seconds is None
    assert metrics.average_wait_seconds is None
    assert metrics.occupancy == 1
    assert "ASA infinite" in str(metrics)
    assert erlang_c(10, 9) == 1


def test_chat_concurrency_divides_the_handle_time() -> None:
    chat = Workload(100, 1800, 360, concurrency=2)
    assert chat.agent_seconds_per_contact == 180
    assert chat.traffic == 10
    assert queue_metrics(chat, 14, 20) == attrs.evolve(
        queue_metrics(Workload(100, 1800, 180), 14, 20), workload=chat
    )


def test_quiet_interval_needs_one_agent() -> None:
    for patience in (None, 60):
        metrics = required_agents(
            Workload(0, 1800, 180, patience_seconds=patience), ServiceTarget("0.8", 20)
        )
        assert metrics.agents == 1
        assert metrics.service_level == 1
        assert metrics.occupancy == 0
        assert metrics.asa_seconds == 0


def test_target_limits() -> None:
    workload = Workload(100, 1800, 180)
    assert required_agents(workload, ServiceTarget("0.80", 20, max_occupancy="0.65")).agents == 16
    assert required_agents(workload, ServiceTarget("0.80", 20, max_asa_seconds=2)).agents == 16
    impatient = Workload(100, 1800, 180, patience_seconds=60)
    loose = required_agents(impatient, ServiceTarget("0.5", 20))
    strict = required_agents(impatient, ServiceTarget("0.5", 20, max_abandonment="0.01"))
    assert strict.agents > loose.agents
    assert strict.probability_of_abandonment <= Decimal("0.01")
    target = ServiceTarget(
        "0.8", 20, max_occupancy="0.85", max_asa_seconds=15, max_abandonment="0.05"
    )
    assert str(target) == "80 % within 20 s, occupancy <= 85 %, ASA <= 15 s, abandoned <= 5.0 %"
    with pytest.raises(StaffingError, match="answer time of 10 s"):
        target.is_met_by(queue_metrics(workload, 14, 10))


def test_queue_metrics_text() -> None:
    text = str(queue_metrics(Workload(48, 60, 60, patience_seconds=120), 50, 20))
    assert text.startswith(
        "50 agents for 48.00 Erlangs (Erlang A): service level 94.3 % within 20 s"
    )
    assert text.endswith("abandoned 3.09 %")
    assert Workload(1, 60, 60).model == "Erlang C"


def test_scheduled_and_deferred_agents() -> None:
    assert scheduled_agents(14, 0) == 14
    assert scheduled_agents(13, "0.35") == 20  # 13 / 0.65 = 20 exactly
    assert scheduled_agents(0, "0.5") == 0
    # 120 emails of 5 minutes in a 4-hour window at 85 %: 36,000 s / 12,240 s = 2.94 -> 3.
    assert deferred_agents(120, 300, 14400, "0.85") == 3
    assert deferred_agents(0, 300, 14400, 1) == 0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Workload(-1, 1800, 180), StaffingError, r"contacts must be >= 0 \(got -1\)"),
        (lambda: Workload(1, 0, 180), StaffingError, r"interval_seconds must be > 0 \(got 0\)"),
        (
            lambda: Workload(1, 1800, untyped(180.0)),
            TypeError,
            r"aht_seconds .* not float \(180.0\)",
        ),
        (
            lambda: Workload(1, 1800, 180, concurrency="0.5"),
            StaffingError,
            r"concurrency must be >= 1",
        ),
        (
            lambda: Workload(1, 1800, 180, patience_seconds=0),
            StaffingError,
            r"patience_seconds must be > 0",
        ),
        (
            lambda: ServiceTarget(80, 20),
            StaffingError,
            r"service_level must be in \(0, 1\) \(got 80\)",
        ),
        (lambda: ServiceTarget("0.8", -1), StaffingError, r"answer_seconds must be >= 0"),
        (
            lambda: ServiceTarget("0.8", 20, max_occupancy="1.2"),
            StaffingError,
            r"max_occupancy must be in \(0, 1\]",
        ),
        (
            lambda: ServiceTarget("0.8", 20, max_asa_seconds=0),
            StaffingError,
            r"max_asa_seconds must be > 0",
        ),
        (
            lambda: ServiceTarget("0.8", 20, max_abandonment=0),
            StaffingError,
            r"max_abandonment must be in",
        ),
        (
            lambda: queue_metrics(Workload(1, 60, 60), 0),
            StaffingError,
            r"agents must be >= 1 \(got 0\)",
        ),
        (
            lambda: queue_metrics(Workload(1, 60, 60), True),
            TypeError,
            r"agents must be an int, not bool",
        ),
        (
            lambda: queue_metrics(Workload(1, 60, 60), untyped(2.0)),
            TypeError,
            r"agents must be an int, not float",
        ),
        (
            lambda: queue_metrics(Workload(1, 60, 60), 1, -5),
            StaffingError,
            r"answer_seconds must be >= 0",
        ),
        (lambda: queue_metrics("w", 1), TypeError, r"workload must be a Workload"),  # type: ignore[arg-type]
        (lambda: required_agents("w", ServiceTarget("0.8", 20)), TypeError, r"workload must be"),  # type: ignore[arg-type]
        (lambda: required_agents(Workload(1, 60, 60), "80/20"), TypeError, r"target must be"),  # type: ignore[arg-type]
        (lambda: erlang_b(-1, 3), StaffingError, r"traffic must be >= 0 \(got -1\)"),
        (lambda: erlang_c("x", 3), ValueError, r"traffic is not a decimal number"),
        (
            lambda: erlang_b(untyped(0.5), 3),
            TypeError,
            r"traffic must be a Decimal, int or decimal string, not float",
        ),
        (
            lambda: scheduled_agents(14, "1.2"),
            StaffingError,
            r"shrinkage must be in \[0, 1\) \(got 1.2\)",
        ),
        (lambda: scheduled_agents(14, 1), StaffingError, r"shrinkage must be in \[0, 1\)"),
        (lambda: scheduled_agents(-1, 0), StaffingError, r"agents must be >= 0"),
        (lambda: deferred_agents(-1, 300, 3600, 1), StaffingError, r"contacts must be >= 0"),
        (lambda: deferred_agents(1, 0, 3600, 1), StaffingError, r"aht_seconds must be > 0"),
        (lambda: deferred_agents(1, 300, 0, 1), StaffingError, r"window_seconds must be > 0"),
        (
            lambda: deferred_agents(1, 300, 3600, "1.5"),
            StaffingError,
            r"occupancy must be in \(0, 1\]",
        ),
        (lambda: deferred_agents(1, 300, 3600, untyped(0.8)), TypeError, r"occupancy .* not float"),
    ],
)
def test_bad_queue_inputs(call: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_staffing_error_is_a_meterprice_value_error() -> None:
    assert issubclass(StaffingError, MeterpriceError)
    assert issubclass(StaffingError, ValueError)


# ---------------------------------------------------------------------------
# Opening hours and profiles
# ---------------------------------------------------------------------------


def test_schedule_parsing_and_ranges() -> None:
    schedule = WeeklySchedule(
        "Mon-Fri 08:00-12:00, 13:00-20:00\n\nSat,Sun 10:00-16:00; Fri 19:00-24:00"
    )
    assert schedule.open_ranges(0) == ((480, 720), (780, 1200))
    assert schedule.open_ranges(4) == ((480, 720), (780, 1440))  # 13-20 and 19-24 merge
    assert schedule.open_minutes(5) == 360
    assert schedule.describe(0) == "08:00-12:00, 13:00-20:00"
    assert str(schedule).startswith("Mon,Tue,Wed,Thu,Fri 08:00-12:00; ")
    assert WeeklySchedule("Fri-Mon 00:00-00:00").open_ranges(6) == ((0, 1440),)
    assert WeeklySchedule("Fri-Mon 00:00-00:00").describe(2) == "closed"
    hours = OpeningHours([0, "tuesday", "Wed"], dt.time(8), dt.time(0))
    assert (hours.weekdays, hours.start_minute, hours.end_minute) == (
        frozenset({0, 1, 2}),
        480,
        1440,
    )
    assert WeeklySchedule([hours]).spans == (hours,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one opening span"),
        ("Mon-Fri", "has no 'HH:MM-HH:MM' range"),
        ("Mon 08:00", "'08:00' in 'Mon 08:00' is not 'HH:MM-HH:MM'"),
        ("Mon 20:00-08:00", r"end \(08:00\) must be after start \(20:00\)"),
        ("Funday 08:00-09:00", "unknown weekday 'Funday'"),
        ("Mon 24:00-24:00", "start is not a time of day: '24:00'"),
        ("Mon 08:00-24:30", "end is not a time of day"),
        ("Mon 08:61-09:00", "start is not a time of day"),
        ("Mon 8h-9h", r"start must be a datetime.time or 'HH:MM' \(got '8h'\)"),
    ],
)
def test_bad_schedules(text: str, message: str) -> None:
    with pytest.raises(StaffingError, match=message):
        WeeklySchedule(text)


def test_bad_opening_hours() -> None:
    with pytest.raises(StaffingError, match="at least one day"):
        OpeningHours([], "08:00", "09:00")
    with pytest.raises(StaffingError, match=r"weekday must be 0 \(Monday\) to 6"):
        OpeningHours([7], "08:00", "09:00")
    with pytest.raises(StaffingError, match="whole minute without time zone"):
        OpeningHours("Mon", dt.time(8, 0, 30), "09:00")
    with pytest.raises(TypeError, match="spans must be OpeningHours"):
        WeeklySchedule(["Mon 08:00-09:00"])  # type: ignore[list-item]


def test_intraday_profile() -> None:
    profile = IntradayProfile(15, {"08:00": 2, dt.time(8, 15): "1.5"})
    assert [profile.weight(minute) for minute in (480, 495, 510)] == [2, Decimal("1.5"), 0]
    assert IntradayProfile().weight(0) == 1
    with pytest.raises(StaffingError, match="must divide a day"):
        IntradayProfile(7)
    with pytest.raises(StaffingError, match="08:10 is not on the 15-minute grid"):
        IntradayProfile(15, {"08:10": 1})
    with pytest.raises(StaffingError, match=r"weight of 08:00 must be >= 0 \(got -1\)"):
        IntradayProfile(15, {"08:00": -1})


# ---------------------------------------------------------------------------
# A week, a month, a price: hand-computed
# ---------------------------------------------------------------------------


def classic_phone(**changes: Any) -> LiveChannel:
    # 100 calls per half hour in every open interval: the worked example all week.
    # Mon-Fri 08:00-20:00 = 24 intervals (2,400 calls); Sat-Sun 10:00-16:00 = 12 (1,200).
    arguments: dict[str, Any] = {
        "hours": "Mon-Fri 08:00-20:00; Sat-Sun 10:00-16:00",
        "daily_contacts": {"Mon-Fri": 2400, "Sat-Sun": 1200},
        "aht_seconds": 180,
        "target": ServiceTarget("0.80", 20),
    }
    arguments.update(changes)
    return LiveChannel("phone", **arguments)


def test_week_month_and_price_of_the_worked_example() -> None:
    estimate = estimate_staffing([classic_phone()], shrinkage="0.30")
    phone = estimate.channel("phone")
    assert {row.agents for row in phone.intervals} == {14}
    assert {row.scheduled_agents for row in phone.intervals} == {20}
    assert len(phone.intervals) == 5 * 24 + 2 * 12
    # Agent hours: 14 x 12 h = 168 a weekday, 14 x 6 h = 84 a weekend day.
    assert phone.agent_hours(0) == 168
    assert phone.agent_hours(6) == 84
    assert estimate.agent_hours == 5 * 168 + 2 * 84
    first = phone.intervals[0]
    assert [first.agent_hours, first.paid_hours, first.handled_minutes] == [7, 10, 300]
    # Paid hours: 20 x 12 = 240 a weekday, 20 x 6 = 120 a weekend day: 1,440 a week.
    assert estimate.paid_hours == 1440
    # Handled minutes: 100 calls x 3 min = 300 an interval: 7,200 a weekday, 3,600 a weekend day.
    assert estimate.handled_minutes == 5 * 7200 + 2 * 3600
    assert close(estimate.occupancy, "0.714285714285714", "1e-15")
    # March 2024: Mon-Thu four times, Fri-Sun five times: 21 weekdays, 10 weekend days.
    month = estimate.month(dt.date(2024, 3, 15))
    assert month.weekday_counts == (4, 4, 4, 4, 5, 5, 5)
    assert month.label == "2024-03"
    assert month.paid_hours == 21 * 240 + 10 * 120 == 6240
    assert month.agent_hours == 21 * 168 + 10 * 84
    assert month.handled_minutes == 21 * 7200 + 10 * 3600 == 187_200
    # EUR 20 an hour, 10 % overhead, 20 % margin:
    # labour 6,240 x 20 = 124,800; overhead 12,480; cost 137,280; price 137,280 / 0.8 = 171,600;
    # rate 171,600 / 187,200 = 0.91666... -> quoted 0.9167 (rounded up).
    price = price_from_staffing(
        estimate, CostInputs(20, "EUR", overhead="0.10", margin="0.20"), dt.date(2024, 3, 1)
    )
    assert price.labour_cost == 124_800
    assert price.overhead_cost == 12_480
    assert price.total_cost == 137_280
    assert price.price == 171_600
    assert close(price.rate_per_minute, "0.91666666666666666666666666", "1e-25")
    assert price.quoted_rate_per_minute == Decimal("0.9167")
    # FTE: 6,240 / 160 = 39 FTEs exactly, each 160 x 20 x 1.1 / 0.8 = 4,400: 171,600.
    assert price.ftes == 39
    assert price.fte_count == 39
    assert price.price_per_fte == 4400
    assert price.fte_price == 171_600
    assert price.usage_price == Decimal("171606.2400")
    assert price.fte_premium == Decimal("-6.2400")
    assert price.fte_price_per_minute == price.rate_per_minute
    assert close(price.break_even_minutes, "187193.1929748009163303", "1e-15")
    text = str(price)
    assert "Staffing-based price for 2024-03 (EUR)" in text
    assert "rate per handled minute" in text
    assert "0.9167" in text
    assert "39 FTE x 4,400.00" in text
    # February 2024 (leap year): 29 days, Thursday five times.
    assert estimate.month(dt.date(2024, 2, 1)).weekday_counts == (4, 4, 4, 5, 4, 4, 4)


def test_estimate_text_and_interval_table() -> None:
    estimate = estimate_staffing([classic_phone()], shrinkage="0.30")
    text = str(estimate)
    assert text.splitlines()[0] == "Staffing estimate, typical week (shrinkage 30.0 %)"
    assert "phone: live, Erlang C, 80 % within 20 s, AHT 180 s" in text
    assert "  Mon  08:00-20:00       2,400.0    14     168.0     240.0     71.4 %" in text
    assert "total per week: 1,008.0 agent hours, 1,440.0 paid hours" in text
    table = estimate.channel("phone").table().splitlines()
    assert table[1].split() == [
        "Mon",
        "08:00-08:30",
        "100.00",
        "14",
        "20",
        "71.4",
        "%",
        "88.8",
        "%",
        "7.8",
        "s",
    ]
    assert len(table) == 1 + 144
    with pytest.raises(KeyError):
        estimate.channel("fax")


def test_intraday_profile_shapes_agents_per_interval() -> None:
    # 1,000 calls between 09:00 and 11:00, 40 % of them in the 10:00 half hour.
    phone = LiveChannel(
        "phone",
        hours="Mon 09:00-11:00",
        daily_contacts={"Mon": 1000},
        aht_seconds=180,
        target=ServiceTarget("0.80", 20),
        profile=IntradayProfile(30, {"09:00": 20, "09:30": 20, "10:00": 40, "10:30": 20}),
    )
    rows = estimate_staffing([phone], shrinkage=0).channel("phone").intervals
    assert [row.contacts for row in rows] == [200, 200, 400, 200]
    # 200 calls = 20 Erlangs; 400 calls = 40 Erlangs.
    expected = [
        required_agents(Workload(c, 1800, 180), phone.target).agents for c in (200, 200, 400, 200)
    ]
    assert [row.agents for row in rows] == expected == [row.scheduled_agents for row in rows]
    assert rows[2].agents > rows[0].agents


def test_daily_volume_is_split_exactly() -> None:
    # 1,000 calls over three half hours: 333.33... each; the parts still add up to 1,000
    # and the handle time to exactly 1,000 x 4 minutes.
    phone = LiveChannel(
        "phone",
        hours="Tue 09:00-10:30",
        daily_contacts={"Tue": 1000},
        aht_seconds=240,
        target=ServiceTarget("0.80", 20),
    )
    staffing = estimate_staffing([phone], shrinkage=0).channel("phone")
    assert close(staffing.intervals[0].contacts, "333.333333333333333333", "1e-18")
    assert staffing.contacts() == 1000
    assert staffing.handled_minutes() == 4000
    assert staffing.handled_seconds(1) == 240_000


def test_chat_with_concurrency_and_patience_in_a_week() -> None:
    chat = LiveChannel(
        "chat",
        hours="Mon-Fri 08:00-20:00",
        daily_contacts=[600, 600, 600, 600, 600, 0, 0],
        aht_seconds=600,
        concurrency=2,
        patience_seconds=120,
        target=ServiceTarget("0.80", 60),
    )
    assert (
        chat.describe() == "live, Erlang A, 80 % within 60 s, AHT 600 s, 2 at once, patience 120 s"
    )
    staffing = estimate_staffing([chat], shrinkage="0.25").channel("chat")
    row = staffing.intervals[0]
    assert row.metrics is not None
    # 600 chats a day over 24 half hours: 25 an interval of 600 s / 2 = 300 s of agent time.
    assert close(row.metrics.workload.traffic, ORACLE.divide(Decimal(25 * 300), 1800), "1e-45")
    assert row.agents == required_agents(chat.workload(25), chat.target).agents
    # Abandoned chats are not handled: handled minutes = 25 x (1 - P(abandon)) x 10.
    answered = ORACLE.subtract(1, row.metrics.probability_of_abandonment)
    assert close(row.handled_minutes, ORACLE.multiply(Decimal(250), answered), "1e-20")
    assert row.handled_minutes < 250
    assert staffing.occupancy(5) == 0
    assert staffing.peak_agents(5) == 0


def test_deferred_channel_even_and_peaked() -> None:
    # 400 emails Mon-Fri 08:00-18:00 (20 half hours: 20 an interval), 5 minutes each,
    # answered within 4 hours (8 intervals) at 85 %: every run of 8 intervals holds
    # 160 x 300 s = 48,000 s of work for 8 x 1,800 x 0.85 = 12,240 s an agent: 3.92 -> 4.
    email = DeferredChannel(
        "email",
        hours="Mon-Fri 08:00-18:00; Sat 10:00-12:00",
        daily_contacts={"Mon-Fri": 400, "Sat": 40},
        aht_seconds=300,
        response_window_seconds=4 * 3600,
        occupancy="0.85",
    )
    assert email.describe() == "deferred, answered within 4 h at 85 % occupancy, AHT 300 s"
    assert (
        "within 1.5 min at" in attrs.evolve(email, response_window_seconds=Decimal(90)).describe()
    )
    assert "within 45 s at" in attrs.evolve(email, response_window_seconds=Decimal(45)).describe()
    assert (
        "within 10 h at" in attrs.evolve(email, response_window_seconds=Decimal(36000)).describe()
    )
    staffing = estimate_staffing([email], shrinkage="0.2").channel("email")
    monday = [row for row in staffing.intervals if row.weekday == 0]
    assert {row.agents for row in monday} == {4} == {deferred_agents(160, 300, 14400, "0.85")}
    assert {row.scheduled_agents for row in monday} == {5}
    assert all(row.metrics is None for row in monday)
    # Saturday is open 2 hours, less than the window: the whole span is one run:
    # 40 x 300 = 12,000 s of work in 4 x 1,800 x 0.85 = 6,120 s an agent: 1.96 -> 2.
    assert {row.agents for row in staffing.intervals if row.weekday == 5} == {2}
    assert close(staffing.busy_hours(0), ORACLE.divide(Decimal(400 * 300), 3600), "1e-45")
    assert staffing.handled_minutes() == (5 * 400 + 40) * 5
    assert staffing.table().splitlines()[1].split() == [
        "Mon",
        "08:00-08:30",
        "20.00",
        "4",
        "5",
        "-",
    ]

    # The same 400 emails arriving 150, 150 and 100 in the first three half hours:
    # runs from 08:00: 120,000 s -> 9.8 -> 10; from 08:30: 75,000 s -> 6.1 -> 7;
    # from 09:00: 30,000 s -> 2.5 -> 3; later runs hold no work. An interval gets the
    # most any run through it needs: 10 until 12:00, then 7, 3 and 0.
    peaked = attrs.evolve(
        email,
        daily_contacts=(Decimal(400),) * 5 + (Decimal(0),) * 2,
        profile=IntradayProfile(30, {"08:00": 3, "08:30": 3, "09:00": 2}),
    )
    rows = estimate_staffing([peaked], shrinkage=0).channel("email").intervals
    assert [row.agents for row in rows if row.weekday == 0] == [10] * 8 + [7, 3] + [0] * 10


def test_mixed_estimate_and_zero_volume() -> None:
    quiet = DeferredChannel(
        "letters",
        hours="Mon 09:00-10:00",
        daily_contacts={},
        aht_seconds=600,
        response_window_seconds=86400,
        occupancy=1,
    )
    estimate = estimate_staffing([quiet], shrinkage=0)
    assert estimate.agent_hours == 0
    assert estimate.occupancy == 0
    with pytest.raises(StaffingError, match="no handled minutes in 2024-01"):
        price_from_staffing(estimate, CostInputs(20, "EUR"), dt.date(2024, 1, 1))
    both = estimate_staffing([classic_phone(), quiet], shrinkage="0.3")
    assert both.paid_hours == 1440
    assert "letters: deferred, answered within 24 h at 100 % occupancy" in str(both)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: classic_phone(hours="Mon-Fri 08:10-20:00"),
            StaffingError,
            r"phone: opening hours 08:10-20:00 on Mon are not on the 30-minute grid",
        ),
        (
            lambda: classic_phone(daily_contacts={"Mon-Fri": 1, "Sun-Mon": 2}),
            StaffingError,
            r"daily_contacts gives Mon twice",
        ),
        (lambda: classic_phone(daily_contacts={0: 1, "Wed": 3}), None, ""),
        (
            lambda: classic_phone(daily_contacts={"Mon": -1}),
            StaffingError,
            r"daily_contacts\[Mon\] must be >= 0 \(got -1\)",
        ),
        (
            lambda: classic_phone(daily_contacts=[1, 2, 3]),
            StaffingError,
            r"or list 7 volumes, Monday first",
        ),
        (
            lambda: classic_phone(daily_contacts={"Mon": 1.5}),
            TypeError,
            r"daily_contacts\[Mon\] must be a Decimal, int or decimal string, not float",
        ),
        (
            lambda: classic_phone(hours="Mon-Fri 08:00-20:00", daily_contacts={"Sat": 5}),
            StaffingError,
            r"phone: 5 contacts on Sat, but the channel is closed",
        ),
        (
            lambda: classic_phone(profile=IntradayProfile(30, {"07:00": 1})),
            StaffingError,
            r"gives no weight to the open intervals of Mon, which has 2400 contacts",
        ),
        (lambda: classic_phone(target="80/20"), TypeError, r"target must be a ServiceTarget"),
        (lambda: classic_phone(aht_seconds=0), StaffingError, r"aht_seconds must be > 0"),
        (
            lambda: estimate_staffing([classic_phone()], shrinkage="1"),
            StaffingError,
            r"shrinkage must be in \[0, 1\) \(got 1\)",
        ),
        (lambda: estimate_staffing([], shrinkage="0.3"), StaffingError, r"at least one channel"),
        (
            lambda: estimate_staffing([classic_phone(), classic_phone()], shrinkage="0.3"),
            StaffingError,
            r"two channels are called 'phone'",
        ),
        (
            lambda: estimate_staffing([untyped("phone")], shrinkage="0.3"),
            TypeError,
            r"channels must be LiveChannel or DeferredChannel, not str",
        ),
        (
            lambda: CostInputs(20, "eur"),
            StaffingError,
            r"currency must be a 3-letter ISO 4217 code \(got 'eur'\)",
        ),
        (lambda: CostInputs(0, "EUR"), StaffingError, r"cost_per_paid_hour must be > 0"),
        (
            lambda: CostInputs(20, "EUR", margin=1),
            StaffingError,
            r"margin must be in \[0, 1\) \(got 1\)",
        ),
        (lambda: CostInputs(20, "EUR", overhead="-0.1"), StaffingError, r"overhead must be >= 0"),
        (
            lambda: CostInputs(20, "EUR", fte_hours_per_month=0),
            StaffingError,
            r"fte_hours_per_month must be > 0",
        ),
        (lambda: CostInputs(20, "EUR", rate_places=-1), StaffingError, r"rate_places must be >= 0"),
        (
            lambda: CostInputs(untyped(19.99), "EUR"),
            TypeError,
            r"cost_per_paid_hour .* not float \(19.99\)",
        ),
    ],
)
def test_bad_channel_and_price_inputs(
    build: Callable[[], object], error: type[Exception] | None, message: str
) -> None:
    if error is None:
        build()
        return
    with pytest.raises(error, match=message):
        build()


def test_bad_price_arguments() -> None:
    estimate = estimate_staffing([classic_phone()], shrinkage="0.3")
    with pytest.raises(TypeError, match="staffing must be a StaffingEstimate"):
        price_from_staffing("x", CostInputs(20, "EUR"), dt.date(2024, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="costs must be CostInputs"):
        price_from_staffing(estimate, 20, dt.date(2024, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"month must be a datetime\.date, not str"):
        estimate.month("2024-01")  # type: ignore[arg-type]


def test_cost_inputs_price_of_hours() -> None:
    costs = CostInputs("25.00", "EUR", overhead="0.15", margin="0.20")
    # 160 h x 25 = 4,000; x 1.15 = 4,600; / 0.8 = 5,750.
    assert costs.price_of_hours(Decimal(160)) == 5750


def test_results_are_frozen_and_weekday_names() -> None:
    metrics = queue_metrics(Workload(100, 1800, 180), 14, 20)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        metrics.agents = 15  # type: ignore[misc]
    assert isinstance(metrics, QueueMetrics)
    assert WEEKDAYS[0] == "Mon"
    assert len(WEEKDAYS) == 7
    assert isinstance(estimate_staffing([classic_phone()], shrinkage=0), StaffingEstimate)
