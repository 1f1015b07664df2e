"""A scenario in the strategic committee: baseline versus scenario for one partner and one quarter.

`scenario_section` computes it (the what-if engine on the partner only, so the section holds only
that partner's figures); `scenario_html` shows it, or nothing when no scenario was given, so the
strategic notebook can call it unconditionally.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from ..contract.terms import Contract
from ..core.money import format_cents
from ..core.periods import Period
from ..io.engagement import Engagement
from ..pipeline.analysis import Analysis
from ..views.html_tables import HTML, money, service_level, status, table
from ..views.partner import format_value, kpi_label
from ..whatif.engine import WhatIf
from ..whatif.exit_plan import ExitPlan
from ..whatif.scenario import Scenario, read_scenario

__all__ = ["ScenarioSection", "scenario_changes", "scenario_html", "scenario_section"]

_AMOUNTS = {
    "charges": "Charges",
    "credits": "Credits",
    "earned_back": "Earned back",
    "bonus": "Bonus",
    "corridor_compensation": "Corridor",
    "gain_share": "Gain-share",
    "resource_adjustment": "Resource adjustment",
    "net": "Net",
}


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


def _percent(value: float | Decimal) -> str:
    return f"{float(value) * 100:g} %"


def scenario_changes(contract: Contract, scenario: Scenario, partner_id: str) -> list[str]:
    """The scenario's changes for a partner, as sentences naming the contract's value they replace."""
    partner = contract.partner(partner_id)
    changes = scenario.of(partner_id)
    t = changes.terms
    out = []
    for name, label, current in (
        ("at_risk_pct", "At-risk share", partner.at_risk_pct),
        ("pool_pct", "Pool", partner.pool_pct),
    ):
        if getattr(t, name) is not None:
            out.append(f"{label} {_percent(getattr(t, name))} (contract: {_percent(current)})")
    if t.earnback_months is not None:
        out.append(f"Earn-back over {t.earnback_months} months (contract: {partner.earnback_months})")
    if t.bonus and t.bonus.pool_pct is not None:
        out.append(
            f"Bonus pool {_percent(t.bonus.pool_pct)} of charges (contract: {_percent(partner.bonus_pool_pct or 0)})"
        )
    corridor = partner.volume_corridor
    if t.volume_corridor:
        if t.volume_corridor.band is not None:
            was = _percent(corridor.band) if corridor else "none"
            out.append(f"Volume corridor ±{_percent(t.volume_corridor.band)} (contract: {was})")
        if t.volume_corridor.shortfall_rate is not None:
            was = _percent(corridor.shortfall_rate) if corridor else "none"
            out.append(f"Corridor shortfall rate {_percent(t.volume_corridor.shortfall_rate)} (contract: {was})")
    gain = partner.gain_share
    if t.gain_share:
        if t.gain_share.baseline_fcr is not None:
            out.append(
                f"Gain-share baseline FCR {float(t.gain_share.baseline_fcr):g} "
                f"(contract: {float(gain.baseline_fcr) if gain else 'none'})"
            )
        if t.gain_share.provider_share is not None:
            was = _percent(gain.provider_share) if gain and gain.provider_share is not None else "none"
            out.append(f"Gain-share provider share {_percent(t.gain_share.provider_share)} (contract: {was})")
        if t.gain_share.pain_share is not None:
            out.append(
                f"Pain-share {'on' if t.gain_share.pain_share else 'off'} "
                f"(contract: {'on' if gain and gain.pain_share else 'off'})"
            )
    for key, change in t.service_levels.items():
        sl = next(s for s in partner.service_levels if s.key == key)
        label = kpi_label(sl.kpi, sl.channel)
        for name in ("target", "minimum", "stretch"):
            value = getattr(change, name)
            if value is not None:
                was = getattr(sl, name)
                out.append(
                    f"{label} {name} {format_value(sl.kpi, value)} "
                    f"(contract: {format_value(sl.kpi, was) if was is not None else 'none'})"
                )
        if change.allocation_pct is not None:
            out.append(
                f"{label} allocation {_percent(change.allocation_pct)} (contract: {_percent(sl.allocation_pct)})"
            )
    for channel, ops in changes.operations.items():
        for value, what in zip(ops.key, ("volume", "staffing", "handle time (AHT)"), strict=True):
            if value:
                out.append(f"{channel} {what} {value * 100:+g} %")
    if changes.operations and (scenario.window.first or scenario.window.last):
        first = f"{scenario.window.first:%B %Y}" if scenario.window.first else "the first month"
        last = f"{scenario.window.last:%B %Y}" if scenario.window.last else "the last month"
        out.append(f"Operations change from {first} to {last}")
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
    statement = comparison.quarter(period.start).filter(pl.col("amount").is_in(list(_AMOUNTS)))
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
    return lambda cents: ("+" if cents > 0 else "") + format_cents(cents, currency)


def scenario_html(section: ScenarioSection | None) -> HTML:
    """The section as the report shows it; empty when there is no scenario."""
    if section is None:
        return HTML("")
    s = section.scenario
    parts = [f"<h2>What if: {html.escape(s.name)}</h2>"]
    if s.description:
        parts.append(f"<p>{html.escape(s.description)}</p>")
    if section.changes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in section.changes) + "</ul>")
    else:
        parts.append(f"<p>The scenario changes nothing for {html.escape(section.partner_id)}.</p>")
    amount = money(section.currency)
    statement = section.statement.with_columns(pl.col("amount").replace_strict(_AMOUNTS).alias("what"))
    parts.append(
        table(
            statement,
            {"what": f"Statement, {section.period}", "baseline": "Baseline", "scenario": "Scenario", "delta": "Change"},
            formats={"baseline": amount, "scenario": amount, "delta": _signed(section.currency)},
        ).markup
    )
    parts.append(
        table(
            section.status_counts,
            {"status": "Service-level months", "baseline": "Baseline", "scenario": "Scenario", "delta": "Change"},
            formats={"status": status, "delta": lambda d: f"{d:+d}"},
        ).markup
    )

    def value(v: float | None, row: dict) -> str:
        return format_value(row["kpi"], v)

    parts.append(
        table(
            section.gaps,
            {
                "service_level": "Service level",
                "month": "Month",
                "value_baseline": "Baseline",
                "status_baseline": "Status",
                "value_scenario": "Scenario",
                "status_scenario": "Status ",
            },
            formats={
                "service_level": service_level,
                "value_baseline": value,
                "value_scenario": value,
                "status_baseline": status,
                "status_scenario": status,
            },
            empty="No service level of the quarter changes status.",
            caption="Service levels whose status changes",
        ).markup
    )
    if section.exit is not None:
        parts.append(
            "<h3>Exit</h3><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in section.exit.sentences()) + "</ul>"
        )
    for note in section.notes:
        parts.append(f"<p><em>{html.escape(note)}</em></p>")
    return HTML("\n".join(parts))
