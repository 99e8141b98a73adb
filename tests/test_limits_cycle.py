"""A contract's billing cycle is checked by Cycle itself, with the document path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from meterprice.errors import MeterpriceError, PeriodError
from meterprice.periods import Cycle
from meterprice.spec import SpecError, load_contract


def _document(cycle: object) -> dict[str, Any]:
    return {
        "meterprice": 1,
        "name": "C",
        "currency": "EUR",
        "cycle": cycle,
        "components": [{"type": "recurring_fee", "name": "Fee", "amount": "10"}],
    }


@pytest.mark.parametrize("interval", [0, -1, 1001, 10**9])
def test_an_interval_out_of_range_is_refused_by_cycle_with_its_path(interval: int) -> None:
    with pytest.raises(SpecError) as caught:
        load_contract(_document({"unit": "day", "interval": interval}))
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, MeterpriceError)
    assert caught.value.paths == ["cycle.interval"]
    (problem,) = caught.value.problems
    # the message of Cycle's own validator, without the field's name
    assert problem.message == f"must be a whole number from 1 to 1000 (got {interval})"
    assert problem.value == interval
    with pytest.raises(
        PeriodError, match=f"interval must be a whole number from 1 to 1000 \\(got {interval}\\)"
    ):
        Cycle("day", interval=interval)


def test_an_unknown_field_and_an_interval_out_of_range_are_reported_together() -> None:
    with pytest.raises(SpecError) as caught:
        load_contract(_document({"unit": "week", "interval": 5000, "every": 2}))
    assert caught.value.paths == ["cycle.every", "cycle.interval"]


def test_a_valid_cycle_is_built_with_its_fields() -> None:
    contract = load_contract(_document({"unit": "week", "interval": 1000, "weekday": "friday"}))
    # weekdays are anchored on the week of Monday 2000-01-03: Friday is 2000-01-07
    assert contract.cycle == Cycle("week", dt.date(2000, 1, 7), 1000)
