"""The contact KPIs of the partner × channel pairs measured from interval reports (formulas.md §1.7).

Every contact KPI is a ratio of sums over contacts; an interval row holds some of those sums already
(offered, answered, answered within the threshold…), so a month's sums are the sums of its
intervals, and the same rows follow (service level under every formula the counts allow, abandon
rate, ASA, AHT; occupancy, volumes, corridor and charges read them). The sums an interval cannot
hold (FCR needs each customer's contacts in order, CSAT each survey answer) are null: their rows
are not measurable, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..contract.terms import Contract
from ..core.kpis import KPI, as_seconds, contact_kpis, microseconds, sums_of
from .contact_kpis import instants_zone, month_of

__all__ = ["INTERVAL_SUMS", "interval_notes", "interval_sums"]

INTERVAL_SUMS: dict[str, str] = {
    "offered": "offered",
    "answered": "answered",
    "in_service": "answered_within_threshold",
    "abandons_within_threshold": "abandoned_within_threshold",
    "short_abandons": "short_abandons",
    "wait_answered": "answered_wait_s",
    "handle_sum": "handle_s",
    "handle_n": "handle_s",
}
"""The registry's sums an interval report holds, and the `intervals` column each is the sum of."""

# An interval report counts what its platform measured: service hours are the report's own, none of
# its contacts is outside them (formulas.md §1.10).
_NONE_OUTSIDE_HOURS = ("outside_hours", "answered_outside_hours")

_CONTACT_RECORDS = "not measurable from an interval report (it needs contact records)"


def _complete_sum(column: str) -> pl.Expr:
    """The sum of `column` over a group, null when some interval of the group has no value."""
    c = pl.col(column)
    return pl.when(c.is_null().any()).then(None).otherwise(c.sum())


def interval_sums(
    intervals: pl.LazyFrame, contract: Contract, *, present: frozenset[str], by: Sequence[str]
) -> pl.LazyFrame:
    """The registry's sums (the columns of `contact_sums`) per `by`, from interval rows.

    A count column the file lacks gives null sums, except the short abandons of a channel without
    short abandons (short_abandon_s 0: none); the handle time is summed, like the contacts', over the
    intervals that give one (its count: their answered contacts).
    """
    no_shorts = [name for name, t in contract.channels.items() if t.short_abandon_s == 0]
    frame = intervals.with_columns(
        month_of(pl.col("interval_start"), instants_zone(intervals, "interval_start")).alias("month")
    )
    if "short_abandons" not in present:
        frame = frame.with_columns(
            pl.when(pl.col("channel").is_in(no_shorts)).then(pl.lit(0, dtype=pl.Int64)).alias("short_abandons")
        )
        present = present | {"short_abandons"}
    aggs = []
    for s in sums_of().values():
        if s.kind == "formula":
            continue
        column = INTERVAL_SUMS.get(s.name)
        dtype = pl.Float64() if s.kind == "microseconds" else s.dtype
        if s.name in _NONE_OUTSIDE_HOURS:
            aggs.append(pl.lit(0, dtype=dtype).alias(s.name))
        elif column is None or column not in present:
            aggs.append(pl.lit(None, dtype=dtype).alias(s.name))
        elif s.name == "handle_sum":
            aggs.append(microseconds(pl.col(column)).sum().alias(s.name))
        elif s.name == "handle_n":
            aggs.append(pl.col("answered").filter(pl.col(column).is_not_null()).sum().cast(dtype).alias(s.name))
        elif s.kind == "microseconds":
            aggs.append(_complete_sum("__us").alias(s.name))
            frame = frame.with_columns(microseconds(pl.col(column)).alias("__us"))
        else:
            aggs.append(_complete_sum(column).cast(dtype).alias(s.name))
    seconds = [s.name for s in sums_of().values() if s.kind == "microseconds"]
    return frame.group_by(list(by)).agg(aggs).with_columns(as_seconds(pl.col(c)) for c in seconds)


def _reads(entry: KPI) -> list[str]:
    """The registry's sums a KPI's row reads (its own, and those its ratio names), formula terms aside."""
    known = sums_of()
    names = [s.name for s in entry.sums]
    for part in (entry.numerator, entry.denominator):
        names += part.meta.root_names() if part is not None else []
    kept = (n for n in names if n in known and known[n].kind != "formula" and n not in _NONE_OUTSIDE_HOURS)
    return list(dict.fromkeys(kept))


def _interval_note(entry: KPI, present: frozenset[str]) -> str | None:
    """Why a contact KPI's row of an interval-measured pair can be null, beyond a zero denominator."""
    reads = _reads(entry)
    if any(n not in INTERVAL_SUMS for n in reads):
        return _CONTACT_RECORDS
    absent = sorted({INTERVAL_SUMS[n] for n in reads} - present)
    if absent:
        return f"the interval report has no {', '.join(absent)} column"
    needed = sorted({INTERVAL_SUMS[n] for n in reads} - {"offered", "answered", "answered_within_threshold"})
    return f"{', '.join(needed)} missing in some intervals of the month" if needed else None


def interval_notes(results: pl.LazyFrame, contract: Contract, present: frozenset[str]) -> pl.LazyFrame:
    """The results with the notes of the null rows an interval report explains: a pair measured from
    intervals, and the partner-wide row of a partner with such a pair (it sums every channel)."""
    pairs = contract.interval_pairs
    notes = {k.name: _interval_note(k, present) for k in contact_kpis()}
    notes = {k: v for k, v in notes.items() if v is not None}
    if not pairs or not notes:
        return results
    pair = pl.concat_str([pl.col("partner_id"), pl.lit("\u241f"), pl.col("channel")])
    from_intervals = pair.is_in([f"{p}\u241f{c}" for p, c in sorted(pairs)])
    partners = sorted({p for p, _ in pairs})
    wide = pl.col("channel").is_null() & pl.col("partner_id").is_in(partners)
    note = pl.col("kpi").replace_strict(notes, default=None, return_dtype=pl.String)
    unexplained = pl.col("value").is_null() & pl.col("denominator").is_null() & note.is_not_null()
    return results.with_columns(
        pl.when(unexplained & from_intervals)
        .then(note)
        .when(unexplained & wide)
        .then(pl.concat_str([pl.lit("not measurable partner-wide, a channel being measured from intervals: "), note]))
        .otherwise(pl.col("note"))
        .alias("note")
    )
