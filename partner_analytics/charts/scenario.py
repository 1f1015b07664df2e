"""A scenario next to the baseline, as one figure: the statement's mechanisms over the window, a
service level by month against its target and minimum, and the credits by month.

`scenario_comparison` takes a comparison's tables (the what-if engine's `totals`, `gaps_delta` and
`credits_delta`) and returns the figure; given the figure it drew before (`into`), it redraws that
one in place, which is how the what-if app updates its displayed FigureWidget (copying a new
figure into it took 1.4 s per update on the sample instead of 0.13 s, most of it the template).
`SCENARIO_AMOUNTS` are the statement's amounts wherever a scenario is shown (this figure, the app's
table, the report's section), named by `views.wording.STATEMENT_LABELS`.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..contract.terms import ServiceLevel
from ..core.kpis import kpi
from ..views.language import N_, _
from ..views.style import FONT, INK, MUTED, OKABE_ITO, STATUS_COLOURS
from ..views.wording import STATEMENT_LABELS, kpi_label, money_text

__all__ = ["BASELINE_COLOUR", "NET_SIGN", "SCENARIO_AMOUNTS", "SCENARIO_COLOUR", "scenario_comparison"]

BASELINE_COLOUR = MUTED
SCENARIO_COLOUR = OKABE_ITO["blue"]
# The statement's amounts a scenario is shown on (the provisional share of the credits is not one).
SCENARIO_AMOUNTS = tuple(a for a in STATEMENT_LABELS if a != "credits_provisional")
NET_SIGN = {"credits": -1, "credits_provisional": -1}
"""One sign for every amount shown: what it does to the net (credits are taken off it), in the
statement's bars, the credits by month and the app's table alike."""
# The bars show the mechanisms between the charges and the net (those two, much larger, are in the title).
_MECHANISMS = ("credits", "earned_back", "bonus", "corridor_compensation", "gain_share", "resource_adjustment")
# The sides, by the name of their columns (translated where shown).
_SIDES = ((N_("baseline"), BASELINE_COLOUR), (N_("scenario"), SCENARIO_COLOUR))


def _frame() -> go.Figure:
    """The figure's subplots and traces, empty: bars 0–1, service level 2–3, target 4, minimum 5, credits 6–7."""
    fig = make_subplots(
        rows=3,
        cols=1,
        subplot_titles=(
            _("Statement over the window"),
            _("Service level by month"),
            _("Credits by month (taken off the net)"),
        ),
        vertical_spacing=0.11,
        row_heights=[0.36, 0.36, 0.28],
    )
    for name, colour in _SIDES:
        fig.add_trace(go.Bar(name=_(name), legendgroup=name, marker_color=colour, x=[], y=[]), row=1, col=1)
    for name, colour in _SIDES:
        line = go.Scatter(
            name=_(name), legendgroup=name, showlegend=False, mode="lines+markers", line={"color": colour}, x=[], y=[]
        )
        fig.add_trace(line, row=2, col=1)
    for name, line in (
        (_("target"), {"color": INK, "dash": "dash", "shape": "hv"}),
        (_("minimum"), {"color": STATUS_COLOURS["breach"], "dash": "dot", "shape": "hv"}),
    ):
        fig.add_trace(go.Scatter(name=name, mode="lines", line=line, x=[], y=[]), row=2, col=1)
    for name, colour in _SIDES:
        bar = go.Bar(name=_(name), legendgroup=name, showlegend=False, marker_color=colour, x=[], y=[])
        fig.add_trace(bar, row=3, col=1)
    fig.update_layout(
        template="plotly_white",
        height=760,
        width=760,
        barmode="group",
        font={"family": FONT, "size": 12, "color": INK},
        margin={"l": 70, "r": 20, "t": 50, "b": 80},
        legend={"orientation": "h", "x": 0, "y": -0.06, "yanchor": "top"},  # below: clear of the first title
    )
    return fig


def scenario_comparison(
    totals: pl.DataFrame | None,
    gaps: pl.DataFrame | None,
    credits: pl.DataFrame | None,
    *,
    currency: str,
    service_level: ServiceLevel | None = None,
    into: go.Figure | None = None,
) -> go.Figure:
    """The scenario beside the baseline for one partner.

    `totals`: amount, baseline, scenario (cents over the window); `gaps`: service_level, month,
    value_baseline, value_scenario, target_scenario, minimum_scenario (the service level shown is
    `service_level`); `credits`: month, baseline, scenario (cents). None: that part is drawn empty.
    `into`: a figure this function drew before (the what-if app's FigureWidget), redrawn in place
    and returned; every property a drawing sets is set each time, so nothing of the last one stays.
    """
    fig = into if into is not None else _frame()
    by_amount = {r["amount"]: r for r in totals.iter_rows(named=True)} if totals is not None else {}
    shown = [a for a in _MECHANISMS if a in by_amount]
    key = service_level.key if service_level is not None else ""
    if gaps is not None:
        gaps = gaps.filter(pl.col("service_level") == key)

    def column(frame: pl.DataFrame | None, name: str, scale: float = 1) -> list[Any]:
        if frame is None:
            return []
        return (frame[name] / scale).to_list() if scale != 1 else frame[name].to_list()

    title = _("Statement over the window")
    if "net" in by_amount and "charges" in by_amount:

        def change(row: dict[str, Any]) -> str:
            return f"{money_text(row['baseline'], currency)} → {money_text(row['scenario'], currency)}"

        title += (
            "<br><span style='font-size:11px'>"
            + _("charges {charges}; net {net}").format(
                charges=change(by_amount["charges"]), net=change(by_amount["net"])
            )
            + "</span>"
        )
    rate = service_level is not None and kpi(service_level.kpi).unit == "rate"
    with fig.batch_update():
        for i, side in enumerate(("baseline", "scenario")):
            fig.data[i].x = [STATEMENT_LABELS[a] for a in shown]
            fig.data[i].y = [NET_SIGN.get(a, 1) * by_amount[a][side] / 100 for a in shown]
            fig.data[i].hovertemplate = "%{x}: %{y:,.2f} " + currency + f"<extra>{_(side)}</extra>"
            fig.data[2 + i].x = column(gaps, "month")
            fig.data[2 + i].y = column(gaps, f"value_{side}")
            fig.data[6 + i].x = column(credits, "month")
            fig.data[6 + i].y = [-c for c in column(credits, side, 100)]
        fig.data[4].x, fig.data[4].y = column(gaps, "month"), column(gaps, "target_scenario")
        fig.data[5].x, fig.data[5].y = column(gaps, "month"), column(gaps, "minimum_scenario")
        fig.layout.annotations[0].text = title
        fig.layout.annotations[1].text = (
            _("{kpi} by month").format(kpi=kpi_label(service_level.kpi, service_level.channel))
            if service_level is not None
            else _("Service level by month")
        )
        fig.layout.yaxis.title = currency
        fig.layout.yaxis3.title = currency
        fig.layout.yaxis2.tickformat = ".0%" if rate else ""
    return fig
