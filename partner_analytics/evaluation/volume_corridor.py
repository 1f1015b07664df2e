"""The volume corridor (formulas.md §4): the client's commitment on volumes, per partner × channel × month.

The contractual forecast F of a month is, of the forecasts for that month, the one with the latest
`issued_on` on or before the month's first day minus `forecast_lead_months`; a forecast without
`issued_on` is contractual as it stands (it is preferred to dated ones). With A the offered
contacts: below L = F·(1 − band) the client owes (L − A) × price × shortfall_rate; above
U = F·(1 + band) the channel's breaches are excused. No contractual forecast: the corridor does not
apply that month (flagged, neither excuse nor compensation).
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.money import UNIT, rounded_div
from ..metrics.forecasts import contractual_forecasts

__all__ = ["CORRIDOR_POSITIONS", "corridor", "excuses"]

CORRIDOR_POSITIONS = ("below", "within", "above", "no forecast")
_MILLI = 1000


def corridor(offered: pl.LazyFrame, forecasts: pl.LazyFrame | None, contract: Contract) -> pl.LazyFrame:
    """Per partner × channel × month of the partners with a corridor: forecast, band, position, compensation.

    `offered` holds `partner_id, channel, month, offered` (channel rows only). Amounts are in cents.
    Columns: partner_id, channel, month, offered, forecast, lower, upper, position,
    shortfall_contacts, compensation.
    """
    terms = [(p.id, p.volume_corridor, p.pricing.per_handled_contact) for p in contract.partners if p.volume_corridor]
    band_u = {pid: int(c.band * UNIT) for pid, c, _ in terms}
    rate_u = {pid: int(c.shortfall_rate * UNIT) for pid, c, _ in terms}
    price_u = {f"{pid}\t{ch}": int(price * UNIT) for pid, _, prices in terms for ch, price in prices.items()}
    frame = offered.filter(pl.col("partner_id").is_in(list(band_u)))
    if forecasts is not None:
        frame = frame.join(
            contractual_forecasts(forecasts, contract).select(
                "partner_id", "channel", "month", pl.col("forecast_contacts").alias("forecast")
            ),
            on=["partner_id", "channel", "month"],
            how="left",
        )
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("forecast"))
    band = pl.col("partner_id").replace_strict(band_u, default=None, return_dtype=pl.Int64).cast(pl.Int128)
    rate = pl.col("partner_id").replace_strict(rate_u, default=None, return_dtype=pl.Int64).cast(pl.Int128)
    price = (
        pl.concat_str("partner_id", pl.lit("\t"), "channel")
        .replace_strict(price_u, default=0, return_dtype=pl.Int64)
        .cast(pl.Int128)
    )
    # In 10⁻⁹ contacts: forecast in thousandths × (UNIT ∓ band) keeps the bounds exact.
    f_milli = (pl.col("forecast") * _MILLI).round(0, mode="half_away_from_zero").cast(pl.Int128)
    lower_n = f_milli * (UNIT - band)
    upper_n = f_milli * (UNIT + band)
    actual_n = pl.col("offered").cast(pl.Int128) * (_MILLI * UNIT)
    position = (
        pl.when(pl.col("forecast").is_null())
        .then(pl.lit("no forecast"))
        .when(actual_n < lower_n)
        .then(pl.lit("below"))
        .when(actual_n > upper_n)
        .then(pl.lit("above"))
        .otherwise(pl.lit("within"))
    )
    shortfall_n = pl.when(actual_n < lower_n).then(lower_n - actual_n).otherwise(0)
    # shortfall (10⁻⁹ contacts) × price (10⁻⁶ currency) × rate (10⁻⁶) → cents: divide by 10⁹·10⁶·10⁶/100.
    compensation = rounded_div(shortfall_n * price * rate, _MILLI * UNIT * UNIT * UNIT // 100)
    return frame.select(
        "partner_id",
        "channel",
        "month",
        "offered",
        "forecast",
        (lower_n.cast(pl.Float64) / (_MILLI * UNIT)).alias("lower"),
        (upper_n.cast(pl.Float64) / (_MILLI * UNIT)).alias("upper"),
        position.alias("position"),
        (shortfall_n.cast(pl.Float64) / (_MILLI * UNIT)).alias("shortfall_contacts"),
        pl.when(pl.col("forecast").is_null()).then(0).otherwise(compensation).cast(pl.Int64).alias("compensation"),
    )


def excuses(corridor_frame: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner × month: the channels above their corridor, and partner-wide (channel null) when the
    partner's offered on the channels with a contractual forecast exceeds the sum of their upper bounds."""
    per_channel = corridor_frame.select(
        "partner_id", "channel", "month", (pl.col("position") == "above").alias("excused")
    )
    wide = (
        corridor_frame.filter(pl.col("position") != "no forecast")
        .group_by("partner_id", "month")
        .agg((pl.col("offered").sum() > pl.col("upper").sum()).alias("excused"))
        .with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    )
    return pl.concat([per_channel, wide.select(per_channel.collect_schema().names())], how="vertical")
