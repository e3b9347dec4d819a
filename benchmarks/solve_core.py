"""The compiled exact core (issue 11): the solve stage alone, per participant, against HiGHS.

``make bench-core``. On the project's benchmark data (``synthetic_zemgale``, seed 2021, the
502 : 510 : 276 mix, 26 weeks), built into a :class:`~ibm_engine.solve.Batch` (not timed):

1. **Compile**: the first solve of a tiny batch in a fresh process with an empty
   ``NUMBA_CACHE_DIR`` (cold), then again with that cache (warm).
2. **Solve stage** at ``--n`` participants (default 1,000,000), ``family_hours_per_week``
   removed and as generated: ``solve_optimal(batch)`` (search, re-check, HiGHS fallbacks), wall
   and CPU, the best of ``--repeat`` runs; how many participants needed HiGHS.
3. **Per participant** (as generated): each participant's search timed alone (one kernel call,
   Python's call overhead included, measured on empty ranges and reported); the 50 slowest
   re-timed end to end (``solve_optimal`` of that participant alone, HiGHS included), minimum of
   5 runs; p50 / p99 / max.
4. **Against scipy.optimize.milp** at ``--n-milp`` participants (default 20,000, as generated):
   the per-participant MILP loop (``peers.run_milp``: exact settings) and the solve stage in the
   same run; values compared (1e-9).

Results go to ``results/<date>-<machine>-solve-core.json`` and a Markdown summary to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402
import run as bench_run  # noqa: E402

from ibm_engine.allocation._pipeline import stage  # noqa: E402
from ibm_engine.solve import Batch, solve_optimal  # noqa: E402
from ibm_engine.solve import _search as search  # noqa: E402

WEEKS = 26


def make_batch(n: int, seed: int, hours: bool) -> Batch:
    """The benchmark data of ``n`` participants as the solver sees it (validated, merged)."""
    from ibm_engine.data import synthetic_zemgale

    n_grt, n_ft, n_bsac = bench_run._counts(n)
    p, i, s = synthetic_zemgale(seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac, period_weeks=WEEKS)
    if not hours:
        p = p.assign(family_hours_per_week=np.nan)
    st = stage(
        p, i, s, period_weeks=WEEKS, team_share=0.5, errors="raise", budget=None, merge="borda"
    )
    return st.asm.batch


def compile_times() -> dict[str, float]:
    """Seconds to import the solver and solve a tiny batch, with an empty and a warm cache."""
    code = textwrap.dedent(
        """
        import time
        t0 = time.perf_counter()
        import numpy as np
        from ibm_engine.solve import Batch, solve_optimal
        b = Batch(np.array([0, 2]), np.array([500, 700]), np.array([0.1, 0.2]),
                  np.ones(2, np.int64), np.array([3, 4]), np.array([1.0, 0.5]),
                  np.array([1000]), np.array([3.0]))
        solve_optimal(b)
        print(time.perf_counter() - t0)
        """
    )
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for name in ("cold_s", "warm_s"):
            res = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            out[name] = round(float(res.stdout.strip()), 2)
    return out


def time_solve(batch: Batch, repeat: int, workers: int) -> dict[str, Any]:
    """``solve_optimal(batch)``: best wall and CPU of ``repeat`` runs, and its fallbacks."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        sol = solve_optimal(batch, workers=workers)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {
        "n": batch.n,
        "workers": workers,
        "wall_s": round(min(walls), 3),
        "cpu_s": round(min(cpus), 3),
        "us_per_participant_cpu": round(min(cpus) / batch.n * 1e6, 3),
        "solved_alone": sol.alone,  # the search gave up: HiGHS found the value
        "proven": int(sol.proven.sum()),
        "value_sum": float(sol.value.sum()),
    }


def per_participant(batch: Batch, retime: int, runs: int) -> dict[str, Any]:
    """Each participant's search alone; the slowest re-timed end to end (HiGHS included)."""
    from ibm_engine.solve._kernel import solve_range

    n = batch.n
    args = search.kernel_arrays(batch)
    out = (
        np.zeros(batch.m, np.int64),
        np.zeros(n, np.int64),
        np.zeros(n, np.int64),
        np.zeros(n),
    )
    tols = np.array([1e-9, 1e-9, 1e-12, 1e-12])
    fixed = (np.full(n, np.nan), tols, np.array(search.MU_FACTORS), search.MU_STEPS)
    rest = (search.NODE_LIMIT, search.TIES_KEPT)
    ns = np.zeros(n, dtype=np.int64)
    clock = time.perf_counter_ns
    for p in range(n):
        t0 = clock()
        solve_range(*args, p, p + 1, *fixed, *rest, *out)
        ns[p] = clock() - t0
    empty = []
    for _ in range(1000):
        t0 = clock()
        solve_range(*args, 0, 0, *fixed, *rest, *out)
        empty.append(clock() - t0)
    slow = np.argsort(-ns)[:retime]
    again = {}
    for p in slow.tolist():
        one = batch.subset(np.array([p]))
        best = np.inf
        for _ in range(runs):
            t0 = clock()
            solve_optimal(one)
            best = min(best, clock() - t0)
        again[p] = best
    final = ns.astype(np.float64)
    for p, t in again.items():
        final[p] = t
    us = final / 1e3
    return {
        "call_overhead_us": round(float(np.median(empty)) / 1e3, 2),
        "p50_us": round(float(np.percentile(us, 50)), 2),
        "p99_us": round(float(np.percentile(us, 99)), 2),
        "max_us": round(float(us.max()), 1),
        "max_participant": int(np.argmax(us)),
        "slowest_retimed_us": sorted((round(t / 1e3, 1) for t in again.values()), reverse=True),
    }


def against_milp(batch: Batch, workers: int) -> dict[str, Any]:
    """The per-participant scipy.optimize.milp loop and the solve stage, values compared."""
    probs = []
    for p in range(batch.n):
        one = batch.subset(np.array([p]))
        keep = np.flatnonzero(one.fundable)
        probs.append(
            peers.Problem(
                pid=str(p),
                item_rows=keep,
                n_rows=one.m,
                value=one.value[keep],
                cost=one.cost[keep],
                hours=one.hours[keep],
                lower=one.lower[keep],
                upper=one.upper[keep],
                budget=int(one.budget[0]),
                hours_cap=float(one.hours_cap[0]),
                weight=one.value,
                recommended=np.ones(one.m),
            )
        )
    with bench_run._captured_stdout() as lines:
        milp = peers.run_milp(probs)
    engine = time_solve(batch, 3, workers)
    sol = solve_optimal(batch)
    vals = np.array(
        [
            np.nan if u is None else float(np.dot(pr.value, u))
            for pr, u in zip(probs, milp.units, strict=True)
        ]
    )
    diff = np.abs(vals - sol.value)
    return {
        "n": batch.n,
        "milp_wall_s": round(milp.seconds, 2),
        "milp_cpu_s": round(milp.cpu_seconds, 2),
        "milp_statuses": milp.statuses,
        "milp_stdout_lines": len(lines),
        "engine_wall_s": engine["wall_s"],
        "engine_cpu_s": engine["cpu_s"],
        "speedup_cpu": round(milp.cpu_seconds / engine["cpu_s"], 1),
        "values_max_abs_diff": float(np.nanmax(diff)),
        "values_over_1e-9": int((diff > 1e-9).sum()),
        "milp_no_answer": int(np.isnan(vals).sum()),
    }


def lscpu() -> str:
    res = subprocess.run(["lscpu"], capture_output=True, text=True, check=False)
    return res.stdout


def markdown(res: dict[str, Any]) -> str:
    lines = [f"## Solve stage, compiled core ({res['date']}, {res['machine']['cpu']})", ""]
    c = res.get("compile")
    if c:
        lines.append(
            f"- compile (first solve, fresh process): cold {c['cold_s']} s, warm {c['warm_s']} s"
        )
    for name, r in res.get("solve", {}).items():
        lines.append(
            f"- {name}, {r['n']:,} participants: {r['cpu_s']} CPU s, {r['wall_s']} s wall "
            f"({r['us_per_participant_cpu']} us each; {r['solved_alone']} solved "
            f"alone with HiGHS; workers={r['workers']})"
        )
    pp = res.get("per_participant")
    if pp:
        lines.append(
            f"- per participant (as generated): p50 {pp['p50_us']} us, p99 {pp['p99_us']} us, "
            f"max {pp['max_us']} us (Python call overhead {pp['call_overhead_us']} us included)"
        )
    m = res.get("milp")
    if m:
        lines.append(
            f"- {m['n']:,} participants: scipy.optimize.milp loop {m['milp_cpu_s']} CPU s, solve "
            f"stage {m['engine_cpu_s']} CPU s: {m['speedup_cpu']}x; values over 1e-9 apart: "
            f"{m['values_over_1e-9']} (max {m['values_max_abs_diff']:.2g})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--n-milp", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--retime", type=int, default=50)
    ap.add_argument("--skip-compile", action="store_true")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    machine = bench_run._machine()
    res: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "lscpu": lscpu(),
        "versions": bench_run._versions(),
        "git": bench_run._git(),
        "load_start": os.getloadavg(),
        "args": vars(args),
    }
    if not args.skip_compile:
        res["compile"] = compile_times()
    solve_optimal(make_batch(200, args.seed, True))  # compile (or load the cache) first
    res["solve"] = {}
    generated = None
    for name, hours in (("money only", False), ("as generated", True)):
        batch = make_batch(args.n, args.seed, hours)
        res["solve"][name] = time_solve(batch, args.repeat, args.workers)
        generated = batch
    if generated is not None and args.retime:
        res["per_participant"] = per_participant(generated, args.retime, 5)
    if args.n_milp:
        res["milp"] = against_milp(make_batch(args.n_milp, args.seed, True), args.workers)
    res["load_end"] = os.getloadavg()
    print(markdown(res))
    if not args.no_save:
        slug = bench_run._machine_slug(machine)
        path = HERE / "results" / f"{res['date'][:10]}-{slug}-solve-core.json"
        path.write_text(json.dumps(res, indent=1, default=str) + "\n")
        print(f"\nsaved {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
