"""The KPIs of tables other than the contacts (formulas.md §1): the quality score from the evaluations and
the occupancy from the staffing intervals, per channel and partner-wide."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..core.kpis import as_seconds, microseconds
from .contact_kpis import month_of
from .partner_wide import with_partner_wide
from .result_rows import ratio_rows

__all__ = ["occupancy_results", "quality_results"]


def quality_results(quality: pl.LazyFrame, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """Mean evaluation score per partner × month, partner-wide and per channel where evaluations carry one."""
    keys = ["partner_id", "channel", "month"]
    per_channel = (
        quality.with_columns(month_of(pl.col("evaluated_at")).alias("month"))
        .group_by(keys)
        # scores summed as whole millionths: integer sums do not depend on the order of the additions
        .agg(
            microseconds(pl.col("score")).sum().alias("numerator"),
            pl.col("score").count().cast(pl.Float64).alias("denominator"),
        )
    )
    both = with_partner_wide(per_channel, keys).with_columns(as_seconds(pl.col("numerator")))
    return ratio_rows(both, "quality_score", scope)


def occupancy_results(staffing: pl.LazyFrame, contact_kpis: pl.LazyFrame, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """Σ handle_s / Σ (agents_logged_in × interval seconds) per partner × channel × month, and partner-wide.

    Σ handle_s of the answered contacts is the numerator of the `aht` rows of `contact_kpis` (what
    `contact_results` returns), so the contacts are not read again.
    """
    keys = ["partner_id", "channel", "month"]
    capacity = (
        staffing.with_columns(month_of(pl.col("interval_start")).alias("month"))
        .group_by(keys)
        .agg(microseconds(pl.col("agents_logged_in") * pl.col("interval_minutes") * 60).sum().alias("denominator"))
        .with_columns(as_seconds(pl.col("denominator")))
    )
    handled = (
        contact_kpis.filter((pl.col("kpi") == "aht") & pl.col("channel").is_not_null())
        .group_by(keys)
        .agg(pl.col("numerator").sort().sum())
    )
    per_channel = capacity.join(handled, on=keys, how="left").with_columns(pl.col("numerator").fill_null(0.0))
    return ratio_rows(with_partner_wide(per_channel, keys), "occupancy", scope)
