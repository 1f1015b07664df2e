"""Executed notebook -> self-contained HTML report that renders offline.

The report has JupyterLab's look, no code (inputs and prompts hidden), plotly.js
once in the page head (only when the notebook holds plotly figures) and no
request to any other host: the ``pa_report`` template (package data under
``partner_analytics/batch/templates/``) removes the require.js, MathJax, mermaid and
widget scripts that nbconvert's lab template asks from CDNs. Its ``<html lang>`` is the
report's language (the notebook's ``language`` parameter), so a browser, a screen reader
and the PDF print hyphenate and read it in that language.

Building an ``HTMLExporter`` and compiling its template costs about a second, so
`ReportExporter` is meant to be built once per process and reused.
Files are written atomically: a temporary file in the target folder, then
``os.replace``; a failed export leaves the previous file (or none) in place.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partner_analytics.charts.display import (
    PLOTLY_MIMETYPE,
    figure_div_id,
    figure_html,
    figure_json,
    plotly_js,
)
from partner_analytics.core.atomic import write_atomic
from partner_analytics.views.language import checked_language

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "ReportExporter",
    "count_plotly_figures",
    "report_language",
    "with_figures_as_html",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "pa_report"
_FIGURE_MARKER = 'class="pa-plotly"'
_PLOTLY_JS_PLACEHOLDER = "/* partner_analytics: plotly.js goes here */"


def _outputs(nb: NotebookNode) -> list[dict[str, Any]]:
    return [
        out
        for cell in nb.cells
        if cell.get("cell_type") == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("display_data", "execute_result")
    ]


def count_plotly_figures(nb: NotebookNode) -> int:
    """Return how many outputs of the notebook are plotly figures."""
    return sum(
        1
        for out in _outputs(nb)
        if PLOTLY_MIMETYPE in out.get("data", {}) or _FIGURE_MARKER in _joined(out.get("data", {}).get("text/html", ""))
    )


def report_language(nb: NotebookNode) -> str:
    """The language a notebook was run in: its papermill parameter `language`, `en` when not given."""
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    return parameters.get("language") or "en"


def _joined(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def with_figures_as_html(nb: NotebookNode) -> NotebookNode:
    """Return the notebook where every plotly-only output also has an HTML form.

    Outputs published by plotly's own ``plotly_mimetype`` renderer (``fig.show()``
    in a kernel) carry only ``application/vnd.plotly.v1+json``, which nbconvert
    cannot show; they get the same ``text/html`` as `partner_analytics.charts.display.show`.
    The input is not modified (a copy is returned when anything changes).
    """
    needs_html = [
        out for out in _outputs(nb) if PLOTLY_MIMETYPE in out.get("data", {}) and "text/html" not in out.get("data", {})
    ]
    if not needs_html:
        return nb
    nb = copy.deepcopy(nb)
    rank = 0
    for out in _outputs(nb):
        data = out.get("data", {})
        if PLOTLY_MIMETYPE in data and "text/html" not in data:
            rank += 1
            fig = dict(data[PLOTLY_MIMETYPE])
            fig.pop("config", None)
            fig_json = figure_json(fig)
            data["text/html"] = figure_html(fig_json, figure_div_id(fig_json, 10_000 + rank))
    return nb


class ReportExporter:
    """Render executed notebooks to offline HTML reports; build once, reuse for many."""

    def __init__(self, *, code: bool = False) -> None:
        """`code`: show the cells' code (a consultant's notebook); a committee report shows none."""
        from nbconvert import HTMLExporter

        self._exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=not code,
            exclude_input_prompt=not code,
            exclude_output_prompt=not code,
        )

    def html(self, nb: NotebookNode, *, title: str | None = None, language: str | None = None) -> str:
        """Return the report's HTML for an executed notebook.

        `title` becomes the page title unless the notebook's metadata has one; `language` (`en`, `fr`) is
        the page's ``lang``, by default the notebook's papermill parameter `language`, else `en`.
        """
        self._exporter.language_code = checked_language(language or report_language(nb))
        nb = with_figures_as_html(nb)
        resources: dict[str, Any] = {"metadata": {"name": title or "Report"}}
        has_figures = count_plotly_figures(nb) > 0
        if has_figures:
            resources["plotly_js_placeholder"] = _PLOTLY_JS_PLACEHOLDER
        body, _ = self._exporter.from_notebook_node(nb, resources=resources)
        if has_figures:
            # The first occurrence is the template's, in <head>, before any cell output.
            body = body.replace(_PLOTLY_JS_PLACEHOLDER, plotly_js(), 1)
        return body

    def write(
        self,
        nb: NotebookNode,
        html_path: str | os.PathLike[str],
        *,
        title: str | None = None,
        language: str | None = None,
    ) -> Path:
        """Render the notebook and write the HTML atomically to `html_path`."""
        return write_atomic(html_path, self.html(nb, title=title, language=language))
