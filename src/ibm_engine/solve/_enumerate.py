"""Exact search by reduced-cost enumeration, vectorised over participants.

With multipliers and their bound ``L`` (see ``_bound``) and an incumbent of value ``z``, every
allocation worth at least ``z`` lies in the region ``sum_i |rc_i| |u_i - u*_i| <= L - z``.
The items of a participant are decided one at a time (largest ``|rc|`` first, so the region
is narrow early); the last item is set in closed form (the most units that still fit, since an
item's value only grows with its units). All participants advance together, level by level, as
one frontier of numpy arrays. Every allocation that could beat the incumbent is visited, so the
best leaf is a proven optimum; ties within the contract's tolerance are broken by the largest
units in joint-list order (content, never row position).

A participant whose frontier grows beyond ``node_cap`` is left unproven for a stronger method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import HOURS_TOL, SEARCH_HOURS_SLACK, SEARCH_VALUE_REL_TOL, VALUE_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.solve._batch import Batch
from ibm_engine.solve._bound import Multipliers, single_resource_duals
from ibm_engine.solve._frontier import (
    children,
    hours_free,
    suffix_sum,
    suffix_sum_f,
    top_per_participant,
    undominated,
)
from ibm_engine.solve._greedy import most_units
from ibm_engine.solve._pair_bounds import PairBounds
from ibm_engine.solve._suffix_lp import SuffixLP

__all__ = ["EnumerationResult", "enumerate_optimum"]


@dataclass(frozen=True, eq=False)
class EnumerationResult:
    """Units of the best allocation found and whether it is proven optimal."""

    units: IntArray
    proven: BoolArray


@dataclass(eq=False)
class _Tree:
    """The search tree kept for backtracking: per level, parent index, units and item."""

    parent: list[IntArray]
    units: list[IntArray]
    item: list[IntArray]


@dataclass(frozen=True, eq=False)
class _Leaves:
    level: IntArray  # level of the node in the tree (-1: root)
    node: IntArray  # index in that level (or participant for the root)
    owner: IntArray
    value: FloatArray
    last_item: IntArray  # -1 when there is none
    last_units: IntArray


def enumerate_optimum(
    batch: Batch,
    mult: Multipliers,
    incumbent: IntArray,
    incumbent_value: FloatArray,
    node_cap: int,
    frontier_cap: int,
    beam: bool = False,
    strong: bool = True,
) -> EnumerationResult:
    """Search every allocation that could beat the incumbent; see the module docstring.

    With ``beam``, a participant whose frontier passes ``node_cap`` keeps its ``node_cap``
    nodes with the highest LP bound instead of being given up: the search becomes a
    heuristic (nothing is proven for it) that finds good incumbents for a later exact pass.
    Without ``strong`` the search uses only the root multipliers (no grid of multipliers, no
    suffix LPs, no dominance): cheaper per node, enough for most participants.
    """
    n = batch.n
    owner = batch.owner
    fund = batch.fundable
    rc = mult.rc
    a = np.abs(rc)
    ustar = np.where(rc > 0, batch.upper, 0)
    tol = VALUE_TOL + SEARCH_VALUE_REL_TOL * np.abs(mult.bound)
    delta = np.maximum(mult.bound - incumbent_value, 0.0) + tol

    # decision order per participant: fundable items by |rc| descending, item index ascending
    lumpy = batch.lower > 1
    order = np.lexsort((np.arange(batch.m), -a, ~lumpy, ~fund, owner))
    nf = np.bincount(owner, weights=fund, minlength=n).astype(np.int64)
    starts = batch.offsets[:-1]
    n_levels = np.maximum(nf - 1, 0)  # enumerated levels; the last fundable item is closed form

    # smallest units of each item anywhere in the region (for money / hours pruning)
    with np.errstate(divide="ignore", invalid="ignore"):
        dstat = np.where(a > 0, np.floor(delta[owner] / np.where(a > 0, a, 1.0)), np.inf)
    dstat = np.minimum(dstat, batch.upper.astype(np.float64)).astype(np.int64)
    umin = np.where(
        (rc > 0) & (dstat < batch.upper), np.maximum(batch.lower, batch.upper - dstat), 0
    )
    umin = np.where(fund, umin, 0)
    rest_cost = suffix_sum((batch.cost * umin)[order], batch.offsets)
    rest_hrs = suffix_sum_f((batch.hours * umin)[order], batch.offsets)

    capped = np.isfinite(batch.hours_cap)
    lp_money = (
        SuffixLP.build(order, starts, nf, batch.cost.astype(np.float64), batch.value, batch.upper)
        if strong
        else None
    )
    lp_hours = (
        SuffixLP.build(
            order, starts, np.where(capped, nf, 0), batch.hours, batch.value, batch.upper
        )
        if strong and capped.any()
        else None
    )
    lam_b, mu_h = single_resource_duals(batch, owner)
    pairs = PairBounds.build(
        order,
        batch.offsets,
        batch.value,
        batch.cost.astype(np.float64),
        batch.hours,
        batch.upper,
        fund,
        mult.lam,
        mult.mu,
        lam_b,
        mu_h,
        grid=strong,
    )
    floor_val = incumbent_value - tol - SEARCH_VALUE_REL_TOL * np.abs(incumbent_value)
    hcap = batch.hours_cap + HOURS_TOL
    no_hours = ~np.isfinite(batch.hours_cap) | (rest_hrs[starts] == 0) & (nf == 0)
    no_hours = no_hours | hours_free(batch, owner, n)
    root_ok = (rest_cost[starts] <= batch.budget) & (rest_hrs[starts] <= hcap + SEARCH_HOURS_SLACK)
    overflow = ~root_ok
    truncated = np.zeros(n, dtype=bool)
    node_p = np.flatnonzero(root_ok).astype(np.int64)
    ids = node_p.copy()  # index of each frontier node in its level's stored arrays
    pen = np.zeros(node_p.shape[0])
    cost = np.zeros(node_p.shape[0], dtype=np.int64)
    hrs = np.zeros(node_p.shape[0])
    val = np.zeros(node_p.shape[0])
    tree = _Tree([], [], [])
    leaves: list[_Leaves] = []
    k = 0
    while node_p.shape[0]:
        done = n_levels[node_p] <= k
        if done.any():
            leaves.append(
                _finish(
                    batch,
                    k - 1,
                    ids[done],
                    node_p[done],
                    cost[done],
                    hrs[done],
                    val[done],
                    order,
                    nf,
                )
            )
            act = ~done
            node_p, ids, pen, cost, hrs, val = (
                node_p[act],
                ids[act],
                pen[act],
                cost[act],
                hrs[act],
                val[act],
            )
        if not node_p.shape[0]:
            break
        pos = starts[node_p] + k
        j = order[pos]
        aj, uj, lo, cj, hj = a[j], batch.upper[j], batch.lower[j], batch.cost[j], batch.hours[j]
        up_star = rc[j] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            dm = np.where(
                aj > 0, np.floor((delta[node_p] - pen) / np.where(aj > 0, aj, 1.0)), np.inf
            )
        dmax = np.minimum(np.maximum(dm, -1.0), uj.astype(np.float64)).astype(np.int64)
        money = batch.budget[node_p] - cost - rest_cost[pos + 1]
        cap_m = np.where(cj > 0, money // np.maximum(cj, 1), uj)
        room = hcap[node_p] - hrs - rest_hrs[pos + 1] + SEARCH_HOURS_SLACK
        with np.errstate(divide="ignore", invalid="ignore"):
            cap_h = np.where(
                hj > 0, np.floor(np.minimum(room / np.where(hj > 0, hj, 1.0), 2.0**60)), 2.0**60
            )
        cap = np.minimum(np.minimum(cap_m, cap_h.astype(np.int64)), uj)
        r_lo = np.where(up_star, np.maximum(lo, uj - dmax), lo)
        r_hi = np.where(up_star, cap, np.minimum(cap, dmax))
        zero = np.where(up_star, dmax >= uj, True)
        p_lo, p_hi, p_zero = pairs.unit_range(
            node_p,
            k,
            j,
            val,
            (batch.budget[node_p] - cost).astype(np.float64),
            hcap[node_p] - hrs,
            floor_val[node_p],
            batch.value,
            batch.cost,
            batch.hours,
        )
        r_lo = np.maximum(r_lo, p_lo)
        r_hi = np.minimum(r_hi, p_hi)
        zero &= p_zero
        n_rng = np.maximum(r_hi - r_lo + 1, 0)
        par, off = children(n_rng + zero)
        u = np.where(off < n_rng[par], r_hi[par] - off, 0)
        jj = j[par]
        node_p = node_p[par]
        pen = pen[par] + a[jj] * np.abs(u - ustar[jj])
        cost = cost[par] + batch.cost[jj] * u
        hrs = hrs[par] + batch.hours[jj] * u
        val = val[par] + batch.value[jj] * u
        parent = ids[par]
        keep = (
            undominated(node_p, cost, hrs, val, no_hours)
            if strong
            else np.ones(node_p.shape[0], dtype=bool)
        )
        s_next = np.full(node_p.shape[0], k + 1, dtype=np.int64)
        money_left = (batch.budget[node_p] - cost).astype(np.float64)
        ub = (
            np.full(node_p.shape[0], np.inf)
            if lp_money is None
            else val + lp_money.bound(node_p, s_next, money_left, nf)
        )
        if lp_hours is not None:
            hp = capped[node_p]
            if hp.any():
                ub_h = val[hp] + lp_hours.bound(
                    node_p[hp], s_next[hp], hcap[node_p[hp]] - hrs[hp], np.where(capped, nf, 0)
                )
                ub[hp] = np.minimum(ub[hp], ub_h)
        keep &= ub >= floor_val[node_p]
        if not keep.all():
            node_p, pen, cost, hrs, val = node_p[keep], pen[keep], cost[keep], hrs[keep], val[keep]
            parent, u, jj, ub = parent[keep], u[keep], jj[keep], ub[keep]
        cnt = np.bincount(node_p, minlength=n)
        big = cnt > node_cap
        total = int(cnt.sum())
        if total > frontier_cap:
            desc = np.sort(cnt)[::-1]
            cut = int(np.searchsorted(np.cumsum(desc), frontier_cap))
            big |= cnt >= max(int(desc[min(cut, desc.shape[0] - 1)]), 1)
        if beam and big.any():
            truncated |= big
            keep = top_per_participant(node_p, ub, node_cap) | ~big[node_p]
            node_p, pen, cost, hrs, val = node_p[keep], pen[keep], cost[keep], hrs[keep], val[keep]
            parent, u, jj = parent[keep], u[keep], jj[keep]
        elif big.any():
            overflow |= big
            keep = ~big[node_p]
            node_p, pen, cost, hrs, val = node_p[keep], pen[keep], cost[keep], hrs[keep], val[keep]
            parent, u, jj = parent[keep], u[keep], jj[keep]
        tree.parent.append(parent)
        tree.units.append(u)
        tree.item.append(jj)
        ids = np.arange(node_p.shape[0], dtype=np.int64)
        k += 1
    return _select(batch, leaves, tree, incumbent, incumbent_value, overflow, truncated)


def _finish(
    batch: Batch,
    level: int,
    node: IntArray,
    p: IntArray,
    cost: IntArray,
    hrs: FloatArray,
    val: FloatArray,
    order: IntArray,
    nf: IntArray,
) -> _Leaves:
    """Complete leaves: the last fundable item gets the most units that fit (or 0)."""
    has = nf[p] > 0
    if batch.m == 0:
        zeros = np.zeros(p.shape[0], dtype=np.int64)
        return _Leaves(np.full(p.shape[0], level, dtype=np.int64), node, p, val, zeros - 1, zeros)
    pos = np.minimum(batch.offsets[p] + np.maximum(nf[p] - 1, 0), batch.m - 1)
    last = np.where(has, order[pos], 0)
    u = most_units(
        batch.upper[last],
        batch.cost[last],
        batch.hours[last],
        batch.budget[p] - cost,
        hrs,
        batch.hours_cap[p],
    )
    u = np.where(has & (u >= batch.lower[last]), u, 0)
    # the search's room for hours is a little generous (float sums); a leaf over the
    # contract's hours rule is no candidate
    fits = hrs + batch.hours[last] * u <= batch.hours_cap[p] + HOURS_TOL
    return _Leaves(
        level=np.full(p.shape[0], level, dtype=np.int64),
        node=node,
        owner=p,
        value=np.where(fits, val + batch.value[last] * u, -np.inf),
        last_item=np.where(has, last, -1),
        last_units=u,
    )


def _select(
    batch: Batch,
    parts: list[_Leaves],
    tree: _Tree,
    incumbent: IntArray,
    incumbent_value: FloatArray,
    overflow: BoolArray,
    truncated: BoolArray,
) -> EnumerationResult:
    """Best leaf per participant; ties within tolerance go to the largest units in item order."""
    n = batch.n
    units = incumbent.copy()
    proven = np.zeros(n, dtype=bool)
    if not parts:
        return EnumerationResult(units=units, proven=proven)
    lv = _Leaves(
        *(
            np.concatenate([getattr(x, f) for x in parts])
            for f in ("level", "node", "owner", "value", "last_item", "last_units")
        )
    )
    best = np.full(n, -np.inf)
    np.maximum.at(best, lv.owner, lv.value)
    cand = np.flatnonzero(lv.value >= best[lv.owner] - VALUE_TOL)
    p = lv.owner[cand]
    # backtrack candidates into (candidate row, item, units)
    rows, items, vals = [np.arange(cand.shape[0])], [lv.last_item[cand]], [lv.last_units[cand]]
    level = lv.level[cand].copy()
    node = lv.node[cand].copy()
    for lvl in range(int(level.max(initial=-1)), -1, -1):
        at = np.flatnonzero(level == lvl)
        idx = node[at]
        rows.append(at)
        items.append(tree.item[lvl][idx])
        vals.append(tree.units[lvl][idx])
        node[at] = tree.parent[lvl][idx]
        level[at] = lvl - 1
    r = np.concatenate(rows)
    it = np.concatenate(items)
    uv = np.concatenate(vals)
    real = it >= 0
    r, it, uv = r[real], it[real], uv[real]
    width = int(batch.counts.max(initial=0))
    mat = np.zeros((cand.shape[0], max(width, 1)), dtype=np.int64)
    mat[r, it - batch.offsets[p[r]]] = uv
    keys = [-mat[:, c] for c in range(mat.shape[1] - 1, -1, -1)]
    srt = np.lexsort([*keys, p])
    first = np.ones(srt.shape[0], dtype=bool)
    first[1:] = p[srt][1:] != p[srt][:-1]
    win = srt[first]
    wp = p[win]
    good = ~overflow[wp] & (best[wp] >= incumbent_value[wp] - VALUE_TOL)
    good &= ~truncated[wp] | (best[wp] > incumbent_value[wp] + VALUE_TOL)
    wp, win = wp[good], win[good]
    # write the winners' units
    idx = batch.item_index(wp)
    units[idx] = 0
    sel = np.isin(r, win)
    # map candidate row -> its winner's flat items
    units[it[sel]] = uv[sel]
    proven[wp] = ~truncated[wp]
    return EnumerationResult(units=units, proven=proven)
