"""The sample's agents roster: one row per agent × month on a partner's roster, per site.

Each site's team is sized from the contacts it handles; every month an agent leaves with a chance
that grows as the partner's health falls, and is replaced the next month by a new hire, who spends
a week in training. Shrinkage (paid time not scheduled on contacts) and schedule adherence move
with the partner's health too.
"""

from __future__ import annotations

import calendar

import numpy as np
import polars as pl

from .health import lerp
from .profiles import MONTHS, PARTNERS, Partner, month_start

__all__ = ["generate_agents"]

CONTACTS_PER_AGENT = 300
"""Monthly contacts of a site per agent on its roster (sizes the teams)."""
PAID_MINUTES = 151.67 * 60
"""A full month of paid time (35 h a week)."""
LEAVING = (0.07, 0.015)
SHRINKAGE = (0.38, 0.30)
ADHERENCE = (0.85, 0.94)
NEW_HIRE_TRAINING_HOURS = 35.0
TRAINING_HOURS = (1.5, 4.0)


def _team_sizes(partners: tuple[Partner, ...]) -> dict[tuple[str, str], int]:
    sizes: dict[tuple[str, str], float] = {}
    for partner in partners:
        for stream in partner.streams:
            for site, share in stream.sites.items():
                key = (partner.id, site)
                sizes[key] = sizes.get(key, 0.0) + stream.monthly_contacts * share / CONTACTS_PER_AGENT
    return {key: max(3, round(size)) for key, size in sizes.items()}


def generate_agents(
    health: pl.DataFrame, rng: np.random.Generator, partners: tuple[Partner, ...] = PARTNERS
) -> pl.DataFrame:
    """The roster's rows (`agents` table of the data contract) of `partners` over the sample's months from
    each partner's contract start; `health` is `monthly_health`."""
    rows = []
    starts = {p.id: p.terms.start for p in partners}
    for (partner_id, site), size in _team_sizes(partners).items():
        h = health.filter(pl.col("partner_id") == partner_id).sort("m")["health"].to_numpy()
        first = month_start(0)
        team = [(f"{partner_id[:2]}-{site}-{i:03d}", first.replace(year=first.year - 1 - i % 3)) for i in range(size)]
        hired = size
        for m in range(MONTHS):
            month = month_start(m)
            if month < starts[partner_id]:
                continue
            days = calendar.monthrange(month.year, month.month)[1]
            leaving_chance = lerp(LEAVING, h[m])
            staying = []
            for agent_id, start in team:
                leaves = rng.random() < leaving_chance
                first_day = start.day if start >= month else 1
                end = month.replace(day=int(rng.integers(first_day, days + 1))) if leaves else None
                worked = (end.day if end else days) - first_day + 1
                paid = round(PAID_MINUTES * worked / days)
                scheduled = round(paid * (1 - lerp(SHRINKAGE, h[m]) + rng.normal(0, 0.02)))
                adherent = round(scheduled * min(1.0, lerp(ADHERENCE, h[m]) + rng.normal(0, 0.015)))
                new_hire = start >= month
                training = NEW_HIRE_TRAINING_HOURS if new_hire else float(rng.poisson(lerp(TRAINING_HOURS, h[m])))
                rows.append((partner_id, agent_id, month, site, start, end, paid, scheduled, adherent, training))
                if leaves:
                    hired += 1
                    joins = (month_start(m + 1) if m + 1 < MONTHS else month).replace(day=int(rng.integers(1, 8)))
                    staying.append((f"{partner_id[:2]}-{site}-{hired - 1:03d}", joins))
                else:
                    staying.append((agent_id, start))
            team = staying
    schema = {
        "partner_id": pl.String,
        "agent_id": pl.String,
        "month": pl.Date,
        "site_id": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "paid_minutes": pl.Int64,
        "scheduled_minutes": pl.Int64,
        "adherent_minutes": pl.Int64,
        "training_hours": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").sort("partner_id", "site_id", "agent_id", "month")
