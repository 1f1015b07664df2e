"""The special functions behind the queueing models, vectorised over intervals: Stirling's log-gamma,
Erlang B's inverse through the regularised incomplete gamma function (power series below the mean,
Lentz's continued fraction above), and Erlang A's sums over the queue length.

Every loop runs on all intervals at once, hardest first, and stops each one at a relative tolerance
of about 1e-13 (the accuracy `whatif.queueing` documents and tests/test_queueing.py measures).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = ["QueueSums", "log_inverse_erlang_b", "queue_sums"]

# B_2k / (2k (2k − 1)), k = 1..7: Stirling's series of ln Γ in powers of 1/z².
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# B_2k / (2k), k = 1..7: asymptotic series of ψ in powers of 1/z².
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_EPS = 1e-13
_TINY = 1e-300
_LOG_1E200 = 200.0 * math.log(10.0)
_MAX_TERMS = 1_000_000


def _log_gamma(x: FloatArray) -> FloatArray:
    """ln Γ(x) for x ≥ 1: Stirling's series at x + 6 (error below 1e-14), shifted back."""
    z = x + 6.0
    inverse = 1.0 / z
    inverse2 = inverse * inverse
    series = _STIRLING[-1]
    for coefficient in reversed(_STIRLING[:-1]):
        series = coefficient + inverse2 * series
    shift = x * (x + 1.0) * (x + 2.0) * (x + 3.0) * (x + 4.0) * (x + 5.0)
    return (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + inverse * series - np.log(shift)


def log_inverse_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """ln(1 / B(n, a)) for n ≥ 0, a > 0, with 1/B = Q(n + 1, a) / d(n, a).

    Q is the regularised upper incomplete gamma function and d(n, a) = a^n e^{-a} / Γ(n + 1).
    Below the mean (a < n + 2): 1/B = (1 − P(n + 1, a)) / d(n, a) with P = d(n + 1, a) · M(n + 1, a)
    from the power series M; above it: 1/B = a · F(n + 1, a) with Lentz's continued fraction F.
    """
    below = a < n + 2.0
    if below.all():
        return _log_inverse_erlang_b_below(n, a)
    out = np.empty(n.shape)
    if below.any():
        out[below] = _log_inverse_erlang_b_below(n[below], a[below])
    above = ~below
    out[above] = np.log(a[above] * _continued_fraction(n[above] + 1.0, a[above]))
    return out


def _log_inverse_erlang_b_below(n: FloatArray, a: FloatArray) -> FloatArray:
    log_density = n * np.log(a) - a - _log_gamma(n + 1.0)
    lower = np.exp(log_density) * a / (n + 1.0) * _power_series(n + 1.0, a)
    return np.log1p(-lower) - log_density


# The series and the continued fraction need O(√n) terms near n ≈ load, far fewer elsewhere.
# They run hardest elements first; every _BLOCK steps the arrays shrink to the last unfinished
# element. Extra steps on an element that has already converged only add terms below the
# tolerance.
_BLOCK = 8

Views = list[FloatArray]


def _iterate(
    estimate: FloatArray,
    inputs: list[FloatArray],
    initial: Callable[[Views], Views],
    step: Callable[[int, Views, Views, Views], None],
    unfinished: Callable[[int, Views, Views, Views], npt.NDArray[np.bool_]],
    outputs: list[int],
    *,
    scratch: int,
    start: int = 0,
) -> list[FloatArray]:
    """Run ``step(k, inputs, state, scratch)`` for k = start, start + 1, … on every element until
    ``unfinished`` is False for it, with state = ``initial(inputs)``; return the state arrays
    numbered ``outputs``, in the original order. ``estimate`` (rough number of steps) sets the
    order only."""
    order = np.argsort(-np.clip(estimate, 0.0, 32000.0).astype(np.int16), kind="stable")
    inputs = [array[order] for array in inputs]
    state = initial(inputs)
    buffers = [np.empty(estimate.size) for _ in range(scratch)]
    end, k = estimate.size, start
    while end and k < _MAX_TERMS:
        these_inputs = [array[:end] for array in inputs]
        these_states = [array[:end] for array in state]
        temporary = [buffer[:end] for buffer in buffers]
        for _ in range(_BLOCK):
            step(k, these_inputs, these_states, temporary)
            k += 1
        pending = np.flatnonzero(unfinished(k, these_inputs, these_states, temporary))
        end = int(pending[-1]) + 1 if pending.size else 0
    restored = []
    for index in outputs:
        original = np.empty(estimate.size)
        original[order] = state[index]
        restored.append(original)
    return restored


def _series_length(s: FloatArray, z: FloatArray) -> FloatArray:
    """Rough number of terms of Σ z^k / ((s + 1) ··· (s + k)) down to 1e-13 (for the order)."""
    steps = 9.0 * np.sqrt(s + 1.0)
    for _ in range(2):
        steps = 30.0 / np.log((s + 0.5 * steps + 1.0) / z)
    return steps


def _power_series(s: FloatArray, z: FloatArray) -> FloatArray:
    """M(s, z) = Σ_{k≥0} z^k / ((s + 1) ··· (s + k)) for z < s + 2 (terms then decrease)."""

    def initial(inputs: Views) -> Views:
        return [np.ones(s.size), np.ones(s.size)]

    def step(k: int, inputs: Views, state: Views, tmp: Views) -> None:
        s_, z_ = inputs
        term, total = state
        np.add(s_, k + 1, out=tmp[0])
        np.divide(z_, tmp[0], out=tmp[0])
        term *= tmp[0]
        total += term

    def unfinished(k: int, inputs: Views, state: Views, tmp: Views) -> npt.NDArray[np.bool_]:
        # The tail after term k is at most term · r / (1 − r), r = z / (s + k + 1) < 1.
        s_, z_ = inputs
        term, total = state
        np.add(s_, k + 1, out=tmp[0])
        tmp[0] -= z_
        tmp[0] *= total
        return term * z_ > _EPS * tmp[0]

    estimate = _series_length(s, z)
    return _iterate(estimate, [s, z], initial, step, unfinished, [1], scratch=1)[0]


def _continued_fraction(s: FloatArray, z: FloatArray) -> FloatArray:
    """F(s, z) with Γ(s, z) = e^{-z} z^s F(s, z), by Lentz's method; for z ≥ s + 1.

    All partial denominators are then positive, so Lentz's guards against zero are not needed.
    """

    def initial(inputs: Views) -> Views:
        s_, z_ = inputs
        b = z_ + 1.0 - s_
        d = 1.0 / b
        return [b, np.full(s.size, 1.0 / _TINY), d, d.copy(), np.zeros(s.size)]

    def step(k: int, inputs: Views, state: Views, tmp: Views) -> None:
        b, c, d, h, delta = state
        an, quotient = tmp
        i = k + 1
        np.multiply(inputs[0], i, out=an)
        an -= i * i
        b += 2.0
        d *= an
        d += b
        np.divide(an, c, out=quotient)
        np.add(b, quotient, out=c)
        np.reciprocal(d, out=d)
        np.multiply(d, c, out=delta)
        h *= delta

    def unfinished(k: int, inputs: Views, state: Views, tmp: Views) -> npt.NDArray[np.bool_]:
        return np.abs(state[4] - 1.0) > 1e-15

    estimate = 4.0 * np.sqrt(s) + 10.0
    return _iterate(estimate, [s, z], initial, step, unfinished, [3], scratch=2)[0]


class QueueSums(NamedTuple):
    log_scale: FloatArray
    after_first: FloatArray
    answered_wait: FloatArray
    late: FloatArray
    skipped: npt.NDArray[np.bool_]


def queue_sums(x: FloatArray, y: FloatArray, q: FloatArray) -> QueueSums:
    """Sums over the number k ≥ 0 of customers ahead of an arrival who has to wait.

    With r_k = y^k / ((x + 1) ··· (x + k)) ∝ P(k ahead) and H_k = Σ_{i=1}^{k+1} 1/(x + i),
    returns, each times e^{log_scale}: S − 1 = Σ_{k≥1} r_k (after_first),
    Σ_k r_k H_k / (x + k + 1) (answered_wait) and Σ_{k≥1} r_k q^k (late), q = e^{-T/patience}.

    Why: with k ahead the virtual wait V is a sum of exponentials of rates Nμ + iθ, i = 0..k,
    so P(V < patience) = E[e^{-θV}] = x/(x + k + 1), whose sum over k is (x/y)(S − 1), and
    E[V e^{-θV}] = x/(x + k + 1) · H_k / θ. Also 1 − e^{-θV} ~ Beta(k + 1, x), so
    P(V ≤ T, V < patience) = x/(x + k + 1) · I_p(k + 1, x + 1) with p = 1 − q, and
    Σ_k x r_k I_p(k + 1, x + 1) = (x/y) (S − 1 − q^x e^{yp} Σ_{k≥1} r_k q^k).
    """

    def initial(inputs: Views) -> Views:
        # Step k = 0 (r_0 = 1: no term of after_first or late) is done here; the loop starts at 1.
        _, y_, q_, x_, first = inputs
        inverse = 1.0 / (x_ + 1.0)
        state = [
            y_ * inverse,  # r_1
            inverse,  # H_0
            q_.copy(),  # q^1
            np.zeros(x_.size),  # after_first
            inverse * inverse,  # answered_wait
            np.zeros(x_.size),  # late
            np.zeros(x_.size),  # log_scale
        ]
        skip = first > 0
        if skip.any():
            # Far beyond capacity the terms below the mode y − x are negligible: start at
            # k = first with r_first = 1 × e^{log_scale}, H_{first−1}, q^first.
            xs, ys, qs, ks = x_[skip], y_[skip], q_[skip], first[skip]
            state[0][skip] = 1.0
            state[1][skip] = _digamma_difference(xs + ks + 1.0, xs + 1.0)
            with np.errstate(divide="ignore"):
                state[2][skip] = np.exp(ks * np.log(qs))
            state[4][skip] = 0.0
            state[6][skip] = ks * np.log(ys) - (_log_gamma(xs + ks + 1.0) - _log_gamma(xs + 1.0))
        return state

    def step(k: int, inputs: Views, state: Views, tmp: Views) -> None:
        x_, y_, q_, _, _ = inputs
        r, cum_h, q_power, after_first, answered_wait, late, _ = state
        inverse, term = tmp
        np.add(x_, k + 1, out=inverse)
        np.reciprocal(inverse, out=inverse)
        cum_h += inverse
        after_first += r
        np.multiply(r, q_power, out=term)
        late += term
        q_power *= q_
        np.multiply(r, inverse, out=term)
        np.multiply(term, y_, out=r)
        term *= cum_h
        answered_wait += term

    def unfinished(k: int, inputs: Views, state: Views, tmp: Views) -> npt.NDArray[np.bool_]:
        x_, y_, _, _, _ = inputs
        r, _, _, after_first, answered_wait, late, log_scale = state
        big = after_first > 1e200
        if big.any():
            for array in (r, after_first, answered_wait, late):
                array[big] *= 1e-200
            log_scale[big] += _LOG_1E200
        # Past the mode (y < x + k + 1) the tail from r_k on is at most r_k / (1 − y/(x + k + 1)).
        room = tmp[0]
        np.add(x_, k + 1, out=room)
        room -= y_
        return (room <= 0) | (r * (x_ + (k + 1)) > _EPS * after_first * room)

    # Terms more than 9√y below the mode are below e^{-40} of it; skipping them matters only far
    # beyond capacity (y − x in the thousands), where summing from k = 0 would be slow. Only where
    # an arrival with `first` or more ahead has no chance to be answered within T (p more than 12
    # standard deviations below the mean of its Beta(k + 1, x + 1) wait share), so that answered
    # within T is answered at once, without the terms left out (see `_queue_figures`).
    first = np.floor(y - x - 9.0 * np.sqrt(y) - 10.0)
    first[first < 64] = 0.0
    a, b = first + 1.0, x + 1.0
    mean = a / (a + b)
    spread = np.sqrt(mean * (1.0 - mean) / (a + b + 1.0))
    first[1.0 - q >= mean - 12.0 * spread] = 0.0
    # The loop's index is k − first + 1 on skipped elements: it sees x + first − 1 as x.
    shifted = np.where(first > 0, x + first - 1.0, x)
    peak = np.maximum(y - shifted, 0.0)
    estimate = peak + _series_length(shifted + peak, y)
    result = _iterate(
        estimate,
        [shifted, y, q, x, first],
        initial,
        step,
        unfinished,
        [6, 3, 4, 5],
        scratch=2,
        start=1,
    )
    return QueueSums(*result, skipped=first > 0)


def _digamma_difference(a: FloatArray, b: FloatArray) -> FloatArray:
    """ψ(a) − ψ(b) for a ≥ b ≥ 1: asymptotic series at a + 6 and b + 6, shifted back."""
    shift = np.zeros(a.shape)
    for i in range(6):
        shift += 1.0 / (b + i) - 1.0 / (a + i)
    a6, b6 = a + 6.0, b + 6.0

    def tail(z: FloatArray) -> FloatArray:
        inverse2 = 1.0 / (z * z)
        series = _DIGAMMA[-1]
        for coefficient in reversed(_DIGAMMA[:-1]):
            series = coefficient + inverse2 * series
        return -0.5 / z - inverse2 * series

    return np.log1p((a6 - b6) / b6) + tail(a6) - tail(b6) + shift
