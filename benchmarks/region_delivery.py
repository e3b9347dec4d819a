"""Benchmark the region delivery pipeline: 100,000 participants x 12 months (issue 4 target).

One synthetic Zemgale region (``ibm_engine.data.synthetic_zemgale`` with the project's mix,
``--n`` participants, a 52-week plan period) is allocated once with ``ibm.allocate`` (setup,
timed but not part of the target), then ``--repeat`` times (median reported):

1. ``plan``: ``plan_delivery(result, 2020-01-01, 12)`` (item x month matrices);
2. ``simulate``: ``simulate_delivery`` with the COVID-19 2020 closure replay
   (``covid_2020_disruptions()``) and ``--pause-share`` of the participants pausing all their
   services for three weeks in February;
3. ``replan``: ``replan_after(delivery, June)`` (closure money moved to July .. December);
4. ``resimulate``: ``simulate_delivery`` of the new plan under the same disruptions;
5. ``prefinancing``: quarterly reports with a one-month lag;
6. ``indicators``: participants receiving each service group (``indicators(delivery)``).

``target_s`` is the sum of stages 1-5 (the issue's target: at most 30 s). The long
participant-item-month table (``Delivery.frame``) is timed on its own (``frame``) since it is
built on demand. Each stage has wall (``time.perf_counter``) and CPU (``time.process_time``)
seconds and the process's peak RSS when it ended. Checks (planned units = allocated units,
delivered <= planned, pre-financing reconciles with delivered spend to the cent, budgets kept
after re-planning) run outside the timed stages.

Writes ``benchmarks/results/<date>-<machine>-region-delivery.json`` and prints a Markdown table.

    .venv/bin/python benchmarks/region_delivery.py                 # 100,000 x 12 months
    .venv/bin/python benchmarks/region_delivery.py --n 10000 --repeat 1 --no-save
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, _counts, _git, _machine, _machine_slug, _versions  # benchmarks/ script

START = dt.date(2020, 1, 1)
MONTHS = 12
TARGET_STAGES = ("plan", "simulate", "replan", "resimulate", "prefinancing")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _timed(out: dict[str, dict[str, float]], name: str, fn: Callable[[], Any]) -> Any:
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    out[name] = {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "maxrss_mb": _rss_mb(),
    }
    return value


def _pauses(participants: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = participants["participant_id"].to_numpy()
    pick = rng.choice(ids, size=round(share * len(ids)), replace=False)
    return pd.DataFrame(
        {"participant_id": pick, "service": "", "from_date": "2020-02-03", "to_date": "2020-02-23"}
    )


def _check(
    result: Any, plan: Any, delivery: Any, new_plan: Any, redelivery: Any, cash: Any
) -> dict[str, Any]:
    """Invariants of one repeat (outside the timed stages); ``cash`` is of ``redelivery``."""
    from ibm_engine.region import UNDERSPEND_REASONS

    items = result.items
    planned_ok = int(plan.planned.sum()) == int(items["units"].sum())
    delivered_ok = bool((delivery.delivered <= plan.planned).all())
    spent = int(redelivery.delivered_cents().sum())
    paid = int(cash.monthly["paid_cents"].sum())
    reimbursed = int(cash.monthly["reimbursed_cents"].sum())
    price = new_plan.items["price_cents"].to_numpy(np.int64)
    pos = 5  # June
    after = (delivery.delivered[:, : pos + 1] * price[:, None]).sum(1) + (
        new_plan.planned[:, pos + 1 :] * price[:, None]
    ).sum(1)
    per = pd.Series(after).groupby(new_plan.items["participant_id"].to_numpy()).sum()
    budget = new_plan.items.groupby("participant_id")["budget_cents"].first()
    codes = np.bincount(delivery.reason.ravel(), minlength=len(UNDERSPEND_REASONS))
    return {
        "planned_equals_allocated": planned_ok,
        "delivered_le_planned": delivered_ok,
        "prefinancing_reconciles_to_the_cent": spent == paid == reimbursed,
        "budgets_kept_after_replan": bool((per <= budget.reindex(per.index)).all()),
        "item_months_by_reason": {
            (r or "delivered_as_planned"): int(c)
            for r, c in zip(UNDERSPEND_REASONS, codes, strict=True)
        },
        "planned_units": int(plan.planned.sum()),
        "delivered_units": int(delivery.delivered.sum()),
        "delivered_eur": int(delivery.delivered_cents().sum()) / 100,
        "delivered_eur_after_replan": spent / 100,
        "extra_units_replanned": int(new_plan.planned.sum() - plan.planned.sum()),
    }


def run(n: int, seed: int, repeat: int, pause_share: float, frame: bool) -> dict[str, Any]:
    import ibm_engine as ibm
    from ibm_engine.data import synthetic_zemgale
    from ibm_engine.region import (
        covid_2020_disruptions,
        indicators,
        plan_delivery,
        prefinancing,
        replan_after,
        simulate_delivery,
    )

    setup: dict[str, dict[str, float]] = {}
    n_grt, n_ft, n_bsac = _counts(n)
    tables = _timed(
        setup,
        "generate",
        lambda: synthetic_zemgale(seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac, period_weeks=52),
    )
    result = _timed(setup, "allocate", lambda: ibm.allocate(*tables, period_weeks=52))
    covid = covid_2020_disruptions()
    pauses = _pauses(tables[0], pause_share, seed)
    runs: list[dict[str, dict[str, float]]] = []
    checks: dict[str, Any] = {}
    for _ in range(repeat):
        st: dict[str, dict[str, float]] = {}
        plan = _timed(st, "plan", lambda: plan_delivery(result, START, MONTHS))
        d = _timed(st, "simulate", lambda: simulate_delivery(plan, covid, pauses))  # noqa: B023
        new = _timed(st, "replan", lambda: replan_after(d, 5))  # noqa: B023
        d2 = _timed(st, "resimulate", lambda: simulate_delivery(new, covid, pauses))  # noqa: B023
        cash = _timed(st, "prefinancing", lambda: prefinancing(d2, "quarterly", 1))  # noqa: B023
        _timed(st, "indicators", lambda: indicators(d2))  # noqa: B023
        if frame:
            _timed(st, "frame", lambda: len(d.frame))  # noqa: B023
        st["target"] = {
            "wall_s": sum(st[s]["wall_s"] for s in TARGET_STAGES),
            "cpu_s": sum(st[s]["cpu_s"] for s in TARGET_STAGES),
            "maxrss_mb": _rss_mb(),
        }
        runs.append(st)
        checks = _check(result, plan, d, new, d2, cash)
    stages = {
        name: {
            "wall_s": statistics.median(r[name]["wall_s"] for r in runs),
            "cpu_s": statistics.median(r[name]["cpu_s"] for r in runs),
            "wall_s_all": [r[name]["wall_s"] for r in runs],
            "maxrss_mb": max(r[name]["maxrss_mb"] for r in runs),
        }
        for name in runs[0]
    }
    return {
        "n": n,
        "seed": seed,
        "months": MONTHS,
        "start": START.isoformat(),
        "period_weeks": 52,
        "repeat": repeat,
        "pause_share": pause_share,
        "plan_lines": len(tables[1]),
        "allocated_items": int((result.items["units"] > 0).sum()),
        "item_months": int((result.items["units"] > 0).sum()) * MONTHS,
        "setup": setup,
        "stages": stages,
        "target_s": 30.0,
        "target_met": stages["target"]["wall_s"] <= 30.0,
        "checks": checks,
        "peak_rss_mb": _rss_mb(),
    }


def _markdown(res: dict[str, Any]) -> str:
    r = res["region_delivery"]
    lines = [
        f"### Region delivery: {r['n']:,} participants x {r['months']} months "
        f"({r['item_months']:,} item-months; median of {r['repeat']})",
        "",
        "| stage | wall (s) | CPU (s) | peak RSS at end (MB) |",
        "|---|---:|---:|---:|",
    ]
    for name, s in {**r["setup"], **r["stages"]}.items():
        lines.append(f"| {name} | {s['wall_s']:.2f} | {s['cpu_s']:.2f} | {s['maxrss_mb']:.0f} |")
    met = "met" if r["target_met"] else "NOT met"
    lines += ["", f"target (plan + simulate + replan + resimulate + prefinancing <= 30 s): {met}"]
    lines += [f"checks: {json.dumps(r['checks'])}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="participants")
    ap.add_argument("--seed", type=int, default=2021, help="seed of synthetic_zemgale")
    ap.add_argument("--repeat", type=int, default=3, help="timed repeats (median reported)")
    ap.add_argument("--pause-share", type=float, default=0.1, help="participants who pause")
    ap.add_argument("--no-frame", action="store_true", help="skip timing Delivery.frame")
    ap.add_argument("--no-save", action="store_true", help="do not write the JSON result")
    args = ap.parse_args(argv)
    machine = _machine()
    date = dt.date.today().isoformat()
    res: dict[str, Any] = {"date": date, "machine": machine, "versions": _versions()}
    info: dict[str, Any] = {"git": _git(), "loadavg_at_start": os.getloadavg()}
    res["region_delivery"] = run(
        args.n, args.seed, args.repeat, args.pause_share, not args.no_frame
    )
    info["loadavg_at_end"] = os.getloadavg()
    res["region_delivery"]["run_info"] = info
    print(_markdown(res))
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{date}-{_machine_slug(machine)}-region-delivery.json"
        path.write_text(json.dumps(res, indent=1, default=str) + "\n")
        print(f"\nwritten: {path.relative_to(RESULTS.parent.parent)}")
    return 0 if res["region_delivery"]["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
