"""allocate_dataset on a real LocalCluster gives what one in-process ``ibm.allocate`` gives:
the same rows to the cent, the same statuses, the same record id and content hashes."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.scale import RepartitionWarning

dd = pytest.importorskip("dask.dataframe")


def same_values(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal cell by cell (Parquet reads text back as the nullable string dtype)."""
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True),
        check_dtype=False, check_categorical=False,
    )  # fmt: skip


def same_record(got: ibm.Record, want: ibm.Record) -> None:
    assert got.id == want.id
    assert got.inputs == want.inputs
    assert got.outputs == want.outputs
    assert got.parameters == want.parameters
    assert got.limit_hit == want.limit_hit


def by_key(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return df.astype({k: str for k in key}).sort_values(key, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def dataset(region: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    p, i, s = region
    return ibm.write_dataset(p, i, tmp_path_factory.mktemp("ds") / "region", services=s,
                             partition_size=40)  # fmt: skip


def test_copartitioned_dataset_in_memory_and_written(
    dask_client: Any, region: Any, dataset: Path, tmp_path: Path
) -> None:
    p, i, s = region
    one = ibm.allocate(p, i, s)
    kept = ibm.allocate_dataset(dataset, client=dask_client)
    assert kept.partitions == 4 and not kept.repartitioned and kept.path is None
    got = kept.compute()
    assert got.items.equals(one.items) and got.participants.equals(one.participants)
    same_record(kept.record, one.record)
    pid = p["participant_id"].iloc[77]  # in the second partition
    view, want = kept.participant(pid), one.participant(pid)
    # the same explanation; its `item` index counts the participant's own plan items
    assert view.explain().reset_index(drop=True).equals(want.explain().reset_index(drop=True))
    assert view.text() == want.text() and view.text().endswith(f"Record {one.record.id}.")

    out = tmp_path / "result"
    written = ibm.allocate_dataset(dataset, client=dask_client, output=out)
    assert sorted(f.name for f in (out / "items").iterdir()) == [
        f"part-00000{k}.parquet" for k in range(4)
    ]
    assert ibm.Record.from_json((out / "record.json").read_text()) == written.record
    same_record(written.record, one.record)
    back = written.compute()
    same_values(back.items, one.items)
    same_values(back.participants, one.participants)
    assert not list(tmp_path.glob(".result.staging-*"))
    with pytest.raises(FileExistsError):
        ibm.allocate_dataset(dataset, client=dask_client, output=out)


def test_dask_frames_not_copartitioned_are_shuffled_with_a_warning(
    dask_client: Any, region: Any
) -> None:
    p, i, s = region
    one = ibm.allocate(p, i, s, policy="priority")
    people = dd.from_pandas(p, npartitions=3, sort=False)
    items = dd.from_pandas(i.iloc[::-1], npartitions=3, sort=False)  # items far from people
    with pytest.warns(RepartitionWarning, match="not co-partitioned"):
        r = ibm.allocate_dataset(people, items, s, policy="priority", client=dask_client)
    assert r.repartitioned and r.partitions == 3
    same_record(r.record, one.record)
    got = r.compute()
    key = ["participant_id", "service"]
    same_values(by_key(got.items, key), by_key(one.items, key))
    same_values(by_key(got.participants, key[:1]), by_key(one.participants, key[:1]))
    pid = p["participant_id"].iloc[5]
    assert r.participant(pid).text("lv") == one.participant(pid).text("lv")
    # within a partition, rows keep the input order
    order = {pid: k for k, pid in enumerate(p["participant_id"])}
    for part in r.participants.to_delayed():
        pos = [order[x] for x in part.compute()["participant_id"]]
        assert pos == sorted(pos)


def test_raise_reports_every_problem_of_every_partition_and_writes_nothing(
    dask_client: Any, region: Any, tmp_path: Path
) -> None:
    p, i, s = region
    p = p.copy()
    p.loc[5, "age"] = -1  # partition 0
    p.loc[130, "budget_eur"] = 1.005  # partition 3, not whole cents
    p.loc[100, "participant_id"] = p.loc[3, "participant_id"]  # duplicate across partitions
    i = pd.concat(
        [i, pd.DataFrame([{"participant_id": "nobody", "service": "physiotherapy",
                           "team_rank": 1, "recommended_units": 2}])],
        ignore_index=True,
    )  # fmt: skip
    root = ibm.write_dataset(p, i, tmp_path / "bad", services=s, partition_size=40)
    # rows are numbered as in the dataset (its partitions in order): the orphan plan item
    # went to the first partition, so the in-process call to compare with reads the files
    with pytest.raises(ibm.InputError) as want:
        ibm.allocate(
            pd.read_parquet(root / "participants"), pd.read_parquet(root / "plan_items"), s
        )
    with pytest.raises(ibm.InputError) as got:
        ibm.allocate_dataset(root, client=dask_client, output=tmp_path / "out")
    assert len(got.value.problems) == 13
    cols = ["table", "row", "participant_id", "column", "reason"]
    assert by_key(got.value.problems[cols], cols).equals(by_key(want.value.problems[cols], cols))
    assert not (tmp_path / "out").exists()
    assert [f.name for f in tmp_path.iterdir()] == ["bad"]  # no staging folder left


def test_raise_caps_the_message_but_keeps_every_problem(
    dask_client: Any, region: Any, tmp_path: Path
) -> None:
    p, i, s = region
    p = p.assign(age=-1)
    with pytest.raises(ibm.InputError) as got, pytest.warns(RepartitionWarning):
        ibm.allocate_dataset(dd.from_pandas(p, npartitions=2, sort=False),
                             dd.from_pandas(i, npartitions=2, sort=False), s,
                             client=dask_client, output=tmp_path / "out")  # fmt: skip
    assert len(got.value.problems) == len(p)
    assert "and 90 more (see InputError.problems)" in str(got.value)
    # more than the message lists: also written beside the (unwritten) output
    written = pd.read_parquet(tmp_path / "out.problems.parquet")
    assert len(written) == len(p) and set(written["row"]) == set(p["participant_id"])
    assert got.value.__notes__ == [
        f"all 140 problems are also in {tmp_path / 'out.problems.parquet'}"
    ]
    assert not (tmp_path / "out").exists()


def test_quarantine_writes_the_rejected_as_their_own_dataset(
    dask_client: Any, region: Any, tmp_path: Path
) -> None:
    p, i, s = region
    p = p.copy()
    p.loc[5, "age"] = 130
    p = pd.concat([p, p.iloc[[3]]], ignore_index=True)  # a second copy, in the last partition
    one = ibm.allocate(p, i, s, errors="quarantine")
    people = dd.from_pandas(p, npartitions=4, sort=False)  # the two copies apart
    items = dd.from_pandas(i, npartitions=4, sort=False)
    with pytest.warns(RepartitionWarning, match="more than one partition"):
        r = ibm.allocate_dataset(people, items, s, errors="quarantine", client=dask_client,
                                 output=tmp_path / "out")  # fmt: skip
    same_record(r.record, one.record)
    rejected = pd.read_parquet(tmp_path / "out" / "rejected")
    key = ["participant_id", "table", "column", "reason"]
    same_values(by_key(rejected[key], key), by_key(one.rejected[key], key))
    got = r.compute()
    assert set(got.participants["participant_id"]) == set(one.participants["participant_id"])
    assert len(got.items) == len(one.items)


def test_a_per_participant_budget_formula_runs_on_the_partitions(
    dask_client: Any, region: Any, dataset: Path
) -> None:
    p, i, s = region
    src = ibm.Source("test", date(2024, 1, 1))
    formula = ibm.FlatBudget({"GRT": 2600.0, "FT": 3900.0, "BSAC": 3100.0}, src)
    one = ibm.allocate(p.drop(columns="budget_eur"), i, s, budget=formula)
    people = dd.read_parquet(dataset / "participants").drop(columns="budget_eur")
    items = dd.read_parquet(dataset / "plan_items")
    with warnings.catch_warnings():  # read_parquet may cut partitions otherwise: checked
        warnings.simplefilter("ignore", RepartitionWarning)
        r = ibm.allocate_dataset(people, items, s, budget=formula, client=dask_client)
    same_record(r.record, one.record)
    got = r.compute()
    key = ["participant_id"]
    same_values(by_key(got.participants, key), by_key(one.participants, key))
    pot = ibm.PotCalibrated(formula, 1e5, src)
    for whole in (pot, ibm.TransitionProtected(pot, src)):
        with pytest.raises(ibm.InputError, match="whole population"):
            ibm.allocate_dataset(dataset, budget=whole, client=dask_client)


def test_pandas_frames_are_for_allocate(region: Any) -> None:
    p, i, s = region
    with pytest.raises(ibm.InputError, match=r"pandas frames go to ibm\.allocate"):
        ibm.allocate_dataset(p, i, s)


def test_allocate_names_the_dataset_function_for_dask_frames(region: Any) -> None:
    p, i, s = region
    with pytest.raises(ibm.InputError, match=r"dask DataFrame: .* ibm\.allocate_dataset"):
        ibm.allocate(p, dd.from_pandas(i, npartitions=2), s)


def test_folders_with_other_partition_counts_are_shuffled(
    dask_client: Any, region: Any, dataset: Path, tmp_path: Path
) -> None:
    p, i, s = region
    one = ibm.allocate(p, i, s)
    other = ibm.write_dataset(p, i, tmp_path / "other", partition_size=70)  # 2 partitions
    with pytest.warns(RepartitionWarning, match="4 participant partitions but 2 plan item"):
        r = ibm.allocate_dataset(dataset / "participants", other / "plan_items", s,
                                 client=dask_client)  # fmt: skip
    same_record(r.record, one.record)
    assert r.partitions == 4 and len(r.compute().items) == len(one.items)


def test_a_warning_of_several_partitions_is_given_once(
    dask_client: Any, region: Any, dataset: Path, tmp_path: Path
) -> None:
    p, i, s = region
    p = p.assign(municipality="Nowhere")  # the catalogue has municipal rows: a warning
    root = ibm.write_dataset(p, i, tmp_path / "w", services=s, partition_size=40)
    with pytest.warns(ibm.UnknownMunicipalityWarning) as got:
        ibm.allocate_dataset(root, client=dask_client)
    mine = [w for w in got if issubclass(w.category, ibm.UnknownMunicipalityWarning)]
    assert len(mine) == 1  # four partitions warned alike: given once
    assert "Nowhere" in str(mine[0].message)


def test_an_empty_dataset_gives_the_record_of_an_empty_call(
    dask_client: Any, region: Any, tmp_path: Path
) -> None:
    p, i, s = region
    one = ibm.allocate(p.iloc[:0], i.iloc[:0], s)
    root = ibm.write_dataset(p.iloc[:0], i.iloc[:0], tmp_path / "empty", services=s)
    r = ibm.allocate_dataset(root, client=dask_client, output=tmp_path / "out")
    same_record(r.record, one.record)
    assert r.partitions == 1 and len(r.compute().participants) == 0
