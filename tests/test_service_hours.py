"""Service hours and holidays (formulas.md §1.10): the contacts outside the hours are left out of the
service-level KPIs and still counted in the volumes; bad hours name their key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import partner_analytics as pa
from partner_analytics.contract.reading import read_contract
from partner_analytics.metrics.contact_kpis import contact_flags, contact_results
from partner_analytics.metrics.floor import daily_floor
from partner_analytics.metrics.results import kpi_results
from partner_analytics.metrics.service_hours import _within, in_service_hours

from .conftest import contract as contract_dict
from .factories import ALL_CONTACT_COLUMNS, contacts, contract, engagement, kpi_table

N = "northcall"
# voice: T = 20 s, S = 5 s; open Monday to Friday 08:00-18:00, Saturday 09:00-12:00; closed on the
# listed 9 September 2026 (a Wednesday) and on French public holidays (11 November 2026, a Wednesday)
HOURS = {
    "voice": {
        "hours": {"mon-fri": "08:00-18:00", "sat": ["09:00-12:00"]},
        "holidays": {"country": "FR", "dates": [dt.date(2026, 9, 9)]},
        "sites": {"lisbon": {"hours": {"mon-fri": "09:00-17:00"}, "holidays": {"country": "PT"}}},
    }
}

# Tuesday 8 September 2026, Europe/Paris wall times
SEPTEMBER = contacts(
    ("a", N, "voice", "2026-09-08 17:59", True, 10, 100, None, None),  # before the 18:00 closing: in hours
    ("b", N, "voice", "2026-09-08 18:01", True, 10, 100, None, None),  # after it: outside
    ("c", N, "voice", "2026-09-08 18:00", False, 60, None, None, None),  # the closing minute is outside
    ("d", N, "voice", "2026-09-08 09:00", True, 30, 100, None, None),  # in hours, answered after T
    ("e", N, "voice", "2026-09-08 09:10", False, 40, None, None, None),  # in hours, abandoned
    ("f", N, "voice", "2026-09-08 09:20", False, 3, None, None, None),  # in hours, short abandon
    ("g", N, "voice", "2026-09-09 10:00", True, 90, 100, None, None),  # a listed holiday: outside
    ("h", N, "voice", "2026-09-12 11:59", True, 5, 100, None, None),  # Saturday morning: in hours
    ("i", N, "voice", "2026-09-13 10:00", False, 2, None, None, None),  # Sunday: closed, a short abandon outside
    ("j", N, "chat", "2026-09-13 23:00", True, 5, 100, None, None),  # chat has no service hours
)


def _hours_contract():
    return contract(service_hours=HOURS)


def test_contacts_outside_hours_leave_the_service_level_kpis_not_the_volumes() -> None:
    k = kpi_table(contact_results(SEPTEMBER, _hours_contract(), present=ALL_CONTACT_COLUMNS))
    v = {kpi: value for (ch, m, kpi), value in k.items() if ch == "voice"}
    # every voice contact is offered: a..i = 9, answered a, b, d, g, h = 5
    assert v["offered"] == 9 and v["answered"] == 5
    # outside: b (18:01), c (18:00), g (holiday), i (Sunday) = 4, of which answered b, g = 2
    assert v["outside_hours"] == 4 and v["answered_outside_hours"] == 2
    # in hours: a, d, e, f, h = 5 offered, 3 answered (a, d, h), in service a (10 s), h (5 s) = 2,
    # short abandons f = 1 (i is outside): service level 2 / (5 − 1) = 0.5
    assert v["short_abandons"] == 1 and v["in_service"] == 2
    assert v["service_level"] == pytest.approx(2 / 4)
    # abandon rate (5 − 1 − 3) / (5 − 1) = 1/4; ASA (10 + 30 + 5) / 3 = 15 s
    assert v["abandon_rate"] == pytest.approx(1 / 4)
    assert v["asa"] == pytest.approx(15.0)
    # the chat contact at 23:00 on a Sunday counts: its channel has no service hours
    assert k[("chat", "2026-09", "outside_hours")] == 0 and k[("chat", "2026-09", "service_level")] == 1.0
    # partner-wide: 1 chat contact in hours, in service; 2 + 1 in service over 4 + 1 answerable
    assert k[(None, "2026-09", "outside_hours")] == 4
    assert k[(None, "2026-09", "service_level")] == pytest.approx(3 / 5)


def test_without_service_hours_every_contact_is_in_hours() -> None:
    k = kpi_table(contact_results(SEPTEMBER, contract(), present=ALL_CONTACT_COLUMNS))
    # 9 voice contacts, short abandons f, i = 2; in service (answered within 20 s) a, b, h = 3
    assert k[("voice", "2026-09", "outside_hours")] == 0
    assert k[("voice", "2026-09", "service_level")] == pytest.approx(3 / (9 - 2))


def test_public_holidays_and_clock_changes() -> None:
    frame = contacts(
        ("h1", N, "voice", "2026-11-11 10:00", True, 1, 1, None, None),  # Armistice Day (FR): outside
        ("h2", N, "voice", "2026-11-12 10:00", True, 1, 1, None, None),  # the next day: in hours
        # Monday 30 March 2026, the day after the clock went forward: 08:30 local (06:30 UTC) is in hours
        ("s1", N, "voice", "2026-03-30 08:30", True, 1, 1, None, None),
        # Monday 26 October 2026, the day after it went back: 07:30 local (06:30 UTC) is outside
        ("w1", N, "voice", "2026-10-26 07:30", True, 1, 1, None, None),
        ("w2", N, "voice", "2026-10-26 08:00", True, 1, 1, None, None),  # the opening minute: in hours
    )
    flags = contact_flags(frame, contract().channels, in_hours=in_service_hours(_hours_contract(), frame)).collect()
    assert dict(zip(flags["contact_id"], flags["in_hours"], strict=True)) == {
        "h1": False,
        "h2": True,
        "s1": True,
        "w1": False,
        "w2": True,
    }


def test_a_site_has_its_own_hours_and_holidays() -> None:
    frame = contacts(
        ("p1", N, "voice", "2026-09-08 08:30", True, 1, 1, None, None),  # Lisbon opens at 09:00: outside
        ("p2", N, "voice", "2026-09-09 10:00", True, 1, 1, None, None),  # the listed date is not Lisbon's
        ("p3", N, "voice", "2026-10-05 10:00", True, 1, 1, None, None),  # Portugal's Republic Day: outside
        ("q1", N, "voice", "2026-09-08 08:30", True, 1, 1, None, None),  # another site: the channel's hours
    ).with_columns(site_id=pl.Series(["lisbon", "lisbon", "lisbon", "paris"]))
    flags = contact_flags(frame, contract().channels, in_hours=in_service_hours(_hours_contract(), frame)).collect()
    assert dict(zip(flags["contact_id"], flags["in_hours"], strict=True)) == {
        "p1": False,
        "p2": True,
        "p3": False,
        "q1": True,
    }


def test_the_daily_floor_measures_its_service_level_in_hours() -> None:
    floor = daily_floor(SEPTEMBER, None, contract().channels, in_service_hours(_hours_contract(), SEPTEMBER)).collect()
    tuesday = floor.filter((pl.col("channel") == "voice") & (pl.col("day") == dt.date(2026, 9, 8))).row(0, named=True)
    # 8 September: a, b, c, d, e, f offered (6); in hours a, d, e, f, short f: in service a → 1 / (4 − 1)
    assert tuesday["offered"] == 6
    assert tuesday["service_level"] == pytest.approx(1 / 3)


def _error(tmp_path: Path, hours: dict) -> pa.ContractError:
    data = contract_dict()
    data["partners"][0]["service_hours"] = hours
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(pa.ContractError) as info:
        read_contract(path)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("hours", "key", "message"),
    [
        pytest.param(
            {"voice": {"hours": {"mon": "18:00-08:00"}}},
            "partners[0] (northcall).service_hours.voice.hours.mon",
            "opening hours '18:00-08:00' end before they start",
            id="end before start",
        ),
        pytest.param(
            {"voice": {"hours": {"tue": ["08:00-12:00", "11:30-14:00"]}}},
            "partners[0] (northcall).service_hours.voice.hours.tue",
            "opening hours 08:00-12:00 and 11:30-14:00 overlap",
            id="overlapping windows",
        ),
        pytest.param(
            {"voice": {"hours": {"mon-fri": "08:00-18:00", "fri": "08:00-12:00"}}},
            "partners[0] (northcall).service_hours.voice.hours",
            "fri is given by 'mon-fri' and by 'fri'",
            id="a weekday given twice",
        ),
        pytest.param(
            {"voice": {"hours": {"mon": "8h-18h"}}},
            "partners[0] (northcall).service_hours.voice.hours.mon",
            "are not of the form HH:MM-HH:MM",
            id="not a time",
        ),
        pytest.param(
            {"voice": {"hours": {"mon": "08:00-18:00"}, "holidays": {"country": "XX"}}},
            "partners[0] (northcall).service_hours.voice.holidays.country",
            "unknown country code 'XX'",
            id="unknown country",
        ),
        pytest.param(
            {"voice": {"hours": {"mon": "08:00-18:00"}, "holidays": {"country": "FR", "subdivision": "ZZ"}}},
            "partners[0] (northcall).service_hours.voice.holidays",
            "unknown subdivision 'ZZ' of FR",
            id="unknown subdivision",
        ),
        pytest.param(
            {"fax": {"hours": {"mon": "08:00-18:00"}}},
            "partners[0] (northcall).service_hours.fax",
            "service hours for channel 'fax' which is not under `channels`",
            id="unknown channel",
        ),
        pytest.param(
            {"voice": {"hours": {"monday": "08:00-18:00"}}},
            "partners[0] (northcall).service_hours.voice.hours",
            "unknown weekday 'monday'",
            id="unknown weekday",
        ),
    ],
)
def test_bad_service_hours_name_their_key(tmp_path: Path, hours: dict, key: str, message: str) -> None:
    e = _error(tmp_path, hours)
    assert e.key == key, str(e)
    assert message in str(e)


def test_a_channel_can_measure_its_contacts_outside_hours_apart() -> None:
    """`outside_hours: measure_apart`: the contacts outside hours get KPIs of their own, the committed ones
    stay as they are (2 / 4 of the first test)."""
    apart = {"voice": {**HOURS["voice"], "outside_hours": "measure_apart"}}
    k = kpi_table(kpi_results(engagement(contract(service_hours=apart), SEPTEMBER)))
    assert k[("voice", "2026-09", "service_level")] == pytest.approx(2 / 4)  # never mixed in
    # outside, voice: b 18:01 answered in 10 s, c 18:00 abandoned after 60 s, g (holiday) answered in 90 s,
    # i (Sunday) a short abandon after 2 s: offered 4, short 1, answered 2, in service b = 1
    assert k[("voice", "2026-09", "service_level_outside_hours")] == pytest.approx(1 / (4 - 1))
    assert k[("voice", "2026-09", "abandon_rate_outside_hours")] == pytest.approx((4 - 1 - 2) / (4 - 1))
    assert k[("voice", "2026-09", "asa_outside_hours")] == pytest.approx((10 + 90) / 2)
    # partner-wide: the channels measuring apart only (chat has no service hours)
    assert k[(None, "2026-09", "service_level_outside_hours")] == pytest.approx(1 / 3)
    assert ("chat", "2026-09", "service_level_outside_hours") not in k
    # the 17:59 contact is in hours: with it outside too (a 17:59 closing), 2 in service of 5 − 1
    earlier = {"voice": {**apart["voice"], "hours": {"mon-fri": "08:00-17:59", "sat": ["09:00-12:00"]}}}
    k = kpi_table(kpi_results(engagement(contract(service_hours=earlier), SEPTEMBER)))
    assert k[("voice", "2026-09", "service_level_outside_hours")] == pytest.approx(2 / 4)


def test_without_measure_apart_there_is_no_outside_hours_row() -> None:
    results = kpi_results(engagement(_hours_contract(), SEPTEMBER)).collect()
    assert results.filter(
        pl.col("kpi").str.ends_with("_outside_hours") & (pl.col("kpi") != "answered_outside_hours")
    ).is_empty()


def test_a_relief_window_leaves_its_contacts_out_of_the_apart_figures_too() -> None:
    """A relief excluding Tuesday 8 September 18:00-19:00 takes b and c out: g and i stay, 0 in service of 2 − 1."""
    apart = {"voice": {**HOURS["voice"], "outside_hours": "measure_apart"}}
    tz = "Europe/Paris"
    relief = pl.LazyFrame(
        {
            "partner_id": [N],
            "starts_at": [dt.datetime(2026, 9, 8, 18)],
            "ends_at": [dt.datetime(2026, 9, 8, 19)],
            "effect": ["exclude_window"],
            "reason": ["storm"],
            "granted_by": ["client"],
            "granted_on": [dt.date(2026, 9, 20)],
            "channel": ["voice"],
            "service_level": [None],
        },
        schema_overrides={"service_level": pl.String},
    ).with_columns(pl.col("starts_at", "ends_at").dt.replace_time_zone(tz))
    k = kpi_table(kpi_results(engagement(contract(service_hours=apart), SEPTEMBER, relief=relief)))
    assert k[("voice", "2026-09", "service_level_outside_hours")] == 0.0
    assert k[("voice", "2026-09", "asa_outside_hours")] == pytest.approx(90.0)


def test_measure_apart_is_exclude_or_measure_apart(tmp_path: Path) -> None:
    error = _error(tmp_path, {"voice": {"hours": {"mon-fri": "08:00-18:00"}, "outside_hours": "apart"}})
    assert error.key == "partners[0] (northcall).service_hours.voice.outside_hours", str(error)
    assert "measure_apart" in str(error)


_window = st.tuples(st.integers(0, 6), st.integers(0, 86_400), st.integers(0, 86_400)).map(
    lambda w: (w[0], min(w[1], w[2]), max(w[1], w[2]))  # end after start, or an empty window
)


@settings(max_examples=80, deadline=None)
@given(
    windows=st.lists(_window, max_size=6),  # overlapping, touching, empty and up-to-midnight windows
    times=st.lists(st.datetimes(dt.datetime(1960, 1, 1), dt.datetime(2100, 1, 1)), min_size=1, max_size=30),
)
def test_a_time_is_within_the_windows_of_its_weekday(windows: list[tuple[int, int, int]], times: list) -> None:
    """The sorted search over the week's bounds says what the windows say one by one: the weekday's
    window holds the time of day, start included, end excluded (seconds, as the contract gives them)."""
    frame = pl.DataFrame({"at": times}, schema={"at": pl.Datetime("us")})
    found = frame.select(_within(windows, pl.col("at").dt.epoch("us")).alias("in"))["in"].to_list()
    second = [t.hour * 3600 + t.minute * 60 + t.second for t in times]
    expected = [
        any(d == t.weekday() and s <= sec < e for d, s, e in windows) for t, sec in zip(times, second, strict=True)
    ]
    assert found == expected
