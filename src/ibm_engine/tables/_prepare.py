"""From the three input tables to one canonical, validated form (contract v1).

Every problem of every table is collected first. With ``errors="raise"`` any problem raises
``InputError``; with ``"quarantine"`` participants with problems (and all their plan items)
are set aside and problems that belong to no participant still raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ibm_engine._tolerances import CAP_UNITS_TOL as CAP_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.errors import InputError
from ibm_engine.tables._catalogue import GROUP_BITS, Catalogue, read_catalogue
from ibm_engine.tables._columns import as_frame, check_columns
from ibm_engine.tables._convert import Codes, Column, TextColumn, convert, fill, floats
from ibm_engine.tables._ids import check_id_spaces, report_orphans
from ibm_engine.tables._line_cost import check_line_costs
from ibm_engine.tables._municipalities import (
    check_municipality_spellings,
    warn_unknown_municipalities,
)
from ibm_engine.tables._plan_rules import check_plan_rules
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._schema import (
    ITEM_RESULT_COLUMNS,
    PARTICIPANT_RESULT_COLUMNS,
    PARTICIPANTS,
    PLAN_ITEMS,
    ColumnSpec,
)
from ibm_engine.tables._sources import file_sources
from ibm_engine.tables._threads import in_threads

__all__ = ["CAP_TOL", "Prepared", "prepare"]


@dataclass(frozen=True, eq=False)
class Prepared:
    """Validated input in canonical arrays.

    Participants and items are the accepted rows, in input order; ``item_owner`` maps an item
    to its participant's position among the accepted participants.
    """

    participants: pd.DataFrame
    items: pd.DataFrame
    catalogue: Catalogue
    rejected: pd.DataFrame
    item_owner: IntArray
    budget_cents: IntArray
    budget_given: BoolArray
    period_weeks: IntArray
    hours_cap: FloatArray
    age: IntArray
    group: np.ndarray
    team_rank: IntArray
    family_rank: IntArray  # -1 where the participant gives none
    weight: FloatArray  # NaN where not given
    recommended: IntArray
    min_units: IntArray
    max_units: IntArray  # -1 where not given
    row: IntArray  # catalogue row that applies, -1 = none
    price_cents: IntArray
    hours_per_unit: FloatArray
    upper: IntArray


def _id_column(converted: dict[str, Column]) -> TextColumn | None:
    """Participant ids as a text column (codes -1 where empty or not text); None without it."""
    col = converted.get("participant_id")
    return col if isinstance(col, TextColumn) else None


def _convert_tables(
    tables: Sequence[tuple[pd.DataFrame, Sequence[ColumnSpec]]], workers: int
) -> list[dict[str, Column]]:
    """Each table's contract columns converted by their kind (ids as text), the columns of
    all tables at once over ``workers`` threads (largest tables first); per table, by name."""
    tasks = [
        (k, spec.name, spec.kind, df[spec.name])
        for k, (df, specs) in sorted(enumerate(tables), key=lambda t: -len(t[1][0]))
        for spec in specs
        if spec.name in df.columns
    ]
    done = in_threads(lambda t: convert(t[2], t[3]), tasks, workers)
    out: list[dict[str, Column]] = [{} for _ in tables]
    for (k, name, _, _), col in zip(tasks, done, strict=True):
        out[k][name] = col
    return out


def _clashes(
    df: pd.DataFrame, table: str, known: tuple[str, ...], result: tuple[str, ...], log: ProblemLog
) -> None:
    for c in df.columns:
        if c not in known and c in result:
            log.add(
                table,
                str(c),
                "extra column clashes with a result column of the same name",
                attributable=False,
            )


def prepare(
    participants: object,
    plan_items: object,
    services: object,
    *,
    period_weeks: int = 26,
    errors: str = "raise",
    budget_required: bool = True,
    converted: dict[str, tuple[pd.DataFrame, dict[str, Column]]] | None = None,
    workers: int = 1,
) -> Prepared:
    """Validate the three tables and convert them to canonical arrays (see module docstring).

    ``converted``, when given, receives each of ``participants``, ``plan_items`` and
    ``services`` as read and its contract columns as converted (what the record's content
    hash reuses). ``workers``: threads that convert the columns (the answer does not change).
    """
    if errors not in ("raise", "quarantine"):
        raise InputError.single("arguments", "errors", "must be 'raise' or 'quarantine'")
    if (
        isinstance(period_weeks, bool)
        or not isinstance(period_weeks, int | np.integer)
        or (period_weeks < 1)
    ):
        raise InputError.single("arguments", "period_weeks", "must be an integer >= 1")
    part = as_frame(participants, "participants")
    items = as_frame(plan_items, "plan_items")
    svc = as_frame(services, "services")
    # tables read from files: problems also name the file, sheet and source row
    sources = file_sources(participants=participants, plan_items=plan_items, services=services)
    log = ProblemLog(sources=sources)
    cat = read_catalogue(svc, log)
    if converted is not None:
        converted["services"] = (svc, cat.columns)

    # with a budget formula, budget_eur is optional: rows that give one keep it
    specs = (
        PARTICIPANTS
        if budget_required
        else tuple(
            replace(s, required=False) if s.name == "budget_eur" else s for s in PARTICIPANTS
        )
    )
    # every contract column converted once (ids included), then checked in table order
    pconv, iconv = _convert_tables([(part, specs), (items, PLAN_ITEMS)], workers)
    pid_col = _id_column(pconv)
    ppid = None if pid_col is None else pid_col.coded
    pcols = check_columns(part, "participants", specs, log, ppid, converted=pconv)
    _clashes(
        part, "participants", tuple(s.name for s in PARTICIPANTS), PARTICIPANT_RESULT_COLUMNS, log
    )
    mcol = pcols.get("municipality")
    if isinstance(mcol, TextColumn):
        check_municipality_spellings(mcol.coded, cat, log, ppid)
    if ppid is not None:
        has = ppid.codes >= 0
        count = np.bincount(ppid.codes[has], minlength=ppid.texts.shape[0])
        dup = has & (count[np.maximum(ppid.codes, 0)] > 1) if count.shape[0] else has
        log.add_rows("participants", "participant_id", dup, "participant_id is not unique", ppid)
        if pid_col is not None:
            check_id_spaces(ppid, pid_col.spaced, log)

    if converted is not None:
        converted["participants"] = (part, pcols)
    ipid_col = _id_column(iconv)
    ipid = None if ipid_col is None else ipid_col.coded
    owner_code = None
    if ipid is not None:
        # the item's participant as a code of the participants' ids (-1: not there)
        ptexts = ppid.texts if ppid is not None else np.zeros(0, dtype=object)
        to_p = np.asarray(pd.Index(ptexts, dtype=object).get_indexer(ipid.texts), dtype=np.int64)
        owner_code = (
            np.where(ipid.codes >= 0, to_p[np.maximum(ipid.codes, 0)], -1)
            if to_p.shape[0]
            else np.full(ipid.codes.shape[0], -1, dtype=np.int64)
        )
    ipid_attr = ipid.where(owner_code >= 0) if ipid is not None and owner_code is not None else None
    icols = check_columns(
        items,
        "plan_items",
        PLAN_ITEMS,
        log,
        ipid_attr,
        with_row=True,
        converted=iconv,
    )
    _clashes(items, "plan_items", tuple(s.name for s in PLAN_ITEMS), ITEM_RESULT_COLUMNS, log)
    if converted is not None:
        converted["plan_items"] = (items, icols)
    if ipid is not None and owner_code is not None and ipid_attr is not None:
        orphan = (ipid.codes >= 0) & (owner_code < 0)
        ptexts = ppid.texts if ppid is not None else np.zeros(0, dtype=object)
        report_orphans(ipid, orphan, ptexts, log)
        check_plan_rules(icols, ipid, ipid_attr, cat, log)
        check_line_costs(icols, ipid_attr, cat, log)

    fatal = log.fatal()
    if fatal or (errors == "raise" and log):
        raise InputError(log.records if errors == "raise" else fatal)
    if ppid is None or owner_code is None:  # a missing id column is fatal above
        raise InputError(log.records)
    rejected_ids = sorted({r["participant_id"] for r in log.by_participant()})
    rejected = log.rejected()
    if rejected_ids:
        rej = pd.Index(ppid.texts, dtype=object).get_indexer(rejected_ids)
        keep_p = ~np.isin(ppid.codes, np.asarray(rej, dtype=np.int64))
        keep_i = ~np.isin(owner_code, np.asarray(rej, dtype=np.int64))
    else:  # nobody set aside
        keep_p = np.ones(ppid.codes.shape[0], dtype=bool)
        keep_i = np.ones(owner_code.shape[0], dtype=bool)
    return _canonical(
        part, items, cat, pcols, icols, ppid, owner_code, keep_p, keep_i, rejected, period_weeks
    )


def _rows(values: np.ndarray, keep: BoolArray) -> np.ndarray:
    """The kept rows of ``values``: ``values`` itself when every row is kept (no copy)."""
    return values if keep.all() else values[keep]


def _coded(col: Column | None, keep: BoolArray) -> Codes:
    """The kept rows of a text column as codes (all empty when the column is absent)."""
    if not isinstance(col, TextColumn):
        return Codes(np.full(int(keep.sum()), -1, dtype=np.int64), np.zeros(0, dtype=object))
    return Codes(_rows(col.coded.codes, keep), col.coded.texts)


def _constant(n: int, value: object, dtype: type) -> np.ndarray:
    """``n`` times ``value`` as a read-only array of ``dtype`` that takes no memory per row."""
    return np.broadcast_to(np.array(value, dtype=dtype), (n,))


def _take(
    col: Column | None, keep: BoolArray, default: object, dtype: type, *, shared: bool = False
) -> np.ndarray:
    """The kept rows of a converted column as ``dtype``, ``default`` where empty; a column
    the table does not have is ``default`` on every row (with ``shared``: one read-only
    value that takes no memory per row, for the plan lines' optional columns).

    When every row is kept and none is empty, converted values that are a read-only view of
    the input frame are used as they are (no copy: pandas copy-on-write keeps the frame's
    data from changing under them); writable ones are copied (they may be the input's own
    buffer, as a nullable integer column's ``to_numpy`` gives).
    """
    if col is None:
        n = int(keep.sum())
        return _constant(n, default, dtype) if shared else np.full(n, default, dtype=dtype)
    values = col.values
    if values.dtype == dtype and not values.flags.writeable and keep.all() and not col.empty.any():
        return values
    out: np.ndarray = fill(_rows(values, keep), _rows(col.empty, keep), default)
    return out.astype(dtype, copy=False)


def _canonical(
    part: pd.DataFrame,
    items: pd.DataFrame,
    cat: Catalogue,
    pcols: dict[str, Column],
    icols: dict[str, Column],
    ppid: Codes,
    owner_code: IntArray,
    keep_p: BoolArray,
    keep_i: BoolArray,
    rejected: pd.DataFrame,
    period_weeks: int,
) -> Prepared:
    # accepted participants have unique ids: a participant code names one accepted row
    n_acc = int(keep_p.sum())
    row_of_code = np.full(max(int(ppid.texts.shape[0]), 1), -1, dtype=np.int64)
    row_of_code[ppid.codes[keep_p]] = np.arange(n_acc, dtype=np.int64)
    owner = row_of_code[_rows(owner_code, keep_i)]
    weeks = _take(pcols.get("period_weeks"), keep_p, period_weeks, np.int64)
    fh = _take(pcols.get("family_hours_per_week"), keep_p, np.nan, np.float64)
    hours_cap = np.where(np.isnan(fh), np.inf, fh * weeks)
    budget_col = pcols.get("budget_eur")
    budget = _take(budget_col, keep_p, 0, np.int64)
    given = ~budget_col.empty[keep_p] if budget_col is not None else np.zeros(n_acc, bool)
    age = _take(pcols.get("age"), keep_p, 0, np.int64)
    gcol = _coded(pcols.get("target_group"), keep_p)
    group = gcol.objects()
    bits = np.array([GROUP_BITS.get(str(t), 0) for t in gcol.texts], dtype=np.int64)
    gbits = np.where(gcol.codes >= 0, bits[np.maximum(gcol.codes, 0)] if bits.shape[0] else 0, 0)
    muni = _coded(pcols.get("municipality"), keep_p)
    warn_unknown_municipalities(muni, cat, stacklevel=4)
    service = _coded(icols.get("service"), keep_i)
    row = cat.match_owned(service, owner, muni, age, gbits)
    rec = _take(icols.get("recommended_units"), keep_i, 1, np.int64)
    max_units = _take(icols.get("max_units"), keep_i, -1, np.int64, shared=True)
    upper = _upper(cat, row, rec, max_units, weeks, owner)
    # row -1 (none) takes the appended 0: one gather per column
    price = np.append(cat.price_cents, 0).astype(np.int64, copy=False)[row]
    hpu = np.append(cat.hours, 0.0).astype(np.float64, copy=False)[row]
    fam = _take(icols.get("family_rank"), keep_i, -1, np.int64, shared=True)
    wcol = icols.get("weight")
    no = np.zeros(0, dtype=bool)
    weight = floats(Column(_take(wcol, keep_i, np.nan, np.float64, shared=True), no, no))
    return Prepared(
        participants=_kept(part, keep_p),
        items=_kept(items, keep_i),
        catalogue=cat,
        rejected=rejected,
        item_owner=owner,
        budget_cents=budget,
        budget_given=given,
        period_weeks=weeks,
        hours_cap=hours_cap,
        age=age,
        group=group,
        team_rank=_take(icols.get("team_rank"), keep_i, 1, np.int64),
        family_rank=fam,
        weight=weight,
        recommended=rec,
        min_units=_take(icols.get("min_units"), keep_i, 0, np.int64, shared=True),
        max_units=max_units,
        row=row,
        price_cents=price,
        hours_per_unit=hpu,
        upper=upper,
    )


def _kept(df: pd.DataFrame, keep: BoolArray) -> pd.DataFrame:
    """The kept rows with a fresh index; the frame itself when all are kept (it already has
    one: ``as_frame``), so the result tables copy the input once, not twice."""
    return df if keep.all() else df.loc[keep].reset_index(drop=True)


def _upper(
    cat: Catalogue,
    row: IntArray,
    rec: IntArray,
    max_units: IntArray,
    weeks: IntArray,
    owner: IntArray,
) -> IntArray:
    """U_i = min(r_i, max_units_i, F(max/week * T), F(max/year * T / 52)); 0 without a row.

    ``weeks`` per participant, ``owner`` per item. The caps are computed only for the items
    whose catalogue row has one.
    """
    upper = np.where(max_units >= 0, np.minimum(rec, max_units), rec).astype(np.int64, copy=False)
    has_row = row >= 0
    r = np.maximum(row, 0)
    for per_row, per in ((cat.max_week, 1), (cat.max_year, 52)):  # a week; 52 weeks
        capped = ~np.isnan(per_row)
        if not capped.any():
            continue
        idx = np.flatnonzero(has_row & capped[r])
        with np.errstate(invalid="ignore"):
            cap = np.floor(per_row[r[idx]] * weeks[owner[idx]] / per + CAP_TOL)
        upper[idx] = np.minimum(upper[idx], cap)
    upper[~has_row] = 0
    return upper
