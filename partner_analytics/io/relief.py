"""The checks of a `relief` row that span its columns and the contract (formulas.md §2.1): a window
that ends after it starts, within its partner's contract, and a service level the partner has (or the
one it most likely meant).

Each check is (column, fails, reason) on the typed columns; `validation.validate_table` rejects the
rows that fail one, with the reason, like any other problem of a row.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..contract.terms import Contract
from .unknown_values import unknown_reason_by

__all__ = ["relief_checks"]


def _text(expr: pl.Expr) -> pl.Expr:
    return expr.dt.strftime("%Y-%m-%d %H:%M")


def relief_checks(contract: Contract) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(column, fails, reason) of each cross-column check of a relief row."""
    starts, ends, partner = pl.col("starts_at"), pl.col("ends_at"), pl.col("partner_id")
    checks = [
        (
            "ends_at",
            ends <= starts,
            pl.format(
                "the window ends at {} before it starts at {} (expected the end after the start)",
                _text(ends),
                _text(starts),
            ),
        )
    ]
    outside, unknown = pl.lit(False), pl.lit(False)
    term = pl.lit(None, dtype=pl.String)
    for p in contract.partners:
        first = pl.lit(dt.datetime.combine(p.start, dt.time())).dt.replace_time_zone(contract.timezone)
        end = pl.lit(dt.datetime.combine(p.end, dt.time())).dt.replace_time_zone(contract.timezone)
        mine = partner == p.id
        outside = outside | (mine & ((ends <= first) | (starts >= end)))
        last_day = p.end - dt.timedelta(days=1)
        term = pl.when(mine).then(pl.lit(f"{p.id}'s contract runs from {p.start} to {last_day}")).otherwise(term)
        known = [sl.key for sl in p.service_levels]
        unknown = unknown | (mine & pl.col("service_level").is_not_null() & ~pl.col("service_level").is_in(known))
    checks.append(
        (
            "starts_at",
            outside,
            pl.format("the window {} – {} is outside the contract ({})", _text(starts), _text(ends), term),
        )
    )
    checks.append(
        (
            "service_level",
            unknown,
            unknown_reason_by(
                pl.col("service_level"),
                partner,
                {p.id: [sl.key for sl in p.service_levels] for p in contract.partners},
                "service level",
                "the partner's service levels",
            ),
        )
    )
    return checks
