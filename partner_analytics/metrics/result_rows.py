"""The rows of the long results table (formulas.md §1): one per partner × channel × month × KPI,

    partner_id, channel, [scope…], month, kpi, value, numerator, denominator, incomplete, note

`value` is null when the KPI is not measurable, and `note` then says why (its input is absent, or
its denominator is 0: the KPI's registry entry words both); `incomplete` marks an FCR month whose
last contacts' repeat windows (7 days by default) run past the end of the data. Every ratio keeps its numerator and
denominator, so the partner-wide rows are sums of the channel rows, and gain-share can read the
contacts FCR was counted over.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..core.kpis import KPI, contact_kpis, kpi

__all__ = ["RESULTS_SCHEMA", "kpi_row", "not_measurable", "ratio_rows", "results_from_sums"]

RESULTS_SCHEMA = {
    "partner_id": pl.String(),
    "channel": pl.String(),
    "month": pl.Date(),
    "kpi": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "incomplete": pl.Boolean(),
    "note": pl.String(),
}


def kpi_row(entry: KPI, present: frozenset[str] = frozenset()) -> pl.Expr:
    """The results row of a contact KPI from its sums, as a struct: value = numerator / denominator
    (null with the entry's note when its input is not `present` or its denominator is 0)."""
    num, den = entry.numerator, entry.denominator
    measurable = entry.needs is None or entry.needs in present
    if not measurable:
        value, note = pl.lit(None, dtype=pl.Float64), pl.lit(entry.missing)
        num = den = None
    elif den is None:
        value, note = num.cast(pl.Float64), pl.lit(None, dtype=pl.String)
    else:
        value = pl.when(den > 0).then(num / den)
        note = pl.when(den > 0).then(None).otherwise(pl.lit(entry.zero_note))
    incomplete = entry.incomplete if entry.incomplete is not None and measurable else pl.lit(False)
    return pl.struct(
        pl.lit(entry.name).alias("kpi"),
        value.cast(pl.Float64).alias("value"),
        (num.cast(pl.Float64) if num is not None else pl.lit(None, dtype=pl.Float64)).alias("numerator"),
        (den.cast(pl.Float64) if den is not None else pl.lit(None, dtype=pl.Float64)).alias("denominator"),
        incomplete.alias("incomplete"),
        note.cast(pl.String).alias("note"),
    )


def results_from_sums(sums: pl.LazyFrame, *, present: frozenset[str], keys: Sequence[str]) -> pl.LazyFrame:
    """Unpivot the sums (`contact_sums` columns) into the long results table, one row per contact KPI
    of the registry; `present` holds the contacts columns the engagement has."""
    rows = [kpi_row(entry, present) for entry in contact_kpis()]
    names = [f"_row_{i:03d}" for i in range(len(rows))]
    # One struct column per KPI, stacked (column by column), then put back in the order of the sums' rows
    # (a stable sort keeps the registry's order within a row): on small tables several times faster
    # than one list column of the structs exploded.
    return (
        sums.select(*keys, *[row.alias(name) for row, name in zip(rows, names, strict=True)])
        .with_row_index("_sums_row")
        .unpivot(index=["_sums_row", *keys], on=names, variable_name="_kpi_row", value_name="r")
        .sort("_sums_row", maintain_order=True)
        .drop("_sums_row", "_kpi_row")
        .unnest("r")
        .with_columns(pl.col("incomplete").fill_null(False))
    )


def ratio_rows(frame: pl.LazyFrame, name: str, scope: Sequence[str]) -> pl.LazyFrame:
    """Results rows of a table KPI from `numerator` and `denominator` columns (null with the entry's
    note where the denominator is 0); a `scope` column `frame` lacks is null."""
    den = pl.col("denominator")
    names = frame.collect_schema().names()
    return frame.select(
        "partner_id",
        "channel",
        *[pl.col(s) if s in names else pl.lit(None, dtype=pl.String).alias(s) for s in scope],
        "month",
        pl.lit(name).alias("kpi"),
        pl.when(den > 0).then(pl.col("numerator") / den).alias("value"),
        pl.col("numerator").cast(pl.Float64),
        den.cast(pl.Float64),
        pl.lit(False).alias("incomplete"),
        pl.when(den > 0).then(None).otherwise(pl.lit(kpi(name).zero_note)).cast(pl.String).alias("note"),
    )


def not_measurable(grid: pl.LazyFrame, name: str, note: str | None = None) -> pl.LazyFrame:
    """Null rows of a KPI on a partner × channel × month grid, saying why it cannot be measured
    (by default the entry's note for a missing input)."""
    return grid.with_columns(
        pl.lit(name).alias("kpi"),
        pl.lit(None, dtype=pl.Float64).alias("value"),
        pl.lit(None, dtype=pl.Float64).alias("numerator"),
        pl.lit(None, dtype=pl.Float64).alias("denominator"),
        pl.lit(False).alias("incomplete"),
        pl.lit(kpi(name).missing if note is None else note).alias("note"),
    )
