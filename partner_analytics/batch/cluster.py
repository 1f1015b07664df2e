"""Run report jobs on a Dask distributed cluster instead of the local worker processes (`pool`).

For programmes beyond one machine: `cluster_client("tcp://host:port")` connects to a running
scheduler (`dask scheduler`, `dask worker tcp://host:port --nthreads 1` on each machine), and
`cluster_client("local")` starts a `LocalCluster` of worker processes on this one. Dask schedules,
retries a job whose worker died and moves work between machines; nothing of that is written here.

Each Dask worker process keeps one warm `ReportRunner` (papermill and nbconvert imported once, the
next kernel started while a report runs), as a worker of the local pool does; a worker needs one
thread (`threads_per_worker=1`, `--nthreads 1`): kernels and their sockets do not cross threads.
The workers read the notebooks and the cycle's tables and write the reports at the paths of the
jobs: on several machines those paths must be on a shared file system, and the workers must have
the same Python environment. A report gives the same HTML, byte for byte, on a cluster or the pool.

A large contact history is read on the workers too, partition by partition (`partition_reading`,
`metrics.partitioned`): each worker reads its partitions' files at their paths (the engagement
folder shared as well), keeps their FCR columns for the tasks that need them and sends back their
sums, which this process adds up: the same tables as threads of this process give.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .jobs import ExecutionOptions, ReportError, ReportJob, ReportResult, job_problem
from .runner import ReportRunner

if TYPE_CHECKING:
    from distributed import Client

    from ..metrics.partitioned import Reading

__all__ = ["LOCAL", "cluster_client", "iter_reports_on_cluster", "partition_reading"]

LOCAL = "local"
"""The address that starts a Dask cluster on this machine (`cluster_client`)."""

_RUNNER: list[ReportRunner] = []
"""The warm runner of this worker process (at most one)."""


@contextmanager
def cluster_client(address: str, *, workers: int | None = None) -> Iterator[Client]:
    """A Dask client of the cluster at `address` (``tcp://host:port``), or of a new `LocalCluster` of
    `workers` single-threaded processes (default: the CPU count) for ``local``; closed on exit."""
    from distributed import Client, LocalCluster

    if address != LOCAL:
        with Client(address) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            host="127.0.0.1", n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def partition_reading(client: Client) -> Reading:
    """The cluster's workers as the readers of a large contact history's partitions (`pipeline.compute`,
    `metrics.partitioned.ClusterReading`): as many read at a time as the workers have threads."""
    from ..metrics.partitioned import ClusterReading

    return ClusterReading(client)


def iter_reports_on_cluster(
    jobs: Iterable[ReportJob], client: Client, *, options: ExecutionOptions | None = None
) -> Iterator[ReportResult]:
    """Run the jobs on the cluster of `client`; yield results as they finish (see `pool.iter_reports`).

    Jobs that fail their checks (`job_problem`), or would overwrite the output of an earlier job, are
    yielded first without being sent. Closing the iterator early cancels the jobs not yet finished.
    """
    from distributed import WorkerPlugin, as_completed

    class ClosingRunners(WorkerPlugin):
        """Stops a worker's runner (its spare kernel) when the worker closes."""

        def teardown(self, worker) -> None:
            _close_runner()

    client.register_plugin(ClosingRunners(), name="partner-analytics-runners")
    options = options or ExecutionOptions()
    outputs: set[Path] = set()
    sent = []
    for index, job in enumerate(jobs):
        targets = {job.html_path.resolve(), job.executed_path.resolve()}
        problem = job_problem(job)
        if targets & outputs:
            problem = ReportError(
                "parameters", "DuplicateOutput", f"{job.html_path} or {job.executed_path} is written by an earlier job"
            )
        outputs |= targets
        if problem is not None:
            yield ReportResult(job=job, index=index, error=problem)
        else:
            sent.append(client.submit(_run_on_worker, job, index, options, pure=False))
    try:
        for future in as_completed(sent):
            yield future.result()
    finally:
        client.cancel([f for f in sent if not f.done()])


def _run_on_worker(job: ReportJob, index: int, options: ExecutionOptions) -> ReportResult:
    """One report on a Dask worker, with the worker's warm runner (made at its first report)."""
    if _RUNNER and _RUNNER[0].options != options:
        _close_runner()
    if not _RUNNER:
        # as the pool's workers do: no IRI grammar build at jsonschema's import, papermill's log quiet
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
        logging.getLogger("papermill").setLevel(logging.CRITICAL)
        runner = ReportRunner(options)
        runner.prestart()
        runner.warm_exporter()
        _RUNNER.append(runner)
    return _RUNNER[0].run(job, index, expect_more=True)


def _close_runner() -> None:
    while _RUNNER:
        _RUNNER.pop().close()
