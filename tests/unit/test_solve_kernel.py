"""The compiled search (numba): one signature per kernel, the cache fallback, the same answers
without the JIT, and the tie rule on hand-made ties."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ibm_engine.solve import Batch, solve_optimal
from ibm_engine.solve._search import run_search

ROOT = Path(__file__).resolve().parents[2]


def _batch(n: int, seed: int = 3) -> Batch:
    """``n`` random participants: minimum doses, equal prices (ties), some hours caps."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 9, n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    m = int(offsets[-1])
    upper = rng.integers(1, 25, m)
    lower = np.where(rng.random(m) < 0.3, rng.integers(1, 6, m), 1)
    cost = rng.choice([500, 1000, 1150, 2400, 3850, 6000], m)
    weight = rng.choice([0.1, 0.2, 0.25, 0.3], m)
    rec = np.maximum(upper, 1)
    hours = rng.choice([0.0, 0.5, 1.0, 1.5, 7.5], m)
    budget = (rng.random(n) * np.add.reduceat(cost * upper, offsets[:-1]) * 0.7).astype(np.int64)
    cap = np.where(rng.random(n) < 0.4, rng.integers(5, 60, n).astype(float), np.inf)
    return Batch(offsets, cost, weight / rec, lower, upper, hours, budget, cap)


def test_one_signature_for_read_only_and_strided_inputs() -> None:
    from ibm_engine.solve._kernel import solve_range  # after a solve, numba is loaded

    b = _batch(50)
    first = run_search(b)[0]
    ro = {}
    for name in ("cost", "value", "lower", "upper", "hours", "budget", "hours_cap", "offsets"):
        x = np.repeat(getattr(b, name), 2)[::2]  # strided view
        x.flags.writeable = False
        ro[name] = x
    ro["cost"] = ro["cost"].astype(np.int32)  # another dtype too
    again = run_search(Batch(**ro))[0]
    assert np.array_equal(first, again)
    assert len(solve_range.signatures) == 1


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error", **env},
        cwd=ROOT,
        check=False,
    )


def test_without_jit_the_answers_are_the_same(tmp_path: Path) -> None:
    b = _batch(200, seed=7)
    path = tmp_path / "batch.pkl"
    path.write_bytes(pickle.dumps(b))
    code = f"""
        import pickle, numpy as np
        from ibm_engine.solve import solve_optimal
        b = pickle.loads(open({str(path)!r}, "rb").read())
        np.save({str(tmp_path / "units.npy")!r}, solve_optimal(b).units)
    """
    out = _run(code, {"NUMBA_DISABLE_JIT": "1"})
    assert out.returncode == 0, out.stderr
    assert np.array_equal(np.load(tmp_path / "units.npy"), solve_optimal(b).units)


def test_compiles_without_a_cache_when_no_location_is_writable() -> None:
    code = """
        from numba.core import caching
        caching.CacheImpl._locator_classes = []  # as if no directory were writable
        from ibm_engine.solve import _kernel
        from ibm_engine.solve._jit import kernel
        twice = kernel(lambda x: 2 * x)
        print(twice(21), type(_kernel.solve_range._cache).__name__)
    """
    out = _run(code, {"NUMBA_CACHE_DIR": "/proc/no-cache-here"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["42", "NullCache"]


def test_honours_numba_cache_dir(tmp_path: Path) -> None:
    code = """
        from ibm_engine.solve import _kernel
        print(_kernel.solve_range._cache._cache_path)
    """
    out = _run(code, {"NUMBA_CACHE_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(tmp_path))


def test_ties_go_to_the_first_items() -> None:
    # four equal items (price, value): 5 units of 3 each to share -> 3, 2, 0, 0
    b = Batch(
        np.array([0, 4]),
        np.full(4, 1000),
        np.full(4, 0.5 / 3),
        np.ones(4, np.int64),
        np.full(4, 3),
        np.zeros(4),
        np.array([5000]),
        np.array([np.inf]),
    )
    assert solve_optimal(b).units.tolist() == [3, 2, 0, 0]
    # a minimum dose: item 0 takes 4 or nothing; 4 + 1 beats 0 + 3 + 2 only on ties
    b2 = Batch(
        np.array([0, 3]),
        np.array([1000, 1000, 1000]),
        np.array([0.1, 0.1, 0.1]),
        np.array([4, 1, 1]),
        np.array([4, 3, 2]),
        np.zeros(3),
        np.array([5000]),
        np.array([np.inf]),
    )
    assert solve_optimal(b2).units.tolist() == [4, 1, 0]


def test_search_and_highs_tie_passes_agree() -> None:
    from ibm_engine.solve._milp_ties import break_ties_milp

    b = _batch(60, seed=11)
    sol = solve_optimal(b)
    for p in range(b.n):
        one = b.subset(np.array([p]))
        sl = slice(int(b.offsets[p]), int(b.offsets[p + 1]))
        tied = break_ties_milp(one, float(sol.value[p]))
        assert tied is not None and tied.tolist() == sol.units[sl].tolist(), p


def test_threads_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from ibm_engine.solve import _search

    b = _batch(400, seed=5)
    one = solve_optimal(b)
    monkeypatch.setattr(_search, "CHUNK", 37)  # many chunks over two threads
    two = solve_optimal(b, workers=2)
    assert np.array_equal(one.units, two.units)
    assert np.array_equal(one.value, two.value)


def test_the_search_runs_without_reference_counting() -> None:
    from numba.core.cpu import CPUTargetOptions

    from ibm_engine.solve import _kernel

    solve_optimal(_batch(20, seed=2))
    if hasattr(CPUTargetOptions, "_nrt"):  # numba knows the switch: the search uses it
        assert _kernel._search.targetoptions["_nrt"] is False
    assert _kernel.solve_range.targetoptions.get("_nrt", True) is not False  # it allocates
