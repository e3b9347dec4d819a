"""No input breaks validation (issue 9): arbitrary objects in random contract cells.

Whatever the cells hold (lists, dicts, sets, tuples, bytes, nested tables, arrays, decimals,
dates, inf/nan, huge ints, bools, text with spaces, None, pd.NA):

- ``allocate`` returns a result or raises ``InputError``, never another exception, in both
  error modes, and issues no warning other than ``UnknownMunicipalityWarning``;
- with ``errors="quarantine"``, problems confined to participants' own cells (any contract
  column of participants or plan_items except participant_id) never raise;
- every input participant ends in exactly one of ``result.participants`` and
  ``result.rejected``, and the rejected ones have no item rows.
"""

from __future__ import annotations

import datetime
import decimal
import warnings
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES
from strategies import examples

SETTINGS = settings(
    max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
COLUMNS = {
    "participants": [s.name for s in PARTICIPANTS],
    "plan_items": [s.name for s in PLAN_ITEMS],
    "services": [s.name for s in SERVICES],
}
POS = {"participants": 0, "plan_items": 1, "services": 2}


def base() -> Tables:
    services = pd.DataFrame(
        {
            "service": ["physiotherapy", "psychologist", "psychologist", "respite_care"],
            "unit": ["session", "session", "session", "day"],
            "unit_price_eur": [27.0, 35.0, 29.0, 48.0],
            "municipality": [None, None, "Bauska", None],
            "max_units_per_year": [None, None, None, 30.0],
        }
    )
    participants = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "P3"],
            "target_group": ["GRT", "FT", "BSAC"],
            "age": [40, 7, 12],
            "municipality": ["Dobele", "Bauska", "Bauska"],
            "budget_eur": [500.0, 900.0, 100.0],
        }
    )
    plan_items = pd.DataFrame(
        {
            "participant_id": ["P1", "P1", "P2", "P2", "P3"],
            "service": [
                "physiotherapy",
                "psychologist",
                "respite_care",
                "psychologist",
                "psychologist",
            ],
            "team_rank": [1, 2, 1, 2, 1],
            "recommended_units": [12, 10, 20, 6, 4],
        }
    )
    return participants, plan_items, services


odd = st.one_of(
    st.none(),
    st.just(pd.NA),
    st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 1e300, 2.5]),
    st.booleans(),
    st.integers(-5, 300),
    st.sampled_from([2**53 + 1, 2**63, 2**64, 10**400, -(10**30)]),
    st.floats(-1e3, 1e3),
    st.text(max_size=6),
    st.sampled_from(
        [" P1", "P1 ", "P2", "12,50", "1 234", "7", " GRT", "FT", "Bauska ", "bauska", "", "  "]
    ),
    st.sampled_from(["physiotherapy", "session", "day", "GRT,FT", "Dobele", "Jelgava city"]),
    st.binary(max_size=3),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(0, 3), max_size=2),
    st.sets(st.integers(0, 3), max_size=2),
    st.tuples(st.integers(0, 3)),
    st.tuples(st.lists(st.integers(0, 3), max_size=1)),
    st.frozensets(st.integers(0, 3), max_size=2),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10, max_value=10),
    st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2030, 1, 1)),
    st.just(np.array([1, 2])),
    st.just(pd.DataFrame({"a": [1]})),
    st.just(decimal.Decimal("NaN")),
    st.just(object()),
)


@st.composite
def edits(draw: st.DrawFn, tables: tuple[str, ...], with_ids: bool) -> list[tuple[Any, ...]]:
    out = []
    sizes = {"participants": 3, "plan_items": 5, "services": 4}
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(tables))
        cols = [c for c in COLUMNS[table] if with_ids or c != "participant_id"]
        out.append(
            (table, draw(st.integers(0, sizes[table] - 1)), draw(st.sampled_from(cols)), draw(odd))
        )
    return out


def apply(changes: list[tuple[Any, ...]]) -> Tables:
    t = list(base())
    for table, row, column, value in changes:
        df = t[POS[table]]
        cells = df[column].tolist() if column in df.columns else [None] * len(df)
        cells[row] = value
        df[column] = pd.Series(cells, index=df.index, dtype=object)
    return t[0], t[1], t[2]


def run(t: Tables, errors: str) -> ibm.AllocationResult | ibm.InputError:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res: ibm.AllocationResult | ibm.InputError = ibm.allocate(*t, errors=errors)
        except ibm.InputError as exc:
            assert len(exc.problems) >= 1
            assert all("\n" not in str(r) for r in exc.problems["reason"])
            res = exc
    unexpected = [w for w in caught if not issubclass(w.category, ibm.UnknownMunicipalityWarning)]
    assert not unexpected, [str(w.message) for w in unexpected]
    return res


def key(x: object) -> str:
    return str(x)


def assert_partition(t: Tables, res: ibm.AllocationResult) -> None:
    ids = {key(x) for x in t[0]["participant_id"]}
    kept = [key(x) for x in res.participants["participant_id"]]
    rejected = {key(x) for x in res.rejected["participant_id"]}
    assert len(kept) == len(set(kept))
    assert set(kept).isdisjoint(rejected)
    assert set(kept) | rejected == ids
    assert {key(x) for x in res.items["participant_id"]} <= set(kept)
    mine = t[1][[key(x) in set(kept) for x in t[1]["participant_id"]]]
    assert len(res.items) == len(mine)


@SETTINGS
@given(edits(("participants", "plan_items", "services"), with_ids=True))
def test_any_cells_give_a_result_or_an_input_error(changes: list[tuple[Any, ...]]) -> None:
    t = apply(changes)
    for errors in ("raise", "quarantine"):
        res = run(t, errors)
        if isinstance(res, ibm.AllocationResult):
            assert_partition(t, res)
            if errors == "raise":
                assert len(res.rejected) == 0


@SETTINGS
@given(edits(("participants", "plan_items"), with_ids=False))
def test_quarantine_never_raises_for_participants_own_cells(
    changes: list[tuple[Any, ...]],
) -> None:
    t = apply(changes)
    res = run(t, "quarantine")
    assert isinstance(res, ibm.AllocationResult), res
    assert_partition(t, res)
