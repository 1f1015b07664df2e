"""Periods: months, quarters and committee cycles, and month arithmetic on dates and expressions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import polars as pl

__all__ = ["Period", "add_months", "months_between", "months_in", "parse_period", "quarter_label", "shift_months"]


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
        raise ValueError(f"period {text!r}: month {month} does not exist (expected a month 01 to 12, e.g. 2026-09)")
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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (day clipped to the month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def months_between(first: dt.date, second: dt.date) -> int:
    """Whole calendar months from the month of `first` to the month of `second`."""
    return (second.year - first.year) * 12 + second.month - first.month
