"""A participant's joint service list: :class:`PlanItem` and :class:`Plan`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, ClassVar, Final, Self

import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from ibm_engine.domain._columns import by_name, field, names
from ibm_engine.domain._contract import ITEM_RESULT_COLUMNS, PARTICIPANTS, PLAN_ITEMS
from ibm_engine.domain._participant import Participant
from ibm_engine.domain._service import (
    NoneIfMissing,
    Real,
    Row,
    Text,
    Whole,
    ZeroIfMissing,
    summary_only,
)

PARTICIPANT_COLUMNS: Final = names(PARTICIPANTS)
PLAN_ITEM_COLUMNS: Final = names(PLAN_ITEMS)
_I: Final = by_name(PLAN_ITEMS)


class PlanItem(Row):
    """One service in a participant's joint service list (a ``plan_items`` row).

    The participant is the :class:`Plan`'s, so an item has no ``participant_id``; extra keys
    pass through as extra columns, except names of result columns.

    Examples
    --------
    >>> item = PlanItem(service="physiotherapy", team_rank=1, family_rank=2.0,
    ...                 recommended_units=20, min_units=4)
    >>> item.family_rank, item.max_units, item.weight
    (2, None, None)
    """

    #: the result columns, and the participant's id (the plan's)
    reserved_columns: ClassVar[frozenset[str]] = frozenset({*ITEM_RESULT_COLUMNS, "participant_id"})

    service: Text = field(_I["service"])
    team_rank: Whole = field(_I["team_rank"])
    family_rank: Annotated[Whole | None, NoneIfMissing] = field(_I["family_rank"], None)
    weight: Annotated[Real | None, NoneIfMissing] = field(_I["weight"], None)
    recommended_units: Whole = field(_I["recommended_units"])
    min_units: Annotated[Whole, ZeroIfMissing] = field(_I["min_units"], 0)
    max_units: Annotated[Whole | None, NoneIfMissing] = field(_I["max_units"], None)


def _repeated(values: Iterable[object]) -> list[object]:
    return sorted((v for v, n in Counter(values).items() if n > 1), key=str)


def _frame(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    extra = list(dict.fromkeys(k for r in records for k in r if k not in columns))
    return pd.DataFrame(list(records), columns=[*columns, *extra])


class Plan(BaseModel):
    """A participant and their joint service list.

    Within a plan, ``team_rank`` and ``service`` are unique; ``family_rank`` is given for all
    items or none and is then unique; ``weight`` is given for all items or none.

    Examples
    --------
    >>> plan = Plan(
    ...     participant=Participant(participant_id="P1", target_group="GRT", age=40,
    ...                             municipality="Bauska", budget_eur=900),
    ...     items=[PlanItem(service="psychologist", team_rank=1, recommended_units=10),
    ...            PlanItem(service="day_care", team_rank=2, recommended_units=40)],
    ... )
    >>> participants, plan_items = plan.to_frames()
    >>> plan_items[["participant_id", "service", "team_rank"]].to_dict("records")[1]
    {'participant_id': 'P1', 'service': 'day_care', 'team_rank': 2}
    """

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=summary_only)

    participant: Participant
    items: tuple[PlanItem, ...] = ()

    @model_validator(mode="after")
    def _joint_list(self) -> Self:
        problems = []
        for name in ("service", "team_rank"):
            twice = _repeated(getattr(i, name) for i in self.items)
            if twice:
                problems.append(f"{name} must be unique within a plan; repeated: {twice}")
        for name in ("family_rank", "weight"):
            given = [getattr(i, name) for i in self.items if getattr(i, name) is not None]
            if 0 < len(given) < len(self.items):
                problems.append(
                    f"{name} is given for {len(given)} of {len(self.items)} items: "
                    "give it for all items or none"
                )
        twice = _repeated(i.family_rank for i in self.items if i.family_rank is not None)
        if twice:
            problems.append(f"family_rank must be unique within a plan; repeated: {twice}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def participant_id(self) -> str:
        """The participant's id."""
        return self.participant.participant_id

    def to_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The plan as contract tables: ``(participants, plan_items)``.

        Returns
        -------
        participants : pandas.DataFrame
            One row, the contract's ``participants`` columns, then any extra columns.
        plan_items : pandas.DataFrame
            One row per item in order, the contract's ``plan_items`` columns, then extras.
            Optional whole-number columns use the nullable ``Int64`` dtype.
        """
        p = self.participant
        person = p.model_dump()
        person["budget_eur"] = None if p.budget_eur is None else float(p.budget_eur)
        participants = _frame([person], PARTICIPANT_COLUMNS).astype(_dtypes(Participant))
        records = [{"participant_id": p.participant_id, **i.model_dump()} for i in self.items]
        plan_items = _frame(records, PLAN_ITEM_COLUMNS).astype(_dtypes(PlanItem))
        return participants, plan_items


def _dtypes(model: type[Row]) -> dict[str, str]:
    """The frame dtypes of a row model's number fields, by their specs' kinds: ``float64``;
    whole numbers ``int64``, or ``Int64`` where the field may be None."""
    specs = by_name(PARTICIPANTS if model is Participant else PLAN_ITEMS)
    out = {}
    for name, info in model.model_fields.items():
        kind = specs[name].kind
        if kind in ("float", "money"):
            out[name] = "float64"
        elif kind == "int":
            out[name] = "Int64" if not info.is_required() and info.default is None else "int64"
    return out
