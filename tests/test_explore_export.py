"""The explore notebook, run and written by `partner-analytics html`, is one offline page: its charts
drawn by plotly.js inside the page, no request to any other host."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from partner_analytics.charts.display import plotly_js
from partner_analytics.cli import main
from partner_analytics.core.paths import NOTEBOOKS

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def explore_run(tmp_path_factory):
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    path = tmp_path_factory.mktemp("explore") / "explore.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_explore_page_works_offline(explore_run):
    assert main(["html", str(explore_run)]) == 0
    html = explore_run.with_suffix(".html").read_text(encoding="utf-8")
    head, body = html.split("</head>", 1)
    assert "Plotly" in head and head.count("plotly.js v") <= 1  # the bundle once, before any figure
    assert len(re.findall(r'class="pa-plotly"', body)) == 1  # the breach's chart
    html = html.replace(plotly_js(), "")  # the bundle's own links (its logo, map tiles) are never requested
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    for host in ("cdnjs", "unpkg.com", "jsdelivr", "cdn.plot.ly", "mathjax", "require.js"):
        assert host not in html.lower(), host
    assert "rows behind quality_score of September 2026" in body  # the drill shows the evaluations
    assert "evaluated_at" in body and "population_behind" in body  # the code is shown


def test_a_notebook_never_run_is_refused(tmp_path, capsys):
    path = tmp_path / "blank.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), path)
    assert main(["html", str(path)]) != 0
    assert "has no outputs (run it and save it first)" in capsys.readouterr().err


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: `apt-get install -y chromium`")
def test_the_explore_page_draws_its_chart_in_a_browser_offline(explore_run):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    main(["html", str(explore_run)])
    refused: list[str] = []

    def only_files(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.route("**/*", only_files)
        page.goto(explore_run.with_suffix(".html").as_uri(), wait_until="load")
        drawn = page.eval_on_selector(".pa-plotly", "el => el.querySelectorAll('svg.main-svg').length")
        text = page.inner_text(".pa-plotly")
        browser.close()
    assert drawn > 0 and "Chart not drawn" not in text
    assert refused == []
