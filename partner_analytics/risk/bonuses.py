"""Bonuses (formulas.md §3), in exact cents: a service level whose `stretch` is reached earns
`bonus_pool × allocation_pct`, capped at the bonus pool the same way as credits at the at-risk amount
(the pool is `bonus.pool_pct` of charges, or mirrors the at-risk amount without it); under
`bonus: {basis: fixed}` it earns its own `bonus_amount`.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.money import units
from .charges import with_charges_share
from .credits import capped_amounts

__all__ = ["bonuses"]


def _bonus_amounts(contract: Contract) -> pl.LazyFrame:
    """The fixed bonus (cents) of each service level of the partners with `bonus: {basis: fixed}`."""
    rows = [
        {"partner_id": p.id, "service_level": sl.key, "fixed": int(sl.bonus_amount * 100)}
        for p in contract.partners
        if p.bonus and p.bonus.basis == "fixed"
        for sl in p.service_levels
        if sl.bonus_amount is not None
    ]
    return pl.LazyFrame(rows, schema={"partner_id": pl.String, "service_level": pl.String, "fixed": pl.Int64})


def bonuses(gaps: pl.LazyFrame, charges_frame: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Per partner × service level × month whose stretch is reached: the bonus (cents), from the pool
    (capped at it) or the service level's fixed amount (`basis`: pool or fixed).

    Columns: partner_id, service_level, month, value, stretch, allocation_pct, charges, bonus_pool,
    bonus, capped, basis.
    """
    pool = {p.id: units(p.bonus_pool_pct) for p in contract.partners if p.bonus_pool_pct is not None}
    reached = gaps.filter(pl.col("stretch_reached")).join(
        charges_frame.select("partner_id", "month", "charges"), on=["partner_id", "month"], how="left"
    )
    columns = ["partner_id", "service_level", "month", "value", "stretch", "allocation_pct", "charges"]
    amounts = [pl.col("bonus_pool").cast(pl.Int64), pl.col("amount").alias("bonus"), "capped"]
    parts = []
    if pool:
        pooled = (
            reached.filter(pl.col("partner_id").is_in(list(pool)) & (pl.col("allocation_u") > 0))
            .pipe(with_charges_share, "bonus_pool", pool)
            .with_columns((pl.col("bonus_pool").cast(pl.Int128) * pl.col("allocation_u").cast(pl.Int128)).alias("raw"))
            .with_columns(capped_amounts("raw", "bonus_pool", ["partner_id", "month"], "order"))
        )
        parts.append(pooled.select(*columns, *amounts, pl.lit("pool").alias("basis")))
    fixed = _bonus_amounts(contract)
    if any(p.bonus and p.bonus.basis == "fixed" for p in contract.partners) or not parts:
        paid = reached.join(fixed, on=["partner_id", "service_level"], how="inner").with_columns(
            pl.lit(None, dtype=pl.Int64).alias("bonus_pool"),
            pl.col("fixed").alias("amount"),
            pl.lit(False).alias("capped"),
        )
        parts.append(paid.select(*columns, *amounts, pl.lit("fixed").alias("basis")))
    return pl.concat(parts, how="vertical").sort("partner_id", "month", "service_level")
