"""The client's forecasts: the contractual forecast of each month (formulas.md §4), its accuracy against
the offered contacts (a KPI of the client's side, formulas.md §1), and the outlook the operational
committee reads (latest and contractual forecasts)."""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.kpis import kpi
from ..core.periods import shift_months
from .partner_wide import with_partner_wide

__all__ = ["contractual_forecasts", "forecast_accuracy", "forecast_outlook"]


def contractual_forecasts(forecasts: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """The contractual forecast per partner × channel × month: `forecast_contacts`, `issued_on`."""
    lead = {p.id: p.volume_corridor.forecast_lead_months if p.volume_corridor else 0 for p in contract.partners}
    cutoff = shift_months(pl.col("month"), -pl.col("partner_id").replace_strict(lead, default=0, return_dtype=pl.Int64))
    eligible = forecasts.filter(pl.col("issued_on").is_null() | (pl.col("issued_on") <= cutoff))
    return (
        eligible.group_by("partner_id", "channel", "month")
        # undated rows sort last, after the dated ones in date order: the last row is the contractual one
        .agg(pl.col("forecast_contacts", "issued_on").sort_by(pl.col("issued_on").is_null(), "issued_on").last())
    )


def forecast_accuracy(contact_kpis: pl.LazyFrame, forecasts: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """1 − |offered − forecast| / forecast with the contractual forecast, per channel and partner-wide."""
    offered = contact_kpis.filter((pl.col("kpi") == "offered") & pl.col("channel").is_not_null()).select(
        "partner_id", "channel", "month", pl.col("value").alias("offered")
    )
    per_channel = offered.join(
        contractual_forecasts(forecasts, contract).select("partner_id", "channel", "month", "forecast_contacts"),
        on=["partner_id", "channel", "month"],
        how="inner",
    )
    f = pl.col("forecast_contacts")
    return with_partner_wide(per_channel, ["partner_id", "channel", "month"]).select(
        "partner_id",
        "channel",
        "month",
        pl.lit("forecast_accuracy").alias("kpi"),
        pl.when(f > 0).then(1 - (pl.col("offered") - f).abs() / f).alias("value"),
        pl.col("offered").alias("numerator"),
        f.alias("denominator"),
        pl.lit(False).alias("incomplete"),
        pl.when(f > 0).then(None).otherwise(pl.lit(kpi("forecast_accuracy").zero_note)).cast(pl.String).alias("note"),
    )


def forecast_outlook(forecasts: pl.LazyFrame, offered: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Per partner × channel × forecast month: the latest forecast issued, the contractual one, the offered
    contacts once observed, and the contractual forecast's accuracy (1 − |A − F| / F)."""
    keys = ["partner_id", "channel", "month"]
    latest = forecasts.group_by(keys).agg(
        pl.col("forecast_contacts").sort_by(pl.col("issued_on").is_null(), "issued_on").last().alias("latest_forecast"),
        pl.col("issued_on").max().alias("latest_issued_on"),
    )
    contractual = contractual_forecasts(forecasts, contract).select(
        *keys, pl.col("forecast_contacts").alias("contractual_forecast")
    )
    f = pl.col("contractual_forecast")
    return (
        latest.join(contractual, on=keys, how="left")
        .join(offered, on=keys, how="left")
        .with_columns(pl.when(f > 0).then(1 - (pl.col("offered") - f).abs() / f).alias("accuracy"))
        .sort(keys)
    )
