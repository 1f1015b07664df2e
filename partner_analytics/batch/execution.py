"""Execute parameterised report notebooks in parallel and export them to offline HTML.

A caller builds a list of `ReportJob` (notebook, typed parameters, output HTML
path, label) and runs them with `run_reports` (a list of results, in job order,
with an optional callback per finished report) or `iter_reports` (results as
they finish: one tick per report for a progress bar). `run_report` runs one job
in the calling process (no pool, no hard timeout), e.g. from a notebook.

How it is fast, and why:

- **Worker processes, not threads.** Each worker imports papermill/nbconvert once
  and keeps one warm nbconvert exporter; kernels, cwd and ZMQ sockets never
  cross threads (papermill #239, #511, #776, #578).
- **The next kernel boots while the current report runs.** A worker that expects
  more jobs launches a spare kernel as soon as it takes one for a report, and
  imports the usual modules in it (`ExecutionOptions.warm_imports`, silently: no
  output, no history, no names left behind). Every report still gets its own
  fresh kernel, so no state leaks from one partner's report to another's.
- **Lean batch kernels.** No ipykernel debugger (importing debugpy was most of a
  kernel start), no ``rfc3987_syntax`` (see below), history in memory, IPC
  sockets on POSIX (no TCP port to race for).
- **No jsonschema grammar build.** Worker processes block the optional
  ``rfc3987_syntax`` import (1.8 s at every jsonschema import, for an IRI format
  check the notebook schema never uses); JupyterLab and Voilà are untouched.
- **Figures through `partner_analytics.charts.display.show`**, so kernels never import
  nbformat/jsonschema through plotly's renderers, and plotly.js is embedded once
  per report by `partner_analytics.batch.html_export`.

Robustness: parameters go to papermill as Python values (never through a CLI),
limited to the types papermill writes back faithfully; a notebook without a
cell tagged ``parameters``, or a parameter the notebook does not declare, is an
error before anything runs. One failing report never stops the others: its
result carries the failing cell (index in the source notebook, id, source
excerpt) and the exception's name and message. A report running longer than
`ExecutionOptions.timeout_s` gets its worker's process group and its kernel's
process group killed, and a new worker takes the next job. A kernel that fails
to start is retried once.

What varies between two runs of the same job: the executed notebook's timings
(``metadata.papermill`` start/end times and durations, each cell's
``metadata.execution`` and ``metadata.papermill`` times). The HTML does not
contain them and is byte-identical for the same inputs.
"""

from __future__ import annotations

import ast
import functools
import json
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from nbformat import NotebookNode

__all__ = [
    "DEFAULT_WARM_IMPORTS",
    "ErrorKind",
    "ExecutionOptions",
    "ParameterValue",
    "ReportError",
    "ReportJob",
    "ReportResult",
    "Timings",
    "declared_parameters",
    "iter_reports",
    "job_problem",
    "parameter_type_problems",
    "parameters_cell_index",
    "run_report",
    "run_reports",
]

#: Modules imported in each fresh kernel before its notebook runs (a missing one is skipped).
DEFAULT_WARM_IMPORTS: tuple[str, ...] = (
    "polars",
    "plotly.graph_objects",
    "partner_analytics.charts.display",
)

ParameterValue = None | bool | int | float | str | list[Any] | dict[str, Any]
ErrorKind = Literal["parameters", "cell", "timeout", "kernel", "export", "worker"]

_EXCERPT_LINES = 8
_EXCERPT_CHARS = 600


@dataclass(frozen=True)
class ReportJob:
    """One report to produce: run `notebook` with `parameters`, write `html_path`.

    The executed notebook is kept beside the HTML (same name, ``.ipynb``) unless
    `ipynb_path` says otherwise. The kernel's working folder is `cwd`, by default
    the notebook's folder. `label` names the report in progress lines and
    results (e.g. ``"strategic / northcall"``) and is the page title.
    """

    notebook: Path
    parameters: Mapping[str, ParameterValue]
    html_path: Path
    label: str = ""
    ipynb_path: Path | None = None
    cwd: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "notebook", Path(self.notebook))
        object.__setattr__(self, "html_path", Path(self.html_path))
        object.__setattr__(self, "parameters", dict(self.parameters))
        if self.ipynb_path is not None:
            object.__setattr__(self, "ipynb_path", Path(self.ipynb_path))
        if self.cwd is not None:
            object.__setattr__(self, "cwd", Path(self.cwd))

    @property
    def executed_path(self) -> Path:
        """Where the executed notebook is written."""
        return self.ipynb_path or self.html_path.with_suffix(".ipynb")

    @property
    def kernel_cwd(self) -> Path:
        """The kernel's working folder."""
        return (self.cwd or self.notebook.parent).resolve()

    @property
    def title(self) -> str:
        """The report's page title."""
        return self.label or self.notebook.stem


@dataclass(frozen=True)
class ReportError:
    """Why a report failed.

    `cell_index` counts all cells of the source notebook from 0 (the cell to fix),
    `cell_id` is that cell's nbformat id; both are None when no cell is at fault.
    """

    kind: ErrorKind
    exception: str
    message: str
    cell_index: int | None = None
    cell_id: str | None = None
    cell_source: str | None = None
    traceback: str = ""

    def summary(self) -> str:
        """One line for a log or a progress bar."""
        where = f" in cell {self.cell_index}" if self.cell_index is not None else ""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.kind} error{where}: {self.exception}: {first}"


@dataclass(frozen=True)
class Timings:
    """Seconds spent on one report.

    `kernel_start_s` and `imports_s` are the kernel's own start-up and warm imports;
    they mostly overlap the previous report, and `kernel_wait_s` is what this report
    actually waited for its kernel. `total_s` runs from the worker taking the job
    to the result being ready. `worker_cpu_s` is the worker's CPU time for the
    job (checks, papermill, writing the notebook, export) and `kernel_cpu_s` the
    kernel's whole CPU time (start-up, imports, cells; Linux only); they measure
    cost where wall times also measure waiting for a busy machine.
    """

    kernel_start_s: float = math.nan
    imports_s: float = math.nan
    kernel_wait_s: float = math.nan
    execute_s: float = math.nan
    export_s: float = math.nan
    total_s: float = math.nan
    worker_cpu_s: float = math.nan
    kernel_cpu_s: float = math.nan


@dataclass(frozen=True)
class ReportResult:
    """The outcome of one `ReportJob` (`index` is its position in the job list)."""

    job: ReportJob
    index: int
    error: ReportError | None = None
    html_path: Path | None = None
    ipynb_path: Path | None = None
    figures: int = 0
    timings: Timings = field(default_factory=Timings)
    worker_pid: int | None = None

    @property
    def ok(self) -> bool:
        """True when the HTML report was written."""
        return self.error is None


@dataclass(frozen=True)
class ExecutionOptions:
    """How reports are executed.

    `timeout_s` bounds one report (kernel wait, execution and export); past it the
    worker and its kernel are killed. `start_timeout_s` bounds one kernel start.
    Batch kernels keep their input history in memory (parallel kernels never share
    a history file). A `lean_kernel` (for ipykernel kernel specs) starts without
    ipykernel's debugger (importing debugpy is most of an ipykernel start) and
    without the optional ``rfc3987_syntax`` module, whose grammar build costs
    1.5-1.8 s whenever jsonschema is imported (e.g. by nbformat when a notebook
    calls ``fig.show()``); jsonschema then skips its "iri" format check.
    """

    kernel_name: str = "python3"
    timeout_s: float = 900.0
    start_timeout_s: float = 60.0
    warm_imports: tuple[str, ...] = DEFAULT_WARM_IMPORTS
    kernel_env: Mapping[str, str] = field(default_factory=dict)
    lean_kernel: bool = True


# --------------------------------------------------------------------------- checks


def parameters_cell_index(nb: Mapping[str, Any]) -> int:
    """Return the index of the notebook's first cell tagged ``parameters``.

    Raises LookupError when there is none: papermill would then inject the values
    at the top and the notebook's own hard-coded values would override them.
    """
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return index
    raise LookupError("the notebook has no code cell tagged 'parameters'")


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


def declared_parameters(nb: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the names the ``parameters`` cell assigns, in order."""
    cell = nb["cells"][parameters_cell_index(nb)]
    tree = ast.parse(_source(cell))
    names: list[str] = []
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and sub.id not in names:
                    names.append(sub.id)
    return tuple(names)


def parameter_type_problems(parameters: Mapping[str, Any]) -> list[str]:
    """Return what papermill could not pass faithfully (empty when all is well).

    Accepted: None, bool, int, float, str, and lists and str-keyed dicts of those.
    Tuples, sets, paths and dates are refused rather than silently turned into
    strings: pass lists, ``str(path)`` or ISO dates instead.
    """
    problems: list[str] = []

    def visit(value: Any, where: str) -> None:
        if value is None or isinstance(value, bool | int | float | str):
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, f"{where}[{i}]")
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(f"{where}: dict key {key!r} is not a str")
                visit(item, f"{where}[{key!r}]")
            return
        problems.append(f"{where}: {type(value).__name__} is not supported")

    for name, value in parameters.items():
        if not name.isidentifier():
            problems.append(f"{name!r} is not a valid Python name")
        visit(value, name)
    return problems


def job_problem(job: ReportJob) -> ReportError | None:
    """Return why `job` cannot run (unreadable notebook, no ``parameters`` cell,
    unknown parameter, unsupported parameter type, missing working folder), or None."""
    try:
        nb = json.loads(job.notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return ReportError("parameters", type(exc).__name__, f"cannot read {job.notebook}: {exc}")
    try:
        declared = declared_parameters(nb)
    except LookupError as exc:
        return ReportError("parameters", "MissingParametersCell", f"{job.notebook}: {exc}")
    except SyntaxError as exc:
        return ReportError("parameters", "SyntaxError", f"parameters cell of {job.notebook}: {exc}")
    unknown = [name for name in job.parameters if name not in declared]
    if unknown:
        return ReportError(
            "parameters",
            "UnknownParameter",
            f"{job.notebook.name} does not declare {', '.join(map(repr, unknown))}"
            f" (declared: {', '.join(declared) or 'nothing'})",
        )
    problems = parameter_type_problems(job.parameters)
    if problems:
        return ReportError("parameters", "TypeError", "; ".join(problems))
    if not job.kernel_cwd.is_dir():
        return ReportError("parameters", "NotADirectoryError", f"no folder {job.kernel_cwd} to run in")
    return None


def _excerpt(source: str) -> str:
    lines = source.splitlines()
    text = "\n".join(lines[:_EXCERPT_LINES])
    if len(lines) > _EXCERPT_LINES:
        text += "\n..."
    return text[:_EXCERPT_CHARS]


# --------------------------------------------------------------------------- kernels


class _KernelStartError(RuntimeError):
    pass


class _Kernel:
    """A launched kernel: async manager, a client for the warm-up, and its own log file.

    The manager is asynchronous because nbclient waits for outputs and watches the
    kernel's health concurrently; with a blocking client a kernel that dies mid-cell
    would never be noticed. All coroutines run on the thread's one event loop
    (``jupyter_core.utils.run_sync``), the same one nbclient uses.
    """

    def __init__(self, options: ExecutionOptions, work_dir: str) -> None:
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.options = options
        self.log = tempfile.TemporaryFile(prefix="pa-kernel-", suffix=".log")
        kwargs: dict[str, Any] = _kernel_spec_kwargs(options, work_dir)
        if os.name == "posix":
            kwargs |= {"transport": "ipc", "ip": os.path.join(work_dir, "k")}
        self.km = AsyncKernelManager(**kwargs)
        env = dict(os.environ) | {"PYDEVD_DISABLE_FILE_VALIDATION": "1"} | dict(options.kernel_env)
        self.launched = time.time()
        run_sync(self.km.start_kernel)(
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
        )
        self.pid: int | None = getattr(self.km.provisioner, "pid", None)
        self.kc = self.km.client()
        # No heartbeat: liveness comes from the manager, and stopping a heartbeat
        # thread right after starting it can leave it spinning (jupyter_client race).
        self.kc.start_channels(hb=False)
        self._info_id = self.kc.kernel_info()
        self._warm_id = self.kc.execute(_warm_code(options.warm_imports), silent=True, store_history=False)
        self.kernel_start_s = math.nan
        self.imports_s = math.nan

    def wait_ready(self) -> float:
        """Block until the warm-up ran; return the seconds waited. Raise `_KernelStartError`."""
        from jupyter_core.utils import run_sync

        t0 = time.perf_counter()
        run_sync(self._wait_ready)()
        return time.perf_counter() - t0

    async def _wait_ready(self) -> None:
        deadline = time.perf_counter() + self.options.start_timeout_s
        pending = {self._info_id, self._warm_id}
        while pending:
            if not await self.km.is_alive():
                raise _KernelStartError(f"kernel died while starting: {self.log_tail()}")
            try:
                msg = await self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if time.perf_counter() > deadline:
                    raise _KernelStartError(f"kernel not ready after {self.options.start_timeout_s:g} s") from None
                continue
            parent = msg["parent_header"].get("msg_id")
            if parent == self._info_id:
                self.kernel_start_s = msg["header"]["date"].timestamp() - self.launched
            elif parent == self._warm_id:
                started = msg["metadata"].get("started")
                if isinstance(started, str):
                    started = datetime.fromisoformat(started)
                if isinstance(started, datetime):
                    self.imports_s = msg["header"]["date"].timestamp() - started.timestamp()
            pending.discard(parent)

    def run_silently(self, code: str) -> None:
        """Run `code` in the kernel without output or history; raise on error."""
        from jupyter_core.utils import run_sync

        run_sync(self._run_silently)(code)

    async def _run_silently(self, code: str) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        while True:
            msg = await self.kc.get_shell_msg(timeout=self.options.start_timeout_s)
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] != "ok":
                    raise _KernelStartError(f"kernel set-up failed: {msg['content'].get('evalue')}")
                return

    def release_client(self) -> None:
        """Close the warm-up client (papermill opens its own)."""
        self.kc.stop_channels()

    def log_tail(self, n_chars: int = 2000) -> str:
        """The end of what the kernel process printed (to explain a crash)."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-n_chars:]

    def cpu_s(self) -> float:
        """CPU seconds the kernel process used so far (Linux; NaN elsewhere)."""
        return _process_cpu_s(self.pid) if self.pid else math.nan

    def kill(self) -> None:
        """Stop the kernel at once (reports are done with it) and free its resources."""
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
        except Exception:
            pass
        if self.km.has_kernel:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                if self.pid:
                    _killpg(self.pid)
        self.log.close()


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used by process `pid`, from /proc; NaN if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return math.nan


_BATCH_KERNEL_NAME = "partner-analytics-batch"
_LEAN_LAUNCH = (
    "import sys; sys.modules['debugpy'] = None; sys.modules.setdefault('rfc3987_syntax', None)\n"
    "if sys.path and sys.path[0] == '': del sys.path[0]\n"
    "from ipykernel import kernelapp; kernelapp.launch_new_instance()"
)


def _kernel_spec_kwargs(options: ExecutionOptions, work_dir: str) -> dict[str, Any]:
    """Return the KernelManager arguments naming the kernel to start.

    For a lean kernel, an ipykernel spec (``python -m ipykernel_launcher ...``) is
    copied into `work_dir` with a launch line that blocks ``debugpy`` and
    ``rfc3987_syntax``; any other kernel spec is used as it is.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    if not options.lean_kernel:
        return {"kernel_name": options.kernel_name}
    spec_dir = Path(work_dir) / "kernels" / _BATCH_KERNEL_NAME
    if not (spec_dir / "kernel.json").exists():
        spec = KernelSpecManager().get_kernel_spec(options.kernel_name)
        if spec.argv[1:3] != ["-m", "ipykernel_launcher"]:
            return {"kernel_name": options.kernel_name}
        spec_json = spec.to_dict() | {
            "argv": [spec.argv[0], "-c", _LEAN_LAUNCH, *spec.argv[3:]],
            "metadata": {k: v for k, v in spec.metadata.items() if k != "debugger"},
        }
        spec_dir.mkdir(parents=True, exist_ok=True)
        (spec_dir / "kernel.json").write_text(json.dumps(spec_json), encoding="utf-8")
    return {
        "kernel_name": _BATCH_KERNEL_NAME,
        "kernel_spec_manager": KernelSpecManager(kernel_dirs=[str(spec_dir.parent)]),
    }


def _warm_code(modules: Sequence[str]) -> str:
    """Code that imports `modules` in a kernel and leaves no name behind.

    plotly imports most of itself, and loads its default template, only when the
    first figure is built (about 0.2-0.4 s): when plotly is among the modules, an
    empty figure is built and serialised too, so that the notebook's first chart
    does not pay for it.
    """
    return (
        "def _pa_warm(names):\n"
        "    import importlib\n"
        "    for name in names:\n"
        "        try:\n"
        "            module = importlib.import_module(name)\n"
        "        except ImportError:\n"
        "            continue\n"
        "        if name == 'plotly.graph_objects':\n"
        "            module.Figure().to_json(validate=False)\n"
        f"_pa_warm({list(modules)!r})\n"
        "del _pa_warm\n"
    )


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------- one report


class _ReportRunner:
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
        self.spare: _Kernel | None = None

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

    def _launch(self) -> _Kernel:
        kernel = _Kernel(self.options, self.work_dir)
        if kernel.pid:
            self.notify(("kernel", kernel.pid))
        return kernel

    def _discard(self, kernel: _Kernel) -> None:
        kernel.kill()
        if kernel.pid:
            self.notify(("kernel_gone", kernel.pid))

    def _ready_kernel(self, cwd: Path, *, expect_more: bool) -> tuple[_Kernel, float]:
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
        raise _KernelStartError(f"kernel failed to start twice: {last}")

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
        except _KernelStartError as exc:
            error = ReportError("kernel", "KernelStartError", str(exc))
            return replace(result, error=error, timings=clock.timings())
        clock.spans |= {
            "kernel_start_s": kernel.kernel_start_s,
            "imports_s": kernel.imports_s,
        }

        current: dict[str, Any] = {}

        def on_cell_execute(cell: Any, cell_index: int) -> None:
            current["cell"] = cell
            excerpt = _excerpt(_source(cell))
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
                cell_source=_excerpt(_source(cell)) if cell else None,
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
            html_path = self.exporter.write(nb, job.html_path, title=job.title)
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

    def close(self) -> None:
        """Stop the spare kernel and remove the work folder (sockets, kernel spec)."""
        if self.spare is not None:
            self._discard(self.spare)
            self.spare = None
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
                cell_source=_excerpt(_source(cell)),
                traceback=_strip_ansi("\n".join(out.get("traceback", []))),
            )
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return ReportError(
                "cell",
                "CellExecutionError",
                "the cell failed without an error output",
                cell_index=source_index.get(cell.get("id")),
                cell_id=cell.get("id"),
                cell_source=_excerpt(_source(cell)),
            )
    return None


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def run_report(job: ReportJob, options: ExecutionOptions | None = None) -> ReportResult:
    """Run one job in this process (imports papermill/nbconvert here; no hard timeout)."""
    runner = _ReportRunner(options or ExecutionOptions())
    try:
        return runner.run(job, 0)
    finally:
        runner.close()


# --------------------------------------------------------------------------- worker pool


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
    runner = _ReportRunner(options, notify=conn.send)
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
            if not expect_more and runner.spare is not None:
                runner._discard(runner.spare)
                runner.spare = None
    finally:
        runner.close()


_WORKER_CODE = "import sys; from partner_analytics.batch.execution import _worker_main; _worker_main(int(sys.argv[1]))"


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
            _killpg(pid)
        _killpg(self.process.pid)
        self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        marked = _processes_with_env(f"{_WORKER_TOKEN_ENV}={self.token}")
        for pid in marked:
            _killpg(pid)
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
