"""The what-if engine: a scenario's results, gaps, credits and statement next to the baseline's.

`WhatIf(engagement)` computes the engagement's results once (the one pass over the contact history),
`WhatIf.of_analysis(analysis, ...)` takes them from an analysis already computed; `compare(scenario)`
then

1. restates the results of the partners whose operations change (`scenario_operations`: the
   queueing model per staffing interval, calibrated on the baseline), and
2. applies the term changes to the contract (`scenarios.changed_contract`, validated like
   contract.yaml) and re-runs the contract on those results with `pipeline.contract_chain`, the
   chain the analysis runs, so the engine has no arithmetic of its own.

What is cached, so that an update redoes only what changed: the results and the grid of months;
the interval inputs of the queueing model (prepared on the first operations change) and its
baseline; what an operations change leaves as it is for each partner (`operations.unchanged_inputs`:
its contact sums read back, the rows no change restates); the modelled months of each partner ×
channel × change; the restated results of each partner × operations change (a term change reuses
them); the baseline tables of each partner set.
The contract tables are collected in stages (`contract_chain(..., staged=True)`), several times
faster on small tables than the statement's whole plan at once.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import cached_property

import polars as pl

from ..contract.calendar import month_grid
from ..contract.terms import Contract
from ..core.periods import add_months
from ..io.engagement import Engagement
from ..metrics.results import kpi_results
from ..pipeline.analysis import Analysis
from ..pipeline.chain import contract_chain, restricted
from ..risk.charges import charges
from ..risk.statement import STATEMENT_AMOUNTS
from .exit_plan import ExitPlan, exit_plan
from .operations import (
    ChangeKey,
    UnchangedInputs,
    interval_inputs,
    modelled_months,
    operations_results,
    unchanged_inputs,
)
from .scenario import Scenario, changed_contract

__all__ = ["Comparison", "ContractTables", "WhatIf", "repriced_invoices"]

_NO_CHANGE: ChangeKey = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class ContractTables:
    """The tables a contract gives on a results table (collected)."""

    results: pl.DataFrame
    corridor: pl.DataFrame
    gaps: pl.DataFrame
    charges: pl.DataFrame
    credits: pl.DataFrame
    bonuses: pl.DataFrame
    gain_share: pl.DataFrame
    resource_adjustments: pl.DataFrame
    statement: pl.DataFrame

    def in_months(self, first: dt.date | None, last: dt.date | None) -> ContractTables:
        """The same tables, only the months from `first` to `last` (included; None: open)."""
        if first is None and last is None:
            return self
        keep = pl.lit(True)
        if first is not None:
            keep &= pl.col("month") >= first
        if last is not None:
            keep &= pl.col("month") <= last
        return ContractTables(**{f.name: getattr(self, f.name).filter(keep) for f in fields(self)})


def repriced_invoices(
    invoices: pl.LazyFrame, baseline: pl.DataFrame, scenario: pl.DataFrame, contract: Contract, grid: pl.LazyFrame
) -> pl.LazyFrame:
    """The invoices with, in each invoiced month whose answered contacts the scenario changes, one more
    line: the contract's pricing of the change (scenario's expected charges − baseline's, `risk.charges`).

    An invoiced month's charges are its invoice (formulas.md §3): without this line, a scenario with
    more contacts would cost the client nothing more in the months the partner has billed.
    """
    keys = ["partner_id", "month"]
    expected = [
        charges(frame.lazy(), None, contract, grid).select(*keys, pl.col("expected").alias(name))
        for name, frame in (("before", baseline), ("after", scenario))
    ]
    delta = (
        expected[0]
        .join(expected[1], on=keys, how="inner")
        .join(invoices.select(keys).unique(), on=keys, how="semi")
        .filter(pl.col("after") != pl.col("before"))
        .select(*keys, ((pl.col("after") - pl.col("before")) / 100).alias("amount"))
    )
    return pl.concat([invoices, delta], how="diagonal_relaxed")


_GAP_KEYS = ["partner_id", "service_level", "month"]


@dataclass(frozen=True)
class Comparison:
    """A scenario next to the baseline, for some partners: both sides' tables and their deltas."""

    scenario: Scenario
    partners: tuple[str, ...]
    contract: Contract
    baseline: ContractTables
    outcome: ContractTables
    notes: tuple[str, ...] = ()

    @cached_property
    def results_delta(self) -> pl.DataFrame:
        """Per partner × channel × month × KPI: baseline, scenario and delta of the value."""
        keys = ["partner_id", "channel", "month", "kpi"]
        return (
            self.baseline.results.select(*keys, pl.col("value").alias("baseline"))
            .join(
                self.outcome.results.select(*keys, pl.col("value").alias("scenario")),
                on=keys,
                how="full",
                coalesce=True,
                nulls_equal=True,
            )
            .with_columns((pl.col("scenario") - pl.col("baseline")).alias("delta"))
            .sort(keys, nulls_last=False)
        )

    @cached_property
    def gaps_delta(self) -> pl.DataFrame:
        """Per partner × service level × month: value, target, minimum and status on both sides."""
        shown = ["value", "target", "minimum", "status"]
        side = lambda frame, suffix: frame.select(  # noqa: E731
            *_GAP_KEYS, "kpi", "channel", "order", *[pl.col(c).alias(f"{c}_{suffix}") for c in shown]
        )
        return (
            side(self.baseline.gaps, "baseline")
            .join(
                side(self.outcome.gaps, "scenario").drop("kpi", "channel", "order"),
                on=_GAP_KEYS,
                how="full",
                coalesce=True,
            )
            .with_columns(
                (pl.col("value_scenario") - pl.col("value_baseline")).alias("value_delta"),
                (pl.col("status_scenario") != pl.col("status_baseline")).fill_null(True).alias("status_changed"),
            )
            .sort("partner_id", "order", "month")
        )

    @cached_property
    def credits_delta(self) -> pl.DataFrame:
        """Per partner × month: credits (cents) on both sides and the delta."""
        keys = ["partner_id", "month"]

        def side(frame: pl.DataFrame, name: str) -> pl.DataFrame:
            return frame.select(*keys, pl.col("credits").alias(name))

        return (
            side(self.baseline.statement, "baseline")
            .join(side(self.outcome.statement, "scenario"), on=keys, how="full", coalesce=True)
            .with_columns(pl.col("baseline", "scenario").fill_null(0))
            .with_columns((pl.col("scenario") - pl.col("baseline")).alias("delta"))
            .sort(keys)
        )

    @cached_property
    def statement_delta(self) -> pl.DataFrame:
        """Per partner × month: every statement amount (cents) as `<amount>_baseline`, `_scenario`, `_delta`."""
        keys = ["partner_id", "month"]
        both = self.baseline.statement.select(
            *keys, *[pl.col(a).alias(f"{a}_baseline") for a in STATEMENT_AMOUNTS]
        ).join(
            self.outcome.statement.select(*keys, *[pl.col(a).alias(f"{a}_scenario") for a in STATEMENT_AMOUNTS]),
            on=keys,
            how="full",
            coalesce=True,
        )
        return both.with_columns(
            (pl.col(f"{a}_scenario").fill_null(0) - pl.col(f"{a}_baseline").fill_null(0)).alias(f"{a}_delta")
            for a in STATEMENT_AMOUNTS
        ).sort(keys)

    @cached_property
    def totals(self) -> pl.DataFrame:
        """Per partner × statement amount: the sums over the months (cents), baseline, scenario, delta."""
        return self._amounts(self.baseline.statement, self.outcome.statement)

    def _amounts(self, baseline: pl.DataFrame, scenario: pl.DataFrame) -> pl.DataFrame:
        """Per partner × statement amount: the two statements summed (cents), and the difference."""

        def summed(frame: pl.DataFrame, name: str) -> pl.DataFrame:
            return (
                frame.group_by("partner_id")
                .agg(pl.col(STATEMENT_AMOUNTS).sum())
                .unpivot(index="partner_id", on=list(STATEMENT_AMOUNTS), variable_name="amount", value_name=name)
            )

        grid = pl.DataFrame(
            [(pid, amount) for pid in self.partners for amount in STATEMENT_AMOUNTS],
            schema={"partner_id": pl.String, "amount": pl.String},
            orient="row",
        )
        return (
            grid.join(summed(baseline, "baseline"), on=["partner_id", "amount"], how="left")
            .join(summed(scenario, "scenario"), on=["partner_id", "amount"], how="left")
            .with_columns(pl.col("baseline", "scenario").fill_null(0).cast(pl.Int64))
            .with_columns((pl.col("scenario") - pl.col("baseline")).alias("delta"))
        )

    @cached_property
    def status_counts(self) -> pl.DataFrame:
        """Per partner × status: how many service-level months have it, baseline and scenario."""

        def counts(frame: pl.DataFrame, name: str) -> pl.DataFrame:
            return frame.group_by("partner_id", "status").agg(pl.len().cast(pl.Int64).alias(name))

        return (
            counts(self.baseline.gaps, "baseline")
            .join(counts(self.outcome.gaps, "scenario"), on=["partner_id", "status"], how="full", coalesce=True)
            .with_columns(pl.col("baseline", "scenario").fill_null(0))
            .with_columns((pl.col("scenario") - pl.col("baseline")).alias("delta"))
            .sort("partner_id", "status")
        )

    def quarter(self, quarter_start: dt.date) -> pl.DataFrame:
        """The statement of the quarter starting that month, summed per amount: baseline, scenario, delta."""
        months = pl.col("month").is_between(quarter_start, add_months(quarter_start, 2))
        return self._amounts(self.baseline.statement.filter(months), self.outcome.statement.filter(months))


class WhatIf:
    """Scenarios on one engagement, computed incrementally (see the module docstring)."""

    def __init__(self, engagement: Engagement, *, results: pl.DataFrame | None = None, cache_size: int = 64):
        results = kpi_results(engagement).collect() if results is None else results
        months = results.lazy().filter(pl.col("kpi") == "offered").select("partner_id", "month").unique()
        grid, data_end = pl.collect_all(
            [month_grid(months, engagement.contract), months.select(pl.col("month").max().alias("last_month"))],
            engine="in-memory",
        )
        self._start(engagement.contract, results, grid, data_end, cache_size)
        self.invoices = engagement.table("invoices")
        self.forecasts = engagement.table("forecasts")
        self.relief = engagement.table("relief")
        self.engagement = engagement

    @classmethod
    def of_analysis(cls, analysis: Analysis, engagement: Callable[[], Engagement], *, cache_size: int = 64) -> WhatIf:
        """The engine on an already computed analysis: its results, grid and data end, the invoiced
        amounts of its charges and the contractual forecasts of its outlook. Term changes alter neither
        the pricing nor the forecast lead, so these give the figures the engagement's own tables give.

        The engagement (`engagement()`, called once, when first needed) holds what the analysis does
        not: the staffing intervals and contacts an operations change is modelled on, and the
        reversibility checklist of an exit plan; a term change alone never loads it.
        """
        engine = cls.__new__(cls)
        results, grid, data_end, invoices, forecasts = pl.collect_all(
            [
                analysis.results,
                analysis.grid,
                analysis.data_end,
                analysis.charges.filter(pl.col("invoiced").is_not_null()).select(
                    "partner_id", "month", (pl.col("invoiced") / 100).alias("amount")
                ),
                analysis.forecasts.filter(pl.col("contractual_forecast").is_not_null()).select(
                    "partner_id",
                    "channel",
                    "month",
                    pl.col("contractual_forecast").alias("forecast_contacts"),
                    pl.lit(None, dtype=pl.Date).alias("issued_on"),
                ),
            ],
            engine="in-memory",
        )
        engine._start(analysis.contract, results, grid, data_end, cache_size)
        engine.invoices, engine.forecasts = invoices.lazy(), forecasts.lazy()
        engine.relief = analysis.relief
        engine._load = engagement
        return engine

    def _start(
        self, contract: Contract, results: pl.DataFrame, grid: pl.DataFrame, data_end: pl.DataFrame, cache_size: int
    ) -> None:
        self.contract = contract
        self.results = results
        self.grid = grid
        self.data_end = data_end
        self._cache_size = cache_size
        self._modelled: OrderedDict[tuple[str, str, ChangeKey], pl.DataFrame] = OrderedDict()
        self._restated: OrderedDict[tuple, pl.DataFrame] = OrderedDict()
        self._baselines: dict[tuple[str, ...], ContractTables] = {}
        self._unchanged: dict[str, UnchangedInputs] = {}

    @cached_property
    def engagement(self) -> Engagement:
        """The engagement (loaded on first use when the engine was built on an analysis)."""
        return self._load()

    @property
    def months(self) -> list[dt.date]:
        """Every month of the engagement's grid, in order."""
        return sorted(self.grid["month"].unique().to_list())

    @cached_property
    def intervals(self) -> dict[tuple[str, str], pl.DataFrame]:
        """The queueing model's inputs per (partner, channel) (`scenario_operations.interval_inputs`)."""
        staffing = self.engagement.table("staffing")
        if staffing is None:
            return {}
        frame = interval_inputs(self.engagement.contacts, staffing, self.contract.channels).collect()
        return {key: part for key, part in frame.partition_by(["partner_id", "channel"], as_dict=True).items()}

    def modelled(self, partner_id: str, channel: str, change: ChangeKey = _NO_CHANGE) -> pl.DataFrame | None:
        """Modelled months of one partner × channel under a change (cached); None without staffing intervals."""
        intervals = self.intervals.get((partner_id, channel))
        if intervals is None:
            return None
        key = (partner_id, channel, change)
        if key not in self._modelled:
            self._remember(self._modelled, key, modelled_months(intervals, change))
        else:
            self._modelled.move_to_end(key)
        return self._modelled[key]

    def _remember(self, cache: OrderedDict, key: object, value: object) -> None:
        cache[key] = value
        while len(cache) > self._cache_size:
            cache.popitem(last=False)

    def unchanged(self, partner_id: str) -> UnchangedInputs:
        """What an operations change leaves as it is for one partner (`operations.unchanged_inputs`, cached)."""
        if partner_id not in self._unchanged:
            forecasts = self.engagement.table("forecasts")
            self._unchanged[partner_id] = unchanged_inputs(self.results, (partner_id,), self.contract, forecasts)
        return self._unchanged[partner_id]

    def partners_of(self, scenario: Scenario, partners: Sequence[str] | None = None) -> tuple[str, ...]:
        """The partners to compute: those given, else those the scenario names, else every partner."""
        if partners:
            return tuple(partners)
        named = [p for p in self.contract.partner_ids if p in scenario.partners]
        return tuple(named or self.contract.partner_ids)

    def scenario_results(self, scenario: Scenario, partners: Sequence[str]) -> tuple[pl.DataFrame, tuple[str, ...]]:
        """The results of `partners` under the scenario's operations (cached per partner), and notes."""
        parts, notes = [], []
        window = (scenario.window.first, scenario.window.last)
        for pid in partners:
            ops = {ch: o.key for ch, o in sorted(scenario.of(pid).operations.items()) if not o.empty}
            if not ops:
                parts.append(self.results.filter(pl.col("partner_id") == pid))
                continue
            key = (pid, tuple(ops.items()), window)
            if key not in self._restated:
                modelled = {}
                for ch, change in ops.items():
                    base, new = self.modelled(pid, ch), self.modelled(pid, ch, change)
                    if base is not None and new is not None:
                        modelled[(pid, ch)] = (base, new)
                unchanged = self.unchanged(pid)
                restated = operations_results(
                    unchanged.results,
                    {(pid, ch): change for ch, change in ops.items()},
                    modelled,
                    self.contract,
                    present=self.engagement.present["contacts"],
                    forecasts=self.engagement.table("forecasts"),
                    window=window,
                    interval_present=self.engagement.present.get("intervals"),
                    unchanged=unchanged,
                )
                self._remember(self._restated, key, restated)
            else:
                self._restated.move_to_end(key)
            parts.append(self._restated[key])
            unmodelled = [ch for ch in ops if (pid, ch) not in self.intervals]
            if unmodelled:
                notes.append(
                    f"{pid}: no staffing intervals for {', '.join(unmodelled)}: volumes change, "
                    "service level, ASA and abandon rate keep their observed values"
                )
        return pl.concat(parts, how="vertical"), tuple(notes)

    def baseline(self, partners: Sequence[str]) -> ContractTables:
        """The contract's tables of these partners as the engagement stands (cached)."""
        key = tuple(partners)
        if key not in self._baselines:
            results = self.results.filter(pl.col("partner_id").is_in(list(key)))
            self._baselines[key] = self._tables(self.contract, results, key, self.invoices)
        return self._baselines[key]

    def _tables(
        self, contract: Contract, results: pl.DataFrame, partners: Sequence[str], invoices: pl.LazyFrame | None
    ) -> ContractTables:
        """The contract's tables of `partners` on `results`, on the engagement's grid and data end."""
        chain = contract_chain(
            results.lazy(),
            contract,
            grid=self.grid.lazy(),
            data_end=self.data_end.lazy(),
            invoices=invoices,
            forecasts=self.forecasts,
            partners=partners,
            staged=True,
            relief=self.relief,
        )
        return ContractTables(results=results, **{f.name: getattr(chain, f.name) for f in fields(chain)})

    def compare(self, scenario: Scenario, partners: Sequence[str] | None = None) -> Comparison:
        """The scenario next to the baseline for `partners` (default: those it names, else all)."""
        ids = self.partners_of(scenario, partners)
        changed = changed_contract(self.contract, scenario)
        baseline = self.baseline(ids)
        results, notes = self.scenario_results(scenario, ids)
        unchanged = all(scenario.of(p).terms.empty and not scenario.of(p).changes_operations for p in ids)
        invoices = self.invoices
        if invoices is not None and any(scenario.of(p).changes_operations for p in ids):
            before = self.results.filter(pl.col("partner_id").is_in(list(ids)))
            invoices = repriced_invoices(invoices, before, results, restricted(self.contract, ids), self.grid.lazy())
        outcome = baseline if unchanged else self._tables(changed, results, ids, invoices)
        first, last = scenario.window.first, scenario.window.last
        return Comparison(
            scenario=scenario,
            partners=ids,
            contract=restricted(changed, ids),
            baseline=baseline.in_months(first, last),
            outcome=outcome.in_months(first, last),
            notes=notes,
        )

    def exit_plan(self, partner_id: str, notice_on: dt.date) -> ExitPlan:
        """The exit what-if of a partner with notice on `notice_on` (`exit_plan.exit_plan`)."""
        return exit_plan(
            self.contract,
            partner_id,
            notice_on,
            statement=self.baseline((partner_id,)).statement,
            checklist=self.engagement.table("reversibility"),
        )
