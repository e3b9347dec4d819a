"""Benchmark ``ibm.allocate(policy="optimal")`` against per-participant solver loops.

One run, one synthetic Zemgale region (``ibm_engine.data.synthetic_zemgale``):

1. the engine on ``--n`` participants (default 20,000), timed in a fresh process with its
   stages (validation, assembly, solve passes, result tables) and peak memory;
2. two peers on the same per-participant problems, built from the engine's result tables:
   a ``scipy.optimize.milp`` loop and an OR-Tools CP-SAT loop (1 worker), timed on a seeded
   random sample of ``--peer-n`` participants and extrapolated to ``--n``; every answer is
   re-checked and its value compared with the engine's;
3. optionally (``--scale-n 1000000``) a scale run: one process, then two processes over
   halves of the participants (round-robin split), each with its stages and peak memory;
4. optionally (``--profile-n``) a cProfile of one engine run, top functions saved.

Writes ``benchmarks/results/<date>-<machine>.json`` (sections of earlier runs of the same
day and machine are kept) and prints a Markdown table.

    .venv/bin/python benchmarks/run.py                     # what `make bench` runs
    .venv/bin/python benchmarks/run.py --scale-n 1000000   # the 1M run (long, see docs)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import math
import os
import pickle
import platform
import pstats
import queue as queue_mod
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # benchmarks/ is not a package: run as a script, its folder on sys.path
from engine_job import engine_job

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
#: the project's needs assessments: 502 GRT, 510 FT, 276 BSAC (synthetic_zemgale defaults)
_MIX = (502, 510, 276)


# ---------------------------------------------------------------------------- environment


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    extra: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        cpu = m.group(1).strip() if m else cpu
        for key in ("cpu family", "model", "cpu MHz", "cache size"):
            m = re.search(rf"^{key}\s*:\s*(.+)$", text, re.M)
            if m:
                extra[key] = m.group(1).strip()
    except OSError:
        pass
    ram_gb = float("nan")
    try:
        m = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        ram_gb = int(m.group(1)) / 1024**2 if m else ram_gb
    except OSError:
        pass
    return {"cpu": cpu, "cpuinfo": extra, "cores": os.cpu_count(), "ram_gb": round(ram_gb, 1)}


def _machine_slug(machine: dict[str, Any]) -> str:
    cpu = re.sub(r"[^a-z0-9]+", "-", machine["cpu"].lower()).strip("-")
    return f"{cpu}-{machine['cores']}c-{round(machine['ram_gb'])}gb"


def _versions() -> dict[str, str]:
    import scipy

    import ibm_engine

    out = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "ibm_engine": ibm_engine.__version__,
    }
    try:
        import ortools

        out["ortools"] = ortools.__version__
    except ImportError:
        out["ortools"] = "not installed"
    return out


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        res = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return res.stdout.rstrip("\n")

    dirty = [ln[3:] for ln in run("status", "--porcelain", "--", "src").splitlines()]
    return {
        "commit": run("rev-parse", "HEAD"),
        "src_uncommitted": dirty,
        "src_hash": _src_hash(),
    }


def _src_hash() -> str:
    """Hash of the engine's source as it is on disk now (others may be editing it)."""
    h = hashlib.sha1()
    for f in sorted((ROOT / "src" / "ibm_engine").rglob("*.py")):
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------------- data


def _counts(n: int) -> tuple[int, int, int]:
    """Group sizes with the project's mix, summing exactly to ``n``."""
    total = sum(_MIX)
    n_grt = round(n * _MIX[0] / total)
    n_ft = round(n * _MIX[1] / total)
    return n_grt, n_ft, n - n_grt - n_ft


def _generate(n: int, seed: int, weeks: int) -> tuple[tuple[pd.DataFrame, ...], float]:
    from ibm_engine.data import synthetic_zemgale

    n_grt, n_ft, n_bsac = _counts(n)
    t0 = time.perf_counter()
    tables = synthetic_zemgale(seed, n_grt=n_grt, n_ft=n_ft, n_bsac=n_bsac, period_weeks=weeks)
    return tables, time.perf_counter() - t0


def _dump(obj: object, path: Path) -> str:
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=5)
    return str(path)


def _split(tables: tuple[pd.DataFrame, ...], k: int) -> list[tuple[pd.DataFrame, ...]]:
    """``k`` participant chunks (round-robin, so each gets the same mix) with their items."""
    participants, items, services = tables
    out = []
    pid = participants["participant_id"]
    for w in range(k):
        mine = participants.iloc[w::k]
        sel = items["participant_id"].isin(pid.iloc[w::k])
        out.append((mine.reset_index(drop=True), items[sel].reset_index(drop=True), services))
    return out


# ---------------------------------------------------------------------------- engine jobs


def _run_engine(
    data_paths: list[str],
    weeks: int,
    timeout: float,
    out_path: str | None = None,
    profile_path: str | None = None,
    label: str = "engine",
    engine_workers: int = 1,
    repeat: int = 1,
) -> dict[str, Any]:
    """Run ``engine_job`` in one spawned process per data file, started together."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    k = len(data_paths)
    barrier = ctx.Barrier(k) if k > 1 else None
    procs = [
        ctx.Process(
            target=engine_job,
            args=(
                path,
                out_path if k == 1 else None,
                weeks,
                q,
                barrier,
                profile_path,
                w,
                engine_workers,
                repeat if k == 1 else 1,
            ),
        )
        for w, path in enumerate(data_paths)
    ]
    src_hash = _src_hash()
    for p in procs:
        p.start()
    events: list[dict[str, Any]] = []
    errors: list[str] = []
    done: dict[int, dict[str, Any]] = {}
    # the timeout counts from the moment every worker has loaded its data (start-up: 10 min)
    deadline = time.monotonic() + 600.0
    n_ready = 0
    last_print = 0.0
    last_pass: str | None = None
    timed_out = False
    while len(done) < k:
        if time.monotonic() > deadline:
            timed_out = True
            break
        try:
            ev = q.get(timeout=1.0)
        except queue_mod.Empty:
            if all(not p.is_alive() for p in procs) and q.empty():
                break
            continue
        if ev["phase"] == "ready":
            n_ready += 1
            if n_ready == k:
                deadline = time.monotonic() + timeout
        if ev["phase"] == "done":
            done[ev["worker"]] = ev
        elif ev["phase"] == "error":
            errors.append(ev["traceback"])
            print(ev["traceback"], file=sys.stderr, flush=True)
            break
        else:
            events.append(ev)
            now = time.monotonic()
            new_pass = ev["phase"] == "solve.enumerate" and ev.get("pass") != last_pass
            if ev["phase"] == "ready" or new_pass or now - last_print > 30:
                last_print = now
                last_pass = ev.get("pass", last_pass)
                keys = ("participants", "proven", "pass", "rss_mb")
                extra = {x: ev[x] for x in keys if x in ev}
                print(
                    f"  [{label} w{ev['worker']}] {ev['phase']} {ev.get('seconds', 0):.2f}s "
                    f"{extra} maxrss {ev.get('maxrss_mb', ev.get('rss_mb', 0.0)):.0f} MB",
                    file=sys.stderr,
                    flush=True,
                )
    for p in procs:
        if (timed_out or errors) and p.is_alive():
            p.terminate()
        p.join(timeout=60)
    out: dict[str, Any] = {
        "workers": k,
        "engine_workers": engine_workers,
        "src_hash": src_hash,
        "events": events,
    }
    if len(done) < k:
        out["finished"] = False
        out["reason"] = f"timed out after {timeout:.0f} s" if timed_out else "a worker failed"
        out["errors"] = errors
        out["exitcodes"] = [p.exitcode for p in procs]
        out["phases"] = _phases(events)
        out["progress"] = _progress(events)
        return out
    summaries = [done[w] for w in range(k)]
    out["finished"] = True
    if k == 1:  # the median of the repetitions
        out["wall_s"] = summaries[0]["seconds"]
    else:  # started together behind a barrier: first start to last end
        out["wall_s"] = max(s["t_end"] for s in summaries) - min(s["t_start"] for s in summaries)
    out["per_worker"] = [
        {
            key: s[key]
            for key in (
                "seconds",
                "cpu_seconds",
                "seconds_all",
                "cpu_seconds_all",
                "participants",
                "items",
                "status",
                "bound_gap_max",
                "rss_after_load_mb",
                "maxrss_after_load_mb",
                "maxrss_mb",
                "children_maxrss_mb",
            )
        }
        for s in summaries
    ]
    out["participants"] = sum(s["participants"] for s in summaries)
    out["items"] = sum(s["items"] for s in summaries)
    out["peak_rss_mb_sum"] = sum(s["maxrss_mb"] for s in summaries)
    out["peak_rss_mb_max"] = max(s["maxrss_mb"] for s in summaries)
    status: dict[str, int] = {}
    for s in summaries:
        for key, v in s["status"].items():
            status[key] = status.get(key, 0) + v
    out["status"] = status
    out["participants_per_s"] = out["participants"] / out["wall_s"]
    out["cpu_s"] = sum(s["cpu_seconds"] for s in summaries)
    out["phases"] = _phases(events)
    out["wrapped"] = summaries[0]["wrapped"]
    return out


def _progress(events: list[dict[str, Any]]) -> dict[str, Any]:
    """How far an unfinished job got: the first enumeration pass's participants and time."""
    ready = [ev["t"] for ev in events if ev["phase"] == "ready"]
    enum = [ev for ev in events if ev["phase"] == "solve.enumerate"]
    if not ready or not enum:
        return {}
    first = enum[0].get("pass")
    done = [ev for ev in enum if ev.get("pass") == first]
    return {
        "first_pass": first,
        "first_pass_participants_done": sum(ev["participants"] for ev in done),
        "seconds_since_start": max(ev["t"] for ev in events) - min(ready),
        "first_pass_seconds": sum(ev["seconds"] for ev in done),
    }


def _peak_stage(events: list[dict[str, Any]]) -> str | None:
    """The first stage (of worker 0) at whose end the process's peak RSS had been reached."""
    evs = [ev for ev in events if "maxrss_mb" in ev and ev.get("worker", 0) == 0]
    if not evs:
        return None
    top = max(ev["maxrss_mb"] for ev in evs)
    return next(str(ev["phase"]) for ev in evs if ev["maxrss_mb"] >= top)


def _phases(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds per stage (summed over workers) and who proved what in the solve.

    With repetitions only the last one's events count.
    """
    last = max((ev.get("rep", 0) for ev in events), default=0)
    events = [ev for ev in events if ev.get("rep", 0) == last]
    secs: dict[str, float] = {}
    cpu: dict[str, float] = {}
    peak: dict[str, float] = {}
    for ev in events:
        if "seconds" in ev:
            secs[ev["phase"]] = secs.get(ev["phase"], 0.0) + ev["seconds"]
        if "cpu_seconds" in ev:
            cpu[ev["phase"]] = cpu.get(ev["phase"], 0.0) + ev["cpu_seconds"]
        if "maxrss_mb" in ev:  # the process's peak so far when the stage ended
            peak[ev["phase"]] = max(peak.get(ev["phase"], 0.0), ev["maxrss_mb"])
    passes: dict[str, dict[str, float]] = {}
    for ev in events:
        if ev["phase"] == "solve.enumerate":
            key = ev.get("pass", "?")
            row = passes.setdefault(key, {"calls": 0, "participants": 0, "proven": 0, "s": 0.0})
            row["calls"] += 1
            row["participants"] += ev["participants"]
            row["proven"] += ev["proven"]
            row["s"] += ev["seconds"]
    milp = [ev for ev in events if ev["phase"] == "solve.milp_fallback"]
    return {
        "seconds": {k: round(v, 3) for k, v in secs.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "maxrss_mb_at_stage_end": {k: round(v) for k, v in peak.items()},
        "peak_reached_in": _peak_stage(events),
        "enumeration_passes": passes,
        "milp_fallback": {
            "calls": len(milp),
            "proven": sum(ev["proven"] for ev in milp),
            "s": round(sum(ev["seconds"] for ev in milp), 3),
        },
    }


# ---------------------------------------------------------------------------- peers


@contextlib.contextmanager
def _captured_stdout() -> Iterator[list[str]]:
    """Capture what the solvers' C++ code prints on file descriptor 1 (HiGHS prints debug
    lines such as ``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();``)
    so that stdout keeps only the report; the lines are counted in the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 1)
        try:
            yield lines
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            tmp.seek(0)
            lines.extend(tmp.read().decode("utf-8", "replace").splitlines())


def _count_lines(lines: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.strip()] = counts.get(line.strip(), 0) + 1
    return counts


def _compare(
    problems: list[peers.Problem], run: peers.PeerRun, engine_value: dict[str, float]
) -> dict[str, Any]:
    """Re-check every peer answer and compare its value with the engine's."""
    diffs, tol_excess, failed = [], [], 0
    for prob, u in zip(problems, run.units, strict=True):
        if u is None or not peers.check_units(prob, u):
            failed += 1
            continue
        d = peers.value_of(prob, u) - engine_value[prob.pid]
        diffs.append(d)
        if run.name == "OR-Tools CP-SAT":
            tol_excess.append(abs(d) - peers.cpsat_tolerance(prob))
    arr = np.array(diffs) if diffs else np.zeros(0)
    out = {
        "answers_failing_recheck": failed,
        "max_abs_value_diff": float(np.abs(arr).max(initial=0.0)),
        "max_peer_minus_engine": float(arr.max(initial=0.0)),
        "min_peer_minus_engine": float(arr.min(initial=0.0)),
        "disagreements_gt_1e-9": int((np.abs(arr) > 1e-9).sum()),
        "statuses": run.statuses,
    }
    if tol_excess:
        out["disagreements_beyond_scaling_tolerance"] = int((np.array(tol_excess) > 0).sum())
        out["max_scaling_tolerance"] = max(peers.cpsat_tolerance(p) for p in problems)
    return out


def _peers(
    tables: tuple[pd.DataFrame, ...],
    result_items: pd.DataFrame,
    result_parts: pd.DataFrame,
    args: argparse.Namespace,
    n_total: int,
) -> tuple[dict[str, Any], list[str]]:
    participants, _, services = tables
    pids_all = result_parts["participant_id"].astype(str).to_numpy()
    if 0 < args.peer_n < pids_all.shape[0]:
        rng = np.random.default_rng(args.seed)
        pick = np.sort(rng.choice(pids_all.shape[0], args.peer_n, replace=False))
        pids = pids_all[pick].tolist()
    else:
        pids = pids_all.tolist()
    # table preparation (not timed): participants' own columns from the input table
    parts = result_parts.copy()
    if "family_hours_per_week" not in parts.columns:
        extra = participants.set_index("participant_id")["family_hours_per_week"]
        parts["family_hours_per_week"] = parts["participant_id"].map(extra)
    problems = peers.problems_from_tables(
        result_items, parts, services, args.period_weeks, pids=pids
    )
    engine_value = dict(zip(pids_all, result_parts["value"].to_numpy(float), strict=True))
    out: dict[str, Any] = {"sample": len(problems)}
    runs = [("milp", peers.run_milp)]
    if not args.no_cpsat:
        runs.append(("cpsat", peers.run_cpsat))
    for key, fn in runs:
        print(f"  peer {key}: {len(problems)} participants ...", file=sys.stderr, flush=True)
        with _captured_stdout() as captured:
            run = fn(problems)
        rate = len(problems) / run.seconds
        out[key] = {
            "name": run.name,
            "solver_stdout_lines": _count_lines(captured),
            "seconds": run.seconds,
            "cpu_seconds": run.cpu_seconds,
            "ms_per_participant": 1e3 * run.seconds / len(problems),
            "participants_per_s": rate,
            "extrapolated_seconds_for_n": n_total / rate,
            **_compare(problems, run, engine_value),
        }
    return out, pids


# ---------------------------------------------------------------------------- profile


def _profile_text(path: str, top: int) -> str:
    buf = io.StringIO()
    st = pstats.Stats(path, stream=buf)
    st.strip_dirs()
    buf.write("== by total time in the function (tottime) ==\n")
    st.sort_stats("tottime").print_stats(top)
    buf.write("\n== by cumulative time ==\n")
    st.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def _profile_top(path: str, top: int) -> list[dict[str, Any]]:
    st = pstats.Stats(path)
    rows = []
    for (file, line, fn), (_, ncalls, tt, ct, _) in st.stats.items():
        rows.append(
            {
                "function": f"{Path(file).name}:{line}({fn})",
                "path": file,
                "calls": ncalls,
                "tottime_s": round(tt, 3),
                "cumtime_s": round(ct, 3),
            }
        )
    rows.sort(key=lambda r: -r["tottime_s"])
    return rows[:top]


# ---------------------------------------------------------------------------- report


def _fmt(x: float, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x:,.{digits}f}"


def _reps(run: dict[str, Any]) -> str:
    walls = run.get("per_worker", [{}])[0].get("seconds_all", [])
    if len(walls) < 2:
        return ""
    return f", median of {len(walls)} (wall {min(walls):.2f}-{max(walls):.2f} s)"


def _status(st: dict[str, int]) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in st.items())


def _stages(phases: dict[str, Any], digits: int) -> str:
    cpu = phases.get("cpu_seconds", {})
    return ", ".join(
        f"{k} {v:.{digits}f} / {cpu.get(k, float('nan')):.{digits}f}"
        for k, v in phases["seconds"].items()
    )


def _proof_line(phases: dict[str, Any]) -> str:
    """Who proved the optimum: each enumeration pass, then the milp fallback."""
    parts = [
        f"enumeration {key}: {row['proven']:,} of {row['participants']:,} proven "
        f"in {row['s']:.1f} s ({row['calls']} calls)"
        for key, row in phases.get("enumeration_passes", {}).items()
    ]
    milp = phases.get("milp_fallback", {})
    parts.append(
        f"milp fallback: {milp.get('calls', 0)} calls, {milp.get('proven', 0)} proven "
        f"in {milp.get('s', 0.0):.1f} s"
    )
    return "; ".join(parts)


def _markdown(res: dict[str, Any]) -> str:
    lines: list[str] = []
    b = res.get("bench")
    if b:
        eng = b["engine"]
        lines += [
            f"### {b['n']:,} participants ({b['plan_lines']:,} plan lines), seed {b['seed']}",
            "",
            "| method | participants timed | wall (s) | CPU (s) | participants/s "
            "| wall for N (s) | engine speed-up (wall; CPU) | peak RSS (MB) | values vs engine |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        if eng.get("finished"):
            lines.append(
                f"| ibm.allocate optimal{_reps(eng)} | {eng['participants']:,} "
                f"| {_fmt(eng['wall_s'], 2)} "
                f"| {_fmt(eng['cpu_s'], 2)} | {_fmt(eng['participants_per_s'], 0)} "
                f"| {_fmt(eng['wall_s'], 2)} | 1x | {_fmt(eng['peak_rss_mb_max'], 0)} "
                f"| {_status(eng['status'])} |"
            )
        else:
            lines.append(f"| ibm.allocate optimal | not finished: {eng.get('reason')} |||||||")
        sub = b.get("engine_on_sample")
        if sub and sub.get("finished"):
            diff = sub.get("max_abs_value_diff_vs_full", float("nan"))
            lines.append(
                f"| ibm.allocate optimal on the peer sample only{_reps(sub)} "
                f"| {sub['participants']:,} "
                f"| {_fmt(sub['wall_s'], 2)} | {_fmt(sub['cpu_s'], 2)} "
                f"| {_fmt(sub['participants_per_s'], 0)} | - | - "
                f"| {_fmt(sub['peak_rss_mb_max'], 0)} | max abs diff vs the full run {diff:.1e} |"
            )
        for key in ("milp", "cpsat"):
            p = b.get("peers", {}).get(key)
            if not p:
                continue
            agree = (
                f"max abs diff {p['max_abs_value_diff']:.1e}; "
                f"{p['disagreements_gt_1e-9']} > 1e-9; "
                f"{p['answers_failing_recheck']} failed re-check"
            )
            if "disagreements_beyond_scaling_tolerance" in p:
                agree += (
                    f"; {p['disagreements_beyond_scaling_tolerance']} beyond the rounding "
                    f"tolerance (<= {p['max_scaling_tolerance']:.1e})"
                )
            lines.append(
                f"| {p['name']} loop, {p['ms_per_participant']:.2f} ms each "
                f"| {b['peers']['sample']:,} | {_fmt(p['seconds'], 2)} "
                f"| {_fmt(p['cpu_seconds'], 2)} | {_fmt(p['participants_per_s'], 0)} "
                f"| {_fmt(p['extrapolated_seconds_for_n'], 0)} (extrapolated) "
                f"| {p.get('engine_speedup', float('nan')):.2f}x; "
                f"{p.get('engine_speedup_cpu', float('nan')):.2f}x | n/a | {agree} |"
            )
        ph = eng.get("phases", {})
        if ph.get("seconds"):
            lines += [
                "",
                f"Engine stages (wall / CPU s): {_stages(ph, 2)}.",
                "",
                f"Proofs: {_proof_line(ph)}.",
            ]
    s = res.get("scale")
    if s:
        lines += [
            "",
            f"### Scale: {s['n']:,} participants ({s['plan_lines']:,} plan lines), "
            f"generation {s['generation_s']:.1f} s (not timed)",
            "",
            "| run | wall (s) | CPU (s) | participants/s | peak RSS (MB) | status |",
            "|---|---:|---:|---:|---:|---|",
        ]
        notes = []
        runs = (
            ("one_process", "1 process"),
            ("library_workers", "allocate(workers=2), 1 call"),
            ("two_processes", "2 processes x allocate on half"),
        )
        for key, label in runs:
            r = s.get(key)
            if not r:
                continue
            notes.append(
                f"{label}: stages (wall / CPU s, summed over processes) "
                f"{_stages(r['phases'], 1)}; peak RSS reached in "
                f"{r['phases'].get('peak_reached_in')}."
            )
            if r["phases"].get("enumeration_passes"):
                notes.append(f"{label}: {_proof_line(r['phases'])}.")
            if r.get("finished"):
                if r["workers"] > 1:
                    mem = (
                        f"{_fmt(r['peak_rss_mb_sum'], 0)} (sum; max "
                        f"{_fmt(r['peak_rss_mb_max'], 0)})"
                    )
                elif r.get("engine_workers", 1) > 1:
                    child = r["per_worker"][0].get("children_maxrss_mb", float("nan"))
                    mem = (
                        f"{_fmt(r['peak_rss_mb_max'], 0)} parent; largest worker "
                        f"{_fmt(child, 0)} (forked, shares the parent's pages)"
                    )
                else:
                    mem = _fmt(r["peak_rss_mb_max"], 0)
                lines.append(
                    f"| {label} | {_fmt(r['wall_s'], 1)} | {_fmt(r['cpu_s'], 1)} "
                    f"| {_fmt(r['participants_per_s'], 0)} | {mem} | {_status(r['status'])} |"
                )
            else:
                lines.append(f"| {label} | not finished: {r['reason']} | | | | |")
                pg = r.get("progress", {})
                if pg:
                    notes.append(
                        f"{label}: when stopped, the first pass ({pg['first_pass']}) had done "
                        f"{pg['first_pass_participants_done']:,} participants in "
                        f"{pg['first_pass_seconds']:.0f} s ({pg['seconds_since_start']:.0f} s "
                        "since the start)."
                    )
        lines += ["", *notes]
    pr = res.get("profile")
    if pr and pr.get("finished"):
        lines += ["", f"### cProfile of one run of {pr['n']:,} participants (top by tottime)", ""]
        lines += ["| function | calls | tottime (s) | cumtime (s) |", "|---|---:|---:|---:|"]
        lines += [
            f"| {r['function']} | {r['calls']} | {r['tottime_s']:.2f} | {r['cumtime_s']:.2f} |"
            for r in pr["top_by_tottime"][:15]
        ]
    return "\n".join(lines)


def _save(res: dict[str, Any], slug: str, date: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{date}-{slug}.json"
    old: dict[str, Any] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except json.JSONDecodeError:
            old = {}
    old.update(res)
    path.write_text(json.dumps(old, indent=1, default=str) + "\n")
    return path


# ---------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000, help="participants of the main comparison")
    ap.add_argument("--seed", type=int, default=2021, help="seed of synthetic_zemgale")
    ap.add_argument("--period-weeks", type=int, default=26)
    ap.add_argument(
        "--peer-n",
        type=int,
        default=2_000,
        help="participants the peers are timed on (random sample; 0 = all --n)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="times the engine is timed in the main comparison (median reported)",
    )
    ap.add_argument("--no-peers", action="store_true", help="skip the main comparison's peers")
    ap.add_argument("--no-cpsat", action="store_true", help="skip the CP-SAT peer")
    ap.add_argument("--skip-main", action="store_true", help="skip the --n comparison")
    ap.add_argument(
        "--scale-n", type=int, default=0, help="participants of the scale run (0 = no scale run)"
    )
    ap.add_argument("--scale-workers", type=int, default=2, help="processes of the parallel run")
    ap.add_argument(
        "--scale-lib-workers",
        type=int,
        default=2,
        help="also time allocate(workers=K) (the library's own processes; 0 = skip)",
    )
    ap.add_argument(
        "--scale-single",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the scale run in one process",
    )
    ap.add_argument(
        "--timeout", type=float, default=7200.0, help="seconds before an engine job is stopped"
    )
    ap.add_argument("--profile-n", type=int, default=0, help="cProfile one run of this size")
    ap.add_argument("--profile-top", type=int, default=30)
    ap.add_argument("--no-save", action="store_true", help="do not write the JSON result")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    machine = _machine()
    slug = _machine_slug(machine)
    date = dt.date.today().isoformat()
    res: dict[str, Any] = {"date": date, "machine": machine, "versions": _versions()}
    tmp = Path(tempfile.mkdtemp(prefix="ibm-bench-"))
    sections = (
        ("bench", not args.skip_main, lambda: _bench(args, tmp)),
        ("scale", bool(args.scale_n), lambda: _scale(args, tmp)),
        ("profile", bool(args.profile_n), lambda: _profile(args, tmp, slug, date)),
    )
    try:
        for name, wanted, run in sections:
            if not wanted:
                continue
            # every section carries its own circumstances: sections of several runs are merged
            info = {
                "started": dt.datetime.now().isoformat(timespec="seconds"),
                "argv": sys.argv[1:] if argv is None else argv,
                "git": _git(),
                "loadavg_at_start": os.getloadavg(),
            }
            res[name] = run()
            info["loadavg_at_end"] = os.getloadavg()
            res[name]["run"] = info
    finally:
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    if not args.no_save:
        path = _save(res, slug, date)
        print(f"results written to {path.relative_to(ROOT)}", file=sys.stderr)
    print(_markdown(res))
    return 0


def _bench(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    print(f"generating {args.n:,} participants ...", file=sys.stderr, flush=True)
    tables, gen_s = _generate(args.n, args.seed, args.period_weeks)
    data = _dump(tables, tmp / "bench.pkl")
    out_path = str(tmp / "bench-result.pkl")
    print("engine ...", file=sys.stderr, flush=True)
    eng = _run_engine(
        [data], args.period_weeks, args.timeout, out_path=out_path, repeat=args.repeat
    )
    out: dict[str, Any] = {
        "n": args.n,
        "seed": args.seed,
        "period_weeks": args.period_weeks,
        "plan_lines": int(tables[1].shape[0]),
        "generation_s": gen_s,
        "engine": eng,
    }
    if not eng.get("finished") or args.no_peers:
        return out
    with open(out_path, "rb") as fh:
        items, parts = pickle.load(fh)
    out["peers"], pids = _peers(tables, items, parts, args, args.n)
    eng_rate = eng["participants_per_s"]
    eng_cpu = eng["cpu_s"] / eng["participants"]
    for key in ("milp", "cpsat"):
        if key in out["peers"]:
            peer = out["peers"][key]
            peer["engine_speedup"] = eng_rate / peer["participants_per_s"]
            peer["engine_speedup_cpu"] = peer["cpu_seconds"] / peer_n(out) / eng_cpu
    # the engine on exactly the peers' sample (same problems, separately batched)
    participants, plan_items, services = tables
    keep = set(pids)
    sub_tables = (
        participants[participants["participant_id"].isin(keep)].reset_index(drop=True),
        plan_items[plan_items["participant_id"].isin(keep)].reset_index(drop=True),
        services,
    )
    sub_out = str(tmp / "sample-result.pkl")
    sub = _run_engine(
        [_dump(sub_tables, tmp / "sample.pkl")],
        args.period_weeks,
        args.timeout,
        out_path=sub_out,
        label="engine-sample",
        repeat=args.repeat,
    )
    if sub.get("finished"):
        with open(sub_out, "rb") as fh:
            _, sparts = pickle.load(fh)
        full = parts.set_index("participant_id")["value"]
        diff = sparts["value"].to_numpy() - full.loc[sparts["participant_id"]].to_numpy()
        sub["max_abs_value_diff_vs_full"] = float(np.abs(diff).max(initial=0.0))
    sub.pop("events", None)
    out["engine_on_sample"] = sub
    eng.pop("events", None)
    return out


def peer_n(bench: dict[str, Any]) -> int:
    """Participants the peers were timed on."""
    return int(bench["peers"]["sample"])


def _scale(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    print(f"generating {args.scale_n:,} participants ...", file=sys.stderr, flush=True)
    tables, gen_s = _generate(args.scale_n, args.seed, args.period_weeks)
    out: dict[str, Any] = {
        "n": args.scale_n,
        "seed": args.seed,
        "plan_lines": int(tables[1].shape[0]),
        "generation_s": gen_s,
    }
    if args.scale_single:
        path = _dump(tables, tmp / "scale.pkl")
        print("scale: one process ...", file=sys.stderr, flush=True)
        one = _run_engine([path], args.period_weeks, args.timeout, label="scale-1p")
        one.pop("events", None)
        out["one_process"] = one
        Path(path).unlink()
    if args.scale_lib_workers > 1:
        path = _dump(tables, tmp / "scale.pkl")
        label = f"allocate(workers={args.scale_lib_workers})"
        print(f"scale: {label} ...", file=sys.stderr, flush=True)
        lib = _run_engine(
            [path],
            args.period_weeks,
            args.timeout,
            label="scale-lib",
            engine_workers=args.scale_lib_workers,
        )
        lib.pop("events", None)
        out["library_workers"] = lib
        Path(path).unlink()
    if args.scale_workers > 1:
        paths = [
            _dump(chunk, tmp / f"scale-{w}.pkl")
            for w, chunk in enumerate(_split(tables, args.scale_workers))
        ]
        del tables
        print(f"scale: {args.scale_workers} processes ...", file=sys.stderr, flush=True)
        two = _run_engine(paths, args.period_weeks, args.timeout, label="scale-2p")
        two.pop("events", None)
        out["two_processes"] = two
    return out


def _profile(args: argparse.Namespace, tmp: Path, slug: str, date: str) -> dict[str, Any]:
    print(f"profile: generating {args.profile_n:,} participants ...", file=sys.stderr)
    tables, _ = _generate(args.profile_n, args.seed, args.period_weeks)
    path = _dump(tables, tmp / "profile.pkl")
    del tables
    prof = str(tmp / "profile.prof")
    run = _run_engine([path], args.period_weeks, args.timeout, profile_path=prof, label="profile")
    out: dict[str, Any] = {"n": args.profile_n, "finished": run.get("finished", False)}
    if run.get("finished"):
        out["wall_s_under_cprofile"] = run["wall_s"]
        out["phases"] = run["phases"]
        out["top_by_tottime"] = _profile_top(prof, args.profile_top)
        if not args.no_save:
            RESULTS.mkdir(parents=True, exist_ok=True)
            txt = RESULTS / f"{date}-{slug}-profile-{args.profile_n}.txt"
            txt.write_text(_profile_text(prof, args.profile_top))
            out["text"] = str(txt.relative_to(ROOT))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
