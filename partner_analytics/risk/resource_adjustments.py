"""Anchored pricing (ARC/RRC): the price moves with the volume beyond a dead-band around a baseline.

Per partner × baseline (a channel, or the partner's whole volume) × month, with B the monthly
`baseline_contacts`, L = B·(1 − band), U = B·(1 + band) and A the month's volume (answered or
offered contacts):
- A > U: additional resource charges `(A − U) × arc_rate` (`rates_from: band_edge`, the default) or
  `(A − B) × arc_rate` (`rates_from: baseline`: once the band is breached, the rate runs from the
  baseline);
- A < L: a reduced resource credit `(L − A) × rrc_rate`, or `(B − A) × rrc_rate`;
- within [L, U]: no change.
The `adjustment` is signed for the statement (+ ARC, − RRC), computed exactly and rounded once,
half away from zero, to the cent. A month of the grid without contacts has a volume of 0.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.money import UNIT, rounded_div, units

__all__ = ["RESOURCE_POSITIONS", "RESOURCE_SCHEMA", "resource_adjustments"]

RESOURCE_POSITIONS = ("below", "within", "above")
# Contacts in 10⁻¹² (baseline in 10⁻⁶ × band factor in 10⁻⁶), rates in 10⁻⁶: amounts in 10⁻¹⁶ cents.
_CONTACTS = UNIT * UNIT
_TO_CENTS = _CONTACTS * UNIT // 100

_SCHEMA = {
    "partner_id": pl.String,
    "channel": pl.String,
    "volume_kpi": pl.String,
    "baseline_u": pl.Int64,
    "band_u": pl.Int64,
    "arc_u": pl.Int64,
    "rrc_u": pl.Int64,
    "from_baseline": pl.Boolean,
}


RESOURCE_SCHEMA = {
    "partner_id": pl.String,
    "channel": pl.String,
    "month": pl.Date,
    "volume": pl.Int64,
    "baseline": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "position": pl.String,
    "adjusted_contacts": pl.Float64,
    "rate": pl.Float64,
    "adjustment": pl.Int64,
}


def _baselines(contract: Contract) -> pl.LazyFrame:
    rows = [
        {
            "partner_id": p.id,
            "channel": b.channel,
            "volume_kpi": b.volume,
            "baseline_u": units(b.baseline_contacts),
            "band_u": units(b.band),
            "arc_u": units(b.arc_rate),
            "rrc_u": units(b.rrc_rate),
            "from_baseline": b.rates_from == "baseline",
        }
        for p in contract.partners
        for b in p.pricing.resource_baselines
    ]
    return pl.LazyFrame(rows, schema=_SCHEMA)


def resource_adjustments(results: pl.LazyFrame, contract: Contract, grid: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner × baseline × month of the grid: volume, band, position and the signed adjustment.

    Columns: partner_id, channel, month, volume, baseline, lower, upper, position, adjusted_contacts
    (signed: + above, − below), rate, adjustment (cents, + ARC, − RRC).
    """
    if not any(p.pricing.resource_baselines for p in contract.partners):
        return pl.LazyFrame(schema=RESOURCE_SCHEMA)
    volumes = results.filter(pl.col("kpi").is_in(["answered", "offered"])).select(
        "partner_id", "channel", "month", pl.col("kpi").alias("volume_kpi"), pl.col("numerator").alias("volume")
    )
    c = pl.col
    base_n = c("baseline_u").cast(pl.Int128) * UNIT
    lower_n = c("baseline_u").cast(pl.Int128) * (UNIT - c("band_u").cast(pl.Int128))
    upper_n = c("baseline_u").cast(pl.Int128) * (UNIT + c("band_u").cast(pl.Int128))
    actual_n = c("volume").cast(pl.Int128) * _CONTACTS
    below, above = actual_n < lower_n, actual_n > upper_n
    from_base = c("from_baseline")
    adjusted_n = (
        pl.when(above)
        .then(actual_n - pl.when(from_base).then(base_n).otherwise(upper_n))
        .when(below)
        .then(actual_n - pl.when(from_base).then(base_n).otherwise(lower_n))
        .otherwise(pl.lit(0, dtype=pl.Int128))
    )
    rate_u = pl.when(above).then(c("arc_u")).when(below).then(c("rrc_u")).otherwise(0).cast(pl.Int128)
    return (
        _baselines(contract)
        .join(grid, on="partner_id", how="inner")
        .join(volumes, on=["partner_id", "channel", "month", "volume_kpi"], how="left", nulls_equal=True)
        .with_columns(c("volume").fill_null(0).cast(pl.Int64))
        .select(
            "partner_id",
            "channel",
            "month",
            "volume",
            (c("baseline_u").cast(pl.Float64) / UNIT).alias("baseline"),
            (lower_n.cast(pl.Float64) / _CONTACTS).alias("lower"),
            (upper_n.cast(pl.Float64) / _CONTACTS).alias("upper"),
            pl.when(above)
            .then(pl.lit("above"))
            .when(below)
            .then(pl.lit("below"))
            .otherwise(pl.lit("within"))
            .alias("position"),
            (adjusted_n.cast(pl.Float64) / _CONTACTS).alias("adjusted_contacts"),
            (rate_u.cast(pl.Float64) / UNIT).alias("rate"),
            rounded_div(adjusted_n * rate_u, _TO_CENTS).alias("adjustment"),
        )
        .sort("partner_id", "channel", "month", nulls_last=False)
    )
