"""Run report jobs in parallel on worker processes: `iter_reports` and `run_reports`.

`run_reports` returns the results in job order, with an optional callback per finished report;
`iter_reports` yields them as they finish (one tick per report for a progress bar).

- **Worker processes, not threads.** Each worker imports papermill/nbconvert once and keeps one
  warm `ReportRunner`; kernels, cwd and ZMQ sockets never cross threads (papermill #239, #511,
  #776, #578).
- **No jsonschema grammar build.** Worker processes block the optional ``rfc3987_syntax`` import
  (1.8 s at every jsonschema import, for an IRI format check the notebook schema never uses);
  JupyterLab and Voilà are untouched.
- **Figures through `partner_analytics.charts.display.show`**, so kernels never import
  nbformat/jsonschema through plotly's renderers, and plotly.js is embedded once per report by
  `partner_analytics.batch.html_export`.

One failing report never stops the others. A report running longer than
`ExecutionOptions.timeout_s` gets its worker's process group and its kernel's process group
killed, and a new worker takes the next job.

The protocol: the parent sends a worker its `ExecutionOptions`, then ``("job", index, job,
expect_more)`` messages and finally ``("stop",)``; the worker answers ``("ready",)``, then per job
``("start", index)``, ``("cell", cell index, cell id, source excerpt)`` as cells run, ``("kernel", pid)`` /
``("kernel_gone", pid)`` as it launches and stops kernels, and ``("result", ReportResult)``.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .jobs import ExecutionOptions, ReportError, ReportJob, ReportResult, Timings, job_problem
from .kernels import kill_process_group
from .runner import ReportRunner

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["iter_reports", "run_reports"]


def _worker_main(fd: int) -> None:
    """A worker process: receives its options, then runs the jobs it is sent, one at a time.

    Started by `iter_reports` in its own session (process group); talks to the
    parent over the inherited socket `fd`.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # jsonschema (imported by nbformat) builds an IRI grammar at import when
    # rfc3987-syntax is installed: about 1.8 s, for a format check that the
    # notebook schema never uses. Without it jsonschema skips that check.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    # Failures reach the caller in results; papermill's log lines would only
    # garble the caller's progress display.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    conn = multiprocessing.connection.Connection(fd)
    options: ExecutionOptions = conn.recv()
    runner = ReportRunner(options, notify=conn.send)
    runner.prestart()
    runner.warm_exporter()
    conn.send(("ready",))
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[0] != "job":
                break
            _, index, job, expect_more = message
            conn.send(("start", index))
            conn.send(("result", runner.run(job, index, expect_more=expect_more)))
            if not expect_more:
                runner.discard_spare()
    finally:
        runner.close()


_WORKER_CODE = "import sys; from partner_analytics.batch.pool import _worker_main; _worker_main(int(sys.argv[1]))"


_WORKER_TOKEN_ENV = "PARTNER_ANALYTICS_WORKER"


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    token: str
    kernels: set[int] = field(default_factory=set)
    index: int | None = None
    job: ReportJob | None = None
    deadline: float = math.inf
    dispatched_at: float = 0.0
    cell: tuple[int | None, str | None, str | None] = (None, None, None)

    @classmethod
    def spawn(cls, options: ExecutionOptions) -> _Worker:
        """Start a worker process in a new session and send it the options.

        A plain ``python -c`` child (not multiprocessing's spawn), so the caller's
        ``__main__`` is never re-imported and needs no ``if __name__ == "__main__"`` guard.
        """
        # Every kernel of this worker carries the token in its environment, so that
        # one launched just before a kill (not yet reported) is found too.
        token = uuid.uuid4().hex
        options = replace(options, kernel_env={**options.kernel_env, _WORKER_TOKEN_ENV: token})
        parent_sock, child_sock = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(child_sock.fileno())],
                pass_fds=(child_sock.fileno(),),
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            child_sock.close()
        conn = multiprocessing.connection.Connection(parent_sock.detach())
        conn.send(options)
        return cls(process=process, conn=conn, token=token)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the worker's process group and every kernel it launched; wait until gone."""
        for pid in self.kernels:
            kill_process_group(pid)
        kill_process_group(self.process.pid)
        self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        marked = _processes_with_env(f"{_WORKER_TOKEN_ENV}={self.token}")
        for pid in marked:
            kill_process_group(pid)
        _wait_gone(self.kernels | set(marked), timeout_s=5.0)
        self.conn.close()


def _processes_with_env(entry: str) -> list[int]:
    """Pids of live processes whose environment holds `entry` (Linux; [] elsewhere)."""
    needle = entry.encode() + b"\0"
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/environ", "rb") as fh:
                    environ = fh.read()
            except OSError:
                continue
            if needle in environ and _alive(int(name)):
                found.append(int(name))
    return found


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its reaper does not count)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _wait_gone(pids: Iterable[int], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    pending = [pid for pid in pids if _alive(pid)]
    while pending and time.monotonic() < deadline:
        time.sleep(0.02)
        pending = [pid for pid in pending if _alive(pid)]


def iter_reports(
    jobs: Iterable[ReportJob],
    *,
    workers: int | None = None,
    options: ExecutionOptions | None = None,
) -> Iterator[ReportResult]:
    """Run the jobs on `workers` processes (default: CPU count); yield results as they finish.

    Jobs that fail their checks (`job_problem`), or would overwrite the output of an
    earlier job, are yielded first without using a worker. Closing the iterator
    early (or an exception such as KeyboardInterrupt) kills the workers and kernels.
    POSIX only (process groups, IPC sockets).
    """
    options = options or ExecutionOptions()
    job_list = list(jobs)
    ready: deque[tuple[int, ReportJob]] = deque()
    outputs: set[Path] = set()
    for index, job in enumerate(job_list):
        targets = {job.html_path.resolve(), job.executed_path.resolve()}
        problem = job_problem(job)
        if targets & outputs:
            problem = ReportError(
                "parameters",
                "DuplicateOutput",
                f"{job.html_path} or {job.executed_path} is written by an earlier job",
            )
        outputs |= targets
        if problem is not None:
            yield ReportResult(job=job, index=index, error=problem)
        else:
            ready.append((index, job))
    if not ready:
        return
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(ready)))
    pool: list[_Worker] = []
    # A new worker's imports and first kernel do not count against its first job's timeout.
    startup_allowance = options.start_timeout_s + 120.0

    def dispatch(worker: _Worker) -> None:
        index, job = ready.popleft()
        worker.index, worker.job, worker.cell = index, job, (None, None, None)
        worker.dispatched_at = time.monotonic()
        worker.deadline = worker.dispatched_at + options.timeout_s + startup_allowance
        worker.conn.send(("job", index, job, bool(ready)))

    try:
        for _ in range(n_workers):
            pool.append(_Worker.spawn(options))
            dispatch(pool[-1])
        while any(w.job is not None for w in pool):
            busy = [w for w in pool if w.job is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            multiprocessing.connection.wait([w.conn for w in busy], timeout=min(timeout, 1.0))
            for worker in busy:
                finished = _drain(worker, options)
                if finished is not None:
                    if ready:
                        dispatch(worker)
                    yield finished
                    continue
                dead = not worker.alive()
                if dead or time.monotonic() >= worker.deadline:
                    # A dead worker may have sent its result just before it ended.
                    finished = _drain(worker, options) if dead else None
                    if finished is None:
                        finished = _lost_job_result(worker, options, timed_out=not dead)
                    worker.kill()
                    pool.remove(worker)
                    if ready:
                        pool.append(_Worker.spawn(options))
                        dispatch(pool[-1])
                    yield finished
    finally:
        _stop(pool)


def _drain(worker: _Worker, options: ExecutionOptions) -> ReportResult | None:
    """Read the worker's pending messages; return its result when the job finished."""
    while True:
        try:
            if not worker.conn.poll():
                return None
            message = worker.conn.recv()
        except (EOFError, OSError):
            return None
        kind = message[0]
        if kind == "kernel":
            worker.kernels.add(message[1])
        elif kind == "kernel_gone":
            worker.kernels.discard(message[1])
        elif kind == "start" and message[1] == worker.index:
            worker.deadline = time.monotonic() + options.timeout_s
        elif kind == "cell":
            worker.cell = (message[1], message[2], message[3])
        elif kind == "result":
            result: ReportResult = message[1]
            worker.index, worker.job, worker.deadline = None, None, math.inf
            return result


def _lost_job_result(worker: _Worker, options: ExecutionOptions, *, timed_out: bool) -> ReportResult:
    assert worker.job is not None and worker.index is not None
    cell_index, cell_id, cell_source = worker.cell
    if timed_out:
        error = ReportError(
            "timeout",
            "TimeoutError",
            f"the report did not finish within {options.timeout_s:g} s; its worker and kernel were killed",
            cell_index=cell_index,
            cell_id=cell_id,
            cell_source=cell_source,
        )
    else:
        error = ReportError(
            "worker",
            "WorkerDied",
            f"the worker process ended unexpectedly (exit code {worker.process.returncode})",
            cell_index=cell_index,
            cell_id=cell_id,
            cell_source=cell_source,
        )
    return ReportResult(
        job=worker.job,
        index=worker.index,
        error=error,
        timings=Timings(total_s=time.monotonic() - worker.dispatched_at),
        worker_pid=worker.process.pid,
    )


def _stop(pool: list[_Worker]) -> None:
    """Kill busy workers (the run was abandoned), let idle ones stop their spare kernel."""
    busy = [w for w in pool if w.job is not None]
    idle = [w for w in pool if w.job is None]
    for worker in busy:
        _drain(worker, ExecutionOptions())  # learn about its latest kernels
        worker.kill()
    for worker in idle:
        try:
            worker.conn.send(("stop",))
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + 10.0
    for worker in idle:
        try:
            worker.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _drain(worker, ExecutionOptions())
        if worker.alive() or worker.kernels:
            worker.kill()
        else:
            worker.conn.close()


def run_reports(
    jobs: Iterable[ReportJob],
    *,
    workers: int | None = None,
    options: ExecutionOptions | None = None,
    on_result: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Run the jobs (see `iter_reports`) and return their results in job order.

    `on_result` is called once per finished report, as it finishes (progress bars).
    """
    results: list[ReportResult] = []
    for result in iter_reports(jobs, workers=workers, options=options):
        if on_result is not None:
            on_result(result)
        results.append(result)
    return sorted(results, key=lambda r: r.index)
