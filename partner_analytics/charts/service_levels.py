"""The service levels' figures: the month's scorecard, and one service level's result against its
objective over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import polars as pl

from ..core.periods import add_months
from ..evaluation.gaps import STATUSES
from ..views.language import _
from ..views.style import INK, MUTED, STATUS_COLOURS, STATUS_SYMBOLS
from ..views.wording import (
    AXIS_TITLES,
    MISSING,
    change_text,
    direction_text,
    hover_value,
    is_missing,
    kpi_label,
    kpi_unit,
    month_name,
    service_level_label,
    short_of_target_zone,
    span_text,
    status_label,
    status_name,
    value_text,
)
from .layout import (
    HOVER_MONTH,
    Frame,
    add_note,
    collected,
    month_band,
    month_start,
    month_steps,
    monthly_trace,
    no_data,
    of_partner,
    one_partner,
    partner_suffix,
    report_layout,
    set_month_axis,
)

__all__ = ["objective_vs_result", "scorecard"]

# The scorecard's rows, header (two lines), top margin (title and subtitle) and text, in pixels: its height
# follows its rows, each on one line from the printed page's width up.
SCORECARD_ROW_PX = 28
SCORECARD_HEADER_PX = 40
SCORECARD_LINE_PX = 14  # a status's second line (chronic failure)
SCORECARD_FONT_PX = 11
SCORECARD_TOP_PX = 90
_BAND = "rgba(230, 159, 0, 0.16)"  # the zone short of target: the orange of "below target", light


def scorecard(gaps: Frame, month: dt.date | str, *, partner: str | None = None) -> go.Figure:
    """Every service level for a month: result, target, minimum, status and the trend versus the month before.

    The trend arrow shows which way the value moved (▲ up, ▼ down) and says whether that is better or
    worse for this KPI (a falling abandon rate is ▼ better). Reads `gaps` (evaluation).
    """
    m = month_start(month)
    title = _("Service levels") + f"{partner_suffix(partner)} — {month_name(m)}"
    df = of_partner(collected(gaps), partner)
    now = df.filter(pl.col("month") == m).sort("partner_id", "order")
    if now.is_empty():
        return no_data(title, _("No service level measured in {month}").format(month=month_name(m)))
    previous = df.filter(pl.col("month") == add_months(m, -1)).select(
        "partner_id", "service_level", pl.col("value").alias("previous")
    )
    rows = now.join(previous, on=["partner_id", "service_level"], how="left").sort("partner_id", "order")
    several = rows.get_column("partner_id").n_unique() > 1
    names, results, targets, minima, statuses, trends, notes = ([] for _ in range(7))
    status_fill, trend_colour = [], []
    for r in rows.iter_rows(named=True):
        unit = kpi_unit(r["kpi"])
        label = kpi_label(r["kpi"], r["channel"])
        names.append(f"{r['partner_id']} · {label}" if several else label)
        results.append(value_text(r["value"], unit))
        targets.append(value_text(r["target"], unit))
        minima.append(value_text(r["minimum"], unit))
        status = r["status"]
        chronic = "<br>" + _("chronic failure") if r["chronic_failure"] else ""  # a second line at every width
        statuses.append(f"{status_label(status)}{chronic}")
        status_fill.append(STATUS_COLOURS[status])
        arrow, colour = _trend(r["value"], r["previous"], r["direction"], unit)
        trends.append(arrow)
        trend_colour.append(colour)
        notes.append(r["note"] or "")
    white = ["white"] * len(names)
    columns = [
        _("Service level"),
        _("Result"),
        _("Target"),
        _("Minimum"),
        _("Status"),
        _("Trend vs<br>previous month"),
        _("Note"),
    ]
    values = [names, results, targets, minima, statuses, trends, notes]
    widths = [2.8, 1.05, 1.05, 1.05, 1.7, 2.0, 2.4]
    fills = [white, white, white, white, status_fill, white, white]
    colours = [[INK] * len(names)] * 4 + [["#000000"] * len(names), trend_colour, ["#555555"] * len(names)]
    aligns = ["left", "right", "right", "right", "left", "left", "left"]
    keep = slice(None) if any(notes) else slice(0, 6)
    chronic = sum(bool(r["chronic_failure"]) for r in rows.iter_rows(named=True))  # no note: no empty column
    fig = go.Figure(
        go.Table(
            columnwidth=widths[keep],
            header={
                "values": columns[keep],
                "fill_color": "#EEEEEE",
                "align": "left",
                "font": {"size": SCORECARD_FONT_PX, "color": INK},
                "height": SCORECARD_HEADER_PX,
            },
            cells={
                "values": values[keep],
                "fill_color": fills[keep],
                "font": {"size": SCORECARD_FONT_PX, "color": colours[keep]},
                "align": aligns[keep],
                "height": SCORECARD_ROW_PX,
            },
        )
    )
    subtitle = _("Status colours are colour-blind safe and each status also has its own symbol.")
    fig = report_layout(fig, title, subtitle=subtitle)
    # the height of its rows: one line each (two for a chronic failure), even at the printed page's width
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": SCORECARD_TOP_PX, "b": 10},
        height=SCORECARD_TOP_PX
        + 10
        + SCORECARD_HEADER_PX
        + SCORECARD_ROW_PX * len(names)
        + SCORECARD_LINE_PX * chronic
        + 4,
    )
    return fig


def _trend(value: float | None, previous: float | None, direction: int, unit: str) -> tuple[str, str]:
    """The trend cell (arrow, better or worse, the change) and its text colour (dark: the words carry the meaning)."""
    if is_missing(value) or is_missing(previous):
        return f"{MISSING} " + _("no comparison"), MUTED
    assert value is not None and previous is not None
    change = value - previous
    if change == 0:
        return "= " + _("unchanged"), INK
    arrow = "▲" if change > 0 else "▼"
    word = _("better") if direction * change > 0 else _("worse")
    return f"{arrow} {word} ({change_text(change, unit)})", INK


def objective_vs_result(gaps: Frame, service_level: str, *, partner: str | None = None) -> go.Figure:
    """One service level over time: result, target and minimum lines with the below-target zone between,
    each month's status as a coloured marker with its own symbol (breach ✖, excused ■)."""
    df = of_partner(collected(gaps), partner).filter(pl.col("service_level") == service_level).sort("month")
    if df.is_empty():
        return no_data(
            service_level_label(service_level) + partner_suffix(partner) + " — " + _("objective vs result"),
            _("No months for {service_level}").format(service_level=service_level_label(service_level)),
        )
    named = partner_suffix(partner)  # the partner named by the caller; a partner's report names none
    if partner is None:
        one_partner(df, "objective_vs_result")  # a table of several partners is refused
    kpi, channel = df.item(0, "kpi"), df.item(0, "channel")
    unit = kpi_unit(kpi)
    label = kpi_label(kpi, channel)
    months = df.get_column("month").to_list()
    fmt = hover_value(unit)
    fig = go.Figure()
    # The zone between minimum and target, short of target: below the target when higher is better, above it
    # when lower is better (the band lies between the two lines either way; its name follows the direction).
    bx, by = month_band(months, df.get_column("minimum").to_list(), df.get_column("target").to_list())
    zone = short_of_target_zone(df.item(0, "direction"))
    fig.add_trace(go.Scatter(x=bx, y=by, name=zone, fill="toself", fillcolor=_BAND, mode="none", hoverinfo="skip"))
    for column, name, colour, dash in (
        ("minimum", _("minimum"), STATUS_COLOURS["breach"], "dot"),
        ("target", _("target"), INK, "dash"),
        ("stretch", _("stretch (bonus)"), STATUS_COLOURS["met"], "longdashdot"),
    ):
        values = df.get_column(column).to_list()
        if all(is_missing(v) for v in values):
            continue
        x, y = month_steps(months, values)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=name,
                mode="lines",
                line={"color": colour, "dash": dash, "width": 1.5},
                hovertemplate=f"{name} {fmt}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            **monthly_trace(x=months, y=df.get_column("value").to_list()),
            name=_("result"),
            mode="lines",
            line={"color": "#777777", "width": 1.5},
            connectgaps=False,
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for status in STATUSES:
        part = df.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        # A month without a value is drawn on the target line so that it stays visible.
        y = part.get_column("target" if status == "not measurable" else "value").to_list()
        text = [
            status_name(status) + (" · " + _("chronic failure") if chronic else "") + (f" · {note}" if note else "")
            for chronic, note in zip(part.get_column("chronic_failure"), part.get_column("note"), strict=True)
        ]
        value_part = _("no value") if status == "not measurable" else _("result") + f" {fmt}"
        outlined = status in ("breach", "not measurable")
        fig.add_trace(
            go.Scatter(
                **monthly_trace(x=part.get_column("month").to_list(), y=y),
                name=status_name(status),
                mode="markers",
                marker={
                    "symbol": STATUS_SYMBOLS[status],
                    "color": STATUS_COLOURS[status],
                    "size": 11,
                    "line": {"width": 2 if outlined else 1, "color": STATUS_COLOURS[status] if outlined else "white"},
                },
                text=text,
                hovertemplate=f"{HOVER_MONTH}<br>{value_part}<br>%{{text}}<extra></extra>",
            )
        )
    y_axis: dict[str, Any] = {"title": f"{label} ({AXIS_TITLES[unit]})", "zeroline": False}
    if unit == "rate":
        y_axis["tickformat"] = ".0%"
    fig.update_yaxes(**y_axis)
    set_month_axis(fig, months)
    fig = report_layout(
        fig,
        label + named + " — " + _("objective vs result"),
        subtitle=f"{span_text(months)}; {direction_text(kpi)}",
    )
    if len(months) == 1:
        add_note(fig, _("One month of data so far: no trend yet."))
    return fig
