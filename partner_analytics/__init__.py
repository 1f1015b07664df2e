"""partner_analytics: govern a partnership with contact-centre outsourcers.

    import partner_analytics as pa
    eng = pa.load("data/sample")
    tables = pa.compute(eng)

turns an engagement folder (contract.yaml + tables) into objectives versus results, shared risks
and gains, and the reports of the steering committees. The stages, in the order the figures flow:
`core`, `contract`, `io`, `metrics`, `evaluation`, `risk`, `governance`, `pipeline`, `views`,
`record`, `charts`, `whatif`, `reports`, `batch` (docs/architecture.md).
"""

from .contract import Contract, Partner, ServiceLevel
from .core import KPIS, SAMPLE_ENGAGEMENT, TABLES, ContractError, EngagementError, PartnerAnalyticsError, TableError
from .io import Engagement, load
from .pipeline import Analysis, compute

__all__ = [
    "KPIS",
    "SAMPLE_ENGAGEMENT",
    "TABLES",
    "Analysis",
    "Contract",
    "ContractError",
    "Engagement",
    "EngagementError",
    "Partner",
    "PartnerAnalyticsError",
    "ServiceLevel",
    "TableError",
    "compute",
    "load",
]
