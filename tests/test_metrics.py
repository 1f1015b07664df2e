"""KPIs of formulas.md §1, hand-computed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partner_analytics.metrics import fcr
from partner_analytics.metrics.contact_kpis import contact_flags, contact_results, month_of
from partner_analytics.metrics.table_kpis import occupancy_results, quality_results

from .factories import ALL_CONTACT_COLUMNS, contacts, contract, kpi_table

N = "northcall"


def _results(frame: pl.LazyFrame, present: frozenset[str] = ALL_CONTACT_COLUMNS) -> pl.DataFrame:
    return contact_results(frame, contract(), present=present).collect()


# voice: T = 20 s, S = 5 s; chat: T = 60 s, S = 10 s (tests/conftest.py)
SEPTEMBER = contacts(
    ("v1", N, "voice", "2026-09-01 09:00", True, 10, 100, "a", 5),
    ("v2", N, "voice", "2026-09-01 09:01", True, 20, 200, "b", 4),  # exactly T: in service
    ("v3", N, "voice", "2026-09-01 09:02", True, 25, 300, "c", 2),  # beyond T
    ("v4", N, "voice", "2026-09-01 09:03", False, 3, None, "d", None),  # short abandon (< S)
    ("v5", N, "voice", "2026-09-01 09:04", False, 5, None, "e", None),  # exactly S: a real abandon
    ("v6", N, "voice", "2026-09-01 09:05", False, 40, None, "f", None),
    ("c1", N, "chat", "2026-09-02 10:00", True, 50, 400, "g", None),
    ("c2", N, "chat", "2026-09-02 10:01", False, 8, None, "h", None),  # short abandon on chat (< 10)
    ("z1", N, "voice", "2026-10-30 10:00", True, 1, 1, "z", None),  # the data end, far from September
)


def test_contact_kpis_per_channel() -> None:
    k = kpi_table(_results(SEPTEMBER))
    assert k[("voice", "2026-09", "offered")] == 6
    assert k[("voice", "2026-09", "answered")] == 3
    assert k[("voice", "2026-09", "short_abandons")] == 1
    # in service: v1, v2 = 2 ; offered − short abandons = 6 − 1 = 5
    assert k[("voice", "2026-09", "service_level")] == pytest.approx(2 / 5)
    # (offered − answered − short) / (offered − short) = (6 − 3 − 1) / 5
    assert k[("voice", "2026-09", "abandon_rate")] == pytest.approx(2 / 5)
    assert k[("voice", "2026-09", "asa")] == pytest.approx((10 + 20 + 25) / 3)
    assert k[("voice", "2026-09", "aht")] == pytest.approx((100 + 200 + 300) / 3)
    assert k[("voice", "2026-09", "csat")] == pytest.approx((5 + 4 + 2) / 3)
    assert k[("voice", "2026-09", "csat_top2")] == pytest.approx(2 / 3)


def test_partner_wide_row_sums_the_channels_with_their_own_thresholds() -> None:
    k = kpi_table(_results(SEPTEMBER))
    # voice 6 + chat 2 offered; short abandons 1 + 1; in service 2 (voice) + 1 (chat, 50 s ≤ 60 s)
    assert k[(None, "2026-09", "offered")] == 8
    assert k[(None, "2026-09", "service_level")] == pytest.approx(3 / (8 - 2))
    assert k[(None, "2026-09", "abandon_rate")] == pytest.approx((8 - 4 - 2) / (8 - 2))
    assert k[(None, "2026-09", "asa")] == pytest.approx((10 + 20 + 25 + 50) / 4)


def test_denominator_zero_is_null_with_a_reason() -> None:
    only_short = contacts(("s1", N, "chat", "2026-09-02 10:01", False, 2, None, "h", None))
    df = _results(only_short).filter(pl.col("channel") == "chat")
    row = {r["kpi"]: r for r in df.iter_rows(named=True)}
    assert row["offered"]["value"] == 1 and row["short_abandons"]["value"] == 1
    for kpi in ("service_level", "abandon_rate", "asa", "aht", "csat"):
        assert row[kpi]["value"] is None, kpi
        assert "denominator is 0" in row[kpi]["note"]


def test_absent_inputs_are_not_measurable_not_zero() -> None:
    present = ALL_CONTACT_COLUMNS - {"customer_id", "csat", "handle_s"}
    df = _results(SEPTEMBER, present).filter(pl.col("channel") == "voice")
    row = {r["kpi"]: r for r in df.iter_rows(named=True) if r["month"] == dt.date(2026, 9, 1)}
    assert row["fcr"]["value"] is None and row["fcr"]["note"] == "contacts have no customer_id column"
    assert row["csat"]["value"] is None and row["csat"]["note"] == "contacts have no csat column"
    assert row["aht"]["value"] is None and row["aht"]["note"] == "contacts have no handle_s column"
    assert row["service_level"]["value"] == pytest.approx(0.4)


def _fcr(frame: pl.LazyFrame) -> dict[str, tuple[bool, bool, bool]]:
    df = contact_flags(frame, contract().channels).collect()
    return {r["contact_id"]: (r["fcr_resolved"], r["fcr_counted"], r["fcr_cut"]) for r in df.iter_rows(named=True)}


def test_fcr_window_edges() -> None:
    flags = _fcr(
        contacts(
            ("x1", N, "voice", "2026-09-01 09:00:00", True, 1, 1, "x", None),
            ("x2", N, "chat", "2026-09-08 09:00:00", True, 1, 1, "x", None),  # exactly 7 days later: a repeat
            ("y1", N, "voice", "2026-09-01 09:00:00", True, 1, 1, "y", None),
            ("y2", N, "voice", "2026-09-08 09:00:01", True, 1, 1, "y", None),  # 7 days and 1 second: not a repeat
            ("a1", N, "voice", "2026-09-02 09:00:00", False, 30, None, "a", None),  # abandoned: not counted
            ("n1", N, "voice", "2026-09-02 09:00:00", True, 1, 1, None, None),  # no customer: not counted
            ("end", N, "voice", "2026-09-20 12:00:00", True, 1, 1, "q", None),  # last arrival in the data
            ("w1", N, "voice", "2026-09-13 12:00:01", True, 1, 1, "w", None),  # window ends after the data end: cut
            ("w0", N, "voice", "2026-09-13 12:00:00", True, 1, 1, "v", None),  # window ends at the data end: kept
        )
    )
    assert flags["x1"] == (False, True, False)
    assert flags["y1"] == (True, True, False)
    assert flags["a1"] == (False, False, False)
    assert flags["n1"] == (False, False, False)
    assert flags["w1"] == (False, False, True)
    assert flags["w0"] == (True, True, False)
    assert flags["end"] == (False, False, True)


def test_fcr_counts_other_partners_and_uses_elapsed_time_across_dst() -> None:
    flags = _fcr(
        contacts(
            ("p1", N, "voice", "2026-09-01 09:00", True, 1, 1, "k", None),
            ("p2", "southdesk", "chat", "2026-09-03 09:00", True, 1, 1, "k", None),  # another partner: a repeat
            # 20 Oct 12:00 CEST (10:00 UTC) to 27 Oct 11:30 CET (10:30 UTC): 7 days 30 minutes elapsed,
            # although the wall clocks differ by 6 days 23.5 hours. Not a repeat.
            ("d1", N, "voice", "2026-10-20 12:00", True, 1, 1, "m", None),
            ("d2", N, "voice", "2026-10-27 11:30", True, 1, 1, "m", None),
            ("t1", N, "voice", "2026-09-05 09:00", True, 1, 1, "t", None),  # two contacts at the same instant:
            ("t2", N, "chat", "2026-09-05 09:00", True, 1, 1, "t", None),  # neither is "another later contact"
            ("zz", N, "voice", "2026-12-31 09:00", True, 1, 1, "zz", None),
        )
    )
    assert flags["p1"] == (False, True, False)
    assert flags["d1"] == (True, True, False)
    assert flags["t1"] == (True, True, False) and flags["t2"] == (True, True, False)


def test_fcr_month_marked_incomplete_when_windows_are_cut() -> None:
    frame = contacts(
        ("a", N, "voice", "2026-09-01 09:00", True, 1, 1, "a", None),
        ("b", N, "voice", "2026-09-05 09:00", True, 1, 1, "a", None),  # a repeat of a
        ("c", N, "voice", "2026-09-28 09:00", True, 1, 1, "c", None),  # window past the data end
        ("d", N, "voice", "2026-09-30 09:00", True, 1, 1, "d", None),  # the data end
    )
    row = _results(frame).filter((pl.col("kpi") == "fcr") & (pl.col("channel") == "voice")).row(0, named=True)
    # counted: a (repeat → not resolved), b (window ends 12 Sept, resolved); c and d are cut
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 0.5)
    assert row["incomplete"] is True


def test_month_is_the_local_calendar_month() -> None:
    frame = contacts(
        ("late", N, "voice", "2026-09-30 23:59", True, 1, 1, "a", None),
        ("early", N, "voice", "2026-10-01 00:01", True, 1, 1, "b", None),
    )
    k = kpi_table(_results(frame))
    assert k[("voice", "2026-09", "offered")] == 1 and k[("voice", "2026-10", "offered")] == 1


def test_scope_adds_site_rows() -> None:
    frame = contacts(("a", N, "voice", "2026-09-01 09:00", True, 1, 1, "a", None)).with_columns(
        pl.lit("lyon").alias("site_id")
    )
    df = contact_results(frame, contract(), present=ALL_CONTACT_COLUMNS, scope=("site_id",)).collect()
    assert set(df["site_id"].to_list()) == {"lyon"}


def test_quality_per_channel_and_partner_wide() -> None:
    quality = pl.LazyFrame(
        {
            "partner_id": [N, N, N],
            "evaluated_at": [dt.datetime(2026, 9, 3, 10), dt.datetime(2026, 9, 4, 10), dt.datetime(2026, 9, 5, 10)],
            "score": [80.0, 90.0, 70.0],
            "channel": ["voice", "voice", None],
        }
    ).with_columns(pl.col("evaluated_at").dt.replace_time_zone("Europe/Paris"))
    k = kpi_table(quality_results(quality))
    assert k[("voice", "2026-09", "quality_score")] == pytest.approx(85.0)
    assert k[(None, "2026-09", "quality_score")] == pytest.approx(80.0)  # (80 + 90 + 70) / 3


def test_occupancy() -> None:
    staffing = pl.LazyFrame(
        {
            "partner_id": [N, N],
            "channel": ["voice", "voice"],
            "interval_start": [dt.datetime(2026, 9, 1, 9, 0), dt.datetime(2026, 9, 1, 9, 30)],
            "interval_minutes": [30, 30],
            "agents_logged_in": [2.0, 1.5],
        }
    ).with_columns(pl.col("interval_start").dt.replace_time_zone("Europe/Paris"))
    contact_kpis = contact_results(SEPTEMBER, contract(), present=ALL_CONTACT_COLUMNS)
    k = kpi_table(occupancy_results(staffing, contact_kpis))
    # handled: 100 + 200 + 300 s of answered voice; capacity: (2 + 1.5) × 30 × 60 = 6300 s
    assert k[("voice", "2026-09", "occupancy")] == pytest.approx(600 / 6300)


# --- FCR from the hashed sort ---------------------------------------------------------------------

_FCR = ("fcr_resolved", "fcr_counted", "fcr_cut", "fcr_repeated")
_WINDOWS = {"chat": 24.0}  # chat's repeat window is a day, voice keeps 7 days


def _exact_fcr(frame: pl.LazyFrame) -> pl.DataFrame:
    """Σ of the flags of the exact sort by (customer, instant), per partner × channel × month."""
    by = ["partner_id", "channel", "month"]
    flags = fcr.with_fcr_flags(frame, _WINDOWS)
    return flags.group_by(by).agg(pl.col(c).sum().cast(pl.Int64) for c in _FCR).collect().sort(by)


_contact = st.tuples(
    st.sampled_from(["a", "b", "c", "d", None]),  # customer
    st.integers(0, 40),  # arrival, in half-days from 2026-08-25: ties, exactly 7 days, month ends
    st.booleans(),  # answered
    st.sampled_from(["voice", "chat"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_contact, min_size=1, max_size=40), buckets=st.sampled_from([1, 2, 3]))
def test_fcr_from_the_hashed_sort_equals_the_exact_sort_when_customers_share_a_hash(
    rows: list[tuple], buckets: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the customer hash forced into 1, 2 or 3 values (customers interleaved in the sort), the
    rows of the shared hashes are recomputed exactly: the sums equal the exact sort's, from the 128-bit
    key's sort or, for contacts in time order, the sort on the hash above each row's position."""
    start = dt.datetime(2026, 8, 25)
    frame = pl.LazyFrame(
        {
            "partner_id": [N] * len(rows),
            "channel": [r[3] for r in rows],
            "customer_id": [r[0] for r in rows],
            "arrived_at": [start + dt.timedelta(hours=12 * r[1]) for r in rows],
            "answered": [r[2] for r in rows],
        },
        schema_overrides={"customer_id": pl.String},
    ).with_columns(pl.col("arrived_at").dt.replace_time_zone("Europe/Paris"))
    frame = frame.with_columns(month_of(pl.col("arrived_at")).alias("month"))
    by = ["partner_id", "channel", "month"]
    expected = _exact_fcr(frame)
    in_order = frame.sort("arrived_at")  # sorted on the hash and the row's position (`in_time_order`)
    assert fcr.fcr_sums(frame, by, _WINDOWS).collect().sort(by).equals(expected)
    assert fcr.fcr_sums(in_order, by, _WINDOWS, in_time_order=True).collect().sort(by).equals(expected)
    with monkeypatch.context() as m:
        m.setattr(fcr, "_customer_hash", lambda customer: customer.hash() % buckets)
        assert fcr.fcr_sums(frame, by, _WINDOWS).collect().sort(by).equals(expected)
        assert fcr.fcr_sums(in_order, by, _WINDOWS, in_time_order=True).collect().sort(by).equals(expected)
