"""Objective versus result (formulas.md §2): per partner × service level × month.

    partner_id, service_level, kpi, channel, month, value, note, target, minimum, stretch,
    allocation_pct, direction, gap, gap_to_minimum, attainment, status, stretch_reached,
    breach_streak, miss_streak, breaches_in_window, chronic_failure

`status` is one of STATUSES. A breach becomes *excused* when the volume was above the corridor
that month; a month below target but above the minimum stays *below target*. A month a relief event
excuses (`relief` table, effect `excuse_month`), below target or in breach, is *excused (relief)*,
its note the relief's reason. The grid holds every
month a partner is measured on (`periods.month_grid`), so a month without data is *not measurable*
and breaks a breach streak. `miss_streak` counts the months below target (below target or breach)
in a row. A service level with a `formula` of its own reads its value from the results' counts
rather than from the channel's `service_level` row.

`termination_rights` says, per partner × month, whether a chronic failure (breaches of one service
level within a window, and/or credits at the at-risk cap in K of the last M months) opens the
client's termination right.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from ..contract.terms import Contract
from ..core.kpis import direction_sign
from ..core.money import UNIT
from ..metrics.service_level import SERVICE_LEVEL_COUNTS, count_columns, service_level_terms
from .measurement_periods import with_measurement_periods
from .relief import relief_excuses

__all__ = ["STATUSES", "Status", "gaps", "service_levels", "status_expr", "termination_rights"]

Status = Literal["met", "below target", "breach", "excused", "excused (relief)", "not measurable"]
STATUSES: tuple[Status, ...] = ("met", "below target", "breach", "excused", "excused (relief)", "not measurable")


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
            "formula_denominator": sl.formula.denominator if sl.formula else None,
            "formula_shorts_in": sl.formula.short_abandons_in_denominator if sl.formula else None,
            "formula_abandons_in": sl.formula.abandons_in_service if sl.formula else None,
            "measurement_period": sl.measurement_period,
            "rolling_months": sl.rolling_months,
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
        "formula_denominator": pl.String,
        "formula_shorts_in": pl.Boolean,
        "formula_abandons_in": pl.Boolean,
        "measurement_period": pl.String,
        "rolling_months": pl.Int64,
    }
    return pl.LazyFrame(rows, schema=schema)


def status_expr(
    value: pl.Expr, target: pl.Expr, minimum: pl.Expr, direction: pl.Expr, excused: pl.Expr | None = None
) -> pl.Expr:
    """The status of formulas.md §2 from a value, its target and minimum and the KPI's direction."""
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
    relief: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Every service level of every partner on its month grid, against its result.

    `grid` is `partner_id, month`; `excused` is `partner_id, channel, month, excused` (channel null for
    partner-wide service levels), e.g. from `corridor.excuses`; `relief` is the engagement's relief
    table (formulas.md §2.1).
    """
    keys = ["partner_id", "channel", "month", "kpi"]
    measured = results.select(*keys, "value", "note", "numerator", "denominator")
    frame = (
        service_levels(contract)
        .join(grid, on="partner_id", how="inner")
        .join(measured, on=keys, how="left", nulls_equal=True)
    )
    if any(sl.formula for p in contract.partners for sl in p.service_levels):
        frame = _with_own_formulas(frame, results)
    frame = frame.with_columns(
        pl.when(pl.col("value").is_null() & pl.col("note").is_null())
        .then(pl.lit("no data for this KPI in the month"))
        .otherwise(pl.col("note"))
        .alias("note")
    )
    windows = sorted({sl.rolling_months for p in contract.partners for sl in p.service_levels if sl.rolling_months})
    frame = with_measurement_periods(frame.sort("partner_id", "service_level", "month"), windows)
    if excused is not None:
        frame = frame.join(excused, on=["partner_id", "channel", "month"], how="left", nulls_equal=True)
    else:
        frame = frame.with_columns(pl.lit(False).alias("excused"))
    v, t, m, d = pl.col("value"), pl.col("target"), pl.col("minimum"), pl.col("direction")
    status = status_expr(v, t, m, d, pl.col("excused"))
    status = pl.when(pl.col("assessed")).then(status).otherwise(pl.lit("not measurable"))
    if relief is not None:
        excuses = relief_excuses(relief, service_levels(contract))
        frame = frame.join(excuses, on=["partner_id", "service_level", "month"], how="left")
        relieved = pl.col("relief_note").is_not_null() & status.is_in(["below target", "breach", "excused"])
        status = pl.when(relieved).then(pl.lit("excused (relief)")).otherwise(status)
        note = pl.when(relieved).then(pl.col("relief_note")).otherwise(pl.col("note"))
        frame = frame.with_columns(note.alias("note"))
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
        "measured_from",
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
        "miss_streak",
        "breaches_in_window",
        "chronic_failure",
        "order",
    )


def _with_own_formulas(frame: pl.LazyFrame, results: pl.LazyFrame) -> pl.LazyFrame:
    """The value of each service level with a formula of its own, from the counts of its channel
    (or partner-wide: the sums over the channels) under that formula."""
    counts = count_columns(results)
    numerator, denominator = service_level_terms(
        pl.col("formula_denominator"), pl.col("formula_shorts_in"), pl.col("formula_abandons_in")
    )
    own = pl.col("formula_denominator").is_not_null()
    return (
        frame.join(counts, on=["partner_id", "channel", "month"], how="left", nulls_equal=True)
        .with_columns(
            pl.when(own).then(pl.when(denominator > 0).then(numerator / denominator)).otherwise("value").alias("value"),
            pl.when(own).then(numerator).otherwise("numerator").cast(pl.Float64).alias("numerator"),
            pl.when(own).then(denominator).otherwise("denominator").cast(pl.Float64).alias("denominator"),
            pl.when(~own | denominator.is_null())
            .then("note")
            .when(denominator > 0)
            .then(None)
            .otherwise(pl.lit("no contacts in the service-level denominator (denominator is 0)"))
            .alias("note"),
        )
        .drop(SERVICE_LEVEL_COUNTS)
    )


def _with_streaks_of(frame: pl.LazyFrame, flags: dict[str, pl.Expr], series: list[str]) -> pl.LazyFrame:
    """Add, per named flag, the consecutive rows of each series where it holds, up to each row (0 where
    it does not). Each run key is a column of its own: two windows partitioned by expressions in the
    same context were seen to share one partitioning (polars 2.1), which mixed the streaks up."""
    runs = {name: f"__run_{name}" for name in flags}
    # a month not assessed (a quarter's first two, §2.2) neither extends nor ends a run
    assessed = pl.col("assessed").cast(pl.Int32)
    return (
        frame.with_columns(
            ((1 - f.cast(pl.Int32)) * assessed).cum_sum().over(series).alias(runs[n]) for n, f in flags.items()
        )
        .with_columns(
            (f.cast(pl.Int32).cum_sum().over([*series, runs[n]]) * assessed).alias(n) for n, f in flags.items()
        )
        .drop(runs.values())
    )


def _in_window(flag: pl.Expr, window: dict[str, int], series: list[str]) -> pl.Expr:
    """Rows where `flag` holds among the last `window[partner]` rows of each series (this one included)."""
    f = flag.cast(pl.Int32)
    size = pl.col("partner_id").replace_strict(window, default=None, return_dtype=pl.Int64)
    counted = pl.lit(None, dtype=pl.Int32)
    for months in sorted(set(window.values()), reverse=True):
        counted = (
            pl.when(size == months)
            .then(f.rolling_sum(window_size=months, min_samples=1).over(series))
            .otherwise(counted)
        )
    return counted


def _with_streaks(frame: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Breach and miss streaks and the chronic-failure flag of the breaches rule (rows sorted by
    partner, service level, month)."""
    series = ["partner_id", "service_level"]
    status = pl.col("status")
    window = {p.id: p.chronic_failure.within_months for p in contract.partners}
    needed = {p.id: p.chronic_failure.breaches for p in contract.partners}
    breaches = pl.col("partner_id").replace_strict(needed, default=None, return_dtype=pl.Int64)
    streaks = {"breach_streak": status == "breach", "miss_streak": status.is_in(["below target", "breach"])}
    return (
        _with_streaks_of(frame, streaks, series)
        .with_columns(_in_window(status == "breach", window, series).alias("breaches_in_window"))
        .with_columns((pl.col("breaches_in_window") >= breaches).fill_null(False).alias("chronic_failure"))
    )


def termination_rights(gaps: pl.LazyFrame, credits: pl.LazyFrame | None, contract: Contract) -> pl.LazyFrame:
    """Per partner × month of `gaps`: the chronic failures that open the client's termination right.

    Columns: partner_id, month, chronic_service_levels (the service levels failing the breaches
    rule), months_at_cap (months whose credits reached the at-risk amount, within the window; null
    without that rule), chronic_failure, termination_reason. `credits` is the credits table (its
    `credit` and `at_risk_amount`); None: no month is at the cap.
    """
    keys = ["partner_id", "month"]
    rules = {p.id: p.chronic_failure for p in contract.partners}
    failing = pl.col("service_level").filter(pl.col("chronic_failure")).sort().str.join(", ")
    frame = gaps.group_by(keys).agg(
        pl.when(failing != "").then(failing).alias("chronic_service_levels")  # one pass over gaps
    )
    if credits is not None:
        at_cap = credits.group_by(keys).agg(
            (
                (pl.col("credit").sum() >= pl.col("at_risk_amount").first()) & (pl.col("at_risk_amount").first() > 0)
            ).alias("at_cap")
        )
        frame = frame.join(at_cap, on=keys, how="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Boolean).alias("at_cap"))
    capped = {pid: r.capped_months for pid, r in rules.items() if r.capped_months is not None}
    window = {pid: rules[pid].within_months for pid in capped}
    needed = pl.col("partner_id").replace_strict(capped, default=None, return_dtype=pl.Int64)
    within = pl.col("partner_id").replace_strict(window, default=None, return_dtype=pl.Int64)
    at_cap_rule = (pl.col("months_at_cap") >= needed).fill_null(False)
    frame = frame.sort(keys).with_columns(
        _in_window(pl.col("at_cap").fill_null(False), window, ["partner_id"]).alias("months_at_cap")
    )
    reasons = [
        pl.when(pl.col("chronic_service_levels").is_not_null()).then(
            pl.format("repeated breaches: {}", pl.col("chronic_service_levels"))
        ),
        pl.when(at_cap_rule).then(
            pl.format("credits at the at-risk cap in {} of the last {} months", pl.col("months_at_cap"), within)
        ),
    ]
    chronic = pl.col("chronic_service_levels").is_not_null() | at_cap_rule
    return frame.select(
        *keys,
        "chronic_service_levels",
        pl.col("months_at_cap").cast(pl.Int64),
        chronic.alias("chronic_failure"),
        pl.when(chronic).then(pl.concat_str(reasons, separator="; ", ignore_nulls=True)).alias("termination_reason"),
    )
