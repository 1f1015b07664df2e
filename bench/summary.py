"""Markdown tables of the JSON lines the benchmarks appended: `python bench/summary.py bench/out/kpis.jsonl ...`.

For each size: median (and range) of the compute time, process wall and CPU time, peak RSS, the
median load average, and the ratios to DuckDB's best formulation (the lower median of
duckdb+range and duckdb+next) in time and in CPU.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import table


def kpis(path: Path) -> str:
    runs = pl.read_ndjson(path).filter(pl.col("status") == 0)
    stats = runs.group_by("contacts", "engine", maintain_order=True).agg(
        pl.col("run_s").median().alias("run"),
        pl.col("run_s").min().alias("lo"),
        pl.col("run_s").max().alias("hi"),
        pl.col("wall_s").median().alias("wall"),
        pl.col("cpu_s").median().alias("cpu"),
        pl.col("peak_mb").median().alias("peak"),
        pl.col("load").median().alias("load"),
        pl.len().alias("n"),
    )
    best = (
        stats.filter(pl.col("engine").str.starts_with("duckdb+"))
        .group_by("contacts")
        .agg(pl.col("run").min().alias("best"), pl.col("cpu").min().alias("best_cpu"))
    )
    out = []
    for contacts, frame in stats.join(best, on="contacts").sort("contacts").group_by("contacts", maintain_order=True):
        rows = [
            [
                r["engine"],
                f"{r['run']:.2f} ({r['lo']:.2f}–{r['hi']:.2f})",
                f"{r['wall']:.2f}",
                f"{r['cpu']:.2f}",
                f"{r['peak']:,.0f}",
                f"{r['run'] / r['best']:.2f}",
                f"{r['cpu'] / r['best_cpu']:.2f}",
                f"{r['load']:.1f}",
                r["n"],
            ]
            for r in frame.iter_rows(named=True)
        ]
        header = ["engine", "compute s: median (min–max)", "process wall s", "process CPU s", "peak RSS MB"]
        header += ["time / DuckDB best", "CPU / DuckDB best", "load", "runs"]
        out.append(f"**{contacts[0]:,} contacts**\n\n" + table(rows, header))
    return "\n\n".join(out)


def fcr(path: Path) -> str:
    runs = pl.read_ndjson(path).filter(pl.col("status") == 0)
    out = []
    for (engagement, mode), frame in runs.group_by("engagement", "mode", maintain_order=True):
        stats = frame.group_by("variant", maintain_order=True).agg(
            pl.col("run_s").median().alias("run"),
            pl.col("run_s").min().alias("lo"),
            pl.col("run_s").max().alias("hi"),
            pl.col("cpu_s").median().alias("cpu"),
            pl.col("peak_mb").median().alias("peak"),
            pl.col("load").median().alias("load"),
            pl.len().alias("n"),
        )
        base = stats.filter(pl.col("variant") == "sort_shift").row(0, named=True)
        rows = [
            [
                r["variant"],
                f"{r['run']:.2f} ({r['lo']:.2f}–{r['hi']:.2f})",
                f"{r['cpu']:.2f}",
                f"{r['peak']:,.0f}",
                f"{r['run'] / base['run']:.2f}",
                f"{r['cpu'] / base['cpu']:.2f}",
                f"{r['load']:.1f}",
                r["n"],
            ]
            for r in stats.iter_rows(named=True)
        ]
        header = ["variant", "run s: median (min–max)", "process CPU s", "peak RSS MB", "time / sort_shift"]
        header += ["CPU / sort_shift", "load", "runs"]
        out.append(f"**{Path(engagement).name}, mode {mode}**\n\n" + table(rows, header))
    return "\n\n".join(out)


def main() -> None:
    for name in sys.argv[1:]:
        path = Path(name)
        print((fcr if "fcr" in path.name else kpis)(path))
        print()


if __name__ == "__main__":
    main()
