"""The months each partner is measured on: its contract term against the months the data covers."""

from __future__ import annotations

import polars as pl

from ..core.periods import add_months
from .terms import Contract

__all__ = ["month_grid"]


def month_grid(months: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Partner × month on which a partner is measured: every month from its first month with contacts
    to the last month with contacts in the data (any partner), within its contract term.

    `months` holds `partner_id, month` of the contacts (any number of rows); a month without contacts
    inside that span stays in the grid, where it is *not measurable*.
    """
    ends = pl.LazyFrame(
        {
            "partner_id": [p.id for p in contract.partners],
            "term_last": [add_months(p.end, -1) for p in contract.partners],
        },
        schema={"partner_id": pl.String, "term_last": pl.Date},
    )
    spans = months.group_by("partner_id").agg(pl.col("month").min().alias("first"))
    data_last = months.select(pl.col("month").max().alias("data_last"))
    return (
        spans.join(data_last, how="cross")
        .join(ends, on="partner_id", how="inner")
        .with_columns(pl.min_horizontal("data_last", "term_last").alias("last"))
        .filter(pl.col("first") <= pl.col("last"))
        .select("partner_id", pl.date_ranges("first", "last", interval="1mo").alias("month"))
        .explode("month")
        .sort("partner_id", "month")
    )
