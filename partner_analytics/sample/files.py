"""Writing the sample's tables: Parquet for the large ones, UTF-8 CSV for the small ones, a French export for
invoices."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .contract_file import INVOICE_COLUMNS

__all__ = ["write_csv", "write_french_invoices", "write_parquet"]

_DATETIME = "%Y-%m-%d %H:%M:%S"


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write a Parquet file (zstd, statistics) and return its path."""
    frame.write_parquet(path, compression="zstd", statistics=True)
    return path


def write_csv(
    frame: pl.DataFrame, path: Path, defects: tuple[str, ...] = (), later: pl.DataFrame | None = None
) -> Path:
    """Write a UTF-8 CSV with ISO dates and `YYYY-MM-DD HH:MM:SS` local datetimes, then the `defects` lines,
    then the rows of `later` (same columns)."""
    text = frame.write_csv(date_format="%Y-%m-%d", datetime_format=_DATETIME)
    text += "".join(f"{line}\n" for line in defects)
    if later is not None:
        text += later.write_csv(include_header=False, date_format="%Y-%m-%d", datetime_format=_DATETIME)
    path.write_text(text, encoding="utf-8")
    return path


def _euros(cents: pl.Expr) -> pl.Expr:
    """`1234,50` from 123450 cents (decimal comma, no thousands separator)."""
    return pl.format("{},{}", cents // 100, (cents % 100).cast(pl.String).str.zfill(2))


def write_french_invoices(lines: pl.DataFrame, path: Path) -> Path:
    """Invoice lines as a French billing export: `;`-separated, decimal comma, dd/mm/yyyy dates, cp1252, CRLF."""
    label = pl.col("item").replace_strict(
        {"fee": "Forfait mensuel", "voice": "Appels traités", "chat": "Chats traités", "email": "E-mails traités"},
        return_dtype=pl.String,
    )
    invoice_day = pl.col("month").dt.offset_by("1mo").dt.offset_by("4d")
    export = lines.select(
        pl.col("invoice").alias("N° facture"),
        pl.col("partner_id").alias(INVOICE_COLUMNS["partner_id"]),
        pl.col("month").dt.strftime("%d/%m/%Y").alias(INVOICE_COLUMNS["month"]),
        invoice_day.dt.strftime("%d/%m/%Y").alias("Date de facture"),
        label.alias("Libellé"),
        pl.col("units").cast(pl.String).alias(INVOICE_COLUMNS["billed_units"]),
        pl.when(pl.col("units").is_not_null()).then(pl.lit("contacts")).alias(INVOICE_COLUMNS["unit"]),
        pl.when(pl.col("unit_price_cents").is_not_null())
        .then(_euros(pl.col("unit_price_cents")))
        .alias("Prix unitaire (€)"),
        _euros(pl.col("amount_cents")).alias(INVOICE_COLUMNS["amount"]),
    )
    text = export.write_csv(separator=";", line_terminator="\r\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("cp1252"))
    return path
