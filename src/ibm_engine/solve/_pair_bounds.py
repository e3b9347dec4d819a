"""Joint (money and hours) Lagrangian bounds of the undecided items, for many multipliers.

For multipliers ``(lam, mu)`` and a node that has decided the items at decision positions
``<= k``, ``val + lam B_left + mu H_left + sum_{pos > k} max(v - lam c - mu h, 0) U`` bounds
every completion. The suffix sums are precomputed per multiplier pair, so each pair costs a
few operations per node; the minimum over a grid of pairs around the LP duals approximates
the node's own LP bound with both resources, which the fixed root multipliers cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import UNITS_RATIO_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray

__all__ = ["PairBounds"]

_GRID = (0.0, 0.5, 1.0, 2.0)


@dataclass(frozen=True, eq=False)
class PairBounds:
    """Suffix sums of positive reduced values for a grid of multiplier pairs."""

    lam: FloatArray  # (K, n)
    mu: FloatArray  # (K, n)
    suffix: FloatArray  # (K, m + 1): sum over decision positions >= pos of the participant
    offsets: IntArray

    @staticmethod
    def build(
        order: IntArray,
        offsets: IntArray,
        value: FloatArray,
        cost: FloatArray,
        hours: FloatArray,
        upper: IntArray,
        fundable: np.ndarray,
        lam0: FloatArray,
        mu0: FloatArray,
        lam_b: FloatArray,
        mu_h: FloatArray,
        grid: bool = True,
    ) -> PairBounds:
        """Pairs: the grid over ``max(lam0, lam_b)`` x ``max(mu0, mu_h)``, plus the LP duals."""
        lam_s = np.maximum(lam0, lam_b)
        mu_s = np.maximum(mu0, mu_h)
        pairs_l = [lam0, lam_b, np.zeros_like(lam0)]
        pairs_m = [mu0, np.zeros_like(mu0), mu_h]
        for a in _GRID if grid else ():
            for b in _GRID:
                if a == 0.0 and b == 0.0:
                    continue
                pairs_l.append(a * lam_s)
                pairs_m.append(b * mu_s)
        lam = np.stack(pairs_l)
        mu = np.stack(pairs_m)
        n = offsets.shape[0] - 1
        owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
        o_owner = owner[order]
        v, c, h = value[order], cost[order], hours[order]
        u = np.where(fundable[order], upper[order], 0).astype(np.float64)
        rc = v[None, :] - lam[:, o_owner] * c[None, :] - mu[:, o_owner] * h[None, :]
        gain = np.where(rc > 0, rc, 0.0) * u[None, :]
        # suffix sums within participants: total of the participant minus the prefix before
        cs = np.zeros((gain.shape[0], gain.shape[1] + 1))
        np.cumsum(gain, axis=1, out=cs[:, 1:])
        end = offsets[1:][o_owner]
        suffix = np.zeros_like(cs)
        suffix[:, :-1] = cs[:, end] - cs[:, :-1]
        return PairBounds(lam=lam, mu=mu, suffix=suffix, offsets=offsets)

    def _node_terms(
        self, p: IntArray, s: int, val: FloatArray, money_left: FloatArray, hours_left: FloatArray
    ) -> FloatArray:
        """``val + lam B_left + mu H_left + suffix(s)`` for every pair: shape (K, nodes);
        ``inf`` where a pair prices hours that are not limited."""
        start = self.offsets[p]
        end = self.offsets[p + 1]
        pos = np.minimum(start + s, end)
        rest = np.where((pos >= end)[None, :], 0.0, self.suffix[:, pos])
        mu = self.mu[:, p]
        unlimited = ~np.isfinite(hours_left)
        h_left = np.where(unlimited, 0.0, hours_left)
        out: FloatArray = val[None, :] + self.lam[:, p] * money_left[None, :] + mu * h_left + rest
        return np.where(unlimited[None, :] & (mu > 0), np.inf, out)

    def unit_range(
        self,
        p: IntArray,
        level: int,
        item: IntArray,
        val: FloatArray,
        money_left: FloatArray,
        hours_left: FloatArray,
        floor: FloatArray,
        value: FloatArray,
        cost: IntArray,
        hours: FloatArray,
    ) -> tuple[IntArray, IntArray, BoolArray]:
        """Units of ``item`` (decided at ``level``) that keep every pair's bound >= ``floor``.

        For a pair the bound of the child with ``u`` units is ``A + rc u`` with ``A`` the
        node's terms with the items after ``level`` undecided: linear in ``u``. Returns the
        intersected range ``[lo, hi]`` and whether 0 units stays within every bound.
        """
        a = self._node_terms(p, level + 1, val, money_left, hours_left)
        rc = (
            value[item][None, :]
            - self.lam[:, p] * cost[item].astype(np.float64)[None, :]
            - self.mu[:, p] * hours[item][None, :]
        )
        slack = a - floor[None, :]
        zero_ok: BoolArray = np.asarray((slack >= 0).all(axis=0), dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = -slack / rc
        lo = np.where(rc > 0, np.ceil(q - UNITS_RATIO_TOL), -np.inf).max(axis=0)
        hi = np.where(rc < 0, np.floor(q + UNITS_RATIO_TOL), np.inf).min(axis=0)
        dead = ((rc == 0) & (slack < 0)).any(axis=0)
        hi = np.where(dead, -1.0, hi)
        lo_i: IntArray = np.clip(lo, 0, 2.0**60).astype(np.int64)
        hi_i: IntArray = np.clip(hi, -1, 2.0**60).astype(np.int64)
        return lo_i, hi_i, zero_ok

    def bound(
        self,
        p: IntArray,
        s: int,
        val: FloatArray,
        money_left: FloatArray,
        hours_left: FloatArray,
    ) -> FloatArray:
        """The smallest bound over all pairs for nodes of ``p`` whose undecided items are the
        decision positions ``>= s``; ``hours_left`` is ``inf`` where hours are unlimited."""
        out: FloatArray = self._node_terms(p, s, val, money_left, hours_left).min(axis=0)
        return out
