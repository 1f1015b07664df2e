"""Interval reports: the `intervals` table, its rejections, the source of each partner × channel, and
the contact KPIs from interval counts, equal to what the same contacts give."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import partner_analytics as pa
from partner_analytics.core.errors import ContractError, TableError
from partner_analytics.metrics import kpi_results

from .conftest import CONTACT_HEADER, contract, write_engagement

INTERVAL_HEADER = (
    "partner_id,channel,interval_start,interval_minutes,offered,answered,answered_within_threshold,"
    "abandoned_within_threshold,short_abandons,answered_wait_s,handle_s"
)

# northcall voice (T = 20 s, S = 5 s) and chat (T = 60 s, S = 10 s), southdesk chat, over two months.
CONTACT_ROWS = [
    "v1,northcall,voice,2026-08-03 09:01:00,true,12,300,a,5",
    "v2,northcall,voice,2026-08-03 09:07:00,true,25,240,b,3",
    "v3,northcall,voice,2026-08-03 09:20:00,false,3,,c,",
    "v4,northcall,voice,2026-08-03 09:40:00,false,15,,d,",
    "v5,northcall,voice,2026-08-03 09:44:00,false,40,,a,",
    "v6,northcall,voice,2026-08-03 10:05:00,true,8,,e,4",
    "v7,northcall,voice,2026-09-01 09:10:00,true,30,420,f,2",
    "v8,northcall,voice,2026-09-01 09:12:00,true,5,180,a,",
    "h1,northcall,chat,2026-08-04 11:00:00,true,50,600,a,4",
    "h2,northcall,chat,2026-08-04 11:30:00,false,70,,g,",
    "s1,southdesk,chat,2026-08-05 10:00:00,true,40,200,x,",
]


STAFFING_CSV = (
    "partner_id,channel,interval_start,interval_minutes,agents_logged_in\n"
    "northcall,voice,2026-08-03 09:00:00,30,2\n"
    "northcall,voice,2026-09-01 09:00:00,30,1\n"
)


def _contacts_csv(rows: list[str]) -> str:
    return "\n".join([CONTACT_HEADER, *rows]) + "\n"


def _intervals_from_contacts(contacts: pl.DataFrame, channels: dict) -> pl.DataFrame:
    """What an ACD's 30-minute interval report holds for these contacts (the counts of docs/data-contract.md)."""
    t = pl.col("channel").replace_strict({k: v["answer_within_s"] for k, v in channels.items()})
    s = pl.col("channel").replace_strict({k: v.get("short_abandon_s", 0) for k, v in channels.items()})
    answered, wait = pl.col("answered"), pl.col("wait_s")
    return (
        contacts.with_columns(pl.col("arrived_at").dt.truncate("30m").alias("interval_start"))
        .group_by("partner_id", "channel", "interval_start")
        .agg(
            pl.len().alias("offered"),
            answered.sum().alias("answered"),
            (answered & (wait <= t)).sum().alias("answered_within_threshold"),
            (~answered & (wait <= t)).sum().alias("abandoned_within_threshold"),
            (~answered & (wait < s)).sum().alias("short_abandons"),
            wait.filter(answered).sum().alias("answered_wait_s"),
            # a total handle time when every answered contact has one
            pl.when(pl.col("handle_s").filter(answered).count() == answered.sum())
            .then(pl.col("handle_s").filter(answered).sum())
            .alias("handle_s"),
        )
        .with_columns(pl.lit(30).alias("interval_minutes"))
        .sort("partner_id", "channel", "interval_start")
    )


def _write_intervals(frame: pl.DataFrame) -> str:
    return (
        frame.with_columns(pl.col("interval_start").dt.strftime("%Y-%m-%d %H:%M:%S"))
        .select(INTERVAL_HEADER.split(","))
        .write_csv()
    )


def _both(tmp_path: Path, covers: dict, channels_changes: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The results of the contacts alone, and of the same engagement with `covers` measured from intervals."""
    data = contract()
    for channel, change in (channels_changes or {}).items():
        data["channels"][channel] = {**data["channels"][channel], **change}
    files = {"contacts.csv": _contacts_csv(CONTACT_ROWS), "staffing.csv": STAFFING_CSV}
    by_contacts = pa.load(write_engagement(tmp_path / "contacts", files, data))
    covered = {(p, c) for p, chs in covers.items() for c in chs}
    kept = [r for r in CONTACT_ROWS if tuple(r.split(",")[1:3]) not in covered]
    contacts = by_contacts.contacts.collect().with_columns(pl.col("arrived_at").dt.replace_time_zone(None))
    pairs = pl.DataFrame(sorted(covered), schema=["partner_id", "channel"], orient="row")
    intervals = _intervals_from_contacts(contacts.join(pairs, on=["partner_id", "channel"]), data["channels"])
    mixed = dict(data, sources={"intervals": {"covers": covers}})
    files |= {"contacts.csv": _contacts_csv(kept), "intervals.csv": _write_intervals(intervals)}
    by_intervals = pa.load(write_engagement(tmp_path / "intervals", files, mixed))
    assert by_intervals.rejected.collect().height == 0
    return kpi_results(by_contacts).collect(), kpi_results(by_intervals).collect()


def _row(results: pl.DataFrame, partner: str, channel: str | None, month: str, kpi: str) -> dict:
    month_ = dt.date.fromisoformat(month + "-01")
    found = results.filter(
        (pl.col("partner_id") == partner)
        & (pl.col("channel").is_null() if channel is None else pl.col("channel") == channel)
        & (pl.col("month") == month_)
        & (pl.col("kpi") == kpi)
    )
    assert found.height == 1, (partner, channel, month, kpi)
    return found.row(0, named=True)


FROM_COUNTS = ("offered", "answered", "short_abandons", "in_service", "abandons_within_threshold")
FROM_COUNTS += ("service_level", "abandon_rate", "asa", "aht", "occupancy")
CONTACT_ONLY = ("fcr", "csat", "csat_top2")


def test_every_figure_from_intervals_equals_the_contacts(tmp_path: Path) -> None:
    contacts, intervals = _both(tmp_path, {"northcall": ["voice"]})
    for month in ("2026-08", "2026-09"):
        for kpi in FROM_COUNTS:
            for channel in ("voice", None):
                a, b = (
                    _row(contacts, "northcall", channel, month, kpi),
                    _row(intervals, "northcall", channel, month, kpi),
                )
                assert (b["value"], b["numerator"], b["denominator"]) == pytest.approx(
                    (a["value"], a["numerator"], a["denominator"]), nan_ok=True
                ), (kpi, channel, month)
    # by hand, northcall voice in August: 6 offered, 3 answered (waits 12, 25, 8: 2 within 20 s),
    # 1 short abandon (3 s < 5 s), 2 abandons within 20 s (3 s, 15 s)
    sl = _row(intervals, "northcall", "voice", "2026-08", "service_level")
    assert (sl["numerator"], sl["denominator"], sl["value"]) == (2, 6 - 1, 2 / 5)
    abandon = _row(intervals, "northcall", "voice", "2026-08", "abandon_rate")
    assert abandon["value"] == pytest.approx((6 - 1 - 3) / (6 - 1))
    assert _row(intervals, "northcall", "voice", "2026-08", "asa")["value"] == pytest.approx((12 + 25 + 8) / 3)
    # AHT: the interval of v6 has no handle time (v6's is empty): its answered contact is not counted
    aht = _row(intervals, "northcall", "voice", "2026-08", "aht")
    assert (aht["numerator"], aht["denominator"]) == (300 + 240, 2)
    # occupancy: handle time over the logged-in time, 540 s / (2 agents × 1800 s); September 600 s / 1800 s
    assert _row(intervals, "northcall", "voice", "2026-08", "occupancy")["value"] == pytest.approx(540 / 3600)
    assert _row(intervals, "northcall", "voice", "2026-09", "occupancy")["value"] == pytest.approx(600 / 1800)
    # the channels still read from contacts keep their contact KPIs (FCR there sees the chat contacts only)
    assert _row(intervals, "northcall", "chat", "2026-08", "csat") == _row(
        contacts, "northcall", "chat", "2026-08", "csat"
    )


def test_contact_only_kpis_are_not_measurable_with_the_reason(tmp_path: Path) -> None:
    _, intervals = _both(tmp_path, {"northcall": ["voice"]})
    for kpi in CONTACT_ONLY:
        row = _row(intervals, "northcall", "voice", "2026-08", kpi)
        assert row["value"] is None
        assert row["note"] == "not measurable from an interval report (it needs contact records)"
        wide = _row(intervals, "northcall", None, "2026-08", kpi)
        assert wide["value"] is None
        assert wide["note"].startswith("not measurable partner-wide, a channel being measured from intervals")
    # southdesk reads contacts only: its CSAT row says the contacts had no answer, not intervals
    assert "interval" not in (_row(intervals, "southdesk", "chat", "2026-08", "csat")["note"] or "")


@pytest.mark.parametrize(
    "formula",
    [
        {},
        {"short_abandons_in_denominator": True},
        {"abandons_in_service": True},
        {"abandons_in_service": True, "short_abandons_in_denominator": True},
        {"denominator": "answered"},
        {"denominator": "answered_and_late_abandons"},
    ],
)
def test_each_service_level_formula_from_intervals(tmp_path: Path, formula: dict) -> None:
    change = {"voice": {"service_level_formula": formula}}
    contacts, intervals = _both(tmp_path, {"northcall": ["voice", "chat"]}, change)
    for channel in ("voice", "chat", None):
        a = _row(contacts, "northcall", channel, "2026-08", "service_level")
        b = _row(intervals, "northcall", channel, "2026-08", "service_level")
        assert (b["numerator"], b["denominator"]) == (a["numerator"], a["denominator"])
    # by hand (voice, August): in service 2, abandons within 20 s 2 of which 1 short, 6 offered, 3 answered
    expected = {
        "{}": (2, 5),
        "{'short_abandons_in_denominator': True}": (2, 6),
        "{'abandons_in_service': True}": (2 + 2 - 1, 5),
        "{'abandons_in_service': True, 'short_abandons_in_denominator': True}": (2 + 2, 6),
        "{'denominator': 'answered'}": (2, 3),
        "{'denominator': 'answered_and_late_abandons'}": (2, 6 - 2),
    }[str(formula)]
    row = _row(intervals, "northcall", "voice", "2026-08", "service_level")
    assert (row["numerator"], row["denominator"]) == expected


def test_charges_and_corridor_follow_the_intervals(tmp_path: Path) -> None:
    data = contract()
    contacts_only = write_engagement(tmp_path / "a", {"contacts.csv": _contacts_csv(CONTACT_ROWS)}, data)
    a = pa.compute(pa.load(contacts_only))
    kept = [r for r in CONTACT_ROWS if not r.startswith("v")]
    # v1-v8 as an interval report: offered, answered, answered within 20 s, short abandons
    intervals = (
        "partner_id,channel,interval_start,interval_minutes,offered,answered,answered_within_threshold,short_abandons\n"
        "northcall,voice,2026-08-03 09:00:00,30,3,2,1,1\n"
        "northcall,voice,2026-08-03 09:30:00,30,2,0,0,0\n"
        "northcall,voice,2026-08-03 10:00:00,30,1,1,1,0\n"
        "northcall,voice,2026-09-01 09:00:00,30,2,2,1,0\n"
    )
    files = {"contacts.csv": _contacts_csv(kept), "intervals.csv": intervals}
    covered = dict(data, sources={"intervals": {"covers": {"northcall": ["voice"]}}})
    b = pa.compute(pa.load(write_engagement(tmp_path / "b", files, covered)))
    # 4.10 € per handled voice contact: 3 answered in August = 1230 cents, as from the contacts
    charges = b.charges.collect().filter(pl.col("partner_id") == "northcall").sort("month")
    assert charges.equals(a.charges.collect().filter(pl.col("partner_id") == "northcall").sort("month"))
    august = b.charges.collect().filter(
        (pl.col("partner_id") == "northcall") & (pl.col("month") == dt.date(2026, 8, 1))
    )
    assert august["charges"].sum() == 3 * 410 + 1 * 320


def _load_intervals(tmp_path: Path, rows: list[str], header: str = INTERVAL_HEADER, **sources) -> pa.Engagement:
    data = contract(sources={"intervals": {"covers": {"northcall": ["voice"]}, **sources}})
    files = {"contacts.csv": _contacts_csv(CONTACT_ROWS[8:]), "intervals.csv": "\n".join([header, *rows]) + "\n"}
    return pa.load(write_engagement(tmp_path / "eng", files, data))


def test_inconsistent_counts_are_rejected_with_the_reason(tmp_path: Path) -> None:
    eng = _load_intervals(
        tmp_path,
        [
            "northcall,voice,2026-08-03 09:00:00,30,3,2,1,1,1,37,540",
            "northcall,voice,2026-08-03 09:30:00,30,3,4,1,0,0,10,10",
            "northcall,voice,2026-08-03 10:00:00,30,3,2,3,0,0,10,10",
            "northcall,voice,2026-08-03 10:30:00,30,3,2,1,2,0,10,10",
            "northcall,voice,2026-08-03 11:00:00,30,3,0,0,1,0,12,0",
            "northcall,chat,2026-08-03 11:00:00,30,3,2,1,0,0,10,10",
        ],
    )
    assert eng.table("intervals").collect().height == 1
    rejected = eng.rejected.collect().sort("row")
    assert rejected["row"].to_list() == [3, 4, 5, 6, 7]
    assert rejected["column"].to_list() == [
        "answered",
        "answered_within_threshold",
        "abandoned_within_threshold",
        "answered_wait_s",
        "channel",
    ]
    reasons = rejected["reason"].to_list()
    assert reasons[0] == "answered 4 is more than offered 3 (expected answered ≤ offered)"
    assert reasons[1].startswith("answered within the threshold 3 is more than answered 2")
    assert reasons[2].startswith("abandoned within the threshold 2 is more than the unanswered contacts 1")
    assert reasons[3] == "answered_wait_s 12.0 with no answered contact (expected 0 or empty)"
    assert reasons[4].startswith("northcall × chat is not under sources.intervals.covers")


def test_contacts_of_a_pair_measured_from_intervals_are_rejected(tmp_path: Path) -> None:
    data = contract(sources={"intervals": {"covers": {"northcall": ["voice"]}}})
    files = {
        "contacts.csv": _contacts_csv(CONTACT_ROWS[7:9]),
        "intervals.csv": INTERVAL_HEADER + "\nnorthcall,voice,2026-08-03 09:00:00,30,3,2,1,1,1,37,540\n",
    }
    eng = pa.load(write_engagement(tmp_path / "eng", files, data))
    rejected = eng.rejected.collect()
    assert rejected.select("table", "row", "column").rows() == [("contacts", 2, "channel")]
    assert rejected["reason"][0] == (
        "northcall × voice is measured from interval reports (sources.intervals.covers): its contacts are not counted"
    )


def test_a_threshold_other_than_the_contracts_is_rejected(tmp_path: Path) -> None:
    header = "partner_id,channel,interval_start,interval_minutes,offered,answered,answered_within_threshold,"
    eng = _load_intervals(
        tmp_path,
        ["northcall,voice,2026-08-03 09:00:00,30,3,2,1,0,20", "northcall,voice,2026-08-03 09:30:00,30,3,2,1,0,30"],
        header=header + "short_abandons,threshold_s",
    )
    assert eng.table("intervals").collect().height == 1
    rejected = eng.rejected.collect()
    assert rejected.select("row", "column").rows() == [(3, "threshold_s")]
    assert rejected["reason"][0] == (
        "the report's threshold 30.0 s is not the contract's channels.voice.answer_within_s 20.0 s "
        "(answered within the threshold would count other contacts)"
    )


def test_a_formula_the_counts_cannot_support_is_a_key_path_error(tmp_path: Path) -> None:
    header = "partner_id,channel,interval_start,interval_minutes,offered,answered,answered_within_threshold"
    with pytest.raises(ContractError) as error:
        _load_intervals(tmp_path, ["northcall,voice,2026-08-03 09:00:00,30,3,2,1"], header=header)
    assert error.value.key == "channels.voice.service_level_formula.short_abandons_in_denominator"
    assert "no short_abandons column" in str(error.value)


def test_an_interval_report_needs_the_pairs_it_covers(tmp_path: Path) -> None:
    files = {
        "contacts.csv": _contacts_csv(CONTACT_ROWS[8:]),
        "intervals.csv": INTERVAL_HEADER + "\nnorthcall,voice,2026-08-03 09:00:00,30,3,2,1,1,1,37,540\n",
    }
    with pytest.raises(TableError) as error:
        pa.load(write_engagement(tmp_path / "eng", files, contract()))
    assert error.value.key == "sources.intervals.covers"
    with pytest.raises(ContractError, match="unknown partner 'nortcall'"):
        pa.load(
            write_engagement(
                tmp_path / "b", files, contract(sources={"intervals": {"covers": {"nortcall": ["voice"]}}})
            )
        )


HALF_HOURS = {"voice": {"interval_target": {"minutes": 30, "service_level": 0.5}}}


def test_interval_targets_from_intervals_equal_the_contacts(tmp_path: Path) -> None:
    """Northcall voice, 50 % in 20 s per half-hour. 3 August 09:00: v1 in 12 s, v2 in 25 s, v3 a short
    abandon: 1 of 2, reached; 09:30: two abandons (15 s, 40 s): 0 of 2; 10:00: v6 in 8 s: reached. 2 of 3.
    The day: (1 + 0 + 1) / (6 − 1) = 40 %. 1 September 09:00: v7 in 30 s, v8 in 5 s: 1 of 2, reached: 1 of 1."""
    contacts, intervals = _both(tmp_path, {"northcall": ["voice"]}, HALF_HOURS)
    for month in ("2026-08", "2026-09"):
        for kpi in ("interval_attainment", "worst_day_service_level"):
            for channel in ("voice", None):
                a, b = (
                    _row(contacts, "northcall", channel, month, kpi),
                    _row(intervals, "northcall", channel, month, kpi),
                )
                assert (b["value"], b["numerator"], b["denominator"], b["note"]) == (
                    a["value"],
                    a["numerator"],
                    a["denominator"],
                    a["note"],
                ), (kpi, channel, month)
    august = _row(intervals, "northcall", "voice", "2026-08", "interval_attainment")
    assert (august["numerator"], august["denominator"]) == (2, 3)
    worst = _row(intervals, "northcall", "voice", "2026-08", "worst_day_service_level")
    assert (worst["numerator"], worst["denominator"]) == (2, 5)
    assert _row(intervals, "northcall", "voice", "2026-09", "interval_attainment")["value"] == 1.0


def test_interval_targets_per_queue_of_an_interval_report(tmp_path: Path) -> None:
    """Two queues of 15-minute rows, added up into half-hours: billing 09:00 (2 of 2 + 0 of 2: 50 %, reached)
    and 09:30 (0 of 1); claims 09:00 (3 of 3). Hourly rows of chat, whose target is 30 minutes: not measurable."""
    header = INTERVAL_HEADER + ",queue"
    changes = {
        "voice": {**contract()["channels"]["voice"], **HALF_HOURS["voice"]},
        "chat": {
            "answer_within_s": 60,
            "short_abandon_s": 10,
            "interval_target": {"minutes": 30, "service_level": 0.8},
        },
    }
    data = contract(
        channels={**contract()["channels"], **changes},
        sources={"intervals": {"covers": {"northcall": ["voice", "chat"]}}},
    )
    rows = [
        "northcall,voice,2026-08-03 09:00:00,15,2,2,2,0,0,20,200,billing",
        "northcall,voice,2026-08-03 09:15:00,15,2,2,0,0,0,80,200,billing",
        "northcall,voice,2026-08-03 09:30:00,15,1,1,0,0,0,30,100,billing",
        "northcall,voice,2026-08-03 09:00:00,15,3,3,3,0,0,15,300,claims",
        "northcall,chat,2026-08-03 11:00:00,60,4,4,4,0,0,40,400,billing",
    ]
    files = {"contacts.csv": _contacts_csv(CONTACT_ROWS[10:]), "intervals.csv": "\n".join([header, *rows]) + "\n"}
    eng = pa.load(write_engagement(tmp_path / "eng", files, data))
    assert eng.rejected.collect().height == 0
    results = kpi_results(eng, scope=("queue",)).collect()

    def row(queue: str, channel: str | None) -> dict:
        found = results.filter(
            (pl.col("kpi") == "interval_attainment")
            & (pl.col("queue") == queue)
            & pl.col("channel").eq_missing(channel)
            & (pl.col("partner_id") == "northcall")
        )
        assert found.height == 1, (queue, channel)
        return found.row(0, named=True)

    assert (row("billing", "voice")["numerator"], row("billing", "voice")["denominator"]) == (1, 2)
    assert row("claims", "voice")["value"] == 1.0
    chat = row("billing", "chat")
    assert (
        chat["value"] is None
        and chat["note"] == "the interval report's intervals are longer than the interval target's"
    )
    assert row("billing", None)["value"] is None  # partner-wide over a channel not measurable is not either
