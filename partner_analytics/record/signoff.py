"""Sign-off: a party's acceptance of a partner's statement for a month or a quarter, recorded in the
ledger with the figures (cents, month by month) and the inputs they came from; a period signed by
both parties is locked (formulas.md §10.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..core.errors import did_you_mean
from ..core.periods import Period, parse_period
from ..risk.statement import STATEMENT_AMOUNTS
from .ledger import RecordError, append_entry

__all__ = [
    "PARTIES",
    "SIGNATURE",
    "known_partner",
    "locked_months",
    "period_figures",
    "sign",
    "signatures",
    "statement_period",
]

PARTIES = ("client", "provider")
SIGNATURE = "signature"  # the kind of a signature's ledger entry


def statement_period(text: str) -> Period:
    """The period of a command (`2026-08` or `2026-Q3`); a RecordError says what was expected."""
    try:
        return parse_period(text)
    except ValueError as e:
        raise RecordError(str(e), key="PERIOD") from None


def known_partner(partner_id: str, partners: Sequence[str], contract_file: Path | str | None = None) -> str:
    """`partner_id` when the contract has it, else a RecordError naming the ids expected."""
    if partner_id not in partners:
        raise RecordError(
            f"partner {partner_id!r} is not in the contract ({did_you_mean(partner_id, partners)})",
            file=contract_file,
            key="--partner",
        )
    return partner_id


def period_figures(statement: pl.DataFrame, partner_id: str, period: Period) -> dict[str, dict[str, int]]:
    """The partner's statement amounts (cents) per month of the period (`YYYY-MM` → amount → cents);
    a RecordError when the statement does not cover every month of the period."""
    rows = statement.filter((pl.col("partner_id") == partner_id) & pl.col("month").is_in(period.month_starts))
    months = {f"{r['month']:%Y-%m}": {a: int(r[a]) for a in STATEMENT_AMOUNTS} for r in rows.sort("month").to_dicts()}
    missing = [f"{m:%Y-%m}" for m in period.month_starts if f"{m:%Y-%m}" not in months]
    if missing:
        covered = statement.filter(pl.col("partner_id") == partner_id)["month"]
        span = f"{covered.min():%Y-%m} to {covered.max():%Y-%m}" if covered.len() else "no month"
        raise RecordError(
            f"no statement of {partner_id} for {', '.join(missing)}: the data covers {span}", key="PERIOD"
        )
    return months


def signatures(entries: list[dict[str, Any]]) -> pl.DataFrame:
    """Every signature of the ledger: partner, period, party, who, when, the net signed, the inputs' digest."""
    rows = [
        {
            "seq": e["seq"],
            "partner_id": e["data"]["partner_id"],
            "period": e["data"]["period"],
            "party": e["data"]["party"],
            "signed_by": e["data"]["by"],
            "signed_at": dt.datetime.fromisoformat(e["at"]),
            "net": sum(m["net"] for m in e["data"]["figures"].values()),
            "digest": e["data"]["inputs"]["digest"],
        }
        for e in entries
        if e["kind"] == SIGNATURE
    ]
    schema = {
        "seq": pl.Int64,
        "partner_id": pl.String,
        "period": pl.String,
        "party": pl.String,
        "signed_by": pl.String,
        "signed_at": pl.Datetime("us", "UTC"),
        "net": pl.Int64,
        "digest": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def locked_months(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each month locked by a period both parties signed, first lock only: partner, month (`YYYY-MM`),
    the signed figures, the input files they came from, and who signed when."""
    first: dict[tuple[str, str], dict[str, Any]] = {}
    locked: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entries:
        if e["kind"] != SIGNATURE:
            continue
        data = e["data"]
        key = (data["partner_id"], data["period"])
        if key not in first:
            first[key] = e
            continue
        signed = first[key]
        for month, figures in signed["data"]["figures"].items():
            locked.setdefault(
                (data["partner_id"], month),
                {
                    "partner_id": data["partner_id"],
                    "month": month,
                    "period": data["period"],
                    "figures": figures,
                    "inputs": signed["data"]["inputs"],
                    "signed": [(s["data"]["party"], s["data"]["by"], s["at"]) for s in (signed, e)],
                },
            )
    return sorted(locked.values(), key=lambda m: (m["partner_id"], m["month"]))


def sign(
    ledger: Path,
    statement: pl.DataFrame,
    lineage: dict[str, Any],
    partners: Sequence[str],
    *,
    period: str,
    partner_id: str,
    party: str,
    by: str,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record `party`'s acceptance, by `by`, of the partner's statement for the period; return the entry.

    Refused, with nothing written: an unknown partner or party, a period the statement does not
    cover, a second signature of the same party, figures other than those the other party signed.
    """
    if party not in PARTIES:
        raise RecordError(f"party {party!r}: expected client or provider", key="--party")
    if not by.strip():
        raise RecordError("the name of who signs is empty: expected --by NAME", key="--by")
    known_partner(partner_id, partners, lineage.get("contract", {}).get("file"))
    chosen = statement_period(period)
    figures = period_figures(statement, partner_id, chosen)
    inputs = {
        "digest": lineage["digest"],
        "files": {i["file"]: i["sha256"] for i in [lineage["contract"], *lineage["inputs"]]},
    }

    def checked(entries: list[dict[str, Any]]) -> dict[str, Any]:
        for e in entries:
            d = e["data"]
            if e["kind"] != SIGNATURE or (d["partner_id"], d["period"]) != (partner_id, chosen.label):
                continue
            if d["party"] == party:
                raise RecordError(
                    f"{chosen.label} of {partner_id} is already signed by the {party} ({d['by']}, {e['at']}, "
                    f"ledger entry {e['seq']}): a party signs once",
                    key="--party",
                )
            if d["figures"] != figures:
                net = sum(m["net"] for m in d["figures"].values())
                now = sum(m["net"] for m in figures.values())
                raise RecordError(
                    f"the figures of {chosen.label} of {partner_id} differ from those the {d['party']} signed "
                    f"(ledger entry {e['seq']}: net {net} cents then, {now} now): compute from the inputs signed "
                    f"(digest {d['inputs']['digest'][:12]}…) or dispute the line that changed"
                )
        return {
            "partner_id": partner_id,
            "period": chosen.label,
            "party": party,
            "by": by.strip(),
            "figures": figures,
            "inputs": inputs,
        }

    return append_entry(ledger, SIGNATURE, checked, at=at)
