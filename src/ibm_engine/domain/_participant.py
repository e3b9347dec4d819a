"""A participant of the individual budget model: :class:`Participant`."""

from __future__ import annotations

from typing import Annotated, ClassVar

from ibm_engine.domain._result import PARTICIPANT_RESULT_COLUMNS
from ibm_engine.domain._service import (
    Age,
    Money,
    NoneIfMissing,
    NonNegative,
    Rank,
    Row,
    TargetGroup,
    Text,
)


class Participant(Row):
    """One person in the programme (one row of the contract's ``participants`` table).

    ``budget_eur`` may be None when a budget formula supplies it later. Extra keys pass through
    as extra columns, except names of result columns (``spent_eur``, ``status``, ...).

    Examples
    --------
    >>> p = Participant(participant_id="P1", target_group="FT", age=7,
    ...                 municipality="Dobele", budget_eur=1200.5, period_weeks=26.0)
    >>> p.budget_eur, p.budget_cents, p.period_weeks
    (Decimal('1200.50'), 120050, 26)
    """

    reserved_columns: ClassVar[frozenset[str]] = PARTICIPANT_RESULT_COLUMNS

    participant_id: Text
    target_group: TargetGroup
    age: Age
    municipality: Text
    budget_eur: Annotated[Money | None, NoneIfMissing] = None
    family_hours_per_week: Annotated[NonNegative | None, NoneIfMissing] = None
    period_weeks: Annotated[Rank | None, NoneIfMissing] = None

    @property
    def budget_cents(self) -> int | None:
        """The budget in whole cents (None while no budget is set)."""
        return None if self.budget_eur is None else int(self.budget_eur * 100)
