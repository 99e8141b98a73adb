"""Composable pricing components: each reads usage and earlier lines and adds charges."""

from __future__ import annotations

from meterprice.components.adjustments import MinimumSpend, MinimumVolume, Percentage
from meterprice.components.balances import Prepaid, Rollover
from meterprice.components.base import Charge, Component, PricingContext
from meterprice.components.caps import Discount, Maximum
from meterprice.components.carrying import Carried, CarryingComponent
from meterprice.components.ceiling import Ceiling
from meterprice.components.commission import Commission, CommissionTier
from meterprice.components.commitment import Commitment
from meterprice.components.days import DayRate
from meterprice.components.escalators import Escalator, IndexValue
from meterprice.components.fees import RecurringFee, SetupFee
from meterprice.components.forecasts import ForecastBand, VolumeForecast
from meterprice.components.matrix import MatrixRate
from meterprice.components.premiums import HolidayPremium
from meterprice.components.project import ProjectFee
from meterprice.components.prorated import ProratedUnits
from meterprice.components.quota import Quota
from meterprice.components.rates import Package, PerUnit, Tier, Tiered, TierMode
from meterprice.components.seats import SeatChange, Seats
from meterprice.components.service_credits import CreditBand, Kpi, ServiceCredits, earn_back
from meterprice.components.transactions import PercentageCharge

__all__ = [
    "Carried",
    "CarryingComponent",
    "Ceiling",
    "Charge",
    "Commission",
    "CommissionTier",
    "Commitment",
    "Component",
    "CreditBand",
    "DayRate",
    "Discount",
    "Escalator",
    "ForecastBand",
    "HolidayPremium",
    "IndexValue",
    "Kpi",
    "MatrixRate",
    "Maximum",
    "MinimumSpend",
    "MinimumVolume",
    "Package",
    "PerUnit",
    "Percentage",
    "PercentageCharge",
    "Prepaid",
    "PricingContext",
    "ProjectFee",
    "ProratedUnits",
    "Quota",
    "RecurringFee",
    "Rollover",
    "SeatChange",
    "Seats",
    "ServiceCredits",
    "SetupFee",
    "Tier",
    "TierMode",
    "Tiered",
    "VolumeForecast",
    "earn_back",
]
