"""HTML of the results beyond one allocation: a region under capacities, a scenario run, what
extra money buys, and allocations over several periods.

Each shows first what makes it that kind of result (a region: the proven gap, every capacity
with its use and shadow price, who lost what; periods: the ledger per period), then, where the
result has item and participant tables, the allocation as :func:`result_html` shows it. Same
style: inline CSS, no JavaScript, every text escaped, counts as whole numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.allocation._explain_words import service_label
from ibm_engine.errors import InputError
from ibm_engine.report._format import count, eur, percent, to_cents
from ibm_engine.report._html import _BOX, _CELL, _NUM, _e, result_html
from ibm_engine.report._labels import TEXT, column_label, value_label

__all__ = ["extra_money_html", "periods_html", "region_html", "run_html"]

#: rows of a region's capacity and loss tables shown at most (the HTML says how many in all)
MAX_ROWS: Final = 30
_MONEY: Final = frozenset(
    {"grant_eur", "extra_eur", "budget_eur", "new_budget_eur", "budget", "carried_in",
     "available", "spent", "unspent", "forfeited", "carried_out", "cost_eur"}
)  # fmt: skip
_SHARES: Final = frozenset({"coverage", "coverage_lost", "value_gained", "value_before",
                            "value_after", "price"})  # fmt: skip
_COUNTS: Final = frozenset(
    {"capacity_units", "demand_units", "used_units", "units_lost", "units", "grants",
     "participants", "grant"}
)  # fmt: skip


def _check_lang(lang: object) -> None:
    if lang not in TEXT:
        raise InputError.single("arguments", "lang", f"must be one of en, lv (got {lang!r})")


def _value(
    column: str, value: object, lang: str, names: dict[str, tuple[str, str]] | None = None
) -> tuple[str, bool]:
    """A cell as text, and whether it is a number (right-aligned)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "", False
    if column == "service":
        return service_label(value, lang, names), False
    if column in _MONEY:
        return eur(int(to_cents([value])[0]), lang), True
    if column in _COUNTS and isinstance(value, int | float | np.integer | np.floating):
        return count(round(float(value)), lang), True
    if column in _SHARES and isinstance(value, int | float | np.integer | np.floating):
        text = f"{float(value):.6g}"
        return (text.replace(".", ",") if lang == "lv" else text), True
    return value_label(column, value, lang), False


def frame_table(
    df: pd.DataFrame,
    columns: Sequence[str],
    lang: str,
    names: dict[str, tuple[str, str]] | None = None,
) -> str:
    """An HTML table of ``columns`` of ``df``: labelled headers, money from cents, counts
    whole, services by their display names (``names``: a result's ``service_names``)."""
    cols = [c for c in columns if c in df.columns]
    head = "".join(f'<th style="{_CELL}">{_e(column_label(c, lang))}</th>' for c in cols)
    rows = []
    for rec in df[cols].itertuples(index=False, name=None):
        cells = []
        for c, v in zip(cols, rec, strict=True):
            text, number = _value(c, v, lang, names)
            cells.append(f'<td style="{_NUM if number else _CELL}">{_e(text)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _first(df: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, str]:
    """The first MAX_ROWS rows, and a line saying how many there are when cut."""
    if len(df) <= MAX_ROWS:
        return df, ""
    note = TEXT[lang]["rows_shown"].format(shown=count(MAX_ROWS, lang), n=count(len(df), lang))
    return df.iloc[:MAX_ROWS], f"<p>{_e(note)}</p>"


def region_html(result: Any, *, lang: str = "en") -> str:
    """HTML of a :class:`~ibm_engine.region.RegionResult`: the proven gap, each capacity with
    its use and shadow price (the highest price first), who lost what, then the allocation.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0} for p in ("P1", "P2")]
    >>> plan = [{"participant_id": p, "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 10} for p in ("P1", "P2")]
    >>> caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    >>> page = region_html(ibm.allocate_region(people, plan, svc, caps))
    >>> "proven gap 0%" in page, "Shadow price" in page, "P2" in page
    (True, True, True)
    """
    _check_lang(lang)
    t = TEXT[lang]
    head = t["region"].format(
        method=result.method,
        value=f"{result.value:.6g}",
        bound=f"{result.bound:.6g}",
        gap=percent(max(float(result.gap), 0.0), lang, digits=3).replace(".000%", "%"),
    )
    parts = [f'<div style="{_BOX}">', f"<p><b>{_e(head)}</b></p>"]
    caps = result.shadow_prices
    if len(caps):
        order = caps.sort_values(
            ["price", "municipality", "service"], ascending=[False, True, True]
        )
        shown, note = _first(order, lang)
        parts.append(f"<p><b>{_e(t['capacities'])}</b></p>{note}")
        parts.append(
            frame_table(
                shown,
                ("municipality", "service", "capacity_units", "demand_units", "used_units",
                 "price"),
                lang,
                result.service_names,
            )
        )  # fmt: skip
    lost = result.lost
    if len(lost):
        shown, note = _first(lost, lang)
        parts.append(f"<p><b>{_e(t['lost'])}</b></p>{note}")
        parts.append(
            frame_table(shown, ("participant_id", "municipality", "service", "units_lost",
                                "reason"), lang, result.service_names)
        )  # fmt: skip
    parts.append(result_html(result, lang=lang))
    parts.append("</div>")
    return "".join(parts)


def run_html(run: Any, *, lang: str = "en") -> str:
    """HTML of a :class:`~ibm_engine.scenarios.ScenarioRun`: its name, then the allocation."""
    _check_lang(lang)
    title = TEXT[lang]["run"].format(name=run.name)
    return f'<div style="{_BOX}"><p><b>{_e(title)}</b></p>{result_html(run, lang=lang)}</div>'


def extra_money_html(extra: Any, *, lang: str = "en") -> str:
    """HTML of what extra money buys: the pot, what was granted, and the grants in order."""
    _check_lang(lang)
    t = TEXT[lang]
    cents = to_cents([extra.extra_eur, extra.granted_eur, extra.unspent_eur])
    head = t["extra_money"].format(
        pot=eur(int(cents[0]), lang),
        granted=eur(int(cents[1]), lang),
        unspent=eur(int(cents[2]), lang),
        n=count(len(extra.participants), lang),
        gained=f"{extra.value_gained:.6g}",
    )
    parts = [f'<div style="{_BOX}">', f"<p><b>{_e(head)}</b></p>"]
    if len(extra.grants):
        shown, note = _first(extra.grants, lang)
        parts.append(f"<p><b>{_e(t['grants'])}</b></p>{note}")
        parts.append(
            frame_table(shown, ("grant", "participant_id", "grant_eur", "value_before",
                                "value_after", "value_gained"), lang)
        )  # fmt: skip
    parts.append("</div>")
    return "".join(parts)


def periods_html(result: Any, *, lang: str = "en") -> str:
    """HTML of allocations over periods: the ledger summed per period, then the allocation."""
    _check_lang(lang)
    led = result.ledger
    money = ("budget", "carried_in", "available", "spent", "forfeited", "carried_out")
    cents = led.groupby("period", sort=True)[[f"{c}_cents" for c in money]].sum()
    table = pd.DataFrame({c: cents[f"{c}_cents"].to_numpy() / 100 for c in money})
    table.insert(0, "period", cents.index.to_numpy())
    people = led.groupby("period", sort=True)["participant_id"].nunique().to_numpy()
    table.insert(1, "participants", people)
    t = TEXT[lang]
    head = t["periods"].format(n=count(led["participant_id"].nunique(), lang),
                               periods=count(len(table), lang))  # fmt: skip
    parts = [f'<div style="{_BOX}">', f"<p><b>{_e(head)}</b></p>"]
    parts.append(frame_table(table, ("period", "participants", *money), lang))
    parts.append("</div>")
    return "".join(parts)
