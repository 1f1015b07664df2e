"""A scenario in the client-only annex (programme overview): baseline versus scenario for the quarter, only when
given, and never in a partner's strategic report (which can go to both parties)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from partner_analytics.core.periods import parse_period
from partner_analytics.reports.committees import programme_overview, strategic_report
from partner_analytics.reports.scenario_section import scenario_html, scenario_section
from partner_analytics.whatif.scenario import parse_scenario, write_scenario

ROOT = Path(__file__).resolve().parents[1]
RECOVERY = {
    "name": "Recovery plan <b>",
    "description": "a quarter of staff more at Rabat & Nantes",
    "window": {"first": "2026-07"},
    "partners": {
        "rivage": {
            "terms": {"service_levels": {"service_level/voice": {"minimum": 0.7}}, "at_risk_pct": 0.2},
            "operations": {"voice": {"staffing_change": 0.25}},
            "exit": {"notice_on": "2026-12-15"},
        },
        "northcall": {"terms": {"at_risk_pct": 0.3}},
    },
}


@pytest.fixture(scope="module")
def recovery(tmp_path_factory) -> Path:
    return write_scenario(parse_scenario(RECOVERY), tmp_path_factory.mktemp("scenario") / "recovery.yaml")


def test_the_client_annex_sets_the_scenario_beside_the_baseline(sample_analysis, sample_dir, recovery) -> None:
    overview = programme_overview(sample_analysis, "2026-Q3", scenario=recovery, engagement=sample_dir)
    assert [s.partner_id for s in overview.scenarios] == ["rivage", "northcall"]
    section = overview.scenarios[0]
    report = strategic_report(sample_analysis, "rivage", "2026-Q3")
    assert section.partner_id == "rivage" and section.period == parse_period("2026-Q3")
    assert section.changes == [
        "At-risk share 20 % (contract: 15 %)",
        "Service level · voice minimum 70.0 % (contract: 75.0 %)",
        "voice staffing +25 %",
        "Operations change from July 2026 to the last month",
    ]
    # the baseline column is the report's own statement of the quarter
    quarter = report.statement_quarter.row(0, named=True)
    baseline = dict(section.statement.select("amount", "baseline").iter_rows())
    assert baseline == {a: quarter[a] for a in baseline}
    rows = {r["amount"]: r for r in section.statement.iter_rows(named=True)}
    assert all(r["delta"] == r["scenario"] - r["baseline"] for r in rows.values())
    net = rows["net"]
    assert net["scenario"] - net["baseline"] == sum(
        (-1 if a == "credits" else 1) * rows[a]["delta"]
        for a in (
            "charges",
            "credits",
            "earned_back",
            "bonus",
            "corridor_compensation",
            "gain_share",
            "resource_adjustment",
        )
    )
    # only the partner's figures: northcall's change is not in rivage's section
    assert set(section.statement["partner_id"]) == {"rivage"} and "30 %" not in " ".join(section.changes)
    assert section.gaps["month"].is_between(dt.date(2026, 7, 1), dt.date(2026, 9, 1)).all()
    assert (section.gaps["status_baseline"] != section.gaps["status_scenario"]).all()
    assert section.status_counts["delta"].sum() == 0
    assert section.exit is not None and section.exit.in_time
    markup = scenario_html(section).markup
    assert "What if: Recovery plan &lt;b&gt;" in markup and "Rabat &amp; Nantes" in markup
    assert "Statement, Q3 2026" in markup and "Exit" in markup


def test_no_scenario_no_section_and_none_in_a_partners_report(sample_analysis) -> None:
    assert programme_overview(sample_analysis, "2026-Q3").scenarios == ()
    assert scenario_html(None).markup == ""
    assert not hasattr(strategic_report(sample_analysis, "rivage", "2026-Q3"), "scenario")


def _not_loaded():
    raise AssertionError("the engagement is loaded: a term change needs only the analysis")


def test_a_scenario_that_changes_nothing_for_the_partner_says_so(sample_analysis) -> None:
    section = scenario_section(
        sample_analysis, "sudhorizon", parse_period("2026-Q3"), parse_scenario(RECOVERY), engagement=_not_loaded
    )
    assert section.changes == [] and section.gaps.is_empty()
    assert (section.statement["delta"] == 0).all()
    assert "changes nothing for this partner" in scenario_html(section).markup


def test_the_programme_notebook_shows_the_scenario_it_is_given(sample_dir, recovery, tmp_path) -> None:
    import papermill

    out = tmp_path / "overview.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "programme_overview.ipynb"),
        str(out),
        parameters={"engagement": str(sample_dir), "quarter": "2026-Q3", "scenario": str(recovery)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    nb = json.loads(out.read_text())
    shown = [
        "".join(o.get("data", {}).get("text/html", ""))
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
    ]
    section = [html for html in shown if "What if: Recovery plan" in html]
    assert len(section) == 2 and "voice staffing +25 %" in section[0]  # rivage, then northcall
    assert pl.Series(shown).str.contains("Statement, Q3 2026").sum() == 2
