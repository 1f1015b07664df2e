"""KPIs from the raw tables (FORMULAS §1 in docs/formulas.md): the long results table, the daily
floor, the client's forecasts, and drills from a result down to its contacts.
"""

from .contact_kpis import (
    FCR_WINDOW,
    RESULTS_SCHEMA,
    SCOPES,
    SERVICE_LEVEL_COUNTS,
    as_seconds,
    contact_flags,
    contact_results,
    contact_sums,
    count_columns,
    formula_columns,
    instants_zone,
    microseconds,
    month_of,
    not_measurable,
    partner_wide,
    occupancy_results,
    quality_results,
    ratio_rows,
    results_from_sums,
    service_level_results,
    service_level_terms,
    with_channel_formulas,
)
from .drill import contacts_behind
from .floor import daily_floor
from .forecasts import contractual_forecasts, forecast_accuracy, forecast_outlook
from .results import kpi_results

__all__ = [
    "FCR_WINDOW",
    "RESULTS_SCHEMA",
    "SCOPES",
    "SERVICE_LEVEL_COUNTS",
    "as_seconds",
    "contact_flags",
    "contact_results",
    "contact_sums",
    "contacts_behind",
    "contractual_forecasts",
    "count_columns",
    "daily_floor",
    "forecast_accuracy",
    "forecast_outlook",
    "formula_columns",
    "instants_zone",
    "kpi_results",
    "microseconds",
    "month_of",
    "not_measurable",
    "occupancy_results",
    "partner_wide",
    "quality_results",
    "ratio_rows",
    "results_from_sums",
    "service_level_results",
    "service_level_terms",
    "with_channel_formulas",
]
