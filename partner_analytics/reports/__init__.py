"""What each committee report holds, gathered from the computed tables for one partner and one
period, and the scenario section of a strategic report.
"""

from .committees import (
    OperationalReport,
    ProgrammeOverview,
    StrategicReport,
    operational_report,
    programme_overview,
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
    "operational_report",
    "programme_overview",
    "rejected_in_period",
    "scenario_changes",
    "scenario_html",
    "scenario_section",
    "strategic_report",
]
