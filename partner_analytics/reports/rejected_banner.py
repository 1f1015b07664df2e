"""The banner a report opens with when rows of its period's data were rejected: how many, from which
tables, and where they are listed, so that nobody reads the figures as complete."""

from __future__ import annotations

import html

import polars as pl

from ..core.periods import Period
from ..views.html_tables import HTML
from ..views.language import _, ngettext
from ..views.wording import dataset_names, number, period_name

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
    tables = ", ".join(
        html.escape(_("{table}: {n}").format(table=dataset_names(t), n=number(n))) for t, n in counts.items()
    )
    headline = ngettext(
        "{n} row of the data of {period} was rejected",
        "{n} rows of the data of {period} were rejected",
        total,
    ).format(n=number(total), period=period_name(period))
    left_out = ngettext("It is left out of this report.", "They are left out of this report.", total)
    if section:
        word = html.escape(_("below"))
        below = f'<a href="#{html.escape(section)}">{word}</a>'
        listed = html.escape(
            ngettext(
                "It is listed {below} and in the rejected table, with the reason:",
                "They are listed {below} and in the rejected table, with the reason for each:",
                total,
            )
        ).format(below=below)
    else:
        listed = html.escape(
            ngettext(
                "It is in the rejected table, with the reason:",
                "They are in the rejected table, with the reason for each:",
                total,
            )
        )
    where = html.escape(_("{file} in the committee cycle's folder ({command} lists them too).")).format(
        file=f"<code>{REJECTED_TABLE}</code>", command="<code>partner-analytics check</code>"
    )
    return HTML(
        f'<div class="pa-rejected" role="note" style="{_STYLE}"><strong>{html.escape(headline)}</strong> '
        f"({tables}). {html.escape(left_out)} {listed} {where}</div>"
    )
