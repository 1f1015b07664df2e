"""Exact money (formulas.md §7): amounts are integer cents, fractions of the contract fixed-point integers.

A contract fraction (0.12, 0.4, a price of 4.105) becomes an integer count of `UNIT` (10⁻⁶; the
contract model refuses finer values), so a product such as `at_risk_pct × charges` is an exact
integer in 10⁻⁶ cents; it is rounded once, half away from zero, to the cent. Intermediate products
are Int128 so nothing overflows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl

__all__ = [
    "MONEY",
    "UNIT",
    "cents_of",
    "cents_to_decimal",
    "format_cents",
    "format_money",
    "rounded_div",
    "units",
    "units_lit",
]

UNIT = 10**6
MONEY = pl.Int64()


def units(value: Decimal | int | float) -> int:
    """`value` in 10⁻⁶ units, exactly; a value finer than 10⁻⁶ is a ValueError."""
    d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    scaled = d * UNIT
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 6 decimal places")
    return int(scaled)


def units_lit(value: Decimal | int | float) -> pl.Expr:
    return pl.lit(units(value), dtype=pl.Int128())


def rounded_div(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """numerator / denominator rounded half away from zero, as Int64 (both integer, denominator > 0)."""
    num = numerator.cast(pl.Int128())
    den = denominator.cast(pl.Int128()) if isinstance(denominator, pl.Expr) else pl.lit(denominator, dtype=pl.Int128())
    magnitude = (num.abs() * 2 + den) // (den * 2)
    return (magnitude * num.sign()).cast(MONEY)


def cents_of(amount: pl.Expr) -> pl.Expr:
    """Cents of an amount read from a file as a float (the file's own decimals, to the cent)."""
    return (amount * 100).round(0, mode="half_away_from_zero").cast(MONEY)


def cents_to_decimal(cents: pl.Expr) -> pl.Expr:
    """Cents as a Decimal with two places, for exports that finance people open."""
    return cents.cast(pl.Decimal(20, 0)) / pl.lit(Decimal(100), dtype=pl.Decimal(20, 2))


def format_cents(cents: int | None, currency: str = "") -> str:
    """An amount in cents as `1,234,567.89 EUR`."""
    if cents is None:
        return "–"
    amount = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def format_money(cents: int | pl.Series | None, currency: str = "") -> str | pl.Series:
    """Cents (an amount, or a column of amounts such as a table's `credit`) as `724,202.00 EUR` text:
    the tables hold money as integer cents, exact to the cent, and this is how to read them."""
    if isinstance(cents, pl.Series):
        return pl.Series(cents.name, [format_cents(c, currency) for c in cents.to_list()], dtype=pl.String)
    return format_cents(cents, currency)
