"""What a committee report shows: one partner's share of the tables, and the sentences that sum it up.

A partner's report goes to both parties, so `partner_view` keeps only that partner's rows of every
table (and of the contract); programme-wide comparisons use the unfiltered analysis, client-only.
"""

from __future__ import annotations

from dataclasses import fields, replace

import polars as pl

from ..core.periods import Period
from ..pipeline.analysis import Analysis
from .wording import format_value, kpi_label

__all__ = [
    "near_misses",
    "partner_view",
    "period_gaps",
    "status_counts",
    "summary_points",
    "summary_sentence",
]

NEAR_MISS_SHARE = 0.25


def partner_view(analysis: Analysis, partner_id: str) -> Analysis:
    """The analysis restricted to one partner: its rows of every table, its own contract terms only."""
    contract = analysis.contract
    partner = contract.partner(partner_id)
    mine = pl.col("partner_id") == partner_id
    tables = {}
    for f in fields(analysis):
        if f.name == "contract":
            continue
        frame: pl.LazyFrame = getattr(analysis, f.name)
        names = frame.collect_schema().names()
        if "partner_id" in names:
            frame = frame.filter(mine)
        elif f.name == "rejected":
            frame = frame.filter(pl.col("record").str.json_path_match("$.partner_id") == partner_id)
        tables[f.name] = frame
    return replace(analysis, contract=contract.model_copy(update={"partners": (partner,)}), **tables)


def period_gaps(gaps: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """The gaps of the months of a period."""
    return gaps.filter(pl.col("month").is_between(period.start, period.last_day))


def near_misses(gaps: pl.LazyFrame) -> pl.LazyFrame:
    """Service levels met by a small margin: within a quarter of the target–minimum distance."""
    margin = (pl.col("target") - pl.col("minimum")).abs() * NEAR_MISS_SHARE
    return gaps.filter((pl.col("status") == "met") & ((pl.col("value") - pl.col("target")).abs() <= margin))


def status_counts(gaps: pl.DataFrame) -> dict[str, int]:
    """How many service levels have each status."""
    return dict(gaps.group_by("status").len().iter_rows())


def summary_points(month_gaps: pl.DataFrame) -> list[str]:
    """A month's service levels as short bullets a committee reads first: "4 of 6 service levels met", then one
    bullet per service level in breach, excused or below target, then how many were not measurable."""
    if month_gaps.is_empty():
        return ["No service level is measured this month."]
    counts = status_counts(month_gaps)
    points = [f"{counts.get('met', 0)} of {month_gaps.height} service levels met"]
    rows = month_gaps.sort("order" if "order" in month_gaps.columns else "service_level")
    for status, against in (("breach", "minimum"), ("excused", "minimum"), ("below target", "target")):
        word = ("excused breach" if status == "excused" else status).capitalize()
        for r in rows.filter(pl.col("status") == status).iter_rows(named=True):
            points.append(
                f"{word}: {kpi_label(r['kpi'], r['channel'])} {format_value(r['kpi'], r['value'])} "
                f"against a {against} of {format_value(r['kpi'], r[against])}"
            )
    if counts.get("not measurable"):
        points.append(f"{counts['not measurable']} not measurable")
    return points


def summary_sentence(month_gaps: pl.DataFrame) -> str:
    """One sentence a committee reads first: "4 of 6 service levels met; 1 breach (…); 1 below target (…)."."""
    if month_gaps.is_empty():
        return "No service level is measured this month."
    counts = status_counts(month_gaps)
    total = month_gaps.height
    parts = [f"{counts.get('met', 0)} of {total} service levels met"]

    def listed(status: str, one: str, many: str) -> None:
        rows = month_gaps.filter(pl.col("status") == status).sort(
            "order" if "order" in month_gaps.columns else "service_level"
        )
        if rows.is_empty():
            return
        items = [
            f"{kpi_label(r['kpi'], r['channel'])} {format_value(r['kpi'], r['value'])} against a minimum of "
            f"{format_value(r['kpi'], r['minimum'])}"
            if status in ("breach", "excused")
            else f"{kpi_label(r['kpi'], r['channel'])} {format_value(r['kpi'], r['value'])} against a target of "
            f"{format_value(r['kpi'], r['target'])}"
            for r in rows.iter_rows(named=True)
        ]
        parts.append(f"{rows.height} {one if rows.height == 1 else many} ({'; '.join(items)})")

    listed("breach", "breach", "breaches")
    listed("excused", "excused breach", "excused breaches")
    listed("below target", "below target", "below target")
    if counts.get("not measurable"):
        parts.append(f"{counts['not measurable']} not measurable")
    return "; ".join(parts) + "."
