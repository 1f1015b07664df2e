"""An engagement: the validated contract, one LazyFrame per table, the rejected rows, and where it all came from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from ..contract.reading import read_contract
from ..contract.terms import Contract
from ..core.errors import EngagementError, TableError, shown
from ..core.schema import TABLES, Table
from .intervals import check_interval_counts
from .readers import ROW, SourceFile, check_inside, locate, read_table
from .validation import REJECTED_SCHEMA, KeysRead, validate_table

__all__ = ["HELD_BYTES", "Engagement", "errors_naming_files", "load"]

HELD_BYTES = 100 * 2**20


@dataclass(frozen=True)
class Engagement:
    """One client's programme as the transforms see it.

    `tables` holds the tables present in the folder (valid rows only, typed, every column of the data
    contract, absent optional columns as nulls); `present` the columns each file really had, so a KPI
    whose inputs are absent is reported as not measurable rather than computed from nulls;
    `rejected` every row that failed validation, with its reason and file; `sources` the files each
    table was read from (one, or several put together, in the order read), with their digests
    (lineage).
    """

    path: Path
    contract: Contract
    tables: dict[str, pl.LazyFrame]
    present: dict[str, frozenset[str]]
    rejected: pl.LazyFrame
    sources: dict[str, tuple[SourceFile, ...]]
    contract_file: SourceFile
    warnings: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def contacts(self) -> pl.LazyFrame:
        return self.tables["contacts"]

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
        with errors_naming_files(self):
            frames = pl.collect_all([*(self.tables[n] for n in held), self.rejected])
        tables = self.tables | {name: df.lazy() for name, df in zip(held, frames[:-1], strict=True)}
        return replace(self, tables=tables, rejected=frames[-1].lazy())


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
        damaged = next((sf for sf in engagement.files if sf.format == "parquet" and _damaged(sf.path)), None)
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


def _keys_read(spec: Table, valid: list[pl.LazyFrame], files: list[SourceFile]) -> KeysRead | None:
    """The keys of the rows kept from a table's earlier files: a later file repeating one is rejected."""
    if not valid or not spec.unique:
        return None
    keys = pl.concat([v.select(spec.unique) for v in valid], how="vertical").collect()
    return KeysRead(keys, tuple(sf.path.name for sf in files))


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
    rejected: list[pl.LazyFrame] = []
    warnings: list[str] = []
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
        valid: list[pl.LazyFrame] = []
        columns: list[frozenset[str]] = []
        files: list[SourceFile] = []
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
            earlier = _keys_read(spec, valid, files)
            try:
                checked = validate_table(raw, contract, source, read_before=earlier)  # reads a Parquet file's keys
            except pl.exceptions.PolarsError as e:
                if raw.source.format != "parquet":
                    raise
                raise _damaged_file_error(e, file) from e
            valid.append(checked.valid)
            columns.append(raw.present)
            files.append(raw.source)
            rejected.append(checked.rejected)
            if raw.ignored_columns:
                warnings.append(
                    f"{file}: columns not in the data contract were left out: {', '.join(raw.ignored_columns)}"
                )
        tables[name] = valid[0] if len(valid) == 1 else pl.concat(valid, how="vertical")
        present[name] = frozenset.intersection(*columns)
        sources[name] = tuple(files)
        partial = sorted(frozenset.union(*columns) - present[name])
        if partial:
            warnings.append(
                f"{name}: {', '.join(partial)} given by some of its files only, so not used (the figures that need "
                "them are not measurable): give them in every file of sources." + name
            )
    rejected_all = pl.concat(rejected, how="vertical") if rejected else pl.LazyFrame(schema=REJECTED_SCHEMA)
    return Engagement(
        path=folder,
        contract=contract,
        tables=tables,
        present=present,
        rejected=rejected_all,
        sources=sources,
        contract_file=SourceFile.of("contract", contract_path.resolve()),
        warnings=tuple(warnings),
    )
