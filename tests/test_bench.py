"""The benchmarks compare like with like: DuckDB's query and the FCR formulations of bench/ give
exactly the toolkit's results on contacts built to hit every edge of formulas.md §1."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from partner_analytics.metrics.fcr import with_fcr_flags

from .conftest import write_engagement

BENCH = Path(__file__).resolve().parents[1] / "bench"
TZ = "Europe/Paris"


def _module(name: str):
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EDGES = [  # contact, customer, local arrival, answered: formulas.md §1's FCR edges (see test_metrics)
    ("x1", "x", "2026-09-01 09:00:00", True),
    ("x2", "x", "2026-09-08 09:00:00", True),  # exactly 7 days later: a repeat
    ("y1", "y", "2026-09-01 09:00:00", True),
    ("y2", "y", "2026-09-08 09:00:01", True),  # 7 days and 1 second: not a repeat
    ("a1", "a", "2026-09-02 09:00:00", False),  # abandoned: not counted
    ("n1", None, "2026-09-02 09:00:00", True),  # no customer: not counted
    ("t1", "t", "2026-09-05 09:00:00", True),  # two contacts at the same instant:
    ("t2", "t", "2026-09-05 09:00:00", True),  # neither is another, later contact
    ("d1", "m", "2026-10-20 12:00:00", True),  # 7 days 30 minutes of elapsed time across the DST change
    ("d2", "m", "2026-10-27 11:30:00", True),
    ("w1", "w", "2026-11-15 12:00:01", True),  # window ends after the data end: cut
    ("w0", "v", "2026-11-15 12:00:00", True),  # window ends at the data end: kept
    ("end", "q", "2026-11-22 12:00:00", True),  # the last arrival (in the past: later ones are rejected)
]


def _contacts(n: int = 3000, seed: int = 1) -> pl.DataFrame:
    """The edge cases plus `n` random contacts of a few customers (repeats, ties, other partners)."""
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 82, n)  # 1 Sept .. 21 Nov 2026
    minute = rng.integers(6 * 60, 23 * 60, n)  # no local time near a DST change
    start = np.datetime64("2026-09-01T00:00:00", "us")
    arrived = start + day.astype("timedelta64[D]") + minute.astype("timedelta64[m]")
    answered = rng.random(n) < 0.8
    channel = rng.choice(["voice", "chat", "email"], n)
    partner = np.where(channel == "voice", rng.choice(["northcall", "southdesk"], n), "northcall")
    customer = np.array([f"k{i}" for i in rng.integers(0, 400, n)], dtype=object)
    customer[rng.random(n) < 0.03] = None
    random = pl.DataFrame(
        {
            "contact_id": [f"r{i}" for i in range(n)],
            "partner_id": partner,
            "channel": channel,
            "arrived_at": arrived,
            "answered": answered,
            "wait_s": rng.integers(0, 200, n).astype(float),
            "handle_s": np.where(answered, rng.integers(30, 900, n), np.nan),
            "customer_id": pl.Series(customer, dtype=pl.String),
            "csat": pl.Series(np.where(answered & (rng.random(n) < 0.3), rng.integers(1, 6, n), -1)),
        }
    ).with_columns(pl.col("handle_s").fill_nan(None), pl.when(pl.col("csat") > 0).then(pl.col("csat")).cast(pl.Int8))
    edges = pl.DataFrame(
        {
            "contact_id": [e[0] for e in EDGES],
            "partner_id": "northcall",
            "channel": "voice",
            "arrived_at": [dt.datetime.fromisoformat(e[2]) for e in EDGES],
            "answered": [e[3] for e in EDGES],
            "wait_s": 3.0,
            "handle_s": [200.0 if e[3] else None for e in EDGES],
            "customer_id": [e[1] for e in EDGES],
            "csat": pl.Series([4 if e[3] else None for e in EDGES], dtype=pl.Int8),
        }
    )
    return pl.concat([random, edges.select(random.columns).cast(random.schema)])


@pytest.fixture(scope="module")
def engagement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_engagement(tmp_path_factory.mktemp("bench") / "eng", {})
    _contacts().write_parquet(folder / "contacts.parquet")
    return folder


@pytest.fixture(scope="module")
def toolkit_results(engagement: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("toolkit") / "toolkit.parquet"
    _module("kpis").toolkit_child(engagement, out, "toolkit")
    return out


@pytest.mark.parametrize("fcr", ["range", "next", "distinct"])
@pytest.mark.parametrize("engine", ["duckdb", "duckdb-checked"])
def test_duckdb_query_gives_the_toolkit_results(
    engagement: Path, toolkit_results: Path, tmp_path: Path, engine: str, fcr: str
) -> None:
    pytest.importorskip("duckdb")
    kpis = _module("kpis")
    out = tmp_path / "duckdb.json"
    kpis.duckdb_child(engagement, out, engine, fcr)
    check = kpis.compare(toolkit_results, out)
    assert check["agree"], check
    fcr_rows = pl.read_parquet(toolkit_results).filter(pl.col("kpi") == "fcr", pl.col("channel").is_null())
    assert fcr_rows["incomplete"].any() and fcr_rows["denominator"].sum() > 1000  # the edges are in play


def test_the_comparison_sees_a_difference(toolkit_results: Path, tmp_path: Path) -> None:
    kpis = _module("kpis")
    frame = pl.read_parquet(toolkit_results)
    shifted = frame.with_columns(
        pl.when((pl.col("kpi") == "fcr") & pl.col("channel").is_null() & (pl.col("month") == dt.date(2026, 9, 1)))
        .then(pl.col("value") + 2e-9)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    shifted.write_parquet(tmp_path / "shifted.parquet")
    assert not kpis.compare(toolkit_results, tmp_path / "shifted.parquet")["agree"]
    recounted = frame.with_columns(
        pl.when(pl.col("kpi") == "offered")
        .then(pl.col("numerator") + 1)
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    )
    recounted.write_parquet(tmp_path / "recounted.parquet")
    assert kpis.compare(toolkit_results, tmp_path / "recounted.parquet")["count_mismatch"] > 0


def _typed_contacts() -> pl.LazyFrame:
    return _contacts().lazy().with_columns(pl.col("arrived_at").dt.replace_time_zone(TZ, ambiguous="earliest"))


def _flags(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.select("contact_id", "fcr_resolved", "fcr_counted", "fcr_cut").collect().sort("contact_id")


@pytest.mark.parametrize("variant", ["over", "asof", "rolling"])
def test_fcr_formulations_flag_every_contact_as_the_toolkit(variant: str) -> None:
    fcr = _module("fcr")
    reference = _flags(with_fcr_flags(_typed_contacts()))
    assert reference.filter(pl.col("contact_id").is_in(["x1", "w1", "end"]))["fcr_resolved"].to_list() == [False] * 3
    assert _flags(fcr.VARIANTS[variant](_typed_contacts())).equals(reference)
