"""Local wall times of a time zone and instants, converted by table lookup.

polars converts a datetime between a zone and UTC value by value through the time-zone database,
which costs about a second per 50 M values. A zone's offset changes a few times a year at most, so
the offset of most values is the offset of their day: each day from 1900 to 2200 (local days for one
direction, UTC days for the other) is converted once, with polars' own conversion, into a table kept
per zone; a value whose day is irregular (a clock change falls inside it) or outside those years is
converted by polars. The results are polars' results (`tests/test_localtime.py` compares them around
every clock change of several zones, to the second).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl

__all__ = ["DAY_US", "instant_of", "month_start_of", "wall_time_of"]

DAY_US = 86_400_000_000
"""A day of wall time, in microseconds: what local times (naive, µs since the epoch) count a day."""
_FIRST, _LAST = dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)
_FIRST_US = int(_FIRST.replace(tzinfo=dt.UTC).timestamp()) * 1_000_000


@lru_cache(maxsize=16)
def _days(zone: str, *, local: bool) -> tuple[pl.Series, pl.Series]:
    """Per day since 1900 (local wall days when `local`, else UTC days): the offset in µs (local − UTC),
    and whether the whole day has that offset (a regular day)."""
    starts = pl.datetime_range(_FIRST, _LAST, "1d", eager=True, time_unit="us", closed="left")
    ends = starts + dt.timedelta(microseconds=DAY_US - 1)
    if local:
        first, last = (_instant(s, zone) for s in (starts, ends))
        offset_first = starts.dt.epoch("us") - first.dt.epoch("us")
        offset_last = ends.dt.epoch("us") - last.dt.epoch("us")
    else:
        first, last = (s.dt.replace_time_zone("UTC").dt.convert_time_zone(zone) for s in (starts, ends))
        offset_first = first.dt.replace_time_zone(None).dt.epoch("us") - starts.dt.epoch("us")
        offset_last = last.dt.replace_time_zone(None).dt.epoch("us") - ends.dt.epoch("us")
    regular = (offset_first == offset_last).fill_null(False)
    return offset_first.fill_null(0).rename("offset"), regular.rename("regular")


@lru_cache(maxsize=1)
def _month_starts() -> pl.Series:
    """The first day of the month of each day from 1900 to 2200."""
    days = pl.date_range(_FIRST.date(), _LAST.date(), "1d", eager=True, closed="left")
    return days.dt.truncate("1mo").rename("month")


def _instant(naive: pl.Series, zone: str) -> pl.Series:
    return naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")


def _lookup(us: pl.Expr, zone: str, *, local: bool) -> tuple[pl.Expr, pl.Expr]:
    """(offset of the value's day, whether that day is regular) for µs since the epoch."""
    offsets, regular = _days(zone, local=local)
    day = (us - _FIRST_US) // DAY_US
    inside = (day >= 0) & (day < offsets.len())
    row = day.clip(0, offsets.len() - 1)
    return pl.lit(offsets).gather(row), inside & pl.lit(regular).gather(row)


def instant_of(naive: pl.Expr, zone: str) -> pl.Expr:
    """Local wall times of `zone` as instants: `replace_time_zone(zone, ambiguous="earliest",
    non_existent="null")` — a time that occurs twice is its first occurrence, one that does not occur is null."""
    us = naive.dt.epoch("us")
    offset, regular = _lookup(us, zone, local=True)
    exact = pl.when(~regular).then(naive).dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    utc = pl.when(regular).then(us - offset).otherwise(exact.dt.epoch("us"))
    return utc.cast(pl.Datetime("us")).dt.replace_time_zone("UTC").dt.convert_time_zone(zone)


def wall_time_of(instant: pl.Expr, zone: str) -> pl.Expr:
    """Instants of `zone` as local wall times (naive): `replace_time_zone(None)`."""
    us = instant.dt.epoch("us")
    offset, regular = _lookup(us, zone, local=False)
    exact = pl.when(~regular).then(instant).dt.replace_time_zone(None).dt.epoch("us")
    return pl.when(regular).then(us + offset).otherwise(exact).cast(pl.Datetime("us"))


def month_start_of(local: pl.Expr) -> pl.Expr:
    """The first day of the month (a Date) of local wall times (naive): `dt.date().dt.truncate("1mo")`,
    by looking the day up in a table from 1900 to 2200 (polars' truncation is dearer than the lookup)."""
    starts = _month_starts()
    day = (local.dt.epoch("us") - _FIRST_US) // DAY_US
    inside = (day >= 0) & (day < starts.len())
    exact = pl.when(~inside).then(local).dt.date().dt.truncate("1mo")  # named as `local`
    return pl.when(~inside).then(exact).otherwise(pl.lit(starts).gather(day.clip(0, starts.len() - 1)))
