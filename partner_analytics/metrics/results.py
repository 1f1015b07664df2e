"""The long results table: every KPI of an engagement per partner × channel × month (formulas.md §1)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..io.engagement import Engagement
from .agent_kpis import AGENT_KPIS, agent_results
from .contact_kpis import contact_flags, contact_results, results_of_sums
from .forecasts import forecast_accuracy
from .interval_kpis import interval_notes, interval_sums
from .interval_targets import (
    counts_of_tallies,
    interval_counts,
    interval_report_counts,
    interval_results,
    worst_day_results,
)
from .outside_hours import outside_hours_of_sums, outside_hours_results
from .partitioned import ContactTotals
from .result_rows import RESULTS_SCHEMA, not_measurable
from .service_hours import apart_pairs, in_service_hours, measured_apart
from .table_kpis import occupancy_results, quality_results

__all__ = ["kpi_results"]


def kpi_results(
    engagement: Engagement, *, scope: Sequence[str] = (), totals: ContactTotals | None = None
) -> pl.LazyFrame:
    """The long results table of every KPI (formulas.md §1), optionally per finer scope (site_id, queue).

    `totals`: the contacts' sums already computed partition by partition (`partitioned.contact_totals`,
    not per scope), so the contacts are not read here.

    The pairs measured from interval reports (sources.intervals.covers) have their contact KPIs from
    the `intervals` table (formulas.md §1.7). The contact KPIs come from one pass over the contacts;
    the interval-target and daily service levels (per scope too), and the KPIs of the contacts outside
    service hours measured apart, from a narrow second one (§1.9, §1.10); occupancy, forecast accuracy
    and the partner × month grid are derived from the contact KPIs (a few rows per partner × channel ×
    month), not from the contacts.
    """
    contract = engagement.contract
    present = engagement.present["contacts"]
    intervals, relief = engagement.table("intervals"), engagement.table("relief")
    if totals is not None and scope:
        raise ValueError("the contacts' totals are per partner × channel × month, not per site or queue")
    by = ["partner_id", "channel", *scope, "month"]
    reported = None
    if intervals is not None:
        reported = interval_sums(intervals, contract, present=engagement.present["intervals"], by=by)
    if totals is not None:
        contact_kpis = results_of_sums(totals.sums, contract, present=present, by=by, interval_sums=reported)
    else:
        contact_kpis = contact_results(
            engagement.contacts, contract, present=present, scope=scope, relief=relief, interval_sums=reported
        )
    if intervals is not None:
        contact_kpis = interval_notes(contact_kpis, contract, engagement.present["intervals"])
    contact_kpis = contact_kpis.cache()
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
    if totals is not None:
        counts = counts_of_tallies(totals.intervals, contract.channels)
        if totals.outside_hours is not None:
            parts.append(outside_hours_of_sums(totals.outside_hours, contract))
    else:
        # A second, narrow pass over the contacts (partner, channel, arrival, answered, wait): per interval and
        # day (and the contacts outside hours of the channels measuring them apart).
        flags = contact_flags(engagement.contacts, contract.channels, fcr=False)
        in_hours = in_service_hours(contract, engagement.contacts, relief)
        if apart_pairs(contract):
            flags = flags.with_columns(measured_apart(contract, engagement.contacts, relief)).cache()
            parts.append(outside_hours_results(flags, contract, scope=scope))
        counts = interval_counts(flags, contract.channels, in_hours=in_hours, scope=scope)
    if intervals is not None:
        by_report = interval_report_counts(intervals, contract, present=engagement.present["intervals"], scope=scope)
        counts = pl.concat([counts, by_report.select(counts.collect_schema().names())], how="vertical_relaxed")
    counts = counts.cache()
    parts += [interval_results(counts, contract.channels, scope=scope), worst_day_results(counts, scope=scope)]
    agents = engagement.table("agents")
    if agents is not None:
        parts.append(agent_results(agents, engagement.present["agents"], scope=scope))
    else:
        parts.extend(not_measurable(wide, name) for name in AGENT_KPIS)
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
