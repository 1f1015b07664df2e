"""The whole chain on small engagements: invariants that must hold whatever the data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partner_analytics.contract.reading import parse_contract
from partner_analytics.pipeline.analysis import analyse, compute

from .conftest import contract as contract_dict
from .factories import contacts, engagement

N, S = "northcall", "southdesk"
START = dt.datetime(2026, 1, 1, 7, 0, tzinfo=dt.UTC)
PARIS = ZoneInfo("Europe/Paris")


def _contract():
    data = contract_dict()
    data["partners"][0].update(earnback_months=2, bonus={"pool_pct": 0.05})
    data["partners"][0]["service_levels"].append(
        {"kpi": "fcr", "target": 0.5, "minimum": 0.3, "allocation_pct": 0.8, "stretch": 0.7}
    )
    data["partners"][1]["service_levels"] = [
        {"kpi": "service_level", "channel": "chat", "target": 0.8, "minimum": 0.7, "allocation_pct": 0.5}
    ]
    data["partners"][1]["at_risk_pct"] = 0.1
    return parse_contract(data)


contact_rows = st.lists(
    st.tuples(
        st.integers(0, 150 * 24),  # hours after 1 January 2026
        st.booleans(),  # answered
        st.integers(0, 90),  # wait
        st.integers(0, 9),  # customer
    ),
    min_size=1,
    max_size=60,
)


def _rows(partner: str, channel: str, rows: list[tuple[int, bool, int, int]], prefix: str) -> list[tuple]:
    out = []
    for i, (hours, answered, wait, customer) in enumerate(rows):
        at = (START + dt.timedelta(hours=hours)).astimezone(PARIS)  # a local time that exists
        out.append(
            (
                f"{prefix}{i}",
                partner,
                channel,
                f"{at:%Y-%m-%d %H:%M}",
                answered,
                wait,
                120 if answered else None,
                f"{prefix}c{customer}",
                None,
            )
        )
    return out


def _figures(eng, partner: str) -> dict[str, pl.DataFrame]:
    a = compute(eng)
    out = {}
    for name in ("results", "gaps", "credits", "bonuses", "statement", "gain_share"):
        df = getattr(a, name).collect()
        out[name] = df.filter(pl.col("partner_id") == partner).sort(df.columns)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=contact_rows, b=contact_rows)
def test_adding_a_partner_never_changes_another_partners_figures(a: list, b: list) -> None:
    """Another partner's contacts, with other customers and within the same span of data, change nothing."""
    span_end = max(h for h, *_ in a)
    b = [(min(h, span_end), *rest) for h, *rest in b]
    c = _contract()
    alone = _figures(engagement(c, contacts(*_rows(N, "voice", a, "a"))), N)
    both = _figures(engagement(c, contacts(*_rows(N, "voice", a, "a"), *_rows(S, "chat", b, "b"))), N)
    for name, frame in alone.items():
        assert frame.equals(both[name]), name


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=contact_rows, b=contact_rows)
def test_credits_never_exceed_the_at_risk_amount_and_net_adds_up(a: list, b: list) -> None:
    eng = engagement(_contract(), contacts(*_rows(N, "voice", a, "a"), *_rows(S, "chat", b, "b")))
    result = compute(eng)
    credits = result.credits.collect()
    per_month = credits.group_by("partner_id", "month").agg(pl.col("credit").sum(), pl.col("at_risk_amount").first())
    assert (per_month["credit"] <= per_month["at_risk_amount"]).all()
    s = result.statement.collect()
    total = s["charges"] - s["credits"] + s["earned_back"] + s["bonus"] + s["corridor_compensation"] + s["gain_share"]
    assert (total == s["net"]).all()
    # every credit is the statement's: the monthly credits add up to the credits table
    assert s["credits"].sum() == credits["credit"].sum()


def test_every_table_keeps_its_columns_without_optional_tables() -> None:
    eng = engagement(_contract(), contacts(("x", N, "voice", "2026-01-05 10:00", True, 3, 100, "c", 5)))
    tables = {name: frame.collect() for name, frame in analyse(eng).tables().items()}
    assert tables["transparency"].columns[:3] == ["partner_id", "party", "month"]
    assert "invoice_gap" in tables["reconciliation"].columns
    assert "readiness" in tables["reversibility"].columns
    assert tables["results"].filter(pl.col("kpi") == "quality_score")["note"].to_list() == ["no quality table"]


def _variants_contract():
    data = contract_dict()
    data["channels"]["voice"]["service_level_formula"] = {
        "short_abandons_in_denominator": True,
        "abandons_in_service": True,
    }
    north = data["partners"][0]
    north.update(
        earnback_months=1,
        credit={"escalation": [1, 1.5, 2]},
        chronic_failure={"breaches": 2, "capped_months": 1, "within_months": 3},
        gain_share={
            "baseline_fcr": 0.5,
            "provider_share": 0.5,
            "pain_share": True,
            "pain_bands": [{"from": 0, "to": 0.02, "provider_share": 1}, {"from": 0.02, "provider_share": 0.2}],
        },
    )
    north["pricing"]["resource_baselines"] = [
        {"channel": "voice", "baseline_contacts": 10, "band": 0.2, "arc_rate": 1.5, "rrc_rate": 2}
    ]
    north["service_levels"][1]["credit"] = {"trigger": "shortfall", "factor": 3}
    north["service_levels"].append(
        {
            "kpi": "service_level",
            "target": 0.5,
            "minimum": 0.3,
            "allocation_pct": 0.8,
            "formula": {"denominator": "answered"},
        }
    )
    south = data["partners"][1]
    south.update(at_risk_pct=0.2, bonus={"basis": "fixed"}, credit={"trigger": "target_misses", "consecutive": 1})
    south["service_levels"] = [
        {
            "kpi": "service_level",
            "channel": "chat",
            "target": 0.8,
            "minimum": 0.7,
            "allocation_pct": 0.5,
            "stretch": 0.9,
            "bonus_amount": 150.25,
        }
    ]
    return parse_contract(data)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=contact_rows, b=contact_rows)
def test_with_every_variant_credits_stay_capped_and_net_adds_up(a: list, b: list) -> None:
    eng = engagement(_variants_contract(), contacts(*_rows(N, "voice", a, "a"), *_rows(S, "chat", b, "b")))
    result = compute(eng)
    credits = result.credits.collect()
    per_month = credits.group_by("partner_id", "month").agg(pl.col("credit").sum(), pl.col("at_risk_amount").first())
    assert (per_month["credit"] <= per_month["at_risk_amount"]).all()
    s = result.statement.collect()
    total = s["charges"] - s["credits"] + s["earned_back"] + s["bonus"] + s["corridor_compensation"] + s["gain_share"]
    assert (total + s["resource_adjustment"] == s["net"]).all()
    assert s["credits"].sum() == credits["credit"].sum()
    assert s["resource_adjustment"].sum() == result.resource_adjustments.collect()["adjustment"].sum()
    assert s["bonus"].sum() == result.bonuses.collect()["bonus"].sum()
    timeline = result.timeline.collect()
    assert timeline["termination_right"].dtype == pl.Boolean and timeline.height == 2
