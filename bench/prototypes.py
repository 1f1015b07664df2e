"""Faster formulations of the loader's validation and of the contact KPIs, measured by the benchmarks.

Not part of the package: each function here is a candidate replacement for a function of
`partner_analytics.validation` or `partner_analytics.metrics`, with the same inputs and the same
results, that `install(...)` puts in place inside a benchmark's child process only. The benchmarks
check that the results stay equal to the toolkit's and to DuckDB's.

- `checks_typed` (validation): on typed columns (Parquet), the "missing" and "cannot read" checks
  test nulls directly instead of casting every value to text and stripping it. A value of a
  non-text type can never be blank text, so the rows rejected are the same.
- `first_distinct` (validation): the duplicate `contact_id` check as `is_first_distinct()` in row
  order instead of `min(__row).over(contact_id)`; the row of the first occurrence is only looked
  up for the rejected rows.
- `split_sums` (metrics): the counts and sums that need no order are aggregated straight from the
  validated contacts; only the columns FCR needs (customer, instant, answered, and the group keys)
  are sorted, then both aggregates are joined. `split_cached`: the same with the flagged contacts
  marked `.cache()`, so that the scan and the validation run once for both branches.
- `fcr_hash` (metrics): the FCR sort by (64-bit hash of customer_id, instant) instead of (customer_id,
  instant): two integer keys sort about twice as fast as text + integer. Adjacent rows are still
  compared on the customer_id text, so the flags are exact unless two customers share a hash; such a
  collision is detected exactly (two different customers next to each other with the same hash) and
  counted in `fcr_collisions`, on which the caller falls back to the text sort.
- `split_hash` (metrics): `split_cached` and `fcr_hash` together: only the narrow FCR frame is
  sorted, by the hashed key.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import polars as pl

from partner_analytics import metrics, validation
from partner_analytics.contract import Contract, Source
from partner_analytics.readers import ROW, RawTable
from partner_analytics.schema import Column
from partner_analytics.validation import _RAW, _Check, _rejections, _typed

__all__ = ["OPTIONS", "install"]

OPTIONS = ("checks_typed", "first_distinct", "split_sums", "split_cached", "fcr_hash", "split_hash")


# --- validation --------------------------------------------------------------------------------


def _checks_typed(column: Column, contract: Contract, dtype: pl.DataType) -> list[_Check]:
    """`validation._checks` with the blank-text test only where the file's column is text."""
    checks = validation._checks(column, contract)
    if dtype == pl.String():
        return checks
    raw, value = pl.col(_RAW + column.name), pl.col(column.name)
    out = []
    for check in checks:
        if check.fails.meta.eq(_missing(column.name)):
            check = _Check(check.column, raw.is_null(), check.reason)
        elif check.fails.meta.eq(_unreadable(column.name)):
            check = _Check(check.column, raw.is_not_null() & value.is_null(), check.reason)
        out.append(check)
    return out


def _missing(name: str) -> pl.Expr:
    raw = pl.col(_RAW + name)
    return raw.is_null() | (raw.cast(pl.String).str.strip_chars() == "")


def _unreadable(name: str) -> pl.Expr:
    raw = pl.col(_RAW + name)
    return raw.is_not_null() & (raw.cast(pl.String).str.strip_chars() != "") & pl.col(name).is_null()


def validate_table(
    raw: RawTable, contract: Contract, source: Source | None, *, typed_checks: bool = True, first_distinct: bool = True
) -> validation.ValidatedTable:
    """`validation.validate_table` with the options of this module (same valid and rejected rows)."""
    source = source or Source()
    spec = raw.spec
    schema = raw.frame.collect_schema()
    typed = raw.frame.with_columns(pl.col(c).alias(_RAW + c) for c in spec.column_names).with_columns(
        _typed(c, schema[c.name], raw.textual, source, contract.timezone).alias(c.name) for c in spec.columns
    )
    checks = [
        check
        for c in spec.columns
        for check in (
            _checks_typed(c, contract, pl.String() if raw.textual else schema[c.name])
            if typed_checks
            else validation._checks(c, contract)
        )
    ]
    fails = pl.any_horizontal([c.fails.fill_null(False) for c in checks]) if checks else pl.lit(False)
    passed = typed.filter(~fails)
    rejected = [_rejections(typed.filter(fails), checks, raw)]
    if spec.unique:
        key = list(spec.unique)
        if first_distinct:
            first_seen = (pl.struct(key) if len(key) > 1 else pl.col(key[0])).is_first_distinct()
            flagged = passed.with_columns(first_seen.alias("__once"))
            repeats = flagged.filter(~pl.col("__once")).drop("__once")
            firsts = (
                flagged.filter(pl.col("__once"))
                .select(*key, pl.col(ROW).alias("__first"))
                .join(repeats.select(key).unique(), on=key, how="semi", nulls_equal=True)
            )
            keyed = repeats.join(firsts, on=key, how="left", nulls_equal=True)
            passed = flagged.filter(pl.col("__once")).drop("__once")
        else:
            first = pl.col(ROW).min().over(key)
            keyed = passed.with_columns(first.alias("__first"))
            passed = keyed.filter(pl.col("__first") == pl.col(ROW))
        repeat = _Check(
            spec.unique[0],
            pl.col("__first") != pl.col(ROW),
            pl.format(
                "duplicated {} (first at row {}); expected each {} once",
                pl.lit(" + ".join(spec.unique)),
                pl.col("__first"),
                pl.lit(" + ".join(spec.unique)),
            ),
        )
        rejected.append(_rejections(keyed.filter(repeat.fails), [repeat], raw))
    valid = passed.select(spec.column_names)
    return validation.ValidatedTable(valid, pl.concat(rejected, how="vertical"))


# --- metrics -----------------------------------------------------------------------------------


def contact_results_split(
    contacts: pl.LazyFrame,
    contract: Contract,
    *,
    present: frozenset[str],
    scope: Sequence[str] = (),
    cached: bool = False,
) -> pl.LazyFrame:
    """`metrics.contact_results` with the order-free sums and the FCR sums computed apart (see module doc);
    `cached` marks the flagged contacts as a cache, so that the two branches read them once."""
    by = ["partner_id", "channel", *scope, "month"]
    flags = metrics.contact_flags(contacts, contract.channels, fcr=False)
    if cached:
        flags = flags.cache()
    sums = metrics.contact_sums(flags, by).drop("fcr_resolved", "fcr_counted", "fcr_cut")
    if "customer_id" in present:
        narrow = flags.select(*by, "answered", "customer_id", "arrived_at")
        fcr = (
            metrics._with_fcr(narrow)
            .group_by(by)
            .agg(pl.col(c).sum().cast(pl.Int64).alias(c) for c in ("fcr_resolved", "fcr_counted", "fcr_cut"))
        )
        sums = sums.join(fcr, on=by, how="left", nulls_equal=True)
    else:
        sums = sums.with_columns(
            pl.lit(None, dtype=pl.Int64).alias(c) for c in ("fcr_resolved", "fcr_counted", "fcr_cut")
        )
    both = pl.concat([sums, metrics._partner_wide(sums, by).select(sums.collect_schema().names())], how="vertical")
    return metrics.results_from_sums(both, present=present, keys=by)


def with_fcr_hashed(contacts: pl.LazyFrame, key: pl.Expr | None = None) -> pl.LazyFrame:
    """`metrics._with_fcr` sorted by (hash of customer_id, instant); adds `fcr_collision` (see module doc).

    `key` replaces the hash (a test forces collisions with it)."""
    window = int(metrics.FCR_WINDOW.total_seconds()) * 1_000_000
    customer, t, h = pl.col("customer_id"), pl.col("__t"), pl.col("__h")
    ordered = contacts.with_columns(
        pl.col("arrived_at").dt.epoch("us").alias("__t"),
        pl.when(customer.is_not_null()).then(customer.hash() if key is None else key).alias("__h"),
    ).sort("__h", "__t", nulls_last=True)
    next_t = t.shift(-1)
    same_customer = (customer.is_not_null() & (customer.shift(-1) == customer)).fill_null(False)
    never = pl.lit(2**62, dtype=pl.Int64)
    later = pl.when(~same_customer).then(never).when(next_t != t).then(next_t).otherwise(None).backward_fill()
    judged = pl.col("answered") & customer.is_not_null()
    cut = judged & (t + window > t.max())
    counted = judged & ~cut
    collision = ((h.shift(-1) == h) & ~same_customer).fill_null(False)
    return ordered.with_columns(
        (counted & (later > t + window)).alias("fcr_resolved"),
        counted.alias("fcr_counted"),
        cut.alias("fcr_cut"),
        collision.alias("fcr_collision"),
    ).drop("__t", "__h")


def contact_results_hashed(
    contacts: pl.LazyFrame,
    contract: Contract,
    *,
    present: frozenset[str],
    scope: Sequence[str] = (),
    key: pl.Expr | None = None,
) -> pl.LazyFrame:
    """`metrics.contact_results` with the hashed FCR sort; a collision makes it recompute with the text sort.

    The check needs the data, so this collects (in-memory engine for the small result) and returns
    the result as a LazyFrame; the fallback costs a second pass only in the (astronomically rare) case.
    """
    by = ["partner_id", "channel", *scope, "month"]
    if "customer_id" not in present:
        return original_contact_results(contacts, contract, present=present, scope=scope)
    flags = with_fcr_hashed(metrics.contact_flags(contacts, contract.channels, fcr=False), key)
    sums = _contact_sums_and(flags, by, pl.col("fcr_collision").sum().alias("__collisions"))
    collected = sums.collect()
    if collected["__collisions"].sum() > 0:
        return original_contact_results(contacts, contract, present=present, scope=scope)
    sums = collected.drop("__collisions").lazy()
    both = pl.concat([sums, metrics._partner_wide(sums, by).select(sums.collect_schema().names())], how="vertical")
    return metrics.results_from_sums(both, present=present, keys=by)


def contact_results_split_hashed(
    contacts: pl.LazyFrame,
    contract: Contract,
    *,
    present: frozenset[str],
    scope: Sequence[str] = (),
    key: pl.Expr | None = None,
) -> pl.LazyFrame:
    """`split_cached` with the narrow FCR frame sorted by the hashed key; falls back on a collision."""
    if "customer_id" not in present:
        return original_contact_results(contacts, contract, present=present, scope=scope)
    by = ["partner_id", "channel", *scope, "month"]
    flags = metrics.contact_flags(contacts, contract.channels, fcr=False).cache()
    sums = metrics.contact_sums(flags, by).drop("fcr_resolved", "fcr_counted", "fcr_cut")
    narrow = flags.select(*by, "answered", "customer_id", "arrived_at")
    fcr = (
        with_fcr_hashed(narrow, key)
        .group_by(by)
        .agg(
            *[pl.col(c).sum().cast(pl.Int64).alias(c) for c in ("fcr_resolved", "fcr_counted", "fcr_cut")],
            pl.col("fcr_collision").sum().alias("__collisions"),
        )
    )
    collected = sums.join(fcr, on=by, how="left", nulls_equal=True).collect()
    if collected["__collisions"].sum() > 0:
        return original_contact_results(contacts, contract, present=present, scope=scope)
    sums = collected.drop("__collisions").lazy()
    both = pl.concat([sums, metrics._partner_wide(sums, by).select(sums.collect_schema().names())], how="vertical")
    return metrics.results_from_sums(both, present=present, keys=by)


original_contact_results = metrics.contact_results


def _contact_sums_and(flags: pl.LazyFrame, by: Sequence[str], *extra: pl.Expr) -> pl.LazyFrame:
    """`metrics.contact_sums` (with FCR) and more aggregates in the same pass."""
    answered, csat = pl.col("answered"), pl.col("csat")
    return flags.group_by(list(by)).agg(
        pl.len().cast(pl.Int64).alias("offered"),
        answered.sum().cast(pl.Int64).alias("answered"),
        pl.col("short_abandon").sum().cast(pl.Int64).alias("short_abandons"),
        pl.col("in_service").sum().cast(pl.Int64).alias("in_service"),
        pl.col("wait_s").filter(answered).sum().alias("wait_answered"),
        pl.col("handle_s").filter(answered).sum().alias("handle_sum"),
        pl.col("handle_s").filter(answered).count().cast(pl.Int64).alias("handle_n"),
        csat.sum().cast(pl.Float64).alias("csat_sum"),
        csat.count().cast(pl.Int64).alias("csat_n"),
        (csat >= 4).sum().cast(pl.Int64).alias("csat_top2_n"),
        *[pl.col(c).sum().cast(pl.Int64).alias(c) for c in ("fcr_resolved", "fcr_counted", "fcr_cut")],
        *extra,
    )


# --- installing --------------------------------------------------------------------------------


def install(options: Sequence[str]) -> None:
    """Put the chosen formulations in place of the toolkit's (in this process only)."""
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)} (known: {', '.join(OPTIONS)})")
    if {"checks_typed", "first_distinct"} & set(options):
        from partner_analytics import engagement

        def patched(raw, contract, source):
            return validate_table(
                raw,
                contract,
                source,
                typed_checks="checks_typed" in options,
                first_distinct="first_distinct" in options,
            )

        engagement.validate_table = patched
    if "split_sums" in options:
        metrics.contact_results = contact_results_split
    if "fcr_hash" in options:
        metrics.contact_results = contact_results_hashed
    if "split_hash" in options:
        metrics.contact_results = contact_results_split_hashed
    if "split_cached" in options:
        metrics.contact_results = functools.partial(contact_results_split, cached=True)
