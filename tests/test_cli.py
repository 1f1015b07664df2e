"""The command line: summaries, and errors as one clear line with a non-zero status (traceback with --debug)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from partner_analytics.cli import main

from .conftest import CONTACTS_CSV, write_engagement


def test_check_summarises_and_lists_rejected_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_engagement(
        tmp_path / "e", {"contacts.csv": CONTACTS_CSV + "c9,acme,voice,2026-09-01 09:00:00,true,1,1,,\n"}
    )
    out_csv = tmp_path / "rejected.csv"
    assert main(["check", "--engagement", str(folder), "--rejected-out", str(out_csv)]) == 0
    out = capsys.readouterr().out
    assert "Example Energy" in out and "2026-09 to 2026-09 (1 months)" in out
    assert "northcall" in out and "southdesk" in out
    assert "contacts.csv" in out and "unknown partner 'acme'" in out
    assert out_csv.read_text().splitlines()[0] == "table,file,row,column,value,reason,record"
    assert len(out_csv.read_text().splitlines()) == 2


def test_errors_are_one_line_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--engagement", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {tmp_path}: not an engagement")
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "check", "--engagement", str(tmp_path)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-such-option"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_console_script_exit_status(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("partner-analytics")
    run = subprocess.run(
        [str(exe), "check", "-e", str(tmp_path / "nowhere")], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert run.stderr.strip().startswith("error:") and "Traceback" not in run.stderr


def test_tables_writes_every_table_for_excel(
    engagement_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tables"
    assert main(["tables", "--engagement", str(engagement_dir), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    for table in (
        "results",
        "gaps",
        "credits",
        "corridor",
        "statement",
        "transparency",
        "reconciliation",
        "actions",
        "reversibility",
        "rejected",
    ):
        assert f"{table}.csv" in names
    assert "lineage.json" in names and not [n for n in names if n.startswith(".")], "no temporary file left"
    statement = (out / "statement.csv").read_text().splitlines()
    assert (
        statement[0]
        == "partner_id,month,basis,charges,credits,credits_provisional,earned_back,bonus,corridor_compensation,gain_share,resource_adjustment,net"
    )
    # northcall answered c1 (voice, 4.10); southdesk has a monthly fee of 20,000.00
    assert statement[1] == "northcall,2026-09-01,pricing,4.10,0.00,0.00,0.00,0.00,0.00,0.00,0.00,4.10"
    assert statement[2] == "southdesk,2026-09-01,pricing,20000.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,20000.00"
    assert main(["tables", "--engagement", str(engagement_dir), "--out", str(tmp_path / "x"), "--format", "xlsx"]) == 0
    assert (tmp_path / "x" / "tables.xlsx").stat().st_size > 0


def test_tables_on_a_broken_engagement_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_engagement(tmp_path / "e", {"contacts.csv": "contact_id,partner_id\nc1,northcall\n"})
    out = tmp_path / "tables"
    assert main(["tables", "--engagement", str(folder), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "contacts.csv" in err and "required column 'channel'" in err
    assert err.count("\n") == 1
    assert not out.exists()
