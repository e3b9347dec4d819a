"""The compiled exact search (numba): depth-first branch and bound per participant.

How it searches, bounds and breaks ties: see ``_search`` (the driver) and docs/architecture.md.
numba caches a kernel by its own source file, so every kernel lives in this one module (a kernel
called from another file would stay cached after that file changed). A participant's items are
rows of two workspaces, ``iw`` (int64) and ``fw`` (float64), and the search runs without numba's
reference counting (``_jit.no_refcount``): numba counted references to each array handed to an
inlined function, with atomic operations at every node (they were half of the search's time).
"""

from __future__ import annotations

import math

import numpy as np

from ibm_engine.solve._jit import inlined, kernel, no_refcount

__all__ = ["DONE", "OVER_LIMIT_TIES", "OVER_LIMIT_VALUE", "solve_range"]

#: status per participant: solved (optimal, ties broken as documented); phase 1 met the node
#: limit (neither value nor units known); phase 2 met it (the value is known, the tie-break not)
DONE, OVER_LIMIT_VALUE, OVER_LIMIT_TIES = 0, 1, 2

# rows of ``iw`` (index, price, most units, minimum, search order and position in it, money and
# hours density orders, counts, best units, at depth d: gcd of the prices left, cost of all left,
# money spent, gcd of the hours left; an order workspace, Lagrangian orders) and of ``fw``
GI, C, UP, LO, SEQ, POS, ORDM, ORDH, CNT, BEST, GSUF, SC, CUMC, GHS, ORDW, ORDL = range(16)
CF, V, H, KEY, CUMH, CUMV, MUS = range(7)  # price, value, hours, sort key; at d: hours, value; mu


@kernel
def _sort(order, key, n):
    """``order[:n]`` sorted by ``key`` (of the items) descending; stable (insertion sort)."""
    for d in range(1, n):
        x, e = order[d], d
        while e > 0 and key[order[e - 1]] < key[x]:
            order[e] = order[e - 1]
            e -= 1
        order[e] = x


@kernel
def density_order(order, key, n, val, mu, hrs, res):
    """``order[:n]`` = items by ``(val - mu hrs) / res`` descending (list order on ties); items
    of no positive worth last, items using none of the resource first."""
    for i in range(n):
        w = val[i] - mu * hrs[i]
        key[i] = -math.inf if w <= 0.0 else (math.inf if res[i] <= 0.0 else w / res[i])
        order[i] = i
    _sort(order, key, n)


@inlined
def _frac(iw, order, n, depth, fw, mu, res, cap, fix, fix_up, skip):
    """Fractional LP of the undecided items but ``skip`` in the order of row ``order``, values
    ``v - mu h``, resource row ``res``: (value, critical item or -1, room, hours), ``room`` the
    capacity left when the critical item was reached."""
    total, used = 0.0, 0.0
    for j in range(n):
        i = iw[order, j]
        if iw[POS, i] < depth or i == skip:
            continue
        w = fw[V, i] - mu * fw[H, i]
        if w <= 0.0:
            break
        u = fix_up if i == fix else iw[UP, i]
        if u <= 0:
            continue
        r = fw[res, i]
        if r * u <= cap:
            total += w * u
            used += fw[H, i] * u
            cap -= r * u
            continue
        return total + w * cap / r, i, cap, used + fw[H, i] * cap / r
    return total, -1, cap, used


@inlined
def lp_bound(iw, order, n, depth, fw, mu, res, cap, fix, fix_up, need):
    """Bound of the undecided items (``fix`` at most ``fix_up`` units) with values ``val - mu
    hrs`` within ``cap`` of ``res``. The LP's critical item takes at most ``q`` units (0 below its
    minimum) or at least ``max(q + 1, m_s)``: the larger LP of the two (a plain LP below ``need``
    is returned as it is)."""
    plain, s, room, _ = _frac(iw, order, n, depth, fw, mu, res, cap, fix, fix_up, -1)
    if s < 0 or plain < need:
        return plain
    w = fw[V, s] - mu * fw[H, s]
    r = fw[res, s]
    if plain - w * room / r >= need:  # tightening removes at most the critical item's share
        return plain
    u = fix_up if s == fix else iw[UP, s]
    q = float(math.floor(room / r))
    qa = q if q >= iw[LO, s] else 0.0
    below = qa * w + _frac(iw, order, n, depth, fw, mu, res, cap - qa * r, fix, fix_up, s)[0]
    t = max(q + 1.0, float(iw[LO, s]))
    above = -math.inf
    if t <= u and t * r <= cap:
        above = t * w + _frac(iw, order, n, depth, fw, mu, res, cap - t * r, fix, fix_up, s)[0]
    return min(plain, max(below, above))


@kernel
def lagrange(iw, fw, n, depth, b, hr, fix, t, hi, steps, need):
    """Bisection on ``mu`` in ``[0, hi]`` of the Lagrangian bound ``mu hr + LP_money(v - mu h)``
    (its subgradient: ``hr`` minus the LP's hours): (smallest bound seen, multiplier); it stops
    below ``need``. ``mu = 0`` when the money LP keeps within the hours."""
    best, lo = math.inf, 0.0
    for k in range(steps + 1):
        mu = 0.0 if k == 0 else 0.5 * (lo + hi)
        density_order(iw[ORDW], fw[KEY], n, fw[V], mu, fw[H], fw[CF])
        g, _, _, used = _frac(iw, ORDW, n, depth, fw, mu, CF, b, fix, t, -1)
        best = min(best, mu * hr + g)
        if best < need or (k == 0 and used <= hr):
            return best, mu
        if used <= hr:
            hi = mu
        else:
            lo = mu
    return best, hi


@inlined
def _node_bound(iw, fw, n, depth, nmu, b, hr, finite, fix, t, need, strong, muhi, steps):
    """Bound of the undecided items (``fix`` at most ``t`` units) within money ``b``, hours
    ``hr``; the first bound found below ``need`` is returned (it prunes already). ``strong``:
    also the Lagrangian at this node's own best multiplier (bisection, ``steps``)."""
    ub = lp_bound(iw, ORDM, n, depth, fw, 0.0, CF, b, fix, t, need)
    if finite and ub >= need:
        for j in range(nmu):
            mu = fw[MUS, j]
            lag = lp_bound(iw, ORDL + j, n, depth, fw, mu, CF, b, fix, t, need - mu * hr)
            ub = min(ub, mu * hr + lag)
            if ub < need:
                return ub
        ub = min(ub, lp_bound(iw, ORDH, n, depth, fw, 0.0, H, hr, fix, t, need))
        if strong and ub >= need:
            ub = min(ub, lagrange(iw, fw, n, depth, b, hr, fix, t, muhi, steps, need)[0])
    return ub


@inlined
def _most_units(iw, fw, i, b, used, hlim, finite):
    """Most units of item ``i`` within money ``b`` and the hours left (``used`` of ``hlim``)."""
    mx = iw[UP, i]
    if iw[C, i] > 0:
        mx = min(mx, b // iw[C, i])
    h = fw[H, i]
    if finite and h > 0.0 and mx > 0:
        q = math.floor((hlim - used) / h)
        mx = min(mx, max(q, 0))
        while mx > 0 and used + h * mx > hlim:
            mx -= 1
    return mx


@kernel
def _keep(tie_u, tie_v, k, best, tol):
    """Drop the kept leaves worth less than ``best - tol``; returns how many are left."""
    kept = 0
    for j in range(k):
        if tie_v[j] >= best - tol:
            for i in range(tie_u.shape[1]):
                tie_u[kept, i] = tie_u[j, i]
            tie_v[kept], kept = tie_v[j], kept + 1
    return kept


@no_refcount
def _search(iw, fw, n, nmu, hq, budget, hlim, finite, lex, target, floor_, node_limit, tie_u, tie_v, tol, best0, strong, muhi, steps):  # fmt: skip  # noqa: E501
    """Depth-first search over ``seq`` from incumbent value ``best0``: (over the node limit,
    best value, nodes, ties kept). ``lex=False``: every leaf within ``tol`` of the best is visited
    and kept in ``tie_u``/``tie_v`` (-1: more than fit). ``lex=True``: the first leaf worth at
    least ``target`` (``best_u``), pruning bounds below ``floor_``."""
    seq, c, up, lo, cnt, gsuf, sc, cum_c = iw[SEQ], iw[C], iw[UP], iw[LO], iw[CNT], iw[GSUF], iw[SC], iw[CUMC]  # fmt: skip  # noqa: E501
    ghs, best_u, v, h, cum_h, cum_v = iw[GHS], iw[BEST], fw[V], fw[H], fw[CUMH], fw[CUMV]
    best, nodes, ties, d = best0, 0, 0, 0
    cum_c[0], cum_h[0], cum_v[0] = 0, 0.0, 0.0
    fresh = True
    short = -2  # where to go back to after a leaf reached by the shortcut (-2: none)
    while d >= 0:
        if fresh:
            nodes += 1
            if nodes > node_limit:
                return True, best, nodes, ties
            if d < n and sc[d] <= budget - cum_c[d]:  # everything left may fit: its best leaf
                dd = d
                while dd < n:
                    ii = seq[dd]
                    cnt[dd] = up[ii]
                    cum_h[dd + 1] = cum_h[dd] + up[ii] * h[ii]
                    if finite and cum_h[dd + 1] > hlim:
                        break
                    cum_c[dd + 1] = cum_c[dd] + up[ii] * c[ii]
                    cum_v[dd + 1] = cum_v[dd] + up[ii] * v[ii]
                    dd += 1
                if dd == n:
                    short = d - 1
                    d = n
            if d == n:
                val = cum_v[n]
                if lex and val >= target:
                    for dd in range(n):
                        best_u[seq[dd]] = cnt[dd]
                    return False, val, nodes, ties
                if not lex and val > best:
                    best = val
                    if ties > 0:
                        ties = _keep(tie_u, tie_v, ties, best, tol)
                if not lex and val >= best - tol and ties >= 0:
                    if ties == tie_v.shape[0]:
                        ties = -1
                    else:
                        for dd in range(n):
                            tie_u[ties, seq[dd]] = cnt[dd]
                        tie_v[ties] = val
                        ties += 1
                d = short if short > -2 else n - 1
                short = -2
                fresh = False
                continue
            i = seq[d]
            mx = _most_units(iw, fw, i, budget - cum_c[d], cum_h[d], hlim, finite)
            t = mx if mx >= lo[i] else 0
        else:
            i = seq[d]
            if cnt[d] > lo[i]:
                t = cnt[d] - 1
            elif cnt[d] > 0:
                t = 0
            else:
                d -= 1
                continue
        b = budget - cum_c[d]
        g = gsuf[d]
        bf = float(b - b % g) if g > 0 else float(b)
        hr = hlim - cum_h[d]
        if ghs[d] > 0:  # the hours left, down to a multiple of what the items left can use
            hr = math.floor(hr / (hq * ghs[d])) * (hq * ghs[d])
        thr = floor_ if lex else best - tol
        ub = cum_v[d] + _node_bound(iw, fw, n, d, nmu, bf, hr, finite, i, t, thr - cum_v[d], strong, muhi, steps)  # fmt: skip  # noqa: E501
        if ub < thr:
            d -= 1
            fresh = False
            continue
        cnt[d] = t
        cum_c[d + 1] = cum_c[d] + t * c[i]
        cum_h[d + 1] = cum_h[d] + t * h[i]
        cum_v[d + 1] = cum_v[d] + t * v[i]
        d += 1
        fresh = True
    return False, best, nodes, ties


@kernel
def _lex_max(tie_u, tie_v, ties, n, best, tol, best_u):
    """``best_u`` = the kept leaf worth at least ``best - tol`` with the most units in list order."""  # fmt: skip  # noqa: E501
    win = -1
    for j in range(ties):
        if tie_v[j] < best - tol:
            continue
        if win < 0:
            win = j
            continue
        for i in range(n):
            if tie_u[j, i] != tie_u[win, i]:
                if tie_u[j, i] > tie_u[win, i]:
                    win = j
                break
    for i in range(n):
        best_u[i] = tie_u[win, i]


@kernel
def _suffix(iw, fw, n):
    """At positions ``d..``: gcd of the prices ``gsuf``, of the hours in quanta ``ghs`` (-1: no
    quantum: the largest ``2**-k``, k <= 6, dividing every item's hours exactly, so that their
    sums are exact), cost of all at their bound ``sc``; returns the quantum."""
    gsuf, ghs, sc, seq, c, up, h = iw[GSUF], iw[GHS], iw[SC], iw[SEQ], iw[C], iw[UP], fw[H]
    gsuf[n], sc[n], ghs[n] = 0, 0, 0
    quantum = 1.0
    for _ in range(7):
        whole = True
        for d in range(n):
            x = h[seq[d]] / quantum
            whole = whole and x == math.floor(x) and x < 2.0**40
        if whole:
            break
        quantum *= 0.5
    for d in range(n - 1, -1, -1):
        gsuf[d] = math.gcd(gsuf[d + 1], c[seq[d]])
        sc[d] = sc[d + 1] + c[seq[d]] * up[seq[d]]
        ghs[d] = math.gcd(ghs[d + 1], int(h[seq[d]] / quantum)) if whole else -1
    return quantum


@kernel
def solve_range(offsets, cost, value, lower, upper, hours, budget, hcap, p0, p1, vknown, tols, factors, mu_steps, node_limit, ties_kept, units_out, status_out, nodes_out, vstar_out):  # fmt: skip  # noqa: E501
    """Solve participants ``p0..p1-1``: units, status, nodes and optimal value per participant.
    ``vknown[p]``: the optimal value when already known (phase 1 is skipped), else NaN. ``tols``
    = (VALUE_TOL, HOURS_TOL, SEARCH_HOURS_SLACK, SEARCH_VALUE_REL_TOL)."""
    kmax, nf = 1, factors.shape[0]
    for p in range(p0, p1):
        kmax = max(kmax, offsets[p + 1] - offsets[p])
    iw = np.zeros((ORDL + nf, kmax + 1), np.int64)  # workspace, reused by every participant
    gi, c, up, lo, seq, pos, ordm, ordh, best_u = iw[GI], iw[C], iw[UP], iw[LO], iw[SEQ], iw[POS], iw[ORDM], iw[ORDH], iw[BEST]  # fmt: skip  # noqa: E501
    muhi, fw = 0.0, np.zeros((7, max(kmax + 1, nf)), np.float64)
    cf, v, h, key, mus = fw[CF], fw[V], fw[H], fw[KEY], fw[MUS]
    tie_u, tie_v = np.empty((ties_kept, kmax), np.int64), np.empty(ties_kept, np.float64)
    for p in range(p0, p1):
        B = budget[p]
        finite = math.isfinite(hcap[p])
        hlim = hcap[p] + tols[1] + tols[2] if finite else math.inf
        n, tc, th, total_v = 0, 0, 0.0, 0.0
        for g in range(offsets[p], offsets[p + 1]):
            units_out[g] = 0
            if upper[g] < lower[g] or value[g] < 0.0:  # (a negative value: never worth a unit)
                continue
            gi[n] = g
            c[n] = cost[g]
            h[n] = hours[g] if finite else 0.0
            up[n] = upper[g]
            mx = _most_units(iw, fw, n, B, 0.0, hlim, finite)
            if mx < lower[g]:
                continue
            up[n] = mx
            lo[n] = lower[g]
            cf[n] = float(cost[g])
            v[n] = value[g]
            tc += c[n] * mx
            th += h[n] * mx
            total_v += v[n] * mx
            n += 1
        status_out[p], nodes_out[p] = DONE, 0
        if tc <= B and th <= hlim:  # everything fits: each item at its bound
            val = 0.0
            for i in range(n):
                units_out[gi[i]] = up[i]
                val += v[i] * up[i]
            vstar_out[p] = val
            continue
        if finite and th <= hcap[p]:  # all of it within the hours: only money can bind
            finite, hlim = False, math.inf
            h[:n] = 0.0
        density_order(ordm, key, n, v, 0.0, h, cf)
        nmu = 0
        if finite:
            density_order(ordh, key, n, v, 0.0, h, h)
            muhi = 0.0
            for i in range(n):
                muhi = max(muhi, v[i] / h[i]) if h[i] > 0.0 else muhi
            mu = lagrange(iw, fw, n, 0, float(B), hcap[p], -1, 0, muhi, mu_steps, -math.inf)[1]
            if mu > 0.0:
                nmu = nf
                for j in range(nf):
                    mus[j] = mu * factors[j]
                    density_order(iw[ORDL + j], key, n, v, mus[j], h, cf)
        for d in range(n):
            seq[d] = iw[ORDL, d] if nmu > 0 else ordm[d]
            pos[seq[d]] = d
        hq = _suffix(iw, fw, n)
        tol = tols[0] + tols[3] * abs(total_v)  # spare ties and float noise from pruning
        vstar = vknown[p]
        if math.isnan(vstar):  # else the value is known: only the tie is left to break
            over, vstar, nodes, ties = _search(iw, fw, n, nmu, hq, B, hlim, finite, False, 0.0, 0.0, node_limit, tie_u, tie_v, tol, -math.inf, False, muhi, mu_steps)  # fmt: skip  # noqa: E501
            nodes_out[p] = nodes
            if over:  # again with the lumpiest items (largest minimum spend) first
                for i in range(n):
                    key[i] = float(lo[i] * c[i]) if lo[i] > 1 else 0.0
                _sort(seq, key, n)
                for d in range(n):
                    pos[seq[d]] = d
                hq = _suffix(iw, fw, n)
                over, vstar, nodes, ties = _search(iw, fw, n, nmu, hq, B, hlim, finite, False, 0.0, 0.0, node_limit, tie_u, tie_v, tol, vstar, finite, muhi, mu_steps // 3)  # fmt: skip  # noqa: E501
                nodes_out[p] += nodes
            if over:
                status_out[p] = OVER_LIMIT_VALUE
                continue
            if ties > 0:  # every leaf within the tolerance was kept: the tie rule picks one
                vstar_out[p] = vstar
                _lex_max(tie_u, tie_v, ties, n, vstar, tols[0], best_u)
                for i in range(n):
                    units_out[gi[i]] = best_u[i]
                continue
        vstar_out[p] = vstar
        for d in range(n):
            seq[d], pos[d] = d, d
        hq = _suffix(iw, fw, n)
        target = vstar - tols[0]
        strong = finite and not math.isnan(vknown[p])  # a participant HiGHS found the value of
        floor_ = target - tols[3] * abs(vstar)
        over, found, nodes, _ = _search(iw, fw, n, nmu, hq, B, hlim, finite, True, target, floor_, node_limit, tie_u, tie_v, tol, -math.inf, strong, muhi, mu_steps // 3)  # fmt: skip  # noqa: E501
        nodes_out[p] += nodes
        if over or found == -math.inf:  # (none found: a known value was not reached)
            status_out[p] = OVER_LIMIT_TIES
            continue
        for i in range(n):
            units_out[gi[i]] = best_u[i]
