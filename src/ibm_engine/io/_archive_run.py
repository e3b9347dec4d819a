"""A run as stored in the archive, and rebuilding its result to explain a decision again.

Explanations are not stored: they are rendered on demand from a result rebuilt by re-running
:func:`ibm_engine.allocate` on the stored input tables with the stored parameters, after
checking that the rebuilt output tables equal the stored ones value for value. A stored
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

from ibm_engine.allocation import AllocationResult, RankMerge, allocate
from ibm_engine.errors import IbmEngineError, InputError
from ibm_engine.io._archive_codec import key_bytes, pseudonymise
from ibm_engine.tables._problems import _FILE_COLUMNS

__all__ = ["StoredRun", "allocate_kwargs", "first_difference", "record_of", "summary_of"]

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


def allocate_kwargs(record: dict[str, Any], rejected: pd.DataFrame) -> dict[str, Any]:
    """The arguments of :func:`ibm_engine.allocate` that made a stored run."""
    if record.get("kind") not in ("allocate", "allocation"):
        raise IbmEngineError(
            f"a {record.get('kind')} run cannot be rebuilt from the archive yet (only "
            "allocate runs); its stored tables are all there is"
        )
    params = record.get("parameters", record)  # the record of results, or a minimal one
    if params.get("budget") is not None:
        raise IbmEngineError(
            "this run's budgets came from a budget formula, which the archive cannot re-create "
            "from its record yet; use ibm_engine.reproduce with the original tables"
        )
    merge = {
        k: tuple(v) if isinstance(v, list) else v
        for k, v in params["merge"].items()
        if k != "type"  # the record names the class of a parameter object
    }
    return {
        "policy": params["policy"],
        "period_weeks": int(params["period_weeks"]),
        "team_share": float(params["team_share"]),
        "merge": RankMerge(**merge),  # type: ignore[arg-type]  # the fields as stored
        "errors": "quarantine" if len(rejected) else "raise",
    }


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
    _rebuilt: dict[str, AllocationResult] = dataclasses.field(default_factory=dict, repr=False)

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
    ) -> AllocationResult:
        """Re-run :func:`ibm_engine.allocate` and check it gives the stored outputs.

        A pseudonymised run needs its original input tables and the key (ties between equal
        items are decided by the original participant ids); other runs use the stored inputs.

        Raises
        ------
        IbmEngineError
            The rebuilt outputs differ from the stored ones (the first difference is named),
            or the run is not an ``allocate`` run.
        InputError
            A pseudonymised run without its original tables and key.
        """
        if self.pseudonymised and (key is None or participants is None):
            raise InputError.single(
                "arguments",
                "key",
                "this run is pseudonymised: give its original participants, plan_items and "
                "services tables and the key it was stored with",
            )
        if not self.pseudonymised and "result" in self._rebuilt and participants is None:
            return self._rebuilt["result"]
        given = (participants, plan_items, services)
        stored = (self.inputs["participants"], self.inputs["plan_items"], self.inputs["services"])
        p, i, s = (g if g is not None else t for g, t in zip(given, stored, strict=True))
        result = allocate(p, i, s, **allocate_kwargs(self.record, self.rejected))
        outputs = {name: getattr(result, name) for name in OUTPUTS}
        if self.pseudonymised and key is not None:
            p_cols = set(result.participants.columns) - set(self.participants.columns)
            i_cols = set(result.items.columns) - set(self.items.columns)
            outputs = pseudonymise(outputs, key_bytes(key), p_cols | i_cols)
        where = first_difference({n: getattr(self, n) for n in OUTPUTS}, outputs)
        if where:
            hint = " (a wrong key or other tables?)" if self.pseudonymised else ""
            raise IbmEngineError(
                f"run {self.run_id} does not rebuild to its stored outputs{hint}: {where}"
            )
        if not self.pseudonymised:
            self._rebuilt["result"] = result
        return result

    def explain_text(
        self,
        participant_id: str,
        language: str = "en",
        *,
        participants: object = None,
        plan_items: object = None,
        services: object = None,
        key: str | bytes | None = None,
    ) -> str:
        """The explanation of one participant, rendered from the rebuilt result (see
        :meth:`rebuild`); ``participant_id`` is the original id, also for a pseudonymised run.
        """
        result = self.rebuild(participants, plan_items, services, key=key)
        return result.explain_text(participant_id, language=language)
