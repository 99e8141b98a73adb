"""The service level a staffing estimate delivers against a contract's service-credit target.

The oracle figures are closed forms worked by hand: M/M/1 and M/M/2 (Erlang C with one
and two agents) wait with probability ``C = A`` and ``C = A^2 / (2 + A)``, and a contact
is answered within ``t`` seconds with probability ``1 - C exp(-(N - A) t / AHT)``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from fractions import Fraction

import pytest

from meterprice import Contract, CreditBand, Kpi, Meter, PerUnit, ServiceCredits
from meterprice.errors import ContractError, InvalidTypeError, MeterpriceError
from meterprice.sla_check import check_service_level
from meterprice.staffing import (
    DeferredChannel,
    IntradayProfile,
    LiveChannel,
    ServiceTarget,
    StaffingError,
    StaffingEstimate,
    estimate_staffing,
)

#: The stated precision of every service level.
PRECISION = Fraction(1, 10**27)
_CTX = decimal.Context(prec=45)


def close(value: Decimal, expected: Fraction | Decimal) -> bool:
    return abs(Fraction(value) - Fraction(expected)) < PRECISION


def answered_within(
    agents: int, traffic: Fraction, waiting: Fraction, t_over_aht: Fraction
) -> Decimal:
    """``1 - C exp(-(N - A) t / AHT)`` in a 45-digit context."""
    exponent = -(agents - traffic) * t_over_aht
    decay = _CTX.exp(_CTX.divide(Decimal(exponent.numerator), Decimal(exponent.denominator)))
    c = _CTX.divide(Decimal(waiting.numerator), Decimal(waiting.denominator))
    return _CTX.subtract(Decimal(1), _CTX.multiply(c, decay))


def two_intervals() -> StaffingEstimate:
    """Monday 08:00-09:00: 5 then 10 calls of 180 s in half hours (0.5 and 1 Erlang),
    staffed for 50 % within 20 s: 1 agent, then 2.
    """
    phone = LiveChannel(
        "phone",
        hours="Mon 08:00-09:00",
        daily_contacts={"Mon": 15},
        aht_seconds=180,
        target=ServiceTarget("0.5", 20),
        profile=IntradayProfile(30, {"08:00": 1, "08:30": 2}),
    )
    return estimate_staffing([phone], shrinkage=0)


def service_level(*bands: CreditBand, percent: bool = True) -> Kpi:
    return Kpi("Service level", metric="sl", percent=percent, better="higher", bands=list(bands))


def test_each_interval_and_the_week_at_the_staffing_answer_time() -> None:
    estimate = two_intervals()
    assert [row.agents for row in estimate.channel("phone").intervals] == [1, 2]
    check = check_service_level(
        estimate,
        service_level(CreditBand("< 60", credit_percent="5")),
        channel="phone",
        answer_seconds=20,
    )
    # 1 agent, A = 1/2: C = 1/2; 2 agents, A = 1: C = 1 / 3; t / AHT = 20 / 180 = 1/9
    first = answered_within(1, Fraction(1, 2), Fraction(1, 2), Fraction(1, 9))
    second = answered_within(2, Fraction(1), Fraction(1, 3), Fraction(1, 9))
    assert close(check.intervals[0].service_level, first)  # 0.52702...
    assert close(check.intervals[1].service_level, second)  # 0.70172...
    week = (5 * Fraction(first) + 10 * Fraction(second)) / 15  # 0.64348...
    assert close(check.service_level, week)
    assert Decimal("0.6434") < check.service_level < Decimal("0.6435")
    assert check.target == Decimal("0.6")
    assert check.credit_when == "< 60"
    assert check.answer_seconds == 20
    assert check.period == "typical week"
    # the first half hour delivers 52.7 % < 60 %: a miss; the week's 64.3 % meets it
    assert [row.met for row in check.intervals] == [False, True]
    assert [row.label for row in check.misses] == ["Mon 08:00-08:30"]
    assert check.met
    assert check.credit_percent == 0
    assert repr(check) == (
        "ServiceLevelCheck('phone', typical week, 64.3 % against 60.0 %, met, "
        "1 of 2 intervals below)"
    )
    assert str(check).splitlines() == [
        "phone, typical week: 64.3 % within 20 s expected; Service level target 60.0 % "
        "(credit when < 60): met",
        "interval          contacts  agents       SL",
        "Mon 08:00-08:30       5.00       1   52.7 %  below target",
        "Mon 08:30-09:00      10.00       2   70.2 %",
    ]


def test_another_answer_time_than_the_staffing_target_reevaluates_the_queues() -> None:
    estimate = two_intervals()
    check = check_service_level(
        estimate,
        service_level(CreditBand("< 62", credit_percent="3")),
        channel="phone",
        answer_seconds=0,
    )
    # within 0 s is 1 - C: 1/2 and 2/3; the week (5 x 1/2 + 10 x 2/3) / 15 = 11/18
    assert check.intervals[0].service_level == Decimal("0.5")
    assert close(check.intervals[1].service_level, Fraction(2, 3))
    assert check.intervals[1].metrics.answer_seconds == 0
    assert close(check.service_level, Fraction(11, 18))  # 61.1 % < 62 %
    assert not check.met
    assert check.credit_percent == 3
    assert [row.met for row in check.intervals] == [False, True]
    assert "missed (credit 3 %)" in str(check).splitlines()[0]
    assert repr(check).endswith("61.1 % against 62.0 %, missed, 1 of 2 intervals below)")


def test_a_band_at_or_below_the_target_credits_the_target_itself() -> None:
    estimate = two_intervals()
    strict = check_service_level(
        estimate,
        service_level(CreditBand("< 50", credit_percent="1")),
        channel="phone",
        answer_seconds=0,
    )
    inclusive = check_service_level(
        estimate,
        service_level(CreditBand("<= 50", credit_percent="1")),
        channel="phone",
        answer_seconds=0,
    )
    # the first interval delivers exactly 50 %
    assert [row.met for row in strict.intervals] == [True, True]
    assert [row.met for row in inclusive.intervals] == [False, True]
    assert inclusive.target == strict.target == Decimal("0.5")


def test_the_least_strict_credit_band_sets_the_target() -> None:
    check = check_service_level(
        two_intervals(),
        service_level(
            CreditBand("< 40", credit_percent="5"),
            CreditBand("< 55", credit_percent="2"),
            CreditBand("< 55", credit="10 EUR"),
            CreditBand("<= 55", credit_percent="1"),
            CreditBand(">= 90", bonus_percent="1"),
        ),
        channel="phone",
        answer_seconds=0,
    )
    assert (check.target, check.credit_when) == (Decimal("0.55"), "<= 55")
    # a figure that is a share (percent=False) compares shares
    share = check_service_level(
        two_intervals(),
        service_level(CreditBand("< 0.55", credit_percent="2"), percent=False),
        channel="phone",
        answer_seconds=0,
    )
    assert share.target == Decimal("0.55")
    assert [row.met for row in share.intervals] == [False, True]
    assert share.figure == Fraction(share.service_level)
    assert share.met  # 11/18 = 0.611 >= 0.55


def test_the_answer_time_is_read_from_the_contract_share_meter() -> None:
    kpi = service_level(CreditBand("< 60", credit_percent="5"))
    sla = ServiceCredits("SLA", of={"usage"}, kpis=[kpi])
    minutes = PerUnit("Minutes", metric="minutes", rate="0.80 EUR", tags={"usage"})
    for condition in ("<= 20", "< 20"):
        meter = Meter("sl", source="wait", aggregation="share", condition=condition)
        contract = Contract("Desk", "EUR", [minutes, sla], meters=[meter])
        check = check_service_level(two_intervals(), contract, channel="phone")
        assert check.answer_seconds == 20
        assert Decimal("0.6434") < check.service_level < Decimal("0.6435")
        # agreeing is fine, contradicting is refused
        assert (
            check_service_level(two_intervals(), contract, channel="phone", answer_seconds="20.0")
            == check
        )
        with pytest.raises(ContractError, match=r"contradicts the meter 'sl'.*within 20 s"):
            check_service_level(two_intervals(), contract, channel="phone", answer_seconds=30)
    # the ServiceCredits and its Kpi need the time given
    for source in (sla, kpi):
        with pytest.raises(ContractError, match="give answer_seconds"):
            check_service_level(two_intervals(), source, channel="phone")
    assert (
        check_service_level(two_intervals(), sla, channel="phone", answer_seconds=20).service_level
        == check.service_level
    )


@pytest.mark.parametrize(
    ("meter", "message"),
    [
        (Meter("sl", source="wait", aggregation="share", condition=">= 20"), "not an answer"),
        (
            Meter(
                "sl",
                source="wait",
                aggregation="share",
                condition="<= 20",
                matching={"outcome": "answered"},
            ),
            "counts by dimensions",
        ),
        (Meter("sl", source="wait", aggregation="share", matching={"outcome": "x"}), "not a share"),
    ],
)
def test_a_meter_that_is_no_answer_time_is_refused(meter: Meter, message: str) -> None:
    kpi = service_level(CreditBand("< 60", credit_percent="5"))
    minutes = PerUnit("Minutes", metric="minutes", rate="0.80 EUR", tags={"usage"})
    sla = ServiceCredits("SLA", of={"usage"}, kpis=[kpi])
    contract = Contract("Desk", "EUR", [minutes, sla], meters=[meter])
    with pytest.raises(ContractError, match=message):
        check_service_level(two_intervals(), contract, channel="phone")


def test_a_calendar_month_weights_each_weekday_by_its_count() -> None:
    phone = LiveChannel(
        "phone",
        hours="Mon,Sat 08:00-08:30",
        daily_contacts={"Mon": 10, "Sat": 5},
        aht_seconds=180,
        target=ServiceTarget("0.5", 20),
    )
    estimate = estimate_staffing([phone], shrinkage="0.2")
    kpi = service_level(CreditBand("< 61", credit_percent="2"))
    week = check_service_level(estimate, kpi, channel="phone", answer_seconds=0)
    # Monday: A = 1 with 2 agents, 2/3; Saturday: A = 1/2 with 1 agent, 1/2
    assert close(week.service_level, Fraction(11, 18))  # (10 x 2/3 + 5 x 1/2) / 15
    assert week.met
    march = check_service_level(
        estimate, kpi, channel="phone", answer_seconds=0, month=dt.date(2024, 3, 20)
    )
    # March 2024 has 4 Mondays and 5 Saturdays: (40 x 2/3 + 25 x 1/2) / 65 = 47/78 = 60.3 %
    assert close(march.service_level, Fraction(47, 78))
    assert march.period == "2024-03"
    assert not march.met
    assert march.credit_percent == 2


def test_an_erlang_a_channel_counts_abandoned_calls_as_not_answered_in_time() -> None:
    phone = LiveChannel(
        "phone",
        hours="Mon 08:00-08:30",
        daily_contacts={"Mon": 10},
        aht_seconds=180,
        target=ServiceTarget("0.5", 20),
        patience_seconds=180,
    )
    estimate = estimate_staffing([phone], shrinkage=0)
    check = check_service_level(
        estimate,
        service_level(CreditBand("< 60", credit_percent="5")),
        channel="phone",
        answer_seconds=0,
    )
    # with patience equal to the handle time, M/M/N+M is a birth-death chain with rates
    # 1 / 180 per agent and per waiting caller alike: with N = 2 agents (2 agents for 1
    # Erlang, as the staffing gives) pi_k = pi_0 / k! for every k, so P(no wait) =
    # P(k < 2) = (1 + 1) / e
    assert estimate.channel("phone").intervals[0].agents == 2
    no_wait = _CTX.divide(Decimal(2), _CTX.exp(Decimal(1)))
    assert close(check.intervals[0].service_level, no_wait)  # 0.7357...
    assert check.met


def test_what_cannot_be_checked_is_refused() -> None:
    estimate = estimate_staffing(
        [
            LiveChannel(
                "phone",
                hours="Mon 08:00-08:30",
                daily_contacts={"Mon": 0},
                aht_seconds=180,
                target=ServiceTarget("0.8", 20),
            ),
            DeferredChannel(
                "email",
                hours="Mon 08:00-08:30",
                daily_contacts={"Mon": 10},
                aht_seconds=300,
                response_window_seconds=3600,
                occupancy="0.8",
            ),
        ],
        shrinkage=0,
    )
    kpi = service_level(CreditBand("< 80", credit_percent="5"))
    with pytest.raises(StaffingError, match="expects no contacts in the typical week"):
        check_service_level(estimate, kpi, channel="phone", answer_seconds=20)
    with pytest.raises(StaffingError, match="'email' is deferred work"):
        check_service_level(estimate, kpi, channel="email", answer_seconds=20)
    with pytest.raises(StaffingError, match="no channel 'chat' \\(it has 'phone', 'email'\\)"):
        check_service_level(estimate, kpi, channel="chat", answer_seconds=20)
    with pytest.raises(StaffingError, match="answer_seconds must be >= 0"):
        check_service_level(estimate, kpi, channel="phone", answer_seconds=-1)
    with pytest.raises(InvalidTypeError, match=r"month must be a datetime\.date"):
        check_service_level(estimate, kpi, channel="phone", answer_seconds=20, month="2024-03")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="staffing must be a StaffingEstimate"):
        check_service_level("x", kpi, channel="phone", answer_seconds=20)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="Contract, ServiceCredits or Kpi"):
        check_service_level(estimate, "x", channel="phone", answer_seconds=20)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="answer_seconds"):
        check_service_level(estimate, kpi, channel="phone", answer_seconds=20.0)  # type: ignore[arg-type]


def test_a_figure_that_sets_no_service_level_target_is_refused() -> None:
    estimate = two_intervals()
    asa = Kpi("ASA", metric="asa", better="lower", bands=[CreditBand("> 30", credit_percent="1")])
    bonus_only = service_level(CreditBand(">= 90", bonus_percent="1"))
    not_a_share = service_level(CreditBand("< 80", credit_percent="1"), percent=False)
    for kpi, message in (
        (asa, "better lower"),
        (bonus_only, "no credit band"),
        (not_a_share, "implies a service level of 80.*declare percent=True"),
    ):
        with pytest.raises(ContractError, match=message):
            check_service_level(estimate, kpi, channel="phone", answer_seconds=20)
    sla = ServiceCredits(
        "SLA", of={"usage"}, kpis=[service_level(CreditBand("< 80", credit_percent="1")), asa]
    )
    with pytest.raises(ContractError, match=r"name the service-level figure with kpi=.*'ASA'"):
        check_service_level(estimate, sla, channel="phone", answer_seconds=20)
    with pytest.raises(ContractError, match="no service-level figure is called 'SL'"):
        check_service_level(estimate, sla, channel="phone", kpi="SL", answer_seconds=20)
    with pytest.raises(ContractError, match="called 'Service level', not 'SL'"):
        check_service_level(estimate, sla.kpis[0], channel="phone", kpi="SL", answer_seconds=20)
    picked = check_service_level(
        estimate, sla, channel="phone", kpi="Service level", answer_seconds=20
    )
    assert picked.target == Decimal("0.8")
    contract = Contract("Desk", "EUR", [PerUnit("M", metric="m", rate="1 EUR")])
    with pytest.raises(ContractError, match="the figures: none"):
        check_service_level(estimate, contract, channel="phone", answer_seconds=20)
    # every refusal is a MeterpriceError and a ValueError
    for error in (ContractError, StaffingError):
        assert issubclass(error, MeterpriceError)
        assert issubclass(error, ValueError)
