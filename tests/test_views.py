"""What reports show: one partner's share only, and the summary sentence."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from partner_analytics.pipeline.analysis import compute
from partner_analytics.views import format_value, partner_view, summary_sentence

from .factories import contacts, contract, engagement

N, S = "northcall", "southdesk"


def test_partner_view_holds_only_that_partners_rows() -> None:
    eng = engagement(
        contract(),
        contacts(
            ("a", N, "voice", "2026-09-01 10:00", True, 3, 100, "x", 5),
            ("b", S, "chat", "2026-09-01 10:00", True, 3, 100, "y", 5),
        ),
    )
    rejected = pl.LazyFrame(
        {
            "table": ["contacts", "contacts"],
            "file": ["f", "f"],
            "row": [2, 3],
            "column": ["wait_s", "wait_s"],
            "value": ["-1", "-1"],
            "reason": ["r", "r"],
            "record": ['{"partner_id":"northcall"}', '{"partner_id":"southdesk"}'],
        }
    )
    eng = replace(eng, rejected=rejected)
    view = partner_view(compute(eng), N)
    assert [p.id for p in view.contract.partners] == [N]
    for name, frame in view.tables().items():
        df = frame.collect()
        if "partner_id" in df.columns:
            assert set(df["partner_id"].to_list()) <= {N}, name
    assert view.rejected.collect()["row"].to_list() == [2]


def test_summary_sentence() -> None:
    gaps = pl.DataFrame(
        {
            "service_level": ["service_level/voice", "abandon_rate/voice", "fcr", "csat"],
            "kpi": ["service_level", "abandon_rate", "fcr", "csat"],
            "channel": ["voice", "voice", None, None],
            "value": [0.70, 0.06, 0.8, None],
            "target": [0.80, 0.05, 0.75, 4.2],
            "minimum": [0.75, 0.08, 0.70, 4.0],
            "status": ["breach", "below target", "met", "not measurable"],
            "order": [0, 1, 2, 3],
            "month": [dt.date(2026, 9, 1)] * 4,
        }
    )
    assert summary_sentence(gaps) == (
        "1 of 4 service levels met; 1 breach (Service level · voice 70.0 % against a minimum of 75.0 %); "
        "1 below target (Abandon rate · voice 6.0 % against a target of 5.0 %); 1 not measurable."
    )
    assert summary_sentence(gaps.head(0)) == "No service level is measured this month."


def test_format_value() -> None:
    assert format_value("service_level", 0.8123) == "81.2 %"
    assert format_value("asa", 34.4) == "34.4 s"
    assert format_value("csat", 4.214) == "4.21 / 5"
    assert format_value("offered", 1234) == "1,234"
    assert format_value("fcr", None) == "not measurable"
