"""Who the sample engagement is about: the client, its four partners, their terms and their behaviour.

Everything the generator does is driven by the constants of this module, so the story of the
sample can be read here without reading the generator:

- **NorthCall Services** (`northcall`) is the solid partner: voice, chat and email, meets almost
  everything, with a few near misses (the January price-change letters, a summer staffing gap, the
  June 2026 billing incident). It has a bonus on a first-contact-resolution stretch it sometimes
  reaches, and gain-share on first-contact resolution.
- **Rivage Relation Client** (`rivage`) is the degrading partner: voice and email, a monthly fee
  plus a price per contact. From January 2026 absenteeism grows (most at its Rabat site), voice
  service level and abandon rate breach month after month (a chronic failure), and its self-reported
  figures flatter it. Its contract's last notice date is 2027-01-01, three months after the data.
- **Sud Horizon Contact** (`sudhorizon`) is the improving partner: voice and chat, started with the
  data in October 2024, below its minimums while its teams ramp up, above target from mid-2025,
  and earns credits back. Its gain-share has `pain_share: true`.
- **Atlas Appels** (`atlas`, INTERVAL_PARTNER) takes the voice overflow from January 2025. Its ACD
  gives only interval reports, so its contract commits what they measure (service level, abandon
  rate, ASA, AHT). It starts below its minimums, and the price-change letters of January 2026 and
  the billing incident of June 2026 overwhelm it.

A partner's month is driven by one *health* index in [0, 1] (0 = as bad as the sample gets,
1 = excellent), interpolated between dated anchors, with dated dips and a little noise; each
KPI driver maps health linearly between its worst and best value (see `Drivers`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "AS_OF",
    "BILLING_ERRORS",
    "CAMPAIGNS",
    "CHANNELS",
    "CLIENT",
    "CLIENT_EVALUATOR_BIAS",
    "CSAT_LATENT",
    "CURRENCY",
    "DRIVERS",
    "EXPORT_DEFECTS",
    "FIRST_MONTH",
    "FLATTERIES",
    "FOLLOW_UP",
    "FORECAST_MISHAPS",
    "INTERVAL_PARTNER",
    "LAST_MONTH",
    "MONTHS",
    "PARTNERS",
    "QUALITY",
    "RETRY_AFTER_ABANDON",
    "TIMEZONE",
    "UNREPORTED",
    "VOLUME_SHIFTS",
    "Behaviour",
    "BillingError",
    "Campaign",
    "ChannelRules",
    "Drivers",
    "Flattery",
    "ForecastMishap",
    "Partner",
    "ServiceLevelTerm",
    "Stream",
    "Terms",
    "VolumeShift",
    "all_partners",
    "month_index",
    "month_start",
]

CLIENT = "Volta Énergie"
CURRENCY = "EUR"
TIMEZONE = "Europe/Paris"
FIRST_MONTH = dt.date(2024, 10, 1)
LAST_MONTH = dt.date(2026, 9, 1)
MONTHS = 24
AS_OF = dt.date(2026, 10, 12)
"""The day the sample is "taken": deliveries and actions are known up to here (the Q3 committees)."""


def month_index(day: dt.date) -> int:
    """0 for October 2024 ... 23 for September 2026."""
    return (day.year - FIRST_MONTH.year) * 12 + day.month - FIRST_MONTH.month


def month_start(index: int) -> dt.date:
    """The first day of month `index` (inverse of `month_index`)."""
    year, month = divmod(FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + index, 12)
    return dt.date(year, month + 1, 1)


@dataclass(frozen=True)
class ChannelRules:
    """Service-level thresholds of a channel (contract.yaml `channels:`), in seconds."""

    answer_within_s: int
    short_abandon_s: int = 0
    interval_target: dict[str, float] | None = None


CHANNELS: dict[str, ChannelRules] = {
    "voice": ChannelRules(
        answer_within_s=20, short_abandon_s=5, interval_target={"minutes": 30, "service_level": 0.8, "min_contacts": 10}
    ),
    "chat": ChannelRules(answer_within_s=60, short_abandon_s=10),
    "email": ChannelRules(answer_within_s=86_400),
}


@dataclass(frozen=True)
class ServiceLevelTerm:
    """One committed service level; `allocation_pct` None means measured, not credited."""

    kpi: str
    target: float
    minimum: float
    channel: str | None = None
    allocation_pct: float | None = None
    stretch: float | None = None


@dataclass(frozen=True)
class Terms:
    """A partner's contract terms, as written to contract.yaml."""

    start: dt.date
    term_months: int
    per_handled_contact: dict[str, Decimal]
    at_risk_pct: float
    pool_pct: float
    earnback_months: int
    service_levels: tuple[ServiceLevelTerm, ...]
    monthly_fee: Decimal | None = None
    bonus_pool_pct: float | None = None
    corridor_band: float | None = None
    corridor_lead_months: int = 0
    corridor_shortfall_rate: float = 0.0
    gain_share: tuple[float, float, bool] | None = None
    """(baseline_fcr, provider_share, pain_share)."""
    chronic_failure: tuple[int, int] = (3, 6)
    """(breaches, within_months)."""
    reversibility: tuple[int, int] | None = None
    """(notice_months, transition_months)."""
    variants: dict[str, str] = field(default_factory=dict)
    """Contract variants, as YAML flow text: `credit`, `pain_bands` (of gain_share), `capped_months` (of
    chronic_failure), `resource_baselines` (of pricing), `service_hours`."""


@dataclass(frozen=True)
class Stream:
    """One channel a partner handles: its average monthly volume and how it splits over sites and queues."""

    channel: str
    monthly_contacts: int
    sites: dict[str, float]
    queues: dict[str, float]


@dataclass(frozen=True)
class Behaviour:
    """How a partner performs over time (see the module docstring)."""

    health_anchors: tuple[tuple[dt.date, float], ...]
    """(month, health) points, linearly interpolated by month; flat before the first and after the last."""
    dips: dict[dt.date, float] = field(default_factory=dict)
    """Months with an extra health change (negative = a bad month)."""
    site_health: dict[str, float] = field(default_factory=dict)
    """Health offset of a site (e.g. an offshore site that suffers most)."""
    resolution_offset: float = 0.0
    """Added to the chance that an answered contact needs another contact (negative = resolves more)."""
    csat_offset: float = 0.0
    quality_offset: float = 0.0
    aht_drift: float = 0.08
    """AHT is `base × (1 + aht_drift × (1 − health))`: new or struggling teams talk longer."""
    ramp: tuple[float, ...] = ()
    """Share of the full volume in the first months (a partner taking over volume progressively)."""
    attendance_good: float = 0.95
    attendance_bad: float = 0.93
    """Agents logged in ÷ scheduled at health 1 and at health 0."""
    occupancy_good: float = 0.84
    occupancy_bad: float = 0.86
    """Workload ÷ agents at health 1 and at health 0 (a high value is an understaffed floor)."""


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    terms: Terms
    streams: tuple[Stream, ...]
    behaviour: Behaviour

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(s.channel for s in self.streams)


@dataclass(frozen=True)
class Drivers:
    """Per channel: what a health of 0 and of 1 give (worst, best)."""

    fast_answer: tuple[float, float]
    """Share of non-short-abandoned contacts answered within the channel's threshold."""
    abandon: tuple[float, float]
    """Share of non-short-abandoned contacts abandoned (emails: closed unanswered)."""
    short_abandon: float
    """Share of all contacts abandoned before the channel's short-abandon threshold."""
    aht_s: float
    """Mean handle time (s) of a partner at health 1."""
    aht_sigma: float
    """Log-normal spread of handle times."""
    slow_wait_median_s: float
    """Median time beyond the threshold for contacts answered late."""
    abandon_wait_median_s: float


DRIVERS: dict[str, Drivers] = {
    "voice": Drivers((0.56, 0.87), (0.15, 0.03), 0.02, 360.0, 0.55, 40.0, 55.0),
    "chat": Drivers((0.60, 0.93), (0.12, 0.03), 0.03, 540.0, 0.50, 70.0, 90.0),
    "email": Drivers((0.62, 0.96), (0.008, 0.004), 0.0, 280.0, 0.60, 36_000.0, 172_800.0),
}

FOLLOW_UP = (0.36, 0.17)
"""Chance (health 0, health 1) that an answered contact is followed by another contact of the same customer."""
RETRY_AFTER_ABANDON = 0.55
"""Chance that a customer who abandoned contacts again (usually within the hour)."""
CSAT_LATENT = (3.55, 4.55)
"""Mean latent satisfaction (health 0, health 1) before the effects of waiting and of not being resolved."""
QUALITY = (72.0, 91.0)
"""Mean quality score (health 0, health 1) by the provider's own evaluators."""
CLIENT_EVALUATOR_BIAS = -3.5
"""The client's evaluators score lower than the provider's (a calibration gap)."""

_D = dt.date
_VOICE_QUEUES = {"billing": 0.45, "moving": 0.30, "meter": 0.25}
_CHAT_QUEUES = {"billing": 0.60, "moving": 0.40}
_EMAIL_QUEUES = {"backoffice": 1.0}

PARTNERS: tuple[Partner, ...] = (
    Partner(
        id="northcall",
        name="NorthCall Services",
        terms=Terms(
            start=_D(2024, 1, 1),
            term_months=48,
            per_handled_contact={"voice": Decimal("4.10"), "chat": Decimal("3.20"), "email": Decimal("2.60")},
            at_risk_pct=0.10,
            pool_pct=1.5,
            earnback_months=3,
            bonus_pool_pct=0.05,
            corridor_band=0.10,
            corridor_lead_months=2,
            corridor_shortfall_rate=0.5,
            gain_share=(0.76, 0.5, False),
            chronic_failure=(3, 6),
            reversibility=(6, 4),
            variants={
                "resource_baselines": "[{channel: voice, baseline_contacts: 4500, band: 0.10, arc_rate: 2.10, "
                "rrc_rate: 2.00, rates_from: band_edge}]",
                "service_hours": '{voice: {hours: {mon-fri: "08:00-20:00", sat: "09:00-17:00"}, '
                'holidays: {country: FR}}, email: {hours: {mon-fri: "08:00-18:00"}, holidays: {country: FR}, '
                "outside_hours: measure_apart}}",
            },
            service_levels=(
                ServiceLevelTerm("service_level", 0.80, 0.75, "voice", 0.30),
                ServiceLevelTerm("abandon_rate", 0.05, 0.08, "voice", 0.20),
                ServiceLevelTerm("asa", 30, 45, "voice"),
                ServiceLevelTerm("interval_attainment", 0.60, 0.45, "voice"),  # 80 % in 20 s in 60 % of half-hours
                ServiceLevelTerm("worst_day_service_level", 0.70, 0.60, "voice"),  # the daily floor
                ServiceLevelTerm("service_level", 0.85, 0.80, "chat", 0.15),
                ServiceLevelTerm("service_level", 0.90, 0.85, "email", 0.15),
                ServiceLevelTerm("fcr", 0.76, 0.72, None, 0.30, stretch=0.80),
                ServiceLevelTerm("csat", 4.1, 3.9, None, 0.20),
                ServiceLevelTerm("quality_score", 85, 80, None, 0.20),
            ),
        ),
        streams=(
            Stream("voice", 4_600, {"lille": 0.6, "porto": 0.4}, _VOICE_QUEUES),
            Stream("chat", 1_300, {"lille": 1.0}, _CHAT_QUEUES),
            Stream("email", 1_200, {"porto": 1.0}, _EMAIL_QUEUES),
        ),
        behaviour=Behaviour(
            health_anchors=((_D(2024, 10, 1), 0.88), (_D(2026, 9, 1), 0.90)),
            dips={_D(2025, 1, 1): -0.16, _D(2025, 8, 1): -0.13, _D(2026, 6, 1): -0.20},
            site_health={"porto": 0.02, "lille": -0.01},
            resolution_offset=-0.008,
            csat_offset=0.25,
        ),
    ),
    Partner(
        id="rivage",
        name="Rivage Relation Client",
        terms=Terms(
            start=_D(2023, 7, 1),
            term_months=48,
            per_handled_contact={"voice": Decimal("3.40"), "email": Decimal("2.20")},
            monthly_fee=Decimal("18000.00"),
            at_risk_pct=0.15,
            pool_pct=1.2,
            earnback_months=2,
            corridor_band=0.15,
            corridor_lead_months=1,
            corridor_shortfall_rate=0.4,
            chronic_failure=(3, 6),
            reversibility=(6, 6),
            variants={"credit": "{trigger: minimum_miss, escalation: [1, 1.5, 2]}", "capped_months": "2"},
            service_levels=(
                ServiceLevelTerm("service_level", 0.80, 0.75, "voice", 0.35),
                ServiceLevelTerm("abandon_rate", 0.06, 0.09, "voice", 0.25),
                ServiceLevelTerm("asa", 35, 50, "voice"),
                ServiceLevelTerm("service_level", 0.90, 0.80, "email", 0.15),
                ServiceLevelTerm("fcr", 0.74, 0.70, None, 0.20),
                ServiceLevelTerm("csat", 4.0, 3.8, None, 0.15),
                ServiceLevelTerm("quality_score", 82, 78, None, 0.10),
            ),
        ),
        streams=(
            Stream("voice", 3_200, {"nantes": 0.55, "rabat": 0.45}, _VOICE_QUEUES),
            Stream("email", 1_000, {"nantes": 1.0}, _EMAIL_QUEUES),
        ),
        behaviour=Behaviour(
            health_anchors=((_D(2024, 10, 1), 0.86), (_D(2025, 12, 1), 0.84), (_D(2026, 9, 1), 0.10)),
            dips={_D(2026, 6, 1): -0.06},
            site_health={"rabat": -0.10, "nantes": 0.08},
            resolution_offset=0.01,
            csat_offset=0.05,
            aht_drift=0.12,
            attendance_good=0.95,
            attendance_bad=0.78,
            occupancy_good=0.84,
            occupancy_bad=0.98,
        ),
    ),
    Partner(
        id="sudhorizon",
        name="Sud Horizon Contact",
        terms=Terms(
            start=_D(2024, 10, 1),
            term_months=48,
            per_handled_contact={"voice": Decimal("3.80"), "chat": Decimal("2.90")},
            at_risk_pct=0.12,
            pool_pct=1.5,
            earnback_months=3,
            corridor_band=0.10,
            corridor_lead_months=2,
            corridor_shortfall_rate=0.5,
            gain_share=(0.72, 0.4, True),
            chronic_failure=(4, 12),
            reversibility=(6, 6),
            variants={
                "pain_bands": "[{from: 0, to: 0.01, provider_share: 0.4}, {from: 0.01, to: 0.03, provider_share: 0.2}, "
                "{from: 0.03, provider_share: 0}]",
            },
            service_levels=(
                ServiceLevelTerm("service_level", 0.80, 0.70, "voice", 0.30),
                ServiceLevelTerm("abandon_rate", 0.05, 0.10, "voice", 0.20),
                ServiceLevelTerm("asa", 30, 60, "voice"),
                ServiceLevelTerm("service_level", 0.80, 0.70, "chat", 0.15),
                ServiceLevelTerm("fcr", 0.75, 0.70, None, 0.30),
                ServiceLevelTerm("csat", 4.1, 3.8, None, 0.20),
                ServiceLevelTerm("quality_score", 85, 78, None, 0.15),
            ),
        ),
        streams=(
            Stream("voice", 2_200, {"marseille": 0.7, "tunis": 0.3}, _VOICE_QUEUES),
            Stream("chat", 900, {"marseille": 1.0}, _CHAT_QUEUES),
        ),
        behaviour=Behaviour(
            health_anchors=(
                (_D(2024, 10, 1), 0.06),
                (_D(2025, 3, 1), 0.50),
                (_D(2025, 5, 1), 0.84),
                (_D(2025, 9, 1), 0.92),
                (_D(2026, 9, 1), 0.94),
            ),
            dips={_D(2025, 4, 1): -0.30},
            site_health={"tunis": -0.04, "marseille": 0.02},
            resolution_offset=0.005,
            csat_offset=0.15,
            aht_drift=0.28,
            ramp=(0.55, 0.8),
        ),
    ),
)
"""The partners measured from their contact records (contacts.parquet, and CONNECT_PARTNER's platform export)."""

INTERVAL_PARTNER = Partner(
    id="atlas",
    name="Atlas Appels",
    terms=Terms(
        start=_D(2025, 1, 1),
        term_months=36,
        per_handled_contact={"voice": Decimal("3.60")},
        at_risk_pct=0.10,
        pool_pct=1.0,
        earnback_months=2,
        corridor_band=0.15,
        corridor_lead_months=1,
        corridor_shortfall_rate=0.4,
        chronic_failure=(3, 6),
        reversibility=(3, 3),
        service_levels=(
            ServiceLevelTerm("service_level", 0.80, 0.70, "voice", 0.60),
            ServiceLevelTerm("abandon_rate", 0.06, 0.10, "voice", 0.40),
            ServiceLevelTerm("asa", 30, 50, "voice"),
            ServiceLevelTerm("aht", 400, 450, "voice"),
        ),
    ),
    streams=(Stream("voice", 1_600, {"dakar": 1.0}, {"billing": 0.6, "moving": 0.4}),),
    behaviour=Behaviour(
        health_anchors=((_D(2025, 1, 1), 0.38), (_D(2025, 6, 1), 0.80), (_D(2026, 9, 1), 0.86)),
        dips={_D(2026, 1, 1): -0.45, _D(2026, 6, 1): -0.45},
        aht_drift=0.15,
        ramp=(0.0, 0.0, 0.0, 0.6, 0.85),
    ),
)
"""The overflow partner measured from interval reports only: its contacts are generated from its own
random stream, aggregated into its ACD's interval report and never written as contacts (`sample.intervals`).
No volume before its start (`ramp`), and its tables begin with its contract."""


def all_partners() -> tuple[Partner, ...]:
    """The partners of the contract: those measured from contacts (PARTNERS), then INTERVAL_PARTNER."""
    return (*PARTNERS, INTERVAL_PARTNER)


@dataclass(frozen=True)
class Campaign:
    """A dated surge of contacts: `peak` × the usual volume on its first day, decaying over `days`."""

    start: dt.date
    days: int
    peak: float
    channels: tuple[str, ...]
    title: str
    forecast: bool = True
    """False for an incident the client could not plan: its volume is in no forecast."""


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign(_D(2025, 1, 6), 8, 1.5, ("voice", "chat", "email"), "Annual price-change letters"),
    Campaign(_D(2025, 4, 14), 5, 1.3, ("voice",), "Smart-meter replacement letters"),
    Campaign(_D(2025, 8, 1), 6, 1.35, ("voice", "chat", "email"), "Regulated tariff change"),
    Campaign(_D(2026, 1, 5), 8, 1.5, ("voice", "chat", "email"), "Annual price-change letters"),
    Campaign(_D(2026, 2, 2), 6, 1.35, ("voice", "chat", "email"), "Regulated tariff change"),
    Campaign(_D(2026, 6, 8), 12, 3.2, ("voice", "email"), "Billing incident: duplicate direct debits", forecast=False),
)


@dataclass(frozen=True)
class VolumeShift:
    """A lasting change of a stream's volume from `start` (known to forecasts issued from that day)."""

    partner_id: str
    channel: str
    start: dt.date
    factor: float
    title: str


VOLUME_SHIFTS: tuple[VolumeShift, ...] = (
    VolumeShift("rivage", "email", _D(2025, 10, 1), 0.72, "Self-service contract changes online"),
)


@dataclass(frozen=True)
class ForecastMishap:
    """Forecasts of one stream × month that went wrong: scaled, or issued at the last moment only."""

    partner_id: str
    channel: str
    month: dt.date
    factor: float = 1.0
    """Applied to the forecasts issued `months_ahead` > 1 (a campaign planned, then postponed)."""
    late_only: bool = False
    """Only the one-month-ahead forecast was issued: no contractual forecast for a lead of 2."""


FORECAST_MISHAPS: tuple[ForecastMishap, ...] = (
    ForecastMishap("northcall", "voice", _D(2025, 5, 1), factor=1.24),
    ForecastMishap("northcall", "chat", _D(2025, 8, 1), late_only=True),
    ForecastMishap("sudhorizon", "voice", _D(2024, 10, 1), late_only=True),
    ForecastMishap("sudhorizon", "chat", _D(2024, 10, 1), late_only=True),
    ForecastMishap("sudhorizon", "voice", _D(2024, 11, 1), late_only=True),
    ForecastMishap("sudhorizon", "chat", _D(2024, 11, 1), late_only=True),
)


@dataclass(frozen=True)
class BillingError:
    """A deliberate invoice error for reconciliation to find."""

    partner_id: str
    month: dt.date
    channel: str
    kind: str
    """`price` (wrong unit price: amount disagrees), `units` (units billed above measured),
    `duplicate` (the line billed twice)."""
    value: Decimal = Decimal(0)


BILLING_ERRORS: tuple[BillingError, ...] = (
    BillingError("northcall", _D(2025, 11, 1), "voice", "price", Decimal("4.30")),
    BillingError("rivage", _D(2026, 5, 1), "voice", "units", Decimal(240)),
    BillingError("sudhorizon", _D(2025, 6, 1), "chat", "duplicate"),
)


@dataclass(frozen=True)
class Flattery:
    """A self-reported KPI that flatters the provider: reported = recomputed + delta in those months."""

    partner_id: str
    kpi: str
    channel: str | None
    months: tuple[dt.date, ...]
    delta: float


FLATTERIES: tuple[Flattery, ...] = (
    Flattery("rivage", "service_level", "voice", tuple(_D(2026, m, 1) for m in range(3, 9)), 0.06),
    Flattery("rivage", "abandon_rate", "voice", tuple(_D(2026, m, 1) for m in range(5, 9)), -0.025),
    Flattery("rivage", "fcr", None, (_D(2026, 6, 1), _D(2026, 7, 1)), 0.04),
    Flattery("sudhorizon", "aht", "voice", (_D(2024, 11, 1), _D(2024, 12, 1)), -30.0),
    Flattery("northcall", "csat", None, (_D(2025, 8, 1),), 0.12),
)

UNREPORTED: tuple[tuple[str, dt.date, tuple[str, ...] | None], ...] = (
    ("rivage", _D(2026, 8, 1), ("fcr", "csat")),
    ("rivage", _D(2026, 9, 1), None),
)
"""KPIs missing from a provider's monthly report (None: the month's report is not delivered yet)."""

EXPORT_DEFECTS: dict[str, tuple[str, ...]] = {
    "quality.csv": (
        "rivage,2026-09-18 14:05:00,n/a,voice,,client",
        "sudhorizon,2026-09-31 10:00:00,88.0,chat,,provider",
    ),
    "reported_kpis.csv": ("rivage,2026-08-01,employee_nps,,42",),
}
"""Lines that real exports carry and the loader must reject (an evaluation without a score, an impossible
date, a KPI the contract does not know), appended to the files as they are written."""
