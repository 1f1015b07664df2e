"""The what-if app's HTML panels: what changes over the window (the statement and the service-level
months by status, baseline versus scenario) and the exit plan of a notice date."""

from __future__ import annotations

import html

import polars as pl

from ..charts.scenario import NET_SIGN, SCENARIO_AMOUNTS
from ..core.money import format_cents
from ..views.html_tables import money, table
from ..views.language import _
from ..views.wording import STATEMENT_LABELS, party_name, percent, status_name
from .engine import Comparison
from .exit_plan import ExitPlan

__all__ = ["delta_table", "exit_panel"]


def delta_table(comparison: Comparison, currency: str) -> str:
    """The statement's amounts and the service-level months by status over the window: baseline, scenario,
    change; each amount signed as what it does to the net (credits negative), as the figure shows them."""
    sign = pl.col("amount").replace_strict(NET_SIGN, default=1, return_dtype=pl.Int64)
    rows = comparison.totals.filter(pl.col("amount").is_in(SCENARIO_AMOUNTS)).with_columns(
        pl.col("amount").replace_strict(dict(STATEMENT_LABELS)).alias("what"),
        *[(pl.col(side) * sign).alias(side) for side in ("baseline", "scenario", "delta")],
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
    statuses = table(
        comparison.status_counts.select("status", "baseline", "scenario", "delta"),
        {"status": "Service-level months", "baseline": "Baseline", "scenario": "Scenario", "delta": "Change"},
        formats={"delta": lambda d: f"{d:+d}"},
    )
    return f"<div class='pa-delta'>{statement}{statuses}</div>"


def exit_panel(plan: ExitPlan) -> str:
    """The exit plan's sentences, and the checklist items not done when there are any (or a readiness), in the
    report's language (the app sets the engagement's)."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in plan.sentences())
    missing = (
        table(
            plan.missing,
            {
                "item_id": _("Item"),
                "area": _("Area"),
                "title": _("Title"),
                "owner_party": _("Owner"),
                "status": _("Status"),
                "readiness_missing": _("Readiness missing"),
            },
            formats={"readiness_missing": percent, "owner_party": party_name, "status": status_name},
            empty=_("Every item of the checklist is done."),
        )
        if plan.missing.height or plan.readiness is not None
        else ""
    )
    return f"<ul class='pa-exit'>{items}</ul>{missing}"
