"""The figures of the committee reports and of the what-if app (plotly), and their display in
notebooks that survives export to offline HTML.
"""

from .display import (
    PLOTLY_CONFIG,
    PLOTLY_MIMETYPE,
    FigureLike,
    figure_div_id,
    figure_html,
    figure_json,
    figure_mimebundle,
    plotly_js,
    show,
)
from .figures import (
    action_log,
    credits_over_time,
    floor_activity,
    forecast_outlook,
    invoice_reconciliation,
    no_data,
    objective_vs_result,
    programme_overview,
    report_layout,
    reversibility_readiness,
    risk_waterfall,
    scorecard,
    transparency_scorecard,
    volume_corridor,
)
from .scenario import STATEMENT_LABELS, scenario_comparison

__all__ = [
    "PLOTLY_CONFIG",
    "PLOTLY_MIMETYPE",
    "STATEMENT_LABELS",
    "FigureLike",
    "action_log",
    "credits_over_time",
    "figure_div_id",
    "figure_html",
    "figure_json",
    "figure_mimebundle",
    "floor_activity",
    "forecast_outlook",
    "invoice_reconciliation",
    "no_data",
    "objective_vs_result",
    "plotly_js",
    "programme_overview",
    "report_layout",
    "reversibility_readiness",
    "risk_waterfall",
    "scenario_comparison",
    "scorecard",
    "show",
    "transparency_scorecard",
    "volume_corridor",
]
