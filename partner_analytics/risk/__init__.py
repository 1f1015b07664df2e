"""Shared risks and gains in exact cents: charges, service credits and earn-back, bonuses (§3),
gain-share (§5), resource adjustments and the net statement (§6).
"""

from .bonuses import bonuses
from .charges import charges, with_charges_share
from .credits import EARNBACK_STATUSES, capped_amounts, credit_terms, credits
from .gain_share import gain_share
from .resource_adjustments import RESOURCE_POSITIONS, RESOURCE_SCHEMA, resource_adjustments
from .statement import STATEMENT_AMOUNTS, cycle_statement, statement

__all__ = [
    "EARNBACK_STATUSES",
    "RESOURCE_POSITIONS",
    "RESOURCE_SCHEMA",
    "STATEMENT_AMOUNTS",
    "bonuses",
    "capped_amounts",
    "charges",
    "credit_terms",
    "credits",
    "cycle_statement",
    "gain_share",
    "resource_adjustments",
    "statement",
    "with_charges_share",
]
