"""``ibm.allocate_dataset``: ``ibm.allocate`` over the partitions of a dataset, on Dask.

check (ids only) -> repartition if needed -> one task per partition (allocate, write its
files, send back hashes) -> the record from the partitions' hashes -> rename the staging
folder into place. See ``docs/scale.md``.
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ibm_engine.allocation import AllocationResult, Record, allocate
from ibm_engine.allocation._merge import RankMerge
from ibm_engine.budget import BudgetFormula
from ibm_engine.errors import InputError
from ibm_engine.scale._cluster import require_dask, session, show_progress
from ibm_engine.scale._finish import collect, write_manifest
from ibm_engine.scale._layout import dataset_files
from ibm_engine.scale._partition import (
    PartitionSummary,
    Settings,
    allocate_partition,
    count_rows,
    id_hashes,
    read_part,
)
from ibm_engine.scale._repartition import repartition
from ibm_engine.scale._result import DatasetResult, RepartitionWarning, lazy_tables

__all__ = ["allocate_dataset"]


@dataclass(frozen=True)
class _Table:
    """One input table: its partitions (Parquet files or delayed frames) and its columns."""

    parts: list[Any]
    meta: pd.DataFrame
    ids: list[Any]  # the same partitions, participant_id only


def _is_dask(obj: object) -> bool:
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr")


def _table(obj: object, name: str) -> _Table:
    if isinstance(obj, str | os.PathLike):
        import pyarrow.parquet as pq

        files = dataset_files(obj)
        meta = pq.read_schema(files[0]).empty_table().to_pandas()
        return _Table(files, meta, files)
    if _is_dask(obj):
        frame: Any = obj
        meta = frame._meta
        ids = frame[["participant_id"]] if "participant_id" in meta.columns else frame
        return _Table(list(frame.to_delayed()), meta, list(ids.to_delayed()))
    raise InputError.single(
        "arguments", name,
        f"must be a dask DataFrame or a folder of Parquet files (got {type(obj).__name__}); "
        "pandas frames go to ibm.allocate",
    )  # fmt: skip


def _inputs(participants: object, plan_items: object, services: object) -> tuple[Any, ...]:
    """The two partitioned tables and the catalogue; a dataset folder gives all three."""
    if plan_items is None and isinstance(participants, str | os.PathLike):
        root = Path(participants)
        participants, plan_items = root / "participants", root / "plan_items"
        if services is None and (root / "services.parquet").is_file():
            services = root / "services.parquet"
    if services is None:
        raise InputError.single("arguments", "services", "the catalogue is required")
    if isinstance(services, str | os.PathLike):
        services = pd.read_parquet(services)
    return _table(participants, "participants"), _table(plan_items, "plan_items"), services


def _check(client: Any, p: _Table, i: _Table) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Row offsets of each partition, and why the inputs must be repartitioned (or None)."""
    import dask

    if len(p.parts) != len(i.parts):
        why = f"{len(p.parts)} participant partitions but {len(i.parts)} plan item partitions"
        p_n = client.gather(client.compute([dask.delayed(count_rows)(x) for x in p.ids]))
        i_n = client.gather(client.compute([dask.delayed(count_rows)(x) for x in i.ids]))
        return _offsets(p_n), _offsets(i_n), why
    tasks = [dask.delayed(id_hashes)(a, b) for a, b in zip(p.ids, i.ids, strict=True)]
    checks = client.gather(client.compute(tasks))
    p_off = _offsets([c["n_p"] for c in checks])
    i_off = _offsets([c["n_i"] for c in checks])
    allh, counts = np.unique(
        np.concatenate([c["hashes"] for c in checks] + [np.zeros(0, np.uint64)]),
        return_counts=True,
    )
    if (counts > 1).any():  # distinct within a partition: a repeat is across partitions
        return p_off, i_off, "a participant_id appears in more than one partition"
    away = np.concatenate([c["elsewhere"] for c in checks] + [np.zeros(0, np.uint64)])
    if np.isin(away, allh).any():  # 64-bit hashes: a collision only costs a needless shuffle
        return p_off, i_off, "plan items are not in their participant's partition"
    return p_off, i_off, None


def co_partitioned(
    client: Any, p: _Table, i: _Table
) -> tuple[list[Any], list[Any], np.ndarray, np.ndarray, bool]:
    """The partitions of both inputs, co-partitioned by participant, each partition's first
    row numbers, and whether they were shuffled: as given when they are co-partitioned, else
    shuffled by participant_id with a :class:`RepartitionWarning` pointing at the caller of
    the function that called this (``allocate_dataset``, ``allocate_region_dataset``)."""
    p_off, i_off, why = _check(client, p, i)
    if why is None:
        return list(p.parts), list(i.parts), p_off, i_off, False
    warnings.warn(
        f"the inputs are not co-partitioned by participant ({why}): repartitioning "
        "them by participant_id (a shuffle); write them with ibm.write_dataset",
        RepartitionWarning,
        stacklevel=3,
    )
    n = len(p.parts)
    p_parts, i_parts = repartition(
        [(p.parts, p.meta, p_off.tolist()), (i.parts, i.meta, i_off.tolist())], n
    )
    return list(p_parts), list(i_parts), np.zeros(n, np.int64), np.zeros(n, np.int64), True


def _offsets(counts: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))])[:-1]


def allocate_dataset(
    participants: object,
    plan_items: object = None,
    services: object = None,
    policy: str = "optimal",
    period_weeks: int = 26,
    team_share: float = 0.5,
    errors: str = "raise",
    *,
    merge: str | RankMerge = "borda",
    budget: BudgetFormula | None = None,
    output: str | os.PathLike[str] | None = None,
    client: Any = None,
    progress: bool | TextIO = False,
    overwrite: bool = False,
) -> DatasetResult:
    """:func:`ibm_engine.allocate` on Dask, partition by partition (``docs/scale.md``).

    Parameters
    ----------
    participants, plan_items : dask DataFrame or folder of Parquet files
        ``participants`` may be a dataset folder (``write_dataset``'s layout) with
        ``plan_items`` left out; its ``services.parquet`` is then the default catalogue.
        Inputs not co-partitioned by participant are repartitioned (a shuffle), with a
        :class:`RepartitionWarning`.
    services : DataFrame or Parquet file
        The catalogue (small: sent to every worker once).
    policy, period_weeks, team_share, errors, merge, budget
        As in :func:`ibm_engine.allocate`. A budget formula must be per participant (a
        formula calibrated to a programme pot needs the whole population: calibrate it
        first and pass the calibrated formula).
    output : folder, optional
        Write ``items/``, ``participants/``, ``rejected/`` (one Parquet file per partition),
        ``record.json`` and a manifest there. Written into a staging folder beside it and
        renamed when complete: on an error nothing is left. Without it the tables stay on
        the cluster as dask DataFrames (lazy when the cluster was embedded).
    client : distributed.Client, optional
        Used and never closed; without one a LocalCluster sized to the machine is started
        for the call and closed after it.
    progress : bool or file
        Print the dashboard link and show a progress bar (a widget in Jupyter).
    overwrite : bool
        Replace an existing ``output`` folder (only once the new one is complete).

    Returns
    -------
    DatasetResult
        Tables as dask DataFrames in partition order, and the record, whose id and hashes
        equal those of one ``ibm.allocate`` call on the same tables.

    Raises
    ------
    InputError
        ``errors="raise"`` and any partition has input problems: one error with every
        problem of every partition (the message lists the first 50).
    """
    require_dask("allocate_dataset")
    import dask

    p, i, services = _inputs(participants, plan_items, services)
    # arguments, the catalogue and the columns are checked once here, on the client (an
    # empty allocation); its record gives the parameters of the whole run's record
    empty = allocate(
        p.meta, i.meta, services, policy, period_weeks, team_share, errors,
        merge=merge, budget=budget,
    ).record  # fmt: skip
    if empty is None:  # allocate always makes a record
        raise RuntimeError("ibm.allocate returned no record")
    params = empty.parameters
    if budget is not None and not _per_participant(budget):
        raise InputError.single(
            "arguments", "budget",
            f"{type(budget).__name__} needs the whole population (a programme pot); "
            "calibrate it in-process and pass a per-participant formula",
        )  # fmt: skip
    settings = Settings(policy, int(period_weeks), team_share, errors, merge, budget)
    out = Path(output).resolve() if output is not None else None  # absolute, for the workers
    if out is not None and out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists (pass overwrite=True to replace it)")
    staging = None if out is None else out.parent / f".{out.name}.staging-{uuid.uuid4().hex}"
    with session(client) as c:
        p_parts, i_parts, p_off, i_off, shuffled = co_partitioned(c, p, i)
        cat = dask.delayed(services, pure=True)  # one node of the graph, sent once
        where = None if staging is None else str(staging)
        tasks = [
            dask.delayed(allocate_partition, pure=True)(
                k, a, b, cat, settings, where, int(p_off[k]), int(i_off[k])
            )
            for k, (a, b) in enumerate(zip(p_parts, i_parts, strict=True))
        ]
        futures: list[Any] = []
        try:
            futures = c.compute(tasks)
            if progress:
                show_progress(c, futures, None if progress is True else progress)
            summaries: list[PartitionSummary] = c.gather(c.map(_first, futures, pure=False))
            record = collect(summaries, params, services, errors, out)
        except BaseException:
            c.cancel(futures)  # none writes into the staging folder once it is removed
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
        for message in {(w[0], w[1]): w for s in summaries for w in s.warnings}.values():
            warnings.warn(message[1], message[0], stacklevel=2)
        meta = summaries[0].meta if summaries else {}
        if staging is not None and out is not None:
            write_manifest(staging, record, len(tasks), summaries)
            _into_place(staging, out)
            tables = lazy_tables(out, len(tasks), meta)
        else:
            keep = client is not None  # futures live as long as the caller's cluster
            tables = lazy_tables(futures if keep else tasks, len(tasks), meta)
    return DatasetResult(
        tables["items"],
        tables["participants"],
        tables["rejected"],
        record=record,
        path=out,
        partitions=len(tasks),
        repartitioned=shuffled,
        _one=OneParticipant(p, i, services, settings, record),
    )


@dataclass(frozen=True)
class OneParticipant:
    """One participant of a run allocated again from its own input rows (see
    :meth:`DatasetResult.participant`)."""

    p: _Table
    i: _Table
    services: object
    settings: Settings
    record: Record

    def _rows(self, t: _Table, pid: str) -> pd.DataFrame:
        import dask
        import dask.dataframe as dd

        parts = [dask.delayed(read_part)(x) if isinstance(x, str) else x for x in t.parts]
        frame = dd.from_delayed(parts, meta=t.meta, verify_meta=False)
        hit = frame[frame["participant_id"].astype("str") == pid]
        rows: pd.DataFrame = hit.compute()
        return rows.reset_index(drop=True)

    def __call__(self, participant_id: object) -> AllocationResult:
        pid = str(participant_id)
        s = self.settings
        r = allocate(
            self._rows(self.p, pid), self._rows(self.i, pid), self.services, s.policy,
            s.period_weeks, s.team_share, s.errors, merge=s.merge, budget=s.budget,
        )  # fmt: skip
        return replace(r, record=self.record)


def _first(pair: tuple[PartitionSummary, Any]) -> PartitionSummary:
    return pair[0]


def _per_participant(budget: object) -> bool:
    """Whether a formula gives each participant's budget from that participant alone."""
    from ibm_engine.budget import PotCalibrated, PotGroups

    inner: object = budget
    while inner is not None:  # a wrapper (TransitionProtected) of a pot-calibrated formula
        if isinstance(inner, PotCalibrated | PotGroups):
            return False
        inner = getattr(inner, "formula", None)
    return True


def _into_place(staging: Path, out: Path) -> None:
    """Rename the complete staging folder to ``out`` (an old ``out`` removed only then)."""
    for stray in staging.glob("*/.*.tmp"):  # of a task killed while writing, run again
        stray.unlink()
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex}"
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
