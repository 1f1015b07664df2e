"""The whole chain from an engagement to the tables the committees read.

    results → corridor → gaps → charges → credits, bonuses, gain-share, resource adjustments
            → statement → transparency, reconciliation, actions, reversibility, timeline

The contract's part, corridor to statement, is `chain.contract_chain`, which the what-if engine runs
too. `analyse` builds every table lazily from an engagement (and optionally other contract terms: a
changed service-level formula restates the results' service level from their counts; changed
thresholds need the results computed again). `compute` is
the edge where they are collected: the results table first (the one pass over the contact history,
on the streaming engine), then every other table from it at once. Those are small (partners × months
× service levels), so they are collected with the in-memory engine, faster than streaming there.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace

import polars as pl

from ..contract.calendar import month_grid
from ..contract.terms import Contract
from ..core.schema import TABLES
from ..governance.actions import action_figures
from ..governance.reconciliation import reconciliation
from ..governance.reversibility import readiness, timeline
from ..governance.transparency import delivery_scorecard, discrepancies
from ..io.engagement import HELD_BYTES, Engagement
from ..metrics.floor import daily_floor, floor_of_tallies
from ..metrics.forecasts import forecast_outlook
from ..metrics.partitioned import ContactTotals, Reading, contact_totals
from ..metrics.results import kpi_results
from ..metrics.service_hours import in_service_hours
from ..metrics.service_level import service_level_results
from .chain import contract_chain, offered_contacts

__all__ = ["TABLE_NAMES", "Analysis", "analyse", "compute"]

TABLE_NAMES = (
    "results",
    "gaps",
    "credits",
    "bonuses",
    "corridor",
    "forecasts",
    "floor",
    "gain_share",
    "resource_adjustments",
    "charges",
    "statement",
    "transparency",
    "discrepancies",
    "reconciliation",
    "actions",
    "reversibility",
    "timeline",
    "rejected",
)


@dataclass(frozen=True)
class Analysis:
    """Every computed table of an engagement (LazyFrames until `collect`), and the terms they used."""

    contract: Contract
    grid: pl.LazyFrame
    data_end: pl.LazyFrame
    results: pl.LazyFrame
    corridor: pl.LazyFrame
    forecasts: pl.LazyFrame
    floor: pl.LazyFrame
    gaps: pl.LazyFrame
    charges: pl.LazyFrame
    credits: pl.LazyFrame
    bonuses: pl.LazyFrame
    gain_share: pl.LazyFrame
    resource_adjustments: pl.LazyFrame
    statement: pl.LazyFrame
    transparency: pl.LazyFrame
    discrepancies: pl.LazyFrame
    reconciliation: pl.LazyFrame
    actions: pl.LazyFrame
    action_log: pl.LazyFrame
    forecast_log: pl.LazyFrame  # the forecasts as issued: a report shows those issued by its committee's date
    decisions: pl.LazyFrame
    comments: pl.LazyFrame
    relief: pl.LazyFrame
    reversibility: pl.LazyFrame
    timeline: pl.LazyFrame
    rejected: pl.LazyFrame

    def tables(self) -> dict[str, pl.LazyFrame]:
        """The exported tables by name (TABLE_NAMES)."""
        return {name: getattr(self, name) for name in TABLE_NAMES}

    def collect(self) -> Analysis:
        """The same analysis with every table computed and held in memory (see `compute`)."""
        frames = [f.name for f in fields(self) if f.name != "contract"]
        computed = pl.collect_all([getattr(self, name) for name in frames], engine="in-memory")
        return replace(self, **{name: df.lazy() for name, df in zip(frames, computed, strict=True)})


def analyse(
    engagement: Engagement,
    *,
    contract: Contract | None = None,
    results: pl.LazyFrame | None = None,
    totals: ContactTotals | None = None,
) -> Analysis:
    """Every table of the engagement, lazily; `contract` replaces the engagement's terms (what-if),
    `results` an already computed results table (so the contact history is not read again), `totals`
    the contacts' sums computed partition by partition (`metrics.contact_totals`), which the results and
    the daily floor are then made of."""
    contract = contract or engagement.contract
    results = kpi_results(engagement, totals=totals) if results is None else results
    if _formulas(contract) != _formulas(engagement.contract):
        results = service_level_results(results, contract)
    months = results.filter(pl.col("kpi") == "offered").select("partner_id", "month").unique()
    grid = month_grid(months, contract)
    data_end = months.select(pl.col("month").max().alias("last_month"))
    offered = offered_contacts(results)
    chain = contract_chain(
        results,
        contract,
        grid=grid,
        data_end=data_end,
        invoices=engagement.table("invoices"),
        forecasts=engagement.table("forecasts"),
        relief=engagement.table("relief"),
    )
    as_of = data_end.select(pl.col("last_month").dt.month_end().alias("as_of"))
    tables = {
        t: _or_empty(engagement, t)
        for t in (
            "deliveries",
            "reported_kpis",
            "invoices",
            "actions",
            "reversibility",
            "forecasts",
            "decisions",
            "comments",
        )
    }
    return Analysis(
        contract=contract,
        grid=grid,
        data_end=data_end,
        results=results,
        corridor=chain.corridor,
        forecasts=forecast_outlook(tables["forecasts"], offered, contract),
        floor=daily_floor(
            engagement.contacts,
            engagement.table("staffing"),
            contract.channels,
            in_service_hours(contract, engagement.contacts, engagement.table("relief")),
        )
        if totals is None
        else floor_of_tallies(totals.floor, engagement.table("staffing")),
        gaps=chain.gaps,
        charges=chain.charges,
        credits=chain.credits,
        bonuses=chain.bonuses,
        gain_share=chain.gain_share,
        resource_adjustments=chain.resource_adjustments,
        statement=chain.statement,
        transparency=delivery_scorecard(
            tables["deliveries"],
            delivered_on=engagement.has("deliveries", "delivered_on") or not engagement.has("deliveries"),
            complete_known=engagement.has("deliveries", "complete") or not engagement.has("deliveries"),
        ),
        discrepancies=discrepancies(tables["reported_kpis"], results),
        reconciliation=reconciliation(tables["invoices"], chain.charges, results, engagement.table("staffing")),
        actions=action_figures(tables["actions"], grid),
        action_log=tables["actions"],
        forecast_log=tables["forecasts"],
        decisions=tables["decisions"],
        comments=tables["comments"],
        relief=_or_empty(engagement, "relief"),
        reversibility=readiness(tables["reversibility"]),
        timeline=timeline(contract, as_of, chain.gaps, chain.credits),
        rejected=engagement.rejected,
    )


def compute(
    engagement: Engagement,
    *,
    contract: Contract | None = None,
    results: pl.DataFrame | None = None,
    partitioned: bool | None = None,
    reading: Reading | None = None,
) -> Analysis:
    """Every table of the engagement, computed: the results once, then the rest from them; its small
    tables are read and held first (`Engagement.collected`) unless they are already.

    A large contact history (a folder of files, or a file over `HELD_BYTES`; `partitioned` forces
    the choice) is read partition by partition, once (`Engagement.partitions`,
    `metrics.contact_totals`, by `reading`: threads of this process by default, or a Dask cluster's
    workers), while the small tables are read: memory is bounded by a partition, not the history.
    Otherwise what reads the contacts (the results, the daily floor, the rejected rows) streams; the
    rest, small, is computed in memory.
    """
    if results is None and (_is_large(engagement) if partitioned is None else partitioned):
        bounded = _partitioned(engagement, contract, reading)
        if bounded is not None:
            return bounded
    engagement = engagement if engagement.held else engagement.collected()
    if results is None:
        results = kpi_results(engagement).collect()
    analysis = analyse(engagement, contract=contract, results=results.lazy())
    floor, rejected = pl.collect_all([analysis.floor, analysis.rejected])
    return replace(analysis, floor=floor.lazy(), rejected=rejected.lazy()).collect()


def _is_large(engagement: Engagement) -> bool:
    files = engagement.sources.get("contacts", ())
    return any(sf.parts for sf in files) or sum(sf.size for sf in files) > HELD_BYTES


def _partitioned(engagement: Engagement, contract: Contract | None, reading: Reading | None) -> Analysis | None:
    """`compute` from the contacts read partition by partition, the small tables read meanwhile; None
    when they cannot be (a repeated `contact_id`, partitions that overlap in time): they are then
    computed whole."""
    parts = engagement.partitions("contacts")
    if parts is None:
        return None
    relief = engagement.table("relief")
    with ThreadPoolExecutor(1, thread_name_prefix="contacts") as background:
        read = background.submit(
            contact_totals,
            parts,
            engagement.contract,
            present=engagement.present["contacts"],
            relief=None if relief is None else relief.collect().lazy(),
            reading=reading,
        )
        engagement = engagement if engagement.held else engagement.collected()
        totals = read.result()
    if totals is None:
        return None
    read_rows = totals.rejected.lazy()
    tables = engagement.rejections.items()
    every = pl.concat([read_rows if name == "contacts" else rows for name, rows in tables], how="vertical")
    results = kpi_results(engagement, totals=totals).collect()
    analysis = analyse(engagement, contract=contract, results=results.lazy(), totals=totals)
    return replace(analysis, rejected=every).collect()


def _formulas(contract: Contract) -> dict[str, object]:
    return {name: terms.service_level_formula for name, terms in contract.channels.items()}


def _or_empty(engagement: Engagement, name: str) -> pl.LazyFrame:
    """The table, or an empty one with its typed columns when the engagement does not have it, so
    that every derived table keeps its columns."""
    table = engagement.table(name)
    if table is not None:
        return table
    tz = engagement.contract.timezone
    schema = {c.name: pl.Datetime("us", tz) if c.kind == "datetime" else c.dtype for c in TABLES[name].columns}
    return pl.LazyFrame(schema=schema)
