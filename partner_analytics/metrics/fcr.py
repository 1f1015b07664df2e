"""First-contact resolution and the repeat-contact rate (formulas.md §1): the KPIs whose flags need each
customer's contacts in order of arrival, so they are computed from one sort of the few columns they
read, apart from the one-pass group-by of the other contact KPIs (their registry entries are `ordered`).

An answered contact is *resolved* when its customer has no other contact (any channel, any partner)
in (t, t + W] of elapsed time, W its channel's `fcr_window_hours` (7 days by default), and a
*repeat* otherwise; contacts whose window ends after the last arrival in the data are not counted
(`fcr_cut`), and contacts without a customer are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl

from ..core.kpis import Sum, contact_kpis

__all__ = [
    "FCR_WINDOW",
    "TIME_ORDER_ROWS",
    "fcr_flags",
    "fcr_sums",
    "ordered_sums",
    "window_microseconds",
    "with_fcr_flags",
]

FCR_WINDOW = dt.timedelta(days=7)
"""The repeat window when the contract's channel does not set `fcr_window_hours`."""

TIME_ORDER_ROWS = 2**32
"""The most contacts `fcr_sums(in_time_order=True)` sorts: a row's position takes 32 bits of its key."""


def window_microseconds(hours: Mapping[str, float] | None = None) -> pl.Expr:
    """Each contact's repeat window in microseconds, from its channel's hours (`FCR_WINDOW` for a
    channel not in `hours`), as one element-wise expression: a constant when every channel has the
    default window. The channel (a text, or the contract's enum) is compared as it is: cast to a text,
    it would cost more than the rest of the flags."""
    default = int(FCR_WINDOW.total_seconds()) * 1_000_000
    window = pl.lit(default, dtype=pl.Int64)
    for name, h in (hours or {}).items():
        if round(h * 3_600_000_000) != default:
            window = (
                pl.when(pl.col("channel") == name)
                .then(pl.lit(round(h * 3_600_000_000), dtype=pl.Int64))
                .otherwise(window)
            )
    return window


def with_fcr_flags(contacts: pl.LazyFrame, window_hours: Mapping[str, float] | None = None) -> pl.LazyFrame:
    """The contacts with their FCR flags, from a sort by customer and instant: the next *strictly
    later* contact of the same customer decides; `window_hours` the repeat window per channel.

    Instants are compared as microseconds since the epoch, so 7 days is 7 × 24 h of elapsed time
    whatever the DST changes in between.
    """
    ordered = contacts.with_columns(pl.col("arrived_at").dt.epoch("us").alias("__t")).sort(
        "customer_id", "__t", nulls_last=True
    )
    return fcr_flags(ordered, pl.col("__t").max(), window_microseconds(window_hours)).drop("__t")


def fcr_flags(ordered: pl.LazyFrame, data_end: pl.Expr, window: pl.Expr | None = None) -> pl.LazyFrame:
    """The FCR flags (`fcr_resolved`, `fcr_repeated`, `fcr_counted`, `fcr_cut`) of contacts where each
    customer's contacts follow one another by instant `__t` (other customers' contacts may come
    between two customers, never inside one); `data_end` is the last instant of the data, `window`
    each contact's repeat window in microseconds (`window_microseconds`, 7 days by default)."""
    window = window_microseconds() if window is None else window
    customer, t = pl.col("customer_id"), pl.col("__t")
    next_t = t.shift(-1)
    same_customer = (customer.is_not_null() & (customer.shift(-1) == customer)).fill_null(False)
    # A row tied with the next one takes the next strictly later instant of its customer (backward
    # fill); a customer's last row gets a sentinel so the fill never crosses customers.
    never = pl.lit(2**62, dtype=pl.Int64)
    later = pl.when(~same_customer).then(never).when(next_t != t).then(next_t).otherwise(None).backward_fill()
    judged = pl.col("answered") & customer.is_not_null()
    cut = judged & (t + window > data_end)
    counted = judged & ~cut
    resolved = later > t + window
    return ordered.with_columns(
        (counted & resolved).alias("fcr_resolved"),
        (counted & ~resolved).alias("fcr_repeated"),
        counted.alias("fcr_counted"),
        cut.alias("fcr_cut"),
    )


def _customer_hash(customer: pl.Expr) -> pl.Expr:
    """A 63-bit hash of the customer id, so that (hash, instant) packs into one signed 128-bit key."""
    return customer.hash() // 2


def ordered_sums() -> list[Sum]:
    """The sums of the `ordered` contact KPIs (FCR, repeat-contact rate): aggregations of the flags
    `fcr_flags` sets."""
    return [s for k in contact_kpis() if k.ordered for s in k.sums]


def fcr_sums(
    contacts: pl.LazyFrame,
    by: Sequence[str],
    window_hours: Mapping[str, float] | None = None,
    *,
    data_end: int | None = None,
    in_time_order: bool = False,
) -> pl.LazyFrame:
    """The `ordered_sums` per `by`, from one sort on the customer's hash: on (hash of the customer,
    instant) as a single 128-bit key, or, for `contacts` `in_time_order` (by `arrived_at`, at most
    `TIME_ORDER_ROWS`), on 32 bits of the hash above the row's position, which keeps each customer's
    contacts in that order at half the cost.
    `window_hours`: the repeat window per channel (`contacts` hold a `channel` column); `data_end`
    the last instant of the data in microseconds since the epoch (default: the last of `contacts`),
    when `contacts` are a part of the data with the next contacts after them (`metrics.partitioned`).

    Sorting on one integer is much cheaper than on (customer text, instant), and gives each
    customer's contacts in order. Two customers whose ids share a hash would have their contacts
    interleaved; such hashes are found in the sorted contacts (two neighbours with the hash and not
    the customer), and the flags of their rows are replaced by those of the exact sort by customer.
    """
    ordered = ordered_sums()
    names = [s.name for s in ordered]
    hashed, customer = pl.col("__hash"), pl.col("customer_id")
    t = pl.col("arrived_at").dt.epoch("us")
    if in_time_order:
        # 32 bits of the hash above the row's position: sorted, these keys (all distinct) keep each
        # customer's contacts in time order, and gathering the rows by the position each key ends with
        # is cheaper than polars' sort of a frame by a column (an arg sort, then the gather).
        position = pl.int_range(pl.len(), dtype=pl.UInt64)
        key = (_customer_hash(customer) % 2**32).cast(pl.UInt64) * 2**32 + position
        keyed = contacts.with_columns(t.alias("__t"), key.sort().alias("__key")).select(
            pl.exclude("__key", "arrived_at").gather(pl.col("__key") % 2**32),
            (pl.col("__key") // 2**32).alias("__hash"),
        )
    else:
        key = pl.col("__hash").cast(pl.Int128) * 2**64 + t.cast(pl.Int128) + 2**63
        keyed = (
            contacts.with_columns(_customer_hash(customer).alias("__hash"))
            .with_columns(key.alias("__key"))
            .sort("__key", nulls_last=True)
            .with_columns((pl.col("__key") % 2**64 - 2**63).cast(pl.Int64).alias("__t"))
            .drop("__key", "arrived_at")
        )
    keyed = keyed.cache()
    end = pl.col("__t").max() if data_end is None else pl.lit(data_end, dtype=pl.Int64)
    window = window_microseconds(window_hours)

    def sums(flags: pl.LazyFrame) -> pl.LazyFrame:
        return flags.group_by(by).agg(s.agg.cast(s.dtype).alias(s.name) for s in ordered)

    shared = (
        keyed.filter((hashed == hashed.shift(-1)) & customer.ne_missing(customer.shift(-1))).select(hashed).unique()
    )
    mixed = keyed.join(shared, on="__hash", how="semi").sort("__hash", "__t", nulls_last=True)
    if data_end is None:
        mixed = mixed.join(keyed.select(end.alias("__end")), how="cross")
    else:
        mixed = mixed.with_columns(end.alias("__end"))
    interleaved = sums(fcr_flags(mixed, pl.col("__end"), window))
    exact = sums(fcr_flags(mixed.sort("customer_id", "__t", nulls_last=True), pl.col("__end"), window))
    whole = sums(fcr_flags(keyed, end, window))
    return (
        pl.concat([whole, exact, interleaved.with_columns(-pl.col(c) for c in names)])
        .group_by(by)
        .agg(pl.col(c).sum() for c in names)
    )
