"""Locked months never change silently: a recomputation that differs from the signed figures becomes a
prior-period adjustment of the next open month, to the cent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from partner_analytics.record import locked_months, read_ledger, recorded_statement, restatements, sign

from .test_signoff import LINEAGE, statement_of

JUL, AUG, SEP = dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)
# (partner, month, charges, credits, gain-share): net = charges − credits + gain-share
SIGNED = statement_of(
    [
        ("northcall", JUL, 1_000_000, 30_000, 5_000),  # net 9,750.00
        ("northcall", AUG, 1_200_000, 0, -2_000),  # net 11,980.00
        ("northcall", SEP, 1_100_000, 15_000, 0),  # net 10,850.00
    ]
)
# a corrected export: August's charges 12,410.00 and a credit of 150.00; September's charges 11,200.00
RESTATED = statement_of(
    [
        ("northcall", JUL, 1_000_000, 30_000, 5_000),  # net 9,750.00
        ("northcall", AUG, 1_241_000, 15_000, -2_000),  # net 12,240.00
        ("northcall", SEP, 1_120_000, 15_000, 0),  # net 11,050.00
    ]
)
CORRECTED = LINEAGE | {"inputs": [{"file": "contacts.csv", "sha256": "b" * 64}]}


def locked_for(tmp_path: Path, *periods: str) -> list[dict]:
    ledger = tmp_path / "ledger.jsonl"
    for period in periods:
        for party, by in (("provider", "Jo"), ("client", "Ann")):
            sign(ledger, SIGNED, LINEAGE, ("northcall",), period=period, partner_id="northcall", party=party, by=by)
    return locked_months(read_ledger(ledger))


def test_a_restated_locked_month_is_carried_into_the_next_open_month(tmp_path: Path) -> None:
    locked = locked_for(tmp_path, "2026-07", "2026-08")
    found = restatements(RESTATED, locked, CORRECTED)
    reason = "inputs differ from those signed: contacts.csv (changed)"
    assert found.rows() == [
        ("northcall", AUG, "charges", 1_200_000, 1_241_000, 41_000, 41_000, SEP, reason),
        ("northcall", AUG, "credits", 0, 15_000, 15_000, -15_000, SEP, reason),
    ]
    # August's net restated: 12,240.00 − 11,980.00 = +260.00 = 410.00 of charges − 150.00 of credits
    assert found["net_effect"].sum() == 1_224_000 - 1_198_000 == 26_000
    shown = recorded_statement(RESTATED.lazy(), locked, found.lazy()).collect()
    assert shown.select("month", "charges", "credits", "prior_period_adjustment", "net", "locked").rows() == [
        (JUL, 1_000_000, 30_000, 0, 975_000, True),
        (AUG, 1_200_000, 0, 0, 1_198_000, True),  # the figures signed stay
        (SEP, 1_120_000, 15_000, 26_000, 1_105_000 + 26_000, False),  # 11,050.00 + 260.00 = 11,310.00
    ]
    # nothing lost: 9,750.00 + 11,980.00 + 11,310.00 = 33,040.00, the months restated in total
    assert shown["net"].sum() == RESTATED["net"].sum() == 3_304_000


def test_without_a_change_or_a_lock_the_statement_is_as_computed(tmp_path: Path) -> None:
    assert restatements(SIGNED, locked_for(tmp_path, "2026-08"), LINEAGE).is_empty()
    empty = restatements(RESTATED, [], CORRECTED)
    assert empty.is_empty()
    shown = recorded_statement(RESTATED.lazy(), [], empty.lazy()).collect()
    assert shown.drop("prior_period_adjustment", "locked").equals(
        RESTATED.select(shown.drop("prior_period_adjustment", "locked").columns)
    )
    assert shown["prior_period_adjustment"].to_list() == [0, 0, 0] and not shown["locked"].any()


def test_a_restatement_waits_for_an_open_month(tmp_path: Path) -> None:
    locked = locked_for(tmp_path, "2026-Q3")
    found = restatements(RESTATED, locked, CORRECTED)
    # July to September all locked: August's and September's differences wait for October
    assert found.select("month", "line", "net_effect", "adjusted_in").rows() == [
        (AUG, "charges", 41_000, None),
        (AUG, "credits", -15_000, None),
        (SEP, "charges", 20_000, None),
    ]
    shown = recorded_statement(RESTATED.lazy(), locked, found.lazy()).collect()
    assert shown["net"].to_list() == [975_000, 1_198_000, 1_085_000]


def test_the_reason_names_the_inputs_that_moved() -> None:
    from partner_analytics.record import restatement_reason

    assert restatement_reason({"a.csv": "1", "b.csv": "2"}, {"a.csv": "1", "b.csv": "3", "c.csv": "4"}) == (
        "inputs differ from those signed: b.csv (changed), c.csv (new)"
    )
    assert (
        restatement_reason({"a.csv": "1"}, {"a.csv": "1"})
        == "the inputs signed, computed again: the computation changed"
    )
