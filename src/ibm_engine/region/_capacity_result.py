"""The result of ``allocate_region``: the region's tables, who lost what, shadow prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._tolerances import PROVEN_GAP
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.allocation._status import count, rejected_count
from ibm_engine.allocation._tables import REASONS, item_table, participant_table
from ibm_engine.allocation._view import DecidedTogether
from ibm_engine.domain._result import Status
from ibm_engine.region._capacity_explain import (
    RegionParticipantView,
    region_explain,
    region_text,
)
from ibm_engine.region._capacity_lagrange import CapacitySolution, usage
from ibm_engine.region._capacity_neighbours import Arcs, NeighbourUse
from ibm_engine.solve import Batch, BatchSolution
from ibm_engine.tables._problems import REJECTED_COLUMNS

__all__ = ["PROVEN_GAP", "RegionResult", "region_result"]


@dataclass(frozen=True, eq=False)
class RegionResult(DecidedTogether):
    """What :func:`allocate_region` returns.

    Attributes
    ----------
    items, participants : DataFrame
        As :func:`ibm_engine.allocate`'s, plus ``units_uncapacitated`` and ``units_lost`` per
        item (reason ``unavailable`` where a full capacity cut the item) and
        ``value_uncapacitated``, ``coverage_uncapacitated`` and ``coverage_lost`` per
        participant; ``bound`` is the participant's uncapacitated optimum.
    shadow_prices : DataFrame
        Per capacity: municipality, service, capacity_units, demand_units (uncapacitated use),
        used_units and price (objective value of one more unit; NaN for ``method="exact"``).
    lost : DataFrame
        Who lost what to the shortage: one row per item with fewer units than uncapacitated,
        with its reason: ``unavailable`` where a full capacity cut it; other reasons are
        knock-on changes (money moved to a better combination of the participant's items).
    value, bound, gap : float
        Region objective, proven upper bound of the optimum and ``(bound - value) / bound``.
    rejected : DataFrame
        Quarantined input problems (``errors="quarantine"``): participant_id, table, row,
        column, reason; one row per problem (as :attr:`AllocationResult.rejected`).
    record : Record
        What made this result (see ``docs/records.md``).
    """

    _run_kind = "region run"  # what-ifs raise NotApplicableError (DecidedTogether)

    items: pd.DataFrame
    participants: pd.DataFrame
    shadow_prices: pd.DataFrame
    lost: pd.DataFrame
    value: float
    bound: float
    gap: float
    method: str
    weighting: str
    iterations: int
    seconds: float
    objective: str = "sum"
    #: ``objective="maxmin"``: the smallest kept share (coverage / uncapacitated coverage) over
    #: the participants under capacities, and its proven upper bound; NaN otherwise
    min_share: float = float("nan")
    min_share_bound: float = float("nan")
    #: ``budget=formula``: the formula's result (budgets, breakdown, and for a programme pot
    #: its calibration report); None otherwise
    budget_result: Any = None
    #: quarantined input problems (``errors="quarantine"``), as ``AllocationResult.rejected``
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REJECTED_COLUMNS))
    )

    @property
    def status(self) -> Status:
        """``optimal`` when the region's allocation is proven optimal (gap within
        ``PROVEN_GAP``), else ``feasible``."""
        return Status.OPTIMAL if self.gap <= PROVEN_GAP else Status.FEASIBLE

    @property
    def message(self) -> str:
        """The result in one line: participants, method, proven gap, cuts, rejected."""
        cut = int((self.items["reason"].astype(str) == "unavailable").sum())
        gap = "proven optimal" if self.status == Status.OPTIMAL else f"proven gap {self.gap:.3%}"
        return (
            f"{count(len(self.participants), 'participant')} in a region run ({self.method}), "
            f"{gap}; {count(cut, 'item')} cut by full providers; "
            f"{count(rejected_count(self.rejected), 'participant')} rejected"
        )

    def participant(self, participant_id: object) -> RegionParticipantView:
        """One participant: its rows, ``explain()`` and ``text(lang)``; what-ifs raise
        :class:`~ibm_engine.NotApplicableError` in a region run."""
        return RegionParticipantView(self, participant_id)

    def explain(self, participant_id: object) -> pd.DataFrame:
        """Per plan item of one participant: what it got, what it would get alone, and which
        provider was full with its shadow price (see :func:`region_explain`)."""
        return region_explain(self, participant_id)

    def explain_text(self, participant_id: object, language: str = "en") -> str:
        """:meth:`explain` as text, in English (``"en"``) or Latvian (``"lv"``)."""
        return region_text(self, participant_id, language)

    #: what made this result (inputs, parameters, versions) and its output hashes
    record: Any = None
    #: display names of the catalogue's services, code -> (English, Latvian)
    service_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        from ibm_engine.report import region_html  # display only, loaded when shown

        return region_html(self)

    def __repr__(self) -> str:
        return (
            f"RegionResult(method={self.method!r}, participants={len(self.participants)}, "
            f"value={self.value:.6g}, bound={self.bound:.6g}, gap={self.gap:.3g})"
        )


def _neighbour_columns(
    prep: Any, asm: Any, items: pd.DataFrame, parts: pd.DataFrame, use: NeighbourUse, a: Arcs
) -> None:
    """Units bought from a neighbour, its name and the transport (exact cents) per item; the
    transport added to the item's cost and the participant's spend."""
    m = use.units.shape[0]
    extra = np.empty(m, dtype=np.int64)
    extra[asm.perm] = use.extra
    arc = np.empty(m, dtype=np.int64)
    arc[asm.perm] = use.arc
    on = arc >= 0
    transport = np.where(on, extra * a.transport[np.maximum(arc, 0)], 0).astype(np.int64)
    names = a.to_name if a.to_name.shape[0] else np.array([""], dtype=object)
    name = names[np.clip(arc, 0, names.shape[0] - 1)].astype(object)
    name[~on] = None
    items["neighbour_units"] = extra
    items["neighbour_municipality"] = pd.array(name, dtype="string")
    items["transport_eur"] = transport / 100.0
    cost = items["units"].to_numpy() * np.where(prep.row >= 0, prep.price_cents, 0) + transport
    items["cost_eur"] = cost / 100.0
    per = np.bincount(prep.item_owner, weights=transport, minlength=len(parts)).astype(np.int64)
    spent = np.round(parts["spent_eur"].to_numpy() * 100.0).astype(np.int64) + per
    parts["spent_eur"] = spent / 100.0
    parts["left_eur"] = (prep.budget_cents - spent) / 100.0
    parts["transport_eur"] = per / 100.0


def _solution(batch: Batch, units: IntArray) -> BatchSolution:
    value, _, _ = batch.evaluate(units)
    ones = np.ones(batch.n, dtype=bool)
    return BatchSolution(units=units, value=value, bound=value, proven=ones)


def region_result(
    prep: Any,
    asm: Any,
    caps: pd.DataFrame,
    cap_of: IntArray,
    capacity: IntArray,
    sol: CapacitySolution,
    weighting: str,
    objective: str,
    seconds: float,
    near: tuple[NeighbourUse, Arcs] | None = None,
    totals: tuple[IntArray, IntArray] | None = None,
) -> RegionResult:
    """The result of a region run (``totals``: the units used and demanded of each capacity
    by the whole region, when these tables are one partition of it)."""
    batch = asm.batch
    k = capacity.shape[0]
    used = usage(cap_of, sol.units, k)
    if near is not None:  # home units at home, bought units at the neighbour's provider
        used = usage(cap_of, near[0].units, k) + near[0].incoming(near[1], k)
    demand = usage(cap_of, sol.units0, k)
    if totals is not None:
        used, demand = totals
    items = item_table(prep, asm, _solution(batch, sol.units))
    items0 = item_table(prep, asm, _solution(batch, sol.units0))
    cap_row = np.empty(batch.m, dtype=np.int64)
    cap_row[asm.perm] = cap_of
    units = items["units"].to_numpy()
    units0 = items0["units"].to_numpy()
    left = np.concatenate([capacity - used, [1]])  # index k: items without a capacity
    full = left[np.where(cap_row >= 0, cap_row, k)] <= 0
    cut = full & (units < units0)
    codes = np.where(cut, REASONS.index("unavailable"), items["reason"].cat.codes.to_numpy())
    items["units_uncapacitated"] = units0
    items["units_lost"] = units0 - units
    items["reason"] = pd.Categorical.from_codes(codes.astype(np.int8), categories=list(REASONS))  # type: ignore[call-overload]  # stubs reject ndarray codes
    parts = participant_table(prep, asm, _solution(batch, sol.units), "optimal", items)
    parts0 = participant_table(prep, asm, _solution(batch, sol.units0), "optimal", items0)
    if near is not None:
        _neighbour_columns(prep, asm, items, parts, *near)
    proven = sol.gap <= PROVEN_GAP
    parts["bound"] = parts0["value"].to_numpy()
    parts["status"] = pd.Categorical(
        np.full(len(parts), "optimal" if proven else "feasible"), categories=["optimal", "feasible"]
    )
    parts["policy"] = "region"
    parts["value_uncapacitated"] = parts0["value"].to_numpy()
    parts["coverage_uncapacitated"] = parts0["coverage"].to_numpy()
    parts["coverage_lost"] = parts0["coverage"].to_numpy() - parts["coverage"].to_numpy()
    price: FloatArray = sol.price
    shadow = pd.DataFrame(
        {
            "municipality": caps["municipality"].to_numpy(),
            "service": caps["service"].to_numpy(),
            "capacity_units": capacity,
            "demand_units": demand,
            "used_units": used,
            "price": price,
        }
    )
    lost_rows = np.flatnonzero(units < units0)
    owner = prep.item_owner[lost_rows]
    lost = pd.DataFrame(
        {
            "participant_id": prep.participants["participant_id"].to_numpy()[owner],
            "municipality": prep.participants["municipality"].to_numpy()[owner],
            "service": prep.items["service"].to_numpy()[lost_rows],
            "units_uncapacitated": units0[lost_rows],
            "units": units[lost_rows],
            "units_lost": (units0 - units)[lost_rows],
            "reason": items["reason"].to_numpy()[lost_rows],
        }
    )
    return RegionResult(
        items=items,
        participants=parts,
        shadow_prices=shadow,
        lost=lost,
        value=sol.value,
        bound=sol.bound,
        gap=sol.gap,
        method=sol.method,
        weighting=weighting,
        iterations=sol.iterations,
        seconds=seconds,
        objective=objective,
        min_share=sol.min_share,
        min_share_bound=sol.min_share_bound,
    )
