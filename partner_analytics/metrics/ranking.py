"""Which partner and site (or queue) did worst on a KPI in a month: the results per finer scope, ranked
by the KPI's direction (formulas.md §1), for consultants looking for where a breach comes from."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..core.kpis import direction_sign
from ..core.periods import parse_period
from ..io.engagement import Engagement
from .results import kpi_results

__all__ = ["worst_scopes"]


def worst_scopes(
    engagement: Engagement, kpi: str, month: dt.date | str, *, scope: str = "site_id", channel: str | None = None
) -> pl.LazyFrame:
    """Every partner × `scope` (site_id or queue) of the month with its value of the KPI, the worst
    first (lowest when higher is better, highest when lower is better), numbered by `rank` from 1.

    `channel` None ranks the partner-wide rows (channel null: every channel of the site together).
    Rows without a value (not measurable) come last. A KPI with no better direction (a count) is a
    ValueError: nothing is worse.
    """
    sign = direction_sign(kpi)
    if sign == 0:
        raise ValueError(f"{kpi} has no better direction (a count or a share): rank it by hand")
    start = parse_period(month).start if isinstance(month, str) else month
    chosen = (pl.col("kpi") == kpi) & (pl.col("month") == pl.lit(start, dtype=pl.Date))
    chosen &= pl.col("channel").is_null() if channel is None else pl.col("channel") == channel
    return (
        kpi_results(engagement, scope=(scope,))
        .filter(chosen)
        .select("partner_id", scope, "channel", "month", "value", "numerator", "denominator", "note")
        .sort(pl.col("value") * sign, "partner_id", scope, nulls_last=True)
        .with_row_index("rank", offset=1)
    )
