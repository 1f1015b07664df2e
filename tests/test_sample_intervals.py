"""The sample's interval partner: its Avaya CMS interval report gives the figures its own contacts give.

The generator draws Atlas Appels's contacts from a seed of their own and writes only their interval
report. Here the same contacts are drawn again and read as contact records instead (the sample with
`sources.intervals` replaced by a contacts file): every figure an interval report can give, the
credits and the charges must be the same (formulas.md §1.7).
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

import partner_analytics as pa
from partner_analytics.pipeline import Analysis, compute
from partner_analytics.sample import interval_partner_generators
from partner_analytics.sample.calendar import slots
from partner_analytics.sample.contacts import CONTACT_COLUMNS
from partner_analytics.sample.intervals import CMS_COLUMNS, INTERVAL_EXPORT, interval_partner_contacts
from partner_analytics.sample.profiles import INTERVAL_PARTNER

from .test_intervals import FROM_COUNTS

ATLAS = INTERVAL_PARTNER.id


@pytest.fixture(scope="module")
def atlas_contacts() -> pl.DataFrame:
    """The interval partner's contacts, drawn again from its seed (the default sample's, 7); their ids
    prefixed, apart from the other partners' (each generator numbers its contacts from C00000001)."""
    _, contacts = interval_partner_contacts(slots(), interval_partner_generators(7), 1.0)
    return contacts.select(CONTACT_COLUMNS).with_columns(pl.format("AT-{}", "contact_id").alias("contact_id"))


@pytest.fixture(scope="module")
def from_contacts(sample_dir: Path, atlas_contacts: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    """The sample with the interval partner read from its contact records instead of its interval report."""
    folder = tmp_path_factory.mktemp("atlas_contacts") / "eng"
    shutil.copytree(sample_dir, folder, ignore=shutil.ignore_patterns("ledger.jsonl*"))
    atlas_contacts.write_parquet(folder / "atlas_contacts.parquet")
    contract = yaml.safe_load((folder / "contract.yaml").read_text(encoding="utf-8"))
    del contract["sources"]["intervals"]
    contract["sources"]["contacts"].append({"path": "atlas_contacts.parquet"})
    (folder / "contract.yaml").write_text(yaml.safe_dump(contract, allow_unicode=True), encoding="utf-8")
    return compute(pa.load(folder).collected())


def _atlas(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.collect().filter(pl.col("partner_id") == ATLAS).sort(pl.all())


def test_no_contact_of_the_interval_partner_is_written(sample_dir: Path, sample_engagement) -> None:
    assert ATLAS not in pl.read_parquet(sample_dir / "contacts.parquet")["partner_id"].unique().to_list()
    assert sample_engagement.contacts.filter(pl.col("partner_id") == ATLAS).collect().height == 0
    assert sample_engagement.rejected.filter(pl.col("table") == "intervals").collect().height == 0


def test_the_interval_report_sums_the_contacts(sample_dir: Path, atlas_contacts: pl.DataFrame) -> None:
    report = pl.read_csv(sample_dir / INTERVAL_EXPORT)
    assert report[CMS_COLUMNS["partner_id"]].unique().to_list() == [ATLAS]
    assert report["INTRVL"].unique().to_list() == [30]
    answered = atlas_contacts.filter(pl.col("answered"))
    assert report["CALLSOFFERED"].sum() == atlas_contacts.height
    assert report["ACDCALLS"].sum() == answered.height
    assert report["ABNCALLS"].sum() == atlas_contacts.height - answered.height
    assert report["ANSTIME"].sum() == answered["wait_s"].sum()
    # talk and after-call work add up to each handle time
    assert report["ACDTIME"].sum() + report["ACWTIME"].sum() == answered["handle_s"].sum()
    # nothing before the contract's start (January 2025)
    assert report["ROW_DATE"].min() >= "2025-01-01"


def test_every_figure_of_the_report_equals_the_contacts(sample_analysis: Analysis, from_contacts: Analysis) -> None:
    by_report = _atlas(sample_analysis.results).filter(pl.col("kpi").is_in(FROM_COUNTS))
    by_contacts = _atlas(from_contacts.results).filter(pl.col("kpi").is_in(FROM_COUNTS))
    # offered, answered, the counts, service level, abandon rate, ASA, AHT, occupancy: 21 months × 10
    # KPIs, for voice and partner-wide
    assert by_report.height == 21 * len(FROM_COUNTS) * 2
    columns = ["channel", "month", "kpi", "numerator", "denominator"]
    assert by_report.select(columns).equals(by_contacts.select(columns))
    assert by_report["value"].to_list() == pytest.approx(by_contacts["value"].to_list(), nan_ok=True)
    for table in ("credits", "charges", "corridor", "statement"):
        assert _atlas(getattr(sample_analysis, table)).equals(_atlas(getattr(from_contacts, table))), table


def test_january_2025_by_hand(sample_dir: Path, sample_analysis: Analysis) -> None:
    report = pl.read_csv(sample_dir / INTERVAL_EXPORT).filter(pl.col("ROW_DATE").str.starts_with("2025-01"))
    offered, answered = report["CALLSOFFERED"].sum(), report["ACDCALLS"].sum()
    short, in_service = report["ABNCALLS1"].sum(), report["ACCEPTABLE"].sum()
    results = _atlas(sample_analysis.results).filter(
        pl.col("channel") == "voice", pl.col("month") == dt.date(2025, 1, 1)
    )
    value = dict(zip(results["kpi"], results["value"], strict=True))
    assert value["offered"] == offered
    assert value["service_level"] == pytest.approx(in_service / (offered - short))
    assert value["abandon_rate"] == pytest.approx((offered - short - answered) / (offered - short))
    assert value["asa"] == pytest.approx(report["ANSTIME"].sum() / answered)
    # 3.60 € per handled call (in cents); the service level below its 70 % minimum: a credit of
    # 10 % at risk × 60 % allocated, to the cent
    charges = answered * 360
    january = _atlas(sample_analysis.credits).filter(pl.col("month") == dt.date(2025, 1, 1))
    assert value["service_level"] < 0.70
    assert january.select("service_level", "charges").rows() == [("service_level/voice", charges)]
    assert january["credit"].item() == round(Decimal(charges) * Decimal("0.10") * Decimal("0.60"))
