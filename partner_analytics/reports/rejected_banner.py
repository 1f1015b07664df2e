"""The banner a report opens with when rows of its period's data were rejected: how many, from which
tables, and where they are listed, so that nobody reads the figures as complete."""

from __future__ import annotations

import html

import polars as pl

from ..core.periods import Period
from ..views.html_tables import HTML

__all__ = ["REJECTED_TABLE", "rejected_banner", "rejected_counts"]

REJECTED_TABLE = "tables/rejected.parquet"
"""Where a committee cycle keeps every rejected row (relative to the cycle's folder)."""

_STYLE = (
    "border-left: 4px solid #cf222e; background: #ffebe9; color: #1f2328; padding: 8px 12px; "
    "margin: 0.5em 0 1em; max-width: 62em;"
)


def rejected_counts(rejected: pl.DataFrame) -> dict[str, int]:
    """Rows rejected per table (a row rejected for several reasons counts once), by table name."""
    rows = rejected.unique(["table", "row"]).group_by("table").len().sort("table")
    return dict(rows.iter_rows())


def rejected_banner(rejected: pl.DataFrame, period: Period, *, section: str = "") -> HTML:
    """A warning naming how many rows of the period's data were rejected and from which tables, pointing to the
    rejected table (and to the report's `section` anchor that lists them, when it has one); empty when none was."""
    counts = rejected_counts(rejected)
    if not counts:
        return HTML("")
    total = sum(counts.values())
    tables = ", ".join(f"{html.escape(t)}: {n:,}" for t, n in counts.items())
    rows = "1 row" if total == 1 else f"{total:,} rows"
    listed = f'listed <a href="#{html.escape(section)}">below</a> and ' if section else ""
    return HTML(
        f'<div class="pa-rejected" role="note" style="{_STYLE}"><strong>{rows} of the data of {period} '
        f"{'was' if total == 1 else 'were'} rejected</strong> ({tables}) and {'is' if total == 1 else 'are'} "
        f"left out of this report. {'It is' if total == 1 else 'They are'} {listed}in the rejected table, with "
        f"the reason for each: <code>{REJECTED_TABLE}</code> in the committee cycle's folder "
        "(<code>partner-analytics check</code> lists them too).</div>"
    )
