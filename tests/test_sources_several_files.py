"""A table read from several files (a list under `sources.<table>`), each with its own preset or columns:
the rows put together, each rejected row naming its file, a key repeated across files rejected."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import partner_analytics as pa
from partner_analytics.core.errors import ContractError
from partner_analytics.io import lineage
from partner_analytics.metrics import kpi_results

from .conftest import CONTACT_HEADER, contract, write_engagement
from .test_presets import CONNECT_HEADER, CONNECT_ROWS

# southdesk's contacts in our names, with a French header for the partner
SOUTHDESK = (
    CONTACT_HEADER.replace("partner_id", "Prestataire")
    + "\n"
    + (
        "s1,southdesk,chat,2026-09-02 10:00:00,true,40,200,x,\n"
        "s2,southdesk,chat,2026-09-02 10:05:00,true,80,100,y,\n"
        "s3,southdesk,chat,2026-09-02 10:10:00,maybe,5,,z,\n"
    )
)


def _two_files(tmp_path: Path, connect_rows: list[str], southdesk: str = SOUTHDESK, **extra) -> pa.Engagement:
    files = [
        {"path": "exports/ctr.csv", "preset": "amazon_connect"},
        {"path": "exports/southdesk.csv", "columns": {"partner_id": "Prestataire"}, **extra},
    ]
    data = contract(sources={"contacts": files})
    texts = {"exports/ctr.csv": "\n".join([CONNECT_HEADER, *connect_rows]) + "\n", "exports/southdesk.csv": southdesk}
    return pa.load(write_engagement(tmp_path / "eng", texts, data))


def test_rows_of_every_file_put_together(tmp_path: Path) -> None:
    eng = _two_files(tmp_path, CONNECT_ROWS)
    contacts = eng.contacts.collect().sort("contact_id")
    # c1..c5 from the contact records (c6 never queued), s1 and s2 from southdesk's file (s3 rejected)
    assert contacts["contact_id"].to_list() == ["c1", "c2", "c3", "c4", "c5", "s1", "s2"]
    assert contacts.filter(pl.col("partner_id") == "southdesk")["wait_s"].to_list() == [40.0, 80.0]
    rejected = eng.rejected.collect().sort("file")
    assert [Path(f).name for f in rejected["file"]] == ["ctr.csv", "southdesk.csv"]
    assert rejected.select("row", "column").rows() == [(7, "arrived_at"), (4, "answered")]
    assert [sf.path.name for sf in eng.sources["contacts"]] == ["ctr.csv", "southdesk.csv"]
    inputs = [i for i in lineage(eng)["inputs"] if i["table"] == "contacts"]
    assert [(i["file"], i["rejected"]) for i in inputs] == [("exports/ctr.csv", 1), ("exports/southdesk.csv", 1)]
    results = kpi_results(eng).collect()

    def value(partner: str, channel: str, kpi: str) -> float:
        row = results.filter(
            (pl.col("partner_id") == partner) & (pl.col("channel") == channel) & (pl.col("kpi") == kpi)
        )
        return row["value"][0]

    # northcall's voice as from its file alone (tests/test_presets.py); southdesk's chat: 40 s and
    # 80 s, 1 of 2 within T = 60 s; AHT (200 + 100) / 2
    assert value("northcall", "voice", "service_level") == pytest.approx(1 / (4 - 1))
    assert value("southdesk", "chat", "service_level") == pytest.approx(1 / 2)
    assert value("southdesk", "chat", "aht") == pytest.approx((200 + 100) / 2)


def test_a_key_repeated_in_a_later_file_is_rejected_naming_the_first(tmp_path: Path) -> None:
    southdesk = SOUTHDESK.replace("s2,", "c1,")
    eng = _two_files(tmp_path, CONNECT_ROWS[:2], southdesk)
    rejected = eng.rejected.collect().filter(pl.col("file").str.ends_with("southdesk.csv")).sort("row")
    # one check of repeated keys for the whole table: c1 is the first data row (line 2) of the records
    first = eng.path / "exports" / "ctr.csv"
    assert rejected.select("row", "column", "reason").rows()[0] == (
        3,
        "contact_id",
        f"duplicated contact_id (first at row 2 of {first}); expected each contact_id once",
    )
    assert eng.contacts.collect().filter(pl.col("contact_id") == "c1")["partner_id"].to_list() == ["northcall"]


def test_a_column_some_files_lack_is_not_used(tmp_path: Path) -> None:
    # southdesk's file has csat, the contact records have none (and no queue): not measurable for anyone
    eng = _two_files(tmp_path, CONNECT_ROWS)
    assert not eng.has("contacts", "csat")
    assert "contacts: csat, queue given by some of its files only" in eng.warnings[-1]
    # the fields the preset read are not reported as left out, whatever their length
    assert "Agent.ConnectedToAgentTimestamp" not in " ".join(eng.warnings)


@pytest.mark.parametrize(
    ("files", "key", "message"),
    [
        ([{"path": "a.csv"}, {"preset": "five9"}], "sources.contacts[1].path", "each file of a list"),
        ([{"path": "a.csv"}, {"path": "a.csv"}], "sources.contacts[1].path", "listed twice"),
        ([], "sources.contacts", "an empty list"),
        ([{"path": "a.csv", "preset": "fivenine"}], "sources.contacts[0].preset", "Input should be"),
        ([{"path": "a.csv", "colums": {}}], "sources.contacts[0].colums", "unknown key"),
    ],
)
def test_a_bad_list_of_files_names_the_key(tmp_path: Path, files: list, key: str, message: str) -> None:
    folder = write_engagement(tmp_path / "eng", {"a.csv": "x\n"}, contract(sources={"contacts": files}))
    with pytest.raises(ContractError) as error:
        pa.load(folder)
    assert error.value.key == key
    assert message in str(error.value)
