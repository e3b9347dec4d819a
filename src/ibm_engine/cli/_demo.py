"""``ibm-engine demo``: the synthetic Zemgale region under both policies, side by side."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from ibm_engine import __version__
from ibm_engine._tolerances import VALUE_TOL
from ibm_engine.allocation._status import count
from ibm_engine.cli._text import figures, pct, render
from ibm_engine.data import synthetic_zemgale
from ibm_engine.io import (
    AllocationTables,
    allocate_in_chunks,
)
from ibm_engine.solve import needs_compiling

#: said before the first solve when numba has no cached machine code yet (docs/benchmarks.md)
COMPILING = "Compiling the optimiser (first run only, about a minute)..."


def _group_row(name: Sequence[str], f: dict[str, float]) -> list[str]:
    return [
        *name,
        f"{f['participants']:,.0f}",
        f"{f['budget']:,.0f}",
        f"{f['spent']:,.0f}",
        f"{f['value']:,.1f}",
        f"{f['max']:,.1f}",
        pct(f["value"], f["max"]),
        *(f"{f[k]:,.0f}" for k in ("funded", "partly", "not", "other")),
    ]


def _by_group(t: AllocationTables) -> str:
    keys = ["municipality", "target_group"]
    group_of = t.participants.set_index("participant_id")[keys]
    items = t.items.join(group_of, on="participant_id")
    rows = [
        [
            "municipality",
            "group",
            "people",
            "budget EUR",
            "spent EUR",
            "value",
            "max value",
            "coverage",
            "funded",
            "partly",
            "not funded",
            "ineligible",
        ]
    ]
    item_groups = dict(list(items.groupby(keys, sort=False)))
    for key, part in t.participants.groupby(keys, sort=True):
        sub = AllocationTables(item_groups.get(key, items.iloc[:0]), part, t.rejected)
        rows.append(_group_row([str(k) for k in key], figures(sub)))
    rows.append(_group_row(["Total", ""], figures(t)))
    return render(rows, left=2, total=True)


def _compare(opt: AllocationTables, pri: AllocationTables) -> str:
    a, b = figures(opt), figures(pri)
    lines = [
        ("total value", "value", 1),
        ("max value", "max", 1),
        ("spent EUR", "spent", 0),
        ("items funded", "funded", 0),
        ("items partly funded", "partly", 0),
        ("items not funded", "not", 0),
    ]
    rows = [["", "optimal", "priority", "difference"]]
    for title, k, dec in lines:
        rows.append([title, f"{a[k]:,.{dec}f}", f"{b[k]:,.{dec}f}", f"{a[k] - b[k]:+,.{dec}f}"])
    rows.append(["coverage", pct(a["value"], a["max"]), pct(b["value"], b["max"]), ""])
    va = opt.participants["value"].to_numpy()
    by_id = pri.participants.set_index("participant_id")["value"]
    vb = by_id.reindex(opt.participants["participant_id"]).to_numpy()
    gain = va - vb
    up, down = gain > VALUE_TOL, gain < -VALUE_TOL
    avg = float(gain[up].mean()) if up.any() else 0.0
    base = float(vb[up].sum())
    rel = float(gain[up].sum()) / base if base > 0 else 0.0
    return (
        render(rows)
        + f"\n\nParticipants better off under optimal: {int(up.sum()):,} of {len(va):,}"
        + f" ({pct(up.sum(), len(va))}),\non average +{avg:.3f} value each"
        + f" (+{100 * rel:.1f}% on their value under priority); worse off: {int(down.sum()):,}"
    )


DEMO_EPILOG = """\
example:
  ibm-engine demo --seed 7 --scale 10 --workers 2"""


def run_demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    p, i, s = synthetic_zemgale(args.seed, scale=args.scale, period_weeks=args.period_weeks)
    print(
        f"ibm-engine {__version__} demo: synthetic Zemgale region, seed {args.seed}, "
        f"{count(len(p), 'participant')}, {count(len(i), 'plan item')}, "
        f"{count(args.period_weeks, 'week')}"
    )
    if needs_compiling():  # on stderr: stdout keeps the report
        print(COMPILING, file=sys.stderr, flush=True)
    runs = {
        policy: allocate_in_chunks(
            p,
            i,
            s,
            policy=policy,
            period_weeks=args.period_weeks,
            team_share=args.team_share,
            workers=args.workers,
            chunk_size=args.chunk_size,
            progress=sys.stderr,
            label=f"{policy}: ",
        )
        for policy in ("optimal", "priority")
    }
    print("\nOptimal allocation by municipality and target group\n")
    print(_by_group(runs["optimal"]))
    print("coverage = value / max value; ineligible = no catalogue row or cap below the minimum")
    print("\nOptimal vs priority (items in joint-list order, each given the most that fits)\n")
    print(_compare(runs["optimal"], runs["priority"]))
    print(f"\nDone in {time.perf_counter() - start:.1f} s")
    return 0
