"""Measurement periods (formulas.md §2.2): a service level measured over more than its month.

A service level's `measurement_period` is `month` (the default: each month alone), `quarter` (the
months of the calendar quarter so far, assessed — status and credit — in the quarter's last month
only), `year_to_date` (the calendar year's months so far) or `rolling` (the last `rolling_months`
months). The value over a period is Σ numerator / Σ denominator of its months (a ratio of the sums,
not an average of the monthly ratios); `measured_from` says where the period starts (it ends with
the row's month).
"""

from __future__ import annotations

import polars as pl

from ..core.periods import shift_months

__all__ = ["with_measurement_periods"]

_SERIES = ["partner_id", "service_level"]


def _period_sums(column: str, windows: list[int]) -> pl.Expr:
    """Σ `column` over each row's period (nulls count 0), rows sorted by series and month."""
    c = pl.col(column).fill_null(0)
    period = pl.col("measurement_period")
    month = pl.col("month")
    total = c
    total = pl.when(period == "quarter").then(c.cum_sum().over([*_SERIES, month.dt.truncate("1q")])).otherwise(total)
    year = c.cum_sum().over([*_SERIES, month.dt.truncate("1y")])
    total = pl.when(period == "year_to_date").then(year).otherwise(total)
    for n in windows:
        rolling = c.rolling_sum(window_size=n, min_samples=1).over(_SERIES)
        total = pl.when((period == "rolling") & (pl.col("rolling_months") == n)).then(rolling).otherwise(total)
    return total


def with_measurement_periods(frame: pl.LazyFrame, windows: list[int]) -> pl.LazyFrame:
    """`frame` (gaps being built: partner_id, service_level, month on the grid, value, note, numerator,
    denominator, measurement_period, rolling_months; sorted by series and month) with the value and note
    over each row's period, `measured_from` and `assessed` (false for a quarter's first two months).
    `windows` are the contract's rolling lengths."""
    period = pl.col("measurement_period")
    month = pl.col("month")
    monthly = period == "month"
    first = month.min().over(_SERIES)
    start = (
        pl.when(period == "quarter")
        .then(month.dt.truncate("1q"))
        .when(period == "year_to_date")
        .then(month.dt.truncate("1y"))
        .when(period == "rolling")
        .then(shift_months(month, 1 - pl.col("rolling_months").fill_null(1)))
        .otherwise(month)
    )
    num, den = _period_sums("numerator", windows), _period_sums("denominator", windows)
    in_period = pl.when(den > 0).then(num / den)
    assessed = (period != "quarter") | (month.dt.month() % 3 == 0)
    last_of_quarter = month.dt.truncate("1q").dt.offset_by("2mo").dt.strftime("%Y-%m")
    quarter_note = pl.format("measured over the quarter: assessed in {}", last_of_quarter)
    note = (
        pl.when(~assessed)
        .then(quarter_note)
        .when(in_period.is_null())
        .then(pl.lit("no data for this KPI in the period"))
        .otherwise(None)
    )
    return frame.with_columns(
        pl.when(monthly).then(month).otherwise(pl.max_horizontal(start, first)).alias("measured_from"),
        pl.when(monthly).then(pl.col("value")).otherwise(in_period).alias("value"),
        pl.when(monthly).then(pl.col("note")).otherwise(note).alias("note"),
        assessed.alias("assessed"),
    )
