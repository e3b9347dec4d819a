"""Plots of results and scenario comparisons, drawn with matplotlib (imported only here, inside
each function, so that importing ibm_engine never loads it).

Each function returns the matplotlib ``Figure``; pass ``ax`` to draw into an existing axes.
Figures are built without ``pyplot``, so no global state is touched and no window opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.report._format import to_cents
from ibm_engine.report._labels import TEXT, VALUE_LABELS, check_lang, column_label, value_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "KPI_COLUMNS",
    "MUNICIPALITY_MEASURES",
    "plot_coverage_distribution",
    "plot_municipalities",
    "plot_scenario_deltas",
    "plot_spend_by_service",
]

#: columns of the tidy KPI frame of a scenario comparison
KPI_COLUMNS: Final = ("scenario", "kpi", "by", "group", "value", "baseline_value", "delta")
#: what :func:`plot_municipalities` can show: coverage is averaged, money summed
MUNICIPALITY_MEASURES: Final = ("coverage", "spent_eur", "left_eur", "budget_eur")
_SPENT: Final = "#3572b0"
_UNFUNDED: Final = "#d9a441"


def _table(obj: object, name: str, needs: tuple[str, ...]) -> pd.DataFrame:
    """``obj`` itself if it is a DataFrame, else its ``name`` table; every needed column."""
    df = obj if isinstance(obj, pd.DataFrame) else getattr(obj, name, None)
    if not isinstance(df, pd.DataFrame):
        raise InputError.single("arguments", "result", f"is neither a result nor a {name} table")
    missing = [c for c in needs if c not in df.columns]
    if missing:
        raise InputError(
            [
                {"table": name, "row": None, "participant_id": None, "column": c,
                 "reason": "missing"}
                for c in missing
            ]
        )  # fmt: skip
    return df


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("Plots need matplotlib: pip install ibm_engine[plot]") from exc

    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.add_subplot()
    owner: Any = ax.figure
    root: Figure = getattr(owner, "figure", None) or owner  # a subfigure's root figure
    return root, ax


def plot_spend_by_service(
    result: object, *, lang: str = "en", ax: Axes | None = None, top: int | None = None
) -> Figure:
    """Spend per service, and what the plans recommended that was not funded.

    Parameters
    ----------
    result : AllocationResult, RegionResult or DataFrame
        A result, or its items table (``service``, ``cost_eur``; with ``recommended_units``,
        ``units`` and ``unit_price_eur`` the unfunded part of the recommendations is stacked
        on top).
    lang : {"en", "lv"}
        Language of the labels.
    ax : matplotlib Axes, optional
        Drawn into this axes; by default a new figure.
    top : int, optional
        Only the ``top`` services with the largest spend.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"service": ["physio", "physio", "psych"],
    ...                       "cost_eur": [81.3, 27.1, 35.0]})
    >>> fig = plot_spend_by_service(items)
    >>> ax = fig.axes[0]
    >>> [t.get_text() for t in ax.get_yticklabels()], [float(b.get_width()) for b in ax.patches]
    (['psych', 'physio'], [35.0, 108.4])
    """
    check_lang(lang)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InputError.single("arguments", "top", f"must be a whole number >= 1 (got {top!r})")
    items = _table(result, "items", ("service", "cost_eur"))
    service = items["service"].astype(str)
    frame = pd.DataFrame({"spent": to_cents(items["cost_eur"])}, index=service.to_numpy())
    stack = {"recommended_units", "units", "unit_price_eur"} <= set(items.columns)
    if stack:
        gap = (items["recommended_units"] - items["units"]).clip(lower=0).to_numpy(np.float64)
        price = to_cents(items["unit_price_eur"])
        frame["unfunded"] = (gap.astype(np.int64) * price).astype(np.int64)
    sums = frame.groupby(level=0, sort=True).sum().sort_values("spent", kind="stable")
    if top is not None:
        sums = sums.iloc[-top:]
    fig, axes = _axes(ax, (7.0, 0.35 * len(sums) + 1.5))
    y = np.arange(len(sums))
    t = TEXT[lang]
    axes.barh(y, sums["spent"].to_numpy() / 100.0, color=_SPENT, label=t["spent"])
    if stack:
        axes.barh(
            y,
            sums["unfunded"].to_numpy() / 100.0,
            left=sums["spent"].to_numpy() / 100.0,
            color=_UNFUNDED,
            label=t["unfunded"],
        )
        axes.legend(loc="lower right")
    axes.set_yticks(y, [str(s) for s in sums.index])
    axes.set_xlabel("EUR")
    axes.set_title(t["spend_by_service"])
    return fig


def plot_coverage_distribution(
    result: object, *, lang: str = "en", ax: Axes | None = None, bins: int = 10
) -> Figure:
    """Histogram of the participants' coverage (value / max_value, 0..100%).

    Examples
    --------
    >>> import pandas as pd
    >>> fig = plot_coverage_distribution(pd.DataFrame({"coverage": [1.0, 0.95, 0.4]}), bins=2)
    >>> [float(p.get_height()) for p in fig.axes[0].patches]
    [1.0, 2.0]
    """
    check_lang(lang)
    p = _table(result, "participants", ("coverage",))
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise InputError.single("arguments", "bins", f"must be a whole number >= 1 (got {bins!r})")
    cov = p["coverage"].to_numpy(dtype=np.float64, na_value=np.nan)
    cov = cov[np.isfinite(cov)]
    fig, axes = _axes(ax, (7.0, 4.0))
    axes.hist(100.0 * np.clip(cov, 0.0, 1.0), bins=bins, range=(0.0, 100.0), color=_SPENT)
    axes.set_xlabel(f"{column_label('coverage', lang)} (%)")
    axes.set_ylabel(TEXT[lang]["participants"])
    axes.set_title(TEXT[lang]["coverage_distribution"])
    return fig


def plot_municipalities(
    result: object, *, measure: str = "coverage", lang: str = "en", ax: Axes | None = None
) -> Figure:
    """One bar per municipality: mean coverage, or total spent, left or budget (EUR).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"municipality": ["Bauska", "Dobele", "Bauska"],
    ...                   "coverage": [1.0, 0.5, 0.8], "spent_eur": [0.1, 0.2, 0.2]})
    >>> ax = plot_municipalities(p).axes[0]
    >>> [round(float(b.get_height()), 6) for b in ax.patches]
    [90.0, 50.0]
    >>> ax = plot_municipalities(p, measure="spent_eur", lang="lv").axes[0]
    >>> [float(b.get_height()) for b in ax.patches], ax.get_title()
    ([0.3, 0.2], 'Izlietots (EUR), kopā, pa pašvaldībām')
    """
    check_lang(lang)
    if measure not in MUNICIPALITY_MEASURES:
        raise InputError.single(
            "arguments",
            "measure",
            f"must be one of {', '.join(MUNICIPALITY_MEASURES)} (got {measure!r})",
        )
    p = _table(result, "participants", ("municipality", measure))
    key = p["municipality"].astype(str).to_numpy()
    t = TEXT[lang]
    label = column_label(measure, lang)
    if measure == "coverage":
        cov = p["coverage"].to_numpy(dtype=np.float64, na_value=np.nan)
        heights = 100.0 * pd.Series(cov, index=key).groupby(level=0).mean()
        name = t["mean"].format(label=label)
        unit = "%"
    else:
        heights = pd.Series(to_cents(p[measure]), index=key).groupby(level=0).sum() / 100.0
        name = t["total"].format(label=label)
        unit = "EUR"
    fig, axes = _axes(ax, (max(5.0, 0.6 * len(heights) + 2.0), 4.0))
    x = np.arange(len(heights))
    axes.bar(x, heights.to_numpy(), color=_SPENT)
    axes.set_xticks(x, [str(m) for m in heights.index], rotation=30, ha="right")
    axes.set_ylabel(unit)
    axes.set_title(t["by_municipality"].format(measure=name))
    return fig


def plot_scenario_deltas(
    kpis: pd.DataFrame,
    *,
    kpi: str,
    by: str | None = None,
    lang: str = "en",
    ax: Axes | None = None,
) -> Figure:
    """Change of one KPI against the baseline, per scenario and group.

    Parameters
    ----------
    kpis : DataFrame
        Tidy KPI frame of a scenario comparison: ``scenario``, ``kpi``, ``by``, ``group``,
        ``value``, ``baseline_value``, ``delta``.
    kpi : str
        The KPI drawn.
    by : str, optional
        The grouping drawn (a value of the ``by`` column). By default ``"all"`` (one bar per
        scenario) when the KPI has it, else the KPI's only grouping.

    Examples
    --------
    >>> import pandas as pd
    >>> kpis = pd.DataFrame({"scenario": ["price+10%", "price+10%", "pot-20%", "pot-20%"],
    ...     "kpi": "spent_eur", "by": "municipality", "group": ["Bauska", "Dobele"] * 2,
    ...     "value": [90.0, 80.0, 70.0, 75.0], "baseline_value": [100.0, 90.0, 100.0, 90.0],
    ...     "delta": [-10.0, -10.0, -30.0, -15.0]})
    >>> ax = plot_scenario_deltas(kpis, kpi="spent_eur").axes[0]
    >>> [float(b.get_width()) for b in ax.patches]
    [-10.0, -10.0, -30.0, -15.0]
    """
    check_lang(lang)
    df = _table(kpis, "kpis", KPI_COLUMNS)
    rows = df[df["kpi"] == kpi]
    if rows.empty:
        known = ", ".join(sorted(map(str, df["kpi"].unique())))
        raise InputError.single("arguments", "kpi", f"no rows of {kpi!r} (KPIs: {known})")
    groupings = list(dict.fromkeys(map(str, rows["by"].astype(str))))
    if by is None and len(groupings) > 1 and "all" not in groupings:
        raise InputError.single(
            "arguments", "by", f"{kpi!r} has several groupings; pick one of {groupings}"
        )
    chosen = by if by is not None else "all" if "all" in groupings else groupings[0]
    rows = rows[rows["by"].astype(str) == chosen]
    if rows.empty:
        raise InputError.single("arguments", "by", f"{kpi!r} has no rows by {chosen!r}")
    table = rows.pivot_table(
        index="group", columns="scenario", values="delta", aggfunc="sum", sort=False
    )
    fig, axes = _axes(ax, (7.0, 0.4 * table.size + 1.5))
    n = table.shape[1]
    height = 0.8 / n
    y = np.arange(table.shape[0])
    for k, scenario in enumerate(table.columns):
        axes.barh(y + k * height, table[scenario].to_numpy(), height=height, label=str(scenario))
    axes.set_yticks(y + 0.4 - height / 2, [str(g) for g in table.index])
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.legend()
    name = value_label("kpi", kpi, lang) if kpi in VALUE_LABELS[lang]["kpi"] else None
    axes.set_title(TEXT[lang]["deltas"].format(kpi=name or column_label(kpi, lang)))
    return fig
