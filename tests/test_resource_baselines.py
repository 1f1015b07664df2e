"""Anchored pricing with a dead-band (ARC/RRC), to the cent."""

from __future__ import annotations

import pytest

from partner_analytics.risk.resource_adjustments import resource_adjustments

from .factories import contract, grid, results

N = "northcall"


def _adjustments(volumes: dict[str, int], **baseline) -> dict[str, dict]:
    terms = {"baseline_contacts": 100_000, "band": 0.05, "arc_rate": 2.10, "rrc_rate": 2.00, **baseline}
    c = contract(pricing={"per_handled_contact": {"voice": 4.10}, "resource_baselines": [terms]})
    rows = [(N, None, m, "answered", v) for m, v in volumes.items()]
    months = sorted(volumes)
    frame = resource_adjustments(results(*rows), c, grid(N, months[0], months[-1])).collect()
    return {f"{r['month']:%Y-%m}": r for r in frame.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("rates_from", "rrc", "arc"),
    [
        # below: (95,000 − 90,000) × 2.00 = 10,000.00; above: (108,000 − 105,000) × 2.10 = 6,300.00
        ("band_edge", -1_000_000, 630_000),
        # once the band is breached, from the baseline: (100,000 − 90,000) × 2.00 = 20,000.00;
        # (108,000 − 100,000) × 2.10 = 16,800.00
        ("baseline", -2_000_000, 1_680_000),
    ],
)
def test_reduced_and_additional_resource_charges(rates_from: str, rrc: int, arc: int) -> None:
    got = _adjustments({"2026-01": 90_000, "2026-02": 108_000, "2026-03": 103_000}, rates_from=rates_from)
    assert (got["2026-01"]["position"], got["2026-01"]["adjustment"]) == ("below", rrc)
    assert (got["2026-02"]["position"], got["2026-02"]["adjustment"]) == ("above", arc)
    # 103,000 is inside ±5 %: no change
    assert (got["2026-03"]["position"], got["2026-03"]["adjustment"]) == ("within", 0)
    assert (got["2026-01"]["lower"], got["2026-01"]["upper"]) == (95_000, 105_000)


def test_band_edges_are_inside_and_a_month_without_contacts_counts_zero() -> None:
    got = _adjustments({"2026-01": 95_000, "2026-03": 105_000})
    assert got["2026-01"]["adjustment"] == 0 and got["2026-03"]["adjustment"] == 0
    # February has no contacts: (95,000 − 0) × 2.00 = 190,000.00 credited
    assert got["2026-02"]["volume"] == 0 and got["2026-02"]["adjustment"] == -19_000_000


def test_adjustment_rounds_half_away_from_zero() -> None:
    # (95,000 − 94,999) × 0.005 = 0.005 → 0.01 credited
    got = _adjustments({"2026-01": 94_999}, rrc_rate=0.005)
    assert got["2026-01"]["adjustment"] == -1 and got["2026-01"]["adjusted_contacts"] == -1


def test_per_channel_baselines_read_their_channel() -> None:
    c = contract(
        pricing={
            "per_handled_contact": {"voice": 4.10},
            "resource_baselines": [
                {"channel": "voice", "baseline_contacts": 1000, "rrc_rate": 1.00},
                {"channel": "chat", "baseline_contacts": 500, "band": 0.10, "arc_rate": 0.50, "volume": "offered"},
            ],
        }
    )
    r = results(
        (N, "voice", "2026-01", "answered", 900),
        (N, "voice", "2026-01", "offered", 2000),
        (N, "chat", "2026-01", "answered", 10),
        (N, "chat", "2026-01", "offered", 600),
    )
    frame = resource_adjustments(r, c, grid(N, "2026-01", "2026-01")).collect()
    got = dict(zip(frame["channel"], frame["adjustment"], strict=True))
    # voice answered, no band: (1,000 − 900) × 1.00 = −100.00; chat offered: (600 − 550) × 0.50 = +25.00
    assert got == {"voice": -10_000, "chat": 2_500}


def test_no_baseline_no_rows() -> None:
    frame = resource_adjustments(
        results((N, None, "2026-01", "answered", 5)), contract(), grid(N, "2026-01", "2026-01")
    )
    assert frame.collect().height == 0
