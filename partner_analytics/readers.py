"""Finding and reading an engagement's table files (CSV, Parquet, Excel) into frames with our column names.

Reading is separate from validation: a reader maps the file's headers to ours and numbers the rows
as a person counts them in the file; `validation` then casts and checks the values.
CSV and Excel arrive as text (every value a string, so nothing is lost to type inference); Parquet
keeps its types and is scanned lazily, so a large contact history never has to fit in memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from .contract import Source
from .errors import TableError
from .schema import Table

__all__ = ["FORMATS", "ROW", "RawTable", "SourceFile", "locate", "read_table"]

ROW = "__row"
FORMATS: dict[str, Literal["csv", "parquet", "xlsx"]] = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
_DECODE = {
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso-8859-15",
}


@dataclass(frozen=True)
class SourceFile:
    """A file an engagement was read from, with what proves which version it was."""

    table: str
    path: Path
    format: str
    size: int
    sha256: str

    @classmethod
    def of(cls, table: str, path: Path) -> SourceFile:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return cls(
            table,
            path,
            FORMATS.get(path.suffix.lower(), path.suffix.lower().lstrip(".")),
            path.stat().st_size,
            digest.hexdigest(),
        )


@dataclass(frozen=True)
class RawTable:
    """A table as read: our column names, a row-number column `__row`, values as text or native types.

    `present` holds the columns the file has; absent optional columns are added as nulls.
    """

    spec: Table
    source: SourceFile
    frame: pl.LazyFrame
    present: frozenset[str]
    textual: bool
    ignored_columns: tuple[str, ...]

    @property
    def file(self) -> str:
        return str(self.source.path)


def locate(folder: Path, table: Table, source: Source | None) -> Path | None:
    """The file holding `table`: the `sources:` path if given, else `<table>.csv|parquet|xlsx` in the folder."""
    if source is not None and source.path:
        path = (folder / source.path).resolve()
        if not path.is_file():
            raise TableError(f"file not found for table {table.name} (sources.{table.name}.path)", file=path)
        if path.suffix.lower() not in FORMATS:
            raise TableError(f"unsupported file type {path.suffix!r} (expected .csv, .parquet or .xlsx)", file=path)
        return path
    found = [folder / f"{table.name}{ext}" for ext in FORMATS if (folder / f"{table.name}{ext}").is_file()]
    if len(found) > 1:
        raise TableError(
            f"table {table.name} is given by several files ({', '.join(p.name for p in found)}): keep one",
            file=folder,
        )
    if not found and table.required:
        raise TableError(
            f"required table {table.name} not found (expected {table.name}.csv, .parquet or .xlsx, "
            f"or a path under sources.{table.name} in contract.yaml)",
            file=folder,
        )
    return found[0] if found else None


def read_table(path: Path, table: Table, source: Source | None) -> RawTable:
    """Read one table file; a file that cannot be read at all is a TableError naming it."""
    source = source or Source()
    sf = SourceFile.of(table.name, path)
    try:
        if sf.format == "csv":
            frame, offset = _read_csv(path, source), 2
        elif sf.format == "xlsx":
            frame, offset = _read_xlsx(path, source), 2
        else:
            frame, offset = _scan_parquet(path), 1
    except TableError:
        raise
    except Exception as e:
        raise TableError(f"cannot read the {sf.format} file: {_first_line(e)}", file=path) from e
    headers = frame.collect_schema().names()
    rename, present, ignored = _map_headers(headers, table, source, path)
    frame = frame.with_row_index(ROW, offset=offset).with_columns(pl.col(ROW).cast(pl.Int64))
    textual = sf.format != "parquet"
    missing_fill = [
        pl.lit(None, dtype=pl.String() if textual else c.dtype).alias(c.name)
        for c in table.columns
        if c.name not in present
    ]
    frame = frame.select(ROW, *[pl.col(theirs).alias(ours) for ours, theirs in rename.items()]).with_columns(
        missing_fill
    )
    if textual:
        frame = frame.filter(~pl.all_horizontal(pl.col(table.column_names).is_null()))
    frame = frame.select(ROW, *table.column_names)
    return RawTable(table, sf, frame, frozenset(present), textual, tuple(ignored))


def _read_csv(path: Path, source: Source) -> pl.LazyFrame:
    data = path.read_bytes()
    if not data.strip():
        raise TableError("the file is empty (expected a header line and rows)", file=path)
    encoding = source.encoding.lower()
    if encoding in _DECODE:
        data = data.decode(_DECODE[encoding]).encode("utf-8")
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise TableError(
                f"not UTF-8 text (line {line}, byte {e.start}): if the file comes from Excel or Windows, "
                "set `encoding: cp1252` for this table under `sources:` in contract.yaml",
                file=path,
            ) from None
    frame = pl.read_csv(
        data,
        separator=source.separator,
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=True,
    )
    if frame.width == 1 and source.separator not in frame.columns[0]:
        guess = next((s for s in (";", ",", "\t", "|") if s != source.separator and s in frame.columns[0]), None)
        if guess:
            raise TableError(
                f"the header has one column {frame.columns[0]!r}: the separator looks like {guess!r}, "
                f"not {source.separator!r} (set `separator: {guess!r}` under sources in contract.yaml)",
                file=path,
            )
    return frame.lazy()


def _read_xlsx(path: Path, source: Source) -> pl.LazyFrame:
    try:
        frame = pl.read_excel(
            path,
            sheet_name=source.sheet,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as e:
        text = _first_line(e)
        if source.sheet and "sheet" in text.lower():
            raise TableError(f"no sheet named {source.sheet!r} in the workbook", file=path) from None
        raise
    return frame.lazy()


def _scan_parquet(path: Path) -> pl.LazyFrame:
    frame = pl.scan_parquet(path)
    frame.collect_schema()
    return frame


def _map_headers(
    headers: list[str], table: Table, source: Source, path: Path
) -> tuple[dict[str, str], set[str], list[str]]:
    """Our name -> the file's header, the columns present, and the file's headers we do not use."""
    dupes = [h for h in headers if "_duplicated_" in h]
    if dupes:
        raise TableError(
            f"header {dupes[0].split('_duplicated_')[0]!r} appears more than once (expected unique headers)", file=path
        )
    normal = {h.strip().lower(): h for h in headers}
    rename: dict[str, str] = {}
    for column in table.columns:
        wanted = source.columns.get(column.name, column.name)
        theirs = wanted if wanted in headers else normal.get(wanted.strip().lower())
        if theirs is None and column.name in source.columns:
            raise TableError(
                f"column {wanted!r} (mapped to {column.name} under sources.{table.name}.columns) is not in the header "
                f"(found: {', '.join(headers)})",
                file=path,
            )
        if theirs is not None:
            rename[column.name] = theirs
    missing = [c for c in table.required_columns if c not in rename]
    if missing:
        raise TableError(
            f"required column {missing[0]!r} of {table.name} is missing (found: {', '.join(headers) or 'no header'}; "
            f"map another header to it under sources.{table.name}.columns)",
            file=path,
            key=missing[0],
        )
    used = set(rename.values())
    return rename, set(rename), [h for h in headers if h not in used]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
