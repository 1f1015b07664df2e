"""What-if scenarios: typed changes to a contract's terms and to operations, read from and written to YAML.

A scenario names, per partner, the contract terms it changes (a service level's target, minimum,
allocation or stretch; the at-risk share, pool and earn-back; the bonus pool; the volume corridor;
gain-share) and the operations it changes per channel (volume, staffing, average handle time, as
fractions: 0.1 is +10 %), optionally within a window of months, and a notice date for the exit
what-if. Anything it does not name stays as the contract says.

    name: Tighter voice target, 10 % more calls
    window: {first: 2026-01, last: 2026-09}     # operations change in these months (default: all)
    partners:
      northcall:
        terms:
          at_risk_pct: 0.12
          earnback_months: 2
          service_levels:
            service_level/voice: {target: 0.85, minimum: 0.8}
          volume_corridor: {band: 0.15, shortfall_rate: 0.4}
          gain_share: {baseline_fcr: 0.75, provider_share: 0.5, pain_share: true}
          bonus: {pool_pct: 0.05}
        operations:
          voice: {volume_change: 0.10, staffing_change: -0.05, aht_change: 0.0}
        exit: {notice_on: 2026-12-15}

The terms a scenario can change are declared once, in `whatif.controls`; `changed_contract`
applies them through those tables and validates the result with the contract's own
rules, so a scenario can never evaluate terms that contract.yaml would refuse; every problem is a
ScenarioError naming the scenario's key.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..contract.reading import key_path, validation_message, yaml_document
from ..contract.terms import Contract, Exact, Fraction, NonNegativeMoney
from ..core.atomic import write_atomic
from ..core.errors import EngagementError
from .controls import PARTNER_CONTROLS, SERVICE_LEVEL_CONTROLS, value_at, with_value

__all__ = [
    "BonusChange",
    "ChannelOperations",
    "CorridorChange",
    "ExitChoice",
    "GainShareChange",
    "PartnerScenario",
    "Scenario",
    "ScenarioError",
    "ServiceLevelChange",
    "TermChanges",
    "Window",
    "changed_contract",
    "parse_scenario",
    "read_scenario",
    "write_scenario",
]


class ScenarioError(EngagementError):
    """A scenario file or a scenario's changes break a rule: names the scenario key at fault."""


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceLevelChange(_Change):
    """New values for a service level's terms (absent: unchanged)."""

    target: float | None = None
    minimum: float | None = None
    allocation_pct: Fraction | None = None
    stretch: float | None = None


class CorridorChange(_Change):
    band: Annotated[Exact, Field(gt=0, lt=1)] | None = None
    shortfall_rate: NonNegativeMoney | None = None


class GainShareChange(_Change):
    baseline_fcr: Fraction | None = None
    provider_share: Fraction | None = None
    pain_share: bool | None = None


class BonusChange(_Change):
    pool_pct: Fraction | None = None


class TermChanges(_Change):
    """Changes to a partner's contract terms; service levels are named by key (`service_level/voice`, `fcr`)."""

    at_risk_pct: Fraction | None = None
    pool_pct: Annotated[Exact, Field(ge=0)] | None = None
    earnback_months: int | None = Field(default=None, ge=0)
    bonus: BonusChange | None = None
    volume_corridor: CorridorChange | None = None
    gain_share: GainShareChange | None = None
    service_levels: dict[str, ServiceLevelChange] = Field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self == TermChanges()


Change = Annotated[float, Field(gt=-1, le=10)]


class ChannelOperations(_Change):
    """Relative changes of a channel's operations: 0.1 is +10 %, −0.2 is −20 %."""

    volume_change: Change = 0.0
    staffing_change: Change = 0.0
    aht_change: Change = 0.0

    @property
    def key(self) -> tuple[float, float, float]:
        """The changes rounded to 10⁻⁶ (what a slider echo such as 0.19999999999999996 means)."""
        return (round(self.volume_change, 6), round(self.staffing_change, 6), round(self.aht_change, 6))

    @property
    def empty(self) -> bool:
        return self.key == (0.0, 0.0, 0.0)


class ExitChoice(_Change):
    """The exit what-if: the date notice would be given."""

    notice_on: dt.date


class PartnerScenario(_Change):
    terms: TermChanges = TermChanges()
    operations: dict[str, ChannelOperations] = Field(default_factory=dict)
    exit: ExitChoice | None = None

    @property
    def changes_operations(self) -> bool:
        return any(not ops.empty for ops in self.operations.values())


def _month(value: Any) -> Any:
    """`2026-01`, `2026-01-15` or a date: the first day of its month."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, str) and (m := re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", value.strip())):
        return dt.date(int(m[1]), int(m[2]), 1)
    raise ValueError(f"{value!r} is not a month (expected YYYY-MM)")


class Window(_Change):
    """The months (first to last, included) in which the operations change; absent ends are open."""

    first: dt.date | None = None
    last: dt.date | None = None

    @field_validator("first", "last", mode="before")
    @classmethod
    def _months(cls, value: Any) -> Any:
        return None if value is None else _month(value)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.first and self.last and self.first > self.last:
            raise ValueError(f"first {self.first:%Y-%m} is after last {self.last:%Y-%m}")
        return self

    def holds(self, month: dt.date) -> bool:
        return (self.first is None or month >= self.first) and (self.last is None or month <= self.last)


class Scenario(_Change):
    """A named set of changes, per partner id."""

    name: str = "scenario"
    description: str = ""
    window: Window = Window()
    partners: dict[str, PartnerScenario] = Field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Scenario:
        """The scenario a mapping describes (the keys of a scenario file); a ScenarioError names the key
        of any problem (`partners.rivage.terms.at_risk_pct: …`)."""
        return parse_scenario(raw, file="scenario")

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """The scenario of a YAML file (`read_scenario`)."""
        return read_scenario(path)

    def of(self, partner_id: str) -> PartnerScenario:
        """The partner's changes (none: an empty PartnerScenario)."""
        return self.partners.get(partner_id, PartnerScenario())

    def to_yaml(self) -> str:
        """The scenario as YAML (only what differs from the defaults), readable by `parse_scenario`."""
        data = _plain(self.model_dump(exclude_defaults=True))
        for end, month in data.get("window", {}).items():
            data["window"][end] = f"{month:%Y-%m}"
        header = "# A what-if scenario of partner_analytics (see README, What-if scenarios).\n"
        return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def check(self, contract: Contract) -> None:
        """Raise a ScenarioError when a partner, service level or channel is not in the contract."""
        for pid, changes in self.partners.items():
            if pid not in contract.partner_ids:
                raise ScenarioError(
                    f"unknown partner (expected one of: {', '.join(contract.partner_ids)})", key=f"partners.{pid}"
                )
            keys = [sl.key for sl in contract.partner(pid).service_levels]
            for key in changes.terms.service_levels:
                if key not in keys:
                    raise ScenarioError(
                        f"{pid} has no such service level (expected one of: {', '.join(keys)})",
                        key=f"partners.{pid}.terms.service_levels.{key}",
                    )
            for channel in changes.operations:
                if channel not in contract.channels:
                    raise ScenarioError(
                        f"unknown channel (expected one of: {', '.join(contract.channels)})",
                        key=f"partners.{pid}.operations.{channel}",
                    )


def _plain(value: Any) -> Any:
    """Decimals as floats and dates as dates, for YAML (0.12 stays 0.12)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def parse_scenario(raw: Any, *, file: Path | str = "scenario.yaml") -> Scenario:
    """Validate an already parsed scenario mapping; problems name the key (`partners.rivage.…`)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ScenarioError("expected a mapping with name, window and partners", file=file)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        loc = tuple(err["loc"])
        raise ScenarioError(validation_message(err), file=file, key=key_path(loc, raw)) from None


def read_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (a ScenarioError names the file and key of any problem)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError("no such scenario file", file=path)
    raw = yaml_document(path, ScenarioError)
    return parse_scenario(raw, file=path)


def write_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as YAML (atomically: a reader never sees half a file)."""
    return write_atomic(path, scenario.to_yaml())


def changed_contract(contract: Contract, scenario: Scenario) -> Contract:
    """The contract with the scenario's term changes, validated by the contract's own rules.

    Turning pain-share off drops the partner's pain bands (they only apply to shared losses).
    """
    scenario.check(contract)
    if all(scenario.of(p.id).terms.empty for p in contract.partners):
        return contract
    raw = contract.model_dump(exclude_unset=True, by_alias=True)
    raw["partners"] = list(raw["partners"])
    for i, partner in enumerate(contract.partners):
        terms = scenario.of(partner.id).terms
        if not terms.empty:
            raw["partners"][i] = _with_terms(raw["partners"][i], terms)
    try:
        return Contract.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        ctx_error = (err.get("ctx") or {}).get("error")
        loc = getattr(ctx_error, "loc", None) or tuple(err["loc"])
        message = getattr(ctx_error, "message", None) or validation_message(err)
        raise ScenarioError(
            f"the changed terms break a rule of the contract: {message}", key=_scenario_key(loc, contract)
        ) from None


def _with_terms(partner: dict[str, Any], terms: TermChanges) -> dict[str, Any]:
    """A partner's terms (as contract.yaml holds them) with the scenario's, term by term of the controls' tables."""
    out = dict(partner)
    for control in PARTNER_CONTROLS:
        value = value_at(terms, control.path)
        if value is None:
            continue
        out = with_value(out, control.path, value)
        if value is False and control.drops_when_off:
            group = {k: v for k, v in out[control.path[0]].items() if k not in control.drops_when_off}
            out[control.path[0]] = group
    if terms.service_levels:
        levels = []
        for sl in out.get("service_levels", ()):
            key = f"{sl['kpi']}/{sl['channel']}" if sl.get("channel") else sl["kpi"]
            change = terms.service_levels.get(key)
            for control in SERVICE_LEVEL_CONTROLS if change else ():
                if (value := value_at(change, control.path)) is not None:
                    sl = with_value(sl, control.path, value)
            levels.append(sl)
        out["service_levels"] = levels
    return out


def _scenario_key(loc: tuple[Any, ...], contract: Contract) -> str:
    """A contract location (`partners`, 0, `service_levels`, 1, `minimum`) as the scenario key that set it."""
    if len(loc) < 2 or loc[0] != "partners" or not isinstance(loc[1], int):
        return "terms"
    partner = contract.partners[loc[1]]
    rest = list(loc[2:])
    if rest[:1] == ["service_levels"] and len(rest) > 1 and isinstance(rest[1], int):
        rest[1] = partner.service_levels[rest[1]].key
    return ".".join(["partners", partner.id, "terms", *(str(x) for x in rest)])
