"""The figures of the committee reports: one function per view, computed tables in, a plotly figure out.

Every function takes the tables as `analysis.compute` gives them (a `pl.DataFrame` or a
`pl.LazyFrame`, collected here), returns a `plotly.graph_objects.Figure` and never shows or writes
it. Figures only present what the tables computed: amounts, statuses, rates and flags are read from
their columns, never derived again; the only arithmetic here is presentation (a month's change
for a trend arrow, the share of service-level months per status, cents to currency units).

Accessibility: every status, party and earn-back state has ONE colour from the Okabe–Ito
colour-blind-safe palette, used by every figure, and also a marker symbol, a bar pattern and a text
label, so no figure depends on colour alone. Empty input gives a figure with a "no data"
annotation; one month of data a figure with a note saying so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..core.kpis import KPIS
from ..core.money import format_cents
from ..core.periods import add_months, months_between, parse_period, quarter_label
from ..core.schema import OWNER_PARTIES
from ..evaluation.gaps import STATUSES
from ..risk.credits import EARNBACK_STATUSES
from ..risk.statement import cycle_statement
from ..views.style import (
    CORRIDOR_STYLE,
    EARNBACK_STYLE,
    FONT,
    INK,
    MUTED,
    OKABE_ITO,
    PARTY_COLOURS,
    PARTY_PATTERNS,
    PARTY_SYMBOLS,
    STATUS_COLOURS,
    STATUS_GLYPHS,
    STATUS_PATTERNS,
    STATUS_SYMBOLS,
)
from ..views.wording import format_unit

__all__ = [
    "action_log",
    "credits_over_time",
    "floor_activity",
    "forecast_outlook",
    "invoice_reconciliation",
    "no_data",
    "objective_vs_result",
    "programme_overview",
    "report_layout",
    "reversibility_readiness",
    "risk_waterfall",
    "scorecard",
    "transparency_scorecard",
    "volume_corridor",
]

Frame = pl.DataFrame | pl.LazyFrame

_BAND = "rgba(230, 159, 0, 0.16)"  # the below-target zone: the orange of "below target", light
_CORRIDOR_BAND = "rgba(86, 180, 233, 0.20)"
_UNIT_TITLES = {
    "rate": "%",
    "seconds": "seconds",
    "count": "contacts",
    "score_1_5": "score 1–5",
    "score_0_100": "score 0–100",
}
_HOVER_FORMATS = {"rate": ".1%", "seconds": ",.1f", "count": ",.0f", "score_1_5": ".2f", "score_0_100": ".1f"}
_HOVER_SUFFIX = {"seconds": " s"}
_DAY_MS = 86_400_000
_MONTH_BAR_MS = 22 * _DAY_MS


# ---------------------------------------------------------------------------------------------
# Layout, shared by every figure.
# ---------------------------------------------------------------------------------------------


def report_layout(fig: go.Figure, title: str, *, subtitle: str | None = None, height: int | None = None) -> go.Figure:
    """`fig` with the reports' common look: template, fonts, margins, title, legend above the plot."""
    fig.update_layout(
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


def no_data(title: str, message: str = "No data for this selection") -> go.Figure:
    """An empty figure that says so: what a view returns when its table has no rows."""
    fig = go.Figure()
    fig.add_annotation(
        name="no data",
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#666666"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return report_layout(fig, title, height=260)


def _note(fig: go.Figure, text: str, *, name: str = "note") -> None:
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


def _month_axis(fig: go.Figure, months: Sequence[dt.date], **where: Any) -> None:
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
        tickformat="%b<br>%Y",
        ticklabelmode="period" if dtick == "M1" else "instant",
        hoverformat="%B %Y",
        showgrid=dtick != "M1",
        **where,
    )


def _steps(months: Sequence[dt.date], values: Sequence[float | None]) -> tuple[list[Any], list[Any]]:
    """x, y of a line holding each month's value across the whole month; a month without a value breaks it."""
    xs: list[Any] = []
    ys: list[Any] = []
    for month, value in zip(months, values, strict=True):
        if _missing(value):
            continue
        if xs and xs[-1] != month:
            xs.append(None)
            ys.append(None)
        xs += [month, add_months(month, 1)]
        ys += [value, value]
    return xs, ys


def _band(
    months: Sequence[dt.date], lower: Sequence[float | None], upper: Sequence[float | None]
) -> tuple[list[Any], list[Any]]:
    """x, y of the closed shapes between two monthly step lines (one per run of months with both values),
    for a `fill="toself"` trace."""
    runs: list[list[int]] = []
    for i, month in enumerate(months):
        if _missing(lower[i]) or _missing(upper[i]):
            continue
        if runs and months[runs[-1][-1]] == add_months(month, -1):
            runs[-1].append(i)
        else:
            runs.append([i])
    xs: list[Any] = []
    ys: list[Any] = []
    for run in runs:
        ux, uy = _steps([months[i] for i in run], [upper[i] for i in run])
        lx, ly = _steps([months[i] for i in run], [lower[i] for i in run])
        if xs:
            xs.append(None)
            ys.append(None)
        xs += ux + lx[::-1] + ux[:1]
        ys += uy + ly[::-1] + uy[:1]
    return xs, ys


def _count_axis(fig: go.Figure, largest: float | None, **where: Any) -> None:
    """A y axis of whole counts (no 0.5 ticks when the counts are small)."""
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=1 if (largest or 0) <= 5 else None, **where)


def _monthly(**trace: Any) -> dict[str, Any]:
    """Trace settings that place each value in the middle of its month."""
    return {"xperiod": "M1", "xperiodalignment": "middle", **trace}


def _slot(i: int = 0, n: int = 1) -> dict[str, int]:
    """Width and offset (ms) of the i-th of n bars side by side in a month. Set explicitly, since plotly
    sizes bars by the smallest step between x values: a bar per month would be 1 ms wide with one month
    of data and several months wide where months are missing."""
    width = _MONTH_BAR_MS // n
    return {"width": width, "offset": -_MONTH_BAR_MS // 2 + i * width}


# ---------------------------------------------------------------------------------------------
# Small helpers.
# ---------------------------------------------------------------------------------------------


def _collected(frame: Frame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _of_partner(df: pl.DataFrame, partner: str | None) -> pl.DataFrame:
    return df if partner is None or "partner_id" not in df.columns else df.filter(pl.col("partner_id") == partner)


def _one_partner(df: pl.DataFrame, view: str) -> str | None:
    partners = df.get_column("partner_id").unique().to_list()
    if len(partners) > 1:
        raise ValueError(f"{view}: the table holds partners {sorted(partners)}; pass partner= to choose one")
    return partners[0] if partners else None


def _month(month: dt.date | str) -> dt.date:
    if isinstance(month, str):
        return parse_period(month).start
    return dt.date(month.year, month.month, 1)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value_text(value: float | None, unit: str) -> str:
    """A KPI value as read in a report (`views.format_unit`), a dash when missing."""
    return "–" if _missing(value) else format_unit(value, unit)  # type: ignore[arg-type]


def _change_text(change: float, unit: str) -> str:
    """A signed change: rates in percentage points, with a true minus sign."""
    if unit == "rate":
        text = f"{change * 100:+.1f} pts"
    elif unit == "seconds":
        text = f"{change:+,.1f} s"
    else:
        text = f"{change:+,.2f}" if unit == "score_1_5" else f"{change:+,.1f}"
    return text.replace("-", "−")


def _signed(cents: int, currency: str) -> str:
    text = format_cents(abs(cents), currency)
    return f"+{text}" if cents > 0 else f"−{text}" if cents < 0 else text


def _kpi_label(kpi: str, channel: str | None) -> str:
    label = KPIS[kpi].label if kpi in KPIS else kpi
    return f"{label} · {channel}" if channel else label


def _unit(kpi: str) -> str:
    return KPIS[kpi].unit if kpi in KPIS else "count"


def _y_format(unit: str) -> str:
    return f"%{{y:{_HOVER_FORMATS[unit]}}}{_HOVER_SUFFIX.get(unit, '')}"


def _money(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _span_label(months: Sequence[dt.date]) -> str:
    first, last = min(months), max(months)
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} to {last:%Y-%m}"


def _who(partner: str | None) -> str:
    return f" — {partner}" if partner else ""


# ---------------------------------------------------------------------------------------------
# 1. Scorecard
# ---------------------------------------------------------------------------------------------


def scorecard(gaps: Frame, month: dt.date | str, *, partner: str | None = None) -> go.Figure:
    """Every service level for a month: result, target, minimum, status and the trend versus the month before.

    The trend arrow shows which way the value moved (▲ up, ▼ down) and says whether that is better or
    worse for this KPI (a falling abandon rate is ▼ better). Reads `gaps` (evaluation).
    """
    m = _month(month)
    title = f"Service levels{_who(partner)} — {m:%B %Y}"
    df = _of_partner(_collected(gaps), partner)
    now = df.filter(pl.col("month") == m).sort("partner_id", "order")
    if now.is_empty():
        return no_data(title, f"No service level measured in {m:%B %Y}")
    previous = df.filter(pl.col("month") == add_months(m, -1)).select(
        "partner_id", "service_level", pl.col("value").alias("previous")
    )
    rows = now.join(previous, on=["partner_id", "service_level"], how="left").sort("partner_id", "order")
    several = rows.get_column("partner_id").n_unique() > 1
    names, results, targets, minima, statuses, trends, notes = ([] for _ in range(7))
    status_fill, trend_colour = [], []
    for r in rows.iter_rows(named=True):
        unit = _unit(r["kpi"])
        label = _kpi_label(r["kpi"], r["channel"])
        names.append(f"{r['partner_id']} · {label}" if several else label)
        results.append(_value_text(r["value"], unit))
        targets.append(_value_text(r["target"], unit))
        minima.append(_value_text(r["minimum"], unit))
        status = r["status"]
        chronic = " · chronic failure" if r["chronic_failure"] else ""
        statuses.append(f"{STATUS_GLYPHS[status]} {status}{chronic}")
        status_fill.append(STATUS_COLOURS[status])
        arrow, colour = _trend(r["value"], r["previous"], r["direction"], unit)
        trends.append(arrow)
        trend_colour.append(colour)
        notes.append(r["note"] or "")
    white = ["white"] * len(names)
    fig = go.Figure(
        go.Table(
            columnwidth=[2.6, 1.1, 1.1, 1.1, 1.9, 1.9, 2.4],
            header={
                "values": ["Service level", "Result", "Target", "Minimum", "Status", "Trend vs previous month", "Note"],
                "fill_color": "#EEEEEE",
                "align": "left",
                "font": {"size": 13, "color": INK},
                "height": 30,
            },
            cells={
                "values": [names, results, targets, minima, statuses, trends, notes],
                "fill_color": [white, white, white, white, status_fill, white, white],
                "font": {
                    "size": 13,
                    "color": [[INK] * len(names)] * 4
                    + [["#000000"] * len(names), trend_colour, ["#555555"] * len(names)],
                },
                "align": ["left", "right", "right", "right", "left", "left", "left"],
                "height": 30,
            },
        )
    )
    subtitle = "Status colours are colour-blind safe and each status also has its own symbol."
    # a status with "· chronic failure" wraps onto a second line in its cell
    row_height = 48 if any("chronic" in s for s in statuses) else 31
    return report_layout(fig, title, subtitle=subtitle, height=150 + row_height * (len(names) + 1))


def _trend(value: float | None, previous: float | None, direction: int, unit: str) -> tuple[str, str]:
    """The trend cell (arrow, better or worse, the change) and its text colour (dark: the words carry the meaning)."""
    if _missing(value) or _missing(previous):
        return "– no comparison", MUTED
    assert value is not None and previous is not None
    change = value - previous
    if change == 0:
        return "= unchanged", INK
    arrow = "▲" if change > 0 else "▼"
    word = "better" if direction * change > 0 else "worse"
    return f"{arrow} {word} ({_change_text(change, unit)})", INK


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# 2. Objective versus result
# ---------------------------------------------------------------------------------------------


def objective_vs_result(gaps: Frame, service_level: str, *, partner: str | None = None) -> go.Figure:
    """One service level over time: result, target and minimum lines with the below-target zone between,
    each month's status as a coloured marker with its own symbol (breach ✖, excused ■)."""
    df = _of_partner(_collected(gaps), partner).filter(pl.col("service_level") == service_level).sort("month")
    if df.is_empty():
        return no_data(f"{service_level}{_who(partner)} — objective vs result", f"No months for {service_level}")
    partner = partner or _one_partner(df, "objective_vs_result")
    kpi, channel = df.item(0, "kpi"), df.item(0, "channel")
    unit = _unit(kpi)
    label = _kpi_label(kpi, channel)
    months = df.get_column("month").to_list()
    fmt = _y_format(unit)
    fig = go.Figure()
    # The zone between minimum and target is the "below target" zone: its colour, light.
    bx, by = _band(months, df.get_column("minimum").to_list(), df.get_column("target").to_list())
    fig.add_trace(
        go.Scatter(x=bx, y=by, name="below-target zone", fill="toself", fillcolor=_BAND, mode="none", hoverinfo="skip")
    )
    for column, name, colour, dash in (
        ("minimum", "minimum", STATUS_COLOURS["breach"], "dot"),
        ("target", "target", INK, "dash"),
        ("stretch", "stretch (bonus)", STATUS_COLOURS["met"], "longdashdot"),
    ):
        values = df.get_column(column).to_list()
        if all(_missing(v) for v in values):
            continue
        x, y = _steps(months, values)
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
            **_monthly(x=months, y=df.get_column("value").to_list()),
            name="result",
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
            f"{status}{' · chronic failure' if chronic else ''}{f' · {note}' if note else ''}"
            for chronic, note in zip(part.get_column("chronic_failure"), part.get_column("note"), strict=True)
        ]
        value_part = "no value" if status == "not measurable" else f"result {fmt}"
        outlined = status in ("breach", "not measurable")
        fig.add_trace(
            go.Scatter(
                **_monthly(x=part.get_column("month").to_list(), y=y),
                name=status,
                mode="markers",
                marker={
                    "symbol": STATUS_SYMBOLS[status],
                    "color": STATUS_COLOURS[status],
                    "size": 11,
                    "line": {"width": 2 if outlined else 1, "color": STATUS_COLOURS[status] if outlined else "white"},
                },
                text=text,
                hovertemplate=f"%{{x|%B %Y}}<br>{value_part}<br>%{{text}}<extra></extra>",
            )
        )
    y_axis: dict[str, Any] = {"title": f"{label} ({_UNIT_TITLES[unit]})", "zeroline": False}
    if unit == "rate":
        y_axis["tickformat"] = ".0%"
    fig.update_yaxes(**y_axis)
    _month_axis(fig, months)
    fig = report_layout(
        fig, f"{label}{_who(partner)} — objective vs result", subtitle=f"{_span_label(months)}; {_direction_text(kpi)}"
    )
    if len(months) == 1:
        _note(fig, "One month of data so far: no trend yet.")
    return fig


def _direction_text(kpi: str) -> str:
    return (
        {"higher": "higher is better", "lower": "lower is better"}.get(KPIS[kpi].direction, "") if kpi in KPIS else ""
    )


# ---------------------------------------------------------------------------------------------
# 3. Risk and reward waterfall
# ---------------------------------------------------------------------------------------------

_WATERFALL = (
    ("charges", "Charges", 1),
    ("credits", "Service credits", -1),
    ("earned_back", "Earned back", 1),
    ("bonus", "Bonus", 1),
    ("corridor_compensation", "Volume corridor", 1),
    ("gain_share", "Gain-share", 1),
    ("resource_adjustment", "Resource adjustment", 1),
)


def risk_waterfall(
    statement: Frame | Mapping[str, Any], currency: str = "", *, partner: str | None = None
) -> go.Figure:
    """From charges to the net amount: credits (−), earned back (+), bonus, corridor compensation and
    gain-share, then the net as the total; amounts to the cent in the labels and the hover.

    `statement` is one row of the statement (a mapping) or a statement table of one partner (its
    months are summed, as `statement.cycle_statement` sums a cycle).
    """
    if isinstance(statement, Mapping):
        row = dict(statement)
        partner = partner or row.get("partner_id")
        months = [row["month"]] if row.get("month") else []
    else:
        df = _of_partner(_collected(statement), partner)
        if df.is_empty():
            return no_data(f"Risk and reward{_who(partner)}", "No statement for this selection")
        partner = partner or _one_partner(df, "risk_waterfall")
        amounts_ = ("credits_provisional", "net", *(k for k, _, _ in _WATERFALL))
        row = df.select(pl.col(c).sum() for c in amounts_ if c in df.columns).row(0, named=True)
        months = df.get_column("month").to_list()
    # the resource adjustment (anchored pricing) is shown only when there is one
    steps = [(k, label, sign) for k, label, sign in _WATERFALL if k != "resource_adjustment" or row.get(k)]
    amounts = [sign * int(row[key]) for key, _, sign in steps]
    net = int(row["net"])
    provisional = int(row.get("credits_provisional") or 0)
    texts = [_signed(a, currency) if i else format_cents(a, currency) for i, a in enumerate(amounts)]
    hovers = list(texts)
    if provisional:
        texts[1] += f"<br>incl. {format_cents(provisional, currency)} provisional"
        hovers[1] += f", of which {format_cents(provisional, currency)} provisional (may still be earned back)"
    texts.append(format_cents(net, currency))
    hovers.append(f"net {format_cents(net, currency)}")
    fig = go.Figure(
        go.Waterfall(
            x=[label for _, label, _ in steps] + ["Net"],
            y=[_money(a) for a in [*amounts, net]],
            measure=["absolute"] + ["relative"] * (len(steps) - 1) + ["total"],
            text=texts,
            textposition="outside",
            constraintext="none",
            hovertext=hovers,
            hovertemplate="%{x}: %{hovertext}<extra></extra>",
            connector={"line": {"color": "#BBBBBB", "width": 1}},
            increasing={"marker": {"color": PARTY_COLOURS["provider"]}},
            decreasing={"marker": {"color": PARTY_COLOURS["client"]}},
            totals={"marker": {"color": "#555555"}},
            cliponaxis=False,
        )
    )
    fig.update_yaxes(title=f"Amount ({currency})" if currency else "Amount", tickformat=",.0f", rangemode="tozero")
    period = f" — {_span_label(months)}" if months else ""
    fig = report_layout(
        fig,
        f"Risk and reward{_who(partner)}{period}",
        subtitle="Decreases go back to the client, increases to the provider; the net is what the client pays.",
        height=480,
    )
    fig.update_layout(showlegend=False, margin={"t": 120})
    if provisional:
        _note(
            fig,
            f"Provisional credits: {format_cents(provisional, currency)} can still be earned back.",
            name="provisional",
        )
    return fig


# ---------------------------------------------------------------------------------------------
# 4. Credits over time
# ---------------------------------------------------------------------------------------------


def credits_over_time(
    credits: Frame,
    currency: str = "",
    *,
    partner: str | None = None,
    span: tuple[dt.date, dt.date] | None = None,
) -> go.Figure:
    """Service credits per month, stacked by earn-back status (final, provisional, earned back).

    `span` (first and last month) sets the months shown; by default the months that have credits.
    """
    title = f"Service credits{_who(partner)}"
    df = _of_partner(_collected(credits), partner)
    if df.is_empty():
        return no_data(title, "No service credits: no breach with an allocation in this selection")
    per_month = (
        df.group_by("month", "earnback_status")
        .agg(pl.col("credit").sum().alias("credit"), pl.len().alias("count"))
        .sort("month")
    )
    months = per_month.get_column("month").unique().sort().to_list()
    fig = go.Figure()
    for status in ("final", "provisional", "earned back"):
        assert status in EARNBACK_STATUSES
        part = per_month.filter(pl.col("earnback_status") == status)
        if part.is_empty():
            continue
        style = EARNBACK_STYLE[status]
        hovers = [
            f"{status}: {format_cents(c, currency)} ({n} credit{'s' if n > 1 else ''})"
            for c, n in zip(part.get_column("credit"), part.get_column("count"), strict=True)
        ]
        fig.add_trace(
            go.Bar(
                **_monthly(x=part.get_column("month").to_list(), y=[_money(c) for c in part.get_column("credit")]),
                **_slot(),
                name=status,
                showlegend=True,
                marker={
                    "color": style["colour"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#333333", "size": 6, "solidity": 0.25},
                    "line": {"color": "#333333", "width": 0.5},
                },
                hovertext=hovers,
                hovertemplate="%{x|%B %Y}<br>%{hovertext}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"Credits ({currency})" if currency else "Credits", tickformat=",.0f")
    shown = [*months, *span] if span else months
    _month_axis(fig, shown)
    fig = report_layout(
        fig,
        title,
        subtitle=f"{_span_label(shown)}; a credit is earned back when its service level is met in the following months",
    )
    if len(months) == 1:
        _note(fig, "One month with credits.")
    return fig


# ---------------------------------------------------------------------------------------------
# 5. Volume corridor
# ---------------------------------------------------------------------------------------------


def volume_corridor(
    corridor: Frame, channel: str | None = None, *, partner: str | None = None, currency: str = ""
) -> go.Figure:
    """Offered contacts against the client's forecast corridor (lower–upper), one panel per channel;
    months below and above are marked, and so are months without a contractual forecast (no band)."""
    title = f"Volume corridor{_who(partner)}"
    df = _of_partner(_collected(corridor), partner)
    if channel is not None:
        df = df.filter(pl.col("channel") == channel)
        title += f" — {channel}"
    if df.is_empty():
        return no_data(title, "No volume corridor in this selection")
    partner = partner or _one_partner(df, "volume_corridor")
    df = df.sort("channel", "month")
    channels = df.get_column("channel").unique().sort().to_list()
    fig = make_subplots(
        rows=len(channels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12 if len(channels) > 1 else 0.0,
        subplot_titles=channels if len(channels) > 1 else None,
    )
    shown: set[str] = set()
    for i, ch in enumerate(channels, start=1):
        part = df.filter(pl.col("channel") == ch)
        months = part.get_column("month").to_list()
        bx, by = _band(months, part.get_column("lower").to_list(), part.get_column("upper").to_list())
        fig.add_trace(
            go.Scatter(
                x=bx,
                y=by,
                name="forecast corridor (lower–upper)",
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
        fx, fy = _steps(months, part.get_column("forecast").to_list())
        fig.add_trace(
            go.Scatter(
                x=fx,
                y=fy,
                name="contractual forecast",
                legendgroup="forecast",
                showlegend=i == 1,
                mode="lines",
                line={"color": OKABE_ITO["blue"], "width": 1, "dash": "dot"},
                hovertemplate="forecast %{y:,.0f}<extra></extra>",
            ),
            row=i,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                **_monthly(x=months, y=part.get_column("offered").to_list()),
                name="offered",
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
                    **_monthly(x=pos.get_column("month").to_list(), y=pos.get_column("offered").to_list()),
                    name=f"offered, {style['label']}",
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
                    hovertemplate=f"{ch} · %{{x|%B %Y}}<br>{style['label']}<br>%{{hovertext}}<extra></extra>",
                ),
                row=i,
                col=1,
            )
            shown.add(position)
        fig.update_yaxes(title="Offered contacts", tickformat=",.0f", rangemode="tozero", row=i, col=1)
    all_months = df.get_column("month").unique().to_list()
    _month_axis(fig, all_months)
    fig = report_layout(
        fig,
        title,
        subtitle=f"{_span_label(all_months)}; the band is the contractual forecast ± the corridor's tolerance",
        height=max(400, 140 + 250 * len(channels)),
    )
    if len(all_months) == 1:
        _note(fig, "One month of data so far.")
    return fig


def _corridor_hover(r: Mapping[str, Any], currency: str) -> str:
    offered = f"offered {r['offered']:,}"
    if r["forecast"] is None:
        return f"{offered}; no contractual forecast: the corridor does not apply"
    text = f"{offered}; forecast {r['forecast']:,.0f} (corridor {r['lower']:,.1f} – {r['upper']:,.1f})"
    if r["compensation"]:
        text += f"<br>compensation owed by the client {format_cents(r['compensation'], currency)}"
    return text


# ---------------------------------------------------------------------------------------------
# 6. Transparency
# ---------------------------------------------------------------------------------------------

_RATES = (("on_time_rate", "on_time", "on time"), ("completeness_rate", "complete", "complete"))


def transparency_scorecard(transparency: Frame, discrepancies: Frame, *, partner: str | None = None) -> go.Figure:
    """Three panels: each party's on-time rate and completeness rate by month, then every KPI the
    provider reported against the same KPI recomputed from the raw data, those beyond tolerance flagged ✖."""
    title = f"Transparency{_who(partner)}"
    deliveries = _of_partner(_collected(transparency), partner).sort("month")
    reported = _of_partner(_collected(discrepancies), partner).sort("month")
    if deliveries.is_empty() and reported.is_empty():
        return no_data(title, "No deliveries and no reported KPIs in this selection")
    kpi_rows = max(1, reported.select("kpi", "channel").unique().height)
    rates_px, kpis_px = 170, 60 + 34 * kpi_rows
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[rates_px, rates_px, kpis_px],
        subplot_titles=(
            "Datasets delivered on time (%)",
            "Datasets delivered complete (%)",
            "Reported versus recomputed KPIs (✖ beyond tolerance)",
        ),
    )
    months: list[dt.date] = []
    if deliveries.is_empty():
        for row in (1, 2):
            _panel_note(
                fig,
                "No deliveries recorded",
                f"x{'' if row == 1 else row} domain",
                f"y{'' if row == 1 else row} domain",
            )
    else:
        months += deliveries.get_column("month").to_list()
        for party in ("client", "provider"):
            part = deliveries.filter(pl.col("party") == party)
            if part.is_empty():
                continue
            for row, (rate, counted, what) in enumerate(_RATES, start=1):
                hovers = [
                    f"{n} of {due} datasets{f'; late: {late}' if late and counted == 'on_time' else ''}"
                    for n, due, late in zip(part[counted], part["due"], part["late_datasets"], strict=True)
                ]
                fig.add_trace(
                    go.Scatter(
                        **_monthly(x=part.get_column("month").to_list(), y=part.get_column(rate).to_list()),
                        name=party,
                        legendgroup=party,
                        showlegend=row == 1,
                        mode="lines+markers",
                        line={
                            "color": PARTY_COLOURS[party],
                            "width": 2,
                            "dash": "solid" if party == "client" else "dash",
                        },
                        marker={"symbol": PARTY_SYMBOLS[party], "color": PARTY_COLOURS[party], "size": 10},
                        hovertext=hovers,
                        hovertemplate=f"{party} · %{{x|%B %Y}}<br>{what} %{{y:.1%}}: %{{hovertext}}<extra></extra>",
                    ),
                    row=row,
                    col=1,
                )
        for row in (1, 2):
            fig.update_yaxes(tickformat=".0%", range=[-0.08, 1.1], tickvals=[0, 0.5, 1], row=row, col=1)
    if reported.is_empty():
        _panel_note(fig, "No reported KPIs", "x3 domain", "y3 domain")
    else:
        months += reported.get_column("month").to_list()
        labels = {(k, c): _kpi_label(k, c) for k, c in reported.select("kpi", "channel").unique().iter_rows()}
        order = [labels[key] for key in sorted(labels, key=lambda kc: (kc[0], kc[1] or ""))]
        for flagged, name, status in (
            (False, "consistent (within tolerance)", "met"),
            (True, "flagged (beyond tolerance)", "breach"),
        ):
            part = reported.filter(pl.col("flagged") == flagged)
            if part.is_empty():
                continue
            hovers, texts = [], []
            for r in part.iter_rows(named=True):
                unit = _unit(r["kpi"])
                change = "–" if _missing(r["discrepancy"]) else _change_text(r["discrepancy"], unit)
                note = f" ({r['note']})" if r["note"] else ""
                hovers.append(
                    f"reported {_value_text(r['reported'], unit)}, recomputed {_value_text(r['recomputed'], unit)}"
                    f"<br>difference {change}{note}"
                )
                texts.append(change)
            colour = STATUS_COLOURS[status]
            few = part.height <= 12
            fig.add_trace(
                go.Scatter(
                    **_monthly(
                        x=part.get_column("month").to_list(),
                        y=[labels[(k, c)] for k, c in part.select("kpi", "channel").iter_rows()],
                    ),
                    name=name,
                    mode="markers+text" if flagged and few else "markers",
                    text=texts if flagged and few else None,
                    textposition="top center",
                    textfont={"size": 11, "color": colour},
                    marker={
                        "symbol": STATUS_SYMBOLS[status],
                        "color": colour,
                        "size": 11,
                        "line": {"width": 2, "color": colour},
                    },
                    hovertext=hovers,
                    hovertemplate="%{y} · %{x|%B %Y}<br>%{hovertext}<extra></extra>",
                    cliponaxis=False,
                ),
                row=3,
                col=1,
            )
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], row=3, col=1)
    _month_axis(fig, months)
    fig = report_layout(
        fig,
        title,
        subtitle=f"{_span_label(months)}; line colour and marker shape show the party" if months else None,
        height=200 + 2 * rates_px + kpis_px,
    )
    if len(set(months)) == 1:
        _note(fig, "One month of data so far.")
    return fig


def _panel_note(fig: go.Figure, text: str, xref: str, yref: str) -> None:
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


# ---------------------------------------------------------------------------------------------
# 7. Invoice reconciliation
# ---------------------------------------------------------------------------------------------


def invoice_reconciliation(reconciliation: Frame, currency: str = "", *, partner: str | None = None) -> go.Figure:
    """Invoiced against expected (the contract's pricing on the measured volumes) per month, and below
    it the gap, the flagged months (amount or units) marked ✖ and hatched."""
    title = f"Invoices versus expected{_who(partner)}"
    df = _of_partner(_collected(reconciliation), partner)
    if df.is_empty():
        return no_data(title, "No invoices in this selection")
    partner = partner or _one_partner(df, "invoice_reconciliation")
    df = df.sort("month")
    months = df.get_column("month").to_list()
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        row_heights=[0.62, 0.38],
        subplot_titles=("Invoiced and expected", "Gap: invoiced − expected"),
    )
    for i, (column, name, party) in enumerate(
        (("invoiced", "invoiced (provider)", "provider"), ("expected", "expected from measured volumes", "client"))
    ):
        fig.add_trace(
            go.Bar(
                **_monthly(x=months, y=[_money(c) for c in df.get_column(column)]),
                **_slot(i, 2),
                name=name,
                marker={
                    "color": PARTY_COLOURS[party],
                    "pattern": {"shape": PARTY_PATTERNS[party], "fgcolor": "white", "size": 7},
                },
                hovertext=[format_cents(c, currency) for c in df.get_column(column)],
                hovertemplate=f"%{{x|%B %Y}}<br>{column} %{{hovertext}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    for flagged, name in ((False, "gap within tolerance"), (True, "✖ gap flagged")):
        part = df.filter(pl.col("flagged") == flagged)
        if part.is_empty():
            continue
        colour = STATUS_COLOURS["breach"] if flagged else MUTED
        texts = [_gap_text(r, currency) for r in part.iter_rows(named=True)]
        few = part.height <= 12
        fig.add_trace(
            go.Bar(
                **_monthly(
                    x=part.get_column("month").to_list(), y=[_money(c or 0) for c in part.get_column("invoice_gap")]
                ),
                **_slot(),
                name=name,
                marker={
                    "color": colour,
                    "pattern": {"shape": "x" if flagged else "", "fgcolor": "white", "size": 6},
                },
                text=texts if flagged and few else None,
                textposition="outside",
                constraintext="none",
                textfont={"size": 11, "color": colour},
                hovertext=texts,
                hovertemplate="%{x|%B %Y}<br>%{hovertext}<extra></extra>",
                cliponaxis=False,
            ),
            row=2,
            col=1,
        )
    fig.update_layout(barmode="overlay")
    unit = f" ({currency})" if currency else ""
    fig.update_yaxes(title=f"Amount{unit}", tickformat=",.0f", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title=f"Gap{unit}", zeroline=True, zerolinecolor="#999999", row=2, col=1)
    _month_axis(fig, months)
    fig = report_layout(fig, title, subtitle=_span_label(months), height=560)
    if len(months) == 1:
        _note(fig, "One invoiced month.")
    return fig


def _gap_text(r: Mapping[str, Any], currency: str) -> str:
    parts = []
    if r["invoice_gap"] is None:
        parts.append("no expected amount")
    else:
        parts.append(f"gap {_signed(r['invoice_gap'], currency)}")
    if not _missing(r.get("units_gap")) and r["units_gap"]:
        parts.append(f"units {r['units_gap']:+,.1f} {r['unit']}")
    return "<br>".join(parts)


# ---------------------------------------------------------------------------------------------
# 8. Action log
# ---------------------------------------------------------------------------------------------


def action_log(actions: Frame, *, partner: str | None = None) -> go.Figure:
    """Committee actions per month by owner party: open and overdue at the month's end, closed in it.
    Without `partner`, the partners' counts are added up."""
    title = f"Committee actions{_who(partner)}"
    df = _of_partner(_collected(actions), partner)
    if df.is_empty() or df.get_column("owner_party").is_null().all():
        return no_data(title, "No committee actions in this selection")
    df = df.group_by("owner_party", "month").agg(pl.col("open", "overdue", "closed").sum()).sort("month", "owner_party")
    months = df.get_column("month").unique().sort().to_list()
    panels = (
        ("open", "Open at the month's end"),
        ("overdue", "Overdue at the month's end"),
        ("closed", "Closed in the month"),
    )
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=[t for _, t in panels])
    parties = [p for p in OWNER_PARTIES if p in set(df.get_column("owner_party").to_list())]
    for row, (column, what) in enumerate(panels, start=1):
        for party in parties:
            part = df.filter(pl.col("owner_party") == party)
            fig.add_trace(
                go.Bar(
                    **_monthly(x=part.get_column("month").to_list(), y=part.get_column(column).to_list()),
                    **_slot(),
                    name=f"owner: {party}",
                    legendgroup=party,
                    showlegend=row == 1,
                    marker={
                        "color": PARTY_COLOURS[party],
                        "pattern": {"shape": PARTY_PATTERNS[party], "fgcolor": "#333333", "size": 7, "solidity": 0.3},
                        "line": {"color": "#333333", "width": 0.5},
                    },
                    hovertemplate=f"{party} · %{{x|%B %Y}}<br>{what.lower()}: %{{y}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        largest = df.group_by("month").agg(pl.col(column).sum()).get_column(column).max()
        _count_axis(fig, largest, title="actions", row=row, col=1)  # type: ignore[arg-type]
    fig.update_layout(barmode="stack")
    _month_axis(fig, months)
    fig = report_layout(fig, title, subtitle=_span_label(months), height=640)
    if len(months) == 1:
        _note(fig, "One month of data so far.")
    return fig


# ---------------------------------------------------------------------------------------------
# 9. Reversibility
# ---------------------------------------------------------------------------------------------


def reversibility_readiness(reversibility: Frame, timeline: Frame, *, partner: str | None = None) -> go.Figure:
    """Exit readiness by area and overall, and the contract's timeline on a date axis: the as-of date,
    the last notice date, the term end and the transition as a bar starting at the as-of date."""
    title = f"Exit readiness{_who(partner)}"
    ready = _of_partner(_collected(reversibility), partner)
    times = _of_partner(_collected(timeline), partner)
    if ready.is_empty() and times.is_empty():
        return no_data(title, "No reversibility checklist and no contract timeline in this selection")
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.22,
        row_heights=[0.6, 0.4],
        subplot_titles=("Readiness by area (weighted, %)", "Contract timeline"),
    )
    if ready.is_empty():
        _panel_note(fig, "No reversibility checklist", "x domain", "y domain")
    else:
        several = ready.get_column("partner_id").n_unique() > 1
        ready = ready.sort("partner_id", "area", nulls_last=False)
        labels = [
            (f"{p} · " if several else "") + (a if a is not None else "Overall")
            for p, a in zip(ready["partner_id"], ready["area"], strict=True)
        ]
        overall = ready.get_column("area").is_null().to_list()
        fig.add_trace(
            go.Bar(
                x=ready.get_column("readiness").to_list(),
                y=labels,
                orientation="h",
                name="readiness",
                showlegend=False,
                marker={
                    "color": [INK if o else OKABE_ITO["blue"] for o in overall],
                    "pattern": {"shape": ["" if o else "/" for o in overall], "fgcolor": "white", "size": 7},
                },
                text=[
                    f"{r:.1%} · {d} of {n} done"
                    for r, d, n in zip(ready["readiness"], ready["done"], ready["items"], strict=True)
                ],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    f"{d} done, {i} in progress, {ns} not started ({n} items)"
                    for d, i, ns, n in zip(
                        ready["done"], ready["in_progress"], ready["not_started"], ready["items"], strict=True
                    )
                ],
                hovertemplate="%{y}: %{x:.1%}<br>%{hovertext}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        fig.update_xaxes(
            range=[0, 1.3], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%", title="readiness", row=1, col=1
        )
        fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), row=1, col=1)
    if times.is_empty():
        _panel_note(fig, "No contract timeline", "x2 domain", "y2 domain")
    else:
        _timeline_traces(fig, times.sort("partner_id"))
    fig = report_layout(fig, title, height=620)
    return fig


def _timeline_traces(fig: go.Figure, times: pl.DataFrame) -> None:
    """The contract's term as a bar, the transition as a bar from the as-of date, and the key dates."""
    partners = times.get_column("partner_id").to_list()
    term_ms = [(e - s).days * _DAY_MS for s, e in zip(times["start"], times["end"], strict=True)]
    fig.add_trace(
        go.Bar(
            base=times.get_column("start").to_list(),
            x=term_ms,
            y=partners,
            orientation="h",
            name="contract term",
            marker={"color": "#DDDDDD"},
            width=0.5,
            hovertext=[f"{s:%d %b %Y} to {e:%d %b %Y}" for s, e in zip(times["start"], times["end"], strict=True)],
            hovertemplate="%{y} · term %{hovertext}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    ends = [add_months(a, n) for a, n in zip(times["as_of"], times["transition_months"], strict=True)]
    fits = times.get_column("transition_fits").to_list()
    fig.add_trace(
        go.Bar(
            base=times.get_column("as_of").to_list(),
            x=[(e - a).days * _DAY_MS for a, e in zip(times["as_of"], ends, strict=True)],
            y=partners,
            orientation="h",
            name="transition if started at the as-of date",
            width=0.25,
            marker={
                "color": [STATUS_COLOURS["met"] if f else STATUS_COLOURS["breach"] for f in fits],
                "pattern": {"shape": ["" if f else "x" for f in fits], "fgcolor": "white", "size": 6},
            },
            text=[
                f"{n} months: {'fits' if f else 'too late'}"
                for n, f in zip(times["transition_months"], fits, strict=True)
            ],
            textposition="inside",
            insidetextanchor="start",
            textfont={"size": 11, "color": "#000000"},
            hovertext=[
                f"a transition of {n} months started on the as-of date ends {'before' if f else 'after'} the term end"
                for n, f in zip(times["transition_months"], fits, strict=True)
            ],
            hovertemplate="%{y} · %{hovertext}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    for column, name, symbol, colour, where in (
        ("as_of", "as of", "line-ns", INK, "bottom center"),
        ("last_notice_date", "last notice date", "triangle-down", OKABE_ITO["orange"], "top center"),
        ("end", "term end", "line-ns", OKABE_ITO["vermillion"], "top center"),
    ):
        dates = times.get_column(column).to_list()
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=partners,
                mode="markers+text",
                name=name,
                marker={
                    "symbol": symbol,
                    "size": 26 if symbol == "line-ns" else 13,
                    "color": colour,
                    "line": {"width": 3, "color": colour},
                },
                text=[f"{name} {d:%d %b %Y}" for d in dates],
                textposition=where,
                textfont={"size": 11, "color": colour},
                hovertemplate=f"%{{y}} · {name} %{{x|%d %B %Y}}<extra></extra>",
                cliponaxis=False,
            ),
            row=2,
            col=1,
        )
    fig.update_xaxes(type="date", tickformat="%b<br>%Y", row=2, col=1)
    fig.update_yaxes(type="category", row=2, col=1)
    fig.update_layout(barmode="overlay")
    rights = times.filter(pl.col("termination_right"))
    if not rights.is_empty():
        text = "; ".join(f"{r['partner_id']}: {r['chronic_service_levels']}" for r in rights.iter_rows(named=True))
        _note(fig, f"Termination right open (chronic failure): {text}", name="termination right")


# ---------------------------------------------------------------------------------------------
# 10. Programme overview (client only)
# ---------------------------------------------------------------------------------------------


def programme_overview(gaps: Frame, statement: Frame, period: str | None = None, *, currency: str = "") -> go.Figure:
    """Every partner side by side for a period (`2026-Q3` or `2026-09`; default the latest quarter):
    the share of service-level months per status, and the net statement. For the client only."""
    g, s = _collected(gaps), _collected(statement)
    months = g.get_column("month").to_list() + s.get_column("month").to_list()
    if not months:
        return no_data("Programme overview", "No partner data")
    chosen = parse_period(period) if period else parse_period(quarter_label(max(months)))
    title = f"Programme overview — {chosen.label}"
    inside = pl.col("month").is_between(chosen.start, chosen.last_day)
    g, s = g.filter(inside), s.filter(inside)
    if g.is_empty() and s.is_empty():
        return no_data(title, f"No partner data in {chosen.label}")
    partners = sorted(set(g.get_column("partner_id").to_list()) | set(s.get_column("partner_id").to_list()))
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        column_widths=[0.55, 0.45],
        subplot_titles=(
            "Service-level months by status (%)",
            f"Net statement ({currency})" if currency else "Net statement",
        ),
    )
    counts = g.group_by("partner_id", "status").agg(pl.len().alias("n"))
    totals = dict(g.group_by("partner_id").agg(pl.len().alias("n")).iter_rows())
    for status in STATUSES:
        part = dict(counts.filter(pl.col("status") == status).select("partner_id", "n").iter_rows())
        if not part:
            continue
        share = [part.get(p, 0) / totals[p] if totals.get(p) else 0 for p in partners]
        fig.add_trace(
            go.Bar(
                x=share,
                y=partners,
                orientation="h",
                name=status,
                marker={
                    "color": STATUS_COLOURS[status],
                    "pattern": {"shape": STATUS_PATTERNS[status], "fgcolor": "#333333", "size": 6, "solidity": 0.2},
                    "line": {"color": "white", "width": 1},
                },
                text=[f"{x:.0%}" if x >= 0.08 else "" for x in share],
                textposition="inside",
                textfont={"color": "#000000"},
                insidetextanchor="middle",
                hovertext=[f"{part.get(p, 0)} of {totals.get(p, 0)} service-level months" for p in partners],
                hovertemplate=f"%{{y}} · {status}: %{{x:.1%}}<br>%{{hovertext}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=1)
    cycle = cycle_statement(s.lazy(), chosen.kind).collect()
    if cycle.is_empty():
        _panel_note(fig, "No statement", "x2 domain", "y2 domain")
    else:
        by_partner = {r["partner_id"]: r for r in cycle.iter_rows(named=True)}
        nets = [by_partner[p]["net"] if p in by_partner else None for p in partners]
        fig.add_trace(
            go.Bar(
                x=[_money(n) for n in nets],
                y=partners,
                orientation="h",
                name="net",
                showlegend=False,
                marker={"color": "#555555"},
                text=[format_cents(n, currency) if n is not None else "no statement" for n in nets],
                textposition="auto",
                hovertext=[_statement_hover(by_partner.get(p), currency) for p in partners],
                hovertemplate="%{y}<br>%{hovertext}<extra></extra>",
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(tickformat=",.0f", rangemode="tozero", row=1, col=2)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(partners)), row=1, col=1)
    return report_layout(
        fig,
        title,
        subtitle="All partners: for the client's own steering, not for a partner's report.",
        height=max(320, 220 + 70 * len(partners)),
    )


def _statement_hover(r: Mapping[str, Any] | None, currency: str) -> str:
    if r is None:
        return "no statement"
    return "<br>".join(
        [
            f"charges {format_cents(r['charges'], currency)}",
            f"credits {_signed(-r['credits'], currency)}",
            f"of which provisional {format_cents(r['credits_provisional'], currency)}",
            f"earned back {_signed(r['earned_back'], currency)}",
            f"bonus {_signed(r['bonus'], currency)}",
            f"corridor {_signed(r['corridor_compensation'], currency)}",
            f"gain-share {_signed(r['gain_share'], currency)}",
            f"net {format_cents(r['net'], currency)}",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Floor data and the client's outlook (operational committee).
# ---------------------------------------------------------------------------------------------


def floor_activity(floor: Frame, *, partner: str | None = None, channel: str | None = None) -> go.Figure:
    """Per day: contacts offered and answered (bars), the day's service level (line, %), and the staffed
    and handled hours with the occupancy they give (lower panel), one channel or all channels summed."""
    title = f"Floor activity{_who(partner)}" + (f" — {channel}" if channel else "")
    df = _of_partner(_collected(floor), partner)
    if channel is not None:
        df = df.filter(pl.col("channel") == channel)
    if df.is_empty():
        return no_data(title, "No contacts in this selection")
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
        name="offered",
        marker_color="#BBBBBB",
        hovertemplate="%{x|%a %d %b}: %{y:,} offered<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        x=x,
        y=days["answered"].to_list(),
        name="answered",
        marker_color=PARTY_COLOURS["provider"],
        hovertemplate="%{x|%a %d %b}: %{y:,} answered<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=x,
        y=service,
        name="service level",
        mode="lines+markers",
        line={"color": INK},
        hovertemplate="%{x|%a %d %b}: service level %{y:.1%}<extra></extra>",
        row=1,
        col=1,
        secondary_y=True,
    )
    fig.add_scatter(
        x=x,
        y=staffed,
        name="staffed hours",
        mode="lines",
        line={"color": PARTY_COLOURS["provider"], "dash": "dot"},
        hovertemplate="%{x|%a %d %b}: %{y:,.1f} staffed hours<extra></extra>",
        row=2,
        col=1,
    )
    fig.add_scatter(
        x=x,
        y=days["handled_hours"].to_list(),
        name="handled hours",
        mode="lines",
        line={"color": PARTY_COLOURS["provider"]},
        hovertemplate="%{x|%a %d %b}: %{y:,.1f} handled hours<extra></extra>",
        row=2,
        col=1,
    )
    fig.add_scatter(
        x=x,
        y=occupancy,
        name="occupancy",
        mode="markers",
        marker={"color": INK, "symbol": "diamond"},
        hovertemplate="%{x|%a %d %b}: occupancy %{y:.1%}<extra></extra>",
        row=2,
        col=1,
        secondary_y=True,
    )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(
        title_text="contacts per day", tickformat=",d", rangemode="tozero", row=1, col=1, secondary_y=False
    )
    fig.update_yaxes(
        title_text="service level (%)", tickformat=".0%", range=[0, 1.05], dtick=0.2, row=1, col=1, secondary_y=True
    )
    fig.update_yaxes(title_text="hours per day", rangemode="tozero", row=2, col=1, secondary_y=False)
    fig.update_yaxes(
        title_text="occupancy (%)", tickformat=".0%", range=[0, 1.05], dtick=0.2, row=2, col=1, secondary_y=True
    )
    fig.update_xaxes(tickformat="%d %b", row=2, col=1)
    if not any(v is not None for v in staffed):
        _note(fig, "no staffing data: staffed hours and occupancy not measurable")
    return report_layout(fig, title, height=560)


def forecast_outlook(forecasts: Frame, *, partner: str | None = None) -> go.Figure:
    """Per channel and month: the client's latest forecast, the contractual one, and the offered contacts
    once observed; months ahead show the forecasts only."""
    title = f"The client's forecasts{_who(partner)}"
    df = _of_partner(_collected(forecasts), partner).sort("channel", "month")
    if df.is_empty():
        return no_data(title, "No forecasts in this selection")
    channels = df["channel"].unique(maintain_order=True).to_list()
    fig = make_subplots(rows=1, cols=len(channels), subplot_titles=channels, shared_yaxes=False)
    for i, channel in enumerate(channels, start=1):
        rows = df.filter(pl.col("channel") == channel)
        months = rows["month"].to_list()
        first = i == 1
        fig.add_bar(
            x=months,
            y=rows["offered"].to_list(),
            name="offered",
            marker_color="#BBBBBB",
            showlegend=first,
            legendgroup="offered",
            hovertemplate="%{x|%B %Y}: %{y:,} offered<extra></extra>",
            **_monthly(),
            **_slot(0, 1),
            row=1,
            col=i,
        )
        fig.add_scatter(
            x=months,
            y=rows["contractual_forecast"].to_list(),
            name="contractual forecast",
            mode="markers+lines",
            marker={"color": PARTY_COLOURS["client"], "symbol": "hexagon"},
            line={"color": PARTY_COLOURS["client"]},
            showlegend=first,
            legendgroup="contractual",
            hovertemplate="%{x|%B %Y}: contractual forecast %{y:,.0f}<extra></extra>",
            **_monthly(),
            row=1,
            col=i,
        )
        fig.add_scatter(
            x=months,
            y=rows["latest_forecast"].to_list(),
            name="latest forecast",
            mode="markers+lines",
            marker={"color": PARTY_COLOURS["client"], "symbol": "hexagon-open"},
            line={"color": PARTY_COLOURS["client"], "dash": "dot"},
            showlegend=first,
            legendgroup="latest",
            hovertemplate="%{x|%B %Y}: latest forecast %{y:,.0f}<extra></extra>",
            **_monthly(),
            row=1,
            col=i,
        )
        _month_axis(fig, months, row=1, col=i)
        fig.update_yaxes(tickformat=",d", rangemode="tozero", row=1, col=i)
    fig.update_yaxes(title_text="contacts per month", row=1, col=1)
    return report_layout(fig, title, height=420)
