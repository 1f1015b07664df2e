"""The whole `tables` job and DuckDB's KPI query side by side on the same monthly Parquet files, and a
portfolio's committee cycle on a local Dask cluster.

    python bench/scale.py make BASE --copies K --out DIR     # DIR: BASE's contacts × K, one file per month
    python bench/scale.py run DIR [DIR ...] [--json FILE]    # tables job and DuckDB, one fresh process each
    python bench/scale.py cycle DIR [DIR ...] --period P [--workers 2]   # the portfolio on a LocalCluster

`make` writes an engagement whose contacts are `contacts/month=YYYY-MM/part-0.parquet`: each month of
BASE (a sample engagement, e.g. `partner-analytics sample --contacts 10000000`) K times, each copy
under its own contact and customer ids (`-k` appended), sorted by arrival; one month in memory at a
time. BASE's other tables are copied but the relief table, and the partners' service hours are removed
from the contract: DuckDB's query counts every contact in the service level, where formulas.md counts
those within hours (§1.10) and outside a relief's excluded window (§2.1).

`run`, per engagement: `partner-analytics tables --format parquet` (load, type and check every row,
duplicates, every KPI with FCR, the 18 tables, export) in one process, then DuckDB's KPI query
(formulas.md §1 with FCR, `bench/kpis.py`'s `duckdb+next`, nothing checked) over the same files in
another, with `SET memory_limit='6GB'` and a temporary directory to spill to; wall time, CPU and peak
RSS of each from outside (`os.wait4`); the toolkit's results checked against DuckDB's (`kpis.compare`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kpis import KPIS, compare, kpi_sql
from measure import peak_rss_mb, report, run_child, table

DUCKDB_MEMORY = "6GB"


def make(base: Path, copies: int, out: Path) -> None:
    """`out`: `base` with its contacts × `copies`, one Parquet file per month, sorted by arrival."""
    import polars as pl
    import yaml

    out.mkdir(parents=True)
    for item in base.iterdir():
        if item.is_dir():
            shutil.copytree(item, out / item.name)
        elif item.name not in ("contacts.parquet", "contract.yaml", "ledger.jsonl", "ledger.jsonl.lock") and (
            item.stem != "relief"  # an excluded window leaves contacts out of the service level: DuckDB's counts all
        ):
            shutil.copy2(item, out / item.name)
    contract = yaml.safe_load((base / "contract.yaml").read_text(encoding="utf-8"))
    contract.setdefault("sources", {})["contacts"] = {"path": "contacts"}
    for partner in contract["partners"]:  # DuckDB's query counts every contact, not those within hours
        partner.pop("service_hours", None)
    (out / "contract.yaml").write_text(yaml.safe_dump(contract, sort_keys=False, allow_unicode=True), encoding="utf-8")
    source = pl.scan_parquet(base / "contacts.parquet")
    month = pl.col("arrived_at").dt.truncate("1mo")
    months = source.select(month.unique().sort()).collect().to_series().to_list()
    for start in months:
        rows = source.filter(month == start).collect()
        copied = pl.concat(
            [
                rows.with_columns(pl.col("contact_id") + f"-{k}", pl.col("customer_id") + f"-{k}") if k else rows
                for k in range(copies)
            ]
        ).sort("arrived_at", maintain_order=True)
        target = out / "contacts" / f"month={start:%Y-%m}" / "part-0.parquet"
        target.parent.mkdir(parents=True)
        copied.write_parquet(target, compression="zstd", row_group_size=262_144)
        del rows, copied
    print(f"{out}: {copies} × {base / 'contacts.parquet'}, {len(months)} monthly files")


def tables_child(folder: Path, out: Path) -> None:
    """The whole `tables` job, then the contact KPIs of its results (long) for the comparison."""
    started = time.perf_counter()
    import polars as pl

    from partner_analytics.cli import main

    tables = out.parent / (out.stem + "-tables")
    status = main(["tables", "--engagement", str(folder), "--out", str(tables), "--format", "parquet"])
    done = time.perf_counter()
    results = pl.read_parquet(tables / "results.parquet")
    results.filter(pl.col("kpi").is_in(KPIS)).select(
        "partner_id", "channel", "month", "kpi", "value", "numerator", "denominator", "incomplete"
    ).write_parquet(out)
    shutil.rmtree(tables)
    report(run_s=done - started, status=status, peak_mb=peak_rss_mb())


def duckdb_child(folder: Path, out: Path, spill: Path) -> None:
    """DuckDB's KPI query over the engagement's monthly files, memory limited, spilling to `spill`."""
    started = time.perf_counter()
    import duckdb
    import yaml

    contract = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
    files = str(folder / "contacts" / "**" / "*.parquet")
    sql = kpi_sql(files, contract["channels"], contract["timezone"], fcr="next")
    con = duckdb.connect()
    con.sql(f"SET memory_limit='{DUCKDB_MEMORY}'")
    con.sql(f"SET temp_directory='{spill}'")
    rows = con.sql(sql)
    names, values = rows.columns, rows.fetchall()
    done = time.perf_counter()
    con.close()
    out.write_text(json.dumps({"columns": names, "rows": values}, default=str))
    report(run_s=done - started, peak_mb=peak_rss_mb(), rows=len(values), version=duckdb.__version__)


def run(folders: list[Path], json_out: Path | None) -> None:
    rows = []
    for folder in folders:
        with tempfile.TemporaryDirectory(prefix="pa-scale-") as tmp:
            work = Path(tmp)
            me = [sys.executable, __file__, "--child"]
            toolkit = run_child("tables", [*me, "tables", str(folder), str(work / "toolkit.parquet")])
            duck = run_child("duckdb", [*me, "duckdb", str(folder), str(work / "duckdb.json"), str(work / "spill")])
            checked = (
                compare(work / "duckdb.json", work / "toolkit.parquet") if toolkit.status == duck.status == 0 else {}
            )
        for r in (toolkit, duck):
            if r.status:
                print(f"{r.label} failed ({r.status}): {r.stderr}", file=sys.stderr)
        record = {
            "engagement": str(folder),
            "contacts": _contacts(folder),
            "tables": {
                "wall_s": toolkit.wall_s,
                "cpu_s": toolkit.cpu_s,
                "peak_mb": toolkit.peak_mb,
                "load": toolkit.load,
            },
            "duckdb": {"wall_s": duck.wall_s, "cpu_s": duck.cpu_s, "peak_mb": duck.peak_mb, "load": duck.load},
            "kpis_equal": checked.get("agree"),
            "check": checked,
        }
        if json_out:
            with json_out.open("a") as fh:
                fh.write(json.dumps(record, default=str) + "\n")
        rows.append(
            [
                f"{record['contacts']:,}",
                f"{toolkit.wall_s:.1f}",
                f"{toolkit.cpu_s:.1f}",
                f"{toolkit.peak_mb:,.0f}",
                f"{duck.wall_s:.1f}",
                f"{duck.cpu_s:.1f}",
                f"{duck.peak_mb:,.0f}",
                f"{toolkit.wall_s / duck.wall_s:.2f}",
                f"{toolkit.cpu_s / duck.cpu_s:.2f}",
                checked.get("agree"),
                f"{toolkit.load:.1f}–{duck.load:.1f}",
            ]
        )
    header = ["contacts", "tables s", "CPU s", "peak MB", "DuckDB s", "CPU s", "peak MB", "ratio", "CPU ratio"]
    header += ["KPIs equal", "load"]
    print(table(rows, header))


def cycle(folders: list[Path], period: str, workers: int) -> None:
    """The portfolio's cycle (every committee of `period`) on a local Dask cluster, timed."""
    from partner_analytics.batch.cluster import cluster_client
    from partner_analytics.batch.cycle import prepare_cycle
    from partner_analytics.batch.portfolio import run_portfolio

    with tempfile.TemporaryDirectory(prefix="pa-portfolio-") as out:
        started = time.perf_counter()
        plans = [prepare_cycle(f, period, out, committee="all") for f in folders]
        planned = time.perf_counter()
        with cluster_client("local", workers=workers) as client:
            outcomes = run_portfolio(plans, pdf=False, cluster=client)
        done = time.perf_counter()
        reports = sum(len(o.results) for o in outcomes)
        ok = sum(r is not None and r.ok for o in outcomes for r in o.results)
    print(
        f"{len(folders)} engagements, {ok} of {reports} reports on a LocalCluster of {workers} workers: "
        f"{done - started:.1f} s (planning {planned - started:.1f} s), load {os.getloadavg()[0]:.1f}"
    )


def _costs(run) -> dict[str, float]:
    return {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "peak_mb": run.peak_mb, "load": run.load}


def _contacts(folder: Path) -> int:
    import polars as pl

    return pl.scan_parquet(folder / "contacts" / "**" / "*.parquet").select(pl.len()).collect().item()


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        kind, folder, out, *rest = sys.argv[2:]
        if kind == "tables":
            tables_child(Path(folder), Path(out))
        else:
            duckdb_child(Path(folder), Path(out), Path(rest[0]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("base", type=Path)
    m.add_argument("--copies", type=int, required=True)
    m.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("run")
    r.add_argument("engagements", nargs="+", type=Path)
    r.add_argument("--json", type=Path)
    c = sub.add_parser("cycle")
    c.add_argument("engagements", nargs="+", type=Path)
    c.add_argument("--period", default="latest-quarter")
    c.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.command == "make":
        make(args.base, args.copies, args.out)
    elif args.command == "run":
        run(args.engagements, args.json)
    else:
        cycle(args.engagements, args.period, args.workers)


if __name__ == "__main__":
    main()
