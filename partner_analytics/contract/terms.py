"""The contract: typed models of `contract.yaml`.

Contract terms are data: every transform takes them from here. Money and the fractions applied to
money are `Decimal` so that what the contract says is what is computed (0.12 stays 0.12).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..core.errors import did_you_mean
from ..core.kpis import KPIS, direction_sign
from ..core.periods import add_months
from ..core.schema import TABLES
from .service_hours import ServiceHours

__all__ = [
    "SOURCE_FORMS",
    "Bonus",
    "ChannelTerms",
    "ChronicFailure",
    "Contract",
    "Credit",
    "GainShare",
    "IntervalTarget",
    "KeyedError",
    "Partner",
    "Pricing",
    "ResourceBaseline",
    "Reversibility",
    "ServiceLevel",
    "ServiceLevelFormula",
    "ShareBand",
    "Source",
    "VolumeCorridor",
]


class KeyedError(ValueError):
    """A cross-reference error raised with its own key path (pydantic would only give the root)."""

    def __init__(self, loc: tuple[Any, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


_AMOUNT_LIMIT = Decimal(10) ** 12


def _in_range(value: Decimal) -> Decimal:
    """A contract's amounts, counts and fractions are at most 10^12 (as a table's numbers are): beyond,
    the exact arithmetic in cents would overflow."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    if abs(value) > _AMOUNT_LIMIT:
        raise ValueError(f"{value} is out of range (expected at most 1e+12 in absolute value)")
    return value


def _six_places(value: Decimal) -> Decimal:
    if _in_range(value).as_tuple().exponent < -6 and value != value.quantize(Decimal("0.000001")):
        raise ValueError(f"{value} has more than 6 decimal places (expected at most 6)")
    return value


def _cents(value: Decimal) -> Decimal:
    if _in_range(value).as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} is not a whole number of cents (expected at most 2 decimal places)")
    return value


Exact = Annotated[Decimal, AfterValidator(_six_places)]
Fraction = Annotated[Exact, Field(ge=0, le=1)]
NonNegativeMoney = Annotated[Exact, Field(ge=0)]
Cents = Annotated[Decimal, Field(ge=0), AfterValidator(_cents)]


class _Terms(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceLevelFormula(_Terms):
    """How the service level is counted; the defaults are formulas.md §1: in service / (offered − short abandons).

    - `denominator`: `offered`, `answered`, or `answered_and_late_abandons` (answered + abandoned after T);
    - `short_abandons_in_denominator`: keep the short abandons in an `offered` denominator;
    - `abandons_in_service`: count the abandons within T as in service (with an `offered` denominator,
      which holds them; short abandons among them only when they are in the denominator).
    """

    denominator: Literal["offered", "answered", "answered_and_late_abandons"] = "offered"
    short_abandons_in_denominator: bool = False
    abandons_in_service: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ServiceLevelFormula:
        if self.denominator != "offered":
            if self.short_abandons_in_denominator:
                raise ValueError(
                    f"short_abandons_in_denominator applies to denominator offered only "
                    f"(the {self.denominator} denominator never holds a short abandon)"
                )
            if self.abandons_in_service:
                raise ValueError(
                    f"abandons_in_service needs denominator offered (got {self.denominator}): "
                    "an abandon counted in service must also be in the denominator"
                )
        return self

    @property
    def sorts_abandons(self) -> bool:
        """Whether the formula tells abandons within T from those after it (it needs S ≤ T)."""
        return self.abandons_in_service or self.denominator == "answered_and_late_abandons"


class IntervalTarget(_Terms):
    """Interval targets (formulas.md §1.9): "80 % in 20 s in at least 90 % of the half-hours". An
    interval of `minutes` (local wall clock) with at least `min_contacts` offered is measured; it
    reaches the target when its service level (the channel's formula) is at least `service_level`.
    The `interval_attainment` KPI is the share of measured intervals that reach it, and a service
    level on it sets the share committed (e.g. target 0.90)."""

    minutes: Literal[15, 30, 60] = 30
    service_level: float = Field(gt=0, le=1)
    min_contacts: int = Field(default=1, ge=1)


class ChannelTerms(_Terms):
    """Service-level thresholds of a channel: T and S of formulas.md §1, in seconds, and how the
    channel's service level is counted."""

    answer_within_s: float = Field(gt=0)
    short_abandon_s: float = Field(default=0, ge=0)
    service_level_formula: ServiceLevelFormula = ServiceLevelFormula()
    # Repeat-contact terms (formulas.md §1.4): the window in which another contact of the customer
    # makes an answered contact of this channel a repeat (FCR and repeat-contact rate, formulas.md §1).
    fcr_window_hours: float = Field(default=168, gt=0, le=24 * 366)
    # Interval targets (formulas.md §1.9): absent, the channel has no interval_attainment.
    interval_target: IntervalTarget | None = None

    @model_validator(mode="after")
    def _short_within_threshold(self) -> ChannelTerms:
        if self.service_level_formula.sorts_abandons:
            _check_short_before_threshold(self)
        return self


def _check_short_before_threshold(terms: ChannelTerms) -> None:
    if terms.short_abandon_s > terms.answer_within_s:
        raise ValueError(
            f"short_abandon_s ({terms.short_abandon_s:g}) is above answer_within_s ({terms.answer_within_s:g}): "
            "a formula that sorts abandons by the threshold needs every short abandon within it"
        )


class ResourceBaseline(_Terms):
    """Anchored pricing: a monthly baseline volume with a dead-band (±band) where the price does not
    move; beyond it, additional resource charges (ARC, per contact above) or reduced resource credits
    (RRC, per contact below), counted from the band's edge or, once the band is breached, from the
    baseline (`rates_from`). `channel` absent: the partner's volume over all channels."""

    channel: str | None = None
    volume: Literal["answered", "offered"] = "answered"
    baseline_contacts: Annotated[Exact, Field(gt=0)]
    band: Annotated[Exact, Field(ge=0, lt=1)] = Decimal(0)
    arc_rate: NonNegativeMoney = Decimal(0)
    rrc_rate: NonNegativeMoney = Decimal(0)
    rates_from: Literal["band_edge", "baseline"] = "band_edge"


class Pricing(_Terms):
    per_handled_contact: dict[str, NonNegativeMoney] = Field(default_factory=dict)
    monthly_fee: NonNegativeMoney | None = None
    resource_baselines: tuple[ResourceBaseline, ...] = ()

    @model_validator(mode="after")
    def _some_price(self) -> Pricing:
        if not self.per_handled_contact and self.monthly_fee is None:
            raise ValueError("give per_handled_contact prices, a monthly_fee, or both")
        return self

    @field_validator("resource_baselines")
    @classmethod
    def _one_baseline_per_scope(cls, baselines: tuple[ResourceBaseline, ...]) -> tuple[ResourceBaseline, ...]:
        channels = [b.channel for b in baselines]
        for i, channel in enumerate(channels):
            if channel in channels[:i]:
                where = f"channel {channel!r}" if channel else "the partner's whole volume"
                raise ValueError(f"resource_baselines[{i}]: {where} has a baseline already (expected one per channel)")
        if None in channels and len(channels) > 1:
            raise ValueError(
                "a baseline without channel (the whole volume) and per-channel baselines would count "
                "the same contacts twice (expected either one baseline without channel, or one per channel)"
            )
        return baselines


class Bonus(_Terms):
    """The provider's bonus: a pool (`pool_pct` of charges, allocated like the at-risk amount; without
    `pool_pct` it mirrors the at-risk amount) or fixed amounts per service level whose stretch is
    reached (`basis: fixed`, `bonus_amount`)."""

    basis: Literal["pool", "fixed"] = "pool"
    pool_pct: Fraction | None = None

    @model_validator(mode="after")
    def _pool_for_pool_basis(self) -> Bonus:
        if self.basis == "fixed" and self.pool_pct is not None:
            raise ValueError("pool_pct applies to basis pool only (basis fixed pays each service level's bonus_amount)")
        return self


class VolumeCorridor(_Terms):
    band: Annotated[Exact, Field(gt=0, lt=1)]
    forecast_lead_months: int = Field(default=0, ge=0)
    shortfall_rate: NonNegativeMoney = Decimal(0)


class ShareBand(_Terms):
    """A band of the saving (or loss) relative to the charges, `from` ≤ value / charges < `to`, and the
    provider's share of the part of the value in it (`to` absent: no upper end)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    lower: Annotated[Exact, Field(ge=0)] = Field(alias="from")
    upper: Annotated[Exact, Field(gt=0)] | None = Field(default=None, alias="to")
    provider_share: Fraction


class GainShare(_Terms):
    """Gain-share on FCR (formulas.md §5): a flat `provider_share`, or shares by band of the value
    relative to the charges (`gain_bands` for savings, `pain_bands` for losses, marginal like tax
    brackets)."""

    baseline_fcr: Fraction
    provider_share: Fraction | None = None
    pain_share: bool = False
    gain_bands: tuple[ShareBand, ...] = ()
    pain_bands: tuple[ShareBand, ...] = ()

    @field_validator("gain_bands", "pain_bands")
    @classmethod
    def _contiguous(cls, bands: tuple[ShareBand, ...]) -> tuple[ShareBand, ...]:
        edge = Decimal(0)
        for i, band in enumerate(bands):
            if band.lower < edge:
                raise ValueError(f"band [{i}] from {band.lower} overlaps the band before, which runs to {edge}")
            if band.lower > edge:
                raise ValueError(f"band [{i}] from {band.lower} leaves a gap after {edge} (expected from: {edge})")
            if band.upper is None:
                if i < len(bands) - 1:
                    raise ValueError(f"band [{i}] has no `to` but band [{i + 1}] follows: they overlap")
                return bands
            if band.upper <= band.lower:
                raise ValueError(f"band [{i}] runs from {band.lower} to {band.upper} (expected `to` above `from`)")
            edge = band.upper
        if bands:
            raise ValueError(f"the last band ends at {edge}, which leaves a gap above it (leave out its `to`)")
        return bands

    @model_validator(mode="after")
    def _shares(self) -> GainShare:
        if self.pain_bands and not self.pain_share:
            raise ValueError("pain_bands share losses: set pain_share: true")
        if self.provider_share is None and (not self.gain_bands or (self.pain_share and not self.pain_bands)):
            side = "gains" if not self.gain_bands else "losses"
            raise ValueError(f"provider_share is missing: it is the share of the {side}, which have no bands")
        return self


class ChronicFailure(_Terms):
    """What opens the client's termination right: `breaches` breaches of one service level within
    `within_months` months (the default, 3 in 6), and/or credits at the at-risk cap in
    `capped_months` of the last `within_months` months. Giving only `capped_months` uses that rule
    alone; giving both, either rule opens the right."""

    breaches: int | None = Field(default=3, ge=1)
    capped_months: int | None = Field(default=None, ge=1)
    within_months: int = Field(default=6, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _cap_rule_alone(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("capped_months") is not None and "breaches" not in data:
            return {**data, "breaches": None}
        return data

    @model_validator(mode="after")
    def _window_holds_the_count(self) -> ChronicFailure:
        if self.breaches is None and self.capped_months is None:
            raise ValueError("give breaches, capped_months, or both (expected a rule that can fail)")
        for name in ("breaches", "capped_months"):
            count = getattr(self, name)
            if count is not None and self.within_months < count:
                raise ValueError(
                    f"within_months ({self.within_months}) is shorter than {name} ({count}): "
                    "the failure could never happen"
                )
        return self


class Credit(_Terms):
    """When a service level earns the client a credit, and how much (formulas.md §3 is `minimum_miss`).

    - `minimum_miss`: a breach (not excused) earns `at_risk_amount × allocation_pct`; with `escalation`
      [m1, m2, …] the k-th consecutive breach is multiplied by m_k (the last one repeats);
    - `target_misses`: in a run of months below target (below target or breach), the month the run
      reaches `consecutive` and each later month of the run earn the same credit (never the earlier ones);
    - `shortfall`: a month below target earns `charges × min(factor × relative shortfall, max_pct)`,
      at most the service level's `at_risk_amount × allocation_pct`; the relative shortfall is
      (target − value) / target (value − target for lower-is-better KPIs).
    Whatever the trigger, a month's credits never exceed the at-risk amount.
    """

    trigger: Literal["minimum_miss", "target_misses", "shortfall"] = "minimum_miss"
    escalation: tuple[Annotated[Exact, Field(ge=0)], ...] = ()
    consecutive: int | None = Field(default=None, ge=1)
    factor: Annotated[Exact, Field(gt=0)] | None = None
    max_pct: Fraction | None = None

    @model_validator(mode="after")
    def _options_of_the_trigger(self) -> Credit:
        options = {"minimum_miss": {"escalation"}, "target_misses": {"consecutive"}, "shortfall": {"factor", "max_pct"}}
        for name in sorted(self.model_fields_set - {"trigger"}):
            if name not in options[self.trigger]:
                owner = next(t for t, names in options.items() if name in names)
                raise ValueError(f"{name} applies to trigger {owner}, not {self.trigger}")
        if self.trigger == "target_misses" and self.consecutive is None:
            raise ValueError("trigger target_misses needs consecutive (how many months below target in a row)")
        if self.trigger == "shortfall" and self.factor is None:
            raise ValueError("trigger shortfall needs factor (credit rate = factor × relative shortfall)")
        if self.escalation == () and "escalation" in self.model_fields_set:
            raise ValueError("escalation is empty (expected multipliers such as [1, 1.5, 2])")
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
    formula: ServiceLevelFormula | None = None
    credit: Credit | None = None
    bonus_amount: Cents | None = None
    # measurement period (formulas.md §2.2): the months one value covers
    measurement_period: Literal["month", "quarter", "year_to_date", "rolling"] = "month"
    rolling_months: int | None = Field(default=None, ge=2, le=24)

    @field_validator("formula")
    @classmethod
    def _formula_of_a_service_level(cls, formula: ServiceLevelFormula | None, info: ValidationInfo) -> Any:
        kpi = info.data.get("kpi")
        if formula is not None and kpi is not None and kpi != "service_level":
            raise ValueError(f"a formula applies to the service_level KPI only, not {kpi!r}")
        return formula

    @field_validator("credit")
    @classmethod
    def _credit_needs_allocation(cls, credit: Credit | None, info: ValidationInfo) -> Any:
        if credit is not None and info.data.get("allocation_pct") == 0:
            raise ValueError("credit terms on a service level without allocation_pct: it earns no credit")
        return credit

    @field_validator("bonus_amount")
    @classmethod
    def _bonus_needs_stretch(cls, amount: Decimal | None, info: ValidationInfo) -> Any:
        if amount is not None and "stretch" in info.data and info.data["stretch"] is None:
            raise ValueError("a bonus_amount is paid when the stretch is reached: give a stretch")
        return amount

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, name: str) -> str:
        if name not in KPIS:
            raise ValueError(f"unknown KPI {name!r} ({did_you_mean(name, list(KPIS))})")
        if KPIS[name].direction == "none":
            raise ValueError(f"KPI {name!r} has no better direction: it cannot carry a service level")
        return name

    @model_validator(mode="after")
    def _measurement_period(self) -> ServiceLevel:
        if self.measurement_period == "rolling" and self.rolling_months is None:
            raise ValueError("measurement_period rolling needs rolling_months (how many months the window holds)")
        if self.rolling_months is not None and self.measurement_period != "rolling":
            raise ValueError(f"rolling_months applies to measurement_period rolling, not {self.measurement_period}")
        if self.measurement_period != "month" and self.kpi == "forecast_accuracy":
            raise ValueError(
                "forecast_accuracy is measured per month only (its value is not a ratio of sums over months)"
            )
        return self

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
    credit: Credit = Credit()
    bonus: Bonus | None = None
    volume_corridor: VolumeCorridor | None = None
    gain_share: GainShare | None = None
    chronic_failure: ChronicFailure = ChronicFailure()
    reversibility: Reversibility | None = None
    service_levels: tuple[ServiceLevel, ...] = ()
    # service hours (formulas.md §1.10): channel → its opening hours and holidays
    service_hours: dict[str, ServiceHours] = Field(default_factory=dict)

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
    def bonus_pool_pct(self) -> Decimal | None:
        """The bonus pool's share of charges: `bonus.pool_pct`, else the at-risk share it mirrors
        (None without a pool)."""
        if self.bonus is None or self.bonus.basis != "pool":
            return None
        return self.bonus.pool_pct if self.bonus.pool_pct is not None else self.at_risk_pct

    def credit_of(self, service_level: ServiceLevel) -> Credit:
        """The credit terms of a service level: its own, else the partner's."""
        return service_level.credit or self.credit

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
    # a platform's export (io/presets.py): its field names and timestamps turned into our columns
    preset: Literal["amazon_connect", "genesys_cloud", "nice_cxone", "five9", "avaya_cms"] | None = None
    # interval reports: the partner × channel pairs measured from this table (sources.intervals only)
    covers: dict[str, tuple[str, ...]] = Field(default_factory=dict)


SOURCE_FORMS = ("file", "files")
"""The two forms of a table under `sources:` (one file's description, or a list of them), as pydantic
names them in an error's location (after the table), not keys of the contract."""


def _source_form(value: Any) -> str:
    return SOURCE_FORMS[1] if isinstance(value, (list, tuple)) else SOURCE_FORMS[0]


_SourceOrFiles = Annotated[
    Annotated[Source, Tag(SOURCE_FORMS[0])] | Annotated[tuple[Source, ...], Tag(SOURCE_FORMS[1])],
    Discriminator(_source_form),
]


class Committees(_Terms):
    """When the committees meet: days after their period's last day (formulas.md §10.6)."""

    operational_days: int = Field(default=10, ge=0, le=90)
    strategic_days: int = Field(default=20, ge=0, le=120)


class Contract(_Terms):
    client: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    timezone: str
    # the language of the committee reports (their words, numbers, money and dates); a cycle may override it
    language: Literal["en", "fr"] = "en"
    channels: dict[str, ChannelTerms] = Field(min_length=1)
    partners: tuple[Partner, ...] = Field(min_length=1)
    # a table's file, or its files (a list: each read with its own keys, the rows put together)
    sources: dict[str, _SourceOrFiles] = Field(default_factory=dict)
    committees: Committees = Committees()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            close = did_you_mean(name, sorted(available_timezones()), cutoff=0.9)
            hint = f"; {close}" if close.startswith("did") else ""
            raise ValueError(f"unknown timezone {name!r} (expected an IANA name such as Europe/Paris{hint})") from None
        return name

    @model_validator(mode="after")
    def _references(self) -> Contract:
        ids = [p.id for p in self.partners]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise KeyedError(("partners",), f"partner id {dupes[0]!r} is given twice")
        for i, partner in enumerate(self.partners):
            for j, sl in enumerate(partner.service_levels):
                if sl.channel is not None and sl.channel not in self.channels:
                    raise KeyedError(
                        ("partners", i, "service_levels", j, "channel"),
                        f"channel {sl.channel!r} has no thresholds under `channels` "
                        f"({did_you_mean(sl.channel, list(self.channels))})",
                    )
                self._check_service_level_terms(i, j, partner, sl)
            if (
                partner.bonus
                and partner.bonus.basis == "fixed"
                and all(sl.bonus_amount is None for sl in partner.service_levels)
            ):
                raise KeyedError(
                    ("partners", i, "bonus", "basis"),
                    "bonus basis fixed, but no service level has a bonus_amount",
                )
            for k, baseline in enumerate(partner.pricing.resource_baselines):
                if baseline.channel is not None and baseline.channel not in self.channels:
                    raise KeyedError(
                        ("partners", i, "pricing", "resource_baselines", k, "channel"),
                        f"channel {baseline.channel!r} is not under `channels` "
                        f"(expected one of: {', '.join(self.channels)})",
                    )
            for channel in partner.pricing.per_handled_contact:
                if channel not in self.channels:
                    raise KeyedError(
                        ("partners", i, "pricing", "per_handled_contact", channel),
                        f"price for channel {channel!r} which is not under `channels` "
                        f"(expected one of: {', '.join(self.channels)})",
                    )
            # service hours (formulas.md §1.10)
            for channel in partner.service_hours:
                if channel not in self.channels:
                    raise KeyedError(
                        ("partners", i, "service_hours", channel),
                        f"service hours for channel {channel!r} which is not under `channels` "
                        f"({did_you_mean(channel, list(self.channels))})",
                    )
            corridor = partner.volume_corridor
            if corridor and corridor.shortfall_rate > 0 and not partner.pricing.per_handled_contact:
                raise KeyedError(
                    ("partners", i, "volume_corridor", "shortfall_rate"),
                    "a shortfall rate needs per_handled_contact prices "
                    "(compensation = missing contacts × price × rate)",
                )
        for table, given in self.sources.items():
            if table not in TABLES:
                raise KeyedError(("sources", table), f"unknown table {table!r} ({did_you_mean(table, list(TABLES))})")
            known = TABLES[table].column_names
            for where, source in self._source_keys(table, given):
                if isinstance(given, tuple) and not source.path:
                    raise KeyedError(
                        (*where, "path"),
                        f"each file of a list under sources.{table} needs its path (expected path: <file>)",
                    )
                for ours in source.columns:
                    if ours not in known:
                        raise KeyedError(
                            (*where, "columns", ours),
                            f"unknown column {ours!r} of {table} ({did_you_mean(ours, known)})",
                        )
            if isinstance(given, tuple) and not given:
                raise KeyedError(("sources", table), "an empty list of files (expected at least one file)")
            paths = [s.path for s in self.table_sources(table)]
            repeated = next((k for k, path in enumerate(paths) if path in paths[:k]), None)
            if repeated is not None:
                raise KeyedError(
                    ("sources", table, repeated, "path"),
                    f"{paths[repeated]!r} is listed twice (expected each file once)",
                )
        return self

    @staticmethod
    def _source_keys(table: str, given: Source | tuple[Source, ...]) -> list[tuple[tuple[Any, ...], Source]]:
        """Each file's description under sources.<table> with its key path (its position in a list)."""
        if isinstance(given, tuple):
            return [(("sources", table, k), source) for k, source in enumerate(given)]
        return [(("sources", table), given)]

    def table_sources(self, table: str) -> tuple[Source, ...]:
        """How to read `table`: none (its default file), one description, or one per file of a list,
        in the order they are read."""
        given = self.sources.get(table)
        if given is None:
            return ()
        return given if isinstance(given, tuple) else (given,)

    # --- interval reports: which partner × channel is measured from `intervals` ---

    @model_validator(mode="after")
    def _interval_coverage(self) -> Contract:
        """`covers` names known partners and channels, under sources.intervals only, each pair once."""
        for table, given in self.sources.items():
            for where, source in self._source_keys(table, given):
                if source.covers and table != "intervals":
                    raise KeyedError(
                        (*where, "covers"),
                        "covers applies to sources.intervals only "
                        "(the partner × channel pairs measured from intervals)",
                    )
        for partner, channels in self.interval_pairs_by_partner.items():
            if partner not in self.partner_ids:
                raise KeyedError(
                    ("sources", "intervals", "covers", partner),
                    f"unknown partner {partner!r} ({did_you_mean(partner, list(self.partner_ids))})",
                )
            for k, channel in enumerate(channels):
                if channel not in self.channels:
                    raise KeyedError(
                        ("sources", "intervals", "covers", partner, k),
                        f"channel {channel!r} is not under `channels` ({did_you_mean(channel, list(self.channels))})",
                    )
                if channel in channels[:k]:
                    raise KeyedError(("sources", "intervals", "covers", partner, k), f"channel {channel!r} twice")
        return self

    @property
    def interval_pairs_by_partner(self) -> dict[str, tuple[str, ...]]:
        """partner -> the channels measured from interval reports (sources.intervals.covers, every file's);
        others from contacts."""
        pairs: dict[str, tuple[str, ...]] = {}
        for source in self.table_sources("intervals"):
            for partner, channels in source.covers.items():
                pairs[partner] = pairs.get(partner, ()) + tuple(channels)
        return pairs

    @property
    def interval_pairs(self) -> frozenset[tuple[str, str]]:
        """The (partner, channel) pairs measured from interval reports."""
        return frozenset((p, c) for p, channels in self.interval_pairs_by_partner.items() for c in channels)

    # --- end of interval reports ---

    def _check_service_level_terms(self, i: int, j: int, partner: Partner, sl: ServiceLevel) -> None:
        """The terms of a service level that depend on its channel or on the partner's terms."""
        at = ("partners", i, "service_levels", j)
        if sl.formula is not None and sl.formula.sorts_abandons:
            for name in [sl.channel] if sl.channel else list(self.channels):
                try:
                    _check_short_before_threshold(self.channels[name])
                except ValueError as e:
                    raise KeyedError((*at, "formula"), f"channel {name}: {e}") from None
        if partner.credit_of(sl).trigger == "shortfall" and sl.target == 0:
            raise KeyedError(
                (*at, "target"),
                "a shortfall credit is relative to the target, which cannot be 0 (expected a target ≠ 0)",
            )
        if sl.bonus_amount is not None and (partner.bonus is None or partner.bonus.basis != "fixed"):
            raise KeyedError(
                (*at, "bonus_amount"),
                "a bonus_amount is paid under `bonus: {basis: fixed}` only (the partner's bonus is "
                f"{'absent' if partner.bonus is None else 'a pool'})",
            )

    def partner(self, partner_id: str) -> Partner:
        for p in self.partners:
            if p.id == partner_id:
                return p
        raise KeyError(f"unknown partner {partner_id!r} (known: {', '.join(p.id for p in self.partners)})")

    @property
    def partner_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.partners)
