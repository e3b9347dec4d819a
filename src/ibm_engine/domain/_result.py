"""The allocation result of one participant: :class:`ParticipantAllocation` and its items.

The models check the contract's invariants of a result (exact money, units within the upper
bound, a reason that matches the units, value and bound consistent with the status), so a
result that passes them is internally consistent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Self

from pydantic import model_validator

from ibm_engine._tolerances import VALUE_TOL
from ibm_engine.domain._columns import by_name, field
from ibm_engine.domain._contract import (
    ITEM_RESULTS,
    PARTICIPANT_RESULTS,
    PARTICIPANTS,
    PLAN_ITEMS,
    Reason,
    Status,
)
from ibm_engine.domain._service import Money, Real, Row, Text, Whole, is_missing

__all__ = ["VALUE_TOLERANCE", "ItemAllocation", "ParticipantAllocation", "Reason", "Status"]

VALUE_TOLERANCE: Final = VALUE_TOL
"""Absolute (and relative) tolerance when comparing values, as in the contract."""
#: the specs of the result models' fields: the input columns they repeat and the result columns
_I: Final = {**by_name(PLAN_ITEMS), **by_name(ITEM_RESULTS)}
_P: Final = {**by_name(PARTICIPANTS), **by_name(PARTICIPANT_RESULTS)}


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=VALUE_TOLERANCE, abs_tol=VALUE_TOLERANCE)


def _present(row: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """A row as model input: empty cells of model fields are left out (the default applies)."""
    return {k: v for k, v in row.items() if k not in fields or not is_missing(v)}


class ItemAllocation(Row):
    """The result of one plan item (one row of ``result.items``).

    Examples
    --------
    >>> a = ItemAllocation(participant_id="P1", service="psychologist", units=4,
    ...                    unit_price_eur=30, cost_eur=120, weight=0.5, recommended_units=8,
    ...                    upper_units=8, coverage=0.5, reason="partly_funded")
    >>> a.reason is Reason.PARTLY_FUNDED, a.cost_eur
    (True, Decimal('120.00'))
    """

    participant_id: Text = field(_I["participant_id"])
    service: Text = field(_I["service"])
    units: Whole = field(_I["units"])
    # None: no catalogue row applies (not eligible)
    unit_price_eur: Money | None = field(_I["unit_price_eur"], None)
    cost_eur: Money = field(_I["cost_eur"])
    weight: Real = field(_I["weight"])
    recommended_units: Whole = field(_I["recommended_units"])
    upper_units: Whole = field(_I["upper_units"])
    coverage: Real = field(_I["coverage"])
    reason: Reason = field(_I["reason"])

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        u, upper = self.units, self.upper_units
        if self.unit_price_eur is None:
            if self.cost_eur != 0 or u != 0:
                raise ValueError("an item without a unit price gets no units and costs nothing")
        elif self.cost_eur != u * self.unit_price_eur:
            raise ValueError(f"cost_eur {self.cost_eur} is not units x unit_price_eur")
        if u > upper:
            raise ValueError(f"units {u} exceed upper_units {upper}")
        if not _close(self.coverage, u / self.recommended_units):
            raise ValueError(f"coverage {self.coverage} is not units / recommended_units")
        expected = {
            Reason.NOT_ELIGIBLE: u == 0 and upper == 0,
            Reason.CAP_BELOW_MIN: u == 0,
            Reason.FUNDED: 0 < u == upper,
            Reason.PARTLY_FUNDED: 0 < u < upper,
            Reason.NOT_FUNDED: u == 0 < upper,
            Reason.UNAVAILABLE: True,
        }
        if not expected[self.reason]:
            raise ValueError(f"reason {self.reason.value!r} does not fit {u} of {upper} units")
        return self


class ParticipantAllocation(Row):
    """The allocation result of one participant (a ``result.participants`` row and its items).

    ``spent_eur`` is the sum of the items' costs and never exceeds ``budget_eur``;
    ``left_eur`` is what remains; ``value`` is the sum of ``weight * units /
    recommended_units``; ``bound`` is a proven upper bound on the optimal value, equal to
    ``value`` when ``status`` is ``optimal``.

    Examples
    --------
    >>> row = {"participant_id": "P1", "budget_eur": 150.0, "spent_eur": 120.0,
    ...        "left_eur": 30.0, "value": 0.25, "max_value": 0.5, "bound": 0.25,
    ...        "status": "optimal", "policy": "optimal"}
    >>> item = {"participant_id": "P1", "service": "psychologist", "units": 4,
    ...         "unit_price_eur": 30.0, "cost_eur": 120.0, "weight": 0.5,
    ...         "recommended_units": 8, "upper_units": 8, "coverage": 0.5,
    ...         "reason": "partly_funded", "team_rank": 1}
    >>> res = ParticipantAllocation.from_rows(row, [item])
    >>> res.status is Status.OPTIMAL, res.left_eur, res.items[0].extras
    (True, Decimal('30.00'), {'team_rank': 1})
    >>> ParticipantAllocation.model_validate_json(res.model_dump_json()) == res
    True
    """

    participant_id: Text = field(_P["participant_id"])
    budget_eur: Money = field(_P["budget_eur"])
    spent_eur: Money = field(_P["spent_eur"])
    left_eur: Money = field(_P["left_eur"])
    value: Real = field(_P["value"])
    max_value: Real = field(_P["max_value"])
    bound: Real = field(_P["bound"])
    status: Status = field(_P["status"])
    policy: Text = field(_P["policy"])
    items: tuple[ItemAllocation, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = []
        others = sorted({i.participant_id for i in self.items} - {self.participant_id})
        if others:
            problems.append(f"items belong to other participants {others}")
        services = [i.service for i in self.items]
        if len(set(services)) != len(services):
            problems.append("a service appears in more than one item")
        spent = sum((i.cost_eur for i in self.items), Decimal(0))
        if self.spent_eur != spent:
            problems.append(f"spent_eur {self.spent_eur} is not the items' cost {spent}")
        if self.spent_eur > self.budget_eur:
            problems.append(f"spent_eur {self.spent_eur} exceeds budget_eur {self.budget_eur}")
        if self.left_eur != self.budget_eur - self.spent_eur:
            problems.append(f"left_eur {self.left_eur} is not budget_eur - spent_eur")
        value = math.fsum(i.weight * i.units / i.recommended_units for i in self.items)
        if not _close(self.value, value):
            problems.append(f"value {self.value} is not the items' value {value}")
        if self.max_value < self.value and not _close(self.max_value, self.value):
            problems.append(f"max_value {self.max_value} is below value {self.value}")
        if self.bound < self.value and not _close(self.bound, self.value):
            problems.append(f"bound {self.bound} is below value {self.value}")
        if self.status is Status.OPTIMAL and not _close(self.bound, self.value):
            problems.append(f"status optimal but bound {self.bound} != value {self.value}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @classmethod
    def from_rows(
        cls,
        participant_row: Mapping[str, Any],
        item_rows: Sequence[Mapping[str, Any]],
        *,
        policy: str | None = None,
    ) -> ParticipantAllocation:
        """Build the result of one participant from rows of the result tables.

        Parameters
        ----------
        participant_row
            The participant's row of ``result.participants`` (columns named as the fields;
            other columns pass through as extras).
        item_rows
            The participant's rows of ``result.items``, in order.
        policy
            The policy used, when ``participant_row`` has no ``policy`` column.

        Returns
        -------
        ParticipantAllocation

        Raises
        ------
        pydantic.ValidationError
            A row is invalid or the rows are inconsistent (see the class docstring).
        ValueError
            ``policy`` differs from the row's ``policy`` column.
        """
        data = _present(participant_row, cls.model_fields)
        if policy is not None and data.setdefault("policy", policy) != policy:
            raise ValueError(f"policy {policy!r} differs from the row's {data['policy']!r}")
        data["items"] = [_present(r, ItemAllocation.model_fields) for r in item_rows]
        return cls.model_validate(data)

    def to_rows(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The participant's row and its item rows, as plain dicts (inverse of ``from_rows``).

        Examples
        --------
        >>> res = ParticipantAllocation(participant_id="P1", budget_eur=10, spent_eur=0,
        ...                             left_eur=10, value=0, max_value=0, bound=0,
        ...                             status="optimal", policy="priority")
        >>> row, items = res.to_rows()
        >>> row["left_eur"], row["status"], items
        (Decimal('10.00'), <Status.OPTIMAL: 'optimal'>, [])
        """
        row = self.model_dump(exclude={"items"})
        return row, [item.model_dump() for item in self.items]
