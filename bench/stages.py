"""Where the toolkit's KPI path spends time and memory: each sub-plan timed alone, in its own process.

    python bench/stages.py ENGAGEMENT [--stages scan,typed,...] [--repeat 1] [--metrics]

Stages (each collects a tiny result, so that materialising the output costs nothing):
- `scan`: decode the contact columns the KPIs read from Parquet (null counts of each).
- `typed`: `scan` plus the datetime localised to the engagement's timezone (what typing must do).
- `checked`: the loader's validation (`pa.load`) without the duplicate `contact_id` check.
- `validated`: the loader's whole validation (`eng.contacts`), duplicate check included.
- `dup`: the loader's pass for duplicate keys alone (hashes of `contact_id` seen more than once).
- `sums`: validated → flags without FCR → group_by sums (`contact_sums`).
- `fcr`: validated → the FCR sums only (`metrics.fcr.fcr_sums`: the hashed sort).
- `full`: `metrics.contact_results` (streaming engine); `full-inmem` with the in-memory engine.
- `raw-full`: `contact_results` on `typed` (nothing validated): what the KPIs cost without the loader.
- `kpi-results`: `analysis.kpi_results` (every KPI: also quality, occupancy, forecast accuracy).
`--metrics` sets POLARS_TRACK_METRICS / POLARS_LOG_METRICS in the child and prints the heaviest
nodes of the streaming engine's breakdown (polars 2.x has no `LazyFrame.profile()`).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import median, peak_rss_mb, report, run_child, table

STAGES = (
    "scan",
    "typed",
    "checked",
    "validated",
    "dup",
    "sums",
    "fcr",
    "full",
    "full-inmem",
    "raw-full",
    "kpi-results",
)
COLUMNS = ("contact_id", "partner_id", "channel", "arrived_at", "answered", "wait_s", "handle_s", "customer_id", "csat")


def _tiny(frame):
    import polars as pl

    return frame.select(pl.len().alias("rows"), *[pl.col(c).is_null().sum() for c in frame.collect_schema().names()])


def _typed(folder: Path, tz: str):
    import polars as pl

    return pl.scan_parquet(folder / "contacts.parquet").select(
        *[c for c in COLUMNS if c != "arrived_at"],
        pl.col("arrived_at").dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null"),
    )


def plan(stage: str, folder: Path):
    """The LazyFrame of `stage` and the engine to collect it with."""
    import polars as pl

    import partner_analytics as pa
    from partner_analytics.core.schema import TABLES
    from partner_analytics.io.readers import read_table
    from partner_analytics.io.validation import validate_table
    from partner_analytics.metrics import contact_kpis as metrics
    from partner_analytics.metrics.fcr import fcr_sums

    eng = pa.load(folder)
    tz = eng.contract.timezone
    present = eng.present["contacts"]
    by = ["partner_id", "channel", "month"]
    if stage == "scan":
        return _tiny(pl.scan_parquet(folder / "contacts.parquet").select(COLUMNS)), "auto"
    if stage == "typed":
        return _tiny(_typed(folder, tz)), "auto"
    if stage == "checked":
        spec = replace(TABLES["contacts"], unique=())
        raw = read_table(folder / "contacts.parquet", spec, None)
        return _tiny(validate_table(raw, eng.contract, None).valid), "auto"
    if stage == "validated":
        return _tiny(eng.contacts), "auto"
    if stage == "dup":
        hashes = pl.scan_parquet(folder / "contacts.parquet").select(pl.col("contact_id").hash().alias("hash"))
        return hashes.group_by("hash").agg(pl.len().alias("n")).filter(pl.col("n") > 1), "auto"
    if stage == "sums":
        flags = metrics.contact_flags(eng.contacts, eng.contract.channels, fcr=False)
        return metrics.contact_sums(flags, by), "auto"
    if stage == "fcr":
        flags = metrics.contact_flags(eng.contacts, eng.contract.channels, fcr=False)
        return fcr_sums(flags.select(*by, "answered", "customer_id", "arrived_at"), by), "auto"
    if stage in ("full", "full-inmem"):
        lazy = metrics.contact_results(eng.contacts, eng.contract, present=present)
        return lazy, "in-memory" if stage == "full-inmem" else "auto"
    if stage == "kpi-results":
        from partner_analytics.metrics.results import kpi_results

        return kpi_results(eng), "auto"
    if stage == "raw-full":
        return metrics.contact_results(_typed(folder, tz), eng.contract, present=present), "auto"
    raise ValueError(stage)


def child(folder: Path, stage: str) -> None:
    started = time.perf_counter()
    lazy, engine = plan(stage, folder)
    planned = time.perf_counter()
    frame = lazy.collect(engine=engine)
    done = time.perf_counter()
    report(stage=stage, plan_s=planned - started, run_s=done - planned, peak_mb=peak_rss_mb(), rows=frame.height)


_NODE = re.compile(r"^([a-z\-\[\]_]+): tot\(([0-9.]+)(ns|µs|ms|s)\)")
_UNIT = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}


def _longest(stderr: str) -> str:
    blocks = stderr.split("Streaming query took ")
    return max(blocks[1:], key=lambda b: _seconds(b.split(" ", 1)[0]), default="")


def contact_scans(stderr: str, rows: int) -> int:
    """How many Parquet scans of the longest query sent `rows` rows (the contacts, read that many times)."""
    return sum(
        1
        for line in _longest(stderr).splitlines()
        if line.startswith("multi-scan[parquet]") and f"sent(row={rows}," in line
    )


def heaviest(stderr: str, top: int = 8) -> list[tuple[str, float]]:
    """The streaming engine's nodes of the longest query in a POLARS_LOG_METRICS log, by summed task time."""
    longest = _longest(stderr)
    nodes = []
    for line in longest.splitlines()[1:]:
        m = _NODE.match(line)
        if m:
            nodes.append((m.group(1), float(m.group(2)) * _UNIT[m.group(3)]))
    return sorted(nodes, key=lambda n: -n[1])[:top]


def _seconds(text: str) -> float:
    m = re.match(r"([0-9.]+)(ns|µs|ms|s)", text)
    return float(m.group(1)) * _UNIT[m.group(2)] if m else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engagements", nargs="*", type=Path)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--metrics", action="store_true")
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.engagements[0], args.child)
        return
    env = {"POLARS_TRACK_METRICS": "1", "POLARS_LOG_METRICS": "1"} if args.metrics else None
    stages = args.stages.split(",")
    for folder in args.engagements:
        contacts = _contact_rows(folder)
        runs = {s: [] for s in stages}
        for _ in range(args.repeat):
            for stage in stages:
                argv = [sys.executable, __file__, str(folder), "--child", stage]
                run = run_child(stage, argv, env=env, stderr_tail=10_000_000)
                runs[stage].append(run)
                note = "" if run.status == 0 else f" FAILED {run.status}: {run.stderr[-800:]}"
                print(
                    f"{folder.name} {stage:10s} run {run.report.get('run_s', float('nan')):7.2f} s  "
                    f"cpu {run.cpu_s:7.2f} s  peak {run.peak_mb:8.0f} MB{note}",
                    flush=True,
                )
                if args.metrics and run.status == 0:
                    nodes = ", ".join(f"{name} {seconds:.2f}" for name, seconds in heaviest(run.stderr))
                    print(f"    heaviest nodes (task s): {nodes}", flush=True)
                    print(f"    scans of all the contacts: {contact_scans(run.stderr, contacts)}", flush=True)
        rows = [[s, f"{median(runs[s], 'run_s'):.2f}", f"{median(runs[s], 'peak_mb'):,.0f}"] for s in stages]
        print(f"\n{folder}, median of {args.repeat}:")
        print(table(rows, ["stage", "run s", "peak RSS MB"]))


def _contact_rows(folder: Path) -> int:
    import polars as pl

    return pl.scan_parquet(folder / "contacts.parquet").select(pl.len()).collect().item()


if __name__ == "__main__":
    main()
