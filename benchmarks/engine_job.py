"""One timed ``ibm.allocate(policy="optimal")`` in a fresh (spawned) process.

The parent writes the input tables to a pickle; this process loads them (not timed), warms
the library up on a tiny region (lazy imports), then times ``allocate`` with light wrappers
around the pipeline's stages (validation, assembly, solve and its passes, result tables) that
report progress to the parent as they happen. Peak memory is the process's ``ru_maxrss``
(input tables included: a user holds them too).
"""

from __future__ import annotations

import cProfile
import functools
import importlib
import inspect
import pickle
import resource
import time
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["engine_job"]

#: (modules, attribute, phase name, also with workers > 1) wrapped for timing when present;
#: the first module of a tuple that imports is used (the engine's layout moves)
_ALLOC = ("ibm_engine.allocation._allocate", "ibm_engine.allocate._allocate")
_OPT = ("ibm_engine.solve._optimal",)
_STAGES = (
    (_ALLOC, "prepare", "validate_prepare", True),
    (_ALLOC, "assemble", "assemble", True),
    (_ALLOC, "solve_in_threads", "solve", True),
    (_ALLOC, "solve_in_processes", "solve", True),  # before issue 11
    (_ALLOC, "solve_optimal", "solve.optimal", False),
    (_ALLOC, "item_table", "item_table", True),
    (_ALLOC, "participant_table", "participant_table", True),
    (_OPT, "run_search", "solve.search", False),  # the compiled core (issue 11)
    (_OPT, "multipliers", "solve.multipliers", False),  # before issue 11
    (_OPT, "_incumbent", "solve.incumbent", False),
    (_OPT, "enumerate_optimum", "solve.enumerate", False),
    (_OPT, "solve_one_milp", "solve.milp_fallback", False),
)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the library's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _module(names: tuple[str, ...]) -> Any:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def _instrument(send: Callable[[dict[str, Any]], None], engine_workers: int) -> list[str]:
    """Wrap the stages that exist (the engine changes; missing ones are skipped).

    With ``engine_workers > 1`` the solver runs in the library's own worker processes, which
    pickle the solve function by name: only the stages in this process are wrapped then.
    """
    wrapped = []
    for mod_names, attr, phase, outer in _STAGES:
        if engine_workers > 1 and not outer:
            continue
        mod = _module(mod_names)
        fn = getattr(mod, attr, None) if mod is not None else None
        if fn is None or not callable(fn):
            continue
        mod_name = mod.__name__

        def make(fn: Callable[..., Any], phase: str) -> Callable[..., Any]:
            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                t0, c0 = time.perf_counter(), time.process_time()
                out = fn(*args, **kwargs)
                event: dict[str, Any] = {
                    "phase": phase,
                    "seconds": time.perf_counter() - t0,
                    "cpu_seconds": time.process_time() - c0,
                }
                if phase == "solve.enumerate":
                    # enumerate_optimum(batch, mult, ..., node_cap, frontier_cap, beam)
                    try:
                        bound = inspect.signature(fn).bind(*args, **kwargs)
                        bound.apply_defaults()
                        named = bound.arguments
                    except TypeError:
                        named = {}
                    event["participants"] = int(args[0].n)
                    event["pass"] = f"node_cap={named.get('node_cap')}" + (
                        ", beam" if named.get("beam") else ""
                    )
                    event["proven"] = int(out.proven.sum())
                elif phase == "solve.milp_fallback":
                    event["proven"] = int(out is not None and out.proven)
                event["maxrss_mb"] = _maxrss_mb()
                send(event)
                return out

            return wrapper

        setattr(mod, attr, make(fn, phase))
        wrapped.append(f"{mod_name}.{attr}")
    return wrapped


def engine_job(
    data_path: str,
    out_path: str | None,
    period_weeks: int,
    queue: Any,
    barrier: Any = None,
    profile_path: str | None = None,
    worker: int = 0,
    engine_workers: int = 1,
    repeat: int = 1,
) -> None:
    """Load the tables, time ``allocate``, put events and a final summary on ``queue``.

    ``engine_workers > 1`` passes ``workers=engine_workers`` to ``allocate`` (the library's
    own process parallelism). ``repeat > 1`` times the call that many times in this process;
    the summary gives the median (and every time), the events are tagged with ``rep``.
    """
    try:
        _job(
            data_path,
            out_path,
            period_weeks,
            queue,
            barrier,
            profile_path,
            worker,
            engine_workers,
            max(int(repeat), 1),
        )
    except BaseException:
        queue.put({"phase": "error", "worker": worker, "traceback": traceback.format_exc()})
        if barrier is not None:
            barrier.abort()
        raise


def _job(
    data_path: str,
    out_path: str | None,
    period_weeks: int,
    queue: Any,
    barrier: Any,
    profile_path: str | None,
    worker: int,
    engine_workers: int,
    repeat: int,
) -> None:
    import numpy as np

    import ibm_engine as ibm
    from ibm_engine.data import synthetic_zemgale

    rep = [0]

    def send(event: dict[str, Any]) -> None:
        event["worker"] = worker
        event["rep"] = rep[0]
        event["t"] = time.monotonic()
        queue.put(event)

    # warm-up on a tiny region: lazy imports, first-call costs
    tiny = synthetic_zemgale(1, n_grt=30, n_ft=30, n_bsac=20, period_weeks=period_weeks)
    ibm.allocate(*tiny, period_weeks=period_weeks)
    with open(data_path, "rb") as fh:
        participants, plan_items, services = pickle.load(fh)
    rss_loaded = _rss_mb()
    maxrss_loaded = _maxrss_mb()
    wrapped = _instrument(send, engine_workers)
    kwargs: dict[str, Any] = {}
    if engine_workers > 1:
        if "workers" not in inspect.signature(ibm.allocate).parameters:
            raise TypeError("this version of ibm.allocate has no workers argument")
        kwargs["workers"] = engine_workers
    send({"phase": "ready", "rss_mb": rss_loaded})
    if barrier is not None:
        barrier.wait()
    prof = cProfile.Profile() if profile_path else None
    walls, cpus, starts, ends = [], [], [], []
    for r in range(repeat):
        rep[0] = r
        result = None  # let the previous result go before the next call
        t_start = time.monotonic()
        c0 = _cpu()
        t0 = time.perf_counter()
        if prof is not None:
            prof.enable()
        result = ibm.allocate(
            participants,
            plan_items,
            services,
            policy="optimal",
            period_weeks=period_weeks,
            **kwargs,
        )
        if prof is not None:
            prof.disable()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
        starts.append(t_start)
        ends.append(time.monotonic())
    if prof is not None and profile_path:
        prof.dump_stats(profile_path)
    if result is None:
        raise RuntimeError("allocate was not run")
    seconds = float(np.median(walls))
    cpu_seconds = float(np.median(cpus))
    t_start, t_end = starts[0], ends[-1]
    parts = result.participants
    status = parts["status"].astype(str).value_counts().to_dict()
    summary = {
        "phase": "done",
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "seconds_all": walls,
        "cpu_seconds_all": cpus,
        "t_start": t_start,
        "t_end": t_end,
        "participants": int(parts.shape[0]),
        "items": int(result.items.shape[0]),
        "status": {str(k): int(v) for k, v in status.items()},
        "bound_gap_max": float(
            np.max((parts["bound"] - parts["value"]).to_numpy(float), initial=0.0)
        ),
        "rss_after_load_mb": rss_loaded,
        "maxrss_after_load_mb": maxrss_loaded,
        "maxrss_mb": _maxrss_mb(),
        "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "wrapped": wrapped,
        "engine_workers": engine_workers,
    }
    if out_path is not None:
        keep_i = [
            c
            for c in (
                "participant_id",
                "service",
                "units",
                "unit_price_eur",
                "weight",
                "recommended_units",
                "upper_units",
                "min_units",
                "hours",
            )
            if c in result.items.columns
        ]
        keep_p = [
            c
            for c in (
                "participant_id",
                "budget_eur",
                "family_hours_per_week",
                "period_weeks",
                "value",
                "bound",
                "status",
            )
            if c in parts.columns
        ]
        with open(out_path, "wb") as fh:
            pickle.dump((result.items[keep_i], parts[keep_p]), fh, protocol=5)
    send(summary)
