"""The co-partitioned Parquet layout, its writer and a chunked synthetic generator.

A dataset is a folder::

    region/
      _ibm_dataset.json          {"layout": "ibm_engine/copartitioned-1", "partitions": 3, ...}
      services.parquet           the catalogue (optional: it can be given to the call instead)
      participants/part-000000.parquet, part-000001.parquet, ...
      plan_items/part-000000.parquet,   part-000001.parquet, ...

Partition ``k`` of ``plan_items`` holds exactly the plan items of the participants of partition
``k`` of ``participants`` (every copy of a duplicated id in one partition). Files are named so
that they sort in partition order. Any folder with the two sub-folders of Parquet files is read
the same way; the engine checks the co-partitioning and repartitions when it does not hold.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.data import synthetic_zemgale
from ibm_engine.errors import InputError
from ibm_engine.io._chunked import _chunks
from ibm_engine.scale._partition import part_file, write_part

__all__ = [
    "LAYOUT",
    "MANIFEST",
    "PARTITION_SIZE",
    "dataset_files",
    "synthetic_dataset",
    "write_dataset",
]

#: the layout's name and version, written into the manifest
LAYOUT: Final = "ibm_engine/copartitioned-1"
#: the manifest file of a dataset folder
MANIFEST: Final = "_ibm_dataset.json"
#: participants per partition written by default: tasks of some hundred milliseconds or more
#: (Dask's scheduler costs about 1 ms per task), a few tens of MB of memory each
PARTITION_SIZE: Final = 50_000
#: participants in the synthetic Zemgale region at scale 1 (502 + 510 + 276)
_ZEMGALE_PEOPLE: Final = 1288


def dataset_files(path: str | os.PathLike[str]) -> list[str]:
    """The Parquet files of a dataset folder in partition order (a file is one partition).

    Raises
    ------
    InputError
        When the folder does not exist or holds no Parquet file.
    """
    folder = Path(path).resolve()  # workers need not share the client's working directory
    if folder.is_file():
        return [str(folder)]
    files = sorted(str(f) for f in folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        raise InputError.single(
            "arguments", None, f"{folder} is not a folder of Parquet files (a dataset)"
        )
    return files


def _manifest(root: Path, partitions: int, **extra: Any) -> None:
    text = json.dumps({"layout": LAYOUT, "partitions": partitions, **extra}, indent=2)
    (root / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _fresh(path: str | os.PathLike[str], overwrite: bool) -> Path:
    root = Path(path)
    if root.exists():
        if not overwrite:
            raise FileExistsError(f"{root} exists (pass overwrite=True to replace it)")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return root


def write_dataset(
    participants: pd.DataFrame,
    plan_items: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    services: pd.DataFrame | None = None,
    partition_size: int = PARTITION_SIZE,
    overwrite: bool = False,
) -> Path:
    """Write participants and plan items as a co-partitioned Parquet dataset.

    Participants are cut into partitions of ``partition_size`` in input order (every copy of
    a duplicated id goes with the first one); each plan item goes to its participant's
    partition, so an allocation of the dataset gives the rows of one ``ibm.allocate`` call
    in the same order.

    Parameters
    ----------
    participants, plan_items : DataFrame
    path : folder to create
    services : DataFrame, optional
        Written as ``services.parquet`` beside the partitions.
    partition_size : int
        Participants per partition.
    overwrite : bool
        Replace an existing folder.

    Returns
    -------
    Path
        The dataset folder.

    Examples
    --------
    >>> import tempfile, ibm_engine as ibm
    >>> p, i, s = ibm.synthetic_zemgale(1, n_grt=3, n_ft=2, n_bsac=1)
    >>> root = ibm.write_dataset(p, i, tempfile.mkdtemp() + "/region", partition_size=4)
    >>> sorted(f.name for f in (root / "participants").iterdir())
    ['part-000000.parquet', 'part-000001.parquet']
    """
    if isinstance(partition_size, bool) or not isinstance(partition_size, int):
        raise ValueError(f"partition_size must be an integer >= 1, got {partition_size!r}")
    if partition_size < 1:
        raise ValueError(f"partition_size must be an integer >= 1, got {partition_size!r}")
    for name, df in (("participants", participants), ("plan_items", plan_items)):
        if "participant_id" not in df.columns:
            raise InputError.single(name, "participant_id", "column is missing")
    root = _fresh(path, overwrite)
    parts = _chunks(participants, plan_items, partition_size) if len(participants) else []
    if not parts:  # an empty dataset still has one (empty) partition of each table
        parts = [(np.zeros(0, np.int64), np.arange(len(plan_items)))]
    for k, (p_rows, i_rows) in enumerate(parts):
        write_part(participants.iloc[p_rows].reset_index(drop=True), root / "participants", k)
        write_part(plan_items.iloc[i_rows].reset_index(drop=True), root / "plan_items", k)
    if services is not None:
        services.to_parquet(root / "services.parquet", index=False)
    _manifest(root, len(parts), partition_by="participant_id")
    return root


def _synthetic_parts(
    n: int, seed: int, size: int, period_weeks: int
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    for k, start in enumerate(range(0, n, size)):
        m = min(size, n - start)
        part_seed = int(np.random.SeedSequence([seed, k]).generate_state(1)[0])
        p, i, s = synthetic_zemgale(part_seed, scale=m / _ZEMGALE_PEOPLE, period_weeks=period_weeks)
        prefix = f"P{k:06d}-"
        p["participant_id"] = prefix + p["participant_id"].astype("str")
        i["participant_id"] = prefix + i["participant_id"].astype("str")
        yield p, i, s


def synthetic_dataset(
    path: str | os.PathLike[str],
    n_participants: int,
    *,
    seed: int = 2021,
    partition_size: int = PARTITION_SIZE,
    period_weeks: int = 26,
    overwrite: bool = False,
) -> Path:
    """Write a synthetic region of about ``n_participants`` as a co-partitioned dataset,
    one partition at a time (memory is bounded by one partition, whatever ``n_participants``).

    Partition ``k`` is ``synthetic_zemgale`` drawn with a seed derived from ``(seed, k)`` and
    scaled to ``partition_size`` participants (the project's proportions, so the count per
    partition is within a few of it), its ids prefixed ``P<k>-``; the catalogue is written
    once as ``services.parquet``. The same arguments write the same files.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> root = synthetic_dataset(tempfile.mkdtemp() + "/z", 300, seed=1, partition_size=100)
    >>> len(pd.read_parquet(root / "participants")) in range(295, 306)
    True
    """
    if isinstance(n_participants, bool) or not isinstance(n_participants, int):
        raise ValueError(f"n_participants must be an integer >= 1, got {n_participants!r}")
    if n_participants < 1 or partition_size < 1:
        raise ValueError("n_participants and partition_size must be >= 1")
    root = _fresh(path, overwrite)
    count = 0
    k = -1
    for k, (p, i, s) in enumerate(
        _synthetic_parts(n_participants, seed, partition_size, period_weeks)
    ):
        write_part(p, root / "participants", k)
        write_part(i, root / "plan_items", k)
        if k == 0:
            s.to_parquet(root / "services.parquet", index=False)
        count += len(p)
    _manifest(
        root, k + 1, partition_by="participant_id", participants=count, seed=seed,
        period_weeks=period_weeks,
    )  # fmt: skip
    return root


def part_path(root: str | os.PathLike[str], table: str, k: int) -> Path:
    """The file of partition ``k`` of ``table`` in a dataset or result folder."""
    return Path(root) / table / part_file(k)
