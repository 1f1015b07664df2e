"""The contacts' figures partition by partition, so that memory is bounded by a partition (a month's
file, or a slice of a large file), not by the length of the history (formulas.md §1.11).

Every table that reads the contacts needs only sums from them: the registry's sums per partner ×
channel × month (the contact KPIs; occupancy and forecasts' offered volumes follow from them), the
service-level counts per interval (interval targets, worst day) and per day (the daily floor). All
three come from one group-by of a partition per partner × channel × month × local interval × within
hours or not (`interval_sums`): a month's and a day's sums are those of its intervals. Sums of
integers over intervals and partitions add up to the sums over all contacts, exactly. FCR needs each
contact's next contact of the same customer within the repeat window: a partition is sorted with the
contacts of the partitions after it up to the longest window past its last instant (its look-ahead),
which count only as next contacts. Each partition is read once: its flags, sums and the few columns
FCR sorts come from that one reading; the FCR columns of a partition are held until its look-ahead
is read, the contacts themselves are not.

Partitions must follow one another in time (no contact of a partition before the last of the
partitions before it), as a history delivered month by month does; otherwise `contact_totals`
returns None and the contacts are computed whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from ..contract.terms import Contract
from ..core.kpis import sums_of
from ..core.localtime import wall_time_of
from ..io.validation import ValidatedTable
from .contact_kpis import (
    contact_flags,
    fcr_windows,
    in_seconds,
    instants_zone,
    is_ordered,
    key_enums,
    microsum_aggs,
    ordered_input,
    with_ordered_sums,
)
from .fcr import FCR_WINDOW, fcr_sums
from .floor import FLOOR_COUNTS, FLOOR_KEYS
from .interval_targets import INTERVAL_COUNTS, INTERVAL_KEYS, interval_start
from .outside_hours import outside_hours_sums
from .service_hours import apart_pairs, in_service_hours, measured_apart

__all__ = ["ContactTotals", "contact_totals", "interval_sums"]

_BY = ("partner_id", "channel", "month")


@dataclass(frozen=True)
class ContactTotals:
    """What the tables need from the contacts, summed over every partition: `sums` (`contact_sums` per
    partner × channel × month, FCR's included), `intervals` (`interval_tallies`), `floor`
    (`floor_tallies`), `outside_hours` (`outside_hours_sums`; None when no channel measures the
    contacts outside its hours apart); `rejected`, the partitions' rejected rows (`REJECTED_SCHEMA`);
    and `partitions`, how many were read."""

    sums: pl.LazyFrame
    intervals: pl.LazyFrame
    floor: pl.LazyFrame
    outside_hours: pl.LazyFrame | None
    rejected: pl.DataFrame
    partitions: int


@dataclass(eq=False)
class _Waiting:
    """A partition's FCR columns, and the rows of its look-ahead read so far."""

    columns: pl.DataFrame
    last: int
    ahead: list[pl.DataFrame] = field(default_factory=list)


def contact_totals(
    partitions: Iterable[ValidatedTable],
    contract: Contract,
    *,
    present: frozenset[str],
    relief: pl.LazyFrame | None = None,
) -> ContactTotals | None:
    """The contacts' sums from `partitions` of the contacts (`Engagement.partitions`), read one at a
    time in order; None when a partition holds a valid contact earlier than the last of those before
    it, or no partition a valid contact.

    A partition's valid rows with their flags and its rejected rows are collected at once (one reading
    of its file); the sums are then grouped from those flags, held in memory once with the columns
    the sums read only."""
    by = list(_BY)
    ordered = is_ordered(present)
    hours = fcr_windows(contract.channels)
    reach = max([round(h * 3_600_000_000) for h in hours.values()] + [int(FCR_WINDOW.total_seconds()) * 1_000_000])
    fine: list[pl.DataFrame] = []
    apart: list[pl.DataFrame] = []
    measures_apart = bool(apart_pairs(contract))
    fcr: list[pl.DataFrame] = []
    waiting: list[_Waiting] = []
    last: int | None = None
    count = 0
    rejected: list[pl.DataFrame] = []
    enums = key_enums(contract)  # grouped by faster than texts; the sums' keys are texts again (`_summed`)
    kept = {name for s in sums_of().values() if s.kind != "formula" for name in s.agg.meta.root_names()}
    kept |= {*by, "arrived_at", "customer_id", "in_hours", *(["site_id"] if measures_apart else [])}
    for partition in partitions:
        valid = partition.valid
        flagged = contact_flags(
            valid, contract.channels, fcr=False, in_hours=in_service_hours(contract, valid, relief)
        ).with_columns(pl.col(key).cast(enum) for key, enum in enums.items())
        held, rows = pl.collect_all(
            [flagged.select(c for c in flagged.collect_schema().names() if c in kept), partition.rejected]
        )
        rejected.append(rows)
        count += 1
        if held.height == 0:
            continue
        first_t, last_t = held.select(
            pl.col("arrived_at").dt.epoch("us").min().alias("first"), pl.col("arrived_at").dt.epoch("us").max()
        ).row(0)
        if last is not None and first_t < last:
            return None
        last = last_t if last is None else max(last, last_t)
        flags = held.lazy()
        frames = pl.collect_all(
            [
                interval_sums(flags, contract, by),
                *(
                    [
                        outside_hours_sums(
                            contact_flags(flags, contract.channels, fcr=False).with_columns(
                                measured_apart(contract, flags, relief)
                            ),
                            contract,
                        )
                    ]
                    if measures_apart
                    else []
                ),
                *([ordered_input(flags, by, contract)] if ordered else []),
            ],
            engine="in-memory",
        )
        del held
        fine.append(frames[0])
        if measures_apart:
            apart.append(frames[1])
        if not ordered:
            continue
        columns = frames[-1]
        instant = pl.col("arrived_at").dt.epoch("us")
        for w in waiting:
            w.ahead.append(columns.filter(instant <= w.last + reach).with_columns(pl.lit(False).alias("answered")))
        done = [w for w in waiting if last > w.last + reach]
        waiting = [w for w in waiting if w not in done] + [_Waiting(columns, last_t)]
        fcr += [_fcr_of(w, by, hours, last) for w in done]
    if last is None:
        return None
    fcr += [_fcr_of(w, by, hours, last) for w in waiting]
    summed = pl.concat(fine, how="vertical").lazy()
    totals = _summed(summed.select(*by, *(s.name for s in sums_of().values() if s.kind != "formula")), by)
    if ordered:
        totals = with_ordered_sums(totals, _summed(pl.concat(fcr, how="vertical").lazy(), by), by)
    day = pl.col("interval").dt.date().alias("day")
    intervals = summed.filter(pl.col("in_hours")).select(
        *by, day, "interval", *(pl.col(f"interval {n}").alias(n) for n in INTERVAL_COUNTS)
    )
    floor = summed.select("partner_id", "channel", day, *(pl.col(f"floor {n}").alias(n) for n in FLOOR_COUNTS))
    return ContactTotals(
        sums=in_seconds(totals),
        # only contacts within the hours are counted: none is outside them
        intervals=_summed(intervals, list(INTERVAL_KEYS)).with_columns(
            pl.lit(0, dtype=pl.Int64).alias(c) for c in ("outside_hours", "answered_outside_hours")
        ),
        floor=_summed(floor, list(FLOOR_KEYS)),
        outside_hours=_summed(pl.concat(apart, how="vertical").lazy(), by) if measures_apart else None,
        rejected=pl.concat(rejected, how="vertical"),
        partitions=count,
    )


def _fcr_of(waiting: _Waiting, by: list[str], hours: dict[str, float], data_end: int) -> pl.DataFrame:
    """A partition's FCR sums, from its columns and its look-ahead (`data_end`: the last instant read)."""
    rows = pl.concat([waiting.columns, *waiting.ahead], how="vertical")
    return fcr_sums(rows.lazy(), by, hours, data_end=data_end).collect(engine="in-memory")


def interval_sums(flags: pl.LazyFrame, contract: Contract, by: list[str]) -> pl.LazyFrame:
    """The sums of `flags` (`contact_flags`) per `by` (partner × channel × month) × local interval
    (`interval_start`) × `in_hours`: the registry's (`microsum_aggs`), and the counts of the interval
    tallies and of the daily floor (`INTERVAL_COUNTS`, `FLOOR_COUNTS`, named `interval …`, `floor …`).
    One group-by of the contacts, whose rows add up to the month's, the interval's within hours and
    the day's sums (an interval lies within a local day)."""
    zone = instants_zone(flags, "arrived_at")
    local = pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)
    return (
        flags.with_columns(interval_start(local, contract.channels).alias("interval"))
        .group_by([*by, "interval", "in_hours"])
        .agg(
            *microsum_aggs(flags),
            *(agg.cast(pl.Int64).alias(f"interval {name}") for name, agg in INTERVAL_COUNTS.items()),
            *(agg.alias(f"floor {name}") for name, agg in FLOOR_COUNTS.items()),
        )
    )


def _summed(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """The partial sums of `frame` per `keys` added up, enum keys as texts; a sum null in every
    partial (its column absent) stays null."""
    schema = frame.collect_schema()
    values = [c for c in schema.names() if c not in keys]
    return (
        frame.group_by(keys)
        .agg(pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in values)
        .with_columns(pl.col(k).cast(pl.String) for k in keys if isinstance(schema[k], pl.Enum))
    )
