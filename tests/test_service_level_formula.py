"""Service-level formula options (contract `service_level_formula` per channel, `formula` per service
level), on the worked check: 1,000 answered, 860 within 20 s, 60 abandoned of which 20 within 20 s
and 10 within 5 s (short abandons)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from partner_analytics.contract.reading import parse_contract
from partner_analytics.contract.terms import Contract
from partner_analytics.evaluation.gaps import gaps
from partner_analytics.metrics import contact_results, service_level_results
from partner_analytics.pipeline.analysis import compute

from .conftest import contract as contract_dict
from .factories import ALL_CONTACT_COLUMNS, contacts, engagement, grid, kpi_table

N = "northcall"
# voice: T = 20 s, S = 5 s
VOICE = (
    [(f"in{i}", N, "voice", "2026-09-01 09:00", True, 10, 60, None, None) for i in range(860)]
    + [(f"late{i}", N, "voice", "2026-09-01 09:00", True, 35, 60, None, None) for i in range(140)]
    + [(f"short{i}", N, "voice", "2026-09-01 09:00", False, 2, None, None, None) for i in range(10)]
    + [(f"quit{i}", N, "voice", "2026-09-01 09:00", False, 12, None, None, None) for i in range(10)]
    + [(f"gone{i}", N, "voice", "2026-09-01 09:00", False, 45, None, None, None) for i in range(40)]
)
# chat: T = 60 s, S = 10 s: 3 in service, 1 answered late, 1 short abandon
CHAT = [
    ("c1", N, "chat", "2026-09-02 10:00", True, 30, 60, None, None),
    ("c2", N, "chat", "2026-09-02 10:00", True, 30, 60, None, None),
    ("c3", N, "chat", "2026-09-02 10:00", True, 30, 60, None, None),
    ("c4", N, "chat", "2026-09-02 10:00", True, 90, 60, None, None),
    ("c5", N, "chat", "2026-09-02 10:00", False, 5, None, None, None),
]
FRAME = contacts(*VOICE, *CHAT)


def _contract(voice_formula: dict[str, Any] | None = None, service_levels: list[dict] | None = None) -> Contract:
    data = contract_dict()
    if voice_formula is not None:
        data["channels"]["voice"]["service_level_formula"] = voice_formula
    if service_levels is not None:
        data["partners"][0]["service_levels"] = service_levels
    return parse_contract(data)


def _service_level_row(results: pl.DataFrame, channel: str | None) -> dict:
    rows = results.filter((pl.col("kpi") == "service_level") & pl.col("channel").eq_missing(channel))
    return rows.row(0, named=True)


FORMULAS = [
    # (formula, numerator, denominator, percentage to one decimal)
    ({"short_abandons_in_denominator": True, "abandons_in_service": True}, 860 + 20, 1060, 83.0),
    ({"denominator": "answered"}, 860, 1000, 86.0),
    ({"short_abandons_in_denominator": True}, 860, 1060, 81.1),
    ({"denominator": "answered_and_late_abandons"}, 860, 1000 + 40, 82.7),
    ({}, 860, 1060 - 10, 81.9),  # formulas.md §1, the default
    ({"abandons_in_service": True}, 860 + 20 - 10, 1060 - 10, 82.9),  # the 10 short abandons stay out of both
]


def test_the_counts_of_the_worked_check() -> None:
    k = kpi_table(contact_results(FRAME, _contract(), present=ALL_CONTACT_COLUMNS).collect())
    assert (k[("voice", "2026-09", "offered")], k[("voice", "2026-09", "answered")]) == (1060, 1000)
    assert (k[("voice", "2026-09", "in_service")], k[("voice", "2026-09", "abandons_within_threshold")]) == (860, 20)
    assert k[("voice", "2026-09", "short_abandons")] == 10


@pytest.mark.parametrize(("formula", "numerator", "denominator", "percent"), FORMULAS)
def test_channel_formula(formula: dict, numerator: int, denominator: int, percent: float) -> None:
    results = contact_results(FRAME, _contract(formula), present=ALL_CONTACT_COLUMNS).collect()
    row = _service_level_row(results, "voice")
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert round(row["value"] * 100, 1) == percent


def test_partner_wide_service_level_sums_each_channels_own_formula() -> None:
    results = contact_results(FRAME, _contract({"denominator": "answered"}), present=ALL_CONTACT_COLUMNS).collect()
    # voice (answered): 860 / 1000; chat (default): 3 / (5 − 1) → partner-wide (860 + 3) / (1000 + 4)
    assert _service_level_row(results, "chat")["value"] == pytest.approx(3 / 4)
    wide = _service_level_row(results, None)
    assert (wide["numerator"], wide["denominator"]) == (863, 1004)


@pytest.mark.parametrize(("formula", "numerator", "denominator", "percent"), FORMULAS)
def test_restated_results_equal_the_results_computed_with_the_formula(
    formula: dict, numerator: int, denominator: int, percent: float
) -> None:
    """What a changed contract computes from the counts equals what the contacts give under it."""
    default = contact_results(FRAME, _contract(), present=ALL_CONTACT_COLUMNS)
    changed = _contract(formula)
    restated = service_level_results(default, changed).collect()
    direct = contact_results(FRAME, changed, present=ALL_CONTACT_COLUMNS).collect()
    columns = ["partner_id", "channel", "month", "kpi"]
    assert restated.sort(columns, nulls_last=True).equals(
        direct.select(restated.columns).sort(columns, nulls_last=True)
    )
    assert _service_level_row(restated, "voice")["denominator"] == denominator


def test_a_service_level_with_its_own_formula_keeps_the_default_row() -> None:
    sl = [
        {
            "kpi": "service_level",
            "channel": "voice",
            "target": 0.8,
            "minimum": 0.75,
            "allocation_pct": 0.4,
            "formula": {"denominator": "answered_and_late_abandons"},
        },
        {"kpi": "service_level", "target": 0.8, "minimum": 0.75, "formula": {"denominator": "answered"}},
        {"kpi": "service_level", "channel": "chat", "target": 0.8, "minimum": 0.75},
    ]
    c = _contract(service_levels=sl)
    results = contact_results(FRAME, c, present=ALL_CONTACT_COLUMNS)
    g = gaps(results, c, grid(N, "2026-09", "2026-09")).collect()
    value = dict(zip(g["service_level"], g["value"], strict=True))
    # voice under its own formula: 860 / (1000 + 40); partner-wide over answered: (860 + 3) / (1000 + 4);
    # chat reads the channel row (default formula): 3 / 4
    assert value == pytest.approx(
        {"service_level/voice": 860 / 1040, "service_level": 863 / 1004, "service_level/chat": 0.75}
    )
    assert dict(zip(g["service_level"], g["status"], strict=True))["service_level/voice"] == "met"  # 82.7 % ≥ 80 %
    # the results keep the channel's default row: 860 / 1050
    assert _service_level_row(results.collect(), "voice")["value"] == pytest.approx(860 / 1050)


def test_a_changed_formula_reruns_through_compute_without_reading_contacts() -> None:
    sl = [{"kpi": "service_level", "channel": "voice", "target": 0.83, "minimum": 0.82, "allocation_pct": 0.4}]
    before = _contract(service_levels=sl)
    eng = engagement(before, FRAME)
    cached = compute(eng)
    # default 81.9 %: a breach of the 82 % minimum
    assert cached.gaps.collect()["status"].to_list() == ["breach"]
    after = _contract({"short_abandons_in_denominator": True, "abandons_in_service": True}, service_levels=sl)
    what_if = compute(eng, contract=after, results=cached.results.collect())
    # (860 + 20) / 1060 = 83.0 %: met
    assert what_if.gaps.collect()["status"].to_list() == ["met"]
    assert what_if.credits.collect().height == 0 and cached.credits.collect().height == 1
    assert _service_level_row(what_if.results.collect(), "voice")["value"] == pytest.approx(880 / 1060)
