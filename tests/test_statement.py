"""Gain-share on FCR (FORMULAS §5) and the net statement (§6), to the cent."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_analytics.metrics import RESULTS_SCHEMA
from partner_analytics.statement import STATEMENT_AMOUNTS, cycle_statement, gain_share, statement

from .factories import charges_frame, contract

N = "northcall"


def _fcr_results(resolved: int, counted: int, answered: int, month: str = "2026-01") -> pl.LazyFrame:
    day = dt.date.fromisoformat(f"{month}-01")
    rows = [
        {
            "partner_id": N,
            "channel": None,
            "month": day,
            "kpi": "fcr",
            "value": resolved / counted,
            "numerator": resolved,
            "denominator": counted,
        },
        {
            "partner_id": N,
            "channel": None,
            "month": day,
            "kpi": "answered",
            "value": answered,
            "numerator": answered,
            "denominator": None,
        },
    ]
    return pl.LazyFrame(rows, schema={k: v for k, v in RESULTS_SCHEMA.items() if k in rows[0]}).with_columns(
        pl.lit(False).alias("incomplete"), pl.lit(None, dtype=pl.String).alias("note")
    )


def _gain(resolved: int, pain: bool = False) -> dict:
    c = contract(gain_share={"baseline_fcr": 0.70, "provider_share": 0.5, "pain_share": pain})
    return (
        gain_share(_fcr_results(resolved, 1000, 1500), charges_frame(N, {"2026-01": 570_000}), c)
        .collect()
        .row(0, named=True)
    )


def test_gain_share() -> None:
    g = _gain(800)
    # fcr 0.80 over H = 1000: avoided (0.80 − 0.70) × 1000 = 100 contacts; charges / answered = 5,700.00 / 1500 = 3.80
    # value 100 × 3.80 = 380.00; provider share 50 % → 190.00
    assert g["avoided_contacts"] == 100
    assert (g["value"], g["gain_share"]) == (38_000, 19_000)


def test_loss_without_and_with_pain_share() -> None:
    # fcr 0.65: avoided −50 contacts, value −190.00
    assert (_gain(650)["value"], _gain(650)["gain_share"]) == (-19_000, 0)
    assert _gain(650, pain=True)["gain_share"] == -9_500


def test_gain_share_rounds_half_away_from_zero() -> None:
    c = contract(gain_share={"baseline_fcr": 0.70, "provider_share": 0.5})
    # avoided (701 − 700) = 1 contact × 1.01 / 1 (charges 1.01, answered 1) = 1.01 → half is 0.505 → 0.51
    frame = _fcr_results(701, 1000, 1)
    g = gain_share(frame, charges_frame(N, {"2026-01": 101}), c).collect().row(0, named=True)
    assert g["gain_share"] == 51


def _frames(month: str, credit: int, provisional: bool, earned: int, bonus: int, comp: int, gain: int):
    day = dt.date.fromisoformat(f"{month}-01")
    credits = pl.LazyFrame(
        {
            "partner_id": [N],
            "month": [day],
            "credit": [credit],
            "at_risk_amount": [120_000],
            "earnback_status": ["provisional" if provisional else "final"],
            "earned_back": [earned],
            "earned_back_month": [day],
        }
    )
    bonus_f = pl.LazyFrame({"partner_id": [N], "month": [day], "bonus": [bonus]})
    corridor_f = pl.LazyFrame({"partner_id": [N], "month": [day], "compensation": [comp]})
    gain_f = pl.LazyFrame({"partner_id": [N], "month": [day], "gain_share": [gain]})
    return credits, bonus_f, corridor_f, gain_f


def test_statement_net() -> None:
    credits, bonus_f, corridor_f, gain_f = _frames("2026-01", 48_000, True, 10_000, 20_000, 10_250, 19_000)
    row = (
        statement(charges_frame(N, {"2026-01": 1_000_000}), credits, bonus_f, corridor_f, gain_f)
        .collect()
        .row(0, named=True)
    )
    # 10,000.00 − 480.00 + 100.00 + 200.00 + 102.50 + 190.00 = 10,112.50
    assert row["net"] == 1_011_250
    assert row["credits_provisional"] == 48_000


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**8), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(-(10**6), 10**6)),
        min_size=3,
        max_size=3,
    )
)
def test_quarter_is_the_sum_of_its_months_and_net_adds_up(months: list[tuple[int, int, int, int]]) -> None:
    names = ["2026-07", "2026-08", "2026-09"]
    parts = [
        _frames(m, credit, False, 0, bonus, 0, gain) for m, (_, credit, bonus, gain) in zip(names, months, strict=True)
    ]
    credits, bonus_f, corridor_f, gain_f = (pl.concat([p[i] for p in parts]) for i in range(4))
    charges = charges_frame(N, {m: c for m, (c, *_) in zip(names, months, strict=True)})
    monthly = statement(charges, credits, bonus_f, corridor_f, gain_f)
    m = monthly.collect()
    assert (
        m["charges"] - m["credits"] + m["earned_back"] + m["bonus"] + m["corridor_compensation"] + m["gain_share"]
        == m["net"]
    ).all()
    q = cycle_statement(monthly, "quarter").collect().row(0, named=True)
    assert q["cycle"] == "2026-Q3" and q["months"] == 3
    for amount in STATEMENT_AMOUNTS:
        assert q[amount] == m[amount].sum()
