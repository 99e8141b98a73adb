"""The catalogue: ready-made example contracts with sample usage, one per model.

Eight contracts price the charging models of outsourced customer support: the 5CA
pay-per-use model (source ``000``) and the seven charging models of Chinese
customer-service outsourcing (sources ``004 §1`` to ``004 §7``); a ninth, the full
outsourcing agreement, adds the clauses real agreements carry (escalators, holiday
premiums, forecast bands, service credits) over a year of usage. Each :class:`Example`
holds the contract, a small sample of usage events and at least two billing periods
to price, the first of them partial (the contract starts in the middle of it), so
that every invoice can be checked by hand.

Every example also ships as data next to this module: ``<name>.toml`` (the contract
document, with a ``[demo]`` table naming the periods) and ``<name>.usage.csv`` (the
same sample events); ``meterprice demo`` prices them all.

>>> from meterprice.examples import catalogue, example
>>> [item.name for item in catalogue()][:3]
['pay_per_use', 'fixed_per_agent', 'base_plus_commission']
>>> quota = example("monthly_quota")
>>> quota.seed, [str(period) for period in quota.periods]
('004 §3', ['2026-11', '2026-12'])
>>> [str(invoice.total) for invoice in quota.invoices()]
['8820.00 CNY', '18000.00 CNY']
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import attrs

from meterprice.contract import Contract
from meterprice.errors import InvalidTypeError, InvalidValueError
from meterprice.examples._models import BUILDERS
from meterprice.invoice import Invoice
from meterprice.periods import Period
from meterprice.usage import Event

__all__ = ["Example", "catalogue", "example"]

_HERE = Path(__file__).resolve().parent


def _check_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidTypeError(f"{attribute.name} must be a non-empty string, not {value!r}")


def _check_contract(instance: object, attribute: attrs.Attribute[Contract], value: object) -> None:
    if not isinstance(value, Contract):
        raise InvalidTypeError(f"contract must be a Contract, not {value!r}")


def _to_events(value: Iterable[Event]) -> tuple[Event, ...]:
    events = tuple(value)
    for index, event in enumerate(events):
        if not isinstance(event, Event):
            raise InvalidTypeError(f"events[{index}] must be an Event, not {event!r}")
    return events


def _to_periods(value: Iterable[Period]) -> tuple[Period, ...]:
    periods = tuple(value)
    for index, period in enumerate(periods):
        if not isinstance(period, Period):
            raise InvalidTypeError(f"periods[{index}] must be a Period, not {period!r}")
    if not periods:
        raise InvalidValueError("periods must name at least one period to price")
    return periods


@attrs.frozen
class Example:
    """One catalogue entry: a contract of a charging model with sample usage to price.

    ``seed`` names the source article and section of the model (``"004 §2"``);
    ``summary`` states the contract's terms in plain words; ``events`` is the sample
    usage (empty for a model whose fees do not depend on usage) and ``periods`` the
    billing periods it is priced for, in order.

    >>> from meterprice.examples import example
    >>> project = example("project_billing")
    >>> project.title, project.events
    ('Billing by project', ())
    >>> print(project.invoices()[0])
    Project billing: 2026-11 (CNY)
    Description   Quantity  Unit price     Amount
    ------------  --------  ----------  ---------
    Launch phase                        10,000.00
    ------------  --------  ----------  ---------
    Total                               10,000.00
    """

    name: str = attrs.field(validator=_check_text)
    title: str = attrs.field(validator=_check_text)
    seed: str = attrs.field(validator=_check_text)
    summary: str = attrs.field(validator=_check_text)
    contract: Contract = attrs.field(validator=_check_contract)
    events: tuple[Event, ...] = attrs.field(converter=_to_events)
    periods: tuple[Period, ...] = attrs.field(converter=_to_periods)

    def invoices(self) -> tuple[Invoice, ...]:
        """The contract's invoice for each of :attr:`periods`, priced from :attr:`events`."""
        events = list(self.events)
        return tuple(self.contract.invoice(events, period) for period in self.periods)

    @property
    def toml_path(self) -> Path:
        """The contract as a TOML document shipped next to this module."""
        return _HERE / f"{self.name}.toml"

    @property
    def usage_path(self) -> Path:
        """The sample events as a usage CSV file shipped next to this module."""
        return _HERE / f"{self.name}.usage.csv"


@functools.lru_cache(maxsize=1)
def catalogue() -> tuple[Example, ...]:
    """Every example, in order: the 5CA pay-per-use model, then the seven outsourcing
    models §1 to §7, then the full outsourcing agreement.

    >>> from meterprice.examples import catalogue
    >>> [(item.seed, item.name) for item in catalogue()][1:]  # doctest: +NORMALIZE_WHITESPACE
    [('004 §1', 'fixed_per_agent'), ('004 §2', 'base_plus_commission'),
     ('004 §3', 'monthly_quota'), ('004 §4', 'peak_day_rates'),
     ('004 §5', 'per_consultation'), ('004 §6', 'per_order'), ('004 §7', 'project_billing'),
     ('ours', 'full_outsourcing')]
    """
    return tuple(Example(**build()) for build in BUILDERS)


def example(name: str) -> Example:
    """The example called ``name``; a :class:`KeyError` lists the valid names.

    >>> from meterprice.examples import example
    >>> example("per_order").contract.currency
    Currency('CNY')
    """
    for item in catalogue():
        if item.name == name:
            return item
    names = ", ".join(item.name for item in catalogue())
    raise KeyError(f"no example called {name!r}; the catalogue has: {names}")
