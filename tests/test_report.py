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
    assert r.summary.startswith("Over Q3 2026: ")
    assert r.statement_months.height == 3
    q = r.statement_quarter.row(0, named=True)
    assert q["net"] == r.statement_months["net"].sum() and q["cycle"] == "2026-Q3"
    assert r.chronic.height >= 1 and r.timeline["termination_right"].item() is True
    assert r.trailing_gaps["month"].n_unique() == 12


def test_programme_overview_compares_every_partner(sample_analysis) -> None:
    o = programme_overview(sample_analysis, "2026-Q3")
    assert o.status_shares["partner_id"].to_list() == ["northcall", "rivage", "sudhorizon"]
    assert o.statement.height == 3 + 1  # the partners and the programme total


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


NET_TERMS = {
    "charges": 1,
    "credits": -1,
    "earned_back": 1,
    "bonus": 1,
    "corridor_compensation": 1,
    "gain_share": 1,
    "resource_adjustment": 1,
}


def _adds_up(statement: pl.DataFrame) -> bool:
    return all(
        sum(sign * row[a] for a, sign in NET_TERMS.items()) == row["net"] for row in statement.iter_rows(named=True)
    )


def test_the_strategic_report_lists_every_open_and_overdue_action(sample_analysis) -> None:
    r = strategic_report(sample_analysis, "rivage", "2026-Q3")
    overdue = r.actions.filter(pl.col("action_status") == "overdue")
    # the action chart's figure at the quarter's end: the partner's overdue actions, every owner
    chart = sample_analysis.actions.filter(
        (pl.col("partner_id") == "rivage") & (pl.col("month") == dt.date(2026, 9, 1))
    ).collect()
    assert overdue.height == chart["overdue"].sum() == 7
    recruit = overdue.filter(pl.col("title").str.starts_with("Recruit and train 15 agents")).row(0, named=True)
    assert recruit["due_on"] == dt.date(2026, 6, 30) and recruit["days_overdue"] == 31 + 31 + 30  # Jul + Aug + Sep
    assert r.actions["action_status"].to_list()[:7] == ["overdue"] * 7, "overdue first"
    assert set(r.actions["action_status"]) == {"overdue", "open", "closed"}
    # closed rows are those closed within the quarter, not the year before
    closed = r.actions.filter(pl.col("action_status") == "closed")
    assert closed["closed_on"].is_between(dt.date(2026, 7, 1), dt.date(2026, 9, 30)).all()
    assert set(r.actions["partner_id"]) == {"rivage"}


def test_every_statement_table_adds_up_to_its_net(sample_analysis) -> None:
    r = strategic_report(sample_analysis, "northcall", "2026-Q3")
    assert _adds_up(r.statement_months) and _adds_up(r.statement_quarter)
    o = programme_overview(sample_analysis, "2026-Q3")
    assert _adds_up(o.statement) and _adds_up(o.previous_statement)
    north = o.statement.row(0, named=True)
    # 73,897.90 − 0 + 797.21 + 1,780.87 − 363.10 = 76,112.88 EUR: the resource adjustment closes the sum
    assert (north["charges"], north["bonus"], north["gain_share"], north["resource_adjustment"], north["net"]) == (
        7_389_790,
        79_721,
        178_087,
        -36_310,
        7_389_790 + 79_721 + 178_087 - 36_310,
    )


def test_the_programme_overview_names_partners_totals_and_shows_the_quarter_before(sample_analysis) -> None:
    o = programme_overview(sample_analysis, "2026-Q3")
    assert o.statement["partner"].to_list() == [
        "NorthCall Services",
        "Rivage Relation Client",
        "Sud Horizon Contact",
        "Programme",
    ]
    partners, total = o.statement.head(3), o.statement.row(3, named=True)
    for amount in NET_TERMS | {"net": 1}:
        assert total[amount] == partners[amount].sum(), amount
    assert total["net"] == 7_611_288 + 7_302_656 + 3_139_471
    assert set(o.previous_statement["cycle"]) == {"2026-Q2"}
    assert o.previous_statement.row(0, named=True)["resource_adjustment"] == 24_530
    assert o.status_shares["partner"].to_list() == [
        "NorthCall Services",
        "Rivage Relation Client",
        "Sud Horizon Contact",
    ]
    assert "partner" in o.timeline.columns


def test_the_strategic_report_opens_on_what_to_decide(sample_analysis) -> None:
    from partner_analytics.reports.summary import first_page_html

    page = strategic_report(sample_analysis, "rivage", "2026-Q3").first_page
    assert str(page.previous) == "2026-Q2"
    # the last notice date 1 January 2027, from 30 September 2026: 31 (Oct) + 30 (Nov) + 31 (Dec) + 1 days
    assert any(d.startswith(f"{31 + 30 + 31 + 1} days left") for d in page.decisions)
    assert page.decisions[0].startswith("The termination right for chronic failure is open (")
    assert "abandon_rate/voice" not in " ".join(page.decisions), "service levels in words, not ids"
    money = {r["amount"]: r for r in page.money.iter_rows(named=True)}
    assert (money["Net"]["this_period"], money["Net"]["previous"]) == (7_302_656, 8_104_112)
    assert money["Net"]["change"] == 7_302_656 - 8_104_112
    assert (money["Credits"]["this_period"], money["Credits"]["previous"]) == (1_288_704, 844_008)
    # service levels of September 2026 against June 2026, the trend in each KPI's direction
    sl = {r["service_level"]: r for r in page.service_levels.iter_rows(named=True)}
    abandon = sl["abandon_rate/voice"]  # lower is better: a higher rate is worse
    assert abandon["value"] > abandon["previous_value"] and abandon["trend"] == "worse"
    assert page.service_levels.height == 7
    # the overdue actions with their owners, as the action table lists them
    assert page.overdue.height == 7 and set(page.overdue["owner_party"]) == {"provider", "client"}
    markup = first_page_html(page).markup
    assert markup.startswith('<section class="pa-first-page">') and "Recruit and train 15 agents" in markup


def test_the_operational_report_opens_on_the_months_money_against_the_month_before(sample_analysis) -> None:
    r = operational_report(sample_analysis, "northcall", "2026-09")
    s = sample_analysis.statement.filter(pl.col("partner_id") == "northcall").collect()
    sep, aug = (s.filter(pl.col("month") == dt.date(2026, m, 1)).row(0, named=True) for m in (9, 8))
    money = {row["amount"]: row for row in r.first_page.money.iter_rows(named=True)}
    adjustments = ("earned_back", "corridor_compensation", "gain_share", "resource_adjustment")
    assert money["Adjustments"]["this_period"] == sum(sep[a] for a in adjustments) == 107_411
    assert money["Adjustments"]["previous"] == sum(aug[a] for a in adjustments) == -46_342
    assert money["Net"]["this_period"] == sep["net"] and money["Bonus"]["this_period"] == sep["bonus"] == 43_725
    # 30 September 2026 to 1 July 2027: 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 + 30 + 1 = 274 days
    assert r.first_page.decisions == [
        "274 days left, from the end of September 2026, to the last notice date (1 Jul 2027) to renew or give notice."
    ]
