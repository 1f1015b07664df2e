"""A portfolio's committee cycles on a Dask cluster give the reports of the local worker pool, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partner_analytics.batch.cycle import CycleError, prepare_cycle
from partner_analytics.batch.portfolio import engagement_folders, run_portfolio
from partner_analytics.sample import generate_sample


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of two tiny engagements (the sample's story at 10 000 contacts, two seeds), and a file."""
    folder = tmp_path_factory.mktemp("portfolio")
    generate_sample(folder / "alpha", seed=7, contacts=10_000)
    generate_sample(folder / "beta", seed=8, contacts=10_000)
    (folder / "notes.txt").write_text("not an engagement", encoding="utf-8")
    return folder


def _plans(portfolio: Path, out: Path):
    return [
        prepare_cycle(f, "latest-month", out, committee="operational", partners=["rivage"])
        for f in engagement_folders([portfolio])
    ]


def _reports(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.html")) if p.parent != out}


def test_a_folder_of_engagements_is_a_portfolio(portfolio: Path, tmp_path: Path) -> None:
    assert [p.name for p in engagement_folders([portfolio])] == ["alpha", "beta"]
    assert [p.name for p in engagement_folders([portfolio / "beta", portfolio / "alpha"])] == ["beta", "alpha"]
    with pytest.raises(CycleError, match="neither an engagement"):
        engagement_folders([tmp_path])


def test_a_portfolio_on_a_local_dask_cluster_gives_the_pool_reports(portfolio: Path, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    pool_out, dask_out = tmp_path / "pool", tmp_path / "dask"
    pooled = run_portfolio(_plans(portfolio, pool_out), workers=1, pdf=False)
    with (
        LocalCluster(
            host="127.0.0.1", n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        clustered = run_portfolio(_plans(portfolio, dask_out), pdf=False, cluster=client)
    assert all(o.ok for o in pooled) and all(o.ok for o in clustered)
    pool_reports, dask_reports = _reports(pool_out), _reports(dask_out)
    # one operational report per engagement, and each cycle's index
    assert len([name for name in pool_reports if "/operational/" in name]) == 2
    reports = [name for name in pool_reports if not name.endswith("/index.html")]
    assert reports and all(pool_reports[name] == dask_reports[name] for name in reports)
    record = json.loads((dask_out / "portfolio.json").read_text(encoding="utf-8"))
    assert [e["engagement"] for e in record["engagements"]] == ["alpha", "beta"]
    assert [e["state"] for e in record["engagements"]] == ["complete", "complete"]
    assert record["engagements"][0]["index"] == f"alpha/{clustered[0].cycle.period}/index.html"
    page = (dask_out / "index.html").read_text(encoding="utf-8")
    assert 'href="beta/' in page and "2 engagements, 2 reports" in page
