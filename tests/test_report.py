"""What the committee reports hold, on the sample engagement."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace

import polars as pl
import pytest

from partner_analytics.core.periods import parse_period
from partner_analytics.pipeline.analysis import Analysis
from partner_analytics.pipeline.store import load_analysis, save_analysis
from partner_analytics.reports import REJECTED_TABLE, rejected_banner, rejected_counts
from partner_analytics.reports.committees import operational_report, programme_overview, strategic_report
from partner_analytics.reports.measurement import (
    outside_hours_html,
    outside_hours_summary,
    relief_granted,
    relief_html,
)

from . import factories


def test_operational_report_of_the_degrading_partner(sample_analysis) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-09")
    assert r.partner.id == "rivage" and r.currency == "EUR"
    # short bullets: the count met, then one per service level in breach
    assert r.summary[0] == f"{r.gaps.filter(pl.col('status') == 'met').height} of {r.gaps.height} service levels met"
    breaches = r.gaps.filter(pl.col("status") == "breach").height
    assert breaches >= 1 and sum(p.startswith("Breach: ") for p in r.summary) == breaches
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
    assert r.summary[0].startswith("Over Q3 2026: ") and r.summary[2].startswith("In September 2026: ")
    assert max(len(p) for p in r.summary) <= 90, "short bullets, not a sentence that runs on"
    assert r.statement_months.height == 3
    q = r.statement_quarter.row(0, named=True)
    assert q["net"] == r.statement_months["net"].sum() and q["cycle"] == "2026-Q3"
    assert r.chronic.height >= 1 and r.timeline["termination_right"].item() is True
    assert r.trailing_gaps["month"].n_unique() == 12


def test_programme_overview_compares_every_partner(sample_analysis) -> None:
    o = programme_overview(sample_analysis, "2026-Q3")
    assert o.status_shares["partner_id"].to_list() == ["northcall", "rivage", "sudhorizon", "atlas"]
    assert o.statement.height == 4 + 1  # the partners and the programme total
    # the interval partner: its 4 service levels met in each month of the quarter; the programme
    # total is the sum of the four partners' nets
    atlas = o.status_shares.row(3, named=True)
    assert (atlas["service_level_months"], atlas["met_share"]) == (4 * 3, 1.0)
    partners = o.statement.filter(pl.col("partner_id").is_not_null())
    assert o.statement.filter(pl.col("partner_id").is_null())["net"].item() == partners["net"].sum()


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
        "Atlas Appels",
        "Programme",
    ]
    partners, total = o.statement.head(4), o.statement.row(4, named=True)
    for amount in NET_TERMS | {"net": 1}:
        assert total[amount] == partners[amount].sum(), amount
    # Atlas Appels: 4,486 calls answered in the quarter (its interval report's ACDCALLS) × 3.60, no credit
    assert partners.row(3, named=True)["net"] == 4_486 * 360
    assert total["net"] == 7_611_288 + 7_302_656 + 3_139_471 + 4_486 * 360
    assert set(o.previous_statement["cycle"]) == {"2026-Q2"}
    assert o.previous_statement.row(0, named=True)["resource_adjustment"] == 24_530
    assert o.status_shares["partner"].to_list() == [
        "NorthCall Services",
        "Rivage Relation Client",
        "Sud Horizon Contact",
        "Atlas Appels",
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


def test_the_programme_first_page_counts_each_partners_service_levels_against_the_quarter_before() -> None:
    from partner_analytics.reports.summary import programme_service_levels

    sep, jun = dt.date(2026, 9, 1), dt.date(2026, 6, 1)
    rows = [
        ("a", sep, ["met", "met", "breach"]),
        ("a", jun, ["met", "met", "met"]),
        ("b", sep, ["met", "not measurable"]),
        ("b", jun, ["breach", "met"]),
    ]
    gaps = pl.LazyFrame(
        [{"partner_id": p, "month": m, "status": s} for p, m, statuses in rows for s in statuses],
        schema={"partner_id": pl.String, "month": pl.Date, "status": pl.String},
    )
    names = pl.LazyFrame({"partner_id": ["b", "a"], "partner": ["Bravo", "Alpha"]})
    table = programme_service_levels(gaps, names, sep, jun).collect()
    # in the order of the names; a: one breach where there was none (worse); b: the breach of June gone (better)
    assert table.rows() == [
        ("Bravo", 1, 1, 0, 1, 1, "better"),
        ("Alpha", 3, 2, 1, 3, 0, "worse"),
    ]


def test_the_programme_first_page_says_what_to_decide_partner_by_partner() -> None:
    from partner_analytics.core.periods import parse_period
    from partner_analytics.reports.summary import programme_decisions

    period = parse_period("2026-Q3")
    timeline = pl.DataFrame(
        {
            "partner": ["Alpha", "Bravo"],
            "termination_right": [True, False],
            "chronic_service_levels": ["service_level/voice", None],
            # 1 January 2027 is 93 days after 30 September 2026; 1 July 2028 is beyond 180 days
            "last_notice_date": [dt.date(2027, 1, 1), dt.date(2028, 7, 1)],
        }
    )
    disputes = pl.DataFrame({"partner": ["Bravo", "Bravo"], "amount": [12_345, 655]})
    overdue = pl.DataFrame({"partner": ["Alpha", "Alpha", "Bravo"]})
    assert programme_decisions(timeline, disputes, overdue, period, "EUR") == [
        "Alpha: the termination right for chronic failure is open (Service level · voice).",
        "Alpha: 93 days left, from the end of Q3 2026, to the last notice date (1 Jan 2027) to renew or give notice.",
        "Alpha: 2 overdue actions, listed below.",
        "Bravo: 2 open disputes on the statement (130.00 EUR in all).",
        "Bravo: 1 overdue action, listed below.",
    ]
    nothing = programme_decisions(timeline.clear(), disputes.clear(), overdue.clear(), period, "EUR")
    assert nothing == ["Nothing to decide: no right open, no notice date near, no dispute, no overdue action."]


def test_the_programme_overview_opens_on_every_partner(sample_analysis) -> None:
    from partner_analytics.reports.summary import programme_first_page_html

    o = programme_overview(sample_analysis, "2026-Q3")
    page = o.first_page
    # the programme's money is the partners' sum: the statement's programme row
    total = o.statement.filter(pl.col("partner_id").is_null()).row(0, named=True)
    money = {r["amount"]: r for r in page.money.iter_rows(named=True)}
    assert money["Net"]["this_period"] == total["net"] and money["Credits"]["this_period"] == total["credits"]
    assert page.service_levels["partner"].to_list() == o.status_shares["partner"].to_list()
    # rivage's 7 overdue actions among every partner's, each with its partner
    assert page.overdue.filter(pl.col("partner") == "Rivage Relation Client").height == 7
    # partner by partner, in the overview's order
    assert page.decisions[0] == "NorthCall Services: 1 overdue action, listed below."
    assert page.decisions[1].startswith("Rivage Relation Client: the termination right for chronic failure is open (")
    markup = programme_first_page_html(page).markup
    assert markup.startswith('<section class="pa-first-page">') and "Recruit and train 15 agents" in markup


def test_every_report_lists_the_relief_granted_for_its_period(sample_analysis) -> None:
    """The sample's relief (Rivage voice, 8 to 20 June 2026) is in Rivage's June and Q2 reports and the Q2
    programme overview; not in July's, nor in another partner's report of the same period."""
    reason = "client billing incident: duplicate direct debits flooded the lines"
    june = operational_report(sample_analysis, "rivage", "2026-06").relief
    assert june.select("partner", "channel", "reason", "granted_by", "effect").rows() == [
        ("Rivage Relation Client", "voice", reason, "client steering committee", "exclude_window")
    ]
    assert june["starts_at"].dt.replace_time_zone(None).item() == dt.datetime(2026, 6, 8)
    assert june["granted_on"].item() == dt.date(2026, 7, 9)
    assert strategic_report(sample_analysis, "rivage", "2026-Q2").relief["reason"].to_list() == [reason]
    assert programme_overview(sample_analysis, "2026-Q2").relief["partner_id"].to_list() == ["rivage"]
    assert operational_report(sample_analysis, "rivage", "2026-07").relief.is_empty()
    assert strategic_report(sample_analysis, "rivage", "2026-Q3").relief.is_empty()
    assert operational_report(sample_analysis, "northcall", "2026-06").relief.is_empty()
    assert strategic_report(sample_analysis, "northcall", "2026-Q2").relief.is_empty()
    html = relief_html(june, parse_period("2026-06")).markup
    assert "<h2>Relief granted</h2>" in html and "8 Jun 2026 00:00" in html and "every service level · voice" in html


def test_a_relief_window_touches_the_periods_it_overlaps() -> None:
    tz = "Europe/Paris"
    relief = pl.LazyFrame(
        {
            "partner_id": ["northcall", "northcall"],
            "starts_at": [dt.datetime(2026, 6, 20), dt.datetime(2026, 6, 30, 23)],
            "ends_at": [dt.datetime(2026, 7, 1), dt.datetime(2026, 7, 1, 1)],  # the end is excluded
            "effect": ["excuse_month", "exclude_window"],
            "reason": ["strike", "outage"],
            "granted_by": ["client", "client"],
            "granted_on": [dt.date(2026, 7, 2), None],
            "channel": [None, "voice"],
            "service_level": ["service_level/voice", None],
        }
    ).with_columns(pl.col("starts_at", "ends_at").dt.replace_time_zone(tz))
    contract = factories.contract()
    july = relief_granted(relief, contract, parse_period("2026-07")).collect()
    assert july["reason"].to_list() == ["outage"]  # 30 June 23:00 to 1 July 01:00; the strike ends at 1 July 00:00
    june = relief_granted(relief, contract, parse_period("2026-Q2")).collect()
    assert june["reason"].to_list() == ["strike", "outage"]


def test_the_reports_count_the_contacts_outside_service_hours() -> None:
    """Email measured apart over a quarter: offered 100 + 50, outside 40 + 10 (answered 38 + 10); its service
    level outside hours 30 / 40 in July and 5 / 10 in August: (30 + 5) / (40 + 10) = 70 % over the quarter."""
    n, july, august = "northcall", dt.date(2026, 7, 1), dt.date(2026, 8, 1)
    rows = [
        (n, "email", july, "offered", 100, None),
        (n, "email", july, "outside_hours", 40, None),
        (n, "email", july, "answered_outside_hours", 38, None),
        (n, "email", july, "service_level_outside_hours", 30, 40),
        (n, "email", august, "offered", 50, None),
        (n, "email", august, "outside_hours", 10, None),
        (n, "email", august, "answered_outside_hours", 10, None),
        (n, "email", august, "service_level_outside_hours", 5, 10),
        (n, "voice", july, "offered", 200, None),
        (n, "voice", july, "outside_hours", 0, None),
        (n, "chat", july, "offered", 80, None),  # chat has no service hours: not listed
    ]
    results = pl.LazyFrame(
        rows,
        schema={
            "partner_id": pl.String,
            "channel": pl.String,
            "month": pl.Date,
            "kpi": pl.String,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )
    hours = {"hours": {"mon-fri": "08:00-18:00"}}
    contract = factories.contract(service_hours={"voice": hours, "email": {**hours, "outside_hours": "measure_apart"}})
    summary = outside_hours_summary(results, contract, parse_period("2026-Q3")).collect()
    email, voice = summary.row(0, named=True), summary.row(1, named=True)
    assert (email["channel"], email["offered"], email["outside_hours"], email["answered_outside_hours"]) == (
        "email",
        150,
        50,
        48,
    )
    assert email["outside_share"] == pytest.approx(50 / 150) and email["measured_apart"] is True
    assert email["service_level_outside_hours"] == pytest.approx(35 / 50)
    assert email["asa_outside_hours"] is None  # no row: no answered contact outside hours measured
    assert (voice["channel"], voice["outside_hours"], voice["measured_apart"]) == ("voice", 0, False)
    html = outside_hours_html(summary, parse_period("2026-Q3")).markup
    assert "33.3 %" in html and "70.0 %" in html and "measured apart" in html


def test_the_sample_reports_show_the_contacts_outside_hours(sample_analysis) -> None:
    """NorthCall's email, measured apart in the sample: the quarter's counts are the months' results."""
    r = strategic_report(sample_analysis, "northcall", "2026-Q3")
    email = r.outside_hours.filter(pl.col("channel") == "email").row(0, named=True)
    months = r.view.results.filter(
        (pl.col("channel") == "email") & pl.col("month").is_between(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    ).collect()
    outside = months.filter(pl.col("kpi") == "outside_hours")["numerator"].sum()
    assert email["outside_hours"] == outside > 0 and email["measured_apart"]
    sl = months.filter(pl.col("kpi") == "service_level_outside_hours")
    assert email["service_level_outside_hours"] == pytest.approx(sl["numerator"].sum() / sl["denominator"].sum())
    month = operational_report(sample_analysis, "northcall", "2026-09").outside_hours
    assert month["channel"].to_list() == ["email", "voice"]
    assert operational_report(sample_analysis, "rivage", "2026-09").outside_hours.is_empty()  # no service hours


def test_each_report_opens_with_a_banner_of_its_periods_rejected_rows(sample_analysis) -> None:
    # The sample rejects rivage's 'n/a' score of 18 September, sudhorizon's score of 31 September and
    # rivage's reported 'employee_nps' of August: one row in rivage's month, two in its quarter, three in all.
    operational = operational_report(sample_analysis, "rivage", "2026-09")
    banner = rejected_banner(operational.rejected, operational.period, section="Rejected-data-of-the-period").markup
    assert "<strong>1 row of the data of September 2026 was rejected</strong> (quality evaluations: 1)" in banner
    assert '<a href="#Rejected-data-of-the-period">below</a>' in banner and REJECTED_TABLE in banner
    strategic = strategic_report(sample_analysis, "rivage", "2026-Q3")
    assert rejected_counts(strategic.rejected) == {"quality": 1, "reported_kpis": 1}
    banner = rejected_banner(strategic.rejected, strategic.period).markup
    assert "2 rows of the data of Q3 2026 were rejected</strong> (quality evaluations: 1, reported KPIs: 1)" in banner
    assert "href" not in banner and "<code>tables/rejected.parquet</code>" in banner
    assert set(strategic.rejected["record"].str.json_path_match("$.partner_id")) == {"rivage"}
    overview = programme_overview(sample_analysis, "2026-Q3")
    banner = rejected_banner(overview.rejected, overview.period).markup
    assert "3 rows of the data of Q3 2026 were rejected</strong> (quality evaluations: 2, reported KPIs: 1)" in banner


def test_a_row_rejected_for_two_reasons_counts_once() -> None:
    rejected = pl.DataFrame({"table": ["contacts", "contacts", "quality"], "row": [7, 7, 7]})
    assert rejected_counts(rejected) == {"contacts": 1, "quality": 1}


def test_no_banner_when_no_row_was_rejected(sample_analysis) -> None:
    clean = replace(sample_analysis, rejected=sample_analysis.rejected.clear())
    for report in (
        operational_report(clean, "rivage", "2026-09"),
        strategic_report(clean, "rivage", "2026-Q3"),
        programme_overview(clean, "2026-Q3"),
    ):
        assert report.rejected.is_empty()
        assert rejected_banner(report.rejected, report.period).markup == ""
