"""meterprice: exact, explainable pricing of service contracts.

Composable pricing components combine into contracts; meters turn raw usage events
into billable quantities; contracts price a period into an itemized invoice whose
every cent can be explained.
"""

from __future__ import annotations

from meterprice.amendments import Amendment
from meterprice.bands import Band, TimeBands
from meterprice.billing import Billing
from meterprice.calendars import Calendar, DateRange, RuleRange, YearlyRange
from meterprice.components import (
    Carried,
    Ceiling,
    Charge,
    Commission,
    CommissionTier,
    Commitment,
    Component,
    CreditBand,
    DayRate,
    Discount,
    Escalator,
    ForecastBand,
    HolidayPremium,
    IndexValue,
    Kpi,
    MatrixRate,
    Maximum,
    MinimumSpend,
    MinimumVolume,
    Package,
    Percentage,
    PercentageCharge,
    PerUnit,
    PricingContext,
    ProjectFee,
    ProratedUnits,
    Quota,
    RecurringFee,
    SeatChange,
    Seats,
    ServiceCredits,
    SetupFee,
    Tier,
    Tiered,
    TierMode,
    VolumeForecast,
    earn_back,
)
from meterprice.contract import Contract
from meterprice.corrections import CreditNote, rerate
from meterprice.dimensions import Dimensions, Where
from meterprice.errors import (
    AmountError,
    CalendarError,
    ContractError,
    CurrencyMismatchError,
    InvalidTypeError,
    InvalidValueError,
    LimitError,
    MeterpriceError,
    PeriodError,
    PricingError,
    UnknownCurrencyError,
    UsageError,
)
from meterprice.exchange import Conversion, ExchangeRate
from meterprice.invoice import Invoice, Line
from meterprice.metering import Meter, meter_events
from meterprice.money import Currency, Money, Rounding
from meterprice.payment import PaymentTerms, PromptDiscount
from meterprice.periods import Cycle, Period, Window, proration
from meterprice.spec import (
    SpecError,
    contract_schema,
    dump_contract,
    dumps_contract,
    load_contract,
    loads_contract,
)
from meterprice.tax import Tax, TaxRate
from meterprice.usage import Aggregation, Event, Usage
from meterprice.usagefiles import DailyUsage, UsageFile, UsageFileError, price_file

__version__ = "0.1.0.dev0"

__all__ = [
    "Aggregation",
    "Amendment",
    "AmountError",
    "Band",
    "Billing",
    "Calendar",
    "CalendarError",
    "Carried",
    "Ceiling",
    "Charge",
    "Commission",
    "CommissionTier",
    "Commitment",
    "Component",
    "Contract",
    "ContractError",
    "Conversion",
    "CreditBand",
    "CreditNote",
    "Currency",
    "CurrencyMismatchError",
    "Cycle",
    "DailyUsage",
    "DateRange",
    "DayRate",
    "Dimensions",
    "Discount",
    "Escalator",
    "Event",
    "ExchangeRate",
    "ForecastBand",
    "HolidayPremium",
    "IndexValue",
    "InvalidTypeError",
    "InvalidValueError",
    "Invoice",
    "Kpi",
    "LimitError",
    "Line",
    "MatrixRate",
    "Maximum",
    "Meter",
    "MeterpriceError",
    "MinimumSpend",
    "MinimumVolume",
    "Money",
    "Package",
    "PaymentTerms",
    "PerUnit",
    "Percentage",
    "PercentageCharge",
    "Period",
    "PeriodError",
    "PricingContext",
    "PricingError",
    "ProjectFee",
    "PromptDiscount",
    "ProratedUnits",
    "Quota",
    "RecurringFee",
    "Rounding",
    "RuleRange",
    "SeatChange",
    "Seats",
    "ServiceCredits",
    "SetupFee",
    "SpecError",
    "Tax",
    "TaxRate",
    "Tier",
    "TierMode",
    "Tiered",
    "TimeBands",
    "UnknownCurrencyError",
    "Usage",
    "UsageError",
    "UsageFile",
    "UsageFileError",
    "VolumeForecast",
    "Where",
    "Window",
    "YearlyRange",
    "__version__",
    "contract_schema",
    "dump_contract",
    "dumps_contract",
    "earn_back",
    "load_contract",
    "loads_contract",
    "meter_events",
    "price_file",
    "proration",
    "rerate",
]
