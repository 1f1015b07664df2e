"""Objective versus result (FORMULAS §2): per partner × service level × month.

    partner_id, service_level, kpi, channel, month, value, note, target, minimum, stretch,
    allocation_pct, direction, gap, gap_to_minimum, attainment, status, stretch_reached,
    breach_streak, breaches_in_window, chronic_failure

`status` is one of STATUSES. A breach becomes *excused* when the volume was above the corridor
that month; a month below target but above the minimum stays *below target*. The grid holds every
month a partner is measured on (`periods.month_grid`), so a month without data is *not measurable*
and breaks a breach streak.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from .contract import Contract
from .kpis import direction_sign
from .money import UNIT

__all__ = ["STATUSES", "Status", "gaps", "service_levels", "status_expr"]

Status = Literal["met", "below target", "breach", "excused", "not measurable"]
STATUSES: tuple[Status, ...] = ("met", "below target", "breach", "excused", "not measurable")


def service_levels(contract: Contract) -> pl.LazyFrame:
    """The contract's service levels as a frame (allocation also in exact 10⁻⁶ units)."""
    rows = [
        {
            "partner_id": p.id,
            "service_level": sl.key,
            "kpi": sl.kpi,
            "channel": sl.channel,
            "target": sl.target,
            "minimum": sl.minimum,
            "stretch": sl.stretch,
            "allocation_pct": float(sl.allocation_pct),
            "allocation_u": int(sl.allocation_pct * UNIT),
            "direction": direction_sign(sl.kpi),
            "order": i,
        }
        for p in contract.partners
        for i, sl in enumerate(p.service_levels)
    ]
    schema = {
        "partner_id": pl.String,
        "service_level": pl.String,
        "kpi": pl.String,
        "channel": pl.String,
        "target": pl.Float64,
        "minimum": pl.Float64,
        "stretch": pl.Float64,
        "allocation_pct": pl.Float64,
        "allocation_u": pl.Int64,
        "direction": pl.Int8,
        "order": pl.Int32,
    }
    return pl.LazyFrame(rows, schema=schema)


def status_expr(
    value: pl.Expr, target: pl.Expr, minimum: pl.Expr, direction: pl.Expr, excused: pl.Expr | None = None
) -> pl.Expr:
    """The status of FORMULAS §2 from a value, its target and minimum and the KPI's direction."""
    d = direction.cast(pl.Float64)
    excused = pl.lit(False) if excused is None else excused.fill_null(False)
    return (
        pl.when(value.is_null() | value.is_nan())
        .then(pl.lit("not measurable"))
        .when(d * (value - target) >= 0)
        .then(pl.lit("met"))
        .when(d * (value - minimum) >= 0)
        .then(pl.lit("below target"))
        .when(excused)
        .then(pl.lit("excused"))
        .otherwise(pl.lit("breach"))
    )


def gaps(
    results: pl.LazyFrame,
    contract: Contract,
    grid: pl.LazyFrame,
    excused: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Every service level of every partner on its month grid, against its result.

    `grid` is `partner_id, month`; `excused` is `partner_id, channel, month, excused` (channel null for
    partner-wide service levels), e.g. from `corridor.excuses`.
    """
    keys = ["partner_id", "channel", "month", "kpi"]
    measured = results.select(*keys, "value", "note")
    frame = (
        service_levels(contract)
        .join(grid, on="partner_id", how="inner")
        .join(measured, on=keys, how="left", nulls_equal=True)
        .with_columns(
            pl.when(pl.col("value").is_null() & pl.col("note").is_null())
            .then(pl.lit("no data for this KPI in the month"))
            .otherwise(pl.col("note"))
            .alias("note")
        )
    )
    if excused is not None:
        frame = frame.join(excused, on=["partner_id", "channel", "month"], how="left", nulls_equal=True)
    else:
        frame = frame.with_columns(pl.lit(False).alias("excused"))
    v, t, m, d = pl.col("value"), pl.col("target"), pl.col("minimum"), pl.col("direction")
    status = status_expr(v, t, m, d, pl.col("excused"))
    frame = frame.with_columns(
        (v - t).alias("gap"),
        (v - m).alias("gap_to_minimum"),
        pl.when(d > 0).then(v / t).when(v != 0).then(t / v).alias("attainment"),
        status.alias("status"),
        (pl.col("stretch").is_not_null() & v.is_not_null() & (d.cast(pl.Float64) * (v - pl.col("stretch")) >= 0)).alias(
            "stretch_reached"
        ),
    ).sort("partner_id", "order", "month")
    return _with_streaks(frame, contract).select(
        "partner_id",
        "service_level",
        "kpi",
        "channel",
        "month",
        "value",
        "note",
        "target",
        "minimum",
        "stretch",
        "allocation_pct",
        "allocation_u",
        "direction",
        "gap",
        "gap_to_minimum",
        "attainment",
        "status",
        "stretch_reached",
        "breach_streak",
        "breaches_in_window",
        "chronic_failure",
        "order",
    )


def _with_streaks(frame: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Breach streaks and the chronic-failure flag (rows sorted by partner, service level, month)."""
    series = ["partner_id", "service_level"]
    breach = (pl.col("status") == "breach").cast(pl.Int32)
    run = (1 - breach).cum_sum().over(series)
    parts = []
    for p in contract.partners:
        rule = p.chronic_failure
        parts.append(
            frame.filter(pl.col("partner_id") == p.id)
            .with_columns(
                breach.cum_sum().over([*series, run]).alias("breach_streak"),
                breach.rolling_sum(window_size=rule.within_months, min_samples=1)
                .over(series)
                .alias("breaches_in_window"),
            )
            .with_columns((pl.col("breaches_in_window") >= rule.breaches).alias("chronic_failure"))
        )
    return (
        pl.concat(parts, how="vertical")
        if parts
        else frame.with_columns(
            pl.lit(0).alias("breach_streak"),
            pl.lit(0).alias("breaches_in_window"),
            pl.lit(False).alias("chronic_failure"),
        )
    )
