"""Benchmark the report engine: N dummy reports (8 plotly figures each) on 1 and 2 workers.

    .venv/bin/python bench/render.py                    # 13 reports, 1 then 2 workers
    .venv/bin/python bench/render.py --workers 2 --naive 2

Prints, per run, the wall time of the whole batch and per report the time split
into kernel start, warm imports, wait for the kernel, execution and export, plus
the CPU seconds of the worker and of the kernel (which do not depend on how busy
the machine is). `--naive N` also times N reports the naive way (papermill CLI,
then nbconvert CLI) for comparison. Output goes to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "notebooks"))

from sample_contacts import PARTNERS, write_contacts  # noqa: E402

from partner_analytics.batch.jobs import ExecutionOptions, ReportJob, ReportResult  # noqa: E402
from partner_analytics.batch.pool import run_reports  # noqa: E402

NOTEBOOK = ROOT / "tests" / "notebooks" / "report.ipynb"
KINDS = ("operational", "strategic")
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


def _jobs(n: int, data: Path, out: Path) -> list[ReportJob]:
    jobs = []
    for i in range(n):
        kind, partner = KINDS[i % len(KINDS)], PARTNERS[i % len(PARTNERS)]
        title = f"{kind.capitalize()} report"
        jobs.append(
            ReportJob(
                NOTEBOOK,
                {"partner_id": partner, "data_path": str(data), "title": title},
                out / kind / f"{i:02d}-{partner}.html",
                label=f"{kind} / {partner} #{i}",
            )
        )
    return jobs


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _print_run(workers: int, wall: float, results: list[ReportResult], load_before: str) -> None:
    print(
        f"\n== {len(results)} reports, {workers} worker(s): wall {wall:.2f} s"
        f"  (load average before: {load_before}; after: {_load()})"
    )
    print(f"{'report':32s} {'pid':>7s} " + " ".join(f"{short:>7s}" for _, short in COLUMNS))
    for r in results:
        cells = " ".join(f"{getattr(r.timings, name):7.2f}" for name, _ in COLUMNS)
        status = "" if r.ok else f"  FAILED: {r.error.summary()}"
        print(f"{r.job.label:32s} {r.worker_pid or 0:7d} {cells}{status}")
    ok = [r for r in results if r.ok]
    means = " ".join(f"{statistics.fmean(getattr(r.timings, n) for r in ok):7.2f}" for n, _ in COLUMNS)
    print(f"{'mean':32s} {'':7s} {means}")
    cpu = sum(r.timings.worker_cpu_s + r.timings.kernel_cpu_s for r in ok)
    size = statistics.fmean(r.html_path.stat().st_size for r in ok) / 1e6
    print(
        f"CPU in workers + kernels for the reports: {cpu:.2f} s ({cpu / len(ok):.2f} s per report);"
        f" HTML {size:.2f} MB per report; {sum(r.figures for r in ok)} figures"
    )


def _naive(n: int, data: Path, out: Path) -> None:
    """Papermill CLI then nbconvert CLI, one report after the other."""
    bindir = Path(sys.executable).parent
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for i in range(n):
        executed = out / f"naive-{i}.ipynb"
        t = time.perf_counter()
        subprocess.run(
            [
                str(bindir / "papermill"),
                str(NOTEBOOK),
                str(executed),
                "-p",
                "partner_id",
                PARTNERS[i % 3],
                "-p",
                "data_path",
                str(data),
                "--no-progress-bar",
                "--cwd",
                str(NOTEBOOK.parent),
            ],
            check=True,
            capture_output=True,
        )
        t_exec = time.perf_counter() - t
        subprocess.run(
            [
                str(bindir / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(executed),
            ],
            check=True,
            capture_output=True,
        )
        print(f"naive report {i}: papermill CLI {t_exec:.2f} s, nbconvert CLI {time.perf_counter() - t - t_exec:.2f} s")
    print(f"naive: {n} reports in {time.perf_counter() - t0:.2f} s (load average after: {_load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=13)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rows", type=int, default=50_000, help="contacts in the Parquet table")
    parser.add_argument("--naive", type=int, default=0, help="also time this many reports the naive way")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    data = write_contacts(args.out / "contacts.parquet", n_rows=args.rows)
    print(f"{os.cpu_count()} CPUs; {args.rows} contacts; python {sys.version.split()[0]}")
    for workers in args.workers:
        jobs = _jobs(args.reports, data, args.out / f"w{workers}")
        load_before = _load()
        t0 = time.perf_counter()
        results = run_reports(jobs, workers=workers, options=ExecutionOptions())
        _print_run(workers, time.perf_counter() - t0, results, load_before)
    if args.naive:
        _naive(args.naive, data, args.out / "naive")


if __name__ == "__main__":
    main()
