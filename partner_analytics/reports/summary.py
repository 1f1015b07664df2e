"""The first page of a committee report: what a decision maker reads before anything else.

The status of each service level and its trend against the previous period, the period's money
(net, credits, bonus, adjustments) beside the previous period's, what the committee must decide
(termination right, days left to the last notice date, invoice gaps flagged, service levels in
breach) and the overdue actions with their owners. Built on a partner's view, so it holds only that
partner's figures; `first_page_html` shows it.

The programme overview (client only) has its own: every partner's service levels met and in breach
against the quarter before, the programme's money, what must be decided across partners (termination
rights open, last notice dates within `NOTICE_WINDOW_DAYS`, open disputes of the ledger, overdue
actions) and the overdue actions with partner and owner; `programme_first_page_html` shows it.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import polars as pl

from ..core.periods import Period, add_months
from ..governance.actions import open_actions
from ..pipeline.analysis import Analysis
from ..record.disputes import disputes
from ..views.html_tables import HTML, money, service_level, service_levels, status, table
from ..views.language import N_, _, ngettext
from ..views.wording import (
    date_name,
    format_value,
    money_text,
    month_name,
    number,
    period_name,
    signed_money,
    status_name,
)

__all__ = [
    "DECISION_WORDS",
    "NOTICE_WINDOW_DAYS",
    "FirstPage",
    "ProgrammeFirstPage",
    "first_page",
    "first_page_html",
    "period_money",
    "programme_decisions",
    "programme_first_page",
    "programme_first_page_html",
    "programme_service_levels",
    "service_level_trends",
]

#: A last notice date this many days or fewer after the period's end is a decision for the committee.
NOTICE_WINDOW_DAYS = 180

# The period's money on the first page: the statement's amounts, adjustments grouped (formulas.md §6), with
# the prior-period adjustments of the committee's record (§10.4) when the statement is the recorded one.
_ADJUSTMENTS = ("earned_back", "corridor_compensation", "gain_share", "resource_adjustment")
_RECORDED = "prior_period_adjustment"

# The first page's sentences on the committee's record and the improvement plans (formulas.md §8, §10).
DECISION_WORDS = {
    "no_plan": N_(
        "No improvement plan in the action log for: {names}. Ask the provider for the root cause and a plan."
    ),
    "disputes": N_(
        "{count} open dispute(s) of the statement ({amount} in dispute, the oldest {days} days old): answer them."
    ),
}


@dataclass(frozen=True)
class FirstPage:
    """The first page of a partner's committee report for a period."""

    period: Period
    previous: Period
    currency: str
    service_levels: pl.DataFrame  # service_level, kpi, value, status, previous_value, previous_status, trend
    money: pl.DataFrame  # amount (net, credits, bonus, adjustments), this period, previous period, change (cents)
    decisions: list[str]
    overdue: pl.DataFrame  # the overdue actions at the period's end: title, owner_party, due_on, days_overdue


def previous_period(period: Period) -> Period:
    """The period of the same kind just before: the month or the quarter before."""
    return Period(period.kind, add_months(period.start, -period.months), period.months)


def service_level_trends(gaps: pl.LazyFrame, month: dt.date, before: dt.date) -> pl.LazyFrame:
    """Each service level's result and status in `month` beside `before`'s, and the trend: `better`,
    `worse` or `unchanged` in the KPI's own direction (null when either month is not measured)."""
    keys = ["service_level", "kpi"]
    now = gaps.filter(pl.col("month") == month).select(*keys, "order", "direction", "value", "status")
    then = gaps.filter(pl.col("month") == before).select(
        *keys, pl.col("value").alias("previous_value"), pl.col("status").alias("previous_status")
    )
    change = (pl.col("value") - pl.col("previous_value")) * pl.col("direction")
    trend = pl.when(change > 0).then(pl.lit("better")).when(change < 0).then(pl.lit("worse"))
    trend = trend.when(change == 0).then(pl.lit("unchanged"))
    return now.join(then, on=keys, how="left").with_columns(trend.alias("trend")).sort("order").drop("order")


def period_money(statement: pl.LazyFrame, period: Period, previous: Period) -> pl.LazyFrame:
    """Net, credits, bonus and adjustments (earned back, corridor, gain-share, resource adjustment) summed
    over the period and the previous period, and the change, in cents; a recorded statement's prior-period
    adjustments (formulas.md §10.4) count among the adjustments."""
    recorded = _RECORDED in statement.collect_schema().names()
    adjustments = pl.sum_horizontal(*_ADJUSTMENTS, *([_RECORDED] if recorded else []))

    def sums(p: Period) -> pl.LazyFrame:
        months = statement.filter(pl.col("month").is_between(p.start, p.last_day))
        return months.select(
            pl.col("net").sum(),
            pl.col("credits").sum(),
            pl.col("bonus").sum(),
            adjustments.sum().alias("adjustments"),
        ).unpivot(variable_name="amount", value_name="value")

    now, then = sums(period), sums(previous).rename({"value": "previous"})
    labels = {"net": _("Net"), "credits": _("Credits"), "bonus": _("Bonus"), "adjustments": _("Adjustments")}
    return (
        now.join(then, on="amount", how="left", maintain_order="left")
        .with_columns(
            pl.col("amount").replace_strict(labels),
            (pl.col("value") - pl.col("previous")).alias("change"),
        )
        .rename({"value": "this_period"})
    )


def first_page(
    view: Analysis,
    period: Period,
    actions: pl.LazyFrame,
    *,
    statement: pl.LazyFrame | None = None,
    missing_plans: pl.DataFrame | None = None,
    disputes: pl.DataFrame | None = None,
) -> FirstPage:
    """The first page of a partner's report (`view`: `views.partner_view`) for a month or a quarter;
    `actions`: the partner's action log up to the period's end; `statement`: the statement as the record
    holds it (default: as computed); `missing_plans`: the period's breaches without an improvement plan;
    `disputes`: the disputes of the period's statements (`record.disputes`)."""
    previous = previous_period(period)
    last, before = period.month_starts[-1], previous.month_starts[-1]
    trends = service_level_trends(view.gaps, last, before).collect()
    timeline = view.timeline.collect().row(0, named=True)
    decisions = []
    if timeline["termination_right"]:
        chronic = service_levels(timeline["chronic_service_levels"])
        decisions.append(
            _(
                "The termination right for chronic failure is open ({service_levels}): use it, agree a recovery plan, "
                "or prepare the exit."
            ).format(service_levels=chronic)
        )
    days = (timeline["last_notice_date"] - period.last_day).days
    if days >= 0:
        decisions.append(
            ngettext(
                "{n} day left, from the end of {period}, to the last notice date ({date}) to renew or give notice.",
                "{n} days left, from the end of {period}, to the last notice date ({date}) to renew or give notice.",
                days,
            ).format(n=days, period=period_name(period), date=date_name(timeline["last_notice_date"]))
        )
    else:
        decisions.append(
            _("The last notice date ({date}) has passed.").format(date=date_name(timeline["last_notice_date"]))
        )
    flagged = view.reconciliation.filter(
        pl.col("flagged") & pl.col("month").is_between(period.start, period.last_day)
    ).collect()
    if flagged.height:
        gap = money_text(int(flagged["invoice_gap"].fill_null(0).sum()), view.contract.currency)
        decisions.append(
            ngettext(
                "{n} invoice of the period differs from the measured volumes beyond tolerance ({amount}): settle it.",
                "{n} invoices of the period differ from the measured volumes beyond tolerance ({amount} in all): "
                "settle them.",
                flagged.height,
            ).format(n=flagged.height, amount=gap)
        )
    breaches = trends.filter(pl.col("status") == "breach")
    if breaches.height:
        names = ", ".join(service_level(k) for k in breaches["service_level"])
        decisions.append(
            _("In breach in the last month: {service_levels}. Agree an improvement plan for each.").format(
                service_levels=names
            )
        )
    if missing_plans is not None and missing_plans.height:
        names = ", ".join(
            f"{service_level(r['service_level'])} ({month_name(r['month'])})"
            for r in missing_plans.iter_rows(named=True)
        )
        decisions.append(_(DECISION_WORDS["no_plan"]).format(names=names))
    still_open = disputes.filter(pl.col("status") == "open") if disputes is not None else pl.DataFrame()
    if still_open.height:
        amount = money_text(
            int((still_open["sign"] * (still_open["claimed"] - still_open["amount"])).abs().sum()),
            view.contract.currency,
        )
        decisions.append(
            _(DECISION_WORDS["disputes"]).format(
                count=still_open.height, amount=amount, days=number(still_open["age_days"].max())
            )
        )
    if not decisions:
        decisions.append(_("Nothing to decide: no right open, no dispute, no breach."))
    overdue = open_actions(actions, period.last_day).filter(pl.col("overdue")).collect()
    return FirstPage(
        period=period,
        previous=previous,
        currency=view.contract.currency,
        service_levels=trends,
        money=period_money(view.statement if statement is None else statement, period, previous).collect(),
        decisions=decisions,
        overdue=overdue,
    )


def _money_table(page: FirstPage | ProgrammeFirstPage, caption: str) -> HTML:
    """A first page's money: each amount this period and the one before, and the change."""
    amount = money(page.currency)
    return table(
        page.money,
        {
            "amount": _("Amount"),
            "this_period": period_name(page.period),
            "previous": period_name(page.previous),
            "change": _("Change"),
        },
        formats={"this_period": amount, "previous": amount, "change": lambda c: signed_money(c, page.currency)},
        caption=caption,
    )


def _overdue_table(overdue: pl.DataFrame, first: dict[str, str] | None = None) -> HTML:
    """A first page's overdue actions, with their owners; `first`: columns before them (the partner)."""
    return table(
        overdue,
        {
            **(first or {}),
            "title": _("Overdue action"),
            "owner_party": _("Owner"),
            "due_on": _("Due"),
            "days_overdue": _("Days overdue"),
        },
        formats={"days_overdue": number},
        empty=_("No overdue action."),
    )


def first_page_html(page: FirstPage) -> HTML:
    """The first page as the report shows it: decisions first, then service levels, money and overdue actions;
    it ends with a page break in print."""

    def value(v: float | None, row: dict) -> str:
        return format_value(row["kpi"], v)

    parts = [
        '<section class="pa-first-page">',
        "<h2>" + html.escape(_("Summary")) + "</h2>",
        "<h3>" + html.escape(_("To decide")) + "</h3>",
        "<ul>" + "".join(f"<li>{html.escape(d)}</li>" for d in page.decisions) + "</ul>",
        table(
            page.service_levels,
            {
                "service_level": _("Service level"),
                "value": _("Result"),
                "status": _("Status"),
                "previous_value": _("Result, {period}").format(period=period_name(page.previous)),
                "previous_status": _("Status, {period}").format(period=period_name(page.previous)),
                "trend": _("Trend"),
            },
            formats={
                "service_level": service_level,
                "value": value,
                "previous_value": value,
                "status": status,
                "previous_status": status,
                "trend": status_name,
            },
            caption=_("Service levels in the last month of {period}, against {previous}").format(
                period=period_name(page.period), previous=period_name(page.previous)
            ),
            empty=_("No service level is measured."),
        ).markup,
        _money_table(
            page, _("The period's money (adjustments: earned back, corridor, gain-share, resource adjustment)")
        ).markup,
        _overdue_table(page.overdue).markup,
        "</section>",
    ]
    return HTML("\n".join(parts))


@dataclass(frozen=True)
class ProgrammeFirstPage:
    """The first page of the programme overview: every partner, client only."""

    period: Period
    previous: Period
    currency: str
    service_levels: pl.DataFrame  # partner, measured, met, breach, previous_met, previous_breach, trend
    money: pl.DataFrame  # amount (net, credits, bonus, adjustments), this period, previous period, change (cents)
    decisions: list[str]
    overdue: pl.DataFrame  # partner, title, owner_party, due_on, days_overdue


def programme_service_levels(gaps: pl.LazyFrame, names: pl.LazyFrame, month: dt.date, before: dt.date) -> pl.LazyFrame:
    """Per partner (in the order of `names`: partner_id, partner): service levels measured, met and in breach in
    `month` and in `before`, and the trend: `better` when fewer are in breach (or, as many, more are met)."""

    def counts(m: dt.date, prefix: str) -> pl.LazyFrame:
        return (
            gaps.filter(pl.col("month") == m)
            .group_by("partner_id")
            .agg(
                (pl.col("status") != "not measurable").sum().alias(f"{prefix}measured"),
                (pl.col("status") == "met").sum().alias(f"{prefix}met"),
                (pl.col("status") == "breach").sum().alias(f"{prefix}breach"),
            )
        )

    now, then = counts(month, ""), counts(before, "previous_")
    met, breach, previous_met, previous_breach = (
        pl.col(c).cast(pl.Int64) for c in ("met", "breach", "previous_met", "previous_breach")
    )
    change = (previous_breach - breach) * 100 + (met - previous_met)
    trend = pl.when(change > 0).then(pl.lit("better")).when(change < 0).then(pl.lit("worse"))
    trend = trend.when(change == 0).then(pl.lit("unchanged"))
    return (
        names.join(now, on="partner_id", how="inner", maintain_order="left")
        .join(then, on="partner_id", how="left", maintain_order="left")
        .with_columns(trend.alias("trend"))
        .select("partner", "measured", "met", "breach", "previous_met", "previous_breach", "trend")
    )


def programme_decisions(
    timeline: pl.DataFrame, open_disputes: pl.DataFrame, overdue: pl.DataFrame, period: Period, currency: str
) -> list[str]:
    """What the committee must decide across partners, partner by partner (`timeline` with a `partner` name):
    termination rights open, last notice dates within `NOTICE_WINDOW_DAYS` of the period's end, open disputes
    (`open_disputes`: partner, amount in cents), overdue actions (`overdue`: partner)."""
    decisions = []
    for r in timeline.iter_rows(named=True):
        partner = r["partner"]
        if r["termination_right"]:
            decisions.append(
                _("{partner}: the termination right for chronic failure is open ({service_levels}).").format(
                    partner=partner, service_levels=service_levels(r["chronic_service_levels"])
                )
            )
        days = (r["last_notice_date"] - period.last_day).days
        if 0 <= days <= NOTICE_WINDOW_DAYS:
            decisions.append(
                ngettext(
                    "{partner}: {n} day left, from the end of {period}, to the last notice date ({date}) to renew "
                    "or give notice.",
                    "{partner}: {n} days left, from the end of {period}, to the last notice date ({date}) to renew "
                    "or give notice.",
                    days,
                ).format(partner=partner, n=days, period=period_name(period), date=date_name(r["last_notice_date"]))
            )
        disputed = open_disputes.filter(pl.col("partner") == partner)
        if disputed.height:
            amount = money_text(int(disputed["amount"].sum()), currency)
            decisions.append(
                ngettext(
                    "{partner}: {n} open dispute on the statement ({amount}).",
                    "{partner}: {n} open disputes on the statement ({amount} in all).",
                    disputed.height,
                ).format(partner=partner, n=disputed.height, amount=amount)
            )
        late = overdue.filter(pl.col("partner") == partner).height
        if late:
            decisions.append(
                ngettext(
                    "{partner}: {n} overdue action, listed below.",
                    "{partner}: {n} overdue actions, listed below.",
                    late,
                ).format(partner=partner, n=late)
            )
    return decisions or [_("Nothing to decide: no right open, no notice date near, no dispute, no overdue action.")]


def programme_first_page(
    analysis: Analysis, period: Period, names: pl.LazyFrame, ledger: list[dict]
) -> ProgrammeFirstPage:
    """The programme overview's first page for a quarter: `names` (partner_id, partner) in the report's order,
    `ledger` the engagement's ledger entries (`record.read_ledger`), for the disputes open at the period's end."""
    previous = previous_period(period)
    last, before = period.month_starts[-1], previous.month_starts[-1]
    actions = analysis.action_log.filter(pl.col("raised_on") <= period.last_day)
    overdue = (
        open_actions(actions, period.last_day)
        .filter(pl.col("overdue"))
        .join(names, on="partner_id", how="left", maintain_order="left")
        .select("partner", "title", "owner_party", "due_on", "days_overdue")
        .collect()
    )
    end = dt.datetime.combine(period.end, dt.time(), tzinfo=dt.UTC)
    opened = disputes([e for e in ledger if dt.datetime.fromisoformat(e["at"]) < end], period.last_day)
    open_disputes = (
        names.join(
            opened.lazy().filter(pl.col("status") == "open"), on="partner_id", how="inner", maintain_order="left"
        )
        .select("partner", (pl.col("amount") - pl.col("claimed")).abs().alias("amount"))  # the amount in dispute
        .collect()
    )
    timeline = names.join(analysis.timeline, on="partner_id", how="inner", maintain_order="left").collect()
    return ProgrammeFirstPage(
        period=period,
        previous=previous,
        currency=analysis.contract.currency,
        service_levels=programme_service_levels(analysis.gaps, names, last, before).collect(),
        money=period_money(analysis.statement, period, previous).collect(),
        decisions=programme_decisions(timeline, open_disputes, overdue, period, analysis.contract.currency),
        overdue=overdue,
    )


def programme_first_page_html(page: ProgrammeFirstPage) -> HTML:
    """The programme overview's first page: decisions first, then every partner's service levels, the
    programme's money and the overdue actions; it ends with a page break in print."""
    last, before = month_name(page.period.month_starts[-1]), month_name(page.previous.month_starts[-1])
    parts = [
        '<section class="pa-first-page">',
        "<h2>" + html.escape(_("Summary")) + "</h2>",
        "<h3>" + html.escape(_("To decide")) + "</h3>",
        "<ul>" + "".join(f"<li>{html.escape(d)}</li>" for d in page.decisions) + "</ul>",
        table(
            page.service_levels,
            {
                "partner": _("Partner"),
                "measured": _("Measured"),
                "met": _("Met"),
                "breach": _("In breach"),
                "previous_met": _("Met, {month}").format(month=before),
                "previous_breach": _("In breach, {month}").format(month=before),
                "trend": _("Trend"),
            },
            formats={
                **{c: number for c in ("measured", "met", "breach", "previous_met", "previous_breach")},
                "trend": status_name,
            },
            caption=_("Service levels of each partner in {month}, against {previous}").format(
                month=last, previous=before
            ),
            empty=_("No service level is measured."),
        ).markup,
        _money_table(
            page,
            _(
                "The programme's money, every partner (adjustments: earned back, corridor, gain-share, "
                "resource adjustment)"
            ),
        ).markup,
        _overdue_table(page.overdue, {"partner": _("Partner")}).markup,
        "</section>",
    ]
    return HTML("\n".join(parts))
