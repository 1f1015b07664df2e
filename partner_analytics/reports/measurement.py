"""What a period's measurement left out or set apart, as every committee report lists it: the contacts
outside service hours per channel (formulas.md §1.10; measured apart when the contract says so) and
the relief the client granted (§2.1).

The words the reports show are the labels below, in one place, so they are translated once.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping

import polars as pl

from ..contract.terms import Contract
from ..core.periods import Period
from ..metrics.outside_hours import OUTSIDE_HOURS_KPIS
from ..views.html_tables import HTML, table
from ..views.wording import MISSING, format_value, kpi_label, number, percent, service_level_label

__all__ = [
    "MEASUREMENT_TEXTS",
    "OUTSIDE_HOURS_HEADINGS",
    "RELIEF_EFFECT_LABELS",
    "RELIEF_HEADINGS",
    "TREATMENT_LABELS",
    "outside_hours_html",
    "outside_hours_summary",
    "relief_granted",
    "relief_html",
]

_COUNTS = ("offered", "outside_hours", "answered_outside_hours")

RELIEF_HEADINGS: dict[str, str] = {
    "partner": "Partner",
    "applies_to": "Channel or service level",
    "starts_at": "From",
    "ends_at": "To",
    "reason": "Reason",
    "granted_by": "Granted by",
    "granted_on": "Granted on",
    "effect": "Effect",
}
RELIEF_EFFECT_LABELS: dict[str, str] = {
    "exclude_window": "the window's contacts left out of the service levels",
    "excuse_month": "the months of the window excused",
}
OUTSIDE_HOURS_HEADINGS: dict[str, str] = {
    "channel": "Channel",
    "offered": "Contacts offered",
    "outside_hours": "Outside service hours",
    "outside_share": "Share outside",
    "answered_outside_hours": "Answered outside",
    "treatment": "Outside hours are",
    **{name: kpi_label(name) for name in OUTSIDE_HOURS_KPIS},
}
TREATMENT_LABELS: dict[bool, str] = {False: "left out of the service levels", True: "measured apart"}
MEASUREMENT_TEXTS: dict[str, str] = {
    "relief_title": "Relief granted",
    "relief_caption": "Relief events (waivers) whose window touches {period}",
    "relief_empty": "No relief was granted for {period}.",
    "every_service_level": "every service level",
    "channel_service_levels": "every service level · {channel}",
    "outside_caption": "Contacts outside service hours over {period}: counted in volumes and charges, "
    "never in the committed service levels",
    "outside_empty": "The contract sets no service hours: every contact counts in the service levels.",
    "time_format": "%Y-%m-%d %H:%M",
}


def outside_hours_summary(results: pl.LazyFrame, contract: Contract, period: Period) -> pl.LazyFrame:
    """Per partner × channel with service hours, over the period's months: contacts offered, outside
    service hours and answered outside, the share outside, whether they are `measured_apart`, and the
    OUTSIDE_HOURS_KPIS over the period (Σ numerator / Σ denominator of the months; null when not
    measured apart)."""
    hours = pl.LazyFrame(
        [(p.id, ch, h.measured_apart) for p in contract.partners for ch, h in p.service_hours.items()],
        schema={"partner_id": pl.String, "channel": pl.String, "measured_apart": pl.Boolean},
        orient="row",
    )
    kpi, num, den = pl.col("kpi"), pl.col("numerator"), pl.col("denominator")
    months = results.filter(
        pl.col("month").is_between(period.start, period.last_day)
        & pl.col("channel").is_not_null()
        & kpi.is_in([*_COUNTS, *OUTSIDE_HOURS_KPIS])
    )

    def ratio(name: str) -> pl.Expr:
        # summed in sorted order: the same to the last bit whatever order the months come in
        n, d = num.filter(kpi == name).sort().sum(), den.filter(kpi == name).sort().sum()
        return pl.when(d > 0).then(n / d).alias(name)

    sums = months.group_by("partner_id", "channel").agg(
        *(num.filter(kpi == name).sum().cast(pl.Int64).alias(name) for name in _COUNTS),
        *(ratio(name) for name in OUTSIDE_HOURS_KPIS),
    )
    offered, outside = pl.col("offered"), pl.col("outside_hours")
    return (
        hours.join(sums, on=["partner_id", "channel"], how="inner", maintain_order="left")
        .with_columns(pl.when(offered > 0).then(outside / offered).alias("outside_share"))
        .select("partner_id", "channel", *_COUNTS, "outside_share", "measured_apart", *OUTSIDE_HOURS_KPIS)
        .sort("partner_id", "channel")
    )


def relief_granted(relief: pl.LazyFrame, contract: Contract, period: Period) -> pl.LazyFrame:
    """The relief events whose window [starts_at, ends_at) touches the period (local times of the
    contract), with the partner's name: partner_id, partner, channel, service_level, starts_at, ends_at,
    reason, granted_by, granted_on, effect; in order of their start."""
    dtype = relief.collect_schema()["starts_at"]
    zone = dtype.time_zone if isinstance(dtype, pl.Datetime) else None

    def instant(day: dt.date) -> pl.Expr:
        at = pl.lit(dt.datetime.combine(day, dt.time()), dtype=pl.Datetime("us"))
        return at.dt.replace_time_zone(zone) if zone else at

    names = pl.LazyFrame(
        {"partner_id": contract.partner_ids, "partner": [p.name for p in contract.partners]},
        schema={"partner_id": pl.String, "partner": pl.String},
    )
    touches = (pl.col("starts_at") < instant(period.end)) & (pl.col("ends_at") > instant(period.start))
    return (
        relief.filter(touches)
        .join(names, on="partner_id", how="left", maintain_order="left")
        .select(
            "partner_id",
            "partner",
            "channel",
            "service_level",
            "starts_at",
            "ends_at",
            "reason",
            "granted_by",
            "granted_on",
            "effect",
        )
        .sort("starts_at", "partner_id", "effect", "reason")
    )


def _applies_to(_: object, row: Mapping) -> str:
    if row["service_level"]:
        return service_level_label(row["service_level"])
    if row["channel"]:
        return MEASUREMENT_TEXTS["channel_service_levels"].format(channel=row["channel"])
    return MEASUREMENT_TEXTS["every_service_level"]


def _time(value: dt.datetime | None) -> str:
    return MISSING if value is None else f"{value:{MEASUREMENT_TEXTS['time_format']}}"


def _kpi_text(name: str):
    """A formatter of one KPI's values: a dash where the channel does not measure it."""
    return lambda value: MISSING if value is None else format_value(name, value)


def relief_html(relief: pl.DataFrame, period: Period) -> HTML:
    """The section listing the relief of the period (`relief_granted`), under its heading."""
    frame = relief.with_columns(pl.lit(None, dtype=pl.String).alias("applies_to"))
    listed = table(
        frame,
        RELIEF_HEADINGS,
        formats={
            "applies_to": _applies_to,
            "starts_at": _time,
            "ends_at": _time,
            "effect": lambda e: RELIEF_EFFECT_LABELS.get(e, e),
        },
        caption=MEASUREMENT_TEXTS["relief_caption"].format(period=period),
        empty=MEASUREMENT_TEXTS["relief_empty"].format(period=period),
    )
    return HTML(f"<h2>{html.escape(MEASUREMENT_TEXTS['relief_title'])}</h2>{listed.markup}")


def outside_hours_html(summary: pl.DataFrame, period: Period) -> HTML:
    """The table of the contacts outside service hours (`outside_hours_summary`); the columns of the
    KPIs measured apart only when some channel measures them apart."""
    columns = dict(OUTSIDE_HOURS_HEADINGS)
    if not summary["measured_apart"].any():
        for name in OUTSIDE_HOURS_KPIS:
            columns.pop(name)
    frame = summary.with_columns(pl.col("measured_apart").alias("treatment"))
    formats = {
        "offered": number,
        "outside_hours": number,
        "answered_outside_hours": number,
        "outside_share": percent,
        "treatment": lambda apart: TREATMENT_LABELS[bool(apart)],
        **{name: _kpi_text(name) for name in OUTSIDE_HOURS_KPIS},
    }
    return table(
        frame,
        columns,
        formats=formats,
        caption=MEASUREMENT_TEXTS["outside_caption"].format(period=period),
        empty=MEASUREMENT_TEXTS["outside_empty"],
    )
