"""What each committee report holds, gathered from the computed tables for one partner and one
period: its first page (summary), the banner of its rejected rows, and the what-if scenario section
of the client-only annex.
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
from .rejected_banner import REJECTED_TABLE, rejected_banner, rejected_counts
from .scenario_section import (
    ScenarioSection,
    scenario_changes,
    scenario_html,
    scenario_section,
)
from .summary import FirstPage, first_page, first_page_html, period_money, service_level_trends

__all__ = [
    "REJECTED_TABLE",
    "FirstPage",
    "OperationalReport",
    "ProgrammeOverview",
    "ScenarioSection",
    "StrategicReport",
    "committee_actions",
    "first_page",
    "first_page_html",
    "operational_report",
    "period_money",
    "programme_overview",
    "programme_statement",
    "rejected_banner",
    "rejected_counts",
    "rejected_in_period",
    "scenario_changes",
    "scenario_html",
    "scenario_section",
    "service_level_trends",
    "strategic_report",
]
