"""A computed analysis on disk: one Parquet file per table, so a committee cycle computes once and
every report reads the same figures."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import polars as pl

from ..contract.terms import Contract
from ..core.atomic import atomic_path
from .analysis import Analysis

__all__ = ["TABLES_FOLDER", "load_analysis", "save_analysis"]

TABLES_FOLDER = "tables"


def _names() -> list[str]:
    return [f.name for f in fields(Analysis) if f.name != "contract"]


def save_analysis(analysis: Analysis, folder: Path) -> list[Path]:
    """Write every table of a (collected) analysis as `<name>.parquet` into `folder`, each atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in _names():
        target = folder / f"{name}.parquet"
        with atomic_path(target) as tmp:
            getattr(analysis, name).collect().write_parquet(tmp)
        written.append(target)
    return written


def load_analysis(folder: Path, contract: Contract) -> Analysis:
    """An analysis read back from `save_analysis`'s folder (lazily), with the contract it was computed on."""
    missing = [n for n in _names() if not (folder / f"{n}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: computed tables missing ({', '.join(missing)}): compute the cycle again")
    return Analysis(contract=contract, **{n: pl.scan_parquet(folder / f"{n}.parquet") for n in _names()})
