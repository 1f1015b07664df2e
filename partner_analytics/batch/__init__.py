"""A committee cycle in batch: every report of a period computed once and rendered in parallel
(papermill in worker processes), exported to offline HTML and printed to PDF (`pdf`: headless
Chromium, when installed), with an index and one committee pack per partner (`packs`: cover, contents,
reports, page numbers; pypdf).

The report engine, in the order a job goes through it: `jobs` (what a job, its options and its
result are; the checks before it runs), `kernels` (warmed, lean kernels started ahead of need),
`runner` (one report after another in a process: execute, then export with `html_export`),
`pool` (the worker processes that run jobs in parallel), or `cluster` (the same jobs on a Dask
distributed cluster: `cycle --cluster`). `cycle` plans a committee cycle and runs it on that engine;
its index page is the template ``templates/cycle_index/index.html.j2``. `portfolio` runs the cycles
of several engagements in one command, with one index.
"""

from .cluster import LOCAL, cluster_client, iter_reports_on_cluster
from .cycle import (
    CYCLE_WARM_IMPORTS,
    Committee,
    Cycle,
    CycleError,
    CycleOutcome,
    CycleReport,
    cycle_jobs,
    cycle_packs,
    cycle_period,
    data_months,
    index_html,
    latest_complete_period,
    output_path,
    prepare_cycle,
    run_cycle,
)
from .html_export import (
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    ReportExporter,
    count_plotly_figures,
    report_language,
    with_figures_as_html,
)
from .jobs import (
    DEFAULT_WARM_IMPORTS,
    ErrorKind,
    ExecutionOptions,
    ParameterValue,
    ReportError,
    ReportJob,
    ReportResult,
    Timings,
    declared_parameters,
    job_problem,
    parameter_type_problems,
    parameters_cell_index,
)
from .packs import PACKS_FOLDER, Pack, PackPart, print_pack
from .pdf import PDF_HOWTO, PRINT_WIDTH_PX, PdfError, chromium, print_pdf
from .pool import iter_reports, run_reports
from .portfolio import engagement_folders, portfolio_record, run_portfolio
from .runner import run_report

__all__ = [
    "CYCLE_WARM_IMPORTS",
    "DEFAULT_WARM_IMPORTS",
    "LOCAL",
    "PACKS_FOLDER",
    "PDF_HOWTO",
    "PRINT_WIDTH_PX",
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "Committee",
    "Cycle",
    "CycleError",
    "CycleOutcome",
    "CycleReport",
    "ErrorKind",
    "ExecutionOptions",
    "Pack",
    "PackPart",
    "ParameterValue",
    "PdfError",
    "ReportError",
    "ReportExporter",
    "ReportJob",
    "ReportResult",
    "Timings",
    "chromium",
    "cluster_client",
    "count_plotly_figures",
    "cycle_jobs",
    "cycle_packs",
    "cycle_period",
    "data_months",
    "declared_parameters",
    "engagement_folders",
    "index_html",
    "iter_reports",
    "iter_reports_on_cluster",
    "job_problem",
    "latest_complete_period",
    "output_path",
    "parameter_type_problems",
    "parameters_cell_index",
    "portfolio_record",
    "prepare_cycle",
    "print_pack",
    "print_pdf",
    "report_language",
    "run_cycle",
    "run_portfolio",
    "run_report",
    "run_reports",
    "with_figures_as_html",
]
