"""Objective versus result (formulas.md §2), hand-computed."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partner_analytics.evaluation.gaps import gaps, status_expr

from .factories import contract, grid, results

N = "northcall"
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def _gaps(rows: list[tuple], excused: pl.LazyFrame | None = None, **terms) -> pl.DataFrame:
    return gaps(results(*rows), contract(**terms), grid(N, "2026-01", "2026-06"), excused).collect()


def _series(df: pl.DataFrame, sl: str, column: str) -> list:
    return df.filter(pl.col("service_level") == sl).sort("month")[column].to_list()


def test_status_per_month_for_a_higher_is_better_kpi() -> None:
    # target 0.80, minimum 0.75
    values = [0.82, 0.78, 0.70, None, 0.80, 0.75]
    df = _gaps([(N, "voice", m, "service_level", v) for m, v in zip(MONTHS, values, strict=True)])
    assert _series(df, "service_level/voice", "status") == [
        "met",
        "below target",
        "breach",
        "not measurable",
        "met",
        "below target",
    ]
    assert _series(df, "service_level/voice", "gap")[0] == pytest.approx(0.82 - 0.80)
    assert _series(df, "service_level/voice", "gap_to_minimum")[2] == pytest.approx(0.70 - 0.75)
    assert _series(df, "service_level/voice", "attainment")[1] == pytest.approx(0.78 / 0.80)
    assert _series(df, "service_level/voice", "note")[3] == "no data for this KPI in the month"


def test_lower_is_better_kpi_with_minimum_above_target() -> None:
    # abandon rate: target 0.05, minimum 0.08 (lower is better)
    values = [0.04, 0.06, 0.09, 0.05, 0.08, 0.081]
    df = _gaps([(N, "voice", m, "abandon_rate", v) for m, v in zip(MONTHS, values, strict=True)])
    assert _series(df, "abandon_rate/voice", "status") == [
        "met",
        "below target",
        "breach",
        "met",
        "below target",
        "breach",
    ]
    assert _series(df, "abandon_rate/voice", "attainment")[0] == pytest.approx(0.05 / 0.04)  # target / value


def test_excused_replaces_breach_only() -> None:
    values = [0.70, 0.78, 0.70, 0.82, 0.70, 0.70]
    excused = pl.LazyFrame(
        {
            "partner_id": [N] * 3,
            "channel": ["voice"] * 3,
            "month": [f"{m}-01" for m in MONTHS[:3]],
            "excused": [True, True, False],
        }
    ).with_columns(pl.col("month").str.to_date())
    df = _gaps([(N, "voice", m, "service_level", v) for m, v in zip(MONTHS, values, strict=True)], excused)
    # excused in Jan (breach → excused) and Feb (below target stays below target); Mar not excused
    assert _series(df, "service_level/voice", "status")[:3] == ["excused", "below target", "breach"]


def test_breach_streak_and_chronic_failure() -> None:
    # chronic failure: 3 breaches within 6 months (the default)
    values = [0.70, 0.70, 0.82, 0.70, 0.70, 0.70]
    df = _gaps([(N, "voice", m, "service_level", v) for m, v in zip(MONTHS, values, strict=True)])
    assert _series(df, "service_level/voice", "breach_streak") == [1, 2, 0, 1, 2, 3]
    assert _series(df, "service_level/voice", "breaches_in_window") == [1, 2, 2, 3, 4, 5]
    assert _series(df, "service_level/voice", "chronic_failure") == [False, False, False, True, True, True]


def test_chronic_failure_window_slides() -> None:
    # 2 breaches within 3 months: B . . B . B → windows: 1,1,1(B..),1,1,2
    values = [0.70, 0.82, 0.82, 0.70, 0.82, 0.70]
    df = _gaps(
        [(N, "voice", m, "service_level", v) for m, v in zip(MONTHS, values, strict=True)],
        chronic_failure={"breaches": 2, "within_months": 3},
    )
    assert _series(df, "service_level/voice", "breaches_in_window") == [1, 1, 1, 1, 1, 2]
    assert _series(df, "service_level/voice", "chronic_failure") == [False] * 5 + [True]


def test_partner_wide_service_level_reads_the_partner_wide_row() -> None:
    sl = [{"kpi": "csat", "target": 4.2, "minimum": 4.0, "allocation_pct": 0.4}]
    df = _gaps([(N, None, "2026-01", "csat", 4.1), (N, "voice", "2026-01", "csat", 3.0)], service_levels=sl)
    assert _series(df, "csat", "status")[0] == "below target"
    assert _series(df, "csat", "value")[0] == pytest.approx(4.1)


def test_stretch_reached() -> None:
    sl = [{"kpi": "fcr", "target": 0.75, "minimum": 0.70, "allocation_pct": 0.4, "stretch": 0.80}]
    df = _gaps([(N, None, "2026-01", "fcr", 0.80), (N, None, "2026-02", "fcr", 0.79)], service_levels=sl)
    assert _series(df, "fcr", "stretch_reached")[:2] == [True, False]


@given(
    a=st.floats(0, 1, allow_nan=False),
    b=st.floats(0, 1, allow_nan=False),
    target=st.floats(0, 1, allow_nan=False),
    width=st.floats(0, 1, allow_nan=False),
    higher=st.booleans(),
)
def test_status_is_monotone_in_the_value(a: float, b: float, target: float, width: float, higher: bool) -> None:
    d = 1 if higher else -1
    minimum = target - d * width
    lo, hi = sorted((a, b))
    worse, better = (lo, hi) if higher else (hi, lo)
    frame = pl.DataFrame({"value": [worse, better]})
    status = (
        frame.select(status_expr(pl.col("value"), pl.lit(target), pl.lit(minimum), pl.lit(d))).to_series().to_list()
    )
    rank = {"breach": 0, "below target": 1, "met": 2}
    assert rank[status[0]] <= rank[status[1]]


def test_miss_streak_counts_months_below_target_or_in_breach() -> None:
    values = [0.78, 0.70, None, 0.79, 0.75, 0.81]
    df = _gaps([(N, "voice", m, "service_level", v) for m, v in zip(MONTHS, values, strict=True)])
    # below target, breach, not measurable (breaks the run), below target, below target (at the minimum), met
    assert _series(df, "service_level/voice", "miss_streak") == [1, 2, 0, 1, 2, 0]
    assert _series(df, "service_level/voice", "breach_streak") == [0, 1, 0, 0, 0, 0]


# --- chronic failure: credits at the at-risk cap ------------------------------------------------------

CAPPED_SL = [
    {"kpi": "service_level", "channel": "voice", "target": 0.80, "minimum": 0.75, "allocation_pct": 0.6},
    {"kpi": "abandon_rate", "channel": "voice", "target": 0.05, "minimum": 0.08, "allocation_pct": 0.5},
]
#                Jan   Feb   Mar   Apr   May   Jun
CAPPED_SLS = [0.70, 0.70, 0.70, 0.82, 0.70, 0.82]
CAPPED_ABANDONS = [0.09, 0.04, 0.09, 0.04, 0.09, 0.04]


def _rights(chronic: dict, as_of: str | None = None):
    from partner_analytics.evaluation.gaps import termination_rights
    from partner_analytics.governance.reversibility import timeline
    from partner_analytics.risk.credits import credits

    from .factories import charges_frame, last_month

    c = contract(service_levels=CAPPED_SL, chronic_failure=chronic, earnback_months=0)
    rows = [(N, "voice", m, "service_level", v) for m, v in zip(MONTHS, CAPPED_SLS, strict=True)]
    rows += [(N, "voice", m, "abandon_rate", v) for m, v in zip(MONTHS, CAPPED_ABANDONS, strict=True)]
    g = gaps(results(*rows), c, grid(N, "2026-01", "2026-06"))
    cr = credits(g, charges_frame(N, dict.fromkeys(MONTHS, 1_000_000)), c, last_month("2026-06"))
    if as_of is not None:
        day = pl.LazyFrame({"as_of": [as_of]}).with_columns(pl.col("as_of").str.to_date())
        return timeline(c, day, g, cr).filter(pl.col("partner_id") == N).collect().row(0, named=True)
    return g.collect(), termination_rights(g, cr, c).sort("month").collect()


def test_chronic_failure_when_credits_reach_the_cap_in_k_of_m_months() -> None:
    g, rights = _rights({"capped_months": 2, "within_months": 3})
    # at risk 12 % × 10,000.00 = 1,200.00. Both breached (720.00 + 600.00 > 1,200.00: capped) in Jan, Mar, May;
    # Feb: 720.00 alone. Months at the cap within the last 3: 1, 1, 2, 1, 2, 1
    assert rights["months_at_cap"].to_list() == [1, 1, 2, 1, 2, 1]
    assert rights["chronic_failure"].to_list() == [False, False, True, False, True, False]
    assert rights["termination_reason"][2] == "credits at the at-risk cap in 2 of the last 3 months"
    # the breaches rule is off: 3 breaches of the service level within 3 months in March open nothing
    assert _series(g, "service_level/voice", "breaches_in_window")[2] == 3
    assert not g["chronic_failure"].any() and rights["chronic_service_levels"].is_null().all()


def test_either_chronic_rule_opens_the_termination_right() -> None:
    _, rights = _rights({"breaches": 3, "capped_months": 2, "within_months": 3})
    # March: 3 breaches of the service level within 3 months, and 2 months at the cap; May: at the cap only
    assert rights["chronic_failure"].to_list() == [False, False, True, False, True, False]
    assert rights["termination_reason"][2] == (
        "repeated breaches: service_level/voice; credits at the at-risk cap in 2 of the last 3 months"
    )
    assert rights["termination_reason"][4] == "credits at the at-risk cap in 2 of the last 3 months"


def test_timeline_reads_the_cap_rule() -> None:
    march = _rights({"capped_months": 2, "within_months": 3}, as_of="2026-03-31")
    assert march["termination_right"] is True and march["chronic_service_levels"] is None
    assert march["termination_reason"] == "credits at the at-risk cap in 2 of the last 3 months"
    april = _rights({"capped_months": 2, "within_months": 3}, as_of="2026-04-30")
    assert april["termination_right"] is False and april["termination_reason"] is None
