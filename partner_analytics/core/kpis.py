"""The KPI registry: each KPI's meaning, direction, unit and, for a contact KPI, its whole arithmetic.

Direction is a property of the KPI (formulas.md §1), so a contract's `minimum` above its `target` is
right for a lower-is-better KPI such as the abandon rate. Every consumer (metrics, evaluation,
charts, reports, the what-if) reads the KPIs from here rather than knowing them by name.

A contact KPI is a ratio of sums: its `sums` are named aggregations over the flagged contacts (one
row per partner × channel × month), its `numerator` and `denominator` are expressions of those
sums (no denominator: a count), so the partner-wide row is the sum of the channels' sums, then the
ratio. The entry also says what optional contacts column it needs, what its row says when that
column is missing or its denominator is 0, and how an operations what-if changes it. Adding a
contact KPI is adding one entry, e.g. for the length of a test or a session:

    with registered(KPI("hold_rate", "lower", "rate", "Put on hold",
                        sums=(Sum("holds", pl.col("held").filter(pl.col("answered")).sum()),),
                        numerator=pl.col("holds"), denominator=pl.col("answered"),
                        needs="held", zero_note="no answered contacts (denominator is 0)")):
        ...

Table KPIs (quality_score, occupancy, forecast_accuracy, the interval targets, the KPIs of contacts
measured apart outside service hours, and the agents table's attrition, schedule adherence, shrinkage
and training hours) are computed from their own tables by metrics; their
entries give direction, unit, label and the notes of their rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import polars as pl

__all__ = [
    "KPI",
    "KPIS",
    "Direction",
    "OperationsRule",
    "Sum",
    "SumKind",
    "Unit",
    "as_seconds",
    "contact_kpis",
    "direction_sign",
    "kpi",
    "microseconds",
    "register",
    "registered",
    "sums_of",
    "unregister",
]

Direction = Literal["higher", "lower", "none"]
Unit = Literal["count", "rate", "seconds", "hours", "score_1_5", "score_1_7", "score_0_100", "score_nps"]
SumKind = Literal["count", "amount", "microseconds", "formula"]
OperationsRule = Literal["volume", "queueing", "kept", "aht", "derived"]
"""How an operations what-if (volume, staffing, AHT changes) changes a contact KPI:

- `volume`: its sums scale with the volume change (offered);
- `queueing`: restated by the queueing model's calibration (answered, in service, abandons, ASA);
- `kept`: its value is unchanged: its own denominator follows the answered contacts, its numerator
  keeps the ratio (a count: unchanged); CSAT, FCR and the like do not respond to waits;
- `aht`: like `kept`, the ratio times (1 + AHT change): the handle time;
- `derived`: computed from other KPIs' sums (the service level, the abandon rate).
"""


def microseconds(seconds: pl.Expr) -> pl.Expr:
    """Durations in seconds as whole microseconds: their sums are sums of integers, which do not depend
    on the order of the additions (threads, engines), so the same contacts always give the same figures."""
    return (seconds * 1_000_000).round().cast(pl.Int128)


def as_seconds(microseconds: pl.Expr) -> pl.Expr:
    return microseconds.cast(pl.Float64) / 1_000_000


@dataclass(frozen=True, eq=False)
class Sum:
    """A named aggregation over the flagged contacts of a group, and what it holds.

    `kind`: `count` (an Int64), `amount` (a Float64), `microseconds` (an Int128 sum of `microseconds`,
    given back in seconds after the group-by: an expression after the sum would make the streaming
    engine run the whole group-by in memory), `formula` (no aggregation: a term each channel's
    service-level formula computes from the counts, see `KPI.channel_formula`).
    """

    name: str
    agg: pl.Expr | None
    kind: SumKind = "count"

    @property
    def dtype(self) -> pl.DataType:
        return pl.Int64() if self.kind in ("count", "formula") else pl.Float64()


@dataclass(frozen=True, eq=False)
class KPI:
    """One KPI (see the module docstring).

    `needs`: the optional contacts column a contact KPI reads (or the table, or the contract term,
    a table KPI reads);
    `missing`: its row's note when that input is absent; `zero_note`: its row's note when the
    denominator is 0; `incomplete`: an expression of the sums marking a row incomplete (FCR's repeat
    windows running past the data); `ordered`: its flags need each customer's contacts in order of
    arrival (FCR: one sort of the contacts, `metrics.fcr`), not the one-pass group-by;
    `channel_formula`: its `formula` sums are each channel's terms under the channel's
    service-level formula (the service level); `operations`: see `OperationsRule`.
    """

    name: str
    direction: Direction
    unit: Unit
    label: str
    sums: tuple[Sum, ...] = ()
    numerator: pl.Expr | None = None
    denominator: pl.Expr | None = None
    needs: str | None = None
    missing: str = ""
    zero_note: str = "denominator is 0"
    incomplete: pl.Expr | None = None
    ordered: bool = False
    channel_formula: bool = False
    operations: OperationsRule = "kept"

    def __post_init__(self) -> None:
        if not self.missing and self.needs is not None:
            object.__setattr__(self, "missing", f"contacts have no {self.needs} column")

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"

    @property
    def from_contacts(self) -> bool:
        """Computed from the contacts' sums (else from a table of its own)."""
        return self.numerator is not None


_answered = pl.col("answered")
_c = pl.col
# the service-level KPIs count the contacts within service hours only (formulas.md §1.10)
_offered_in_hours = _c("offered") - _c("outside_hours")
_answered_in_hours = _c("answered") - _c("answered_outside_hours")


def _count(name: str, label: str, flag: pl.Expr | None, operations: OperationsRule) -> KPI:
    agg = pl.len() if flag is None else flag.sum()
    return KPI(name, "none", "count", label, (Sum(name, agg),), _c(name), operations=operations)


_REGISTRY = (
    _count("offered", "Contacts offered", None, "volume"),
    _count("answered", "Contacts answered", _answered, "queueing"),
    _count("short_abandons", "Short abandons", _c("short_abandon"), "queueing"),
    _count("in_service", "Answered within the threshold", _c("in_service"), "queueing"),
    _count("abandons_within_threshold", "Abandoned within the threshold", _c("abandon_within_threshold"), "queueing"),
    # contacts outside service hours (formulas.md §1.10): counted in volumes, left out of the service-level KPIs
    _count("outside_hours", "Contacts outside service hours", ~_c("in_hours"), "volume"),
    _count("answered_outside_hours", "Answered outside service hours", _answered & ~_c("in_hours"), "volume"),
    KPI(
        "service_level",
        "higher",
        "rate",
        "Service level",
        (Sum("sl_numerator", None, "formula"), Sum("sl_denominator", None, "formula")),
        _c("sl_numerator"),
        _c("sl_denominator"),
        zero_note="no contacts in the service-level denominator (denominator is 0)",
        channel_formula=True,
        operations="derived",
    ),
    KPI(
        "abandon_rate",
        "lower",
        "rate",
        "Abandon rate",
        numerator=_offered_in_hours - _c("short_abandons") - _answered_in_hours,
        denominator=_offered_in_hours - _c("short_abandons"),
        zero_note="no contacts beyond short abandons (denominator is 0)",
        operations="derived",
    ),
    KPI(
        "asa",
        "lower",
        "seconds",
        "Average speed of answer",
        (Sum("wait_answered", microseconds(_c("wait_s")).filter(_answered & _c("in_hours")).sum(), "microseconds"),),
        _c("wait_answered"),
        _answered_in_hours,
        zero_note="no answered contacts (denominator is 0)",
        operations="queueing",
    ),
    KPI(
        "aht",
        "lower",
        "seconds",
        "Average handle time",
        (
            Sum("handle_sum", microseconds(_c("handle_s")).filter(_answered).sum(), "microseconds"),
            Sum("handle_n", _c("handle_s").filter(_answered).count()),
        ),
        _c("handle_sum"),
        _c("handle_n"),
        needs="handle_s",
        zero_note="no answered contacts with a handle time (denominator is 0)",
        operations="aht",
    ),
    KPI(
        "fcr",
        "higher",
        "rate",
        "First-contact resolution",
        (
            Sum("fcr_resolved", _c("fcr_resolved").sum()),
            Sum("fcr_counted", _c("fcr_counted").sum()),
            Sum("fcr_cut", _c("fcr_cut").sum()),
        ),
        _c("fcr_resolved"),
        _c("fcr_counted"),
        needs="customer_id",
        zero_note="no answered contacts whose repeat window is observed (denominator is 0)",
        incomplete=_c("fcr_cut") > 0,
        ordered=True,
    ),
    KPI(
        "csat",
        "higher",
        "score_1_5",
        "Customer satisfaction (1-5)",
        (Sum("csat_sum", _c("csat").sum(), "amount"), Sum("csat_n", _c("csat").count())),
        _c("csat_sum"),
        _c("csat_n"),
        needs="csat",
        zero_note="no survey answers (denominator is 0)",
    ),
    KPI(
        "csat_top2",
        "higher",
        "rate",
        "Satisfied customers (4 or 5)",
        (Sum("csat_top2_n", (_c("csat") >= 4).sum()),),
        _c("csat_top2_n"),
        _c("csat_n"),
        needs="csat",
        zero_note="no survey answers (denominator is 0)",
    ),
    # More committed KPIs (formulas.md §1.2, §1.8): survey, transfer and repeat-contact KPIs on the contacts,
    # and the agents table's KPIs (metrics.agent_kpis).
    KPI(
        "nps",
        "higher",
        "score_nps",
        "Net promoter score",
        (
            Sum(
                "nps_points",
                pl.when(_c("nps_answer") >= 9)
                .then(100)
                .when(_c("nps_answer") <= 6)
                .then(-100)
                .otherwise(0)
                .filter(_c("nps_answer").is_not_null())
                .sum(),
            ),
            Sum("nps_n", _c("nps_answer").count()),
        ),
        _c("nps_points"),
        _c("nps_n"),
        needs="nps_answer",
        zero_note="no survey answers (denominator is 0)",
    ),
    KPI(
        "customer_effort",
        "higher",
        "score_1_7",
        "Customer effort score (1-7)",
        (Sum("effort_sum", _c("effort_score").sum(), "amount"), Sum("effort_n", _c("effort_score").count())),
        _c("effort_sum"),
        _c("effort_n"),
        needs="effort_score",
        zero_note="no effort answers (denominator is 0)",
    ),
    KPI(
        "transfer_rate",
        "lower",
        "rate",
        "Transfer rate",
        (Sum("transfers", _c("transferred").filter(_answered).sum()),),
        _c("transfers"),
        _c("answered"),
        needs="transferred",
        zero_note="no answered contacts (denominator is 0)",
    ),
    KPI(
        "repeat_contact_rate",
        "lower",
        "rate",
        "Repeat-contact rate",
        (Sum("fcr_repeated", _c("fcr_repeated").sum()),),
        _c("fcr_repeated"),
        _c("fcr_counted"),
        needs="customer_id",
        zero_note="no answered contacts whose repeat window is observed (denominator is 0)",
        incomplete=_c("fcr_cut") > 0,
        ordered=True,
    ),
    KPI("quality_score", "higher", "score_0_100", "Quality score (0-100)", needs="quality", missing="no quality table"),
    KPI("occupancy", "none", "rate", "Occupancy", needs="staffing", missing="no staffing table"),
    KPI(
        "forecast_accuracy",
        "higher",
        "rate",
        "Client forecast accuracy",
        needs="forecasts",
        missing="no forecasts table",
        zero_note="forecast is 0",
    ),
    # Interval targets and the daily floor (formulas.md §1.9; metrics.interval_targets)
    KPI(
        "interval_attainment",
        "higher",
        "rate",
        "Intervals reaching their target",
        needs="interval_target",
        missing="no interval target for the channel in contract.yaml",
        zero_note="no interval with enough contacts (denominator is 0)",
    ),
    KPI(
        "worst_day_service_level",
        "higher",
        "rate",
        "Worst day's service level",
        zero_note="no day with contacts in the service-level denominator (denominator is 0)",
    ),
    # The contacts outside service hours of a channel that measures them apart (formulas.md §1.10;
    # metrics.outside_hours): their own service-level KPIs, never in the committed ones.
    KPI(
        "service_level_outside_hours",
        "higher",
        "rate",
        "Service level outside service hours",
        needs="outside_hours",
        missing="the channel's contacts outside service hours are not measured apart",
        zero_note="no contacts outside service hours in the service-level denominator (denominator is 0)",
    ),
    KPI(
        "abandon_rate_outside_hours",
        "lower",
        "rate",
        "Abandon rate outside service hours",
        needs="outside_hours",
        missing="the channel's contacts outside service hours are not measured apart",
        zero_note="no contacts outside service hours beyond short abandons (denominator is 0)",
    ),
    KPI(
        "asa_outside_hours",
        "lower",
        "seconds",
        "Average speed of answer outside service hours",
        needs="outside_hours",
        missing="the channel's contacts outside service hours are not measured apart",
        zero_note="no answered contacts outside service hours (denominator is 0)",
    ),
    KPI(
        "attrition",
        "lower",
        "rate",
        "Agent attrition",
        needs="agents",
        missing="no agents table",
        zero_note="no agents on the roster (denominator is 0)",
    ),
    KPI(
        "schedule_adherence",
        "higher",
        "rate",
        "Schedule adherence",
        needs="agents",
        missing="no agents table",
        zero_note="no scheduled minutes (denominator is 0)",
    ),
    KPI(
        "shrinkage",
        "lower",
        "rate",
        "Shrinkage",
        needs="agents",
        missing="no agents table",
        zero_note="no paid minutes (denominator is 0)",
    ),
    KPI(
        "training_hours",
        "higher",
        "hours",
        "Training hours per agent",
        needs="agents",
        missing="no agents table",
        zero_note="no agents on the roster (denominator is 0)",
    ),
)

KPIS: dict[str, KPI] = {k.name: k for k in _REGISTRY}
"""Every registered KPI by name, in registration order (`register` and `registered` add to it)."""


def kpi(name: str) -> KPI:
    """The registered KPI of that name (KeyError naming the known ones otherwise)."""
    try:
        return KPIS[name]
    except KeyError:
        raise KeyError(f"unknown KPI {name!r} (known: {', '.join(KPIS)})") from None


def direction_sign(name: str) -> int:
    """d of formulas.md §2: +1 when higher is better, -1 when lower is better (0 for none)."""
    return {"higher": 1, "lower": -1, "none": 0}[kpi(name).direction]


def contact_kpis() -> list[KPI]:
    """The registered contact KPIs, in registration order (the results' rows from the contacts)."""
    return [k for k in KPIS.values() if k.from_contacts]


def sums_of(kpis: list[KPI] | None = None) -> dict[str, Sum]:
    """The sums of the contact KPIs (all registered ones by default) by name: the columns of `metrics.contact_sums`."""
    return {s.name: s for k in (contact_kpis() if kpis is None else kpis) for s in k.sums}


def _column_name(expr: pl.Expr | None) -> str | None:
    """The column an expression reads when it is a plain `pl.col(name)`, else None."""
    return expr.meta.output_name() if expr is not None and expr.meta.is_column() else None


def _check(entry: KPI) -> None:
    """Why `entry` cannot join the registry (ValueError), so that a bad entry fails when it is added,
    not in the middle of a results table or a what-if."""
    if entry.name in KPIS:
        raise ValueError(f"KPI {entry.name!r} is already registered")
    if not entry.from_contacts:
        if entry.sums or entry.denominator is not None:
            raise ValueError(f"KPI {entry.name!r}: sums or a denominator without a numerator")
        return
    known = sums_of()
    own = {s.name for s in entry.sums}
    taken = sorted(own & set(known))
    if taken or len(own) != len(entry.sums):
        raise ValueError(f"KPI {entry.name!r}: sum {', '.join(taken) or 'name'} given twice")
    for s in entry.sums:
        if (s.agg is None) != (s.kind == "formula"):
            raise ValueError(f"KPI {entry.name!r}: sum {s.name!r} needs an aggregation (only formula terms have none)")
    read = set()
    for part in (entry.numerator, entry.denominator, entry.incomplete):
        read |= set(part.meta.root_names()) if part is not None else set()
    unknown = sorted(read - own - set(known))
    if unknown:
        raise ValueError(f"KPI {entry.name!r} reads {', '.join(unknown)}, which no registered KPI sums")
    if entry.operations == "derived" and any(s.kind != "formula" for s in entry.sums):
        raise ValueError(f"KPI {entry.name!r}: a derived KPI has no sums of its own")
    if entry.operations != "derived":
        # the what-if reads each own sum back from the KPI's results row, and restates it from there
        roles = {_column_name(entry.numerator), _column_name(entry.denominator)}
        flags = set(entry.incomplete.meta.root_names()) if entry.incomplete is not None else set()
        lost = sorted(own - roles - flags)
        if lost:
            raise ValueError(
                f"KPI {entry.name!r}: sum {', '.join(lost)} is neither its numerator nor its denominator, "
                "so an operations what-if cannot read it back from the results"
            )


def register(entry: KPI) -> KPI:
    """Add a KPI to the registry (checked first): the results, the contract's service levels, the
    gaps, credits, charts and the what-if then know it. Returns the entry."""
    _check(entry)
    KPIS[entry.name] = entry
    return entry


def unregister(name: str) -> None:
    """Remove a KPI added by `register` (the built-in ones stay)."""
    if any(k.name == name for k in _REGISTRY):
        raise ValueError(f"KPI {name!r} is built in")
    del KPIS[kpi(name).name]


@contextmanager
def registered(*entries: KPI) -> Iterator[tuple[KPI, ...]]:
    """The KPIs registered for the length of a `with` block (a test, a session), removed after."""
    added: list[str] = []
    try:
        for entry in entries:
            added.append(register(entry).name)
        yield entries
    finally:
        for name in reversed(added):
            unregister(name)
