"""What does the record cost? Content hashing against ``ibm.allocate`` at 20,000 participants.

The issue asks that hashing the input and output tables of a run take at most 10% of
``allocate``'s time. One synthetic Zemgale region (seed 2021, the project's mix, 26 weeks);
for each of ``--repeat`` rounds: one ``ibm.allocate`` call (which builds the record, hashing
included) and, separately, hashing its three input and three output tables the way
``allocate`` does. Prints the medians and the ratio hashing / allocate per policy::

    .venv/bin/python benchmarks/record_hash.py --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import _counts

import ibm_engine as ibm
from ibm_engine.allocation._record import hash_inputs, hash_outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--policy", action="append", choices=("optimal", "priority"))
    args = parser.parse_args()
    n_grt, n_ft, n_bsac = _counts(args.n)
    people, plan, services = ibm.synthetic_zemgale(seed=2021, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac)
    warnings.simplefilter("ignore")
    print(f"{len(people)} participants, {len(plan)} plan items")
    for policy in args.policy or ["priority", "optimal"]:
        run_s, hash_s = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = ibm.allocate(people, plan, services, policy=policy)
            run_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            hash_inputs(participants=people, plan_items=plan, services=services)
            hash_outputs(items=res.items, participants=res.participants, rejected=res.rejected)
            hash_s.append(time.perf_counter() - t0)
        a, h = statistics.median(run_s), statistics.median(hash_s)
        print(f"| {policy} | allocate {a:.2f} s | hashing {h:.3f} s | ratio {h / a:.1%} |")


if __name__ == "__main__":
    main()
