"""``ibm.reproduce``: re-run what a record describes and say whether the same outputs come out.

The input tables are checked against the record's hashes first (a table that does not match
is reported and nothing is re-run); objects the record can only describe (a budget formula, a
carry-over rule) are taken from the caller and checked against the record's parameters; then
the run is repeated with the record's parameters and its output hashes compared. Given the
original outputs (``original=``: the result, or a mapping of its tables), the first difference
is named by table, key (participant_id, service, ...), column, old and new value.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.allocation import RankMerge, allocate
from ibm_engine.allocation._record import Record, hash_outputs, jsonable
from ibm_engine.allocation._record import hash_inputs as _hash_inputs
from ibm_engine.errors import InputError
from ibm_engine.region import CarryOver, allocate_region, run_periods
from ibm_engine.scenarios import traditional

__all__ = ["Difference", "Reproduction", "reproduce"]

#: per kind of record: the function and the tables it takes after the three contract tables
_CALLS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "allocate": (allocate, ()),
    "region": (allocate_region, ("capacities",)),
    "periods": (run_periods, ("periods",)),
    "traditional": (traditional, ()),
}
#: parameter objects a record describes completely, so that they can be made again from it
_REBUILDABLE: dict[str, Callable[..., Any]] = {"RankMerge": RankMerge, "CarryOver": CarryOver}
#: columns that identify a row of an output table, in this order where present
_KEY_COLUMNS = ("period", "participant_id", "municipality", "service", "table", "column")
STATUSES = (
    "identical",
    "original_differs",
    "outputs_differ",
    "may_differ",
    "inputs_differ",
    "parameters_differ",
)


@dataclass(frozen=True)
class Difference:
    """The first difference between two versions of an output table.

    ``key`` is the row's key (e.g. ``("P1", "physiotherapy")`` for items; None when only the
    table's hash is known); ``column`` None means the row is missing on one side.
    """

    table: str
    key: tuple[Any, ...] | None
    column: str | None
    old: Any
    new: Any

    def __str__(self) -> str:
        where = self.table if self.key is None else f"{self.table} {self.key}"
        if self.column is None:
            return f"{where}: {self.old} -> {self.new}"
        return f"{where}, column {self.column}: {self.old!r} -> {self.new!r}"


@dataclass(frozen=True, eq=False)
class Reproduction:
    """What :func:`reproduce` found.

    Attributes
    ----------
    status : str
        ``identical`` (the re-run gives the recorded outputs), ``original_differs`` (it does,
        but the original outputs given do not match the record), ``outputs_differ``,
        ``may_differ`` (outputs differ where a solve may have stopped at a time limit: the
        record warned that the result may not reproduce on another machine),
        ``inputs_differ`` (not re-run) or ``parameters_differ`` (not re-run).
    record : Record
        The record reproduced.
    rerun : Record or None
        The record of the re-run.
    inputs, parameters : tuple of str
        Input tables whose hash does not match; parameters whose object does not match.
    versions : dict of str to (str, str)
        Software whose version differs: (recorded, now).
    outputs : tuple of str
        Output tables whose re-run hash differs from the record's.
    difference : Difference or None
        The first difference found.
    result : object
        The re-run's result (None when not re-run).
    """

    status: str
    record: Record
    rerun: Record | None = None
    inputs: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    difference: Difference | None = None
    result: Any = field(default=None, repr=False)

    @property
    def identical(self) -> bool:
        """Whether the re-run gives exactly the recorded outputs."""
        return self.status == "identical"

    def __str__(self) -> str:
        head = {
            "identical": "reproduced: the re-run gives the recorded outputs",
            "original_differs": "reproduced, but the original outputs given differ from the record",
            "outputs_differ": "not reproduced: the outputs differ",
            "may_differ": "outputs differ; a solve may have stopped at a time limit, so the "
            "result may not reproduce on another machine",
            "inputs_differ": "not re-run: input tables differ from the record: "
            + ", ".join(self.inputs),
            "parameters_differ": "not re-run: parameters differ from the record: "
            + ", ".join(self.parameters),
        }[self.status]
        lines = [f"Record {self.record.id}: {head}."]
        if self.outputs:
            lines.append("  output tables that differ: " + ", ".join(self.outputs))
        if self.difference is not None:
            lines.append(f"  first difference: {self.difference}")
        for name, (old, new) in self.versions.items():
            lines.append(f"  {name}: recorded {old}, now {new}")
        return "\n".join(lines)


def _canon(value: object) -> str:
    return json.dumps(jsonable(value), sort_keys=True)


def _argument(name: str, recorded: Any) -> tuple[bool, Any]:
    """A recorded parameter as an argument value; (False, None) when only its description is
    recorded (an object the caller must pass)."""
    if not isinstance(recorded, dict):
        return True, recorded
    made = _REBUILDABLE.get(recorded.get("type", ""))
    if made is not None:  # every field is in the record
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items() if k != "type"
        }
        return True, made(**fields)
    if "type" in recorded:
        return False, None
    return True, dict(recorded)


def _tables_of(original: object, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    if isinstance(original, Mapping):
        return {n: original[n] for n in names if n in original}
    got = {n: getattr(original, n, None) for n in names}
    return {n: t for n, t in got.items() if isinstance(t, pd.DataFrame)}


def _cells(s: pd.Series) -> np.ndarray:
    out = s.to_numpy(dtype=object).copy()
    out[s.isna().to_numpy(dtype=bool)] = None
    return out


def first_difference(table: str, old: pd.DataFrame, new: pd.DataFrame) -> Difference | None:
    """The first difference between two versions of a table, rows matched by key.

    Rows are matched on the key columns both have (period, participant_id, municipality,
    service, ...; repeated keys by their order) and visited in key order; the columns in
    name order.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"participant_id": ["P1", "P2"], "units": [3, 4]})
    >>> b = pd.DataFrame({"participant_id": ["P2", "P1"], "units": [5, 3]})
    >>> print(first_difference("items", a, b))
    items ('P2',), column units: 4 -> 5
    """
    keys = [c for c in _KEY_COLUMNS if c in old.columns and c in new.columns]

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        out = df.reset_index(drop=True).copy()
        out["_seen"] = out.groupby(keys, dropna=False, sort=False).cumcount() if keys else 0
        if not keys:
            out["_seen"] = np.arange(len(out))
        for k in keys:
            out[k] = _cells(out[k].astype(object))
        return out.set_index([*keys, "_seen"]).sort_index()

    o, n = keyed(old), keyed(new)
    gone, extra = o.index.difference(n.index), n.index.difference(o.index)

    def short(idx: Any) -> tuple[Any, ...]:
        t = idx if isinstance(idx, tuple) else (idx,)
        return t[:-1] if keys else t

    if len(gone):  # a row of the old table the new one lacks
        return Difference(table, short(gone[0]), None, "row", "missing")
    if len(extra):
        return Difference(table, short(extra[0]), None, "missing", "row")
    best: tuple[int, str, Any, Any] | None = None
    for col in sorted(set(o.columns) | set(n.columns), key=str):
        if col not in o.columns or col not in n.columns:
            return Difference(table, None, str(col), "column" if col in o else None, None)
        a, b = _cells(o[col]), _cells(n.loc[o.index, col])
        same = np.fromiter((x == y for x, y in zip(a, b, strict=True)), bool, a.shape[0])
        bad = np.flatnonzero(~same)
        if bad.shape[0] and (best is None or int(bad[0]) < best[0]):
            best = (int(bad[0]), str(col), a[bad[0]], b[bad[0]])
    if best is None:
        return None
    at, col, x, y = best
    return Difference(table, short(o.index[at]), col, x, y)


def reproduce(
    record: Record | Mapping[str, Any],
    participants: object,
    plan_items: object,
    services: object,
    *,
    original: object = None,
    **kw: Any,
) -> Reproduction:
    """Re-run what ``record`` describes and compare the outputs with the recorded ones.

    Parameters
    ----------
    record : Record or dict
        A result's ``record`` (or its ``to_dict()``).
    participants, plan_items, services : tables
        The input tables of the run (any row and column order).
    original : result or mapping of str to DataFrame, optional
        The original outputs (e.g. from an archive): where outputs differ, the first
        difference is named by key and column; they are also checked against the record.
    **kw
        The other tables of the run (``capacities``, ``neighbours``, ``periods``, ...) and the
        objects the record describes but cannot rebuild (``budget=`` formula,
        ``carry_over=``); parameters given here are checked against the record.

    Returns
    -------
    Reproduction

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> p, i, s = ibm.synthetic_zemgale(seed=1, n_grt=2, n_ft=1, n_bsac=1)
    >>> r = ibm.allocate(p, i, s)
    >>> ibm.reproduce(r.record, p.iloc[::-1], i, s).status  # rows in another order
    'identical'
    >>> p2 = p.copy()
    >>> p2.loc[0, "budget_eur"] += 0.01  # one cent more
    >>> print(ibm.reproduce(r.record, p2, i, s))  # doctest: +ELLIPSIS
    Record ...: not re-run: input tables differ from the record: participants.
    """
    rec = record if isinstance(record, Record) else Record.from_dict(record)
    if rec.kind not in _CALLS:
        raise InputError.single("arguments", "record", f"unknown kind {rec.kind!r}")
    fn, positional = _CALLS[rec.kind]
    tables: dict[str, object] = {
        "participants": participants,
        "plan_items": plan_items,
        "services": services,
    }
    for name in rec.inputs:
        if name not in tables and name in kw:
            tables[name] = kw.pop(name)
    hashes = _hash_inputs(**tables)
    bad_inputs = tuple(
        name for name, d in rec.inputs.items() if name not in hashes or hashes[name].hex != d.hash
    ) + tuple(name for name in hashes if name not in rec.inputs)
    if bad_inputs:
        return Reproduction("inputs_differ", rec, inputs=bad_inputs)
    accepted = inspect.signature(fn).parameters
    args: dict[str, Any] = {}
    bad_params: list[str] = []
    for name, recorded in rec.parameters.items():
        if name not in accepted:
            continue  # a fact of the run (a limit, a seed), not an argument
        if name in kw:
            value = kw.pop(name)
            if _canon(value) != _canon(recorded):
                bad_params.append(name)
            args[name] = value
            continue
        ok, value = _argument(name, recorded)
        if not ok:
            bad_params.append(f"{name} (pass the object)")
        args[name] = value
    if bad_params or kw:
        return Reproduction("parameters_differ", rec, parameters=(*bad_params, *sorted(kw)))
    extra = {k: v for k, v in tables.items() if k not in (*positional, *list(tables)[:3])}
    result = fn(
        participants, plan_items, services, *(tables[n] for n in positional), **extra, **args
    )
    new: Record = result.record
    versions = {
        k: (rec.versions.get(k, "?"), new.versions.get(k, "?"))
        for k in sorted(set(rec.versions) | set(new.versions))
        if rec.versions.get(k) != new.versions.get(k)
    }
    if rec.library_version != new.library_version:
        versions["ibm_engine"] = (rec.library_version, new.library_version)
    outs = tuple(n for n, d in rec.outputs.items() if new.outputs.get(n, d).hash != d.hash)
    given = _tables_of(original, tuple(rec.outputs)) if original is not None else {}
    given_hash = hash_outputs(**given)
    tampered = tuple(n for n, h in given_hash.items() if h.hex != rec.outputs[n].hash)
    diff = None
    for name in (*outs, *tampered):
        if name in given:
            diff = first_difference(name, given[name], getattr(result, name))
        else:
            diff = Difference(name, None, None, rec.outputs[name].hash, new.outputs[name].hash)
        if diff is not None:
            break
    if outs:
        status = "may_differ" if rec.limit_hit or new.limit_hit else "outputs_differ"
    else:
        status = "original_differs" if tampered else "identical"
    return Reproduction(status, rec, new, (), (), versions, outs, diff, result)
