"""A scenario in the strategic committee: baseline versus scenario for one partner and one quarter.

`scenario_section` computes it (the what-if engine on the partner only, so the section holds only
that partner's figures); `scenario_html` shows it, or nothing when no scenario was given, so the
strategic notebook can call it unconditionally.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..charts.scenario import SCENARIO_AMOUNTS
from ..contract.terms import Contract
from ..core.periods import Period
from ..io.engagement import Engagement
from ..pipeline.analysis import Analysis
from ..views.html_tables import HTML, money, service_level, status, table
from ..views.language import _
from ..views.wording import (
    STATEMENT_LABELS,
    channel_name,
    decimal_text,
    format_value,
    kpi_label,
    money_text,
    month_name,
    period_name,
)
from ..whatif.controls import OPERATIONS_CONTROLS, PARTNER_CONTROLS, SERVICE_LEVEL_CONTROLS, value_at
from ..whatif.engine import WhatIf
from ..whatif.exit_plan import ExitPlan
from ..whatif.scenario import Scenario, read_scenario

__all__ = ["ScenarioSection", "scenario_changes", "scenario_html", "scenario_section"]


@dataclass(frozen=True)
class ScenarioSection:
    """Baseline versus scenario for a partner's quarter."""

    scenario: Scenario
    partner_id: str
    period: Period
    currency: str
    changes: list[str]
    statement: pl.DataFrame  # amount, baseline, scenario, delta (cents), summed over the quarter
    gaps: pl.DataFrame  # the quarter's service-level months whose status changes
    status_counts: pl.DataFrame  # status, baseline, scenario, delta (service-level months of the quarter)
    exit: ExitPlan | None
    notes: tuple[str, ...]


def scenario_changes(contract: Contract, scenario: Scenario, partner_id: str) -> list[str]:
    """The scenario's changes for a partner, as sentences naming the contract's value they replace.

    Each term is worded with its control's label and unit (`whatif.controls`); the exit choice has a
    part of its own in the section.
    """
    partner = contract.partner(partner_id)
    changes = scenario.of(partner_id)
    out = []
    for control in PARTNER_CONTROLS:
        value = value_at(changes.terms, control.path)
        if value is not None:
            was = control.contract_value(partner)
            out.append(
                f"{control.label_text()} {control.words(value)} "
                + _("(contract: {value})").format(value=control.words(was))
            )
    for key, change in changes.terms.service_levels.items():
        sl = next(s for s in partner.service_levels if s.key == key)
        for control in SERVICE_LEVEL_CONTROLS:
            value = value_at(change, control.path)
            if value is not None:
                was = control.contract_value(sl)
                out.append(
                    f"{kpi_label(sl.kpi, sl.channel)} {control.label_text()} {control.words(value, sl.kpi)} "
                    + _("(contract: {value})").format(value=control.words(was, sl.kpi))
                )
    for channel, ops in changes.operations.items():
        for control in OPERATIONS_CONTROLS:
            if value := round(value_at(ops, control.path), 6):
                out.append(control.operations_sentence(channel_name(channel), value))
    if changes.operations and (scenario.window.first or scenario.window.last):
        first = month_name(scenario.window.first) if scenario.window.first else _("the first month")
        last = month_name(scenario.window.last) if scenario.window.last else _("the last month")
        out.append(_("Operations change from {first} to {last}").format(first=first, last=last))
    return out


def scenario_section(
    analysis: Analysis,
    partner_id: str,
    period: Period,
    scenario: Scenario | str | Path,
    *,
    engagement: Callable[[], Engagement],
) -> ScenarioSection:
    """The scenario next to the baseline for the partner and the quarter, computed on the analysis'
    tables; `engagement()` loads the engagement only when the scenario needs what the analysis does
    not hold (an operations change, an exit plan: `WhatIf.of_analysis`)."""
    if not isinstance(scenario, Scenario):
        scenario = read_scenario(scenario)
    engine = WhatIf.of_analysis(analysis, engagement)
    comparison = engine.compare(scenario, [partner_id])
    last = period.month_starts[-1]
    quarter = pl.col("month").is_between(period.start, last)
    gaps = comparison.gaps_delta.filter(quarter)
    statement = comparison.quarter(period.start).filter(pl.col("amount").is_in(SCENARIO_AMOUNTS))
    counts = (
        gaps.group_by(pl.col("status_baseline").alias("status"))
        .len("baseline")
        .join(
            gaps.group_by(pl.col("status_scenario").alias("status")).len("scenario"),
            on="status",
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col("baseline", "scenario").fill_null(0).cast(pl.Int64))
        .with_columns((pl.col("scenario") - pl.col("baseline")).alias("delta"))
        .sort("status")
    )
    notice = scenario.of(partner_id).exit
    return ScenarioSection(
        scenario=scenario,
        partner_id=partner_id,
        period=period,
        currency=engine.contract.currency,
        changes=scenario_changes(engine.contract, scenario, partner_id),
        statement=statement,
        gaps=gaps.filter(pl.col("status_changed")),
        status_counts=counts,
        exit=engine.exit_plan(partner_id, notice.notice_on) if notice else None,
        notes=comparison.notes,
    )


def _signed(currency: str):
    return lambda cents: ("+" if cents > 0 else "") + money_text(cents, currency)


def scenario_html(section: ScenarioSection | None) -> HTML:
    """The section as the report shows it; empty when there is no scenario."""
    if section is None:
        return HTML("")
    s = section.scenario
    heading = _("What if: {name}").format(name=s.name)
    parts = [f"<h2>{html.escape(heading)}</h2>"]
    if s.description:
        parts.append(f"<p>{html.escape(s.description)}</p>")
    if section.changes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in section.changes) + "</ul>")
    else:
        nothing = _("The scenario changes nothing for this partner.")
        parts.append(f"<p>{html.escape(nothing)}</p>")
    amount = money(section.currency)
    statement = section.statement.with_columns(pl.col("amount").replace_strict(dict(STATEMENT_LABELS)).alias("what"))
    parts.append(
        table(
            statement,
            {
                "what": _("Statement, {period}").format(period=period_name(section.period)),
                "baseline": _("Baseline"),
                "scenario": _("Scenario"),
                "delta": _("Change"),
            },
            formats={"baseline": amount, "scenario": amount, "delta": _signed(section.currency)},
        ).markup
    )
    parts.append(
        table(
            section.status_counts,
            {
                "status": _("Service-level months"),
                "baseline": _("Baseline"),
                "scenario": _("Scenario"),
                "delta": _("Change"),
            },
            formats={"status": status, "delta": lambda d: decimal_text(d, signed=True)},
        ).markup
    )

    def value(v: float | None, row: dict) -> str:
        return format_value(row["kpi"], v)

    parts.append(
        table(
            section.gaps,
            {
                "service_level": _("Service level"),
                "month": _("Month"),
                "value_baseline": _("Baseline"),
                "status_baseline": _("Status"),
                "value_scenario": _("Scenario"),
                "status_scenario": _("Status") + " ",
            },
            formats={
                "service_level": service_level,
                "value_baseline": value,
                "value_scenario": value,
                "status_baseline": status,
                "status_scenario": status,
            },
            empty=_("No service level of the quarter changes status."),
            caption=_("Service levels whose status changes"),
        ).markup
    )
    if section.exit is not None:
        parts.append(
            "<h3>"
            + html.escape(_("Exit"))
            + "</h3><ul>"
            + "".join(f"<li>{html.escape(x)}</li>" for x in section.exit.sentences())
            + "</ul>"
        )
    for note in section.notes:
        parts.append(f"<p><em>{html.escape(note)}</em></p>")
    return HTML("\n".join(parts))
