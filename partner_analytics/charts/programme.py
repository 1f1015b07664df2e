"""The programme overview, for the client's own steering: every partner side by side for a period."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..core.periods import parse_period, quarter_label
from ..evaluation.gaps import STATUSES
from ..risk.statement import cycle_statement
from ..views.language import _
from ..views.style import STATUS_COLOURS, STATUS_PATTERNS
from ..views.wording import STATEMENT_LABELS, decimal_text, money_text, period_name, signed_money, status_name
from .layout import Frame, add_panel_note, collected, currency_units, no_data, report_layout

__all__ = ["programme_overview"]

_HOVER_AMOUNTS = (
    "charges",
    "credits",
    "credits_provisional",
    "earned_back",
    "bonus",
    "corridor_compensation",
    "gain_share",
    "net",
)


def programme_overview(
    gaps: Frame,
    statement: Frame,
    period: str | None = None,
    *,
    currency: str = "",
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Every partner side by side for a period (`2026-Q3` or `2026-09`; default the latest quarter):
    the share of service-level months per status, and the net statement. For the client only. `names`:
    each partner's name by id (the contract's), shown instead of the ids."""
    g, s = collected(gaps), collected(statement)
    months = g.get_column("month").to_list() + s.get_column("month").to_list()
    if not months:
        return no_data(_("Programme overview"), _("No partner data"))
    chosen = parse_period(period) if period else parse_period(quarter_label(max(months)))
    title = _("Programme overview") + f" — {period_name(chosen)}"
    inside = pl.col("month").is_between(chosen.start, chosen.last_day)
    g, s = g.filter(inside), s.filter(inside)
    if g.is_empty() and s.is_empty():
        return no_data(title, _("No partner data in {period}").format(period=period_name(chosen)))
    partners = sorted(set(g.get_column("partner_id").to_list()) | set(s.get_column("partner_id").to_list()))
    shown = [(names or {}).get(p, p) for p in partners]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.06,
        column_widths=[0.55, 0.45],
        subplot_titles=(
            _("Service-level months by status (%)"),
            _("Net statement") + (f" ({currency})" if currency else ""),
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
                y=shown,
                orientation="h",
                name=status_name(status),
                marker={
                    "color": STATUS_COLOURS[status],
                    "pattern": {"shape": STATUS_PATTERNS[status], "fgcolor": "#333333", "size": 6, "solidity": 0.2},
                    "line": {"color": "white", "width": 1},
                },
                text=[decimal_text(x * 100) + "\u00a0%" if x >= 0.08 else "" for x in share],
                textposition="inside",
                textfont={"color": "#000000"},
                insidetextanchor="middle",
                hovertext=[
                    _("{n} of {total} service-level months").format(n=part.get(p, 0), total=totals.get(p, 0))
                    for p in partners
                ],
                hovertemplate=f"%{{y}} · {status_name(status)}: %{{x:.1%}}<br>%{{hovertext}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=1)
    cycle = cycle_statement(s.lazy(), chosen.kind).collect()
    if cycle.is_empty():
        add_panel_note(fig, _("No statement"), "x2 domain", "y2 domain")
    else:
        by_partner = {r["partner_id"]: r for r in cycle.iter_rows(named=True)}
        nets = [by_partner[p]["net"] if p in by_partner else None for p in partners]
        fig.add_trace(
            go.Bar(
                x=[currency_units(n) for n in nets],
                y=shown,
                orientation="h",
                name=_("net"),
                showlegend=False,
                marker={"color": "#555555"},
                text=[money_text(n, currency) if n is not None else _("no statement") for n in nets],
                textposition="auto",
                hovertext=[_statement_hover(by_partner.get(p), currency) for p in partners],
                hovertemplate="%{y}<br>%{hovertext}<extra></extra>",
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(tickformat=",.0f", rangemode="tozero", row=1, col=2)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(shown)), row=1, col=1)
    return report_layout(
        fig,
        title,
        subtitle=_("All partners: for the client's own steering, not for a partner's report."),
        height=max(320, 220 + 70 * len(partners)),
    )


def _statement_hover(r: Mapping[str, Any] | None, currency: str) -> str:
    """A partner's statement for the period, one amount a line, signed by what it does to the net."""
    if r is None:
        return _("no statement")
    lines = []
    for amount in _HOVER_AMOUNTS:
        cents = r[amount]
        if amount in ("charges", "credits_provisional", "net"):
            text = money_text(cents, currency)
        else:
            text = signed_money(-cents if amount == "credits" else cents, currency)
        lines.append(f"{STATEMENT_LABELS[amount].lower()} {text}")
    return "<br>".join(lines)
