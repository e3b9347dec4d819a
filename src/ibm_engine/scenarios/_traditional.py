"""The traditional funding mechanism: eligibility rules, first come first served, one pot.

What municipalities did before the individual budget model, as the pilots describe it: a
service is granted when the person is eligible for it, at the volume assessed, and requests are
met in the order they arrive until the money runs out. Here:

- **the money** is one pot (by default the sum of the participants' budgets, so the same
  money as the individual budget model); individual budgets are not a limit;
- **the queue**: participants in ascending ``application_date`` (ties in input order) when
  the participants table has that column; without it, in input order (the order the
  applications are listed);
- **each participant's requests**: their plan items in the team's order (``team_rank``
  ascending); an item the rules allow to fund (a catalogue row applies and the capped volume
  ``upper_units`` reaches the item's minimum) is granted **in full**, at ``upper_units`` (the
  recommended units capped by the law's caps and ``max_units``): no partial grants;
  ineligible items are refused and the queue moves on;
- **funds run out** at the first eligible request the pot left cannot pay in full: it and
  every request after it (of this participant and of everyone later in the queue) get
  nothing, even cheaper ones (first come first served is a queue, not a knapsack);
- family hours are not checked (the pilots found families could not always carry out every
  service granted), and value / max_value use the same weights as the IBM runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.allocation import RankMerge
from ibm_engine.allocation._pipeline import stage
from ibm_engine.allocation._record import build_record, hash_outputs
from ibm_engine.allocation._status import count, rejected_count
from ibm_engine.allocation._tables import item_table, participant_table
from ibm_engine.allocation._view import DecidedTogether
from ibm_engine.domain._result import Status
from ibm_engine.errors import InputError
from ibm_engine.scenarios._traditional_explain import TraditionalParticipantView
from ibm_engine.solve import BatchSolution
from ibm_engine.tables._problems import REJECTED_COLUMNS

__all__ = ["ORDER_COLUMN", "TraditionalResult", "traditional"]

#: participants column that orders the queue when present
ORDER_COLUMN = "application_date"


@dataclass(frozen=True, eq=False)
class TraditionalResult(DecidedTogether):
    """What :func:`traditional` returns.

    Attributes
    ----------
    items : DataFrame
        As :func:`ibm_engine.allocate`'s items (reasons ``funded``, ``not_funded`` for requests
        the pot could not pay, ``not_eligible``, ``cap_below_min``).
    participants : DataFrame
        As :func:`ibm_engine.allocate`'s participants without ``bound`` and ``status``
        (``budget_eur`` is the participant's budget, for reference; ``left_eur`` may be
        negative), plus ``queue_position`` (1 = served first); ``policy`` is
        ``"traditional"``.
    pot_eur, spent_eur : float
        The pot and what was granted from it (exact cents).
    rejected : DataFrame
        Quarantined input problems (``errors="quarantine"``), as ``allocate``'s.
    record : Record
        What made this result (see ``docs/records.md``).
    """

    _run_kind = "traditional run (a queue)"  # what-ifs raise NotApplicableError (DecidedTogether)

    items: pd.DataFrame
    participants: pd.DataFrame
    pot_eur: float
    spent_eur: float
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REJECTED_COLUMNS))
    )

    #: what made this result (inputs, parameters, versions) and its output hashes
    record: Any = None
    #: display names of the catalogue's services, code -> (English, Latvian)
    service_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """Always ``feasible``: a queue makes no claim of optimality."""
        return Status.FEASIBLE

    @property
    def message(self) -> str:
        """The result in one line: participants, pot, spent, requests granted, rejected."""
        granted = int((self.items["reason"].astype(str) == "funded").sum())
        return (
            f"{count(len(self.participants), 'participant')} in the traditional queue: pot "
            f"{self.pot_eur:,.2f} EUR, {self.spent_eur:,.2f} EUR granted in "
            f"{count(granted, 'request')}; "
            f"{count(rejected_count(self.rejected), 'participant')} rejected"
        )

    def participant(self, participant_id: object) -> TraditionalParticipantView:
        """One participant: ``explain()`` and ``text(lang)`` say which request the pot could
        not pay; the what-ifs raise :class:`~ibm_engine.NotApplicableError` (the traditional
        mechanism is a queue, not an optimum)."""
        return TraditionalParticipantView(self, participant_id)

    def _repr_html_(self) -> str:
        from ibm_engine.report import result_html  # display only, loaded when shown

        return result_html(self)

    def __repr__(self) -> str:
        return (
            f"TraditionalResult(participants={len(self.participants)}, "
            f"pot_eur={self.pot_eur:.2f}, spent_eur={self.spent_eur:.2f})"
        )


def _queue(people: pd.DataFrame) -> np.ndarray:
    """Position in the queue of every participant (0 = first)."""
    n = len(people)
    if ORDER_COLUMN not in people.columns:
        return np.arange(n, dtype=np.int64)
    raw = people[ORDER_COLUMN]
    when = pd.to_datetime(raw, errors="coerce")
    bad = np.flatnonzero(when.isna().to_numpy())
    if bad.size:
        ids = people["participant_id"].astype(str).to_numpy()
        raise InputError(
            [
                {"table": "participants", "row": ids[r], "participant_id": ids[r],
                 "column": ORDER_COLUMN, "reason": f"must be a date (got {raw.iat[int(r)]!r})"}
                for r in bad
            ]
        )  # fmt: skip
    order = np.argsort(when.to_numpy(dtype="datetime64[ns]"), kind="stable")
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    return pos


def traditional(
    participants: object,
    plan_items: object,
    services: object,
    *,
    pot_eur: float | None = None,
    period_weeks: int = 26,
    team_share: float = 0.5,
    merge: str | RankMerge = "borda",
    errors: str = "raise",
) -> TraditionalResult:
    """Grant services by eligibility, first come first served, until the pot runs out.

    See the module text for the rules. ``pot_eur`` defaults to the sum of ``budget_eur``.

    Examples
    --------
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 20.0}]
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 150.0} for p in ("A", "B")]
    >>> plan = [{"participant_id": p, "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 10} for p in ("A", "B")]
    >>> r = traditional(people, plan, services)
    >>> r
    TraditionalResult(participants=2, pot_eur=300.00, spent_eur=200.00)
    >>> r.items[["participant_id", "units", "reason"]]
      participant_id  units      reason
    0              A     10      funded
    1              B      0  not_funded
    """
    staged = stage(
        participants, plan_items, services, period_weeks=period_weeks, team_share=team_share,
        errors=errors, budget=None, merge=merge, budget_required=pot_eur is None,
        hash_tables=True,
    )  # fmt: skip
    prep, asm = staged.prep, staged.asm
    if pot_eur is None:
        pot = int(prep.budget_cents.sum())
    else:
        ok = isinstance(pot_eur, int | float) and not isinstance(pot_eur, bool)
        if not ok or not np.isfinite(pot_eur) or pot_eur < 0:
            raise InputError.single("arguments", "pot_eur", f"must be >= 0 (got {pot_eur!r})")
        pot = round(float(pot_eur) * 100)
    queue = _queue(prep.participants)
    owner = prep.item_owner
    eligible = prep.upper >= np.maximum(prep.min_units, 1)
    cost = np.where(eligible, prep.upper * prep.price_cents, 0).astype(np.int64)
    walk = np.lexsort((prep.team_rank, queue[owner]))  # queue, then team order
    cum = np.cumsum(cost[walk])
    over = np.flatnonzero(eligible[walk] & (cum > pot))
    stop = int(over[0]) if over.size else walk.shape[0]
    granted = np.zeros(walk.shape[0], dtype=bool)
    granted[walk[:stop]] = eligible[walk[:stop]]
    units = np.where(granted, prep.upper, 0).astype(np.int64)
    batch_units = units[asm.perm]
    value, _, _ = asm.batch.evaluate(batch_units)
    sol = BatchSolution(units=batch_units, value=value, bound=value,
                        proven=np.zeros(asm.batch.n, dtype=bool))  # fmt: skip
    items = item_table(prep, asm, sol)
    people = participant_table(prep, asm, sol, "traditional", items)
    people = people.drop(columns=["bound", "status"])
    people["queue_position"] = queue + 1
    spent = int((units * prep.price_cents).sum())
    record = build_record(
        "traditional",
        {"pot_eur": pot_eur, "period_weeks": int(period_weeks), "team_share": staged.team_share,
         "merge": staged.merge, "errors": errors},
        staged.input_hashes,
        hash_outputs(
            staged.input_texts, items=items, participants=people, rejected=staged.rejected
        ),
        services=services,
    )  # fmt: skip
    return TraditionalResult(
        items,
        people,
        pot / 100.0,
        spent / 100.0,
        staged.rejected,
        record=record,
        service_names=prep.catalogue.names(),
    )
