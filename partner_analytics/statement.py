"""Gain-share on first-contact resolution (FORMULAS §5) and the net statement (§6), in exact cents.

Gain-share, per partner × month, with fcr and H (the answered contacts counted in it) partner-wide:
`avoided_contacts = (fcr − baseline_fcr) × H`, `value = avoided_contacts × charges / answered`,
`gain_share = provider_share × value` when value > 0; a negative value gives 0 unless `pain_share`.
Since fcr × H is the count of resolved contacts, the value is computed exactly as
`(resolved − baseline_fcr × H) × charges / answered` and rounded once to the cent.

The statement: `net = charges − credits + earned_back + bonus + corridor_compensation + gain_share`,
per partner × month, with the credits still provisional shown apart; a cycle's statement is the sum
of its months, so it adds up to the cent.
"""

from __future__ import annotations

import polars as pl

from .contract import Contract
from .money import UNIT, rounded_div

__all__ = ["STATEMENT_AMOUNTS", "cycle_statement", "gain_share", "statement"]

STATEMENT_AMOUNTS = (
    "charges",
    "credits",
    "credits_provisional",
    "earned_back",
    "bonus",
    "corridor_compensation",
    "gain_share",
    "net",
)


def gain_share(results: pl.LazyFrame, charges_frame: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """Per partner × month of the partners with gain-share terms: the avoided contacts, value and share."""
    terms = {p.id: p.gain_share for p in contract.partners if p.gain_share}
    if not terms:
        return pl.LazyFrame(schema=_GAIN_SCHEMA)
    baseline = {pid: int(t.baseline_fcr * UNIT) for pid, t in terms.items()}
    share = {pid: int(t.provider_share * UNIT) for pid, t in terms.items()}
    pain = {pid: t.pain_share for pid, t in terms.items()}
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
    part = pl.col("partner_id").replace_strict(share, return_dtype=pl.Int64).cast(pl.Int128)
    pains = pl.col("partner_id").replace_strict(pain, return_dtype=pl.Boolean)
    # (resolved − baseline × H) in 10⁻⁶ contacts
    avoided_u = pl.col("resolved").cast(pl.Int128) * UNIT - base * pl.col("counted").cast(pl.Int128)
    measurable = pl.col("fcr").is_not_null() & (pl.col("answered") > 0)
    value = rounded_div(avoided_u * pl.col("charges").cast(pl.Int128), pl.col("answered").cast(pl.Int128) * UNIT)
    shared = rounded_div(
        avoided_u * pl.col("charges").cast(pl.Int128) * part, pl.col("answered").cast(pl.Int128) * UNIT * UNIT
    )
    return (
        charges_frame.filter(pl.col("partner_id").is_in(list(terms)))
        .select("partner_id", "month", "charges")
        .join(fcr, on=["partner_id", "month"], how="left")
        .join(answered, on=["partner_id", "month"], how="left")
        .select(
            "partner_id",
            "month",
            "fcr",
            (base.cast(pl.Float64) / UNIT).alias("baseline_fcr"),
            "counted",
            "answered",
            pl.when(measurable).then(avoided_u.cast(pl.Float64) / UNIT).alias("avoided_contacts"),
            pl.when(measurable).then(value).alias("value"),
            pl.when(measurable & ((avoided_u > 0) | pains))
            .then(shared)
            .otherwise(0)
            .cast(pl.Int64)
            .alias("gain_share"),
            pl.when(measurable)
            .then(None)
            .otherwise(pl.lit("FCR not measurable this month: no gain-share"))
            .cast(pl.String)
            .alias("note"),
        )
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


def statement(
    charges_frame: pl.LazyFrame,
    credits_frame: pl.LazyFrame,
    bonuses_frame: pl.LazyFrame,
    corridor_frame: pl.LazyFrame,
    gain_frame: pl.LazyFrame,
) -> pl.LazyFrame:
    """The net statement per partner × month (every amount in cents)."""
    keys = ["partner_id", "month"]
    credit = credits_frame.group_by(keys).agg(
        pl.col("credit").sum().alias("credits"),
        pl.col("credit").filter(pl.col("earnback_status") == "provisional").sum().alias("credits_provisional"),
        pl.col("at_risk_amount").first().alias("at_risk_amount"),
    )
    earned = (
        credits_frame.filter(pl.col("earned_back") > 0)
        .group_by("partner_id", pl.col("earned_back_month").alias("month"))
        .agg(pl.col("earned_back").sum())
    )
    bonus = bonuses_frame.group_by(keys).agg(pl.col("bonus").sum())
    corridor = corridor_frame.group_by(keys).agg(pl.col("compensation").sum().alias("corridor_compensation"))
    gain = gain_frame.select(*keys, "gain_share")
    frame = charges_frame.select(*keys, "charges", "basis")
    for part in (credit, earned, bonus, corridor, gain):
        frame = frame.join(part, on=keys, how="left")
    amounts = ["credits", "credits_provisional", "earned_back", "bonus", "corridor_compensation", "gain_share"]
    frame = frame.with_columns(pl.col(a).fill_null(0).cast(pl.Int64) for a in amounts)
    net = (
        pl.col("charges")
        - pl.col("credits")
        + pl.col("earned_back")
        + pl.col("bonus")
        + pl.col("corridor_compensation")
        + pl.col("gain_share")
    )
    return frame.with_columns(net.alias("net")).select(*keys, "basis", *STATEMENT_AMOUNTS).sort(keys)


def cycle_statement(statement_frame: pl.LazyFrame, cycle: str = "quarter") -> pl.LazyFrame:
    """The statement summed per partner × cycle (`month` or `quarter`); the cycle is labelled `2026-Q3`."""
    if cycle == "month":
        label = pl.col("month").dt.strftime("%Y-%m")
    elif cycle == "quarter":
        label = pl.format("{}-Q{}", pl.col("month").dt.year(), pl.col("month").dt.quarter())
    else:
        raise ValueError(f"cycle {cycle!r}: expected 'month' or 'quarter'")
    return (
        statement_frame.group_by("partner_id", label.alias("cycle"))
        .agg(
            pl.col("month").min().alias("first_month"),
            pl.len().alias("months"),
            *[pl.col(a).sum() for a in STATEMENT_AMOUNTS],
        )
        .sort("partner_id", "cycle")
    )
