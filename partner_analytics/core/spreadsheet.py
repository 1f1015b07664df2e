"""CSV files a spreadsheet opens safely: text that would start a formula is written as text.

A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a
formula, so a value from the inputs such as `=HYPERLINK("http://…")` in a rejected row would become live
in the client's spreadsheet (OWASP: CSV injection). Such text is written with a single quote before it,
which spreadsheets show as text. Number columns are written as they are (a negative amount stays
`-12.50`), and so is text that is a plain number (`-12.50` or `+1,234.5` as read in a rejected row: digits, commas, one
point, an exponent).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

__all__ = ["FORMULA_STARTS", "formula_safe", "write_csv"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text value that starts like a formula (and is not a plain number) prefixed with a
    single quote; other columns unchanged."""
    text = [name for name, dtype in frame.schema.items() if isinstance(dtype, (pl.String, pl.Categorical, pl.Enum))]

    def safe(value: pl.Expr) -> pl.Expr:
        risky = value.str.contains(_FORMULA_START) & ~value.str.contains(_PLAIN_NUMBER)
        return pl.when(risky).then(pl.lit("'") + value).otherwise(value)

    return frame.with_columns(safe(pl.col(c).cast(pl.String)).alias(c) for c in text)


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write `frame` as CSV at `path`, its text `formula_safe`."""
    formula_safe(frame).write_csv(path)
