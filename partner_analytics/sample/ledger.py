"""The sample's committee record (`ledger.jsonl`): July 2026 signed by both parties for every partner at
its operational committee (10 August, the contract's default `committees.operational_days`), on the
first invoice export, in which Rivage's email line of July was missing (it came after the July
committee: the corrected export restates July, carried into August); August signed by Rivage only;
two disputes of September's statement, one open, one rejected.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from ..io.engagement import load
from ..io.lineage import lineage
from ..pipeline.analysis import compute
from ..record.disputes import dispute, resolve
from ..record.ledger import ledger_path
from ..record.signoff import sign
from .files import write_french_invoices

__all__ = ["LATE_INVOICE_LINE", "write_sample_ledger"]

LATE_INVOICE_LINE = ("rivage", dt.date(2026, 7, 1), "email")  # partner, month, item
CLIENT = "Claire Morel"  # who signs for the client, and each provider's account manager
ACCOUNT_MANAGERS = {
    "northcall": "Hugo Lefebvre",
    "rivage": "Yanis Benali",
    "sudhorizon": "Inès Haddad",
    "atlas": "Aminata Diallo",
}


def _at(day: str, hour: int) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def write_sample_ledger(out: Path, invoices: pl.DataFrame, invoice_file: Path) -> Path:
    """Write the sample's ledger into the engagement `out` (replacing any), signing on the first export
    of `invoices` (written to `invoice_file`, then replaced by the complete export); return its path."""
    path = ledger_path(out)
    path.unlink(missing_ok=True)
    partner, month, item = LATE_INVOICE_LINE
    late = (pl.col("partner_id") == partner) & (pl.col("month") == month) & (pl.col("item") == item)
    write_french_invoices(invoices.filter(~late), invoice_file)
    eng = load(out).collected()
    analysis = compute(eng)
    statement, credits = analysis.statement.collect(), analysis.credits.collect()
    first = lineage(eng)
    ids = eng.contract.partner_ids
    for partner_id in ids:
        for party, by, hour in (("provider", ACCOUNT_MANAGERS[partner_id], 9), ("client", CLIENT, 16)):
            sign(
                path,
                statement,
                first,
                ids,
                period="2026-07",
                partner_id=partner_id,
                party=party,
                by=by,
                at=_at("2026-08-10", hour),
            )
    sign(
        path,
        statement,
        first,
        ids,
        period="2026-08",
        partner_id="rivage",
        party="provider",
        by=ACCOUNT_MANAGERS["rivage"],
        at=_at("2026-09-09", 10),
    )
    dispute(
        path,
        statement,
        credits,
        ids,
        month="2026-09",
        partner_id="rivage",
        line="credit:service_level/voice",
        reason="the telephony platform's outage of 14 September is the client's: relief requested",
        party="provider",
        by=ACCOUNT_MANAGERS["rivage"],
        at=_at("2026-10-08", 9),
    )
    answered = dispute(
        path,
        statement,
        credits,
        ids,
        month="2026-09",
        partner_id="sudhorizon",
        line="gain_share",
        reason="the FCR survey of September is not representative",
        party="client",
        by=CLIENT,
        at=_at("2026-10-08", 11),
    )
    resolve(
        path,
        answered["seq"],
        outcome="rejected",
        party="provider",
        by=ACCOUNT_MANAGERS["sudhorizon"],
        note="the survey follows the contract",
        at=_at("2026-10-10", 16),
    )
    write_french_invoices(invoices, invoice_file)
    return path
