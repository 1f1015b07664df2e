"""Writing the computed tables for people who open them in Excel: months as YYYY-MM-DD, amounts
with two decimals, every file written atomically, with a lineage record beside them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import polars as pl

from ..core.atomic import atomic_path, write_atomic
from ..core.money import cents_to_decimal
from ..core.spreadsheet import write_csv

__all__ = ["MONEY_COLUMNS", "Format", "export_tables", "for_people"]

Format = Literal["csv", "parquet", "xlsx"]
MONEY_COLUMNS = frozenset(
    {
        "charges",
        "expected",
        "invoiced",
        "at_risk_amount",
        "credit",
        "credits",
        "credits_provisional",
        "earned_back",
        "bonus_pool",
        "bonus",
        "compensation",
        "corridor_compensation",
        "value",
        "gain_share",
        "adjustment",
        "resource_adjustment",
        "net",
        "invoice_gap",
    }
)
_INTERNAL = ("allocation_u", "order")


def for_people(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Amount columns (integer cents) as decimals with two places; internal columns dropped.

    `results` and `discrepancies` carry KPI values, never amounts, whatever their column names.
    """
    money = [] if name in ("results", "discrepancies") else [c for c in frame.columns if c in MONEY_COLUMNS]
    return frame.drop([c for c in _INTERNAL if c in frame.columns]).with_columns(
        cents_to_decimal(pl.col(c)).alias(c) for c in money if frame.schema[c].is_integer()
    )


def export_tables(tables: Mapping[str, pl.DataFrame], out: Path, fmt: Format, record: Mapping[str, Any]) -> list[Path]:
    """Write every table into `out` (one file per table; one workbook for xlsx, every text cell as text; in CSV
    text that starts like a formula is written as text: `core.formula_safe`) and `lineage.json`."""
    out.mkdir(parents=True, exist_ok=True)
    ready = {name: for_people(name, df) for name, df in tables.items()}
    written: list[Path] = []
    if fmt == "xlsx":
        target = out / "tables.xlsx"
        with atomic_path(target) as tmp:
            import xlsxwriter

            # Every text cell is written as text: a value from the inputs such as =HYPERLINK(…) or a URL
            # must not become a live formula or link in the client's spreadsheet.
            with xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False}) as book:
                for name, df in ready.items():
                    df.write_excel(book, worksheet=name[:31], autofit=True, float_precision=6)
        written.append(target)
    else:
        for name, df in ready.items():
            target = out / f"{name}.{fmt}"
            with atomic_path(target) as tmp:
                if fmt == "csv":
                    write_csv(df, tmp)  # text that starts like a formula is written as text
                else:
                    df.write_parquet(tmp)
            written.append(target)
    files = [p.name for p in written]
    written.append(write_atomic(out / "lineage.json", json.dumps({**record, "files": files}, indent=2) + "\n"))
    return written
