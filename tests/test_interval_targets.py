"""Interval targets and the daily floor (formulas.md §1.9), hand-computed: voice T = 20 s, S = 5 s,
30-minute intervals measured from 3 contacts offered, an interval target of 80 %."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partner_analytics.contract.reading import parse_contract
from partner_analytics.core.errors import ContractError
from partner_analytics.metrics import kpi_results
from partner_analytics.metrics.interval_targets import interval_start
from partner_analytics.pipeline.analysis import compute

from .conftest import contract as contract_dict
from .factories import contacts, engagement

N = "northcall"
TARGET = {"minutes": 30, "service_level": 0.8, "min_contacts": 3}


def _contract(target: dict | None = TARGET, **partner):
    data = contract_dict()
    if target is not None:
        data["channels"]["voice"]["interval_target"] = target
    data["partners"][0].update(partner)
    return parse_contract(data)


CONTACTS = contacts(
    # 1 Sep 09:00-09:30: 3 in service of 4: 75 % < 80 %, measured, not reached
    ("a1", N, "voice", "2026-09-01 09:00:00", True, 10, 100, None, None),
    ("a2", N, "voice", "2026-09-01 09:10:00", True, 15, 100, None, None),
    ("a3", N, "voice", "2026-09-01 09:20:00", True, 25, 100, None, None),
    ("a4", N, "voice", "2026-09-01 09:29:59", True, 5, 100, None, None),
    # 09:30-10:00: 5 offered, a short abandon out of the denominator, 4 in service of 4 (20 s is T): reached
    ("b1", N, "voice", "2026-09-01 09:30:00", True, 10, 100, None, None),
    ("b2", N, "voice", "2026-09-01 09:45:00", True, 12, 100, None, None),
    ("b3", N, "voice", "2026-09-01 09:50:00", False, 3, None, None, None),
    ("b4", N, "voice", "2026-09-01 09:55:00", True, 18, 100, None, None),
    ("b5", N, "voice", "2026-09-01 09:59:59", True, 20, 100, None, None),
    # 10:00-10:30: 2 contacts, both late: a thin interval, left out
    ("c1", N, "voice", "2026-09-01 10:00:00", True, 40, 100, None, None),
    ("c2", N, "voice", "2026-09-01 10:10:00", True, 50, 100, None, None),
    # 2 Sep 14:00-14:30: 3 of 3 in service: reached; 14:30-15:00: one abandon: thin
    ("d1", N, "voice", "2026-09-02 14:00:00", True, 5, 100, None, None),
    ("d2", N, "voice", "2026-09-02 14:10:00", True, 8, 100, None, None),
    ("d3", N, "voice", "2026-09-02 14:29:59", True, 9, 100, None, None),
    ("d4", N, "voice", "2026-09-02 14:30:00", False, 60, None, None, None),
    ("e1", N, "chat", "2026-09-02 11:00:00", True, 30, 100, None, None),  # chat: T = 60 s, no interval target
)


def _row(results: pl.LazyFrame, kpi: str, channel: str | None) -> dict:
    found = results.filter((pl.col("kpi") == kpi) & pl.col("channel").eq_missing(channel)).collect()
    assert found.height == 1
    return found.row(0, named=True)


def test_interval_attainment_leaves_thin_intervals_out() -> None:
    results = kpi_results(engagement(_contract(), CONTACTS))
    voice = _row(results, "interval_attainment", "voice")
    # measured: 1 Sep 09:00 (75 %), 09:30 (4/4), 2 Sep 14:00 (3/3); thin: 1 Sep 10:00, 2 Sep 14:30
    assert (voice["numerator"], voice["denominator"], voice["value"]) == (2, 3, 2 / 3)
    chat = _row(results, "interval_attainment", "chat")
    assert chat["value"] is None and chat["note"] == "no interval target for the channel in contract.yaml"
    wide = _row(results, "interval_attainment", None)
    assert (wide["numerator"], wide["denominator"]) == (2, 3)  # the channels with a target only


def test_an_interval_at_exactly_the_target_reaches_it() -> None:
    """At a 75 % target the 09:00 interval (3 of 4) reaches it too: 3 of 3."""
    results = kpi_results(engagement(_contract({**TARGET, "service_level": 0.75}), CONTACTS))
    assert _row(results, "interval_attainment", "voice")["value"] == 1.0


def test_the_worst_day_is_the_daily_floor() -> None:
    """voice, 1 Sep: 11 offered, 1 short abandon, 3 + 4 + 0 in service: 7 / 10 = 70 %; 2 Sep: 3 / 4 = 75 %.
    Partner-wide, 2 Sep is (3 + 1) / (4 + 1) = 80 % with chat's answer in 30 s: the worst day is 1 Sep."""
    service_levels = [{"kpi": "worst_day_service_level", "channel": "voice", "target": 0.80, "minimum": 0.72}]
    analysis = compute(engagement(_contract(service_levels=service_levels), CONTACTS))
    voice = _row(analysis.results, "worst_day_service_level", "voice")
    assert (voice["numerator"], voice["denominator"], voice["value"]) == (7, 10, 0.7)
    assert _row(analysis.results, "worst_day_service_level", "chat")["value"] == 1.0
    wide = _row(analysis.results, "worst_day_service_level", None)
    assert (wide["numerator"], wide["denominator"]) == (7, 10)
    gap = analysis.gaps.filter(pl.col("kpi") == "worst_day_service_level").collect().row(0, named=True)
    assert gap["status"] == "breach"  # a day below the 72 % floor


def test_without_interval_targets_every_row_says_why() -> None:
    results = kpi_results(engagement(_contract(None), CONTACTS))
    wide = _row(results, "interval_attainment", None)
    assert wide["value"] is None and wide["note"] == "no interval target for the channel in contract.yaml"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"minutes": 20}, "channels.voice.interval_target.minutes"),
        ({"service_level": 1.5}, "channels.voice.interval_target.service_level"),
        ({"min_contacts": 0}, "channels.voice.interval_target.min_contacts"),
        ({"service_levels": 0.8}, "channels.voice.interval_target.service_levels"),
    ],
)
def test_bad_interval_terms_name_their_key(change: dict, key: str) -> None:
    with pytest.raises(ContractError, match=key.replace(".", r"\.")):
        _contract({**TARGET, **change})


def test_interval_targets_and_the_worst_day_per_site() -> None:
    """Per site, as the other KPIs: Paris has 1 Sep 09:00 (3 of 4, not reached) and 09:30 (4 of 4, reached);
    Lisbon 1 Sep 10:00 (thin), 2 Sep 14:00 (3 of 3, reached), 14:30 (thin) and chat's contact."""
    sites = ["paris"] * 9 + ["lisbon"] * 7
    frame = CONTACTS.with_columns(site_id=pl.Series(sites))
    results = kpi_results(engagement(_contract(), frame), scope=("site_id",))

    def row(kpi: str, channel: str | None, site: str) -> dict:
        return _row(results.filter(pl.col("site_id") == site), kpi, channel)

    paris, lisbon = row("interval_attainment", "voice", "paris"), row("interval_attainment", "voice", "lisbon")
    assert (paris["numerator"], paris["denominator"]) == (1, 2)
    assert (lisbon["numerator"], lisbon["denominator"]) == (1, 1)
    assert row("interval_attainment", None, "lisbon")["value"] == 1.0  # chat has no target
    # Paris voice, 1 Sep: (3 + 4) in service / (9 − 1 short) = 7 / 8, its only day
    assert row("worst_day_service_level", "voice", "paris")["value"] == 7 / 8
    # Lisbon voice: 1 Sep 0 of 2 (both late), 2 Sep 3 of 4: the worst day is 0 / 2
    worst = row("worst_day_service_level", "voice", "lisbon")
    assert (worst["numerator"], worst["denominator"]) == (0, 2)
    # partner-wide, Lisbon: 1 Sep 0 / 2; 2 Sep (3 + 1) / (4 + 1) with chat: still 1 Sep
    assert row("worst_day_service_level", None, "lisbon")["denominator"] == 2


def test_interval_targets_per_queue() -> None:
    """The same contacts in two queues: 'billing' the 1 Sep intervals, 'claims' the 2 Sep ones."""
    frame = CONTACTS.with_columns(queue=pl.Series(["billing"] * 11 + ["claims"] * 5))
    results = kpi_results(engagement(_contract(), frame), scope=("queue",))
    billing = _row(results.filter(pl.col("queue") == "billing"), "interval_attainment", "voice")
    claims = _row(results.filter(pl.col("queue") == "claims"), "interval_attainment", "voice")
    # billing: 09:00 measured not reached, 09:30 reached, 10:00 thin; claims: 14:00 reached, 14:30 thin
    assert (billing["numerator"], billing["denominator"]) == (1, 2)
    assert (claims["numerator"], claims["denominator"]) == (1, 1)


@settings(max_examples=50, deadline=None)
@given(
    minutes=st.lists(st.sampled_from([None, 15, 30, 60]), min_size=3, max_size=3),
    times=st.lists(st.datetimes(dt.datetime(1850, 1, 1), dt.datetime(2250, 1, 1)), min_size=1, max_size=30),
)
def test_an_interval_starts_where_polars_truncates_the_wall_time(minutes: list[int | None], times: list) -> None:
    """Each contact's interval start, one floor of integers by its channel's length, is polars'
    `dt.truncate` of its wall time to that length (a day without an interval target), before 1970 too."""
    data = contract_dict()
    for name, m in zip(("voice", "chat", "email"), minutes, strict=True):
        data["channels"][name].pop("interval_target", None)
        if m is not None:
            data["channels"][name]["interval_target"] = {"minutes": m, "service_level": 0.8, "min_contacts": 3}
    channels = parse_contract(data).channels
    edges = [dt.datetime(1969, 12, 31, 23, 45), dt.datetime(1899, 12, 31), dt.datetime(2026, 3, 29, 2, 15)]
    times = times + [e + dt.timedelta(microseconds=d) for e in edges for d in (-1, 0, 1)]
    frame = pl.DataFrame(
        {"channel": [("voice", "chat", "email")[i % 3] for i in range(len(times))], "t": times},
        schema={"channel": pl.String, "t": pl.Datetime("us")},
    )
    length = {c: f"{m}m" if m else "1d" for c, m in zip(("voice", "chat", "email"), minutes, strict=True)}
    expected = [pl.Series([t]).dt.truncate(length[c])[0] for c, t in frame.iter_rows()]
    got = frame.select(interval_start(pl.col("t"), channels).alias("i"))["i"]
    assert got.dtype == pl.Datetime("us")
    assert got.to_list() == expected
