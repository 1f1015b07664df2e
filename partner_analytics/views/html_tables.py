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

from ..core.money import format_cents
from .wording import MISSING, day, format_value, month, service_level_label, status_label, yes_no

__all__ = [
    "HTML",
    "bullets",
    "kpi_value",
    "markdown_text",
    "money",
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
    return lambda cents: format_cents(cents, currency)


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


def table(
    frame: pl.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    formats: Mapping[str, Callable[..., str]] | None = None,
    empty: str = "Nothing to show.",
    caption: str | None = None,
) -> HTML:
    """An HTML table of `frame`: `columns` maps the columns to show to their headers, `formats` a
    column to a formatter (one argument: the value; two: the value and the row)."""
    if frame.is_empty():
        return HTML(f'<p class="pa-empty"><em>{html.escape(empty)}</em></p>')
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
                    text = shown(value) if isinstance(value, dt.date) else str(value)
            else:
                text = fmt(value, row) if name in with_row else fmt(value)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else (' class="date"' if isinstance(value, dt.date) else "")
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<table class="pa-table">{title}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


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
