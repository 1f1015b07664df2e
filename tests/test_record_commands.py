"""The record end to end on an engagement: sign, a corrected export, the restatement carried into the
next open month, the locked month shown as signed, the status command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import partner_analytics as pa
from partner_analytics.cli import main
from partner_analytics.io.lineage import lineage
from partner_analytics.pipeline import analyse
from partner_analytics.record import committee_record

from .conftest import CONTACTS_CSV, write_engagement

AUGUST = "c4,northcall,voice,2026-08-03 09:00:00,true,5,200,cust3,\n"
LATE = "c5,northcall,voice,2026-08-04 10:00:00,true,6,220,cust4,\n"


def status_of(folder: Path):
    eng = pa.load(folder).collected()
    statement = analyse(eng).statement.collect()
    return committee_record(folder / "ledger.jsonl", statement, lineage(eng), dt.date(2026, 10, 15))


@pytest.fixture
def two_months(tmp_path: Path) -> Path:
    return write_engagement(tmp_path / "e", {"contacts.csv": CONTACTS_CSV + AUGUST})


def test_a_late_contact_after_august_is_locked(two_months: Path, capsys: pytest.CaptureFixture[str]) -> None:
    e = ["--engagement", str(two_months)]
    for party, by in (("provider", "Jo"), ("client", "Ann")):
        assert main(["sign", "2026-08", "--partner", "northcall", "--party", party, "--by", by, *e]) == 0
    before = status_of(two_months).statement.filter(month=dt.date(2026, 8, 1), partner_id="northcall")
    # one handled voice contact at 4.10
    assert before.select("charges", "net", "state").row(0) == (410, 410, "locked")
    # a late export adds a second handled August contact: August would be 8.20
    (two_months / "contacts.csv").write_text(CONTACTS_CSV + AUGUST + LATE, encoding="utf-8")
    record = status_of(two_months).partner("northcall")
    assert record.restatements.select("month", "line", "original", "restated", "net_effect", "adjusted_in").rows() == [
        (dt.date(2026, 8, 1), "charges", 410, 820, 410, dt.date(2026, 9, 1))
    ]
    assert record.restatements["reason"][0] == "inputs differ from those signed: contacts.csv (changed)"
    rows = record.statement.select("month", "charges", "prior_period_adjustment", "net", "state", "restated").rows()
    assert rows == [
        (dt.date(2026, 8, 1), 410, 0, 410, "locked", True),  # regenerated later: the same figures as signed
        (dt.date(2026, 9, 1), 410, 410, 410 + 410, "draft", False),  # September's 4.10 + 4.10 carried
    ]
    assert (
        record.statement["signed"][0].startswith("provider (Jo, ")
        and "; client (Ann, " in record.statement["signed"][0]
    )
    assert main(["ledger", "status", "--partner", "northcall", *e]) == 0
    out = capsys.readouterr().out
    # 8.20: the restated August line, September's net with the 4.10 carried, and its payable
    assert "locked," in out and "(changed)" in out and out.count("8.20") == 3
    assert "2 ledger entries, chain verified" in out


def test_disputes_and_the_status_of_an_unknown_partner(two_months: Path, capsys: pytest.CaptureFixture[str]) -> None:
    e = ["--engagement", str(two_months)]
    args = ["dispute", "2026-09", "--partner", "northcall", "--line", "charges", "--reason", "duplicate contact"]
    assert main([*args, "--claimed", "0", "--party", "client", "--by", "Ann", *e]) == 0
    september = status_of(two_months).statement.filter(month=dt.date(2026, 9, 1), partner_id="northcall")
    # the whole 4.10 of charges is disputed: nothing payable, 4.10 in dispute
    assert september.select("net", "payable", "in_dispute", "open_disputes").row(0) == (410, 0, 410, 1)
    assert main(["ledger", "status", "--partner", "northcal", *e]) == 1
    assert "partner 'northcal' is not in the contract (did you mean 'northcall'?)" in capsys.readouterr().err


def test_the_sample_carries_a_signed_month_a_dispute_and_a_restatement(
    sample_dir: Path, sample_engagement, sample_analysis
) -> None:
    statement = sample_analysis.statement.collect()
    record = committee_record(sample_dir / "ledger.jsonl", statement, lineage(sample_engagement), dt.date(2026, 10, 12))
    states = record.statement.filter(pl.col("state") != "draft").select("partner_id", "month", "state").rows()
    jul, aug, sep = dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)
    assert states == [
        ("atlas", jul, "locked"),
        ("northcall", jul, "locked"),
        ("rivage", jul, "locked"),
        ("rivage", aug, "signed"),
        ("sudhorizon", jul, "locked"),
    ]
    # Rivage's email line of July (1,557.60) came after July was signed; the credits follow at 15 %:
    # 0.15 × 1,557.60 = 233.64; the net moves by 1,557.60 − 233.64 = 1,323.96, carried into August
    assert record.restatements.select("line", "original", "restated", "net_effect", "adjusted_in").rows() == [
        ("charges", 2_726_840, 2_882_600, 155_760, aug),
        ("credits", 409_026, 432_390, -23_364, aug),
    ]
    assert record.restatements["reason"][0] == "inputs differ from those signed: exports/factures.csv (changed)"
    rivage = record.statement.filter(partner_id="rivage").select(
        "month", "prior_period_adjustment", "net", "payable", "in_dispute"
    )
    computed = dict(statement.filter(partner_id="rivage").select("month", "net").iter_rows())
    assert rivage.filter(pl.col("month") >= jul).rows() == [
        (jul, 0, 2_317_814, 2_317_814, 0),  # as signed: 27,268.40 − 4,090.26 + the rest
        (aug, 132_396, computed[aug] + 132_396, computed[aug] + 132_396, 0),
        # the voice credit of 1,326.09 disputed by the provider (claimed 0): the net as computed is payable
        (sep, 0, computed[sep], computed[sep], 132_609),
    ]
    assert record.disputes.select("partner_id", "line", "amount", "status", "age_days").rows() == [
        ("rivage", "credit:service_level/voice", 132_609, "open", 4),
        ("sudhorizon", "gain_share", 31_800, "rejected", 2),
    ]


def test_the_sample_record_as_the_september_committee_saw_it(
    sample_dir: Path, sample_engagement, sample_analysis
) -> None:
    statement = sample_analysis.statement.collect()
    seen = committee_record(
        sample_dir / "ledger.jsonl",
        statement,
        lineage(sample_engagement),
        dt.date(2026, 12, 1),
        as_of=dt.date(2026, 10, 9),
    )
    # on 9 October: both disputes open (opened on the 8th, one day old), Sud Horizon's not yet rejected
    assert seen.disputes.select("partner_id", "status", "age_days").rows() == [
        ("rivage", "open", 1),
        ("sudhorizon", "open", 1),
    ]
    before = committee_record(
        sample_dir / "ledger.jsonl",
        statement,
        lineage(sample_engagement),
        dt.date(2026, 12, 1),
        as_of=dt.date(2026, 8, 9),
    )
    # on 9 August, the eve of July's committee, nothing was signed: every month a draft, nothing restated
    assert set(before.statement["state"]) == {"draft"}
    assert before.restatements.is_empty() and before.entries == 0
    july = committee_record(
        sample_dir / "ledger.jsonl",
        statement,
        lineage(sample_engagement),
        dt.date(2026, 12, 1),
        as_of=dt.date(2026, 8, 10),
    )
    # at July's committee both parties signed July for the four partners (2 × 4 entries): July locked,
    # Rivage's restated
    locked = july.statement.filter(pl.col("state") == "locked")
    assert locked.select("partner_id", "month").rows() == [
        (p, dt.date(2026, 7, 1)) for p in ("atlas", "northcall", "rivage", "sudhorizon")
    ]
    assert july.entries == 2 * 4 and set(july.restatements["partner_id"]) == {"rivage"}
