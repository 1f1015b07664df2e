"""The sample's overflow partner, measured from interval reports only: its contacts and its ACD's report.

Atlas Appels (INTERVAL_PARTNER) takes calls the client's ACD routes to it; the client receives an
Avaya CMS split interval report (the `hsplit` items of docs/data-contract.md, "Presets"), read with
`preset: avaya_cms`, never its contact records. Its contacts are drawn with the other partners'
machinery but from a random stream of its own (`interval_partner_contacts`), so the three other
partners' tables keep their bytes; they are summed per half-hour and split into the report, and
are not written. Every count and total of the report is the sum of its contacts' values, so every
figure measured from it is what the contacts give (formulas.md §1.7).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .agents import generate_agents
from .calendar import SLOT_MINUTES
from .commercial import answered_units, generate_forecasts, generate_reported_kpis, invoice_lines, recomputed_kpis
from .contacts import generate_contacts
from .floor import generate_staffing, monthly_aht
from .governance import generate_actions, generate_deliveries, generate_reversibility
from .health import monthly_health
from .profiles import CHANNELS, INTERVAL_PARTNER

__all__ = [
    "CMS_COLUMNS",
    "INTERVAL_EXPORT",
    "INTERVAL_STREAMS",
    "cms_interval_report",
    "interval_partner_contacts",
    "interval_partner_seeds",
    "interval_partner_tables",
]

INTERVAL_EXPORT = "exports/atlas_cms_hsplit.csv"
CMS_COLUMNS = {"partner_id": "Prestataire", "short_abandons": "ABNCALLS1"}
"""Our columns the preset does not give, mapped under `columns:` in contract.yaml: the partner (a column
the client's export adds: CMS has no partner item) and the short abandons (ABNCALLS1, the calls
abandoned within the split's first service-level increment, set to the channel's `short_abandon_s`)."""

INTERVAL_STREAMS = ("health", "contacts", "staffing", "forecasts", "deliveries", "actions", "reversibility", "agents")
"""The random streams of INTERVAL_PARTNER's tables, spawned from its own seed."""


def interval_partner_seeds(seed: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """A generator per table of INTERVAL_PARTNER (INTERVAL_STREAMS) from its own seed sequence."""
    children = seed.spawn(len(INTERVAL_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(INTERVAL_STREAMS, children, strict=True)}


def interval_partner_contacts(
    grid: pl.DataFrame, rng: dict[str, np.random.Generator], scale: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """INTERVAL_PARTNER's monthly health and contacts (the contacts table's columns and the working ones)."""
    partners = (INTERVAL_PARTNER,)
    health = monthly_health(rng["health"], partners)
    return health, generate_contacts(grid, health, rng["contacts"], scale, partners)


def cms_interval_report(contacts: pl.DataFrame) -> pl.DataFrame:
    """The contacts (one partner's voice, `arrived_at` naive local time) as a CMS split interval report.

    One row per half-hour × split (the queue) with contacts: offered, answered (ACDCALLS), abandoned
    (ABNCALLS), answered and abandoned within the channel's threshold (ACCEPTABLE, SLVLABNS), abandoned
    before the short-abandon time (ABNCALLS1), the answered calls' total wait (ANSTIME), talk
    (ACDTIME: four fifths of each handle time) and after-call work (ACWTIME: the rest), in whole seconds.
    """
    rules = CHANNELS["voice"]
    answered, wait = pl.col("answered"), pl.col("wait_s")
    handle = pl.col("handle_s").filter(answered).cast(pl.Int64)
    talk = handle * 4 // 5
    return (
        contacts.with_columns(pl.col("arrived_at").dt.truncate(f"{SLOT_MINUTES}m").alias("_start"))
        .group_by("partner_id", "_start", "queue")
        .agg(
            pl.len().alias("CALLSOFFERED"),
            answered.sum().alias("ACDCALLS"),
            (~answered).sum().alias("ABNCALLS"),
            (~answered & (wait < rules.short_abandon_s)).sum().alias("ABNCALLS1"),
            (answered & (wait <= rules.answer_within_s)).sum().alias("ACCEPTABLE"),
            (~answered & (wait <= rules.answer_within_s)).sum().alias("SLVLABNS"),
            wait.filter(answered).cast(pl.Int64).sum().alias("ANSTIME"),
            talk.sum().alias("ACDTIME"),
            (handle - talk).sum().alias("ACWTIME"),
        )
        .sort("_start", "queue")
        .select(
            pl.col("partner_id").alias(CMS_COLUMNS["partner_id"]),
            pl.col("_start").dt.strftime("%Y-%m-%d").alias("ROW_DATE"),
            (pl.col("_start").dt.hour().cast(pl.Int32) * 100 + pl.col("_start").dt.minute().cast(pl.Int32)).alias(
                "STARTTIME"
            ),
            pl.lit(SLOT_MINUTES).alias("INTRVL"),
            pl.col("queue").alias("SPLIT"),
            "CALLSOFFERED",
            "ACDCALLS",
            "ABNCALLS",
            "ABNCALLS1",
            "ACCEPTABLE",
            "SLVLABNS",
            "ANSTIME",
            "ACDTIME",
            "ACWTIME",
        )
    )


def interval_partner_tables(
    grid: pl.DataFrame, rng: dict[str, np.random.Generator], scale: float, first_action: int
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.DataFrame]:
    """INTERVAL_PARTNER's interval report, its rows of the other tables (by table name) and its invoice lines.

    Its provider reports the KPIs of its channel only (the ACD gives no first-contact resolution nor
    survey); its actions are numbered from `first_action`, after the other partners'.
    """
    partners = (INTERVAL_PARTNER,)
    health, contacts = interval_partner_contacts(grid, rng, scale)
    forecasts = generate_forecasts(grid, rng["forecasts"], scale, partners)
    reported = generate_reported_kpis(recomputed_kpis(contacts).filter(pl.col("channel").is_not_null()))
    tables = {
        "staffing": generate_staffing(grid, monthly_aht(contacts), health, rng["staffing"], scale, partners),
        "reported_kpis": reported,
        "forecasts": forecasts,
        "actions": generate_actions(rng["actions"], partners, first_action),
        "deliveries": generate_deliveries(health, forecasts, reported, rng["deliveries"], partners),
        "reversibility": generate_reversibility(rng["reversibility"], partners),
        "agents": generate_agents(health, rng["agents"], partners),
    }
    return cms_interval_report(contacts), tables, invoice_lines(answered_units(contacts), partners)
