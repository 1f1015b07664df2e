"""Whether each contact arrived within its service hours (formulas.md §1.7): the `in_hours` flag the
service-level KPIs count on.

The contract's opening hours are local wall times, so a contact is placed by its local arrival time
(a clock change moves the UTC instants of an opening, not the opening). A contact of a partner and
channel without service hours is always in hours.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..contract.service_hours import Opening, opening_windows
from ..contract.terms import Contract
from ..core.localtime import wall_time_of

__all__ = ["in_service_hours"]


def _open_at(opening: Opening, first: dt.date, last: dt.date, local: pl.Expr) -> pl.Expr:
    """Whether the local time `local` is within `opening`: a window of its weekday, not a holiday."""
    weekday = local.dt.weekday() - 1  # 0 = Monday
    second = local.dt.hour().cast(pl.Int32) * 3600 + local.dt.minute().cast(pl.Int32) * 60 + local.dt.second()
    windows = [(weekday == day) & (second >= start) & (second < end) for day, start, end in opening_windows(opening)]
    during = pl.any_horizontal(windows) if windows else pl.lit(False)
    closed = sorted(opening.holidays.dates_between(first, last))
    return during & ~local.dt.date().is_in(pl.Series(closed, dtype=pl.Date).implode())


def in_service_hours(contract: Contract, contacts: pl.LazyFrame) -> pl.Expr:
    """Each contact's `in_hours`: its arrival is within the service hours of its partner × channel (its
    site's own when the contract gives them), true where the contract sets none."""
    schema = contacts.collect_schema()
    dtype = schema["arrived_at"]
    zone = dtype.time_zone if isinstance(dtype, pl.Datetime) else None
    local = pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)
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
    return flag.fill_null(True).alias("in_hours")
