"""The net statement (formulas.md §6), in exact cents: `net = charges − credits + earned_back + bonus
+ corridor_compensation + gain_share + resource_adjustment` per partner × month, with the credits
still provisional shown apart; a cycle's statement is the sum of its months, so it adds up to the cent.
"""

from __future__ import annotations

import polars as pl

__all__ = ["STATEMENT_AMOUNTS", "cycle_statement", "statement"]

STATEMENT_AMOUNTS = (
    "charges",
    "credits",
    "credits_provisional",
    "earned_back",
    "bonus",
    "corridor_compensation",
    "gain_share",
    "resource_adjustment",
    "net",
)


def statement(
    charges_frame: pl.LazyFrame,
    credits_frame: pl.LazyFrame,
    bonuses_frame: pl.LazyFrame,
    corridor_frame: pl.LazyFrame,
    gain_frame: pl.LazyFrame,
    resource_frame: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The net statement per partner × month (every amount in cents); `resource_frame` holds the
    anchored-pricing adjustments (`resource_adjustments`), if any."""
    keys = ["partner_id", "month"]
    credit = credits_frame.group_by(keys).agg(
        pl.col("credit").sum().alias("credits"),
        pl.col("credit").filter(pl.col("earnback_status") == "provisional").sum().alias("credits_provisional"),
        pl.col("at_risk_amount").first().alias("at_risk_amount"),
    )
    earned = (
        credits_frame.filter(pl.col("earned_back") > 0)
        .group_by("partner_id", pl.col("earned_back_month").alias("month"))
        .agg(pl.col("earned_back").sum())
    )
    bonus = bonuses_frame.group_by(keys).agg(pl.col("bonus").sum())
    corridor = corridor_frame.group_by(keys).agg(pl.col("compensation").sum().alias("corridor_compensation"))
    gain = gain_frame.select(*keys, "gain_share")
    frame = charges_frame.select(*keys, "charges", "basis")
    parts = [credit, earned, bonus, corridor, gain]
    if resource_frame is not None:
        parts.append(resource_frame.group_by(keys).agg(pl.col("adjustment").sum().alias("resource_adjustment")))
    for part in parts:
        frame = frame.join(part, on=keys, how="left")
    if resource_frame is None:
        frame = frame.with_columns(pl.lit(0, dtype=pl.Int64).alias("resource_adjustment"))
    amounts = [a for a in STATEMENT_AMOUNTS if a not in ("charges", "net")]
    frame = frame.with_columns(pl.col(a).fill_null(0).cast(pl.Int64) for a in amounts)
    net = (
        pl.col("charges")
        - pl.col("credits")
        + pl.col("earned_back")
        + pl.col("bonus")
        + pl.col("corridor_compensation")
        + pl.col("gain_share")
        + pl.col("resource_adjustment")
    )
    return frame.with_columns(net.alias("net")).select(*keys, "basis", *STATEMENT_AMOUNTS).sort(keys)


def cycle_statement(statement_frame: pl.LazyFrame, cycle: str = "quarter") -> pl.LazyFrame:
    """The statement summed per partner × cycle (`month` or `quarter`); the cycle is labelled `2026-Q3`."""
    if cycle == "month":
        label = pl.col("month").dt.strftime("%Y-%m")
    elif cycle == "quarter":
        label = pl.format("{}-Q{}", pl.col("month").dt.year(), pl.col("month").dt.quarter())
    else:
        raise ValueError(f"cycle {cycle!r}: expected 'month' or 'quarter'")
    return (
        statement_frame.group_by("partner_id", label.alias("cycle"))
        .agg(
            pl.col("month").min().alias("first_month"),
            pl.len().alias("months"),
            *[pl.col(a).sum() for a in STATEMENT_AMOUNTS],
        )
        .sort("partner_id", "cycle")
    )
