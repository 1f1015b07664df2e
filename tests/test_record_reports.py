"""Reports as of their committee (formulas.md §10.6): the statement as the record held it on the committee's
day, each figure's state, the forecasts issued by then; decisions, comments and improvement plans (§8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import partner_analytics as pa
from partner_analytics.contract import parse_contract
from partner_analytics.core.periods import parse_period
from partner_analytics.governance import breaches_without_plan, committee_date, period_comments
from partner_analytics.record import read_ledger, sign
from partner_analytics.reports import (
    RecordSource,
    first_page_html,
    follow_up_html,
    open_record,
    operational_report,
    period_money,
    programme_overview,
    record_html,
    statement_lines,
    statement_record,
    strategic_report,
)
from partner_analytics.views.language import in_language

from .conftest import CONTACTS_CSV, contract, write_engagement
from .test_signoff import LINEAGE, statement_of

JUL, AUG, SEP = dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)


def test_a_committee_meets_its_delay_after_the_period_end() -> None:
    terms = parse_contract(contract())
    assert committee_date(terms, parse_period("2026-08")) == dt.date(2026, 9, 10)  # 31 August + 10 days
    assert committee_date(terms, parse_period("2026-Q3")) == dt.date(2026, 10, 20)  # 30 September + 20 days
    own = parse_contract(contract(committees={"operational_days": 5, "strategic_days": 30}))
    assert committee_date(own, parse_period("2026-09")) == dt.date(2026, 10, 5)
    assert committee_date(own, parse_period("2026-Q3")) == dt.date(2026, 10, 30)


# July signed with charges 12,000.00, no credit, gain-share −20.00: net 11,980.00 (formulas.md §10.4).
SIGNED = statement_of([("northcall", JUL, 1_200_000, 0, -2_000), ("northcall", AUG, 1_100_000, 0, 5_000)])
# A corrected export after the July committee: charges 12,410.00 and a credit of 150.00 (net 12,240.00).
CHANGED = statement_of([("northcall", JUL, 1_241_000, 15_000, -2_000), ("northcall", AUG, 1_100_000, 0, 5_000)])


def _signed_july(tmp_path: Path) -> Path:
    ledger = tmp_path / "ledger.jsonl"
    for party, by, hour in (("provider", "Jo", 9), ("client", "Ann", 16)):
        at = dt.datetime(2026, 8, 10, hour, tzinfo=dt.UTC)
        sign(
            ledger, SIGNED, LINEAGE, ("northcall",), period="2026-07", partner_id="northcall", party=party, by=by, at=at
        )
    return ledger


def test_a_locked_month_regenerated_after_a_data_change_shows_the_figures_signed(tmp_path: Path) -> None:
    source = RecordSource(_signed_july(tmp_path), LINEAGE)
    july = parse_period("2026-07")
    before = statement_record(SIGNED, july, dt.date(2026, 8, 10), source, "EUR")
    after = statement_record(CHANGED, july, dt.date(2026, 8, 10), source, "EUR")
    lines = statement_lines(after, "northcall", JUL)
    assert lines.select("line", "amount").equals(statement_lines(before, "northcall", JUL).select("line", "amount"))
    amounts = dict(zip(lines["line"], lines["amount"], strict=True))
    assert (amounts["charges"], amounts["credits"], amounts["gain_share"], amounts["net"]) == (
        1_200_000,
        0,
        -2_000,
        1_198_000,
    )
    state = dict(zip(lines["line"], lines["state"], strict=True))
    assert state["net"].startswith(
        "locked: signed by both (the provider (Jo, 10 Aug 2026); the client (Ann, 10 Aug 2026))"
    )
    assert "restated: signed 12,000.00 EUR, now 12,410.00 EUR, adjustment 410.00 EUR in August 2026" in state["charges"]
    assert "restated: signed 0.00 EUR, now 150.00 EUR, adjustment −150.00 EUR in August 2026" in state["credits"]
    # August, open: net 11,050.00 + 410.00 − 150.00 = 11,310.00
    august = statement_record(CHANGED, parse_period("2026-08"), dt.date(2026, 9, 10), source, "EUR")
    aug = dict(zip(*statement_lines(august, "northcall", AUG).select("line", "amount").to_dict().values(), strict=True))
    assert (aug["prior_period_adjustment"], aug["net"], aug["payable"]) == (26_000, 1_131_000, 1_131_000)


def test_a_report_before_the_second_signature_shows_a_month_signed_by_one_party(tmp_path: Path) -> None:
    ledger = _signed_july(tmp_path)
    early = statement_record(SIGNED, parse_period("2026-07"), dt.date(2026, 8, 9), RecordSource(ledger, LINEAGE), "EUR")
    assert early.months["state"].to_list() == ["draft"]  # both signed on 10 August, after this day
    noon = dt.datetime.fromisoformat(read_ledger(ledger)[0]["at"]).date()
    seen = statement_record(SIGNED, parse_period("2026-07"), noon, RecordSource(ledger, LINEAGE), "EUR")
    assert seen.months["state"].to_list() == ["locked"]
    none = statement_record(SIGNED, parse_period("2026-07"), noon, RecordSource(), "EUR")
    assert statement_lines(none, "northcall", JUL)["state"][0] == "draft: signed by neither party"


def test_the_first_page_money_counts_the_prior_period_adjustment() -> None:
    recorded = pl.LazyFrame(
        {
            "month": [JUL, AUG],
            "net": [1_198_000, 1_131_000],
            "credits": [0, 0],
            "bonus": [0, 0],
            "earned_back": [0, 0],
            "corridor_compensation": [0, 0],
            "gain_share": [-2_000, 5_000],
            "resource_adjustment": [0, 0],
            "prior_period_adjustment": [0, 26_000],
        }
    )
    money = period_money(recorded, parse_period("2026-08"), parse_period("2026-07")).collect()
    row = money.filter(pl.col("amount") == "Adjustments").row(0, named=True)
    assert (row["this_period"], row["previous"], row["change"]) == (31_000, -2_000, 33_000)  # 5,000 + 26,000


@pytest.fixture(scope="module")
def record(sample_dir: Path) -> RecordSource:
    return open_record(sample_dir)


def test_the_sample_july_report_shows_the_figures_signed_not_the_corrected_export(
    sample_analysis, record: RecordSource
) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-07", record=record)
    assert r.committee_date == dt.date(2026, 8, 10)
    signed = next(
        e["data"]["figures"]["2026-07"]
        for e in read_ledger(record.ledger)
        if e["kind"] == "signature" and e["data"]["partner_id"] == "rivage" and e["data"]["period"] == "2026-07"
    )
    lines = dict(
        zip(*statement_lines(r.record, "rivage", JUL).select("line", "amount").to_dict().values(), strict=True)
    )
    assert lines["charges"] == signed["charges"] and lines["net"] == signed["net"]
    now = sample_analysis.statement.filter((pl.col("partner_id") == "rivage") & (pl.col("month") == JUL)).collect()
    assert now["charges"].item() != signed["charges"], "the late email line restates July"
    # August carries the difference: (charges now − signed) − (credits now − signed)
    adjustment = (now["charges"].item() - signed["charges"]) - (now["credits"].item() - signed["credits"])
    august = operational_report(sample_analysis, "rivage", "2026-08", record=record)
    aug = august.record.months.row(0, named=True)
    assert aug["prior_period_adjustment"] == adjustment
    computed = sample_analysis.statement.filter((pl.col("partner_id") == "rivage") & (pl.col("month") == AUG)).collect()
    assert aug["net"] == computed["net"].item() + adjustment


def test_the_august_report_shows_august_money_and_the_forecasts_of_its_committee(
    sample_analysis, record: RecordSource
) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-08", record=record)
    assert r.committee_date == dt.date(2026, 9, 10)
    assert r.record.months["month"].to_list() == [AUG] and set(r.record.months["partner_id"]) == {"rivage"}
    lines = statement_lines(r.record, "rivage", AUG)
    amounts = dict(zip(lines["line"], lines["amount"], strict=True))
    parts = amounts["charges"] - amounts["credits"] + amounts["earned_back"] + amounts["bonus"]
    parts += amounts["corridor_compensation"] + amounts["gain_share"] + amounts["resource_adjustment"]
    assert amounts["net"] == parts + amounts["prior_period_adjustment"]
    assert lines["state"][0] == "signed by the provider (Yanis Benali, 9 Sep 2026)"
    # the forecasts: the latest issued by 10 September, not September's later issue
    assert r.outlook["latest_issued_on"].max() <= dt.date(2026, 9, 10)
    raw = sample_analysis.forecast_log.filter(
        (pl.col("partner_id") == "rivage") & (pl.col("channel") == "voice") & (pl.col("month") == SEP)
    ).collect()
    by_then = raw.filter(pl.col("issued_on") <= dt.date(2026, 9, 10)).sort("issued_on")
    shown = r.outlook.filter((pl.col("channel") == "voice") & (pl.col("month") == SEP))
    assert shown["latest_forecast"].item() == by_then["forecast_contacts"][-1]
    later = operational_report(sample_analysis, "rivage", "2026-09", record=record)
    assert later.outlook["latest_issued_on"].max() > dt.date(2026, 9, 10), "September's committee saw later issues"
    html = record_html(r.record, lines_of="rivage").markup
    assert "Prior-period adjustment" in html and "restated figures of July 2026" in html


def test_the_september_reports_show_the_open_dispute_and_the_payable_part(
    sample_analysis, record: RecordSource
) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-09", record=record)
    [dispute] = r.record.disputes.to_dicts()
    assert (dispute["status"], dispute["age_days"]) == ("open", 2)  # opened 8 October, committee 10 October
    month = r.record.months.row(0, named=True)
    # the provider claims the voice credit at 0: the net can only rise, so the net as computed is payable
    assert month["payable"] == month["net"] and month["in_dispute"] == dispute["amount"]
    state = dict(zip(*statement_lines(r.record, "rivage", SEP).select("line", "state").to_dict().values(), strict=True))
    assert "disputed by the provider for 2 days" in state["credits"]
    assert any(d.startswith("1 open dispute(s) of the statement") for d in r.first_page.decisions)
    assert "open dispute" in first_page_html(r.first_page).markup
    s = strategic_report(sample_analysis, "rivage", "2026-Q3", record=record)
    assert s.committee_date == dt.date(2026, 10, 20)
    assert s.record.months["state"].to_list() == ["locked", "signed", "draft"]
    assert "locked: signed by both" in record_html(s.record).markup
    o = programme_overview(sample_analysis, "2026-Q3", record=record)
    assert o.record.months.height == 4 * 3 and o.record.disputes["partner_id"].to_list() == ["rivage", "sudhorizon"]
    html = record_html(o.record, names=o.partner_names).markup
    assert "Sud Horizon Contact" in html and "<th>Partner</th><th>Month</th><th>Line</th>" in html
    assert "disputed by the client, rejected by Inès Haddad (10 Oct 2026)" in html
    # the disputes' lines and statuses in words, in the report's language (looked up outside polars' threads)
    assert "<td>Credits · Service level · voice</td>" in html and "<td>unanswered</td>" in html
    assert "<td>Gain-share</td>" in html and "<td>rejected</td>" in html
    with in_language("fr"):
        french = record_html(o.record, names=o.partner_names).markup
    assert "<td>Crédits de service · Niveau de service · voix</td>" in french and "<td>sans réponse</td>" in french
    assert "<td>Partage des gains</td>" in french and "<td>rejeté</td>" in french


def test_a_partner_report_holds_only_its_own_record(sample_analysis, record: RecordSource) -> None:
    r = operational_report(sample_analysis, "northcall", "2026-09", record=record)
    for frame in (r.record.months, r.record.history, r.record.disputes, r.record.restatements, r.decisions, r.comments):
        assert set(frame["partner_id"].to_list()) <= {"northcall"}
    assert "Rivage" not in record_html(r.record, lines_of="northcall").markup


def test_breaches_without_a_plan_hand_made() -> None:
    gaps = pl.LazyFrame(
        {
            "partner_id": ["p", "p", "p", "p"],
            "service_level": ["service_level/voice", "csat", "fcr", "service_level/voice"],
            "kpi": ["service_level", "csat", "fcr", "service_level"],
            "channel": ["voice", None, None, "voice"],
            "month": [SEP, SEP, SEP, AUG],
            "value": [0.7, 3.5, 0.6, 0.9],
            "target": [0.8, 4.0, 0.7, 0.8],
            "minimum": [0.75, 3.8, 0.65, 0.75],
            "status": ["breach", "breach", "breach", "met"],
        }
    )
    actions = pl.LazyFrame(
        {
            "partner_id": ["p", "p", "p"],
            "service_level": ["service_level/voice", "csat", "fcr"],
            "kind": ["improvement_plan", "improvement_plan", "action"],
            "raised_on": [dt.date(2026, 8, 10), dt.date(2026, 6, 10), dt.date(2026, 10, 1)],
            "closed_on": [None, dt.date(2026, 8, 31), None],
        }
    )
    missing = breaches_without_plan(gaps, actions, parse_period("2026-09"), dt.date(2026, 10, 10)).collect()
    # voice: a plan open since August; CSAT: its plan closed before September; FCR: an action, not a plan
    assert missing["service_level"].to_list() == ["csat", "fcr"]
    early = breaches_without_plan(gaps, actions, parse_period("2026-09"), dt.date(2026, 8, 9)).collect()
    assert early["service_level"].to_list() == ["csat", "fcr", "service_level/voice"]


def test_the_sample_leaves_a_breach_without_plan_and_the_reports_list_it(sample_analysis, record: RecordSource) -> None:
    r = operational_report(sample_analysis, "rivage", "2026-09", record=record)
    assert r.missing_plans["service_level"].to_list() == ["csat", "quality_score"]
    assert any(
        d.startswith("No improvement plan in the action log for: Customer satisfaction") for d in r.first_page.decisions
    )
    assert r.decisions["decision"].to_list() == [
        "Answer the provider's relief request for the telephony outage of 14 September"
    ]
    assert r.comments["party"].to_list() == ["provider", "client", "provider"]  # voice first, then the topic
    html = follow_up_html(r.decisions, r.comments, r.missing_plans).markup
    assert "Eleven agents left Rabat" in html and "Quality score" in html
    s = strategic_report(sample_analysis, "rivage", "2026-Q3", record=record)
    assert s.decisions.height == 3 and s.missing_plans.height >= 2


DECISIONS = (
    "partner_id,committee,decided_on,decision,owner,due_on\n"
    "northcall,operational,2026-10-10,Add evening staff,Ann,2026-11-01\n"
    "northcall,board,2026-10-10,Add evening staff,Ann,\n"
)
COMMENTS = (
    "partner_id,party,period,service_level,topic,text,written_on\n"
    "northcall,provider,2026-09,service_level/voice,,Absences,2026-10-08\n"
    "northcall,client,2026-09,csat,,No such level,2026-10-09\n"
    "northcall,client,2026-09,,staffing,Late,2026-10-20\n"
)
ACTIONS = (
    "action_id,partner_id,committee,raised_on,owner_party,title,due_on,closed_on,service_level,kind\n"
    "A1,northcall,operational,2026-10-10,provider,Root cause,2026-11-10,,service_level/voice,improvement_plan\n"
    "A2,northcall,operational,2026-10-10,provider,Root cause,2026-11-10,,abandon_rate/voice,plan\n"
)


def test_decisions_comments_and_plans_are_read_and_bad_rows_kept_with_their_reason(tmp_path: Path) -> None:
    files = {"contacts.csv": CONTACTS_CSV, "decisions.csv": DECISIONS, "comments.csv": COMMENTS, "actions.csv": ACTIONS}
    eng = pa.load(write_engagement(tmp_path / "eng", files))
    assert eng.table("decisions").collect()["decision"].to_list() == ["Add evening staff"]
    rejected = {
        (r["table"], r["row"]): (r["column"], r["reason"])
        for r in eng.rejected.filter(pl.col("table").is_in(["decisions", "comments", "actions"])).collect().to_dicts()
    }
    assert rejected[("decisions", 3)][0] == "committee" and "board" in rejected[("decisions", 3)][1]
    assert rejected[("comments", 3)] == (
        "service_level",
        "unknown service level 'csat' of the partner "
        "(expected one of: service_level/voice, abandon_rate/voice, asa/voice)",
    )
    assert rejected[("actions", 3)][0] == "kind"
    comments = eng.table("comments").collect()
    assert comments.height == 2
    shown = period_comments(comments.lazy(), parse_period("2026-09"), dt.date(2026, 10, 10)).collect()
    assert shown["text"].to_list() == ["Absences"]  # the comment of 20 October came after the committee
