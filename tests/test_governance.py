"""Transparency, reconciliation, the action log and reversibility (formulas.md §8), hand-computed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from partner_analytics.governance.actions import action_figures, open_actions
from partner_analytics.governance.reconciliation import reconciliation
from partner_analytics.governance.reversibility import readiness, timeline
from partner_analytics.governance.transparency import delivery_scorecard, discrepancies

from .factories import charges_frame, contract, grid, results

N = "northcall"
D = dt.date.fromisoformat


def test_delivery_scorecard() -> None:
    deliveries = pl.LazyFrame(
        {
            "partner_id": [N] * 4,
            "party": ["provider", "provider", "provider", "client"],
            "dataset": ["staffing", "quality", "reported_kpis", "forecasts"],
            "period": [D("2026-09-01")] * 4,
            "due_on": [D("2026-10-05")] * 4,
            "delivered_on": [D("2026-10-05"), D("2026-10-07"), None, D("2026-10-01")],
            "complete": [True, True, None, False],
        }
    )
    rows = {r["party"]: r for r in delivery_scorecard(deliveries).collect().iter_rows(named=True)}
    # provider: 3 due; on time: staffing (on the due day) only; complete: staffing, quality (reported not delivered)
    assert (rows["provider"]["due"], rows["provider"]["on_time"], rows["provider"]["complete"]) == (3, 1, 2)
    assert rows["provider"]["on_time_rate"] == pytest.approx(1 / 3)
    assert rows["provider"]["completeness_rate"] == pytest.approx(2 / 3)
    assert rows["provider"]["late_datasets"] == "quality, reported_kpis"
    assert (rows["client"]["on_time_rate"], rows["client"]["completeness_rate"]) == (1.0, 0.0)


def test_reported_versus_recomputed() -> None:
    recomputed = results(
        (N, "voice", "2026-09", "service_level", 0.80),
        (N, "voice", "2026-09", "abandon_rate", 0.05),
        (N, "voice", "2026-09", "aht", 300.0),
        (N, "voice", "2026-09", "offered", 1000),
    )
    reported = pl.LazyFrame(
        {
            "partner_id": [N] * 5,
            "month": [D("2026-09-01")] * 5,
            "kpi": ["service_level", "abandon_rate", "aht", "offered", "fcr"],
            "value": [0.806, 0.055, 303.0, 1011.0, 0.8],
            "channel": ["voice"] * 5,
        }
    )
    df = discrepancies(reported, recomputed).collect()
    got = {r["kpi"]: r for r in df.iter_rows(named=True)}
    # rates: |0.806 − 0.80| = 0.006 > 0.005 flagged; |0.055 − 0.05| = 0.005 not beyond
    assert got["service_level"]["flagged"] is True and got["service_level"]["discrepancy"] == pytest.approx(0.006)
    assert got["abandon_rate"]["flagged"] is False
    # durations and counts: 1 % relative: 303 vs 300 is exactly 1 % (not beyond); 1011 vs 1000 is 1.1 %
    assert got["aht"]["flagged"] is False and got["offered"]["flagged"] is True
    assert got["fcr"]["flagged"] is True and got["fcr"]["note"] == "not recomputable from the raw data"


def test_invoice_reconciliation() -> None:
    invoices = pl.LazyFrame(
        {
            "partner_id": [N, N],
            "month": [D("2026-09-01"), D("2026-10-01")],
            "amount": [5800.0, 4100.0],
            "billed_units": [1520.0, 1000.0],
            "unit": ["contacts", "contacts"],
        }
    )
    r = results((N, None, "2026-09", "answered", 1500), (N, None, "2026-10", "answered", 1000))
    df = reconciliation(invoices, charges_frame(N, {"2026-09": 570_000, "2026-10": 410_000}), r, None).collect()
    sept, octo = df.row(0, named=True), df.row(1, named=True)
    # September: billed 5,800.00 against 5,700.00 expected (+100.00); 1520 units against 1500 answered (+20)
    assert (sept["invoice_gap"], sept["units_gap"], sept["flagged"]) == (10_000, 20, True)
    assert (octo["invoice_gap"], octo["units_gap"], octo["flagged"]) == (0, 0, False)


def test_hours_are_measured_from_staffing() -> None:
    invoices = pl.LazyFrame(
        {"partner_id": [N], "month": [D("2026-09-01")], "amount": [100.0], "billed_units": [2.0], "unit": ["hours"]}
    )
    staffing = pl.LazyFrame(
        {
            "partner_id": [N, N],
            "channel": ["voice", "voice"],
            "interval_start": [dt.datetime(2026, 9, 1, 9), dt.datetime(2026, 9, 1, 9, 30)],
            "interval_minutes": [30, 30],
            "agents_logged_in": [2.0, 1.0],
        }
    ).with_columns(pl.col("interval_start").dt.replace_time_zone("Europe/Paris"))
    df = reconciliation(invoices, charges_frame(N, {"2026-09": 10_000}), results(), staffing).collect()
    # (2 + 1) agents × 30 min = 1.5 hours measured; 2 billed
    assert df["measured_units"][0] == 1.5 and df["units_gap"][0] == 0.5


ACTIONS = pl.LazyFrame(
    {
        "action_id": ["a1", "a2", "a3", "a4", "a5"],
        "partner_id": [N] * 5,
        "committee": ["operational"] * 5,
        "raised_on": [D("2026-08-01"), D("2026-08-15"), D("2026-09-02"), D("2026-09-10"), D("2026-10-02")],
        "owner_party": ["provider", "provider", "provider", "client", "provider"],
        "title": ["t"] * 5,
        "due_on": [D("2026-09-15"), D("2026-09-30"), D("2026-10-15"), D("2026-09-20"), D("2026-10-10")],
        "closed_on": [D("2026-09-10"), None, None, D("2026-10-03"), None],
    }
)


def test_action_figures_at_the_month_end() -> None:
    df = action_figures(ACTIONS, grid(N, "2026-09", "2026-09")).collect()
    got = {r["owner_party"]: r for r in df.iter_rows(named=True)}
    # provider on 30 Sept: a2 and a3 open; a2 due 30 Sept is not before the day (not overdue); a1 closed in Sept after 40 days
    assert (got["provider"]["open"], got["provider"]["overdue"], got["provider"]["closed"]) == (2, 0, 1)
    assert got["provider"]["median_days_to_close"] == 40
    # client: a4 open on 30 Sept (closed 3 Oct), due 20 Sept: overdue
    assert (got["client"]["open"], got["client"]["overdue"], got["client"]["closed"]) == (1, 1, 0)


def test_open_actions_list_overdue_first() -> None:
    df = open_actions(ACTIONS, D("2026-10-20")).collect()
    assert df["action_id"].to_list() == ["a2", "a5", "a3"]  # by due date
    assert df["days_overdue"].to_list() == [20, 10, 5]


def test_readiness_is_weighted() -> None:
    checklist = pl.LazyFrame(
        {
            "partner_id": [N] * 3,
            "item_id": ["i1", "i2", "i3"],
            "area": ["documentation", "documentation", "tooling"],
            "title": ["t"] * 3,
            "owner_party": ["provider"] * 3,
            "weight": [2.0, 1.0, 1.0],
            "status": ["done", "in_progress", "not_started"],
        }
    )
    df = readiness(checklist).collect()
    overall = df.filter(pl.col("area").is_null()).row(0, named=True)
    # (2 × 1 + 1 × 0.5 + 1 × 0) / 4 = 0.625
    assert overall["readiness"] == pytest.approx(0.625) and overall["items"] == 3
    doc = df.filter(pl.col("area") == "documentation").row(0, named=True)
    assert doc["readiness"] == pytest.approx(2.5 / 3)


def test_timeline_and_termination_right() -> None:
    c = contract(reversibility={"notice_months": 6, "transition_months": 4})
    as_of = pl.LazyFrame({"as_of": [D("2027-06-30")]})
    chronic = pl.LazyFrame(
        {
            "partner_id": [N],
            "service_level": ["service_level/voice"],
            "month": [D("2027-06-01")],
            "chronic_failure": [True],
        }
    )
    row = timeline(c, as_of, chronic).filter(pl.col("partner_id") == N).collect().row(0, named=True)
    # start 2025-01-01 + 36 months: ends 2028-01-01; last notice 6 months before: 2027-07-01
    assert (row["end"], row["last_notice_date"]) == (D("2028-01-01"), D("2027-07-01"))
    assert row["months_to_end"] == 7 and row["notice_still_possible"] is True
    assert row["transition_fits"] is True  # 2027-06-30 + 4 months ≤ 2028-01-01
    assert row["termination_right"] is True and row["chronic_service_levels"] == "service_level/voice"
