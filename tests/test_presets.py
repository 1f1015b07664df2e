"""Presets for the platforms' exports: each platform's fields and timestamps read into our columns,
waits and handle times derived, and the KPIs computed from them checked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

import polars as pl
import pytest

import partner_analytics as pa
from partner_analytics.contract.terms import Source
from partner_analytics.core.errors import ContractError, TableError
from partner_analytics.io.presets import PRESETS
from partner_analytics.metrics import kpi_results

from .conftest import CONTACT_HEADER, contract, write_engagement

PARIS = ZoneInfo("Europe/Paris")

# An Amazon Connect contact-record export (the contact record's fields, nested ones flattened with
# dots), times in UTC: 07:00Z is 09:00 in Paris in September. The contact flow sets the contact
# attribute partner_id.
CONNECT_HEADER = (
    "ContactId,Channel,InitiationMethod,InitiationTimestamp,Queue.Name,Queue.EnqueueTimestamp,"
    "Queue.DequeueTimestamp,Agent.ConnectedToAgentTimestamp,Agent.AfterContactWorkEndTimestamp,"
    "DisconnectTimestamp,CustomerEndpoint.Address,Attributes.partner_id"
)
CONNECT_ROWS = [
    # answered after 12 s; ACW ends 5 min 30 s after the agent's connection
    "c1,VOICE,INBOUND,2026-09-01T07:00:00Z,Billing,2026-09-01T07:00:05Z,2026-09-01T07:00:17Z,"
    "2026-09-01T07:00:17Z,2026-09-01T07:05:47Z,2026-09-01T07:05:02Z,+33100000001,northcall",
    # abandoned after 3 s in queue (a short abandon: S = 5 s)
    "c2,VOICE,INBOUND,2026-09-01T07:09:58Z,Billing,2026-09-01T07:10:00Z,2026-09-01T07:10:03Z,,,"
    "2026-09-01T07:10:03Z,+33100000002,northcall",
    # answered after 25 s; no ACW end: the handle time runs to the disconnection (4 min)
    "c3,VOICE,INBOUND,2026-09-01T07:19:55Z,Billing,2026-09-01T07:20:00Z,2026-09-01T07:20:25Z,"
    "2026-09-01T07:20:25Z,,2026-09-01T07:24:25Z,+33100000001,northcall",
    # abandoned, no dequeue time: the wait runs to the disconnection (15 s)
    "c4,VOICE,INBOUND,2026-09-01T07:29:50Z,Billing,2026-09-01T07:30:00Z,,,,2026-09-01T07:30:15Z,+33100000003,northcall",
    # a chat answered after 40 s, handled 10 min
    "c5,CHAT,API,2026-09-01T08:00:00Z,Chat,2026-09-01T08:00:00Z,2026-09-01T08:00:40Z,"
    "2026-09-01T08:00:40Z,2026-09-01T08:10:40Z,2026-09-01T08:09:00Z,,northcall",
    # ended in the IVR, never queued: never offered to the partner
    "c6,VOICE,INBOUND,2026-09-01T09:00:00Z,,,,,,2026-09-01T09:01:00Z,+33100000004,northcall",
]


def _connect(tmp_path: Path, rows: list[str], header: str = CONNECT_HEADER, **source) -> pa.Engagement:
    data = contract(sources={"contacts": {"path": "ctr.csv", "preset": "amazon_connect", **source}})
    return pa.load(write_engagement(tmp_path / "eng", {"ctr.csv": "\n".join([header, *rows]) + "\n"}, data))


def test_presets_are_the_ones_the_contract_accepts() -> None:
    literal = next(a for a in get_args(Source.model_fields["preset"].annotation) if a is not type(None))
    assert set(get_args(literal)) == set(PRESETS)


def test_amazon_connect_waits_handle_times_and_flags(tmp_path: Path) -> None:
    eng = _connect(tmp_path, CONNECT_ROWS)
    contacts = eng.contacts.collect().sort("contact_id")
    assert contacts["contact_id"].to_list() == ["c1", "c2", "c3", "c4", "c5"]
    assert contacts["channel"].to_list() == ["voice", "voice", "voice", "voice", "chat"]
    assert contacts["answered"].to_list() == [True, False, True, False, True]
    assert contacts["wait_s"].to_list() == [12.0, 3.0, 25.0, 15.0, 40.0]
    assert contacts["handle_s"].to_list() == [330.0, None, 240.0, None, 600.0]
    assert contacts["queue"].to_list() == ["Billing"] * 4 + ["Chat"]
    assert contacts["customer_id"].to_list()[:2] == ["+33100000001", "+33100000002"]
    # arrival = entering the queue, 07:00:05Z = 09:00:05 in Paris
    assert contacts["arrived_at"][0] == dt.datetime(2026, 9, 1, 9, 0, 5, tzinfo=PARIS)
    rejected = eng.rejected.collect()
    # c6 (row 7), never queued, has no arrival in a queue nor a wait: rejected, kept
    assert rejected.select("row", "column", "reason").rows() == [
        (7, "arrived_at", "missing required value (also wait_s: missing required value)")
    ]
    # the fields the preset reads are not reported as left out
    assert not any("EnqueueTimestamp" in w for w in eng.warnings)


def test_amazon_connect_kpis_by_hand(tmp_path: Path) -> None:
    results = kpi_results(_connect(tmp_path, CONNECT_ROWS)).collect()

    def value(kpi: str, channel: str = "voice") -> float:
        row = results.filter(
            (pl.col("partner_id") == "northcall") & (pl.col("channel") == channel) & (pl.col("kpi") == kpi)
        )
        return row["value"][0]

    # voice: 4 offered, 2 answered (waits 12 s, 25 s: 1 within T = 20 s), 1 short abandon (3 s < 5 s)
    assert value("offered") == 4
    assert value("answered") == 2
    assert value("service_level") == pytest.approx(1 / (4 - 1))
    assert value("abandon_rate") == pytest.approx((4 - 1 - 2) / (4 - 1))
    assert value("asa") == pytest.approx((12 + 25) / 2)
    assert value("aht") == pytest.approx((330 + 240) / 2)
    assert value("service_level", "chat") == 1.0  # 40 s within T = 60 s


def test_a_users_columns_override_the_preset(tmp_path: Path) -> None:
    header = CONNECT_HEADER.replace("Attributes.partner_id", "Prestataire")
    eng = _connect(tmp_path, CONNECT_ROWS[:2], header=header, columns={"partner_id": "Prestataire"})
    assert eng.contacts.collect()["partner_id"].to_list() == ["northcall", "northcall"]


def test_a_missing_field_names_the_platforms_field_and_ours(tmp_path: Path) -> None:
    header = CONNECT_HEADER.replace("Queue.EnqueueTimestamp", "EnqueuedAt")
    with pytest.raises(TableError) as error:
        _connect(tmp_path, CONNECT_ROWS[:1], header=header)
    assert error.value.key == "arrived_at"
    assert (
        "needs the field 'Queue.EnqueueTimestamp' of the Amazon Connect contact records for our column arrived_at"
        in (str(error.value))
    )


def test_an_unknown_preset_is_a_key_path_error(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="sources.contacts.preset"):
        _connect(tmp_path, CONNECT_ROWS[:1], preset="amazon_conect")


# An Avaya CMS split interval report (hsplit database items) of northcall's voice split 12: two
# half-hours, local times. The partner is the file's, mapped under columns. CMS counts no short
# abandons: the contract's voice channel has none here (short_abandon_s 0).
CMS_HEADER = (
    "partner,ROW_DATE,STARTTIME,INTRVL,SPLIT,CALLSOFFERED,ACDCALLS,ABNCALLS,ACCEPTABLE,SLVLABNS,"
    "ANSTIME,ACDTIME,HOLDACDTIME,ACWTIME"
)
CMS_ROWS = [
    "northcall,2026-09-01,900,30,12,10,8,2,6,1,96,1800,100,400",
    "northcall,2026-09-01,930,30,12,5,5,0,5,0,40,900,0,300",
]


def _cms(tmp_path: Path, rows: list[str], header: str = CMS_HEADER) -> pa.Engagement:
    intervals = {
        "path": "cms.csv",
        "preset": "avaya_cms",
        "columns": {"partner_id": "partner"},
        "covers": {"northcall": ["voice"]},
    }
    data = contract(sources={"intervals": intervals})
    data["channels"]["voice"] = {"answer_within_s": 20, "service_level_formula": {"abandons_in_service": True}}
    files = {"cms.csv": "\n".join([header, *rows]) + "\n", "contacts.csv": CONTACT_HEADER + "\n" + SOUTHDESK_CONTACT}
    return pa.load(write_engagement(tmp_path / "eng", files, data))


SOUTHDESK_CONTACT = "s1,southdesk,chat,2026-09-02 10:00:00,true,40,200,x,\n"


def test_avaya_cms_interval_report(tmp_path: Path) -> None:
    eng = _cms(tmp_path, CMS_ROWS)
    assert eng.rejected.collect().height == 0
    intervals = eng.table("intervals").collect().sort("interval_start")
    assert intervals["interval_start"].to_list() == [
        dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS),
        dt.datetime(2026, 9, 1, 9, 30, tzinfo=PARIS),
    ]
    assert intervals["channel"].to_list() == ["voice", "voice"]
    assert intervals["queue"].to_list() == ["12", "12"]
    assert intervals["handle_s"].to_list() == [1800 + 100 + 400, 900 + 0 + 300]
    assert intervals["abandoned_within_threshold"].to_list() == [1, 0]
    results = kpi_results(eng).collect()

    def value(kpi: str) -> float:
        row = results.filter(
            (pl.col("partner_id") == "northcall") & (pl.col("channel") == "voice") & (pl.col("kpi") == kpi)
        )
        return row["value"][0]

    # offered 10 + 5, answered 8 + 5, within the threshold 6 + 5, abandoned within it 1 (counted in
    # service under abandons_in_service), no short abandons
    assert value("offered") == 15
    assert value("service_level") == pytest.approx((6 + 5 + 1) / 15)
    assert value("abandon_rate") == pytest.approx((15 - 13) / 15)
    assert value("asa") == pytest.approx((96 + 40) / 13)
    assert value("aht") == pytest.approx((1800 + 100 + 400 + 900 + 300) / 13)
    assert value("fcr") is None


def test_avaya_cms_missing_item_names_it_and_ours(tmp_path: Path) -> None:
    with pytest.raises(TableError) as error:
        _cms(tmp_path, CMS_ROWS, header=CMS_HEADER.replace("ACCEPTABLE", "ACCEPT"))
    assert error.value.key == "answered_within_threshold"
    assert "needs the field 'ACCEPTABLE' of the Avaya CMS split/skill interval report (hsplit)" in str(error.value)


def test_avaya_cms_inconsistent_interval_is_rejected(tmp_path: Path) -> None:
    eng = _cms(tmp_path, [CMS_ROWS[0], "northcall,2026-09-01,1000,30,12,5,6,0,5,0,40,900,0,300"])
    rejected = eng.rejected.collect()
    assert rejected.select("row", "column", "reason").rows() == [
        (3, "answered", "answered 6 is more than offered 5 (expected answered ≤ offered)")
    ]


def test_avaya_cms_without_abandons_by_threshold_cannot_support_the_formula(tmp_path: Path) -> None:
    header = CMS_HEADER.replace("SLVLABNS", "OTHER")
    with pytest.raises(ContractError) as error:
        _cms(tmp_path, CMS_ROWS, header=header)
    assert error.value.key == "channels.voice.service_level_formula.abandons_in_service"
    assert "no abandoned_within_threshold column" in str(error.value)


# Genesys Cloud conversation details, one row per conversation with its ACD session's metrics
# (milliseconds) and the partner as a participant attribute exported as partner_id.
GENESYS_HEADER = "conversationId,conversationStart,mediaType,queueName,ani,tAnswered,tAbandon,tHandle,partner_id"
GENESYS_ROWS = [
    "g1,2026-09-01T07:00:00.000Z,voice,Billing,tel:+33100000001,12000,,330000,northcall",
    "g2,2026-09-01T07:10:00.000Z,voice,Billing,tel:+33100000002,,3000,,northcall",
    "g3,2026-09-01T07:20:00.000Z,voice,Billing,tel:+33100000001,25500,,240000,northcall",
    "g4,2026-09-01T07:30:00.000Z,voice,Billing,tel:+33100000003,,15000,,northcall",
]


def test_genesys_cloud_metrics_read_into_waits_and_handle_times(tmp_path: Path) -> None:
    data = contract(sources={"contacts": {"path": "details.csv", "preset": "genesys_cloud"}})
    files = {"details.csv": "\n".join([GENESYS_HEADER, *GENESYS_ROWS]) + "\n"}
    eng = pa.load(write_engagement(tmp_path / "eng", files, data))
    contacts = eng.contacts.collect().sort("contact_id")
    assert contacts["answered"].to_list() == [True, False, True, False]
    assert contacts["wait_s"].to_list() == [12.0, 3.0, 25.5, 15.0]
    assert contacts["handle_s"].to_list() == [330.0, None, 240.0, None]
    assert contacts["arrived_at"][0] == dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    results = kpi_results(eng).collect().filter((pl.col("partner_id") == "northcall") & (pl.col("channel") == "voice"))
    value = dict(zip(results["kpi"], results["value"], strict=True))
    # 4 offered, 2 answered (12 s within T = 20 s, 25.5 s not), 1 short abandon (3 s < 5 s)
    assert value["service_level"] == pytest.approx(1 / (4 - 1))
    assert value["abandon_rate"] == pytest.approx((4 - 1 - 2) / (4 - 1))
    assert value["asa"] == pytest.approx((12 + 25.5) / 2)
    assert value["aht"] == pytest.approx((330 + 240) / 2)


def test_genesys_cloud_missing_metric_names_it_and_ours(tmp_path: Path) -> None:
    data = contract(sources={"contacts": {"path": "details.csv", "preset": "genesys_cloud"}})
    header = GENESYS_HEADER.replace("tAbandon", "tAbandoned")
    files = {"details.csv": "\n".join([header, *GENESYS_ROWS]) + "\n"}
    with pytest.raises(TableError) as error:
        pa.load(write_engagement(tmp_path / "eng", files, data))
    assert error.value.key == "wait_s"
    assert "needs the field 'tAbandon' of the Genesys Cloud conversation details for our column wait_s" in str(
        error.value
    )


def test_a_row_wider_than_the_header_is_rejected_and_the_others_read(tmp_path: Path) -> None:
    eng = _connect(tmp_path, [CONNECT_ROWS[0], CONNECT_ROWS[1] + ",surplus"])
    assert eng.contacts.collect()["contact_id"].to_list() == ["c1"]
    rejected = eng.rejected.collect()
    assert rejected["row"].to_list() == [3]
    assert rejected["reason"][0].startswith("1 value(s) beyond the header's last column")


def test_a_parquet_export_reads_as_the_csv_one(tmp_path: Path) -> None:
    frame = pl.read_csv(("\n".join([CONNECT_HEADER, *CONNECT_ROWS[:5]]) + "\n").encode(), infer_schema=False)
    folder = tmp_path / "eng"
    data = contract(sources={"contacts": {"path": "ctr.parquet", "preset": "amazon_connect"}})
    write_engagement(folder, {}, data)
    frame.write_parquet(folder / "ctr.parquet")
    contacts = pa.load(folder).contacts.collect().sort("contact_id")
    assert contacts["wait_s"].to_list() == [12.0, 3.0, 25.0, 15.0, 40.0]
    assert contacts["handle_s"].to_list() == [330.0, None, 240.0, None, 600.0]


def test_an_unreadable_timestamp_is_rejected_quoting_it(tmp_path: Path) -> None:
    row = CONNECT_ROWS[0].replace("2026-09-01T07:00:05Z", "yesterday")
    rejected = _connect(tmp_path, [row]).rejected.collect()
    assert rejected["column"].to_list() == ["arrived_at"]
    assert rejected["reason"][0].startswith("cannot read 'yesterday' as")


def _kpis(eng: pa.Engagement, channel: str = "voice") -> dict[str, float | None]:
    results = kpi_results(eng).collect().filter((pl.col("partner_id") == "northcall") & (pl.col("channel") == channel))
    return dict(zip(results["kpi"], results["value"], strict=True))


def test_amazon_connect_transfer_read_from_the_contact_record(tmp_path: Path) -> None:
    header = CONNECT_HEADER + ",TransferCompletedTimestamp,TransferredToEndpoint.Address"
    # c1 transferred by its agent at 07:03Z; c3 and the chat c5 not; c2 abandoned
    ends = [",2026-09-01T07:03:00Z,+33199999999", ",,", ",,", ",,", ",,"]
    eng = _connect(tmp_path, [row + end for row, end in zip(CONNECT_ROWS[:5], ends, strict=True)], header=header)
    contacts = eng.contacts.collect().sort("contact_id")
    assert contacts["transferred"].to_list() == [True, None, False, None, False]
    assert _kpis(eng)["transfer_rate"] == pytest.approx(1 / 2)  # 1 of 2 answered voice contacts
    assert _kpis(eng, "chat")["transfer_rate"] == 0.0


def test_amazon_connect_without_transfer_fields_has_no_transfer_rate(tmp_path: Path) -> None:
    eng = _connect(tmp_path, CONNECT_ROWS)
    assert not eng.has("contacts", "transferred")
    assert _kpis(eng)["transfer_rate"] is None


def test_genesys_cloud_transfers_counted(tmp_path: Path) -> None:
    data = contract(sources={"contacts": {"path": "details.csv", "preset": "genesys_cloud"}})
    rows = [row + end for row, end in zip(GENESYS_ROWS, [",2", ",", ",", ","], strict=True)]
    files = {"details.csv": "\n".join([GENESYS_HEADER + ",nTransferred", *rows]) + "\n"}
    eng = pa.load(write_engagement(tmp_path / "eng", files, data))
    assert eng.contacts.collect().sort("contact_id")["transferred"].to_list() == [True, False, False, False]
    assert _kpis(eng)["transfer_rate"] == pytest.approx(1 / 2)  # g1 transferred twice, g3 not


# A NICE CXone Call Detail data download report: one row per contact, times in seconds (or
# hh:mm:ss), the start as the report's local date and time. Contact 105 was created by the transfer
# of 101 (its Master_Contact_ID): a contact of its own in the skill Sales, and 101 is transferred.
NICE_HEADER = (
    "Contact_ID,Master_Contact_ID,Media_Name,ANI_Dialnum,Skill_Name,Start_Date,Start_Time,PreQueue,InQueue,"
    "Agent_Time,PostQueue,ACW_Seconds,Abandon,Abandon_Time,partner_id"
)
NICE_ROWS = [
    # answered after 12 s in queue; 4 min 30 s with the agent + 60 s of ACW
    "101,101,Call,0100000001,Billing,2026-09-01,09:00:00,5,12,0:04:30,0,60,N,0,northcall",
    # abandoned after 3 s in queue (7 s in the system with 4 s of IVR)
    "102,102,Call,0100000002,Billing,2026-09-01,09:10:00,4,3,0,0,0,Y,7,northcall",
    "103,103,Call,0100000001,Billing,2026-09-01,09:20:00,5,25,200,0,40,N,0,northcall",
    "104,104,Call,0100000003,Billing,2026-09-01,09:30:00,2,15,0,0,0,Y,17,northcall",
    # 101 transferred to Sales: answered after 8 s, 100 s + 20 s
    "105,101,Call,0100000001,Sales,2026-09-01,09:05:30,0,8,100,0,20,N,0,northcall",
    "106,106,Chat,,Chat,2026-09-01,10:00:00,0,40,600,0,0,N,0,northcall",
]


def _nice(tmp_path: Path, rows: list[str], header: str = NICE_HEADER) -> pa.Engagement:
    data = contract(sources={"contacts": {"path": "cxone.csv", "preset": "nice_cxone"}})
    return pa.load(write_engagement(tmp_path / "eng", {"cxone.csv": "\n".join([header, *rows]) + "\n"}, data))


def test_nice_cxone_waits_handle_times_flags_and_kpis(tmp_path: Path) -> None:
    eng = _nice(tmp_path, NICE_ROWS)
    assert eng.rejected.collect().height == 0
    contacts = eng.contacts.collect().sort("contact_id")
    assert contacts["contact_id"].to_list() == ["101", "102", "103", "104", "105", "106"]
    assert contacts["channel"].to_list() == ["voice"] * 5 + ["chat"]
    assert contacts["answered"].to_list() == [True, False, True, False, True, True]
    assert contacts["wait_s"].to_list() == [12.0, 3.0, 25.0, 15.0, 8.0, 40.0]
    assert contacts["handle_s"].to_list() == [270 + 60.0, None, 200 + 40.0, None, 100 + 20.0, 600.0]
    assert contacts["transferred"].to_list() == [True, None, False, None, False, False]
    assert contacts["queue"].to_list() == ["Billing"] * 4 + ["Sales", "Chat"]
    assert contacts["arrived_at"][0] == dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    value = _kpis(eng)
    # voice: 5 offered, 3 answered (12 s and 8 s within T = 20 s, 25 s not), 1 short abandon (3 s < 5 s)
    assert value["offered"] == 5
    assert value["service_level"] == pytest.approx(2 / (5 - 1))
    assert value["abandon_rate"] == pytest.approx((5 - 1 - 3) / (5 - 1))
    assert value["asa"] == pytest.approx((12 + 25 + 8) / 3)
    assert value["aht"] == pytest.approx((330 + 240 + 120) / 3)
    assert value["transfer_rate"] == pytest.approx(1 / 3)


def test_nice_cxone_missing_field_names_it_and_ours(tmp_path: Path) -> None:
    with pytest.raises(TableError) as error:
        _nice(tmp_path, NICE_ROWS, header=NICE_HEADER.replace("InQueue", "Queue_Time"))
    assert error.value.key == "wait_s"
    assert "needs the field 'InQueue' of the NICE CXone Call Detail data download report for our column wait_s" in (
        str(error.value)
    )


def test_nice_cxone_fields_found_whatever_their_case(tmp_path: Path) -> None:
    eng = _nice(tmp_path, NICE_ROWS[:2], header=NICE_HEADER.replace("Start_Time", "start_time"))
    assert eng.contacts.collect()["arrived_at"].to_list()[0] == dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)


# A Five9 Call Log report: durations hh:mm:ss, DATE and TIME local, ABANDONED 1/0, TRANSFERS a count.
FIVE9_HEADER = (
    "CALL ID,DATE,TIME,CAMPAIGN,SKILL,ANI,QUEUE WAIT TIME,TALK TIME,HOLD TIME,AFTER CALL WORK TIME,"
    "HANDLE TIME,ABANDONED,TRANSFERS,DISPOSITION,partner_id"
)
FIVE9_ROWS = [
    "f1,2026/09/01,09:00:00,Inbound,Billing,0100000001,0:00:12,0:04:00,0:00:30,0:01:00,0:05:30,0,0,Resolved,northcall",
    "f2,2026/09/01,09:10:00,Inbound,Billing,0100000002,0:00:03,0:00:00,0:00:00,0:00:00,0:00:00,1,0,Abandon,northcall",
    "f3,2026/09/01,09:20:00,Inbound,Billing,0100000001,0:00:25,0:03:00,0:00:00,0:01:00,0:04:00,0,1,Transferred,northcall",
    "f4,2026/09/01,09:30:00,Inbound,Billing,0100000003,0:00:15,0:00:00,0:00:00,0:00:00,0:00:00,1,0,Abandon,northcall",
    # ended in the IVR, never in a skill's queue: never offered to the partner
    "f5,2026/09/01,09:40:00,Inbound,,0100000004,0:00:00,0:00:00,0:00:00,0:00:00,0:00:00,0,0,Hang Up,northcall",
]


def _five9(tmp_path: Path, rows: list[str], header: str = FIVE9_HEADER) -> pa.Engagement:
    data = contract(sources={"contacts": {"path": "calllog.csv", "preset": "five9"}})
    return pa.load(write_engagement(tmp_path / "eng", {"calllog.csv": "\n".join([header, *rows]) + "\n"}, data))


def test_five9_call_log_waits_handle_times_flags_and_kpis(tmp_path: Path) -> None:
    eng = _five9(tmp_path, FIVE9_ROWS)
    contacts = eng.contacts.collect().sort("contact_id")
    assert contacts["contact_id"].to_list() == ["f1", "f2", "f3", "f4"]
    assert contacts["answered"].to_list() == [True, False, True, False]
    assert contacts["wait_s"].to_list() == [12.0, 3.0, 25.0, 15.0]
    assert contacts["handle_s"].to_list() == [5 * 60 + 30.0, None, 4 * 60.0, None]
    assert contacts["transferred"].to_list() == [False, None, True, None]
    assert contacts["queue"].to_list() == ["Billing"] * 4
    assert contacts["arrived_at"][0] == dt.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    rejected = eng.rejected.collect()
    assert rejected.select("row", "column", "reason").rows() == [(6, "arrived_at", "missing required value")]
    value = _kpis(eng)
    # 4 offered, 2 answered (12 s within T = 20 s, 25 s not), 1 short abandon (3 s < 5 s)
    assert value["service_level"] == pytest.approx(1 / (4 - 1))
    assert value["abandon_rate"] == pytest.approx((4 - 1 - 2) / (4 - 1))
    assert value["asa"] == pytest.approx((12 + 25) / 2)
    assert value["aht"] == pytest.approx((330 + 240) / 2)
    assert value["transfer_rate"] == pytest.approx(1 / 2)


def test_five9_missing_field_names_it_and_ours(tmp_path: Path) -> None:
    with pytest.raises(TableError) as error:
        _five9(tmp_path, FIVE9_ROWS, header=FIVE9_HEADER.replace("ABANDONED", "ABANDON"))
    assert error.value.key == "answered"
    assert "needs the field 'ABANDONED' of the Five9 Call Log report for our column answered" in str(error.value)


def test_five9_unreadable_duration_is_rejected_quoting_it(tmp_path: Path) -> None:
    rejected = _five9(tmp_path, [FIVE9_ROWS[0].replace("0:00:12", "12 sec")]).rejected.collect()
    assert rejected["column"].to_list() == ["wait_s"]
    assert rejected["reason"][0].startswith("cannot read '12 sec' as")


def test_a_flag_that_is_no_flag_is_rejected_quoting_it(tmp_path: Path) -> None:
    rejected = _five9(tmp_path, [FIVE9_ROWS[0].replace(",0,0,Resolved", ",maybe,0,Resolved")]).rejected.collect()
    assert rejected["column"].to_list() == ["answered"]
    assert rejected["reason"][0].startswith("cannot read 'maybe' as")
