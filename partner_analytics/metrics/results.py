"""The long results table: every KPI of an engagement per partner × channel × month (formulas.md §1)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..io.engagement import Engagement
from .contact_kpis import contact_results
from .forecasts import forecast_accuracy
from .result_rows import RESULTS_SCHEMA, not_measurable
from .table_kpis import occupancy_results, quality_results

__all__ = ["kpi_results"]


def kpi_results(engagement: Engagement, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """The long results table of every KPI (formulas.md §1), optionally per finer scope (site_id, queue).

    The contacts are read once: occupancy, forecast accuracy and the partner × month grid are
    derived from the contact KPIs (a few rows per partner × channel × month), not from the contacts.
    """
    contract = engagement.contract
    present = engagement.present["contacts"]
    contact_kpis = contact_results(
        engagement.contacts, contract, present=present, scope=scope, relief=engagement.table("relief")
    ).cache()
    parts = [contact_kpis]
    wide = contact_kpis.filter(pl.col("kpi") == "offered").select("partner_id", "month").unique()
    wide = wide.with_columns(
        pl.lit(None, dtype=pl.String).alias("channel"), *[pl.lit(None, dtype=pl.String).alias(s) for s in scope]
    )
    quality, staffing, forecasts = (engagement.table(t) for t in ("quality", "staffing", "forecasts"))
    parts.append(
        quality_results(quality, scope=scope) if quality is not None else not_measurable(wide, "quality_score")
    )
    parts.append(
        occupancy_results(staffing, contact_kpis, scope=scope)
        if staffing is not None
        else not_measurable(wide, "occupancy")
    )
    if forecasts is not None and not scope:
        parts.append(forecast_accuracy(contact_kpis, forecasts, contract))
    else:
        parts.append(not_measurable(wide, "forecast_accuracy", None if forecasts is None else "not per site or queue"))
    columns = [
        "partner_id",
        "channel",
        *scope,
        "month",
        *[c for c in RESULTS_SCHEMA if c not in ("partner_id", "channel", "month")],
    ]
    return (
        pl.concat([p.select(columns) for p in parts], how="vertical")
        .cast(RESULTS_SCHEMA | dict.fromkeys(scope, pl.String()))
        .sort("partner_id", "channel", *scope, "month", "kpi", nulls_last=True)
    )
