"""Latency of one what-if update on an engagement (default: the sample).

Run: .venv/bin/python bench/what_if.py [ENGAGEMENT] [--repeat N]

Measures, after the engine is set up (results, and the queueing inputs on the first operations
change), the wall time of one update, each with new values so that no cache answers it:

- term change: a service level's target (the engine's `compare` for one partner, and the app's whole
  update: compute, figure, delta table);
- operations change, one channel: the voice staffing of one partner (the queueing model on that
  partner × channel's intervals);
- operations change, every interval: the staffing of every partner × channel at once (the queueing
  model over every staffing interval of the engagement, every partner's tables).

Prints the median and 95th percentile in ms, the median CPU time of the process, and the load
average (other work on the machine inflates wall times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from partner_analytics.core.paths import SAMPLE_ENGAGEMENT
from partner_analytics.io.engagement import load
from partner_analytics.whatif.app import WhatIfApp
from partner_analytics.whatif.engine import WhatIf
from partner_analytics.whatif.scenario import parse_scenario


def timed(run: Callable[[int], object], repeat: int) -> tuple[float, float, float]:
    """Median and p95 wall time, median CPU time (ms) of `run(i)` for i = 1..repeat."""
    walls, cpus = [], []
    for i in range(1, repeat + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        run(i)
        walls.append(1000 * (time.perf_counter() - wall))
        cpus.append(1000 * (time.process_time() - cpu))
    walls.sort()
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    return statistics.median(walls), p95, statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engagement", nargs="?", default=str(SAMPLE_ENGAGEMENT))
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    started = time.perf_counter()
    engagement = load(Path(args.engagement)).collected()
    engine = WhatIf(engagement)
    setup = time.perf_counter() - started
    partner = engine.contract.partners[0]
    key = partner.service_levels[0].key
    target = partner.service_levels[0].target
    started = time.perf_counter()
    intervals = engine.intervals
    for pid, channel in intervals:
        engine.modelled(pid, channel)
    prepared = time.perf_counter() - started
    app = WhatIfApp(engine, partner.id, debounce_s=0)
    print(
        f"{engagement.path}: {sum(f.height for f in intervals.values()):,} staffing intervals "
        f"({len(intervals)} partner × channel); load and results {setup:.2f} s, "
        f"queueing inputs and baseline model {prepared:.2f} s"
    )

    def term(i: int) -> object:
        change = {"target": round(target + 0.001 + (i % 20) * 0.001, 3)}
        return engine.compare(parse_scenario({"partners": {partner.id: {"terms": {"service_levels": {key: change}}}}}))

    def app_term(i: int) -> None:
        app.controls["target"].value = round((target + 0.005 * (1 + i % 20)) * 100, 1)  # percent, on the step

    def one_channel(i: int) -> object:
        ops = {"voice": {"staffing_change": -0.2 + i / 1000}}
        return engine.compare(parse_scenario({"partners": {partner.id: {"operations": ops}}}))

    def every_interval(i: int) -> object:
        partners = {}
        for pid, channel in intervals:
            partners.setdefault(pid, {"operations": {}})["operations"][channel] = {"staffing_change": 0.2 - i / 1000}
        return engine.compare(parse_scenario({"partners": partners}))

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for name, run in (
        ("term change (engine, one partner)", term),
        ("term change (app: compute, figure, table)", app_term),
        ("operations, one channel (engine)", one_channel),
        ("operations, every interval (engine, all partners)", every_interval),
    ):
        median, p95, cpu = timed(run, args.repeat)
        print(f"{name:52s} median {median:6.1f} ms   p95 {p95:6.1f} ms   cpu {cpu:6.1f} ms")
    print(f"load average after:  {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
