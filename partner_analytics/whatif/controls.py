"""The terms a what-if scenario can change, declared once: where each sits, how it is named, its unit
and range, and when it applies.

A control's `path` is where its value sits in a scenario file and in the contract alike (a scenario's
`terms` mirror a partner's terms in contract.yaml: `volume_corridor.band` in both). The app builds
its widgets from these tables, `changed_contract` applies a scenario's terms through them, and the
strategic report words a scenario's changes with their labels and units; so a term added here is
one the app shows, the contract takes and the committee reads.

Units: `share` (a fraction, shown in percent: 0.12 is 12 %), `change` (a relative change, shown
signed in percent: 0.1 is +10 %), `months`, `on/off`, `date`, and `kpi` (the unit of the service
level's KPI: a rate, seconds, a score). Ranges are in the unit shown (percent for shares and changes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..contract.terms import Partner, ServiceLevel
from ..views.language import N_, _, ngettext
from ..views.wording import day, format_value, term_percent

__all__ = [
    "CONTROLS",
    "KPI_RANGES",
    "NOTICE",
    "OPERATIONS_CONTROLS",
    "PARTNER_CONTROLS",
    "SERVICE_LEVEL_CONTROLS",
    "Control",
    "changed_service_level",
    "changed_terms",
    "same_value",
    "value_at",
    "with_value",
]

Unit = Literal["share", "change", "months", "on/off", "date", "kpi"]

# (min, max, step) of a service level's target, minimum and stretch, per unit of its KPI.
KPI_RANGES: dict[str, tuple[float, float, float]] = {
    "rate": (0.0, 1.0, 0.005),
    "seconds": (0.0, 600.0, 1.0),
    "score_1_5": (1.0, 5.0, 0.05),
    "score_0_100": (0.0, 100.0, 0.5),
    "score_1_7": (1.0, 7.0, 0.05),
    "score_nps": (-100.0, 100.0, 1.0),
    "hours": (0.0, 200.0, 0.5),
    "count": (0.0, 1e6, 1.0),
}


def _always(_: Partner) -> bool:
    return True


@dataclass(frozen=True)
class Control:
    """One term a scenario can change.

    `path` locates it in a partner's terms (partner controls), in a service level (service-level
    controls), in a channel's operations or in the exit choice. `applies` says whether the partner's
    contract has the term to change (a corridor's band needs a corridor); `absent` is the control's
    value when the contract leaves the term out. `whole` terms are named together in a scenario when
    one of their group changes (a corridor's band and shortfall rate); `drops_when_off` names the
    contract keys of the group an on/off term removes when turned off; an `optional` term may be
    left out of a contract (a stretch), so the app gives it an on/off box (with its `note`).
    """

    name: str
    path: tuple[str, ...]
    label: str
    unit: Unit
    lo: float = 0.0
    hi: float = 1.0
    step: float = 1.0
    absent: Any = 0
    contract_attribute: str | None = None  # a Partner attribute to read instead of `path` (a derived value)
    applies: Callable[[Partner], bool] = _always
    whole: bool = False
    drops_when_off: tuple[str, ...] = ()
    optional: bool = False
    note: str = ""  # what an optional term is for, beside its on/off box
    reason: str = ""  # why it cannot apply when `applies` says no (shown beside the disabled control)
    sentence: str = ""  # an operations change as a report words it: `{channel}` and `{value}` filled in

    def contract_value(self, terms: Any) -> Any:
        """The term's value in the contract (a Partner, or a ServiceLevel for service-level controls); None: not set."""
        if self.contract_attribute is not None:
            return getattr(terms, self.contract_attribute)
        return value_at(terms, self.path)

    def initial(self, terms: Any) -> Any:
        """The control's value before any change: the contract's, else `absent`."""
        value = self.contract_value(terms)
        return self.absent if value is None else value

    def range_for(self, kpi_unit: str | None = None) -> tuple[float, float, float]:
        """(min, max, step) in the unit shown; a `kpi` control's comes from its KPI's unit."""
        return KPI_RANGES[kpi_unit or "rate"] if self.unit == "kpi" else (self.lo, self.hi, self.step)

    def words(self, value: Any, kpi_name: str | None = None) -> str:
        """A value of the term as a committee reads it, in the report's language: 12 %, +10 %, 2 months, on,
        85.0 %, 1 Feb 2027; "none" when unset."""
        if value is None:
            return _("none")
        if self.unit == "share":
            return term_percent(value)
        if self.unit == "change":
            return term_percent(value, signed=True)
        if self.unit == "months":
            return ngettext("{n} month", "{n} months", value).format(n=value)
        if self.unit == "on/off":
            return _("on") if value else _("off")
        if self.unit == "date":
            return day(value)
        return format_value(kpi_name, value) if kpi_name else f"{value:g}"

    def label_text(self) -> str:
        """The control's label in the report's language."""
        return _(self.label)

    def operations_sentence(self, channel: str, value: Any) -> str:
        """An operations change of a channel as a sentence (`voice staffing +25 %`); `channel` already in words."""
        return _(self.sentence).format(channel=channel, value=self.words(value))


def _has_corridor(partner: Partner) -> bool:
    return partner.volume_corridor is not None


def _has_gain_share(partner: Partner) -> bool:
    return partner.gain_share is not None


def _has_provider_share(partner: Partner) -> bool:
    return partner.gain_share is not None and partner.gain_share.provider_share is not None


def _pays_a_pool(partner: Partner) -> bool:
    return partner.bonus is None or partner.bonus.basis == "pool"


PARTNER_CONTROLS: tuple[Control, ...] = (
    Control("at_risk_pct", ("at_risk_pct",), N_("At-risk share"), "share", 0, 40, 0.5),
    Control("pool_pct", ("pool_pct",), N_("Pool"), "share", 0, 300, 5),
    Control("earnback_months", ("earnback_months",), N_("Earn-back"), "months", 0, 12, 1),
    Control(
        "bonus_pool_pct",
        ("bonus", "pool_pct"),
        N_("Bonus pool"),
        "share",
        0,
        20,
        0.5,
        contract_attribute="bonus_pool_pct",  # without its own pool_pct the bonus pool mirrors the at-risk share
        applies=_pays_a_pool,
        reason="the contract's bonus is a fixed amount per service level, not a pool",
    ),
    Control(
        "corridor_band",
        ("volume_corridor", "band"),
        N_("Volume corridor band"),
        "share",
        1,
        50,
        1,
        absent=Decimal("0.1"),
        applies=_has_corridor,
        whole=True,
        reason="no volume corridor in the contract",
    ),
    Control(
        "shortfall_rate",
        ("volume_corridor", "shortfall_rate"),
        N_("Corridor shortfall rate"),
        "share",
        0,
        100,
        5,
        applies=_has_corridor,
        whole=True,
        reason="no volume corridor in the contract",
    ),
    Control(
        "baseline_fcr",
        ("gain_share", "baseline_fcr"),
        N_("Gain-share baseline FCR"),
        "share",
        50,
        100,
        0.5,
        absent=Decimal("0.75"),
        applies=_has_gain_share,
        reason="no gain-share in the contract",
    ),
    Control(
        "provider_share",
        ("gain_share", "provider_share"),
        N_("Gain-share provider share"),
        "share",
        0,
        100,
        5,
        applies=_has_provider_share,
        reason="no gain-share with one provider share in the contract",
    ),
    Control(
        "pain_share",
        ("gain_share", "pain_share"),
        N_("Pain-share"),
        "on/off",
        absent=False,
        applies=_has_gain_share,
        reason="no gain-share in the contract",
        drops_when_off=("pain_bands",),  # pain bands only apply to shared losses
    ),
)

SERVICE_LEVEL_CONTROLS: tuple[Control, ...] = (
    Control("target", ("target",), N_("target"), "kpi"),
    Control("minimum", ("minimum",), N_("minimum"), "kpi"),
    Control("allocation_pct", ("allocation_pct",), N_("allocation"), "share", 0, 100, 1),
    Control(
        "stretch",
        ("stretch",),
        N_("stretch"),
        "kpi",
        optional=True,
        note="bonus",
        reason="no bonus: a stretch pays nothing until the contract (or the bonus pool above) has one",
    ),
)

OPERATIONS_CONTROLS: tuple[Control, ...] = (
    Control("volume", ("volume_change",), "volume", "change", -50, 100, 1, sentence=N_("{channel} volume {value}")),
    Control(
        "staffing", ("staffing_change",), "staffing", "change", -50, 100, 1, sentence=N_("{channel} staffing {value}")
    ),
    Control("aht", ("aht_change",), "AHT", "change", -30, 50, 1, sentence=N_("{channel} AHT {value}")),
)

NOTICE = Control("notice_on", ("notice_on",), "Notice on", "date", absent=None)

CONTROLS: tuple[Control, ...] = (*PARTNER_CONTROLS, *SERVICE_LEVEL_CONTROLS, *OPERATIONS_CONTROLS, NOTICE)


def value_at(terms: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` in terms given as models or mappings (None where a step is missing)."""
    for key in path:
        if terms is None:
            return None
        terms = terms.get(key) if isinstance(terms, Mapping) else getattr(terms, key, None)
    return terms


def with_value(terms: Mapping[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of the mapping `terms` with `value` at `path` (a missing group is added, others kept)."""
    head, *rest = path
    return {**terms, head: with_value(terms.get(head) or {}, tuple(rest), value) if rest else value}


def same_value(value: Any, contract_value: Any) -> bool:
    """Whether a control's value is the contract's (exact decimals compared as the decimal the value writes)."""
    if isinstance(contract_value, Decimal) and value is not None and not isinstance(value, bool):
        return Decimal(str(value)) == contract_value
    return value == contract_value


def changed_terms(partner: Partner, values: Mapping[str, Any]) -> dict[str, Any]:
    """The partner's terms that `values` (control name → value, in a scenario's units) change, as a
    scenario's `terms` mapping: only the terms the contract has and the values differ from."""
    groups: dict[str, list[Control]] = {}
    for control in PARTNER_CONTROLS:
        if control.applies(partner):
            groups.setdefault(control.path[0], []).append(control)
    out: dict[str, Any] = {}
    for group in groups.values():
        changed = [c for c in group if not same_value(values[c.name], c.initial(partner))]
        whole = any(c.whole for c in changed)
        for control in group:
            if control in changed or (whole and control.whole):
                out = with_value(out, control.path, values[control.name])
    return out


def changed_service_level(service_level: ServiceLevel, values: Mapping[str, Any]) -> dict[str, Any]:
    """A service level's terms that `values` (control name → value) change (an optional term turned off is none)."""
    out = {}
    for control in SERVICE_LEVEL_CONTROLS:
        value = values.get(control.name)
        if control.name not in values or (value is None and control.optional):
            continue
        if not same_value(value, control.contract_value(service_level)):
            out = with_value(out, control.path, value)
    return out
