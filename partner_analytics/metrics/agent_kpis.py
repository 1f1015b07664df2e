"""The KPIs of the agents roster (formulas.md §1): attrition, schedule adherence, shrinkage and training
hours per agent, per partner × month (partner-wide: the roster has no channel).

One roster row is one agent on a partner's roster in a month. Each KPI is a ratio of sums over the
month's rows; a KPI whose column the file lacks is not measurable, with a note naming the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .result_rows import not_measurable, ratio_rows

__all__ = ["AGENT_KPIS", "agent_results"]

_ROW = ("kpi", "value", "numerator", "denominator", "incomplete", "note")

_c = pl.col
_headcount = _c("agent_id").n_unique()


def _both(summed: str, other: str) -> pl.Expr:
    """Σ `summed` over the rows where `other` is given too."""
    return _c(summed).filter(_c(summed).is_not_null() & _c(other).is_not_null()).sort().sum()


AGENT_KPIS: dict[str, tuple[tuple[str, ...], pl.Expr, pl.Expr]] = {
    # leavers (end_date within the month) / agents on the month's roster
    "attrition": (
        ("end_date",),
        _c("agent_id").filter(_c("end_date").dt.truncate("1mo") == _c("month")).n_unique(),
        _headcount,
    ),
    # Σ adherent_minutes / Σ scheduled_minutes, over the rows giving both
    "schedule_adherence": (
        ("scheduled_minutes", "adherent_minutes"),
        _both("adherent_minutes", "scheduled_minutes"),
        _both("scheduled_minutes", "adherent_minutes"),
    ),
    # (Σ paid_minutes − Σ scheduled_minutes) / Σ paid_minutes over the rows giving both: paid time
    # not scheduled on contacts
    "shrinkage": (
        ("paid_minutes", "scheduled_minutes"),
        _both("paid_minutes", "scheduled_minutes") - _both("scheduled_minutes", "paid_minutes"),
        _both("paid_minutes", "scheduled_minutes"),
    ),
    # Σ training_hours / agents on the month's roster
    "training_hours": (("training_hours",), _c("training_hours").sort().sum(), _headcount),
}
"""Per agents KPI: the columns it reads, its numerator and its denominator over a partner × month's rows."""


def agent_results(agents: pl.LazyFrame, present: frozenset[str], *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """The agents KPIs per partner × month (channel null), from the roster's rows; `present` holds the
    columns the file has (a KPI on an absent column is not measurable)."""
    keys = ["partner_id", "month"]
    months = agents.select(*keys).unique().with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    parts = []
    for name, (columns, numerator, denominator) in AGENT_KPIS.items():
        lacking = [c for c in columns if c not in present]
        if lacking:
            grid = months.with_columns(pl.lit(None, dtype=pl.String).alias(s) for s in scope)
            parts.append(not_measurable(grid, name, f"agents have no {lacking[0]} column"))
            continue
        sums = agents.group_by(keys).agg(
            numerator.cast(pl.Float64).alias("numerator"), denominator.cast(pl.Float64).alias("denominator")
        )
        parts.append(ratio_rows(sums.with_columns(pl.lit(None, dtype=pl.String).alias("channel")), name, scope))
    columns = ["partner_id", "channel", *scope, "month", *_ROW]
    return pl.concat([p.select(columns) for p in parts], how="vertical")
