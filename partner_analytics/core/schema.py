"""The tables of an engagement folder (docs/data-contract.md): columns, types, required values, keys and domains.

One declaration per table; the readers, the validation, the sample generator's tests and the
documentation all read it, so a column is described once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

__all__ = [
    "ACTION_KINDS",
    "AREAS",
    "COMMITTEES",
    "INTERVAL_COUNTS",
    "OWNER_PARTIES",
    "PARTIES",
    "RELIEF_EFFECTS",
    "STATUSES",
    "TABLES",
    "Column",
    "Kind",
    "Table",
]

Kind = Literal["str", "float", "int", "bool", "datetime", "date", "month"]

PARTIES = ("client", "provider")
OWNER_PARTIES = ("client", "provider", "joint")
COMMITTEES = ("operational", "strategic")
AREAS = ("documentation", "knowledge transfer", "data return", "tooling", "people", "contracts")
STATUSES = ("not_started", "in_progress", "done")
RELIEF_EFFECTS = ("exclude_window", "excuse_month")
ACTION_KINDS = ("action", "improvement_plan")


@dataclass(frozen=True)
class Column:
    """One column: our name, its kind, whether a value is required, and its allowed domain."""

    name: str
    kind: Kind
    required: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    references: Literal["partner", "channel", "kpi"] | None = None

    @property
    def dtype(self) -> pl.DataType:
        return {
            "str": pl.String(),
            "float": pl.Float64(),
            "int": pl.Int64(),
            "bool": pl.Boolean(),
            "datetime": pl.Datetime("us"),
            "date": pl.Date(),
            "month": pl.Date(),
        }[self.kind]


@dataclass(frozen=True)
class Table:
    """A table of the data contract; `unique` columns together identify a row."""

    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    required: bool = False
    description: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_PARTNER = Column("partner_id", "str", required=True, references="partner")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "contacts",
            (
                Column("contact_id", "str", required=True),
                _PARTNER,
                Column("channel", "str", required=True, references="channel"),
                Column("arrived_at", "datetime", required=True),
                Column("answered", "bool", required=True),
                Column("wait_s", "float", required=True, min=0),
                Column("handle_s", "float", min=0),
                Column("site_id", "str"),
                Column("queue", "str"),
                Column("customer_id", "str"),
                Column("csat", "int", min=1, max=5),
                # NPS, customer effort and transfer rate (formulas.md §1.2)
                Column("nps_answer", "int", min=0, max=10),
                Column("effort_score", "int", min=1, max=7),
                Column("transferred", "bool"),
            ),
            unique=("contact_id",),
            required=True,
            description="one row per customer contact, from the client's telephony/CCaaS platform",
        ),
        Table(
            "staffing",
            (
                _PARTNER,
                Column("channel", "str", required=True, references="channel"),
                Column("interval_start", "datetime", required=True),
                Column("interval_minutes", "int", required=True, choices=("15", "30", "60")),
                Column("agents_logged_in", "float", required=True, min=0),
                Column("site_id", "str"),
                Column("queue", "str"),
                Column("agents_scheduled", "float", min=0),
            ),
            unique=("partner_id", "channel", "interval_start", "site_id", "queue"),
            description="the provider's floor data, per interval",
        ),
        Table(
            "quality",
            (
                _PARTNER,
                Column("evaluated_at", "datetime", required=True),
                Column("score", "float", required=True, min=0, max=100),
                Column("channel", "str", references="channel"),
                Column("contact_id", "str"),
                Column("evaluator_party", "str", choices=PARTIES),
            ),
            description="quality-monitoring evaluations",
        ),
        Table(
            "reported_kpis",
            (
                _PARTNER,
                Column("month", "month", required=True),
                Column("kpi", "str", required=True, references="kpi"),
                Column("value", "float", required=True),
                Column("channel", "str", references="channel"),
            ),
            unique=("partner_id", "month", "kpi", "channel"),
            description="what the provider reports about itself each month",
        ),
        Table(
            "forecasts",
            (
                _PARTNER,
                Column("channel", "str", required=True, references="channel"),
                Column("month", "month", required=True),
                Column("forecast_contacts", "float", required=True, min=0),
                Column("issued_on", "date"),
            ),
            unique=("partner_id", "channel", "month", "issued_on"),
            description="the client's volume forecasts, its commitment",
        ),
        Table(
            "invoices",
            (
                _PARTNER,
                Column("month", "month", required=True),
                Column("amount", "float", required=True),
                Column("billed_units", "float", min=0),
                Column("unit", "str", choices=("contacts", "hours")),
            ),
            description="what the partner billed (several lines of a month are added up)",
        ),
        Table(
            "actions",
            (
                Column("action_id", "str", required=True),
                _PARTNER,
                Column("committee", "str", required=True, choices=COMMITTEES),
                Column("raised_on", "date", required=True),
                Column("owner_party", "str", required=True, choices=OWNER_PARTIES),
                Column("title", "str", required=True),
                Column("due_on", "date"),
                Column("closed_on", "date"),
                # a breach's root cause and improvement plan (formulas.md §8): kind improvement_plan, its service level
                Column("service_level", "str"),
                Column("kind", "str", choices=ACTION_KINDS),
            ),
            unique=("action_id",),
            description="the committees' action log",
        ),
        Table(
            "decisions",
            (
                _PARTNER,
                Column("committee", "str", required=True, choices=COMMITTEES),
                Column("decided_on", "date", required=True),
                Column("decision", "str", required=True),
                Column("owner", "str"),
                Column("due_on", "date"),
            ),
            description="what the committees decided, who carries it out and by when",
        ),
        Table(
            "comments",
            (
                _PARTNER,
                Column("party", "str", required=True, choices=PARTIES),
                Column("period", "month", required=True),
                Column("text", "str", required=True),
                Column("service_level", "str"),
                Column("topic", "str"),
                Column("written_on", "date"),
            ),
            description="the parties' comments on a month: the provider's explanation of a miss, the client's answer",
        ),
        Table(
            "deliveries",
            (
                _PARTNER,
                Column("party", "str", required=True, choices=PARTIES),
                Column("dataset", "str", required=True),
                Column("period", "month", required=True),
                Column("due_on", "date", required=True),
                Column("delivered_on", "date"),
                Column("complete", "bool"),
            ),
            unique=("partner_id", "party", "dataset", "period"),
            description="who shared what, when (transparency)",
        ),
        Table(
            "reversibility",
            (
                _PARTNER,
                Column("item_id", "str", required=True),
                Column("area", "str", required=True, choices=AREAS),
                Column("title", "str", required=True),
                Column("owner_party", "str", required=True, choices=OWNER_PARTIES),
                Column("weight", "float", required=True, min=0),
                Column("status", "str", required=True, choices=STATUSES),
                Column("updated_on", "date"),
            ),
            unique=("partner_id", "item_id"),
            description="the exit-readiness checklist",
        ),
        # The agents roster (formulas.md §1.8): attrition, schedule adherence, shrinkage, training hours.
        Table(
            "agents",
            (
                _PARTNER,
                Column("agent_id", "str", required=True),
                Column("month", "month", required=True),
                Column("site_id", "str"),
                Column("start_date", "date"),
                Column("end_date", "date"),
                Column("paid_minutes", "float", min=0),
                Column("scheduled_minutes", "float", min=0),
                Column("adherent_minutes", "float", min=0),
                Column("training_hours", "float", min=0),
            ),
            unique=("partner_id", "agent_id", "month"),
            description="the provider's agent roster, one row per agent × month on the roster",
        ),
        # relief events (formulas.md §2.1)
        Table(
            "relief",
            (
                _PARTNER,
                Column("starts_at", "datetime", required=True),
                Column("ends_at", "datetime", required=True),
                Column("effect", "str", required=True, choices=RELIEF_EFFECTS),
                Column("reason", "str", required=True),
                Column("granted_by", "str", required=True),
                Column("granted_on", "date"),
                Column("channel", "str", references="channel"),
                Column("service_level", "str"),
            ),
            description="relief events (waivers) the client granted: a window excluded, or a month excused",
        ),
    )
}


# --- interval reports: the alternative to contacts for a partner × channel (sources.intervals.covers) ---

INTERVAL_COUNTS = (
    "offered",
    "answered",
    "answered_within_threshold",
    "abandoned",
    "abandoned_within_threshold",
    "short_abandons",
)
"""The whole-contact counts of an interval row, each at least 0 (docs/data-contract.md, `intervals`)."""

TABLES["intervals"] = Table(
    "intervals",
    (
        _PARTNER,
        Column("channel", "str", required=True, references="channel"),
        Column("interval_start", "datetime", required=True),
        Column("interval_minutes", "int", required=True, choices=("15", "30", "60")),
        Column("offered", "int", required=True, min=0),
        Column("answered", "int", required=True, min=0),
        Column("answered_within_threshold", "int", required=True, min=0),
        Column("abandoned", "int", min=0),
        Column("abandoned_within_threshold", "int", min=0),
        Column("short_abandons", "int", min=0),
        Column("answered_wait_s", "float", min=0),
        Column("handle_s", "float", min=0),
        Column("threshold_s", "float", min=0),
        Column("site_id", "str"),
        Column("queue", "str"),
    ),
    unique=("partner_id", "channel", "interval_start", "site_id", "queue"),
    description="per queue and interval, the counts and total times of an ACD or CCaaS interval report",
)
