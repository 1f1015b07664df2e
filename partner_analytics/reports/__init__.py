"""What each committee report holds, gathered from the computed tables for one partner and one period:
its first page (summary), the banner of its rejected rows, the statement as the committee's record
held it on the committee's day (record_section), the decisions, comments and breaches without a plan
(follow_up), the contacts outside service hours and the relief granted (measurement), and the
what-if scenario section of the client-only annex.
"""

from .committees import (
    OperationalReport,
    ProgrammeOverview,
    StrategicReport,
    committee_actions,
    committee_forecasts,
    operational_report,
    programme_overview,
    programme_statement,
    rejected_in_period,
    strategic_report,
)
from .follow_up import follow_up_html
from .measurement import outside_hours_html, outside_hours_summary, relief_granted, relief_html
from .record_section import RecordSource, StatementRecord, open_record, record_html, statement_lines, statement_record
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
    "RecordSource",
    "ScenarioSection",
    "StatementRecord",
    "StrategicReport",
    "committee_actions",
    "committee_forecasts",
    "first_page",
    "first_page_html",
    "follow_up_html",
    "open_record",
    "operational_report",
    "outside_hours_html",
    "outside_hours_summary",
    "period_money",
    "programme_overview",
    "programme_statement",
    "record_html",
    "rejected_banner",
    "rejected_counts",
    "rejected_in_period",
    "relief_granted",
    "relief_html",
    "scenario_changes",
    "scenario_html",
    "scenario_section",
    "service_level_trends",
    "statement_lines",
    "statement_record",
    "strategic_report",
]
