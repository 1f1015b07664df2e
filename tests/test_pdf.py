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


def _report(path: Path, title: str, pages: int) -> Path:
    """A small report of `pages` A4 pages (the reports' print stylesheet sets A4)."""
    body = "".join(f'<h1 style="break-before: page">{title}, page {n}</h1>' for n in range(1, pages + 1))
    head = f"<title>{title}</title><style>@page {{ size: A4 }}</style>"
    path.write_text(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
    return path


@pytest.mark.skipif(pdf.chromium() is None, reason="no Chromium: `apt-get install chromium` to print PDFs")
def test_a_pack_is_a_cover_contents_and_its_reports_numbered_across_the_pack(tmp_path) -> None:
    import datetime as dt

    from pypdf import PdfReader

    from partner_analytics.batch.packs import Pack, PackPart, print_pack

    parts = []
    for name, title, pages in (("s", "Strategic committee 2026-Q3", 3), ("o", "Operational committee 2026-09", 2)):
        printed = pdf.print_pdf(_report(tmp_path / f"{name}.html", title, pages), tmp_path / f"{name}.pdf")
        parts.append(PackPart(title, printed))
    pack = Pack("Volta (Énergie)", "Rivage", "2026-Q3", tuple(parts), tmp_path / "packs" / "rivage.pdf")
    assert print_pack(pack, dt.date(2026, 10, 5)) == 2 + 3 + 2
    reader = PdfReader(pack.path)
    text = [page.extract_text() for page in reader.pages]
    assert "5 Oct 2026" in text[0] and "for the committee of Volta (Énergie) and Rivage" in text[0]
    # the contents give where each report begins: after the cover and the contents, page 3, then 3 + 3
    assert "Strategic committee 2026-Q3 3" in text[1] and "Operational committee 2026-09 6" in text[1]
    assert "Operational committee 2026-09, page 1" in text[5]
    # every page says the pack and its number across the pack
    for number, page in enumerate(text, start=1):
        assert f"Committee pack Q3 2026 — Rivage · page {number} / 7" in page
    # the outline (bookmarks) opens each report at its first page
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        ("Strategic committee 2026-Q3", 2),
        ("Operational committee 2026-09", 5),
    ]
    assert {tuple(round(float(v)) for v in page.mediabox) for page in reader.pages} == {(0, 0, 595, 842)}
    assert sorted(p.name for p in pack.path.parent.iterdir()) == ["rivage.pdf"]  # no temporary file left


def test_a_pack_without_a_reports_pdf_is_refused_and_not_written(tmp_path) -> None:
    import datetime as dt

    from partner_analytics.batch.packs import Pack, PackPart, print_pack

    pack = Pack("Volta", None, "2026-Q3", (PackPart("Programme overview", tmp_path / "none.pdf"),), tmp_path / "p.pdf")
    with pytest.raises(pdf.PdfError, match="none.pdf has no PDF to put in the pack"):
        print_pack(pack, dt.date(2026, 10, 5))
    assert not pack.path.exists() and pack.title == "Programme pack Q3 2026"
