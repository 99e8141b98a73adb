"""Composable pricing components: each reads usage and earlier lines and adds charges."""

from __future__ import annotations

from meterprice.components.adjustments import MinimumSpend, MinimumVolume, Percentage
from meterprice.components.base import Charge, Component, PricingContext
from meterprice.components.fees import RecurringFee, SetupFee
from meterprice.components.rates import Package, PerUnit, Tier, Tiered, TierMode

__all__ = [
    "Charge",
    "Component",
    "MinimumSpend",
    "MinimumVolume",
    "Package",
    "PerUnit",
    "Percentage",
    "PricingContext",
    "RecurringFee",
    "SetupFee",
    "Tier",
    "TierMode",
    "Tiered",
]
