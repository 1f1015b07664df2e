"""The contact KPIs of formulas.md §1 with the toolkit and with DuckDB, side by side, on the same Parquet file.

    python bench/kpis.py ENGAGEMENT [ENGAGEMENT ...] [--repeat 3] [--engines toolkit,duckdb] [--json FILE]

For each engagement folder, and `--repeat` times, every engine runs in its own fresh process (engines
interleaved, so a load on the machine falls on all of them alike); wall time and peak RSS are
measured from outside (`os.wait4`), the times of the steps from inside. The results of the first
repetition of every engine are checked against the first engine's: counts and integer numerators
exactly, rates to 1e-9. Per partner × channel × month and partner-wide (channel null):
offered, answered, short_abandons, service_level, abandon_rate, asa, aht, fcr, csat, csat_top2.

Engines:
- `toolkit`: `pa.load` (reading, validation) then `metrics.contact_results(...).collect()` (the
  default streaming engine); `toolkit-inmem` the same collected with `engine="in-memory"`;
  `toolkit-unchecked`: the same `contact_results` straight on the Parquet file (local times
  localised, nothing else read or checked): the work DuckDB's query does, no more;
  `toolkit-kpis`: the whole `analysis.kpi_results` table (also quality, occupancy, forecast accuracy).
- `duckdb`: one SQL query over `read_parquet` (FCR by a RANGE window, see `--fcr`).
- `duckdb+range`, `duckdb+next`, `duckdb+distinct`: `duckdb` with that FCR formulation (else `--fcr`).
- `duckdb-checked`: the same after the loader's checks in SQL (required values, domains, duplicate
  contact_id: first occurrence kept), so that both sides do the same work.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Run, median, peak_rss_mb, report, run_child, table

KPIS = (
    "offered",
    "answered",
    "short_abandons",
    "service_level",
    "abandon_rate",
    "asa",
    "aht",
    "fcr",
    "csat",
    "csat_top2",
)
COUNTS = ("offered", "answered", "short_abandons")
WINDOW_US = 7 * 24 * 3600 * 1_000_000
ENGINES = ("toolkit", "toolkit-unchecked", "toolkit-inmem", "toolkit-kpis", "duckdb", "duckdb-checked")


# --- children ------------------------------------------------------------------------------------


def toolkit_child(folder: Path, out: Path, engine: str) -> None:
    """Load and validate with the toolkit, compute the contact KPIs, write them (long) to `out`."""
    started = time.perf_counter()
    import polars as pl

    import partner_analytics as pa
    from partner_analytics.contract.reading import read_contract
    from partner_analytics.metrics.contact_kpis import contact_results
    from partner_analytics.metrics.results import kpi_results

    imported = time.perf_counter()
    if engine == "toolkit-unchecked":
        contract = read_contract(folder / "contract.yaml")
        local = pl.col("arrived_at").dt.replace_time_zone(contract.timezone, ambiguous="earliest", non_existent="null")
        contacts = pl.scan_parquet(folder / "contacts.parquet").with_columns(local)
        loaded = time.perf_counter()
        frame = contact_results(contacts, contract, present=frozenset(contacts.collect_schema().names())).collect()
    else:
        eng = pa.load(folder)
        loaded = time.perf_counter()
        if engine == "toolkit-kpis":
            frame = kpi_results(eng).collect()
        else:
            lazy = contact_results(eng.contacts, eng.contract, present=eng.present["contacts"])
            frame = lazy.collect(engine="in-memory" if engine == "toolkit-inmem" else "auto")
    done = time.perf_counter()
    frame.filter(pl.col("kpi").is_in(KPIS)).select(
        "partner_id", "channel", "month", "kpi", "value", "numerator", "denominator", "incomplete"
    ).write_parquet(out)
    report(
        import_s=imported - started,
        load_s=loaded - imported,
        compute_s=done - loaded,
        run_s=done - imported,
        peak_mb=peak_rss_mb(),
        rows=frame.height,
    )


def kpi_sql(
    contacts: str, channels: dict[str, dict], timezone: str, *, checked: bool = False, fcr: str = "range"
) -> str:
    """The DuckDB query: one row per partner × channel × month and per partner × month (channel null)."""

    def quote(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    t = " ".join(f"WHEN {quote(c)} THEN {float(v['answer_within_s'])}" for c, v in channels.items())
    s = " ".join(f"WHEN {quote(c)} THEN {float(v.get('short_abandon_s') or 0)}" for c, v in channels.items())
    source = f"read_parquet({quote(contacts)})"
    if checked:
        names = ", ".join(quote(c) for c in channels)
        source = f"""(
            SELECT * EXCLUDE (file_row_number, first_seen) FROM (
                SELECT *, row_number() OVER (PARTITION BY contact_id ORDER BY file_row_number) AS first_seen
                FROM read_parquet({quote(contacts)}, file_row_number = true)
                WHERE contact_id IS NOT NULL AND partner_id IS NOT NULL AND channel IN ({names})
                  AND arrived_at IS NOT NULL AND answered IS NOT NULL AND wait_s >= 0 AND isfinite(wait_s)
                  AND (handle_s IS NULL OR (handle_s >= 0 AND isfinite(handle_s)))
                  AND (csat IS NULL OR csat BETWEEN 1 AND 5)
                  AND timezone({quote(timezone)}, arrived_at) IS NOT NULL
            ) WHERE first_seen = 1
        )"""
    if fcr == "range":
        again = (
            "count(*) OVER (PARTITION BY customer_id ORDER BY t "
            f"RANGE BETWEEN 1 FOLLOWING AND {WINDOW_US} FOLLOWING) > 0"
        )
        window = "c"
    elif fcr == "next":
        again = (
            "coalesce(min(t) OVER (PARTITION BY customer_id ORDER BY t "
            f"RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) <= t + {WINDOW_US}, false)"
        )
        window = "c"
    else:  # distinct instants of a customer, lead, joined back
        again = f"coalesce(n.next_t <= c.t + {WINDOW_US}, false)"
        window = """c LEFT JOIN (
            SELECT customer_id, t, lead(t) OVER (PARTITION BY customer_id ORDER BY t) AS next_t
            FROM (SELECT DISTINCT customer_id, t FROM c WHERE customer_id IS NOT NULL)
        ) n USING (customer_id, t)"""
    return f"""
    WITH c AS (
        SELECT partner_id, channel, answered, wait_s, handle_s, csat, customer_id,
               CAST(date_trunc('month', arrived_at) AS DATE) AS month,
               epoch_us(timezone({quote(timezone)}, arrived_at)) AS t,
               CASE channel {t} END AS answer_within,
               CASE channel {s} ELSE 0 END AS short_within
        FROM {source}
    ),
    data_end AS (SELECT max(t) AS t_max FROM c),
    flagged AS (
        SELECT partner_id, channel, month, answered, wait_s, handle_s, csat, answer_within, short_within,
               answered AND customer_id IS NOT NULL AS judged,
               t + {WINDOW_US} > (SELECT t_max FROM data_end) AS late,
               {again} AS again
        FROM {window}
    ),
    sums AS (
        SELECT partner_id, channel, month,
               count(*) AS offered,
               count_if(answered) AS answered,
               count_if(NOT answered AND wait_s < short_within) AS short_abandons,
               count_if(answered AND wait_s <= answer_within) AS in_service,
               sum(wait_s) FILTER (WHERE answered) AS wait_answered,
               sum(handle_s) FILTER (WHERE answered) AS handle_sum,
               count(handle_s) FILTER (WHERE answered) AS handle_n,
               sum(csat) AS csat_sum,
               count(csat) AS csat_n,
               count_if(csat >= 4) AS csat_top2_n,
               count_if(judged AND NOT late AND NOT again) AS fcr_resolved,
               count_if(judged AND NOT late) AS fcr_counted,
               count_if(judged AND late) AS fcr_cut
        FROM flagged
        GROUP BY GROUPING SETS ((partner_id, channel, month), (partner_id, month))
    )
    SELECT *,
           in_service / nullif(offered - short_abandons, 0) AS service_level,
           (offered - answered - short_abandons) / nullif(offered - short_abandons, 0) AS abandon_rate,
           wait_answered / nullif(answered, 0) AS asa,
           handle_sum / nullif(handle_n, 0) AS aht,
           fcr_resolved / nullif(fcr_counted, 0) AS fcr,
           csat_sum / nullif(csat_n, 0) AS csat,
           csat_top2_n / nullif(csat_n, 0) AS csat_top2
    FROM sums
    """


def duckdb_child(folder: Path, out: Path, engine: str, fcr: str) -> None:
    """Compute the same KPIs with one DuckDB query straight from the Parquet file; write them to `out`."""
    started = time.perf_counter()
    import duckdb
    import yaml

    imported = time.perf_counter()
    contract = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
    sql = kpi_sql(
        str(folder / "contacts.parquet"),
        contract["channels"],
        contract["timezone"],
        checked=engine == "duckdb-checked",
        fcr=fcr,
    )
    con = duckdb.connect()
    threads = con.sql("SELECT current_setting('threads')").fetchall()[0][0]
    rows = con.sql(sql)
    names = rows.columns
    values = rows.fetchall()
    done = time.perf_counter()
    con.close()
    out.write_text(json.dumps({"columns": names, "rows": values}, default=str))
    report(
        import_s=imported - started,
        load_s=0.0,
        compute_s=done - imported,
        run_s=done - imported,
        peak_mb=peak_rss_mb(),
        rows=len(values),
        threads=threads,
        version=duckdb.__version__,
    )


# --- comparison ----------------------------------------------------------------------------------


def _long(path: Path):
    """The results of a run as a long frame (partner_id, channel, month, kpi, value, numerator, denominator)."""
    import polars as pl

    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    data = json.loads(path.read_text())
    wide = pl.DataFrame(data["rows"], schema=data["columns"], orient="row", infer_schema_length=None)
    wide = wide.with_columns(pl.col("month").str.to_date("%Y-%m-%d"))
    c = pl.col
    answerable = c("offered") - c("short_abandons")
    parts = {
        "offered": (c("offered"), None),
        "answered": (c("answered"), None),
        "short_abandons": (c("short_abandons"), None),
        "service_level": (c("in_service"), answerable),
        "abandon_rate": (answerable - c("answered"), answerable),
        "asa": (c("wait_answered"), c("answered")),
        "aht": (c("handle_sum"), c("handle_n")),
        "fcr": (c("fcr_resolved"), c("fcr_counted")),
        "csat": (c("csat_sum"), c("csat_n")),
        "csat_top2": (c("csat_top2_n"), c("csat_n")),
    }
    frames = []
    for kpi, (num, den) in parts.items():
        value = num if den is None else c(kpi)
        frames.append(
            wide.select(
                "partner_id",
                "channel",
                "month",
                pl.lit(kpi).alias("kpi"),
                value.cast(pl.Float64).alias("value"),
                num.cast(pl.Float64).alias("numerator"),
                (den.cast(pl.Float64) if den is not None else pl.lit(None, dtype=pl.Float64)).alias("denominator"),
                ((c("fcr_cut") > 0) if kpi == "fcr" else pl.lit(False)).alias("incomplete"),
            )
        )
    return pl.concat(frames)


def compare(reference: Path, other: Path) -> dict[str, object]:
    """Differences between two runs' results: keys missing, counts unequal, rates further apart than 1e-9."""
    import polars as pl

    keys = ["partner_id", "channel", "month", "kpi"]
    a, b = _long(reference), _long(other)
    joined = a.join(b, on=keys, how="full", nulls_equal=True, suffix="_b", coalesce=True)
    one_sided = joined.filter(pl.col("value").is_null() != pl.col("value_b").is_null())
    integral = ~pl.col("kpi").is_in(["asa", "aht", "csat"])  # their numerators are float sums
    count_diff = joined.filter(
        (pl.col("kpi").is_in(COUNTS) & (pl.col("value") != pl.col("value_b")))
        | (integral & (pl.col("numerator") != pl.col("numerator_b")))
        | (pl.col("denominator") != pl.col("denominator_b"))
        | (pl.col("incomplete") != pl.col("incomplete_b"))
    )
    rate_gap = joined.select((pl.col("value") - pl.col("value_b")).abs().max()).item()
    return {
        "rows": a.height,
        "rows_other": b.height,
        "unmatched": joined.height - a.join(b, on=keys, how="inner", nulls_equal=True).height,
        "null_mismatch": one_sided.height,
        "count_mismatch": count_diff.height,
        "max_abs_diff": rate_gap,
        "agree": a.height == b.height and count_diff.height == 0 and one_sided.height == 0 and (rate_gap or 0) <= 1e-9,
    }


# --- parent --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engagements", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="toolkit,duckdb")
    parser.add_argument(
        "--fcr", default="range", choices=("range", "next", "distinct"), help="DuckDB's FCR formulation"
    )
    parser.add_argument("--json", type=Path, default=None, help="append every run to this JSON-lines file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder = args.engagements[0]
        if args.child.startswith("toolkit"):
            toolkit_child(folder, args.out, args.child)
        else:
            engine, *fcr = args.child.split("+")
            duckdb_child(folder, args.out, engine, fcr[0] if fcr else args.fcr)
        return

    import tempfile

    engines = args.engines.split(",")
    unknown = [e for e in engines if e not in ENGINES and e not in ("duckdb+range", "duckdb+next", "duckdb+distinct")]
    if unknown:
        parser.error(f"unknown engines {unknown} (known: {', '.join(ENGINES)}, duckdb+range|next|distinct)")
    for folder in args.engagements:
        rows = _contact_rows(folder)
        runs: dict[str, list[Run]] = {e: [] for e in engines}
        with tempfile.TemporaryDirectory() as tmp:
            outputs: dict[str, Path] = {}
            for r in range(args.repeat):
                for engine in engines:
                    out = Path(tmp) / f"{engine}-{r}.{'parquet' if engine.startswith('toolkit') else 'json'}"
                    argv = [
                        sys.executable,
                        __file__,
                        str(folder),
                        "--child",
                        engine,
                        "--out",
                        str(out),
                        "--fcr",
                        args.fcr,
                    ]
                    run = run_child(engine, argv)
                    runs[engine].append(run)
                    if run.status != 0:
                        print(f"{engine} failed (status {run.status}):\n{run.stderr}", file=sys.stderr)
                    elif r == 0:
                        outputs[engine] = out
                    print(
                        f"{folder.name} {engine:15s} run {r + 1}: wall {run.wall_s:7.2f} s  "
                        f"compute {run.report.get('run_s', float('nan')):7.2f} s  cpu {run.cpu_s:7.2f} s  "
                        f"peak {run.peak_mb:8.0f} MB  load {run.load:5.2f}",
                        flush=True,
                    )
                    if args.json:
                        with args.json.open("a") as f:
                            f.write(
                                json.dumps(
                                    {
                                        "engagement": str(folder),
                                        "contacts": rows,
                                        "engine": engine,
                                        "fcr": args.fcr,
                                        "repeat": r,
                                        "wall_s": run.wall_s,
                                        "cpu_s": run.cpu_s,
                                        "load": run.load,
                                        "peak_mb": run.peak_mb,
                                        "status": run.status,
                                        **run.report,
                                    }
                                )
                                + "\n"
                            )
            checks = {}
            first = engines[0]
            for engine in engines[1:]:
                if first in outputs and engine in outputs:
                    checks[engine] = compare(outputs[first], outputs[engine])
        print(f"\n{folder} ({rows:,} contacts), median of {args.repeat}:")
        reference = next((e for e in engines if e.startswith("duckdb")), engines[-1])
        base = median(runs[reference], "run_s")
        base_cpu = median(runs[reference], "cpu_s")
        lines = []
        for engine in engines:
            run_s, wall_s, cpu_s, peak = (median(runs[engine], k) for k in ("run_s", "wall_s", "cpu_s", "peak_mb"))
            ratio = f"{run_s / base:.2f}" if base else ""
            cpu_ratio = f"{cpu_s / base_cpu:.2f}" if base_cpu else ""
            lines.append([engine, f"{run_s:.2f}", f"{wall_s:.2f}", f"{cpu_s:.2f}", f"{peak:,.0f}", ratio, cpu_ratio])
        header = ["engine", "compute s", "process wall s", "process CPU s", "peak RSS MB"]
        print(table(lines, [*header, f"compute / {reference}", f"CPU / {reference}"]))
        for engine, check in checks.items():
            print(f"{engine} versus {first}: {check}")


def _contact_rows(folder: Path) -> int:
    import polars as pl

    return pl.scan_parquet(folder / "contacts.parquet").select(pl.len()).collect().item()


if __name__ == "__main__":
    main()
