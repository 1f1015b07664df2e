"""Tables and text as a committee reads them in a report: formatted, escaped HTML.

Every value from the data is escaped, so a partner name or an action title holding markup is shown,
never run. Amounts are integer cents in the tables and shown to the cent with the currency; rates
as percentages.
"""

from __future__ import annotations

import datetime as dt
import html
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from ..core.periods import parse_period
from .language import _
from .wording import (
    MISSING,
    code_name,
    dataset_names,
    day,
    format_value,
    money_text,
    month,
    party_name,
    period_name,
    service_level_label,
    status_label,
    yes_no,
)

__all__ = [
    "HTML",
    "bullets",
    "datasets",
    "heading",
    "kpi_value",
    "markdown_text",
    "money",
    "party",
    "period",
    "service_level",
    "service_levels",
    "status",
    "table",
    "title",
]


class HTML:
    """A piece of HTML that notebooks display as such (IPython calls `_repr_html_`)."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


Formatter = Callable[[Any], str]


def money(currency: str) -> Formatter:
    """A formatter of amounts in cents, in the report's language (`1,234.56 EUR`, `1 234,56 €`)."""
    return lambda cents: money_text(cents, currency)


def kpi_value(kpi_column: str = "kpi") -> Callable[[Any, Mapping[str, Any]], str]:
    """A formatter of KPI values that reads the KPI of the row (for tables mixing KPIs)."""
    return lambda value, row: format_value(row[kpi_column], value)


def service_level(key: str) -> str:
    """A cell's service-level key in words (`wording.service_level_label`)."""
    return service_level_label(key)


def service_levels(keys: str | None) -> str:
    """Service-level keys as words: `fcr, service_level/voice` as `First-contact resolution, Service level · voice`."""
    if not keys:
        return MISSING
    return ", ".join(service_level(key.strip()) for key in keys.split(","))


def status(value: str | None) -> str:
    """A cell's status with its glyph (`wording.status_label`)."""
    return status_label(value)


def party(value: str | None) -> str:
    """A cell's party (`client`, `provider`) in words."""
    return party_name(value)


def period(value: str | None) -> str:
    """A cell's period (`2026-Q3`, `2026-09`) in words (`Q3 2026`, `September 2026`)."""
    return MISSING if not value else period_name(parse_period(value))


def datasets(value: str | None) -> str:
    """A cell's datasets (`reported_kpis, staffing`) by name (`wording.dataset_names`)."""
    return dataset_names(value)


def table(
    frame: pl.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    formats: Mapping[str, Callable[..., str]] | None = None,
    empty: str | None = None,
    caption: str | None = None,
) -> HTML:
    """An HTML table of `frame`: `columns` maps the columns to show to their headers, `formats` a
    column to a formatter (one argument: the value; two: the value and the row). A cell without a formatter
    shows a date in the report's date format and a code word of the tables (status, party…) by name."""
    if frame.is_empty():
        said = empty or _("Nothing to show.")
        return HTML(f'<p class="pa-empty"><em>{html.escape(said)}</em></p>')
    columns = dict(columns or {c: c for c in frame.columns})
    formats = dict(formats or {})
    with_row = {name for name, fmt in formats.items() if len(inspect.signature(fmt).parameters) == 2}
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    rows = []
    for row in frame.iter_rows(named=True):
        cells = []
        for name in columns:
            value = row[name]
            fmt = formats.get(name)
            if fmt is None:
                shown = month if name == "month" else day
                if value is None:
                    text = MISSING
                elif isinstance(value, bool):
                    text = yes_no(value)
                else:
                    text = shown(value) if isinstance(value, dt.date) else code_name(str(value))
            else:
                text = fmt(value, row) if name in with_row else fmt(value)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else (' class="date"' if isinstance(value, dt.date) else "")
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<table class="pa-table">{title}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def heading(text: str, level: int = 2, *, anchor: str = "") -> HTML:
    """A section heading of a report (`<h2>`), escaped: notebooks show their headings with it, so that they are
    written in the report's language (a markdown cell would not be); `anchor`: its id, for a link to it."""
    where = f' id="{html.escape(anchor)}"' if anchor else ""
    return HTML(f"<h{level}{where}>{html.escape(text)}</h{level}>")


def title(text: str, subtitle: str | list[str] | None = None) -> HTML:
    """The report's title and under it a line, or short bullets (a list), escaped."""
    if isinstance(subtitle, list):
        items = "".join(f"<li>{html.escape(item)}</li>" for item in subtitle)
        under = f'<ul class="pa-subtitle">{items}</ul>' if subtitle else ""
    else:
        under = f'<p class="pa-subtitle">{html.escape(subtitle)}</p>' if subtitle else ""
    return HTML(f"<h1>{html.escape(text)}</h1>{under}")


def markdown_text(text: str) -> HTML:
    """A sentence built from the data (names, titles), escaped, shown as a paragraph."""
    return HTML(f"<p>{html.escape(text)}</p>")


def bullets(items: list[str]) -> HTML:
    """A bulleted list of sentences built from the data, escaped."""
    return HTML("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")
