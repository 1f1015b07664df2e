"""Disputes: a party contests a line of a partner's statement for a month, the other answers it
(accepted, rejected, amended); the part of the month no open dispute can change is payable
(formulas.md §10.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..core.errors import did_you_mean
from .ledger import RecordError, append_entry
from .signoff import PARTIES, known_partner, statement_period

__all__ = [
    "DISPUTE",
    "LINES",
    "OUTCOMES",
    "RESOLUTION",
    "dispute",
    "disputes",
    "line_amounts",
    "payable",
    "resolve",
]

DISPUTE = "dispute"  # the kinds of the ledger's entries
RESOLUTION = "resolution"
# The statement's lines a party can dispute, with their sign in the net (§6); `credit:<service level>`
# is one service level's credit.
LINES = {
    "charges": 1,
    "credits": -1,
    "earned_back": 1,
    "bonus": 1,
    "corridor_compensation": 1,
    "gain_share": 1,
    "resource_adjustment": 1,
}
CREDIT_OF = "credit:"
OUTCOMES = ("accepted", "rejected", "amended")


def line_sign(line: str) -> int:
    return -1 if line.startswith(CREDIT_OF) else LINES[line]


def line_amounts(statement: pl.DataFrame, credits: pl.DataFrame, partner_id: str, month: dt.date) -> dict[str, int]:
    """Every disputable line of the partner's month and its amount in cents (`credit:<service level>`
    for each service level with a credit)."""
    row = statement.filter((pl.col("partner_id") == partner_id) & (pl.col("month") == month))
    if row.is_empty():
        return {}
    lines = {line: int(row[line][0]) for line in LINES}
    per_level = (
        credits.filter((pl.col("partner_id") == partner_id) & (pl.col("month") == month))
        .group_by("service_level")
        .agg(pl.col("credit").sum())
        .sort("service_level")
    )
    return lines | {f"{CREDIT_OF}{r['service_level']}": int(r["credit"]) for r in per_level.to_dicts()}


def _required(text: str, option: str) -> str:
    if not text.strip():
        raise RecordError(f"empty: expected {option} TEXT", key=option)
    return text.strip()


def _party(party: str) -> str:
    if party not in PARTIES:
        raise RecordError(f"party {party!r}: expected client or provider", key="--party")
    return party


def dispute(
    ledger: Path,
    statement: pl.DataFrame,
    credits: pl.DataFrame,
    partners: Sequence[str],
    *,
    month: str,
    partner_id: str,
    line: str,
    reason: str,
    party: str,
    by: str,
    claimed: int = 0,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record `party`'s dispute of a line of the partner's statement for `month`, with its reason and the
    amount it holds right (`claimed`, cents; 0 contests the whole line); the entry's `seq` is the dispute's
    number. Refused, with nothing written: an unknown partner, a month without a statement, a line that
    does not exist, a line already in open dispute."""
    _party(party)
    reason, by = _required(reason, "--reason"), _required(by, "--by")
    known_partner(partner_id, partners)
    period = statement_period(month)
    if period.kind != "month":
        raise RecordError(f"{month!r}: a dispute is on a month's statement, expected YYYY-MM", key="MONTH")
    amounts = line_amounts(statement, credits, partner_id, period.start)
    if not amounts:
        raise RecordError(f"no statement of {partner_id} for {period.label}", key="MONTH")
    if line not in amounts:
        raise RecordError(f"line {line!r} is not in the statement ({did_you_mean(line, list(amounts))})", key="--line")

    def checked(entries: list[dict[str, Any]]) -> dict[str, Any]:
        still_open = disputes(entries, dt.date.today()).filter(
            (pl.col("status") == "open")
            & (pl.col("partner_id") == partner_id)
            & (pl.col("month") == period.start)
            & (pl.col("line") == line)
        )
        if not still_open.is_empty():
            raise RecordError(
                f"{line} of {partner_id} {period.label} is already in dispute (dispute {still_open['dispute'][0]}): "
                "resolve it first",
                key="--line",
            )
        return {
            "partner_id": partner_id,
            "month": period.label,
            "line": line,
            "amount": amounts[line],
            "claimed": claimed,
            "reason": reason,
            "party": party,
            "by": by,
        }

    return append_entry(ledger, DISPUTE, checked, at=at)


def resolve(
    ledger: Path,
    dispute_id: int,
    *,
    outcome: str,
    party: str,
    by: str,
    amount: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record the answer to a dispute: `accepted` (the line becomes the amount claimed), `rejected` (it stays
    as computed) or `amended` (it becomes `amount`, cents). Refused: an unknown or already resolved dispute,
    an amount missing (amended) or given (accepted, rejected)."""
    _party(party)
    by = _required(by, "--by")
    if outcome not in OUTCOMES:
        raise RecordError(f"outcome {outcome!r}: expected accepted, rejected or amended", key="--outcome")
    if (outcome == "amended") != (amount is not None):
        raise RecordError(
            "an amended dispute needs --amount (the line's amount agreed)"
            if amount is None
            else f"--amount is for an amended dispute, not an {outcome} one",
            key="--amount",
        )

    def checked(entries: list[dict[str, Any]]) -> dict[str, Any]:
        found = disputes(entries, dt.date.today()).filter(pl.col("dispute") == dispute_id)
        if found.is_empty():
            raise RecordError(f"no dispute {dispute_id} in the ledger", key="DISPUTE")
        d = found.row(0, named=True)
        if d["status"] != "open":
            raise RecordError(
                f"dispute {dispute_id} is already {d['status']} ({d['resolved_at']:%Y-%m-%d})", key="DISPUTE"
            )
        settled = {"accepted": d["claimed"], "rejected": d["amount"], "amended": amount}[outcome]
        return {"dispute": dispute_id, "outcome": outcome, "settled": settled, "party": party, "by": by, "note": note}

    return append_entry(ledger, RESOLUTION, checked, at=at)


DISPUTES_SCHEMA = {
    "dispute": pl.Int64,
    "partner_id": pl.String,
    "month": pl.Date,
    "line": pl.String,
    "amount": pl.Int64,
    "claimed": pl.Int64,
    "sign": pl.Int64,
    "reason": pl.String,
    "party": pl.String,
    "opened_by": pl.String,
    "opened_at": pl.Datetime("us", "UTC"),
    "status": pl.String,
    "settled": pl.Int64,
    "resolved_by": pl.String,
    "resolved_at": pl.Datetime("us", "UTC"),
    "age_days": pl.Int64,
}


def disputes(entries: list[dict[str, Any]], today: dt.date) -> pl.DataFrame:
    """Every dispute of the ledger with its state: `open` (its age in days on `today`) or its outcome,
    the amount settled and when (age: from opened to resolved)."""
    answers = {e["data"]["dispute"]: e for e in entries if e["kind"] == RESOLUTION}
    rows = []
    for e in entries:
        if e["kind"] != DISPUTE:
            continue
        d, answer = e["data"], answers.get(e["seq"])
        opened = dt.datetime.fromisoformat(e["at"])
        resolved = dt.datetime.fromisoformat(answer["at"]) if answer else None
        rows.append(
            {
                "dispute": e["seq"],
                "partner_id": d["partner_id"],
                "month": statement_period(d["month"]).start,
                "line": d["line"],
                "amount": d["amount"],
                "claimed": d["claimed"],
                "sign": line_sign(d["line"]),
                "reason": d["reason"],
                "party": d["party"],
                "opened_by": d["by"],
                "opened_at": opened,
                "status": answer["data"]["outcome"] if answer else "open",
                "settled": answer["data"]["settled"] if answer else None,
                "resolved_by": answer["data"]["by"] if answer else None,
                "resolved_at": resolved,
                "age_days": ((resolved.date() if resolved else today) - opened.date()).days,
            }
        )
    return pl.DataFrame(rows, schema=DISPUTES_SCHEMA)


def payable(statement: pl.LazyFrame, disputes_frame: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner × month of the statement: the `net` (§6), the `settled_net` once the resolved disputes
    are applied, the `payable` part no open dispute can change, the amount `in_dispute` (how far the
    open disputes can move it) and the number of `open_disputes` (formulas.md §10.3)."""
    keys = ["partner_id", "month"]
    d = disputes_frame.with_columns(
        change=pl.col("sign") * (pl.col("claimed") - pl.col("amount")),
        settled_change=pl.col("sign") * (pl.col("settled") - pl.col("amount")),
        open=pl.col("status") == "open",
    )
    per_month = d.group_by(keys).agg(
        pl.col("settled_change").filter(~pl.col("open")).sum().alias("resolved"),
        pl.col("change").filter(pl.col("open")).clip(upper_bound=0).sum().alias("down"),
        pl.col("change").filter(pl.col("open")).clip(lower_bound=0).sum().alias("up"),
        pl.col("open").sum().cast(pl.Int64).alias("open_disputes"),
    )
    frame = statement.select(*keys, "net").join(per_month, on=keys, how="left")
    frame = frame.with_columns(pl.col("resolved", "down", "up", "open_disputes").fill_null(0).cast(pl.Int64))
    settled = pl.col("net") + pl.col("resolved")
    low, high = settled + pl.col("down"), settled + pl.col("up")
    owed = pl.when(low >= 0).then(low).when(high <= 0).then(high).otherwise(0)
    return (
        frame.with_columns(settled.alias("settled_net"), owed.alias("payable"), (high - low).alias("in_dispute"))
        .select(*keys, "net", "settled_net", "payable", "in_dispute", "open_disputes")
        .sort(keys)
    )
