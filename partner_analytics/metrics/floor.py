"""Floor data for the operational committee: per partner × channel × day, what came in, what was
answered in time, and the agents on the floor (formulas.md §1 counts, at the day's grain)."""

from __future__ import annotations

import polars as pl

from ..contract.terms import ChannelTerms
from ..core.kpis import as_seconds, microseconds
from ..core.localtime import wall_time_of
from .contact_kpis import contact_flags, instants_zone

__all__ = ["FLOOR_COUNTS", "FLOOR_KEYS", "daily_floor", "floor_of_tallies", "floor_tallies"]

FLOOR_KEYS = ("partner_id", "channel", "day")

FLOOR_COUNTS = {
    "offered": pl.len().cast(pl.Int64),
    "offered_in_hours": pl.col("in_hours").sum().cast(pl.Int64),
    "answered": pl.col("answered").sum().cast(pl.Int64),
    "short_abandons": pl.col("short_abandon").sum().cast(pl.Int64),
    "in_service": pl.col("in_service").sum().cast(pl.Int64),
    "handled_hours": microseconds(pl.col("handle_s")).filter(pl.col("answered")).sum(),
}
"""The counts of `floor_tallies`, by name, over the flagged contacts of a day (handled time in whole
microseconds)."""


def daily_floor(
    contacts: pl.LazyFrame,
    staffing: pl.LazyFrame | None,
    channels: dict[str, ChannelTerms],
    in_hours: pl.Expr | None = None,
) -> pl.LazyFrame:
    """Per partner × channel × local day: offered, answered, service level, handled hours, staffed hours, occupancy.

    Staffed hours are Σ agents_logged_in × interval length; without a staffing table they are null.
    The service level counts the contacts within service hours (`in_hours`, `metrics.in_service_hours`).
    """
    return floor_of_tallies(floor_tallies(contacts, channels, in_hours), staffing)


def floor_tallies(
    contacts: pl.LazyFrame, channels: dict[str, ChannelTerms], in_hours: pl.Expr | None = None
) -> pl.LazyFrame:
    """The contacts' counts per partner × channel × local day, handled time in whole microseconds
    (`handled_hours`): the tallies of partitions of the contacts add up to those of all of them."""
    zone = instants_zone(contacts, "arrived_at")
    local = pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)
    flags = contact_flags(contacts, channels, fcr=False, in_hours=in_hours).with_columns(local.dt.date().alias("day"))
    return flags.group_by(list(FLOOR_KEYS)).agg(agg.alias(name) for name, agg in FLOOR_COUNTS.items())


def floor_of_tallies(tallies: pl.LazyFrame, staffing: pl.LazyFrame | None) -> pl.LazyFrame:
    """`daily_floor` from the contacts' `floor_tallies` and the staffing table."""
    keys = list(FLOOR_KEYS)
    counts = tallies.with_columns(as_seconds(pl.col("handled_hours")) / 3600)
    if staffing is not None:
        staffed = (
            staffing.with_columns(pl.col("interval_start").dt.date().alias("day"))
            .group_by(keys)
            .agg(
                microseconds(pl.col("agents_logged_in") * pl.col("interval_minutes") * 60).sum().alias("staffed_hours")
            )
            .with_columns(as_seconds(pl.col("staffed_hours")) / 3600)
        )
        counts = counts.join(staffed, on=keys, how="full", coalesce=True)
    else:
        counts = counts.with_columns(pl.lit(None, dtype=pl.Float64).alias("staffed_hours"))
    answerable = pl.col("offered_in_hours") - pl.col("short_abandons")
    return (
        counts.with_columns(
            pl.col("day").dt.truncate("1mo").alias("month"),
            pl.when(answerable > 0).then(pl.col("in_service") / answerable).alias("service_level"),
            pl.when(pl.col("staffed_hours") > 0)
            .then(pl.col("handled_hours") / pl.col("staffed_hours"))
            .alias("occupancy"),
        )
        .drop("offered_in_hours")
        .sort(keys)
    )
