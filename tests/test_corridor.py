"""The volume corridor (formulas.md §4): contractual forecast by lead time, compensation, excuse."""

from __future__ import annotations

import datetime as dt

import polars as pl

from partner_analytics.evaluation.volume_corridor import corridor, excuses
from partner_analytics.metrics.forecasts import contractual_forecasts

from .factories import contract

N = "northcall"
TERMS = {"volume_corridor": {"band": 0.10, "forecast_lead_months": 2, "shortfall_rate": 0.5}}


def _forecasts(*rows: tuple[str, str, float, str | None]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "partner_id": [N] * len(rows),
            "channel": [r[0] for r in rows],
            "month": [dt.date.fromisoformat(f"{r[1]}-01") for r in rows],
            "forecast_contacts": [r[2] for r in rows],
            "issued_on": [dt.date.fromisoformat(r[3]) if r[3] else None for r in rows],
        },
        schema={
            "partner_id": pl.String,
            "channel": pl.String,
            "month": pl.Date,
            "forecast_contacts": pl.Float64,
            "issued_on": pl.Date,
        },
    )


def _offered(*rows: tuple[str, str, int]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "partner_id": [N] * len(rows),
            "channel": [r[0] for r in rows],
            "month": [dt.date.fromisoformat(f"{r[1]}-01") for r in rows],
            "offered": [r[2] for r in rows],
        },
        schema={"partner_id": pl.String, "channel": pl.String, "month": pl.Date, "offered": pl.Int64},
    )


FORECASTS = _forecasts(
    ("voice", "2026-09", 800, "2026-06-15"),
    ("voice", "2026-09", 1000, "2026-07-01"),  # the latest on or before 1 Sept − 2 months: contractual
    ("voice", "2026-09", 1200, "2026-07-02"),  # too late to be contractual
    ("voice", "2026-10", 1000, "2026-08-01"),
    ("voice", "2026-11", 500, "2026-10-01"),  # issued one month ahead only: no contractual forecast
    ("chat", "2026-09", 300, None),  # undated: contractual as it stands
    ("chat", "2026-09", 999, "2026-05-01"),
)


def test_contractual_forecast_is_chosen_by_lead_time() -> None:
    df = contractual_forecasts(FORECASTS, contract(**TERMS)).collect()
    got = {(r["channel"], f"{r['month']:%Y-%m}"): r["forecast_contacts"] for r in df.iter_rows(named=True)}
    assert got == {("voice", "2026-09"): 1000, ("voice", "2026-10"): 1000, ("chat", "2026-09"): 300}


def test_shortfall_compensation_excuse_and_no_forecast() -> None:
    offered = _offered(
        ("voice", "2026-09", 850), ("voice", "2026-10", 1150), ("voice", "2026-11", 10), ("chat", "2026-09", 300)
    )
    df = corridor(offered, FORECASTS, contract(**TERMS)).collect()
    got = {(r["channel"], f"{r['month']:%Y-%m}"): r for r in df.iter_rows(named=True)}
    sept = got[("voice", "2026-09")]
    # L = 1000 × 0.9 = 900 > A = 850: (900 − 850) × 4.10 × 0.5 = 102.50
    assert (sept["position"], sept["lower"], sept["upper"], sept["shortfall_contacts"]) == ("below", 900, 1100, 50)
    assert sept["compensation"] == 10_250
    # A = 1150 > U = 1100: above, no compensation
    assert (got[("voice", "2026-10")]["position"], got[("voice", "2026-10")]["compensation"]) == ("above", 0)
    assert (got[("voice", "2026-11")]["position"], got[("voice", "2026-11")]["compensation"]) == ("no forecast", 0)
    assert got[("chat", "2026-09")]["position"] == "within"


def test_boundaries_are_inside_the_corridor() -> None:
    df = corridor(
        _offered(("voice", "2026-09", 900), ("voice", "2026-10", 1100)), FORECASTS, contract(**TERMS)
    ).collect()
    assert df["position"].to_list() == ["within", "within"]


def test_excuses_per_channel_and_partner_wide() -> None:
    offered = _offered(("voice", "2026-10", 1150), ("chat", "2026-09", 340), ("voice", "2026-09", 1000))
    df = excuses(corridor(offered, FORECASTS, contract(**TERMS))).collect()
    got = {(r["channel"], f"{r['month']:%Y-%m}"): r["excused"] for r in df.iter_rows(named=True)}
    assert got[("voice", "2026-10")] is True and got[("voice", "2026-09")] is False
    assert got[("chat", "2026-09")] is True  # 340 > 300 × 1.1 = 330
    # partner-wide September: 1000 + 340 = 1340 ≤ 1100 + 330 = 1430 → not excused
    assert got[(None, "2026-09")] is False and got[(None, "2026-10")] is True


def test_partners_without_a_corridor_have_no_rows() -> None:
    assert corridor(_offered(("voice", "2026-09", 1)), FORECASTS, contract()).collect().height == 0
