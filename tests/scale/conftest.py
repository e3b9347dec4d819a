"""One real LocalCluster for the Dask tests: 2 single-threaded worker processes under nannies
(a killed worker is restarted), no dashboard. Started once per session (about 4 s) and closed
at its end; the warnings distributed gives while starting and stopping (ports, closing
comms) are not the library's, so they are silenced there, under pytest's warnings-as-errors.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    import dask
    from distributed import Client, LocalCluster

    from ibm_engine.scale import SPAWN_ENVIRON, worker_environ

    logging.getLogger("distributed").setLevel(logging.ERROR)
    with warnings.catch_warnings(), dask.config.set({SPAWN_ENVIRON: worker_environ()}):
        warnings.simplefilter("ignore")
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    yield client
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.close()
        cluster.close()


@pytest.fixture(scope="session")
def region() -> tuple[Any, Any, Any]:
    """A small synthetic region: 140 participants, about 1,100 plan items."""
    import ibm_engine as ibm

    return ibm.synthetic_zemgale(seed=3, n_grt=60, n_ft=50, n_bsac=30)
