"""The drill from a result to the population its KPI is computed on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from partner_analytics.metrics import kpi_results, population_behind

from .factories import contacts, contract, engagement

N = "northcall"
TZ = "Europe/Paris"


def _engagement():
    rows = contacts(
        ("a", N, "voice", "2026-09-01 10:00", True, 3, 100, "x", 5),
        ("b", N, "voice", "2026-09-02 10:00", True, 30, 300, "y", 2),
        ("c", N, "chat", "2026-09-02 10:00", False, 90, None, "z", None),
        ("d", N, "voice", "2026-10-02 10:00", True, 1, 100, "w", None),
        ("e", N, "voice", "2026-09-03 10:00", False, 50, None, "v", None),
    ).with_columns(pl.Series("site_id", ["rabat", "lyon", "rabat", "rabat", "lyon"]))
    quality = pl.LazyFrame(
        {
            "partner_id": [N, N, N, N],
            "evaluated_at": [dt.datetime(2026, 9, d, 12) for d in (1, 2, 3)] + [dt.datetime(2026, 10, 1, 12)],
            "score": [90.0, 70.0, 80.0, 50.0],
            "channel": ["voice", "voice", "chat", "voice"],
            "contact_id": ["a", "b", "c", "d"],
        }
    ).with_columns(pl.col("evaluated_at").dt.replace_time_zone(TZ))
    return engagement(contract(), rows, quality=quality)


def test_quality_drills_to_its_evaluations_lowest_first():
    eng = _engagement()
    evaluations = population_behind(eng, "quality_score", N, "2026-09").collect()
    assert evaluations["score"].to_list() == [70.0, 80.0, 90.0]
    # the partner-wide quality score of September is their mean: (90 + 70 + 80) / 3 = 80
    result = kpi_results(eng).filter((pl.col("kpi") == "quality_score") & pl.col("channel").is_null()).collect()
    september = result.filter(pl.col("month") == dt.date(2026, 9, 1))["value"].item()
    assert september == pytest.approx(evaluations["score"].mean()) == pytest.approx(80.0)
    voice = population_behind(eng, "quality_score", N, "2026-09", "voice").collect()
    assert voice["contact_id"].to_list() == ["b", "a"]
    # an evaluation takes the site of the contact it evaluated
    lyon = population_behind(eng, "quality_score", N, "2026-09", site_id="lyon").collect()
    assert lyon["contact_id"].to_list() == ["b"]


def test_csat_drills_to_the_survey_answers():
    answers = population_behind(_engagement(), "csat", N, "2026-09", "voice").collect()
    # 2 of the 3 voice contacts of September answered the survey; their mean (5 + 2) / 2 = 3.5 is the CSAT
    assert answers["contact_id"].to_list() == ["b", "a"]
    assert answers["csat"].mean() == 3.5


def test_queue_kpis_drill_to_every_contact_offered_and_aht_to_the_answered():
    eng = _engagement()
    offered = population_behind(eng, "service_level", N, "2026-09", "voice").collect()
    assert offered["contact_id"].to_list() == ["e", "b", "a"]  # longest waits first, the abandon included
    answered = population_behind(eng, "aht", N, "2026-09", "voice").collect()
    assert answered["contact_id"].to_list() == ["b", "a"]  # AHT (100 + 300) / 2 = 200 s, longest first
    assert population_behind(eng, "offered", N, "2026-09").collect().height == 4
    assert population_behind(eng, "asa", N, "2026-09", site_id="lyon").collect()["contact_id"].to_list() == ["b"]


def test_a_kpi_without_its_table_says_which():
    with pytest.raises(ValueError, match="occupancy is computed from the staffing table"):
        population_behind(_engagement(), "occupancy", N, "2026-09")


def test_worst_scopes_ranks_partner_and_site_by_the_kpi_direction():
    from partner_analytics.metrics import worst_scopes

    rows = contacts(
        ("a", N, "voice", "2026-09-01 10:00", True, 10, 100, "x", None),
        ("b", N, "voice", "2026-09-01 11:00", True, 30, 100, "y", None),
        ("c", N, "voice", "2026-09-01 12:00", True, 50, 100, "z", None),
        ("d", "southdesk", "chat", "2026-09-01 12:00", True, 5, 100, "w", None),
        ("e", N, "voice", "2026-10-01 12:00", True, 500, 100, "v", None),
    ).with_columns(pl.Series("site_id", ["rabat", "rabat", "lyon", "tunis", "lyon"]))
    ranked = worst_scopes(engagement(contract(), rows), "asa", "2026-09").collect()
    # ASA, lower is better: lyon 50 s, rabat (10 + 30) / 2 = 20 s, tunis 5 s
    assert ranked.select("rank", "partner_id", "site_id", "value").rows() == [
        (1, N, "lyon", 50.0),
        (2, N, "rabat", 20.0),
        (3, "southdesk", "tunis", 5.0),
    ]
    with pytest.raises(ValueError, match="offered has no better direction"):
        worst_scopes(engagement(contract(), rows), "offered", "2026-09")
