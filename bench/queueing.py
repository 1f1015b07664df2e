"""Time one re-estimation of every staffing interval of an engagement-sized table.

Run: .venv/bin/python bench/queueing.py [intervals]   (default 300 000; prints medians in ms)
"""

from __future__ import annotations

import statistics
import sys
import timeit

import numpy as np
import polars as pl

from partner_analytics.queueing import erlang_a, erlang_c, interval_estimates, offered_load


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


def median_ms(statement, repeat: int = 15) -> float:
    return 1000.0 * statistics.median(timeit.repeat(statement, number=1, repeat=repeat))


def main(size: int) -> None:
    frame = staffing_intervals(size)
    columns = {name: frame[name].to_numpy() for name in frame.columns}
    load = offered_load(columns["contacts"], columns["aht_s"], columns["interval_minutes"])
    args = (load, columns["agents"], columns["aht_s"], columns["answer_within_s"])
    lazy = frame.lazy()
    print(f"{size} intervals, {np.mean(columns['agents'] <= load):.1%} overloaded")
    print(f"erlang_c (numpy)            median {median_ms(lambda: erlang_c(*args)):7.1f} ms")
    print(f"erlang_a (numpy)            median {median_ms(lambda: erlang_a(*args, columns['patience_s'])):7.1f} ms")
    for patience in (None, "patience_s"):
        model = "erlang_c" if patience is None else "erlang_a"
        plan = interval_estimates(lazy, answer_within_s="answer_within_s", patience_s=patience)
        ms = median_ms(plan.collect)
        print(f"interval_estimates {model} (polars collect) median {ms:7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
