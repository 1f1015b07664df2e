"""Inputs and outputs: finding and reading an engagement's files, casting and validating their rows
(rejected rows kept with their reason), the platforms' exports read through presets, the interval
reports' checks, the loaded engagement, its lineage, and the export of the
computed tables.
"""

from .engagement import HELD_BYTES, PARTITION_ROWS, Engagement, errors_naming_files, load
from .export import (
    MONEY_COLUMNS,
    Format,
    export_tables,
    for_people,
)
from .intervals import check_interval_counts, source_checks
from .lineage import lineage, package_version
from .presets import PRESETS, Preset
from .quality import TableQuality, quality_failures, table_quality
from .readers import (
    CELL,
    EXTRA,
    FILE,
    FORMATS,
    ROW,
    RawTable,
    SourceFile,
    check_inside,
    locate,
    read_table,
    row_slices,
)
from .relief import relief_checks
from .summary import EngagementSummary, engagement_summary
from .validation import (
    FALSE_WORDS,
    NUMBER_LIMIT,
    REJECTED_SCHEMA,
    TRUE_WORDS,
    KeysRead,
    ValidatedTable,
    repeated_keys,
    validate_table,
)

__all__ = [
    "CELL",
    "EXTRA",
    "FALSE_WORDS",
    "FILE",
    "FORMATS",
    "HELD_BYTES",
    "MONEY_COLUMNS",
    "NUMBER_LIMIT",
    "PARTITION_ROWS",
    "PRESETS",
    "REJECTED_SCHEMA",
    "ROW",
    "TRUE_WORDS",
    "Engagement",
    "EngagementSummary",
    "Format",
    "KeysRead",
    "Preset",
    "RawTable",
    "SourceFile",
    "TableQuality",
    "ValidatedTable",
    "check_inside",
    "check_interval_counts",
    "engagement_summary",
    "errors_naming_files",
    "export_tables",
    "for_people",
    "lineage",
    "load",
    "locate",
    "package_version",
    "quality_failures",
    "read_table",
    "relief_checks",
    "repeated_keys",
    "row_slices",
    "source_checks",
    "table_quality",
    "validate_table",
]
