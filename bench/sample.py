"""Time the sample generator and show what it wrote: `python bench/sample.py [--contacts N] [--out DIR]`.

Not a test: prints wall time, rows and size on disk per file (generated into a temporary folder
unless --out is given).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from partner_analytics.sample import TABLE_FILES, generate_sample


def _rows(folder: Path, name: str, file: str) -> int:
    path = folder / file
    if path.suffix == ".parquet":
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    return sum(1 for _ in path.open("rb")) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contacts", type=int, default=None, help="about this many contact rows (default: the sample's)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "sample"
        start = time.perf_counter()
        generate_sample(out, seed=args.seed, contacts=args.contacts)
        seconds = time.perf_counter() - start
        total = 0
        for name, file in TABLE_FILES.items():
            size = (out / file).stat().st_size
            total += size
            print(f"{name:14s} {_rows(out, name, file):>10,d} rows {size / 1e6:8.2f} MB  {file}")
        total += (out / "contract.yaml").stat().st_size
        print(f"{'total':14s} {'':>10s}      {total / 1e6:8.2f} MB")
        print(f"generated in {seconds:.2f} s (seed {args.seed})")


if __name__ == "__main__":
    main()
