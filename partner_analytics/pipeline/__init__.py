"""The one wiring of the chain, from an engagement to every computed table, and those tables on disk."""

from .analysis import (
    TABLE_NAMES,
    Analysis,
    analyse,
    compute,
)
from .chain import ContractChain, contract_chain, offered_contacts, restricted
from .store import TABLES_FOLDER, load_analysis, save_analysis

__all__ = [
    "TABLES_FOLDER",
    "TABLE_NAMES",
    "Analysis",
    "ContractChain",
    "analyse",
    "compute",
    "contract_chain",
    "load_analysis",
    "offered_contacts",
    "restricted",
    "save_analysis",
]
