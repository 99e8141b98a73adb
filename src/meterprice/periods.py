"""Billing periods, billing cycles and proration by days.

A :class:`Period` is a half-open range of dates ``[start, end)``: November 2026 is
``Period(date(2026, 11, 1), date(2026, 12, 1))`` and has 30 days. A :class:`Cycle`
cuts time into consecutive periods (monthly on an anchor day, weekly, ...). A
:class:`Window` is the possibly open-ended range in which a component is active.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from fractions import Fraction
from typing import Literal

import attrs
from dateutil.relativedelta import relativedelta

from meterprice.errors import InvalidTypeError, PeriodError

__all__ = ["MAX_INTERVAL", "Cycle", "CycleUnit", "Period", "Window", "proration"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE | re.ASCII)


def _to_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise InvalidTypeError(f"a period bound must be a date, not a datetime ({value!r})")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PeriodError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None
    raise InvalidTypeError(f"a period bound must be a date or an ISO date string, not {value!r}")


_EDGE = "outside the calendar (a period lies within 0001-01-01 .. 9999-12-31, its end excluded)"


def _after(day: dt.date, *, days: int = 0, months: int = 0) -> dt.date:
    """``day`` moved by ``days`` and ``months``, or :class:`ValueError` past the calendar."""
    try:
        return day + relativedelta(months=months) + dt.timedelta(days=days)
    except (OverflowError, ValueError):
        raise PeriodError(f"{day} moved by {months} months and {days} days is {_EDGE}") from None


def _to_optional_date(value: object) -> dt.date | None:
    return None if value is None else _to_date(value)


def _first_of(year: int, month: int) -> dt.date:
    if type(year) is not int or not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise PeriodError(f"year must be {dt.MINYEAR} to {dt.MAXYEAR} (got {year!r})")
    return dt.date(year, month, 1)


@attrs.frozen(order=True)
class Period:
    """A half-open range of dates ``[start, end)``, at least one day long.

    >>> nov = Period.month(2026, 11)
    >>> nov.days, str(nov)
    (30, '2026-11')
    >>> dt.date(2026, 11, 30) in nov, dt.date(2026, 12, 1) in nov
    (True, False)
    """

    start: dt.date = attrs.field(converter=_to_date)
    end: dt.date = attrs.field(converter=_to_date)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError(
                f"a period must end after it starts (got start={self.start}, end={self.end})"
            )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year-month``."""
        if not 1 <= month <= 12:
            raise PeriodError(f"month must be 1 to 12 (got {month!r})")
        start = _first_of(year, month)
        return cls(start, _after(start, months=1))

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year."""
        start = _first_of(year, 1)
        return cls(start, _after(start, months=12))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Calendar quarter 1 to 4 of ``year``."""
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(f"quarter must be 1 to 4 (got {quarter!r})")
        start = _first_of(year, 3 * quarter - 2)
        return cls(start, _after(start, months=3))

    @classmethod
    def day(cls, day: dt.date) -> Period:
        """The single day ``day``."""
        return cls(day, _after(day, days=1))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2026-11`` (a month), ``2026-Q4``, ``2026``, ``2026-11-05`` (a day) or
        ``2026-11-01..2026-11-16`` (half-open range).
        """
        if not isinstance(text, str):
            raise InvalidTypeError(f"a period must be written as a string, not {text!r}")
        value = text.strip()
        if match := _MONTH.match(value):
            return cls.month(int(match[1]), int(match[2]))
        if match := _QUARTER.match(value):
            return cls.quarter(int(match[1]), int(match[2]))
        if match := _YEAR.match(value):
            return cls.year(int(match[1]))
        if _DAY.match(value):
            return cls.day(_to_date(value))
        if match := _RANGE.match(value):
            return cls(match[1], match[2])
        raise PeriodError(
            f"not a period: {text!r} (expected YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD "
            "or YYYY-MM-DD..YYYY-MM-DD)"
        )

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        """The last day inside the period (``end`` is excluded)."""
        return self.end - dt.timedelta(days=1)  # end > start >= date.min

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            return False
        return self.start <= day < self.end

    def overlap(self, other: Period | Window) -> Period | None:
        """The days both ranges share, or ``None``."""
        start = self.start if other.start is None else max(self.start, other.start)
        end = self.end if other.end is None else min(self.end, other.end)
        return Period(start, end) if start < end else None

    def dates(self) -> Iterator[dt.date]:
        """Every day of the period, in order."""
        for offset in range(self.days):
            yield self.start + dt.timedelta(days=offset)

    def is_month(self) -> bool:
        """Whether this is exactly one calendar month."""
        return self.start.day == 1 and self.end == self.start + relativedelta(months=1)

    def __str__(self) -> str:
        if self.is_month():
            return self.start.isoformat()[:7]  # "%Y" writes year 1 as "1"
        if self.start.month == 1 and self.start.day == 1 and self == Period.year(self.start.year):
            return f"{self.start.year:04}"
        if self.start.day == 1 and self.start.month % 3 == 1:
            quarter = (self.start.month + 2) // 3
            if self == Period.quarter(self.start.year, quarter):
                return f"{self.start.year:04}-Q{quarter}"
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@attrs.frozen
class Window:
    """A possibly open-ended half-open date range ``[start, end)`` in which something applies.

    ``Window(start=date(2026, 11, 16))`` is active from go-live on 16 November onwards.
    """

    start: dt.date | None = attrs.field(default=None, converter=_to_optional_date)
    end: dt.date | None = attrs.field(default=None, converter=_to_optional_date)

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise PeriodError(
                f"a window must end after it starts (got start={self.start}, end={self.end})"
            )

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def within(self, period: Period) -> Period | None:
        """The part of ``period`` inside this window, or ``None``."""
        return period.overlap(self)

    def covers(self, period: Period) -> bool:
        """Whether the whole of ``period`` lies inside this window."""
        return self.within(period) == period

    def __str__(self) -> str:
        start = self.start.isoformat() if self.start else "..."
        end = self.end.isoformat() if self.end else "..."
        return f"[{start}, {end})"


def proration(part: Period | None, whole: Period) -> Fraction:
    """The exact share of ``whole``'s days that ``part`` covers (0 to 1).

    >>> proration(Period(dt.date(2026, 11, 16), dt.date(2026, 12, 1)), Period.month(2026, 11))
    Fraction(1, 2)
    """
    if part is None:
        return Fraction(0)
    inside = part.overlap(whole)
    return Fraction(inside.days if inside else 0, whole.days)


#: Largest interval of a cycle (a thousand years, at most, between two invoices).
MAX_INTERVAL = 1000

CycleUnit = Literal["day", "week", "month", "quarter", "year", "semimonth"]

_MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}
_DAYS_PER_UNIT = {"day": 1, "week": 7}


@attrs.frozen
class Cycle:
    """Consecutive billing periods of ``interval`` units starting at ``anchor``.

    Months are counted from the anchor with :class:`~dateutil.relativedelta.relativedelta`,
    so an anchor on the 31st gives periods starting on the 31st, or on the last day of
    shorter months, and never skips a month.

    >>> cycle = Cycle.monthly(anchor_day=31)
    >>> [str(p) for p in cycle.periods(dt.date(2026, 1, 31), dt.date(2026, 4, 30))]
    ['2026-01-31..2026-02-28', '2026-02-28..2026-03-31', '2026-03-31..2026-04-30']
    """

    unit: CycleUnit = attrs.field(
        validator=attrs.validators.in_(("day", "week", "month", "quarter", "year", "semimonth"))
    )
    anchor: dt.date = attrs.field(default=dt.date(2000, 1, 1), converter=_to_date)
    interval: int = attrs.field(default=1)

    @interval.validator
    def _check_interval(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_INTERVAL:
            raise PeriodError(
                f"interval must be a whole number from 1 to {MAX_INTERVAL} (got {value!r})"
            )

    def __attrs_post_init__(self) -> None:
        if self.unit == "semimonth":
            if self.interval != 1:
                raise PeriodError(
                    f"a semi-monthly cycle has two periods in every month: interval must be 1 "
                    f"(got {self.interval})"
                )
            if not 2 <= self.anchor.day <= 28:
                raise PeriodError(
                    "the second half of a semi-monthly cycle starts on day 2 to 28 of every "
                    f"month (got {self.anchor.day})"
                )
            # only the day matters: the same cycle whatever month the anchor names
            object.__setattr__(self, "anchor", dt.date(2000, 1, self.anchor.day))

    @classmethod
    def semimonthly(cls, second_half: int = 16) -> Cycle:
        """Two periods in every calendar month: the 1st to the day before
        ``second_half`` (the 1st-15th by default) and ``second_half`` to the month's
        end, pinned to the calendar rather than drifting by a number of days.

        >>> [str(p) for p in Cycle.semimonthly().periods(dt.date(2026, 2, 1), dt.date(2026, 3, 1))]
        ['2026-02-01..2026-02-16', '2026-02-16..2026-03-01']
        """
        if type(second_half) is not int or not 2 <= second_half <= 28:
            raise PeriodError(f"second_half must be a day from 2 to 28 (got {second_half!r})")
        return cls("semimonth", dt.date(2000, 1, second_half))

    @classmethod
    def monthly(cls, anchor_day: int = 1) -> Cycle:
        """Calendar-style months starting on ``anchor_day`` (1 to 31; clamps to month end)."""
        if not 1 <= anchor_day <= 31:
            raise PeriodError(f"anchor_day must be 1 to 31 (got {anchor_day!r})")
        return cls("month", dt.date(2000, 1, anchor_day))

    @classmethod
    def weekly(cls, weekday: int = 0) -> Cycle:
        """Weeks starting on ``weekday`` (0 = Monday ... 6 = Sunday)."""
        if not 0 <= weekday <= 6:
            raise PeriodError(f"weekday must be 0 (Monday) to 6 (Sunday) (got {weekday!r})")
        return cls("week", dt.date(2000, 1, 3) + dt.timedelta(days=weekday))  # a Monday

    @classmethod
    def daily(cls) -> Cycle:
        """One period per day."""
        return cls("day")

    @classmethod
    def quarterly(cls, start_month: int = 1) -> Cycle:
        """Quarters whose first starts in ``start_month``."""
        if not 1 <= start_month <= 12:
            raise PeriodError(f"start_month must be 1 to 12 (got {start_month!r})")
        return cls("quarter", dt.date(2000, start_month, 1))

    @classmethod
    def yearly(cls, month: int = 1, day: int = 1) -> Cycle:
        """Years starting on ``month``/``day`` (29 February starts on 28 February in
        common years).
        """
        try:
            anchor = dt.date(2000, month, day)  # a leap year: 29 February is allowed
        except ValueError:
            raise PeriodError(f"not a day of the year: month={month!r}, day={day!r}") from None
        return cls("year", anchor)

    def __str__(self) -> str:
        anchor = self.anchor
        start = {
            "day": "",
            "week": f" from {anchor:%A}s",
            "month": "" if anchor.day == 1 else f" from day {anchor.day}",
            "quarter": "" if anchor.month == 1 else f" from {anchor:%B}",
            "year": ""
            if (anchor.month, anchor.day) == (1, 1)
            else f" from {anchor.day} {anchor:%B}",
            "semimonth": "",
        }[self.unit]
        if self.unit == "semimonth":
            return f"semi-monthly (days 1-{anchor.day - 1} and {anchor.day}-end)"
        if self.interval == 1:
            every = {"day": "daily", "week": "weekly", "month": "monthly"}
            every |= {"quarter": "quarterly", "year": "yearly"}
            return every[self.unit] + start
        return f"every {self.interval} {self.unit}s{start}"

    def _start(self, index: int) -> dt.date:
        if self.unit == "semimonth":
            months, half = divmod(index, 2)
            first = _after(self.anchor.replace(day=1), months=months)
            return first.replace(day=self.anchor.day) if half else first
        if self.unit in _DAYS_PER_UNIT:
            return _after(self.anchor, days=index * self.interval * _DAYS_PER_UNIT[self.unit])
        return _after(self.anchor, months=index * self.interval * _MONTHS_PER_UNIT[self.unit])

    def _index(self, day: dt.date) -> int:
        """The index of the period containing ``day``."""
        if self.unit == "semimonth":
            months = (day.year - self.anchor.year) * 12 + (day.month - self.anchor.month)
            return 2 * months + (day.day >= self.anchor.day)
        if self.unit in _DAYS_PER_UNIT:
            length = self.interval * _DAYS_PER_UNIT[self.unit]
            return (day - self.anchor).days // length
        step = self.interval * _MONTHS_PER_UNIT[self.unit]
        months = (day.year - self.anchor.year) * 12 + (day.month - self.anchor.month)
        index = months // step
        # the period of index ``months // step`` starts in ``day``'s month or earlier and
        # the next one in a later month; only a start clamped later in the same month
        # (an anchor on the 31st) can lie after ``day``
        while self._start(index) > day:
            index -= 1
        return index

    def period_of(self, day: dt.date) -> Period:
        """The billing period containing ``day``."""
        index = self._index(day)
        return Period(self._start(index), self._start(index + 1))

    def next(self, period: Period) -> Period:
        """The period after ``period`` (which must be one of this cycle's)."""
        return self.period_of(period.end)

    def previous(self, period: Period) -> Period:
        """The period before ``period`` (which must be one of this cycle's)."""
        return self.period_of(_after(period.start, days=-1))

    def periods(self, start: dt.date, end: dt.date) -> Iterator[Period]:
        """Every period of the cycle that overlaps ``[start, end)``, in order."""
        start, end = _to_date(start), _to_date(end)
        if end <= start:
            return
        index = self._index(start)
        while (begin := self._start(index)) < end:
            yield Period(begin, self._start(index + 1))
            index += 1
