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
