"""The exit what-if: notice against the reversibility clause, readiness missing, fees committed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from partner_analytics.whatif.engine import WhatIf
from partner_analytics.whatif.exit_plan import exit_plan

from .factories import contract


def _statement(charges: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "partner_id": ["northcall"] * len(charges),
            "month": [dt.date.fromisoformat(f"{m}-01") for m in charges],
            "charges": list(charges.values()),
        }
    )


CHECKLIST = pl.LazyFrame(
    {
        "partner_id": ["northcall"] * 3,
        "item_id": ["R1", "R2", "R3"],
        "weight": [2.0, 1.0, 1.0],
        "status": ["done", "in_progress", "not_started"],
        "area": ["tooling"] * 3,
    }
)


def test_notice_in_time_ends_with_the_term() -> None:
    terms = contract(reversibility={"notice_months": 6, "transition_months": 4})  # 2025-01-01 + 36 months
    plan = exit_plan(
        terms,
        "northcall",
        dt.date(2027, 6, 30),
        statement=_statement({"2026-07": 1000, "2026-08": 2000, "2026-09": 3001}),
        checklist=CHECKLIST,
    )
    assert plan.term_end == dt.date(2028, 1, 1) and plan.last_notice_date == dt.date(2027, 7, 1) and plan.in_time
    assert plan.ends_on == dt.date(2028, 1, 1)
    assert plan.transition_end == dt.date(2027, 10, 30) and plan.transition_fits
    # (1000 + 2000 + 3001) / 3 = 2000.33 → 2000 cents; October 2026 to December 2027: 15 months
    assert (plan.monthly_charges, plan.months_committed, plan.fees_committed) == (2000, 15, 30000)
    # readiness (2 × 1 + 1 × 0.5 + 0) / 4; missing: R3 adds 1/4, R2 0.5/4
    assert plan.readiness == 0.625
    assert plan.missing["item_id"].to_list() == ["R3", "R2"] and plan.missing["readiness_missing"].to_list() == [
        0.25,
        0.125,
    ]
    assert "in time" in plan.sentences()[0] and "20.00" in plan.sentences()[-1]


def test_late_notice_runs_the_notice_period_past_the_term() -> None:
    terms = contract(reversibility={"notice_months": 6, "transition_months": 8})
    plan = exit_plan(
        terms,
        "northcall",
        dt.date(2027, 9, 15),
        statement=_statement({"2026-09": 1001, "2026-08": 1000}),
        checklist=None,
    )
    assert not plan.in_time and plan.ends_on == dt.date(2028, 3, 15)
    assert plan.transition_end == dt.date(2028, 5, 15) and not plan.transition_fits
    # (1000 + 1001) / 2 = 1000.5 → 1001 (half away from zero); October 2026 to March 2028 (it runs on 1 March): 18
    assert (plan.monthly_charges, plan.months_committed, plan.fees_committed) == (1001, 18, 18018)
    assert plan.readiness is None and "late" in plan.sentences()[0] and "does not fit" in plan.sentences()[1]


@pytest.mark.parametrize(("notice", "in_time"), [(dt.date(2027, 1, 1), True), (dt.date(2027, 1, 2), False)])
def test_the_sample_degrading_partner_must_give_notice_by_the_first_of_january(
    sample_engagement, sample_analysis, notice, in_time
) -> None:
    plan = WhatIf(sample_engagement, results=sample_analysis.results.collect()).exit_plan("rivage", notice)
    assert plan.last_notice_date == dt.date(2027, 1, 1) and plan.in_time is in_time
    assert plan.readiness is not None and plan.readiness < 0.5 and plan.missing.height > 0
