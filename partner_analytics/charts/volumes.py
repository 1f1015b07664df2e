"""The volumes' figures: offered contacts against the client's forecast corridor, the floor's days,
and the client's forecasts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..views.language import _
from ..views.style import CORRIDOR_STYLE, INK, OKABE_ITO, PARTY_COLOURS
from ..views.wording import channel_name, decimal_text, money_text, span_text
from .layout import (
    HOVER_MONTH,
    Frame,
    add_note,
    bar_slot,
    collected,
    month_band,
    month_steps,
    monthly_trace,
    no_data,
    of_partner,
    one_partner,
    partner_suffix,
    report_layout,
    set_month_axis,
)

__all__ = ["floor_activity", "forecast_outlook", "volume_corridor"]

_CORRIDOR_BAND = "rgba(86, 180, 233, 0.20)"


def volume_corridor(
    corridor: Frame, channel: str | None = None, *, partner: str | None = None, currency: str = ""
) -> go.Figure:
    """Offered contacts against the client's forecast corridor (lower–upper), one panel per channel;
    months below and above are marked, and so are months without a contractual forecast (no band)."""
    title = _("Volume corridor") + partner_suffix(partner)
    df = of_partner(collected(corridor), partner)
    if channel is not None:
        df = df.filter(pl.col("channel") == channel)
        title += f" — {channel}"
    if df.is_empty():
        return no_data(title, _("No volume corridor in this selection"))
    partner = partner or one_partner(df, "volume_corridor")
    df = df.sort("channel", "month")
    channels = df.get_column("channel").unique().sort().to_list()
    fig = make_subplots(
        rows=len(channels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12 if len(channels) > 1 else 0.0,
        subplot_titles=[channel_name(c) for c in channels] if len(channels) > 1 else None,
    )
    shown: set[str] = set()
    for i, ch in enumerate(channels, start=1):
        part = df.filter(pl.col("channel") == ch)
        months = part.get_column("month").to_list()
        bx, by = month_band(months, part.get_column("lower").to_list(), part.get_column("upper").to_list())
        fig.add_trace(
            go.Scatter(
                x=bx,
                y=by,
                name=_("forecast corridor (lower–upper)"),
                legendgroup="band",
                showlegend=i == 1,
                fill="toself",
                fillcolor=_CORRIDOR_BAND,
                mode="lines",
                line={"color": OKABE_ITO["sky blue"], "width": 1},
                hoverinfo="skip",
            ),
            row=i,
            col=1,
        )
        fx, fy = month_steps(months, part.get_column("forecast").to_list())
        fig.add_trace(
            go.Scatter(
                x=fx,
                y=fy,
                name=_("contractual forecast"),
                legendgroup="forecast",
                showlegend=i == 1,
                mode="lines",
                line={"color": OKABE_ITO["blue"], "width": 1, "dash": "dot"},
                hovertemplate=_("forecast") + " %{y:,.0f}<extra></extra>",
            ),
            row=i,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                **monthly_trace(x=months, y=part.get_column("offered").to_list()),
                name=_("offered"),
                mode="lines",
                line={"color": "#777777", "width": 1.5},
                hoverinfo="skip",
                showlegend=False,
            ),
            row=i,
            col=1,
        )
        for position, style in CORRIDOR_STYLE.items():
            pos = part.filter(pl.col("position") == position)
            if pos.is_empty():
                continue
            hovers = [
                _corridor_hover(r, currency)
                for r in pos.select("offered", "forecast", "lower", "upper", "compensation").iter_rows(named=True)
            ]
            outlined = position == "no forecast"
            fig.add_trace(
                go.Scatter(
                    **monthly_trace(x=pos.get_column("month").to_list(), y=pos.get_column("offered").to_list()),
                    name=_("offered, {position}").format(position=_(style["label"])),
                    legendgroup=position,
                    showlegend=position not in shown,
                    mode="markers",
                    marker={
                        "symbol": style["symbol"],
                        "color": style["colour"],
                        "size": 11,
                        "line": {"width": 2 if outlined else 0.5, "color": style["colour"] if outlined else "white"},
                    },
                    hovertext=hovers,
                    hovertemplate=f"{channel_name(ch)} · {HOVER_MONTH}<br>{_(style['label'])}<br>%{{hovertext}}"
                    "<extra></extra>",
                ),
                row=i,
                col=1,
            )
            shown.add(position)
        fig.update_yaxes(title=_("Offered contacts"), tickformat=",.0f", rangemode="tozero", row=i, col=1)
    all_months = df.get_column("month").unique().to_list()
    set_month_axis(fig, all_months)
    fig = report_layout(
        fig,
        title,
        subtitle=_("{span}; the band is the contractual forecast ± the corridor's tolerance").format(
            span=span_text(all_months)
        ),
        height=max(400, 140 + 250 * len(channels)),
    )
    if len(all_months) == 1:
        add_note(fig, _("One month of data so far."))
    return fig


def _corridor_hover(r: Mapping[str, Any], currency: str) -> str:
    offered = _("offered {n}").format(n=decimal_text(r["offered"]))
    if r["forecast"] is None:
        return offered + _("; no contractual forecast: the corridor does not apply")
    text = offered + _("; forecast {forecast} (corridor {lower} – {upper})").format(
        forecast=decimal_text(r["forecast"]), lower=decimal_text(r["lower"], 1), upper=decimal_text(r["upper"], 1)
    )
    if r["compensation"]:
        text += "<br>" + _("compensation owed by the client {amount}").format(
            amount=money_text(r["compensation"], currency)
        )
    return text


def floor_activity(floor: Frame, *, partner: str | None = None, channel: str | None = None) -> go.Figure:
    """Per day: contacts offered and answered (bars), the day's service level (line, %), and the staffed
    and handled hours with the occupancy they give (lower panel), one channel or all channels summed."""
    title = _("Floor activity") + partner_suffix(partner) + (f" — {channel_name(channel)}" if channel else "")
    df = of_partner(collected(floor), partner)
    if channel is not None:
        df = df.filter(pl.col("channel") == channel)
    if df.is_empty():
        return no_data(title, _("No contacts in this selection"))
    days = (
        df.group_by("day")
        .agg(
            pl.col("offered", "answered", "short_abandons", "in_service").sum(),
            pl.col("handled_hours").sum(),
            pl.col("staffed_hours").sum(),
            pl.col("staffed_hours").is_not_null().any().alias("staffed"),
        )
        .sort("day")
    )
    answerable = days["offered"] - days["short_abandons"]
    service = [s / a if a else None for s, a in zip(days["in_service"], answerable, strict=True)]
    staffed = [h if ok else None for h, ok in zip(days["staffed_hours"], days["staffed"], strict=True)]
    occupancy = [hd / st if st else None for hd, st in zip(days["handled_hours"], staffed, strict=True)]
    x = days["day"].to_list()
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.6, 0.4],
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}], [{"secondary_y": True}]],
    )
    fig.add_bar(
        x=x,
        y=days["offered"].to_list(),
        name=_("offered"),
        marker_color="#BBBBBB",
        hovertemplate="%{x|%a %d %b}: %{y:,} " + _("offered") + "<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        x=x,
        y=days["answered"].to_list(),
        name=_("answered"),
        marker_color=PARTY_COLOURS["provider"],
        hovertemplate="%{x|%a %d %b}: %{y:,} " + _("answered") + "<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=x,
        y=service,
        name=_("service level"),
        mode="lines+markers",
        line={"color": INK},
        hovertemplate="%{x|%a %d %b}: " + _("service level") + " %{y:.1%}<extra></extra>",
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.add_scatter(
        x=x,
        y=staffed,
        name=_("staffed hours"),
        mode="lines",
        line={"color": PARTY_COLOURS["provider"], "dash": "dot"},
        hovertemplate="%{x|%a %d %b}: %{y:,.1f} " + _("staffed hours") + "<extra></extra>",
        row=2,
        col=1,
    )
    fig.add_scatter(
        x=x,
        y=days["handled_hours"].to_list(),
        name=_("handled hours"),
        mode="lines",
        line={"color": PARTY_COLOURS["provider"]},
        hovertemplate="%{x|%a %d %b}: %{y:,.1f} " + _("handled hours") + "<extra></extra>",
        row=2,
        col=1,
    )
    fig.add_scatter(
        x=x,
        y=occupancy,
        name=_("occupancy"),
        mode="markers",
        marker={"color": INK, "symbol": "diamond"},
        hovertemplate="%{x|%a %d %b}: " + _("occupancy") + " %{y:.1%}<extra></extra>",
        row=2,
        col=1,
        secondary_y=True,
    )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(
        title_text=_("contacts per day"), tickformat=",d", rangemode="tozero", row=1, col=1, secondary_y=False
    )
    fig.update_yaxes(
        title_text=_("service level (%)"), tickformat=".0%", range=[0, 1.05], dtick=0.2, row=1, col=1, secondary_y=True
    )
    # ranges from the data: every staffed hour and every occupancy above 100 % stays in view
    hours = [h for h in [*staffed, *days["handled_hours"].to_list()] if h is not None]
    fig.update_yaxes(
        title_text=_("hours per day"), range=[0, _headroom(max(hours, default=0), 1)], row=2, col=1, secondary_y=False
    )
    top = _headroom(max([o for o in occupancy if o is not None], default=0), 1)
    fig.update_yaxes(
        title_text=_("occupancy (%)"), tickformat=".0%", range=[0, top], dtick=0.2, row=2, col=1, secondary_y=True
    )
    fig.update_xaxes(tickformat="%d %b", row=2, col=1)
    if not any(v is not None for v in staffed):
        add_note(fig, _("no staffing data: staffed hours and occupancy not measurable"))
    return report_layout(fig, title, height=560)


def _headroom(largest: float, floor: float) -> float:
    """The top of an axis holding `largest` with a 5 % margin above it, at least `floor` plus that margin."""
    return max(largest, floor) * 1.05


def forecast_outlook(forecasts: Frame, *, partner: str | None = None) -> go.Figure:
    """Per channel and month: the client's latest forecast, the contractual one, and the offered contacts
    once observed; months ahead show the forecasts only."""
    title = _("The client's forecasts") + partner_suffix(partner)
    df = of_partner(collected(forecasts), partner).sort("channel", "month")
    if df.is_empty():
        return no_data(title, _("No forecasts in this selection"))
    channels = df["channel"].unique(maintain_order=True).to_list()
    fig = make_subplots(
        rows=1, cols=len(channels), subplot_titles=[channel_name(c) for c in channels], shared_yaxes=False
    )
    for i, channel in enumerate(channels, start=1):
        rows = df.filter(pl.col("channel") == channel)
        months = rows["month"].to_list()
        first = i == 1
        fig.add_bar(
            x=months,
            y=rows["offered"].to_list(),
            name=_("offered"),
            marker_color="#BBBBBB",
            showlegend=first,
            legendgroup="offered",
            hovertemplate=f"{HOVER_MONTH}: %{{y:,}} " + _("offered") + "<extra></extra>",
            **monthly_trace(),
            **bar_slot(0, 1),
            row=1,
            col=i,
        )
        fig.add_scatter(
            x=months,
            y=rows["contractual_forecast"].to_list(),
            name=_("contractual forecast"),
            mode="markers+lines",
            marker={"color": PARTY_COLOURS["client"], "symbol": "hexagon"},
            line={"color": PARTY_COLOURS["client"]},
            showlegend=first,
            legendgroup="contractual",
            hovertemplate=f"{HOVER_MONTH}: " + _("contractual forecast") + " %{y:,.0f}<extra></extra>",
            **monthly_trace(),
            row=1,
            col=i,
        )
        fig.add_scatter(
            x=months,
            y=rows["latest_forecast"].to_list(),
            name=_("latest forecast"),
            mode="markers+lines",
            marker={"color": PARTY_COLOURS["client"], "symbol": "hexagon-open"},
            line={"color": PARTY_COLOURS["client"], "dash": "dot"},
            showlegend=first,
            legendgroup="latest",
            hovertemplate=f"{HOVER_MONTH}: " + _("latest forecast") + " %{y:,.0f}<extra></extra>",
            **monthly_trace(),
            row=1,
            col=i,
        )
        set_month_axis(fig, months, row=1, col=i)
        fig.update_yaxes(tickformat=",d", rangemode="tozero", row=1, col=i)
    fig.update_yaxes(title_text=_("contacts per month"), row=1, col=1)
    return report_layout(fig, title, height=420)
