"""The compiled re-check (``_optimal.recheck``) gives exactly what ``Batch.evaluate`` and
``Batch.feasible`` give, feasible or not, hours close to the limit included."""

from __future__ import annotations

import numpy as np

from ibm_engine.solve import Batch
from ibm_engine.solve._optimal import recheck


def _random(n: int, seed: int) -> tuple[Batch, np.ndarray]:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 9, n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    m = int(offsets[-1])
    upper = rng.integers(0, 12, m)
    lower = rng.integers(1, 4, m)
    cost = rng.choice([0, 500, 1150, 3850], m)
    hours = rng.choice([0.0, 0.1, 0.5, 1.0 / 3.0, 7.5], m)
    units = np.where(rng.random(m) < 0.5, rng.integers(0, 14, m), 0)
    spend = np.add.reduceat(cost * units, offsets[:-1]) if m else np.zeros(n, np.int64)
    spend = np.where(counts > 0, spend, 0)
    budget = (spend + rng.integers(-800, 800, n)).clip(0)
    used = np.bincount(np.repeat(np.arange(n), counts), weights=hours * units, minlength=n)
    cap = np.where(rng.random(n) < 0.3, np.inf, used + rng.choice([-1e-9, 0.0, 1e-9, 0.3], n))
    b = Batch(offsets, cost, rng.random(m), lower, upper, hours, budget.astype(np.int64), cap)
    return b, units.astype(np.int64)


def test_recheck_is_evaluate_and_feasible() -> None:
    for seed in range(5):
        b, units = _random(400, seed)
        value, ok = recheck(b, units)
        ref_value = b.evaluate(units)[0]
        assert np.array_equal(value, ref_value)  # the same floats, not only close
        assert np.array_equal(ok, b.feasible(units))
        assert 0 < ok.sum() < b.n
