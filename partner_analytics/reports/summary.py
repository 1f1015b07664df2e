"""The first page of a committee report: what a decision maker reads before anything else.

The status of each service level and its trend against the previous period, the period's money
(net, credits, bonus, adjustments) beside the previous period's, what the committee must decide
(termination right, days left to the last notice date, invoice gaps flagged, service levels in
breach) and the overdue actions with their owners. Built on a partner's view, so it holds only that
partner's figures; `first_page_html` shows it.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import polars as pl

from ..core.periods import Period, add_months
from ..governance.actions import open_actions
from ..pipeline.analysis import Analysis
from ..views.html_tables import HTML, money, service_level, service_levels, status, table
from ..views.language import _, ngettext
from ..views.wording import date_name, format_value, money_text, number, period_name, signed_money, status_name

__all__ = ["FirstPage", "first_page", "first_page_html", "period_money", "service_level_trends"]

# The period's money on the first page: the statement's amounts, adjustments grouped (formulas.md §6).
_ADJUSTMENTS = ("earned_back", "corridor_compensation", "gain_share", "resource_adjustment")


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
    over the period and the previous period, and the change, in cents."""

    def sums(p: Period) -> pl.LazyFrame:
        months = statement.filter(pl.col("month").is_between(p.start, p.last_day))
        return months.select(
            pl.col("net").sum(),
            pl.col("credits").sum(),
            pl.col("bonus").sum(),
            pl.sum_horizontal(_ADJUSTMENTS).sum().alias("adjustments"),
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


def first_page(view: Analysis, period: Period, actions: pl.LazyFrame) -> FirstPage:
    """The first page of a partner's report (`view`: `views.partner_view`) for a month or a quarter;
    `actions`: the partner's action log up to the period's end."""
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
    if not decisions:
        decisions.append(_("Nothing to decide: no right open, no dispute, no breach."))
    overdue = open_actions(actions, period.last_day).filter(pl.col("overdue")).collect()
    return FirstPage(
        period=period,
        previous=previous,
        currency=view.contract.currency,
        service_levels=trends,
        money=period_money(view.statement, period, previous).collect(),
        decisions=decisions,
        overdue=overdue,
    )


def first_page_html(page: FirstPage) -> HTML:
    """The first page as the report shows it: decisions first, then service levels, money and overdue actions;
    it ends with a page break in print."""

    def value(v: float | None, row: dict) -> str:
        return format_value(row["kpi"], v)

    amount = money(page.currency)
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
        table(
            page.money,
            {
                "amount": _("Amount"),
                "this_period": period_name(page.period),
                "previous": period_name(page.previous),
                "change": _("Change"),
            },
            formats={"this_period": amount, "previous": amount, "change": lambda c: signed_money(c, page.currency)},
            caption=_("The period's money (adjustments: earned back, corridor, gain-share, resource adjustment)"),
        ).markup,
        table(
            page.overdue,
            {
                "title": _("Overdue action"),
                "owner_party": _("Owner"),
                "due_on": _("Due"),
                "days_overdue": _("Days overdue"),
            },
            formats={"days_overdue": number},
            empty=_("No overdue action."),
        ).markup,
        "</section>",
    ]
    return HTML("\n".join(parts))
