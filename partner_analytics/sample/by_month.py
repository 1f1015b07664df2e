"""Large contact histories generated month by month, so that memory stays bounded whatever the volume.

The in-memory generator (`generate_contacts`) holds every contact at once, with its working columns:
fine for the default sample, tens of GB for 50 M contacts. Here each month's contacts are drawn with
the same steps (arrivals, outcomes, customers who come back, surveys), then *finished* one month later,
once the follow-ups that decide their survey answers and their first-contact resolution are known
(every follow-up within 7 days lands in the same or the next month). A finished month is written as
a Parquet part and reduced to the small aggregates the other tables need (AHT for staffing, answered
contacts for invoices, the recomputed KPIs the providers report, the quality evaluations); the parts
are then streamed into one `contacts.parquet`. At most two months of contacts are in memory.

The story, the tables and their columns are those of the in-memory sample; the random draws come in
another order, so the same seed gives the same bytes here but not the bytes of the in-memory generator.
Two differences of detail: the Poisson counts of every slot are drawn first (they are small), and a
chain's customer is drawn among a population sized from the expected volume instead of the chains
counted at the end.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from .contacts import (
    CONTACT_COLUMNS,
    SEVEN_DAYS_S,
    arrival_rows,
    contact_roots,
    daily_shocks,
    follow_ups,
    next_contacts,
    outcomes,
    resolution_noise,
    slot_counts,
    sorted_arrivals,
    streams,
    surveys,
)
from .floor import generate_quality
from .profiles import CHANNELS, MONTHS, month_start

__all__ = ["IN_MEMORY_LIMIT", "ContactSummary", "write_contacts_by_month"]

IN_MEMORY_LIMIT = 1_000_000
"""Above this many contacts, `generate_sample` generates them month by month."""

_ROOT_SHARE = 0.77
"""Share of contacts that start a chain of contacts (measured on the default sample)."""
_CUSTOMER_BASE = 1_000_001
_ROW_GROUP = 262_144
_KEEP = (
    *[c for c in CONTACT_COLUMNS if c not in ("contact_id", "csat")],
    *("m", "_h", "_late", "_unresolved", "_customer", "_instant"),
)


@dataclass(frozen=True)
class ContactSummary:
    """What the other tables need from the contacts, small whatever the number of contacts.

    `aht` (partner_id, channel, m, aht) for staffing; `units` (partner_id, channel, m, units) for
    invoices; `recomputed` (partner_id, month, kpi, channel, value) for the reported KPIs; `quality`
    the evaluations of a few answered contacts.
    """

    aht: pl.DataFrame
    units: pl.DataFrame
    recomputed: pl.DataFrame
    quality: pl.DataFrame


@dataclass(frozen=True)
class _Claims:
    """Follow-ups still looking for their contact: when, on which stream, for which customer, and from which row."""

    after: np.ndarray
    target: np.ndarray
    customer: np.ndarray
    instant: np.ndarray
    origin: np.ndarray

    @classmethod
    def none(cls) -> _Claims:
        empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        return cls(empty_f, empty_i, empty_i, empty_i, empty_i)

    def take(self, keep: np.ndarray) -> _Claims:
        return _Claims(self.after[keep], self.target[keep], self.customer[keep], self.instant[keep], self.origin[keep])


def write_contacts_by_month(
    path: Path,
    grid: pl.DataFrame,
    health: pl.DataFrame,
    rng: np.random.Generator,
    quality_rng: np.random.Generator,
    scale: float,
) -> ContactSummary:
    """Write the contacts table (CONTACT_COLUMNS, sorted by arrival) to `path` month by month; return its summary."""
    counts = [slot_counts(grid, code, rng, scale) for code in range(len(streams()))]
    day = grid["day"].to_numpy().astype("datetime64[D]")
    shocks = daily_shocks(int((day[-1] - day[0]).astype(np.int64)) + 1, rng)
    month_noise = resolution_noise(rng)
    volume = np.array([c.counts.sum() for c in counts], dtype=float)
    population = max(1, int(0.9 * _ROOT_SHARE * volume.sum()))
    bounds = np.searchsorted(grid["m"].to_numpy(), np.arange(MONTHS + 1))

    with tempfile.TemporaryDirectory(prefix=".contacts-", dir=path.parent) as tmp:
        done = _Finished(Path(tmp), rng, quality_rng, health)
        claims = _Claims.none()
        previous: pl.DataFrame | None = None
        for month in range(MONTHS):
            rows = slice(int(bounds[month]), int(bounds[month + 1]))
            frame = sorted_arrivals([arrival_rows(grid, c, rng, rows) for c in counts])
            frame = outcomes(frame, health, rng, shocks)
            first_row = done.rows + (previous.height if previous is not None else 0)
            frame, claims, earlier = _link_month(frame, rng, month_noise, volume, population, claims, first_row)
            if previous is not None:
                unresolved = np.zeros(previous.height, dtype=bool)
                unresolved[earlier[earlier >= done.rows] - done.rows] = True
                done.add(previous.with_columns(pl.col("_unresolved") | pl.Series(unresolved)), following=frame)
            previous = frame
        if previous is not None:
            done.add(previous, following=None)
        pl.scan_parquet(done.parts).sink_parquet(path, compression="zstd", statistics=True, row_group_size=_ROW_GROUP)
    return done.summary()


def _link_month(
    frame: pl.DataFrame,
    rng: np.random.Generator,
    month_noise: np.ndarray,
    volume: np.ndarray,
    population: int,
    claims: _Claims,
    first_row: int,
) -> tuple[pl.DataFrame, _Claims, np.ndarray]:
    """Add `_customer`, `customer_id` and `_unresolved` to a month's contacts (rows numbered from `first_row`).

    Follow-ups of earlier months still unmatched (`claims`) take their contacts first among this
    month's, like the month's own follow-ups; those that find none go on to the next month. Also
    returns the rows of earlier months found unresolved here (their follow-up came within 7 days).
    """
    n = frame.height
    instant = frame["_instant"].to_numpy().astype(np.int64)
    stream = frame["_stream"].to_numpy().astype(np.int64)
    follows, delay, target = follow_ups(frame, rng, month_noise, volume)
    source = np.flatnonzero(follows)
    carried = claims.after.size
    after = np.concatenate([claims.after, instant[source] + delay[source]])
    wanted = np.concatenate([claims.target, target[source]])
    child = next_contacts(instant, stream, np.arange(after.size), after, wanted)

    found = np.flatnonzero(child >= 0)
    from_claims, from_month = found[found < carried], found[found >= carried]
    parent = np.full(n, -1, dtype=np.int64)
    parent[child[from_month]] = source[from_month - carried]
    inherited = np.full(n, -1, dtype=np.int64)
    inherited[child[from_claims]] = claims.customer[from_claims]
    root = contact_roots(parent)
    fresh = (parent < 0) & (inherited < 0)
    inherited[fresh] = rng.integers(0, population, int(fresh.sum())) + _CUSTOMER_BASE
    customer = inherited[root]

    source_instant = np.concatenate([claims.instant, instant[source]])
    close = instant[child[found]] - source_instant[found] <= SEVEN_DAYS_S
    unresolved = np.zeros(n, dtype=bool)
    unresolved[source[from_month[close[found >= carried]] - carried]] = True
    earlier = claims.origin[from_claims[close[found < carried]]]

    pending = np.flatnonzero(child < 0)
    origin = np.concatenate([claims.origin, first_row + source])
    owner = np.concatenate([claims.customer, customer[source]])
    next_claims = _Claims(after[pending], wanted[pending], owner[pending], source_instant[pending], origin[pending])
    frame = frame.with_columns(
        pl.format("K{}", pl.Series(customer).cast(pl.String)).alias("customer_id"),
        pl.Series("_customer", customer),
        pl.Series("_unresolved", unresolved),
    ).select(_KEEP)
    return frame, next_claims, earlier


class _Finished:
    """The finished months: their Parquet parts and the aggregates the other tables need."""

    def __init__(self, folder: Path, rng: np.random.Generator, quality_rng: np.random.Generator, health: pl.DataFrame):
        self.folder, self.rng, self.quality_rng, self.health = folder, rng, quality_rng, health
        self.parts: list[Path] = []
        self.rows = 0
        self.last = 0
        self.sums: list[pl.DataFrame] = []
        self.fcr: list[pl.DataFrame] = []
        self.late_fcr: list[pl.DataFrame] = []
        self.quality: list[pl.DataFrame] = []

    def add(self, month: pl.DataFrame, *, following: pl.DataFrame | None) -> None:
        """Survey answers and contact ids for a month whose follow-ups are known; write it, keep its aggregates.

        Its contacts' FCR is counted now when their 7-day window ends before the last arrival seen so
        far, else kept for `summary`, which knows the data's end.
        """
        month = surveys(month, self.rng).with_columns(
            pl.format("C{}", (pl.int_range(pl.len()) + self.rows + 1).cast(pl.String).str.zfill(8)).alias("contact_id")
        )
        part = self.folder / f"part-{len(self.parts):03d}.parquet"
        month.select(CONTACT_COLUMNS).write_parquet(part, compression="lz4", statistics=False)
        self.parts.append(part)
        self.rows += month.height
        for frame in (month, following):
            if frame is not None and frame.height:
                self.last = max(self.last, int(frame["_instant"].max()))
        self.sums.append(_sums(month))
        flags = _fcr_flags(month, following)
        observed = pl.col("_instant") + SEVEN_DAYS_S <= self.last
        self.fcr.append(_resolution(flags.filter(observed)))
        self.late_fcr.append(flags.filter(~observed))
        self.quality.append(generate_quality(month, self.health, self.quality_rng))

    def summary(self) -> ContactSummary:
        late = pl.concat(self.late_fcr).filter(pl.col("_instant") + SEVEN_DAYS_S <= self.last)
        return _summary(pl.concat(self.sums), pl.concat([*self.fcr, _resolution(late)]), pl.concat(self.quality))


def _resolution(flags: pl.DataFrame) -> pl.DataFrame:
    """Resolved and counted answered contacts per partner × month index."""
    return flags.group_by("partner_id", "m").agg(pl.col("_resolved").sum().alias("resolved"), pl.len().alias("counted"))


def _fcr_flags(month: pl.DataFrame, following: pl.DataFrame | None) -> pl.DataFrame:
    """The answered contacts of `month` with `_resolved`: no other contact of the customer in (t, t + 7 days]."""
    both = [month.select("_customer", "_instant")]
    if following is not None:
        both.append(following.select("_customer", "_instant"))
    moments = (
        pl.concat(both)
        .unique()
        .sort("_customer", "_instant")
        .with_columns(
            pl.when(pl.col("_customer").shift(-1) == pl.col("_customer"))
            .then(pl.col("_instant").shift(-1))
            .alias("_next")
        )
    )
    return (
        month.filter(pl.col("answered"))
        .select("partner_id", "m", "_customer", "_instant")
        .join(moments, on=["_customer", "_instant"], how="left")
        .select(
            "partner_id",
            "m",
            "_instant",
            (pl.col("_next").is_null() | (pl.col("_next") - pl.col("_instant") > SEVEN_DAYS_S)).alias("_resolved"),
        )
    )


def _sums(month: pl.DataFrame) -> pl.DataFrame:
    """Per partner × channel × month index: the counts and sums the recomputed KPIs are ratios of."""
    threshold = pl.col("channel").replace_strict(
        {c: r.answer_within_s for c, r in CHANNELS.items()}, return_dtype=pl.Float64
    )
    short_s = pl.col("channel").replace_strict(
        {c: r.short_abandon_s for c, r in CHANNELS.items()}, return_dtype=pl.Float64
    )
    answered = pl.col("answered")
    return month.group_by("partner_id", "channel", "m").agg(
        pl.len().alias("offered"),
        answered.sum().alias("answered"),
        (~answered & (pl.col("wait_s") < short_s)).sum().alias("short"),
        (answered & (pl.col("wait_s") <= threshold)).sum().alias("in_time"),
        pl.col("wait_s").filter(answered).sum().alias("wait"),
        pl.col("handle_s").filter(answered).sum().alias("handle"),
        pl.col("handle_s").filter(answered).count().alias("handled"),
        pl.col("csat").cast(pl.Float64).sum().alias("csat"),
        pl.col("csat").count().alias("surveyed"),
    )


def _summary(sums: pl.DataFrame, fcr: pl.DataFrame, quality: pl.DataFrame) -> ContactSummary:
    """The tables' inputs from the monthly aggregates: the figures `recomputed_kpis`, `monthly_aht` and
    `answered_units` give on all the contacts at once."""
    sums = sums.group_by("partner_id", "channel", "m").agg(pl.all().sum())
    c = pl.col
    counted = c("offered") - c("short")
    per_channel = sums.select(
        "partner_id",
        "channel",
        "m",
        c("offered").cast(pl.Float64).alias("offered"),
        (c("in_time") / counted).alias("service_level"),
        ((c("offered") - c("answered") - c("short")) / counted).alias("abandon_rate"),
        pl.when(c("answered") > 0).then(c("wait") / c("answered")).alias("asa"),
        pl.when(c("handled") > 0).then(c("handle") / c("handled")).alias("aht"),
    ).unpivot(index=["partner_id", "channel", "m"], variable_name="kpi", value_name="value")
    resolution = fcr.group_by("partner_id", "m").agg(c("resolved").sum(), c("counted").sum())
    surveys_ = sums.group_by("partner_id", "m").agg(c("csat").sum(), c("surveyed").sum())
    partner_wide = (
        surveys_.join(resolution, on=["partner_id", "m"], how="full", coalesce=True)
        .select(
            "partner_id",
            "m",
            pl.when(c("counted") > 0).then(c("resolved") / c("counted")).alias("fcr"),
            pl.when(c("surveyed") > 0).then(c("csat") / c("surveyed")).alias("csat"),
        )
        .unpivot(index=["partner_id", "m"], variable_name="kpi", value_name="value")
        .with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    )
    months = {i: month_start(i) for i in range(MONTHS)}
    recomputed = (
        pl.concat([per_channel, partner_wide.select(per_channel.columns)])
        .with_columns(c("m").replace_strict(months, return_dtype=pl.Date).alias("month"))
        .select("partner_id", "month", "kpi", "channel", "value")
    )
    return ContactSummary(
        aht=sums.filter(c("handled") > 0).select(
            "partner_id", "channel", "m", (c("handle") / c("handled")).alias("aht")
        ),
        units=sums.filter(c("answered") > 0).select("partner_id", "channel", "m", c("answered").alias("units")),
        recomputed=recomputed,
        quality=quality.sort("evaluated_at", "partner_id", "contact_id"),
    )
