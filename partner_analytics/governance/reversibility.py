"""Exit readiness (formulas.md §8): the reversibility checklist's score and the contract's timeline.

readiness = Σ weight·score / Σ weight with done = 1, in progress = 0.5, not started = 0. The term
ends on the contract's end; notice must be given by the last notice date (end − notice_months); a
transition started at `as_of` fits when it ends by the term end. A chronic failure
(`evaluation.termination_rights`: repeated breaches, or credits at the at-risk cap, as the contract's
`chronic_failure` says) opens the client's termination right.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.periods import add_months, shift_months
from ..evaluation.gaps import termination_rights

__all__ = ["SCORES", "readiness", "timeline"]

SCORES = {"done": 1.0, "in_progress": 0.5, "not_started": 0.0}


def readiness(checklist: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner (and per partner × area): weighted readiness and item counts."""
    score = pl.col("status").replace_strict(SCORES, return_dtype=pl.Float64)

    def figures(*keys: str) -> pl.LazyFrame:
        return checklist.group_by(*keys).agg(
            ((pl.col("weight") * score).sum() / pl.col("weight").sum()).alias("readiness"),
            pl.len().cast(pl.Int64).alias("items"),
            (pl.col("status") == "done").sum().cast(pl.Int64).alias("done"),
            (pl.col("status") == "in_progress").sum().cast(pl.Int64).alias("in_progress"),
            (pl.col("status") == "not_started").sum().cast(pl.Int64).alias("not_started"),
        )

    by_area = figures("partner_id", "area")
    overall = figures("partner_id").with_columns(pl.lit(None, dtype=pl.String).alias("area"))
    return pl.concat([overall, by_area.select(overall.collect_schema().names())], how="vertical").sort(
        "partner_id", "area", nulls_last=False
    )


def timeline(
    contract: Contract, as_of: pl.LazyFrame, gaps: pl.LazyFrame | None = None, credits: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """Per partner: the contract timeline seen from `as_of` (a one-row frame `as_of`, a date), and
    whether a chronic failure opened the termination right that month (from `gaps`, and `credits`
    for the cap rule).

    Columns: partner_id, start, end, notice_months, transition_months, last_notice_date, as_of,
    months_to_end, notice_still_possible, transition_fits, chronic_service_levels, termination_right,
    termination_reason.
    """
    terms = pl.LazyFrame(
        {
            "partner_id": [p.id for p in contract.partners],
            "start": [p.start for p in contract.partners],
            "end": [p.end for p in contract.partners],
            "notice_months": [p.reversibility.notice_months if p.reversibility else 0 for p in contract.partners],
            "transition_months": [
                p.reversibility.transition_months if p.reversibility else 0 for p in contract.partners
            ],
            "last_notice_date": [
                add_months(p.end, -(p.reversibility.notice_months if p.reversibility else 0)) for p in contract.partners
            ],
        },
        schema={
            "partner_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "notice_months": pl.Int64,
            "transition_months": pl.Int64,
            "last_notice_date": pl.Date,
        },
    )
    end, day = pl.col("end"), pl.col("as_of")
    frame = terms.join(as_of, how="cross").with_columns(
        ((end.dt.year() - day.dt.year()) * 12 + end.dt.month().cast(pl.Int64) - day.dt.month().cast(pl.Int64)).alias(
            "months_to_end"
        ),
        (day <= pl.col("last_notice_date")).alias("notice_still_possible"),
        (shift_months(day, pl.col("transition_months")) <= end).alias("transition_fits"),
    )
    if gaps is None:
        return frame.with_columns(
            pl.lit(None, dtype=pl.String).alias("chronic_service_levels"),
            pl.lit(False).alias("termination_right"),
            pl.lit(None, dtype=pl.String).alias("termination_reason"),
        )
    chronic = (
        termination_rights(gaps, credits, contract)
        .join(as_of, how="cross")
        .filter(pl.col("month") == pl.col("as_of").dt.truncate("1mo"))
        .select("partner_id", "chronic_service_levels", "chronic_failure", "termination_reason")
    )
    return (
        frame.join(chronic, on="partner_id", how="left")
        .with_columns(pl.col("chronic_failure").fill_null(False).alias("termination_right"))
        .drop("chronic_failure")
    )
