"""Matrix rates: a price per unit looked up by the values of several dimensions.

The seeds price handled minutes by language x channel (EFIGS languages at a premium)
and agents by shift; :class:`MatrixRate` writes such a price list as a table keyed by
tuples of dimension values, with an optional default for every other combination.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from meterprice.components.base import (
    Charge,
    Component,
    PricingContext,
    check_metric,
    fmt_quantity,
    rate_amount,
)
from meterprice.dimensions import Dimensions, Where, to_where
from meterprice.errors import ContractError, InvalidTypeError, LimitError, PricingError
from meterprice.money import Money, to_money

__all__ = ["MAX_PRICES", "MatrixRate", "PriceTable"]

#: The most prices one matrix table holds: far beyond any real price list (50
#: languages x 10 channels x 10 shifts is 5,000), and a bound on the time and memory
#: a hostile document can make loading take.
MAX_PRICES = 100_000

PriceTable = tuple[tuple[tuple[str, ...], Money], ...]
"""A matrix price table in canonical form: ``((values, price), ...)`` sorted by values."""


def _to_by(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise InvalidTypeError(f"by must be a list of dimension names, not {value!r}")
    names = tuple(value)
    if not names:
        raise ContractError("by must name at least one dimension")
    for name in names:
        if not isinstance(name, str) or not name:
            raise InvalidTypeError(f"by must name dimensions with non-empty strings, not {name!r}")
    if len(set(names)) != len(names):
        raise ContractError(f"by names a dimension twice: {names!r}")
    return names


def _to_key(key: object) -> tuple[str, ...]:
    if isinstance(key, str):
        return (key,)
    if isinstance(key, tuple) and all(isinstance(value, str) for value in key):
        return key
    raise InvalidTypeError(
        f"a prices key must be a tuple of dimension values (strings), not {key!r}"
    )


def _is_canonical(value: object) -> bool:
    """Whether ``value`` is a price table in canonical form already (keys of strings in
    strictly increasing order, :class:`Money` prices): one cheap pass instead of a
    conversion, so that a table read by the loader is not converted again.
    """
    if type(value) is not tuple:
        return False
    previous: tuple[str, ...] | None = None
    for pair in value:
        if type(pair) is not tuple or len(pair) != 2:
            return False
        key, price = pair
        if type(key) is not tuple or type(price) is not Money:
            return False
        if previous is not None and not previous < key:
            return False
        for part in key:
            if type(part) is not str:
                return False
        previous = key
    return True


def _to_prices(value: object) -> PriceTable:
    if isinstance(value, (Mapping, list, tuple)) and len(value) > MAX_PRICES:
        raise LimitError(f"prices has {len(value):,} entries: at most {MAX_PRICES:,} are accepted")
    if _is_canonical(value):
        return value  # type: ignore[return-value]
    if isinstance(value, Mapping):
        pairs: list[object] = list(value.items())
    elif isinstance(value, (list, tuple)):
        pairs = list(value)
    else:
        raise InvalidTypeError(f"prices must be a mapping of value tuples to prices, not {value!r}")
    table: dict[tuple[str, ...], Money] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidTypeError(f"prices entries must be (values, price) pairs, not {pair!r}")
        key = _to_key(pair[0])
        if key in table:
            raise ContractError(f"prices has the key {key!r} twice")
        table[key] = to_money(pair[1], what=f"prices[{key!r}]")
    return tuple(sorted(table.items(), key=lambda item: item[0]))


def _optional_default(value: object) -> Money | None:
    return None if value is None else to_money(value, what="default")


def _combination(by: Sequence[str], values: Sequence[str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(by, values, strict=True))


@attrs.frozen
class MatrixRate(Component):
    """A rate per unit of ``metric`` looked up by the values of the dimensions ``by``.

    ``prices`` maps a tuple of values, one per name in ``by`` and in that order, to
    the price of one unit (a single string key is a one-value tuple). Each
    combination that the usage contains is priced on its own invoice line with its
    quantity and unit price. A combination missing from the table is priced at
    ``default``; without a default it is a :class:`~meterprice.errors.PricingError`
    that names every such combination, so nothing is priced by accident. Usage that
    lacks one of the ``by`` dimensions (a meter whose ``group_by`` drops it) is
    always an error.

    >>> matrix = MatrixRate(
    ...     "Minutes",
    ...     metric="minutes",
    ...     by=("language", "channel"),
    ...     prices={("de", "phone"): "1.10 EUR", ("de", "chat"): "0.90 EUR"},
    ...     default="0.80 EUR",
    ...     unit="min",
    ... )
    >>> contract = Contract("EFIGS", "EUR", [matrix])
    >>> usage = Usage.from_totals(
    ...     {
    ...         ("minutes", Dimensions({"language": "de", "channel": "phone"})): 100,
    ...         ("minutes", Dimensions({"language": "nl", "channel": "phone"})): 50,
    ...     }
    ... )
    >>> for line in contract.invoice(usage, "2026-11").lines:  # 100 x 1.10; 50 x 0.80
    ...     print(line.description, line.amount)
    Minutes (language=de, channel=phone) 110.00 EUR
    Minutes (language=nl, channel=phone) 40.00 EUR
    """

    metric: str = attrs.field(kw_only=True, validator=check_metric)
    by: tuple[str, ...] = attrs.field(kw_only=True, converter=_to_by)
    prices: PriceTable = attrs.field(kw_only=True, converter=_to_prices)
    default: Money | None = attrs.field(default=None, kw_only=True, converter=_optional_default)
    where: Where = attrs.field(default=Where(), converter=to_where, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.prices and self.default is None:
            raise ContractError(
                f"component {self.name!r}: prices is empty and there is no default, "
                "so no usage could be priced"
            )
        for key, _ in self.prices:
            if len(key) != len(self.by):
                raise ContractError(
                    f"component {self.name!r}: prices key {key!r} has {len(key)} value(s) "
                    f"but by names {len(self.by)} dimension(s) ({', '.join(self.by)})"
                )

    @property
    def bills_usage(self) -> bool:
        return True

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset({self.metric})

    @property
    def filters(self) -> tuple[Where, ...]:
        return (self.where,)

    @property
    def money_values(self) -> tuple[tuple[str, Money], ...]:
        values = [(f"prices[{key!r}]", price) for key, price in self.prices]
        if self.default is not None:
            values.append(("default", self.default))
        return tuple(values)

    def price_for(self, values: Sequence[str]) -> Money | None:
        """The unit price of the combination ``values`` (in ``by`` order): its table
        price, else the default, else ``None``.

        >>> matrix = MatrixRate(
        ...     "Minutes", metric="minutes", by="language", prices={"de": "1.10 EUR"}
        ... )
        >>> matrix.price_for(("de",)), matrix.price_for(("nl",))
        (Money('1.10', 'EUR'), None)
        """
        key = tuple(values)
        at = bisect.bisect_left(self.prices, (key,))
        if at < len(self.prices) and self.prices[at][0] == key:
            return self.prices[at][1]
        return self.default

    def _quantities(self, ctx: PricingContext) -> dict[tuple[str, ...], Fraction]:
        """The positive quantities of each combination.

        Usage lacking one of the ``by`` dimensions is a PricingError.
        """
        groups = ctx.usage.groups(self.metric, self.by, self.where)
        lacking: list[tuple[Dimensions, Fraction]] = []
        result: dict[tuple[str, ...], Fraction] = {}
        for dims, quantity in groups.items():
            if quantity <= 0:
                continue
            if len(dims) != len(self.by):
                lacking.append((dims, quantity))
                continue
            result[tuple(dims[name] for name in self.by)] = quantity
        if lacking:
            shown = "; ".join(
                f"{dims or 'no dimensions'} ({fmt_quantity(quantity)})"
                for dims, quantity in sorted(lacking)
            )
            raise PricingError(
                f"component {self.name!r} prices {self.metric!r} by {', '.join(self.by)} but "
                f"some usage lacks one of those dimensions: {shown}; keep them in the "
                "meter's group_by and on the events"
            )
        return result

    def price(self, ctx: PricingContext) -> Sequence[Charge]:
        quantities = self._quantities(ctx)
        unit = f" {self.unit}" if self.unit else ""
        table = dict(self.prices)
        missing = [
            values for values in sorted(quantities) if values not in table and self.default is None
        ]
        if missing:
            shown = "; ".join(
                f"{_combination(self.by, values)} ({fmt_quantity(quantities[values])}{unit})"
                for values in missing
            )
            raise PricingError(
                f"component {self.name!r}: no price for {shown} in {self.metric!r} and no "
                "default; add the combination to prices or give a default"
            )
        label = self.description or self.name
        charges = []
        for values in sorted(quantities):
            quantity = quantities[values]
            rate = table.get(values)
            basis = f"{fmt_quantity(quantity)}{unit} x "
            if rate is None:
                rate = self.default
                assert rate is not None  # every combination without a price was reported
                basis += f"{rate} (default price)"
            else:
                basis += str(rate)
            charges.append(
                Charge(
                    description=f"{label} ({_combination(self.by, values)})",
                    amount=rate_amount(quantity, rate),
                    basis=basis,
                    quantity=quantity,
                    unit=self.unit,
                    unit_price=rate.amount,
                    tags=self.tags,
                    dimensions=dict(zip(self.by, values, strict=True)),
                )
            )
        return charges
