"""The cycle's pages in a real browser, offline: headless Chromium with every request off file:// refused.

Skipped (with the reason) when Chromium or the playwright package is absent, except in CI, where
`.ci/run` installs Chromium with apt and its absence is an error. Never `playwright install`: the Debian browser at /usr/bin/chromium is used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":  # .ci/run installs it: a skip there would hide a broken install
        pytest.fail("no /usr/bin/chromium in CI: .ci/run should have installed it", pytrace=False)
    pytest.skip("no /usr/bin/chromium: `apt-get install -y chromium` to run the browser tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


class OfflinePage:
    """A page that may load file:// only; it records console errors and warnings (plotly.js warns through
    console.trace, e.g. "Invalid color specifier"), script errors and refused requests."""

    def __init__(self, browser, path: Path, width: int = 1280) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.set_default_timeout(120_000)  # a loaded machine takes long to parse 1.2 MB of plotly.js
        self.errors: list[str] = []
        self.refused: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning", "trace") else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def close(self) -> None:
        self.page.close()


def _figures(ipynb: Path) -> list[dict]:
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    return [
        out["data"]["application/vnd.plotly.v1+json"]
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in out.get("data", {})
    ]


_DRAWN = """() => Array.from(document.querySelectorAll('.pa-plotly')).map(el => ({
    plotted: el.classList.contains('js-plotly-plot'),
    svg: el.querySelectorAll('svg.main-svg').length,
    traces: (el.data || []).length,
    drawn: el.querySelectorAll('g.trace').length + el.querySelectorAll('g.table').length,
    annotations: el.querySelectorAll('.annotation').length,
}))"""


_OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(el => el.tagName + '.' + el.className)"""


# Texts of a figure drawn over each other (titles, notes, labels; not the legend or the axes' ticks).
_OVERLAPPING_TEXTS = """() => {
  const found = [];
  for (const fig of document.querySelectorAll('.pa-plotly')) {
    const title = (fig.layout && fig.layout.title && fig.layout.title.text) || '';
    const boxes = Array.from(fig.querySelectorAll('text'))
      .filter(t => t.textContent.trim() && !t.closest('.legend, .xtick, .ytick, .xaxislayer-above, .yaxislayer-above'))
      .map(t => [t, t.getBoundingClientRect()])
      .filter(([t, r]) => r.width > 0 && r.height > 0);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) found.push([title, a.textContent.slice(0, 40), b.textContent.slice(0, 40)]);
    }
  }
  return found;
}"""

# Each table figure: how far its last row's text lies below the figure's bottom (> 0: rows cut off, hidden behind a
# scroll bar, lost in print), and the blank left under it.
_TABLE_FIT = """() => Array.from(document.querySelectorAll('.pa-plotly')).filter(f => f.querySelector('g.table')).map(f => {
  const svg = f.querySelector('svg.main-svg').getBoundingClientRect();
  const cells = Array.from(f.querySelectorAll('g.table g.column-cell text'))
    .map(t => t.getBoundingClientRect()).filter(r => r.height > 0);
  const last = Math.max(...cells.map(r => r.bottom));
  return {title: f.layout.title.text, cut: last - svg.bottom, blank: svg.bottom - last};
})"""


def _beyond_axis_ranges(fig: dict) -> list[str]:
    """The traces with a value outside the fixed range of their y axis (a chart cutting its data)."""
    layout, cut = fig["layout"], []
    for trace in fig["data"]:
        if trace.get("type") == "waterfall":  # its values are steps, not positions
            continue
        axis = layout.get("yaxis" + trace.get("yaxis", "y").removeprefix("y"), {})
        values = [v for v in trace.get("y") or [] if isinstance(v, int | float)]
        if "range" in axis and values and axis.get("type") != "category":
            low, high = sorted(axis["range"])
            if min(values) < low or max(values) > high:
                cut.append(f"{layout['title']['text']}: {trace.get('name')}")
    return cut


@pytest.mark.parametrize(
    ("language", "which"),
    [
        ("en", "strategic/rivage.html"),
        ("en", "operational/2026-09/northcall.html"),
        ("en", "programme/overview.html"),
        ("fr", "strategic/rivage.html"),
        ("fr", "operational/2026-09/rivage.html"),
        ("fr", "programme/overview.html"),
    ],
)
def test_a_report_draws_every_figure_offline_without_errors(browser, request, language: str, which: str) -> None:
    """Each kind of report in each language (`sample_cycle_fr`: the French cycle)."""
    cycle = request.getfixturevalue("sample_cycle" if language == "en" else "sample_cycle_fr")
    path = cycle.cycle.folder / which
    page = OfflinePage(browser, path)
    try:
        figures = page.page.evaluate(_DRAWN)
        overflowing = page.page.evaluate(_OVERFLOWING)
        overlapping = page.page.evaluate(_OVERLAPPING_TEXTS)
        tables = page.page.evaluate(_TABLE_FIT)
    finally:
        page.close()
    expected = _figures(path.with_suffix(".ipynb"))
    assert page.errors == [] and page.refused == []
    assert all(fig["config"]["locale"] == language for fig in expected)  # plotly's locale: French months, days
    assert overflowing == [], "elements wider than the page at 1280 px"
    assert overlapping == [], "texts drawn over each other"
    assert [f for f in expected if _beyond_axis_ranges(f)] == [], "values outside their axis"
    # every table shows all its rows, with no more than 30 px of blank under them (the scorecard's margins)
    assert all(t["cut"] <= 0 and t["blank"] <= 30 for t in tables), tables
    assert len(figures) == len(expected) > 0
    for shown, fig in zip(figures, expected, strict=True):
        assert shown["plotted"] and shown["svg"] >= 1, fig["layout"].get("title")
        assert shown["traces"] == len(fig["data"])
        assert shown["drawn"] == shown["traces"], fig["layout"].get("title")
        if not fig["data"]:  # an empty chart says why
            assert shown["annotations"] >= 1


def test_the_index_opens_offline_and_every_link_resolves(browser, sample_cycle) -> None:
    folder = sample_cycle.cycle.folder
    page = OfflinePage(browser, folder / "index.html")
    try:
        hrefs = page.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert page.errors == [] and page.refused == []
        targets = [Path(unquote(urlparse(h).path)) for h in hrefs]
        assert all(h.startswith("file://") for h in hrefs)
        assert all(t.exists() and t.is_relative_to(folder) for t in targets), targets
        reports = {r.html_path for r in sample_cycle.cycle.reports}
        assert reports <= set(targets)
        # following a link opens the report
        page.page.click("a[href='strategic/northcall.html']")
        page.page.wait_for_load_state("load")
        assert page.page.title() == "Strategic committee Q3 2026 — NorthCall Services"
        assert page.page.locator(".js-plotly-plot").count() > 10
        assert page.errors == [] and page.refused == []
    finally:
        page.close()


_PAGE_WIDTH = "() => document.documentElement.clientWidth"


@pytest.mark.parametrize(
    "which", ["strategic/rivage.html", "operational/2026-09/northcall.html", "programme/overview.html"]
)
def test_a_report_prints_to_a4_with_nothing_wider_than_the_page(browser, sample_cycle, which: str, tmp_path) -> None:
    import re

    from partner_analytics.batch.pdf import PRINT_WIDTH_PX, print_pdf

    path = sample_cycle.cycle.folder / which
    # the page as Chromium prints it: laid out at the printable width of A4 (186 mm at 96 px per inch = 703 px),
    # then print media, the network cut
    assert PRINT_WIDTH_PX == round(186 * 96 / 25.4) == 703
    page = OfflinePage(browser, path, width=PRINT_WIDTH_PX)
    try:
        page.page.emulate_media(media="print")
        overflowing = page.page.evaluate(_OVERFLOWING)
        overlapping = page.page.evaluate(_OVERLAPPING_TEXTS)
        tables = page.page.evaluate(_TABLE_FIT)
        first_page = page.page.locator(".pa-first-page").count()
    finally:
        page.close()
    assert page.errors == [] and page.refused == []
    assert overflowing == [], "tables or charts wider than the printed page"
    assert overlapping == [], "texts drawn over each other on the printed page"
    assert all(t["cut"] <= 0 for t in tables), "a table's rows cut off in print"
    assert first_page == 1  # every committee report opens on its first page
    pdf = print_pdf(path, tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    # A4 is 210 × 297 mm = 595.3 × 841.9 points; every page of the PDF has that size
    sizes = {tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert sizes == {(0, 0, 595, 842)}
