"""The what-if app: ipywidgets controls over a live plotly figure and a delta table.

`WhatIfApp(engine, partner)` builds the controls of one partner's scenario — the terms of a chosen
service level (target, minimum, allocation, stretch), the partner's at-risk share, pool, earn-back,
bonus pool, volume corridor and gain-share, per channel the volume, staffing and AHT changes, the
window of months — and shows the scenario next to the baseline: a `go.FigureWidget` (statement over
the window, the chosen service level by month against its target and minimum, credits by month)
updated in place, and a delta table. An exit panel gives the exit plan of a notice date. Buttons
save the scenario as YAML and reset every control to the contract.

Every change goes through a `Debouncer`: while a slider is dragged nothing is computed; once it
rests for `debounce_s` the latest values are computed, once. Values echoed by the browser
(0.19999999999999996) are rounded to their slider's step before use. `app.widget` is what a
notebook displays; the notebook holds nothing else.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..contract.terms import Partner, ServiceLevel
from ..core.kpis import kpi
from ..core.money import format_cents
from ..risk.statement import STATEMENT_AMOUNTS
from ..views.html_tables import money, table
from ..views.partner import kpi_label
from ..views.style import FONT, INK, MUTED, OKABE_ITO, STATUS_COLOURS
from .engine import Comparison, WhatIf
from .scenario import (
    BonusChange,
    ChannelOperations,
    CorridorChange,
    GainShareChange,
    PartnerScenario,
    Scenario,
    ScenarioError,
    ServiceLevelChange,
    TermChanges,
    Window,
    write_scenario,
)

__all__ = ["Debouncer", "WhatIfApp", "what_if_app"]

BASELINE_COLOUR = MUTED
SCENARIO_COLOUR = OKABE_ITO["blue"]
_AMOUNT_LABELS = {
    "charges": "Charges",
    "credits": "Credits",
    "earned_back": "Earned back",
    "bonus": "Bonus",
    "corridor_compensation": "Corridor",
    "gain_share": "Gain-share",
    "resource_adjustment": "Resource adj.",
    "net": "Net",
}
_SIGN = {"credits": -1}  # the statement's bars show what each amount does to the net
# The bars show the mechanisms between the charges and the net (those two, much larger, are in the title).
_MECHANISMS = ("credits", "earned_back", "bonus", "corridor_compensation", "gain_share", "resource_adjustment")


class Debouncer:
    """Call `callback` once the calls have paused for `delay_s` (0: at once, synchronously).

    Each call cancels the pending one, so a dragged slider queues nothing: only the last value is
    computed. It schedules on the running asyncio loop (the kernel's); without one it calls at once.
    """

    def __init__(self, callback: Callable[[], None], delay_s: float):
        self.callback = callback
        self.delay_s = delay_s
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self.delay_s <= 0:
            self.callback()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            try:
                loop = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:
                loop = None
            if loop is None or not loop.is_running():
                self.callback()
                return
        self._pending = loop.call_later(self.delay_s, self._fire)

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def _fire(self) -> None:
        self._pending = None
        self.callback()


def _step_round(value: float, step: float) -> float:
    """A slider's value on its step's grid (what the user meant), with the step's decimals."""
    decimals = max(0, -Decimal(str(step)).normalize().as_tuple().exponent)
    return round(round(value / step) * step, decimals)


_SERVICE_LEVEL_CONTROLS = ("target", "minimum", "allocation_pct", "stretch_on", "stretch")
_RANGES = {  # (min, max, step) of target / minimum / stretch sliders per KPI unit
    "rate": (0.0, 1.0, 0.005),
    "seconds": (0.0, 600.0, 1.0),
    "score_1_5": (1.0, 5.0, 0.05),
    "score_0_100": (0.0, 100.0, 0.5),
    "count": (0.0, 1e6, 1.0),
}


def _slider(description: str, lo: float, hi: float, step: float, value: float, fmt: str = ".3g") -> w.FloatSlider:
    return w.FloatSlider(
        value=min(max(value, lo), hi),
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=True,
        readout_format=fmt,
        style={"description_width": "150px"},
        layout=w.Layout(width="420px"),
    )


def _percent(description: str, lo: float, hi: float, step: float, fraction: float) -> w.FloatSlider:
    """A slider in percent of a fraction (10 shows 10 %, means 0.1)."""
    return _slider(f"{description} (%)", lo, hi, step, float(fraction) * 100, ".1f")


class WhatIfApp:
    """The what-if app of one engagement (see the module docstring)."""

    def __init__(
        self,
        engine: WhatIf,
        partner: str | None = None,
        *,
        debounce_s: float = 0.3,
        save_path: str | Path | None = None,
    ):
        self.engine = engine
        self.contract = engine.contract
        self.months = engine.months
        self._quiet = False
        self._save_path = save_path
        self.comparison: Comparison | None = None
        self.updates = 0
        self.debouncer = Debouncer(self._compute, debounce_s)

        self.partner = w.Dropdown(options=list(self.contract.partner_ids), description="Partner")
        self.partner.value = partner or self.contract.partner_ids[0]
        self.service_level = w.Dropdown(description="Service level", style={"description_width": "150px"})
        self.status = w.HTML()
        self.table = w.HTML()
        self.exit_panel = w.HTML()
        self.notice = w.DatePicker(description="Notice on", style={"description_width": "150px"})
        self.save_button = w.Button(description="Save scenario (YAML)")
        self.reset_button = w.Button(description="Reset")
        self.save_to = w.Text(
            description="Save to", style={"description_width": "60px"}, layout=w.Layout(width="480px")
        )
        labels = [f"{m:%Y-%m}" for m in self.months]
        self.window = w.SelectionRangeSlider(
            options=labels,
            index=(0, len(labels) - 1),
            description="Window",
            continuous_update=True,
            style={"description_width": "150px"},
            layout=w.Layout(width="520px"),
        )
        self.figure: go.FigureWidget | None = None  # made from the first drawing (see _compute)
        self.term_box = w.VBox()
        self.sl_box = w.VBox()
        self.ops_box = w.VBox()
        self.controls: dict[str, w.ValueWidget] = {}
        self._sl_changes: dict[str, dict[str, float | None]] = {}

        self.partner.observe(self._on_partner, names="value")
        self.service_level.observe(self._on_service_level, names="value")
        self.window.observe(self._changed, names="value")
        self.notice.observe(self._on_notice, names="value")
        self.save_button.on_click(lambda _: self.save())
        self.reset_button.on_click(lambda _: self.reset())
        self._build_partner()

        controls = w.VBox(
            [
                self.partner,
                self.window,
                w.HTML("<b>Service level terms</b>"),
                self.service_level,
                self.sl_box,
                w.HTML("<b>Partner terms</b>"),
                self.term_box,
                w.HTML("<b>Operations</b> (change, %)"),
                self.ops_box,
                w.HBox([self.save_button, self.reset_button]),
                self.save_to,
            ],
            layout=w.Layout(width="540px"),
        )
        self._compute()
        if self.figure is None:
            self.figure = go.FigureWidget(self._empty_figure())
        results = w.VBox(
            [self.status, self.figure, self.table, w.HTML("<h3>Exit what-if</h3>"), self.notice, self.exit_panel]
        )
        self.widget = w.HBox([controls, results], layout=w.Layout(flex_flow="row wrap"))
        self.widget.add_class("pa-what-if")

    # -- controls ---------------------------------------------------------------------------

    @property
    def partner_terms(self) -> Partner:
        return self.contract.partner(self.partner.value)

    def _channels(self) -> list[str]:
        offered = self.engine.results.filter(
            (pl.col("partner_id") == self.partner.value)
            & (pl.col("kpi") == "offered")
            & pl.col("channel").is_not_null()
        )
        present = set(offered["channel"].unique().to_list())
        return [ch for ch in self.contract.channels if ch in present]

    def _build_partner(self) -> None:
        """(Re)build the controls of the selected partner, at the contract's values."""
        self._quiet = True
        try:
            p = self.partner_terms
            self._sl_changes = {}
            self.controls = {}
            c = self.controls
            c["at_risk_pct"] = _percent("At risk", 0, 40, 0.5, p.at_risk_pct)
            c["pool_pct"] = _percent("Pool", 0, 300, 5, p.pool_pct)
            c["earnback_months"] = w.IntSlider(
                value=p.earnback_months,
                min=0,
                max=12,
                description="Earn-back (months)",
                style={"description_width": "150px"},
            )
            c["bonus_pool_pct"] = _percent("Bonus pool", 0, 20, 0.5, p.bonus_pool_pct or 0)
            c["bonus_pool_pct"].disabled = p.bonus is not None and p.bonus.basis == "fixed"
            corridor = p.volume_corridor
            c["corridor_band"] = _percent("Corridor band", 1, 50, 1, corridor.band if corridor else 0.1)
            c["shortfall_rate"] = _percent("Shortfall rate", 0, 100, 5, corridor.shortfall_rate if corridor else 0)
            gain = p.gain_share
            c["baseline_fcr"] = _slider(
                "Gain-share baseline FCR", 0.5, 1.0, 0.005, float(gain.baseline_fcr) if gain else 0.75
            )
            c["provider_share"] = _percent("Provider share", 0, 100, 5, (gain.provider_share or 0) if gain else 0)
            c["pain_share"] = w.Checkbox(value=bool(gain and gain.pain_share), description="Pain-share")
            for name in ("corridor_band", "shortfall_rate"):
                c[name].disabled = corridor is None
            for name in ("baseline_fcr", "provider_share", "pain_share"):
                c[name].disabled = gain is None
            c["provider_share"].disabled |= bool(gain and gain.provider_share is None)
            self.term_box.children = [
                c[n]
                for n in (
                    "at_risk_pct",
                    "pool_pct",
                    "earnback_months",
                    "bonus_pool_pct",
                    "corridor_band",
                    "shortfall_rate",
                    "baseline_fcr",
                    "provider_share",
                    "pain_share",
                )
            ]

            ops = []
            for ch in self._channels():
                for what, lo, hi in (("volume", -50, 100), ("staffing", -50, 100), ("aht", -30, 50)):
                    name = f"{what}/{ch}"
                    label = f"{ch} {'AHT' if what == 'aht' else what}"
                    c[name] = _slider(f"{label} (%)", lo, hi, 1, 0, ".0f")
                    ops.append(c[name])
            self.ops_box.children = ops

            keys = [sl.key for sl in p.service_levels]
            self.service_level.options = [(kpi_label(sl.kpi, sl.channel), sl.key) for sl in p.service_levels]
            self.service_level.value = keys[0] if keys else None
            self._build_service_level()
            self.window.index = (0, len(self.months) - 1)
            self.notice.value = None
            self.exit_panel.value = ""
            self.save_to.value = str(self._default_save_path())
            for name, control in c.items():
                if name not in _SERVICE_LEVEL_CONTROLS:
                    control.observe(self._changed, names="value")
        finally:
            self._quiet = False

    def _service_level_terms(self) -> ServiceLevel | None:
        key = self.service_level.value
        return next((sl for sl in self.partner_terms.service_levels if sl.key == key), None)

    def _build_service_level(self) -> None:
        sl = self._service_level_terms()
        if sl is None:
            self.sl_box.children = [w.HTML("<i>No service level in the contract.</i>")]
            return
        lo, hi, step = _RANGES[kpi(sl.kpi).unit]
        changed = self._sl_changes.get(sl.key, {})
        value = lambda name: changed.get(name, getattr(sl, name))  # noqa: E731
        c = self.controls
        c["target"] = _slider("Target", lo, hi, step, value("target"))
        c["minimum"] = _slider("Minimum", lo, hi, step, value("minimum"))
        c["allocation_pct"] = _percent("Allocation", 0, 100, 1, value("allocation_pct"))
        stretch = value("stretch")
        c["stretch_on"] = w.Checkbox(value=stretch is not None, description="Stretch (bonus)")
        c["stretch"] = _slider("Stretch", lo, hi, step, stretch if stretch is not None else value("target"))
        c["stretch"].disabled = stretch is None
        for name in _SERVICE_LEVEL_CONTROLS:
            c[name].observe(self._on_service_level_control, names="value")
        self.sl_box.children = [c["target"], c["minimum"], c["allocation_pct"], w.HBox([c["stretch_on"], c["stretch"]])]

    def _value(self, name: str) -> Any:
        """A control's value as the scenario means it: on its step; percent sliders as fractions."""
        control = self.controls[name]
        if isinstance(control, w.FloatSlider):
            value = _step_round(control.value, control.step)
            return round(value / 100, 6) if control.description.endswith("(%)") else value
        return control.value

    # -- events -----------------------------------------------------------------------------

    def _on_partner(self, _: Any) -> None:
        self._build_partner()
        self._changed(None)

    def _on_service_level(self, _: Any) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            self._build_service_level()
        finally:
            self._quiet = False
        self._changed(None)

    def _on_service_level_control(self, _: Any) -> None:
        if self._quiet:
            return
        sl = self._service_level_terms()
        if sl is None:
            return
        self.controls["stretch"].disabled = not self.controls["stretch_on"].value
        self._sl_changes[sl.key] = {
            "target": self._value("target"),
            "minimum": self._value("minimum"),
            "allocation_pct": self._value("allocation_pct"),
            "stretch": self._value("stretch") if self.controls["stretch_on"].value else None,
        }
        self._changed(None)

    def _changed(self, _: Any) -> None:
        if not self._quiet:
            self.debouncer()

    def _on_notice(self, _: Any) -> None:
        if self._quiet or self.notice.value is None:
            return
        plan = self.engine.exit_plan(self.partner.value, self.notice.value)
        items = "".join(f"<li>{html.escape(s)}</li>" for s in plan.sentences())
        missing = (
            table(
                plan.missing,
                {
                    "item_id": "Item",
                    "area": "Area",
                    "title": "Title",
                    "owner_party": "Owner",
                    "status": "Status",
                    "readiness_missing": "Readiness missing",
                },
                formats={"readiness_missing": lambda v: f"{v * 100:.1f} %"},
                empty="Every item of the checklist is done.",
            )
            if plan.missing.height or plan.readiness is not None
            else ""
        )
        self.exit_panel.value = f"<ul class='pa-exit'>{items}</ul>{missing}"

    # -- the scenario -----------------------------------------------------------------------

    def scenario(self) -> Scenario:
        """The scenario the controls describe (only what differs from the contract)."""
        p = self.partner_terms
        terms: dict[str, Any] = {}
        for name, current in (("at_risk_pct", p.at_risk_pct), ("pool_pct", p.pool_pct)):
            if Decimal(str(self._value(name))) != current:
                terms[name] = self._value(name)
        if self._value("earnback_months") != p.earnback_months:
            terms["earnback_months"] = self._value("earnback_months")
        bonus = self._value("bonus_pool_pct")
        if not self.controls["bonus_pool_pct"].disabled and Decimal(str(bonus)) != (p.bonus_pool_pct or 0):
            terms["bonus"] = BonusChange(pool_pct=bonus)
        if p.volume_corridor:
            band, rate = self._value("corridor_band"), self._value("shortfall_rate")
            if Decimal(str(band)) != p.volume_corridor.band or Decimal(str(rate)) != p.volume_corridor.shortfall_rate:
                terms["volume_corridor"] = CorridorChange(band=band, shortfall_rate=rate)
        gain = p.gain_share
        if gain:
            change = {}
            if Decimal(str(self._value("baseline_fcr"))) != gain.baseline_fcr:
                change["baseline_fcr"] = self._value("baseline_fcr")
            if gain.provider_share is not None and Decimal(str(self._value("provider_share"))) != gain.provider_share:
                change["provider_share"] = self._value("provider_share")
            if self._value("pain_share") != gain.pain_share:
                change["pain_share"] = self._value("pain_share")
            if change:
                terms["gain_share"] = GainShareChange(**change)
        levels = {}
        for sl in p.service_levels:
            changed = self._sl_changes.get(sl.key)
            if not changed:
                continue
            diff = {}
            for name, value in changed.items():
                current = getattr(sl, name)
                same = (Decimal(str(value)) == current) if name == "allocation_pct" else (value == current)
                if not same:
                    diff[name] = value
            if "stretch" in diff and diff["stretch"] is None:
                diff.pop("stretch")  # turning a stretch off is not a scenario term: keep the contract's
            if diff:
                levels[sl.key] = ServiceLevelChange(**diff)
        if levels:
            terms["service_levels"] = levels
        operations = {}
        for ch in self._channels():
            ops = ChannelOperations(
                volume_change=self._value(f"volume/{ch}"),
                staffing_change=self._value(f"staffing/{ch}"),
                aht_change=self._value(f"aht/{ch}"),
            )
            if not ops.empty:
                operations[ch] = ops
        first, last = self.window.index
        window = Window(
            first=self.months[first] if first > 0 else None,
            last=self.months[last] if last < len(self.months) - 1 else None,
        )
        exit_ = {"exit": {"notice_on": self.notice.value}} if self.notice.value else {}
        partner = PartnerScenario(terms=TermChanges(**terms), operations=operations, **exit_)
        empty = partner.terms.empty and not operations and not exit_
        return Scenario(
            name=f"what-if {self.partner.value}",
            window=window,
            partners={} if empty else {self.partner.value: partner},
        )

    def _compute(self) -> None:
        try:
            scenario = self.scenario()
            comparison = self.engine.compare(scenario, [self.partner.value])
        except ScenarioError as e:
            self.status.value = (
                f"<p class='pa-error' style='color:{STATUS_COLOURS['breach']}'>{html.escape(str(e))}</p>"
            )
            return
        self.comparison = comparison
        self.updates += 1
        note = "; ".join(comparison.notes)
        self.status.value = f"<p class='pa-note'>{html.escape(note)}</p>" if note else ""
        if self.figure is None:
            # A FigureWidget shows the state it was made with; updates made before a browser view
            # exists would be lost, so the first drawing is made on a plain figure.
            figure = self._empty_figure()
            self._draw(comparison, figure)
            self.figure = go.FigureWidget(figure)
        else:
            self._draw(comparison, self.figure)
        self.table.value = self._delta_table(comparison)

    # -- the figure and the table -----------------------------------------------------------

    def _empty_figure(self) -> go.Figure:
        fig = make_subplots(
            rows=3,
            cols=1,
            subplot_titles=("Statement over the window", "Service level by month", "Credits by month (client's)"),
            vertical_spacing=0.11,
            row_heights=[0.36, 0.36, 0.28],
        )
        for name, colour in (("baseline", BASELINE_COLOUR), ("scenario", SCENARIO_COLOUR)):
            fig.add_trace(go.Bar(name=name, legendgroup=name, marker_color=colour, x=[], y=[]), row=1, col=1)
        for name, colour in (("baseline", BASELINE_COLOUR), ("scenario", SCENARIO_COLOUR)):
            fig.add_trace(
                go.Scatter(
                    name=name,
                    legendgroup=name,
                    showlegend=False,
                    mode="lines+markers",
                    line={"color": colour},
                    x=[],
                    y=[],
                ),
                row=2,
                col=1,
            )
        fig.add_trace(
            go.Scatter(name="target", mode="lines", line={"color": INK, "dash": "dash", "shape": "hv"}, x=[], y=[]),
            row=2,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                name="minimum",
                mode="lines",
                line={"color": STATUS_COLOURS["breach"], "dash": "dot", "shape": "hv"},
                x=[],
                y=[],
            ),
            row=2,
            col=1,
        )
        for name, colour in (("baseline", BASELINE_COLOUR), ("scenario", SCENARIO_COLOUR)):
            fig.add_trace(
                go.Bar(name=name, legendgroup=name, showlegend=False, marker_color=colour, x=[], y=[]), row=3, col=1
            )
        fig.update_layout(
            template="plotly_white",
            height=760,
            width=760,
            barmode="group",
            font={"family": FONT, "size": 12, "color": INK},
            margin={"l": 70, "r": 20, "t": 70, "b": 40},
            legend={"orientation": "h", "x": 0, "y": 1.09},
        )
        return fig

    def _draw(self, comparison: Comparison, fig: go.Figure) -> None:
        currency = self.contract.currency
        totals = comparison.totals
        shown = [a for a in _MECHANISMS if a in STATEMENT_AMOUNTS]
        by_amount = {r["amount"]: r for r in totals.iter_rows(named=True)}
        labels = [_AMOUNT_LABELS[a] for a in shown]
        net, charges = by_amount["net"], by_amount["charges"]

        def change(row: dict[str, Any]) -> str:
            return f"{format_cents(row['baseline'], currency)} → {format_cents(row['scenario'], currency)}"

        statement_title = (
            "Statement over the window<br>"
            f"<span style='font-size:11px'>charges {change(charges)}; net {change(net)}</span>"
        )
        sides = {side: [_SIGN.get(a, 1) * by_amount[a][side] / 100 for a in shown] for side in ("baseline", "scenario")}
        sl = self._service_level_terms()
        gaps = comparison.gaps_delta.filter(pl.col("service_level") == (sl.key if sl else ""))
        credits = comparison.credits_delta
        with fig.batch_update():
            for i, side in enumerate(("baseline", "scenario")):
                fig.data[i].x = labels
                fig.data[i].y = sides[side]
                fig.data[i].hovertemplate = "%{x}: %{y:,.2f} " + currency + f"<extra>{side}</extra>"
                fig.data[2 + i].x = gaps["month"].to_list()
                fig.data[2 + i].y = gaps[f"value_{side}"].to_list()
                fig.data[6 + i].x = credits["month"].to_list()
                fig.data[6 + i].y = (credits[side] / 100).to_list()
            fig.data[4].x = gaps["month"].to_list()
            fig.data[4].y = gaps["target_scenario"].to_list()
            fig.data[5].x = gaps["month"].to_list()
            fig.data[5].y = gaps["minimum_scenario"].to_list()
            title = f"{kpi_label(sl.kpi, sl.channel)} by month" if sl else "Service level by month"
            fig.layout.annotations[0].text = statement_title
            fig.layout.annotations[1].text = title
            fig.layout.yaxis.title = currency
            fig.layout.yaxis3.title = currency
            if sl is not None:
                unit = kpi(sl.kpi).unit
                fig.layout.yaxis2.tickformat = ".0%" if unit == "rate" else ""

    def _delta_table(self, comparison: Comparison) -> str:
        currency = self.contract.currency
        rows = comparison.totals.filter(pl.col("amount").is_in(list(_AMOUNT_LABELS))).with_columns(
            pl.col("amount").replace_strict(_AMOUNT_LABELS).alias("what")
        )
        amount = money(currency)
        statement = table(
            rows,
            {"what": "Over the window", "baseline": "Baseline", "scenario": "Scenario", "delta": "Change"},
            formats={
                "baseline": amount,
                "scenario": amount,
                "delta": lambda c: ("+" if c > 0 else "") + format_cents(c, currency),
            },
        )
        counts = comparison.status_counts
        statuses = table(
            counts.select("status", "baseline", "scenario", pl.col("delta")),
            {"status": "Service-level months", "baseline": "Baseline", "scenario": "Scenario", "delta": "Change"},
            formats={"delta": lambda d: f"{d:+d}"},
        )
        return f"<div class='pa-delta'>{statement}{statuses}</div>"

    # -- buttons ----------------------------------------------------------------------------

    def _default_save_path(self) -> Path:
        if self._save_path is not None:
            return Path(self._save_path)
        return self.engine.engagement.path / "scenarios" / f"what-if-{self.partner.value}.yaml"

    def save(self) -> Path:
        """Write the scenario to the path in `save_to`; say where in the status line."""
        path = write_scenario(self.scenario(), Path(self.save_to.value).expanduser())
        self.status.value = f"<p class='pa-note'>Scenario saved to {html.escape(str(path))}</p>"
        return path

    def reset(self) -> None:
        """Every control back to the contract's values, and the figure to the baseline."""
        self._build_partner()
        self.debouncer()

    def apply(self, scenario: Scenario) -> None:
        """Set the controls to a scenario's values for the selected partner (e.g. one read from YAML)."""
        changes = scenario.of(self.partner.value)
        self._quiet = True
        try:
            t = changes.terms
            c = self.controls
            for name in ("at_risk_pct", "pool_pct"):
                if getattr(t, name) is not None:
                    c[name].value = float(getattr(t, name)) * 100
            if t.earnback_months is not None:
                c["earnback_months"].value = t.earnback_months
            if t.bonus and t.bonus.pool_pct is not None:
                c["bonus_pool_pct"].value = float(t.bonus.pool_pct) * 100
            if t.volume_corridor:
                for name in ("band", "shortfall_rate"):
                    if getattr(t.volume_corridor, name) is not None:
                        c["corridor_band" if name == "band" else name].value = (
                            float(getattr(t.volume_corridor, name)) * 100
                        )
            if t.gain_share:
                if t.gain_share.baseline_fcr is not None:
                    c["baseline_fcr"].value = float(t.gain_share.baseline_fcr)
                if t.gain_share.provider_share is not None:
                    c["provider_share"].value = float(t.gain_share.provider_share) * 100
                if t.gain_share.pain_share is not None:
                    c["pain_share"].value = t.gain_share.pain_share
            for key, change in t.service_levels.items():
                self._sl_changes[key] = change.model_dump(exclude_none=True)
            for ch, ops in changes.operations.items():
                for what, value in zip(("volume", "staffing", "aht"), ops.key, strict=True):
                    if f"{what}/{ch}" in c:
                        c[f"{what}/{ch}"].value = value * 100
            labels = list(self.window.options)
            first = labels.index(f"{scenario.window.first:%Y-%m}") if scenario.window.first else 0
            last = labels.index(f"{scenario.window.last:%Y-%m}") if scenario.window.last else len(labels) - 1
            self.window.index = (first, last)
            self._build_service_level()
        finally:
            self._quiet = False
        self.debouncer()


def what_if_app(engagement: str | Path = "", partner: str = "", *, debounce_s: float = 0.3) -> WhatIfApp:
    """The app on an engagement folder (empty: the sample) — what the notebook and the web app call."""
    from ..core.paths import engagement_path
    from ..io.engagement import load

    engine = WhatIf(load(engagement_path(engagement)).collected())
    return WhatIfApp(engine, partner or None, debounce_s=debounce_s)
