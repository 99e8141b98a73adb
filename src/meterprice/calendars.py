"""Calendars of named date ranges: peak seasons, launch weeks, trial fortnights.

A :class:`Calendar` is an ordered collection of named ranges of days:

* :class:`DateRange`: one dated range, ``first`` to ``last`` inclusive (a product
  launch week, a trial fortnight);
* :class:`YearlyRange`: a range that comes back every year, from a month/day to a
  month/day inclusive (Double 11: 11-01 to 11-11), possibly across the year end
  (12-20 to 01-05);
* :class:`RuleRange`: ranges of a fixed number of days starting on each occurrence
  of an iCalendar recurrence rule (Black Friday to Cyber Monday: four days from
  the last Friday of November).

Recurrences are computed with :mod:`dateutil.rrule`. A calendar is a set of days:
a day that falls in two ranges counts once. Components such as
:class:`~meterprice.DayRate` charge for the calendar's days inside a billing period.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import math
from collections.abc import Iterable, Iterator

import attrs
from dateutil import rrule

from meterprice.errors import CalendarError, InvalidTypeError
from meterprice.periods import Period

__all__ = [
    "Calendar",
    "CalendarRange",
    "DateRange",
    "RuleRange",
    "YearlyRange",
    "format_days",
]

_ONE_DAY = dt.timedelta(days=1)


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"a range name must be a non-empty string, not {value!r}")


def _to_date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
        raise InvalidTypeError(f"{what} must be a date or an ISO date string, not {value!r}")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise CalendarError(f"{what} is not an ISO date (YYYY-MM-DD): {value!r}") from None
    return value


def _to_first(value: object) -> dt.date:
    return _to_date(value, "first")


def _to_last(value: object) -> dt.date:
    return _to_date(value, "last")


def _to_start_date(value: object) -> dt.date:
    return _to_date(value, "start")


def _years_after(day: dt.date, years: int) -> dt.date:
    """``years`` years after ``day`` (28 February for 29 February), at most 9999-12-31."""
    if day.year + years > dt.MAXYEAR:
        return dt.date.max
    return _on(day.year + years, (day.month, day.day))


def _runs(days: Iterable[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """The maximal runs of consecutive days, as ``(first, last)`` pairs, in order."""
    first: dt.date | None = None
    last = dt.date.min
    for day in sorted(set(days)):
        if first is not None and day == last + _ONE_DAY:
            last = day
            continue
        if first is not None:
            yield first, last
        first = last = day
    if first is not None:
        yield first, last


def format_days(days: Iterable[dt.date]) -> str:
    """Days written compactly as runs, each run inclusive of both ends.

    >>> from meterprice.calendars import format_days
    >>> format_days([dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(11)])
    '2026-11-01..2026-11-11'
    >>> format_days([dt.date(2026, 12, 12), dt.date(2026, 11, 11), dt.date(2026, 11, 12)])
    '2026-11-11..2026-11-12, 2026-12-12'
    """
    return ", ".join(
        first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        for first, last in _runs(days)
    )


def _span(first: dt.date, last: dt.date, period: Period) -> Iterator[dt.date]:
    """The days from ``first`` to ``last`` inclusive that lie inside ``period``."""
    day = max(first, period.start)
    stop = min(last, period.last_day)
    while day <= stop:
        yield day
        day += _ONE_DAY


@attrs.frozen
class DateRange:
    """A named range of dates, ``first`` to ``last`` inclusive.

    >>> trial = DateRange("Trial fortnight", "2026-03-02", "2026-03-15")
    >>> len(trial.days_in(Period.month(2026, 3)))
    14
    """

    name: str = attrs.field(validator=_check_name)
    first: dt.date = attrs.field(converter=_to_first)
    last: dt.date = attrs.field(converter=_to_last)

    def __attrs_post_init__(self) -> None:
        if self.last < self.first:
            raise CalendarError(
                f"range {self.name!r}: last ({self.last}) must not be before first ({self.first})"
            )

    def days_in(self, period: Period) -> tuple[dt.date, ...]:
        """The days of this range inside ``period``, in order."""
        return tuple(_span(self.first, self.last, period))

    def __str__(self) -> str:
        return f"{self.name}: {self.first.isoformat()}..{self.last.isoformat()}"


MonthDay = tuple[int, int]
"""A day of the year as ``(month, day)``; ``(2, 29)`` is allowed."""


def _to_month_day(value: object, what: str) -> MonthDay:
    if isinstance(value, str):
        parts = value.strip().split("-")
        if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts):
            raise CalendarError(f"{what} must be written MM-DD, not {value!r}")
        month, day = int(parts[0]), int(parts[1])
    elif isinstance(value, tuple) and len(value) == 2 and all(type(v) is int for v in value):
        month, day = value
    else:
        raise InvalidTypeError(
            f"{what} must be a (month, day) pair of ints or 'MM-DD', not {value!r}"
        )
    if not 1 <= month <= 12:
        raise CalendarError(f"{what}: month must be 1 to 12 (got {value!r})")
    longest = _calendar.monthrange(2000, month)[1]  # 2000 is a leap year
    if not 1 <= day <= longest:
        raise CalendarError(f"{what}: day must be 1 to {longest} in month {month} (got {value!r})")
    return month, day


def _to_start(value: object) -> MonthDay:
    return _to_month_day(value, "start")


def _to_end(value: object) -> MonthDay:
    return _to_month_day(value, "end")


def _on(year: int, month_day: MonthDay) -> dt.date:
    """``month_day`` in ``year``, clamped to the month's last day (02-29 -> 02-28)."""
    month, day = month_day
    return dt.date(year, month, min(day, _calendar.monthrange(year, month)[1]))


@attrs.frozen
class YearlyRange:
    """A named range that comes back every year, from ``start`` to ``end`` inclusive.

    Both are ``(month, day)`` pairs or ``"MM-DD"`` strings. When ``end`` comes
    before ``start`` in the year, the range crosses the year end (12-20 to 01-05 runs
    into the next January). A day missing from a year (02-29 in 2026) is moved to the
    month's last day, as :class:`~meterprice.Cycle` does with anchors: 02-01 to 02-29
    is the whole of February in every year.

    >>> double_11 = YearlyRange("Double 11", "11-01", "11-11")
    >>> double_11.days_in(Period.year(2027))[0], len(double_11.days_in(Period.year(2027)))
    (datetime.date(2027, 11, 1), 11)
    """

    name: str = attrs.field(validator=_check_name)
    start: MonthDay = attrs.field(converter=_to_start)
    end: MonthDay = attrs.field(converter=_to_end)

    @property
    def crosses_year_end(self) -> bool:
        """Whether each occurrence ends in the year after it starts."""
        return self.end < self.start

    def _first_days(self, since: int, until: dt.date) -> Iterator[dt.date]:
        """The first day of every occurrence starting from 1 January ``since`` to ``until``."""
        month, day = self.start
        rule = rrule.rrule(
            rrule.YEARLY,
            dtstart=dt.datetime(since, 1, 1),
            until=dt.datetime.combine(until, dt.time()),
            bymonth=month,
            # the last existing day among min(day, 28) .. day: clamps 29-31 to the month end
            bymonthday=tuple(range(min(day, 28), day + 1)),
            bysetpos=-1,
        )
        for occurrence in rule:
            yield occurrence.date()

    def days_in(self, period: Period) -> tuple[dt.date, ...]:
        """The days of every occurrence inside ``period``, in order."""
        days: set[dt.date] = set()
        # an occurrence that started the year before may still run into the period
        for first in self._first_days(max(period.start.year - 1, dt.MINYEAR), period.last_day):
            last = _on(first.year + 1 if self.crosses_year_end else first.year, self.end)
            days.update(_span(first, last, period))
        return tuple(sorted(days))

    def __str__(self) -> str:
        (m1, d1), (m2, d2) = self.start, self.end
        return f"{self.name}: {m1:02d}-{d1:02d}..{m2:02d}-{d2:02d} every year"


_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")

#: Largest ``INTERVAL`` of a rule.
MAX_INTERVAL = 1000

#: Largest ``COUNT`` of a rule.
MAX_COUNT = 100_000

#: Most days of one occurrence of a :class:`RuleRange` (ten years).
MAX_RANGE_DAYS = 3653

#: A rule must occur within this many years of its start, times its ``INTERVAL``
#: (at most 400 years: the Gregorian calendar repeats every 400 years), so that
#: looking for a rule that never occurs does not go on to the year 9999.
HORIZON_YEARS = {"DAILY": 8, "WEEKLY": 28, "MONTHLY": 100, "YEARLY": 100}

_HORIZON_YEARS = 400

# how many 400-year blocks a rule of each frequency repeats after, for INTERVAL=1:
# the days, weeks, months and years of 400 Gregorian years
_UNITS_PER_BLOCK = {"DAILY": 146_097, "WEEKLY": 20_871, "MONTHLY": 4_800, "YEARLY": 400}

_SUB_DAILY = ("BYHOUR", "BYMINUTE", "BYSECOND")


def _check_rule(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(f"rule must be an iCalendar RRULE string, not {value!r}")


def _check_days(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 1 <= value <= MAX_RANGE_DAYS:
        raise CalendarError(
            f"days must be a whole number from 1 to {MAX_RANGE_DAYS} (got {value!r})"
        )


def _rule_text(rule: str) -> str:
    text = rule.strip()
    return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text


def _whole(fields: dict[str, str], key: str, name: str, rule: str, most: int) -> int | None:
    """The whole number ``fields[key]`` (1 to ``most``), ``None`` when absent."""
    if key not in fields:
        return None
    text = fields[key]
    if not (text.isascii() and text.isdigit() and len(text) <= 9 and 1 <= int(text) <= most):
        raise CalendarError(
            f"range {name!r}: the rule's {key} must be a whole number from 1 to {most} "
            f"(got {rule!r})"
        )
    return int(text)


@attrs.frozen
class RuleRange:
    """Ranges of ``days`` days starting on each occurrence of an iCalendar ``rule``.

    ``rule`` is one RFC 5545 ``RRULE`` (``"FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR"``: the
    last Friday of November) with a frequency of ``DAILY`` or coarser and no
    ``BYHOUR``, ``BYMINUTE`` or ``BYSECOND``; ``start`` is the date the recurrence
    counts from (its ``DTSTART``), so that ``INTERVAL``, ``COUNT`` and ``UNTIL`` have
    a fixed meaning. ``INTERVAL`` is at most :data:`MAX_INTERVAL`, ``COUNT`` at most
    :data:`MAX_COUNT`, ``days`` at most :data:`MAX_RANGE_DAYS`, and the rule must occur
    within :data:`HORIZON_YEARS` (times ``INTERVAL``, at most 400) years of ``start``.

    >>> black_friday = RuleRange(
    ...     "Black Friday to Cyber Monday",
    ...     "FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR",
    ...     start="2020-01-01",
    ...     days=4,
    ... )
    >>> [str(day) for day in black_friday.days_in(Period.month(2026, 11))]
    ['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']
    """

    name: str = attrs.field(validator=_check_name)
    rule: str = attrs.field(validator=_check_rule)
    start: dt.date = attrs.field(converter=_to_start_date, kw_only=True)
    days: int = attrs.field(default=1, validator=_check_days, kw_only=True)
    _rrule: rrule.rrule = attrs.field(init=False, eq=False, repr=False)
    _block_years: int | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        text = _rule_text(self.rule)
        fields = {}
        for part in text.upper().split(";"):
            key, _, value = part.partition("=")
            fields[key.strip()] = value.strip()
        if "\n" in text or ":" in text or "DTSTART" in fields:
            raise CalendarError(
                f"range {self.name!r}: rule must be a single RRULE without DTSTART "
                f"(give the start date as start=), not {self.rule!r}"
            )
        frequency = fields.get("FREQ")
        if frequency not in _FREQUENCIES:
            raise CalendarError(
                f"range {self.name!r}: the rule's FREQ must be one of "
                f"{', '.join(_FREQUENCIES)} (got {self.rule!r})"
            )
        if found := [key for key in _SUB_DAILY if key in fields]:
            raise CalendarError(
                f"range {self.name!r}: the rule must not divide days ({', '.join(found)}): "
                f"a calendar is made of whole days (got {self.rule!r})"
            )
        interval = _whole(fields, "INTERVAL", self.name, self.rule, MAX_INTERVAL) or 1
        count = _whole(fields, "COUNT", self.name, self.rule, MAX_COUNT)
        dtstart = dt.datetime.combine(self.start, dt.time())
        try:
            parsed = rrule.rrulestr(text, dtstart=dtstart, cache=True)
        except (ValueError, TypeError, OverflowError) as error:
            raise CalendarError(
                f"range {self.name!r}: not a valid RRULE {self.rule!r}: {error}"
            ) from None
        assert isinstance(parsed, rrule.rrule)  # a single rule without forceset
        # a rule without COUNT repeats after a whole number of 400-year blocks: it can
        # be iterated from the block before a priced period instead of from its start
        units = _UNITS_PER_BLOCK[frequency]
        block = None if count else _HORIZON_YEARS * (math.lcm(interval, units) // units)
        object.__setattr__(self, "_rrule", parsed)
        object.__setattr__(self, "_block_years", block)
        years = min(HORIZON_YEARS[frequency] * interval, _HORIZON_YEARS)
        period = _HORIZON_YEARS * (math.lcm(interval, units) // units)
        if self._probe(parsed, period, years) is None:
            raise CalendarError(
                f"range {self.name!r}: rule {self.rule!r} never occurs "
                f"(within {years} years of {self.start})"
            )

    def _probe(self, parsed: rrule.rrule, period: int, years: int) -> dt.datetime | None:
        """The first occurrence within ``years`` of ``start``, or ``None``.

        dateutil looks for a rule without occurrences up to the year 9999 whatever its
        ``UNTIL``; the rule repeats after ``period`` years, so it is searched from the
        same point of its repetition closest before 9999 minus ``years`` instead.
        """
        shift = max(0, (dt.MAXYEAR - years - self.start.year) // period) * period
        # a whole number of 400-year blocks: 29 February stays a leap day
        moved = self.start.replace(year=self.start.year + shift)
        dtstart = dt.datetime.combine(moved, dt.time())
        horizon = dt.datetime.combine(_years_after(moved, years), dt.time.max)
        until: dt.datetime | None = getattr(parsed, "_until", None)
        if until is not None and shift:
            until = until.replace(year=min(until.year + shift, dt.MAXYEAR))
        probe = parsed.replace(
            dtstart=dtstart, count=None, until=horizon if until is None else min(until, horizon)
        )
        return probe.after(dtstart, inc=True)

    def _rule_from(self, since: dt.date) -> rrule.rrule:
        """The rule, started as late as it can be and still give the same occurrences
        from ``since`` on: iterating from a start centuries earlier costs time.
        """
        if self._block_years is None or since.year - self.start.year <= self._block_years:
            return self._rrule
        blocks = (since.year - self.start.year - 1) // self._block_years
        later = self.start.replace(year=self.start.year + blocks * self._block_years)
        return self._rrule.replace(dtstart=dt.datetime.combine(later, dt.time()))

    def days_in(self, period: Period) -> tuple[dt.date, ...]:
        """The days of every occurrence inside ``period``, in order."""
        length = dt.timedelta(days=self.days - 1)
        earliest = period.start - min(length, period.start - dt.date.min)
        since = max(earliest, self.start)
        until = dt.datetime.combine(period.last_day, dt.time.max)
        days: set[dt.date] = set()
        for occurrence in self._rule_from(since).between(
            dt.datetime.combine(since, dt.time()), until, inc=True
        ):
            first = occurrence.date()
            last = first + min(length, dt.date.max - first)
            days.update(_span(first, last, period))
        return tuple(sorted(days))

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.days} day(s) from each {_rule_text(self.rule)} since {self.start}"
        )


CalendarRange = DateRange | YearlyRange | RuleRange
"""One named range of a :class:`Calendar`."""

_RANGE_TYPES = (DateRange, YearlyRange, RuleRange)


def _to_ranges(value: object) -> tuple[CalendarRange, ...]:
    if isinstance(value, _RANGE_TYPES):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"a calendar takes a list of ranges, not {value!r}")
    ranges = tuple(value)
    for index, item in enumerate(ranges):
        if not isinstance(item, _RANGE_TYPES):
            raise InvalidTypeError(
                f"ranges[{index}] must be a DateRange, YearlyRange or RuleRange, not {item!r}"
            )
    if not ranges:
        raise CalendarError("a calendar needs at least one range")
    return ranges


@attrs.frozen
class Calendar:
    """An ordered collection of named ranges of days; a day in two ranges counts once.

    Several ranges may share a name (a trial split over two spans): they form one
    named range. When ranges overlap, a day belongs to the first range, in calendar
    order, that contains it (see :meth:`days_by_name`).

    >>> peaks = Calendar(
    ...     [YearlyRange("Double 11", "11-01", "11-11"), YearlyRange("Double 12", "12-01", "12-12")]
    ... )
    >>> len(peaks.days_in(Period.year(2026)))
    23
    >>> peaks.names_on(dt.date(2026, 12, 12)), dt.date(2026, 12, 13) in peaks
    (('Double 12',), False)
    """

    ranges: tuple[CalendarRange, ...] = attrs.field(converter=_to_ranges)

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct range names, in calendar order."""
        return tuple(dict.fromkeys(item.name for item in self.ranges))

    def days_in(self, period: Period) -> tuple[dt.date, ...]:
        """Every day of ``period`` in at least one range, in order, each once."""
        days: set[dt.date] = set()
        for item in self.ranges:
            days.update(item.days_in(period))
        return tuple(sorted(days))

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls in any range."""
        return bool(self.names_on(day))

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return isinstance(day, dt.date) and self.contains(day)

    def names_on(self, day: dt.date) -> tuple[str, ...]:
        """The names of the ranges ``day`` falls in, in calendar order, each once."""
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise InvalidTypeError(f"day must be a date, not {day!r}")
        only = Period.day(day)
        return tuple(dict.fromkeys(item.name for item in self.ranges if item.days_in(only)))

    def days_by_name(self, period: Period) -> tuple[tuple[str, tuple[dt.date, ...]], ...]:
        """The days of ``period`` grouped by range name, each day under the first range
        (in calendar order) that contains it; names without days are left out.

        >>> cal = Calendar(
        ...     [
        ...         DateRange("Launch", "2026-11-09", "2026-11-15"),
        ...         YearlyRange("Double 11", "11-01", "11-11"),
        ...     ]
        ... )
        >>> for name, days in cal.days_by_name(Period.month(2026, 11)):
        ...     print(name, days[0], days[-1], len(days))
        Launch 2026-11-09 2026-11-15 7
        Double 11 2026-11-01 2026-11-08 8
        """
        taken: set[dt.date] = set()
        grouped: dict[str, list[dt.date]] = {}
        for item in self.ranges:
            fresh = [day for day in item.days_in(period) if day not in taken]
            taken.update(fresh)
            if fresh:
                grouped.setdefault(item.name, []).extend(fresh)
        return tuple((name, tuple(sorted(days))) for name, days in grouped.items())

    def __str__(self) -> str:
        return "; ".join(str(item) for item in self.ranges)
