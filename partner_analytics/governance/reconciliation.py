"""Invoice reconciliation (formulas.md §8): what the partner billed against the contract's pricing
applied to what was measured, and billed units against measured units."""

from __future__ import annotations

import polars as pl

from ..core.money import cents_of

__all__ = ["reconciliation"]


def reconciliation(
    invoices: pl.LazyFrame, charges_frame: pl.LazyFrame, results: pl.LazyFrame, staffing: pl.LazyFrame | None
) -> pl.LazyFrame:
    """Per partner × invoiced month: invoiced, expected and their gap (cents), billed and measured units.

    Measured units: answered contacts when billed in contacts; logged-in agent hours from the
    staffing intervals when billed in hours (null without staffing).
    """
    keys = ["partner_id", "month"]
    billed = invoices.group_by(keys).agg(
        cents_of(pl.col("amount")).sum().alias("invoiced"),
        pl.col("billed_units").sum().alias("billed_units"),
        pl.col("billed_units").count().alias("lines_with_units"),
        pl.col("unit").drop_nulls().first().alias("unit"),
    )
    answered = results.filter((pl.col("kpi") == "answered") & pl.col("channel").is_null()).select(
        *keys, pl.col("numerator").alias("measured_contacts")
    )
    frame = billed.join(charges_frame.select(*keys, "expected"), on=keys, how="left").join(
        answered, on=keys, how="left"
    )
    if staffing is not None:
        hours = (
            staffing.with_columns(pl.col("interval_start").dt.date().dt.truncate("1mo").alias("month"))
            .group_by(keys)
            .agg((pl.col("agents_logged_in") * pl.col("interval_minutes") / 60).sum().alias("measured_hours"))
        )
        frame = frame.join(hours, on=keys, how="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("measured_hours"))
    measured = pl.when(pl.col("unit") == "hours").then(pl.col("measured_hours")).otherwise(pl.col("measured_contacts"))
    units = pl.when(pl.col("lines_with_units") > 0).then(pl.col("billed_units"))
    return frame.select(
        *keys,
        "invoiced",
        "expected",
        (pl.col("invoiced") - pl.col("expected")).alias("invoice_gap"),
        units.alias("billed_units"),
        pl.col("unit").fill_null("contacts").alias("unit"),
        measured.alias("measured_units"),
        (units - measured).alias("units_gap"),
        (
            (pl.col("invoiced") != pl.col("expected")).fill_null(True)
            | ((units - measured).abs() > 0.5).fill_null(False)
        ).alias("flagged"),
    ).sort(keys)
