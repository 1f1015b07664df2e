"""The embedded sample engagement: a deterministic generator of a believable outsourcing programme.

`generate_sample(out)` writes an engagement folder (contract.yaml and one file per table of the
data contract) for a French energy retailer and four partners: one solid, one that degrades into
a chronic failure, one that improves, and an overflow partner measured from its ACD's interval
reports only (`intervals`). The same seed gives the same bytes in every file.
The story and the terms live in `profiles`; each table has its own function. Large samples (above
IN_MEMORY_LIMIT contacts) are generated month by month in bounded memory (`by_month`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .agents import generate_agents
from .by_month import IN_MEMORY_LIMIT, ContactSummary, write_contacts_by_month
from .calendar import slots
from .commercial import answered_units, generate_forecasts, generate_reported_kpis, invoice_lines, recomputed_kpis
from .contacts import CONTACT_COLUMNS, expected_rate, generate_contacts, streams
from .contract_file import INVOICE_SOURCE, contract_yaml
from .files import write_csv, write_french_invoices, write_parquet
from .floor import generate_quality, generate_staffing, monthly_aht
from .governance import (
    generate_actions,
    generate_comments,
    generate_decisions,
    generate_deliveries,
    generate_relief,
    generate_reversibility,
)
from .health import monthly_health
from .intervals import INTERVAL_EXPORT, interval_partner_seeds, interval_partner_tables
from .ledger import write_sample_ledger
from .platforms import CONNECT_EXPORT, CONNECT_PARTNER, connect_contact_records
from .profiles import EXPORT_DEFECTS

__all__ = [
    "DEFAULT_SEED",
    "IN_MEMORY_LIMIT",
    "TABLE_FILES",
    "expected_contacts",
    "generate_sample",
    "interval_partner_generators",
]

DEFAULT_SEED = 7
TABLE_FILES: dict[str, str] = {
    "contacts": "contacts.parquet",
    "staffing": "staffing.parquet",
    "quality": "quality.csv",
    "reported_kpis": "reported_kpis.csv",
    "forecasts": "forecasts.csv",
    "invoices": INVOICE_SOURCE,
    "actions": "actions.csv",
    "deliveries": "deliveries.csv",
    "reversibility": "reversibility.csv",
    "agents": "agents.csv",
    "relief": "relief.csv",
    "decisions": "decisions.csv",
    "comments": "comments.csv",
}
"""Where each table of the sample is written, relative to the engagement folder."""

# A new stream goes last: the streams before it keep their seeds, so the other tables keep their bytes.
# The interval partner's tables draw from the next child seed (`interval_partner_generators`).
_STREAMS = (
    "health",
    "contacts",
    "staffing",
    "quality",
    "forecasts",
    "deliveries",
    "actions",
    "reversibility",
    "agents",
)


def interval_partner_generators(seed: int = DEFAULT_SEED) -> dict[str, np.random.Generator]:
    """INTERVAL_PARTNER's random streams (`intervals.INTERVAL_STREAMS`): from the child seed of `seed`
    spawned after the other tables' streams, so the other partners keep their bytes."""
    return interval_partner_seeds(np.random.SeedSequence(seed).spawn(len(_STREAMS) + 1)[-1])


def expected_contacts() -> float:
    """The expected number of contacts of the default sample (before Poisson noise)."""
    grid = slots()
    return float(sum(expected_rate(grid, p, s, 1.0).sum() for p, s in streams()))


def generate_sample(
    out: Path, *, seed: int = DEFAULT_SEED, contacts: int | None = None, by_month: bool | None = None
) -> Path:
    """Write the sample engagement into `out` (created if needed) and return `out`.

    `contacts` scales every volume so that the contacts table holds about that many rows (the
    default, None, gives about 350 000); the story (who degrades, who improves) stays the same.
    Each table draws from its own random stream of `seed`, so the same seed gives the same bytes.
    `by_month` generates the contacts month by month in bounded memory (`by_month` module); by
    default it does above IN_MEMORY_LIMIT contacts; otherwise the contacts of CONNECT_PARTNER are
    written as its platform's export (`platforms`), the others to contacts.parquet, both listed
    under `sources.contacts`. INTERVAL_PARTNER's contacts, drawn from a seed of their own, are
    written as its ACD's interval report only (`intervals` module), under `sources.intervals`; its
    rows of the other tables follow the others'. The embedded sample (`contacts` None) also gets
    its committee record, `ledger.jsonl`, written anew (`ledger` module). Files of other names
    already in `out` are left alone.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    grid = slots()
    scale = 1.0 if contacts is None else contacts / expected_contacts()
    if by_month is None:
        by_month = contacts is not None and contacts > IN_MEMORY_LIMIT
    seeds = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(_STREAMS, seeds, strict=True)}

    health = monthly_health(rng["health"])
    if by_month:
        summary = write_contacts_by_month(
            out / TABLE_FILES["contacts"], grid, health, rng["contacts"], rng["quality"], scale
        )
    else:
        contact_rows = generate_contacts(grid, health, rng["contacts"], scale)
        exported = pl.col("partner_id") == CONNECT_PARTNER
        write_parquet(contact_rows.filter(~exported).select(CONTACT_COLUMNS), out / TABLE_FILES["contacts"])
        (out / CONNECT_EXPORT).parent.mkdir(parents=True, exist_ok=True)
        write_csv(connect_contact_records(contact_rows.filter(exported)), out / CONNECT_EXPORT)
        summary = ContactSummary(
            aht=monthly_aht(contact_rows),
            units=answered_units(contact_rows),
            recomputed=recomputed_kpis(contact_rows),
            quality=generate_quality(contact_rows, health, rng["quality"]),
        )
        del contact_rows
    forecasts = generate_forecasts(grid, rng["forecasts"], scale)
    reported = generate_reported_kpis(summary.recomputed)
    tables: dict[str, pl.DataFrame] = {
        "staffing": generate_staffing(grid, summary.aht, health, rng["staffing"], scale),
        "quality": summary.quality,
        "reported_kpis": reported,
        "forecasts": forecasts,
        "actions": generate_actions(rng["actions"]),
        "deliveries": generate_deliveries(health, forecasts, reported, rng["deliveries"]),
        "reversibility": generate_reversibility(rng["reversibility"]),
        "agents": generate_agents(health, rng["agents"]),
        "relief": generate_relief(),
        "decisions": generate_decisions(),
        "comments": generate_comments(),
    }
    report, interval_tables, interval_lines = interval_partner_tables(
        grid, interval_partner_generators(seed), scale, tables["actions"].height + 1
    )
    (out / INTERVAL_EXPORT).parent.mkdir(parents=True, exist_ok=True)
    write_csv(report, out / INTERVAL_EXPORT)
    (out / "contract.yaml").write_text(contract_yaml(seed, platform_exports=not by_month), encoding="utf-8")
    for name, frame in tables.items():
        path = out / TABLE_FILES[name]
        later = interval_tables.get(name)
        if path.suffix == ".parquet":
            write_parquet(frame if later is None else pl.concat([frame, later]), path)
        else:
            # the interval partner's rows after the export defects: every other row keeps its number
            write_csv(frame, path, EXPORT_DEFECTS.get(path.name, ()), later)
    lines = pl.concat([invoice_lines(summary.units), interval_lines])
    write_french_invoices(lines, out / TABLE_FILES["invoices"])
    if contacts is None:
        write_sample_ledger(out, lines, out / TABLE_FILES["invoices"])
    return out
