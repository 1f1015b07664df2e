"""A committee cycle: every report of a month or a quarter, computed once, rendered in parallel.

`prepare_cycle` reads and validates the engagement and plans the reports (nothing is written);
`run_cycle` computes the analysis once, saves its tables, runs every report notebook on the
report engine's worker pool (`partner_analytics.batch.pool`) and writes the cycle's index.

A month (``2026-09``) is the operational committee of that month: one report per partner. A
quarter (``2026-Q3``) is the strategic committee (one report per partner) and the client-only
programme overview; with ``committee="all"`` also the operational report of each of its months.

Layout, under ``<out>/<engagement>/<period>/``::

    index.html                            every report: status, links, lineage (open this)
    cycle.json                            the same, as data
    tables/*.parquet, tables/lineage.json  the analysis computed once, and the inputs it came from
    operational/<partner>.html (+ .ipynb)  month cycle
    strategic/<partner>.html (+ .ipynb)    quarter cycle
    operational/<YYYY-MM>/<partner>.html   the operational reports of a quarter cycle
    programme/overview.html (+ .ipynb)     client only
    packs/<partner>.pdf, packs/programme.pdf  committee packs: cover, contents, reports (with Chromium)

Every file is replaced atomically (temporary file + rename): an interrupted cycle leaves complete
reports from this run or the previous one, never a partial file; the index is rewritten after each
report, so it always says what is done. A failed report leaves no HTML behind (not even the previous
run's): its executed notebook, when there is one, shows the error. Every output path is resolved
and checked to lie inside the output folder. The same inputs give the same HTML, byte for byte; the
index and ``cycle.json`` differ only in their generation time.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import html
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jinja2
from markupsafe import Markup

from ..core.atomic import write_atomic
from ..core.errors import PartnerAnalyticsError
from ..core.paths import NOTEBOOKS
from ..core.periods import Period, add_months, parse_period, quarter_label
from ..io.engagement import Engagement, load
from ..io.lineage import digests_read_meanwhile, lineage
from ..pipeline.store import TABLES_FOLDER
from ..views.language import N_, _, checked_language, in_language
from ..views.wording import dataset_names, number, period_name
from ..whatif.scenario import Scenario, changed_contract, read_scenario, write_scenario
from .cluster import iter_reports_on_cluster, partition_reading
from .html_export import TEMPLATES_DIR
from .jobs import DEFAULT_WARM_IMPORTS, ExecutionOptions, ReportJob, ReportResult
from .packs import PACKS_FOLDER, Pack, PackPart, print_pack
from .pdf import PdfError, chromium, print_pdf
from .pool import iter_reports

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "CYCLE_WARM_IMPORTS",
    "Committee",
    "Cycle",
    "CycleError",
    "CycleOutcome",
    "CycleReport",
    "cycle_jobs",
    "cycle_packs",
    "cycle_period",
    "data_months",
    "index_html",
    "latest_complete_period",
    "output_path",
    "prepare_cycle",
    "run_cycle",
]

Committee = Literal["operational", "strategic", "all"]

#: Modules each spare kernel imports while the previous report runs (the notebooks' own imports).
CYCLE_WARM_IMPORTS: tuple[str, ...] = (
    *DEFAULT_WARM_IMPORTS,
    "partner_analytics.reports.committees",
    "partner_analytics.charts",
    "partner_analytics.views.html_tables",
)

NOTEBOOK_FILES = {
    "operational": "operational_committee.ipynb",
    "strategic": "strategic_committee.ipynb",
    "programme": "programme_overview.ipynb",
}
_COMMITTEE_TITLES = {
    "operational": N_("Operational committee"),
    "strategic": N_("Strategic committee"),
    "programme": N_("Programme overview"),
}
_LOCK_NAME = ".cycle.lock"
_STALE_TMP = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")


class CycleError(PartnerAnalyticsError):
    """A cycle that cannot run as asked: its period, committee, partners or output folder."""


@dataclass(frozen=True)
class CycleReport:
    """One report of a cycle: a committee, its period, the partner (None: programme overview)."""

    committee: Literal["operational", "strategic", "programme"]
    period: str
    partner_id: str | None
    partner_name: str | None
    notebook: Path
    html_path: Path

    @property
    def ipynb_path(self) -> Path:
        return self.html_path.with_suffix(".ipynb")

    @property
    def pdf_path(self) -> Path:
        return self.html_path.with_suffix(".pdf")

    @property
    def title(self) -> str:
        """The report's page title: "Strategic committee Q3 2026 — NorthCall Services"."""
        who = f" — {self.partner_name}" if self.partner_name else ""
        return f"{_(_COMMITTEE_TITLES[self.committee])} {period_name(parse_period(self.period))}{who}"

    @property
    def label(self) -> str:
        """A short name for progress lines: "strategic 2026-Q3 / northcall"."""
        return f"{self.committee} {self.period}" + (f" / {self.partner_id}" if self.partner_id else "")


@dataclass(frozen=True)
class Cycle:
    """A planned cycle: the engagement, the period, where everything goes, and its reports in run order."""

    engagement: Engagement
    period: Period
    committee: Committee
    root: Path
    folder: Path
    reports: tuple[CycleReport, ...]
    scenario: Scenario | None = None
    language: str = "en"  # the reports' and the index's language (`views.language`)

    @property
    def scenario_path(self) -> Path | None:
        """Where the cycle keeps the scenario discussed in committee, beside its reports."""
        return self.folder / "scenario.yaml" if self.scenario is not None else None

    @property
    def tables(self) -> Path:
        return self.folder / TABLES_FOLDER

    @property
    def index_path(self) -> Path:
        return self.folder / "index.html"


@dataclass(frozen=True)
class CycleOutcome:
    """What a cycle produced: one result per report (None: not run, e.g. interrupted) and its lineage."""

    cycle: Cycle
    results: tuple[ReportResult | None, ...]
    lineage: dict[str, Any] = field(default_factory=dict)
    packs: tuple[tuple[Pack, int], ...] = ()  # the committee packs written, with their page counts

    @property
    def failed(self) -> list[tuple[CycleReport, ReportResult]]:
        return [(rep, res) for rep, res in zip(self.cycle.reports, self.results, strict=True) if res and not res.ok]

    @property
    def ok(self) -> bool:
        """True when every report was written."""
        return all(res is not None and res.ok for res in self.results)


# --------------------------------------------------------------------------- paths


def output_path(root: Path, *parts: str) -> Path:
    """`root/part/part/...`, refusing any part that could leave `root` (``..``, a separator, a
    hidden name) and any resolved result outside `root` (e.g. through a symbolic link)."""
    for part in parts:
        if not part or part in (".", "..") or part.startswith(".") or any(c in part for c in "/\\\0"):
            raise CycleError(f"{part!r} cannot name a folder or file of the reports")
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if not path.is_relative_to(base):
        raise CycleError(f"{path} lies outside the reports folder {base}")
    return path


def _folder_name(name: str) -> str:
    """An engagement folder's name as a safe path segment: letters, digits, ``_.-``, else ``-``."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
    return slug or "engagement"


# --------------------------------------------------------------------------- periods


def data_months(engagement: Engagement) -> tuple[dt.date, dt.date]:
    """The first and last month with contacts in the engagement (`Engagement.contact_months`)."""
    if engagement.contact_months is None:
        raise CycleError(f"{engagement.path}: no contacts, so no committee cycle to run")
    return engagement.contact_months


def latest_complete_period(engagement: Engagement, kind: Literal["month", "quarter"]) -> Period:
    """The data's last month, or the latest quarter whose three months are all in the data (the last
    month with contacts counts as complete: engagements are delivered month by month)."""
    first, last = data_months(engagement)
    if kind == "month":
        return Period("month", last, 1)
    quarter = parse_period(quarter_label(last))
    if quarter.month_starts[-1] > last:
        quarter = Period("quarter", add_months(quarter.start, -3), 3)
    if quarter.start < first:
        raise CycleError(f"{engagement.path}: the data ({first:%Y-%m} to {last:%Y-%m}) holds no complete quarter")
    return quarter


def cycle_period(text: str, engagement: Engagement) -> Period:
    """PERIOD as the command line takes it: ``2026-09``, ``2026-Q3``, ``latest-month`` or ``latest-quarter``."""
    if text in ("latest-month", "latest-quarter"):
        return latest_complete_period(engagement, text.removeprefix("latest-"))  # type: ignore[arg-type]
    try:
        return parse_period(text)
    except ValueError as e:
        raise CycleError(f"{e}, or latest-month / latest-quarter") from None


# --------------------------------------------------------------------------- planning


def prepare_cycle(
    engagement: str | Path | Engagement,
    period: str | Period,
    out: str | Path,
    *,
    committee: Committee | None = None,
    partners: Sequence[str] | None = None,
    notebooks: str | Path = NOTEBOOKS,
    scenario: str | Path | None = None,
    language: str | None = None,
) -> Cycle:
    """Read the engagement and plan the cycle's reports (nothing is written yet).

    `committee` defaults to the period's own (a month: operational; a quarter: strategic, with the
    programme overview); ``"all"`` on a quarter adds the operational report of each month. `partners`
    (ids) defaults to every partner whose contract term overlaps the period. Raises CycleError for a
    period outside the data, an unknown partner, a committee that does not meet in such a period.
    `scenario` (a what-if YAML) is checked against the contract here, kept in the cycle's folder, and
    shown beside the baseline in the programme overview's client-only annex (never in a partner's report).
    `language` (`en`, `fr`) overrides the contract's `language` for the cycle's reports and index.
    """
    eng = engagement if isinstance(engagement, Engagement) else load(engagement)
    try:
        chosen_language = checked_language(language or eng.contract.language)
    except ValueError as e:
        raise CycleError(str(e)) from None
    chosen_scenario = read_scenario(scenario) if scenario else None
    if chosen_scenario is not None:
        changed_contract(eng.contract, chosen_scenario)
    when = cycle_period(period, eng) if isinstance(period, str) else period
    first, last = data_months(eng)
    if when.start < first or when.month_starts[-1] > last:
        raise CycleError(
            f"period {when}: the data holds contacts from {first:%Y-%m} to {last:%Y-%m} only "
            "(a cycle needs every month of its period)"
        )
    committee = committee or ("operational" if when.kind == "month" else "strategic")
    if committee not in ("operational", "strategic", "all"):
        raise CycleError(f"committee {committee!r}: expected operational, strategic or all")
    if when.kind == "month" and committee == "strategic":
        raise CycleError(f"the strategic committee meets per quarter: give a quarter, not {when}")
    known = {p.id: p for p in eng.contract.partners}
    if partners:
        unknown = [p for p in partners if p not in known]
        if unknown:
            raise CycleError(f"unknown partner {', '.join(map(repr, unknown))} (contract.yaml has {', '.join(known)})")
        chosen = [known[p] for p in dict.fromkeys(partners)]
    else:
        chosen = [p for p in eng.contract.partners if p.start < when.end and p.end > when.start]
    notebook_dir = Path(notebooks).resolve()
    for name in NOTEBOOK_FILES.values():
        if not (notebook_dir / name).is_file():
            raise CycleError(f"{notebook_dir}: the report notebook {name} is missing")
    root = Path(out)
    folder = output_path(root, _folder_name(eng.name), str(when))
    reports: list[CycleReport] = []

    def add(kind: Literal["operational", "strategic", "programme"], label: str, *where: str, partner=None) -> None:
        reports.append(
            CycleReport(
                committee=kind,
                period=label,
                partner_id=partner.id if partner else None,
                partner_name=partner.name if partner else None,
                notebook=notebook_dir / NOTEBOOK_FILES[kind],
                html_path=output_path(folder, *where),
            )
        )

    if when.kind == "quarter" and committee in ("strategic", "all"):
        for p in chosen:
            add("strategic", str(when), "strategic", f"{p.id}.html", partner=p)
        add("programme", str(when), "programme", "overview.html")
    if when.kind == "month":
        for p in chosen:
            add("operational", str(when), "operational", f"{p.id}.html", partner=p)
    elif committee in ("operational", "all"):
        for month in when.month_starts:
            for p in chosen:
                add("operational", f"{month:%Y-%m}", "operational", f"{month:%Y-%m}", f"{p.id}.html", partner=p)
    return Cycle(
        engagement=eng,
        period=when,
        committee=committee,
        root=root.resolve(),
        folder=folder,
        reports=tuple(reports),
        scenario=chosen_scenario,
        language=chosen_language,
    )


def cycle_jobs(cycle: Cycle) -> list[ReportJob]:
    """The report engine's jobs: each notebook with its typed parameters, reading the cycle's tables."""
    common = {"engagement": str(cycle.engagement.path), "tables": str(cycle.tables), "language": cycle.language}
    jobs = []
    for rep in cycle.reports:
        if rep.committee == "operational":
            parameters = {**common, "partner": rep.partner_id, "month": rep.period}
        elif rep.committee == "strategic":
            parameters = {**common, "partner": rep.partner_id, "quarter": rep.period}
        else:  # the scenario goes in the client-only programme overview, never in a partner's report
            scenario = str(cycle.scenario_path) if cycle.scenario_path else ""
            parameters = {**common, "quarter": rep.period, "scenario": scenario}
        with in_language(cycle.language):
            title = rep.title
        jobs.append(ReportJob(rep.notebook, parameters, rep.html_path, label=title))
    return jobs


def cycle_packs(cycle: Cycle) -> list[Pack]:
    """The cycle's committee packs: one per partner (its strategic report, which opens on the summary, then its
    operational reports month by month) and the programme's (the programme overview), in `packs/`."""
    order = {"strategic": 0, "operational": 1, "programme": 2}
    by_partner: dict[str | None, list[CycleReport]] = {}
    for rep in sorted(cycle.reports, key=lambda r: (order[r.committee], r.period)):
        by_partner.setdefault(rep.partner_id, []).append(rep)
    packs = []
    for partner_id, reports in by_partner.items():
        name = reports[0].partner_name
        with in_language(cycle.language):
            parts = tuple(PackPart(r.title, r.pdf_path) for r in reports)
        packs.append(
            Pack(
                client=cycle.engagement.contract.client,
                partner=name,
                period=str(cycle.period),
                parts=parts,
                path=output_path(cycle.folder, PACKS_FOLDER, f"{partner_id or 'programme'}.pdf"),
                language=cycle.language,
            )
        )
    return packs


# --------------------------------------------------------------------------- running


@contextmanager
def _cycle_lock(folder: Path) -> Iterator[None]:
    """Hold the cycle folder's lock: two runs of the same cycle would overwrite each other's files."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / _LOCK_NAME, "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CycleError(f"{folder}: another run of this cycle is in progress") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files an interrupted run left (their writer is gone)."""
    for tmp in folder.rglob(".*.tmp"):
        m = _STALE_TMP.match(tmp.name)
        if m is None or not _pid_alive(int(m[1])):
            tmp.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_cycle(
    cycle: Cycle,
    *,
    workers: int | None = None,
    options: ExecutionOptions | None = None,
    on_result: Callable[[CycleReport, ReportResult], None] | None = None,
    pdf: bool = True,
    cluster: Client | None = None,
) -> CycleOutcome:
    """Compute the analysis once, save its tables, run every report (`workers` processes, default: the
    CPU count; or on the Dask cluster of `cluster`, `batch.cluster`, whose workers also read a large
    contact history's partitions) and write the index after each one. `on_result` is called as each
    report finishes.
    With `pdf` and Chromium installed (`batch.pdf.chromium`), each report is also printed to PDF beside
    its HTML; without Chromium, HTML only (`batch.pdf.PDF_HOWTO` says how to get PDFs).

    A failing report never stops the others; the outcome says which failed, in which cell and why.
    """
    from ..pipeline.analysis import compute
    from ..pipeline.store import save_analysis

    options = options or ExecutionOptions(warm_imports=CYCLE_WARM_IMPORTS)
    browser = chromium() if pdf else None
    with _cycle_lock(cycle.folder):
        _remove_stale_temporaries(cycle.folder)
        with digests_read_meanwhile(cycle.engagement):
            analysis = compute(cycle.engagement, reading=None if cluster is None else partition_reading(cluster))
        save_analysis(analysis, cycle.tables)
        first, last = data_months(cycle.engagement)
        record = lineage(
            cycle.engagement,
            rejected=analysis.rejected,
            period=str(cycle.period),
            committee=cycle.committee,
            contacts_from=f"{first:%Y-%m}",
            contacts_to=f"{last:%Y-%m}",
        )
        write_atomic(cycle.tables / "lineage.json", json.dumps(record, indent=2, default=str) + "\n")
        if cycle.scenario is not None:
            write_scenario(cycle.scenario, cycle.scenario_path)
        results: list[ReportResult | None] = [None] * len(cycle.reports)
        outcome = CycleOutcome(cycle, tuple(results), record)
        _write_index(outcome, finished=False)
        jobs = cycle_jobs(cycle)
        if cluster is None:
            finished = iter_reports(jobs, workers=workers, options=options)
        else:
            finished = iter_reports_on_cluster(jobs, cluster, options=options)
        for result in finished:
            report = cycle.reports[result.index]
            if not result.ok:
                _remove_stale_outputs(report, result)
            elif browser is not None:
                report.pdf_path.unlink(missing_ok=True)
                try:
                    print_pdf(report.html_path, report.pdf_path, browser=browser)
                except PdfError as e:  # the HTML report stands; the index shows no PDF link
                    warnings.warn(str(e), stacklevel=2)
            results[result.index] = result
            outcome = replace(outcome, results=tuple(results))
            _write_index(outcome, finished=False)
            if on_result is not None:
                on_result(report, result)
        if browser is not None:
            outcome = replace(outcome, packs=_write_packs(outcome, browser))
        _write_index(outcome, finished=True)
        return outcome


def _write_packs(outcome: CycleOutcome, browser: Path) -> tuple[tuple[Pack, int], ...]:
    """Print each committee pack whose reports were all printed; a pack missing a report is not written."""
    written = []
    today = dt.date.fromisoformat(str(outcome.lineage.get("generated_at") or dt.date.today())[:10])
    for pack in cycle_packs(outcome.cycle):
        pack.path.unlink(missing_ok=True)
        if not all(part.pdf.is_file() for part in pack.parts):
            continue
        try:
            written.append((pack, print_pack(pack, today, browser=browser)))
        except PdfError as e:
            warnings.warn(str(e), stacklevel=3)
    return tuple(written)


def _remove_stale_outputs(report: CycleReport, result: ReportResult) -> None:
    """A failed report must not leave the previous run's report looking current."""
    report.html_path.unlink(missing_ok=True)
    report.pdf_path.unlink(missing_ok=True)
    if result.ipynb_path is None:
        report.ipynb_path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the index


def _status(result: ReportResult | None) -> str:
    if result is None:
        return N_("not run")
    return N_("ok") if result.ok else N_("failed")


def _cycle_record(outcome: CycleOutcome, *, finished: bool) -> dict[str, Any]:
    """The index's content as data (``cycle.json``); paths relative to the cycle folder."""
    cycle = outcome.cycle

    def rel(path: Path | None) -> str | None:
        return None if path is None else path.relative_to(cycle.folder).as_posix()

    reports = []
    for rep, res in zip(cycle.reports, outcome.results, strict=True):
        error = None
        if res is not None and res.error is not None:
            e = res.error
            error = {
                "summary": e.summary(),
                "kind": e.kind,
                "exception": e.exception,
                "message": e.message,
                "cell_index": e.cell_index,
                "cell_id": e.cell_id,
                "cell_source": e.cell_source,
            }
        ok = res is not None and res.ok
        written_ipynb = res is not None and (res.ipynb_path is not None)
        reports.append(
            {
                "committee": rep.committee,
                "period": rep.period,
                "partner_id": rep.partner_id,
                "partner_name": rep.partner_name,
                "title": rep.title,
                "status": _status(res),
                "html": rel(rep.html_path) if ok else None,
                "ipynb": rel(rep.ipynb_path) if written_ipynb else None,
                "pdf": rel(rep.pdf_path) if ok and rep.pdf_path.exists() else None,
                "figures": res.figures if ok else None,
                "error": error,
            }
        )
    failed = sum(r["status"] == "failed" for r in reports)
    done = sum(r["status"] != "not run" for r in reports)
    state = (N_("complete") if not failed else N_("failed")) if finished else N_("in progress")
    return {
        "client": cycle.engagement.contract.client,
        "engagement": cycle.engagement.name,
        "period": str(cycle.period),
        "language": cycle.language,
        "committee": cycle.committee,
        "state": state,
        "reports_total": len(reports),
        "reports_done": done,
        "reports_failed": failed,
        "generated_at": outcome.lineage.get("generated_at"),
        "tables": TABLES_FOLDER + "/",
        "packs": [
            {"title": pack.title, "partner_name": pack.partner, "pdf": rel(pack.path), "pages": pages}
            for pack, pages in outcome.packs
        ],
        "lineage": outcome.lineage,
        "reports": reports,
    }


def _write_index(outcome: CycleOutcome, *, finished: bool) -> None:
    record = _cycle_record(outcome, finished=finished)
    write_atomic(outcome.cycle.folder / "cycle.json", json.dumps(record, indent=2, default=str) + "\n")
    write_atomic(outcome.cycle.index_path, index_html(record))


def index_html(record: dict[str, Any]) -> str:
    """The cycle's index page (self-contained: inline style, no script, every data text escaped), in the cycle's
    language."""
    with in_language(record.get("language", "en")):
        return _index_template().render(record=record, committee_titles=_COMMITTEE_TITLES)


@functools.cache
def _index_template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "cycle_index"),
        autoescape=True,
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(_=_, number=number, dataset_names=dataset_names)
    return environment.get_template("index.html.j2")


def _escaped(value: Any) -> Markup:
    """A value as the page shows it: None as nothing, text escaped with the standard library's
    entities (``&quot;``, ``&#x27;``, as the page always had), so that autoescaping leaves it as is."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))
