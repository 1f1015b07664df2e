"""The service level under each channel's formula (the contract's `service_level_formula`, formulas.md §1
by default).

Every formula is a ratio of counts that the results keep as rows (SERVICE_LEVEL_COUNTS), so the
partner-wide service level is the sum of the channels' numerators over the sum of their
denominators, a service level of the contract with a formula of its own is computed from the same
counts (`service_level_terms`), and `service_level_results` restates the service level of a results
table under other contract terms without reading contacts again.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..contract.terms import ChannelTerms, Contract, ServiceLevelFormula
from ..core.kpis import kpi
from .partner_wide import with_partner_wide
from .result_rows import kpi_row

__all__ = [
    "SERVICE_LEVEL_COUNTS",
    "count_columns",
    "formula_columns",
    "service_level_results",
    "service_level_terms",
    "with_channel_formulas",
]

SERVICE_LEVEL_COUNTS = (
    "offered",
    "answered",
    "short_abandons",
    "in_service",
    "abandons_within_threshold",
    "outside_hours",
    "answered_outside_hours",
)
"""The count KPIs every service-level formula is a ratio of (the contacts outside service hours are
left out of offered and answered, formulas.md §1.10)."""


def service_level_terms(denominator: pl.Expr, shorts_in: pl.Expr, abandons_in: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(numerator, denominator) of the service level from the SERVICE_LEVEL_COUNTS columns, under a
    formula's options given as expressions (so they may differ per row: per channel, per service level).

    numerator = in service (+ abandons within T, less the short abandons unless they are counted);
    denominator = offered (− short abandons unless counted) | answered | answered + abandons after T,
    offered and answered within service hours.
    """
    c = pl.col
    # within service hours; a results table saved before the count existed has none outside
    offered = c("offered") - c("outside_hours").fill_null(0)
    answered = c("answered") - c("answered_outside_hours").fill_null(0)
    shorts_out = pl.when(shorts_in).then(0).otherwise(c("short_abandons"))
    numerator = c("in_service") + pl.when(abandons_in).then(c("abandons_within_threshold") - shorts_out).otherwise(0)
    den = (
        pl.when(denominator == "answered")
        .then(answered)
        .when(denominator == "answered_and_late_abandons")
        .then(offered - c("abandons_within_threshold"))  # answered + (abandoned − abandoned within T)
        .otherwise(offered - shorts_out)
    )
    return numerator, den


def formula_columns(formula: dict[str, ServiceLevelFormula], key: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The options of the formula each row's `key` names, as expressions (an unknown key: the default)."""
    default = ServiceLevelFormula()

    def option(name: str, dtype: pl.DataType) -> pl.Expr:
        values = {k: getattr(f, name) for k, f in formula.items()}
        return key.replace_strict(values, default=getattr(default, name), return_dtype=dtype)

    return (
        option("denominator", pl.String()),
        option("short_abandons_in_denominator", pl.Boolean()),
        option("abandons_in_service", pl.Boolean()),
    )


def with_channel_formulas(counts: pl.LazyFrame, channels: dict[str, ChannelTerms]) -> pl.LazyFrame:
    """Add each channel row's service-level terms (the `formula` sums of the registry's service level:
    numerator, denominator) under its channel's formula."""
    options = formula_columns({name: t.service_level_formula for name, t in channels.items()}, pl.col("channel"))
    terms = [s.name for s in kpi("service_level").sums]
    return counts.with_columns(e.alias(name) for e, name in zip(service_level_terms(*options), terms, strict=True))


def count_columns(results: pl.LazyFrame, names: Sequence[str] = SERVICE_LEVEL_COUNTS) -> pl.LazyFrame:
    """Count KPIs of the results side by side: `partner_id, channel, month` and one column per name."""
    kpi_ = pl.col("kpi")
    return (
        results.filter(kpi_.is_in(list(names)))
        .group_by("partner_id", "channel", "month")
        .agg(pl.col("numerator").filter(kpi_ == name).first().alias(name) for name in names)
    )


def service_level_results(results: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """The results with their `service_level` rows restated under the contract's channel formulas,
    from the count rows (no contact is read again): what a changed contract computes."""
    keys = ["partner_id", "channel", "month"]
    service_level = kpi("service_level")
    per_channel = with_channel_formulas(
        count_columns(results.filter(pl.col("channel").is_not_null())), contract.channels
    ).select(*keys, *(s.name for s in service_level.sums))
    restated = (
        with_partner_wide(per_channel, keys)
        .select(*keys, kpi_row(service_level).alias("r"))
        .unnest("r")
        .select(results.collect_schema().names())
    )
    return pl.concat([results.filter(pl.col("kpi") != service_level.name), restated], how="vertical")
