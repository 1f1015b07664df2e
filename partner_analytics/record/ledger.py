"""The committee's ledger: an append-only file of JSON lines, each entry chained to the one before it
by a SHA-256 hash (formulas.md §10), kept in the engagement folder (`ledger.jsonl`).

JSON lines rather than SQLite: the ledger is a file both parties keep and exchange, so it must be
readable and comparable line by line with ordinary tools (a text diff shows what differs between two
copies), and it holds a few hundred entries a year, far from needing a database. Every write takes an
exclusive lock on a lock file beside it (`ledger.jsonl.lock`, fcntl.flock), reads and verifies the
whole chain, then writes the old entries plus the new one to a temporary file, flushes it to disk and
renames it over the ledger: a crash leaves the ledger as it was or complete, never half-written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_path
from ..core.errors import EngagementError

__all__ = [
    "GENESIS",
    "LEDGER_FILE",
    "LedgerError",
    "RecordError",
    "append_entry",
    "entry_hash",
    "ledger_path",
    "ledger_problems",
    "read_ledger",
    "verified_ledger",
]

LEDGER_FILE = "ledger.jsonl"
GENESIS = "0" * 64  # the `prev` of the first entry

REPAIR = (
    "the ledger fails verification: restore ledger.jsonl from the other party's copy (or a backup), then run "
    "`partner-analytics ledger verify`"
)


class RecordError(EngagementError):
    """A command of the record refused: nothing was written to the ledger."""


class LedgerError(RecordError):
    """The ledger is unreadable or its chain is broken."""


def ledger_path(engagement: str | Path) -> Path:
    """The ledger of an engagement folder."""
    return Path(engagement) / LEDGER_FILE


def entry_hash(entry: dict[str, Any]) -> str:
    """The SHA-256 of an entry's fields other than `hash`, as canonical JSON (sorted keys, no spaces)."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_ledger(path: Path) -> list[dict[str, Any]]:
    """The entries of the ledger in file order (none when there is no ledger yet)."""
    if not path.is_file():
        return []
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            raise LedgerError(f"not a JSON object ({e.msg}); {REPAIR}", file=path, key=f"line {n}") from None
        if not isinstance(entry, dict):
            raise LedgerError(f"expected a JSON object; {REPAIR}", file=path, key=f"line {n}")
        entries.append(entry)
    return entries


def ledger_problems(entries: list[dict[str, Any]], head: str | None = None) -> list[str]:
    """What breaks the chain, one line per problem, first to last (empty: the ledger verifies).

    An edited entry no longer matches its own hash; a deleted or moved entry breaks the `prev` link or
    the numbering of the one after it. Deleting the last entries leaves a valid shorter chain: `head`,
    the hash of the last entry a party kept, detects that (it must still be in the ledger).
    """
    problems = []
    prev = GENESIS
    for n, entry in enumerate(entries, start=1):
        where = f"line {n}"
        if entry.get("hash") != entry_hash(entry):
            problems.append(f"{where}: its content does not match its hash (the entry was edited)")
        if entry.get("prev") != prev:
            problems.append(f"{where}: does not follow the entry before it (an entry was deleted, added or moved)")
        if entry.get("seq") != n:
            problems.append(f"{where}: numbered {entry.get('seq')!r}, expected {n} (an entry was deleted or moved)")
        prev = str(entry.get("hash"))
    if head is not None and head not in {e.get("hash") for e in entries}:
        problems.append(f"the entry with hash {head[:12]}… is not in the ledger (entries were deleted at its end)")
    return problems


def verified_ledger(path: Path, head: str | None = None) -> list[dict[str, Any]]:
    """The entries, once their chain is verified; a LedgerError names the first problem and the repair."""
    entries = read_ledger(path)
    if problems := ledger_problems(entries, head):
        raise LedgerError(f"{problems[0]}; {REPAIR}", file=path)
    return entries


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock held by one writer at a time, on a lock file: the ledger itself is replaced
    by each write, so a lock on it would be lost with the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def append_entry(
    path: Path,
    kind: str,
    data: dict[str, Any] | Callable[[list[dict[str, Any]]], dict[str, Any]],
    *,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Add an entry (`kind`, `data`, the time `at`, UTC) at the end of the ledger and return it.

    `data` may be a function of the verified entries, called under the lock, that returns the data or
    raises to refuse: checks against the ledger (a second signature, a dispute already resolved) see
    every entry another command wrote meanwhile.
    """
    with _locked(path):
        entries = verified_ledger(path)
        body = data(entries) if callable(data) else data
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
        entry = {
            "seq": len(entries) + 1,
            "at": when,
            "kind": kind,
            "data": body,
            "prev": entries[-1]["hash"] if entries else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        lines = [json.dumps(e, sort_keys=True, ensure_ascii=False) for e in [*entries, entry]]
        with atomic_path(path) as tmp:
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return entry
