"""The look every figure shares, and the small steps they are built from: the report layout, the "no
data" figure, notes, month axes, monthly step lines and bands, bars sized to their month, and the
choice of one partner's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from ..core.periods import add_months, months_between, parse_period
from ..views.language import _, current_language
from ..views.style import FONT, INK
from ..views.wording import MONTH_NAME_FORMAT, is_missing

__all__ = [
    "DAY_MS",
    "HOVER_MONTH",
    "MONTH_BAR_MS",
    "MONTH_TICK_FORMAT",
    "NO_DATA_HEIGHT",
    "SEPARATORS",
    "Frame",
    "add_note",
    "add_panel_note",
    "bar_slot",
    "collected",
    "currency_units",
    "month_band",
    "month_start",
    "month_steps",
    "monthly_trace",
    "no_data",
    "of_partner",
    "one_partner",
    "partner_suffix",
    "report_layout",
    "set_count_axis",
    "set_month_axis",
]

Frame = pl.DataFrame | pl.LazyFrame

DAY_MS = 86_400_000
MONTH_BAR_MS = 22 * DAY_MS
MONTH_TICK_FORMAT = "%b<br>%Y"
#: The height of a figure without data: its title and one line saying why.
NO_DATA_HEIGHT = 120
# plotly's decimal and thousands separators per report language (plotly's locale names the months).
SEPARATORS = {"en": ".,", "fr": ",\u202f"}
# The month of a point in a hover template: `March 2026`.
HOVER_MONTH = f"%{{x|{MONTH_NAME_FORMAT}}}"


def report_layout(fig: go.Figure, title: str, *, subtitle: str | None = None, height: int | None = None) -> go.Figure:
    """`fig` with the reports' common look: template, fonts, margins, title, legend above the plot, the
    number separators of the report's language."""
    fig.update_layout(
        separators=SEPARATORS[current_language()],
        template="plotly_white",
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "font": {"size": 17, "color": INK},
            "subtitle": {"text": subtitle or "", "font": {"size": 12, "color": "#666666"}},
        },
        font={"family": FONT, "size": 13, "color": INK},
        margin={"l": 70, "r": 30, "t": 100 if subtitle else 80, "b": 40},
        # at the foot of the figure: the bottom margin grows to hold it under the x tick labels
        legend={
            "orientation": "h",
            "xanchor": "left",
            "x": 0,
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": 12},
            "traceorder": "normal",
        },
        hoverlabel={"font": {"family": FONT, "size": 12}, "align": "left"},
        height=height or 440,
        bargap=0.25,
    )
    return fig


def no_data(title: str, message: str | None = None) -> go.Figure:
    """An empty figure that says so: what a view returns when its table has no rows."""
    fig = go.Figure()
    fig.add_annotation(
        name="no data",
        text=message or _("No data for this selection"),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#666666"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    # one line under the title: a small figure, not an empty chart's worth of blank page
    fig = report_layout(fig, title, height=NO_DATA_HEIGHT)
    fig.update_layout(margin={"t": 50, "b": 10})
    return fig


def add_note(fig: go.Figure, text: str, *, name: str = "note") -> None:
    """A short remark at the top right, above the plot area (one month of data, provisional amounts)."""
    fig.add_annotation(
        name=name,
        text=text,
        x=1,
        y=1,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="bottom",
        yshift=6,
        showarrow=False,
        font={"size": 12, "color": "#555555"},
        align="right",
    )


def set_month_axis(fig: go.Figure, months: Sequence[dt.date], **where: Any) -> None:
    """A date axis of whole months: each month labelled under its middle up to a year, then a tick at
    the start of every quarter (up to 3 years) or half-year."""
    if not months:
        return
    first, last = min(months), max(months)
    span = months_between(first, last) + 1
    dtick = "M1" if span <= 12 else "M3" if span <= 36 else "M6"
    fig.update_xaxes(
        type="date",
        range=[first - dt.timedelta(days=3), add_months(last, 1) + dt.timedelta(days=2)],
        dtick=dtick,
        tick0=first,
        tickformat=MONTH_TICK_FORMAT,
        ticklabelmode="period" if dtick == "M1" else "instant",
        hoverformat=MONTH_NAME_FORMAT,
        showgrid=dtick != "M1",
        **where,
    )


def month_steps(months: Sequence[dt.date], values: Sequence[float | None]) -> tuple[list[Any], list[Any]]:
    """x, y of a line holding each month's value across the whole month; a month without a value breaks it."""
    xs: list[Any] = []
    ys: list[Any] = []
    for month, value in zip(months, values, strict=True):
        if is_missing(value):
            continue
        if xs and xs[-1] != month:
            xs.append(None)
            ys.append(None)
        xs += [month, add_months(month, 1)]
        ys += [value, value]
    return xs, ys


def month_band(
    months: Sequence[dt.date], lower: Sequence[float | None], upper: Sequence[float | None]
) -> tuple[list[Any], list[Any]]:
    """x, y of the closed shapes between two monthly step lines (one per run of months with both values),
    for a `fill="toself"` trace."""
    runs: list[list[int]] = []
    for i, month in enumerate(months):
        if is_missing(lower[i]) or is_missing(upper[i]):
            continue
        if runs and months[runs[-1][-1]] == add_months(month, -1):
            runs[-1].append(i)
        else:
            runs.append([i])
    xs: list[Any] = []
    ys: list[Any] = []
    for run in runs:
        ux, uy = month_steps([months[i] for i in run], [upper[i] for i in run])
        lx, ly = month_steps([months[i] for i in run], [lower[i] for i in run])
        if xs:
            xs.append(None)
            ys.append(None)
        xs += ux + lx[::-1] + ux[:1]
        ys += uy + ly[::-1] + uy[:1]
    return xs, ys


def set_count_axis(fig: go.Figure, largest: float | None, **where: Any) -> None:
    """A y axis of whole counts (no 0.5 ticks when the counts are small)."""
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if (largest or 0) <= 5 else None, **where)


def monthly_trace(**trace: Any) -> dict[str, Any]:
    """Trace settings that place each value in the middle of its month."""
    return {"xperiod": "M1", "xperiodalignment": "middle", **trace}


def bar_slot(i: int = 0, n: int = 1) -> dict[str, int]:
    """Width and offset (ms) of the i-th of n bars side by side in a month. Set explicitly, since plotly
    sizes bars by the smallest step between x values: a bar per month would be 1 ms wide with one month
    of data and several months wide where months are missing."""
    width = MONTH_BAR_MS // n
    return {"width": width, "offset": -MONTH_BAR_MS // 2 + i * width}


def add_panel_note(fig: go.Figure, text: str, xref: str, yref: str) -> None:
    """A remark in the middle of one panel (a panel without data)."""
    fig.add_annotation(
        name="no data",
        text=text,
        x=0.5,
        y=0.5,
        xref=xref,
        yref=yref,
        showarrow=False,
        font={"size": 14, "color": "#666666"},
    )


def collected(frame: Frame) -> pl.DataFrame:
    """The table as a DataFrame (a LazyFrame is collected here, at the figure's boundary)."""
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def of_partner(df: pl.DataFrame, partner: str | None) -> pl.DataFrame:
    """The rows of one partner (all rows without `partner`, or for a table without partners)."""
    return df if partner is None or "partner_id" not in df.columns else df.filter(pl.col("partner_id") == partner)


def one_partner(df: pl.DataFrame, view: str) -> str | None:
    """The one partner of the rows; a view of one partner refuses a table of several."""
    partners = df.get_column("partner_id").unique().to_list()
    if len(partners) > 1:
        raise ValueError(f"{view}: the table holds partners {sorted(partners)}; pass partner= to choose one")
    return partners[0] if partners else None


def month_start(month: dt.date | str) -> dt.date:
    """The first day of a month given as a date or as `2026-09`."""
    if isinstance(month, str):
        return parse_period(month).start
    return dt.date(month.year, month.month, 1)


def currency_units(cents: int | None) -> float | None:
    """Cents as currency units, the figures' axis scale."""
    return None if cents is None else cents / 100


def partner_suffix(partner: str | None) -> str:
    """` — N01` after a title, or nothing."""
    return f" — {partner}" if partner else ""
