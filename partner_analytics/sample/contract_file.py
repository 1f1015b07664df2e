"""contract.yaml of the sample engagement, written from the profiles (commented, one partner block each)."""

from __future__ import annotations

from decimal import Decimal

from .intervals import CMS_COLUMNS, INTERVAL_EXPORT
from .platforms import CONNECT_ATTRIBUTES, CONNECT_EXPORT, CONNECT_PARTNER
from .profiles import CHANNELS, CLIENT, CURRENCY, INTERVAL_PARTNER, TIMEZONE, Partner, ServiceLevelTerm, all_partners

__all__ = ["INVOICE_COLUMNS", "INVOICE_SOURCE", "contract_yaml"]

INVOICE_SOURCE = "exports/factures.csv"
INVOICE_COLUMNS = {
    "partner_id": "Prestataire",
    "month": "Mois de prestation",
    "amount": "Montant HT (€)",
    "billed_units": "Quantité",
    "unit": "Unité",
}
"""Our invoice columns and the French headers of the partners' billing export."""

_HEADER = """\
# The sample engagement of partner_analytics: a French energy retailer and four outsourcers.
# Written by partner_analytics.sample.generate_sample (seed {seed}); data/sample/README.md tells the story.
"""


def _number(value: float | int | Decimal) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1:
        return str(int(value))
    return f"{value:g}"


def _flow(items: dict[str, object]) -> str:
    parts = []
    for key, value in items.items():
        if value is None:
            continue
        shown = (
            ("true" if value else "false")
            if isinstance(value, bool)
            else _number(value)
            if isinstance(value, (int, float, Decimal))
            else str(value)
        )
        parts.append(f"{key}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _service_level(sl: ServiceLevelTerm) -> str:
    return _flow(
        {
            "kpi": sl.kpi,
            "channel": sl.channel,
            "target": sl.target,
            "minimum": sl.minimum,
            "allocation_pct": sl.allocation_pct,
            "stretch": sl.stretch,
        }
    )


def _partner(partner: Partner) -> list[str]:
    t = partner.terms
    lines = [
        f"  - id: {partner.id}",
        f"    name: {partner.name}",
        f"    start: {t.start.isoformat()}",
        f"    term_months: {t.term_months}",
        "    pricing:",
        f"      per_handled_contact: {_flow(dict(t.per_handled_contact))}",
    ]
    if "resource_baselines" in t.variants:
        lines.append(f"      resource_baselines: {t.variants['resource_baselines']}")
    if t.monthly_fee is not None:
        lines.append(f"      monthly_fee: {t.monthly_fee}")
    lines += [
        f"    at_risk_pct: {_number(t.at_risk_pct)}",
        f"    pool_pct: {_number(t.pool_pct)}",
        f"    earnback_months: {t.earnback_months}",
    ]
    if t.bonus_pool_pct is not None:
        lines.append(f"    bonus: {_flow({'pool_pct': t.bonus_pool_pct})}")
    if t.corridor_band is not None:
        corridor = {
            "band": t.corridor_band,
            "forecast_lead_months": t.corridor_lead_months,
            "shortfall_rate": t.corridor_shortfall_rate,
        }
        lines.append(f"    volume_corridor: {_flow(corridor)}")
    if t.gain_share is not None:
        baseline, share, pain = t.gain_share
        terms = {
            "baseline_fcr": baseline,
            "provider_share": share,
            "pain_share": pain,
            "pain_bands": t.variants.get("pain_bands"),
        }
        lines.append(f"    gain_share: {_flow(terms)}")
    breaches, within = t.chronic_failure
    chronic = {"breaches": breaches, "within_months": within, "capped_months": t.variants.get("capped_months")}
    lines.append(f"    chronic_failure: {_flow(chronic)}")
    if "credit" in t.variants:
        lines.append(f"    credit: {t.variants['credit']}")
    if t.reversibility is not None:
        notice, transition = t.reversibility
        lines.append(f"    reversibility: {_flow({'notice_months': notice, 'transition_months': transition})}")
    if "service_hours" in t.variants:
        lines.append(f"    service_hours: {t.variants['service_hours']}")
    lines.append("    service_levels:")
    lines += [f"      - {_service_level(sl)}" for sl in t.service_levels]
    return lines


def contract_yaml(seed: int, *, contacts: str = "contacts.parquet", platform_exports: bool = True) -> str:
    """The text of the sample's contract.yaml: with `platform_exports`, the contacts are read from
    `contacts` and, for CONNECT_PARTNER, from its Amazon Connect contact records; INTERVAL_PARTNER's
    voice is always read from its Avaya CMS interval report."""
    lines = [
        _HEADER.format(seed=seed).rstrip("\n"),
        f"client: {CLIENT}",
        f"currency: {CURRENCY}",
        f"timezone: {TIMEZONE}",
    ]
    lines.append("channels:                 # service-level thresholds, seconds")
    for name, rules in CHANNELS.items():
        terms = {"answer_within_s": rules.answer_within_s}
        if rules.short_abandon_s:
            terms["short_abandon_s"] = rules.short_abandon_s
        if rules.interval_target:
            terms["interval_target"] = _flow(rules.interval_target)
        lines.append(f"  {name}: {_flow(terms)}")
    lines.append("partners:")
    for partner in all_partners():
        lines += _partner(partner)
    columns = ", ".join(f'{ours}: "{theirs}"' for ours, theirs in INVOICE_COLUMNS.items())
    lines.append("sources:")
    if platform_exports:
        mapped = ", ".join(f'{ours}: "{theirs}"' for ours, theirs in CONNECT_ATTRIBUTES.items() if ours != "partner_id")
        lines += [
            f"  contacts:                # {CONNECT_PARTNER}'s contacts come as Amazon Connect contact records",
            f"    - path: {contacts}",
            f"    - path: {CONNECT_EXPORT}",
            "      preset: amazon_connect",
            f"      columns: {{{mapped}}}",
        ]
    channels = ", ".join(INTERVAL_PARTNER.channels)
    cms = ", ".join(f'{ours}: "{theirs}"' for ours, theirs in CMS_COLUMNS.items())
    lines += [
        f"  intervals:               # {INTERVAL_PARTNER.id}'s ACD gives only Avaya CMS interval reports",
        f"    path: {INTERVAL_EXPORT}",
        "    preset: avaya_cms",
        f"    columns: {{{cms}}}",
        f"    covers: {{{INTERVAL_PARTNER.id}: [{channels}]}}",
        "  invoices:                # the partners' billing export, as Excel writes it in France",
        f"    path: {INVOICE_SOURCE}",
        '    separator: ";"',
        "    decimal_comma: true",
        "    encoding: cp1252",
        '    date_format: "%d/%m/%Y"',
        f"    columns: {{{columns}}}",
    ]
    return "\n".join(lines) + "\n"
