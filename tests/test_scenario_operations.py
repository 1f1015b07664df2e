"""Operations what-if: the queueing inputs, the patience estimate, the calibration, hand-checked."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_analytics.metrics import (
    RESULTS_SCHEMA,
    results_from_sums,
    with_channel_formulas,
    with_partner_wide,
)
from partner_analytics.whatif.operations import (
    contact_counts,
    count_sums,
    interval_inputs,
    modelled_months,
    operations_results,
    patience,
)

from .factories import ALL_CONTACT_COLUMNS, TZ, contacts, contract, kpi_table

SEPT = dt.date(2026, 9, 1)


def test_patience_is_the_waits_of_every_contact_over_the_abandons() -> None:
    frame = contacts(
        ("a", "northcall", "voice", "2026-09-01 09:00", True, 10, 100, "k1", None),
        ("b", "northcall", "voice", "2026-09-01 09:01", True, 20, 100, "k2", None),
        ("c", "northcall", "voice", "2026-09-01 09:02", False, 30, None, "k3", None),
        ("d", "northcall", "voice", "2026-09-01 09:03", False, 40, None, "k4", None),
        ("e", "northcall", "chat", "2026-09-01 09:03", True, 40, 100, "k4", None),
    )
    got = {r["channel"]: r for r in patience(frame).collect().iter_rows(named=True)}
    assert got["voice"]["patience_s"] == (10 + 20 + 30 + 40) / 2 and got["voice"]["abandons"] == 2
    assert got["chat"]["patience_s"] == float("inf")  # nobody abandoned: Erlang C


def _staffing(*rows: tuple[str, str, str, int, float, str]) -> pl.LazyFrame:
    frame = pl.DataFrame(
        [
            {
                "partner_id": p,
                "channel": ch,
                "interval_start": dt.datetime.fromisoformat(at),
                "interval_minutes": m,
                "agents_logged_in": a,
                "site_id": site,
            }
            for p, ch, at, m, a, site in rows
        ],
        schema={
            "partner_id": pl.String,
            "channel": pl.String,
            "interval_start": pl.Datetime("us"),
            "interval_minutes": pl.Int64,
            "agents_logged_in": pl.Float64,
            "site_id": pl.String,
        },
    )
    return frame.with_columns(pl.col("interval_start").dt.replace_time_zone(TZ)).lazy()


def test_interval_inputs_pool_the_sites_and_count_the_contacts_of_each_interval() -> None:
    staffing = _staffing(
        ("northcall", "voice", "2026-09-01 09:00", 30, 1.5, "lille"),
        ("northcall", "voice", "2026-09-01 09:00", 30, 2.0, "porto"),
        ("northcall", "voice", "2026-09-01 09:30", 30, 1.0, "lille"),
    )
    frame = contacts(
        ("a", "northcall", "voice", "2026-09-01 09:05", True, 10, 200, "k1", None),
        ("b", "northcall", "voice", "2026-09-01 09:20", True, 5, 400, "k2", None),
        ("c", "northcall", "voice", "2026-09-01 09:29:59", False, 30, None, "k3", None),
        ("d", "northcall", "voice", "2026-09-01 09:45", False, 50, None, "k4", None),
        ("e", "northcall", "voice", "2026-09-01 10:10", True, 0, 100, "k5", None),  # after the last interval
    )
    got = interval_inputs(frame, staffing, contract().channels).collect()
    assert got["interval_start"].dt.strftime("%H:%M").to_list() == ["09:00", "09:30"]
    assert got["contacts"].to_list() == [3, 1]
    assert got["agents"].to_list() == [3.5, 1.0]
    # 09:30 has no answered contact: the AHT of the month's modelled answered contacts, (200 + 400) / 2
    assert got["aht_s"].to_list() == [300.0, 300.0]
    assert got["answer_within_s"].to_list() == [20.0, 20.0]
    assert got["patience_s"].to_list() == [(10 + 5 + 30 + 50 + 0) / 2] * 2  # every contact's wait, 2 abandons
    assert got["month"].to_list() == [SEPT, SEPT]


def _intervals(
    contacts_: list[float], agents: list[float], aht: float = 180.0, patience_s: float = 200.0
) -> pl.DataFrame:
    n = len(contacts_)
    return pl.DataFrame(
        {
            "partner_id": ["p"] * n,
            "channel": ["voice"] * n,
            "month": [SEPT] * n,
            "interval_minutes": [30] * n,
            "contacts": contacts_,
            "aht_s": [aht] * n,
            "agents": agents,
            "answer_within_s": [20.0] * n,
            "patience_s": [patience_s] * n,
        },
        schema_overrides={"contacts": pl.Int64},
    )


def test_modelled_months_weight_the_intervals_by_offered_and_answered_contacts() -> None:
    from partner_analytics.whatif.queueing import erlang_a

    intervals = _intervals([100, 50, 0], [14.0, 6.0, 3.0])
    got = modelled_months(intervals).row(0, named=True)
    a = erlang_a([100 * 180 / 1800, 50 * 180 / 1800], [14.0, 6.0], 180.0, 20.0, 200.0)
    assert abs(got["modelled_service_level"] - (100 * a.service_level[0] + 50 * a.service_level[1]) / 150) < 1e-15
    assert abs(got["modelled_abandon_rate"] - (100 * a.abandon_rate[0] + 50 * a.abandon_rate[1]) / 150) < 1e-15
    answered = [100 * (1 - a.abandon_rate[0]), 50 * (1 - a.abandon_rate[1])]
    asa = (answered[0] * a.asa_s[0] + answered[1] * a.asa_s[1]) / sum(answered)
    assert abs(got["modelled_asa_s"] - asa) < 1e-12
    # +20 % contacts, −10 % agents, +5 % AHT
    changed = modelled_months(intervals, (0.2, -0.1, 0.05)).row(0, named=True)
    b = erlang_a([120 * 189 / 1800, 60 * 189 / 1800], [12.6, 5.4], 189.0, 20.0, 200.0)
    assert abs(changed["modelled_service_level"] - (120 * b.service_level[0] + 60 * b.service_level[1]) / 180) < 1e-15


@settings(max_examples=60, deadline=None)
@given(
    contacts_=st.lists(st.integers(1, 300), min_size=1, max_size=6),
    agents=st.floats(0.5, 40.0),
    aht=st.floats(60.0, 900.0),
    patience_s=st.floats(10.0, 2000.0),
    volumes=st.lists(st.floats(-0.8, 3.0), min_size=2, max_size=5, unique=True),
)
def test_more_volume_never_raises_the_modelled_service_level(contacts_, agents, aht, patience_s, volumes) -> None:
    intervals = _intervals(contacts_, [agents * (1 + i % 3) for i in range(len(contacts_))], aht, patience_s)
    figures = [modelled_months(intervals, (v, 0.0, 0.0)).row(0, named=True) for v in sorted(volumes)]
    for lower, higher in itertools.pairwise(figures):
        assert higher["modelled_service_level"] <= lower["modelled_service_level"] + 1e-12
        assert higher["modelled_abandon_rate"] >= lower["modelled_abandon_rate"] - 1e-12


SUMS = {
    "offered": 1000,
    "answered": 900,
    "short_abandons": 20,
    "in_service": 800,
    "abandons_within_threshold": 50,
    "outside_hours": 0,
    "answered_outside_hours": 0,
    "wait_answered": 900 * 30.0,
    "handle_sum": 900 * 300.0,
    "handle_n": 900,
    "csat_sum": 400 * 4.0,
    "csat_n": 400,
    "csat_top2_n": 300,
    "fcr_resolved": 600,
    "fcr_counted": 800,
    "fcr_cut": 0,
    "nps_points": 300 * 100 - 100 * 100,  # 300 promoters, 100 detractors
    "nps_n": 500,
    "effort_sum": 500 * 5.0,
    "effort_n": 500,
    "transfers": 90,
    "fcr_repeated": 200,
}


SURVEY_COLUMNS = frozenset({"nps_answer", "effort_score", "transferred"})


def _results_of(sums: dict) -> pl.DataFrame:
    """The results the core computes from these sums (one partner, voice, September)."""
    frame = pl.LazyFrame([{"partner_id": "northcall", "channel": "voice", "month": SEPT, **sums}])
    keys = ["partner_id", "channel", "month"]
    with_sl = with_channel_formulas(frame, contract().channels)
    return (
        results_from_sums(with_partner_wide(with_sl, keys), present=ALL_CONTACT_COLUMNS | SURVEY_COLUMNS, keys=keys)
        .select(list(RESULTS_SCHEMA))
        .cast(RESULTS_SCHEMA)
        .collect()
    )


def _modelled(sl: float, ab: float, asa: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "partner_id": ["northcall"],
            "channel": ["voice"],
            "month": [SEPT],
            "modelled_service_level": [sl],
            "modelled_abandon_rate": [ab],
            "modelled_asa_s": [asa],
        }
    )


def test_contact_counts_read_the_sums_back_from_the_results() -> None:
    got = contact_counts(_results_of(SUMS).lazy()).collect().row(0, named=True)
    assert {k: got[k] for k in count_sums()} == SUMS


def test_the_scenario_moves_the_observed_odds_as_much_as_the_model_moves_its_own() -> None:
    base, scenario = _modelled(0.5, 0.2, 30.0), _modelled(0.4, 0.25, 45.0)
    got = operations_results(
        _results_of(SUMS),
        {("northcall", "voice"): (0.1, 0.0, 0.1)},
        {("northcall", "voice"): (base, scenario)},
        contract(),
        present=ALL_CONTACT_COLUMNS,
        forecasts=None,
    )
    kpis = kpi_table(got.filter(pl.col("channel") == "voice"))
    counts = {k: v for (ch, m, k), v in kpis.items()}
    assert counts["offered"] == 1100  # 1000 × 1.1
    # abandoned: odds 100/900 × (0.25/0.75) / (0.2/0.8) = 4/27, share 4/31; 1100 × 4/31 = 141.9 → 142
    assert counts["answered"] == 1100 - 142
    assert counts["short_abandons"] == 28  # 142 × 20/100 = 28.4
    assert counts["abandons_within_threshold"] == 71  # 142 × 50/100
    # in service: odds 800/200 × (0.4/0.6) / (0.5/0.5) = 8/3, share 8/11; 1100 × 8/11 = 800
    assert counts["in_service"] == 800
    assert abs(counts["service_level"] - 800 / (1100 - 28)) < 1e-15  # formulas.md §1 on the new counts
    assert abs(counts["abandon_rate"] - (1100 - 958 - 28) / (1100 - 28)) < 1e-15
    assert abs(counts["asa"] - 30 * 45 / 30) < 1e-12  # ASA × modelled 45 / 30
    assert abs(counts["aht"] - 300 * 1.1) < 1e-9
    # surveys and FCR counts follow the answered (958 / 900), their rates kept up to rounding
    csat_n = round(400 * 958 / 900)  # 425.8 → 426
    assert (
        abs(counts["csat"] - 4.0) < 1e-12 and abs(counts["csat_top2"] - 320 / csat_n) < 1e-15
    )  # 0.75 × 426 = 319.5 → 320
    assert abs(counts["fcr"] - 639 / 852) < 1e-15  # 800 × 958/900 = 851.6 → 852; 0.75 × 852 = 639
    wide = kpi_table(got.filter(pl.col("channel").is_null()))
    assert wide[(None, "2026-09", "offered")] == 1100


def test_shares_at_the_bounds_move_half_a_contact_inside_and_stay_below_one() -> None:
    sums = {
        **SUMS,
        "answered": 1000,
        "in_service": 1000,
        "short_abandons": 0,
        "abandons_within_threshold": 0,
        "wait_answered": 0.0,
    }
    got = operations_results(
        _results_of(sums),
        {("northcall", "voice"): (0.0, -0.5, 0.0)},
        {("northcall", "voice"): (_modelled(0.9, 0.01, 5.0), _modelled(0.3, 0.4, 0.0))},
        contract(),
        present=ALL_CONTACT_COLUMNS,
        forecasts=None,
    )
    counts = {k: v for (ch, m, k), v in kpi_table(got.filter(pl.col("channel") == "voice")).items()}
    # no abandon observed: 0.5/1000 moved by the model's odds ratio (0.4/0.6)/(0.01/0.99) = 66: about 3 %
    p = 0.0005 / 0.9995 * (0.4 / 0.6) / (0.01 / 0.99)
    assert counts["answered"] == 1000 - round(1000 * p / (1 + p))
    assert 0 < counts["service_level"] < 1
    assert counts["asa"] == 0.0  # observed 0 s × modelled 0 / 5


def test_an_unknown_model_keeps_the_observed_shares_and_scales_the_volume() -> None:
    got = operations_results(
        _results_of(SUMS),
        {("northcall", "voice"): (0.5, 0.0, 0.0)},
        {},
        contract(),
        present=ALL_CONTACT_COLUMNS,
        forecasts=None,
    )
    counts = {k: v for (ch, m, k), v in kpi_table(got.filter(pl.col("channel") == "voice")).items()}
    assert counts["offered"] == 1500 and counts["answered"] == 1350 and counts["in_service"] == 1200
    assert np.isclose(counts["service_level"], 1200 / (1500 - 30))
