"""The committee's ledger: hash-chained, append-only, safe with two writers at once and across a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from partner_analytics.cli import main
from partner_analytics.record import GENESIS, LedgerError, append_entry, entry_hash, ledger_problems, read_ledger


def three_entries(path: Path) -> list[dict]:
    return [append_entry(path, "note", {"text": t}) for t in ("one", "two", "three")]


def rewrite(path: Path, entries: list[dict]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def test_entries_are_chained_by_their_hashes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    first, second, third = three_entries(path)
    assert [e["seq"] for e in read_ledger(path)] == [1, 2, 3]
    assert first["prev"] == GENESIS and second["prev"] == first["hash"] and third["prev"] == second["hash"]
    assert third["hash"] == entry_hash(third) and len(third["hash"]) == 64
    assert ledger_problems(read_ledger(path)) == []


def test_an_edited_entry_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    entries = three_entries(path)
    entries[1]["data"]["text"] = "TWO"
    rewrite(path, entries)
    assert ledger_problems(read_ledger(path)) == ["line 2: its content does not match its hash (the entry was edited)"]


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_next_link(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    entries = three_entries(path)
    entries[1]["data"]["text"] = "TWO"
    entries[1]["hash"] = entry_hash(entries[1])
    rewrite(path, entries)
    assert ledger_problems(read_ledger(path)) == [
        "line 3: does not follow the entry before it (an entry was deleted, added or moved)"
    ]


def test_reordered_and_deleted_entries_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    one, two, three = three_entries(path)
    rewrite(path, [one, three, two])
    assert any("line 2: does not follow" in p for p in ledger_problems(read_ledger(path)))
    rewrite(path, [one, three])
    assert ledger_problems(read_ledger(path)) == [
        "line 2: does not follow the entry before it (an entry was deleted, added or moved)",
        "line 2: numbered 3, expected 2 (an entry was deleted or moved)",
    ]
    # the last entry deleted leaves a valid shorter chain: the head a party kept tells
    rewrite(path, [one, two])
    assert ledger_problems(read_ledger(path)) == []
    assert ledger_problems(read_ledger(path), head=three["hash"]) == [
        f"the entry with hash {three['hash'][:12]}… is not in the ledger (entries were deleted at its end)"
    ]


def test_a_broken_ledger_refuses_new_entries_and_says_how_to_repair(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    entries = three_entries(path)
    entries[0]["data"]["text"] = "ONE"
    rewrite(path, entries)
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="line 1: its content does not match its hash.*restore ledger.jsonl"):
        append_entry(path, "note", {"text": "four"})
    assert path.read_bytes() == before


def test_a_crash_between_write_and_rename_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ledger.jsonl"
    three_entries(path)
    before = path.read_bytes()

    def crash(*_args: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        append_entry(path, "note", {"text": "four"})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.jsonl", "ledger.jsonl.lock"]
    assert append_entry(path, "note", {"text": "four"})["seq"] == 4


WRITER = """
import sys
from pathlib import Path
from partner_analytics.record import append_entry
for i in range(25):
    append_entry(Path(sys.argv[1]), "note", {"writer": sys.argv[2], "i": i})
"""


def test_two_writers_at_once_both_land(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    env = os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], env=env) for name in ("client", "provider")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    entries = read_ledger(path)
    assert len(entries) == 50 and ledger_problems(entries) == []
    for name in ("client", "provider"):
        assert [e["data"]["i"] for e in entries if e["data"]["writer"] == name] == list(range(25))


def test_ledger_verify_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ledger.jsonl"
    entries = three_entries(path)
    assert main(["ledger", "verify", "--engagement", str(tmp_path)]) == 0
    assert f"3 entries, chain verified; head {entries[-1]['hash']}" in capsys.readouterr().out
    rewrite(path, entries[:2])
    assert main(["ledger", "verify", "--engagement", str(tmp_path), "--head", entries[-1]["hash"]]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not in the ledger" in err and "restore ledger.jsonl" in err
