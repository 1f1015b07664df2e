"""Service credits and earn-back (formulas.md §3), in exact cents.

- `credits`: a service level with an allocation earns the client a credit when its trigger fires
  (`contract.Credit`; by default a breach, not excused): `at_risk_amount × allocation_pct` (× the
  escalation multiplier of the k-th consecutive breach), or for a `shortfall` trigger
  `charges × min(factor × relative shortfall, max_pct)`, at most `at_risk_amount × allocation_pct`.
  Each is computed from the exact at-risk amount (charges × at_risk_pct, not rounded) and rounded once,
  half away from zero, to the cent; when the month's credits exceed the at-risk amount as shown (to the
  cent) they are scaled pro rata to it and the rounding remainder goes to the largest credit.
- earn-back: a credit of month m is *earned back* when its service level is met in each of the months
  m+1 … m+E, *final* as soon as one of those months is observed and not met, *provisional* otherwise
  (a month is observed when it is not after the last month with contacts). The amount earned back is
  the credit as capped, booked in month m+E.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract
from ..core.money import UNIT, rounded_div, units
from ..core.periods import shift_months
from .charges import with_charges_share

__all__ = ["EARNBACK_STATUSES", "capped_amounts", "credit_terms", "credits"]

EARNBACK_STATUSES = ("provisional", "earned back", "final")


def capped_amounts(raw: str, cap: str, group: list[str], order: str, *, scale: int = UNIT) -> list[pl.Expr]:
    """Amounts in cents from exact `raw` shares (in 1/`scale` cents), never more in total than `cap` (cents).

    Each share is rounded half away from zero; when their total would exceed the cap, the cap is
    shared pro rata to the raw amounts and the rounding remainder goes to the largest share (the
    first in `order` among equals). Returns the `amount` and `capped` columns.
    """
    r = pl.col(raw).cast(pl.Int128)
    c = pl.col(cap).cast(pl.Int128)
    alone = rounded_div(r, scale)
    bites = alone.sum().over(group) > c
    total = r.sum().over(group)
    prorata = pl.when(total > 0).then(rounded_div(c * r, total)).otherwise(0)
    remainder = c - prorata.sum().over(group)
    largest = pl.col(order) == pl.col(order).sort_by([r, pl.col(order)], descending=[True, False]).first().over(group)
    amount = pl.when(bites).then(prorata + pl.when(largest).then(remainder).otherwise(0)).otherwise(alone)
    return [amount.cast(pl.Int64).alias("amount"), bites.alias("capped")]


def credit_terms(contract: Contract) -> pl.LazyFrame:
    """Each service level's credit terms (its own, else its partner's), fractions in 10⁻⁶ units."""
    rows = []
    for p in contract.partners:
        for sl in p.service_levels:
            terms = p.credit_of(sl)
            rows.append(
                {
                    "partner_id": p.id,
                    "service_level": sl.key,
                    "trigger": terms.trigger,
                    "consecutive": terms.consecutive,
                    "escalation_u": [units(m) for m in terms.escalation],
                    "factor_u": units(terms.factor) if terms.factor is not None else None,
                    "max_rate_u": units(terms.max_pct) if terms.max_pct is not None else None,
                }
            )
    schema = {
        "partner_id": pl.String,
        "service_level": pl.String,
        "trigger": pl.String,
        "consecutive": pl.Int64,
        "escalation_u": pl.List(pl.Int64),
        "factor_u": pl.Int64,
        "max_rate_u": pl.Int64,
    }
    return pl.LazyFrame(rows, schema=schema)


def _triggered() -> pl.Expr:
    """Whether a service level's month earns a credit under its trigger (formulas.md §3 by default)."""
    status, trigger = pl.col("status"), pl.col("trigger")
    return (
        pl.when(trigger == "target_misses")
        .then(pl.col("miss_streak") >= pl.col("consecutive"))
        .when(trigger == "shortfall")
        .then(status.is_in(["below target", "breach"]))
        .otherwise(status == "breach")
    )


def _multiplier_u() -> pl.Expr:
    """The escalation multiplier (10⁻⁶) of the k-th consecutive breach; 1 without escalation."""
    steps = pl.col("escalation_u")
    k = pl.min_horizontal(pl.col("breach_streak").cast(pl.Int64), steps.list.len().cast(pl.Int64))
    escalated = (pl.col("trigger") == "minimum_miss") & (steps.list.len() > 0)
    return pl.when(escalated).then(steps.list.get(k - 1, null_on_oob=True)).otherwise(UNIT).cast(pl.Int128)


def _credit_rate_u() -> pl.Expr:
    """Shortfall credit rate (10⁻⁶ of charges): factor × d·(target − value) / target, rounded once, at most max_pct."""
    d = pl.col("direction").cast(pl.Float64)
    relative = d * (pl.col("target") - pl.col("value")) / pl.col("target")
    rate = (relative * pl.col("factor_u")).round(0, mode="half_away_from_zero").cast(pl.Int64)
    capped = pl.when(rate > pl.col("max_rate_u")).then(pl.col("max_rate_u")).otherwise(rate)
    return pl.when(pl.col("max_rate_u").is_null()).then(rate).otherwise(capped)


def _raw_credit(at_risk_u: pl.Expr) -> pl.Expr:
    """The uncapped credit in 10⁻¹⁸ cents from the exact at-risk amount `at_risk_u` (10⁻⁶ cents), so that
    every trigger's amount is exact before its one rounding (formulas.md §7)."""
    allocated = at_risk_u.cast(pl.Int128) * pl.col("allocation_u").cast(pl.Int128)  # 10⁻¹² cents
    charged = pl.col("charges").cast(pl.Int128) * pl.col("credit_rate_u").cast(pl.Int128) * UNIT  # 10⁻¹² cents
    shortfall = pl.when(charged < allocated).then(charged).otherwise(allocated)
    return pl.when(pl.col("trigger") == "shortfall").then(shortfall * UNIT).otherwise(allocated * _multiplier_u())


def _earnback_status(months_back: dict[str, int]) -> pl.Expr:
    """provisional / earned back / final of formulas.md §3, with each partner's E months."""
    series = ["partner_id", "service_level"]
    e = pl.col("partner_id").replace_strict(months_back, default=0, return_dtype=pl.Int64)
    longest = max(months_back.values(), default=0)
    if longest == 0:
        return pl.lit("final")
    met = [(pl.col("status").shift(-k).over(series) == "met").fill_null(False) for k in range(1, longest + 1)]
    seen = [shift_months(pl.col("month"), k) <= pl.col("last_month") for k in range(1, longest + 1)]
    counts = [e >= k for k in range(1, longest + 1)]
    failed = pl.any_horizontal([c & s & ~m for c, s, m in zip(counts, seen, met, strict=True)])
    all_met = pl.all_horizontal([~c | m for c, m in zip(counts, met, strict=True)])
    return (
        pl.when((e == 0) | failed)
        .then(pl.lit("final"))
        .when(all_met)
        .then(pl.lit("earned back"))
        .otherwise(pl.lit("provisional"))
    )


def credits(
    gaps: pl.LazyFrame, charges_frame: pl.LazyFrame, contract: Contract, last_month: pl.LazyFrame
) -> pl.LazyFrame:
    """Per partner × service level × month whose credit trigger fires, with an allocation: the credit
    and its earn-back.

    Columns: partner_id, service_level, month, status, trigger, multiplier, credit_rate, allocation_pct,
    charges, at_risk_amount, credit, capped, earnback_status, earned_back, earned_back_month.
    `last_month` is a one-row frame `last_month` (the last month with contacts).
    """
    at_risk = {p.id: units(p.at_risk_pct) for p in contract.partners}
    months_back = {p.id: p.earnback_months for p in contract.partners}
    e = pl.col("partner_id").replace_strict(months_back, default=0, return_dtype=pl.Int64)
    at_risk_pct_u = pl.col("partner_id").replace_strict(at_risk, default=0, return_dtype=pl.Int64).cast(pl.Int128)
    at_risk_u = pl.col("charges").cast(pl.Int128) * at_risk_pct_u  # exact, 10⁻⁶ cents
    due = (
        gaps.join(charges_frame.select("partner_id", "month", "charges"), on=["partner_id", "month"], how="left")
        .join(last_month, how="cross")
        .join(credit_terms(contract), on=["partner_id", "service_level"], how="left")
        .sort("partner_id", "service_level", "month")
        .with_columns(
            _earnback_status(months_back).alias("earnback_status"),
            shift_months(pl.col("month"), e).alias("earned_back_month"),
        )
        .filter(_triggered() & (pl.col("allocation_u") > 0))
        .pipe(with_charges_share, "at_risk_amount", at_risk)
        .with_columns(_credit_rate_u().alias("credit_rate_u"))
        .with_columns(_raw_credit(at_risk_u).alias("raw"))
        .with_columns(capped_amounts("raw", "at_risk_amount", ["partner_id", "month"], "order", scale=UNIT**3))
    )
    shortfall = pl.col("trigger") == "shortfall"
    earned = pl.col("earnback_status") == "earned back"
    return due.select(
        "partner_id",
        "service_level",
        "month",
        "status",
        "trigger",
        # exact 10⁻⁶ fractions shown as floats: round so a division by reciprocal shows 0.025, not 0.0249…
        pl.when(shortfall).then(None).otherwise(_multiplier_u() / UNIT).round(6).alias("multiplier"),
        pl.when(shortfall).then(pl.col("credit_rate_u") / UNIT).round(6).alias("credit_rate"),
        "allocation_pct",
        "charges",
        "at_risk_amount",
        pl.col("amount").alias("credit"),
        "capped",
        "earnback_status",
        pl.when(earned).then(pl.col("amount")).otherwise(0).alias("earned_back"),
        pl.when(earned).then(pl.col("earned_back_month")).alias("earned_back_month"),
    ).sort("partner_id", "month", "service_level")
