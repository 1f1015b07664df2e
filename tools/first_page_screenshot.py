"""A PNG of a report's first page (its title and summary), as headless Chromium draws it offline.

    python tools/first_page_screenshot.py reports/<engagement>/2026-Q3/strategic/rivage.html docs/first-page-en.png

The README shows the sample's strategic report so (docs/first-page-en.png, docs/first-page-fr.png: the
same report of a cycle run with `--language fr`). Needs the playwright package and /usr/bin/chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
WIDTH_PX = 1000


def first_page_png(report: Path, png: Path) -> Path:
    """Write the report's title and first page (`.pa-first-page`) as a PNG, nothing fetched from the network."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": WIDTH_PX, "height": 1400}, device_scale_factor=1)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        page.goto(report.resolve().as_uri(), wait_until="load")
        top = page.eval_on_selector("h1", "el => el.getBoundingClientRect().top + window.scrollY")
        box = page.eval_on_selector(
            ".pa-first-page", "el => { const r = el.getBoundingClientRect(); return r.bottom + window.scrollY; }"
        )
        page.screenshot(
            path=str(png),
            full_page=True,
            clip={"x": 0, "y": max(0, top - 16), "width": WIDTH_PX, "height": box - top + 32},
        )
        browser.close()
    return png


if __name__ == "__main__":
    print(first_page_png(Path(sys.argv[1]), Path(sys.argv[2])))
