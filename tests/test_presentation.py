"""Report tables: formatted and escaped."""

from __future__ import annotations

import datetime as dt

import polars as pl

from partner_analytics.views import kpi_value, markdown_text, money, percent, table


def test_values_are_formatted_and_markup_is_escaped() -> None:
    frame = pl.DataFrame(
        {
            "title": ['<script>alert("x")</script>', "Plan d'action"],
            "amount": [123456, -5],
            "rate": [0.8123, None],
            "kpi": ["asa", "service_level"],
            "value": [34.4, 0.8],
            "due": [dt.date(2026, 9, 30), None],
        }
    )
    html = table(
        frame,
        {"title": "Action", "amount": "Amount", "rate": "Rate", "value": "Value", "due": "Due"},
        formats={"amount": money("EUR"), "rate": percent, "value": kpi_value()},
    ).markup
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Plan d&#x27;action" in html
    assert "1,234.56 EUR" in html and "−0.05 EUR" in html  # a true minus, as every signed amount
    assert "81.2 %" in html and "34.4 s" in html and "80.0 %" in html
    assert "30 Sep 2026" in html and html.count("<tr>") == 3


def test_empty_tables_say_so() -> None:
    assert "Nothing open." in table(pl.DataFrame({"a": []}), empty="Nothing open.").markup


def test_text_is_escaped() -> None:
    assert markdown_text("<b>R&D</b>").markup == "<p>&lt;b&gt;R&amp;D&lt;/b&gt;</p>"
