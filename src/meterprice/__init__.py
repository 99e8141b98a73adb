"""meterprice: exact, explainable pricing of service contracts.

Composable pricing components combine into contracts; meters turn raw usage events
into billable quantities; contracts price a period into an itemized invoice whose
every cent can be explained.
"""

from __future__ import annotations

from meterprice.components import (
    Charge,
    Component,
    MinimumSpend,
    MinimumVolume,
    Package,
    PerUnit,
    Percentage,
    PricingContext,
    RecurringFee,
    SetupFee,
    Tier,
    Tiered,
    TierMode,
)
from meterprice.contract import Contract
from meterprice.dimensions import Dimensions, Where
from meterprice.errors import (
    ContractError,
    CurrencyMismatchError,
    MeterpriceError,
    PricingError,
    UnknownCurrencyError,
    UsageError,
)
from meterprice.invoice import Invoice, Line
from meterprice.metering import Meter, meter_events
from meterprice.money import Currency, Money, Rounding
from meterprice.periods import Cycle, Period, Window, proration
from meterprice.usage import Aggregation, Event, Usage

__version__ = "0.1.0.dev0"

__all__ = [
    "Aggregation",
    "Charge",
    "Component",
    "Contract",
    "ContractError",
    "Currency",
    "CurrencyMismatchError",
    "Cycle",
    "Dimensions",
    "Event",
    "Invoice",
    "Line",
    "Meter",
    "MeterpriceError",
    "MinimumSpend",
    "MinimumVolume",
    "Money",
    "Package",
    "PerUnit",
    "Percentage",
    "Period",
    "PricingContext",
    "PricingError",
    "RecurringFee",
    "Rounding",
    "SetupFee",
    "Tier",
    "TierMode",
    "Tiered",
    "UnknownCurrencyError",
    "Usage",
    "UsageError",
    "Where",
    "Window",
    "__version__",
    "meter_events",
    "proration",
]
