"""Casting and checking a table's rows: valid rows go on, every other row is kept with its reason.

Nothing is dropped silently. A row that fails any check is rejected with the file, the row number,
the first failing column, its value, every reason, and the whole row as read (`record`).
Duplicated keys are looked for among the rows that pass the other checks, so the first valid
occurrence is kept and the later ones are rejected naming the row they repeat.

Datetimes are local times of the engagement timezone unless they carry an offset. At the DST
changes: a local time inside the spring-forward gap does not exist and is rejected; a local time
that occurs twice (the autumn fall-back hour) is read as its first occurrence (summer time).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .contract import Contract, Source
from .kpis import KPIS
from .readers import ROW, RawTable
from .schema import Column

__all__ = ["FALSE_WORDS", "REJECTED_SCHEMA", "TRUE_WORDS", "ValidatedTable", "validate_table"]

TRUE_WORDS = ("true", "1", "yes", "oui")
FALSE_WORDS = ("false", "0", "no", "non")
REJECTED_SCHEMA = {
    "table": pl.String(),
    "file": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "record": pl.String(),
}
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_AWARE_FORMAT = "%Y-%m-%d %H:%M:%S%.f%#z"
_RAW = "__raw_"


@dataclass(frozen=True)
class ValidatedTable:
    """The valid rows (typed, our columns) and the rejected ones (REJECTED_SCHEMA), both lazy."""

    valid: pl.LazyFrame
    rejected: pl.LazyFrame


@dataclass(frozen=True)
class _Check:
    column: str
    fails: pl.Expr
    reason: pl.Expr


def validate_table(raw: RawTable, contract: Contract, source: Source | None) -> ValidatedTable:
    """Type every column of `raw` and check it against the data contract and the contract's references."""
    source = source or Source()
    spec = raw.spec
    schema = raw.frame.collect_schema()
    typed = raw.frame.with_columns(pl.col(c).alias(_RAW + c) for c in spec.column_names).with_columns(
        _typed(c, schema[c.name], raw.textual, source, contract.timezone).alias(c.name) for c in spec.columns
    )
    checks = [check for c in spec.columns for check in _checks(c, contract)]
    fails = pl.any_horizontal([c.fails.fill_null(False) for c in checks]) if checks else pl.lit(False)
    passed = typed.filter(~fails)
    rejected = [_rejections(typed.filter(fails), checks, raw)]
    if spec.unique:
        first = pl.col(ROW).min().over(list(spec.unique))
        keyed = passed.with_columns(first.alias("__first"))
        passed = keyed.filter(pl.col("__first") == pl.col(ROW))
        repeat = _Check(
            spec.unique[0],
            pl.col("__first") != pl.col(ROW),
            pl.format(
                "duplicated {} (first at row {}); expected each {} once",
                pl.lit(" + ".join(spec.unique)),
                pl.col("__first"),
                pl.lit(" + ".join(spec.unique)),
            ),
        )
        rejected.append(_rejections(keyed.filter(repeat.fails), [repeat], raw))
    valid = passed.select(spec.column_names)
    return ValidatedTable(valid, pl.concat(rejected, how="vertical"))


def _typed(column: Column, dtype: pl.DataType, textual: bool, source: Source, timezone: str) -> pl.Expr:
    raw = pl.col(_RAW + column.name)
    if textual or dtype == pl.String():
        text = raw.cast(pl.String).str.strip_chars()
        text = pl.when(text == "").then(None).otherwise(text)
        return _parse_text(column, text, source, timezone)
    kind = column.kind
    if kind == "datetime":
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone:
                return raw.dt.convert_time_zone(timezone).dt.cast_time_unit("us")
            return _localised(raw.dt.cast_time_unit("us"), timezone)
        if dtype == pl.Date():
            return _localised(raw.cast(pl.Datetime("us")), timezone)
    if kind in ("date", "month"):
        day = raw.dt.date() if isinstance(dtype, pl.Datetime) else raw.cast(pl.Date, strict=False)
        return day.dt.truncate("1mo") if kind == "month" else day
    if kind == "int":
        number = raw.cast(pl.Float64, strict=False)
        return pl.when(number == number.round()).then(number).cast(pl.Int64, strict=False)
    return raw.cast(column.dtype, strict=False)


def _parse_text(column: Column, text: pl.Expr, source: Source, timezone: str) -> pl.Expr:
    kind = column.kind
    if kind == "str":
        return text
    if kind in ("float", "int"):
        number = text.str.replace_all(r"[\s\u00a0\u202f']", "")
        if source.decimal_comma:
            number = (
                pl.when(number.str.contains(","))
                .then(number.str.replace_all(r"\.", "").str.replace(",", "."))
                .otherwise(number)
            )
        value = number.cast(pl.Float64, strict=False)
        if kind == "int":
            return pl.when(value == value.round()).then(value).cast(pl.Int64, strict=False)
        return value
    if kind == "bool":
        word = text.str.to_lowercase()
        return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False).otherwise(None)
    if kind in ("date", "month"):
        formats = [source.date_format] if source.date_format else []
        candidates = [text.str.to_date(f, strict=False) for f in formats]
        iso = text.str.slice(0, 10)
        candidates.append(iso.str.to_date("%Y-%m-%d", strict=False))
        if kind == "month":
            candidates.append(text.str.to_date("%Y-%m", strict=False))
            candidates.append((text + "-01").str.to_date("%Y-%m-%d", strict=False))
        day = pl.coalesce(candidates)
        return day.dt.truncate("1mo") if kind == "month" else day
    # datetime
    if source.datetime_format:
        fmt = source.datetime_format
        if "%z" in fmt or "%#z" in fmt:
            return text.str.to_datetime(fmt, strict=False, time_unit="us").dt.convert_time_zone(timezone)
        return _localised(text.str.to_datetime(fmt, strict=False, time_unit="us"), timezone)
    iso = text.str.replace("T", " ", literal=True)
    aware = iso.str.to_datetime(_AWARE_FORMAT, strict=False, time_unit="us").dt.convert_time_zone(timezone)
    naive = pl.coalesce([iso.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_FORMATS])
    return pl.coalesce(aware, _localised(naive, timezone))


def _localised(naive: pl.Expr, timezone: str) -> pl.Expr:
    return naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")


_EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "bool": "true/false, 1/0, yes/no or oui/non",
    "date": "a date YYYY-MM-DD (or the date_format under sources)",
    "month": "a month YYYY-MM or YYYY-MM-DD",
    "datetime": "a date and time YYYY-MM-DD HH:MM:SS (or the datetime_format under sources)",
}


def _checks(column: Column, contract: Contract) -> list[_Check]:
    name, raw, value = column.name, pl.col(_RAW + column.name), pl.col(column.name)
    shown = raw.cast(pl.String)
    checks: list[_Check] = []
    if column.required:
        checks.append(_Check(name, raw.is_null() | (shown.str.strip_chars() == ""), pl.lit("missing required value")))
    unreadable = raw.is_not_null() & (shown.str.strip_chars() != "") & value.is_null()
    if column.kind != "str":
        reason = pl.format("cannot read '{}' as {}", shown, pl.lit(_EXPECTED[column.kind]))
        if column.kind == "float":
            comma = pl.format(
                "cannot read '{}' as a number (a decimal comma? set decimal_comma: true under sources)", shown
            )
            reason = pl.when(shown.str.contains(",")).then(comma).otherwise(reason)
        if column.kind == "datetime":
            local = pl.coalesce(
                [shown.str.replace("T", " ", literal=True).str.to_datetime(f, strict=False) for f in _NAIVE_FORMATS]
            )
            gap = local.is_not_null() & _localised(local, contract.timezone).is_null()
            skipped = pl.format(
                "local time {} does not exist in {} (clocks go forward at the DST change)",
                shown,
                pl.lit(contract.timezone),
            )
            reason = pl.when(gap).then(skipped).otherwise(reason)
        checks.append(_Check(name, unreadable, reason))
    if column.kind == "float":
        checks.append(_Check(name, value.is_nan() | value.is_infinite(), pl.format("{} is not a finite number", shown)))
    if column.min is not None:
        what = "a negative duration" if name.endswith("_s") else "below the minimum"
        checks.append(
            _Check(
                name,
                value < column.min,
                pl.format("{} is {} (expected at least {})", shown, pl.lit(what), pl.lit(f"{column.min:g}")),
            )
        )
    if column.max is not None:
        checks.append(
            _Check(
                name,
                value > column.max,
                pl.format("{} is above the maximum (expected at most {})", shown, pl.lit(f"{column.max:g}")),
            )
        )
    allowed = column.choices or _referenced(column, contract)
    if allowed:
        listed = ", ".join(allowed)
        noun = {"partner": "partner", "channel": "channel", "kpi": "KPI"}.get(column.references or "", "value")
        among = {"partner": "the contract's partners", "channel": "the contract's channels"}.get(
            column.references or "", ""
        )
        checks.append(
            _Check(
                name,
                value.is_not_null() & ~value.cast(pl.String).is_in(allowed),
                pl.format(f"unknown {noun} '{{}}' (expected one of{' ' + among if among else ''}: {listed})", shown),
            )
        )
    return checks


def _referenced(column: Column, contract: Contract) -> tuple[str, ...] | None:
    if column.references == "partner":
        return contract.partner_ids
    if column.references == "channel":
        return tuple(contract.channels)
    if column.references == "kpi":
        return tuple(KPIS)
    return None


def _rejections(frame: pl.LazyFrame, checks: list[_Check], raw: RawTable) -> pl.LazyFrame:
    problems = pl.concat_list(
        [
            pl.when(c.fails).then(
                pl.struct(
                    pl.lit(c.column).alias("column"),
                    pl.col(_RAW + c.column).cast(pl.String).alias("value"),
                    c.reason.alias("reason"),
                )
            )
            for c in checks
        ]
    ).list.drop_nulls()
    listed = pl.col("__problems")
    first = listed.list.first()
    others = (
        listed.list.slice(1)
        .list.eval(pl.format("{}: {}", pl.element().struct.field("column"), pl.element().struct.field("reason")))
        .list.join("; ")
    )
    record = pl.struct([pl.col(_RAW + c).cast(pl.String).alias(c) for c in raw.spec.column_names if c in raw.present])
    return (
        frame.with_columns(problems.alias("__problems"))
        .select(
            pl.lit(raw.spec.name).alias("table"),
            pl.lit(raw.file).alias("file"),
            pl.col(ROW).alias("row"),
            first.struct.field("column").alias("column"),
            first.struct.field("value").alias("value"),
            pl.when(listed.list.len() > 1)
            .then(pl.format("{} (also {})", first.struct.field("reason"), others))
            .otherwise(first.struct.field("reason"))
            .alias("reason"),
            record.struct.json_encode().alias("record"),
        )
        .cast(REJECTED_SCHEMA)
    )
