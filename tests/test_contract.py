"""Contract validation: every error names the file and the key path, and says what was expected."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import partner_analytics as pa
from partner_analytics.contract import add_months, read_contract

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
