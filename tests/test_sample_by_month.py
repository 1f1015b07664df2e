"""The month-by-month generator of large samples: the same tables, deterministic, and its monthly
aggregates equal to what the whole contact table gives (FCR across month ends included)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

import partner_analytics.sample as sample_module
from partner_analytics.cli import main
from partner_analytics.sample import TABLE_FILES, generate_sample
from partner_analytics.sample.commercial import answered_units, generate_reported_kpis, invoice_lines, recomputed_kpis
from partner_analytics.sample.files import write_csv, write_french_invoices
from partner_analytics.sample.profiles import EXPORT_DEFECTS, FIRST_MONTH, INTERVAL_PARTNER, TIMEZONE

CONTACTS = 30_000


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def by_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("by_month"), contacts=CONTACTS, by_month=True)


@pytest.fixture(scope="module")
def in_memory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("in_memory"), contacts=CONTACTS, by_month=False)


def _rebuilt(folder: Path) -> pl.DataFrame:
    """The written contacts with the generator's helper columns rebuilt from them."""
    return pl.read_parquet(folder / "contacts.parquet").with_columns(
        pl.col("customer_id").str.strip_prefix("K").cast(pl.Int64).alias("_customer"),
        pl.col("arrived_at").dt.replace_time_zone(TIMEZONE).dt.epoch("s").alias("_instant"),
        (
            (pl.col("arrived_at").dt.year() - FIRST_MONTH.year) * 12
            + pl.col("arrived_at").dt.month().cast(pl.Int32)
            - FIRST_MONTH.month
        ).alias("m"),
    )


def _without_interval_partner(path: Path, separator: str = ",", encoding: str = "utf-8") -> bytes:
    """The file without the interval partner's rows (they come from its interval report, not the contacts)."""
    lines = path.read_bytes().decode(encoding).splitlines(keepends=True)
    kept = [line for line in lines if INTERVAL_PARTNER.id not in line.split(separator)[:2]]
    return "".join(kept).encode(encoding)


@pytest.fixture(scope="module")
def contacts(by_month: Path) -> pl.DataFrame:
    return _rebuilt(by_month)


def test_same_seed_gives_the_same_bytes(by_month: Path, tmp_path: Path) -> None:
    again = generate_sample(tmp_path / "again", contacts=CONTACTS, by_month=True)
    assert _digests(again) == _digests(by_month)
    assert not any(p.name.startswith(".contacts-") for p in by_month.iterdir())  # the parts are cleaned up


def test_same_files_columns_and_types_as_the_in_memory_sample(by_month: Path, in_memory: Path) -> None:
    for file in [*TABLE_FILES.values(), "contract.yaml"]:
        assert (by_month / file).is_file(), file
        if file.endswith(".parquet"):
            assert pl.read_parquet_schema(by_month / file) == pl.read_parquet_schema(in_memory / file), file
        elif file.endswith(".csv"):
            assert (by_month / file).read_bytes().splitlines()[0] == (in_memory / file).read_bytes().splitlines()[0]
    rows = pl.scan_parquet(by_month / "contacts.parquet").select(pl.len()).collect().item()
    assert 0.95 * CONTACTS <= rows <= 1.05 * CONTACTS


def test_contacts_are_sorted_with_consecutive_ids(contacts: pl.DataFrame) -> None:
    assert contacts["arrived_at"].is_sorted()
    expected = [f"C{i:08d}" for i in range(1, contacts.height + 1)]
    assert contacts["contact_id"].to_list() == expected


def test_reported_kpis_are_the_whole_table_recomputed(by_month: Path, contacts: pl.DataFrame, tmp_path: Path) -> None:
    # FCR of a month depends on the next month's contacts and on the data's end: the monthly
    # aggregates must give what the in-memory recomputation gives on the whole table.
    write_csv(
        generate_reported_kpis(recomputed_kpis(contacts)),
        tmp_path / "reported.csv",
        EXPORT_DEFECTS["reported_kpis.csv"],
    )
    assert (tmp_path / "reported.csv").read_bytes() == _without_interval_partner(
        by_month / TABLE_FILES["reported_kpis"]
    )


def test_invoices_bill_the_answered_contacts(by_month: Path, contacts: pl.DataFrame, tmp_path: Path) -> None:
    write_french_invoices(invoice_lines(answered_units(contacts)), tmp_path / "invoices.csv")
    written = _without_interval_partner(by_month / TABLE_FILES["invoices"], ";", "cp1252")
    assert (tmp_path / "invoices.csv").read_bytes() == written


def test_customers_come_back_across_month_ends(contacts: pl.DataFrame) -> None:
    # follow-ups of a month's last days land in the next month, with the same customer
    pairs = (
        contacts.sort("_customer", "_instant")
        .with_columns(
            pl.col("m").shift(-1).over("_customer").alias("next_m"),
            (pl.col("_instant").shift(-1).over("_customer") - pl.col("_instant")).alias("gap"),
        )
        .filter(pl.col("next_m") == pl.col("m") + 1, pl.col("gap") <= 7 * 24 * 3600)
    )
    assert pairs["m"].n_unique() >= 20  # nearly every month end of the 24 months


def test_quality_has_the_evaluations_of_every_partner_month(by_month: Path) -> None:
    quality = pl.read_csv(by_month / "quality.csv", infer_schema=False)
    assert quality.height == 3 * 24 * 45 + len(EXPORT_DEFECTS["quality.csv"])
    quality = quality.head(3 * 24 * 45).with_columns(pl.col("evaluated_at").str.to_datetime())
    assert quality["evaluated_at"].is_sorted()


def test_the_sample_command_goes_by_month_above_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sample_module, "IN_MEMORY_LIMIT", 10_000)
    assert main(["sample", "--contacts", "12000", "--out", str(tmp_path / "cli")]) == 0
    expected = generate_sample(tmp_path / "direct", contacts=12_000, by_month=True)
    assert _digests(tmp_path / "cli") == _digests(expected)
    below = generate_sample(tmp_path / "below", contacts=9_000)
    assert _digests(below) == _digests(generate_sample(tmp_path / "below_mem", contacts=9_000, by_month=False))


def test_a_tiny_sample_with_empty_months_still_adds_up(tmp_path: Path) -> None:
    folder = generate_sample(tmp_path / "tiny", contacts=60, by_month=True)
    contacts = _rebuilt(folder)
    assert contacts["m"].n_unique() < 24  # some months have no contact
    write_csv(
        generate_reported_kpis(recomputed_kpis(contacts)),
        tmp_path / "reported.csv",
        EXPORT_DEFECTS["reported_kpis.csv"],
    )
    assert (tmp_path / "reported.csv").read_bytes() == _without_interval_partner(folder / TABLE_FILES["reported_kpis"])
