"""Transparency (formulas.md §8): which data each party delivered, on time and complete, and the
provider's reported KPIs against the same KPIs recomputed from the raw data."""

from __future__ import annotations

import polars as pl

from ..core.kpis import KPIS

__all__ = ["RATE_TOLERANCE", "RELATIVE_TOLERANCE", "delivery_scorecard", "discrepancies"]

RATE_TOLERANCE = 0.005
RELATIVE_TOLERANCE = 0.01


def delivery_scorecard(
    deliveries: pl.LazyFrame, *, delivered_on: bool = True, complete_known: bool = True
) -> pl.LazyFrame:
    """Per partner × party × month: datasets due, delivered on time, complete, and the two rates.

    On time: delivered on or before `due_on`; not delivered counts as late. Complete: delivered and
    marked complete. Without the `delivered_on` column (`delivered_on` False) nothing is measurable
    but what is due; without `complete`, completeness is not: those figures are null, never 0.
    """
    on_time = pl.col("delivered_on").is_not_null() & (pl.col("delivered_on") <= pl.col("due_on"))
    complete = pl.col("delivered_on").is_not_null() & pl.col("complete").fill_null(False)
    unknown = pl.lit(None, dtype=pl.Int64)
    return (
        deliveries.group_by("partner_id", "party", pl.col("period").alias("month"))
        .agg(
            pl.len().cast(pl.Int64).alias("due"),
            (pl.col("delivered_on").is_not_null().sum().cast(pl.Int64) if delivered_on else unknown).alias("delivered"),
            (on_time.sum().cast(pl.Int64) if delivered_on else unknown).alias("on_time"),
            (complete.sum().cast(pl.Int64) if delivered_on and complete_known else unknown).alias("complete"),
            (
                pl.col("dataset").filter(~on_time).sort().str.join(", ") if delivered_on else pl.lit(None, pl.String)
            ).alias("late_datasets"),
        )
        .with_columns(
            (pl.col("on_time") / pl.col("due")).alias("on_time_rate"),
            (pl.col("complete") / pl.col("due")).alias("completeness_rate"),
        )
        .sort("partner_id", "month", "party")
    )


def discrepancies(reported: pl.LazyFrame, results: pl.LazyFrame) -> pl.LazyFrame:
    """Reported versus recomputed per partner × channel × month × KPI, flagged beyond tolerance.

    Flagged when |reported − recomputed| > 0.005 for rates, or > 1 % of the recomputed value for
    counts, durations and scores; a reported KPI that cannot be recomputed is flagged too.
    """
    rates = [k.name for k in KPIS.values() if k.is_rate]
    keys = ["partner_id", "channel", "month", "kpi"]
    recomputed = results.select(*keys, pl.col("value").alias("recomputed"))
    d = pl.col("value") - pl.col("recomputed")
    beyond = (
        pl.when(pl.col("kpi").is_in(rates))
        .then(d.abs() > RATE_TOLERANCE)
        .otherwise(d.abs() > RELATIVE_TOLERANCE * pl.col("recomputed").abs())
    )
    return (
        reported.join(recomputed, on=keys, how="left", nulls_equal=True)
        .select(
            *keys,
            pl.col("value").alias("reported"),
            "recomputed",
            d.alias("discrepancy"),
            pl.when(pl.col("recomputed") != 0).then(d / pl.col("recomputed")).alias("relative"),
            (pl.col("recomputed").is_null() | beyond.fill_null(False)).alias("flagged"),
            pl.when(pl.col("recomputed").is_null())
            .then(pl.lit("not recomputable from the raw data"))
            .cast(pl.String)
            .alias("note"),
        )
        .sort(keys, nulls_last=True)
    )
