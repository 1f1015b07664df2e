"""The state of each month of a statement as the record has it, for the reports and the command line:
draft, signed by one party, or locked (signed by both); disputed; restated; and what is payable
(formulas.md §10.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .disputes import disputes, payable
from .ledger import verified_ledger
from .restatements import recorded_statement, restatements
from .signoff import SIGNATURE, locked_months, signatures

__all__ = ["CommitteeRecord", "committee_record", "month_signatures"]


def month_signatures(entries: list[dict[str, Any]]) -> pl.DataFrame:
    """Per partner × month signed by a party (directly or in its quarter): who signed, when, for which
    period; first signature of each party only."""
    rows = {}
    for e in entries:
        if e["kind"] != SIGNATURE:
            continue
        d = e["data"]
        for month in d["figures"]:
            rows.setdefault(
                (d["partner_id"], month, d["party"]),
                {
                    "partner_id": d["partner_id"],
                    "month": dt.date.fromisoformat(f"{month}-01"),
                    "party": d["party"],
                    "signed_by": d["by"],
                    "signed_at": dt.datetime.fromisoformat(e["at"]),
                    "period": d["period"],
                },
            )
    schema = {
        "partner_id": pl.String,
        "month": pl.Date,
        "party": pl.String,
        "signed_by": pl.String,
        "signed_at": pl.Datetime("us", "UTC"),
        "period": pl.String,
    }
    return pl.DataFrame(list(rows.values()), schema=schema).sort("partner_id", "month", "signed_at")


@dataclass(frozen=True)
class CommitteeRecord:
    """What the ledger says of an engagement's statements (DataFrames, amounts in cents)."""

    entries: int
    head: str | None
    signatures: pl.DataFrame
    disputes: pl.DataFrame
    restatements: pl.DataFrame
    statement: pl.DataFrame

    def partner(self, partner_id: str) -> CommitteeRecord:
        """The same record restricted to one partner: a partner's report holds only its own."""
        only = pl.col("partner_id") == partner_id
        return CommitteeRecord(
            self.entries,
            self.head,
            self.signatures.filter(only),
            self.disputes.filter(only),
            self.restatements.filter(only),
            self.statement.filter(only),
        )


def committee_record(
    ledger: Path | None,
    statement: pl.DataFrame,
    lineage: dict[str, Any],
    today: dt.date,
    *,
    as_of: dt.date | None = None,
) -> CommitteeRecord:
    """The verified ledger read against the statement computed now: the signatures, the disputes and
    their age on `today`, the restatements, and the statement as recorded, per partner × month, with
    its `state` (draft, signed, locked), who signed (`signed`), the `open_disputes`, whether it was
    `restated`, and the `payable` part and the amount `in_dispute`.

    `as_of` (a committee's date) keeps the entries made up to that day only, and ages the disputes
    on it: the record as that committee saw it. No `ledger`: an engagement without a record (every
    month a draft)."""
    entries = verified_ledger(ledger) if ledger is not None else []
    if as_of is not None:
        entries = [e for e in entries if dt.datetime.fromisoformat(e["at"]).date() <= as_of]
        today = as_of
    locked = locked_months(entries)
    found = restatements(statement, locked, lineage)
    disputed = disputes(entries, today)
    keys = ["partner_id", "month"]
    recorded = recorded_statement(statement.lazy(), locked, found.lazy())
    signed = (
        month_signatures(entries)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.len().alias("parties"),
            pl.format("{} ({}, {})", "party", "signed_by", pl.col("signed_at").dt.strftime("%Y-%m-%d"))
            .str.join("; ")
            .alias("signed"),
        )
    )
    restated = found.lazy().select(keys).unique().with_columns(pl.lit(True).alias("restated"))
    state = (
        pl.when(pl.col("locked"))
        .then(pl.lit("locked"))
        .when(pl.col("parties") > 0)
        .then(pl.lit("signed"))
        .otherwise(pl.lit("draft"))
    )
    table = (
        recorded.join(signed.lazy(), on=keys, how="left")
        .join(restated, on=keys, how="left")
        .join(payable(recorded, disputed.lazy()).select(*keys, "payable", "in_dispute", "open_disputes"), on=keys)
        .with_columns(
            state.alias("state"),
            pl.col("signed").fill_null(""),
            pl.col("restated").fill_null(False),
        )
        .drop("parties")
        .sort(keys)
        .collect()
    )
    return CommitteeRecord(
        entries=len(entries),
        head=entries[-1]["hash"] if entries else None,
        signatures=signatures(entries),
        disputes=disputed,
        restatements=found,
        statement=table,
    )
