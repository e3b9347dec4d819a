"""Neighbouring municipalities' providers at a transport cost (an option of ``allocate_region``).

A ``neighbours`` table (municipality, neighbour, transport_eur per unit) lets the participants of
a municipality whose provider of a service is full buy units of that service from a neighbour's
provider, paying the unit price plus the transport from their own budget. After the region
allocation, each item cut by a full capacity is offered the neighbour with room (or without a
capacity row for the service) at the lowest transport cost; the participants concerned re-solve
exactly with those extra units (a copy of the item at the higher price, its own minimum dose)
and are accepted one by one, largest gain first, while the neighbours' room lasts.

The proven bound covers the problem with neighbours: at the capacity prices found, every unit
is priced at the cheapest capacity that could serve it and transport is left out, a
relaxation, so the Lagrangian bound stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from ibm_engine._tolerances import DIVISOR_FLOOR, NOISE_TOL, STEP_MIN_NEIGHBOURS
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.errors import InputError
from ibm_engine.region._capacity_lagrange import priced, usage
from ibm_engine.solve import Batch, solve_optimal
from ibm_engine.tables import ColumnSpec
from ibm_engine.tables._columns import as_frame, check_columns
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._sources import file_sources

__all__ = [
    "NEIGHBOUR_COLUMNS",
    "Arcs",
    "NeighbourUse",
    "arcs",
    "neighbour_bound",
    "read_neighbours",
    "use_neighbours",
]

#: the neighbours table's columns, defined once (validation reads these specs)
NEIGHBOURS: Final = (
    ColumnSpec("municipality", "text", True, description="the participants' municipality"),
    ColumnSpec(
        "neighbour", "text", True, description="a municipality whose providers may serve them"
    ),
    ColumnSpec(
        "transport_eur",
        "money",
        True,
        ge=0,
        unit="EUR",
        description="transport per unit bought there, paid from the budget",
    ),
)
NEIGHBOUR_COLUMNS = tuple(spec.name for spec in NEIGHBOURS)


def read_neighbours(neighbours: object) -> pd.DataFrame:
    """Validate the neighbours table; every problem is reported (1-based rows).

    Returns ``municipality``, ``neighbour`` (text) and ``transport_cents`` (int64 >= 0).

    Examples
    --------
    >>> read_neighbours([{"municipality": "Dobele", "neighbour": "Jelgava city",
    ...                   "transport_eur": 4.5}])
      municipality     neighbour  transport_cents
    0       Dobele  Jelgava city              450
    >>> try:
    ...     read_neighbours([{"municipality": "Dobele", "neighbour": "Dobele",
    ...                       "transport_eur": 4.555}])
    ... except InputError as err:
    ...     for reason in err.problems["reason"]:
    ...         print(reason)
    must differ from municipality
    must be a finite amount in EUR with whole cents (got 4.555)
    """
    df = as_frame(neighbours, "neighbours").reset_index(drop=True)
    log = ProblemLog(sources=file_sources(neighbours=neighbours))
    cols = check_columns(df, "neighbours", NEIGHBOURS, log, None, attributable=False)
    text = {
        c: df[c].map(lambda x: x.strip() if isinstance(x, str) else x).to_numpy(dtype=object)
        for c in ("municipality", "neighbour")
        if c in df.columns
    }
    if len(text) == 2:
        pairs = pd.DataFrame({c: pd.Series(v, dtype=object).astype(str) for c, v in text.items()})
        named = pairs["municipality"].str.strip().ne("").to_numpy()
        same = (pairs["municipality"] == pairs["neighbour"]).to_numpy() & named
        log.add_rows("neighbours", "neighbour", same, "must differ from municipality", None,
                     attributable=False)  # fmt: skip
        dup = pairs.duplicated(keep=False).to_numpy()
        log.add_rows("neighbours", "neighbour", dup, "(municipality, neighbour) is not unique",
                     None, attributable=False)  # fmt: skip
    if log:
        problems = sorted(
            log.records,
            key=lambda p: (p["row"] or 0, NEIGHBOUR_COLUMNS.index(p["column"])),
        )
        raise InputError(problems)
    return pd.DataFrame(
        {
            "municipality": text["municipality"].astype(str),
            "neighbour": text["neighbour"].astype(str),
            "transport_cents": np.asarray(cols["transport_eur"].values, dtype=np.int64),
        }
    )


@dataclass(frozen=True)
class Arcs:
    """Per arc: the capacity it relieves, the neighbour's capacity (-1: no row there, not
    limited), the transport per unit in cents and the neighbour's name."""

    cap_from: IntArray
    cap_to: IntArray
    transport: IntArray
    to_name: np.ndarray


def arcs(caps: pd.DataFrame, neighbours: pd.DataFrame) -> Arcs:
    """Every (capacity of M for service s, neighbour N of M) pair: N's capacity for s."""
    cap = caps.reset_index(drop=True).assign(cap_from=np.arange(len(caps)))
    joined = cap.merge(neighbours, on="municipality", how="inner", sort=False)
    key = pd.MultiIndex.from_arrays([caps["municipality"], caps["service"]])
    probe = pd.MultiIndex.from_arrays([joined["neighbour"], joined["service"]])
    order = np.lexsort((joined["neighbour"].to_numpy(), joined["cap_from"].to_numpy()))
    joined = joined.iloc[order]
    return Arcs(
        cap_from=joined["cap_from"].to_numpy(dtype=np.int64),
        cap_to=np.asarray(key.get_indexer(probe[order]), dtype=np.int64),
        transport=joined["transport_cents"].to_numpy(dtype=np.int64),
        to_name=joined["neighbour"].to_numpy(dtype=object),
    )


@dataclass(frozen=True)
class NeighbourUse:
    """Home units and units bought from a neighbour per batch item (``arc`` -1: none)."""

    units: IntArray
    extra: IntArray
    arc: IntArray

    def incoming(self, a: Arcs, k: int) -> IntArray:
        """Units each capacity serves for its neighbours' participants."""
        on = self.arc >= 0
        to = a.cap_to[self.arc[on]]
        lim = to >= 0
        out: IntArray = np.bincount(to[lim], weights=self.extra[on][lim], minlength=k).astype(
            np.int64
        )
        return out


def _best_arcs(a: Arcs, room: IntArray, k: int) -> IntArray:
    """Per capacity: the arc with room (or to a service without a capacity row) with the
    lowest transport (ties: the neighbour first in name order); -1 if none."""
    ok = (a.cap_to < 0) | (room[np.maximum(a.cap_to, 0)] > 0)
    idx = np.flatnonzero(ok)
    idx = idx[np.lexsort((idx, a.transport[idx], a.cap_from[idx]))]
    best = np.full(k, -1, dtype=np.int64)
    first = np.r_[True, a.cap_from[idx][1:] != a.cap_from[idx][:-1]] if idx.size else idx > 0
    best[a.cap_from[idx][first]] = idx[first]
    return best


def use_neighbours(
    batch: Batch, cap_of: IntArray, capacity: IntArray, units: IntArray, a: Arcs
) -> NeighbourUse:
    """Offer neighbours' room to the items cut by a full capacity (see module)."""
    k = capacity.shape[0]
    none = NeighbourUse(units, np.zeros_like(units), np.full(units.shape[0], -1, np.int64))
    if k == 0 or a.cap_from.shape[0] == 0:
        return none
    room = capacity - usage(cap_of, units, k)
    best = _best_arcs(a, room, k)
    on = cap_of >= 0
    arc = np.where(on, best[np.maximum(cap_of, 0)], -1)
    full = on & (room[np.maximum(cap_of, 0)] <= 0)
    copy = np.flatnonzero(full & (arc >= 0) & batch.fundable & (units < batch.upper))
    if copy.shape[0] == 0:
        return none
    owner = batch.owner
    part = np.unique(owner[copy])
    pos = np.full(batch.n, -1, dtype=np.int64)
    pos[part] = np.arange(part.shape[0])
    orig = batch.item_index(part)
    items = np.concatenate([orig, copy])
    is_copy = np.r_[np.zeros(orig.shape[0], np.int64), np.ones(copy.shape[0], np.int64)]
    order = np.lexsort((np.arange(items.shape[0]), is_copy, pos[owner[items]]))
    items, is_copy = items[order], is_copy[order].astype(bool)
    counts = np.bincount(pos[owner[items]], minlength=part.shape[0])
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
    home_room = np.where(on[items], np.maximum(room[np.maximum(cap_of[items], 0)], 0), 0)
    upper = np.where(
        is_copy,
        batch.upper[items] - units[items],
        np.where(
            on[items], np.minimum(batch.upper[items], units[items] + home_room), batch.upper[items]
        ),
    )
    cost = batch.cost[items] + np.where(is_copy, a.transport[np.maximum(arc[items], 0)], 0)
    ext = Batch(
        offsets=offsets,
        cost=cost.astype(np.int64),
        value=batch.value[items],
        lower=batch.lower[items],
        upper=upper.astype(np.int64),
        hours=batch.hours[items],
        budget=batch.budget[part],
        hours_cap=batch.hours_cap[part],
    )
    sol = solve_optimal(ext)
    old = np.bincount(
        pos[owner[orig]], weights=batch.value[orig] * units[orig], minlength=part.shape[0]
    )
    gain = sol.value - old
    new_units, extra = units.copy(), np.zeros_like(units)
    for j in np.lexsort((np.arange(part.shape[0]), -gain)).tolist():
        if gain[j] <= NOISE_TOL:
            break
        sl = slice(int(offsets[j]), int(offsets[j + 1]))
        it, cp, u = items[sl], is_copy[sl], sol.units[sl]
        home = usage(cap_of[it[~cp]], u[~cp] - units[it[~cp]], k)
        to = a.cap_to[arc[it[cp]]]
        lim = to >= 0
        away = np.bincount(to[lim], weights=u[cp][lim], minlength=k).astype(np.int64)
        if np.all(home + away <= room):
            room = room - home - away
            new_units[it[~cp]] = u[~cp]
            extra[it[cp]] = u[cp]
    return NeighbourUse(new_units, extra, np.where(extra > 0, arc, -1))


def neighbour_bound(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    price: FloatArray,
    a: Arcs,
    value: float,
    *,
    max_iter: int = 30,
    rel_gap: float = 1e-3,
) -> float:
    """The Lagrangian bound with neighbours (see module), from ``price`` on improved by
    projected subgradient steps towards the feasible ``value``: each capacitated unit is priced
    at the cheapest capacity that could serve it (an arc to a service without a capacity row
    costs nothing) and transport is left out."""
    k = capacity.shape[0]
    if k == 0:
        return float(solve_optimal(batch).bound.sum())
    cap_f = capacity.astype(np.float64)
    price = np.nan_to_num(price, nan=0.0)
    best = np.inf
    theta = 1.0
    for _ in range(max(max_iter, 1)):
        cheapest, serves = price.copy(), np.arange(k, dtype=np.int64)
        for j in range(a.cap_from.shape[0]):  # arcs are few (capacities x neighbours)
            c, t = int(a.cap_from[j]), int(a.cap_to[j])
            via = price[t] if t >= 0 else 0.0
            if via < cheapest[c]:
                cheapest[c], serves[c] = via, t
        sol = solve_optimal(priced(batch, cap_of, cheapest))
        dual = float(sol.bound.sum() + np.dot(price, cap_f))
        if dual < best - NOISE_TOL:
            best = dual
        else:
            theta /= 2.0
        if best - value <= rel_gap * max(best, DIVISOR_FLOOR) or theta < STEP_MIN_NEIGHBOURS:
            break
        on = cap_of >= 0
        to = serves[np.maximum(cap_of, 0)]
        used = on & (to >= 0)
        load = np.bincount(to[used], weights=sol.units[used], minlength=k)
        g = cap_f - load
        norm = float(np.dot(g, g))
        if norm <= 0:
            break
        price = np.maximum(0.0, price - theta * (dual - value) / norm * g)
    return best
