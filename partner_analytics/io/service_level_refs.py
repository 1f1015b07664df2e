"""The check of a row's `service_level` column (actions, comments): a service level its partner has,
named by its key (`service_level/voice`, `csat`), as in the contract's service levels.

`validation.validate_table` rejects the rows that fail it, with the reason, like any other problem of a row.
"""

from __future__ import annotations

import polars as pl

from ..contract.terms import Contract

__all__ = ["service_level_check"]


def service_level_check(contract: Contract) -> tuple[str, pl.Expr, pl.Expr]:
    """(column, fails, reason): a `service_level` given that the row's partner does not have."""
    unknown, keys = pl.lit(False), pl.lit(None, dtype=pl.String)
    for p in contract.partners:
        mine = pl.col("partner_id") == p.id
        known = [sl.key for sl in p.service_levels]
        unknown = unknown | (mine & pl.col("service_level").is_not_null() & ~pl.col("service_level").is_in(known))
        keys = pl.when(mine).then(pl.lit(", ".join(known) or "none: the partner has no service level")).otherwise(keys)
    reason = pl.format("unknown service level '{}' of the partner (expected one of: {})", pl.col("service_level"), keys)
    return "service_level", unknown, reason
