"""The committee cycle: plan, outputs, index, failures, partner isolation and other periods.

The sample's latest quarter with every committee (17 reports) runs once per session (the
`sample_cycle` fixture in conftest.py); the tests here read what it wrote. A few small cycles run
here too: a deliberately failing notebook, other periods of the sample, and an engagement whose
partners have look-alike ids and names.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
from dataclasses import fields
from pathlib import Path

import polars as pl
import pytest

from partner_analytics.batch.cycle import (
    CycleError,
    cycle_jobs,
    index_html,
    latest_complete_period,
    output_path,
    prepare_cycle,
    run_cycle,
)
from partner_analytics.batch.jobs import declared_parameters, job_problem
from partner_analytics.charts.display import plotly_js
from partner_analytics.cli import main
from partner_analytics.core.money import format_cents
from partner_analytics.core.paths import NOTEBOOKS
from partner_analytics.io.engagement import load
from partner_analytics.pipeline.analysis import Analysis

from .conftest import CONTACT_HEADER, write_engagement
from .cycle_checks import assert_complete_report, parsed, rewrite_partners

SAMPLE_PARTNERS = {
    "northcall": "NorthCall Services",
    "rivage": "Rivage Relation Client",
    "sudhorizon": "Sud Horizon Contact",
    "atlas": "Atlas Appels",
}


# --------------------------------------------------------------------------- the sample quarter


def test_the_latest_complete_quarter_of_the_sample_is_planned_with_every_committee(sample_cycle) -> None:
    cycle = sample_cycle.cycle
    assert str(cycle.period) == "2026-Q3"  # the sample's contacts run from 2024-10 to 2026-09
    relative = [r.html_path.relative_to(cycle.folder).as_posix() for r in cycle.reports]
    # 4 strategic + the programme overview + 3 months x 4 partners operational = 17
    assert relative == [
        "strategic/northcall.html",
        "strategic/rivage.html",
        "strategic/sudhorizon.html",
        "strategic/atlas.html",
        "programme/overview.html",
        *(f"operational/2026-{m:02d}/{p}.html" for m in (7, 8, 9) for p in SAMPLE_PARTNERS),
    ]
    assert cycle.folder == cycle.root / cycle.engagement.name / "2026-Q3"


def test_every_report_is_written_complete_with_its_executed_notebook(sample_cycle) -> None:
    outcome = sample_cycle.outcome
    assert outcome.ok, [r.error.summary() for r in outcome.results if r is not None and r.error]
    for report, result in zip(sample_cycle.cycle.reports, outcome.results, strict=True):
        assert result.html_path == report.html_path and result.ipynb_path == report.ipynb_path
        assert_complete_report(report.html_path)
        assert report.html_path.stat().st_size < 2_000_000  # the partial plotly.js (1.2 MB) once, figures as JSON
        nb = json.loads(report.ipynb_path.read_text(encoding="utf-8"))
        assert nb["metadata"]["papermill"]["parameters"]["tables"] == str(sample_cycle.cycle.tables)
    # one progress tick per report
    assert sorted(sample_cycle.ticks) == sorted(r.label for r in sample_cycle.cycle.reports)


def test_each_report_says_its_committee_partner_and_period(sample_cycle) -> None:
    for report in sample_cycle.cycle.reports:
        text = report.html_path.read_text(encoding="utf-8")
        assert f"<title>{report.title}</title>" in text
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)[1]
        if report.committee == "operational":
            month = dt.date.fromisoformat(report.period + "-01")
            assert h1.startswith(f"{report.partner_name} — operational committee, {month:%B %Y}")
        elif report.committee == "strategic":
            assert h1.startswith(f"{report.partner_name} — strategic committee, Q3 2026")
        else:
            assert h1.startswith("Programme overview, Q3 2026")


def test_the_analysis_is_computed_once_into_the_tables_folder_with_its_lineage(sample_cycle) -> None:
    cycle = sample_cycle.cycle
    names = {f.name for f in fields(Analysis) if f.name != "contract"}
    assert {p.stem for p in cycle.tables.glob("*.parquet")} == names
    record = json.loads((cycle.tables / "lineage.json").read_text())
    assert record["digest"] == cycle.engagement.digest and record["period"] == "2026-Q3"
    assert (record["contacts_from"], record["contacts_to"]) == ("2024-10", "2026-09")
    contacts = next(i for i in record["inputs"] if i["table"] == "contacts")
    source = cycle.engagement.path / contacts["file"]
    assert contacts["bytes"] == source.stat().st_size
    assert contacts["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    # every report read these tables rather than computing its own
    statement = pl.read_parquet(cycle.tables / "statement.parquet")
    rivage_q3 = statement.filter((pl.col("partner_id") == "rivage") & (pl.col("month") >= dt.date(2026, 7, 1)))
    net = format_cents(rivage_q3["net"].sum(), "EUR")
    assert net in (cycle.folder / "strategic" / "rivage.html").read_text(encoding="utf-8")


def test_the_index_lists_every_report_ok_with_working_relative_links_and_the_lineage(sample_cycle) -> None:
    cycle = sample_cycle.cycle
    text = cycle.index_path.read_text(encoding="utf-8")
    page = parsed(text)
    for report in cycle.reports:
        for path in (report.html_path, report.ipynb_path):
            href = path.relative_to(cycle.folder).as_posix()
            assert href in page.links
    for href in page.links:
        assert not href.startswith(("/", "http:", "https:", "file:")), href
        assert (cycle.folder / href).exists(), href
    words = " ".join(page.text)
    assert words.count("ok") >= 4 + 1 + 3 * 4 and "failed" not in words and "complete" in words
    assert "17 of 17 reports run" in words and "2026-Q3" in words
    record = json.loads((cycle.folder / "cycle.json").read_text())
    assert record["state"] == "complete" and [r["status"] for r in record["reports"]] == ["ok"] * (4 + 1 + 3 * 4)
    assert record["generated_at"] in words and cycle.engagement.digest in words
    for source in cycle.engagement.files:
        assert source.sha256 in words and f"{source.size:,}" in words
    # self-contained and offline: no script, nothing from another host
    assert "<script" not in text and "src=" not in text and "http" not in text.replace("http-equiv", "")


def _money_strings(tables: Path, partner: str) -> set[str]:
    """Amounts a partner's reports show (statement of the quarter and its months, credits at risk)."""
    statement = pl.read_parquet(tables / "statement.parquet").filter(
        (pl.col("partner_id") == partner) & (pl.col("month") >= dt.date(2026, 7, 1))
    )
    strings = {format_cents(statement["net"].sum(), "EUR")}
    strings |= {format_cents(v, "EUR") for v in (*statement["net"], *statement["charges"])}
    credits = pl.read_parquet(tables / "credits.parquet").filter(
        (pl.col("partner_id") == partner) & (pl.col("credit") > 0)
    )
    strings |= {format_cents(v, "EUR") for v in credits["credit"]}
    return strings


def _partner_files(folder: Path, partner: str) -> list[Path]:
    files = [folder / "strategic" / f"{partner}.html", *folder.glob(f"operational/*/{partner}.html")]
    return [f for html in files for f in (html, html.with_suffix(".ipynb"))]


def _own_text(path: Path) -> str:
    """A report's text without the plotly.js bundle (which names countries, e.g. "North Macedonia")."""
    return path.read_text(encoding="utf-8").replace(plotly_js(), "")


def _word(text: str) -> re.Pattern[str]:
    """`text` as a whole id or name: not part of a longer one (`acme` is not in `acme-2`)."""
    return re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])")


def test_a_partners_reports_hold_no_other_partners_id_name_or_amounts(sample_cycle) -> None:
    folder, tables = sample_cycle.cycle.folder, sample_cycle.cycle.tables
    amounts = {p: _money_strings(tables, p) for p in SAMPLE_PARTNERS}
    assert all(len(amounts[p]) >= 7 for p in SAMPLE_PARTNERS if p != "atlas")
    # atlas: the quarter's net, each month's net (its charges: no credit in Q3) and its 2 credits
    assert len(amounts["atlas"]) == 1 + 3 + 2
    for partner in SAMPLE_PARTNERS:
        files = _partner_files(folder, partner)
        assert len(files) == 8  # strategic + 3 operational, HTML and notebook each
        for path in files:
            text = _own_text(path)
            assert SAMPLE_PARTNERS[partner] in text  # the report's own partner, in its title
            for other, name in SAMPLE_PARTNERS.items():
                if other == partner:
                    continue
                assert not _word(other).search(text), (path, other)
                assert name not in text, (path, name)
                leaked = {a for a in amounts[other] - amounts[partner] if a in text}
                assert not leaked, (path, other, leaked)
    overview = (folder / "programme" / "overview.html").read_text(encoding="utf-8")
    assert all(name in overview for name in SAMPLE_PARTNERS.values())  # client only: every partner, by name


def test_the_interval_partners_reports_measure_every_service_level_it_commits(sample_cycle) -> None:
    folder = sample_cycle.cycle.folder
    # Atlas Appels commits only what its interval report measures: nothing is "not measurable" in its
    # strategic report
    assert "not measurable" not in _own_text(folder / "strategic" / "atlas.html")
    # its operational report's floor KPIs that need contact records say why: transfer rate, repeat
    # contacts, NPS and customer effort (4)
    september = _own_text(folder / "operational" / "2026-09" / "atlas.html")
    assert september.count("not measurable partner-wide, a channel being measured from intervals") == 4


# --------------------------------------------------------------------------- failures


def _notebooks_with_a_failing_strategic_cell(folder: Path, message: str) -> Path:
    shutil.copytree(NOTEBOOKS, folder)
    path = folder / "strategic_committee.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    failing = {
        "cell_type": "code",
        "execution_count": None,
        "id": "deliberate-failure",
        "metadata": {},
        "outputs": [],
        "source": [f"raise RuntimeError({message!r})"],
    }
    nb["cells"].insert(3, failing)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return folder


def test_a_failing_report_is_reported_with_its_cell_and_the_others_still_succeed(
    sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "deliberate failure <script>alert('x')</script>"
    notebooks = _notebooks_with_a_failing_strategic_cell(tmp_path / "notebooks", message)
    out = tmp_path / "reports"
    stale = out / sample_dir.name / "2026-Q3" / "strategic" / "rivage.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("<html>the previous run's report</html>")
    # temporary files of an interrupted run (their writer is gone) and of a live writer (this process)
    dead_writer = stale.parent / ".rivage.html.999999999.0123abcd.tmp"
    dead_index = stale.parent.parent / ".index.html.k2j3h4ab.tmp"
    live_writer = stale.parent / f".northcall.html.{os.getpid()}.0123abcd.tmp"
    for tmp in (dead_writer, dead_index, live_writer):
        tmp.write_text("<html>half")
    args = ["cycle", "2026-Q3", "-e", str(sample_dir), "--partners", "rivage", "--out", str(out)]
    status = main([*args, "--notebooks", str(notebooks), "--workers", "2"])
    printed = capsys.readouterr().out
    assert status == 1
    assert "cell error in cell 3: RuntimeError: deliberate failure" in printed
    assert "1 of 2 reports written" in printed and "1 failed" in printed and "index:" in printed
    folder = stale.parent.parent
    assert not stale.exists()  # the old report does not pass for this cycle's
    assert not dead_writer.exists() and not dead_index.exists() and live_writer.exists()
    executed = json.loads((folder / "strategic" / "rivage.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("ename") == "RuntimeError" for c in executed["cells"] for o in c.get("outputs", []))
    assert_complete_report(folder / "programme" / "overview.html")
    record = json.loads((folder / "cycle.json").read_text())
    assert record["state"] == "failed" and [r["status"] for r in record["reports"]] == ["failed", "ok"]
    error = record["reports"][0]["error"]
    assert (error["kind"], error["exception"], error["cell_index"], error["cell_id"]) == (
        "cell",
        "RuntimeError",
        3,
        "deliberate-failure",
    )
    assert error["message"] == message
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "cell error in cell 3: RuntimeError: deliberate failure &lt;script&gt;alert(&#x27;x&#x27;)" in index
    assert "<script" not in index
    links = parsed(index).links
    assert "strategic/rivage.ipynb" in links and "strategic/rivage.html" not in links


def test_two_runs_of_one_cycle_cannot_overlap(sample_dir: Path, tmp_path: Path) -> None:
    from partner_analytics.batch.cycle import _cycle_lock

    cycle = prepare_cycle(sample_dir, "2026-09", tmp_path, partners=["rivage"])
    with _cycle_lock(cycle.folder), pytest.raises(CycleError, match="another run of this cycle is in progress"):
        run_cycle(cycle, pdf=False)
    assert sorted(p.name for p in cycle.folder.iterdir()) == [".cycle.lock"]  # the second run wrote nothing


# --------------------------------------------------------------------------- other periods


@pytest.fixture(scope="module")
def earliest_cycles(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The sample's first quarter (strategic + overview) and first month (operational): the trailing
    windows and month-on-month trends reach before the data starts."""
    out = tmp_path_factory.mktemp("earliest")
    eng = load(sample_dir)
    return [run_cycle(prepare_cycle(eng, period, out), workers=2, pdf=False) for period in ("2024-Q4", "2024-10")]


def test_other_periods_of_the_sample_run_for_every_partner(earliest_cycles) -> None:
    quarter, month = earliest_cycles
    assert [r.label for r in quarter.cycle.reports] == [
        "strategic 2024-Q4 / northcall",
        "strategic 2024-Q4 / rivage",
        "strategic 2024-Q4 / sudhorizon",
        "programme 2024-Q4",
    ]
    # atlas's contract starts in January 2025: it has no committee before
    assert [r.label for r in month.cycle.reports] == [
        f"operational 2024-10 / {p}" for p in SAMPLE_PARTNERS if p != "atlas"
    ]
    for outcome in (quarter, month):
        assert outcome.ok, [r.error.summary() for r in outcome.results if r is not None and r.error]
        for report in outcome.cycle.reports:
            assert_complete_report(report.html_path)
    first = (month.cycle.folder / "operational" / "rivage.html").read_text(encoding="utf-8")
    assert "Rivage Relation Client — operational committee, October 2024" in first


# --------------------------------------------------------------------------- look-alike partners

LOOKALIKES = {
    "northcall": ("acme", "North"),
    "rivage": ("acme-2", "Northcall"),
    "sudhorizon": ("x-co", '<script>alert("x")</script> O\'Hara & "Sons"'),
    "atlas": ("acme-3", "Acme Trois"),
}


@pytest.fixture(scope="module")
def lookalike_cycle(tmp_path_factory: pytest.TempPathFactory):
    """A small engagement whose partners are `acme` and `acme-2`, named `North` and `Northcall`, and one
    whose name holds markup and quotes, in a folder whose name holds quotes and a newline."""
    from partner_analytics.sample import generate_sample

    folder = tmp_path_factory.mktemp("eng") / "look \"alike\" 'eng'\nv2"
    generate_sample(folder, contacts=40_000)
    rewrite_partners(folder, LOOKALIKES)
    cycle = prepare_cycle(folder, "2026-Q3", tmp_path_factory.mktemp("reports"), committee="all")
    return run_cycle(cycle, workers=2, pdf=False)


def test_lookalike_partners_never_appear_in_each_others_reports(lookalike_cycle) -> None:
    outcome = lookalike_cycle
    assert outcome.ok, [r.error.summary() for r in outcome.results if r is not None and r.error]
    folder = outcome.cycle.folder
    names = {pid: name for pid, name in LOOKALIKES.values()}
    for partner, name in names.items():
        for path in _partner_files(folder, partner):
            text = _own_text(path)
            # escaped: in the notebook's outputs as written, in the HTML as nbconvert serialises text
            assert html.escape(name) in text or html.escape(name, quote=False) in text, path
            others = [p for p in names if p != partner]
            assert not any(_word(o).search(text) for o in others), path
            if partner == "acme":  # North: never Northcall
                assert "Northcall" not in text and re.search(r"\bNorth\b", text)
            if partner == "acme-2":  # Northcall: never North alone
                assert not re.search(r"\bNorth\b(?!call)", text)
            if partner != "x-co":
                assert "Hara" not in text
            if path.suffix == ".html":
                assert "<script>alert" not in text and "</script> O'Hara" not in text
    scripted = (folder / "strategic" / "x-co.html").read_text(encoding="utf-8")
    assert '<h1>&lt;script&gt;alert("x")&lt;/script&gt; O\'Hara &amp; "Sons" — strategic committee' in scripted
    index = outcome.cycle.index_path.read_text(encoding="utf-8")
    assert "<script" not in index and "&lt;script&gt;alert(&quot;x&quot;)" in index


def test_a_path_with_quotes_and_a_newline_reaches_the_notebook_as_the_same_string(lookalike_cycle) -> None:
    cycle = lookalike_cycle.cycle
    assert cycle.folder.parent.name == "look-alike-eng-v2"  # the output folder's name is made safe
    nb = json.loads((cycle.folder / "strategic" / "acme.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    values = {}
    for node in ast.parse("".join(injected["source"])).body:
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values["engagement"] == str(cycle.engagement.path)
    assert values["engagement"].endswith("look \"alike\" 'eng'\nv2")
    assert values["partner"] == "acme" and values["quarter"] == "2026-Q3"


# --------------------------------------------------------------------------- planning rules


def test_output_paths_never_leave_the_reports_folder(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    root.mkdir()
    assert output_path(root, "e", "2026-Q3", "strategic", "acme.html") == (
        root.resolve() / "e" / "2026-Q3" / "strategic" / "acme.html"
    )
    for bad in ("..", ".", "", "a/b", "..\\x", ".hidden", "x\0y"):
        with pytest.raises(CycleError):
            output_path(root, "e", bad)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(CycleError, match="outside the reports folder"):
        output_path(root, "link", "x.html")


def test_a_partner_id_cannot_name_a_path(sample_dir: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(CycleError, match="unknown partner '../../etc'"):
        prepare_cycle(sample_dir, "2026-Q3", tmp_path, partners=["../../etc"])
    assert main(["cycle", "2026-09", "-e", str(sample_dir), "-p", "rivage,../x", "-o", str(tmp_path)]) == 1
    assert "unknown partner '../x'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written


def _contacts(*days: str) -> str:
    rows = [f"c{i},northcall,voice,{day} 09:00:00,true,12,300,cust{i},5" for i, day in enumerate(days)]
    return "\n".join([CONTACT_HEADER, *rows]) + "\n"


def test_the_latest_complete_period_comes_from_the_data(tmp_path: Path) -> None:
    ends_in_october = load(write_engagement(tmp_path / "a", {"contacts.csv": _contacts("2026-06-15", "2026-10-02")}))
    assert str(latest_complete_period(ends_in_october, "quarter")) == "2026-Q3"
    assert str(latest_complete_period(ends_in_october, "month")) == "2026-10"
    ends_in_june = load(write_engagement(tmp_path / "b", {"contacts.csv": _contacts("2026-04-01", "2026-06-30")}))
    assert str(latest_complete_period(ends_in_june, "quarter")) == "2026-Q2"
    one_month = load(write_engagement(tmp_path / "c", {"contacts.csv": _contacts("2026-09-01")}))
    with pytest.raises(CycleError, match="holds no complete quarter"):
        latest_complete_period(one_month, "quarter")


def test_a_cycle_needs_its_period_in_the_data_and_a_committee_that_meets_then(sample_dir: Path, tmp_path) -> None:
    sample = load(sample_dir)
    with pytest.raises(CycleError, match="from 2024-10 to 2026-09 only"):
        prepare_cycle(sample, "2026-Q4", tmp_path)
    with pytest.raises(CycleError, match="strategic committee meets per quarter"):
        prepare_cycle(sample, "2026-09", tmp_path, committee="strategic")
    with pytest.raises(CycleError, match="expected a month YYYY-MM"):
        prepare_cycle(sample, "Q3", tmp_path)
    month = prepare_cycle(sample, "2026-09", tmp_path)
    assert [r.label for r in month.reports] == [f"operational 2026-09 / {p}" for p in SAMPLE_PARTNERS]
    operational_quarter = prepare_cycle(sample, "2026-Q3", tmp_path, committee="operational", partners=["rivage"])
    assert [r.html_path.relative_to(operational_quarter.folder).as_posix() for r in operational_quarter.reports] == [
        "operational/2026-07/rivage.html",
        "operational/2026-08/rivage.html",
        "operational/2026-09/rivage.html",
    ]
    assert list(tmp_path.iterdir()) == []  # planning writes nothing


def test_every_notebook_declares_the_parameters_the_cycle_passes(sample_dir: Path, tmp_path: Path) -> None:
    cycle = prepare_cycle(sample_dir, "2026-Q3", tmp_path, committee="all", partners=["rivage"])
    jobs = cycle_jobs(cycle)
    assert {job.notebook.name for job in jobs} == {
        "strategic_committee.ipynb",
        "programme_overview.ipynb",
        "operational_committee.ipynb",
    }
    for job in jobs:
        assert job_problem(job) is None
        nb = json.loads(job.notebook.read_text(encoding="utf-8"))
        assert set(job.parameters) == set(declared_parameters(nb))  # every parameter set by the batch
        assert job.parameters["tables"] == str(cycle.tables)
        assert job.parameters["engagement"] == str(cycle.engagement.path)
        assert job.parameters.get("partner", "rivage") == "rivage"
    # defaults name no partner: an executed report carries no other partner's id in its parameters cell
    for name in ("strategic_committee.ipynb", "operational_committee.ipynb"):
        cell = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"][0]
        assert 'partner: str = ""' in "".join(cell["source"])


def test_the_index_escapes_every_text_from_the_data() -> None:
    evil = '<img src=x onerror="alert(1)">'
    record = {
        "client": evil,
        "engagement": evil,
        "period": "2026-Q3",
        "state": "failed",
        "reports_total": 1,
        "reports_done": 1,
        "reports_failed": 1,
        "generated_at": "2026-10-01T00:00:00+00:00",
        "tables": "tables/",
        "lineage": {
            "digest": "d",
            "partner_analytics": "0",
            "contract": {"table": "contract", "file": evil, "format": "yaml", "bytes": 1, "sha256": "s"},
            "inputs": [],
        },
        "reports": [
            {
                "committee": "strategic",
                "period": "2026-Q3",
                "partner_id": "acme",
                "partner_name": evil,
                "status": "failed",
                "html": None,
                "ipynb": 'strategic/a"b.ipynb',
                "error": {"summary": evil, "cell_source": evil},
            }
        ],
    }
    text = index_html(record)
    assert "<img" not in text and text.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 7
    assert 'href="strategic/a&quot;b.ipynb"' in text


def test_the_index_rows_say_status_files_and_the_failing_cell() -> None:
    record = {
        "client": "Client",
        "engagement": "sample",
        "period": "2026-Q3",
        "state": "in progress",
        "reports_total": 2,
        "reports_done": 1,
        "reports_failed": 1,
        "generated_at": None,
        "tables": "tables/",
        "lineage": {
            "contract": {"table": "contract", "file": "contract.yaml", "format": "yaml", "bytes": 12345, "sha256": "s"},
            "inputs": [],
        },
        "reports": [
            {
                "committee": "strategic",
                "period": "2026-Q3",
                "partner_id": "acme",
                "partner_name": "Acme",
                "status": "failed",
                "html": None,
                "ipynb": "strategic/acme.ipynb",
                "error": {"summary": "cell error in cell 2: ValueError: bad", "cell_source": "x = 1\n1/0"},
            },
            {
                "committee": "programme",
                "period": "2026-Q3",
                "partner_id": None,
                "partner_name": None,
                "status": "not run",
                "html": None,
                "ipynb": None,
                "error": None,
            },
        ],
    }
    text = index_html(record)
    assert (
        '<tr><td>Strategic committee</td><td>2026-Q3</td><td>Acme <span class="mono">(acme)</span></td>'
        '<td><span class="failed">failed</span><br>cell error in cell 2: ValueError: bad<pre>x = 1\n1/0</pre></td>'
        '<td><a href="strategic/acme.ipynb">notebook</a></td></tr>\n'
        "<tr><td>Programme overview</td><td>2026-Q3</td><td>all partners (client only)</td>"
        '<td><span class="notrun">not run</span></td><td></td></tr>\n</tbody>'
    ) in text
    assert '<span class="state progress">in progress</span> · 1 of 2 reports run, 1 failed</p>' in text
    assert '<td class="num">12,345</td>' in text
    assert "<dt>generated at (UTC)</dt><dd></dd>" in text
    assert text.startswith("<!DOCTYPE html>\n") and text.endswith("</html>\n")


def test_a_scenario_is_checked_kept_with_the_cycle_and_passed_to_the_client_only_overview(
    sample_dir: Path, tmp_path: Path
) -> None:
    from partner_analytics.core.errors import EngagementError
    from partner_analytics.whatif.scenario import parse_scenario, read_scenario, write_scenario

    scenario = parse_scenario({"name": "Recovery", "partners": {"rivage": {"terms": {"at_risk_pct": 0.2}}}})
    path = write_scenario(scenario, tmp_path / "recovery.yaml")
    cycle = prepare_cycle(sample_dir, "2026-Q3", tmp_path / "out", committee="all", partners=["rivage"], scenario=path)
    assert cycle.scenario_path == cycle.folder / "scenario.yaml"
    jobs = {job.notebook.name: job for job in cycle_jobs(cycle)}
    assert jobs["programme_overview.ipynb"].parameters["scenario"] == str(cycle.scenario_path)
    assert "scenario" not in jobs["strategic_committee.ipynb"].parameters  # it goes to both parties
    assert "scenario" not in jobs["operational_committee.ipynb"].parameters
    write_scenario(cycle.scenario, cycle.scenario_path)  # as run_cycle keeps it
    assert read_scenario(cycle.scenario_path) == scenario
    wrong = write_scenario(
        parse_scenario({"partners": {"nobody": {"terms": {"at_risk_pct": 0.2}}}}), tmp_path / "x.yaml"
    )
    with pytest.raises(EngagementError, match="nobody"):
        prepare_cycle(sample_dir, "2026-Q3", tmp_path / "out", scenario=wrong)


def test_the_cycle_plans_one_pack_per_partner_and_the_programmes(sample_dir: Path, tmp_path: Path) -> None:
    from partner_analytics.batch.cycle import cycle_packs

    cycle = prepare_cycle(sample_dir, "2026-Q3", tmp_path, committee="all", partners=["rivage"])
    packs = cycle_packs(cycle)
    assert [p.path.relative_to(cycle.folder).as_posix() for p in packs] == ["packs/rivage.pdf", "packs/programme.pdf"]
    rivage, programme = packs
    # the strategic report first (it opens on the summary), then the operational reports month by month
    assert [part.title for part in rivage.parts] == [
        "Strategic committee Q3 2026 — Rivage Relation Client",
        *(f"Operational committee {m} 2026 — Rivage Relation Client" for m in ("July", "August", "September")),
    ]
    assert rivage.parts[0].pdf == cycle.folder / "strategic" / "rivage.pdf"
    assert rivage.title == "Committee pack Q3 2026 — Rivage Relation Client" and rivage.client == "Volta Énergie"
    assert [part.title for part in programme.parts] == ["Programme overview Q3 2026"]
    assert programme.confidentiality.startswith("Confidential, Volta Énergie only")


def test_the_index_links_the_committee_packs() -> None:
    record = {
        "client": "Volta",
        "engagement": "volta",
        "period": "2026-Q3",
        "state": "complete",
        "reports_total": 0,
        "reports_done": 0,
        "reports_failed": 0,
        "generated_at": "2026-10-01T00:00:00+00:00",
        "tables": "tables/",
        "lineage": {"digest": "d", "partner_analytics": "0", "inputs": []},
        "reports": [],
        "packs": [
            {
                "title": "Committee pack 2026-Q3 — Rivage",
                "partner_name": "Rivage",
                "pdf": "packs/rivage.pdf",
                "pages": 31,
            }
        ],
    }
    text = index_html(record)
    assert '<a href="packs/rivage.pdf">Committee pack 2026-Q3 — Rivage</a></td><td class="num">31</td>' in text
    assert "Committee packs" not in index_html({**record, "packs": []})
