"""Shared fixtures: small engagement folders written by the tests themselves."""

from __future__ import annotations

import copy
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE_CONTRACT: dict[str, Any] = {
    "client": "Example Energy",
    "currency": "EUR",
    "timezone": "Europe/Paris",
    "channels": {
        "voice": {"answer_within_s": 20, "short_abandon_s": 5},
        "chat": {"answer_within_s": 60, "short_abandon_s": 10},
        "email": {"answer_within_s": 86400},
    },
    "partners": [
        {
            "id": "northcall",
            "name": "NorthCall Services",
            "start": "2025-01-01",
            "term_months": 36,
            "pricing": {"per_handled_contact": {"voice": 4.10, "chat": 3.20, "email": 2.60}},
            "at_risk_pct": 0.12,
            "pool_pct": 1.5,
            "earnback_months": 3,
            "service_levels": [
                {"kpi": "service_level", "channel": "voice", "target": 0.80, "minimum": 0.75, "allocation_pct": 0.40},
                {"kpi": "abandon_rate", "channel": "voice", "target": 0.05, "minimum": 0.08, "allocation_pct": 0.30},
                {"kpi": "asa", "channel": "voice", "target": 30, "minimum": 45},
            ],
        },
        {
            "id": "southdesk",
            "name": "SouthDesk",
            "start": "2024-07-01",
            "term_months": 36,
            "pricing": {"monthly_fee": 20000},
            "service_levels": [],
        },
    ],
}

CONTACT_HEADER = "contact_id,partner_id,channel,arrived_at,answered,wait_s,handle_s,customer_id,csat"


def contract(**changes: Any) -> dict[str, Any]:
    """A deep copy of the base contract with top-level keys replaced."""
    c = copy.deepcopy(BASE_CONTRACT)
    c.update(changes)
    return c


def write_engagement(folder: Path, files: dict[str, str | bytes], contract_data: dict[str, Any] | None = None) -> Path:
    """Write contract.yaml and the given files (relative path -> text or bytes) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contract.yaml").write_text(
        yaml.safe_dump(contract_data or contract(), sort_keys=False), encoding="utf-8"
    )
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture
def engagement_dir(tmp_path: Path) -> Path:
    """A small valid engagement with three contacts."""
    return write_engagement(
        tmp_path / "eng",
        {"contacts.csv": CONTACTS_CSV},
    )


CONTACTS_CSV = (
    "\n".join(
        [
            CONTACT_HEADER,
            "c1,northcall,voice,2026-09-01 09:00:00,true,12,300,cust1,5",
            "c2,northcall,voice,2026-09-01 09:05:00,false,3,,cust2,",
            "c3,southdesk,chat,2026-09-02 10:00:00,yes,40,200,cust1,",
        ]
    )
    + "\n"
)


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample engagement, generated once per test session."""
    from partner_analytics.sample import generate_sample

    return generate_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def sample_engagement(sample_dir: Path):
    """The sample engagement, loaded and held in memory."""
    import partner_analytics as pa

    return pa.load(sample_dir).collected()


@pytest.fixture(scope="session")
def sample_analysis(sample_engagement):
    """Every table of the sample engagement, computed once."""
    from partner_analytics.pipeline.analysis import compute

    return compute(sample_engagement)


@dataclass(frozen=True)
class SampleCycle:
    """The sample's latest quarter with every committee, run once: the plan, the outcome, what it wrote."""

    cycle: Any
    outcome: Any
    ticks: tuple[str, ...]
    digests: dict[Path, str]
    seconds: float


@pytest.fixture(scope="session")
def sample_cycle(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SampleCycle:
    """`partner-analytics cycle latest-quarter --committee all` on the sample (17 reports), once per session.

    `digests` holds the SHA-256 of every report HTML right after the run, so that later runs can be
    compared with it byte for byte.
    """
    from partner_analytics.batch.cycle import prepare_cycle, run_cycle

    out = tmp_path_factory.mktemp("reports")
    cycle = prepare_cycle(sample_dir, "latest-quarter", out, committee="all")
    ticks: list[str] = []
    started = time.perf_counter()
    outcome = run_cycle(cycle, on_result=lambda report, result: ticks.append(report.label), pdf=False)
    seconds = time.perf_counter() - started
    digests = {
        report.html_path: hashlib.sha256(report.html_path.read_bytes()).hexdigest()
        for report in cycle.reports
        if report.html_path.is_file()
    }
    return SampleCycle(cycle, outcome, tuple(ticks), digests, seconds)


# The French cycle's what-if (the programme overview's client-only annex): a term, an operations change and a
# notice date, so that the annex's every kind of sentence is written in French.
FRENCH_CYCLE_SCENARIO = """\
name: Plan de reprise
partners:
  rivage:
    terms: {at_risk_pct: 0.2}
    operations:
      voice: {staffing_change: 0.25}
    exit: {notice_on: 2027-02-01}
"""


@pytest.fixture(scope="session")
def sample_cycle_fr(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SampleCycle:
    """`partner-analytics cycle latest-quarter --committee all --partners rivage --language fr` on the sample, once
    per session: one report of each kind in French (rivage's strategic and operational reports, the programme
    overview with a what-if annex: `FRENCH_CYCLE_SCENARIO`), 5 reports."""
    from partner_analytics.batch.cycle import prepare_cycle, run_cycle

    out = tmp_path_factory.mktemp("reports-fr")
    scenario = tmp_path_factory.mktemp("scenario-fr") / "scenario.yaml"
    scenario.write_text(FRENCH_CYCLE_SCENARIO, encoding="utf-8")
    cycle = prepare_cycle(
        sample_dir, "latest-quarter", out, committee="all", partners=["rivage"], language="fr", scenario=scenario
    )
    ticks: list[str] = []
    started = time.perf_counter()
    outcome = run_cycle(cycle, on_result=lambda report, result: ticks.append(report.label), pdf=False)
    seconds = time.perf_counter() - started
    digests = {
        report.html_path: hashlib.sha256(report.html_path.read_bytes()).hexdigest()
        for report in cycle.reports
        if report.html_path.is_file()
    }
    return SampleCycle(cycle, outcome, tuple(ticks), digests, seconds)
