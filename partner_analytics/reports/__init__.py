"""What each committee report holds, gathered from the computed tables for one partner and one
period, and the what-if scenario section of the client-only annex.
"""

from .committees import (
    OperationalReport,
    ProgrammeOverview,
    StrategicReport,
    committee_actions,
    operational_report,
    programme_overview,
    programme_statement,
    rejected_in_period,
    strategic_report,
)
from .scenario_section import (
    ScenarioSection,
    scenario_changes,
    scenario_html,
    scenario_section,
)

__all__ = [
    "OperationalReport",
    "ProgrammeOverview",
    "ScenarioSection",
    "StrategicReport",
    "committee_actions",
    "operational_report",
    "programme_overview",
    "programme_statement",
    "rejected_in_period",
    "scenario_changes",
    "scenario_html",
    "scenario_section",
    "strategic_report",
]
