"""Data lineage: which input files (name, size, digest) and which contract produced an output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import polars as pl

from .engagement import Engagement

__all__ = ["digests_read_meanwhile", "lineage", "package_version"]


@contextmanager
def digests_read_meanwhile(engagement: Engagement) -> Iterator[None]:
    """The SHA-256 of the engagement's files (`lineage`) read by a thread while the block runs: a large
    history's bytes, read once more for its digest, then cost no wait after the computation."""
    with ThreadPoolExecutor(1, thread_name_prefix="digests") as reader:
        reader.submit(lambda: engagement.digest)
        yield


def package_version() -> str:
    try:
        return version("partner-analytics")
    except PackageNotFoundError:
        return "unknown"


def lineage(engagement: Engagement, *, rejected: pl.LazyFrame | None = None, **extra: Any) -> dict[str, Any]:
    """A JSON-ready record of the inputs: enough to prove later which data a committee decided on.

    Each file is named where it really is (links followed): relative to the engagement folder, or
    absolute when it was allowed from outside it; a table read from several files has an input for
    each, and one read from a folder lists the folder's files (`parts`), each with its size and digest.
    Each input (and part) says how many of its rows were rejected (`rejected`), and `rejected_rows`
    their total, so that what is made from the data can say its data was incomplete; they are
    counted from `rejected`, the computed rejected table when given (so a large contact history is not
    read again), else from `engagement.rejected` (held in memory once the engagement is `collected()`).
    """
    rows = engagement.rejected if rejected is None else rejected
    counted = rows.group_by("table", "file").agg(pl.col("row").n_unique().alias("rows")).collect()
    by_file = {(t, f): n for t, f, n in counted.select("table", "file", "rows").iter_rows()}

    def rejected_in(sf) -> int:
        return sum(rejected_in(part) for part in sf.parts) if sf.parts else by_file.get((sf.table, str(sf.path)), 0)

    def entry(sf) -> dict[str, Any]:
        try:
            name = str(sf.path.relative_to(engagement.path))
        except ValueError:
            name = str(sf.path)
        listed = {"parts": [entry(part) | {"rejected": rejected_in(part)} for part in sf.parts]} if sf.parts else {}
        return {"table": sf.table, "file": name, "format": sf.format, "bytes": sf.size, "sha256": sf.sha256} | listed

    return {
        "engagement": engagement.name,
        "client": engagement.contract.client,
        "digest": engagement.digest,
        "contract": entry(engagement.contract_file),
        "inputs": [entry(sf) | {"rejected": rejected_in(sf)} for sf in engagement.files],
        "rejected_rows": sum(by_file.values()),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "partner_analytics": package_version(),
        **extra,
    }
