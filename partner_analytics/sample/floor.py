"""The provider's floor data: staffing per 30-minute interval, and quality evaluations."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from .calendar import SLOT_MINUTES, open_for_staffing
from .contacts import expected_rate, streams
from .health import lerp
from .profiles import CLIENT_EVALUATOR_BIAS, LAST_MONTH, MONTHS, PARTNERS, QUALITY, Partner

__all__ = ["EVALUATIONS_PER_MONTH", "generate_quality", "generate_staffing", "monthly_aht"]

EVALUATIONS_PER_MONTH = 45
_STAFFING_NOISE = 0.08
_OVERTIME_SHARE = 0.05
_MIN_AGENTS = 0.05
_CLIENT_EVALUATIONS = 0.3
_LAST_DAY = dt.date(LAST_MONTH.year, LAST_MONTH.month, 30)


def monthly_aht(contacts: pl.DataFrame) -> pl.DataFrame:
    """The measured AHT per partner × channel × month index `m` (answered contacts)."""
    return (
        contacts.filter(pl.col("answered"))
        .group_by("partner_id", "channel", "m")
        .agg(pl.col("handle_s").mean().alias("aht"))
    )


def generate_staffing(
    grid: pl.DataFrame,
    aht: pl.DataFrame,
    health: pl.DataFrame,
    rng: np.random.Generator,
    scale: float,
    partners: tuple[Partner, ...] = PARTNERS,
) -> pl.DataFrame:
    """Agents logged in and scheduled per partner (of `partners`) × channel × site × 30-minute interval of
    open hours.

    The plan follows the expected volume without incidents (an unforecast incident finds the floor
    unprepared) × the month's measured AHT ÷ (1800 s × occupancy). Occupancy and attendance (logged
    in ÷ scheduled) move with the partner's health: a struggling partner runs an understaffed floor.
    Email work is spread over the working slots of the next working day after arrival.
    `agents_logged_in` is an average over the interval, so it is fractional: the sample's teams are
    small and their agents are shared between queues and channels. `aht` is `monthly_aht` of the contacts.
    """
    m = grid["m"].to_numpy()
    day = grid["day"].to_numpy().astype("datetime64[D]")
    frames = []
    for partner, stream in streams(partners):
        staffed = open_for_staffing(grid, stream.channel)
        planned = expected_rate(grid, partner, stream, scale, incidents=False)
        if stream.channel == "email":
            planned = _next_working_day_load(planned, day, staffed)
        h = health.filter(pl.col("partner_id") == partner.id).sort("m")["health"].to_numpy()
        month_aht = np.full(MONTHS, np.nan)
        rows = aht.filter(pl.col("partner_id") == partner.id, pl.col("channel") == stream.channel)
        month_aht[rows["m"].to_numpy()] = rows["aht"].to_numpy()
        b = partner.behaviour
        occupancy = lerp((b.occupancy_bad, b.occupancy_good), h)
        attendance = lerp((b.attendance_bad, b.attendance_good), h)
        for site, share in stream.sites.items():
            noise = rng.lognormal(0.0, _STAFFING_NOISE, grid.height)
            need = planned * share * month_aht[m] / (SLOT_MINUTES * 60 * occupancy[m]) * noise
            logged = np.maximum(_MIN_AGENTS, np.round(need, 2))
            present = np.where(rng.random(grid.height) < _OVERTIME_SHARE, 1.04, attendance[m])
            present = present * rng.lognormal(0.0, 0.02, grid.height)
            scheduled = np.round(logged / present, 2)
            keep = staffed & ~np.isnan(need)
            frames.append(
                pl.DataFrame(
                    {
                        "partner_id": partner.id,
                        "channel": stream.channel,
                        "interval_start": grid["slot_start"].filter(pl.Series(keep)),
                        "interval_minutes": np.full(int(keep.sum()), SLOT_MINUTES, dtype=np.int16),
                        "agents_logged_in": logged[keep],
                        "site_id": site,
                        "agents_scheduled": scheduled[keep],
                    }
                )
            )
    return pl.concat(frames).sort("partner_id", "channel", "site_id", "interval_start")


def _next_working_day_load(rate: np.ndarray, day: np.ndarray, staffed: np.ndarray) -> np.ndarray:
    """Email arrivals of each day moved, as work, evenly onto the staffed slots of the next working day."""
    days, day_of_slot = np.unique(day, return_inverse=True)
    arrived = np.bincount(day_of_slot, weights=rate, minlength=days.size)
    works = np.bincount(day_of_slot, weights=staffed.astype(float), minlength=days.size) > 0
    working = np.flatnonzero(works)
    target = working[np.minimum(np.searchsorted(working, np.arange(days.size) + 1), working.size - 1)]
    work = np.bincount(target, weights=arrived, minlength=days.size)
    slots_per_day = np.bincount(day_of_slot, weights=staffed.astype(float), minlength=days.size)
    per_slot = np.divide(work, slots_per_day, out=np.zeros(days.size), where=slots_per_day > 0)
    return np.where(staffed, per_slot[day_of_slot], 0.0)


def generate_quality(contacts: pl.DataFrame, health: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Quality evaluations: a sample of each partner's answered contacts per month, scored 0-100.

    Scores follow the partner's health; the client's evaluators score lower than the provider's
    (a calibration gap the committees discuss). Evaluations happen one to six days after the contact,
    during office hours, and not after the last day of the data.
    """
    offsets = {p.id: p.behaviour.quality_offset for p in PARTNERS}
    answered = contacts.filter(pl.col("answered")).select(
        "contact_id", "partner_id", "channel", "arrived_at", "m", "_h"
    )
    picked = (
        answered.with_columns(pl.Series("_draw", rng.random(answered.height)))
        .filter(pl.col("_draw").rank("ordinal").over("partner_id", "m") <= EVALUATIONS_PER_MONTH)
        .sort("partner_id", "arrived_at")
    )
    n = picked.height
    client = rng.random(n) < _CLIENT_EVALUATIONS
    offset = picked["partner_id"].replace_strict(offsets, return_dtype=pl.Float64).to_numpy()
    score = lerp(QUALITY, picked["_h"].to_numpy()) + offset + np.where(client, CLIENT_EVALUATOR_BIAS, 0.0)
    score = np.clip(np.round(score + rng.normal(0.0, 6.0, n), 1), 0.0, 100.0)
    days = rng.integers(1, 7, n)
    minutes = rng.integers(9 * 60, 17 * 60, n)
    day = picked["arrived_at"].dt.date().to_numpy().astype("datetime64[D]") + days.astype("timedelta64[D]")
    day = np.minimum(day, np.datetime64(_LAST_DAY, "D"))
    evaluated = day.astype("datetime64[us]") + minutes.astype("timedelta64[m]")
    return pl.DataFrame(
        {
            "partner_id": picked["partner_id"],
            "evaluated_at": evaluated,
            "score": score,
            "channel": picked["channel"],
            "contact_id": picked["contact_id"],
            "evaluator_party": np.where(client, "client", "provider"),
        }
    ).sort("evaluated_at", "partner_id", "contact_id")
