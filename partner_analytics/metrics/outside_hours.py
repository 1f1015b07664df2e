"""The contacts outside service hours measured apart (formulas.md §1.10): for a channel whose service
hours say `outside_hours: measure_apart`, the service level, abandon rate and ASA of its contacts
outside the hours, as rows of their own (`service_level_outside_hours`, `abandon_rate_outside_hours`,
`asa_outside_hours`) beside the committed KPIs, which never count them.

The counts come from the contacts' flags of the narrow pass (`contact_flags` with every contact in
hours, so in service and abandons are flagged on each contact) and the `apart` flag of
`service_hours.measured_apart`; the service level follows the channel's formula (§1.3).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..contract.terms import Contract
from ..core.kpis import as_seconds, microseconds
from .partner_wide import with_partner_wide
from .result_rows import ratio_rows
from .service_hours import apart_pairs, of_pairs
from .service_level import with_channel_formulas

__all__ = ["OUTSIDE_HOURS_KPIS", "outside_hours_of_sums", "outside_hours_results", "outside_hours_sums"]

OUTSIDE_HOURS_KPIS = ("service_level_outside_hours", "abandon_rate_outside_hours", "asa_outside_hours")
"""The KPIs of the contacts measured apart, in the order the reports show them."""


def outside_hours_results(flags: pl.LazyFrame, contract: Contract, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """OUTSIDE_HOURS_KPIS per partner × channel (× scope) × month of the channels measuring apart, and
    partner-wide over those channels; a month without such contacts is not measurable (denominator 0).

    `flags`: `contact_flags` with every contact in hours, and the `apart` column (`measured_apart`).
    No row for a partner without such a channel (none at all without `apart_pairs`)."""
    return outside_hours_of_sums(outside_hours_sums(flags, contract, scope=scope), contract, scope=scope)


def outside_hours_sums(flags: pl.LazyFrame, contract: Contract, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """The counts and the answered waits (integer microseconds) of the contacts measured apart, per
    partner × channel (× scope) × month: integers, so those of partitions of the contacts add up."""
    keys = ["partner_id", "channel", *scope, "month"]
    apart, answered = pl.col("apart"), pl.col("answered")
    return (
        flags.filter(of_pairs(apart_pairs(contract)))
        .group_by(keys)
        .agg(
            apart.sum().cast(pl.Int64).alias("offered"),
            (apart & answered).sum().cast(pl.Int64).alias("answered"),
            (apart & pl.col("short_abandon")).sum().cast(pl.Int64).alias("short_abandons"),
            (apart & pl.col("in_service")).sum().cast(pl.Int64).alias("in_service"),
            (apart & pl.col("abandon_within_threshold")).sum().cast(pl.Int64).alias("abandons_within_threshold"),
            microseconds(pl.col("wait_s")).filter(apart & answered).sum().alias("wait_answered"),
        )
    )


def outside_hours_of_sums(sums: pl.LazyFrame, contract: Contract, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """OUTSIDE_HOURS_KPIS (`outside_hours_results`) from `outside_hours_sums`."""
    keys = ["partner_id", "channel", *scope, "month"]
    counts = sums.with_columns(
        as_seconds(pl.col("wait_answered")),
        *(pl.lit(0, dtype=pl.Int64).alias(c) for c in ("outside_hours", "answered_outside_hours")),
    )
    counts = with_channel_formulas(counts, contract.channels)
    return _rows(with_partner_wide(counts, keys), keys, scope)


def _rows(sums: pl.LazyFrame, keys: list[str], scope: Sequence[str]) -> pl.LazyFrame:
    """The three KPIs' rows from the sums (service-level terms, counts, the answered waits)."""
    c = pl.col
    answerable = c("offered") - c("short_abandons")
    ratios = {
        "service_level_outside_hours": (c("sl_numerator"), c("sl_denominator")),
        "abandon_rate_outside_hours": (answerable - c("answered"), answerable),
        "asa_outside_hours": (c("wait_answered"), c("answered")),
    }
    parts = [
        ratio_rows(sums.select(*keys, num.alias("numerator"), den.alias("denominator")), name, scope)
        for name, (num, den) in ratios.items()
    ]
    return pl.concat(parts, how="vertical")
