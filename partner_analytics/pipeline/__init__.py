"""The one wiring of the chain, from an engagement to every computed table, and those tables on disk."""

from .analysis import (
    TABLE_NAMES,
    Analysis,
    analyse,
    compute,
)
from .store import TABLES_FOLDER, load_analysis, save_analysis

__all__ = [
    "TABLES_FOLDER",
    "TABLE_NAMES",
    "Analysis",
    "analyse",
    "compute",
    "load_analysis",
    "save_analysis",
]
