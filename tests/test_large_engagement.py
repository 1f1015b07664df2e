"""A large engagement's path gives the in-memory engine's figures.

The engagement is made as a large one is (month by month, one Parquet file of many row groups) at
about 1 M contacts. Its tables are computed the way `tables` and `cycle` compute a large engagement
(the contacts left lazy and streamed from the file, read once per computation) and, for reference,
with every table held in memory and every query on polars' in-memory engine.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from partner_analytics.io.engagement import load
from partner_analytics.metrics.results import kpi_results
from partner_analytics.pipeline.analysis import Analysis, compute
from partner_analytics.sample import IN_MEMORY_LIMIT, generate_sample


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("large") / "large", contacts=IN_MEMORY_LIMIT + 1)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_results_streamed_equal_the_in_memory_engine(large: Path) -> None:
    eng = load(large)
    streamed = kpi_results(eng).collect(engine="streaming")
    with pl.Config(engine_affinity="in-memory"):
        in_memory = kpi_results(eng.collected(limit=None)).collect(engine="in-memory")
    assert streamed.height == in_memory.height > 0
    assert_frame_equal(_sorted(streamed), _sorted(in_memory), check_exact=False, rel_tol=1e-12, abs_tol=1e-9)


def test_every_table_of_the_large_path_equals_the_in_memory_one(large: Path) -> None:
    eng = load(large)
    lazy = eng.collected(limit=0)
    assert lazy.contacts is eng.contacts  # the contacts stay lazy: read from the file where used
    streamed = compute(lazy)
    with pl.Config(engine_affinity="in-memory"):
        in_memory = compute(eng.collected(limit=None))
    for name in (f.name for f in fields(Analysis) if f.name != "contract"):
        a, b = getattr(streamed, name).collect(), getattr(in_memory, name).collect()
        assert a.height == b.height, name
        try:
            assert_frame_equal(_sorted(a), _sorted(b), check_exact=False, rel_tol=1e-12, abs_tol=1e-9)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
