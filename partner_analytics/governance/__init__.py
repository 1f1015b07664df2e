"""The other committee tables (§8): the action log, transparency and reported-versus-recomputed
KPIs, invoice reconciliation, and exit readiness with the contract's timeline.
"""

from .actions import action_figures, open_actions
from .reconciliation import reconciliation
from .reversibility import SCORES, readiness, timeline
from .transparency import (
    RATE_TOLERANCE,
    RELATIVE_TOLERANCE,
    delivery_scorecard,
    discrepancies,
)

__all__ = [
    "RATE_TOLERANCE",
    "RELATIVE_TOLERANCE",
    "SCORES",
    "action_figures",
    "delivery_scorecard",
    "discrepancies",
    "open_actions",
    "readiness",
    "reconciliation",
    "timeline",
]
