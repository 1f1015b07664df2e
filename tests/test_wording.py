"""The reports' vocabulary: one label per statement amount, one KPI label style, one text per unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from partner_analytics.core.kpis import KPIS
from partner_analytics.risk.statement import STATEMENT_AMOUNTS
from partner_analytics.views import wording
from partner_analytics.views.html_tables import service_levels, status


def test_one_label_per_statement_amount_in_statement_order() -> None:
    assert tuple(wording.STATEMENT_LABELS) == STATEMENT_AMOUNTS
    assert list(wording.STATEMENT_LABELS.values()) == [
        "Charges",
        "Credits",
        "of which provisional",
        "Earned back",
        "Bonus",
        "Corridor",
        "Gain-share",
        "Resource adjustment",
        "Net",
    ]


def test_kpi_label_is_the_registry_label_then_the_channel() -> None:
    assert wording.kpi_label("service_level", "voice") == "Service level · voice"
    assert wording.kpi_label("fcr", None) == "First-contact resolution"
    assert wording.kpi_label("abandon_rate", "chat") == f"{KPIS['abandon_rate'].label} · chat"
    assert wording.service_level_label("service_level/email") == "Service level · email"
    assert service_levels("fcr, service_level/voice") == "First-contact resolution, Service level · voice"
    assert service_levels(None) == "–"


@pytest.mark.parametrize(
    ("value", "unit", "text", "change", "axis", "hover"),
    [
        # 0.8234 × 100 = 82.34 → 82.3 %; a change of −0.015 is −1.5 percentage points
        (0.8234, "rate", "82.3 %", "−1.5 pts", "%", "%{y:.1%}"),
        (34.44, "seconds", "34.4 s", "−0.0 s", "seconds", "%{y:,.1f} s"),
        (4.214, "score_1_5", "4.21 / 5", "−0.01", "score 1–5", "%{y:.2f}"),
        (86.04, "score_0_100", "86.0 / 100", "−0.0", "score 0–100", "%{y:.1f}"),
        (1234, "count", "1,234", "−0.0", "contacts", "%{y:,.0f}"),
    ],
)
def test_a_value_reads_the_same_per_unit(value, unit, text, change, axis, hover) -> None:
    assert wording.format_unit(value, unit) == text
    assert wording.value_text(value, unit) == text
    assert wording.change_text(-0.015, unit) == change
    assert wording.AXIS_TITLES[unit] == axis
    assert wording.hover_value(unit) == hover


def test_missing_values() -> None:
    assert wording.value_text(None, "rate") == "–"
    assert wording.value_text(float("nan"), "rate") == "–"
    assert wording.format_value("fcr", None) == "not measurable"
    assert wording.format_value("service_level", 0.8123) == "81.2 %"
    assert wording.percent(None) == wording.number(None) == wording.day(None) == wording.month(None) == "–"


def test_numbers_money_and_contract_fractions() -> None:
    assert wording.percent(0.8234) == "82.3 %"
    assert wording.number(1234) == "1,234"
    assert wording.number(12.345) == "12.35"
    # 0.125 × 100 = 12.5; 0.12 × 100 = 12 (no trailing zeros)
    assert wording.term_percent(Decimal("0.125")) == "12.5 %"
    assert wording.term_percent(0.12) == "12 %"
    # a change: signed, with a true minus (0.1 is +10 %; −0.05 × 100 = −5); a share a sentence gives roughly
    assert wording.term_percent(0.1, signed=True) == "+10 %" and wording.term_percent(-0.05, signed=True) == "−5 %"
    assert wording.whole_percent(0.2345) == "23 %" and wording.whole_percent(0.7655) == "77 %"
    assert wording.signed_money(123_456, "EUR") == "+1,234.56 EUR"
    assert wording.signed_money(-1_250, "EUR") == "−12.50 EUR"
    assert wording.signed_money(0, "EUR") == "0.00 EUR"
    assert wording.yes_no(True) == "yes"


def test_dates() -> None:
    # one date format in a report, never ISO beside names: `14 Mar 2026`; a month `Mar 2026`
    march = dt.date(2026, 3, 1)
    assert wording.day(dt.date(2026, 3, 14)) == wording.date_name(dt.date(2026, 3, 14)) == "14 Mar 2026"
    assert wording.month(march) == "Mar 2026"
    assert wording.month_name(march) == "March 2026"
    assert wording.span_text([march]) == "Mar 2026"
    assert wording.span_text([dt.date(2026, 5, 1), march]) == "Mar 2026 to May 2026"


def test_status_words_carry_their_glyph() -> None:
    assert wording.status_label("breach") == "✖ breach"
    assert wording.status_label("met") == "● met"
    assert wording.status_label("open") == "open"
    assert status(None) == "–"


def test_direction_and_unit_of_a_kpi() -> None:
    assert wording.direction_text("abandon_rate") == "lower is better"
    assert wording.direction_text("fcr") == "higher is better"
    assert wording.direction_text("offered") == ""
    assert wording.kpi_unit("asa") == "seconds"
    assert wording.kpi_unit("unknown") == "count"
