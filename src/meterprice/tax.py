"""Taxes on invoices: VAT or GST by rate and category of line.

A contract's :class:`Tax` clause prices after every component, so that no
percentage, minimum or cap ever reads a tax line: each component line falls into
the first :class:`TaxRate` whose tags it carries (a rate without tags takes every
other line), and one tax line per rate is added at the end of the invoice.

Prices are ``exclusive`` (the lines are net; the tax line adds the tax) or
``inclusive`` (the lines are gross; per rate, a line takes the tax out of the
prices and the tax line puts it back, so that the invoice shows net, tax and gross
while its lines still sum to the total). The tax is computed ``on="total"`` (the
rate times the sum of the rounded lines of that rate, rounded once) or
``on="lines"`` (the rate times each rounded line, each rounded, then summed): the
two may differ by a cent per line, which is why the contract must say which.
A rate under the reverse-charge rule adds no tax: its line notes the base and that
the customer accounts for the tax.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from meterprice import _decimal as d
from meterprice.errors import ContractError, InvalidTypeError, PricingError
from meterprice.invoice import INCLUDED_TAX_TAG, TAX_TAG, Line
from meterprice.money import Currency, Money, Rounding
from meterprice.piecewise import Piecewise

__all__ = ["RESERVED_TAGS", "REVERSE_CHARGE_TAG", "Tax", "TaxRate", "line_tags"]

#: The tag of the tax line of a rate under the reverse-charge rule (no tax).
REVERSE_CHARGE_TAG = "reverse-charge"

#: Tags that only tax lines carry: a component may not carry them.
RESERVED_TAGS = frozenset({TAX_TAG, INCLUDED_TAX_TAG, REVERSE_CHARGE_TAG})

#: Most lines an ``on="lines"`` basis lists one by one.
SHOWN_LINES = 8


def line_tags(component: object) -> frozenset[str]:
    """The tags a component's lines may carry: its own, those of the components it
    wraps (an escalator's), the values of its ``*_tag`` fields and the ``*_TAG``
    constants of its module (the tags a service credit adds to its lines).
    """
    tags: set[str] = set(getattr(component, "tags", frozenset()))
    module = sys.modules.get(type(component).__module__)
    for name, value in vars(module).items() if module is not None else ():
        if name.endswith("_TAG") and isinstance(value, str):
            tags.add(value)
    fields: tuple[attrs.Attribute[object], ...] = getattr(type(component), "__attrs_attrs__", ())
    for field in fields:
        value = getattr(component, field.name)
        if field.name.endswith("_tag") and isinstance(value, str):
            tags.add(value)
        nested = value if isinstance(value, tuple) else (value,)
        for item in nested:
            if item is not component and attrs.has(type(item)) and hasattr(item, "price"):
                tags |= line_tags(item)
    return frozenset(tags)


def _percent(value: object) -> Decimal:
    number = d.to_decimal(value, what="percent")
    if number < 0:
        raise ContractError(f"percent must not be negative (got {value!r})")
    return number


def _to_tags(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidTypeError(f"tags must be a collection of strings, not {value!r}")
    tags = frozenset(value)
    for tag in tags:
        if not isinstance(tag, str) or not tag:
            raise InvalidTypeError(f"tags must be non-empty strings, not {tag!r}")
    return tags


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


@attrs.frozen
class TaxRate:
    """One rate of a tax and the lines it applies to.

    A line carrying any of ``tags`` is taxed at ``percent``; a rate without tags
    takes every line that no earlier rate took. ``reverse_charge`` notes the base
    without tax (the customer accounts for it).

    >>> TaxRate("standard", percent=20).percent
    Decimal('20')
    """

    name: str = attrs.field(validator=_check_name)
    percent: Decimal = attrs.field(kw_only=True, converter=_percent)
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_to_tags, kw_only=True)
    reverse_charge: bool = attrs.field(default=False, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.reverse_charge, bool):
            raise InvalidTypeError(
                f"reverse_charge must be true or false, not {self.reverse_charge!r}"
            )

    @property
    def tag(self) -> str:
        """The tag of this rate's tax line (``"tax:standard"``)."""
        return f"{TAX_TAG}:{self.name}"

    def matches(self, tags: frozenset[str]) -> bool:
        """Whether a line with ``tags`` falls into this rate (when no earlier rate took it)."""
        return not self.tags or bool(self.tags & tags)


def _to_rates(value: object) -> tuple[TaxRate, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidTypeError(f"rates must be a list of TaxRate, not {value!r}")
    rates = tuple(value)
    for index, rate in enumerate(rates):
        if not isinstance(rate, TaxRate):
            raise InvalidTypeError(f"rates[{index}] is not a TaxRate: {rate!r}")
    return rates


def _one_of(*choices: str) -> Callable[[object, attrs.Attribute[str], object], None]:
    def check(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in choices:
            raise ContractError(
                f"{attribute.name} must be one of {', '.join(choices)} (got {value!r})"
            )

    return check


def _to_rounding(value: object) -> Rounding | None:
    if value is None or isinstance(value, Rounding):
        return value
    if isinstance(value, str):
        try:
            return Rounding[value.upper().replace("-", "_")]
        except KeyError:
            pass
    choices = ", ".join(mode.name.lower() for mode in Rounding)
    raise ContractError(f"rounding must be one of {choices} (got {value!r})")


@attrs.frozen
class Tax:
    """A contract's tax clause (VAT, GST): its rates, whether prices include it, and
    whether it is computed on each rounded line or on the total of each rate.

    >>> vat = Tax([TaxRate("standard", percent=20)])
    >>> vat.prices, vat.on
    ('exclusive', 'total')
    """

    rates: tuple[TaxRate, ...] = attrs.field(converter=_to_rates)
    name: str = attrs.field(default="VAT", validator=_check_name, kw_only=True)
    prices: Literal["exclusive", "inclusive"] = attrs.field(
        default="exclusive", validator=_one_of("exclusive", "inclusive"), kw_only=True
    )
    on: Literal["total", "lines"] = attrs.field(
        default="total", validator=_one_of("total", "lines"), kw_only=True
    )
    rounding: Rounding | None = attrs.field(default=None, converter=_to_rounding, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.rates:
            raise ContractError("rates must name at least one tax rate")
        seen: dict[str, int] = {}
        for index, rate in enumerate(self.rates):
            if rate.name in seen:
                raise ContractError(
                    f"rates[{index}].name: {rate.name!r} is already used by "
                    f"rates[{seen[rate.name]}]"
                )
            seen[rate.name] = index
            if not rate.tags and index != len(self.rates) - 1:
                raise ContractError(
                    f"rates[{index}]: a rate without tags takes every line, so it must come last"
                )

    # -- categories --------------------------------------------------------------------------
    def rate_of(self, tags: frozenset[str]) -> TaxRate | None:
        """The rate of a line carrying ``tags``: the first that matches, or ``None``."""
        for rate in self.rates:
            if rate.matches(tags):
                return rate
        return None

    def check(self, components: Sequence[tuple[str, frozenset[str], frozenset[str]]]) -> None:
        """Refuse a clause whose rates do not fit the components ``(name, own tags,
        tags its lines may carry)``: a rate tag that no line can carry, a component
        that no rate takes, or a component carrying a tag reserved for tax lines.
        """
        carried = frozenset().union(*(lines for _, _, lines in components))
        for index, rate in enumerate(self.rates):
            unknown = rate.tags - carried
            if unknown:
                raise ContractError(
                    f"tax.rates[{index}].tags: no component carries "
                    f"{', '.join(sorted(unknown))} (a typo, or a rate that taxes nothing)"
                )
        for index, (name, tags, lines) in enumerate(components):
            if name == self.name:
                raise ContractError(
                    f"components[{index}]: the name {name!r} is that of the tax clause, "
                    "whose lines it would share"
                )
            reserved = tags & RESERVED_TAGS
            if reserved:
                raise ContractError(
                    f"components[{index}] ({name!r}) carries {', '.join(sorted(reserved))}, "
                    "a tag only tax lines carry"
                )
            if self.rate_of(lines) is None:
                raise ContractError(
                    f"tax.rates: no rate of {self.name} takes the lines of components[{index}] "
                    f"({name!r}, tags {', '.join(sorted(lines)) or 'none'}): give a rate one "
                    "of its tags, or add a last rate without tags"
                )

    # -- pricing -----------------------------------------------------------------------------
    def lines(
        self, lines: Sequence[Line], currency: Currency, rounding: Rounding
    ) -> tuple[Line, ...]:
        """The tax lines of an invoice whose other lines are ``lines`` (in ``currency``,
        rounded by ``rounding`` unless the clause declares its own).
        """
        policy = self.rounding or rounding
        places = currency.minor_units
        by_rate: dict[str, list[Line]] = {rate.name: [] for rate in self.rates}
        for line in lines:
            rate = self.rate_of(line.tags)
            if rate is None:
                raise PricingError(
                    f"the line {line.description!r} of {line.component!r} (tags "
                    f"{', '.join(sorted(line.tags)) or 'none'}) falls into no rate of {self.name}"
                )
            by_rate[rate.name].append(line)
        out: list[Line] = []
        for rate in self.rates:
            taxed = by_rate[rate.name]
            if taxed:
                out.extend(self._rate_lines(rate, taxed, currency, policy, places))
        return tuple(out)

    def share(self, rate: TaxRate) -> Fraction:
        """The share of an amount that is tax: ``p/100`` of a net price, ``p/(100+p)``
        of a gross one.
        """
        percent = Fraction(rate.percent)
        return percent / 100 if self.prices == "exclusive" else percent / (100 + percent)

    def _rate_lines(
        self,
        rate: TaxRate,
        taxed: Sequence[Line],
        currency: Currency,
        policy: Rounding,
        places: int,
    ) -> list[Line]:
        code = currency.code
        base = sum((Fraction(line.amount.amount) for line in taxed), Fraction(0))
        percent = d.to_text(rate.percent)
        title = rate.description or f"{self.name} {percent}%"
        shown_base = f"{d.to_text(d.total(line.amount.amount for line in taxed))} {code}"
        count = f"{len(taxed)} line{'s' if len(taxed) != 1 else ''}"
        if rate.reverse_charge:
            return [
                Line(
                    component=self.name,
                    description=f"{title}, reverse charge",
                    amount=Money(Decimal(0).scaleb(-places, d.EXACT), currency),
                    exact=Fraction(0),
                    basis=(
                        f"no {self.name} on {shown_base} ({count}): reverse charge, the "
                        f"customer accounts for {self.name} at {percent}%"
                    ),
                    quantity=base,
                    unit=code,
                    tags={TAX_TAG, rate.tag, REVERSE_CHARGE_TAG},
                )
            ]
        share = self.share(rate)
        how = (
            f"{percent}%"
            if self.prices == "exclusive"
            else f"{percent}/{d.to_text(d.add(rate.percent, Decimal(100)))} "
            f"(prices include {percent}%)"
        )
        if self.on == "total":
            exact = base * share
            amount = policy.round(exact, places)
            basis = f"{how} of {shown_base} ({count} at this rate), rounded once"
        else:
            parts = [Fraction(line.amount.amount) * share for line in taxed]
            rounded = [policy.round(part, places) for part in parts]
            amount = d.total(rounded)
            exact = Fraction(amount)  # the sum of the lines' rounded taxes, as stated
            shown = " + ".join(d.to_text(value) for value in rounded[:SHOWN_LINES])
            if len(rounded) > SHOWN_LINES:
                shown += f" + ... ({len(rounded) - SHOWN_LINES} more)"
            basis = f"{how} of each of {count} ({shown_base}), each rounded: {shown}"
        tax = Line(
            component=self.name,
            description=title,
            amount=Money(amount, currency),
            exact=exact,
            basis=basis,
            quantity=base,
            unit=code,
            unit_price=(
                Money(rate.percent.scaleb(-2, d.EXACT), currency)
                if self.prices == "exclusive"
                else None
            ),
            tags={TAX_TAG, rate.tag},
        )
        if self.prices == "exclusive":
            return [tax]
        included = Line(
            component=self.name,
            description=f"{title} included in the prices above",
            amount=Money(d.neg(amount), currency),
            exact=-tax.exact,
            basis=f"taken out of {shown_base} of prices that include {self.name} at {percent}%",
            quantity=base,
            unit=code,
            tags={INCLUDED_TAX_TAG, rate.tag},
        )
        return [included, tax]

    # -- break-even ----------------------------------------------------------------------------
    def cost(
        self, parts: Sequence[tuple[frozenset[str], Piecewise]], lo: Fraction, hi: Fraction
    ) -> Piecewise:
        """The exact tax, before rounding, as a function of the analysed volume, from
        each component's ``(tags, cost function)``.

        Exclusive tax adds each rate's share of the functions of its lines (linear in
        them, so piecewise linear); inclusive tax and reverse charge add nothing to the
        total (the tax is inside the prices, or not charged).
        """
        if self.prices == "inclusive":
            return Piecewise.constant(lo, hi, 0)
        terms = []
        for tags, function in parts:
            rate = self.rate_of(tags)
            if rate is None:  # pragma: no cover - the contract refuses such a component
                raise ContractError(f"no rate of {self.name} takes lines tagged {sorted(tags)}")
            if not rate.reverse_charge and rate.percent:
                terms.append(function.scale(self.share(rate)))
        return Piecewise.sum(terms, lo, hi)
