"""The contacts table: arrivals, waits and handle times, customers who come back, survey answers.

Steps, each a function:
1. `arrivals`: Poisson counts per 30-minute slot × site × queue of each partner's stream, from the
   calendar's seasonality, the campaigns and a day-to-day noise (`slot_counts`); a uniform second
   within the slot (`arrival_rows`, which can take one month's slots at a time).
2. `outcomes`: each contact is a short abandon, answered within the threshold, answered late or
   abandoned, with the shares of the partner's health that month (worse in busy slots), then a
   wait and a log-normal handle time.
3. `link_customers`: some contacts are followed by another contact of the same customer (after an
   abandon: soon; after an unresolved answer: within days, sometimes on another channel or with
   another partner); chains of contacts share a customer id. This is what first-contact resolution
   measures.
4. `surveys`: a few answered contacts get a CSAT answer, lower after a long wait or no resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .calendar import SLOT_MINUTES, arrival_weight, campaign_factor
from .health import lerp
from .profiles import (
    CHANNELS,
    CSAT_LATENT,
    DRIVERS,
    FOLLOW_UP,
    MONTHS,
    PARTNERS,
    RETRY_AFTER_ABANDON,
    TIMEZONE,
    VOLUME_SHIFTS,
    Partner,
    Stream,
    all_partners,
    month_index,
)

__all__ = [
    "CONTACT_COLUMNS",
    "SEVEN_DAYS_S",
    "SlotCounts",
    "arrival_rows",
    "daily_shocks",
    "expected_rate",
    "follow_ups",
    "generate_contacts",
    "resolution_noise",
    "slot_counts",
    "sorted_arrivals",
    "streams",
]

CONTACT_COLUMNS = (
    "contact_id",
    "partner_id",
    "channel",
    "arrived_at",
    "answered",
    "wait_s",
    "handle_s",
    "site_id",
    "queue",
    "customer_id",
    "csat",
)
SEVEN_DAYS_S = 7 * 24 * 3600
_DAY_NOISE = 0.07
_QUEUE_AHT = {"billing": 1.0, "moving": 1.12, "meter": 0.88, "backoffice": 1.0}
_CHANNEL_FOLLOW_UP = {"voice": 0.0, "chat": 0.02, "email": 0.05}
_SAME_STREAM_AFTER_ANSWER = 0.8
_SAME_STREAM_AFTER_ABANDON = 0.92
_FOLLOW_UP_DELAY = (26 * 3600.0, 1.0)
_RETRY_DELAY = (40 * 60.0, 1.0)
_BUSY_SLOT_EFFECT = 0.10
_DAILY_HEALTH_NOISE = 0.05
_RESOLUTION_NOISE = 0.012


def streams(partners: tuple[Partner, ...] = PARTNERS) -> list[tuple[Partner, Stream]]:
    """Every (partner, stream) of `partners`, in a fixed order (its index is the stream code)."""
    return [(p, s) for p in partners for s in p.streams]


def expected_rate(
    grid: pl.DataFrame, partner: Partner, stream: Stream, scale: float, *, incidents: bool = True, shifts: bool = True
) -> np.ndarray:
    """Expected contacts per slot for a stream, with or without the unforecast incidents and the volume shifts."""
    base = arrival_weight(grid, stream.channel)
    per_unit = stream.monthly_contacts * MONTHS * scale / base.sum()
    rate = per_unit * base * campaign_factor(grid, stream.channel, forecast_only=not incidents)
    m = grid["m"].to_numpy()
    ramp = np.ones(MONTHS)
    ramp[: len(partner.behaviour.ramp)] = partner.behaviour.ramp
    rate = rate * ramp[m]
    if shifts:
        for shift in VOLUME_SHIFTS:
            if (shift.partner_id, shift.channel) == (partner.id, stream.channel):
                rate = np.where(m >= month_index(shift.start), rate * shift.factor, rate)
    return rate


def generate_contacts(
    grid: pl.DataFrame,
    health: pl.DataFrame,
    rng: np.random.Generator,
    scale: float,
    partners: tuple[Partner, ...] = PARTNERS,
) -> pl.DataFrame:
    """The contacts of `partners` (CONTACT_COLUMNS), sorted by arrival, plus `_`-prefixed columns other tables use.

    A customer comes back to the streams of `partners` only: other partners' contacts drawn from
    another generator never share a customer with these."""
    frame = arrivals(grid, rng, scale, partners)
    frame = outcomes(frame, health, rng, partners=partners)
    frame = link_customers(frame, rng, partners)
    frame = surveys(frame, rng)
    return frame.with_columns(
        pl.format("C{}", (pl.int_range(pl.len()) + 1).cast(pl.String).str.zfill(8)).alias("contact_id")
    )


def arrivals(
    grid: pl.DataFrame, rng: np.random.Generator, scale: float, partners: tuple[Partner, ...] = PARTNERS
) -> pl.DataFrame:
    """One row per contact: partner, channel, site, queue, local arrival time, month index and the slot's load."""
    frames = []
    for code in range(len(streams(partners))):
        counts = slot_counts(grid, code, rng, scale, partners)
        frames.append(arrival_rows(grid, counts, rng, partners=partners))
    return sorted_arrivals(frames)


@dataclass(frozen=True)
class SlotCounts:
    """A stream's contacts per slot × (site, queue) combination, and each slot's expected rate."""

    code: int
    rate: np.ndarray
    counts: np.ndarray
    combos: tuple[tuple[str, str], ...]


def slot_counts(
    grid: pl.DataFrame, code: int, rng: np.random.Generator, scale: float, partners: tuple[Partner, ...] = PARTNERS
) -> SlotCounts:
    """Poisson contacts per slot × (site, queue) of stream `code` of `partners`, with a day-to-day noise on its
    rate."""
    partner, stream = streams(partners)[code]
    day = grid["day"].to_numpy().astype("datetime64[D]")
    day_index = (day - day[0]).astype(np.int64)
    rate = expected_rate(grid, partner, stream, scale)
    rate = rate * rng.lognormal(0.0, _DAY_NOISE, day_index[-1] + 1)[day_index]
    combos = [(site, queue, s * q) for site, s in stream.sites.items() for queue, q in stream.queues.items()]
    shares = np.array([c[2] for c in combos])
    counts = rng.poisson(rate[:, None] * shares[None, :])
    return SlotCounts(code, rate, counts, tuple((c[0], c[1]) for c in combos))


def arrival_rows(
    grid: pl.DataFrame,
    counts: SlotCounts,
    rng: np.random.Generator,
    slots: slice = slice(None),
    partners: tuple[Partner, ...] = PARTNERS,
) -> pl.DataFrame:
    """The contacts of one stream in `slots` (a slice of the grid), each at a uniform second of its slot."""
    partner, stream = streams(partners)[counts.code]
    lo = range(grid.height)[slots].start
    day = grid["day"].to_numpy().astype("datetime64[D]")
    day_index = (day - day[0]).astype(np.int64)
    starts = grid["slot_start"].to_numpy()
    slot_of, combo_of = np.nonzero(counts.counts[slots])
    slot_of = slot_of + lo
    n = counts.counts[slot_of, combo_of]
    slot_rep, combo_rep = np.repeat(slot_of, n), np.repeat(combo_of, n)
    second = rng.integers(0, SLOT_MINUTES * 60, slot_rep.size)
    return pl.DataFrame(
        {
            "partner_id": pl.repeat(partner.id, slot_rep.size, dtype=pl.String, eager=True),
            "channel": pl.repeat(stream.channel, slot_rep.size, dtype=pl.String, eager=True),
            "_stream": np.full(slot_rep.size, counts.code, dtype=np.int16),
            "site_id": np.array([c[0] for c in counts.combos])[combo_rep],
            "queue": np.array([c[1] for c in counts.combos])[combo_rep],
            "arrived_at": starts[slot_rep] + second.astype("timedelta64[s]"),
            "m": grid["m"].to_numpy()[slot_rep],
            "_load": counts.rate[slot_rep],
            "_day": day_index[slot_rep],
        }
    )


def sorted_arrivals(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The streams' arrivals in one frame sorted by arrival, with `_instant` (epoch seconds of the local time)."""
    frame = pl.concat(frames).with_columns(pl.col("arrived_at").dt.cast_time_unit("us"))
    frame = frame.sort(["arrived_at", "_stream", "site_id", "queue"], maintain_order=True)
    return frame.with_columns(
        pl.col("arrived_at").dt.replace_time_zone(TIMEZONE).dt.epoch("s").alias("_instant"),
    )


def _by_channel(channel: np.ndarray, values: dict[str, float]) -> np.ndarray:
    out = np.zeros(channel.size)
    for name, value in values.items():
        out[channel == name] = value
    return out


def outcomes(
    frame: pl.DataFrame,
    health: pl.DataFrame,
    rng: np.random.Generator,
    shocks: np.ndarray | None = None,
    partners: tuple[Partner, ...] = PARTNERS,
) -> pl.DataFrame:
    """Add `answered`, `wait_s`, `handle_s`, `_late` (answered after the threshold) and `_h`.

    `_h` is the contact's health: the partner's month, its site's offset and a daily shock. The
    shares of the four outcomes follow `_h`, and a busier slot than the month's average (contacts
    weighted, so the monthly mean is kept) answers fewer contacts in time and loses more.
    `shocks` (stream × day of `partners`) are drawn here unless given (a month-by-month generator draws
    them once).
    """
    site_offset = pl.DataFrame(
        [(p.id, site, off) for p in partners for site, off in p.behaviour.site_health.items()],
        schema={"partner_id": pl.String, "site_id": pl.String, "_site_offset": pl.Float64},
        orient="row",
    )
    if shocks is None:
        shocks = daily_shocks(int(frame["_day"].max()) + 1, rng, partners)
    frame = (
        frame.join(health, on=["partner_id", "m"], how="left")
        .join(site_offset, on=["partner_id", "site_id"], how="left")
        .with_columns((pl.col("_load") / pl.col("_load").mean().over("_stream", "m")).alias("_busy"))
    )
    channel = frame["channel"].to_numpy().astype(str)
    shock = shocks[frame["_stream"].to_numpy(), frame["_day"].to_numpy()]
    h = np.clip(frame["health"].to_numpy() + frame["_site_offset"].fill_null(0.0).to_numpy() + shock, 0.0, 1.0)
    busy = frame["_busy"].to_numpy() - 1.0
    n = frame.height

    p_fast = np.zeros(n)
    p_abandon = np.zeros(n)
    for name, d in DRIVERS.items():
        on = channel == name
        p_fast[on] = lerp(d.fast_answer, h[on])
        p_abandon[on] = lerp(d.abandon, h[on])
    p_fast = np.clip(p_fast - _BUSY_SLOT_EFFECT * busy, 0.05, 0.99)
    p_abandon = np.clip(p_abandon + 0.4 * _BUSY_SLOT_EFFECT * busy * (channel != "email"), 0.001, 0.5)
    p_abandon = np.minimum(p_abandon, 0.999 - p_fast)
    short_share = _by_channel(channel, {c: d.short_abandon for c, d in DRIVERS.items()})

    u = rng.random(n)
    short = u < short_share
    v = (u - short_share) / (1.0 - short_share)
    fast = ~short & (v < p_fast)
    abandoned = ~short & ~fast & (v < p_fast + p_abandon)
    answered = ~short & ~abandoned

    threshold = _by_channel(channel, {c: r.answer_within_s for c, r in CHANNELS.items()})
    short_s = _by_channel(channel, {c: r.short_abandon_s for c, r in CHANNELS.items()})
    is_email = channel == "email"
    fast_wait = threshold * np.where(is_email, rng.beta(1.3, 2.0, n), rng.beta(0.9, 2.2, n))
    slow_median = _by_channel(channel, {c: d.slow_wait_median_s for c, d in DRIVERS.items()})
    slow_wait = threshold + 1.0 + np.floor(rng.lognormal(np.log(slow_median), 0.9))
    abandon_median = _by_channel(channel, {c: d.abandon_wait_median_s for c, d in DRIVERS.items()})
    abandon_wait = short_s + np.floor(rng.lognormal(np.log(abandon_median), 0.9))
    short_wait = np.floor(rng.random(n) * short_s)
    wait = np.select([short, fast, abandoned], [short_wait, np.round(fast_wait), abandon_wait], slow_wait)

    aht_base = _by_channel(channel, {c: d.aht_s for c, d in DRIVERS.items()})
    sigma = _by_channel(channel, {c: d.aht_sigma for c, d in DRIVERS.items()})
    drifts = {p.id: p.behaviour.aht_drift for p in partners}
    drift = frame["partner_id"].replace_strict(drifts, return_dtype=pl.Float64).to_numpy()
    queue_factor = frame["queue"].replace_strict(_QUEUE_AHT, return_dtype=pl.Float64).to_numpy()
    mean_aht = aht_base * (1.0 + drift * (1.0 - h)) * queue_factor
    handle = np.maximum(15.0, np.round(rng.lognormal(np.log(mean_aht) - sigma**2 / 2.0, sigma)))

    return frame.with_columns(
        pl.Series("answered", answered),
        pl.Series("wait_s", wait),
        pl.Series("handle_s", np.where(answered, handle, np.nan)).fill_nan(None),
        pl.Series("_late", answered & ~fast),
        pl.Series("_h", h),
    )


def daily_shocks(days: int, rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS) -> np.ndarray:
    """A health shock per stream (of `partners`) × day."""
    return rng.normal(0.0, _DAILY_HEALTH_NOISE, (len(streams(partners)), days))


def link_customers(
    frame: pl.DataFrame, rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS
) -> pl.DataFrame:
    """Add `customer_id` and `_unresolved` (another contact of the customer follows within 7 days)."""
    n = frame.height
    instant = frame["_instant"].to_numpy()
    stream = frame["_stream"].to_numpy().astype(np.int64)
    month_noise = resolution_noise(rng, partners)
    volume = np.bincount(stream, minlength=len(streams(partners))).astype(float)
    follows, delay, target_stream = follow_ups(frame, rng, month_noise, volume, partners)

    source = np.flatnonzero(follows)
    child = next_contacts(instant, stream, source, instant[source] + delay[source], target_stream[source])
    parent = np.full(n, -1, dtype=np.int64)
    linked = child >= 0
    parent[child[linked]] = source[linked]

    root = contact_roots(parent)
    roots = np.flatnonzero(parent < 0)
    population = max(1, int(0.9 * roots.size))
    customer_of_root = np.zeros(n, dtype=np.int64)
    customer_of_root[roots] = rng.integers(0, population, roots.size)
    labels = rng.permutation(population) + 1_000_001
    customer = labels[customer_of_root[root]]

    next_gap = np.full(n, np.inf)
    next_gap[source[linked]] = instant[child[linked]] - instant[source[linked]]
    return frame.with_columns(
        pl.format("K{}", pl.Series(customer).cast(pl.String)).alias("customer_id"),
        pl.Series("_customer", customer),
        pl.Series("_unresolved", next_gap <= SEVEN_DAYS_S),
    )


def resolution_noise(rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS) -> np.ndarray:
    """A partner (of `partners`) × month noise on the chance that an answered contact is followed by another."""
    return rng.normal(0.0, _RESOLUTION_NOISE, (len(partners), MONTHS))


def follow_ups(
    frame: pl.DataFrame,
    rng: np.random.Generator,
    month_noise: np.ndarray,
    volume: np.ndarray,
    partners: tuple[Partner, ...] = PARTNERS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each contact is followed by another of its customer, after how many seconds, on which stream.

    A follow-up stays on the contact's stream mostly; otherwise it goes to a stream drawn by `volume`.
    """
    n = frame.height
    stream = frame["_stream"].to_numpy().astype(np.int64)
    answered = frame["answered"].to_numpy()
    channel = frame["channel"].to_numpy().astype(str)
    offsets = {p.id: p.behaviour.resolution_offset for p in partners}
    partner_offset = frame["partner_id"].replace_strict(offsets, return_dtype=pl.Float64).to_numpy()
    partner_code = frame["partner_id"].replace_strict({p.id: i for i, p in enumerate(partners)}, return_dtype=pl.Int64)
    noise = month_noise[partner_code.to_numpy(), frame["m"].to_numpy()]
    p_follow = lerp(FOLLOW_UP, frame["health"].to_numpy()) + partner_offset + noise
    p_follow = p_follow + _by_channel(channel, _CHANNEL_FOLLOW_UP)
    p_follow = np.where(answered, p_follow, RETRY_AFTER_ABANDON)

    follows = rng.random(n) < p_follow
    delay = np.where(
        answered,
        rng.lognormal(np.log(_FOLLOW_UP_DELAY[0]), _FOLLOW_UP_DELAY[1], n),
        rng.lognormal(np.log(_RETRY_DELAY[0]), _RETRY_DELAY[1], n),
    )
    elsewhere = rng.choice(volume.size, size=n, p=volume / volume.sum())
    same = rng.random(n) < np.where(answered, _SAME_STREAM_AFTER_ANSWER, _SAME_STREAM_AFTER_ABANDON)
    return follows, delay, np.where(same, stream, elsewhere)


def next_contacts(
    instant: np.ndarray, stream: np.ndarray, source: np.ndarray, after: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """For each source, the index of the first contact of its target stream arriving after `after` (-1 if none).

    Two sources never get the same contact: in order of (first contact after `after`, `after`), each
    source takes the first contact not taken by an earlier one, i.e. position_i = max(p_i, position_{i-1} + 1),
    a running maximum (linear after the sort, however many sources wait for the same contact).
    """
    child = np.full(source.size, -1, dtype=np.int64)
    for code in np.unique(target):
        members = np.flatnonzero(stream == code)
        ask = np.flatnonzero(target == code)
        position = np.searchsorted(instant[members], after[ask], side="right")
        order = np.lexsort((after[ask], position))
        position, ask = position[order], ask[order]
        rank = np.arange(position.size)
        position = rank + np.maximum.accumulate(position - rank)
        inside = position < members.size
        child[ask[inside]] = members[position[inside]]
    return child


def contact_roots(parent: np.ndarray) -> np.ndarray:
    """The first contact of each contact's chain (parent -1 means the contact starts a chain)."""
    root = np.arange(parent.size)
    step = parent.copy()
    while True:
        moving = step >= 0
        if not moving.any():
            return root
        root = np.where(moving, step, root)
        step = np.where(moving, parent[np.where(moving, step, 0)], -1)


def surveys(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Add `csat` (1..5) to a few answered contacts; a long wait or no resolution lowers it."""
    n = frame.height
    answered = frame["answered"].to_numpy()
    unresolved = frame["_unresolved"].to_numpy()
    late = frame["_late"].to_numpy()
    offsets = {p.id: p.behaviour.csat_offset for p in all_partners()}
    offset = frame["partner_id"].replace_strict(offsets, return_dtype=pl.Float64).to_numpy()
    responds = answered & (rng.random(n) < 0.075 + 0.045 * unresolved)
    latent = lerp(CSAT_LATENT, frame["_h"].to_numpy()) + offset - 0.45 * late - 1.0 * unresolved
    score = np.clip(np.round(latent + rng.normal(0.0, 0.95, n)), 1, 5).astype(np.int64)
    return frame.with_columns(
        pl.when(pl.Series(responds)).then(pl.Series(score)).otherwise(None).cast(pl.Int8).alias("csat")
    )
