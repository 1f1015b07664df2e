"""Relief events (formulas.md §2.1): a window excluded from the service-level KPIs, a month excused with
its reason, and the rows a relief table rejects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import partner_analytics as pa
from partner_analytics.evaluation.gaps import gaps
from partner_analytics.metrics.contact_kpis import contact_results
from partner_analytics.risk.credits import credits

from .conftest import CONTACTS_CSV, write_engagement
from .factories import ALL_CONTACT_COLUMNS, TZ, charges_frame, contacts, contract, grid, kpi_table, last_month, results

N = "northcall"
RELIEF_SCHEMA = {
    "partner_id": pl.String,
    "starts_at": pl.Datetime("us", TZ),
    "ends_at": pl.Datetime("us", TZ),
    "effect": pl.String,
    "reason": pl.String,
    "granted_by": pl.String,
    "granted_on": pl.Date,
    "channel": pl.String,
    "service_level": pl.String,
}


def relief(*rows: tuple) -> pl.LazyFrame:
    """A relief table from (partner, 'YYYY-MM-DD HH:MM' from, to, effect, reason, channel, service level)."""
    records = [
        {
            "partner_id": p,
            "starts_at": dt.datetime.fromisoformat(s),
            "ends_at": dt.datetime.fromisoformat(e),
            "effect": effect,
            "reason": reason,
            "granted_by": "client steering committee",
            "granted_on": dt.date(2026, 10, 5),
            "channel": channel,
            "service_level": sl,
        }
        for p, s, e, effect, reason, channel, sl in rows
    ]
    naive = RELIEF_SCHEMA | {"starts_at": pl.Datetime("us"), "ends_at": pl.Datetime("us")}
    return (
        pl.DataFrame(records, schema=naive)
        .with_columns(pl.col("starts_at", "ends_at").dt.replace_time_zone(TZ))
        .lazy()
        .cast(RELIEF_SCHEMA)
    )


def test_a_relief_window_cuts_a_month_out_of_the_service_level() -> None:
    frame = contacts(
        ("a", N, "voice", "2026-09-08 10:00", True, 10, 100, None, None),  # in service
        ("b", N, "voice", "2026-09-08 10:30", True, 60, 100, None, None),  # late
        ("c", N, "voice", "2026-09-15 14:00", False, 90, None, None, None),  # the outage: abandoned
        ("d", N, "voice", "2026-09-15 15:59", True, 200, 100, None, None),  # the outage: late
        ("e", N, "voice", "2026-09-15 16:00", True, 5, 100, None, None),  # the window's end is excluded
        ("f", N, "chat", "2026-09-15 14:30", True, 5, 100, None, None),  # another channel
    )
    window = relief((N, "2026-09-15 13:00", "2026-09-15 16:00", "exclude_window", "telephony outage", "voice", None))
    k = kpi_table(contact_results(frame, contract(), present=ALL_CONTACT_COLUMNS, relief=window))
    # offered 5 and answered 4 still (volumes, charges); c and d left out of the service-level KPIs:
    # in service a, e of a, b, e → 2 / 3; abandon rate (3 − 0 − 3) / 3 = 0; ASA (10 + 60 + 5) / 3 = 25 s
    assert k[("voice", "2026-09", "offered")] == 5 and k[("voice", "2026-09", "answered")] == 4
    assert k[("voice", "2026-09", "outside_hours")] == 2
    assert k[("voice", "2026-09", "service_level")] == pytest.approx(2 / 3)
    assert k[("voice", "2026-09", "abandon_rate")] == 0
    assert k[("voice", "2026-09", "asa")] == pytest.approx(25.0)
    assert k[("chat", "2026-09", "outside_hours")] == 0


def test_an_excused_month_reads_excused_relief_with_its_reason_and_earns_no_credit() -> None:
    c = contract(earnback_months=0)
    rows = [
        (N, "voice", "2026-01", "service_level", 0.70),  # breach
        (N, "voice", "2026-02", "service_level", 0.70),  # breach, excused by the relief
        (N, "voice", "2026-03", "service_level", 0.78),  # below target, excused (the window ends 1 March 10:00)
        (N, "voice", "2026-04", "service_level", 0.70),  # breach
        (N, "voice", "2026-02", "abandon_rate", 0.09),  # another service level: not excused
    ]
    excused = relief(
        (N, "2026-02-10 00:00", "2026-03-01 10:00", "excuse_month", "office flood", None, "service_level/voice")
    )
    g = gaps(results(*rows), c, grid(N, "2026-01", "2026-04"), None, excused)
    df = g.collect()
    sl = df.filter(pl.col("service_level") == "service_level/voice").sort("month")
    assert sl["status"].to_list() == ["breach", "excused (relief)", "excused (relief)", "breach"]
    assert sl["note"][1] == "relief: office flood (granted by client steering committee on 2026-10-05)"
    # the excused months end the run: April is a first breach again
    assert sl["breach_streak"].to_list() == [1, 0, 0, 1]
    ar = df.filter((pl.col("service_level") == "abandon_rate/voice") & (pl.col("month") == dt.date(2026, 2, 1)))
    assert ar["status"].to_list() == ["breach"]
    amounts = {m: 1_000_000 for m in ("2026-01", "2026-02", "2026-03", "2026-04")}
    cr = credits(g, charges_frame(N, amounts), c, last_month("2026-04")).collect()
    # credits: January and April for the service level (12 % × 10,000.00 × 40 % = 480.00), February's
    # abandon rate (× 30 % = 360.00); none for the excused months
    got = {(r["service_level"], f"{r['month']:%Y-%m}"): r["credit"] for r in cr.iter_rows(named=True)}
    assert got == {
        ("service_level/voice", "2026-01"): 48_000,
        ("abandon_rate/voice", "2026-02"): 36_000,
        ("service_level/voice", "2026-04"): 48_000,
    }


def test_a_relief_of_a_channel_or_of_the_partner_excuses_its_service_levels() -> None:
    rows = [(N, "voice", "2026-01", "service_level", 0.70), (N, "voice", "2026-01", "abandon_rate", 0.09)]
    for channel in ("voice", None):
        excused = relief((N, "2026-01-05 00:00", "2026-01-06 00:00", "excuse_month", "strike", channel, None))
        df = gaps(results(*rows), contract(), grid(N, "2026-01", "2026-01"), None, excused).collect()
        assert df.filter(pl.col("kpi") != "asa")["status"].to_list() == ["excused (relief)"] * 2
        # ASA has no value: not measurable stays not measurable
        assert df.filter(pl.col("kpi") == "asa")["status"].to_list() == ["not measurable"]


RELIEF_HEADER = "partner_id,starts_at,ends_at,effect,reason,granted_by,granted_on,channel,service_level"


def test_bad_relief_rows_are_rejected_with_their_reason(tmp_path: Path) -> None:
    rows = [
        RELIEF_HEADER,
        "northcall,2026-09-15 13:00:00,2026-09-15 16:00:00,exclude_window,outage,client,2026-10-01,voice,",
        "westline,2026-09-15 13:00:00,2026-09-15 16:00:00,exclude_window,outage,client,2026-10-01,voice,",
        "northcall,2026-09-15 16:00:00,2026-09-15 13:00:00,exclude_window,outage,client,2026-10-01,voice,",
        # northcall's contract runs from 2025-01-01 for 36 months
        "northcall,2024-06-01 00:00:00,2024-07-01 00:00:00,excuse_month,flood,client,2024-07-02,,",
        "northcall,2026-09-01 00:00:00,2026-09-02 00:00:00,excuse_month,flood,client,2026-09-03,,fcr",
        "northcall,2026-09-01 00:00:00,2026-09-02 00:00:00,pardon,flood,client,2026-09-03,,",
    ]
    folder = write_engagement(tmp_path / "eng", {"contacts.csv": CONTACTS_CSV, "relief.csv": "\n".join(rows) + "\n"})
    eng = pa.load(folder)
    assert eng.table("relief").collect().height == 1
    rejected = eng.rejected.filter(pl.col("table") == "relief").sort("row").collect()
    got = {r["row"]: (r["column"], r["reason"]) for r in rejected.iter_rows(named=True)}
    assert got[3][0] == "partner_id" and got[3][1].startswith("unknown partner 'westline'")
    assert got[4] == (
        "ends_at",
        "the window ends at 2026-09-15 13:00 before it starts at 2026-09-15 16:00 (expected the end after the start)",
    )
    assert got[5] == (
        "starts_at",
        "the window 2024-06-01 00:00 – 2024-07-01 00:00 is outside the contract "
        "(northcall's contract runs from 2025-01-01 to 2027-12-31)",
    )
    assert got[6] == (
        "service_level",
        "unknown service level 'fcr' "
        "(expected one of the partner's service levels: service_level/voice, abandon_rate/voice, asa/voice)",
    )
    assert got[7][0] == "effect" and "unknown value 'pardon'" in got[7][1]
