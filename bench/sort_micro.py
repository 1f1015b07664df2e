"""What the FCR sort costs, by formulation, on contacts already validated and held in memory.

    python bench/sort_micro.py ENGAGEMENT [--repeat 5]

In one process: the engagement's contacts are loaded and validated once (in memory), then each
formulation of the per-contact FCR flags is timed `--repeat` times with the in-memory engine and
its *minimum* is reported (the minimum is the least disturbed by other processes on the machine).
Every formulation is checked to give the same flags as the toolkit's `metrics.fcr.with_fcr_flags`.
`--keys` times instead the sort permutation alone, by (customer_id, instant) against (64-bit hash of
customer_id, instant).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

import partner_analytics as pa
from partner_analytics.metrics import fcr
from partner_analytics.metrics.contact_kpis import month_of

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import table

FLAGS = ("fcr_resolved", "fcr_counted", "fcr_cut")


def _flags_from_sorted(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The toolkit's FCR flags (`fcr.fcr_flags`) on a frame already sorted by (customer_id, __t)."""
    return fcr.fcr_flags(frame, pl.col("__t").max())


def toolkit(contacts: pl.DataFrame) -> pl.DataFrame:
    """The toolkit's: every column sorted by (customer_id, instant)."""
    return fcr.with_fcr_flags(contacts.lazy()).collect(engine="in-memory")


def narrow_then_back(contacts: pl.DataFrame) -> pl.DataFrame:
    """Sort only (row, customer, instant, answered); put the flags back in row order; glue them on."""
    narrow = contacts.lazy().select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("__i"),
        "customer_id",
        pl.col("arrived_at").dt.epoch("us").alias("__t"),
        "answered",
    )
    flags = _flags_from_sorted(narrow.sort("customer_id", "__t", nulls_last=True)).select("__i", *FLAGS)
    back = flags.sort("__i").select(FLAGS).collect(engine="in-memory")
    return contacts.hstack(back)


def narrow_grouped(contacts: pl.DataFrame) -> pl.DataFrame:
    """Sort only the FCR inputs with the group keys, and aggregate FCR per partner × channel × month there."""
    narrow = contacts.lazy().select(
        "partner_id",
        "channel",
        month_of(pl.col("arrived_at")).alias("month"),
        "customer_id",
        pl.col("arrived_at").dt.epoch("us").alias("__t"),
        "answered",
    )
    return _flags_from_sorted(narrow.sort("customer_id", "__t", nulls_last=True)).collect(engine="in-memory")


def time_first(contacts: pl.DataFrame) -> pl.DataFrame:
    """Sort by instant, then a stable sort by customer only (two single-key sorts instead of one on two keys)."""
    timed = contacts.lazy().with_columns(pl.col("arrived_at").dt.epoch("us").alias("__t"))
    ordered = timed.sort("__t").sort("customer_id", nulls_last=True, maintain_order=True)
    return _flags_from_sorted(ordered).drop("__t").collect(engine="in-memory")


FORMULATIONS = {
    "toolkit": toolkit,
    "narrow_then_back": narrow_then_back,
    "narrow_grouped": narrow_grouped,
    "time_first": time_first,
}


def _sums(frame: pl.DataFrame) -> pl.DataFrame:
    keys = ["partner_id", "channel"]
    if "month" not in frame.columns:
        frame = frame.with_columns(month_of(pl.col("arrived_at")).alias("month"))
    return frame.group_by(*keys, "month").agg(pl.col(c).sum() for c in FLAGS).sort(*keys, "month")


def key_sorts(contacts: pl.DataFrame, repeat: int) -> None:
    """The permutation of the FCR sort alone, text key against hashed key."""
    keyed = contacts.select(
        "customer_id",
        pl.col("customer_id").hash().alias("__h"),
        pl.col("arrived_at").dt.epoch("us").alias("__t"),
    )
    rows = []
    for name, expr in (
        ("arg_sort_by(customer_id, t)", pl.arg_sort_by("customer_id", "__t")),
        ("arg_sort_by(hash, t)", pl.arg_sort_by("__h", "__t")),
    ):
        seconds = []
        for _ in range(repeat):
            start = time.perf_counter()
            keyed.select(expr)
            seconds.append(time.perf_counter() - start)
        rows.append([name, f"{min(seconds):.2f}", f"{sorted(seconds)[len(seconds) // 2]:.2f}"])
    print(table(rows, ["sort", "min s", "median s"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engagement", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default=",".join(FORMULATIONS))
    parser.add_argument("--keys", action="store_true", help="time the sort permutation alone, by key")
    args = parser.parse_args()
    eng = pa.load(args.engagement)
    contacts = eng.contacts.select(
        "partner_id", "channel", "arrived_at", "answered", "wait_s", "handle_s", "customer_id", "csat"
    ).collect()
    print(f"{contacts.height:,} contacts validated and in memory ({contacts.estimated_size() / 1e6:,.0f} MB)")
    if args.keys:
        key_sorts(contacts, args.repeat)
        return
    reference = None
    rows = []
    for name in args.only.split(","):
        seconds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            out = FORMULATIONS[name](contacts)
            seconds.append(time.perf_counter() - start)
        sums = _sums(out)
        reference = sums if reference is None else reference
        rows.append([name, f"{min(seconds):.2f}", f"{sorted(seconds)[len(seconds) // 2]:.2f}", sums.equals(reference)])
        print(rows[-1], flush=True)
        del out
    print(table(rows, ["formulation", "min s", "median s", "same FCR sums"]))


if __name__ == "__main__":
    main()
