"""The governance figures: each party's transparency, invoices against the expected amounts, the
committee's actions, and the readiness to exit with the contract's timeline."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..core.periods import add_months
from ..core.schema import OWNER_PARTIES
from ..views.language import N_, _, ngettext
from ..views.style import (
    INK,
    MUTED,
    OKABE_ITO,
    PARTY_COLOURS,
    PARTY_PATTERNS,
    PARTY_SYMBOLS,
    STATUS_COLOURS,
    STATUS_SYMBOLS,
)
from ..views.wording import (
    AXIS_TITLES,
    MISSING,
    change_text,
    dataset_names,
    day,
    decimal_text,
    is_missing,
    kpi_label,
    kpi_unit,
    money_text,
    party_name,
    service_level_label,
    signed_money,
    span_text,
    value_text,
)
from .layout import (
    DAY_MS,
    HOVER_MONTH,
    MONTH_TICK_FORMAT,
    Frame,
    add_note,
    add_panel_note,
    bar_slot,
    collected,
    currency_units,
    monthly_trace,
    no_data,
    of_partner,
    one_partner,
    partner_suffix,
    report_layout,
    set_count_axis,
    set_month_axis,
)

__all__ = ["action_log", "invoice_reconciliation", "reversibility_readiness", "transparency_scorecard"]

# A subtitle's line: at most this many characters (12 px text within the printed page's 703 px), this high.
SUBTITLE_LINE_CHARS = 90
SUBTITLE_LINE_PX = 16

_RATES = (("on_time_rate", "on_time", N_("on time")), ("completeness_rate", "complete", N_("complete")))


def transparency_scorecard(transparency: Frame, discrepancies: Frame, *, partner: str | None = None) -> go.Figure:
    """Three panels: each party's on-time rate and completeness rate by month, then every KPI the
    provider reported against the same KPI recomputed from the raw data, those beyond tolerance flagged ✖."""
    title = _("Transparency") + partner_suffix(partner)
    deliveries = of_partner(collected(transparency), partner).sort("month")
    reported = of_partner(collected(discrepancies), partner).sort("month")
    if deliveries.is_empty() and reported.is_empty():
        return no_data(title, _("No deliveries and no reported KPIs in this selection"))
    kpi_rows = max(1, reported.select("kpi", "channel").unique().height)
    rates_px, kpis_px = 170, 60 + 34 * kpi_rows
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[rates_px, rates_px, kpis_px],
        subplot_titles=(
            _("Datasets delivered on time (%)"),
            _("Datasets delivered complete (%)"),
            _("KPIs reported versus recomputed (✖ beyond tolerance)"),
        ),
    )
    months: list[dt.date] = []
    if deliveries.is_empty():
        for row in (1, 2):
            add_panel_note(
                fig,
                _("No deliveries recorded"),
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
                    _("{n} of {due} datasets").format(n=n, due=due)
                    + (
                        _("; late: {datasets}").format(datasets=dataset_names(late))
                        if late and counted == "on_time"
                        else ""
                    )
                    for n, due, late in zip(part[counted], part["due"], part["late_datasets"], strict=True)
                ]
                fig.add_trace(
                    go.Scatter(
                        **monthly_trace(x=part.get_column("month").to_list(), y=part.get_column(rate).to_list()),
                        name=party_name(party),
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
                        hovertemplate=f"{party_name(party)} · {HOVER_MONTH}<br>{_(what)} %{{y:.1%}}: %{{hovertext}}"
                        "<extra></extra>",
                    ),
                    row=row,
                    col=1,
                )
        for row in (1, 2):
            fig.update_yaxes(tickformat=".0%", range=[-0.08, 1.1], tickvals=[0, 0.5, 1], row=row, col=1)
    if reported.is_empty():
        add_panel_note(fig, _("No reported KPIs"), "x3 domain", "y3 domain")
    else:
        months += reported.get_column("month").to_list()
        labels = {(k, c): kpi_label(k, c) for k, c in reported.select("kpi", "channel").unique().iter_rows()}
        order = [labels[key] for key in sorted(labels, key=lambda kc: (kc[0], kc[1] or ""))]
        for flagged, name, status in (
            (False, _("consistent (within tolerance)"), "met"),
            (True, _("flagged (beyond tolerance)"), "breach"),
        ):
            part = reported.filter(pl.col("flagged") == flagged)
            if part.is_empty():
                continue
            hovers, texts = [], []
            # only each KPI's latest flagged month is labelled: labels of neighbouring months would run together
            latest = set(part.group_by("kpi", "channel").agg(pl.col("month").max()).iter_rows())
            for r in part.iter_rows(named=True):
                unit = kpi_unit(r["kpi"])
                change = MISSING if is_missing(r["discrepancy"]) else change_text(r["discrepancy"], unit)
                note = f" ({r['note']})" if r["note"] else ""
                hovers.append(
                    _("reported {reported}, recomputed {recomputed}<br>difference {change}").format(
                        reported=value_text(r["reported"], unit),
                        recomputed=value_text(r["recomputed"], unit),
                        change=change,
                    )
                    + note
                )
                texts.append(change if (r["kpi"], r["channel"], r["month"]) in latest else "")
            colour = STATUS_COLOURS[status]
            fig.add_trace(
                go.Scatter(
                    **monthly_trace(
                        x=part.get_column("month").to_list(),
                        y=[labels[(k, c)] for k, c in part.select("kpi", "channel").iter_rows()],
                    ),
                    name=name,
                    mode="markers+text" if flagged else "markers",
                    text=texts if flagged else None,
                    textposition="top center",
                    textfont={"size": 11, "color": colour},
                    marker={
                        "symbol": STATUS_SYMBOLS[status],
                        "color": colour,
                        "size": 11,
                        "line": {"width": 2, "color": colour},
                    },
                    hovertext=hovers,
                    hovertemplate=f"%{{y}} · {HOVER_MONTH}<br>%{{hovertext}}<extra></extra>",
                    cliponaxis=False,
                ),
                row=3,
                col=1,
            )
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], row=3, col=1)
    set_month_axis(fig, months)
    fig = report_layout(
        fig,
        title,
        subtitle=_("{span}; line colour and marker shape show the party").format(span=span_text(months))
        if months
        else None,
        height=200 + 2 * rates_px + kpis_px,
    )
    if len(set(months)) == 1:
        add_note(fig, _("One month of data so far."))
    return fig


def invoice_reconciliation(reconciliation: Frame, currency: str = "", *, partner: str | None = None) -> go.Figure:
    """Invoiced against expected (the contract's pricing on the measured volumes) per month, and below
    it the gap, the flagged months (amount or units) marked ✖ and hatched."""
    title = _("Invoices versus expected") + partner_suffix(partner)
    df = of_partner(collected(reconciliation), partner)
    if df.is_empty():
        return no_data(title, _("No invoices in this selection"))
    partner = partner or one_partner(df, "invoice_reconciliation")
    df = df.sort("month")
    months = df.get_column("month").to_list()
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        row_heights=[0.62, 0.38],
        subplot_titles=(_("Invoiced and expected"), _("Gap: invoiced − expected")),
    )
    for i, (column, name, party) in enumerate(
        (
            ("invoiced", _("invoiced (provider)"), "provider"),
            ("expected", _("expected from measured volumes"), "client"),
        )
    ):
        fig.add_trace(
            go.Bar(
                **monthly_trace(x=months, y=[currency_units(c) for c in df.get_column(column)]),
                **bar_slot(i, 2),
                name=name,
                marker={
                    "color": PARTY_COLOURS[party],
                    "pattern": {"shape": PARTY_PATTERNS[party], "fgcolor": "white", "size": 7},
                },
                hovertext=[money_text(c, currency) for c in df.get_column(column)],
                hovertemplate=f"{HOVER_MONTH}<br>{name} %{{hovertext}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    for flagged, name in ((False, _("gap within tolerance")), (True, _("✖ gap flagged"))):
        part = df.filter(pl.col("flagged") == flagged)
        if part.is_empty():
            continue
        colour = STATUS_COLOURS["breach"] if flagged else MUTED
        texts = [_gap_text(r, currency) for r in part.iter_rows(named=True)]
        few = part.height <= 12
        fig.add_trace(
            go.Bar(
                **monthly_trace(
                    x=part.get_column("month").to_list(),
                    y=[currency_units(c or 0) for c in part.get_column("invoice_gap")],
                ),
                **bar_slot(),
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
                hovertemplate=f"{HOVER_MONTH}<br>%{{hovertext}}<extra></extra>",
                cliponaxis=False,
            ),
            row=2,
            col=1,
        )
    fig.update_layout(barmode="overlay")
    unit = f" ({currency})" if currency else ""
    fig.update_yaxes(title=_("Amount") + unit, tickformat=",.0f", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title=_("Gap") + unit, zeroline=True, zerolinecolor="#999999", row=2, col=1)
    set_month_axis(fig, months)
    fig = report_layout(fig, title, subtitle=span_text(months), height=560)
    if len(months) == 1:
        add_note(fig, _("One invoiced month."))
    return fig


def _gap_text(r: Mapping[str, Any], currency: str) -> str:
    parts = []
    if r["invoice_gap"] is None:
        parts.append(_("no expected amount"))
    else:
        parts.append(_("gap {amount}").format(amount=signed_money(r["invoice_gap"], currency)))
    if not is_missing(r.get("units_gap")) and r["units_gap"]:
        parts.append(
            _("units {change} {unit}").format(
                change=decimal_text(r["units_gap"], 1, signed=True),
                unit=AXIS_TITLES["hours" if r["unit"] == "hours" else "count"],
            )
        )
    return "<br>".join(parts)


def action_log(actions: Frame, *, partner: str | None = None) -> go.Figure:
    """Committee actions per month by owner party: open and overdue at the month's end, closed in it.
    Without `partner`, the partners' counts are added up."""
    title = _("Committee actions") + partner_suffix(partner)
    df = of_partner(collected(actions), partner)
    if df.is_empty() or df.get_column("owner_party").is_null().all():
        return no_data(title, _("No committee actions in this selection"))
    df = df.group_by("owner_party", "month").agg(pl.col("open", "overdue", "closed").sum()).sort("month", "owner_party")
    months = df.get_column("month").unique().sort().to_list()
    panels = (
        ("open", _("Open at the month's end")),
        ("overdue", _("Overdue at the month's end")),
        ("closed", _("Closed in the month")),
    )
    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=[t for _c, t in panels]
    )
    parties = [p for p in OWNER_PARTIES if p in set(df.get_column("owner_party").to_list())]
    for row, (column, what) in enumerate(panels, start=1):
        for party in parties:
            part = df.filter(pl.col("owner_party") == party)
            fig.add_trace(
                go.Bar(
                    **monthly_trace(x=part.get_column("month").to_list(), y=part.get_column(column).to_list()),
                    **bar_slot(),
                    name=_("owner: {party}").format(party=party_name(party)),
                    legendgroup=party,
                    showlegend=row == 1,
                    marker={
                        "color": PARTY_COLOURS[party],
                        "pattern": {"shape": PARTY_PATTERNS[party], "fgcolor": "#333333", "size": 7, "solidity": 0.3},
                        "line": {"color": "#333333", "width": 0.5},
                    },
                    hovertemplate=f"{party_name(party)} · {HOVER_MONTH}<br>{what}: %{{y}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        largest = df.group_by("month").agg(pl.col(column).sum()).get_column(column).max()
        set_count_axis(fig, largest, title=_("actions"), row=row, col=1)  # type: ignore[arg-type]
    fig.update_layout(barmode="stack")
    set_month_axis(fig, months)
    fig = report_layout(fig, title, subtitle=span_text(months), height=640)
    if len(months) == 1:
        add_note(fig, _("One month of data so far."))
    return fig


def reversibility_readiness(reversibility: Frame, timeline: Frame, *, partner: str | None = None) -> go.Figure:
    """Exit readiness by area and overall, and the contract's timeline on a date axis: the as-of date,
    the last notice date, the term end and the transition as a bar starting at the as-of date."""
    title = _("Exit readiness") + partner_suffix(partner)
    ready = of_partner(collected(reversibility), partner)
    times = of_partner(collected(timeline), partner)
    if ready.is_empty() and times.is_empty():
        return no_data(title, _("No reversibility checklist and no contract timeline in this selection"))
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.22,
        row_heights=[0.6, 0.4],
        subplot_titles=(_("Readiness by area (weighted, %)"), _("Contract timeline")),
    )
    if ready.is_empty():
        add_panel_note(fig, _("No reversibility checklist"), "x domain", "y domain")
    else:
        several = ready.get_column("partner_id").n_unique() > 1
        ready = ready.sort("partner_id", "area", nulls_last=False)
        labels = [
            (f"{p} · " if several else "") + (a if a is not None else _("Overall"))
            for p, a in zip(ready["partner_id"], ready["area"], strict=True)
        ]
        ready = ready.with_columns(pl.Series("label", labels))
        # one trace per look: plotly.js warns "Invalid color specifier" for a pattern over an array of colours
        for overall, colour, shape in ((True, INK, ""), (False, OKABE_ITO["blue"], "/")):
            part = ready.filter(pl.col("area").is_null() == overall)
            if part.is_empty():
                continue
            fig.add_trace(
                go.Bar(
                    x=part.get_column("readiness").to_list(),
                    y=part.get_column("label").to_list(),
                    orientation="h",
                    name=_("overall readiness") if overall else _("readiness by area"),
                    showlegend=False,
                    marker={"color": colour, "pattern": {"shape": shape, "fgcolor": "white", "size": 7}},
                    text=[
                        _("{share} · {done} of {items} done").format(
                            share=decimal_text(r * 100, 1) + "\u00a0%", done=d, items=n
                        )
                        for r, d, n in zip(part["readiness"], part["done"], part["items"], strict=True)
                    ],
                    textposition="outside",
                    cliponaxis=False,
                    hovertext=[
                        _("{done} done, {started} in progress, {not_started} not started ({items} items)").format(
                            done=d, started=i, not_started=ns, items=n
                        )
                        for d, i, ns, n in zip(
                            part["done"], part["in_progress"], part["not_started"], part["items"], strict=True
                        )
                    ],
                    hovertemplate="%{y}: %{x:.1%}<br>%{hovertext}<extra></extra>",
                ),
                row=1,
                col=1,
            )
        fig.update_xaxes(
            range=[0, 1.3], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%", title=_("readiness"), row=1, col=1
        )
        fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), row=1, col=1)
    rights = times.filter(pl.col("termination_right")) if not times.is_empty() else times
    if times.is_empty():
        add_panel_note(fig, _("No contract timeline"), "x2 domain", "y2 domain")
    else:
        _timeline_traces(fig, times.sort("partner_id"))
    # the open termination right is the figure's subtitle: under the title, over nothing, in lines that fit the
    # printed page (a subtitle does not wrap by itself)
    several = rights.get_column("partner_id").n_unique() > 1
    lines = [
        line
        for r in rights.iter_rows(named=True)
        for line in textwrap.wrap(_right_text(r, named=several), SUBTITLE_LINE_CHARS)
    ]
    fig = report_layout(fig, title, subtitle="<br>".join(lines) or None, height=620 + 30 * max(0, times.height - 1))
    if len(lines) > 1:
        fig.update_layout(margin_t=fig.layout.margin.t + SUBTITLE_LINE_PX * (len(lines) - 1))
    return fig


def _right_text(r: Mapping[str, Any], *, named: bool) -> str:
    """An open termination right in words: how many service levels fail chronically and which (`named`: the partner
    first, when the figure shows several)."""
    levels = [level.strip() for level in str(r["chronic_service_levels"] or "").split(",") if level.strip()]
    right = ngettext(
        "Termination right open (chronic failure of {n} service level)",
        "Termination right open (chronic failure of {n} service levels)",
        len(levels),
    ).format(n=len(levels))
    levels_text = ", ".join(service_level_label(level) for level in levels)
    return (f"{r['partner_id']}: " if named else "") + f"{right}: {levels_text}"


def _timeline_traces(fig: go.Figure, times: pl.DataFrame) -> None:
    """The contract's term as a bar, the transition as a bar from the as-of date, and the key dates."""
    ids = times.get_column("partner_id").to_list()
    # a partner's report names no partner id: its one row is "the contract"
    shown = {p: p for p in ids} if len(set(ids)) > 1 else {p: _("contract") for p in ids}
    partners = [shown[p] for p in ids]
    term_ms = [(e - s).days * DAY_MS for s, e in zip(times["start"], times["end"], strict=True)]
    fig.add_trace(
        go.Bar(
            base=times.get_column("start").to_list(),
            x=term_ms,
            y=partners,
            orientation="h",
            name=_("contract term"),
            marker={"color": "#DDDDDD"},
            width=0.5,
            hovertext=[
                _("{first} to {last}").format(first=day(s), last=day(e))
                for s, e in zip(times["start"], times["end"], strict=True)
            ],
            hovertemplate="%{y} · " + _("term") + " %{hovertext}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    # one trace per look (a pattern over an array of colours makes plotly.js warn "Invalid color specifier")
    for fits, suffix, shape in ((True, "", ""), (False, _(": too late"), "x")):
        part = times.filter(pl.col("transition_fits") == fits)
        if part.is_empty():
            continue
        ends = [add_months(a, n) for a, n in zip(part["as_of"], part["transition_months"], strict=True)]
        fig.add_trace(
            go.Bar(
                base=part.get_column("as_of").to_list(),
                x=[(e - a).days * DAY_MS for a, e in zip(part["as_of"], ends, strict=True)],
                y=[shown[p] for p in part.get_column("partner_id")],
                orientation="h",
                name=_("transition if started at the as-of date") + suffix,
                width=0.25,
                marker={
                    "color": STATUS_COLOURS["met" if fits else "breach"],
                    "pattern": {"shape": shape, "fgcolor": "white", "size": 6},
                },
                text=[
                    (_("{n} months: fits") if fits else _("{n} months: too late")).format(n=n)
                    for n in part["transition_months"]
                ],
                textposition="inside",
                insidetextanchor="start",
                textfont={"size": 11, "color": "#000000"},
                hovertext=[
                    (
                        _("a transition of {n} months started on the as-of date ends before the term end")
                        if fits
                        else _("a transition of {n} months started on the as-of date ends after the term end")
                    ).format(n=n)
                    for n in part["transition_months"]
                ],
                hovertemplate="%{y} · %{hovertext}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    # the key dates are named in the legend (with the date when there is one partner), never written beside
    # their markers: a notice date and a term end a few months apart would write over each other
    one = len(partners) == 1
    for column, name, symbol, colour in (
        ("as_of", _("as of"), "line-ns", INK),
        ("last_notice_date", _("last notice date"), "triangle-down", OKABE_ITO["orange"]),
        ("end", _("term end"), "line-ns", OKABE_ITO["vermillion"]),
    ):
        dates = times.get_column(column).to_list()
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=partners,
                mode="markers",
                name=f"{name} {day(dates[0])}" if one else name,
                marker={
                    "symbol": symbol,
                    "size": 26 if symbol == "line-ns" else 13,
                    "color": colour,
                    "line": {"width": 3, "color": colour},
                },
                hovertext=[day(d) for d in dates],
                hovertemplate=f"%{{y}} · {name} %{{hovertext}}<extra></extra>",
                cliponaxis=False,
            ),
            row=2,
            col=1,
        )
    fig.update_xaxes(type="date", tickformat=MONTH_TICK_FORMAT, range=timeline_range(times), row=2, col=1)
    fig.update_yaxes(type="category", row=2, col=1)
    fig.update_layout(barmode="overlay")


def timeline_range(times: pl.DataFrame) -> list[dt.date]:
    """The timeline's x range: from two months before the earliest as-of date to two months after the latest
    term end or transition end. The decisions lie there; the whole term from its start would crowd the as-of,
    notice and end labels into a few pixels (the term bar's hover gives its start)."""
    ends = [add_months(a, n) for a, n in zip(times["as_of"], times["transition_months"], strict=True)]
    last = max([*times.get_column("end").to_list(), *ends])
    return [add_months(min(times.get_column("as_of").to_list()), -2), add_months(last, 2)]
