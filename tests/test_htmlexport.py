"""Offline HTML export and the display helper, on notebooks built in memory (no kernel)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from partner_analytics.batch.html_export import (
    ReportExporter,
    count_plotly_figures,
    with_figures_as_html,
)
from partner_analytics.charts.display import (
    PLOTLY_MIMETYPE,
    figure_div_id,
    figure_html,
    figure_json,
    figure_mimebundle,
    plotly_js,
)
from partner_analytics.core.atomic import write_atomic

CODE_MARKER = "SECRET_CODE_MARKER_42"
CDN_HOSTS = (
    "cdnjs",
    "unpkg.com",
    "jsdelivr",
    "cdn.plot.ly",
    "mathjax",
    "require.js",
    "googleapis",
)


def _figures() -> list[go.Figure]:
    return [
        go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"title": {"text": "Bars"}}),
        go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2]), layout={"title": {"text": "Line"}}),
        go.Figure(go.Pie(labels=["x", "y"], values=[2, 3]), layout={"title": {"text": "Pie"}}),
    ]


def _display(bundle: dict) -> nbformat.NotebookNode:
    return new_output("display_data", data=bundle, metadata={})


@pytest.fixture(scope="module")
def exporter() -> ReportExporter:
    return ReportExporter()


@pytest.fixture(scope="module")
def report_nb() -> tuple[nbformat.NotebookNode, list[str]]:
    """A notebook as `show(fig)` leaves it: three figures, a table, code and markdown."""
    ids = [figure_div_id(figure_json(fig), rank) for rank, fig in enumerate(_figures(), start=1)]
    outputs = [_display(figure_mimebundle(fig, div_id)) for fig, div_id in zip(_figures(), ids, strict=True)]
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Heading of the report"),
            new_code_cell(f"{CODE_MARKER} = 1\nshow(fig)", outputs=outputs[:2]),
            new_code_cell(
                "print(table)",
                outputs=[new_output("stream", name="stdout", text="| kpi | value |\n| aht | 240 |\n")],
            ),
            new_code_cell("show(fig3)", outputs=outputs[2:]),
        ],
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
        },
    )
    return nb, ids


def _without_bundle(html: str) -> str:
    bundle = plotly_js()
    assert html.count(bundle) == 1
    return html.replace(bundle, "")


def test_report_has_each_figure_once_and_plotly_js_once(exporter, report_nb):
    nb, ids = report_nb
    html = exporter.html(nb, title="operational / northcall")
    for div_id in ids:
        assert len(re.findall(rf'<div [^>]*id="{div_id}"', html)) == 1
    assert html.count('class="pa-plotly"') == 3
    assert html.count(plotly_js()) == 1
    assert html.count("plotly.js v") == 1  # the bundle's licence header
    assert "<title>operational / northcall</title>" in html
    assert "| aht | 240 |" in html
    assert "Heading of the report" in html


def test_report_requests_nothing_from_other_hosts(exporter, report_nb):
    nb, _ = report_nb
    html = _without_bundle(exporter.html(nb))
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)
    for host in CDN_HOSTS:
        assert host not in html.lower(), host


def test_report_hides_code(exporter, report_nb):
    nb, _ = report_nb
    html = exporter.html(nb)
    assert CODE_MARKER not in html
    assert not re.search(r'class="[^"]*jp-InputArea-editor', html)
    code_cells = re.findall(r'<div class="(jp-Cell jp-CodeCell[^"]*)"', html)
    assert len(code_cells) == 3
    assert all("jp-mod-noInput" in classes for classes in code_cells)
    assert "In&nbsp;[" not in html


def test_export_is_deterministic(exporter, report_nb):
    nb, _ = report_nb
    assert exporter.html(nb, title="t") == exporter.html(nb, title="t")


def test_notebook_without_figures_gets_no_plotly_js(exporter):
    nb = new_notebook(cells=[new_markdown_cell("# Only text")])
    html = exporter.html(nb)
    assert count_plotly_figures(nb) == 0
    assert "plotly.js v" not in html
    assert "Only text" in html


def test_plotly_mimetype_only_output_is_drawn(exporter):
    """`fig.show()` with plotly's default kernel renderer leaves only the plotly JSON."""
    fig = _figures()[1]
    fig_dict = json.loads(figure_json(fig))
    nb = new_notebook(cells=[new_code_cell("fig.show()", outputs=[_display({PLOTLY_MIMETYPE: fig_dict})])])
    converted = with_figures_as_html(nb)
    assert "text/html" not in nb.cells[0].outputs[0].data  # the input is left alone
    assert "text/html" in converted.cells[0].outputs[0].data
    html = exporter.html(nb)
    assert html.count('class="pa-plotly"') == 1
    assert html.count(plotly_js()) == 1


def test_figure_html_escapes_script_breakouts():
    title = "</script><script>alert('x')</script> & <b>"
    fig = go.Figure(go.Bar(x=[1], y=[2]), layout={"title": {"text": title}})
    html = figure_html(figure_json(fig), "pa-fig-1-x")
    assert html.count("</script>") == 1  # only the element's own closing tag
    embedded = re.search(r"var fig = (\{.*\});\n", html).group(1)
    assert json.loads(embedded)["layout"]["title"]["text"] == title


def test_mimebundle_carries_the_figure_for_jupyterlab_and_html():
    fig = _figures()[0]
    bundle = figure_mimebundle(fig, "pa-fig-1-abc")
    assert bundle[PLOTLY_MIMETYPE]["data"][0]["y"] == [1, 2]
    assert bundle[PLOTLY_MIMETYPE]["config"]["displaylogo"] is False
    assert '<div id="pa-fig-1-abc"' in bundle["text/html"]
    assert bundle["text/html"].count("pa-fig-1-abc") == 2  # the div and the script that fills it
    assert bundle["text/plain"] == "<Figure: Bars, 1 trace(s)>"


def test_figure_dicts_with_arrays_and_nan_become_plain_json():
    import numpy as np

    fig_json = figure_json({"data": [{"type": "bar", "y": np.array([1.5, np.nan])}], "layout": {}})
    assert json.loads(fig_json) == {
        "data": [{"type": "bar", "y": [1.5, None]}],
        "layout": {},
    }


def test_div_ids_are_stable_and_distinct():
    a, b = (figure_json(fig) for fig in _figures()[:2])
    assert figure_div_id(a, 1) == figure_div_id(a, 1)
    assert figure_div_id(a, 1) != figure_div_id(a, 2)
    assert figure_div_id(a, 1) != figure_div_id(b, 1)
    assert re.fullmatch(r"pa-fig-1-[0-9a-f]{10}", figure_div_id(a, 1))


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "deep" / "report.html"
    write_atomic(target, "first")
    write_atomic(target, "second ünïcode")
    assert target.read_text(encoding="utf-8") == "second ünïcode"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_write_atomic_leaves_old_file_when_replace_fails(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("previous report")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new report")
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_failed_export_leaves_no_file(exporter, tmp_path):
    """A notebook the template cannot render: nothing is written, no temp file is left."""
    nb = new_notebook(cells=[new_code_cell("x", outputs=[_display({"text/html": "<p>ok</p>"})])])
    nb.cells[0].outputs[0]["data"] = ["not", "a", "mimebundle"]
    with pytest.raises(AttributeError):
        exporter.write(nb, tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "report.html").write_text("previous report")
    with pytest.raises(AttributeError):
        exporter.write(nb, tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_template_is_package_data():
    from partner_analytics.batch.html_export import TEMPLATE_NAME, TEMPLATES_DIR

    conf = json.loads((TEMPLATES_DIR / TEMPLATE_NAME / "conf.json").read_text())
    assert conf["base_template"] == "lab"
    assert (TEMPLATES_DIR / TEMPLATE_NAME / "index.html.j2").is_file()
    assert Path(TEMPLATES_DIR).parent.name == "batch"


def test_the_page_says_the_report_s_language(exporter):
    # the language given, else the notebook's papermill parameter `language` (as a cycle runs it), else English;
    # one exporter writes reports of either language one after the other
    nb = new_notebook(cells=[new_markdown_cell("Résultats du mois")])
    assert '<html lang="en">' in exporter.html(nb)
    assert '<html lang="fr">' in exporter.html(nb, language="fr")
    nb.metadata["papermill"] = {"parameters": {"engagement": "", "language": "fr"}}
    assert '<html lang="fr">' in exporter.html(nb)
    assert '<html lang="en">' in exporter.html(nb, language="en")
    nb.metadata["papermill"] = {"parameters": {"language": ""}}  # empty: the contract's, unknown here
    assert '<html lang="en">' in exporter.html(nb)
    with pytest.raises(ValueError, match="language 'de': expected one of en, fr"):
        exporter.html(nb, language="de")
