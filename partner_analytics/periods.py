"""Periods: months, quarters, committee cycles, and the months each partner is measured on."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import polars as pl

from .contract import Contract, add_months

__all__ = ["Period", "month_grid", "months_in", "parse_period", "quarter_label", "shift_months"]


@dataclass(frozen=True)
class Period:
    """A committee cycle: a month (`2026-09`, operational) or a quarter (`2026-Q3`, strategic)."""

    kind: Literal["month", "quarter"]
    start: dt.date
    months: int

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return add_months(self.start, self.months)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def month_starts(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(self.months)]

    @property
    def label(self) -> str:
        return quarter_label(self.start) if self.kind == "quarter" else f"{self.start:%Y-%m}"

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """`2026-09` (a month) or `2026-Q3` (a quarter); anything else is a ValueError saying so."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text.strip()):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period("month", dt.date(year, month, 1), 1)
    if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text.strip()):
        return Period("quarter", dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), 3)
    raise ValueError(f"period {text!r}: expected a month YYYY-MM (e.g. 2026-09) or a quarter YYYY-QN (e.g. 2026-Q3)")


def quarter_label(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def shift_months(month: pl.Expr, months: int | pl.Expr) -> pl.Expr:
    """A month (Date) moved by a number of months (an int or an integer expression)."""
    by = pl.format("{}mo", months) if isinstance(months, pl.Expr) else f"{months}mo"
    return month.dt.offset_by(by)


def months_in(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month start from `first` to `last` included."""
    out, month = [], dt.date(first.year, first.month, 1)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


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
