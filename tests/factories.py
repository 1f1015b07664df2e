"""Small in-memory inputs for the transform tests: contacts, contracts, results rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from partner_analytics.contract.reading import parse_contract
from partner_analytics.contract.terms import Contract

from .conftest import contract as contract_dict

TZ = "Europe/Paris"


def contract(**partner_changes: Any) -> Contract:
    """The base test contract, with keys of the first partner (northcall) replaced."""
    data = contract_dict()
    data["partners"][0].update(partner_changes)
    return parse_contract(data)


def contacts(*rows: tuple, present_customer: bool = True) -> pl.LazyFrame:
    """Contacts from (id, partner, channel, local arrival 'YYYY-MM-DD HH:MM[:SS]', answered, wait_s, handle_s, customer, csat)."""
    records = []
    for cid, partner, channel, at, answered, wait, handle, customer, csat in rows:
        fmt = "%Y-%m-%d %H:%M:%S" if at.count(":") == 2 else "%Y-%m-%d %H:%M"
        records.append(
            {
                "contact_id": cid,
                "partner_id": partner,
                "channel": channel,
                "arrived_at": dt.datetime.strptime(at, fmt),
                "answered": answered,
                "wait_s": float(wait),
                "handle_s": None if handle is None else float(handle),
                "site_id": None,
                "queue": None,
                "customer_id": customer,
                "csat": csat,
            }
        )
    schema = {
        "contact_id": pl.String,
        "partner_id": pl.String,
        "channel": pl.String,
        "arrived_at": pl.Datetime("us"),
        "answered": pl.Boolean,
        "wait_s": pl.Float64,
        "handle_s": pl.Float64,
        "site_id": pl.String,
        "queue": pl.String,
        "customer_id": pl.String,
        "csat": pl.Int64,
    }
    frame = pl.DataFrame(records, schema=schema)
    return frame.with_columns(pl.col("arrived_at").dt.replace_time_zone(TZ, ambiguous="earliest")).lazy()


ALL_CONTACT_COLUMNS = frozenset(
    ["contact_id", "partner_id", "channel", "arrived_at", "answered", "wait_s", "handle_s", "customer_id", "csat"]
)


def kpi_table(results: pl.LazyFrame | pl.DataFrame) -> dict[tuple[str | None, str, str], float | None]:
    """{(channel, month 'YYYY-MM', kpi): value} of a results table, for assertions."""
    df = results.collect() if isinstance(results, pl.LazyFrame) else results
    return {(r["channel"], f"{r['month']:%Y-%m}", r["kpi"]): r["value"] for r in df.iter_rows(named=True)}


def results(*rows: tuple[str, str | None, str, str, float | None]) -> pl.LazyFrame:
    """A results table from (partner, channel, 'YYYY-MM', kpi, value) rows (numerator = value, no denominator)."""
    from partner_analytics.metrics import RESULTS_SCHEMA

    return pl.LazyFrame(
        [
            {
                "partner_id": p,
                "channel": ch,
                "month": dt.date.fromisoformat(f"{m}-01"),
                "kpi": k,
                "value": v,
                "numerator": v,
                "denominator": None,
                "incomplete": False,
                "note": None,
            }
            for p, ch, m, k, v in rows
        ],
        schema=RESULTS_SCHEMA,
    )


def grid(partner: str, first: str, last: str) -> pl.LazyFrame:
    """partner_id × every month from `first` to `last` ('YYYY-MM')."""
    from partner_analytics.core.periods import months_in

    months = months_in(dt.date.fromisoformat(f"{first}-01"), dt.date.fromisoformat(f"{last}-01"))
    return pl.LazyFrame(
        {"partner_id": [partner] * len(months), "month": months}, schema={"partner_id": pl.String, "month": pl.Date}
    )


def last_month(month: str) -> pl.LazyFrame:
    return pl.LazyFrame({"last_month": [dt.date.fromisoformat(f"{month}-01")]}, schema={"last_month": pl.Date})


def charges_frame(partner: str, amounts: dict[str, int]) -> pl.LazyFrame:
    """A charges table: {'YYYY-MM': cents}."""
    return pl.LazyFrame(
        {
            "partner_id": [partner] * len(amounts),
            "month": [dt.date.fromisoformat(f"{m}-01") for m in amounts],
            "expected": list(amounts.values()),
            "invoiced": [None] * len(amounts),
            "charges": list(amounts.values()),
            "basis": ["pricing"] * len(amounts),
        },
        schema={
            "partner_id": pl.String,
            "month": pl.Date,
            "expected": pl.Int64,
            "invoiced": pl.Int64,
            "charges": pl.Int64,
            "basis": pl.String,
        },
    )


def engagement(contract_: Contract, contacts_: pl.LazyFrame, **tables: pl.LazyFrame):
    """An in-memory Engagement (no files) for transform tests."""
    from pathlib import Path

    from partner_analytics.io.engagement import Engagement
    from partner_analytics.io.readers import SourceFile
    from partner_analytics.io.validation import REJECTED_SCHEMA

    frames = {"contacts": contacts_, **tables}
    contract_file = SourceFile("contract", Path("/in-memory/contract.yaml"), "yaml", 0)
    contract_file.__dict__["sha256"] = "0" * 64  # the cached digest of a file that does not exist
    return Engagement(
        path=Path("/in-memory"),
        contract=contract_,
        tables=frames,
        present={name: frozenset(f.collect_schema().names()) for name, f in frames.items()},
        rejected=pl.LazyFrame(schema=REJECTED_SCHEMA),
        sources={},
        contract_file=contract_file,
    )
