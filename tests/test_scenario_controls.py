"""The scenario's controls, declared once: the app's widgets, the committee's sentences and the
changed contract all read the same table; the app's figure comes from `charts.scenario_comparison`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from partner_analytics.charts.scenario import BASELINE_COLOUR, SCENARIO_COLOUR, scenario_comparison
from partner_analytics.contract.reading import parse_contract
from partner_analytics.reports.scenario_section import scenario_changes
from partner_analytics.views.language import in_language
from partner_analytics.whatif.controls import (
    CONTROLS,
    PARTNER_CONTROLS,
    changed_service_level,
    changed_terms,
    same_value,
    with_value,
)
from partner_analytics.whatif.scenario import TermChanges, changed_contract, parse_scenario
from partner_analytics.whatif.widgets import control_widget, widget_value

from .conftest import contract as contract_dict

NORTH = {"at_risk_pct": 0.12, "pool_pct": 1.5, "earnback_months": 3}  # the base contract's northcall


@pytest.fixture(scope="module")
def contract():
    data = contract_dict()
    data["partners"][0].update(
        volume_corridor={"band": 0.1, "shortfall_rate": 0.5},
        gain_share={"baseline_fcr": 0.76, "provider_share": 0.4},
    )
    data["partners"][1].update(
        bonus={"basis": "fixed"},
        service_levels=[
            {
                "kpi": "service_level",
                "channel": "voice",
                "target": 0.8,
                "minimum": 0.75,
                "stretch": 0.9,
                "bonus_amount": 500,
            }
        ],
    )
    return parse_contract(data)


def _widgets(partner):
    return {c.name: control_widget(c, c.initial(partner)) for c in PARTNER_CONTROLS}


def test_each_control_is_declared_once_with_a_label_a_unit_and_a_range() -> None:
    names = [c.name for c in CONTROLS]
    assert len(names) == len(set(names))
    assert {c.path for c in PARTNER_CONTROLS} >= {("at_risk_pct",), ("volume_corridor", "band")}
    assert all(c.label and c.lo < c.hi for c in CONTROLS if c.unit in ("share", "change", "months"))


def test_every_changed_term_is_worded_with_its_label_and_unit(contract) -> None:
    scenario = parse_scenario(
        {
            "window": {"first": "2026-01"},
            "partners": {
                "northcall": {
                    "terms": {
                        "at_risk_pct": 0.15,
                        "pool_pct": 1.2,
                        "earnback_months": 1,
                        "bonus": {"pool_pct": 0.05},
                        "volume_corridor": {"band": 0.2},
                        "gain_share": {"baseline_fcr": 0.7, "pain_share": True},
                        "service_levels": {
                            "service_level/voice": {"target": 0.85, "allocation_pct": 0.5},
                            "asa/voice": {"stretch": 20},
                        },
                    },
                    "operations": {"voice": {"volume_change": 0.1, "aht_change": -0.05}},
                }
            },
        }
    )
    assert scenario_changes(contract, scenario, "northcall") == [
        "At-risk share 15 % (contract: 12 %)",
        "Pool 120 % (contract: 150 %)",
        "Earn-back 1 month (contract: 3 months)",
        "Bonus pool 5 % (contract: none)",
        "Volume corridor band 20 % (contract: 10 %)",
        "Gain-share baseline FCR 70 % (contract: 76 %)",
        "Pain-share on (contract: off)",
        "Service level · voice target 85.0 % (contract: 80.0 %)",
        "Service level · voice allocation 50 % (contract: 40 %)",
        "Average speed of answer · voice stretch 20.0 s (contract: none)",
        "voice volume +10 %",
        "voice AHT −5 %",  # the reports' minus sign
        "Operations change from January 2026 to the last month",
    ]
    # in a French report, every word and number of the same changes is French (the values' spaces: no-break)
    with in_language("fr"):
        french = [
            c.replace("\u00a0", " ").replace("\u202f", " ") for c in scenario_changes(contract, scenario, "northcall")
        ]
    assert french == [
        "Part à risque 15 % (contrat : 12 %)",
        "Enveloppe 120 % (contrat : 150 %)",
        "Restitution 1 mois (contrat : 3 mois)",
        "Enveloppe de bonus 5 % (contrat : aucun)",
        "Largeur du corridor de volumes 20 % (contrat : 10 %)",
        "Résolution au premier contact de référence du partage des gains 70 % (contrat : 76 %)",
        "Partage des pertes oui (contrat : non)",
        "Niveau de service · voix objectif 85,0 % (contrat : 80,0 %)",
        "Niveau de service · voix allocation 50 % (contrat : 40 %)",
        "Délai moyen de réponse · voix objectif d'excellence 20,0 s (contrat : aucun)",
        "voix : volume +10 %",
        "voix : DMT −5 %",
        "Exploitation changée entre janvier 2026 et le dernier mois",
    ]


def test_the_widgets_show_percent_and_give_back_fractions_on_their_step(contract) -> None:
    north = contract.partner("northcall")
    widgets = _widgets(north)
    assert widgets["at_risk_pct"].value == 12.0 and widgets["at_risk_pct"].description == "At-risk share (%)"
    assert widgets["earnback_months"].value == 3 and widgets["pain_share"].value is False
    values = {c.name: widget_value(c, widgets[c.name]) for c in PARTNER_CONTROLS}
    assert changed_terms(north, values) == {}  # at the contract's values nothing changes
    widgets["at_risk_pct"].value = 12.000000000000002  # a browser's echo of 12
    widgets["corridor_band"].value = 20
    values = {c.name: widget_value(c, widgets[c.name]) for c in PARTNER_CONTROLS}
    assert values["at_risk_pct"] == 0.12 and values["corridor_band"] == 0.2
    # the corridor is named whole: band 20 % and the contract's shortfall rate 50 %
    terms = changed_terms(north, values)
    assert terms == {"volume_corridor": {"band": 0.2, "shortfall_rate": 0.5}}
    changed = changed_contract(contract, parse_scenario({"partners": {"northcall": {"terms": terms}}}))
    assert changed.partner("northcall").volume_corridor.band == Decimal("0.2")
    assert changed.partner("northcall").volume_corridor.shortfall_rate == Decimal("0.5")


def test_a_term_the_contract_lacks_is_not_changed(contract) -> None:
    south = contract.partner("southdesk")  # a fixed bonus, no corridor, no gain-share
    applies = {c.name for c in PARTNER_CONTROLS if c.applies(south)}
    assert applies == {"at_risk_pct", "pool_pct", "earnback_months"}
    values = {c.name: widget_value(c, w) for c, w in zip(PARTNER_CONTROLS, _widgets(south).values(), strict=True)}
    values |= {"bonus_pool_pct": 0.1, "corridor_band": 0.3, "pain_share": True, "earnback_months": 2}
    assert changed_terms(south, values) == {"earnback_months": 2}


def test_a_service_level_change_names_what_differs() -> None:
    contract = parse_contract(contract_dict())
    voice = contract.partner("northcall").service_levels[0]  # target 0.80, minimum 0.75, allocation 40 %
    values = {"target": 0.85, "minimum": 0.75, "allocation_pct": 0.4, "stretch": None}
    assert changed_service_level(voice, values) == {"target": 0.85}  # a stretch turned off is no change
    assert changed_service_level(voice, {"stretch": 0.9}) == {"stretch": 0.9}
    assert same_value(0.4, Decimal("0.4")) and not same_value(0.41, Decimal("0.4"))
    assert with_value({"band": 0.1, "lead": 2}, ("band",), 0.2) == {"band": 0.2, "lead": 2}
    assert with_value({}, ("bonus", "pool_pct"), 0.05) == {"bonus": {"pool_pct": 0.05}}
    # the contract takes every term the table declares: TermChanges has a field for each partner control
    assert {c.path[0] for c in PARTNER_CONTROLS} <= set(TermChanges.model_fields)


def test_the_scenario_figure_plots_the_comparison_in_currency_units() -> None:
    contract = parse_contract(contract_dict())
    voice = contract.partner("northcall").service_levels[0]
    cents = {  # amount: (baseline, scenario); net = charges − credits + the rest
        "charges": (100_000, 110_000),
        "credits": (5_000, 8_000),
        "earned_back": (0, 0),
        "bonus": (1_000, 0),
        "corridor_compensation": (0, 0),
        "gain_share": (2_000, 2_500),
        "resource_adjustment": (0, 0),
        "net": (98_000, 104_500),  # 100,000 − 5,000 + 1,000 + 2,000; 110,000 − 8,000 + 2,500
    }
    totals = pl.DataFrame(
        [(a, b, s) for a, (b, s) in cents.items()], schema=["amount", "baseline", "scenario"], orient="row"
    )
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    gaps = pl.DataFrame(
        {
            "service_level": ["service_level/voice", "service_level/voice", "asa/voice"],
            "month": [*months, months[0]],
            "value_baseline": [0.82, 0.78, 31.0],
            "value_scenario": [0.80, 0.74, 35.0],
            "target_scenario": [0.85, 0.85, 30.0],
            "minimum_scenario": [0.75, 0.75, 45.0],
        }
    )
    credits = pl.DataFrame({"month": months, "baseline": [5_000, 0], "scenario": [5_000, 3_000]})
    fig = scenario_comparison(totals, gaps, credits, currency="EUR", service_level=voice)
    assert len(fig.data) == 8
    assert list(fig.data[0].x) == ["Credits", "Earned back", "Bonus", "Corridor", "Gain-share", "Resource adjustment"]
    assert list(fig.data[0].y) == [-50.0, 0.0, 10.0, 0.0, 20.0, 0.0]  # credits shown as what they take off the net
    assert list(fig.data[1].y) == [-80.0, 0.0, 0.0, 0.0, 25.0, 0.0]
    assert (fig.data[0].marker.color, fig.data[1].marker.color) == (BASELINE_COLOUR, SCENARIO_COLOUR)
    title = fig.layout.annotations[0].text
    assert "charges 1,000.00 EUR → 1,100.00 EUR; net 980.00 EUR → 1,045.00 EUR" in title
    assert list(fig.data[2].y) == [0.82, 0.78] and list(fig.data[3].y) == [0.80, 0.74]  # only the voice service level
    assert list(fig.data[4].y) == [0.85, 0.85] and list(fig.data[5].y) == [0.75, 0.75]
    # the credits by month with the same sign as in the statement: taken off the net
    assert list(fig.data[6].y) == [-50.0, -0.0] and list(fig.data[7].y) == [-50.0, -30.0]
    assert fig.layout.annotations[1].text == "Service level · voice by month" and fig.layout.yaxis2.tickformat == ".0%"
    assert fig.layout.yaxis.title.text == "EUR"
    # redrawn in place for the ASA (seconds): the same figure, nothing of the voice service level left
    asa = contract.partner("northcall").service_levels[2]
    again = scenario_comparison(totals, gaps, credits, currency="EUR", service_level=asa, into=fig)
    assert again is fig and list(fig.data[2].y) == [31.0] and list(fig.data[4].y) == [30.0]
    assert (
        fig.layout.annotations[1].text == "Average speed of answer · voice by month"
        and fig.layout.yaxis2.tickformat == ""
    )


def test_the_scenario_figure_without_a_comparison_has_its_traces_empty() -> None:
    fig = scenario_comparison(None, None, None, currency="EUR")
    assert len(fig.data) == 8 and all(len(t.y) == 0 for t in fig.data)
    assert fig.layout.annotations[0].text == "Statement over the window" and fig.layout.yaxis2.tickformat == ""
