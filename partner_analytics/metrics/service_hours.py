"""Whether each contact arrived within its service hours (formulas.md §1.10) and outside the windows
relief events exclude (§2.1): the `in_hours` flag the service-level KPIs count on; and, for a channel
that measures them apart, the `apart` flag of the contacts outside its hours.

The contract's opening hours are local wall times, so a contact is placed by its local arrival time
(a clock change moves the UTC instants of an opening, not the opening). A contact of a partner and
channel without service hours is always in hours.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..contract.service_hours import Opening, opening_windows
from ..contract.terms import Contract
from ..core.localtime import DAY_US, wall_time_of

__all__ = ["apart_pairs", "in_service_hours", "measured_apart", "of_pairs"]


_MONDAY_US = 4 * DAY_US
"""1970-01-05 00:00, the first Monday after the epoch, in µs since the epoch."""


def _open_at(opening: Opening, first: dt.date, last: dt.date, local_us: pl.Expr) -> pl.Expr:
    """Whether the local wall time `local_us` (µs since the epoch) is within `opening`: a window of its
    weekday, not a holiday. The windows are bounds within the week found by one sorted search (a time
    after a start and before its end is at an odd position), so that each contact is placed once
    whatever the number of windows."""
    closed = [(day - dt.date(1970, 1, 1)).days for day in sorted(opening.holidays.dates_between(first, last))]
    during = _within(opening_windows(opening), local_us)
    return during & ~(local_us // DAY_US).is_in(pl.Series(closed, dtype=pl.Int64).implode())


def _within(windows: list[tuple[int, int, int]], local_us: pl.Expr) -> pl.Expr:
    """Whether the local wall time `local_us` is within one of the (weekday, start, end) windows."""
    bounds = pl.Series(_week_bounds(windows), dtype=pl.Int64)
    week = (local_us - _MONDAY_US) % (7 * DAY_US)
    return pl.lit(bounds).search_sorted(week, side="right") % 2 == 1


def _week_bounds(windows: list[tuple[int, int, int]]) -> list[int]:
    """The (weekday, start, end) windows (seconds, end excluded) as sorted bounds in µs since Monday
    00:00: start, end, start, end…, windows that overlap or touch merged."""
    spans = sorted((day * DAY_US + start * 1_000_000, day * DAY_US + end * 1_000_000) for day, start, end in windows)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif start < end:
            merged.append([start, end])
    return [bound for span in merged for bound in span]


def _relief_windows(relief: pl.LazyFrame, contract: Contract) -> pl.Expr:
    """Whether a contact arrived in the window of a relief event whose effect is `exclude_window`, for
    its partner and channel (the relief's channel, its service level's, or every channel).

    Collects the relief table's `exclude_window` rows: a handful, turned into one expression."""
    rows = relief.filter(pl.col("effect") == "exclude_window").collect().iter_rows(named=True)
    channel_of = {(p.id, sl.key): sl.channel for p in contract.partners for sl in p.service_levels}
    inside = pl.lit(False)
    for r in rows:
        channel = r["channel"] or channel_of.get((r["partner_id"], r["service_level"]))
        which = pl.col("partner_id") == r["partner_id"]
        if channel is not None:
            which &= pl.col("channel") == channel
        when = (pl.col("arrived_at") >= pl.lit(r["starts_at"])) & (pl.col("arrived_at") < pl.lit(r["ends_at"]))
        inside |= which & when
    return inside


def _open_flag(contract: Contract, contacts: pl.LazyFrame) -> pl.Expr:
    """Whether each contact arrived within the service hours of its partner × channel (its site's own
    when the contract gives them); true where the contract sets none."""
    schema = contacts.collect_schema()
    dtype = schema["arrived_at"]
    zone = dtype.time_zone if isinstance(dtype, pl.Datetime) else None
    local = (pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)).dt.epoch("us")
    flag = pl.lit(True)
    for partner in contract.partners:
        # the holidays of every year the term touches
        first, last = dt.date(partner.start.year, 1, 1), dt.date(partner.end.year, 12, 31)
        for channel, hours in partner.service_hours.items():
            which = (pl.col("partner_id") == partner.id) & (pl.col("channel") == channel)
            rule = _open_at(hours, first, last, local)
            if "site_id" in schema:
                for site, opening in hours.sites.items():
                    own = _open_at(opening, first, last, local)
                    rule = pl.when(pl.col("site_id") == site).then(own).otherwise(rule)
            flag = pl.when(which).then(rule).otherwise(flag)
    return flag


def in_service_hours(contract: Contract, contacts: pl.LazyFrame, relief: pl.LazyFrame | None = None) -> pl.Expr:
    """Each contact's `in_hours`: its arrival is within the service hours of its partner × channel (its
    site's own when the contract gives them; true where the contract sets none), and not within the
    window of a relief event that excludes it (`relief`, formulas.md §2.1)."""
    flag = _open_flag(contract, contacts)
    if relief is not None:
        flag = flag & ~_relief_windows(relief, contract)
    return flag.fill_null(True).alias("in_hours")


def apart_pairs(contract: Contract) -> list[tuple[str, str]]:
    """The (partner, channel) pairs whose service hours measure the contacts outside them apart."""
    return [(p.id, ch) for p in contract.partners for ch, hours in p.service_hours.items() if hours.measured_apart]


def of_pairs(pairs: list[tuple[str, str]]) -> pl.Expr:
    """Whether a row's partner × channel is one of `pairs`."""
    flag = pl.lit(False)
    for partner, channel in pairs:
        flag |= (pl.col("partner_id") == partner) & (pl.col("channel") == channel)
    return flag


def measured_apart(contract: Contract, contacts: pl.LazyFrame, relief: pl.LazyFrame | None = None) -> pl.Expr:
    """Each contact's `apart`: it arrived outside the service hours of a channel that measures those
    contacts apart (`outside_hours: measure_apart`, formulas.md §1.10), not within a relief window that
    excludes it (a waived contact counts in no service level)."""
    flag = of_pairs(apart_pairs(contract)) & ~_open_flag(contract, contacts)
    if relief is not None:
        flag = flag & ~_relief_windows(relief, contract)
    return flag.fill_null(False).alias("apart")
