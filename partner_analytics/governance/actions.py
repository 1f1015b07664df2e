"""The committees' action log at a period end (formulas.md §8): open, overdue, closed, days to close."""

from __future__ import annotations

import datetime as dt

import polars as pl

__all__ = ["action_figures", "open_actions"]


def _open_at(last_day: pl.Expr) -> pl.Expr:
    return (pl.col("raised_on") <= last_day) & (pl.col("closed_on").is_null() | (pl.col("closed_on") > last_day))


def action_figures(actions: pl.LazyFrame, months: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner × owner party × month (`months`: partner_id, month): the figures at the month's last day.

    open: raised by then and not closed; overdue: open with `due_on` before that day; closed: closed
    within the month; median_days_to_close: of the actions closed within the month.
    """
    last_day = pl.col("month").dt.month_end()
    start = pl.col("month")
    grid = months.join(actions.select(pl.col("owner_party").unique()), how="cross")
    joined = grid.join(actions, on=["partner_id", "owner_party"], how="left")
    is_open = _open_at(last_day)
    closed = pl.col("closed_on").is_between(start, last_day)
    return (
        joined.group_by("partner_id", "owner_party", "month")
        .agg(
            is_open.sum().cast(pl.Int64).alias("open"),
            (is_open & (pl.col("due_on") < last_day)).sum().cast(pl.Int64).alias("overdue"),
            closed.sum().cast(pl.Int64).alias("closed"),
            (pl.col("closed_on") - pl.col("raised_on"))
            .dt.total_days()
            .filter(closed)
            .median()
            .alias("median_days_to_close"),
        )
        .sort("partner_id", "month", "owner_party")
    )


def open_actions(actions: pl.LazyFrame, last_day: dt.date) -> pl.LazyFrame:
    """The actions open on `last_day`, overdue first, with days overdue."""
    day = pl.lit(last_day)
    return (
        actions.filter(_open_at(day))
        .with_columns(
            (pl.col("due_on") < day).fill_null(False).alias("overdue"),
            pl.when(pl.col("due_on") < day).then((day - pl.col("due_on")).dt.total_days()).alias("days_overdue"),
        )
        .sort(["overdue", "due_on"], descending=[True, False], nulls_last=True)
    )
