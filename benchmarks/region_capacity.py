"""Benchmark ``allocate_region`` under provider capacities (issue 4 targets).

Targets: the Zemgale-size region (about 1,300 participants) with capacities to a proven gap of
at most 0.1% in at most 10 s; 100,000 participants with capacities to a proven gap of at most
0.5% in at most 60 s (issue 4); issue 11: 100,000 participants at 70% with every participant
priced exactly, 0.1% in 30 s aimed at, 0.2% accepted, and the curve of the proven gap against
time (``--curve``: one run per ``max_iter``, each a fresh process, plus the master's trace of
bound and LP value against seconds).

Instances (setup, not timed): ``synthetic_zemgale(seed)`` (1,288 participants; ``--n`` for the
large run, the project's mix scaled to exactly N), 26-week period. The uncapacitated optimum
(``ibm.allocate``) gives each (municipality, service) its demand (units summed); every pair
with positive demand gets the capacity ``floor(share x demand)``, share 0.7 and 0.9.

Runs, each in a fresh subprocess (``--job``) that loads the pickled tables, warms up on a tiny
region (lazy imports) and then times one ``allocate_region`` call (wall ``perf_counter``, CPU
``process_time``; peak RSS is the process's ``ru_maxrss``, input tables included):

- Zemgale at 70% and 90% x ``method`` decomposition, auto, subgradient, exact (may stall: it
  gets ``--exact-timeout`` seconds and is recorded as timed out) and decomposition with
  ``objective="maxmin"``;
- ``--n`` (default 100,000) participants at 70% with the decomposition, with one thread and
  with ``workers=2`` (skipped by ``--quick``);
- ``--curve`` (instead of the Zemgale runs): the same instance at ``max_iter`` in
  ``CURVE_ITERS`` (``rel_gap=1e-6``, so the iteration count decides), each run's wall and
  CPU seconds, proven gap and ``uptime``; then the two runs above.

After the timed call (not timed) the allocation is checked: every capacity, every budget to
the cent, family hours and minimum doses kept. Writes
``benchmarks/results/<date>-<machine>-region-capacity.json`` (sections of earlier runs of the
same day and machine are kept) and prints a Markdown table.

    .venv/bin/python benchmarks/region_capacity.py            # everything (~10 min)
    .venv/bin/python benchmarks/region_capacity.py --quick    # Zemgale only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, ROOT, _counts, _git, _machine, _machine_slug, _versions  # a script

WEEKS = 26
SHARES = (0.7, 0.9)
#: (label, method, objective) of the Zemgale runs
ZEMGALE_RUNS = (
    ("decomposition", "decomposition", "sum"),
    ("auto", "auto", "sum"),
    ("subgradient", "subgradient", "sum"),
    ("exact", "exact", "sum"),
    ("decomposition maxmin", "decomposition", "maxmin"),
)
#: issue 4: (proven gap, seconds) per instance; issue 11 (the curve): 0.1% in 30 s (0.2% accepted)
TARGETS = {"zemgale": (1e-3, 10.0), "large": (5e-3, 60.0), "curve": (1e-3, 30.0)}
#: ``max_iter`` of the curve's runs
CURVE_ITERS = (0, 5, 10, 20, 30, 45)


def _uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# ---------------------------------------------------------------------------- setup


def _instance(n: int | None, seed: int) -> tuple[tuple[pd.DataFrame, ...], pd.DataFrame, dict]:
    """The tables, the uncapacitated demand per (municipality, service) and setup times."""
    import ibm_engine as ibm
    from ibm_engine.data import synthetic_zemgale

    t0 = time.perf_counter()
    if n is None:
        tables = synthetic_zemgale(seed, period_weeks=WEEKS)
    else:
        g, f, b = _counts(n)
        tables = synthetic_zemgale(seed, n_grt=g, n_ft=f, n_bsac=b, period_weeks=WEEKS)
    t1 = time.perf_counter()
    res = ibm.allocate(*tables, period_weeks=WEEKS)
    t2 = time.perf_counter()
    muni = tables[0].set_index("participant_id")["municipality"]
    items = res.items[["participant_id", "service", "units"]].copy()
    items["municipality"] = muni.reindex(items["participant_id"]).to_numpy()
    demand = items.groupby(["municipality", "service"], as_index=False)["units"].sum()
    setup = {"generate_s": t1 - t0, "allocate_uncapacitated_s": t2 - t1}
    return tables, demand[demand["units"] > 0].reset_index(drop=True), setup


def _capacities(demand: pd.DataFrame, share: float) -> pd.DataFrame:
    """``floor(share x demand)`` with the share read exactly from its decimal string."""
    frac = Fraction(str(share))
    units = demand["units"].to_numpy(np.int64) * frac.numerator // frac.denominator
    return pd.DataFrame(
        {"municipality": demand["municipality"], "service": demand["service"], "units": units}
    )


# ---------------------------------------------------------------------------- the job


def _check(tables: tuple[pd.DataFrame, ...], caps: pd.DataFrame, r: Any) -> dict[str, Any]:
    """Capacities, budgets (cents), family hours and minimum doses of the result."""
    participants = tables[0]
    items = r.items
    muni = participants.set_index("participant_id")["municipality"]
    m = muni.reindex(items["participant_id"]).to_numpy()
    used = (
        pd.DataFrame({"municipality": m, "service": items["service"], "units": items["units"]})
        .groupby(["municipality", "service"])["units"]
        .sum()
    )
    cap = caps.set_index(["municipality", "service"])["units"]
    over = used.reindex(cap.index, fill_value=0) - cap
    eur = items["unit_price_eur"].to_numpy(np.float64)  # NaN: not eligible (no catalogue row)
    priced = ~np.isnan(eur) | (items["units"].to_numpy() == 0)
    price = np.round(np.nan_to_num(eur) * 100).astype(np.int64)
    cost = pd.Series(items["units"].to_numpy(np.int64) * price).groupby(
        items["participant_id"].to_numpy()
    )
    spent = cost.sum()
    budget = np.round(participants.set_index("participant_id")["budget_eur"] * 100).astype(np.int64)
    hours = items.groupby("participant_id")["hours"].sum()
    limit = participants.set_index("participant_id")["family_hours_per_week"] * WEEKS
    lim = limit.reindex(hours.index)
    units = items["units"].to_numpy()
    mins = items["min_units"].to_numpy()
    return {
        "capacities_kept": bool((over <= 0).all()),
        "capacities_binding": int((over == 0).sum()),
        "capacities": len(cap),
        "budgets_kept_to_the_cent": bool(
            priced.all() and (spent <= budget.reindex(spent.index)).all()
        ),
        "family_hours_kept": bool((lim.isna() | (hours <= lim + 1e-9)).all()),
        "minimum_doses_kept": bool(((units == 0) | (units >= mins)).all()),
        "units": int(units.sum()),
        "units_lost": int(items["units_lost"].sum()),
    }


def _warm_up() -> None:
    """A tiny region first, so lazy imports and first-call costs are not timed."""
    from ibm_engine.region import allocate_region

    svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    people = [
        {"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele"}
        | {"budget_eur": 500.0}
        for p in ("P1", "P2")
    ]
    plan = [
        {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 10}
        for p in ("P1", "P2")
    ]
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    with warnings.catch_warnings():  # the tiny catalogue has no municipality rows
        warnings.simplefilter("ignore")
        for method in ("decomposition", "exact"):
            allocate_region(people, plan, svc, caps, method=method)


def _watch_trace() -> list[tuple[float, float, float]]:
    """The aggregated master's trace of this process's next run (empty if it is not used)."""
    from ibm_engine.region import _capacity_colgen as parts

    seen: list[tuple[float, float, float]] = []
    solve = parts.solve_aggregate

    def traced(*a: Any, **kw: Any) -> Any:
        out = solve(*a, **kw)
        seen.extend(out.trace)
        return out

    parts.solve_aggregate = traced
    return seen


def _job(data: str, spec: str, out: str) -> int:
    """One timed ``allocate_region`` call in this (fresh) process."""
    from ibm_engine.region import allocate_region

    with open(data, "rb") as fh:
        tables, caps = pickle.load(fh)
    rss_loaded = _rss_mb()
    _warm_up()
    kw = json.loads(spec)
    trace = _watch_trace()
    t0, c0 = time.perf_counter(), time.process_time()
    r = allocate_region(*tables, caps, period_weeks=WEEKS, **kw)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _rss_mb()
    res = {
        "wall_s": wall,
        "cpu_s": cpu,
        "seconds_reported": r.seconds,
        "maxrss_mb": peak,
        "maxrss_after_load_mb": rss_loaded,
        "value": r.value,
        "bound": r.bound,
        "gap": r.gap,
        "iterations": r.iterations,
        "method_reported": r.method,
        "min_share": r.min_share,
        "min_share_bound": r.min_share_bound,
        "checks": _check(tables, caps, r),
        # the aggregated master's (seconds since its start, bound, LP value) per iteration
        "trace": trace,
    }
    Path(out).write_text(json.dumps(res, default=float))
    return 0


# ---------------------------------------------------------------------------- the driver


def _spawn(data: Path, kw: dict[str, Any], timeout: float, tmp: Path) -> dict[str, Any]:
    out = tmp / "job.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--job", str(data), json.dumps(kw), str(out)]
    t0 = time.perf_counter()
    try:
        # HiGHS' C++ code prints debug lines on stdout: kept out of the report, counted
        proc = subprocess.run(
            cmd, cwd=ROOT, timeout=timeout, check=False, stdout=subprocess.PIPE, text=True
        )
    except subprocess.TimeoutExpired:  # the child is killed by subprocess.run
        return {"finished": False, "reason": f"timed out after {timeout:.0f} s (process)"}
    if proc.returncode != 0 or not out.exists():
        return {"finished": False, "reason": f"exit code {proc.returncode}"}
    res: dict[str, Any] = json.loads(out.read_text())
    lines: dict[str, int] = {}
    for line in proc.stdout.splitlines():
        lines[line.strip()] = lines.get(line.strip(), 0) + 1
    res["solver_stdout_lines"] = lines
    res["finished"] = True
    res["process_s"] = time.perf_counter() - t0
    return res


def _met(res: dict[str, Any], target: tuple[float, float]) -> None:
    if not res.get("finished"):
        res["target_met"] = {"gap": False, "wall": False, "cpu": False}
        return
    gap, secs = target  # objective "maxmin": the gap is its second stage's (see the docs)
    ok = res["gap"] <= gap and all(res["checks"][k] for k in res["checks"] if k.endswith("kept"))
    res["target_met"] = {
        "gap": res["gap"] <= gap,
        "wall": ok and res["wall_s"] <= secs,
        "cpu": ok and res["cpu_s"] <= secs,
    }


def _section(
    name: str, n: int | None, runs: list[tuple[float, str, dict[str, Any]]], args: Any, tmp: Path
) -> dict[str, Any]:
    print(f"[{name}] setup ...", file=sys.stderr, flush=True)
    cached = None if args.cache is None else Path(args.cache) / f"instance-{n}-{args.seed}.pkl"
    if cached is not None and cached.exists():
        with open(cached, "rb") as fh:
            tables, demand, setup = pickle.load(fh)
    else:
        tables, demand, setup = _instance(n, args.seed)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            with open(cached, "wb") as fh:
                pickle.dump((tables, demand, setup), fh, protocol=5)
    out: dict[str, Any] = {
        "participants": len(tables[0]),
        "plan_lines": len(tables[1]),
        "municipalities": int(tables[0]["municipality"].nunique()),
        "seed": args.seed,
        "period_weeks": WEEKS,
        "capacities": len(demand),
        "setup": setup,
        "target": {"gap": TARGETS[name][0], "seconds": TARGETS[name][1]},
        "git": _git(),
        "loadavg_at_start": os.getloadavg(),
        "runs": [],
    }
    for share, label, kw in runs:
        data = tmp / f"{name}-{share}.pkl"
        if not data.exists():
            with open(data, "wb") as fh:
                pickle.dump((tables, _capacities(demand, share)), fh, protocol=5)
        timeout = args.exact_timeout if kw.get("method") == "exact" else args.timeout
        print(f"[{name}] {share:.0%} {label} ...", file=sys.stderr, flush=True)
        load, up = os.getloadavg(), _uptime()
        res = _spawn(data, kw, timeout, tmp)
        res.update(share=share, label=label, kwargs=kw, loadavg_before=load, uptime_before=up)
        res["loadavg_after"] = os.getloadavg()
        res["uptime_after"] = _uptime()
        _met(res, TARGETS[name])
        out["runs"].append(res)
        print(_row(name, res), file=sys.stderr, flush=True)
    out["loadavg_at_end"] = os.getloadavg()
    return out


def _fmt(x: float, spec: str) -> str:
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else format(x, spec)


def _row(name: str, r: dict[str, Any]) -> str:
    head = f"| {name} | {r['share']:.0%} | {r['label']} |"
    if not r.get("finished"):
        return head + f" {r['reason']} | | | | | | | | no |"
    c = r["checks"]
    kept = all(c[k] for k in c if k.endswith("kept"))
    share = f"{_fmt(r['min_share'], '.3f')} ({_fmt(r['min_share_bound'], '.3f')})"
    met = r["target_met"]
    return (
        f"{head} {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['maxrss_mb']:.0f} | {r['value']:.2f} "
        f"| {r['bound']:.2f} | {r['gap']:.3%} | {r['iterations']} | {share} "
        f"| {'yes' if kept else 'NO'} | gap {'yes' if met['gap'] else 'no'}, "
        f"wall {'yes' if met['wall'] else 'no'}, CPU {'yes' if met['cpu'] else 'no'} |"
    )


def _markdown(res: dict[str, Any]) -> str:
    lines = [
        "| region | capacities | method | wall (s) | CPU (s) | peak RSS (MB) | value "
        "| proven bound | proven gap | iterations | min share (bound) | kept | target met |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for name in ("zemgale", "large", "curve"):
        for r in res.get(name, {}).get("runs", []):
            lines.append(_row(name, r))
    for name in ("zemgale", "large", "curve"):
        if name in res:
            s = res[name]
            lines.append(
                f"\n{name}: {s['participants']:,} participants, {s['plan_lines']:,} plan lines, "
                f"{s['capacities']} capacities; target gap <= {s['target']['gap']:.1%} in "
                f"<= {s['target']['seconds']:.0f} s; load average {s['loadavg_at_start'][0]:.1f} "
                f"at start, {s['loadavg_at_end'][0]:.1f} at end (2 cores)"
            )
    return "\n".join(lines)


def _save(res: dict[str, Any], path: Path) -> None:
    old: dict[str, Any] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except json.JSONDecodeError:
            old = {}
    old.update(res)
    path.write_text(json.dumps(old, indent=1, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--job"]:
        return _job(*argv[1:4])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="the Zemgale runs only")
    ap.add_argument("--n", type=int, default=100_000, help="participants of the large run")
    ap.add_argument("--seed", type=int, default=2021, help="seed of synthetic_zemgale")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    ap.add_argument("--exact-timeout", type=float, default=600.0, help="seconds per exact run")
    ap.add_argument("--no-save", action="store_true", help="do not write the JSON result")
    ap.add_argument("--curve", action="store_true", help="the 100,000 runs only, with the curve")
    ap.add_argument("--cache", help="folder keeping the generated instances between runs")
    args = ap.parse_args(argv)
    machine = _machine()
    date = dt.date.today().isoformat()
    path = RESULTS / f"{date}-{_machine_slug(machine)}-region-capacity.json"
    res: dict[str, Any] = {"date": date, "machine": machine, "versions": _versions()}
    zem = [
        (share, label, {"method": method, "objective": objective})
        for share in SHARES
        for label, method, objective in ZEMGALE_RUNS
    ]
    large = [
        (0.7, "decomposition", {"method": "decomposition"}),
        (0.7, "decomposition workers=2", {"method": "decomposition", "workers": 2}),
    ]
    curve = [
        (0.7, f"max_iter={m}", {"method": "decomposition", "max_iter": m, "rel_gap": 1e-6})
        for m in CURVE_ITERS
    ]
    sections = [("zemgale", None, zem)] + ([] if args.quick else [("large", args.n, large)])
    if args.curve:
        sections = [("curve", args.n, curve), ("large", args.n, large)]
    with tempfile.TemporaryDirectory(prefix="ibm-region-cap-") as tmp:
        for name, n, runs in sections:
            res[name] = _section(name, n, runs, args, Path(tmp))
            if not args.no_save:  # after each section, so a stopped run keeps what it did
                RESULTS.mkdir(parents=True, exist_ok=True)
                _save(res, path)
    if not args.no_save:
        print(f"results written to {path.relative_to(ROOT)}", file=sys.stderr)
    print(_markdown(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
