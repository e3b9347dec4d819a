"""One participant of a result: its rows, its explanation in words, and its what-ifs.

``result.participant(pid)`` is the one way to ask about a person, for every result type: the
allocation's view answers everything; a region run's view explains (which provider was full)
but its what-ifs raise :class:`~ibm_engine.NotApplicableError`, since capacities tie the
participants together and no one of them can be re-solved alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ibm_engine.allocation._one import canonical_id, position
from ibm_engine.errors import InputError, NotApplicableError

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["DecidedTogether", "ParticipantView", "View", "check_participant"]


def check_participant(result: Any, participant_id: object) -> str:
    """``participant_id`` as text when it is one of ``result.participants``; else an
    InputError saying it was rejected (and where to look) or is unknown."""
    pid = str(participant_id)
    if (result.participants["participant_id"].astype(str) == pid).any():
        return pid
    rejected = result.rejected
    if len(rejected) and (rejected["participant_id"].astype(str) == pid).any():
        why = f"participant {pid!r} was rejected (see result.rejected)"
    else:
        why = f"unknown participant_id {pid!r}: not among the participants"
    raise InputError.single("participants", "participant_id", why, row=pid, participant_id=pid)


class View:
    """What every participant view answers: ``items``, ``row``, ``explain()``, ``text()``;
    the what-ifs raise :class:`NotApplicableError` unless the result type supports them."""

    def __init__(self, result: Any, participant_id: str, kind: str) -> None:
        self._result, self.participant_id, self._kind = result, participant_id, kind

    @property
    def items(self) -> pd.DataFrame:
        """The participant's rows of ``result.items``."""
        items = self._result.items
        mine: pd.DataFrame = items[items["participant_id"].astype(str) == self.participant_id]
        return mine

    @property
    def row(self) -> pd.Series:
        """The participant's row of ``result.participants``."""
        p = self._result.participants
        mine: pd.Series = p[p["participant_id"].astype(str) == self.participant_id].iloc[0]
        return mine

    def explain(self) -> pd.DataFrame:
        """Per plan item: what it got and why."""
        raise NotImplementedError  # every result type has its own

    def text(self, language: str = "en") -> str:
        """:meth:`explain` in words, English (``"en"``) or Latvian (``"lv"``)."""
        raise NotImplementedError

    def _no(self, what: str) -> NotApplicableError:
        return NotApplicableError(
            f"{what} has no meaning for one participant of a {self._kind}: the participants are "
            "solved together; change the inputs and run the whole call again"
        )

    def summary(self) -> dict[str, Any]:
        """Participant-level figures behind the explanation."""
        raise self._no("summary()")

    def waiting_list(self) -> pd.DataFrame:
        """Items not funded in full, with the extra money each needs."""
        raise self._no("waiting_list()")

    def smallest_budget_for(self, service: str) -> float | None:
        """The smallest budget (EUR, exact cents) that funds ``service`` in full."""
        raise self._no("smallest_budget_for()")

    def at_budget_change(self, pct: float | Iterable[float]) -> pd.DataFrame:
        """The participant re-allocated at budgets changed by ``pct`` per cent."""
        raise self._no("at_budget_change()")

    def what_if(
        self,
        changes: Mapping[str, Mapping[str, object]] | None = None,
        *,
        participant: Mapping[str, object] | None = None,
        family_rank: Mapping[str, int] | None = None,
    ) -> pd.DataFrame:
        """The participant re-allocated with a corrected assessment or family ranking."""
        raise self._no("what_if()")

    def _repr_html_(self) -> str:
        from ibm_engine.report import result_html  # display only, loaded when shown

        return result_html(_Tables(self.items, self.row.to_frame().T, self._result.rejected))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.participant_id!r}, {len(self.items)} plan items)"


class DecidedTogether:
    """The result-level what-ifs of a run whose participants are decided together (a region
    run's shared capacities, the traditional mechanism's shared pot): they raise
    :class:`~ibm_engine.NotApplicableError`, as the participants' views do."""

    #: what the run is, in the error message ("region run", ...)
    _run_kind: str = "run"

    def _not_applicable(self, what: str) -> NotApplicableError:
        return NotApplicableError(
            f"{what} has no meaning for a {self._run_kind}: its participants are decided "
            "together, so no one of them can be re-solved alone; change the inputs and run "
            "the whole call again"
        )

    def waiting_list(self, participant_id: object = None) -> pd.DataFrame:
        """Raises :class:`~ibm_engine.NotApplicableError` (see the class)."""
        raise self._not_applicable("waiting_list()")

    def extra_money(self, extra_eur: float, step_eur: float = 100.0, *, lookahead: int = 5) -> Any:
        """Raises :class:`~ibm_engine.NotApplicableError` (see the class)."""
        raise self._not_applicable("extra_money()")


class _Tables:
    """The tables of one participant (the result protocol, for the HTML builder)."""

    def __init__(
        self, items: pd.DataFrame, participants: pd.DataFrame, rejected: pd.DataFrame
    ) -> None:
        self.items, self.participants = items, participants
        self.rejected = rejected.iloc[:0]  # the participant was accepted: none of its own


class ParticipantView(View):
    """One participant of an :class:`~ibm_engine.AllocationResult` (``result.participant``).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 200.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12}]
    >>> p1 = ibm.allocate(people, plan, services).participant("P1")
    >>> p1.explain()["limited_by"].tolist(), p1.smallest_budget_for("physiotherapy")
    (['budget'], 324.0)
    """

    def __init__(self, result: AllocationResult, participant_id: object) -> None:
        p = position(result, participant_id)  # InputError for an unknown or rejected id
        raw = result._solved.prep.participants["participant_id"].iloc[p]
        super().__init__(result, canonical_id(raw), "allocation")

    def explain(self) -> pd.DataFrame:
        from ibm_engine.allocation._explain import explain_frame

        return explain_frame(self._result, self.participant_id)

    def text(self, language: str = "en") -> str:
        from ibm_engine.allocation._explain import explain_text

        return explain_text(self._result, self.participant_id, language)

    def summary(self) -> dict[str, Any]:
        from ibm_engine.allocation._explain import explain_summary

        return explain_summary(self._result, self.participant_id)

    def waiting_list(self) -> pd.DataFrame:
        from ibm_engine.allocation._waiting import waiting_list

        return waiting_list(self._result, self.participant_id)

    def smallest_budget_for(self, service: str) -> float | None:
        from ibm_engine.allocation._smallest_budget import smallest_budget_for

        return smallest_budget_for(self._result, self.participant_id, service)

    def at_budget_change(self, pct: float | Iterable[float]) -> pd.DataFrame:
        from ibm_engine.allocation._counterfactual import at_budget_change

        return at_budget_change(self._result, self.participant_id, pct)

    def what_if(
        self,
        changes: Mapping[str, Mapping[str, object]] | None = None,
        *,
        participant: Mapping[str, object] | None = None,
        family_rank: Mapping[str, int] | None = None,
    ) -> pd.DataFrame:
        """The participant re-allocated as a diff: ``changes`` / ``participant`` correct the
        assessment, ``family_rank`` sets another family ranking (every item ranked); not
        both."""
        from ibm_engine.allocation._counterfactual import with_assessment, with_family_ranking
        from ibm_engine.allocation._variants import argument_error

        if family_rank is not None:
            if changes is not None or participant is not None:
                raise argument_error("family_rank", "give a family ranking or changes, not both")
            return with_family_ranking(self._result, self.participant_id, family_rank)
        return with_assessment(self._result, self.participant_id, changes, participant=participant)
