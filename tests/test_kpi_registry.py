"""A KPI added through the registry alone reaches every table: results, gaps, credits, a chart and an
operations what-if, with values computed by hand on a tiny engagement."""

from __future__ import annotations

import polars as pl
import pytest

from partner_analytics.charts import objective_vs_result
from partner_analytics.core.kpis import KPI, KPIS, Sum, kpi, registered
from partner_analytics.metrics import contact_results
from partner_analytics.pipeline.analysis import compute
from partner_analytics.whatif.engine import WhatIf
from partner_analytics.whatif.scenario import parse_scenario

from .factories import ALL_CONTACT_COLUMNS, contacts, contract, engagement

_answered = pl.col("answered")

LONG_WAIT_RATE = KPI(
    "long_wait_rate",
    "lower",
    "rate",
    "Answered after a minute",
    sums=(Sum("long_waits", (_answered & (pl.col("wait_s") > 60)).sum()),),
    numerator=pl.col("long_waits"),
    denominator=pl.col("answered"),
    zero_note="no answered contacts (denominator is 0)",
)

# northcall, voice, September 2026: 10 answered (4 of them after more than 60 s; 60 s itself is not
# more than a minute) and 2 abandoned.
WAITS = [(5, True), (10, True), (15, True), (20, True), (30, True), (60, True), (61, True), (75, True)]
WAITS += [(90, True), (120, True), (80, False), (3, False)]


def _contacts() -> pl.LazyFrame:
    rows = []
    for i, (wait, answered) in enumerate(WAITS):
        at = f"2026-09-{1 + i:02d} 10:00"
        rows.append((f"c{i}", "northcall", "voice", at, answered, wait, 200 if answered else None, f"k{i}", None))
    return contacts(*rows)


def _service_level() -> dict:
    return {"kpi": "long_wait_rate", "channel": "voice", "target": 0.10, "minimum": 0.20, "allocation_pct": 0.5}


@pytest.fixture
def long_waits():
    with registered(LONG_WAIT_RATE):
        yield
    assert "long_wait_rate" not in KPIS


@pytest.mark.usefixtures("long_waits")
def test_a_registered_kpi_reaches_results_gaps_credits_and_a_chart() -> None:
    analysis = compute(engagement(contract(service_levels=[_service_level()]), _contacts()))
    results = analysis.results.filter(pl.col("kpi") == "long_wait_rate").collect()
    voice = results.filter(pl.col("channel") == "voice").row(0, named=True)
    wide = results.filter(pl.col("channel").is_null()).row(0, named=True)
    assert (voice["numerator"], voice["denominator"], voice["value"]) == (4, 10, 4 / 10)
    assert (wide["numerator"], wide["denominator"], wide["value"]) == (4, 10, 4 / 10)  # one channel: the same sums

    gap = analysis.gaps.filter(pl.col("kpi") == "long_wait_rate").collect().row(0, named=True)
    assert gap["value"] == 0.4 and gap["status"] == "breach"  # lower is better: 0.4 > minimum 0.20
    assert gap["gap"] == pytest.approx(0.4 - 0.10)

    credit = analysis.credits.collect().row(0, named=True)
    charges = 10 * 410  # 10 answered voice contacts × 4.10 EUR, in cents
    at_risk = charges * 12 // 100  # at_risk_pct 0.12: 492 cents
    assert (credit["charges"], credit["at_risk_amount"]) == (charges, at_risk)
    assert credit["credit"] == at_risk * 50 // 100 == 246  # allocation 0.5 of the amount at risk

    figure = objective_vs_result(analysis.gaps, gap["service_level"], partner="northcall")
    assert "Answered after a minute" in figure.layout.title.text
    assert any(0.4 in list(trace.y or ()) for trace in figure.data)


@pytest.mark.usefixtures("long_waits")
def test_an_operations_what_if_restates_a_registered_kpi() -> None:
    """+50 % volume without staffing intervals (no queueing model): offered 12 → 18, the abandoned
    keep their share (2/12 × 18 = 3), answered 15; the long waits keep their rate over the answered
    (4/10 × 15 = 6), and the credit follows the charges of 15 answered contacts."""
    what_if = WhatIf(engagement(contract(service_levels=[_service_level()]), _contacts()))
    scenario = parse_scenario({"partners": {"northcall": {"operations": {"voice": {"volume_change": 0.5}}}}})
    comparison = what_if.compare(scenario, ["northcall"])
    row = comparison.outcome.results.filter((pl.col("kpi") == "long_wait_rate") & (pl.col("channel") == "voice")).row(
        0, named=True
    )
    assert (row["numerator"], row["denominator"], row["value"]) == (6, 15, 6 / 15)
    credit = comparison.outcome.credits.row(0, named=True)
    charges = 15 * 410
    assert credit["charges"] == charges and credit["credit"] == charges * 12 * 50 // (100 * 100)  # 369 cents


def test_a_kpi_on_an_optional_contacts_column_is_not_measurable_without_it() -> None:
    """hold_rate = answered contacts put on hold / answered, from a column the engagement may lack."""
    hold_rate = KPI(
        "hold_rate",
        "lower",
        "rate",
        "Put on hold",
        sums=(Sum("holds", pl.col("held").filter(_answered).sum()),),
        numerator=pl.col("holds"),
        denominator=pl.col("answered"),
        needs="held",
        zero_note="no answered contacts (denominator is 0)",
    )
    with registered(hold_rate):
        base = _contacts()
        flagged = base.with_columns((pl.col("wait_s") >= 60).alias("held"))  # 60, 61, 75, 90, 120 answered; 80 not
        got = contact_results(flagged, contract(), present=ALL_CONTACT_COLUMNS | {"held"})
        row = got.filter((pl.col("kpi") == "hold_rate") & pl.col("channel").is_not_null()).collect().row(0, named=True)
        assert (row["numerator"], row["denominator"], row["value"]) == (5, 10, 0.5)
        missing = contact_results(base, contract(), present=ALL_CONTACT_COLUMNS)
        row = missing.filter(pl.col("kpi") == "hold_rate").collect().row(0, named=True)
        assert row["value"] is None and row["note"] == "contacts have no held column"
    assert "hold_rate" not in KPIS


def test_the_registry_refuses_an_entry_it_could_not_compute() -> None:
    with pytest.raises(ValueError, match="already registered"):
        with registered(KPI("aht", "lower", "seconds", "AHT again")):
            pass
    unknown = KPI("odd", "higher", "rate", "Odd", numerator=pl.col("nowhere"), denominator=pl.col("answered"))
    with pytest.raises(ValueError, match="reads nowhere"):
        with registered(unknown):
            pass
    hidden = KPI(
        "hidden",
        "higher",
        "rate",
        "Hidden",
        sums=(Sum("a", pl.len()), Sum("b", pl.len())),
        numerator=pl.col("a") - pl.col("b"),
        denominator=pl.col("answered"),
    )
    with pytest.raises(ValueError, match="cannot read it back"):
        with registered(hidden):
            pass
    assert list(KPIS)[-1] == "training_hours" and kpi("aht").label == "Average handle time"
