"""The entry points on `pa.`: what the README's JupyterLab section shows runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import partner_analytics as pa

README = Path(__file__).parents[1] / "README.md"


def _jupyterlab_snippets() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Use it from JupyterLab") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_jupyterlab_section_runs(sample_dir, tmp_path, monkeypatch):
    snippets = _jupyterlab_snippets()
    assert len(snippets) == 2 and "pa.WhatIf(eng)" in snippets[1]
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}
    for code in snippets:
        exec(code.replace('"data/sample"', repr(str(sample_dir))), names)
    totals = names["comparison"].totals.filter(pl.col("partner_id") == "rivage")
    amount = dict(zip(totals["amount"], totals["delta"], strict=True))
    # More at risk and a tighter target raise the credits; charges do not move; the net falls by the credits.
    assert amount["credits"] > 0 and amount["charges"] == 0
    assert amount["net"] == -amount["credits"]
    saved = pa.read_scenario(tmp_path / "scenarios" / "recovery.yaml")
    assert saved == names["scenario"]


def test_format_money_reads_cents():
    assert pa.format_money(72420200, "EUR") == "724,202.00 EUR"
    assert pa.format_money(-5) == "-0.05"
    assert pa.format_money(None) == "–"
    column = pa.format_money(pl.Series("credit", [123456, 0, None]))
    assert column.name == "credit" and column.to_list() == ["1,234.56", "0.00", "–"]


def test_a_scenario_from_a_dict_equals_the_same_file(tmp_path):
    raw = {
        "name": "x",
        "partners": {"p1": {"terms": {"at_risk_pct": 0.2}, "operations": {"voice": {"aht_change": -0.05}}}},
    }
    scenario = pa.Scenario.from_dict(raw)
    path = pa.write_scenario(scenario, tmp_path / "x.yaml")
    assert pa.Scenario.from_file(path) == scenario == pa.read_scenario(path)
    assert str(scenario.of("p1").terms.at_risk_pct) == "0.2"


def test_a_bad_scenario_dict_names_its_key():
    with pytest.raises(pa.ScenarioError, match=r"^scenario: partners\.p1\.terms\.at_risk_pct: "):
        pa.Scenario.from_dict({"partners": {"p1": {"terms": {"at_risk_pct": "a fifth"}}}})


def test_import_stays_light_until_the_what_if_is_used():
    code = (
        "import sys, partner_analytics as pa\n"
        "assert 'partner_analytics.whatif' not in sys.modules\n"
        "assert pa.WhatIf.__module__ == 'partner_analytics.whatif.engine'\n"
        "assert 'WhatIf' in dir(pa)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves():
    for name in pa.__all__:
        assert getattr(pa, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pa.nope  # noqa: B018
