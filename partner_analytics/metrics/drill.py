"""Drilling down from a result to the contacts behind it, for consultants exploring an engagement."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..io.engagement import Engagement
from .contact_kpis import contact_flags
from .service_hours import in_service_hours

__all__ = ["contacts_behind"]


def contacts_behind(
    engagement: Engagement,
    partner_id: str,
    month: dt.date | str,
    channel: str | None = None,
    **scope: str,
) -> pl.LazyFrame:
    """The contacts counted in a partner's month (one channel, or all when None; optionally one
    site_id or queue), each with the flags the KPIs count, the longest waits first."""
    start = dt.date.fromisoformat(f"{month}-01") if isinstance(month, str) and len(month) == 7 else month
    flags = contact_flags(
        engagement.contacts,
        engagement.contract.channels,
        fcr=engagement.has("contacts", "customer_id"),
        in_hours=in_service_hours(engagement.contract, engagement.contacts, engagement.table("relief")),
    )
    chosen = (pl.col("partner_id") == partner_id) & (pl.col("month") == pl.lit(start, dtype=pl.Date))
    if channel is not None:
        chosen &= pl.col("channel") == channel
    for column, value in scope.items():
        chosen &= pl.col(column) == value
    return flags.filter(chosen).sort("wait_s", descending=True)
