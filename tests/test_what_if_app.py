"""The what-if web app in a real browser: `partner-analytics what-if` serves it with Voilà, headless
Chromium moves a slider, the figure and the delta table change, and the page logs no error."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from partner_analytics.whatif.webapp import free_port, parameterised_notebook

CHROMIUM = os.environ.get("PA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_the_served_notebook_gets_its_parameters_after_the_parameters_cell(tmp_path) -> None:
    path = parameterised_notebook(tmp_path, {"engagement": '/data/a "b"', "partner": "rivage"})
    cells = json.loads(path.read_text())["cells"]
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    injected = cells[index + 1]
    assert injected["metadata"]["tags"] == ["injected-parameters"]
    assert injected["source"] == 'engagement = "/data/a \\"b\\""\npartner = "rivage"\n'
    namespace: dict = {}
    exec("".join(cells[index]["source"]) + "\n" + injected["source"], namespace)
    assert namespace["engagement"] == '/data/a "b"' and namespace["partner"] == "rivage"


def _wait_until_served(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the what-if app stopped (status {process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the what-if app did not answer on {url} within {timeout_s} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the app's process group (the command passes it on to Voilà, which stops its kernels)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


_PLOT = "document.querySelector('.pa-what-if .js-plotly-plot')"


def _trace(page, i: int) -> str:
    return page.evaluate(f"() => JSON.stringify(Array.from({_PLOT}.data[{i}].y))")


def _kernels(process: subprocess.Popen) -> int:
    """The kernels the app's server runs (its ipykernel processes)."""
    psutil = pytest.importorskip("psutil")
    running = 0
    for child in psutil.Process(process.pid).children(recursive=True):
        try:  # a kernel shut down is a zombie until reaped: not running
            running += child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline())
        except psutil.Error:
            continue
    return running


_IN_VIEW = f"""() => {{
    const r = {_PLOT}.getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight / 2 && r.bottom > 0;
}}"""


_SHOWN = f"() => JSON.stringify({_PLOT}.data.map(t => Array.from(t.y || [])))"
# How far the page reaches beyond the window (px), and how much of the figure's height is in view (px).
_LAYOUT = f"""() => {{
    const app = document.querySelector('.pa-what-if').getBoundingClientRect();
    const wide = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth, app.right);
    const r = {_PLOT}.getBoundingClientRect();
    return [wide - window.innerWidth, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0)];
}}"""


def test_the_app_in_the_browser(sample_dir, tmp_path) -> None:
    """Move a slider, at 1280 and 800 px wide too (no horizontal overflow, the figure in view), enter a notice
    date day first (the results stay in view), switch partner (a stretch without a bonus is disabled with the
    reason), save a scenario, close the page (its kernel is shut down)."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PA_CHROMIUM): browser test skipped")
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "app.log"
    scenarios = tmp_path / "my scenarios"
    command = [sys.executable, "-m", "partner_analytics.cli", "what-if", "--engagement", str(sample_dir)]
    command += ["--port", str(port), "--scenarios", str(scenarios), "--cull-after", "15"]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_served(url, process, log)
        problems: list[str] = []
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.on(
                    "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
                page.goto(url, timeout=240_000)  # a loaded machine renders slowly
                page.wait_for_function(
                    f"() => {{ const el = {_PLOT}; return el && el.data && el.data[3].y && el.data[3].y.length > 0; }}",
                    timeout=120_000,
                )
                text = page.inner_text("body")
                assert "What if?" in text and "import" not in text and "what_if_app(" not in text  # no code shown
                assert "Target (%)" in text and "Minimum (%)" in text  # rates in percent, like every share
                before = [_trace(page, i) for i in range(8)]
                table = page.inner_text(".pa-delta")
                assert "Over the window" in table and before[2] == before[3]  # the baseline, twice

                slider = page.locator(".widget-hslider", has_text="voice volume")
                handle = slider.locator(".noUi-handle")
                handle.focus()
                for _ in range(10):  # +10 %, one step at a time: the app computes once, after the last
                    handle.press("ArrowRight")
                page.wait_for_function(
                    f"(old) => JSON.stringify(Array.from({_PLOT}.data[3].y)) !== old", arg=before[3], timeout=180_000
                )
                page.wait_for_function(
                    "(old) => document.querySelector('.pa-delta').innerText !== old", arg=table, timeout=30_000
                )
                page.wait_for_function("() => document.querySelector('.pa-busy').innerText.trim() === ''")
                after = [_trace(page, i) for i in range(8)]
                assert "10" in slider.inner_text()
                assert after[2] == before[2]  # the baseline service level stays
                scenario, baseline = json.loads(after[3]), json.loads(after[2])
                assert all(s <= b for s, b in zip(scenario, baseline, strict=True))  # more calls: lower service level
                assert any(s < b for s, b in zip(scenario, baseline, strict=True))
                assert "+" in page.inner_text(".pa-delta")  # charges up
                assert all(float(c) <= 0 for c in json.loads(after[7]))  # credits taken off the net

                # narrower screens: nothing wider than the window, the figure in view after a slider moves
                for width in (1280, 800):
                    page.set_viewport_size({"width": width, "height": 900})
                    handle = page.locator(".widget-hslider", has_text="Target (%)").locator(".noUi-handle")
                    handle.scroll_into_view_if_needed()
                    shown = page.evaluate(_SHOWN)
                    handle.focus()
                    handle.press("ArrowRight")
                    page.wait_for_function(f"(old) => ({_SHOWN})() !== old", arg=shown, timeout=180_000)
                    overflow, visible = page.evaluate(_LAYOUT)
                    assert overflow <= 0, f"{overflow}px of the page beyond a window {width}px wide"
                    assert visible >= 150, f"{visible}px of the figure in view at {width}px wide"
                page.set_viewport_size({"width": 1400, "height": 900})

                # a notice date, typed day first whatever the browser's language: the exit plan shows, the day
                # understood is said in words, and the results stay in view beside the controls
                page.locator(".pa-date input").fill("01/02/2027")
                page.locator(".pa-date input").press("Enter")
                page.wait_for_function("() => document.querySelector('.pa-exit') !== null", timeout=30_000)
                assert "1 Feb 2027" in page.inner_text(".pa-date")
                assert page.inner_text(".pa-exit").startswith("Notice on 1 Feb 2027 is ")
                page.locator(".pa-exit").scroll_into_view_if_needed()
                page.locator("button", has_text="Save scenario").scroll_into_view_if_needed()
                assert page.evaluate(_IN_VIEW), "the figure scrolled out of view"

                # another partner: rivage has no bonus, so its stretch is disabled with the reason
                page.locator(".widget-dropdown select").first.select_option("rivage")
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('.pa-reason')).some(e => e.innerText.includes('no bonus'))",
                    timeout=60_000,
                )
                stretch = page.locator(".widget-checkbox", has_text="Stretch (bonus)").locator("input")
                assert stretch.is_disabled()

                page.locator("button", has_text="Save scenario").click()
                page.wait_for_function("() => document.body.innerText.includes('Scenario saved to')", timeout=30_000)
                assert (scenarios / "what-if-rivage.yaml").is_file()
                assert not (sample_dir / "scenarios").exists()  # never inside the engagement
                # the open page's kernel runs (the readiness probe's own page may still hold one until culled)
                assert _kernels(process) >= 1
                page.close()
                deadline = time.monotonic() + 90
                while _kernels(process) and time.monotonic() < deadline:
                    time.sleep(0.5)
                assert _kernels(process) == 0, "the closed page's kernel is still running"
            finally:
                browser.close()
        assert problems == []
    finally:
        _stop(process)
