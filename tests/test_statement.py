"""Gain-share on FCR (formulas.md §5) and the net statement (§6), to the cent."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_analytics.metrics import RESULTS_SCHEMA
from partner_analytics.risk.gain_share import gain_share
from partner_analytics.risk.statement import STATEMENT_AMOUNTS, cycle_statement, statement

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


# --- tiered gain / pain share ---------------------------------------------------------------------------

LOSS_BANDS = [
    {"from": 0, "to": 0.02, "provider_share": 1.0},
    {"from": 0.02, "to": 0.04, "provider_share": 0.5},
    {"from": 0.04, "provider_share": 0.2},
]


def _tiered(resolved: int, **terms) -> dict:
    c = contract(gain_share={"baseline_fcr": 0.70, "provider_share": 0.5, **terms})
    # H = answered = 1,000, charges 10,000.00: value / charges = (resolved − 700) / 1,000
    frame = _fcr_results(resolved, 1000, 1000)
    return gain_share(frame, charges_frame(N, {"2026-01": 1_000_000}), c).collect().row(0, named=True)


def test_a_5_percent_loss_costs_the_provider_3_2_percent() -> None:
    g = _tiered(650, pain_share=True, pain_bands=LOSS_BANDS)
    # fcr 0.65: avoided −50 of 1,000 → a loss of 5 % of 10,000.00 = −500.00
    # provider: 100 % of the first 2 % + 50 % of 2–4 % + 20 % of 4–5 % = 2 + 1 + 0.2 = 3.2 % = −320.00
    assert (g["value"], g["gain_share"]) == (-50_000, -32_000)


def test_a_loss_inside_the_first_band_and_a_gain_with_the_flat_share() -> None:
    # a 1.5 % loss: all borne by the provider, −150.00
    assert _tiered(685, pain_share=True, pain_bands=LOSS_BANDS)["gain_share"] == -15_000
    # a 3 % gain has no bands: the flat 50 % → 150.00
    assert _tiered(730, pain_share=True, pain_bands=LOSS_BANDS)["gain_share"] == 15_000


def test_gain_bands() -> None:
    bands = [{"from": 0, "to": 0.02, "provider_share": 0.5}, {"from": 0.02, "provider_share": 0.25}]
    g = _tiered(730, gain_bands=bands)
    # a 3 % gain = 300.00: 50 % of the first 2 % (100.00) + 25 % of the last 1 % (25.00) = 125.00
    assert (g["value"], g["gain_share"]) == (30_000, 12_500)
    # without pain share a loss still costs the provider nothing
    assert _tiered(650, gain_bands=bands)["gain_share"] == 0


@settings(max_examples=40, deadline=None)
@given(
    resolved=st.integers(0, 1000),
    answered=st.integers(1, 5000),
    charges=st.integers(0, 10**9),
    share=st.integers(0, 10**6),
)
def test_one_open_band_is_the_flat_share(resolved: int, answered: int, charges: int, share: int) -> None:
    frame = _fcr_results(resolved, 1000, answered)
    amounts = charges_frame(N, {"2026-01": charges})
    flat = contract(gain_share={"baseline_fcr": 0.7, "provider_share": share / 10**6, "pain_share": True})
    band = [{"from": 0, "provider_share": share / 10**6}]
    banded = contract(gain_share={"baseline_fcr": 0.7, "pain_share": True, "gain_bands": band, "pain_bands": band})
    a = gain_share(frame, amounts, flat).collect()
    b = gain_share(frame, amounts, banded).collect()
    assert a.equals(b)


# --- the resource adjustment in the statement ----------------------------------------------------------


def test_statement_net_with_a_resource_adjustment() -> None:
    credits, bonus_f, corridor_f, gain_f = _frames("2026-01", 48_000, False, 0, 0, 0, 0)
    resources = pl.LazyFrame(
        {"partner_id": [N, N], "month": [dt.date(2026, 1, 1)] * 2, "adjustment": [-1_000_000, 630_000]}
    )
    row = (
        statement(charges_frame(N, {"2026-01": 5_000_000}), credits, bonus_f, corridor_f, gain_f, resources)
        .collect()
        .row(0, named=True)
    )
    # RRC −10,000.00 on one baseline, ARC +6,300.00 on another: −3,700.00
    # net 50,000.00 − 480.00 − 3,700.00 = 45,820.00
    assert row["resource_adjustment"] == -370_000 and row["net"] == 4_582_000


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**8),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.integers(-(10**6), 10**6),
            st.integers(-(10**8), 10**8),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_net_adds_up_with_every_component(months: list[tuple[int, int, int, int, int]]) -> None:
    names = ["2026-07", "2026-08", "2026-09"]
    parts = [
        _frames(m, credit, False, 0, bonus, 0, gain)
        for m, (_, credit, bonus, gain, _) in zip(names, months, strict=True)
    ]
    credits, bonus_f, corridor_f, gain_f = (pl.concat([p[i] for p in parts]) for i in range(4))
    resources = pl.LazyFrame(
        {
            "partner_id": [N] * 3,
            "month": [dt.date.fromisoformat(f"{m}-01") for m in names],
            "adjustment": [a for *_, a in months],
        }
    )
    charges = charges_frame(N, {m: c for m, (c, *_) in zip(names, months, strict=True)})
    m = statement(charges, credits, bonus_f, corridor_f, gain_f, resources).collect()
    components = m["charges"] - m["credits"] + m["earned_back"] + m["bonus"] + m["corridor_compensation"]
    assert (components + m["gain_share"] + m["resource_adjustment"] == m["net"]).all()
    assert m["resource_adjustment"].to_list() == [a for *_, a in months]
    q = cycle_statement(m.lazy(), "quarter").collect().row(0, named=True)
    for amount in STATEMENT_AMOUNTS:
        assert q[amount] == m[amount].sum()
