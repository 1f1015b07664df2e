"""The contract's mechanics in plain sentences, so a committee reads the rules its own figures follow."""

from __future__ import annotations

from decimal import Decimal

from ..contract.terms import ChannelTerms, Contract, Credit, Partner, ServiceLevelFormula, ShareBand
from ..core.money import format_cents
from .wording import date_name, kpi_label, term_percent

__all__ = ["contract_mechanics"]


def _months(n: int) -> str:
    return f"{n} month" if n == 1 else f"{n} months"


def _money(value: Decimal, currency: str) -> str:
    return format_cents(int((value * 100).to_integral_value()), currency)


def _formula(formula: ServiceLevelFormula) -> str | None:
    if formula == ServiceLevelFormula():
        return None
    numerator = "answered within the threshold" + (" plus abandons within it" if formula.abandons_in_service else "")
    denominator = {
        "offered": "offered contacts" + ("" if formula.short_abandons_in_denominator else " less short abandons"),
        "answered": "answered contacts",
        "answered_and_late_abandons": "answered contacts plus abandons after the threshold",
    }[formula.denominator]
    return f"{numerator}, over {denominator}"


def _credit(credit: Credit) -> str:
    if credit.trigger == "target_misses":
        return f"after {credit.consecutive} consecutive months below target, each such month earns its credit"
    if credit.trigger == "shortfall":
        cap = f", at most {term_percent(credit.max_pct)} of charges" if credit.max_pct is not None else ""
        return f"a month below target earns {credit.factor} × the relative shortfall of charges{cap}"
    text = "a month below the minimum (not excused) earns its credit"
    if credit.escalation:
        steps = ", ".join(f"×{m}" for m in credit.escalation)
        text += f", escalated on consecutive misses ({steps}, the last repeating)"
    return text


def _bands(bands: tuple[ShareBand, ...]) -> str:
    parts = []
    for band in bands:
        lower = term_percent(band.lower)
        span = f"{lower} to {term_percent(band.upper)}" if band.upper is not None else f"above {lower}"
        parts.append(f"{span} of charges: provider {term_percent(band.provider_share)}")
    return "; ".join(parts)


def contract_mechanics(contract: Contract, partner_id: str) -> list[str]:
    """One sentence per mechanism of the partner's contract, in the order money flows."""
    p: Partner = contract.partner(partner_id)
    cur = contract.currency
    out: list[str] = []
    prices = ", ".join(f"{_money(v, cur)} per handled {ch} contact" for ch, v in p.pricing.per_handled_contact.items())
    fee = f"a monthly fee of {_money(p.pricing.monthly_fee, cur)}" if p.pricing.monthly_fee is not None else ""
    out.append(
        "Pricing: "
        + " plus ".join(x for x in (fee, prices) if x)
        + " (the invoice is the month's charges when there is one)."
    )
    for b in p.pricing.resource_baselines:
        scope = f"{b.channel} " if b.channel else ""
        start = "the band's edge" if b.rates_from == "band_edge" else "the baseline once the band is breached"
        out.append(
            f"Anchored pricing: a baseline of {b.baseline_contacts:,} {b.volume} {scope}contacts a month, "
            f"±{term_percent(b.band)} without price change; beyond it {_money(b.arc_rate, cur)} per additional "
            f"contact and {_money(b.rrc_rate, cur)} credited per contact fewer, counted from {start}."
        )
    allocated = sum((sl.allocation_pct for sl in p.service_levels), Decimal(0))
    out.append(
        f"At risk: {term_percent(p.at_risk_pct)} of the month's charges; the service levels' allocations total "
        f"{term_percent(allocated)} (pool {term_percent(p.pool_pct)}) and the month's credits never exceed the "
        "at-risk amount."
    )
    default = p.credit or Credit()
    out.append(f"Service credits: {_credit(default)}.")
    for sl in p.service_levels:
        if sl.credit is not None:
            out.append(f"Service credits for {kpi_label(sl.kpi, sl.channel)}: {_credit(sl.credit)}.")
    if p.earnback_months:
        out.append(
            "Earn-back: a credit is returned when its service level is met in each of the next "
            f"{_months(p.earnback_months)}."
        )
    else:
        out.append("Earn-back: none, credits are final.")
    if p.bonus is not None:
        if p.bonus.basis == "fixed":
            out.append("Bonus: a fixed amount per service level whose stretch is reached.")
        else:
            pool = (
                term_percent(p.bonus.pool_pct)
                if p.bonus.pool_pct is not None
                else f"{term_percent(p.at_risk_pct)} (mirroring the at-risk amount)"
            )
            out.append(
                f"Bonus: a pool of {pool} of charges, shared by allocation among the service levels "
                "whose stretch is reached."
            )
    if p.volume_corridor is not None:
        c = p.volume_corridor
        out.append(
            f"Volume corridor: ±{term_percent(c.band)} around the client's forecast issued "
            f"{_months(c.forecast_lead_months)} ahead; below it the client pays {term_percent(c.shortfall_rate)} "
            "of the price of each missing contact, above it breaches are excused."
        )
    if p.gain_share is not None:
        g = p.gain_share
        gains = _bands(g.gain_bands) if g.gain_bands else f"provider {term_percent(g.provider_share)}"
        text = f"Gain-share on first-contact resolution above a baseline of {term_percent(g.baseline_fcr)}: {gains}"
        if g.pain_share:
            losses = _bands(g.pain_bands) if g.pain_bands else f"provider {term_percent(g.provider_share)}"
            text += f"; losses below the baseline are shared too: {losses}"
        out.append(text + ".")
    rule = p.chronic_failure
    rules = []
    if rule.breaches is not None:
        rules.append(f"{rule.breaches} breaches of a service level within {rule.within_months} months")
    if rule.capped_months is not None:
        rules.append(f"credits at the at-risk cap in {rule.capped_months} of {rule.within_months} months")
    out.append(f"Chronic failure ({' or '.join(rules)}) opens the client's right to terminate.")
    if p.reversibility is not None:
        out.append(
            f"Reversibility: notice of {_months(p.reversibility.notice_months)} before the term ends "
            f"({date_name(p.end)}), a transition of {_months(p.reversibility.transition_months)}."
        )
    for name, terms in contract.channels.items():
        if _uses_channel(p, name):
            out.extend(_channel_formula(name, terms))
    for sl in p.service_levels:
        if sl.formula is not None and (text := _formula(sl.formula)):
            out.append(f"{kpi_label(sl.kpi, sl.channel)} is counted as {text}.")
    return out


def _uses_channel(partner: Partner, channel: str) -> bool:
    return any(
        sl.channel == channel and sl.kpi == "service_level" and sl.formula is None for sl in partner.service_levels
    )


def _channel_formula(name: str, terms: ChannelTerms) -> list[str]:
    text = _formula(terms.service_level_formula)
    return [f"The {name} service level is counted as {text}."] if text else []
