"""Service-level credits and bonuses (bonus/malus): key performance figures per period
mapped by bands to a credit or a bonus, with the total at risk capped.

Each :class:`Kpi` is a figure of the period: measured from usage (a share meter's
service level, a mean meter's average speed of answer, the ratio of two counts) or
given as a value (a customer-satisfaction score from a survey). Its
:class:`CreditBand` values say, for a figure on the worse side of a threshold, what
the provider credits (a percentage of the fees of the lines tagged ``of``, a fixed
amount, or both), and for one on the better side, what bonus it earns. A figure in
several bands takes the largest credit (or bonus) of them, so a better figure never
gives a larger credit nor a smaller bonus.

The credits of all figures together are capped (``cap_percent`` of the fees, a fixed
``cap``, or the smaller of both): each figure's credit is its own line, and when
their rounded sum exceeds the rounded cap one more line gives the excess back, so the
net credit is never more than the cap, to the cent. Bonuses are capped the same way.

Earn-back is a rule over a sequence of periods, so it is not priced with one invoice:
:func:`earn_back` takes the invoices of consecutive periods and gives each credit
back when the periods after it all meet every target.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from meterprice import _decimal as d
from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    describe_tags,
    fmt_quantity,
    to_reading_tags,
    to_tags,
)
from meterprice.dimensions import Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import Invoice, Line
from meterprice.metering import parse_condition
from meterprice.money import Money, to_money
from meterprice.usage import Usage

__all__ = ["BONUS_TAG", "CREDIT_TAG", "CreditBand", "Kpi", "ServiceCredits", "earn_back"]

#: The tag of every credit line (and of the cap and relief lines of the credits).
CREDIT_TAG = "service-credit"
#: The tag of every bonus line (and of the cap line of the bonuses).
BONUS_TAG = "service-bonus"
#: The tag of the lines :func:`earn_back` adds.
EARN_BACK_TAG = "service-earn-back"

_COMPARE = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}


def _percent_or_none(value: object) -> Decimal | None:
    if value is None:
        return None
    number = d.to_decimal(value, what="percent")
    if number <= 0:
        raise ContractError(f"a percentage must be positive (got {value!r})")
    return number


def _money_or_none(value: object) -> Money | None:
    if value is None:
        return None
    money = to_money(value, what="amount")
    if money.amount <= 0:
        raise ContractError(f"an amount must be positive (got {money})")
    return money


def _to_when(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(f"when must be a comparison such as '< 80', not {value!r}")
    op, bound = parse_condition(value)
    if op not in _COMPARE:
        raise ContractError(f"when must compare with <, <=, > or >= (got {value!r})")
    return f"{op} {d.to_text(bound)}"


@attrs.frozen
class CreditBand:
    """One band of a figure: when the figure meets ``when`` (``"< 80"``), the provider
    credits ``credit_percent`` of the fees and/or the fixed ``credit``, or earns
    ``bonus_percent`` and/or ``bonus``.

    >>> CreditBand("< 80", credit_percent="5").kind
    'credit'
    """

    when: str = attrs.field(converter=_to_when)
    credit_percent: Decimal | None = attrs.field(
        default=None, converter=_percent_or_none, kw_only=True
    )
    credit: Money | None = attrs.field(default=None, converter=_money_or_none, kw_only=True)
    bonus_percent: Decimal | None = attrs.field(
        default=None, converter=_percent_or_none, kw_only=True
    )
    bonus: Money | None = attrs.field(default=None, converter=_money_or_none, kw_only=True)

    def __attrs_post_init__(self) -> None:
        credit = self.credit_percent is not None or self.credit is not None
        bonus = self.bonus_percent is not None or self.bonus is not None
        if credit == bonus:
            raise ContractError(
                f"the band when {self.when!r} must give either a credit (credit_percent, "
                "credit) or a bonus (bonus_percent, bonus)" + (", not both" if credit else "")
            )

    @property
    def kind(self) -> Literal["credit", "bonus"]:
        """Whether the band gives a credit or a bonus."""
        return "credit" if self.credit_percent is not None or self.credit is not None else "bonus"

    @property
    def comparison(self) -> tuple[str, Fraction]:
        """The band's comparison and its exact bound."""
        op, bound = parse_condition(self.when)
        return op, Fraction(bound)

    def applies(self, figure: Fraction) -> bool:
        """Whether ``figure`` falls in this band."""
        op, bound = self.comparison
        return bool(_COMPARE[op](figure, bound))

    @property
    def percent(self) -> Fraction:
        """The band's percentage of the fees (0 when it has none)."""
        value = self.credit_percent if self.kind == "credit" else self.bonus_percent
        return Fraction(0) if value is None else Fraction(value)

    @property
    def amount(self) -> Fraction:
        """The band's fixed amount (0 when it has none)."""
        value = self.credit if self.kind == "credit" else self.bonus
        return Fraction(0) if value is None else Fraction(value.amount)


def _to_bands(value: object) -> tuple[CreditBand, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidTypeError(f"bands must be a list of CreditBand, not {value!r}")
    bands = tuple(value)
    if not bands:
        raise ContractError("bands must list at least one band")
    for index, band in enumerate(bands):
        if not isinstance(band, CreditBand):
            raise InvalidTypeError(f"bands[{index}] is not a CreditBand: {band!r}")
    return bands


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else d.to_decimal(value, what="value")


def _optional_metric(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidTypeError(f"a metric must be a non-empty string, not {value!r}")
    return value


@attrs.frozen
class Kpi:
    """A key performance figure of the period and the bands that price it.

    The figure is ``value`` when given; otherwise it is read from the usage of
    ``metric`` selected by ``where`` (a mean or share pooled over its events, any other
    metric summed) and, with ``ratio_of``, divided by the usage of that metric (the
    ratio of two counts). With ``percent`` the figure is a share shown and compared as
    a percentage (0.8 is 80). ``better`` says which way is better: ``"higher"`` for a
    service level, ``"lower"`` for an average speed of answer. Credit bands must lie on
    the worse side of their threshold and bonus bands on the better side.

    >>> Kpi(
    ...     "Service level",
    ...     metric="answered_in_20s",
    ...     percent=True,
    ...     better="higher",
    ...     bands=[CreditBand("< 80", credit_percent="2")],
    ... ).source
    'answered_in_20s x 100'
    """

    name: str = attrs.field()
    better: Literal["higher", "lower"] = attrs.field(
        kw_only=True, validator=attrs.validators.in_(("higher", "lower"))
    )
    bands: tuple[CreditBand, ...] = attrs.field(kw_only=True, converter=_to_bands)
    metric: str | None = attrs.field(default=None, kw_only=True, converter=_optional_metric)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    ratio_of: str | None = attrs.field(default=None, kw_only=True, converter=_optional_metric)
    value: Decimal | None = attrs.field(default=None, kw_only=True, converter=_optional_decimal)
    percent: bool = attrs.field(default=False, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    unmeasured: Literal["error", "no_credit"] = attrs.field(
        default="error", kw_only=True, validator=attrs.validators.in_(("error", "no_credit"))
    )

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidTypeError(f"a figure's name must be a non-empty string, not {value!r}")

    def __attrs_post_init__(self) -> None:
        if (self.metric is None) == (self.value is None):
            raise ContractError(
                f"figure {self.name!r}: give either metric (measured from usage) or value "
                "(given), not " + ("both" if self.metric is not None else "neither")
            )
        if self.ratio_of is not None and self.metric is None:
            raise ContractError(f"figure {self.name!r}: ratio_of needs a metric to divide")
        worse = ("<", "<=") if self.better == "higher" else (">", ">=")
        for index, band in enumerate(self.bands):
            op, _ = band.comparison
            if (op in worse) != (band.kind == "credit"):
                side = "worse" if band.kind == "credit" else "better"
                raise ContractError(
                    f"bands[{index}]: a {band.kind} band must be on the {side} side of its "
                    f"threshold, but {self.better} is better and it says when {band.when!r}"
                )

    @property
    def metrics(self) -> frozenset[str]:
        """The usage metrics the figure reads."""
        return frozenset(m for m in (self.metric, self.ratio_of) if m is not None)

    @property
    def source(self) -> str:
        """Where the figure comes from, for explanations."""
        if self.value is not None:
            return "given"
        text = str(self.metric)
        if self.where:
            text += f" [{self.where}]"
        if self.ratio_of is not None:
            text += f" / {self.ratio_of}" + (f" [{self.where}]" if self.where else "")
        return text + (" x 100" if self.percent else "")

    def figure(self, usage: Usage) -> Fraction | None:
        """The exact figure of the period, or ``None`` when there is nothing to measure
        (no events of a mean or share, a ratio of a zero count).
        """
        if self.value is not None:
            return Fraction(self.value)
        assert self.metric is not None
        if self.ratio_of is not None:
            below = usage.exact(self.ratio_of, self.where)
            if below == 0:
                return None
            found: Fraction | None = usage.exact(self.metric, self.where) / below
        else:
            found = usage.figure(self.metric, self.where)
        if found is None:
            return None
        return found * 100 if self.percent else found

    def show(self, figure: Fraction) -> str:
        """``figure`` as text with its unit."""
        shown = fmt_quantity(figure) if _terminates(figure) else f"{_cut(figure)}..."
        return shown + (" %" if self.percent else f" {self.unit}" if self.unit else "")

    def result(self, figure: Fraction) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """``(credit percent, credit amount, bonus percent, bonus amount)`` for
        ``figure``: the largest of each among the bands it falls in.
        """
        out = [Fraction(0)] * 4
        for band in self.bands:
            if band.applies(figure):
                at = 0 if band.kind == "credit" else 2
                out[at] = max(out[at], band.percent)
                out[at + 1] = max(out[at + 1], band.amount)
        return out[0], out[1], out[2], out[3]


def _terminates(value: Fraction) -> bool:
    den = value.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    return den == 1


def _cut(value: Fraction, places: int = 4) -> str:
    """``value`` cut (not rounded) to ``places`` decimals, for display only."""
    scale = 10**places
    cut = abs(value.numerator) * scale // value.denominator
    sign = "-" if value < 0 else ""
    return f"{sign}{Decimal(cut).scaleb(-places, d.EXACT):f}"


def _to_kpis(value: object) -> tuple[Kpi, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidTypeError(f"kpis must be a list of Kpi, not {value!r}")
    kpis = tuple(value)
    if not kpis:
        raise ContractError("kpis must list at least one figure")
    names: set[str] = set()
    for index, kpi in enumerate(kpis):
        if not isinstance(kpi, Kpi):
            raise InvalidTypeError(f"kpis[{index}] is not a Kpi: {kpi!r}")
        if kpi.name in names:
            raise ContractError(f"kpis[{index}]: the name {kpi.name!r} is used twice")
        names.add(kpi.name)
    return kpis


def _cap_percent(value: object) -> Decimal | None:
    return _percent_or_none(value)


def _earn_back_periods(value: object) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 1:
        raise ContractError(f"earn_back_periods must be a whole number of periods >= 1 ({value!r})")
    return value


def _earn_back_percent(value: object) -> Decimal:
    number = d.to_decimal(value, what="earn_back_percent")
    if not 0 < number <= 100:
        raise ContractError(f"earn_back_percent must be more than 0 and at most 100 ({value!r})")
    return number


@attrs.frozen
class ServiceCredits(Component):
    """Service-level credits and bonuses on the fees of the earlier lines tagged
    ``of``, one line per figure that falls in a band, the total credit capped at
    ``cap_percent`` of those fees and/or the fixed ``cap`` (the smaller applies), the
    total bonus likewise at ``bonus_cap_percent`` and/or ``bonus_cap``.

    When an earlier line carries one of the tags ``relieved_by`` (a forecast band the
    client's volume exceeded, say), the credits of the period are given back on one
    more line: the figures are shown, the provider owes nothing for them.
    ``earn_back_periods`` and ``earn_back_percent`` declare the earn-back that
    :func:`earn_back` applies over a sequence of invoices.

    >>> sla = ServiceCredits(
    ...     "Service credits",
    ...     of={"usage"},
    ...     cap_percent="10",
    ...     kpis=[
    ...         Kpi(
    ...             "Service level",
    ...             value="76",
    ...             better="higher",
    ...             bands=[CreditBand("< 80", credit_percent="5")],
    ...         )
    ...     ],
    ... )
    """

    kpis: tuple[Kpi, ...] = attrs.field(kw_only=True, converter=_to_kpis)
    of: frozenset[str] | None = attrs.field(default=None, converter=to_reading_tags, kw_only=True)
    cap_percent: Decimal | None = attrs.field(default=None, converter=_cap_percent, kw_only=True)
    cap: Money | None = attrs.field(default=None, converter=_money_or_none, kw_only=True)
    bonus_cap_percent: Decimal | None = attrs.field(
        default=None, converter=_cap_percent, kw_only=True
    )
    bonus_cap: Money | None = attrs.field(default=None, converter=_money_or_none, kw_only=True)
    relieved_by: frozenset[str] = attrs.field(default=frozenset(), converter=to_tags, kw_only=True)
    earn_back_periods: int | None = attrs.field(
        default=None, converter=_earn_back_periods, kw_only=True
    )
    earn_back_percent: Decimal = attrs.field(
        default=Decimal(100), converter=_earn_back_percent, kw_only=True
    )
    description: str | None = attrs.field(default=None, kw_only=True)

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset().union(*(kpi.metrics for kpi in self.kpis))

    @property
    def filters(self) -> tuple[Where, ...]:
        return tuple(kpi.where for kpi in self.kpis if kpi.metric is not None)

    @property
    def reads_tags(self) -> frozenset[str] | None:
        if self.of is None:
            return None
        return self.of | self.relieved_by

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        found: list[tuple[str, Money]] = []
        for name in ("cap", "bonus_cap"):
            money = getattr(self, name)
            if money is not None:
                found.append((name, money))
        for k, kpi in enumerate(self.kpis):
            for b, band in enumerate(kpi.bands):
                for name in ("credit", "bonus"):
                    money = getattr(band, name)
                    if money is not None:
                        found.append((f"kpis[{k}].bands[{b}].{name}", money))
        return tuple(found)

    def _limits(self, kind: Literal["credit", "bonus"]) -> tuple[Decimal | None, Money | None]:
        if kind == "credit":
            return self.cap_percent, self.cap
        return self.bonus_cap_percent, self.bonus_cap

    def limit(self, ctx: PricingContext, kind: Literal["credit", "bonus"]) -> Fraction | None:
        """The rounded cap on the total credit (or bonus) of ``ctx``'s period, or
        ``None`` when there is none.
        """
        percent, money = (
            (self.cap_percent, self.cap)
            if kind == "credit"
            else (self.bonus_cap_percent, self.bonus_cap)
        )
        caps = []
        if percent is not None:
            caps.append(ctx.subtotal(self.of) * Fraction(percent) / 100)
        if money is not None:
            caps.append(Fraction(money.amount))
        return ctx.round(min(caps)) if caps else None

    def figures(self, ctx: PricingContext) -> list[tuple[Kpi, Fraction]]:
        """Each measured figure of ``ctx``'s period with its :class:`Kpi` (one that
        cannot be measured is refused, or left out with ``unmeasured = "no_credit"``).
        """
        found = []
        for kpi in self.kpis:
            figure = kpi.figure(ctx.usage)
            if figure is None:
                if kpi.unmeasured == "no_credit":
                    continue
                raise PricingError(
                    f"component {self.name!r}: the figure {kpi.name!r} ({kpi.source}) cannot "
                    f"be measured in {ctx.active}: there is no usage of it (declare "
                    "unmeasured = 'no_credit' to give no credit then)"
                )
            found.append((kpi, figure))
        return found

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        fees = ctx.subtotal(self.of)
        name = self.description or self.name
        on = describe_tags(self.of)
        credits: list[Charge] = []
        bonuses: list[Charge] = []
        for kpi, figure in self.figures(ctx):
            credit_pct, credit_amt, bonus_pct, bonus_amt = kpi.result(figure)
            for kind, pct, amt, into in (
                ("credit", credit_pct, credit_amt, credits),
                ("bonus", bonus_pct, bonus_amt, bonuses),
            ):
                if not pct and not amt:
                    continue
                bands = " and ".join(
                    band.when for band in kpi.bands if band.kind == kind and band.applies(figure)
                )
                parts = []
                if pct:
                    parts.append(f"{fmt_quantity(pct)}% of {ctx.money(fees)} ({on})")
                if amt:
                    parts.append(ctx.money(amt))
                sign = -1 if kind == "credit" else 1
                into.append(
                    Charge(
                        description=f"{name}: {kpi.name} {kind}",
                        amount=sign * (fees * pct / 100 + amt),
                        basis=f"{kpi.name} {kpi.show(figure)} ({bands}): " + " + ".join(parts),
                        tags=self.tags | {CREDIT_TAG if kind == "credit" else BONUS_TAG},
                    )
                )
        charges = [*credits, *self._capped(ctx, credits, "credit")]
        relief = self.relieved_by and any(line.tags & self.relieved_by for line in ctx.lines)
        if relief and credits:
            net = -sum((ctx.round(Fraction(c.amount)) for c in charges), Fraction(0))
            because = ", ".join(
                repr(line.description) for line in ctx.lines if line.tags & self.relieved_by
            )
            charges.append(
                Charge(
                    description=f"{name}: credits relieved",
                    amount=net,
                    basis=f"credits of {ctx.money(net)} waived: relieved by {because}",
                    tags=self.tags | {CREDIT_TAG},
                )
            )
        return [*charges, *bonuses, *self._capped(ctx, bonuses, "bonus")]

    def _capped(
        self, ctx: PricingContext, charges: list[Charge], kind: Literal["credit", "bonus"]
    ) -> list[Charge]:
        """The line that brings the rounded total of ``charges`` back to the cap."""
        cap = self.limit(ctx, kind)
        if cap is None or not charges:
            return []
        total = abs(sum((ctx.round(Fraction(c.amount)) for c in charges), Fraction(0)))
        if total <= cap:
            return []
        percent, money = (
            (self.cap_percent, self.cap)
            if kind == "credit"
            else (self.bonus_cap_percent, self.bonus_cap)
        )
        how = []
        if percent is not None:
            how.append(f"{d.to_text(percent)}% of {ctx.money(ctx.subtotal(self.of))}")
        if money is not None:
            how.append(str(money))
        excess = total - cap
        return [
            Charge(
                description=f"{self.description or self.name}: {kind} cap",
                amount=excess if kind == "credit" else -excess,
                basis=(
                    f"{kind}s of {ctx.money(total)} capped at {ctx.money(cap)} "
                    f"({' or '.join(how)}, the smaller)"
                    if len(how) > 1
                    else f"{kind}s of {ctx.money(total)} capped at {ctx.money(cap)} ({how[0]})"
                ),
                tags=self.tags | {CREDIT_TAG if kind == "credit" else BONUS_TAG},
            )
        ]


def _met(invoice: Invoice, component: str) -> bool:
    """Whether ``invoice`` has no credit line of ``component`` (every target met)."""
    return not any(CREDIT_TAG in line.tags for line in invoice.lines_of(component))


def earn_back(invoices: Sequence[Invoice], component: ServiceCredits) -> tuple[Invoice, ...]:
    """The invoices of consecutive periods with the earn-back of ``component`` added.

    A credit of period ``n`` (the net of its credit, cap and relief lines) is given
    back, ``earn_back_percent`` of it, on a line added at the end of the invoice of
    period ``n + k`` when the ``k = earn_back_periods`` periods after it all meet every
    target (no credit line of the component). Each credit is earned back at most once;
    a credit whose ``k`` following periods are not all in ``invoices`` is not (yet).

    The invoices must be of one contract and follow each other without a gap.
    """
    periods = component.earn_back_periods
    if periods is None:
        raise ContractError(f"component {component.name!r} declares no earn_back_periods")
    result = list(invoices)
    for index, (before, after) in enumerate(itertools.pairwise(result)):
        if before.period.end != after.period.start or before.contract != after.contract:
            raise PricingError(
                f"invoices[{index + 1}] ({after.contract}, {after.period}) does not follow "
                f"invoices[{index}] ({before.contract}, {before.period}) of the same contract"
            )
    extra: list[list[Line]] = [[] for _ in result]
    for index, invoice in enumerate(invoices):
        later = index + periods
        if later >= len(result) or _met(invoice, component.name):
            continue
        if not all(_met(result[j], component.name) for j in range(index + 1, later + 1)):
            continue
        credit = -sum(
            (
                Fraction(line.amount.amount)
                for line in invoice.lines_of(component.name)
                if CREDIT_TAG in line.tags
            ),
            Fraction(0),
        )
        if credit <= 0:
            continue
        exact = credit * Fraction(component.earn_back_percent) / 100
        target = result[later]
        amount = target.rounding.round(exact, target.currency.minor_units)
        extra[later].append(
            Line(
                component=component.name,
                description=f"{component.description or component.name}: earn-back",
                amount=Money(amount, target.currency),
                exact=exact,
                basis=(
                    f"{d.to_text(component.earn_back_percent)}% of the credit of "
                    f"{fmt_quantity(credit)} {target.currency.code} in {invoice.period}, "
                    f"every target met in the {periods} period(s) after it"
                ),
                tags=component.tags | {EARN_BACK_TAG},
            )
        )
    return tuple(
        attrs.evolve(invoice, lines=(*invoice.lines, *lines)) if lines else invoice
        for invoice, lines in zip(result, extra, strict=True)
    )
