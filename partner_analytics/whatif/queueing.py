"""Queueing models of a staffing interval: what volume, staffing and handle time imply.

The what-if engine changes contacts, agents and average handle time (AHT) per partner × channel
and asks, per staffing interval, what service level, average speed of answer (ASA) and abandon
rate they imply. This module answers with two steady-state models:

* **Erlang C** (M/M/N): nobody abandons. Used when the customers' patience is unknown.
* **Erlang A** (M/M/N+M): each waiting customer abandons after an exponential patience with
  mean ``patience_s``. It is stable at any staffing, so it also describes intervals where the
  offered load exceeds the agents (peaks, or a scenario that cuts staff), which Erlang C cannot.

What the models assume (the scenario engine calibrates the rest away with an observed / modelled
ratio per partner × channel):

* contacts arrive as a Poisson process, uniform within the interval (rate = contacts / interval);
* handle times are exponential with mean ``aht_s``; patience (Erlang A) exponential with mean
  ``patience_s``; arrivals, handle times and patience are independent;
* one queue, first come first served, ``agents`` identical agents;
* each interval is in steady state and independent of the others (no backlog carried over).

Definitions (per interval, over *offered* contacts, T = ``answer_within_s``):

* ``service_level`` = P(answered and waited ≤ T). Abandoned contacts count against it, as in the
  KPI ``service_level`` with no short-abandon threshold. A contract that divides by answered
  contacts instead can use ``service_level / (1 - abandon_rate)``.
* ``asa_s`` = mean wait of the answered contacts (zero waits included), as the KPI ``asa``.
* ``abandon_rate`` = P(abandon). Erlang C models no abandonment: its abandon rate is NaN (null,
  not modelled), not 0, so that an observed / modelled ratio cannot silently divide by zero.
* ``wait_probability`` = P(all agents busy on arrival).
* ``occupancy`` = carried load / agents = load × (1 − abandon_rate) / agents.
* ``overloaded`` = agents ≤ offered load (load = contacts × aht_s / interval seconds, Erlangs).

Non-integer agents
    ``agents`` is the *average* number logged in, e.g. 12.4. Both models use the analytic
    continuation of Erlang B in N (Jagerman 1974):
    ``1 / B(N, a) = ∫₀^∞ e^{-u} (1 + u/a)^N du = e^a a^{-N} Γ(N + 1, a)``,
    which equals the usual Erlang B at integer N, is smooth and strictly decreasing in N, and keeps
    the recursion ``1/B(N, a) = 1 + (N/a) / B(N − 1, a)`` for every real N. Erlang C follows from B
    by the usual identity, and Erlang A's queue (death rate N·μ + k·θ with k waiting) needs no
    integer N. So the modelled figures are smooth and monotone in agents, equal the textbook
    values at integers and lie between them in between, and the stability limit is exactly
    ``agents = load``. Linear interpolation between floor and ceil was rejected: it has kinks at
    every integer, and when the floor is at or below the load (unstable in Erlang C) it turns the
    whole interval unstable although the average staffing covers the load.

Edge cases (both models; NaN is null in the polars entry point)
    * any input NaN, negative or infinite (``patience_s`` may be ``inf``: that is Erlang C), or a
      positive load with ``aht_s = 0``: every output NaN, ``overloaded`` False (null in polars);
    * zero load: service level 1, ASA 0, abandon rate 0 (Erlang A), wait probability 0,
      occupancy 0 (NaN with zero agents), not overloaded;
    * Erlang C with agents ≤ load (overloaded, no steady state): the values are the limits as agents
      decrease to the load: service level 0, wait probability 1, ASA ``inf``, occupancy 1 (NaN
      with zero agents). Aggregating such intervals needs the ``overloaded`` flag (or Erlang A);
    * Erlang A is finite everywhere: with zero agents everybody abandons (abandon 1, service
      level 0, ASA NaN as no contact is answered, occupancy NaN); ``patience_s = 0`` is the
      Erlang B loss system (abandon = B, answered at once otherwise); ``patience_s = inf`` is
      Erlang C with abandon rate 0.

Numerics
    Erlang B is 1/B = Q(N + 1, a) / d(N, a), with Q the regularised upper incomplete gamma
    function and d(N, a) = a^N e^{-a} / Γ(N + 1): power series below the mean, Lentz's continued
    fraction above, Stirling's log-gamma, in logarithms so that nothing under- or overflows.
    Erlang A sums the stationary queue length π(N + k) ∝ r_k = y^k / ((x + 1) ··· (x + k))
    (x = N · patience / AHT, y = load · patience / AHT) with, for an arrival that finds k waiting
    ahead of it, the probability to be answered x / (x + k + 1) and the mean wait if answered
    ``patience · x / (x + k + 1) · Σ_{i=1}^{k+1} 1 / (x + i)``; its virtual wait V has
    1 − e^{-V/patience} ~ Beta(k + 1, x), which sums to a closed form for "answered within T"
    (see ``queueing_series.queue_sums``). The loops are vectorised over the intervals, run on cache-sized parts,
    hardest intervals first, and stop each interval at a relative tolerance of 1e-13; far beyond
    capacity they start a few standard deviations below the mode of the queue length, where those
    queues leave no chance to be answered within T after waiting. Measured
    agreement: about 1e-13 with exact rational Erlang B / C sums, 1e-12 with the numerically
    solved birth–death chain (tests/test_queueing.py).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl

from .queueing_series import log_inverse_erlang_b, queue_sums

__all__ = [
    "QueueEstimates",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "interval_estimates",
    "offered_load",
]

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]


class QueueEstimates(NamedTuple):
    """Modelled figures of each interval (arrays of the broadcast shape of the inputs)."""

    wait_probability: FloatArray
    service_level: FloatArray
    asa_s: FloatArray
    abandon_rate: FloatArray
    occupancy: FloatArray
    overloaded: npt.NDArray[np.bool_]


def offered_load(contacts: ArrayLike, aht_s: ArrayLike, interval_minutes: ArrayLike) -> FloatArray:
    """Offered load in Erlangs: contacts × aht_s / (interval_minutes × 60)."""
    contacts_, aht_, minutes = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (contacts, aht_s, interval_minutes))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return contacts_ * aht_ / (minutes * 60.0)


def erlang_b(load: ArrayLike, agents: ArrayLike) -> FloatArray:
    """Blocking probability of the M/M/N/N loss system, continuous in ``agents``.

    NaN where an input is NaN, negative or infinite; 1 with zero agents; 0 with zero load and
    some agents.
    """
    shape, (a, n) = _flat_arrays(load, agents)
    out = np.full(a.size, np.nan)
    for part in _chunks(a.size):
        _fill_erlang_b(out[part], a[part], n[part])
    return out.reshape(shape)


def erlang_c(load: ArrayLike, agents: ArrayLike, aht_s: ArrayLike, answer_within_s: ArrayLike) -> QueueEstimates:
    """Erlang C (M/M/N, no abandonment) figures of each interval.

    ``load`` in Erlangs (see :func:`offered_load`), ``agents`` average agents (may be
    non-integer), ``aht_s`` and ``answer_within_s`` in seconds; scalars or arrays, broadcast.
    ``abandon_rate`` is NaN (not modelled). Conventions for edge cases: see the module docstring.
    """
    shape, arrays = _flat_arrays(load, agents, aht_s, answer_within_s)
    out = _empty_estimates(arrays[0].size)
    for part in _chunks(arrays[0].size):
        _erlang_c_part(_part(out, part), *(array[part] for array in arrays))
    return _reshaped(out, shape)


def erlang_a(
    load: ArrayLike,
    agents: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike,
    patience_s: ArrayLike,
) -> QueueEstimates:
    """Erlang A (M/M/N+M, exponential patience with mean ``patience_s``) figures of each interval.

    Arguments as :func:`erlang_c`, plus ``patience_s`` in seconds (``inf``: Erlang C with abandon
    rate 0; 0: the Erlang B loss system). Conventions for edge cases: see the module docstring.
    """
    shape, arrays = _flat_arrays(load, agents, aht_s, answer_within_s, patience_s)
    out = _empty_estimates(arrays[0].size)
    for part in _chunks(arrays[0].size):
        _erlang_a_part(_part(out, part), *(array[part] for array in arrays))
    return _reshaped(out, shape)


def interval_estimates(
    intervals: pl.LazyFrame,
    *,
    contacts: str = "contacts",
    aht_s: str = "aht_s",
    agents: str = "agents",
    interval_minutes: str | float = "interval_minutes",
    answer_within_s: str | float,
    patience_s: str | float | None = None,
) -> pl.LazyFrame:
    """Add the modelled figures of each staffing interval to ``intervals`` (stays lazy).

    ``contacts``, ``aht_s`` and ``agents`` name columns of ``intervals``; ``interval_minutes``,
    ``answer_within_s`` and ``patience_s`` name columns or give one number for every row
    (thresholds differ per channel, so a column is usual). ``patience_s=None``: Erlang C;
    otherwise Erlang A.

    Adds ``offered_load`` (Erlangs), ``modelled_wait_probability``, ``modelled_service_level``,
    ``modelled_asa_s``, ``modelled_abandon_rate`` (null under Erlang C), ``modelled_occupancy``
    (Float64) and ``modelled_overloaded`` (Boolean: agents ≤ offered load). Where an input is null,
    NaN, negative or infinite, every added column is null.
    """
    load = (
        _to_expr(contacts).cast(pl.Float64)
        * _to_expr(aht_s).cast(pl.Float64)
        / (_to_expr(interval_minutes).cast(pl.Float64) * 60.0)
    )
    fields = {
        "load": load,
        "agents": _to_expr(agents).cast(pl.Float64),
        "aht_s": _to_expr(aht_s).cast(pl.Float64),
        "answer_within_s": _to_expr(answer_within_s).cast(pl.Float64),
    }
    if patience_s is not None:
        fields["patience_s"] = _to_expr(patience_s).cast(pl.Float64)
    estimates = (
        pl.struct(**fields)
        .map_batches(_estimates_batch, return_dtype=_ESTIMATES_DTYPE, is_elementwise=True)
        .alias("_modelled")
    )
    floats = [name for name, dtype in _ESTIMATES_DTYPE.to_schema().items() if dtype == pl.Float64]
    return (
        intervals.with_columns(load.alias("offered_load"), estimates)
        .unnest("_modelled")
        .with_columns(pl.col(floats).fill_nan(None))
        .with_columns(
            pl.when(pl.col("modelled_service_level").is_not_null())
            .then(pl.col("modelled_overloaded"))
            .alias("modelled_overloaded")
        )
    )


_ESTIMATES_DTYPE = pl.Struct(
    {
        "modelled_wait_probability": pl.Float64,
        "modelled_service_level": pl.Float64,
        "modelled_asa_s": pl.Float64,
        "modelled_abandon_rate": pl.Float64,
        "modelled_occupancy": pl.Float64,
        "modelled_overloaded": pl.Boolean,
    }
)


def _estimates_batch(inputs: pl.Series) -> pl.Series:
    columns = {name: inputs.struct.field(name).fill_null(float("nan")).to_numpy() for name in inputs.struct.fields}
    args = (columns["load"], columns["agents"], columns["aht_s"], columns["answer_within_s"])
    if "patience_s" in columns:
        result = erlang_a(*args, columns["patience_s"])
    else:
        result = erlang_c(*args)
    names = list(_ESTIMATES_DTYPE.to_schema())
    return pl.DataFrame(dict(zip(names, result, strict=True))).to_struct(inputs.name)


def _to_expr(value: str | float) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else pl.lit(float(value))


def _flat_arrays(*values: ArrayLike) -> tuple[tuple[int, ...], list[FloatArray]]:
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    return arrays[0].shape, [np.ravel(array) for array in arrays]


def _reshaped(out: QueueEstimates, shape: tuple[int, ...]) -> QueueEstimates:
    return QueueEstimates(*(array.reshape(shape) for array in out))


def _finite_non_negative(*arrays: FloatArray) -> npt.NDArray[np.bool_]:
    valid = np.isfinite(arrays[0]) & (arrays[0] >= 0)
    for array in arrays[1:]:
        valid &= np.isfinite(array)
        valid &= array >= 0
    return valid


def _empty_estimates(size: int) -> QueueEstimates:
    return QueueEstimates(*(np.full(size, np.nan) for _ in range(5)), overloaded=np.zeros(size, dtype=bool))


def _subset(mask: npt.NDArray[np.bool_], *arrays: FloatArray) -> list[FloatArray]:
    """The elements of each array where ``mask`` holds (the arrays themselves if it always does)."""
    if mask.all():
        return list(arrays)
    return [array[mask] for array in arrays]


def _put(out: QueueEstimates, mask: npt.NDArray[np.bool_], **values: FloatArray | float) -> None:
    whole = mask.all()
    for name, value in values.items():
        target = getattr(out, name)
        if whole:
            target[:] = value
        else:
            target[mask] = value


# Every computation runs on slices of at most _CHUNK intervals, so that its arrays stay in the
# processor's cache (whole-array passes over 300 000 intervals were markedly slower).
_CHUNK = 16384


def _chunks(size: int) -> list[slice]:
    return [slice(lo, min(lo + _CHUNK, size)) for lo in range(0, size, _CHUNK)]


def _part(out: QueueEstimates, part: slice) -> QueueEstimates:
    return QueueEstimates(*(array[part] for array in out))


def _fill_erlang_b(out: FloatArray, a: FloatArray, n: FloatArray) -> None:
    valid = _finite_non_negative(a, n)
    out[valid & (n == 0)] = 1.0
    out[valid & (n > 0) & (a == 0)] = 0.0
    busy = valid & (n > 0) & (a > 0)
    if busy.any():
        out[busy] = np.exp(-log_inverse_erlang_b(n[busy], a[busy]))


def _erlang_c_part(out: QueueEstimates, a: FloatArray, n: FloatArray, h: FloatArray, t: FloatArray) -> None:
    valid = _finite_non_negative(a, n, h, t) & ((h > 0) | (a == 0))
    _fill_idle(out, valid & (a == 0), n)
    _fill_erlang_c(out, valid & (a > 0), a, n, h, t)


def _erlang_a_part(
    out: QueueEstimates, a: FloatArray, n: FloatArray, h: FloatArray, t: FloatArray, w: FloatArray
) -> None:
    valid = (
        _finite_non_negative(a, n, h, t)
        & (w >= 0)  # False for NaN; inf is allowed
        & ((h > 0) | (a == 0))
    )
    idle = valid & (a == 0)
    _fill_idle(out, idle, n)
    out.abandon_rate[idle] = 0.0

    busy = valid & (a > 0)
    nobody = busy & (n == 0)
    out.overloaded[nobody] = True
    out.wait_probability[nobody] = 1.0
    out.service_level[nobody] = 0.0
    out.abandon_rate[nobody] = 1.0

    staffed = busy & (n > 0)
    patient = staffed & np.isinf(w)
    if patient.any():
        _fill_erlang_c(out, patient, a, n, h, t)
        out.abandon_rate[patient] = 0.0
    impatient = staffed & (w == 0)
    if impatient.any():
        _fill_loss_system(out, impatient, a, n)
    queue = staffed & (w > 0) & np.isfinite(w)
    if queue.any():
        _fill_erlang_a(out, queue, a, n, h, t, w)


def _fill_idle(out: QueueEstimates, idle: npt.NDArray[np.bool_], n: FloatArray) -> None:
    out.wait_probability[idle] = 0.0
    out.service_level[idle] = 1.0
    out.asa_s[idle] = 0.0
    out.occupancy[idle & (n > 0)] = 0.0


def _fill_erlang_c(
    out: QueueEstimates,
    busy: npt.NDArray[np.bool_],
    a: FloatArray,
    n: FloatArray,
    h: FloatArray,
    t: FloatArray,
) -> None:
    """Erlang C where the load is positive: the formulas where agents > load, the limits as
    agents decrease to the load elsewhere."""
    overloaded = busy & (n <= a)
    out.overloaded[overloaded] = True
    out.wait_probability[overloaded] = 1.0
    out.service_level[overloaded] = 0.0
    out.asa_s[overloaded] = np.inf
    out.occupancy[overloaded & (n > 0)] = 1.0
    stable = busy & (n > a)
    if not stable.any():
        return
    a, n, h, t = _subset(stable, a, n, h, t)
    # C = B / (1 − ρ + ρB) = 1 / (1 + (1/B − 1)(1 − ρ)); 1/B − 1 may overflow to inf (C = 0).
    with np.errstate(over="ignore"):
        inverse_b_minus_1 = np.expm1(log_inverse_erlang_b(n, a))
    occupancy = a / n
    waiting = 1.0 / (1.0 + inverse_b_minus_1 * (1.0 - occupancy))
    spare = n - a
    with np.errstate(divide="ignore", invalid="ignore"):
        decay = np.exp(-spare * t / h)
    decay[t == 0] = 1.0
    _put(
        out,
        stable,
        wait_probability=waiting,
        service_level=1.0 - waiting * decay,
        asa_s=waiting * h / spare,
        occupancy=occupancy,
    )


def _fill_loss_system(out: QueueEstimates, impatient: npt.NDArray[np.bool_], a: FloatArray, n: FloatArray) -> None:
    """Zero patience: whoever finds every agent busy leaves at once (Erlang B)."""
    a, n = _subset(impatient, a, n)
    blocked = np.exp(-log_inverse_erlang_b(n, a))
    out.overloaded[impatient] = n <= a
    _put(
        out,
        impatient,
        wait_probability=blocked,
        abandon_rate=blocked,
        service_level=1.0 - blocked,
        asa_s=0.0,
        occupancy=a * (1.0 - blocked) / n,
    )


def _fill_erlang_a(
    out: QueueEstimates,
    queue: npt.NDArray[np.bool_],
    a: FloatArray,
    n: FloatArray,
    h: FloatArray,
    t: FloatArray,
    w: FloatArray,
) -> None:
    a, n, h, t, w = _subset(queue, a, n, h, t, w)
    log_inverse_b = log_inverse_erlang_b(n, a)
    x, y = n * (w / h), a * (w / h)
    theta_t = t / w
    sums = queue_sums(x, y, np.exp(-theta_t))
    x_over_y = x / y
    rescaled = sums.log_scale > 0
    log_queued = np.log1p(sums.after_first)  # ln S
    if rescaled.any():
        log_queued[rescaled] = np.logaddexp(0.0, sums.log_scale[rescaled] + np.log(sums.after_first[rescaled]))
    # Every figure is a ratio to Z = (1/B − 1) + S, the stationary mass relative to π_N; both
    # terms carry the factor e^{-m} so that neither overflows (absolute errors stay near 1e-16).
    m = np.maximum(log_inverse_b, log_queued)
    e_m = np.exp(-m)
    scale = np.exp(sums.log_scale - m)
    free = np.exp(log_inverse_b - m) - e_m
    with np.errstate(divide="ignore", over="ignore"):
        # Σ_k x r_k I_p(k + 1, x + 1) = (x/y) (S − 1) − (x/y) q^x e^{yp} Σ_{k≥1} r_k q^k.
        late = np.exp(np.log(x_over_y * sums.late) - np.expm1(-theta_t) * y - x * theta_t + sums.log_scale - m)
    queued = e_m + scale * sums.after_first
    z = free + queued
    answered_queued = scale * sums.after_first * x_over_y
    answered = free + answered_queued
    # where the sums skipped the short queues, no one who waits is answered within T
    in_time = free + np.where(sums.skipped, 0.0, np.maximum(answered_queued - late, 0.0))
    _put(
        out,
        queue,
        wait_probability=queued / z,
        abandon_rate=np.maximum(queued - answered_queued, 0.0) / z,
        service_level=np.minimum(in_time / z, 1.0),
        asa_s=w * x * scale * sums.answered_wait / answered,
        occupancy=a * (answered / z) / n,
    )
    out.overloaded[queue] = n <= a
