"""Service credits, earn-back and bonuses (FORMULAS §3), in exact cents.

- `charges`: the month's invoice when the partner billed it, else the contract's pricing applied to
  the measured answered contacts (`basis` says which).
- `credits`: a service level in breach (not excused) with an allocation earns the client
  `at_risk_amount × allocation_pct`, rounded half away from zero to the cent; when the month's credits
  exceed the at-risk amount they are scaled pro rata to it and the rounding remainder goes to the
  largest credit. The at-risk amount is itself rounded to the cent first.
- earn-back: a credit of month m is *earned back* when its service level is met in each of the months
  m+1 … m+E, *final* as soon as one of those months is observed and not met, *provisional* otherwise
  (a month is observed when it is not after the last month with contacts). The amount earned back is
  the credit as capped, booked in month m+E.
- `bonuses`: a service level whose `stretch` is reached earns `bonus_pool × allocation_pct`, capped at
  the bonus pool the same way.
"""

from __future__ import annotations

import polars as pl

from .contract import Contract
from .money import UNIT, cents_of, rounded_div
from .periods import shift_months

__all__ = ["EARNBACK_STATUSES", "bonuses", "capped_amounts", "charges", "credits"]

EARNBACK_STATUSES = ("provisional", "earned back", "final")


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


def capped_amounts(raw: str, cap: str, group: list[str], order: str) -> list[pl.Expr]:
    """Amounts in cents from exact `raw` shares (10⁻⁶ cents), never more in total than `cap` (cents).

    Each share is rounded half away from zero; when their total would exceed the cap, the cap is
    shared pro rata to the raw amounts and the rounding remainder goes to the largest share (the
    first in `order` among equals). Returns the `amount` and `capped` columns.
    """
    r = pl.col(raw).cast(pl.Int128)
    c = pl.col(cap).cast(pl.Int128)
    alone = rounded_div(r, UNIT)
    bites = alone.sum().over(group) > c
    total = r.sum().over(group)
    prorata = pl.when(total > 0).then(rounded_div(c * r, total)).otherwise(0)
    remainder = c - prorata.sum().over(group)
    largest = pl.col(order) == pl.col(order).sort_by([r, pl.col(order)], descending=[True, False]).first().over(group)
    amount = pl.when(bites).then(prorata + pl.when(largest).then(remainder).otherwise(0)).otherwise(alone)
    return [amount.cast(pl.Int64).alias("amount"), bites.alias("capped")]


def _allocated(frame: pl.LazyFrame, pool: str, fractions: dict[str, int]) -> pl.LazyFrame:
    """Add the month's `pool` (charges × the partner's fraction, to the cent) and each row's capped
    share of it by `allocation_u`."""
    fraction = pl.col("partner_id").replace_strict(fractions, default=0, return_dtype=pl.Int64).cast(pl.Int128)
    return (
        frame.with_columns(rounded_div(pl.col("charges").cast(pl.Int128) * fraction, UNIT).alias(pool))
        .with_columns((pl.col(pool).cast(pl.Int128) * pl.col("allocation_u").cast(pl.Int128)).alias("raw"))
        .with_columns(capped_amounts("raw", pool, ["partner_id", "month"], "order"))
    )


def credits(
    gaps: pl.LazyFrame, charges_frame: pl.LazyFrame, contract: Contract, last_month: pl.LazyFrame
) -> pl.LazyFrame:
    """Per partner × service level × month in breach with an allocation: the credit and its earn-back.

    Columns: partner_id, service_level, month, status, allocation_pct, charges, at_risk_amount,
    credit, capped, earnback_status, earned_back, earned_back_month. `last_month` is a one-row frame
    `last_month` (the last month with contacts).
    """
    at_risk = {p.id: int(p.at_risk_pct * UNIT) for p in contract.partners}
    months_back = {p.id: p.earnback_months for p in contract.partners}
    series = ["partner_id", "service_level"]
    frame = (
        gaps.join(charges_frame.select("partner_id", "month", "charges"), on=["partner_id", "month"], how="left")
        .join(last_month, how="cross")
        .sort("partner_id", "service_level", "month")
    )
    parts = []
    for p in contract.partners:
        e = months_back[p.id]
        mine = frame.filter(pl.col("partner_id") == p.id)
        if e == 0:
            status = pl.lit("final")
        else:
            met = [(pl.col("status").shift(-k).over(series) == "met").fill_null(False) for k in range(1, e + 1)]
            seen = [shift_months(pl.col("month"), k) <= pl.col("last_month") for k in range(1, e + 1)]
            failed = pl.any_horizontal([s & ~m for s, m in zip(seen, met, strict=True)])
            status = (
                pl.when(failed)
                .then(pl.lit("final"))
                .when(pl.all_horizontal(met))
                .then(pl.lit("earned back"))
                .otherwise(pl.lit("provisional"))
            )
        parts.append(
            mine.with_columns(
                status.alias("earnback_status"), shift_months(pl.col("month"), e).alias("earned_back_month")
            )
        )
    if not parts:
        return _empty_credits()
    due = (
        pl.concat(parts, how="vertical")
        .filter((pl.col("status") == "breach") & (pl.col("allocation_u") > 0))
        .pipe(_allocated, "at_risk_amount", at_risk)
    )
    return due.select(
        "partner_id",
        "service_level",
        "month",
        "status",
        "allocation_pct",
        "charges",
        "at_risk_amount",
        pl.col("amount").alias("credit"),
        "capped",
        "earnback_status",
        pl.when(pl.col("earnback_status") == "earned back").then(pl.col("amount")).otherwise(0).alias("earned_back"),
        pl.when(pl.col("earnback_status") == "earned back")
        .then(pl.col("earned_back_month"))
        .alias("earned_back_month"),
    ).sort("partner_id", "month", "service_level")


def _empty_credits() -> pl.LazyFrame:
    return pl.LazyFrame(
        schema={
            "partner_id": pl.String,
            "service_level": pl.String,
            "month": pl.Date,
            "status": pl.String,
            "allocation_pct": pl.Float64,
            "charges": pl.Int64,
            "at_risk_amount": pl.Int64,
            "credit": pl.Int64,
            "capped": pl.Boolean,
            "earnback_status": pl.String,
            "earned_back": pl.Int64,
            "earned_back_month": pl.Date,
        }
    )


def bonuses(gaps: pl.LazyFrame, charges_frame: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Per partner × service level × month whose stretch is reached: the bonus (cents), capped at the pool."""
    pool = {p.id: int(p.bonus.pool_pct * UNIT) for p in contract.partners if p.bonus}
    return (
        gaps.filter(pl.col("partner_id").is_in(list(pool)) & pl.col("stretch_reached") & (pl.col("allocation_u") > 0))
        .join(charges_frame.select("partner_id", "month", "charges"), on=["partner_id", "month"], how="left")
        .pipe(_allocated, "bonus_pool", pool)
        .select(
            "partner_id",
            "service_level",
            "month",
            "value",
            "stretch",
            "allocation_pct",
            "charges",
            "bonus_pool",
            pl.col("amount").alias("bonus"),
            "capped",
        )
        .sort("partner_id", "month", "service_level")
    )
