"""A contact history delivered as a folder of monthly Parquet files, and computed partition by partition.

Small folders written here check the reading (rows numbered within their file, rejected rows naming
it, every file in the lineage with its digest), and a table listed as several files (a file, then a
folder) computed partition by partition, outside-hours contacts measured apart included; a
~1 M-contact engagement split into monthly files (FCR windows crossing every month's end, two DST
changes a year) checks that every table computed partition by partition equals the in-memory engine's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import fields
from pathlib import Path

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from partner_analytics.batch.cluster import partition_reading
from partner_analytics.contract.reading import parse_contract
from partner_analytics.core.errors import TableError
from partner_analytics.io.engagement import load
from partner_analytics.io.lineage import digests_read_meanwhile, lineage
from partner_analytics.metrics.contact_kpis import contact_flags
from partner_analytics.metrics.fcr import window_microseconds
from partner_analytics.metrics.partitioned import contact_totals, interval_sums, tallies_of_sums
from partner_analytics.pipeline.analysis import Analysis, compute
from partner_analytics.sample import generate_sample

from .conftest import contract, write_engagement
from .factories import contacts


def _contacts(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "contact_id": pl.String,
            "partner_id": pl.String,
            "channel": pl.String,
            "arrived_at": pl.Datetime("us"),
            "answered": pl.Boolean,
            "wait_s": pl.Float64,
            "handle_s": pl.Float64,
            "customer_id": pl.String,
            "csat": pl.Int8,
        },
        orient="row",
    )


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


SEPTEMBER = [
    ("c1", "northcall", "voice", _at("2026-09-01 09:00"), True, 10.0, 300.0, "k1", 5),
    ("c2", "northcall", "voice", _at("2026-09-28 10:00"), True, 30.0, 200.0, "k2", None),
    ("c3", "northcall", "chat", _at("2026-09-30 23:00"), True, 5.0, 100.0, "k3", 4),
]
OCTOBER = [
    ("c4", "northcall", "voice", _at("2026-10-02 09:00"), True, 12.0, 250.0, "k2", None),  # k2's repeat, 4 days on
    ("c5", "northcall", "voice", _at("2026-10-03 09:00"), False, 4.0, None, "k9", None),
    ("c6", "nobody", "voice", _at("2026-10-05 09:00"), True, 4.0, 10.0, "k8", None),  # unknown partner: row 3
    ("c7", "northcall", "chat", _at("2026-10-20 11:00"), True, 50.0, 90.0, "k3", 3),  # k3: 19 days on
]


def _monthly(folder: Path, months: dict[str, pl.DataFrame]) -> Path:
    """An engagement whose contacts are `contacts/month=YYYY-MM/part-0.parquet`."""
    data = contract(sources={"contacts": {"path": "contacts"}})
    write_engagement(folder, {}, data)
    for month, frame in months.items():
        target = folder / "contacts" / f"month={month}" / "part-0.parquet"
        target.parent.mkdir(parents=True)
        frame.write_parquet(target)
    return folder


def test_a_folder_of_monthly_files_is_the_contacts_table(tmp_path: Path) -> None:
    folder = _monthly(tmp_path / "eng", {"2026-09": _contacts(SEPTEMBER), "2026-10": _contacts(OCTOBER)})
    eng = load(folder)
    assert eng.contacts.collect().height == 6
    rejected = eng.rejected.collect()
    october = folder / "contacts" / "month=2026-10" / "part-0.parquet"
    assert rejected.select("file", "row", "column").rows() == [(str(october), 3, "partner_id")]
    record = lineage(eng)
    (contacts,) = [i for i in record["inputs"] if i["table"] == "contacts"]
    assert contacts["file"] == "contacts"
    assert [p["file"] for p in contacts["parts"]] == [
        "contacts/month=2026-09/part-0.parquet",
        "contacts/month=2026-10/part-0.parquet",
    ]
    assert contacts["parts"][1]["sha256"] == hashlib.sha256(october.read_bytes()).hexdigest()
    assert contacts["bytes"] == sum(p["bytes"] for p in contacts["parts"])


def test_the_files_digests_are_read_while_the_tables_are_computed(tmp_path: Path) -> None:
    folder = _monthly(tmp_path / "eng", {"2026-09": _contacts(SEPTEMBER), "2026-10": _contacts(OCTOBER)})
    eng = load(folder)
    (contacts,) = eng.sources["contacts"]
    assert not any("sha256" in vars(sf) for sf in (contacts, *contacts.parts))  # read when first asked
    with digests_read_meanwhile(eng):
        compute(eng)
    assert all("sha256" in vars(sf) for sf in (eng.contract_file, *eng.files, *contacts.parts))
    september = folder / "contacts" / "month=2026-09" / "part-0.parquet"
    assert contacts.parts[0].sha256 == hashlib.sha256(september.read_bytes()).hexdigest()


def test_partitions_give_the_figures_of_the_whole_history(tmp_path: Path) -> None:
    folder = _monthly(tmp_path / "eng", {"2026-09": _contacts(SEPTEMBER), "2026-10": _contacts(OCTOBER)})
    eng = load(folder).collected()
    parts = list(eng.partitions() or ())
    assert parts and len(parts) == 2
    bounded = compute(eng, partitioned=True)
    whole = compute(eng, partitioned=False)
    _assert_same_tables(bounded, whole)
    fcr = bounded.results.filter(kpi="fcr", channel="voice", month=dt.date(2026, 9, 1)).collect()
    # September, voice: c1 (k1, no other contact: resolved) and c2 (k2 again on 2 October, within 7 days:
    # a repeat found in the next month's file); the data end on 20 October cuts neither.
    assert fcr.select("numerator", "denominator").row(0) == (1.0, 2.0)
    chat = bounded.results.filter(kpi="fcr", channel="chat", month=dt.date(2026, 9, 1)).collect()
    assert chat.select("numerator", "denominator").row(0) == (1.0, 1.0)  # k3 again 19 days later: resolved


def test_a_file_then_a_folder_are_computed_partition_by_partition(tmp_path: Path) -> None:
    """`sources.contacts` as a list: September's file, then a folder holding October's; voice measures
    its contacts outside 09:30-18:00 on weekdays apart (c1 at 09:00, c4 at 09:00, c5 on a Saturday)."""
    data = contract(sources={"contacts": [{"path": "september.parquet"}, {"path": "later"}]})
    hours = {"voice": {"hours": {"mon-fri": "09:30-18:00"}, "outside_hours": "measure_apart"}}
    data["partners"][0]["service_hours"] = hours
    folder = write_engagement(tmp_path / "eng", {}, data)
    _contacts(SEPTEMBER).write_parquet(folder / "september.parquet")
    (folder / "later" / "month=2026-10").mkdir(parents=True)
    _contacts(OCTOBER).write_parquet(folder / "later" / "month=2026-10" / "part-0.parquet")
    eng = load(folder).collected()
    parts = list(eng.partitions() or ())
    assert parts and len(parts) == 2
    assert contact_totals(parts, eng.contract, present=eng.present["contacts"]) is not None
    bounded = compute(eng, partitioned=True)
    _assert_same_tables(bounded, compute(eng, partitioned=False))
    apart = bounded.results.filter(kpi="service_level_outside_hours", channel="voice").collect().sort("month")
    # September: c1 (answered after 10 s); October: c4 (12 s) and c5 (abandoned after 4 s, a short abandon)
    assert apart.select("numerator", "denominator").rows() == [(1.0, 1.0), (1.0, 1.0)]
    (row,) = bounded.rejected.collect().rows(named=True)
    assert row["file"].endswith("month=2026-10/part-0.parquet") and row["row"] == 3


def test_partitions_out_of_time_order_are_computed_whole(tmp_path: Path) -> None:
    # the late file (a month=2026-08 folder holding October's contacts) comes first in path order
    folder = _monthly(tmp_path / "eng", {"2026-08": _contacts(OCTOBER), "2026-09": _contacts(SEPTEMBER)})
    eng = load(folder).collected()
    parts = list(eng.partitions() or ())
    assert parts
    assert contact_totals(parts, eng.contract, present=eng.present["contacts"]) is None
    _assert_same_tables(compute(eng, partitioned=True), compute(eng, partitioned=False))


def test_a_contact_id_repeated_in_another_file_is_rejected_naming_the_first(tmp_path: Path) -> None:
    again = [("c1", "northcall", "voice", _at("2026-10-09 09:00"), True, 1.0, 1.0, "k5", None)]
    folder = _monthly(tmp_path / "eng", {"2026-09": _contacts(SEPTEMBER), "2026-10": _contacts(again)})
    eng = load(folder).collected()
    assert eng.partitions() is None  # a repeat may be in another partition: validated whole
    (row,) = eng.rejected.collect().rows(named=True)
    first = folder / "contacts" / "month=2026-09" / "part-0.parquet"
    assert row["file"].endswith("month=2026-10/part-0.parquet") and row["row"] == 1
    assert f"first at row 1 of {first}" in row["reason"]
    _assert_same_tables(compute(eng, partitioned=True), compute(eng, partitioned=False))


def test_files_of_a_folder_must_have_the_same_columns(tmp_path: Path) -> None:
    folder = _monthly(
        tmp_path / "eng",
        {"2026-09": _contacts(SEPTEMBER), "2026-10": _contacts(OCTOBER).drop("csat")},
    )
    with pytest.raises(TableError, match=r"columns differ from those of part-0.parquet \(csat\)") as e:
        load(folder)
    assert "month=2026-10" in str(e.value)


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    folder = _monthly(tmp_path / "eng", {})
    (folder / "contacts").mkdir()
    with pytest.raises(TableError, match="no .parquet file in the folder given for table contacts"):
        load(folder)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _assert_same_tables(a: Analysis, b: Analysis, *, other_files: bool = False) -> None:
    """Every table equal; with `other_files` the rejected rows' file and row are not compared."""
    for name in (f.name for f in fields(Analysis) if f.name != "contract"):
        x, y = getattr(a, name).collect(), getattr(b, name).collect()
        if name == "rejected" and other_files:
            x, y = x.drop("file", "row"), y.drop("file", "row")
        assert x.height == y.height, name
        try:
            assert_frame_equal(_sorted(x), _sorted(y), check_exact=False, rel_tol=1e-12, abs_tol=1e-9)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


LARGE = 1_000_000
"""Contacts of the large engagement: enough for every month, channel and DST change to be there."""


@pytest.fixture(scope="module")
def monthly_large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample's story at ~1 M contacts in one file, and the same engagement with its contacts as
    one file per month."""
    large = generate_sample(tmp_path_factory.mktemp("large") / "large", contacts=LARGE, by_month=True)
    split = tmp_path_factory.mktemp("monthly") / "monthly"
    split.mkdir()
    for item in large.iterdir():
        if item.name not in ("contacts.parquet", "contract.yaml"):
            (split / item.name).symlink_to(item)
    data = yaml.safe_load((large / "contract.yaml").read_text(encoding="utf-8"))
    data.setdefault("sources", {})["contacts"] = {"path": "contacts"}
    (split / "contract.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    contacts = pl.read_parquet(large / "contacts.parquet")
    month = pl.col("arrived_at").dt.strftime("%Y-%m")
    by_month = contacts.with_columns(month.alias("m")).partition_by("m", include_key=False, as_dict=True)
    for (name,), frame in by_month.items():
        target = split / "contacts" / f"month={name}" / "part-0.parquet"
        target.parent.mkdir(parents=True)
        frame.write_parquet(target)
    return large, split


def test_every_table_partition_by_partition_equals_the_in_memory_engine(monthly_large: tuple[Path, Path]) -> None:
    large, split = monthly_large
    eng = load(split, allow_outside=True).collected(limit=0)
    parts = list(eng.partitions() or ())
    assert parts and len(parts) >= 24  # one per month
    arrivals = eng.contacts.select(pl.col("arrived_at").dt.epoch("us")).collect().to_series()
    zone = eng.contacts.collect_schema()["arrived_at"].time_zone
    assert zone == "Europe/Paris"  # the history crosses the clock changes of March and October
    assert arrivals.len() > LARGE * 0.95
    bounded = compute(eng, partitioned=True)
    with pl.Config(engine_affinity="in-memory"):
        in_memory = compute(load(large).collected(limit=None), partitioned=False)
    _assert_same_tables(bounded, in_memory, other_files=True)
    fcr = bounded.results.filter(kpi="fcr").collect()
    assert fcr["denominator"].sum() > 0
    # the sample's NorthCall email measures its contacts outside service hours apart
    apart = bounded.results.filter(kpi="service_level_outside_hours", channel="email").collect()
    assert apart["denominator"].sum() > 0


def test_the_partitions_read_on_a_local_dask_cluster_give_the_same_tables(monthly_large: tuple[Path, Path]) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    _, split = monthly_large
    eng = load(split, allow_outside=True).collected()
    here = compute(eng, partitioned=True)
    with (
        LocalCluster(
            host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
        get_task_stream(client) as tasks,
    ):
        reading = partition_reading(client)
        assert reading.at_once == 2  # one partition per worker thread
        there = compute(eng, partitioned=True, reading=reading)
    names = [t["key"] if isinstance(t["key"], str) else t["key"][0] for t in tasks.data]
    months = len(list(eng.partitions() or ()))
    # each month read once on a worker, its look-ahead cut and its FCR judged there from the columns it keeps
    assert sum("_partition_read" in n for n in names) == months
    assert sum("_fcr_of" in n for n in names) == months
    assert sum("_ahead" in n for n in names) >= months - 1
    for name in (f.name for f in fields(Analysis) if f.name != "contract"):
        assert_frame_equal(getattr(here, name).collect(), getattr(there, name).collect(), check_exact=True)


@pytest.mark.parametrize("rows", [1, 2, 4])
def test_a_large_file_in_slices_of_rows(tmp_path: Path, rows: int) -> None:
    frame = _contacts(SEPTEMBER + [r for r in OCTOBER if r[1] != "nobody"])
    write_engagement(tmp_path / "eng", {}, contract())
    frame.write_parquet(tmp_path / "eng" / "contacts.parquet")
    eng = load(tmp_path / "eng").collected()
    parts = list(eng.partitions(rows=rows) or ())
    assert len(parts) == -(-6 // rows)
    assert pl.concat([p.valid for p in parts]).collect().equals(eng.contacts.collect())
    totals = contact_totals(parts, eng.contract, present=eng.present["contacts"])
    assert totals is not None and totals.partitions == len(parts)
    offered = totals.sums.filter(channel="voice", month=dt.date(2026, 10, 1)).collect()
    assert offered["offered"].to_list() == [2]  # c4 and c5


def test_the_repeat_window_of_a_channel_as_text_or_enum() -> None:
    week, day = 7 * 24 * 3_600_000_000, 24 * 3_600_000_000
    texts = pl.DataFrame({"channel": ["voice", "chat", "email"]})
    enums = texts.with_columns(pl.col("channel").cast(pl.Enum(["voice", "chat", "email"])))
    for frame in (texts, enums):  # the partitions' FCR columns hold the channel as the contract's enum
        window = frame.with_columns(window_microseconds({"voice": 168.0, "chat": 24.0}).alias("w"))["w"]
        assert window.to_list() == [week, day, week]  # email: not given, the default 7 days
        default = frame.with_columns(window_microseconds({"voice": 168.0, "chat": 168.0}).alias("w"))["w"]
        assert default.to_list() == [week, week, week]


def test_one_group_by_per_interval_holds_the_month_the_interval_and_the_day() -> None:
    data = contract()
    data["channels"]["voice"]["interval_target"] = {"minutes": 30, "service_level": 0.8, "min_contacts": 3}
    terms = parse_contract(data)
    rows = contacts(
        ("a1", "northcall", "voice", "2026-09-01 09:00:00", True, 10, 100, None, None),
        ("a2", "northcall", "voice", "2026-09-01 09:29:59", True, 40, 50, None, None),
        ("a3", "northcall", "voice", "2026-09-01 09:40:00", True, 5, 30, None, None),  # outside the hours
        ("b1", "northcall", "chat", "2026-09-02 11:00:00", True, 30, 200, None, None),
    )
    flags = contact_flags(rows, terms.channels, fcr=False, in_hours=pl.col("contact_id") != "a3")
    by = ["partner_id", "channel", "month"]
    sums = interval_sums(flags, terms, by).collect().sort("interval")
    assert sums["interval"].to_list() == [
        dt.datetime(2026, 9, 1, 9, 0),
        dt.datetime(2026, 9, 1, 9, 30),
        dt.datetime(2026, 9, 2),  # chat has no interval target: its interval is the day
    ]
    assert sums["in_hours"].to_list() == [True, False, True]
    assert sums["offered"].to_list() == [2, 1, 1]
    intervals, floor = (t.collect() for t in tallies_of_sums(sums.lazy(), by))
    assert intervals["offered"].to_list() == [2, 1]  # within hours only
    # voice T = 20 s: a1 (10 s) in service, a2 (40 s) not; a3 within T but outside the hours; chat T = 60 s
    assert sums["in_service"].to_list() == [1, 0, 1]
    assert intervals["in_service"].to_list() == [1, 1]
    assert intervals["day"].to_list() == [dt.date(2026, 9, 1), dt.date(2026, 9, 2)]
    assert floor["offered"].to_list() == [2, 1, 1]
    assert floor["offered_in_hours"].to_list() == [2, 0, 1]
    # handled time in whole microseconds: 100 + 50 s, 30 s, 200 s
    assert floor["handled_hours"].to_list() == [150_000_000, 30_000_000, 200_000_000]
    assert sums["handle_sum"].to_list() == [150_000_000, 30_000_000, 200_000_000]
