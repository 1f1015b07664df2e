"""The data-quality gate: how much of each table was rejected, what rejected most of it (with the fix
when the reason says it), and whether that is too much to compute from.

A row-level problem never stops the load, so a table whose every row is rejected for one reason
(day-first dates in a table read as ISO) would otherwise go on silently empty. These figures let
`check` say so at the level of the file, and exit non-zero when a table is mostly rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from ..core.schema import TABLES
from .engagement import Engagement
from .summary import EngagementSummary

__all__ = ["TableQuality", "quality_failures", "table_quality"]

_DAY_MONTH = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T](\d{1,2}:\d{2})(:\d{2})?)?\s*$")


@dataclass(frozen=True)
class TableQuality:
    """One table's rows read and rejected, and its main reason: the column and an example of the reason
    that rejected the most rows (`count` of them), with the fix when the values show it."""

    table: str
    file: str
    rows: int
    rejected: int
    column: str | None = None
    reason: str | None = None
    count: int = 0
    fix: str | None = None

    @property
    def share(self) -> float:
        """The share of the rows read that were rejected (0 for a table without rows)."""
        return self.rejected / self.rows if self.rows else 0.0

    @property
    def cause(self) -> str | None:
        """The main reason: how many rows, which column, an example of the reason, and the fix if known."""
        if not self.count:
            return None
        column = f" for {self.column}" if self.column else ""
        fix = f"; {self.fix}" if self.fix else ""
        return f"{self.count:,}{column}: {self.reason}{fix}"

    @property
    def diagnosis(self) -> str | None:
        """One line when one reason rejects at least half of the rows read."""
        if not self.rows or 2 * self.count < self.rows:
            return None
        return f"{self.rejected:,} of {self.rows:,} rows rejected, {self.cause}"


def table_quality(engagement: Engagement, summary: EngagementSummary) -> list[TableQuality]:
    """Per table of the engagement (in the data contract's order): its quality figures."""
    first_reason = pl.col("reason").str.split(" (also ").list.first()
    shape = first_reason.str.replace_all(r"'[^']*'", "'…'").str.replace_all(r"\d+", "N")
    quoted = pl.col("reason").str.extract_all(r"'[^']*'").list.eval(pl.element().str.strip_chars("'"))
    main = (
        summary.rejected.group_by("table", "column", shape.alias("shape"))
        .agg(
            pl.len().alias("count"),
            first_reason.first().alias("reason"),
            quoted.head(100).list.explode(keep_nulls=False, empty_as_null=False).alias("values"),
        )
        .sort("count", "table", "column", descending=[True, False, False], nulls_last=True)
        .unique("table", keep="first", maintain_order=True)
    )
    reasons = {r["table"]: r for r in main.iter_rows(named=True)}
    out = []
    for r in summary.rows.iter_rows(named=True):
        name = r["table"]
        top = reasons.get(name)
        files = ", ".join(str(sf.path) for sf in engagement.sources[name])
        read = (name, files, r["valid"] + r["rejected"], r["rejected"])
        if top is None:
            out.append(TableQuality(*read))
            continue
        fix = _fix(name, top["column"], top["reason"], top["values"])
        out.append(TableQuality(*read, top["column"], top["reason"], top["count"], fix))
    order = list(TABLES)
    return sorted(out, key=lambda q: order.index(q.table))


def quality_failures(qualities: list[TableQuality], max_rejected_share: float) -> list[str]:
    """The tables not fit to compute from, one line each: a required table without a valid row, or a
    table whose rejected share is above `max_rejected_share`."""
    failures = []
    for q in qualities:
        empty = TABLES[q.table].required and q.rows and q.rejected == q.rows
        if not (empty or q.share > max_rejected_share):
            continue
        why = (
            f"no valid row (the {q.table} table is required)"
            if empty and q.share <= max_rejected_share
            else f"more than the {max_rejected_share:.0%} allowed (--max-rejected-share)"
        )
        failures.append(f"{q.file}: {q.rejected:,} of {q.rows:,} rows rejected ({q.share:.0%}), {why}; {q.cause}")
    return failures


def _fix(table: str, column: str | None, reason: str, values: list[str | None]) -> str | None:
    """What to set in contract.yaml, when the rejected values show it."""
    where = f"under sources.{table} in contract.yaml"
    if reason.startswith("cannot read") and column is not None:
        kind = TABLES[table].column(column).kind
        if kind in ("date", "month", "datetime"):
            return _date_fix(kind, [v for v in values if v is not None], where)
        if kind in ("float", "int") and "decimal comma?" in reason:
            return f"numbers look written with a decimal comma: set `decimal_comma: true` {where}"
    return None


def _date_fix(kind: str, values: list[str], where: str) -> str | None:
    """`date_format` / `datetime_format` for dates written 31/01/2026 (or 01/31/2026) and read as ISO."""
    found = [m for m in (_DAY_MONTH.match(v) for v in values) if m]
    if not found or len(found) < len(values) / 2:
        return None
    day_first = [f for f in found if int(f[1]) > 12]
    month_first = [f for f in found if int(f[3]) > 12]
    m = (day_first or month_first or found)[0]
    sep, year = m[2], "%Y" if len(m[4]) == 4 else "%y"
    clock = (" %H:%M" + (":%S" if m[6] else "")) if m[5] else ""
    key = "datetime_format" if kind == "datetime" else "date_format"
    formats = {
        "day-first": f"%d{sep}%m{sep}{year}{clock}",
        "month-first": f"%m{sep}%d{sep}{year}{clock}",
    }
    if bool(day_first) != bool(month_first):
        order = "day-first" if day_first else "month-first"
        return f"dates look {order} ({m[0].strip()}): set `{key}: '{formats[order]}'` {where}"
    return (
        f"dates are written {m[0].strip()}, day or month first: set `{key}: '{formats['day-first']}'` "
        f"(or '{formats['month-first']}') {where}"
    )
