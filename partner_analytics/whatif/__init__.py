"""What-if scenarios: the terms a scenario can change (declared once, `controls`), typed scenario
files, the queueing model, operations and term changes re-run through the pipeline's chain, the exit
plan. The app (`whatif.app`, its widgets and panels) and its web server (`whatif.webapp`) are
imported from their modules: they bring the widget stack.
"""

from .controls import (
    CONTROLS,
    NOTICE,
    OPERATIONS_CONTROLS,
    PARTNER_CONTROLS,
    SERVICE_LEVEL_CONTROLS,
    Control,
    changed_service_level,
    changed_terms,
)
from .engine import (
    Comparison,
    ContractTables,
    WhatIf,
    repriced_invoices,
)
from .exit_plan import FEE_MONTHS, ExitPlan, exit_plan
from .operations import (
    ChangeKey,
    contact_counts,
    count_sums,
    interval_inputs,
    modelled_months,
    operations_results,
    patience,
)
from .queueing import (
    QueueEstimates,
    erlang_a,
    erlang_b,
    erlang_c,
    interval_estimates,
    offered_load,
)
from .scenario import (
    BonusChange,
    ChannelOperations,
    CorridorChange,
    ExitChoice,
    GainShareChange,
    PartnerScenario,
    Scenario,
    ScenarioError,
    ServiceLevelChange,
    TermChanges,
    Window,
    changed_contract,
    parse_scenario,
    read_scenario,
    write_scenario,
)

__all__ = [
    "CONTROLS",
    "FEE_MONTHS",
    "NOTICE",
    "OPERATIONS_CONTROLS",
    "PARTNER_CONTROLS",
    "SERVICE_LEVEL_CONTROLS",
    "BonusChange",
    "ChangeKey",
    "ChannelOperations",
    "Comparison",
    "ContractTables",
    "Control",
    "CorridorChange",
    "ExitChoice",
    "ExitPlan",
    "GainShareChange",
    "PartnerScenario",
    "QueueEstimates",
    "Scenario",
    "ScenarioError",
    "ServiceLevelChange",
    "TermChanges",
    "WhatIf",
    "Window",
    "changed_contract",
    "changed_service_level",
    "changed_terms",
    "contact_counts",
    "count_sums",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "exit_plan",
    "interval_estimates",
    "interval_inputs",
    "modelled_months",
    "offered_load",
    "operations_results",
    "parse_scenario",
    "patience",
    "read_scenario",
    "repriced_invoices",
    "write_scenario",
]
