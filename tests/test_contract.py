"""Contract validation: every error names the file and the key path, and says what was expected."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import partner_analytics as pa
from partner_analytics.contract.reading import read_contract
from partner_analytics.core.periods import add_months

from .conftest import contract


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "contract.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _error(tmp_path: Path, data: object) -> pa.ContractError:
    path = _write(tmp_path, data)
    with pytest.raises(pa.ContractError) as info:
        read_contract(path)
    assert str(path) in str(info.value), "the message names the file"
    return info.value


def _with_service_level(**sl: object) -> dict:
    c = contract()
    c["partners"][0]["service_levels"] = [sl]
    return c


def test_the_base_contract_reads_with_exact_money(tmp_path: Path) -> None:
    c = read_contract(_write(tmp_path, contract()))
    north = c.partner("northcall")
    assert north.pricing.per_handled_contact["voice"] == Decimal("4.10")
    assert north.at_risk_pct == Decimal("0.12")
    assert north.end.isoformat() == "2028-01-01"
    assert [sl.key for sl in north.service_levels] == ["service_level/voice", "abandon_rate/voice", "asa/voice"]
    assert c.channels["email"].short_abandon_s == 0


def test_unknown_kpi(tmp_path: Path) -> None:
    e = _error(tmp_path, _with_service_level(kpi="happiness", target=1, minimum=0))
    assert e.key == "partners[0] (northcall).service_levels[0].kpi"
    assert "unknown KPI 'happiness'" in str(e) and "service_level" in str(e)


def test_allocation_over_the_pool(tmp_path: Path) -> None:
    c = contract()
    c["partners"][0]["pool_pct"] = 0.6
    e = _error(tmp_path, c)
    assert e.key == "partners[0] (northcall)"
    # 0.4 + 0.3 + 0 = 0.7 > 0.6
    assert "allocations add up to 0.7 which is over pool_pct 0.6" in str(e)


def test_allocation_above_one(tmp_path: Path) -> None:
    e = _error(tmp_path, _with_service_level(kpi="fcr", target=0.75, minimum=0.7, allocation_pct=1.2))
    assert e.key == "partners[0] (northcall).service_levels[0].allocation_pct"
    assert "less than or equal to 1" in str(e)


def test_minimum_above_target_for_a_higher_is_better_kpi(tmp_path: Path) -> None:
    e = _error(tmp_path, _with_service_level(kpi="service_level", channel="voice", target=0.80, minimum=0.85))
    assert e.key == "partners[0] (northcall).service_levels[0]"
    assert "minimum 0.85 is on the wrong side of target 0.8" in str(e)
    assert "higher-is-better, so the minimum must be at or below the target" in str(e)


def test_minimum_below_target_for_a_lower_is_better_kpi(tmp_path: Path) -> None:
    e = _error(tmp_path, _with_service_level(kpi="abandon_rate", channel="voice", target=0.05, minimum=0.03))
    assert "lower-is-better, so the minimum must be at or above the target" in str(e)


def test_lower_is_better_minimum_above_target_is_right(tmp_path: Path) -> None:
    c = read_contract(_write(tmp_path, _with_service_level(kpi="asa", channel="voice", target=30, minimum=45)))
    assert c.partners[0].service_levels[0].minimum == 45


def test_stretch_on_the_wrong_side(tmp_path: Path) -> None:
    e = _error(tmp_path, _with_service_level(kpi="fcr", target=0.75, minimum=0.7, stretch=0.7))
    assert "stretch 0.7 is on the wrong side of target 0.75" in str(e)


def test_service_level_for_a_channel_without_threshold(tmp_path: Path) -> None:
    e = _error(tmp_path, _with_service_level(kpi="service_level", channel="fax", target=0.8, minimum=0.7))
    assert e.key == "partners[0] (northcall).service_levels[0].channel"
    assert "channel 'fax' has no thresholds under `channels`" in str(e)


def test_price_for_an_unknown_channel(tmp_path: Path) -> None:
    c = contract()
    c["partners"][0]["pricing"]["per_handled_contact"]["sms"] = 1.0
    e = _error(tmp_path, c)
    assert e.key == "partners[0] (northcall).pricing.per_handled_contact.sms"


def test_missing_section(tmp_path: Path) -> None:
    c = contract()
    del c["channels"]
    e = _error(tmp_path, c)
    assert e.key == "channels" and "missing (required)" in str(e)


def test_wrong_type(tmp_path: Path) -> None:
    c = contract()
    c["partners"][1]["term_months"] = "two years"
    e = _error(tmp_path, c)
    assert e.key == "partners[1] (southdesk).term_months"
    assert "valid integer" in str(e) and "'two years'" in str(e)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    c = contract()
    c["partners"][0]["at_risk_percent"] = 0.1
    e = _error(tmp_path, c)
    assert e.key == "partners[0] (northcall).at_risk_percent" and "unknown key" in str(e)


def test_yaml_tag_that_would_build_a_python_object(tmp_path: Path) -> None:
    e = _error(tmp_path, "client: !!python/object/apply:os.system ['echo pwned']\n")
    assert "not valid YAML" in str(e) and "line 1" in str(e)


def test_unknown_timezone(tmp_path: Path) -> None:
    e = _error(tmp_path, contract(timezone="Europe/Atlantis"))
    assert e.key == "timezone" and "IANA" in str(e)


def test_duplicated_partner(tmp_path: Path) -> None:
    c = contract()
    c["partners"][1]["id"] = "northcall"
    assert "partner id 'northcall' is given twice" in str(_error(tmp_path, c))


def test_sources_for_an_unknown_table_or_column(tmp_path: Path) -> None:
    e = _error(tmp_path, contract(sources={"calls": {"path": "x.csv"}}))
    assert e.key == "sources.calls" and "unknown table 'calls'" in str(e)
    e = _error(tmp_path, contract(sources={"contacts": {"columns": {"duration": "Durée"}}}))
    assert e.key == "sources.contacts.columns.duration"


def test_shortfall_rate_needs_prices(tmp_path: Path) -> None:
    c = contract()
    c["partners"][1]["volume_corridor"] = {"band": 0.1, "shortfall_rate": 0.5}
    e = _error(tmp_path, c)
    assert e.key == "partners[1] (southdesk).volume_corridor.shortfall_rate"


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "expected a mapping" in str(_error(tmp_path, "- a\n- b\n"))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [("2025-01-01", 36, "2028-01-01"), ("2024-01-31", 1, "2024-02-29"), ("2025-11-15", 2, "2026-01-15")],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    import datetime as dt

    assert add_months(dt.date.fromisoformat(start), months).isoformat() == expected


# --- contract variants: every wrong use names its key -------------------------------------------------


def _north(**changes: object) -> dict:
    c = contract()
    c["partners"][0].update(changes)
    return c


def _voice(**changes: object) -> dict:
    c = contract()
    c["channels"]["voice"].update(changes)
    return c


LOSS_BANDS = [
    {"from": 0, "to": 0.02, "provider_share": 1.0},
    {"from": 0.02, "to": 0.04, "provider_share": 0.5},
    {"from": 0.04, "provider_share": 0.2},
]


def _bands(*changes: tuple[int, str, object]) -> dict:
    bands = [dict(b) for b in LOSS_BANDS]
    for i, key, value in changes:
        if value is None:
            del bands[i][key]
        else:
            bands[i][key] = value
    return _north(gain_share={"baseline_fcr": 0.7, "provider_share": 0.5, "pain_share": True, "pain_bands": bands})


def _sl(i: int, **changes: object) -> dict:
    c = contract()
    c["partners"][0]["service_levels"][i].update(changes)
    return c


def _fixed_bonus(amount: float) -> dict:
    c = _sl(0, stretch=0.9, bonus_amount=amount)
    c["partners"][0]["bonus"] = {"basis": "fixed"}
    return c


WRONG_VARIANTS = [
    pytest.param(
        _voice(service_level_formula={"denominator": "offered", "count_shorts": True}),
        "channels.voice.service_level_formula.count_shorts",
        "unknown key",
        id="unknown formula option",
    ),
    pytest.param(
        _voice(service_level_formula={"denominator": "handled"}),
        "channels.voice.service_level_formula.denominator",
        "'offered', 'answered' or 'answered_and_late_abandons'",
        id="unknown denominator",
    ),
    pytest.param(
        _voice(service_level_formula={"denominator": "answered", "abandons_in_service": True}),
        "channels.voice.service_level_formula",
        "abandons_in_service needs denominator offered (got answered)",
        id="abandons in service outside the denominator",
    ),
    pytest.param(
        _voice(service_level_formula={"denominator": "answered", "short_abandons_in_denominator": True}),
        "channels.voice.service_level_formula",
        "short_abandons_in_denominator applies to denominator offered only",
        id="short abandons in a denominator without them",
    ),
    pytest.param(
        _voice(short_abandon_s=30, service_level_formula={"abandons_in_service": True}),
        "channels.voice",
        "short_abandon_s (30) is above answer_within_s (20)",
        id="short abandons beyond the threshold",
    ),
    pytest.param(
        _sl(1, formula={"denominator": "answered"}),
        "partners[0] (northcall).service_levels[1].formula",
        "a formula applies to the service_level KPI only, not 'abandon_rate'",
        id="formula on a KPI that is not a service level",
    ),
    pytest.param(
        contract(
            channels={"voice": {"answer_within_s": 20, "short_abandon_s": 25}, "chat": {"answer_within_s": 60}},
            partners=[
                {
                    **contract()["partners"][0],
                    "pricing": {"monthly_fee": 1000},
                    "service_levels": [
                        {
                            "kpi": "service_level",
                            "target": 0.8,
                            "minimum": 0.7,
                            "formula": {"abandons_in_service": True},
                        }
                    ],
                }
            ],
        ),
        "partners[0] (northcall).service_levels[0].formula",
        "channel voice: short_abandon_s (25) is above answer_within_s (20)",
        id="partner-wide formula over a channel with long short abandons",
    ),
    pytest.param(
        _north(credit={"trigger": "on_breach"}),
        "partners[0] (northcall).credit.trigger",
        "'minimum_miss', 'target_misses' or 'shortfall'",
        id="unknown trigger",
    ),
    pytest.param(
        _north(credit={"escalation": [1, -1.5]}),
        "partners[0] (northcall).credit.escalation[1]",
        "greater than or equal to 0",
        id="negative multiplier",
    ),
    pytest.param(
        _north(credit={"trigger": "minimum_miss", "factor": 2}),
        "partners[0] (northcall).credit",
        "factor applies to trigger shortfall, not minimum_miss",
        id="option of another trigger",
    ),
    pytest.param(
        _north(credit={"trigger": "target_misses"}),
        "partners[0] (northcall).credit",
        "trigger target_misses needs consecutive",
        id="target misses without a count",
    ),
    pytest.param(
        _north(credit={"trigger": "shortfall", "factor": -2}),
        "partners[0] (northcall).credit.factor",
        "greater than 0",
        id="negative shortfall factor",
    ),
    pytest.param(
        _sl(2, credit={"trigger": "target_misses", "consecutive": 2}),
        "partners[0] (northcall).service_levels[2].credit",
        "credit terms on a service level without allocation_pct",
        id="credit terms on a service level that earns none",
    ),
    pytest.param(
        _sl(1, target=0, minimum=0.08, credit={"trigger": "shortfall", "factor": 1}),
        "partners[0] (northcall).service_levels[1].target",
        "a shortfall credit is relative to the target, which cannot be 0",
        id="shortfall against a zero target",
    ),
    pytest.param(
        _north(chronic_failure={"capped_months": 4, "within_months": 3}),
        "partners[0] (northcall).chronic_failure",
        "within_months (3) is shorter than capped_months (4)",
        id="cap rule that can never fail",
    ),
    pytest.param(
        _north(chronic_failure={"breaches": None}),
        "partners[0] (northcall).chronic_failure",
        "give breaches, capped_months, or both",
        id="chronic failure without a rule",
    ),
    pytest.param(
        _bands((1, "from", 0.01)),
        "partners[0] (northcall).gain_share.pain_bands",
        "band [1] from 0.01 overlaps the band before, which runs to 0.02",
        id="overlapping bands",
    ),
    pytest.param(
        _bands((2, "from", 0.05)),
        "partners[0] (northcall).gain_share.pain_bands",
        "band [2] from 0.05 leaves a gap after 0.04 (expected from: 0.04)",
        id="bands with a gap",
    ),
    pytest.param(
        _bands((0, "from", 0.01)),
        "partners[0] (northcall).gain_share.pain_bands",
        "band [0] from 0.01 leaves a gap after 0 (expected from: 0)",
        id="bands that do not start at 0",
    ),
    pytest.param(
        _bands((2, "to", 0.10)),
        "partners[0] (northcall).gain_share.pain_bands",
        "the last band ends at 0.1, which leaves a gap above it",
        id="bands that leave the top uncovered",
    ),
    pytest.param(
        _bands((1, "to", None)),
        "partners[0] (northcall).gain_share.pain_bands",
        "band [1] has no `to` but band [2] follows",
        id="open band before the last",
    ),
    pytest.param(
        _bands((1, "provider_share", 1.5)),
        "partners[0] (northcall).gain_share.pain_bands[1].provider_share",
        "less than or equal to 1",
        id="share above one",
    ),
    pytest.param(
        _north(gain_share={"baseline_fcr": 0.7, "provider_share": 0.5, "pain_bands": LOSS_BANDS}),
        "partners[0] (northcall).gain_share",
        "pain_bands share losses: set pain_share: true",
        id="pain bands without pain share",
    ),
    pytest.param(
        _north(gain_share={"baseline_fcr": 0.7, "pain_share": True, "pain_bands": LOSS_BANDS}),
        "partners[0] (northcall).gain_share",
        "provider_share is missing: it is the share of the gains",
        id="gains without share",
    ),
    pytest.param(
        _north(pricing={"monthly_fee": 1000, "resource_baselines": [{"baseline_contacts": 1000, "rrc_rate": -2}]}),
        "partners[0] (northcall).pricing.resource_baselines[0].rrc_rate",
        "greater than or equal to 0",
        id="negative RRC rate",
    ),
    pytest.param(
        _north(
            pricing={
                "monthly_fee": 1000,
                "resource_baselines": [{"baseline_contacts": 1000}, {"channel": "voice", "baseline_contacts": 1}],
            }
        ),
        "partners[0] (northcall).pricing.resource_baselines",
        "would count the same contacts twice",
        id="whole-volume and channel baselines together",
    ),
    pytest.param(
        _north(pricing={"monthly_fee": 1000, "resource_baselines": [{"channel": "fax", "baseline_contacts": 1}]}),
        "partners[0] (northcall).pricing.resource_baselines[0].channel",
        "channel 'fax' is not under `channels`",
        id="baseline of an unknown channel",
    ),
    pytest.param(
        _north(
            pricing={"monthly_fee": 1000, "resource_baselines": [{"baseline_contacts": 1000, "rates_from": "edge"}]}
        ),
        "partners[0] (northcall).pricing.resource_baselines[0].rates_from",
        "'band_edge' or 'baseline'",
        id="unknown rates_from",
    ),
    pytest.param(
        _sl(0, stretch=0.9, bonus_amount=100),
        "partners[0] (northcall).service_levels[0].bonus_amount",
        "a bonus_amount is paid under `bonus: {basis: fixed}` only",
        id="bonus amount without fixed basis",
    ),
    pytest.param(
        _north(bonus={"basis": "fixed"}),
        "partners[0] (northcall).bonus.basis",
        "bonus basis fixed, but no service level has a bonus_amount",
        id="fixed basis without amounts",
    ),
    pytest.param(
        _north(bonus={"basis": "fixed", "pool_pct": 0.05}),
        "partners[0] (northcall).bonus",
        "pool_pct applies to basis pool only",
        id="pool percentage with fixed amounts",
    ),
    pytest.param(
        _fixed_bonus(100.005),
        "partners[0] (northcall).service_levels[0].bonus_amount",
        "100.005 is not a whole number of cents",
        id="bonus amount finer than a cent",
    ),
    pytest.param(
        _sl(0, bonus_amount=100),
        "partners[0] (northcall).service_levels[0].bonus_amount",
        "a bonus_amount is paid when the stretch is reached: give a stretch",
        id="bonus amount without stretch",
    ),
]


@pytest.mark.parametrize(("data", "key", "message"), WRONG_VARIANTS)
def test_wrong_use_of_a_variant_names_its_key(tmp_path: Path, data: dict, key: str, message: str) -> None:
    e = _error(tmp_path, data)
    assert e.key == key, str(e)
    assert message in str(e)


def test_every_variant_reads(tmp_path: Path) -> None:
    c = contract()
    c["channels"]["voice"]["service_level_formula"] = {"denominator": "offered", "abandons_in_service": True}
    north = c["partners"][0]
    north["pricing"]["resource_baselines"] = [
        {"channel": "voice", "baseline_contacts": 100000, "band": 0.05, "rrc_rate": 2.00, "rates_from": "baseline"}
    ]
    north["credit"] = {"escalation": [1, 1.5, 2]}
    north["chronic_failure"] = {"capped_months": 2, "within_months": 6}
    north["gain_share"] = {"baseline_fcr": 0.7, "provider_share": 0.5, "pain_share": True, "pain_bands": LOSS_BANDS}
    north["bonus"] = {"basis": "fixed"}
    north["service_levels"][0].update(
        stretch=0.9, bonus_amount=2500.5, formula={"denominator": "answered_and_late_abandons"}
    )
    north["service_levels"][1]["credit"] = {"trigger": "shortfall", "factor": 2, "max_pct": 0.03}
    p = read_contract(_write(tmp_path, c)).partner("northcall")
    assert p.credit.escalation == (Decimal(1), Decimal("1.5"), Decimal(2))
    assert p.credit_of(p.service_levels[1]).trigger == "shortfall"
    assert p.credit_of(p.service_levels[0]).trigger == "minimum_miss"
    assert (p.chronic_failure.breaches, p.chronic_failure.capped_months) == (None, 2)
    assert p.gain_share.pain_bands[2].lower == Decimal("0.04") and p.gain_share.pain_bands[2].upper is None
    assert p.service_levels[0].bonus_amount == Decimal("2500.5")
    assert p.pricing.resource_baselines[0].rates_from == "baseline"


def test_defaults_are_the_formulas_of_the_design(tmp_path: Path) -> None:
    c = read_contract(_write(tmp_path, contract()))
    p = c.partner("northcall")
    formula = c.channels["voice"].service_level_formula
    assert (formula.denominator, formula.short_abandons_in_denominator, formula.abandons_in_service) == (
        "offered",
        False,
        False,
    )
    assert p.credit.trigger == "minimum_miss" and p.credit.escalation == ()
    assert (p.chronic_failure.breaches, p.chronic_failure.capped_months, p.chronic_failure.within_months) == (
        3,
        None,
        6,
    )
    assert p.pricing.resource_baselines == ()
    assert p.bonus_pool_pct is None  # no bonus


def test_a_bonus_pool_without_percentage_mirrors_the_at_risk_amount(tmp_path: Path) -> None:
    c = contract()
    c["partners"][0]["bonus"] = {}
    c["partners"][1]["bonus"] = {"pool_pct": 0.05}
    read = read_contract(_write(tmp_path, c))
    assert read.partner("northcall").bonus_pool_pct == Decimal("0.12")  # its at_risk_pct
    assert read.partner("southdesk").bonus_pool_pct == Decimal("0.05")


def test_the_readme_example_of_the_variants_reads(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("### An example with the variants", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    terms = yaml.safe_load(example)
    c = contract(channels={**contract()["channels"], **terms["channels"]})
    c["partners"][0] = {**c["partners"][0], **terms["partners"][0]}
    p = read_contract(_write(tmp_path, c)).partner("northcall")
    assert [sl.key for sl in p.service_levels] == ["service_level/voice", "abandon_rate/voice", "fcr"]
    assert p.service_levels[2].bonus_amount == Decimal("2500.00")


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    e = _error(tmp_path, "client: A\ncurrency: EUR\ncurrency: USD\n")
    assert "key 'currency' is given twice" in str(e) and e.key == "line 3, column 1"


def test_an_impossible_date_names_its_line(tmp_path: Path) -> None:
    c = yaml.safe_dump(contract(), sort_keys=False).replace("start: '2025-01-01'", "start: 2025-02-30")
    e = _error(tmp_path, c)
    assert "'2025-02-30' is not a date" in str(e) and e.key.startswith("line ")
