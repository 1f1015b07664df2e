"""What an engagement holds: partners, months covered, rows per table and rejected rows."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .engagement import Engagement, errors_naming_files

__all__ = ["EngagementSummary", "engagement_summary"]


@dataclass(frozen=True)
class EngagementSummary:
    """The figures `partner-analytics check` prints, collected once."""

    client: str
    partners: pl.DataFrame
    first_month: object
    last_month: object
    months: int
    rows: pl.DataFrame
    rejected: pl.DataFrame
    warnings: tuple[str, ...]


def engagement_summary(engagement: Engagement) -> EngagementSummary:
    """Collect the summary of an engagement (one pass over every table)."""
    contacts = engagement.contacts
    per_partner = contacts.group_by("partner_id").agg(
        pl.len().alias("contacts"), pl.col("channel").unique().sort().str.join(", ").alias("channels")
    )
    months = contacts.select(
        pl.col("arrived_at").dt.date().dt.truncate("1mo").min().alias("first"),
        pl.col("arrived_at").dt.date().dt.truncate("1mo").max().alias("last"),
        pl.col("arrived_at").dt.date().dt.truncate("1mo").n_unique().alias("months"),
    )
    counts = [t.select(pl.lit(name).alias("table"), pl.len().alias("valid")) for name, t in engagement.tables.items()]
    rejected_counts = engagement.rejected.group_by("table").agg(pl.col("row").n_unique().alias("rejected"))
    with errors_naming_files(engagement):
        collected = pl.collect_all(
            [per_partner, months, pl.concat(counts), rejected_counts, engagement.rejected.sort("table", "row")]
        )
    per_partner_df, months_df, counts_df, rejected_df, rejected_rows = collected
    partners = (
        pl.DataFrame(
            {
                "partner_id": [p.id for p in engagement.contract.partners],
                "name": [p.name for p in engagement.contract.partners],
                "start": [p.start for p in engagement.contract.partners],
                "end": [p.end for p in engagement.contract.partners],
            }
        )
        .join(per_partner_df, on="partner_id", how="left")
        .with_columns(pl.col("contacts").fill_null(0))
    )
    rows = (
        counts_df.join(rejected_df, on="table", how="left")
        .with_columns(pl.col("rejected").fill_null(0).cast(pl.Int64), pl.col("valid").cast(pl.Int64))
        .with_columns(
            file=pl.col("table").replace_strict(
                {n: ", ".join(sf.path.name for sf in files) for n, files in engagement.sources.items()}
            )
        )
    )
    first = months_df.row(0, named=True)
    return EngagementSummary(
        client=engagement.contract.client,
        partners=partners,
        first_month=first["first"],
        last_month=first["last"],
        months=first["months"],
        rows=rows,
        rejected=rejected_rows,
        warnings=engagement.warnings,
    )
