"""Compare two folders written by `partner-analytics tables --format parquet`: every table equal.

    python bench/compare_tables.py before/ after/

Used to show a change leaves every computed table as it was (same columns, types, rows and values,
in the same order); prints one line per table and exits 1 when any differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal


def differences(before: Path, after: Path) -> dict[str, str]:
    """Per table name: '' when equal, else what differs."""
    names = sorted({p.stem for p in before.glob("*.parquet")} | {p.stem for p in after.glob("*.parquet")})
    out = {}
    for name in names:
        a, b = before / f"{name}.parquet", after / f"{name}.parquet"
        if not (a.is_file() and b.is_file()):
            out[name] = f"only in {'before' if a.is_file() else 'after'}"
            continue
        try:
            assert_frame_equal(pl.read_parquet(a), pl.read_parquet(b))
            out[name] = ""
        except AssertionError as e:
            out[name] = str(e).splitlines()[0]
    return out


def main(argv: list[str]) -> int:
    before, after = (Path(a) for a in argv)
    found = differences(before, after)
    for name, diff in found.items():
        print(f"{name:22} {'identical' if not diff else 'DIFFERS: ' + diff}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
