"""The reports' words and number formats, in one place: what each amount of the statement is called,
how a KPI is named, how a value of each unit reads (text, axis title, hover format), dates, statuses.

Charts, HTML tables, sentences, notebooks and the what-if app read them from here, so a label or a
format changes in one place and reads the same in every report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal

from ..core.kpis import KPIS
from ..core.money import format_cents
from .style import STATUS_GLYPHS

__all__ = [
    "AXIS_TITLES",
    "DATE_NAME_FORMAT",
    "DAY_FORMAT",
    "HOVER_FORMATS",
    "MISSING",
    "MONTH_FORMAT",
    "MONTH_NAME_FORMAT",
    "SHORT_DATE_FORMAT",
    "STATEMENT_LABELS",
    "change_text",
    "date_name",
    "day",
    "direction_text",
    "format_unit",
    "format_value",
    "hover_value",
    "is_missing",
    "kpi_label",
    "kpi_unit",
    "month",
    "month_name",
    "number",
    "pack_confidentiality",
    "percent",
    "service_level_label",
    "short_of_target_zone",
    "signed_money",
    "span_text",
    "status_label",
    "term_percent",
    "value_text",
    "yes_no",
]

MISSING = "–"

# The statement's amounts, in the statement's order (`risk.statement.STATEMENT_AMOUNTS`).
STATEMENT_LABELS: dict[str, str] = {
    "charges": "Charges",
    "credits": "Credits",
    "credits_provisional": "of which provisional",
    "earned_back": "Earned back",
    "bonus": "Bonus",
    "corridor_compensation": "Corridor",
    "gain_share": "Gain-share",
    "resource_adjustment": "Resource adjustment",
    "net": "Net",
}

# Per KPI unit: the axis title, and the plotly (d3) format and suffix of a hover value.
AXIS_TITLES: dict[str, str] = {
    "rate": "%",
    "seconds": "seconds",
    "count": "contacts",
    "score_1_5": "score 1–5",
    "score_0_100": "score 0–100",
    "hours": "hours",
    "score_1_7": "score 1–7",
    "score_nps": "NPS (−100 to +100)",
}
HOVER_FORMATS: dict[str, tuple[str, str]] = {
    "rate": (".1%", ""),
    "seconds": (",.1f", " s"),
    "count": (",.0f", ""),
    "score_1_5": (".2f", ""),
    "score_0_100": (".1f", ""),
    "hours": (",.1f", " h"),
    "score_1_7": (".2f", ""),
    "score_nps": ("+.0f", ""),
}

MONTH_FORMAT = "%Y-%m"
DAY_FORMAT = "%Y-%m-%d"
MONTH_NAME_FORMAT = "%B %Y"
DATE_NAME_FORMAT = "%d %B %Y"
SHORT_DATE_FORMAT = "%d %b %Y"


def is_missing(value: float | None) -> bool:
    """No value: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def kpi_label(kpi_name: str, channel: str | None = None) -> str:
    """A KPI as every report names it: its registry label, then the channel (`Service level · voice`)."""
    label = KPIS[kpi_name].label if kpi_name in KPIS else kpi_name
    return f"{label} · {channel}" if channel else label


def service_level_label(key: str) -> str:
    """A service-level key in words: `service_level/voice` as `Service level · voice`."""
    kpi_name, _, channel = key.partition("/")
    return kpi_label(kpi_name, channel or None)


def kpi_unit(kpi_name: str) -> str:
    """The unit of a KPI (a name outside the registry counts contacts)."""
    return KPIS[kpi_name].unit if kpi_name in KPIS else "count"


def direction_text(kpi_name: str) -> str:
    """Which way is better for a KPI: `higher is better`, `lower is better`, or nothing."""
    direction = KPIS[kpi_name].direction if kpi_name in KPIS else "none"
    return {"higher": "higher is better", "lower": "lower is better"}.get(direction, "")


def pack_confidentiality(client: str, partner: str | None) -> str:
    """The confidentiality line of a committee pack's cover: a partner's pack goes to both parties, the
    programme's (`partner` None) to the client only."""
    if partner is None:
        return f"Confidential, {client} only: every partner's figures. Not for distribution to partners."
    return f"Confidential: for the committee of {client} and {partner}. It holds only {partner}'s figures."


def short_of_target_zone(direction: int) -> str:
    """The name of the zone between target and minimum, in the KPI's direction (1: higher is better): a
    lower-is-better KPI falls short of its target above it."""
    return "above-target zone (short of target)" if direction < 0 else "below-target zone (short of target)"


def format_unit(value: float, unit: str) -> str:
    """A value of a KPI unit as a committee reads it: 81.2 %, 34.2 s, 4.21 / 5, 5.80 / 7, 86.0 / 100, +32
    (NPS), 6.5 h, 1,234."""
    if unit == "rate":
        return f"{value * 100:.1f} %"
    if unit == "seconds":
        return f"{value:,.1f} s"
    if unit == "score_1_5":
        return f"{value:.2f} / 5"
    if unit == "score_0_100":
        return f"{value:.1f} / 100"
    if unit == "score_1_7":
        return f"{value:.2f} / 7"
    if unit == "score_nps":
        return f"{value:+.0f}".replace("-", "−")
    if unit == "hours":
        return f"{value:,.1f} h"
    return f"{value:,.0f}"


def format_value(kpi_name: str, value: float | None) -> str:
    """A KPI's value as `format_unit` shows it, or "not measurable"."""
    return "not measurable" if value is None else format_unit(value, kpi_unit(kpi_name))


def value_text(value: float | None, unit: str) -> str:
    """A value of a unit as `format_unit` shows it, a dash when missing (table cells, figures)."""
    return MISSING if is_missing(value) else format_unit(value, unit)  # type: ignore[arg-type]


def change_text(change: float, unit: str) -> str:
    """A signed change of a unit: rates in percentage points, with a true minus sign (`−1.5 pts`)."""
    if unit == "rate":
        text = f"{change * 100:+.1f} pts"
    elif unit == "seconds":
        text = f"{change:+,.1f} s"
    else:
        text = f"{change:+,.2f}" if unit in ("score_1_5", "score_1_7") else f"{change:+,.1f}"
    return text.replace("-", "−")


def hover_value(unit: str, axis: str = "y") -> str:
    """The plotly hover template of a value of a unit on an axis: `%{y:.1%}`, `%{y:,.1f} s`."""
    fmt, suffix = HOVER_FORMATS[unit]
    return f"%{{{axis}:{fmt}}}{suffix}"


def percent(value: float | None) -> str:
    """A fraction as a percentage to one decimal (`81.2 %`), a dash when missing."""
    return MISSING if value is None else f"{value * 100:.1f} %"


def term_percent(value: Decimal | float) -> str:
    """A contract fraction as a percentage, exact to two decimals without trailing zeros (`12.5 %`)."""
    text = f"{Decimal(str(value)) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


def number(value: float | None) -> str:
    """A count as `1,234`, another number to two decimals, a dash when missing."""
    if value is None:
        return MISSING
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def signed_money(cents: int, currency: str = "") -> str:
    """An amount with its sign, a true minus: `+1,234.00 EUR`, `−12.50 EUR`, `0.00 EUR`."""
    text = format_cents(abs(cents), currency)
    return f"+{text}" if cents > 0 else f"−{text}" if cents < 0 else text


def yes_no(value: bool | None) -> str:
    return MISSING if value is None else ("yes" if value else "no")


def day(value: dt.date | None) -> str:
    """A date as `2025-03-14`, a dash when missing."""
    return MISSING if value is None else f"{value:{DAY_FORMAT}}"


def month(value: dt.date | None) -> str:
    """A month as `2025-03`, a dash when missing."""
    return MISSING if value is None else f"{value:{MONTH_FORMAT}}"


def month_name(value: dt.date) -> str:
    """A month in words: `March 2025`."""
    return f"{value:{MONTH_NAME_FORMAT}}"


def date_name(value: dt.date) -> str:
    """A date in words: `14 March 2026`."""
    return f"{value:{DATE_NAME_FORMAT}}"


def span_text(months: Sequence[dt.date]) -> str:
    """The months spanned: `2025-01 to 2025-03`, or the one month."""
    first, last = min(months), max(months)
    return month(first) if first == last else f"{month(first)} to {month(last)}"


def status_label(status: str | None) -> str:
    """A status with its glyph (the charts' marker as text), so it reads without colour: `✖ breach`."""
    return MISSING if status is None else f"{STATUS_GLYPHS.get(status, '')} {status}".strip()
