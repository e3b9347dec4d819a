"""allocate_region_dataset on the shared LocalCluster gives what one in-process
``allocate_region(..., master="aggregate")`` gives: the same tables to the cent, the same value,
bound and status, the same record; the capacities are kept."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.scale import RepartitionWarning

dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def capacities(region: Any) -> pd.DataFrame:
    """70% of the uncapacitated demand of every (municipality, service) with demand."""
    p, i, s = region
    one = ibm.allocate(p, i, s)
    items = one.items.merge(p[["participant_id", "municipality"]], on="participant_id")
    demand = items.groupby(["municipality", "service"], as_index=False)["units"].sum()
    demand = demand[demand["units"] > 0].reset_index(drop=True)
    demand["units"] = demand["units"] * 7 // 10
    return demand


@pytest.fixture(scope="module")
def dataset(region: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    p, i, s = region
    return ibm.write_dataset(p, i, tmp_path_factory.mktemp("rds") / "region", services=s,
                             partition_size=40)  # fmt: skip


def same(got: ibm.RegionResult, want: ibm.RegionResult) -> None:
    for name in ("items", "participants", "lost", "shadow_prices", "rejected"):
        a, b = getattr(got, name), getattr(want, name)
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False
        )
    assert got.value == want.value and got.bound == want.bound and got.gap == want.gap
    assert got.status == want.status and got.iterations == want.iterations
    assert got.record is not None and want.record is not None
    assert got.record.id == want.record.id
    assert got.record.inputs == want.record.inputs
    assert got.record.outputs == want.record.outputs


def kept(result: ibm.RegionResult, people: pd.DataFrame, caps: pd.DataFrame) -> bool:
    items = result.items.merge(people[["participant_id", "municipality"]], on="participant_id")
    used = items.groupby(["municipality", "service"])["units"].sum()
    cap = caps.set_index(["municipality", "service"])["units"]
    return bool((used.reindex(cap.index, fill_value=0) <= cap).all())


def test_parquet_dataset_equals_the_in_process_run(
    dask_client: Any, region: Any, dataset: Path, capacities: pd.DataFrame
) -> None:
    p, i, s = region
    one = ibm.allocate_region(p, i, s, capacities, master="aggregate")
    got = ibm.allocate_region_dataset(dataset, capacities=capacities, client=dask_client)
    same(got, one)
    assert kept(got, p, capacities)
    assert got.value <= got.bound
    assert (got.items["units"] < got.items["units_uncapacitated"]).any()  # capacities bind


def test_dask_frames_with_weights_and_value_weighting(
    dask_client: Any, region: Any, capacities: pd.DataFrame
) -> None:
    p, i, s = region
    rng = np.random.default_rng(5)
    weights = dict(zip(p["participant_id"], rng.uniform(0.5, 2.0, len(p)), strict=True))
    kw: dict[str, Any] = {"weighting": "value", "weights": weights, "rel_gap": 1e-4}
    one = ibm.allocate_region(p, i, s, capacities, master="aggregate", **kw)
    # participants in 3 partitions, their plan items in 3 (the same people in each)
    cut = np.array_split(np.arange(len(p)), 3)
    pids = [set(p["participant_id"].iloc[c]) for c in cut]
    pf = dd.from_pandas(p, npartitions=1)
    pf = dd.concat([dd.from_pandas(p.iloc[c], npartitions=1) for c in cut])
    itf = dd.concat(
        [dd.from_pandas(i[i["participant_id"].isin(ids)], npartitions=1) for ids in pids]
    )
    got = ibm.allocate_region_dataset(pf, itf, s, capacities, client=dask_client, **kw)
    # rows follow the partitions (here the input order): compare by participant and service
    key = ["participant_id", "service"]
    a = got.items.sort_values(key).reset_index(drop=True)
    b = one.items.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert got.value == one.value and got.bound == one.bound
    assert kept(got, p, capacities)


def test_not_copartitioned_inputs_are_shuffled_and_give_the_same_answer(
    dask_client: Any, region: Any, capacities: pd.DataFrame
) -> None:
    p, i, s = region
    one = ibm.allocate_region(p, i, s, capacities, master="aggregate")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = ibm.allocate_region_dataset(
            dd.from_pandas(p, npartitions=3), dd.from_pandas(i, npartitions=3), s,
            capacities, client=dask_client,
        )  # fmt: skip
    assert any(issubclass(w.category, RepartitionWarning) for w in caught)
    key = ["participant_id", "service"]
    a = got.items.sort_values(key).reset_index(drop=True)
    b = one.items.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert got.value == one.value and got.bound == one.bound and got.status == one.status


def test_bad_input_raises_one_error_or_is_quarantined(
    dask_client: Any, region: Any, capacities: pd.DataFrame
) -> None:
    p, i, s = region
    bad = p.copy()
    bad.loc[5, "age"] = -3
    with pytest.raises(ibm.InputError) as err:
        ibm.allocate_region_dataset(
            dd.from_pandas(bad, npartitions=1), dd.from_pandas(i, npartitions=1), s,
            capacities, client=dask_client,
        )  # fmt: skip
    assert (err.value.problems["column"] == "age").any()
    # quarantine: the same participant set aside, the others allocated as in one process
    want = ibm.allocate_region(bad, i, s, capacities, master="aggregate", errors="quarantine")
    got = ibm.allocate_region_dataset(
        dd.from_pandas(bad, npartitions=1), dd.from_pandas(i, npartitions=1), s,
        capacities, client=dask_client, errors="quarantine",
    )  # fmt: skip
    same(got, want)
    assert len(got.rejected) == 1
    with pytest.raises(ibm.InputError):
        ibm.allocate_region_dataset(p, i, s, None, client=dask_client)


def test_a_per_participant_budget_formula_runs_on_the_partitions(
    dask_client: Any, region: Any, dataset: Path, capacities: pd.DataFrame
) -> None:
    p, i, s = region
    src = ibm.Source("test", date(2024, 1, 1))
    formula = ibm.FlatBudget({"GRT": 2600.0, "FT": 3900.0, "BSAC": 3100.0}, src)
    people = p.drop(columns="budget_eur")
    one = ibm.allocate_region(people, i, s, capacities, master="aggregate", budget=formula)
    got = ibm.allocate_region_dataset(
        dd.from_pandas(people, npartitions=1), dd.from_pandas(i, npartitions=1), s,
        capacities, budget=formula, client=dask_client,
    )  # fmt: skip
    same(got, one)
    assert "budget_source" in got.participants.columns
    with pytest.raises(ibm.InputError, match="whole population"):
        ibm.allocate_region_dataset(
            dataset, capacities=capacities, budget=ibm.PotCalibrated(formula, 1e5, src),
            client=dask_client,
        )  # fmt: skip
