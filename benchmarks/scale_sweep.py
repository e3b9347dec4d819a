"""Issue 13's third scale target: 100 scenarios (prices, pot, team share; no capacities) of a
100,000-participant region as one sweep on a LocalCluster of 2 single-threaded workers, against
the serial loop, in the same run.

    .venv/bin/python benchmarks/scale_sweep.py                     # 100 x 100,000
    .venv/bin/python benchmarks/scale_sweep.py --scenarios 6 --participants 10000

The scenarios: a third price factors (0.8-1.5, every price), a third pot factors (0.7-1.3),
a third team shares (0.3-0.7), in that order. ``ibm.sweep`` varies one parameter, so the mixed
sweep is run as ``sweep(..., client=)`` runs its tasks: the baseline and the baseline's run
sent to every worker once (``client.scatter(..., broadcast=True)``), one task per scenario
that runs it and compares it with the baseline's run (``ibm.run_scenario`` +
``ibm.compare``), only the KPI rows sent back. The serial loop does the same in this process,
one scenario after the other (a run is dropped once compared, as the tasks do). Both start
from the baseline's run (computed once, not timed); the two KPI frames must be equal. Wall
and CPU seconds (the client's, plus the workers' on the cluster), load average before and
after; cluster start and a warm-up excluded. Writes
``benchmarks/results/<date>-<machine>-scale-sweep.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_common import SEED, cluster, load, save, timed

import ibm_engine as ibm


def scenarios(n: int) -> list[ibm.Scenario]:
    """``n`` scenarios: price factors, pot factors and team shares, a third each."""
    k_price, k_pot = (n + 2) // 3, (n + 1) // 3
    k_team = n - k_price - k_pot
    out = [ibm.Scenario(f"price x{f:.4g}", price_factor=round(float(f), 4))
           for f in np.linspace(0.8, 1.5, k_price)]  # fmt: skip
    out += [ibm.Scenario(f"pot x{f:.4g}", pot_factor=round(float(f), 4))
            for f in np.linspace(0.7, 1.3, k_pot)]  # fmt: skip
    out += [ibm.Scenario(f"team share {t:.4g}", team_share=round(float(t), 4))
            for t in np.linspace(0.3, 0.7, k_team)]  # fmt: skip
    return out


def compared(baseline: ibm.Baseline, base: Any, scenario: ibm.Scenario) -> pd.DataFrame:
    """One scenario run and compared with the baseline's run: its KPI rows."""
    return ibm.compare({scenario.name: ibm.run_scenario(baseline, scenario)}, baseline=base)


def serial(baseline: ibm.Baseline, base: Any, todo: list[ibm.Scenario]) -> pd.DataFrame:
    return pd.concat([compared(baseline, base, s) for s in todo], ignore_index=True)


def on_cluster(
    client: Any, baseline: ibm.Baseline, base: Any, todo: list[ibm.Scenario]
) -> pd.DataFrame:
    inputs = client.scatter(baseline, broadcast=True)
    reference = client.scatter(base, broadcast=True)
    futures = [client.submit(compared, inputs, reference, s, pure=False) for s in todo]
    frames: list[pd.DataFrame] = client.gather(futures)
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100)
    ap.add_argument("--participants", type=int, default=100_000)
    args = ap.parse_args(argv)

    tables = ibm.synthetic_zemgale(seed=SEED, scale=args.participants / 1288)
    baseline = ibm.Baseline(*tables)
    todo = scenarios(args.scenarios)
    base = ibm.run_scenario(baseline)  # the reference of both sweeps (and the warm-up)
    res: dict[str, Any] = {
        "participants": len(tables[0]), "plan_items": len(tables[1]),
        "scenarios": len(todo), "seed": SEED, "load_start": load(),
        "kinds": {"price_factor": sum(s.price_factor is not None for s in todo),
                  "pot_factor": sum(s.pot_factor is not None for s in todo),
                  "team_share": sum(s.team_share is not None for s in todo)},
    }  # fmt: skip
    res["serial"], one = timed(None, lambda: serial(baseline, base, todo))
    print("serial", res["serial"], flush=True)
    with cluster(2) as client:
        warm_base = ibm.Baseline(*ibm.synthetic_zemgale(1, scale=0.1))
        on_cluster(client, warm_base, ibm.run_scenario(warm_base), todo[:2])  # not timed
        res["dask"], spread = timed(client, lambda: on_cluster(client, baseline, base, todo))
    print("dask", res["dask"], flush=True)
    res["speedup_wall"] = round(res["serial"]["wall_s"] / res["dask"]["wall_s"], 2)
    res["equal"] = bool(spread.equals(one))
    res["kpi_rows"] = len(one)
    save("scale-sweep", res)
    print(
        "\n| sweep | serial wall (s) | serial CPU (s) | 2 workers wall (s) | 2 workers CPU (s) | "
        "speed-up | equal |\n|---|---:|---:|---:|---:|---:|---|\n"
        f"| {res['scenarios']} scenarios x {res['participants']:,} participants | "
        f"{res['serial']['wall_s']} | {res['serial']['cpu_s']} | {res['dask']['wall_s']} | "
        f"{res['dask']['cpu_s']} | {res['speedup_wall']} | {res['equal']} |"
    )
    print(f"load: serial {res['serial']['load_before']} / {res['serial']['load_after']}, "
          f"dask {res['dask']['load_before']} / {res['dask']['load_after']}")  # fmt: skip
    return 0 if res["equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
