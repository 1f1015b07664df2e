"""The analytics core on the sample engagement: the figures add up and the story shows."""

from __future__ import annotations

import polars as pl

from partner_analytics.risk.statement import STATEMENT_AMOUNTS, cycle_statement


def test_every_partner_quarter_is_the_sum_of_its_months(sample_analysis) -> None:
    monthly = sample_analysis.statement.collect()
    quarters = cycle_statement(sample_analysis.statement, "quarter").collect()
    by_hand = (
        monthly.with_columns(
            pl.format("{}-Q{}", pl.col("month").dt.year(), pl.col("month").dt.quarter()).alias("cycle")
        )
        .group_by("partner_id", "cycle")
        .agg(pl.col(a).sum() for a in STATEMENT_AMOUNTS)
    )
    joined = quarters.join(by_hand, on=["partner_id", "cycle"], suffix="_months")
    assert joined.height == quarters.height == by_hand.height >= 3 * 8
    for amount in STATEMENT_AMOUNTS:
        assert (joined[amount] == joined[f"{amount}_months"]).all(), amount
    parts = quarters["charges"] - quarters["credits"] + quarters["earned_back"] + quarters["bonus"]
    parts += quarters["corridor_compensation"] + quarters["gain_share"] + quarters["resource_adjustment"]
    assert (parts == quarters["net"]).all()


def test_the_degrading_partner_shows_chronic_failure(sample_analysis) -> None:
    gaps = sample_analysis.gaps.collect()
    chronic = gaps.filter(pl.col("chronic_failure")).group_by("partner_id").agg(pl.col("service_level").unique())
    assert "rivage" in chronic["partner_id"].to_list()
    assert "northcall" not in chronic["partner_id"].to_list()
    timeline = sample_analysis.timeline.collect()
    assert timeline.filter(pl.col("partner_id") == "rivage")["termination_right"].item() is True


def test_credits_never_exceed_the_at_risk_amount(sample_analysis) -> None:
    credits = sample_analysis.credits.collect()
    assert credits.height > 0
    month = credits.group_by("partner_id", "month").agg(pl.col("credit").sum(), pl.col("at_risk_amount").first())
    assert (month["credit"] <= month["at_risk_amount"]).all()
    assert set(credits["earnback_status"].unique()) >= {"final", "earned back", "provisional"}
