"""Finding and reading an engagement's table files (CSV, Parquet, Excel) into frames with our column names.

Reading is separate from validation: a reader maps the file's headers to ours and numbers the rows
as a person counts them in the file; `validation` then casts and checks the values.
CSV and Excel arrive as text (every value a string, so nothing is lost to type inference); Parquet
keeps its types and is scanned lazily, so a large contact history never has to fit in memory.

Row numbers count records, as a spreadsheet shows them: the header is row 1, a blank line is a row,
and a quoted value holding line breaks is still one row. What a reader cannot fit into a column is
kept for validation to reject the row with: values beyond the header's width (`EXTRA`), and Excel
cells holding a formula without a stored result or an error value (`CELL` + column).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import IO, Literal
from xml.etree import ElementTree

import polars as pl

from ..contract.terms import Source
from ..core.errors import TableError, shown
from ..core.schema import Column, Table
from .presets import preset_columns

__all__ = [
    "CELL",
    "EXTRA",
    "FILE",
    "FORMATS",
    "ROW",
    "RawTable",
    "SourceFile",
    "check_inside",
    "locate",
    "read_table",
    "row_slices",
]

ROW = "__row"
FILE = "__file"
EXTRA = "__extra"
CELL = "__cell_"
FORMATS: dict[str, Literal["csv", "parquet", "xlsx"]] = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
_DECODE = {
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso-8859-15",
}
_BOM = b"\xef\xbb\xbf"
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u2018-\u203a€]")


@dataclass(frozen=True)
class SourceFile:
    """A file an engagement was read from, with what proves which version it was; for a folder of
    Parquet files (a table delivered month by month), `parts` are its files, `size` their total."""

    table: str
    path: Path
    format: str
    size: int
    parts: tuple[SourceFile, ...] = ()

    @classmethod
    def of(cls, table: str, path: Path) -> SourceFile:
        """The file's description; opening it now says at once whether it can be read."""
        with path.open("rb"):
            pass
        return cls(table, path, FORMATS.get(path.suffix.lower(), path.suffix.lower().lstrip(".")), path.stat().st_size)

    @cached_property
    def sha256(self) -> str:
        """The file's SHA-256, read when first asked for (a large contact history takes seconds to hash);
        a folder's is the SHA-256 of its files' paths (relative to it) and digests."""
        digest = hashlib.sha256()
        if self.parts:
            for part in self.parts:
                digest.update(f"{part.path.relative_to(self.path).as_posix()}\0{part.sha256}\0".encode())
            return digest.hexdigest()
        with self.path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass(frozen=True)
class RawTable:
    """A table as read: our column names, a row-number column `__row`, values as text or native types.

    `present` holds the columns the file has; absent optional columns are added as nulls. The frame
    also holds `EXTRA` when some row had more values than the header, and `CELL + column` for the
    columns where an Excel cell could not be read.
    """

    spec: Table
    source: SourceFile
    frame: pl.LazyFrame
    present: frozenset[str]
    textual: bool
    ignored_columns: tuple[str, ...]
    parts: tuple[RawTable, ...] = ()

    @property
    def file(self) -> str:
        return str(self.source.path)


@dataclass(frozen=True)
class _Grid:
    """A file's records before mapping: `headers` as written (None when empty), one frame column per header.

    `first_row` is the row number of the first record after the header; `filled` the columns holding
    any value (text files); `cells` the (row, column index, problem) of unreadable Excel cells.
    """

    frame: pl.LazyFrame
    headers: list[str | None]
    first_row: int
    filled: frozenset[int] | None = None
    extra: bool = False
    cells: tuple[tuple[int, int, str], ...] = ()


def locate(folder: Path, table: Table, source: Source | None, *, allow_outside: bool = False) -> Path | None:
    """The file holding `table`, resolved (links followed): the `sources:` path if given, else
    `<table>.csv|parquet|xlsx` in the folder.

    A path that leads outside `folder` (absolute, climbing out with `..`, or through a symbolic link)
    is refused unless `allow_outside`: an engagement is what its folder holds.
    """
    if source is not None and source.path:
        given = folder / source.path
        _check_inside(
            folder,
            given,
            allow_outside,
            f"{shown(source.path, 120)} leads outside the engagement folder",
            file=folder / "contract.yaml",
            key=f"sources.{table.name}.path",
        )
        if given.is_dir():
            return given.resolve()
        _check_is_file(given, f"file not found for table {table.name} (sources.{table.name}.path)")
        path = given.resolve()
        if path.suffix.lower() not in FORMATS:
            raise TableError(f"unsupported file type {path.suffix!r} (expected .csv, .parquet or .xlsx)", file=path)
        return path
    candidates = [folder / f"{table.name}{ext}" for ext in FORMATS]
    found = [p for p in candidates if p.is_symlink() or p.exists()]
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
    if not found:
        return None
    _check_is_file(found[0], f"file not found for table {table.name}")
    check_inside(folder, found[0], allow_outside=allow_outside)
    return found[0].resolve()


def check_inside(folder: Path, path: Path, *, allow_outside: bool = False) -> None:
    """Refuse a file of the engagement (such as contract.yaml) that is a link leading outside `folder`."""
    _check_inside(folder, path, allow_outside, "a symbolic link leading outside the engagement folder", file=path)


def _check_inside(
    folder: Path, path: Path, allow_outside: bool, what: str, *, file: Path, key: str | None = None
) -> None:
    resolved = path.resolve()
    if allow_outside or resolved.is_relative_to(folder.resolve()):
        return
    raise TableError(
        f"{what} (it resolves to {shown(str(resolved), 120)}): files outside {folder} are not read; "
        "move the file into the folder, or allow it (--allow-outside; load(..., allow_outside=True))",
        file=file,
        key=key,
    )


def _check_is_file(path: Path, missing: str) -> None:
    if path.is_symlink() and not path.exists():
        raise TableError(
            "a symbolic link that leads nowhere (its target is missing, or links loop back): "
            "point it at the table's file, or replace it with the file",
            file=path,
        )
    if path.is_dir():
        raise TableError("a folder, not a file (expected a .csv, .parquet or .xlsx file)", file=path)
    if not path.is_file():
        raise TableError(missing, file=path)


def read_table(path: Path, table: Table, source: Source | None) -> RawTable:
    """Read one table file, or a folder of Parquet files (`_read_folder`); a file that cannot be read at
    all is a TableError naming it."""
    source = source or Source()
    if path.is_dir():
        return _read_folder(path, table, source)
    try:
        sf = SourceFile.of(table.name, path)
    except OSError as e:
        raise TableError(f"cannot open the file: {e.strerror or e} (check that it can be read)", file=path) from None
    try:
        if sf.format == "csv":
            grid = _read_csv(path, source, table)
        elif sf.format == "xlsx":
            grid = _read_xlsx(path, source)
        else:
            grid = _scan_parquet(path)
    except TableError:
        raise
    except Exception as e:
        raise TableError(f"cannot read the {sf.format} file: {_first_line(e)}", file=path) from e
    used: set[str] = set()
    if source.preset:
        grid, used = _with_preset(grid, table, source.preset, source, path)
    schema = grid.frame.collect_schema()
    names = schema.names()
    rename, ignored = _map_headers(grid.headers, grid.filled, table, source, path, used)
    textual = sf.format != "parquet"
    if not textual:
        _check_types(schema, names, rename, table, path)
    frame = grid.frame.with_row_index(ROW, offset=grid.first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    missing_fill = [
        pl.lit(None, dtype=pl.String() if textual else c.dtype).alias(c.name)
        for c in table.columns
        if c.name not in rename
    ]
    kept = [EXTRA] if grid.extra else []
    frame = frame.select(ROW, *[pl.col(names[i]).alias(ours) for ours, i in rename.items()], *kept).with_columns(
        missing_fill
    )
    cells = _cell_problems(grid.cells, rename)
    if cells is not None:
        frame = frame.join(cells.lazy(), on=ROW, how="left", maintain_order="left")
        kept += [c for c in cells.columns if c != ROW]
    if textual:
        # A row with no value (nothing, or only spaces, between the separators) is no row: skipped.
        blank = [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in table.column_names]
        frame = frame.filter(~pl.all_horizontal([*blank, *(pl.col(c).is_null() for c in kept)]))
    frame = frame.select(ROW, *table.column_names, *kept)
    return RawTable(table, sf, frame, frozenset(rename), textual, tuple(ignored))


def _read_folder(folder: Path, table: Table, source: Source) -> RawTable:
    """A folder of Parquet files as one table: every `*.parquet` under it (`month=2026-07/part-0.parquet`,
    hive-style, or one file per month), in the order of their paths, each read as a file is.

    Rows are numbered within their file, and `FILE` says which file each row is in, so that a
    rejected row names its file and row. Every file must give the same columns as the first.
    """
    files = sorted((p for p in folder.rglob("*") if p.suffix.lower() == ".parquet"), key=lambda p: p.as_posix())
    if not files:
        raise TableError(
            f"no .parquet file in the folder given for table {table.name} (expected one per month)", file=folder
        )
    for f in files:
        _check_inside(folder, f, False, "a symbolic link leading outside the table's folder", file=f)
    parts = tuple(read_table(f.resolve(), table, source) for f in files)
    first = parts[0]
    for part in parts[1:]:
        if part.present != first.present:
            differ = sorted(part.present ^ first.present)
            raise TableError(
                f"columns differ from those of {first.source.path.name} ({', '.join(differ)}): "
                "every file of the folder must have the same columns",
                file=part.source.path,
                key=differ[0],
            )
    frame = pl.concat(
        [p.frame.with_columns(pl.lit(str(p.source.path)).alias(FILE)) for p in parts], how="vertical_relaxed"
    )
    ignored = tuple(dict.fromkeys(c for p in parts for c in p.ignored_columns))
    source_file = SourceFile(
        table.name, folder, "parquet", sum(p.source.size for p in parts), tuple(p.source for p in parts)
    )
    return RawTable(table, source_file, frame, first.present, False, ignored, parts)


def row_slices(raw: RawTable, rows: int) -> tuple[RawTable, ...]:
    """The table in partitions a computation can hold one at a time: each file of a folder, and a
    file of more than `rows` rows in slices of `rows` (its row numbers kept)."""
    if raw.parts:
        return tuple(s for p in raw.parts for s in row_slices(p, rows))
    if raw.textual:
        return (raw,)
    total = raw.frame.select(pl.len()).collect().item()
    if total <= rows:
        return (raw,)
    return tuple(replace(raw, frame=raw.frame.slice(start, rows)) for start in range(0, total, rows))


def _with_preset(grid: _Grid, table: Table, preset: str, source: Source, path: Path) -> tuple[_Grid, set[str]]:
    """The grid with our columns derived from the platform's fields (`presets`) added after its own,
    and the fields they read."""
    names = grid.frame.collect_schema().names()
    headers = grid.headers
    frame_column = {h: names[i] for i, h in enumerate(headers) if h is not None and headers.count(h) == 1}
    derived, used = preset_columns(preset, table.name, frame_column, set(source.columns), str(path))
    width = len(headers)
    # derived columns right after the header's, so that a header's position is its frame column's
    added = [e.alias(f"{_DERIVED}{ours}") for ours, e in derived.items()]
    frame = grid.frame.select(*names[:width], *added, *names[width:])
    filled = None if grid.filled is None else grid.filled | set(range(width, width + len(derived)))
    return _Grid(frame, [*headers, *derived], grid.first_row, filled, grid.extra, grid.cells), used


_DERIVED = "__preset_"


def _read_csv(path: Path, source: Source, table: Table) -> _Grid:
    data = _utf8(path.read_bytes(), source, path)
    if not data.strip():
        raise TableError("the file is empty (expected a header line and rows)", file=path)
    separator = source.separator
    options = {"has_header": False, "separator": separator, "infer_schema": False}
    wider: pl.DataFrame | None = None
    try:
        first = pl.read_csv(data, n_rows=1, truncate_ragged_lines=True, **options)
        width = first.width
        try:
            frame = pl.read_csv(data, truncate_ragged_lines=False, **options)
        except pl.exceptions.ComputeError as e:
            if "more fields" not in str(e):
                raise
            frame = pl.read_csv(data, truncate_ragged_lines=True, **options)
            wider = _wider_records(data.decode("utf-8"), separator, width, frame.height, path)
    except pl.exceptions.ComputeError as e:
        problem = _quote_problem(data.decode("utf-8", errors="replace"), separator)
        raise TableError(problem or f"cannot read the csv file: {_first_line(e)}", file=path) from None
    headers = [None if h is None or not h.strip() else h for h in first.row(0)]
    if not any(headers):
        raise TableError("the first line is empty (expected the header on line 1)", file=path)
    if width == 1 and separator not in (headers[0] or ""):
        guess = next((s for s in (";", ",", "\t", "|") if s != separator and s in (headers[0] or "")), None)
        if guess:
            raise TableError(
                f"the header is a single column holding {guess!r}: the separator looks like {guess!r}, "
                f"not {separator!r} (set `separator: {guess!r}` under sources.{table.name} in contract.yaml)",
                file=path,
            )
    filled = frozenset(i for i, c in enumerate(frame.columns) if frame[c].slice(1).null_count() < frame.height - 1)
    if wider is not None:
        frame = frame.with_row_index(_RECORD).join(wider, on=_RECORD, how="left", maintain_order="left").drop(_RECORD)
    return _Grid(frame.slice(1).lazy(), headers, 2, filled, wider is not None)


_RECORD = "__record"


def _wider_records(text: str, separator: str, width: int, records: int, path: Path) -> pl.DataFrame | None:
    """The records holding more values than the header: their index in the file and the values beyond it.

    None when every row ends with one empty value beyond the header: a separator closing each line.
    """
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"', doublequote=True))
    if len(rows) != records:
        raise TableError(
            f"rows with more values than the header's {width} columns, and quotes this reader cannot follow: "
            "quote every value that holds the separator",
            file=path,
        )
    wide = [(k, row[width:]) for k, row in enumerate(rows) if k > 0 and len(row) > width]
    if all(extra == [""] for _, extra in wide) and all(len(row) == width + 1 for row in rows[1:] if row):
        return None
    return pl.DataFrame(
        {_RECORD: [k for k, _ in wide], EXTRA: [extra for _, extra in wide]},
        schema={_RECORD: pl.UInt32(), EXTRA: pl.List(pl.String())},
    )


def _utf8(data: bytes, source: Source, path: Path) -> bytes:
    """The file's bytes as UTF-8, decoded from the declared encoding; an error says which encoding to set."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise TableError(
            "UTF-16 or binary content, not CSV text: save the file as UTF-8 (in Excel: CSV UTF-8)", file=path
        )
    encoding = source.encoding.lower()
    if encoding in _DECODE:
        if data.startswith(_BOM):
            raise TableError(
                f"the file starts with a UTF-8 byte-order mark, but `encoding: {source.encoding}` is set: "
                "it is UTF-8 text (remove `encoding` under sources in contract.yaml)",
                file=path,
            )
        try:
            return data.decode(_DECODE[encoding]).encode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise TableError(
                f"byte 0x{data[e.start]:02x} on line {line} is not {source.encoding} text: "
                "check the `encoding` under sources in contract.yaml (utf-8, cp1252, latin-1, iso-8859-15)",
                file=path,
            ) from None
    data = data.removeprefix(_BOM)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise TableError(
            f"not UTF-8 text (line {line}, byte {e.start}): if the file comes from Excel or Windows, "
            "set `encoding: cp1252` for this table under `sources:` in contract.yaml",
            file=path,
        ) from None
    return data


def _quote_problem(text: str, separator: str) -> str | None:
    """Where the quotes of a CSV text go wrong, if they do: the line of an unclosed or stray quote."""
    line, opened, quoted, i = 1, 0, False, 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            line += 1
        elif char == '"' and quoted:
            if text.startswith('""', i):
                i += 1
            else:
                quoted = False
                after = text[i + 1 : i + 2]
                if after not in ("", separator, "\n", "\r"):
                    return (
                        f"line {line}: text after a closing quote: "
                        'quote the whole value and double the quotes inside it ("12"" screen")'
                    )
        elif char == '"':
            if text.startswith('""', i) and i > 0 and text[i - 1] not in (separator, "\n", "\r"):
                i += 1
            else:
                quoted, opened = True, line
        i += 1
    if quoted:
        return (
            f'line {opened}: a quote (") opens a value that is never closed: remove the stray quote, or quote '
            'the whole value and double the quotes inside it ("12"" screen")'
        )
    return None


def _read_xlsx(path: Path, source: Source) -> _Grid:
    try:
        frame = pl.read_excel(
            path,
            sheet_name=source.sheet,
            infer_schema_length=0,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
            read_options={"header_row": None},
        )
    except Exception as e:
        text = _first_line(e)
        if source.sheet and "sheet" in text.lower():
            raise TableError(
                f"no sheet named {shown(source.sheet)} in the workbook "
                f"(sheets: {', '.join(shown(n, 30)[1:-1] for n in _sheet_names(path))})",
                file=path,
            ) from None
        raise
    first_row, cells = _xlsx_layout(path, source.sheet)
    if frame.height == 0:
        return _Grid(pl.LazyFrame(), [], first_row + 1)
    headers = [None if h is None or not str(h).strip() else str(h) for h in frame.row(0)]
    body = frame.slice(1)
    filled = frozenset(i for i, c in enumerate(body.columns) if body[c].null_count() < body.height)
    return _Grid(body.lazy(), headers, first_row + 1, filled | {i for _, i, _ in cells}, cells=tuple(cells))


def _sheet_names(path: Path) -> list[str]:
    import fastexcel

    return list(fastexcel.read_excel(path).sheet_names)


_FORMULA_OR_ERROR = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b't="e"')


def _xlsx_layout(path: Path, sheet: str | None) -> tuple[int, list[tuple[int, int, str]]]:
    """The sheet's first used row (its header) and the cells a reader cannot give a value for.

    Those cells hold a formula whose result was never stored (a workbook written by a program and
    never opened in a spreadsheet) or an error value (#DIV/0!, #N/A…): a reader sees them empty.
    Only a sheet holding formulas or errors is read to its end.
    """
    try:
        with zipfile.ZipFile(path) as book:
            member = _sheet_member(book, sheet)
            if member is None:
                return 1, []
            with book.open(member) as stream:
                marked = _contains(stream, _FORMULA_OR_ERROR)
            with book.open(member) as stream:
                return _scan_cells(stream, to_the_end=marked)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError):
        return 1, []


def _sheet_member(book: zipfile.ZipFile, sheet: str | None) -> str | None:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    sheets = [el for el in workbook.iter() if _local(el.tag) == "sheet"]
    chosen = next((el for el in sheets if el.get("name") == sheet), None) if sheet else (sheets or [None])[0]
    if chosen is None:
        return None
    rid = next((v for k, v in chosen.attrib.items() if _local(k) == "id"), None)
    target = next((el.get("Target") for el in rels if el.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _contains(stream: IO[bytes], markers: tuple[bytes, ...]) -> bool:
    tail = b""
    for block in iter(lambda: stream.read(1 << 20), b""):
        chunk = tail + block
        if any(m in chunk for m in markers):
            return True
        tail = block[-8:]
    return False


def _scan_cells(stream: IO[bytes], *, to_the_end: bool) -> tuple[int, list[tuple[int, int, str]]]:
    first_row: int | None = None
    first_col: int | None = None
    found: list[tuple[int, int, str]] = []
    sheet_data = None
    for event, el in ElementTree.iterparse(stream, events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "sheetData":
                sheet_data = el
            continue
        if tag == "row" and sheet_data is not None:
            sheet_data.clear()
        if tag != "c":
            continue
        match = re.fullmatch(r"([A-Z]+)(\d+)", el.get("r", ""))
        if match is None:
            raise ValueError("cell without a reference")
        col, row = _column_number(match[1]), int(match[2])
        kind = el.get("t")
        parts = {_local(child.tag): child for child in el}
        value = parts["v"].text if "v" in parts else None
        if value or (kind == "inlineStr" and "".join(el.itertext()).strip()):
            first_row = row if first_row is None else first_row
            first_col = col if first_col is None else min(first_col, col)
            if not to_the_end:
                break
        ref = f"cell {match[0]}"
        if kind == "e":
            found.append((row, col, f"{ref} holds the error {value} (expected a value: fix the formula or its inputs)"))
        elif "f" in parts and not value and kind != "str":
            found.append(
                (
                    row,
                    col,
                    f"{ref} holds a formula whose result was never stored (open and save the workbook "
                    "in Excel or LibreOffice, which stores the results)",
                )
            )
    start = first_col or 1
    return first_row or 1, [(row, col - start, problem) for row, col, problem in found if col >= start]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _cell_problems(cells: tuple[tuple[int, int, str], ...], rename: dict[str, int]) -> pl.DataFrame | None:
    """One row per spreadsheet row with unreadable cells, one `CELL + column` per our column concerned."""
    ours = {i: name for name, i in rename.items()}
    kept = [(row, ours[i], problem) for row, i, problem in cells if i in ours]
    if not kept:
        return None
    rows = sorted({row for row, _, _ in kept})
    columns = sorted({name for _, name, _ in kept})
    table: dict[str, list] = {ROW: rows} | {CELL + name: [None] * len(rows) for name in columns}
    position = {row: k for k, row in enumerate(rows)}
    for row, name, problem in kept:
        table[CELL + name][position[row]] = problem
    return pl.DataFrame(table, schema={ROW: pl.Int64()} | {CELL + name: pl.String() for name in columns})


def _scan_parquet(path: Path) -> _Grid:
    frame = pl.scan_parquet(path)
    names = frame.collect_schema().names()
    return _Grid(frame, list(names), 1)


def _map_headers(
    headers: list[str | None],
    filled: frozenset[int] | None,
    table: Table,
    source: Source,
    path: Path,
    read_by_preset: set[str],
) -> tuple[dict[str, int], list[str]]:
    """Our name -> the position of the file's column, and the file's columns we do not use (as labels):
    neither ours nor among the platform's fields a preset read (`read_by_preset`)."""
    rename: dict[str, int] = {}
    for column in table.columns:
        wanted = source.columns.get(column.name, column.name)
        exact = [i for i, h in enumerate(headers) if h == wanted]
        loose = [i for i, h in enumerate(headers) if h is not None and h.strip().lower() == wanted.strip().lower()]
        matches = exact or loose
        if len(exact) > 1:
            raise TableError(f"header {shown(wanted)} appears more than once (expected unique headers)", file=path)
        if len(matches) > 1:
            both = " and ".join(shown(headers[i] or "") for i in matches)
            raise TableError(f"headers {both} both match {column.name} (expected one; rename the other)", file=path)
        if not matches and column.name in source.columns:
            raise TableError(
                f"column {shown(wanted)} (mapped to {column.name} under sources.{table.name}.columns) is not in the "
                f"header ({_found(headers, table, source)}){_encoding_hint(headers, source)}",
                file=path,
            )
        if matches:
            rename[column.name] = matches[0]
    used = {}
    for ours, i in rename.items():
        if i in used:
            raise TableError(
                f"header {shown(headers[i] or '')} is used for both {used[i]} and {ours} "
                "(expected one file column for each)",
                file=path,
            )
        used[i] = ours
    missing = [c for c in table.required_columns if c not in rename]
    if missing:
        raise TableError(
            f"required column {missing[0]!r} of {table.name} is missing ({_found(headers, table, source)}; "
            f"map another header to it under sources.{table.name}.columns){_header_hint(headers, rename)}",
            file=path,
            key=missing[0],
        )
    ignored = [
        shown(h, 30)[1:-1] if h is not None else f"(no header, column {i + 1})"
        for i, h in enumerate(headers)
        if i not in used and h not in read_by_preset and (h is not None or filled is None or i in filled)
    ]
    return rename, ignored


_SHOWN_HEADERS = 12


def _found(headers: list[str | None], table: Table, source: Source) -> str:
    """The file's header as a message may quote it: only when it parsed as the table's header (one of its
    names is a column of the table), each name shortened and escaped, at most `_SHOWN_HEADERS` of them.

    A first line naming none of the columns may be data, or not the table at all (a file holding a
    secret): it is not quoted.
    """
    if not headers:
        return "found: no header"
    known = {name.strip().lower() for c in table.columns for name in (c.name, source.columns.get(c.name, c.name))}
    if not any(h is not None and h.strip().lower() in known for h in headers):
        return f"the first line names none of the columns of {table.name}, so it is not shown"
    names = [shown(h, 30)[1:-1] if h is not None else "(empty)" for h in headers[:_SHOWN_HEADERS]]
    more = len(headers) - _SHOWN_HEADERS
    return "found: " + ", ".join(names) + (f", … ({more} more)" if more > 0 else "")


def _header_hint(headers: list[str | None], rename: dict[str, int]) -> str:
    if headers and None in headers:
        return "; empty header cells: each column needs its own header in the first row (merged cells?)"
    if headers and not rename:
        return "; the first line must be the header"
    return ""


def _encoding_hint(headers: list[str | None], source: Source) -> str:
    if source.encoding.lower() in _DECODE and any(h and _MOJIBAKE.search(h) for h in headers):
        return f"; the header looks like UTF-8 read as {source.encoding}: remove `encoding` under sources"
    return ""


def _check_types(schema: pl.Schema, names: list[str], rename: dict[str, int], table: Table, path: Path) -> None:
    """Refuse a Parquet column whose type cannot hold our column's values (a number for a datetime…)."""
    for ours, i in rename.items():
        column, dtype = table.column(ours), schema[names[i]]
        expected = _type_expected(column, dtype)
        if expected:
            raise TableError(
                f"column {names[i]!r} has type {dtype} (expected {expected}, or text)", file=path, key=ours
            )


def _type_expected(column: Column, dtype: pl.DataType) -> str | None:
    """None when a Parquet column of `dtype` can be read as `column`, else what is expected."""
    if dtype in (pl.Null(), pl.String()) or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return None
    kind = column.kind
    if kind == "str":
        return None if dtype.is_integer() else "text or whole numbers"
    if kind in ("float", "int"):
        return None if dtype.is_numeric() else "a number"
    if kind == "bool":
        return None if dtype == pl.Boolean() or dtype.is_integer() else "a boolean, or 0/1"
    if kind == "datetime":
        return None if isinstance(dtype, pl.Datetime) or dtype == pl.Date() else "a datetime"
    return None if isinstance(dtype, pl.Datetime) or dtype == pl.Date() else "a date"


def _first_line(error: BaseException) -> str:
    """A reader's error as a message quotes it: its first line, shortened, control characters escaped."""
    text = str(error).strip().splitlines()
    return shown(text[0], 160)[1:-1] if text else type(error).__name__
