"""The committed KPIs of formulas.md §1 beyond the service levels: NPS, customer effort, transfer rate,
repeat-contact rate with the contract's window, and the agents roster's KPIs, hand-computed."""

from __future__ import annotations

import polars as pl
import pytest

from partner_analytics.contract.reading import parse_contract
from partner_analytics.core.errors import ContractError
from partner_analytics.metrics import agent_results, contact_results, kpi_results
from partner_analytics.views.wording import change_text, format_unit

from .conftest import contract as contract_dict
from .factories import ALL_CONTACT_COLUMNS, contacts, contract, engagement

N = "northcall"


def _rows(results: pl.LazyFrame, kpi: str) -> dict[tuple[str | None, str], dict]:
    """{(channel, 'YYYY-MM'): row} of one KPI."""
    df = results.filter(pl.col("kpi") == kpi).collect()
    return {(r["channel"], f"{r['month']:%Y-%m}"): r for r in df.iter_rows(named=True)}


# --- survey and transfer KPIs ------------------------------------------------------------------------

# id: (nps_answer, effort_score, transferred)
SURVEY = {
    "a1": (10, 7, True),
    "a2": (9, 5, False),
    "a3": (7, None, True),
    "a4": (3, 6, None),
    "a5": (None, None, False),
    "ab": (None, None, True),  # abandoned: not in the transfer rate
    "c1": (0, 2, False),
}


def _survey_contacts() -> pl.LazyFrame:
    base = contacts(
        ("a1", N, "voice", "2026-09-01 09:00", True, 5, 100, "a", None),
        ("a2", N, "voice", "2026-09-01 09:01", True, 5, 100, "b", None),
        ("a3", N, "voice", "2026-09-01 09:02", True, 5, 100, "c", None),
        ("a4", N, "voice", "2026-09-01 09:03", True, 5, 100, "d", None),
        ("a5", N, "voice", "2026-09-01 09:04", True, 5, 100, "e", None),
        ("ab", N, "voice", "2026-09-01 09:05", False, 30, None, "f", None),
        ("c1", N, "chat", "2026-09-02 10:00", True, 5, 100, "g", None),
    )
    column = {name: [v[i] for v in SURVEY.values()] for i, name in enumerate(("nps", "effort", "transferred"))}
    answers = pl.LazyFrame(
        {"contact_id": list(SURVEY), **column},
        schema={"contact_id": pl.String, "nps": pl.Int64, "effort": pl.Int64, "transferred": pl.Boolean},
    ).rename({"nps": "nps_answer", "effort": "effort_score"})
    return base.join(answers, on="contact_id", how="left")


SURVEY_COLUMNS = ALL_CONTACT_COLUMNS | {"nps_answer", "effort_score", "transferred"}


def test_nps_effort_and_transfer_rate() -> None:
    results = contact_results(_survey_contacts(), contract(), present=SURVEY_COLUMNS)
    nps = _rows(results, "nps")
    # voice: promoters a1 (10), a2 (9); passive a3 (7); detractor a4 (3); a5 no answer:
    # 100 × (2 − 1) / 4 = 25 points
    voice = nps[("voice", "2026-09")]
    assert (voice["numerator"], voice["denominator"], voice["value"]) == (100 + 100 + 0 - 100, 4, 25.0)
    assert nps[("chat", "2026-09")]["value"] == -100.0  # c1 answered 0: a detractor
    wide = nps[(None, "2026-09")]
    assert (wide["numerator"], wide["denominator"], wide["value"]) == (0, 5, 0.0)  # (100 − 100) / 5

    effort = _rows(results, "customer_effort")
    voice = effort[("voice", "2026-09")]
    assert (voice["numerator"], voice["denominator"], voice["value"]) == (7 + 5 + 6, 3, 6.0)
    assert effort[(None, "2026-09")]["value"] == pytest.approx((7 + 5 + 6 + 2) / 4)  # 5.0

    transfers = _rows(results, "transfer_rate")
    voice = transfers[("voice", "2026-09")]
    # a1 and a3 transferred out of 5 answered (a4's unknown is not a transfer; ab is not answered)
    assert (voice["numerator"], voice["denominator"], voice["value"]) == (2, 5, 2 / 5)
    assert transfers[(None, "2026-09")]["value"] == pytest.approx(2 / 6)


def test_survey_kpis_are_not_measurable_without_their_column() -> None:
    results = contact_results(_survey_contacts(), contract(), present=ALL_CONTACT_COLUMNS)
    for kpi, column in (("nps", "nps_answer"), ("customer_effort", "effort_score"), ("transfer_rate", "transferred")):
        row = _rows(results, kpi)[("voice", "2026-09")]
        assert row["value"] is None and row["note"] == f"contacts have no {column} column"


# --- repeat-contact rate and the repeat window ------------------------------------------------------


def _windowed(**hours: float):
    data = contract_dict()
    for channel, h in hours.items():
        data["channels"][channel]["fcr_window_hours"] = h
    return parse_contract(data)


REPEATS = contacts(
    ("x1", N, "voice", "2026-09-01 09:00:00", True, 1, 1, "x", None),
    ("x2", N, "chat", "2026-09-02 09:00:00", True, 1, 1, "x", None),  # exactly 24 h after x1
    ("y1", N, "voice", "2026-09-01 09:00:00", True, 1, 1, "y", None),
    ("y2", N, "chat", "2026-09-02 09:00:01", True, 1, 1, "y", None),  # 24 h and 1 s after y1
    ("z1", N, "chat", "2026-09-03 09:00:00", True, 1, 1, "z", None),
    ("z2", N, "voice", "2026-09-06 08:00:00", True, 1, 1, "z", None),  # 71 h after z1
    ("end", N, "voice", "2026-09-30 12:00:00", True, 1, 1, "q", None),  # the data end: its window is cut
)


def test_repeat_contact_rate_with_a_window_per_channel() -> None:
    """voice 24 h: x1 a repeat (x2 at exactly 24 h), y1 resolved (y2 at 24 h 1 s), z2 resolved, `end`
    cut → 1 repeat of 3 counted; chat 72 h: z1 a repeat (z2 at 71 h), x2 and y2 resolved → 1 of 3."""
    results = contact_results(REPEATS, _windowed(voice=24, chat=72), present=ALL_CONTACT_COLUMNS)
    repeat, fcr = _rows(results, "repeat_contact_rate"), _rows(results, "fcr")
    voice = repeat[("voice", "2026-09")]
    assert (voice["numerator"], voice["denominator"], voice["incomplete"]) == (1, 3, True)
    assert fcr[("voice", "2026-09")]["value"] == pytest.approx(2 / 3)
    chat = repeat[("chat", "2026-09")]
    assert (chat["numerator"], chat["denominator"], chat["incomplete"]) == (1, 3, False)
    wide = repeat[(None, "2026-09")]
    assert (wide["numerator"], wide["denominator"], wide["value"]) == (2, 6, 2 / 6)


def test_the_default_window_is_seven_days() -> None:
    """7 days everywhere: y1 is a repeat too (y2 24 h 1 s later), so voice has 2 repeats of 3."""
    assert contract().channels["voice"].fcr_window_hours == 168
    results = contact_results(REPEATS, contract(), present=ALL_CONTACT_COLUMNS)
    voice = _rows(results, "repeat_contact_rate")[("voice", "2026-09")]
    assert (voice["numerator"], voice["denominator"]) == (2, 3)
    assert _rows(results, "fcr")[("voice", "2026-09")]["numerator"] == 1


def test_a_repeat_window_must_be_positive() -> None:
    with pytest.raises(ContractError, match=r"channels\.voice\.fcr_window_hours"):
        _windowed(voice=0)


# --- the agents roster ---------------------------------------------------------------------------------

AGENTS = pl.LazyFrame(
    [
        # agent, month, start, end, paid, scheduled, adherent, training hours
        ("a", "2026-09-01", "2025-01-10", None, 9600, 8400, 7980, 2),
        ("b", "2026-09-01", "2026-03-01", "2026-09-15", 4800, 4200, 3780, 0),  # leaves in September
        ("c", "2026-09-01", "2026-09-01", None, 9600, 7200, 6840, 16),
        ("d", "2026-09-01", "2024-05-01", "2026-10-03", 9600, 8400, None, 4),  # no adherence measured
        ("d", "2026-10-01", "2024-05-01", "2026-10-03", 480, 420, 400, 0),
    ],
    schema=[
        "agent_id",
        "month",
        "start_date",
        "end_date",
        "paid_minutes",
        "scheduled_minutes",
        "adherent_minutes",
        "training_hours",
    ],
    orient="row",
).with_columns(
    pl.lit(N).alias("partner_id"),
    pl.col("month", "start_date", "end_date").str.to_date(),
    pl.col("paid_minutes", "scheduled_minutes", "adherent_minutes", "training_hours").cast(pl.Float64),
)


def test_agents_kpis() -> None:
    results = agent_results(AGENTS, frozenset(AGENTS.collect_schema().names()))
    september = {k: _rows(results, k)[(None, "2026-09")] for k in ("attrition", "schedule_adherence", "shrinkage")}
    # 4 agents on September's roster, b leaves on 15 September (d leaves in October)
    assert (september["attrition"]["numerator"], september["attrition"]["denominator"]) == (1, 4)
    # a, b, c give both: (7980 + 3780 + 6840) / (8400 + 4200 + 7200) = 18600 / 19800
    assert september["schedule_adherence"]["value"] == pytest.approx(18600 / 19800)
    # paid 9600 + 4800 + 9600 + 9600 = 33600, scheduled 28200: (33600 − 28200) / 33600
    assert september["shrinkage"]["value"] == pytest.approx(5400 / 33600)
    training = _rows(results, "training_hours")
    assert training[(None, "2026-09")]["value"] == (2 + 0 + 16 + 4) / 4
    october = _rows(results, "attrition")[(None, "2026-10")]
    assert (october["value"], training[(None, "2026-10")]["value"]) == (1.0, 0.0)  # d, alone, leaves


def test_agents_kpis_in_the_results_and_without_the_table() -> None:
    with_roster = kpi_results(engagement(contract(), REPEATS, agents=AGENTS.drop("paid_minutes")))
    shrinkage = _rows(with_roster, "shrinkage")[(None, "2026-09")]
    assert shrinkage["value"] is None and shrinkage["note"] == "agents have no paid_minutes column"
    assert _rows(with_roster, "attrition")[(None, "2026-09")]["value"] == 0.25
    without = _rows(kpi_results(engagement(contract(), REPEATS)), "training_hours")[(None, "2026-09")]
    assert without["value"] is None and without["note"] == "no agents table"


def test_the_new_units_as_a_committee_reads_them() -> None:
    assert [format_unit(v, "score_nps") for v in (25.0, -12.0)] == ["+25", "−12"]
    assert format_unit(5.8, "score_1_7") == "5.80 / 7" and format_unit(5.5, "hours") == "5.5 h"
    assert change_text(0.25, "score_1_7") == "+0.25"


def test_the_worked_example_of_formulas_1_4() -> None:
    """Data end 25 Sep 12:00. 7 days: voice 1 resolved of 3 counted (C cut), 2 repeats; chat 1 of 1.
    24 h on voice: A's 1 Sep (chat 95 h later) and B's 2 Sep (7 days later) are resolved, C is counted."""
    example = contacts(
        ("a1", N, "voice", "2026-09-01 10:00", True, 1, 1, "A", None),
        ("a2", N, "chat", "2026-09-05 09:00", True, 1, 1, "A", None),
        ("b1", N, "voice", "2026-09-02 10:00", True, 1, 1, "B", None),
        ("b2", N, "voice", "2026-09-09 10:00", True, 1, 1, "B", None),
        ("c1", N, "voice", "2026-09-20 10:00", True, 1, 1, "C", None),
        ("n1", N, "voice", "2026-09-03 10:00", True, 1, 1, None, None),
        ("end", N, "email", "2026-09-25 12:00", False, 1, None, None, None),  # the last arrival
    )
    week = contact_results(example, contract(), present=ALL_CONTACT_COLUMNS)
    fcr, repeat = _rows(week, "fcr"), _rows(week, "repeat_contact_rate")
    assert (fcr[("voice", "2026-09")]["numerator"], fcr[("voice", "2026-09")]["denominator"]) == (1, 3)
    assert fcr[("voice", "2026-09")]["incomplete"] and fcr[("chat", "2026-09")]["value"] == 1.0
    assert (repeat[("voice", "2026-09")]["numerator"], repeat[(None, "2026-09")]["value"]) == (2, 2 / 4)
    day = contact_results(example, _windowed(voice=24), present=ALL_CONTACT_COLUMNS)
    voice = _rows(day, "fcr")[("voice", "2026-09")]
    assert (voice["numerator"], voice["denominator"], voice["incomplete"]) == (4, 4, False)
    assert _rows(day, "repeat_contact_rate")[("voice", "2026-09")]["value"] == 0.0
