"""partner_analytics: govern a partnership with contact-centre outsourcers.

    import partner_analytics as pa
    eng = pa.load("data/sample")                  # validate an engagement folder
    tables = pa.compute(eng)                      # every computed table (docs/data-contract.md)
    tables.gaps.collect()                         # objectives versus results
    what_if = pa.WhatIf(eng)                      # scenarios next to the baseline
    scenario = pa.Scenario.from_dict({"partners": {"rivage": {"terms": {"at_risk_pct": 0.2}}}})
    what_if.compare(scenario).totals              # baseline, scenario, delta per amount (cents)
    pa.format_money(72420200, "EUR")              # '724,202.00 EUR'
    pa.set_language("fr")                         # reports, charts and their numbers in French from here on
    pa.worst_scopes(eng, "asa", "2026-09")        # partner × site, the worst first
    pa.population_behind(eng, "quality_score", "rivage", "2026-09")   # the evaluations behind it

turns an engagement folder (contract.yaml + tables) into objectives versus results, shared risks
and gains, and the reports of the steering committees. Money is integer cents everywhere; a row
whose `channel` is null is partner-wide (every channel of the partner together). The stages, in
the order the figures flow: `core`, `contract`, `io`, `metrics`, `evaluation`, `risk`,
`governance`, `pipeline`, `views`, `record`, `charts`, `whatif`, `reports`, `batch` (docs/architecture.md).

`WhatIf`, `Scenario`, `read_scenario`, `set_language` and `in_language` are imported on first use: the
what-if engine brings the scenario model, the reports' language babel, and `import partner_analytics` stays
quick for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .contract import Contract, Partner, ServiceLevel
from .core import (
    KPIS,
    SAMPLE_ENGAGEMENT,
    TABLES,
    ContractError,
    EngagementError,
    PartnerAnalyticsError,
    TableError,
    format_money,
)
from .io import Engagement, load
from .metrics import population_behind, worst_scopes
from .pipeline import Analysis, compute

# Public names imported from their stage on first use (PEP 562).
_LAZY = {
    "Comparison": "partner_analytics.whatif",
    "Scenario": "partner_analytics.whatif",
    "ScenarioError": "partner_analytics.whatif",
    "WhatIf": "partner_analytics.whatif",
    "read_scenario": "partner_analytics.whatif",
    "write_scenario": "partner_analytics.whatif",
    "set_language": "partner_analytics.views",
    "in_language": "partner_analytics.views",
}

__all__ = [
    "KPIS",
    "SAMPLE_ENGAGEMENT",
    "TABLES",
    "Analysis",
    "Comparison",
    "Contract",
    "ContractError",
    "Engagement",
    "EngagementError",
    "Partner",
    "PartnerAnalyticsError",
    "Scenario",
    "ScenarioError",
    "ServiceLevel",
    "TableError",
    "WhatIf",
    "compute",
    "format_money",
    "in_language",
    "load",
    "population_behind",
    "read_scenario",
    "set_language",
    "worst_scopes",
    "write_scenario",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'partner_analytics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
