"""A report's HTML printed to an A4 PDF by headless Chromium, offline.

Chromium lays the page out at the width of its window, and plotly draws each chart at the width it
finds: the window is given the printable width of an A4 page (210 mm less the report's print margins,
at 96 px per inch), so the charts and tables drawn on screen are those printed, nothing cut on the
right. The report's print stylesheet (`templates/pa_report`) sets the page, its margins and page
numbers, and keeps headings with what follows them. Without Chromium no PDF is written and
`PDF_HOWTO` says how to get one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..core.errors import PartnerAnalyticsError

__all__ = ["PDF_HOWTO", "PRINT_WIDTH_PX", "PdfError", "chromium", "print_pdf"]

#: A4 width less the print stylesheet's 12 mm margins, in CSS pixels: (210 − 2 × 12) mm × 96 / 25.4.
PRINT_WIDTH_PX = round((210 - 2 * 12) * 96 / 25.4)

PDF_HOWTO = (
    "no Chromium found (chromium or chromium-browser on the PATH, or /usr/bin/chromium): the reports are "
    "written as HTML only. Install it (Debian/Ubuntu: sudo apt-get install chromium) and run the cycle again "
    "to get each report as PDF too, and the committee packs."
)

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
_FALLBACK = Path("/usr/bin/chromium")


class PdfError(PartnerAnalyticsError):
    """Chromium could not print a report."""


def chromium() -> Path | None:
    """The Chromium executable to print with, or None when there is none."""
    for name in _CANDIDATES:
        if found := shutil.which(name):
            return Path(found)
    return _FALLBACK if _FALLBACK.exists() else None


def print_pdf(html_path: Path, pdf_path: Path, *, browser: Path | None = None, timeout_s: float = 120) -> Path:
    """Print `html_path` to `pdf_path` (written atomically), with the network cut: a report is self-contained."""
    browser = browser or chromium()
    if browser is None:
        raise PdfError(PDF_HOWTO)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    command = [
        str(browser),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",
        f"--window-size={PRINT_WIDTH_PX},1100",
        "--proxy-server=127.0.0.1:9",  # nothing from the network: a request fails instead of waiting
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=10000",  # let the charts' scripts finish before printing
        f"--print-to-pdf={tmp}",
        html_path.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        tmp.unlink(missing_ok=True)
        raise PdfError(f"{html_path}: Chromium did not print within {timeout_s:.0f} s") from None
    if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"{html_path}: Chromium could not print it (exit {done.returncode}): {last}")
    os.replace(tmp, pdf_path)
    return pdf_path
