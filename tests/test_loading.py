"""Loading an engagement: every format, column mapping, dialects, booleans, timezones, and lossless rejection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

import partner_analytics as pa

from .conftest import CONTACT_HEADER, CONTACTS_CSV, contract, write_engagement

PARIS = ZoneInfo("Europe/Paris")


def _contacts(eng: pa.Engagement) -> pl.DataFrame:
    return eng.contacts.collect().sort("contact_id")


def _rejected(eng: pa.Engagement) -> pl.DataFrame:
    return eng.rejected.collect().sort("table", "row")


def _csv(*rows: str, header: str = CONTACT_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_csv_utf8_types_and_booleans(engagement_dir: Path) -> None:
    eng = pa.load(engagement_dir)
    df = _contacts(eng)
    assert df["contact_id"].to_list() == ["c1", "c2", "c3"]
    assert df["answered"].to_list() == [True, False, True]
    assert df["wait_s"].to_list() == [12.0, 3.0, 40.0]
    assert df["handle_s"].to_list() == [300.0, None, 200.0]
    assert df["csat"].to_list() == [5, None, None]
    assert df["arrived_at"][0] == dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    assert eng.contacts.collect_schema()["arrived_at"] == pl.Datetime("us", "Europe/Paris")
    assert _rejected(eng).height == 0
    assert eng.present["contacts"] == frozenset(CONTACT_HEADER.split(","))
    assert eng.has("contacts", "csat") and not eng.has("contacts", "site_id") and not eng.has("staffing")
    assert eng.contacts.collect()["site_id"].null_count() == 3, "absent optional columns are null, not dropped"


def test_french_export_semicolon_decimal_comma_cp1252_with_mapping(tmp_path: Path) -> None:
    text = (
        "N° contact;Prestataire;Canal;Date arrivée;Traité;Attente (s);DMT (s)\n"
        "é1;northcall;voice;01/09/2026 09:00:00;Oui;12,5;1 234,5\n"
        "é2;northcall;voice;01/09/2026 09:05:00;non;3;\n"
    )
    c = contract(
        sources={
            "contacts": {
                "path": "exports/interactions.csv",
                "separator": ";",
                "decimal_comma": True,
                "encoding": "cp1252",
                "datetime_format": "%d/%m/%Y %H:%M:%S",
                "columns": {
                    "contact_id": "N° contact",
                    "partner_id": "Prestataire",
                    "channel": "Canal",
                    "arrived_at": "Date arrivée",
                    "answered": "Traité",
                    "wait_s": "Attente (s)",
                    "handle_s": "DMT (s)",
                },
            }
        }
    )
    eng = pa.load(write_engagement(tmp_path / "fr", {"exports/interactions.csv": text.encode("cp1252")}, c))
    df = _contacts(eng)
    assert df["contact_id"].to_list() == ["é1", "é2"]
    assert df["wait_s"].to_list() == [12.5, 3.0]
    assert df["handle_s"].to_list() == [1234.5, None]
    assert df["answered"].to_list() == [True, False]
    assert df["arrived_at"][1] == dt.datetime(2026, 9, 1, 9, 5, tzinfo=PARIS)
    assert [sf.path.name for sf in eng.sources["contacts"]] == ["interactions.csv"]


def test_parquet_keeps_types_and_localises_naive_datetimes(tmp_path: Path) -> None:
    folder = write_engagement(tmp_path / "pq", {})
    pl.DataFrame(
        {
            "contact_id": ["p1", "p2"],
            "partner_id": ["northcall", "northcall"],
            "channel": ["voice", "chat"],
            "arrived_at": [dt.datetime(2026, 7, 1, 8, 0), dt.datetime(2026, 7, 1, 8, 30)],
            "answered": [True, False],
            "wait_s": [5, 61],
            "handle_s": [120.5, None],
        }
    ).write_parquet(folder / "contacts.parquet")
    eng = pa.load(folder)
    df = _contacts(eng)
    assert df["arrived_at"].to_list() == [
        dt.datetime(2026, 7, 1, 8, 0, tzinfo=PARIS),
        dt.datetime(2026, 7, 1, 8, 30, tzinfo=PARIS),
    ]
    assert df["wait_s"].dtype == pl.Float64 and df["wait_s"].to_list() == [5.0, 61.0]
    assert [sf.format for sf in eng.sources["contacts"]] == ["parquet"]


def test_parquet_utc_datetimes_are_converted(tmp_path: Path) -> None:
    folder = write_engagement(tmp_path / "pq", {})
    pl.DataFrame(
        {
            "contact_id": ["p1"],
            "partner_id": ["northcall"],
            "channel": ["voice"],
            "arrived_at": pl.Series([dt.datetime(2026, 9, 30, 22, 30)]).dt.replace_time_zone("UTC"),
            "answered": [True],
            "wait_s": [5.0],
        }
    ).write_parquet(folder / "contacts.parquet")
    df = _contacts(pa.load(folder))
    # 22:30 UTC on 30 September is 00:30 on 1 October in Paris (UTC+2): it belongs to October.
    assert df["arrived_at"][0] == dt.datetime(2026, 10, 1, 0, 30, tzinfo=PARIS)
    assert df.select(pl.col("arrived_at").dt.truncate("1mo").dt.date())[0, 0] == dt.date(2026, 10, 1)


def test_excel_sheet_and_mapping(tmp_path: Path) -> None:
    folder = write_engagement(
        tmp_path / "xl",
        {"contacts.csv": CONTACTS_CSV},
        contract(
            sources={
                "forecasts": {
                    "path": "planning/forecasts.xlsx",
                    "sheet": "2026",
                    "columns": {"forecast_contacts": "Prévision"},
                }
            }
        ),
    )
    (folder / "planning").mkdir()
    pl.DataFrame(
        {
            "partner_id": ["northcall", "northcall", "nobody"],
            "channel": ["voice", "voice", "voice"],
            "month": [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 10, 1)],
            "Prévision": [1000.0, 1200.5, 10.0],
            "issued_on": [dt.date(2026, 7, 1), None, None],
        }
    ).write_excel(folder / "planning" / "forecasts.xlsx", worksheet="2026")
    eng = pa.load(folder)
    df = eng.table("forecasts").collect().sort("month")
    assert df["forecast_contacts"].to_list() == [1000.0, 1200.5]
    assert df["month"].to_list() == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert df["issued_on"].to_list() == [dt.date(2026, 7, 1), None]
    rejected = _rejected(eng)
    assert rejected.select("table", "row", "column").rows() == [("forecasts", 4, "partner_id")]
    assert rejected["file"][0].endswith("planning/forecasts.xlsx")


def test_excel_missing_sheet(tmp_path: Path) -> None:
    folder = write_engagement(
        tmp_path / "xl",
        {"contacts.csv": CONTACTS_CSV},
        contract(sources={"forecasts": {"path": "f.xlsx", "sheet": "2027"}}),
    )
    pl.DataFrame({"partner_id": ["northcall"]}).write_excel(folder / "f.xlsx", worksheet="2026")
    with pytest.raises(pa.TableError, match=r"f\.xlsx: no sheet named '2027'"):
        pa.load(folder)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("c9,northcall,voice,2026-09-01 09:00:00,true,abc,1,,", "wait_s", "cannot read 'abc' as a number"),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,,1,,", "wait_s", "missing required value"),
        (
            "c9,northcall,voice,2026-09-01 09:00:00,true,-2,1,,",
            "wait_s",
            "-2 is a negative duration (expected at least 0)",
        ),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,2,-1,,", "handle_s", "-1 is a negative duration"),
        (
            "c9,acme,voice,2026-09-01 09:00:00,true,2,1,,",
            "partner_id",
            "unknown partner 'acme' (expected one of the contract's partners: northcall, southdesk)",
        ),
        ("c9,northcall,fax,2026-09-01 09:00:00,true,2,1,,", "channel", "unknown channel 'fax'"),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,2,1,,6", "csat", "6 is above the maximum (expected at most 5)"),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,2,1,,0", "csat", "0 is below the minimum (expected at least 1)"),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,2,1,,4.5", "csat", "cannot read '4.5' as a whole number"),
        (
            "c9,northcall,voice,2026-09-01 09:00:00,perhaps,2,1,,",
            "answered",
            "cannot read 'perhaps' as true/false, 1/0, yes/no or oui/non",
        ),
        (
            "c9,northcall,voice,31/09/2026 09:00,true,2,1,,",
            "arrived_at",
            "cannot read '31/09/2026 09:00' as a date and time",
        ),
        ("c9,northcall,voice,2026-02-30 09:00:00,true,2,1,,", "arrived_at", "'2026-02-30 09:00:00' is not a date"),
        (
            'c9,northcall,voice,2026-09-01 09:00:00,true,"2,5",1,,',
            "wait_s",
            "(a decimal comma? set decimal_comma: true under sources)",
        ),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,NaN,1,,", "wait_s", "NaN is not a finite number"),
        ("c9,northcall,voice,2026-09-01 09:00:00,true,inf,1,,", "wait_s", "inf is not a finite number"),
        ("c1,northcall,voice,2026-09-01 09:00:00,true,2,1,,", "contact_id", "duplicated contact_id (first at row 2)"),
    ],
)
def test_row_errors_are_rejected_and_valid_rows_kept(tmp_path: Path, row: str, column: str, reason: str) -> None:
    eng = pa.load(write_engagement(tmp_path / "e", {"contacts.csv": CONTACTS_CSV + row + "\n"}))
    assert _contacts(eng)["contact_id"].to_list() == ["c1", "c2", "c3"], "every valid row is kept"
    rejected = _rejected(eng)
    assert rejected.height == 1
    got = rejected.row(0, named=True)
    assert got["table"] == "contacts"
    assert got["file"] == str(tmp_path / "e" / "contacts.csv")
    assert got["row"] == 5, "header is row 1, the three valid rows are rows 2-4"
    assert got["column"] == column
    assert reason in got["reason"]
    assert got["record"].startswith('{"contact_id":"c')


def test_a_row_with_several_problems_lists_them_all(tmp_path: Path) -> None:
    eng = pa.load(
        write_engagement(tmp_path / "e", {"contacts.csv": _csv("c9,acme,fax,2026-09-01 09:00:00,true,-1,,,9")})
    )
    got = _rejected(eng).row(0, named=True)
    assert got["column"] == "partner_id"
    for part in (
        "unknown partner 'acme'",
        "channel: unknown channel 'fax'",
        "wait_s: -1 is a negative duration",
        "csat: 9 is above",
    ):
        assert part in got["reason"]


def test_reference_tables_reject_unknown_kpi_and_choices(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV,
        "reported_kpis.csv": "partner_id,month,kpi,value\nnorthcall,2026-09,service_level,0.81\nnorthcall,2026-09,happiness,1\n",
        "actions.csv": "action_id,partner_id,committee,raised_on,owner_party,title\na1,northcall,operational,2026-09-03,provider,Fix IVR\na2,northcall,weekly,2026-09-03,vendor,Hire\n",
    }
    eng = pa.load(write_engagement(tmp_path / "e", files))
    rejected = _rejected(eng)
    assert rejected.select("table", "row", "column").rows() == [
        ("actions", 3, "committee"),
        ("reported_kpis", 3, "kpi"),
    ]
    assert "unknown value 'weekly' (expected one of: operational, strategic)" in rejected["reason"][0]
    assert "owner_party: unknown value 'vendor'" in rejected["reason"][0]
    assert "unknown KPI 'happiness'" in rejected["reason"][1]
    kpis = eng.table("reported_kpis").collect()
    assert kpis["month"].to_list() == [dt.date(2026, 9, 1)]


def test_dst_gap_is_rejected_and_the_repeated_hour_is_summer_time(tmp_path: Path) -> None:
    eng = pa.load(
        write_engagement(
            tmp_path / "e",
            {
                "contacts.csv": _csv(
                    "g1,northcall,voice,2026-03-29 02:30:00,true,1,1,,",  # inside the spring-forward gap
                    "g2,northcall,voice,2026-03-29 03:00:00,true,1,1,,",  # first instant of summer time
                    "a1,northcall,voice,2026-10-25 02:30:00,true,1,1,,",  # occurs twice: first occurrence
                    "a2,northcall,voice,2026-10-25T02:30:00+01:00,true,1,1,,",  # the second occurrence, by its offset
                )
            },
        )
    )
    df = _contacts(eng)
    assert df["contact_id"].to_list() == ["a1", "a2", "g2"]
    utc = df.select(pl.col("arrived_at").dt.convert_time_zone("UTC").dt.replace_time_zone(None))["arrived_at"].to_list()
    assert utc == [dt.datetime(2026, 10, 25, 0, 30), dt.datetime(2026, 10, 25, 1, 30), dt.datetime(2026, 3, 29, 1, 0)]
    got = _rejected(eng).row(0, named=True)
    assert (got["row"], got["column"]) == (2, "arrived_at")
    assert (
        got["reason"]
        == "local time 2026-03-29 02:30:00 does not exist in Europe/Paris (clocks go forward at the DST change)"
    )


def test_blank_lines_are_not_rows_and_do_not_shift_row_numbers(tmp_path: Path) -> None:
    eng = pa.load(
        write_engagement(
            tmp_path / "e",
            {
                "contacts.csv": _csv(
                    "b1,northcall,voice,2026-09-01 09:00:00,true,1,1,,",
                    "",
                    "b2,acme,voice,2026-09-01 09:00:00,true,1,1,,",
                )
            },
        )
    )
    assert _contacts(eng)["contact_id"].to_list() == ["b1"]
    assert _rejected(eng)["row"].to_list() == [4]


def test_extra_columns_are_left_out_with_one_warning(tmp_path: Path) -> None:
    eng = pa.load(
        write_engagement(tmp_path / "e", {"contacts.csv": CONTACTS_CSV.replace("csat\n", "csat,agent_name\n", 1)})
    )
    assert "agent_name" not in eng.contacts.collect_schema().names()
    assert len(eng.warnings) == 1 and "left out: agent_name" in eng.warnings[0]


def test_headers_match_case_and_spaces(tmp_path: Path) -> None:
    eng = pa.load(
        write_engagement(
            tmp_path / "e",
            {"contacts.csv": CONTACTS_CSV.replace("contact_id,partner_id", " Contact_ID ,PARTNER_ID", 1)},
        )
    )
    assert _contacts(eng).height == 3


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, r"required table contacts not found \(expected contacts.csv, .parquet or .xlsx"),
        (
            {"contacts.csv": "contact_id,partner_id\nc1,northcall\n"},
            r"contacts.csv: channel: required column 'channel' of contacts is missing",
        ),
        ({"contacts.csv": ""}, r"contacts.csv: the file is empty"),
        ({"contacts.csv": CONTACTS_CSV.replace(",", ";")}, r"the separator looks like ';'"),
        ({"contacts.csv": CONTACTS_CSV.replace("customer_id", "wait_s")}, r"header 'wait_s' appears more than once"),
        ({"contacts.csv": CONTACTS_CSV, "contacts.parquet": b"PAR1"}, r"table contacts is given by several files"),
        (
            {
                "contacts.csv": (CONTACTS_CSV + "c4,northcall,voice,2026-09-01 09:00:00,true,1,1,Zoé,\n").encode(
                    "cp1252"
                )
            },
            r"not UTF-8 text \(line 5.*set `encoding: cp1252`",
        ),
        ({"contacts.parquet": b"PAR1 truncated"}, r"contacts.parquet: cannot read the parquet file"),
    ],
)
def test_file_level_problems_are_one_clear_error(tmp_path: Path, files: dict, message: str) -> None:
    folder = write_engagement(tmp_path / "e", files)
    with pytest.raises(pa.EngagementError, match=message):
        pa.load(folder)


def test_header_only_contacts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(pa.TableError, match=r"contacts\.csv: no rows: the file holds a header and no data row"):
        pa.load(write_engagement(tmp_path / "e", {"contacts.csv": CONTACT_HEADER + "\n"}))


def test_not_an_engagement(tmp_path: Path) -> None:
    with pytest.raises(pa.EngagementError, match="not an engagement: no contract.yaml"):
        pa.load(tmp_path)
    with pytest.raises(pa.EngagementError, match="not a folder"):
        pa.load(tmp_path / "missing")


def test_digest_changes_with_the_data(engagement_dir: Path) -> None:
    before = pa.load(engagement_dir).digest
    assert pa.load(engagement_dir).digest == before
    (engagement_dir / "contacts.csv").write_text(CONTACTS_CSV.replace(",12,", ",13,"), encoding="utf-8")
    assert pa.load(engagement_dir).digest != before


def test_collected_gives_the_same_tables(engagement_dir: Path) -> None:
    eng = pa.load(engagement_dir)
    assert eng.collected().contacts.collect().equals(eng.contacts.collect())
