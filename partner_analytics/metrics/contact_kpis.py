"""KPIs (FORMULAS §1) from the raw tables into one long results table.

`results` has one row per partner × channel × month × KPI (channel null for the partner-wide row,
computed over all channels), plus any finer scope columns asked for (site_id, queue):

    partner_id, channel, [scope…], month, kpi, value, numerator, denominator, incomplete, note

`value` is null when the KPI is not measurable, and `note` then says why (its inputs are absent, or
its denominator is 0); `incomplete` marks an FCR month whose last contacts' 7-day windows run past
the end of the data. Every ratio keeps its numerator and denominator, so the partner-wide rows are
sums of the channel rows, and gain-share can read the contacts FCR was counted over.

Contacts are aggregated once per partner × channel × month (× scope); the partner-wide rows are
sums of those small aggregates, so the contact history is read in one pass.

The service level follows each channel's `service_level_formula` (FORMULAS §1 by default). Every
formula is a ratio of counts that the results keep as rows (offered, answered, short_abandons,
in_service, abandons_within_threshold), so the partner-wide service level is the sum of the channels'
numerators over the sum of their denominators, a service level of the contract with a formula of its
own is computed from the same counts (`service_level_terms`), and `service_level_results` restates
the service level of a results table under other contract terms without reading contacts again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from ..contract.terms import ChannelTerms, Contract, ServiceLevelFormula
from ..core.localtime import wall_time_of

__all__ = [
    "FCR_WINDOW",
    "RESULTS_SCHEMA",
    "SCOPES",
    "SERVICE_LEVEL_COUNTS",
    "as_seconds",
    "contact_flags",
    "contact_results",
    "contact_sums",
    "count_columns",
    "formula_columns",
    "instants_zone",
    "microseconds",
    "month_of",
    "not_measurable",
    "occupancy_results",
    "partner_wide",
    "quality_results",
    "ratio_rows",
    "results_from_sums",
    "service_level_results",
    "service_level_terms",
    "with_channel_formulas",
]

FCR_WINDOW = dt.timedelta(days=7)
SCOPES = ("site_id", "queue")
RESULTS_SCHEMA = {
    "partner_id": pl.String(),
    "channel": pl.String(),
    "month": pl.Date(),
    "kpi": pl.String(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "incomplete": pl.Boolean(),
    "note": pl.String(),
}

SERVICE_LEVEL_COUNTS = ("offered", "answered", "short_abandons", "in_service", "abandons_within_threshold")
_SUMS = (
    "offered",
    "answered",
    "short_abandons",
    "in_service",
    "abandons_within_threshold",
    "sl_numerator",
    "sl_denominator",
    "wait_answered",
    "handle_sum",
    "handle_n",
    "csat_sum",
    "csat_n",
    "csat_top2_n",
    "fcr_resolved",
    "fcr_counted",
    "fcr_cut",
)
_FCR_SUMS = ("fcr_resolved", "fcr_counted", "fcr_cut")


def microseconds(seconds: pl.Expr) -> pl.Expr:
    """Durations in seconds as whole microseconds: their sums are sums of integers, which do not depend
    on the order of the additions (threads, engines), so the same contacts always give the same figures."""
    return (seconds * 1_000_000).round().cast(pl.Int128)


def as_seconds(microseconds: pl.Expr) -> pl.Expr:
    return microseconds.cast(pl.Float64) / 1_000_000


def month_of(instant: pl.Expr, zone: str | None = None) -> pl.Expr:
    """The month (first day, a Date) of a local datetime: FORMULAS' period key. `zone`, the instants'
    time zone when known, converts many values faster (`localtime`)."""
    local = instant if zone is None else wall_time_of(instant, zone)
    return local.dt.date().dt.truncate("1mo")


def instants_zone(frame: pl.LazyFrame, column: str) -> str | None:
    """The time zone of a datetime column of `frame`, if it has one."""
    dtype = frame.collect_schema()[column]
    return dtype.time_zone if isinstance(dtype, pl.Datetime) else None


def contact_flags(contacts: pl.LazyFrame, channels: dict[str, ChannelTerms], *, fcr: bool = True) -> pl.LazyFrame:
    """Each contact with its month and the flags the KPIs count (in service, short abandon, FCR).

    FCR: an answered contact is *resolved* when its customer has no other contact (any channel,
    any partner) in (t, t + 7 days] of elapsed time; contacts whose window ends after the last
    arrival in the data are not counted (`fcr_cut`), and contacts without a customer are not counted.
    """
    answer_within = {name: t.answer_within_s for name, t in channels.items()}
    short_within = {name: t.short_abandon_s for name, t in channels.items()}
    t = _per_channel(answer_within, None)
    s = _per_channel(short_within, 0.0)
    answered = pl.col("answered")
    flagged = contacts.with_columns(
        month_of(pl.col("arrived_at"), instants_zone(contacts, "arrived_at")).alias("month"),
        (answered & (pl.col("wait_s") <= t)).alias("in_service"),
        (~answered & (pl.col("wait_s") <= t)).alias("abandon_within_threshold"),
        (~answered & (pl.col("wait_s") < s)).alias("short_abandon"),
    )
    if fcr:
        flagged = _with_fcr(flagged)
    return flagged


def _per_channel(values: dict[str, float], default: float | None) -> pl.Expr:
    """The value of each row's channel, as one element-wise expression (the streaming engine runs it
    morsel by morsel; a mapping by `replace_strict` is a whole-column step)."""
    value = pl.lit(default, dtype=pl.Float64)
    for channel, v in values.items():
        value = pl.when(pl.col("channel") == channel).then(pl.lit(v, dtype=pl.Float64)).otherwise(value)
    return value


def _with_fcr(contacts: pl.LazyFrame) -> pl.LazyFrame:
    """Sort by customer and instant; the next *strictly later* contact of the same customer decides.

    Instants are compared as microseconds since the epoch, so 7 days is 7 × 24 h of elapsed time
    whatever the DST changes in between.
    """
    ordered = contacts.with_columns(pl.col("arrived_at").dt.epoch("us").alias("__t")).sort(
        "customer_id", "__t", nulls_last=True
    )
    return _fcr_flags(ordered, pl.col("__t").max()).drop("__t")


def _fcr_flags(ordered: pl.LazyFrame, data_end: pl.Expr) -> pl.LazyFrame:
    """The FCR flags of contacts where each customer's contacts follow one another by instant `__t`
    (other customers' contacts may come between two customers, never inside one); `data_end` is the
    last instant of the data."""
    window = int(FCR_WINDOW.total_seconds()) * 1_000_000
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
    return ordered.with_columns(
        (counted & (later > t + window)).alias("fcr_resolved"),
        counted.alias("fcr_counted"),
        cut.alias("fcr_cut"),
    )


def _customer_hash(customer: pl.Expr) -> pl.Expr:
    """A 63-bit hash of the customer id, so that (hash, instant) packs into one signed 128-bit key."""
    return customer.hash() // 2


def _fcr_sums(contacts: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    """Σ of the FCR flags per `by`, from one sort on a single 128-bit key: (hash of the customer, instant).

    Sorting on one integer is much cheaper than on (customer text, instant), and gives each
    customer's contacts in order. Two customers whose ids share a hash would have their contacts
    interleaved; such hashes are found in the sorted contacts (two neighbours with the hash and not
    the customer), and the flags of their rows are replaced by those of the exact sort by customer.
    """
    t = pl.col("arrived_at").dt.epoch("us").cast(pl.Int128) + 2**63
    key = _customer_hash(pl.col("customer_id")).cast(pl.Int128) * 2**64 + t
    ordered = (
        contacts.with_columns(key.alias("__key"))
        .drop("arrived_at")
        .sort("__key", nulls_last=True)
        .with_columns((pl.col("__key") % 2**64 - 2**63).cast(pl.Int64).alias("__t"))
        .cache()
    )
    hashed, customer, data_end = pl.col("__key") // 2**64, pl.col("customer_id"), pl.col("__t").max()

    def sums(flags: pl.LazyFrame) -> pl.LazyFrame:
        return flags.group_by(by).agg(pl.col(c).sum().cast(pl.Int64) for c in _FCR_SUMS)

    shared = (
        ordered.filter((hashed == hashed.shift(-1)) & customer.ne_missing(customer.shift(-1)))
        .select(hashed.alias("__hash"))
        .unique()
    )
    mixed = (
        ordered.with_columns(hashed.alias("__hash"))
        .join(shared, on="__hash", how="semi")
        .sort("__key")
        .join(ordered.select(data_end.alias("__end")), how="cross")
    )
    interleaved = sums(_fcr_flags(mixed, pl.col("__end")))
    exact = sums(_fcr_flags(mixed.sort("customer_id", "__t", nulls_last=True), pl.col("__end")))
    return (
        pl.concat([sums(_fcr_flags(ordered, data_end)), exact, interleaved.with_columns(-pl.col(c) for c in _FCR_SUMS)])
        .group_by(by)
        .agg(pl.col(c).sum() for c in _FCR_SUMS)
    )


def contact_sums(flags: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    """Counts and sums per `by` from which every contact KPI is a ratio (one pass over contacts)."""
    answered = pl.col("answered")
    csat = pl.col("csat")
    aggs = [
        pl.len().cast(pl.Int64).alias("offered"),
        answered.sum().cast(pl.Int64).alias("answered"),
        pl.col("short_abandon").sum().cast(pl.Int64).alias("short_abandons"),
        pl.col("in_service").sum().cast(pl.Int64).alias("in_service"),
        pl.col("abandon_within_threshold").sum().cast(pl.Int64).alias("abandons_within_threshold"),
        microseconds(pl.col("wait_s")).filter(answered).sum().alias("wait_answered"),
        microseconds(pl.col("handle_s")).filter(answered).sum().alias("handle_sum"),
        pl.col("handle_s").filter(answered).count().cast(pl.Int64).alias("handle_n"),
        csat.sum().cast(pl.Float64).alias("csat_sum"),
        csat.count().cast(pl.Int64).alias("csat_n"),
        (csat >= 4).sum().cast(pl.Int64).alias("csat_top2_n"),
    ]
    names = flags.collect_schema().names()
    if "fcr_resolved" in names:
        aggs += [pl.col(c).sum().cast(pl.Int64).alias(c) for c in _FCR_SUMS]
    else:
        aggs += [pl.lit(None, dtype=pl.Int64).alias(c) for c in _FCR_SUMS]
    return (
        flags.group_by(list(by)).agg(aggs).with_columns(as_seconds(pl.col(c)) for c in ("wait_answered", "handle_sum"))
    )


def service_level_terms(denominator: pl.Expr, shorts_in: pl.Expr, abandons_in: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(numerator, denominator) of the service level from the SERVICE_LEVEL_COUNTS columns, under a
    formula's options given as expressions (so they may differ per row: per channel, per service level).

    numerator = in service (+ abandons within T, less the short abandons unless they are counted);
    denominator = offered (− short abandons unless counted) | answered | answered + abandons after T.
    """
    c = pl.col
    shorts_out = pl.when(shorts_in).then(0).otherwise(c("short_abandons"))
    numerator = c("in_service") + pl.when(abandons_in).then(c("abandons_within_threshold") - shorts_out).otherwise(0)
    den = (
        pl.when(denominator == "answered")
        .then(c("answered"))
        .when(denominator == "answered_and_late_abandons")
        .then(c("offered") - c("abandons_within_threshold"))  # answered + (abandoned − abandoned within T)
        .otherwise(c("offered") - shorts_out)
    )
    return numerator, den


def formula_columns(formula: dict[str, ServiceLevelFormula], key: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The options of the formula each row's `key` names, as expressions (an unknown key: the default)."""
    default = ServiceLevelFormula()

    def option(name: str, dtype: pl.DataType) -> pl.Expr:
        values = {k: getattr(f, name) for k, f in formula.items()}
        return key.replace_strict(values, default=getattr(default, name), return_dtype=dtype)

    return (
        option("denominator", pl.String()),
        option("short_abandons_in_denominator", pl.Boolean()),
        option("abandons_in_service", pl.Boolean()),
    )


def with_channel_formulas(counts: pl.LazyFrame, channels: dict[str, ChannelTerms]) -> pl.LazyFrame:
    """Add each channel row's service-level numerator and denominator under its channel's formula."""
    options = formula_columns({name: t.service_level_formula for name, t in channels.items()}, pl.col("channel"))
    numerator, denominator = service_level_terms(*options)
    return counts.with_columns(numerator.alias("sl_numerator"), denominator.alias("sl_denominator"))


def partner_wide(sums: pl.LazyFrame, by: Sequence[str], columns: Sequence[str] = _SUMS) -> pl.LazyFrame:
    """The partner-wide sums (channel null): sums of the channel sums."""
    keys = [k for k in by if k != "channel"]
    return (
        sums.group_by(keys)
        .agg(pl.col(c).sum() for c in columns)
        .with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    )


_MISSING = {
    "handle_s": "contacts have no handle_s column",
    "customer_id": "contacts have no customer_id column",
    "csat": "contacts have no csat column",
}


def _row(
    kpi: str,
    num: pl.Expr | None,
    den: pl.Expr | None,
    *,
    present: frozenset[str] = frozenset(),
    needs: str | None = None,
    what: str = "",
) -> pl.Expr:
    """One KPI row of the results as a struct: value = num / den (null with a note when den is 0)."""
    if needs is not None and needs not in present:
        value, note = pl.lit(None, dtype=pl.Float64), pl.lit(_MISSING[needs])
        num = den = None
    elif den is None:
        value, note = num.cast(pl.Float64), pl.lit(None, dtype=pl.String)
    else:
        value = pl.when(den > 0).then(num / den)
        note = pl.when(den > 0).then(None).otherwise(pl.lit(f"no {what} (denominator is 0)"))
    incomplete = (pl.col("fcr_cut") > 0) if kpi == "fcr" and needs in present else pl.lit(False)
    return pl.struct(
        pl.lit(kpi).alias("kpi"),
        value.cast(pl.Float64).alias("value"),
        (num.cast(pl.Float64) if num is not None else pl.lit(None, dtype=pl.Float64)).alias("numerator"),
        (den.cast(pl.Float64) if den is not None else pl.lit(None, dtype=pl.Float64)).alias("denominator"),
        incomplete.alias("incomplete"),
        note.cast(pl.String).alias("note"),
    )


def _service_level_row() -> pl.Expr:
    return _row(
        "service_level",
        pl.col("sl_numerator"),
        pl.col("sl_denominator"),
        what="contacts in the service-level denominator",
    )


def results_from_sums(sums: pl.LazyFrame, *, present: frozenset[str], keys: Sequence[str]) -> pl.LazyFrame:
    """Unpivot the sums into the long results table, one row per KPI (FORMULAS §1)."""
    c = pl.col
    answerable = c("offered") - c("short_abandons")

    def row(kpi: str, num: pl.Expr | None, den: pl.Expr | None, needs: str | None = None, what: str = "") -> pl.Expr:
        return _row(kpi, num, den, present=present, needs=needs, what=what)

    rows = [
        row("offered", c("offered"), None),
        row("answered", c("answered"), None),
        row("short_abandons", c("short_abandons"), None),
        row("in_service", c("in_service"), None),
        row("abandons_within_threshold", c("abandons_within_threshold"), None),
        _service_level_row(),
        row("abandon_rate", answerable - c("answered"), answerable, what="contacts beyond short abandons"),
        row("asa", c("wait_answered"), c("answered"), what="answered contacts"),
        row("aht", c("handle_sum"), c("handle_n"), "handle_s", "answered contacts with a handle time"),
        row(
            "fcr",
            c("fcr_resolved"),
            c("fcr_counted"),
            "customer_id",
            "answered contacts whose 7-day window is observed",
        ),
        row("csat", c("csat_sum"), c("csat_n"), "csat", "survey answers"),
        row("csat_top2", c("csat_top2_n"), c("csat_n"), "csat", "survey answers"),
    ]
    return (
        sums.select(*keys, pl.concat_list(rows).alias("r"))
        .explode("r")
        .unnest("r")
        .with_columns(pl.col("incomplete").fill_null(False))
    )


def contact_results(
    contacts: pl.LazyFrame,
    contract: Contract,
    *,
    present: frozenset[str],
    scope: Sequence[str] = (),
) -> pl.LazyFrame:
    """The contact KPIs per partner × channel × month (× scope), and partner-wide (channel null).

    The contacts are read once (a cache feeds both branches): the order-free counts and sums in one
    streaming group-by, and FCR, the only KPI that needs the contacts in order, from a sort of the
    few columns it reads.
    """
    by = ["partner_id", "channel", *scope, "month"]
    flags = contact_flags(contacts, contract.channels, fcr=False)
    if "customer_id" in present:
        flags = flags.cache()
    sums = contact_sums(flags, by)
    if "customer_id" in present:
        # The FCR sort carries each contact's partner and channel as enums of the contract's: a byte, not a text.
        enums = {"partner_id": pl.Enum(contract.partner_ids), "channel": pl.Enum(list(contract.channels))}
        narrow = flags.select(
            *(pl.col(c).cast(enums[c]) if c in enums else pl.col(c) for c in by),
            "answered",
            "customer_id",
            "arrived_at",
        )
        fcr = _fcr_sums(narrow, by).with_columns(pl.col(c).cast(pl.String) for c in enums)
        sums = sums.drop(_FCR_SUMS).join(fcr, on=by, how="left", nulls_equal=True)
    sums = with_channel_formulas(sums, contract.channels)
    both = pl.concat([sums, partner_wide(sums, by).select(sums.collect_schema().names())], how="vertical")
    return results_from_sums(both, present=present, keys=by)


def count_columns(results: pl.LazyFrame, names: Sequence[str] = SERVICE_LEVEL_COUNTS) -> pl.LazyFrame:
    """Count KPIs of the results side by side: `partner_id, channel, month` and one column per name."""
    kpi = pl.col("kpi")
    return (
        results.filter(kpi.is_in(list(names)))
        .group_by("partner_id", "channel", "month")
        .agg(pl.col("numerator").filter(kpi == name).first().alias(name) for name in names)
    )


def service_level_results(results: pl.LazyFrame, contract: Contract) -> pl.LazyFrame:
    """The results with their `service_level` rows restated under the contract's channel formulas,
    from the count rows (no contact is read again): what a changed contract computes."""
    keys = ["partner_id", "channel", "month"]
    per_channel = with_channel_formulas(
        count_columns(results.filter(pl.col("channel").is_not_null())), contract.channels
    ).select(*keys, "sl_numerator", "sl_denominator")
    wide = partner_wide(per_channel, keys, ("sl_numerator", "sl_denominator")).select(
        per_channel.collect_schema().names()
    )
    restated = (
        pl.concat([per_channel, wide], how="vertical")
        .select(*keys, _service_level_row().alias("r"))
        .unnest("r")
        .select(results.collect_schema().names())
    )
    return pl.concat([results.filter(pl.col("kpi") != "service_level"), restated], how="vertical")


def quality_results(quality: pl.LazyFrame, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """Mean evaluation score per partner × month, partner-wide and per channel where evaluations carry one."""
    base = quality.with_columns(month_of(pl.col("evaluated_at")).alias("month"))
    agg = [pl.col("score").sum().alias("numerator"), pl.col("score").count().cast(pl.Float64).alias("denominator")]
    per_channel = base.filter(pl.col("channel").is_not_null()).group_by("partner_id", "channel", "month").agg(agg)
    wide = base.group_by("partner_id", "month").agg(agg).with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    both = pl.concat([per_channel, wide.select(per_channel.collect_schema().names())], how="vertical")
    return ratio_rows(both, "quality_score", scope)


def occupancy_results(staffing: pl.LazyFrame, contact_kpis: pl.LazyFrame, *, scope: Sequence[str] = ()) -> pl.LazyFrame:
    """Σ handle_s / Σ (agents_logged_in × interval seconds) per partner × channel × month, and partner-wide.

    Σ handle_s of the answered contacts is the numerator of the `aht` rows of `contact_kpis` (what
    `contact_results` returns), so the contacts are not read again.
    """
    keys = ["partner_id", "channel", "month"]
    capacity = (
        staffing.with_columns(month_of(pl.col("interval_start")).alias("month"))
        .group_by(keys)
        .agg(microseconds(pl.col("agents_logged_in") * pl.col("interval_minutes") * 60).sum().alias("denominator"))
        .with_columns(as_seconds(pl.col("denominator")))
    )
    handled = (
        contact_kpis.filter((pl.col("kpi") == "aht") & pl.col("channel").is_not_null())
        .group_by(keys)
        .agg(pl.col("numerator").sum())
    )
    per_channel = capacity.join(handled, on=keys, how="left").with_columns(pl.col("numerator").fill_null(0.0))
    wide = (
        per_channel.group_by("partner_id", "month")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    )
    both = pl.concat([per_channel, wide.select(per_channel.collect_schema().names())], how="vertical")
    return ratio_rows(both, "occupancy", scope)


def ratio_rows(frame: pl.LazyFrame, kpi: str, scope: Sequence[str]) -> pl.LazyFrame:
    den = pl.col("denominator")
    return frame.select(
        "partner_id",
        "channel",
        *[pl.lit(None, dtype=pl.String).alias(s) for s in scope],
        "month",
        pl.lit(kpi).alias("kpi"),
        pl.when(den > 0).then(pl.col("numerator") / den).alias("value"),
        pl.col("numerator").cast(pl.Float64),
        den.cast(pl.Float64),
        pl.lit(False).alias("incomplete"),
        pl.when(den > 0).then(None).otherwise(pl.lit("denominator is 0")).cast(pl.String).alias("note"),
    )


def not_measurable(grid: pl.LazyFrame, kpi: str, note: str) -> pl.LazyFrame:
    """Null rows of `kpi` on a partner × channel × month grid, saying why it cannot be measured."""
    return grid.with_columns(
        pl.lit(kpi).alias("kpi"),
        pl.lit(None, dtype=pl.Float64).alias("value"),
        pl.lit(None, dtype=pl.Float64).alias("numerator"),
        pl.lit(None, dtype=pl.Float64).alias("denominator"),
        pl.lit(False).alias("incomplete"),
        pl.lit(note).alias("note"),
    )
