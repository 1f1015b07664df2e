"""The contact KPIs (formulas.md §1) from the contact history: each contact's flags, the registry's sums
per partner × channel × month (× scope), and their results rows, per channel and partner-wide.

Contacts are aggregated once per partner × channel × month (× scope); the partner-wide rows are
sums of those small aggregates, so the contact history is read in one pass. What is summed and how
each KPI follows from its sums is the KPI registry's (`core.kpis`): nothing here names a KPI.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..contract.terms import ChannelTerms, Contract
from ..core.kpis import as_seconds, contact_kpis, sums_of
from ..core.localtime import month_start_of, wall_time_of
from .fcr import fcr_sums, ordered_sums, with_fcr_flags
from .partner_wide import with_partner_wide
from .result_rows import results_from_sums
from .service_hours import in_service_hours
from .service_level import with_channel_formulas

__all__ = [
    "contact_flags",
    "contact_microsums",
    "contact_results",
    "contact_sums",
    "fcr_windows",
    "in_seconds",
    "instants_zone",
    "is_ordered",
    "key_enums",
    "microsum_aggs",
    "month_of",
    "ordered_input",
    "results_of_sums",
    "with_ordered_sums",
]


def month_of(instant: pl.Expr, zone: str | None = None) -> pl.Expr:
    """The month (first day, a Date) of a local datetime: the period key of docs/formulas.md. `zone`, the instants'
    time zone when known, converts many values faster (`localtime`)."""
    local = instant if zone is None else wall_time_of(instant, zone)
    return local.dt.date().dt.truncate("1mo")


def instants_zone(frame: pl.LazyFrame, column: str) -> str | None:
    """The time zone of a datetime column of `frame`, if it has one."""
    dtype = frame.collect_schema()[column]
    return dtype.time_zone if isinstance(dtype, pl.Datetime) else None


def contact_flags(
    contacts: pl.LazyFrame,
    channels: dict[str, ChannelTerms],
    *,
    fcr: bool = True,
    in_hours: pl.Expr | None = None,
) -> pl.LazyFrame:
    """Each contact with its month and the flags the KPIs count: `in_hours` (within the service hours,
    `service_hours.in_service_hours`; every contact without it), in service, abandon within the threshold
    and short abandon (contacts in hours only: the service-level KPIs count no other), and with `fcr`
    the FCR flags of `fcr.with_fcr_flags`."""
    answer_within = {name: t.answer_within_s for name, t in channels.items()}
    short_within = {name: t.short_abandon_s for name, t in channels.items()}
    t = _per_channel(answer_within, None)
    s = _per_channel(short_within, 0.0)
    answered = pl.col("answered")
    hours = pl.col("in_hours")
    zone = instants_zone(contacts, "arrived_at")
    local = pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)
    flagged = (
        contacts.with_columns(
            local.alias("__local"),  # a column: an expression repeated in `month_start_of` is computed again
            (pl.lit(True) if in_hours is None else in_hours).alias("in_hours"),
        )
        .with_columns(
            month_start_of(pl.col("__local")).alias("month"),
            (hours & answered & (pl.col("wait_s") <= t)).alias("in_service"),
            (hours & ~answered & (pl.col("wait_s") <= t)).alias("abandon_within_threshold"),
            (hours & ~answered & (pl.col("wait_s") < s)).alias("short_abandon"),
        )
        .drop("__local")
    )
    return with_fcr_flags(flagged, fcr_windows(channels)) if fcr else flagged


def fcr_windows(channels: dict[str, ChannelTerms]) -> dict[str, float]:
    """Each channel's repeat window in hours (`fcr_window_hours`): FCR's and the repeat-contact rate's."""
    return {name: t.fcr_window_hours for name, t in channels.items()}


def _per_channel(values: dict[str, float], default: float | None) -> pl.Expr:
    """The value of each row's channel, as one element-wise expression (the streaming engine runs it
    morsel by morsel; a mapping by `replace_strict` is a whole-column step)."""
    value = pl.lit(default, dtype=pl.Float64)
    for channel, v in values.items():
        value = pl.when(pl.col("channel") == channel).then(pl.lit(v, dtype=pl.Float64)).otherwise(value)
    return value


def contact_sums(flags: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    """The registry's sums per `by`, from which every contact KPI is a ratio (one pass over contacts).

    A sum whose columns `flags` lacks (an absent optional column, the FCR flags before their sort)
    is null.
    """
    return in_seconds(contact_microsums(flags, by))


def contact_microsums(flags: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    """`contact_sums` with durations still in whole microseconds: sums of partitions of the contacts
    add up to the sums of all of them (`in_seconds` then gives `contact_sums`)."""
    return flags.group_by(list(by)).agg(microsum_aggs(flags))


def microsum_aggs(flags: pl.LazyFrame) -> list[pl.Expr]:
    """The aggregations of `contact_microsums` over `flags`: the registry's sums, null for a sum whose
    columns `flags` lacks."""
    names = set(flags.collect_schema().names())
    aggs = []
    for s in sums_of().values():
        if s.kind == "formula":
            continue
        if set(s.agg.meta.root_names()) <= names:
            aggs.append((s.agg if s.kind == "microseconds" else s.agg.cast(s.dtype)).alias(s.name))
        else:
            aggs.append(pl.lit(None, dtype=pl.Int128 if s.kind == "microseconds" else s.dtype).alias(s.name))
    return aggs


def in_seconds(microsums: pl.LazyFrame) -> pl.LazyFrame:
    """`contact_microsums` with the durations in seconds: `contact_sums`."""
    seconds = [s.name for s in sums_of().values() if s.kind == "microseconds"]
    return microsums.with_columns(as_seconds(pl.col(c)) for c in seconds)


def ordered_input(flags: pl.LazyFrame, by: Sequence[str], contract: Contract) -> pl.LazyFrame:
    """The few columns the `ordered` KPIs (FCR) sort, partner and channel as enums of the contract's
    (a byte each through the sort, not a text)."""
    enums = key_enums(contract)
    return flags.select(
        *(pl.col(c).cast(enums[c]) if c in enums else pl.col(c) for c in by), "answered", "customer_id", "arrived_at"
    )


def key_enums(contract: Contract) -> dict[str, pl.Enum]:
    """`partner_id` and `channel` as enums of the contract's partners and channels: the valid contacts'
    values, a byte each to group or sort by instead of a text."""
    return {"partner_id": pl.Enum(contract.partner_ids), "channel": pl.Enum(list(contract.channels))}


def is_ordered(present: frozenset[str]) -> bool:
    """Whether some `ordered` KPI (FCR) has its column among the contacts' `present` ones."""
    return any(k.ordered and k.needs in present for k in contact_kpis())


def with_ordered_sums(sums: pl.LazyFrame, ordered: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    """`sums` with the `ordered` KPIs' sums of `ordered` (`fcr.fcr_sums` of `ordered_input`, enums as text)."""
    ordered = ordered.with_columns(pl.col(c).cast(pl.String) for c in ("partner_id", "channel"))
    return sums.drop(s.name for s in ordered_sums()).join(ordered, on=list(by), how="left", nulls_equal=True)


def results_of_sums(
    sums: pl.LazyFrame,
    contract: Contract,
    *,
    present: frozenset[str],
    by: Sequence[str],
    interval_sums: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The contact KPIs' rows from `contact_sums` per `by` (the ordered KPIs' included), per channel
    and partner-wide; see `contact_results`."""
    if interval_sums is not None:
        sums = pl.concat([sums, interval_sums.select(sums.collect_schema().names())], how="vertical_relaxed")
    sums = with_channel_formulas(sums, contract.channels)
    complete = interval_sums is not None
    return results_from_sums(with_partner_wide(sums, by, complete=complete), present=present, keys=by)


def contact_results(
    contacts: pl.LazyFrame,
    contract: Contract,
    *,
    present: frozenset[str],
    scope: Sequence[str] = (),
    interval_sums: pl.LazyFrame | None = None,
    relief: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The contact KPIs per partner × channel × month (× scope), and partner-wide (channel null); the
    service-level KPIs count the contacts within service hours and outside excluding relief windows.

    `interval_sums`: the same sums for the pairs measured from interval reports (`interval_kpis`),
    which then count partner-wide, where a sum some channel lacks is null.

    The contacts are read once (a cache feeds both branches): the order-free counts and sums in one
    streaming group-by, and the `ordered` KPIs (FCR), which need the contacts in order, from a sort
    of the few columns they read, with each channel's repeat window.
    """
    by = ["partner_id", "channel", *scope, "month"]
    ordered = is_ordered(present)
    flags = contact_flags(contacts, contract.channels, fcr=False, in_hours=in_service_hours(contract, contacts, relief))
    if ordered:
        flags = flags.cache()
    sums = contact_sums(flags, by)
    if ordered:
        fcr = fcr_sums(ordered_input(flags, by, contract), by, fcr_windows(contract.channels))
        sums = with_ordered_sums(sums, fcr, by)
    return results_of_sums(sums, contract, present=present, by=by, interval_sums=interval_sums)
