"""Sign-off: each party signs a partner's statement once; both signatures lock the period; bad input
changes nothing."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from partner_analytics.cli import main
from partner_analytics.record import LedgerError, RecordError, locked_months, read_ledger, sign, signatures

LINEAGE = {
    "digest": "d" * 64,
    "contract": {"file": "contract.yaml", "sha256": "c" * 64},
    "inputs": [{"file": "contacts.csv", "sha256": "a" * 64}],
}
PARTNERS = ("northcall", "southdesk")
ZERO = dict.fromkeys(("credits_provisional", "earned_back", "bonus", "corridor_compensation", "resource_adjustment"), 0)


def statement_of(rows: list[tuple[str, dt.date, int, int, int]]) -> pl.DataFrame:
    """A statement from (partner, month, charges, credits, gain_share): net = charges − credits + gain_share."""
    return pl.DataFrame(
        [
            {"partner_id": p, "month": m, "basis": "pricing", "charges": c, "credits": k, "gain_share": g}
            | ZERO
            | {"net": c - k + g}
            for p, m, c, k, g in rows
        ]
    )


STATEMENT = statement_of(
    [
        ("northcall", dt.date(2026, 7, 1), 10_000_00, 300_00, 50_00),
        ("northcall", dt.date(2026, 8, 1), 12_000_00, 0, -20_00),
        ("northcall", dt.date(2026, 9, 1), 11_000_00, 150_00, 0),
    ]
)


def signed(ledger: Path, party: str, period: str = "2026-08", statement: pl.DataFrame = STATEMENT, **kw) -> dict:
    return sign(
        ledger, statement, LINEAGE, PARTNERS, period=period, partner_id="northcall", party=party, by=kw.get("by", "Ann")
    )


def test_both_signatures_lock_the_period_with_the_figures_signed(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    entry = signed(ledger, "client")
    assert entry["data"]["figures"] == {
        "2026-08": {"charges": 12_000_00, "credits": 0, "gain_share": -20_00} | ZERO | {"net": 11_980_00}
    }
    assert entry["data"]["inputs"]["files"] == {"contract.yaml": "c" * 64, "contacts.csv": "a" * 64}
    assert locked_months(read_ledger(ledger)) == []
    signed(ledger, "provider", by="Bo")
    [month] = locked_months(read_ledger(ledger))
    assert (month["partner_id"], month["month"], month["figures"]["net"]) == ("northcall", "2026-08", 11_980_00)
    assert [s[:2] for s in month["signed"]] == [("client", "Ann"), ("provider", "Bo")]
    table = signatures(read_ledger(ledger))
    assert table.select("party", "signed_by", "net").rows() == [
        ("client", "Ann", 11_980_00),
        ("provider", "Bo", 11_980_00),
    ]


def test_a_quarter_signed_by_both_locks_its_three_months(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    q3 = statement_of([("northcall", dt.date(2026, m, 1), 1_000_00 * m, 0, 0) for m in (7, 8, 9)])
    entry = signed(ledger, "client", "2026-Q3", q3)
    # net of the quarter: 7,000.00 + 8,000.00 + 9,000.00 = 24,000.00
    assert sum(f["net"] for f in entry["data"]["figures"].values()) == 24_000_00
    signed(ledger, "provider", "2026-Q3", q3)
    assert [m["month"] for m in locked_months(read_ledger(ledger))] == ["2026-07", "2026-08", "2026-09"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "2026-10"}, "no statement of northcall for 2026-10: the data covers 2026-07 to 2026-09"),
        ({"period": "2026-Q4"}, "no statement of northcall for 2026-10, 2026-11, 2026-12"),
        ({"period": "2026-13"}, "month 13 does not exist"),
        ({"partner_id": "nortcall"}, "partner 'nortcall' is not in the contract (did you mean 'northcall'?)"),
        ({"party": "auditor"}, "party 'auditor': expected client or provider"),
        ({"by": " "}, "expected --by NAME"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(tmp_path: Path, kwargs: dict, message: str) -> None:
    ledger = tmp_path / "ledger.jsonl"
    args = {"period": "2026-08", "partner_id": "northcall", "party": "client", "by": "Ann"} | kwargs
    with pytest.raises(RecordError, match=re.escape(message)):
        sign(ledger, STATEMENT, LINEAGE, PARTNERS, **args)
    assert not ledger.exists()


def test_a_second_signature_of_the_same_party_is_refused(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    signed(ledger, "client")
    before = ledger.read_bytes()
    with pytest.raises(RecordError, match=r"2026-08 of northcall is already signed by the client \(Ann, .*entry 1\)"):
        signed(ledger, "client", by="Cy")
    assert ledger.read_bytes() == before


def test_figures_other_than_those_signed_are_refused(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    signed(ledger, "client")
    later = STATEMENT.with_columns(
        pl.when(pl.col("month") == dt.date(2026, 8, 1)).then(pl.col("net") - 1).otherwise("net").alias("net")
    )
    with pytest.raises(RecordError, match="net 1198000 cents then, 1197999 now"):
        signed(ledger, "provider", statement=later)
    assert len(read_ledger(ledger)) == 1


def test_a_ledger_failing_verification_refuses_a_signature(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    signed(ledger, "client")
    ledger.write_text(ledger.read_text().replace('"Ann"', '"Eve"'))
    before = ledger.read_bytes()
    with pytest.raises(LedgerError, match="line 1: its content does not match its hash.*restore ledger.jsonl"):
        signed(ledger, "provider")
    assert ledger.read_bytes() == before


def test_sign_command(engagement_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["sign", "2026-09", "--partner", "northcall", "--engagement", str(engagement_dir)]
    assert main([*base, "--party", "client", "--by", "Ann"]) == 0
    # 1 handled voice contact at 4.10
    assert "signed by the client (Ann): net 4.10 EUR; awaiting the other party's signature" in capsys.readouterr().out
    assert main([*base, "--party", "provider", "--by", "Bo"]) == 0
    assert "signed by both parties: locked (ledger entry 2)" in capsys.readouterr().out
    assert main([*base, "--party", "provider", "--by", "Bo"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already signed by the provider" in err
    assert (
        main(["sign", "2026-08", "--partner", "northcall", "--party", "client", "--by", "A", "-e", str(engagement_dir)])
        == 1
    )
    assert "no statement of northcall for 2026-08: the data covers 2026-09 to 2026-09" in capsys.readouterr().err
    assert len(read_ledger(engagement_dir / "ledger.jsonl")) == 2


def test_two_sign_commands_at_once_both_land(engagement_dir: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])}
    base = [sys.executable, "-m", "partner_analytics.cli", "sign", "2026-09", "--partner", "northcall"]
    commands = [
        subprocess.Popen([*base, "--party", party, "--by", by, "-e", str(engagement_dir)], env=env)
        for party, by in (("client", "Ann"), ("provider", "Bo"))
    ]
    assert [c.wait(timeout=300) for c in commands] == [0, 0]
    entries = read_ledger(engagement_dir / "ledger.jsonl")
    assert sorted(e["data"]["party"] for e in entries) == ["client", "provider"]
    assert [m["month"] for m in locked_months(entries)] == ["2026-09"]
