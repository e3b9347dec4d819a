"""Metrics layer of ibm_engine (see docs/architecture.md): KPIs computed from result tables
(pure pandas, no display): spend, unspent, value / max_value, funded shares, unmet need in units
and EUR, equity of coverage, winners and losers against a baseline (docs/scenarios.md)."""

from ibm_engine.metrics._bands import AGE_BANDS, age_band
from ibm_engine.metrics._equity import gini
from ibm_engine.metrics._frames import FUNDABLE_REASONS
from ibm_engine.metrics._kpis import BY, KPIS, kpis
from ibm_engine.metrics._winners import OUTCOMES, winners_losers

__all__ = [
    "AGE_BANDS",
    "BY",
    "FUNDABLE_REASONS",
    "KPIS",
    "OUTCOMES",
    "age_band",
    "gini",
    "kpis",
    "winners_losers",
]
