"""The staffing model: from volume, opening hours and service levels to a rate per minute.

A provider quoting pay-per-use support first estimates the agents it must have logged in to
answer the expected contacts in time, then what those agents cost. This module does both:

* **Queues** (:class:`Workload`, :func:`queue_metrics`, :func:`required_agents`): Erlang C
  for live channels (M/M/N, contacts wait as long as it takes) or Erlang A (M/M/N+M,
  contacts abandon after an exponential patience) when a mean patience is given. Chat is
  Erlang C with the handle time divided by the chats an agent handles at once.
* **Deferred work** (:func:`deferred_agents`): email and tickets are staffed from their
  workload within a response window, at a planned occupancy.
* **A week of operation** (:class:`WeeklySchedule`, :class:`IntradayProfile`,
  :class:`LiveChannel`, :class:`DeferredChannel`, :func:`estimate_staffing`): agents per
  interval, shrinkage, agent and paid hours per week and per calendar month.
* **A price** (:class:`CostInputs`, :func:`price_from_staffing`): the monthly cost of the
  paid hours, plus overhead and margin, divided by the handled minutes gives the rate per
  minute; beside it, the price of the same hours sold as whole monthly FTEs.

Every input is exact (:class:`~decimal.Decimal`, :class:`int` or a decimal string; floats
are refused). The queue formulas run in a private 50-digit context and each figure is
rounded once to 28 significant digits, so the results never depend on the caller's
:mod:`decimal` context.
"""

from __future__ import annotations

import calendar
import datetime
import decimal
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from meterprice import _erlang, _notebook
from meterprice._decimal import (
    ONE,
    ZERO,
    DecimalLike,
    add,
    ceil_div,
    div,
    mul,
    sub,
    to_decimal,
    total,
)
from meterprice.errors import InvalidTypeError, MeterpriceError
from meterprice.frames import Tabular

__all__ = [
    "WEEKDAYS",
    "ChannelStaffing",
    "CostInputs",
    "DeferredChannel",
    "IntervalStaffing",
    "IntradayProfile",
    "LiveChannel",
    "MonthFigures",
    "OpeningHours",
    "PriceEstimate",
    "QueueMetrics",
    "ServiceTarget",
    "StaffingError",
    "StaffingEstimate",
    "WeeklySchedule",
    "Workload",
    "deferred_agents",
    "erlang_b",
    "erlang_c",
    "estimate_staffing",
    "price_from_staffing",
    "queue_metrics",
    "required_agents",
    "scheduled_agents",
]

#: Short weekday names, Monday first (the numbering of :meth:`datetime.date.weekday`).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_DAY_NAMES = {
    name: index % 7
    for index, name in enumerate(
        (
            *(day.lower() for day in WEEKDAYS),
            *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        )
    )
}

_MINUTES_PER_DAY = 1440
_SIXTY = Decimal(60)
_HUNDRED = Decimal(100)
_SECONDS_PER_HOUR = Decimal(3600)

# Display only: quantizing for __str__ must not read the ambient context either.
_DISPLAY = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation],
)


class StaffingError(MeterpriceError, ValueError):
    """Staffing inputs that make no sense: a negative volume, shrinkage of 100 %, ..."""


# ---------------------------------------------------------------------------
# Validation and formatting helpers
# ---------------------------------------------------------------------------

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _bounded(
    low: Decimal,
    high: Decimal | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Validator:
    """A validator that the (optional) decimal lies in the interval described."""
    if high is None:
        wording = f"must be {'>' if low_open else '>='} {low}"
    else:
        wording = f"must be in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
        if value is None:
            return
        too_low = value <= low if low_open else value < low
        too_high = high is not None and (value >= high if high_open else value > high)
        if too_low or too_high:
            raise StaffingError(f"{attribute.name} {wording} (got {value})")

    return check


_POSITIVE = _bounded(ZERO, low_open=True)
_NON_NEGATIVE = _bounded(ZERO)
_SHARE = _bounded(ZERO, ONE, low_open=True, high_open=True)  # (0, 1)
_SHARE_UP_TO_ONE = _bounded(ZERO, ONE, low_open=True)  # (0, 1]
_SHARE_BELOW_ONE = _bounded(ZERO, ONE, high_open=True)  # [0, 1)


def _optional_decimal(value: DecimalLike | None, what: str) -> Decimal | None:
    return None if value is None else to_decimal(value, what=what)


def _count(value: object, what: str, minimum: int) -> int:
    """An ``int`` of at least ``minimum`` (``bool`` and ``float`` refused; numpy
    integer scalars taken as the int they are).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{what} must be an int, not {type(value).__name__} ({value!r})")
    number = int(value)
    if number < minimum:
        raise StaffingError(f"{what} must be >= {minimum} (got {number})")
    return number


def _fixed(value: Decimal, places: int) -> str:
    """``value`` rounded half-even to ``places`` decimals, with thousands separators."""
    return format(value.quantize(Decimal(1).scaleb(-places), context=_DISPLAY), ",")


def _percent(value: Decimal, places: int = 1) -> str:
    return f"{_fixed(mul(value, _HUNDRED), places)} %"


def _duration(seconds: Decimal) -> str:
    """``14400`` as ``"4 h"``, ``90`` as ``"1.5 min"``: the largest unit that reads well."""
    for size, unit in ((3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{div(seconds, Decimal(size)).normalize(_DISPLAY):f} {unit}"
    return f"{seconds} s"


def _seconds(value: Decimal | None) -> str:
    """A wait in seconds to one decimal, or ``"infinite"`` for ``None``."""
    return "infinite" if value is None else f"{_fixed(value, 1)} s"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


# ---------------------------------------------------------------------------
# Queues: Erlang C and Erlang A
# ---------------------------------------------------------------------------


def _traffic(value: DecimalLike) -> Decimal:
    load = to_decimal(value, what="traffic")
    if load < 0:
        raise StaffingError(f"traffic must be >= 0 (got {load})")
    return load


def erlang_b(traffic: DecimalLike, agents: int) -> Decimal:
    """The Erlang B blocking probability: ``agents`` servers offered ``traffic`` Erlangs.

    Computed with the stable recursion ``B(n) = A B(n-1) / (n + A B(n-1))`` (no
    factorials), so thousands of agents are as exact as a handful.

    >>> from meterprice.staffing import erlang_b
    >>> erlang_b(10, 10)
    Decimal('0.2145823431073473406278054496')
    """
    load = _traffic(traffic)
    return _erlang.probability(_erlang.erlang_b(load, _count(agents, "agents", 0)))


def erlang_c(traffic: DecimalLike, agents: int) -> Decimal:
    """The Erlang C probability that a contact waits (1 when ``agents <= traffic``).

    >>> from meterprice.staffing import erlang_c
    >>> erlang_c(10, 11)
    Decimal('0.6821182046893323741332569536')
    """
    return _erlang.erlang_c(_traffic(traffic), _count(agents, "agents", 0))


@attrs.frozen(init=False)
class Workload:
    """The contacts offered to one live queue in one interval, and the work each brings.

    Args:
        contacts: contacts arriving in the interval (a forecast: fractions are fine).
        interval_seconds: length of the interval, e.g. 1800 for half an hour.
        aht_seconds: average handle time (talk + hold + after-contact work).
        concurrency: contacts an agent handles at once (chat); the agent time per
            contact is ``aht_seconds / concurrency``.
        patience_seconds: mean time a contact waits before abandoning. ``None`` (the
            default) is Erlang C: nobody abandons; a value selects Erlang A.
    """

    contacts: Decimal = attrs.field(validator=_NON_NEGATIVE)
    interval_seconds: Decimal = attrs.field(validator=_POSITIVE)
    aht_seconds: Decimal = attrs.field(validator=_POSITIVE)
    concurrency: Decimal = attrs.field(validator=_bounded(ONE))
    patience_seconds: Decimal | None = attrs.field(validator=_POSITIVE)

    def __init__(
        self,
        contacts: DecimalLike,
        interval_seconds: DecimalLike,
        aht_seconds: DecimalLike,
        *,
        concurrency: DecimalLike = 1,
        patience_seconds: DecimalLike | None = None,
    ) -> None:
        self.__attrs_init__(
            to_decimal(contacts, what="contacts"),
            to_decimal(interval_seconds, what="interval_seconds"),
            to_decimal(aht_seconds, what="aht_seconds"),
            to_decimal(concurrency, what="concurrency"),
            _optional_decimal(patience_seconds, "patience_seconds"),
        )

    @property
    def agent_seconds_per_contact(self) -> Decimal:
        """Agent time one contact takes: the AHT divided by the concurrency."""
        return div(self.aht_seconds, self.concurrency)

    @property
    def traffic(self) -> Decimal:
        """The offered load in Erlangs: agent time needed per second of the interval."""
        return div(
            mul(self.contacts, self.aht_seconds), mul(self.concurrency, self.interval_seconds)
        )

    @property
    def model(self) -> str:
        """``"Erlang C"``, or ``"Erlang A"`` when a mean patience is given."""
        return "Erlang C" if self.patience_seconds is None else "Erlang A"


_PROBABILITY = [attrs.validators.instance_of(Decimal), _bounded(ZERO, ONE)]
_OPTIONAL_SECONDS = attrs.validators.optional(
    [attrs.validators.instance_of(Decimal), _bounded(ZERO)]
)


@attrs.frozen
class QueueMetrics:
    """What a live queue achieves with a given number of agents.

    ``asa_seconds`` and ``average_wait_seconds`` are ``None`` when the queue has no
    steady state (Erlang C with ``agents <= traffic``: the wait grows without bound);
    then the probability of waiting is 1, the service level 0 and the occupancy 1.

    Attributes:
        workload: the queue's contacts and handle time.
        agents: agents logged in and available.
        answer_seconds: the answer time the service level refers to.
        probability_of_waiting: share of contacts that find every agent busy.
        probability_of_abandonment: share that hang up before an answer (0 for Erlang C).
        service_level: share of all offered contacts answered within ``answer_seconds``
            (abandoned contacts count as not answered in time).
        asa_seconds: average speed of answer: the mean wait of answered contacts,
            counting those answered at once as 0.
        average_wait_seconds: mean wait of all offered contacts, answered or abandoned.
        occupancy: share of the agents' logged-in time spent handling contacts.
    """

    workload: Workload = attrs.field(validator=attrs.validators.instance_of(Workload))
    agents: int = attrs.field(validator=attrs.validators.instance_of(int))
    answer_seconds: Decimal = attrs.field(validator=attrs.validators.instance_of(Decimal))
    probability_of_waiting: Decimal = attrs.field(validator=_PROBABILITY)
    probability_of_abandonment: Decimal = attrs.field(validator=_PROBABILITY)
    service_level: Decimal = attrs.field(validator=_PROBABILITY)
    asa_seconds: Decimal | None = attrs.field(validator=_OPTIONAL_SECONDS)
    average_wait_seconds: Decimal | None = attrs.field(validator=_OPTIONAL_SECONDS)
    occupancy: Decimal = attrs.field(validator=_PROBABILITY)

    @property
    def traffic(self) -> Decimal:
        """The offered load in Erlangs."""
        return self.workload.traffic

    @property
    def stable(self) -> bool:
        """Whether the queue has a steady state (always, with abandonment)."""
        return self.asa_seconds is not None

    def __str__(self) -> str:
        asa = _seconds(self.asa_seconds)
        text = (
            f"{self.agents} agents for {_fixed(self.traffic, 2)} Erlangs "
            f"({self.workload.model}): service level {_percent(self.service_level)} "
            f"within {self.answer_seconds} s, ASA {asa}, "
            f"P(wait) {_percent(self.probability_of_waiting)}, "
            f"occupancy {_percent(self.occupancy)}"
        )
        if self.workload.patience_seconds is not None:
            text += f", abandoned {_percent(self.probability_of_abandonment, 2)}"
        return text


def _metrics(
    workload: Workload, agents: int, answer_seconds: Decimal, blocking: Decimal | None = None
) -> QueueMetrics:
    if workload.patience_seconds is None:
        figures = _erlang.erlang_c_figures(
            workload.traffic, agents, workload.agent_seconds_per_contact, answer_seconds, blocking
        )
    else:
        try:
            figures = _erlang.erlang_a(
                workload.traffic,
                agents,
                workload.agent_seconds_per_contact,
                workload.patience_seconds,
                answer_seconds,
            )
        except OverflowError as error:
            raise StaffingError(
                f"Erlang A cannot evaluate {agents} agents for {workload.traffic} Erlangs "
                f"with a mean patience of {workload.patience_seconds} s: {error}; the queue "
                "is heavily overloaded, so add agents or shorten the patience"
            ) from None
    return QueueMetrics(
        workload=workload,
        agents=agents,
        answer_seconds=answer_seconds,
        probability_of_waiting=figures.probability_of_waiting,
        probability_of_abandonment=figures.probability_of_abandonment,
        service_level=figures.service_level,
        asa_seconds=figures.asa_seconds,
        average_wait_seconds=figures.average_wait_seconds,
        occupancy=figures.occupancy,
    )


def queue_metrics(workload: Workload, agents: int, answer_seconds: DecimalLike = 0) -> QueueMetrics:
    """The probability of waiting, service level, ASA and occupancy with ``agents`` agents.

    Erlang C, or Erlang A when the workload has a mean patience. ``answer_seconds`` is
    the answer time of the service level (0: the share answered at once).

    >>> from meterprice.staffing import Workload, queue_metrics
    >>> print(queue_metrics(Workload(100, 1800, 180), 14, 20))  # doctest: +NORMALIZE_WHITESPACE
    14 agents for 10.00 Erlangs (Erlang C): service level 88.8 % within 20 s,
    ASA 7.8 s, P(wait) 17.4 %, occupancy 71.4 %
    """
    if not isinstance(workload, Workload):
        raise InvalidTypeError(f"workload must be a Workload, not {type(workload).__name__}")
    answer = to_decimal(answer_seconds, what="answer_seconds")
    if answer < 0:
        raise StaffingError(f"answer_seconds must be >= 0 (got {answer})")
    return _metrics(workload, _count(agents, "agents", 1), answer)


@attrs.frozen(init=False)
class ServiceTarget:
    """A service goal: a share answered within a time, with optional further limits.

    Args:
        service_level: share of contacts to answer within ``answer_seconds``, as a
            fraction in (0, 1): ``"0.80"`` for 80 %.
        answer_seconds: the answer time, e.g. 20.
        max_occupancy: highest acceptable occupancy in (0, 1], e.g. ``"0.85"``: more
            agents than the service level needs keep people from burning out.
        max_asa_seconds: highest acceptable average speed of answer.
        max_abandonment: highest acceptable share of abandoned contacts (Erlang A).
    """

    service_level: Decimal = attrs.field(validator=_SHARE)
    answer_seconds: Decimal = attrs.field(validator=_NON_NEGATIVE)
    max_occupancy: Decimal | None = attrs.field(validator=_SHARE_UP_TO_ONE)
    max_asa_seconds: Decimal | None = attrs.field(validator=_POSITIVE)
    max_abandonment: Decimal | None = attrs.field(validator=_SHARE)

    def __init__(
        self,
        service_level: DecimalLike,
        answer_seconds: DecimalLike,
        *,
        max_occupancy: DecimalLike | None = None,
        max_asa_seconds: DecimalLike | None = None,
        max_abandonment: DecimalLike | None = None,
    ) -> None:
        self.__attrs_init__(
            to_decimal(service_level, what="service_level"),
            to_decimal(answer_seconds, what="answer_seconds"),
            _optional_decimal(max_occupancy, "max_occupancy"),
            _optional_decimal(max_asa_seconds, "max_asa_seconds"),
            _optional_decimal(max_abandonment, "max_abandonment"),
        )

    def is_met_by(self, metrics: QueueMetrics) -> bool:
        """Whether ``metrics`` (evaluated at this target's answer time) meet every limit."""
        if metrics.answer_seconds != self.answer_seconds:
            raise StaffingError(
                f"metrics for an answer time of {metrics.answer_seconds} s cannot be checked "
                f"against a target of {self.answer_seconds} s"
            )
        if metrics.asa_seconds is None or metrics.service_level < self.service_level:
            return False
        if self.max_occupancy is not None and metrics.occupancy > self.max_occupancy:
            return False
        if self.max_asa_seconds is not None and metrics.asa_seconds > self.max_asa_seconds:
            return False
        return not (
            self.max_abandonment is not None
            and metrics.probability_of_abandonment > self.max_abandonment
        )

    def __str__(self) -> str:
        parts = [f"{_percent(self.service_level, 0)} within {self.answer_seconds} s"]
        if self.max_occupancy is not None:
            parts.append(f"occupancy <= {_percent(self.max_occupancy, 0)}")
        if self.max_asa_seconds is not None:
            parts.append(f"ASA <= {self.max_asa_seconds} s")
        if self.max_abandonment is not None:
            parts.append(f"abandoned <= {_percent(self.max_abandonment)}")
        return ", ".join(parts)


def required_agents(workload: Workload, target: ServiceTarget) -> QueueMetrics:
    """The fewest agents meeting ``target``, with the metrics they achieve.

    Erlang C scans upwards from the first stable count (one Erlang B step per agent);
    Erlang A doubles, then bisects (every figure is monotone in the number of agents).
    At least one agent is always required, even for a quiet interval: an open live
    channel needs someone to answer.

    >>> from meterprice.staffing import ServiceTarget, Workload, required_agents
    >>> required_agents(Workload(100, 1800, 180), ServiceTarget("0.80", 20)).agents
    14
    """
    if not isinstance(workload, Workload):
        raise InvalidTypeError(f"workload must be a Workload, not {type(workload).__name__}")
    if not isinstance(target, ServiceTarget):
        raise InvalidTypeError(f"target must be a ServiceTarget, not {type(target).__name__}")
    traffic = workload.traffic
    answer = target.answer_seconds
    if workload.patience_seconds is None:
        agents = int(traffic) + 1  # the fewest agents with a steady state
        blocking = _erlang.erlang_b(traffic, agents)
        while True:
            metrics = _metrics(workload, agents, answer, blocking)
            if target.is_met_by(metrics):
                return metrics
            agents += 1
            blocking = _erlang.erlang_b_next(traffic, blocking, agents)
    evaluated: dict[int, QueueMetrics] = {}

    def met(agents: int) -> bool:
        evaluated[agents] = _metrics(workload, agents, answer)
        return target.is_met_by(evaluated[agents])

    low, high = 0, max(1, int(ceil_div(traffic, ONE)))
    while not met(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        if met(middle):
            high = middle
        else:
            low = middle
    return evaluated[high]


def scheduled_agents(agents: int, shrinkage: DecimalLike) -> int:
    """Agents to schedule so that ``agents`` are available: ``ceil(agents / (1 - shrinkage))``.

    Shrinkage is the share of paid time not available for contacts (breaks, training,
    meetings, absence).

    >>> from meterprice.staffing import scheduled_agents
    >>> scheduled_agents(14, "0.30")
    20
    """
    share = to_decimal(shrinkage, what="shrinkage")
    if not ZERO <= share < ONE:
        raise StaffingError(f"shrinkage must be in [0, 1) (got {share})")
    return int(ceil_div(Decimal(_count(agents, "agents", 0)), sub(ONE, share)))


def deferred_agents(
    contacts: DecimalLike,
    aht_seconds: DecimalLike,
    window_seconds: DecimalLike,
    occupancy: DecimalLike,
) -> int:
    """Agents to clear deferred work (email, tickets) within a response window.

    ``contacts`` arrive over one window of ``window_seconds``; their workload
    ``contacts x aht_seconds`` must fit in the window at the planned ``occupancy``:
    ``ceil(workload / (window_seconds x occupancy))``.

    >>> from meterprice.staffing import deferred_agents
    >>> deferred_agents(120, 300, 4 * 3600, "0.85")
    3
    """
    volume = to_decimal(contacts, what="contacts")
    handle = to_decimal(aht_seconds, what="aht_seconds")
    window = to_decimal(window_seconds, what="window_seconds")
    share = to_decimal(occupancy, what="occupancy")
    if volume < 0:
        raise StaffingError(f"contacts must be >= 0 (got {volume})")
    if handle <= 0:
        raise StaffingError(f"aht_seconds must be > 0 (got {handle})")
    if window <= 0:
        raise StaffingError(f"window_seconds must be > 0 (got {window})")
    if not ZERO < share <= ONE:
        raise StaffingError(f"occupancy must be in (0, 1] (got {share})")
    return int(ceil_div(mul(volume, handle), mul(window, share)))


# ---------------------------------------------------------------------------
# Opening hours and intraday volume
# ---------------------------------------------------------------------------


def _weekday(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 6:
            raise StaffingError(f"weekday must be 0 (Monday) to 6 (Sunday) (got {value})")
        return value
    if isinstance(value, str) and value.strip().lower() in _DAY_NAMES:
        return _DAY_NAMES[value.strip().lower()]
    raise StaffingError(f"unknown weekday {value!r}: use Mon..Sun, Monday..Sunday or 0..6")


def _weekdays(value: str | Iterable[int | str]) -> frozenset[int]:
    """Weekdays from ``"Mon-Fri"``, ``"Sat,Sun"``, ``"Fri-Mon"`` or an iterable of days."""
    if not isinstance(value, str):
        return frozenset(_weekday(day) for day in value)
    days: set[int] = set()
    for part in value.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            start, stop = _weekday(first), _weekday(last)
            days.update((start + offset) % 7 for offset in range((stop - start) % 7 + 1))
        else:
            days.add(_weekday(part))
    return frozenset(days)


_CLOCK = re.compile(r"\s*(\d{1,2}):(\d{2})\s*")


def _minute(value: datetime.time | str, what: str, *, end: bool = False) -> int:
    """Minutes after midnight of a time or ``"HH:MM"``; as an end, 00:00 and 24:00 mean 1440."""
    if isinstance(value, datetime.time):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise StaffingError(f"{what} must be a whole minute without time zone ({value})")
        minute = value.hour * 60 + value.minute
    elif isinstance(value, str) and (match := _CLOCK.fullmatch(value)):
        hours, minutes = int(match[1]), int(match[2])
        if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
            raise StaffingError(f"{what} is not a time of day: {value!r}")
        minute = hours * 60 + minutes
    else:
        raise StaffingError(f"{what} must be a datetime.time or 'HH:MM' (got {value!r})")
    return _MINUTES_PER_DAY if end and minute == 0 else minute


@attrs.frozen(init=False)
class OpeningHours:
    """One opening span on some weekdays, e.g. Monday to Friday from 08:00 to 20:00.

    Args:
        weekdays: ``"Mon-Fri"``, ``"Sat,Sun"`` or an iterable of day numbers/names.
        start: opening time, a :class:`datetime.time` or ``"HH:MM"``.
        end: closing time; ``"24:00"`` or ``"00:00"`` means midnight at the end of the
            day. A span cannot cross midnight: write two spans instead.
    """

    weekdays: frozenset[int]
    start_minute: int
    end_minute: int

    def __init__(
        self,
        weekdays: str | Iterable[int | str],
        start: datetime.time | str,
        end: datetime.time | str,
    ) -> None:
        days = _weekdays(weekdays)
        if not days:
            raise StaffingError("weekdays must name at least one day")
        first = _minute(start, "start")
        last = _minute(end, "end", end=True)
        if last <= first:
            raise StaffingError(
                f"end ({_clock(last)}) must be after start ({_clock(first)}); "
                "a span cannot cross midnight"
            )
        self.__attrs_init__(days, first, last)

    def __str__(self) -> str:
        days = ",".join(WEEKDAYS[day] for day in sorted(self.weekdays))
        return f"{days} {_clock(self.start_minute)}-{_clock(self.end_minute)}"


@attrs.frozen(init=False)
class WeeklySchedule:
    """When a channel is open in a typical week: a union of :class:`OpeningHours`.

    Build it from spans or from text such as ``"Mon-Fri 08:00-20:00; Sat-Sun 10:00-16:00"``
    (spans separated by ``;`` or new lines; one span may list several time ranges).
    """

    spans: tuple[OpeningHours, ...]

    def __init__(self, spans: str | Iterable[OpeningHours]) -> None:
        if isinstance(spans, str):
            spans = self._parse(spans)
        parts = tuple(spans)
        for part in parts:
            if not isinstance(part, OpeningHours):
                raise InvalidTypeError(f"spans must be OpeningHours, not {type(part).__name__}")
        if not parts:
            raise StaffingError("a weekly schedule needs at least one opening span")
        self.__attrs_init__(parts)

    @staticmethod
    def _parse(text: str) -> list[OpeningHours]:
        spans = []
        for line in re.split(r"[;\n]", text):
            if not line.strip():
                continue
            days, _, ranges = line.strip().partition(" ")
            times = [item for item in re.split(r"[,\s]+", ranges) if item]
            if not times:
                raise StaffingError(f"opening span {line.strip()!r} has no 'HH:MM-HH:MM' range")
            for item in times:
                start, separator, end = item.partition("-")
                if not separator:
                    raise StaffingError(f"{item!r} in {line.strip()!r} is not 'HH:MM-HH:MM'")
                spans.append(OpeningHours(days, start, end))
        return spans

    def open_ranges(self, weekday: int) -> tuple[tuple[int, int], ...]:
        """The day's opening hours as merged ``(start_minute, end_minute)`` ranges."""
        day = _weekday(weekday)
        ranges = sorted((s.start_minute, s.end_minute) for s in self.spans if day in s.weekdays)
        merged: list[tuple[int, int]] = []
        for start, end in ranges:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return tuple(merged)

    def open_minutes(self, weekday: int) -> int:
        """Minutes the channel is open on ``weekday``."""
        return sum(end - start for start, end in self.open_ranges(weekday))

    def describe(self, weekday: int) -> str:
        """The day's opening hours as text, e.g. ``"08:00-12:00, 13:00-17:00"``."""
        ranges = self.open_ranges(weekday)
        return ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in ranges) or "closed"

    def __str__(self) -> str:
        return "; ".join(str(span) for span in self.spans)


@attrs.frozen(init=False)
class IntradayProfile:
    """How a day's contacts spread over its intervals: relative weights per interval start.

    Without weights the spread is even. With weights, each open interval gets the share
    ``weight / (sum of the weights of the day's open intervals)``; an interval without a
    weight gets none. Weights can be percentages, call counts of a reference day, ...

    Args:
        interval_minutes: planning interval, a divisor of a day (15 or 30 usually).
        weights: mapping from interval start (``"HH:MM"`` or :class:`datetime.time`) to
            a non-negative weight.
    """

    interval_minutes: int
    weights: tuple[tuple[int, Decimal], ...] | None

    def __init__(
        self,
        interval_minutes: int = 30,
        weights: Mapping[datetime.time | str, DecimalLike] | None = None,
    ) -> None:
        step = _count(interval_minutes, "interval_minutes", 1)
        if _MINUTES_PER_DAY % step:
            raise StaffingError(f"interval_minutes must divide a day of 1440 (got {step})")
        table: tuple[tuple[int, Decimal], ...] | None = None
        if weights is not None:
            entries: dict[int, Decimal] = {}
            for key, raw in weights.items():
                minute = _minute(key, "interval start")
                if minute % step:
                    raise StaffingError(
                        f"interval start {_clock(minute)} is not on the {step}-minute grid"
                    )
                weight = to_decimal(raw, what=f"weight of {_clock(minute)}")
                if weight < 0:
                    raise StaffingError(f"weight of {_clock(minute)} must be >= 0 (got {weight})")
                entries[minute] = weight
            table = tuple(sorted(entries.items()))
        self.__attrs_init__(step, table)

    def weight(self, minute: int) -> Decimal:
        """The weight of the interval starting ``minute`` minutes after midnight."""
        if self.weights is None:
            return ONE
        return dict(self.weights).get(minute, ZERO)


def _daily_contacts(
    value: Mapping[Any, DecimalLike] | Sequence[DecimalLike],
) -> tuple[Decimal, ...]:
    """Seven daily volumes, Monday first, from a mapping of day specs or a sequence of 7."""
    if isinstance(value, Mapping):
        volumes = [ZERO] * 7
        seen: set[int] = set()
        for key, raw in value.items():
            days = _weekdays(key) if isinstance(key, str) else frozenset({_weekday(key)})
            if days & seen:
                names = ", ".join(WEEKDAYS[day] for day in sorted(days & seen))
                raise StaffingError(f"daily_contacts gives {names} twice")
            seen |= days
            for day in days:
                volumes[day] = to_decimal(raw, what=f"daily_contacts[{WEEKDAYS[day]}]")
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 7:
        volumes = [
            to_decimal(raw, what=f"daily_contacts[{WEEKDAYS[day]}]")
            for day, raw in enumerate(value)
        ]
    else:
        raise StaffingError(
            "daily_contacts must map days ('Mon-Fri', 'Sat', ...) to volumes "
            f"or list 7 volumes, Monday first (got {value!r})"
        )
    for day, volume in enumerate(volumes):
        if volume < 0:
            raise StaffingError(f"daily_contacts[{WEEKDAYS[day]}] must be >= 0 (got {volume})")
    return tuple(volumes)


def _check_grid(
    name: str, hours: WeeklySchedule, profile: IntradayProfile, volumes: Sequence[Decimal]
) -> None:
    step = profile.interval_minutes
    for day in range(7):
        ranges = hours.open_ranges(day)
        for start, end in ranges:
            if start % step or end % step:
                raise StaffingError(
                    f"{name}: opening hours {_clock(start)}-{_clock(end)} on {WEEKDAYS[day]} "
                    f"are not on the {step}-minute grid of the intraday profile"
                )
        if volumes[day] > 0 and not ranges:
            raise StaffingError(
                f"{name}: {volumes[day]} contacts on {WEEKDAYS[day]}, but the channel is closed"
            )
        weights = [profile.weight(m) for a, b in ranges for m in range(a, b, step)]
        if volumes[day] > 0 and total(weights) == 0:
            raise StaffingError(
                f"{name}: the intraday profile gives no weight to the open intervals of "
                f"{WEEKDAYS[day]}, which has {volumes[day]} contacts"
            )


def _day_contacts(
    hours: WeeklySchedule, profile: IntradayProfile, volume: Decimal, weekday: int
) -> list[list[tuple[int, Decimal]]]:
    """The day's open intervals, grouped by contiguous span: ``(start_minute, contacts)``.

    Each interval gets ``volume x weight / (sum of the day's weights)``; the last
    interval with a weight takes what the others leave, so the parts add up to the
    day's volume exactly even where the shares do not terminate.
    """
    step = profile.interval_minutes
    spans = [list(range(a, b, step)) for a, b in hours.open_ranges(weekday)]
    weighted = [m for span in spans for m in span if profile.weight(m) > 0]
    weight_sum = total(profile.weight(m) for m in weighted)
    shares = {m: div(mul(volume, profile.weight(m)), weight_sum) for m in weighted[:-1]}
    if volume > 0:
        shares[weighted[-1]] = sub(volume, total(shares.values()))
    return [[(m, shares.get(m, ZERO)) for m in span] for span in spans]


@attrs.frozen(init=False)
class LiveChannel:
    """A channel answered live (phone, chat), staffed per interval with Erlang C or A.

    Args:
        name: how the channel is called in results, e.g. ``"phone"``.
        hours: when it is open: a :class:`WeeklySchedule` or its text.
        daily_contacts: contacts per day: ``{"Mon-Fri": 1200, "Sat-Sun": 300}`` or seven
            volumes, Monday first. Public holidays are not modelled.
        aht_seconds: average handle time of a contact.
        target: the service goal each interval must meet.
        profile: the intraday spread and the planning interval (even, 30 minutes, by
            default).
        concurrency: contacts an agent handles at once (chat); 1 for phone.
        patience_seconds: mean patience before abandoning; ``None`` for Erlang C.
    """

    name: str
    hours: WeeklySchedule
    daily_contacts: tuple[Decimal, ...]
    aht_seconds: Decimal = attrs.field(validator=_POSITIVE)
    target: ServiceTarget
    profile: IntradayProfile
    concurrency: Decimal = attrs.field(validator=_bounded(ONE))
    patience_seconds: Decimal | None = attrs.field(validator=_POSITIVE)

    def __init__(
        self,
        name: str,
        *,
        hours: WeeklySchedule | str,
        daily_contacts: Mapping[Any, DecimalLike] | Sequence[DecimalLike],
        aht_seconds: DecimalLike,
        target: ServiceTarget,
        profile: IntradayProfile | None = None,
        concurrency: DecimalLike = 1,
        patience_seconds: DecimalLike | None = None,
    ) -> None:
        schedule = hours if isinstance(hours, WeeklySchedule) else WeeklySchedule(hours)
        spread = IntradayProfile() if profile is None else profile
        volumes = _daily_contacts(daily_contacts)
        if not isinstance(target, ServiceTarget):
            raise InvalidTypeError(f"target must be a ServiceTarget, not {type(target).__name__}")
        _check_grid(str(name), schedule, spread, volumes)
        self.__attrs_init__(
            str(name),
            schedule,
            volumes,
            to_decimal(aht_seconds, what="aht_seconds"),
            target,
            spread,
            to_decimal(concurrency, what="concurrency"),
            _optional_decimal(patience_seconds, "patience_seconds"),
        )

    def workload(self, contacts: DecimalLike) -> Workload:
        """The workload of one interval of this channel with ``contacts`` contacts."""
        return Workload(
            contacts,
            self.profile.interval_minutes * 60,
            self.aht_seconds,
            concurrency=self.concurrency,
            patience_seconds=self.patience_seconds,
        )

    def describe(self) -> str:
        """One line: the kind of channel, its model, target and handle time."""
        text = f"live, {self.workload(0).model}, {self.target}, AHT {self.aht_seconds} s"
        if self.concurrency != 1:
            text += f", {self.concurrency} at once"
        if self.patience_seconds is not None:
            text += f", patience {self.patience_seconds} s"
        return text


@attrs.frozen(init=False)
class DeferredChannel:
    """A channel answered later (email, tickets), staffed from workload within a window.

    In each contiguous opening span, every run of consecutive intervals lasting the
    response window (or the whole span, when shorter) must hold the work arriving in it
    at the planned occupancy; an interval gets the most agents any run through it needs:
    ``ceil(max(workload of a run) / (run length x occupancy))``. With an even arrival
    pattern that is the day's workload spread evenly; peaks need more agents the shorter
    the window. The window is counted in whole intervals (rounded down, at least one).

    Args:
        name: how the channel is called in results, e.g. ``"email"``.
        hours: when agents work the queue: a :class:`WeeklySchedule` or its text.
        daily_contacts: contacts per day, as for :class:`LiveChannel`.
        aht_seconds: average handle time of a contact.
        response_window_seconds: time within which a contact must be answered.
        occupancy: planned share of logged-in time spent on the work, in (0, 1].
        profile: the intraday spread of arrivals and the planning interval.
    """

    name: str
    hours: WeeklySchedule
    daily_contacts: tuple[Decimal, ...]
    aht_seconds: Decimal = attrs.field(validator=_POSITIVE)
    response_window_seconds: Decimal = attrs.field(validator=_POSITIVE)
    occupancy: Decimal = attrs.field(validator=_SHARE_UP_TO_ONE)
    profile: IntradayProfile

    def __init__(
        self,
        name: str,
        *,
        hours: WeeklySchedule | str,
        daily_contacts: Mapping[Any, DecimalLike] | Sequence[DecimalLike],
        aht_seconds: DecimalLike,
        response_window_seconds: DecimalLike,
        occupancy: DecimalLike,
        profile: IntradayProfile | None = None,
    ) -> None:
        schedule = hours if isinstance(hours, WeeklySchedule) else WeeklySchedule(hours)
        spread = IntradayProfile() if profile is None else profile
        volumes = _daily_contacts(daily_contacts)
        _check_grid(str(name), schedule, spread, volumes)
        self.__attrs_init__(
            str(name),
            schedule,
            volumes,
            to_decimal(aht_seconds, what="aht_seconds"),
            to_decimal(response_window_seconds, what="response_window_seconds"),
            to_decimal(occupancy, what="occupancy"),
            spread,
        )

    def describe(self) -> str:
        """One line: the kind of channel, its window, occupancy and handle time."""
        return (
            f"deferred, answered within {_duration(self.response_window_seconds)} at "
            f"{_percent(self.occupancy, 0)} occupancy, AHT {self.aht_seconds} s"
        )


# ---------------------------------------------------------------------------
# A week of staffing
# ---------------------------------------------------------------------------


@attrs.frozen
class IntervalStaffing:
    """One planning interval of one channel: its forecast and the agents it needs.

    Attributes:
        weekday: 0 (Monday) to 6 (Sunday).
        start_minute: start of the interval, in minutes after midnight.
        minutes: length of the interval.
        contacts: contacts forecast to arrive in it.
        agents: agents needed logged in and available.
        scheduled_agents: agents to schedule once shrinkage is allowed for.
        busy_seconds: agent time spent handling contacts (for deferred work, the work
            that arrives in the interval, done within its window), exact.
        handled_seconds: handle time of the contacts answered (abandoned ones
            excluded), exact.
        metrics: the queue figures of a live channel; ``None`` for deferred work.

    Sums are taken over exact seconds and agent-minutes and divided once, so a week or
    a month adds up exactly.
    """

    weekday: int
    start_minute: int
    minutes: int
    contacts: Decimal
    agents: int
    scheduled_agents: int
    busy_seconds: Decimal
    handled_seconds: Decimal
    metrics: QueueMetrics | None

    @property
    def agent_minutes(self) -> int:
        """Logged-in agent minutes: agents x interval length."""
        return self.agents * self.minutes

    @property
    def paid_minutes(self) -> int:
        """Paid (scheduled) agent minutes: scheduled agents x interval length."""
        return self.scheduled_agents * self.minutes

    @property
    def agent_hours(self) -> Decimal:
        """Logged-in agent hours."""
        return div(Decimal(self.agent_minutes), _SIXTY)

    @property
    def paid_hours(self) -> Decimal:
        """Paid agent hours."""
        return div(Decimal(self.paid_minutes), _SIXTY)

    @property
    def handled_minutes(self) -> Decimal:
        """Handle time answered, in minutes."""
        return div(self.handled_seconds, _SIXTY)

    @property
    def label(self) -> str:
        """E.g. ``"Mon 08:00-08:30"``."""
        end = self.start_minute + self.minutes
        return f"{WEEKDAYS[self.weekday]} {_clock(self.start_minute)}-{_clock(end)}"


@attrs.frozen
class ChannelStaffing:
    """The typical week of one channel: agents per interval and what they add up to."""

    channel: LiveChannel | DeferredChannel
    intervals: tuple[IntervalStaffing, ...]

    @property
    def name(self) -> str:
        """The channel's name."""
        return self.channel.name

    def _on(self, weekday: int | None) -> list[IntervalStaffing]:
        return [i for i in self.intervals if weekday is None or i.weekday == weekday]

    def agent_minutes(self, weekday: int | None = None) -> int:
        """Logged-in agent minutes in the week (or on one weekday)."""
        return sum(i.agent_minutes for i in self._on(weekday))

    def paid_minutes(self, weekday: int | None = None) -> int:
        """Paid agent minutes in the week (or on one weekday), after shrinkage."""
        return sum(i.paid_minutes for i in self._on(weekday))

    def handled_seconds(self, weekday: int | None = None) -> Decimal:
        """Seconds of handle time answered in the week (or on one weekday), exact."""
        return total(i.handled_seconds for i in self._on(weekday))

    def busy_seconds(self, weekday: int | None = None) -> Decimal:
        """Agent seconds spent handling contacts in the week (or on one weekday), exact."""
        return total(i.busy_seconds for i in self._on(weekday))

    def agent_hours(self, weekday: int | None = None) -> Decimal:
        """Logged-in agent hours in the week (or on one weekday)."""
        return div(Decimal(self.agent_minutes(weekday)), _SIXTY)

    def paid_hours(self, weekday: int | None = None) -> Decimal:
        """Paid agent hours in the week (or on one weekday), after shrinkage."""
        return div(Decimal(self.paid_minutes(weekday)), _SIXTY)

    def handled_minutes(self, weekday: int | None = None) -> Decimal:
        """Minutes of handle time answered in the week (or on one weekday)."""
        return div(self.handled_seconds(weekday), _SIXTY)

    def busy_hours(self, weekday: int | None = None) -> Decimal:
        """Agent hours spent handling contacts in the week (or on one weekday)."""
        return div(self.busy_seconds(weekday), _SECONDS_PER_HOUR)

    def contacts(self, weekday: int | None = None) -> Decimal:
        """Contacts forecast in the week (or on one weekday)."""
        return total(i.contacts for i in self._on(weekday))

    def peak_agents(self, weekday: int | None = None) -> int:
        """The most agents any interval needs (0 when closed)."""
        return max((i.agents for i in self._on(weekday)), default=0)

    def occupancy(self, weekday: int | None = None) -> Decimal:
        """Busy hours / logged-in hours (0 without agents)."""
        logged_in = self.agent_minutes(weekday) * 60
        return ZERO if logged_in == 0 else div(self.busy_seconds(weekday), Decimal(logged_in))

    def table(self) -> str:
        """Every interval on one line: the full working of the estimate."""
        lines = [f"{'interval':<16}{'contacts':>10}{'agents':>8}{'sched.':>8}{'occ.':>9}"]
        live = isinstance(self.channel, LiveChannel)
        if live:
            lines[0] += f"{'SL':>9}{'ASA':>9}"
        for row in self.intervals:
            line = f"{row.label:<16}{_fixed(row.contacts, 2):>10}{row.agents:>8}"
            line += f"{row.scheduled_agents:>8}"
            if row.metrics is None:
                # Deferred work is done later in its window, not in the interval it arrives.
                lines.append(line + f"{'-':>9}")
                continue
            lines.append(
                line
                + f"{_percent(row.metrics.occupancy):>9}{_percent(row.metrics.service_level):>9}"
                + f"{_seconds(row.metrics.asa_seconds):>9}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [
            f"{self.name}: {self.channel.describe()}",
            f"  {'day':<5}{'open':<14}{'contacts':>11}{'peak':>6}{'agent h':>10}"
            f"{'paid h':>10}{'occupancy':>11}",
        ]
        for day in range(7):
            if not self.channel.hours.open_ranges(day):
                continue
            lines.append(
                f"  {WEEKDAYS[day]:<5}{self.channel.hours.describe(day):<14}"
                f"{_fixed(self.contacts(day), 1):>11}{self.peak_agents(day):>6}"
                f"{_fixed(self.agent_hours(day), 1):>10}{_fixed(self.paid_hours(day), 1):>10}"
                f"{_percent(self.occupancy(day)):>11}"
            )
        lines.append(
            f"  {'week':<19}{_fixed(self.contacts(), 1):>11}{self.peak_agents():>6}"
            f"{_fixed(self.agent_hours(), 1):>10}{_fixed(self.paid_hours(), 1):>10}"
            f"{_percent(self.occupancy()):>11}"
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _notebook.channel_html(self)


@attrs.frozen
class MonthFigures:
    """A calendar month of the typical week: its weekdays counted, hours and minutes summed.

    Attributes:
        year: the year.
        month: the month, 1 to 12.
        weekday_counts: how many Mondays, Tuesdays, ... the month has (Monday first).
        agent_hours: logged-in agent hours.
        paid_hours: paid agent hours, after shrinkage.
        handled_minutes: minutes of handle time answered.
    """

    year: int
    month: int
    weekday_counts: tuple[int, ...]
    agent_hours: Decimal
    paid_hours: Decimal
    handled_minutes: Decimal

    @property
    def label(self) -> str:
        """E.g. ``"2024-03"``."""
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return _notebook.month_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.month_html(self)


@attrs.frozen
class StaffingEstimate(Tabular):
    """Agents per interval for every channel in a typical week, with weekly and monthly sums.

    Channels are staffed separately (no agent serves two queues at once), so their hours
    add up. Paid hours schedule ``ceil(agents / (1 - shrinkage))`` agents per interval.
    """

    _table_builder: ClassVar[str] = "staffing_table"

    channels: tuple[ChannelStaffing, ...]
    shrinkage: Decimal

    def channel(self, name: str) -> ChannelStaffing:
        """The staffing of the channel called ``name``."""
        for staffing in self.channels:
            if staffing.name == name:
                return staffing
        raise KeyError(name)

    @property
    def agent_hours(self) -> Decimal:
        """Logged-in agent hours per week, all channels."""
        return div(Decimal(sum(c.agent_minutes() for c in self.channels)), _SIXTY)

    @property
    def paid_hours(self) -> Decimal:
        """Paid agent hours per week, all channels."""
        return div(Decimal(sum(c.paid_minutes() for c in self.channels)), _SIXTY)

    @property
    def handled_minutes(self) -> Decimal:
        """Minutes of handle time answered per week, all channels."""
        return div(total(c.handled_seconds() for c in self.channels), _SIXTY)

    @property
    def occupancy(self) -> Decimal:
        """Busy hours / logged-in hours over the week, all channels."""
        logged_in = sum(c.agent_minutes() for c in self.channels) * 60
        busy = total(c.busy_seconds() for c in self.channels)
        return ZERO if logged_in == 0 else div(busy, Decimal(logged_in))

    def month(self, when: datetime.date) -> MonthFigures:
        """The hours and minutes of the calendar month of ``when`` (its day is ignored)."""
        if not isinstance(when, datetime.date):
            raise InvalidTypeError(f"month must be a datetime.date, not {type(when).__name__}")
        first, days = calendar.monthrange(when.year, when.month)
        counts = tuple(sum(1 for d in range(days) if (first + d) % 7 == w) for w in range(7))

        def summed(figure: Callable[[ChannelStaffing, int], Decimal | int]) -> Decimal:
            """The month's exact sum of a daily figure, over every channel."""
            return total(
                mul(Decimal(counts[day]), Decimal(figure(channel, day)))
                for channel in self.channels
                for day in range(7)
            )

        return MonthFigures(
            when.year,
            when.month,
            counts,
            div(summed(ChannelStaffing.agent_minutes), _SIXTY),
            div(summed(ChannelStaffing.paid_minutes), _SIXTY),
            div(summed(ChannelStaffing.handled_seconds), _SIXTY),
        )

    def __str__(self) -> str:
        lines = [f"Staffing estimate, typical week (shrinkage {_percent(self.shrinkage)})"]
        lines.extend(str(channel) for channel in self.channels)
        lines.append(
            f"total per week: {_fixed(self.agent_hours, 1)} agent hours, "
            f"{_fixed(self.paid_hours, 1)} paid hours, "
            f"{_fixed(self.handled_minutes, 1)} handled minutes, "
            f"occupancy {_percent(self.occupancy)}"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return _notebook.staffing_repr(self)

    def _repr_html_(self) -> str:
        return _notebook.staffing_html(self)


def _staff_live(channel: LiveChannel, shrinkage: Decimal) -> ChannelStaffing:
    step = channel.profile.interval_minutes
    cache: dict[Decimal, QueueMetrics] = {}
    rows = []
    for day in range(7):
        for span in _day_contacts(channel.hours, channel.profile, channel.daily_contacts[day], day):
            for minute, contacts in span:
                if contacts not in cache:
                    cache[contacts] = required_agents(channel.workload(contacts), channel.target)
                metrics = cache[contacts]
                answered = sub(ONE, metrics.probability_of_abandonment)
                rows.append(
                    IntervalStaffing(
                        weekday=day,
                        start_minute=minute,
                        minutes=step,
                        contacts=contacts,
                        agents=metrics.agents,
                        scheduled_agents=scheduled_agents(metrics.agents, shrinkage),
                        busy_seconds=mul(
                            mul(metrics.occupancy, Decimal(metrics.agents)), Decimal(step * 60)
                        ),
                        handled_seconds=mul(mul(contacts, answered), channel.aht_seconds),
                        metrics=metrics,
                    )
                )
    return ChannelStaffing(channel, tuple(rows))


def _staff_deferred(channel: DeferredChannel, shrinkage: Decimal) -> ChannelStaffing:
    step = channel.profile.interval_minutes
    window = max(1, int(div(channel.response_window_seconds, Decimal(step * 60))))
    rows = []
    for day in range(7):
        for span in _day_contacts(channel.hours, channel.profile, channel.daily_contacts[day], day):
            run = min(window, len(span))
            capacity = mul(Decimal(run * step * 60), channel.occupancy)
            work = [mul(contacts, channel.aht_seconds) for _, contacts in span]
            needs = [
                int(ceil_div(total(work[first : first + run]), capacity))
                for first in range(len(span) - run + 1)
            ]
            for index, (minute, contacts) in enumerate(span):
                agents = max(needs[max(0, index - run + 1) : index + 1])
                rows.append(
                    IntervalStaffing(
                        weekday=day,
                        start_minute=minute,
                        minutes=step,
                        contacts=contacts,
                        agents=agents,
                        scheduled_agents=scheduled_agents(agents, shrinkage),
                        busy_seconds=work[index],
                        handled_seconds=work[index],
                        metrics=None,
                    )
                )
    return ChannelStaffing(channel, tuple(rows))


def estimate_staffing(
    channels: Iterable[LiveChannel | DeferredChannel], *, shrinkage: DecimalLike
) -> StaffingEstimate:
    """Staff every channel for a typical week, interval by interval.

    Live channels get the fewest agents meeting their target in each open interval
    (at least one); deferred channels the agents their workload needs within the
    response window. ``shrinkage`` (share of paid time not available, in [0, 1)) turns
    available agents into scheduled, paid agents.
    """
    share = to_decimal(shrinkage, what="shrinkage")
    if not ZERO <= share < ONE:
        raise StaffingError(f"shrinkage must be in [0, 1) (got {share})")
    results = []
    names: set[str] = set()
    for channel in channels:
        if not isinstance(channel, LiveChannel | DeferredChannel):
            raise InvalidTypeError(
                f"channels must be LiveChannel or DeferredChannel, not {type(channel).__name__}"
            )
        if channel.name in names:
            raise StaffingError(f"two channels are called {channel.name!r}")
        names.add(channel.name)
        if isinstance(channel, LiveChannel):
            results.append(_staff_live(channel, share))
        else:
            results.append(_staff_deferred(channel, share))
    if not results:
        raise StaffingError("estimate_staffing needs at least one channel")
    return StaffingEstimate(tuple(results), share)


# ---------------------------------------------------------------------------
# From staffing to price
# ---------------------------------------------------------------------------


@attrs.frozen(init=False)
class CostInputs:
    """What a paid agent hour costs and what is added on top of it.

    Args:
        cost_per_paid_hour: loaded cost of one paid agent hour (salary, taxes,
            benefits, seat), a money amount in ``currency``.
        currency: ISO 4217 code, for display.
        overhead: share added to the labour cost for management, systems and reporting,
            e.g. ``"0.15"``.
        margin: share of the *price* kept as profit, in [0, 1): price = cost /
            (1 - margin). A 20 % margin on a cost of 80 gives a price of 100.
        fte_hours_per_month: paid hours of one full-time agent per month, e.g. 160.
        rate_places: decimals of the quoted rate per minute (rounded up).
    """

    cost_per_paid_hour: Decimal = attrs.field(validator=_POSITIVE)
    currency: str
    overhead: Decimal = attrs.field(validator=_NON_NEGATIVE)
    margin: Decimal = attrs.field(validator=_SHARE_BELOW_ONE)
    fte_hours_per_month: Decimal = attrs.field(validator=_POSITIVE)
    rate_places: int

    def __init__(
        self,
        cost_per_paid_hour: DecimalLike,
        currency: str,
        *,
        overhead: DecimalLike = 0,
        margin: DecimalLike = 0,
        fte_hours_per_month: DecimalLike = 160,
        rate_places: int = 4,
    ) -> None:
        if not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
            raise StaffingError(f"currency must be a 3-letter ISO 4217 code (got {currency!r})")
        self.__attrs_init__(
            to_decimal(cost_per_paid_hour, what="cost_per_paid_hour"),
            currency,
            to_decimal(overhead, what="overhead"),
            to_decimal(margin, what="margin"),
            to_decimal(fte_hours_per_month, what="fte_hours_per_month"),
            _count(rate_places, "rate_places", 0),
        )

    def price_of_hours(self, hours: Decimal) -> Decimal:
        """The price of ``hours`` paid hours: cost x (1 + overhead) / (1 - margin)."""
        cost = mul(mul(hours, self.cost_per_paid_hour), add(ONE, self.overhead))
        return div(cost, sub(ONE, self.margin))


@attrs.frozen
class PriceEstimate:
    """A rate per handled minute and a monthly FTE price, with the working that led there.

    All amounts are exact (quotients to 50 significant digits); only
    ``quoted_rate_per_minute`` is rounded, up, to ``costs.rate_places`` decimals, so that
    the quoted rate covers cost and margin at the forecast volume.

    Attributes:
        staffing: the staffing estimate (agents per interval, occupancy, ...).
        costs: the cost inputs.
        month: the month priced: its paid hours and handled minutes.
        labour_cost: paid hours x cost per paid hour.
        overhead_cost: labour cost x overhead.
        total_cost: labour cost + overhead cost.
        price: total cost / (1 - margin): what the month must bring in.
        rate_per_minute: price / handled minutes, exact.
        quoted_rate_per_minute: the rate rounded up to ``costs.rate_places`` decimals.
        ftes: paid hours / FTE hours per month.
        fte_count: whole FTEs, rounded up.
        price_per_fte: the price of one FTE month (FTE hours at cost, overhead, margin).
        fte_price: fte_count x price_per_fte.
    """

    staffing: StaffingEstimate
    costs: CostInputs
    month: MonthFigures
    labour_cost: Decimal
    overhead_cost: Decimal
    total_cost: Decimal
    price: Decimal
    rate_per_minute: Decimal
    quoted_rate_per_minute: Decimal
    ftes: Decimal
    fte_count: int
    price_per_fte: Decimal
    fte_price: Decimal

    @property
    def usage_price(self) -> Decimal:
        """What the forecast handled minutes cost at the quoted rate."""
        return mul(self.quoted_rate_per_minute, self.month.handled_minutes)

    @property
    def fte_premium(self) -> Decimal:
        """FTE price - usage price: the cost of buying whole FTEs instead of minutes."""
        return sub(self.fte_price, self.usage_price)

    @property
    def fte_price_per_minute(self) -> Decimal:
        """The FTE price spread over the forecast handled minutes."""
        return div(self.fte_price, self.month.handled_minutes)

    @property
    def break_even_minutes(self) -> Decimal:
        """Handled minutes at which pay-per-use at the quoted rate costs the FTE price."""
        return div(self.fte_price, self.quoted_rate_per_minute)

    def __str__(self) -> str:
        costs = self.costs

        def row(label: str, value: Decimal, places: int = 2, note: str = "") -> str:
            return f"  {label:<28}{_fixed(value, places):>16}{'  ' + note if note else ''}"

        days = ", ".join(
            f"{count} {WEEKDAYS[day]}" for day, count in enumerate(self.month.weekday_counts)
        )
        return "\n".join(
            [
                f"Staffing-based price for {self.month.label} ({costs.currency})",
                str(self.staffing),
                f"month {self.month.label}: {days}",
                row("paid agent hours", self.month.paid_hours),
                row("handled minutes", self.month.handled_minutes),
                row(
                    "labour cost",
                    self.labour_cost,
                    note=f"paid hours x {costs.cost_per_paid_hour}",
                ),
                row(f"overhead {_percent(costs.overhead)}", self.overhead_cost),
                row("total cost", self.total_cost),
                row(f"price (margin {_percent(costs.margin)})", self.price),
                row(
                    "rate per handled minute",
                    self.quoted_rate_per_minute,
                    costs.rate_places,
                    f"rounded up from {_fixed(self.rate_per_minute, costs.rate_places + 4)}",
                ),
                row(
                    "FTE price",
                    self.fte_price,
                    note=f"{self.fte_count} FTE x {_fixed(self.price_per_fte, 2)} "
                    f"({_fixed(self.ftes, 2)} FTE of {costs.fte_hours_per_month} h needed)",
                ),
                row(
                    "FTE minus pay-per-use",
                    self.fte_premium,
                    note=f"break-even at {_fixed(self.break_even_minutes, 0)} handled minutes",
                ),
            ]
        )


def price_from_staffing(
    staffing: StaffingEstimate, costs: CostInputs, month: datetime.date
) -> PriceEstimate:
    """Turn a staffing estimate into a rate per handled minute and a monthly FTE price.

    The month's paid hours (its real number of Mondays, Tuesdays, ...) at the loaded
    cost, plus overhead, grossed up by the margin, give the month's price; divided by
    the month's handled minutes it is the rate per minute. The same cost sold as whole
    FTEs of ``costs.fte_hours_per_month`` hours gives the FTE price, for comparison.
    """
    if not isinstance(staffing, StaffingEstimate):
        raise InvalidTypeError(
            f"staffing must be a StaffingEstimate, not {type(staffing).__name__}"
        )
    if not isinstance(costs, CostInputs):
        raise InvalidTypeError(f"costs must be CostInputs, not {type(costs).__name__}")
    figures = staffing.month(month)
    if figures.handled_minutes == 0:
        raise StaffingError(
            f"no handled minutes in {figures.label}: a rate per minute cannot be derived"
        )
    labour = mul(figures.paid_hours, costs.cost_per_paid_hour)
    overhead = mul(labour, costs.overhead)
    cost = add(labour, overhead)
    price = div(cost, sub(ONE, costs.margin))
    rate = div(price, figures.handled_minutes)
    quoted = rate.quantize(
        Decimal(1).scaleb(-costs.rate_places), rounding=decimal.ROUND_CEILING, context=_DISPLAY
    )
    ftes = div(figures.paid_hours, costs.fte_hours_per_month)
    fte_count = int(ceil_div(figures.paid_hours, costs.fte_hours_per_month))
    per_fte = costs.price_of_hours(costs.fte_hours_per_month)
    return PriceEstimate(
        staffing=staffing,
        costs=costs,
        month=figures,
        labour_cost=labour,
        overhead_cost=overhead,
        total_cost=cost,
        price=price,
        rate_per_minute=rate,
        quoted_rate_per_minute=quoted,
        ftes=ftes,
        fte_count=fte_count,
        price_per_fte=per_fte,
        fte_price=mul(Decimal(fte_count), per_fte),
    )
