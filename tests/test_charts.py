"""The report figures: traces present, values plotted equal the computed tables, statuses coloured and
shaped by the palette, and every view survives empty input, one month and 36 months."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from functools import cache

import plotly.graph_objects as go
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_analytics import charts
from partner_analytics.contract.reading import parse_contract
from partner_analytics.core.periods import add_months
from partner_analytics.core.schema import TABLES
from partner_analytics.evaluation.gaps import STATUSES
from partner_analytics.pipeline.analysis import Analysis, compute
from partner_analytics.views import style
from partner_analytics.views.wording import day

from .conftest import contract as contract_dict
from .factories import contacts, engagement

N, S = "northcall", "southdesk"
START = dt.date(2025, 1, 1)


def _contract():
    data = contract_dict()
    north, south = data["partners"]
    north.update(
        bonus={"pool_pct": 0.05},
        volume_corridor={"band": 0.1, "shortfall_rate": 0.5},
        gain_share={"baseline_fcr": 0.4, "provider_share": 0.5},
        reversibility={"notice_months": 6, "transition_months": 9},
        chronic_failure={"breaches": 2, "within_months": 3},
    )
    north["service_levels"][0]["stretch"] = 0.95
    north["service_levels"].append({"kpi": "fcr", "target": 0.5, "minimum": 0.3, "allocation_pct": 0.2})
    south.update(
        at_risk_pct=0.1,
        reversibility={"notice_months": 3, "transition_months": 4},
        service_levels=[
            {"kpi": "service_level", "channel": "chat", "target": 0.8, "minimum": 0.7, "allocation_pct": 0.5}
        ],
    )
    return parse_contract(data)


def _table(name: str, rows: list[dict]) -> pl.LazyFrame:
    schema = {c.name: c.dtype for c in TABLES[name].columns}
    return pl.LazyFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def _programme(months: int, seed: int = 7):
    """Two partners over `months` months from January 2025, with every optional table."""
    rng = random.Random(seed)
    rows, forecasts, invoices, deliveries, reported = [], [], [], [], []
    for i in range(months):
        month = add_months(START, i)
        # good and bad months in turn, so that every status shows up
        slow = [0.1, 0.25, 0.45, 0.15, 0.6, 0.05][i % 6]
        billed = 0.0
        for partner, channel, n in ((N, "voice", 24 + i % 5), (N, "chat", 6), (S, "chat", 10)):
            for k in range(n):
                answered = rng.random() > slow / 3
                if answered and partner == N:
                    billed += {"voice": 4.10, "chat": 3.20}[channel]
                wait = rng.randint(25, 90) if rng.random() < slow else rng.randint(0, 15)
                rows.append(
                    (
                        f"{partner}-{channel}-{i}-{k}",
                        partner,
                        channel,
                        f"{month:%Y-%m}-{1 + k % 27:02d} {9 + k % 8:02d}:{k % 60:02d}",
                        answered,
                        wait,
                        200 if answered else None,
                        f"{partner}-cust{rng.randint(0, 40)}",
                        None,
                    )
                )
        if i % 7 != 3:  # some months have no contractual forecast
            forecasts.append(
                {"partner_id": N, "channel": "voice", "month": month, "forecast_contacts": [26, 20, 33][i % 3]}
            )
        forecasts.append({"partner_id": N, "channel": "chat", "month": month, "forecast_contacts": 6})
        # the partner bills its pricing on the answered contacts, and 25.00 too much one month in four
        invoices.append({"partner_id": N, "month": month, "amount": round(billed + (25.0 if i % 4 == 1 else 0), 2)})
        for party, late in (("client", i % 3 == 0), ("provider", i % 5 == 2)):
            for ds in ("contacts", "staffing"):
                due = add_months(month, 1) + dt.timedelta(days=4)
                deliveries.append(
                    {
                        "partner_id": N,
                        "party": party,
                        "dataset": ds,
                        "period": month,
                        "due_on": due,
                        "delivered_on": due + dt.timedelta(days=3 if late and ds == "staffing" else -1),
                        "complete": not (late and ds == "contacts"),
                    }
                )
        reported.append(
            {
                "partner_id": N,
                "month": month,
                "kpi": "service_level",
                "channel": "voice",
                "value": 0.85 if i % 4 == 0 else None,
            }
        )
        reported.append(
            {"partner_id": N, "month": month, "kpi": "offered", "channel": "voice", "value": float(24 + i % 5)}
        )
    reported = [r for r in reported if r["value"] is not None]
    actions = [
        {
            "action_id": f"a{j}",
            "partner_id": N,
            "committee": "operational",
            "raised_on": add_months(START, j % max(months, 1)) + dt.timedelta(days=5),
            "owner_party": ("client", "provider", "joint")[j % 3],
            "title": f"action {j}",
            "due_on": add_months(START, j % max(months, 1)) + dt.timedelta(days=40),
            "closed_on": add_months(START, j % max(months, 1)) + dt.timedelta(days=60) if j % 2 else None,
        }
        for j in range(max(6, months))
    ]
    areas = ("documentation", "knowledge transfer", "data return", "tooling", "people", "contracts")
    checklist = [
        {
            "partner_id": p,
            "item_id": f"{p}-{j}",
            "area": areas[j % 6],
            "title": f"item {j}",
            "owner_party": "provider",
            "weight": 1.0 + j % 3,
            "status": ("done", "in_progress", "not_started")[(j + len(p)) % 3],
        }
        for p in (N, S)
        for j in range(14)
    ]
    return engagement(
        _contract(),
        contacts(*rows),
        forecasts=_table("forecasts", forecasts),
        invoices=_table("invoices", invoices),
        deliveries=_table("deliveries", deliveries),
        reported_kpis=_table("reported_kpis", reported),
        actions=_table("actions", actions),
        reversibility=_table("reversibility", checklist),
    )


@cache
def analysis(months: int) -> Analysis:
    return compute(_programme(months))


def _df(frame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _annotations(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def _no_data(fig: go.Figure) -> bool:
    return any(a.name == "no data" for a in fig.layout.annotations)


def _all_figures(a: Analysis, partner: str | None = N) -> dict[str, go.Figure]:
    month = _df(a.gaps).get_column("month").max()
    return {
        "scorecard": charts.scorecard(a.gaps, month, partner=partner),
        "objective_vs_result": charts.objective_vs_result(a.gaps, "service_level/voice", partner=partner),
        "risk_waterfall": charts.risk_waterfall(a.statement, "EUR", partner=partner),
        "credits_over_time": charts.credits_over_time(a.credits, "EUR", partner=partner),
        "volume_corridor": charts.volume_corridor(a.corridor, partner=partner),
        "transparency_scorecard": charts.transparency_scorecard(a.transparency, a.discrepancies, partner=partner),
        "invoice_reconciliation": charts.invoice_reconciliation(a.reconciliation, "EUR", partner=partner),
        "action_log": charts.action_log(a.actions, partner=partner),
        "reversibility_readiness": charts.reversibility_readiness(a.reversibility, a.timeline, partner=partner),
        "programme_overview": charts.programme_overview(a.gaps, a.statement, currency="EUR"),
    }


# --- palette ---------------------------------------------------------------------------------


def test_one_colour_symbol_glyph_and_pattern_per_status_and_party() -> None:
    for table in (style.STATUS_COLOURS, style.STATUS_SYMBOLS, style.STATUS_GLYPHS, style.STATUS_PATTERNS):
        assert set(table) == set(STATUSES)
    # no two statuses share a colour, a symbol, a glyph or a pattern: status reads without colour
    for table in (style.STATUS_COLOURS, style.STATUS_SYMBOLS, style.STATUS_GLYPHS, style.STATUS_PATTERNS):
        assert len(set(table.values())) == len(STATUSES)
    assert set(style.PARTY_COLOURS) == {"client", "provider", "joint"}
    assert len(set(style.PARTY_COLOURS.values())) == 3 and len(set(style.PARTY_PATTERNS.values())) == 3
    # parties do not reuse a status colour; statuses and parties come from Okabe–Ito (grey for "not measurable")
    assert not set(style.PARTY_COLOURS.values()) & set(style.STATUS_COLOURS.values())
    okabe_ito = set(style.OKABE_ITO.values())
    assert set(style.PARTY_COLOURS.values()) <= okabe_ito
    assert {c for s, c in style.STATUS_COLOURS.items() if s != "not measurable"} <= okabe_ito
    # the met and breach colours (the red/green pair) differ in symbol as well
    assert style.STATUS_SYMBOLS["met"] != style.STATUS_SYMBOLS["breach"]


# --- literal frames --------------------------------------------------------------------------


def _gaps(*rows: tuple) -> pl.DataFrame:
    """Gaps rows from (month 'YYYY-MM', value, status), for service_level/voice (target 0.8, minimum 0.75)."""
    return pl.DataFrame(
        [
            {
                "partner_id": N,
                "service_level": sl,
                "kpi": sl.split("/")[0],
                "channel": "voice",
                "month": dt.date.fromisoformat(f"{m}-01"),
                "value": v,
                "note": None if v is not None else "no data for this KPI in the month",
                "target": target,
                "minimum": minimum,
                "stretch": None,
                "allocation_pct": 0.4,
                "allocation_u": 400_000,
                "direction": direction,
                "gap": None,
                "gap_to_minimum": None,
                "attainment": None,
                "status": status,
                "stretch_reached": False,
                "breach_streak": 0,
                "breaches_in_window": 0,
                "chronic_failure": False,
                "order": order,
            }
            for m, v, status, sl, target, minimum, direction, order in (
                (*r, "service_level/voice", 0.8, 0.75, 1, 0) if len(r) == 3 else r for r in rows
            )
        ]
    )


def test_scorecard_values_status_colours_and_direction_aware_trend() -> None:
    g = _gaps(
        ("2026-08", 0.70, "breach"),
        ("2026-09", 0.812, "met"),
        ("2026-08", 0.04, "met", "abandon_rate/voice", 0.05, 0.08, -1, 1),
        ("2026-09", 0.09, "breach", "abandon_rate/voice", 0.05, 0.08, -1, 1),
        ("2026-09", None, "not measurable", "asa/voice", 30.0, 45.0, -1, 2),
        ("2026-08", 300.0, "met", "aht/voice", 310.0, 330.0, -1, 3),
        ("2026-09", 250.0, "met", "aht/voice", 310.0, 330.0, -1, 3),
    )
    fig = charts.scorecard(g.lazy(), "2026-09", partner=N)
    table = fig.data[0]
    assert isinstance(table, go.Table)
    names, results, targets, minima, statuses, trends, _ = (tuple(v) for v in table.cells.values)
    assert names == (
        "Service level · voice",
        "Abandon rate · voice",
        "Average speed of answer · voice",
        "Average handle time · voice",
    )
    assert results == ("81.2 %", "9.0 %", "–", "250.0 s")
    assert targets == ("80.0 %", "5.0 %", "30.0 s", "310.0 s") and minima == ("75.0 %", "8.0 %", "45.0 s", "330.0 s")
    assert statuses == ("● met", "✖ breach", "○ not measurable", "● met")
    assert tuple(table.cells.fill.color[4]) == (
        style.STATUS_COLOURS["met"],
        style.STATUS_COLOURS["breach"],
        style.STATUS_COLOURS["not measurable"],
        style.STATUS_COLOURS["met"],
    )
    # service level up 0.700 → 0.812 (+11.2 pts) is better; abandon rate up 0.04 → 0.09 (+5.0 pts) is worse;
    # handle time down 300 → 250 s (−50.0 s) is better
    assert trends == ("▲ better (+11.2 pts)", "▲ worse (+5.0 pts)", "– no comparison", "▼ better (−50.0 s)")


def test_scorecard_of_a_month_without_rows_says_so() -> None:
    fig = charts.scorecard(_gaps(("2026-08", 0.7, "breach")), dt.date(2026, 9, 1))
    assert _no_data(fig) and "September 2026" in _annotations(fig)[0]


def test_objective_vs_result_marks_each_status_with_its_symbol_and_colour() -> None:
    g = _gaps(
        ("2026-01", 0.82, "met"),
        ("2026-02", 0.77, "below target"),
        ("2026-03", 0.70, "breach"),
        ("2026-04", 0.60, "excused"),
        ("2026-05", None, "not measurable"),
    )
    fig = charts.objective_vs_result(g, "service_level/voice")
    by_name = {t.name: t for t in fig.data}
    # target and minimum hold across each whole month: January 1st to June 1st
    target, minimum = by_name["target"], by_name["minimum"]
    assert set(target.y) == {0.8} and set(minimum.y) == {0.75}
    assert (target.x[0], target.x[-1]) == (dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    # the zone between them is one closed shape from 0.75 to 0.8
    zone = by_name["below-target zone (short of target)"]
    assert zone.fill == "toself" and set(zone.y) == {0.75, 0.8}
    for status, month, y in (
        ("met", "2026-01", 0.82),
        ("below target", "2026-02", 0.77),
        ("breach", "2026-03", 0.70),
        ("excused", "2026-04", 0.60),
        ("not measurable", "2026-05", 0.8),  # drawn on the target line
    ):
        trace = by_name[status]
        assert trace.marker.symbol == style.STATUS_SYMBOLS[status]
        assert trace.marker.color == style.STATUS_COLOURS[status]
        assert trace.x == (dt.date.fromisoformat(f"{month}-01"),) and trace.y == (y,)
    assert fig.layout.yaxis.tickformat == ".0%" and "%" in fig.layout.yaxis.title.text


def test_objective_vs_result_from_compute() -> None:
    a = analysis(8)
    g = _df(a.gaps).filter((pl.col("partner_id") == N) & (pl.col("service_level") == "abandon_rate/voice"))
    fig = charts.objective_vs_result(a.gaps, "abandon_rate/voice", partner=N)
    plotted = {}
    for t in fig.data:
        if t.mode == "markers":
            for x, y in zip(t.x, t.y, strict=True):
                plotted[x] = (t.name, y)
    expected = {
        r["month"]: (r["status"], r["target"] if r["status"] == "not measurable" else r["value"])
        for r in g.iter_rows(named=True)
    }
    assert plotted == expected
    assert len({s for s, _ in plotted.values()}) >= 2  # the data gives more than one status


def test_waterfall_values_are_the_statement_amounts_in_currency_units() -> None:
    row = {
        "partner_id": N,
        "month": dt.date(2026, 9, 1),
        "charges": 1_234_567,
        "credits": 48_001,
        "credits_provisional": 36_000,
        "earned_back": 12_000,
        "bonus": 5_050,
        "corridor_compensation": 1_999,
        "gain_share": -2_500,
        "net": 1_234_567 - 48_001 + 12_000 + 5_050 + 1_999 - 2_500,
    }
    fig = charts.risk_waterfall(row, "EUR")
    w = fig.data[0]
    assert w.measure == ("absolute", "relative", "relative", "relative", "relative", "relative", "total")
    assert w.y == (12_345.67, -480.01, 120.0, 50.5, 19.99, -25.0, 12_031.15)
    assert w.text[0] == "12,345.67 EUR" and w.text[-1] == "12,031.15 EUR"
    assert w.text[1].startswith("−480.01 EUR") and "360.00 EUR provisional" in w.text[1]
    assert w.text[5] == "−25.00 EUR" and w.text[2] == "+120.00 EUR"
    assert any(a.name == "provisional" and "360.00 EUR" in a.text for a in fig.layout.annotations)
    assert "EUR" in fig.layout.yaxis.title.text
    # the steps read as the statement's tables name them
    assert w.x == ("Charges", "Credits", "Earned back", "Bonus", "Corridor", "Gain-share", "Net")


def test_programme_overview_hover_names_the_amounts_as_the_statement_does() -> None:
    a = analysis(8)
    net = next(t for t in charts.programme_overview(a.gaps, a.statement, currency="EUR").data if t.name == "net")
    labels = [line.rsplit(" ", 2)[0] for line in net.hovertext[0].split("<br>")]  # "<label> <amount> EUR"
    assert labels == [
        "charges",
        "credits",
        "of which provisional",
        "earned back",
        "bonus",
        "corridor",
        "gain-share",
        "net",
    ]


def _cents_of_label(text: str) -> int:
    """'−1,234.56 EUR<br>…' → -123456."""
    amount = text.split("<br>")[0].removesuffix(" EUR").replace(",", "")
    sign = -1 if amount.startswith("−") else 1
    return sign * int(Decimal(amount.lstrip("+−")) * 100)


@settings(max_examples=60, deadline=None)
@given(
    charges=st.integers(0, 10**11),
    parts=st.lists(st.integers(0, 10**9), min_size=5, max_size=5),
    provisional_share=st.floats(0, 1),
    gain_share=st.integers(-(10**8), 10**8),
)
def test_waterfall_labels_show_every_amount_to_the_cent(
    charges: int, parts: list[int], provisional_share: float, gain_share: int
) -> None:
    credits, earned_back, bonus, corridor, _ = parts
    net = charges - credits + earned_back + bonus + corridor + gain_share
    row = {
        "charges": charges,
        "credits": credits,
        "credits_provisional": int(credits * provisional_share),
        "earned_back": earned_back,
        "bonus": bonus,
        "corridor_compensation": corridor,
        "gain_share": gain_share,
        "net": net,
    }
    w = charts.risk_waterfall(row, "EUR").data[0]
    steps = [-credits, earned_back, bonus, corridor, gain_share]
    expected = [charges, *(s for s in steps if s), net]  # a step of zero is not drawn
    assert [_cents_of_label(t) for t in w.text] == expected
    assert list(w.y) == [c / 100 for c in expected]


def test_waterfall_of_a_statement_frame_sums_its_months() -> None:
    a = analysis(8)
    s = _df(a.statement).filter(pl.col("partner_id") == N)
    fig = charts.risk_waterfall(a.statement, "EUR", partner=N)
    sums = s.select(pl.all().exclude("partner_id", "month", "basis").sum()).row(0, named=True)
    expected = [
        sums["charges"],
        -sums["credits"],
        sums["earned_back"],
        sums["bonus"],
        sums["corridor_compensation"],
        sums["gain_share"],
        sums["net"],
    ]
    drawn = [expected[0], *(c for c in expected[1:-1] if c), expected[-1]]  # a step of zero is not drawn
    assert fig.data[0].y == tuple(c / 100 for c in drawn)
    assert sums["credits"] > 0 and sums["gain_share"] != 0  # the data exercises those bars
    with pytest.raises(ValueError, match="partner="):
        charts.risk_waterfall(a.statement, "EUR")


def test_credits_stacked_by_earnback_status() -> None:
    a = analysis(8)
    c = _df(a.credits).filter(pl.col("partner_id") == N)
    fig = charts.credits_over_time(a.credits, "EUR", partner=N)
    assert fig.layout.barmode == "stack"
    plotted = {(t.name, x): y for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    expected = {
        (r["earnback_status"], r["month"]): r["credit"] / 100
        for r in c.group_by("earnback_status", "month").agg(pl.col("credit").sum()).iter_rows(named=True)
    }
    assert plotted == pytest.approx(expected)
    for t in fig.data:
        assert t.marker.color == style.EARNBACK_STYLE[t.name]["colour"]
        assert t.marker.pattern.shape == style.EARNBACK_STYLE[t.name]["pattern"]


def test_volume_corridor_band_offered_and_positions() -> None:
    a = analysis(8)
    cor = _df(a.corridor).filter((pl.col("partner_id") == N) & (pl.col("channel") == "voice")).sort("month")
    fig = charts.volume_corridor(a.corridor, "voice", partner=N, currency="EUR")
    by_name = {t.name: t for t in fig.data}
    band = by_name["forecast corridor (lower–upper)"]
    corners = set(zip(band.x, band.y, strict=True))
    for r in cor.iter_rows(named=True):
        inside = {(r["month"], r["upper"]), (r["month"], r["lower"])} <= corners
        assert inside == (r["forecast"] is not None), r["month"]
    positions = {}
    for position, look in style.CORRIDOR_STYLE.items():
        t = by_name.get(f"offered, {look['label']}")
        if t is not None:
            assert t.marker.symbol == look["symbol"]
            positions |= {x: (position, y) for x, y in zip(t.x, t.y, strict=True)}
    assert positions == {r["month"]: (r["position"], r["offered"]) for r in cor.iter_rows(named=True)}
    # April 2025 has no contractual forecast: its marker says so and the band is absent that month
    assert positions[dt.date(2025, 4, 1)][0] == "no forecast"
    shapes, shape = [], []
    for x in (*band.x, None):
        if x is None:
            shapes.append((min(shape), max(shape)))
            shape = []
        else:
            shape.append(x)
    assert len(shapes) == 2  # January–March, then May onwards
    assert not any(first <= dt.date(2025, 4, 1) and last >= dt.date(2025, 5, 1) for first, last in shapes)
    # both channels of the partner, one panel each
    assert len(charts.volume_corridor(a.corridor, partner=N).layout.annotations) >= 2


def test_transparency_rates_by_party_and_flagged_discrepancies() -> None:
    a = analysis(8)
    t = _df(a.transparency).filter(pl.col("partner_id") == N)
    d = _df(a.discrepancies).filter(pl.col("partner_id") == N)
    fig = charts.transparency_scorecard(a.transparency, a.discrepancies, partner=N)
    by_panel = {(tr.name, tr.yaxis): tr for tr in fig.data}
    for party in ("client", "provider"):
        mine = t.filter(pl.col("party") == party).sort("month")
        assert by_panel[(party, "y")].y == tuple(mine["on_time_rate"].to_list())
        assert by_panel[(party, "y2")].y == tuple(mine["completeness_rate"].to_list())
        assert by_panel[(party, "y")].line.color == style.PARTY_COLOURS[party]
        assert by_panel[(party, "y2")].marker.symbol == style.PARTY_SYMBOLS[party]
    assert {r for r in t["on_time_rate"]} == {0.5, 1.0}  # the data has late months
    by_name = {tr.name: tr for tr in fig.data}
    flagged = by_name["flagged (beyond tolerance)"]
    assert flagged.marker.color == style.STATUS_COLOURS["breach"] and flagged.marker.symbol == "x"
    assert len(flagged.x) == d["flagged"].sum() > 0
    assert len(by_name["consistent (within tolerance)"].x) == (~d["flagged"]).sum() > 0


def test_invoice_reconciliation_bars_and_flagged_gaps() -> None:
    a = analysis(8)
    r = _df(a.reconciliation).filter(pl.col("partner_id") == N).sort("month")
    fig = charts.invoice_reconciliation(a.reconciliation, "EUR", partner=N)
    by_name = {t.name: t for t in fig.data}
    assert by_name["invoiced (provider)"].y == tuple(c / 100 for c in r["invoiced"])
    assert by_name["expected from measured volumes"].y == tuple(c / 100 for c in r["expected"])
    flagged, fine = by_name["✖ gap flagged"], by_name["gap within tolerance"]
    assert flagged.x == tuple(r.filter("flagged")["month"].to_list())
    assert flagged.y == tuple(g / 100 for g in r.filter("flagged")["invoice_gap"])
    assert fine.x == tuple(r.filter(~pl.col("flagged"))["month"].to_list())
    # 25.00 too much every fourth month from February: 2 of 8 months; the others match to the cent
    assert flagged.y == (25.0, 25.0) and set(fine.y) == {0.0}
    assert flagged.text == ("gap +25.00 EUR",) * 2
    assert flagged.marker.color == style.STATUS_COLOURS["breach"] and flagged.marker.pattern.shape == "x"


def test_action_log_by_owner_party() -> None:
    a = analysis(8)
    acts = _df(a.actions).filter(pl.col("partner_id") == N)
    fig = charts.action_log(a.actions, partner=N)
    panels = {"y": "open", "y2": "overdue", "y3": "closed"}
    for t in fig.data:
        party = t.name.removeprefix("owner: ")
        column = panels[t.yaxis]
        part = acts.filter(pl.col("owner_party") == party).sort("month")
        assert t.y == tuple(part[column].to_list())
        assert t.marker.color == style.PARTY_COLOURS[party]
    assert {t.name for t in fig.data} == {"owner: client", "owner: provider", "owner: joint"}


def test_reversibility_readiness_and_timeline() -> None:
    a = analysis(8)
    ready = _df(a.reversibility).filter(pl.col("partner_id") == N).sort("area", nulls_last=False)
    line = _df(a.timeline).filter(pl.col("partner_id") == N).row(0, named=True)
    fig = charts.reversibility_readiness(a.reversibility, a.timeline, partner=N)
    by_name = {t.name: t for t in fig.data}
    overall, areas = by_name["overall readiness"], by_name["readiness by area"]
    assert overall.y == ("Overall",) and overall.x + areas.x == tuple(ready["readiness"].to_list())
    # no trace has a pattern over an array of colours (plotly.js warns "Invalid color specifier")
    for trace in fig.data:
        if trace.type == "bar" and trace.marker.pattern.shape is not None:
            assert isinstance(trace.marker.color, str) and isinstance(trace.marker.pattern.shape, str)
    # one partner: each key date is named in the legend with its date (1 Jan 2028, as every report writes it)
    assert by_name[f"term end {day(line['end'])}"].x == (line["end"],)
    assert by_name[f"last notice date {day(line['last_notice_date'])}"].x == (line["last_notice_date"],)
    assert by_name[f"as of {day(line['as_of'])}"].x == (line["as_of"],)
    transition = by_name["transition if started at the as-of date"]
    # 9 months from the as-of date, as a bar on the date axis
    assert transition.base == (line["as_of"],)
    assert transition.x == ((add_months(line["as_of"], 9) - line["as_of"]).days * 86_400_000,)


def test_programme_overview_shares_and_net_per_partner() -> None:
    a = analysis(8)
    fig = charts.programme_overview(a.gaps, a.statement, "2025-Q2", currency="EUR")
    g = _df(a.gaps).filter(pl.col("month").is_between(dt.date(2025, 4, 1), dt.date(2025, 6, 30)))
    met = {t.name: t for t in fig.data}["met"]
    for partner, share in zip(met.y, met.x, strict=True):
        mine = g.filter(pl.col("partner_id") == partner)
        assert share == pytest.approx((mine["status"] == "met").sum() / mine.height)
    net = {t.name: t for t in fig.data}["net"]
    s = _df(a.statement).filter(pl.col("month").is_between(dt.date(2025, 4, 1), dt.date(2025, 6, 30)))
    expected = {p: s.filter(pl.col("partner_id") == p)["net"].sum() / 100 for p in (N, S)}
    assert dict(zip(net.y, net.x, strict=True)) == pytest.approx(expected)
    assert set(met.y) == {N, S}


# --- sizes of input --------------------------------------------------------------------------


def test_every_view_says_no_data_on_empty_tables() -> None:
    a = analysis(3)
    empty = {
        name: _df(getattr(a, name)).clear()
        for name in (
            "gaps",
            "statement",
            "credits",
            "corridor",
            "transparency",
            "discrepancies",
            "reconciliation",
            "actions",
            "reversibility",
            "timeline",
        )
    }
    figures = [
        charts.scorecard(empty["gaps"], "2026-09"),
        charts.objective_vs_result(empty["gaps"], "service_level/voice"),
        charts.risk_waterfall(empty["statement"].lazy(), "EUR"),
        charts.credits_over_time(empty["credits"]),
        charts.volume_corridor(empty["corridor"]),
        charts.transparency_scorecard(empty["transparency"], empty["discrepancies"]),
        charts.invoice_reconciliation(empty["reconciliation"]),
        charts.action_log(empty["actions"]),
        charts.reversibility_readiness(empty["reversibility"], empty["timeline"]),
        charts.programme_overview(empty["gaps"], empty["statement"]),
    ]
    for fig in figures:
        assert isinstance(fig, go.Figure) and _no_data(fig), fig.layout.title.text


def test_programme_overview_of_a_period_without_data_says_so() -> None:
    a = analysis(3)
    fig = charts.programme_overview(a.gaps, a.statement, "2030-Q1")
    assert _no_data(fig) and "Q1 2030" in _annotations(fig)[0]


def test_an_unknown_partner_gives_no_data() -> None:
    a = analysis(3)
    figs = _all_figures(a, partner="nobody")
    del figs["programme_overview"]  # all partners by design
    for name, fig in figs.items():
        assert _no_data(fig), name


def test_one_month_of_data() -> None:
    a = analysis(1)
    figs = _all_figures(a)
    for name in ("objective_vs_result", "volume_corridor", "invoice_reconciliation", "action_log"):
        assert any("One" in t for t in _annotations(figs[name])), name
    # a single month still draws its target across the month
    target = next(t for t in figs["objective_vs_result"].data if t.name == "target")
    assert target.x == (dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    assert figs["scorecard"].data[0].cells.values[5][0] == "– no comparison"
    for name, fig in figs.items():
        assert fig.data or (name == "credits_over_time" and _no_data(fig)), name
        fig.to_json()
    # one month with credits
    c = _df(analysis(8).credits)
    one = c.filter(pl.col("month") == c["month"].min())
    fig = charts.credits_over_time(one, "EUR", partner=N)
    assert fig.data and any("One" in t for t in _annotations(fig))


def test_thirty_six_months() -> None:
    a = analysis(36)
    figs = _all_figures(a)
    result = next(t for t in figs["objective_vs_result"].data if t.name == "result")
    assert len(result.x) == 36
    # quarterly ticks on three years of months, monthly on one
    assert figs["objective_vs_result"].layout.xaxis.dtick == "M3"
    assert charts.objective_vs_result(analysis(8).gaps, "service_level/voice", partner=N).layout.xaxis.dtick == "M1"
    statuses = {t.name for t in figs["objective_vs_result"].data if t.mode == "markers"}
    assert {"met", "breach"} <= statuses
    for name, fig in figs.items():
        assert not _no_data(fig), name
        # light enough to embed many in one report
        assert len(fig.to_json()) < 120_000, name


def test_figures_share_the_report_layout_and_never_show() -> None:
    for name, fig in _all_figures(analysis(3)).items():
        assert fig.layout.template.layout.paper_bgcolor is not None, name  # plotly_white, not the default
        assert fig.layout.font.family == style.FONT, name
        assert fig.layout.title.text, name


def test_floor_activity_plots_the_days_of_the_table() -> None:

    floor = pl.DataFrame(
        {
            "partner_id": ["p", "p", "p"],
            "channel": ["voice", "chat", "voice"],
            "day": [dt.date(2026, 9, 1), dt.date(2026, 9, 1), dt.date(2026, 9, 2)],
            "offered": [10, 5, 8],
            "answered": [9, 4, 8],
            "short_abandons": [1, 0, 0],
            "in_service": [6, 4, 4],
            "handled_hours": [2.0, 1.0, 1.5],
            "staffed_hours": [4.0, None, 3.0],
        }
    )
    fig = charts.floor_activity(floor, partner="p")
    traces = {t.name: t for t in fig.data}
    assert list(traces["offered"].y) == [15, 8]
    # 1 September: in service 6 + 4 over (15 − 1) answerable contacts; 2 September 4 / 8
    assert list(traces["service level"].y) == pytest.approx([10 / 14, 0.5])
    assert list(traces["occupancy"].y) == pytest.approx([3.0 / 4.0, 0.5])
    assert charts.floor_activity(floor.head(0)).layout.annotations[0].text == "No contacts in this selection"


def test_forecast_outlook_shows_months_ahead_without_offered() -> None:

    outlook = pl.DataFrame(
        {
            "partner_id": ["p", "p"],
            "channel": ["voice", "voice"],
            "month": [dt.date(2026, 9, 1), dt.date(2026, 10, 1)],
            "latest_forecast": [1000.0, 1100.0],
            "latest_issued_on": [dt.date(2026, 8, 20), dt.date(2026, 9, 20)],
            "contractual_forecast": [980.0, 1050.0],
            "offered": [1010, None],
            "accuracy": [0.97, None],
        }
    )
    fig = charts.forecast_outlook(outlook)
    traces = {t.name: t for t in fig.data}
    assert list(traces["offered"].y) == [1010, None]
    assert list(traces["contractual forecast"].y) == [980.0, 1050.0]


def test_waterfall_shows_a_resource_adjustment_when_there_is_one() -> None:
    row = {
        "partner_id": "p",
        "month": dt.date(2026, 9, 1),
        "charges": 1_000_000,
        "credits": 10_000,
        "credits_provisional": 0,
        "earned_back": 0,
        "bonus": 0,
        "corridor_compensation": 0,
        "gain_share": 0,
        "resource_adjustment": -200_000,
        "net": 790_000,
    }
    fig = charts.risk_waterfall(row, "EUR")
    assert fig.data[0].x[-2:] == ("Resource adjustment", "Net")
    assert fig.data[0].y[-2:] == (-2000.0, 7900.0)


# --- the reports' plotly.js ----------------------------------------------------------------------


def test_the_reports_bundle_of_plotly_js_draws_every_chart_and_matches_plotly() -> None:
    import importlib.resources
    import re

    from partner_analytics.charts.display import BUNDLED_TRACES, plotly_js

    drawn = {trace.type for fig in _all_figures(analysis(8)).values() for trace in fig.data}
    assert drawn <= BUNDLED_TRACES, drawn - BUNDLED_TRACES
    bundle = plotly_js()
    for trace in BUNDLED_TRACES:
        assert f'name:"{trace}"' in bundle, trace  # registered in the bundle
    assert 'name:"pie"' not in bundle and 'name:"heatmap"' not in bundle  # only what the reports draw
    full = (importlib.resources.files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    version = re.compile(r"plotly\.js v(\d+\.\d+\.\d+)")
    assert version.search(bundle)[1] == version.search(full)[1], "rebuild tools/plotly_bundle for this plotly"
    assert len(bundle.encode()) < 1_300_000 < 4_000_000 < len(full.encode())


def test_the_waterfall_hides_nil_steps_and_makes_small_ones_readable() -> None:
    # NorthCall's 2026-Q3 statement: 73,897.90 + 797.21 + 1,780.87 − 363.10 = 76,112.88 EUR
    row = {
        "partner_id": N,
        "charges": 7_389_790,
        "credits": 0,
        "credits_provisional": 0,
        "earned_back": 0,
        "bonus": 79_721,
        "corridor_compensation": 0,
        "gain_share": 178_087,
        "resource_adjustment": -36_310,
        "net": 7_389_790 + 79_721 + 178_087 - 36_310,
    }
    fig = charts.risk_waterfall(row, "EUR")
    w = fig.data[0]
    assert w.x == ("Charges", "Bonus", "Gain-share", "Resource adjustment", "Net")
    assert w.y == (73_897.90, 797.21, 1_780.87, -363.10, 76_112.88)
    notes = " ".join(_annotations(fig))
    assert "Nil in the period (not drawn): Credits, Earned back, Corridor." in notes
    # running totals 73,897.90, 74,695.11, 76,475.98, 76,112.88: spread 76,475.98 − 73,897.90 = 2,578.08,
    # so the axis runs from 73,897.90 − 2,578.08 = 71,319.82 to 76,475.98 + 1,289.04 = 77,765.02
    low, high = fig.layout.yaxis.range
    assert (low, high) == (71_319.82, 77_765.02)
    assert "The axis starts at 71,319.82 EUR" in notes
    # a step of 797.21 is now 797.21 / (high − low) of the axis height: over 10 %, no hairline
    assert 797.21 / (high - low) > 0.1


# --------------------------------------------------------------------------- layout defects seen in the reports


def test_the_zone_short_of_target_is_named_in_the_kpis_direction() -> None:
    higher = charts.objective_vs_result(_gaps(("2026-08", 0.7, "breach")), "service_level/voice")
    lower = charts.objective_vs_result(
        _gaps(("2026-08", 0.06, "below target", "abandon_rate/voice", 0.05, 0.08, -1, 1)), "abandon_rate/voice"
    )
    assert higher.data[0].name == "below-target zone (short of target)" and set(higher.data[0].y) == {0.75, 0.8}
    # an abandon rate falls short of its 5 % target above it, up to its 8 % minimum
    assert lower.data[0].name == "above-target zone (short of target)" and set(lower.data[0].y) == {0.05, 0.08}


def _axis_top(fig: go.Figure, trace) -> float:
    axis = fig.layout["yaxis" + trace.yaxis.removeprefix("y")]
    return axis.range[1]


def test_floor_activity_axes_hold_every_staffed_hour_and_occupancy() -> None:
    floor = pl.DataFrame(
        {
            "partner_id": ["p", "p"],
            "channel": ["voice", "voice"],
            "day": [dt.date(2026, 9, 1), dt.date(2026, 9, 2)],
            "offered": [400, 300],
            "answered": [390, 290],
            "short_abandons": [0, 0],
            "in_service": [300, 250],
            "handled_hours": [26.0, 20.0],
            "staffed_hours": [62.5, 15.0],
        }
    )
    fig = charts.floor_activity(floor, partner="p")
    traces = {t.name: t for t in fig.data}
    # 62.5 staffed hours on 1 September, and 20 handled over 15 staffed on the 2nd: 133 % occupancy
    assert _axis_top(fig, traces["staffed hours"]) == pytest.approx(62.5 * 1.05)
    assert _axis_top(fig, traces["occupancy"]) == pytest.approx(20 / 15 * 1.05)
    for name in ("staffed hours", "handled hours", "occupancy"):
        assert max(traces[name].y) <= _axis_top(fig, traces[name]), name


def test_transparency_labels_only_each_kpis_latest_flagged_month() -> None:
    months = [dt.date(2026, m, 1) for m in (6, 7, 8, 9)]
    discrepancies = pl.DataFrame(
        {
            "partner_id": [N] * 4,
            "month": months,
            "kpi": ["service_level"] * 4,
            "channel": ["voice"] * 4,
            "reported": [0.86, 0.86, 0.81, 0.86],
            "recomputed": [0.80, 0.80, 0.80, 0.80],
            "discrepancy": [0.06, 0.06, 0.01, 0.06],
            "flagged": [True, True, False, True],
            "note": [None] * 4,
        }
    )
    fig = charts.transparency_scorecard(_df(analysis(3).transparency).clear(), discrepancies, partner=N)
    flagged = next(t for t in fig.data if t.name == "flagged (beyond tolerance)")
    # three flagged months side by side: only September's +6.0 pts is written, the others are in the hover
    assert flagged.x == (months[0], months[1], months[3]) and flagged.text == ("", "", "+6.0 pts")


def test_exit_readiness_note_is_the_subtitle_and_the_timeline_spans_the_decisions() -> None:
    a = analysis(8)
    timeline = _df(a.timeline).filter(pl.col("partner_id") == N)
    line = timeline.row(0, named=True)
    open_right = timeline.with_columns(
        pl.lit(True).alias("termination_right"), pl.lit("service_level/voice").alias("chronic_service_levels")
    )
    fig = charts.reversibility_readiness(a.reversibility, open_right, partner=N)
    # the open right under the title, not an annotation over the panels' titles
    # in words, the partner unnamed (its report names it)
    assert (
        fig.layout.title.subtitle.text
        == "Termination right open (chronic failure of 1 service level): Service level · voice"
    )
    # a long list of service levels goes on lines of at most 90 characters (a subtitle does not wrap by itself),
    # the top margin 16 px higher for each line after the first
    many = ", ".join(f"service_level_{n}/voice" for n in range(6))  # 6 × 21 + 5 × 2 = 136 characters
    long = charts.reversibility_readiness(
        a.reversibility, open_right.with_columns(pl.lit(many).alias("chronic_service_levels")), partner=N
    )
    lines = long.layout.title.subtitle.text.split("<br>")
    assert len(lines) == 3 and max(map(len, lines)) <= 90
    assert long.layout.margin.t == fig.layout.margin.t + 2 * 16
    assert not any("Termination" in t for t in _annotations(fig))
    # the axis runs from 2 months before the as-of date to 2 months after the later of term end and transition end
    end = max(line["end"], add_months(line["as_of"], line["transition_months"]))
    assert list(fig.layout.xaxis2.range) == [add_months(line["as_of"], -2), add_months(end, 2)]
    # no date written beside its marker (a notice date and a term end 6 months apart ran into each other)
    dates = [t for t in fig.data if t.type == "scatter" and t.xaxis == "x2"]
    assert len(dates) == 3 and all(t.mode == "markers" and t.text is None for t in dates)


def test_an_empty_figure_is_one_line_high() -> None:
    fig = charts.credits_over_time(_df(analysis(3).credits).clear(), "EUR")
    assert _no_data(fig) and fig.layout.height == 120


def test_the_scorecards_height_follows_its_rows() -> None:
    g = _gaps(
        ("2026-09", 0.812, "met"),
        ("2026-09", 0.09, "breach", "abandon_rate/voice", 0.05, 0.08, -1, 1),
        ("2026-09", 20.0, "met", "asa/voice", 30.0, 45.0, -1, 2),
    )
    fig = charts.scorecard(g, "2026-09", partner=N)
    # title and subtitle (90 px), a two-line header (40 px), 28 px for each of 3 service levels, 10 px below, 4 to spare
    assert fig.layout.height == 90 + 40 + 28 * 3 + 10 + 4 == 228
    # a chronic failure is a second line in its status cell, at every width: 14 px more
    chronic = charts.scorecard(g.with_columns(pl.col("chronic_failure") | (pl.col("status") == "breach")), "2026-09")
    assert chronic.layout.height == 228 + 14 and "✖ breach<br>chronic failure" in chronic.data[0].cells.values[4]
    # no note this month: no empty Note column
    assert list(fig.data[0].header.values) == [
        "Service level",
        "Result",
        "Target",
        "Minimum",
        "Status",
        "Trend vs<br>previous month",
    ]
