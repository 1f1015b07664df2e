"""partner_analytics: govern a partnership with contact-centre outsourcers.

    import partner_analytics as pa
    eng = pa.load("data/sample")

turns an engagement folder (contract.yaml + tables) into objectives versus results, shared risks
and gains, and the reports of the steering committees.
"""

from .contract import Contract, Partner, ServiceLevel
from .engagement import Engagement, load
from .errors import ContractError, EngagementError, PartnerAnalyticsError, TableError
from .kpis import KPIS
from .paths import SAMPLE_ENGAGEMENT
from .schema import TABLES

__all__ = [
    "KPIS",
    "SAMPLE_ENGAGEMENT",
    "TABLES",
    "Contract",
    "ContractError",
    "Engagement",
    "EngagementError",
    "Partner",
    "PartnerAnalyticsError",
    "ServiceLevel",
    "TableError",
    "load",
]
