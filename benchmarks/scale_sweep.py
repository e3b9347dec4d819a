"""A scenario sweep on a LocalCluster of 2 single-threaded workers against the serial loop
(issue 13, section 2, at a size this shared machine allows; the issue's 100 scenarios of
100,000 participants are ``--scenarios 100 --participants 100000``, about half an hour).

    .venv/bin/python benchmarks/scale_sweep.py --scenarios 8 --participants 20000

Scenarios: price factors spread over 0.8-1.5 (``ibm.sweep(base, "price", ...)``). Wall seconds
(``time.perf_counter``), cluster start excluded; both sweeps' frames must be equal. Prints one
Markdown row and writes ``benchmarks/results/<date>-<machine>-scale-sweep.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, _machine, _machine_slug

import ibm_engine as ibm
from ibm_engine.scale import SPAWN_ENVIRON, worker_environ


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=8)
    ap.add_argument("--participants", type=int, default=20_000)
    args = ap.parse_args(argv)
    import dask
    from distributed import Client, LocalCluster

    tables = ibm.synthetic_zemgale(seed=2021, scale=args.participants / 1288)
    base = ibm.Baseline(*tables)
    factors = [round(float(x), 4) for x in np.linspace(0.8, 1.5, args.scenarios)]
    t0 = time.perf_counter()
    serial = ibm.sweep(base, "price", factors)
    serial_s = time.perf_counter() - t0
    with (
        dask.config.set({SPAWN_ENVIRON: worker_environ()}),
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        ibm.run_scenarios(ibm.Baseline(*ibm.synthetic_zemgale(1, scale=0.1)),
                          [ibm.Scenario("warm")], client=client)  # fmt: skip
        t0 = time.perf_counter()
        spread = ibm.sweep(base, "price", factors, client=client)
        dask_s = time.perf_counter() - t0
    res = {
        "participants": len(tables[0]),
        "scenarios": args.scenarios,
        "serial_s": round(serial_s, 2),
        "dask_s": round(dask_s, 2),
        "speedup": round(serial_s / dask_s, 2),
        "equal": bool(spread.equals(serial)),
    }
    machine = _machine()
    date = dt.date.today().isoformat()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{date}-{_machine_slug(machine)}-scale-sweep.json"
    path.write_text(json.dumps({**res, "date": date, "machine": machine}, indent=1) + "\n")
    print(f"| {res['scenarios']} scenarios x {res['participants']:,} participants | "
          f"{res['serial_s']} | {res['dask_s']} | {res['speedup']} | {res['equal']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
