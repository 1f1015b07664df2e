"""Properties of validation on generated contact tables (CSV text and Parquet) mixing valid and broken rows.

Each generated row carries its clean values and at most one defect. A model says which rows must be
accepted: those without a defect (and not in the spring DST gap), minus the later repeats of an id
already accepted. The loader must agree exactly, lose nothing, and give the accepted rows back as
they were before they were written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partner_analytics.contract.reading import parse_contract
from partner_analytics.core.schema import TABLES
from partner_analytics.io.readers import ROW, read_table
from partner_analytics.io.validation import FALSE_WORDS, TRUE_WORDS, validate_table

from .conftest import contract

PARIS = ZoneInfo("Europe/Paris")
LOAD_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CONTRACT = parse_contract(contract())
SPEC = TABLES["contacts"]
COLUMNS = ["contact_id", "partner_id", "channel", "arrived_at", "answered", "wait_s", "handle_s", "customer_id", "csat"]
REJECTING = (
    "bad_number",
    "negative_wait",
    "unknown_partner",
    "bad_bool",
    "empty_required",
    "dst_gap",
    "future",
    "csat_out_of_range",
    "not_finite",
)
DEFECTS = (None,) * 8 + ("duplicate_id",) * 4 + REJECTING  # about 40 % clean rows, 20 % repeats


@dataclass(frozen=True)
class Contact:
    """The clean values of one row, and the defect its written form carries (None: none)."""

    contact_id: str
    partner_id: str
    channel: str
    arrived_at: dt.datetime  # naive local time of Europe/Paris
    answered: bool
    wait_s: float
    handle_s: float | None
    customer_id: str | None
    csat: int | None
    defect: str | None
    variant: int  # which spelling or which broken value, among the equivalent ones


def _in_dst_gap(local: dt.datetime) -> bool:
    """A local time that does not exist in Paris: it does not survive a round trip through UTC."""
    back = local.replace(tzinfo=PARIS).astimezone(dt.UTC).astimezone(PARIS).replace(tzinfo=None)
    return back != local


contact_rows = st.builds(
    Contact,
    contact_id=st.just(""),
    partner_id=st.sampled_from(CONTRACT.partner_ids),
    channel=st.sampled_from(tuple(CONTRACT.channels)),
    arrived_at=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2025, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    answered=st.booleans(),
    wait_s=st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3)),
    handle_s=st.none() | st.floats(min_value=0, max_value=1e5, allow_nan=False).map(lambda x: round(x, 2)),
    customer_id=st.none() | st.text(alphabet='ab1 ,;"\n', min_size=1, max_size=6).map(str.strip).filter(bool),
    csat=st.none() | st.integers(min_value=1, max_value=5),
    defect=st.sampled_from(DEFECTS),
    variant=st.integers(min_value=0, max_value=5),
)


@st.composite
def tables(draw: st.DrawFn) -> list[Contact]:
    rows = draw(st.lists(contact_rows, min_size=5, max_size=40))
    named: list[Contact] = []
    for i, row in enumerate(rows):
        contact_id = f"c{i}"
        if row.defect == "duplicate_id" and named:
            contact_id = named[draw(st.integers(0, len(named) - 1))].contact_id
        named.append(replace(row, contact_id=contact_id))
    return named


def _expected(rows: list[Contact]) -> tuple[list[int], list[int]]:
    """The indexes of the rows the loader must accept and of those it must reject (the model)."""
    passing = [i for i, r in enumerate(rows) if r.defect not in REJECTING and not _in_dst_gap(r.arrived_at)]
    seen: set[str] = set()
    accepted = []
    for i in passing:
        if rows[i].contact_id not in seen:
            seen.add(rows[i].contact_id)
            accepted.append(i)
    return accepted, [i for i in range(len(rows)) if i not in accepted]


def _text_values(row: Contact) -> dict[str, str]:
    """The row as an export would write it: equivalent spellings of the clean values, or the defect."""
    v = row.variant
    words = TRUE_WORDS if row.answered else FALSE_WORDS
    when = row.arrived_at.strftime("%Y-%m-%dT%H:%M:%S" if v % 2 else "%Y-%m-%d %H:%M:%S")
    values = {
        "contact_id": f" {row.contact_id} " if v == 3 else row.contact_id,
        "partner_id": row.partner_id,
        "channel": row.channel,
        "arrived_at": when,
        "answered": words[v % len(words)].upper() if v > 3 else words[v % len(words)],
        "wait_s": repr(row.wait_s),
        "handle_s": "" if row.handle_s is None else repr(row.handle_s),
        "customer_id": row.customer_id or "",
        "csat": "" if row.csat is None else str(row.csat),
    }
    broken = {
        "bad_number": {"wait_s": ("abc", "12,5", "1.2.3", "--1", "1e", "0x10")[v]},
        "negative_wait": {"wait_s": repr(-(row.wait_s + 0.5))},
        "unknown_partner": {"partner_id": ("acme", "NorthCall", "north call", "x", "-", "southdesk2")[v]},
        "bad_bool": {"answered": ("maybe", "2", "vrai", "t", "y", "-1")[v]},
        "empty_required": {
            ("contact_id", "partner_id", "channel", "arrived_at", "answered", "wait_s")[v]: ("", "  ")[v % 2]
        },
        "dst_gap": {"arrived_at": f"2025-03-30 02:{10 * v:02d}:00"},
        "future": {"arrived_at": f"2026-0{v + 2}-01 00:00:01"},  # after LOAD_TIME
        "csat_out_of_range": {"csat": ("0", "6", "9", "-1", "10", "100")[v]},
        "not_finite": {"wait_s": ("NaN", "inf", "-inf", "1e400", "1e308", "nan")[v]},
    }
    return values | broken.get(row.defect or "", {})


def _csv_text(rows: list[Contact], render=_text_values) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = render(row)
        writer.writerow([values[c] for c in COLUMNS])
    return out.getvalue()


def _clean_values(row: Contact) -> dict[str, str]:
    return _text_values(replace(row, defect=None, variant=0))


def _validate(path: Path):
    checked = validate_table(read_table(path, SPEC, None), CONTRACT, None, now=LOAD_TIME)
    valid, rejected, failing = pl.collect_all([checked.valid, checked.rejected, checked.failing])
    assert sorted(failing[ROW].to_list()) == sorted(rejected["row"].to_list()), "`failing` names the rejected rows"
    return valid, rejected


def _check_outcome(rows: list[Contact], valid: pl.DataFrame, rejected: pl.DataFrame, first_row: int) -> None:
    accepted, refused = _expected(rows)
    assert len(rows) == valid.height + rejected["row"].n_unique(), "rows in = accepted + distinct rejected"
    assert rejected.height == rejected["row"].n_unique(), "one line per rejected row"
    assert sorted(rejected["row"].to_list()) == [first_row + i for i in refused]
    assert rejected["reason"].null_count() == 0 and rejected["file"].null_count() == 0
    want = [rows[i] for i in accepted]
    got = valid.sort("contact_id")
    want.sort(key=lambda r: r.contact_id)
    assert got["contact_id"].to_list() == [r.contact_id for r in want]
    assert got["partner_id"].to_list() == [r.partner_id for r in want]
    assert got["channel"].to_list() == [r.channel for r in want]
    # Compared as instants: aware datetimes sharing a tzinfo compare without their fold (the repeated hour).
    utc = got["arrived_at"].dt.convert_time_zone("UTC").dt.replace_time_zone(None).to_list()
    assert utc == [r.arrived_at.replace(tzinfo=PARIS).astimezone(dt.UTC).replace(tzinfo=None) for r in want]
    assert got["answered"].to_list() == [r.answered for r in want]
    assert got["wait_s"].to_list() == [r.wait_s for r in want]
    assert got["handle_s"].to_list() == [r.handle_s for r in want]
    assert got["customer_id"].to_list() == [r.customer_id for r in want]
    assert got["csat"].to_list() == [r.csat for r in want]


def _figures(frame: pl.DataFrame) -> tuple[int, float, int]:
    """Count, total wait (exactly summed) and answered count."""
    return frame.height, math.fsum(frame["wait_s"].to_list()), int(frame["answered"].sum())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tables())
def test_csv_tables_lose_nothing_and_keep_clean_values(rows: list[Contact]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        messy = Path(tmp) / "messy" / "contacts.csv"
        messy.parent.mkdir()
        messy.write_text(_csv_text(rows), encoding="utf-8")
        valid, rejected = _validate(messy)
        _check_outcome(rows, valid, rejected, first_row=2)
        accepted, _ = _expected(rows)
        clean = Path(tmp) / "clean" / "contacts.csv"
        clean.parent.mkdir()
        clean.write_text(_csv_text([rows[i] for i in accepted], _clean_values), encoding="utf-8")
        clean_valid, clean_rejected = _validate(clean)
        assert clean_rejected.height == 0
        assert _figures(valid) == _figures(clean_valid)


def _parquet_frame(rows: list[Contact]) -> pl.DataFrame:
    """The rows as a typed export would hold them; defects a typed column cannot hold become nulls."""
    columns: dict[str, list] = {c: [] for c in COLUMNS}
    for row in rows:
        v = row.variant
        values = {
            "contact_id": row.contact_id,
            "partner_id": row.partner_id,
            "channel": row.channel,
            "arrived_at": row.arrived_at,
            "answered": row.answered,
            "wait_s": row.wait_s,
            "handle_s": row.handle_s,
            "customer_id": row.customer_id,
            "csat": row.csat,
        }
        broken = {
            "bad_number": {"wait_s": None},
            "negative_wait": {"wait_s": -(row.wait_s + 0.5)},
            "unknown_partner": {"partner_id": ("acme", "NorthCall", "north call", "x", "-", "southdesk2")[v]},
            "bad_bool": {"answered": None},
            "empty_required": {  # text columns get an empty string, typed ones a null
                ("contact_id", "partner_id", "channel", "arrived_at", "answered", "wait_s")[v]: "" if v < 3 else None
            },
            "dst_gap": {"arrived_at": dt.datetime(2025, 3, 30, 2, 10 * v)},
            "future": {"arrived_at": dt.datetime(2026, v + 2, 1, 0, 0, 1)},
            "csat_out_of_range": {"csat": (0, 6, 9, -1, 10, 100)[v]},
            "not_finite": {"wait_s": (math.nan, math.inf, -math.inf, 1e300, 1e308, math.nan)[v]},
        }
        values |= broken.get(row.defect or "", {})
        for c in COLUMNS:
            columns[c].append(values[c])
    return pl.DataFrame(
        columns,
        schema={
            "contact_id": pl.String(),
            "partner_id": pl.String(),
            "channel": pl.String(),
            "arrived_at": pl.Datetime("us"),
            "answered": pl.Boolean(),
            "wait_s": pl.Float64(),
            "handle_s": pl.Float64(),
            "customer_id": pl.String(),
            "csat": pl.Int64(),
        },
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tables())
def test_parquet_tables_lose_nothing_and_keep_clean_values(rows: list[Contact]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        messy = Path(tmp) / "messy" / "contacts.parquet"
        messy.parent.mkdir()
        frame = _parquet_frame(rows)
        frame.write_parquet(messy)
        valid, rejected = _validate(messy)
        _check_outcome(rows, valid, rejected, first_row=1)
        accepted, _ = _expected(rows)
        clean = Path(tmp) / "clean" / "contacts.parquet"
        clean.parent.mkdir()
        _parquet_frame([replace(rows[i], defect=None) for i in accepted]).write_parquet(clean)
        clean_valid, clean_rejected = _validate(clean)
        assert clean_rejected.height == 0
        assert _figures(valid) == _figures(clean_valid)
