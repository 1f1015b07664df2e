"""The committee's record (after `pipeline`): an append-only, hash-chained ledger kept with the
engagement (`ledger.jsonl`), in which the parties sign statements, dispute and resolve lines, and
from which locked months and their prior-period adjustments are read (formulas.md §10).
"""

from .ledger import (
    GENESIS,
    LEDGER_FILE,
    LedgerError,
    RecordError,
    append_entry,
    entry_hash,
    ledger_path,
    ledger_problems,
    read_ledger,
    verified_ledger,
)
from .signoff import PARTIES, SIGNATURE, locked_months, period_figures, sign, signatures, statement_period

__all__ = [
    "GENESIS",
    "LEDGER_FILE",
    "PARTIES",
    "SIGNATURE",
    "LedgerError",
    "RecordError",
    "append_entry",
    "entry_hash",
    "ledger_path",
    "ledger_problems",
    "locked_months",
    "period_figures",
    "read_ledger",
    "sign",
    "signatures",
    "statement_period",
    "verified_ledger",
]
