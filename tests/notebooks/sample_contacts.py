"""A small, deterministic Parquet table of contacts for the test notebooks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["PARTNERS", "contacts_frame", "write_contacts"]

PARTNERS = ("northcall", "southdesk", "eastline")
CHANNELS = ("voice", "chat", "email")


def contacts_frame(n_rows: int = 6_000, seed: int = 7) -> pl.DataFrame:
    """Return `n_rows` contacts spread over six months, three partners and three channels."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 1)
    seconds = rng.integers(0, 181 * 24 * 3600, n_rows)
    return pl.DataFrame(
        {
            "partner_id": rng.choice(PARTNERS, n_rows),
            "channel": rng.choice(CHANNELS, n_rows, p=[0.6, 0.25, 0.15]),
            "started_at": pl.Series(seconds * 1_000, dtype=pl.Int64).cast(pl.Duration("ms")) + start,
            "handle_s": rng.gamma(4.0, 60.0, n_rows).round(0).astype(np.int64),
            "wait_s": rng.exponential(18.0, n_rows).round(0).astype(np.int64),
            "abandoned": rng.random(n_rows) < 0.05,
            "csat": rng.integers(1, 6, n_rows),
        }
    ).sort("started_at")


def write_contacts(path: Path, n_rows: int = 6_000, seed: int = 7) -> Path:
    """Write `contacts_frame` to `path` as Parquet and return the path."""
    contacts_frame(n_rows, seed).write_parquet(path)
    return path
