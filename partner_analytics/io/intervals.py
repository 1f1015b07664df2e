"""Interval reports (the `intervals` table): the checks of a row's counts against each other and the
contract, which partner × channel each source may hold, and the counts a service-level formula needs.

An interval row sums whole contacts, so its counts obey what one contact obeys: an answered contact
was offered, one answered within the threshold was answered, an abandon was not answered. A row
breaking that is rejected with the reason. A partner × channel is measured from one source:
`sources.intervals.covers` lists the pairs measured from intervals; their contacts, and the
intervals of the other pairs, are rejected (kept, with the reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ..contract.terms import ChannelTerms, Contract, ServiceLevelFormula
from ..core.errors import ContractError

__all__ = ["RowCheck", "check_interval_counts", "needed_counts", "source_checks"]

RowCheck = tuple[str, pl.Expr, pl.Expr]
"""(column, fails, reason): a check of a typed row, as `validation` applies it."""

_SEP = "\u241f"


def _pair() -> pl.Expr:
    return pl.concat_str([pl.col("partner_id"), pl.lit(_SEP), pl.col("channel")])


def _covered(contract: Contract) -> pl.Expr:
    return _pair().is_in([f"{p}{_SEP}{c}" for p, c in sorted(contract.interval_pairs)])


def _text(template: str, *values: pl.Expr) -> pl.Expr:
    pieces = template.split("{}")
    parts = [pl.lit(pieces[0])]
    for value, piece in zip(values, pieces[1:], strict=True):
        parts += [value.cast(pl.String), pl.lit(piece)]
    return pl.concat_str(parts)


def source_checks(table: str, contract: Contract, columns: frozenset[str]) -> list[RowCheck]:
    """The checks of `table`'s rows that depend on the interval reports (`columns`: those the file has)."""
    if table == "contacts" and contract.interval_pairs:
        reason = _text(
            "{} × {} is measured from interval reports (sources.intervals.covers): its contacts are not counted",
            pl.col("partner_id"),
            pl.col("channel"),
        )
        return [("channel", _covered(contract), reason)]
    if table == "intervals":
        return list(_interval_checks(contract, columns))
    return []


def _interval_checks(contract: Contract, columns: frozenset[str]) -> Iterator[RowCheck]:
    c = pl.col
    yield (
        "channel",
        ~_covered(contract),
        _text(
            "{} × {} is not under sources.intervals.covers (expected the pairs measured from interval reports; "
            "add it there, or give its contacts)",
            c("partner_id"),
            c("channel"),
        ),
    )
    yield (
        "answered",
        c("answered") > c("offered"),
        _text("answered {} is more than offered {} (expected answered ≤ offered)", c("answered"), c("offered")),
    )
    yield (
        "answered_within_threshold",
        c("answered_within_threshold") > c("answered"),
        _text(
            "answered within the threshold {} is more than answered {} (expected at most the answered contacts)",
            c("answered_within_threshold"),
            c("answered"),
        ),
    )
    unanswered = c("offered") - c("answered")
    consistent = c("answered") <= c("offered")  # else rejected above, for that reason only
    if "abandoned" in columns:
        yield (
            "abandoned",
            consistent & (c("abandoned") > unanswered),
            _text(
                "answered {} + abandoned {} is more than offered {} (expected answered + abandoned ≤ offered)",
                c("answered"),
                c("abandoned"),
                c("offered"),
            ),
        )
    for name, what in (
        ("abandoned_within_threshold", "abandoned within the threshold"),
        ("short_abandons", "short abandons"),
    ):
        if name in columns:
            yield (
                name,
                consistent & (c(name) > unanswered),
                _text(
                    "{} {} is more than the unanswered contacts {} (offered − answered; expected at most that)",
                    pl.lit(what),
                    c(name),
                    unanswered,
                ),
            )
    for name in ("answered_wait_s", "handle_s"):
        if name in columns:
            yield (
                name,
                (c(name) > 0) & (c("answered") == 0),
                _text("{} {} with no answered contact (expected 0 or empty)", pl.lit(name), c(name)),
            )
    if "threshold_s" in columns:
        expected = pl.lit(None, dtype=pl.Float64)
        for channel, terms in contract.channels.items():
            expected = pl.when(c("channel") == channel).then(pl.lit(terms.answer_within_s)).otherwise(expected)
        yield (
            "threshold_s",
            c("threshold_s") != expected,
            _text(
                "the report's threshold {} s is not the contract's channels.{}.answer_within_s {} s "
                "(answered within the threshold would count other contacts)",
                c("threshold_s").round(3),
                c("channel"),
                expected.round(3),
            ),
        )


def needed_counts(terms: ChannelTerms, formula: ServiceLevelFormula | None = None) -> dict[str, str]:
    """The optional interval counts a channel's service level needs under `formula` (default: the
    channel's), each with the formula key that asks for it."""
    formula = formula or terms.service_level_formula
    needed: dict[str, str] = {}
    if terms.short_abandon_s > 0 and formula.denominator == "offered" and not formula.short_abandons_in_denominator:
        needed["short_abandons"] = "short_abandons_in_denominator"
    if formula.abandons_in_service:
        needed["abandoned_within_threshold"] = "abandons_in_service"
    elif formula.denominator == "answered_and_late_abandons":
        needed["abandoned_within_threshold"] = "denominator"
    return needed


def check_interval_counts(contract: Contract, columns: frozenset[str], file: Path) -> None:
    """Refuse interval reports that lack a count a covered channel's service-level formula needs:
    a ContractError naming `file` (contract.yaml), the formula's key path and the missing column."""
    for i, partner in enumerate(contract.partners):
        covered = contract.interval_pairs_by_partner.get(partner.id, ())
        for channel in covered:
            terms = contract.channels[channel]
            formulas = [(("channels", channel, "service_level_formula"), None)]
            formulas += [
                (("partners", i, "service_levels", j, "formula"), sl.formula)
                for j, sl in enumerate(partner.service_levels)
                if sl.formula is not None and sl.channel in (None, channel)
            ]
            for path, formula in formulas:
                for count, key in needed_counts(terms, formula).items():
                    if count not in columns:
                        setting = getattr(formula or terms.service_level_formula, key)
                        raise ContractError(
                            f"the interval report has no {count} column, which the service-level formula of "
                            f"{partner.id} × {channel} needs ({key}: {setting}); add the column, or change the formula",
                            file=file,
                            key=".".join(str(k) for k in (*path, key)),
                        )
