"""What the contract promises against what the staffing delivers: the service level a
staffing estimate expects, interval by interval and over the period, beside the target
that the contract's service-credit bands imply.

A :class:`~meterprice.Kpi` of a service level (``better="higher"``) credits the client
when the figure falls in one of its credit bands (``"< 80"``): the largest bound of
those bands is the target, the level below which a credit starts. The answer time
comes from the Kpi's share meter (its condition ``"<= 20"``) or is given. Each live
interval of the staffing estimate is evaluated at that answer time with the agents the
estimate gives it (Erlang C, or Erlang A with a patience); the period's figure is the
share of all its contacts answered in time, each interval weighted by its contacts
(and, for a calendar month, by how often its weekday occurs), which is how a share
meter pools the period's calls.

Service levels involve ``exp`` and are not rational: they are computed to 28
significant digits, so each figure is within ``1e-27`` of the exact one. Whether an
interval meets the target is decided by the Kpi's own bands on that figure.
"""

from __future__ import annotations

import calendar
import datetime
import decimal
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.service_credits import Kpi, ServiceCredits
from meterprice.contract import Contract
from meterprice.errors import ContractError, InvalidTypeError
from meterprice.metering import Meter, parse_condition
from meterprice.staffing import (
    IntervalStaffing,
    LiveChannel,
    QueueMetrics,
    StaffingError,
    StaffingEstimate,
    queue_metrics,
)
from meterprice.usage import Aggregation

__all__ = ["IntervalServiceLevel", "ServiceLevelCheck", "check_service_level"]

#: Significant digits of a published service level (as in :mod:`meterprice.staffing`).
_RESULT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_DISPLAY = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN, traps=[])
_HUNDRED = Decimal(100)


def _percent(share: Decimal) -> str:
    shown = d.mul(share, _HUNDRED).quantize(Decimal("0.1"), context=_DISPLAY)
    return f"{shown} %"


@attrs.frozen
class IntervalServiceLevel:
    """One live interval: the service level its agents deliver and whether it meets
    the contract's target.

    Attributes:
        interval: the interval of the staffing estimate (contacts, agents, ...).
        metrics: the queue figures at the contract's answer time.
        service_level: share of the interval's contacts answered within the answer
            time, in [0, 1].
        met: whether the figure falls in none of the Kpi's credit bands.
    """

    interval: IntervalStaffing
    metrics: QueueMetrics
    service_level: Decimal
    met: bool

    @property
    def label(self) -> str:
        """E.g. ``"Mon 08:00-08:30"``."""
        return self.interval.label


@attrs.frozen
class ServiceLevelCheck:
    """A channel's expected service level against a contract's service-level target.

    Attributes:
        channel: the name of the live channel checked.
        kpi: the contract's service-level figure and its bands.
        answer_seconds: the answer time of the service level.
        target: the level below which a credit starts, as a share in (0, 1].
        credit_when: the credit band that sets the target (``"< 80"``; ``"<= 80"``
            also credits a figure of exactly 80).
        period: ``"typical week"`` or the calendar month, ``"2026-11"``.
        service_level: the period's share of contacts answered in time.
        intervals: every open interval of the channel, in the estimate's order.
    """

    channel: str
    kpi: Kpi
    answer_seconds: Decimal
    target: Decimal
    credit_when: str
    period: str
    service_level: Decimal
    intervals: tuple[IntervalServiceLevel, ...]

    @property
    def figure(self) -> Fraction:
        """The period's service level as the Kpi reads it (x 100 with ``percent``)."""
        share = Fraction(self.service_level)
        return share * 100 if self.kpi.percent else share

    @property
    def met(self) -> bool:
        """Whether the period's service level falls in none of the credit bands."""
        credit_percent, credit_amount, _, _ = self.kpi.result(self.figure)
        return not credit_percent and not credit_amount

    @property
    def credit_percent(self) -> Fraction:
        """The percentage of the fees the period's figure would credit (0 when met)."""
        return self.kpi.result(self.figure)[0]

    @property
    def misses(self) -> tuple[IntervalServiceLevel, ...]:
        """The intervals whose service level is below the target."""
        return tuple(row for row in self.intervals if not row.met)

    def __repr__(self) -> str:
        return (
            f"ServiceLevelCheck({self.channel!r}, {self.period}, "
            f"{_percent(self.service_level)} against {_percent(self.target)}, "
            f"{'met' if self.met else 'missed'}, "
            f"{len(self.misses)} of {len(self.intervals)} intervals below)"
        )

    def __str__(self) -> str:
        verdict = "met" if self.met else f"missed (credit {self.credit_percent} %)"
        lines = [
            f"{self.channel}, {self.period}: {_percent(self.service_level)} within "
            f"{self.answer_seconds} s expected; {self.kpi.name} target "
            f"{_percent(self.target)} (credit when {self.credit_when}): {verdict}",
            f"{'interval':<16}{'contacts':>10}{'agents':>8}{'SL':>9}",
        ]
        for row in self.intervals:
            contacts = row.interval.contacts.quantize(Decimal("0.01"), context=_DISPLAY)
            lines.append(
                f"{row.label:<16}{contacts:>10}{row.interval.agents:>8}"
                f"{_percent(row.service_level):>9}" + ("" if row.met else "  below target")
            )
        return "\n".join(lines)


def _pick_kpi(source: Contract | ServiceCredits | Kpi, name: str | None) -> Kpi:
    if isinstance(source, Kpi):
        if name is not None and name != source.name:
            raise ContractError(f"the figure is called {source.name!r}, not {name!r}")
        return source
    if isinstance(source, ServiceCredits):
        kpis: Sequence[Kpi] = source.kpis
    elif isinstance(source, Contract):
        kpis = [
            kpi
            for component in source.components
            if isinstance(component, ServiceCredits)
            for kpi in component.kpis
        ]
    else:
        raise InvalidTypeError(
            f"contract must be a Contract, ServiceCredits or Kpi, not {type(source).__name__}"
        )
    if name is None:
        if len(kpis) == 1:
            return kpis[0]
        names = ", ".join(repr(kpi.name) for kpi in kpis) or "none"
        raise ContractError(f"name the service-level figure with kpi= (the figures: {names})")
    for kpi in kpis:
        if kpi.name == name:
            return kpi
    names = ", ".join(repr(kpi.name) for kpi in kpis) or "none"
    raise ContractError(f"no service-level figure is called {name!r} (the figures: {names})")


def _target(kpi: Kpi) -> tuple[Decimal, str]:
    """The share below which a credit starts, and the band that sets it."""
    if kpi.better != "higher":
        raise ContractError(
            f"figure {kpi.name!r}: a service level is better higher, but this figure is "
            "better lower"
        )
    credits = [band for band in kpi.bands if band.kind == "credit"]
    if not credits:
        raise ContractError(f"figure {kpi.name!r} has no credit band: it sets no target")
    # the least strict band: the highest bound, and "<=" before "<" at the same bound
    band = max(credits, key=lambda b: (b.comparison[1], b.comparison[0] == "<="))
    _, bound = parse_condition(band.when)
    share = d.div(bound, _HUNDRED) if kpi.percent else bound
    if not d.ZERO < share <= d.ONE:
        raise ContractError(
            f"figure {kpi.name!r}: the band when {band.when!r} implies a service level of "
            f"{share}, not a share in (0, 1]"
            + ("" if kpi.percent else " (is the figure a percentage? declare percent=True)")
        )
    return share, band.when


def _meter_seconds(meter: Meter) -> Decimal:
    """The answer time of a share meter of waits: the bound of ``"<= 20"``."""
    if meter.aggregation is not Aggregation.SHARE or meter.condition is None:
        raise ContractError(
            f"meter {meter.name!r} is not a share with a condition such as '<= 20': "
            "give answer_seconds"
        )
    if meter.matching:
        raise ContractError(
            f"meter {meter.name!r} also counts by dimensions ({meter.matching}), which a "
            "staffing estimate does not model: give answer_seconds"
        )
    op, bound = parse_condition(meter.condition)
    if op not in ("<=", "<") or bound < 0:
        raise ContractError(
            f"meter {meter.name!r}: the condition {meter.condition!r} is not an answer "
            "within a time ('<= 20')"
        )
    return bound


def _answer_seconds(
    source: Contract | ServiceCredits | Kpi, kpi: Kpi, given: d.DecimalLike | None
) -> Decimal:
    found = None
    if isinstance(source, Contract) and kpi.metric is not None and kpi.ratio_of is None:
        meter = next((m for m in source.meters if m.name == kpi.metric), None)
        if meter is not None and meter.aggregation is Aggregation.SHARE:
            found = _meter_seconds(meter)
    if given is None:
        if found is None:
            raise ContractError(
                f"figure {kpi.name!r}: the answer time cannot be read from a share meter "
                "of the contract: give answer_seconds"
            )
        return found
    seconds = d.to_decimal(given, what="answer_seconds")
    if seconds < 0:
        raise StaffingError(f"answer_seconds must be >= 0 (got {seconds})")
    if found is not None and found != seconds:
        raise ContractError(
            f"answer_seconds {seconds} contradicts the meter {kpi.metric!r}, which counts "
            f"the contacts answered within {found} s"
        )
    return seconds


def check_service_level(
    staffing: StaffingEstimate,
    contract: Contract | ServiceCredits | Kpi,
    *,
    channel: str,
    kpi: str | None = None,
    answer_seconds: d.DecimalLike | None = None,
    month: datetime.date | None = None,
) -> ServiceLevelCheck:
    """The service level ``channel``'s staffing delivers against the contract's target.

    Args:
        staffing: the staffing estimate.
        contract: a contract (its service-credit figures and meters), a
            :class:`~meterprice.ServiceCredits` or the :class:`~meterprice.Kpi` itself.
        channel: the live channel of the estimate the figure measures.
        kpi: the name of the figure, when ``contract`` has more than one.
        answer_seconds: the answer time; read from the Kpi's share meter when the
            contract has one (``condition="<= 20"``), and then it must agree.
        month: the calendar month of ``month`` as the period (each weekday weighted by
            how often it occurs); the typical week by default.

    Raises:
        ContractError: the figure is not a service level with a credit band, or its
            answer time is unknown.
        StaffingError: the channel is not a live channel of the estimate, or it
            expects no contacts in the period.
    """
    if not isinstance(staffing, StaffingEstimate):
        raise InvalidTypeError(
            f"staffing must be a StaffingEstimate, not {type(staffing).__name__}"
        )
    figure = _pick_kpi(contract, kpi)
    target, when = _target(figure)
    seconds = _answer_seconds(contract, figure, answer_seconds)
    try:
        staffed = staffing.channel(channel)
    except KeyError:
        names = ", ".join(repr(c.name) for c in staffing.channels)
        raise StaffingError(f"the estimate has no channel {channel!r} (it has {names})") from None
    if not isinstance(staffed.channel, LiveChannel):
        raise StaffingError(
            f"channel {channel!r} is deferred work: it has no service level within seconds"
        )
    counts: tuple[int, ...]
    if month is None:
        counts = (1,) * 7
        period = "typical week"
    elif isinstance(month, datetime.date):
        first, days = calendar.monthrange(month.year, month.month)
        counts = tuple(sum(1 for n in range(days) if (first + n) % 7 == w) for w in range(7))
        period = f"{month.year:04d}-{month.month:02d}"
    else:
        raise InvalidTypeError(f"month must be a datetime.date, not {type(month).__name__}")
    cache: dict[tuple[Decimal, int], QueueMetrics] = {}
    rows = []
    for interval in staffed.intervals:
        assert interval.metrics is not None  # a live channel's intervals have metrics
        metrics = interval.metrics
        if metrics.answer_seconds != seconds:
            key = (interval.contacts, interval.agents)
            if key not in cache:
                cache[key] = queue_metrics(metrics.workload, interval.agents, seconds)
            metrics = cache[key]
        share = Fraction(metrics.service_level)
        credit, amount, _, _ = figure.result(share * 100 if figure.percent else share)
        rows.append(
            IntervalServiceLevel(
                interval, metrics, metrics.service_level, met=not credit and not amount
            )
        )
    weights = [d.mul(Decimal(counts[row.interval.weekday]), row.interval.contacts) for row in rows]
    contacts = d.total(weights)
    if contacts == 0:
        raise StaffingError(
            f"channel {channel!r} expects no contacts in the {period}: it has no service level"
        )
    answered = d.total(d.mul(w, row.service_level) for w, row in zip(weights, rows, strict=True))
    return ServiceLevelCheck(
        channel=channel,
        kpi=figure,
        answer_seconds=seconds,
        target=target,
        credit_when=when,
        period=period,
        service_level=_RESULT.plus(d.div(answered, contacts)),
        intervals=tuple(rows),
    )
