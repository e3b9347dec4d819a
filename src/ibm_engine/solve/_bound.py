"""Lagrangian (LP) bounds of the canonical problem, vectorised over participants.

For multipliers ``lam >= 0`` (money, per cent) and ``mu >= 0`` (hours) and reduced values
``rc_i = v_i - lam c_i - mu h_i``, every feasible allocation ``u`` satisfies the identity

    value(u) = L - sum_i |rc_i| |u_i - u*_i| - lam (B - c.u) - mu (H - h.u)

with ``L = lam B + mu H + sum_i max(rc_i, 0) U_i`` and ``u*_i = U_i`` if ``rc_i > 0`` else 0.
So ``L`` is an upper bound on the optimum, and a solution better than ``z`` deviates from ``u*``
by a weighted distance of at most ``L - z``.
The relaxation of ``u in {0} U [m, U]`` is ``0 <= u <= U``; its LP optimum is the fractional
greedy, which gives the best ``lam`` for a given ``mu``; ``mu`` is found by bisection where the
hours constraint binds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import LP_HOURS_BINDING_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.solve._batch import Batch

__all__ = ["Multipliers", "lagrangian_bound", "multipliers"]

_BISECTION_STEPS = 24


@dataclass(frozen=True, eq=False)
class Multipliers:
    """Multipliers, the bound they prove and the reduced values per item."""

    lam: FloatArray
    mu: FloatArray
    bound: FloatArray
    rc: FloatArray


def _fractional(
    batch: Batch,
    val: FloatArray,
    owner: IntArray,
    active: BoolArray,
    resource: FloatArray | None = None,
    capacity: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fractional-greedy LP over one resource (money by default) with item values ``val``.

    Returns the LP value, the resource's multiplier (value per unit of resource of the break
    item) and the hours the LP solution uses, per participant.
    """
    n = batch.n
    cap = batch.upper.astype(np.float64)
    use = active & (val > 0)
    cost = batch.cost.astype(np.float64) if resource is None else resource
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = np.where(cost > 0, val / cost, np.inf)
    eff = np.where(use, eff, -1.0)
    order = np.lexsort((-eff, owner))
    o_owner = owner[order]
    o_use = use[order]
    o_cost = np.where(o_use, cost[order] * cap[order], 0.0)
    cum = np.cumsum(o_cost)
    start = np.zeros(n, dtype=np.float64)
    starts = batch.offsets[:-1]
    nonempty = batch.counts > 0
    prev = np.concatenate(([0.0], cum))
    start[nonempty] = prev[starts[nonempty]]
    cum_incl = cum - start[o_owner]
    cum_excl = cum_incl - o_cost
    cap_p = batch.budget.astype(np.float64) if capacity is None else capacity
    budget = cap_p[o_owner]
    full = o_use & (cum_incl <= budget)
    brk = o_use & (cum_excl <= budget) & (cum_incl > budget)
    frac = np.where(brk, (budget - cum_excl) / np.where(brk, cost[order], 1.0), 0.0)
    x = np.where(full, cap[order], 0.0) + frac
    lp = np.bincount(o_owner, weights=val[order] * x, minlength=n).astype(np.float64)
    hrs = np.bincount(o_owner, weights=batch.hours[order] * x, minlength=n).astype(np.float64)
    lam = np.zeros(n, dtype=np.float64)
    lam[o_owner[brk]] = eff[order][brk]
    return lp, lam, hrs


def lagrangian_bound(
    batch: Batch, lam: FloatArray, mu: FloatArray, owner: IntArray, active: BoolArray
) -> Multipliers:
    """The bound ``L`` and reduced values for given multipliers (see module docstring)."""
    n = batch.n
    hcap = np.where(np.isfinite(batch.hours_cap), batch.hours_cap, 0.0)
    mu = np.where(np.isfinite(batch.hours_cap), mu, 0.0)
    rc = batch.value - lam[owner] * batch.cost - mu[owner] * batch.hours
    rc = np.where(active, rc, 0.0)
    gain = np.where(rc > 0, rc * batch.upper, 0.0)
    bound = lam * batch.budget + mu * hcap + np.bincount(owner, weights=gain, minlength=n)
    return Multipliers(lam=lam, mu=mu, bound=bound, rc=rc)


def multipliers(batch: Batch, owner: IntArray | None = None) -> Multipliers:
    """Good multipliers (the LP optimum's, up to the search tolerance) and their bound."""
    if owner is None:
        owner = batch.owner
    active = batch.fundable
    _, lam, hrs = _fractional(batch, batch.value, owner, active)
    mu = np.zeros(batch.n, dtype=np.float64)
    binding = np.isfinite(batch.hours_cap) & (hrs > batch.hours_cap + LP_HOURS_BINDING_TOL)
    if binding.any():
        mu_b, lam_b = _search_mu(batch, np.flatnonzero(binding))
        mu[binding] = mu_b
        lam[binding] = lam_b
    return lagrangian_bound(batch, lam, mu, owner, active)


def _search_mu(batch: Batch, which: IntArray) -> tuple[FloatArray, FloatArray]:
    """Bisection on the subgradient ``H - hours(LP(mu))`` of the dual in ``mu``.

    The dual ``g(mu) = mu H + LP_money(v - mu h)`` is convex; its subgradient at ``mu`` is
    ``H`` minus the hours of the LP solution there.  Every ``mu`` gives a valid bound, so the
    search only has to be good, not exact.
    """
    sub = batch.subset(which)
    owner = sub.owner
    active = sub.fundable
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((sub.hours > 0) & active, sub.value / sub.hours, 0.0)
    hi = np.zeros(sub.n, dtype=np.float64)
    np.maximum.at(hi, owner, ratio)
    lo = np.zeros(sub.n, dtype=np.float64)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        _, _, hrs = _fractional(sub, sub.value - mid[owner] * sub.hours, owner, active)
        rising = hrs <= sub.hours_cap
        hi = np.where(rising, mid, hi)
        lo = np.where(rising, lo, mid)
    mu = hi
    _, lam, _ = _fractional(sub, sub.value - mu[owner] * sub.hours, owner, active)
    return mu, lam
