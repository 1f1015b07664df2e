"""The contract chain on a results table, wired once for the analysis and the what-if engine:

    corridor → gaps, charges → credits, bonuses, gain-share, resource adjustments → statement

`contract_chain` builds the tables lazily (the analysis collects them all at once), or in stages
(`staged=True`, the what-if engine): each stage is collected with the in-memory engine before the
next is planned on it, so every plan stays small, which is several times faster on small tables than
collecting the statement's whole plan at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import polars as pl

from ..contract.terms import Contract
from ..evaluation.gaps import gaps as gaps_of
from ..evaluation.volume_corridor import corridor, excuses
from ..risk.bonuses import bonuses
from ..risk.charges import charges
from ..risk.credits import credits
from ..risk.gain_share import gain_share
from ..risk.resource_adjustments import resource_adjustments
from ..risk.statement import statement

__all__ = ["ContractChain", "contract_chain", "offered_contacts", "restricted"]

Frame = TypeVar("Frame", pl.LazyFrame, pl.DataFrame)


@dataclass(frozen=True)
class ContractChain(Generic[Frame]):
    """The tables a contract gives on a results table: LazyFrames, or DataFrames when collected in stages."""

    corridor: Frame
    gaps: Frame
    charges: Frame
    credits: Frame
    bonuses: Frame
    gain_share: Frame
    resource_adjustments: Frame
    statement: Frame


def restricted(contract: Contract, partners: Iterable[str]) -> Contract:
    """The contract with only these partners (their terms unchanged)."""
    return contract.model_copy(update={"partners": tuple(contract.partner(p) for p in partners)})


def offered_contacts(results: pl.LazyFrame) -> pl.LazyFrame:
    """Per partner × channel × month: the offered contacts (`offered`, an integer), channel rows only."""
    return results.filter((pl.col("kpi") == "offered") & pl.col("channel").is_not_null()).select(
        "partner_id", "channel", "month", pl.col("numerator").cast(pl.Int64).alias("offered")
    )


def _as_planned(*frames: pl.LazyFrame) -> list[pl.LazyFrame]:
    return list(frames)


def _collected(*frames: pl.LazyFrame) -> list[pl.DataFrame]:
    return pl.collect_all(frames, engine="in-memory")


def contract_chain(
    results: pl.LazyFrame,
    contract: Contract,
    *,
    grid: pl.LazyFrame,
    data_end: pl.LazyFrame,
    invoices: pl.LazyFrame | None,
    forecasts: pl.LazyFrame | None,
    partners: Iterable[str] | None = None,
    staged: bool = False,
    relief: pl.LazyFrame | None = None,
) -> ContractChain:
    """The contract's tables on `results` (the engagement's, or a scenario's): LazyFrames, or DataFrames
    with `staged`.

    `grid` (partner_id, month) and `data_end` (last_month) are the whole engagement's; with `partners`
    the contract is restricted to them (`restricted`), which gives exactly their rows of the whole
    chain. `invoices` and `forecasts` are the engagement's tables (or a scenario's repriced invoices);
    `staged` collects each stage before the next (see the module docstring); `relief` is the engagement's
    relief table (the months it excuses).
    """
    if partners is not None:
        contract = restricted(contract, partners)
        grid = grid.filter(pl.col("partner_id").is_in(list(contract.partner_ids)))
    stage = _collected if staged else _as_planned
    (corridor_frame,) = stage(corridor(offered_contacts(results), forecasts, contract))
    gaps_frame, charges_frame = stage(
        gaps_of(results, contract, grid, excuses(corridor_frame.lazy()), relief),
        charges(results, invoices, contract, grid),
    )
    g, ch = gaps_frame.lazy(), charges_frame.lazy()
    credits_frame, bonus_frame, gain_frame, resource_frame = stage(
        credits(g, ch, contract, data_end),
        bonuses(g, ch, contract),
        gain_share(results, ch, contract),
        resource_adjustments(results, contract, grid),
    )
    (statement_frame,) = stage(
        statement(
            ch,
            credits_frame.lazy(),
            bonus_frame.lazy(),
            corridor_frame.lazy(),
            gain_frame.lazy(),
            resource_frame.lazy(),
        )
    )
    return ContractChain(
        corridor=corridor_frame,
        gaps=gaps_frame,
        charges=charges_frame,
        credits=credits_frame,
        bonuses=bonus_frame,
        gain_share=gain_frame,
        resource_adjustments=resource_frame,
        statement=statement_frame,
    )
