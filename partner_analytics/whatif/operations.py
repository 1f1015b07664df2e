"""Operations what-if: volume, staffing and handle-time changes, through the queueing model, into results.

**Interval inputs** (`interval_inputs`, prepared once per engagement): per partner × channel ×
staffing interval, the contacts offered (contacts arriving in [start, start + interval_minutes)),
their AHT (mean handle_s of the answered ones; where none was answered, that of the partner ×
channel × month's modelled contacts), the agents logged in (summed over sites and queues: one
pooled queue), the channel's threshold T and the partner's patience. Contacts outside every
staffing interval are not modelled.

**Patience** (`patience`): the customers' mean patience per partner × channel, estimated as the
maximum-likelihood estimate of an exponential patience from waits censored by service: every
abandoned contact waited its whole patience, every answered one waited less than its patience, so
mean patience = Σ wait_s over all contacts / number of abandons (Mandelbaum & Zeltyn). It is the
patience Erlang A assumes (exponential), it uses every contact of the history, and it needs no
assumption about the waits' distribution. Without abandons it is infinite (Erlang C).

**Modelled months** (`modelled_months`): Erlang A on every interval with offered × (1 + volume
change), agents × (1 + staffing change), AHT × (1 + AHT change), aggregated to the month: service
level and abandon rate weighted by the offered contacts, ASA by the answered contacts.

**Calibration** (`operations_results`): the model is never read as the scenario's value; it only
says how much the scenario changes things. Per partner × channel × month, with p the observed
share of offered contacts (answered within T; abandoned), m₀ its modelled baseline and m₁ its
modelled scenario, the scenario share is p' with odds(p') = odds(p) × odds(m₁) / odds(m₀)
(odds(x) = x / (1 − x)); ASA' = ASA × m₁ / m₀. A scenario whose model equals its baseline
therefore reproduces the observed values exactly, and a scenario share stays within (0, 1) however
far the model is from the observed level (a plain ratio m₁ / m₀ can exceed 1). Observed shares of
exactly 0 or 1 are moved half a contact inside before the odds are taken.

The scenario's sums are read back from the results and each changes as its KPI's registry entry
says (`core.kpis.OperationsRule`; counts rounded half away from zero to whole contacts): offered ×
(1 + volume change); from the queueing model, abandoned = p'_abandon × offered, the rest answered,
short abandons and abandons within T keep their observed share of the abandons, in service =
p'_in_service × offered (at most the answered), the wait of the answered = ASA' × answered; every
other KPI keeps its value, its own denominator (handle times, surveys, FCR's counted contacts)
scaling with the answered contacts (the AHT × (1 + AHT change)). A KPI added to the registry is
restated the same way. Those sums go through the same transforms as the contact history
(`metrics.results_from_sums`, each channel's service-level formula), so every KPI, the charges,
the corridor and gain-share follow. Occupancy's handled time and capacity scale the same way;
the forecast accuracy is recomputed from the new offered contacts.

Limits: each interval is a steady state of its own (no backlog), so a deferred channel such as
email, worked over hours, is only roughly modelled; CSAT, FCR and quality do not respond to waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..contract.terms import ChannelTerms, Contract
from ..core.kpis import KPI, Sum, contact_kpis, kpi
from ..metrics import (
    RESULTS_SCHEMA,
    contractual_forecasts,
    forecast_accuracy,
    interval_notes,
    month_of,
    ratio_rows,
    results_from_sums,
    with_channel_formulas,
    with_partner_wide,
)
from .queueing import erlang_a, offered_load

__all__ = [
    "ChangeKey",
    "UnchangedInputs",
    "contact_counts",
    "count_sums",
    "interval_inputs",
    "modelled_months",
    "operations_results",
    "patience",
    "unchanged_inputs",
]

ChangeKey = tuple[float, float, float]
"""(volume change, staffing change, AHT change) as fractions."""

_KEYS = ["partner_id", "channel", "month"]
_QUEUEING_SUMS = ("answered", "short_abandons", "in_service", "abandons_within_threshold", "wait_answered")
"""The sums the queueing model's calibration restates (`_queueing_counts`), from the offered contacts."""
_PROB_FLOOR = 1e-9


def patience(contacts: pl.LazyFrame) -> pl.LazyFrame:
    """Mean patience (s) per partner × channel: Σ wait_s of every contact / abandons (inf without abandons)."""
    abandons = (~pl.col("answered")).sum()
    return contacts.group_by("partner_id", "channel").agg(
        pl.when(abandons > 0)
        .then(pl.col("wait_s").sum() / abandons)
        .otherwise(float("inf"))
        .cast(pl.Float64)
        .alias("patience_s"),
        abandons.cast(pl.Int64).alias("abandons"),
        pl.len().cast(pl.Int64).alias("contacts"),
    )


def interval_inputs(
    contacts: pl.LazyFrame, staffing: pl.LazyFrame, channels: Mapping[str, ChannelTerms]
) -> pl.LazyFrame:
    """Per partner × channel × staffing interval: month, interval_minutes, contacts, aht_s, agents,
    answer_within_s, patience_s (see the module docstring)."""
    keys = ["partner_id", "channel", "interval_start"]
    intervals = (
        staffing.group_by(keys)
        .agg(pl.col("agents_logged_in").sum().alias("agents"), pl.col("interval_minutes").max())
        .sort("interval_start")
    )
    arrivals = (
        contacts.select("partner_id", "channel", "arrived_at", "answered", "handle_s")
        .sort("arrived_at")
        .join_asof(
            intervals.select(*keys, "interval_minutes"),
            left_on="arrived_at",
            right_on="interval_start",
            by=["partner_id", "channel"],
            strategy="backward",
            check_sortedness=False,
        )
        .filter(pl.col("arrived_at") < pl.col("interval_start") + pl.duration(minutes=pl.col("interval_minutes")))
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("contacts"),
            pl.col("handle_s").filter(pl.col("answered")).sum().alias("handle_sum"),
            pl.col("handle_s").filter(pl.col("answered")).count().alias("handled"),
        )
    )
    thresholds = {name: terms.answer_within_s for name, terms in channels.items()}
    month = ["partner_id", "channel", "month"]
    month_aht = pl.col("handle_sum").sum().over(month) / pl.col("handled").sum().over(month)
    return (
        intervals.join(arrivals, on=keys, how="left")
        .with_columns(pl.col("contacts").fill_null(0), month_of(pl.col("interval_start")).alias("month"))
        .with_columns(
            pl.when(pl.col("handled") > 0)
            .then(pl.col("handle_sum") / pl.col("handled"))
            .when(month_aht.is_finite())
            .then(month_aht)
            .alias("aht_s")
        )
        .join(
            patience(contacts).select("partner_id", "channel", "patience_s"), on=["partner_id", "channel"], how="left"
        )
        .with_columns(
            pl.col("channel")
            .replace_strict(thresholds, default=None, return_dtype=pl.Float64)
            .alias("answer_within_s"),
            pl.col("patience_s").fill_null(float("inf")),
        )
        .select(*keys, "month", "interval_minutes", "contacts", "aht_s", "agents", "answer_within_s", "patience_s")
        .sort(keys)
    )


def modelled_months(intervals: pl.DataFrame, change: ChangeKey = (0.0, 0.0, 0.0)) -> pl.DataFrame:
    """Erlang A per interval under a change, aggregated per partner × channel × month:
    `modelled_service_level`, `modelled_abandon_rate` (weighted by offered), `modelled_asa_s`
    (weighted by answered); null where no interval of the month could be modelled."""
    volume, staffing, aht = (1.0 + c for c in change)
    contacts = intervals["contacts"].to_numpy().astype(np.float64) * volume
    aht_s = intervals["aht_s"].fill_null(np.nan).to_numpy() * aht
    agents = intervals["agents"].to_numpy() * staffing
    load = offered_load(contacts, aht_s, intervals["interval_minutes"].to_numpy())
    modelled = erlang_a(
        load, agents, aht_s, intervals["answer_within_s"].to_numpy(), intervals["patience_s"].to_numpy()
    )
    valid = np.isfinite(modelled.service_level) & np.isfinite(modelled.abandon_rate) & (contacts > 0)
    weight = np.where(valid, contacts, 0.0)
    answered = weight * np.where(valid, 1.0 - modelled.abandon_rate, 0.0)
    asa_ok = valid & np.isfinite(modelled.asa_s)
    frame = intervals.select(_KEYS).with_columns(
        pl.Series("w", weight),
        pl.Series("sl_w", np.where(valid, modelled.service_level, 0.0) * weight),
        pl.Series("ab_w", np.where(valid, modelled.abandon_rate, 0.0) * weight),
        pl.Series("answered_w", np.where(asa_ok, answered, 0.0)),
        pl.Series("asa_w", np.where(asa_ok, modelled.asa_s, 0.0) * np.where(asa_ok, answered, 0.0)),
    )
    sums = frame.group_by(_KEYS).agg(pl.col("w", "sl_w", "ab_w", "answered_w", "asa_w").sum())
    w, a = pl.col("w"), pl.col("answered_w")
    return sums.select(
        *_KEYS,
        pl.when(w > 0).then(pl.col("sl_w") / w).alias("modelled_service_level"),
        pl.when(w > 0).then(pl.col("ab_w") / w).alias("modelled_abandon_rate"),
        pl.when(a > 0).then(pl.col("asa_w") / a).alias("modelled_asa_s"),
    ).sort(_KEYS)


def _read_back(entry: KPI, s: Sum) -> str:
    """The field of `entry`'s results rows that gives back its sum `s` (the registry checks there is one)."""
    if entry.numerator.meta.is_column() and entry.numerator.meta.output_name() == s.name:
        return "numerator"
    if entry.denominator is not None and entry.denominator.meta.is_column():
        if entry.denominator.meta.output_name() == s.name:
            return "denominator"
    return "incomplete"


def count_sums() -> dict[str, tuple[str, str]]:
    """Each sum of `metrics.contact_sums` (the registry's contact KPIs), as read back from the results:
    (kpi, field), the field a numerator, a denominator or (FCR's cut contacts) the incomplete flag."""
    return {s.name: (k.name, _read_back(k, s)) for k in contact_kpis() for s in k.sums if s.kind != "formula"}


def contact_counts(results: pl.LazyFrame) -> pl.LazyFrame:
    """The sums of `metrics.contact_sums` per partner × channel × month, read back from the results'
    numerators and denominators (channel rows only); a sum read from the incomplete flag is 1 where
    the row is incomplete (null where its KPI is not measured)."""
    kpi_ = pl.col("kpi")
    wanted = count_sums()
    owners = {s.name: s for k in contact_kpis() for s in k.sums}
    rows = results.filter(pl.col("channel").is_not_null() & kpi_.is_in(sorted({k for k, _ in wanted.values()})))

    def read(col: str, name: str, field: str) -> pl.Expr:
        value = pl.col(field).filter(kpi_ == name).first().cast(owners[col].dtype)
        if field != "incomplete":
            return value.alias(col)
        known = pl.col("numerator").filter(kpi_ == name).first().is_not_null()
        return pl.when(known).then(value).alias(col)

    return rows.group_by(_KEYS).agg(read(col, name, field) for col, (name, field) in wanted.items())


def _odds_shift(observed: pl.Expr, base: pl.Expr, scenario: pl.Expr, n: pl.Expr) -> pl.Expr:
    """p' with odds(p') = odds(p) × odds(m₁) / odds(m₀); p itself where the model does not move or is unknown."""
    half = 0.5 / n
    p = pl.min_horizontal(pl.max_horizontal(observed, half), 1.0 - half)
    m0 = base.clip(_PROB_FLOOR, 1.0 - _PROB_FLOOR)
    m1 = scenario.clip(_PROB_FLOOR, 1.0 - _PROB_FLOOR)
    logit = (p / (1.0 - p)).log() + (m1 / (1.0 - m1)).log() - (m0 / (1.0 - m0)).log()
    shifted = 1.0 / (1.0 + (-logit).exp())
    unmoved = base.is_null() | scenario.is_null() | (base == scenario) | (n <= 0)
    return pl.when(unmoved).then(observed).otherwise(shifted)


def _whole(expr: pl.Expr) -> pl.Expr:
    return expr.round(0, mode="half_away_from_zero").cast(pl.Int64)


def _queueing_counts(counts: pl.LazyFrame) -> pl.LazyFrame:
    """`new_*` of the _QUEUEING_SUMS on the scenario's `new_offered`, from the modelled baseline (`m0_*`)
    and scenario (`m1_*`) figures (see the module docstring)."""
    c = pl.col
    offered = c("offered")
    abandoned = offered - c("answered")
    p_ab = _odds_shift(
        abandoned / offered, c("m0_modelled_abandon_rate"), c("m1_modelled_abandon_rate"), offered.cast(pl.Float64)
    )
    p_in = _odds_shift(
        c("in_service") / offered,
        c("m0_modelled_service_level"),
        c("m1_modelled_service_level"),
        offered.cast(pl.Float64),
    )
    asa = c("wait_answered") / c("answered")
    m0_asa, m1_asa = c("m0_modelled_asa_s"), c("m1_modelled_asa_s")
    asa_new = (
        pl.when(m0_asa.is_null() | m1_asa.is_null() | (m0_asa == m1_asa))
        .then(asa)
        .when(m0_asa > 0)
        .then(asa * m1_asa / m0_asa)
        .otherwise(asa + m1_asa - m0_asa)
    )
    new_offered = c("new_offered")
    step1 = counts.with_columns(
        pl.when(offered > 0).then(_whole(p_ab * new_offered)).otherwise(0).alias("new_abandoned"),
        pl.when(offered > 0).then(_whole(p_in * new_offered)).otherwise(0).alias("new_in_service"),
        asa_new.alias("asa_new"),
        abandoned.alias("abandoned"),
    )
    new_abandoned = c("new_abandoned")
    new_answered = new_offered - new_abandoned

    def share_of_abandons(col: str) -> pl.Expr:
        return pl.when(c("abandoned") > 0).then(_whole(new_abandoned * c(col) / c("abandoned"))).otherwise(0)

    step2 = step1.with_columns(
        new_answered.alias("new_answered"),
        share_of_abandons("short_abandons").alias("new_short_abandons"),
        share_of_abandons("abandons_within_threshold").alias("new_abandons_within_threshold"),
        pl.min_horizontal(c("new_in_service"), new_answered).alias("new_in_service"),
    )
    return step2.with_columns(
        pl.when((c("new_answered") == c("answered")) & (c("asa_new") == asa))
        .then(c("wait_answered"))
        .when(c("answered") > 0)
        .then(c("asa_new") * c("new_answered"))
        .otherwise(0.0)
        .alias("new_wait_answered"),
    )


def _restated(value: pl.Expr, s: Sum) -> pl.Expr:
    """A sum's scenario value: whole contacts for a count."""
    return _whole(value) if s.kind == "count" else value


def _changed_counts(counts: pl.LazyFrame) -> pl.LazyFrame:
    """The scenario's sums on rows with `changed`, each as its KPI's registry entry says (`OperationsRule`):
    the volume factor, the queueing model (`_queueing_counts`), or the KPI's value kept (times the AHT
    factor for the handle time) with its own denominator following the answered contacts."""
    c = pl.col
    entries = contact_kpis()
    own = {s.name: (k, s) for k in entries for s in k.sums if s.kind != "formula" and _read_back(k, s) != "incomplete"}
    queueing = {name for name, (k, _) in own.items() if k.operations == "queueing"}
    if not queueing <= set(_QUEUEING_SUMS):
        unknown = ", ".join(sorted(queueing - set(_QUEUEING_SUMS)))
        raise ValueError(f"the queueing model cannot restate {unknown}: give its KPI another scenario rule")
    volume = [
        _restated(c(name) * c("volume"), s).alias(f"new_{name}")
        for name, (k, s) in own.items()
        if k.operations == "volume"
    ]
    step = _queueing_counts(counts.with_columns(volume))
    answered_ratio = pl.when(c("answered") > 0).then(c("new_answered") / c("answered")).otherwise(0.0)

    def column(expr: pl.Expr | None) -> str | None:
        return expr.meta.output_name() if expr is not None else None

    kept = [(k, column(k.numerator), column(k.denominator)) for k in entries if k.operations in ("kept", "aht")]
    denominators = [
        _restated(c(den) * answered_ratio, own[den][1]).alias(f"new_{den}")
        for k, _num, den in kept
        if den in own and own[den][0] is k
    ]

    def mean_kept(total: str, n: str, factor: pl.Expr | float) -> pl.Expr:
        new_n = c(f"new_{n}")
        same = (new_n == c(n)) & (
            (factor if isinstance(factor, pl.Expr) else pl.lit(factor)) == 1.0
        )  # the observed sum itself, not a float round trip
        return pl.when(same).then(c(total)).when(c(n) > 0).then(c(total) / c(n) * factor * new_n).otherwise(0.0)

    numerators = [
        (
            c(num)
            if den is None
            else _restated(mean_kept(num, den, c("aht") if k.operations == "aht" else 1.0), own[num][1])
        ).alias(f"new_{num}")
        for k, num, den in kept
        if num in own and own[num][0] is k
    ]
    restated = step.with_columns(denominators).with_columns(numerators)
    schema = counts.collect_schema()
    handled = kpi("aht").numerator.meta.output_name()
    return restated.with_columns(
        c(handled).alias("old_handle"),
        *(pl.when(c("changed")).then(c(f"new_{col}").cast(schema[col])).otherwise(c(col)).alias(col) for col in own),
    )


_FIGURES = ("modelled_service_level", "modelled_abandon_rate", "modelled_asa_s")
_RESTATED_KPIS = ("occupancy", "forecast_accuracy")
"""The table KPIs an operations change restates besides the contact KPIs."""


@dataclass(frozen=True)
class UnchangedInputs:
    """What an operations change leaves as it is, for some partners: read once, restated from on every change.

    `results`: their rows of the results; `counts`: their contact sums read back (`contact_counts`);
    `kept`: the rows no change restates (every KPI but the contact KPIs, occupancy and forecast accuracy);
    `occupancy` and `accuracy`: their rows of those two KPIs, or None where they are measured and so
    restated; `forecasts`: the contractual forecasts the accuracy is restated on.
    """

    partners: tuple[str, ...]
    results: pl.DataFrame
    counts: pl.DataFrame
    kept: pl.DataFrame
    occupancy: pl.DataFrame | None
    accuracy: pl.DataFrame | None
    forecasts: pl.DataFrame | None


def unchanged_inputs(
    results: pl.DataFrame, partners: Sequence[str], contract: Contract, forecasts: pl.LazyFrame | None
) -> UnchangedInputs:
    """The `UnchangedInputs` of `partners` in `results` (collected)."""
    mine = results.filter(pl.col("partner_id").is_in(list(partners))).lazy()
    columns = list(RESULTS_SCHEMA)
    restated = [k.name for k in contact_kpis()] + list(_RESTATED_KPIS)
    occupancy, accuracy = (
        mine.filter(pl.col("kpi") == name).select(columns).cast(RESULTS_SCHEMA) for name in _RESTATED_KPIS
    )
    measured = [
        occupancy.select(pl.col("numerator").is_not_null().any()),
        accuracy.select(pl.col("value").is_not_null().any()),
    ]
    contractual = (
        contractual_forecasts(forecasts, contract).filter(pl.col("partner_id").is_in(list(partners)))
        if forecasts is not None
        else pl.LazyFrame()
    )
    frames = pl.collect_all(
        [
            mine,
            # sorted: the partner-wide sums add the channels in this order, the same at every update
            contact_counts(mine).sort(_KEYS),
            mine.filter(~pl.col("kpi").is_in(restated)).select(columns).cast(RESULTS_SCHEMA),
            occupancy,
            accuracy,
            *measured,
            contractual,
        ],
        engine="in-memory",
    )
    rows, counts, kept, occupancy_rows, accuracy_rows, occupancy_measured, accuracy_measured, contractual_rows = frames
    restates_accuracy = forecasts is not None and accuracy_measured.item()
    return UnchangedInputs(
        partners=tuple(partners),
        results=rows,
        counts=counts,
        kept=kept,
        occupancy=None if occupancy_measured.item() else occupancy_rows,
        accuracy=None if restates_accuracy else accuracy_rows,
        forecasts=contractual_rows if restates_accuracy else None,
    )


def operations_results(
    results: pl.DataFrame,
    changes: Mapping[tuple[str, str], ChangeKey],
    modelled: Mapping[tuple[str, str], tuple[pl.DataFrame, pl.DataFrame]],
    contract: Contract,
    *,
    present: frozenset[str],
    forecasts: pl.LazyFrame | None,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
    interval_present: frozenset[str] | None = None,
    unchanged: UnchangedInputs | None = None,
) -> pl.DataFrame:
    """The results of the partners with an operations change, restated (the other partners' rows as given).

    `changes` maps (partner, channel) to its change; `modelled` maps it to its (baseline, scenario)
    modelled months (`modelled_months`); `window` (first, last month, ends open when None) bounds the
    months that change. `interval_present`: the interval report's columns when the engagement has
    one; its partner-wide rows are then rolled up and explained as the baseline's (`metrics.results`).
    `unchanged`: those partners' `unchanged_inputs`, when already read (the
    what-if engine keeps them); else they are read here.
    """
    partners = sorted({p for p, _ in changes})
    if unchanged is None or list(unchanged.partners) != partners:
        unchanged = unchanged_inputs(results, partners, contract, forecasts)
    factors = pl.DataFrame(
        [
            {"partner_id": p, "channel": ch, "volume": 1 + v, "staffing": 1 + s, "aht": 1 + h}
            for (p, ch), (v, s, h) in changes.items()
        ],
        schema={
            "partner_id": pl.String,
            "channel": pl.String,
            "volume": pl.Float64,
            "staffing": pl.Float64,
            "aht": pl.Float64,
        },
    )
    model = [
        base.join(scenario, on=_KEYS, how="full", coalesce=True, suffix="_1").select(
            *_KEYS,
            *[pl.col(f).alias(f"m0_{f}") for f in _FIGURES],
            *[pl.col(f"{f}_1").alias(f"m1_{f}") for f in _FIGURES],
        )
        for base, scenario in modelled.values()
    ]
    first, last = window
    in_window = pl.lit(True)
    if first is not None:
        in_window &= pl.col("month") >= first
    if last is not None:
        in_window &= pl.col("month") <= last
    # the rows keep the counts' order
    counts = unchanged.counts.join(factors, on=["partner_id", "channel"], how="left", maintain_order="left")
    if model:
        counts = counts.join(pl.concat(model, how="vertical"), on=_KEYS, how="left", maintain_order="left")
    else:
        counts = counts.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(f"m{i}_{f}") for i in (0, 1) for f in _FIGURES
        )
    counts = counts.with_columns(
        (pl.col("volume").is_not_null() & in_window).alias("changed"),
        pl.col("volume", "staffing", "aht").fill_null(1.0),
    )
    restated = _changed_counts(counts.lazy()).collect(engine="in-memory")
    sums = with_channel_formulas(restated.lazy().select(*_KEYS, *count_sums()), contract.channels)
    complete = interval_present is not None
    contact_rows = results_from_sums(with_partner_wide(sums, _KEYS, complete=complete), present=present, keys=_KEYS)
    if interval_present is not None:
        contact_rows = interval_notes(contact_rows, contract, interval_present)
    contact_rows = contact_rows.collect(engine="in-memory").lazy()  # collected: the forecast accuracy reads it too
    occupancy = (
        _occupancy_rows(unchanged.results.lazy(), restated.lazy())
        if unchanged.occupancy is None
        else unchanged.occupancy.lazy()
    )
    accuracy = (
        forecast_accuracy(contact_rows, unchanged.forecasts.lazy(), contract)
        if unchanged.forecasts is not None
        else unchanged.accuracy.lazy()
    )
    columns = list(RESULTS_SCHEMA)
    rebuilt = pl.concat(
        [f.select(columns).cast(RESULTS_SCHEMA) for f in (contact_rows, unchanged.kept.lazy(), occupancy, accuracy)],
        how="vertical",
    ).collect(engine="in-memory")
    return pl.concat([results.filter(~pl.col("partner_id").is_in(partners)).select(columns), rebuilt], how="vertical")


def _occupancy_rows(results: pl.LazyFrame, restated: pl.LazyFrame) -> pl.LazyFrame:
    """Occupancy with the handled time scaled like the answered handle time and the capacity by the staffing."""
    handled = pl.when(pl.col("old_handle") > 0).then(kpi("aht").numerator / pl.col("old_handle")).otherwise(1.0)
    scale = restated.select(
        *_KEYS,
        pl.when(pl.col("changed")).then(handled).otherwise(1.0).alias("handled"),
        pl.when(pl.col("changed")).then(pl.col("staffing")).otherwise(1.0).alias("capacity"),
    )
    channel_rows = (
        results.filter((pl.col("kpi") == "occupancy") & pl.col("channel").is_not_null())
        .join(scale, on=_KEYS, how="left")
        .select(
            *_KEYS,
            (pl.col("numerator") * pl.col("handled").fill_null(1.0)).alias("numerator"),
            (pl.col("denominator") * pl.col("capacity").fill_null(1.0)).alias("denominator"),
        )
    )
    return ratio_rows(with_partner_wide(channel_rows, _KEYS), "occupancy", ())
