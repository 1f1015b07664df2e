"""The contract's mechanics in plain sentences, so a committee reads the rules its own figures follow."""

from __future__ import annotations

from decimal import Decimal

from ..contract.terms import ChannelTerms, Contract, Credit, Partner, ServiceLevelFormula, ShareBand
from .language import _, ngettext
from .wording import channel_name, date_name, decimal_text, kpi_label, money_text, term_percent

__all__ = ["contract_mechanics"]


def _months(n: int) -> str:
    return ngettext("{n} month", "{n} months", n).format(n=n)


def _money(value: Decimal, currency: str) -> str:
    return money_text(int((value * 100).to_integral_value()), currency)


def _formula(formula: ServiceLevelFormula) -> str | None:
    if formula == ServiceLevelFormula():
        return None
    numerator = (
        _("answered within the threshold plus abandons within it")
        if formula.abandons_in_service
        else _("answered within the threshold")
    )
    offered = (
        _("offered contacts") if formula.short_abandons_in_denominator else _("offered contacts less short abandons")
    )
    denominator = {
        "offered": offered,
        "answered": _("answered contacts"),
        "answered_and_late_abandons": _("answered contacts plus abandons after the threshold"),
    }[formula.denominator]
    return _("{numerator}, over {denominator}").format(numerator=numerator, denominator=denominator)


def _factor(value: Decimal) -> str:
    """A contract factor as written (`1.5`, `2`), in the report's language (`1,5`)."""
    exact = Decimal(str(value))
    return decimal_text(exact, max(0, -exact.as_tuple().exponent), grouped=False)  # type: ignore[operator]


def _credit(credit: Credit) -> str:
    if credit.trigger == "target_misses":
        return _("after {n} consecutive months below target, each such month earns its credit").format(
            n=credit.consecutive
        )
    if credit.trigger == "shortfall":
        cap = (
            _(", at most {share} of charges").format(share=term_percent(credit.max_pct))
            if credit.max_pct is not None
            else ""
        )
        factor = _factor(credit.factor)
        return _("a month below target earns {factor} × the relative shortfall of charges").format(factor=factor) + cap
    text = _("a month below the minimum (not excused) earns its credit")
    if credit.escalation:
        steps = ", ".join("×" + _factor(m) for m in credit.escalation)
        text += _(", escalated on consecutive misses ({steps}, the last repeating)").format(steps=steps)
    return text


def _bands(bands: tuple[ShareBand, ...]) -> str:
    parts = []
    for band in bands:
        lower = term_percent(band.lower)
        span = (
            _("{lower} to {upper}").format(lower=lower, upper=term_percent(band.upper))
            if band.upper is not None
            else _("above {lower}").format(lower=lower)
        )
        parts.append(
            _("{span} of charges: provider {share}").format(span=span, share=term_percent(band.provider_share))
        )
    return _("; ").join(parts)


def contract_mechanics(contract: Contract, partner_id: str) -> list[str]:
    """One sentence per mechanism of the partner's contract, in the order money flows."""
    p: Partner = contract.partner(partner_id)
    cur = contract.currency
    out: list[str] = []
    prices = ", ".join(
        _("{price} per handled {channel} contact").format(price=_money(v, cur), channel=channel_name(ch))
        for ch, v in p.pricing.per_handled_contact.items()
    )
    fee = (
        _("a monthly fee of {fee}").format(fee=_money(p.pricing.monthly_fee, cur))
        if p.pricing.monthly_fee is not None
        else ""
    )
    out.append(
        _("Pricing: {prices} (the invoice is the month's charges when there is one).").format(
            prices=_(" plus ").join(x for x in (fee, prices) if x)
        )
    )
    for b in p.pricing.resource_baselines:
        scope = f"{channel_name(b.channel)} " if b.channel else ""
        start = _("the band's edge") if b.rates_from == "band_edge" else _("the baseline once the band is breached")
        out.append(
            _(
                "Anchored pricing: a baseline of {contacts} {volume} {scope}contacts a month, ±{band} without price "
                "change; beyond it {arc} per additional contact and {rrc} credited per contact fewer, counted from "
                "{start}."
            ).format(
                contacts=decimal_text(b.baseline_contacts),
                volume={"answered": _("answered"), "offered": _("offered")}[b.volume],
                scope=scope,
                band=term_percent(b.band),
                arc=_money(b.arc_rate, cur),
                rrc=_money(b.rrc_rate, cur),
                start=start,
            )
        )
    allocated = sum((sl.allocation_pct for sl in p.service_levels), Decimal(0))
    out.append(
        _(
            "At risk: {at_risk} of the month's charges; the service levels' allocations total {allocated} (pool "
            "{pool}) and the month's credits never exceed the at-risk amount."
        ).format(at_risk=term_percent(p.at_risk_pct), allocated=term_percent(allocated), pool=term_percent(p.pool_pct))
    )
    default = p.credit or Credit()
    out.append(_("Service credits: {rule}.").format(rule=_credit(default)))
    for sl in p.service_levels:
        if sl.credit is not None:
            out.append(
                _("Service credits for {kpi}: {rule}.").format(
                    kpi=kpi_label(sl.kpi, sl.channel), rule=_credit(sl.credit)
                )
            )
    if p.earnback_months:
        out.append(
            _("Earn-back: a credit is returned when its service level is met in each of the next {months}.").format(
                months=_months(p.earnback_months)
            )
        )
    else:
        out.append(_("Earn-back: none, credits are final."))
    if p.bonus is not None:
        if p.bonus.basis == "fixed":
            out.append(_("Bonus: a fixed amount per service level whose stretch is reached."))
        else:
            pool = (
                term_percent(p.bonus.pool_pct)
                if p.bonus.pool_pct is not None
                else _("{share} (mirroring the at-risk amount)").format(share=term_percent(p.at_risk_pct))
            )
            out.append(
                _(
                    "Bonus: a pool of {pool} of charges, shared by allocation among the service levels whose stretch "
                    "is reached."
                ).format(pool=pool)
            )
    if p.volume_corridor is not None:
        c = p.volume_corridor
        out.append(
            _(
                "Volume corridor: ±{band} around the client's forecast issued {months} ahead; below it the client "
                "pays {rate} of the price of each missing contact, above it breaches are excused."
            ).format(
                band=term_percent(c.band), months=_months(c.forecast_lead_months), rate=term_percent(c.shortfall_rate)
            )
        )
    if p.gain_share is not None:
        g = p.gain_share
        provider = _("provider {share}").format(share=term_percent(g.provider_share))
        gains = _bands(g.gain_bands) if g.gain_bands else provider
        text = _("Gain-share on first-contact resolution above a baseline of {baseline}: {gains}").format(
            baseline=term_percent(g.baseline_fcr), gains=gains
        )
        if g.pain_share:
            losses = _bands(g.pain_bands) if g.pain_bands else provider
            text += _("; losses below the baseline are shared too: {losses}").format(losses=losses)
        out.append(text + ".")
    rule = p.chronic_failure
    rules = []
    if rule.breaches is not None:
        rules.append(
            _("{n} breaches of a service level within {months}").format(
                n=rule.breaches, months=_months(rule.within_months)
            )
        )
    if rule.capped_months is not None:
        rules.append(
            _("credits at the at-risk cap in {n} of {months}").format(
                n=rule.capped_months, months=_months(rule.within_months)
            )
        )
    out.append(
        _("Chronic failure ({rules}) opens the client's right to terminate.").format(rules=_(" or ").join(rules))
    )
    if p.reversibility is not None:
        out.append(
            _("Reversibility: notice of {notice} before the term ends ({end}), a transition of {transition}.").format(
                notice=_months(p.reversibility.notice_months),
                end=date_name(p.end),
                transition=_months(p.reversibility.transition_months),
            )
        )
    for name, terms in contract.channels.items():
        if _uses_channel(p, name):
            out.extend(_channel_formula(name, terms))
    for sl in p.service_levels:
        if sl.formula is not None and (text := _formula(sl.formula)):
            out.append(_("{kpi} is counted as {formula}.").format(kpi=kpi_label(sl.kpi, sl.channel), formula=text))
    return out


def _uses_channel(partner: Partner, channel: str) -> bool:
    return any(
        sl.channel == channel and sl.kpi == "service_level" and sl.formula is None for sl in partner.service_levels
    )


def _channel_formula(name: str, terms: ChannelTerms) -> list[str]:
    text = _formula(terms.service_level_formula)
    return (
        [_("The {channel} service level is counted as {formula}.").format(channel=channel_name(name), formula=text)]
        if text
        else []
    )
