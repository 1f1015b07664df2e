"""The other committee tables (§8): the committees' dates, decisions, comments and the breaches without an
improvement plan, the action log, transparency and reported-versus-recomputed
KPIs, invoice reconciliation, and exit readiness with the contract's timeline.
"""

from .actions import action_figures, open_actions
from .committees import IMPROVEMENT_PLAN, breaches_without_plan, committee_date, period_comments, period_decisions
from .reconciliation import reconciliation
from .reversibility import SCORES, readiness, timeline
from .transparency import (
    RATE_TOLERANCE,
    RELATIVE_TOLERANCE,
    delivery_scorecard,
    discrepancies,
)

__all__ = [
    "IMPROVEMENT_PLAN",
    "RATE_TOLERANCE",
    "RELATIVE_TOLERANCE",
    "SCORES",
    "action_figures",
    "breaches_without_plan",
    "committee_date",
    "delivery_scorecard",
    "discrepancies",
    "open_actions",
    "period_comments",
    "period_decisions",
    "readiness",
    "reconciliation",
    "timeline",
]
