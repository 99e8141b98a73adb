"""Seats by role: a recurring fee per agent that depends on the agent's role or shift.

The seeds' "fixed mode" charges a monthly fee per agent by nature of the work
(pre-sales 2,600, after-sales 2,300, early-morning 3,000 CNY per agent-month).
:class:`Seats` takes the number of agents of each role either from usage (a capacity
metric whose meter keeps the latest or the largest count) or from a dated schedule of
:class:`SeatChange` values, which is prorated exactly by days: an agent joining on the
16th of a 30-day month pays 15/30 of the monthly fee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    fmt_quantity,
    to_date,
    to_positive,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.money import Money, to_money
from meterprice.periods import Period

__all__ = ["SeatChange", "Seats"]


def _to_count(value: object) -> Decimal:
    return to_positive(value, "count", allow_zero=True)


def _check_role(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


@attrs.frozen(order=True)
class SeatChange:
    """From the date ``on``, the contract has ``count`` seats of ``role``.

    Each change sets the level of its role until the next change of the same role;
    before a role's first change it has no seats. ``count`` may be fractional (a
    half-time agent) but never negative.

    >>> SeatChange("2026-11-16", "pre-sales", 4)
    SeatChange(on=datetime.date(2026, 11, 16), role='pre-sales', count=Decimal('4'))
    """

    on: dt.date = attrs.field(converter=to_date)
    role: str = attrs.field(validator=_check_role)
    count: Decimal = attrs.field(converter=_to_count)


def _to_fees(value: object) -> tuple[tuple[str, Money], ...]:
    if isinstance(value, Mapping):
        pairs: list[object] = list(value.items())
    elif isinstance(value, (list, tuple)):
        pairs = list(value)
    else:
        raise InvalidTypeError(f"fees must be a mapping of roles to fees per seat, not {value!r}")
    table: dict[str, Money] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidTypeError(f"fees entries must be (role, fee) pairs, not {pair!r}")
        role, fee = pair
        if not isinstance(role, str) or not role:
            raise InvalidTypeError(f"fees must be keyed by non-empty role names, not {role!r}")
        if role in table:
            raise ContractError(f"fees has the role {role!r} twice")
        table[role] = to_money(fee, what=f"fees[{role!r}]")
    if not table:
        raise ContractError("fees must name at least one role")
    return tuple(sorted(table.items()))


def _to_schedule(value: object) -> tuple[SeatChange, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"schedule must be a list of SeatChange, not {value!r}")
    changes = []
    for index, item in enumerate(value):
        if isinstance(item, SeatChange):
            changes.append(item)
        elif isinstance(item, tuple) and len(item) == 3:
            changes.append(SeatChange(*item))
        else:
            raise InvalidTypeError(
                f"schedule[{index}] must be a SeatChange or an (on, role, count) tuple, "
                f"not {item!r}"
            )
    return tuple(sorted(changes))


def _optional_metric(
    instance: object, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidTypeError(
            f"{attribute.name} must be a non-empty metric name or None, not {value!r}"
        )


def _seats(count: Fraction | Decimal, unit: str) -> str:
    return f"{fmt_quantity(count)} {unit}{'' if count == 1 else 's'}"


@attrs.frozen
class Seats(Component):
    """A fee per seat and billing period, by role (or shift).

    ``fees`` maps each role to the fee of one seat for a whole period. The number of
    seats comes either

    * from usage: ``metric`` grouped by the dimension ``by`` (``"role"`` unless told);
      its :class:`~meterprice.Meter` decides what the count is (``"latest"`` for the
      seats at the end of the period, ``"max"`` for the peak). When the component is
      active for part of the period the fee is prorated by days unless ``prorate`` is
      false; or
    * from ``schedule``: dated :class:`SeatChange` values. Each role is charged for
      its seat-days in the active part of the period, divided by the period's days,
      so a change on any day is prorated exactly and splitting a period never changes
      the total.

    Each role with seats gets one line. A role in the usage without a fee is a
    :class:`~meterprice.errors.PricingError`; a role in the schedule without a fee is
    refused when the component is built.

    >>> agents = Seats(
    ...     "Agents",
    ...     fees={"pre-sales": "2600.00 CNY", "after-sales": "2300.00 CNY"},
    ...     schedule=[
    ...         SeatChange("2026-11-01", "after-sales", 2),
    ...         SeatChange("2026-11-16", "after-sales", 3),
    ...     ],
    ...     unit="agent",
    ... )
    >>> (line,) = Contract("Shop", "CNY", [agents]).invoice({}, "2026-11").lines
    >>> for part in line.basis.split(" + "):
    ...     print(part)
    2 agents x 15 days (2026-11-01..2026-11-16)
    3 agents x 15 days (2026-11-16..2026-12-01) = 75 agent-days / 30 days x 2300.00 CNY
    >>> line.amount  # 75 / 30 x 2300.00
    Money('5750.00', 'CNY')
    """

    fees: tuple[tuple[str, Money], ...] = attrs.field(kw_only=True, converter=_to_fees)
    metric: str | None = attrs.field(default=None, kw_only=True, validator=_optional_metric)
    by: str = attrs.field(default="role", kw_only=True, validator=_check_role)
    schedule: tuple[SeatChange, ...] | None = attrs.field(
        default=None, kw_only=True, converter=_to_schedule
    )
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    prorate: bool = attrs.field(default=True, kw_only=True)
    unit: str = attrs.field(default="seat", kw_only=True, validator=_check_role)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if (self.metric is None) == (self.schedule is None):
            raise ContractError(
                f"component {self.name!r}: give either metric (seat counts from usage) or "
                "schedule (dated seat changes), exactly one of them"
            )
        if self.schedule is None:
            return
        if self.where:
            raise ContractError(
                f"component {self.name!r}: where filters usage, but the seats come from "
                "the schedule"
            )
        if not self.prorate:
            raise ContractError(
                f"component {self.name!r}: a schedule is always prorated by days; "
                "prorate=False applies to seat counts from usage only"
            )
        roles = dict(self.fees)
        unknown = sorted({change.role for change in self.schedule} - set(roles))
        if unknown:
            raise ContractError(
                f"component {self.name!r}: the schedule has seats of {', '.join(unknown)} "
                f"but fees prices only {', '.join(roles)}"
            )
        seen: set[tuple[dt.date, str]] = set()
        for change in self.schedule:
            if (change.on, change.role) in seen:
                raise ContractError(
                    f"component {self.name!r}: the schedule changes {change.role!r} twice "
                    f"on {change.on.isoformat()}"
                )
            seen.add((change.on, change.role))

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset() if self.metric is None else frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return () if self.metric is None else (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        return tuple((f"fees[{role!r}]", fee) for role, fee in self.fees)

    def segments(self, role: str, span: Period) -> tuple[tuple[Period, Decimal], ...]:
        """The scheduled seat counts of ``role`` during ``span``: ``(period, count)``
        pieces in order, leaving out the days without seats.

        >>> agents = Seats(
        ...     "Agents", fees={"qa": "900.00 EUR"}, schedule=[SeatChange("2026-11-10", "qa", 1)]
        ... )
        >>> [(str(days), count) for days, count in agents.segments("qa", Period.month(2026, 11))]
        [('2026-11-10..2026-12-01', Decimal('1'))]
        """
        changes = [change for change in self.schedule or () if change.role == role]
        pieces: list[tuple[Period, Decimal]] = []
        level, since = d.ZERO, span.start
        for change in changes:
            if change.on >= span.end:
                break
            if change.on > span.start:
                if level > 0 and change.count != level:
                    pieces.append((Period(since, change.on), level))
                if change.count != level:
                    since = change.on
            level = change.count
        if level > 0:
            pieces.append((Period(since, span.end), level))
        return tuple(pieces)

    def seat_days(self, role: str, span: Period) -> Fraction:
        """The scheduled seat-days of ``role`` in ``span`` (seats x days, summed)."""
        return sum(
            (Fraction(count) * days.days for days, count in self.segments(role, span)),
            Fraction(0),
        )

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        if self.schedule is None:
            return self._price_usage(ctx)
        label = self.description or self.name
        charges = []
        for role, fee in self.fees:
            pieces = self.segments(role, ctx.active)
            if not pieces:
                continue
            seat_days = self.seat_days(role, ctx.active)
            shown = " + ".join(
                f"{_seats(count, self.unit)} x {days.days} days ({days})" for days, count in pieces
            )
            if len(pieces) > 1 or pieces[0][1] != 1:
                shown += f" = {fmt_quantity(seat_days)} {self.unit}-days"
            charges.append(
                Charge(
                    description=f"{label} ({role})",
                    amount=seat_days * Fraction(fee.amount) / ctx.period.days,
                    basis=f"{shown} / {ctx.period.days} days x {fee}",
                    quantity=seat_days,
                    unit=f"{self.unit}-day",
                    tags=self.tags,
                )
            )
        return charges

    def _price_usage(self, ctx: PricingContext) -> Sequence[Charge]:
        assert self.metric is not None
        groups = ctx.usage.groups(self.metric, (self.by,), self.where)
        fees = dict(self.fees)
        counts: dict[str, Fraction] = {}
        problems: list[str] = []
        for dims, count in sorted(groups.items()):
            if count == 0:
                continue
            role = dims.get(self.by)
            if role is None:
                problems.append(f"{fmt_quantity(count)} {self.unit}(s) without a {self.by!r}")
            elif count < 0:
                problems.append(f"a negative count for {role!r} ({fmt_quantity(count)})")
            elif role not in fees:
                problems.append(
                    f"{fmt_quantity(count)} {self.unit}(s) of {role!r}, which has no fee"
                )
            else:
                counts[role] = count
        if problems:
            raise PricingError(
                f"component {self.name!r} cannot price the seats in {self.metric!r}: "
                f"{'; '.join(problems)} (fees price {', '.join(fees)})"
            )
        label = self.description or self.name
        charges = []
        for role, fee in self.fees:
            if role not in counts:
                continue
            count = counts[role]
            amount = count * Fraction(fee.amount)
            basis = f"{_seats(count, self.unit)} x {fee}"
            if ctx.is_partial and self.prorate:
                amount *= ctx.share
                basis += f" x {ctx.active.days}/{ctx.period.days} days (active {ctx.active})"
            charges.append(
                Charge(
                    description=f"{label} ({role})",
                    amount=amount,
                    basis=basis,
                    quantity=count,
                    unit=self.unit,
                    unit_price=fee.amount,
                    tags=self.tags,
                    dimensions={self.by: role},
                )
            )
        return charges
