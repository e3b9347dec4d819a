"""Shared fixtures: a small valid set of the three contract tables; the Hypothesis profiles;
a PostgreSQL server for the run archive tests (``postgres_url``, ``postgres_db``).

The tests import their helpers (``helpers.reference``, ``strategies``) from this folder, so it
goes on ``sys.path`` here (pytest runs with ``--import-mode=importlib``, which does not add it).

Hypothesis profiles, chosen by the environment variable ``HYPOTHESIS_PROFILE``:

- ``ci`` (the default, ``make test``): derandomised, so every run collects the same tests and
  draws the same examples (seeded from each test's source); no example database; a failure
  prints its reproduction blob.
- ``explore`` (``make test-explore``): random and many more examples, to find new cases; a
  failure found there becomes a hand-written case or an ``@example``.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

#: the examples of a property test without its own ``max_examples`` under ``ci``
CI_EXAMPLES = 100
#: ... and under ``explore``; tests with their own number use ``strategies.examples(n)``
EXPLORE_EXAMPLES = 2000

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=CI_EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    derandomize=False,
    max_examples=EXPLORE_EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def _tables() -> Tables:
    services = pd.DataFrame(
        [
            {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
            {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
            {
                "service": "physiotherapy",
                "unit": "session",
                "unit_price_eur": 31.5,
                "municipality": "Dobele",
            },
            {
                "service": "psychologist",
                "unit": "session",
                "unit_price_eur": 29.0,
                "municipality": "Bauska",
            },
            {
                "service": "respite_care",
                "unit": "day",
                "unit_price_eur": 48.0,
                "max_units_per_year": 30.0,
                "target_groups": "FT",
            },
        ]
    )
    participants = pd.DataFrame(
        [
            {
                "participant_id": "P1",
                "target_group": "GRT",
                "age": 40,
                "municipality": "Dobele",
                "budget_eur": 500.0,
            },
            {
                "participant_id": "P2",
                "target_group": "FT",
                "age": 7,
                "municipality": "Bauska",
                "budget_eur": 900.0,
            },
            {
                "participant_id": "P3",
                "target_group": "BSAC",
                "age": 12,
                "municipality": "Bauska",
                "budget_eur": 100.0,
            },
        ]
    )
    plan_items = pd.DataFrame(
        [
            {
                "participant_id": "P1",
                "service": "physiotherapy",
                "team_rank": 1,
                "recommended_units": 12,
            },
            {
                "participant_id": "P1",
                "service": "psychologist",
                "team_rank": 2,
                "recommended_units": 10,
            },
            {
                "participant_id": "P2",
                "service": "respite_care",
                "team_rank": 1,
                "recommended_units": 20,
            },
            {
                "participant_id": "P2",
                "service": "psychologist",
                "team_rank": 2,
                "recommended_units": 6,
            },
            {
                "participant_id": "P3",
                "service": "psychologist",
                "team_rank": 1,
                "recommended_units": 4,
            },
        ]
    )
    return participants, plan_items, services


@pytest.fixture
def tables() -> Callable[[], Tables]:
    """A factory of fresh, valid (participants, plan_items, services) frames.

    P1 (GRT, Dobele: municipal physiotherapy price), P2 (FT child, Bauska: municipal
    psychologist price, respite care capped at 30 days/year), P3 (BSAC, Bauska).
    """
    return _tables


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server for the session (see ``tests/helpers/postgres.py``):
    ``IBM_ENGINE_PG_URL``, or a throwaway cluster; skipped where none can be started, failed
    under ``CI=true``."""
    from helpers.postgres import postgres_server

    with postgres_server() as (url, why):
        if url is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI=true needs a PostgreSQL server: {why}")
            pytest.skip(f"no PostgreSQL server: {why}")
        yield url


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty database on that server (dropped after the test)."""
    psycopg = pytest.importorskip("psycopg")
    name = f"ibm_test_{uuid.uuid4().hex[:12]}"
    base, _, _ = postgres_url.rpartition("/")
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    yield f"{base}/{name}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
