"""The table stages of ``ibm.allocate`` at scale (issue 12), before and after.

Draws one synthetic Zemgale region (default 1,000,000 participants, seed 2021, the project's
mix), then, in a fresh spawned process per source tree (``--tree name=path/to/src``), times
the stages one thread each: ``prepare`` (validation and preparation, with the converted
columns kept for the record as ``allocate`` does), ``assemble`` (canonical arrays and weights),
and the two result tables (``item_table``, ``participant_table``). The solve between them is
not timed: the result tables are built from ``solve_priority``'s answer (the same in every
tree). Wall and CPU seconds per stage (the best of ``--repeat`` runs in the same process: the
machine is shared), and the process's peak RSS (input tables included).

    python benchmarks/tables_1m.py --tree before=.bench-before/src --tree after=src

Then (unless ``--no-end-to-end``) ``allocate_1m.py`` on this checkout: the whole
``ibm.allocate(workers=2)`` at ``--n``, money only and as generated, stage by stage, and the
20,000 ratio against the per-participant ``scipy.optimize.milp`` loop.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import pickle
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_MIX = (502, 510, 276)


def _counts(n: int) -> tuple[int, int, int]:
    total = sum(_MIX)
    n_grt = round(n * _MIX[0] / total)
    n_ft = round(n * _MIX[1] / total)
    return n_grt, n_ft, n - n_grt - n_ft


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0, time.process_time() - c0


def _maxrss() -> float:
    """The process's peak RSS so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _job(src: str, data: str, repeat: int, queue: Any) -> None:
    sys.path.insert(0, src)
    import ibm_engine as ibm
    from ibm_engine.allocation import _allocate as al
    from ibm_engine.allocation._merge import RankMerge
    from ibm_engine.allocation._problem import assemble
    from ibm_engine.data import synthetic_zemgale
    from ibm_engine.tables import prepare

    assert ibm.__file__.startswith(str(Path(src).resolve())), ibm.__file__
    tiny = synthetic_zemgale(1, n_grt=30, n_ft=30, n_bsac=20)
    ibm.allocate(*tiny)
    with open(data, "rb") as fh:
        participants, plan_items, services = pickle.load(fh)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs = []
    for _ in range(repeat):
        stages: dict[str, dict[str, float]] = {}
        converted: dict[str, Any] = {}
        prep, w, c = _timed(prepare, participants, plan_items, services, converted=converted)
        del converted
        stages["validate_prepare"] = {"wall": w, "cpu": c, "maxrss_mb": _maxrss()}
        asm, w, c = _timed(assemble, prep, 0.5, RankMerge())
        stages["assemble"] = {"wall": w, "cpu": c, "maxrss_mb": _maxrss()}
        sol = al.solve_priority(asm.batch)
        stages["solve_priority (not timed)"] = {"wall": 0.0, "cpu": 0.0, "maxrss_mb": _maxrss()}
        items, w1, c1 = _timed(al.item_table, prep, asm, sol)
        parts, w2, c2 = _timed(al.participant_table, prep, asm, sol, "priority", items)
        stages["item_table"] = {"wall": w1, "cpu": c1}
        stages["participant_table"] = {"wall": w2, "cpu": c2}
        stages["result_tables"] = {"wall": w1 + w2, "cpu": c1 + c2, "maxrss_mb": _maxrss()}
        check = {
            "units": int(items["units"].sum()),
            "cost_eur": round(float(items["cost_eur"].sum()), 2),
            "value": round(float(parts["value"].sum()), 6),
            "items": len(items),
            "participants": len(parts),
        }
        runs.append({"stages": stages, "check": check})
        del prep, asm, sol, items, parts
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"runs": runs, "maxrss_loaded_mb": rss0, "maxrss_mb": peak})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--tree", action="append", default=[], help="name=path/to/src")
    ap.add_argument("--out", default=None, help="JSON file (default: results/<date>-tables.json)")
    ap.add_argument(
        "--no-end-to-end",
        action="store_true",
        help="skip allocate_1m.py (the whole allocate(workers=2) at --n, and the 20,000 ratio)",
    )
    args = ap.parse_args()
    trees = [t.split("=", 1) for t in (args.tree or ["after=src"])]
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent / "src"))
    from ibm_engine.data import synthetic_zemgale

    n_grt, n_ft, n_bsac = _counts(args.n)
    t0 = time.perf_counter()
    tables = synthetic_zemgale(args.seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac)
    gen = time.perf_counter() - t0
    print(f"generated {args.n:,} participants, {len(tables[1]):,} plan lines in {gen:.1f} s")
    ctx = mp.get_context("spawn")
    out: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": platform.node(),
        "n": args.n,
        "plan_lines": len(tables[1]),
        "seed": args.seed,
        "trees": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "tables.pkl")
        with open(data, "wb") as fh:
            pickle.dump(tables, fh, protocol=5)
        del tables
        for name, src in trees:
            queue = ctx.Queue()
            p = ctx.Process(target=_job, args=(str(Path(src).resolve()), data, args.repeat, queue))
            p.start()
            res = queue.get()
            p.join()
            out["trees"][name] = res
            last = res["runs"][-1]
            res["best"] = {
                stage: {k: min(r["stages"][stage][k] for r in res["runs"]) for k in ("wall", "cpu")}
                for stage in last["stages"]
            }
            print(f"[{name}] peak RSS {res['maxrss_mb']:,.0f} MB; check {last['check']}")
            for stage, t in res["best"].items():
                peak = last["stages"][stage].get("maxrss_mb")
                at = f"  peak RSS so far {peak:,.0f} MB" if peak is not None else ""
                print(f"  {stage:26s} wall {t['wall']:6.2f} s  cpu {t['cpu']:6.2f} s{at}")
    checks = {json.dumps(r["runs"][-1]["check"]) for r in out["trees"].values()}
    print("same results in every tree" if len(checks) == 1 else "RESULTS DIFFER between trees")
    path = Path(args.out or here / "results" / f"{out['date']}-{out['machine']}-tables.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")
    if not args.no_end_to_end:  # the targets of issue 12 on the whole call (this checkout)
        sys.path.insert(0, str(here))
        import allocate_1m

        allocate_1m.main(["--n", str(args.n), "--seed", str(args.seed)])


if __name__ == "__main__":
    main()
