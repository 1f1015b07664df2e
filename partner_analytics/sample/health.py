"""A partner's monthly health index (0 = as bad as the sample gets, 1 = excellent), from its Behaviour."""

from __future__ import annotations

import numpy as np
import polars as pl

from .profiles import MONTHS, PARTNERS, Partner, month_index

__all__ = ["HEALTH_NOISE", "lerp", "monthly_health"]

HEALTH_NOISE = 0.025


def lerp(worst_best: tuple[float, float], health: np.ndarray | float) -> np.ndarray:
    """The value between (worst, best) at `health` (0 gives worst, 1 gives best)."""
    worst, best = worst_best
    return worst + (best - worst) * np.asarray(health, dtype=float)


def _path(partner: Partner) -> np.ndarray:
    anchors = partner.behaviour.health_anchors
    x = np.array([month_index(day) for day, _ in anchors], dtype=float)
    y = np.array([value for _, value in anchors])
    path = np.interp(np.arange(MONTHS, dtype=float), x, y)
    for day, delta in partner.behaviour.dips.items():
        path[month_index(day)] += delta
    return path


def monthly_health(rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS) -> pl.DataFrame:
    """One row per partner (of `partners`) × month index `m` with `health` (the path plus a little noise,
    within [0, 1])."""
    frames = []
    for partner in partners:
        health = np.clip(_path(partner) + rng.normal(0.0, HEALTH_NOISE, MONTHS), 0.0, 1.0)
        frames.append(
            pl.DataFrame({"partner_id": partner.id, "m": np.arange(MONTHS, dtype=np.int32), "health": health})
        )
    return pl.concat(frames)
