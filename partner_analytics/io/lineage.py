"""Data lineage: which input files (name, size, digest) and which contract produced an output."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import polars as pl

from .engagement import Engagement

__all__ = ["lineage", "package_version"]


def package_version() -> str:
    try:
        return version("partner-analytics")
    except PackageNotFoundError:
        return "unknown"


def lineage(engagement: Engagement, *, rejected: pl.LazyFrame | None = None, **extra: Any) -> dict[str, Any]:
    """A JSON-ready record of the inputs: enough to prove later which data a committee decided on.

    Each file is named where it really is (links followed): relative to the engagement folder, or
    absolute when it was allowed from outside it; a table read from a folder lists its files (`parts`),
    each with its size and digest. Each input says how many of its rows were rejected
    (`rejected`), and `rejected_rows` their total, so that what is made from the data can say its
    data was incomplete; they are counted from `rejected`, the computed rejected table when given (so
    a large contact history is not read again), else from `engagement.rejected` (held in memory once
    the engagement is `collected()`).
    """
    rejected = engagement.rejected if rejected is None else rejected
    counted = rejected.group_by("table").agg(pl.col("row").n_unique().alias("rows")).collect()
    rejected = dict(zip(counted["table"].to_list(), counted["rows"].to_list(), strict=True))

    def entry(sf) -> dict[str, Any]:
        try:
            name = str(sf.path.relative_to(engagement.path))
        except ValueError:
            name = str(sf.path)
        listed = {"parts": [entry(part) for part in sf.parts]} if sf.parts else {}
        return {"table": sf.table, "file": name, "format": sf.format, "bytes": sf.size, "sha256": sf.sha256} | listed

    return {
        "engagement": engagement.name,
        "client": engagement.contract.client,
        "digest": engagement.digest,
        "contract": entry(engagement.contract_file),
        "inputs": [
            entry(sf) | {"rejected": rejected.get(sf.table, 0)}
            for sf in sorted(engagement.sources.values(), key=lambda s: s.table)
        ],
        "rejected_rows": sum(rejected.values()),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "partner_analytics": package_version(),
        **extra,
    }
