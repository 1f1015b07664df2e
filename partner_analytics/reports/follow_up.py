"""The follow-up section of a partner's report: the committee's decisions of the period, the parties'
comments on its months (the provider's explanation of a miss, the client's answer) and the breaches
that have no improvement plan in the action log (formulas.md §8).

The words a report shows here are the labels below, in one place.
"""

from __future__ import annotations

import html

import polars as pl

from ..views.html_tables import HTML, kpi_value, party, service_level, table
from ..views.language import N_, Translated
from ..views.wording import month

__all__ = ["FOLLOW_UP_LABELS", "follow_up_html"]

FOLLOW_UP_LABELS = Translated(
    {
        "heading": N_("Decisions, comments and improvement plans"),
        "decisions": N_("Decisions of the committees, from the period's start to its committee"),
        "no_decisions": N_("No decision recorded for the period."),
        "comments": N_("The parties' comments on the period"),
        "no_comments": N_("No comment on the period."),
        "missing_plans": N_(
            "Breaches without an improvement plan in the action log (root cause, plan, owner, due date)"
        ),
        "no_missing_plans": N_("Every breach of the period has an improvement plan."),
        "committee": N_("Committee"),
        "decided_on": N_("Decided on"),
        "decision": N_("Decision"),
        "owner": N_("Owner"),
        "due_on": N_("Due"),
        "period": N_("Month"),
        "party": N_("Party"),
        "service_level": N_("Service level"),
        "topic": N_("Topic"),
        "text": N_("Comment"),
        "written_on": N_("Written on"),
        "month": N_("Month"),
        "value": N_("Result"),
        "target": N_("Target"),
        "minimum": N_("Minimum"),
    }
)


def _labels(*names: str) -> dict[str, str]:
    return {n: FOLLOW_UP_LABELS[n] for n in names}


def follow_up_html(decisions: pl.DataFrame, comments: pl.DataFrame, missing_plans: pl.DataFrame) -> HTML:
    """The section as a report shows it: its heading, the decisions, the comments, the breaches without a plan."""

    def optional_level(key: str | None) -> str:
        return service_level(key) if key else ""

    parts = [
        f"<h2>{html.escape(FOLLOW_UP_LABELS['heading'])}</h2>",
        table(
            missing_plans,
            _labels("service_level", "month", "value", "target", "minimum"),
            formats={
                "service_level": service_level,
                "value": kpi_value(),
                "target": kpi_value(),
                "minimum": kpi_value(),
            },
            caption=FOLLOW_UP_LABELS["missing_plans"],
            empty=FOLLOW_UP_LABELS["no_missing_plans"],
        ),
        table(
            decisions,
            _labels("decided_on", "committee", "decision", "owner", "due_on"),
            caption=FOLLOW_UP_LABELS["decisions"],
            empty=FOLLOW_UP_LABELS["no_decisions"],
        ),
        table(
            comments,
            _labels("period", "party", "service_level", "topic", "text", "written_on"),
            formats={"service_level": optional_level, "period": month, "party": party},
            caption=FOLLOW_UP_LABELS["comments"],
            empty=FOLLOW_UP_LABELS["no_comments"],
        ),
    ]
    return HTML("\n".join(p if isinstance(p, str) else p.markup for p in parts))
