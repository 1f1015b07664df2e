"""What a report job is, how it is run, what comes back, and the checks made before it runs.

A `ReportJob` names a notebook, its typed parameters and the HTML to write; `ExecutionOptions`
say how jobs run (kernel, timeouts, warm imports); a `ReportResult` carries the files written,
the `Timings`, or the `ReportError` that explains a failure.

Parameters go to papermill as Python values (never through a CLI), limited to the types papermill
writes back faithfully; a notebook without a cell tagged ``parameters``, or a parameter the
notebook does not declare, is an error before anything runs (`job_problem`).
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DEFAULT_WARM_IMPORTS",
    "ErrorKind",
    "ExecutionOptions",
    "ParameterValue",
    "ReportError",
    "ReportJob",
    "ReportResult",
    "Timings",
    "cell_excerpt",
    "declared_parameters",
    "job_problem",
    "parameter_type_problems",
    "parameters_cell_index",
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


def cell_excerpt(cell: Mapping[str, Any]) -> str:
    """The first lines of a cell's source, to show which cell failed."""
    lines = _source(cell).splitlines()
    text = "\n".join(lines[:_EXCERPT_LINES])
    if len(lines) > _EXCERPT_LINES:
        text += "\n..."
    return text[:_EXCERPT_CHARS]
