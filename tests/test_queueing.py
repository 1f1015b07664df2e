"""Tests of the queueing models against exact sums, Jagerman's integral, the birth–death chain,
a simulation and published check values."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from partner_analytics.whatif.queueing import (
    erlang_a,
    erlang_b,
    erlang_c,
    interval_estimates,
    offered_load,
)

try:  # tests/ as a package, or tests/ on sys.path (pytest's default for a plain folder)
    from tests.reference_queueing import (
        erlang_a_chain,
        erlang_b_exact,
        erlang_c_exact,
        inverse_erlang_b_quadrature,
        simulate_erlang_a,
    )
except ImportError:
    from reference_queueing import (  # type: ignore[no-redef]
        erlang_a_chain,
        erlang_b_exact,
        erlang_c_exact,
        inverse_erlang_b_quadrature,
        simulate_erlang_a,
    )

agents_st = st.floats(min_value=0.05, max_value=120.0)
load_st = st.floats(min_value=0.01, max_value=120.0)
aht_st = st.floats(min_value=5.0, max_value=1800.0)
threshold_st = st.floats(min_value=0.0, max_value=600.0)
patience_st = st.floats(min_value=1.0, max_value=3600.0)


# --- published check values ------------------------------------------------------------------


def test_published_check_values_100_calls_per_half_hour():
    # 100 calls in 30 min with AHT 180 s: load = 100 × 180 / 1800 = 10 Erlangs.
    load = offered_load(100, 180, 30)
    assert load == pytest.approx(10.0, abs=1e-12)
    fourteen = erlang_c(load, 14, 180, 20)
    thirteen = erlang_c(load, 13, 180, 20)
    assert abs(fourteen.service_level - 0.8884) < 1e-4
    assert abs(thirteen.service_level - 0.7956) < 1e-4
    assert round(float(fourteen.occupancy), 3) == 0.714
    assert fourteen.occupancy == pytest.approx(10 / 14, abs=1e-15)


# --- Erlang B and C against exact sums (integer agents) --------------------------------------


@pytest.mark.parametrize(
    ("numerator", "agents"),
    [(1, 1), (9, 2), (10_000, 10), (99_999, 100), (1_000, 5), (250_000, 40), (7, 300)],
)
def test_erlang_b_matches_exact_sum(numerator, agents):
    load = Fraction(numerator, 1000)
    exact = float(erlang_b_exact(load, agents))
    assert erlang_b(float(load), agents) == pytest.approx(exact, rel=1e-11)


@settings(max_examples=150, deadline=None)
@given(
    agents=st.integers(min_value=0, max_value=400),
    milli_load=st.integers(min_value=1, max_value=500_000),
)
def test_erlang_b_matches_exact_sum_everywhere(agents, milli_load):
    load = Fraction(milli_load, 1000)
    exact = float(erlang_b_exact(load, agents))
    assert erlang_b(float(load), agents) == pytest.approx(exact, rel=1e-10, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=250),
    occupancy_permille=st.integers(min_value=1, max_value=999),
    aht=aht_st,
    threshold=threshold_st,
)
def test_erlang_c_matches_exact_sum(agents, occupancy_permille, aht, threshold):
    load = Fraction(agents * occupancy_permille, 1000)
    waiting, service_level, asa = erlang_c_exact(load, agents, aht, threshold)
    got = erlang_c(float(load), agents, aht, threshold)
    assert abs(got.wait_probability - waiting) < 1e-10
    assert abs(got.service_level - service_level) < 1e-10
    assert got.asa_s == pytest.approx(asa, rel=1e-9, abs=1e-10)
    assert got.occupancy == pytest.approx(float(load) / agents, rel=1e-15)
    assert np.isnan(got.abandon_rate)
    assert not got.overloaded


# --- non-integer agents ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("load", "agents"),
    [(0.05, 0.3), (0.5, 2.7), (3.0, 1.5), (10.0, 12.4), (10.0, 9.99), (45.0, 50.5), (80.0, 20.25)],
)
def test_continuous_erlang_b_is_jagerman_integral(load, agents):
    # 1 / B(x, a) = ∫₀^∞ e^{-u} (1 + u/a)^x du, by quadrature in the reference.
    expected = 1.0 / inverse_erlang_b_quadrature(load, agents)
    assert erlang_b(load, agents) == pytest.approx(expected, rel=1e-10)


@settings(max_examples=150, deadline=None)
@given(agents=st.floats(min_value=1.0, max_value=300.0), load=st.floats(min_value=0.01, max_value=400))
def test_continuous_erlang_b_keeps_the_recursion(agents, load):
    # 1/B(x, a) = 1 + (x / a) / B(x − 1, a) for every real x ≥ 1.
    assume(erlang_b(load, agents) > 1e-250)
    inverse = 1.0 / erlang_b(load, agents)
    inverse_below = 1.0 / erlang_b(load, agents - 1.0)
    assert inverse == pytest.approx(1.0 + agents / load * inverse_below, rel=1e-11)


@settings(max_examples=150, deadline=None)
@given(
    floor=st.integers(min_value=1, max_value=80),
    fraction=st.floats(min_value=0.01, max_value=0.99),
    occupancy=st.floats(min_value=0.05, max_value=0.98),
    aht=aht_st,
    threshold=threshold_st,
)
def test_non_integer_agents_lie_between_neighbours(floor, fraction, occupancy, aht, threshold):
    load = floor * occupancy
    low, mid, high = (erlang_c(load, n, aht, threshold) for n in (floor, floor + fraction, floor + 1))
    tolerance = 1e-12
    assert low.service_level - tolerance <= mid.service_level <= high.service_level + tolerance
    assert low.wait_probability + tolerance >= mid.wait_probability >= high.wait_probability - tolerance
    assert low.asa_s * (1 + 1e-12) >= mid.asa_s >= high.asa_s * (1 - 1e-12)


def test_non_integer_agents_at_integers_equal_the_textbook_values():
    exact = erlang_c_exact(Fraction(10), 12, 180.0, 20.0)
    got = erlang_c(10.0, 12.0, 180.0, 20.0)
    assert (got.wait_probability, got.service_level) == pytest.approx(exact[:2], abs=1e-13)
    nearly = erlang_c(10.0, 12.0 + 1e-9, 180.0, 20.0)
    assert nearly.service_level == pytest.approx(got.service_level, abs=1e-8)


def test_average_staffing_above_the_load_is_stable_though_its_floor_is_not():
    # 10.6 agents on average for 10.3 Erlangs: stable (agents > load), unlike 10 agents.
    got = erlang_c(10.3, 10.6, 180.0, 20.0)
    assert not got.overloaded
    assert 0.0 < got.service_level < erlang_c(10.3, 11, 180.0, 20.0).service_level
    assert np.isfinite(got.asa_s)
    assert erlang_c(10.3, 10, 180.0, 20.0).overloaded


# --- Erlang C properties ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(load=load_st, agents=agents_st, aht=aht_st, threshold=threshold_st)
def test_erlang_c_figures_are_in_range(load, agents, aht, threshold):
    got = erlang_c(load, agents, aht, threshold)
    assert 0.0 <= got.service_level <= 1.0
    assert 0.0 <= got.wait_probability <= 1.0
    assert got.asa_s >= 0.0
    assert 0.0 <= got.occupancy <= 1.0
    assert got.overloaded == (agents <= load)


@settings(max_examples=200, deadline=None)
@given(
    load=load_st,
    agents=agents_st,
    more=st.floats(min_value=0.01, max_value=20.0),
    aht=aht_st,
    threshold=threshold_st,
)
def test_more_agents_never_lower_service_or_raise_asa(load, agents, more, aht, threshold):
    fewer, plenty = erlang_c(load, agents, aht, threshold), erlang_c(load, agents + more, aht, threshold)
    assert plenty.service_level >= fewer.service_level - 1e-12
    assert plenty.asa_s <= fewer.asa_s * (1 + 1e-12)
    assert plenty.wait_probability <= fewer.wait_probability + 1e-12


@settings(max_examples=200, deadline=None)
@given(
    contacts=st.floats(min_value=1.0, max_value=2000.0),
    factor=st.floats(min_value=1.001, max_value=3.0),
    agents=agents_st,
    aht=aht_st,
    threshold=threshold_st,
)
def test_more_traffic_or_longer_handling_never_raises_service(contacts, factor, agents, aht, threshold):
    def service_level(contacts_: float, aht_: float) -> float:
        load = offered_load(contacts_, aht_, 30)
        return float(erlang_c(load, agents, aht_, threshold).service_level)

    base = service_level(contacts, aht)
    assert service_level(contacts * factor, aht) <= base + 1e-12
    assert service_level(contacts, aht * factor) <= base + 1e-12


# --- edge cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["c", "a"])
def test_zero_load_is_served_at_once(model):
    got = _model(model, [0.0, 0.0], [5.0, 0.0], 180.0, 20.0)
    assert got.service_level.tolist() == [1.0, 1.0]
    assert got.asa_s.tolist() == [0.0, 0.0]
    assert got.wait_probability.tolist() == [0.0, 0.0]
    assert got.occupancy[0] == 0.0 and np.isnan(got.occupancy[1])
    assert not got.overloaded.any()
    if model == "a":
        assert got.abandon_rate.tolist() == [0.0, 0.0]


def test_erlang_c_at_or_above_capacity_gives_the_limits_and_a_flag():
    got = erlang_c([10.0, 12.0, 3.0], [10.0, 9.5, 0.0], 180.0, 20.0)
    assert got.service_level.tolist() == [0.0, 0.0, 0.0]
    assert got.wait_probability.tolist() == [1.0, 1.0, 1.0]
    assert np.isinf(got.asa_s).all()
    assert got.occupancy[:2].tolist() == [1.0, 1.0] and np.isnan(got.occupancy[2])
    assert got.overloaded.all()
    # the limit from the stable side
    near = erlang_c(10.0, 10.0 + 1e-7, 180.0, 20.0)
    assert near.service_level < 1e-5 and near.asa_s > 1e8


@pytest.mark.parametrize("model", ["c", "a"])
@pytest.mark.parametrize(
    ("load", "agents", "aht", "threshold", "patience"),
    [
        (np.nan, 5.0, 180.0, 20.0, 60.0),
        (3.0, np.nan, 180.0, 20.0, 60.0),
        (3.0, 5.0, np.nan, 20.0, 60.0),
        (3.0, 5.0, 180.0, np.nan, 60.0),
        (-1.0, 5.0, 180.0, 20.0, 60.0),
        (3.0, -5.0, 180.0, 20.0, 60.0),
        (np.inf, 5.0, 180.0, 20.0, 60.0),
        (3.0, 5.0, 0.0, 20.0, 60.0),  # positive load with zero handle time
    ],
)
def test_invalid_inputs_give_nan(model, load, agents, aht, threshold, patience):
    got = _model(model, load, agents, aht, threshold, patience)
    for name in ("wait_probability", "service_level", "asa_s", "abandon_rate", "occupancy"):
        assert np.isnan(getattr(got, name)), name
    assert not got.overloaded


def test_erlang_a_nan_patience_gives_nan():
    assert np.isnan(erlang_a(3.0, 5.0, 180.0, 20.0, np.nan).service_level)
    assert np.isnan(erlang_a(3.0, 5.0, 180.0, 20.0, -1.0).service_level)


def test_zero_threshold_counts_only_the_contacts_that_do_not_wait():
    got = erlang_c(10.0, 13.0, 180.0, 0.0)
    assert got.service_level == pytest.approx(1.0 - got.wait_probability, abs=1e-15)
    queued = erlang_a(10.0, 13.0, 180.0, 0.0, 90.0)
    assert queued.service_level == pytest.approx(1.0 - queued.wait_probability, abs=1e-14)


def test_inputs_broadcast_and_keep_their_shape():
    got = erlang_c(np.full((2, 3), 10.0), [[12.0], [14.0]], 180.0, [10.0, 20.0, 30.0])
    assert got.service_level.shape == (2, 3)
    assert got.service_level[1, 1] == pytest.approx(0.8884, abs=1e-4)
    assert erlang_a(10.0, 14.0, 180.0, 20.0, 120.0).service_level.shape == ()
    assert erlang_b([1.0, 2.0], 3.0).shape == (2,)


def test_long_arrays_are_computed_in_parts_like_single_values():
    rng = np.random.default_rng(3)
    size = 40_000  # more than one cache-sized part
    agents = rng.uniform(1.0, 60.0, size)
    load = agents * rng.uniform(0.3, 1.3, size)
    patience = rng.uniform(30.0, 600.0, size)
    many_c = erlang_c(load, agents, 240.0, 20.0)
    many_a = erlang_a(load, agents, 240.0, 20.0, patience)
    for i in rng.choice(size, 25, replace=False):
        one_c = erlang_c(load[i], agents[i], 240.0, 20.0)
        one_a = erlang_a(load[i], agents[i], 240.0, 20.0, patience[i])
        assert many_c.service_level[i] == pytest.approx(float(one_c.service_level), abs=1e-13)
        assert many_a.service_level[i] == pytest.approx(float(one_a.service_level), abs=1e-13)
        assert many_a.asa_s[i] == pytest.approx(float(one_a.asa_s), rel=1e-12)


# --- Erlang A against the birth–death chain and a simulation ---------------------------------


ERLANG_A_CASES = [
    # load, agents, aht_s, answer_within_s, patience_s
    (10.0, 14, 180.0, 20.0, 120.0),  # the check-value interval, with abandons
    (10.0, 11, 180.0, 20.0, 120.0),  # near capacity
    (10.0, 9, 180.0, 20.0, 120.0),  # overloaded: Erlang C has no steady state here
    (25.0, 18, 300.0, 30.0, 600.0),  # overloaded, patient customers
    (0.4, 2, 420.0, 60.0, 45.0),  # small team, impatient customers
    (30.0, 33, 240.0, 0.0, 200.0),  # zero threshold
    (30.0, 33, 240.0, 3600.0, 200.0),  # threshold far above the waits
    (5.0, 6, 60.0, 20.0, 2000.0),  # patience far above handle time
]


@pytest.mark.parametrize(("load", "agents", "aht", "threshold", "patience"), ERLANG_A_CASES)
def test_erlang_a_matches_the_birth_death_chain(load, agents, aht, threshold, patience):
    expected = erlang_a_chain(load, agents, aht, threshold, patience)
    got = erlang_a(load, agents, aht, threshold, patience)
    for name in ("wait_probability", "service_level", "abandon_rate", "occupancy"):
        assert abs(getattr(got, name) - expected[name]) < 1e-10, name
    assert got.asa_s == pytest.approx(expected["asa_s"], rel=1e-9)
    assert got.overloaded == (agents <= load)


@pytest.mark.parametrize(
    ("load", "agents", "aht", "threshold", "patience"),
    [
        # Twice the capacity, patience 20 × AHT: about 400 waiting, waits near 600 × ln 2 s.
        (40.0, 20, 30.0, 416.0, 600.0),
        (40.0, 20, 30.0, 380.0, 600.0),
        (200.0, 10, 300.0, 20.0, 600.0),
    ],
)
def test_erlang_a_matches_the_chain_far_beyond_capacity(load, agents, aht, threshold, patience):
    expected = erlang_a_chain(load, agents, aht, threshold, patience)
    got = erlang_a(load, agents, aht, threshold, patience)
    for name in ("wait_probability", "service_level", "abandon_rate", "occupancy"):
        assert abs(getattr(got, name) - expected[name]) < 1e-10, name
    assert got.asa_s == pytest.approx(expected["asa_s"], rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=30),
    occupancy=st.floats(min_value=0.05, max_value=1.5),
    aht=st.floats(min_value=60.0, max_value=600.0),
    threshold=st.floats(min_value=0.0, max_value=300.0, allow_subnormal=False),
    patience_ratio=st.floats(min_value=0.05, max_value=3.0),
)
def test_erlang_a_matches_the_chain_everywhere(agents, occupancy, aht, threshold, patience_ratio):
    load = agents * occupancy
    expected = erlang_a_chain(load, agents, aht, threshold, aht * patience_ratio)
    got = erlang_a(load, agents, aht, threshold, aht * patience_ratio)
    for name in ("wait_probability", "service_level", "abandon_rate", "occupancy"):
        assert abs(getattr(got, name) - expected[name]) < 1e-9, name
    assert got.asa_s == pytest.approx(expected["asa_s"], rel=1e-8, abs=1e-12)


@pytest.mark.parametrize(("load", "agents", "aht", "threshold", "patience"), ERLANG_A_CASES[:3])
def test_erlang_a_agrees_with_a_simulation(load, agents, aht, threshold, patience):
    simulated = simulate_erlang_a(load, agents, aht, threshold, patience, customers=200_000, seed=11)
    got = erlang_a(load, agents, aht, threshold, patience)
    assert got.service_level == pytest.approx(simulated["service_level"], abs=0.01)
    assert got.abandon_rate == pytest.approx(simulated["abandon_rate"], abs=0.005)
    assert got.asa_s == pytest.approx(simulated["asa_s"], rel=0.05)
    assert got.occupancy == pytest.approx(simulated["occupancy"], abs=0.01)


# --- Erlang A properties and limits ----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(load=load_st, agents=agents_st, aht=aht_st, threshold=threshold_st, patience=patience_st)
def test_erlang_a_figures_are_consistent(load, agents, aht, threshold, patience):
    got = erlang_a(load, agents, aht, threshold, patience)
    assert 0.0 <= got.abandon_rate <= got.wait_probability + 1e-12 <= 1.0 + 1e-12
    assert 0.0 <= got.service_level <= 1.0 - got.abandon_rate + 1e-12
    assert 0.0 <= got.asa_s < math.inf
    assert 0.0 <= got.occupancy <= 1.0 + 1e-12
    # carried load = load × (1 − abandon) cannot exceed the agents
    assert load * (1.0 - got.abandon_rate) <= agents * (1.0 + 1e-9)


@settings(max_examples=200, deadline=None)
@given(
    load=load_st,
    agents=agents_st,
    more=st.floats(min_value=0.01, max_value=20.0),
    aht=aht_st,
    threshold=threshold_st,
    patience=patience_st,
)
def test_erlang_a_more_agents_help(load, agents, more, aht, threshold, patience):
    fewer = erlang_a(load, agents, aht, threshold, patience)
    plenty = erlang_a(load, agents + more, aht, threshold, patience)
    assert plenty.service_level >= fewer.service_level - 1e-10
    assert plenty.abandon_rate <= fewer.abandon_rate + 1e-10
    assert plenty.wait_probability <= fewer.wait_probability + 1e-10


@settings(max_examples=150, deadline=None)
@given(
    agents=st.floats(min_value=0.5, max_value=80.0),
    occupancy=st.floats(min_value=0.05, max_value=0.95),
    aht=aht_st,
    threshold=threshold_st,
)
def test_erlang_a_tends_to_erlang_c_as_patience_grows(agents, occupancy, aht, threshold):
    load = agents * occupancy
    c = erlang_c(load, agents, aht, threshold)
    a = erlang_a(load, agents, aht, threshold, aht * 1e9)
    assert a.abandon_rate < 1e-6
    assert a.service_level == pytest.approx(float(c.service_level), abs=1e-6)
    assert a.wait_probability == pytest.approx(float(c.wait_probability), abs=1e-6)
    assert a.asa_s == pytest.approx(float(c.asa_s), rel=1e-5, abs=1e-9)
    exact_limit = erlang_a(load, agents, aht, threshold, math.inf)
    assert exact_limit.abandon_rate == 0.0
    assert exact_limit.service_level == c.service_level


@settings(max_examples=100, deadline=None)
@given(load=load_st, agents=agents_st, aht=aht_st, threshold=threshold_st)
def test_erlang_a_tends_to_the_loss_system_as_patience_vanishes(load, agents, aht, threshold):
    blocked = float(erlang_b(load, agents))
    a = erlang_a(load, agents, aht, threshold, aht * 1e-9)
    assert a.abandon_rate == pytest.approx(blocked, abs=1e-6)
    zero = erlang_a(load, agents, aht, threshold, 0.0)
    assert zero.abandon_rate == pytest.approx(blocked, rel=1e-15)
    assert zero.service_level == pytest.approx(1.0 - blocked, rel=1e-15)
    assert zero.asa_s == 0.0


def test_erlang_a_non_integer_agents_lie_between_neighbours():
    low, mid, high = (erlang_a(10.0, n, 180.0, 20.0, 120.0) for n in (12.0, 12.4, 13.0))
    assert low.service_level < mid.service_level < high.service_level
    assert low.abandon_rate > mid.abandon_rate > high.abandon_rate
    assert low.asa_s > mid.asa_s > high.asa_s


def test_erlang_a_without_agents_loses_every_contact():
    got = erlang_a(3.0, 0.0, 180.0, 20.0, 60.0)
    assert (got.abandon_rate, got.service_level, got.wait_probability) == (1.0, 0.0, 1.0)
    assert np.isnan(got.asa_s) and np.isnan(got.occupancy)
    assert got.overloaded


def test_erlang_a_stays_finite_far_beyond_capacity():
    # 5000 Erlangs on 10 agents: almost everybody abandons, the agents are always busy.
    got = erlang_a([5000.0, 200.0], [10.0, 10.0], 300.0, 20.0, [3600.0, 1e5])
    assert got.abandon_rate == pytest.approx([1 - 10 / 5000, 1 - 10 / 200], abs=1e-9)
    assert got.occupancy == pytest.approx([1.0, 1.0], abs=1e-9)
    assert np.isfinite(got.asa_s).all() and (got.service_level < 1e-9).all()


# --- the polars entry point ------------------------------------------------------------------


def _intervals() -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "channel": ["voice", "voice", "chat", "voice", "voice", "voice"],
            "contacts": [100, 100, 40, 0, None, 130],
            "aht_s": [180.0, 180.0, 600.0, 300.0, 180.0, 180.0],
            "agents": [14.0, 13.0, 15.5, 4.0, 14.0, 12.0],
            "interval_minutes": [30, 30, 30, 30, 30, 30],
            "answer_within_s": [20.0, 20.0, 60.0, 20.0, 20.0, 20.0],
            "patience_s": [120.0, 120.0, 300.0, 120.0, 120.0, 120.0],
        }
    )


def test_interval_estimates_stays_lazy_and_matches_erlang_c():
    plan = interval_estimates(_intervals(), answer_within_s="answer_within_s")
    assert isinstance(plan, pl.LazyFrame)
    frame = plan.collect()
    assert frame.columns[:7] == _intervals().collect_schema().names()
    load = np.array([10.0, 10.0, 40 * 600 / 1800, 0.0, np.nan, 13.0])
    expected = erlang_c(
        load, frame["agents"].to_numpy(), frame["aht_s"].to_numpy(), frame["answer_within_s"].to_numpy()
    )
    assert frame["offered_load"].to_list()[:4] == pytest.approx(load[:4].tolist())
    assert frame["modelled_service_level"][0] == pytest.approx(0.8884, abs=1e-4)
    assert frame["modelled_service_level"].to_list()[:4] == pytest.approx(
        expected.service_level[:4].tolist(), abs=1e-15
    )
    assert frame["modelled_asa_s"][5] == math.inf and frame["modelled_overloaded"][5] is True
    assert frame["modelled_abandon_rate"].null_count() == 6
    assert frame["modelled_occupancy"][3] == 0.0
    null_row = frame.row(4, named=True)
    assert all(null_row[c] is None for c in frame.columns if c.startswith("modelled_"))
    assert null_row["offered_load"] is None


def test_interval_estimates_with_patience_is_erlang_a_and_engines_agree():
    plan = interval_estimates(_intervals(), answer_within_s="answer_within_s", patience_s="patience_s")
    streaming = plan.collect()
    in_memory = plan.collect(engine="in-memory")
    assert streaming.equals(in_memory)
    expected = erlang_a(13.0, 12.0, 180.0, 20.0, 120.0)  # row 5: 130 calls = 13 Erlangs, 12 agents
    row = streaming.row(5, named=True)
    assert row["modelled_abandon_rate"] == pytest.approx(float(expected.abandon_rate), abs=1e-15)
    assert row["modelled_service_level"] == pytest.approx(float(expected.service_level), abs=1e-15)
    assert math.isfinite(row["modelled_asa_s"]) and row["modelled_overloaded"] is True
    assert streaming["modelled_abandon_rate"][3] == 0.0


def test_interval_estimates_takes_numbers_for_thresholds_and_patience():
    by_number = interval_estimates(_intervals(), answer_within_s=20, patience_s=120).collect()
    by_column = interval_estimates(
        _intervals().with_columns(pl.lit(20.0).alias("t"), pl.lit(120.0).alias("p")),
        answer_within_s="t",
        patience_s="p",
    ).collect()
    assert by_number["modelled_service_level"].equals(by_column["modelled_service_level"])
    assert (
        by_number["modelled_service_level"][2]
        != interval_estimates(_intervals(), answer_within_s="answer_within_s", patience_s=120).collect()[
            "modelled_service_level"
        ][2]
    )


def _model(model, load, agents, aht, threshold, patience=120.0):
    if model == "c":
        return erlang_c(load, agents, aht, threshold)
    return erlang_a(load, agents, aht, threshold, patience)


def test_interval_estimates_on_many_rows_matches_numpy_row_by_row():
    rng = np.random.default_rng(5)
    size = 50_000  # several batches of the streaming engine
    agents = rng.uniform(1.0, 60.0, size)
    aht = rng.uniform(120.0, 600.0, size)
    contacts = np.round(agents * rng.uniform(0.3, 1.2, size) * 1800.0 / aht)
    patience = rng.uniform(30.0, 600.0, size)
    frame = pl.LazyFrame(
        {"contacts": contacts, "aht_s": aht, "agents": agents, "interval_minutes": 30, "patience_s": patience}
    )
    got = interval_estimates(frame, answer_within_s=20.0, patience_s="patience_s").collect()
    expected = erlang_a(offered_load(contacts, aht, 30), agents, aht, 20.0, patience)
    # Batches differ from numpy's parts, so converged intervals may take a few more negligible terms.
    np.testing.assert_allclose(got["modelled_service_level"].to_numpy(), expected.service_level, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["modelled_abandon_rate"].to_numpy(), expected.abandon_rate, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["modelled_asa_s"].to_numpy(), expected.asa_s, rtol=1e-12)
    assert np.array_equal(got["modelled_overloaded"].to_numpy(), expected.overloaded)


@pytest.mark.parametrize(
    ("load", "agents", "aht", "threshold", "patience"),
    [(105.0, 2, 5.0, 40.0, 355.0), (28.0, 1, 5.0, 156.0, 1118.0), (32.0, 1, 5.0, 157.0, 1198.0)],
)
def test_erlang_a_far_beyond_capacity_answers_no_one_in_time(load, agents, aht, threshold, patience):
    # The birth-death chain (erlang_a_chain, ~1 min each, so not rerun here) gives service levels of
    # 0.0, -2e-17 and 2e-15 for these intervals: queues of thousands leave no one answered within T.
    got = erlang_a(load, float(agents), aht, threshold, patience)
    assert abs(float(got.service_level)) <= 1e-10
    assert float(got.abandon_rate) == pytest.approx(1 - agents / load, abs=1e-3)
