"""The figures of the committee reports and of the what-if app (plotly), and their display in
notebooks that survives export to offline HTML.

One function per view: computed tables in (a `pl.DataFrame` or a `pl.LazyFrame`, collected at the
figure), a `plotly.graph_objects.Figure` out, never shown or written. Figures only present what the
tables computed: amounts, statuses, rates and flags are read from their columns, never derived again;
the only arithmetic is presentation (a month's change for a trend arrow, the share of service-level
months per status, cents to currency units). Words and formats come from `views.wording`, colours,
symbols and patterns from `views.style`.

Accessibility: every status, party and earn-back state has ONE colour from the Okabe–Ito
colour-blind-safe palette, used by every figure, and also a marker symbol, a bar pattern and a text
label, so no figure depends on colour alone. Empty input gives a figure with a "no data"
annotation; one month of data a figure with a note saying so.

By family: `service_levels` (scorecard, objective vs result), `statement` (waterfall, credits),
`volumes` (corridor, floor, forecasts), `governance` (transparency, reconciliation, actions,
reversibility), `programme` (all partners), `scenario` (the what-if comparison), on the shared
`layout`.
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
from .governance import action_log, invoice_reconciliation, reversibility_readiness, transparency_scorecard
from .layout import no_data, report_layout
from .programme import programme_overview
from .scenario import scenario_comparison
from .service_levels import objective_vs_result, scorecard
from .statement import credits_over_time, risk_waterfall
from .volumes import floor_activity, forecast_outlook, volume_corridor

__all__ = [
    "PLOTLY_CONFIG",
    "PLOTLY_MIMETYPE",
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
