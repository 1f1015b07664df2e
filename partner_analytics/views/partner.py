"""What a committee report shows: one partner's share of the tables, and the sentences that sum it up.

A partner's report goes to both parties, so `partner_view` keeps only that partner's rows of every
table (and of the contract); programme-wide comparisons use the unfiltered analysis, client-only.
"""

from __future__ import annotations

from dataclasses import fields, replace

import polars as pl

from ..core.periods import Period
from ..pipeline.analysis import Analysis
from .language import _, ngettext
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
        return [_("No service level is measured this month.")]
    counts = status_counts(month_gaps)
    points = [_("{met} of {total} service levels met").format(met=counts.get("met", 0), total=month_gaps.height)]
    rows = month_gaps.sort("order" if "order" in month_gaps.columns else "service_level")
    for status, point in (
        ("breach", _("Breach: {kpi} {value} against a minimum of {limit}")),
        ("excused", _("Excused breach: {kpi} {value} against a minimum of {limit}")),
        ("below target", _("Below target: {kpi} {value} against a target of {limit}")),
    ):
        limit = "target" if status == "below target" else "minimum"
        for r in rows.filter(pl.col("status") == status).iter_rows(named=True):
            points.append(
                point.format(
                    kpi=kpi_label(r["kpi"], r["channel"]),
                    value=format_value(r["kpi"], r["value"]),
                    limit=format_value(r["kpi"], r[limit]),
                )
            )
    if counts.get("not measurable"):
        points.append(_("{n} not measurable").format(n=counts["not measurable"]))
    return points


def summary_sentence(month_gaps: pl.DataFrame) -> str:
    """One sentence a committee reads first: "4 of 6 service levels met; 1 breach (…); 1 below target (…)."."""
    if month_gaps.is_empty():
        return _("No service level is measured this month.")
    counts = status_counts(month_gaps)
    total = month_gaps.height
    parts = [_("{met} of {total} service levels met").format(met=counts.get("met", 0), total=total)]

    def listed(status: str, count_text: str) -> None:
        rows = month_gaps.filter(pl.col("status") == status).sort(
            "order" if "order" in month_gaps.columns else "service_level"
        )
        if rows.is_empty():
            return
        against = _("{kpi} {value} against a minimum of {limit}") if status in ("breach", "excused") else None
        against = against or _("{kpi} {value} against a target of {limit}")
        limit = "minimum" if status in ("breach", "excused") else "target"
        items = [
            against.format(
                kpi=kpi_label(r["kpi"], r["channel"]),
                value=format_value(r["kpi"], r["value"]),
                limit=format_value(r["kpi"], r[limit]),
            )
            for r in rows.iter_rows(named=True)
        ]
        parts.append(count_text.format(n=rows.height) + " (" + _("; ").join(items) + ")")

    n = {status: counts.get(status, 0) for status in ("breach", "excused", "below target")}
    listed("breach", ngettext("{n} breach", "{n} breaches", n["breach"]))
    listed("excused", ngettext("{n} excused breach", "{n} excused breaches", n["excused"]))
    listed("below target", ngettext("{n} below target", "{n} below target", n["below target"]))
    if counts.get("not measurable"):
        parts.append(_("{n} not measurable").format(n=counts["not measurable"]))
    return _("; ").join(parts) + "."
