"""The reports as PDF: without Chromium, HTML only and a sentence that says how to get PDFs; a failed print
leaves no PDF. Printing with Chromium is tested in test_cycle_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from partner_analytics.batch import pdf


def test_without_chromium_no_pdf_and_the_error_says_how_to_get_one(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "_FALLBACK", tmp_path / "no-chromium")
    assert pdf.chromium() is None
    html = tmp_path / "report.html"
    html.write_text("<html></html>")
    with pytest.raises(pdf.PdfError, match="apt-get install chromium"):
        pdf.print_pdf(html, tmp_path / "report.pdf")
    assert not (tmp_path / "report.pdf").exists()


def test_a_browser_that_fails_leaves_no_pdf_and_names_the_report(tmp_path) -> None:
    html = tmp_path / "report.html"
    html.write_text("<html></html>")
    with pytest.raises(pdf.PdfError, match="report.html: Chromium could not print it"):
        pdf.print_pdf(html, tmp_path / "report.pdf", browser=Path("/bin/false"))
    assert list(tmp_path.iterdir()) == [html]
