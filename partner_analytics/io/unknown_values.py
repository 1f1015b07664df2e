"""Why a value of a data row is not one the contract knows, with the value it most likely meant:
`unknown channel 'vocie' (did you mean 'voice'?)`.

The reasons are built once per distinct value (difflib is plain Python), then mapped onto the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from ..core.errors import closest_name

__all__ = ["unknown_message", "unknown_reason", "unknown_reason_by"]


def unknown_message(value: str, allowed: Sequence[str], noun: str, among: str = "") -> str:
    """`unknown {noun} '{value}' (did you mean 'x'?)` with the closest allowed value (`values are
    case-sensitive` when only the case differs), else the allowed values (`among` names them)."""
    close = closest_name(value, allowed)
    if close is None:
        listed = ", ".join(allowed) or "none"
        return f"unknown {noun} '{value}' (expected one of{' ' + among if among else ''}: {listed})"
    case = " values are case-sensitive" if close.lower() == value.strip().lower() else ""
    return f"unknown {noun} '{value}' (did you mean '{close}'?{case})"


def unknown_reason(value: pl.Expr, allowed: Sequence[str], noun: str, among: str = "") -> pl.Expr:
    """Per row, `unknown_message` of a text value not in `allowed` (null for an allowed or null value)."""
    allowed = tuple(allowed)

    def reasons(values: pl.Series) -> pl.Series:
        text = values.cast(pl.String)
        odd = text.filter(text.is_not_null() & ~text.str.strip_chars().is_in(allowed)).unique()
        found = {v: unknown_message(v, allowed, noun, among) for v in odd.to_list()}
        return text.replace_strict(found, default=None, return_dtype=pl.String)

    return value.map_batches(reasons, return_dtype=pl.String, is_elementwise=True)


def unknown_reason_by(
    value: pl.Expr, key: pl.Expr, allowed: Mapping[str, Sequence[str]], noun: str, among: str = ""
) -> pl.Expr:
    """Per row, `unknown_message` of a text value not among the values allowed for the row's `key` (a
    partner's service levels); null for an allowed value or a key not in `allowed`."""

    def reasons(pairs: pl.Series) -> pl.Series:
        out = []
        cache: dict[tuple[str, str], str | None] = {}
        for row in pairs.to_list():
            k, v = row["key"], row["value"]
            if v is None or k not in allowed or v.strip() in allowed[k]:
                out.append(None)
                continue
            if (k, v) not in cache:
                cache[k, v] = unknown_message(v, allowed[k], noun, among)
            out.append(cache[k, v])
        return pl.Series(out, dtype=pl.String)

    pairs = pl.struct(key.cast(pl.String).alias("key"), value.cast(pl.String).alias("value"))
    return pairs.map_batches(reasons, return_dtype=pl.String, is_elementwise=True)
