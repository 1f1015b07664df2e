"""The what-if app driven from Python: set control values, the figure and the delta table follow."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import yaml

from partner_analytics.whatif.app import WhatIfApp
from partner_analytics.whatif.engine import WhatIf
from partner_analytics.whatif.scenario import parse_scenario, read_scenario
from partner_analytics.whatif.widgets import Debouncer, on_step, parse_day_first


@pytest.fixture(scope="module")
def engine(sample_engagement, sample_analysis) -> WhatIf:
    return WhatIf(sample_engagement, results=sample_analysis.results.collect())


@pytest.fixture
def app(engine, tmp_path) -> WhatIfApp:
    return WhatIfApp(engine, "northcall", debounce_s=0, save_path=tmp_path / "s.yaml")


def _figure(app: WhatIfApp) -> list[list]:
    return [list(trace.y) for trace in app.figure.data]


def test_the_app_opens_on_the_baseline(app) -> None:
    assert app.updates == 1 and app.scenario().partners == {}
    base, scenario = app.figure.data[0].y, app.figure.data[1].y
    assert list(base) == list(scenario) and len(base) == 6  # the statement's mechanisms, baseline = scenario
    title = app.figure.layout.annotations[0].text
    assert "charges 606,095.60 EUR → 606,095.60 EUR" in title  # the sample's northcall over 24 months
    assert list(app.figure.data[2].y) == list(app.figure.data[3].y)
    assert "Net" in app.table.value and "+0.00" not in app.table.value


def test_raising_a_target_moves_the_figure_and_the_table(app) -> None:
    before, table = _figure(app), app.table.value
    app.controls["target"].value = 83  # percent, like every rate
    app.controls["minimum"].value = 81
    assert app.updates == 3
    after = _figure(app)
    assert after[4] != before[4] and set(after[4]) == {0.83} and set(after[5]) == {0.81}  # target, minimum lines
    assert after[7] != before[7] and sum(after[7]) < 0  # scenario credits by month, taken off the net
    assert after[6] == before[6]  # baseline credits unchanged
    assert app.table.value != table and "breach" in app.table.value
    credits = app.comparison.totals.filter(app.comparison.totals["amount"] == "credits")["delta"].item()
    assert credits > 0


def test_a_volume_slider_changes_the_modelled_service_level(app) -> None:
    before = _figure(app)
    app.controls["volume/voice"].value = 20
    after = _figure(app)
    assert app.scenario().of("northcall").operations["voice"].volume_change == 0.2
    assert after[3] != before[3] and all(a <= b for a, b in zip(after[3], before[3], strict=True))
    charges = app.comparison.totals.filter(app.comparison.totals["amount"] == "charges").row(0, named=True)
    assert charges["scenario"] > charges["baseline"]  # more answered contacts, each priced
    assert f"→ {charges['scenario'] // 100:,}." in app.figure.layout.annotations[0].text
    assert after[1][4] != before[1][4]  # gain-share moves with the answered contacts


def test_slider_echoes_are_rounded_to_the_step(app) -> None:
    app.controls["at_risk_pct"].value = 12.000000000000002
    app.controls["volume/chat"].value = 19.999999999999996
    scenario = app.scenario().of("northcall")
    assert str(scenario.terms.at_risk_pct) == "0.12" and scenario.operations["chat"].volume_change == 0.2
    assert on_step(0.8300000000000001, 0.005) == 0.83 and on_step(19.999999999999996, 1) == 20


def test_an_impossible_term_says_why_and_keeps_the_last_figure(app) -> None:
    before, updates = _figure(app), app.updates
    app.controls["minimum"].value = 90  # above the target 80 %
    assert app.updates == updates and _figure(app) == before
    assert "wrong side of target" in app.status.value and "service_level/voice" in app.status.value


def test_save_writes_the_scenario_and_reset_restores_the_contract(app, tmp_path) -> None:
    app.controls["earnback_months"].value = 1
    app.controls["staffing/voice"].value = -10
    app.window.index = (12, len(app.months) - 1)
    path = app.save()
    saved = read_scenario(path)
    assert saved == app.scenario()
    assert yaml.safe_load(path.read_text())["partners"]["northcall"]["operations"] == {
        "voice": {"staffing_change": -0.1}
    }
    assert saved.window.first == app.months[12] and saved.window.last is None
    app.reset()
    assert app.scenario().partners == {} and app.controls["earnback_months"].value == 3
    assert list(app.figure.data[0].y) == list(app.figure.data[1].y)
    app.apply(saved)
    assert app.scenario() == saved


def test_switching_partner_rebuilds_the_controls(app) -> None:
    app.controls["at_risk_pct"].value = 20
    app.partner.value = "rivage"
    assert app.scenario().partners == {} and "chat" not in {k.split("/")[-1] for k in app.controls if "/" in k}
    assert app.controls["baseline_fcr"].disabled  # rivage has no gain-share
    app.service_level.value = "abandon_rate/voice"
    app.controls["target"].value = 4
    assert app.scenario().of("rivage").terms.service_levels["abandon_rate/voice"].target == 0.04


def test_the_exit_panel_gives_the_plan_of_a_notice_date(app) -> None:
    app.partner.value = "rivage"
    app.notice.value = dt.date(2027, 2, 1)
    assert "is late" in app.exit_panel.value and "Fees committed" in app.exit_panel.value
    assert app.scenario().of("rivage").exit.notice_on == dt.date(2027, 2, 1)


def test_a_dragged_slider_computes_once_with_the_last_value() -> None:
    calls = []

    async def drag() -> None:
        debounce = Debouncer(lambda: calls.append(len(calls)), 0.05)
        for _ in range(10):
            debounce()
            await asyncio.sleep(0.005)
        assert calls == [] and debounce.pending
        await asyncio.sleep(0.12)
        assert not debounce.pending

    asyncio.run(drag())
    assert calls == [0]


def test_an_app_with_a_delay_computes_on_the_loop(engine) -> None:
    async def run() -> WhatIfApp:
        app = WhatIfApp(engine, "sudhorizon", debounce_s=0.05)
        first = app.updates
        for value in (1, 2, 3, 4):
            app.controls["earnback_months"].value = value
        assert app.updates == first and app.busy.value == "Updating…"  # shown from the first change
        await asyncio.sleep(0.2)
        assert app.updates == first + 1 and app.busy.value == ""
        return app

    app = asyncio.run(run())
    assert app.scenario().of("sudhorizon").terms.earnback_months == 4
    assert parse_scenario(yaml.safe_load(app.scenario().to_yaml())) == app.scenario()


def test_a_saved_scenario_brings_back_its_notice_date_and_corridor(app) -> None:
    app.partner.value = "rivage"  # its corridor: band 15 %, shortfall rate 40 %
    app.notice.value = dt.date(2027, 2, 1)
    app.controls["corridor_band"].value = 25
    path = app.save()
    # a corridor is named whole: the new band with the contract's shortfall rate
    assert yaml.safe_load(path.read_text())["partners"]["rivage"]["terms"] == {
        "volume_corridor": {"band": 0.25, "shortfall_rate": 0.4}
    }
    saved = read_scenario(path)
    app.reset()
    assert app.notice.value is None and app.exit_panel.value == "" and app.controls["corridor_band"].value == 15
    app.apply(saved)
    assert app.scenario() == saved and app.notice.value == dt.date(2027, 2, 1)
    assert "is late" in app.exit_panel.value


def test_rates_show_in_percent_and_seconds_in_seconds(app) -> None:
    target = app.controls["target"]  # northcall's voice service level: target 0.8
    assert target.value == 80.0 and target.description.endswith("(%)") and target.step == 0.5
    assert app.controls["at_risk_pct"].description.endswith("(%)")
    app.service_level.value = "asa/voice"  # target 30 s
    assert app.controls["target"].value == 30.0 and app.controls["target"].description.endswith("(s)")


def test_credits_carry_one_sign_in_the_figure_and_the_table(app) -> None:
    app.controls["target"].value = 83
    app.controls["minimum"].value = 81
    credits = app.comparison.totals.filter(app.comparison.totals["amount"] == "credits").row(0, named=True)
    assert credits["scenario"] > 0  # the statement's amount: what the provider owes
    shown = f"-{credits['scenario'] // 100:,}."
    assert app.figure.data[1].y[0] == -credits["scenario"] / 100  # the statement's bar, off the net
    assert sum(app.figure.data[7].y) == pytest.approx(-credits["scenario"] / 100)  # by month, the same sign
    assert shown in app.table.value  # and the table


def test_a_stretch_without_a_bonus_is_disabled_with_the_reason(app) -> None:
    app.partner.value = "rivage"  # no bonus in its contract
    box = app.controls["stretch_on"]
    assert box.disabled and "no bonus" in app._stretch_reason.value and "no bonus" in box.tooltip
    app.controls["bonus_pool_pct"].value = 5  # the scenario adds a bonus pool: a stretch can pay
    assert not box.disabled and app._stretch_reason.value == ""
    box.value = True
    assert app.scenario().of("rivage").terms.service_levels["service_level/voice"].stretch == 0.8
    app.controls["bonus_pool_pct"].value = 0  # no bonus again: the stretch is not part of the scenario
    assert box.disabled and app.scenario().partners == {}
    assert app.controls["corridor_band"].disabled is False and app.controls["baseline_fcr"].disabled
    reasons = [c.value for c in app.term_box.children if "pa-reason" in c._dom_classes]
    assert "no gain-share in the contract" in reasons


def test_scenarios_are_saved_to_a_chosen_folder_never_the_engagement(engine, tmp_path, monkeypatch) -> None:
    chosen = WhatIfApp(engine, "northcall", debounce_s=0, scenarios=tmp_path / "mine")
    assert chosen.save_to.value == str(tmp_path / "mine" / "what-if-northcall.yaml")
    assert chosen.save().parent == tmp_path / "mine"
    monkeypatch.chdir(tmp_path)
    default = WhatIfApp(engine, "rivage", debounce_s=0)
    assert default.save_to.value == str(tmp_path / "scenarios" / "what-if-rivage.yaml")
    assert engine.engagement.path not in Path(default.save_to.value).parents


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01/02/2027", dt.date(2027, 2, 1)),  # day first: 1 February, never 2 January
        ("1.2.2027", dt.date(2027, 2, 1)),
        ("1-2-2027", dt.date(2027, 2, 1)),
        ("2027-02-01", dt.date(2027, 2, 1)),  # ISO, unambiguous
        (" 29/02/2028 ", dt.date(2028, 2, 29)),
        ("", None),
    ],
)
def test_a_date_is_read_day_first(text: str, day: dt.date | None) -> None:
    assert parse_day_first(text) == day


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("31/02/2027", "'31/02/2027' is not a date: February 2027 has 28 days"),
        ("01/13/2027", "'01/13/2027' is not a date: month 13 does not exist (expected 01 to 12)"),
        ("Feb 1", "'Feb 1' is not a date: expected day/month/year, e.g. 01/02/2027 for 1 Feb 2027"),
    ],
)
def test_a_date_that_is_no_date_says_why(text: str, why: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_day_first(text)
    assert str(e.value) == why


def test_the_notice_date_is_typed_day_first_and_said_back_in_words(app) -> None:
    app.notice.text.value = "01/02/2027"
    assert app.notice.value == dt.date(2027, 2, 1) and app.notice.echo.value == "1 Feb 2027"
    # the exit sentence writes its dates as the date field and every report do (1 Feb 2027, never 01 February 2027):
    # northcall's term ends on 1 Jan 2028 with 6 months of notice
    assert app.exit_panel.value.startswith(
        "<ul class='pa-exit'><li>Notice on 1 Feb 2027 is in time (the last notice date is 1 Jul 2027): "
        "the contract ends with its term, on 1 Jan 2028.</li>"
    )
    app.notice.text.value = "31/02/2027"  # no such day: no notice, the text kept to be fixed
    assert app.notice.value is None and app.exit_panel.value == "" and app.notice.text.value == "31/02/2027"
    assert "February 2027 has 28 days" in app.notice.echo.value
    app.reset()
    assert (app.notice.value, app.notice.text.value, app.notice.echo.value) == (None, "", "")


def test_the_app_of_a_french_engagement_writes_its_dates_and_exit_plan_in_french(engine) -> None:
    # the engagement's language (here given, as contract.yaml's `language: fr` would): the date said back, the
    # window's months and the exit plan as the French reports write them; rivage's term ends on 1 Jul 2027 with
    # 6 months of notice and 6 of transition, so notice on 1 Feb 2027 is late and the contract runs to 1 Aug 2027
    app = WhatIfApp(engine, "rivage", debounce_s=0, language="fr")
    assert app.window.options[0] == "oct. 2024" and app.window.options[-1] == "sept. 2026"
    app.notice.text.value = "01/02/2027"
    assert app.notice.echo.value == "1 févr. 2027"
    assert app.exit_panel.value.startswith(
        "<ul class='pa-exit'><li>Un préavis donné le 1 févr. 2027 est tardif (la date limite de préavis était le "
        "1 janv. 2027)\u00a0: avec 6 mois de préavis, le contrat court jusqu&#x27;au 1 août 2027, au-delà de son terme "
        "(1 juil. 2027).</li><li>Une transition de 6 mois commencée à la date du préavis finit le 1 août 2027\u00a0: "
        "elle tient avant la fin du contrat.</li>"
    )
    assert "Point" in app.exit_panel.value and "Readiness" not in app.exit_panel.value
    # an English engagement's app is unchanged by the French one (the language is the app's, not the process')
    english = WhatIfApp(engine, "rivage", debounce_s=0)
    english.notice.text.value = "01/02/2027"
    assert english.notice.echo.value == "1 Feb 2027" and english.window.options[0] == "Oct 2024"


def test_the_app_on_the_partner_measured_from_interval_reports(engine) -> None:
    atlas = WhatIfApp(engine, "atlas", debounce_s=0)
    # its 31,277 calls answered over 21 months (the interval report's ACDCALLS) at 3.60
    assert "charges 112,597.20 EUR → 112,597.20 EUR" in atlas.figure.layout.annotations[0].text
    assert 31_277 * 360 == 11_259_720
    assert atlas.service_level.value == "service_level/voice"
    atlas.controls["volume/voice"].value = 10
    charges = atlas.comparison.totals.filter(atlas.comparison.totals["amount"] == "charges").row(0, named=True)
    assert charges["scenario"] > charges["baseline"] == 11_259_720
    # what its interval report cannot measure stays so, with the same reason, under the change
    fcr = atlas.comparison.outcome.results.filter(
        (atlas.comparison.outcome.results["kpi"] == "fcr") & atlas.comparison.outcome.results["channel"].is_null()
    )
    assert fcr["value"].null_count() == fcr.height == 21
    assert set(fcr["note"]) == {
        "not measurable partner-wide, a channel being measured from intervals: "
        "not measurable from an interval report (it needs contact records)"
    }
