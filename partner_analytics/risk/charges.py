"""The month's charges (formulas.md §3), in exact cents: the partner's invoice when it billed the month,
else the contract's pricing applied to the measured answered contacts; and the shares of the charges
that credits and bonuses are drawn from.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.money import UNIT, cents_of, rounded_div

__all__ = ["charges", "with_charges_share"]


def charges(
    results: pl.LazyFrame, invoices: pl.LazyFrame | None, contract: Contract, grid: pl.LazyFrame
) -> pl.LazyFrame:
    """Per partner × month of the grid: `expected` (pricing × answered), `invoiced`, `charges`, `basis`."""
    prices = {
        f"{p.id}\t{ch}": int(price * UNIT)
        for p in contract.partners
        for ch, price in p.pricing.per_handled_contact.items()
    }
    fees = {p.id: int((p.pricing.monthly_fee or 0) * UNIT) for p in contract.partners}
    per_contact = (
        results.filter((pl.col("kpi") == "answered") & pl.col("channel").is_not_null())
        .with_columns(
            pl.concat_str("partner_id", pl.lit("\t"), "channel")
            .replace_strict(prices, default=0, return_dtype=pl.Int64)
            .alias("price_u")
        )
        .group_by("partner_id", "month")
        .agg((pl.col("numerator").cast(pl.Int128) * pl.col("price_u").cast(pl.Int128)).sum().alias("variable_u"))
    )
    fee_u = pl.col("partner_id").replace_strict(fees, default=0, return_dtype=pl.Int64).cast(pl.Int128)
    frame = grid.join(per_contact, on=["partner_id", "month"], how="left").with_columns(
        rounded_div(pl.col("variable_u").fill_null(0) + fee_u, UNIT // 100).alias("expected")
    )
    if invoices is not None:
        billed = invoices.group_by("partner_id", "month").agg(cents_of(pl.col("amount")).sum().alias("invoiced"))
        frame = frame.join(billed, on=["partner_id", "month"], how="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("invoiced"))
    return frame.select(
        "partner_id",
        "month",
        "expected",
        "invoiced",
        pl.coalesce("invoiced", "expected").alias("charges"),
        pl.when(pl.col("invoiced").is_not_null()).then(pl.lit("invoice")).otherwise(pl.lit("pricing")).alias("basis"),
    )


def with_charges_share(frame: pl.LazyFrame, name: str, fractions: dict[str, int]) -> pl.LazyFrame:
    """`frame` with the column `name`: its `charges` × the partner's fraction (10⁻⁶ units), to the cent
    (the at-risk amount of credits, the bonus pool)."""
    fraction = pl.col("partner_id").replace_strict(fractions, default=0, return_dtype=pl.Int64).cast(pl.Int128)
    return frame.with_columns(rounded_div(pl.col("charges").cast(pl.Int128) * fraction, UNIT).alias(name))
