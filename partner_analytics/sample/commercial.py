"""What the parties tell each other about volumes and money: forecasts, invoices, self-reported KPIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import polars as pl

from .contacts import SEVEN_DAYS_S, expected_rate, streams
from .profiles import (
    AS_OF,
    BILLING_ERRORS,
    CHANNELS,
    FLATTERIES,
    FORECAST_MISHAPS,
    MONTHS,
    PARTNERS,
    UNREPORTED,
    VOLUME_SHIFTS,
    Partner,
    month_start,
)

__all__ = [
    "FORECAST_ERROR",
    "FORECAST_ISSUE_DAY",
    "answered_units",
    "generate_forecasts",
    "generate_reported_kpis",
    "invoice_lines",
    "recomputed_kpis",
]

FORECAST_ERROR = {3: 0.03, 2: 0.025, 1: 0.02}
"""Log-normal spread of a forecast issued that many months ahead."""
FORECAST_ISSUE_DAY = 20
OUTLOOK_MONTHS = 3
"""Months after the data for which the client has already issued forecasts."""


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)


def generate_forecasts(
    grid: pl.DataFrame, rng: np.random.Generator, scale: float, partners: tuple[Partner, ...] = PARTNERS
) -> pl.DataFrame:
    """The client's forecasts: for each partner (of `partners`) × channel × month, issued 3, 2 and 1 months
    ahead (on the 20th).

    A forecast is the planned volume (campaigns included, incidents not) with an error that shrinks
    as the month comes closer; a volume shift is known from its start; the mishaps of
    FORECAST_MISHAPS make some months fall outside the corridor or have no contractual forecast.
    """
    m = grid["m"].to_numpy()
    rows = []
    for partner, stream in streams(partners):
        monthly = np.bincount(
            m, weights=expected_rate(grid, partner, stream, scale, incidents=False, shifts=False), minlength=MONTHS
        )
        for index in range(MONTHS):
            month = month_start(index)
            if month < partner.terms.start:
                continue
            mishap = next(
                (
                    x
                    for x in FORECAST_MISHAPS
                    if (x.partner_id, x.channel, x.month) == (partner.id, stream.channel, month)
                ),
                None,
            )
            errors = {ahead: rng.lognormal(0.0, sd) for ahead, sd in FORECAST_ERROR.items()}
            for ahead in (3, 2, 1):
                if mishap is not None and mishap.late_only and ahead > 1:
                    continue
                issued = _months_before(month, ahead).replace(day=FORECAST_ISSUE_DAY)
                value = monthly[index] * errors[ahead]
                for shift in VOLUME_SHIFTS:
                    known = issued >= shift.start and month >= shift.start
                    if (shift.partner_id, shift.channel) == (partner.id, stream.channel) and known:
                        value *= shift.factor
                if mishap is not None and ahead > 1:
                    value *= mishap.factor
                rows.append((partner.id, stream.channel, month, float(round(value / 10.0) * 10), issued))
        rows += _outlook(partner.id, stream.channel, monthly, rng)
    return pl.DataFrame(
        rows,
        schema={
            "partner_id": pl.String,
            "channel": pl.String,
            "month": pl.Date,
            "forecast_contacts": pl.Float64,
            "issued_on": pl.Date,
        },
        orient="row",
    ).sort("partner_id", "channel", "month", "issued_on")


def _outlook(partner_id: str, channel: str, monthly: np.ndarray, rng: np.random.Generator) -> list[tuple]:
    """Forecasts for the months after the data, issued by the data's date (AS_OF): the committee's outlook.

    Each is the same month of the last year with the forecast error of its lead time.
    """
    rows = []
    for ahead_of_data in range(1, OUTLOOK_MONTHS + 1):
        month = month_start(MONTHS - 1 + ahead_of_data)
        for ahead in (3, 2, 1):
            issued = _months_before(month, ahead).replace(day=FORECAST_ISSUE_DAY)
            if issued <= AS_OF:
                value = monthly[MONTHS - 1 + ahead_of_data - 12] * rng.lognormal(0.0, FORECAST_ERROR[ahead])
                rows.append((partner_id, channel, month, float(round(value / 10.0) * 10), issued))
    return rows


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def answered_units(contacts: pl.DataFrame) -> pl.DataFrame:
    """Answered contacts per partner × channel × month index `m` (column `units`): what is billed."""
    return contacts.filter(pl.col("answered")).group_by("partner_id", "channel", "m").agg(pl.len().alias("units"))


def invoice_lines(answered: pl.DataFrame, partners: tuple[Partner, ...] = PARTNERS) -> pl.DataFrame:
    """Invoice lines per partner × month: one per channel (answered × price) and the monthly fee, in integer cents.

    `answered` is `answered_units` of the contacts. The errors of BILLING_ERRORS are applied: a wrong
    unit price, units billed above the measured ones, a line billed twice.
    """
    counts = {(r["partner_id"], r["channel"], r["m"]): r["units"] for r in answered.iter_rows(named=True)}
    rows = []
    for partner in partners:
        terms = partner.terms
        for index in range(MONTHS):
            month = month_start(index)
            if month < partner.terms.start:
                continue
            number = f"{partner.id[:3].upper()}-{month:%Y%m}"
            if terms.monthly_fee is not None:
                rows.append((number, partner.id, month, "fee", None, None, _cents(terms.monthly_fee)))
            for channel, price in terms.per_handled_contact.items():
                units = counts.get((partner.id, channel, index), 0)
                error = next(
                    (e for e in BILLING_ERRORS if (e.partner_id, e.month, e.channel) == (partner.id, month, channel)),
                    None,
                )
                copies = 1
                if error is not None and error.kind == "price":
                    price = error.value
                elif error is not None and error.kind == "units":
                    units += int(error.value)
                elif error is not None and error.kind == "duplicate":
                    copies = 2
                for _ in range(copies):
                    rows.append((number, partner.id, month, channel, units, _cents(price), units * _cents(price)))
    return pl.DataFrame(
        rows,
        schema={
            "invoice": pl.String,
            "partner_id": pl.String,
            "month": pl.Date,
            "item": pl.String,
            "units": pl.Int64,
            "unit_price_cents": pl.Int64,
            "amount_cents": pl.Int64,
        },
        orient="row",
    )


def _month_of(m: pl.Expr) -> pl.Expr:
    return m.replace_strict({i: month_start(i) for i in range(MONTHS)}, return_dtype=pl.Date)


def recomputed_kpis(contacts: pl.DataFrame) -> pl.DataFrame:
    """The monthly KPIs of formulas.md §1 from the contacts (long: partner_id, month, kpi, channel, value).

    Per channel: offered, service_level, abandon_rate, asa, aht; partner-wide: fcr, csat.
    """
    threshold = pl.col("channel").replace_strict(
        {c: r.answer_within_s for c, r in CHANNELS.items()}, return_dtype=pl.Float64
    )
    short_s = pl.col("channel").replace_strict(
        {c: r.short_abandon_s for c, r in CHANNELS.items()}, return_dtype=pl.Float64
    )
    short = ~pl.col("answered") & (pl.col("wait_s") < short_s)
    counted = pl.len() - short.sum()
    per_channel = (
        contacts.group_by("partner_id", "channel", "m")
        .agg(
            pl.len().cast(pl.Float64).alias("offered"),
            ((pl.col("answered") & (pl.col("wait_s") <= threshold)).sum() / counted).alias("service_level"),
            ((pl.len() - pl.col("answered").sum() - short.sum()) / counted).alias("abandon_rate"),
            pl.col("wait_s").filter(pl.col("answered")).mean().alias("asa"),
            pl.col("handle_s").filter(pl.col("answered")).mean().alias("aht"),
        )
        .unpivot(index=["partner_id", "channel", "m"], variable_name="kpi", value_name="value")
    )
    partner_wide = (
        _fcr_flags(contacts)
        .group_by("partner_id", "m")
        .agg(
            pl.col("_resolved").filter(pl.col("answered") & pl.col("_in_window")).mean().alias("fcr"),
            pl.col("csat").cast(pl.Float64).mean().alias("csat"),
        )
        .unpivot(index=["partner_id", "m"], variable_name="kpi", value_name="value")
        .with_columns(pl.lit(None, dtype=pl.String).alias("channel"))
    )
    return (
        pl.concat([per_channel, partner_wide.select(per_channel.columns)])
        .with_columns(_month_of(pl.col("m")).alias("month"))
        .select("partner_id", "month", "kpi", "channel", "value")
    )


def _fcr_flags(contacts: pl.DataFrame) -> pl.DataFrame:
    """Each contact with `_resolved` (no other contact of its customer in (t, t + 7 days]) and `_in_window`."""
    last = contacts["_instant"].max()
    moments = (
        contacts.select("_customer", "_instant")
        .unique()
        .sort("_customer", "_instant")
        .with_columns(
            pl.when(pl.col("_customer").shift(-1) == pl.col("_customer"))
            .then(pl.col("_instant").shift(-1))
            .alias("_next")
        )
    )
    return contacts.join(moments, on=["_customer", "_instant"], how="left").with_columns(
        (pl.col("_next").is_null() | (pl.col("_next") - pl.col("_instant") > SEVEN_DAYS_S)).alias("_resolved"),
        (pl.col("_instant") + SEVEN_DAYS_S <= last).alias("_in_window"),
    )


_DECIMALS = {"offered": 0, "service_level": 4, "abandon_rate": 4, "fcr": 4, "asa": 1, "aht": 1, "csat": 2}


def generate_reported_kpis(recomputed: pl.DataFrame) -> pl.DataFrame:
    """What each provider reports about itself: the recomputed KPIs (`recomputed_kpis` of the contacts),
    rounded, except FLATTERIES and UNREPORTED."""
    kpis = recomputed.filter(pl.col("value").is_not_null())
    delta = pl.lit(0.0)
    for f in FLATTERIES:
        hit = (pl.col("partner_id") == f.partner_id) & (pl.col("kpi") == f.kpi) & pl.col("month").is_in(f.months)
        hit = hit & (pl.col("channel").is_null() if f.channel is None else pl.col("channel") == f.channel)
        delta = pl.when(hit).then(pl.lit(f.delta)).otherwise(delta)
    missing = pl.lit(False)
    for partner_id, month, names in UNREPORTED:
        kpis_missing = pl.lit(True) if names is None else pl.col("kpi").is_in(names)
        missing = missing | ((pl.col("partner_id") == partner_id) & (pl.col("month") == month) & kpis_missing)
    rounded = pl.lit(None, dtype=pl.Float64)
    for kpi, decimals in _DECIMALS.items():
        rounded = pl.when(pl.col("kpi") == kpi).then((pl.col("value") + delta).round(decimals)).otherwise(rounded)
    order = {k: i for i, k in enumerate(_DECIMALS)}
    return (
        kpis.filter(~missing)
        .with_columns(rounded.alias("value"), pl.col("kpi").replace_strict(order, return_dtype=pl.Int8).alias("_order"))
        .sort("partner_id", "month", pl.col("channel").fill_null(""), "_order")
        .select("partner_id", "month", "kpi", "channel", "value")
    )
