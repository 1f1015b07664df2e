"""The sample's clock: 30-minute slots in local time, open hours, holidays and seasonality.

All slots lie between 06:00 and 23:00 local time, so no slot meets a DST change (Europe/Paris
changes at 02:00/03:00): a naive local time of the sample always exists and is never ambiguous.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from .profiles import CAMPAIGNS, FIRST_MONTH, LAST_MONTH, Campaign

__all__ = [
    "HOLIDAYS",
    "SLOT_MINUTES",
    "YEARLY",
    "arrival_weight",
    "campaign_factor",
    "open_for_staffing",
    "slots",
]

SLOT_MINUTES = 30

HOLIDAYS: frozenset[dt.date] = frozenset(
    dt.date.fromisoformat(d)
    for d in (
        "2024-11-01",
        "2024-11-11",
        "2024-12-25",
        "2025-01-01",
        "2025-04-21",
        "2025-05-01",
        "2025-05-08",
        "2025-05-29",
        "2025-06-09",
        "2025-07-14",
        "2025-08-15",
        "2025-11-01",
        "2025-11-11",
        "2025-12-25",
        "2026-01-01",
        "2026-04-06",
        "2026-05-01",
        "2026-05-08",
        "2026-05-14",
        "2026-05-25",
        "2026-07-14",
        "2026-08-15",
    )
)
"""French public holidays in the sample's period: voice and chat are closed."""

YEARLY = np.array([1.18, 1.08, 1.02, 0.95, 0.92, 0.93, 0.90, 0.80, 1.12, 1.05, 1.00, 0.88])
"""Energy retail by calendar month: winter bills and price letters in January, moving home in September,
quiet August."""

_WEEKDAY = {  # Monday .. Sunday
    "voice": np.array([1.25, 1.05, 1.00, 0.97, 0.90, 0.40, 0.0]),
    "chat": np.array([1.15, 1.05, 1.00, 1.00, 0.95, 0.55, 0.0]),
    "email": np.array([1.20, 1.05, 1.00, 1.00, 0.95, 0.50, 0.45]),
}


def _hours(first: int, weights: list[float]) -> np.ndarray:
    """48 half-hour weights from hourly weights starting at hour `first` (zero elsewhere)."""
    out = np.zeros(48)
    for i, w in enumerate(weights):
        out[2 * (first + i)] = out[2 * (first + i) + 1] = w
    return out


# Intraday arrival profiles: [weekday, saturday, sunday] × 48 half-hours.
_INTRADAY = {
    "voice": np.stack(
        [
            _hours(8, [0.55, 1.15, 1.35, 1.30, 1.00, 0.80, 1.10, 1.20, 1.05, 0.90, 0.70, 0.45]),
            _hours(9, [0.90, 1.10, 1.10, 0.90, 0.70, 0.70, 0.60, 0.50]),
            np.zeros(48),
        ]
    ),
    "chat": np.stack(
        [
            _hours(8, [0.40, 0.80, 1.00, 1.05, 1.00, 0.95, 1.00, 1.05, 1.00, 1.00, 1.05, 1.00, 0.70]),
            _hours(9, [0.80, 1.00, 1.00, 0.90, 0.80, 0.80, 0.70, 0.60, 0.50]),
            np.zeros(48),
        ]
    ),
    "email": np.stack(
        [
            _hours(
                6,
                [0.30, 0.60, 0.90, 1.10, 1.20, 1.10, 1.00, 0.90, 1.00, 1.00, 1.00, 0.90, 0.80, 0.80, 0.80, 0.70, 0.50],
            ),
        ]
        * 3
    ),
}

# When agents are on the floor: voice and chat during their open hours; email Monday-Friday 08:00-18:00.
_STAFFED_EMAIL = np.stack([_hours(8, [1.0] * 10), np.zeros(48), np.zeros(48)])


def slots() -> pl.DataFrame:
    """Every 30-minute slot of the period (local naive start), with its day, weekday, half-hour and month index."""
    last = dt.datetime.combine(LAST_MONTH.replace(day=30), dt.time(23, 30))
    start = pl.datetime_range(dt.datetime.combine(FIRST_MONTH, dt.time()), last, "30m", eager=True, time_unit="us")
    frame = pl.DataFrame({"slot_start": start}).with_columns(
        pl.col("slot_start").dt.date().alias("day"),
        (pl.col("slot_start").dt.weekday() - 1).cast(pl.Int8).alias("weekday"),
        (
            pl.col("slot_start").dt.hour().cast(pl.Int32) * 2 + pl.col("slot_start").dt.minute().cast(pl.Int32) // 30
        ).alias("half"),
        (
            (pl.col("slot_start").dt.year().cast(pl.Int32) - FIRST_MONTH.year) * 12
            + pl.col("slot_start").dt.month().cast(pl.Int32)
            - FIRST_MONTH.month
        ).alias("m"),
    )
    return frame.with_columns(pl.col("day").is_in(sorted(HOLIDAYS)).alias("holiday"))


def _day_type(weekday: np.ndarray) -> np.ndarray:
    return np.where(weekday < 5, 0, np.where(weekday == 5, 1, 2))


def arrival_weight(grid: pl.DataFrame, channel: str) -> np.ndarray:
    """Relative arrival rate of each slot for a channel (yearly × weekday × intraday; 0 when closed)."""
    weekday = grid["weekday"].to_numpy()
    half = grid["half"].to_numpy()
    month = grid["slot_start"].dt.month().to_numpy().astype(int) - 1
    weight = YEARLY[month] * _WEEKDAY[channel][weekday] * _INTRADAY[channel][_day_type(weekday), half]
    if channel != "email":
        weight = np.where(grid["holiday"].to_numpy(), 0.0, weight)
    return weight


def open_for_staffing(grid: pl.DataFrame, channel: str) -> np.ndarray:
    """Whether agents of the channel are on the floor during each slot."""
    weekday = grid["weekday"].to_numpy()
    half = grid["half"].to_numpy()
    if channel == "email":
        staffed = _STAFFED_EMAIL[_day_type(weekday), half] > 0
    else:
        staffed = _INTRADAY[channel][_day_type(weekday), half] > 0
    return staffed & ~grid["holiday"].to_numpy()


def campaign_factor(grid: pl.DataFrame, channel: str, *, forecast_only: bool) -> np.ndarray:
    """Multiplier of each slot's volume from the campaigns touching the channel (only planned ones if asked)."""
    days = grid["day"].to_numpy().astype("datetime64[D]")
    factor = np.ones(grid.height)
    for campaign in CAMPAIGNS:
        if channel in campaign.channels and (campaign.forecast or not forecast_only):
            factor *= _surge(campaign, days)
    return factor


def _surge(campaign: Campaign, days: np.ndarray) -> np.ndarray:
    age = (days - np.datetime64(campaign.start, "D")).astype(int)
    inside = (age >= 0) & (age < campaign.days)
    decay = np.exp(-np.clip(age, 0, None) / (campaign.days / 3.0))
    return np.where(inside, 1.0 + (campaign.peak - 1.0) * decay, 1.0)
