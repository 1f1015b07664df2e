"""Service levels within the month (formulas.md §1.9): the share of intervals reaching an interval target
(`interval_attainment`) and the worst day's service level (`worst_day_service_level`, the daily floor:
a service level on it with `minimum: 0.60` is breached when any day falls below 60 %).

Both come from one group-by of the contacts' flags per partner × channel (× site or queue when the
results are per scope) × local interval (or day), under each channel's service-level formula, and for
the pairs measured from interval reports from the report's rows (§1.7); the partner-wide rows sum the
channels' counts per interval or day before the ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..contract.terms import ChannelTerms, Contract
from ..core.localtime import DAY_US, wall_time_of
from .contact_kpis import instants_zone, month_of
from .partner_wide import with_partner_wide
from .result_rows import not_measurable, ratio_rows
from .service_hours import of_pairs
from .service_level import with_channel_formulas

__all__ = [
    "INTERVAL_COUNTS",
    "INTERVAL_KEYS",
    "counts_of_tallies",
    "interval_counts",
    "interval_report_counts",
    "interval_results",
    "interval_start",
    "interval_tallies",
    "worst_day_results",
]

INTERVAL_KEYS = ("partner_id", "channel", "month", "day", "interval")
"""The keys of `interval_tallies` (without a finer scope)."""

_COARSE = "the interval report's intervals are longer than the interval target's"

INTERVAL_COUNTS = {
    "offered": pl.len(),
    "answered": pl.col("answered").sum(),
    "short_abandons": pl.col("short_abandon").sum(),
    "in_service": pl.col("in_service").sum(),
    "abandons_within_threshold": pl.col("abandon_within_threshold").sum(),
}
"""The counts of `interval_tallies`, by name, over the flagged contacts of an interval."""


def interval_start(local: pl.Expr, channels: dict[str, ChannelTerms]) -> pl.Expr:
    """The local start of each contact's interval: its channel's interval target's length, a day for a
    channel without one."""
    step = pl.lit(DAY_US, dtype=pl.Int64)
    for name, terms in channels.items():
        if terms.interval_target is not None:
            minutes = pl.lit(terms.interval_target.minutes * 60_000_000, dtype=pl.Int64)
            step = pl.when(pl.col("channel") == name).then(minutes).otherwise(step)
    # `dt.truncate` of a wall time (naive) by its channel's length, as one floor of integers
    us = local.dt.epoch("us")
    return (us // step * step).cast(pl.Datetime("us"))


def interval_counts(
    flags: pl.LazyFrame,
    channels: dict[str, ChannelTerms],
    *,
    in_hours: pl.Expr | None = None,
    scope: Sequence[str] = (),
) -> pl.LazyFrame:
    """The service-level counts and formula terms (`sl_numerator`, `sl_denominator`) per partner ×
    channel (× scope: site_id, queue) × month × local day × interval, from `contact_flags`.

    `in_hours` marks the contacts within the channel's service hours (None: every contact): intervals
    and days are measured within service hours only. `coarse` is false (see `interval_report_counts`).
    """
    return counts_of_tallies(interval_tallies(flags, channels, in_hours=in_hours, scope=scope), channels)


def counts_of_tallies(tallies: pl.LazyFrame, channels: dict[str, ChannelTerms]) -> pl.LazyFrame:
    """`interval_counts` from `interval_tallies` (those of partitions of the contacts added up)."""
    return with_channel_formulas(tallies.with_columns(pl.lit(False).alias("coarse")), channels)


def interval_tallies(
    flags: pl.LazyFrame,
    channels: dict[str, ChannelTerms],
    *,
    in_hours: pl.Expr | None = None,
    scope: Sequence[str] = (),
) -> pl.LazyFrame:
    """`interval_counts` before the formula terms: counts only, so the tallies of partitions of the
    contacts add up to those of all of them."""
    zone = instants_zone(flags, "arrived_at")
    local = pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)
    measured = flags if in_hours is None else flags.filter(in_hours)
    keys = ["partner_id", "channel", *scope, "month", "day", "interval"]
    return (
        measured.with_columns(local.dt.date().alias("day"), interval_start(local, channels).alias("interval"))
        .group_by(keys)
        .agg(agg.cast(pl.Int64).alias(name) for name, agg in INTERVAL_COUNTS.items())
        # only contacts within the hours are counted: none is outside them
        .with_columns(pl.lit(0, dtype=pl.Int64).alias(c) for c in ("outside_hours", "answered_outside_hours"))
    )


def interval_report_counts(
    intervals: pl.LazyFrame, contract: Contract, *, present: frozenset[str], scope: Sequence[str] = ()
) -> pl.LazyFrame:
    """The counts of `interval_counts` for the pairs measured from interval reports (formulas.md §1.7),
    from the `intervals` rows: each row in its channel's target interval that holds it (15-minute rows
    add up to half-hours). A row longer than its channel's target interval is `coarse`: its pair's
    interval attainment of the month is not measurable. A count the report lacks (a formula needing it
    stops the load) is 0; one missing in some row of an interval makes the interval's terms null."""
    zone = instants_zone(intervals, "interval_start")
    local = pl.col("interval_start") if zone is None else wall_time_of(pl.col("interval_start"), zone)
    channels = contract.channels
    minutes = pl.lit(None, dtype=pl.Int64)
    for name, terms in channels.items():
        if terms.interval_target is not None:
            minutes = pl.when(pl.col("channel") == name).then(terms.interval_target.minutes).otherwise(minutes)
    keys = ["partner_id", "channel", *scope, "month", "day", "interval"]
    sums = {
        "offered": "offered",
        "answered": "answered",
        "short_abandons": "short_abandons",
        "in_service": "answered_within_threshold",
        "abandons_within_threshold": "abandoned_within_threshold",
    }

    def total(column: str) -> pl.Expr:
        if column not in present:
            return pl.lit(0, dtype=pl.Int64)
        c = pl.col(column)
        return pl.when(c.is_null().any()).then(None).otherwise(c.sum()).cast(pl.Int64)

    counts = (
        intervals.filter(of_pairs(sorted(contract.interval_pairs)))
        .with_columns(
            month_of(pl.col("interval_start"), zone).alias("month"),
            local.dt.date().alias("day"),
            interval_start(local, channels).alias("interval"),
            (pl.col("interval_minutes").cast(pl.Int64) > minutes).fill_null(False).alias("coarse"),
        )
        .group_by(keys)
        .agg(*(total(column).alias(name) for name, column in sums.items()), pl.col("coarse").any())
        .with_columns(pl.lit(0, dtype=pl.Int64).alias(c) for c in ("outside_hours", "answered_outside_hours"))
    )
    return with_channel_formulas(counts, channels)


def interval_results(
    counts: pl.LazyFrame, channels: dict[str, ChannelTerms], *, scope: Sequence[str] = ()
) -> pl.LazyFrame:
    """`interval_attainment` per partner × channel (× scope, as `counts`) × month, and partner-wide:
    intervals reaching their channel's target / intervals measured (at least `min_contacts` offered and
    a service-level denominator); channels without an interval target are not measurable."""
    keys = ["partner_id", "channel", *scope, "month"]
    targeted = {name: t.interval_target for name, t in channels.items() if t.interval_target is not None}
    grid = with_partner_wide(counts.select(keys).unique(), keys).unique()
    if not targeted:
        return not_measurable(grid, "interval_attainment")
    channel = pl.col("channel")
    level = pl.lit(None, dtype=pl.Float64)
    least = pl.lit(None, dtype=pl.Int64)
    for name, target in targeted.items():
        level = pl.when(channel == name).then(pl.lit(target.service_level)).otherwise(level)
        least = pl.when(channel == name).then(pl.lit(target.min_contacts)).otherwise(least)
    num, den = pl.col("sl_numerator"), pl.col("sl_denominator")
    measured = (pl.col("offered") >= least) & (den > 0)
    per_channel = (
        counts.filter(channel.is_in(list(targeted)))
        .group_by(keys)
        .agg(
            (measured & (num / den >= level)).sum().cast(pl.Float64).alias("numerator"),
            measured.sum().cast(pl.Float64).alias("denominator"),
            pl.col("coarse").any().cast(pl.Int64),
        )
    )
    both = with_partner_wide(per_channel, keys)
    rows = ratio_rows(both.filter(pl.col("coarse") == 0), "interval_attainment", scope)
    coarse = not_measurable(both.filter(pl.col("coarse") > 0).select(keys), "interval_attainment", _COARSE)
    rows = pl.concat([rows, coarse.select(rows.collect_schema().names())])
    untargeted = grid.join(rows, on=keys, how="anti", nulls_equal=True)
    note = "no interval target for the channel in contract.yaml"
    missing = not_measurable(untargeted, "interval_attainment", note)
    return pl.concat([rows, missing.select(rows.collect_schema().names())])


def worst_day_results(counts: pl.LazyFrame, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """`worst_day_service_level` per partner × channel (× scope, as `counts`) × month, and partner-wide:
    the lowest service level of the month's local days that have a service-level denominator (its
    numerator and denominator are that day's)."""
    keys = ["partner_id", "channel", *scope, "month"]
    days = counts.group_by([*keys, "day"]).agg(pl.col("sl_numerator", "sl_denominator").sum())
    days = with_partner_wide(days, [*keys, "day"])
    ratio = pl.col("sl_numerator") / pl.col("sl_denominator")
    worst = (
        days.filter(pl.col("sl_denominator") > 0)
        .group_by(keys)
        .agg(
            pl.col("sl_numerator").sort_by(ratio, "day").first().cast(pl.Float64).alias("numerator"),
            pl.col("sl_denominator").sort_by(ratio, "day").first().cast(pl.Float64).alias("denominator"),
        )
    )
    grid = days.select(keys).unique()
    return ratio_rows(grid.join(worst, on=keys, how="left", nulls_equal=True), "worst_day_service_level", scope)
