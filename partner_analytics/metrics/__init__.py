"""KPIs from the raw tables (formulas.md §1 in docs/formulas.md), as the KPI registry (`core.kpis`) defines
them: the long results table, the daily floor, the client's forecasts, and drills from a result down
to the population its KPI is computed on (`drill`: evaluations, survey answers, contacts).

    contact_kpis  each contact's flags, the registry's sums, the contact KPIs' rows
    interval_kpis the same sums from interval reports, for the pairs measured from them
    fcr           first-contact resolution's flags, from one sort of the contacts
    service_hours whether each contact arrived within its service hours
    service_level each channel's service-level formula, and its restatement from the counts
    table_kpis    quality score and occupancy, from their own tables
    agent_kpis    attrition, schedule adherence, shrinkage, training hours, from the agents roster
    forecasts     the contractual forecast and the forecast accuracy
    partner_wide  the partner-wide roll-up: sums of the channel sums, then the ratio
    partitioned   the contacts' sums partition by partition (a large history, one month in memory)
    result_rows   the rows of the results table
    results       every KPI of an engagement in one table
    drill         from a result to the population its KPI is computed on
    ranking       which partner and site (or queue) did worst on a KPI in a month
"""

from .agent_kpis import AGENT_KPIS, agent_results
from .contact_kpis import contact_flags, contact_results, contact_sums, fcr_windows, month_of
from .drill import population_behind
from .fcr import FCR_WINDOW
from .floor import daily_floor
from .forecasts import contractual_forecasts, forecast_accuracy, forecast_outlook
from .interval_kpis import INTERVAL_SUMS, interval_notes, interval_sums
from .partitioned import ContactTotals, contact_totals
from .partner_wide import with_partner_wide
from .ranking import worst_scopes
from .result_rows import RESULTS_SCHEMA, ratio_rows, results_from_sums
from .results import kpi_results
from .service_hours import in_service_hours
from .service_level import (
    SERVICE_LEVEL_COUNTS,
    count_columns,
    service_level_results,
    service_level_terms,
    with_channel_formulas,
)
from .table_kpis import occupancy_results, quality_results

__all__ = [
    "AGENT_KPIS",
    "FCR_WINDOW",
    "INTERVAL_SUMS",
    "RESULTS_SCHEMA",
    "SERVICE_LEVEL_COUNTS",
    "ContactTotals",
    "agent_results",
    "contact_flags",
    "contact_results",
    "contact_sums",
    "contact_totals",
    "contractual_forecasts",
    "count_columns",
    "daily_floor",
    "fcr_windows",
    "forecast_accuracy",
    "forecast_outlook",
    "in_service_hours",
    "interval_notes",
    "interval_sums",
    "kpi_results",
    "month_of",
    "occupancy_results",
    "population_behind",
    "quality_results",
    "ratio_rows",
    "results_from_sums",
    "service_level_results",
    "service_level_terms",
    "with_channel_formulas",
    "with_partner_wide",
    "worst_scopes",
]
