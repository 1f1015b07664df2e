"""Time one re-estimation of every staffing interval of an engagement-sized table.

Run: .venv/bin/python bench/queueing.py [intervals]   (default 300 000)
Prints the median wall time and the median CPU time of the process over 15 runs, and the load
average of the machine (other work on the machine inflates the wall time).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from partner_analytics.whatif.queueing import erlang_a, erlang_c, interval_estimates, offered_load


def staffing_intervals(size: int, seed: int = 0) -> pl.DataFrame:
    """30-minute intervals with 2–60 average agents, load at 40–110 % of them."""
    rng = np.random.default_rng(seed)
    agents = rng.uniform(2.0, 60.0, size)
    aht_s = rng.uniform(120.0, 600.0, size)
    load = agents * rng.uniform(0.4, 1.1, size)
    return pl.DataFrame(
        {
            "contacts": np.round(load * 1800.0 / aht_s),
            "aht_s": aht_s,
            "agents": agents,
            "interval_minutes": np.full(size, 30),
            "answer_within_s": rng.choice([20.0, 60.0], size),
            "patience_s": rng.uniform(60.0, 300.0, size),
        }
    )


def medians_ms(run: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return 1000.0 * statistics.median(walls), 1000.0 * statistics.median(cpus)


def main(size: int) -> None:
    frame = staffing_intervals(size)
    columns = {name: frame[name].to_numpy() for name in frame.columns}
    load = offered_load(columns["contacts"], columns["aht_s"], columns["interval_minutes"])
    args = (load, columns["agents"], columns["aht_s"], columns["answer_within_s"])
    lazy = frame.lazy()
    runs: dict[str, Callable[[], object]] = {
        "erlang_c (numpy)": lambda: erlang_c(*args),
        "erlang_a (numpy)": lambda: erlang_a(*args, columns["patience_s"]),
        "interval_estimates, Erlang C (collect)": interval_estimates(lazy, answer_within_s="answer_within_s").collect,
        "interval_estimates, Erlang A (collect)": interval_estimates(
            lazy, answer_within_s="answer_within_s", patience_s="patience_s"
        ).collect,
    }
    print(f"{size} intervals, {np.mean(columns['agents'] <= load):.1%} overloaded")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for name, run in runs.items():
        wall, cpu = medians_ms(run)
        print(f"{name:40s} median wall {wall:7.1f} ms   cpu {cpu:7.1f} ms")
    print(f"load average after:  {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
