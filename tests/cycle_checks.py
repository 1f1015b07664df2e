"""Checks shared by the cycle tests: a report file is complete HTML with its figures; a sample-like
engagement with other partner ids and names."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import yaml

from partner_analytics.charts.display import plotly_js


class _Collector(HTMLParser):
    """Collects the tags, links, figure divisions and visible text of a page (HTML parsers are lenient:
    the checks look at what it found)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.figures = 0
        self.text: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "script"):
            self._hidden.append(tag)
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if tag == "div" and "pa-plotly" in (attributes.get("class") or "").split():
            self.figures += 1

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def parsed(html_text: str) -> _Collector:
    collector = _Collector()
    collector.feed(html_text)
    collector.close()
    return collector


def figures_in_notebook(ipynb: Path) -> int:
    """How many plotly figures the executed notebook displays."""
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    return sum(
        1
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in out.get("data", {})
    )


def assert_complete_report(html_path: Path, text: str | None = None) -> None:
    """The report (or `text`, what it held earlier) is a whole HTML page: one plotly.js, every figure of
    its executed notebook, no code."""
    text = html_path.read_text(encoding="utf-8") if text is None else text
    assert text.lstrip().startswith("<!DOCTYPE html>"), html_path
    assert text.rstrip().endswith("</html>"), f"{html_path} is cut short"
    page = parsed(text.replace(plotly_js(), ""))
    assert {"html", "head", "body", "h1"} <= set(page.tags), html_path
    expected = figures_in_notebook(html_path.with_suffix(".ipynb"))
    assert expected > 0 and page.figures == expected, (html_path, page.figures, expected)
    assert text.count(plotly_js()) == 1, html_path
    assert "open_analysis(" not in text  # code hidden


def rewrite_partners(folder: Path, partners: dict[str, tuple[str, str]]) -> None:
    """Give the sample engagement in `folder` other partner ids and names: `partners` maps an id of the
    sample to (new id, new name). Every table and the contract are rewritten."""
    ids = {old: new for old, (new, _) in partners.items()}

    def new_bytes(data: bytes) -> bytes:
        for old, new in ids.items():
            data = re.sub(rb"\b" + old.encode() + rb"\b", new.encode(), data)
        return data

    for path in [*folder.glob("*.csv"), *folder.glob("exports/*.csv")]:
        path.write_bytes(new_bytes(path.read_bytes()))
    for path in folder.glob("*.parquet"):
        frame = pl.read_parquet(path)
        path.unlink()
        frame.with_columns(pl.col("partner_id").replace(ids)).write_parquet(path)
    contract_path = folder / "contract.yaml"
    contract = yaml.safe_load(contract_path.read_text(encoding="utf-8"))
    for partner in contract["partners"]:
        partner["id"], partner["name"] = partners[partner["id"]]
    intervals = contract.get("sources", {}).get("intervals")
    if intervals:  # the pairs its interval report covers, by partner id
        intervals["covers"] = {ids[old]: channels for old, channels in intervals["covers"].items()}
    contract_path.write_text(yaml.safe_dump(contract, sort_keys=False, allow_unicode=True), encoding="utf-8")
