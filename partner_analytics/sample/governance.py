"""How the partnership is run: data deliveries, the committees' action log, the exit-readiness checklist."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from .profiles import AS_OF, MONTHS, PARTNERS, Partner, month_start

__all__ = [
    "CHECKLIST",
    "CLIENT_DATASETS",
    "COMMENTS",
    "DECISIONS",
    "IMPROVEMENT_PLANS",
    "PROVIDER_DATASETS",
    "READINESS",
    "RELIEF",
    "STORY_ACTIONS",
    "generate_actions",
    "generate_comments",
    "generate_decisions",
    "generate_deliveries",
    "generate_relief",
    "generate_reversibility",
]

CLIENT_DATASETS = ("forecasts", "campaign_calendar")
PROVIDER_DATASETS = ("staffing", "reported_kpis", "quality")
_PROVIDER_DUE_DAY = 7
_DAY = dt.timedelta(days=1)


def _shift_months(day: dt.date, months: int, on_day: int = 1) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, on_day)


def generate_deliveries(
    health: pl.DataFrame,
    forecasts: pl.DataFrame,
    reported: pl.DataFrame,
    rng: np.random.Generator,
    partners: tuple[Partner, ...] = PARTNERS,
) -> pl.DataFrame:
    """Who delivered which monthly dataset, when, and complete or not (for `partners`).

    Client: forecasts (due with the three-months-ahead issue; delivered with the last channel's first
    issue, complete when every channel had one three months ahead) and the campaign calendar (due the
    first day of the month before). Provider: staffing, reported KPIs and quality (due the 7th of the
    next month), later and less complete as its health falls, never after AS_OF. The reported-KPIs
    delivery follows the reported_kpis table: missing KPIs make it incomplete, a month without any
    makes it not delivered (null). A partner committing no quality score delivers no quality evaluations.
    """
    first_issue = forecasts.group_by("partner_id", "channel", "month").agg(pl.col("issued_on").min())
    rows = []
    for partner in partners:
        committed = {sl.kpi for sl in partner.terms.service_levels}
        datasets = [d for d in PROVIDER_DATASETS if d != "quality" or "quality_score" in committed]
        h = health.filter(pl.col("partner_id") == partner.id).sort("m")["health"].to_numpy()
        for index in range(MONTHS):
            month = month_start(index)
            if month < partner.terms.start:
                continue
            issues = first_issue.filter(pl.col("partner_id") == partner.id, pl.col("month") == month)["issued_on"]
            due = _shift_months(month, -3, 20)
            rows.append((partner.id, "client", "forecasts", month, due, issues.max(), bool((issues <= due).all())))
            due = _shift_months(month, -1)
            late = rng.random() < 0.1
            delivered = due + _DAY * int(rng.integers(2, 10) if late else -rng.integers(0, 7))
            rows.append((partner.id, "client", "campaign_calendar", month, due, delivered, True))
            weakness = (1.0 - h[index]) ** 2
            due = _shift_months(month, 1, _PROVIDER_DUE_DAY)
            for dataset in datasets:
                late = rng.random() < 0.05 + 0.5 * weakness
                delivered: dt.date | None = min(
                    AS_OF, due + _DAY * int(rng.integers(1, 13) if late else -rng.integers(0, 5))
                )
                complete = bool(rng.random() >= 0.02 + 0.3 * weakness)
                if dataset == "reported_kpis":
                    share = _reported_share(reported, partner, month)
                    delivered = delivered if share > 0 else None
                    complete = complete and share == 1.0
                rows.append((partner.id, "provider", dataset, month, due, delivered, complete))
    return pl.DataFrame(
        rows,
        schema={
            "partner_id": pl.String,
            "party": pl.String,
            "dataset": pl.String,
            "period": pl.Date,
            "due_on": pl.Date,
            "delivered_on": pl.Date,
            "complete": pl.Boolean,
        },
        orient="row",
    ).with_columns(pl.when(pl.col("delivered_on").is_null()).then(None).otherwise(pl.col("complete")).alias("complete"))


def _reported_share(reported: pl.DataFrame, partner: Partner, month: dt.date) -> float:
    """Share of the partner-wide KPIs (fcr, csat, those the partner commits) and of the service levels
    present in the month's report."""
    expected = {"service_level"} | ({"fcr", "csat"} & {sl.kpi for sl in partner.terms.service_levels})
    kpis = set(reported.filter(pl.col("partner_id") == partner.id, pl.col("month") == month)["kpi"].to_list())
    return len(kpis & expected) / len(expected)


# (title, owner_party, committee)
_OPERATIONAL_POOL = (
    ("Re-plan intraday staffing for Monday mornings", "provider"),
    ("Refresh agent training on the price-change letter", "provider"),
    ("Send the weekly absenteeism report every Monday", "provider"),
    ("Calibrate quality evaluations with the client's evaluators", "joint"),
    ("Review the scripts of the moving-home queue", "provider"),
    ("Reduce after-call work on billing disputes", "provider"),
    ("Share the root causes of repeat contacts on the meter queue", "provider"),
    ("Publish the coaching plan for contacts rated 1 or 2", "provider"),
    ("Send the campaign calendar two weeks before each mailing", "client"),
    ("Fix the IVR routing of moving-home calls", "client"),
    ("Update the knowledge base after the tariff change", "client"),
    ("Give team leaders access to the billing back office", "client"),
    ("Share the forecast revision with the provider's planners", "client"),
    ("Agree the definition of a repeat contact for first-contact resolution", "joint"),
    ("Run a joint listening session on abandoned calls", "joint"),
    ("Review the email templates for direct-debit questions", "joint"),
)
_STRATEGIC_POOL = (
    ("Confirm next year's volume commitment", "client"),
    ("Decide on extending chat opening hours", "client"),
    ("Present the quarterly improvement plan", "provider"),
    ("Propose a self-service deflection pilot", "provider"),
    ("Review the service-level allocations for next year", "joint"),
    ("Update the reversibility plan", "joint"),
)

STORY_ACTIONS: tuple[tuple[str, str, dt.date, str, str, int, dt.date | None], ...] = (
    # partner, committee, raised_on, owner, title, days to due, closed_on
    (
        "northcall",
        "operational",
        dt.date(2025, 2, 10),
        "provider",
        "Add evening staffing in price-change letter weeks",
        30,
        dt.date(2025, 3, 4),
    ),
    (
        "northcall",
        "operational",
        dt.date(2025, 12, 10),
        "client",
        "Correct the voice unit price on the November invoice",
        21,
        dt.date(2025, 12, 19),
    ),
    (
        "northcall",
        "operational",
        dt.date(2026, 7, 10),
        "joint",
        "Post-mortem of the billing-incident weeks",
        30,
        dt.date(2026, 8, 3),
    ),
    (
        "northcall",
        "strategic",
        dt.date(2026, 7, 20),
        "client",
        "Pay the first-contact resolution stretch bonus",
        45,
        dt.date(2026, 8, 28),
    ),
    (
        "rivage",
        "operational",
        dt.date(2026, 4, 10),
        "provider",
        "Present a recovery plan for the voice service level",
        21,
        dt.date(2026, 5, 6),
    ),
    (
        "rivage",
        "operational",
        dt.date(2026, 5, 11),
        "provider",
        "Recruit and train 15 agents for the Rabat site",
        50,
        None,
    ),
    ("rivage", "operational", dt.date(2026, 6, 10), "provider", "Bring absenteeism at Rabat below 8 %", 45, None),
    (
        "rivage",
        "operational",
        dt.date(2026, 6, 10),
        "client",
        "Audit the May invoice: units billed above measured",
        30,
        dt.date(2026, 7, 21),
    ),
    (
        "rivage",
        "strategic",
        dt.date(2026, 7, 20),
        "client",
        "Assess the termination right after the chronic failure",
        100,
        None,
    ),
    ("rivage", "strategic", dt.date(2026, 7, 20), "joint", "Prepare the exit plan and transition timeline", 120, None),
    (
        "rivage",
        "operational",
        dt.date(2026, 8, 10),
        "provider",
        "Report service level with abandoned calls counted",
        30,
        None,
    ),
    (
        "sudhorizon",
        "operational",
        dt.date(2024, 11, 12),
        "provider",
        "Double the coaching hours of new agents",
        30,
        dt.date(2024, 12, 9),
    ),
    (
        "sudhorizon",
        "operational",
        dt.date(2024, 11, 12),
        "joint",
        "Weekly ramp-up review until service levels are met",
        180,
        dt.date(2025, 6, 16),
    ),
    (
        "sudhorizon",
        "operational",
        dt.date(2025, 5, 12),
        "provider",
        "Explain the April relapse of the voice service level",
        21,
        dt.date(2025, 5, 30),
    ),
    (
        "sudhorizon",
        "operational",
        dt.date(2025, 7, 10),
        "client",
        "Recover the chat line billed twice in June",
        30,
        dt.date(2025, 8, 22),
    ),
    (
        "sudhorizon",
        "strategic",
        dt.date(2025, 10, 20),
        "client",
        "Decide whether to move more voice volume to Sud Horizon",
        60,
        dt.date(2025, 12, 15),
    ),
)
"""Actions that belong to the sample's story (the others are drawn from the pools)."""

IMPROVEMENT_PLANS: tuple[tuple[str, dt.date, str, int, dt.date | None, str], ...] = (
    # partner, raised_on (an operational committee), title, days to due, closed_on, service level
    (
        "rivage",
        dt.date(2026, 7, 10),
        "Root cause and improvement plan: voice service level (Rabat staffing)",
        90,
        None,
        "service_level/voice",
    ),
    (
        "rivage",
        dt.date(2026, 8, 10),
        "Root cause and improvement plan: voice abandons at peak hours",
        60,
        None,
        "abandon_rate/voice",
    ),
    ("rivage", dt.date(2026, 8, 10), "Root cause and improvement plan: email backlog", 60, None, "service_level/email"),
    (
        "rivage",
        dt.date(2026, 9, 10),
        "Root cause and improvement plan: first-contact resolution on billing",
        45,
        None,
        "fcr",
    ),
)
"""The provider's improvement plans for Rivage's breaches (kind `improvement_plan`, owner the provider); its
customer-satisfaction and quality breaches are left without one, so the reports list them."""

DECISIONS: tuple[tuple[str, str, dt.date, str, str, dt.date | None], ...] = (
    # partner, committee, decided_on, decision, owner, due_on
    (
        "rivage",
        "strategic",
        dt.date(2026, 7, 20),
        "Assess the termination right opened by the chronic failure before the notice date",
        "Claire Morel",
        dt.date(2026, 10, 28),
    ),
    (
        "rivage",
        "operational",
        dt.date(2026, 8, 10),
        "July signed by both parties; a late invoice line will come as a prior-period adjustment",
        "Claire Morel",
        None,
    ),
    (
        "rivage",
        "operational",
        dt.date(2026, 10, 10),
        "Answer the provider's relief request for the telephony outage of 14 September",
        "Claire Morel",
        dt.date(2026, 10, 24),
    ),
    (
        "northcall",
        "operational",
        dt.date(2026, 9, 10),
        "Keep the evening staffing of the price-change weeks for the October mailing",
        "Hugo Lefebvre",
        dt.date(2026, 10, 1),
    ),
    (
        "sudhorizon",
        "operational",
        dt.date(2026, 10, 10),
        "September's gain-share stands as computed: the FCR survey follows the contract",
        "Inès Haddad",
        None,
    ),
)
"""What the sample's committees decided."""

COMMENTS: tuple[tuple[str, str, dt.date, str | None, str | None, str, dt.date], ...] = (
    # partner, party, period, service level, topic, text, written_on
    (
        "rivage",
        "provider",
        dt.date(2026, 9, 1),
        "service_level/voice",
        None,
        "Eleven agents left Rabat in August; fifteen recruits are in training until mid-October.",
        dt.date(2026, 10, 7),
    ),
    (
        "rivage",
        "client",
        dt.date(2026, 9, 1),
        "service_level/voice",
        None,
        "The recruits were promised for July: we expect the plan's weekly staffing figures.",
        dt.date(2026, 10, 9),
    ),
    (
        "rivage",
        "provider",
        dt.date(2026, 9, 1),
        None,
        "telephony outage",
        "The client's telephony platform was down on 14 September from 10:00 to 13:30.",
        dt.date(2026, 10, 8),
    ),
    (
        "sudhorizon",
        "client",
        dt.date(2026, 9, 1),
        "fcr",
        None,
        "We question how representative September's FCR survey is.",
        dt.date(2026, 10, 8),
    ),
)
"""The parties' comments on the sample's months."""


def generate_actions(
    rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS, first_number: int = 1
) -> pl.DataFrame:
    """The committees' action log of `partners`: story actions plus routine ones after each committee,
    numbered from `first_number`.

    Operational committees sit on the 10th of the month after the one they review; strategic ones on
    the 20th of the month after each quarter (so the September committee sits in October, before
    AS_OF). Routine titles go round each partner's own shuffled pool. Most actions close around their
    due date; a struggling partner leaves more open, hence overdue.
    """
    ids = {p.id for p in partners}
    rows = [
        (p, c, raised, owner, title, raised + _DAY * days, closed, None, "action")
        for p, c, raised, owner, title, days, closed in STORY_ACTIONS
        if p in ids
    ]
    rows += [
        (p, "operational", raised, "provider", title, raised + _DAY * days, closed, level, "improvement_plan")
        for p, raised, title, days, closed, level in IMPROVEMENT_PLANS
        if p in ids
    ]
    for partner in partners:
        drawn = {"operational": 0, "strategic": 0}
        orders = {
            c: rng.permutation(len(pool))
            for c, pool in (("operational", _OPERATIONAL_POOL), ("strategic", _STRATEGIC_POOL))
        }
        for index in range(MONTHS):
            month = month_start(index)
            if month < partner.terms.start:
                continue
            meetings = [("operational", _shift_months(month, 1, 10), _OPERATIONAL_POOL, 1.0)]
            if month.month % 3 == 0:
                meetings.append(("strategic", _shift_months(month, 1, 20), _STRATEGIC_POOL, 0.8))
            for committee, raised, pool, mean in meetings:
                if raised > AS_OF:
                    continue
                for _ in range(int(rng.poisson(mean))):
                    order = orders[committee]
                    title, owner = pool[int(order[drawn[committee] % len(pool)])]
                    drawn[committee] += 1
                    due = raised + _DAY * int(rng.choice([21, 30, 45, 60]))
                    struggling = partner.id == "rivage" and raised >= dt.date(2026, 2, 1)
                    closes = rng.random() < (0.6 if struggling else 0.93)
                    closed = max(raised + 2 * _DAY, due + _DAY * round(rng.normal(-4.0, 10.0)))
                    closed_on = closed if closes else None
                    rows.append((partner.id, committee, raised, owner, title, due, closed_on, None, "action"))
    frame = pl.DataFrame(
        rows,
        schema={
            "partner_id": pl.String,
            "committee": pl.String,
            "raised_on": pl.Date,
            "owner_party": pl.String,
            "title": pl.String,
            "due_on": pl.Date,
            "closed_on": pl.Date,
            "service_level": pl.String,
            "kind": pl.String,
        },
        orient="row",
    ).with_columns(pl.when(pl.col("closed_on") <= AS_OF).then(pl.col("closed_on")).alias("closed_on"))
    frame = frame.sort("raised_on", "partner_id", "committee", "title", maintain_order=True)
    return frame.select(
        pl.format("A-{}", (pl.int_range(pl.len()) + first_number).cast(pl.String).str.zfill(4)).alias("action_id"),
        "partner_id",
        "committee",
        "raised_on",
        "owner_party",
        "title",
        "due_on",
        "closed_on",
        "service_level",
        "kind",
    )


def generate_decisions() -> pl.DataFrame:
    """The committees' decisions (DECISIONS)."""
    return pl.DataFrame(
        list(DECISIONS),
        schema={
            "partner_id": pl.String,
            "committee": pl.String,
            "decided_on": pl.Date,
            "decision": pl.String,
            "owner": pl.String,
            "due_on": pl.Date,
        },
        orient="row",
    )


def generate_comments() -> pl.DataFrame:
    """The parties' comments (COMMENTS)."""
    return pl.DataFrame(
        list(COMMENTS),
        schema={
            "partner_id": pl.String,
            "party": pl.String,
            "period": pl.Date,
            "service_level": pl.String,
            "topic": pl.String,
            "text": pl.String,
            "written_on": pl.Date,
        },
        orient="row",
    )


CHECKLIST: tuple[tuple[str, str, str, int], ...] = (
    # area, owner_party, title, weight
    ("documentation", "provider", "Operating procedures documented in the client's repository", 3),
    ("documentation", "provider", "Knowledge-base articles transferred to the client", 2),
    ("documentation", "provider", "Quality evaluation grid and calibration notes handed over", 1),
    ("knowledge transfer", "joint", "Train-the-trainer programme for a successor", 3),
    ("knowledge transfer", "joint", "Shadowing plan for the successor's team leaders", 2),
    ("data return", "provider", "Contact history exported in an open format", 3),
    ("data return", "provider", "Call recordings and evaluations returned", 2),
    ("data return", "joint", "Data deletion certificate procedure agreed", 1),
    ("tooling", "client", "CCaaS licences and configuration owned by the client", 3),
    ("tooling", "provider", "IVR and routing rules documented", 2),
    ("tooling", "provider", "Workforce-management history shared", 1),
    ("people", "provider", "Key-person list and retention plan", 2),
    ("people", "joint", "Staff transfer analysis (French labour code L1224-1)", 2),
    ("contracts", "joint", "Exit plan annexed to the contract", 3),
    ("contracts", "client", "Subcontracts assignable to the client", 1),
    ("contracts", "joint", "Termination assistance fees agreed", 2),
)
"""The exit-readiness checklist every partner shares (six areas, weighted items)."""

READINESS: dict[str, tuple[float, float]] = {
    "northcall": (0.6, 0.3),
    "rivage": (0.12, 0.25),
    "sudhorizon": (0.3, 0.4),
    "atlas": (0.45, 0.3),
}
"""Per partner: chance that an item is done, and that it is in progress."""


def generate_reversibility(rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS) -> pl.DataFrame:
    """The exit-readiness checklist of each partner (of `partners`), with statuses drawn from READINESS."""
    rows = []
    for partner in partners:
        done, in_progress = READINESS[partner.id]
        for number, (area, owner, title, weight) in enumerate(CHECKLIST, start=1):
            u = rng.random()
            status = "done" if u < done else "in_progress" if u < done + in_progress else "not_started"
            updated = AS_OF - _DAY * int(rng.integers(5, 270)) if status != "not_started" else None
            rows.append((partner.id, f"R{number:02d}", area, title, owner, float(weight), status, updated))
    return pl.DataFrame(
        rows,
        schema={
            "partner_id": pl.String,
            "item_id": pl.String,
            "area": pl.String,
            "title": pl.String,
            "owner_party": pl.String,
            "weight": pl.Float64,
            "status": pl.String,
            "updated_on": pl.Date,
        },
        orient="row",
    )


RELIEF = (
    (
        "rivage",
        dt.datetime(2026, 6, 8, 0, 0),
        dt.datetime(2026, 6, 20, 0, 0),
        "exclude_window",
        "client billing incident: duplicate direct debits flooded the lines",
        "client steering committee",
        dt.date(2026, 7, 9),
        "voice",
        None,
    ),
)
"""The relief the client granted: the weeks of its own billing incident, left out of Rivage's voice service levels."""


def generate_relief() -> pl.DataFrame:
    """The relief table (formulas.md §2.1)."""
    return pl.DataFrame(
        list(RELIEF),
        schema={
            "partner_id": pl.String,
            "starts_at": pl.Datetime("us"),
            "ends_at": pl.Datetime("us"),
            "effect": pl.String,
            "reason": pl.String,
            "granted_by": pl.String,
            "granted_on": pl.Date,
            "channel": pl.String,
            "service_level": pl.String,
        },
        orient="row",
    )
