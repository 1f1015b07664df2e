"""One report after another in this process: papermill on a warmed kernel, then the HTML export.

A `ReportRunner` keeps one nbconvert exporter and, when more jobs are expected, a spare kernel
that boots while the current report runs; every report still gets its own fresh kernel, so no
state leaks from one partner's report to another's. A kernel that fails to start is retried
once. A failing report never raises: its result carries the failing cell (index in the source
notebook, id, source excerpt) and the exception's name and message.

What varies between two runs of the same job: the executed notebook's timings
(``metadata.papermill`` start/end times and durations, each cell's ``metadata.execution`` and
``metadata.papermill`` times). The HTML does not contain them and is byte-identical for the same
inputs.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .jobs import ExecutionOptions, ReportError, ReportJob, ReportResult, Timings, cell_excerpt, job_problem
from .kernels import Kernel, KernelStartError

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["ReportRunner", "run_report"]


class ReportRunner:
    """Runs jobs one after the other in this process; reused across jobs."""

    def __init__(
        self,
        options: ExecutionOptions,
        notify: Callable[[tuple[Any, ...]], None] = lambda message: None,
    ) -> None:
        import nbformat  # noqa: F401  (import cost paid once per process)
        import papermill  # noqa: F401

        from partner_analytics.batch.html_export import ReportExporter

        self.options = options
        self.notify = notify
        self.exporter = ReportExporter()
        self.work_dir = tempfile.mkdtemp(prefix="pa-k-")
        self.spare: Kernel | None = None

    def warm_exporter(self) -> None:
        """Compile the report template and read plotly.js now (while a kernel boots)."""
        import nbformat

        from partner_analytics.charts.display import plotly_js

        plotly_js()
        self.exporter.html(nbformat.v4.new_notebook())

    def prestart(self) -> None:
        """Launch the next report's kernel now (it warms up in the background)."""
        if self.spare is None:
            try:
                self.spare = self._launch()
            except Exception:
                self.spare = None

    def _launch(self) -> Kernel:
        kernel = Kernel(self.options, self.work_dir)
        if kernel.pid:
            self.notify(("kernel", kernel.pid))
        return kernel

    def _discard(self, kernel: Kernel) -> None:
        kernel.kill()
        if kernel.pid:
            self.notify(("kernel_gone", kernel.pid))

    def _ready_kernel(self, cwd: Path, *, expect_more: bool) -> tuple[Kernel, float]:
        """Return a warmed kernel in `cwd`, retrying a failed start once.

        When more jobs are expected, the next kernel is launched right away, so
        that it boots while this one runs its notebook.
        """
        t0 = time.perf_counter()
        last: Exception | None = None
        for _attempt in range(2):
            kernel, self.spare = self.spare, None
            try:
                if kernel is None:
                    kernel = self._launch()
                kernel.wait_ready()
                if expect_more:
                    self.prestart()
                kernel.run_silently(f"__import__('os').chdir({str(cwd)!r})")
                kernel.release_client()
                return kernel, time.perf_counter() - t0
            except Exception as exc:
                last = exc
                if kernel is not None:
                    self._discard(kernel)
        raise KernelStartError(f"kernel failed to start twice: {last}")

    def run(self, job: ReportJob, index: int, *, expect_more: bool = False) -> ReportResult:
        """Execute one job and export it; never raises for a report's own failure."""
        clock = _Clock()
        result = ReportResult(job=job, index=index, worker_pid=os.getpid())
        problem = job_problem(job)
        if problem is not None:
            return replace(result, error=problem, timings=clock.timings())
        try:
            return self._run_checked(job, result, clock, expect_more=expect_more)
        except Exception as exc:  # a bug or an environment failure: still isolate it
            error = ReportError("worker", type(exc).__name__, str(exc), traceback=traceback.format_exc())
            return replace(result, error=error, timings=clock.timings())

    def _run_checked(self, job: ReportJob, result: ReportResult, clock: _Clock, *, expect_more: bool) -> ReportResult:
        import nbformat
        from papermill.execute import prepare_notebook_metadata
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        from partner_analytics.batch.html_export import count_plotly_figures
        from partner_analytics.core.atomic import write_atomic

        source_nb = load_notebook_node(str(job.notebook))
        raw_cells = json.loads(job.notebook.read_text(encoding="utf-8")).get("cells", [])
        if any("id" not in cell for cell in raw_cells):
            # nbformat < 4.5: ids were just made up at random; make them stable.
            for i, cell in enumerate(source_nb.cells):
                cell["id"] = f"cell-{i}"
        source_index = {cell.get("id"): i for i, cell in enumerate(source_nb.cells)}
        nb = parameterize_notebook(
            source_nb,
            dict(job.parameters),
            kernel_name=self.options.kernel_name,
            language="python",
        )
        for cell in nb.cells:  # papermill gives the injected cell a random id
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell["id"] = "injected-parameters"
        nb = prepare_notebook_metadata(nb, str(job.notebook), str(job.executed_path))

        try:
            kernel, clock.spans["kernel_wait_s"] = self._ready_kernel(job.kernel_cwd, expect_more=expect_more)
        except KernelStartError as exc:
            error = ReportError("kernel", "KernelStartError", str(exc))
            return replace(result, error=error, timings=clock.timings())
        clock.spans |= {
            "kernel_start_s": kernel.kernel_start_s,
            "imports_s": kernel.imports_s,
        }

        current: dict[str, Any] = {}

        def on_cell_execute(cell: Any, cell_index: int) -> None:
            current["cell"] = cell
            excerpt = cell_excerpt(cell)
            self.notify(("cell", source_index.get(cell.get("id")), cell.get("id"), excerpt))

        crash: ReportError | None = None
        t_exec = time.perf_counter()
        clients: list[Any] = []
        try:
            nb = _engine().execute_notebook(
                nb,
                self.options.kernel_name,
                output_path=None,
                progress_bar=False,
                log_output=False,
                km=kernel.km,
                start_timeout=self.options.start_timeout_s,
                on_cell_execute=on_cell_execute,
                clients=clients,
            )
        except Exception as exc:  # the kernel died or stopped answering
            cell = current.get("cell") or {}
            crash = ReportError(
                "kernel",
                type(exc).__name__,
                f"{exc}\n{kernel.log_tail()}".strip(),
                cell_index=source_index.get(cell.get("id")),
                cell_id=cell.get("id"),
                cell_source=cell_excerpt(cell) if cell else None,
            )
        clock.spans["execute_s"] = time.perf_counter() - t_exec
        clock.spans["kernel_cpu_s"] = kernel.cpu_s()
        for client in clients:
            if getattr(client, "kc", None) is not None:
                client.kc.stop_channels()
        self._discard(kernel)
        if crash is not None:
            return replace(result, error=crash, timings=clock.timings())

        t_export = time.perf_counter()
        ipynb_path = write_atomic(job.executed_path, nbformat.writes(nb))
        cell_error = _first_cell_error(nb, source_index)
        if cell_error is not None:
            return replace(result, error=cell_error, ipynb_path=ipynb_path, timings=clock.timings())
        try:
            html_path = self.exporter.write(nb, job.html_path, title=job.title, language=job.parameters.get("language"))
        except Exception as exc:
            error = ReportError("export", type(exc).__name__, str(exc), traceback=traceback.format_exc())
            return replace(result, error=error, ipynb_path=ipynb_path, timings=clock.timings())
        clock.spans["export_s"] = time.perf_counter() - t_export
        return replace(
            result,
            html_path=html_path,
            ipynb_path=ipynb_path,
            figures=count_plotly_figures(nb),
            timings=clock.timings(),
        )

    def discard_spare(self) -> None:
        """Stop the spare kernel, if there is one (no more jobs are coming)."""
        if self.spare is not None:
            self._discard(self.spare)
            self.spare = None

    def close(self) -> None:
        """Stop the spare kernel and remove the work folder (sockets, kernel spec)."""
        self.discard_spare()
        shutil.rmtree(self.work_dir, ignore_errors=True)


class _Clock:
    """Wall and CPU time of one report in a worker, plus named spans."""

    def __init__(self) -> None:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()
        self.spans: dict[str, float] = {}

    def timings(self) -> Timings:
        return Timings(
            **self.spans,
            worker_cpu_s=time.process_time() - self.cpu0,
            total_s=time.perf_counter() - self.wall0,
        )


@functools.cache
def _engine() -> Any:
    """Return papermill's nbclient engine, run on a kernel started beforehand.

    The notebook client is appended to the `clients` list passed in, so that the
    caller can read the kernel's CPU time before stopping it and close the client.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, logger

    class PrestartedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            *,
            km: Any,
            start_timeout: float,
            on_cell_execute: Callable[..., None],
            clients: list[Any],
            **_unused: Any,
        ) -> Any:
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                kernel_name=kernel_name,
                startup_timeout=start_timeout,
                timeout=None,
                log=logger,
                on_cell_execute=on_cell_execute,
            )
            clients.append(client)
            return client.execute()

    return PrestartedKernelEngine


def _first_cell_error(nb: NotebookNode, source_index: Mapping[Any, int]) -> ReportError | None:
    """Return the first cell error of an executed notebook (``sys.exit(0)`` is not one)."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            if out.get("ename") == "SystemExit" and out.get("evalue") in ("", "0"):
                continue
            return ReportError(
                "cell",
                out.get("ename", "Error"),
                out.get("evalue", ""),
                cell_index=source_index.get(cell.get("id")),
                cell_id=cell.get("id"),
                cell_source=cell_excerpt(cell),
                traceback=_strip_ansi("\n".join(out.get("traceback", []))),
            )
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return ReportError(
                "cell",
                "CellExecutionError",
                "the cell failed without an error output",
                cell_index=source_index.get(cell.get("id")),
                cell_id=cell.get("id"),
                cell_source=cell_excerpt(cell),
            )
    return None


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def run_report(job: ReportJob, options: ExecutionOptions | None = None) -> ReportResult:
    """Run one job in this process (imports papermill/nbconvert here; no hard timeout)."""
    runner = ReportRunner(options or ExecutionOptions())
    try:
        return runner.run(job, 0)
    finally:
        runner.close()
