"""A run as stored in the archive, and rebuilding its result to explain a decision again.

Explanations are not stored: they are rendered on demand from a result rebuilt by re-running
the run (``ibm.reproduce``: allocate, a region run, a periods run, the traditional mechanism)
on the stored input tables with the stored record's parameters, after checking that the rebuilt
output tables equal the stored ones value for value. A stored
explanation would be a second, unchecked copy of the decision; a rebuilt one is the decision
itself, proven identical, in any language the library speaks.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.errors import IbmEngineError, InputError
from ibm_engine.io._archive_codec import key_bytes, pseudonymise, pseudonyms
from ibm_engine.io._archive_inputs import frame
from ibm_engine.tables._problems import _FILE_COLUMNS

__all__ = ["StoredRun", "check_key", "first_difference", "record_of", "summary_of"]

OUTPUTS = ("items", "participants", "rejected")


def _jsonable(x: Any) -> Any:
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: _jsonable(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x if x is None or isinstance(x, str | int | float | bool) else repr(x)


def record_of(result: object) -> dict[str, Any]:
    """The record stored with a run: ``result.record`` where results carry one (issue 10,
    section 2), else a minimal record with a random id and the parameters of the run."""
    record = getattr(result, "record", None)
    if record is not None:
        return dict(record.to_dict())
    params = ("policy", "period_weeks", "team_share", "merge")
    kind = "allocation" if all(hasattr(result, a) for a in params) else type(result).__name__
    kind = kind.removesuffix("Result").lower()
    out: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "kind": kind,
        "library_version": version("ibm_engine"),
        "created_utc": datetime.now(UTC).isoformat(),
    }
    for name in ("policy", "period_weeks", "team_share", "merge", "budget", "method",
                 "weighting", "objective"):  # fmt: skip
        if hasattr(result, name):
            out[name] = _jsonable(getattr(result, name))
    return out


def summary_of(items: pd.DataFrame, participants: pd.DataFrame) -> dict[str, Any]:
    """Headline figures of a run's tables (money summed in cents)."""

    def cents(column: str) -> int | None:
        if column not in participants.columns:
            return None
        x = participants[column].to_numpy(dtype=np.float64, na_value=np.nan)
        return int(np.round(np.nan_to_num(x) * 100).astype(np.int64).sum())

    reasons: dict[Any, int] = (
        items["reason"].astype(str).value_counts().to_dict() if "reason" in items.columns else {}
    )
    budget, spent = cents("budget_eur"), cents("spent_eur")
    out: dict[str, Any] = {
        "participants": len(participants),
        "items": len(items),
        "budget_eur": None if budget is None else budget / 100,
        "spent_eur": None if spent is None else spent / 100,
    }
    if "value" in participants.columns:
        out["value"] = float(participants["value"].sum())
        out["max_value"] = float(participants["max_value"].sum())
    out.update({f"items_{k}": int(v) for k, v in reasons.items()})
    return out


def first_difference(stored: dict[str, pd.DataFrame], rebuilt: dict[str, pd.DataFrame]) -> str:
    """Where two sets of output tables first differ ("" where they are equal)."""
    for name in OUTPUTS:
        a, b = stored[name].reset_index(drop=True), rebuilt[name].reset_index(drop=True)
        if name == "rejected":  # where in a file a problem was depends on how it was read
            a, b = (t.drop(columns=[c for c in _FILE_COLUMNS if c in t.columns]) for t in (a, b))
        if list(a.columns) != list(b.columns):
            return f"{name}: columns {list(a.columns)} stored, {list(b.columns)} rebuilt"
        if len(a) != len(b):
            return f"{name}: {len(a)} rows stored, {len(b)} rebuilt"
        for c in a.columns:
            x, y = a[c].astype(object), b[c].astype(object)
            same = (x == y).to_numpy(dtype=bool) | (x.isna() & y.isna()).to_numpy(dtype=bool)
            if not same.all():
                row = int(np.flatnonzero(~same)[0])
                who = a["participant_id"].iloc[row] if "participant_id" in a.columns else row
                return f"{name}, row {row} ({who}), column {c}: {x[row]!r} stored, {y[row]!r} now"
    return ""


@dataclasses.dataclass(frozen=True, eq=False)
class StoredRun:
    """One run loaded from a :class:`~ibm_engine.RunArchive`.

    Attributes
    ----------
    run_id, stored_at, kind, corrects, pseudonymised, note
        As listed by :meth:`RunArchive.runs` (``stored_at`` in UTC).
    record : dict
        The run's record as stored.
    summary : dict
        Headline figures (participants, items, budget_eur, spent_eur, value, items by reason).
    items, participants, rejected : DataFrame
        The output tables, exactly as stored (money to the cent, dtypes as they were).
    inputs : dict of DataFrame
        The input tables ``participants``, ``plan_items`` and ``services``.
    """

    run_id: str
    stored_at: datetime
    kind: str
    corrects: str | None
    pseudonymised: bool
    note: str | None
    record: dict[str, Any]
    summary: dict[str, Any]
    items: pd.DataFrame
    participants: pd.DataFrame
    rejected: pd.DataFrame
    inputs: dict[str, pd.DataFrame]
    _rebuilt: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"StoredRun(run_id={self.run_id!r}, kind={self.kind!r}, "
            f"participants={len(self.participants)}, items={len(self.items)}, "
            f"pseudonymised={self.pseudonymised})"
        )

    def rebuild(
        self,
        participants: object = None,
        plan_items: object = None,
        services: object = None,
        *,
        key: str | bytes | None = None,
        **objects: Any,
    ) -> Any:
        """Re-run the run (:func:`ibm_engine.reproduce` with the stored record) and check that
        it gives the stored outputs; the result, of the run's own type, explains as the
        original did.

        A pseudonymised run needs its original input tables and the key (ties between equal
        items are decided by the original participant ids); other runs use the stored inputs,
        their other tables (capacities, periods, ...) included. ``objects``: what the record
        only describes (``budget=`` formula, ``carry_over=``) or an original table of a
        pseudonymised run (``pauses=``).

        Raises
        ------
        IbmEngineError
            The run cannot be re-run (the reason named: e.g. a budget formula to pass), or the
            rebuilt outputs differ from the stored ones (the first difference is named).
        InputError
            A pseudonymised run without its original tables and key.
        """
        from ibm_engine.io._reproduce import reproduce

        if self.pseudonymised:
            check_key(self, participants, plan_items, services, key)
        elif "result" in self._rebuilt and participants is None and not objects:
            return self._rebuilt["result"]
        given = (participants, plan_items, services)
        stored = (self.inputs["participants"], self.inputs["plan_items"], self.inputs["services"])
        p, i, s = (g if g is not None else t for g, t in zip(given, stored, strict=True))
        others = {
            n: t
            for n, t in self.inputs.items()
            if n not in ("participants", "plan_items", "services")
        }
        if "inputs" not in self.record:
            raise IbmEngineError(
                f"run {self.run_id} cannot be rebuilt: it was stored without a record of its "
                "inputs; its stored tables are all there is"
            )
        redo = reproduce(self.record, p, i, s, **{**others, **objects})
        if redo.result is None:
            raise IbmEngineError(f"run {self.run_id} cannot be rebuilt: {redo}")
        result = redo.result
        outputs = {name: _table(result, name) for name in OUTPUTS}
        if self.pseudonymised and key is not None:
            p_cols = set(outputs["participants"].columns) - set(self.participants.columns)
            i_cols = set(outputs["items"].columns) - set(self.items.columns)
            outputs = pseudonymise(outputs, key_bytes(key), p_cols | i_cols)
        where = first_difference({n: getattr(self, n) for n in OUTPUTS}, outputs)
        if where:
            hint = " (a wrong key or other tables?)" if self.pseudonymised else ""
            raise IbmEngineError(
                f"run {self.run_id} does not rebuild to its stored outputs{hint}: {where}"
            )
        if not self.pseudonymised and not objects:
            self._rebuilt["result"] = result
        return result

    def explain_text(
        self,
        participant_id: str,
        language: str = "en",
        *,
        period: int | None = None,
        participants: object = None,
        plan_items: object = None,
        services: object = None,
        key: str | bytes | None = None,
        **objects: Any,
    ) -> str:
        """The explanation of one participant, rendered from the rebuilt result (see
        :meth:`rebuild`): the same text the original result gives for any run kind (a periods
        run needs the ``period``); ``participant_id`` is the original id, also for a
        pseudonymised run.
        """
        result = self.rebuild(participants, plan_items, services, key=key, **objects)
        view = (
            result.participant(participant_id)
            if period is None
            else result.participant(participant_id, period)
        )
        text: str = view.text(language)
        return text


def _table(result: Any, name: str) -> pd.DataFrame:
    """One output table of a result (an empty ``rejected`` where the result has none)."""
    table = getattr(result, name, None)
    if table is None and name == "rejected":
        return pd.DataFrame({"participant_id": pd.Series([], dtype=object)})
    if not isinstance(table, pd.DataFrame):
        raise IbmEngineError(f"a rebuilt {type(result).__name__} has no {name} table")
    return table


def check_key(
    run: StoredRun,
    participants: object,
    plan_items: object,
    services: object,
    key: str | bytes | None,
) -> None:
    """A pseudonymised run: the original tables and the key must be given, and give the run's
    pseudonyms."""
    if key is None or any(t is None for t in (participants, plan_items, services)):
        raise InputError.single(
            "arguments",
            "key",
            "this run is pseudonymised: give its original participants, plan_items and "
            "services tables and the key it was stored with",
        )
    ids = frame(participants, "participants")["participant_id"]
    if set(pseudonyms(ids, key_bytes(key))) != set(run.inputs["participants"]["participant_id"]):
        raise InputError.single(
            "arguments", "key", "the key and tables do not give this run's pseudonyms"
        )
