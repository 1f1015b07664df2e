"""What each committee report holds, gathered from the computed tables for one partner and one period.

The notebooks call one function here, then show what it returns: they choose and present, the
selection lives here (with tests). Every report of a partner is built on `views.partner_view`, so
it never holds another partner's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..contract.reading import read_contract
from ..contract.terms import Partner
from ..core.paths import engagement_path
from ..core.periods import Period, add_months, parse_period
from ..governance.actions import open_actions
from ..governance.committees import breaches_without_plan, committee_date, period_comments, period_decisions
from ..io.engagement import load
from ..metrics.forecasts import forecast_outlook
from ..pipeline.analysis import Analysis, compute
from ..pipeline.chain import offered_contacts
from ..pipeline.store import load_analysis
from ..record.ledger import ledger_path, read_ledger
from ..risk.statement import STATEMENT_AMOUNTS, cycle_statement
from ..views.contract_wording import contract_mechanics
from ..views.language import N_, _, ngettext
from ..views.partner import near_misses, partner_view, period_gaps, summary_points
from ..views.wording import CHANNEL_NAMES, date_name, kpi_label, kpi_name, month_name, period_name
from ..whatif.scenario import Scenario, read_scenario
from .measurement import outside_hours_summary, relief_granted
from .record_section import RecordSource, StatementRecord, statement_record
from .scenario_section import ScenarioSection, scenario_section
from .summary import FirstPage, ProgrammeFirstPage, first_page, programme_first_page

__all__ = [
    "FLOOR_KPIS",
    "OperationalReport",
    "ProgrammeOverview",
    "StrategicReport",
    "committee_actions",
    "committee_forecasts",
    "floor_kpis",
    "operational_report",
    "programme_overview",
    "programme_statement",
    "rejected_in_period",
    "strategic_report",
]

FLOOR_KPIS = (
    "interval_attainment",
    "worst_day_service_level",
    "transfer_rate",
    "repeat_contact_rate",
    "nps",
    "customer_effort",
    "attrition",
    "schedule_adherence",
    "shrinkage",
    "training_hours",
)
"""The month's floor KPIs the operational committee reviews beside the floor's days (formulas.md §1.2, §1.8, §1.9)."""

PROGRAMME_TOTAL = N_("Programme")

_RECORD_DATES = ("arrived_at", "evaluated_at", "interval_start", "month", "period", "raised_on", "due_on")


@dataclass(frozen=True)
class OperationalReport:
    """The monthly operational committee of one partner."""

    partner: Partner
    period: Period
    currency: str
    view: Analysis
    summary: list[str]  # short bullets
    first_page: FirstPage
    gaps: pl.DataFrame
    breaches: pl.DataFrame
    near_misses: pl.DataFrame
    floor: pl.DataFrame
    floor_kpis: pl.DataFrame
    outlook: pl.DataFrame
    deliveries: pl.DataFrame
    provisional_credits: pl.DataFrame
    actions: pl.DataFrame
    rejected: pl.DataFrame
    committee_date: dt.date  # the committee's day: its record and forecasts as of then (formulas.md §10.6)
    record: StatementRecord  # the month's statement as the record held it, each figure's state
    decisions: pl.DataFrame
    comments: pl.DataFrame
    missing_plans: pl.DataFrame  # the month's breaches without an improvement plan
    outside_hours: pl.DataFrame
    relief: pl.DataFrame


@dataclass(frozen=True)
class StrategicReport:
    """The quarterly strategic committee of one partner."""

    partner: Partner
    period: Period
    currency: str
    view: Analysis
    summary: list[str]  # short bullets
    first_page: FirstPage
    termination: str
    contract_health: str
    mechanics: list[str]
    gaps: pl.DataFrame
    trailing_gaps: pl.DataFrame
    statement_months: pl.DataFrame
    statement_quarter: pl.DataFrame
    credits: pl.DataFrame
    chronic: pl.DataFrame
    timeline: pl.DataFrame
    readiness: pl.DataFrame
    client_commitments: pl.DataFrame
    actions: pl.DataFrame
    committee_date: dt.date
    record: StatementRecord  # the quarter's months as the record held them, each month's state
    decisions: pl.DataFrame
    comments: pl.DataFrame
    missing_plans: pl.DataFrame  # the quarter's breaches without an improvement plan
    outside_hours: pl.DataFrame
    relief: pl.DataFrame
    rejected: pl.DataFrame


@dataclass(frozen=True)
class ProgrammeOverview:
    """All partners side by side for a quarter, and the client's what-if annex: client-only."""

    period: Period
    currency: str
    analysis: Analysis
    first_page: ProgrammeFirstPage
    status_shares: pl.DataFrame
    statement: pl.DataFrame
    previous_statement: pl.DataFrame
    timeline: pl.DataFrame
    committee_date: dt.date
    record: StatementRecord  # every partner's months of the quarter as the record held them
    partner_names: dict[str, str]
    relief: pl.DataFrame
    rejected: pl.DataFrame
    scenarios: tuple[ScenarioSection, ...] = ()


def open_analysis(engagement: str | Path = "", tables: str | Path = "") -> Analysis:
    """The analysis a report shows: the cycle's computed tables when `tables` names their folder (the
    batch computes once for every report), else computed here from the engagement."""
    folder = engagement_path(engagement)
    if str(tables):
        return load_analysis(Path(tables), read_contract(folder / "contract.yaml"))
    return compute(load(folder).collected())


def _period(text: str | Period, kind: str) -> Period:
    period = parse_period(text) if isinstance(text, str) else text
    if period.kind != kind:
        raise ValueError(f"period {period}: expected a {kind} (e.g. {'2026-09' if kind == 'month' else '2026-Q3'})")
    return period


def rejected_in_period(rejected: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Rejected rows whose own date (as read) falls in the period, or whose date could not be told."""
    record = pl.col("record")
    day = pl.coalesce([record.str.json_path_match(f"$.{k}") for k in _RECORD_DATES])
    month = day.str.slice(0, 7)
    months = [f"{m:%Y-%m}" for m in period.month_starts]
    known = month.str.contains(r"^\d{4}-\d{2}$").fill_null(False)
    return rejected.filter(month.is_in(months) | ~known).sort("table", "row")


def operational_report(
    analysis: Analysis, partner_id: str, month: str | Period, *, record: RecordSource | None = None
) -> OperationalReport:
    """Last month against targets, the floor, the client's outlook, deliveries, credits, actions, rejections,
    and the month's money as the committee's record (`record`: `open_record`; none: every month a draft)
    held it on the committee's date, with the forecasts issued by then; the contacts outside service
    hours and the relief granted for the month.

    An empty `partner_id` means the contract's first partner (a notebook's default)."""
    period = _period(month, "month")
    partner_id = partner_id or analysis.contract.partners[0].id
    view = partner_view(analysis, partner_id)
    gaps = period_gaps(view.gaps, period).sort("order").collect()
    later = add_months(period.start, 3)
    held_on = committee_date(view.contract, period)
    outlook = committee_forecasts(view, held_on).filter(pl.col("month").is_between(add_months(period.start, -5), later))
    return OperationalReport(
        partner=view.contract.partners[0],
        period=period,
        currency=view.contract.currency,
        view=view,
        summary=summary_points(gaps),
        gaps=gaps,
        breaches=gaps.filter(pl.col("status").is_in(["breach", "excused", "below target"])),
        near_misses=near_misses(gaps.lazy()).collect(),
        floor=view.floor.filter(pl.col("month") == period.start).collect(),
        floor_kpis=floor_kpis(view.results, period.start).collect(),
        outlook=outlook.collect(),
        deliveries=view.transparency.filter(pl.col("month") == period.start).collect(),
        provisional_credits=view.credits.filter(
            (pl.col("earnback_status") == "provisional") & (pl.col("month") <= period.start)
        ).collect(),
        actions=open_actions(view_actions(view, period.last_day), period.last_day).collect(),
        **_committee_record(view, period, held_on, record),
    )


def _committee_record(view: Analysis, period: Period, held_on: dt.date, record: RecordSource | None) -> dict:
    """What a partner's committee report reads as its committee held it on `held_on`: the first page, the
    statement's record, decisions, comments and breaches without a plan, and the period's outside-hours
    contacts, relief and rejected rows (the fields both committee reports share)."""
    recorded = statement_record(
        view.statement.collect(), period, held_on, record or RecordSource(), view.contract.currency
    )
    missing = breaches_without_plan(view.gaps, view.action_log, period, held_on).collect()
    return {
        "first_page": first_page(
            view,
            period,
            view_actions(view, period.last_day),
            statement=recorded.history.lazy(),
            missing_plans=missing,
            disputes=recorded.disputes,
        ),
        "committee_date": held_on,
        "record": recorded,
        "decisions": period_decisions(view.decisions, period, held_on).collect(),
        "comments": period_comments(view.comments, period, held_on).collect(),
        "missing_plans": missing,
        "outside_hours": outside_hours_summary(view.results, view.contract, period).collect(),
        "relief": relief_granted(view.relief, view.contract, period).collect(),
        "rejected": rejected_in_period(view.rejected, period).collect(),
    }


def committee_forecasts(view: Analysis, held_on: dt.date) -> pl.LazyFrame:
    """The client's outlook (`metrics.forecast_outlook`) from the forecasts issued by a committee's day
    (undated forecasts count): the latest and the contractual forecast as that committee saw them."""
    issued = view.forecast_log.filter(pl.col("issued_on").is_null() | (pl.col("issued_on") <= held_on))
    return forecast_outlook(issued, offered_contacts(view.results), view.contract)


def floor_kpis(results: pl.LazyFrame, month: dt.date) -> pl.LazyFrame:
    """The month's FLOOR_KPIS rows of a results table (per channel, then partner-wide), with the label the
    report shows; a KPI not measurable on a channel is said once, on its partner-wide row, with why."""
    order = {name: i for i, name in enumerate(FLOOR_KPIS)}
    shown = pl.col("value").is_not_null() | pl.col("channel").is_null()
    # the words are looked up here, in the report's language, not in polars' threads (which would read English)
    name = pl.col("kpi").replace_strict({kpi: kpi_name(kpi) for kpi in FLOOR_KPIS}, return_dtype=pl.String)
    channel = pl.col("channel").replace_strict(dict(CHANNEL_NAMES), default=pl.col("channel"), return_dtype=pl.String)
    return (
        results.filter((pl.col("month") == month) & pl.col("kpi").is_in(FLOOR_KPIS) & shown)
        .with_columns(
            pl.when(pl.col("channel").is_null())
            .then(name)
            .otherwise(pl.concat_str(name, pl.lit(" · "), channel))
            .alias("label"),
            pl.col("kpi").replace_strict(order, return_dtype=pl.Int64).alias("order"),
        )
        .sort("order", "channel", nulls_last=True)
        .select("partner_id", "channel", "kpi", "label", "value", "note")
    )


def view_actions(view: Analysis, last_day: dt.date) -> pl.LazyFrame:
    """The action log rows of the view (the `actions` table of the analysis holds figures, not rows)."""
    return view.action_log.filter(pl.col("raised_on") <= last_day)


def strategic_report(
    analysis: Analysis, partner_id: str, quarter: str | Period, *, record: RecordSource | None = None
) -> StrategicReport:
    """The quarter and the trailing 12 months against objectives, the statement, chronic failures, contract health,
    the open and overdue actions, the contacts outside service hours and the relief granted for the quarter,
    the rejected rows of the quarter, and each month's state in the committee's record (`record`: `open_record`)
    on the committee's date. It goes to both parties: what-if scenarios and exit plans are for the client only
    (`programme_overview`). An empty `partner_id` means the contract's first partner (a notebook's default)."""
    period = _period(quarter, "quarter")
    partner_id = partner_id or analysis.contract.partners[0].id
    view = partner_view(analysis, partner_id)
    trailing = Period("month", add_months(period.start, -9), 12)
    gaps = period_gaps(view.gaps, period).sort("order", "month").collect()
    months = view.statement.filter(pl.col("month").is_between(period.start, period.last_day))
    last_month = period.month_starts[-1]
    client = (
        view.results.filter(
            (pl.col("kpi") == "forecast_accuracy")
            & pl.col("channel").is_null()
            & pl.col("month").is_between(trailing.start, period.last_day)
        )
        .select("month", pl.col("value").alias("forecast_accuracy"))
        .join(
            view.transparency.filter(pl.col("party") == "client").select("month", "on_time_rate", "completeness_rate"),
            on="month",
            how="full",
            coalesce=True,
        )
        .filter(pl.col("month").is_between(trailing.start, period.last_day))
        .sort("month")
    )
    quarter_gaps = gaps.filter(pl.col("month") == last_month)
    timeline = view.timeline.collect()
    held_on = committee_date(view.contract, period)
    return StrategicReport(
        partner=view.contract.partners[0],
        period=period,
        currency=view.contract.currency,
        view=view,
        summary=_quarter_summary(gaps, period),
        termination=termination_sentence(quarter_gaps, period),
        contract_health=contract_health_sentence(timeline.row(0, named=True)),
        mechanics=contract_mechanics(view.contract, partner_id),
        gaps=gaps,
        trailing_gaps=period_gaps(view.gaps, trailing).sort("order", "month").collect(),
        statement_months=months.collect(),
        statement_quarter=cycle_statement(months, "quarter").collect(),
        credits=view.credits.filter(pl.col("month").is_between(period.start, period.last_day)).collect(),
        chronic=quarter_gaps.filter(pl.col("chronic_failure")),
        timeline=timeline,
        readiness=view.reversibility.collect(),
        client_commitments=client.collect(),
        actions=committee_actions(view_actions(view, period.last_day), period).collect(),
        **_committee_record(view, period, held_on, record),
    )


def committee_actions(actions: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Every action open at the period's end (overdue first, with days overdue), then those closed within the
    period; `action_status` says which: overdue, open or closed."""
    day = period.last_day
    closed = actions.filter(pl.col("closed_on").is_between(period.start, day)).with_columns(
        pl.lit(False).alias("overdue"), pl.lit(None, dtype=pl.Int64).alias("days_overdue")
    )
    still_open = open_actions(actions, day).with_columns(pl.col("days_overdue").cast(pl.Int64))
    status = (
        pl.when(pl.col("closed_on").is_not_null() & (pl.col("closed_on") <= day))
        .then(pl.lit("closed"))
        .when(pl.col("overdue"))
        .then(pl.lit("overdue"))
        .otherwise(pl.lit("open"))
    )
    return pl.concat([still_open, closed.sort("closed_on")], how="vertical_relaxed").with_columns(
        status.alias("action_status")
    )


def termination_sentence(month_gaps: pl.DataFrame, period: Period) -> str:
    """Whether a chronic failure at the end of the period opens the client's termination right."""
    chronic = month_gaps.filter(pl.col("chronic_failure"))
    if chronic.is_empty():
        return _(
            "No chronic failure at the end of {period}: the termination right for chronic failure is not open."
        ).format(period=period_name(period))
    names = ", ".join(kpi_label(r["kpi"], r["channel"]) for r in chronic.iter_rows(named=True))
    return _(
        "Chronic failure at the end of {period} ({service_levels}): the contract gives the client a right to "
        "terminate; the strategic committee decides whether to use it, agree a recovery plan, or prepare the exit."
    ).format(period=period_name(period), service_levels=names)


def contract_health_sentence(timeline: dict) -> str:
    """The term, the notice deadline and whether an exit transition still fits, as of the data's end."""
    as_of, end, notice = timeline["as_of"], timeline["end"], timeline["last_notice_date"]
    left = ngettext("{n} month", "{n} months", timeline["months_to_end"]).format(n=timeline["months_to_end"])
    parts = [
        _("As of {as_of}, the contract runs to {end} ({months})").format(
            as_of=date_name(as_of), end=date_name(end), months=left
        )
    ]
    if timeline["notice_still_possible"]:
        parts.append(_("notice of non-renewal or exit must be given by {date}").format(date=date_name(notice)))
    else:
        parts.append(_("the last notice date ({date}) has passed").format(date=date_name(notice)))
    months = timeline["transition_months"]
    fits = (
        _("a transition of {n} months started now fits before the end of the term")
        if timeline["transition_fits"]
        else _("a transition of {n} months started now no longer fits before the end of the term")
    )
    parts.append(fits.format(n=months))
    return _("; ").join(parts) + "."


def _quarter_summary(gaps: pl.DataFrame, period: Period) -> list[str]:
    """Short bullets: "Over Q3 2026: 14 of 18 service-level months met", "3 breaches", …, then the last month's."""
    if gaps.is_empty():
        return [_("No service level is measured over {period}.").format(period=period_name(period))]
    counts = dict(gaps.group_by("status").len().iter_rows())
    points = [
        _("Over {period}: {met} of {total} service-level months met").format(
            period=period_name(period), met=counts.get("met", 0), total=gaps.height
        )
    ]
    if counts.get("breach"):
        points.append(ngettext("{n} breach", "{n} breaches", counts["breach"]).format(n=counts["breach"]))
    if counts.get("excused"):
        n = counts["excused"]
        points.append(ngettext("{n} excused breach", "{n} excused breaches", n).format(n=n))
    last = gaps.filter(pl.col("month") == gaps["month"].max())
    first, *rest = summary_points(last)
    return [*points, _("In {month}:").format(month=month_name(last["month"][0])) + " " + first, *rest]


def programme_overview(
    analysis: Analysis,
    quarter: str | Period,
    *,
    scenario: str | Path | Scenario | None = None,
    engagement: str | Path = "",
    record: RecordSource | None = None,
) -> ProgrammeOverview:
    """Every partner's share of service levels met and statement over the quarter and the quarter before, with the
    programme's total, and the relief granted to any partner for the quarter; with `scenario` (a scenario YAML
    or a Scenario; empty: none), the client-only annex: the scenario next to the baseline for each partner it
    changes (the `engagement` folder is loaded only for an operations change or an exit plan); `record`
    (`open_record`): each partner's months of the quarter as the committee's record held them on the strategic
    committee's date. `rejected` holds every rejected row of the quarter, all partners."""
    period = _period(quarter, "quarter")
    gaps = period_gaps(analysis.gaps, period)
    shares = gaps.group_by("partner_id").agg(
        pl.len().alias("service_level_months"),
        (pl.col("status") == "met").mean().alias("met_share"),
        (pl.col("status") == "breach").sum().alias("breaches"),
        pl.col("chronic_failure").any().alias("chronic_failure"),
    )
    names = pl.LazyFrame(
        {"partner_id": analysis.contract.partner_ids, "partner": [p.name for p in analysis.contract.partners]}
    )
    previous = Period("quarter", add_months(period.start, -3), 3)
    held_on = committee_date(analysis.contract, period)
    if scenario and not isinstance(scenario, Scenario):
        scenario = read_scenario(scenario)
    sections = tuple(
        scenario_section(analysis, p, period, scenario, engagement=lambda: load(engagement_path(engagement)))
        for p in (scenario.partners if scenario else ())
    )
    return ProgrammeOverview(
        period=period,
        currency=analysis.contract.currency,
        analysis=analysis,
        first_page=programme_first_page(analysis, period, names, read_ledger(ledger_path(engagement_path(engagement)))),
        # in the contract's order, as the statement and the first page
        status_shares=names.join(shares, on="partner_id", how="inner", maintain_order="left")
        .select(*shares.collect_schema().names(), "partner")
        .collect(),
        statement=programme_statement(analysis.statement, names, period).collect(),
        previous_statement=programme_statement(analysis.statement, names, previous).collect(),
        timeline=analysis.timeline.join(names, on="partner_id", how="left", maintain_order="left").collect(),
        committee_date=held_on,
        record=statement_record(
            analysis.statement.collect(), period, held_on, record or RecordSource(), analysis.contract.currency
        ),
        partner_names={p.id: p.name for p in analysis.contract.partners},
        relief=relief_granted(analysis.relief, analysis.contract, period).collect(),
        rejected=rejected_in_period(analysis.rejected, period).collect(),
        scenarios=sections,
    )


def programme_statement(statement: pl.LazyFrame, names: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Each partner's statement summed over the quarter, in the order of `names` (partner_id, partner), then the
    programme's total (partner "Programme", partner_id null): every row adds up to its net, the total to the
    partners' sum."""
    quarter = cycle_statement(statement.filter(pl.col("month").is_between(period.start, period.last_day)), "quarter")
    partners = names.join(quarter, on="partner_id", how="inner", maintain_order="left").drop("first_month", "months")
    total = partners.select(
        pl.lit(None, dtype=pl.String).alias("partner_id"),
        pl.lit(_(PROGRAMME_TOTAL)).alias("partner"),
        pl.lit(str(period)).alias("cycle"),
        *[pl.col(a).sum() for a in STATEMENT_AMOUNTS],
    )
    return pl.concat([partners, total], how="vertical_relaxed")
