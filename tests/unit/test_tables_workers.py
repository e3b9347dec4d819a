"""The table stages over ``workers`` threads (issue 12): the same tables for any ``workers``.

Row-wise work runs in chunks of rows (participants for the sums) over a thread pool; the
chunks are made small here so that a small region is split into many and both threads work.
Every result table, the rejected rows and the record must equal those of one worker exactly,
row order included.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.data import synthetic_zemgale
from ibm_engine.tables import _threads, prepare


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic_zemgale(11, n_grt=150, n_ft=150, n_bsac=80)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_threads, "CHUNK_ROWS", 37)


def _same(a: ibm.AllocationResult, b: ibm.AllocationResult) -> None:
    pd.testing.assert_frame_equal(a.items, b.items, check_exact=True)
    pd.testing.assert_frame_equal(a.participants, b.participants, check_exact=True)
    pd.testing.assert_frame_equal(a.rejected, b.rejected, check_exact=True)
    assert a.record is not None and b.record is not None
    assert a.record.id == b.record.id
    assert a.record.outputs == b.record.outputs


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("policy", ["optimal", "priority"])
def test_allocate_same_tables_for_any_workers(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], policy: str
) -> None:
    people, plan, services = tables
    one = ibm.allocate(people, plan, services, policy=policy)
    for workers in (2, 3):
        _same(one, ibm.allocate(people, plan, services, policy=policy, workers=workers))


@pytest.mark.usefixtures("small_chunks")
def test_quarantine_same_for_any_workers(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = (t.copy() for t in tables)
    people.loc[3, "age"] = -4
    plan.loc[10, "recommended_units"] = 0
    plan.loc[20, "service"] = "no_such_service"
    one = ibm.allocate(people, plan, services, errors="quarantine")
    assert len(one.rejected) >= 3
    _same(one, ibm.allocate(people, plan, services, errors="quarantine", workers=2))


def test_errors_same_for_any_workers(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = (t.copy() for t in tables)
    people.loc[5, "budget_eur"] = -1.0
    plan["team_rank"] = plan["team_rank"].astype(object)
    plan.loc[7, "team_rank"] = 2.5
    plan.loc[9, "participant_id"] = "nobody"
    found = []
    for workers in (1, 2):
        with pytest.raises(ibm.InputError) as err:
            ibm.allocate(people, plan, services, workers=workers)
        found.append(err.value.problems)
    assert len(found[0]) >= 3
    pd.testing.assert_frame_equal(found[0], found[1])


def test_invalid_workers_reported_after_the_tables(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = tables
    with pytest.raises(ibm.InputError, match="workers"):
        ibm.allocate(people, plan, services, workers=0)
    with pytest.raises(ibm.InputError, match="budget_eur"):
        ibm.allocate(people.assign(budget_eur=-1.0), plan, services, workers=0)


def test_row_chunks_cover_every_row_once() -> None:
    for n, rows in ((0, None), (1, None), (10, None), (10**6, None), (1000, 8 * 10**6)):
        bounds = _threads.row_chunks(n, rows)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
        assert all(lo < hi for lo, hi in bounds) or n == 0


@pytest.mark.usefixtures("small_chunks")
def test_prepare_same_for_any_workers(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = tables
    a = prepare(people, plan, services)
    b = prepare(people, plan, services, workers=2)
    for name in ("item_owner", "budget_cents", "team_rank", "row", "price_cents", "upper"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
