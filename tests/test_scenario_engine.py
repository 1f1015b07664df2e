"""The what-if engine on the sample engagement: the baseline to the cent, term changes hand-checked,
operations changes through the core's transforms."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import polars as pl
import pytest

from partner_analytics.pipeline.analysis import analyse
from partner_analytics.pipeline.chain import contract_chain, restricted
from partner_analytics.whatif.engine import WhatIf, repriced_invoices
from partner_analytics.whatif.operations import operations_results
from partner_analytics.whatif.scenario import Scenario, parse_scenario

TABLES = ("gaps", "charges", "credits", "bonuses", "gain_share", "corridor", "resource_adjustments", "statement")
PARTNERS = ("northcall", "rivage", "sudhorizon", "atlas")


@pytest.fixture(scope="module")
def what_if(sample_engagement, sample_analysis) -> WhatIf:
    return WhatIf(sample_engagement, results=sample_analysis.results.collect())


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def assert_same_tables(tables, analysis, partners) -> None:
    """Every contract table equal, row for row and to the cent, to the analysis's rows of `partners`."""
    for name in TABLES:
        expected = getattr(analysis, name).filter(pl.col("partner_id").is_in(list(partners))).collect()
        got = getattr(tables, name)
        assert got.columns == expected.columns, name
        assert _sorted(got).equals(_sorted(expected)), name


def test_no_change_reproduces_the_baseline_to_the_cent(what_if, sample_analysis) -> None:
    comparison = what_if.compare(Scenario())
    assert comparison.partners == PARTNERS
    assert_same_tables(comparison.outcome, sample_analysis, PARTNERS)
    assert_same_tables(comparison.baseline, sample_analysis, PARTNERS)
    assert _sorted(comparison.outcome.results).equals(_sorted(sample_analysis.results.collect()))
    assert comparison.totals["delta"].to_list() == [0] * comparison.totals.height
    assert comparison.statement_delta.select(pl.col("^.*_delta$").abs().sum()).sum_horizontal().item() == 0
    assert not comparison.gaps_delta["status_changed"].any()


def test_the_operations_path_with_no_change_reproduces_the_baseline(what_if, sample_analysis) -> None:
    """Restating every channel from its counts with a zero change and a model equal to its baseline
    gives back the baseline: the same counts, the same values, every table to the cent."""
    changes, modelled = {}, {}
    for pid, channel in what_if.intervals:
        changes[(pid, channel)] = (0.0, 0.0, 0.0)
        base = what_if.modelled(pid, channel)
        modelled[(pid, channel)] = (base, base)
    restated = operations_results(
        what_if.results,
        changes,
        modelled,
        what_if.contract,
        present=what_if.engagement.present["contacts"],
        forecasts=what_if.engagement.table("forecasts"),
        interval_present=what_if.engagement.present["intervals"],
    )
    keys = ["partner_id", "channel", "month", "kpi"]
    both = what_if.results.join(restated, on=keys, how="full", nulls_equal=True, suffix="_new")
    assert both.height == what_if.results.height == restated.height
    counts = both.filter(pl.col("kpi").is_in(["offered", "answered", "in_service", "short_abandons", "fcr"]))
    assert (counts["numerator"] == counts["numerator_new"]).all()
    assert (counts["denominator"].fill_null(-1) == counts["denominator_new"].fill_null(-1)).all()
    values = both.filter(pl.col("value").is_not_null())
    relative = (values["value"] - values["value_new"]).abs() / values["value"].abs().clip(lower_bound=1.0)
    assert relative.max() < 1e-12  # channel rows exact; partner-wide sums may add in another order
    assert values["value_new"].null_count() == 0
    chain = contract_chain(
        restated.lazy(),
        what_if.contract,
        grid=what_if.grid.lazy(),
        data_end=what_if.data_end.lazy(),
        invoices=what_if.invoices,
        forecasts=what_if.forecasts,
        staged=True,
    )
    assert_same_tables(chain, sample_analysis, PARTNERS)


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_raising_a_target_turns_months_to_breach_where_the_values_say(what_if) -> None:
    scenario = parse_scenario(
        {
            "partners": {
                "northcall": {"terms": {"service_levels": {"service_level/voice": {"target": 0.83, "minimum": 0.81}}}}
            }
        }
    )
    comparison = what_if.compare(scenario)
    voice = comparison.gaps_delta.filter(pl.col("service_level") == "service_level/voice")
    status = {
        f"{r['month']:%Y-%m}": (round(r["value_scenario"], 4), r["status_scenario"])
        for r in voice.iter_rows(named=True)
    }
    # values (rounded here for reading) against target 0.83 and minimum 0.81
    assert status["2024-11"] == (0.8446, "met")
    assert status["2024-10"] == (0.8262, "below target")  # 0.81 ≤ 0.8262 < 0.83
    assert status["2025-05"] == (0.8135, "below target")
    assert status["2025-01"] == (0.7941, "breach")  # < 0.81
    assert status["2025-08"] == (0.8019, "breach")
    assert status["2026-06"] == (0.773, "excused")  # volume above the corridor that month
    assert status["2026-04"] == (0.8304, "met")
    changed = voice.filter(pl.col("status_changed"))
    assert {f"{m:%Y-%m}" for m in changed["month"]} == {
        "2024-10",
        "2024-12",
        "2025-01",
        "2025-05",
        "2025-08",
        "2025-10",
        "2026-01",
        "2026-05",
        "2026-06",
    }
    # every month follows formulas.md §2 on its own value
    for r in voice.filter(pl.col("month") != dt.date(2026, 6, 1)).iter_rows(named=True):
        v = r["value_scenario"]
        assert r["status_scenario"] == ("met" if v >= 0.83 else "below target" if v >= 0.81 else "breach")
    # the two breaches earn credits: at risk = 10 % of the month's charges, × allocation 0.3
    charges = dict(comparison.outcome.statement.select("month", "charges").iter_rows())
    credit = {
        m: _cents(_cents(Decimal(charges[m]) * Decimal("0.1")) * Decimal("0.3"))
        for m in (dt.date(2025, 1, 1), dt.date(2025, 8, 1))
    }
    credits = comparison.outcome.credits
    assert dict(credits.select("month", "credit").iter_rows()) == credit
    # January is met in February, March and April (earn-back 3 months): earned back in April;
    # August is below target in October: final
    assert dict(credits.select("month", "earnback_status").iter_rows()) == {
        dt.date(2025, 1, 1): "earned back",
        dt.date(2025, 8, 1): "final",
    }
    statement = comparison.statement_delta.filter(pl.col("month") == dt.date(2025, 4, 1))
    assert statement["earned_back_delta"].item() == credit[dt.date(2025, 1, 1)]
    net = comparison.totals.filter(pl.col("amount") == "net")
    assert net["delta"].item() == -credit[dt.date(2025, 8, 1)]


def test_a_larger_at_risk_share_and_a_bonus_pool_give_credits_and_bonuses_by_hand(what_if) -> None:
    """rivage: at risk 20 % of charges instead of 15 %, a bonus pool of 4 % and an FCR stretch of 0.75."""
    terms = {"at_risk_pct": 0.2, "bonus": {"pool_pct": 0.04}, "service_levels": {"fcr": {"stretch": 0.75}}}
    comparison = what_if.compare(parse_scenario({"partners": {"rivage": {"terms": terms}}}))
    assert comparison.partners == ("rivage",)
    base, credits = comparison.baseline.credits, comparison.outcome.credits
    assert credits.select("service_level", "month", "status").equals(base.select("service_level", "month", "status"))
    for r in credits.iter_rows(named=True):
        assert r["at_risk_amount"] == _cents(Decimal(r["charges"]) * Decimal("0.2"))
    # February 2026, CSAT in breach (first of a run, allocation 15 %): 3 079 620 cents of charges
    feb = credits.filter((pl.col("month") == dt.date(2026, 2, 1)) & (pl.col("service_level") == "csat")).row(
        0, named=True
    )
    assert (feb["charges"], feb["at_risk_amount"], feb["credit"]) == (3079620, 615924, 92389)  # 615 924 × 0.15
    # March 2026, CSAT's second breach in a row: × 1.5
    march = credits.filter((pl.col("month") == dt.date(2026, 3, 1)) & (pl.col("service_level") == "csat"))
    assert march["credit"].item() == _cents(Decimal(604508) * Decimal("0.15") * Decimal("1.5")) == 136014
    for r in credits.filter(~pl.col("capped")).iter_rows(named=True):
        exact = Decimal(r["at_risk_amount"]) * Decimal(str(r["allocation_pct"])) * Decimal(str(r["multiplier"]))
        assert r["credit"] == _cents(exact)
    # bonuses: every FCR month at or above 0.75 earns 20 % (its allocation) of a pool of 4 % of charges
    bonuses = comparison.outcome.bonuses
    fcr = comparison.outcome.gaps.filter((pl.col("service_level") == "fcr") & (pl.col("value") >= 0.75))
    assert bonuses["month"].to_list() == sorted(fcr["month"].to_list()) and comparison.baseline.bonuses.is_empty()
    for r in bonuses.iter_rows(named=True):
        assert r["bonus_pool"] == _cents(Decimal(r["charges"]) * Decimal("0.04"))
        assert r["bonus"] == _cents(Decimal(r["bonus_pool"]) * Decimal("0.2"))
    first = bonuses.row(0, named=True)
    assert (first["month"], first["charges"], first["bonus_pool"], first["bonus"]) == (
        dt.date(2024, 10, 1),
        3242780,
        129711,
        25942,
    )
    # the net moves by the bonuses less the extra credits (earn-back unchanged: rivage's credits are final)
    totals = {r["amount"]: r["delta"] for r in comparison.totals.iter_rows(named=True)}
    assert totals["bonus"] == bonuses["bonus"].sum()
    assert totals["credits"] == credits["credit"].sum() - base["credit"].sum() > 0
    assert totals["net"] == totals["bonus"] - totals["credits"] + totals["earned_back"]


def test_operations_changes_equal_analyse_on_the_restated_results(what_if, sample_engagement) -> None:
    scenario = parse_scenario(
        {
            "window": {"first": "2026-04"},
            "partners": {
                "northcall": {
                    "operations": {
                        "voice": {"volume_change": 0.15, "staffing_change": -0.1},
                        "chat": {"aht_change": 0.2},
                    }
                }
            },
        }
    )
    comparison = what_if.compare(scenario)
    results = comparison.outcome.results
    # the engagement the core would see: these results and the invoices repriced for the change
    invoices = repriced_invoices(
        sample_engagement.table("invoices"),
        what_if.results.filter(pl.col("partner_id") == "northcall"),
        results,
        restricted(what_if.contract, ["northcall"]),
        what_if.grid.lazy(),
    )
    engagement = dataclasses.replace(sample_engagement, tables={**sample_engagement.tables, "invoices": invoices})
    analysis = analyse(engagement, contract=what_if.contract, results=results.lazy())
    in_window = {name: getattr(analysis, name).filter(pl.col("month") >= dt.date(2026, 4, 1)) for name in TABLES}
    assert_same_tables(comparison.outcome, dataclasses.replace(analysis, **in_window), ("northcall",))
    deltas = comparison.results_delta.filter(pl.col("channel") == "voice")
    before = deltas.filter(pl.col("month") < dt.date(2026, 4, 1))
    assert before.is_empty()  # the comparison holds the window's months only
    offered = deltas.filter(pl.col("kpi") == "offered")
    assert (offered["scenario"] == (offered["baseline"] * 1.15).round(0, mode="half_away_from_zero")).all()
    sl = deltas.filter(pl.col("kpi") == "service_level")
    assert (sl["delta"] < 0).all()  # more calls, fewer agents: a lower service level every month
    aht = comparison.results_delta.filter((pl.col("channel") == "chat") & (pl.col("kpi") == "aht"))
    assert ((aht["scenario"] / aht["baseline"] - 1.2).abs() < 1e-9).all()
    charges = comparison.totals.filter(pl.col("amount") == "charges")["delta"].item()
    assert charges > 0  # more answered voice contacts, priced 4.10 each


def test_months_outside_the_window_keep_their_results(what_if) -> None:
    scenario = parse_scenario(
        {"window": {"last": "2025-06"}, "partners": {"rivage": {"operations": {"voice": {"volume_change": 0.3}}}}}
    )
    results, _ = what_if.scenario_results(scenario, ["rivage"])
    late = pl.col("month") > dt.date(2025, 6, 1)
    base = what_if.results.filter((pl.col("partner_id") == "rivage") & late)
    assert _sorted(results.filter(late)).equals(_sorted(base))
    early = results.filter(~late & (pl.col("kpi") == "offered") & (pl.col("channel") == "voice"))
    assert early["numerator"].sum() > 1.29 * base.filter(pl.col("kpi") == "offered").height  # changed


def test_an_update_redoes_only_what_changed(what_if) -> None:
    ops = {"operations": {"voice": {"staffing_change": 0.07}}}
    what_if.compare(parse_scenario({"partners": {"sudhorizon": ops}}))
    restated, modelled = len(what_if._restated), dict(what_if._modelled)
    what_if.compare(parse_scenario({"partners": {"sudhorizon": {**ops, "terms": {"at_risk_pct": 0.2}}}}))
    assert len(what_if._restated) == restated and what_if._modelled.keys() == modelled.keys()
    what_if.compare(
        parse_scenario(
            {
                "partners": {
                    "sudhorizon": {"operations": {"voice": {"staffing_change": 0.07}, "chat": {"volume_change": 0.1}}}
                }
            }
        )
    )
    new = set(what_if._modelled) - set(modelled)
    assert ("sudhorizon", "chat", (0.1, 0.0, 0.0)) in new
    assert new <= {("sudhorizon", "chat", (0.1, 0.0, 0.0)), ("sudhorizon", "chat", (0.0, 0.0, 0.0))}  # voice reused


def test_operations_changes_on_a_kept_engine_give_the_figures_of_a_recomputation(what_if, sample_engagement) -> None:
    """An engine kept across updates (the app's: each partner's unchanged inputs read once, the baseline
    model and tables cached) gives, for operations changes it has not seen, exactly the tables of an
    engine made for the change and of the results restated from the whole results table in one call."""
    changes = [
        {"partners": {"northcall": {"operations": {"voice": {"staffing_change": s}}}}} for s in (0.01, -0.03)
    ] + [
        {"partners": {"northcall": {"operations": {"chat": {"volume_change": 0.1, "aht_change": 0.05}}}}},
        {"window": {"first": "2025-03"}, "partners": {"rivage": {"operations": {"email": {"volume_change": -0.1}}}}},
        {"partners": {"sudhorizon": {"operations": {"voice": {"aht_change": -0.08}}, "terms": {"at_risk_pct": 0.2}}}},
    ]
    for change in changes:  # the kept engine has seen other changes of the same partners first
        ops = next(iter(change["partners"].values()))["operations"]
        moved = {ch: {k: v + 0.02 for k, v in o.items()} for ch, o in ops.items()}
        what_if.compare(parse_scenario({"partners": {p: {"operations": moved} for p in change["partners"]}}))
    for change in changes:
        scenario = parse_scenario(change)
        kept = what_if.compare(scenario)
        made = WhatIf(sample_engagement, results=what_if.results).compare(scenario)
        for name in ("results", *TABLES):
            assert _sorted(getattr(kept.outcome, name)).equals(_sorted(getattr(made.outcome, name))), name
        for name in ("totals", "gaps_delta", "credits_delta", "statement_delta"):  # what the app draws
            assert getattr(kept, name).equals(getattr(made, name)), name
        ((pid, partner),) = scenario.partners.items()
        ops = {(pid, ch): o.key for ch, o in partner.operations.items()}
        window = (scenario.window.first, scenario.window.last)
        restated = operations_results(
            what_if.results,
            ops,
            {key: (what_if.modelled(*key), what_if.modelled(*key, change)) for key, change in ops.items()},
            what_if.contract,
            present=sample_engagement.present["contacts"],
            forecasts=sample_engagement.table("forecasts"),
            window=window,
        )
        mine = restated.filter(pl.col("partner_id") == pid)
        assert _sorted(kept.outcome.results).equals(_sorted(mine.filter(_in_window(*window))))


def _in_window(first: dt.date | None, last: dt.date | None) -> pl.Expr:
    keep = pl.lit(True)
    if first is not None:
        keep &= pl.col("month") >= first
    if last is not None:
        keep &= pl.col("month") <= last
    return keep


def test_the_quarter_of_a_comparison_sums_its_months(what_if) -> None:
    comparison = what_if.compare(parse_scenario({"partners": {"rivage": {"terms": {"at_risk_pct": 0.25}}}}))
    quarter = comparison.quarter(dt.date(2026, 7, 1))
    months = comparison.statement_delta.filter(pl.col("month").is_between(dt.date(2026, 7, 1), dt.date(2026, 9, 1)))
    credits = quarter.filter(pl.col("amount") == "credits").row(0, named=True)
    assert (
        credits["baseline"] == months["credits_baseline"].sum()
        and credits["scenario"] == months["credits_scenario"].sum()
    )
    assert credits["scenario"] > credits["baseline"]  # rivage is in breach: a larger at-risk amount


def test_the_engine_on_an_analysis_loads_the_engagement_only_for_operations_and_exits(
    what_if, sample_engagement, sample_analysis
) -> None:
    """On the analysis' tables (invoiced charges, contractual forecasts) a term change gives the
    engagement's figures without loading it; an operations change or an exit plan loads it once."""
    loads = []

    def engagement():
        loads.append(1)
        return sample_engagement

    on_analysis = WhatIf.of_analysis(sample_analysis, engagement)
    terms = {
        "at_risk_pct": 0.25,
        "volume_corridor": {"band": 0.05},
        "service_levels": {"csat": {"target": 4.2, "minimum": 4.1}},
    }
    scenario = parse_scenario({"partners": {"rivage": {"terms": terms}}})
    got, expected = on_analysis.compare(scenario), what_if.compare(scenario)
    assert not loads
    for name in ("baseline", "outcome"):
        side = getattr(expected, name)
        assert_same_tables(
            getattr(got, name), SimpleNamespace(**{t: getattr(side, t).lazy() for t in TABLES}), ("rivage",)
        )
    assert got.totals.equals(expected.totals) and got.totals.filter(pl.col("amount") == "net")["delta"].item() != 0
    ops = parse_scenario({"partners": {"rivage": {"operations": {"voice": {"staffing_change": 0.1}}}}})
    assert on_analysis.compare(ops).statement_delta.equals(what_if.compare(ops).statement_delta)
    on_analysis.exit_plan("rivage", dt.date(2026, 12, 15))
    assert len(loads) == 1
