"""The committee's record (after `pipeline`): an append-only, hash-chained ledger kept with the
engagement (`ledger.jsonl`), in which the parties sign statements, dispute and resolve lines, and
from which locked months and their prior-period adjustments are read (formulas.md §10).
"""

from .disputes import DISPUTE, LINES, OUTCOMES, RESOLUTION, dispute, disputes, line_amounts, payable, resolve
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
from .restatements import RESTATEMENTS_SCHEMA, recorded_statement, restatement_reason, restatements
from .signoff import PARTIES, SIGNATURE, locked_months, period_figures, sign, signatures, statement_period
from .states import CommitteeRecord, committee_record, month_signatures

__all__ = [
    "DISPUTE",
    "GENESIS",
    "LEDGER_FILE",
    "LINES",
    "OUTCOMES",
    "PARTIES",
    "RESOLUTION",
    "RESTATEMENTS_SCHEMA",
    "SIGNATURE",
    "CommitteeRecord",
    "LedgerError",
    "RecordError",
    "append_entry",
    "committee_record",
    "dispute",
    "disputes",
    "entry_hash",
    "ledger_path",
    "ledger_problems",
    "line_amounts",
    "locked_months",
    "month_signatures",
    "payable",
    "period_figures",
    "read_ledger",
    "recorded_statement",
    "resolve",
    "restatement_reason",
    "restatements",
    "sign",
    "signatures",
    "statement_period",
    "verified_ledger",
]
