"""The KPI registry: what each KPI measures, which way is better, its unit and the inputs it needs.

Direction is a property of the KPI (FORMULAS §1), so a contract's `minimum` above its `target` is
right for a lower-is-better KPI such as the abandon rate. Every consumer (evaluation, charts,
reports) reads direction and unit from here rather than knowing KPIs by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["KPI", "KPIS", "Direction", "Unit", "direction_sign", "kpi"]

Direction = Literal["higher", "lower", "none"]
Unit = Literal["count", "rate", "seconds", "score_1_5", "score_0_100"]


@dataclass(frozen=True)
class KPI:
    """One KPI: its name, direction, unit, the table columns it needs and a one-line meaning."""

    name: str
    direction: Direction
    unit: Unit
    inputs: tuple[str, ...]
    label: str
    channel_scoped: bool = True

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"


_REGISTRY = (
    KPI("offered", "none", "count", ("contacts",), "Contacts offered"),
    KPI("answered", "none", "count", ("contacts.answered",), "Contacts answered"),
    KPI("short_abandons", "none", "count", ("contacts.wait_s",), "Short abandons"),
    KPI("in_service", "none", "count", ("contacts.answered", "contacts.wait_s"), "Answered within the threshold"),
    KPI(
        "abandons_within_threshold",
        "none",
        "count",
        ("contacts.answered", "contacts.wait_s"),
        "Abandoned within the threshold",
    ),
    KPI("service_level", "higher", "rate", ("contacts.answered", "contacts.wait_s"), "Service level"),
    KPI("abandon_rate", "lower", "rate", ("contacts.answered", "contacts.wait_s"), "Abandon rate"),
    KPI("asa", "lower", "seconds", ("contacts.wait_s",), "Average speed of answer"),
    KPI("aht", "lower", "seconds", ("contacts.handle_s",), "Average handle time"),
    KPI("fcr", "higher", "rate", ("contacts.customer_id",), "First-contact resolution"),
    KPI("csat", "higher", "score_1_5", ("contacts.csat",), "Customer satisfaction (1-5)"),
    KPI("csat_top2", "higher", "rate", ("contacts.csat",), "Satisfied customers (4 or 5)"),
    KPI("quality_score", "higher", "score_0_100", ("quality",), "Quality score (0-100)"),
    KPI("occupancy", "none", "rate", ("staffing", "contacts.handle_s"), "Occupancy"),
    KPI(
        "forecast_accuracy",
        "higher",
        "rate",
        ("forecasts",),
        "Client forecast accuracy",
    ),
)

KPIS: dict[str, KPI] = {k.name: k for k in _REGISTRY}


def kpi(name: str) -> KPI:
    """The registered KPI of that name (KeyError naming the known ones otherwise)."""
    try:
        return KPIS[name]
    except KeyError:
        raise KeyError(f"unknown KPI {name!r} (known: {', '.join(KPIS)})") from None


def direction_sign(name: str) -> int:
    """d of FORMULAS §2: +1 when higher is better, -1 when lower is better (0 for none)."""
    return {"higher": 1, "lower": -1, "none": 0}[kpi(name).direction]
