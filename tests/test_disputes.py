"""Disputes: a disputed line leaves the undisputed part of the month payable; answers settle the line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from partner_analytics.cli import main
from partner_analytics.record import RecordError, dispute, disputes, line_amounts, payable, read_ledger, resolve

AUG = dt.date(2026, 8, 1)
ZERO = dict.fromkeys(("credits_provisional", "earned_back", "bonus", "corridor_compensation", "resource_adjustment"), 0)
# charges 10,000.00 − credits 300.00 + gain-share 50.00 = net 9,750.00
STATEMENT = pl.DataFrame(
    [
        {"partner_id": "northcall", "month": AUG, "basis": "pricing"}
        | {"charges": 1_000_000, "credits": 30_000, "gain_share": 5_000}
        | ZERO
        | {"net": 975_000}
    ]
)
CREDITS = pl.DataFrame(
    {
        "partner_id": ["northcall", "northcall"],
        "service_level": ["service_level/voice", "csat"],
        "month": [AUG, AUG],
        "credit": [20_000, 10_000],
    }
)
OPENED = dt.datetime(2026, 9, 10, 9, 0, tzinfo=dt.UTC)


def disputed(ledger: Path, line: str, party: str, claimed: int = 0, **kw) -> dict:
    return dispute(
        ledger,
        STATEMENT,
        CREDITS,
        ("northcall",),
        month=kw.get("month", "2026-08"),
        partner_id="northcall",
        line=line,
        reason=kw.get("reason", "the relief of the storm of 12 August"),
        party=party,
        by="Jo",
        claimed=claimed,
        at=OPENED,
    )


def money(ledger: Path, today: dt.date = dt.date(2026, 10, 1)) -> dict:
    frame = disputes(read_ledger(ledger), today)
    return payable(STATEMENT.lazy(), frame.lazy()).collect().row(0, named=True)


def test_the_lines_of_a_month() -> None:
    amounts = line_amounts(STATEMENT, CREDITS, "northcall", AUG)
    assert amounts["charges"] == 1_000_000 and amounts["credits"] == 30_000
    assert amounts["credit:service_level/voice"] == 20_000 and amounts["credit:csat"] == 10_000


def test_a_disputed_line_leaves_the_undisputed_part_payable(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    assert money(ledger) | {"month": None} == {
        "partner_id": "northcall",
        "month": None,
        "net": 975_000,
        "settled_net": 975_000,
        "payable": 975_000,
        "in_dispute": 0,
        "open_disputes": 0,
    }
    # the client disputes the charges, holding 9,400.00 right: the net could fall by 600.00
    disputed(ledger, "charges", "client", claimed=940_000)
    got = money(ledger)
    assert (got["payable"], got["in_dispute"]) == (975_000 - 60_000, 60_000)
    # the provider disputes the voice credit of 200.00 (claimed 0): the net could rise by 200.00
    disputed(ledger, "credit:service_level/voice", "provider")
    got = money(ledger)
    # payable: 9,750.00 − 600.00 = 9,150.00, whatever the answers; in dispute: 600.00 + 200.00
    assert (got["payable"], got["in_dispute"], got["open_disputes"]) == (915_000, 80_000, 2)
    table = disputes(read_ledger(ledger), dt.date(2026, 10, 1))
    assert table.select("dispute", "line", "status", "age_days").rows() == [
        (1, "charges", "open", 21),
        (2, "credit:service_level/voice", "open", 21),
    ]
    # charges amended to 9,700.00: settled net 9,750.00 − 300.00 = 9,450.00; the voice credit still open
    resolve(ledger, 1, outcome="amended", amount=970_000, party="provider", by="Bo", at=OPENED + dt.timedelta(days=5))
    got = money(ledger)
    assert (got["settled_net"], got["payable"], got["in_dispute"]) == (945_000, 945_000, 20_000)
    # the voice credit's dispute rejected: the credit stays, nothing left in dispute
    resolve(ledger, 2, outcome="rejected", party="client", by="Ann", at=OPENED + dt.timedelta(days=8))
    got = money(ledger)
    assert (got["settled_net"], got["payable"], got["in_dispute"], got["open_disputes"]) == (945_000, 945_000, 0, 0)
    table = disputes(read_ledger(ledger), dt.date(2026, 10, 1))
    assert table.select("status", "settled", "age_days").rows() == [("amended", 970_000, 5), ("rejected", 20_000, 8)]


def test_an_accepted_dispute_settles_at_the_amount_claimed(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    disputed(ledger, "credit:csat", "provider", claimed=4_000)
    resolve(ledger, 1, outcome="accepted", party="client", by="Ann")
    # credits 300.00 → 240.00: net 9,750.00 + 60.00
    assert money(ledger)["settled_net"] == 981_000


def test_payable_is_nothing_when_the_disputes_could_turn_who_pays() -> None:
    frame = pl.LazyFrame([{"partner_id": "northcall", "month": AUG, "net": -5_000}])
    data = {"partner_id": "northcall", "month": "2026-08", "line": "gain_share", "amount": 0, "claimed": 20_000}
    entry = {
        "seq": 1,
        "kind": "dispute",
        "at": OPENED.isoformat(),
        "data": data | {"reason": "r", "party": "provider", "by": "Jo"},
    }
    got = payable(frame, disputes([entry], dt.date(2026, 10, 1)).lazy()).collect().row(0, named=True)
    # −50.00 (the provider pays) or +150.00 (the client pays): nothing is owed either way until resolved
    assert (got["payable"], got["in_dispute"]) == (0, 20_000)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: disputed(p, "bonuses", "client"), "line 'bonuses' is not in the statement (did you mean 'bonus'?)"),
        (lambda p: disputed(p, "credit:fcr", "client"), "line 'credit:fcr' is not in the statement"),
        (lambda p: disputed(p, "charges", "client", month="2026-07"), "no statement of northcall for 2026-07"),
        (lambda p: disputed(p, "charges", "client", month="2026-Q3"), "a dispute is on a month's statement"),
        (lambda p: disputed(p, "charges", "client", reason=""), "empty: expected --reason TEXT"),
        (lambda p: resolve(p, 7, outcome="accepted", party="client", by="A"), "no dispute 7 in the ledger"),
        (lambda p: resolve(p, 1, outcome="amended", party="client", by="A"), "an amended dispute needs --amount"),
        (lambda p: resolve(p, 1, outcome="won", party="client", by="A"), "expected accepted, rejected or amended"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(tmp_path: Path, call, message: str) -> None:
    ledger = tmp_path / "ledger.jsonl"
    with pytest.raises(RecordError, match=re.escape(message)):
        call(ledger)
    assert not ledger.exists()


def test_a_line_is_disputed_once_at_a_time_and_answered_once(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    disputed(ledger, "charges", "client")
    with pytest.raises(RecordError, match=re.escape("charges of northcall 2026-08 is already in dispute (dispute 1)")):
        disputed(ledger, "charges", "provider")
    resolve(ledger, 1, outcome="rejected", party="provider", by="Bo", at=OPENED)
    with pytest.raises(RecordError, match=re.escape("dispute 1 is already rejected (2026-09-10)")):
        resolve(ledger, 1, outcome="accepted", party="provider", by="Bo")
    assert len(read_ledger(ledger)) == 2
    disputed(ledger, "charges", "provider")  # answered, the line can be disputed again
    assert len(read_ledger(ledger)) == 3


def test_dispute_and_resolve_commands(engagement_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    e = ["--engagement", str(engagement_dir)]
    base = ["dispute", "2026-09", "--partner", "northcall", "--party", "client", "--by", "Ann", *e]
    assert main([*base, "--line", "charges", "--reason", "one contact billed twice", "--claimed", "0.00"]) == 0
    assert "dispute 1: charges of northcall 2026-09 (4.10 EUR, 0.00 EUR claimed)" in capsys.readouterr().out
    assert main([*base, "--line", "charge", "--reason", "x"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 'charge' is not in the statement (did you mean 'charges'?)" in err
    assert main([*base, "--line", "bonus", "--reason", "x", "--claimed", "1.005"]) == 1
    assert "error: --claimed: '1.005': expected an amount with at most 2 decimals" in capsys.readouterr().err
    ok = ["resolve", "1", "--outcome", "amended", "--amount", "2.05", "--party", "provider", "--by", "Bo", *e]
    assert main(ok) == 0
    assert "dispute 1 amended: the line settles at 2.05" in capsys.readouterr().out
    assert len(read_ledger(engagement_dir / "ledger.jsonl")) == 2
