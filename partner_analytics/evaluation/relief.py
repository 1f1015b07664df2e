"""Relief events (formulas.md §2.1): the service levels' months a relief excuses, with its reason.

A `relief` row with `effect: excuse_month` excuses every month its window touches, for the service
level it names, or every service level of its channel, or every service level of the partner. (The
`exclude_window` effect leaves the window's contacts out of the service-level KPIs instead:
`metrics.in_service_hours`.)
"""

from __future__ import annotations

import polars as pl

from ..metrics.contact_kpis import month_of

__all__ = ["relief_excuses", "relief_note"]


def relief_note() -> pl.Expr:
    """`relief: <reason> (granted by <who> on <date>)` of a relief row."""
    granted_on = pl.col("granted_on").dt.strftime("%Y-%m-%d")
    on = pl.when(granted_on.is_not_null()).then(pl.format(" on {}", granted_on)).otherwise(pl.lit(""))
    return pl.format("relief: {} (granted by {}{})", pl.col("reason"), pl.col("granted_by"), on)


def relief_excuses(relief: pl.LazyFrame, service_levels: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner × service level × month excused by a relief: `relief_note` (several reliefs of a
    month are listed one after the other). `service_levels` is `partner_id, service_level, channel`."""
    zone = relief.collect_schema()["starts_at"]
    tz = zone.time_zone if isinstance(zone, pl.Datetime) else None
    last_instant = pl.col("ends_at") - pl.duration(microseconds=1)  # the window's end is excluded
    months = relief.filter(pl.col("effect") == "excuse_month").select(
        "partner_id",
        pl.col("channel").alias("relief_channel"),
        pl.col("service_level").alias("relief_service_level"),
        pl.date_ranges(month_of(pl.col("starts_at"), tz), month_of(last_instant, tz), "1mo").alias("month"),
        relief_note().alias("relief_note"),
    )
    chosen = (
        pl.when(pl.col("relief_service_level").is_not_null())
        .then(pl.col("relief_service_level") == pl.col("service_level"))
        .when(pl.col("relief_channel").is_not_null())
        .then(pl.col("relief_channel") == pl.col("channel"))
        .otherwise(True)
    )
    return (
        months.explode("month")
        .join(service_levels.select("partner_id", "service_level", "channel"), on="partner_id", how="inner")
        .filter(chosen)
        .group_by("partner_id", "service_level", "month")
        .agg(pl.col("relief_note").unique(maintain_order=True).str.join("; "))
    )
