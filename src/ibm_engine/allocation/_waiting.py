"""Waiting lists: every participant's items that are not funded in full, in joint-list order,
with the money that would fund each of them next.

All participants are computed at once from the solver's arrays (no loop over participants).
Money is computed in integer cents and shown in EUR. For an item ``i`` that can be funded
(reason ``partly_funded`` or ``not_funded``) of a participant with budget ``B`` and spend ``S``
(``left = B - S``), all other items keeping their units:

- ``cost_to_upper_eur`` = ``(U_i - u_i) * c_i``: the missing units at the unit price;
- ``extra_to_upper_eur`` = ``max(0, (U_i - u_i) * c_i - left)``: that cost beyond the unspent
  money, i.e. the smallest extra budget with which the current allocation plus ``U_i`` units
  of this item is affordable;
- ``extra_to_minimum_eur`` (items at 0 only) = ``max(0, max(m_i, 1) * c_i - left)``: the same for
  the minimum dose;
- ``extra_cumulative_eur`` = ``max(0, sum of cost_to_upper over this item and every fundable
  waiting item above it - left)``: the extra money that funds the waiting list down to this
  item in full. Under ``priority`` a re-allocation with this much more funds this item and all
  above it (when family hours do not bind); under ``optimal`` a re-allocation may spend it
  otherwise (the exact smallest budget is :func:`smallest_budget_for`);
- ``hours_short``: family hours the missing units need beyond the hours left (0 without a
  limit); money alone does not fund an item whose ``hours_short`` is above 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation._one import position
from ibm_engine.allocation._tables import REASONS

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["waiting_list"]

_FUNDED = REASONS.index("funded")
_WAITING = (REASONS.index("partly_funded"), REASONS.index("not_funded"))


def _segment_cumsum(x: IntArray, offsets: IntArray, owner: IntArray) -> IntArray:
    """Running sums of ``x`` restarting at every participant."""
    cs = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(x, out=cs[1:])
    out: IntArray = cs[1:] - cs[offsets[:-1]][owner]
    return out


def _eur(cents: IntArray, where: np.ndarray) -> np.ndarray:
    return np.where(where, cents / 100.0, np.nan)


def _ints(values: IntArray, where: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable integers: NA where ``where`` is False."""
    return pd.arrays.IntegerArray(np.where(where, values, 0).astype(np.int64), mask=~where)


def waiting_list(result: AllocationResult, participant_id: object = None) -> pd.DataFrame:
    """The items not funded in full, in joint-list order, with the money that funds each next.

    Parameters
    ----------
    result : AllocationResult
        What :func:`ibm_engine.allocate` returned.
    participant_id : str, optional
        One accepted participant; ``None`` (default): every participant, in the order of
        ``result.participants``.

    Returns
    -------
    DataFrame
        One row per item with reason ``partly_funded`` or ``not_funded`` (``fundable`` True),
        and per item that money cannot fund (``not_eligible``, ``cap_below_min``,
        ``unavailable``; ``fundable`` False, money columns NaN); funded items are left out.
        Index: the item's row label in ``result.items``. Columns: ``participant_id``,
        ``position`` (1 = top of the joint list), ``waiting_rank`` (1, 2, ... over the
        fundable rows of a participant), ``service``, ``unit``, ``reason``, ``fundable``,
        ``recommended_units``, ``upper_units`` (U), ``units``, ``missing_units`` (U - units),
        ``unit_price_eur``, ``cost_to_upper_eur``, ``minimum_units`` and
        ``cost_to_minimum_eur`` (items at 0: the minimum dose ``max(min_units, 1)`` and its
        cost), ``left_eur`` (the participant's unspent money), ``extra_to_upper_eur``,
        ``extra_to_minimum_eur``, ``extra_cumulative_eur`` and ``hours_short``, as defined in
        the module docstring. Money is exact to the cent.

    Raises
    ------
    InputError
        ``participant_id`` is unknown or was rejected.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
    ...             {"service": "music_therapy", "unit": "session", "unit_price_eur": 30.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10},
    ...         {"participant_id": "P1", "service": "music_therapy", "team_rank": 3,
    ...          "recommended_units": 6, "min_units": 4}]
    >>> r = ibm.allocate(people, plan, services, policy="priority")
    >>> w = waiting_list(r, "P1")
    >>> w[["service", "units", "missing_units", "left_eur", "extra_to_upper_eur"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                service  units  missing_units  left_eur  extra_to_upper_eur
    item
    1      psychologist      5              5       1.0               174.0
    2     music_therapy      0              6       1.0               179.0
    >>> w["extra_cumulative_eur"].tolist()  # 175.00 + 180.00 - 1.00 for music therapy
    [174.0, 354.0]
    >>> w["extra_to_minimum_eur"].tolist()  # 4 sessions at 30.00 EUR, 1.00 EUR left
    [nan, 119.0]
    """
    prep, asm, sol = result._solved.prep, result._solved.asm, result._solved.sol
    batch = asm.batch
    owner, offsets, rows = batch.owner, batch.offsets, asm.perm
    units, upper, lower, cost = sol.units, batch.upper, batch.lower, batch.cost
    _, spent, used = batch.evaluate(units)
    left = (batch.budget - spent)[owner]
    hours_left = (batch.hours_cap - used)[owner]
    code = result.items["reason"].cat.codes.to_numpy()[rows]
    fundable = np.isin(code, _WAITING)
    at_zero = fundable & (units == 0)
    missing = np.where(fundable, upper - units, 0)
    to_upper = missing * cost
    to_min = np.where(at_zero, lower * cost, 0)
    cumulative = _segment_cumsum(to_upper, offsets, owner)
    with np.errstate(invalid="ignore"):  # inf - inf where hours are not limited
        short = np.where(
            np.isfinite(hours_left), np.maximum(missing * batch.hours - hours_left, 0.0), 0.0
        )
    keep = code != _FUNDED
    if participant_id is not None:
        keep &= owner == position(result, participant_id)
    frame = pd.DataFrame(
        {
            "participant_id": prep.participants["participant_id"].to_numpy()[owner],
            "position": np.arange(batch.m, dtype=np.int64) - offsets[owner] + 1,
            "waiting_rank": _ints(
                _segment_cumsum(fundable.astype(np.int64), offsets, owner), fundable
            ),
            "service": result.items["service"].to_numpy()[rows],
            "unit": result.items["unit"].array[rows],
            "reason": result.items["reason"].array[rows],
            "fundable": fundable,
            "recommended_units": prep.recommended[rows],
            "upper_units": upper,
            "units": units,
            "missing_units": _ints(missing, fundable),
            "unit_price_eur": result.items["unit_price_eur"].to_numpy()[rows],
            "cost_to_upper_eur": _eur(to_upper, fundable),
            "minimum_units": _ints(lower, at_zero),
            "cost_to_minimum_eur": _eur(to_min, at_zero),
            "left_eur": left / 100.0,
            "extra_to_upper_eur": _eur(np.maximum(to_upper - left, 0), fundable),
            "extra_to_minimum_eur": _eur(np.maximum(to_min - left, 0), at_zero),
            "extra_cumulative_eur": _eur(np.maximum(cumulative - left, 0), fundable),
            "hours_short": np.where(fundable, short, np.nan),
        },
        index=pd.Index(result.items.index[rows], name="item"),
    )
    return frame.iloc[np.flatnonzero(keep)]
