"""Formulations of the FCR window (formulas.md §1) measured side by side: time, peak memory, same results.

    python bench/fcr.py ENGAGEMENT [--variants hashed,sort_shift,over,asof,rolling] [--repeat 3] [--mode full|bare]

`hashed` is the toolkit's (`metrics.fcr.fcr_sums`: one sort on a 128-bit key made of a hash of the
customer and the instant, the rows of customers sharing a hash recomputed exactly); every other
formulation adds the columns `metrics.fcr.with_fcr_flags` adds (fcr_resolved, fcr_counted, fcr_cut) to the
contacts, and its flags are summed. `--mode full` runs the toolkit's whole path (`pa.load`,
validation, flags, sums: `metrics.contact_results`) with the formulation in place of `fcr_sums`
(patched in the child process only); `--mode bare` runs the formulation alone on the Parquet file
(local times localised, nothing validated) and sums its flags per partner × month, so the window's
own cost shows.
Every run is a fresh process; results of every variant are checked equal to the first one's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Run, median, peak_rss_mb, report, run_child, table

WINDOW_US = 7 * 24 * 3600 * 1_000_000


def _epoch():
    import polars as pl

    return pl.col("arrived_at").dt.epoch("us").alias("__t")


def _finish(frame, later):
    """fcr_resolved / counted / cut from `later` (the customer's next strictly later instant, null if none)."""
    import polars as pl

    t = pl.col("__t")
    judged = pl.col("answered") & pl.col("customer_id").is_not_null()
    cut = judged & (t + WINDOW_US > t.max())
    counted = judged & ~cut
    return frame.with_columns(
        (counted & (later.is_null() | (later > t + WINDOW_US))).alias("fcr_resolved"),
        counted.alias("fcr_counted"),
        cut.alias("fcr_cut"),
    )


def sort_shift(contacts):
    """`metrics.fcr.with_fcr_flags`: one sort by (customer text, instant), then shift (the exact sort the
    toolkit keeps for per-contact flags and for customers that share a hash)."""
    from partner_analytics.metrics.fcr import with_fcr_flags

    return with_fcr_flags(contacts)


def over(contacts):
    """`shift(-1).over(customer, order_by=instant)`: the next later instant within each customer's rows."""
    import polars as pl

    t = pl.col("__t")
    nxt = t.shift(-1)
    later = pl.when(nxt != t).then(nxt).backward_fill().over("customer_id", order_by="__t")
    framed = contacts.with_columns(_epoch()).with_columns(later.alias("__later"))
    return _finish(framed, pl.col("__later")).drop("__t", "__later")


def asof(contacts):
    """`join_asof` forward on the instant, by customer, without exact matches: the next later instant."""
    import polars as pl

    timed = contacts.with_columns(_epoch())
    moments = (
        timed.filter(pl.col("customer_id").is_not_null())
        .select("customer_id", pl.col("__t").alias("__later"))
        .unique()
        .sort("__later")
    )
    joined = timed.sort("__t").join_asof(
        moments,
        left_on="__t",
        right_on="__later",
        by="customer_id",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,
        coalesce=False,
    )
    return _finish(joined, pl.col("__later")).drop("__t", "__later")


def rolling(contacts):
    """A rolling count over (t, t + 7 days] per customer (`rolling_sum_by` on the negated instant)."""
    import polars as pl

    timed = contacts.with_columns(
        _epoch(), (-pl.col("arrived_at").dt.epoch("us")).alias("__back"), pl.lit(1, pl.Int32).alias("__one")
    )
    count = pl.col("__one").rolling_sum_by("__back", window_size=f"{WINDOW_US}i", closed="left").over("customer_id")
    framed = timed.with_columns(count.alias("__again"))
    # `later` only matters through `later > t + window`: a null when no other contact falls in the window
    later = pl.when(pl.col("__again") > 0).then(pl.col("__t")).otherwise(None)
    return _finish(framed, later).drop("__t", "__back", "__one", "__again")


VARIANTS = {"sort_shift": sort_shift, "over": over, "asof": asof, "rolling": rolling}
FCR_SUMS = ("fcr_resolved", "fcr_counted", "fcr_cut")


def _sums(variant: str):
    """The FCR sums of a formulation, as `metrics.fcr.fcr_sums` returns them: (contacts, by) -> sums."""
    import polars as pl

    from partner_analytics.metrics.fcr import fcr_sums

    if variant == "hashed":
        return fcr_sums
    return lambda contacts, by: (
        VARIANTS[variant](contacts).group_by(by).agg(pl.col(c).sum().cast(pl.Int64) for c in FCR_SUMS)
    )


def child(folder: Path, out: Path, variant: str, mode: str) -> None:
    started = time.perf_counter()
    import polars as pl

    import partner_analytics as pa
    from partner_analytics.metrics import contact_kpis as metrics

    sums = _sums(variant)
    metrics.fcr_sums = sums
    imported = time.perf_counter()
    if mode == "full":
        eng = pa.load(folder)
        frame = metrics.contact_results(eng.contacts, eng.contract, present=eng.present["contacts"]).collect()
        frame = frame.filter(pl.col("kpi") == "fcr").select(
            "partner_id", "channel", "month", "numerator", "denominator", "incomplete"
        )
    else:
        import yaml

        tz = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))["timezone"]
        contacts = pl.scan_parquet(folder / "contacts.parquet").select(
            "partner_id",
            "customer_id",
            "answered",
            pl.col("arrived_at").dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null"),
        )
        by = ["partner_id", "month"]
        frame = sums(contacts.with_columns(metrics.month_of(pl.col("arrived_at")).alias("month")), by).collect()
    done = time.perf_counter()
    frame.write_parquet(out)
    report(run_s=done - imported, import_s=imported - started, peak_mb=peak_rss_mb(), rows=frame.height)


def same(a: Path, b: Path) -> bool:
    import polars as pl

    x, y = pl.read_parquet(a), pl.read_parquet(b)
    keys = [c for c in x.columns if c in ("partner_id", "channel", "month")]
    return x.sort(keys, nulls_last=True).equals(y.sort(keys, nulls_last=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engagements", nargs="*", type=Path)
    parser.add_argument("--variants", default=",".join(["hashed", *VARIANTS]))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", default="full", choices=("full", "bare"))
    parser.add_argument("--json", type=Path, default=None, help="append every run to this JSON-lines file")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--child", choices=["hashed", *VARIANTS], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.engagements[0], args.out, args.child, args.mode)
        return

    import tempfile

    variants = args.variants.split(",")
    for folder in args.engagements:
        runs: dict[str, list[Run]] = {v: [] for v in variants}
        with tempfile.TemporaryDirectory() as tmp:
            outputs: dict[str, Path] = {}
            for r in range(args.repeat):
                for v in variants:
                    out = Path(tmp) / f"{v}-{r}.parquet"
                    argv = [sys.executable, __file__, str(folder), "--child", v, "--out", str(out), "--mode", args.mode]
                    run = run_child(v, argv, timeout=args.timeout)
                    runs[v].append(run)
                    if run.status != 0:
                        print(f"{v} failed (status {run.status}):\n{run.stderr}", file=sys.stderr)
                    elif v not in outputs:
                        outputs[v] = out
                    print(
                        f"{folder.name} {args.mode} {v:10s} run {r + 1}: wall {run.wall_s:7.2f} s  "
                        f"run {run.report.get('run_s', float('nan')):7.2f} s  cpu {run.cpu_s:7.2f} s  "
                        f"peak {run.peak_mb:8.0f} MB  load {run.load:5.2f}",
                        flush=True,
                    )
                    if args.json:
                        with args.json.open("a") as f:
                            f.write(
                                json.dumps(
                                    {"engagement": str(folder), "mode": args.mode, "variant": v, "repeat": r}
                                    | {
                                        "wall_s": run.wall_s,
                                        "cpu_s": run.cpu_s,
                                        "peak_mb": run.peak_mb,
                                        "status": run.status,
                                        "load": run.load,
                                    }
                                    | run.report
                                )
                                + "\n"
                            )
            agree = {
                v: same(outputs[variants[0]], outputs[v])
                for v in variants[1:]
                if v in outputs and variants[0] in outputs
            }
        print(f"\n{folder} ({args.mode}), median of {args.repeat}:")
        base = median(runs[variants[0]], "run_s")
        rows = [
            [
                v,
                f"{median(runs[v], 'run_s'):.2f}",
                f"{median(runs[v], 'cpu_s'):.2f}",
                f"{median(runs[v], 'peak_mb'):,.0f}",
                f"{median(runs[v], 'run_s') / base:.2f}",
            ]
            for v in variants
        ]
        print(table(rows, ["variant", "run s", "process CPU s", "peak RSS MB", f"time / {variants[0]}"]))
        print(f"same results as {variants[0]}: {agree}")


if __name__ == "__main__":
    main()
