"""Locked months never change silently: a recomputation that differs from the figures both parties
signed keeps the signed figures and carries the difference, line by line, into the next open month's
statement as a prior-period adjustment (formulas.md §10.4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ..risk.statement import STATEMENT_AMOUNTS
from .disputes import LINES

__all__ = ["RESTATEMENTS_SCHEMA", "recorded_statement", "restatement_reason", "restatements"]

RESTATEMENTS_SCHEMA = {
    "partner_id": pl.String,
    "month": pl.Date,
    "line": pl.String,
    "original": pl.Int64,
    "restated": pl.Int64,
    "difference": pl.Int64,
    "net_effect": pl.Int64,
    "adjusted_in": pl.Date,
    "reason": pl.String,
}


def restatement_reason(signed_files: dict[str, str], files: dict[str, str]) -> str:
    """Why the figures moved, from the SHA-256 of the inputs signed and of those computed now."""
    changed = [
        f"{name} ({'new' if name not in signed_files else 'removed' if name not in files else 'changed'})"
        for name in sorted(signed_files.keys() | files.keys())
        if signed_files.get(name) != files.get(name)
    ]
    if changed:
        return "inputs differ from those signed: " + ", ".join(changed)
    return "the inputs signed, computed again: the computation changed"


def _month(label: str) -> dt.date:
    return dt.date.fromisoformat(f"{label}-01")


def restatements(statement: pl.DataFrame, locked: list[dict[str, Any]], lineage: dict[str, Any]) -> pl.DataFrame:
    """Per locked month × statement line whose recomputed amount differs from the amount signed: the
    `original` and `restated` amounts (cents), their `difference`, its effect on the net, the month it
    is carried into (`adjusted_in`: the partner's next month of the statement not locked; null while
    there is none) and the reason."""
    files = {i["file"]: i["sha256"] for i in [lineage["contract"], *lineage["inputs"]]}
    locked_keys = {(m["partner_id"], _month(m["month"])) for m in locked}
    months = statement.select("partner_id", "month").sort("month")
    now = {(r["partner_id"], r["month"]): r for r in statement.to_dicts()}
    rows = []
    for m in locked:
        partner, month = m["partner_id"], _month(m["month"])
        current = now.get((partner, month))
        if current is None:
            continue
        later = months.filter((pl.col("partner_id") == partner) & (pl.col("month") > month))["month"].to_list()
        adjusted_in = next((d for d in later if (partner, d) not in locked_keys), None)
        reason = restatement_reason(m["inputs"]["files"], files)
        for line, sign in LINES.items():
            original, restated = m["figures"][line], int(current[line])
            if original != restated:
                rows.append(
                    {
                        "partner_id": partner,
                        "month": month,
                        "line": line,
                        "original": original,
                        "restated": restated,
                        "difference": restated - original,
                        "net_effect": sign * (restated - original),
                        "adjusted_in": adjusted_in,
                        "reason": reason,
                    }
                )
    return pl.DataFrame(rows, schema=RESTATEMENTS_SCHEMA).sort("partner_id", "month", "line")


def recorded_statement(
    statement: pl.LazyFrame, locked: list[dict[str, Any]], restatements_frame: pl.LazyFrame
) -> pl.LazyFrame:
    """The statement as the record has it: a locked month shows the figures signed, and the next open
    month its `prior_period_adjustment` (the net effect of the restatements carried into it), included
    in its `net`; `locked` says which months are."""
    keys = ["partner_id", "month"]
    signed = pl.LazyFrame(
        [{"partner_id": m["partner_id"], "month": _month(m["month"])} | m["figures"] for m in locked],
        schema={"partner_id": pl.String, "month": pl.Date} | dict.fromkeys(STATEMENT_AMOUNTS, pl.Int64),
    ).with_columns(pl.lit(True).alias("locked"))
    carried = restatements_frame.group_by("partner_id", pl.col("adjusted_in").alias("month")).agg(
        pl.col("net_effect").sum().alias("prior_period_adjustment")
    )
    frame = (
        statement.join(signed, on=keys, how="left", suffix="_signed")
        .with_columns(
            pl.col("locked").fill_null(False),
            *[pl.coalesce(f"{a}_signed", a).alias(a) for a in STATEMENT_AMOUNTS],
        )
        .join(carried, on=keys, how="left")
        .with_columns(pl.col("prior_period_adjustment").fill_null(0).cast(pl.Int64))
        .with_columns(pl.col("net") + pl.col("prior_period_adjustment"))
    )
    amounts = [a for a in STATEMENT_AMOUNTS if a != "net"]
    return frame.select(*keys, "basis", *amounts, "prior_period_adjustment", "net", "locked").sort(keys)
