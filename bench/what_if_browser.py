"""Latency of the what-if web app as a user sees it: from a slider's last key press to the figure
redrawn in the browser (`partner-analytics what-if`, Voilà on 127.0.0.1, headless Chromium).

Run: .venv/bin/python bench/what_if_browser.py [ENGAGEMENT] [--repeat N] [--startup-timeout S]

Each measurement presses → once on a slider's handle (one step: the slider then rests) and times,
with the page's own clock, from that key press until the figure's data have changed (checked every
frame) and the next frame is painted: the comm round trip, the engine, the figure's update and its
drawing (the sliders send their value when released or stepped by a key, computed at once). Every
press moves to a new value, so no cache answers. Measured
for a term (a service level's target: the contract chain only) and an operations change (the voice
staffing: the queueing model on that partner × channel's intervals). Prints the median and 95th
percentile in ms and the load average (other work on the machine inflates the times).

On a loaded machine the app takes minutes to start (Voilà, a kernel, the engagement's analysis): the
startup waits up to `--startup-timeout` seconds (default 900), and any failure ends with one line
saying what did not happen, with the end of the app's log. A move whose update is not seen within
60 s is counted as missed and said, never averaged in; three missed in a row stop the script with
the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from partner_analytics.core.paths import SAMPLE_ENGAGEMENT
from partner_analytics.whatif.webapp import free_port

CHROMIUM = os.environ.get("PA_CHROMIUM", "/usr/bin/chromium")
MISSED_IN_A_ROW = 3  # moves without a visible update after which the measurement stops
PLOT = "document.querySelector('.pa-what-if .js-plotly-plot')"
SLIDERS = (("term: service-level target", "Target (%)"), ("operations: voice staffing", "voice staffing"))
# Arms a watch on the slider named `label`: from its handle's next key press (the user's, sent by
# playwright) until the figure's data change and a frame is painted; `window.paLatency` resolves to it.
WATCH = f"""(label) => {{
    // the figure is looked up at every frame: an update may replace its element
    const shown = () => JSON.stringify(({PLOT}.data || []).map(trace => Array.from(trace.y || [])));
    const slider = Array.from(document.querySelectorAll('.widget-hslider')).find(e => e.innerText.includes(label));
    if (!slider) throw new Error('no slider labelled ' + label);
    const before = shown();
    window.paLatency = new Promise(resolve => {{
        // on the document, in the capture phase: before the slider's own handler, which may stop the event
        document.addEventListener('keydown', async () => {{
            const start = performance.now();
            while (shown() === before) {{
                if (performance.now() - start > 60000) return resolve(null);
                await new Promise(r => requestAnimationFrame(r));
            }}
            await new Promise(r => requestAnimationFrame(r));
            resolve(performance.now() - start);
        }}, {{once: true, capture: true}});
    }});
}}"""


# The slider's value and range (aria attributes of its handle), to choose which way to move it.
ROOM = """(label) => {
    const slider = Array.from(document.querySelectorAll('.widget-hslider')).find(e => e.innerText.includes(label));
    const h = slider.querySelector('.noUi-handle');
    return ['aria-valuenow', 'aria-valuemin', 'aria-valuemax'].map(a => +h.getAttribute(a));
}"""


def fail(message: str, log: Path | None = None) -> None:
    """Stop with one line saying what went wrong (and the end of the app's log)."""
    tail = ""
    if log is not None and log.is_file():
        tail = "\n--- the app's log ends with:\n" + log.read_text(errors="replace")[-2000:]
    sys.exit(f"error: {message}{tail}")


def served(url: str, process: subprocess.Popen, log: Path, timeout_s: float) -> float:
    """Seconds until the app answers on `url`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if process.poll() is not None:
            fail(f"the app stopped (status {process.returncode}) before answering on {url}", log)
        try:
            with urllib.request.urlopen(url, timeout=5):
                return time.monotonic() - start
        except OSError:
            time.sleep(0.5)
    fail(f"the app did not answer on {url} within {timeout_s:.0f} s (a loaded machine? raise --startup-timeout)", log)
    return timeout_s


def press(page, label: str, key: str) -> float | None:
    """One key press on the slider's handle; ms until the figure changed on screen (None: no change in 60 s)."""
    page.evaluate(WATCH, label)
    # the locator focuses the handle and sends the key to it, as the browser test does (a focus set from the
    # page's script does not reach noUiSlider's key handler in headless Chromium)
    page.locator(".widget-hslider", has_text=label).locator(".noUi-handle").press(key)
    return page.evaluate("() => window.paLatency")


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def measure(page, name: str, label: str, repeat: int) -> None:
    """`repeat` moves of one slider (after one that warms the caches), each to a value not seen before."""
    now, _low, high = page.evaluate(ROOM, label)
    # upwards (a target the app keeps at or above its minimum cannot go far down), unless at the top
    key = "ArrowRight" if now < high else "ArrowLeft"
    times: list[float | None] = []
    for _ in range(repeat + 1):
        times.append(press(page, label, key))
        if len(times) >= MISSED_IN_A_ROW and not any(times[-MISSED_IN_A_ROW:]):
            fail(
                f"{name}: no visible update within 60 s for {MISSED_IN_A_ROW} moves in a row "
                f"(load average {os.getloadavg()[0]:.2f})"
            )
    times = times[1:]  # the first warms the caches
    seen = [t for t in times if t is not None]
    if not seen:
        fail(f"{name}: no visible update within 60 s for any of {repeat} moves")
    median, p95 = percentiles(seen)
    missed = f"   ({repeat - len(seen)} of {repeat} moves missed)" if len(seen) < repeat else ""
    print(
        f"{name:28s} slider rests → figure drawn: median {median:6.1f} ms   p95 {p95:6.1f} ms   "
        f"over {len(seen)} moves{missed}",
        flush=True,
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the app's process group (the command passes it on to Voilà and its kernels)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engagement", nargs="?", default=str(SAMPLE_ENGAGEMENT))
    parser.add_argument("--repeat", type=int, default=20, help="moves per slider (at least 20)")
    parser.add_argument("--startup-timeout", type=float, default=900, help="seconds for the app and page to load")
    args = parser.parse_args()
    if args.repeat < 20:
        parser.error("--repeat: at least 20 moves, for a 95th percentile")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        fail(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PA_CHROMIUM)")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as folder:
        log = Path(folder) / "app.log"
        command = [sys.executable, "-m", "partner_analytics.cli", "what-if", "--engagement", args.engagement]
        command += ["--port", str(port), "--scenarios", str(Path(folder) / "scenarios")]
        with log.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            up = served(url, process, log, args.startup_timeout)
            print(f"app answering after {up:.1f} s; load average {os.getloadavg()[0]:.2f}", flush=True)
            timeout_ms = args.startup_timeout * 1000
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                start = time.monotonic()
                try:
                    page.goto(url, timeout=timeout_ms)
                    page.wait_for_function(
                        f"() => {PLOT} && {PLOT}.data && {PLOT}.data[3].y.length > 0", timeout=timeout_ms
                    )
                except PlaywrightError as e:
                    fail(f"the page did not show the figure within {args.startup_timeout:.0f} s: {e}", log)
                print(f"figure shown {time.monotonic() - start:.1f} s after the page was opened", flush=True)
                print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
                for name, label in SLIDERS:
                    measure(page, name, label, args.repeat)
                print(f"load average after:  {os.getloadavg()[0]:.2f}", flush=True)
                browser.close()
        finally:
            stop(process)


if __name__ == "__main__":
    main()
