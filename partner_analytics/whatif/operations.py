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

The scenario's counts follow from those shares (rounded half away from zero to whole contacts):
offered × (1 + volume change); abandoned = p'_abandon × offered, the rest answered; short abandons
and abandons within T keep their observed share of the abandons; in service = p'_in_service ×
offered (at most the answered); the wait of the answered = ASA' × answered; handle time, surveys
and FCR counts scale with the answered contacts (the AHT × (1 + AHT change), CSAT and FCR rates
unchanged). Those counts go through the same transforms as the contact history
(`metrics.results_from_sums`, each channel's service-level formula), so every KPI, the charges,
the corridor and gain-share follow. Occupancy's handled time and capacity scale the same way;
the forecast accuracy is recomputed from the new offered contacts.

Limits: each interval is a steady state of its own (no backlog), so a deferred channel such as
email, worked over hours, is only roughly modelled; CSAT, FCR and quality do not respond to waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import polars as pl

from ..contract.terms import ChannelTerms, Contract
from ..metrics.contact_kpis import (
    RESULTS_SCHEMA,
    month_of,
    partner_wide,
    ratio_rows,
    results_from_sums,
    with_channel_formulas,
)
from ..metrics.forecasts import forecast_accuracy
from .queueing import erlang_a, offered_load

__all__ = [
    "COUNT_SUMS",
    "ChangeKey",
    "contact_counts",
    "interval_inputs",
    "modelled_months",
    "operations_results",
    "patience",
]

ChangeKey = tuple[float, float, float]
"""(volume change, staffing change, AHT change) as fractions."""

_KEYS = ["partner_id", "channel", "month"]
# Each column of metrics.contact_sums, read back from the results: (kpi, field).
COUNT_SUMS: dict[str, tuple[str, str]] = {
    "offered": ("offered", "numerator"),
    "answered": ("answered", "numerator"),
    "short_abandons": ("short_abandons", "numerator"),
    "in_service": ("in_service", "numerator"),
    "abandons_within_threshold": ("abandons_within_threshold", "numerator"),
    "wait_answered": ("asa", "numerator"),
    "handle_sum": ("aht", "numerator"),
    "handle_n": ("aht", "denominator"),
    "csat_sum": ("csat", "numerator"),
    "csat_n": ("csat", "denominator"),
    "csat_top2_n": ("csat_top2", "numerator"),
    "fcr_resolved": ("fcr", "numerator"),
    "fcr_counted": ("fcr", "denominator"),
}
_FLOAT_SUMS = ("wait_answered", "handle_sum", "csat_sum")
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


def contact_counts(results: pl.LazyFrame) -> pl.LazyFrame:
    """The sums of `metrics.contact_sums` per partner × channel × month, read back from the results'
    numerators and denominators (channel rows only), and `fcr_cut` (1 where FCR is incomplete)."""
    kpi = pl.col("kpi")
    wanted = sorted({k for k, _ in COUNT_SUMS.values()})
    rows = results.filter(pl.col("channel").is_not_null() & kpi.is_in(wanted))
    sums = [
        pl.col(field).filter(kpi == name).first().cast(pl.Float64 if col in _FLOAT_SUMS else pl.Int64).alias(col)
        for col, (name, field) in COUNT_SUMS.items()
    ]
    fcr_cut = pl.col("incomplete").filter(kpi == "fcr").first().cast(pl.Int64)
    fcr_known = pl.col("numerator").filter(kpi == "fcr").first().is_not_null()
    return rows.group_by(_KEYS).agg(*sums, pl.when(fcr_known).then(fcr_cut).alias("fcr_cut"))


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


def _changed_counts(counts: pl.LazyFrame) -> pl.LazyFrame:
    """The scenario's counts on rows with `changed`, from the volume, staffing and AHT factors and the
    modelled baseline (`m0_*`) and scenario (`m1_*`) figures (see the module docstring)."""
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
    step1 = counts.with_columns(
        _whole(offered * c("volume")).alias("new_offered"),
        p_ab.alias("p_ab"),
        p_in.alias("p_in"),
        asa_new.alias("asa_new"),
        abandoned.alias("abandoned"),
        c("handle_sum").alias("old_handle"),
    )
    new_offered = c("new_offered")
    step2 = step1.with_columns(
        pl.when(offered > 0).then(_whole(c("p_ab") * new_offered)).otherwise(0).alias("new_abandoned"),
        pl.when(offered > 0).then(_whole(c("p_in") * new_offered)).otherwise(0).alias("new_in_service"),
    )
    new_abandoned = c("new_abandoned")
    new_answered = new_offered - new_abandoned

    def share_of_abandons(col: str) -> pl.Expr:
        return pl.when(c("abandoned") > 0).then(_whole(new_abandoned * c(col) / c("abandoned"))).otherwise(0)

    step3 = step2.with_columns(
        new_answered.alias("new_answered"),
        share_of_abandons("short_abandons").alias("new_short_abandons"),
        share_of_abandons("abandons_within_threshold").alias("new_abandons_within_threshold"),
        pl.min_horizontal(c("new_in_service"), new_answered).alias("new_in_service"),
    )
    ratio = pl.when(c("answered") > 0).then(c("new_answered") / c("answered")).otherwise(0.0)

    def scaled(count: str) -> pl.Expr:
        return _whole(c(count) * ratio)

    def mean_kept(total: str, n: str, new_n: pl.Expr, factor: pl.Expr | float = 1.0) -> pl.Expr:
        same = (new_n == c(n)) & (
            (factor if isinstance(factor, pl.Expr) else pl.lit(factor)) == 1.0
        )  # the observed sum itself, not a float round trip
        return pl.when(same).then(c(total)).when(c(n) > 0).then(c(total) / c(n) * factor * new_n).otherwise(0.0)

    step4 = step3.with_columns(
        scaled("handle_n").alias("new_handle_n"),
        scaled("csat_n").alias("new_csat_n"),
        scaled("fcr_counted").alias("new_fcr_counted"),
    ).with_columns(
        pl.when((c("new_answered") == c("answered")) & (c("asa_new") == asa))
        .then(c("wait_answered"))
        .when(c("answered") > 0)
        .then(c("asa_new") * c("new_answered"))
        .otherwise(0.0)
        .alias("new_wait_answered"),
        mean_kept("handle_sum", "handle_n", c("new_handle_n"), c("aht")).alias("new_handle_sum"),
        mean_kept("csat_sum", "csat_n", c("new_csat_n")).alias("new_csat_sum"),
        _whole(mean_kept("csat_top2_n", "csat_n", c("new_csat_n"))).alias("new_csat_top2_n"),
        _whole(mean_kept("fcr_resolved", "fcr_counted", c("new_fcr_counted"))).alias("new_fcr_resolved"),
    )
    changed = c("changed")
    return step4.with_columns(
        pl.when(changed).then(c(f"new_{col}").cast(counts.collect_schema()[col])).otherwise(c(col)).alias(col)
        for col in COUNT_SUMS
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
) -> pl.DataFrame:
    """The results of the partners with an operations change, restated (the other partners' rows as given).

    `changes` maps (partner, channel) to its change; `modelled` maps it to its (baseline, scenario)
    modelled months (`modelled_months`); `window` (first, last month, ends open when None) bounds the
    months that change.
    """
    partners = sorted({p for p, _ in changes})
    mine = results.filter(pl.col("partner_id").is_in(partners))
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
    figures = ("modelled_service_level", "modelled_abandon_rate", "modelled_asa_s")
    model = [
        base.join(scenario, on=_KEYS, how="full", coalesce=True, suffix="_1").select(
            *_KEYS,
            *[pl.col(f).alias(f"m0_{f}") for f in figures],
            *[pl.col(f"{f}_1").alias(f"m1_{f}") for f in figures],
        )
        for base, scenario in modelled.values()
    ]
    model_frame = pl.concat(model, how="vertical") if model else None
    first, last = window
    in_window = pl.lit(True)
    if first is not None:
        in_window &= pl.col("month") >= first
    if last is not None:
        in_window &= pl.col("month") <= last
    counts = contact_counts(mine.lazy()).join(factors.lazy(), on=["partner_id", "channel"], how="left")
    if model_frame is not None:
        counts = counts.join(model_frame.lazy(), on=_KEYS, how="left")
    else:
        counts = counts.with_columns(pl.lit(None, dtype=pl.Float64).alias(f"m{i}_{f}") for i in (0, 1) for f in figures)
    counts = counts.with_columns(
        (pl.col("volume").is_not_null() & in_window).alias("changed"),
        pl.col("volume", "staffing", "aht").fill_null(1.0),
    )
    restated = _changed_counts(counts).collect()
    sums = with_channel_formulas(restated.lazy().select(*_KEYS, *COUNT_SUMS, "fcr_cut"), contract.channels)
    both = pl.concat([sums, partner_wide(sums, _KEYS).select(sums.collect_schema().names())], how="vertical")
    contact_rows = results_from_sums(both, present=present, keys=_KEYS)
    occupancy = mine.lazy().filter(pl.col("kpi") == "occupancy")
    if occupancy.select(pl.col("numerator").is_not_null().any()).collect().item():
        occupancy = _occupancy_rows(mine.lazy(), restated.lazy())
    accuracy = mine.lazy().filter(pl.col("kpi") == "forecast_accuracy")
    if forecasts is not None and accuracy.select(pl.col("value").is_not_null().any()).collect().item():
        accuracy = forecast_accuracy(contact_rows, forecasts, contract)
    kept = mine.lazy().filter(~pl.col("kpi").is_in([*_contact_kpis(), "occupancy", "forecast_accuracy"]))
    columns = list(RESULTS_SCHEMA)
    rebuilt = pl.concat(
        [f.select(columns).cast(RESULTS_SCHEMA) for f in (contact_rows, kept, occupancy, accuracy)], how="vertical"
    ).collect()
    return pl.concat([results.filter(~pl.col("partner_id").is_in(partners)).select(columns), rebuilt], how="vertical")


def _contact_kpis() -> list[str]:
    return [
        "offered",
        "answered",
        "short_abandons",
        "in_service",
        "abandons_within_threshold",
        "service_level",
        "abandon_rate",
        "asa",
        "aht",
        "fcr",
        "csat",
        "csat_top2",
    ]


def _occupancy_rows(results: pl.LazyFrame, restated: pl.LazyFrame) -> pl.LazyFrame:
    """Occupancy with the handled time scaled like the answered handle time and the capacity by the staffing."""
    handled = pl.when(pl.col("old_handle") > 0).then(pl.col("handle_sum") / pl.col("old_handle")).otherwise(1.0)
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
    wide = (
        channel_rows.group_by("partner_id", "month")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    )
    both = pl.concat([channel_rows, wide.select(channel_rows.collect_schema().names())], how="vertical")
    return ratio_rows(both, "occupancy", ())
