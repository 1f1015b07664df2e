"""Measurement periods (formulas.md §2.2): quarter, year to date, rolling months, hand-computed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import yaml

import partner_analytics as pa
from partner_analytics.contract.reading import read_contract
from partner_analytics.evaluation.gaps import gaps
from partner_analytics.metrics import RESULTS_SCHEMA
from partner_analytics.risk.credits import credits

from .conftest import contract as contract_dict
from .factories import charges_frame, contract, grid, last_month

N = "northcall"
SL = {"kpi": "service_level", "channel": "voice", "target": 0.80, "minimum": 0.75, "allocation_pct": 0.40}
# in service / answerable contacts per month
COUNTS = {"2026-01": (70, 100), "2026-02": (90, 100), "2026-03": (50, 100), "2026-04": (160, 200)}
COUNTS_Q2 = {"2026-05": (85, 100), "2026-06": (90, 100)}


def _results(counts: dict[str, tuple[int, int]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        [
            {
                "partner_id": N,
                "channel": "voice",
                "month": dt.date.fromisoformat(f"{m}-01"),
                "kpi": "service_level",
                "value": num / den,
                "numerator": float(num),
                "denominator": float(den),
                "incomplete": False,
                "note": None,
            }
            for m, (num, den) in counts.items()
        ],
        schema=RESULTS_SCHEMA,
    )


def _gaps(counts: dict[str, tuple[int, int]], last: str, **period: object) -> pl.DataFrame:
    c = contract(service_levels=[{**SL, **period}], earnback_months=0)
    return gaps(_results(counts), c, grid(N, "2026-01", last), None).sort("month").collect()


def _months(column: pl.Series) -> list[str]:
    return [f"{d:%Y-%m}" for d in column]


def test_a_quarter_is_assessed_in_its_last_month_with_its_credit() -> None:
    counts = COUNTS | COUNTS_Q2
    c = contract(service_levels=[{**SL, "measurement_period": "quarter"}], earnback_months=0)
    g = gaps(_results(counts), c, grid(N, "2026-01", "2026-06"), None)
    df = g.sort("month").collect()
    # Q1: (70 + 90 + 50) / 300 = 0.70, a breach in March; Q2: (160 + 85 + 90) / 400 = 0.8375, met in June
    assert df["status"].to_list() == ["not measurable", "not measurable", "breach"] + ["not measurable"] * 2 + ["met"]
    assert df["value"][2] == pytest.approx(0.70) and df["value"][5] == pytest.approx(0.8375)
    assert df["note"][0] == "measured over the quarter: assessed in 2026-03"
    assert _months(df["measured_from"]) == ["2026-01"] * 3 + ["2026-04"] * 3
    assert df["breach_streak"].to_list() == [0, 0, 1, 0, 0, 0]
    amounts = {m: 1_000_000 for m in counts}
    cr = credits(g, charges_frame(N, amounts), c, last_month("2026-06")).collect()
    # one credit, in March: 12 % × 10,000.00 × 40 % = 480.00
    assert _months(cr["month"]) == ["2026-03"] and cr["credit"].to_list() == [48_000]


def test_year_to_date_is_the_ratio_of_the_sums() -> None:
    df = _gaps(COUNTS, "2026-04", measurement_period="year_to_date")
    # 70/100, 160/200, 210/300, 370/500 = 0.74: the ratio of the sums, not the mean of the monthly
    # ratios (0.70 + 0.90 + 0.50 + 0.80) / 4 = 0.725
    assert df["value"].to_list() == pytest.approx([0.70, 0.80, 0.70, 0.74])
    assert df["status"].to_list() == ["breach", "met", "breach", "breach"]
    assert _months(df["measured_from"]) == ["2026-01"] * 4


def test_a_rolling_window_of_three_months() -> None:
    df = _gaps(COUNTS, "2026-04", measurement_period="rolling", rolling_months=3)
    # Jan 70/100; Feb 160/200; Mar 210/300; Apr (90 + 50 + 160) / (100 + 100 + 200) = 0.75, the minimum
    assert df["value"].to_list() == pytest.approx([0.70, 0.80, 0.70, 0.75])
    assert df["status"].to_list() == ["breach", "met", "breach", "below target"]
    # the window starts with the grid: January's covers January only
    assert _months(df["measured_from"]) == ["2026-01", "2026-01", "2026-01", "2026-02"]
    assert df["breach_streak"].to_list() == [1, 0, 1, 0] and df["miss_streak"].to_list() == [1, 0, 1, 2]


def test_a_month_is_measured_alone_by_default() -> None:
    df = _gaps(COUNTS, "2026-04")
    assert df["value"].to_list() == pytest.approx([0.70, 0.90, 0.50, 0.80])
    assert _months(df["measured_from"]) == _months(df["month"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"measurement_period": "rolling"}, "measurement_period rolling needs rolling_months"),
        (
            {"measurement_period": "quarter", "rolling_months": 3},
            "rolling_months applies to measurement_period rolling, not quarter",
        ),
        ({"measurement_period": "fortnight"}, "Input should be 'month', 'quarter', 'year_to_date' or 'rolling'"),
    ],
)
def test_bad_measurement_periods_name_their_key(tmp_path: Path, changes: dict, message: str) -> None:
    data = contract_dict()
    data["partners"][0]["service_levels"] = [{**SL, **changes}]
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(pa.ContractError) as info:
        read_contract(path)
    assert info.value.key.startswith("partners[0] (northcall).service_levels[0]")
    assert message in str(info.value)
