"""Drilling down from a result to the population its KPI is computed on, for consultants exploring an
engagement: the evaluations behind a quality score, the survey answers behind CSAT, the answered
contacts behind a handle time, every contact offered behind a queue KPI (formulas.md §1)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..core.kpis import kpi as registered_kpi
from ..io.engagement import Engagement
from .contact_kpis import contact_flags, month_of
from .service_hours import in_service_hours

__all__ = ["population_behind"]

# A contact KPI's population: the contacts its denominator counts, by the denominator's sum; a KPI
# whose denominator is the contacts offered (queue KPIs, counts) keeps every contact of the month.
_CONTACTS_COUNTED = {
    "answered": pl.col("answered"),
    "handle_n": pl.col("answered") & pl.col("handle_s").is_not_null(),
    "fcr_counted": pl.col("fcr_counted").fill_null(False),
    "csat_n": pl.col("csat").is_not_null(),
}
# The rows that pull the KPI the wrong way first: lowest scores, unresolved, longest handles or waits.
_WORST_FIRST = {
    "quality_score": ("score", False),
    "csat": ("csat", False),
    "csat_top2": ("csat", False),
    "fcr": ("fcr_resolved", False),
    "aht": ("handle_s", True),
    "occupancy": ("interval_start", False),
    "forecast_accuracy": ("channel", False),
}


def _month(month: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01") if isinstance(month, str) and len(month) == 7 else month


def population_behind(
    engagement: Engagement,
    kpi: str,
    partner_id: str,
    month: dt.date | str,
    channel: str | None = None,
    **scope: str,
) -> pl.LazyFrame:
    """The rows a partner's KPI of a month is computed on (one channel, or partner-wide when None;
    optionally one `site_id` or `queue`), the ones that pull it the wrong way first:

    - quality_score: the evaluations of the quality table (lowest score first);
    - occupancy: the staffing intervals; forecast_accuracy: the client's forecasts;
    - a contact KPI: the contacts its denominator counts, with the flags the KPIs count — the survey
      answers for CSAT, the answered contacts for ASA and AHT, the contacts whose 7-day window is
      observed for FCR, every contact offered for the service level, abandon rate and counts.

    A KPI whose table the engagement does not have is a ValueError naming the table.
    """
    entry = registered_kpi(kpi)
    start = _month(month)
    chosen = (pl.col("partner_id") == partner_id) & (pl.col("month") == pl.lit(start, dtype=pl.Date))
    if channel is not None:
        chosen &= pl.col("channel") == channel
    for column, value in scope.items():
        chosen &= pl.col(column) == value
    if entry.from_contacts:
        rows = contact_flags(
            engagement.contacts,
            engagement.contract.channels,
            fcr=engagement.has("contacts", "customer_id"),
            in_hours=in_service_hours(engagement.contract, engagement.contacts, engagement.table("relief")),
        )
        denominator = entry.denominator.meta.root_names() if entry.denominator is not None else []
        for name in denominator:
            chosen &= _CONTACTS_COUNTED.get(name, pl.lit(True))
    else:
        table = engagement.table(entry.needs)
        if table is None:
            raise ValueError(f"{kpi} is computed from the {entry.needs} table, which this engagement does not have")
        rows = _with_month(table, entry.needs)
        rows = _with_scope(rows, engagement, scope)
    column, descending = _WORST_FIRST.get(kpi, ("wait_s", True))
    return rows.filter(chosen).sort(column, descending=descending, nulls_last=True, maintain_order=True)


def _with_month(table: pl.LazyFrame, name: str) -> pl.LazyFrame:
    instant = {"quality": "evaluated_at", "staffing": "interval_start"}.get(name)
    return table if instant is None else table.with_columns(month_of(pl.col(instant)).alias("month"))


def _with_scope(rows: pl.LazyFrame, engagement: Engagement, scope: dict[str, str]) -> pl.LazyFrame:
    """Evaluations carry no site or queue: they take those of the contact they evaluated."""
    names = rows.collect_schema().names()
    missing = [c for c in scope if c not in names]
    if not missing:
        return rows
    if "contact_id" not in names or any(c not in engagement.contacts.collect_schema().names() for c in missing):
        raise ValueError(f"no {', '.join(missing)} to scope by (expected a column of the table or of its contacts)")
    return rows.join(engagement.contacts.select("contact_id", *missing), on="contact_id", how="left")
