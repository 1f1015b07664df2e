"""The partner-wide roll-up of formulas.md §1: a ratio KPI's partner-wide row (channel null) is the sum of
its channels' numerators over the sum of their denominators, never a mean of the channels' ratios."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["with_partner_wide"]


def with_partner_wide(per_channel: pl.LazyFrame, by: Sequence[str], *, complete: bool = False) -> pl.LazyFrame:
    """The channel rows of `per_channel` and, per `by` without the channel, one partner-wide row
    (channel null) with the sum of every other column: take the ratios after.

    Rows without a channel (inputs not attributed to one, e.g. evaluations) count in the
    partner-wide sum only. With `complete`, a sum is null when a channel's is (a channel measured
    from interval reports that lack it): a partner-wide figure over some channels only is not one.
    """
    keys = [k for k in by if k != "channel"]
    schema = per_channel.collect_schema()
    summed = [c for c in schema.names() if c not in by]
    wide = (
        per_channel.group_by(keys)
        # floats summed in sorted order: the same total to the last bit whatever order the rows came in
        .agg(_total(pl.col(c), sort=schema[c].is_float(), complete=complete).alias(c) for c in summed)
        .with_columns(pl.lit(None, dtype=schema["channel"]).alias("channel"))
        .select(schema.names())
    )
    return pl.concat([per_channel.filter(pl.col("channel").is_not_null()), wide], how="vertical")


def _total(column: pl.Expr, *, sort: bool, complete: bool) -> pl.Expr:
    total = (column.sort() if sort else column).sum()
    return pl.when(column.is_null().any()).then(None).otherwise(total) if complete else total
