"""Scale-out layer of ibm_engine (see docs/scale.md): allocation on Dask over Parquet datasets
or dask DataFrames partitioned by participant, the co-partitioned dataset layout, its writer
and a chunked synthetic generator. Dask is the optional extra ``ibm_engine[dask]``; nothing
here imports it until a function needs it."""

from ibm_engine.scale._cluster import MMAP_THRESHOLD, SPAWN_ENVIRON, worker_environ
from ibm_engine.scale._engine import allocate_dataset
from ibm_engine.scale._layout import (
    LAYOUT,
    MANIFEST,
    PARTITION_SIZE,
    dataset_files,
    synthetic_dataset,
    write_dataset,
)
from ibm_engine.scale._region import allocate_region_dataset
from ibm_engine.scale._result import DatasetResult, RepartitionWarning

__all__ = [
    "LAYOUT",
    "MANIFEST",
    "MMAP_THRESHOLD",
    "PARTITION_SIZE",
    "SPAWN_ENVIRON",
    "DatasetResult",
    "RepartitionWarning",
    "allocate_dataset",
    "allocate_region_dataset",
    "dataset_files",
    "synthetic_dataset",
    "worker_environ",
    "write_dataset",
]
