"""Objectives versus results (§2): gaps and statuses per service level and month, the months relief
events excuse (§2.1), and the volume corridor (§4) whose excuses they read.
"""

from .gaps import (
    STATUSES,
    Status,
    gaps,
    service_levels,
    status_expr,
    termination_rights,
)
from .relief import relief_excuses, relief_note
from .volume_corridor import CORRIDOR_POSITIONS, corridor, excuses

__all__ = [
    "CORRIDOR_POSITIONS",
    "STATUSES",
    "Status",
    "corridor",
    "excuses",
    "gaps",
    "relief_excuses",
    "relief_note",
    "service_levels",
    "status_expr",
    "termination_rights",
]
