"""Casting and checking a table's rows: valid rows go on, every other row is kept with its reason.

Nothing is dropped silently. A row that fails any check is rejected with the file, the row number,
the first failing column, its value, every reason, and the whole row as read (`record`).
Duplicated keys are looked for among the rows that pass the other checks, so the first valid
occurrence is kept and the later ones are rejected naming the row they repeat.

Datetimes are local times of the engagement timezone unless they carry an offset. At the DST
changes: a local time inside the spring-forward gap does not exist and is rejected; a local time
that occurs twice (the autumn fall-back hour) is read as its first occurrence (summer time).
A datetime records something that happened (a contact, a staffing interval, an evaluation): one
after the load time is rejected as in the future. Dates (due dates, forecast months) may be ahead.

Numbers have one decimal mark per table: a point, or a comma with `decimal_comma: true`, where a
point may only group thousands (`1.234,5`). A value written with the other mark is rejected, never
guessed. Spaces and apostrophes group thousands in both. A number must be finite and at most
`NUMBER_LIMIT` in absolute value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ..contract.terms import Contract, Source
from ..core.kpis import KPIS
from ..core.localtime import instant_of
from ..core.schema import Column
from .intervals import source_checks
from .readers import CELL, EXTRA, FILE, ROW, RawTable
from .relief import relief_checks
from .service_level_refs import service_level_check
from .unknown_values import unknown_reason

__all__ = [
    "FALSE_WORDS",
    "NUMBER_LIMIT",
    "REJECTED_SCHEMA",
    "TRUE_WORDS",
    "KeysRead",
    "ValidatedTable",
    "repeated_keys",
    "validate_table",
]

TRUE_WORDS = ("true", "1", "yes", "oui")
FALSE_WORDS = ("false", "0", "no", "non")
NUMBER_LIMIT = 1e12
REJECTED_SCHEMA = {
    "table": pl.String(),
    "file": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
    "record": pl.String(),
}
_NAIVE_FORMAT = "%Y-%m-%d %H:%M:%S%.f"
_AWARE_FORMAT = "%Y-%m-%d %H:%M:%S%.f%#z"
_SPACES = r"[\s\u00a0\u202f']"
_GROUPED = r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"
_RAW = "__raw_"
_FAILS = "__fails"


@dataclass(frozen=True)
class ValidatedTable:
    """The valid rows (typed, our columns) and the rejected ones (REJECTED_SCHEMA), both lazy;
    `failing` the row numbers (`ROW`) of the rejected rows, read with the valid ones for less than the
    rejected rows cost (their values, every reason), which are then read only if there are some;
    `repeated` the hashes of the unique keys read more than once (none: no key can repeat), and
    `firsts` the valid rows of those keys (key columns, `__first`: their row), which the next part of
    the table is checked against (`KeysRead`)."""

    valid: pl.LazyFrame
    rejected: pl.LazyFrame
    failing: pl.LazyFrame
    repeated: pl.Series | None = None
    firsts: pl.LazyFrame | None = None


@dataclass(frozen=True)
class _Check:
    column: str | None
    fails: pl.Expr
    reason: pl.Expr
    shown: pl.Expr | None = None


@dataclass(frozen=True)
class KeysRead:
    """The first valid rows of the repeated keys (`ValidatedTable.firsts`) in the parts of a table read
    before the one being validated: the key columns and `__first`, the row (and file) they are at."""

    firsts: pl.DataFrame


def validate_table(
    raw: RawTable,
    contract: Contract,
    source: Source | None,
    *,
    now: dt.datetime | None = None,
    repeated: pl.Series | None = None,
    read_before: KeysRead | None = None,
    named: bool = False,
    typed_once: bool = False,
) -> ValidatedTable:
    """Type every column of `raw` and check it against the data contract and the contract's references.

    `now` is the load time datetimes must not be after (default: the current time). A table read in
    parts (several files, a folder's files, slices of a file) is checked for repeated keys as one:
    `repeated` holds the hashes of the keys read more than once in the whole table (`repeated_keys`;
    default: read from `raw`), `read_before` the first rows of those keys in the parts before this
    one, and `named` says a first row by its file too ("row 3 of …/ctr.csv").

    `typed_once`: the rows are typed and checked once for the valid and the rejected rows collected
    together (`pl.collect_all`), held in memory between the two: for a part of a table, which fits.
    """
    source = source or Source()
    spec = raw.spec
    schema = raw.frame.collect_schema()
    typed = raw.frame.with_columns(pl.col(c).alias(_RAW + c) for c in spec.column_names).with_columns(
        _typed(c, schema[c.name], raw.textual, source, contract.timezone).alias(c.name) for c in spec.columns
    )
    loaded = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    checks = _row_checks(schema) + [
        check for c in spec.columns for check in _checks(c, contract, source, schema, loaded)
    ]
    checks += [_Check(*check) for check in source_checks(spec.name, contract, raw.present)]
    if spec.name == "relief":
        checks += [_Check(column, fails, reason) for column, fails, reason in relief_checks(contract)]
    elif "service_level" in spec.column_names:
        checks.append(_Check(*service_level_check(contract)))
    fails = pl.any_horizontal([c.fails.fill_null(False) for c in checks]) if checks else pl.lit(False)
    if typed_once:
        typed = typed.with_columns(fails.alias(_FAILS)).cache()
        fails = pl.col(_FAILS)
    passed = typed.filter(~fails)
    rejected = [_rejections(typed.filter(fails), checks, raw)]
    failing = [typed.filter(fails).select(ROW)]
    if spec.unique:
        repeated = _repeated_keys([(raw, source)], contract) if repeated is None else repeated
        label = pl.col(ROW).cast(pl.String)
        if named or FILE in schema:
            label = _format("{} of {}", pl.col(ROW), pl.col(FILE) if FILE in schema else pl.lit(raw.file))
        earlier = read_before.firsts if read_before is not None else None
        passed, repeats = _first_occurrences(passed, list(spec.unique), repeated, label, earlier)
        repeat = _Check(
            spec.unique[0],
            pl.lit(True),
            _format(
                "duplicated {} (first at row {}); expected each {} once",
                pl.lit(" + ".join(spec.unique)),
                pl.col("__first"),
                pl.lit(" + ".join(spec.unique)),
            ),
        )
        rejected.append(_rejections(repeats, [repeat], raw))
        failing.append(repeats.select(ROW))
        firsts = passed.filter(_key_hash(list(spec.unique)).is_in(repeated.implode())).select(
            *spec.unique, label.alias("__first")
        )
    else:
        firsts = None
    valid = passed.select(spec.column_names)
    return ValidatedTable(
        valid, pl.concat(rejected, how="vertical"), pl.concat(failing, how="vertical"), repeated, firsts
    )


def repeated_keys(parts: list[tuple[RawTable, Source | None]], contract: Contract) -> pl.Series | None:
    """The hashes of the unique keys read more than once across the `parts` of a table (each with its
    source, whose formats type the keys); None for a table without a unique key."""
    return _repeated_keys(parts, contract) if parts[0][0].spec.unique else None


def _repeated_keys(parts: list[tuple[RawTable, Source | None]], contract: Contract) -> pl.Series:
    spec = parts[0][0].spec
    key_columns = [c for c in spec.columns if c.name in spec.unique]
    keys = []
    for raw, source in parts:
        schema = raw.frame.collect_schema()
        keys.append(
            raw.frame.select(pl.col(c.name).alias(_RAW + c.name) for c in key_columns).select(
                _typed(c, schema[c.name], raw.textual, source or Source(), contract.timezone).alias(c.name)
                for c in key_columns
            )
        )
    return _repeated_hashes(keys[0] if len(keys) == 1 else pl.concat(keys, how="vertical_relaxed"))


def _key(key: list[str]) -> pl.Expr:
    return pl.struct(key) if len(key) > 1 else pl.col(key[0])


def _key_hash(key: list[str]) -> pl.Expr:
    return _key(key).hash()


def _repeated_hashes(keys: pl.LazyFrame) -> pl.Series:
    """The hashes of the key values found more than once in `keys` (every row read, its key columns only).

    A repeated key has a repeated hash; so may, rarely, two different keys. Read now, in one pass
    over the key's columns alone (the hashes sorted: cheaper than a hash table of every key), so
    that the validation of every row looks for repeats among the few rows whose hash is here:
    usually none.
    """
    hashed = pl.col("hash")
    hashes = keys.select(_key_hash(keys.collect_schema().names()).alias("hash")).sort("hash")
    return hashes.filter(hashed == hashed.shift(1)).unique().collect()["hash"]


def _first_occurrences(
    rows: pl.LazyFrame, key: list[str], repeated: pl.Series, label: pl.Expr, earlier: pl.DataFrame | None
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The rows whose `key` is seen for the first time (in row order, after the `earlier` parts' first
    rows), and the later ones with `__first`, the `label` of the row they repeat; `repeated` holds the
    hashes of the keys read more than once.

    The keys themselves are compared, in row order, only where the hash is a repeated one; the first
    row of a repeated key is looked up for the repeats only.
    """
    if repeated.is_empty():
        return rows, rows.head(0).with_columns(pl.lit(None, dtype=pl.String).alias("__first"))
    value = _key(key)
    candidate = _key_hash(key).is_in(repeated.implode())
    once = ~candidate | pl.when(candidate).then(value).is_first_distinct()
    if earlier is not None and earlier.height:
        once = once & ~(candidate & value.is_in(earlier.select(value.alias("k"))["k"].implode()))
    flagged = rows.with_columns(once.fill_null(True).alias("__once"))
    repeats = flagged.filter(~pl.col("__once")).drop("__once")
    firsts = flagged.filter(pl.col("__once")).select(*key, label.alias("__first"))
    if earlier is not None and earlier.height:
        firsts = pl.concat([earlier.lazy().select(*key, pl.col("__first").cast(pl.String)), firsts], how="vertical")
    firsts = firsts.join(repeats.select(key).unique(), on=key, how="semi", nulls_equal=True).unique(
        subset=key, keep="first", maintain_order=True
    )
    return flagged.filter(pl.col("__once")).drop("__once"), repeats.join(
        firsts, on=key, how="left", nulls_equal=True, maintain_order="left"
    )


def _format(template: str, *values: pl.Expr) -> pl.Expr:
    """`pl.format` made of `concat_str`: polars 2.1's `pl.format` can panic on a filtered, multi-chunk text column."""
    pieces = template.split("{}")
    parts = [pl.lit(pieces[0])]
    for value, piece in zip(values, pieces[1:], strict=True):
        parts += [value.cast(pl.String), pl.lit(piece)]
    return pl.concat_str(parts)


def _is_text(dtype: pl.DataType) -> bool:
    """Text, or a column without values (Parquet's null type), which reads as text does."""
    return dtype in (pl.String(), pl.Null()) or isinstance(dtype, (pl.Categorical, pl.Enum))


def _typed(column: Column, dtype: pl.DataType, textual: bool, source: Source, timezone: str) -> pl.Expr:
    raw = pl.col(_RAW + column.name)
    if textual or _is_text(dtype):
        text = raw.cast(pl.String).str.strip_chars()
        if not (column.required and column.kind == "str"):
            # A blank required value rejects its row ("missing required value"): only optional values need it as null.
            text = text.replace("", None)  # one stripping, where a when/then strips twice
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
        if isinstance(dtype, pl.Datetime):
            day = (raw.dt.convert_time_zone(timezone) if dtype.time_zone else raw).dt.date()
        else:
            day = raw.cast(pl.Date, strict=False)
        return day.dt.truncate("1mo") if kind == "month" else day
    if kind == "int" and dtype.is_integer():
        return raw.cast(pl.Int64, strict=False)
    if kind == "int":
        number = raw.cast(pl.Float64, strict=False)
        return pl.when(number == number.round()).then(number).cast(pl.Int64, strict=False)
    if kind == "bool" and dtype.is_integer():
        return pl.when(raw == 1).then(True).when(raw == 0).then(False).otherwise(None)
    return raw.cast(column.dtype, strict=False)


def _parse_text(column: Column, text: pl.Expr, source: Source, timezone: str) -> pl.Expr:
    kind = column.kind
    if kind == "str":
        return text
    if kind in ("float", "int"):
        number = text.str.replace_all(_SPACES, "")
        if source.decimal_comma:
            number = (
                pl.when(number.str.contains(r"\.") & ~number.str.contains(_GROUPED))
                .then(None)
                .otherwise(number.str.replace_all(r"\.", "").str.replace(",", "."))
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
    aware = _aware(text, source).dt.convert_time_zone(timezone)
    return pl.coalesce(aware, _localised(_naive(text, source), timezone))


def _iso(text: pl.Expr) -> pl.Expr:
    """ISO 8601 text in one shape, `YYYY-MM-DD HH:MM:SS[.f][offset]`, so one format reads every variant."""
    return (
        text.str.replace("T", " ", literal=True)
        .str.replace(r"^(\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2})(Z|[+-]\d|$)", "${1}:00${2}")
        .str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})$", "${1} 00:00:00")
    )


def _aware(text: pl.Expr, source: Source) -> pl.Expr:
    """Text with a UTC offset as a UTC datetime: the declared datetime_format if it has one, then ISO 8601."""
    declared = source.datetime_format
    formats = [declared] if declared and ("%z" in declared or "%#z" in declared) else []
    parsed = [text.str.to_datetime(f, strict=False, time_unit="us") for f in formats]
    parsed.append(_iso(text).str.to_datetime(_AWARE_FORMAT, strict=False, time_unit="us"))
    return pl.coalesce(parsed)


def _naive(text: pl.Expr, source: Source) -> pl.Expr:
    """Text without an offset as a naive datetime: the declared datetime_format, then ISO 8601."""
    declared = source.datetime_format
    formats = [declared] if declared and "%z" not in declared and "%#z" not in declared else []
    parsed = [text.str.to_datetime(f, strict=False, time_unit="us") for f in formats]
    parsed.append(_iso(text).str.to_datetime(_NAIVE_FORMAT, strict=False, time_unit="us"))
    return pl.coalesce(parsed)


def _localised(naive: pl.Expr, timezone: str) -> pl.Expr:
    return instant_of(naive, timezone)


_EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "bool": "true/false, 1/0, yes/no or oui/non",
    "date": "a date YYYY-MM-DD (or the date_format under sources)",
    "month": "a month YYYY-MM or YYYY-MM-DD",
    "datetime": "a date and time YYYY-MM-DD HH:MM:SS (or the datetime_format under sources)",
}


def _expected(column: Column, source: Source) -> str:
    if column.kind == "datetime" and source.datetime_format:
        return f"a date and time {source.datetime_format} or YYYY-MM-DD HH:MM:SS"
    if column.kind == "date" and source.date_format:
        return f"a date {source.date_format} or YYYY-MM-DD"
    return _EXPECTED[column.kind]


def _row_checks(schema: pl.Schema) -> list[_Check]:
    """Problems of a whole row found while reading: more values than the header has columns."""
    if EXTRA not in schema:
        return []
    extra = pl.col(EXTRA)
    return [
        _Check(
            None,
            extra.is_not_null(),
            _format(
                "{} value(s) beyond the header's last column: a separator inside a value that is not quoted "
                "(a decimal comma?); quote that value, or set the separator under sources",
                extra.list.len(),
            ),
            extra.list.join(" | "),
        )
    ]


def _checks(column: Column, contract: Contract, source: Source, schema: pl.Schema, loaded: dt.datetime) -> list[_Check]:
    name, raw, value = column.name, pl.col(_RAW + column.name), pl.col(column.name)
    shown = raw.cast(pl.String)
    blank = _blank(column, schema[name])
    checks: list[_Check] = []
    cell = pl.col(CELL + name) if CELL + name in schema else None
    if cell is not None:
        checks.append(_Check(name, cell.is_not_null(), cell))
    if column.required:
        missing = raw.is_null() | blank
        checks.append(
            _Check(name, missing if cell is None else missing & cell.is_null(), pl.lit("missing required value"))
        )
    unreadable = raw.is_not_null() & ~blank & value.is_null()
    if column.kind != "str":
        checks.append(_Check(name, unreadable, _unreadable_reason(column, shown, source, contract.timezone)))
    if column.kind in ("float", "int"):
        number = value.cast(pl.Float64)
        if column.kind == "float":  # a whole number is typed Int64: never NaN nor infinite
            checks.append(
                _Check(name, number.is_nan() | number.is_infinite(), _format("{} is not a finite number", shown))
            )
        checks.append(
            _Check(
                name,
                number.is_finite() & (number.abs() > NUMBER_LIMIT),
                _format(
                    "{} is out of range (expected at most {} in absolute value)", shown, pl.lit(f"{NUMBER_LIMIT:g}")
                ),
            )
        )
    if column.min is not None:
        what = "a negative duration" if name.endswith("_s") else "below the minimum"
        checks.append(
            _Check(
                name,
                value < column.min,
                _format("{} is {} (expected at least {})", shown, pl.lit(what), pl.lit(f"{column.min:g}")),
            )
        )
    if column.max is not None:
        checks.append(
            _Check(
                name,
                value > column.max,
                _format("{} is above the maximum (expected at most {})", shown, pl.lit(f"{column.max:g}")),
            )
        )
    allowed = column.choices or _referenced(column, contract)
    if allowed:
        checks.append(
            _Check(
                name,
                raw.is_not_null() & ~blank & ~value.cast(pl.String).is_in(allowed),
                _unknown(column, shown, allowed),
            )
        )
    if column.kind == "datetime":
        utc = pl.lit(loaded.replace(tzinfo=None)).dt.replace_time_zone("UTC")
        instant = utc.dt.convert_time_zone(contract.timezone)
        checks.append(
            _Check(
                name,
                value > instant,
                _format(
                    "{} is in the future (after the load time {}); expected a time that has passed",
                    shown,
                    pl.lit(f"{loaded:%Y-%m-%d %H:%M:%S} UTC"),
                ),
            )
        )
    return checks


def _blank(column: Column, dtype: pl.DataType) -> pl.Expr:
    """Whether the value read is blank. Only text can be: a typed column (Parquet, Excel) is tested for
    nulls without formatting its values; a text column of ours is read from its typed value, stripped
    already (a blank required value is "", an optional one null)."""
    raw, value = pl.col(_RAW + column.name), pl.col(column.name)
    if not _is_text(dtype):
        return pl.lit(False)
    if column.kind == "str":
        return value == "" if column.required else raw.is_not_null() & value.is_null()
    return raw.cast(pl.String).str.strip_chars() == ""


def _unreadable_reason(column: Column, shown: pl.Expr, source: Source, timezone: str) -> pl.Expr:
    reason = _format("cannot read '{}' as {}", shown, pl.lit(_expected(column, source)))
    if column.kind in ("date", "month", "datetime"):
        reason = _impossible_date(shown).fill_null(reason)
    if column.kind in ("float", "int"):
        number = shown.str.replace_all(_SPACES, "")
        if source.decimal_comma:
            point = _format(
                "cannot read '{}' as a number: this table has a decimal comma (decimal_comma: true under sources), "
                "where a point only groups thousands (1.234,5)",
                shown,
            )
            return pl.when(number.str.contains(r"\.") & ~number.str.contains(_GROUPED)).then(point).otherwise(reason)
        comma = _format("cannot read '{}' as a number (a decimal comma? set decimal_comma: true under sources)", shown)
        return pl.when(number.str.contains(",")).then(comma).otherwise(reason)
    if column.kind == "datetime":
        text = shown.str.strip_chars()
        naive = _naive(text, source)
        gap = naive.is_not_null() & _aware(text, source).is_null() & _localised(naive, timezone).is_null()
        skipped = _format(
            "local time {} does not exist in {} (clocks go forward at the DST change)", shown, pl.lit(timezone)
        )
        return pl.when(gap).then(skipped).otherwise(reason)
    return reason


def _impossible_date(shown: pl.Expr) -> pl.Expr:
    """Why an ISO-looking date is no date, when it is the calendar (null otherwise): `'2026-09-31' is not a
    date: September 2026 has no 31st`, `'2026-13' is not a month: month 13 does not exist`."""
    parts = shown.str.extract_groups(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]|\s*$)")
    year, month, day = (parts.struct.field(str(i)).cast(pl.Int32) for i in (1, 2, 3))
    real_month = month.is_between(1, 12)
    first = pl.date(year, pl.when(real_month).then(month).otherwise(1), 1)
    last = first.dt.month_end().dt.day()
    ordinal = (
        pl.when((day % 100).is_between(11, 13))
        .then(pl.lit("th"))
        .when(day % 10 == 1)
        .then(pl.lit("st"))
        .when(day % 10 == 2)
        .then(pl.lit("nd"))
        .when(day % 10 == 3)
        .then(pl.lit("rd"))
        .otherwise(pl.lit("th"))
    )
    what = pl.when(day.is_null()).then(pl.lit("a month")).otherwise(pl.lit("a date"))
    return (
        pl.when(month.is_not_null() & ~real_month)
        .then(_format("'{}' is not {}: month {} does not exist (expected 01 to 12)", shown, what, month))
        .when(real_month & (day > last))
        .then(
            _format(
                "'{}' is not a date: {} {} has no {}{} (it has {} days)",
                shown,
                first.dt.strftime("%B"),
                year,
                day,
                ordinal,
                last,
            )
        )
    )


def _unknown(column: Column, shown: pl.Expr, allowed: tuple[str, ...]) -> pl.Expr:
    noun = {"partner": "partner", "channel": "channel", "kpi": "KPI"}.get(column.references or "", "value")
    among = {"partner": "the contract's partners", "channel": "the contract's channels"}.get(
        column.references or "", ""
    )
    return unknown_reason(shown, allowed, noun, among)


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
                    pl.lit(c.column, dtype=pl.String()).alias("column"),
                    (c.shown if c.shown is not None else pl.col(_RAW + str(c.column)).cast(pl.String)).alias("value"),
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
        .list.eval(
            _format("{}: {}", pl.element().struct.field("column").fill_null("row"), pl.element().struct.field("reason"))
        )
        .list.join("; ")
    )
    fields = [pl.col(_RAW + c).cast(pl.String).alias(c) for c in raw.spec.column_names if c in raw.present]
    if EXTRA in frame.collect_schema():
        fields.append(pl.col(EXTRA).alias("(extra values)"))
    return (
        frame.with_columns(problems.alias("__problems"))
        .select(
            pl.lit(raw.spec.name).alias("table"),
            (pl.col(FILE) if FILE in frame.collect_schema() else pl.lit(raw.file)).alias("file"),
            pl.col(ROW).alias("row"),
            first.struct.field("column").alias("column"),
            first.struct.field("value").alias("value"),
            pl.when(listed.list.len() > 1)
            .then(_format("{} (also {})", first.struct.field("reason"), others))
            .otherwise(first.struct.field("reason"))
            .alias("reason"),
            pl.struct(fields).struct.json_encode().alias("record"),
        )
        .cast(REJECTED_SCHEMA)
    )
