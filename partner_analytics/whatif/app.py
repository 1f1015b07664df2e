"""The what-if app: ipywidgets controls over a live plotly figure and a delta table.

`WhatIfApp(engine, partner)` builds the controls of one partner's scenario from the controls' tables
(`whatif.controls`) — the terms of a chosen service level (target, minimum, allocation, stretch), the
partner's at-risk share, pool, earn-back, bonus pool, volume corridor and gain-share, per channel the
volume, staffing and AHT changes — and the window of months, and shows the scenario next to the
baseline: a `go.FigureWidget` drawn by `charts.scenario_comparison` (statement over the window, the
chosen service level by month against its target and minimum, credits by month) updated in place,
and a delta table. An exit panel gives the exit plan of a notice date. Buttons save the scenario as
YAML into a scenarios folder the user chooses (by default `scenarios/` of the working directory,
never the engagement folder: that is the input data) and reset every control to the contract.

The controls sit in a column beside the results, which stay in view (sticky) while the page
scrolls through the controls; on a screen narrower than `NARROW_PX` the controls come first and the
results stick to the bottom of the window below them. "Updating…" shows from a change until its
figure is drawn. A control the partner's contract cannot use is disabled with the reason beside it
(a stretch without a bonus). A date is typed day first (`widgets.DateField`), and said back in words.

A slider sends its value when it is released (or moved a step by a key), never while it is dragged,
and the change is computed at once. `debounce_s` > 0 puts a `Debouncer` in between: the changes must
pause that long and the last is computed, once (its timer on the kernel's loop cost about 70 ms more
per update than the delay alone: bench/README.md §7). Values echoed by the browser
(0.19999999999999996) are rounded to their slider's step before use. `app.widget` is what a
notebook displays; the notebook holds nothing else.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
import polars as pl

from ..charts.scenario import scenario_comparison
from ..contract.terms import Partner, ServiceLevel
from ..core.kpis import kpi
from ..views.language import checked_language, in_language
from ..views.style import STATUS_COLOURS
from ..views.wording import kpi_label, month
from .controls import (
    NOTICE,
    OPERATIONS_CONTROLS,
    PARTNER_CONTROLS,
    SERVICE_LEVEL_CONTROLS,
    Control,
    changed_service_level,
    changed_terms,
    value_at,
)
from .engine import Comparison, WhatIf
from .panels import delta_table, exit_panel
from .scenario import (
    ChannelOperations,
    PartnerScenario,
    Scenario,
    ScenarioError,
    TermChanges,
    Window,
    write_scenario,
)
from .widgets import DESCRIPTION_WIDTH, Debouncer, control_widget, shown_value, widget_value

# The results stay in view beside the controls: ipywidgets boxes clip (overflow: auto), which would
# pin a sticky element to its own box, so the app's boxes let it overflow. On a narrow screen the
# controls come first, full width, and the results stick to the bottom of the window below them.
NARROW_PX = 1100
_STYLE = f"""<style>
.pa-what-if {{ flex-flow: row nowrap !important; align-items: flex-start !important; overflow: visible !important; }}
.pa-what-if-controls {{ flex: 0 0 auto; overflow: visible !important; }}
.pa-what-if-results {{ position: sticky !important; top: 0; align-self: flex-start; max-height: 100vh;
  overflow-y: auto !important; flex: 1 1 auto; min-width: 0; background: white; z-index: 2; }}
.jp-OutputArea-child, .jp-OutputArea-output, .jp-OutputArea, .jp-Cell-outputWrapper, .jp-Cell {{
  overflow: visible !important; }}
.pa-busy {{ color: #7a5c00; font-weight: 600; min-height: 1.4em; }}
.pa-reason {{ color: #666; font-size: 12px; margin: -2px 0 4px 12px; }}
.pa-date-echo {{ color: #444; padding-left: 8px; }} .pa-date-echo .pa-error {{ color: #b00020; }}
@media (max-width: {NARROW_PX}px) {{
  .pa-what-if {{ flex-flow: column nowrap !important; align-items: stretch !important; }}
  .pa-what-if-controls {{ width: auto !important; max-width: 100%; }}
  .pa-what-if-controls .widget-hbox {{ flex-wrap: wrap; }}
  .pa-what-if-results {{ top: auto; bottom: 0; align-self: stretch; width: 100%; max-height: 62vh;
    border-top: 1px solid #ccc; box-shadow: 0 -4px 8px rgba(0, 0, 0, 0.08); }}
  .pa-what-if-results > * {{ flex-shrink: 0 !important; }}
}}
</style>"""
BUSY = "Updating…"

__all__ = ["WhatIfApp", "what_if_app"]


class WhatIfApp:
    """The what-if app of one engagement (see the module docstring)."""

    def __init__(
        self,
        engine: WhatIf,
        partner: str | None = None,
        *,
        debounce_s: float = 0.0,
        save_path: str | Path | None = None,
        scenarios: str | Path | None = None,
        language: str | None = None,
    ):
        self.engine = engine
        self.contract = engine.contract
        # the exit plan and the dates are written as the engagement's reports write them (the controls: English)
        self.language = checked_language(language or self.contract.language)
        self.months = engine.months
        self._quiet = False
        self._save_path = save_path
        self._kpi_unit: str | None = None  # the unit of the chosen service level's KPI
        self.scenarios = Path(scenarios).expanduser() if scenarios else Path.cwd() / "scenarios"
        self.comparison: Comparison | None = None
        self.updates = 0
        self.debouncer = Debouncer(self._compute, debounce_s)

        self.partner = w.Dropdown(options=list(self.contract.partner_ids), description="Partner")
        self.partner.value = partner or self.contract.partner_ids[0]
        self.service_level = w.Dropdown(description="Service level", style={"description_width": DESCRIPTION_WIDTH})
        self.status = w.HTML()
        self.busy = w.HTML()
        self.busy.add_class("pa-busy")
        self.table = w.HTML()
        self.exit_panel = w.HTML()
        self.notice = control_widget(NOTICE, NOTICE.absent, language=self.language)
        self.save_button = w.Button(description="Save scenario (YAML)")
        self.reset_button = w.Button(description="Reset")
        self.save_to = w.Text(
            description="Save to", style={"description_width": "60px"}, layout=w.Layout(width="540px")
        )
        with in_language(self.language):
            labels = [month(m) for m in self.months]
        self.window = w.SelectionRangeSlider(
            options=labels,
            index=(0, len(labels) - 1),
            description="Window",
            continuous_update=False,
            style={"description_width": DESCRIPTION_WIDTH},
            layout=w.Layout(width="520px"),
        )
        self.figure: go.FigureWidget | None = None  # made from the first drawing (see _compute)
        self.term_box = w.VBox()
        self.sl_box = w.VBox()
        self.ops_box = w.VBox()
        self.controls: dict[str, w.ValueWidget] = {}  # by control name; a channel's as `volume/voice`
        self._control_of: dict[str, Control] = {}
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
                w.HTML("<b>Exit what-if</b>"),
                self.notice,
                self.exit_panel,
                w.HTML("<b>Scenario file</b>"),
                self.save_to,
                w.HBox([self.save_button, self.reset_button]),
            ],
            layout=w.Layout(width="760px"),
        )
        controls.add_class("pa-what-if-controls")
        self._compute()
        if self.figure is None:  # the first comparison failed: its status says why
            self._draw(None)
        results = w.VBox([self.busy, self.status, self.figure, self.table])
        results.add_class("pa-what-if-results")
        self.widget = w.HBox([w.HTML(_STYLE), controls, results])
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

    def _add(self, key: str, control: Control, widget: w.ValueWidget) -> w.ValueWidget:
        self.controls[key] = widget
        self._control_of[key] = control
        return widget

    def _build_partner(self) -> None:
        """(Re)build the controls of the selected partner, at the contract's values."""
        self._quiet = True
        try:
            p = self.partner_terms
            self._sl_changes = {}
            self.controls = {}
            self._control_of = {}
            terms = []
            for control in PARTNER_CONTROLS:
                widget = self._add(control.name, control, control_widget(control, control.initial(p)))
                widget.observe(self._changed, names="value")
                terms.append(widget)
                if not control.applies(p):
                    widget.disabled = True
                    widget.tooltip = control.reason
                    terms.append(_reason(control.reason))
            self.term_box.children = terms
            self.controls["bonus_pool_pct"].observe(self._on_bonus_pool, names="value")
            ops = []
            for ch in self._channels():
                for control in OPERATIONS_CONTROLS:
                    widget = self._add(f"{control.name}/{ch}", control, control_widget(control, 0, prefix=ch))
                    widget.observe(self._changed, names="value")
                    ops.append(widget)
            self.ops_box.children = ops

            keys = [sl.key for sl in p.service_levels]
            self.service_level.options = [(kpi_label(sl.kpi, sl.channel), sl.key) for sl in p.service_levels]
            self.service_level.value = keys[0] if keys else None
            self._build_service_level()
            self.window.index = (0, len(self.months) - 1)
            self.notice.clear()
            self.exit_panel.value = ""
            self.save_to.value = str(self._default_save_path())
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
        unit = self._kpi_unit = kpi(sl.kpi).unit
        changed = self._sl_changes.get(sl.key, {})
        rows = []
        for control in SERVICE_LEVEL_CONTROLS:
            value = changed[control.name] if control.name in changed else control.contract_value(sl)
            if not control.optional:
                rows.append(self._add(control.name, control, control_widget(control, value, kpi_unit=unit)))
                continue
            # an optional term has a box that sets it; off, its slider rests at the target
            label = control.label.capitalize() + (f" ({control.note})" if control.note else "")
            box = self._add(f"{control.name}_on", control, w.Checkbox(value=value is not None, description=label))
            slider = control_widget(control, value if value is not None else self._value("target"), kpi_unit=unit)
            slider.disabled = value is None
            rows.append(w.HBox([box, self._add(control.name, control, slider)]))
        self._stretch_reason = _reason("")
        rows.append(self._stretch_reason)
        for control in SERVICE_LEVEL_CONTROLS:
            self.controls[control.name].observe(self._on_service_level_control, names="value")
            if control.optional:
                self.controls[f"{control.name}_on"].observe(self._on_service_level_control, names="value")
        self.sl_box.children = rows
        self._show_stretch()

    def _stretch_applies(self) -> bool:
        """A stretch pays a bonus: the contract must have one, or the scenario's bonus pool add one."""
        return self.partner_terms.bonus is not None or bool(self._value("bonus_pool_pct"))

    def _show_stretch(self) -> None:
        """The stretch's box enabled when it can pay, else disabled with the reason."""
        if "stretch_on" not in self.controls:
            return
        applies = self._stretch_applies()
        box, slider = self.controls["stretch_on"], self.controls["stretch"]
        box.disabled = not applies
        slider.disabled = not (applies and box.value)
        reason = self._control_of["stretch"].reason
        box.tooltip = "" if applies else reason
        self._stretch_reason.value = "" if applies else html.escape(reason)

    def _value(self, key: str) -> Any:
        """A control's value as the scenario means it (see `widgets.widget_value`)."""
        control = self._control_of[key]
        unit = self._kpi_unit if control in SERVICE_LEVEL_CONTROLS else None
        return widget_value(control, self.controls[key], unit)

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

    def _on_bonus_pool(self, _: Any) -> None:
        if "stretch_on" in self.controls:
            self._show_stretch()
            self._on_service_level_control(None)

    def _on_service_level_control(self, _: Any) -> None:
        if self._quiet:
            return
        sl = self._service_level_terms()
        if sl is None:
            return
        values = {}
        for control in SERVICE_LEVEL_CONTROLS:
            on = not control.optional or self.controls[f"{control.name}_on"].value
            if control.name == "stretch" and not self._stretch_applies():
                on = False
            self.controls[control.name].disabled = not on
            values[control.name] = self._value(control.name) if on else None
        self._sl_changes[sl.key] = values
        self._changed(None)

    def _changed(self, _: Any) -> None:
        if not self._quiet:
            self.busy.value = BUSY
            self.debouncer()

    def _on_notice(self, _: Any) -> None:
        if self._quiet:
            return
        notice = self.notice.value
        with in_language(self.language):
            self.exit_panel.value = exit_panel(self.engine.exit_plan(self.partner.value, notice)) if notice else ""

    # -- the scenario -----------------------------------------------------------------------

    def scenario(self) -> Scenario:
        """The scenario the controls describe (only what differs from the contract)."""
        p = self.partner_terms
        terms = changed_terms(p, {c.name: self._value(c.name) for c in PARTNER_CONTROLS})
        levels = {}
        for sl in p.service_levels:
            if diff := changed_service_level(sl, self._sl_changes.get(sl.key, {})):
                levels[sl.key] = diff
        if levels:
            terms["service_levels"] = levels
        operations = {}
        for ch in self._channels():
            ops = ChannelOperations(**{c.path[-1]: self._value(f"{c.name}/{ch}") for c in OPERATIONS_CONTROLS})
            if not ops.empty:
                operations[ch] = ops
        first, last = self.window.index
        window = Window(
            first=self.months[first] if first > 0 else None,
            last=self.months[last] if last < len(self.months) - 1 else None,
        )
        exit_ = {"exit": {NOTICE.name: self.notice.value}} if self.notice.value else {}
        partner = PartnerScenario(terms=TermChanges.model_validate(terms), operations=operations, **exit_)
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
            self.busy.value = ""
            return
        self.comparison = comparison
        self.updates += 1
        note = "; ".join(comparison.notes)
        self.status.value = f"<p class='pa-note'>{html.escape(note)}</p>" if note else ""
        self._draw(comparison)
        self.table.value = delta_table(comparison, self.contract.currency)
        self.busy.value = ""

    # -- the figure -------------------------------------------------------------------------

    def _draw(self, comparison: Comparison | None) -> None:
        """Draw the comparison (None: the figure's frame, empty); the first drawing makes the FigureWidget.

        A FigureWidget shows the state it was made with; updates made before a browser view exists
        would be lost, so it is made from the first drawing, and later ones redraw it in place.
        """
        tables = (
            (comparison.totals, comparison.gaps_delta, comparison.credits_delta) if comparison else (None, None, None)
        )
        drawn = scenario_comparison(
            *tables, currency=self.contract.currency, service_level=self._service_level_terms(), into=self.figure
        )
        if self.figure is None:
            self.figure = go.FigureWidget(drawn)

    # -- buttons ----------------------------------------------------------------------------

    def _default_save_path(self) -> Path:
        if self._save_path is not None:
            return Path(self._save_path)
        return self.scenarios / f"what-if-{self.partner.value}.yaml"

    def save(self) -> Path:
        """Write the scenario to the path in `save_to`; say where in the status line."""
        path = write_scenario(self.scenario(), Path(self.save_to.value).expanduser())
        self.status.value = f"<p class='pa-note'>Scenario saved to {html.escape(str(path))}</p>"
        return path

    def reset(self) -> None:
        """Every control back to the contract's values, and the figure to the baseline."""
        self._build_partner()
        self._changed(None)

    def apply(self, scenario: Scenario) -> None:
        """Set the controls to a scenario's values for the selected partner (e.g. one read from YAML)."""
        changes = scenario.of(self.partner.value)
        self._quiet = True
        try:
            for control in PARTNER_CONTROLS:
                if (value := value_at(changes.terms, control.path)) is not None:
                    self.controls[control.name].value = shown_value(control, value)
            self._show_stretch()
            for key, change in changes.terms.service_levels.items():
                self._sl_changes[key] = change.model_dump(exclude_none=True)
            for ch, ops in changes.operations.items():
                for control in OPERATIONS_CONTROLS:
                    if f"{control.name}/{ch}" in self.controls:
                        value = round(value_at(ops, control.path), 6)
                        self.controls[f"{control.name}/{ch}"].value = shown_value(control, value)
            first = self.months.index(scenario.window.first) if scenario.window.first else 0
            last = self.months.index(scenario.window.last) if scenario.window.last else len(self.months) - 1
            self.window.index = (first, last)
            self.notice.value = value_at(changes.exit, NOTICE.path)
            self._build_service_level()
        finally:
            self._quiet = False
        self._on_notice(None)
        self._changed(None)


def _reason(text: str) -> w.HTML:
    """Why the control above cannot apply, beside it."""
    reason = w.HTML(html.escape(text))
    reason.add_class("pa-reason")
    return reason


def what_if_app(
    engagement: str | Path = "",
    partner: str = "",
    *,
    scenarios: str | Path = "",
    debounce_s: float = 0.0,
    language: str = "",
) -> WhatIfApp:
    """The app on an engagement folder (empty: the sample) — what the notebook and the web app call;
    `scenarios`: the folder its Save button writes to (empty: `scenarios/` of the working directory);
    `language`: the exit plan's and the dates' (empty: the contract's `language`)."""
    from ..core.paths import engagement_path
    from ..io.engagement import load

    engine = WhatIf(load(engagement_path(engagement)).collected())
    return WhatIfApp(
        engine, partner or None, debounce_s=debounce_s, scenarios=scenarios or None, language=language or None
    )
