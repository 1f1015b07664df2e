"""The contract: typed models of `contract.yaml`, and the reading that names the key at fault.

Contract terms are data: every transform takes them from here. Money and the fractions applied to
money are `Decimal` so that what the contract says is what is computed (0.12 stays 0.12).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ContractError
from .kpis import KPIS, direction_sign
from .schema import TABLES

__all__ = [
    "Bonus",
    "ChannelTerms",
    "ChronicFailure",
    "Contract",
    "GainShare",
    "Partner",
    "Pricing",
    "Reversibility",
    "ServiceLevel",
    "Source",
    "VolumeCorridor",
    "add_months",
    "months_between",
    "parse_contract",
    "read_contract",
]


def _six_places(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.000001")):
        raise ValueError(f"{value} has more than 6 decimal places (expected at most 6)")
    return value


Exact = Annotated[Decimal, AfterValidator(_six_places)]
Fraction = Annotated[Exact, Field(ge=0, le=1)]
NonNegativeMoney = Annotated[Exact, Field(ge=0)]


class _Terms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelTerms(_Terms):
    """Service-level thresholds of a channel: T and S of FORMULAS §1, in seconds."""

    answer_within_s: float = Field(gt=0)
    short_abandon_s: float = Field(default=0, ge=0)


class Pricing(_Terms):
    per_handled_contact: dict[str, NonNegativeMoney] = Field(default_factory=dict)
    monthly_fee: NonNegativeMoney | None = None

    @model_validator(mode="after")
    def _some_price(self) -> Pricing:
        if not self.per_handled_contact and self.monthly_fee is None:
            raise ValueError("give per_handled_contact prices, a monthly_fee, or both")
        return self


class Bonus(_Terms):
    pool_pct: Fraction


class VolumeCorridor(_Terms):
    band: Annotated[Exact, Field(gt=0, lt=1)]
    forecast_lead_months: int = Field(default=0, ge=0)
    shortfall_rate: NonNegativeMoney = Decimal(0)


class GainShare(_Terms):
    baseline_fcr: Fraction
    provider_share: Fraction
    pain_share: bool = False


class ChronicFailure(_Terms):
    breaches: int = Field(default=3, ge=1)
    within_months: int = Field(default=6, ge=1)

    @model_validator(mode="after")
    def _window_holds_breaches(self) -> ChronicFailure:
        if self.within_months < self.breaches:
            raise ValueError(
                f"within_months ({self.within_months}) is shorter than breaches ({self.breaches}): "
                "the failure could never happen"
            )
        return self


class Reversibility(_Terms):
    notice_months: int = Field(ge=0)
    transition_months: int = Field(ge=0)


class ServiceLevel(_Terms):
    """A committed level on one KPI, for one channel or partner-wide (channel absent)."""

    kpi: str
    channel: str | None = None
    target: float
    minimum: float
    allocation_pct: Fraction = Decimal(0)
    stretch: float | None = None

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, name: str) -> str:
        if name not in KPIS:
            raise ValueError(f"unknown KPI {name!r} (expected one of: {', '.join(KPIS)})")
        if KPIS[name].direction == "none":
            raise ValueError(f"KPI {name!r} has no better direction: it cannot carry a service level")
        return name

    @model_validator(mode="after")
    def _sides(self) -> ServiceLevel:
        d = direction_sign(self.kpi)
        better = "higher" if d > 0 else "lower"
        if d * (self.target - self.minimum) < 0:
            side = "at or below" if d > 0 else "at or above"
            raise ValueError(
                f"minimum {self.minimum:g} is on the wrong side of target {self.target:g}: "
                f"{self.kpi} is {better}-is-better, so the minimum must be {side} the target"
            )
        if self.stretch is not None and d * (self.stretch - self.target) < 0:
            side = "at or above" if d > 0 else "at or below"
            raise ValueError(
                f"stretch {self.stretch:g} is on the wrong side of target {self.target:g}: "
                f"{self.kpi} is {better}-is-better, so the stretch must be {side} the target"
            )
        return self

    @property
    def key(self) -> str:
        """A stable, readable identifier, e.g. `service_level/voice` or `fcr`."""
        return f"{self.kpi}/{self.channel}" if self.channel else self.kpi


class Partner(_Terms):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: str = Field(min_length=1)
    start: dt.date
    term_months: int = Field(gt=0)
    pricing: Pricing
    at_risk_pct: Fraction = Decimal(0)
    pool_pct: Annotated[Exact, Field(ge=0)] = Decimal(1)
    earnback_months: int = Field(default=0, ge=0)
    bonus: Bonus | None = None
    volume_corridor: VolumeCorridor | None = None
    gain_share: GainShare | None = None
    chronic_failure: ChronicFailure = ChronicFailure()
    reversibility: Reversibility | None = None
    service_levels: tuple[ServiceLevel, ...] = ()

    @model_validator(mode="after")
    def _allocations(self) -> Partner:
        total = sum((sl.allocation_pct for sl in self.service_levels), Decimal(0))
        if total > self.pool_pct:
            raise ValueError(
                f"allocations add up to {total} which is over pool_pct {self.pool_pct} "
                "(expected the sum of allocation_pct at most pool_pct)"
            )
        keys = [sl.key for sl in self.service_levels]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"service level {dupes[0]!r} is given twice (expected one per KPI and channel)")
        return self

    @property
    def end(self) -> dt.date:
        """The first day after the term."""
        return add_months(self.start, self.term_months)


class Source(_Terms):
    """Where a table's file is and how to read it, when it does not follow our names."""

    path: str | None = None
    separator: str = Field(default=",", min_length=1, max_length=1)
    decimal_comma: bool = False
    encoding: Literal["utf-8", "utf8", "cp1252", "windows-1252", "latin-1", "iso-8859-1", "iso-8859-15"] = "utf-8"
    datetime_format: str | None = None
    date_format: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)


class Contract(_Terms):
    client: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    timezone: str
    channels: dict[str, ChannelTerms] = Field(min_length=1)
    partners: tuple[Partner, ...] = Field(min_length=1)
    sources: dict[str, Source] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {name!r} (expected an IANA name such as Europe/Paris)") from None
        return name

    @model_validator(mode="after")
    def _references(self) -> Contract:
        ids = [p.id for p in self.partners]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise _KeyedError(("partners",), f"partner id {dupes[0]!r} is given twice")
        for i, partner in enumerate(self.partners):
            for j, sl in enumerate(partner.service_levels):
                if sl.channel is not None and sl.channel not in self.channels:
                    raise _KeyedError(
                        ("partners", i, "service_levels", j, "channel"),
                        f"channel {sl.channel!r} has no thresholds under `channels` "
                        f"(expected one of: {', '.join(self.channels)})",
                    )
            for channel in partner.pricing.per_handled_contact:
                if channel not in self.channels:
                    raise _KeyedError(
                        ("partners", i, "pricing", "per_handled_contact", channel),
                        f"price for channel {channel!r} which is not under `channels` "
                        f"(expected one of: {', '.join(self.channels)})",
                    )
            corridor = partner.volume_corridor
            if corridor and corridor.shortfall_rate > 0 and not partner.pricing.per_handled_contact:
                raise _KeyedError(
                    ("partners", i, "volume_corridor", "shortfall_rate"),
                    "a shortfall rate needs per_handled_contact prices "
                    "(compensation = missing contacts × price × rate)",
                )
        for table, source in self.sources.items():
            if table not in TABLES:
                raise _KeyedError(("sources", table), f"unknown table {table!r} (expected one of: {', '.join(TABLES)})")
            known = TABLES[table].column_names
            for ours in source.columns:
                if ours not in known:
                    raise _KeyedError(
                        ("sources", table, "columns", ours),
                        f"unknown column {ours!r} of {table} (expected one of: {', '.join(known)})",
                    )
        return self

    def partner(self, partner_id: str) -> Partner:
        for p in self.partners:
            if p.id == partner_id:
                return p
        raise KeyError(f"unknown partner {partner_id!r} (known: {', '.join(p.id for p in self.partners)})")

    @property
    def partner_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.partners)


class _KeyedError(ValueError):
    """A cross-reference error raised with its own key path (pydantic would only give the root)."""

    def __init__(self, loc: tuple[Any, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


def read_contract(path: Path) -> Contract:
    """Read and validate a `contract.yaml`; any problem is a ContractError naming the file and key."""
    if not path.is_file():
        raise ContractError("no contract.yaml: this folder is not an engagement", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ContractError(f"not UTF-8 text (byte {e.start}): save it as UTF-8", file=path) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ContractError(f"not valid YAML: {problem}", file=path, key=where) from None
    return parse_contract(raw, file=path)


def parse_contract(raw: Any, *, file: Path | str = "contract.yaml") -> Contract:
    """Validate an already parsed contract mapping."""
    if not isinstance(raw, dict):
        raise ContractError("expected a mapping with client, currency, timezone, channels and partners", file=file)
    try:
        return Contract.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _KeyedError):
            loc, message = ctx_error.loc, ctx_error.message
        else:
            loc, message = tuple(err["loc"]), _pydantic_message(err)
        raise ContractError(message, file=file, key=_key_path(loc, raw)) from None


def _pydantic_message(err: dict[str, Any]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        return "unknown key (check its spelling against the contract reference)"
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    got = err.get("input")
    if kind not in {"value_error"} and not isinstance(got, (dict, list)):
        msg = f"{msg}, got {got!r}"
    return msg


def _key_path(loc: tuple[Any, ...], raw: Any) -> str:
    """`partners[1] (northcall).service_levels[0].minimum` from a pydantic location."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f" ({node['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (day clipped to the month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def months_between(first: dt.date, second: dt.date) -> int:
    """Whole calendar months from the month of `first` to the month of `second`."""
    return (second.year - first.year) * 12 + second.month - first.month
