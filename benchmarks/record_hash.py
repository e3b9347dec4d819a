"""What does the record cost? Content hashing against ``ibm.allocate`` at 20,000 participants.

The issue asks that hashing the input and output tables of a run take at most 10% of
``allocate``'s time. One synthetic Zemgale region (seed 2021, the project's mix, 26 weeks) is
pickled once; one worker process per source tree loads it and warms up. For each of
``--repeat`` rounds, every tree and policy (interleaved, so a busy spell of the shared machine
hits all alike) measures:

- ``allocate``: one ``ibm.allocate`` call (which builds the record, hashing included);
- ``hashing``: the hashing of its three input and three output tables the way ``allocate``
  does it: where ``tables.prepare`` can hand over the columns it has converted (its
  ``converted`` argument), the inputs are hashed from those (``prepare`` itself, which
  ``allocate`` runs anyway, is not timed), and where the hashing keeps the inputs' Arrow text
  columns (``TextParts``), the result columns that repeat them are hashed from those; in
  older trees from the tables as given;
- ``from scratch``: the same six hashes from the tables alone (what ``reproduce`` and the
  region layer do).

Wall (``perf_counter``) and CPU (``process_time``) seconds, medians. By default one tree, this
checkout's ``src``; for a before/after comparison in one run::

    git archive <old-commit> src | (mkdir -p /tmp/before && tar -x -C /tmp/before)
    .venv/bin/python benchmarks/record_hash.py --tree before=/tmp/before/src --tree after=src

Prints one Markdown line per tree and policy for ``docs/benchmarks.md`` and writes
``benchmarks/results/<date>-<machine>-record-hash.json`` (``--no-save``: not).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from allocate_20k import interleave, tree_arguments, trees_of
from run import ROOT, _counts, _git, _machine, _machine_slug, _save, _versions

POLICIES = ("priority", "optimal")

#: the worker: load the tables, warm up, then one JSON line per policy read from stdin
WORKER = r"""
import inspect, json, pickle, sys, time, warnings
import ibm_engine as ibm
from ibm_engine.allocation._record import hash_inputs, hash_outputs
from ibm_engine.tables import prepare
with open(sys.argv[1], "rb") as fh:
    people, plan, services = pickle.load(fh)
warnings.simplefilter("ignore")
small = people.iloc[:200]
ibm.allocate(small, plan[plan["participant_id"].isin(small["participant_id"])], services)
reuse = "converted" in inspect.signature(prepare).parameters
keep = "texts" in inspect.signature(hash_inputs).parameters  # result columns reuse input texts
if keep:
    from ibm_engine.tables._hash import TextParts
print(json.dumps({"ready": True, "file": ibm.__file__, "reuse": reuse, "keep": keep}), flush=True)

def hash_all(conv, tables, outs):
    if keep:  # as allocate does it
        texts = TextParts()
        hash_inputs(conv, texts, **tables)
        hash_outputs(texts, **outs)
    elif reuse:
        hash_inputs(conv, **tables)
        hash_outputs(**outs)
    else:
        hash_inputs(**tables)
        hash_outputs(**outs)

def clock(f):
    w0, c0 = time.perf_counter(), time.process_time()
    f()
    return time.perf_counter() - w0, time.process_time() - c0

for line in sys.stdin:
    policy = line.strip()
    if not policy:
        break
    res = None
    def run():
        global res
        res = ibm.allocate(people, plan, services, policy=policy)
    alloc = clock(run)
    outs = {"items": res.items, "participants": res.participants, "rejected": res.rejected}
    conv = {}
    if reuse:
        prepare(people, plan, services, converted=conv)
    tables = {"participants": people, "plan_items": plan, "services": services}
    inside = clock(lambda: hash_all(conv, tables, outs))
    scratch = clock(lambda: (hash_inputs(**tables), hash_outputs(**outs)))
    hashes = {k: h.hex for k, h in hash_outputs(**outs).items()}
    hashes.update({"in_" + k: h.hex for k, h in hash_inputs(**tables).items()})
    print(json.dumps({"allocate": alloc, "inside": inside, "scratch": scratch,
                      "record_id": res.record.id, "hashes": hashes}), flush=True)
"""


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("allocate", "inside", "scratch"):
        out[f"{key}_wall_median_s"] = statistics.median(r[key][0] for r in runs)
        out[f"{key}_cpu_median_s"] = statistics.median(r[key][1] for r in runs)
        out[f"{key}_wall_s"] = [round(r[key][0], 4) for r in runs]
    out["ratio_cpu"] = out["inside_cpu_median_s"] / out["allocate_cpu_median_s"]
    out["ratio_wall"] = out["inside_wall_median_s"] / out["allocate_wall_median_s"]
    out["record_id"] = runs[0]["record_id"]
    out["hashes"] = runs[0]["hashes"]
    out["same_every_run"] = len({json.dumps(r["hashes"], sort_keys=True) for r in runs}) == 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = tree_arguments(__doc__.split("\n")[0])
    ap.add_argument("--policy", action="append", choices=POLICIES)
    args = ap.parse_args(argv)
    trees = trees_of(args)
    policies = args.policy or list(POLICIES)

    from ibm_engine.data import synthetic_zemgale

    n_grt, n_ft, n_bsac = _counts(args.n)
    people, plan, services = synthetic_zemgale(args.seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac)
    print(f"{len(people)} participants, {len(plan)} plan items", file=sys.stderr)
    runs, workers = interleave(trees, (people, plan, services), policies, args.repeat, WORKER)
    machine = _machine()
    res = {
        "n": args.n,
        "plan_lines": len(plan),
        "seed": args.seed,
        "repeat": args.repeat,
        "trees": {
            w.label: {
                "file": w.file,
                "inputs_from_prepare": w.hello["reuse"],
                "outputs_reuse_input_texts": w.hello.get("keep", False),
            }
            for w in workers
        },
        "results": {f"{label}/{policy}": _summary(rs) for (label, policy), rs in runs.items()},
        "machine": machine,
        "versions": _versions(),
        "git": _git(),
        "date": dt.date.today().isoformat(),
    }
    print("| tree / policy | `allocate` CPU (s) | hashing in `allocate` CPU (ms) | ratio | "
          "from scratch CPU (ms) | wall: `allocate` (s), hashing (ms) |")  # fmt: skip
    for key, s in res["results"].items():
        print(
            f"| {key} | {s['allocate_cpu_median_s']:.2f} | {s['inside_cpu_median_s'] * 1e3:.1f} "
            f"| {s['ratio_cpu']:.1%} | {s['scratch_cpu_median_s'] * 1e3:.1f} "
            f"| {s['allocate_wall_median_s']:.2f}, {s['inside_wall_median_s'] * 1e3:.1f} |"
        )
    for policy in policies:  # the trees must agree on every hash and on the record id
        of = [s for k, s in res["results"].items() if k.endswith("/" + policy)]
        same = len({json.dumps([s["hashes"], s["record_id"]], sort_keys=True) for s in of})
        print(f"{policy}: same hashes and record id ({of[0]['record_id']}) in every tree: "
              f"{same == 1 and all(s['same_every_run'] for s in of)}")  # fmt: skip
    if not args.no_save:
        date = res["date"]
        path = _save({"record_hash": res}, f"{_machine_slug(machine)}-record-hash", date)
        print(f"results written to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
