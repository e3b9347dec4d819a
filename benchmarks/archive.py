"""Benchmark the run archive: store and load a 100,000-participant run (issue 10 targets).

One synthetic Zemgale region (``ibm.synthetic_zemgale(seed=2021)`` scaled to ``--n``
participants in the project's mix, about 8 plan lines each) is allocated once with
``ibm.allocate(workers=2)`` (setup, not timed for the target). Then, for DuckDB (a file in a
temporary directory) and PostgreSQL (``IBM_ENGINE_PG_URL``, or a throwaway cluster started as
the tests start it), ``--repeat`` times: ``store`` (inputs, outputs and record in one
transaction) into a fresh archive, and ``load`` of that run; the median wall seconds are
reported with the targets (DuckDB 15 s, PostgreSQL 30 s each). The loaded tables are checked to
equal the stored ones outside the timings.

    .venv/bin/python benchmarks/archive.py                 # 100,000 participants
    .venv/bin/python benchmarks/archive.py --n 10000 --repeat 1
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd

import ibm_engine as ibm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers.postgres import postgres_server  # the tests' throwaway server

TARGETS = {"duckdb": 15.0, "postgresql": 30.0}
MIX = (502, 510, 276)  # GRT, FT, BSAC of the synthetic region


def _check(run: ibm.io.StoredRun, result: ibm.AllocationResult) -> None:
    for name in ("items", "participants", "rejected"):
        pd.testing.assert_frame_equal(getattr(run, name), getattr(result, name))


def _bench(make_where: object, tables: tuple, result: object, repeat: int) -> dict[str, float]:
    store, load = [], []
    for _ in range(repeat):
        archive = ibm.RunArchive(make_where())  # type: ignore[operator]
        t0 = time.perf_counter()
        run_id = archive.store(result, *tables)
        store.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        run = archive.load(run_id)
        load.append(time.perf_counter() - t0)
        _check(run, result)  # type: ignore[arg-type]
    return {"store": statistics.median(store), "load": statistics.median(load)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="participants")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scale = args.n / sum(MIX)
    n_grt, n_ft = round(MIX[0] * scale), round(MIX[1] * scale)
    p, i, s = ibm.synthetic_zemgale(seed=2021, n_grt=n_grt, n_ft=n_ft, n_bsac=args.n - n_grt - n_ft)
    t0 = time.perf_counter()
    result = ibm.allocate(p, i, s, workers=2)
    took = time.perf_counter() - t0
    print(f"{len(p):,} participants, {len(i):,} plan lines; allocate {took:.1f} s")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        figures["duckdb"] = _bench(
            lambda: Path(tmp) / f"{uuid.uuid4().hex}.duckdb", (p, i, s), result, args.repeat
        )
    with postgres_server() as (url, why):
        if url is None:
            print(f"PostgreSQL skipped: {why}")
        else:
            import psycopg

            def fresh_db() -> str:
                name = f"bench_{uuid.uuid4().hex[:10]}"
                with psycopg.connect(url, autocommit=True) as con:
                    con.execute(f"CREATE DATABASE {name}")
                return f"{url.rpartition('/')[0]}/{name}"

            figures["postgresql"] = _bench(fresh_db, (p, i, s), result, args.repeat)
    print(f"\n{platform.node()}, Python {platform.python_version()}, median of {args.repeat}\n")
    print("| database | store (s) | load (s) | target (s) |")
    print("|---|---:|---:|---:|")
    ok = True
    for db, f in figures.items():
        print(f"| {db} | {f['store']:.1f} | {f['load']:.1f} | {TARGETS[db]:.0f} each |")
        ok &= max(f.values()) <= TARGETS[db]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
