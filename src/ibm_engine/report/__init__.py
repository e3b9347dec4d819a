"""Report layer of ibm_engine (see docs/reports.md): HTML of results for notebooks, plots
(matplotlib, imported only when a plot is drawn), an Excel report, and the Latvian and English
labels they share."""

from ibm_engine.report._excel import write_excel_report
from ibm_engine.report._html import result_html
from ibm_engine.report._html_more import extra_money_html, periods_html, region_html, run_html
from ibm_engine.report._labels import (
    COLUMN_LABELS,
    LANGUAGES,
    VALUE_LABELS,
    column_label,
    value_label,
)
from ibm_engine.report._plots import (
    MUNICIPALITY_MEASURES,
    plot_coverage_distribution,
    plot_municipalities,
    plot_scenario_deltas,
    plot_spend_by_service,
)

__all__ = [
    "COLUMN_LABELS",
    "LANGUAGES",
    "MUNICIPALITY_MEASURES",
    "VALUE_LABELS",
    "column_label",
    "extra_money_html",
    "periods_html",
    "plot_coverage_distribution",
    "plot_municipalities",
    "plot_scenario_deltas",
    "plot_spend_by_service",
    "region_html",
    "result_html",
    "run_html",
    "value_label",
    "write_excel_report",
]
