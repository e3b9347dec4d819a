"""A participant of the individual budget model: :class:`Participant`."""

from __future__ import annotations

from typing import Annotated, ClassVar, Final

from ibm_engine.domain._columns import by_name, field
from ibm_engine.domain._contract import PARTICIPANT_RESULT_COLUMNS, PARTICIPANTS, TargetGroup
from ibm_engine.domain._service import Money, NoneIfMissing, Real, Row, Text, Whole

_P: Final = by_name(PARTICIPANTS)


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

    reserved_columns: ClassVar[frozenset[str]] = frozenset(PARTICIPANT_RESULT_COLUMNS)

    participant_id: Text = field(_P["participant_id"])
    target_group: TargetGroup = field(_P["target_group"])
    age: Whole = field(_P["age"])
    municipality: Text = field(_P["municipality"])
    budget_eur: Annotated[Money | None, NoneIfMissing] = field(_P["budget_eur"], None)
    family_hours_per_week: Annotated[Real | None, NoneIfMissing] = field(
        _P["family_hours_per_week"], None
    )
    period_weeks: Annotated[Whole | None, NoneIfMissing] = field(_P["period_weeks"], None)

    @property
    def budget_cents(self) -> int | None:
        """The budget in whole cents (None while no budget is set)."""
        return None if self.budget_eur is None else int(self.budget_eur * 100)
