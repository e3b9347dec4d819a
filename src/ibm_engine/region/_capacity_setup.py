"""What ``allocate_region`` (and its Dask twin, ``ibm.allocate_region_dataset``) makes of the
staged tables before solving: the arguments checked, the batch in the objective's scale and in
``participant_id`` order, each item's capacity, the record's parameters."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation._pipeline import Staged
from ibm_engine.errors import InputError
from ibm_engine.region._capacity_colgen import solve_colgen
from ibm_engine.region._capacity_input import problem
from ibm_engine.region._capacity_milp import solve_exact
from ibm_engine.region._capacity_weights import participant_weights
from ibm_engine.solve import Batch

__all__ = [
    "AGGREGATE_ABOVE",
    "EXACT_SECONDS",
    "MASTERS",
    "METHODS",
    "OBJECTIVES",
    "WEIGHTINGS",
    "Arrays",
    "arg_error",
    "back_to_batch",
    "check_arguments",
    "region_arrays",
    "region_parameters",
]

WEIGHTINGS = ("coverage", "value")
OBJECTIVES = ("sum", "maxmin")
METHODS = ("decomposition", "subgradient", "auto", "exact")
MASTERS = ("auto", "participants", "aggregate")
#: time limit of each MILP of ``method="exact"`` (its default)
EXACT_SECONDS = float(inspect.signature(solve_exact).parameters["time_limit"].default)
#: ``master="auto"``: the aggregated master above this many participants under capacities
AGGREGATE_ABOVE = int(inspect.signature(solve_colgen).parameters["aggregate_above"].default)


def arg_error(column: str, reason: str) -> InputError:
    return InputError([problem(None, column, reason, table="arguments")])


def check_arguments(
    weighting: str, method: str, objective: str, master: str, max_iter: object
) -> None:
    """Every argument of a region run that is one of a few words, or a count."""
    if weighting not in WEIGHTINGS:
        raise arg_error("weighting", f"must be one of {', '.join(WEIGHTINGS)}")
    if method not in METHODS:
        raise arg_error("method", f"must be one of {', '.join(METHODS)}")
    if objective not in OBJECTIVES:
        raise arg_error("objective", f"must be one of {', '.join(OBJECTIVES)}")
    if objective == "maxmin" and method not in ("decomposition", "auto"):
        raise arg_error("objective", "maxmin needs method 'decomposition' or 'auto'")
    if master not in MASTERS:
        raise arg_error("master", f"must be one of {', '.join(MASTERS)}")
    if master == "aggregate" and objective == "maxmin":
        raise arg_error("master", "maxmin needs the per-participant master")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 0:
        raise arg_error("max_iter", "must be an integer >= 0")


def _scaled(batch: Batch, weighting: str) -> Batch:
    """Values divided by each participant's max_value (coverage) or kept (value)."""
    if weighting == "value":
        return batch
    full = np.where(batch.fundable, batch.value * batch.upper, 0.0)
    max_value = np.bincount(batch.owner, weights=full, minlength=batch.n)
    scale = np.where(max_value > 0, max_value, 1.0)
    return replace(batch, value=batch.value / scale[batch.owner])


def _cap_index(muni: np.ndarray, service: np.ndarray, caps: pd.DataFrame) -> IntArray:
    keys = pd.MultiIndex.from_arrays([caps["municipality"], caps["service"]])
    probe = pd.MultiIndex.from_arrays([muni, service])
    out: IntArray = np.asarray(keys.get_indexer(probe), dtype=np.int64)
    return out


@dataclass(frozen=True, eq=False)
class Arrays:
    """The region's problem: ``batch`` (objective's scale, ``participant_id`` order) with
    ``cap_of`` per item, its ``ids``; ``at`` maps its items back to the staged batch's order;
    ``cap_of_staged`` per item in that order; capacities and their groups (municipalities)."""

    batch: Batch
    cap_of: IntArray
    ids: np.ndarray
    at: IntArray
    cap_of_staged: IntArray
    capacity: IntArray
    group: IntArray


def region_arrays(staged: Staged, caps: pd.DataFrame, weighting: str, weights: object) -> Arrays:
    """The staged tables as the region's problem (see :class:`Arrays`)."""
    prep, asm = staged.prep, staged.asm
    batch = _scaled(asm.batch, weighting)
    muni = prep.participants["municipality"].astype(str).str.strip().to_numpy()[batch.owner]
    service = prep.items["service"].astype(str).str.strip().to_numpy()[asm.perm]
    cap_of = _cap_index(muni, service, caps)
    if weights is not None:
        w = participant_weights(prep.participants, weights)
        batch = replace(batch, value=batch.value * w[batch.owner])
    # solve in participant_id order: the answer does not depend on the tables' row order, and
    # ties between participants go to the one whose id sorts first
    ids = prep.participants["participant_id"].astype(str).to_numpy()
    order = np.argsort(ids, kind="stable").astype(np.int64)
    at = batch.item_index(order)
    return Arrays(
        batch.subset(order),
        cap_of[at],
        ids[order],
        at,
        cap_of,
        caps["units"].to_numpy(dtype=np.int64),
        pd.factorize(caps["municipality"])[0].astype(np.int64),
    )


def region_parameters(team_share: float, merge: object, **given: Any) -> dict[str, Any]:
    """The record's parameters of a region run (the staged team share and merge, and the
    call's other arguments)."""
    return {
        "period_weeks": int(given["period_weeks"]),
        "team_share": team_share,
        "weighting": given["weighting"],
        "method": given["method"],
        "max_iter": given["max_iter"],
        "rel_gap": float(given["rel_gap"]),
        "milp_seconds": float(given["milp_seconds"]),
        "exact_milp_seconds": EXACT_SECONDS,
        "master": given["master"],
        "aggregate_above": AGGREGATE_ABOVE,
        "weights": given["weights"],
        "objective": given["objective"],
        "budget": given["budget"],
        "errors": given["errors"],
        "merge": merge,
    }


def back_to_batch(values: IntArray, at: IntArray) -> IntArray:
    """Item values solved in participant_id order, back in the staged batch's order (``at``:
    each solved item's place in the batch)."""
    out = np.empty_like(values)
    out[at] = values
    return out
