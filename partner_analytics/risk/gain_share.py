"""Gain-share on first-contact resolution (formulas.md §5), in exact cents.

Per partner × month, with fcr and H (the answered contacts counted in it) partner-wide:
`avoided_contacts = (fcr − baseline_fcr) × H`, `value = avoided_contacts × charges / answered`,
`gain_share = provider_share × value` when value > 0; a negative value gives 0 unless `pain_share`.
Since fcr × H is the count of resolved contacts, the value is computed exactly as
`(resolved − baseline_fcr × H) × charges / answered` and rounded once to the cent.
With share bands (`gain_bands`, `pain_bands`) the provider's share is marginal: each band of
|value| / charges contributes its share of the part of the value inside it (a flat share is one band
from 0 with no end), e.g. losses shared 100 % up to 2 %, 50 % from 2 to 4 %, 20 % above: a 5 % loss
costs the provider 2 + 1 + 0.2 = 3.2 % of the charges.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract, ShareBand
from ..core.money import UNIT, rounded_div, units

__all__ = ["gain_share"]


def _share_bands(contract: Contract) -> pl.LazyFrame:
    """The provider's share by band, per partner and side (gain, pain), fractions in 10⁻⁶ units.

    A flat `provider_share` is one band from 0 with no end; a side without any band (losses without
    `pain_share`) shares nothing."""
    rows = []
    for p in contract.partners:
        terms = p.gain_share
        if terms is None:
            continue
        flat = (
            (ShareBand(lower=0, upper=None, provider_share=terms.provider_share),)
            if terms.provider_share is not None
            else ()
        )
        sides = {"gain": terms.gain_bands or flat, "pain": (terms.pain_bands or flat) if terms.pain_share else ()}
        rows += [
            {
                "partner_id": p.id,
                "side": side,
                "lower_u": units(band.lower),
                "upper_u": units(band.upper) if band.upper is not None else None,
                "share_u": units(band.provider_share),
            }
            for side, bands in sides.items()
            for band in bands
        ]
    schema = {"partner_id": pl.String, "side": pl.String, "lower_u": pl.Int64, "upper_u": pl.Int64, "share_u": pl.Int64}
    return pl.LazyFrame(rows, schema=schema)


def _provider_part(values: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Per partner × month: Σ over bands of share × the part of |value| in the band, in the units of
    `value_n` × 10⁻⁶ (`value_n` = value × answered × 10⁶ cents, the band edges scaled the same way)."""
    scale = pl.col("charges").cast(pl.Int128).abs() * pl.col("answered").cast(pl.Int128)
    low = pl.col("lower_u").cast(pl.Int128) * scale
    high = pl.col("upper_u").cast(pl.Int128) * scale
    above_low = pl.max_horizontal(pl.col("value_n").abs() - low, pl.lit(0, dtype=pl.Int128))
    inside = pl.when(high.is_null()).then(above_low).otherwise(pl.min_horizontal(above_low, high - low))
    return (
        values.join(_share_bands(contract), on=["partner_id", "side"], how="inner")
        .group_by("partner_id", "month")
        .agg((pl.col("share_u").cast(pl.Int128) * inside).sum().alias("provider_n"))
    )


def gain_share(results: pl.LazyFrame, charges_frame: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Per partner × month of the partners with gain-share terms: the avoided contacts, value and share."""
    terms = {p.id: p.gain_share for p in contract.partners if p.gain_share}
    if not terms:
        return pl.LazyFrame(schema=_GAIN_SCHEMA)
    baseline = {pid: units(t.baseline_fcr) for pid, t in terms.items()}
    wide = results.filter(pl.col("channel").is_null() & pl.col("partner_id").is_in(list(terms)))
    fcr = wide.filter(pl.col("kpi") == "fcr").select(
        "partner_id",
        "month",
        pl.col("value").alias("fcr"),
        pl.col("numerator").alias("resolved"),
        pl.col("denominator").alias("counted"),
    )
    answered = wide.filter(pl.col("kpi") == "answered").select(
        "partner_id", "month", pl.col("numerator").alias("answered")
    )
    base = pl.col("partner_id").replace_strict(baseline, return_dtype=pl.Int64).cast(pl.Int128)
    # (resolved − baseline × H) in 10⁻⁶ contacts; value = avoided_u × charges / (answered × 10⁶) cents
    avoided_u = pl.col("resolved").cast(pl.Int128) * UNIT - base * pl.col("counted").cast(pl.Int128)
    measurable = pl.col("fcr").is_not_null() & (pl.col("answered") > 0)
    frame = (
        charges_frame.filter(pl.col("partner_id").is_in(list(terms)))
        .select("partner_id", "month", "charges")
        .join(fcr, on=["partner_id", "month"], how="left")
        .join(answered, on=["partner_id", "month"], how="left")
        .with_columns(
            avoided_u.alias("avoided_u"),
            (avoided_u * pl.col("charges").cast(pl.Int128)).alias("value_n"),
            pl.when(avoided_u > 0).then(pl.lit("gain")).otherwise(pl.lit("pain")).alias("side"),
        )
    )
    parts = _provider_part(frame.filter(measurable), contract)
    value_den = pl.col("answered").cast(pl.Int128) * UNIT
    shared = pl.col("value_n").sign() * rounded_div(pl.col("provider_n").fill_null(0), value_den * UNIT)
    return frame.join(parts, on=["partner_id", "month"], how="left").select(
        "partner_id",
        "month",
        "fcr",
        (base.cast(pl.Float64) / UNIT).alias("baseline_fcr"),
        "counted",
        "answered",
        pl.when(measurable).then(pl.col("avoided_u").cast(pl.Float64) / UNIT).alias("avoided_contacts"),
        pl.when(measurable).then(rounded_div(pl.col("value_n"), value_den)).alias("value"),
        pl.when(measurable).then(shared).otherwise(0).cast(pl.Int64).alias("gain_share"),
        pl.when(measurable)
        .then(None)
        .otherwise(pl.lit("FCR not measurable this month: no gain-share"))
        .cast(pl.String)
        .alias("note"),
    )


_GAIN_SCHEMA = {
    "partner_id": pl.String,
    "month": pl.Date,
    "fcr": pl.Float64,
    "baseline_fcr": pl.Float64,
    "counted": pl.Float64,
    "answered": pl.Float64,
    "avoided_contacts": pl.Float64,
    "value": pl.Int64,
    "gain_share": pl.Int64,
    "note": pl.String,
}
