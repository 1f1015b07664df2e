"""Benchmark a committee cycle: the sample's latest quarter with every committee (13 reports).

    .venv/bin/python bench/cycle.py                 # 1 worker, then one per CPU
    .venv/bin/python bench/cycle.py --workers 2

Runs `partner_analytics.batch.cycle.run_cycle` (compute the analysis once, save its tables, run every
report notebook, export it, write the index) and prints, per run: the wall time of the whole cycle,
the machine's load average before and after (other processes share the CPUs), the CPU seconds of
this process (computing the tables, the index) and of its children (workers and kernels), and per
report the time split into kernel start, warm imports, wait for the kernel, execution and export,
with the report's HTML size. Output goes to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from partner_analytics.batch.cycle import CycleOutcome, prepare_cycle, run_cycle  # noqa: E402
from partner_analytics.io.engagement import load  # noqa: E402

COLUMNS = (
    ("kernel_start_s", "kstart"),
    ("imports_s", "imports"),
    ("kernel_wait_s", "kwait"),
    ("execute_s", "execute"),
    ("export_s", "export"),
    ("total_s", "total"),
    ("worker_cpu_s", "w.cpu"),
    ("kernel_cpu_s", "k.cpu"),
)
TARGET_S = 30.0
MAX_HTML_BYTES = 6_000_000


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _print_run(workers: int, wall: float, outcome: CycleOutcome, cpu_self: float, cpu_children: float, load: str):
    print(
        f"\n== {len(outcome.results)} reports, {workers} worker(s): wall {wall:.2f} s"
        f"  (target {TARGET_S:.0f} s; load average before: {load}, after: {_load()})"
    )
    print(f"CPU: this process {cpu_self:.2f} s (tables, index), workers and kernels {cpu_children:.2f} s")
    print(f"{'report':34s} " + " ".join(f"{short:>7s}" for _, short in COLUMNS) + f" {'MB':>5s}")
    for report, result in zip(outcome.cycle.reports, outcome.results, strict=True):
        assert result is not None
        cells = " ".join(f"{getattr(result.timings, name):7.2f}" for name, _ in COLUMNS)
        size = result.html_path.stat().st_size / 1e6 if result.ok else float("nan")
        status = "" if result.ok else f"  FAILED: {result.error.summary()}"
        print(f"{report.label:34s} {cells} {size:5.2f}{status}")
    ok = [r for r in outcome.results if r is not None and r.ok]
    means = " ".join(f"{statistics.fmean(getattr(r.timings, n) for r in ok):7.2f}" for n, _ in COLUMNS)
    print(f"{'mean':34s} {means}")
    sizes = [r.html_path.stat().st_size for r in ok]
    figures = sum(r.figures for r in ok)
    print(
        f"HTML: largest {max(sizes) / 1e6:.2f} MB (limit {MAX_HTML_BYTES / 1e6:.0f} MB),"
        f" mean {statistics.fmean(sizes) / 1e6:.2f} MB; {figures} figures; {len(ok)} of {len(outcome.results)} ok"
    )
    verdict = "within" if wall <= TARGET_S and max(sizes) <= MAX_HTML_BYTES and outcome.ok else "OUTSIDE"
    print(f"{verdict} the targets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    parser.add_argument("--engagement", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--period", default="latest-quarter")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "cycle")
    args = parser.parse_args()

    if not (args.engagement / "contract.yaml").is_file():
        sys.exit(f"no engagement in {args.engagement}: run `make sample` first")
    shutil.rmtree(args.out, ignore_errors=True)
    print(f"{os.cpu_count()} CPUs; python {sys.version.split()[0]}; engagement {args.engagement}")
    engagement = load(args.engagement)
    for workers in args.workers:
        cycle = prepare_cycle(engagement, args.period, args.out / f"w{workers}", committee="all")
        load_before = _load()
        cpu0, children0 = time.process_time(), _children_cpu()
        t0 = time.perf_counter()
        outcome = run_cycle(cycle, workers=workers)
        wall = time.perf_counter() - t0
        _print_run(workers, wall, outcome, time.process_time() - cpu0, _children_cpu() - children0, load_before)


if __name__ == "__main__":
    main()
