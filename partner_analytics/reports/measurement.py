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
from ..views.language import N_, Translated, _
from ..views.wording import (
    MISSING,
    channel_name,
    day,
    format_value,
    kpi_label,
    number,
    percent,
    period_name,
    service_level_label,
)

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

RELIEF_HEADINGS = Translated(
    {
        "partner": N_("Partner"),
        "applies_to": N_("Channel or service level"),
        "starts_at": N_("From"),
        "ends_at": N_("To"),
        "reason": N_("Reason"),
        "granted_by": N_("Granted by"),
        "granted_on": N_("Granted on"),
        "effect": N_("Effect"),
    }
)
RELIEF_EFFECT_LABELS = Translated(
    {
        "exclude_window": N_("the window's contacts left out of the service levels"),
        "excuse_month": N_("the months of the window excused"),
    }
)
# the columns of the KPIs measured apart follow, named as every report names a KPI (`kpi_label`)
OUTSIDE_HOURS_HEADINGS = Translated(
    {
        "channel": N_("Channel"),
        "offered": N_("Contacts offered"),
        "outside_hours": N_("Outside service hours"),
        "outside_share": N_("Share outside"),
        "answered_outside_hours": N_("Answered outside"),
        "treatment": N_("Outside hours are"),
    }
)
TREATMENT_LABELS: dict[bool, str] = {False: N_("left out of the service levels"), True: N_("measured apart")}
MEASUREMENT_TEXTS = Translated(
    {
        "relief_title": N_("Relief granted"),
        "relief_caption": N_("Relief events (waivers) whose window touches {period}"),
        "relief_empty": N_("No relief was granted for {period}."),
        "every_service_level": N_("every service level"),
        "channel_service_levels": N_("every service level · {channel}"),
        "outside_caption": N_(
            "Contacts outside service hours over {period}: counted in volumes and charges, "
            "never in the committed service levels"
        ),
        "outside_empty": N_("The contract sets no service hours: every contact counts in the service levels."),
    }
)


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
        return MEASUREMENT_TEXTS["channel_service_levels"].format(channel=channel_name(row["channel"]))
    return MEASUREMENT_TEXTS["every_service_level"]


def _time(value: dt.datetime | None) -> str:
    return MISSING if value is None else f"{day(value.date())} {value:%H:%M}"


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
            "effect": lambda e: RELIEF_EFFECT_LABELS[e] if e in RELIEF_EFFECT_LABELS else e,
        },
        caption=MEASUREMENT_TEXTS["relief_caption"].format(period=period_name(period)),
        empty=MEASUREMENT_TEXTS["relief_empty"].format(period=period_name(period)),
    )
    return HTML(f"<h2>{html.escape(MEASUREMENT_TEXTS['relief_title'])}</h2>{listed.markup}")


def outside_hours_html(summary: pl.DataFrame, period: Period) -> HTML:
    """The table of the contacts outside service hours (`outside_hours_summary`); the columns of the
    KPIs measured apart only when some channel measures them apart."""
    columns = dict(OUTSIDE_HOURS_HEADINGS)
    if summary["measured_apart"].any():
        columns |= {name: kpi_label(name) for name in OUTSIDE_HOURS_KPIS}
    frame = summary.with_columns(pl.col("measured_apart").alias("treatment"))
    formats = {
        "offered": number,
        "outside_hours": number,
        "answered_outside_hours": number,
        "outside_share": percent,
        "treatment": lambda apart: _(TREATMENT_LABELS[bool(apart)]),
        **{name: _kpi_text(name) for name in OUTSIDE_HOURS_KPIS},
    }
    return table(
        frame,
        columns,
        formats=formats,
        caption=MEASUREMENT_TEXTS["outside_caption"].format(period=period_name(period)),
        empty=MEASUREMENT_TEXTS["outside_empty"],
    )
