"""When a committee meets, and what it must see: the breaches of its period without an improvement
plan, the decisions and comments of its period (formulas.md §8, §10.6).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..contract.terms import Contract
from ..core.periods import Period

__all__ = ["IMPROVEMENT_PLAN", "breaches_without_plan", "committee_date", "period_comments", "period_decisions"]

IMPROVEMENT_PLAN = "improvement_plan"  # the `kind` of an action that answers a breach (root cause and plan)


def committee_date(contract: Contract, period: Period) -> dt.date:
    """The day the period's committee meets: the period's last day + the contract's `committees` delay
    (operational for a month, strategic for a quarter)."""
    days = contract.committees.operational_days if period.kind == "month" else contract.committees.strategic_days
    return period.last_day + dt.timedelta(days=days)


def breaches_without_plan(gaps: pl.LazyFrame, actions: pl.LazyFrame, period: Period, as_of: dt.date) -> pl.LazyFrame:
    """The breaches of the period's months that no improvement plan answers: an action of kind
    `improvement_plan` on the same partner and service level, raised by `as_of` and not closed before
    the breach's month."""
    keys = ["partner_id", "service_level"]
    breaches = gaps.filter(pl.col("month").is_between(period.start, period.last_day) & (pl.col("status") == "breach"))
    plans = actions.filter((pl.col("kind") == IMPROVEMENT_PLAN) & (pl.col("raised_on") <= as_of)).select(
        *keys, "closed_on"
    )
    answered = (
        breaches.select(*keys, "month")
        .join(plans, on=keys, how="inner")
        .filter(pl.col("closed_on").is_null() | (pl.col("closed_on") >= pl.col("month")))
        .select(*keys, "month")
        .unique()
    )
    return (
        breaches.join(answered, on=[*keys, "month"], how="anti")
        .select("partner_id", "service_level", "kpi", "channel", "month", "value", "target", "minimum")
        .sort("partner_id", "month", "service_level")
    )


def period_decisions(decisions: pl.LazyFrame, period: Period, as_of: dt.date) -> pl.LazyFrame:
    """The decisions taken from the period's first day to its committee (`as_of`), oldest first."""
    return decisions.filter(pl.col("decided_on").is_between(period.start, as_of)).sort("decided_on", "committee")


def period_comments(comments: pl.LazyFrame, period: Period, as_of: dt.date) -> pl.LazyFrame:
    """The comments on the period's months written by its committee (`as_of`; undated comments count),
    per month, service level, then the provider before the client."""
    written = pl.col("written_on").is_null() | (pl.col("written_on") <= as_of)
    return comments.filter(pl.col("period").is_between(period.start, period.last_day) & written).sort(
        "period", "service_level", pl.col("party") != "provider", "written_on", nulls_last=True
    )
