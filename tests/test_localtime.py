"""Local times converted by table lookup give polars' own conversion, value for value, around every
clock change of zones with unusual changes, and anywhere from before 1900 to after 2200."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from partner_analytics.core import localtime
from partner_analytics.core.localtime import instant_of, wall_time_of

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kathmandu",  # +05:45, changed from +05:30 in 1986
    "Pacific/Apia",  # skipped 30 December 2011
    "America/Sao_Paulo",  # changes at midnight
    "Europe/Dublin",  # negative DST in the database
    "America/St_Johns",  # changed at 00:01 until 2011: gaps and folds that start inside an hour
    "UTC",
]


def _changes(zone: str) -> np.ndarray:
    """The UTC instants (µs) of the zone's offset changes from 1900 to 2200, found with polars alone:
    the first second of each change (hourly probes, then every second of the hour that changed)."""
    hours = pl.datetime_range(dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1), "1h", eager=True, time_unit="us")
    changed = np.flatnonzero(np.diff(_offsets(hours, zone)) != 0) + 1
    starts = hours.dt.epoch("us").to_numpy()[changed] - 3_600_000_000
    seconds = (starts[:, None] + np.arange(3601, dtype=np.int64)[None, :] * 1_000_000).ravel()
    offsets = _offsets(pl.Series(seconds).cast(pl.Datetime("us")), zone).reshape(len(starts), 3601)
    first = (offsets != offsets[:, :1]).argmax(axis=1)
    return starts + first * 1_000_000


def _offsets(utc: pl.Series, zone: str) -> np.ndarray:
    local = utc.dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
    return (local.dt.base_utc_offset() + local.dt.dst_offset()).dt.total_microseconds().to_numpy()


def _around_changes(zone: str, *, local: bool) -> pl.Series:
    """Every 7 minutes within 3 hours of each change, and a microsecond either side of it; as UTC
    instants, or as the local wall times they have on either side of the change."""
    changes = _changes(zone)
    steps = np.concatenate([np.arange(-3 * 60, 3 * 60, 7, dtype=np.int64) * 60_000_000, [-1, 0, 1]])
    utc = (changes[:, None] + steps[None, :]).ravel()
    if local:
        before = _offsets(pl.Series(changes - 1).cast(pl.Datetime("us")), zone)
        after = _offsets(pl.Series(changes).cast(pl.Datetime("us")), zone)
        shifted = [(changes[:, None] + steps[None, :] + o[:, None]).ravel() for o in (before, after)]
        utc = np.concatenate(shifted)
    return pl.Series("t", utc, dtype=pl.Int64).cast(pl.Datetime("us"))


def _anywhere(seed: int) -> pl.Series:
    """Random microseconds from 1850 to 2250 (beyond the table on both sides)."""
    lo = int(dt.datetime(1850, 1, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000
    hi = int(dt.datetime(2250, 1, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000
    values = np.random.default_rng(seed).integers(lo, hi, 20_000, dtype=np.int64)
    return pl.Series("t", values, dtype=pl.Int64).cast(pl.Datetime("us"))


@pytest.mark.parametrize("zone", ZONES)
def test_local_wall_times_become_polars_instants(zone: str) -> None:
    naive = pl.concat([_around_changes(zone, local=True), _anywhere(1)])
    frame = pl.DataFrame({"t": naive}).lazy()
    got = frame.select(instant_of(pl.col("t"), zone)).collect()["t"]
    expected = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    assert got.dtype == expected.dtype
    assert got.null_count() == expected.null_count()
    assert got.equals(expected)


@pytest.mark.parametrize("zone", ZONES)
def test_instants_become_polars_wall_times(zone: str) -> None:
    utc = pl.concat([_around_changes(zone, local=False), _anywhere(2)])
    instants = utc.dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
    got = pl.DataFrame({"t": instants}).lazy().select(wall_time_of(pl.col("t"), zone)).collect()["t"]
    assert got.equals(instants.dt.replace_time_zone(None))


def test_paris_change_days_are_irregular_and_the_rest_is_looked_up() -> None:
    """2026: clocks go forward on 29 March at 02:00 (a gap), back on 25 October at 03:00 (a fold)."""
    offsets, regular = localtime._days("Europe/Paris", local=True)
    day = (int(dt.datetime(2026, 3, 29, tzinfo=dt.UTC).timestamp()) * 1_000_000 - localtime._FIRST_US) // (
        localtime.DAY_US
    )
    assert not regular[day]  # 02:00–03:00 local does not exist that day
    assert regular[day - 1] and offsets[day - 1] == 3_600_000_000  # 28 March: UTC+1
    assert regular[day + 1] and offsets[day + 1] == 7_200_000_000  # 30 March: UTC+2
    folded = pl.Series([dt.datetime(2026, 10, 25, 2, 30)])
    got = pl.DataFrame({"t": folded}).lazy().select(instant_of(pl.col("t"), "Europe/Paris")).collect()["t"]
    assert got.dt.convert_time_zone("UTC").dt.replace_time_zone(None).to_list() == [dt.datetime(2026, 10, 25, 0, 30)]


def test_month_starts_are_polars_truncations_anywhere() -> None:
    """The first day of the month by lookup equals `dt.date().dt.truncate("1mo")`, from 1850 to 2250
    (the table covers 1900 to 2200), at every month's first and last microsecond around 1900, 1970 and 2200."""
    edges = [
        dt.datetime(y, m, 1) + dt.timedelta(microseconds=d)
        for y in (1899, 1900, 1969, 1970, 2199, 2200)
        for m in (1, 2, 12)
        for d in (-1, 0, 1)
    ]
    local = pl.concat([_anywhere(3), pl.Series("t", edges, dtype=pl.Datetime("us"))])
    got = pl.DataFrame({"t": local}).lazy().select(localtime.month_start_of(pl.col("t"))).collect()["t"]
    assert got.dtype == pl.Date
    assert got.equals(local.dt.date().dt.truncate("1mo"))
