"""Show plotly figures in notebooks so that they survive export to offline HTML.

`show(fig)` publishes one output with two representations:

- ``application/vnd.plotly.v1+json``: the figure itself, drawn by JupyterLab's and
  Voilà's plotly renderer (and safe in an untrusted notebook);
- ``text/html``: a ``<div>`` and a small script that draws the figure with a
  page-level ``Plotly``. nbconvert keeps this one; the report exporter
  (`partner_analytics.batch.html_export`) puts plotly.js once in the page head: the
  partial bundle of `plotly_js`, which keeps a report under 2 MB.

Why not ``fig.show()``: plotly's default renderer in a kernel publishes only the
plotly mimetype, which nbconvert drops (no chart in the HTML); its ``notebook``
renderer embeds plotly.js in the notebook and asks a CDN for MathJax; and going
through plotly's renderer machinery imports nbformat (and with it jsonschema),
which costs seconds per kernel. This module only imports ``json`` and
``hashlib`` (and the report's language, `views.language`); IPython is imported when a figure is shown.

A figure is drawn in the report's language: plotly.js's locale (`config.locale`, the French locale of
``plotly.js-locales`` is bundled beside plotly.js) names months and days, the layout's separators
(`layout.report_layout`) write numbers.

Division ids are derived from the figure's content and its rank in the kernel
session (``pa-fig-<rank>-<hash>``), so the same notebook run on the same data
produces the same HTML, byte for byte.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import itertools
import json
from functools import cache
from typing import Any, Protocol

from ..views.language import _, current_language

__all__ = [
    "BUNDLED_TRACES",
    "PLOTLY_CONFIG",
    "PLOTLY_MIMETYPE",
    "FigureLike",
    "figure_config",
    "figure_div_id",
    "figure_html",
    "figure_json",
    "figure_mimebundle",
    "plotly_js",
    "show",
]

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"

#: plotly.js configuration used for every figure: resize with the page, no logo link.
PLOTLY_CONFIG: dict[str, Any] = {"responsive": True, "displaylogo": False}

_DEFAULT_HEIGHT_PX = 525
_shown = itertools.count(1)

# Characters that must not appear raw in JSON placed inside an HTML <script>.
_SCRIPT_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


class FigureLike(Protocol):
    """Anything with plotly's ``to_json`` (``go.Figure``, ``go.FigureWidget``)."""

    def to_json(self, *args: Any, **kwargs: Any) -> str: ...


def figure_json(fig: FigureLike | dict[str, Any] | str) -> str:
    """Return the figure as compact plotly JSON (``{"data": ..., "layout": ...}``)."""
    if isinstance(fig, str):
        return fig
    if isinstance(fig, dict):
        from plotly.io.json import to_json_plotly  # numpy arrays, NaN -> null, dates

        return to_json_plotly(fig, pretty=False)
    return fig.to_json(validate=False, pretty=False)


def figure_div_id(fig_json: str, rank: int) -> str:
    """Return a stable HTML id for the `rank`-th figure with this JSON."""
    digest = hashlib.sha1(fig_json.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    return f"pa-fig-{rank}-{digest}"


def _size_style(layout: dict[str, Any]) -> str:
    height = layout.get("height") or _DEFAULT_HEIGHT_PX
    width = layout.get("width")
    width_css = f"{width}px" if width else "100%"
    return f"height:{height}px; width:{width_css};"


def figure_config() -> dict[str, Any]:
    """plotly.js's configuration of a figure: `PLOTLY_CONFIG` in the report's language (plotly's locale)."""
    return {**PLOTLY_CONFIG, "locale": current_language()}


def figure_html(fig_json: str, div_id: str) -> str:
    """Return a ``<div>`` + ``<script>`` that draws the figure with a page-level ``Plotly``.

    The script draws nothing but a short notice when plotly.js is missing from the
    page, rather than failing with a console error only.
    """
    fig = json.loads(fig_json)
    embedded = json.dumps(
        {
            "data": fig.get("data", []),
            "layout": fig.get("layout", {}),
            "config": figure_config(),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).translate(_SCRIPT_ESCAPES)
    style = _size_style(fig.get("layout", {}))
    return (
        f'<div id="{div_id}" class="pa-plotly" style="{style}"></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f'  var el = document.getElementById("{div_id}");\n'
        "  if (!el) { return; }\n"
        '  if (typeof window.Plotly === "undefined") {\n'
        "    el.textContent = " + json.dumps(_("Chart not drawn: plotly.js is not loaded on this page.")) + ";\n"
        "    return;\n"
        "  }\n"
        f"  var fig = {embedded};\n"
        "  window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);\n"
        "})();\n"
        "</script>"
    )


def _plain_text(fig: dict[str, Any]) -> str:
    title = fig.get("layout", {}).get("title")
    text = title.get("text") if isinstance(title, dict) else title
    n_traces = len(fig.get("data", []))
    return f"<Figure: {text or 'untitled'}, {n_traces} trace(s)>"


def figure_mimebundle(fig: FigureLike | dict[str, Any] | str, div_id: str) -> dict[str, Any]:
    """Return the display bundle for one figure (plotly JSON, HTML and plain text)."""
    fig_json = figure_json(fig)
    fig_dict = json.loads(fig_json)
    return {
        PLOTLY_MIMETYPE: {**fig_dict, "config": figure_config()},
        "text/html": figure_html(fig_json, div_id),
        "text/plain": _plain_text(fig_dict),
    }


def show(fig: FigureLike | dict[str, Any] | str, *, div_id: str | None = None) -> None:
    """Display a plotly figure in the current notebook (see the module docstring)."""
    from IPython.display import display

    fig_json = figure_json(fig)
    bundle = figure_mimebundle(fig_json, div_id or figure_div_id(fig_json, next(_shown)))
    display(bundle, raw=True)


#: The trace types the reports' bundle of plotly.js holds (`tools/plotly_bundle/entry.js` registers them).
BUNDLED_TRACES = frozenset({"scatter", "bar", "waterfall", "table"})


@cache
def plotly_js() -> str:
    """Return the reports' plotly.js: a partial bundle (1.2 MB rather than plotly's full 4.8 MB) holding only
    `BUNDLED_TRACES`, of the same plotly.js version as the installed plotly, shipped in this package, then
    plotly's French locale registered (`config.locale: "fr"` draws a figure in French)."""
    vendor = importlib.resources.files(__package__) / "vendor"
    return "\n".join(
        (vendor / name).read_text(encoding="utf-8") for name in ("plotly-reports.min.js", "plotly-locale-fr.min.js")
    )
