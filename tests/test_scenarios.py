"""Scenarios as data: YAML in and out, key-path errors, and the changed contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from partner_analytics.contract.reading import parse_contract
from partner_analytics.whatif.scenario import (
    ChannelOperations,
    Scenario,
    ScenarioError,
    changed_contract,
    parse_scenario,
    read_scenario,
    write_scenario,
)

from .conftest import contract as contract_dict

FULL = {
    "name": "Tighter voice, more calls",
    "description": "what the committee asked",
    "window": {"first": "2026-01", "last": "2026-09"},
    "partners": {
        "northcall": {
            "terms": {
                "at_risk_pct": 0.15,
                "pool_pct": 1.2,
                "earnback_months": 2,
                "bonus": {"pool_pct": 0.05},
                "volume_corridor": {"band": 0.2, "shortfall_rate": 0.3},
                "gain_share": {"baseline_fcr": 0.7, "provider_share": 0.5, "pain_share": True},
                "service_levels": {"service_level/voice": {"target": 0.85, "minimum": 0.8, "allocation_pct": 0.5}},
            },
            "operations": {"voice": {"volume_change": 0.1, "staffing_change": -0.05, "aht_change": 0.02}},
            "exit": {"notice_on": dt.date(2026, 12, 15)},
        }
    },
}


def test_a_scenario_survives_a_round_trip_through_yaml(tmp_path) -> None:
    scenario = parse_scenario(FULL)
    path = write_scenario(scenario, tmp_path / "s.yaml")
    text = path.read_text()
    assert "first: 2026-01" in text and "at_risk_pct: 0.15" in text and "notice_on: 2026-12-15" in text
    again = read_scenario(path)
    assert again == scenario
    assert again.window.first == dt.date(2026, 1, 1) and again.window.last == dt.date(2026, 9, 1)
    assert again.of("northcall").terms.at_risk_pct == Decimal("0.15")
    assert again.of("rivage").terms.empty and not again.of("rivage").changes_operations


def test_the_yaml_of_an_empty_scenario_names_only_what_is_set() -> None:
    data = yaml.safe_load(Scenario().to_yaml())
    assert data == {}
    data = yaml.safe_load(
        parse_scenario({"partners": {"x": {"operations": {"voice": {"volume_change": 0.2}}}}}).to_yaml()
    )
    assert data == {"partners": {"x": {"operations": {"voice": {"volume_change": 0.2}}}}}


@pytest.mark.parametrize(
    ("raw", "key", "words"),
    [
        (
            {"partners": {"northcall": {"operations": {"voice": {"volume_change": -1.5}}}}},
            "partners.northcall.operations.voice.volume_change",
            "greater than -1",
        ),
        (
            {"partners": {"northcall": {"terms": {"at_risk_pct": 2}}}},
            "partners.northcall.terms.at_risk_pct",
            "less than or equal to 1",
        ),
        ({"partners": {"northcall": {"terms": {"earnback": 2}}}}, "partners.northcall.terms.earnback", "unknown key"),
        ({"window": {"first": "2026-09", "last": "2026-01"}}, "window", "after last"),
        ({"window": {"first": "September"}}, "window.first", "not a month"),
        (
            {"partners": {"northcall": {"exit": {"notice_on": "2026-02-30"}}}},
            "partners.northcall.exit.notice_on",
            "date",
        ),
    ],
)
def test_a_broken_scenario_names_its_key(raw, key, words) -> None:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(raw, file="s.yaml")
    assert e.value.key == key and words in e.value.detail and e.value.file == "s.yaml"


def test_a_key_given_twice_in_the_file_is_refused(tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: a\nname: b\n")
    with pytest.raises(ScenarioError, match="given twice") as e:
        read_scenario(path)
    assert e.value.key == "line 2, column 1"


def test_slider_echoes_count_as_the_value_they_mean() -> None:
    assert ChannelOperations(volume_change=0.19999999999999996).key == (0.2, 0.0, 0.0)
    assert ChannelOperations(staffing_change=1e-9).empty


def test_the_changed_contract_holds_the_new_terms_and_nothing_else() -> None:
    contract = parse_contract(
        contract_dict(
            partners=[
                {
                    **contract_dict()["partners"][0],
                    "volume_corridor": {"band": 0.1, "forecast_lead_months": 2},
                    "gain_share": {
                        "baseline_fcr": 0.76,
                        "provider_share": 0.4,
                        "pain_share": True,
                        "pain_bands": [{"from": 0, "provider_share": 0.2}],
                    },
                },
                contract_dict()["partners"][1],
            ]
        )
    )
    changed = changed_contract(contract, parse_scenario(FULL))
    north = changed.partner("northcall")
    assert (north.at_risk_pct, north.pool_pct, north.earnback_months) == (Decimal("0.15"), Decimal("1.2"), 2)
    assert north.bonus.pool_pct == Decimal("0.05")
    assert north.volume_corridor.band == Decimal("0.2") and north.volume_corridor.shortfall_rate == Decimal("0.3")
    assert north.volume_corridor.forecast_lead_months == 2  # kept
    assert (
        north.gain_share.baseline_fcr == Decimal("0.7")
        and north.gain_share.pain_bands == contract.partner("northcall").gain_share.pain_bands
    )
    voice = north.service_levels[0]
    assert (voice.target, voice.minimum, voice.allocation_pct) == (0.85, 0.8, Decimal("0.5"))
    assert north.service_levels[1:] == contract.partner("northcall").service_levels[1:]
    assert changed.partner("southdesk") == contract.partner("southdesk")
    # pain-share off drops the pain bands, which only apply to shared losses
    off = changed_contract(
        contract, parse_scenario({"partners": {"northcall": {"terms": {"gain_share": {"pain_share": False}}}}})
    )
    assert off.partner("northcall").gain_share.pain_bands == () and not off.partner("northcall").gain_share.pain_share
    assert changed_contract(contract, Scenario()) is contract


@pytest.mark.parametrize(
    ("raw", "key", "words"),
    [
        ({"partners": {"nobody": {}}}, "partners.nobody", "unknown partner"),
        (
            {"partners": {"northcall": {"operations": {"fax": {"volume_change": 0.1}}}}},
            "partners.northcall.operations.fax",
            "unknown channel",
        ),
        (
            {"partners": {"northcall": {"terms": {"service_levels": {"fcr": {"target": 0.8}}}}}},
            "partners.northcall.terms.service_levels.fcr",
            "no such service level",
        ),
        (
            {"partners": {"northcall": {"terms": {"service_levels": {"service_level/voice": {"minimum": 0.9}}}}}},
            "partners.northcall.terms.service_levels.service_level/voice",
            "wrong side of target",
        ),
        ({"partners": {"northcall": {"terms": {"pool_pct": 0.5}}}}, "partners.northcall.terms", "over pool_pct 0.5"),
        (
            {"partners": {"northcall": {"terms": {"gain_share": {"provider_share": 0.5}}}}},
            "partners.northcall.terms.gain_share.baseline_fcr",
            "missing",
        ),
    ],
)
def test_changes_the_contract_refuses_name_the_scenario_key(raw, key, words) -> None:
    contract = parse_contract(contract_dict())
    with pytest.raises(ScenarioError) as e:
        changed_contract(contract, parse_scenario(raw))
    assert e.value.key == key and words in e.value.detail


def test_the_readme_scenario_is_valid_on_the_sample_contract(sample_engagement) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## What-if scenarios")[1].split("```yaml")[1].split("```")[0]
    scenario = parse_scenario(yaml.safe_load(block))
    changed = changed_contract(sample_engagement.contract, scenario).partner("rivage")
    assert changed.at_risk_pct == Decimal("0.2") and changed.service_levels[0].stretch == 0.9
    assert scenario.of("rivage").operations["voice"].key == (0.1, 0.25, -0.05)
