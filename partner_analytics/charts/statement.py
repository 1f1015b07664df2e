"""The statement's figures: from charges to the net amount, and the service credits over time."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl

from ..risk.credits import EARNBACK_STATUSES
from ..views.language import _, ngettext
from ..views.style import EARNBACK_STYLE, PARTY_COLOURS
from ..views.wording import STATEMENT_LABELS, money_text, signed_money, span_text, status_name
from .layout import (
    HOVER_MONTH,
    Frame,
    add_note,
    bar_slot,
    collected,
    currency_units,
    monthly_trace,
    no_data,
    of_partner,
    one_partner,
    partner_suffix,
    report_layout,
    set_month_axis,
)

__all__ = ["credits_over_time", "risk_waterfall"]

# The steps from the charges to the net, each with the sign it gives the net.
_WATERFALL = (
    ("charges", 1),
    ("credits", -1),
    ("earned_back", 1),
    ("bonus", 1),
    ("corridor_compensation", 1),
    ("gain_share", 1),
    ("resource_adjustment", 1),
)


def risk_waterfall(
    statement: Frame | Mapping[str, Any], currency: str = "", *, partner: str | None = None
) -> go.Figure:
    """From charges to the net amount: credits (−), earned back (+), bonus, corridor compensation,
    gain-share and resource adjustment, then the net as the total; amounts to the cent in the labels
    and the hover. A step of zero (a mechanism the contract does not have, or nil in the period) is
    not drawn but named in a note; when the steps are small beside the charges, the amount axis
    starts near the charges (said in a note) so that they are bars, not hairlines.

    `statement` is one row of the statement (a mapping) or a statement table of one partner (its
    months are summed, as `statement.cycle_statement` sums a cycle).
    """
    named = partner_suffix(partner)  # the partner named by the caller; a partner's report names none
    if isinstance(statement, Mapping):
        row = dict(statement)
        months = [row["month"]] if row.get("month") else []
    else:
        df = of_partner(collected(statement), partner)
        if df.is_empty():
            return no_data(_("Risk and reward") + partner_suffix(partner), _("No statement for this selection"))
        if partner is None:
            one_partner(df, "risk_waterfall")  # a table of several partners is refused
        amounts_ = ("credits_provisional", "net", *(k for k, _sign in _WATERFALL))
        row = df.select(pl.col(c).sum() for c in amounts_ if c in df.columns).row(0, named=True)
        months = df.get_column("month").to_list()
    steps = [(k, sign) for i, (k, sign) in enumerate(_WATERFALL) if i == 0 or row.get(k)]
    nil = [STATEMENT_LABELS[k] for i, (k, _sign) in enumerate(_WATERFALL) if i and not row.get(k)]
    amounts = [sign * int(row[key]) for key, sign in steps]
    net = int(row["net"])
    provisional = int(row.get("credits_provisional") or 0)
    texts = [signed_money(a, currency) if i else money_text(a, currency) for i, a in enumerate(amounts)]
    hovers = list(texts)
    if provisional:
        texts[1] += "<br>" + _("incl. {amount} provisional").format(amount=money_text(provisional, currency))
        hovers[1] += _(", of which {amount} provisional (may still be earned back)").format(
            amount=money_text(provisional, currency)
        )
    texts.append(money_text(net, currency))
    hovers.append(_("net {amount}").format(amount=money_text(net, currency)))
    fig = go.Figure(
        go.Waterfall(
            x=[STATEMENT_LABELS[key] for key, _sign in steps] + [STATEMENT_LABELS["net"]],
            y=[currency_units(a) for a in [*amounts, net]],
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
    fig.update_yaxes(title=_("Amount") + (f" ({currency})" if currency else ""), tickformat=",.0f", rangemode="tozero")
    axis_from = _zoomed_axis(fig, amounts, net)
    period = f" — {span_text(months)}" if months else ""
    fig = report_layout(
        fig,
        _("Risk and reward") + f"{named}{period}",
        subtitle=_("Decreases go back to the client, increases to the provider; the net is what the client pays."),
        height=480,
    )
    fig.update_layout(showlegend=False, margin={"t": 120})
    notes = []
    if provisional:
        notes.append(
            _("Provisional credits: {amount} can still be earned back.").format(
                amount=money_text(provisional, currency)
            )
        )
    if nil:
        notes.append(_("Nil in the period (not drawn): {amounts}.").format(amounts=", ".join(nil)))
    if axis_from is not None:
        notes.append(
            _("The axis starts at {amount}, so that the small steps are visible.").format(
                amount=money_text(axis_from, currency)
            )
        )
    if notes:  # above the plot, right; the top margin grows by a line per note, clear of the title
        add_note(fig, "<br>".join(notes), name="provisional" if provisional else "note")
        fig.update_layout(margin={"t": 110 + 16 * len(notes)})
    return fig


def _zoomed_axis(fig: go.Figure, amounts: list[int], net: int) -> int | None:
    """Start the amount axis near the charges when the steps after them are under a fifth of the charges
    (a step of 0.5 % of the charges would be a hairline from zero); return where it starts, in cents."""
    running = list(itertools.accumulate(amounts))
    low, high = min(*running, net), max(*running, net)
    spread = high - low
    if not spread or low <= 0 or spread * 5 >= amounts[0]:
        return None
    start = max(0, low - spread)
    fig.update_yaxes(range=[currency_units(start), currency_units(high + spread // 2)], rangemode="normal")
    return start


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
    title = _("Service credits") + partner_suffix(partner)
    df = of_partner(collected(credits), partner)
    if df.is_empty():
        return no_data(title, _("No service credits: no breach with an allocation in this selection"))
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
            f"{status_name(status)}: {money_text(c, currency)} ("
            + ngettext("{n} credit", "{n} credits", n).format(n=n)
            + ")"
            for c, n in zip(part.get_column("credit"), part.get_column("count"), strict=True)
        ]
        fig.add_trace(
            go.Bar(
                **monthly_trace(
                    x=part.get_column("month").to_list(), y=[currency_units(c) for c in part.get_column("credit")]
                ),
                **bar_slot(),
                name=status_name(status),
                showlegend=True,
                marker={
                    "color": style["colour"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#333333", "size": 6, "solidity": 0.25},
                    "line": {"color": "#333333", "width": 0.5},
                },
                hovertext=hovers,
                hovertemplate=f"{HOVER_MONTH}<br>%{{hovertext}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=_("Credits") + (f" ({currency})" if currency else ""), tickformat=",.0f")
    shown = [*months, *span] if span else months
    set_month_axis(fig, shown)
    fig = report_layout(
        fig,
        title,
        subtitle=_("{span}; a credit is earned back when its service level is met in the following months").format(
            span=span_text(shown)
        ),
    )
    if len(months) == 1:
        add_note(fig, _("One month with credits."))
    return fig
