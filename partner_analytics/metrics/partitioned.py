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
is read, the contacts themselves are not. Partitions are read two at a time by threads of the
process, or by the workers of a Dask cluster, and their sums added up here in order.

Partitions must follow one another in time (no contact of a partition before the last of the
partitions before it), as a history delivered month by month does; otherwise `contact_totals`
returns None and the contacts are computed whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import polars as pl

from ..contract.terms import Contract
from ..core.kpis import sums_of
from ..core.localtime import month_start_of, wall_time_of
from ..core.schema import TABLES
from ..io.validation import REJECTED_SCHEMA, ValidatedTable
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
from .fcr import FCR_WINDOW, TIME_ORDER_ROWS, fcr_sums
from .floor import FLOOR_COUNTS, FLOOR_KEYS
from .interval_targets import INTERVAL_COUNTS, INTERVAL_KEYS, interval_start
from .outside_hours import outside_hours_sums
from .service_hours import apart_pairs, in_service_hours, measured_apart

__all__ = [
    "READ_AHEAD",
    "ClusterReading",
    "ContactTotals",
    "Pending",
    "Reading",
    "contact_totals",
    "interval_sums",
    "tallies_of_sums",
]

_BY = ("partner_id", "channel", "month")

READ_AHEAD = 2
"""How many partitions this process reads at a time: two keep two cores busy where one partition,
read by polars' threads, leaves one of them idle half the time."""


class Pending(Protocol):
    """A result to come: a future of `concurrent.futures`, or of a Dask cluster."""

    def result(self) -> Any: ...


class Reading:
    """Where the partitions are read: by `executor` (default: `READ_AHEAD` threads of this process),
    `at_once` at a time. A partition's FCR columns go from its reading to the look-ahead of the one
    before and to its own FCR through `columns`, `ahead` and `fcr`, so that another reading
    (`ClusterReading`, a Dask cluster's workers) can keep them where they were read."""

    def __init__(self, executor: Executor, at_once: int) -> None:
        self.executor, self.at_once = executor, at_once

    def read(
        self, partition: ValidatedTable, contract: Contract, relief: pl.LazyFrame | None, present: frozenset[str]
    ) -> Pending:
        """The partition's `_Read` to come, with its FCR columns."""
        return self.executor.submit(_partition_read, partition, contract, relief, present)

    def columns(self, read: Pending) -> Any:
        """The FCR columns of a finished `read`."""
        return read.result().columns

    def ahead(self, columns: Any, until: int) -> Any:
        """The look-ahead, up to `until`, of a partition before the one of these FCR `columns`."""
        return _ahead(columns, until)

    def fcr(self, columns: Any, ahead: list[Any], by: list[str], hours: dict[str, float], data_end: int) -> Pending:
        """A partition's FCR sums to come, from its columns and its look-ahead (`_fcr_of`)."""
        return self.executor.submit(_fcr_of, columns, ahead, by, hours, data_end)


class ClusterReading(Reading):
    """The partitions read by the workers of a Dask cluster (`client`, a `distributed.Client`), one per
    worker thread at a time. A partition's FCR columns stay on the worker that read it: its look-ahead
    and its FCR are tasks of the workers, to which Dask hands the columns; only each partition's sums
    come to this process."""

    def __init__(self, client: Any) -> None:  # no executor: every task goes through the client
        self.client, self.at_once = client, max(1, sum(client.nthreads().values()))

    def read(
        self, partition: ValidatedTable, contract: Contract, relief: pl.LazyFrame | None, present: frozenset[str]
    ) -> Pending:
        read = self.client.submit(_partition_read, partition, contract, relief, present, pure=False)
        return _Remote(self.client.submit(replace, read, columns=None, pure=False), read)

    def columns(self, read: Pending) -> Any:
        assert isinstance(read, _Remote)
        return self.client.submit(getattr, read.read, "columns", pure=False)

    def ahead(self, columns: Any, until: int) -> Any:
        return self.client.submit(_ahead, columns, until, pure=False)

    def fcr(self, columns: Any, ahead: list[Any], by: list[str], hours: dict[str, float], data_end: int) -> Pending:
        return self.client.submit(_fcr_of, columns, ahead, by, hours, data_end, pure=False)


@dataclass(frozen=True)
class _Remote:
    """A partition read on a worker: its `_Read` without the FCR columns to come (`summary`), and the
    whole of it, kept on the worker (`read`)."""

    summary: Any
    read: Any

    def result(self) -> _Read:
        return self.summary.result()


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
    """A partition's FCR columns, and the rows of its look-ahead read so far (as `Reading` holds them)."""

    columns: Any
    last: int
    ahead: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class _Read:
    """What one partition gives (`_partition_read`): its rejected rows; with valid contacts, their
    first and last instants (microseconds since the epoch), their `interval_sums`, the sums of those
    measured apart (`outside_hours_sums`) and the FCR columns (`ordered_input`)."""

    rejected: pl.DataFrame
    first: int = 0
    last: int = 0
    sums: pl.DataFrame | None = None
    apart: pl.DataFrame | None = None
    columns: pl.DataFrame | None = None


def contact_totals(
    partitions: Iterable[ValidatedTable],
    contract: Contract,
    *,
    present: frozenset[str],
    relief: pl.LazyFrame | None = None,
    reading: Reading | None = None,
) -> ContactTotals | None:
    """The contacts' sums from `partitions` of the contacts (`Engagement.partitions`), added up in
    order; None when a partition holds a valid contact earlier than the last of those before it, or
    no partition a valid contact.

    The partitions are read by `reading` (`_partition_read`; default: `READ_AHEAD` threads of this
    process), a few at a time ahead of the one being added up, so that memory holds a few partitions,
    never the history; a partition's FCR is computed there too, once its look-ahead is read."""
    by = list(_BY)
    ordered = is_ordered(present)
    hours = fcr_windows(contract.channels)
    reach = max([round(h * 3_600_000_000) for h in hours.values()] + [int(FCR_WINDOW.total_seconds()) * 1_000_000])
    reads: list[_Read] = []
    judged: list[Pending] = []
    waiting: list[_Waiting] = []
    last: int | None = None
    with _pool(reading) as pool:
        for future in _read_ahead(pool, partitions, contract, relief, present=present):
            read = future.result()
            reads.append(replace(read, columns=None))
            if read.sums is None:
                continue
            if last is not None and read.first < last:
                return None
            last = read.last if last is None else max(last, read.last)
            if not ordered:
                continue
            columns = pool.columns(future)
            for w in waiting:
                w.ahead.append(pool.ahead(columns, w.last + reach))
            done = [w for w in waiting if last > w.last + reach]
            waiting = [w for w in waiting if w not in done] + [_Waiting(columns, read.last)]
            judged += [pool.fcr(w.columns, w.ahead, by, hours, last) for w in done]
        if last is None:
            return None
        judged += [pool.fcr(w.columns, w.ahead, by, hours, last) for w in waiting]
        fcr = [f.result() for f in judged]
    summed = pl.concat([r.sums for r in reads if r.sums is not None], how="vertical").lazy()
    totals = _summed(summed.select(*by, *(s.name for s in sums_of().values() if s.kind != "formula")), by)
    if ordered:
        totals = with_ordered_sums(totals, _summed(pl.concat(fcr, how="vertical").lazy(), by), by)
    intervals, floor = tallies_of_sums(summed, by)
    apart = [r.apart for r in reads if r.apart is not None]
    return ContactTotals(
        sums=in_seconds(totals),
        # only contacts within the hours are counted: none is outside them
        intervals=_summed(intervals, list(INTERVAL_KEYS)).with_columns(
            pl.lit(0, dtype=pl.Int64).alias(c) for c in ("outside_hours", "answered_outside_hours")
        ),
        floor=_summed(floor, list(FLOOR_KEYS)),
        outside_hours=_summed(pl.concat(apart, how="vertical").lazy(), by) if apart_pairs(contract) else None,
        rejected=pl.concat([r.rejected for r in reads], how="vertical"),
        partitions=len(reads),
    )


@contextmanager
def _pool(reading: Reading | None) -> Iterator[Reading]:
    """`reading`, or `READ_AHEAD` threads of this process, shut down on exit (what was not started
    is cancelled when the partitions turn out not to follow one another)."""
    if reading is not None:
        yield reading
        return
    threads = ThreadPoolExecutor(READ_AHEAD, thread_name_prefix="partition")
    try:
        yield Reading(threads, READ_AHEAD)
    finally:
        threads.shutdown(wait=True, cancel_futures=True)


def _read_ahead(
    reading: Reading,
    partitions: Iterable[ValidatedTable],
    contract: Contract,
    relief: pl.LazyFrame | None,
    *,
    present: frozenset[str],
) -> Iterator[Pending]:
    """Each partition's reading (`Reading.read`), in order, `at_once` of them read at a time."""
    pending: deque[Pending] = deque()
    for partition in partitions:
        pending.append(reading.read(partition, contract, relief, present))
        if len(pending) >= reading.at_once:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def _partition_read(
    partition: ValidatedTable, contract: Contract, relief: pl.LazyFrame | None, present: frozenset[str]
) -> _Read:
    """One reading of a partition: its valid rows with their flags and the numbers of its rejected rows
    collected at once (the rejected rows themselves read after, when there are some), then, from the
    flags held in memory with the columns the sums read only, the partition's sums and FCR columns
    (`_Read`). A sum whose column is not `present` (all null) is not added up (null): its KPI is not
    measurable either way."""
    by = list(_BY)
    ordered = is_ordered(present)
    measures_apart = bool(apart_pairs(contract))
    enums = key_enums(contract)  # grouped by faster than texts; the sums' keys are texts again (`_summed`)
    absent = set(TABLES["contacts"].column_names) - present
    kept = {name for s in sums_of().values() if s.kind != "formula" for name in s.agg.meta.root_names()}
    kept |= {*by, "arrived_at", "customer_id", "in_hours", *(["site_id"] if measures_apart else [])}
    kept -= absent
    valid = partition.valid
    flagged = contact_flags(
        valid, contract.channels, fcr=False, in_hours=in_service_hours(contract, valid, relief)
    ).with_columns(pl.col(key).cast(enum) for key, enum in enums.items())
    held, failing = pl.collect_all(
        [flagged.select(c for c in flagged.collect_schema().names() if c in kept), partition.failing]
    )
    rejected = partition.rejected.collect() if failing.height else pl.DataFrame(schema=REJECTED_SCHEMA)
    if held.height == 0:
        return _Read(rejected)
    held = held.rechunk()  # grouped by and sorted faster in one piece
    first, last = held.select(
        pl.col("arrived_at").dt.epoch("us").min().alias("first"), pl.col("arrived_at").dt.epoch("us").max()
    ).row(0)
    flags = held.lazy()
    queries = [interval_sums(flags, contract, by)]
    if measures_apart:
        apart = contact_flags(flags, contract.channels, fcr=False).with_columns(measured_apart(contract, flags, relief))
        queries.append(outside_hours_sums(apart, contract))
    if ordered:
        queries.append(ordered_input(flags, by, contract))
    frames = pl.collect_all(queries, engine="in-memory")
    return _Read(
        rejected,
        first,
        last,
        sums=frames[0],
        apart=frames[1] if measures_apart else None,
        columns=frames[-1] if ordered else None,
    )


def _ahead(columns: pl.DataFrame, until: int) -> pl.DataFrame:
    """The FCR columns up to `until` (µs since the epoch), as next contacts only (not counted)."""
    kept = columns.filter(pl.col("arrived_at").dt.epoch("us") <= until)
    return kept.with_columns(pl.lit(False).alias("answered"))


def _fcr_of(
    columns: pl.DataFrame, ahead: list[pl.DataFrame], by: list[str], hours: dict[str, float], data_end: int
) -> pl.DataFrame:
    """A partition's FCR sums, from its columns and its look-ahead (`data_end`: the last instant read)."""
    rows = pl.concat([columns, *ahead], how="vertical", rechunk=True)  # gathered whole by the sort
    in_order = rows.height <= TIME_ORDER_ROWS and rows["arrived_at"].is_sorted()  # as a history delivered by arrival is
    return fcr_sums(rows.lazy(), by, hours, data_end=data_end, in_time_order=in_order).collect(engine="in-memory")


def interval_sums(flags: pl.LazyFrame, contract: Contract, by: list[str]) -> pl.LazyFrame:
    """The registry's sums (`microsum_aggs`) of `flags` (`contact_flags`) per `by` (partner × channel
    × month) × local interval (`interval_start`) × `in_hours`: one group-by of the contacts, whose
    rows add up to the month's sums, and give the interval tallies within hours and the day's floor
    (`tallies_of_sums`: an interval lies within a local day)."""
    zone = instants_zone(flags, "arrived_at")
    local = pl.col("arrived_at") if zone is None else wall_time_of(pl.col("arrived_at"), zone)
    keys = [k for k in by if k != "month"]  # an interval's month, taken from the few rows of the sums
    sums = (
        flags.with_columns(interval_start(local, contract.channels).alias("interval"))
        .group_by([*keys, "interval", "in_hours"])
        .agg(microsum_aggs(flags))
    )
    return sums.with_columns(month_start_of(pl.col("interval")).alias("month")) if "month" in by else sums


def tallies_of_sums(sums: pl.LazyFrame, by: list[str]) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The counts of the interval tallies within hours (`INTERVAL_COUNTS`, per `by` × day × interval)
    and of the daily floor (`FLOOR_COUNTS`, per partner × channel × day) from `interval_sums`: the
    registry's sums hold them, so the group-by computes them once. One row per group of `sums`."""
    day = pl.col("interval").dt.date().alias("day")
    floor = {
        "offered": pl.col("offered"),
        "offered_in_hours": pl.when(pl.col("in_hours")).then(pl.col("offered")).otherwise(0),
        "answered": pl.col("answered"),
        "short_abandons": pl.col("short_abandons"),
        "in_service": pl.col("in_service"),
        "handled_hours": pl.col("handle_sum"),
    }
    intervals = sums.filter(pl.col("in_hours")).select(*by, day, "interval", *INTERVAL_COUNTS)
    return intervals, sums.select("partner_id", "channel", day, *(floor[n].alias(n) for n in FLOOR_COUNTS))


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
