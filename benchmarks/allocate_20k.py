"""Is ``ibm.allocate`` still as fast? Interleaved timings at 20,000 participants.

One synthetic Zemgale region (``ibm_engine.data.synthetic_zemgale``, seed 2021, the project's
mix, 26 weeks) is pickled once; then one long-lived worker process per source tree loads it,
warms up (imports, a first small call), and waits for orders. The parent interleaves the
measurements: for each of ``--repeat`` rounds, every tree runs ``policy="optimal"`` then
``policy="priority"``, so that slow spells of a shared machine hit all of them alike. Each
measurement is one ``ibm.allocate`` call: wall (``time.perf_counter``) and CPU
(``time.process_time``) seconds; medians are reported.

By default there is one tree, this checkout's ``src`` (``after``). For a before/after
comparison, export the old source and name both trees::

    git worktree add /tmp/before <old-commit>   # or: git archive <commit> | tar -x -C /tmp/b
    .venv/bin/python benchmarks/allocate_20k.py --tree before=/tmp/before/src --tree after=src

Writes ``benchmarks/results/<date>-<machine>-allocate-20k.json`` (a later run of the same day
and machine replaces it) and prints one Markdown line per tree and policy for
``docs/benchmarks.md``: tree/policy, participants, wall and CPU medians (s), every wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, _counts, _git, _machine, _machine_slug, _save, _versions

POLICIES = ("optimal", "priority")

#: the worker: load the tables, warm up, then one JSON line per order read from stdin
WORKER = r"""
import json, pickle, sys, time, warnings
import ibm_engine as ibm
with open(sys.argv[1], "rb") as fh:
    people, plan, services, weeks = pickle.load(fh)
warnings.simplefilter("ignore")
small = people.iloc[:200]
ibm.allocate(small, plan[plan["participant_id"].isin(small["participant_id"])], services,
             period_weeks=weeks)
print(json.dumps({"ready": True, "file": ibm.__file__}), flush=True)
for line in sys.stdin:
    policy = line.strip()
    if not policy:
        break
    w0, c0 = time.perf_counter(), time.process_time()
    res = ibm.allocate(people, plan, services, policy=policy, period_weeks=weeks)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    value = float(res.participants["value"].sum())
    optimal = int((res.participants["status"] == "optimal").sum())
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "value": value, "optimal": optimal}),
          flush=True)
"""


class Worker:
    """One source tree's worker process (``script``: what it runs; ``WORKER`` by default)."""

    def __init__(self, label: str, src: Path, data: Path, script: str = WORKER) -> None:
        env = dict(os.environ, PYTHONPATH=str(src), OMP_NUM_THREADS="1")
        self.label = label
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, str(data)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.hello = self._read()
        self.file = self.hello["file"]

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.label} died")
        out: dict[str, Any] = json.loads(line)
        return out

    def run(self, policy: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(policy + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def interleave(
    trees: list[list[str]],
    tables: tuple[Any, ...],
    policies: tuple[str, ...] | list[str],
    repeat: int,
    script: str = WORKER,
) -> tuple[dict[tuple[str, str], list[dict[str, Any]]], list[Worker]]:
    """``tables`` pickled once, one worker per ``LABEL=SRC`` tree running ``script``; each of
    ``repeat`` rounds runs every tree and policy in turn. The measurements per (tree, policy)."""
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "tables.pkl"
        with open(data, "wb") as fh:
            pickle.dump(tables, fh, protocol=5)
        workers = [Worker(label, Path(src).resolve(), data, script) for label, src in trees]
        try:
            for r in range(repeat):
                for w in workers:
                    for policy in policies:
                        runs.setdefault((w.label, policy), []).append(w.run(policy))
                print(f"round {r + 1}/{repeat} done", file=sys.stderr)
        finally:
            for w in workers:
                w.close()
    return runs, workers


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "wall_median_s": statistics.median(r["wall_s"] for r in runs),
        "cpu_median_s": statistics.median(r["cpu_s"] for r in runs),
        "wall_s": [round(r["wall_s"], 3) for r in runs],
        "cpu_s": [round(r["cpu_s"], 3) for r in runs],
        "value_sum": runs[0]["value"],
        "optimal": runs[0]["optimal"],
        "same_answer_every_run": len({(r["value"], r["optimal"]) for r in runs}) == 1,
    }


def tree_arguments(description: str) -> argparse.ArgumentParser:
    """The arguments of the interleaved before/after benchmarks (this one and
    ``record_hash.py``): participants, seed, rounds, source trees, whether to save."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--n", type=int, default=20_000, help="participants")
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds")
    ap.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="LABEL=SRC",
        help="a source tree to time (repeatable); default after=<this checkout>/src",
    )
    ap.add_argument("--no-save", action="store_true")
    return ap


def trees_of(args: argparse.Namespace) -> list[list[str]]:
    """The ``--tree`` arguments as (label, source) pairs; this checkout's by default."""
    return [t.split("=", 1) for t in args.tree] or [["after", str(ROOT / "src")]]


def main(argv: list[str] | None = None) -> int:
    ap = tree_arguments(__doc__.split("\n")[0])
    ap.add_argument("--period-weeks", type=int, default=26)
    args = ap.parse_args(argv)
    trees = trees_of(args)

    from ibm_engine.data import synthetic_zemgale

    n_grt, n_ft, n_bsac = _counts(args.n)
    people, plan, services = synthetic_zemgale(
        args.seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac, period_weeks=args.period_weeks
    )
    runs, workers = interleave(
        trees, (people, plan, services, args.period_weeks), POLICIES, args.repeat
    )
    machine = _machine()
    res = {
        "n": args.n,
        "plan_lines": len(plan),
        "seed": args.seed,
        "period_weeks": args.period_weeks,
        "repeat": args.repeat,
        "trees": {w.label: w.file for w in workers},
        "results": {f"{label}/{policy}": _summary(rs) for (label, policy), rs in runs.items()},
        "machine": machine,
        "versions": _versions(),
        "git": _git(),
        "date": dt.date.today().isoformat(),
    }
    for key, s in res["results"].items():
        print(
            f"| {key} | {args.n:,} | {s['wall_median_s']:.2f} | {s['cpu_median_s']:.2f} "
            f"| {', '.join(f'{x:.2f}' for x in s['wall_s'])} |"
        )
    if not args.no_save:
        date = res["date"]
        path = _save({"allocate_20k": res}, f"{_machine_slug(machine)}-allocate-20k", date)
        print(f"results written to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
