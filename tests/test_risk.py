"""Service credits, the cap, earn-back and bonuses (formulas.md §3, §7), to the cent."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_analytics.evaluation.gaps import gaps
from partner_analytics.risk.bonuses import bonuses
from partner_analytics.risk.charges import charges
from partner_analytics.risk.credits import capped_amounts, credits

from .factories import charges_frame, contract, grid, last_month, results

N = "northcall"
SL_VOICE = {"kpi": "service_level", "channel": "voice", "target": 0.80, "minimum": 0.75, "allocation_pct": 0.40}
AR_VOICE = {"kpi": "abandon_rate", "channel": "voice", "target": 0.05, "minimum": 0.08, "allocation_pct": 0.30}


def _credits(rows, months=("2026-01", "2026-06"), data_end="2026-06", amounts=None, **terms) -> pl.DataFrame:
    c = contract(**terms)
    g = gaps(results(*rows), c, grid(N, *months), None)
    amounts = amounts or {f"2026-0{i}": 1_000_000 for i in range(1, 7)}  # 10,000.00 a month
    return credits(g, charges_frame(N, amounts), c, last_month(data_end)).collect()


def test_charges_from_pricing_and_from_invoices() -> None:
    r = results(
        (N, "voice", "2026-01", "answered", 1000),
        (N, "chat", "2026-01", "answered", 500),
        (N, None, "2026-01", "answered", 1500),  # the partner-wide row is not priced again
        (N, "voice", "2026-02", "answered", 3),
        ("southdesk", "chat", "2026-01", "answered", 10),
    )
    invoices = pl.LazyFrame(
        {"partner_id": [N, N], "month": [dt.date(2026, 2, 1)] * 2, "amount": [10.0, 2.31]}  # two lines: 12.31
    )
    g = pl.concat([grid(N, "2026-01", "2026-02"), grid("southdesk", "2026-01", "2026-01")])
    df = charges(r, invoices, contract(), g).collect().sort("partner_id", "month")
    rows = {(x["partner_id"], f"{x['month']:%Y-%m}"): x for x in df.iter_rows(named=True)}
    # 1000 × 4.10 + 500 × 3.20 = 4,100.00 + 1,600.00 = 5,700.00
    assert rows[(N, "2026-01")]["charges"] == 570_000 and rows[(N, "2026-01")]["basis"] == "pricing"
    # February is invoiced: 12.31 (expected 3 × 4.10 = 12.30)
    assert rows[(N, "2026-02")]["charges"] == 1_231 and rows[(N, "2026-02")]["expected"] == 1_230
    assert rows[(N, "2026-02")]["basis"] == "invoice"
    # southdesk: monthly fee 20,000.00, no per-contact price
    assert rows[("southdesk", "2026-01")]["charges"] == 2_000_000


def test_credit_is_allocation_of_the_at_risk_amount() -> None:
    df = _credits([(N, "voice", "2026-01", "service_level", 0.70), (N, "voice", "2026-01", "abandon_rate", 0.09)])
    # at risk: 12 % × 10,000.00 = 1,200.00; credits 40 % → 480.00 and 30 % → 360.00 (840.00 ≤ 1,200.00)
    assert df["at_risk_amount"].to_list() == [120_000, 120_000]
    assert dict(zip(df["service_level"], df["credit"], strict=True)) == {
        "service_level/voice": 48_000,
        "abandon_rate/voice": 36_000,
    }
    assert df["capped"].to_list() == [False, False]


def test_no_credit_below_target_or_without_allocation() -> None:
    sl = [SL_VOICE, {"kpi": "asa", "channel": "voice", "target": 30, "minimum": 45}]
    df = _credits(
        [(N, "voice", "2026-01", "service_level", 0.78), (N, "voice", "2026-01", "asa", 60)], service_levels=sl
    )
    assert df.height == 0


def test_cap_bites_pro_rata() -> None:
    sl = [
        {"kpi": "service_level", "channel": "voice", "target": 0.8, "minimum": 0.75, "allocation_pct": 0.6},
        {"kpi": "abandon_rate", "channel": "voice", "target": 0.05, "minimum": 0.08, "allocation_pct": 0.5},
        {"kpi": "asa", "channel": "voice", "target": 30, "minimum": 45, "allocation_pct": 0.4},
    ]
    rows = [
        (N, "voice", "2026-01", "service_level", 0.1),
        (N, "voice", "2026-01", "abandon_rate", 0.5),
        (N, "voice", "2026-01", "asa", 99),
    ]
    df = _credits(rows, service_levels=sl)
    # uncapped 720 + 600 + 480 = 1,800.00 > 1,200.00 at risk: 1,200 × 0.6/1.5, × 0.5/1.5, × 0.4/1.5
    assert dict(zip(df["service_level"], df["credit"], strict=True)) == {
        "service_level/voice": 48_000,
        "abandon_rate/voice": 40_000,
        "asa/voice": 32_000,
    }
    assert df["credit"].sum() == 120_000 and df["capped"].all()


def test_cap_rounding_remainder_goes_to_the_largest_credit() -> None:
    sl = [
        {"kpi": "service_level", "channel": "voice", "target": 0.8, "minimum": 0.75, "allocation_pct": 0.5},
        {"kpi": "abandon_rate", "channel": "voice", "target": 0.05, "minimum": 0.08, "allocation_pct": 0.5},
        {"kpi": "asa", "channel": "voice", "target": 30, "minimum": 45, "allocation_pct": 0.5},
    ]
    rows = [
        (N, "voice", "2026-01", "service_level", 0.1),
        (N, "voice", "2026-01", "abandon_rate", 0.5),
        (N, "voice", "2026-01", "asa", 99),
    ]
    # charges 8,333.42 → at risk 12 % = 1,000.0104 → 1,000.01; a third each is 333.3366…→ 333.34 × 3 = 1,000.02,
    # one cent too many: the first of the equal largest credits gives it back.
    df = _credits(rows, service_levels=sl, amounts={"2026-01": 833_342})
    assert df["at_risk_amount"][0] == 100_001
    assert dict(zip(df["service_level"], df["credit"], strict=True)) == {
        "service_level/voice": 33_333,
        "abandon_rate/voice": 33_334,
        "asa/voice": 33_334,
    }


def test_earn_back_outcomes() -> None:
    # earn-back over 3 months. Credits in January (met Feb, Mar, Apr: earned back in April),
    # in May (June met, then the data ends: provisional) and for abandon rate in January
    # (February below target: final).
    sl_values = {"2026-01": 0.70, "2026-02": 0.81, "2026-03": 0.85, "2026-04": 0.80, "2026-05": 0.70, "2026-06": 0.90}
    ar_values = {"2026-01": 0.09, "2026-02": 0.06, "2026-03": 0.04, "2026-04": 0.04, "2026-05": 0.04, "2026-06": 0.04}
    rows = [(N, "voice", m, "service_level", v) for m, v in sl_values.items()]
    rows += [(N, "voice", m, "abandon_rate", v) for m, v in ar_values.items()]
    df = _credits(rows, earnback_months=3, service_levels=[SL_VOICE, AR_VOICE])
    got = {(r["service_level"], f"{r['month']:%Y-%m}"): r for r in df.iter_rows(named=True)}
    jan = got[("service_level/voice", "2026-01")]
    assert (jan["earnback_status"], jan["earned_back"], jan["earned_back_month"]) == (
        "earned back",
        48_000,
        dt.date(2026, 4, 1),
    )
    assert got[("service_level/voice", "2026-05")]["earnback_status"] == "provisional"
    assert got[("service_level/voice", "2026-05")]["earned_back"] == 0
    assert got[("abandon_rate/voice", "2026-01")]["earnback_status"] == "final"


def test_excused_or_unmeasured_months_do_not_earn_back() -> None:
    rows = [(N, "voice", "2026-01", "service_level", 0.70), (N, "voice", "2026-02", "service_level", 0.81)]
    # March has no value: observed (the data runs to June) and not met → final
    df = _credits(rows, earnback_months=2, service_levels=[SL_VOICE])
    assert df["earnback_status"].to_list() == ["final"]


def test_without_earn_back_credits_are_final() -> None:
    df = _credits([(N, "voice", "2026-01", "service_level", 0.70)], earnback_months=0, service_levels=[SL_VOICE])
    assert df["earnback_status"].to_list() == ["final"]


def test_bonus_on_stretch_capped_at_the_pool() -> None:
    sl = [
        {"kpi": "fcr", "target": 0.75, "minimum": 0.70, "allocation_pct": 0.4, "stretch": 0.80},
        {"kpi": "csat", "target": 4.0, "minimum": 3.8, "allocation_pct": 0.8, "stretch": 4.5},
    ]
    c = contract(service_levels=sl, bonus={"pool_pct": 0.05})
    g = gaps(
        results(
            (N, None, "2026-01", "fcr", 0.81), (N, None, "2026-02", "fcr", 0.81), (N, None, "2026-02", "csat", 4.6)
        ),
        c,
        grid(N, "2026-01", "2026-02"),
    )
    df = bonuses(g, charges_frame(N, {"2026-01": 1_000_000, "2026-02": 1_000_000}), c).collect()
    got = {(r["service_level"], f"{r['month']:%Y-%m}"): r["bonus"] for r in df.iter_rows(named=True)}
    # pool 5 % × 10,000.00 = 500.00; January: 40 % → 200.00
    assert got[("fcr", "2026-01")] == 20_000
    # February: 40 % + 80 % = 120 % of the pool → capped pro rata: 500 × 0.4/1.2 = 166.67, 500 × 0.8/1.2 = 333.33
    assert got[("fcr", "2026-02")] == 16_667 and got[("csat", "2026-02")] == 33_333


@settings(max_examples=60, deadline=None)
@given(
    cap=st.integers(0, 10**9),
    allocations=st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
)
def test_capped_amounts_never_exceed_the_cap(cap: int, allocations: list[int]) -> None:
    frame = pl.DataFrame(
        {
            "g": [1] * len(allocations),
            "order": list(range(len(allocations))),
            "cap": [cap] * len(allocations),
            "alloc": allocations,
        }
    ).with_columns((pl.col("cap").cast(pl.Int128) * pl.col("alloc").cast(pl.Int128)).alias("raw"))
    out = frame.with_columns(capped_amounts("raw", "cap", ["g"], "order"))
    assert out["amount"].sum() <= cap
    assert out["amount"].min() >= 0
    if out["capped"][0]:
        assert out["amount"].sum() == cap


# --- credit triggers ------------------------------------------------------------------------------------

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")


def _by_month(df: pl.DataFrame, sl: str = "service_level/voice") -> dict[str, int]:
    return {f"{r['month']:%Y-%m}": r["credit"] for r in df.filter(pl.col("service_level") == sl).iter_rows(named=True)}


def _sl_rows(values: list[float | None], kpi: str = "service_level") -> list[tuple]:
    return [(N, "voice", m, kpi, v) for m, v in zip(MONTHS, values, strict=False)]


def test_credit_on_consecutive_target_misses() -> None:
    # target 0.80, minimum 0.75; below target, below target, breach, met, below target, below target
    rows = _sl_rows([0.78, 0.77, 0.70, 0.82, 0.78, 0.79])
    df = _credits(
        rows, earnback_months=0, service_levels=[SL_VOICE], credit={"trigger": "target_misses", "consecutive": 2}
    )
    # runs below target: Jan–Mar (2nd and 3rd months credited), May–Jun (2nd month credited);
    # each 12 % × 10,000.00 × 40 % = 480.00
    assert _by_month(df) == {"2026-02": 48_000, "2026-03": 48_000, "2026-06": 48_000}


def test_target_misses_credit_from_the_month_the_run_reaches_consecutive() -> None:
    # consecutive 3; below target Jan, Feb, breach Mar, below target Apr, met May, below target Jun.
    # miss_streak 1, 2, 3, 4, 0, 1: March (the run reaches 3) and April (a later month of the run) earn
    # 480.00 each; January and February never do, not even once the run reaches 3.
    rows = _sl_rows([0.78, 0.77, 0.70, 0.79, 0.85, 0.78])
    df = _credits(
        rows, earnback_months=0, service_levels=[SL_VOICE], credit={"trigger": "target_misses", "consecutive": 3}
    )
    assert _by_month(df) == {"2026-03": 48_000, "2026-04": 48_000}


def test_credit_is_computed_from_the_exact_at_risk_amount_and_rounded_once() -> None:
    # charges 1,265.40, at risk 12 %: 151.848 (shown 151.85); allocation 50 %:
    # 0.12 × 1,265.40 × 0.5 = 75.924 → 75.92 (from the rounded at-risk amount it would be 75.925 → 75.93)
    sl = [{**SL_VOICE, "allocation_pct": 0.5}]
    df = _credits(_sl_rows([0.70]), service_levels=sl, amounts={"2026-01": 126_540})
    assert df["at_risk_amount"].to_list() == [15_185]
    assert df["credit"].to_list() == [7_592]


def test_the_cap_compares_credits_rounded_once() -> None:
    # at risk 151.848 (shown 151.85); two breaches of allocation 0.5: 75.924 → 75.92 each, 151.84 ≤ 151.85,
    # not capped. (From the rounded at-risk amount: 75.925 → 75.93 each, 151.86, capped to 75.93 + 75.92.)
    sl = [{**SL_VOICE, "allocation_pct": 0.5}, {**AR_VOICE, "allocation_pct": 0.5}]
    rows = _sl_rows([0.70]) + _sl_rows([0.09], "abandon_rate")
    df = _credits(rows, earnback_months=0, service_levels=sl, amounts={"2026-01": 126_540})
    assert df["credit"].to_list() == [7_592, 7_592]
    assert not df["capped"].any()


def test_escalated_credit_on_consecutive_minimum_misses() -> None:
    rows = _sl_rows([0.70, 0.70, 0.70, 0.70, 0.82, 0.70])
    df = _credits(rows, earnback_months=0, service_levels=[SL_VOICE], credit={"escalation": [1, 1.5, 2]})
    # 480.00 × 1, × 1.5 = 720.00, × 2 = 960.00 from the 3rd; May met resets the run: June × 1 again
    assert _by_month(df) == {
        "2026-01": 48_000,
        "2026-02": 72_000,
        "2026-03": 96_000,
        "2026-04": 96_000,
        "2026-06": 48_000,
    }
    assert df.sort("month")["multiplier"].to_list() == [1.0, 1.5, 2.0, 2.0, 1.0]


def test_escalated_credits_stay_under_the_at_risk_amount() -> None:
    sl = [{**SL_VOICE, "allocation_pct": 0.6}, {**AR_VOICE, "allocation_pct": 0.5}]
    rows = _sl_rows([0.70, 0.70]) + _sl_rows([0.09, 0.09], "abandon_rate")
    df = _credits(rows, earnback_months=0, service_levels=sl, credit={"escalation": [1, 2]})
    feb = df.filter(pl.col("month") == dt.date(2026, 2, 1))
    # February doubled: 1,440.00 + 1,200.00 = 2,640.00 > 1,200.00 at risk → pro rata 1,200 × 1440/2640, × 1200/2640
    assert dict(zip(feb["service_level"], feb["credit"], strict=True)) == {
        "service_level/voice": 65_455,  # 654.545… → 654.55
        "abandon_rate/voice": 54_545,  # 545.454… → 545.45
    }
    assert feb["capped"].all()


def test_proportional_shortfall_credit() -> None:
    sl = [SL_VOICE, AR_VOICE]
    rows = _sl_rows([0.79, 0.76, 0.80, 0.60]) + _sl_rows([0.05, 0.05, 0.05, 0.06], "abandon_rate")
    df = _credits(
        rows, earnback_months=0, service_levels=sl, credit={"trigger": "shortfall", "factor": 2, "max_pct": 0.03}
    )
    # Jan: (0.80 − 0.79) / 0.80 = 1.25 % short × 2 = 2.5 % of 10,000.00 = 250.00
    # Feb: (0.80 − 0.76) / 0.80 = 5 % × 2 = 10 % → at most max_pct 3 % = 300.00; March met: none
    # Apr: 25 % × 2 = 50 % → 3 % = 300.00
    assert _by_month(df) == {"2026-01": 25_000, "2026-02": 30_000, "2026-04": 30_000}
    # abandon rate (lower is better) in April: (0.06 − 0.05) / 0.05 = 20 % × 2 = 40 % → 3 % = 300.00
    assert _by_month(df, "abandon_rate/voice") == {"2026-04": 30_000}
    assert df.sort("month", "service_level")["credit_rate"].to_list() == [0.025, 0.03, 0.03, 0.03]


def test_shortfall_credit_is_at_most_the_service_levels_allocated_credit() -> None:
    df = _credits(_sl_rows([0.60]), service_levels=[SL_VOICE], credit={"trigger": "shortfall", "factor": 2})
    # 25 % × 2 = 50 % of 10,000.00 = 5,000.00, but a breach would earn 12 % × 10,000.00 × 40 % = 480.00
    assert _by_month(df) == {"2026-01": 48_000}


def test_a_service_levels_own_trigger_overrides_the_partners() -> None:
    ar = {**AR_VOICE, "credit": {"trigger": "target_misses", "consecutive": 1}}
    rows = _sl_rows([0.70, 0.78]) + _sl_rows([0.06, 0.04], "abandon_rate")
    df = _credits(rows, earnback_months=0, service_levels=[SL_VOICE, ar])
    # service level: the partner's default (a breach in January); abandon rate: any month below target
    assert _by_month(df) == {"2026-01": 48_000}
    assert _by_month(df, "abandon_rate/voice") == {"2026-01": 36_000}  # 12 % × 10,000.00 × 30 %


TRIGGERS = st.sampled_from(
    [
        {},
        {"escalation": [1, 1.5, 2]},
        {"escalation": [3, 5]},
        {"trigger": "target_misses", "consecutive": 1},
        {"trigger": "target_misses", "consecutive": 2},
        {"trigger": "shortfall", "factor": 4},
        {"trigger": "shortfall", "factor": 10, "max_pct": 0.5},
    ]
)


@settings(max_examples=40, deadline=None)
@given(
    partner_terms=TRIGGERS,
    own_terms=st.one_of(st.none(), TRIGGERS),
    allocations=st.tuples(st.integers(1, 10**6), st.integers(1, 10**6)),
    at_risk=st.integers(0, 10**6),
    charges=st.integers(0, 10**9),
    values=st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 0.2)), min_size=6, max_size=6),
)
def test_credits_never_exceed_the_at_risk_amount_whatever_the_trigger(
    partner_terms: dict, own_terms: dict | None, allocations: tuple[int, int], at_risk: int, charges: int, values: list
) -> None:
    ar = {**AR_VOICE, "allocation_pct": allocations[1] / 10**6}
    if own_terms is not None:
        ar["credit"] = own_terms
    sl = [{**SL_VOICE, "allocation_pct": allocations[0] / 10**6}, ar]
    rows = _sl_rows([v for v, _ in values]) + _sl_rows([a for _, a in values], "abandon_rate")
    df = _credits(
        rows,
        amounts={m: charges for m in MONTHS},
        service_levels=sl,
        pool_pct=2,
        at_risk_pct=at_risk / 10**6,
        credit=partner_terms,
    )
    per_month = df.group_by("month").agg(pl.col("credit").sum(), pl.col("at_risk_amount").first())
    assert (per_month["credit"] <= per_month["at_risk_amount"]).all()
    assert (df["credit"] >= 0).all()


# --- bonus as fixed amounts -----------------------------------------------------------------------------


def test_fixed_bonus_per_service_level_reached() -> None:
    sl = [
        {"kpi": "fcr", "target": 0.75, "minimum": 0.70, "stretch": 0.80, "bonus_amount": 2500.00},
        {"kpi": "csat", "target": 4.0, "minimum": 3.8, "stretch": 4.5, "bonus_amount": 1000.50},
        {"kpi": "quality_score", "target": 85, "minimum": 80, "stretch": 95},  # no amount: no bonus
    ]
    c = contract(service_levels=sl, bonus={"basis": "fixed"})
    g = gaps(
        results(
            (N, None, "2026-01", "fcr", 0.81),
            (N, None, "2026-02", "fcr", 0.81),
            (N, None, "2026-02", "csat", 4.6),
            (N, None, "2026-02", "quality_score", 99),
        ),
        c,
        grid(N, "2026-01", "2026-02"),
    )
    df = bonuses(g, charges_frame(N, {"2026-01": 1_000_000, "2026-02": 100}), c).collect()
    got = {(r["service_level"], f"{r['month']:%Y-%m}"): r["bonus"] for r in df.iter_rows(named=True)}
    # amounts in the currency, whatever the charges: 2,500.00 each month, 1,000.50 in February
    assert got == {("fcr", "2026-01"): 250_000, ("fcr", "2026-02"): 250_000, ("csat", "2026-02"): 100_050}
    assert set(df["basis"]) == {"fixed"} and not df["capped"].any() and df["bonus_pool"].is_null().all()


def test_bonus_pool_mirrors_the_at_risk_amount_without_a_percentage() -> None:
    sl = [{"kpi": "fcr", "target": 0.75, "minimum": 0.70, "allocation_pct": 0.4, "stretch": 0.80}]
    c = contract(service_levels=sl, bonus={})
    g = gaps(results((N, None, "2026-01", "fcr", 0.81)), c, grid(N, "2026-01", "2026-01"))
    row = bonuses(g, charges_frame(N, {"2026-01": 1_000_000}), c).collect().row(0, named=True)
    # the pool mirrors the at-risk amount: 12 % × 10,000.00 = 1,200.00; 40 % of it → 480.00
    assert (row["bonus_pool"], row["bonus"], row["basis"]) == (120_000, 48_000, "pool")
