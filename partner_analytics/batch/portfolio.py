"""A portfolio: the committee cycles of several engagements in one command, with one index.

A consultancy or a provider runs several programmes: `engagement_folders` finds them (folders given
one by one, or a folder of engagement folders), `run_portfolio` runs each one's cycle (its tables
computed once, its reports on the same worker pool or Dask cluster) and writes ``index.html`` and
``portfolio.json`` in the reports folder: every engagement's cycle, its state and a link to its own
index.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from ..core.atomic import write_atomic
from .cycle import Cycle, CycleError, CycleOutcome, CycleReport, run_cycle
from .jobs import ExecutionOptions, ReportResult

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["engagement_folders", "portfolio_record", "run_portfolio"]


def engagement_folders(given: Sequence[Path]) -> list[Path]:
    """The engagement folders of `given`: a folder holding a contract.yaml is one; a folder holding
    none is a portfolio, whose sub-folders holding one are its engagements (in name order)."""
    found: list[Path] = []
    for folder in given:
        if (folder / "contract.yaml").is_file() or not folder.is_dir():
            found.append(folder)
            continue
        inner = sorted(p for p in folder.iterdir() if (p / "contract.yaml").is_file())
        if not inner:
            raise CycleError(f"{folder}: neither an engagement (no contract.yaml) nor a folder of engagements")
        found += inner
    return list(dict.fromkeys(p.resolve() for p in found))


def run_portfolio(
    cycles: Sequence[Cycle],
    *,
    workers: int | None = None,
    options: ExecutionOptions | None = None,
    on_result: Callable[[CycleReport, ReportResult], None] | None = None,
    pdf: bool = True,
    cluster: Client | None = None,
) -> tuple[CycleOutcome, ...]:
    """Run each cycle (`run_cycle`, on the same pool size or Dask `cluster`), then write the
    portfolio's index in the reports folder the cycles share."""
    folders = [c.folder for c in cycles]
    if len(set(folders)) < len(folders):
        raise CycleError("two engagements of the portfolio have the same folder name: their reports would mix")
    roots = {c.root for c in cycles}
    if len(roots) != 1:
        raise CycleError("the cycles of a portfolio write into one reports folder")
    outcomes = [
        run_cycle(cycle, workers=workers, options=options, on_result=on_result, pdf=pdf, cluster=cluster)
        for cycle in cycles
    ]
    root = roots.pop()
    record = portfolio_record(outcomes, root)
    write_atomic(root / "portfolio.json", json.dumps(record, indent=2, default=str) + "\n")
    write_atomic(root / "index.html", _template().render(record=record))
    return tuple(outcomes)


def portfolio_record(outcomes: Sequence[CycleOutcome], root: Path) -> dict[str, Any]:
    """The portfolio index's content as data: per engagement, its cycle's state and index (relative to `root`)."""
    rows = []
    for outcome in outcomes:
        cycle = outcome.cycle
        failed = len(outcome.failed)
        done = sum(r is not None for r in outcome.results)
        rows.append(
            {
                "client": cycle.engagement.contract.client,
                "engagement": cycle.engagement.name,
                "period": str(cycle.period),
                "committee": cycle.committee,
                "state": "complete" if outcome.ok else ("failed" if failed else "incomplete"),
                "reports_total": len(cycle.reports),
                "reports_done": done,
                "reports_failed": failed,
                "rejected_rows": outcome.lineage.get("rejected_rows", 0),
                "index": cycle.index_path.relative_to(root).as_posix(),
            }
        )
    return {"engagements": rows, "reports_total": sum(r["reports_total"] for r in rows)}


@functools.cache
def _template() -> jinja2.Template:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(_INDEX)


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Committee cycles</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933}table{border-collapse:collapse}
th,td{padding:.35rem .8rem;border-bottom:1px solid #d9e2ec;text-align:left}.failed{color:#b42318}</style>
</head><body><h1>Committee cycles</h1>
<p>{{ record.engagements|length }} engagements, {{ record.reports_total }} reports.</p>
<table><thead><tr><th>client</th><th>engagement</th><th>period</th><th>committee</th><th>state</th>
<th>reports</th><th>rejected rows</th></tr></thead><tbody>
{% for e in record.engagements %}<tr><td>{{ e.client }}</td><td><a href="{{ e.index }}">{{ e.engagement }}</a></td>
<td>{{ e.period }}</td><td>{{ e.committee }}</td><td class="{{ e.state }}">{{ e.state }}</td>
<td>{{ e.reports_done - e.reports_failed }} of {{ e.reports_total }}</td><td>{{ e.rejected_rows }}</td></tr>
{% endfor %}</tbody></table></body></html>
"""
