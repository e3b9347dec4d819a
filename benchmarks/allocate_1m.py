"""The whole ``ibm.allocate`` at 1,000,000 participants, stage by stage (issue 12's targets).

Run by ``benchmarks/tables_1m.py`` (``make bench-tables``) after its stage comparison, or alone.
One synthetic Zemgale region (default 1,000,000 participants, seed 2021, the project's mix,
26 weeks) is pickled once; each variant then runs in a fresh spawned process that warms up on
a tiny region (imports, the compiled kernels from numba's cache), loads the frames and calls
``ibm.allocate(participants, plan_items, services, workers=W)`` once, record included:

- ``money_only``: without ``family_hours_per_week`` (targets: 10 s wall, 15 CPU s);
- ``as_generated``: about 46% of participants under family-hours caps (target: 15 s wall).

Each stage of the call is timed in place (wall and CPU of the whole process, all threads):
validation + preparation (``tables.prepare``), the input hashes, assembling, the solve, the two
result tables, the output hashes; ``other`` is the rest of the call. Peak memory is the
process's high-water RSS during the call (reset before it, ``/proc/self/clear_refs``) and
before it (loading the frames included). The load average (``uptime``) is recorded before and
after each call: the machine is shared, so CPU seconds are the steadier figure.

Then, at 20,000 participants (``--n-20k``), the whole ``allocate(policy="optimal")`` (one
worker, median of 5) against the per-participant ``scipy.optimize.milp`` loop of
``peers.run_milp`` on a seeded sample (``--milp-n``, default 2,000; 0 = all), extrapolated to
all participants, in the same process: the ratio of CPU seconds (issue 12 aims at 500x).

    python benchmarks/allocate_1m.py --n 200000 --workers 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, _counts, _git, _machine, _machine_slug, _save, _versions

#: the stages of ``allocate`` timed in place: (module, function, label)
STAGES = (
    ("ibm_engine.allocation._pipeline", "prepare", "validate_prepare"),
    ("ibm_engine.allocation._pipeline", "hash_inputs", "input_hashes"),
    ("ibm_engine.allocation._pipeline", "assemble", "assemble"),
    ("ibm_engine.allocation._allocate", "solve_in_threads", "solve"),
    ("ibm_engine.allocation._allocate", "item_table", "item_table"),
    ("ibm_engine.allocation._allocate", "participant_table", "participant_table"),
    ("ibm_engine.allocation._allocate", "hash_outputs", "output_hashes"),
)


def _generate(seed: int, n: int) -> Any:
    from ibm_engine.data import synthetic_zemgale

    n_grt, n_ft, n_bsac = _counts(n)
    return synthetic_zemgale(seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac)


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _wrap(times: dict[str, dict[str, float]]) -> None:
    import importlib

    for modname, name, label in STAGES:
        mod = importlib.import_module(modname)
        fn = getattr(mod, name)

        def timed(*a: Any, _fn: Any = fn, _label: str = label, **k: Any) -> Any:
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                t = times.setdefault(_label, {"wall": 0.0, "cpu": 0.0})
                t["wall"] += time.perf_counter() - w0
                t["cpu"] += time.process_time() - c0

        setattr(mod, name, timed)


def job_1m(src: str, data: str, variant: str, workers: int, queue: Any) -> None:
    """One ``allocate`` call in this (fresh) process; the figures go to ``queue``."""
    sys.path.insert(0, src)
    import ibm_engine as ibm
    from ibm_engine.data import synthetic_zemgale

    ibm.allocate(*synthetic_zemgale(1, n_grt=30, n_ft=30, n_bsac=20), workers=workers)
    with open(data, "rb") as fh:
        people, plan, services = pickle.load(fh)
    capped = float(people["family_hours_per_week"].notna().mean())
    if variant == "money_only":
        people = people.drop(columns=["family_hours_per_week"])
        capped = 0.0
    times: dict[str, dict[str, float]] = {}
    _wrap(times)
    rss0 = _status_mb("VmRSS")
    peak0 = _status_mb("VmHWM")
    reset = _reset_peak()
    load0 = os.getloadavg()
    w0, c0 = time.perf_counter(), time.process_time()
    res = ibm.allocate(people, plan, services, workers=workers)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    load1 = os.getloadavg()
    staged = {k: round(v["wall"], 3) for k, v in times.items()}
    other = {
        "wall": wall - sum(staged.values()),
        "cpu": cpu - sum(v["cpu"] for v in times.values()),
    }
    times["other"] = other
    queue.put(
        {
            "variant": variant,
            "workers": workers,
            "wall_s": wall,
            "cpu_s": cpu,
            "stages": {k: {"wall": v["wall"], "cpu": v["cpu"]} for k, v in times.items()},
            "rss_before_call_mb": rss0,
            "peak_rss_call_mb": _status_mb("VmHWM") if reset else None,
            "peak_rss_before_call_mb": peak0,  # loading the frames included
            "load_before": load0,
            "load_after": load1,
            "hours_capped_share": capped,
            "check": {
                "units": int(res.items["units"].sum()),
                "cost_eur": round(float(res.items["cost_eur"].sum()), 2),
                "value": round(float(res.participants["value"].sum()), 6),
                "proven_optimal": int((res.participants["status"] == "optimal").sum()),
                "record_id": res.record.id if res.record is not None else None,
            },
        }
    )


def job_20k(src: str, n: int, seed: int, milp_n: int, repeat: int, queue: Any) -> None:
    """``allocate`` at ``n`` (median of ``repeat``) and the milp loop, in one process."""
    sys.path.insert(0, src)
    import warnings

    import numpy as np
    import peers

    import ibm_engine as ibm

    warnings.simplefilter("ignore")
    people, plan, services = _generate(seed, n)
    small = people.iloc[:200]
    ibm.allocate(small, plan[plan["participant_id"].isin(small["participant_id"])], services)
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        res = ibm.allocate(people, plan, services, policy="optimal")
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    pids = res.participants["participant_id"].astype(str).to_numpy()
    pick = pids
    if 0 < milp_n < pids.shape[0]:
        pick = np.sort(np.random.default_rng(seed).choice(pids, milp_n, replace=False))
    probs = peers.problems_from_tables(res.items, res.participants, services, 26, list(pick))
    milp = peers.run_milp(probs)
    scale = pids.shape[0] / len(probs)
    values = res.participants.set_index(res.participants["participant_id"].astype(str))["value"]
    diffs = [
        abs(peers.value_of(p, u) - float(values[p.pid]))
        for p, u in zip(probs, milp.units, strict=True)
        if u is not None
    ]
    cpu = statistics.median(cpus)
    queue.put(
        {
            "n": n,
            "allocate_wall_median_s": statistics.median(walls),
            "allocate_cpu_median_s": cpu,
            "allocate_cpu_s": cpus,
            "milp_sample": len(probs),
            "milp_cpu_s_sample": milp.cpu_seconds,
            "milp_wall_s_sample": milp.seconds,
            "milp_cpu_s_extrapolated": milp.cpu_seconds * scale,
            "ratio_cpu": milp.cpu_seconds * scale / cpu,
            "milp_statuses": milp.statuses,
            "max_value_difference": max(diffs, default=0.0),
        }
    )


def _spawn(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, queue))
    p.start()
    out: dict[str, Any] = queue.get()
    p.join()
    return out


def _print_1m(r: dict[str, Any]) -> None:
    peak = r["peak_rss_call_mb"] or float("nan")
    print(
        f"[{r['variant']}, workers={r['workers']}] "
        f"wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s; "
        f"peak RSS {peak:,.0f} MB during the call (before it {r['peak_rss_before_call_mb']:,.0f}"
        f" MB, loading included); "
        f"load {r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f}"
    )
    for stage, t in r["stages"].items():
        share = 100 * t["cpu"] / r["cpu_s"] if r["cpu_s"] else 0.0
        print(
            f"  {stage:20s} wall {t['wall']:6.2f} s  cpu {t['cpu']:6.2f} s  ({share:4.1f}% of CPU)"
        )
    print(f"  check {r['check']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--variant", action="append", choices=("money_only", "as_generated"))
    ap.add_argument("--n-20k", type=int, default=20_000, help="0: skip the 20,000 ratio")
    ap.add_argument("--milp-n", type=int, default=2_000, help="milp sample (0: all)")
    ap.add_argument("--src", default=str(ROOT / "src"))
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    variants = args.variant or ["money_only", "as_generated"]
    src = str(Path(args.src).resolve())
    t0 = time.perf_counter()
    tables = _generate(args.seed, args.n)
    print(
        f"generated {args.n:,} participants, {len(tables[1]):,} plan lines in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    out: dict[str, Any] = {"n": args.n, "plan_lines": len(tables[1]), "seed": args.seed, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "tables.pkl")
        with open(data, "wb") as fh:
            pickle.dump(tables, fh, protocol=5)
        del tables
        for variant in variants:
            r = _spawn(job_1m, src, data, variant, args.workers)
            out["runs"].append(r)
            _print_1m(r)
    if args.n_20k:
        r20 = _spawn(job_20k, src, args.n_20k, args.seed, args.milp_n, 5)
        out["ratio_20k"] = r20
        print(
            f"[{args.n_20k:,}] allocate(policy='optimal') {r20['allocate_cpu_median_s']:.3f} CPU s "
            f"(wall {r20['allocate_wall_median_s']:.3f} s, median of 5); scipy.optimize.milp loop "
            f"{r20['milp_cpu_s_extrapolated']:.1f} CPU s "
            f"(from {r20['milp_sample']:,} participants); "
            f"ratio {r20['ratio_cpu']:.0f}x"
        )
    machine = _machine()
    out.update(machine=machine, versions=_versions(), git=_git(), date=dt.date.today().isoformat())
    if not args.no_save:
        path = _save({"allocate_1m": out}, f"{_machine_slug(machine)}-allocate-1m", out["date"])
        print(f"results written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
