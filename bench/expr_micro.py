"""What single expressions of the loader and of the KPI path cost, in memory, on an engagement's contacts.

    python bench/expr_micro.py ENGAGEMENT [--repeat 3]

The contacts file is read once into memory; each expression is then evaluated `--repeat` times
(eager, in-memory engine) and its minimum is printed: time-zone conversions, the typing of text
columns, and the formulations of the duplicate `contact_id` check.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import table

TZ = "Europe/Paris"
TEXT = ("contact_id", "partner_id", "channel", "site_id", "queue", "customer_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engagement", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    raw = pl.read_parquet(args.engagement / "contacts.parquet").with_row_index("__row")
    aware = raw.select(pl.col("arrived_at").dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null"))
    at = pl.col("arrived_at")

    def blank_to_null(c: str) -> pl.Expr:
        text = pl.col(c).str.strip_chars()
        return pl.when(text == "").then(None).otherwise(text).alias(c)

    cases = {
        "localise naive local times (replace_time_zone)": lambda: raw.select(
            at.dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null")
        ),
        "month_of(zoned): dt.date().dt.truncate('1mo')": lambda: aware.select(at.dt.date().dt.truncate("1mo")),
        "month of the naive local time": lambda: raw.select(at.dt.date().dt.truncate("1mo")),
        "zoned instant to epoch µs": lambda: aware.select(at.dt.epoch("us")),
        "strip + blank to null, 6 text columns": lambda: raw.select(blank_to_null(c) for c in TEXT),
        "strip only, 6 text columns": lambda: raw.select(pl.col(c).str.strip_chars() for c in TEXT),
        "datetime, float, bool, int cast to text (the checks)": lambda: raw.select(
            pl.col(c).cast(pl.String).str.strip_chars() == "" for c in ("arrived_at", "wait_s", "answered", "csat")
        ),
        "duplicates: min(__row).over(contact_id)": lambda: raw.select(pl.col("__row").min().over("contact_id")),
        "duplicates: is_first_distinct": lambda: raw.select(pl.col("contact_id").is_first_distinct()),
        "duplicates: is_duplicated": lambda: raw.select(pl.col("contact_id").is_duplicated()),
        "duplicates: hash().is_first_distinct (candidates only)": lambda: raw.select(
            pl.col("contact_id").hash().is_first_distinct()
        ),
    }
    rows = []
    for name, run in cases.items():
        seconds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
        rows.append([name, f"{min(seconds):.2f}"])
        print(rows[-1], flush=True)
    print(f"\n{raw.height:,} contacts, minimum of {args.repeat}:")
    print(table(rows, ["expression", "min s"]))


if __name__ == "__main__":
    main()
