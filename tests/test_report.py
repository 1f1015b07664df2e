"""What the committee reports hold, on the sample engagement."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import polars as pl
import pytest

from partner_analytics.pipeline.analysis import Analysis
from partner_analytics.pipeline.store import load_analysis, save_analysis
from partner_analytics.reports.committees import operational_report, programme_overview, strategic_report


def test_operational_report_of_the_degrading_partner(sample_analysis) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-09")
    assert r.partner.id == "rivage" and r.currency == "EUR"
    assert r.summary.startswith(
        f"{r.gaps.filter(pl.col('status') == 'met').height} of {r.gaps.height} service levels met"
    )
    assert "breach" in r.summary
    assert set(r.gaps["month"].to_list()) == {dt.date(2026, 9, 1)}
    assert r.floor["day"].min() == dt.date(2026, 9, 1) and r.floor["day"].max() <= dt.date(2026, 9, 30)
    assert r.outlook["month"].max() == dt.date(2026, 12, 1), "the client's forecast of the coming months"
    assert (r.provisional_credits["earnback_status"] == "provisional").all()
    assert r.rejected.height == 1 and r.rejected["column"].item() == "score"  # the n/a score of 18 September
    for frame in (r.gaps, r.floor, r.floor_kpis, r.outlook, r.deliveries, r.provisional_credits, r.actions):
        if "partner_id" in frame.columns:
            assert set(frame["partner_id"].to_list()) <= {"rivage"}


def test_the_operational_floor_kpis(sample_analysis) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-09")
    rows = {row["label"]: row for row in r.floor_kpis.iter_rows(named=True)}
    assert r.floor_kpis["kpi"][0] == "interval_attainment"  # in FLOOR_KPIS order, channels before partner-wide
    voice = rows["Intervals reaching their target · voice"]
    assert 0 <= voice["value"] <= 1 and voice["note"] is None  # the sample's voice interval target
    assert "Intervals reaching their target · email" not in rows  # email has no interval target
    assert rows["Worst day's service level · email"]["value"] is not None
    assert rows["Agent attrition"]["value"] is not None  # the sample's agents roster
    assert rows["Net promoter score"]["note"] == "contacts have no nps_answer column"  # once, partner-wide
    assert "Net promoter score · voice" not in rows


def test_strategic_report_of_the_degrading_partner(sample_analysis) -> None:
    r = strategic_report(sample_analysis, "rivage", "2026-Q3")
    assert r.summary.startswith("Over 2026-Q3: ")
    assert r.statement_months.height == 3
    q = r.statement_quarter.row(0, named=True)
    assert q["net"] == r.statement_months["net"].sum() and q["cycle"] == "2026-Q3"
    assert r.chronic.height >= 1 and r.timeline["termination_right"].item() is True
    assert r.trailing_gaps["month"].n_unique() == 12


def test_programme_overview_compares_every_partner(sample_analysis) -> None:
    o = programme_overview(sample_analysis, "2026-Q3")
    assert o.status_shares["partner_id"].to_list() == ["northcall", "rivage", "sudhorizon"]
    assert o.statement.height == 3


def test_periods_must_be_of_the_right_kind(sample_analysis) -> None:
    with pytest.raises(ValueError, match="expected a quarter"):
        strategic_report(sample_analysis, "rivage", "2026-09")
    with pytest.raises(ValueError, match="expected a month"):
        operational_report(sample_analysis, "rivage", "2026-Q3")


def test_saved_tables_read_back_the_same(sample_analysis, tmp_path) -> None:
    save_analysis(sample_analysis, tmp_path)
    again = load_analysis(tmp_path, sample_analysis.contract)
    for name, frame in sample_analysis.tables().items():
        assert frame.collect().equals(getattr(again, name).collect()), name
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{f.name}.parquet" for f in fields(Analysis) if f.name != "contract"
    }


def test_the_strategic_report_states_the_partners_contract_mechanics(sample_analysis) -> None:
    r = strategic_report(sample_analysis, "rivage", "2026-Q3")
    text = "\n".join(r.mechanics)
    assert "a monthly fee of 18,000.00 EUR plus 3.40 EUR per handled voice contact" in text
    assert "escalated on consecutive misses (×1, ×1.5, ×2, the last repeating)" in text
    assert "credits at the at-risk cap in 2 of 6 months" in text
    assert "issued 1 month ahead" in text
    north = strategic_report(sample_analysis, "northcall", "2026-Q3").mechanics
    assert any(
        s.startswith("Anchored pricing: a baseline of 4,500 answered voice contacts a month, ±10 %") for s in north
    )
    south = "\n".join(strategic_report(sample_analysis, "sudhorizon", "2026-Q3").mechanics)
    assert "1 % to 3 % of charges: provider 20 %" in south
