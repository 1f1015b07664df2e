"""Executing parameterised notebooks in worker processes and exporting them to HTML.

One batch (two workers) runs the test notebooks under tests/notebooks once per
module; the tests then look at its results and files.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from partner_analytics.batch.jobs import (
    ExecutionOptions,
    ReportJob,
    ReportResult,
    declared_parameters,
    job_problem,
    parameter_type_problems,
    parameters_cell_index,
)
from partner_analytics.batch.pool import iter_reports, run_reports
from partner_analytics.charts.display import plotly_js

NOTEBOOKS = Path(__file__).parent / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
from sample_contacts import write_contacts  # noqa: E402

TRICKY_TEXT = 'He said "stop"; it\'s 50% = half\nline two\twith tab \\n not a newline, €, ünï, \U0001f4de'
ECHO_PARAMETERS = {
    "text": TRICKY_TEXT,
    "count": 12,
    "ratio": 0.1,
    "flag": True,
    "items": [1, "two", None, 3.5, ["nested", "x=y"]],
    "mapping": {"a=b": "c\nd", "nested": {"k": [1, 2]}, "quote": "'\""},
    "nothing": None,
}


@pytest.fixture(scope="module")
def contacts(tmp_path_factory) -> Path:
    return write_contacts(tmp_path_factory.mktemp("data") / "contacts.parquet")


@pytest.fixture(scope="module")
def batch(tmp_path_factory, contacts) -> tuple[list[ReportJob], list[ReportResult], list[int]]:
    out = tmp_path_factory.mktemp("reports")
    report = NOTEBOOKS / "report.ipynb"
    jobs = [
        ReportJob(
            report,
            {"partner_id": "southdesk", "data_path": str(contacts)},
            out / "op-south.html",
            "operational / southdesk",
        ),
        ReportJob(
            NOTEBOOKS / "failing.ipynb",
            {"partner_id": "eastline"},
            out / "failing.html",
            "operational / failing",
        ),
        ReportJob(
            NOTEBOOKS / "echo_parameters.ipynb",
            ECHO_PARAMETERS,
            out / "echo.html",
            "echo",
        ),
        ReportJob(
            NOTEBOOKS / "no_parameters.ipynb",
            {},
            out / "no-params.html",
            "no parameters cell",
        ),
        ReportJob(
            report,
            {"partner_id": "eastline", "data_path": str(contacts)},
            out / "op-east.html",
            "operational / eastline",
        ),
        ReportJob(
            report,
            {"partner_id": "southdesk", "data_path": str(contacts)},
            out / "again" / "op-south.html",
            "operational / southdesk",
        ),
        ReportJob(NOTEBOOKS / "crash.ipynb", {}, out / "crash.html", "kernel crash"),
        ReportJob(
            NOTEBOOKS / "kernel_facts.ipynb",
            {"label": "facts"},
            out / "facts.html",
            cwd=out,
        ),
    ]
    ticks: list[int] = []
    results = run_reports(
        jobs,
        workers=2,
        options=ExecutionOptions(timeout_s=120),
        on_result=lambda r: ticks.append(r.index),
    )
    return jobs, results, ticks


def test_one_result_per_job_in_job_order_and_one_tick_each(batch):
    jobs, results, ticks = batch
    assert [r.index for r in results] == list(range(len(jobs)))
    assert [r.job for r in results] == jobs
    assert sorted(ticks) == list(range(len(jobs)))
    assert [r.ok for r in results] == [
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
    ]


def test_report_runs_with_injected_parameters(batch, contacts):
    _, results, _ = batch
    result = results[0]
    assert result.ok and result.figures == 8
    assert result.html_path == result.job.html_path and result.html_path.is_file()
    assert result.ipynb_path == result.job.html_path.with_suffix(".ipynb")
    nb = json.loads(result.ipynb_path.read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    assert 'partner_id = "southdesk"' in "".join(injected[0]["source"])
    n_south = pl.read_parquet(contacts).filter(pl.col("partner_id") == "southdesk").height
    assert n_south > 0
    printed = "".join(
        "".join(out["text"]) for c in nb["cells"] for out in c.get("outputs", []) if out.get("output_type") == "stream"
    )
    assert f"Operational report: southdesk, {n_south} contacts" in printed
    assert nb["metadata"]["papermill"]["parameters"]["partner_id"] == "southdesk"


def test_figures_published_for_jupyterlab_and_html(batch):
    _, results, _ = batch
    nb = json.loads(results[0].ipynb_path.read_text())
    figure_outputs = [
        out["data"]
        for c in nb["cells"]
        for out in c.get("outputs", [])
        if "application/vnd.plotly.v1+json" in out.get("data", {})
    ]
    assert len(figure_outputs) == 8
    assert all("text/html" in data and 'class="pa-plotly"' in "".join(data["text/html"]) for data in figure_outputs)


def test_html_has_eight_figures_one_plotly_js_no_cdn_no_code(batch):
    _, results, _ = batch
    html = results[0].html_path.read_text(encoding="utf-8")
    assert html.count('class="pa-plotly"') == 8
    assert html.count(plotly_js()) == 1
    rest = html.replace(plotly_js(), "")
    assert '<script src="http' not in rest and "<script src=" not in rest
    for host in ("cdnjs", "unpkg", "jsdelivr", "cdn.plot.ly", "mathjax"):
        assert host not in rest.lower()
    assert "scan_parquet" not in html  # code cells are hidden
    assert "<title>operational / southdesk</title>" in html


def test_same_inputs_give_byte_identical_html(batch):
    _, results, _ = batch
    first, again, other = results[0], results[5], results[4]
    assert first.html_path.read_bytes() == again.html_path.read_bytes()
    assert first.html_path.read_bytes() != other.html_path.read_bytes()


def test_failing_report_names_cell_and_exception(batch):
    _, results, _ = batch
    failed = results[1]
    assert not failed.ok and failed.html_path is None
    assert not failed.job.html_path.exists()
    error = failed.error
    assert (error.kind, error.exception, error.message) == (
        "cell",
        "KeyError",
        "'missing_key'",
    )
    # source notebook: 0 markdown, 1 parameters, 2 print, 3 the failing cell
    assert error.cell_index == 3
    assert 'values["missing_key"]' in error.cell_source
    assert "KeyError" in error.traceback
    assert "cell 3" in error.summary()
    # the executed notebook is kept to diagnose the failure
    nb = json.loads(failed.ipynb_path.read_text())
    assert any(out.get("ename") == "KeyError" for c in nb["cells"] for out in c.get("outputs", []))


def test_parameters_keep_their_python_types(batch):
    _, results, _ = batch
    result = results[2]
    assert result.ok, result.error
    nb = json.loads(result.ipynb_path.read_text())
    echoed = next(
        out["data"]["application/json"]
        for c in nb["cells"]
        for out in c.get("outputs", [])
        if "application/json" in out.get("data", {})
    )
    assert echoed["text"] == {"type": "str", "value": TRICKY_TEXT}
    assert echoed["count"] == {"type": "int", "value": 12}
    assert echoed["ratio"] == {"type": "float", "value": 0.1}
    assert echoed["flag"] == {"type": "bool", "value": True}
    assert echoed["items"] == {"type": "list", "value": ECHO_PARAMETERS["items"]}
    assert echoed["mapping"] == {"type": "dict", "value": ECHO_PARAMETERS["mapping"]}
    assert echoed["nothing"] == {"type": "NoneType", "value": None}


def test_notebook_without_parameters_cell_is_rejected(batch):
    _, results, _ = batch
    result = results[3]
    assert result.error.kind == "parameters"
    assert result.error.exception == "MissingParametersCell"
    assert result.worker_pid is None  # rejected before any worker or kernel
    assert not result.job.html_path.exists() and not result.job.executed_path.exists()


def test_dead_kernel_is_reported_and_isolated(batch):
    _, results, _ = batch
    error = results[6].error
    assert (error.kind, error.exception) == ("kernel", "DeadKernelError")
    assert error.cell_index == 2 and "SIGKILL" in error.cell_source


def test_kernel_is_lean_warm_clean_and_in_its_folder(batch):
    jobs, results, _ = batch
    result = results[7]
    assert result.ok, result.error
    nb = json.loads(result.ipynb_path.read_text())
    facts = next(
        out["data"]["application/json"]
        for c in nb["cells"]
        for out in c.get("outputs", [])
        if "application/json" in out.get("data", {})
    )
    assert facts["label"] == "facts"
    assert Path(facts["cwd"]) == jobs[7].cwd.resolve()
    assert facts["debugpy_blocked"] and facts["rfc3987_syntax_blocked"]
    assert facts["polars_preloaded"]
    assert facts["user_names"] == []  # the warm-up and chdir left no names behind


def test_timings_are_recorded(batch):
    _, results, _ = batch
    t = results[0].timings
    for name in (
        "kernel_start_s",
        "imports_s",
        "kernel_wait_s",
        "execute_s",
        "export_s",
        "total_s",
        "worker_cpu_s",
    ):
        value = getattr(t, name)
        assert not math.isnan(value) and value >= 0, name
    assert t.total_s >= t.execute_s + t.export_s


def test_hung_report_is_killed_at_its_timeout(tmp_path):
    pid_file = tmp_path / "kernel.pid"
    job = ReportJob(
        NOTEBOOKS / "hang.ipynb",
        {"seconds": 3600.0, "pid_file": str(pid_file)},
        tmp_path / "hang.html",
        "hang",
    )
    t0 = time.monotonic()
    (result,) = list(iter_reports([job], workers=1, options=ExecutionOptions(timeout_s=8)))
    elapsed = time.monotonic() - t0
    assert result.error.kind == "timeout"
    assert result.error.cell_index == 2 and "time.sleep" in result.error.cell_source
    assert elapsed < 60
    kernel_pid = int(pid_file.read_text())
    assert not _running(kernel_pid)
    assert not _running(result.worker_pid)
    assert not job.html_path.exists()


def test_closing_the_iterator_early_stops_workers_and_kernels(tmp_path, contacts):
    marker = f"pa-test-{time.time_ns()}"
    jobs = [
        ReportJob(
            NOTEBOOKS / "report.ipynb",
            {"partner_id": p, "data_path": str(contacts)},
            tmp_path / f"{p}.html",
        )
        for p in ("northcall", "southdesk", "eastline", "northcall-2")
    ]
    results = iter_reports(jobs, workers=2, options=ExecutionOptions(kernel_env={"PA_TEST_MARKER": marker}))
    first = next(results)
    assert first.ok
    results.close()
    assert _processes_with_env(marker) == []
    assert not _running(first.worker_pid)


def _processes_with_env(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (the kernels of this test)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes() and _running(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_two_jobs_writing_the_same_file_are_refused(tmp_path):
    target = tmp_path / "same.html"
    jobs = [
        ReportJob(NOTEBOOKS / "no_parameters.ipynb", {}, target),
        ReportJob(NOTEBOOKS / "failing.ipynb", {}, target),
    ]
    errors = [r.error.exception for r in sorted(iter_reports(jobs), key=lambda r: r.index)]
    assert errors == ["MissingParametersCell", "DuplicateOutput"]


def test_kernel_start_is_retried_once(tmp_path, monkeypatch, contacts):
    from partner_analytics.batch.kernels import Kernel, KernelStartError
    from partner_analytics.batch.runner import run_report

    real_wait_ready = Kernel.wait_ready
    calls: list[int] = []

    def flaky_wait_ready(self):
        calls.append(self.pid)
        if len(calls) == 1:
            raise KernelStartError("simulated start failure")
        return real_wait_ready(self)

    monkeypatch.setattr(Kernel, "wait_ready", flaky_wait_ready)
    job = ReportJob(NOTEBOOKS / "failing.ipynb", {"partner_id": "x"}, tmp_path / "r.html")
    result = run_report(job)
    assert len(calls) == 2 and calls[0] != calls[1]  # a second, fresh kernel
    assert not _running(calls[0])
    assert result.error.kind == "cell"  # the notebook itself ran (and failed as written)


def test_kernel_that_never_starts_gives_a_kernel_error(tmp_path):
    job = ReportJob(NOTEBOOKS / "failing.ipynb", {"partner_id": "x"}, tmp_path / "r.html")
    (result,) = list(iter_reports([job], workers=1, options=ExecutionOptions(kernel_name="no-such-kernel")))
    assert (result.error.kind, result.error.exception) == ("kernel", "KernelStartError")
    assert "no-such-kernel" in result.error.message and "twice" in result.error.message


def _running(pid: int) -> bool:
    """True if `pid` is a live process (a zombie awaiting its reaper is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


# ---------------------------------------------------------------- checks, no kernel


def _nb(*sources: str, tagged: int | None = 0) -> dict:
    cells = [{"cell_type": "code", "source": src, "metadata": {}} for src in sources]
    if tagged is not None:
        cells[tagged]["metadata"]["tags"] = ["parameters"]
    return {"cells": [{"cell_type": "markdown", "source": "# t", "metadata": {}}, *cells]}


def test_parameters_cell_is_found_and_read():
    nb = _nb(
        "x = 1",
        'partner_id: str = "a"  # partner\nmonths: list = []\na, b = 1, 2\nx += 1',
        tagged=1,
    )
    assert parameters_cell_index(nb) == 2
    assert declared_parameters(nb) == ("partner_id", "months", "a", "b", "x")
    with pytest.raises(LookupError):
        parameters_cell_index(_nb("x = 1", tagged=None))


def test_unsupported_parameter_types_are_named():
    problems = parameter_type_problems(
        {
            "path": Path("x"),
            "pair": (1, 2),
            "keys": {1: "a"},
            "fine": [1, {"a": None}],
            "also": 2.5,
        }
    )
    assert problems == [
        "path: PosixPath is not supported",
        "pair: tuple is not supported",
        "keys: dict key 1 is not a str",
    ]


def test_unknown_parameter_is_rejected(tmp_path):
    job = ReportJob(NOTEBOOKS / "failing.ipynb", {"partner": "typo"}, tmp_path / "x.html")
    error = job_problem(job)
    assert (error.kind, error.exception) == ("parameters", "UnknownParameter")
    assert "'partner'" in error.message and "partner_id" in error.message


def test_wrong_parameter_type_is_rejected_before_running(tmp_path):
    job = ReportJob(NOTEBOOKS / "failing.ipynb", {"partner_id": ("a", "b")}, tmp_path / "x.html")
    (result,) = list(iter_reports([job], workers=1))
    assert (result.error.kind, result.error.exception) == ("parameters", "TypeError")
    assert result.worker_pid is None
