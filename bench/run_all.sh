#!/usr/bin/env bash
# Every measurement of bench/README.md, in order, one after the other (run from the project root).
#   bench/run_all.sh DATA_DIR [STEP...]
# DATA_DIR holds (or receives) the engagements c1000000, c10000000 and c50000000.
# Steps: generate kpis fcr10 fcr50 stages sort tables cycle (default: all). Logs and JSON lines go to bench/out/.
set -euo pipefail
DATA=${1:?usage: bench/run_all.sh DATA_DIR [STEP...]}
shift
STEPS=${*:-generate kpis fcr10 fcr50 stages sort tables cycle scale}
PY=.venv/bin/python
OUT=bench/out
mkdir -p "$OUT" "$DATA"
ENGINES=toolkit,toolkit-unchecked,duckdb+range,duckdb+next,duckdb-checked

for step in $STEPS; do
  case $step in
    generate)
      for n in 1000000 10000000 50000000; do
        [ -f "$DATA/c$n/contacts.parquet" ] && continue
        /usr/bin/time -v .venv/bin/partner-analytics sample --contacts $n --out "$DATA/c$n" 2>&1 | tee "$OUT/generate_$n.log"
      done ;;
    kpis)
      for n in 1000000 10000000 50000000; do
        $PY bench/kpis.py "$DATA/c$n" --repeat 3 --fcr next --engines $ENGINES --json "$OUT/kpis.jsonl" \
          2>&1 | tee "$OUT/kpis_$n.log"
      done ;;
    fcr10)
      $PY bench/fcr.py "$DATA/c10000000" --repeat 3 --mode full --json "$OUT/fcr.jsonl" 2>&1 | tee "$OUT/fcr_full_10M.log"
      $PY bench/fcr.py "$DATA/c10000000" --repeat 3 --mode bare --json "$OUT/fcr.jsonl" 2>&1 | tee "$OUT/fcr_bare_10M.log" ;;
    fcr50)
      $PY bench/fcr.py "$DATA/c50000000" --repeat 3 --mode full --variants hashed,sort_shift,rolling \
        --json "$OUT/fcr.jsonl" 2>&1 | tee "$OUT/fcr_full_50M.log" ;;
    stages)
      # full-inmem is left out at 50 M: the in-memory engine holds every contact (11.8 GB measured)
      for n in 10000000 50000000; do
        stages=scan,typed,checked,validated,dup,sums,fcr,full,raw-full
        [ $n = 10000000 ] && stages=$stages,full-inmem
        $PY bench/stages.py "$DATA/c$n" --metrics --stages $stages 2>&1 | tee "$OUT/stages_$n.log"
      done ;;
    sort)
      $PY bench/sort_micro.py "$DATA/c10000000" --repeat 5 2>&1 | tee "$OUT/sort_micro_10M.log"
      $PY bench/sort_micro.py "$DATA/c10000000" --repeat 5 --keys 2>&1 | tee "$OUT/sort_keys_10M.log" ;;
    tables)
      for n in 10000000 50000000; do
        rm -rf "$OUT/tables_$n"
        /usr/bin/time -v timeout 2700 .venv/bin/partner-analytics tables --engagement "$DATA/c$n" \
          --out "$OUT/tables_$n" --format parquet 2>&1 | tee "$OUT/tables_$n.log" || true
      done ;;
    cycle)
      $PY bench/cycle.py --workers 2 2>&1 | tee "$OUT/cycle_sample.log"
      $PY bench/cycle.py --workers 2 --engagement "$DATA/c10000000" --out "$OUT/cycle_10M" 2>&1 | tee "$OUT/cycle_10M.log" ;;
    scale)
      for k in 1 5 20; do
        [ -d "$DATA/m$k" ] || $PY bench/scale.py make "$DATA/c10000000" --copies $k --out "$DATA/m$k"
      done
      $PY bench/scale.py run "$DATA/m1" "$DATA/m5" "$DATA/m20" --json "$OUT/scale.jsonl" 2>&1 | tee "$OUT/scale.log"
      $PY bench/scale.py cycle "$DATA/m1" "$DATA/c10000000" --workers 2 2>&1 | tee "$OUT/scale_cycle.log" ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
