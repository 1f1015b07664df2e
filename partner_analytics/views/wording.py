"""The reports' words and number formats, in one place: what each amount of the statement is called,
how a KPI is named, how a value of each unit reads (text, axis title, hover format), dates, statuses,
in the report's language (`views.language`: English or French; numbers, money and dates by babel).

Charts, HTML tables, sentences, notebooks and the what-if app read them from here, so a label or a
format changes in one place and reads the same in every report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from ..core.kpis import KPIS
from ..core.periods import Period
from .language import N_, Translated, _, babel_locale, current_language
from .style import STATUS_GLYPHS

__all__ = [
    "AXIS_TITLES",
    "CHANNEL_NAMES",
    "COMMITTEE_NAMES",
    "DATASET_NAMES",
    "DATE_PATTERN",
    "HOVER_FORMATS",
    "MISSING",
    "MONTH_NAME_FORMAT",
    "MONTH_PATTERN",
    "PARTY_NAMES",
    "STATEMENT_LABELS",
    "STATUS_NAMES",
    "change_text",
    "channel_name",
    "code_name",
    "dataset_names",
    "date_name",
    "day",
    "decimal_text",
    "direction_text",
    "format_unit",
    "format_value",
    "hover_value",
    "is_missing",
    "kpi_label",
    "kpi_name",
    "kpi_unit",
    "money_text",
    "month",
    "month_name",
    "number",
    "pack_confidentiality",
    "party_name",
    "percent",
    "period_name",
    "service_level_label",
    "short_of_target_zone",
    "signed_money",
    "span_text",
    "status_label",
    "status_name",
    "term_percent",
    "value_text",
    "whole_percent",
    "yes_no",
]

MISSING = "–"

# The statement's amounts, in the statement's order (`risk.statement.STATEMENT_AMOUNTS`).
STATEMENT_LABELS = Translated(
    {
        "charges": N_("Charges"),
        "credits": N_("Credits"),
        "credits_provisional": N_("of which provisional"),
        "earned_back": N_("Earned back"),
        "bonus": N_("Bonus"),
        "corridor_compensation": N_("Corridor"),
        "gain_share": N_("Gain-share"),
        "resource_adjustment": N_("Resource adjustment"),
        "net": N_("Net"),
    }
)

# Per KPI unit: the axis title, and the plotly (d3) format and suffix of a hover value.
AXIS_TITLES = Translated(
    {
        "rate": "%",
        "seconds": N_("seconds"),
        "count": N_("contacts"),
        "score_1_5": N_("score 1–5"),
        "score_0_100": N_("score 0–100"),
        "hours": N_("hours"),
        "score_1_7": N_("score 1–7"),
        "score_nps": N_("NPS (−100 to +100)"),
    }
)
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

# The names a report shows for the values of the tables' code columns (never the raw id).
STATUS_NAMES = Translated(
    {
        "met": N_("met"),
        "below target": N_("below target"),
        "breach": N_("breach"),
        "excused": N_("excused"),
        "not measurable": N_("not measurable"),
        "better": N_("better"),
        "worse": N_("worse"),
        "unchanged": N_("unchanged"),
        "open": N_("open"),
        "overdue": N_("overdue"),
        "closed": N_("closed"),
        "not_started": N_("not started"),
        "in_progress": N_("in progress"),
        "done": N_("done"),
        "final": N_("final"),
        "provisional": N_("provisional"),
        "earned back": N_("earned back"),
        "earned_back": N_("earned back"),
    }
)
PARTY_NAMES = Translated({"client": N_("client"), "provider": N_("provider"), "joint": N_("joint")})
COMMITTEE_NAMES = Translated({"operational": N_("operational committee"), "strategic": N_("strategic committee")})
CHANNEL_NAMES = Translated({"voice": N_("voice"), "email": N_("email"), "chat": N_("chat")})
DATASET_NAMES = Translated(
    {
        "contract": N_("contract"),
        "contacts": N_("contacts"),
        "staffing": N_("staffing"),
        "quality": N_("quality evaluations"),
        "reported_kpis": N_("reported KPIs"),
        "forecasts": N_("forecasts"),
        "invoices": N_("invoices"),
        "actions": N_("action log"),
        "deliveries": N_("data deliveries"),
        "reversibility": N_("exit checklist"),
        "agents": N_("agents"),
        "relief": N_("relief events"),
        "intervals": N_("interval volumes"),
    }
)

# One date format per language (babel patterns, CLDR): `1 Jul 2027`, `1 juil. 2027`; a month `Jul 2027`.
DATE_PATTERN = "d MMM y"
MONTH_PATTERN = "MMM y"
# The month of a chart's hover (plotly's d3 format, in the figure's plotly locale): `March 2026`, `Mars 2026`.
MONTH_NAME_FORMAT = "%B %Y"

# Between a number and its unit: a space in English (`81.2 %`), a no-break space in French (`81,2 %`).
_UNIT_SPACE = {"en": " ", "fr": "\u00a0"}


def is_missing(value: float | None) -> bool:
    """No value: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimal_text(value: float | Decimal, digits: int = 0, *, signed: bool = False, grouped: bool = True) -> str:
    """A number to `digits` decimals in the report's language (`1,234.5`, `1 234,5`), rounded as Python rounds
    (the nearest of the binary value), a true minus sign, a plus when `signed`."""
    places = "." + "0" * digits if digits else ""
    body = ("#,##0" if grouped else "0") + places
    pattern = f"+{body};-{body}" if signed else body
    rounded = round(value, digits) if isinstance(value, float) else value
    text = format_decimal(rounded, format=pattern, locale=babel_locale(current_language()))
    return text.replace("-", "−")


def _unit(text: str, unit: str) -> str:
    return f"{text}{_UNIT_SPACE[current_language()]}{unit}"


def channel_name(channel: str) -> str:
    """A channel in words (`voice`, `voix`); a channel of the contract without a name reads as written."""
    return CHANNEL_NAMES[channel] if channel in CHANNEL_NAMES else channel


def kpi_name(kpi: str) -> str:
    """A KPI's registry label in the report's language (a name outside the registry as written)."""
    return _(KPIS[kpi].label) if kpi in KPIS else kpi


def kpi_label(kpi: str, channel: str | None = None) -> str:
    """A KPI as every report names it: its registry label, then the channel (`Service level · voice`)."""
    label = kpi_name(kpi)
    return f"{label} · {channel_name(channel)}" if channel else label


def service_level_label(key: str) -> str:
    """A service-level key in words: `service_level/voice` as `Service level · voice`."""
    kpi, _sep, channel = key.partition("/")
    return kpi_label(kpi, channel or None)


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI (a name outside the registry counts contacts)."""
    return KPIS[kpi].unit if kpi in KPIS else "count"


def direction_text(kpi: str) -> str:
    """Which way is better for a KPI: `higher is better`, `lower is better`, or nothing."""
    direction = KPIS[kpi].direction if kpi in KPIS else "none"
    return {"higher": _("higher is better"), "lower": _("lower is better")}.get(direction, "")


def pack_confidentiality(client: str, partner: str | None) -> str:
    """The confidentiality line of a committee pack's cover: a partner's pack goes to both parties, the
    programme's (`partner` None) to the client only."""
    if partner is None:
        return _("Confidential, {client} only: every partner's figures. Not for distribution to partners.").format(
            client=client
        )
    return _("Confidential: for the committee of {client} and {partner}. It holds only {partner}'s figures.").format(
        client=client, partner=partner
    )


def short_of_target_zone(direction: int) -> str:
    """The name of the zone between target and minimum, in the KPI's direction (1: higher is better): a
    lower-is-better KPI falls short of its target above it."""
    return _("above-target zone (short of target)") if direction < 0 else _("below-target zone (short of target)")


def format_unit(value: float, unit: str) -> str:
    """A value of a KPI unit as a committee reads it: 81.2 %, 34.2 s, 4.21 / 5, 5.80 / 7, 86.0 / 100, +32
    (NPS), 6.5 h, 1,234 (in French: 81,2 %, 1 234)."""
    if unit == "rate":
        return _unit(decimal_text(value * 100, 1), "%")
    if unit == "seconds":
        return _unit(decimal_text(value, 1), "s")
    if unit == "score_1_5":
        return _unit(decimal_text(value, 2), "/ 5")
    if unit == "score_0_100":
        return _unit(decimal_text(value, 1), "/ 100")
    if unit == "score_1_7":
        return _unit(decimal_text(value, 2), "/ 7")
    if unit == "score_nps":
        return decimal_text(value, 0, signed=True)
    if unit == "hours":
        return _unit(decimal_text(value, 1), "h")
    return decimal_text(value, 0)


def format_value(kpi: str, value: float | None) -> str:
    """A KPI's value as `format_unit` shows it, or "not measurable"."""
    return _("not measurable") if value is None else format_unit(value, kpi_unit(kpi))


def value_text(value: float | None, unit: str) -> str:
    """A value of a unit as `format_unit` shows it, a dash when missing (table cells, figures)."""
    return MISSING if is_missing(value) else format_unit(value, unit)  # type: ignore[arg-type]


def change_text(change: float, unit: str) -> str:
    """A signed change of a unit: rates in percentage points, with a true minus sign (`−1.5 pts`)."""
    if unit == "rate":
        return _unit(decimal_text(change * 100, 1, signed=True), _("pts"))
    if unit == "seconds":
        return _unit(decimal_text(change, 1, signed=True), "s")
    return decimal_text(change, 2 if unit in ("score_1_5", "score_1_7") else 1, signed=True)


def hover_value(unit: str, axis: str = "y") -> str:
    """The plotly hover template of a value of a unit on an axis: `%{y:.1%}`, `%{y:,.1f} s` (plotly's
    locale and the layout's separators make them French)."""
    fmt, suffix = HOVER_FORMATS[unit]
    return f"%{{{axis}:{fmt}}}{suffix}"


def percent(value: float | None) -> str:
    """A fraction as a percentage to one decimal (`81.2 %`), a dash when missing."""
    return MISSING if value is None else _unit(decimal_text(value * 100, 1), "%")


def whole_percent(value: float) -> str:
    """A fraction as a whole percentage (`23 %`): a share a sentence gives roughly."""
    return _unit(decimal_text(value * 100, 0), "%")


def term_percent(value: Decimal | float, *, signed: bool = False) -> str:
    """A contract fraction as a percentage, exact to two decimals without trailing zeros (`12.5 %`; `signed`: a
    change, `+10 %`, `−5 %`)."""
    exact = (Decimal(str(value)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    digits = max(0, -exact.as_tuple().exponent)  # type: ignore[operator]
    return _unit(decimal_text(exact, digits, signed=signed), "%")


def number(value: float | None) -> str:
    """A count as `1,234`, another number to two decimals, a dash when missing."""
    if value is None:
        return MISSING
    return decimal_text(value, 0 if float(value).is_integer() else 2)


def money_text(cents: int | None, currency: str = "") -> str:
    """An amount in cents to the cent, in the report's language: `1,234.56 EUR`, `1 234,56 €`."""
    if cents is None:
        return MISSING
    amount = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if current_language() == "en" or not currency:
        return f"{decimal_text(amount, 2)} {currency}".strip()
    locale = babel_locale(current_language())
    return format_currency(amount, currency, locale=locale).replace("-", "−")


def signed_money(cents: int, currency: str = "") -> str:
    """An amount with its sign, a true minus: `+1,234.00 EUR`, `−12.50 EUR`, `0.00 EUR`."""
    text = money_text(abs(cents), currency)
    return f"+{text}" if cents > 0 else f"−{text}" if cents < 0 else text


def yes_no(value: bool | None) -> str:
    return MISSING if value is None else (_("yes") if value else _("no"))


def day(value: dt.date | None) -> str:
    """A date as every report writes it, `14 Mar 2026` (`14 mars 2026`), a dash when missing."""
    return MISSING if value is None else format_date(value, DATE_PATTERN, locale=babel_locale(current_language()))


def month(value: dt.date | None) -> str:
    """A month as a table cell shows it, `Mar 2026` (`mars 2026`), a dash when missing."""
    return MISSING if value is None else format_date(value, MONTH_PATTERN, locale=babel_locale(current_language()))


def month_name(value: dt.date) -> str:
    """A month in words: `March 2026` (`mars 2026`)."""
    return format_date(value, "MMMM y", locale=babel_locale(current_language()))


def date_name(value: dt.date) -> str:
    """A date in a sentence: the one date format, as `day`."""
    return day(value)


def period_name(period: Period) -> str:
    """A period in words: a month `September 2026`, a quarter `Q3 2026` (`T3 2026`)."""
    if period.kind == "month":
        return month_name(period.start)
    if period.kind == "quarter":
        return format_date(period.start, "QQQ y", locale=babel_locale(current_language()))
    return str(period)


def span_text(months: Sequence[dt.date]) -> str:
    """The months spanned: `Jan 2025 to Mar 2025`, or the one month."""
    first, last = min(months), max(months)
    return month(first) if first == last else _("{first} to {last}").format(first=month(first), last=month(last))


def status_name(status: str | None) -> str:
    """A status (or another code word of the tables: trend, action or checklist status) in words."""
    if status is None:
        return MISSING
    return STATUS_NAMES[status] if status in STATUS_NAMES else status


def status_label(status: str | None) -> str:
    """A status with its glyph (the charts' marker as text), so it reads without colour: `✖ breach`."""
    return MISSING if status is None else f"{STATUS_GLYPHS.get(status, '')} {status_name(status)}".strip()


def party_name(party: str | None) -> str:
    """`client` or `provider` in words."""
    if party is None:
        return MISSING
    return PARTY_NAMES[party] if party in PARTY_NAMES else party


def dataset_names(datasets: str | None) -> str:
    """Datasets of an engagement (`reported_kpis, staffing`) by name (`reported KPIs, staffing`)."""
    if not datasets:
        return MISSING
    names = (d.strip() for d in datasets.split(","))
    return ", ".join(DATASET_NAMES[d] if d in DATASET_NAMES else d for d in names)


def code_name(value: str) -> str:
    """A code word of the tables (status, trend, party, committee, channel, dataset) in words; other text as is."""
    for names in (STATUS_NAMES, PARTY_NAMES, COMMITTEE_NAMES, CHANNEL_NAMES, DATASET_NAMES):
        if value in names:
            return names[value]
    return value
