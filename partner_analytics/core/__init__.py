"""The shared ground every stage stands on: the KPI registry, the tables' schemas, exact money,
periods, local times, errors, default paths and atomic writes.
"""

from .atomic import atomic_path, write_atomic
from .errors import (
    ContractError,
    EngagementError,
    PartnerAnalyticsError,
    TableError,
)
from .kpis import (
    KPI,
    KPIS,
    Direction,
    Unit,
    direction_sign,
    kpi,
)
from .localtime import instant_of, wall_time_of
from .money import (
    MONEY,
    UNIT,
    cents_of,
    cents_to_decimal,
    format_cents,
    rounded_div,
    units,
    units_lit,
)
from .paths import (
    NOTEBOOKS,
    PROJECT_ROOT,
    REPORTS,
    SAMPLE_ENGAGEMENT,
    engagement_path,
)
from .periods import (
    Period,
    add_months,
    months_between,
    months_in,
    parse_period,
    quarter_label,
    shift_months,
)
from .schema import (
    AREAS,
    COMMITTEES,
    OWNER_PARTIES,
    PARTIES,
    STATUSES,
    TABLES,
    Column,
    Kind,
    Table,
)

__all__ = [
    "AREAS",
    "COMMITTEES",
    "KPI",
    "KPIS",
    "MONEY",
    "NOTEBOOKS",
    "OWNER_PARTIES",
    "PARTIES",
    "PROJECT_ROOT",
    "REPORTS",
    "SAMPLE_ENGAGEMENT",
    "STATUSES",
    "TABLES",
    "UNIT",
    "Column",
    "ContractError",
    "Direction",
    "EngagementError",
    "Kind",
    "PartnerAnalyticsError",
    "Period",
    "Table",
    "TableError",
    "Unit",
    "add_months",
    "atomic_path",
    "cents_of",
    "cents_to_decimal",
    "direction_sign",
    "engagement_path",
    "format_cents",
    "instant_of",
    "kpi",
    "months_between",
    "months_in",
    "parse_period",
    "quarter_label",
    "rounded_div",
    "shift_months",
    "units",
    "units_lit",
    "wall_time_of",
    "write_atomic",
]
