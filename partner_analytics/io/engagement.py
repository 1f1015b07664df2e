"""An engagement: the validated contract, one LazyFrame per table, the rejected rows, and where it all came from."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import polars as pl

from ..contract.reading import read_contract
from ..contract.terms import Contract, Source
from ..core.errors import EngagementError, TableError, shown
from ..core.schema import TABLES
from .intervals import check_interval_counts
from .readers import ROW, RawTable, SourceFile, check_inside, locate, read_table, row_slices
from .validation import REJECTED_SCHEMA, KeysRead, ValidatedTable, repeated_keys, validate_table

__all__ = ["HELD_BYTES", "PARTITION_ROWS", "Engagement", "errors_naming_files", "load"]

HELD_BYTES = 100 * 2**20
PARTITION_ROWS = 4 * 2**20
"""The most rows of a large file read at a time by a computation partition by partition (`Engagement.partitions`)."""


@dataclass(frozen=True)
class Engagement:
    """One client's programme as the transforms see it.

    `tables` holds the tables present in the folder (valid rows only, typed, every column of the data
    contract, absent optional columns as nulls); `present` the columns each file really had, so a KPI
    whose inputs are absent is reported as not measurable rather than computed from nulls;
    `rejected` every row that failed validation, with its reason and file (`rejections`: the same per
    table); `sources` the files each table was read from (one, or several put together, in the order
    read; a folder of Parquet files is one, its files its `parts`), with their digests (lineage); `raw`
    each table's files as read, with their source terms, and `repeated` the hashes of its keys read
    more than once, from which `partitions` validates a table part by part; `held`, whether its tables
    are held in memory (`collected`).
    """

    path: Path
    contract: Contract
    tables: dict[str, pl.LazyFrame]
    present: dict[str, frozenset[str]]
    rejected: pl.LazyFrame
    sources: dict[str, tuple[SourceFile, ...]]
    contract_file: SourceFile
    warnings: tuple[str, ...] = field(default=())
    raw: dict[str, tuple[tuple[RawTable, Source | None], ...]] = field(default_factory=dict)
    repeated: dict[str, pl.Series] = field(default_factory=dict)
    rejections: dict[str, pl.LazyFrame] = field(default_factory=dict)
    held: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def contacts(self) -> pl.LazyFrame:
        return self.tables["contacts"]

    @cached_property
    def contact_months(self) -> tuple[dt.date, dt.date] | None:
        """The first and last month (local) of the valid contacts, None without any: read once, as the
        whole history is validated to find them."""
        month = pl.col("arrived_at").dt.date().dt.truncate("1mo")
        first, last = self.contacts.select(month.min().alias("first"), month.max().alias("last")).collect().row(0)
        return None if first is None else (first, last)

    def table(self, name: str) -> pl.LazyFrame | None:
        """The table of that name, or None when the engagement does not have it."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r} (known: {', '.join(TABLES)})")
        return self.tables.get(name)

    def has(self, table: str, column: str | None = None) -> bool:
        """Whether the engagement holds `table` (and, if given, that the file had `column`)."""
        return table in self.tables and (column is None or column in self.present[table])

    @property
    def files(self) -> tuple[SourceFile, ...]:
        """Every file read, table by table (in the data contract's order of names), in the order read."""
        return tuple(sf for table in sorted(self.sources) for sf in self.sources[table])

    @property
    def digest(self) -> str:
        """One SHA-256 over the contract and every input file: the same data gives the same digest."""
        h = hashlib.sha256()
        for sf in (self.contract_file, *self.files):
            h.update(f"{sf.table}\0{sf.sha256}\0".encode())
        return h.hexdigest()

    def partitions(self, name: str = "contacts", *, rows: int = PARTITION_ROWS) -> Iterator[ValidatedTable] | None:
        """The table's valid and rejected rows, partition by partition (`readers.row_slices`: each of
        its files, each file of a folder, a large file in slices of `rows`), in the order of the files
        and rows, each file validated with its own source terms (preset, columns). A partition's valid
        rows collected with its rejected rows, or with their numbers (`failing`), are typed and checked
        once (`validate_table(typed_once=True)`).
        Each partition's plan is made when it is asked for, so that the next is planned while one is read.

        None when a file is not Parquet, or a unique key of the table is read more than once (its
        repeat may be in another partition than its first occurrence): the table is then validated whole.
        """
        read = self.raw.get(name)
        repeated = self.repeated.get(name)
        if read is None or any(raw.textual for raw, _ in read) or (repeated is not None and not repeated.is_empty()):
            return None
        return (
            validate_table(part, self.contract, source, repeated=repeated, named=len(read) > 1, typed_once=True)
            for raw, source in read
            for part in row_slices(raw, rows)
        )

    def collected(self, *, limit: int | None = HELD_BYTES) -> Engagement:
        """The same engagement with its tables read and validated once and held in memory, except a
        table whose file is larger than `limit` bytes (None: no limit), which stays lazy.

        Worth it before computing many tables: a small table is then validated once, not once per
        use. A large contact history stays lazy, so that what is computed from it streams from the
        file in bounded memory (each computation reads it once) instead of holding it whole.
        """
        held = [
            n
            for n in self.tables
            if limit is None or n not in self.sources or sum(sf.size for sf in self.sources[n]) <= limit
        ]
        if not self.rejections:
            with errors_naming_files(self):
                frames = pl.collect_all([*(self.tables[n] for n in held), self.rejected])
            tables = self.tables | {name: df.lazy() for name, df in zip(held, frames[:-1], strict=True)}
            return replace(self, tables=tables, rejected=frames[-1].lazy(), held=True)
        # the rejected rows of a table left lazy stay lazy too: counted where the table is read
        checked = [n for n in self.rejections if n in held]
        with errors_naming_files(self):
            frames = pl.collect_all([*(self.tables[n] for n in held), *(self.rejections[n] for n in checked)])
        tables = self.tables | {name: df.lazy() for name, df in zip(held, frames[: len(held)], strict=True)}
        rejections = self.rejections | {n: df.lazy() for n, df in zip(checked, frames[len(held) :], strict=True)}
        rejected = pl.concat(list(rejections.values()), how="vertical")
        if len(checked) == len(rejections):
            rejected = pl.concat(frames[len(held) :], how="vertical").lazy()
        return replace(self, tables=tables, rejected=rejected, rejections=rejections, held=True)


@contextmanager
def errors_naming_files(engagement: Engagement) -> Iterator[None]:
    """Within it, a Parquet reader's error is a TableError naming the damaged file.

    A Parquet file is scanned lazily: a damaged data page is met when its rows are first computed,
    and the reader's own message does not say which file it is in. The engagement's Parquet files
    are then read once each (on that failure only) to find it.
    """
    try:
        yield
    except pl.exceptions.PolarsError as e:
        files = (part for sf in engagement.files for part in (sf.parts or (sf,)))
        damaged = next((sf for sf in files if sf.format == "parquet" and _damaged(sf.path)), None)
        if damaged is None:
            raise
        raise _damaged_file_error(e, damaged.path) from e


def _damaged_file_error(error: Exception, path: Path) -> TableError:
    lines = str(error).strip().splitlines() or [type(error).__name__]
    return TableError(
        f"cannot read the parquet file: {shown(lines[0], 160)[1:-1]} (its data is damaged: export it again)",
        file=path,
    )


def _damaged(path: Path) -> bool:
    """Whether reading every value of a Parquet file fails (read in batches, in bounded memory)."""
    try:
        pl.scan_parquet(path).select(pl.all().hash().sum()).collect(engine="streaming")
    except pl.exceptions.PolarsError:
        return True
    return False


def _check_interval_source(contract_path: Path, file: Path | None, pairs: frozenset[tuple[str, str]]) -> None:
    """An interval report goes with the pairs it covers (sources.intervals.covers), and those with it."""
    if file is not None and not pairs:
        raise TableError(
            f"an interval report ({file.name}) but no sources.intervals.covers: list the partner × channel pairs "
            "it measures (e.g. covers: {rivage: [voice]})",
            file=contract_path,
            key="sources.intervals.covers",
        )
    if file is None and pairs:
        raise TableError(
            "sources.intervals.covers names pairs measured from interval reports, but there is no intervals "
            "file (expected intervals.csv, .parquet or .xlsx, or sources.intervals.path)",
            file=contract_path,
            key="sources.intervals.covers",
        )


def _validated(parts: list[tuple[RawTable, Source | None]], contract: Contract) -> list[ValidatedTable]:
    """Each file of a table validated, its keys checked against those of the whole table: a key read
    again, in the same file or a later one, is rejected naming its first row (and file, when several)."""
    try:
        repeated = repeated_keys(parts, contract)  # reads a Parquet file's keys
        checked: list[ValidatedTable] = []
        earlier: KeysRead | None = None
        for raw, source in parts:
            table = validate_table(raw, contract, source, repeated=repeated, read_before=earlier, named=len(parts) > 1)
            checked.append(table)
            if len(parts) > 1 and table.firsts is not None and repeated is not None and not repeated.is_empty():
                firsts = table.firsts.collect()
                earlier = KeysRead(firsts if earlier is None else pl.concat([earlier.firsts, firsts], how="vertical"))
    except pl.exceptions.PolarsError as e:
        damaged = [p for raw, _ in parts for p in (raw.source.parts or (raw.source,)) if p.format == "parquet"]
        found = next((sf for sf in damaged if _damaged(sf.path)), None)
        if found is None:
            raise
        raise _damaged_file_error(e, found.path) from e
    return checked


def load(path: str | Path, *, allow_outside: bool = False) -> Engagement:
    """Read and validate an engagement folder (docs/data-contract.md).

    Contract and file-level problems raise an EngagementError naming the file and key; row-level
    problems do not stop the load: those rows are in `Engagement.rejected`, the valid rows go on.
    Only files inside the folder are read (links followed), unless `allow_outside`.
    """
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise EngagementError(
            "not a folder: expected an engagement folder holding contract.yaml and tables", file=folder
        )
    contract_path = folder / "contract.yaml"
    if not contract_path.is_file():
        raise EngagementError(
            "not an engagement: no contract.yaml here (expected contract.yaml and at least contacts.csv, "
            ".parquet or .xlsx; `partner-analytics sample --out DIR` writes an example)",
            file=folder,
        )
    check_inside(folder, contract_path, allow_outside=allow_outside)
    contract = read_contract(contract_path)
    tables: dict[str, pl.LazyFrame] = {}
    present: dict[str, frozenset[str]] = {}
    sources: dict[str, tuple[SourceFile, ...]] = {}
    rejected: dict[str, pl.LazyFrame] = {}
    warnings: list[str] = []
    raws: dict[str, tuple[tuple[RawTable, Source | None], ...]] = {}
    repeated: dict[str, pl.Series] = {}
    for name, spec in TABLES.items():
        read = [
            (file, source)
            for source in contract.table_sources(name) or (None,)
            if (file := locate(folder, spec, source, allow_outside=allow_outside)) is not None
        ]
        if name == "intervals":
            _check_interval_source(contract_path, read[0][0] if read else None, contract.interval_pairs)
        if not read:
            continue
        parts: list[tuple[RawTable, Source | None]] = []
        for file, source in read:
            raw = read_table(file, spec, source)
            if name == "intervals":
                check_interval_counts(contract, raw.present, contract_path)
            if spec.required and raw.frame.select(ROW).head(1).collect().height == 0:
                raise TableError(
                    f"no rows: the file holds a header and no data row (expected at least one row of {name}, "
                    "the table the others are measured against)",
                    file=file,
                )
            parts.append((raw, source))
            if raw.ignored_columns:
                warnings.append(
                    f"{file}: columns not in the data contract were left out: {', '.join(raw.ignored_columns)}"
                )
        checked = _validated(parts, contract)
        tables[name] = checked[0].valid if len(checked) == 1 else pl.concat([c.valid for c in checked], how="vertical")
        rejected[name] = pl.concat([c.rejected for c in checked], how="vertical")
        if checked[0].repeated is not None:
            repeated[name] = checked[0].repeated
        raws[name] = tuple(parts)
        columns = [raw.present for raw, _ in parts]
        present[name] = frozenset.intersection(*columns)
        sources[name] = tuple(raw.source for raw, _ in parts)
        partial = sorted(frozenset.union(*columns) - present[name])
        if partial:
            warnings.append(
                f"{name}: {', '.join(partial)} given by some of its files only, so not used (the figures that need "
                "them are not measurable): give them in every file of sources." + name
            )
    rejected_all = (
        pl.concat(list(rejected.values()), how="vertical") if rejected else pl.LazyFrame(schema=REJECTED_SCHEMA)
    )
    return Engagement(
        path=folder,
        contract=contract,
        tables=tables,
        present=present,
        rejected=rejected_all,
        sources=sources,
        contract_file=SourceFile.of("contract", contract_path.resolve()),
        warnings=tuple(warnings),
        raw=raws,
        repeated=repeated,
        rejections=rejected,
    )
