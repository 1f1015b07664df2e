"""Latency of the what-if web app as a user sees it: from a slider's last key press to the figure
redrawn in the browser (`partner-analytics what-if`, Voilà on 127.0.0.1, headless Chromium).

Run: .venv/bin/python bench/what_if_browser.py [ENGAGEMENT] [--repeat N]

Each measurement presses → once on a slider's handle (one step: the slider then rests) and times,
with the page's own clock, from that key press until the figure's data have changed (checked every
frame) and the next frame is painted: the debounce (0.1 s), the comm round trip, the engine, the
figure's update and its drawing. Every press moves to a new value, so no cache answers. Measured
for a term (the at-risk share: the contract chain only) and an operations change (the voice
staffing: the queueing model on that partner × channel's intervals). Prints the median and 95th
percentile in ms and the load average (other work on the machine inflates the times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright

from partner_analytics.core.paths import SAMPLE_ENGAGEMENT
from partner_analytics.whatif.webapp import free_port

CHROMIUM = os.environ.get("PA_CHROMIUM", "/usr/bin/chromium")
PLOT = "document.querySelector('.pa-what-if .js-plotly-plot')"
SLIDERS = (("term: at-risk share", "At-risk share"), ("operations: voice staffing", "voice staffing"))
# Arms a watch on the slider named `label`: from its handle's next key press (the user's, sent by
# playwright) until the figure's data change and a frame is painted; `window.paLatency` resolves to it.
WATCH = f"""(label) => {{
    const plot = {PLOT};
    const shown = () => JSON.stringify(plot.data.map(trace => Array.from(trace.y || [])));
    const slider = Array.from(document.querySelectorAll('.widget-hslider')).find(e => e.innerText.includes(label));
    const handle = slider.querySelector('.noUi-handle');
    const before = shown();
    window.paLatency = new Promise(resolve => {{
        handle.addEventListener('keydown', async () => {{
            const start = performance.now();
            while (shown() === before) {{
                if (performance.now() - start > 60000) return resolve(null);
                await new Promise(r => requestAnimationFrame(r));
            }}
            await new Promise(r => requestAnimationFrame(r));
            resolve(performance.now() - start);
        }}, {{once: true}});
    }});
    handle.focus();
}}"""


def served(url: str, process: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the app stopped (status {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the app did not answer on {url} within {timeout_s} s")


def press(page, label: str) -> float | None:
    """One → on the slider's handle; ms until the figure changed on screen (None: no change in 60 s)."""
    page.evaluate(WATCH, label)
    page.keyboard.press("ArrowRight")
    return page.evaluate("() => window.paLatency")


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engagement", nargs="?", default=str(SAMPLE_ENGAGEMENT))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as folder:
        command = [sys.executable, "-m", "partner_analytics.cli", "what-if", "--engagement", args.engagement]
        command += ["--port", str(port), "--scenarios", folder]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            served(url, process)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(url, timeout=300_000)
                page.wait_for_function(f"() => {PLOT} && {PLOT}.data && {PLOT}.data[3].y.length > 0", timeout=300_000)
                print(f"load average before: {os.getloadavg()[0]:.2f}")
                for name, label in SLIDERS:
                    times = [press(page, label) for _ in range(args.repeat + 1)][1:]  # the first warms the caches
                    times = [t for t in times if t is not None]
                    median, p95 = percentiles(times)
                    print(f"{name:28s} slider rests → figure drawn: median {median:6.1f} ms   p95 {p95:6.1f} ms")
                print(f"load average after:  {os.getloadavg()[0]:.2f}")
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
