"""Run a command in a fresh process and measure it: wall time, peak memory (RSS high-water mark), its JSON report.

Shared by the benchmark scripts. Each measurement is one child process, so an engine's peak memory
is its own: `os.wait4` returns the rusage of that child alone (unlike RUSAGE_CHILDREN, which keeps
the maximum over every child waited for). A child reports what it measured inside as one JSON object
on the last line of its stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Run", "median", "peak_rss_mb", "report", "run_child", "table"]


@dataclass(frozen=True)
class Run:
    """One child process: its label, wall time (s), CPU time (user + system, s), peak RSS (MB), exit status,
    the 1-minute load average when it started, its JSON report and the tail of its stderr."""

    label: str
    wall_s: float
    cpu_s: float
    peak_mb: float
    status: int
    load: float = 0.0
    report: dict = field(default_factory=dict)
    stderr: str = ""

    def value(self, key: str) -> float:
        """`wall_s`, `cpu_s`, `peak_mb`, `load`, or a number from the child's report."""
        return getattr(self, key) if key in ("wall_s", "cpu_s", "peak_mb", "load") else float(self.report[key])


def run_child(
    label: str,
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 7200,
    stderr_tail: int = 3000,
) -> Run:
    """Run `argv` in a new process, wait for it with `os.wait4`, and return what it cost and reported."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, env={**os.environ, **(env or {})}, text=True)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = [line for line in out.read().strip().splitlines() if line.startswith("{")]
        stderr = err.read()[-stderr_tail:]
    return Run(
        label,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,  # Linux: KB
        proc.returncode,
        load,
        json.loads(lines[-1]) if lines else {},
        stderr,
    )


def peak_rss_mb() -> float:
    """This process's peak RSS so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(**values: object) -> None:
    """Print the child's JSON report (the last line of its stdout)."""
    print(json.dumps(values, default=str), flush=True)


def median(runs: Sequence[Run], key: str) -> float:
    """The median of `key` over runs that succeeded (nan if none did)."""
    values = [r.value(key) for r in runs if r.status == 0]
    return statistics.median(values) if values else float("nan")


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """A Markdown table."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
