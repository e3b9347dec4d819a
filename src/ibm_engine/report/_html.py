"""HTML of a result for notebooks: a summary line, a budget bar per participant, the item table.

Self-contained: inline CSS only, no JavaScript, no external assets; every text is escaped. A
large result shows its first participants and says how many there are.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine._typing import ResultTables
from ibm_engine.allocation._explain_words import service_label
from ibm_engine.errors import InputError
from ibm_engine.report._format import count, eur, percent, to_cents
from ibm_engine.report._labels import TEXT, column_label, value_label

__all__ = ["HTML_ITEM_COLUMNS", "ResultLike", "result_html"]

#: participant columns the HTML needs
_NEEDS_PARTICIPANTS: Final = ("participant_id", "budget_eur", "spent_eur", "left_eur", "coverage")
#: item columns the HTML needs
_NEEDS_ITEMS: Final = ("participant_id", "service", "units", "cost_eur", "reason")
#: item columns shown, in this order, when the result has them
HTML_ITEM_COLUMNS: Final = (
    "participant_id",
    "service",
    "units",
    "recommended_units",
    "unit",
    "cost_eur",
    "coverage",
    "reason",
)
_BOX: Final = "font-family:sans-serif;font-size:13px;line-height:1.4;max-width:60em"
_CELL: Final = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left"
_NUM: Final = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:right"
_TRACK: Final = (
    "display:inline-block;width:14em;height:0.9em;background:#e3e8ee;"
    "vertical-align:middle;border-radius:2px;overflow:hidden"
)
_FILL: Final = "display:block;height:100%;background:#3572b0"


#: what the HTML takes: any result (the one result protocol of ``ibm_engine._typing``)
ResultLike = ResultTables


def _check(result: object, max_participants: object, max_items: object) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for name, needs in (("participants", _NEEDS_PARTICIPANTS), ("items", _NEEDS_ITEMS)):
        df = getattr(result, name, None)
        if not isinstance(df, pd.DataFrame):
            problems.append(_arg("result", f"has no {name} DataFrame"))
            continue
        problems += [
            {"table": name, "row": None, "participant_id": None, "column": c, "reason": "missing"}
            for c in needs
            if c not in df.columns
        ]
    for name, v in (("max_participants", max_participants), ("max_items", max_items)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
            problems.append(_arg(name, f"must be a whole number >= 0 (got {v!r})"))
    return problems


def _arg(column: str, reason: str) -> dict[str, Any]:
    return {"table": "arguments", "row": None, "participant_id": None, "column": column,
            "reason": reason}  # fmt: skip


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _summary(p: pd.DataFrame, items: pd.DataFrame, lang: str) -> str:
    budget = int(to_cents(p["budget_eur"]).sum())
    spent = int(to_cents(p["spent_eur"]).sum())
    left = int(to_cents(p["left_eur"]).sum())
    cov = p["coverage"].to_numpy(dtype=np.float64, na_value=np.nan)
    mean = float(np.nanmean(cov)) if np.isfinite(cov).any() else float("nan")
    return TEXT[lang]["summary"].format(
        n=count(len(p), lang),
        items=count(len(items), lang),
        budget=eur(budget, lang),
        spent=eur(spent, lang),
        left=eur(left, lang),
        coverage=percent(mean, lang),
    )


def _bars(p: pd.DataFrame, lang: str) -> str:
    budget = to_cents(p["budget_eur"])
    spent = to_cents(p["spent_eur"])
    left = to_cents(p["left_eur"])
    share = np.clip(np.divide(spent, budget, out=np.zeros(len(p)), where=budget > 0), 0.0, 1.0)
    cov = p["coverage"].to_numpy(dtype=np.float64, na_value=np.nan)
    ids = p["participant_id"].astype(str).to_numpy()
    muni = p["municipality"].astype(str).to_numpy() if "municipality" in p else None
    rows = []
    for k in range(len(p)):
        label = TEXT[lang]["spent_of"].format(
            spent=eur(spent[k], lang), budget=eur(budget[k], lang), left=eur(left[k], lang)
        )
        where = f'<td style="{_CELL}">{_e(muni[k])}</td>' if muni is not None else ""
        rows.append(
            f'<tr><td style="{_CELL}">{_e(ids[k])}</td>{where}'
            f'<td style="{_CELL}"><span style="{_TRACK}" title="{_e(label)}">'
            f'<span style="{_FILL};width:{100.0 * share[k]:.1f}%"></span></span> '
            f"{_e(label)}</td>"
            f'<td style="{_NUM}">{_e(percent(cov[k], lang))}</td></tr>'
        )
    heads = ["participant_id", *(["municipality"] if muni is not None else []), "spent_eur"]
    head = "".join(f'<th style="{_CELL}">{_e(column_label(c, lang))}</th>' for c in heads)
    head += f'<th style="{_NUM}">{_e(column_label("coverage", lang))}</th>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(
    column: str, value: object, lang: str, names: dict[str, tuple[str, str]] | None = None
) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return f'<td style="{_CELL}"></td>'
    if column == "service" and names:
        return (
            f'<td style="{_CELL}" title="{_e(value)}">{_e(service_label(value, lang, names))}</td>'
        )
    if column == "cost_eur":
        return f'<td style="{_NUM}">{_e(eur(int(to_cents([value])[0]), lang))}</td>'
    if column == "coverage":
        return f'<td style="{_NUM}">{_e(percent(float(value), lang))}</td>'  # type: ignore[arg-type]  # a float cell
    if column in ("units", "recommended_units"):
        return f'<td style="{_NUM}">{_e(value)}</td>'
    return f'<td style="{_CELL}">{_e(value_label(column, value, lang))}</td>'


def _item_table(
    items: pd.DataFrame,
    columns: Sequence[str],
    lang: str,
    names: dict[str, tuple[str, str]] | None = None,
) -> str:
    numbers = ("units", "recommended_units", "cost_eur", "coverage")
    head = "".join(
        f'<th style="{_NUM if c in numbers else _CELL}">{_e(column_label(c, lang))}</th>'
        for c in columns
    )
    values = [items[c].astype(object).to_numpy() for c in columns]
    body = "".join(
        "<tr>"
        + "".join(_cell(c, v[k], lang, names) for c, v in zip(columns, values, strict=True))
        + "</tr>"
        for k in range(len(items))
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def result_html(
    result: ResultLike, *, lang: str = "en", max_participants: int = 20, max_items: int = 200
) -> str:
    """HTML of a result: a summary line, a budget bar per participant and the item table.

    What a notebook shows for ``AllocationResult`` (its ``_repr_html_``); it works for any
    result with ``items`` and ``participants`` tables with the core columns, such as
    :class:`ibm_engine.region.RegionResult`.

    Parameters
    ----------
    result : AllocationResult or RegionResult
        The result shown.
    lang : {"en", "lv"}
        Language of the labels and of the reasons in the item table.
    max_participants : int
        Participants shown (the first ones, in the table's order); the HTML says how many
        there are in all.
    max_items : int
        Plan items of the shown participants listed at most.

    Returns
    -------
    str
        One ``<div>`` with inline CSS, no JavaScript and no external assets.

    Raises
    ------
    InputError
        Unknown ``lang``, a negative limit, or a table missing a column the HTML needs.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.1}]
    >>> people = [{"participant_id": "007", "target_group": "GRT", "age": 40,
    ...            "municipality": "Bauska", "budget_eur": 100.0}]
    >>> plan = [{"participant_id": "007", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12}]
    >>> page = result_html(ibm.allocate(people, plan, services), lang="lv")
    >>> "izlietots 81,30 EUR no 100,00 EUR, atlikums 18,70 EUR" in page
    True
    >>> "daļējs finansējums" in page, "<script" in page
    (True, False)
    """
    problems = _check(result, max_participants, max_items)
    if lang not in TEXT:
        problems.append(_arg("lang", f"must be one of en, lv (got {lang!r})"))
    if problems:
        raise InputError(problems)
    p, items = result.participants, result.items
    t = TEXT[lang]
    parts = [f'<div style="{_BOX}">', f"<p><b>{_e(_summary(p, items, lang))}</b></p>"]
    rejected = getattr(result, "rejected", None)
    if isinstance(rejected, pd.DataFrame) and len(rejected):
        parts.append(f"<p>{_e(t['rejected'].format(n=count(len(rejected), lang)))}</p>")
    if len(p) == 0:
        parts.append(f"<p>{_e(t['no_participants'])}</p></div>")
        return "".join(parts)
    shown = p.iloc[: int(max_participants)]
    if len(shown) < len(p):
        parts.append(
            f"<p>{_e(t['shown'].format(shown=count(len(shown), lang), n=count(len(p), lang)))}</p>"
        )
    parts.append(_bars(shown, lang))
    mine = items[items["participant_id"].isin(shown["participant_id"])]
    listed = mine.iloc[: int(max_items)]
    if len(listed) < len(mine):
        note = t["items_shown"].format(shown=count(len(listed), lang), n=count(len(mine), lang))
        parts.append(f"<p>{_e(note)}</p>")
    columns = [c for c in HTML_ITEM_COLUMNS if c in items.columns]
    if len(listed):
        parts.append(_item_table(listed, columns, lang, getattr(result, "service_names", None)))
    parts.append("</div>")
    return "".join(parts)
