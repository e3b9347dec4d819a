"""KPIs of one result as a tidy frame: ``kpi, by, group, value``."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine._typing import ResultTables
from ibm_engine.metrics._equity import gini
from ibm_engine.metrics._frames import item_frame, participant_frame

__all__ = ["BY", "KPIS", "kpis"]

#: the groupings of the KPI rows ("all" is the whole population, group "all")
BY: Final[tuple[str, ...]] = ("all", "service", "municipality", "target_group", "age_band")

_P: Final = ("all", "municipality", "target_group", "age_band")  # participant-level groupings

#: every KPI: (the groupings it is given for, meaning)
KPIS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "participants": (_P, "participants (count)"),
    "budget_eur": (_P, "sum of the budgets (EUR, exact cents)"),
    "spent_eur": (BY, "sum of the items' cost (EUR, exact cents)"),
    "unspent_eur": (_P, "budgets less their spend (EUR, exact cents)"),
    "value": (_P, "sum of the participants' values"),
    "max_value": (_P, "sum of the participants' max_value"),
    "value_share": (_P, "value / max_value of the group"),
    "mean_coverage": (_P, "mean of the participants' value / max_value"),
    "min_coverage": (_P, "smallest participant value / max_value"),
    "gini_coverage": (_P, "Gini coefficient of the participants' value / max_value"),
    "items": (BY, "items the rules allow to fund (count)"),
    "share_funded": (BY, "share of those items funded in full (units = upper_units)"),
    "share_partly_funded": (BY, "share of those items funded in part"),
    "share_not_funded": (BY, "share of those items given nothing"),
    "unmet_units": (BY, "upper_units - units over those items"),
    "unmet_eur": (BY, "unmet units x unit price (EUR, exact cents)"),
    "municipality_gap": (("all",), "largest less smallest municipal value_share"),
}


def _groups(frame: pd.DataFrame, by: str) -> Any:
    if by == "all":
        return frame.assign(_all="all").groupby("_all", sort=True)
    return frame.groupby(by, sort=True, observed=True)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(np.float64)


Rows = tuple[str, str, np.ndarray, np.ndarray]  # kpi, by, groups, values


def _participant_rows(p: pd.DataFrame, by: str) -> list[Rows]:
    g = _groups(p, by)
    covered = p.dropna(subset=["coverage"])
    cg = _groups(covered, by)["coverage"]
    sums = g[["budget_c", "spent_c", "value", "max_value"]].sum()
    table = {
        "participants": g.size().astype(np.float64),
        "budget_eur": sums["budget_c"] / 100.0,
        "unspent_eur": (sums["budget_c"] - sums["spent_c"]) / 100.0,
        "value": sums["value"],
        "max_value": sums["max_value"],
        "value_share": _ratio(sums["value"], sums["max_value"]),
        "mean_coverage": cg.mean(),
        "min_coverage": cg.min(),
        "gini_coverage": cg.agg(gini),
    }
    return [_tidy(name, by, s) for name, s in table.items()]


def _item_rows(it: pd.DataFrame, by: str) -> list[Rows]:
    g = _groups(it, by)
    sums = g[["cost_c", "fundable", "full", "partly", "none", "unmet_units", "unmet_c"]].sum()
    n = sums["fundable"].astype(np.float64)
    table = {
        "spent_eur": sums["cost_c"] / 100.0,
        "items": n,
        "share_funded": _ratio(sums["full"], n),
        "share_partly_funded": _ratio(sums["partly"], n),
        "share_not_funded": _ratio(sums["none"], n),
        "unmet_units": sums["unmet_units"].astype(np.float64),
        "unmet_eur": sums["unmet_c"] / 100.0,
    }
    return [_tidy(name, by, s) for name, s in table.items()]


def _tidy(kpi: str, by: str, s: pd.Series) -> Rows:
    return kpi, by, np.asarray(s.index.astype(str), dtype=object), np.asarray(s, np.float64)


def kpis(result: ResultTables) -> pd.DataFrame:
    """Every KPI of :data:`KPIS` for one result, by each grouping of :data:`BY`.

    Parameters
    ----------
    result : AllocationResult, RegionResult, ScenarioRun or anything with ``items`` and
        ``participants`` tables with their core columns.

    Returns
    -------
    DataFrame
        ``kpi``, ``by``, ``group`` (``"all"`` or the group's value, as text) and ``value``
        (float; EUR figures are sums of whole cents). Ratios of an empty group are NaN.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> people, plan, services = ibm.synthetic_zemgale(3, n_grt=4, n_ft=3, n_bsac=2)
    >>> r = ibm.allocate(people, plan, services)
    >>> k = kpis(r)
    >>> k.columns.tolist()
    ['kpi', 'by', 'group', 'value']
    >>> spent = k[(k.kpi == "spent_eur") & (k.by == "all")].value.item()
    >>> spent == round(float(r.participants.spent_eur.sum()), 2)
    True
    """
    p = participant_frame(result)
    it = item_frame(result, p)
    parts: list[Rows] = []
    for by in BY:
        if by in _P:
            parts.extend(_participant_rows(p, by))
        parts.extend(_item_rows(it, by))
    muni = _groups(p, "municipality")[["value", "max_value"]].sum()
    share = _ratio(muni["value"], muni["max_value"]).dropna()
    gap = float(share.max() - share.min()) if len(share) else np.nan
    parts.append(_tidy("municipality_gap", "all", pd.Series([gap], index=["all"])))
    order = {k: i for i, k in enumerate(KPIS)}
    parts.sort(key=lambda r: order[r[0]] * len(BY) + BY.index(r[1]))  # stable
    sizes = [r[2].shape[0] for r in parts]
    return pd.DataFrame(
        {
            "kpi": np.repeat(np.array([r[0] for r in parts], dtype=object), sizes),
            "by": np.repeat(np.array([r[1] for r in parts], dtype=object), sizes),
            "group": np.concatenate([r[2] for r in parts]),
            "value": np.concatenate([r[3] for r in parts]),
        }
    )
