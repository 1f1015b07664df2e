"""Independent references for the queueing models (slow, simple, used only by the tests).

* Erlang B / C for integer N in exact rational arithmetic (the textbook sums);
* continuous Erlang B by quadrature of Jagerman's integral;
* Erlang A for integer N from the truncated birth–death chain: stationary distribution solved
  as a linear system, and for an arrival with k customers ahead the absorbing chain of its
  position in the queue (transient probabilities by uniformisation, conditional mean wait by
  linear solves);
* a discrete-event simulation of the M/M/N+M queue (FCFS, exponential patience).
"""

from __future__ import annotations

import heapq
import math
import random
from fractions import Fraction

import numpy as np


def erlang_b_exact(load: Fraction, agents: int) -> Fraction:
    """B(N, a) = (a^N / N!) / Σ_{k=0}^{N} a^k / k!."""
    terms = [load**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms)


def erlang_c_exact(load: Fraction, agents: int, aht_s: float, answer_within_s: float) -> tuple[float, float, float]:
    """(wait probability, service level, ASA) of M/M/N for integer N > load."""
    terms = [load**k / math.factorial(k) for k in range(agents)]
    last = load**agents / math.factorial(agents) * agents / (agents - load)
    waiting = last / (sum(terms) + last)
    service_level = 1.0 - float(waiting) * math.exp(-float(agents - load) * answer_within_s / aht_s)
    asa = float(waiting) * aht_s / float(agents - load)
    return float(waiting), service_level, asa


def inverse_erlang_b_quadrature(load: float, agents: float, panels: int = 4000) -> float:
    """1 / B(x, a) = ∫₀^∞ e^{-u} (1 + u/a)^x du by composite Gauss–Legendre quadrature."""
    peak = max(agents - load, 0.0)
    upper = peak + 80.0 * math.sqrt(agents + 1.0) + 80.0
    nodes, weights = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, upper, panels + 1)
    half = np.diff(edges)[:, None] / 2.0
    u = (edges[:-1, None] + half) + half * nodes[None, :]
    log_f = -u + agents * np.log1p(u / load)
    top = log_f.max()
    return float(math.exp(top) * np.sum(half * weights[None, :] * np.exp(log_f - top)))


def erlang_a_chain(
    load: float,
    agents: int,
    aht_s: float,
    answer_within_s: float,
    patience_s: float,
    waiting_room: int | None = None,
) -> dict[str, float]:
    """M/M/N+M figures from the birth–death chain truncated at N + waiting_room customers.

    By default the waiting room reaches 12 standard deviations past the mode of the queue.
    """
    if waiting_room is None:
        x, y = agents * patience_s / aht_s, load * patience_s / aht_s
        waiting_room = int(max(200.0, y - x + 12.0 * math.sqrt(y) + 60.0))
    mu, theta = 1.0 / aht_s, 1.0 / patience_s
    lam = load * mu
    states = agents + waiting_room + 1
    generator = np.zeros((states, states))
    for k in range(states):
        if k + 1 < states:
            generator[k, k + 1] = lam
        if k > 0:
            generator[k, k - 1] = min(k, agents) * mu + max(k - agents, 0) * theta
        generator[k, k] = -generator[k].sum()
    system = generator.T.copy()
    system[-1] = 1.0  # π Q = 0 has rank states − 1: replace one balance equation by Σ π = 1
    rhs = np.zeros(states)
    rhs[-1] = 1.0
    pi = np.linalg.solve(system, rhs)

    ahead = waiting_room  # positions 0..ahead-1 reachable by an accepted arrival
    served_by, served, served_wait = _position_chain(agents * mu, theta, ahead, answer_within_s)
    queued = pi[agents : agents + ahead]
    immediate = pi[:agents].sum()
    answered = immediate + queued @ served
    abandon_rate = sum((k - agents) * theta * pi[k] for k in range(agents + 1, states)) / lam
    return {
        "wait_probability": float(pi[agents:].sum()),
        "service_level": float(immediate + queued @ served_by),
        "asa_s": float(queued @ served_wait / answered),
        "abandon_rate": float(abandon_rate),
        "occupancy": float(sum(min(k, agents) * pi[k] for k in range(states)) / agents),
    }


def _position_chain(
    service_rate: float, theta: float, size: int, horizon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a waiting customer with i ahead (i < size): P(served by horizon), P(served),
    E[wait · 1{served}], from its absorbing chain (i → i − 1 at service_rate + iθ, served from
    0 at service_rate, abandons at θ)."""
    transient = np.zeros((size, size))
    to_served = np.zeros(size)
    to_served[0] = service_rate
    for i in range(size):
        transient[i, i] = -(service_rate + i * theta + theta)
        if i > 0:
            transient[i, i - 1] = service_rate + i * theta
    served = np.linalg.solve(-transient, to_served)
    served_wait = np.linalg.solve(-transient, served)

    if horizon == 0:
        return np.zeros(size), served, served_wait
    # Uniformisation: P(served by t) = Σ_m Poisson(m; Λt) · (P^m applied to the served column).
    rate = float(np.max(-np.diag(transient)))
    step = np.eye(size) + transient / rate
    absorbed = np.zeros(size)
    column = np.zeros(size)  # P(served within m uniformised steps | start)
    mean = rate * horizon
    m_max = int(mean + 12.0 * math.sqrt(mean) + 30.0)
    log_weight = -mean
    for m in range(m_max + 1):
        absorbed += math.exp(log_weight) * column
        column = to_served / rate + step @ column
        log_weight += math.log(mean) - math.log(m + 1)
    return absorbed, served, served_wait


def simulate_erlang_a(
    load: float,
    agents: int,
    aht_s: float,
    answer_within_s: float,
    patience_s: float,
    customers: int,
    seed: int,
) -> dict[str, float]:
    """Discrete-event simulation of M/M/N+M, FCFS; the first 5 % of customers are a warm-up."""
    rng = random.Random(seed)
    lam = load / aht_s
    free_at = [0.0] * agents
    heapq.heapify(free_at)
    clock = 0.0
    warm_up = customers // 20
    counted = answered = within = abandoned = 0
    total_wait = busy_time = 0.0
    first_counted = None
    for i in range(customers):
        clock += rng.expovariate(lam)
        patience = rng.expovariate(1.0 / patience_s)
        start = max(clock, free_at[0])
        wait = start - clock
        is_answered = wait < patience
        if is_answered:
            handle = rng.expovariate(1.0 / aht_s)
            heapq.heapreplace(free_at, start + handle)
        if i < warm_up:
            continue
        if first_counted is None:
            first_counted = clock
        counted += 1
        if is_answered:
            answered += 1
            total_wait += wait
            within += wait <= answer_within_s
            busy_time += handle
        else:
            abandoned += 1
    assert first_counted is not None
    return {
        "service_level": within / counted,
        "asa_s": total_wait / answered,
        "abandon_rate": abandoned / counted,
        "occupancy": busy_time / ((clock - first_counted) * agents),
    }
